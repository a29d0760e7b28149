// Filtering of text a VM controls (window titles, app ids) before the compositor draws it.
//
// A VM must not be able to make its label lie: no bidi overrides that reorder "[vm]", no
// zero-width or invisible characters, no line breaks, no unbounded length.
#pragma once

#include "utf8.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace spectrum::policy {

// What one code point becomes in a filtered title.
enum class CharDisposition {
    Keep,  // letters, marks, numbers, punctuation, symbols
    Space, // any space or whitespace control; runs collapse to one U+0020
    Drop,  // controls, format characters, separators, private use, noncharacters
};

CharDisposition classify_code_point(char32_t code_point);

// Decodes `untrusted` strictly (each maximal invalid subpart becomes U+FFFD), keeps only
// allowed characters, maps spaces to U+0020, collapses runs of spaces, trims both ends and
// caps the result at `max_code_points` code points: a longer result is cut to
// max_code_points - 1 and ends in "…" (U+2026). A cap of 0 yields "". Always valid UTF-8.
std::string sanitize_text(std::string_view untrusted, std::size_t max_code_points);

} // namespace spectrum::policy
