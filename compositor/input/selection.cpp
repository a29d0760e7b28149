// Selections and drag and drop, kept per VM: the seat's requests go to the SelectionRouter
// (clipboard/selection_router.hpp), which gives every VM — and the host — a clipboard and a
// primary selection of its own, and keeps each drag inside the VM it started in.
#include <cstdlib>

#include "clipboard/clipboard_system.hpp"
#include "drag_icon.hpp"
#include "server.hpp"

namespace spectrum {

namespace {

// A drag the compositor does not start. wlroots 0.18 frees an unstarted drag only through
// its source's destroy signal, so a drag without a source (the protocol allows one, for a
// drag inside one client) would stay allocated for good: 312 bytes per start_drag with a
// made-up serial, as often as a VM likes (found by the wire fuzzer, LeakSanitizer). For
// those, do what wlroots' drag_destroy() does for a drag that never started.
void discard_unstarted_drag(wlr_drag* drag) {
    if (drag->source) {
        wlr_data_source_destroy(drag->source); // destroys the drag too
        return;
    }
    wl_signal_emit_mutable(&drag->events.destroy, drag);
    wl_list_remove(&drag->focus_destroy.link);
    if (wlr_drag_icon* icon = drag->icon) {
        // The icon's destroy signal also reaches the drag's icon_destroy listener, which
        // clears drag->icon and unlinks itself.
        wl_list_remove(&icon->surface_destroy.link);
        wl_signal_emit_mutable(&icon->events.destroy, icon);
        free(icon);
    }
    free(drag);
}

} // namespace

void Server::setup_selection() {
    clipboard.reset(new ClipboardSystem(*this));
    request_selection_.connect(&seat->events.request_set_selection, [this](wlr_seat_request_set_selection_event* e) {
        clipboard->router.request_selection(e->source, e->serial);
    });
    request_primary_.connect(&seat->events.request_set_primary_selection,
                             [this](wlr_seat_request_set_primary_selection_event* e) {
                                 clipboard->router.request_primary(e->source, e->serial);
                             });
    request_drag_.connect(&seat->events.request_start_drag, [this](wlr_seat_request_start_drag_event* e) {
        if (wlr_seat_validate_pointer_grab_serial(seat, e->origin, e->serial)) {
            clipboard->router.keep_drag_in_domain(e->drag);
            wlr_seat_start_pointer_drag(seat, e->drag, e->serial);
        } else {
            discard_unstarted_drag(e->drag);
        }
    });
    start_drag_.connect(&seat->events.start_drag, [this](wlr_drag* drag) {
        if (drag->icon) drag_icon = std::make_unique<DragIcon>(*this, drag->icon);
    });
}

} // namespace spectrum
