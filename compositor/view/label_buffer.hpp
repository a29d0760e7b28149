// Text rendered with pango/cairo into a wlr_buffer that the scene can show.
#pragma once

#include <string>
#include <utility>

#include "config.hpp"
#include "wlr.hpp"

namespace spectrum {

// Returns a buffer for a width × height label (logical pixels) filled with `background`,
// `text` drawn on it in black or white (whichever reads better), ellipsized to fit. It has
// `scale` times as many pixels each way (rounded up), so text stays sharp on a HiDPI output
// once shown at width × height. The caller drops it with wlr_buffer_drop(). nullptr if width
// or height is not positive.
// The size `text` takes in `font` laid out as render_label lays it out (before ellipsizing),
// in logical pixels.
std::pair<int, int> measure_label_text(const std::string& text, const std::string& font);

wlr_buffer* render_label(const std::string& text, const std::string& font, int width, int height,
                         config::Color background, double scale = 1.0);

} // namespace spectrum
