#include "outline.hpp"

namespace spectrum {

Outline::Outline(wlr_scene_tree* parent, config::Color color, int width) : width_(width) {
    const float rgba[4] = {color.red(), color.green(), color.blue(), 1.0f};
    for (auto& side : sides_) side = wlr_scene_rect_create(parent, 0, 0, rgba);
}

void Outline::surround(const wlr_box& box) {
    const int b = width_;
    const bool shown = box.width > 0 && box.height > 0;
    const std::array<wlr_box, 4> sides = {{
        {box.x - b, box.y - b, box.width + 2 * b, b},
        {box.x - b, box.y + box.height, box.width + 2 * b, b},
        {box.x - b, box.y, b, box.height},
        {box.x + box.width, box.y, b, box.height},
    }};
    for (std::size_t i = 0; i < sides.size(); ++i) {
        wlr_scene_node_set_enabled(&sides_[i]->node, shown);
        if (!shown) continue;
        wlr_scene_node_set_position(&sides_[i]->node, sides[i].x, sides[i].y);
        wlr_scene_rect_set_size(sides_[i], sides[i].width, sides[i].height);
    }
}

} // namespace spectrum
