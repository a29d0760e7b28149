#include "keyboard.hpp"

#include <cstdlib>

#include "server.hpp"
#include "view.hpp"

namespace spectrum {

bool apply_keymap(Server& server, wlr_keyboard* keyboard) {
    const auto& kb = server.config().keyboard;
    auto pick = [](const std::string& value) { return value.empty() ? nullptr : value.c_str(); };
    // Empty fields fall through to XKB_DEFAULT_* and then to xkbcommon's own defaults.
    xkb_rule_names names{pick(kb.rules), pick(kb.model), pick(kb.layout), pick(kb.variant),
                         pick(kb.options)};
    xkb_context* context = xkb_context_new(XKB_CONTEXT_NO_FLAGS);
    xkb_keymap* keymap = xkb_keymap_new_from_names(context, &names, XKB_KEYMAP_COMPILE_NO_FLAGS);
    bool ok = keymap != nullptr;
    if (!ok) {
        wlr_log(WLR_ERROR, "keyboard layout \"%s\" could not be compiled; using the default",
                kb.layout.c_str());
        keymap = xkb_keymap_new_from_names(context, nullptr, XKB_KEYMAP_COMPILE_NO_FLAGS);
    }
    if (keymap) {
        wlr_keyboard_set_keymap(keyboard, keymap);
        xkb_keymap_unref(keymap);
    }
    xkb_context_unref(context);
    wlr_keyboard_set_repeat_info(keyboard, kb.repeat_rate, kb.repeat_delay);
    return ok;
}

Keyboard::Keyboard(Server& server, wlr_keyboard* keyboard, bool apply_config_keymap)
    : server(server), keyboard(keyboard) {
    // A virtual keyboard brings its own keymap; a physical one gets the configured layout.
    if (apply_config_keymap) apply_keymap(server, keyboard);
    // The newest keyboard becomes the seat's at once, so its first key is not also the one
    // that switches keymaps under the focused client (which would drop that key) — once it
    // has a keymap. A virtual keyboard has none until its client uploads one, and a seat
    // keyboard without a keymap sends every client "no keymap" with /dev/null as the fd,
    // which waypipe cannot carry: the VM's app lost its connection whenever wtype started,
    // and swaylock aborts on it.
    if (keyboard->keymap) wlr_seat_set_keyboard(server.seat, keyboard);

    keymap.connect(&keyboard->events.keymap, [this](void*) {
        // A new keymap (a virtual keyboard uploads its own): re-enter the focused window so
        // its client starts from a clean state with this keyboard, as after a focus change.
        Server& s = this->server;
        wlr_seat_set_keyboard(s.seat, this->keyboard);
        // Only a window's: a launcher or locker keeps the keyboard (wlroots sends it the
        // new keymap), as a leave would close fuzzel and tell nothing to the locker.
        if (View* view = s.focused_view(); view && s.seat->keyboard_state.focused_surface == view->surface()) {
            wlr_seat_keyboard_notify_clear_focus(s.seat);
            wlr_seat_keyboard_notify_enter(s.seat, view->surface(), this->keyboard->keycodes,
                                           this->keyboard->num_keycodes, &this->keyboard->modifiers);
        }
    });
    modifiers.connect(&keyboard->events.modifiers, [this](void*) {
        if (!this->keyboard->keymap) return;
        wlr_seat_set_keyboard(this->server.seat, this->keyboard);
        wlr_seat_keyboard_notify_modifiers(this->server.seat, &this->keyboard->modifiers);
    });

    key.connect(&keyboard->events.key, [this](wlr_keyboard_key_event* event) {
        Server& s = this->server;
        s.note_input_activity();
        const uint32_t keycode = event->keycode + 8; // evdev → xkb
        bool handled = false;
        if (event->state == WL_KEYBOARD_KEY_STATE_PRESSED) {
            const uint32_t mods = wlr_keyboard_get_modifiers(this->keyboard);
            // Match both the translated keysym (Shift+Tab → ISO_Left_Tab) and the unshifted
            // one (Shift+c → c), so "Ctrl+Shift+C" and "Alt+Shift+Tab" both work.
            const xkb_keysym_t* syms = nullptr;
            int n = xkb_state_key_get_syms(this->keyboard->xkb_state, keycode, &syms);
            handled = s.handle_binding(mods, syms, n);
            if (!handled) {
                xkb_layout_index_t layout = xkb_state_key_get_layout(this->keyboard->xkb_state, keycode);
                n = xkb_keymap_key_get_syms_by_level(this->keyboard->keymap, keycode, layout, 0, &syms);
                handled = s.handle_binding(mods, syms, n);
            }
            if (handled) consumed.insert(event->keycode);
        } else if (consumed.erase(event->keycode)) {
            handled = true;
        }
        if (handled) return; // bindings never reach clients
        wlr_seat_set_keyboard(s.seat, this->keyboard);
        wlr_seat_keyboard_notify_key(s.seat, event->time_msec, event->keycode, event->state);
    });

    destroy.connect(&keyboard->base.events.destroy, [this](void*) {
        Server& s = this->server;
        wlr_keyboard* gone = this->keyboard;
        s.keyboards.remove_if([this](const auto& k) { return k.get() == this; });
        // The seat falls back to a remaining keyboard: without one, a client binding
        // wl_keyboard gets no keymap (wl-copy in a VM waits for it forever).
        if (wlr_seat_get_keyboard(s.seat) == gone || !wlr_seat_get_keyboard(s.seat)) {
            wlr_keyboard* next = nullptr;
            for (const auto& k : s.keyboards)
                if (k->keyboard->keymap) next = k->keyboard;
            wlr_seat_set_keyboard(s.seat, next);
        }
    });
}

} // namespace spectrum
