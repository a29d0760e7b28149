// Which events a client can be sent later, with its next frame callback, rather than in a
// message of their own. A client waiting for a frame callback draws nothing until it comes,
// so it has no use before then for a buffer given back or a report of when its last frame
// was shown; sending those at once only wakes it (and, for a VM, its virtual CPU) to read
// them and wait again. Everything else (input, configure, the frame callback itself, a
// wl_display.sync answer, errors) goes out at once.
#pragma once

#include <cstdint>
#include <string_view>

namespace spectrum::policy {

// `interface` and `opcode`: the event's, as libwayland's protocol logger reports them.
bool can_wait_for_frame(std::string_view interface, std::uint32_t opcode);

// The longest such an event is held back (ms) when no frame comes to carry it: a client
// whose window was covered while it waited for a callback gets its buffers back this late
// at worst. Longer than a 30 Hz output's period, so a frame normally carries them first.
constexpr int held_event_limit_ms = 40;

} // namespace spectrum::policy
