// [[output]]: mode, scale, position and on/off for one connector, or all of them ("*").
#include "sections.hpp"
#include "values.hpp"

#include <format>

namespace spectrum::config::detail {

namespace {

constexpr double min_scale = 0.25, max_scale = 8.0;

Status read_mode(const Value& value, OutputConfig& output) {
    const auto* text = value.node.as_string();
    auto mode = text ? parse_mode(text->get()) : std::nullopt;
    if (!mode)
        return expected_but_got(
            value, std::format("\"WIDTHxHEIGHT\" or \"WIDTHxHEIGHT@HZ\" like \"1920x1080@60\" "
                               "(sides up to {}, rate up to {} Hz)",
                               max_mode_side, max_refresh_hz));
    output.width = mode->width;
    output.height = mode->height;
    output.refresh = mode->refresh;
    return {};
}

Status read_scale(const Value& value, OutputConfig& output) {
    auto scale = read_number(value, min_scale, max_scale);
    if (!scale) return std::unexpected(std::move(scale.error()));
    output.scale = *scale;
    return {};
}

Status read_position(const Value& value, OutputConfig& output) {
    const auto* text = value.node.as_string();
    auto position = text ? parse_position(text->get()) : std::nullopt;
    if (!position)
        return expected_but_got(value, std::format("\"X,Y\" like \"1920,0\" (each from {} to {})",
                                                   -max_position, max_position));
    output.x = position->x;
    output.y = position->y;
    return {};
}

std::vector<Field<OutputConfig>> output_fields() {
    return {
        field("name", &OutputConfig::name, nonempty_string_reader()),
        {"mode", read_mode},
        {"scale", read_scale},
        {"position", read_position},
        field("enabled", &OutputConfig::enabled, bool_reader()),
    };
}

} // namespace

Status read_outputs(const Value& value, std::vector<OutputConfig>& outputs) {
    const auto* array = value.node.as_array();
    if (!array) return expected_but_got(value, "[[output]] tables");
    const auto fields = output_fields();
    for (std::size_t i = 0; i < array->size(); ++i) {
        OutputConfig output;
        Value item{*array->get(i), std::format("{}[{}]", value.path, i), value.file};
        if (auto status = read_fields(item, fields, output); !status) return status;
        outputs.push_back(std::move(output));
    }
    return {};
}

} // namespace spectrum::config::detail
