// A VM as the compositor sees it: its config, its listening socket, its connected clients
// and what they use. A client's VM is fixed by the socket it arrived on.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "config.hpp"
#include "listener.hpp"
#include "vm_limits.hpp"
#include "wlr.hpp"

namespace spectrum {

class Server;
class VmSocket;

struct Vm {
    config::VmConfig config;
    std::unique_ptr<VmSocket> socket;
    policy::VmUsage usage;
    std::vector<wl_client*> clients;
    bool fd_reserve_logged = false; // a refused connection logs once until one is accepted

    const std::string& name() const { return config.name; }
};

// What the compositor knows about every client: which VM it belongs to (nullptr: host).
// Stored as the wl_client's user data from the moment the client is created.
struct ClientInfo {
    Server* server = nullptr;
    Vm* vm = nullptr; // borrowed; cleared when the VM is removed
    wl_client* client = nullptr;
    bool doomed = false;
    // vm/request_limits.cpp: what the client makes (shm pools, sources), and whether its
    // damage has been cut to a bounding box yet (logged once).
    wl_listener resource_created{};
    bool damage_rects_logged = false;
};

std::filesystem::path vm_socket_dir(const std::string& name);

// Bookkeeping attached to an object a VM client created (a surface, a shm pool), released
// together with that object.
struct Tracker {
    Tracker(Server& server, Vm* vm) : server(server), vm(vm) {}
    virtual ~Tracker() = default;
    Tracker(const Tracker&) = delete;
    Tracker& operator=(const Tracker&) = delete;
    void release(); // frees this tracker
    Server& server;
    Vm* vm;
    Listener<void> destroy;
};

// nullptr for host clients (and clients created before tagging, which only the host socket
// produces).
ClientInfo* client_info(wl_client* client);
Vm* client_vm(wl_client* client);
Vm* surface_vm(wlr_surface* surface);

} // namespace spectrum
