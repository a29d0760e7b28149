// The MANIFEST's text form and the comparison of what it lists with what an archive holds.
#include "manifest.hpp"

#include <gtest/gtest.h>

namespace {

using namespace spectrum::vmbridge::store;

const std::string kSum(64, 'a');
const std::string kOtherSum(64, 'b');

std::vector<ManifestEntry> sample() {
    return {
        {EntryKind::File, "config/spectrum.toml", 0644, 12, kSum},
        {EntryKind::Directory, "state/web", 0700, 0, ""},
        {EntryKind::File, "state/web/notes 2024.txt", 0600, 67108864, kOtherSum},
    };
}

TEST(Manifest, FormatsOneLinePerEntryThatParsesBack) {
    auto text = format_manifest(sample());
    EXPECT_EQ(text, "spectrum-store manifest 1\n"
                    "file 0644 12 " +
                        kSum +
                        " config/spectrum.toml\n"
                        "dir 0700 0 - state/web\n"
                        "file 0600 67108864 " +
                        kOtherSum + " state/web/notes 2024.txt\n");
    auto parsed = parse_manifest(text);
    ASSERT_TRUE(parsed) << parsed.error();
    EXPECT_EQ(*parsed, sample());
}

TEST(Manifest, RefusesMalformedText) {
    auto error_of = [](std::string text) {
        auto parsed = parse_manifest(text);
        return parsed ? std::string("accepted") : parsed.error();
    };
    const std::string header = "spectrum-store manifest 1\n";
    EXPECT_EQ(error_of(""), "MANIFEST does not end with a newline");
    EXPECT_EQ(error_of(header + "dir 0700 0 - state/web"), "MANIFEST does not end with a newline");
    EXPECT_EQ(error_of("spectrum-store manifest 2\n"),
              "MANIFEST line 1: expected \"spectrum-store manifest 1\"");
    EXPECT_EQ(error_of(header + "link 0700 0 - state/web\n"),
              "MANIFEST line 2: unknown kind \"link\"");
    EXPECT_EQ(error_of(header + "dir 700 0 - state/web\n"),
              "MANIFEST line 2: the mode must be four octal digits");
    EXPECT_EQ(error_of(header + "dir 4700 0 - state/web\n"),
              "MANIFEST line 2: the mode has set-id or sticky bits");
    EXPECT_EQ(error_of(header + "file 0600 -1 " + kSum + " state/web/a\n"),
              "MANIFEST line 2: the size must be a decimal number");
    EXPECT_EQ(error_of(header + "file 0600 1 ABC state/web/a\n"),
              "MANIFEST line 2: the sha256 must be 64 lower-case hex digits");
    EXPECT_EQ(error_of(header + "dir 0700 0 " + kSum + " state/web\n"),
              "MANIFEST line 2: a directory has size 0 and sum \"-\"");
    EXPECT_EQ(error_of(header + "file 0600 1 " + kSum + " state/../etc/passwd\n"),
              "MANIFEST line 2: state/../etc/passwd: has a \".\" or \"..\" component");
    EXPECT_EQ(error_of(header + "dir 0700 0 -\n"),
              "MANIFEST line 2: expected `file|dir MODE SIZE SHA256|- PATH`");
    EXPECT_EQ(error_of(header + "dir 0700 0 - state/web\ndir 0700 0 - state/web\n"),
              "MANIFEST line 3: state/web is listed twice");
}

TEST(Manifest, MatchingListsHaveNoMismatch) {
    EXPECT_EQ(manifest_mismatch(sample(), sample()), std::nullopt);
}

TEST(Manifest, NamesTheFirstDifference) {
    auto manifest = sample();

    auto extra = sample();
    extra.push_back({EntryKind::File, "state/web/extra", 0600, 0, kSum});
    EXPECT_EQ(manifest_mismatch(manifest, extra),
              "state/web/extra: in the archive but not in the MANIFEST");

    auto missing = sample();
    missing.pop_back();
    EXPECT_EQ(manifest_mismatch(manifest, missing),
              "state/web/notes 2024.txt: listed in the MANIFEST but missing from the archive");

    auto corrupt = sample();
    corrupt[2].sha256 = kSum;
    EXPECT_EQ(manifest_mismatch(manifest, corrupt),
              "state/web/notes 2024.txt: sha256 does not match the MANIFEST");

    auto resized = sample();
    resized[2].size = 1;
    EXPECT_EQ(manifest_mismatch(manifest, resized),
              "state/web/notes 2024.txt: 1 bytes in the archive but 67108864 in the MANIFEST");

    auto chmodded = sample();
    chmodded[1].mode = 0755;
    EXPECT_EQ(manifest_mismatch(manifest, chmodded),
              "state/web: mode 0755 in the archive but 0700 in the MANIFEST");

    auto retyped = sample();
    retyped[1] = {EntryKind::File, "state/web", 0700, 0, kSum};
    EXPECT_EQ(manifest_mismatch(manifest, retyped),
              "state/web: a file in the archive but a directory in the MANIFEST");
}

TEST(Manifest, SummarizesTheStateEntries) {
    auto entries = sample();
    entries.push_back({EntryKind::Directory, "state/mail", 0700, 0, ""});
    entries.push_back({EntryKind::Directory, "state/mail/sub", 0700, 0, ""});
    auto summary = summarize(entries);
    EXPECT_EQ(summary.vms, (std::vector<std::string>{"mail", "web"}));
    EXPECT_EQ(summary.files, 1u);
    EXPECT_EQ(summary.directories, 3u);
    EXPECT_EQ(summary.bytes, 67108864u);
}

} // namespace
