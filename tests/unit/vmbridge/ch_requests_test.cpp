#include "requests.hpp"
#include "sample_vm_spec.hpp"

#include <gtest/gtest.h>

namespace spectrum::vmbridge::ch {
namespace {

using nlohmann::json;
using testing::sample_vm_spec;

TEST(ChRequests, VmCreateBodyIsExact) {
    auto request = requests::vm_create(sample_vm_spec());
    EXPECT_EQ(request.operation, "vm.create");
    EXPECT_EQ(request.path(), "/api/v1/vm.create");
    EXPECT_EQ(request.method, Method::Put);
    ASSERT_TRUE(request.body.has_value());
    // Keys sorted, as nlohmann::json dumps them; integers stay integers.
    EXPECT_EQ(request.body->dump(),
              R"({"console":{"mode":"Off"},)"
              R"("cpus":{"boot_vcpus":2,"max_vcpus":2},)"
              R"("disks":[{"backing_files":false,"image_type":"Raw","path":"/usr/share/spectrum/root.img","readonly":true},)"
              R"({"backing_files":false,"image_type":"Raw","path":"/usr/share/spectrum/apps.img","readonly":true},)"
              R"({"backing_files":false,"image_type":"Raw","path":"/var/lib/spectrum/mail/state.img"}],)"
              R"("memory":{"size":536870912},)"
              R"("payload":{"cmdline":"console=ttyS0 quiet",)"
              R"("initramfs":"/usr/share/spectrum/initramfs.img",)"
              R"("kernel":"/usr/share/spectrum/vmlinux"},)"
              R"("rng":{"src":"/dev/urandom"},)"
              R"("serial":{"file":"/run/spectrum/mail/serial.log","mode":"File"},)"
              R"("vsock":{"cid":3,"socket":"/run/spectrum/mail/vsock.sock"}})");
}

TEST(ChRequests, OptionalPartsAreLeftOut) {
    VmSpec spec;
    spec.kernel = "/boot/vmlinux";
    spec.vsock_cid = 7;
    spec.vsock_socket = "/run/v.sock";
    json body = vm_config(spec);
    EXPECT_EQ(body["payload"], (json{{"kernel", "/boot/vmlinux"}}));
    EXPECT_FALSE(body.contains("disks"));
    EXPECT_FALSE(body.contains("gpu"));
    EXPECT_EQ(body["serial"], (json{{"mode", "Null"}}));
    EXPECT_EQ(body["memory"], (json{{"size", 512ull << 20}}));
    EXPECT_EQ(body["cpus"], (json{{"boot_vcpus", 1}, {"max_vcpus", 1}}));
}

TEST(ChRequests, StateDiskAloneIsWritable) {
    VmSpec spec = sample_vm_spec();
    spec.readonly_images.clear();
    EXPECT_EQ(vm_config(spec)["disks"],
              json::parse(R"([{"path":"/var/lib/spectrum/mail/state.img","image_type":"Raw","backing_files":false}])"));
}

TEST(ChRequests, ImagesAreRawUnlessConfiguredAndNeverFollowABackingFile) {
    VmSpec spec = sample_vm_spec();
    spec.image_format = "qcow2";
    const json disks = vm_config(spec)["disks"];
    EXPECT_EQ(disks[0]["image_type"], "Qcow2");
    EXPECT_EQ(disks[0]["backing_files"], false);
    EXPECT_EQ(disks[2]["image_type"], "Raw"); // the state disk
}

TEST(ChRequests, SerialToStdoutIsTty) {
    VmSpec spec = sample_vm_spec();
    spec.serial_log = "-";
    EXPECT_EQ(vm_config(spec)["serial"], (json{{"mode", "Tty"}}));
}

TEST(ChRequests, GpuDeviceSharesMemory) {
    VmSpec spec = sample_vm_spec();
    EXPECT_FALSE(vm_config(spec)["memory"].contains("shared"));
    spec.gpu_socket = "/run/spectrum/mail/gpu.sock";
    json body = vm_config(spec);
    EXPECT_EQ(body["gpu"], json::parse(R"([{"socket":"/run/spectrum/mail/gpu.sock"}])"));
    EXPECT_EQ(body["memory"], json::parse(R"({"shared":true,"size":536870912})"));
}

TEST(ChRequests, ActionsCarryNoBody) {
    struct Expected {
        Request request;
        std::string path;
        Method method;
    };
    const Expected cases[] = {
        {requests::vmm_ping(), "/api/v1/vmm.ping", Method::Get},
        {requests::vmm_shutdown(), "/api/v1/vmm.shutdown", Method::Put},
        {requests::vm_boot(), "/api/v1/vm.boot", Method::Put},
        {requests::vm_info(), "/api/v1/vm.info", Method::Get},
        {requests::vm_shutdown(), "/api/v1/vm.shutdown", Method::Put},
        {requests::vm_power_button(), "/api/v1/vm.power-button", Method::Put},
        {requests::vm_delete(), "/api/v1/vm.delete", Method::Put},
    };
    for (const auto& c : cases) {
        EXPECT_EQ(c.request.path(), c.path);
        EXPECT_EQ(c.request.method, c.method) << c.path;
        EXPECT_FALSE(c.request.body.has_value()) << c.path;
    }
    EXPECT_EQ(method_name(Method::Get), "GET");
    EXPECT_EQ(method_name(Method::Put), "PUT");
}

} // namespace
} // namespace spectrum::vmbridge::ch
