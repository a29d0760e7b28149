// The transport sandbox's seccomp filter and user-namespace lock, with the real bubblewrap
// and the real filter: the argv the supervisor builds for waypipe, around a probe program
// that makes the denied calls and prints what it got.
#include "child_process.hpp"
#include "event_loop.hpp"
#include "host_probe.hpp"
#include "sandbox.hpp"
#include "seccomp_filter.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <sstream>
#include <unistd.h>

namespace spectrum::vmbridge::transport {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

bool has_pair(const std::vector<std::string>& argv, std::string_view a, std::string_view b) {
    for (std::size_t i = 0; i + 1 < argv.size(); ++i)
        if (argv[i] == a && argv[i + 1] == b) return true;
    return false;
}

TEST(SandboxArgv, SeccompFilterAndNoNestedUserNamespaces) {
    SandboxSpec spec;
    spec.listen_dir = "/run/l";
    spec.compositor_dir = "/run/c";
    spec.command = {"waypipe"};
    spec.seccomp_fd = 7;
    spec.new_user_namespace = true;
    auto argv = sandbox_argv(spec);
    EXPECT_TRUE(has_pair(argv, "--seccomp", "7"));
    EXPECT_TRUE(has_pair(argv, "--unshare-user", "--disable-userns"));
    // Options before the command, never after "--".
    const auto dashes = std::ranges::find(argv, std::string("--"));
    EXPECT_LT(std::ranges::find(argv, std::string("--seccomp")), dashes);

    spec.new_user_namespace = false; // no user namespace here: the filter denies unshare and setns
    argv = sandbox_argv(spec);
    EXPECT_TRUE(has_pair(argv, "--seccomp", "7"));
    EXPECT_EQ(std::ranges::find(argv, std::string("--disable-userns")), argv.end());
}

TEST(SeccompFilter, DeniesTheDangerousCalls) {
    const auto& denied = seccomp_denied_syscalls();
    for (std::string_view name : {"ptrace", "mount", "umount2", "pivot_root", "kexec_load", "kexec_file_load",
                                  "bpf", "perf_event_open", "keyctl", "add_key", "request_key", "userfaultfd",
                                  "unshare", "setns", "init_module", "finit_module", "open_by_handle_at",
                                  "process_vm_readv", "process_vm_writev"})
        EXPECT_NE(std::ranges::find(denied, name), denied.end()) << name;
}

struct Sandboxed {
    std::string output;
    ExitStatus status;
};

// Runs `command` in the transport's sandbox, as spawn_transport does, with or without the filter.
Sandboxed run_sandboxed(std::vector<std::string> command, bool filtered) {
    char pattern[] = "/tmp/spectrum-seccomp-XXXXXX";
    const fs::path dir = mkdtemp(pattern);
    fs::create_directories(dir / "listen");
    fs::create_directories(dir / "compositor");
    const bool userns = !vmbridge::probe_bubblewrap("/usr/bin/bwrap", true).has_value();
    SandboxSpec spec;
    spec.listen_dir = (dir / "listen").string();
    spec.compositor_dir = (dir / "compositor").string();
    spec.new_user_namespace = userns;
    spec.env = {"PATH=/usr/bin"};
    spec.command = std::move(command);
    int fd = -1;
    if (filtered) {
        auto filter = seccomp_filter_fd();
        EXPECT_TRUE(filter) << filter.error();
        fd = filter.value_or(-1);
        spec.seccomp_fd = fd;
    }
    vmbridge::SpawnOptions spawn;
    spawn.argv = sandbox_argv(spec);
    spawn.env = {"PATH=/usr/bin:/bin"};
    spawn.output_file = (dir / "out").string();
    if (fd >= 0) spawn.inherit_fds = {fd};
    vmbridge::EventLoop loop;
    std::optional<vmbridge::ExitStatus> status;
    auto child = vmbridge::ChildProcess::spawn(loop, spawn, [&](vmbridge::ExitStatus s) { status = s; });
    if (fd >= 0) close(fd);
    EXPECT_TRUE(child) << (child ? "" : child.error());
    if (child) {
        EXPECT_TRUE(loop.run_until([&] { return status.has_value(); }, 30s));
    }
    std::ifstream in(dir / "out");
    std::stringstream text;
    text << in.rdbuf();
    fs::remove_all(dir);
    return {text.str(), status.value_or(vmbridge::ExitStatus{true, 9})};
}

// Each call's errno name, or "ok". x86-64 syscall numbers where libc has no wrapper.
constexpr const char* kProbe = R"(
import ctypes, errno, os
libc = ctypes.CDLL(None, use_errno=True)
def show(name, result):
    print(name, "ok" if result >= 0 else errno.errorcode.get(ctypes.get_errno(), "?"), flush=True)
show("ptrace", libc.ptrace(0, 0, None, None))                  # PTRACE_TRACEME
show("unshare", libc.unshare(0))                               # no flags: harmless, yet denied
show("unshare-user", libc.unshare(0x10000000))                 # CLONE_NEWUSER
show("keyctl", libc.syscall(250, 0, ctypes.c_long(-3), 0))     # KEYCTL_GET_KEYRING_ID, session
show("personality", libc.personality(0x0040000))               # ADDR_NO_RANDOMIZE
buf = ctypes.create_string_buffer(8)
class iovec(ctypes.Structure):
    _fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]
