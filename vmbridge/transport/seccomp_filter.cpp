#include "seccomp_filter.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <format>
#include <linux/sched.h>
#include <seccomp.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <unistd.h>

namespace spectrum::vmbridge::transport {

namespace {

struct Context {
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
    ~Context() {
        if (ctx) seccomp_release(ctx);
    }
};

constexpr std::uint64_t kNamespaceFlags = CLONE_NEWNS | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET |
                                          CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWCGROUP | CLONE_NEWTIME;

} // namespace

const std::vector<std::string_view>& seccomp_denied_syscalls() {
    static const std::vector<std::string_view> names = {
        // Other processes and the kernel's own state.
        "ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "pidfd_getfd",
        "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module",
        "bpf", "perf_event_open", "userfaultfd", "lookup_dcookie", "iopl", "ioperm",
        "reboot", "swapon", "swapoff", "acct", "quotactl", "quotactl_fd", "syslog",
        "settimeofday", "clock_settime", "clock_adjtime", "adjtimex", "sethostname",
        "setdomainname", "vhangup", "nfsservctl",
        // Keys, namespaces, mounts, handles: what sandbox escapes are made of.
        "keyctl", "add_key", "request_key", "unshare", "setns", "mount", "umount2",
        "pivot_root", "chroot", "move_mount", "open_tree", "fsopen", "fsconfig", "fsmount",
        "fspick", "mount_setattr", "open_by_handle_at", "name_to_handle_at",
        // Large, often-exploited kernel surfaces waypipe has no use for.
        "io_uring_setup", "io_uring_enter", "io_uring_register", "fanotify_init",
    };
    return names;
}

std::expected<int, std::string> seccomp_filter_fd() {
    Context filter;
    if (!filter.ctx) return std::unexpected("seccomp_init failed");
    const auto deny = SCMP_ACT_ERRNO(EPERM);
    auto add = [&](int syscall, unsigned count, const scmp_arg_cmp* args) -> std::expected<void, std::string> {
        if (syscall == __NR_SCMP_ERROR) return {}; // not on this architecture
        const int rc = seccomp_rule_add_array(filter.ctx, deny, syscall, count, args);
        if (rc < 0) return std::unexpected(std::format("seccomp rule: {}", std::strerror(-rc)));
        return {};
    };
    for (auto name : seccomp_denied_syscalls()) {
        if (auto added = add(seccomp_syscall_resolve_name(std::string(name).c_str()), 0, nullptr); !added)
            return std::unexpected(added.error());
    }
    // clone: each namespace flag on its own rule (a rule matches when all its tests do).
    for (std::uint64_t flag = 1; flag != 0; flag <<= 1) {
        if ((kNamespaceFlags & flag) == 0) continue;
        const scmp_arg_cmp with_flag = SCMP_A0(SCMP_CMP_MASKED_EQ, flag, flag);
        if (auto added = add(SCMP_SYS(clone), 1, &with_flag); !added) return std::unexpected(added.error());
    }
    // clone3's flags sit behind a pointer no filter can follow: ENOSYS sends libc to clone.
    if (const int rc = seccomp_rule_add(filter.ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0); rc < 0)
        return std::unexpected(std::format("seccomp rule: {}", std::strerror(-rc)));
    // Typing into the terminal a transport might share, and the console's own ioctls.
    for (unsigned long request : {static_cast<unsigned long>(TIOCSTI), static_cast<unsigned long>(TIOCLINUX)}) {
        const scmp_arg_cmp is_request = SCMP_A1(SCMP_CMP_MASKED_EQ, 0xFFFFFFFFu, request);
        if (auto added = add(SCMP_SYS(ioctl), 1, &is_request); !added) return std::unexpected(added.error());
    }
    // personality: nothing that turns off ASLR or makes every read mapping executable.
    for (std::uint64_t flag : {std::uint64_t{ADDR_NO_RANDOMIZE}, std::uint64_t{READ_IMPLIES_EXEC}}) {
        const scmp_arg_cmp with_flag = SCMP_A0(SCMP_CMP_MASKED_EQ, flag, flag);
        if (auto added = add(SCMP_SYS(personality), 1, &with_flag); !added)
            return std::unexpected(added.error());
    }

    const int fd = memfd_create("spectrum-transport-seccomp", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd < 0) return std::unexpected(std::format("memfd_create: {}", std::strerror(errno)));
    if (const int rc = seccomp_export_bpf(filter.ctx, fd); rc < 0) {
        close(fd);
        return std::unexpected(std::format("seccomp_export_bpf: {}", std::strerror(-rc)));
    }
    fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL);
    if (lseek(fd, 0, SEEK_SET) != 0) {
        close(fd);
        return std::unexpected(std::format("lseek: {}", std::strerror(errno)));
    }
    return fd;
}

} // namespace spectrum::vmbridge::transport
