// Damage with fewer rectangles, still covering everything. wlroots 0.18 repaints the
// bounding box of an output's whole damage once it has more than 20 rectangles
// (wlr_damage_ring_rotate_buffer): twenty VM windows each updating a few pixels (a cursor
// blinking, a clock) then cost a repaint of most of the screen every frame. Merging nearby
// rectangles first keeps the repaint to what changed and a little around it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace spectrum::policy {

// Half-open: x1 <= x < x2, y1 <= y < y2.
struct DamageBox {
    int x1, y1, x2, y2;
    std::int64_t area() const { return std::int64_t(x2 - x1) * (y2 - y1); }
    bool operator==(const DamageBox&) const = default;
};

// What wlroots 0.18 tolerates before it falls back to the bounding box.
constexpr std::size_t wlroots_damage_rect_limit = 20;

// How many rectangles pixman stores for the union of `boxes`: y-x banded, touching spans
// joined, identical neighbouring bands coalesced.
std::size_t banded_rect_count(std::span<const DamageBox> boxes);

// The most boxes the joining below works on: it is quadratic in them (and worse), and a VM
// decides how many rectangles its damage has (22,500 1x1 rectangles took it 7-16 s). More
// boxes than this are first joined per cell of a coarse grid (coarse_cells_per_side² cells
// over their bounding box: O(n), at most this many boxes left).
constexpr std::size_t coarse_cells_per_side = 16;
constexpr std::size_t exact_damage_limit = coarse_cells_per_side * coarse_cells_per_side;

// Boxes that cover every one of `boxes` and whose union has at most `max_rects` banded
// rectangles (max_rects >= 1), found by merging first what touches and then, greedily, the
// pair whose bounding box adds the least area. Returned unchanged when already within (and
// no more than exact_damage_limit boxes). O(n) in the boxes beyond exact_damage_limit.
std::vector<DamageBox> bound_damage(std::vector<DamageBox> boxes, std::size_t max_rects);

} // namespace spectrum::policy
