#include "view.hpp"

#include <algorithm>
#include <format>
#include <vector>

#include "desktop_protocols.hpp"
#include "label_tag.hpp"
#include "placement.hpp"
#include "server.hpp"
#include "title_filter.hpp"
#include "vm.hpp"

namespace spectrum {

namespace {
// Host titles are trusted but still capped: they share the same title bar.
constexpr std::size_t host_title_cap = 256;
// Host windows are trusted, but their sizes still feed int arithmetic and cairo.
constexpr int host_max_size = 16384;
} // namespace

View::View(Server& server, wlr_xdg_toplevel* toplevel)
    : server_(server), toplevel_(toplevel), id_(server.next_view_id++) {
    vm_ = client_vm(wl_resource_get_client(toplevel->resource));
    sandboxed_ = !vm_ && server.desktop_protocols && server.desktop_protocols->sandboxed(wl_resource_get_client(toplevel->resource));

    tree_ = wlr_scene_tree_create(server.view_layer);
    tree_->node.data = this;
    wlr_scene_node_set_enabled(&tree_->node, false);
    frame_ = std::make_unique<Frame>(tree_);
    content_ = wlr_scene_subsurface_tree_create(tree_, toplevel->base->surface);
    popups_ = wlr_scene_tree_create(tree_);
    popups_->node.data = this;
    // Child popups find the tree to attach to through the parent xdg_surface's data.
    toplevel->base->data = popups_;

    wlr_xdg_surface* base = toplevel->base;
    map_.connect(&base->surface->events.map, [this](void*) { handle_map(); });
    unmap_.connect(&base->surface->events.unmap, [this](void*) { handle_unmap(); });
    commit_.connect(&base->surface->events.commit, [this](void*) { handle_commit(); });
    destroy_.connect(&toplevel->events.destroy, [this](void*) { server_.remove_view(this); });

    request_move_.connect(&toplevel->events.request_move, [this](void*) {
        // Only while a button is held on this window: a client cannot start a grab by itself.
        if (server_.seat->pointer_state.button_count > 0 && server_.focused_view() == this)
            server_.begin_interactive(this, CursorMode::Move, 0);
    });
    request_resize_.connect(&toplevel->events.request_resize, [this](wlr_xdg_toplevel_resize_event* e) {
        if (server_.seat->pointer_state.button_count > 0 && server_.focused_view() == this)
            server_.begin_interactive(this, CursorMode::Resize, e->edges);
    });
    request_maximize_.connect(&toplevel->events.request_maximize, [this](void*) {
        if (toplevel_->base->initialized) set_maximized(toplevel_->requested.maximized);
    });
    request_fullscreen_.connect(&toplevel->events.request_fullscreen, [this](void*) {
        if (!toplevel_->base->initialized) return;
        const bool wants = toplevel_->requested.fullscreen;
        if (vm_ && wants && !fullscreen_) {
            // A VM may not cover the screen on its own: its request becomes maximize. The
            // user grants real fullscreen with the compositor's key binding.
            set_maximized(true);
        } else {
            set_fullscreen(wants);
        }
    });
    request_minimize_.connect(&toplevel->events.request_minimize, [this](void*) {
        // A client may hide its own window (nothing else): the user brings it back.
        if (!toplevel_->base->initialized) return;
        if (mapped_) set_minimized(true);
        else wlr_xdg_surface_schedule_configure(toplevel_->base);
    });
    set_title_.connect(&toplevel->events.set_title, [this](void*) {
        const std::size_t cap = vm_ ? vm_->config.limits.title_length : host_title_cap;
        title_ = policy::sanitize_text(toplevel_->title ? toplevel_->title : "", cap);
        if (mapped_) {
            update_frame();
            update_foreign();
        }
    });
    set_app_id_.connect(&toplevel->events.set_app_id, [this](void*) {
        app_id_ = policy::sanitize_text(toplevel_->app_id ? toplevel_->app_id : "", 128);
        if (mapped_) update_foreign();
    });
}

View::~View() {
    // The frame's nodes live inside tree_: free them before the tree.
    frame_.reset();
    if (foreign_) wlr_ext_foreign_toplevel_handle_v1_destroy(foreign_);
    taskbar_.reset();
    toplevel_->base->data = nullptr;
    wlr_scene_node_destroy(&tree_->node);
}

int View::border() const { return server_.config().border_width; }
int View::title_height() const { return server_.config().title_height; }

std::string View::label_text() const {
    if (!vm_) return sandboxed_ ? "[sandbox] " + title_ : title_;
    std::string text = std::format("[{}] {}", vm_->config.label, title_);
    if (urgent_) text += "  \u2022 wants attention";
    return text;
}

wlr_box View::visible_geometry() const {
    wlr_box geo{};
    wlr_xdg_surface_get_geometry(toplevel_->base, &geo);
    int max_w = host_max_size, max_h = host_max_size;
    if (maximized_ || fullscreen_) {
        // Held to the size it was given, whatever it committed.
        if (toplevel_->scheduled.width > 0) max_w = std::min(max_w, toplevel_->scheduled.width);
        if (toplevel_->scheduled.height > 0) max_h = std::min(max_h, toplevel_->scheduled.height);
    }
    if (vm_) {
        // A VM window never grows past its limits (a viewport can make a tiny buffer huge)
        // nor past its output with the frame around it: only the user can let a VM cover
        // the screen, and even then the frame stays.
        const wlr_box out = server_.output_box_at(x_ + 1, y_ + 1);
        max_w = std::min({max_w, static_cast<int>(std::min<uint32_t>(vm_->config.limits.buffer_width, INT32_MAX)),
                          out.width - 2 * border()});
        max_h = std::min({max_h, static_cast<int>(std::min<uint32_t>(vm_->config.limits.buffer_height, INT32_MAX)),
                          out.height - 2 * border() - title_height()});
    }
    geo.width = std::clamp(geo.width, 0, std::max(max_w, 1));
    geo.height = std::clamp(geo.height, 0, std::max(max_h, 1));
    return geo;
}

wlr_box View::content_box() const {
    const wlr_box geo = visible_geometry();
    return {x_, y_, geo.width, geo.height};
}

wlr_box View::frame_box() const {
    wlr_box content = content_box();
    if (fullscreen_ && !vm_) return content;
    const int b = border(), t = title_height();
    return {content.x - b, content.y - b - t, content.width + 2 * b, content.height + 2 * b + t};
}

bool View::title_bar_at(double lx, double ly) const {
    if (fullscreen_ && !vm_) return false;
    return frame_->title_bar_contains(lx - x_, ly - y_);
}

uint32_t View::frame_edges_at(double lx, double ly) const {
    if (maximized_ || fullscreen_ || border() <= 0) return 0;
    const wlr_box f = frame_box(), c = content_box();
    if (lx < f.x || ly < f.y || lx >= f.x + f.width || ly >= f.y + f.height) return 0;
    const bool left = lx < c.x, right = lx >= c.x + c.width;
    const bool top = ly < f.y + border(), bottom = ly >= c.y + c.height;
    if (!left && !right && !top && !bottom) return 0; // the title bar or the content
    // Near a corner (this far along either side) the border resizes both ways.
    constexpr int corner = 16;
    uint32_t edges = 0;
    if (left || ((top || bottom) && lx < f.x + corner)) edges |= WLR_EDGE_LEFT;
    if (right || ((top || bottom) && lx >= f.x + f.width - corner)) edges |= WLR_EDGE_RIGHT;
    if (top || ((left || right) && ly < f.y + corner)) edges |= WLR_EDGE_TOP;
    if (bottom || ((left || right) && ly >= f.y + f.height - corner)) edges |= WLR_EDGE_BOTTOM;
    return edges;
}

std::pair<int, int> View::min_size() const {
    // A client's own number: capped, so a resize never asks any client for an absurd size.
    return {std::clamp(toplevel_->current.min_width, 1, host_max_size),
            std::clamp(toplevel_->current.min_height, 1, host_max_size)};
}

void View::set_minimized(bool on) {
    if (!mapped_ || on == minimized_) return;
    minimized_ = on;
    wlr_scene_node_set_enabled(&tree_->node, !on);
    if (on) {
        // Hidden means out of reach: no grab, no keyboard, no pointer.
        if (server_.grabbed_view == this) {
            server_.cursor_mode = CursorMode::Passthrough;
            server_.grabbed_view = nullptr;
        }
        if (server_.focused_view() == this) {
            focused_ = false;
            wlr_xdg_toplevel_set_activated(toplevel_, false);
            server_.focus_fallback(this);
        }
    }
    if (on && server_.label_tag) server_.label_tag->forget(id_);
    wlr_log(WLR_INFO, "window %u %s", id_, on ? "minimized" : "restored");
    update_foreign();
    server_.schedule_pointer_focus();
}

void View::set_position(int x, int y) {
    x_ = x;
    y_ = y;
    wlr_scene_node_set_position(&tree_->node, x, y);
    if (taskbar_) taskbar_->update_outputs();
    if (mapped_ && frame_valid_ && server_.scale_for(frame_box()) != label_scale_) update_frame();
    place_popups(server_, toplevel_->base);
    server_.schedule_pointer_focus();
}

void View::request_size(int width, int height) {
    wlr_xdg_toplevel_set_size(toplevel_, std::max(width, 1), std::max(height, 1));
}

void View::set_focused(bool focused) {
    focused_ = focused;
    wlr_xdg_toplevel_set_activated(toplevel_, focused);
    if (focused && urgent_) set_urgent(false);
    else if (mapped_) update_frame();
    if (mapped_) update_foreign();
}

void View::set_urgent(bool urgent) {
    urgent_ = urgent;
    if (mapped_) update_frame();
}

void View::close() { wlr_xdg_toplevel_send_close(toplevel_); }

void View::toggle_maximize() { set_maximized(!maximized_); }

void View::toggle_fullscreen() { set_fullscreen(!fullscreen_); }

void View::refit_maximized() {
    if (maximized_ && !fullscreen_ && mapped_) fill_output(true);
}

void View::fill_output(bool keep_frame) {
    const wlr_box current = content_box();
    // Maximized: beside the panels; fullscreen: the whole output.
    const double cx = x_ + current.width / 2.0, cy = y_ + current.height / 2.0;
    const wlr_box area = keep_frame ? server_.usable_box_at(cx, cy) : server_.output_box_at(cx, cy);
    const int b = keep_frame ? border() : 0;
    const int t = keep_frame ? title_height() : 0;
    set_position(area.x + b, area.y + b + t);
    request_size(area.width - 2 * b, area.height - 2 * b - t);
}

void View::set_maximized(bool on) {
    if (on == maximized_ || fullscreen_) {
        wlr_xdg_surface_schedule_configure(toplevel_->base);
        return;
    }
    if (on) {
        restore_ = content_box();
        fill_output(true);
    } else {
        set_position(restore_.x, restore_.y);
        request_size(restore_.width, restore_.height);
    }
    maximized_ = on;
    wlr_xdg_toplevel_set_maximized(toplevel_, on);
    if (mapped_) update_foreign();
}

void View::set_fullscreen(bool on) {
    if (on == fullscreen_) {
        wlr_xdg_surface_schedule_configure(toplevel_->base);
        return;
    }
    const wlr_box current = content_box();
    if (on) {
        if (!maximized_) restore_ = current;
        // Even a granted fullscreen keeps the frame of a VM window: it is always labelled.
        fill_output(vm_ != nullptr);
        wlr_scene_node_raise_to_top(&tree_->node);
        server_.schedule_pointer_focus();
    } else if (maximized_) {
        fullscreen_ = false;
        maximized_ = false;
        set_maximized(true);
    } else {
        set_position(restore_.x, restore_.y);
        request_size(restore_.width, restore_.height);
    }
    fullscreen_ = on;
    wlr_xdg_toplevel_set_fullscreen(toplevel_, on);
    if (mapped_) {
        update_frame();
        update_foreign();
    }
}

void View::handle_commit() {
    if (toplevel_->base->initial_commit) {
        // Let the client pick its size; the decoration mode is sent by the decoration code.
        wlr_xdg_toplevel_set_size(toplevel_, 0, 0);
        // What the frame and keys offer; there is no window menu.
        wlr_xdg_toplevel_set_wm_capabilities(toplevel_, WLR_XDG_TOPLEVEL_WM_CAPABILITIES_MAXIMIZE |
                                                            WLR_XDG_TOPLEVEL_WM_CAPABILITIES_FULLSCREEN |
                                                            WLR_XDG_TOPLEVEL_WM_CAPABILITIES_MINIMIZE);
        return;
    }
    // Most commits are new pixels only: the frame depends on the bounded geometry alone
    // (everything else that changes it calls update_frame() itself).
    if (!mapped_) return;
    const wlr_box geo = visible_geometry();
    if (frame_valid_ && geo.x == applied_geo_.x && geo.y == applied_geo_.y && geo.width == applied_geo_.width &&
        geo.height == applied_geo_.height)
        return;
    update_frame();
}

void View::update_frame() {
    // Keep the client inside its (bounded) window geometry: nothing it commits — a
    // subsurface, a viewport, an oversized buffer — paints over the frame or outside it.
    const wlr_box clip = visible_geometry();
    const wlr_box geo = clip;
    applied_geo_ = clip;
    frame_valid_ = true;
    wlr_scene_subsurface_tree_set_clip(&content_->node, &clip);
    wlr_scene_node_set_position(&content_->node, -geo.x, -geo.y);
    wlr_scene_node_set_position(&popups_->node, -geo.x, -geo.y);
    place_popups(server_, toplevel_->base);
    // The window may have grown or shrunk under a pointer that did not move.
    server_.schedule_pointer_focus();

    const bool framed = !(fullscreen_ && !vm_);
    frame_->set_visible(framed);
    if (!framed) return;
    FrameStyle style;
    style.color = vm_ ? vm_->config.color : server_.config().host_frame;
    style.border = border();
    style.title_height = title_height();
    style.font = server_.config().font;
    style.text = label_text();
    style.focused = focused_;
    // The label is rendered for the sharpest output the window is on; moving onto an
    // output of another scale renders it again (set_position).
    style.scale = server_.scale_for(frame_box());
    label_scale_ = style.scale;
    frame_->update(clip.width, clip.height, style);
}

void View::refresh_style() {
    if (vm_) title_ = policy::sanitize_text(toplevel_->title ? toplevel_->title : "", vm_->config.limits.title_length);
    if (mapped_) update_frame();
}

void View::handle_map() {
    mapped_ = true;
    // A window that asked to start maximized or fullscreen is already where it belongs.
    if (maximized_ || fullscreen_) placed_ = true;
    if (!placed_) {
        placed_ = true;
        const wlr_box geo = visible_geometry();
        const int b = border(), t = title_height();
        std::vector<policy::Box> existing;
        for (auto& view : server_.views) {
            if (view.get() == this || !view->mapped()) continue;
            const wlr_box f = view->frame_box();
            existing.push_back({f.x, f.y, f.width, f.height});
        }
        const wlr_box area = server_.placement_area();
        const policy::Box spot = policy::place_new_window({area.x, area.y, area.width, area.height},
                                                          geo.width + 2 * b, geo.height + 2 * b + t,
                                                          existing);
        set_position(spot.x + b, spot.y + b + t);
    }
    update_frame();
    update_foreign();
    wlr_scene_node_set_enabled(&tree_->node, true);
    wlr_scene_node_raise_to_top(&tree_->node);
    server_.schedule_pointer_focus();

    // Focus policy: a VM window may take focus only from its own VM (or from nothing).
    View* focused = server_.focused_view();
    // A sandboxed host app likewise, from its own client only (not from the host's windows).
    const bool may_focus =
        sandboxed_ ? !focused || wl_resource_get_client(focused->toplevel()->resource) ==
                                     wl_resource_get_client(toplevel_->resource)
                   : !vm_ || !focused || focused->vm() == vm_;
    if (may_focus) {
        server_.focus_view(this);
    } else {
        // Below the focused window: the window with the keys is always on top, its label
        // shown in full.
        wlr_scene_node_place_below(&tree_->node, &focused->scene_tree()->node);
        set_urgent(true);
        wlr_log(WLR_INFO, "window %u of %s opened without focus (focus stays on %s)", id_,
                vm_ ? ("VM " + vm_->name()).c_str() : "a sandboxed host app",
                focused->vm() ? focused->vm()->name().c_str() : "host");
    }
}

void View::update_foreign() {
    const std::string title = label_text();
    const std::string app_id = vm_ ? vm_->name() + "." + app_id_ : app_id_;
    wlr_ext_foreign_toplevel_handle_v1_state state{title.c_str(), app_id.c_str()};
    if (!foreign_) foreign_ = wlr_ext_foreign_toplevel_handle_v1_create(server_.foreign_toplevels, &state);
    else wlr_ext_foreign_toplevel_handle_v1_update_state(foreign_, &state);
    if (!taskbar_ && server_.desktop) taskbar_ = std::make_unique<TaskbarEntry>(server_, *this);
    if (taskbar_) taskbar_->update(title.c_str(), app_id.c_str());
}

void View::handle_unmap() {
    mapped_ = false;
    minimized_ = false; // a window mapped again is shown again
    if (server_.label_tag) server_.label_tag->forget(id_);
    if (foreign_) wlr_ext_foreign_toplevel_handle_v1_destroy(foreign_);
    foreign_ = nullptr;
    taskbar_.reset();
    wlr_scene_node_set_enabled(&tree_->node, false);
    server_.schedule_pointer_focus();
    if (server_.grabbed_view == this) {
        server_.cursor_mode = CursorMode::Passthrough;
        server_.grabbed_view = nullptr;
    }
    if (server_.focused_view() == this) {
        focused_ = false;
        server_.focus_fallback(this);
    }
}

} // namespace spectrum
