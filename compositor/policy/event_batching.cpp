#include "event_batching.hpp"

namespace spectrum::policy {

bool can_wait_for_frame(std::string_view interface, std::uint32_t opcode) {
    // wl_buffer.release: the buffer is free to draw into again.
    if (interface == "wl_buffer") return opcode == 0;
    // wp_presentation_feedback: sync_output, presented, discarded. Reports, not requests for
    // anything; their timestamps say when, whenever they are read.
    if (interface == "wp_presentation_feedback") return opcode <= 2;
    // wl_display.delete_id: an object id the client may reuse (after a callback or a
    // feedback is done). wl_display.error (0) ends the client: at once.
    if (interface == "wl_display") return opcode == 1;
    return false;
}

} // namespace spectrum::policy
