#include "archive_scan.hpp"

#include "archive_handle.hpp"
#include "entry_path.hpp"
#include "sha256.hpp"

#include <format>
#include <optional>
#include <unordered_map>

namespace spectrum::vmbridge::store {

namespace {

// About half a million entries; stops a hostile archive from filling memory.
constexpr std::uint64_t kMaxManifestBytes = 64 << 20;

std::unexpected<ScanError> damaged(std::string message) {
    return std::unexpected(ScanError{ScanError::Kind::Damaged, std::move(message)});
}

std::unexpected<ScanError> unwritable(std::string message) {
    return std::unexpected(ScanError{ScanError::Kind::Destination, std::move(message)});
}

class Scanner {
  public:
    Scanner(archive* handle, EntrySink* sink) : archive_(handle), sink_(sink) {}

    std::expected<std::vector<ManifestEntry>, ScanError> run() {
        for (;;) {
            archive_entry* entry = nullptr;
            int status = archive_read_next_header(archive_, &entry);
            if (status == ARCHIVE_EOF) break;
            // Warnings too: a store archive written by backup() never raises one.
            if (status != ARCHIVE_OK) return damaged(archive_message(archive_));
            if (manifest_text_) return damaged("an entry follows the MANIFEST, which must be last");
            if (auto checked = check_entry(entry); !checked)
                return std::unexpected(checked.error());
        }
        if (!manifest_text_)
            return damaged("no MANIFEST at the end: the archive is truncated or was not made by "
                           "spectrum-store");
        auto manifest = parse_manifest(*manifest_text_);
        if (!manifest) return damaged(manifest.error());
        if (!kinds_.contains(std::string(kConfigEntry)))
            return damaged(std::format("no {} in the archive", kConfigEntry));
        if (auto mismatch = manifest_mismatch(*manifest, found_)) return damaged(*mismatch);
        return std::move(found_);
    }

  private:
    std::expected<void, ScanError> check_entry(archive_entry* entry) {
        const char* raw_path = archive_entry_pathname(entry);
        if (raw_path == nullptr) return damaged("an entry has no name");
        std::string path = raw_path;
        auto type = archive_entry_filetype(entry);
        bool directory = type == AE_IFDIR;
        if (directory && path.ends_with('/')) path.pop_back();
        auto name = printable(path);

        if (archive_entry_hardlink(entry) != nullptr)
            return damaged(std::format("{}: is a hard link; a store archive holds only files and "
                                       "directories",
                                       name));
        if (type == AE_IFLNK || archive_entry_symlink(entry) != nullptr)
            return damaged(std::format("{}: is a symbolic link; a store archive holds only files "
                                       "and directories",
                                       name));
        if (!directory && type != AE_IFREG)
            return damaged(std::format("{}: is a device, FIFO or socket; a store archive holds "
                                       "only files and directories",
                                       name));
        if (auto problem = entry_path_problem(path))
            return damaged(std::format("{}: {}", name, *problem));
        if (kinds_.contains(path)) return damaged(std::format("{}: appears twice", name));

        if (path == kManifestEntry) {
            if (directory) return damaged("MANIFEST is a directory");
            return read_manifest(entry);
        }
        if (path == kConfigEntry) {
            if (directory) return damaged(std::format("{} is a directory", kConfigEntry));
        } else if (state_depth(path) == 1) {
            if (!directory)
                return damaged(std::format("{}: a file directly in state/, where only VM "
                                           "directories live",
                                           name));
        } else {
            // Directories come before their contents, so extraction never creates a parent
            // on its own, and a parent can never turn out to be a file or a link.
            auto parent = kinds_.find(std::string(parent_of(path)));
            if (parent == kinds_.end() || parent->second != EntryKind::Directory)
                return damaged(std::format("{}: comes before its directory", name));
        }

        EntryInfo info;
        info.entry.kind = directory ? EntryKind::Directory : EntryKind::File;
        info.entry.path = path;
        info.entry.mode = archive_entry_perm(entry) & 0777u;
        info.mtime = {archive_entry_mtime(entry), archive_entry_mtime_nsec(entry)};
        kinds_.emplace(path, info.entry.kind);

        if (directory) {
            if (sink_ != nullptr) {
                if (auto made = sink_->directory(info); !made) return unwritable(made.error());
            }
            found_.push_back(std::move(info.entry));
            return {};
        }
        if (!archive_entry_size_is_set(entry) || archive_entry_size(entry) < 0)
            return damaged(std::format("{}: has no size", name));
        info.entry.size = static_cast<std::uint64_t>(archive_entry_size(entry));
        if (path == kConfigEntry && info.entry.size > kMaxConfigBytes)
            return damaged(
                std::format("{} is larger than {} bytes", kConfigEntry, kMaxConfigBytes));
        return read_file(std::move(info));
    }

