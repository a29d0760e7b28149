// Damage bounding (compositor/policy/damage_bounds): for any list of damage boxes a VM can
// make, bound_damage() returns boxes that still cover every damaged pixel, within the
// rectangle budget. Coordinates are int16 (surface damage is clipped to the buffer); the
// box count is capped by -max_len in tests/fuzz/fuzz.sh (8 bytes a box).
#include "damage_bounds.hpp"
#include "fuzz_check.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

using spectrum::policy::DamageBox;

namespace {

bool covered(const std::vector<DamageBox>& cover, int x, int y) {
    for (const DamageBox& b : cover)
        if (b.x1 <= x && x < b.x2 && b.y1 <= y && y < b.y2) return true;
    return false;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const std::size_t max_rects = 1 + data[0] % 32;
    ++data;
    --size;
    std::vector<DamageBox> boxes;
    for (; size >= 8; data += 8, size -= 8) {
        std::int16_t v[4];
        std::memcpy(v, data, sizeof v);
        boxes.push_back({v[0], v[1], v[2], v[3]}); // empty and inverted boxes too: wlroots may pass them
    }
    const std::vector<DamageBox> bounded = spectrum::policy::bound_damage(boxes, max_rects);
    FUZZ_CHECK(spectrum::policy::banded_rect_count(bounded) <= max_rects);
    // Every damaged pixel stays damaged: each box's corners and centre are covered.
    for (const DamageBox& b : boxes) {
        if (b.x1 >= b.x2 || b.y1 >= b.y2) continue;
        const int xs[] = {b.x1, b.x2 - 1, b.x1 + (b.x2 - b.x1) / 2};
        const int ys[] = {b.y1, b.y2 - 1, b.y1 + (b.y2 - b.y1) / 2};
        for (int x : xs)
            for (int y : ys) FUZZ_CHECK(covered(bounded, x, y));
    }
    return 0;
}
