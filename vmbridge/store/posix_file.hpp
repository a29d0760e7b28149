// Small POSIX helpers for the store: an owned file descriptor, temporary siblings of a
// destination, and fsync of directories (so a rename survives a crash).
#pragma once

#include <expected>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>

namespace spectrum::vmbridge::store {

class UniqueFd {
  public:
    UniqueFd() = default;
    explicit UniqueFd(int fd) : fd_(fd) {}
    ~UniqueFd() { reset(); }
    UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    UniqueFd& operator=(UniqueFd&& other) noexcept;
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;

    int get() const { return fd_; }
    explicit operator bool() const { return fd_ >= 0; }
    void reset();

  private:
    int fd_ = -1;
};

// strerror's text starting lower-case, to follow "PATH: " in a one-line error.
std::string errno_text(int error);

// "PATH: <errno text>".
std::string path_error(const std::filesystem::path& path, int error);

// Creates `parent/PREFIXxxxxxx`, mode 0700 (mkdtemp).
std::expected<std::filesystem::path, std::string> make_temp_dir(const std::filesystem::path& parent,
                                                                std::string_view prefix);

// Creates and opens `parent/PREFIXxxxxxx` for writing, mode 0600 (mkostemp).
std::expected<std::pair<UniqueFd, std::filesystem::path>, std::string>
make_temp_file(const std::filesystem::path& parent, std::string_view prefix);

std::expected<void, std::string> fsync_directory(const std::filesystem::path& directory);

// Best effort, for cleaning up after a failure that is already being reported, or the old
// store after a restore. Directories restored without write permission are made writable
// first, so they do not stay behind.
void remove_quietly(const std::filesystem::path& path);

// True when `inner` is `outer` or below it, symlinks and ".." resolved.
bool is_within(const std::filesystem::path& inner, const std::filesystem::path& outer);

// A temporary file or directory that is removed (recursively) unless kept: every failure
// path of a backup or restore leaves nothing behind.
class TemporaryPath {
  public:
    explicit TemporaryPath(std::filesystem::path path) : path_(std::move(path)) {}
    ~TemporaryPath() {
        if (!path_.empty()) remove_quietly(path_);
    }
    TemporaryPath(const TemporaryPath&) = delete;
    TemporaryPath& operator=(const TemporaryPath&) = delete;

    const std::filesystem::path& path() const { return path_; }
    // It was renamed into place (or is gone): nothing left to remove.
    void keep() { path_.clear(); }

  private:
    std::filesystem::path path_;
};

} // namespace spectrum::vmbridge::store
