// spectrum-image: VM images built from Debian package lists into a content-addressed
// cache. This header holds the parts with no processes in them (keys, the index, the
// command line, apt's output), so the unit tests reach them without a mirror.
#pragma once

#include <cstdint>
#include <expected>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace spectrum::image {

// Bumped whenever the way an image is made changes in a way the other inputs do not show
// (mmdebstrap options, excludes, the cache layout): every image then gets a new key.
inline constexpr int format_version = 1;

// The files of one built image, each in objects/<key>/.
inline constexpr std::string_view root_file = "root.erofs";
inline constexpr std::string_view kernel_file = "vmlinuz";
inline constexpr std::string_view initramfs_file = "initramfs.cpio";
inline constexpr std::string_view packages_file = "packages";
inline constexpr std::string_view object_files[] = {root_file, kernel_file, initramfs_file,
                                                    packages_file};

// --- hashing (OpenSSL SHA-256) ---

std::string sha256_hex(std::string_view data);
// The file's SHA-256 in lowercase hex, or the errno text.
std::expected<std::string, std::string> sha256_file(const std::filesystem::path& path);
bool is_key(std::string_view text); // 64 lowercase hex digits

// --- what a key is made of ---

// Everything about the builder that decides what an image holds, besides its packages.
struct BuilderInputs {
    std::string suite; // "trixie"
    std::string arch;  // "amd64"
    std::string base_packages_text; // vmbridge/image/base-packages, byte for byte
    // vmbridge/guest/image/: each file's path relative to it and the SHA-256 of its bytes.
    std::vector<std::pair<std::string, std::string>> guest_files;
    std::string recipe; // the mmdebstrap options and excludes, as text
};

// The base list's names: one per line, "#" comments and blank lines ignored.
std::expected<std::vector<std::string>, std::string> parse_package_list(std::string_view text);

// The image's whole package list: base ∪ extra, sorted, no duplicates.
std::vector<std::string> image_package_list(const std::vector<std::string>& base,
                                            const std::vector<std::string>& extra);

// Names the builder inputs plus the package list, without versions: what `paths` compares
// to tell "built for this config" from "built for something else" without asking apt.
std::string inputs_digest(const BuilderInputs& inputs, const std::vector<std::string>& packages);

struct ResolvedPackage {
    std::string name, version, arch;
    bool operator==(const ResolvedPackage&) const = default;
};

// The cache key: the inputs digest and every package version apt chose (sorted by name).
std::string image_key(std::string_view inputs_digest, std::vector<ResolvedPackage> versions);

// --- apt's output ---

// "Inst NAME (VERSION ARCHIVE [ARCH])" lines of `apt-get -s install`, sorted by name.
std::vector<ResolvedPackage> parse_simulation(std::string_view apt_output);

// The lines of a `dpkg-query -W -f '${Package}\t${Version}\t${Architecture}\n'` list.
std::vector<ResolvedPackage> parse_dpkg_list(std::string_view text);

// What went wrong in apt's output, as one line: the names apt could not find, or its first
// "E:" (or failed fetch) line.
struct AptProblem {
    std::vector<std::string> unknown_packages; // "Unable to locate package", "no installation candidate"
    std::string message;                       // otherwise
};
AptProblem parse_apt_errors(std::string_view apt_output);

// --- the index (image_dir/index.json) ---

struct IndexEntry {
    std::string key;
    std::string inputs;                // inputs_digest() when built
    std::vector<std::string> packages; // the whole list (base included), sorted
    std::map<std::string, std::string> sha256; // object file → its SHA-256
    std::uint64_t root_bytes = 0;
    double build_seconds = 0;
    bool operator==(const IndexEntry&) const = default;
};

struct Index {
    std::map<std::string, IndexEntry> images; // by image name
    bool operator==(const Index&) const = default;
};

// Refuses anything it did not write: unknown format, a key that is not a key, a missing
// checksum. The message says what.
std::expected<Index, std::string> parse_index(std::string_view text);
std::string serialize_index(const Index& index);

// Writes `text` to `path` so that a reader (or a crash) sees the old file or the new one:
// a temporary in the same directory, fsync, rename, fsync of the directory. Mode 0644.
std::expected<void, std::string> write_file_atomically(const std::filesystem::path& path,
                                                       std::string_view text);

// --- the command line ---

enum class Command { Build, List, Paths, Help };

struct Options {
    Command command = Command::Help;
    std::string config_path;    // empty: the default lookup
    std::string image_dir;      // empty: the config's image_dir
    bool update = false;        // build: refresh the package index first
    bool all = false;           // build: every image in the config (and base)
    bool json = false;          // list
    std::vector<std::string> names;
};

inline constexpr std::string_view usage =
    "usage: spectrum-image build [--config FILE] [--image-dir DIR] [--update] (NAME...|--all)\n"
    "       spectrum-image list [--config FILE] [--image-dir DIR] [--json]\n"
    "       spectrum-image paths [--config FILE] [--image-dir DIR] NAME";

// The error is one line without the program name.
std::expected<Options, std::string> parse_args(const std::vector<std::string_view>& args);

} // namespace spectrum::image
