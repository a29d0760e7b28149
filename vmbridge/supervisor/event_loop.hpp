// A small epoll loop: file descriptors with callbacks, one-shot timers, and nothing else.
// The supervisor is single-threaded; every VM, QMP connection, child process and control
// client is driven from here, so no state is ever shared between threads.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>

namespace spectrum::vmbridge {

class EventLoop {
  public:
    using Clock = std::chrono::steady_clock;
    using FdCallback = std::function<void(std::uint32_t events)>; // EPOLLIN, EPOLLOUT, …
    using WatchId = std::uint64_t;
    using TimerId = std::uint64_t;

    EventLoop();
    ~EventLoop();
    EventLoop(const EventLoop&) = delete;
    EventLoop& operator=(const EventLoop&) = delete;

    bool ok() const { return epoll_fd_ >= 0; }

    // Watches `fd` (which the caller keeps owning) for `events`. Returns 0 on failure.
    WatchId watch(int fd, std::uint32_t events, FdCallback callback);
    void modify(WatchId id, std::uint32_t events);
    // Safe to call from inside any callback, including the watch's own.
    void unwatch(WatchId id);

    TimerId after(std::chrono::milliseconds delay, std::function<void()> callback);
    void cancel(TimerId id);

    // Waits up to `max_wait` for one batch of events and runs due timers.
    void run_once(std::chrono::milliseconds max_wait);
    // Runs until `done()` holds or `timeout` passes; returns done().
    bool run_until(const std::function<bool()>& done, std::chrono::milliseconds timeout);
    // Runs until stop() is called.
    void run();
    void stop() { stopping_ = true; }

  private:
    struct Watch {
        int fd;
        FdCallback callback;
    };
    void run_due_timers();

    int epoll_fd_ = -1;
    bool stopping_ = false;
    WatchId next_watch_ = 1;
    TimerId next_timer_ = 1;
    std::map<WatchId, std::shared_ptr<Watch>> watches_;
    std::multimap<Clock::time_point, TimerId> timer_order_;
    std::map<TimerId, std::pair<Clock::time_point, std::function<void()>>> timers_;
};

} // namespace spectrum::vmbridge
