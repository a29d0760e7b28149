// What a guest writes is bytes, not text: before a log reaches a JSON encoder or a
// terminal, it is made valid UTF-8 with every control character shown, not obeyed.
#pragma once

#include <string>
#include <string_view>

namespace spectrum::vmbridge {

// `bytes` as valid UTF-8 that a terminal prints and never obeys: each byte of an invalid
// or overlong UTF-8 sequence becomes U+FFFD; C0 controls but newline and tab, DEL, the C1
// controls (U+0080–U+009F) and the bidi overrides and isolates (U+202A–U+202E,
// U+2066–U+2069) become a visible "\x1b" or "\u202e". ESC, BEL, CR and backspace are
// therefore never in the result: no escape sequence, no overwritten line.
std::string printable_log_text(std::string_view bytes);

} // namespace spectrum::vmbridge
