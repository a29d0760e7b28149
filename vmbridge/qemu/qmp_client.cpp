#include "qmp_client.hpp"

#include <cerrno>
#include <cstring>
#include <format>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace spectrum::vmbridge::qemu {

std::expected<std::unique_ptr<QmpClient>, std::string> QmpClient::connect(EventLoop& loop,
                                                                         const std::string& path) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path.size() >= sizeof addr.sun_path) return std::unexpected("QMP socket path too long: " + path);
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) return std::unexpected(std::format("socket: {}", std::strerror(errno)));
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 && errno != EINPROGRESS) {
        const int error = errno;
        close(fd);
        return std::unexpected(std::string(std::strerror(error)));
    }
    std::unique_ptr<QmpClient> client(new QmpClient(loop));
    client->fd_ = fd;
    auto* raw = client.get();
    client->watch_ = loop.watch(fd, EPOLLIN | EPOLLRDHUP, [raw](std::uint32_t events) { raw->handle(events); });
    return client;
}

QmpClient::~QmpClient() {
    if (watch_) loop_.unwatch(watch_);
    if (fd_ >= 0) close(fd_);
}

void QmpClient::flush() {
    unsent_ += session_.take_output();
    while (!unsent_.empty() && fd_ >= 0) {
        const ssize_t n = send(fd_, unsent_.data(), unsent_.size(), MSG_NOSIGNAL);
        if (n > 0) {
            unsent_.erase(0, static_cast<std::size_t>(n));
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) break;
        unsent_.clear(); // the peer is gone; the read side reports it
        break;
    }
    update_interest();
}

void QmpClient::update_interest() {
    const bool want_write = !unsent_.empty();
    if (want_write == writing_ || !watch_) return;
    writing_ = want_write;
    loop_.modify(watch_, EPOLLIN | EPOLLRDHUP | (want_write ? EPOLLOUT : 0u));
}

void QmpClient::handle(std::uint32_t events) {
    if (events & EPOLLOUT) flush();
    char buffer[4096];
    for (;;) {
        const ssize_t n = read(fd_, buffer, sizeof buffer);
        if (n > 0) {
            session_.feed(std::string_view(buffer, static_cast<std::size_t>(n)));
            if (session_.phase() == QmpSession::Phase::Failed) break;
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
            flush(); // the session may have answered (qmp_capabilities, queued commands)
            return;
        }
        // EOF or a hard error: QEMU closed the monitor, normally because it is exiting.
        loop_.unwatch(watch_);
        watch_ = 0;
        session_.close(n == 0 ? "QEMU closed the QMP connection"
                              : std::format("QMP read failed: {}", std::strerror(errno)));
        return;
    }
    loop_.unwatch(watch_);
    watch_ = 0;
}

} // namespace spectrum::vmbridge::qemu
