#include "ctl_server.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <format>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "server.hpp"

namespace spectrum {

namespace {
constexpr std::size_t max_request = 64 * 1024;
} // namespace

struct CtlServer::Connection {
    int fd = -1;
    wl_event_source* source = nullptr;
    std::string buffer;
    CtlServer* owner = nullptr;
};

CtlServer::CtlServer(Server& server) : server_(server) {}

std::expected<std::unique_ptr<CtlServer>, std::string> CtlServer::create(Server& server) {
    std::unique_ptr<CtlServer> self(new CtlServer(server));
    const char* runtime = getenv("XDG_RUNTIME_DIR");
    if (!runtime) return std::unexpected("XDG_RUNTIME_DIR is not set; cannot create the control socket");
    const std::filesystem::path dir = std::filesystem::path(runtime) / "spectrum";
    if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
        return std::unexpected(std::format("cannot create {}: {}", dir.string(), std::strerror(errno)));
    chmod(dir.c_str(), 0700);

    // ctl.sock normally; a second compositor in the same runtime dir (a nested session)
    // gets one named after its Wayland socket, exported as SPECTRUM_CTL_SOCKET.
    for (const std::string& name : {std::string("ctl.sock"), std::format("ctl-{}.sock", server.socket_name_)}) {
        self->path_ = dir / name;
        self->lock_path_ = dir / (name + ".lock");
        self->lock_fd_ = open(self->lock_path_.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0600);
        if (self->lock_fd_ >= 0 && flock(self->lock_fd_, LOCK_EX | LOCK_NB) == 0) break;
        if (self->lock_fd_ >= 0) close(self->lock_fd_);
        self->lock_fd_ = -1;
    }
    if (self->lock_fd_ < 0) return std::unexpected(std::format("control socket {} is in use", self->path_.string()));
    unlink(self->path_.c_str());

    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (self->path_.native().size() >= sizeof addr.sun_path)
        return std::unexpected(std::format("control socket path too long: {}", self->path_.string()));
    std::memcpy(addr.sun_path, self->path_.c_str(), self->path_.native().size() + 1);
    self->fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    // umask-proof: the socket is the user's alone.
    const mode_t old = umask(0177);
    const int bound = bind(self->fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    umask(old);
    if (bound != 0 || listen(self->fd_, 16) != 0)
        return std::unexpected(std::format("cannot listen on {}: {}", self->path_.string(), std::strerror(errno)));
    chmod(self->path_.c_str(), 0600);
    self->source_ = wl_event_loop_add_fd(server.loop, self->fd_, WL_EVENT_READABLE, &CtlServer::handle_listen,
                                         self.get());
    setenv("SPECTRUM_CTL_SOCKET", self->path_.c_str(), 1);
    return self;
}

CtlServer::~CtlServer() {
    for (auto& c : connections_) {
        wl_event_source_remove(c->source);
        close(c->fd);
    }
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

int CtlServer::handle_listen(int fd, uint32_t, void* data) {
    auto* self = static_cast<CtlServer*>(data);
    for (;;) {
        int client = accept4(fd, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (client < 0) break;
        auto connection = std::make_unique<Connection>();
        connection->fd = client;
        connection->owner = self;
        connection->source = wl_event_loop_add_fd(self->server_.loop, client, WL_EVENT_READABLE,
                                                  &CtlServer::handle_client, connection.get());
        self->connections_.push_back(std::move(connection));
    }
    return 0;
}

int CtlServer::handle_client(int fd, uint32_t mask, void* data) {
    auto* connection = static_cast<Connection*>(data);
    CtlServer* self = connection->owner;
    char chunk[4096];
    for (;;) {
        const ssize_t n = read(fd, chunk, sizeof chunk);
        if (n > 0) {
            connection->buffer.append(chunk, static_cast<std::size_t>(n));
            if (connection->buffer.size() > max_request) break;
            continue;
        }
        if (n < 0 && errno == EAGAIN && !(mask & (WL_EVENT_HANGUP | WL_EVENT_ERROR))) {
            if (connection->buffer.find('\n') == std::string::npos) return 0; // wait for more
        }
        break;
    }
    std::string reply;
    if (connection->buffer.size() > max_request) {
        reply = R"({"ok":false,"error":"request too large"})";
    } else {
        const auto end = connection->buffer.find('\n');
        reply = handle_ctl_request(self->server_, connection->buffer.substr(0, end));
    }
    reply += '\n';
    // The reply is small and the peer is waiting for it; a short blocking send is fine.
    const int flags = fcntl(fd, F_GETFL);
    fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
    timeval timeout{1, 0};
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    std::size_t sent = 0;
    while (sent < reply.size()) {
        const ssize_t n = send(fd, reply.data() + sent, reply.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) break;
        sent += static_cast<std::size_t>(n);
    }
    self->finish(connection);
    return 0;
}

void CtlServer::finish(Connection* connection) {
    wl_event_source_remove(connection->source);
    close(connection->fd);
    std::erase_if(connections_, [connection](const auto& c) { return c.get() == connection; });
}

} // namespace spectrum
