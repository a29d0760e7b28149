// The supervisor's cloud-hypervisor boot against tests/vmbridge/fake_cloud_hypervisor.py,
// started the way the real binary is (`--api-socket path=…`) through a small wrapper, so
// every REST request is also checked against the upstream OpenAPI spec.
#include "ch_boot.hpp"
#include "event_loop.hpp"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#ifndef SPECTRUM_PYTHON3
#define SPECTRUM_PYTHON3 "python3"
#endif

namespace spectrum::vmbridge {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

class ChBootFake : public ::testing::Test {
  protected:
    void SetUp() override {
        std::string pattern = (fs::temp_directory_path() / "spectrum-chboot-XXXXXX").string();
        ASSERT_NE(mkdtemp(pattern.data()), nullptr);
        dir = pattern;
    }
    void TearDown() override { fs::remove_all(dir); }

    // A stand-in `cloud-hypervisor` that runs the fake with `flags`.
    std::string wrapper(const std::string& flags) {
        const fs::path path = dir / "cloud-hypervisor";
        std::ofstream(path) << "#!/bin/sh\n"
                            << "[ \"$1\" = --api-socket ] || { echo \"unexpected $*\" >&2; exit 2; }\n"
                            << "exec " << SPECTRUM_PYTHON3 << " " << SPECTRUM_FAKE_CH
                            << " --socket \"${2#path=}\" --log " << (dir / "requests.jsonl") << " "
                            << flags << "\n";
        fs::permissions(path, fs::perms::owner_all);
        return path.string();
    }

    ChBootSpec spec(const std::string& flags) {
        ChBootSpec s;
        s.binary = wrapper(flags);
        s.api_socket = (dir / "api.sock").string();
        s.log_file = (dir / "console.log").string();
        s.vm.name = "mail";
        s.vm.kernel = "/img/vmlinux";
        s.vm.initramfs = "/img/initramfs";
        s.vm.cmdline = "console=ttyS0 spectrum.app=foot spectrum.transport=vsock spectrum.vsock=2:5000";
        s.vm.images = {"/img/root.img"};
        s.vm.memory_mib = 512;
        s.vm.cpus = 2;
        s.placement.state_disk = "/var/lib/spectrum/mail/state.img";
        s.placement.vsock_socket = (dir / "vsock.sock").string();
        s.placement.vsock_cid = 3;
        s.placement.serial_log = (dir / "serial.log").string();
        s.poll_interval = 100ms;
        s.kill_after = 2s;
        return s;
    }

    std::vector<json> requests() const {
        std::vector<json> out;
        std::ifstream in(dir / "requests.jsonl");
        for (std::string line; std::getline(in, line);)
            out.push_back(json::parse(line));
        return out;
    }

    std::vector<std::string> operations() const {
        std::vector<std::string> ops;
        for (const auto& r : requests()) {
            std::string op = r.value("operation", std::string{});
            if (ops.empty() || ops.back() != op) ops.push_back(op); // vm.info polls collapse
        }
        return ops;
    }

    fs::path dir;
    EventLoop loop;
    bool running = false;
    std::optional<VmmExit> exit;

