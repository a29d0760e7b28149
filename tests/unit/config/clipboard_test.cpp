// [clipboard] and its [[clipboard.rule]] tables.
#include "parse_helpers.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace spectrum::config {
namespace {

using testing::error_of;
using testing::parse_ok;
using ::testing::ElementsAre;

TEST(Clipboard, Defaults) {
    const ClipboardConfig clipboard = parse_ok("").clipboard;
    EXPECT_TRUE(clipboard.wipe_after_paste);
    EXPECT_EQ(clipboard.timeout_ms, 5000u);
    EXPECT_EQ(clipboard.notice_ms, 3000u);
    EXPECT_EQ(clipboard.confirm_ms, 15000u);
    EXPECT_THAT(clipboard.mime_types,
                ElementsAre("text/plain;charset=utf-8", "text/plain", "UTF8_STRING", "TEXT", "STRING",
                            "text/uri-list", "image/png", "image/jpeg"));
    EXPECT_TRUE(clipboard.rules.empty());
}

TEST(Clipboard, EveryKey) {
    const ClipboardConfig clipboard = parse_ok(R"([clipboard]
wipe_after_paste = false
timeout_ms = 250
notice_ms = 1500
confirm_ms = 60000
mime_types = ["text/plain", "image/webp"]
)")
                                          .clipboard;
    EXPECT_FALSE(clipboard.wipe_after_paste);
    EXPECT_EQ(clipboard.timeout_ms, 250u);
    EXPECT_EQ(clipboard.notice_ms, 1500u);
    EXPECT_EQ(clipboard.confirm_ms, 60000u);
    EXPECT_THAT(clipboard.mime_types, ElementsAre("text/plain", "image/webp")); // replaces the list
}

TEST(Clipboard, RulesInFileOrder) {
    const auto rules = parse_ok(R"([[clipboard.rule]]
from = "red"
to = "blue"
action = "deny"

[[clipboard.rule]]
to = "bank"
action = "confirm"

[[clipboard.rule]]
from = "work-?"
to = "host"
action = "allow"
)")
                           .clipboard.rules;
    ASSERT_EQ(rules.size(), 3u);
    EXPECT_EQ(rules[0], (ClipboardRule{"red", "blue", TransferAction::Deny}));
    EXPECT_EQ(rules[1], (ClipboardRule{"*", "bank", TransferAction::Confirm})); // from defaults to "*"
    EXPECT_EQ(rules[2], (ClipboardRule{"work-?", "host", TransferAction::Allow}));
}

TEST(Clipboard, ARuleNeedsAnAction) {
    EXPECT_EQ(error_of("[[clipboard.rule]]\nfrom = \"red\"\n"),
              "t.toml:1:1: clipboard.rule[0]: needs action = \"allow\", \"deny\" or \"confirm\"");
}

TEST(Clipboard, UnknownActionIsNamed) {
    EXPECT_EQ(error_of("[[clipboard.rule]]\naction = \"maybe\"\n"),
              "t.toml:2:10: clipboard.rule[0].action: expected one of \"allow\", \"deny\", \"confirm\", "
              "got \"maybe\"");
}

TEST(Clipboard, PatternsAreVmNamesWithWildcards) {
    EXPECT_EQ(error_of("[[clipboard.rule]]\nfrom = \"Red\"\naction = \"deny\"\n"),
              "t.toml:2:8: clipboard.rule[0].from: expected a VM name, \"host\" or a pattern like "
              "\"work-*\" (a-z, 0-9, \"-\", \"*\", \"?\"), got \"Red\"");
    EXPECT_EQ(error_of("[[clipboard.rule]]\nto = \"\"\naction = \"deny\"\n"),
              "t.toml:2:6: clipboard.rule[0].to: expected a VM name, \"host\" or a pattern like "
              "\"work-*\" (a-z, 0-9, \"-\", \"*\", \"?\"), got \"\"");
}

TEST(Clipboard, UnknownKeysAreErrors) {
    EXPECT_THAT(error_of("[clipboard]\nwipe = true\n"),
                ::testing::StartsWith("t.toml:2:1: clipboard.wipe: unknown key; expected one of "
                                      "wipe_after_paste, timeout_ms"));
    EXPECT_THAT(error_of("[[clipboard.rule]]\naction = \"deny\"\nsource = \"red\"\n"),
                ::testing::StartsWith("t.toml:3:1: clipboard.rule[0].source: unknown key"));
}

TEST(Clipboard, RangesAndTypes) {
    EXPECT_EQ(error_of("[clipboard]\ntimeout_ms = 50\n"),
              "t.toml:2:14: clipboard.timeout_ms: expected an integer from 100 to 600000, got 50");
    EXPECT_EQ(error_of("[clipboard]\nwipe_after_paste = \"yes\"\n"),
              "t.toml:2:20: clipboard.wipe_after_paste: expected true or false, got \"yes\"");
    EXPECT_EQ(error_of("[clipboard]\nmime_types = \"text/plain\"\n"),
              "t.toml:2:14: clipboard.mime_types: expected an array of MIME types, got \"text/plain\"");
    EXPECT_EQ(error_of("[clipboard]\nmime_types = [\"text/plain\", \"\"]\n"),
              "t.toml:2:29: clipboard.mime_types[1]: expected a MIME type like \"image/png\" (printable "
              "ASCII), got \"\"");
    EXPECT_EQ(error_of("[clipboard]\nrule = 3\n"),
              "t.toml:2:8: clipboard.rule: expected [[clipboard.rule]] tables, got 3");
}

TEST(Clipboard, AnEmptyAllowListIsAllowed) {
    // Nothing crosses at all: every copy says the source offers nothing the clipboard carries.
    EXPECT_TRUE(parse_ok("[clipboard]\nmime_types = []\n").clipboard.mime_types.empty());
}

} // namespace
} // namespace spectrum::config
