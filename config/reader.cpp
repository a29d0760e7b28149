#include "reader.hpp"

#include "text.hpp"
#include "values.hpp"

#include <format>

namespace spectrum::config::detail {

namespace {

bool is_bare_key(std::string_view key) {
    return !key.empty() && std::ranges::all_of(key, [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_' || c == '-';
    });
}

std::string join(const std::vector<std::string_view>& words) {
    std::string out;
    for (auto word : words)
        out += (out.empty() ? "" : ", ") + std::string(word);
    return out;
}

// "4.0", not "4": the float is the mistake when an integer was expected.
std::string describe_float(double number) {
    std::string text = std::format("{}", number);
    if (text.find_first_of(".ein") == std::string::npos) text += ".0";
    return text;
}

bool is_table_like(const toml::node& node) {
    return node.is_table() || node.is_array_of_tables();
}

} // namespace

ConfigError error_at(std::string_view file, const toml::source_region& where, std::string message) {
    return ConfigError{.file = std::string(file),
                       .line = static_cast<int>(where.begin.line),
                       .column = static_cast<int>(where.begin.column),
                       .message = std::move(message)};
}

std::unexpected<ConfigError> fail(const Value& value, std::string_view what) {
    return std::unexpected(
        error_at(value.file, value.node.source(), std::format("{}: {}", value.path, what)));
}

std::unexpected<ConfigError> expected_but_got(const Value& value, std::string_view wanted) {
    return fail(value, std::format("expected {}, got {}", wanted, describe(value.node)));
}

std::unexpected<ConfigError> unknown_key(const Value& table, const toml::key& key,
                                         const toml::node& node,
                                         const std::vector<std::string_view>& known) {
    return std::unexpected(
        error_at(table.file, key.source(),
                 std::format("{}: unknown {}; expected one of {}", join_path(table.path, key.str()),
                             is_table_like(node) ? "table" : "key", join(known))));
}

std::string describe(const toml::node& node) {
    switch (node.type()) {
    case toml::node_type::string:
        return in_quotes(node.as_string()->get());
    case toml::node_type::integer:
        return std::format("{}", node.as_integer()->get());
    case toml::node_type::floating_point:
        return describe_float(node.as_floating_point()->get());
    case toml::node_type::boolean:
        return node.as_boolean()->get() ? "true" : "false";
    case toml::node_type::table:
        return "a table";
    case toml::node_type::array:
        return "an array";
    case toml::node_type::date:
        return "a date";
    case toml::node_type::time:
        return "a time";
    case toml::node_type::date_time:
        return "a date-time";
    case toml::node_type::none:
        break;
    }
    return "nothing";
}

std::string join_path(std::string_view parent, std::string_view key) {
    std::string shown = is_bare_key(key) ? std::string(key) : in_quotes(key);
    return parent.empty() ? shown : std::format("{}.{}", parent, shown);
}

std::vector<std::pair<const toml::key*, const toml::node*>>
in_file_order(const toml::table& table) {
    std::vector<std::pair<const toml::key*, const toml::node*>> entries;
    for (auto&& [key, node] : table)
        entries.emplace_back(&key, &node);
    std::ranges::sort(entries, {}, [](const auto& entry) {
        const auto& begin = entry.first->source().begin;
        return std::pair(begin.line, begin.column);
    });
    return entries;
}

Result<const toml::table*> read_table(const Value& value) {
    if (const auto* table = value.node.as_table()) return table;
    return expected_but_got(value, "a table");
}

Result<std::string> read_string(const Value& value) {
    if (const auto* text = value.node.as_string()) return text->get();
    return expected_but_got(value, "a string");
}

Result<std::string> read_nonempty_string(const Value& value) {
    const auto* text = value.node.as_string();
    if (text && !text->get().empty()) return text->get();
    return expected_but_got(value, "a non-empty string");
}

Result<bool> read_bool(const Value& value) {
    if (const auto* flag = value.node.as_boolean()) return flag->get();
    return expected_but_got(value, "true or false");
}

Result<std::int64_t> read_integer(const Value& value, std::int64_t min, std::int64_t max) {
    const auto* number = value.node.as_integer();
    if (number && number->get() >= min && number->get() <= max) return number->get();
    return expected_but_got(value, std::format("an integer from {} to {}", min, max));
}

Result<double> read_number(const Value& value, double min, double max) {
    std::optional<double> number;
    if (const auto* integer = value.node.as_integer()) number = static_cast<double>(integer->get());
    if (const auto* floating = value.node.as_floating_point()) number = floating->get();
    // Written so that NaN fails too.
    if (number && *number >= min && *number <= max) return *number;
    return expected_but_got(value, std::format("a number from {} to {}", min, max));
}

Result<Color> read_rgb(const Value& value) {
    // "#rrggbbaa" is refused here: a see-through frame would blur whose window it is.
    const auto* text = value.node.as_string();
    if (text && text->get().size() == 7)
        if (auto color = Color::parse(text->get())) return *color;
    return expected_but_got(value, "\"#rrggbb\"");
}

Result<std::string> read_choice(const Value& value, std::span<const std::string_view> choices) {
    const auto* text = value.node.as_string();
    if (text && std::ranges::find(choices, std::string_view(text->get())) != choices.end())
        return text->get();
    std::string wanted;
    for (auto choice : choices)
        wanted += (wanted.empty() ? "" : ", ") + in_quotes(choice);
    return expected_but_got(value, std::format("one of {}", wanted));
}

Result<std::uint64_t> read_positive_byte_size(const Value& value) {
    std::optional<std::uint64_t> bytes;
    if (const auto* integer = value.node.as_integer(); integer && integer->get() > 0)
        bytes = static_cast<std::uint64_t>(integer->get());
    if (const auto* text = value.node.as_string()) bytes = parse_byte_size(text->get());
    if (bytes && *bytes > 0) return *bytes;
    return expected_but_got(
        value, "a positive number of bytes or a size like \"512K\", \"64M\", \"1G\" or \"16MiB\"");
}

} // namespace spectrum::config::detail
