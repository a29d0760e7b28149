#include "placement.hpp"

#include <algorithm>
#include <climits>
#include <cstdint>

namespace spectrum::policy {

namespace {

constexpr int kReachableWidth = 64;  // of a window that must stay on screen to grab it
constexpr int kReachableHeight = 32; // roughly one title bar

// Sizes and positions come from clients: do the arithmetic in 64 bits so hostile values
// cannot overflow, and only narrow the final, clamped result.
using Wide = std::int64_t;

int narrow(Wide value) {
    return static_cast<int>(std::clamp<Wide>(value, INT_MIN, INT_MAX));
}

// Position on one axis such that [pos, pos + size) lies in [origin, origin + extent), or
// `origin` when the window is too large for that.
Wide fit_axis(Wide pos, Wide size, Wide origin, Wide extent) {
    if (size >= extent) return origin;
    return std::clamp(pos, origin, origin + extent - size);
}

bool fits(Wide x, Wide y, Wide width, Wide height, const Box& usable) {
    return x >= usable.x && y >= usable.y && x + width <= Wide{usable.x} + usable.width &&
           y + height <= Wide{usable.y} + usable.height;
}

Wide centre2(Wide pos, Wide size) {
    return 2 * pos + size;
} // twice the centre: no rounding

bool occupied(std::span<const Box> existing, Wide x, Wide y, Wide width, Wide height) {
    return std::ranges::any_of(existing, [&](const Box& box) {
        const bool same_corner = box.x == x && box.y == y;
        const bool same_centre = centre2(box.x, box.width) == centre2(x, width) &&
                                 centre2(box.y, box.height) == centre2(y, height);
        return same_corner || same_centre;
    });
}

} // namespace

Box place_new_window(Box usable, int width, int height, std::span<const Box> existing, int step) {
    const Wide w = std::max(width, 0), h = std::max(height, 0);
    const Wide ux = usable.x, uy = usable.y, uw = std::max(usable.width, 0),
               uh = std::max(usable.height, 0);

    Wide x = fit_axis(ux + (uw - w) / 2, w, ux, uw);
    Wide y = fit_axis(uy + (uh - h) / 2, h, uy, uh);

    if (occupied(existing, x, y, w, h)) {
        // Cascade down-right from the centred spot, one step at a time, back to the
        // top-left + step when it would leave. Starting from the new window's own centred
        // spot (not the last window's corner) keeps windows of different sizes cascading
        // around the middle instead of jumping to the corner.
        const auto advance = [&](Wide& cx, Wide& cy) {
            cx += step;
            cy += step;
            if (!fits(cx, cy, w, h, usable)) {
                cx = ux + step;
                cy = uy + step;
            }
        };
        advance(x, y);
        // Skip spots already taken; each window blocks at most one, so this is bounded.
        // When every spot is taken, the first one after the last window is as good as any.
        Wide free_x = x, free_y = y;
        for (std::size_t tries = 0; tries < existing.size(); ++tries) {
            if (!occupied(existing, free_x, free_y, w, h)) {
                x = free_x;
                y = free_y;
                break;
            }
            advance(free_x, free_y);
        }
        x = fit_axis(x, w, ux, uw);
        y = fit_axis(y, h, uy, uh);
    }
    return {narrow(x), narrow(y), width, height};
}

Box clamp_into(Box usable, Box window) {
    const Wide ux = usable.x, uy = usable.y, uw = usable.width, uh = usable.height;
    const Wide visible = std::clamp<Wide>(window.width, 0, kReachableWidth);

    const Wide min_x = ux - window.width + visible;
    const Wide max_x = ux + uw - visible;
    const Wide min_y = uy;
    const Wide max_y = uy + uh - kReachableHeight;

    // An area smaller than the reachable margin leaves an empty range: fall back to its origin.
    window.x = min_x <= max_x ? narrow(std::clamp<Wide>(window.x, min_x, max_x)) : usable.x;
    window.y = min_y <= max_y ? narrow(std::clamp<Wide>(window.y, min_y, max_y)) : usable.y;
    return window;
}

} // namespace spectrum::policy
