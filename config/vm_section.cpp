// [vm.NAME]: one VM, its frame colour and label, how the supervisor runs it, its limits.
#include "sections.hpp"
#include "text.hpp"
#include "values.hpp"

#include <algorithm>
#include <array>
#include <format>

namespace spectrum::config::detail {

namespace {

constexpr std::array<std::string_view, 3> hypervisors{"auto", "cloud-hypervisor", "qemu"};
constexpr std::array<std::string_view, 2> transports{"vsock", "cross-domain"};
constexpr std::array<std::string_view, 3> restart_policies{"never", "on-failure", "always"};
constexpr std::array<std::string_view, 2> image_formats{"raw", "qcow2"};
constexpr std::array<std::string_view, 2> networks{"none", "user"};

constexpr std::uint64_t mib = 1ull << 20;
constexpr std::int64_t max_memory_mib = 1 << 20; // 1 TiB
constexpr std::int64_t max_cpus = 64;

Status read_label(const Value& value, VmConfig& vm) {
    const auto* text = value.node.as_string();
    if (!text || !valid_label(text->get()))
        return expected_but_got(value, std::format("a string of 1 to {} characters without "
                                                   "control characters",
                                                   max_label_code_points));
    vm.label = text->get();
    return {};
}

Status read_images(const Value& value, VmConfig& vm) {
    const auto* array = value.node.as_array();
    if (!array) return expected_but_got(value, "an array of image paths");
    for (std::size_t i = 0; i < array->size(); ++i) {
        Value item{*array->get(i), std::format("{}[{}]", value.path, i), value.file};
        auto path = read_nonempty_string(item);
        if (!path) return std::unexpected(std::move(path.error()));
        vm.images.push_back(std::move(*path));
    }
    return {};
}

// Launcher entries: shown one a line to the user, so no control characters.
Status read_apps(const Value& value, VmConfig& vm) {
    const auto* array = value.node.as_array();
    if (!array) return expected_but_got(value, "an array of command lines");
    for (std::size_t i = 0; i < array->size(); ++i) {
        Value item{*array->get(i), std::format("{}[{}]", value.path, i), value.file};
        const auto* text = item.node.as_string();
        const bool ok = text && !text->get().empty() && text->get().size() <= 256 &&
                        std::ranges::none_of(text->get(), [](unsigned char c) { return c < 0x20 || c == 0x7f; });
        if (!ok) return expected_but_got(item, "a command line of 1 to 256 bytes without control characters");
        vm.apps.push_back(text->get());
    }
    return {};
}

// An integer counts MiB; a string is a size with a unit that must come to whole MiB.
Status read_memory(const Value& value, VmConfig& vm) {
    std::optional<std::uint64_t> memory;
    if (const auto* integer = value.node.as_integer();
        integer && integer->get() >= 1 && integer->get() <= max_memory_mib)
        memory = static_cast<std::uint64_t>(integer->get());
    if (const auto* text = value.node.as_string()) {
        auto bytes = parse_byte_size(text->get());
        if (bytes && *bytes % mib == 0 && *bytes / mib >= 1 &&
            *bytes / mib <= static_cast<std::uint64_t>(max_memory_mib))
            memory = *bytes / mib;
    }
    if (!memory)
        return expected_but_got(value, std::format("MiB from 1 to {} like 512, or a size like "
                                                   "\"512M\" or \"2G\"",
                                                   max_memory_mib));
    vm.memory_mib = *memory;
    return {};
}

std::vector<Field<VmConfig>> vm_fields(std::vector<PendingLimits>& pending_limits) {
    return {
        field("color", &VmConfig::color, rgb_reader()),
        {"label", read_label},
        field("hypervisor", &VmConfig::hypervisor, choice_reader(hypervisors)),
        field("kernel", &VmConfig::kernel, string_reader()),
        field("initramfs", &VmConfig::initramfs, string_reader()),
        field("cmdline", &VmConfig::cmdline, string_reader()),
        field("app", &VmConfig::app, string_reader()),
        {"image",
         [](const Value& value, VmConfig& vm) -> Status {
             // Whether the image is declared is checked once every [image.NAME] is read.
             const auto* text = value.node.as_string();
             if (!text || !valid_vm_name(text->get()))
                 return expected_but_got(value, "an image name (\"base\" or an [image.NAME])");
             vm.image = text->get();
             return {};
         }},
        field("network", &VmConfig::network, choice_reader(networks)),
        {"apps", read_apps},
        {"images", read_images},
        field("image_format", &VmConfig::image_format, choice_reader(image_formats)),
        {"memory", read_memory},
        field("cpus", &VmConfig::cpus, integer_reader(1, max_cpus)),
        field("transport", &VmConfig::transport, choice_reader(transports)),
        field("autostart", &VmConfig::autostart, bool_reader()),
        field("restart", &VmConfig::restart, choice_reader(restart_policies)),
        field("stop_with_app", &VmConfig::stop_with_app, bool_reader()),
        field("sandbox", &VmConfig::sandbox, bool_reader()),
        {"limits",
         [&pending_limits](const Value& value, VmConfig& vm) -> Status {
             if (auto table = read_table(value); !table)
                 return std::unexpected(std::move(table.error()));
             pending_limits.push_back({vm.name, value});
             return {};
         }},
    };
}

} // namespace

Status read_vms(const Value& value, std::vector<VmConfig>& vms,
                std::vector<PendingLimits>& pending_limits) {
    auto table = read_table(value);
    if (!table) return std::unexpected(std::move(table.error()));
    const auto fields = vm_fields(pending_limits);
    for (auto [key, node] : in_file_order(**table)) {
        std::string name(key->str());
        Value entry{*node, join_path(value.path, name), value.file};
        if (name == "host")
            return fail(entry, "the name \"host\" is reserved for the host's own windows; "
                               "choose another name");
        if (!valid_vm_name(name))
            return fail(entry, std::format("invalid VM name {}: expected 1 to 32 characters "
                                           "from a-z, 0-9 and \"-\"",
                                           in_quotes(name)));
        if (!node->is_table()) return expected_but_got(entry, std::format("a table [vm.{}]", name));

        VmConfig vm;
        vm.name = name;
        vm.label = name;
        vm.line = static_cast<int>(node->source().begin.line);
        vm.column = static_cast<int>(node->source().begin.column);
        if (auto status = read_fields(entry, fields, vm); !status) return status;
        if (!node->as_table()->contains("color"))
            return fail(entry, "missing required key \"color\" (the frame colour, \"#rrggbb\")");
        if (vm.app.empty() && !vm.apps.empty()) vm.app = vm.apps.front();
        if (vm.apps.empty() && !vm.app.empty()) vm.apps.push_back(vm.app);
        vms.push_back(std::move(vm));
    }
    return {};
}

} // namespace spectrum::config::detail
