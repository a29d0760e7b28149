#include "damage_bounds.hpp"

#include <chrono>

#include <gtest/gtest.h>

namespace spectrum::policy {
namespace {

bool covers(const std::vector<DamageBox>& boxes, const DamageBox& target) {
    // Every pixel of `target` lies in some box (checked pixel by pixel: small inputs).
    for (int y = target.y1; y < target.y2; ++y)
        for (int x = target.x1; x < target.x2; ++x) {
            bool in = false;
            for (const auto& b : boxes) in = in || (b.x1 <= x && x < b.x2 && b.y1 <= y && y < b.y2);
            if (!in) return false;
        }
    return true;
}

std::int64_t total_area(const std::vector<DamageBox>& boxes) {
    std::int64_t area = 0;
    for (const auto& b : boxes) area += b.area();
    return area;
}

// 64 squares of 20x20, one in each cell of an 8x8 grid over 1920x1080, each a little
// off the cell's corner: twenty VM windows' worth of small updates, and more.
std::vector<DamageBox> scattered_squares() {
    std::vector<DamageBox> squares;
    for (int row = 0; row < 8; ++row)
        for (int col = 0; col < 8; ++col) {
            const int x = col * 240 + (row * 37) % 200, y = row * 135 + (col * 23) % 100;
            squares.push_back({x, y, x + 20, y + 20});
        }
    return squares;
}

TEST(BandedRectCount, AsPixmanStoresTheUnion) {
    EXPECT_EQ(banded_rect_count({}), 0u);
    const std::vector<DamageBox> one{{0, 0, 10, 10}};
    EXPECT_EQ(banded_rect_count(one), 1u);
    const std::vector<DamageBox> apart{{0, 0, 10, 10}, {20, 0, 30, 10}};
    EXPECT_EQ(banded_rect_count(apart), 2u);
    const std::vector<DamageBox> side_by_side{{0, 0, 10, 10}, {10, 0, 30, 10}};
    EXPECT_EQ(banded_rect_count(side_by_side), 1u);
    const std::vector<DamageBox> stacked{{0, 0, 10, 10}, {0, 10, 10, 20}};
    EXPECT_EQ(banded_rect_count(stacked), 1u);
    // Staggered: bands [0,5) A, [5,10) A B, [10,15) B.
    const std::vector<DamageBox> staggered{{0, 0, 10, 10}, {20, 5, 30, 15}};
    EXPECT_EQ(banded_rect_count(staggered), 4u);
    // A square that moved by (7, 5): three bands of one span each.
    const std::vector<DamageBox> moved{{0, 0, 20, 20}, {7, 5, 27, 25}};
    EXPECT_EQ(banded_rect_count(moved), 3u);
    const std::vector<DamageBox> empty{{5, 5, 5, 9}};
    EXPECT_EQ(banded_rect_count(empty), 0u);
}

TEST(BoundDamage, WithinTheLimitItIsLeftAlone) {
    const std::vector<DamageBox> boxes{{0, 0, 10, 10}, {100, 100, 120, 120}};
    EXPECT_EQ(bound_damage(boxes, wlroots_damage_rect_limit), boxes);
}

TEST(BoundDamage, SixtyFourSquaresBecomeAtMostTwentyRectanglesCoveringThemAll) {
    const auto squares = scattered_squares();
    ASSERT_GT(banded_rect_count(squares), wlroots_damage_rect_limit);
    const auto bounded = bound_damage(squares, wlroots_damage_rect_limit);
    EXPECT_LE(banded_rect_count(bounded), wlroots_damage_rect_limit);
    for (const auto& square : squares) EXPECT_TRUE(covers(bounded, square));
    // wlroots would repaint the bounding box of them all: the whole screen. Squares spread
    // evenly over all of it are the worst case for twenty rectangles: about half.
    const std::int64_t extents = DamageBox{0, 0, 1920, 1080}.area();
    EXPECT_LT(total_area(bounded), extents * 55 / 100);
}

TEST(BoundDamage, CascadedWindowsUpdatesCostAFractionOfTheirBoundingBox) {
    // Thirty windows cascaded 32 px apart, each showing a changed 20x20 square in the part
    // of it left uncovered: a diagonal of small changes across the screen.
    std::vector<DamageBox> squares;
    for (int i = 0; i < 30; ++i) squares.push_back({40 + i * 32, 30 + i * 32, 60 + i * 32, 50 + i * 32});
    const auto bounded = bound_damage(squares, wlroots_damage_rect_limit);
    EXPECT_LE(banded_rect_count(bounded), wlroots_damage_rect_limit);
    for (const auto& square : squares) EXPECT_TRUE(covers(bounded, square));
    const std::int64_t extents = DamageBox{40, 30, 60 + 29 * 32, 50 + 29 * 32}.area();
    EXPECT_LT(total_area(bounded), extents / 10);
}

TEST(BoundDamage, FarApartGroupsStaySeparate) {
    std::vector<DamageBox> boxes;
    for (int i = 0; i < 12; ++i) boxes.push_back({i * 30, 0, i * 30 + 20, 20});                // top left
    for (int i = 0; i < 12; ++i) boxes.push_back({1500 + i * 30, 1000, 1520 + i * 30, 1020});  // bottom right
    const auto bounded = bound_damage(boxes, 2);
    ASSERT_EQ(bounded.size(), 2u);
    EXPECT_EQ(total_area(bounded), 2 * (DamageBox{0, 0, 350, 20}.area()));
    for (const auto& box : boxes) EXPECT_TRUE(covers(bounded, box));
}

TEST(BoundDamage, ASquareSplitIntoBandsIsPutBackTogether) {
    // Twenty-one squares that each moved: three bands apiece, 63 rectangles.
    std::vector<DamageBox> boxes;
    for (int i = 0; i < 21; ++i) {
        const int x = i * 90, y = (i % 3) * 300;
        boxes.push_back({x, y, x + 20, y + 20});
        boxes.push_back({x + 7, y + 5, x + 27, y + 25});
    }
    const auto bounded = bound_damage(boxes, wlroots_damage_rect_limit);
    EXPECT_LE(banded_rect_count(bounded), wlroots_damage_rect_limit);
    for (const auto& box : boxes) EXPECT_TRUE(covers(bounded, box));
    EXPECT_LT(total_area(bounded), 21 * (DamageBox{0, 0, 120, 25}.area()));
}

TEST(BoundDamage, ALimitOfOneGivesTheBoundingBox) {
    const auto bounded = bound_damage(scattered_squares(), 1);
    ASSERT_EQ(bounded.size(), 1u);
    EXPECT_LE(bounded[0].x1, 0);
    EXPECT_GE(bounded[0].y2, 1000);
}

TEST(BoundDamage, EmptyBoxesAreDropped) {
    const std::vector<DamageBox> boxes{{5, 5, 5, 9}, {0, 0, 10, 10}};
    EXPECT_EQ(bound_damage(boxes, 5), (std::vector<DamageBox>{{0, 0, 10, 10}}));
}

// Whether `box` lies inside one of `boxes` (for 1x1 boxes: whether it is covered).
bool inside_one(const std::vector<DamageBox>& boxes, const DamageBox& box) {
    for (const auto& b : boxes)
        if (b.x1 <= box.x1 && box.x2 <= b.x2 && b.y1 <= box.y1 && box.y2 <= b.y2) return true;
    return false;
}

// What a VM can send in one commit: 22,500 1x1 rectangles, here a 150x150 grid with a pixel
// between them (no two touch) and a diagonal (every rectangle a band of its own). The exact
// joining took 7-16 s on them; bounded, it takes milliseconds. 2 s is far from either.
void expect_bounded_quickly(const std::vector<DamageBox>& boxes) {
    const auto start = std::chrono::steady_clock::now();
    const auto bounded = bound_damage(boxes, wlroots_damage_rect_limit);
    const auto took = std::chrono::steady_clock::now() - start;
    EXPECT_LT(took, std::chrono::seconds(2));
    EXPECT_LE(bounded.size(), wlroots_damage_rect_limit);
    EXPECT_LE(banded_rect_count(bounded), wlroots_damage_rect_limit);
    std::size_t uncovered = 0;
    for (const auto& box : boxes) uncovered += !inside_one(bounded, box);
    EXPECT_EQ(uncovered, 0u);
}

TEST(BoundDamage, ManyTinyRectanglesInAGridAreBoundedQuickly) {
    std::vector<DamageBox> grid;
    for (int row = 0; row < 150; ++row)
        for (int col = 0; col < 150; ++col) grid.push_back({col * 2, row * 2, col * 2 + 1, row * 2 + 1});
    expect_bounded_quickly(grid);
}

TEST(BoundDamage, ManyTinyRectanglesOnADiagonalAreBoundedQuickly) {
    std::vector<DamageBox> diagonal;
    for (int i = 0; i < 22500; ++i) diagonal.push_back({i % 1920, i, i % 1920 + 1, i + 1});
    expect_bounded_quickly(diagonal);
}

TEST(BoundDamage, JustAboveTheExactLimitTheCoverStaysTight) {
    // 257 squares of 10x10 in 16 clusters: joined per cell first, then exactly; what is
    // repainted stays near the squares, far from their bounding box.
    std::vector<DamageBox> boxes;
    for (std::size_t i = 0; i <= exact_damage_limit; ++i) {
        const int cluster = int(i % 16), x = (cluster % 4) * 480 + int(i % 5) * 12,
                  y = (cluster / 4) * 270 + int(i / 16 % 4) * 12;
        boxes.push_back({x, y, x + 10, y + 10});
    }
    const auto bounded = bound_damage(boxes, wlroots_damage_rect_limit);
    EXPECT_LE(banded_rect_count(bounded), wlroots_damage_rect_limit);
    for (const auto& box : boxes) EXPECT_TRUE(inside_one(bounded, box));
    EXPECT_LT(total_area(bounded), (DamageBox{0, 0, 1920, 1080}.area() / 4));
}

} // namespace
} // namespace spectrum::policy
