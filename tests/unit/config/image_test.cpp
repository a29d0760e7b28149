// [image.NAME] tables, image_dir, and the image and network keys of [vm.NAME].
#include "parse_helpers.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <string>

namespace spectrum::config {
namespace {

using testing::error_of;
using testing::parse_ok;
using ::testing::HasSubstr;

TEST(Image, DefaultsWithoutAnyImage) {
    Config config = parse_ok("");
    EXPECT_EQ(config.image_dir, "/var/cache/spectrum/images");
    EXPECT_TRUE(config.images.empty());
    // The built-in base exists without being declared and has no packages of its own.
    const ImageConfig* base = config.find_image("base");
    ASSERT_NE(base, nullptr);
    EXPECT_EQ(base->name, "base");
    EXPECT_TRUE(base->packages.empty());
    EXPECT_EQ(config.find_image("term"), nullptr);
    EXPECT_EQ(config.find_image(""), nullptr);
}

TEST(Image, TablesSortedByNameWithPackagesAsWritten) {
    Config config = parse_ok(R"(image_dir = "/tmp/img"
[image.web]
packages = ["firefox-esr", "fonts-noto-color-emoji"]

[image.term]
packages = ["foot", "libstdc++6", "g++-14", "python3.13"]

[image.empty]
)");
    EXPECT_EQ(config.image_dir, "/tmp/img");
    ASSERT_EQ(config.images.size(), 3u);
    EXPECT_EQ(config.images[0].name, "empty");
    EXPECT_TRUE(config.images[0].packages.empty());
    EXPECT_EQ(config.images[1].name, "term");
    EXPECT_EQ(config.images[1].packages,
              (std::vector<std::string>{"foot", "libstdc++6", "g++-14", "python3.13"}));
    EXPECT_EQ(config.images[1].line, 5);
    EXPECT_EQ(config.images[1].column, 1);
    EXPECT_EQ(config.images[2].name, "web");
    ASSERT_NE(config.find_image("web"), nullptr);
    EXPECT_EQ(config.find_image("web")->packages[0], "firefox-esr");
}

TEST(Image, PackageNameSyntax) {
    for (const char* good : {"hello", "g++", "libglib2.0-bin", "0ad", "x11-apps", "ab"})
        EXPECT_TRUE(valid_package_name(good)) << good;
    for (const char* bad : {"", "a", "Foo", "-x", ".x", "+x", "foo bar", "foo=1.0", "foo/trixie",
                            "foo_1", "../etc", "a\nb", "--option"})
        EXPECT_FALSE(valid_package_name(bad)) << bad;
    EXPECT_FALSE(valid_package_name(std::string(129, 'a')));
}

TEST(Image, BadPackageNamesAreErrorsAtTheName) {
    EXPECT_EQ(error_of("[image.term]\npackages = [\"foot\", \"Foot\"]\n"),
              "t.toml:2:21: image.term.packages[1]: expected a Debian package name (a-z, 0-9, "
              "\"+\", \"-\", \".\"; at least 2 characters, starting with a letter or digit), "
              "got \"Foot\"");
    EXPECT_THAT(error_of("[image.term]\npackages = [\"--allow-unauthenticated\"]\n"),
                HasSubstr("t.toml:2:13: image.term.packages[0]: expected a Debian package name"));
    EXPECT_THAT(error_of("[image.term]\npackages = [1]\n"),
                HasSubstr("image.term.packages[0]: expected a Debian package name"));
    EXPECT_THAT(error_of("[image.term]\npackages = \"foot\"\n"),
                HasSubstr("t.toml:2:12: image.term.packages: expected an array of Debian package "
                          "names, got \"foot\""));
}

TEST(Image, NamesFollowTheVmRuleAndBaseIsReserved) {
    EXPECT_THAT(error_of("[image.Term]\n"), HasSubstr("t.toml:1:1: image.Term: invalid image name"));
    EXPECT_THAT(error_of("[image.base]\npackages = [\"foot\"]\n"),
                HasSubstr("image.base: the name \"base\" is the built-in image"));
    EXPECT_THAT(error_of("image = 3\n"), HasSubstr("t.toml:1:9: image: expected a table"));
    EXPECT_THAT(error_of("[image.term]\npackage = [\"foot\"]\n"),
                HasSubstr("t.toml:2:1: image.term.package: unknown key; expected one of packages"));
    EXPECT_THAT(error_of("image_dir = \"\"\n"), HasSubstr("t.toml:1:13: image_dir: expected"));
}

TEST(Image, VmImageAndNetwork) {
    Config config = parse_ok(R"(
[vm.red]
color = "#cc0000"
image = "term"
network = "user"

[vm.blue]
color = "#3465a4"
image = "base"

[vm.green]
color = "#00cc00"

[image.term]
packages = ["foot"]
)");
    ASSERT_EQ(config.vms.size(), 3u);
    EXPECT_EQ(config.find_vm("red")->image, "term");
    EXPECT_EQ(config.find_vm("red")->network, "user");
    EXPECT_EQ(config.find_vm("blue")->image, "base");
    EXPECT_EQ(config.find_vm("blue")->network, "none");
    EXPECT_EQ(config.find_vm("green")->image, "");
    EXPECT_EQ(config.find_vm("green")->network, "none");
}

TEST(Image, VmImageMustBeDeclared) {
    EXPECT_EQ(error_of("[image.web]\n[vm.red]\ncolor = \"#cc0000\"\nimage = \"term\"\n"),
              "t.toml:4:9: vm.red.image: no image named \"term\" (declared: base, web); add an "
              "[image.term] table with its packages");
    EXPECT_THAT(error_of("[vm.red]\ncolor = \"#cc0000\"\nimage = \"\"\n"),
                HasSubstr("t.toml:3:9: vm.red.image: expected an image name"));
    EXPECT_THAT(error_of("[vm.red]\ncolor = \"#cc0000\"\nimage = \"../x\"\n"),
                HasSubstr("vm.red.image: expected an image name"));
    EXPECT_THAT(error_of("[vm.red]\ncolor = \"#cc0000\"\nnetwork = \"host\"\n"),
                HasSubstr("t.toml:3:11: vm.red.network: expected one of"));
}

} // namespace
} // namespace spectrum::config
