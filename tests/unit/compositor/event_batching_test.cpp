#include "event_batching.hpp"

#include <gtest/gtest.h>

namespace spectrum::policy {
namespace {

TEST(CanWaitForFrame, BufferReleasesPresentationReportsAndFreedIds) {
    EXPECT_TRUE(can_wait_for_frame("wl_buffer", 0));                // release
    EXPECT_TRUE(can_wait_for_frame("wp_presentation_feedback", 0)); // sync_output
    EXPECT_TRUE(can_wait_for_frame("wp_presentation_feedback", 1)); // presented
    EXPECT_TRUE(can_wait_for_frame("wp_presentation_feedback", 2)); // discarded
    EXPECT_TRUE(can_wait_for_frame("wl_display", 1));               // delete_id
}

TEST(CanWaitForFrame, NothingAClientMayBeWaitingFor) {
    EXPECT_FALSE(can_wait_for_frame("wl_display", 0));  // error
    EXPECT_FALSE(can_wait_for_frame("wl_callback", 0)); // frame done, or a sync's answer
    EXPECT_FALSE(can_wait_for_frame("wl_keyboard", 3)); // key
    EXPECT_FALSE(can_wait_for_frame("wl_pointer", 2));  // motion
    EXPECT_FALSE(can_wait_for_frame("xdg_surface", 0)); // configure
    EXPECT_FALSE(can_wait_for_frame("xdg_toplevel", 1)); // close
    EXPECT_FALSE(can_wait_for_frame("wl_surface", 0));  // enter
    EXPECT_FALSE(can_wait_for_frame("wl_data_offer", 0));
}

TEST(CanWaitForFrame, OpcodesBeyondTheKnownEventsDoNot) {
    EXPECT_FALSE(can_wait_for_frame("wl_buffer", 1));
    EXPECT_FALSE(can_wait_for_frame("wp_presentation_feedback", 3));
    EXPECT_FALSE(can_wait_for_frame("wl_display", 2));
}

TEST(CanWaitForFrame, NamesMatchWhole) {
    EXPECT_FALSE(can_wait_for_frame("wl_buffer_x", 0));
    EXPECT_FALSE(can_wait_for_frame("wl_buffe", 0));
    EXPECT_FALSE(can_wait_for_frame("", 0));
}

} // namespace
} // namespace spectrum::policy
