#include "notice.hpp"

#include <algorithm>

#include "label_buffer.hpp"
#include "server.hpp"
#include "view.hpp"

namespace spectrum {

namespace {

constexpr int border_width = 3;
constexpr int padding_x = 12, padding_y = 8;
constexpr int label_inset = 6; // render_label's own left padding, added back on the right

void set_color(wlr_scene_rect* rect, config::Color color) {
    const float rgba[4] = {color.red(), color.green(), color.blue(), 1.0f};
    wlr_scene_rect_set_color(rect, rgba);
}

} // namespace

NoticeOverlay::NoticeOverlay(Server& server, int top) : server_(server), top_(top) {
    tree_ = wlr_scene_tree_create(server.overlay_layer);
    const float none[4] = {0, 0, 0, 0};
    border_ = wlr_scene_rect_create(tree_, 0, 0, none);
    fill_ = wlr_scene_rect_create(tree_, 0, 0, none);
    label_ = wlr_scene_buffer_create(tree_, nullptr);
    wlr_scene_node_set_enabled(&tree_->node, false);
    // The scene goes before the display when the compositor shuts down.
    tree_destroy_.connect(&tree_->node.events.destroy, [this](void*) {
        tree_destroy_.disconnect();
        tree_ = nullptr;
    });
    timer_ = wl_event_loop_add_timer(server.loop, &NoticeOverlay::handle_timeout, this);
    display_destroy_.self = this;
    display_destroy_.listener.notify = [](wl_listener* listener, void*) {
        reinterpret_cast<Hook*>(listener)->self->teardown();
    };
    wl_display_add_destroy_listener(server.display, &display_destroy_.listener);
}

NoticeOverlay::~NoticeOverlay() { teardown(); }

void NoticeOverlay::teardown() {
    if (!display_destroy_.self) return;
    display_destroy_.self = nullptr;
    wl_list_remove(&display_destroy_.listener.link);
    if (timer_) wl_event_source_remove(timer_);
    timer_ = nullptr;
    if (tree_) {
        tree_destroy_.disconnect();
        wlr_scene_node_destroy(&tree_->node);
        tree_ = nullptr;
    }
}

void NoticeOverlay::show(std::string text, Style style, config::Color accent, uint32_t ms) {
    if (!tree_) return;
    text_ = std::move(text);
    const std::string& font = server_.config().font;
    const auto [text_w, text_h] = measure_label_text(text_, font);

    // On the output the user is looking at: the focused window's, else the pointer's.
    wlr_box area = server_.placement_area();
    if (View* view = server_.focused_view()) {
        const wlr_box frame = view->frame_box();
        area = server_.output_box_at(frame.x + frame.width / 2.0, frame.y + frame.height / 2.0);
    }
    const int max_label_w = std::max(area.width - 2 * (border_width + padding_x) - 40, 64);
    const int label_w = std::min(text_w + 2 * label_inset, max_label_w);
    const int label_h = text_h + 2;
    const int width = label_w + 2 * (border_width + padding_x);
    const int height = label_h + 2 * (border_width + padding_y);
    box_ = {area.x + (area.width - width) / 2, area.y + top_, width, height};

    wlr_scene_node_set_position(&tree_->node, box_.x, box_.y);
    set_color(border_, style == Style::Error ? error_accent : accent);
    wlr_scene_rect_set_size(border_, width, height);
    set_color(fill_, background);
    wlr_scene_node_set_position(&fill_->node, border_width, border_width);
    wlr_scene_rect_set_size(fill_, width - 2 * border_width, height - 2 * border_width);
    // At the scale of the output it is on: sharp text on a HiDPI output.
    wlr_buffer* buffer = render_label(text_, font, label_w, label_h, background, server_.scale_for(box_));
    wlr_scene_buffer_set_buffer(label_, buffer);
    if (buffer) wlr_buffer_drop(buffer);
    wlr_scene_buffer_set_dest_size(label_, label_w, label_h);
    // render_label starts the text label_inset pixels in; the text lines up with the padding.
    wlr_scene_node_set_position(&label_->node, border_width + padding_x - label_inset, border_width + padding_y);
    wlr_scene_node_raise_to_top(&tree_->node);
    wlr_scene_node_set_enabled(&tree_->node, true);
    visible_ = true;
    if (timer_) wl_event_source_timer_update(timer_, static_cast<int>(ms)); // 0 disarms it
}

void NoticeOverlay::hide() {
    visible_ = false;
    text_.clear();
    box_ = {};
    if (timer_) wl_event_source_timer_update(timer_, 0);
    if (tree_) wlr_scene_node_set_enabled(&tree_->node, false);
}

int NoticeOverlay::handle_timeout(void* data) {
    static_cast<NoticeOverlay*>(data)->hide();
    return 0;
}

} // namespace spectrum
