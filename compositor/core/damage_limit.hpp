// Keeps an output's damage within the 20 rectangles wlroots 0.18 accepts before it repaints
// their bounding box instead (policy/damage_bounds.hpp says why that matters with many VM
// windows). Applied to the scene output's damage ring just before each render.
#pragma once

#include <cstdint>

#include "wlr.hpp"

namespace spectrum {

class DamageLimit {
  public:
    DamageLimit() = default;
    ~DamageLimit();
    DamageLimit(const DamageLimit&) = delete;
    DamageLimit& operator=(const DamageLimit&) = delete;

    // Before wlr_scene_output_commit(): the pending damage, and what each of the ring's
    // buffers lacks, each as at most 20 rectangles covering at least what they did.
    void apply(wlr_damage_ring& ring);

  private:
    // `region` to at most the limit; false if it already was.
    bool bound(pixman_region32_t& region);

    struct {
        std::uint64_t regions = 0;           // regions that had too many rectangles
        std::uint64_t extents_pixels = 0;    // what wlroots would have repainted instead
        std::uint64_t bounded_pixels = 0;    // what is repainted now
    } stats_; // logged at exit
};

} // namespace spectrum
