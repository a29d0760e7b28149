#include "vm_spec_from_config.hpp"

#include <cstdint>
#include <format>
#include <limits>

namespace spectrum::vmbridge::ch {

namespace {
// MemoryConfig.size is an int64 byte count.
constexpr std::uint64_t kMaxMemoryMib =
    static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) >> 20;
} // namespace

std::expected<VmSpec, std::string> vm_spec_from_config(const config::VmConfig& vm,
                                                       const VmPlacement& where) {
    auto fail = [&](std::string what) {
        return std::unexpected(std::format("VM \"{}\": {}", vm.name, what));
    };
    if (vm.kernel.empty())
        return fail(
            std::format("no kernel set; add kernel = \"/path/to/vmlinux\" to [vm.{}]", vm.name));
    if (vm.cpus == 0) return fail("cpus must be at least 1");
    if (vm.memory_mib == 0 || vm.memory_mib > kMaxMemoryMib)
        return fail(std::format("memory of {} MiB is out of range", vm.memory_mib));
    if (where.vsock_cid < 3)
        return fail(
            std::format("vsock CID {} is reserved (0-2 belong to the host)", where.vsock_cid));

    VmSpec spec;
    spec.name = vm.name;
    spec.kernel = vm.kernel;
    spec.initramfs = vm.initramfs;
    spec.cmdline = vm.cmdline;
    spec.cpus = vm.cpus;
    spec.memory_bytes = vm.memory_mib << 20;
    spec.readonly_images = vm.images;
    spec.image_format = vm.image_format;
    spec.state_disk = where.state_disk;
    spec.vsock_cid = where.vsock_cid;
    spec.vsock_socket = where.vsock_socket;
    spec.serial_log = where.serial_log;

    if (vm.network == "user") {
        if (where.net_socket.empty()) return fail("network = \"user\" needs passt's vhost-user socket");
        spec.net_socket = where.net_socket;
    } else if (vm.network != "none") {
        return fail(std::format("unknown network \"{}\"; use \"none\" or \"user\"", vm.network));
    }

    if (vm.transport == "cross-domain") {
        if (!where.gpu_patched_hypervisor)
            return fail("transport = \"cross-domain\" needs a cloud-hypervisor built with the "
                        "virtio-gpu patch; use transport = \"vsock\" or hypervisor = \"qemu\"");
        if (where.gpu_socket.empty()) return fail("no GPU device socket for cross-domain");
        spec.gpu_socket = where.gpu_socket;
    } else if (vm.transport != "vsock") {
        return fail(std::format("unknown transport \"{}\"; use \"vsock\" or \"cross-domain\"",
                                vm.transport));
    }
    return spec;
}

} // namespace spectrum::vmbridge::ch
