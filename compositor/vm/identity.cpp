// Client identity and per-VM enforcement: tagging clients with their VM at accept time,
// the global filter, per-VM limits, and disconnecting a VM client that breaks them.
#include <algorithm>
#include <cstring>
#include <format>
#include <unistd.h>

#include "desktop_protocols.hpp"
#include "fd_limit.hpp"
#include "protocol_allowlist.hpp"
#include "request_limits.hpp"
#include "server.hpp"
#include "view.hpp"
#include "vm.hpp"
#include "vm_socket.hpp"

namespace spectrum {

ClientInfo* client_info(wl_client* client) {
    return client ? static_cast<ClientInfo*>(wl_client_get_user_data(client)) : nullptr;
}

Vm* client_vm(wl_client* client) {
    ClientInfo* info = client_info(client);
    return info ? info->vm : nullptr;
}

Vm* surface_vm(wlr_surface* surface) {
    return surface ? client_vm(wl_resource_get_client(surface->resource)) : nullptr;
}

namespace {

policy::LimitValues limit_values(const config::Limits& l) {
    return {l.clients,      l.surfaces,  l.toplevels, l.buffer_width,     l.buffer_height,
            l.shm_bytes,    l.damage_rects, l.region_rects, l.shm_pools, l.offers,
            l.mime_type_length, l.offer_bytes, l.objects};
}

void destroy_client_info(void* data) {
    auto* info = static_cast<ClientInfo*>(data);
    // Unlinked whether or not libwayland dropped its list already (a lone link loops on itself).
    if (info->resource_created.notify) wl_list_remove(&info->resource_created.link);
    if (Vm* vm = info->vm) {
        std::erase(vm->clients, info->client);
        vm->usage.remove_client();
    }
    std::erase(info->server->doomed_clients, info->client);
    delete info;
}

bool global_filter(const wl_client* client, const wl_global* global, void* data) {
    // Host clients (no ClientInfo) see everything; a VM client only the allow-list, and so
    // does a host client that came through a security context (a sandboxed app). libwayland
    // asks this both when advertising and when binding, so a hidden global cannot be bound
    // by guessing its name.
    const auto* server = static_cast<const Server*>(data);
    const bool sandboxed = server->desktop_protocols && server->desktop_protocols->sandboxed(client);
    if (!wl_client_get_user_data(const_cast<wl_client*>(client)) && !sandboxed) return true;
    return vm_may_bind(wl_global_get_interface(global)->name);
}

} // namespace

void Tracker::release() {
    server.surface_trackers_.remove_if([this](const auto& t) { return t.get() == this; });
}

namespace {

struct SurfaceTracker : Tracker {
    SurfaceTracker(Server& server, Vm* vm, wlr_surface* surface) : Tracker(server, vm), surface(surface) {
        commit.connect(&surface->events.commit, [this](void*) {
            // Checked on every commit: a buffer bigger than the VM may use loses the client.
            const auto w = static_cast<uint32_t>(std::max(this->surface->current.buffer_width, 0));
            const auto h = static_cast<uint32_t>(std::max(this->surface->current.buffer_height, 0));
            wl_client* client = wl_resource_get_client(this->surface->resource);
            if (auto ok = this->vm->usage.check_buffer(w, h); !ok) {
                this->server.disconnect_client(client, ok.error().describe());
                return;
            }
            // What the compositor holds for this surface: its current buffer's pixels.
            const uint64_t now = this->surface->buffer ? uint64_t{w} * h * 4 : 0;
            if (now > bytes) {
                if (auto ok = this->vm->usage.try_add_shm(now - bytes); !ok) {
                    this->server.disconnect_client(client, ok.error().describe());
                    return;
                }
            } else {
                this->vm->usage.remove_shm(bytes - now);
            }
            bytes = now;
        });
        destroy.connect(&surface->events.destroy, [this](void*) {
            this->vm->usage.remove_surface();
            this->vm->usage.remove_shm(bytes);
            release();
        });
    }
    wlr_surface* surface;
    uint64_t bytes = 0; // counted against the VM's shm_bytes
    Listener<void> commit;
};

} // namespace

void Server::setup_vm_identity() {
    wl_display_set_global_filter(display, global_filter, this);
    request_limits = std::make_unique<VmRequestLimits>(*this);
}

void Server::handle_new_surface(wlr_surface* surface) {
    wl_client* client = wl_resource_get_client(surface->resource);
    Vm* vm = client_vm(client);
    if (!vm) return;
    if (auto ok = vm->usage.try_add_surface(); !ok) {
        disconnect_client(client, ok.error().describe());
        return;
    }
    surface_trackers_.push_back(std::make_unique<SurfaceTracker>(*this, vm, surface));
}

Vm* Server::find_vm(std::string_view name) {
    auto it = vms.find(name);
    return it == vms.end() ? nullptr : it->second.get();
}

std::filesystem::path vm_socket_dir(const std::string& name) {
    const char* runtime = getenv("XDG_RUNTIME_DIR");
    return std::filesystem::path(runtime ? runtime : "/tmp") / "spectrum" / "vm" / name;
}

void Server::apply_vms(const std::vector<config::VmConfig>& wanted) {
    // Removed VMs: their clients go first, then the socket.
    for (auto it = vms.begin(); it != vms.end();) {
        const bool keep = std::ranges::any_of(wanted, [&](const auto& v) { return v.name == it->first; });
        if (keep) {
            ++it;
            continue;
        }
        Vm* vm = it->second.get();
        wlr_log(WLR_INFO, "VM %s removed from the config: closing its socket and %zu client(s)",
                vm->name().c_str(), vm->clients.size());
        const auto clients = vm->clients;
        for (wl_client* client : clients) wl_client_destroy(client);
        for (auto& view : views)
            if (view->vm() == vm) view->forget_vm();
        it = vms.erase(it);
    }
    for (const auto& config : wanted) {
        if (Vm* vm = find_vm(config.name)) {
            // Same VM: new colour, label and limits apply to what is on screen now.
            vm->config = config;
            vm->usage.set_limits(limit_values(config.limits));
            continue;
        }
        auto vm = std::make_unique<Vm>();
        vm->config = config;
        vm->usage.set_limits(limit_values(config.limits));
        Vm* raw = vm.get();
        auto socket = VmSocket::create(loop, vm_socket_dir(config.name),
                                       [this, raw](int fd) { accept_vm_client(raw, fd); });
        if (!socket) {
            wlr_log(WLR_ERROR, "VM %s: %s", config.name.c_str(), socket.error().c_str());
            continue;
        }
        vm->socket = std::move(*socket);
        wlr_log(WLR_INFO, "VM %s listening on %s", config.name.c_str(), vm->socket->path().c_str());
        vms.emplace(config.name, std::move(vm));
    }
}

void Server::accept_vm_client(Vm* vm, int fd) {
    // The last descriptors are the host's: its clients can still connect when VMs hold all
    // the others (core/fd_limit.hpp).
    if (!fd_limit::vm_may_hold(fd)) {
        if (!vm->fd_reserve_logged)
            wlr_log(WLR_ERROR, "VM %s: descriptor %d is in the host's reserve (the last %d below the limit of %d); "
                    "connection refused (logged once until one is accepted)", vm->name().c_str(), fd,
                    fd_limit::host_reserve(fd_limit::current()), fd_limit::current());
        vm->fd_reserve_logged = true;
        close(fd);
        return;
    }
    if (auto ok = vm->usage.try_add_client(); !ok) {
        wlr_log(WLR_ERROR, "VM %s: %s; connection refused", vm->name().c_str(), ok.error().describe().c_str());
        close(fd);
        return;
    }
    wl_client* client = wl_client_create(display, fd);
    if (!client) {
        vm->usage.remove_client();
        close(fd);
        return;
    }
    // Tagged before it can send anything: this is the client's identity for its lifetime.
    auto* info = new ClientInfo{};
    info->server = this;
    info->vm = vm;
    info->client = client;
    wl_client_set_user_data(client, info, destroy_client_info);
    vm->clients.push_back(client);
    vm->fd_reserve_logged = false;
    request_limits->watch(*info);
}

void Server::disconnect_client(wl_client* client, const std::string& why) {
    ClientInfo* info = client_info(client);
    if (!info || info->doomed) return;
    info->doomed = true;
    wlr_log(WLR_ERROR, "VM %s: %s; disconnecting the client", info->vm ? info->vm->name().c_str() : "?",
            why.c_str());
    // An error at once: libwayland dispatches nothing more of what the client has sent, so a
    // flood of requests stops at the one that broke the limit.
    if (wl_resource* display = wl_client_get_object(client, 1))
        wl_resource_post_error(display, WL_DISPLAY_ERROR_NO_MEMORY, "%s", why.c_str());
    doomed_clients.push_back(client);
    // Not from inside this dispatch: the client may be mid-request.
    if (!reaper_) {
        reaper_ = wl_event_loop_add_idle(loop, [](void* data) {
            auto* self = static_cast<Server*>(data);
            self->reaper_ = nullptr;
            const auto doomed = self->doomed_clients;
            for (wl_client* c : doomed) wl_client_destroy(c);
        }, this);
    }
}

} // namespace spectrum
