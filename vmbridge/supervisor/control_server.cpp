#include "control_server.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <format>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

namespace spectrum::vmbridge {

namespace {
constexpr std::size_t kMaxRequest = 64 * 1024;
} // namespace

std::expected<std::unique_ptr<ControlServer>, std::string>
ControlServer::create(EventLoop& loop, const std::filesystem::path& path, Handler handler) {
    std::unique_ptr<ControlServer> self(new ControlServer(loop, std::move(handler)));
    self->path_ = path;
    self->lock_path_ = path.string() + ".lock";
    std::error_code error;
    std::filesystem::create_directories(path.parent_path(), error);
    chmod(path.parent_path().c_str(), 0700);
    // A second supervisor in the same session would fight the first over every VM.
    self->lock_fd_ = open(self->lock_path_.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0600);
    if (self->lock_fd_ < 0 || flock(self->lock_fd_, LOCK_EX | LOCK_NB) != 0)
        return std::unexpected(std::format("another spectrum-vmbridge is running ({} is locked)",
                                           self->lock_path_.string()));
    unlink(path.c_str());

    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path.native().size() >= sizeof addr.sun_path)
        return std::unexpected(std::format("control socket path too long: {}", path.string()));
    std::memcpy(addr.sun_path, path.c_str(), path.native().size() + 1);
    self->fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    const mode_t old = umask(0177); // the socket is the user's alone, whatever the umask
    const int bound = bind(self->fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    umask(old);
    if (bound != 0 || listen(self->fd_, 16) != 0)
        return std::unexpected(std::format("cannot listen on {}: {}", path.string(), std::strerror(errno)));
    chmod(path.c_str(), 0600);
    auto* raw = self.get();
    self->watch_ = loop.watch(self->fd_, EPOLLIN, [raw](std::uint32_t) { raw->accept_all(); });
    return self;
}

ControlServer::~ControlServer() {
    for (auto& [id, connection] : connections_) {
        loop_.unwatch(connection.watch);
        close(connection.fd);
    }
    if (watch_) loop_.unwatch(watch_);
    if (fd_ >= 0) {
        unlink(path_.c_str());
        close(fd_);
    }
    if (lock_fd_ >= 0) {
        unlink(lock_path_.c_str());
        close(lock_fd_);
    }
}

void ControlServer::accept_all() {
    for (;;) {
        const int client = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (client < 0) return;
        const std::uint64_t id = next_id_++;
        Connection connection;
        connection.fd = client;
        connection.watch = loop_.watch(client, EPOLLIN | EPOLLRDHUP, [this, id](std::uint32_t) { read_from(id); });
        connections_.emplace(id, std::move(connection));
    }
}

void ControlServer::read_from(std::uint64_t id) {
    auto it = connections_.find(id);
    if (it == connections_.end()) return;
    Connection& c = it->second;
    char chunk[4096];
    bool closed = false;
    for (;;) {
        const ssize_t n = read(c.fd, chunk, sizeof chunk);
        if (n > 0) {
            if (!c.answered) c.buffer.append(chunk, static_cast<std::size_t>(n));
            if (c.buffer.size() > kMaxRequest) break;
            continue;
        }
        closed = !(n < 0 && (errno == EAGAIN || errno == EINTR));
        break;
    }
    if (c.answered) { // waiting for a deferred reply; only a hang-up matters
        if (closed) drop(id);
        return;
    }
    if (c.buffer.size() > kMaxRequest) {
        reply(id, {{"ok", false}, {"error", "request too large"}});
        return;
    }
    const auto end = c.buffer.find('\n');
    if (end == std::string::npos) {
        if (closed) drop(id);
        return; // wait for the rest of the line
    }
    c.answered = true; // one request per connection
    const auto request = nlohmann::json::parse(c.buffer.substr(0, end), nullptr, false);
    if (request.is_discarded() || !request.is_object() || !request.contains("command") ||
        !request["command"].is_string()) {
        reply(id, {{"ok", false}, {"error", "malformed request"}});
        return;
    }
    handler_(request, [this, id](const nlohmann::json& answer) { reply(id, answer); });
}

void ControlServer::reply(std::uint64_t id, const nlohmann::json& answer) {
    auto it = connections_.find(id);
    if (it == connections_.end()) return; // the client hung up while waiting
    // Never throws: a string that is not UTF-8 (a guest's bytes that slipped through) is
    // sent with U+FFFD in place of what is invalid, rather than aborting the supervisor.
    const std::string text = answer.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    // Small replies to a waiting peer: a short blocking send is simpler than buffering.
    const int fd = it->second.fd;
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    timeval timeout{1, 0};
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    std::size_t sent = 0;
    while (sent < text.size()) {
        const ssize_t n = send(fd, text.data() + sent, text.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) break;
        sent += static_cast<std::size_t>(n);
    }
    drop(id);
}

void ControlServer::drop(std::uint64_t id) {
    auto it = connections_.find(id);
    if (it == connections_.end()) return;
    loop_.unwatch(it->second.watch);
    close(it->second.fd);
    connections_.erase(it);
}

} // namespace spectrum::vmbridge
