// Damaged, truncated, incomplete and hostile archives: refused in one line, and neither the
// store nor the config changes, not even with --force.
#include "store.hpp"
#include "store_fixture.hpp"

#include <format>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace {

using namespace store_test;
namespace store = spectrum::vmbridge::store;
using ::testing::HasSubstr;
using ::testing::Not;

class Refusal : public ::testing::Test {
  protected:
    TempDir work;
    fs::path state = work / "state";
    fs::path config = work / "spectrum.toml";

    // A plain backup of the sample store, for the tests that damage real archives.
    fs::path sample_backup(const std::string& name) {
        TempDir source;
        make_sample_store(source / "state");
        write_file(source / "spectrum.toml", sample_config(state));
        auto file = work / name;
        auto backed_up = store::backup(source / "spectrum.toml", source / "state", file);
        EXPECT_TRUE(backed_up) << backed_up.error();
        return file;
    }

    // verify() and restore() both refuse `archive` with `why`, and restore changes nothing:
    // neither an existing store and config (even forced) nor an empty destination.
    void expect_refused(const fs::path& archive, std::string_view why) {
        auto verified = store::verify(archive);
        ASSERT_FALSE(verified) << "verify accepted " << archive;
        EXPECT_THAT(verified.error(), HasSubstr(why));
        EXPECT_THAT(verified.error(), Not(HasSubstr("\n")));

        make_dir(state / "old-vm");
        write_file(state / "old-vm" / "disk.img", "the data that must survive\n");
        write_file(config, "# the config that must survive\n");
        auto before = tree_listing(work.path());
        auto forced = store::restore(archive, config, state, /*force=*/true);
        ASSERT_FALSE(forced) << "restore --force accepted " << archive;
        EXPECT_THAT(forced.error(), HasSubstr(why));
        EXPECT_THAT(forced.error(), HasSubstr("nothing was restored"));
        EXPECT_THAT(forced.error(), Not(HasSubstr("\n")));
        EXPECT_EQ(tree_listing(work.path()), before);

        fs::remove_all(state);
        fs::remove(config);
        before = tree_listing(work.path());
        auto fresh = store::restore(archive, config, state, /*force=*/false);
        ASSERT_FALSE(fresh);
        EXPECT_EQ(tree_listing(work.path()), before);
    }

    static void flip_byte_at(const fs::path& file, std::size_t offset) {
        auto bytes = read_file(file);
        ASSERT_LT(offset, bytes.size());
        bytes[offset] = static_cast<char>(bytes[offset] ^ 0x20);
        write_file(file, bytes, 0600);
    }

    static void truncate_copy(const fs::path& from, const fs::path& to, std::size_t size) {
        write_file(to, read_file(from).substr(0, size), 0600);
    }
};

TEST_F(Refusal, FlippedByteInAFile) {
    auto archive = sample_backup("b.tar");
    auto offset = read_file(archive).find(kMarker);
    ASSERT_NE(offset, std::string::npos);
    flip_byte_at(archive, offset + 3);
    expect_refused(archive, "state/web/marker.txt: sha256 does not match the MANIFEST");
}

TEST_F(Refusal, FlippedByteInASparseImage) {
    auto archive = sample_backup("b.tar");
    auto offset = read_file(archive).find("TAIL of the web VM's disk");
    ASSERT_NE(offset, std::string::npos);
    flip_byte_at(archive, offset);
    expect_refused(archive, "state/web/state.img: sha256 does not match the MANIFEST");
}

TEST_F(Refusal, FlippedByteInTheManifest) {
    auto archive = sample_backup("b.tar");
    auto offset = read_file(archive).find("spectrum-store manifest 1");
    ASSERT_NE(offset, std::string::npos);
    flip_byte_at(archive, offset);
    expect_refused(archive, "MANIFEST line 1");
}

