// Where a restore writes and when it refuses to: non-empty stores, existing configs,
// --force, VM directory modes, symlinked and missing destinations.
#include "store.hpp"
#include "store_fixture.hpp"

#include <algorithm>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

namespace {

using namespace store_test;
namespace store = spectrum::vmbridge::store;
using ::testing::HasSubstr;

class RestoreDestination : public ::testing::Test {
  protected:
    void SetUp() override {
        make_sample_store(state);
        write_file(config, sample_config(state), 0600);
        original = tree_listing(state);
        restored_modes = as_restored(original);
        auto backed_up = store::backup(config, state, archive);
        ASSERT_TRUE(backed_up) << backed_up.error();
    }

    std::vector<std::string> names_in(const fs::path& directory) {
        std::vector<std::string> names;
        for (const auto& entry : fs::directory_iterator(directory))
            names.push_back(entry.path().filename().string());
        std::ranges::sort(names);
        return names;
    }

    TempDir work;
    fs::path state = work / "state";
    fs::path config = work / "spectrum.toml";
    fs::path archive = work / "backup.tar.zst";
    std::string original;
    std::string restored_modes; // original as a restore writes it: 0700 and 0600
};

TEST_F(RestoreDestination, NonEmptyStoreNeedsForce) {
    make_dir(state / "new-vm");
    write_file(state / "web" / "marker.txt", "changed since the backup\n");
    auto before = tree_listing(work.path());

    auto refused = store::restore(archive, config, state, /*force=*/false);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error(), state.string() + ": the state store is not empty; pass --force to "
                                                "replace it (its contents are deleted)");
    EXPECT_EQ(tree_listing(work.path()), before);
}

TEST_F(RestoreDestination, ForceReplacesTheWholeStore) {
    make_dir(state / "new-vm");
    write_file(state / "new-vm" / "disk.img", "not in the backup\n");
    write_file(state / "web" / "marker.txt", "changed since the backup\n");
    fs::remove_all(state / "mail");

    auto restored = store::restore(archive, config, state, /*force=*/true);
    ASSERT_TRUE(restored) << restored.error();
    EXPECT_EQ(tree_listing(state), restored_modes);
    EXPECT_EQ(names_in(work.path()),
              (std::vector<std::string>{"backup.tar.zst", "spectrum.toml", "state"}));
}

TEST_F(RestoreDestination, EmptyStoreNeedsNoForceAndKeepsItsMode) {
    fs::remove_all(state);
    make_dir(state, 0750);
    auto restored = store::restore(archive, config, state, /*force=*/false);
    ASSERT_TRUE(restored) << restored.error();
    EXPECT_EQ(tree_listing(state), restored_modes);
    EXPECT_EQ(fs::status(state).permissions(), static_cast<fs::perms>(0750));
}

TEST_F(RestoreDestination, DifferentConfigNeedsForce) {
    fs::remove_all(state);
    write_file(config, "# another host's config\n", 0644);
    auto before = tree_listing(work.path());

    auto refused = store::restore(archive, config, state, /*force=*/false);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error(), config.string() + ": exists and differs from the archived config; "
                                                 "pass --force to replace it");
    EXPECT_EQ(tree_listing(work.path()), before);

    auto forced = store::restore(archive, config, state, /*force=*/true);
    ASSERT_TRUE(forced) << forced.error();
    EXPECT_EQ(read_file(config), sample_config(state));
    EXPECT_EQ(fs::status(config).permissions(), static_cast<fs::perms>(0600));
    EXPECT_EQ(tree_listing(state), restored_modes);
}

TEST_F(RestoreDestination, IdenticalConfigNeedsNoForce) {
    fs::remove_all(state);
    auto restored = store::restore(archive, config, state, /*force=*/false);
    ASSERT_TRUE(restored) << restored.error();
    EXPECT_EQ(tree_listing(state), restored_modes);
}

TEST_F(RestoreDestination, CreatesMissingParentDirectories) {
    auto new_config = work / "etc" / "spectrum" / "spectrum.toml";
    auto new_state = work / "var" / "lib" / "spectrum";
    auto restored = store::restore(archive, new_config, new_state, false);
    ASSERT_TRUE(restored) << restored.error();
    EXPECT_EQ(tree_listing(new_state), restored_modes);
    EXPECT_EQ(read_file(new_config), sample_config(state));
}

