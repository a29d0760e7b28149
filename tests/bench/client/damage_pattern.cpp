#include "damage_pattern.hpp"

#include <algorithm>

namespace bench {

namespace {

// Steps chosen coprime with common window sizes, so the square visits the whole window.
constexpr std::uint64_t kStepX = 7;
constexpr std::uint64_t kStepY = 5;

// Position on one axis of a point moving `step` per frame and bouncing within [0, range].
int bounce(std::uint64_t frame, std::uint64_t step, int range) {
    if (range <= 0) return 0;
    const std::uint64_t period = 2 * static_cast<std::uint64_t>(range);
    const std::uint64_t t = (frame * step) % period;
    return static_cast<int>(t <= static_cast<std::uint64_t>(range) ? t : period - t);
}

std::uint32_t hue(int index, std::uint32_t lightness) {
    // Spread windows over a few distinct, clearly different colours.
    static constexpr std::uint32_t base[] = {0x3465a4, 0xcc0000, 0x4e9a06, 0xc4a000,
                                             0x75507b, 0xce5c00, 0x06989a, 0x8f5902};
    const std::uint32_t c = base[static_cast<unsigned>(index) % std::size(base)];
    const auto mix = [&](std::uint32_t channel) {
        return std::min<std::uint32_t>(255, channel + lightness);
    };
    return 0xff000000u | mix((c >> 16) & 0xff) << 16 | mix((c >> 8) & 0xff) << 8 | mix(c & 0xff);
}

} // namespace

Rect square_at(std::uint64_t frame, int width, int height) {
    const int w = std::min(kSquareSize, std::max(width, 0));
    const int h = std::min(kSquareSize, std::max(height, 0));
    return {bounce(frame, kStepX, width - w), bounce(frame, kStepY, height - h), w, h};
}

std::vector<Rect> changed_rects(std::optional<Rect> before, Rect next) {
    std::vector<Rect> rects;
    if (before && !before->empty() && *before != next) rects.push_back(*before);
    if (!next.empty()) rects.push_back(next);
    return rects;
}

std::uint32_t full_frame_colour(int window, std::uint64_t frame) {
    // Lightness cycles through 64 steps: each frame differs from the one before.
    return hue(window, static_cast<std::uint32_t>((frame % 64) * 2));
}

std::uint32_t background_colour(int window) { return hue(window, 0); }

std::uint32_t square_colour(int) { return 0xffffffffu; }

} // namespace bench
