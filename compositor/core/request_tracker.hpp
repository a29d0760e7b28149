// Which client sent the request libwayland is dispatching. wlroots' selection requests and
// activation tokens do not always say (a token's resource is already inert when it is
// announced), yet what a request may do depends on the requester's VM.
#pragma once

#include "wlr.hpp"

namespace spectrum {

class RequestTracker {
  public:
    explicit RequestTracker(wl_display* display);
    ~RequestTracker();
    RequestTracker(const RequestTracker&) = delete;
    RequestTracker& operator=(const RequestTracker&) = delete;

    // The sender of the request being dispatched (or of the last one), if that client still
    // exists; nullptr otherwise.
    wl_client* current() const;

  private:
    static void log(void* data, wl_protocol_logger_type type, const wl_protocol_logger_message* message);

    wl_display* display_;
    wl_protocol_logger* logger_ = nullptr;
    wl_client* last_ = nullptr;
};

} // namespace spectrum
