// The driver against tests/vmbridge/fake_cloud_hypervisor.py, which checks every request
// against cloud-hypervisor's OpenAPI spec (v53.0) and keeps VM state like the real VMM.
#include "driver.hpp"
#include "fake_vmm_process.hpp"
#include "sample_vm_spec.hpp"

#include <algorithm>
#include <gtest/gtest.h>
#include <sys/wait.h>

namespace spectrum::vmbridge::ch {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using testing::FakeVmmProcess;
using testing::sample_vm_spec;

ClientOptions options_for(const FakeVmmProcess& fake, std::chrono::milliseconds timeout = 5s) {
    return {fake.socket(), timeout, timeout};
}

DriverOptions quick_stop(std::chrono::milliseconds grace = 3s) {
    return {grace, 20ms};
}

std::vector<std::string> operations(const std::vector<json>& log) {
    std::vector<std::string> ops;
    for (const auto& entry : log)
        ops.push_back(entry.value("operation", std::string{}));
    return ops;
}

// Every request the fake saw passed the spec check.
void expect_all_valid(const std::vector<json>& log) {
    ASSERT_FALSE(log.empty());
    for (const auto& entry : log)
        EXPECT_TRUE(entry["valid"].get<bool>())
            << entry["method"] << " " << entry["path"] << ": " << entry["reason"];
}

// Collapses the repeated vm.info polls so the expected sequence does not depend on timing.
std::vector<std::string> without_repeats(std::vector<std::string> ops) {
    ops.erase(std::unique(ops.begin(), ops.end()), ops.end());
    return ops;
}

TEST(ChDriverFake, FullLifecycleIsValidAgainstTheSpec) {
    FakeVmmProcess fake;
    ASSERT_TRUE(fake.ready()) << fake.error();
    Client client(options_for(fake));
    Driver driver(client, quick_stop());

    auto version = driver.ping();
    ASSERT_TRUE(version) << version.error().describe();
    EXPECT_EQ(*version, "53.0");

    auto started = driver.start(sample_vm_spec());
    ASSERT_TRUE(started) << started.error().describe();

    auto info = driver.info();
    ASSERT_TRUE(info) << info.error().describe();
    EXPECT_EQ(info->state, "Running");
    EXPECT_EQ(info->raw["config"], vm_config(sample_vm_spec()));

    auto stopped = driver.stop();
    ASSERT_TRUE(stopped) << stopped.error().describe();
    EXPECT_EQ(*stopped, StopOutcome::GuestPoweredOff);

    auto gone = driver.info();
    ASSERT_FALSE(gone);
    EXPECT_EQ(gone.error().status, 404);

    auto down = driver.shutdown_vmm();
    ASSERT_TRUE(down) << down.error().describe();
    int status = -1;
    ASSERT_TRUE(fake.exits(5s, &status));
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);

    auto log = fake.log();
    expect_all_valid(log);
    EXPECT_EQ(
        without_repeats(operations(log)),
        (std::vector<std::string>{"vmm.ping", "vm.create", "vm.boot", "vm.info", "vm.power-button",
                                  "vm.info", "vm.delete", "vm.info", "vmm.shutdown"}));
    EXPECT_EQ(log[1]["body"], vm_config(sample_vm_spec()));
}

TEST(ChDriverFake, GuestIgnoringThePowerButtonIsShutDown) {
    FakeVmmProcess fake({"--on-power-button", "ignore"});
    ASSERT_TRUE(fake.ready()) << fake.error();
    Client client(options_for(fake));
    Driver driver(client, quick_stop(300ms));

    ASSERT_TRUE(driver.start(sample_vm_spec()));
    auto stopped = driver.stop();
    ASSERT_TRUE(stopped) << stopped.error().describe();
    EXPECT_EQ(*stopped, StopOutcome::ForcedShutdown);

    auto log = fake.log();
    expect_all_valid(log);
    EXPECT_EQ(without_repeats(operations(log)),
              (std::vector<std::string>{"vm.create", "vm.boot", "vm.info", "vm.power-button",
                                        "vm.info", "vm.shutdown", "vm.delete"}));
    EXPECT_EQ(log.back()["status"], 204);
}

