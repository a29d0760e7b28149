// Reads a store archive front to back, checking every entry as it streams past: both the
// verify pass and the extracting pass of a restore are one scan, the second with a sink.
#pragma once

#include "manifest.hpp"

#include <cstddef>
#include <cstdint>
#include <ctime>
#include <expected>
#include <span>
#include <string>
#include <vector>

namespace spectrum::vmbridge::store {

// The config entry is refused above this; it also bounds archived_config()'s memory.
inline constexpr std::uint64_t kMaxConfigBytes = 1 << 20;

// The most logical bytes (holes count) all the files of one archive may claim together:
// every byte is hashed, holes too, so a claimed size is time spent. 1 TiB hashes in minutes;
// the 1 PiB a 20 KiB archive of one sparse entry can claim would take days.
inline constexpr std::uint64_t kMaxArchiveBytes = 1ull << 40;

struct EntryInfo {
    ManifestEntry entry; // sha256 still empty: it is known only once the data has passed
    timespec mtime{};
};

// Receives the entries of an archive that passed every check so far. Nothing it receives
// is trusted yet: the sums are compared with the MANIFEST only at the end of the scan.
class EntrySink {
  public:
    virtual ~EntrySink() = default;
    virtual std::expected<void, std::string> directory(const EntryInfo& info) = 0;
    virtual std::expected<void, std::string> begin_file(const EntryInfo& info) = 0;
    // Within [0, size), in increasing offsets; what lies between is zeros (a hole).
    virtual std::expected<void, std::string> file_data(std::span<const std::byte> data,
                                                       std::uint64_t offset) = 0;
    virtual std::expected<void, std::string> end_file() = 0;
};

struct ScanError {
    enum class Kind {
        Damaged,     // the archive is not a complete, intact store archive
        Destination, // the sink could not write
    };
    Kind kind = Kind::Damaged;
    std::string message; // Damaged: "what is wrong" without the archive name
};

// The cheap first look at the archive open on `fd` (from its current offset): every
// header's path, type, size and sparse map, the sizes' total against kMaxArchiveBytes, and
// the MANIFEST, with no file's data read (it is skipped, never hashed). Every entry must be
// listed in the MANIFEST with the same kind, size and mode, and every listed entry present.
// Returns the MANIFEST's entries: what scan_archive() is then told to expect.
std::expected<std::vector<ManifestEntry>, ScanError> check_headers(int fd);

// Scans the archive open on `fd` from its current offset, feeding `sink` (may be null) and
// checking the entries against the MANIFEST. Returns the entries in archive order. With
// `expected` (check_headers()'s result), an entry not listed there, or listed with another
// kind or size, is refused before any of its data is read.
std::expected<std::vector<ManifestEntry>, ScanError>
scan_archive(int fd, EntrySink* sink, const std::vector<ManifestEntry>* expected = nullptr);

// The text of the config entry (backup() writes it first), read from the archive open on
// `fd` without checking anything else: restore() checks it with everything else.
std::expected<std::string, ScanError> read_config_entry(int fd);

} // namespace spectrum::vmbridge::store