    std::expected<void, ScanError> read_file(EntryInfo info) {
        if (sink_ != nullptr) {
            if (auto begun = sink_->begin_file(info); !begun) return unwritable(begun.error());
        }
        auto size = info.entry.size;
        auto name = printable(info.entry.path);
        Sha256 sum;
        std::uint64_t position = 0;
        for (;;) {
            const void* block = nullptr;
            std::size_t length = 0;
            la_int64_t offset = 0;
            int status = archive_read_data_block(archive_, &block, &length, &offset);
            if (status == ARCHIVE_EOF) break;
            if (status != ARCHIVE_OK)
                return damaged(std::format("{}: {}", name, archive_message(archive_)));
            auto start = static_cast<std::uint64_t>(offset);
            if (offset < 0 || start < position || start > size || length > size - start)
                return damaged(std::format("{}: data outside the file", name));
            sum.update_zeros(start - position);
            auto bytes = std::span(static_cast<const std::byte*>(block), length);
            sum.update(bytes);
            if (sink_ != nullptr && !bytes.empty()) {
                if (auto written = sink_->file_data(bytes, start); !written)
                    return unwritable(written.error());
            }
            position = start + length;
        }
        sum.update_zeros(size - position);
        if (sink_ != nullptr) {
            if (auto ended = sink_->end_file(); !ended) return unwritable(ended.error());
        }
        info.entry.sha256 = sum.hex_digest();
        found_.push_back(std::move(info.entry));
        return {};
    }

    std::expected<void, ScanError> read_manifest(archive_entry* entry) {
        if (!archive_entry_size_is_set(entry) || archive_entry_size(entry) < 0 ||
            static_cast<std::uint64_t>(archive_entry_size(entry)) > kMaxManifestBytes)
            return damaged(std::format("MANIFEST is missing its size or larger than {} bytes",
                                       kMaxManifestBytes));
        auto size = static_cast<std::size_t>(archive_entry_size(entry));
        std::string text;
        text.reserve(size);
        for (;;) {
            const void* block = nullptr;
            std::size_t length = 0;
            la_int64_t offset = 0;
            int status = archive_read_data_block(archive_, &block, &length, &offset);
            if (status == ARCHIVE_EOF) break;
            if (status != ARCHIVE_OK)
                return damaged(std::format("MANIFEST: {}", archive_message(archive_)));
            if (offset < 0 || static_cast<std::size_t>(offset) != text.size() ||
                length > size - text.size())
                return damaged("MANIFEST: data outside the file");
            text.append(static_cast<const char*>(block), length);
        }
        if (text.size() != size) return damaged("MANIFEST is shorter than its size");
        kinds_.emplace(std::string(kManifestEntry), EntryKind::File);
        manifest_text_ = std::move(text);
        return {};
    }

    archive* archive_;
    EntrySink* sink_;
    std::vector<ManifestEntry> found_;
    std::unordered_map<std::string, EntryKind> kinds_;
    std::optional<std::string> manifest_text_;
};

std::expected<ReadArchive, ScanError> open_reader(int fd) {
    ReadArchive handle(archive_read_new());
    // Only what backup() writes: tar, plain or gzip or zstd. Fewer parsers, fewer surprises.
    archive_read_support_filter_gzip(handle.get());
    archive_read_support_filter_zstd(handle.get());
    archive_read_support_format_tar(handle.get());
    if (archive_read_open_fd(handle.get(), fd, 1 << 20) != ARCHIVE_OK)
        return damaged(archive_message(handle.get()));
    return handle;
}

} // namespace

std::expected<std::vector<ManifestEntry>, ScanError> scan_archive(int fd, EntrySink* sink) {
    Utf8Locale utf8;
    auto handle = open_reader(fd);
    if (!handle) return std::unexpected(handle.error());
    return Scanner(handle->get(), sink).run();
}

std::expected<std::string, ScanError> read_config_entry(int fd) {
    Utf8Locale utf8;
    auto handle = open_reader(fd);
    if (!handle) return std::unexpected(handle.error());
    archive* reader = handle->get();
    for (;;) {
        archive_entry* entry = nullptr;
        int status = archive_read_next_header(reader, &entry);
        if (status == ARCHIVE_EOF) break;
        if (status != ARCHIVE_OK) return damaged(archive_message(reader));
        const char* path = archive_entry_pathname(entry);
        if (path == nullptr || path != kConfigEntry) continue;
        if (archive_entry_filetype(entry) != AE_IFREG || archive_entry_size(entry) < 0 ||
            static_cast<std::uint64_t>(archive_entry_size(entry)) > kMaxConfigBytes)
            return damaged(
                std::format("{} is not a file of at most {} bytes", kConfigEntry, kMaxConfigBytes));
        std::string text(static_cast<std::size_t>(archive_entry_size(entry)), '\0');
        auto got = archive_read_data(reader, text.data(), text.size());
        if (got < 0 || static_cast<std::size_t>(got) != text.size())
            return damaged(std::format("{}: {}", kConfigEntry, archive_message(reader)));
        return text;
    }
    return damaged(std::format("no {} in the archive", kConfigEntry));
}

} // namespace spectrum::vmbridge::store
