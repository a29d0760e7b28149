#include "event_loop.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <sys/epoll.h>
#include <unistd.h>
#include <vector>

namespace spectrum::vmbridge {

EventLoop::EventLoop() : epoll_fd_(epoll_create1(EPOLL_CLOEXEC)) {}

EventLoop::~EventLoop() {
    if (epoll_fd_ >= 0) close(epoll_fd_);
}

EventLoop::WatchId EventLoop::watch(int fd, std::uint32_t events, FdCallback callback) {
    const WatchId id = next_watch_++;
    epoll_event event{};
    event.events = events;
    // The id, not the fd: a stale event for a closed fd whose number was reused by a new
    // watch in the same batch must not reach the new callback.
    event.data.u64 = id;
    if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &event) != 0) return 0;
    watches_.emplace(id, std::make_shared<Watch>(Watch{fd, std::move(callback)}));
    return id;
}

void EventLoop::modify(WatchId id, std::uint32_t events) {
    auto it = watches_.find(id);
    if (it == watches_.end()) return;
    epoll_event event{};
    event.events = events;
    event.data.u64 = id;
    epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, it->second->fd, &event);
}

void EventLoop::unwatch(WatchId id) {
    auto it = watches_.find(id);
    if (it == watches_.end()) return;
    epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, it->second->fd, nullptr);
    watches_.erase(it);
}

EventLoop::TimerId EventLoop::after(std::chrono::milliseconds delay, std::function<void()> callback) {
    const TimerId id = next_timer_++;
    const auto due = Clock::now() + delay;
    timers_.emplace(id, std::make_pair(due, std::move(callback)));
    timer_order_.emplace(due, id);
    return id;
}

void EventLoop::cancel(TimerId id) {
    auto it = timers_.find(id);
    if (it == timers_.end()) return;
    auto [first, last] = timer_order_.equal_range(it->second.first);
    for (auto order = first; order != last; ++order) {
        if (order->second == id) {
            timer_order_.erase(order);
            break;
        }
    }
    timers_.erase(it);
}

void EventLoop::run_due_timers() {
    const auto now = Clock::now();
    // Collected first: a callback may add or cancel timers.
    std::vector<TimerId> due;
    for (auto it = timer_order_.begin(); it != timer_order_.end() && it->first <= now; ++it)
        due.push_back(it->second);
    for (TimerId id : due) {
        auto it = timers_.find(id);
        if (it == timers_.end()) continue; // cancelled by an earlier callback
        auto callback = std::move(it->second.second);
        cancel(id);
        callback();
    }
}

void EventLoop::run_once(std::chrono::milliseconds max_wait) {
    auto wait = max_wait;
    if (!timer_order_.empty()) {
        auto until_timer = std::chrono::ceil<std::chrono::milliseconds>(timer_order_.begin()->first -
                                                                        Clock::now());
        wait = std::clamp(until_timer, std::chrono::milliseconds(0), max_wait);
    }
    std::array<epoll_event, 32> events{};
    const int n = epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()),
                             static_cast<int>(wait.count()));
    for (int i = 0; i < n; ++i) {
        auto it = watches_.find(events[static_cast<std::size_t>(i)].data.u64);
        if (it == watches_.end()) continue; // unwatched by an earlier callback in this batch
        auto watch = it->second;            // keeps the callback alive while it runs
        watch->callback(events[static_cast<std::size_t>(i)].events);
    }
    run_due_timers();
}

bool EventLoop::run_until(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (!done()) {
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
        if (left <= std::chrono::milliseconds(0)) return done();
        run_once(std::min(left, std::chrono::milliseconds(100)));
    }
    return true;
}

void EventLoop::run() {
    stopping_ = false;
    while (!stopping_)
        run_once(std::chrono::milliseconds(1000));
}

} // namespace spectrum::vmbridge
