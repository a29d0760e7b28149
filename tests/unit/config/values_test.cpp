#include "values.hpp"

#include <gtest/gtest.h>
#include <string>

namespace spectrum::config::detail {
namespace {

TEST(ByteSize, PlainNumberIsBytes) {
    EXPECT_EQ(parse_byte_size("0"), 0u);
    EXPECT_EQ(parse_byte_size("1048576"), 1048576u);
}

TEST(ByteSize, BinaryUnitsWithOrWithoutIB) {
    EXPECT_EQ(parse_byte_size("512K"), 512u << 10);
    EXPECT_EQ(parse_byte_size("64M"), 64u << 20);
    EXPECT_EQ(parse_byte_size("16MiB"), 16u << 20);
    EXPECT_EQ(parse_byte_size("1G"), 1ull << 30);
    EXPECT_EQ(parse_byte_size("1GiB"), 1ull << 30);
    EXPECT_EQ(parse_byte_size("2T"), 2ull << 40);
    EXPECT_EQ(parse_byte_size("3KiB"), 3u << 10);
}

TEST(ByteSize, RejectsOtherSpellings) {
    for (auto text : {"", "M", "1.5G", "-1", "+1", "1 G", "1g", "1KB", "1MB", "1B", "lots", "G1",
                      "1Gi", "0x10"})
        EXPECT_FALSE(parse_byte_size(text)) << text;
}

TEST(ByteSize, RejectsOverflow) {
    EXPECT_FALSE(parse_byte_size("18446744073709551616"));
    EXPECT_EQ(parse_byte_size("16777215T"), 16777215ull << 40);
    EXPECT_FALSE(parse_byte_size("16777216T")); // 2^64
}

TEST(Mode, WithoutRefresh) {
    auto mode = parse_mode("1920x1080");
    ASSERT_TRUE(mode);
    EXPECT_EQ(mode->width, 1920);
    EXPECT_EQ(mode->height, 1080);
    EXPECT_FALSE(mode->refresh);
}

TEST(Mode, WithFractionalRefresh) {
    auto mode = parse_mode("2560x1440@59.94");
    ASSERT_TRUE(mode);
    EXPECT_EQ(mode->width, 2560);
    EXPECT_EQ(mode->height, 1440);
    EXPECT_DOUBLE_EQ(mode->refresh.value_or(0), 59.94);
}

TEST(Mode, Bounds) {
    EXPECT_TRUE(parse_mode("16384x16384@1000"));
    EXPECT_FALSE(parse_mode("16385x100"));
    EXPECT_FALSE(parse_mode("100x16385"));
    EXPECT_FALSE(parse_mode("0x1080"));
    EXPECT_FALSE(parse_mode("1920x1080@1000.5"));
}

TEST(Mode, RejectsMalformed) {
    for (auto text : {"", "1920", "1920x", "x1080", "1920*1080", "1920X1080", " 1920x1080",
                      "1920x1080 ", "1920x1080@", "1920x1080@0", "1920x1080@-60", "1920x1080@inf",
                      "1920x1080@nan", "1920x1080@60Hz", "-1920x1080", "1920x1080x2"})
        EXPECT_FALSE(parse_mode(text)) << text;
}

TEST(Position, ParsesSignedPairs) {
    auto position = parse_position("-1920, 0");
    ASSERT_TRUE(position);
    EXPECT_EQ(position->x, -1920);
    EXPECT_EQ(position->y, 0);
    position = parse_position("1000000,-1000000");
    ASSERT_TRUE(position);
    EXPECT_EQ(position->x, 1000000);
    EXPECT_EQ(position->y, -1000000);
}

TEST(Position, RejectsMalformedOrHuge) {
    for (auto text : {"", "1", "1,", ",1", "a,b", "1,2,3", "1.5,2", "1000001,0", "0,-1000001",
                      "+1,2", "99999999999,0"})
        EXPECT_FALSE(parse_position(text)) << text;
}

TEST(Label, LengthCountsCharactersNotBytes) {
    EXPECT_TRUE(valid_label("red"));
    EXPECT_TRUE(valid_label(std::string(32, 'x')));
    EXPECT_FALSE(valid_label(std::string(33, 'x')));
    EXPECT_FALSE(valid_label(""));
    std::string accented;
    for (int i = 0; i < 32; ++i)
        accented += "\xc3\xa9"; // é: 2 bytes, 1 character
    EXPECT_TRUE(valid_label(accented));
    EXPECT_FALSE(valid_label(accented + "e"));
}

TEST(Label, AllowsOrdinaryUnicode) {
    EXPECT_TRUE(valid_label("Work Mail"));
    EXPECT_TRUE(valid_label("\xe4\xbb\x95\xe4\xba\x8b")); // 仕事
    EXPECT_TRUE(valid_label("bank \xf0\x9f\x8f\xa6"));    // 🏦
}

TEST(Label, RejectsControlAndBidiCharacters) {
    for (auto text : {"a\tb", "a\nb", "\x1b[31m", "del\x7f", "c1\xc2\x85", "rtl\xe2\x80\xae",
                      "iso\xe2\x81\xa6", "mark\xe2\x80\x8f", "line\xe2\x80\xa8"})
        EXPECT_FALSE(valid_label(text)) << text;
}

} // namespace
} // namespace spectrum::config::detail
