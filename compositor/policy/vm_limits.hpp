// Per-VM resource accounting: how many clients, surfaces and toplevels a VM holds and how
// much shared memory it has mapped, checked against that VM's configured limits. The
// compositor calls try_add_* when a VM creates something and remove_* when it goes away; a
// breach is the VM's fault and costs it its connections (DESIGN.md, security model 6).
#pragma once

#include <cstdint>
#include <expected>
#include <string>

namespace spectrum::policy {

// Same names and defaults as config::Limits, so a breach message names the config key.
struct LimitValues {
    std::uint32_t clients = 16;
    std::uint32_t surfaces = 1024;
    std::uint32_t toplevels = 64;
    std::uint32_t buffer_width = 8192;
    std::uint32_t buffer_height = 8192;
    std::uint64_t shm_bytes = 1ull << 30;
    // Requests a VM repeats as often as it likes, each of which costs the compositor memory
    // or time, bounded too (vm/request_limits.cpp checks them before wlroots handles them).
    std::uint32_t damage_rects = 256;      // in a surface's pending damage
    std::uint32_t region_rects = 1024;     // in one wl_region
    std::uint32_t shm_pools = 512;         // each holds a file descriptor open
    std::uint32_t offers = 128;            // MIME types per clipboard or drag source
    std::uint32_t mime_type_length = 256;  // bytes of one offered MIME type
    std::uint64_t offer_bytes = 1ull << 20; // all offered MIME types of the VM's sources
    std::uint32_t objects = 32768;         // object ids one client may use
};

struct LimitBreach {
    enum class Kind {
        Count, // one more object than allowed: "surfaces limit 1024 reached"
        Size,  // a size above its maximum: "buffer_width limit 8192 exceeded: 9000"
    };

    std::string limit;   // the LimitValues field, e.g. "surfaces"
    std::uint64_t value; // what the request would have made it
    std::uint64_t max;
    Kind kind = Kind::Count;

    std::string describe() const;
};

class VmUsage {
  public:
    explicit VmUsage(LimitValues limits = {}) : limits_(limits) {}

    std::expected<void, LimitBreach> try_add_client();
    void remove_client();
    std::expected<void, LimitBreach> try_add_surface();
    void remove_surface();
    std::expected<void, LimitBreach> try_add_toplevel();
    void remove_toplevel();
    std::expected<void, LimitBreach> try_add_shm(std::uint64_t bytes);
    void remove_shm(std::uint64_t bytes);
    std::expected<void, LimitBreach> try_add_shm_pool();
    void remove_shm_pool();
    // One MIME type offered by one of the VM's sources: its length, and what the source and
    // the VM hold already. Counted only if all three are within the limits.
    std::expected<void, LimitBreach> try_add_offer(std::uint64_t length, std::uint32_t source_offers);
    void remove_offers(std::uint64_t bytes);

    // A client's new object: libwayland makes a client number its objects from 1 up, each new
    // id at most one past the highest in use, so capping the id caps how many a client holds
    // (and the table libwayland keeps for them).
    std::expected<void, LimitBreach> check_object_id(std::uint32_t id) const;

    // Buffers are not counted, only their dimensions checked against the limits.
    std::expected<void, LimitBreach> check_buffer(std::uint32_t width, std::uint32_t height) const;

    std::uint32_t clients() const { return clients_; }
    std::uint32_t surfaces() const { return surfaces_; }
    std::uint32_t toplevels() const { return toplevels_; }
    std::uint64_t shm_bytes() const { return shm_bytes_; }
    std::uint32_t shm_pools() const { return shm_pools_; }
    std::uint64_t offer_bytes() const { return offer_bytes_; }

    const LimitValues& limits() const { return limits_; }
    // A config reload: new limits apply to the next try_add_*; what a VM already holds is
    // not taken away, so usage may sit above a lowered limit until it drops.
    void set_limits(LimitValues limits) { limits_ = limits; }

  private:
    LimitValues limits_;
    std::uint32_t clients_ = 0;
    std::uint32_t surfaces_ = 0;
    std::uint32_t toplevels_ = 0;
    std::uint64_t shm_bytes_ = 0;
    std::uint32_t shm_pools_ = 0;
    std::uint64_t offer_bytes_ = 0;
};

} // namespace spectrum::policy
