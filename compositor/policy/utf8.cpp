#include "utf8.hpp"

#include <cstdint>

namespace spectrum::policy {

namespace {

// What a lead byte promises: how many continuation bytes follow, and the narrower range the
// first of them must fall in. The narrower range is what rules out overlongs (E0, F0),
// surrogates (ED) and values above U+10FFFF (F4) without decoding first.
struct LeadByte {
    int continuation_bytes; // -1: not a valid lead byte
    std::uint8_t first_min = 0x80, first_max = 0xBF;
    char32_t initial_bits = 0;
};

LeadByte classify_lead(std::uint8_t byte) {
    if (byte < 0x80) return {0, 0x80, 0xBF, byte};
    if (byte < 0xC2) return {-1}; // stray continuation byte, or C0/C1 (always overlong)
    if (byte < 0xE0) return {1, 0x80, 0xBF, byte & 0x1Fu};
    if (byte == 0xE0) return {2, 0xA0, 0xBF, byte & 0x0Fu};
    if (byte == 0xED) return {2, 0x80, 0x9F, byte & 0x0Fu};
    if (byte < 0xF0) return {2, 0x80, 0xBF, byte & 0x0Fu};
    if (byte == 0xF0) return {3, 0x90, 0xBF, byte & 0x07u};
    if (byte < 0xF4) return {3, 0x80, 0xBF, byte & 0x07u};
    if (byte == 0xF4) return {3, 0x80, 0x8F, byte & 0x07u};
    return {-1}; // F5..FF can only encode values above U+10FFFF
}

} // namespace

DecodedCodePoint decode_utf8_at(std::string_view text, std::size_t pos) {
    const auto lead = classify_lead(static_cast<std::uint8_t>(text[pos]));
    if (lead.continuation_bytes < 0) return {kReplacementCharacter, 1, false};

    char32_t value = lead.initial_bits;
    std::size_t length = 1;
    for (int i = 0; i < lead.continuation_bytes; ++i, ++length) {
        if (pos + length >= text.size()) return {kReplacementCharacter, length, false};
        const auto byte = static_cast<std::uint8_t>(text[pos + length]);
        const std::uint8_t min = i == 0 ? lead.first_min : 0x80;
        const std::uint8_t max = i == 0 ? lead.first_max : 0xBF;
        // The offending byte is not part of the invalid subpart: it may start the next
        // code point, so it is left for the next call.
        if (byte < min || byte > max) return {kReplacementCharacter, length, false};
        value = (value << 6) | (byte & 0x3Fu);
    }
    return {value, length, true};
}

void append_utf8(std::string& out, char32_t cp) {
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

bool is_valid_utf8(std::string_view text) {
    for (std::size_t pos = 0; pos < text.size();) {
        const auto decoded = decode_utf8_at(text, pos);
        if (!decoded.valid) return false;
        pos += decoded.length;
    }
    return true;
}

} // namespace spectrum::policy
