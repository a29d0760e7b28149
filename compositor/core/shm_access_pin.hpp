// wlroots guards every read of a client's wl_shm memory with a SIGBUS handler (a client can
// shrink the file under the mapping; the handler maps zeroes in its place). It installs the
// handler when the first such access begins and puts the previous one back when the last
// ends: two sigaction() system calls for every client buffer drawn or uploaded — about 40
// per frame with 16 windows, 110 with 64 (tests/bench/run --syscalls). An access that never
// ends keeps the handler installed, and then the others cost no system call at all. The pin
// is that access, held on a one-pixel wl_shm buffer the compositor makes for itself.
#pragma once

#include <memory>

#include "wlr.hpp"

struct wlr_shm;

namespace spectrum {

// A one-pixel wl_shm buffer from `shm`, made over a private connection of the compositor to
// itself and locked for the caller (wlr_buffer_unlock when done; wlroots keeps a buffer whose
// client has gone until its last lock). Dispatches the display's event loop until the
// requests are handled, so it belongs to start-up, before the backend runs. nullptr, after
// logging, if it could not be made.
wlr_buffer* create_own_shm_buffer(wl_display* display, wlr_shm* shm);

class ShmAccessPin {
  public:
    // nullptr after logging if it could not be set up: wlroots then works as it always does.
    static std::unique_ptr<ShmAccessPin> create(wl_display* display, wlr_shm* shm);
    ~ShmAccessPin(); // ends the access: wlroots puts the previous SIGBUS handler back
    ShmAccessPin(const ShmAccessPin&) = delete;
    ShmAccessPin& operator=(const ShmAccessPin&) = delete;

  private:
    explicit ShmAccessPin(wlr_buffer* buffer) : buffer_(buffer) {}
    wlr_buffer* buffer_;
};

} // namespace spectrum
