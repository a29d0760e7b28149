// [limits] and the per-VM [vm.NAME.limits] overrides.
#include "parse_helpers.hpp"

#include <format>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace spectrum::config {
namespace {

using testing::error_of;
using testing::parse_ok;
using ::testing::StartsWith;

TEST(Limits, Defaults) {
    Limits limits = parse_ok("").limits;
    EXPECT_EQ(limits.clients, 16u);
    EXPECT_EQ(limits.surfaces, 1024u);
    EXPECT_EQ(limits.toplevels, 64u);
    EXPECT_EQ(limits.buffer_width, 8192u);
    EXPECT_EQ(limits.buffer_height, 8192u);
    EXPECT_EQ(limits.shm_bytes, 1ull << 30);
    EXPECT_EQ(limits.title_length, 128u);
    EXPECT_EQ(limits.clipboard_bytes, 16ull << 20);
    EXPECT_EQ(limits.damage_rects, 256u);
    EXPECT_EQ(limits.region_rects, 1024u);
    EXPECT_EQ(limits.shm_pools, 512u);
    EXPECT_EQ(limits.offers, 128u);
    EXPECT_EQ(limits.mime_type_length, 256u);
    EXPECT_EQ(limits.offer_bytes, 1ull << 20);
    EXPECT_EQ(limits.objects, 32768u);
}

TEST(Limits, EveryKey) {
    Limits limits = parse_ok(R"([limits]
clients = 4
surfaces = 100
toplevels = 8
buffer_width = 3840
buffer_height = 2160
shm_bytes = "64M"
title_length = 40
clipboard_bytes = 1024
damage_rects = 64
region_rects = 128
shm_pools = 32
offers = 16
mime_type_length = 100
offer_bytes = "64K"
objects = 1000
)")
                        .limits;
    EXPECT_EQ(limits.clients, 4u);
    EXPECT_EQ(limits.surfaces, 100u);
    EXPECT_EQ(limits.toplevels, 8u);
    EXPECT_EQ(limits.buffer_width, 3840u);
    EXPECT_EQ(limits.buffer_height, 2160u);
    EXPECT_EQ(limits.shm_bytes, 64ull << 20);
    EXPECT_EQ(limits.title_length, 40u);
    EXPECT_EQ(limits.clipboard_bytes, 1024u);
    EXPECT_EQ(limits.damage_rects, 64u);
    EXPECT_EQ(limits.region_rects, 128u);
    EXPECT_EQ(limits.shm_pools, 32u);
    EXPECT_EQ(limits.offers, 16u);
    EXPECT_EQ(limits.mime_type_length, 100u);
    EXPECT_EQ(limits.offer_bytes, 64ull << 10);
    EXPECT_EQ(limits.objects, 1000u);
}

TEST(Limits, ByteSizeSpellings) {
    EXPECT_EQ(parse_ok("[limits]\nshm_bytes = \"1G\"").limits.shm_bytes, 1ull << 30);
    EXPECT_EQ(parse_ok("[limits]\nshm_bytes = \"512K\"").limits.shm_bytes, 512ull << 10);
    EXPECT_EQ(parse_ok("[limits]\nclipboard_bytes = \"16MiB\"").limits.clipboard_bytes,
              16ull << 20);
    EXPECT_EQ(parse_ok("[limits]\nclipboard_bytes = 65536").limits.clipboard_bytes, 65536u);
}

TEST(Limits, CountsMustBePositive32BitIntegers) {
    EXPECT_EQ(error_of("[limits]\nclients = 0"),
              "t.toml:2:11: limits.clients: expected an integer from 1 to 4294967295, got 0");
    EXPECT_EQ(error_of("[limits]\nsurfaces = 4294967296"),
              "t.toml:2:12: limits.surfaces: expected an integer from 1 to 4294967295, got "
              "4294967296");
    EXPECT_EQ(error_of("[limits]\nclients = \"16\""),
              "t.toml:2:11: limits.clients: expected an integer from 1 to 4294967295, got \"16\"");
    EXPECT_EQ(parse_ok("[limits]\ntoplevels = 4294967295").limits.toplevels, 4294967295u);
    for (auto key : {"toplevels", "buffer_width", "buffer_height", "title_length", "damage_rects",
                     "region_rects", "shm_pools", "offers", "mime_type_length"})
        EXPECT_THAT(error_of(std::format("[limits]\n{} = -5", key)),
                    StartsWith(std::format("t.toml:2:{}: limits.{}: expected an integer from 1 ",
                                           std::string_view(key).size() + 4, key)));
}

TEST(Limits, BadByteSizes) {
    EXPECT_EQ(error_of("[limits]\nshm_bytes = \"lots\""),
              "t.toml:2:13: limits.shm_bytes: expected a positive number of bytes or a size like "
              "\"512K\", \"64M\", \"1G\" or \"16MiB\", got \"lots\"");
    EXPECT_THAT(error_of("[limits]\nshm_bytes = 0"),
                StartsWith("t.toml:2:13: limits.shm_bytes: expected a positive number of bytes"));
    EXPECT_THAT(error_of("[limits]\nclipboard_bytes = \"0M\""),
                StartsWith("t.toml:2:19: limits.clipboard_bytes: expected a positive number"));
    EXPECT_THAT(error_of("[limits]\nclipboard_bytes = 1.5"),
                StartsWith("t.toml:2:19: limits.clipboard_bytes: expected a positive number"));
}

TEST(Limits, UnknownKey) {
    EXPECT_EQ(error_of("[limits]\nwindows = 3"),
              "t.toml:2:1: limits.windows: unknown key; expected one of clients, surfaces, "
              "toplevels, buffer_width, buffer_height, shm_bytes, title_length, clipboard_bytes, "
              "damage_rects, region_rects, shm_pools, offers, mime_type_length, offer_bytes, objects");
}

TEST(Limits, VmOverridesMergeOverTheGlobalOnes) {
    Config config = parse_ok(R"([limits]
clients = 8
toplevels = 10

[vm.red]
color = "#cc0000"

[vm.red.limits]
clients = 2
clipboard_bytes = "1M"

[vm.blue]
color = "#3465a4"
)");
    const VmConfig* red = config.find_vm("red");
    const VmConfig* blue = config.find_vm("blue");
    ASSERT_NE(red, nullptr);
    ASSERT_NE(blue, nullptr);
    EXPECT_EQ(red->limits.clients, 2u);               // its own
    EXPECT_EQ(red->limits.clipboard_bytes, 1u << 20); // its own
    EXPECT_EQ(red->limits.toplevels, 10u);            // global [limits]
    EXPECT_EQ(red->limits.surfaces, 1024u);           // built-in default
    EXPECT_EQ(blue->limits, config.limits);
    EXPECT_EQ(config.limits.clients, 8u); // the override stays the VM's
}

TEST(Limits, GlobalLimitsLaterInTheFileStillApply) {
    Config config = parse_ok(R"([vm.red]
color = "#cc0000"
limits = { surfaces = 5 }

[limits]
toplevels = 3
)");
    const VmConfig* red = config.find_vm("red");
    ASSERT_NE(red, nullptr);
    EXPECT_EQ(red->limits.surfaces, 5u);
    EXPECT_EQ(red->limits.toplevels, 3u);
}

TEST(Limits, BadVmOverride) {
    EXPECT_EQ(error_of("[vm.red]\ncolor = \"#cc0000\"\n[vm.red.limits]\nclients = 0"),
              "t.toml:4:11: vm.red.limits.clients: expected an integer from 1 to 4294967295, got "
              "0");
    EXPECT_THAT(error_of("[vm.red]\ncolor = \"#cc0000\"\n[vm.red.limits]\ncolor = 1"),
                StartsWith("t.toml:4:1: vm.red.limits.color: unknown key; expected one of "
                           "clients, "));
    EXPECT_EQ(error_of("[vm.red]\ncolor = \"#cc0000\"\nlimits = 5"),
              "t.toml:3:10: vm.red.limits: expected a table, got 5");
}

} // namespace
} // namespace spectrum::config
