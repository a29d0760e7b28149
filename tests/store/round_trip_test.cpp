// Backup → wipe → restore gives back the same bytes, modes and config, sparse images stay
// sparse, and the archive has the documented layout.
#include "store.hpp"
#include "store_fixture.hpp"

#include <algorithm>
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

namespace {

using namespace store_test;
namespace store = spectrum::vmbridge::store;

std::vector<std::string> names_in(const fs::path& directory) {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(directory))
        names.push_back(entry.path().filename().string());
    std::ranges::sort(names);
    return names;
}

// The entry names of an archive, in order.
std::vector<std::string> entry_names(const fs::path& file) {
    archive* reader = archive_read_new();
    archive_read_support_filter_all(reader);
    archive_read_support_format_tar(reader);
    std::vector<std::string> names;
    if (archive_read_open_filename(reader, file.c_str(), 1 << 16) == ARCHIVE_OK) {
        archive_entry* entry = nullptr;
        // ARCHIVE_WARN: a UTF-8 name this test's "C" locale cannot show; take it as UTF-8.
        for (int status = archive_read_next_header(reader, &entry);
             status == ARCHIVE_OK || status == ARCHIVE_WARN;
             status = archive_read_next_header(reader, &entry)) {
            const char* name = archive_entry_pathname(entry);
            names.emplace_back(name != nullptr ? name : archive_entry_pathname_utf8(entry));
        }
    }
    archive_read_free(reader);
    return names;
}

class RoundTrip : public ::testing::TestWithParam<std::string> {
  protected:
    TempDir work;
    fs::path state = work / "state";
    fs::path config = work / "spectrum.toml";
    fs::path archive = work / ("backup" + GetParam());
};

TEST_P(RoundTrip, RestoresByteIdenticalStateAndConfig) {
    make_sample_store(state);
    write_file(config, sample_config(state), 0640);
    auto before = tree_listing(state);

    auto backed_up = store::backup(config, state, archive);
    ASSERT_TRUE(backed_up) << backed_up.error();
    EXPECT_EQ(backed_up->vms, (std::vector<std::string>{"empty-vm", "mail", "web"}));
    EXPECT_EQ(backed_up->files, 9u);
    EXPECT_EQ(backed_up->directories, 10u);
    EXPECT_GT(backed_up->bytes, (64u << 20) + (300u << 10));

    fs::remove_all(state);
    fs::remove(config);
    auto restored = store::restore(archive, config, state, /*force=*/false);
    ASSERT_TRUE(restored) << restored.error();

    EXPECT_EQ(*restored, *backed_up);
    // The same bytes, with the restore's own modes (an archive never sets one).
    EXPECT_EQ(tree_listing(state), as_restored(before));
    EXPECT_EQ(read_file(config), sample_config(state));
    EXPECT_EQ(fs::status(config).permissions(), static_cast<fs::perms>(0600));
    // The 64 MiB image holds two short strings: it must not come back as 64 MiB of zeros.
    EXPECT_LT(allocated_bytes(state / "web" / "state.img"), 1u << 20);
    // Nothing left beside the store and the config: no staging directory, no temp file.
    EXPECT_EQ(names_in(work.path()),
              (std::vector<std::string>{archive.filename().string(), "spectrum.toml", "state"}));
}

TEST_P(RoundTrip, ArchiveKeepsHolesAndPutsTheManifestLast) {
    make_sample_store(state);
    write_file(config, sample_config(state));
    ASSERT_TRUE(store::backup(config, state, archive));

    // The hole of the 64 MiB image is not in the archive, compressed or not.
    EXPECT_LT(fs::file_size(archive), 2u << 20);
    auto names = entry_names(archive);
    ASSERT_GE(names.size(), 3u);
    EXPECT_EQ(names.front(), "config/spectrum.toml");
    EXPECT_EQ(names.back(), "MANIFEST");
    EXPECT_EQ(names[1], "state/empty-vm/");
}

