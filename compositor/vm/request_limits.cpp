#include "request_limits.hpp"

#include <cstring>
#include <format>
#include <string_view>

#include "fd_limit.hpp"
#include "server.hpp"
#include "vm.hpp"

namespace spectrum {

namespace {

// Request opcodes (wayland.xml, primary-selection-unstable-v1.xml).
constexpr int surface_destroy = 0, surface_damage = 2, surface_commit = 6, surface_damage_buffer = 9;
constexpr int region_add = 1, region_subtract = 2;
constexpr int shm_pool_create_buffer = 0;
constexpr int source_offer = 0; // wl_data_source and zwp_primary_selection_source_v1
// Ids from here up are the server's (libwayland's WL_SERVER_ID_START, not in its headers).
constexpr std::uint32_t server_id_start = 0xff000000;

bool is(const wl_protocol_logger_message& m, const wl_interface& interface, int opcode) {
    return m.message == &interface.methods[opcode];
}

// A wl_shm_pool of a VM, counted against its shm_pools until the pool and every buffer made
// from it are destroyed: wlroots closes the pool's descriptor only then. (A buffer the
// compositor still shows outlives its wl_buffer by a frame or so; not counted.)
struct PoolHold {
    Vm* vm;
    int holders = 1; // the pool, then each live buffer
    wl_listener pool_destroyed{};

    void drop() {
        if (--holders > 0) return;
        vm->usage.remove_shm_pool();
        delete this;
    }
    static void on_pool_destroyed(wl_listener* listener, void*) {
        PoolHold* self = wl_container_of(listener, self, pool_destroyed);
        self->drop();
    }
};

struct BufferHold {
    PoolHold* pool;
    wl_listener destroyed{};

    static void on_destroyed(wl_listener* listener, void*) {
        BufferHold* self = wl_container_of(listener, self, destroyed);
        self->pool->drop();
        delete self;
    }
};

// What one clipboard or drag source of a VM has offered.
struct SourceOffers {
    Vm* vm;
    std::uint32_t count = 0;
    std::uint64_t bytes = 0;
    wl_listener destroyed{};

