// spectrum-image without a mirror: keys, apt's output, the index, the command line.
#include "config.hpp"
#include "image.hpp"

#include <filesystem>
#include <fstream>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

namespace spectrum::image {
namespace {

using ::testing::HasSubstr;

BuilderInputs sample_inputs() {
    return {.suite = "trixie",
            .arch = "amd64",
            .base_packages_text = "waypipe\nsocat\n",
            .guest_files = {{"customize", std::string(64, 'a')}, {"init", std::string(64, 'b')}},
            .recipe = "mmdebstrap --variant=essential\n"};
}

TEST(ImageKey, Sha256OfKnownText) {
    EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_TRUE(is_key(sha256_hex("abc")));
    EXPECT_FALSE(is_key("ABC"));
    EXPECT_FALSE(is_key(std::string(64, 'g')));
    EXPECT_FALSE(is_key("../" + std::string(61, 'a')));
}

TEST(ImageKey, InputsDigestIgnoresOrderButNotContent) {
    const auto inputs = sample_inputs();
    const auto digest = inputs_digest(inputs, {"foot", "hello"});
    EXPECT_TRUE(is_key(digest));
    EXPECT_EQ(digest, inputs_digest(inputs, {"hello", "foot"}));
    EXPECT_NE(digest, inputs_digest(inputs, {"foot"}));
    EXPECT_NE(digest, inputs_digest(inputs, {"foot", "hello", "mpv"}));
    // Fields are framed: moving a byte from one name to the next is another list.
    EXPECT_NE(inputs_digest(inputs, {"ab", "c"}), inputs_digest(inputs, {"a", "bc"}));

    auto other = inputs;
    other.guest_files[0].second = std::string(64, 'c'); // the guest hook changed
    EXPECT_NE(digest, inputs_digest(other, {"foot", "hello"}));
    other = inputs;
    std::swap(other.guest_files[0], other.guest_files[1]); // same files, listed otherwise
    EXPECT_EQ(digest, inputs_digest(other, {"foot", "hello"}));
    for (auto change : {&BuilderInputs::suite, &BuilderInputs::arch, &BuilderInputs::base_packages_text,
                        &BuilderInputs::recipe}) {
        other = inputs;
        other.*change += "x";
        EXPECT_NE(digest, inputs_digest(other, {"foot", "hello"}));
    }
}

TEST(ImageKey, KeyChangesWithAnyChosenVersion) {
    const auto inputs = inputs_digest(sample_inputs(), {"foot"});
    const std::vector<ResolvedPackage> versions{{"foot", "1.21.0-2", "amd64"}, {"libc6", "2.41-12", "amd64"}};
    const auto key = image_key(inputs, versions);
    EXPECT_TRUE(is_key(key));
    EXPECT_EQ(key, image_key(inputs, {versions[1], versions[0]}));
    EXPECT_NE(key, image_key(inputs, {{"foot", "1.21.0-3", "amd64"}, versions[1]}));
    EXPECT_NE(key, image_key(inputs, {versions[0]}));
    EXPECT_NE(key, image_key(inputs_digest(sample_inputs(), {"foot", "hello"}), versions));
}

TEST(ImageKey, PackageListsMergeSortAndSkipComments) {
    auto base = parse_package_list("# comment\nwaypipe\n\n  socat  # the relay\nlibglib2.0-bin\n");
    ASSERT_TRUE(base);
    EXPECT_EQ(*base, (std::vector<std::string>{"waypipe", "socat", "libglib2.0-bin"}));
    EXPECT_EQ(image_package_list(*base, {"foot", "socat"}),
              (std::vector<std::string>{"foot", "libglib2.0-bin", "socat", "waypipe"}));
    auto bad = parse_package_list("waypipe\nFoo Bar\n");
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error(), "line 2: \"Foo Bar\" is not a Debian package name");
}

TEST(ImageKey, TheShippedBaseListParses) {
    std::ifstream in(std::string(SPECTRUM_SOURCE_ROOT) + "/vmbridge/image/base-packages");
    ASSERT_TRUE(in);
    std::string text((std::istreambuf_iterator<char>(in)), {});
    auto base = parse_package_list(text);
    ASSERT_TRUE(base) << base.error();
    for (const char* needed : {"waypipe", "linux-image-amd64", "busybox-static", "fontconfig", "dbus-daemon"})
        EXPECT_NE(std::ranges::find(*base, needed), base->end()) << needed;
}

TEST(AptOutput, Simulation) {
    const auto packages = parse_simulation(R"(Reading package lists...
Building dependency tree...
The following NEW packages will be installed:
  foot libc6
Inst libc6 (2.41-12+deb13u1 Debian:13.2/stable [amd64]) []
Inst foot (1.21.0-2 Debian:13.2/stable [amd64])
Inst tzdata (2025b-4+deb13u1 Debian:13.2/stable, Debian-Security:13/stable-security [all])
Inst libfoo:i386 (1:2.0-1 Debian:13.2/stable [i386])
Conf libc6 (2.41-12+deb13u1 Debian:13.2/stable [amd64])
)");
    ASSERT_EQ(packages.size(), 4u);
    EXPECT_EQ(packages[0], (ResolvedPackage{"foot", "1.21.0-2", "amd64"}));
    EXPECT_EQ(packages[1], (ResolvedPackage{"libc6", "2.41-12+deb13u1", "amd64"}));
    EXPECT_EQ(packages[2], (ResolvedPackage{"libfoo", "1:2.0-1", "i386"}));
    EXPECT_EQ(packages[3], (ResolvedPackage{"tzdata", "2025b-4+deb13u1", "all"}));
    EXPECT_TRUE(parse_simulation("E: Unable to locate package foo\n").empty());
}

TEST(AptOutput, DpkgList) {
    const auto packages = parse_dpkg_list("zlib1g\t1:1.3.dfsg-3\tamd64\nbash\t5.2.37-2\tamd64\nbroken line\n");
    ASSERT_EQ(packages.size(), 2u);
    EXPECT_EQ(packages[0], (ResolvedPackage{"bash", "5.2.37-2", "amd64"}));
    EXPECT_EQ(packages[1], (ResolvedPackage{"zlib1g", "1:1.3.dfsg-3", "amd64"}));
}

TEST(AptOutput, UnknownPackages) {
    auto problem = parse_apt_errors(R"(Reading package lists...
Building dependency tree...
E: Unable to locate package nosuchpkg
E: Unable to locate package another
E: Package 'virtual-only' has no installation candidate
)");
    EXPECT_EQ(problem.unknown_packages, (std::vector<std::string>{"another", "nosuchpkg", "virtual-only"}));
}

TEST(AptOutput, UnreachableMirrorNamesTheReason) {
    auto problem = parse_apt_errors(R"(Ign:1 http://127.0.0.1:9/debian trixie InRelease
Err:1 http://127.0.0.1:9/debian trixie InRelease
  Could not connect to 127.0.0.1:9 (127.0.0.1). - connect (111: Connection refused)
Reading package lists...
W: Failed to fetch http://127.0.0.1:9/debian/dists/trixie/InRelease  Unable to connect to 127.0.0.1:9:
W: Some index files failed to download. They have been ignored, or old ones used instead.
)");
    EXPECT_TRUE(problem.unknown_packages.empty());
    EXPECT_EQ(problem.message, "Err:1 http://127.0.0.1:9/debian trixie InRelease: Could not connect to "
                               "127.0.0.1:9 (127.0.0.1). - connect (111: Connection refused)");
    EXPECT_EQ(parse_apt_errors("E: Unable to correct problems, you have held broken packages.\n").message,
              "Unable to correct problems, you have held broken packages.");
}

Index sample_index() {
    Index index;
    IndexEntry entry;
    entry.key = std::string(64, 'a');
    entry.inputs = std::string(64, 'b');
    entry.packages = {"foot", "waypipe"};
    for (auto file : object_files)
        entry.sha256[std::string(file)] = sha256_hex(file);
    entry.root_bytes = 123456789;
    entry.build_seconds = 61.5;
    index.images["term"] = entry;
    entry.packages = {"waypipe"};
    entry.key = std::string(64, 'c');
    index.images["base"] = entry;
    return index;
}

TEST(ImageIndex, RoundTrips) {
    const auto index = sample_index();
    const auto text = serialize_index(index);
    auto parsed = parse_index(text);
    ASSERT_TRUE(parsed) << parsed.error();
    EXPECT_EQ(*parsed, index);
    EXPECT_THAT(text, HasSubstr("\"format\": 1"));
}

TEST(ImageIndex, RefusesWhatItDidNotWrite) {
    EXPECT_THAT(parse_index("").error(), HasSubstr("not JSON"));
    EXPECT_THAT(parse_index("[]").error(), HasSubstr("not an index"));
    EXPECT_THAT(parse_index(R"({"format": 99, "images": {}})").error(), HasSubstr("not an index of format 1"));
    EXPECT_TRUE(parse_index(R"({"format": 1, "images": {}})"));

    auto text = serialize_index(sample_index());
    auto with = [&](std::string_view from, std::string_view to) {
        auto changed = text;
        changed.replace(changed.find(from), from.size(), to);
        return parse_index(changed);
    };
    // A key that could name another directory.
    EXPECT_THAT(with(std::string(64, 'a'), "../../etc").error(), HasSubstr("not 64 hex digits"));
    EXPECT_THAT(with("\"term\"", "\"../x\"").error(), HasSubstr("bad image name"));
    EXPECT_THAT(with("\"root.erofs\"", "\"root\"").error(), HasSubstr("image base"));
    EXPECT_THAT(with(sha256_hex("vmlinuz"), "00").error(), HasSubstr("checksum of vmlinuz"));
}

TEST(ImageIndex, AtomicWriteReplacesWholeFilesWithMode0644) {
    const auto dir = std::filesystem::path(::testing::TempDir()) / ("image-index-" + std::to_string(getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    const auto path = dir / "index.json";
    const mode_t old_umask = umask(077);
    ASSERT_TRUE(write_file_atomically(path, "first\n"));
    ASSERT_TRUE(write_file_atomically(path, serialize_index(sample_index())));
    umask(old_umask);
    std::ifstream in(path);
    std::string text((std::istreambuf_iterator<char>(in)), {});
    EXPECT_EQ(parse_index(text), sample_index());
    struct stat info {};
    ASSERT_EQ(stat(path.c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777, 0644u);
    // No temporary left beside it.
    EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir), {}), 1);
    auto failed = write_file_atomically(dir / "missing" / "index.json", "x");
    ASSERT_FALSE(failed);
    EXPECT_THAT(failed.error(), HasSubstr("cannot create a temporary file"));
    std::filesystem::remove_all(dir);
}

std::expected<Options, std::string> parse(std::initializer_list<std::string_view> args) {
    return parse_args(std::vector<std::string_view>(args));
}

TEST(ImageArgs, Build) {
    auto options = parse({"build", "--config", "/c.toml", "--image-dir", "/img", "--update", "term", "web", "term"});
    ASSERT_TRUE(options) << options.error();
    EXPECT_EQ(options->command, Command::Build);
    EXPECT_EQ(options->config_path, "/c.toml");
    EXPECT_EQ(options->image_dir, "/img");
    EXPECT_TRUE(options->update);
    EXPECT_FALSE(options->all);
    EXPECT_EQ(options->names, (std::vector<std::string>{"term", "web"}));
    options = parse({"build", "--all"});
    ASSERT_TRUE(options);
    EXPECT_TRUE(options->all);
    EXPECT_TRUE(parse({"build", "base"}));

    EXPECT_EQ(parse({"build"}).error(), "give the image names to build, or --all");
    EXPECT_EQ(parse({"build", "--all", "term"}).error(), "give image names or --all, not both");
    EXPECT_EQ(parse({"build", "../etc"}).error(), "\"../etc\" is not an image name");
    EXPECT_EQ(parse({"build", "--config"}).error(), "--config needs a value");
    EXPECT_EQ(parse({"build", "--json", "x"}).error(), "unknown option \"--json\" for build");
}

TEST(ImageArgs, ListAndPaths) {
    auto options = parse({"list", "--json"});
    ASSERT_TRUE(options);
    EXPECT_EQ(options->command, Command::List);
    EXPECT_TRUE(options->json);
    EXPECT_EQ(parse({"list", "term"}).error(), "unexpected argument \"term\"");
    EXPECT_EQ(parse({"list", "--update"}).error(), "unknown option \"--update\" for list");

    options = parse({"paths", "-c", "/c.toml", "term"});
    ASSERT_TRUE(options);
    EXPECT_EQ(options->command, Command::Paths);
    EXPECT_EQ(options->names, (std::vector<std::string>{"term"}));
    EXPECT_EQ(parse({"paths"}).error(), "paths takes one image name");
    EXPECT_EQ(parse({"paths", "a", "b"}).error(), "paths takes one image name");
    EXPECT_EQ(parse({"paths", "--all"}).error(), "unknown option \"--all\" for paths");

    EXPECT_EQ(parse({}).error(), "no command given");
    EXPECT_EQ(parse({"remove"}).error(), "unknown command \"remove\"");
    EXPECT_EQ(parse({"--help"})->command, Command::Help);
}

TEST(ImageArgs, DefaultConfigPathFollowsTheCompositor) {
    setenv("XDG_CONFIG_HOME", "/x", 1);
    EXPECT_EQ(spectrum::config::default_path(), "/x/spectrum/spectrum.toml");
    unsetenv("XDG_CONFIG_HOME");
    setenv("HOME", "/home/u", 1);
    EXPECT_EQ(spectrum::config::default_path(), "/home/u/.config/spectrum/spectrum.toml");
    unsetenv("HOME");
    EXPECT_EQ(spectrum::config::default_path(), "/etc/spectrum/spectrum.toml");
}

} // namespace
} // namespace spectrum::image
