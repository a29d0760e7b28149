// The global state store's backup and restore: the whole public API of vmbridge/store.
//
// The store (config key `state_dir`) holds one directory per VM, mode 0700: the VM's only
// writable storage. A backup is ONE archive that, with the config file, brings a host back:
//
//   config/spectrum.toml   the config file
//   state/<vm>/...         every directory and regular file of the store, in that order
//                          (a directory always before what it contains); sparse images
//                          stay sparse (GNU sparse 1.0 in pax headers)
//   MANIFEST               always the LAST entry, so a backup streams in one pass: one
//                          line per entry above, `file|dir MODE SIZE SHA256|- PATH`
//
// The archive is a pax tar, compressed by the archive name: `.tar.zst`/`.tzst` zstd,
// `.tar.gz`/`.tgz` gzip, anything else plain. Data always streams; a disk image is never
// held in memory.
//
// Restore reads the archive twice and writes nothing to the destination until both
// passes agree: pass 1 checks every entry (only plain relative paths under state/, only
// files and directories, each directory before its contents, no duplicates), every sha256,
// size and mode, and that the MANIFEST and the archive list exactly the same entries.
// Pass 2 repeats those checks while extracting into a staging directory next to the store;
// the staging directory then takes the store's place with one rename. A damaged,
// truncated or hostile archive therefore leaves the store and the config untouched.
//
// Stop the VMs first: a backup of a running VM's disk image is a torn copy, and a restore
// replaces the directories the running VMs write to. These functions stop no VM.
//
// Errors are one line each, saying what is wrong and what to do.
#pragma once

#include <cstdint>
#include <expected>
#include <filesystem>
#include <string>
#include <vector>

namespace spectrum::vmbridge::store {

// What a backup wrote, or what an archive holds. The config file is not counted.
struct Summary {
    std::vector<std::string> vms;  // the VM directories (state/<vm>), sorted
    std::uint64_t files = 0;       // regular files under state/
    std::uint64_t directories = 0; // directories under state/, the VM directories included
    std::uint64_t bytes = 0;       // logical size of those files (holes count)

    bool operator==(const Summary&) const = default;
};

// Writes `config_file` and everything under `state_dir` to `archive`. The archive appears
// only when complete (written beside it, then renamed), replacing any file of that name,
// with mode 0600: it holds every VM's data. Refused: a symlink, device, FIFO or socket in
// the store, a non-directory directly in it, an archive path inside the store.
std::expected<Summary, std::string> backup(const std::filesystem::path& config_file,
                                           const std::filesystem::path& state_dir,
                                           const std::filesystem::path& archive);

// Checks `archive` exactly as a restore does (pass 1), writing nothing.
std::expected<Summary, std::string> verify(const std::filesystem::path& archive);

// The config text stored in `archive`, read from its first entries without checking the
// rest: enough to find the state_dir it names before a restore. restore() verifies it.
std::expected<std::string, std::string> archived_config(const std::filesystem::path& archive);

// Restores `archive`: its config to `config_dest` and its store to `state_dir` (VM
// directories mode 0700, other modes and mtimes as archived, owned by the caller).
// Without `force` it refuses a non-empty `state_dir` and a `config_dest` whose content
// differs from the archived config; with `force` the old store is replaced as a whole (VM
// directories absent from the archive are deleted) and the config overwritten. Both
// replacements are renames, so either the old or the new store is visible, never a mix.
// `state_dir` must not be a mount point (the staging directory beside it must be on the
// same filesystem): use a directory below the mount.
std::expected<Summary, std::string> restore(const std::filesystem::path& archive,
                                            const std::filesystem::path& config_dest,
                                            const std::filesystem::path& state_dir, bool force);

} // namespace spectrum::vmbridge::store
