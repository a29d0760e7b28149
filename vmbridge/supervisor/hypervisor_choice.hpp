// Which VMM runs a VM: the config's `hypervisor` against what this host has. Pure logic;
// host_probe.hpp gathers the facts.
#pragma once

#include <expected>
#include <string>
#include <string_view>

namespace spectrum::vmbridge {

enum class Hypervisor { CloudHypervisor, Qemu };
enum class Accel { Kvm, Tcg };

struct HostFacts {
    bool cloud_hypervisor = false; // the cloud-hypervisor binary is on PATH
    bool qemu = false;             // qemu-system-x86_64 is on PATH
    bool kvm = false;              // /dev/kvm exists and can run a guest
    std::string kvm_problem;       // why not, when !kvm: "/dev/kvm does not exist", …
};

struct HypervisorChoice {
    Hypervisor hypervisor = Hypervisor::Qemu;
    Accel accel = Accel::Tcg;
    std::string warning; // one line to log, or empty (e.g. falling back to TCG)

    // "cloud-hypervisor", "qemu-kvm", "qemu-tcg": what `vm list` shows.
    std::string name() const;
};

// `requested` is "auto", "cloud-hypervisor" or "qemu" (the config parser allows no other).
// "auto": cloud-hypervisor when its binary and a usable KVM exist, else QEMU with KVM,
// else QEMU with TCG and a warning. The error is one line saying what is missing and how to
// install it.
std::expected<HypervisorChoice, std::string> choose_hypervisor(std::string_view requested,
                                                               const HostFacts& host);

} // namespace spectrum::vmbridge
