// From a VM's [vm.NAME] table to the VmSpec the cloud-hypervisor driver boots. The host paths
// (state disk, sockets, log) and the vsock CID are the supervisor's choice, passed in.
#pragma once

#include "config.hpp"
#include "vm_spec.hpp"

#include <cstdint>
#include <expected>
#include <string>

namespace spectrum::vmbridge::ch {

struct VmPlacement {
    std::string state_disk;   // the VM's writable disk in the state store; empty: none
    std::string vsock_socket; // host end of the hybrid vsock
    std::string serial_log;   // empty: serial output discarded; "-": the VMM's stdout
    std::uint32_t vsock_cid = 0;
    // For network = "user": passt's vhost-user socket (the supervisor starts passt).
    std::string net_socket;

    // For transport "cross-domain": crosvm's vhost-user GPU device socket, usable only when
    // the cloud-hypervisor binary carries the GPU patch (upstream has no virtio-gpu).
    std::string gpu_socket;
    bool gpu_patched_hypervisor = false;
};

// A one-line error naming the VM and what to change, for a VM cloud-hypervisor cannot run.
std::expected<VmSpec, std::string> vm_spec_from_config(const config::VmConfig& vm,
                                                       const VmPlacement& where);

} // namespace spectrum::vmbridge::ch
