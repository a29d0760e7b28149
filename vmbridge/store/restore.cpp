// verify(), archived_config() and restore(): check the whole archive, then extract it into
// a staging directory (checking it all again), then rename the result into place.
#include "archive_scan.hpp"
#include "posix_file.hpp"
#include "staging_writer.hpp"
#include "store.hpp"

#include <cerrno>
#include <cstring>
#include <cstdio>
#include <fcntl.h>
#include <format>
#include <sys/stat.h>
#include <unistd.h>

namespace spectrum::vmbridge::store {

namespace {

namespace fs = std::filesystem;

std::expected<UniqueFd, std::string> open_archive(const fs::path& archive) {
    UniqueFd fd(open(archive.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
    struct stat info {};
    if (!fd || fstat(fd.get(), &info) != 0)
        return std::unexpected(
            std::format("{}; check the archive's path", path_error(archive, errno)));
    // A restore reads the archive twice, so it must be a file, not a pipe.
    if (!S_ISREG(info.st_mode))
        return std::unexpected(
            std::format("{}: not a regular file; give the archive's path", archive.string()));
    return fd;
}

std::expected<void, std::string> rewind(int fd, const fs::path& archive) {
    if (lseek(fd, 0, SEEK_SET) != 0) return std::unexpected(path_error(archive, errno));
    return {};
}

std::string describe(const fs::path& archive, const ScanError& error, std::string_view outcome) {
    if (error.kind == ScanError::Kind::Destination)
        return std::format("{}; {} — fix that and restore again", error.message, outcome);
    return std::format("{}: {}; {} — the archive is damaged or incomplete, use another backup",
                       archive.string(), error.message, outcome);
}

// The absolute path, symlinks resolved when it exists: replacing a symlinked store or
// config must replace what the link points to, not the link.
fs::path resolved(const fs::path& path) {
    std::error_code error;
    auto absolute = fs::absolute(path, error).lexically_normal();
    if (!absolute.has_filename()) absolute = absolute.parent_path(); // "/a/b/" → "/a/b"
    auto canonical = fs::canonical(absolute, error);
    return error ? absolute : canonical;
}

// Up to `limit` + 1 bytes of `path`: enough to tell whether it differs from a config.
std::expected<std::string, std::string> read_small_file(const fs::path& path, std::size_t limit) {
    UniqueFd fd(open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
    if (!fd) return std::unexpected(path_error(path, errno));
    std::string text(limit + 1, '\0');
    std::size_t used = 0;
    while (used < text.size()) {
        ssize_t got = read(fd.get(), text.data() + used, text.size() - used);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) return std::unexpected(path_error(path, errno));
        if (got == 0) break;
        used += static_cast<std::size_t>(got);
    }
    text.resize(used);
    return text;
}

// Gives `a` the name `b` and `b` the name `a`, atomically where the filesystem allows.
std::expected<void, std::string> swap_directories(const fs::path& a, const fs::path& b) {
    if (renameat2(AT_FDCWD, a.c_str(), AT_FDCWD, b.c_str(), RENAME_EXCHANGE) == 0) return {};
    if (errno != EINVAL && errno != ENOSYS) return std::unexpected(path_error(b, errno));
    // No RENAME_EXCHANGE here: three renames, with a moment where `b` does not exist.
    auto aside = make_temp_dir(b.parent_path(), std::format(".{}.aside-", b.filename().string()));
    if (!aside) return std::unexpected(aside.error());
    if (rename(b.c_str(), aside->c_str()) != 0) {
        int error = errno;
        remove_quietly(*aside);
        return std::unexpected(path_error(b, error));
    }
    if (rename(a.c_str(), b.c_str()) != 0) {
        int error = errno;
        rename(aside->c_str(), b.c_str());
        return std::unexpected(path_error(b, error));
    }
    if (rename(aside->c_str(), a.c_str()) != 0) return std::unexpected(path_error(a, errno));
    return {};
}

struct Destination {
    fs::path state;
    bool state_exists = false;
    mode_t state_mode = 0700;
    fs::path config;
};

// Every refusal that needs no reading of the archive's data, so it comes at once.
std::expected<Destination, std::string> check_destination(const fs::path& state_dir,
                                                          const fs::path& config_dest, bool force) {
    Destination destination{.state = resolved(state_dir), .config = resolved(config_dest)};
    const auto& state = destination.state;
    if (state_dir.empty() || state == state.root_path())
        return std::unexpected(std::format("\"{}\" cannot be the state store; set state_dir to a "
                                           "directory of its own",
                                           state_dir.string()));
    struct stat info {};
    if (stat(state.c_str(), &info) == 0) {
        if (!S_ISDIR(info.st_mode))
            return std::unexpected(std::format("{}: exists and is not a directory; move it away "
                                               "or restore to another state_dir",
                                               state.string()));
        struct stat parent {};
        if (stat(state.parent_path().c_str(), &parent) == 0 && parent.st_dev != info.st_dev)
            return std::unexpected(std::format(
                "{}: is a mount point, which a restore cannot replace; set state_dir to a "
                "directory below it",
                state.string()));
        destination.state_exists = true;
        destination.state_mode = info.st_mode & 07777;
        std::error_code error;
        bool empty = fs::is_empty(state, error);
        if (error) return std::unexpected(std::format("{}: {}", state.string(), error.message()));
        if (!empty && !force)
            return std::unexpected(std::format("{}: the state store is not empty; pass --force to "
                                               "replace it (its contents are deleted)",
                                               state.string()));
    } else if (errno != ENOENT) {
        return std::unexpected(path_error(state, errno));
    }

    if (is_within(destination.config, state))
        return std::unexpected(std::format("{}: inside the state store {}; restore the config "
                                           "outside it",
                                           destination.config.string(), state.string()));
    if (stat(destination.config.c_str(), &info) == 0 && !S_ISREG(info.st_mode))
        return std::unexpected(
            std::format("{}: exists and is not a file; move it away", destination.config.string()));
    return destination;
}

// Refuses to overwrite a config that differs from the archived one, unless forced.
std::expected<void, std::string> check_config(const fs::path& archive, int fd,
                                              const fs::path& config, bool force) {
    if (force || !fs::exists(config)) return {};
    auto archived = read_config_entry(fd);
    if (!archived)
        return std::unexpected(describe(archive, archived.error(), "nothing was restored"));
    auto current = read_small_file(config, kMaxConfigBytes);
    if (!current) return std::unexpected(current.error());
    if (*current != *archived)
        return std::unexpected(std::format("{}: exists and differs from the archived config; "
                                           "pass --force to replace it",
                                           config.string()));
    return rewind(fd, archive);
}

std::expected<void, std::string> make_parent(const fs::path& path) {
    std::error_code error;
    fs::create_directories(path.parent_path(), error);
    if (error)
        return std::unexpected(std::format("{}: {}; nothing was restored",
                                           path.parent_path().string(), error.message()));
    return {};
}

// Every header checked against the MANIFEST and the size cap first (no data read), then
// the archive is rewound for the scan that hashes, which expects exactly those entries.
std::expected<std::vector<ManifestEntry>, ScanError> checked_scan(int fd, EntrySink* sink) {
    if (lseek(fd, 0, SEEK_SET) != 0)
        return std::unexpected(ScanError{ScanError::Kind::Damaged, std::strerror(errno)});
    auto listed = check_headers(fd);
    if (!listed) return std::unexpected(listed.error());
    if (lseek(fd, 0, SEEK_SET) != 0)
        return std::unexpected(ScanError{ScanError::Kind::Damaged, std::strerror(errno)});
    return scan_archive(fd, sink, &*listed);
}

} // namespace

std::optional<std::string> read_config_text(const fs::path& path) {
    auto text = read_small_file(path, kMaxConfigBytes);
    if (!text) return std::nullopt;
    return *text;
}

std::expected<Summary, std::string> verify(const fs::path& archive) {
    auto fd = open_archive(archive);
    if (!fd) return std::unexpected(fd.error());
    auto entries = checked_scan(fd->get(), nullptr);
    if (!entries)
        return std::unexpected(std::format("{}: {}; the archive is damaged or incomplete — use "
                                           "another backup",
                                           archive.string(), entries.error().message));
    return summarize(*entries);
}

std::expected<std::string, std::string> archived_config(const fs::path& archive) {
    auto fd = open_archive(archive);
    if (!fd) return std::unexpected(fd.error());
    auto text = read_config_entry(fd->get());
    if (!text)
        return std::unexpected(std::format("{}: {}; the archive is damaged or was not made by "
                                           "spectrum-store",
                                           archive.string(), text.error().message));
    return *text;
}

std::expected<Summary, std::string> restore(const fs::path& archive, const fs::path& config_dest,
                                            const fs::path& state_dir, bool force,
                                            const ConfigCheck& accept_config) {
    // One descriptor for both passes: they read the same file even if its name is reused.
    auto fd = open_archive(archive);
    if (!fd) return std::unexpected(fd.error());
    auto destination = check_destination(state_dir, config_dest, force);
    if (!destination) return std::unexpected(destination.error());
    const auto& state = destination->state;
    const auto& config = destination->config;
    if (auto checked = check_config(archive, fd->get(), config, force); !checked)
        return std::unexpected(checked.error());
    if (accept_config) {
        // The archived config must agree with where this restore writes (its state_dir).
        auto archived = read_config_entry(fd->get());
        if (!archived)
            return std::unexpected(describe(archive, archived.error(), "nothing was restored"));
        if (auto refused = accept_config(*archived))
            return std::unexpected(
                std::format("{}: {}; nothing was restored", archive.string(), *refused));
    }

    // Pass 1: everything checked, nothing written.
    auto verified = checked_scan(fd->get(), nullptr);
    if (!verified)
        return std::unexpected(describe(archive, verified.error(), "nothing was restored"));

    // Pass 2: the same checks while writing beside the destinations.
    for (const auto& path : {state, config}) {
        if (auto made = make_parent(path); !made) return std::unexpected(made.error());
    }
    auto staging_path =
        make_temp_dir(state.parent_path(), std::format(".{}.restore-", state.filename().string()));
    if (!staging_path)
        return std::unexpected(std::format("{}; nothing was restored", staging_path.error()));
    TemporaryPath staging(*staging_path);
    if (chmod(staging.path().c_str(), destination->state_mode) != 0)
        return std::unexpected(
            std::format("{}; nothing was restored", path_error(staging.path(), errno)));
    auto config_file = make_temp_file(config.parent_path(),
                                      std::format(".{}.restore-", config.filename().string()));
    if (!config_file)
        return std::unexpected(std::format("{}; nothing was restored", config_file.error()));
    TemporaryPath config_temp(config_file->second);

    StagingWriter writer(staging.path(), config_file->first.get(), config_temp.path());
    auto extracted = checked_scan(fd->get(), &writer);
    if (!extracted)
        return std::unexpected(describe(archive, extracted.error(), "nothing was restored"));
    if (*extracted != *verified)
        return std::unexpected(std::format("{}: changed while being restored; nothing was "
                                           "restored — restore again",
                                           archive.string()));
    if (auto finished = writer.finish(); !finished)
        return std::unexpected(std::format("{}; nothing was restored", finished.error()));
    config_file->first.reset();

    // Commit: the store, then the config; should the config fail, the old store returns.
    if (destination->state_exists) {
        // After the swap, the staging name holds the old store, which `staging` deletes.
        if (auto swapped = swap_directories(staging.path(), state); !swapped)
            return std::unexpected(std::format("{}; nothing was restored", swapped.error()));
    } else if (rename(staging.path().c_str(), state.c_str()) != 0) {
        return std::unexpected(std::format("{}; nothing was restored", path_error(state, errno)));
    }
    if (rename(config_temp.path().c_str(), config.c_str()) != 0) {
        auto error = path_error(config, errno);
        if (destination->state_exists)
            (void)swap_directories(staging.path(), state);
        else
            remove_quietly(state);
        return std::unexpected(std::format("{}; nothing was restored", error));
    }
    config_temp.keep();
    if (!destination->state_exists) staging.keep();

    for (const auto& path : {state, config}) {
        if (auto synced = fsync_directory(path.parent_path()); !synced)
            return std::unexpected(synced.error());
    }
    return summarize(*verified);
}

} // namespace spectrum::vmbridge::store
