// When a surface's frame callback goes out. A client draws when its frame callback arrives
// and its commit waits for the compositor's next frame: sent straight after a frame, as
// wlroots does, every commit waits most of a refresh period on screen. Sent as late as the
// client's recent drawing times allow, the commit lands just before the next frame and is
// shown a few milliseconds after it was made (sway's per-window max_render_time, measured
// instead of configured).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace spectrum::policy {

// How long a surface took from its frame callback to its next commit, over its last few
// frames. The slowest of them is the estimate: one slow frame moves the callback earlier
// for a while rather than costing a missed frame next time.
class ReactionTimes {
  public:
    static constexpr std::size_t window = 8;

    void add(std::int64_t ns);
    // Nothing until a surface has answered a callback: unknown clients get theirs at once.
    std::optional<std::int64_t> slowest() const;
    std::size_t samples() const { return count_; }

  private:
    std::array<std::int64_t, window> ring_{};
    std::size_t next_ = 0, count_ = 0;
};

struct PacingInput {
    std::int64_t period_ns = 0;     // the output's refresh period; 0 (unknown): no pacing
    std::int64_t rendered_ns = 0;   // since this frame started (the output's frame event)
    std::int64_t margin_ns = 0;     // kept free between the expected commit and the next frame
    std::optional<std::int64_t> reaction_ns; // ReactionTimes::slowest()
};

// The time kept free between a client's expected commit and the next frame, per surface: it
// starts at `initial`, doubles (up to `max`) whenever a held-back callback's commit came
// after the frame it was meant for, and shrinks by `step` every frame it was in time, down
// to `min`. A steady client ends up with little slack (its commits meet the frame the
// compositor wakes for anyway); a jittery one keeps enough not to miss.
struct MarginBounds {
    std::int64_t initial = 2'000'000;
    std::int64_t min = 1'000'000;
    std::int64_t max = 8'000'000;
    std::int64_t step = 20'000;
};
std::int64_t next_margin(std::int64_t margin, bool missed, const MarginBounds& bounds = {});

// Nanoseconds from now until the callback should be sent; 0 means now. Whatever is left of
// the period after this frame's rendering, minus the client's time and the margin.
std::int64_t frame_callback_delay(const PacingInput& in);

// When an output's held-back callbacks go out: all at one time, the earliest that any of
// them needs (`delays`, one per client). Those under `now_below` go out at once and do not
// count; nullopt if none is left to hold. One time for all means one wake-up of the
// compositor to send them and one burst of commits back, not one of each per client; a
// callback that comes a little early only makes its commit wait a little longer.
std::optional<std::int64_t> shared_delay(std::span<const std::int64_t> delays, std::int64_t now_below);

} // namespace spectrum::policy
