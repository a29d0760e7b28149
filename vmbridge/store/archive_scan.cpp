#include "archive_scan.hpp"

#include "archive_handle.hpp"
#include "config.hpp"
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
    // `headers_only`: file data is skipped, not read (check_headers()).
    Scanner(archive* handle, EntrySink* sink, bool headers_only,
            const std::vector<ManifestEntry>* expected)
        : archive_(handle), sink_(sink), headers_only_(headers_only) {
        if (expected != nullptr) {
            expected_.emplace();
            for (const auto& entry : *expected)
                expected_->emplace(entry.path, &entry);
        }
    }

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
        if (auto mismatch = manifest_mismatch(*manifest, found_, !headers_only_))
            return damaged(*mismatch);
        if (headers_only_) return std::move(*manifest);
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
            // A VM directory is named like a VM in the config: never ".ssh" or ".config".
            if (!config::valid_vm_name(vm_of(path)))
                return damaged(std::format("{}: not a VM name (1 to 32 characters from a-z, 0-9 "
                                           "and \"-\", not \"host\"), as a VM directory's must be",
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

        if (!directory) {
            if (!archive_entry_size_is_set(entry) || archive_entry_size(entry) < 0)
                return damaged(std::format("{}: has no size", name));
            info.entry.size = static_cast<std::uint64_t>(archive_entry_size(entry));
        }
        // Sizes first, before a byte of data is read or hashed: what the MANIFEST says (when
        // it is known), the archive's cap, and the sparse map.
        if (expected_) {
            auto listed = expected_->find(path);
            if (listed == expected_->end())
                return damaged(std::format("{}: in the archive but not in the MANIFEST", name));
            if (listed->second->kind != info.entry.kind || listed->second->size != info.entry.size)
                return damaged(std::format("{}: not the kind or size the MANIFEST lists", name));
        }
        if (info.entry.size > kMaxArchiveBytes - total_bytes_)
            return damaged(std::format("{}: claims {} bytes, past the {} bytes a store archive may "
                                       "hold",
                                       name, info.entry.size, kMaxArchiveBytes));
        total_bytes_ += info.entry.size;
        if (auto problem = sparse_map_problem(entry, info.entry.size))
            return damaged(std::format("{}: {}", name, *problem));

        if (directory) {
            if (sink_ != nullptr) {
                if (auto made = sink_->directory(info); !made) return unwritable(made.error());
            }
            found_.push_back(std::move(info.entry));
            return {};
        }
        if (path == kConfigEntry && info.entry.size > kMaxConfigBytes)
            return damaged(
                std::format("{} is larger than {} bytes", kConfigEntry, kMaxConfigBytes));
        if (headers_only_) {
            if (archive_read_data_skip(archive_) != ARCHIVE_OK)
                return damaged(std::format("{}: {}", name, archive_message(archive_)));
            found_.push_back(std::move(info.entry));
            return {};
        }
        return read_file(std::move(info));
    }

    // The regions of a sparse entry must lie in order inside the file.
    static std::optional<std::string> sparse_map_problem(archive_entry* entry, std::uint64_t size) {
        if (archive_entry_sparse_reset(entry) == 0) return std::nullopt;
        std::uint64_t end = 0;
        la_int64_t offset = 0, length = 0;
        while (archive_entry_sparse_next(entry, &offset, &length) == ARCHIVE_OK) {
            if (offset < 0 || length < 0 || static_cast<std::uint64_t>(offset) < end ||
                static_cast<std::uint64_t>(offset) > size ||
                static_cast<std::uint64_t>(length) > size - static_cast<std::uint64_t>(offset))
                return "its sparse map is out of order or outside the file";
            end = static_cast<std::uint64_t>(offset + length);
        }
        return std::nullopt;
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
    bool headers_only_;
    std::optional<std::unordered_map<std::string_view, const ManifestEntry*>> expected_;
    std::uint64_t total_bytes_ = 0;
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

std::expected<std::vector<ManifestEntry>, ScanError> check_headers(int fd) {
    Utf8Locale utf8;
    auto handle = open_reader(fd);
    if (!handle) return std::unexpected(handle.error());
    return Scanner(handle->get(), nullptr, /*headers_only=*/true, nullptr).run();
}

std::expected<std::vector<ManifestEntry>, ScanError>
scan_archive(int fd, EntrySink* sink, const std::vector<ManifestEntry>* expected) {
    Utf8Locale utf8;
    auto handle = open_reader(fd);
    if (!handle) return std::unexpected(handle.error());
    return Scanner(handle->get(), sink, /*headers_only=*/false, expected).run();
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
