// A QmpSession on a non-blocking Unix socket driven by the supervisor's event loop.
#pragma once

#include "../supervisor/event_loop.hpp"
#include "qmp_session.hpp"

#include <expected>
#include <memory>
#include <string>

namespace spectrum::vmbridge::qemu {

class QmpClient {
  public:
    // Connects at once (a Unix socket connects or fails immediately). The error says why,
    // e.g. "No such file or directory" while QEMU has not created the socket yet.
    static std::expected<std::unique_ptr<QmpClient>, std::string> connect(EventLoop& loop,
                                                                         const std::string& path);
    ~QmpClient();
    QmpClient(const QmpClient&) = delete;
    QmpClient& operator=(const QmpClient&) = delete;

    QmpSession& session() { return session_; }
    // Sends whatever the session has queued; call after session().execute().
    void flush();

  private:
    QmpClient(EventLoop& loop) : loop_(loop) {}
    void handle(std::uint32_t events);
    void update_interest();

    EventLoop& loop_;
    int fd_ = -1;
    EventLoop::WatchId watch_ = 0;
    QmpSession session_;
    std::string unsent_;
    bool writing_ = false;
};

} // namespace spectrum::vmbridge::qemu
