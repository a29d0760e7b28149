// Text colour for a title bar drawn in a VM's colour: whichever of black and white reads
// better, by the WCAG 2 contrast ratio. The VM's colour comes from the config, so any value
// must produce a legible label.
#pragma once

#include <cstdint>

namespace spectrum::policy {

struct Rgb {
    std::uint8_t r = 0, g = 0, b = 0;
    bool operator==(const Rgb&) const = default;
};

inline constexpr Rgb kBlack{0, 0, 0};
inline constexpr Rgb kWhite{255, 255, 255};

// WCAG 2 relative luminance of an sRGB colour, in [0, 1].
double relative_luminance(Rgb colour);

// WCAG 2 contrast ratio, in [1, 21]; symmetric in its arguments.
double contrast_ratio(Rgb a, Rgb b);

// kBlack or kWhite, whichever contrasts more with `background` (black on a tie).
Rgb label_text_color(Rgb background);

} // namespace spectrum::policy
