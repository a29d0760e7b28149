#include <gtest/gtest.h>

#include <string_view>
#include <vector>

#include "options.hpp"

namespace bench {
namespace {

std::expected<Options, std::string> parse(std::vector<std::string_view> args) {
    return parse_options(args);
}

TEST(Options, DefaultsWithoutArguments) {
    auto o = parse({});
    ASSERT_TRUE(o);
    EXPECT_EQ(o->windows, 1);
    EXPECT_EQ(o->damage, Damage::Small);
    EXPECT_EQ(o->buffers, 3);
    EXPECT_FALSE(o->signals);
}

TEST(Options, ReadsEveryValue) {
    auto o = parse({"--windows", "64", "--width", "200", "--height", "100", "--damage", "full",
                    "--duration", "2.5", "--warmup", "0", "--buffers", "2", "--title", "vm3",
                    "--signals", "--samples", "--ready-timeout", "60", "--draw-ms", "12.5"});
    ASSERT_TRUE(o) << o.error();
    EXPECT_EQ(o->windows, 64);
    EXPECT_EQ(o->width, 200);
    EXPECT_EQ(o->height, 100);
    EXPECT_EQ(o->damage, Damage::Full);
    EXPECT_DOUBLE_EQ(o->duration_s, 2.5);
    EXPECT_DOUBLE_EQ(o->warmup_s, 0.0);
    EXPECT_EQ(o->buffers, 2);
    EXPECT_EQ(o->title, "vm3");
    EXPECT_TRUE(o->signals);
    EXPECT_TRUE(o->samples);
    EXPECT_DOUBLE_EQ(o->ready_timeout_s, 60.0);
    EXPECT_DOUBLE_EQ(o->draw_ms, 12.5);
}

TEST(Options, RejectsOutOfRangeAndJunk) {
    EXPECT_EQ(parse({"--buffers", "4"}).error(), "--buffers: 4 is outside 2..3");
    EXPECT_EQ(parse({"--windows", "0"}).error(), "--windows: 0 is outside 1..4096");
    EXPECT_EQ(parse({"--width", "12px"}).error(), "--width: '12px' is not a number");
    EXPECT_EQ(parse({"--damage", "some"}).error(), "--damage: 'some' is neither small nor full");
    EXPECT_EQ(parse({"--height"}).error(), "--height needs a value");
    EXPECT_EQ(parse({"--fast"}).error(), "unknown option --fast");
    EXPECT_EQ(parse({"--draw-ms", "1001"}).error(), "--draw-ms: 1001 is outside 0..1000");
}

TEST(Options, HelpIsAnEmptyError) {
    auto o = parse({"--help"});
    ASSERT_FALSE(o);
    EXPECT_TRUE(o.error().empty());
    EXPECT_NE(usage().find("--damage small|full"), std::string_view::npos);
}

} // namespace
} // namespace bench
