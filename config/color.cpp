// Colours as written in the config: "#rrggbb", optionally with "aa" for alpha.
#include "config.hpp"

#include <format>

namespace spectrum::config {

namespace {

std::optional<std::uint8_t> hex_byte(std::string_view two) {
    auto digit = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    int high = digit(two[0]), low = digit(two[1]);
    if (high < 0 || low < 0) return std::nullopt;
    return static_cast<std::uint8_t>(high * 16 + low);
}

} // namespace

std::optional<Color> Color::parse(std::string_view text) {
    if ((text.size() != 7 && text.size() != 9) || text[0] != '#') return std::nullopt;
    std::uint8_t channels[4] = {0, 0, 0, 255};
    for (std::size_t i = 0; i * 2 + 1 < text.size(); ++i) {
        auto byte = hex_byte(text.substr(1 + i * 2, 2));
        if (!byte) return std::nullopt;
        channels[i] = *byte;
    }
    return Color{channels[0], channels[1], channels[2], channels[3]};
}

std::string Color::hex() const {
    return std::format("#{:02x}{:02x}{:02x}", r, g, b);
}

} // namespace spectrum::config
