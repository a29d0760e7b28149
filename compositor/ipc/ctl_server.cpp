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

#include "ctl_request.hpp"
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
    if (auto ok = make_private_dir(dir); !ok) return std::unexpected(ok.error());

    // ctl.sock normally; a second compositor in the same runtime dir (a nested session)
    // gets one named after its Wayland socket, exported as SPECTRUM_CTL_SOCKET.
    for (const std::string& name : {std::string("ctl.sock"), std::format("ctl-{}.sock", server.socket_name_)}) {
        auto listener = UnixListener::create(dir / name);
        if (listener) {
            self->listener_ = std::move(*listener);
            break;
        }
        if (!listener.error().in_use) return std::unexpected(listener.error().message);
    }
    if (!self->listener_) return std::unexpected(std::format("every control socket in {} is in use", dir.string()));
    self->source_ = wl_event_loop_add_fd(server.loop, self->listener_->fd(), WL_EVENT_READABLE, &CtlServer::handle_listen,
                                         self.get());
    setenv("SPECTRUM_CTL_SOCKET", self->listener_->path().c_str(), 1);
    return self;
}

CtlServer::~CtlServer() {
    for (auto& c : connections_) {
        wl_event_source_remove(c->source);
        close(c->fd);
    }
    if (source_) wl_event_source_remove(source_);
}

int CtlServer::handle_listen(int fd, uint32_t, void* data) {
    auto* self = static_cast<CtlServer*>(data);
    for (;;) {
        int client = accept4(fd, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (client < 0) break;
        try {
            auto connection = std::make_unique<Connection>();
            connection->fd = client;
            connection->owner = self;
            self->connections_.reserve(self->connections_.size() + 1);
            connection->source = wl_event_loop_add_fd(self->server_.loop, client, WL_EVENT_READABLE,
                                                      &CtlServer::handle_client, connection.get());
            self->connections_.push_back(std::move(connection));
        } catch (const std::exception& e) { // nothing unwinds into the event loop
            wlr_log(WLR_ERROR, "control socket: cannot take a connection (%s)", e.what());
            close(client);
        }
    }
    return 0;
}

int CtlServer::handle_client(int fd, uint32_t mask, void* data) {
    auto* connection = static_cast<Connection*>(data);
    // The event loop is C: nothing may unwind into it. Whatever a request does, the last
    // resort is one log line and an error reply, never std::terminate.
    try {
        return connection->owner->serve(connection, fd, mask);
    } catch (const std::exception& e) {
        wlr_log(WLR_ERROR, "control socket: a request failed (%s); answered with an error", e.what());
    } catch (...) {
        wlr_log(WLR_ERROR, "control socket: a request failed; answered with an error");
    }
    connection->owner->send_reply(connection, fd, ctl_error_reply("internal error"));
    return 0;
}

int CtlServer::serve(Connection* connection, int fd, uint32_t mask) {
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
        reply = ctl_error_reply("request too large");
    } else {
        const auto end = connection->buffer.find('\n');
        reply = handle_ctl_request(server_, connection->buffer.substr(0, end));
    }
    send_reply(connection, fd, std::move(reply));
    return 0;
}

void CtlServer::send_reply(Connection* connection, int fd, std::string reply) noexcept {
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
    finish(connection);
}

void CtlServer::finish(Connection* connection) noexcept {
    wl_event_source_remove(connection->source);
    close(connection->fd);
    std::erase_if(connections_, [connection](const auto& c) { return c.get() == connection; });
}

} // namespace spectrum
