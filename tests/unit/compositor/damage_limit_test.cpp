// The damage limit (compositor/core/damage_limit.hpp) against the real wlroots damage ring:
// without it, more than 20 damaged rectangles come back from wlr_damage_ring_rotate_buffer()
// as their bounding box; with it, as at most 20 rectangles around what changed, for every
// buffer of the swapchain.
#include <gtest/gtest.h>

#include <vector>

#include "damage_limit.hpp"

namespace spectrum {
namespace {

struct TestBuffer {
    wlr_buffer base;
};

const wlr_buffer_impl test_buffer_impl = {
    .destroy = [](wlr_buffer* buffer) { delete wl_container_of(buffer, static_cast<TestBuffer*>(nullptr), base); },
};

wlr_buffer* make_buffer() {
    auto* buffer = new TestBuffer{};
    wlr_buffer_init(&buffer->base, &test_buffer_impl, 1920, 1080);
    return &buffer->base;
}

// Thirty windows cascaded 32 px apart, each with a changed 20x20 square in sight;
// `shift` moves them all.
std::vector<pixman_box32_t> squares(int shift = 0) {
    std::vector<pixman_box32_t> boxes;
    for (int i = 0; i < 30; ++i) {
        const int x = 40 + i * 32 + shift, y = 30 + i * 32;
        boxes.push_back({x, y, x + 20, y + 20});
    }
    return boxes;
}

std::int64_t area(const pixman_region32_t& region) {
    int count = 0;
    const pixman_box32_t* rects = pixman_region32_rectangles(const_cast<pixman_region32_t*>(&region), &count);
    std::int64_t total = 0;
    for (int i = 0; i < count; ++i) total += std::int64_t(rects[i].x2 - rects[i].x1) * (rects[i].y2 - rects[i].y1);
    return total;
}

bool covers(pixman_region32_t& region, const std::vector<pixman_box32_t>& boxes) {
    for (auto box : boxes)
        if (pixman_region32_contains_rectangle(&region, &box) != PIXMAN_REGION_IN) return false;
    return true;
}

class Ring : public testing::Test {
  protected:
    Ring() {
        wlr_damage_ring_init(&ring);
        wlr_damage_ring_set_bounds(&ring, 1920, 1080);
        pixman_region32_init(&damage);
        // Both buffers known to the ring, and up to date.
        wlr_damage_ring_rotate_buffer(&ring, a, &damage);
        wlr_damage_ring_rotate_buffer(&ring, b, &damage);
        wlr_damage_ring_rotate_buffer(&ring, a, &damage);
    }
    ~Ring() override {
        pixman_region32_fini(&damage);
        wlr_damage_ring_finish(&ring);
        wlr_buffer_drop(a);
        wlr_buffer_drop(b);
    }
    void add(const std::vector<pixman_box32_t>& boxes) {
        for (auto box : boxes) {
            const wlr_box damaged{box.x1, box.y1, box.x2 - box.x1, box.y2 - box.y1};
            wlr_damage_ring_add_box(&ring, &damaged);
        }
    }
    int rects() { return pixman_region32_n_rects(&damage); }

    wlr_damage_ring ring{};
    pixman_region32_t damage;
    wlr_buffer* a = make_buffer();
    wlr_buffer* b = make_buffer();
};

const std::int64_t squares_bounding_box = std::int64_t(60 + 29 * 32 - 40) * (50 + 29 * 32 - 30);

TEST_F(Ring, WithoutItManySmallChangesRepaintTheirBoundingBox) {
    add(squares());
    wlr_damage_ring_rotate_buffer(&ring, b, &damage);
    EXPECT_EQ(rects(), 1);
    EXPECT_EQ(area(damage), squares_bounding_box);
}

TEST_F(Ring, WithItTheyRepaintLittleMoreThanThemselves) {
    DamageLimit limit;
    add(squares());
    limit.apply(ring);
    wlr_damage_ring_rotate_buffer(&ring, b, &damage);
    EXPECT_LE(rects(), 20);
    EXPECT_TRUE(covers(damage, squares()));
    EXPECT_LT(area(damage), squares_bounding_box / 10);
}

TEST_F(Ring, EveryBufferGetsAllItMissedWithinTheLimit) {
    DamageLimit limit;
    // Frame 1 drawn into b: a misses it. Frame 2 drawn into a: it needs both.
    add(squares());
    limit.apply(ring);
    wlr_damage_ring_rotate_buffer(&ring, b, &damage);
    EXPECT_TRUE(covers(damage, squares()));
    add(squares(7));
    limit.apply(ring);
    wlr_damage_ring_rotate_buffer(&ring, a, &damage);
    EXPECT_LE(rects(), 20);
    EXPECT_TRUE(covers(damage, squares()));
    EXPECT_TRUE(covers(damage, squares(7)));
    EXPECT_LT(area(damage), squares_bounding_box / 5);
}

TEST_F(Ring, FewChangesAreLeftAsTheyAre) {
    DamageLimit limit;
    const std::vector<pixman_box32_t> few{{10, 10, 30, 30}, {500, 500, 520, 520}};
    add(few);
    limit.apply(ring);
    wlr_damage_ring_rotate_buffer(&ring, b, &damage);
    EXPECT_EQ(rects(), 2);
    EXPECT_EQ(area(damage), 800);
}

} // namespace
} // namespace spectrum
