// What the cloud-hypervisor driver needs to know about one VM, already resolved to host
// paths. Kept apart from config::VmConfig so the request builder depends on nothing but
// this struct; vm_spec_from_config.hpp does the conversion.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace spectrum::vmbridge::ch {

struct VmSpec {
    std::string name; // the VM's config name, for messages only

    // Direct kernel boot (x86-64: a PVH vmlinux or a bzImage).
    std::string kernel;
    std::string initramfs; // empty: none
    std::string cmdline;   // empty: none

    std::uint32_t cpus = 1;
    std::uint64_t memory_bytes = 512ull << 20;

    // Disks in guest order: the read-only images first (vda, vdb, …), then the VM's one
    // writable state disk, so the guest finds its state on the last virtio-blk device.
    std::vector<std::string> readonly_images;
    std::string image_format = "raw"; // of the read-only images: "raw" or "qcow2"
    std::string state_disk; // empty: none

    // Hybrid vsock: the guest's connections to CID 2 port P reach `<vsock_socket>_P`.
    std::uint32_t vsock_cid = 3; // 0-2 are reserved
    std::string vsock_socket;

    // Where the guest's serial console is written; empty: discarded; "-": the VMM's stdout
    // (mode Tty), which the supervisor reads into the VM's capped log.
    std::string serial_log;

    // virtio-gpu of the GPU-patched cloud-hypervisor (crosvm's vhost-user GPU device at
    // this socket), for transport "cross-domain". Upstream has no such device.
    std::optional<std::string> gpu_socket;

    // User-mode networking: passt as a vhost-user net backend at this socket.
    std::optional<std::string> net_socket;

    // vhost-user backends map guest memory, so it must be shared with them.
    bool uses_vhost_user() const { return gpu_socket.has_value() || net_socket.has_value(); }
};

} // namespace spectrum::vmbridge::ch
