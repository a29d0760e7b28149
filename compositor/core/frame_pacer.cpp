#include "frame_pacer.hpp"

#include <algorithm>
#include <ctime>
#include <limits>

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
    std::vector<wlr_surface*> surfaces;
};

// The surfaces whose buffers this output shows as their primary output: the same set
// wlr_scene_output_send_frame_done() would reach.
std::vector<wlr_surface*> shown_on(wlr_scene_output* output) {
    ShownSurfaces shown{output, {}};
    wlr_scene_output_for_each_buffer(
        output,
        [](wlr_scene_buffer* buffer, int, int, void* data) {
            auto* shown = static_cast<ShownSurfaces*>(data);
            if (buffer->primary_output != shown->output) return;
            if (wlr_scene_surface* scene_surface = wlr_scene_surface_try_from_buffer(buffer))
                shown->surfaces.push_back(scene_surface->surface);
        },
        &shown);
    return shown.surfaces;
}

} // namespace

FramePacer::FramePacer(wl_event_loop* loop) { timer_ = wl_event_loop_add_timer(loop, &FramePacer::handle_timer, this); }

FramePacer::~FramePacer() {
    if (timer_) wl_event_source_remove(timer_);
}

void FramePacer::set_enabled(bool enabled) {
    enabled_ = enabled;
    if (!enabled) send_held(nullptr, std::nullopt);
}

FramePacer::Tracked& FramePacer::track(wlr_surface* surface) {
    auto& slot = tracked_[surface];
    if (slot) return *slot;
    slot = std::make_unique<Tracked>();
    Tracked* tracked = slot.get();
    tracked->surface = surface;
    tracked->commit.connect(&surface->events.commit, [tracked](void*) {
        // The first commit after a callback ends the client's drawing time.
        if (!tracked->sent_ns) return;
        tracked->reaction.add(monotonic_ns() - *tracked->sent_ns);
        tracked->sent_ns.reset();
    });
    tracked->destroy.connect(&surface->events.destroy, [this, surface](void*) {
        tracked_.erase(surface);
        arm();
    });
    return *tracked;
}

void FramePacer::send(Tracked& tracked, std::int64_t now_ns) {
    tracked.due_ns.reset();
    tracked.held_by = nullptr;
    if (!wants_callback(tracked.surface)) return;
    const timespec now = to_timespec(now_ns);
    wlr_surface_send_frame_done(tracked.surface, &now);
    tracked.sent_ns = now_ns;
}

void FramePacer::frame_started(wlr_scene_output* output) { send_held(output, std::nullopt); }

void FramePacer::output_destroyed(wlr_scene_output* output) { send_held(output, std::nullopt); }

void FramePacer::frame_committed(wlr_scene_output* output, std::int64_t started_ns) {
    const std::int64_t now = monotonic_ns();
    const int refresh_mhz = output->output->refresh;
    policy::PacingInput input;
    input.period_ns = enabled_ && refresh_mhz > 0 ? 1'000'000'000'000 / refresh_mhz : 0;
    input.rendered_ns = now - started_ns;
    input.margin_ns = margin_ns;
    for (wlr_surface* surface : shown_on(output)) {
        if (!wants_callback(surface)) continue;
        Tracked& tracked = track(surface);
        input.reaction_ns = tracked.reaction.slowest();
        const std::int64_t delay = policy::frame_callback_delay(input);
        // The timer counts whole milliseconds: under one, now is as good as later.
        if (delay < 1'000'000) {
            send(tracked, now);
        } else {
            tracked.due_ns = now + delay;
            tracked.held_by = output;
        }
    }
    arm();
}

void FramePacer::send_held(wlr_scene_output* output, std::optional<std::int64_t> until_ns) {
    const std::int64_t now = monotonic_ns();
    for (auto& [surface, tracked] : tracked_) {
        if (!tracked->due_ns || (output && tracked->held_by != output)) continue;
        if (until_ns && *tracked->due_ns > *until_ns) continue;
        send(*tracked, now);
    }
    arm();
}

void FramePacer::arm() {
    if (!timer_) return;
    std::int64_t next = std::numeric_limits<std::int64_t>::max();
    for (const auto& [surface, tracked] : tracked_)
        if (tracked->due_ns) next = std::min(next, *tracked->due_ns);
    if (next == std::numeric_limits<std::int64_t>::max()) {
        wl_event_source_timer_update(timer_, 0); // disarm
        return;
    }
    // Rounded down: a callback a fraction of a millisecond early costs nothing, a late one
    // can cost the client its frame. 0 would disarm, so at least 1 ms.
    const std::int64_t wait_ms = std::max<std::int64_t>((next - monotonic_ns()) / 1'000'000, 1);
    wl_event_source_timer_update(timer_, static_cast<int>(wait_ms));
}

int FramePacer::handle_timer(void* data) {
    auto* pacer = static_cast<FramePacer*>(data);
    // Whatever falls due within the next half millisecond goes now too.
    pacer->send_held(nullptr, monotonic_ns() + 500'000);
    return 0;
}

} // namespace spectrum
