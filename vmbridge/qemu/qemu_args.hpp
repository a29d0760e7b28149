// The qemu-system-x86_64 command line for one VM, built without doing any I/O.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace spectrum::vmbridge::qemu {

struct QemuSpec {
    std::string binary = "qemu-system-x86_64";
    std::string name; // the VM's config name
    bool kvm = false; // -accel kvm -cpu host, else -accel tcg
    std::uint64_t memory_mib = 512;
    std::uint32_t cpus = 1;

    std::string kernel, initramfs, cmdline; // direct kernel boot; cmdline complete (guest_cmdline)
    // Disks in guest order: read-only images first (vda, …), the writable state disk last.
    std::vector<std::string> readonly_images;
    std::string image_format = "raw"; // of every image: "raw" or "qcow2", never probed
    std::string state_disk; // raw; empty: none

    // User-mode networking (QEMU's user netdev: no host privileges, the guest's gateway
    // 10.0.2.2 stands for the host's loopback); false: the VM has no network device at all.
    bool user_network = false;

    std::string wayland_socket; // the transport listens here; QEMU connects as a client
    std::string qmp_socket;     // QEMU listens here
    std::string log_file;       // QEMU's stdout and stderr (the serial console), appended
    int output_fd = -1;         // or this descriptor (the VM's LogPipe), if >= 0
};

std::vector<std::string> qemu_argv(const QemuSpec& spec);

// "qcow2" when the config says so, else "raw" whatever the file's name or header: always
// named, never probed, so a raw image whose first bytes look like a qcow2 header with a
// backing file can never make QEMU open a host file (vm_check refuses such a qcow2).
std::string image_format(const QemuSpec& spec);

// QEMU's -option values are comma-separated key=value lists; a comma inside a value is
// written twice.
std::string escape_option_value(const std::string& value);

} // namespace spectrum::vmbridge::qemu
