// xdg popups: placed by their positioner, kept on the output, clipped to their geometry and,
// for VM clients, outlined in the VM's colour so a menu cannot pass for another VM's.
//
// Who frees what (wlroots 0.18), and why a Popup never assumes its scene tree outlives it:
// - xdg_toplevel.destroy, or the toplevel's wl_surface going: destroy_xdg_toplevel() emits
//   xdg_toplevel.events.destroy first (the View goes, and wlr_scene_node_destroy() of its
//   tree frees every popup tree nested in it), and only then does reset_xdg_surface()
//   destroy the toplevel's popups, each emitting xdg_popup.events.destroy.
// - A popup's own end (xdg_popup.destroy, its wl_surface going, wlr_xdg_popup_destroy(), a
//   parent's unmap commit): destroy_xdg_popup() emits xdg_popup.events.destroy *before*
//   reset_xdg_surface() destroys its child popups, so a parent Popup goes (with its tree,
//   which holds its children's trees) before the children's destroy signals.
//   wlr_xdg_popup_destroy() itself destroys the children first.
// - The subsurface tree of a popup's surface is wlroots': it goes with its surface, or with
//   the node above it.
// So each Popup listens to its tree's wlr_scene_node.events.destroy: if an ancestor's
// teardown frees the tree, the Popup forgets it (and its outline and content, freed with
// it) and waits, inert, for its xdg_popup's destroy signal; it destroys the tree itself
// only if the tree is still there. It holds no View pointer: it looks the window up through
// the parent chain when it needs it, which finds nothing once the View is gone.
#include <algorithm>
#include <optional>

#include "outline.hpp"
#include "server.hpp"
#include "view.hpp"
#include "vm.hpp"

namespace spectrum {

namespace {

constexpr int popup_border = 2;

// The toplevel window a popup (possibly nested) belongs to, or nullptr once it is gone.
// A popup's parent may be null (xdg_surface.get_popup allows it, for other protocols to
// set one, and an inert parent xdg_surface reads as null): such a chain belongs to no window.
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

void addon_destroyed(wlr_addon*) {} // never called: ~Popup finishes the addon first
const wlr_addon_interface popup_addon_impl = {.name = "spectrum-popup", .destroy = addon_destroyed};

struct Popup;
// How a parent finds its child popups' Popup (to keep them on screen when it moves): an
// addon on the popup's wl_surface, found by owner and interface.
struct PopupAddon {
    wlr_addon addon; // first: a found wlr_addon* is a PopupAddon*
    Popup* self;
};

struct Popup {
    Popup(Server& server, wlr_xdg_popup* popup, wlr_scene_tree* parent_tree)
        : server(server), popup(popup), vm(surface_vm(popup->base->surface)) {
        tree = wlr_scene_tree_create(parent_tree);
        if (vm) outline.emplace(tree, vm->config.color, popup_border);
        content = wlr_scene_subsurface_tree_create(tree, popup->base->surface);
        popup->base->data = tree;
        addon.self = this;
        wlr_addon_init(&addon.addon, &popup->base->surface->addons, &server, &popup_addon_impl);

        tree_destroy.connect(&tree->node.events.destroy, [this](void*) { forget_tree(); });
        commit.connect(&popup->base->surface->events.commit, [this](void*) { handle_commit(); });
        map.connect(&popup->base->surface->events.map,
                    [this](void*) { this->server.schedule_pointer_focus(); });
        unmap.connect(&popup->base->surface->events.unmap,
                      [this](void*) { this->server.schedule_pointer_focus(); });
        reposition.connect(&popup->events.reposition, [this](void*) { unconstrain(); });
        destroy.connect(&popup->events.destroy, [this](void*) { delete this; });
    }
    ~Popup() {
        wlr_addon_finish(&addon.addon);
        if (tree) {
            tree_destroy.disconnect();
            wlr_scene_node_destroy(&tree->node);
        }
        // The xdg_surface may outlive its popup role object; no child may find a freed tree.
        if (popup->base->data == tree) popup->base->data = nullptr;
        server.schedule_pointer_focus();
    }

    static Popup* of(wlr_xdg_popup* popup, Server& server) {
        wlr_addon* found =
            wlr_addon_find(&popup->base->surface->addons, &server, &popup_addon_impl);
        return found ? reinterpret_cast<PopupAddon*>(found)->self : nullptr;
    }

    // An ancestor's teardown freed our tree, and with it the outline and content nodes.
    void forget_tree() {
        tree_destroy.disconnect();
        if (popup->base->data == tree) popup->base->data = nullptr;
        tree = nullptr;
        content = nullptr;
        outline.reset(); // holds only pointers to the freed rectangles
    }

    // Where a VM's popup may be: the output its window is on, less the popup's outline, so
    // that the whole popup and its outline are on screen.
    wlr_box allowed_box(View* view) const {
        const wlr_box content_box = view->content_box();
        const wlr_box out = server.output_box_at(content_box.x + content_box.width / 2.0,
                                                 content_box.y + content_box.height / 2.0);
        const int inset = vm ? popup_border : 0;
        return {out.x + inset, out.y + inset, std::max(out.width - 2 * inset, 1),
                std::max(out.height - 2 * inset, 1)};
    }

