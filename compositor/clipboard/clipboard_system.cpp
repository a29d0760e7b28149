#include "clipboard_system.hpp"

#include "server.hpp"

namespace spectrum {

void ClipboardSystemDeleter::operator()(ClipboardSystem* clipboard) const { delete clipboard; }

nlohmann::json clipboard_status(const Server& server) {
    using nlohmann::json;
    json status = {{"state", "empty"}, {"bytes", 0}, {"types", json::array()}, {"source", nullptr},
                   {"pastes_in_flight", 0}, {"last", nullptr}, {"notice", nullptr}};
    if (!server.clipboard) return status;
    const ClipboardBroker& broker = server.clipboard->broker;
    const auto& state = broker.state();
    using Phase = policy::ClipboardState::Phase;
    switch (state.phase()) {
    case Phase::Empty: status["state"] = "empty"; break;
    case Phase::Copying: status["state"] = "copying"; break;
    case Phase::Holding: status["state"] = "holding"; break;
    case Phase::Confirming: status["state"] = "confirming"; break;
    }
    if (const policy::Capture* held = state.held()) {
        status["bytes"] = held->size();
        status["types"] = held->mime_types();
        status["source"] = held->source();
    }
    if (state.confirming_target()) status["target"] = *state.confirming_target();
    status["pastes_in_flight"] = broker.pastes_in_flight();
    if (const auto& last = broker.last())
        status["last"] = {{"event", policy::event_name(last->event)}, {"text", last->text()},
                          {"seq", broker.notices_shown()}};
    const NoticeOverlay& notice = server.clipboard->notice;
    if (notice.visible()) {
        const wlr_box box = notice.box();
        status["notice"] = {{"text", notice.text()}, {"x", box.x}, {"y", box.y}, {"width", box.width},
                            {"height", box.height}};
    }
    return status;
}

} // namespace spectrum
