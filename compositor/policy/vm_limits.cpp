#include "vm_limits.hpp"

#include <format>

namespace spectrum::policy {

namespace {

std::expected<void, LimitBreach> try_increment(std::uint32_t& count, std::uint32_t max,
                                               const char* name) {
    if (count >= max) return std::unexpected(LimitBreach{name, std::uint64_t{count} + 1, max});
    ++count;
    return {};
}

// A remove without a matching add is a bug in the caller, not something a VM can cause;
// saturating keeps the accounting usable instead of wrapping to 4 billion.
void decrement(std::uint32_t& count) {
    if (count > 0) --count;
}

} // namespace

std::string LimitBreach::describe() const {
    if (kind == Kind::Count) return std::format("{} limit {} reached", limit, max);
    return std::format("{} limit {} exceeded: {}", limit, max, value);
}

std::expected<void, LimitBreach> VmUsage::try_add_client() {
    return try_increment(clients_, limits_.clients, "clients");
}

void VmUsage::remove_client() {
    decrement(clients_);
}

std::expected<void, LimitBreach> VmUsage::try_add_surface() {
    return try_increment(surfaces_, limits_.surfaces, "surfaces");
}

void VmUsage::remove_surface() {
    decrement(surfaces_);
}

std::expected<void, LimitBreach> VmUsage::try_add_toplevel() {
    return try_increment(toplevels_, limits_.toplevels, "toplevels");
}

void VmUsage::remove_toplevel() {
    decrement(toplevels_);
}

std::expected<void, LimitBreach> VmUsage::try_add_shm(std::uint64_t bytes) {
    // Compared as "what is left" so a huge request cannot wrap the sum around.
    const std::uint64_t left = shm_bytes_ < limits_.shm_bytes ? limits_.shm_bytes - shm_bytes_ : 0;
    if (bytes > left) {
        const std::uint64_t would_be =
            bytes > UINT64_MAX - shm_bytes_ ? UINT64_MAX : shm_bytes_ + bytes;
        return std::unexpected(
            LimitBreach{"shm_bytes", would_be, limits_.shm_bytes, LimitBreach::Kind::Size});
    }
    shm_bytes_ += bytes;
    return {};
}

void VmUsage::remove_shm(std::uint64_t bytes) {
    shm_bytes_ = bytes < shm_bytes_ ? shm_bytes_ - bytes : 0;
}

std::expected<void, LimitBreach> VmUsage::try_add_shm_pool() {
    return try_increment(shm_pools_, limits_.shm_pools, "shm_pools");
}

void VmUsage::remove_shm_pool() {
    decrement(shm_pools_);
}

std::expected<void, LimitBreach> VmUsage::try_add_offer(std::uint64_t length, std::uint32_t source_offers) {
    if (length > limits_.mime_type_length)
        return std::unexpected(
            LimitBreach{"mime_type_length", length, limits_.mime_type_length, LimitBreach::Kind::Size});
    if (source_offers >= limits_.offers)
        return std::unexpected(LimitBreach{"offers", std::uint64_t{source_offers} + 1, limits_.offers});
    const std::uint64_t left = offer_bytes_ < limits_.offer_bytes ? limits_.offer_bytes - offer_bytes_ : 0;
    if (length > left)
        return std::unexpected(
            LimitBreach{"offer_bytes", offer_bytes_ + length, limits_.offer_bytes, LimitBreach::Kind::Size});
    offer_bytes_ += length;
    return {};
}

void VmUsage::remove_offers(std::uint64_t bytes) {
    offer_bytes_ = bytes < offer_bytes_ ? offer_bytes_ - bytes : 0;
}

std::expected<void, LimitBreach> VmUsage::check_object_id(std::uint32_t id) const {
    if (id > limits_.objects) return std::unexpected(LimitBreach{"objects", id, limits_.objects});
    return {};
}

std::expected<void, LimitBreach> VmUsage::check_buffer(std::uint32_t width,
                                                       std::uint32_t height) const {
    if (width > limits_.buffer_width)
        return std::unexpected(
            LimitBreach{"buffer_width", width, limits_.buffer_width, LimitBreach::Kind::Size});
    if (height > limits_.buffer_height)
        return std::unexpected(
            LimitBreach{"buffer_height", height, limits_.buffer_height, LimitBreach::Kind::Size});
    return {};
}

} // namespace spectrum::policy
