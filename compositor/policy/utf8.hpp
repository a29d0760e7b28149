// Strict UTF-8 decoding and encoding for text that arrives from VMs.
//
// Follows the Unicode Standard, section 3.9 (table 3-7, well-formed byte sequences) and its
// "substitution of maximal subparts" practice: every maximal invalid subpart becomes exactly
// one U+FFFD, so overlongs, surrogates, values above U+10FFFF and truncated sequences never
// survive as themselves and never swallow the valid bytes that follow them.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace spectrum::policy {

inline constexpr char32_t kReplacementCharacter = U'\uFFFD';

struct DecodedCodePoint {
    char32_t code_point; // U+FFFD when `valid` is false
    std::size_t length;  // bytes consumed, at least 1 while input remains
    bool valid;
};

// Decodes the code point starting at `text[pos]`; `pos` must be < text.size().
DecodedCodePoint decode_utf8_at(std::string_view text, std::size_t pos);

// Appends the UTF-8 encoding of a Unicode scalar value (not a surrogate, <= U+10FFFF).
void append_utf8(std::string& out, char32_t code_point);

bool is_valid_utf8(std::string_view text);

} // namespace spectrum::policy