    static void on_destroyed(wl_listener* listener, void*) {
        SourceOffers* self = wl_container_of(listener, self, destroyed);
        self->vm->usage.remove_offers(self->bytes);
        delete self;
    }
};

bool is_source(wl_resource* resource) {
    const char* name = wl_resource_get_class(resource);
    return std::strcmp(name, "wl_data_source") == 0 || std::strcmp(name, "zwp_primary_selection_source_v1") == 0;
}

// The descriptors among a request's arguments: 'h' in its signature.
template <typename Fn> void for_each_fd(const wl_protocol_logger_message& m, Fn&& fn) {
    int index = 0;
    for (const char* c = m.message->signature; *c && index < m.arguments_count; ++c) {
        if (*c == '?' || (*c >= '0' && *c <= '9')) continue;
        if (*c == 'h') fn(m.arguments[index].h);
        ++index;
    }
}

} // namespace

VmRequestLimits::VmRequestLimits(Server& server) : server_(server) {
    logger_ = wl_display_add_protocol_logger(server.display, &VmRequestLimits::log, this);
}

VmRequestLimits::~VmRequestLimits() {
    wl_protocol_logger_destroy(logger_);
}

void VmRequestLimits::watch(ClientInfo& info) {
    info.resource_created.notify = [](wl_listener* listener, void* data) {
        ClientInfo* info = wl_container_of(listener, info, resource_created);
        info->server->request_limits->resource_created(*info, static_cast<wl_resource*>(data));
    };
    wl_client_add_resource_created_listener(info.client, &info.resource_created);
}

void VmRequestLimits::log(void* data, wl_protocol_logger_type type, const wl_protocol_logger_message* message) {
    if (type == WL_PROTOCOL_LOGGER_REQUEST) static_cast<VmRequestLimits*>(data)->request(*message);
}

void VmRequestLimits::request(const wl_protocol_logger_message& m) {
    creating_from_pool_ = nullptr;
    wl_client* client = wl_resource_get_client(m.resource);
    ClientInfo* info = client_info(client);
    if (!info || !info->vm || info->doomed) return; // the host's clients are trusted
    Vm& vm = *info->vm;
    const policy::LimitValues& limits = vm.usage.limits();

    for_each_fd(m, [&](int fd) {
        if (!fd_limit::vm_may_hold(fd))
            server_.disconnect_client(client, std::format("descriptor {} is in the host's reserve (the last {} "
                                                          "below the limit of {})",
                                                          fd, fd_limit::host_reserve(fd_limit::current()),
                                                          fd_limit::current()));
    });
    if (info->doomed) return;

    if (is(m, wl_surface_interface, surface_damage) || is(m, wl_surface_interface, surface_damage_buffer)) {
        wlr_surface* surface = wlr_surface_from_resource(m.resource);
        pixman_region32_t& damage = m.message_opcode == surface_damage ? surface->pending.surface_damage
                                                                       : surface->pending.buffer_damage;
        const auto rects = static_cast<std::uint32_t>(pixman_region32_n_rects(&damage));
        // Once at the limit, the surface's damage stays one box until its commit: each
        // further request then costs O(1), not O(limit).
        if (rects < limits.damage_rects && !(rects > 1 && over_limit_.contains(m.resource))) return;
        over_limit_.insert(m.resource);
        const pixman_box32_t extents = *pixman_region32_extents(&damage);
        pixman_region32_fini(&damage);
        pixman_region32_init_with_extents(&damage, &extents);
        if (!info->damage_rects_logged) {
            info->damage_rects_logged = true;
            wlr_log(WLR_ERROR, "VM %s: damage_rects limit %u reached on a surface; its damage is its bounding box "
                    "whenever it has that many (logged once per client)", vm.name().c_str(), limits.damage_rects);
        }
    } else if (is(m, wl_surface_interface, surface_commit) || is(m, wl_surface_interface, surface_destroy)) {
        over_limit_.erase(m.resource);
    } else if (is(m, wl_region_interface, region_add) || is(m, wl_region_interface, region_subtract)) {
        const pixman_region32_t* region = wlr_region_from_resource(m.resource);
        if (static_cast<std::uint32_t>(pixman_region32_n_rects(region)) >= limits.region_rects)
            server_.disconnect_client(client, std::format("region_rects limit {} reached in a wl_region",
                                                          limits.region_rects));
    } else if (is(m, wl_shm_pool_interface, shm_pool_create_buffer)) {
        creating_from_pool_ = m.resource;
    } else if (m.message_opcode == source_offer && is_source(m.resource)) {
        wl_listener* listener = wl_resource_get_destroy_listener(m.resource, &SourceOffers::on_destroyed);
        if (!listener) return; // not counted: made before the client was watched
        SourceOffers* source = wl_container_of(listener, source, destroyed);
        const char* type = m.arguments[0].s;
        const std::uint64_t length = type ? std::strlen(type) : 0;
        if (auto ok = vm.usage.try_add_offer(length, source->count); !ok) {
            server_.disconnect_client(client, ok.error().describe());
            return;
        }
        ++source->count;
        source->bytes += length;
    }
}

void VmRequestLimits::resource_created(ClientInfo& info, wl_resource* resource) {
    if (!info.vm || info.doomed) return;
    Vm& vm = *info.vm;
    if (const std::uint32_t id = wl_resource_get_id(resource); id < server_id_start) {
        if (auto ok = vm.usage.check_object_id(id); !ok) {
            server_.disconnect_client(info.client, ok.error().describe());
            return;
        }
    }
    const char* name = wl_resource_get_class(resource);
    if (std::strcmp(name, "wl_shm_pool") == 0) {
        if (auto ok = vm.usage.try_add_shm_pool(); !ok) {
            server_.disconnect_client(info.client, ok.error().describe());
            return;
        }
        auto* hold = new PoolHold{&vm};
        hold->pool_destroyed.notify = &PoolHold::on_pool_destroyed;
        wl_resource_add_destroy_listener(resource, &hold->pool_destroyed);
    } else if (std::strcmp(name, "wl_buffer") == 0 && creating_from_pool_ &&
               wl_resource_get_client(creating_from_pool_) == info.client) {
        wl_listener* listener = wl_resource_get_destroy_listener(creating_from_pool_, &PoolHold::on_pool_destroyed);
        if (!listener) return;
        PoolHold* pool = wl_container_of(listener, pool, pool_destroyed);
        ++pool->holders;
        auto* hold = new BufferHold{pool};
        hold->destroyed.notify = &BufferHold::on_destroyed;
        wl_resource_add_destroy_listener(resource, &hold->destroyed);
    } else if (is_source(resource)) {
        auto* source = new SourceOffers{&vm};
        source->destroyed.notify = &SourceOffers::on_destroyed;
        wl_resource_add_destroy_listener(resource, &source->destroyed);
    }
}

} // namespace spectrum
