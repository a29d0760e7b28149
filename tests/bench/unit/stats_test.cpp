#include <gtest/gtest.h>

#include "stats.hpp"

namespace bench {
namespace {

constexpr std::uint64_t ms = 1'000'000;

TEST(Percentile, InterpolatesBetweenRanks) {
    EXPECT_EQ(percentile({}, 50), std::nullopt);
    EXPECT_DOUBLE_EQ(*percentile({7}, 99), 7);
    EXPECT_DOUBLE_EQ(*percentile({4, 1, 3, 2}, 50), 2.5);
    EXPECT_DOUBLE_EQ(*percentile({4, 1, 3, 2}, 0), 1);
    EXPECT_DOUBLE_EQ(*percentile({4, 1, 3, 2}, 100), 4);
    std::vector<double> hundred_and_one;
    for (int i = 0; i <= 100; ++i) hundred_and_one.push_back(i);
    EXPECT_DOUBLE_EQ(*percentile(hundred_and_one, 99), 99);
}

TEST(Collector, CountsOnlyFramesPresentedInsideTheInterval) {
    Collector c(2);
    c.presented(0, 1 * ms, 5 * ms, 16'666'666); // before the start: ignored
    c.start(10 * ms);
    c.presented(0, 9 * ms, 12 * ms, 16'666'666);
    c.presented(1, 10 * ms, 12 * ms, 16'666'666);
    c.presented(0, 20 * ms, 29 * ms, 16'666'666);
    c.discarded(21 * ms);
    c.committed(0, 9 * ms); // before the start
    c.committed(0, 20 * ms);
    c.committed(1, 21 * ms);
    c.committed(1, 25 * ms);
    c.stop(30 * ms);
    c.presented(1, 29 * ms, 31 * ms, 16'666'666); // after the stop: ignored
    const Summary s = c.summary();
    EXPECT_DOUBLE_EQ(s.duration_s, 0.02);
    EXPECT_EQ(s.frames, 3u);
    EXPECT_EQ(s.per_window, (std::vector<std::uint64_t>{2, 1}));
    EXPECT_EQ(s.windows_presenting, 2);
    EXPECT_EQ(s.discarded, 1u);
    EXPECT_EQ(s.commits, 3u);
    EXPECT_EQ(s.per_window_commits, (std::vector<std::uint64_t>{1, 2}));
    EXPECT_EQ(s.output_frames, 2u); // 12 ms and 29 ms
    EXPECT_DOUBLE_EQ(*s.latency_p50_ms, 3);
    EXPECT_DOUBLE_EQ(*s.latency_max_ms, 9);
    EXPECT_NEAR(*s.refresh_ms, 16.667, 0.001);
}

TEST(Collector, FeedbackLateIntoTheDrainStillCountsIfShownBeforeTheStop) {
    Collector c(1);
    c.start(0);
    c.stop(100 * ms);
    c.presented(0, 95 * ms, 99 * ms, 0); // arrives after the stop, shown before it
    EXPECT_EQ(c.summary().frames, 1u);
    EXPECT_FALSE(c.summary().refresh_ms);
}

TEST(Collector, NothingMeasuredWithoutAStart) {
    Collector c(1);
    c.presented(0, 1, 2, 0);
    const Summary s = c.summary();
    EXPECT_EQ(s.frames, 0u);
    EXPECT_EQ(s.windows_presenting, 0);
    EXPECT_FALSE(s.latency_p50_ms);
}

} // namespace
} // namespace bench
