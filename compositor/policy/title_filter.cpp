#include "title_filter.hpp"

#include <algorithm>
#include <array>
#include <vector>

namespace spectrum::policy {

namespace {

struct CodePointRange {
    char32_t first, last;
};

// General category Cf (format characters), complete. Generated in the Debian 13 build root
// with Python 3.13's unicodedata (Unicode 15.1.0):
//   python3 -c 'import unicodedata as u; print([c for c in range(0x110000)
//               if u.category(chr(c)) == "Cf"])'   (then merged into ranges)
// 21 ranges, 170 code points. Includes soft hyphen, bidi marks/embeddings/overrides/isolates,
// zero-width space/joiners, word joiner and invisible operators, BOM, interlinear
// annotation, and the tag characters.
constexpr std::array<CodePointRange, 21> kFormatCharacters{{
    {0x00AD, 0x00AD},   {0x0600, 0x0605},   {0x061C, 0x061C},   {0x06DD, 0x06DD},
    {0x070F, 0x070F},   {0x0890, 0x0891},   {0x08E2, 0x08E2},   {0x180E, 0x180E},
    {0x200B, 0x200F},   {0x202A, 0x202E},   {0x2060, 0x2064},   {0x2066, 0x206F},
    {0xFEFF, 0xFEFF},   {0xFFF9, 0xFFFB},   {0x110BD, 0x110BD}, {0x110CD, 0x110CD},
    {0x13430, 0x1343F}, {0x1BCA0, 0x1BCA3}, {0x1D173, 0x1D17A}, {0xE0001, 0xE0001},
    {0xE0020, 0xE007F},
}};

// Invisible characters that are not Cf, so the category rule alone would keep them: they
// render as nothing and exist to be abused in labels.
constexpr std::array<CodePointRange, 9> kInvisibleCharacters{{
    {0x034F, 0x034F},   // combining grapheme joiner (Mn)
    {0x115F, 0x1160},   // Hangul choseong/jungseong fillers (Lo, blank)
    {0x3164, 0x3164},   // Hangul filler (Lo, blank)
    {0xFFA0, 0xFFA0},   // halfwidth Hangul filler (Lo, blank)
    {0xFE00, 0xFE0F},   // variation selectors (Mn)
    {0xE0000, 0xE007F}, // the whole tag block, unassigned members included
    {0xE0100, 0xE01EF}, // variation selectors supplement (Mn)
    // Planes 4 to 13 and the rest of plane 14 hold no assigned characters: nothing a title
    // needs, and dropping them keeps unassigned code points out without a full table.
    {0x40000, 0xDFFFF},
    {0xE0080, 0xE00FF},
}};

// Zs (space separators) other than U+0020, from the same unicodedata run.
constexpr std::array<CodePointRange, 6> kOtherSpaces{{
    {0x00A0, 0x00A0},
    {0x1680, 0x1680},
    {0x2000, 0x200A},
    {0x202F, 0x202F},
    {0x205F, 0x205F},
    {0x3000, 0x3000},
}};

template <std::size_t N> bool in_table(const std::array<CodePointRange, N>& table, char32_t cp) {
    return std::ranges::any_of(
        table, [cp](const CodePointRange& range) { return cp >= range.first && cp <= range.last; });
}

bool is_noncharacter(char32_t cp) {
    return (cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE;
}

bool is_private_use(char32_t cp) {
    return (cp >= 0xE000 && cp <= 0xF8FF) || cp >= 0xF0000;
}

} // namespace

CharDisposition classify_code_point(char32_t cp) {
    if (cp == U' ') return CharDisposition::Space;
    // Tab, line feed, vertical tab, form feed, carriage return, next line: whitespace
    // controls read as a break between words, so they become one space.
    if ((cp >= 0x09 && cp <= 0x0D) || cp == 0x85) return CharDisposition::Space;
    if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F)) return CharDisposition::Drop; // Cc
    if (cp < 0xA0) return CharDisposition::Keep;                               // plain ASCII
    if (in_table(kOtherSpaces, cp)) return CharDisposition::Space;
    if (cp == 0x2028 || cp == 0x2029) return CharDisposition::Drop; // Zl, Zp
    if (cp >= 0xD800 && cp <= 0xDFFF) return CharDisposition::Drop; // Cs
    if (cp > 0x10FFFF || is_private_use(cp) || is_noncharacter(cp)) return CharDisposition::Drop;
    if (in_table(kFormatCharacters, cp) || in_table(kInvisibleCharacters, cp))
        return CharDisposition::Drop;
    return CharDisposition::Keep;
}

std::string sanitize_text(std::string_view untrusted, std::size_t max_code_points) {
    if (max_code_points == 0) return {};

    // One more than the cap is enough to know whether to cut, so a 10 MB title costs no
    // more than a short one past that point.
    std::vector<char32_t> kept;
    kept.reserve(std::min(untrusted.size(), max_code_points) + 1);
    bool pending_space = false;
    for (std::size_t pos = 0; pos < untrusted.size() && kept.size() <= max_code_points;) {
        const auto decoded = decode_utf8_at(untrusted, pos);
        pos += decoded.length;
        switch (classify_code_point(decoded.code_point)) {
        case CharDisposition::Keep:
            // A space is only written once a character follows it: this collapses runs
            // and trims both ends in one pass.
            if (pending_space && !kept.empty()) kept.push_back(U' ');
            pending_space = false;
            if (kept.size() <= max_code_points) kept.push_back(decoded.code_point);
            break;
        case CharDisposition::Space:
            pending_space = true;
            break;
        case CharDisposition::Drop:
            break;
        }
    }

    if (kept.size() > max_code_points) {
        kept.resize(max_code_points - 1);
        // "foo …" reads worse than "foo…", and the cut must not leave a trailing space.
        while (!kept.empty() && kept.back() == U' ')
            kept.pop_back();
        kept.push_back(U'\u2026');
    }

    std::string out;
    out.reserve(kept.size() * 3);
    for (const char32_t cp : kept)
        append_utf8(out, cp);
    return out;
}

} // namespace spectrum::policy
