// A listening Unix socket guarded by a lock file, the way libwayland guards its own: a held
// lock means a live owner (never stolen), a free one means any socket file left is stale.
#pragma once

#include <expected>
#include <filesystem>
#include <memory>
#include <string>

namespace spectrum {

struct ListenError {
    bool in_use = false; // another live process owns the socket
    std::string message;
};

// Creates `dir` (and its parents) with mode 0700 if missing, and refuses one that another
// user owns or is not a directory: the directory is what keeps other users out.
std::expected<void, std::string> make_private_dir(const std::filesystem::path& dir);

class UnixListener {
  public:
    // Binds `path` (mode 0600 from the first instant), non-blocking and close-on-exec.
    static std::expected<std::unique_ptr<UnixListener>, ListenError> create(const std::filesystem::path& path);
    ~UnixListener(); // unlinks the socket and its lock
    UnixListener(const UnixListener&) = delete;
    UnixListener& operator=(const UnixListener&) = delete;

    int fd() const { return fd_; }
    const std::filesystem::path& path() const { return path_; }

  private:
    UnixListener() = default;
    std::filesystem::path path_, lock_path_;
    int fd_ = -1, lock_fd_ = -1;
};

} // namespace spectrum
