// backup(): streams the config, every directory and file of the store, and the MANIFEST
// into one archive, hashing each file as it passes.
#include "archive_handle.hpp"
#include "config.hpp"
#include "entry_path.hpp"
#include "manifest.hpp"
#include "posix_file.hpp"
#include "sha256.hpp"
#include "store.hpp"

#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <format>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace spectrum::vmbridge::store {

namespace {

namespace fs = std::filesystem;

constexpr std::size_t kReadChunk = 1 << 20;
// Holes shorter than this are archived as zeros: one sparse-map line per 4 KiB hole of a
// fragmented image would cost more than the hole.
constexpr std::uint64_t kMinHole = 64 << 10;

struct Region {
    std::uint64_t offset = 0, length = 0;
};

// The data regions of the file open on `fd`, found with SEEK_DATA/SEEK_HOLE. A filesystem
// that cannot report holes yields one region: the whole file.
std::vector<Region> data_regions(int fd, std::uint64_t size) {
    const std::vector<Region> whole{{0, size}};
    std::vector<Region> regions;
    std::uint64_t position = 0;
    while (position < size) {
        off_t data = lseek(fd, static_cast<off_t>(position), SEEK_DATA);
        if (data < 0) {
            if (errno == ENXIO) break; // only a hole up to the end
            return whole;
        }
        auto start = static_cast<std::uint64_t>(data);
        if (start >= size) break;
        off_t hole = lseek(fd, data, SEEK_HOLE);
        if (hole <= data) return whole;
        auto end = std::min(static_cast<std::uint64_t>(hole), size);
        if (!regions.empty() && start - (regions.back().offset + regions.back().length) < kMinHole)
            regions.back().length = end - regions.back().offset;
        else
            regions.push_back({start, end - start});
        position = end;
    }
    return regions;
}

enum class Compression { None, Gzip, Zstd };

Compression compression_for(const fs::path& archive) {
    auto name = archive.filename().string();
    if (name.ends_with(".tar.zst") || name.ends_with(".tzst")) return Compression::Zstd;
    if (name.ends_with(".tar.gz") || name.ends_with(".tgz")) return Compression::Gzip;
    return Compression::None;
}

std::string_view kind_of(mode_t mode) {
    if (S_ISLNK(mode)) return "a symbolic link";
    if (S_ISBLK(mode) || S_ISCHR(mode)) return "a device";
    if (S_ISFIFO(mode)) return "a FIFO";
    if (S_ISSOCK(mode)) return "a socket";
    return "not a regular file";
}

// Writes entries to the archive and remembers each for the MANIFEST.
class BackupWriter {
  public:
    BackupWriter(archive* handle, std::string archive_name)
        : archive_(handle), archive_name_(std::move(archive_name)), buffer_(kReadChunk) {}

    std::expected<void, std::string> add_directory(std::string path, const struct stat& info) {
        Entry entry(archive_entry_new());
        describe(entry.get(), path, AE_IFDIR, info);
        archive_entry_set_size(entry.get(), 0);
        if (auto written = write_header(entry.get()); !written) return written;
        entries_.push_back({EntryKind::Directory, std::move(path), info.st_mode & 0777u, 0, {}});
        return {};
    }

    // `fd` is open on the regular file `source` (named in errors), described by `info`.
    std::expected<void, std::string> add_file(int fd, const fs::path& source, std::string path,
                                              const struct stat& info) {
        auto size = static_cast<std::uint64_t>(info.st_size);
        auto regions = data_regions(fd, size);
        bool sparse = !(regions.size() == 1 && regions[0].offset == 0 && regions[0].length == size);
        if (size == 0) {
            regions.clear();
            sparse = false;
        }

        Entry entry(archive_entry_new());
        describe(entry.get(), path, AE_IFREG, info);
        archive_entry_set_size(entry.get(), static_cast<la_int64_t>(size));
        if (sparse) {
            for (const auto& region : regions)
                archive_entry_sparse_add_entry(entry.get(), static_cast<la_int64_t>(region.offset),
                                               static_cast<la_int64_t>(region.length));
            // Like GNU tar: an empty region at the end records a trailing hole.
            archive_entry_sparse_add_entry(entry.get(), static_cast<la_int64_t>(size), 0);
        }
        if (auto written = write_header(entry.get()); !written) return written;

        // The pax writer takes the whole logical file, holes as zeros, and drops the holes.
        Sha256 sum;
        std::uint64_t position = 0;
        for (const auto& region : regions) {
            if (auto zeros = write_zeros(sum, region.offset - position); !zeros) return zeros;
            if (auto data = copy_region(fd, source, region, sum); !data) return data;
            position = region.offset + region.length;
        }
        if (sparse) {
            if (auto zeros = write_zeros(sum, size - position); !zeros) return zeros;
        }
        entries_.push_back(
            {EntryKind::File, std::move(path), info.st_mode & 0777u, size, sum.hex_digest()});
        return {};
    }

