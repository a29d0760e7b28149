#include "frame.hpp"

#include <algorithm>

#include "label_buffer.hpp"

namespace spectrum {

namespace {

constexpr int max_label_width = 4096;

void set_rect(wlr_scene_rect* rect, int x, int y, int w, int h, const float color[4]) {
    wlr_scene_node_set_position(&rect->node, x, y);
    wlr_scene_rect_set_size(rect, std::max(w, 0), std::max(h, 0));
    wlr_scene_rect_set_color(rect, color);
}

} // namespace

Frame::Frame(wlr_scene_tree* parent) {
    tree_ = wlr_scene_tree_create(parent);
    const float none[4] = {0, 0, 0, 0};
    top_ = wlr_scene_rect_create(tree_, 0, 0, none);
    bottom_ = wlr_scene_rect_create(tree_, 0, 0, none);
    left_ = wlr_scene_rect_create(tree_, 0, 0, none);
    right_ = wlr_scene_rect_create(tree_, 0, 0, none);
    title_ = wlr_scene_rect_create(tree_, 0, 0, none);
    label_ = wlr_scene_buffer_create(tree_, nullptr);
}

Frame::~Frame() { wlr_scene_node_destroy(&tree_->node); }

void Frame::update(int width, int height, const FrameStyle& style) {
    const int b = style.border;
    const int t = style.title_height;
    const float color[4] = {style.color.red(), style.color.green(), style.color.blue(), 1.0f};

    // Border all round, title bar between the top border and the content.
    outer_ = {-b, -b - t, width + 2 * b, height + 2 * b + t};
    set_rect(top_, -b, -b - t, width + 2 * b, b, color);
    set_rect(bottom_, -b, height, width + 2 * b, b, color);
    set_rect(left_, -b, -t, b, height + t, color);
    set_rect(right_, width, -t, b, height + t, color);
    title_box_ = {0, -t, width, t};
    set_rect(title_, 0, -t, width, t, color);

    // Re-render the label only when something it shows has changed.
    const bool same = label_valid_ && width == last_width_ && style.text == last_.text &&
                      style.color == last_.color && style.font == last_.font && t == last_.title_height &&
                      style.scale == last_.scale;
    if (!same && t > 0) {
        // The label never needs more than a few thousand pixels; beyond that the title
        // bar rectangle carries on in the same colour (and cairo caps images at 32767).
        wlr_buffer* buffer =
            render_label(style.text, style.font, std::min(width, max_label_width), t, style.color, style.scale);
        wlr_scene_buffer_set_buffer(label_, buffer);
        if (buffer) wlr_buffer_drop(buffer);
        label_valid_ = buffer != nullptr;
    }
    wlr_scene_node_set_position(&label_->node, 0, -t);
    // Shown at its logical size whatever its pixel size.
    wlr_scene_buffer_set_dest_size(label_, std::min(width, max_label_width), t);
    // The opaque label hides the title bar rectangle wherever it reaches: a node fewer to
    // walk every frame, unless the bar is wider than the label (or there is no label).
    wlr_scene_node_set_enabled(&title_->node, !label_valid_ || width > max_label_width);
    last_ = style;
    last_width_ = width;
}

void Frame::set_visible(bool visible) { wlr_scene_node_set_enabled(&tree_->node, visible); }

bool Frame::title_bar_contains(double cx, double cy) const {
    return cx >= title_box_.x && cx < title_box_.x + title_box_.width && cy >= title_box_.y &&
           cy < title_box_.y + title_box_.height;
}

} // namespace spectrum
