// The top level of the config file, [keyboard], and parse() tying every section together.
#include "keys.hpp"
#include "sections.hpp"

#include <algorithm>
#include <format>

namespace spectrum::config {

namespace {

using namespace detail;

std::vector<Field<KeyboardConfig>> keyboard_fields() {
    return {
        field("rules", &KeyboardConfig::rules, string_reader()),
        field("model", &KeyboardConfig::model, string_reader()),
        field("layout", &KeyboardConfig::layout, string_reader()),
        field("variant", &KeyboardConfig::variant, string_reader()),
        field("options", &KeyboardConfig::options, string_reader()),
        field("repeat_rate", &KeyboardConfig::repeat_rate, integer_reader(0, 1000)),
        field("repeat_delay", &KeyboardConfig::repeat_delay, integer_reader(0, 10000)),
    };
}

// A field holding a whole table read with `fields` into `out.*member`.
template <class T, class Section>
Field<T> section(std::string_view key, Section T::*member, std::vector<Field<Section>> fields) {
    return {key, [member, fields = std::move(fields)](const Value& value, T& out) {
                return read_fields(value, fields, out.*member);
            }};
}

std::vector<Field<Config>> top_level_fields(std::vector<PendingLimits>& pending_limits) {
    return {
        field("background", &Config::background, rgb_reader()),
        field("host_frame", &Config::host_frame, rgb_reader()),
        field("border_width", &Config::border_width, integer_reader(0, 64)),
        field("title_height", &Config::title_height, integer_reader(12, 64)),
        field("font", &Config::font, nonempty_string_reader()),
        field("terminal", &Config::terminal, nonempty_string_reader()),
        field("cursor_theme", &Config::cursor_theme, string_reader()),
        field("cursor_size", &Config::cursor_size, integer_reader(8, 256)),
        field("state_dir", &Config::state_dir, nonempty_string_reader()),
        field("image_dir", &Config::image_dir, nonempty_string_reader()),
        field("frame_pacing", &Config::frame_pacing, bool_reader()),
        section("keyboard", &Config::keyboard, keyboard_fields()),
        {"output", [](const Value& v, Config& c) { return read_outputs(v, c.outputs); }},
        {"keys", [](const Value& v, Config& c) { return read_keys(v, c.bindings); }},
        section("limits", &Config::limits, limits_fields()),
        section("clipboard", &Config::clipboard, clipboard_fields()),
        {"image", [](const Value& v, Config& c) { return read_image_tables(v, c.images); }},
        {"vm", [&pending_limits](const Value& v,
                                 Config& c) { return read_vms(v, c.vms, pending_limits); }},
    };
}

ConfigError syntax_error(const toml::parse_error& error, std::string_view source_name) {
    std::string message(error.description());
    if (!message.empty() && message[0] >= 'A' && message[0] <= 'Z') message[0] += 'a' - 'A';
    std::ranges::replace(message, '\n', ' ');
    return error_at(source_name, error.source(), std::format("invalid TOML: {}", message));
}

} // namespace

std::expected<Config, ConfigError> parse(std::string_view text, std::string_view source_name) {
    toml::table document;
    try {
        document = toml::parse(text, std::string(source_name));
    } catch (const toml::parse_error& error) {
        return std::unexpected(syntax_error(error, source_name));
    }

    Config config;
    config.source = source_name;
    config.bindings = default_bindings();
    std::vector<PendingLimits> pending_limits;
    if (auto status =
            read_fields(Value{document, "", source_name}, top_level_fields(pending_limits), config);
        !status)
        return std::unexpected(std::move(status.error()));

    for (auto& vm : config.vms)
        vm.limits = config.limits;
    for (const auto& pending : pending_limits) {
        auto vm = std::ranges::find(config.vms, pending.vm_name, &VmConfig::name);
        if (auto status = read_fields(pending.value, limits_fields(), vm->limits); !status)
            return std::unexpected(std::move(status.error()));
    }
    std::ranges::sort(config.vms, {}, &VmConfig::name);
    std::ranges::sort(config.images, {}, &ImageConfig::name);

    // [vm.NAME] image = "X" needs an [image.X], which may come anywhere in the file.
    for (const auto& vm : config.vms) {
        if (vm.image.empty() || config.find_image(vm.image)) continue;
        const toml::node* node = document["vm"][vm.name]["image"].node();
        std::string names{base_image_name};
        for (const auto& image : config.images)
            names += ", " + image.name;
        return std::unexpected(error_at(
            source_name, node->source(),
            std::format("vm.{}.image: no image named \"{}\" (declared: {}); add an [image.{}] "
                        "table with its packages",
                        vm.name, vm.image, names, vm.image)));
    }
    return config;
}

} // namespace spectrum::config
