// A keyboard (physical or virtual): keymap, repeat, and key bindings before delivery.
#pragma once

#include <set>

#include "listener.hpp"
#include "wlr.hpp"

namespace spectrum {

class Server;

struct Keyboard {
    Keyboard(Server& server, wlr_keyboard* keyboard, bool apply_config_keymap);

    Server& server;
    wlr_keyboard* keyboard;
    // Keys whose press was a binding: their release is swallowed too, so a client never sees
    // half of a compositor shortcut.
    std::set<uint32_t> consumed;

    Listener<void> modifiers;
    Listener<void> keymap;
    Listener<wlr_keyboard_key_event> key;
    Listener<void> destroy;
};

// Applies the [keyboard] section (layout, repeat) to a keyboard. false if the keymap fails.
bool apply_keymap(Server& server, wlr_keyboard* keyboard);

} // namespace spectrum
