// The control socket spectrumctl talks to: $XDG_RUNTIME_DIR/spectrum/ctl.sock, mode 0600.
// One JSON request per connection, one JSON reply, then the connection closes.
#pragma once

#include <expected>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "unix_listener.hpp"
#include "wlr.hpp"

namespace spectrum {

class Server;

class CtlServer {
  public:
    static std::expected<std::unique_ptr<CtlServer>, std::string> create(Server& server);
    ~CtlServer();
    CtlServer(const CtlServer&) = delete;
    CtlServer& operator=(const CtlServer&) = delete;

    const std::filesystem::path& path() const { return listener_->path(); }

  private:
    explicit CtlServer(Server& server);
    static int handle_listen(int fd, uint32_t mask, void* data);
    static int handle_client(int fd, uint32_t mask, void* data);

    struct Connection;
    int serve(Connection* connection, int fd, uint32_t mask);
    // Sends `reply` and a newline, then closes the connection.
    void send_reply(Connection* connection, int fd, std::string reply) noexcept;
    void finish(Connection* connection) noexcept;

    Server& server_;
    std::unique_ptr<UnixListener> listener_;
    wl_event_source* source_ = nullptr;
    std::vector<std::unique_ptr<Connection>> connections_;
};

// The request handler, separate from the socket plumbing: JSON in, JSON out. Parsing and
// checking are parse_ctl_request() (ctl_request.hpp), which needs no Server.
std::string handle_ctl_request(Server& server, const std::string& request);

} // namespace spectrum