    std::expected<void, std::string> add_manifest() {
        auto text = format_manifest(entries_);
        Entry entry(archive_entry_new());
        archive_entry_set_pathname(entry.get(), std::string(kManifestEntry).c_str());
        archive_entry_set_filetype(entry.get(), AE_IFREG);
        archive_entry_set_perm(entry.get(), 0644);
        archive_entry_set_size(entry.get(), static_cast<la_int64_t>(text.size()));
        archive_entry_set_mtime(entry.get(), time(nullptr), 0);
        if (auto written = write_header(entry.get()); !written) return written;
        return write_data(std::as_bytes(std::span(text)));
    }

    const std::vector<ManifestEntry>& entries() const { return entries_; }

  private:
    static void describe(archive_entry* entry, const std::string& path, unsigned type,
                         const struct stat& info) {
        archive_entry_set_pathname(entry, path.c_str());
        archive_entry_set_filetype(entry, type);
        archive_entry_set_perm(entry, info.st_mode & 0777u);
        archive_entry_set_uid(entry, info.st_uid);
        archive_entry_set_gid(entry, info.st_gid);
        archive_entry_set_mtime(entry, info.st_mtim.tv_sec, info.st_mtim.tv_nsec);
    }

    std::expected<void, std::string> write_header(archive_entry* entry) {
        // ARCHIVE_WARN: a name that is not UTF-8, which the pax writer then stores as raw
        // bytes (hdrcharset=BINARY) and the reader gives back unchanged.
        if (archive_write_header(archive_, entry) < ARCHIVE_WARN) return write_failed();
        return {};
    }

    std::expected<void, std::string> write_data(std::span<const std::byte> bytes) {
        auto written = archive_write_data(archive_, bytes.data(), bytes.size());
        if (written < 0 || static_cast<std::size_t>(written) != bytes.size()) return write_failed();
        return {};
    }

    std::expected<void, std::string> write_zeros(Sha256& sum, std::uint64_t count) {
        auto zeros = zero_block();
        while (count > 0) {
            auto chunk =
                zeros.first(static_cast<std::size_t>(std::min<std::uint64_t>(count, zeros.size())));
            sum.update(chunk);
            if (auto written = write_data(chunk); !written) return written;
            count -= chunk.size();
        }
        return {};
    }

    std::expected<void, std::string> copy_region(int fd, const fs::path& source,
                                                 const Region& region, Sha256& sum) {
        std::uint64_t done = 0;
        while (done < region.length) {
            auto want = static_cast<std::size_t>(
                std::min<std::uint64_t>(region.length - done, buffer_.size()));
            ssize_t got = pread(fd, buffer_.data(), want, static_cast<off_t>(region.offset + done));
            if (got < 0 && errno == EINTR) continue;
            if (got < 0) return std::unexpected(path_error(source, errno));
            if (got == 0)
                return std::unexpected(
                    std::format("{}: shrank while being backed up; stop its VM and back up again",
                                source.string()));
            auto chunk = std::span(buffer_).first(static_cast<std::size_t>(got));
            sum.update(chunk);
            if (auto written = write_data(chunk); !written) return written;
            done += static_cast<std::uint64_t>(got);
        }
        return {};
    }

    std::unexpected<std::string> write_failed() const {
        return std::unexpected(std::format("{}: cannot write the backup: {}; nothing was written",
                                           archive_name_, archive_message(archive_)));
    }

