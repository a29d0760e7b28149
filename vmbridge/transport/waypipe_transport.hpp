// The host end of a VM's Wayland transport: `waypipe client` listening where the VMM
// delivers the guest's stream, and connecting to the VM's own compositor socket — so the
// guest's clients reach that socket and nothing else.
//
//   QEMU:             the virtio-serial chardev socket (QEMU connects to it as a client)
//   cloud-hypervisor: `<vsock socket>_<port>`, where hybrid vsock delivers the guest's
//                     connections to host CID 2, port 5000
//
// One guest boot is one waypipe session over one stream, so the client runs --oneshot and a
// new one is started with every boot: a virtio-serial port cannot carry a second session
// after the first one ended anyway (the bytes of both would be mixed on the same stream).
#pragma once

#include "sandbox.hpp"

#include <string>
#include <vector>

namespace spectrum::vmbridge::transport {

struct TransportPlan {
    std::string listen_socket;     // host path the transport listens on
    std::string compositor_socket; // host path of $XDG_RUNTIME_DIR/spectrum/vm/<name>/wayland-0
    std::string waypipe = "waypipe";
    bool sandboxed = true;
    SandboxSpec sandbox; // bwrap path and user-namespace choice; the rest is filled in here
    SandboxLimits limits;
};

struct TransportCommand {
    std::vector<std::string> argv;
    std::vector<std::string> env_overrides; // NAME=value on top of the supervisor's (unsandboxed)
    std::vector<std::string> env;           // the whole environment (sandboxed), else empty
};

// `waypipe --oneshot --no-gpu -s SOCKET client`: --no-gpu because the transport must not
// open the host's GPU devices on a guest's behalf.
std::vector<std::string> waypipe_client_argv(const std::string& waypipe, const std::string& socket);

TransportCommand transport_command(const TransportPlan& plan);

} // namespace spectrum::vmbridge::transport
