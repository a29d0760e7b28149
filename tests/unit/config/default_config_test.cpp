// config/spectrum.toml, the built-in default.
#include "config.hpp"

#include <fstream>
#include <gtest/gtest.h>
#include <sstream>

namespace spectrum::config {
namespace {

std::string read_source_file(const char* name) {
    std::ifstream in(std::string(SPECTRUM_CONFIG_SOURCE_DIR) + "/" + name, std::ios::binary);
    EXPECT_TRUE(in) << "cannot open " << SPECTRUM_CONFIG_SOURCE_DIR << "/" << name;
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

TEST(DefaultConfig, BuiltInTextIsTheFileOnDisk) {
    std::string on_disk = read_source_file("spectrum.toml");
    ASSERT_FALSE(on_disk.empty());
    EXPECT_EQ(default_text(), on_disk);
}

TEST(DefaultConfig, Parses) {
    auto config = parse(default_text(), "spectrum.toml");
    ASSERT_TRUE(config) << config.error().format();
}

TEST(DefaultConfig, DeclaresTheTwoDemoVmsNotAutostarted) {
    auto config = parse(default_text(), "<built-in>");
    ASSERT_TRUE(config);
    ASSERT_EQ(config->vms.size(), 2u);
    const VmConfig* red = config->find_vm("red");
    const VmConfig* blue = config->find_vm("blue");
    ASSERT_NE(red, nullptr);
    ASSERT_NE(blue, nullptr);
    EXPECT_EQ(red->color.hex(), "#cc0000");
    EXPECT_EQ(blue->color.hex(), "#3465a4");
    for (const VmConfig* vm : {red, blue}) {
        EXPECT_EQ(vm->app, "weston-simple-shm");
        EXPECT_FALSE(vm->autostart);
        EXPECT_EQ(vm->kernel, "");
        EXPECT_EQ(vm->initramfs, "");
        EXPECT_EQ(vm->label, vm->name);
        EXPECT_GT(vm->line, 0);
    }
}

TEST(DefaultConfig, EveryValueItSetsIsTheCompiledInDefault) {
    // The file documents the defaults by setting them; this keeps the two in step.
    auto from_file = parse(default_text(), "x");
    auto from_nothing = parse("", "x");
    ASSERT_TRUE(from_file);
    ASSERT_TRUE(from_nothing);
    from_file->vms.clear();
    EXPECT_EQ(*from_file, *from_nothing);
}

} // namespace
} // namespace spectrum::config
