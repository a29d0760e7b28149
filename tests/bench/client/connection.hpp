// The client's connection: the display, the globals the benchmark needs, and the clock the
// compositor stamps presentation times with.
#pragma once

#include <ctime>
#include <cstdint>
#include <expected>
#include <memory>
#include <string>

#include <wayland-client.h>

#include "presentation-time-client-protocol.h"
#include "xdg-decoration-unstable-v1-client-protocol.h"
#include "xdg-shell-client-protocol.h"

namespace bench {

class Connection {
  public:
    // Connects to $WAYLAND_DISPLAY (a name in $XDG_RUNTIME_DIR or an absolute path) and
    // binds the globals; the error says which one is missing.
    static std::expected<std::unique_ptr<Connection>, std::string> open();
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    // Now on the presentation clock, in nanoseconds: commit times are compared with
    // presentation times, so both must come from the same clock.
    std::uint64_t now_ns() const;

    wl_display* display = nullptr;
    wl_registry* registry = nullptr;
    wl_compositor* compositor = nullptr;
    std::uint32_t compositor_version = 0;
    wl_shm* shm = nullptr;
    xdg_wm_base* wm_base = nullptr;
    wp_presentation* presentation = nullptr;
    // Optional: asks for server-side decorations, so every compositor that draws frames
    // (sway, labwc; Spectrum always does) draws them in the benchmark too.
    zxdg_decoration_manager_v1* decoration_manager = nullptr;
    clockid_t clock = CLOCK_MONOTONIC;

  private:
    Connection() = default;
};

} // namespace bench
