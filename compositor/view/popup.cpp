// xdg popups: placed by their positioner, kept on the output, clipped to their geometry and,
// for VM clients, outlined in the VM's colour so a menu cannot pass for another VM's.
#include <algorithm>
#include <optional>

#include "outline.hpp"
#include "server.hpp"
#include "view.hpp"
#include "vm.hpp"

namespace spectrum {

namespace {

constexpr int popup_border = 2;

struct Popup {
    Popup(Server& server, wlr_xdg_popup* popup, wlr_scene_tree* parent_tree, View* view)
        : server(server), popup(popup), view(view), vm(surface_vm(popup->base->surface)) {
        tree = wlr_scene_tree_create(parent_tree);
        if (vm) outline.emplace(tree, vm->config.color, popup_border);
        content = wlr_scene_subsurface_tree_create(tree, popup->base->surface);
        popup->base->data = tree;

        commit.connect(&popup->base->surface->events.commit, [this](void*) { handle_commit(); });
        reposition.connect(&popup->events.reposition, [this](void*) { unconstrain(); });
        destroy.connect(&popup->events.destroy, [this](void*) { delete this; });
    }
    ~Popup() { wlr_scene_node_destroy(&tree->node); }

    // The output the window is on, in the toplevel's surface coordinates (its content box
    // starts at its window geometry's origin), less the border a VM popup gets.
    void unconstrain() {
        const wlr_box content_box = view->content_box();
        const wlr_box geo = view->visible_geometry();
        const wlr_box out = server.output_box_at(content_box.x + content_box.width / 2.0,
                                                 content_box.y + content_box.height / 2.0);
        const int inset = vm ? popup_border : 0;
        wlr_box box = {out.x - content_box.x + geo.x + inset, out.y - content_box.y + geo.y + inset,
                       out.width - 2 * inset, out.height - 2 * inset};
        wlr_xdg_popup_unconstrain_from_box(popup, &box);
    }

    void handle_commit() {
        if (popup->base->initial_commit) {
            unconstrain();
            wlr_xdg_surface_schedule_configure(popup->base);
            return;
        }
        double sx = 0, sy = 0;
        wlr_xdg_popup_get_position(popup, &sx, &sy);
        wlr_scene_node_set_position(&tree->node, static_cast<int>(sx), static_cast<int>(sy));

        wlr_box geo{};
        wlr_xdg_surface_get_geometry(popup->base, &geo);
        // A popup is never larger than the output it is kept on.
        const wlr_box content_box = view->content_box();
        const wlr_box out = server.output_box_at(content_box.x + content_box.width / 2.0,
                                                 content_box.y + content_box.height / 2.0);
        geo.width = std::min(geo.width, out.width);
        geo.height = std::min(geo.height, out.height);
        wlr_scene_subsurface_tree_set_clip(&content->node, &geo);
        if (outline) outline->surround(geo);
    }

    Server& server;
    wlr_xdg_popup* popup;
    View* view;
    Vm* vm;
    wlr_scene_tree* tree = nullptr;
    wlr_scene_tree* content = nullptr;
    std::optional<Outline> outline; // VM popups only
    Listener<void> commit, reposition, destroy;
};

// The toplevel window a popup (possibly nested) belongs to.
// A popup's parent may be null (xdg_surface.get_popup allows it, for other protocols to
// set one): such a chain belongs to no window.
View* owning_view(wlr_xdg_popup* popup) {
    if (!popup->parent) return nullptr;
    wlr_xdg_surface* xdg = wlr_xdg_surface_try_from_wlr_surface(popup->parent);
    while (xdg && xdg->role == WLR_XDG_SURFACE_ROLE_POPUP && xdg->popup) {
        if (!xdg->popup->parent) return nullptr;
        xdg = wlr_xdg_surface_try_from_wlr_surface(xdg->popup->parent);
    }
    if (!xdg || xdg->role != WLR_XDG_SURFACE_ROLE_TOPLEVEL || !xdg->data) return nullptr;
    return static_cast<View*>(static_cast<wlr_scene_tree*>(xdg->data)->node.data);
}

} // namespace

void create_popup(Server& server, wlr_xdg_popup* popup) {
    if (!popup->parent) {
        // Nothing sets a parent later here (no layer-shell): it is never configured or drawn.
        const Vm* vm = surface_vm(popup->base->surface);
        wlr_log(WLR_INFO, "an xdg_popup without a parent from %s ignored", vm ? vm->name().c_str() : "the host");
        return;
    }
    wlr_xdg_surface* parent = wlr_xdg_surface_try_from_wlr_surface(popup->parent);
    View* view = owning_view(popup);
    if (!parent || !parent->data || !view) return; // no parent we draw: nothing to attach to
    new Popup(server, popup, static_cast<wlr_scene_tree*>(parent->data), view);
}

} // namespace spectrum
