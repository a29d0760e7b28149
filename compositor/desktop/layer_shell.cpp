// zwlr_layer_shell_v1 for host clients: panels, launchers, notification daemons, wallpapers.
// Each layer surface is placed on its output by wlroots' scene helper, in the scene tree of
// its layer; exclusive zones shrink the area windows are placed and maximized in. A layer
// surface gets no frame: only host clients can make one.
#include "desktop.hpp"

#include "output.hpp"
#include "server.hpp"
#include "view.hpp"

namespace spectrum {

namespace {

void keyboard_enter(wlr_seat* seat, wlr_surface* surface) {
    if (seat->keyboard_state.focused_surface == surface) return;
    if (wlr_keyboard* keyboard = wlr_seat_get_keyboard(seat))
        wlr_seat_keyboard_notify_enter(seat, surface, keyboard->keycodes, keyboard->num_keycodes,
                                       &keyboard->modifiers);
    else
        wlr_seat_keyboard_notify_enter(seat, surface, nullptr, 0, nullptr);
}

bool interactive_on_top(const wlr_layer_surface_v1* surface) {
    return surface->current.keyboard_interactive != ZWLR_LAYER_SURFACE_V1_KEYBOARD_INTERACTIVITY_NONE &&
           surface->current.layer >= ZWLR_LAYER_SHELL_V1_LAYER_TOP;
}

// A popup of a layer surface (a panel's menu or tooltip): drawn above its parent, kept on
// the parent's output. It lives as long as its xdg_surface.
struct LayerPopup {
    wlr_xdg_popup* popup;
    wlr_scene_tree* parent_tree;
    wlr_output_layout* layout;
    wlr_output* output;
    Listener<void> commit, destroy;

