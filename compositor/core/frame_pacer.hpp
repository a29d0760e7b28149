// Sends frame callbacks as late as each client's recent drawing times allow, so its next
// commit arrives just before the output's next frame instead of waiting most of a period
// (policy/frame_pacing.hpp says why and how much). One pacer serves every output; each
// output hands it the surfaces it has just shown.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

#include "frame_pacing.hpp"
#include "listener.hpp"
#include "wlr.hpp"

namespace spectrum {

class FramePacer {
  public:
    explicit FramePacer(wl_event_loop* loop);
    ~FramePacer();
    FramePacer(const FramePacer&) = delete;
    FramePacer& operator=(const FramePacer&) = delete;

    // Off: every callback goes out straight after the frame, as in wlroots' own loop.
    void set_enabled(bool enabled);

    // At an output's frame event, before it renders: callbacks still held back for it are
    // late (the frame came before they were due) and go out now.
    void frame_started(wlr_scene_output* output);
    // Right after the output committed the frame that began at `started_ns` (CLOCK_MONOTONIC):
    // frame callbacks for every surface it shows, now or when due.
    void frame_committed(wlr_scene_output* output, std::int64_t started_ns);
    // The output is going: whatever it held back goes out now.
    void output_destroyed(wlr_scene_output* output);

    // Whether every one of `clients` asked for a frame callback on a surface an output showed
    // in its latest frame, and has not had it yet: it gets it at that output's next frame, or
    // when the pacer sends what it held back (EventBatcher holds their other events for it).
    bool all_wait_for_frame(const std::vector<wl_client*>& clients);

    // Callbacks this close to one falling due are sent with it.
    static constexpr std::int64_t coalesce_ns = 1'000'000;

  private:
    struct Tracked {
        wlr_surface* surface;
        policy::ReactionTimes reaction;
        std::optional<std::int64_t> sent_ns;   // callback sent, commit not seen yet
        std::optional<std::int64_t> due_ns;    // callback held back until then
        wlr_scene_output* held_by = nullptr;
        // Kept free before the next frame (policy::next_margin), and what it is judged on:
        // the frame of `sent_for` that a held-back callback was meant to make.
        std::int64_t margin_ns = policy::MarginBounds{}.initial;
        wlr_scene_output* sent_for = nullptr;
        std::uint64_t sent_before_frame = 0;
        // The output that last showed it asking for a callback, and which of its frames.
        wlr_scene_output* shown_on = nullptr;
        std::uint64_t shown_frame = 0;
        Listener<void> commit, destroy;
    };

    Tracked& track(wlr_surface* surface);
    void send(Tracked& tracked, std::int64_t now_ns);
    void answered(Tracked& tracked);
    // Sends the callbacks held for `output` (all outputs: nullptr) that are due by `until_ns`
    // (any time: nullopt), counting them as late if `late`, and re-arms the timer.
    void send_held(wlr_scene_output* output, std::optional<std::int64_t> until_ns, bool late = false);
    void arm();                      // for the earliest callback still held
    void arm_at(std::int64_t next);  // max: disarmed
    static int handle_timer(int fd, std::uint32_t mask, void* data);

    struct {
        std::uint64_t frames = 0, held = 0, late = 0, missed = 0, wakeups = 0;
    } stats_; // logged at exit
    int timer_fd_ = -1;
    std::int64_t armed_for_ = std::numeric_limits<std::int64_t>::max(); // max: disarmed
    wl_event_source* timer_ = nullptr;
    bool enabled_ = true;
    std::unordered_map<wlr_surface*, std::unique_ptr<Tracked>> tracked_;
    std::unordered_map<wlr_scene_output*, std::uint64_t> frames_started_;
    // frame_committed()'s working space, reused every frame.
    std::vector<wlr_surface*> surfaces_;
    std::vector<Tracked*> shown_;
    std::unordered_map<wl_client*, std::int64_t> client_delay_;
    std::vector<std::int64_t> per_client_;
    std::vector<bool> waiting_; // all_wait_for_frame()'s, likewise
};

std::int64_t monotonic_ns();

} // namespace spectrum
