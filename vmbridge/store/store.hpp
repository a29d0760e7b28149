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
// Restore reads the archive three times and writes nothing to the destination until all
// agree: pass 0 reads only the headers and the MANIFEST (no data is hashed): every entry
// must be listed with its kind, size and mode, the sizes (holes count) may total at most
// kMaxArchiveBytes, and a sparse map must lie inside its file — so a small archive claiming
// a huge sparse file is refused at once, naming it. Pass 1 checks every entry (only plain
// relative paths under state/, VM directories named like config VMs, only files and
// directories, each directory before its contents, no duplicates), every sha256, size and
// mode, and that the MANIFEST and the archive list exactly the same entries; an entry not
// listed, or listed with another size, is refused before its data is read.
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
#include <functional>
#include <optional>
#include <string>
#include <string_view>
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

// What a restore makes of the archived config before anything is written: a refusal (one
// line), or nothing to go on. Callers pass state_dir_check().
using ConfigCheck = std::function<std::optional<std::string>(std::string_view config_text)>;

// Refuses an archived config whose state_dir (relative to `config_dest`'s directory, as
// the supervisor reads it) is not `state_dir`: the store is restored only where the config
// in use keeps it, and the restored config must not point elsewhere.
ConfigCheck state_dir_check(const std::filesystem::path& config_dest,
                            const std::filesystem::path& state_dir);

// The state_dir of `config` (a config file that may not exist yet: then the built-in
// default), absolute, relative paths taken from the config file's directory.
std::expected<std::filesystem::path, std::string>
configured_state_dir(const std::filesystem::path& config);

// The text of the config file `path` (at most kMaxConfigBytes + 1 bytes of it), or nothing
// when it cannot be read: to tell whether a restore changed the config.
std::optional<std::string> read_config_text(const std::filesystem::path& path);

// Restores `archive`: its config to `config_dest` and its store to `state_dir`. The caller
// names `state_dir` — never a path taken from the archive. Modes are the restore's own,
// never the archive's: directories 0700, files (the config too) 0600; mtimes as archived,
// owned by the caller. `accept_config` may refuse the archived config first.
// Without `force` it refuses a non-empty `state_dir` and a `config_dest` whose content
// differs from the archived config; with `force` the old store is replaced as a whole (VM
// directories absent from the archive are deleted) and the config overwritten. Both
// replacements are renames, so either the old or the new store is visible, never a mix.
// `state_dir` must not be a mount point (the staging directory beside it must be on the
// same filesystem): use a directory below the mount.
std::expected<Summary, std::string> restore(const std::filesystem::path& archive,
                                            const std::filesystem::path& config_dest,
                                            const std::filesystem::path& state_dir, bool force,
                                            const ConfigCheck& accept_config = {});

} // namespace spectrum::vmbridge::store
