// A VM-coloured line drawn just outside a box: what marks a VM's popups and drag icons as
// its own, so neither can pass for another VM's (or the host's).
#pragma once

#include <array>

#include "config.hpp"
#include "wlr.hpp"

namespace spectrum {

class Outline {
  public:
    // Four rectangles in `parent`, below whatever is added to it later.
    Outline(wlr_scene_tree* parent, config::Color color, int width);

    // Around `box` (in the parent's coordinates); hidden while the box is empty.
    void surround(const wlr_box& box);

  private:
    std::array<wlr_scene_rect*, 4> sides_{};
    int width_;
};

} // namespace spectrum
