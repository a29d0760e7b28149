// The shm pin (compositor/core/shm_access_pin.hpp) against the real wlroots: without it,
// every access to wl_shm memory installs wlroots' SIGBUS handler and puts the previous one
// back (the two sigaction() calls it saves); with it, the handler stays installed across
// accesses, and the previous one returns when the pin goes.
#include <gtest/gtest.h>

#include <csignal>
#include <cstring>

#include "shm_access_pin.hpp"

namespace spectrum {
namespace {

struct Action {
    void* handler;
    int flags;
    bool operator==(const Action&) const = default;
};

Action sigbus_action() {
    struct sigaction now {};
    sigaction(SIGBUS, nullptr, &now);
    void* handler = (now.sa_flags & SA_SIGINFO) ? reinterpret_cast<void*>(now.sa_sigaction)
                                                : reinterpret_cast<void*>(now.sa_handler);
    return {handler, now.sa_flags & SA_SIGINFO};
}

constexpr uint32_t fourcc(char a, char b, char c, char d) {
    return uint32_t(uint8_t(a)) | uint32_t(uint8_t(b)) << 8 | uint32_t(uint8_t(c)) << 16 |
           uint32_t(uint8_t(d)) << 24;
}

class ShmPin : public testing::Test {
  protected:
    ShmPin() {
        static const uint32_t formats[] = {fourcc('A', 'R', '2', '4'), fourcc('X', 'R', '2', '4')};
        shm = wlr_shm_create(display, 1, formats, 2);
    }
    ~ShmPin() override { wl_display_destroy(display); }

    // Runs `during` inside a begin/end data-pointer access to a fresh buffer.
    template <typename F> void access_one(F&& during) {
        wlr_buffer* buffer = create_own_shm_buffer(display, shm);
        ASSERT_NE(buffer, nullptr);
        void* data = nullptr;
        uint32_t format = 0;
        size_t stride = 0;
        ASSERT_TRUE(wlr_buffer_begin_data_ptr_access(buffer, WLR_BUFFER_DATA_PTR_ACCESS_READ,
                                                     &data, &format, &stride));
        EXPECT_EQ(stride, 4u);
        EXPECT_EQ(static_cast<const uint8_t*>(data)[0], 0); // readable: a fresh memfd page
        during();
        wlr_buffer_end_data_ptr_access(buffer);
        wlr_buffer_unlock(buffer);
    }

    wl_display* display = wl_display_create();
    wlr_shm* shm = nullptr;
    const Action before = sigbus_action();
};

TEST_F(ShmPin, WithoutItEveryAccessInstallsAndRemovesTheHandler) {
    ASSERT_NE(shm, nullptr);
    for (int i = 0; i < 3; ++i) {
        access_one([&] { EXPECT_NE(sigbus_action(), before) << "no handler during the access"; });
        EXPECT_EQ(sigbus_action(), before) << "the previous handler was not put back";
    }
}

TEST_F(ShmPin, WithItTheHandlerStaysAcrossAccesses) {
    auto pin = ShmAccessPin::create(display, shm);
    ASSERT_NE(pin, nullptr);
    const Action pinned = sigbus_action();
    EXPECT_NE(pinned, before);
    EXPECT_EQ(pinned.flags, SA_SIGINFO);
    for (int i = 0; i < 3; ++i) {
        access_one([&] { EXPECT_EQ(sigbus_action(), pinned); });
        EXPECT_EQ(sigbus_action(), pinned) << "an access ending took the handler away";
    }
    pin.reset();
    EXPECT_EQ(sigbus_action(), before) << "the pin did not give the handler back";
}

TEST_F(ShmPin, LeavesNoClientConnected) {
    auto pin = ShmAccessPin::create(display, shm);
    ASSERT_NE(pin, nullptr);
    EXPECT_TRUE(wl_list_empty(wl_display_get_client_list(display)));
    access_one([] {});
    EXPECT_TRUE(wl_list_empty(wl_display_get_client_list(display)));
}

} // namespace
} // namespace spectrum
