// Popup grabs (xdg_popup.grab) are the one way a client takes the keyboard and pointer from
// the compositor; wlroots 0.18 starts them without looking at the serial. The guard lets a
// grab start only for the client that has keyboard focus, with a serial the compositor
// sent that client for an input event; any other grab is ended at once, with one log line.
#pragma once

#include <cstdint>
#include <optional>

#include "listener.hpp"
#include "wlr.hpp"

namespace spectrum {

class Server;

class GrabGuard {
  public:
    explicit GrabGuard(Server& server);
    ~GrabGuard();
    GrabGuard(const GrabGuard&) = delete;
    GrabGuard& operator=(const GrabGuard&) = delete;

  private:
    static void log(void* data, wl_protocol_logger_type type,
                    const wl_protocol_logger_message* message);
    // Called as each part (pointer, keyboard, touch) of a grab begins.
    void check(const void* grab);
    wlr_xdg_popup_grab* popup_grab_of(const void* grab) const;
    bool allowed(wl_client* client, uint32_t serial) const;

    struct Request {
        wl_client* client;
        uint32_t serial;
        bool refused = false;
        bool decided = false;
    };

    Server& server_;
    wl_protocol_logger* logger_ = nullptr;
    std::optional<Request> request_; // the xdg_popup.grab being dispatched
    Listener<wlr_seat_pointer_grab> pointer_begin_;
    Listener<wlr_seat_keyboard_grab> keyboard_begin_;
    Listener<wlr_seat_touch_grab> touch_begin_;
};

} // namespace spectrum
