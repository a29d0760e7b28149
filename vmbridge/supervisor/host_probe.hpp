// Facts about this host the supervisor decides by: which VMM binaries are installed, whether
// KVM can actually run a guest, whether bubblewrap can build a sandbox here.
#pragma once

#include "hypervisor_choice.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace spectrum::vmbridge {

// The full path of `program` on PATH, if it is there and executable.
std::optional<std::string> find_program(std::string_view program);

// /dev/kvm opened read-write, the API version, a VM created, and the CPUID KVM offers
// guests checked for SSE3. A nested KVM without CPU passthrough can pass the first three
// yet hide SSE3, and then QEMU's guest dies at once; that counts as unusable.
// SPECTRUM_VMBRIDGE_KVM=0 in the environment turns KVM off on purpose.
bool probe_kvm(std::string* problem);

HostFacts probe_host();

// Runs `bwrap` with the transport sandbox's options (its seccomp filter included) around
// /bin/true. Returns nothing when it works, else bwrap's own first line of complaint.
std::optional<std::string> probe_bubblewrap(const std::string& bwrap, bool new_user_namespace);

} // namespace spectrum::vmbridge
