#include "domain.hpp"

#include "clipboard_policy.hpp"
#include "server.hpp"
#include "vm.hpp"

namespace spectrum {

std::optional<std::string> client_domain(wl_client* client) {
    if (!client) return std::nullopt;
    ClientInfo* info = client_info(client);
    if (!info) return std::string(policy::kHostDomain);
    if (!info->vm) return std::nullopt;
    return info->vm->name();
}

std::optional<std::string> surface_domain(wlr_surface* surface) {
    return surface ? client_domain(wl_resource_get_client(surface->resource)) : std::nullopt;
}

std::string domain_label(const Server& server, const std::string& domain) {
    const config::VmConfig* vm = server.config().find_vm(domain);
    return vm ? vm->label : domain;
}

config::Color domain_color(const Server& server, const std::string& domain) {
    const config::VmConfig* vm = server.config().find_vm(domain);
    return vm ? vm->color : server.config().host_frame;
}

std::uint64_t domain_clipboard_cap(const Server& server, const std::string& domain) {
    const config::VmConfig* vm = server.config().find_vm(domain);
    return vm ? vm->limits.clipboard_bytes : server.config().limits.clipboard_bytes;
}

} // namespace spectrum
