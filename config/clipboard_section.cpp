// [clipboard]: the wipe, the timeouts, the MIME allow-list and the transfer rules.
#include "sections.hpp"

#include <array>
#include <format>

namespace spectrum::config::detail {

namespace {

constexpr std::size_t max_mime_types = 64;
constexpr std::size_t max_mime_length = 255;
constexpr std::size_t max_pattern_length = 64;

// A MIME type as clients spell it: printable ASCII, no blanks at the ends.
bool valid_mime(std::string_view mime) {
    if (mime.empty() || mime.size() > max_mime_length || mime.front() == ' ' || mime.back() == ' ')
        return false;
    return std::ranges::all_of(mime, [](char c) { return c >= ' ' && c < 0x7f; });
}

Status read_mime_types(const Value& value, ClipboardConfig& clipboard) {
    const auto* array = value.node.as_array();
    if (!array) return expected_but_got(value, "an array of MIME types");
    if (array->size() > max_mime_types)
        return fail(value, std::format("at most {} MIME types", max_mime_types));
    clipboard.mime_types.clear();
    for (std::size_t i = 0; i < array->size(); ++i) {
        Value item{*array->get(i), std::format("{}[{}]", value.path, i), value.file};
        const auto* text = item.node.as_string();
        if (!text || !valid_mime(text->get()))
            return expected_but_got(item, "a MIME type like \"image/png\" (printable ASCII)");
        clipboard.mime_types.push_back(text->get());
    }
    return {};
}

// A VM name, "host", or a pattern of them with "*" and "?".
bool valid_pattern(std::string_view pattern) {
    return !pattern.empty() && pattern.size() <= max_pattern_length &&
           std::ranges::all_of(pattern, [](char c) {
               return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '*' || c == '?';
           });
}

auto pattern_reader() {
    return [](const Value& value) -> Result<std::string> {
        const auto* text = value.node.as_string();
        if (text && valid_pattern(text->get())) return text->get();
        return expected_but_got(value, "a VM name, \"host\" or a pattern like \"work-*\" (a-z, 0-9, "
                                       "\"-\", \"*\", \"?\")");
    };
}

constexpr std::array<std::string_view, 3> action_names{"allow", "deny", "confirm"};

Status read_action(const Value& value, ClipboardRule& rule) {
    auto name = read_choice(value, action_names);
    if (!name) return std::unexpected(std::move(name.error()));
    rule.action = *name == "deny"      ? TransferAction::Deny
                  : *name == "confirm" ? TransferAction::Confirm
                                       : TransferAction::Allow;
    return {};
}

Status read_rules(const Value& value, ClipboardConfig& clipboard) {
    const auto* array = value.node.as_array();
    if (!array || !array->is_array_of_tables())
        return expected_but_got(value, "[[clipboard.rule]] tables");
    const std::vector<Field<ClipboardRule>> fields{
        field("from", &ClipboardRule::from, pattern_reader()),
        field("to", &ClipboardRule::to, pattern_reader()),
        {"action", read_action},
    };
    for (std::size_t i = 0; i < array->size(); ++i) {
        Value item{*array->get(i), std::format("{}[{}]", value.path, i), value.file};
        ClipboardRule rule;
        if (auto status = read_fields(item, fields, rule); !status) return status;
        // A rule without an action would silently allow: make the intent explicit.
        if (!item.node.as_table()->contains("action"))
            return fail(item, "needs action = \"allow\", \"deny\" or \"confirm\"");
        clipboard.rules.push_back(std::move(rule));
    }
    return {};
}

} // namespace

std::vector<Field<ClipboardConfig>> clipboard_fields() {
    return {
        field("wipe_after_paste", &ClipboardConfig::wipe_after_paste, bool_reader()),
        field("timeout_ms", &ClipboardConfig::timeout_ms, integer_reader(100, 600'000)),
        field("notice_ms", &ClipboardConfig::notice_ms, integer_reader(500, 60'000)),
        field("confirm_ms", &ClipboardConfig::confirm_ms, integer_reader(1000, 600'000)),
        {"mime_types", read_mime_types},
        {"rule", read_rules},
    };
}

} // namespace spectrum::config::detail