TEST_F(Refusal, FlippedByteInACompressedArchive) {
    for (std::string name : {"b.tar.zst", "b.tar.gz"}) {
        SCOPED_TRACE(name);
        auto archive = sample_backup(name);
        flip_byte_at(archive, fs::file_size(archive) / 2);
        expect_refused(archive, archive.string());
    }
}

TEST_F(Refusal, TruncatedAnywhere) {
    for (std::string name : {"b.tar", "b.tar.zst", "b.tar.gz"}) {
        auto archive = sample_backup(name);
        // A plain tar ends with two zero blocks that carry nothing; cut before them.
        auto size = fs::file_size(archive) - (name == "b.tar" ? 1024 : 0);
        for (double fraction : {0.0, 0.01, 0.25, 0.5, 0.75, 0.95, 0.99}) {
            auto cut = static_cast<std::size_t>(static_cast<double>(size) * fraction);
            SCOPED_TRACE(std::format("{} cut at {} of {}", name, cut, size));
            truncate_copy(archive, work / "cut", cut);
            expect_refused(work / "cut", "cut");
        }
    }
}

TEST_F(Refusal, TruncatedJustBeforeTheManifest) {
    auto archive = sample_backup("b.tar");
    auto bytes = read_file(archive);
    // The MANIFEST's ustar header: its name field starts the 512-byte block.
    std::size_t header = 0;
    for (std::size_t at = 0; at + 512 <= bytes.size(); at += 512) {
        if (bytes.compare(at, 9, std::string("MANIFEST\0", 9)) == 0) header = at;
    }
    ASSERT_GT(header, 0u);
    truncate_copy(archive, work / "cut.tar", header);
    expect_refused(work / "cut.tar", "no MANIFEST at the end");
}

TEST_F(Refusal, EntryMissingFromTheManifest) {
    ArchiveBuilder(work / "a.tar")
        .config(state)
        .dir("state/web")
        .file("state/web/listed", "listed\n")
        .file("state/web/unlisted", "smuggled in\n", 0644, /*listed=*/false)
        .manifest();
    expect_refused(work / "a.tar", "state/web/unlisted: in the archive but not in the MANIFEST");
}

TEST_F(Refusal, ListedEntryMissingFromTheArchive) {
    ArchiveBuilder(work / "a.tar")
        .config(state)
        .dir("state/web")
        .file("state/web/present", "here\n")
        .list_only(listed_file("state/web/gone", "was here\n"))
        .manifest();
    expect_refused(work / "a.tar",
                   "state/web/gone: listed in the MANIFEST but missing from the archive");
}

TEST_F(Refusal, NoManifest) {
    ArchiveBuilder(work / "a.tar").config(state).dir("state/web").file("state/web/a", "a\n");
    expect_refused(work / "a.tar", "no MANIFEST at the end");
}

TEST_F(Refusal, EntryAfterTheManifest) {
    ArchiveBuilder(work / "a.tar")
        .config(state)
        .dir("state/web")
        .manifest()
        .file("state/web/late", "late\n", 0644, false);
    expect_refused(work / "a.tar", "an entry follows the MANIFEST");
}

TEST_F(Refusal, DuplicateEntry) {
    ArchiveBuilder(work / "a.tar")
        .config(state)
        .dir("state/web")
        .file("state/web/a", "first\n")
        .file("state/web/a", "second\n", 0644, false)
        .manifest();
    expect_refused(work / "a.tar", "state/web/a: appears twice");
}

TEST_F(Refusal, NoConfig) {
    ArchiveBuilder(work / "a.tar").dir("state/web").manifest();
    expect_refused(work / "a.tar", "no config/spectrum.toml in the archive");
}

TEST_F(Refusal, FileBeforeItsDirectory) {
    ArchiveBuilder(work / "a.tar")
        .config(state)
        .dir("state/web")
        .file("state/web/sub/a", "a\n")
        .manifest();
    expect_refused(work / "a.tar", "state/web/sub/a: comes before its directory");
}

