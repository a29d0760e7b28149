// ext_session_lock_v1 (swaylock): while locked, the lock covers every output. Windows,
// panels, drag icons and notices are taken out of the scene (not merely covered), the
// rest of the screen is the compositor's own locked background, and only the locker's
// surfaces get input; key bindings are off.
//
// What a VM can tell: its window loses the keyboard (wl_keyboard.leave) and the pointer,
// and its surfaces leave their outputs and get no frame callbacks, exactly as when a host
// window covers it and takes the keyboard (a fullscreen host terminal). Its xdg_toplevel
// keeps its activated state, so nothing a VM sees says "locked" rather than "covered".
//
// A locker that dies without unlocking leaves the session locked: the compositor's locked
// background stays up, and only a new locker that locks and then unlocks ends it.
#include "desktop.hpp"

#include "server.hpp"

namespace spectrum {

namespace {
// Far beyond any output layout: the cover needs no update when outputs come and go.
constexpr int cover_extent = 1 << 14;
} // namespace

void Desktop::setup_session_lock() {
    lock_tree_ = wlr_scene_tree_create(&server_.scene->tree);
    wlr_scene_node_raise_to_top(&lock_tree_->node);
    const float colour[4] = {0.06f, 0.06f, 0.07f, 1.0f};
    lock_cover_ = wlr_scene_rect_create(lock_tree_, 2 * cover_extent, 2 * cover_extent, colour);
    wlr_scene_node_set_position(&lock_cover_->node, -cover_extent, -cover_extent);
    wlr_scene_node_set_enabled(&lock_tree_->node, false);

    lock_manager_ = wlr_session_lock_manager_v1_create(server_.display);
    new_lock_.connect(&lock_manager_->events.new_lock, [this](wlr_session_lock_v1* lock) { new_lock(lock); });
}

void Desktop::new_lock(wlr_session_lock_v1* lock) {
    if (lock_) {
        // The running locker keeps the lock; the protocol's answer is "finished".
        wlr_log(WLR_INFO, "a second screen locker refused: a running one holds the lock");
        wlr_session_lock_v1_destroy(lock);
        return;
    }
    lock_ = lock;
    lock_new_surface_.connect(&lock->events.new_surface, [this](wlr_session_lock_surface_v1* surface) {
        std::unique_ptr<LockSurface> owned(new LockSurface{surface, nullptr, {}, {}});
        LockSurface* ls = owned.get();
        lock_surfaces_.push_back(std::move(owned));
        ls->tree = wlr_scene_subsurface_tree_create(lock_tree_, surface->surface);
        ls->map.connect(&surface->surface->events.map, [this](void*) { focus_lock_surface(); });
        ls->destroy.connect(&surface->events.destroy, [this, ls](void*) {
            const bool had_keyboard = server_.seat->keyboard_state.focused_surface == ls->surface->surface;
            // The subsurface tree goes with its surface.
            lock_surfaces_.remove_if([ls](const auto& l) { return l.get() == ls; });
            if (had_keyboard && locked_) focus_lock_surface();
        });
        place_lock_surfaces();
    });
    lock_unlock_.connect(&lock->events.unlock, [this](void*) {
        forget_lock();
        wlr_log(WLR_INFO, "screen unlocked");
        set_locked(false);
    });
    lock_destroy_.connect(&lock->events.destroy, [this](void*) {
        forget_lock();
        wlr_log(WLR_INFO, "the screen locker went away without unlocking: the screen stays locked "
                          "until a new locker unlocks it");
    });
    if (!locked_) wlr_log(WLR_INFO, "screen locked");
    set_locked(true);
    // The cover is in the scene before the next frame of any output: from here on no
    // output shows a window.
    wlr_session_lock_v1_send_locked(lock);
}

void Desktop::forget_lock() {
    lock_ = nullptr;
    lock_new_surface_.disconnect();
    lock_unlock_.disconnect();
    lock_destroy_.disconnect();
}

void Desktop::place_lock_surfaces() {
    for (const auto& ls : lock_surfaces_) {
        wlr_box box{};
        wlr_output_layout_get_box(server_.output_layout, ls->surface->output, &box);
        if (wlr_box_empty(&box)) continue;
        wlr_scene_node_set_position(&ls->tree->node, box.x, box.y);
        if (ls->surface->current.width != static_cast<uint32_t>(box.width) ||
            ls->surface->current.height != static_cast<uint32_t>(box.height) || !ls->surface->configured)
            wlr_session_lock_surface_v1_configure(ls->surface, box.width, box.height);
    }
}

void Desktop::set_locked(bool on) {
    if (locked_ == on) return;
    locked_ = on;
    wlr_scene_node_raise_to_top(&lock_tree_->node);
    wlr_scene_node_set_enabled(&lock_tree_->node, on);
    for (wlr_scene_tree* tree : {server_.view_layer, server_.drag_layer, server_.overlay_layer, layers_[0],
                                 layers_[1], layers_[2], layers_[3]})
        wlr_scene_node_set_enabled(&tree->node, !on);
    if (on) {
        // A move or resize under way ends; so does every grab (a popup grab would keep the
        // keys going to its client).
        server_.cursor_mode = CursorMode::Passthrough;
        server_.grabbed_view = nullptr;
        server_.end_grabs_except(nullptr);
        wlr_seat_pointer_notify_clear_focus(server_.seat);
        focus_lock_surface();
    } else {
        restore_keyboard();
    }
    server_.schedule_pointer_focus();
}

void Desktop::focus_lock_surface() {
    wlr_seat* seat = server_.seat;
    // The one on the output under the pointer, else any mapped one, else nobody.
    wlr_output* here = wlr_output_layout_output_at(server_.output_layout, server_.cursor->x, server_.cursor->y);
    wlr_surface* target = nullptr;
    for (const auto& ls : lock_surfaces_) {
        if (!ls->surface->surface->mapped) continue;
        if (!target || ls->surface->output == here) target = ls->surface->surface;
    }
    if (target) keyboard_to(target);
    else wlr_seat_keyboard_notify_clear_focus(seat);
}

} // namespace spectrum
