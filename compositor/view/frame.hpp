// The decoration the compositor draws around every window: a border and a title bar with
// the label. For a VM window it is filled with the VM's colour and reads "[label] title";
// the client has no say in any of it.
#pragma once

#include <string>

#include "config.hpp"
#include "wlr.hpp"

namespace spectrum {

struct FrameStyle {
    config::Color color;
    int border = 4;
    int title_height = 22;
    std::string font;
    std::string text; // already filtered
    bool focused = false;
    float scale = 1.0f; // of the sharpest output: the label is rendered for it
};

class Frame {
  public:
    // Nodes are created in `parent`, which is positioned at the content's top-left corner.
    explicit Frame(wlr_scene_tree* parent);
    ~Frame();
    Frame(const Frame&) = delete;
    Frame& operator=(const Frame&) = delete;

    // Lays the frame out around a content area of width × height.
    void update(int width, int height, const FrameStyle& style);
    void set_visible(bool visible);
    // Outer box relative to the content origin.
    wlr_box outer() const { return outer_; }
    bool title_bar_contains(double cx, double cy) const;

  private:
    wlr_scene_tree* tree_;
    wlr_scene_rect* top_;
    wlr_scene_rect* bottom_;
    wlr_scene_rect* left_;
    wlr_scene_rect* right_;
    wlr_scene_rect* title_;
    wlr_scene_buffer* label_;
    wlr_box outer_{};
    wlr_box title_box_{};
    FrameStyle last_{};
    int last_width_ = -1;
    bool label_valid_ = false;
};

} // namespace spectrum
