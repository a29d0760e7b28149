#include "shm_access_pin.hpp"

#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <wayland-client.h>

namespace spectrum {

namespace {

// The server side of the private connection can be destroyed by libwayland behind our back
// (a protocol error); this notices.
struct ClientWatch {
    wl_listener destroyed{};
    wl_client* client = nullptr;
};

void forget_client(wl_listener* listener, void*) {
    ClientWatch* watch = wl_container_of(listener, watch, destroyed);
    watch->client = nullptr;
}

} // namespace

wlr_buffer* create_own_shm_buffer(wl_display* display, wlr_shm* shm) {
    int fds[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
        wlr_log_errno(WLR_ERROR, "shm pin: socketpair");
        return nullptr;
    }
    ClientWatch watch;
    watch.client = wl_client_create(display, fds[0]);
    if (!watch.client) {
        close(fds[0]);
        close(fds[1]);
        wlr_log(WLR_ERROR, "shm pin: cannot connect to ourselves");
        return nullptr;
    }
    watch.destroyed.notify = forget_client;
    wl_client_add_destroy_listener(watch.client, &watch.destroyed);

    wlr_buffer* result = nullptr;
    if (wl_display* self = wl_display_connect_to_fd(fds[1])) {
        // Bound by the global's name, known on this side: no round trip needed.
        wl_registry* registry = wl_display_get_registry(self);
        auto* shm_proxy = static_cast<wl_shm*>(wl_registry_bind(
            registry, wl_global_get_name(shm->global, watch.client), &wl_shm_interface, 1));
        wl_shm_pool* pool = nullptr;
        wl_buffer* buffer = nullptr;
        int memfd = memfd_create("spectrum-shm-pin", MFD_CLOEXEC);
        if (memfd >= 0 && ftruncate(memfd, 4) == 0) {
            pool = wl_shm_create_pool(shm_proxy, memfd, 4);
            buffer = wl_shm_pool_create_buffer(pool, 0, 1, 1, 4, WL_SHM_FORMAT_XRGB8888);
        }
        if (memfd >= 0) close(memfd); // the request carries its own copy
        if (buffer && wl_display_flush(self) >= 0) {
            const uint32_t id = wl_proxy_get_id(reinterpret_cast<wl_proxy*>(buffer));
            wl_event_loop* loop = wl_display_get_event_loop(display);
            for (int round = 0; round < 8 && watch.client && !result; ++round) {
                wl_event_loop_dispatch(loop, 0);
                if (!watch.client) break;
                if (wl_resource* resource = wl_client_get_object(watch.client, id))
                    result = wlr_buffer_try_from_resource(resource);
            }
        }
        // Proxies go without requests: the other end is about to close.
        for (void* proxy : {static_cast<void*>(buffer), static_cast<void*>(pool),
                            static_cast<void*>(shm_proxy), static_cast<void*>(registry)})
            if (proxy) wl_proxy_destroy(static_cast<wl_proxy*>(proxy));
        if (watch.client) wl_client_destroy(watch.client); // the buffer stays while locked
        wl_display_disconnect(self);
    } else {
        wl_client_destroy(watch.client); // (libwayland has closed fds[1])
    }
    if (watch.client) wl_list_remove(&watch.destroyed.link);
    if (!result) wlr_log(WLR_ERROR, "shm pin: the one-pixel wl_shm buffer was not made");
    return result;
}

std::unique_ptr<ShmAccessPin> ShmAccessPin::create(wl_display* display, wlr_shm* shm) {
    wlr_buffer* buffer = create_own_shm_buffer(display, shm);
    if (!buffer) return nullptr;
    void* data = nullptr;
    uint32_t format = 0;
    size_t stride = 0;
    if (!wlr_buffer_begin_data_ptr_access(buffer, WLR_BUFFER_DATA_PTR_ACCESS_READ, &data, &format,
                                          &stride)) {
        wlr_log(WLR_ERROR, "shm pin: wlroots refused access to its own buffer");
        wlr_buffer_unlock(buffer);
        return nullptr;
    }
    return std::unique_ptr<ShmAccessPin>(new ShmAccessPin(buffer));
}

ShmAccessPin::~ShmAccessPin() {
    wlr_buffer_end_data_ptr_access(buffer_);
    wlr_buffer_unlock(buffer_);
}

} // namespace spectrum
