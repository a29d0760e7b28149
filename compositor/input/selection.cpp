// Selections and drag and drop. For now the seat's single selection; per-VM isolation is
// the clipboard broker's job.
#include "server.hpp"
#include "vm.hpp"

namespace spectrum {

void Server::setup_selection() {
    request_selection_.connect(&seat->events.request_set_selection, [this](wlr_seat_request_set_selection_event* e) {
        wlr_seat_set_selection(seat, e->source, e->serial);
    });
    request_primary_.connect(&seat->events.request_set_primary_selection,
                             [this](wlr_seat_request_set_primary_selection_event* e) {
                                 wlr_seat_set_primary_selection(seat, e->source, e->serial);
                             });
    request_drag_.connect(&seat->events.request_start_drag, [this](wlr_seat_request_start_drag_event* e) {
        if (wlr_seat_validate_pointer_grab_serial(seat, e->origin, e->serial)) {
            wlr_seat_start_pointer_drag(seat, e->drag, e->serial);
        } else if (e->drag->source) {
            wlr_data_source_destroy(e->drag->source);
        }
    });
}

} // namespace spectrum