TEST(ChDriverFake, VmmExitingOnPowerOffCountsAsStopped) {
    FakeVmmProcess fake({"--on-power-button", "exit"});
    ASSERT_TRUE(fake.ready()) << fake.error();
    Client client(options_for(fake));
    Driver driver(client, quick_stop());

    ASSERT_TRUE(driver.start(sample_vm_spec()));
    auto stopped = driver.stop();
    ASSERT_TRUE(stopped) << stopped.error().describe();
    EXPECT_EQ(*stopped, StopOutcome::VmmExited);
    EXPECT_TRUE(fake.exits(5s));
    EXPECT_TRUE(driver.shutdown_vmm()) << "a VMM that is already gone needs no shutdown";
    expect_all_valid(fake.log());
}

TEST(ChDriverFake, ErrorReplyIsOneLineWithTheVmmMessage) {
    FakeVmmProcess fake({"--fail", "vm.create"});
    ASSERT_TRUE(fake.ready()) << fake.error();
    Client client(options_for(fake));
    Driver driver(client);

    auto started = driver.start(sample_vm_spec());
    ASSERT_FALSE(started);
    EXPECT_EQ(started.error().kind, ApiError::Kind::Http);
    EXPECT_EQ(started.error().describe(),
              "cloud-hypervisor vm.create failed (HTTP 500): Error from API: The vm.create "
              "request failed: injected failure (--fail vm.create)");
    EXPECT_EQ(operations(fake.log()), std::vector<std::string>{"vm.create"});
}

TEST(ChDriverFake, SecondCreateReportsTheVmmReason) {
    FakeVmmProcess fake;
    ASSERT_TRUE(fake.ready()) << fake.error();
    Client client(options_for(fake));

    ASSERT_TRUE(client.send(requests::vm_create(sample_vm_spec())));
    auto again = client.send(requests::vm_create(sample_vm_spec()));
    ASSERT_FALSE(again);
    auto line = again.error().describe();
    EXPECT_EQ(line.find('\n'), std::string::npos);
    EXPECT_TRUE(line.starts_with("cloud-hypervisor vm.create failed (HTTP 500): ")) << line;
    EXPECT_TRUE(line.ends_with("The VM is already created")) << line;
    expect_all_valid(fake.log());
}

TEST(ChDriverFake, FailedBootDeletesTheVm) {
    FakeVmmProcess fake({"--fail", "vm.boot"});
    ASSERT_TRUE(fake.ready()) << fake.error();
    Client client(options_for(fake));
    Driver driver(client);

    auto started = driver.start(sample_vm_spec());
    ASSERT_FALSE(started);
    EXPECT_EQ(started.error().operation, "vm.boot");
    auto info = driver.info();
    ASSERT_FALSE(info);
    EXPECT_EQ(info.error().status, 404) << "the VM should be gone: " << info.error().describe();
    EXPECT_EQ(operations(fake.log()),
              (std::vector<std::string>{"vm.create", "vm.boot", "vm.delete", "vm.info"}));
}

TEST(ChDriverFake, HangingVmmTimesOutWithinTheTimeout) {
    FakeVmmProcess fake({"--hang"});
    ASSERT_TRUE(fake.ready()) << fake.error();
    Client client(options_for(fake, 1s));
    Driver driver(client);

    auto before = std::chrono::steady_clock::now();
    auto version = driver.ping();
    auto elapsed = std::chrono::steady_clock::now() - before;
    ASSERT_FALSE(version);
    EXPECT_EQ(version.error().kind, ApiError::Kind::Timeout);
    EXPECT_EQ(version.error().describe(), "cloud-hypervisor at " + fake.socket().string() +
                                              " did not answer within 1 s (vmm.ping)");
    EXPECT_GE(elapsed, 900ms);
    EXPECT_LT(elapsed, 2500ms);
    EXPECT_EQ(operations(fake.log()), std::vector<std::string>{"vmm.ping"});
}

