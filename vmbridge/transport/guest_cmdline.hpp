// The guest kernel command line: the VM's own `cmdline` plus the spectrum.* keys the guest
// init (vmbridge/guest/init) reads to find its app, its transport and its state disk.
#pragma once

#include <cstddef>
#include <cstdint>
#include <expected>
#include <string>
#include <string_view>

namespace spectrum::vmbridge::transport {

enum class GuestLink {
    VirtioSerial, // QEMU: a virtserialport named "wayland"
    Vsock,        // cloud-hypervisor: AF_VSOCK to the host (CID 2)
};

inline constexpr std::string_view kWaylandPortName = "wayland"; // the init's default
inline constexpr std::uint32_t kWaylandVsockPort = 5000;        // the init's default
inline constexpr std::size_t kMaxCmdline = 2047; // x86 COMMAND_LINE_SIZE less the NUL

// User-mode networking as the guest sees it (QEMU's user netdev, or passt set to match):
// its address, the gateway that also stands for the host's loopback, and the DNS forwarder.
inline constexpr std::string_view kUserNetwork = "10.0.2.15/24,10.0.2.2,10.0.2.3";

struct GuestBoot {
    std::string user_cmdline; // [vm.NAME] cmdline, kept first and unchanged
    std::string app;          // [vm.NAME] app: split into words (app_words.hpp)
    GuestLink link = GuestLink::VirtioSerial;
    std::string state_device; // "/dev/vdb"; empty: none
    // An image guest (vmbridge/guest/image/init) gets the app's words one by one and these;
    // the test initramfs (vmbridge/guest/init) gets one line it runs with sh -c.
    bool image = false;
    std::string name;        // the VM's name, its hostname
    std::string root_device; // the image's disk, "/dev/vda"
    bool network = false;    // user-mode networking (kUserNetwork)
};

// Every byte outside [A-Za-z0-9-_.~/] as %XX: the init URL-decodes unquoted values, so
// any command survives the kernel's space splitting.
std::string percent_encode(std::string_view text);

// "/dev/vda" for index 0: disks are virtio-blk, in the order they are given to the VMM.
std::string virtio_disk(std::size_t index);

// Fails with one line when `app` does not split into words (see split_app).
// Adds console=ttyS0 (the serial port is the VM's log) and panic=-1 (a panicking guest
// resets, which -no-reboot turns into an exit the supervisor sees) unless the user's
// cmdline sets them. Fails when the result is longer than the kernel accepts.
std::expected<std::string, std::string> guest_cmdline(const GuestBoot& boot);

} // namespace spectrum::vmbridge::transport
