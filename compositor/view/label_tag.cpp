#include "label_tag.hpp"

#include <algorithm>

#include "label_buffer.hpp"
#include "server.hpp"
#include "view.hpp"
#include "vm.hpp"

namespace spectrum {

namespace {

constexpr int outline = 2;
constexpr int offset_x = 14, offset_y = 18; // below and right of the pointer's hotspot
constexpr int padding = 6;                  // render_label's own, on each side

} // namespace

bool title_bar_covered(Server& server, View& view) {
    const wlr_box frame = view.frame_box();
    const wlr_box content = view.content_box();
    const wlr_box bar = {frame.x, frame.y, frame.width, content.y - frame.y};
    // Children are in stacking order, bottom first: what comes after the window is above it.
    bool above = false;
    wlr_scene_node* node;
    wl_list_for_each(node, &server.view_layer->children, link) {
        if (node == &view.scene_tree()->node) {
            above = true;
            continue;
        }
        if (!above || !node->enabled || !node->data) continue;
        const wlr_box other = static_cast<View*>(node->data)->frame_box();
        wlr_box common{};
        if (wlr_box_intersection(&common, &bar, &other)) return true;
    }
    return false;
}

LabelTag::LabelTag(Server& server) : server_(server) {
    tree_ = wlr_scene_tree_create(server.overlay_layer);
    const float dark[4] = {0.12f, 0.12f, 0.14f, 1.0f};
    outline_ = wlr_scene_rect_create(tree_, 0, 0, dark);
    label_ = wlr_scene_buffer_create(tree_, nullptr);
    wlr_scene_node_set_position(&label_->node, outline, outline);
    wlr_scene_node_set_enabled(&tree_->node, false);
    tree_destroy_.connect(&tree_->node.events.destroy, [this](void*) {
        tree_destroy_.disconnect();
        tree_ = nullptr;
    });
}

LabelTag::~LabelTag() {
    if (!tree_) return;
    tree_destroy_.disconnect();
    wlr_scene_node_destroy(&tree_->node);
}

void LabelTag::hover(View& view, double lx, double ly) {
    if (!tree_) return;
    if (server_.focused_view() == &view || !title_bar_covered(server_, view)) {
        hide();
        return;
    }
    const config::Config& config = server_.config();
    const std::string text = view.label_text();
    const wlr_box area = server_.output_box_at(lx, ly);
    const float scale = server_.scale_for(area);
    if (view.id() != view_id_ || text != text_ || scale != scale_) {
        const int height = std::max(config.title_height, 8);
        const int text_w = measure_label_text(text, config.font).first;
        const int width = std::clamp(text_w + 2 * padding, 16, std::max(area.width - 2 * outline - 8, 16));
        const config::Color color = view.vm() ? view.vm()->config.color : config.host_frame;
        wlr_buffer* buffer = render_label(text, config.font, width, height, color, scale);
        wlr_scene_buffer_set_buffer(label_, buffer);
        if (buffer) wlr_buffer_drop(buffer);
        wlr_scene_buffer_set_dest_size(label_, width, height);
        wlr_scene_rect_set_size(outline_, width + 2 * outline, height + 2 * outline);
        view_id_ = view.id();
        text_ = text;
        scale_ = scale;
        width_ = width + 2 * outline;
        height_ = height + 2 * outline;
    }
    // Beside the pointer, kept on its output.
    int x = static_cast<int>(lx) + offset_x, y = static_cast<int>(ly) + offset_y;
    x = std::clamp(x, area.x, std::max(area.x, area.x + area.width - width_));
    if (y + height_ > area.y + area.height) y = static_cast<int>(ly) - offset_y - height_;
    y = std::max(y, area.y);
    // Not raised: the compositor's notices and prompts (same layer, raised when shown) stay above.
    wlr_scene_node_set_position(&tree_->node, x, y);
    wlr_scene_node_set_enabled(&tree_->node, true);
}

void LabelTag::hide() {
    view_id_ = 0;
    text_.clear();
    if (tree_) wlr_scene_node_set_enabled(&tree_->node, false);
}

void LabelTag::forget(unsigned view_id) {
    if (view_id == view_id_) hide();
}

} // namespace spectrum
