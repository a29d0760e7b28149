// What each frame changes: a 20x20 square bouncing around the window, or every pixel.
// Pure arithmetic on buffer coordinates, so it is unit-tested without a display.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace bench {

struct Rect {
    int x = 0, y = 0, width = 0, height = 0;
    bool empty() const { return width <= 0 || height <= 0; }
    bool operator==(const Rect&) const = default;
};

inline constexpr int kSquareSize = 20;

// Where the square is in frame `frame` of a width x height buffer: it moves a few pixels
// per frame and bounces off the edges, so consecutive frames damage two nearby squares.
// A buffer smaller than the square gets a square clipped to the buffer.
Rect square_at(std::uint64_t frame, int width, int height);

// The rects that differ between a picture with the square at `before` (nullopt: no
// square, just the background) and one with it at `next`. Used twice per frame: to repair
// the buffer being reused (whose `before` is what it showed when last committed) and as the
// damage sent to the compositor (whose `before` is the previous commit's square).
std::vector<Rect> changed_rects(std::optional<Rect> before, Rect next);

// The colour of frame `frame` of window `window` for full damage: every frame differs, so
// every pixel really changes.
std::uint32_t full_frame_colour(int window, std::uint64_t frame);

// A window's steady background and its square's colour (XRGB8888).
std::uint32_t background_colour(int window);
std::uint32_t square_colour(int window);

} // namespace bench
