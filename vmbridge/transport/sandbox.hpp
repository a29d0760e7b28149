// The sandbox every transport process runs in, one per VM: bubblewrap with no network, no
// capabilities, a private /tmp, /usr read-only, and of the host's sockets only the two the
// transport joins — the VM end it listens on and the VM's compositor socket; a seccomp
// filter (seccomp_filter.hpp) and, in a user namespace, no nested user namespaces. Limits
// on memory, files and processes bound what a hostile guest can make it consume.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace spectrum::vmbridge::transport {

struct SandboxLimits {
    std::uint64_t address_space = 4ull << 30; // RLIMIT_AS: waypipe maps buffers twice
    std::uint64_t open_files = 256;           // RLIMIT_NOFILE
    std::uint64_t processes = 64;             // RLIMIT_NPROC, threads included
};

struct SandboxSpec {
    std::string bwrap = "/usr/bin/bwrap";
    // Host directories bound at fixed paths inside; each holds only the socket it is for.
    std::string listen_dir;     // writable: the transport creates its listening socket here
    std::string compositor_dir; // read-only: $XDG_RUNTIME_DIR/spectrum/vm/<name>
    bool new_user_namespace = false; // bwrap --unshare-user --disable-userns (see probe_bubblewrap)
    int seccomp_fd = -1;             // bwrap --seccomp FD: seccomp_filter_fd(), inherited
    std::vector<std::string> env;    // NAME=value, the whole environment inside
    std::vector<std::string> command;
};

// Where SandboxSpec's directories appear inside the sandbox.
inline constexpr const char* kSandboxListenDir = "/run/transport";
inline constexpr const char* kSandboxCompositorDir = "/run/compositor";

std::vector<std::string> sandbox_argv(const SandboxSpec& spec);

// The same options around /bin/true, to learn whether bwrap works on this host.
std::vector<std::string> sandbox_probe_argv(const std::string& bwrap, bool new_user_namespace = false,
                                            int seccomp_fd = -1);

} // namespace spectrum::vmbridge::transport
