#include "config.hpp"

#include <gtest/gtest.h>

namespace spectrum::config {
namespace {

TEST(Color, ParsesRgbInEitherCase) {
    EXPECT_EQ(Color::parse("#cc0000"), (Color{0xcc, 0x00, 0x00, 0xff}));
    EXPECT_EQ(Color::parse("#3465A4"), (Color{0x34, 0x65, 0xa4, 0xff}));
}

TEST(Color, ParsesAlpha) {
    EXPECT_EQ(Color::parse("#11223380"), (Color{0x11, 0x22, 0x33, 0x80}));
}

TEST(Color, RejectsAnythingElse) {
    for (auto text : {"", "#", "cc0000", "#ccc", "#cc000", "#cc00000", "#gg0000", "#cc0000 ",
                      " #cc0000", "red", "#cc00000x"})
        EXPECT_FALSE(Color::parse(text)) << text;
}

TEST(Color, HexIsLowerCaseRgbWithoutAlpha) {
    EXPECT_EQ((Color{0xcc, 0x0a, 0xff, 0x10}).hex(), "#cc0aff");
    EXPECT_EQ(Color::parse("#3465A4")->hex(), "#3465a4");
}

TEST(Color, ChannelsAsFractions) {
    Color color{255, 0, 51, 255};
    EXPECT_FLOAT_EQ(color.red(), 1.0f);
    EXPECT_FLOAT_EQ(color.green(), 0.0f);
    EXPECT_FLOAT_EQ(color.blue(), 0.2f);
    EXPECT_FLOAT_EQ(color.alpha(), 1.0f);
}

} // namespace
} // namespace spectrum::config
