// The MANIFEST: the list of every entry of a store archive with its size, mode and sha256.
//
// Text, one entry a line, so a user can read it and check sums with sha256sum:
//
//   spectrum-store manifest 1
//   file 0644 1234 <64 hex digits> config/spectrum.toml
//   dir 0700 0 - state/web
//   file 0600 67108864 <64 hex digits> state/web/state.img
//
// The path is the rest of the line (it may hold spaces; entry_path_problem() rules out
// newlines). A file's sha256 is that of its full logical content, holes read as zeros.
#pragma once

#include "store.hpp"

#include <cstdint>
#include <expected>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace spectrum::vmbridge::store {

enum class EntryKind { File, Directory };

struct ManifestEntry {
    EntryKind kind = EntryKind::File;
    std::string path;       // as in the archive, without a trailing '/'
    std::uint32_t mode = 0; // permission bits, at most 0777
    std::uint64_t size = 0; // 0 for a directory
    std::string sha256;     // lower-case hex; empty for a directory

    bool operator==(const ManifestEntry&) const = default;
};

std::string format_manifest(std::span<const ManifestEntry> entries);

// Parses a MANIFEST. Errors read "MANIFEST line N: …".
std::expected<std::vector<ManifestEntry>, std::string> parse_manifest(std::string_view text);

// The first difference between what the MANIFEST lists and what the archive holds
// (`found`), as "PATH: what differs", or nothing when they list the same entries alike.
// Without `compare_sums` the sha256 is left out (the headers alone have been read).
std::optional<std::string> manifest_mismatch(std::span<const ManifestEntry> manifest,
                                             std::span<const ManifestEntry> found,
                                             bool compare_sums = true);

// Counts the state/ entries of a store archive.
Summary summarize(std::span<const ManifestEntry> entries);

} // namespace spectrum::vmbridge::store
