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

TEST(DefaultConfig, DeclaresTheTwoDemoVmsOnImagesNotAutostarted) {
    auto config = parse(default_text(), "<built-in>");
    ASSERT_TRUE(config);
    ASSERT_EQ(config->vms.size(), 2u);
    const VmConfig* term = config->find_vm("term");
    const VmConfig* web = config->find_vm("web");
    ASSERT_NE(term, nullptr);
    ASSERT_NE(web, nullptr);
    EXPECT_EQ(term->app, "foot");
    EXPECT_EQ(term->network, "none");
    EXPECT_EQ(web->app, "firefox-esr");
    EXPECT_EQ(web->network, "user");
    for (const VmConfig* vm : {term, web}) {
        EXPECT_EQ(vm->image, vm->name);
        ASSERT_NE(config->find_image(vm->image), nullptr);
        EXPECT_FALSE(vm->autostart);
        EXPECT_EQ(vm->kernel, "") << "the image's own kernel";
        EXPECT_EQ(vm->label, vm->name);
        EXPECT_GT(vm->line, 0);
    }
    EXPECT_EQ(config->find_image("term")->packages, std::vector<std::string>{"foot"});
    EXPECT_EQ(config->find_image("web")->packages, std::vector<std::string>{"firefox-esr"});
}

TEST(DefaultConfig, EveryValueItSetsIsTheCompiledInDefault) {
    // The file documents the defaults by setting them; this keeps the two in step.
    auto from_file = parse(default_text(), "x");
    auto from_nothing = parse("", "x");
    ASSERT_TRUE(from_file);
    ASSERT_TRUE(from_nothing);
    from_file->vms.clear();
    from_file->images.clear();
    EXPECT_EQ(*from_file, *from_nothing);
}

} // namespace
} // namespace spectrum::config
