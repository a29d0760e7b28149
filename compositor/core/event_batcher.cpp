#include "event_batcher.hpp"

#include <algorithm>

#include "event_batching.hpp"

namespace spectrum {

EventBatcher::EventBatcher(wl_display* display, AllWaitForFrame all_wait_for_frame)
    : display_(display), loop_(wl_display_get_event_loop(display)), all_wait_for_frame_(std::move(all_wait_for_frame)) {
    // libwayland calls protocol loggers for every event it queues for a client.
    logger_ = wl_display_add_protocol_logger(display, &EventBatcher::log, this);
    limit_ = wl_event_loop_add_timer(loop_, &EventBatcher::handle_limit, this);
}

EventBatcher::~EventBatcher() {
    wlr_log(WLR_INFO, "event batching: %llu loops, %llu flushes held back (%llu ended by the time limit)",
            stats_.loops, stats_.held, stats_.limit);
    if (limit_) wl_event_source_remove(limit_);
    wl_protocol_logger_destroy(logger_);
}

void EventBatcher::log(void* data, wl_protocol_logger_type type, const wl_protocol_logger_message* message) {
    if (type != WL_PROTOCOL_LOGGER_EVENT) return;
    auto* self = static_cast<EventBatcher*>(data);
    if (self->urgent_) return; // everyone is flushed this time round anyway
    const char* interface = wl_resource_get_class(message->resource);
    if (!policy::can_wait_for_frame(interface ? interface : "", static_cast<std::uint32_t>(message->message_opcode))) {
        self->urgent_ = true;
        return;
    }
    wl_client* client = wl_resource_get_client(message->resource);
    if (std::find(self->holding_.begin(), self->holding_.end(), client) == self->holding_.end())
        self->holding_.push_back(client);
}

int EventBatcher::handle_limit(void* data) {
    auto* self = static_cast<EventBatcher*>(data);
    self->limit_armed_ = false;
    self->urgent_ = true; // flushed as the loop comes round
    ++self->stats_.limit;
    return 0;
}

void EventBatcher::flush() {
    ++stats_.loops;
    // Held back only if every client with something queued is waiting for a frame: the
    // frame callback, or the time limit, flushes it with the rest. Whichever client is not
    // gets everyone flushed (libwayland flushes all clients or one, and only the former
    // watches for a full socket).
    if (!urgent_ && !holding_.empty() && all_wait_for_frame_(holding_)) {
        if (!limit_armed_) {
            wl_event_source_timer_update(limit_, policy::held_event_limit_ms);
            limit_armed_ = true;
        }
        ++stats_.held;
        return;
    }
    wl_display_flush_clients(display_);
    urgent_ = false;
    holding_.clear();
    if (limit_armed_) {
        wl_event_source_timer_update(limit_, 0);
        limit_armed_ = false;
    }
}

void EventBatcher::run() {
    while (!stopped_) dispatch(-1);
}

void EventBatcher::dispatch(int timeout_ms) {
    // wl_display_run()'s loop, with flush() for wl_display_flush_clients().
    flush();
    wl_event_loop_dispatch(loop_, timeout_ms);
}

void EventBatcher::stop() { stopped_ = true; }

} // namespace spectrum
