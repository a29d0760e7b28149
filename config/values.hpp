// The values that are strings with their own little syntax: sizes, modes, positions,
// labels. Pure functions, so the tests can reach every corner without writing TOML.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace spectrum::config::detail {

// "1048576" (bytes), "512K", "64M", "1G", "2T", or the same with "iB" ("16MiB"). Every
// multiplier is binary. nullopt for anything else, including overflow.
std::optional<std::uint64_t> parse_byte_size(std::string_view text);

struct Mode {
    int width = 0, height = 0;
    std::optional<double> refresh; // Hz
};

inline constexpr int max_mode_side = 16384;
inline constexpr double max_refresh_hz = 1000.0;

// "WIDTHxHEIGHT" or "WIDTHxHEIGHT@HZ", e.g. "1920x1080@59.94".
std::optional<Mode> parse_mode(std::string_view text);

struct Position {
    int x = 0, y = 0;
};

inline constexpr int max_position = 1'000'000;

// "X,Y" in layout coordinates, e.g. "1920,0" or "-1280,0".
std::optional<Position> parse_position(std::string_view text);

inline constexpr std::size_t max_label_code_points = 32;

// 1 to 32 code points, none of them a control character or a bidirectional override
// (which could make one VM's label read like another's).
bool valid_label(std::string_view label);

} // namespace spectrum::config::detail
