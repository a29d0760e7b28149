#include "desktop.hpp"

#include "server.hpp"

namespace spectrum {

Desktop::Desktop(Server& server) : server_(server) {
    setup_layer_shell();
    setup_session_lock();
    setup_idle();
}

Desktop::~Desktop() {
    // The globals go with the display; nothing of ours may still listen to them then.
    new_layer_surface_.disconnect();
    layout_change_.disconnect();
    new_lock_.disconnect();
    forget_lock();
    power_set_mode_.disconnect();
    powered_off_.clear();
    layer_surfaces_.clear();
    lock_surfaces_.clear();
}

} // namespace spectrum