    void unconstrain() {
        wlr_box box{};
        wlr_output_layout_get_box(layout, output, &box);
        int lx = 0, ly = 0;
        wlr_scene_node_coords(&parent_tree->node, &lx, &ly);
        const wlr_box constraint{box.x - lx, box.y - ly, box.width, box.height};
        wlr_xdg_popup_unconstrain_from_box(popup, &constraint); // and configures it
    }
};

void attach_layer_popup(wlr_xdg_popup* popup, wlr_scene_tree* parent_tree, wlr_output_layout* layout,
                        wlr_output* output) {
    wlr_scene_tree* tree = wlr_scene_xdg_surface_create(parent_tree, popup->base);
    if (!tree) return;
    auto* p = new LayerPopup{popup, parent_tree, layout, output, {}, {}};
    p->commit.connect(&popup->base->surface->events.commit, [p](void*) {
        if (p->popup->base->initial_commit) p->unconstrain();
    });
    p->destroy.connect(&popup->base->events.destroy, [p](void*) { delete p; });
}

} // namespace

wlr_scene_tree* Desktop::layer_tree(uint32_t layer) const { return layers_[std::min<uint32_t>(layer, 3)]; }

void Desktop::setup_layer_shell() {
    for (auto*& tree : layers_) tree = wlr_scene_tree_create(&server_.scene->tree);
    wlr_scene_node_place_above(&layers_[0]->node, &server_.background_layer->node);
    wlr_scene_node_place_above(&layers_[1]->node, &layers_[0]->node);
    wlr_scene_node_place_above(&layers_[2]->node, &server_.view_layer->node);
    wlr_scene_node_place_below(&layers_[3]->node, &server_.overlay_layer->node);

    layer_shell_ = wlr_layer_shell_v1_create(server_.display, 4);
    new_layer_surface_.connect(&layer_shell_->events.new_surface,
                               [this](wlr_layer_surface_v1* s) { new_layer_surface(s); });
    layout_change_.connect(&server_.output_layout->events.change, [this](void*) { arrange(); });
}

void Desktop::new_layer_surface(wlr_layer_surface_v1* surface) {
    if (!surface->output) {
        // The client left it to us: the output under the pointer, else the first one.
        surface->output = wlr_output_layout_output_at(server_.output_layout, server_.cursor->x, server_.cursor->y);
        if (!surface->output && !server_.outputs.empty()) surface->output = server_.outputs.front()->output;
    }
    if (!surface->output) {
        wlr_log(WLR_INFO, "layer surface \"%s\" closed: there is no output to put it on",
                surface->namespace_ ? surface->namespace_ : "");
        wlr_layer_surface_v1_destroy(surface);
        return;
    }
    std::unique_ptr<LayerSurface> owned(new LayerSurface{*this, surface});
    LayerSurface* ls = owned.get();
    layer_surfaces_.push_back(std::move(owned));
    ls->scene = wlr_scene_layer_surface_v1_create(layer_tree(surface->pending.layer), surface);

    ls->commit.connect(&surface->surface->events.commit, [this, ls](void*) {
        wlr_layer_surface_v1* s = ls->surface;
        if (!s->initialized) return;
        if (s->current.committed & WLR_LAYER_SURFACE_V1_STATE_LAYER)
            wlr_scene_node_reparent(&ls->scene->tree->node, layer_tree(s->current.layer));
        if (s->initial_commit || s->current.committed) arrange();
        // Asking for the keyboard (or giving it up) on a mapped surface takes effect now.
        if (s->surface->mapped && (s->current.committed & WLR_LAYER_SURFACE_V1_STATE_KEYBOARD_INTERACTIVITY)) {
            if (interactive_on_top(s)) {
                keyboard_layer_ = ls;
                restore_keyboard();
            } else if (keyboard_layer_ == ls) {
                keyboard_layer_ = nullptr;
                restore_keyboard();
            }
        }
    });
    ls->map.connect(&surface->surface->events.map, [this, ls](void*) {
        wlr_log(WLR_INFO, "layer surface \"%s\" mapped on %s (layer %d, keyboard %d)",
                ls->surface->namespace_ ? ls->surface->namespace_ : "", ls->surface->output->name,
                static_cast<int>(ls->surface->current.layer),
                static_cast<int>(ls->surface->current.keyboard_interactive));
        arrange();
        // A launcher on top takes the keyboard as it appears (sway and labwc do the same).
        if (interactive_on_top(ls->surface)) {
            keyboard_layer_ = ls;
            restore_keyboard();
        }
        server_.schedule_pointer_focus();
    });
    ls->unmap.connect(&surface->surface->events.unmap, [this, ls](void*) {
        if (keyboard_layer_ == ls) {
            keyboard_layer_ = nullptr;
            restore_keyboard();
        }
        arrange();
        server_.schedule_pointer_focus();
    });
    ls->new_popup.connect(&surface->events.new_popup, [this, ls](wlr_xdg_popup* popup) {
        attach_layer_popup(popup, ls->scene->tree, server_.output_layout, ls->surface->output);
    });
    ls->output_destroy.connect(&surface->output->events.destroy,
                               [ls](void*) { wlr_layer_surface_v1_destroy(ls->surface); });
    ls->destroy.connect(&surface->events.destroy, [this, ls](void*) {
        if (keyboard_layer_ == ls) {
            keyboard_layer_ = nullptr;
            restore_keyboard();
        }
        // The scene helper removes its own tree with the surface.
        layer_surfaces_.remove_if([ls](const auto& l) { return l.get() == ls; });
        arrange();
        server_.schedule_pointer_focus();
    });
}

void Desktop::arrange() {
    const auto before = std::move(usable_);
    usable_.clear();
    for (const auto& o : server_.outputs) {
        wlr_output* output = o->output;
        wlr_box full{};
        wlr_output_layout_get_box(server_.output_layout, output, &full);
        if (wlr_box_empty(&full)) continue;
        wlr_box usable = full;
        // Top layers first: an overlay panel's zone moves the panels below it.
        for (int layer = 3; layer >= 0; --layer) {
            for (const auto& ls : layer_surfaces_) {
                wlr_layer_surface_v1* s = ls->surface;
                if (s->output != output || !s->initialized || static_cast<int>(s->current.layer) != layer) continue;
                wlr_scene_layer_surface_v1_configure(ls->scene, &full, &usable);
            }
        }
        usable_[output] = usable;
    }
    place_lock_surfaces();
    // Maximized windows follow the panels of their output.
    for (const auto& [output, usable] : usable_) {
        const auto old = before.find(output);
        if (old != before.end() && wlr_box_equal(&old->second, &usable)) continue;
        for (const auto& view : server_.views) {
            if (!view->mapped() || !view->maximized()) continue;
            const wlr_box box = view->content_box();
            if (wlr_output_layout_output_at(server_.output_layout, box.x + box.width / 2.0,
                                            box.y + box.height / 2.0) == output)
                view->refit_maximized();
        }
    }
}

wlr_box Desktop::usable_box(wlr_output* output, wlr_box full) const {
    const auto it = usable_.find(output);
    if (it == usable_.end()) return full;
    wlr_box usable{};
    // A zone is never allowed to leave windows nowhere to go.
    if (!wlr_box_intersection(&usable, &it->second, &full) || usable.width < 64 || usable.height < 64) return full;
    return usable;
}

bool Desktop::surface_at(double lx, double ly, bool above, wlr_surface** surface, double* sx, double* sy) {
    *surface = nullptr;
    auto find_in = [&](wlr_scene_tree* tree) {
        wlr_scene_node* node = wlr_scene_node_at(&tree->node, lx, ly, sx, sy);
        if (!node || node->type != WLR_SCENE_NODE_BUFFER) return node != nullptr;
        if (wlr_scene_surface* s = wlr_scene_surface_try_from_buffer(wlr_scene_buffer_from_node(node)))
            *surface = s->surface;
        return true;
    };
    if (locked_) {
        // Only the lock's surfaces take input; the rest of the screen is nobody's.
        if (above) find_in(lock_tree_);
        return true;
    }
    if (above) return find_in(layers_[3]) || find_in(layers_[2]);
    return find_in(layers_[1]) || find_in(layers_[0]);
}

void Desktop::clicked(wlr_surface* surface) {
    if (locked_ || !surface) return;
    wlr_layer_surface_v1* layer = wlr_layer_surface_v1_try_from_wlr_surface(wlr_surface_get_root_surface(surface));
    if (!layer || layer->current.keyboard_interactive == ZWLR_LAYER_SURFACE_V1_KEYBOARD_INTERACTIVITY_NONE) return;
    for (const auto& ls : layer_surfaces_) {
        if (ls->surface == layer) {
            keyboard_layer_ = ls.get();
            restore_keyboard();
            return;
        }
    }
}

bool Desktop::window_may_take_keyboard() {
    if (locked_) return false;
    if (keyboard_layer_ && keyboard_layer_->surface->current.keyboard_interactive ==
                               ZWLR_LAYER_SURFACE_V1_KEYBOARD_INTERACTIVITY_EXCLUSIVE)
        return false;
    keyboard_layer_ = nullptr; // an on-demand surface gives the keyboard up to a window
    return true;
}

void Desktop::restore_keyboard() {
    wlr_seat* seat = server_.seat;
    if (locked_) {
        focus_lock_surface();
        return;
    }
    if (keyboard_layer_) {
        server_.end_grabs_except(wl_resource_get_client(keyboard_layer_->surface->resource));
        keyboard_enter(seat, keyboard_layer_->surface->surface);
        return;
    }
    if (View* view = server_.focused_view(); view && view->mapped()) {
        keyboard_enter(seat, view->surface());
        return;
    }
    wlr_seat_keyboard_notify_clear_focus(seat);
}

void Desktop::keyboard_to(wlr_surface* surface) { keyboard_enter(server_.seat, surface); }

wlr_box Server::usable_box_at(double lx, double ly) const {
    const wlr_box full = output_box_at(lx, ly);
    wlr_output* output =
        wlr_output_layout_output_at(output_layout, full.x + full.width / 2.0, full.y + full.height / 2.0);
    return desktop && output ? desktop->usable_box(output, full) : full;
}

} // namespace spectrum