TEST(ChDriverFake, MisspeltFieldIsRejectedByTheValidator) {
    FakeVmmProcess fake;
    ASSERT_TRUE(fake.ready()) << fake.error();
    Client client(options_for(fake));

    Request raw = requests::vm_create(sample_vm_spec());
    (*raw.body)["cpus"] = {{"boot_vcpu", 2}, {"max_vcpus", 2}};
    auto sent = client.send(raw);
    ASSERT_FALSE(sent);
    EXPECT_EQ(sent.error().status, 400);
    EXPECT_NE(sent.error().describe().find("boot_vcpu"), std::string::npos)
        << sent.error().describe();

    auto log = fake.log();
    ASSERT_EQ(log.size(), 1u);
    EXPECT_FALSE(log[0]["valid"].get<bool>());
    EXPECT_NE(log[0]["reason"].get<std::string>().find("boot_vcpu"), std::string::npos);
}

TEST(ChDriverFake, GpuDeviceIsSentOnlyToTheGpuPatchedBuild) {
    VmSpec spec = sample_vm_spec();
    spec.gpu_socket = "/run/spectrum/mail/gpu.sock";
    {
        FakeVmmProcess upstream;
        ASSERT_TRUE(upstream.ready()) << upstream.error();
        Client client(options_for(upstream));
        auto created = client.send(requests::vm_create(spec));
        ASSERT_FALSE(created) << "upstream v53 has no VmConfig.gpu";
        EXPECT_NE(created.error().detail.find("'gpu' was unexpected"), std::string::npos)
            << created.error().detail;
    }
    FakeVmmProcess patched({"--gpu-patched"});
    ASSERT_TRUE(patched.ready()) << patched.error();
    Client client(options_for(patched));
    Driver driver(client);
    auto started = driver.start(spec);
    ASSERT_TRUE(started) << started.error().describe();
    expect_all_valid(patched.log());
}

// An image VM: the shared image read-only first, the state disk writable last, and passt's
// vhost-user socket as its network — all valid against the upstream spec.
TEST(ChDriverFake, ImageVmWithUserNetworkIsValidAgainstTheSpec) {
    VmSpec spec = sample_vm_spec();
    spec.readonly_images = {"/var/cache/spectrum/images/objects/0123/root.erofs"};
    spec.state_disk = "/var/lib/spectrum/web/state.img";
    spec.net_socket = "/run/user/1000/spectrum/vmbridge/web/passt.sock";
    const json body = vm_config(spec);
    EXPECT_EQ(body["disks"][0]["readonly"], true);
    EXPECT_FALSE(body["disks"][1].contains("readonly"));
    EXPECT_EQ(body["net"][0]["vhost_user"], true);
    EXPECT_EQ(body["net"][0]["vhost_socket"], "/run/user/1000/spectrum/vmbridge/web/passt.sock");
    EXPECT_EQ(body["memory"]["shared"], true) << "vhost-user backends map guest memory";
    FakeVmmProcess fake;
    ASSERT_TRUE(fake.ready()) << fake.error();
    Client client(options_for(fake));
    Driver driver(client);
    auto started = driver.start(spec);
    ASSERT_TRUE(started) << started.error().describe();
    expect_all_valid(fake.log());
}

TEST(ChDriverFake, MissingSocketIsUnreachable) {
    Client client({"/nonexistent/spectrum/api.sock", 1s, 1s});
    auto version = client.send(requests::vmm_ping());
    ASSERT_FALSE(version);
    EXPECT_EQ(version.error().kind, ApiError::Kind::Unreachable);
    EXPECT_EQ(version.error().describe(),
              "cannot reach cloud-hypervisor at /nonexistent/spectrum/api.sock for vmm.ping: No "
              "such file or directory (is it running with --api-socket "
              "path=/nonexistent/spectrum/api.sock?)");
}

} // namespace
} // namespace spectrum::vmbridge::ch
