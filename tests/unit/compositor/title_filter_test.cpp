#include "title_filter.hpp"

#include <cstdint>
#include <gtest/gtest.h>
#include <random>
#include <string>
#include <vector>

namespace spectrum::policy {
namespace {

constexpr std::size_t kCap = 128; // the config's default title_length

std::string clean(std::string_view text) {
    return sanitize_text(text, kCap);
}

std::u32string code_points(std::string_view utf8) {
    std::u32string out;
    for (std::size_t pos = 0; pos < utf8.size();) {
        const auto decoded = decode_utf8_at(utf8, pos);
        out.push_back(decoded.code_point);
        pos += decoded.length;
    }
    return out;
}

// The properties every filtered title has, whatever went in.
void expect_well_formed(const std::string& out, std::size_t cap) {
    ASSERT_TRUE(is_valid_utf8(out));
    const auto cps = code_points(out);
    EXPECT_LE(cps.size(), cap);
    if (cps.empty()) return;
    EXPECT_NE(cps.front(), U' ');
    EXPECT_NE(cps.back(), U' ');
    for (std::size_t i = 0; i < cps.size(); ++i) {
        // Inside the title the only space left is U+0020; everything else must be kept.
        if (cps[i] != U' ') {
            EXPECT_EQ(classify_code_point(cps[i]), CharDisposition::Keep)
                << "U+" << std::hex << static_cast<std::uint32_t>(cps[i]) << " at " << std::dec
                << i;
        }
        if (i > 0) {
            EXPECT_FALSE(cps[i] == U' ' && cps[i - 1] == U' ') << "double space at " << i;
        }
    }
}

TEST(TitleFilter, OrdinaryTitlesPassUnchanged) {
    EXPECT_EQ(clean("Firefox"), "Firefox");
    EXPECT_EQ(clean("~/src: vim main.cpp (+) [1/3] 100% #tag @me $5 {x}"),
              "~/src: vim main.cpp (+) [1/3] 100% #tag @me $5 {x}");
    EXPECT_EQ(clean("Inbox — Thunderbird"), "Inbox — Thunderbird");
}

TEST(TitleFilter, KeepsLettersMarksNumbersAndSymbolsOfAnyScript) {
    for (const char* title :
         {"Привет, мир", "日本語のタイトル", "مرحبا بالعالم", "שלום", "नमस्ते", "e\u0301te\u0301",
          "\u00BD \u2153 \u0663", "\U0001F600 \u2764 \u20AC \u00A9", "\U00020000\U0002A6D6"}) {
        EXPECT_EQ(clean(title), title);
    }
}

TEST(TitleFilter, RightToLeftOverrideCannotReorderTheLabel) {
    // Shown after "[vm] ", U+202E would make "der]" render as "]red" and read like part of
    // a forged label; without the override it is plain text in logical order.
    EXPECT_EQ(clean("\u202Eder]"), "der]");
    EXPECT_EQ(clean("\u202E ]der[ \u202Cmail"), "]der[ mail");
    EXPECT_EQ(clean("\u2067[red] \u2069bank"), "[red] bank");
    EXPECT_EQ(clean("[red]\u200F\u061C\u200E title"), "[red] title");
}

TEST(TitleFilter, DropsEveryBidiControl) {
    for (char32_t cp : {0x061C, 0x200E, 0x200F, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066,
                        0x2067, 0x2068, 0x2069}) {
        std::string title = "a";
        append_utf8(title, cp);
        title += "b";
        EXPECT_EQ(clean(title), "ab") << std::hex << static_cast<std::uint32_t>(cp);
    }
}

TEST(TitleFilter, DropsZeroWidthAndInvisibleCharactersBetweenLetters) {
    EXPECT_EQ(clean("p\u200Ba\u200Cy\u200Dp\u2060a\uFEFFl"), "paypal");
    EXPECT_EQ(clean("ad\u00ADmin\u034Fis\u180Etra\u2061tor\u2064"), "administrator");
    EXPECT_EQ(clean("\u2764\uFE0F \u845B\U000E0100"), "\u2764 \u845B");
    // An emoji tag sequence (a subdivision flag) loses its tags.
    EXPECT_EQ(clean("\U0001F3F4\U000E0067\U000E0062\U000E0073\U000E0063\U000E0074\U000E007F"),
              "\U0001F3F4");
    EXPECT_EQ(clean("\u3164\uFFA0\u115F\u1160"), "");
    // A title made of nothing visible is empty, not a string of invisible characters.
    EXPECT_EQ(clean("\u200B\u200B\u2060\uFEFF"), "");
}

TEST(TitleFilter, DropsEveryFormatCharacterRange) {
    // One member of each Cf range in the table, including the rarely thought of ones.
    for (char32_t cp : {0x00AD,  0x0600,  0x0605,  0x06DD,  0x070F,  0x0890,  0x08E2,
                        0x206A,  0x206F,  0xFFF9,  0xFFFB,  0x110BD, 0x110CD, 0x13430,
                        0x1343F, 0x1BCA0, 0x1D173, 0x1D17A, 0xE0001, 0xE0020, 0xE007F}) {
        EXPECT_EQ(classify_code_point(cp), CharDisposition::Drop)
            << std::hex << static_cast<std::uint32_t>(cp);
    }
}

TEST(TitleFilter, LineBreaksAndTabsBecomeOneSpace) {
    EXPECT_EQ(clean("line1\nline2\r\n\tline3\vline4\fline5"), "line1 line2 line3 line4 line5");
    EXPECT_EQ(clean("title\n\n\n[host] fake second line"), "title [host] fake second line");
    EXPECT_EQ(clean("a\xC2\x85"
                    "b"),
              "a b"); // NEL
}

TEST(TitleFilter, LineAndParagraphSeparatorsAreDropped) {
    EXPECT_EQ(clean("a\u2028b\u2029c"), "abc");
}

TEST(TitleFilter, OtherSpacesMapToPlainSpace) {
    EXPECT_EQ(clean("a\u00A0b\u2003c\u3000d\u202Fe\u205Ff\u1680g\u2000h\u200Ai"),
              "a b c d e f g h i");
}

TEST(TitleFilter, CollapsesSpaceRunsAndTrimsBothEnds) {
    EXPECT_EQ(clean("   spaced    out\t \n title  "), "spaced out title");
    EXPECT_EQ(clean("a \u200B b"), "a b"); // a dropped character does not split a space run
    EXPECT_EQ(clean(" \t\n\u00A0 "), "");
    EXPECT_EQ(clean(""), "");
}

TEST(TitleFilter, DropsControlCharacters) {
    EXPECT_EQ(clean(std::string_view("a\0b", 3)), "ab");
    EXPECT_EQ(clean("a\x01\x1B[31mred\x7F\xC2\x9B"
                    "b\xC2\x80\xC2\x9F"),
              "a[31mredb");
}

TEST(TitleFilter, DropsPrivateUseAndNoncharacters) {
    EXPECT_EQ(clean("a\uE000b\uF8FFc\U000F0000d\U0010FFFDe"), "abcde");
    EXPECT_EQ(clean("x\uFDD0\uFDEF\uFFFE\uFFFF\U0001FFFE\U0001FFFF\U0010FFFFy"), "xy");
    // Whole planes with nothing assigned.
    EXPECT_EQ(clean("x\U00040000\U000DFFFDy"), "xy");
}

TEST(TitleFilter, InvalidUtf8BecomesReplacementCharacters) {
    EXPECT_EQ(clean("ab\xFF"
                    "cd"),
              "ab\uFFFDcd");
    EXPECT_EQ(clean("\xC0\xAF"), "\uFFFD\uFFFD");           // overlong "/"
    EXPECT_EQ(clean("\xED\xA0\x80"), "\uFFFD\uFFFD\uFFFD"); // surrogate
    EXPECT_EQ(clean("\xF4\x90\x80\x80"), "\uFFFD\uFFFD\uFFFD\uFFFD");
    EXPECT_EQ(clean("tail\xE2\x82"), "tail\uFFFD");
    // An encoded control is still a control after decoding, and an overlong one is not
    // decoded at all.
    EXPECT_EQ(clean("a\xC0\x8A"
                    "b"),
              "a\uFFFD\uFFFDb");
}

TEST(TitleFilter, ExactlyAtTheCapIsKept) {
    EXPECT_EQ(sanitize_text("abcde", 5), "abcde");
    EXPECT_EQ(sanitize_text("\u00E9\u00E9\u00E9\u00E9\u00E9", 5), "\u00E9\u00E9\u00E9\u00E9\u00E9");
    EXPECT_EQ(sanitize_text("  abcde  ", 5), "abcde");     // trimmed spaces do not count
    EXPECT_EQ(sanitize_text("a\u200Bb\u200Bc", 3), "abc"); // nor do dropped characters
    EXPECT_EQ(clean(std::string(kCap, 'x')), std::string(kCap, 'x'));
}

TEST(TitleFilter, OneOverTheCapEndsInAnEllipsis) {
    EXPECT_EQ(sanitize_text("abcdef", 5), "abcd\u2026");
    EXPECT_EQ(sanitize_text("\u00E9\u00E9\u00E9\u00E9\u00E9\u00E9", 5),
              "\u00E9\u00E9\u00E9\u00E9\u2026");
    EXPECT_EQ(sanitize_text("\U0001F600\U0001F600\U0001F600", 2), "\U0001F600\u2026");
    EXPECT_EQ(clean(std::string(kCap + 1, 'x')), std::string(kCap - 1, 'x') + "\u2026");
    EXPECT_EQ(code_points(clean(std::string(kCap + 1, 'x'))).size(), kCap);
}

TEST(TitleFilter, CutDoesNotLeaveASpaceBeforeTheEllipsis) {
    EXPECT_EQ(sanitize_text("abc defgh", 5), "abc\u2026");
}

TEST(TitleFilter, TinyCaps) {
    EXPECT_EQ(sanitize_text("anything", 0), "");
    EXPECT_EQ(sanitize_text("a", 1), "a");
    EXPECT_EQ(sanitize_text("ab", 1), "\u2026");
}

TEST(TitleFilter, TenMegabyteTitles) {
    constexpr std::size_t kTenMb = 10u << 20;
    const std::string long_ascii(kTenMb, 'A');
    EXPECT_EQ(clean(long_ascii), std::string(kCap - 1, 'A') + "\u2026");

    // Nothing kept means every byte is looked at: still bounded and still empty.
    std::string invisible;
    invisible.reserve(kTenMb);
    while (invisible.size() + 3 <= kTenMb)
        invisible += "\u200B";
    EXPECT_EQ(clean(invisible), "");

    std::string garbage(kTenMb, '\xFF');
    const auto out = clean(garbage);
    expect_well_formed(out, kCap);
    EXPECT_EQ(code_points(out).size(), kCap);
}

TEST(TitleFilter, RandomBytesAlwaysGiveAWellFormedTitle) {
    std::mt19937 rng(20260101); // fixed seed: a failure reproduces
    std::uniform_int_distribution<int> byte(0, 255), length(0, 300), cap(0, 64);
    for (int round = 0; round < 2000; ++round) {
        std::string input(static_cast<std::size_t>(length(rng)), '\0');
        for (char& c : input)
            c = static_cast<char>(byte(rng));
        const auto max = static_cast<std::size_t>(cap(rng));
        expect_well_formed(sanitize_text(input, max), max);
        if (HasFailure()) {
            ADD_FAILURE() << "round " << round;
            return;
        }
    }
}

TEST(TitleFilter, RandomCodePointsAlwaysGiveAWellFormedTitle) {
    // Valid UTF-8 from the whole code space, so every table entry is exercised.
    std::mt19937 rng(7);
    std::uniform_int_distribution<std::uint32_t> any(0, 0x10FFFF), ascii(0, 0x7F);
    for (int round = 0; round < 2000; ++round) {
        std::string input;
        for (int i = 0; i < 40; ++i) {
            char32_t cp = (i % 2 == 0) ? any(rng) : ascii(rng);
            if (cp >= 0xD800 && cp <= 0xDFFF) cp = U'?';
            append_utf8(input, cp);
        }
        expect_well_formed(sanitize_text(input, 32), 32);
        if (HasFailure()) {
            ADD_FAILURE() << "round " << round;
            return;
        }
    }
}

TEST(TitleFilter, ClassifiesAcrossCategories) {
    EXPECT_EQ(classify_code_point(U'a'), CharDisposition::Keep);
    EXPECT_EQ(classify_code_point(U'\u0301'), CharDisposition::Keep); // Mn
    EXPECT_EQ(classify_code_point(U'\u0628'), CharDisposition::Keep); // Arabic letter
    EXPECT_EQ(classify_code_point(U'\uFFFD'), CharDisposition::Keep);
    EXPECT_EQ(classify_code_point(U'\u2026'), CharDisposition::Keep);
    EXPECT_EQ(classify_code_point(U' '), CharDisposition::Space);
    EXPECT_EQ(classify_code_point(U'\t'), CharDisposition::Space);
    EXPECT_EQ(classify_code_point(U'\u3000'), CharDisposition::Space);
    EXPECT_EQ(classify_code_point(0xD800), CharDisposition::Drop);
    EXPECT_EQ(classify_code_point(0x110000), CharDisposition::Drop);
    EXPECT_EQ(classify_code_point(0x9F), CharDisposition::Drop);
    EXPECT_EQ(classify_code_point(0xA0), CharDisposition::Space);
    EXPECT_EQ(classify_code_point(0xA1), CharDisposition::Keep);
}

} // namespace
} // namespace spectrum::policy
