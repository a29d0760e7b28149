#include "drag_icon.hpp"

#include <algorithm>

#include "server.hpp"
#include "vm.hpp"

namespace spectrum {

DragIcon::DragIcon(Server& server, wlr_drag_icon* icon)
    : server_(server), icon_(icon), vm_(surface_vm(icon->surface)) {
    tree_ = wlr_scene_tree_create(server.drag_layer); // never over a notice
    if (vm_) outline_.emplace(tree_, vm_->config.color, border);
    content_ = wlr_scene_subsurface_tree_create(tree_, icon->surface);
    commit_.connect(&icon->surface->events.commit, [this](void*) { handle_commit(); });
    destroy_.connect(&icon->events.destroy, [this](void*) {
        if (server_.drag_icon.get() == this) server_.drag_icon.reset(); // deletes this
    });
    handle_commit();
    move_to(server.cursor->x, server.cursor->y);
}

DragIcon::~DragIcon() { wlr_scene_node_destroy(&tree_->node); }

void DragIcon::move_to(double x, double y) {
    wlr_scene_node_set_position(&tree_->node, static_cast<int>(x) + dx_, static_cast<int>(y) + dy_);
}

void DragIcon::handle_commit() {
    const wlr_surface_state& now = icon_->surface->current;
    dx_ += now.dx;
    dy_ += now.dy;
    move_to(server_.cursor->x, server_.cursor->y);
    if (!vm_) return;
    // Subsurfaces included: nothing of the icon is drawn outside this box.
    const wlr_box box = {0, 0, std::min(now.width, max_vm_icon), std::min(now.height, max_vm_icon)};
    wlr_scene_subsurface_tree_set_clip(&content_->node, &box);
    outline_->surround(box);
}

} // namespace spectrum
