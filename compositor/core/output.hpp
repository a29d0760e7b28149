// One monitor (or headless output): its mode from the config, its place in the layout,
// its background, and the frame loop that renders the scene onto it.
#pragma once

#include "listener.hpp"
#include "wlr.hpp"

namespace spectrum {

class Server;

struct Output {
    Output(Server& server, wlr_output* output);

    Server& server;
    wlr_output* output;
    wlr_scene_output* scene_output = nullptr;
    wlr_scene_rect* background = nullptr;

    void update_background();

    Listener<void> frame;
    Listener<wlr_output_event_request_state> request_state;
    Listener<void> destroy;
};

} // namespace spectrum
