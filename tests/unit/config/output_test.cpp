// [[output]] tables.
#include "parse_helpers.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace spectrum::config {
namespace {

using testing::error_of;
using testing::parse_ok;
using ::testing::StartsWith;

TEST(Output, EveryKey) {
    Config config = parse_ok(R"([[output]]
name = "DP-1"
mode = "2560x1440@143.9"
scale = 1.5
position = "-2560,0"
enabled = false
)");
    ASSERT_EQ(config.outputs.size(), 1u);
    const OutputConfig& output = config.outputs[0];
    EXPECT_EQ(output.name, "DP-1");
    EXPECT_EQ(output.width, 2560);
    EXPECT_EQ(output.height, 1440);
    EXPECT_DOUBLE_EQ(output.refresh.value_or(0), 143.9);
    EXPECT_DOUBLE_EQ(output.scale, 1.5);
    EXPECT_EQ(output.x, -2560);
    EXPECT_EQ(output.y, 0);
    EXPECT_FALSE(output.enabled);
}

TEST(Output, DefaultsAndOrder) {
    Config config = parse_ok(R"([[output]]
mode = "1920x1080"
scale = 2
[[output]]
name = "HDMI-A-1"
)");
    ASSERT_EQ(config.outputs.size(), 2u);
    EXPECT_EQ(config.outputs[0].name, "*");
    EXPECT_EQ(config.outputs[0].width, 1920);
    EXPECT_EQ(config.outputs[0].height, 1080);
    EXPECT_FALSE(config.outputs[0].refresh);
    EXPECT_DOUBLE_EQ(config.outputs[0].scale, 2.0);
    EXPECT_FALSE(config.outputs[0].x);
    EXPECT_TRUE(config.outputs[0].enabled);
    EXPECT_EQ(config.outputs[1].name, "HDMI-A-1");
    EXPECT_FALSE(config.outputs[1].width);
    EXPECT_DOUBLE_EQ(config.outputs[1].scale, 1.0);
}

TEST(Output, InlineArrayOfTables) {
    Config config = parse_ok(R"(output = [{ name = "eDP-1", scale = 1.25 }])");
    ASSERT_EQ(config.outputs.size(), 1u);
    EXPECT_EQ(config.outputs[0].name, "eDP-1");
    EXPECT_DOUBLE_EQ(config.outputs[0].scale, 1.25);
}

TEST(Output, ScaleBounds) {
    EXPECT_DOUBLE_EQ(parse_ok("[[output]]\nscale = 0.25").outputs.at(0).scale, 0.25);
    EXPECT_DOUBLE_EQ(parse_ok("[[output]]\nscale = 8").outputs.at(0).scale, 8.0);
    EXPECT_EQ(error_of("[[output]]\nscale = 0.2"),
              "t.toml:2:9: output[0].scale: expected a number from 0.25 to 8, got 0.2");
    EXPECT_EQ(error_of("[[output]]\nscale = 9"),
              "t.toml:2:9: output[0].scale: expected a number from 0.25 to 8, got 9");
    EXPECT_EQ(error_of("[[output]]\nscale = nan"),
              "t.toml:2:9: output[0].scale: expected a number from 0.25 to 8, got nan");
    EXPECT_EQ(error_of("[[output]]\nscale = \"2\""),
              "t.toml:2:9: output[0].scale: expected a number from 0.25 to 8, got \"2\"");
}

TEST(Output, BadMode) {
    EXPECT_EQ(error_of("[[output]]\nmode = \"1920*1080\""),
              "t.toml:2:8: output[0].mode: expected \"WIDTHxHEIGHT\" or \"WIDTHxHEIGHT@HZ\" like "
              "\"1920x1080@60\" (sides up to 16384, rate up to 1000 Hz), got \"1920*1080\"");
    EXPECT_THAT(error_of("[[output]]\nmode = 1920"), StartsWith("t.toml:2:8: output[0].mode: "));
}

TEST(Output, BadPosition) {
    EXPECT_EQ(error_of("[[output]]\nposition = \"1,2,3\""),
              "t.toml:2:12: output[0].position: expected \"X,Y\" like \"1920,0\" (each from "
              "-1000000 to 1000000), got \"1,2,3\"");
    EXPECT_THAT(error_of("[[output]]\nposition = [0, 0]"),
                StartsWith("t.toml:2:12: output[0].position: expected \"X,Y\""));
}

TEST(Output, BadNameAndEnabled) {
    EXPECT_EQ(error_of("[[output]]\nname = \"\""),
              "t.toml:2:8: output[0].name: expected a non-empty string, got \"\"");
    EXPECT_EQ(error_of("[[output]]\nenabled = \"yes\""),
              "t.toml:2:11: output[0].enabled: expected true or false, got \"yes\"");
}

TEST(Output, ErrorNamesWhichOutput) {
    EXPECT_EQ(error_of("[[output]]\n[[output]]\n\nscale = 9"),
              "t.toml:4:9: output[1].scale: expected a number from 0.25 to 8, got 9");
}

TEST(Output, UnknownKey) {
    EXPECT_EQ(error_of("[[output]]\nrefresh = 60"),
              "t.toml:2:1: output[0].refresh: unknown key; expected one of name, mode, scale, "
              "position, enabled");
}

TEST(Output, MustBeTables) {
    EXPECT_EQ(error_of("output = 5"), "t.toml:1:10: output: expected [[output]] tables, got 5");
    EXPECT_EQ(error_of("[output]\nname = \"x\""),
              "t.toml:1:1: output: expected [[output]] tables, got a table");
    EXPECT_EQ(error_of("output = [5]"), "t.toml:1:11: output[0]: expected a table, got 5");
}

} // namespace
} // namespace spectrum::config
