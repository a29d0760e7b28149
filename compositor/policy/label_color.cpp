#include "label_color.hpp"

#include <algorithm>
#include <cmath>

namespace spectrum::policy {

namespace {

// sRGB transfer function inverse, as WCAG 2.x defines it (0.04045 threshold, IEC 61966-2-1).
double linear_channel(std::uint8_t value) {
    const double c = value / 255.0;
    return c <= 0.04045 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4);
}

} // namespace

double relative_luminance(Rgb colour) {
    return 0.2126 * linear_channel(colour.r) + 0.7152 * linear_channel(colour.g) +
           0.0722 * linear_channel(colour.b);
}

double contrast_ratio(Rgb a, Rgb b) {
    const double la = relative_luminance(a), lb = relative_luminance(b);
    return (std::max(la, lb) + 0.05) / (std::min(la, lb) + 0.05);
}

Rgb label_text_color(Rgb background) {
    return contrast_ratio(background, kWhite) > contrast_ratio(background, kBlack) ? kWhite
                                                                                   : kBlack;
}

} // namespace spectrum::policy
