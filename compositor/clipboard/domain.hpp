// Whose clipboard a client or a window uses: its VM's (by VM name) or the host's ("host").
// Nothing a client sends can change it: it follows the socket the client connected to.
#pragma once

#include <optional>
#include <string>

#include "config.hpp"
#include "wlr.hpp"

namespace spectrum {

class Server;

// The VM's name, "host" for host clients, nullopt for a VM client whose VM was removed
// (it shares nothing with anyone).
std::optional<std::string> client_domain(wl_client* client);
std::optional<std::string> surface_domain(wlr_surface* surface);

// How a notice names a domain (the VM's label, as in its title bars) and its frame colour.
std::string domain_label(const Server& server, const std::string& domain);
config::Color domain_color(const Server& server, const std::string& domain);
// The most a copy from this domain captures: its limits.clipboard_bytes.
std::uint64_t domain_clipboard_cap(const Server& server, const std::string& domain);

} // namespace spectrum
