#include "vm_spec_from_config.hpp"

#include <gtest/gtest.h>

namespace spectrum::vmbridge::ch {
namespace {

config::VmConfig mail_vm() {
    config::VmConfig vm;
    vm.name = "mail";
    vm.kernel = "/usr/share/spectrum/vmlinux";
    vm.initramfs = "/usr/share/spectrum/initramfs.img";
    vm.cmdline = "console=ttyS0";
    vm.images = {"/usr/share/spectrum/root.img"};
    vm.memory_mib = 1024;
    vm.cpus = 2;
    return vm;
}

VmPlacement placement() {
    VmPlacement where;
    where.state_disk = "/var/lib/spectrum/mail/state.img";
    where.vsock_socket = "/run/spectrum/mail/vsock.sock";
    where.serial_log = "/run/spectrum/mail/serial.log";
    where.vsock_cid = 5;
    where.gpu_socket = "/run/spectrum/mail/gpu.sock";
    return where;
}

TEST(ChVmSpecFromConfig, CopiesConfigAndPlacement) {
    auto spec = vm_spec_from_config(mail_vm(), placement());
    ASSERT_TRUE(spec.has_value()) << spec.error();
    EXPECT_EQ(spec->name, "mail");
    EXPECT_EQ(spec->kernel, "/usr/share/spectrum/vmlinux");
    EXPECT_EQ(spec->initramfs, "/usr/share/spectrum/initramfs.img");
    EXPECT_EQ(spec->cmdline, "console=ttyS0");
    EXPECT_EQ(spec->cpus, 2u);
    EXPECT_EQ(spec->memory_bytes, 1024ull << 20);
    EXPECT_EQ(spec->readonly_images, std::vector<std::string>{"/usr/share/spectrum/root.img"});
    EXPECT_EQ(spec->state_disk, "/var/lib/spectrum/mail/state.img");
    EXPECT_EQ(spec->vsock_cid, 5u);
    EXPECT_EQ(spec->vsock_socket, "/run/spectrum/mail/vsock.sock");
    EXPECT_EQ(spec->serial_log, "/run/spectrum/mail/serial.log");
    EXPECT_FALSE(spec->gpu_socket.has_value()); // transport "vsock" needs no GPU
}

TEST(ChVmSpecFromConfig, CrossDomainNeedsTheGpuPatchedBuild) {
    auto vm = mail_vm();
    vm.transport = "cross-domain";
    auto refused = vm_spec_from_config(vm, placement());
    ASSERT_FALSE(refused.has_value());
    EXPECT_NE(refused.error().find("VM \"mail\""), std::string::npos);
    EXPECT_NE(refused.error().find("virtio-gpu patch"), std::string::npos);

    auto where = placement();
    where.gpu_patched_hypervisor = true;
    auto spec = vm_spec_from_config(vm, where);
    ASSERT_TRUE(spec.has_value()) << spec.error();
    EXPECT_EQ(spec->gpu_socket, "/run/spectrum/mail/gpu.sock");
    EXPECT_TRUE(spec->uses_vhost_user());
}

TEST(ChVmSpecFromConfig, RejectsWhatCloudHypervisorCannotRun) {
    auto no_kernel = mail_vm();
    no_kernel.kernel.clear();
    auto e = vm_spec_from_config(no_kernel, placement());
    ASSERT_FALSE(e.has_value());
    EXPECT_EQ(e.error(),
              "VM \"mail\": no kernel set; add kernel = \"/path/to/vmlinux\" to [vm.mail]");

    auto odd = mail_vm();
    odd.transport = "waypipe";
    EXPECT_FALSE(vm_spec_from_config(odd, placement()).has_value());

    auto no_cpus = mail_vm();
    no_cpus.cpus = 0;
    EXPECT_FALSE(vm_spec_from_config(no_cpus, placement()).has_value());

    auto huge = mail_vm();
    huge.memory_mib = 1ull << 50;
    EXPECT_FALSE(vm_spec_from_config(huge, placement()).has_value());

    auto where = placement();
    where.vsock_cid = 2;
    EXPECT_FALSE(vm_spec_from_config(mail_vm(), where).has_value());
}

} // namespace
} // namespace spectrum::vmbridge::ch