TEST_F(Refusal, FileDirectlyInTheStore) {
    ArchiveBuilder(work / "a.tar").config(state).file("state/stray", "x\n").manifest();
    expect_refused(work / "a.tar", "state/stray: a file directly in state/");
}

TEST_F(Refusal, NotAnArchive) {
    write_file(work / "a.tar", noise(100000, 7));
    expect_refused(work / "a.tar", work.path().string());
    write_file(work / "empty.tar", "");
    expect_refused(work / "empty.tar", "empty.tar");
}

// Each hostile entry is listed in the MANIFEST too, so only the entry checks can catch it.
struct Hostile {
    std::string name;
    std::string path;
    std::string why;
};

class HostilePath : public Refusal, public ::testing::WithParamInterface<Hostile> {};

TEST_P(HostilePath, RefusedBeforeAnythingIsWritten) {
    auto path = GetParam().path;
    if (path.starts_with("/")) path = (work / "escaped").string(); // absolute, inside the test
    ArchiveBuilder(work / "a.tar")
        .config(state)
        .dir("state/web")
        .file(path, "escaped\n")
        .manifest();
    expect_refused(work / "a.tar", GetParam().why);
    EXPECT_FALSE(fs::exists(work / "escaped"));
    EXPECT_FALSE(fs::exists(work.path().parent_path() / "escaped"));
}

INSTANTIATE_TEST_SUITE_P(
    Entries, HostilePath,
    ::testing::Values(
        Hostile{"DotDotOutOfTheStore", "state/web/../../escaped",
                "has a \".\" or \"..\" component"},
        Hostile{"DotDotAtTheStart", "../escaped", "is neither config/spectrum.toml"},
        Hostile{"DotDotIntoAnotherVm", "state/web/../mail/x", "has a \".\" or \"..\" component"},
        Hostile{"Absolute", "/", "is an absolute path"},
        Hostile{"Dot", "state/web/./x", "has a \".\" or \"..\" component"},
        Hostile{"EmptyComponent", "state/web//x", "has an empty path component"},
        Hostile{"OutsideStateAndConfig", "etc/escaped", "is neither config/spectrum.toml"},
        Hostile{"ControlCharacter", "state/web/a\nb", "has a control character"}),
    [](const auto& info) { return info.param.name; });

TEST_F(Refusal, SymbolicLink) {
    ArchiveBuilder(work / "a.tar")
        .config(state)
        .dir("state/web")
        .symlink("state/web/link", work.path().string())
        .manifest();
    expect_refused(work / "a.tar", "state/web/link: is a symbolic link");
}

TEST_F(Refusal, HardLink) {
    ArchiveBuilder(work / "a.tar")
        .config(state)
        .dir("state/web")
        .file("state/web/a", "a\n")
        .hardlink("state/web/b", "state/web/a")
        .manifest();
    expect_refused(work / "a.tar", "state/web/b: is a hard link");
}

TEST_F(Refusal, DeviceAndFifo) {
    ArchiveBuilder(work / "dev.tar")
        .config(state)
        .dir("state/web")
        .char_device("state/web/null")
        .manifest();
    expect_refused(work / "dev.tar", "state/web/null: is a device, FIFO or socket");
    ArchiveBuilder(work / "fifo.tar")
        .config(state)
        .dir("state/web")
        .fifo("state/web/pipe")
        .manifest();
    expect_refused(work / "fifo.tar", "state/web/pipe: is a device, FIFO or socket");
}

TEST_F(Refusal, ModeDifferentFromTheManifest) {
    ArchiveBuilder(work / "a.tar")
        .config(state)
        .dir("state/web")
        .file("state/web/a", "a\n", 0600, false)
        .list_only(listed_file("state/web/a", "a\n", 0644))
        .manifest();
    expect_refused(work / "a.tar",
                   "state/web/a: mode 0600 in the archive but 0644 in the MANIFEST");
}

} // namespace
