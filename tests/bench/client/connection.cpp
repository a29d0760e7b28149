#include "connection.hpp"

#include <algorithm>
#include <cstring>

namespace bench {

namespace {

// Version 4 brings wl_surface.damage_buffer; 6 the preferred buffer scale. Anything newer
// has events this client would have to handle without needing them.
constexpr std::uint32_t kCompositorMin = 4, kCompositorMax = 6;

void handle_global(void* data, wl_registry* registry, std::uint32_t name, const char* interface,
                   std::uint32_t version) {
    auto* c = static_cast<Connection*>(data);
    const auto bind = [&](const wl_interface* iface, std::uint32_t max) {
        return wl_registry_bind(registry, name, iface, std::min(version, max));
    };
    if (std::strcmp(interface, wl_compositor_interface.name) == 0 && version >= kCompositorMin) {
        c->compositor_version = std::min(version, kCompositorMax);
        c->compositor = static_cast<wl_compositor*>(bind(&wl_compositor_interface, kCompositorMax));
    } else if (std::strcmp(interface, wl_shm_interface.name) == 0) {
        c->shm = static_cast<wl_shm*>(bind(&wl_shm_interface, 1));
    } else if (std::strcmp(interface, xdg_wm_base_interface.name) == 0) {
        c->wm_base = static_cast<xdg_wm_base*>(bind(&xdg_wm_base_interface, 1));
    } else if (std::strcmp(interface, wp_presentation_interface.name) == 0) {
        c->presentation = static_cast<wp_presentation*>(bind(&wp_presentation_interface, 1));
    } else if (std::strcmp(interface, zxdg_decoration_manager_v1_interface.name) == 0) {
        c->decoration_manager =
            static_cast<zxdg_decoration_manager_v1*>(bind(&zxdg_decoration_manager_v1_interface, 1));
    }
}

void handle_global_remove(void*, wl_registry*, std::uint32_t) {}

const wl_registry_listener registry_listener = {
    .global = handle_global,
    .global_remove = handle_global_remove,
};

void handle_ping(void*, xdg_wm_base* wm_base, std::uint32_t serial) {
    xdg_wm_base_pong(wm_base, serial);
}

const xdg_wm_base_listener wm_base_listener = {.ping = handle_ping};

void handle_clock_id(void* data, wp_presentation*, std::uint32_t clock) {
    static_cast<Connection*>(data)->clock = static_cast<clockid_t>(clock);
}

const wp_presentation_listener presentation_listener = {.clock_id = handle_clock_id};

} // namespace

std::expected<std::unique_ptr<Connection>, std::string> Connection::open() {
    std::unique_ptr<Connection> c(new Connection);
    c->display = wl_display_connect(nullptr);
    if (!c->display)
        return std::unexpected("cannot connect to the Wayland display (check WAYLAND_DISPLAY and "
                               "XDG_RUNTIME_DIR)");
    c->registry = wl_display_get_registry(c->display);
    wl_registry_add_listener(c->registry, &registry_listener, c.get());
    if (wl_display_roundtrip(c->display) < 0) return std::unexpected("the display closed the connection");
    if (!c->compositor) return std::unexpected("no wl_compositor of version 4 or newer");
    if (!c->shm) return std::unexpected("no wl_shm");
    if (!c->wm_base) return std::unexpected("no xdg_wm_base");
    if (!c->presentation) return std::unexpected("no wp_presentation: cannot measure presentation");
    xdg_wm_base_add_listener(c->wm_base, &wm_base_listener, c.get());
    wp_presentation_add_listener(c->presentation, &presentation_listener, c.get());
    // The clock_id event follows the bind.
    if (wl_display_roundtrip(c->display) < 0) return std::unexpected("the display closed the connection");
    return c;
}

Connection::~Connection() {
    if (decoration_manager) zxdg_decoration_manager_v1_destroy(decoration_manager);
    if (presentation) wp_presentation_destroy(presentation);
    if (wm_base) xdg_wm_base_destroy(wm_base);
    if (shm) wl_shm_destroy(shm);
    if (compositor) wl_compositor_destroy(compositor);
    if (registry) wl_registry_destroy(registry);
    if (display) wl_display_disconnect(display);
}

std::uint64_t Connection::now_ns() const {
    timespec ts{};
    clock_gettime(clock, &ts);
    return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000u + static_cast<std::uint64_t>(ts.tv_nsec);
}

} // namespace bench
