// What backup() refuses to archive, and that a refused backup leaves no file behind.
#include "store.hpp"
#include "store_fixture.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

namespace {

using namespace store_test;
namespace store = spectrum::vmbridge::store;
using ::testing::HasSubstr;

class Backup : public ::testing::Test {
  protected:
    void SetUp() override {
        make_sample_store(state);
        write_file(config, sample_config(state));
    }

    // backup() fails with `why`, and the directory holds what it held before.
    void expect_refused(std::string_view why) {
        auto before = tree_listing(work.path());
        auto refused = store::backup(config, state, archive);
        ASSERT_FALSE(refused);
        EXPECT_THAT(refused.error(), HasSubstr(why));
        EXPECT_THAT(refused.error(), ::testing::Not(HasSubstr("\n")));
        EXPECT_EQ(tree_listing(work.path()), before);
    }

    TempDir work;
    fs::path state = work / "state";
    fs::path config = work / "spectrum.toml";
    fs::path archive = work / "backup.tar";
};

TEST_F(Backup, RefusesASymlinkInTheStore) {
    fs::create_symlink("/etc/passwd", state / "web" / "link");
    expect_refused((state / "web" / "link").string() +
                   ": is a symbolic link; the state store holds only files and directories");
}

TEST_F(Backup, RefusesAFifoInTheStore) {
    ASSERT_EQ(mkfifo((state / "mail" / "pipe").c_str(), 0600), 0);
    expect_refused("pipe: is a FIFO");
}

TEST_F(Backup, RefusesAFileDirectlyInTheStore) {
    write_file(state / "stray.img", "not in a VM directory\n");
    expect_refused("stray.img: not a directory; the state store holds one directory per VM");
}

TEST_F(Backup, RefusesANameWithANewline) {
    write_file(state / "web" / "two\nlines", "x");
    expect_refused("two?lines: has a control character in its name; rename it");
}

TEST_F(Backup, RefusesAnArchiveInsideTheStore) {
    archive = state / "web" / "backup.tar";
    expect_refused("inside the state store");
}

TEST_F(Backup, RefusesAMissingConfigOrStore) {
    fs::remove(config);
    expect_refused(config.string() + ": no such file or directory; pass the config file in use");
    write_file(config, sample_config(state));
    fs::remove_all(state);
    expect_refused(state.string() + ": no such file or directory; check state_dir in the config");
}

TEST_F(Backup, RefusesAConfigInsideTheStore) {
    config = state / "web" / "spectrum.toml";
    write_file(config, sample_config(state));
    expect_refused("spectrum.toml: inside the state store");
}

TEST_F(Backup, RefusesAMissingDestinationDirectory) {
    archive = work / "no-such-dir" / "backup.tar";
    expect_refused("pick a writable directory for the backup");
}

TEST_F(Backup, ReplacesAnExistingArchiveWithAPrivateOne) {
    write_file(archive, "an older backup\n", 0644);
    auto backed_up = store::backup(config, state, archive);
    ASSERT_TRUE(backed_up) << backed_up.error();
    EXPECT_TRUE(store::verify(archive));
    // It holds every VM's data.
    EXPECT_EQ(fs::status(archive).permissions(), static_cast<fs::perms>(0600));
}

TEST_F(Backup, FollowsASymlinkedConfig) {
    write_file(work / "dotfiles-config.toml", sample_config(state));
    fs::remove(config);
    fs::create_symlink(work / "dotfiles-config.toml", config);
    ASSERT_TRUE(store::backup(config, state, archive));
    auto text = store::archived_config(archive);
    ASSERT_TRUE(text) << text.error();
    EXPECT_EQ(*text, sample_config(state));
}

} // namespace
