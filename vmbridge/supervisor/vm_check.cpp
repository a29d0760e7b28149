#include "vm_check.hpp"

#include "../transport/guest_cmdline.hpp"

#include <format>
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

std::expected<CheckedVm, config::ConfigError> check_vm(const config::Config& config,
                                                      const config::VmConfig& vm) {
    auto fail = [&](std::string what) {
        return std::unexpected(config::ConfigError{config.source, vm.line, vm.column,
                                                   std::format("[vm.{}] {}", vm.name, what)});
    };
    CheckedVm checked{vm, !vm.kernel.empty()};
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
    if (auto problem = readable_file("kernel", checked.vm.kernel)) return fail(*problem);
    if (!checked.vm.initramfs.empty())
        if (auto problem = readable_file("initramfs", checked.vm.initramfs)) return fail(*problem);
    for (std::size_t i = 0; i < checked.vm.images.size(); ++i)
        if (auto problem = readable_file(std::format("images[{}]", i), checked.vm.images[i]))
            return fail(*problem);
    if (vm.app.empty())
        return fail("has a kernel but no app; set app = \"…\", the command its guest runs");
    if (vm.transport == "cross-domain")
        return fail("transport = \"cross-domain\" needs cloud-hypervisor with the virtio-gpu "
                    "patch and crosvm, which this supervisor does not run yet; use \"vsock\"");
    // The longest line either transport makes.
    transport::GuestBoot boot{vm.cmdline, vm.app, transport::GuestLink::VirtioSerial,
                              transport::virtio_disk(vm.images.size())};
    if (auto line = transport::guest_cmdline(boot); !line) return fail(line.error());
    return checked;
}

} // namespace spectrum::vmbridge
