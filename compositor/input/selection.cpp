// Selections and drag and drop, kept per VM: the seat's requests go to the SelectionRouter
// (clipboard/selection_router.hpp), which gives every VM — and the host — a clipboard and a
// primary selection of its own, and keeps each drag inside the VM it started in.
#include "clipboard/clipboard_system.hpp"
#include "drag_icon.hpp"
#include "server.hpp"

namespace spectrum {

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
        } else if (e->drag->source) {
            wlr_data_source_destroy(e->drag->source);
        }
    });
    start_drag_.connect(&seat->events.start_drag, [this](wlr_drag* drag) {
        if (drag->icon) drag_icon = std::make_unique<DragIcon>(*this, drag->icon);
    });
}

} // namespace spectrum
