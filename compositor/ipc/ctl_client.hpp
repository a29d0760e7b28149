// spectrumctl's side of the control sockets: one JSON request, one JSON reply. Errors a
// user can cause end the program with one line (status 2 for usage, 1 otherwise).
#pragma once

#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace spectrum::ctl {

using nlohmann::json;

[[noreturn]] void usage_error(const std::string& message);
[[noreturn]] void fail(const std::string& message);

std::string socket_path();          // the compositor's: $SPECTRUM_CTL_SOCKET or …/spectrum/ctl.sock
std::string vmbridge_socket_path(); // the supervisor's: $SPECTRUM_VMBRIDGE_SOCKET or …/spectrum/vmbridge.sock

json call(const json& request); // the compositor
json call(const json& request, const std::string& path, std::string_view peer, time_t timeout_seconds);
json call_vmbridge(const json& request);
// nullopt when no supervisor is running (rather than ending the program).
std::optional<json> try_call_vmbridge(const json& request);

// backup FILE / restore FILE [--force]: the config and the state store, VMs stopped.
int run_backup(const std::vector<std::string_view>& args);
int run_restore(const std::vector<std::string_view>& args);

} // namespace spectrum::ctl
