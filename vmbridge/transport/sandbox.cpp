#include "sandbox.hpp"

namespace spectrum::vmbridge::transport {

namespace {

std::vector<std::string> base_options(const std::string& bwrap, bool new_user_namespace, int seccomp_fd) {
    std::vector<std::string> argv = {
        bwrap,
        "--die-with-parent",
        "--new-session", // no TIOCSTI into the supervisor's terminal
        "--unshare-net",
        "--unshare-ipc",
        "--unshare-pid",
        "--unshare-uts",
        "--unshare-cgroup-try",
    };
    // In a user namespace RLIMIT_NPROC counts only the sandbox's own tasks; and no
    // namespace of the sandbox's own making may nest another user namespace.
    if (new_user_namespace) argv.insert(argv.end(), {"--unshare-user", "--disable-userns"});
    // The filter applies to the command alone, after bwrap has built the sandbox.
    if (seccomp_fd >= 0) argv.insert(argv.end(), {"--seccomp", std::to_string(seccomp_fd)});
    for (const char* option : {"--cap-drop", "ALL", "--ro-bind", "/usr", "/usr",
                               // Debian's merged /usr, and the loader's cache of library paths.
                               "--symlink", "usr/bin", "/bin", "--symlink", "usr/sbin", "/sbin",
                               "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64",
                               "--ro-bind-try", "/etc/ld.so.cache", "/etc/ld.so.cache", "--proc",
                               "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--chdir", "/"})
        argv.emplace_back(option);
    return argv;
}

} // namespace

std::vector<std::string> sandbox_argv(const SandboxSpec& spec) {
    std::vector<std::string> argv = base_options(spec.bwrap, spec.new_user_namespace, spec.seccomp_fd);
    argv.insert(argv.end(), {"--bind", spec.listen_dir, kSandboxListenDir});
    argv.insert(argv.end(), {"--ro-bind", spec.compositor_dir, kSandboxCompositorDir});
    argv.emplace_back("--clearenv");
    for (const auto& entry : spec.env) {
        const auto eq = entry.find('=');
        if (eq == std::string::npos) continue;
        argv.insert(argv.end(), {"--setenv", entry.substr(0, eq), entry.substr(eq + 1)});
    }
    argv.emplace_back("--");
    argv.insert(argv.end(), spec.command.begin(), spec.command.end());
    return argv;
}

std::vector<std::string> sandbox_probe_argv(const std::string& bwrap, bool new_user_namespace, int seccomp_fd) {
    std::vector<std::string> argv = base_options(bwrap, new_user_namespace, seccomp_fd);
    argv.insert(argv.end(), {"--", "/usr/bin/true"});
    return argv;
}

} // namespace spectrum::vmbridge::transport
