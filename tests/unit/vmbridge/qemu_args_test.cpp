// The qemu-system-x86_64 command line built from a VM's spec.
#include "qemu_args.hpp"

#include <algorithm>
#include <gtest/gtest.h>

namespace spectrum::vmbridge::qemu {
namespace {

QemuSpec sample() {
    QemuSpec spec;
    spec.name = "red";
    spec.memory_mib = 1024;
    spec.cpus = 2;
    spec.kernel = "/img/vmlinuz";
    spec.initramfs = "/img/initramfs.cpio";
    spec.cmdline = "console=ttyS0 spectrum.app=foot";
    spec.readonly_images = {"/img/root.img", "/img/apps.qcow2"};
    spec.state_disk = "/var/lib/spectrum/red/state.img";
    spec.wayland_socket = "/run/user/0/spectrum/vmbridge/red/transport/wayland.sock";
    spec.qmp_socket = "/run/user/0/spectrum/vmbridge/red/qmp.sock";
    spec.log_file = "/run/user/0/spectrum/vmbridge/red/console.log";
    return spec;
}

// The value following `option`, for options given once.
std::string value_of(const std::vector<std::string>& argv, const std::string& option) {
    auto it = std::ranges::find(argv, option);
    if (it == argv.end() || it + 1 == argv.end()) return "<missing>";
    return *(it + 1);
}

std::vector<std::string> values_of(const std::vector<std::string>& argv, const std::string& option) {
    std::vector<std::string> values;
    for (std::size_t i = 0; i + 1 < argv.size(); ++i)
        if (argv[i] == option) values.push_back(argv[i + 1]);
    return values;
}

TEST(QemuArgs, TcgWithoutHostCpu) {
    const auto argv = qemu_argv(sample());
    EXPECT_EQ(argv.front(), "qemu-system-x86_64");
    EXPECT_EQ(value_of(argv, "-accel"), "tcg");
    EXPECT_EQ(std::ranges::count(argv, "-cpu"), 0) << "TCG keeps QEMU's default CPU model";
    EXPECT_EQ(value_of(argv, "-m"), "1024");
    EXPECT_EQ(value_of(argv, "-smp"), "2");
}

TEST(QemuArgs, KvmUsesTheHostCpu) {
    QemuSpec spec = sample();
    spec.kvm = true;
    const auto argv = qemu_argv(spec);
    EXPECT_EQ(value_of(argv, "-accel"), "kvm");
    EXPECT_EQ(value_of(argv, "-cpu"), "host");
}

TEST(QemuArgs, DirectKernelBoot) {
    const auto argv = qemu_argv(sample());
    EXPECT_EQ(value_of(argv, "-kernel"), "/img/vmlinuz");
    EXPECT_EQ(value_of(argv, "-initrd"), "/img/initramfs.cpio");
    EXPECT_EQ(value_of(argv, "-append"), "console=ttyS0 spectrum.app=foot");

    QemuSpec no_initrd = sample();
    no_initrd.initramfs.clear();
    EXPECT_EQ(std::ranges::count(qemu_argv(no_initrd), "-initrd"), 0);
}

TEST(QemuArgs, ImagesReadOnlyAndStateDiskLastAndWritable) {
    const auto drives = values_of(qemu_argv(sample()), "-drive");
    ASSERT_EQ(drives.size(), 3u);
    // Raw and read-only whatever the name says: QEMU never probes, so never follows a
    // qcow2 header's backing file.
    EXPECT_EQ(drives[0], "file=/img/root.img,format=raw,if=virtio,readonly=on");
    EXPECT_EQ(drives[1], "file=/img/apps.qcow2,format=raw,if=virtio,readonly=on");
    EXPECT_EQ(drives[2], "file=/var/lib/spectrum/red/state.img,format=raw,if=virtio,discard=unmap");
    EXPECT_EQ(drives[2].find("readonly"), std::string::npos);
}

TEST(QemuArgs, NoDefaultDevicesNoDisplayNoReboot) {
    const auto argv = qemu_argv(sample());
    for (const char* flag : {"-nodefaults", "-nographic", "-no-reboot"})
        EXPECT_EQ(std::ranges::count(argv, flag), 1) << flag;
    EXPECT_EQ(value_of(argv, "-monitor"), "none");
    EXPECT_EQ(value_of(argv, "-name"), "red,process=spectrum-vm-red");
}

TEST(QemuArgs, WaylandPortSerialLogAndQmp) {
    const auto argv = qemu_argv(sample());
    const auto chardevs = values_of(argv, "-chardev");
    ASSERT_EQ(chardevs.size(), 2u);
    EXPECT_EQ(chardevs[0], "socket,id=wayland,path=/run/user/0/spectrum/vmbridge/red/transport/wayland.sock");
    // The console goes to QEMU's stdout (the supervisor's capped log pipe), never to a file
    // QEMU opens and grows itself.
    EXPECT_EQ(chardevs[1], "stdio,id=console,signal=off");
    const auto devices = values_of(argv, "-device");
    EXPECT_EQ(devices, (std::vector<std::string>{"virtio-serial-pci,id=vser0",
                                                 "virtserialport,bus=vser0.0,chardev=wayland,name=wayland"}));
    EXPECT_EQ(value_of(argv, "-serial"), "chardev:console");
    EXPECT_EQ(value_of(argv, "-qmp"), "unix:/run/user/0/spectrum/vmbridge/red/qmp.sock,server=on,wait=off");
}

TEST(QemuArgs, CommasInPathsAreDoubled) {
    QemuSpec spec = sample();
    spec.state_disk = "/data/a,b/state.img";
    const auto drives = values_of(qemu_argv(spec), "-drive");
    EXPECT_EQ(drives.back(), "file=/data/a,,b/state.img,format=raw,if=virtio,discard=unmap");
    EXPECT_EQ(escape_option_value("x,y,,z"), "x,,y,,,,z");
}

TEST(QemuArgs, Qcow2OnlyWhenTheConfigSaysSo) {
    QemuSpec spec = sample();
    spec.image_format = "qcow2";
    const auto drives = values_of(qemu_argv(spec), "-drive");
    EXPECT_EQ(drives[0], "file=/img/root.img,format=qcow2,if=virtio,readonly=on");
    EXPECT_EQ(drives[2], "file=/var/lib/spectrum/red/state.img,format=raw,if=virtio,discard=unmap");
}

TEST(QemuArgs, NoStateDiskMeansNoWritableDrive) {
    QemuSpec spec = sample();
    spec.state_disk.clear();
    spec.readonly_images.clear();
    EXPECT_TRUE(values_of(qemu_argv(spec), "-drive").empty());
}

TEST(QemuArgs, NetworkOnlyWhenAskedForAndUserMode) {
    QemuSpec spec = sample();
    const auto none = qemu_argv(spec);
    EXPECT_TRUE(values_of(none, "-netdev").empty()) << "-nodefaults and no netdev: no NIC at all";
    EXPECT_EQ(std::ranges::count_if(none, [](const std::string& a) { return a.find("net") != std::string::npos; }), 0);
    spec.user_network = true;
    const auto argv = qemu_argv(spec);
    ASSERT_EQ(values_of(argv, "-netdev").size(), 1u);
    EXPECT_TRUE(values_of(argv, "-netdev")[0].starts_with("user,id=net0,"));
    EXPECT_NE(values_of(argv, "-netdev")[0].find("host=10.0.2.2,dns=10.0.2.3"), std::string::npos)
        << "the addresses the guest init is told (kUserNetwork)";
    const auto devices = values_of(argv, "-device");
    EXPECT_NE(std::ranges::find(devices, "virtio-net-pci,netdev=net0,romfile="), devices.end())
        << "no iPXE option ROM: the guest boots its kernel directly";
}

} // namespace
} // namespace spectrum::vmbridge::qemu
