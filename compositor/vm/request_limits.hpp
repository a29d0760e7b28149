// Per-VM limits on what a VM can ask for over and over, each time costing the compositor
// time, memory or a file descriptor. They are checked before wlroots handles the request (a
// protocol logger sees every request just before it is dispatched) or as the object it
// makes appears (a resource-created listener on every VM client):
//
//   damage_rects      wl_surface.damage / damage_buffer: pixman's union is linear in the
//                     rectangles already pending, so n requests cost n²; at the limit the
//                     pending damage becomes its bounding box first, and stays one box until
//                     the commit (more damage is always correct), logged once per client.
//   region_rects      wl_region.add / subtract on a region at the limit costs the client its
//                     connection (a region's shape is meaning, not a hint).
//   shm_pools         a wl_shm_pool counts from its creation until it and every wl_buffer
//                     made from it are gone: wlroots holds its descriptor open until then.
//   offers, mime_type_length, offer_bytes
//                     wl_data_source.offer and zwp_primary_selection_source_v1.offer:
//                     wlroots copies each string and compares it with every earlier one.
//   objects           a client's new object with an id above the limit costs the client its
//                     connection (libwayland makes clients number objects densely, so the
//                     id bounds how many it holds: frame callbacks of a hidden surface,
//                     positioners, regions… nothing else counts them).
//   the host's fds    a VM request carrying a descriptor in the host's reserve
//                     (core/fd_limit.hpp) costs the client its connection.
//
// A client cut off gets a wl_display.error (no_memory) at once, so libwayland dispatches
// nothing more of what it sent; Server::disconnect_client logs the one line naming the VM
// and the limit. The limits are read from the VM's usage at every check, so a reload that
// changes them applies at once.
#pragma once

#include <unordered_set>

#include "wlr.hpp"

namespace spectrum {

class Server;
struct ClientInfo;

class VmRequestLimits {
  public:
    explicit VmRequestLimits(Server& server);
    ~VmRequestLimits();
    VmRequestLimits(const VmRequestLimits&) = delete;
    VmRequestLimits& operator=(const VmRequestLimits&) = delete;

    // A VM client just created: watch the objects it makes.
    void watch(ClientInfo& info);

    // Public for the listener in ClientInfo; called for every resource a VM client makes.
    void resource_created(ClientInfo& info, wl_resource* resource);

  private:
    static void log(void* data, wl_protocol_logger_type type, const wl_protocol_logger_message* message);
    void request(const wl_protocol_logger_message& message);

    Server& server_;
    wl_protocol_logger* logger_ = nullptr;
    // The wl_shm_pool whose create_buffer is being dispatched: the wl_buffer made now is its.
    wl_resource* creating_from_pool_ = nullptr;
    // wl_surfaces whose pending damage reached damage_rects since their last commit. (One
    // destroyed without a commit may stay: a new surface at its address then has its damage
    // cut to a box until its first commit, which is harmless.)
    std::unordered_set<wl_resource*> over_limit_;
};

} // namespace spectrum
