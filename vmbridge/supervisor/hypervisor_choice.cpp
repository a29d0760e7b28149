#include "hypervisor_choice.hpp"

#include <format>

namespace spectrum::vmbridge {

namespace {

constexpr std::string_view install_qemu =
    "qemu-system-x86_64 is not installed; install it with `apt install qemu-system-x86`";

HypervisorChoice qemu_choice(const HostFacts& host) {
    if (host.kvm) return {Hypervisor::Qemu, Accel::Kvm, {}};
    return {Hypervisor::Qemu, Accel::Tcg,
            std::format("no usable KVM ({}): running QEMU with TCG emulation, which is much "
                        "slower",
                        host.kvm_problem.empty() ? "unknown reason" : host.kvm_problem)};
}

} // namespace

std::string HypervisorChoice::name() const {
    if (hypervisor == Hypervisor::CloudHypervisor) return "cloud-hypervisor";
    return accel == Accel::Kvm ? "qemu-kvm" : "qemu-tcg";
}

std::expected<HypervisorChoice, std::string> choose_hypervisor(std::string_view requested,
                                                               const HostFacts& host) {
    if (requested == "cloud-hypervisor") {
        if (!host.cloud_hypervisor)
            return std::unexpected(
                "cloud-hypervisor is not installed; install it with `apt install "
                "cloud-hypervisor`, or set hypervisor = \"qemu\"");
        if (!host.kvm)
            return std::unexpected(std::format(
                "cloud-hypervisor needs KVM ({}); set hypervisor = \"qemu\" or \"auto\" to run "
                "this VM with QEMU",
                host.kvm_problem.empty() ? "unknown reason" : host.kvm_problem));
        return HypervisorChoice{Hypervisor::CloudHypervisor, Accel::Kvm, {}};
    }
    if (requested == "qemu") {
        if (!host.qemu) return std::unexpected(std::string(install_qemu));
        return qemu_choice(host);
    }
    if (requested != "auto")
        return std::unexpected(std::format("unknown hypervisor \"{}\"; use \"auto\", "
                                           "\"cloud-hypervisor\" or \"qemu\"",
                                           requested));
    if (host.cloud_hypervisor && host.kvm) return HypervisorChoice{Hypervisor::CloudHypervisor, Accel::Kvm, {}};
    if (!host.qemu) {
        if (host.cloud_hypervisor) // there, but without KVM it cannot run
            return std::unexpected(std::format(
                "cloud-hypervisor cannot run without KVM ({}) and {}", host.kvm_problem, install_qemu));
        return std::unexpected(std::format("no hypervisor found: {} (or, with KVM, `apt install "
                                           "cloud-hypervisor`)",
                                           install_qemu));
    }
    return qemu_choice(host);
}

} // namespace spectrum::vmbridge
