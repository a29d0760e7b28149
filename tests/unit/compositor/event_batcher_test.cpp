// The event batcher (compositor/core/event_batcher.hpp) against the real libwayland: a
// display, clients on socketpairs, and events sent to them as wlroots would send them. What
// is checked is what reaches the client's end of the socket, and when.
#include <gtest/gtest.h>

#include <chrono>
#include <sys/socket.h>
#include <unistd.h>

#include "event_batcher.hpp"
#include "event_batching.hpp"

namespace spectrum {
namespace {

struct TestClient {
    explicit TestClient(wl_display* display) {
        int fds[2];
        EXPECT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
        client = wl_client_create(display, fds[0]);
        peer = fds[1];
        // Objects as if the client had made them (the next ids in the client's range).
        buffer = wl_resource_create(client, &wl_buffer_interface, 1, 2);
        callback = wl_resource_create(client, &wl_callback_interface, 1, 3);
        EXPECT_NE(buffer, nullptr);
        EXPECT_NE(callback, nullptr);
    }
    ~TestClient() { close(peer); }

    // Bytes waiting at the client's end, read in one go (0: nothing was sent).
    ssize_t read_now() {
        char data[4096];
        const ssize_t n = recv(peer, data, sizeof data, MSG_DONTWAIT);
        return n < 0 ? 0 : n;
    }

    wl_client* client;
    int peer;
    wl_resource* buffer;
    wl_resource* callback;
};

constexpr ssize_t release_size = 8; // header only
constexpr ssize_t done_size = 12;   // header + serial

class Batcher : public testing::Test {
  protected:
    wl_display* display = wl_display_create();
    bool waiting = true;
    std::vector<wl_client*> asked_about;
    std::unique_ptr<EventBatcher> batcher = std::make_unique<EventBatcher>(
        display, [this](const std::vector<wl_client*>& clients) {
            asked_about = clients;
            return waiting;
        });
    ~Batcher() override {
        batcher.reset();
        wl_display_destroy(display);
    }
};

TEST_F(Batcher, ABufferReleaseWaitsForTheFrameCallbackAndGoesInOneMessageWithIt) {
    TestClient client(display);
    wl_buffer_send_release(client.buffer);
    batcher->dispatch(0);
    EXPECT_EQ(client.read_now(), 0) << "released at once to a client waiting for its frame";
    EXPECT_EQ(asked_about, std::vector<wl_client*>{client.client});
    wl_callback_send_done(client.callback, 1);
    batcher->dispatch(0);
    EXPECT_EQ(client.read_now(), release_size + done_size);
}

TEST_F(Batcher, AClientNotWaitingForAFrameGetsItAtOnce) {
    waiting = false;
    TestClient client(display);
    wl_buffer_send_release(client.buffer);
    batcher->dispatch(0);
    EXPECT_EQ(client.read_now(), release_size);
}

TEST_F(Batcher, AnythingElseGoesAtOnce) {
    TestClient client(display);
    wl_callback_send_done(client.callback, 7); // a frame callback, or a sync's answer
    batcher->dispatch(0);
    EXPECT_EQ(client.read_now(), done_size);
    EXPECT_TRUE(asked_about.empty()) << "nothing to hold, nothing to ask";
}

TEST_F(Batcher, NothingWaitsLongerThanTheLimit) {
    TestClient client(display);
    wl_buffer_send_release(client.buffer);
    const auto start = std::chrono::steady_clock::now();
    ssize_t got = 0;
    while (!got && std::chrono::steady_clock::now() - start < std::chrono::seconds(2)) {
        batcher->dispatch(5);
        got = client.read_now();
    }
    const auto waited = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(got, release_size) << "never sent";
    EXPECT_GE(waited, std::chrono::milliseconds(policy::held_event_limit_ms - 5));
    EXPECT_LT(waited, std::chrono::milliseconds(1000));
}

TEST_F(Batcher, OneClientsUrgentEventFlushesTheOthersToo) {
    // libwayland can flush one client, but only flushing them all watches for a full socket:
    // so a held client goes too, as in wlroots' own loop.
    TestClient held(display), other(display);
    wl_buffer_send_release(held.buffer);
    wl_callback_send_done(other.callback, 1);
    batcher->dispatch(0);
    EXPECT_EQ(held.read_now(), release_size);
    EXPECT_EQ(other.read_now(), done_size);
}

TEST_F(Batcher, EveryHoldingClientIsAskedAbout) {
    TestClient first(display), second(display);
    wl_buffer_send_release(first.buffer);
    wl_buffer_send_release(second.buffer);
    wl_buffer_send_release(first.buffer);
    batcher->dispatch(0);
    EXPECT_EQ(asked_about, (std::vector<wl_client*>{first.client, second.client}));
    EXPECT_EQ(first.read_now(), 0);
    waiting = false; // one of them stops waiting: both go
    batcher->dispatch(0);
    EXPECT_EQ(first.read_now(), 2 * release_size);
    EXPECT_EQ(second.read_now(), release_size);
}

TEST_F(Batcher, RunEndsOnStop) {
    wl_event_source* timer = wl_event_loop_add_timer(
        wl_display_get_event_loop(display),
        [](void* data) {
            static_cast<EventBatcher*>(data)->stop();
            return 0;
        },
        batcher.get());
    wl_event_source_timer_update(timer, 1);
    batcher->run(); // returns, or the test times out
    wl_event_source_remove(timer);
}

} // namespace
} // namespace spectrum
