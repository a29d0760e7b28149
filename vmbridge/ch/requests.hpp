// The REST calls the supervisor makes to cloud-hypervisor, built without doing any I/O, so
// every body can be checked field by field against the upstream OpenAPI spec (v53.0).
#pragma once

#include "vm_spec.hpp"

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace spectrum::vmbridge::ch {

enum class Method { Get, Put };

std::string_view method_name(Method method); // "GET", "PUT"

struct Request {
    std::string operation; // the endpoint under /api/v1, e.g. "vm.create"
    Method method = Method::Put;
    std::optional<nlohmann::json> body; // sent as application/json; actions have none

    std::string path() const { return "/api/v1/" + operation; }
};

namespace requests {

Request vmm_ping();
Request vmm_shutdown();
Request vm_create(const VmSpec& spec);
Request vm_boot();
Request vm_info();
Request vm_shutdown();
Request vm_power_button();
Request vm_delete();

} // namespace requests

// The VmConfig object of vm.create for `spec`.
nlohmann::json vm_config(const VmSpec& spec);

} // namespace spectrum::vmbridge::ch
