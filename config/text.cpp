#include "text.hpp"

#include <algorithm>
#include <format>

namespace spectrum::config::detail {

namespace {

constexpr std::size_t quoted_max_bytes = 60;

char lower(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool is_continuation(char c) {
    return (static_cast<unsigned char>(c) & 0xc0) == 0x80;
}

} // namespace

std::string_view trim(std::string_view text) {
    auto space = [](char c) { return c == ' ' || c == '\t'; };
    while (!text.empty() && space(text.front()))
        text.remove_prefix(1);
    while (!text.empty() && space(text.back()))
        text.remove_suffix(1);
    return text;
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
    return std::ranges::equal(a, b, [](char x, char y) { return lower(x) == lower(y); });
}

std::string in_quotes(std::string_view text) {
    std::string_view shown = text;
    if (shown.size() > quoted_max_bytes) {
        std::size_t cut = quoted_max_bytes;
        while (cut > 0 && is_continuation(shown[cut]))
            --cut;
        shown = shown.substr(0, cut);
    }
    std::string out = "\"";
    for (char c : shown) {
        auto byte = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\t') {
            out += "\\t";
        } else if (byte < 0x20 || byte == 0x7f) {
            out += std::format("\\u{:04x}", byte);
        } else {
            out += c;
        }
    }
    out += shown.size() < text.size() ? "\"…" : "\"";
    return out;
}

} // namespace spectrum::config::detail
