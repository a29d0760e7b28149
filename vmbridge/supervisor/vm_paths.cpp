#include "vm_paths.hpp"

#include "../transport/guest_cmdline.hpp"

#include <format>

namespace spectrum::vmbridge {

VmPaths VmPaths::for_vm(const std::filesystem::path& runtime_dir, const std::string& name) {
    VmPaths p;
    p.compositor_socket = runtime_dir / "spectrum" / "vm" / name / "wayland-0";
    p.dir = runtime_dir / "spectrum" / "vmbridge" / name;
    p.log = p.dir / "console.log";
    p.qmp_socket = p.dir / "qmp.sock";
    p.api_socket = p.dir / "api.sock";
    p.transport_dir = p.dir / "transport";
    p.wayland_socket = p.transport_dir / "wayland.sock";
    p.vsock_socket = p.transport_dir / "vsock.sock";
    p.vsock_listener = p.transport_dir / std::format("vsock.sock_{}", transport::kWaylandVsockPort);
    p.net_socket = p.dir / "passt.sock";
    return p;
}

} // namespace spectrum::vmbridge
