// [keys]: "COMBO" = "ACTION" entries merged over the default bindings.
#include "keys.hpp"
#include "sections.hpp"
#include "text.hpp"

#include <algorithm>
#include <format>

namespace spectrum::config::detail {

namespace {

struct SeenCombo {
    KeyCombo combo;
    std::string text;
    std::uint32_t line;
};

} // namespace

Status read_keys(const Value& value, std::vector<Binding>& bindings) {
    auto table = read_table(value);
    if (!table) return std::unexpected(std::move(table.error()));
    std::vector<SeenCombo> seen;
    for (auto [key, node] : in_file_order(**table)) {
        Value entry{*node, join_path(value.path, key->str()), value.file};
        auto key_error = [&](std::string message) {
            return std::unexpected(
                error_at(value.file, key->source(), std::format("{}: {}", entry.path, message)));
        };

        auto combo = KeyCombo::parse(key->str());
        if (!combo)
            return key_error(
                "expected a key combination like \"Super+Shift+Return\" (modifiers Shift, Ctrl, "
                "Alt, Super and an XKB key name)");
        if ((combo->modifiers & ~std::uint32_t{ModShift}) == 0)
            return key_error("a binding needs Ctrl, Alt or Super, or it would take the key away "
                             "from typing");
        auto same = std::ranges::find(seen, *combo, &SeenCombo::combo);
        if (same != seen.end())
            return key_error(
                std::format("the same keys as {} on line {}", in_quotes(same->text), same->line));
        seen.push_back({*combo, std::string(key->str()), key->source().begin.line});

        auto text = read_string(entry);
        if (!text) return std::unexpected(std::move(text.error()));
        auto bound = std::ranges::find(bindings, *combo, &Binding::combo);
        if (*text == unbind_action) {
            if (bound != bindings.end()) bindings.erase(bound);
            continue;
        }
        auto binding = parse_action(*text);
        if (!binding) return expected_but_got(entry, std::format("one of {}", action_list()));
        binding->combo = *combo;
        if (bound != bindings.end())
            *bound = std::move(*binding);
        else
            bindings.push_back(std::move(*binding));
    }
    return {};
}

} // namespace spectrum::config::detail
