// Key bindings: the actions a binding can name and the bindings every session starts with.
// Internal to the config library (and its tests).
#pragma once

#include "config.hpp"

#include <optional>
#include <string_view>
#include <vector>

namespace spectrum::config::detail {

// What "none" means in [keys]: drop the binding for that combination.
inline constexpr std::string_view unbind_action = "none";

// "close", "focus-next", … or "exec COMMAND". Binding::combo is left empty.
std::optional<Binding> parse_action(std::string_view text);

// Every action name a user may write, for error messages.
std::string_view action_list();

// Super+Return terminal, Super+Shift+Q close, Alt+Tab focus-next, … (see config/spectrum.toml).
std::vector<Binding> default_bindings();

} // namespace spectrum::config::detail
