#include "frame_pacing.hpp"

#include <algorithm>

namespace spectrum::policy {

void ReactionTimes::add(std::int64_t ns) {
    ring_[next_] = std::max<std::int64_t>(ns, 0);
    next_ = (next_ + 1) % window;
    count_ = std::min(count_ + 1, window);
}

std::optional<std::int64_t> ReactionTimes::slowest() const {
    if (count_ == 0) return std::nullopt;
    return *std::max_element(ring_.begin(), ring_.begin() + static_cast<std::ptrdiff_t>(count_));
}

std::int64_t next_margin(std::int64_t margin, bool missed, const MarginBounds& bounds) {
    const std::int64_t next = missed ? std::max(margin, bounds.step) * 2 : margin - bounds.step;
    return std::clamp(next, bounds.min, std::max(bounds.min, bounds.max));
}

std::int64_t frame_callback_delay(const PacingInput& in) {
    if (in.period_ns <= 0 || !in.reaction_ns) return 0;
    const std::int64_t left = in.period_ns - std::max<std::int64_t>(in.rendered_ns, 0);
    const std::int64_t delay = left - *in.reaction_ns - std::max<std::int64_t>(in.margin_ns, 0);
    // A client that needs (nearly) the whole period gets its callback at once, as before.
    return std::max<std::int64_t>(delay, 0);
}

std::optional<std::int64_t> shared_delay(std::span<const std::int64_t> delays, std::int64_t now_below) {
    std::optional<std::int64_t> shared;
    for (std::int64_t delay : delays)
        if (delay >= now_below && (!shared || delay < *shared)) shared = delay;
    return shared;
}

} // namespace spectrum::policy
