#include "frame_pacing.hpp"

#include <cstdint>
#include <gtest/gtest.h>

namespace spectrum::policy {
namespace {

constexpr std::int64_t ms = 1'000'000;
constexpr std::int64_t period60 = 16'666'667;

TEST(ReactionTimes, NothingUntilTheFirstSample) {
    ReactionTimes times;
    EXPECT_FALSE(times.slowest());
    EXPECT_EQ(times.samples(), 0u);
}

TEST(ReactionTimes, TheSlowestOfTheRecentSamples) {
    ReactionTimes times;
    times.add(2 * ms);
    times.add(5 * ms);
    times.add(1 * ms);
    EXPECT_EQ(times.slowest(), 5 * ms);
    EXPECT_EQ(times.samples(), 3u);
}

TEST(ReactionTimes, ASlowFrameIsForgottenAfterTheWindow) {
    ReactionTimes times;
    times.add(9 * ms);
    for (std::size_t i = 0; i < ReactionTimes::window - 1; ++i) times.add(1 * ms);
    EXPECT_EQ(times.slowest(), 9 * ms);
    times.add(1 * ms);
    EXPECT_EQ(times.slowest(), 1 * ms);
    EXPECT_EQ(times.samples(), ReactionTimes::window);
}

TEST(ReactionTimes, NegativeSamplesCountAsZero) {
    ReactionTimes times;
    times.add(-5);
    EXPECT_EQ(times.slowest(), 0);
}

TEST(NextMargin, ShrinksByAStepWhileInTimeDownToTheMinimum) {
    const MarginBounds bounds;
    EXPECT_EQ(next_margin(bounds.initial, false), bounds.initial - bounds.step);
    EXPECT_EQ(next_margin(bounds.min + 10'000, false), bounds.min);
    EXPECT_EQ(next_margin(bounds.min, false), bounds.min);
    std::int64_t margin = bounds.initial;
    int frames = 0;
    while (margin > bounds.min) {
        margin = next_margin(margin, false);
        ++frames;
    }
    EXPECT_EQ(frames, 50); // 2 ms to 1 ms in under a second at 60 Hz
}

TEST(NextMargin, DoublesOnAMissUpToTheMaximum) {
    const MarginBounds bounds;
    EXPECT_EQ(next_margin(bounds.min, true), 2 * bounds.min);
    EXPECT_EQ(next_margin(3 * ms, true), 6 * ms);
    EXPECT_EQ(next_margin(6 * ms, true), bounds.max);
    EXPECT_EQ(next_margin(bounds.max, true), bounds.max);
}

TEST(NextMargin, OutOfRangeMarginsComeBackInRange) {
    const MarginBounds bounds;
    EXPECT_EQ(next_margin(0, true), bounds.min);
    EXPECT_EQ(next_margin(-ms, false), bounds.min);
    EXPECT_EQ(next_margin(100 * ms, false), bounds.max);
    EXPECT_EQ(next_margin(ms, false, {.initial = ms, .min = 3 * ms, .max = 2 * ms, .step = 1}), 3 * ms);
}

TEST(FrameCallbackDelay, UnknownClientsGetTheirCallbackAtOnce) {
    EXPECT_EQ(frame_callback_delay({.period_ns = period60, .rendered_ns = ms, .margin_ns = 2 * ms}), 0);
}

TEST(FrameCallbackDelay, UnknownRefreshMeansNoPacing) {
    EXPECT_EQ(frame_callback_delay({.period_ns = 0, .rendered_ns = 0, .margin_ns = 0, .reaction_ns = ms}), 0);
}

TEST(FrameCallbackDelay, WhatIsLeftOfThePeriodMinusTheClientAndTheMargin) {
    // 16.67 ms period, 1 ms spent rendering, the client needs 3 ms, 2 ms margin.
    EXPECT_EQ(frame_callback_delay({.period_ns = period60, .rendered_ns = ms, .margin_ns = 2 * ms,
                                    .reaction_ns = 3 * ms}),
              period60 - 6 * ms);
}

TEST(FrameCallbackDelay, ASlowClientGetsItAtOnce) {
    EXPECT_EQ(frame_callback_delay({.period_ns = period60, .rendered_ns = ms, .margin_ns = 2 * ms,
                                    .reaction_ns = 14 * ms}),
              0);
    EXPECT_EQ(frame_callback_delay({.period_ns = period60, .rendered_ns = ms, .margin_ns = 2 * ms,
                                    .reaction_ns = 40 * ms}),
              0);
}

TEST(FrameCallbackDelay, ALongRenderLeavesLessTime) {
    const auto quick = frame_callback_delay({.period_ns = period60, .rendered_ns = 1 * ms, .margin_ns = 2 * ms,
                                             .reaction_ns = 2 * ms});
    const auto slow = frame_callback_delay({.period_ns = period60, .rendered_ns = 8 * ms, .margin_ns = 2 * ms,
                                            .reaction_ns = 2 * ms});
    EXPECT_EQ(quick - slow, 7 * ms);
    EXPECT_EQ(frame_callback_delay({.period_ns = period60, .rendered_ns = 30 * ms, .margin_ns = 0,
                                    .reaction_ns = 0}),
              0);
}

TEST(FrameCallbackDelay, NegativeInputsAreTreatedAsZero) {
    EXPECT_EQ(frame_callback_delay({.period_ns = period60, .rendered_ns = -ms, .margin_ns = -ms,
                                    .reaction_ns = 0}),
              period60);
}

TEST(SharedDelay, TheEarliestOfThoseHeldBack) {
    const std::int64_t delays[] = {5 * ms, 3 * ms, 9 * ms};
    EXPECT_EQ(shared_delay(delays, ms), 3 * ms);
}

TEST(SharedDelay, CallbacksDueNowDoNotPullTheOthersForward) {
    // A slow client (0: at once) and one due within the coalescing window go now; the
    // paced ones still wait for theirs.
    const std::int64_t delays[] = {0, ms / 2, 7 * ms, 4 * ms};
    EXPECT_EQ(shared_delay(delays, ms), 4 * ms);
}

TEST(SharedDelay, NothingToHold) {
    const std::int64_t due_now[] = {0, ms / 2};
    EXPECT_FALSE(shared_delay(due_now, ms));
    EXPECT_FALSE(shared_delay({}, ms));
}

} // namespace
} // namespace spectrum::policy
