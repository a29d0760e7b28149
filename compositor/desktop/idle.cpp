// ext_idle_notifier_v1 (swayidle) and zwlr_output_power_manager_v1 (blanking). Input from
// any device, virtual ones included, is activity: it resets every idle timer and powers
// back on every output the power manager turned off.
#include "desktop.hpp"

#include "server.hpp"

namespace spectrum {

void Desktop::setup_idle() {
    idle_ = wlr_idle_notifier_v1_create(server_.display);
    output_power_ = wlr_output_power_manager_v1_create(server_.display);
    power_set_mode_.connect(&output_power_->events.set_mode, [this](wlr_output_power_v1_set_mode_event* e) {
        set_output_power(e->output, e->mode == ZWLR_OUTPUT_POWER_V1_MODE_ON);
    });
}

void Desktop::input_activity() {
    wlr_idle_notifier_v1_notify_activity(idle_, server_.seat);
    if (powered_off_.empty()) return;
    std::vector<wlr_output*> off;
    for (const auto& [output, saved] : powered_off_) off.push_back(output);
    for (wlr_output* output : off) set_output_power(output, true);
}

void Desktop::set_output_power(wlr_output* output, bool on) {
    const auto it = powered_off_.find(output);
    wlr_output_state state;
    wlr_output_state_init(&state);
    if (!on) {
        if (it != powered_off_.end() || !output->enabled) {
            wlr_output_state_finish(&state);
            return;
        }
        std::unique_ptr<SavedMode> saved(new SavedMode{output->width, output->height, output->refresh, {}});
        // Not rendered while off: a disabled output has no frames (headless too).
        wlr_output_state_set_enabled(&state, false);
        const bool ok = wlr_output_commit_state(output, &state);
        wlr_output_state_finish(&state);
        if (!ok) {
            wlr_log(WLR_ERROR, "output %s could not be powered off", output->name);
            return;
        }
        saved->destroy.connect(&output->events.destroy, [this, output](void*) { powered_off_.erase(output); });
        powered_off_[output] = std::move(saved);
        wlr_log(WLR_INFO, "output %s powered off", output->name);
        return;
    }
    if (it == powered_off_.end()) {
        wlr_output_state_finish(&state);
        return;
    }
    wlr_output_state_set_enabled(&state, true);
    if (output->current_mode) wlr_output_state_set_mode(&state, output->current_mode);
    else wlr_output_state_set_custom_mode(&state, it->second->width, it->second->height, it->second->refresh);
    const bool ok = wlr_output_commit_state(output, &state);
    wlr_output_state_finish(&state);
    powered_off_.erase(it);
    if (ok) wlr_log(WLR_INFO, "output %s powered on", output->name);
    else wlr_log(WLR_ERROR, "output %s could not be powered on", output->name);
}

void Server::note_input_activity() {
    if (desktop) desktop->input_activity();
}

} // namespace spectrum