v = iovec(ctypes.cast(buf, ctypes.c_void_p), 8)
show("process_vm_readv", libc.process_vm_readv(os.getpid(), ctypes.byref(v), 1, ctypes.byref(v), 1, 0))
show("getpid", libc.getpid())
)";

class RealSandbox : public ::testing::Test {
  protected:
    void SetUp() override {
        if (access("/usr/bin/bwrap", X_OK) != 0 || access("/usr/bin/python3", X_OK) != 0)
            GTEST_SKIP() << "bubblewrap and python3 are needed (run via tools/dev)";
        if (auto problem = vmbridge::probe_bubblewrap("/usr/bin/bwrap", false);
            problem && vmbridge::probe_bubblewrap("/usr/bin/bwrap", true))
            GTEST_SKIP() << "bubblewrap cannot build a sandbox here: " << *problem;
    }
};

TEST_F(RealSandbox, FilterMakesTheDeniedCallsFailWithEperm) {
    // Without the filter the harmless ones succeed: the filter is what denies them below.
    const auto open = run_sandboxed({"/usr/bin/python3", "-c", kProbe}, false);
    ASSERT_TRUE(open.status.clean()) << open.output;
    EXPECT_NE(open.output.find("ptrace ok\n"), std::string::npos) << open.output;
    EXPECT_NE(open.output.find("unshare ok\n"), std::string::npos) << open.output;
    EXPECT_NE(open.output.find("personality ok\n"), std::string::npos) << open.output;
    EXPECT_NE(open.output.find("process_vm_readv ok\n"), std::string::npos) << open.output;

    const auto closed = run_sandboxed({"/usr/bin/python3", "-c", kProbe}, true);
    ASSERT_TRUE(closed.status.clean()) << closed.output;
    for (const char* line : {"ptrace EPERM\n", "unshare EPERM\n", "unshare-user EPERM\n", "keyctl EPERM\n",
                             "personality EPERM\n", "process_vm_readv EPERM\n", "getpid ok\n"})
        EXPECT_NE(closed.output.find(line), std::string::npos) << line << " in\n" << closed.output;
}

TEST_F(RealSandbox, WaypipeStillRunsUnderTheFilter) {
    if (access("/usr/bin/waypipe", X_OK) != 0) GTEST_SKIP() << "waypipe is not installed";
    const auto run = run_sandboxed({"/usr/bin/waypipe", "--version"}, true);
    EXPECT_TRUE(run.status.clean()) << run.status.describe() << "\n" << run.output;
    EXPECT_NE(run.output.find("waypipe"), std::string::npos) << run.output;
}

} // namespace
} // namespace spectrum::vmbridge::transport
