#include "utf8.hpp"

#include <gtest/gtest.h>
#include <string>

namespace spectrum::policy {
namespace {

// Decodes the whole input, U+FFFD for each invalid subpart, as sanitize_text sees it.
std::u32string decode_all(std::string_view text) {
    std::u32string out;
    for (std::size_t pos = 0; pos < text.size();) {
        const auto decoded = decode_utf8_at(text, pos);
        out.push_back(decoded.code_point);
        pos += decoded.length;
    }
    return out;
}

TEST(Utf8, DecodesEveryEncodingLength) {
    EXPECT_EQ(decode_all("A\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"), U"A\u00E9\u20AC\U0001F600");
    EXPECT_EQ(decode_all("\xF4\x8F\xBF\xBF"), U"\U0010FFFF");
    EXPECT_EQ(decode_all("\xEF\xBF\xBD"), U"\uFFFD");
}

TEST(Utf8, OverlongsBecomeOneReplacementPerByte) {
    // C0/C1 can only start overlongs; E0 80 and F0 80 are overlong at the second byte.
    EXPECT_EQ(decode_all("\xC0\xAF"), U"\uFFFD\uFFFD");
    EXPECT_EQ(decode_all("\xC1\xBF"), U"\uFFFD\uFFFD");
    EXPECT_EQ(decode_all("\xE0\x80\xAF"), U"\uFFFD\uFFFD\uFFFD");
    EXPECT_EQ(decode_all("\xF0\x80\x80\xAF"), U"\uFFFD\uFFFD\uFFFD\uFFFD");
}

TEST(Utf8, SurrogatesAreRejected) {
    EXPECT_EQ(decode_all("\xED\xA0\x80"), U"\uFFFD\uFFFD\uFFFD");
    EXPECT_EQ(decode_all("\xED\xBF\xBF"), U"\uFFFD\uFFFD\uFFFD");
    // The last code point before the surrogates is fine.
    EXPECT_EQ(decode_all("\xED\x9F\xBF"), U"\uD7FF");
}

TEST(Utf8, ValuesAboveMaximumAreRejected) {
    EXPECT_EQ(decode_all("\xF4\x90\x80\x80"), U"\uFFFD\uFFFD\uFFFD\uFFFD");
    EXPECT_EQ(decode_all("\xF5\x80\x80\x80"), U"\uFFFD\uFFFD\uFFFD\uFFFD");
    EXPECT_EQ(decode_all("\xFF"), U"\uFFFD");
}

TEST(Utf8, TruncatedSequenceIsOneReplacementAndKeepsTheNextCharacter) {
    // Unicode 3.9's example of maximal subparts: 61 F1 80 80 E1 80 C2 62 80 63 80 BF 64.
    EXPECT_EQ(decode_all("a\xF1\x80\x80\xE1\x80\xC2"
                         "b\x80"
                         "c\x80\xBF"
                         "d"),
              U"a\uFFFD\uFFFD\uFFFDb\uFFFDc\uFFFD\uFFFDd");
    EXPECT_EQ(decode_all("\xE2\x82"), U"\uFFFD");
    EXPECT_EQ(decode_all("\xF0\x9F\x98"), U"\uFFFD");
    EXPECT_EQ(decode_all("\xE2\x82"
                         "A"),
              U"\uFFFDA");
}

TEST(Utf8, ValidityCheck) {
    EXPECT_TRUE(is_valid_utf8(""));
    EXPECT_TRUE(is_valid_utf8("plain ascii"));
    EXPECT_TRUE(is_valid_utf8("\xE2\x80\xA6\xF0\x9F\x98\x80"));
    EXPECT_TRUE(is_valid_utf8(std::string_view("a\0b", 3)));
    EXPECT_FALSE(is_valid_utf8("\x80"));
    EXPECT_FALSE(is_valid_utf8("\xC0\x80"));
    EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));
    EXPECT_FALSE(is_valid_utf8("abc\xE2\x80"));
}

TEST(Utf8, EncodeRoundTripsEveryScalarValue) {
    for (char32_t cp = 0; cp <= 0x10FFFF; ++cp) {
        if (cp >= 0xD800 && cp <= 0xDFFF) continue;
        std::string encoded;
        append_utf8(encoded, cp);
        const auto decoded = decode_utf8_at(encoded, 0);
        ASSERT_TRUE(decoded.valid) << std::hex << static_cast<unsigned>(cp);
        ASSERT_EQ(decoded.code_point, cp);
        ASSERT_EQ(decoded.length, encoded.size());
    }
}

} // namespace
} // namespace spectrum::policy
