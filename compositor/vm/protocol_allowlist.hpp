// What a VM client may see and bind. Everything not listed is invisible to VM clients and
// cannot be bound by name; host clients see every global.
#pragma once

#include <algorithm>
#include <array>
#include <string_view>

namespace spectrum {

inline constexpr std::array<std::string_view, 17> vm_allowed_globals = {
    "wl_compositor",
    "wl_subcompositor",
    "wl_shm",
    "wl_seat",
    "wl_output",
    "wl_data_device_manager",
    "xdg_wm_base",
    "zxdg_decoration_manager_v1",
    "zxdg_output_manager_v1",
    "wp_viewporter",
    "wp_presentation",
    "wp_fractional_scale_manager_v1",
    "wp_single_pixel_buffer_manager_v1",
    "wp_cursor_shape_manager_v1",
    "zwp_primary_selection_device_manager_v1",
    "xdg_activation_v1",
    "zwp_linux_dmabuf_v1",
};

inline bool vm_may_bind(std::string_view interface) {
    return std::ranges::find(vm_allowed_globals, interface) != vm_allowed_globals.end();
}

} // namespace spectrum
