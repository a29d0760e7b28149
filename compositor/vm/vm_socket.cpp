#include "vm_socket.hpp"

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

// mkdir -p with mode 0700 on the last component, and refuse a directory someone else owns
// or others can enter: the socket's directory is what keeps other users out.
std::expected<void, std::string> make_private_dir(const std::filesystem::path& dir) {
    std::error_code ec;
    std::filesystem::create_directories(dir.parent_path(), ec);
    if (ec) return std::unexpected(std::format("cannot create {}: {}", dir.parent_path().string(), ec.message()));
    if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
        return std::unexpected(std::format("cannot create {}: {}", dir.string(), errno_text()));
    struct stat st{};
    if (lstat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
        return std::unexpected(std::format("{} is not a directory", dir.string()));
    if (st.st_uid != geteuid())
        return std::unexpected(std::format("{} belongs to another user", dir.string()));
    if ((st.st_mode & 0777) != 0700 && chmod(dir.c_str(), 0700) != 0)
        return std::unexpected(std::format("cannot chmod {}: {}", dir.string(), errno_text()));
    return {};
}

} // namespace

std::expected<std::unique_ptr<VmSocket>, std::string>
VmSocket::create(wl_event_loop* loop, const std::filesystem::path& dir, AcceptFn on_accept) {
    std::unique_ptr<VmSocket> self(new VmSocket());
    self->dir_ = dir;
    self->path_ = dir / "wayland-0";
    self->lock_path_ = dir / "wayland-0.lock";
    self->on_accept_ = std::move(on_accept);

    if (auto ok = make_private_dir(dir); !ok) return std::unexpected(ok.error());

    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (self->path_.native().size() >= sizeof addr.sun_path)
        return std::unexpected(std::format("socket path too long: {}", self->path_.string()));
    std::memcpy(addr.sun_path, self->path_.c_str(), self->path_.native().size() + 1);

    // The lock says "a compositor owns this socket". Held: live, never stolen. Free: any
    // socket file left there is stale and is replaced.
    self->lock_fd_ = open(self->lock_path_.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0600);
    if (self->lock_fd_ < 0)
        return std::unexpected(std::format("cannot open {}: {}", self->lock_path_.string(), errno_text()));
    if (flock(self->lock_fd_, LOCK_EX | LOCK_NB) != 0)
        return std::unexpected(std::format("{} is in use by another compositor", self->path_.string()));
    unlink(self->path_.c_str());

    self->fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (self->fd_ < 0) return std::unexpected(std::format("socket: {}", errno_text()));
    if (bind(self->fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
        return std::unexpected(std::format("cannot bind {}: {}", self->path_.string(), errno_text()));
    chmod(self->path_.c_str(), 0600);
    if (listen(self->fd_, 128) != 0)
        return std::unexpected(std::format("cannot listen on {}: {}", self->path_.string(), errno_text()));

    self->source_ = wl_event_loop_add_fd(loop, self->fd_, WL_EVENT_READABLE,
                                         &VmSocket::handle_readable, self.get());
    return self;
}

VmSocket::~VmSocket() {
    if (source_) wl_event_source_remove(source_);
    if (fd_ >= 0) {
        unlink(path_.c_str());
        close(fd_);
    }
    if (lock_fd_ >= 0) {
        unlink(lock_path_.c_str());
        close(lock_fd_);
    }
}

int VmSocket::handle_readable(int fd, uint32_t, void* data) {
    auto* self = static_cast<VmSocket*>(data);
    // Drain every pending connection; each becomes a client of this VM.
    for (;;) {
        int client = accept4(fd, nullptr, nullptr, SOCK_CLOEXEC);
        if (client < 0) break;
        self->on_accept_(client);
    }
    return 0;
}

} // namespace spectrum
