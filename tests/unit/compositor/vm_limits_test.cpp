#include "vm_limits.hpp"

#include <cstdint>
#include <gtest/gtest.h>

namespace spectrum::policy {
namespace {

LimitValues small_limits() {
    LimitValues limits;
    limits.clients = 2;
    limits.surfaces = 3;
    limits.toplevels = 1;
    limits.buffer_width = 100;
    limits.buffer_height = 50;
    limits.shm_bytes = 1000;
    return limits;
}

TEST(VmLimits, DefaultsMatchTheConfigDefaults) {
    const LimitValues defaults;
    EXPECT_EQ(defaults.clients, 16u);
    EXPECT_EQ(defaults.surfaces, 1024u);
    EXPECT_EQ(defaults.toplevels, 64u);
    EXPECT_EQ(defaults.buffer_width, 8192u);
    EXPECT_EQ(defaults.buffer_height, 8192u);
    EXPECT_EQ(defaults.shm_bytes, 1ull << 30);
}

TEST(VmLimits, CountsClientsUpToTheLimit) {
    VmUsage usage(small_limits());
    EXPECT_TRUE(usage.try_add_client());
    EXPECT_TRUE(usage.try_add_client());
    const auto third = usage.try_add_client();
    ASSERT_FALSE(third);
    EXPECT_EQ(third.error().limit, "clients");
    EXPECT_EQ(third.error().value, 3u);
    EXPECT_EQ(third.error().max, 2u);
    EXPECT_EQ(usage.clients(), 2u); // a refused add is not counted
    usage.remove_client();
    EXPECT_EQ(usage.clients(), 1u);
    EXPECT_TRUE(usage.try_add_client());
}

TEST(VmLimits, SurfacesAndToplevelsAreCountedSeparately) {
    VmUsage usage(small_limits());
    EXPECT_TRUE(usage.try_add_surface());
    EXPECT_TRUE(usage.try_add_toplevel());
    EXPECT_FALSE(usage.try_add_toplevel());
    EXPECT_TRUE(usage.try_add_surface());
    EXPECT_TRUE(usage.try_add_surface());
    EXPECT_FALSE(usage.try_add_surface());
    EXPECT_EQ(usage.surfaces(), 3u);
    EXPECT_EQ(usage.toplevels(), 1u);
    usage.remove_toplevel();
    EXPECT_EQ(usage.toplevels(), 0u);
    EXPECT_EQ(usage.surfaces(), 3u);
    EXPECT_TRUE(usage.try_add_toplevel());
}

TEST(VmLimits, SurfaceBreachDescribesItself) {
    VmUsage usage; // defaults: 1024 surfaces
    for (int i = 0; i < 1024; ++i)
        ASSERT_TRUE(usage.try_add_surface()) << i;
    const auto breach = usage.try_add_surface();
    ASSERT_FALSE(breach);
    EXPECT_EQ(breach.error().describe(), "surfaces limit 1024 reached");
}

TEST(VmLimits, CountersNeverUnderflow) {
    VmUsage usage(small_limits());
    usage.remove_client();
    usage.remove_surface();
    usage.remove_toplevel();
    usage.remove_shm(12345);
    EXPECT_EQ(usage.clients(), 0u);
    EXPECT_EQ(usage.surfaces(), 0u);
    EXPECT_EQ(usage.toplevels(), 0u);
    EXPECT_EQ(usage.shm_bytes(), 0u);
    // And the limits still hold afterwards: the extra removes bought nothing.
    EXPECT_TRUE(usage.try_add_client());
    EXPECT_TRUE(usage.try_add_client());
    EXPECT_FALSE(usage.try_add_client());
}

TEST(VmLimits, ShmBytesAreSummed) {
    VmUsage usage(small_limits());
    EXPECT_TRUE(usage.try_add_shm(600));
    EXPECT_TRUE(usage.try_add_shm(400)); // exactly at the limit
    EXPECT_EQ(usage.shm_bytes(), 1000u);
    const auto over = usage.try_add_shm(1);
    ASSERT_FALSE(over);
    EXPECT_EQ(over.error().limit, "shm_bytes");
    EXPECT_EQ(over.error().value, 1001u);
    EXPECT_EQ(over.error().describe(), "shm_bytes limit 1000 exceeded: 1001");
    usage.remove_shm(400);
    EXPECT_EQ(usage.shm_bytes(), 600u);
    EXPECT_TRUE(usage.try_add_shm(0));
    usage.remove_shm(5000);
    EXPECT_EQ(usage.shm_bytes(), 0u);
}

TEST(VmLimits, HugeShmRequestCannotWrapTheSum) {
    VmUsage usage(small_limits());
    ASSERT_TRUE(usage.try_add_shm(10));
    const auto huge = usage.try_add_shm(UINT64_MAX - 5);
    ASSERT_FALSE(huge);
    EXPECT_EQ(huge.error().value, UINT64_MAX);
    EXPECT_EQ(usage.shm_bytes(), 10u);
}

TEST(VmLimits, BufferDimensionsAreChecked) {
    const VmUsage usage(small_limits());
    EXPECT_TRUE(usage.check_buffer(100, 50));
    EXPECT_TRUE(usage.check_buffer(0, 0));
    const auto wide = usage.check_buffer(101, 10);
    ASSERT_FALSE(wide);
    EXPECT_EQ(wide.error().limit, "buffer_width");
    EXPECT_EQ(wide.error().describe(), "buffer_width limit 100 exceeded: 101");
    const auto tall = usage.check_buffer(10, UINT32_MAX);
    ASSERT_FALSE(tall);
    EXPECT_EQ(tall.error().limit, "buffer_height");
    EXPECT_EQ(tall.error().value, UINT32_MAX);
    EXPECT_EQ(tall.error().max, 50u);
}

TEST(VmLimits, LoweredLimitsApplyToTheNextAdd) {
    VmUsage usage;
    ASSERT_TRUE(usage.try_add_client());
    ASSERT_TRUE(usage.try_add_client());
    ASSERT_TRUE(usage.try_add_client());
    usage.set_limits(small_limits()); // clients = 2, below the 3 held
    EXPECT_EQ(usage.clients(), 3u);
    const auto refused = usage.try_add_client();
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().value, 4u);
    usage.remove_client(); // 2 held: still at the new limit
    EXPECT_FALSE(usage.try_add_client());
    usage.remove_client(); // 1 held: room for one
    EXPECT_TRUE(usage.try_add_client());
    EXPECT_FALSE(usage.try_add_client());
}

TEST(VmLimits, ZeroLimitRefusesEverything) {
    LimitValues none{};
    none.toplevels = 0;
    VmUsage usage(none);
    const auto refused = usage.try_add_toplevel();
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().describe(), "toplevels limit 0 reached");
}

