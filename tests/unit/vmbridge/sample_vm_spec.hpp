// The VM the request and driver tests boot: every field the driver sends, set.
#pragma once

#include "vm_spec.hpp"

namespace spectrum::vmbridge::ch::testing {

inline VmSpec sample_vm_spec() {
    VmSpec spec;
    spec.name = "mail";
    spec.kernel = "/usr/share/spectrum/vmlinux";
    spec.initramfs = "/usr/share/spectrum/initramfs.img";
    spec.cmdline = "console=ttyS0 quiet";
    spec.cpus = 2;
    spec.memory_bytes = 512ull << 20;
    spec.readonly_images = {"/usr/share/spectrum/root.img", "/usr/share/spectrum/apps.img"};
    spec.state_disk = "/var/lib/spectrum/mail/state.img";
    spec.vsock_cid = 3;
    spec.vsock_socket = "/run/spectrum/mail/vsock.sock";
    spec.serial_log = "/run/spectrum/mail/serial.log";
    return spec;
}

} // namespace spectrum::vmbridge::ch::testing
