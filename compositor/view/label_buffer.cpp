#include "label_buffer.hpp"

#include <algorithm>
#include <cairo.h>
#include <cmath>
#include <drm_fourcc.h>
#include <pango/pangocairo.h>

#include "label_color.hpp"

namespace spectrum {

namespace {

// A wlr_buffer whose pixels live in a cairo image surface. wlr_buffer must be the first
// member so the impl callbacks can get back to the whole object.
struct CairoBuffer {
    wlr_buffer base;
    cairo_surface_t* surface;
};

void buffer_destroy(wlr_buffer* buffer) {
    auto* self = reinterpret_cast<CairoBuffer*>(buffer);
    cairo_surface_destroy(self->surface);
    delete self;
}

bool buffer_begin_access(wlr_buffer* buffer, uint32_t flags, void** data, uint32_t* format,
                         size_t* stride) {
    auto* self = reinterpret_cast<CairoBuffer*>(buffer);
    if (flags & WLR_BUFFER_DATA_PTR_ACCESS_WRITE) return false; // read-only for the renderer
    *data = cairo_image_surface_get_data(self->surface);
    *format = DRM_FORMAT_XRGB8888; // cairo's RGB24 in native (little-endian) byte order
    *stride = static_cast<size_t>(cairo_image_surface_get_stride(self->surface));
    return true;
}

void buffer_end_access(wlr_buffer*) {}

const wlr_buffer_impl cairo_buffer_impl = {
    .destroy = buffer_destroy,
    .get_dmabuf = nullptr,
    .get_shm = nullptr,
    .begin_data_ptr_access = buffer_begin_access,
    .end_data_ptr_access = buffer_end_access,
};

// `text` in `font` as a title is set: one paragraph, no markup, left to right (the label's
// "[vm]" prefix always comes first). The caller unrefs it.
PangoLayout* title_layout(cairo_t* cr, const std::string& text, const std::string& font) {
    PangoLayout* layout = pango_cairo_create_layout(cr);
    PangoFontDescription* desc = pango_font_description_from_string(font.c_str());
    pango_layout_set_font_description(layout, desc);
    pango_font_description_free(desc);
    pango_layout_set_single_paragraph_mode(layout, TRUE);
    pango_layout_set_auto_dir(layout, FALSE);
    pango_layout_set_text(layout, text.c_str(), -1);
    return layout;
}

} // namespace

std::pair<int, int> measure_label_text(const std::string& text, const std::string& font) {
    cairo_surface_t* surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 1, 1);
    cairo_t* cr = cairo_create(surface);
    PangoLayout* layout = title_layout(cr, text, font);
    int width = 0, height = 0;
    pango_layout_get_pixel_size(layout, &width, &height);
    g_object_unref(layout);
    cairo_destroy(cr);
    cairo_surface_destroy(surface);
    return {width, height};
}

wlr_buffer* render_label(const std::string& text, const std::string& font, int width, int height,
                         config::Color background, double scale) {
    if (width <= 0 || height <= 0) return nullptr;
    scale = std::clamp(scale, 1.0, 4.0);
    const int pixels_wide = static_cast<int>(std::ceil(width * scale));
    const int pixels_high = static_cast<int>(std::ceil(height * scale));
    // Opaque (RGB24 → XRGB8888): the scene then knows the label hides the title bar under
    // it, and paints it with a copy instead of a blend.
    cairo_surface_t* surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, pixels_wide, pixels_high);
    if (cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(surface);
        return nullptr;
    }
    cairo_t* cr = cairo_create(surface);

    cairo_set_source_rgba(cr, background.red(), background.green(), background.blue(), 1.0);
    cairo_paint(cr);
    // Everything below is laid out in logical pixels; pango renders the glyphs at the scale.
    cairo_scale(cr, scale, scale);

    const auto ink = policy::label_text_color(policy::Rgb{background.r, background.g, background.b});
    cairo_set_source_rgb(cr, ink.r / 255.0, ink.g / 255.0, ink.b / 255.0);

    // A title is text, never formatting: no markup.
    PangoLayout* layout = title_layout(cr, text, font);
    const int padding = 6;
    pango_layout_set_width(layout, (width - 2 * padding) * PANGO_SCALE);
    pango_layout_set_ellipsize(layout, PANGO_ELLIPSIZE_END);

    int text_w = 0, text_h = 0;
    pango_layout_get_pixel_size(layout, &text_w, &text_h);
    cairo_move_to(cr, padding, (height - text_h) / 2.0);
    pango_cairo_show_layout(cr, layout);

    g_object_unref(layout);
    cairo_destroy(cr);
    cairo_surface_flush(surface);

    auto* buffer = new CairoBuffer{};
    buffer->surface = surface;
    wlr_buffer_init(&buffer->base, &cairo_buffer_impl, pixels_wide, pixels_high);
    return &buffer->base;
}

} // namespace spectrum
