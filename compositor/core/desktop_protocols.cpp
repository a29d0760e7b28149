#include "desktop_protocols.hpp"

#include <cstdlib>

#include "output.hpp"
#include "server.hpp"
#include "view.hpp"

namespace spectrum {

namespace {

// What wlr-randr and kanshi may ask for, as `spectrumctl output add` allows.
constexpr int min_side = 64, max_side = 16384;
constexpr float min_scale = 0.5f, max_scale = 4.0f;
constexpr int default_refresh_mhz = 60000;

Output* find_output(Server& server, wlr_output* output) {
    for (auto& o : server.outputs)
        if (o->output == output) return o.get();
    return nullptr;
}

} // namespace

DesktopProtocols::DesktopProtocols(Server& server) : server_(server) {
    toplevel_manager_ = wlr_foreign_toplevel_manager_v1_create(server.display);
    output_manager_ = wlr_output_manager_v1_create(server.display);
    gamma_ = wlr_gamma_control_manager_v1_create(server.display);
    security_ = wlr_security_context_manager_v1_create(server.display);

    apply_.connect(&output_manager_->events.apply,
                   [this](wlr_output_configuration_v1* c) { apply_output_configuration(c, false); });
    test_.connect(&output_manager_->events.test,
                  [this](wlr_output_configuration_v1* c) { apply_output_configuration(c, true); });
    layout_change_.connect(&server.output_layout->events.change, [this](void*) { outputs_changed(); });

    set_gamma_.connect(&gamma_->events.set_gamma, [](wlr_gamma_control_manager_v1_set_gamma_event* e) {
        // A night-light tool's ramp (or none: the output's own). An output without gamma
        // (headless, nested) refused it already when the control was made.
        wlr_output_state state;
        wlr_output_state_init(&state);
        if (wlr_gamma_control_v1_apply(e->control, &state)) {
            if (wlr_output_test_state(e->output, &state)) {
                wlr_output_commit_state(e->output, &state);
                wlr_output_schedule_frame(e->output);
            } else if (e->control) {
                wlr_log(WLR_INFO, "output %s: gamma ramp refused", e->output->name);
                wlr_gamma_control_v1_send_failed_and_destroy(e->control);
            }
        }
        wlr_output_state_finish(&state);
    });
}

DesktopProtocols::~DesktopProtocols() {
    if (send_idle_) wl_event_source_remove(send_idle_);
}

bool DesktopProtocols::sandboxed(const wl_client* client) const {
    return security_ && wlr_security_context_manager_v1_lookup_client(security_, client) != nullptr;
}

void DesktopProtocols::outputs_changed() {
    if (send_idle_ || !server_.loop) return;
    send_idle_ = wl_event_loop_add_idle(
        server_.loop,
        [](void* data) {
            auto* self = static_cast<DesktopProtocols*>(data);
            self->send_idle_ = nullptr;
            self->send_output_configuration();
        },
        this);
}

void DesktopProtocols::send_output_configuration() {
    wlr_output_configuration_v1* config = wlr_output_configuration_v1_create();
    if (!config) return;
    for (auto& o : server_.outputs) {
        wlr_output_configuration_head_v1* head = wlr_output_configuration_head_v1_create(config, o->output);
        if (!head) continue;
        wlr_box box{};
        wlr_output_layout_get_box(server_.output_layout, o->output, &box);
        head->state.enabled = o->output->enabled && !wlr_box_empty(&box);
        head->state.x = box.x;
        head->state.y = box.y;
    }
    wlr_output_manager_v1_set_configuration(output_manager_, config); // takes it
}

void DesktopProtocols::apply_output_configuration(wlr_output_configuration_v1* config, bool test_only) {
    // Checked before the backend sees it: one clear line for a request we do not take.
    const char* refused = nullptr;
    int enabled = 0;
    wlr_output_configuration_head_v1* head;
    wl_list_for_each(head, &config->heads, link) {
        const wlr_output_head_v1_state& s = head->state;
        if (!s.enabled) continue;
        ++enabled;
        if (s.scale < min_scale || s.scale > max_scale) refused = "a scale outside 0.5 to 4";
        if (!s.mode && (s.custom_mode.width != 0 || s.custom_mode.height != 0) &&
            (s.custom_mode.width < min_side || s.custom_mode.height < min_side || s.custom_mode.width > max_side ||
             s.custom_mode.height > max_side))
            refused = "a mode outside 64 to 16384 pixels a side";
        if (s.x < -max_side * 4 || s.y < -max_side * 4 || s.x > max_side * 4 || s.y > max_side * 4)
            refused = "a position too far out";
    }
    if (enabled == 0) refused = "no output left on";

    bool ok = refused == nullptr;
    std::size_t count = 0;
    wlr_backend_output_state* states = ok ? wlr_output_configuration_v1_build_state(config, &count) : nullptr;
    if (ok && !states) {
        refused = "a configuration that could not be built";
        ok = false;
    }
    if (ok) {
        for (std::size_t i = 0; i < count; ++i) {
            // A headless custom mode without a rate gets one (never 0: frame pacing needs it;
            // a nested output's frames follow its parent's, at a rate not known here).
            wlr_output_state& s = states[i].base;
            if ((s.committed & WLR_OUTPUT_STATE_MODE) && s.mode_type == WLR_OUTPUT_STATE_MODE_CUSTOM &&
                s.custom_mode.refresh <= 0 && wlr_output_is_headless(states[i].output))
                s.custom_mode.refresh = states[i].output->refresh > 0 ? states[i].output->refresh : default_refresh_mhz;
        }
        ok = test_only ? wlr_backend_test(server_.backend, states, count)
                       : wlr_backend_commit(server_.backend, states, count);
        if (!ok) refused = "a configuration the outputs do not support";
    }
    if (ok && !test_only) {
        wl_list_for_each(head, &config->heads, link) {
            wlr_output* output = head->state.output;
            if (head->state.enabled) {
                const bool placed = wlr_output_layout_get(server_.output_layout, output) != nullptr;
                wlr_output_layout_output* lo =
                    wlr_output_layout_add(server_.output_layout, output, head->state.x, head->state.y);
                Output* o = find_output(server_, output);
                if (!placed && lo && o) wlr_scene_output_layout_add_output(server_.scene_layout, lo, o->scene_output);
            } else {
                wlr_output_layout_remove(server_.output_layout, output);
            }
        }
        for (auto& o : server_.outputs) o->update_background();
        server_.rescue_views();  // nothing left where no output is
        server_.restyle_views(); // labels at the new scales
    }
    for (std::size_t i = 0; i < count; ++i) wlr_output_state_finish(&states[i].base);
    std::free(states);
    if (ok) {
        wlr_output_configuration_v1_send_succeeded(config);
    } else {
        wlr_log(WLR_INFO, "output configuration %s: %s", test_only ? "test failed" : "refused", refused);
        wlr_output_configuration_v1_send_failed(config);
    }
    wlr_output_configuration_v1_destroy(config);
    outputs_changed();
}

TaskbarEntry::TaskbarEntry(Server& server, View& view)
    : server_(server), view_(view),
      handle_(wlr_foreign_toplevel_handle_v1_create(server.desktop_protocols->toplevels())) {
    if (!handle_) return;
    // The taskbar is the user's (host only): it may do what the user may do with the frame.
    activate_.connect(&handle_->events.request_activate,
                      [this](wlr_foreign_toplevel_handle_v1_activated_event*) { server_.focus_view(&view_); });
    minimize_.connect(&handle_->events.request_minimize, [this](wlr_foreign_toplevel_handle_v1_minimized_event* e) {
        if (e->minimized) view_.set_minimized(true);
        else server_.focus_view(&view_);
    });
    maximize_.connect(&handle_->events.request_maximize, [this](wlr_foreign_toplevel_handle_v1_maximized_event* e) {
        if (e->maximized != view_.maximized()) view_.toggle_maximize();
    });
    close_.connect(&handle_->events.request_close, [this](void*) { view_.close(); });
}

TaskbarEntry::~TaskbarEntry() {
    activate_.disconnect();
    minimize_.disconnect();
    maximize_.disconnect();
    close_.disconnect();
    if (handle_) wlr_foreign_toplevel_handle_v1_destroy(handle_);
}

void TaskbarEntry::update(const char* title, const char* app_id) {
    if (!handle_) return;
    wlr_foreign_toplevel_handle_v1_set_title(handle_, title);
    wlr_foreign_toplevel_handle_v1_set_app_id(handle_, app_id);
    wlr_foreign_toplevel_handle_v1_set_activated(handle_, server_.focused_view() == &view_);
    wlr_foreign_toplevel_handle_v1_set_minimized(handle_, view_.minimized());
    wlr_foreign_toplevel_handle_v1_set_maximized(handle_, view_.maximized());
    wlr_foreign_toplevel_handle_v1_set_fullscreen(handle_, view_.fullscreen());
    update_outputs();
}

void TaskbarEntry::update_outputs() {
    if (!handle_) return;
    const wlr_box frame = view_.frame_box();
    for (auto& o : server_.outputs) {
        wlr_box box{}, common{};
        wlr_output_layout_get_box(server_.output_layout, o->output, &box);
        if (wlr_box_intersection(&common, &box, &frame)) wlr_foreign_toplevel_handle_v1_output_enter(handle_, o->output);
        else wlr_foreign_toplevel_handle_v1_output_leave(handle_, o->output);
    }
}

} // namespace spectrum
