// Which window has the keyboard, which is on top, and where things are on screen.
#include <algorithm>

#include "label_tag.hpp"
#include "desktop/desktop.hpp"
#include "server.hpp"
#include "view.hpp"
#include "vm.hpp"

namespace spectrum {

View* Server::focused_view() const { return focused; }

void Server::focus_view(View* view, bool raise) {
    if (!view || !view->mapped()) return;
    // Focusing a minimized window (Alt+Tab, spectrumctl focus, a taskbar) restores it.
    if (view->minimized()) view->set_minimized(false);
    // Keyboard focus is the compositor's: before it moves, every grab another client holds
    // ends (a popup grab would otherwise keep every key going to its client while the frames
    // say this window has them).
    end_grabs_except(wl_resource_get_client(view->surface()->resource));
    if (raise) {
        wlr_scene_node_raise_to_top(&view->scene_tree()->node);
        schedule_pointer_focus(); // what is under the pointer may have changed
    }
    if (focused == view && seat->keyboard_state.focused_surface == view->surface()) return;
    if (focused != view) {
        if (focused) focused->set_focused(false);
        focused = view;
        // Most recently focused first: that order is what focus cycling and fallback use.
        auto it = std::find_if(views.begin(), views.end(), [view](const auto& v) { return v.get() == view; });
        if (it != views.end()) views.splice(views.begin(), views, it);
        view->set_focused(true);
    }
    // Locked, or a launcher has the keyboard: the window gets it when they are gone.
    if (desktop && !desktop->window_may_take_keyboard()) return;
    if (wlr_keyboard* keyboard = wlr_seat_get_keyboard(seat)) {
        wlr_seat_keyboard_notify_enter(seat, view->surface(), keyboard->keycodes, keyboard->num_keycodes,
                                       &keyboard->modifiers);
    } else {
        wlr_seat_keyboard_notify_enter(seat, view->surface(), nullptr, 0, nullptr);
    }
}

void Server::focus_fallback(View* leaving) {
    if (focused == leaving) focused = nullptr;
    for (auto& view : views) {
        if (view.get() != leaving && view->mapped() && !view->minimized()) {
            focus_view(view.get());
            return;
        }
    }
    if (desktop && !desktop->window_may_take_keyboard()) return;
    end_grabs_except(nullptr);
    wlr_seat_keyboard_notify_clear_focus(seat);
}

void Server::cycle_focus(bool forward) {
    std::vector<View*> mapped;
    for (auto& view : views)
        if (view->mapped()) mapped.push_back(view.get());
    if (mapped.empty()) return;
    if (mapped.size() == 1) {
        // The only window, minimized: Alt+Tab brings it back.
        if (mapped[0]->minimized()) focus_view(mapped[0]);
        return;
    }
    // Forward: the least recently focused goes on top (classic Alt+Tab walks the stack).
    View* next = forward ? mapped.back() : mapped[1];
    if (!forward) {
        // Backwards: put the current one at the end so repeated presses walk back.
        focus_view(next);
        auto it = std::find_if(views.begin(), views.end(), [&](const auto& v) { return v.get() == mapped[0]; });
        if (it != views.end()) views.splice(views.end(), views, it);
        return;
    }
    focus_view(next);
}

View* Server::view_by_id(unsigned id) {
    for (auto& view : views)
        if (view->id() == id) return view.get();
    return nullptr;
}

View* Server::view_at(double lx, double ly, wlr_surface** surface, double* sx, double* sy) {
    *surface = nullptr;
    // Panels and launchers above the windows, the lock above all; wallpapers below.
    if (desktop && desktop->surface_at(lx, ly, true, surface, sx, sy)) return nullptr;
    wlr_scene_node* node = wlr_scene_node_at(&view_layer->node, lx, ly, sx, sy);
    if (!node) {
        if (desktop) desktop->surface_at(lx, ly, false, surface, sx, sy);
        return nullptr;
    }
    if (node->type == WLR_SCENE_NODE_BUFFER) {
        wlr_scene_buffer* buffer = wlr_scene_buffer_from_node(node);
        if (wlr_scene_surface* scene_surface = wlr_scene_surface_try_from_buffer(buffer))
            *surface = scene_surface->surface;
    }
    // Walk up to the tree a View put its pointer in.
    for (wlr_scene_tree* tree = node->parent; tree; tree = tree->node.parent)
        if (tree->node.data && tree != view_layer) return static_cast<View*>(tree->node.data);
    return nullptr;
}

void Server::remove_view(View* view) {
    if (grabbed_view == view) {
        grabbed_view = nullptr;
        cursor_mode = CursorMode::Passthrough;
    }
    if (focused == view) focused = nullptr;
    if (Vm* vm = view->vm()) vm->usage.remove_toplevel();
    if (label_tag) label_tag->forget(view->id());
    views.remove_if([view](const auto& v) { return v.get() == view; });
    schedule_pointer_focus();
}

wlr_box Server::output_box_at(double lx, double ly) const {
    wlr_output* output = wlr_output_layout_output_at(output_layout, lx, ly);
    if (!output) {
        double cx = 0, cy = 0;
        wlr_output_layout_closest_point(output_layout, nullptr, lx, ly, &cx, &cy);
        output = wlr_output_layout_output_at(output_layout, cx, cy);
    }
    wlr_box box{};
    if (output) wlr_output_layout_get_box(output_layout, output, &box);
    if (box.width <= 0 || box.height <= 0) box = {0, 0, 1280, 720};
    return box;
}

wlr_box Server::placement_area() const {
    // New windows open on the output under the pointer.
    return usable_box_at(cursor ? cursor->x : 0, cursor ? cursor->y : 0);
}

} // namespace spectrum