    // Asks the client for a place inside the allowed box. Sliding and resizing are always
    // allowed, whatever the positioner says: a popup that may not be adjusted would stay
    // where it asked to be, off the output. (place() enforces it for a client that ignores
    // the configure.)
    void unconstrain() {
        View* view = owning_view(popup);
        if (!view || !tree) return;
        popup->scheduled.rules.constraint_adjustment =
            static_cast<xdg_positioner_constraint_adjustment>(
                popup->scheduled.rules.constraint_adjustment |
                XDG_POSITIONER_CONSTRAINT_ADJUSTMENT_SLIDE_X |
                XDG_POSITIONER_CONSTRAINT_ADJUSTMENT_SLIDE_Y |
                XDG_POSITIONER_CONSTRAINT_ADJUSTMENT_RESIZE_X |
                XDG_POSITIONER_CONSTRAINT_ADJUSTMENT_RESIZE_Y);
        // In the toplevel's surface coordinates: its content box starts at its window
        // geometry's origin.
        const wlr_box allowed = allowed_box(view);
        const wlr_box content_box = view->content_box();
        const wlr_box geo = view->visible_geometry();
        wlr_box box = {allowed.x - content_box.x + geo.x, allowed.y - content_box.y + geo.y,
                       allowed.width, allowed.height};
        wlr_xdg_popup_unconstrain_from_box(popup, &box);
    }

    // Draws the popup where it committed, moved and clipped into the allowed box whatever it
    // committed: no part of it, nor of its outline, is ever off the output. Then its child
    // popups, which move with it.
    void place() {
        View* view = owning_view(popup);
        if (!view || !tree || !tree->node.parent) return;
        double sx = 0, sy = 0;
        wlr_xdg_popup_get_position(popup, &sx, &sy);
        wlr_box geo{};
        wlr_xdg_surface_get_geometry(popup->base, &geo);
        const wlr_box allowed = allowed_box(view);
        const int width = std::clamp(geo.width, 0, allowed.width);
        const int height = std::clamp(geo.height, 0, allowed.height);
        // Where the parent's origin is on screen, and where the popup's geometry would be.
        int px = 0, py = 0;
        wlr_scene_node_coords(&tree->node.parent->node, &px, &py);
        const int want_x = px + static_cast<int>(sx) + geo.x;
        const int want_y = py + static_cast<int>(sy) + geo.y;
        const int x = std::clamp(want_x, allowed.x, allowed.x + allowed.width - width);
        const int y = std::clamp(want_y, allowed.y, allowed.y + allowed.height - height);
        wlr_scene_node_set_position(&tree->node, x - px - geo.x, y - py - geo.y);
        const wlr_box clip = {geo.x, geo.y, width, height};
        wlr_scene_subsurface_tree_set_clip(&content->node, &clip);
        if (outline) outline->surround(clip);

        wlr_xdg_popup* child;
        wl_list_for_each(child, &popup->base->popups, link) {
            if (Popup* p = of(child, server)) p->place();
        }
    }

    void handle_commit() {
        if (popup->base->initial_commit) {
            unconstrain();
            wlr_xdg_surface_schedule_configure(popup->base);
            return;
        }
        place();
        server.schedule_pointer_focus();
    }

    Server& server;
    wlr_xdg_popup* popup;
    Vm* vm;
    wlr_scene_tree* tree = nullptr;    // ours, unless an ancestor's teardown freed it
    wlr_scene_tree* content = nullptr; // wlroots' subsurface tree, inside `tree`
    std::optional<Outline> outline;    // VM popups only; its rectangles are inside `tree`
    PopupAddon addon{};
    Listener<void> tree_destroy, commit, map, unmap, reposition, destroy;
};

} // namespace

void create_popup(Server& server, wlr_xdg_popup* popup) {
    if (!popup->parent) {
        // Nothing sets a parent later here (no layer-shell): it is never configured or drawn.
        const Vm* vm = surface_vm(popup->base->surface);
        wlr_log(WLR_INFO, "an xdg_popup without a parent from %s ignored",
                vm ? vm->name().c_str() : "the host");
        return;
    }
    wlr_xdg_surface* parent = wlr_xdg_surface_try_from_wlr_surface(popup->parent);
    if (!parent || !parent->data || !owning_view(popup))
        return; // no parent we draw: nothing to attach to
    new Popup(server, popup, static_cast<wlr_scene_tree*>(parent->data));
}

void place_popups(Server& server, wlr_xdg_surface* parent) {
    wlr_xdg_popup* popup;
    wl_list_for_each(popup, &parent->popups, link) {
        if (Popup* p = Popup::of(popup, server)) p->place();
    }
}

} // namespace spectrum