    archive* archive_;
    std::string archive_name_;
    std::vector<ManifestEntry> entries_;
    std::vector<std::byte> buffer_;
};

// Adds everything below `directory` (archived as `entry_directory`), sorted by name so one
// store always gives the same archive. Directly in the store (`top`) only directories live.
std::expected<void, std::string> add_tree(BackupWriter& writer, const fs::path& directory,
                                          const std::string& entry_directory, bool top) {
    std::vector<std::string> names;
    std::error_code error;
    for (fs::directory_iterator it(directory, error), end; !error && it != end; it.increment(error))
        names.push_back(it->path().filename().string());
    if (error) return std::unexpected(std::format("{}: {}", directory.string(), error.message()));
    std::ranges::sort(names);

    for (const auto& name : names) {
        auto source = directory / name;
        auto path = std::format("{}/{}", entry_directory, name);
        if (auto problem = entry_path_problem(path))
            return std::unexpected(std::format("{}: {}; rename it and back up again",
                                               printable(source.string()), *problem));
        struct stat info {};
        if (lstat(source.c_str(), &info) != 0) return std::unexpected(path_error(source, errno));

        if (S_ISDIR(info.st_mode)) {
            // A restore takes only VM-named directories (never ".ssh"); back up none else.
            if (top && !config::valid_vm_name(name))
                return std::unexpected(std::format(
                    "{}: not a VM name (1 to 32 characters from a-z, 0-9 and \"-\"), and the "
                    "state store holds one directory per VM — move it out of {} and back up again",
                    printable(source.string()), directory.string()));
            if (auto added = writer.add_directory(path, info); !added) return added;
            if (auto added = add_tree(writer, source, path, false); !added) return added;
        } else if (top) {
            return std::unexpected(std::format(
                "{}: not a directory; the state store holds one directory per VM — move it "
                "out of {} and back up again",
                source.string(), directory.string()));
        } else if (S_ISREG(info.st_mode)) {
            // O_NONBLOCK: should the file have just become a FIFO, fail instead of waiting.
            UniqueFd fd(open(source.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
            if (!fd || fstat(fd.get(), &info) != 0)
                return std::unexpected(path_error(source, errno));
            if (!S_ISREG(info.st_mode))
                return std::unexpected(std::format("{}: changed while being backed up; stop its VM "
                                                   "and back up again",
                                                   source.string()));
            if (auto added = writer.add_file(fd.get(), source, path, info); !added) return added;
        } else {
            return std::unexpected(std::format(
                "{}: is {}; the state store holds only files and directories — remove it and "
                "back up again",
                source.string(), kind_of(info.st_mode)));
        }
    }
    return {};
}

std::expected<void, std::string> open_archive(archive* handle, const fs::path& name, int fd) {
    int status = ARCHIVE_OK;
    switch (compression_for(name)) {
    case Compression::Zstd:
        status = archive_write_add_filter_zstd(handle);
        break;
    case Compression::Gzip:
        status = archive_write_add_filter_gzip(handle);
        break;
    case Compression::None:
        break;
    }
    // Restricted pax: plain ustar headers unless an entry needs more (long or non-ASCII
    // names, sparse maps), so GNU tar and bsdtar list it without a complaint.
    if (status == ARCHIVE_OK) status = archive_write_set_format_pax_restricted(handle);
    // Big writes for throughput; no padding after the end, which compressors never need.
    if (status == ARCHIVE_OK) status = archive_write_set_bytes_per_block(handle, 1 << 20);
    if (status == ARCHIVE_OK) status = archive_write_set_bytes_in_last_block(handle, 1);
    if (status == ARCHIVE_OK) status = archive_write_open_fd(handle, fd);
    if (status != ARCHIVE_OK)
        return std::unexpected(
            std::format("{}: cannot start the backup: {}", name.string(), archive_message(handle)));
    return {};
}

} // namespace

std::expected<Summary, std::string> backup(const fs::path& config_file, const fs::path& state_dir,
                                           const fs::path& archive_path) {
    // The config may be a symlink (into a dotfiles checkout, say): archive what it points to.
    UniqueFd config(open(config_file.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
    struct stat config_info {};
    if (!config || fstat(config.get(), &config_info) != 0)
        return std::unexpected(
            std::format("{}; pass the config file in use", path_error(config_file, errno)));
    if (!S_ISREG(config_info.st_mode))
        return std::unexpected(std::format("{}: not a regular file; pass the config file in use",
                                           config_file.string()));

    struct stat state_info {};
    if (stat(state_dir.c_str(), &state_info) != 0)
        return std::unexpected(
            std::format("{}; check state_dir in the config", path_error(state_dir, errno)));
    if (!S_ISDIR(state_info.st_mode))
        return std::unexpected(
            std::format("{}: not a directory; check state_dir in the config", state_dir.string()));

    // The restore of such a backup would replace the config with the store, or the
    // reverse: they are two separate things.
    if (is_within(config_file, state_dir))
        return std::unexpected(std::format("{}: inside the state store {}; keep the config "
                                           "outside it",
                                           config_file.string(), state_dir.string()));
    auto destination = fs::absolute(archive_path);
    if (is_within(destination, state_dir))
        return std::unexpected(std::format("{}: inside the state store {}; write the backup "
                                           "somewhere else",
                                           archive_path.string(), state_dir.string()));
    auto partial = make_temp_file(destination.parent_path(),
                                  std::format(".{}.partial-", destination.filename().string()));
    if (!partial)
        return std::unexpected(
            std::format("{}; pick a writable directory for the backup", partial.error()));
    auto& [fd, partial_path] = *partial;
    TemporaryPath cleanup(partial_path);

    Utf8Locale utf8;
    WriteArchive writer_handle(archive_write_new());
    if (auto opened = open_archive(writer_handle.get(), archive_path, fd.get()); !opened)
        return std::unexpected(opened.error());
    BackupWriter writer(writer_handle.get(), archive_path.string());

    if (auto added =
            writer.add_file(config.get(), config_file, std::string(kConfigEntry), config_info);
        !added)
        return std::unexpected(added.error());
    if (auto added = add_tree(writer, state_dir, "state", true); !added)
        return std::unexpected(added.error());
    if (auto added = writer.add_manifest(); !added) return std::unexpected(added.error());

    if (archive_write_close(writer_handle.get()) != ARCHIVE_OK)
        return std::unexpected(std::format("{}: cannot write the backup: {}; nothing was written",
                                           archive_path.string(),
                                           archive_message(writer_handle.get())));
    if (fsync(fd.get()) != 0 || rename(partial_path.c_str(), destination.c_str()) != 0)
        return std::unexpected(
            std::format("{}; nothing was written", path_error(archive_path, errno)));
    cleanup.keep();
    if (auto synced = fsync_directory(destination.parent_path()); !synced)
        return std::unexpected(synced.error());
    return summarize(writer.entries());
}

} // namespace spectrum::vmbridge::store
