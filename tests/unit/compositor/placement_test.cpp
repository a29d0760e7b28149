#include "placement.hpp"

#include <algorithm>
#include <climits>
#include <gtest/gtest.h>
#include <vector>

namespace spectrum::policy {
namespace {

// A 1920x1080 output with a 30-pixel panel at the top.
constexpr Box kUsable{0, 30, 1920, 1050};

bool inside(const Box& box, const Box& area) {
    return box.x >= area.x && box.y >= area.y && box.x + box.width <= area.x + area.width &&
           box.y + box.height <= area.y + area.height;
}

TEST(Placement, FirstWindowIsCentred) {
    EXPECT_EQ(place_new_window(kUsable, 800, 600, {}), (Box{560, 255, 800, 600}));
}

TEST(Placement, CentresInAnOffsetArea) {
    // A second output to the right of the first.
    constexpr Box right{1920, 0, 1280, 1024};
    EXPECT_EQ(place_new_window(right, 400, 300, {}), (Box{2360, 362, 400, 300}));
}

TEST(Placement, WindowsElsewhereDoNotStopCentring) {
    const std::vector<Box> existing{{0, 30, 300, 200}, {1500, 800, 300, 200}};
    EXPECT_EQ(place_new_window(kUsable, 800, 600, existing), (Box{560, 255, 800, 600}));
}

TEST(Placement, CascadesFromTheCentreWhenTheCentreIsTaken) {
    std::vector<Box> existing{place_new_window(kUsable, 800, 600, {})};
    for (int i = 1; i <= 5; ++i) {
        const Box next = place_new_window(kUsable, 800, 600, existing);
        EXPECT_EQ(next, (Box{560 + 32 * i, 255 + 32 * i, 800, 600})) << "window " << i;
        existing.push_back(next);
    }
}

TEST(Placement, CascadeHonoursTheStep) {
    const std::vector<Box> existing{{560, 255, 800, 600}};
    EXPECT_EQ(place_new_window(kUsable, 800, 600, existing, 50), (Box{610, 305, 800, 600}));
}

TEST(Placement, SameCentreWithAnotherSizeCountsAsTaken) {
    // A smaller window centred over a larger one would hide nothing of itself but sit
    // exactly in the middle of it; it cascades instead.
    const std::vector<Box> existing{{560, 255, 800, 600}};
    EXPECT_EQ(place_new_window(kUsable, 400, 300, existing), (Box{792, 437, 400, 300}));
}

TEST(Placement, CascadeWrapsToTheTopLeftWhenItWouldLeaveTheArea) {
    // Every step down-right from the centre up to the bottom edge is taken.
    std::vector<Box> existing;
    for (int i = 0; 255 + 32 * i + 600 <= 1080; ++i) existing.push_back({560 + 32 * i, 255 + 32 * i, 800, 600});
    EXPECT_EQ(place_new_window(kUsable, 800, 600, existing), (Box{32, 62, 800, 600}));
}

TEST(Placement, CascadeOverManyWindowsStaysInside) {
    std::vector<Box> existing;
    for (int i = 0; i < 100; ++i) {
        const Box next = place_new_window(kUsable, 800, 600, existing);
        EXPECT_TRUE(inside(next, kUsable)) << "window " << i;
        existing.push_back(next);
    }
    // The run wrapped at least once: some window went back near the top-left.
    EXPECT_TRUE(std::ranges::any_of(existing, [](const Box& b) {
        return b == Box{32, 62, 800, 600};
    }));
}

TEST(Placement, CascadeSkipsASpotAlreadyTaken) {
    const std::vector<Box> existing{
        {560, 255, 800, 600}, {592, 287, 800, 600}, {560, 255, 800, 600}};
    // The centre and the next spot, 592/287, are taken.
    EXPECT_EQ(place_new_window(kUsable, 800, 600, existing), (Box{624, 319, 800, 600}));
}

TEST(Placement, WindowLargerThanTheAreaStartsAtItsOrigin) {
    EXPECT_EQ(place_new_window(kUsable, 3000, 2000, {}), (Box{0, 30, 3000, 2000}));
    // Only the axis that does not fit is pinned.
    EXPECT_EQ(place_new_window(kUsable, 3000, 500, {}), (Box{0, 305, 3000, 500}));
    const std::vector<Box> existing{{0, 30, 3000, 2000}};
    EXPECT_EQ(place_new_window(kUsable, 3000, 2000, existing), (Box{0, 30, 3000, 2000}));
}

TEST(Placement, WrapThatStillDoesNotFitIsPulledBackInside) {
    // 1900 wide: the wrapped position 32 would cross the right edge by 12 pixels.
    const std::vector<Box> existing{{10, 255, 1900, 600}};
    const Box placed = place_new_window(kUsable, 1900, 600, existing);
    EXPECT_EQ(placed, (Box{20, 62, 1900, 600}));
}

TEST(Placement, HostileSizesDoNotOverflow) {
    const Box placed = place_new_window(kUsable, INT_MAX, INT_MAX, {});
    EXPECT_EQ(placed.x, 0);
    EXPECT_EQ(placed.y, 30);
    // A window far off in positive space changes nothing: the cascade steps from the centre.
    const std::vector<Box> existing{{910, 505, 100, 100}, {INT_MAX - 10, INT_MAX - 10, 100, 100}};
    EXPECT_EQ(place_new_window(kUsable, 100, 100, existing), (Box{942, 537, 100, 100}));
}

TEST(ClampInto, AWindowInsideIsUntouched) {
    EXPECT_EQ(clamp_into(kUsable, {100, 100, 800, 600}), (Box{100, 100, 800, 600}));
    // Hanging off the right and bottom is fine while the title bar stays reachable.
    EXPECT_EQ(clamp_into(kUsable, {1800, 1000, 800, 600}), (Box{1800, 1000, 800, 600}));
}

TEST(ClampInto, KeepsSixtyFourPixelsOnScreenHorizontally) {
    EXPECT_EQ(clamp_into(kUsable, {-5000, 100, 800, 600}), (Box{-736, 100, 800, 600}));
    EXPECT_EQ(clamp_into(kUsable, {5000, 100, 800, 600}), (Box{1856, 100, 800, 600}));
}

TEST(ClampInto, KeepsTheTitleBarVertically) {
    // Above the area the title bar would be unreachable; below, only 32 pixels remain.
    EXPECT_EQ(clamp_into(kUsable, {100, -200, 800, 600}), (Box{100, 30, 800, 600}));
    EXPECT_EQ(clamp_into(kUsable, {100, 5000, 800, 600}), (Box{100, 1048, 800, 600}));
}

TEST(ClampInto, NarrowWindowStaysWhollyOnScreen) {
    EXPECT_EQ(clamp_into(kUsable, {-100, 100, 40, 40}), (Box{0, 100, 40, 40}));
    EXPECT_EQ(clamp_into(kUsable, {3000, 100, 40, 40}), (Box{1880, 100, 40, 40}));
}

TEST(ClampInto, TinyAreaFallsBackToItsOrigin) {
    constexpr Box tiny{10, 20, 16, 16};
    // Horizontally 64 pixels of the window still cover the whole area; vertically there
    // is no room for a title bar at all.
    EXPECT_EQ(clamp_into(tiny, {500, 500, 800, 600}), (Box{-38, 20, 800, 600}));
    EXPECT_EQ(clamp_into(tiny, {500, 500, 40, 40}), (Box{10, 20, 40, 40}));
}

TEST(ClampInto, HostileCoordinatesDoNotOverflow) {
    EXPECT_EQ(clamp_into(kUsable, {INT_MIN, INT_MIN, 800, 600}), (Box{-736, 30, 800, 600}));
    EXPECT_EQ(clamp_into(kUsable, {INT_MAX, INT_MAX, INT_MAX, 600}),
              (Box{1856, 1048, INT_MAX, 600}));
}

} // namespace
TEST(Placement, DifferentSizesCascadeAroundTheMiddle) {
    // A small window in the middle, then a big one: the big one steps off the centre
    // rather than jumping to the top-left corner.
    const std::vector<Box> existing{{835, 430, 250, 250}};
    const Box placed = place_new_window(kUsable, 700, 520, existing);
    EXPECT_EQ(placed, (Box{642, 327, 700, 520}));
}

} // namespace spectrum::policy
