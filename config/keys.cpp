// Parsing key combinations ("Super+Shift+Return") and binding actions ("exec fuzzel").
#include "keys.hpp"

#include "text.hpp"

#include <algorithm>
#include <array>
#include <utility>
#include <xkbcommon/xkbcommon.h>

namespace spectrum::config {

namespace {

constexpr std::array<std::pair<Action, std::string_view>, 11> action_names{{
    {Action::Close, "close"},
    {Action::FocusNext, "focus-next"},
    {Action::FocusPrev, "focus-prev"},
    {Action::Terminal, "terminal"},
    {Action::Quit, "quit"},
    {Action::Maximize, "maximize"},
    {Action::Fullscreen, "fullscreen"},
    {Action::Minimize, "minimize"},
    {Action::ClipboardCopy, "clipboard-copy"},
    {Action::ClipboardPaste, "clipboard-paste"},
    {Action::Exec, "exec"},
}};

std::optional<std::uint32_t> modifier_named(std::string_view name) {
    static constexpr std::array<std::pair<std::string_view, std::uint32_t>, 8> names{{
        {"shift", ModShift},
        {"ctrl", ModCtrl},
        {"control", ModCtrl},
        {"alt", ModAlt},
        {"mod1", ModAlt},
        {"super", ModSuper},
        {"logo", ModSuper},
        {"mod4", ModSuper},
    }};
    for (auto [candidate, bit] : names)
        if (detail::equals_ignoring_case(name, candidate)) return bit;
    return std::nullopt;
}

std::optional<xkb_keysym_t> keysym_named(std::string_view name) {
    // Keysyms for printable ASCII equal the character, so "Super+," works as well as
    // "Super+comma"; xkb_keysym_from_name only knows the long names.
    if (name.size() == 1 && name[0] > ' ' && name[0] < 0x7f)
        return xkb_keysym_to_lower(static_cast<xkb_keysym_t>(name[0]));
    std::string terminated(name);
    xkb_keysym_t sym = xkb_keysym_from_name(terminated.c_str(), XKB_KEYSYM_CASE_INSENSITIVE);
    if (sym == XKB_KEY_NoSymbol) return std::nullopt;
    return xkb_keysym_to_lower(sym);
}

} // namespace

std::optional<KeyCombo> KeyCombo::parse(std::string_view text) {
    KeyCombo combo;
    std::size_t start = 0;
    while (true) {
        std::size_t plus = text.find('+', start);
        std::string_view part = detail::trim(text.substr(start, plus - start));
        if (part.empty()) return std::nullopt;
        if (plus == std::string_view::npos) {
            auto sym = keysym_named(part);
            if (!sym) return std::nullopt;
            combo.keysym = *sym;
            return combo;
        }
        auto bit = modifier_named(part);
        // A repeated modifier is almost certainly a typo for another one.
        if (!bit || (combo.modifiers & *bit)) return std::nullopt;
        combo.modifiers |= *bit;
        start = plus + 1;
    }
}

std::string_view action_name(Action action) {
    for (auto [candidate, name] : action_names)
        if (candidate == action) return name;
    return "unknown";
}

namespace detail {

std::optional<Binding> parse_action(std::string_view text) {
    std::string_view word = text.substr(0, text.find_first_of(" \t"));
    std::string_view rest = trim(text.substr(word.size()));
    for (auto [action, name] : action_names) {
        if (word != name) continue;
        // Only exec takes an argument, and it needs one.
        if ((action == Action::Exec) == rest.empty()) return std::nullopt;
        return Binding{.combo = {}, .action = action, .command = std::string(rest)};
    }
    return std::nullopt;
}

std::string_view action_list() {
    return "close, focus-next, focus-prev, terminal, quit, maximize, fullscreen, minimize, "
           "clipboard-copy, clipboard-paste, \"exec COMMAND\" or none";
}

std::vector<Binding> default_bindings() {
    static constexpr std::array<std::pair<std::string_view, Action>, 10> defaults{{
        {"Super+Return", Action::Terminal},
        {"Super+Shift+Q", Action::Close},
        {"Alt+Tab", Action::FocusNext},
        {"Alt+Shift+Tab", Action::FocusPrev},
        {"Super+Shift+E", Action::Quit},
        {"Super+M", Action::Maximize},
        {"Super+F", Action::Fullscreen},
        {"Super+H", Action::Minimize},
        {"Ctrl+Shift+C", Action::ClipboardCopy},
        {"Ctrl+Shift+V", Action::ClipboardPaste},
    }};
    std::vector<Binding> bindings;
    for (auto [combo, action] : defaults)
        bindings.push_back({.combo = *KeyCombo::parse(combo), .action = action, .command = {}});
    // The launcher: every VM and app of the config in fuzzel's menu (spectrumctl.cpp).
    bindings.push_back({.combo = *KeyCombo::parse("Super+D"), .action = Action::Exec,
                        .command = "spectrumctl launch --menu"});
    return bindings;
}

} // namespace detail

} // namespace spectrum::config
