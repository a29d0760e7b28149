#include "clipboard_mime.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <string>
#include <vector>

namespace spectrum::policy {
namespace {

using ::testing::ElementsAre;

// config::ClipboardConfig's default allow-list.
const std::vector<std::string> kAllowed{"text/plain;charset=utf-8", "text/plain", "UTF8_STRING", "TEXT",
                                        "STRING", "text/uri-list", "image/png", "image/jpeg"};

// What wl-copy offers for text.
const std::vector<std::string> wl_copy_text{"text/plain", "text/plain;charset=utf-8", "TEXT", "STRING",
                                            "UTF8_STRING"};

TEST(ClipboardMime, NormalizesCaseBlanksAndQuotes) {
    EXPECT_EQ(normalize_mime("Text/Plain; charset=\"UTF-8\""), "text/plain;charset=utf-8");
    EXPECT_EQ(normalize_mime("image/PNG"), "image/png");
    EXPECT_EQ(normalize_mime("UTF8_STRING"), "utf8_string");
}

TEST(ClipboardMime, TextTypes) {
    EXPECT_TRUE(is_text_mime("text/plain"));
    EXPECT_TRUE(is_text_mime("text/uri-list"));
    EXPECT_TRUE(is_text_mime("UTF8_STRING"));
    EXPECT_TRUE(is_text_mime("STRING"));
    EXPECT_FALSE(is_text_mime("image/png"));
    EXPECT_FALSE(is_text_mime("application/octet-stream"));
}

TEST(ClipboardMime, PlainTextNamesAreOneReadOfTheBestName) {
    const auto plan = plan_capture(wl_copy_text, kAllowed);
    ASSERT_EQ(plan.size(), 1u);
    EXPECT_EQ(plan[0].read, "text/plain;charset=utf-8");
    EXPECT_TRUE(plan[0].text);
    // Offered again under every name the source used, spelled as it spelled them.
    EXPECT_THAT(plan[0].offers, ElementsAre("text/plain", "text/plain;charset=utf-8", "TEXT", "STRING",
                                            "UTF8_STRING"));
}

TEST(ClipboardMime, WithoutTheCharsetNameUtf8StringIsPreferred) {
    const std::vector<std::string> offered{"STRING", "text/plain", "UTF8_STRING"};
    const auto plan = plan_capture(offered, kAllowed);
    ASSERT_EQ(plan.size(), 1u);
    EXPECT_EQ(plan[0].read, "UTF8_STRING");
}

TEST(ClipboardMime, TypesOffTheAllowListAreDropped) {
    const std::vector<std::string> offered{"application/x-evil", "text/html", "image/png",
                                           "text/plain;charset=iso-8859-1", "image/jpeg"};
    const auto plan = plan_capture(offered, kAllowed);
    ASSERT_EQ(plan.size(), 2u);
    EXPECT_EQ(plan[0].read, "image/png");
    EXPECT_FALSE(plan[0].text);
    EXPECT_THAT(plan[0].offers, ElementsAre("image/png"));
    EXPECT_EQ(plan[1].read, "image/jpeg");
}

TEST(ClipboardMime, OtherTextTypesAreTheirOwnReadAndChecked) {
    const std::vector<std::string> offered{"text/uri-list", "text/plain"};
    const auto plan = plan_capture(offered, kAllowed);
    ASSERT_EQ(plan.size(), 2u);
    EXPECT_EQ(plan[0].read, "text/plain"); // plain text first
    EXPECT_EQ(plan[1].read, "text/uri-list");
    EXPECT_TRUE(plan[1].text);
}

TEST(ClipboardMime, AllowListMatchesNormalizedAndDuplicatesCountOnce) {
    const std::vector<std::string> offered{"IMAGE/PNG", "image/png", "Image/Png"};
    const std::vector<std::string> allowed{"image/png"};
    const auto plan = plan_capture(offered, allowed);
    ASSERT_EQ(plan.size(), 1u);
    EXPECT_EQ(plan[0].read, "IMAGE/PNG");
}

TEST(ClipboardMime, NothingAllowedIsAnEmptyPlan) {
    const std::vector<std::string> offered{"application/pdf"};
    EXPECT_TRUE(plan_capture(offered, kAllowed).empty());
    EXPECT_TRUE(plan_capture({}, kAllowed).empty());
    EXPECT_TRUE(plan_capture(wl_copy_text, {}).empty());
}

TEST(ClipboardMime, ValidUtf8IsKeptByteForByte) {
    std::string text = "plain ASCII, caf\xc3\xa9, \xe2\x82\xac, \xf0\x9f\x98\x80 and a NUL \0 too";
    text += std::string(1, '\0');
    const std::string before = text;
    EXPECT_EQ(make_valid_utf8(text), 0u);
    EXPECT_EQ(text, before);
}

TEST(ClipboardMime, InvalidSequencesBecomeReplacementCharacters) {
    std::string text = "a\xff" "b\xc3" "c\xed\xa0\x80" "d"; // stray byte, truncated, surrogate
    EXPECT_EQ(make_valid_utf8(text), 5u);                  // the surrogate is three subparts
    EXPECT_EQ(text, "a\xef\xbf\xbd" "b\xef\xbf\xbd" "c\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" "d");
}

TEST(ClipboardMime, WipeEmptiesTheString) {
    std::string secret(100, 'x');
    wipe(secret);
    EXPECT_TRUE(secret.empty());
}

} // namespace
} // namespace spectrum::policy
