#include "restart_backoff.hpp"

#include <gtest/gtest.h>

namespace spectrum::policy {
namespace {

TEST(RestartDelay, OneSecondTheFirstTime) { EXPECT_EQ(restart_delay_s(0, 0.1), 1); }

TEST(RestartDelay, DoublesWhileItKeepsDyingSoonUpToTheCap) {
    int delay = 0;
    std::vector<int> delays;
    for (int i = 0; i < 8; ++i) delays.push_back(delay = restart_delay_s(delay, 2.0));
    EXPECT_EQ(delays, (std::vector<int>{1, 2, 4, 8, 16, 30, 30, 30}));
}

TEST(RestartDelay, AHealthyRunForgetsEarlierCrashes) {
    EXPECT_EQ(restart_delay_s(16, 59.0), 30);
    EXPECT_EQ(restart_delay_s(16, 60.0), 1);
    EXPECT_EQ(restart_delay_s(30, 3600.0), 1);
}

} // namespace
} // namespace spectrum::policy
