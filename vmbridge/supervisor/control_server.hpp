// The supervisor's control socket: $XDG_RUNTIME_DIR/spectrum/vmbridge.sock, mode 0600, in
// the style of the compositor's ctl.sock: one JSON request line per connection, one JSON
// reply line, then the connection closes. A reply may come later than the request
// (`vm stop` answers once the VM is down); the connection waits for it.
#pragma once

#include "control_request.hpp"
#include "event_loop.hpp"

#include <cstdint>
#include <expected>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

namespace spectrum::vmbridge {

class ControlServer {
  public:
    // Sends the reply on the request's connection; callable once, at any later time.
    using Respond = std::function<void(const nlohmann::json& reply)>;
    // Receives only requests that parse_control_request() accepted; a bad one is answered
    // with an error here and never reaches it.
    using Handler = std::function<void(const ControlRequest& request, Respond respond)>;

    static std::expected<std::unique_ptr<ControlServer>, std::string>
    create(EventLoop& loop, const std::filesystem::path& path, Handler handler);
    ~ControlServer();
    ControlServer(const ControlServer&) = delete;
    ControlServer& operator=(const ControlServer&) = delete;

    const std::filesystem::path& path() const { return path_; }

  private:
    struct Connection {
        int fd = -1;
        EventLoop::WatchId watch = 0;
        std::string buffer;
        bool answered = false;
    };
    ControlServer(EventLoop& loop, Handler handler) : loop_(loop), handler_(std::move(handler)) {}
    void accept_all();
    void read_from(std::uint64_t id);
    void serve(std::uint64_t id);
    void reply(std::uint64_t id, const nlohmann::json& reply);
    void drop(std::uint64_t id);

    EventLoop& loop_;
    Handler handler_;
    std::filesystem::path path_, lock_path_;
    int fd_ = -1, lock_fd_ = -1;
    EventLoop::WatchId watch_ = 0;
    std::uint64_t next_id_ = 1;
    std::map<std::uint64_t, Connection> connections_;
};

} // namespace spectrum::vmbridge