TEST(VmLimits, ShmPoolsAreCountedAndGivenBack) {
    LimitValues limits{};
    limits.shm_pools = 2;
    VmUsage usage(limits);
    EXPECT_TRUE(usage.try_add_shm_pool());
    EXPECT_TRUE(usage.try_add_shm_pool());
    const auto refused = usage.try_add_shm_pool();
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().describe(), "shm_pools limit 2 reached");
    EXPECT_EQ(usage.shm_pools(), 2u);
    usage.remove_shm_pool();
    EXPECT_TRUE(usage.try_add_shm_pool());
}

TEST(VmLimits, OffersLengthCountAndBytes) {
    LimitValues limits{};
    limits.offers = 2;
    limits.mime_type_length = 10;
    limits.offer_bytes = 25;
    VmUsage usage(limits);
    const auto too_long = usage.try_add_offer(11, 0);
    ASSERT_FALSE(too_long);
    EXPECT_EQ(too_long.error().describe(), "mime_type_length limit 10 exceeded: 11");
    EXPECT_TRUE(usage.try_add_offer(10, 0)); // exactly the length
    const auto too_many = usage.try_add_offer(5, 2); // a source that holds 2 already
    ASSERT_FALSE(too_many);
    EXPECT_EQ(too_many.error().describe(), "offers limit 2 reached");
    EXPECT_TRUE(usage.try_add_offer(10, 1));
    EXPECT_EQ(usage.offer_bytes(), 20u);
    const auto too_much = usage.try_add_offer(6, 0); // 26 bytes in all
    ASSERT_FALSE(too_much);
    EXPECT_EQ(too_much.error().describe(), "offer_bytes limit 25 exceeded: 26");
    EXPECT_EQ(usage.offer_bytes(), 20u); // nothing counted for a refusal
    usage.remove_offers(20);
    EXPECT_TRUE(usage.try_add_offer(6, 0));
}

TEST(VmLimits, ObjectIdsUpToTheLimit) {
    LimitValues limits{};
    limits.objects = 100;
    VmUsage usage(limits);
    EXPECT_TRUE(usage.check_object_id(100));
    const auto refused = usage.check_object_id(101);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().describe(), "objects limit 100 reached");
}

} // namespace
} // namespace spectrum::policy
