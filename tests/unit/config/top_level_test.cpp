// The top-level keys, [keyboard], unknown keys and TOML syntax errors.
#include "keys.hpp"
#include "parse_helpers.hpp"

#include <format>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace spectrum::config {
namespace {

using testing::error_of;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::parse_ok;
using ::testing::StartsWith;

TEST(Defaults, EmptyFileGivesTheDocumentedDefaults) {
    Config config = parse_ok("");
    EXPECT_EQ(config.source, "t.toml");
    EXPECT_EQ(config.background, (Color{0x20, 0x22, 0x28, 0xff}));
    EXPECT_EQ(config.host_frame, (Color{0x55, 0x57, 0x5c, 0xff}));
    EXPECT_EQ(config.border_width, 4);
    EXPECT_EQ(config.title_height, 22);
    EXPECT_EQ(config.font, "DejaVu Sans 10");
    EXPECT_EQ(config.terminal, "foot");
    EXPECT_EQ(config.cursor_theme, "");
    EXPECT_EQ(config.cursor_size, 24);
    EXPECT_EQ(config.state_dir, "/var/lib/spectrum");
    EXPECT_TRUE(config.frame_pacing);
    EXPECT_EQ(config.keyboard, KeyboardConfig{});
    EXPECT_EQ(config.keyboard.repeat_rate, 25);
    EXPECT_EQ(config.keyboard.repeat_delay, 600);
    EXPECT_TRUE(config.outputs.empty());
    EXPECT_EQ(config.bindings, detail::default_bindings());
    EXPECT_EQ(config.limits, Limits{});
    EXPECT_TRUE(config.vms.empty());
}

TEST(Defaults, CommentsAndBlankLinesOnly) {
    EXPECT_EQ(parse_ok("# nothing here\n\n   \n"), parse_ok(""));
}

TEST(TopLevel, EveryKeyAccepted) {
    Config config = parse_ok(R"(
background = "#102030"
host_frame = "#AABBCC"
border_width = 0
title_height = 64
font = "Noto Sans 12"
terminal = "alacritty"
cursor_theme = "Adwaita"
cursor_size = 256
state_dir = "/srv/spectrum"
frame_pacing = false
)");
    EXPECT_EQ(config.background, (Color{0x10, 0x20, 0x30, 0xff}));
    EXPECT_EQ(config.host_frame, (Color{0xaa, 0xbb, 0xcc, 0xff}));
    EXPECT_EQ(config.border_width, 0);
    EXPECT_EQ(config.title_height, 64);
    EXPECT_EQ(config.font, "Noto Sans 12");
    EXPECT_EQ(config.terminal, "alacritty");
    EXPECT_EQ(config.cursor_theme, "Adwaita");
    EXPECT_EQ(config.cursor_size, 256);
    EXPECT_EQ(config.state_dir, "/srv/spectrum");
    EXPECT_FALSE(config.frame_pacing);
}

TEST(TopLevel, FramePacingIsABoolean) {
    EXPECT_EQ(error_of("frame_pacing = \"no\""),
              "t.toml:1:16: frame_pacing: expected true or false, got \"no\"");
    EXPECT_EQ(error_of("frame_pacing = 0"), "t.toml:1:16: frame_pacing: expected true or false, got 0");
}

TEST(TopLevel, RangeEndsAccepted) {
    EXPECT_EQ(parse_ok("border_width = 64").border_width, 64);
    EXPECT_EQ(parse_ok("title_height = 12").title_height, 12);
    EXPECT_EQ(parse_ok("cursor_size = 8").cursor_size, 8);
}

TEST(TopLevel, Colors) {
    EXPECT_EQ(error_of("background = \"#11223\""),
              "t.toml:1:14: background: expected \"#rrggbb\", got \"#11223\"");
    // A see-through frame would blur whose window it is.
    EXPECT_EQ(error_of("background = \"#11223344\""),
              "t.toml:1:14: background: expected \"#rrggbb\", got \"#11223344\"");
    EXPECT_EQ(error_of("host_frame = 5"), "t.toml:1:14: host_frame: expected \"#rrggbb\", got 5");
}

TEST(TopLevel, Integers) {
    EXPECT_EQ(error_of("border_width = 65"),
              "t.toml:1:16: border_width: expected an integer from 0 to 64, got 65");
    EXPECT_EQ(error_of("border_width = -1"),
              "t.toml:1:16: border_width: expected an integer from 0 to 64, got -1");
    EXPECT_EQ(error_of("border_width = 4.0"),
              "t.toml:1:16: border_width: expected an integer from 0 to 64, got 4.0");
    EXPECT_EQ(error_of("border_width = \"4\""),
              "t.toml:1:16: border_width: expected an integer from 0 to 64, got \"4\"");
    EXPECT_EQ(error_of("title_height = 11"),
              "t.toml:1:16: title_height: expected an integer from 12 to 64, got 11");
    EXPECT_EQ(error_of("title_height = 65"),
              "t.toml:1:16: title_height: expected an integer from 12 to 64, got 65");
    EXPECT_EQ(error_of("cursor_size = 257"),
              "t.toml:1:15: cursor_size: expected an integer from 8 to 256, got 257");
    EXPECT_EQ(error_of("cursor_size = 7"),
              "t.toml:1:15: cursor_size: expected an integer from 8 to 256, got 7");
}

TEST(TopLevel, Strings) {
    EXPECT_EQ(error_of("font = \"\""), "t.toml:1:8: font: expected a non-empty string, got \"\"");
    EXPECT_EQ(error_of("terminal = 1"),
              "t.toml:1:12: terminal: expected a non-empty string, got 1");
    EXPECT_EQ(error_of("cursor_theme = true"),
              "t.toml:1:16: cursor_theme: expected a string, got true");
    EXPECT_EQ(error_of("state_dir = []"),
              "t.toml:1:13: state_dir: expected a non-empty string, got an array");
    EXPECT_EQ(error_of("font = { name = \"x\" }"),
              "t.toml:1:8: font: expected a non-empty string, got a table");
    EXPECT_EQ(error_of("font = 1979-05-27"),
              "t.toml:1:8: font: expected a non-empty string, got a date");
}

TEST(TopLevel, LongValuesAreCutShortInErrors) {
    std::string error = error_of("font = 1\nterminal = \"" + std::string(200, 'x') + "\"");
    EXPECT_EQ(error, "t.toml:1:8: font: expected a non-empty string, got 1");
    error = error_of("background = \"" + std::string(200, 'x') + "\"");
    EXPECT_EQ(error, "t.toml:1:14: background: expected \"#rrggbb\", got \"" +
                         std::string(60, 'x') + "\"…");
}

TEST(TopLevel, ControlCharactersInErrorsAreEscaped) {
    EXPECT_EQ(error_of("background = \"a\\nb\\u0007\""),
              "t.toml:1:14: background: expected \"#rrggbb\", got \"a\\nb\\u0007\"");
}

TEST(TopLevel, UnknownKeyNamesTheKeyAndWhatIsValid) {
    EXPECT_EQ(error_of("font = \"x\"\nfnt = \"y\""),
              "t.toml:2:1: fnt: unknown key; expected one of background, host_frame, "
              "border_width, title_height, font, terminal, cursor_theme, cursor_size, state_dir, "
              "image_dir, frame_pacing, keyboard, output, keys, limits, clipboard, image, vm");
}

TEST(TopLevel, UnknownTable) {
    EXPECT_THAT(error_of("\n[keybaord]\nlayout = \"us\""),
                StartsWith("t.toml:2:2: keybaord: unknown table; expected one of background, "));
    EXPECT_THAT(error_of("[[outputs]]\nname = \"x\""),
                StartsWith("t.toml:1:3: outputs: unknown table; expected one of "));
}

TEST(TopLevel, FirstMistakeInTheFileIsReported) {
    // toml++ keeps keys sorted; the error must still be the first one in the file.
    EXPECT_THAT(error_of("zzz = 1\naaa = 2"), StartsWith("t.toml:1:1: zzz: unknown key"));
    EXPECT_THAT(error_of("title_height = 1\nborder_width = 100"),
                StartsWith("t.toml:1:16: title_height:"));
}

TEST(TopLevel, QuotedUnknownKeysAreQuotedInThePath) {
    EXPECT_THAT(error_of("\"a b\" = 1"), StartsWith("t.toml:1:1: \"a b\": unknown key;"));
}

TEST(Keyboard, EveryKeyAccepted) {
    Config config = parse_ok(R"([keyboard]
rules = "evdev"
model = "pc105"
layout = "us,de"
variant = ",nodeadkeys"
options = "grp:alt_shift_toggle"
repeat_rate = 0
repeat_delay = 10000
)");
    EXPECT_EQ(config.keyboard.rules, "evdev");
    EXPECT_EQ(config.keyboard.model, "pc105");
    EXPECT_EQ(config.keyboard.layout, "us,de");
    EXPECT_EQ(config.keyboard.variant, ",nodeadkeys");
    EXPECT_EQ(config.keyboard.options, "grp:alt_shift_toggle");
    EXPECT_EQ(config.keyboard.repeat_rate, 0);
    EXPECT_EQ(config.keyboard.repeat_delay, 10000);
}

TEST(Keyboard, PartialTableKeepsOtherDefaults) {
    Config config = parse_ok("[keyboard]\nlayout = \"fr\"");
    EXPECT_EQ(config.keyboard.layout, "fr");
    EXPECT_EQ(config.keyboard.repeat_rate, 25);
    EXPECT_EQ(config.keyboard.rules, "");
}

TEST(Keyboard, BadValues) {
    EXPECT_EQ(error_of("[keyboard]\nrepeat_rate = 1001"),
              "t.toml:2:15: keyboard.repeat_rate: expected an integer from 0 to 1000, got 1001");
    EXPECT_EQ(error_of("[keyboard]\nrepeat_rate = -1"),
              "t.toml:2:15: keyboard.repeat_rate: expected an integer from 0 to 1000, got -1");
    EXPECT_EQ(error_of("[keyboard]\nrepeat_delay = 10001"),
              "t.toml:2:16: keyboard.repeat_delay: expected an integer from 0 to 10000, got "
              "10001");
    EXPECT_EQ(error_of("[keyboard]\nlayout = 1"),
              "t.toml:2:10: keyboard.layout: expected a string, got 1");
    for (auto key : {"rules", "model", "variant", "options"})
        EXPECT_THAT(error_of(std::format("[keyboard]\n{} = false", key)),
                    HasSubstr(std::format("keyboard.{}: expected a string, got false", key)));
}

TEST(Keyboard, UnknownKey) {
    EXPECT_EQ(error_of("[keyboard]\nlayuot = \"us\""),
              "t.toml:2:1: keyboard.layuot: unknown key; expected one of rules, model, layout, "
              "variant, options, repeat_rate, repeat_delay");
}

TEST(Keyboard, MustBeATable) {
    EXPECT_EQ(error_of("keyboard = 5"), "t.toml:1:12: keyboard: expected a table, got 5");
}

TEST(Syntax, ErrorsHaveFileLineAndColumn) {
    std::string error = error_of("font = \"x\"\nborder_width = \n");
    EXPECT_THAT(error, StartsWith("t.toml:2:16: invalid TOML: "));
    EXPECT_THAT(error, Not(HasSubstr("\n")));
}

TEST(Syntax, DuplicateKey) {
    std::string error = error_of("font = \"a\"\nfont = \"b\"\n");
    EXPECT_THAT(error, StartsWith("t.toml:2:8: invalid TOML: "));
    EXPECT_THAT(error, HasSubstr("font"));
}

TEST(Syntax, UnterminatedStringAndBadTableHeader) {
    EXPECT_THAT(error_of("\n\nfont = \"abc\n"), StartsWith("t.toml:3:"));
    EXPECT_THAT(error_of("[keyboard\nlayout = \"us\"\n"), StartsWith("t.toml:1:"));
}

TEST(Syntax, MessageStartsLowerCase) {
    std::string error = error_of("a = ");
    std::string message = error.substr(error.find(": ") + 2);
    EXPECT_THAT(message, StartsWith("invalid TOML: "));
    std::string detail = message.substr(std::string("invalid TOML: ").size());
    ASSERT_FALSE(detail.empty());
    EXPECT_FALSE(detail[0] >= 'A' && detail[0] <= 'Z') << detail;
}

TEST(ConfigError, FormatWithAndWithoutPosition) {
    EXPECT_EQ((ConfigError{"a.toml", 3, 7, "oops"}).format(), "a.toml:3:7: oops");
    EXPECT_EQ((ConfigError{"a.toml", 0, 0, "cannot read: no"}).format(), "a.toml: cannot read: no");
}

} // namespace
} // namespace spectrum::config
