// Helpers for the state store tests: scratch directories, sparse images, tree listings
// that compare byte for byte, and hand-made archives for what backup() never writes.
#pragma once

#include "manifest.hpp"

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace store_test {

namespace fs = std::filesystem;
using spectrum::vmbridge::store::ManifestEntry;

// A fresh directory under $TMPDIR (or /tmp), removed with everything in it.
class TempDir {
  public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const fs::path& path() const { return path_; }
    fs::path operator/(std::string_view name) const { return path_ / name; }

  private:
    fs::path path_;
};

void write_file(const fs::path& path, std::string_view content, unsigned mode = 0644);
std::string read_file(const fs::path& path);
void make_dir(const fs::path& path, unsigned mode = 0700);

// `size` bytes: `head` at offset 0, `tail` ending at `size`, a hole in between.
void make_sparse_image(const fs::path& path, std::uint64_t size, std::string_view head,
                       std::string_view tail);
std::uint64_t allocated_bytes(const fs::path& path);

// `size` bytes that do not compress, the same for the same seed.
std::string noise(std::size_t size, std::uint64_t seed);

// One line per entry below `root`, sorted: kind, mode, size, sha256 and relative path.
// Equal listings mean byte-identical trees with the same modes. Missing root: "".
std::string tree_listing(const fs::path& root);

// `listing` (tree_listing()) with the modes a restore gives: 0700 directories, 0600 files.
std::string as_restored(const std::string& listing);

// The store every round trip uses: three VMs, a sparse 64 MiB image with data at both
// ends, nested and empty directories, empty files, long and non-ASCII names.
void make_sample_store(const fs::path& state_dir);
inline constexpr std::string_view kMarker = "MARKER-0123456789-inside-a-state-file";

// A config naming `state_dir`.
std::string sample_config(const fs::path& state_dir);

// Writes a tar archive entry by entry, and a MANIFEST of the entries it is told to list.
class ArchiveBuilder {
  public:
    explicit ArchiveBuilder(const fs::path& file);
    ~ArchiveBuilder();
    ArchiveBuilder(const ArchiveBuilder&) = delete;
    ArchiveBuilder& operator=(const ArchiveBuilder&) = delete;

    // `listed`: whether the MANIFEST written by manifest() names the entry.
    ArchiveBuilder& dir(const std::string& path, unsigned mode = 0700, bool listed = true);
    ArchiveBuilder& file(const std::string& path, std::string_view content, unsigned mode = 0644,
                         bool listed = true);
    ArchiveBuilder& symlink(const std::string& path, const std::string& target);
    ArchiveBuilder& hardlink(const std::string& path, const std::string& target);
    ArchiveBuilder& fifo(const std::string& path);
    ArchiveBuilder& char_device(const std::string& path);
    // Lists an entry in the MANIFEST without putting it in the archive.
    ArchiveBuilder& list_only(ManifestEntry entry);
    // The config entry, listed, with text naming `state_dir`.
    ArchiveBuilder& config(const fs::path& state_dir);
    ArchiveBuilder& manifest();
    ArchiveBuilder& raw_manifest(std::string_view text);
    void close();

  private:
    void header(const std::string& path, unsigned type, unsigned mode, std::uint64_t size);
    struct Handle;
    Handle* handle_;
    std::vector<ManifestEntry> listed_;
};

ManifestEntry listed_file(const std::string& path, std::string_view content, unsigned mode = 0644);

} // namespace store_test
