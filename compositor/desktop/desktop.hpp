// The host's desktop protocols: layer-shell (panels, launchers, wallpapers), the session
// lock (swaylock), idle notification (swayidle) and output power (blanking). All are host
// only: none is in vm_allowed_globals, so a VM client never sees or binds them.
//
// Scene, bottom to top: the compositor's background, layer "background", layer "bottom",
// the windows, layer "top", drag icons, layer "overlay", the compositor's notices and
// prompts, and the lock. A layer surface never covers a notice; nothing covers the lock.
#pragma once

#include <list>
#include <map>
#include <memory>

#include "listener.hpp"
#include "wlr.hpp"

extern "C" {
#define static
#define namespace namespace_
#include <wlr/types/wlr_idle_notify_v1.h>
#include <wlr/types/wlr_layer_shell_v1.h>
#include <wlr/types/wlr_output_power_management_v1.h>
#include <wlr/types/wlr_session_lock_v1.h>
#undef namespace
#undef static
}

namespace spectrum {

class Server;

class Desktop {
  public:
    explicit Desktop(Server& server);
    ~Desktop();
    Desktop(const Desktop&) = delete;
    Desktop& operator=(const Desktop&) = delete;

    // --- layer shell (layer_shell.cpp) ---
    // The part of the output at (lx, ly) that windows may use: the output less the
    // exclusive zones of its panels.
    wlr_box usable_box(wlr_output* output, wlr_box full) const;
    // The layer surface (or, while locked, the lock surface) under (lx, ly) in the layers
    // above the windows (above = true) or below them. true: the point is the desktop's
    // (`surface` may then be null: while locked, nothing under the pointer is a client's).
    bool surface_at(double lx, double ly, bool above, wlr_surface** surface, double* sx, double* sy);
    // A click on a surface no window owns: an on-demand layer surface takes the keyboard.
    void clicked(wlr_surface* surface);
    // Whether a window may have the keyboard now: not while locked, nor while a layer
    // surface with exclusive keyboard interactivity (a launcher) is up. An on-demand layer
    // surface gives it up (true).
    bool window_may_take_keyboard();
    // Keyboard focus back to what should have it now (after a layer surface or lock ends).
    void restore_keyboard();
    void arrange();

    // --- session lock (session_lock.cpp) ---
    bool locked() const { return locked_; }

    // --- idle and output power (idle.cpp) ---
    void input_activity();

  private:
    struct LayerSurface;
    struct LockSurface;
    void setup_layer_shell();
    void setup_session_lock();
    void setup_idle();
    void new_layer_surface(wlr_layer_surface_v1* surface);
    void new_lock(wlr_session_lock_v1* lock);
    void set_locked(bool locked);
    void focus_lock_surface();
    void forget_lock();
    void place_lock_surfaces();
    wlr_scene_tree* layer_tree(uint32_t layer) const;
    void set_output_power(wlr_output* output, bool on);
    void keyboard_to(wlr_surface* surface);

    Server& server_;

    // Layer shell.
    wlr_layer_shell_v1* layer_shell_ = nullptr;
    wlr_scene_tree* layers_[4] = {}; // background, bottom, top, overlay
    std::list<std::unique_ptr<LayerSurface>> layer_surfaces_;
    std::map<wlr_output*, wlr_box> usable_; // from the last arrange()
    LayerSurface* keyboard_layer_ = nullptr; // the layer surface with the keyboard, if one has it
    Listener<wlr_layer_surface_v1> new_layer_surface_;
    Listener<void> layout_change_;

    // Session lock.
    wlr_session_lock_manager_v1* lock_manager_ = nullptr;
    wlr_session_lock_v1* lock_ = nullptr; // the live locker's, if one is alive
    bool locked_ = false;
    wlr_scene_tree* lock_tree_ = nullptr;
    wlr_scene_rect* lock_cover_ = nullptr;
    std::list<std::unique_ptr<LockSurface>> lock_surfaces_;
    Listener<wlr_session_lock_v1> new_lock_;
    Listener<wlr_session_lock_surface_v1> lock_new_surface_;
    Listener<void> lock_unlock_, lock_destroy_;

    // Idle and output power.
    wlr_idle_notifier_v1* idle_ = nullptr;
    wlr_output_power_manager_v1* output_power_ = nullptr;
    Listener<wlr_output_power_v1_set_mode_event> power_set_mode_;
    struct SavedMode {
        int width, height, refresh;
        Listener<void> destroy;
    };
    std::map<wlr_output*, std::unique_ptr<SavedMode>> powered_off_;
};

struct Desktop::LayerSurface {
    Desktop& desktop;
    wlr_layer_surface_v1* surface;
    wlr_scene_layer_surface_v1* scene = nullptr;
    Listener<void> map, unmap, commit, destroy, output_destroy;
    Listener<wlr_xdg_popup> new_popup;
};

struct Desktop::LockSurface {
    wlr_session_lock_surface_v1* surface;
    wlr_scene_tree* tree;
    Listener<void> map, destroy;
};

} // namespace spectrum
