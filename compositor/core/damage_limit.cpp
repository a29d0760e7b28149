#include "damage_limit.hpp"

#include <vector>

#include "damage_bounds.hpp"

namespace spectrum {

DamageLimit::~DamageLimit() {
    if (!stats_.regions) return;
    wlr_log(WLR_INFO, "damage: %llu regions had more than %zu rectangles; %llu pixels to repaint "
            "instead of their bounding boxes' %llu",
            static_cast<unsigned long long>(stats_.regions), policy::wlroots_damage_rect_limit,
            static_cast<unsigned long long>(stats_.bounded_pixels),
            static_cast<unsigned long long>(stats_.extents_pixels));
}

bool DamageLimit::bound(pixman_region32_t& region) {
    int count = 0;
    const pixman_box32_t* rects = pixman_region32_rectangles(&region, &count);
    if (static_cast<std::size_t>(count) <= policy::wlroots_damage_rect_limit) return false;
    std::vector<policy::DamageBox> boxes;
    boxes.reserve(static_cast<std::size_t>(count));
    for (int i = 0; i < count; ++i) boxes.push_back({rects[i].x1, rects[i].y1, rects[i].x2, rects[i].y2});
    const pixman_box32_t* extents = pixman_region32_extents(&region);
    stats_.extents_pixels += static_cast<std::uint64_t>(extents->x2 - extents->x1) *
                             static_cast<std::uint64_t>(extents->y2 - extents->y1);
    const auto bounded = policy::bound_damage(std::move(boxes), policy::wlroots_damage_rect_limit);
    std::vector<pixman_box32_t> out;
    out.reserve(bounded.size());
    for (const auto& box : bounded) {
        out.push_back({box.x1, box.y1, box.x2, box.y2});
        stats_.bounded_pixels += static_cast<std::uint64_t>(box.area());
    }
    pixman_region32_fini(&region);
    pixman_region32_init_rects(&region, out.data(), static_cast<int>(out.size()));
    ++stats_.regions;
    return true;
}

void DamageLimit::apply(wlr_damage_ring& ring) {
    if (!pixman_region32_not_empty(&ring.current)) return;
    bound(ring.current);
    // wlr_damage_ring_rotate_buffer() repaints a buffer's own backlog joined with the
    // current damage: give every buffer that union now, bounded, so whichever the swapchain
    // hands out next stays within the limit too.
    // A buffer with no backlog gets the current damage alone, already bounded: nothing to do
    // (the headless output's one buffer, every frame).
    wlr_damage_ring_buffer* entry;
    wl_list_for_each(entry, &ring.buffers, link) {
        if (!pixman_region32_not_empty(&entry->damage)) continue;
        pixman_region32_union(&entry->damage, &entry->damage, &ring.current);
        bound(entry->damage);
    }
}

} // namespace spectrum