INSTANTIATE_TEST_SUITE_P(Compression, RoundTrip, ::testing::Values(".tar", ".tar.zst", ".tar.gz"),
                         [](const auto& info) {
                             std::string name = info.param.substr(1);
                             std::ranges::replace(name, '.', '_');
                             return name;
                         });

TEST(RoundTripDetails, VerifyAndArchivedConfigReadWithoutWriting) {
    TempDir work;
    make_sample_store(work / "state");
    write_file(work / "spectrum.toml", sample_config(work / "state"));
    auto backed_up = store::backup(work / "spectrum.toml", work / "state", work / "b.tar.zst");
    ASSERT_TRUE(backed_up) << backed_up.error();
    auto listing = tree_listing(work.path());

    auto verified = store::verify(work / "b.tar.zst");
    ASSERT_TRUE(verified) << verified.error();
    EXPECT_EQ(*verified, *backed_up);
    auto text = store::archived_config(work / "b.tar.zst");
    ASSERT_TRUE(text) << text.error();
    EXPECT_EQ(*text, sample_config(work / "state"));
    EXPECT_EQ(tree_listing(work.path()), listing);
}

TEST(RoundTripDetails, KeepsModificationTimesToTheSecond) {
    TempDir work;
    make_sample_store(work / "state");
    write_file(work / "spectrum.toml", sample_config(work / "state"));
    auto file = work / "state" / "mail" / "mbox";
    auto directory = work / "state" / "web" / "home";
    const timespec file_time[2] = {{1600000000, 123456789}, {1600000000, 123456789}};
    const timespec dir_time[2] = {{1500000000, 0}, {1500000000, 0}};
    ASSERT_EQ(utimensat(AT_FDCWD, file.c_str(), file_time, 0), 0);
    ASSERT_EQ(utimensat(AT_FDCWD, directory.c_str(), dir_time, 0), 0);
    ASSERT_TRUE(store::backup(work / "spectrum.toml", work / "state", work / "b.tar"));
    fs::remove_all(work / "state");

    ASSERT_TRUE(store::restore(work / "b.tar", work / "spectrum.toml", work / "state", false));
    struct stat info {};
    ASSERT_EQ(stat(file.c_str(), &info), 0);
    // Whole seconds: restricted pax keeps sub-second times only in entries that need a pax
    // header anyway.
    EXPECT_EQ(info.st_mtim.tv_sec, 1600000000);
    ASSERT_EQ(stat(directory.c_str(), &info), 0);
    EXPECT_EQ(info.st_mtim.tv_sec, 1500000000);
}

TEST(RoundTripDetails, KeepsNamesThatAreNotUtf8) {
    TempDir work;
    make_dir(work / "state" / "web");
    write_file(work / "state" / "web" / "latin1-caf\xe9", "bytes, not text\n");
    write_file(work / "spectrum.toml", sample_config(work / "state"));
    auto before = tree_listing(work / "state");
    auto backed_up = store::backup(work / "spectrum.toml", work / "state", work / "b.tar");
    ASSERT_TRUE(backed_up) << backed_up.error();
    fs::remove_all(work / "state");

    auto restored = store::restore(work / "b.tar", work / "spectrum.toml", work / "state", false);
    ASSERT_TRUE(restored) << restored.error();
    EXPECT_EQ(tree_listing(work / "state"), as_restored(before));
}

TEST(RoundTripDetails, EmptyStoreRoundTrips) {
    TempDir work;
    make_dir(work / "state");
    write_file(work / "spectrum.toml", sample_config(work / "state"));
    auto backed_up = store::backup(work / "spectrum.toml", work / "state", work / "b.tar");
    ASSERT_TRUE(backed_up) << backed_up.error();
    EXPECT_EQ(*backed_up, store::Summary{});
    fs::remove_all(work / "state");

    ASSERT_TRUE(store::restore(work / "b.tar", work / "spectrum.toml", work / "state", false));
    EXPECT_TRUE(fs::is_directory(work / "state"));
    EXPECT_TRUE(fs::is_empty(work / "state"));
}

} // namespace