    VmmCallbacks callbacks() {
        return {[this] { running = true; }, [this](const VmmExit& e) { exit = e; }, {}};
    }
};

TEST_F(ChBootFake, BootsPowersOffAndEndsTheVmm) {
    auto boot = ChBoot::start(loop, spec(""), callbacks());
    ASSERT_TRUE(boot) << boot.error();
    EXPECT_EQ(cloud_hypervisor_argv(spec("")), (std::vector<std::string>{
                                                   (dir / "cloud-hypervisor").string(), "--api-socket",
                                                   "path=" + (dir / "api.sock").string()}));
    ASSERT_TRUE(loop.run_until([&] { return running || exit; }, 20s));
    ASSERT_TRUE(running) << (exit ? exit->why : "");

    (*boot)->power_button();
    ASSERT_TRUE(loop.run_until([&] { return exit.has_value(); }, 20s));
    EXPECT_EQ(exit->end, VmEnd::AppExit) << exit->why;

    const auto log = requests();
    for (const auto& r : log)
        EXPECT_TRUE(r["valid"].get<bool>()) << r["path"] << ": " << r["reason"];
    // vm.info polls come at their own pace; the one that saw "Shutdown" precedes vm.delete.
    auto ops = operations();
    ASSERT_GE(ops.size(), 3u);
    EXPECT_EQ(ops[ops.size() - 3], "vm.info");
    std::erase(ops, "vm.info");
    EXPECT_EQ(ops, (std::vector<std::string>{"vm.create", "vm.boot", "vm.power-button", "vm.delete",
                                             "vmm.shutdown"}));
    const json& config = log[0]["body"];
    EXPECT_EQ(config["payload"]["cmdline"], spec("").vm.cmdline);
    EXPECT_EQ(config["vsock"], (json{{"cid", 3}, {"socket", (dir / "vsock.sock").string()}}));
    EXPECT_EQ(config["serial"], (json{{"mode", "File"}, {"file", (dir / "serial.log").string()}}));
    EXPECT_EQ(config["disks"],
              (json::array({{{"path", "/img/root.img"}, {"readonly", true}, {"image_type", "Raw"}, {"backing_files", false}},
                            {{"path", "/var/lib/spectrum/mail/state.img"}, {"image_type", "Raw"}, {"backing_files", false}}})));
}

TEST_F(ChBootFake, VmmExitingWithItsGuestIsAnAppExit) {
    auto boot = ChBoot::start(loop, spec("--on-power-button exit"), callbacks());
    ASSERT_TRUE(boot) << boot.error();
    ASSERT_TRUE(loop.run_until([&] { return running; }, 20s));
    (*boot)->power_button();
    ASSERT_TRUE(loop.run_until([&] { return exit.has_value(); }, 20s));
    EXPECT_EQ(exit->end, VmEnd::AppExit) << exit->why;
}

TEST_F(ChBootFake, BootErrorIsACrashWithTheVmmMessage) {
    auto boot = ChBoot::start(loop, spec("--fail vm.boot"), callbacks());
    ASSERT_TRUE(boot) << boot.error();
    ASSERT_TRUE(loop.run_until([&] { return exit.has_value(); }, 20s));
    EXPECT_FALSE(running);
    EXPECT_EQ(exit->end, VmEnd::Crash);
    EXPECT_TRUE(exit->why.starts_with("cloud-hypervisor vm.boot failed (HTTP 500): ")) << exit->why;
}

TEST_F(ChBootFake, ForceStopEndsAGuestThatIgnoresThePowerButton) {
    auto boot = ChBoot::start(loop, spec("--on-power-button ignore"), callbacks());
    ASSERT_TRUE(boot) << boot.error();
    ASSERT_TRUE(loop.run_until([&] { return running; }, 20s));
    (*boot)->power_button();
    loop.run_until([] { return false; }, 500ms);
    EXPECT_FALSE(exit) << "the guest ignored the button";
    (*boot)->force_stop();
    ASSERT_TRUE(loop.run_until([&] { return exit.has_value(); }, 20s));
    const auto ops = operations();
    EXPECT_NE(std::ranges::find(ops, "vm.shutdown"), ops.end());
    EXPECT_EQ(ops.back(), "vmm.shutdown");
}

TEST_F(ChBootFake, CrossDomainIsRefusedBeforeAnythingRuns) {
    ChBootSpec s = spec("");
    s.vm.transport = "cross-domain";
    auto boot = ChBoot::start(loop, s, callbacks());
    ASSERT_FALSE(boot);
    EXPECT_NE(boot.error().find("virtio-gpu patch"), std::string::npos) << boot.error();
    EXPECT_FALSE(fs::exists(dir / "requests.jsonl"));
}

} // namespace
} // namespace spectrum::vmbridge
