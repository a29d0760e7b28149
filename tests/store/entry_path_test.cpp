// Which names a store archive may hold: the first line of defence of a restore.
#include "entry_path.hpp"

#include <gtest/gtest.h>

namespace {

using spectrum::vmbridge::store::entry_path_problem;
using spectrum::vmbridge::store::parent_of;
using spectrum::vmbridge::store::printable;
using spectrum::vmbridge::store::state_depth;
using spectrum::vmbridge::store::vm_of;

TEST(EntryPath, AcceptsTheConfigTheManifestAndPlainPathsUnderState) {
    EXPECT_EQ(entry_path_problem("config/spectrum.toml"), std::nullopt);
    EXPECT_EQ(entry_path_problem("MANIFEST"), std::nullopt);
    EXPECT_EQ(entry_path_problem("state/web"), std::nullopt);
    EXPECT_EQ(entry_path_problem("state/web/home/notes 2024.txt"), std::nullopt);
    EXPECT_EQ(entry_path_problem("state/web/caf\xc3\xa9"), std::nullopt);
    EXPECT_EQ(entry_path_problem("state/web/...hidden"), std::nullopt);
}

TEST(EntryPath, RefusesTraversalAndAbsolutePaths) {
    EXPECT_EQ(entry_path_problem("state/web/../../etc/passwd"), "has a \".\" or \"..\" component");
    EXPECT_EQ(entry_path_problem("state/.."), "has a \".\" or \"..\" component");
    EXPECT_EQ(entry_path_problem("state/./web"), "has a \".\" or \"..\" component");
    EXPECT_EQ(entry_path_problem("/etc/passwd"), "is an absolute path");
    EXPECT_EQ(entry_path_problem("/state/web"), "is an absolute path");
    EXPECT_EQ(entry_path_problem("../state/web"),
              "is neither config/spectrum.toml, MANIFEST nor a path under state/");
}

TEST(EntryPath, RefusesEmptyComponentsControlCharactersAndOtherRoots) {
    EXPECT_EQ(entry_path_problem(""), "has an empty name");
    EXPECT_EQ(entry_path_problem("state/"), "has an empty path component");
    EXPECT_EQ(entry_path_problem("state//web"), "has an empty path component");
    EXPECT_EQ(entry_path_problem("state/web/"), "has an empty path component");
    EXPECT_EQ(entry_path_problem("state/web/a\nfile b.img"), "has a control character in its name");
    EXPECT_EQ(entry_path_problem("config/other.toml"),
              "is neither config/spectrum.toml, MANIFEST nor a path under state/");
    EXPECT_EQ(entry_path_problem("state"),
              "is neither config/spectrum.toml, MANIFEST nor a path under state/");
}

TEST(EntryPath, SplitsStatePaths) {
    EXPECT_EQ(state_depth("state/web"), 1u);
    EXPECT_EQ(state_depth("state/web/a/b"), 3u);
    EXPECT_EQ(vm_of("state/web/a/b"), "web");
    EXPECT_EQ(vm_of("state/mail"), "mail");
    EXPECT_EQ(parent_of("state/web/a"), "state/web");
    EXPECT_EQ(parent_of("MANIFEST"), "");
}

TEST(EntryPath, PrintableKeepsAnErrorOnOneLine) {
    EXPECT_EQ(printable("state/web/a\nb\tc"), "state/web/a?b?c");
}

} // namespace
