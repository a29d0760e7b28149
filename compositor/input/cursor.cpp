// The pointer: motion and buttons to the client under it, click to focus and raise,
// Super+left-drag to move, Super+right-drag to resize, title-bar drag to move.
#include <linux/input-event-codes.h>

#include <algorithm>
#include <cmath>
#include <ctime>

#include "desktop_protocols.hpp"
#include "desktop/desktop.hpp"
#include "drag_icon.hpp"
#include "label_tag.hpp"
#include "server.hpp"
#include "view.hpp"
#include "vm.hpp"

namespace spectrum {

void Server::setup_cursor() {
    cursor = wlr_cursor_create();
    wlr_cursor_attach_output_layout(cursor, output_layout);
    const char* theme = config_.cursor_theme.empty() ? nullptr : config_.cursor_theme.c_str();
    cursor_manager = wlr_xcursor_manager_create(theme, static_cast<uint32_t>(config_.cursor_size));
    cursor_shape = wlr_cursor_shape_manager_v1_create(display, 1);

    cursor_motion_.connect(&cursor->events.motion, [this](wlr_pointer_motion_event* e) {
        note_input_activity();
        wlr_cursor_move(cursor, &e->pointer->base, e->delta_x, e->delta_y);
        process_cursor_motion(e->time_msec);
    });
    cursor_motion_abs_.connect(&cursor->events.motion_absolute, [this](wlr_pointer_motion_absolute_event* e) {
        note_input_activity();
        wlr_cursor_warp_absolute(cursor, &e->pointer->base, e->x, e->y);
        process_cursor_motion(e->time_msec);
    });
    cursor_button_.connect(&cursor->events.button, [this](wlr_pointer_button_event* e) {
        note_input_activity();
        if (e->state == WL_POINTER_BUTTON_STATE_RELEASED) {
            if (cursor_mode != CursorMode::Passthrough) {
                // The release that ends a compositor grab belongs to the compositor.
                cursor_mode = CursorMode::Passthrough;
                grabbed_view = nullptr;
                schedule_pointer_focus(); // the client under the pointer gets it back
                return;
            }
            wlr_seat_pointer_notify_button(seat, e->time_msec, e->button, e->state);
            return;
        }
        wlr_surface* surface = nullptr;
        double sx = 0, sy = 0;
        View* view = view_at(cursor->x, cursor->y, &surface, &sx, &sy);
        if (view) focus_view(view);
        else if (desktop) desktop->clicked(surface); // a launcher or panel asking for keys
        // The press goes to what is on screen under the pointer now, whatever moved under
        // it since the last motion (a raise just now, another client's commit, a restack).
        update_pointer_focus(e->time_msec);
        // Super+drag: the compositor's, never the client's.
        wlr_keyboard* keyboard = wlr_seat_get_keyboard(seat);
        const bool super = keyboard && (wlr_keyboard_get_modifiers(keyboard) & WLR_MODIFIER_LOGO);
        if (view && super && (e->button == BTN_LEFT || e->button == BTN_RIGHT)) {
            begin_interactive(view, e->button == BTN_LEFT ? CursorMode::Move : CursorMode::Resize,
                              WLR_EDGE_BOTTOM | WLR_EDGE_RIGHT);
            return;
        }
        if (view && !surface && e->button == BTN_LEFT) {
            // The frame's border resizes; its title bar moves, and a double click on it
            // maximizes or restores.
            if (const uint32_t edges = view->frame_edges_at(cursor->x, cursor->y)) {
                begin_interactive(view, CursorMode::Resize, edges);
                return;
            }
            if (view->title_bar_at(cursor->x, cursor->y)) {
                // Two presses close in time and place (not the end of one drag and the
                // start of the next).
                constexpr uint32_t double_click_msec = 400;
                constexpr double double_click_slop = 4;
                if (title_click_view == view->id() && e->time_msec - title_click_msec <= double_click_msec &&
                    std::abs(cursor->x - title_click_x) <= double_click_slop &&
                    std::abs(cursor->y - title_click_y) <= double_click_slop) {
                    title_click_view = 0;
                    view->toggle_maximize();
                    schedule_pointer_focus();
                    return;
                }
                title_click_view = view->id();
                title_click_msec = e->time_msec;
                title_click_x = cursor->x;
                title_click_y = cursor->y;
                begin_interactive(view, CursorMode::Move, 0);
                return;
            }
        }
        wlr_seat_pointer_notify_button(seat, e->time_msec, e->button, e->state);
    });
    cursor_axis_.connect(&cursor->events.axis, [this](wlr_pointer_axis_event* e) {
        note_input_activity();
        update_pointer_focus(e->time_msec);
        wlr_seat_pointer_notify_axis(seat, e->time_msec, e->orientation, e->delta, e->delta_discrete,
                                     e->source, e->relative_direction);
    });
    cursor_frame_.connect(&cursor->events.frame, [this](void*) { wlr_seat_pointer_notify_frame(seat); });

    request_cursor_.connect(&seat->events.request_set_cursor, [this](wlr_seat_pointer_request_set_cursor_event* e) {
        // Only the client under the pointer may set its image. A VM may hide the cursor or
        // pick a shape (cursor-shape-v1), but not draw one: a cursor surface is drawn above
        // every window and frame, so a VM's could cover the whole screen.
        if (e->seat_client != seat->pointer_state.focused_client) return;
        // Nor may a sandboxed host app (security context).
        const bool untrusted = client_info(e->seat_client->client) ||
                               (desktop_protocols && desktop_protocols->sandboxed(e->seat_client->client));
        if (untrusted && e->surface)
            wlr_cursor_set_xcursor(cursor, cursor_manager, "default");
        else
            wlr_cursor_set_surface(cursor, e->surface, e->hotspot_x, e->hotspot_y);
    });
    request_shape_.connect(&cursor_shape->events.request_set_shape,
                           [this](wlr_cursor_shape_manager_v1_request_set_shape_event* e) {
                               if (e->seat_client == seat->pointer_state.focused_client)
                                   wlr_cursor_set_xcursor(cursor, cursor_manager,
                                                          wlr_cursor_shape_v1_name(e->shape));
                           });
}

void Server::begin_interactive(View* view, CursorMode mode, uint32_t edges) {
    // A grab is the compositor's: the client loses pointer focus until it ends.
    wlr_seat_pointer_notify_clear_focus(seat);
    grabbed_view = view;
    cursor_mode = mode;
    const wlr_box box = view->content_box();
    grab_box = box;
    grab_x = cursor->x;
    grab_y = cursor->y;
    resize_edges = edges ? edges : (WLR_EDGE_BOTTOM | WLR_EDGE_RIGHT);
    if (label_tag) label_tag->hide();
    if (mode == CursorMode::Resize)
        wlr_cursor_set_xcursor(cursor, cursor_manager, wlr_xcursor_get_resize_name(static_cast<wlr_edges>(resize_edges)));
}

void Server::update_pointer_focus(uint32_t time_msec) {
    // A compositor move/resize holds the pointer; a seat grab (popup, drag) is told through
    // the same notify calls and keeps its own rules.
    if (cursor_mode != CursorMode::Passthrough || !cursor) return;
    wlr_surface* surface = nullptr;
    double sx = 0, sy = 0;
    view_at(cursor->x, cursor->y, &surface, &sx, &sy);
    if (!surface) {
        // Off every client now: the image the last one set goes with its focus (a pointer
        // that never entered anything keeps having no image).
        if (seat->pointer_state.focused_surface) {
            wlr_cursor_set_xcursor(cursor, cursor_manager, "default");
            wlr_seat_pointer_notify_clear_focus(seat);
        }
        return;
    }
    const bool entering = seat->pointer_state.focused_surface != surface;
    const double old_sx = seat->pointer_state.sx, old_sy = seat->pointer_state.sy;
    wlr_seat_pointer_notify_enter(seat, surface, sx, sy); // with its own frame
    const bool moved = old_sx != sx || old_sy != sy;
    if (!entering && seat->pointer_state.focused_surface == surface && moved) {
        // The same surface moved under the pointer: it learns where the pointer now is.
        wlr_seat_pointer_notify_motion(seat, time_msec, sx, sy);
        wlr_seat_pointer_notify_frame(seat);
    }
}

void Server::schedule_pointer_focus() {
    if (pointer_focus_idle_ || stopping_ || !loop) return;
    pointer_focus_idle_ = wl_event_loop_add_idle(
        loop,
        [](void* data) {
            auto* server = static_cast<Server*>(data);
            server->pointer_focus_idle_ = nullptr;
            timespec now{};
            clock_gettime(CLOCK_MONOTONIC, &now);
            const auto ms = now.tv_sec * 1000 + now.tv_nsec / 1000000;
            server->update_pointer_focus(static_cast<uint32_t>(ms));
        },
        this);
}

void Server::process_cursor_motion(uint32_t time_msec) {
    if (drag_icon) drag_icon->move_to(cursor->x, cursor->y);
    if (cursor_mode == CursorMode::Move && grabbed_view) {
        grabbed_view->set_position(grab_box.x + static_cast<int>(cursor->x - grab_x),
                                   grab_box.y + static_cast<int>(cursor->y - grab_y));
        return;
    }
    if (cursor_mode == CursorMode::Resize && grabbed_view) {
        const int dx = static_cast<int>(cursor->x - grab_x);
        const int dy = static_cast<int>(cursor->y - grab_y);
        int w = grab_box.width, h = grab_box.height;
        if (resize_edges & WLR_EDGE_RIGHT) w += dx;
        if (resize_edges & WLR_EDGE_BOTTOM) h += dy;
        if (resize_edges & WLR_EDGE_LEFT) w -= dx;
        if (resize_edges & WLR_EDGE_TOP) h -= dy;
        // Never below what the client says it needs (nor below a usable title bar); the
        // edge opposite the one dragged stays put.
        const auto [min_w, min_h] = grabbed_view->min_size();
        w = std::max({w, min_w, 32});
        h = std::max({h, min_h, 16});
        const int max_w = grabbed_view->toplevel()->current.max_width;
        const int max_h = grabbed_view->toplevel()->current.max_height;
        if (max_w > 0) w = std::min(w, std::max(max_w, min_w));
        if (max_h > 0) h = std::min(h, std::max(max_h, min_h));
        const int x = (resize_edges & WLR_EDGE_LEFT) ? grab_box.x + grab_box.width - w : grab_box.x;
        const int y = (resize_edges & WLR_EDGE_TOP) ? grab_box.y + grab_box.height - h : grab_box.y;
        grabbed_view->set_position(x, y);
        grabbed_view->request_size(w, h);
        return;
    }
    wlr_surface* surface = nullptr;
    double sx = 0, sy = 0;
    View* view = view_at(cursor->x, cursor->y, &surface, &sx, &sy);
    if (label_tag) {
        // On a frame (not the content) of a window whose title bar is covered: its label.
        if (view && !surface) label_tag->hover(*view, cursor->x, cursor->y);
        else label_tag->hide();
    }
    if (!surface) {
        // Over a frame's border: the shape says which way it resizes.
        const uint32_t edges = view ? view->frame_edges_at(cursor->x, cursor->y) : 0;
        wlr_cursor_set_xcursor(cursor, cursor_manager,
                               edges ? wlr_xcursor_get_resize_name(static_cast<wlr_edges>(edges)) : "default");
    }
    if (surface) {
        // During a drag, the drag follows pointer focus; the drag code refuses other VMs.
        wlr_seat_pointer_notify_enter(seat, surface, sx, sy);
        wlr_seat_pointer_notify_motion(seat, time_msec, sx, sy);
    } else {
        wlr_seat_pointer_notify_clear_focus(seat);
    }
}

} // namespace spectrum
