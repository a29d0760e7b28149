// The compositor's main loop, flushing what clients are sent so that a client waiting for a
// frame callback is woken once per frame: the buffer it gets back when it commits and the
// report of when that frame was shown ride with its next frame callback instead of waking
// it (and its VM's virtual CPU) twice more per frame. policy/event_batching.hpp says which
// events may wait; any other event, for any client, flushes every client as wlroots' own
// loop does, and nothing waits longer than policy::held_event_limit_ms.
#pragma once

#include <functional>
#include <vector>

#include "wlr.hpp"

namespace spectrum {

class EventBatcher {
  public:
    // `all_wait_for_frame(clients)`: each of them asked for a frame callback on a surface an
    // output shows, and has not had it yet (FramePacer::all_wait_for_frame).
    using AllWaitForFrame = std::function<bool(const std::vector<wl_client*>&)>;
    EventBatcher(wl_display* display, AllWaitForFrame all_wait_for_frame);
    ~EventBatcher();
    EventBatcher(const EventBatcher&) = delete;
    EventBatcher& operator=(const EventBatcher&) = delete;

    // wl_display_run(), flushing as above, until stop().
    void run();
    void stop();
    // One time round: flush, then wait up to `timeout_ms` (-1: for ever) and dispatch.
    void dispatch(int timeout_ms);

  private:
    static void log(void* data, wl_protocol_logger_type type, const wl_protocol_logger_message* message);
    static int handle_limit(void* data);
    void flush();

    wl_display* display_;
    wl_event_loop* loop_;
    AllWaitForFrame all_wait_for_frame_;
    wl_protocol_logger* logger_ = nullptr;
    wl_event_source* limit_ = nullptr;
    bool limit_armed_ = false;
    bool stopped_ = false;
    // Since the last flush: an event that must go at once, and the clients sent only events
    // that can wait for their frame.
    bool urgent_ = false;
    std::vector<wl_client*> holding_;
    struct {
        unsigned long long loops = 0, held = 0, limit = 0;
    } stats_; // logged at exit
};

} // namespace spectrum
