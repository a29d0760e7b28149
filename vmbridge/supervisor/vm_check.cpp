#include "vm_check.hpp"

#include "../transport/guest_cmdline.hpp"

#include <array>
#include <cstdint>
#include <format>
#include <fstream>
#include <unistd.h>

namespace spectrum::vmbridge {

namespace fs = std::filesystem;

fs::path config_base_dir(const config::Config& config) {
    if (config.source.empty() || config.source.starts_with("<")) return fs::current_path();
    return fs::absolute(fs::path(config.source)).parent_path();
}

std::string absolute_from(const fs::path& base, const std::string& path) {
    if (path.empty()) return path;
    const fs::path p(path);
    return (p.is_absolute() ? p : base / p).lexically_normal().string();
}

std::optional<std::string> qcow2_problem(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::array<unsigned char, 80> header{};
    in.read(reinterpret_cast<char*>(header.data()), header.size());
    const auto got = static_cast<std::size_t>(in.gcount());
    if (got < 16 || header[0] != 'Q' || header[1] != 'F' || header[2] != 'I' || header[3] != 0xfb)
        return std::nullopt;
    auto big_endian = [&](std::size_t at, std::size_t bytes) {
        std::uint64_t value = 0;
        for (std::size_t i = 0; i < bytes; ++i)
            value = value << 8 | header[at + i];
        return value;
    };
    if (big_endian(8, 8) != 0)
        return std::format("\"{}\" is a qcow2 image with a backing file, which QEMU would open on the "
                           "guest's behalf; refused (make it standalone: qemu-img convert -O raw)",
                           path);
    constexpr std::uint64_t kExternalDataFile = 1u << 2; // incompatible feature bit 2
    if (big_endian(4, 4) >= 3 && (got < 80 || (big_endian(72, 8) & kExternalDataFile) != 0))
        return std::format("\"{}\" is a qcow2 image with an external data file, which QEMU would open "
                           "on the guest's behalf; refused (make it standalone: qemu-img convert -O raw)",
                           path);
    return std::nullopt;
}

std::expected<CheckedVm, config::ConfigError> check_vm(const config::Config& config,
                                                      const config::VmConfig& vm) {
    auto fail = [&](std::string what) {
        return std::unexpected(config::ConfigError{config.source, vm.line, vm.column,
                                                   std::format("[vm.{}] {}", vm.name, what)});
    };
    CheckedVm checked{vm, !vm.kernel.empty() || !vm.image.empty()};
    if (!checked.launchable) return checked;

    const fs::path base = config_base_dir(config);
    auto readable_file = [&](std::string_view key, std::string& path) -> std::optional<std::string> {
        path = absolute_from(base, path);
        std::error_code error;
        if (!fs::exists(path, error)) return std::format("{} \"{}\" does not exist", key, path);
        if (!fs::is_regular_file(path, error)) return std::format("{} \"{}\" is not a file", key, path);
        if (access(path.c_str(), R_OK) != 0) return std::format("{} \"{}\" is not readable", key, path);
        return std::nullopt;
    };
    if (!checked.vm.kernel.empty())
        if (auto problem = readable_file("kernel", checked.vm.kernel)) return fail(*problem);
    if (!checked.vm.initramfs.empty())
        if (auto problem = readable_file("initramfs", checked.vm.initramfs)) return fail(*problem);
    for (std::size_t i = 0; i < checked.vm.images.size(); ++i) {
        if (auto problem = readable_file(std::format("images[{}]", i), checked.vm.images[i]))
            return fail(*problem);
        if (auto problem = qcow2_problem(checked.vm.images[i]))
            return fail(std::format("images[{}] {}", i, *problem));
    }
    if (vm.app.empty())
        return fail(std::format("has {} but no app; set app = \"…\", the command its guest runs",
                                vm.image.empty() ? "a kernel" : "an image"));
    if (!vm.image.empty() && vm.image_format == "qcow2")
        return fail("image_format = \"qcow2\" cannot go with image = \"…\": the image's root is raw "
                    "erofs; convert the extra images to raw");
    if (vm.transport == "cross-domain")
        return fail("transport = \"cross-domain\" needs cloud-hypervisor with the virtio-gpu "
                    "patch and crosvm, which this supervisor does not run yet; use \"vsock\"");
    // The longest line either transport makes.
    const std::size_t disks = vm.images.size() + (vm.image.empty() ? 0 : 1);
    transport::GuestBoot boot{vm.cmdline, vm.app, transport::GuestLink::VirtioSerial,
                              transport::virtio_disk(disks)};
    boot.image = !vm.image.empty();
    boot.name = vm.name;
    boot.root_device = boot.image ? transport::virtio_disk(0) : "";
    boot.network = vm.network == "user";
    if (auto line = transport::guest_cmdline(boot); !line) return fail(line.error());
    return checked;
}

} // namespace spectrum::vmbridge
