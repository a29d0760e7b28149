#include "staging_writer.hpp"

#include "entry_path.hpp"

#include <cerrno>
#include <fcntl.h>
#include <ranges>
#include <sys/stat.h>
#include <unistd.h>

namespace spectrum::vmbridge::store {

namespace {

std::filesystem::path below_state(const std::filesystem::path& staging, const std::string& path) {
    return staging / path.substr(kStatePrefix.size());
}

} // namespace

StagingWriter::StagingWriter(std::filesystem::path staging, int config_fd,
                             std::filesystem::path config_path)
    : staging_(std::move(staging)), config_fd_(config_fd), config_path_(std::move(config_path)) {}

std::expected<void, std::string> StagingWriter::directory(const EntryInfo& info) {
    auto path = below_state(staging_, info.entry.path);
    if (mkdir(path.c_str(), 0700) != 0) return std::unexpected(path_error(path, errno));
    // The store is private whatever the archive says: every directory 0700.
    directories_.push_back({path, kRestoredDirectoryMode, info.mtime});
    return {};
}

std::expected<void, std::string> StagingWriter::begin_file(const EntryInfo& info) {
    current_ = info;
    if (info.entry.path == kConfigEntry) {
        current_fd_ = config_fd_;
        current_path_ = config_path_;
        return {};
    }
    current_path_ = below_state(staging_, info.entry.path);
    // O_EXCL|O_NOFOLLOW: the staging directory is ours and fresh, so anything already there
    // is a bug or an attack; never write through it.
    file_ = UniqueFd(
        open(current_path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!file_) return std::unexpected(path_error(current_path_, errno));
    current_fd_ = file_.get();
    return {};
}

std::expected<void, std::string> StagingWriter::file_data(std::span<const std::byte> data,
                                                          std::uint64_t offset) {
    // Positioned writes leave the skipped ranges as holes: sparse files stay sparse.
    while (!data.empty()) {
        ssize_t written = pwrite(current_fd_, data.data(), data.size(), static_cast<off_t>(offset));
        if (written < 0 && errno == EINTR) continue;
        if (written < 0) return std::unexpected(path_error(current_path_, errno));
        data = data.subspan(static_cast<std::size_t>(written));
        offset += static_cast<std::uint64_t>(written);
    }
    return {};
}

std::expected<void, std::string> StagingWriter::end_file() {
    const timespec times[2] = {current_.mtime, current_.mtime};
    bool done = ftruncate(current_fd_, static_cast<off_t>(current_.entry.size)) == 0 &&
                fchmod(current_fd_, kRestoredFileMode) == 0 &&
                futimens(current_fd_, times) == 0 && fsync(current_fd_) == 0;
    if (!done) return std::unexpected(path_error(current_path_, errno));
    file_.reset();
    current_fd_ = -1;
    return {};
}

std::expected<void, std::string> StagingWriter::finish() {
    for (const auto& directory : directories_ | std::views::reverse) {
        // Synced first: the archived mode may deny the read access fsync needs.
        if (auto synced = fsync_directory(directory.path); !synced) return synced;
        const timespec times[2] = {directory.mtime, directory.mtime};
        if (chmod(directory.path.c_str(), directory.mode) != 0 ||
            utimensat(AT_FDCWD, directory.path.c_str(), times, AT_SYMLINK_NOFOLLOW) != 0)
            return std::unexpected(path_error(directory.path, errno));
    }
    return fsync_directory(staging_);
}

} // namespace spectrum::vmbridge::store
