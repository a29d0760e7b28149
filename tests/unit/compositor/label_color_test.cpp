#include "label_color.hpp"

#include <gtest/gtest.h>

namespace spectrum::policy {
namespace {

TEST(LabelColor, LuminanceOfReferenceColours) {
    EXPECT_DOUBLE_EQ(relative_luminance(kBlack), 0.0);
    EXPECT_DOUBLE_EQ(relative_luminance(kWhite), 1.0);
    EXPECT_NEAR(relative_luminance({255, 0, 0}), 0.2126, 1e-12);
    EXPECT_NEAR(relative_luminance({0, 255, 0}), 0.7152, 1e-12);
    EXPECT_NEAR(relative_luminance({0, 0, 255}), 0.0722, 1e-12);
    // Mid grey #808080 is 0.2158605 in sRGB, not 0.5.
    EXPECT_NEAR(relative_luminance({128, 128, 128}), 0.2158605, 1e-6);
}

TEST(LabelColor, ContrastRatioMatchesWcag) {
    EXPECT_DOUBLE_EQ(contrast_ratio(kBlack, kWhite), 21.0);
    EXPECT_DOUBLE_EQ(contrast_ratio(kWhite, kWhite), 1.0);
    // Values the WebAIM contrast checker gives.
    EXPECT_NEAR(contrast_ratio({0xcc, 0, 0}, kWhite), 5.89, 0.01);
    EXPECT_NEAR(contrast_ratio({0x77, 0x77, 0x77}, kWhite), 4.48, 0.01);
    EXPECT_NEAR(contrast_ratio({0xff, 0xff, 0}, kBlack), 19.56, 0.01);
}

TEST(LabelColor, ContrastRatioIsSymmetric) {
    const Rgb a{0x12, 0x34, 0x56}, b{0xfe, 0xdc, 0xba};
    EXPECT_DOUBLE_EQ(contrast_ratio(a, b), contrast_ratio(b, a));
}

TEST(LabelColor, DarkRedGetsWhiteText) {
    EXPECT_EQ(label_text_color({0xcc, 0x00, 0x00}), kWhite);
}

TEST(LabelColor, YellowGetsBlackText) {
    EXPECT_EQ(label_text_color({0xff, 0xff, 0x00}), kBlack);
}

TEST(LabelColor, ExtremesAndTypicalVmColours) {
    EXPECT_EQ(label_text_color(kBlack), kWhite);
    EXPECT_EQ(label_text_color(kWhite), kBlack);
    EXPECT_EQ(label_text_color({0x00, 0x00, 0xcc}), kWhite); // blue
    EXPECT_EQ(label_text_color({0x00, 0xcc, 0x00}), kBlack); // green
    EXPECT_EQ(label_text_color({0xff, 0x88, 0x00}), kBlack); // orange
    EXPECT_EQ(label_text_color({0x80, 0x00, 0x80}), kWhite); // purple
    EXPECT_EQ(label_text_color({0x55, 0x57, 0x5c}), kWhite); // the host frame grey
}

TEST(LabelColor, ChoiceAlwaysReachesTheBetterContrast) {
    // Whatever the VM colour, the chosen text colour has the larger ratio, and that ratio
    // never drops below sqrt(21) ~ 4.58, the best a single fixed pair can guarantee.
    for (int r = 0; r < 256; r += 15)
        for (int g = 0; g < 256; g += 15)
            for (int b = 0; b < 256; b += 15) {
                const Rgb bg{static_cast<std::uint8_t>(r), static_cast<std::uint8_t>(g),
                             static_cast<std::uint8_t>(b)};
                const Rgb text = label_text_color(bg);
                const Rgb other = text == kWhite ? kBlack : kWhite;
                ASSERT_GE(contrast_ratio(bg, text), contrast_ratio(bg, other));
                ASSERT_GE(contrast_ratio(bg, text), 4.58);
            }
}

} // namespace
} // namespace spectrum::policy
