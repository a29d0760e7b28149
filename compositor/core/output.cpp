#include "output.hpp"

#include <algorithm>
#include <cmath>

#include "damage_limit.hpp"
#include "frame_pacer.hpp"
#include "server.hpp"
#include "view.hpp"

namespace spectrum {

namespace {

const config::OutputConfig* find_output_config(const config::Config& config, const char* name) {
    const config::OutputConfig* wildcard = nullptr;
    for (const auto& entry : config.outputs) {
        if (entry.name == name) return &entry;
        if (entry.name == "*") wildcard = &entry;
    }
    return wildcard;
}

// What a headless output runs at when nothing says otherwise: wlroots' headless backend
// paces its frames at 60 Hz but reports a custom mode without a rate as 0 mHz, which would
// turn frame pacing off. (A nested output's frames follow its parent's, whose rate is not
// known here: it keeps 0, and wlroots' own loop.)
constexpr int default_refresh_mhz = 60000;

int fallback_refresh(wlr_output* output) { return wlr_output_is_headless(output) ? default_refresh_mhz : 0; }

// The refresh for a mode of width × height written without one: the highest rate the output
// lists for that size (its preferred mode's if that is the size), else the preferred mode's
// rate, else 60 Hz on a headless output. Never 0 there nor on a monitor.
int refresh_for_size(wlr_output* output, int width, int height) {
    wlr_output_mode* preferred = wlr_output_preferred_mode(output);
    if (preferred && preferred->width == width && preferred->height == height && preferred->refresh > 0)
        return preferred->refresh;
    int best = 0;
    wlr_output_mode* mode;
    wl_list_for_each(mode, &output->modes, link) {
        if (mode->width == width && mode->height == height) best = std::max(best, mode->refresh);
    }
    if (best > 0) return best;
    if (preferred && preferred->refresh > 0) return preferred->refresh;
    return fallback_refresh(output);
}

} // namespace

Output::Output(Server& server, wlr_output* output) : server(server), output(output) {
    const config::OutputConfig* cfg = find_output_config(server.config(), output->name);

    wlr_output_state state;
    wlr_output_state_init(&state);
    wlr_output_state_set_enabled(&state, !cfg || cfg->enabled);
    if (server.pending_virtual_size) {
        const auto [width, height] = *server.pending_virtual_size;
        wlr_output_state_set_custom_mode(&state, width, height, default_refresh_mhz);
    } else if (cfg && cfg->width && cfg->height) {
        // A listed mode if the output has one, otherwise a custom mode (nested, headless).
        // Without "@HZ" the rate is the output's own for that size, never 0.
        const int wanted = cfg->refresh ? static_cast<int>(*cfg->refresh * 1000)
                                        : refresh_for_size(output, *cfg->width, *cfg->height);
        wlr_output_mode* match = nullptr;
        wlr_output_mode* mode;
        wl_list_for_each(mode, &output->modes, link) {
            if (mode->width == *cfg->width && mode->height == *cfg->height && std::abs(mode->refresh - wanted) < 500) {
                match = mode;
                break;
            }
        }
        if (match) {
            wlr_output_state_set_mode(&state, match);
        } else {
            wlr_output_state_set_custom_mode(&state, *cfg->width, *cfg->height, wanted);
        }
    } else if (wlr_output_mode* preferred = wlr_output_preferred_mode(output)) {
        wlr_output_state_set_mode(&state, preferred);
    } else if (output->refresh <= 0 && wlr_output_is_headless(output) && output->width > 0 && output->height > 0) {
        // A headless output made without a rate: give it the one it runs at.
        wlr_output_state_set_custom_mode(&state, output->width, output->height, default_refresh_mhz);
    }
    if (cfg) wlr_output_state_set_scale(&state, static_cast<float>(cfg->scale));
    if (!wlr_output_commit_state(output, &state))
        wlr_log(WLR_ERROR, "output %s: the configured mode was refused", output->name);
    wlr_output_state_finish(&state);

    frame.connect(&output->events.frame, [this](void*) {
        const std::int64_t started = monotonic_ns();
        FramePacer& pacer = *this->server.pacer;
        pacer.frame_started(scene_output);
        this->server.damage_limit->apply(scene_output->damage_ring);
        wlr_scene_output_commit(scene_output, nullptr);
        // Instead of wlr_scene_output_send_frame_done(): each callback when its client needs it.
        pacer.frame_committed(scene_output, started);
    });
    request_state.connect(&output->events.request_state, [this](wlr_output_event_request_state* e) {
        // Nested backends resize their window this way.
        wlr_output_commit_state(this->output, e->state);
        update_background();
    });
    destroy.connect(&output->events.destroy, [this](void*) {
        Server& s = this->server;
        if (s.pacer) s.pacer->output_destroyed(scene_output); // gone already at shutdown
        wlr_scene_node_destroy(&background->node);
        // Out of the layout before the rescue, so no window is judged to be on it.
        wlr_output_layout_remove(s.output_layout, this->output);
        s.outputs.remove_if([this](const auto& o) { return o.get() == this; });
        s.rescue_views();
        s.restyle_views();
    });

    wlr_output_layout_output* layout_output =
        (cfg && cfg->x && cfg->y) ? wlr_output_layout_add(server.output_layout, output, *cfg->x, *cfg->y)
                                  : wlr_output_layout_add_auto(server.output_layout, output);
    scene_output = wlr_scene_output_create(server.scene, output);
    wlr_scene_output_layout_add_output(server.scene_layout, layout_output, scene_output);

    const config::Color bg = server.config().background;
    const float color[4] = {bg.red(), bg.green(), bg.blue(), 1.0f};
    background = wlr_scene_rect_create(server.background_layer, 0, 0, color);
    update_background();
}

void Output::update_background() {
    wlr_box box{};
    wlr_output_layout_get_box(server.output_layout, output, &box);
    wlr_scene_node_set_position(&background->node, box.x, box.y);
    wlr_scene_rect_set_size(background, box.width, box.height);
    const config::Color bg = server.config().background;
    const float color[4] = {bg.red(), bg.green(), bg.blue(), 1.0f};
    wlr_scene_rect_set_color(background, color);
}

void Server::handle_new_output(wlr_output* output) {
    // Hook the output to our renderer and allocator before its first commit.
    if (!wlr_output_init_render(output, allocator, renderer)) {
        wlr_log(WLR_ERROR, "output %s: cannot initialise rendering", output->name);
        return;
    }
    outputs.push_back(std::make_unique<Output>(*this, output));
    for (auto& o : outputs) o->update_background();
    restyle_views(); // labels sharp on the new output too
}

float Server::label_scale() const {
    float scale = 1.0f;
    for (const auto& o : outputs)
        if (o->output->enabled) scale = std::max(scale, o->output->scale);
    return std::min(scale, 4.0f);
}

float Server::scale_for(const wlr_box& box) const {
    float scale = 0.0f;
    for (const auto& o : outputs) {
        if (!o->output->enabled) continue;
        wlr_box area{}, common{};
        wlr_output_layout_get_box(output_layout, o->output, &area);
        if (wlr_box_intersection(&common, &area, &box)) scale = std::max(scale, o->output->scale);
    }
    return scale > 0.0f ? std::clamp(scale, 1.0f, 4.0f) : label_scale();
}

void Server::restyle_views() {
    for (auto& view : views) view->refresh_style();
}

void Server::rescue_views() {
    // Outputs come and go: a window whose title bar is on no output any more is brought
    // back onto one, so it can always be reached.
    for (auto& view : views) {
        if (!view->mapped()) continue;
        const wlr_box frame = view->frame_box();
        if (wlr_output_layout_output_at(output_layout, frame.x + frame.width / 2.0, frame.y + 4)) continue;
        const wlr_box area = output_box_at(frame.x, frame.y);
        const wlr_box content = view->content_box();
        view->set_position(area.x + (content.x - frame.x), area.y + (content.y - frame.y));
    }
}

} // namespace spectrum
