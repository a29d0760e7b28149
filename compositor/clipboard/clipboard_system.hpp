// Everything the clipboard needs, created together by Server::setup_selection().
#pragma once

#include <nlohmann/json.hpp>

#include "broker.hpp"
#include "notice/notice.hpp"
#include "selection_router.hpp"

namespace spectrum {

struct ClipboardSystem {
    explicit ClipboardSystem(Server& server) : router(server), notice(server), broker(server, router, notice) {}

    SelectionRouter router;
    NoticeOverlay notice;
    ClipboardBroker broker; // uses the two above: declared after them
};

// `spectrumctl clipboard`: state, size, types and source VM, the last notice and where it
// is on screen — never the contents.
nlohmann::json clipboard_status(const Server& server);

} // namespace spectrum
