#include "values.hpp"

#include "text.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <limits>
#include <string_view>
#include <utility>

namespace spectrum::config::detail {

namespace {

// The whole of `text` as a number, or nullopt: "12abc" is not 12.
template <class Number> std::optional<Number> whole_number(std::string_view text) {
    Number value{};
    const char* end = text.data() + text.size();
    auto [stop, error] = std::from_chars(text.data(), end, value);
    if (text.empty() || error != std::errc{} || stop != end) return std::nullopt;
    return value;
}

// Decodes one code point of valid UTF-8 and advances `at` past it.
char32_t next_code_point(std::string_view text, std::size_t& at) {
    auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    unsigned char lead = byte(at);
    int extra = lead < 0x80 ? 0 : lead < 0xe0 ? 1 : lead < 0xf0 ? 2 : 3;
    char32_t cp = extra == 0 ? lead : lead & (0x3f >> extra);
    for (int i = 1; i <= extra && at + i < text.size(); ++i)
        cp = (cp << 6) | (byte(at + i) & 0x3f);
    at += static_cast<std::size_t>(extra) + 1;
    return cp;
}

bool is_control_or_override(char32_t cp) {
    return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)         // C0, DEL, C1
           || cp == 0x061c || cp == 0x200e || cp == 0x200f // bidi marks
           || (cp >= 0x202a && cp <= 0x202e)               // bidi embeddings and overrides
           || (cp >= 0x2066 && cp <= 0x2069)               // bidi isolates
           || cp == 0x2028 || cp == 0x2029;                // line and paragraph separators
}

} // namespace

std::optional<std::uint64_t> parse_byte_size(std::string_view text) {
    static constexpr std::array<std::pair<std::string_view, std::uint64_t>, 9> units{{
        {"", 1},
        {"K", 1ull << 10},
        {"KiB", 1ull << 10},
        {"M", 1ull << 20},
        {"MiB", 1ull << 20},
        {"G", 1ull << 30},
        {"GiB", 1ull << 30},
        {"T", 1ull << 40},
        {"TiB", 1ull << 40},
    }};
    std::size_t digits = text.find_first_not_of("0123456789");
    if (digits == std::string_view::npos) digits = text.size();
    auto count = whole_number<std::uint64_t>(text.substr(0, digits));
    if (!count) return std::nullopt;
    for (auto [unit, multiplier] : units) {
        if (text.substr(digits) != unit) continue;
        if (*count > std::numeric_limits<std::uint64_t>::max() / multiplier) return std::nullopt;
        return *count * multiplier;
    }
    return std::nullopt;
}

std::optional<Mode> parse_mode(std::string_view text) {
    std::size_t x = text.find('x');
    if (x == std::string_view::npos) return std::nullopt;
    std::size_t at = text.find('@', x);
    auto width = whole_number<int>(text.substr(0, x));
    auto height =
        whole_number<int>(text.substr(x + 1, at == std::string_view::npos ? at : at - x - 1));
    if (!width || !height || *width < 1 || *height < 1 || *width > max_mode_side ||
        *height > max_mode_side)
        return std::nullopt;
    Mode mode{.width = *width, .height = *height, .refresh = std::nullopt};
    if (at != std::string_view::npos) {
        auto hz = whole_number<double>(text.substr(at + 1));
        if (!hz || !std::isfinite(*hz) || *hz <= 0 || *hz > max_refresh_hz) return std::nullopt;
        mode.refresh = *hz;
    }
    return mode;
}

std::optional<Position> parse_position(std::string_view text) {
    std::size_t comma = text.find(',');
    if (comma == std::string_view::npos) return std::nullopt;
    auto x = whole_number<int>(trim(text.substr(0, comma)));
    auto y = whole_number<int>(trim(text.substr(comma + 1)));
    auto in_range = [](int v) { return v >= -max_position && v <= max_position; };
    if (!x || !y || !in_range(*x) || !in_range(*y)) return std::nullopt;
    return Position{.x = *x, .y = *y};
}

bool valid_label(std::string_view label) {
    std::size_t count = 0;
    for (std::size_t at = 0; at < label.size(); ++count)
        if (is_control_or_override(next_code_point(label, at))) return false;
    return count >= 1 && count <= max_label_code_points;
}

} // namespace spectrum::config::detail
