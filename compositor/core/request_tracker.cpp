#include "request_tracker.hpp"

namespace spectrum {

RequestTracker::RequestTracker(wl_display* display) : display_(display) {
    // libwayland calls protocol loggers just before it dispatches each request.
    logger_ = wl_display_add_protocol_logger(display, &RequestTracker::log, this);
}

RequestTracker::~RequestTracker() { wl_protocol_logger_destroy(logger_); }

void RequestTracker::log(void* data, wl_protocol_logger_type type, const wl_protocol_logger_message* message) {
    if (type == WL_PROTOCOL_LOGGER_REQUEST)
        static_cast<RequestTracker*>(data)->last_ = wl_resource_get_client(message->resource);
}

wl_client* RequestTracker::current() const {
    if (!last_) return nullptr;
    // Checked against the live clients, so a client destroyed since is never returned.
    wl_client* client;
    wl_client_for_each(client, wl_display_get_client_list(display_)) {
        if (client == last_) return client;
    }
    return nullptr;
}

} // namespace spectrum
