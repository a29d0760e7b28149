#include "frame_pacer.hpp"

#include <algorithm>
#include <ctime>
#include <limits>
#include <sys/timerfd.h>
#include <unistd.h>

namespace spectrum {

std::int64_t monotonic_ns() {
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    return static_cast<std::int64_t>(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

namespace {

timespec to_timespec(std::int64_t ns) {
    return {static_cast<time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000)};
}

bool wants_callback(const wlr_surface* surface) { return !wl_list_empty(&surface->current.frame_callback_list); }

struct ShownSurfaces {
    wlr_scene_output* output;
    std::vector<wlr_surface*>& surfaces;
};

// The surfaces whose buffers this output shows as their primary output: the same set
// wlr_scene_output_send_frame_done() would reach. Into `surfaces`, emptied first.
void collect_shown(wlr_scene_output* output, std::vector<wlr_surface*>& surfaces) {
    surfaces.clear();
    ShownSurfaces shown{output, surfaces};
    wlr_scene_output_for_each_buffer(
        output,
        [](wlr_scene_buffer* buffer, int, int, void* data) {
            auto* shown = static_cast<ShownSurfaces*>(data);
            if (buffer->primary_output != shown->output) return;
            if (wlr_scene_surface* scene_surface = wlr_scene_surface_try_from_buffer(buffer))
                shown->surfaces.push_back(scene_surface->surface);
        },
        &shown);
}

} // namespace

FramePacer::FramePacer(wl_event_loop* loop) {
    // A timerfd of our own: wl_event_loop's timers count whole milliseconds, and a callback
    // up to a millisecond early (or a second wake-up to catch the rest) is what pacing is
    // meant to avoid.
    timer_fd_ = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
    if (timer_fd_ < 0) {
        wlr_log_errno(WLR_ERROR, "frame pacing off: no timerfd");
        enabled_ = false;
        return;
    }
    timer_ = wl_event_loop_add_fd(loop, timer_fd_, WL_EVENT_READABLE, &FramePacer::handle_timer, this);
}

FramePacer::~FramePacer() {
    wlr_log(WLR_INFO, "frame pacing: %llu frames, %llu callbacks held back (%llu overtaken by the next "
            "frame, %llu answered too late for it), %llu timer wake-ups",
            static_cast<unsigned long long>(stats_.frames), static_cast<unsigned long long>(stats_.held),
            static_cast<unsigned long long>(stats_.late), static_cast<unsigned long long>(stats_.missed),
            static_cast<unsigned long long>(stats_.wakeups));
    if (timer_) wl_event_source_remove(timer_);
    if (timer_fd_ >= 0) close(timer_fd_);
}

void FramePacer::set_enabled(bool enabled) {
    enabled_ = enabled && timer_;
    if (!enabled) send_held(nullptr, std::nullopt);
}

FramePacer::Tracked& FramePacer::track(wlr_surface* surface) {
    auto& slot = tracked_[surface];
    if (slot) return *slot;
    slot = std::make_unique<Tracked>();
    Tracked* tracked = slot.get();
    tracked->surface = surface;
    tracked->commit.connect(&surface->events.commit, [this, tracked](void*) { answered(*tracked); });
    tracked->destroy.connect(&surface->events.destroy, [this, surface](void*) {
        tracked_.erase(surface);
        arm();
    });
    return *tracked;
}

void FramePacer::send(Tracked& tracked, std::int64_t now_ns) {
    // A held-back callback is judged by whether its commit makes the output's next frame.
    tracked.sent_for = tracked.due_ns ? tracked.held_by : nullptr;
    if (tracked.sent_for) tracked.sent_before_frame = frames_started_[tracked.sent_for];
    tracked.due_ns.reset();
    tracked.held_by = nullptr;
    if (!wants_callback(tracked.surface)) return;
    const timespec now = to_timespec(now_ns);
    wlr_surface_send_frame_done(tracked.surface, &now);
    tracked.sent_ns = now_ns;
}

void FramePacer::answered(Tracked& tracked) {
    // The first commit after a callback ends the client's drawing time.
    if (!tracked.sent_ns) return;
    tracked.reaction.add(monotonic_ns() - *tracked.sent_ns);
    tracked.sent_ns.reset();
    if (!tracked.sent_for) return;
    const auto output = frames_started_.find(tracked.sent_for);
    if (output != frames_started_.end()) {
        const bool missed = output->second != tracked.sent_before_frame;
        if (missed) ++stats_.missed;
        tracked.margin_ns = policy::next_margin(tracked.margin_ns, missed);
    }
    tracked.sent_for = nullptr;
}

void FramePacer::frame_started(wlr_scene_output* output) {
    ++frames_started_[output];
    // Anything still held for this output was due after its frame began: a misprediction,
    // which a wider margin puts right next time (send_held() counts it as late).
    send_held(output, std::nullopt, /*late=*/true);
}

void FramePacer::output_destroyed(wlr_scene_output* output) {
    send_held(output, std::nullopt);
    frames_started_.erase(output);
    for (auto& [surface, tracked] : tracked_) {
        if (tracked->sent_for == output) tracked->sent_for = nullptr;
        if (tracked->shown_on == output) tracked->shown_on = nullptr;
    }
}

bool FramePacer::all_wait_for_frame(const std::vector<wl_client*>& clients) {
    waiting_.assign(clients.size(), false);
    std::size_t found = 0;
    for (const auto& [surface, tracked] : tracked_) {
        if (!tracked->shown_on || !wants_callback(surface)) continue;
        // Shown in the output's latest frame (or the one before, if it has just begun): a
        // surface covered or moved away since then gets no callback until it is shown again.
        const auto frames = frames_started_.find(tracked->shown_on);
        if (frames == frames_started_.end() || frames->second - tracked->shown_frame > 1) continue;
        const auto client = std::find(clients.begin(), clients.end(), wl_resource_get_client(surface->resource));
        if (client == clients.end() || waiting_[client - clients.begin()]) continue;
        waiting_[client - clients.begin()] = true;
        if (++found == clients.size()) return true;
    }
    return false;
}

void FramePacer::frame_committed(wlr_scene_output* output, std::int64_t started_ns) {
    const std::int64_t now = monotonic_ns();
    ++stats_.frames;
    const int refresh_mhz = output->output->refresh;
    policy::PacingInput input;
    input.period_ns = enabled_ && refresh_mhz > 0 ? 1'000'000'000'000 / refresh_mhz : 0;
    input.rendered_ns = now - started_ns;
    // A client answers all its callbacks in one go: its surfaces share the earliest of
    // their times. Then every client paced on this output shares one time too
    // (policy::shared_delay): one timer wake-up sends them all, and their commits come back
    // together rather than in a wake-up per client.
    // The containers are kept between frames: no allocation per frame once they have grown.
    collect_shown(output, surfaces_);
    const std::uint64_t frame = frames_started_[output];
    shown_.clear();
    client_delay_.clear();
    for (wlr_surface* surface : surfaces_) {
        if (!wants_callback(surface)) continue;
        Tracked& tracked = track(surface);
        tracked.shown_on = output;
        tracked.shown_frame = frame;
        input.reaction_ns = tracked.reaction.slowest();
        input.margin_ns = tracked.margin_ns;
        const std::int64_t delay = policy::frame_callback_delay(input);
        shown_.push_back(&tracked);
        auto [it, added] = client_delay_.try_emplace(wl_resource_get_client(surface->resource), delay);
        if (!added) it->second = std::min(it->second, delay);
    }
    per_client_.clear();
    for (const auto& [client, delay] : client_delay_) per_client_.push_back(delay);
    // Set whenever some client's callbacks are to be held (its delay reaches coalesce_ns).
    const std::optional<std::int64_t> shared = policy::shared_delay(per_client_, coalesce_ns);
    for (Tracked* tracked : shown_) {
        // Due within the coalescing window: now, with the rest of this frame's callbacks.
        if (client_delay_[wl_resource_get_client(tracked->surface->resource)] < coalesce_ns) {
            send(*tracked, now);
        } else {
            tracked->due_ns = now + *shared;
            tracked->held_by = output;
            ++stats_.held;
        }
    }
    arm();
}

void FramePacer::send_held(wlr_scene_output* output, std::optional<std::int64_t> until_ns, bool late) {
    // One pass: send what is due, and find when the rest is.
    const std::int64_t now = monotonic_ns();
    std::int64_t next = std::numeric_limits<std::int64_t>::max();
    for (auto& [surface, tracked] : tracked_) {
        if (!tracked->due_ns) continue;
        if ((output && tracked->held_by != output) || (until_ns && *tracked->due_ns > *until_ns)) {
            next = std::min(next, *tracked->due_ns);
            continue;
        }
        if (late) {
            ++stats_.late;
            tracked->margin_ns = policy::next_margin(tracked->margin_ns, true);
        }
        send(*tracked, now);
    }
    arm_at(next);
}

void FramePacer::arm() {
    std::int64_t next = std::numeric_limits<std::int64_t>::max();
    for (const auto& [surface, tracked] : tracked_)
        if (tracked->due_ns) next = std::min(next, *tracked->due_ns);
    arm_at(next);
}

void FramePacer::arm_at(std::int64_t next) {
    if (!timer_) return;
    if (next == armed_for_) return; // a system call saved three times a frame
    armed_for_ = next;
    itimerspec spec{}; // all zero: disarmed
    if (next != std::numeric_limits<std::int64_t>::max()) {
        // Absolute, and never zero (which would disarm it).
        spec.it_value = to_timespec(std::max<std::int64_t>(next, 1));
    }
    timerfd_settime(timer_fd_, TFD_TIMER_ABSTIME, &spec, nullptr);
}

int FramePacer::handle_timer(int fd, std::uint32_t, void* data) {
    std::uint64_t expirations;
    (void)!read(fd, &expirations, sizeof expirations);
    auto* pacer = static_cast<FramePacer*>(data);
    pacer->armed_for_ = std::numeric_limits<std::int64_t>::max(); // fired
    ++pacer->stats_.wakeups;
    // Callbacks falling due within the next `coalesce_ns` go in the same wake-up: one read
    // and one batch of commits for the clients, one wake-up for the compositor.
    pacer->send_held(nullptr, monotonic_ns() + coalesce_ns);
    return 0;
}

} // namespace spectrum
