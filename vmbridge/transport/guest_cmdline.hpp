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

struct GuestBoot {
    std::string user_cmdline; // [vm.NAME] cmdline, kept first and unchanged
    std::string app;          // run by the init with sh -c
    GuestLink link = GuestLink::VirtioSerial;
    std::string state_device; // "/dev/vdb"; empty: none
};

// Every byte outside [A-Za-z0-9-_.~/] as %XX: the init URL-decodes unquoted values, so
// any command survives the kernel's space splitting.
std::string percent_encode(std::string_view text);

// "/dev/vda" for index 0: disks are virtio-blk, in the order they are given to the VMM.
std::string virtio_disk(std::size_t index);

// Adds console=ttyS0 (the serial port is the VM's log) and panic=-1 (a panicking guest
// resets, which -no-reboot turns into an exit the supervisor sees) unless the user's
// cmdline sets them. Fails when the result is longer than the kernel accepts.
std::expected<std::string, std::string> guest_cmdline(const GuestBoot& boot);

} // namespace spectrum::vmbridge::transport
