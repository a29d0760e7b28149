// Where one VM's runtime files live. Everything under the supervisor's runtime directory is
// regenerated on each boot; only the state disk (state_store.hpp) persists.
//
//   $XDG_RUNTIME_DIR/spectrum/vm/<name>/wayland-0        the compositor's socket for the VM
//   $XDG_RUNTIME_DIR/spectrum/vmbridge/<name>/            0700
//       console.log        serial console, VMM and transport output, supervisor events
//       qmp.sock           QEMU's QMP monitor   |  api.sock  cloud-hypervisor's REST API
//       transport/         0700, the only host directory the transport sandbox may write:
//           wayland.sock   QEMU's virtio-serial chardev (waypipe client listens)
//           vsock.sock, vsock.sock_5000   cloud-hypervisor's hybrid vsock and its listener
//       passt.sock         network = "user" under cloud-hypervisor: passt's vhost-user socket
//       image.json, image-build.log   what spectrum-image said about the VM's image
#pragma once

#include <filesystem>
#include <string>

namespace spectrum::vmbridge {

struct VmPaths {
    std::filesystem::path compositor_socket;
    std::filesystem::path dir;
    std::filesystem::path log;
    std::filesystem::path qmp_socket;
    std::filesystem::path api_socket;
    std::filesystem::path transport_dir;
    std::filesystem::path wayland_socket; // QEMU
    std::filesystem::path vsock_socket;   // cloud-hypervisor
    std::filesystem::path vsock_listener; // cloud-hypervisor: vsock_socket + "_5000"
    std::filesystem::path net_socket;     // cloud-hypervisor, network = "user": passt's

    static VmPaths for_vm(const std::filesystem::path& runtime_dir, const std::string& name);
};

} // namespace spectrum::vmbridge
