// Where new windows go, and how far a window may be moved off screen.
#pragma once

#include <span>

namespace spectrum::policy {

struct Box {
    int x = 0, y = 0, width = 0, height = 0;
    bool operator==(const Box&) const = default;
};

// Centres the first window in `usable`. When a window already sits at that spot (same
// top-left or same centre), cascades `step` pixels down-right from the last placed window
// (existing.back()), skipping spots that are taken, and wraps to usable's top-left + step
// when the window would leave `usable`. On an axis where the window is larger than `usable`
// it starts at usable's origin. The returned box keeps the requested size.
Box place_new_window(Box usable, int width, int height, std::span<const Box> existing,
                     int step = 32);

// Moves `window` (keeping its size) so its title bar stays reachable: at least 64 pixels of
// it (or the whole width, if narrower) stay inside usable horizontally, and its top edge
// stays within usable with at least 32 pixels below it.
Box clamp_into(Box usable, Box window);

} // namespace spectrum::policy
