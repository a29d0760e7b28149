#include <gtest/gtest.h>

#include <set>
#include <utility>

#include "damage_pattern.hpp"

namespace bench {
namespace {

TEST(SquareAt, StaysInsideTheBufferAndMoves) {
    std::set<std::pair<int, int>> seen;
    for (std::uint64_t frame = 0; frame < 2000; ++frame) {
        const Rect r = square_at(frame, 200, 100);
        ASSERT_EQ(r.width, kSquareSize);
        ASSERT_EQ(r.height, kSquareSize);
        ASSERT_GE(r.x, 0);
        ASSERT_GE(r.y, 0);
        ASSERT_LE(r.x + r.width, 200);
        ASSERT_LE(r.y + r.height, 100);
        if (frame > 0) {
            EXPECT_NE(r, square_at(frame - 1, 200, 100)) << "frame " << frame;
        }
        seen.insert({r.x, r.y});
    }
    // It wanders: it reaches both edges on each axis.
    EXPECT_TRUE(seen.contains({0, 0}));
    bool right = false, bottom = false;
    for (auto [x, y] : seen) {
        right |= x == 180;
        bottom |= y == 80;
    }
    EXPECT_TRUE(right);
    EXPECT_TRUE(bottom);
}

TEST(SquareAt, BufferSmallerThanTheSquareClipsIt) {
    EXPECT_EQ(square_at(5, 12, 8), (Rect{0, 0, 12, 8}));
    EXPECT_TRUE(square_at(3, 0, 10).empty());
}

TEST(ChangedRects, OldAndNewSquare) {
    const Rect a{10, 10, 20, 20}, b{17, 15, 20, 20};
    EXPECT_EQ(changed_rects(a, b), (std::vector<Rect>{a, b}));
    // The new square is always last, so it is drawn over the erased old one.
    EXPECT_EQ(changed_rects(b, a).back(), a);
}

TEST(ChangedRects, FreshBufferOrSamePlaceOnlyDrawsTheNewSquare) {
    const Rect a{10, 10, 20, 20};
    EXPECT_EQ(changed_rects(std::nullopt, a), (std::vector<Rect>{a}));
    EXPECT_EQ(changed_rects(a, a), (std::vector<Rect>{a}));
}

TEST(Colours, FullFramesDifferFromTheFrameBefore) {
    for (std::uint64_t frame = 1; frame < 200; ++frame)
        EXPECT_NE(full_frame_colour(0, frame), full_frame_colour(0, frame - 1)) << frame;
    EXPECT_NE(background_colour(0), background_colour(1));
    EXPECT_NE(square_colour(0), background_colour(0));
    EXPECT_EQ(background_colour(0) >> 24, 0xffu);
}

} // namespace
} // namespace bench
