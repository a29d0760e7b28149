// Which names may appear inside a store archive, checked before anything is written.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace spectrum::vmbridge::store {

inline constexpr std::string_view kConfigEntry = "config/spectrum.toml";
inline constexpr std::string_view kManifestEntry = "MANIFEST";
inline constexpr std::string_view kStatePrefix = "state/";

// Why `path` may not name an entry of a store archive, or nothing when it may. Allowed:
// kConfigEntry, kManifestEntry, and relative paths below state/ made only of plain
// components (no empty, "." or ".." component, no control character, no leading '/').
std::optional<std::string> entry_path_problem(std::string_view path);

// For a path below state/: how many components follow "state/" ("state/web/a" → 2).
std::size_t state_depth(std::string_view state_path);

// For a path below state/: its VM, the first component after "state/".
std::string_view vm_of(std::string_view state_path);

// Everything before the last '/': "state/web/a" → "state/web".
std::string_view parent_of(std::string_view path);

// `path` with control characters shown as '?', so an error about it stays on one line.
std::string printable(std::string_view path);

} // namespace spectrum::vmbridge::store
