#include "qemu_args.hpp"

#include <format>

namespace spectrum::vmbridge::qemu {

std::string escape_option_value(const std::string& value) {
    std::string out;
    for (char c : value) {
        out.push_back(c);
        if (c == ',') out.push_back(',');
    }
    return out;
}

std::string image_format(const QemuSpec& spec) {
    return spec.image_format == "qcow2" ? "qcow2" : "raw";
}

std::vector<std::string> qemu_argv(const QemuSpec& spec) {
    const auto esc = escape_option_value;
    std::vector<std::string> argv = {
        spec.binary,
        "-name", std::format("{},process=spectrum-vm-{}", esc(spec.name), esc(spec.name)),
        // No default devices: no VGA, network, floppy, CD or parallel port the guest does
        // not need and a hostile guest could poke at; no display, and no reboot — a guest
        // that resets (triple fault, panic=-1) ends the VM so the supervisor sees it.
        "-nodefaults", "-nographic", "-no-reboot",
        "-accel", spec.kvm ? "kvm" : "tcg",
    };
    if (spec.kvm) argv.insert(argv.end(), {"-cpu", "host"});
    argv.insert(argv.end(), {"-m", std::to_string(spec.memory_mib), "-smp", std::to_string(spec.cpus)});

    argv.insert(argv.end(), {"-kernel", spec.kernel});
    if (!spec.initramfs.empty()) argv.insert(argv.end(), {"-initrd", spec.initramfs});
    argv.insert(argv.end(), {"-append", spec.cmdline});

    for (const auto& image : spec.readonly_images)
        argv.insert(argv.end(), {"-drive", std::format("file={},format={},if=virtio,readonly=on",
                                                       esc(image), image_format(spec))});
    if (!spec.state_disk.empty())
        argv.insert(argv.end(),
                    {"-drive", std::format("file={},format=raw,if=virtio,discard=unmap",
                                           esc(spec.state_disk))});

    // No option ROM: the firmware would load iPXE for the NIC, and the guest never netboots.
    if (spec.user_network)
        argv.insert(argv.end(), {"-netdev", "user,id=net0,ipv6=off,net=10.0.2.0/24,host=10.0.2.2,dns=10.0.2.3",
                                 "-device", "virtio-net-pci,netdev=net0,romfile="});

    // The Wayland transport: a virtio-serial port named "wayland" whose host end is a Unix
    // socket QEMU connects to.
    argv.insert(argv.end(),
                {"-device", "virtio-serial-pci,id=vser0", "-chardev",
                 std::format("socket,id=wayland,path={}", esc(spec.wayland_socket)), "-device",
                 "virtserialport,bus=vser0.0,chardev=wayland,name=wayland"});

    // The serial console goes to QEMU's stdout: the supervisor's pipe into the VM's log,
    // which caps it. QEMU never opens the log file itself, so a guest cannot grow it.
    argv.insert(argv.end(), {"-chardev", "stdio,id=console,signal=off", "-serial", "chardev:console"});
    argv.insert(argv.end(), {"-monitor", "none", "-qmp",
                             std::format("unix:{},server=on,wait=off", esc(spec.qmp_socket))});
    return argv;
}

} // namespace spectrum::vmbridge::qemu
