// load(): reading from disk, the built-in fallback, and unreadable files.
#include "config.hpp"

#include <filesystem>
#include <fstream>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

namespace spectrum::config {
namespace {

namespace fs = std::filesystem;
using ::testing::StartsWith;

class Load : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() /
               ("spectrum-config-test-" + std::to_string(getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    void TearDown() override {
        std::error_code ignored;
        fs::permissions(dir_ / "locked.toml", fs::perms::owner_all, ignored);
        fs::remove_all(dir_, ignored);
    }
    fs::path write(std::string_view name, std::string_view text) {
        fs::path path = dir_ / name;
        std::ofstream(path) << text;
        return path;
    }
    fs::path dir_;
};

TEST_F(Load, MissingFileGivesTheBuiltInDefault) {
    auto config = load(dir_ / "does-not-exist.toml");
    ASSERT_TRUE(config) << config.error().format();
    EXPECT_EQ(config->source, "<built-in>");
    auto builtin = parse(default_text(), "<built-in>");
    ASSERT_TRUE(builtin);
    EXPECT_EQ(*config, *builtin);
    EXPECT_NE(config->find_vm("term"), nullptr);
}

TEST_F(Load, ReadsTheFileAndNamesItAsSource) {
    fs::path path = write("spectrum.toml", "border_width = 9\n[vm.green]\ncolor = \"#00ff00\"\n");
    auto config = load(path);
    ASSERT_TRUE(config) << config.error().format();
    EXPECT_EQ(config->source, path.string());
    EXPECT_EQ(config->border_width, 9);
    ASSERT_EQ(config->vms.size(), 1u);
    EXPECT_EQ(config->vms[0].name, "green");
}

TEST_F(Load, ErrorsNameTheFile) {
    fs::path path = write("bad.toml", "\nborder_width = 99\n");
    auto config = load(path);
    ASSERT_FALSE(config);
    EXPECT_EQ(config.error().file, path.string());
    EXPECT_EQ(config.error().format(),
              path.string() + ":2:16: border_width: expected an integer from 0 to 64, got 99");
}

TEST_F(Load, EmptyFileIsAllDefaultsWithoutVms) {
    auto config = load(write("empty.toml", ""));
    ASSERT_TRUE(config);
    EXPECT_TRUE(config->vms.empty());
    EXPECT_EQ(config->border_width, 4);
}

TEST_F(Load, DirectoryIsUnreadable) {
    auto config = load(dir_);
    ASSERT_FALSE(config);
    EXPECT_EQ(config.error().line, 0);
    EXPECT_EQ(config.error().column, 0);
    EXPECT_EQ(config.error().format(), dir_.string() + ": cannot read: is a directory");
}

TEST_F(Load, PermissionDenied) {
    if (geteuid() == 0) GTEST_SKIP() << "root reads any file";
    fs::path path = write("locked.toml", "border_width = 1\n");
    fs::permissions(path, fs::perms::none);
    auto config = load(path);
    ASSERT_FALSE(config);
    EXPECT_EQ(config.error().format(), path.string() + ": cannot read: permission denied");
}

TEST_F(Load, MissingParentDirectoryIsAlsoMissing) {
    auto config = load(dir_ / "no" / "such" / "spectrum.toml");
    ASSERT_TRUE(config);
    EXPECT_EQ(config->source, "<built-in>");
}

TEST_F(Load, PathThroughAFileIsAnError) {
    fs::path file = write("plain", "x");
    auto config = load(file / "spectrum.toml");
    ASSERT_FALSE(config);
    EXPECT_EQ(config.error().format(),
              (file / "spectrum.toml").string() + ": cannot read: not a directory");
}

TEST_F(Load, OtherOpenErrorsAreReported) {
    // Works as root too, unlike a permission test.
    fs::create_symlink(dir_ / "loop", dir_ / "loop");
    auto config = load(dir_ / "loop");
    ASSERT_FALSE(config);
    EXPECT_EQ(config.error().format(),
              (dir_ / "loop").string() + ": cannot read: too many levels of symbolic links");
}

TEST_F(Load, BrokenSymbolicLinkIsAnErrorNotTheDefault) {
    fs::create_symlink(dir_ / "gone.toml", dir_ / "spectrum.toml");
    auto config = load(dir_ / "spectrum.toml");
    ASSERT_FALSE(config);
    EXPECT_EQ(config.error().format(),
              (dir_ / "spectrum.toml").string() + ": cannot read: broken symbolic link");
}

TEST_F(Load, FollowsSymbolicLinks) {
    fs::path target = write("real.toml", "cursor_size = 32\n");
    fs::create_symlink(target, dir_ / "spectrum.toml");
    auto config = load(dir_ / "spectrum.toml");
    ASSERT_TRUE(config) << config.error().format();
    EXPECT_EQ(config->cursor_size, 32);
}

TEST_F(Load, HugeFileIsRefused) {
    fs::path path = dir_ / "huge.toml";
    {
        std::ofstream out(path);
        std::string comment = "#" + std::string(1022, 'x') + "\n";
        for (int i = 0; i < 5 * 1024; ++i)
            out << comment;
    }
    auto config = load(path);
    ASSERT_FALSE(config);
    EXPECT_EQ(config.error().format(), path.string() + ": cannot read: larger than 4 MiB");
}

} // namespace
} // namespace spectrum::config
