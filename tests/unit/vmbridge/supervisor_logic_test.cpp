// Pure supervisor decisions: which hypervisor, whether to restart, and after how long.
#include "hypervisor_choice.hpp"
#include "restart_policy.hpp"

#include <gtest/gtest.h>

namespace spectrum::vmbridge {
namespace {

using namespace std::chrono_literals;

HostFacts host(bool ch, bool qemu, bool kvm) {
    return {ch, qemu, kvm, kvm ? "" : "/dev/kvm does not exist"};
}

TEST(HypervisorChoice, AutoPrefersCloudHypervisorWithKvm) {
    auto choice = choose_hypervisor("auto", host(true, true, true));
    ASSERT_TRUE(choice);
    EXPECT_EQ(choice->hypervisor, Hypervisor::CloudHypervisor);
    EXPECT_EQ(choice->name(), "cloud-hypervisor");
    EXPECT_TRUE(choice->warning.empty());
}

TEST(HypervisorChoice, AutoFallsBackToQemuKvmWithoutCloudHypervisor) {
    auto choice = choose_hypervisor("auto", host(false, true, true));
    ASSERT_TRUE(choice);
    EXPECT_EQ(choice->name(), "qemu-kvm");
    EXPECT_TRUE(choice->warning.empty());
}

TEST(HypervisorChoice, AutoWithoutKvmIsQemuTcgWithAWarning) {
    for (bool ch : {false, true}) {
        auto choice = choose_hypervisor("auto", host(ch, true, false));
        ASSERT_TRUE(choice);
        EXPECT_EQ(choice->name(), "qemu-tcg");
        EXPECT_EQ(choice->warning, "no usable KVM (/dev/kvm does not exist): running QEMU with TCG "
                                   "emulation, which is much slower");
    }
}

TEST(HypervisorChoice, ExplicitQemuUsesKvmWhenUsable) {
    EXPECT_EQ(choose_hypervisor("qemu", host(true, true, true))->name(), "qemu-kvm");
    EXPECT_EQ(choose_hypervisor("qemu", host(true, true, false))->name(), "qemu-tcg");
}

TEST(HypervisorChoice, MissingBinariesSayWhatToInstall) {
    auto qemu = choose_hypervisor("qemu", host(true, false, true));
    ASSERT_FALSE(qemu);
    EXPECT_EQ(qemu.error(), "qemu-system-x86_64 is not installed; install it with `apt install qemu-system-x86`");

    auto ch = choose_hypervisor("cloud-hypervisor", host(false, true, true));
    ASSERT_FALSE(ch);
    EXPECT_EQ(ch.error(), "cloud-hypervisor is not installed; install it with `apt install cloud-hypervisor`, "
                          "or set hypervisor = \"qemu\"");

    auto none = choose_hypervisor("auto", host(false, false, true));
    ASSERT_FALSE(none);
    EXPECT_NE(none.error().find("apt install qemu-system-x86"), std::string::npos) << none.error();
}

TEST(HypervisorChoice, CloudHypervisorWithoutKvmIsAnErrorNotAFallback) {
    auto choice = choose_hypervisor("cloud-hypervisor", host(true, true, false));
    ASSERT_FALSE(choice);
    EXPECT_EQ(choice.error(), "cloud-hypervisor needs KVM (/dev/kvm does not exist); set hypervisor = \"qemu\" "
                              "or \"auto\" to run this VM with QEMU");
    auto stranded = choose_hypervisor("auto", host(true, false, false));
    ASSERT_FALSE(stranded);
    EXPECT_NE(stranded.error().find("cannot run without KVM"), std::string::npos) << stranded.error();
}

TEST(HypervisorChoice, UnknownNameIsRejected) {
    EXPECT_FALSE(choose_hypervisor("crosvm", host(true, true, true)));
}

TEST(RestartPolicy, UserStopNeverRestarts) {
    for (auto policy : {"never", "on-failure", "always"}) {
        RestartPolicy p(policy, true);
        auto d = p.after(VmEnd::UserStop, 5s);
        EXPECT_FALSE(d.restart) << policy;
        EXPECT_FALSE(d.failed) << policy;
    }
}

TEST(RestartPolicy, AppExitStopsUnlessAlwaysOrNotStopWithApp) {
    EXPECT_FALSE(RestartPolicy("on-failure", true).after(VmEnd::AppExit, 5s).restart);
    EXPECT_FALSE(RestartPolicy("never", true).after(VmEnd::AppExit, 5s).restart);
    auto always = RestartPolicy("always", true).after(VmEnd::AppExit, 5s);
    EXPECT_TRUE(always.restart);
    EXPECT_EQ(always.delay, 0ms);
    auto keep_app = RestartPolicy("on-failure", false).after(VmEnd::AppExit, 5s);
    EXPECT_TRUE(keep_app.restart);
    EXPECT_EQ(keep_app.delay, 0ms);
}

TEST(RestartPolicy, CrashWithNeverFails) {
    auto d = RestartPolicy("never", true).after(VmEnd::Crash, 5s);
    EXPECT_FALSE(d.restart);
    EXPECT_TRUE(d.failed);
}

TEST(RestartPolicy, CrashesBackOffExponentiallyUpToAMinute) {
    RestartPolicy p("on-failure", true);
    std::vector<std::chrono::milliseconds> delays;
    for (int i = 0; i < 8; ++i) {
        auto d = p.after(VmEnd::Crash, 2s);
        ASSERT_TRUE(d.restart);
        delays.push_back(d.delay);
    }
    EXPECT_EQ(delays, (std::vector<std::chrono::milliseconds>{1s, 2s, 4s, 8s, 16s, 32s, 60s, 60s}));
}

TEST(RestartPolicy, GivesUpAfterTenCrashesInARow) {
    RestartPolicy p("always", true);
    for (int i = 0; i < RestartPolicy::kMaxCrashes; ++i)
        ASSERT_TRUE(p.after(VmEnd::Crash, 1s).restart);
    auto last = p.after(VmEnd::Crash, 1s);
    EXPECT_FALSE(last.restart);
    EXPECT_TRUE(last.failed);
}

TEST(RestartPolicy, AStableRunResetsTheBackoff) {
    RestartPolicy p("on-failure", true);
    p.after(VmEnd::Crash, 1s);
    p.after(VmEnd::Crash, 1s);
    EXPECT_EQ(p.after(VmEnd::Crash, 1s).delay, 4s);
    EXPECT_EQ(p.after(VmEnd::Crash, 10min).delay, 1s) << "ran long enough to count as healthy";
}

} // namespace
} // namespace spectrum::vmbridge