TEST_F(RestoreDestination, ReplacesWhatASymlinkedStorePointsTo) {
    fs::remove_all(state);
    make_dir(work / "real-state");
    make_dir(work / "real-state" / "old-vm");
    fs::create_directory_symlink(work / "real-state", state);

    auto restored = store::restore(archive, config, state, /*force=*/true);
    ASSERT_TRUE(restored) << restored.error();
    EXPECT_TRUE(fs::is_symlink(state));
    EXPECT_EQ(tree_listing(work / "real-state"), restored_modes);
}

TEST_F(RestoreDestination, ForceRemovesAnOldStoreWithReadOnlyDirectories) {
    make_dir(state / "web" / "locked");
    write_file(state / "web" / "locked" / "a", "a\n");
    make_dir(state / "web" / "locked", 0500);
    auto restored = store::restore(archive, config, state, /*force=*/true);
    ASSERT_TRUE(restored) << restored.error();
    EXPECT_EQ(tree_listing(state), restored_modes);
    EXPECT_EQ(names_in(work.path()),
              (std::vector<std::string>{"backup.tar.zst", "spectrum.toml", "state"}));
}

TEST_F(RestoreDestination, RefusesAConfigInsideTheStore) {
    auto refused = store::restore(archive, state / "web" / "spectrum.toml", state, true);
    ASSERT_FALSE(refused);
    EXPECT_THAT(refused.error(), HasSubstr("inside the state store"));
    EXPECT_EQ(tree_listing(state), original);
}

TEST_F(RestoreDestination, RefusesAStoreThatIsAFile) {
    fs::remove_all(state);
    write_file(state, "a file where the store should be\n");
    auto refused = store::restore(archive, config, state, true);
    ASSERT_FALSE(refused);
    EXPECT_THAT(refused.error(), HasSubstr("exists and is not a directory"));
    EXPECT_EQ(read_file(state), "a file where the store should be\n");
}

TEST_F(RestoreDestination, RefusesAMissingArchive) {
    auto refused = store::restore(work / "missing.tar", config, state, true);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error(), (work / "missing.tar").string() +
                                   ": no such file or directory; check the archive's path");
    EXPECT_EQ(tree_listing(state), original);
}

TEST(RestoreModes, AreTheRestoresOwnNotTheArchives) {
    TempDir work;
    ArchiveBuilder(work / "a.tar")
        .config(work / "state")
        .dir("state/web", 0755)
        .dir("state/web/shared", 0777)
        .file("state/web/shared/a", "a\n", 0666)
        .file("state/web/run.sh", "#!/bin/sh\n", 0755)
        .manifest();
    auto restored = store::restore(work / "a.tar", work / "spectrum.toml", work / "state", false);
    ASSERT_TRUE(restored) << restored.error();
    EXPECT_EQ(fs::status(work / "state" / "web").permissions(), static_cast<fs::perms>(0700));
    EXPECT_EQ(fs::status(work / "state" / "web" / "shared").permissions(), static_cast<fs::perms>(0700));
    EXPECT_EQ(fs::status(work / "state" / "web" / "shared" / "a").permissions(), static_cast<fs::perms>(0600));
    EXPECT_EQ(fs::status(work / "state" / "web" / "run.sh").permissions(), static_cast<fs::perms>(0600));
    EXPECT_EQ(fs::status(work / "spectrum.toml").permissions(), static_cast<fs::perms>(0600));
}

TEST(RestoreModes, DirectoriesArchivedWithoutWritePermissionGetTheirContents) {
    TempDir work;
    ArchiveBuilder(work / "a.tar")
        .config(work / "state")
        .dir("state/web")
        .dir("state/web/read-only", 0500)
        .file("state/web/read-only/a", "a\n", 0400)
        .manifest();
    auto restored = store::restore(work / "a.tar", work / "spectrum.toml", work / "state", false);
    ASSERT_TRUE(restored) << restored.error();
    EXPECT_EQ(read_file(work / "state" / "web" / "read-only" / "a"), "a\n");
    EXPECT_EQ(fs::status(work / "state" / "web" / "read-only").permissions(), static_cast<fs::perms>(0700));
}

} // namespace
