#include "requests.hpp"

namespace spectrum::vmbridge::ch {

using nlohmann::json;

std::string_view method_name(Method method) {
    switch (method) {
    case Method::Get:
        return "GET";
    case Method::Put:
        return "PUT";
    }
    return "PUT";
}

json vm_config(const VmSpec& spec) {
    json payload = {{"kernel", spec.kernel}};
    if (!spec.cmdline.empty()) payload["cmdline"] = spec.cmdline;
    if (!spec.initramfs.empty()) payload["initramfs"] = spec.initramfs;

    json memory = {{"size", spec.memory_bytes}};
    if (spec.uses_vhost_user()) memory["shared"] = true;

    json config = {
        {"payload", payload},
        {"cpus", {{"boot_vcpus", spec.cpus}, {"max_vcpus", spec.cpus}}},
        {"memory", memory},
        {"vsock", {{"cid", spec.vsock_cid}, {"socket", spec.vsock_socket}}},
        // The serial port carries the guest's boot log; the virtio console is not used.
        {"serial", spec.serial_log.empty()  ? json{{"mode", "Null"}}
                   : spec.serial_log == "-" ? json{{"mode", "Tty"}}
                                            : json{{"mode", "File"}, {"file", spec.serial_log}}},
        {"console", {{"mode", "Off"}}},
        {"rng", {{"src", "/dev/urandom"}}},
    };

    json disks = json::array();
    for (const auto& image : spec.readonly_images)
        // The format named, never probed, and no backing file followed.
        disks.push_back({{"path", image},
                         {"readonly", true},
                         {"image_type", spec.image_format == "qcow2" ? "Qcow2" : "Raw"},
                         {"backing_files", false}});
    if (!spec.state_disk.empty())
        disks.push_back({{"path", spec.state_disk}, {"image_type", "Raw"}, {"backing_files", false}});
    if (!disks.empty()) config["disks"] = std::move(disks);

    // passt, started by the supervisor, serves the socket; cloud-hypervisor connects to it.
    if (spec.net_socket)
        config["net"] = json::array({{{"vhost_user", true},
                                      {"vhost_socket", *spec.net_socket},
                                      {"vhost_mode", "Client"},
                                      {"num_queues", 2},
                                      {"queue_size", 256}}});

    // Not in the upstream v53 spec: VmConfig has no `gpu` field there (and DeviceConfig is
    // VFIO only). This is the field the GPU-patched build adds (`--gpu socket=…`); it is
    // present only when the caller chose that build (see vm_spec_from_config), so requests
    // for upstream cloud-hypervisor stay valid against its spec.
    if (spec.gpu_socket) config["gpu"] = json::array({{{"socket", *spec.gpu_socket}}});
    return config;
}

namespace requests {

namespace {
Request action(std::string operation) {
    return {std::move(operation), Method::Put, {}};
}
} // namespace

Request vmm_ping() {
    return {"vmm.ping", Method::Get, {}};
}
Request vmm_shutdown() {
    return action("vmm.shutdown");
}
Request vm_create(const VmSpec& spec) {
    return {"vm.create", Method::Put, vm_config(spec)};
}
Request vm_boot() {
    return action("vm.boot");
}
Request vm_info() {
    return {"vm.info", Method::Get, {}};
}
Request vm_shutdown() {
    return action("vm.shutdown");
}
Request vm_power_button() {
    return action("vm.power-button");
}
Request vm_delete() {
    return action("vm.delete");
}

} // namespace requests

} // namespace spectrum::vmbridge::ch
