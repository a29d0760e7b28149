// The guest kernel command line and the transport's host command.
#include "guest_cmdline.hpp"
#include "sandbox.hpp"
#include "waypipe_transport.hpp"

#include <algorithm>
#include <gtest/gtest.h>

namespace spectrum::vmbridge::transport {
namespace {

TEST(GuestCmdline, VirtioSerialWithStateDisk) {
    auto line = guest_cmdline({"quiet", "weston-simple-shm", GuestLink::VirtioSerial, "/dev/vda"});
    ASSERT_TRUE(line) << line.error();
    EXPECT_EQ(*line, "console=ttyS0 panic=-1 quiet spectrum.app=weston-simple-shm "
                     "spectrum.transport=virtio-serial spectrum.port=wayland spectrum.state=/dev/vda");
}

TEST(GuestCmdline, VsockNamesTheHostPort) {
    auto line = guest_cmdline({"", "foot", GuestLink::Vsock, ""});
    ASSERT_TRUE(line);
    EXPECT_EQ(*line, "console=ttyS0 panic=-1 spectrum.app=foot spectrum.transport=vsock spectrum.vsock=2:5000");
}

TEST(GuestCmdline, UserConsoleAndPanicAreKept) {
    auto line = guest_cmdline({"console=hvc0 panic=10", "foot", GuestLink::VirtioSerial, ""});
    ASSERT_TRUE(line);
    EXPECT_TRUE(line->starts_with("console=hvc0 panic=10 spectrum.app=foot")) << *line;
    // "noconsole=" is another parameter: console= is still added.
    auto other = guest_cmdline({"noconsole=1", "foot", GuestLink::VirtioSerial, ""});
    EXPECT_TRUE(other->starts_with("console=ttyS0 ")) << *other;
}

TEST(GuestCmdline, AppIsPercentEncodedIntoOneParameter) {
    EXPECT_EQ(percent_encode("sh -c 'echo \"hi\" > /state/x; exec foot'"),
              "sh%20-c%20%27echo%20%22hi%22%20%3E%20/state/x%3B%20exec%20foot%27");
    EXPECT_EQ(percent_encode("ünï"), "%C3%BCn%C3%AF");
    // The test initramfs runs one line with sh -c: the words, quoted where they must be.
    auto line = guest_cmdline({"", "a b=c", GuestLink::VirtioSerial, ""});
    EXPECT_NE(line->find("spectrum.app=a%20%27b%3Dc%27 "), std::string::npos) << *line;
}

TEST(GuestCmdline, ImageGuestGetsTheWordsOneByOne) {
    GuestBoot boot{"", "foot -e sh -c 'echo a,b > ~/x'", GuestLink::VirtioSerial, "/dev/vdb"};
    boot.image = true;
    boot.name = "term";
    boot.root_device = "/dev/vda";
    boot.network = true;
    auto line = guest_cmdline(boot);
    ASSERT_TRUE(line) << line.error();
    EXPECT_EQ(*line, "console=ttyS0 panic=-1 spectrum.argv=foot,-e,sh,-c,echo%20a%2Cb%20%3E%20~/x "
                     "spectrum.name=term spectrum.root=/dev/vda spectrum.net=10.0.2.15/24,10.0.2.2,10.0.2.3 "
                     "spectrum.transport=virtio-serial spectrum.port=wayland spectrum.state=/dev/vdb");
    boot.network = false;
    EXPECT_EQ(guest_cmdline(boot)->find("spectrum.net="), std::string::npos);
}

TEST(GuestCmdline, AppThatIsNotWordsIsAnError) {
    auto line = guest_cmdline({"", "foot | tee log", GuestLink::VirtioSerial, ""});
    ASSERT_FALSE(line);
    EXPECT_NE(line.error().find("not run by a shell"), std::string::npos) << line.error();
}

TEST(GuestCmdline, TooLongIsAnError) {
    auto line = guest_cmdline({"", std::string(3000, 'x'), GuestLink::VirtioSerial, ""});
    ASSERT_FALSE(line);
    EXPECT_NE(line.error().find("more than the 2047 the kernel accepts"), std::string::npos) << line.error();
}

TEST(GuestCmdline, DisksAreNamedLikeTheKernelDoes) {
    EXPECT_EQ(virtio_disk(0), "/dev/vda");
    EXPECT_EQ(virtio_disk(2), "/dev/vdc");
    EXPECT_EQ(virtio_disk(25), "/dev/vdz");
    EXPECT_EQ(virtio_disk(26), "/dev/vdaa");
}

TransportPlan plan(bool sandboxed) {
    TransportPlan p;
    p.listen_socket = "/run/user/0/spectrum/vmbridge/red/transport/wayland.sock";
    p.compositor_socket = "/run/user/0/spectrum/vm/red/wayland-0";
    p.sandboxed = sandboxed;
    p.sandbox.bwrap = "/usr/bin/bwrap";
    return p;
}

std::size_t find_sequence(const std::vector<std::string>& argv, std::vector<std::string> sequence) {
    auto it = std::ranges::search(argv, sequence);
    return it.empty() ? std::string::npos : static_cast<std::size_t>(it.begin() - argv.begin());
}

TEST(Transport, UnsandboxedWaypipeClientOnTheHostPaths) {
    const auto command = transport_command(plan(false));
    EXPECT_EQ(command.argv, (std::vector<std::string>{"waypipe", "--oneshot", "--no-gpu", "-s",
                                                      "/run/user/0/spectrum/vmbridge/red/transport/wayland.sock",
                                                      "client"}));
    EXPECT_EQ(command.env_overrides,
              std::vector<std::string>{"WAYLAND_DISPLAY=/run/user/0/spectrum/vm/red/wayland-0"});
    EXPECT_TRUE(command.env.empty());
}

TEST(Transport, SandboxBindsOnlyTheTwoSocketDirectories) {
    const auto argv = transport_command(plan(true)).argv;
    ASSERT_FALSE(argv.empty());
    EXPECT_EQ(argv[0], "/usr/bin/bwrap");
    for (const char* flag : {"--unshare-net", "--unshare-ipc", "--unshare-pid", "--die-with-parent",
                             "--new-session", "--clearenv"})
        EXPECT_NE(std::ranges::find(argv, flag), argv.end()) << flag;
    EXPECT_EQ(std::ranges::find(argv, "--unshare-user"), argv.end()) << "only when asked for";
    EXPECT_NE(find_sequence(argv, {"--cap-drop", "ALL"}), std::string::npos);
    EXPECT_NE(find_sequence(argv, {"--ro-bind", "/usr", "/usr"}), std::string::npos);
    EXPECT_NE(find_sequence(argv, {"--tmpfs", "/tmp"}), std::string::npos);
    EXPECT_NE(find_sequence(argv, {"--bind", "/run/user/0/spectrum/vmbridge/red/transport", "/run/transport"}),
              std::string::npos);
    EXPECT_NE(find_sequence(argv, {"--ro-bind", "/run/user/0/spectrum/vm/red", "/run/compositor"}),
              std::string::npos);
    // Exactly two host binds besides /usr and the loader cache: nothing else of the host.
    EXPECT_EQ(std::ranges::count(argv, "--bind"), 1);
    EXPECT_EQ(std::ranges::count(argv, "--ro-bind"), 2);
    EXPECT_NE(find_sequence(argv, {"--setenv", "WAYLAND_DISPLAY", "/run/compositor/wayland-0"}), std::string::npos);
    const auto separator = find_sequence(argv, {"--"});
    ASSERT_NE(separator, std::string::npos);
    EXPECT_EQ(std::vector<std::string>(argv.begin() + static_cast<long>(separator) + 1, argv.end()),
              (std::vector<std::string>{"waypipe", "--oneshot", "--no-gpu", "-s", "/run/transport/wayland.sock",
                                        "client"}));
}

TEST(Transport, UserNamespaceWhenAvailable) {
    TransportPlan p = plan(true);
    p.sandbox.new_user_namespace = true;
    const auto argv = transport_command(p).argv;
    EXPECT_NE(std::ranges::find(argv, "--unshare-user"), argv.end());
    const auto probe = sandbox_probe_argv("/usr/bin/bwrap", true);
    EXPECT_EQ(probe.back(), "/usr/bin/true");
    EXPECT_NE(std::ranges::find(probe, "--unshare-user"), probe.end());
}

TEST(Transport, CloudHypervisorListenerIsTheHybridVsockPortSocket) {
    TransportPlan p = plan(false);
    p.listen_socket = "/run/user/0/spectrum/vmbridge/red/transport/vsock.sock_5000";
    const auto argv = transport_command(p).argv;
    EXPECT_EQ(argv[4], "/run/user/0/spectrum/vmbridge/red/transport/vsock.sock_5000");
    EXPECT_EQ(kWaylandVsockPort, 5000u) << "the guest init's default spectrum.vsock port";
}

} // namespace
} // namespace spectrum::vmbridge::transport
