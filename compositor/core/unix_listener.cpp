#include "unix_listener.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <format>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

namespace spectrum {

namespace {
std::string errno_text() { return std::strerror(errno); }
} // namespace

std::expected<void, std::string> make_private_dir(const std::filesystem::path& dir) {
    // Every directory this creates is 0700 whatever the umask; existing ones are left alone
    // except the last, which is checked below.
    std::filesystem::path partial;
    for (const auto& part : dir) {
        partial /= part;
        if (mkdir(partial.c_str(), 0700) == 0) chmod(partial.c_str(), 0700);
        else if (errno != EEXIST)
            return std::unexpected(std::format("cannot create {}: {}", partial.string(), errno_text()));
    }
    struct stat st{};
    if (lstat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
        return std::unexpected(std::format("{} is not a directory", dir.string()));
    if (st.st_uid != geteuid()) return std::unexpected(std::format("{} belongs to another user", dir.string()));
    if ((st.st_mode & 0777) != 0700 && chmod(dir.c_str(), 0700) != 0)
        return std::unexpected(std::format("cannot chmod {}: {}", dir.string(), errno_text()));
    return {};
}

std::expected<std::unique_ptr<UnixListener>, ListenError> UnixListener::create(const std::filesystem::path& path) {
    std::unique_ptr<UnixListener> self(new UnixListener());
    self->path_ = path;
    self->lock_path_ = path.string() + ".lock";

    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path.native().size() >= sizeof addr.sun_path)
        return std::unexpected(ListenError{false, std::format("socket path too long: {}", path.string())});
    std::memcpy(addr.sun_path, path.c_str(), path.native().size() + 1);

    self->lock_fd_ = open(self->lock_path_.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0600);
    if (self->lock_fd_ < 0)
        return std::unexpected(ListenError{false, std::format("cannot open {}: {}", self->lock_path_.string(), errno_text())});
    if (flock(self->lock_fd_, LOCK_EX | LOCK_NB) != 0) {
        close(self->lock_fd_);
        self->lock_fd_ = -1; // not ours: the destructor must not unlink it
        return std::unexpected(ListenError{true, std::format("{} is in use by another process", path.string())});
    }
    unlink(path.c_str()); // stale: its owner is gone

    self->fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (self->fd_ < 0) return std::unexpected(ListenError{false, std::format("socket: {}", errno_text())});
    // 0600 from the moment the file exists, whatever the umask.
    const mode_t old = umask(0177);
    const int bound = bind(self->fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    umask(old);
    if (bound != 0)
        return std::unexpected(ListenError{false, std::format("cannot bind {}: {}", path.string(), errno_text())});
    if (listen(self->fd_, 128) != 0)
        return std::unexpected(ListenError{false, std::format("cannot listen on {}: {}", path.string(), errno_text())});
    return self;
}

UnixListener::~UnixListener() {
    if (fd_ >= 0) {
        unlink(path_.c_str());
        close(fd_);
    }
    if (lock_fd_ >= 0) {
        unlink(lock_path_.c_str());
        close(lock_fd_);
    }
}

} // namespace spectrum
