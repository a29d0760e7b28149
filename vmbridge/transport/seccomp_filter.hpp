// The seccomp filter of the transport sandbox: waypipe parses what a guest sends, so if a
// guest ever took it over, these system calls stay out of its reach. A deny-list (EPERM),
// made with libseccomp and handed to bubblewrap as BPF (`bwrap --seccomp FD`).
#pragma once

#include <expected>
#include <string>
#include <string_view>
#include <vector>

namespace spectrum::vmbridge::transport {

// The names of the system calls denied outright (EPERM). Also denied: clone with any
// namespace flag, clone3 (ENOSYS, so that libc falls back to clone, whose flags a filter
// can see), ioctl TIOCSTI and TIOCLINUX, and personality with ADDR_NO_RANDOMIZE or
// READ_IMPLIES_EXEC.
const std::vector<std::string_view>& seccomp_denied_syscalls();

// A sealed memfd holding the filter as BPF for this machine's architecture, read from its
// start; close-on-exec (the spawn clears that for the sandbox's bwrap alone).
std::expected<int, std::string> seccomp_filter_fd();

} // namespace spectrum::vmbridge::transport
