#include "child_process.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <format>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace spectrum::vmbridge {

namespace {

int open_pidfd(pid_t pid) {
    return static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
}

std::vector<char*> c_strings(std::vector<std::string>& strings) {
    std::vector<char*> out;
    for (auto& s : strings)
        out.push_back(s.data());
    out.push_back(nullptr);
    return out;
}

} // namespace

std::string ExitStatus::describe() const {
    if (signaled) return std::format("killed by signal {} ({})", code, strsignal(code));
    return std::format("exited with status {}", code);
}

std::vector<std::string> environment_with(const std::vector<std::string>& overrides) {
    std::vector<std::string> env;
    for (char** entry = environ; entry && *entry; ++entry) {
        std::string_view text(*entry);
        const auto name = text.substr(0, text.find('=') + 1);
        bool replaced = false;
        for (const auto& o : overrides)
            replaced = replaced || o.starts_with(name);
        if (!replaced) env.emplace_back(text);
    }
    env.insert(env.end(), overrides.begin(), overrides.end());
    return env;
}

std::expected<std::unique_ptr<ChildProcess>, std::string>
ChildProcess::spawn(EventLoop& loop, const SpawnOptions& options, ExitCallback on_exit) {
    if (options.argv.empty()) return std::unexpected("nothing to run");
    // Everything the child needs is prepared before fork: after it, only async-signal-safe
    // calls are allowed.
    std::vector<std::string> argv = options.argv;
    std::vector<std::string> env = options.env;
    auto c_argv = c_strings(argv);
    auto c_env = c_strings(env);
    const std::string output = options.output_file.empty() ? "/dev/null" : options.output_file;
    const int out_fd = options.output_fd >= 0
                           ? fcntl(options.output_fd, F_DUPFD_CLOEXEC, 3)
                           : open(output.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (out_fd < 0) return std::unexpected(std::format("cannot open {}: {}", output, strerror(errno)));
    const int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    int report[2];
    if (pipe2(report, O_CLOEXEC) != 0) {
        close(out_fd);
        close(null_fd);
        return std::unexpected(std::format("pipe: {}", strerror(errno)));
    }
    const pid_t parent = getpid();

    const pid_t pid = fork();
    if (pid == 0) {
        if (options.parent_death_signal) {
            prctl(PR_SET_PDEATHSIG, options.parent_death_signal);
            if (getppid() != parent) _exit(127); // the parent is already gone
        }
        setsid(); // the supervisor's terminal signals (Ctrl+C) are for the supervisor
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, nullptr);
        ::signal(SIGPIPE, SIG_DFL);
        dup2(null_fd, STDIN_FILENO);
        dup2(out_fd, STDOUT_FILENO);
        dup2(out_fd, STDERR_FILENO);
        for (const int fd : options.inherit_fds)
            fcntl(fd, F_SETFD, 0); // this process's copy only: the parent's stays close-on-exec
        for (const auto& limit : options.limits) {
            rlimit value{limit.value, limit.value};
            setrlimit(limit.resource, &value);
        }
        execvpe(c_argv[0], c_argv.data(), c_env.data());
        const int error = errno;
        (void)!write(report[1], &error, sizeof error);
        _exit(127);
    }
    close(report[1]);
    close(out_fd);
    close(null_fd);
    if (pid < 0) {
        close(report[0]);
        return std::unexpected(std::format("fork: {}", strerror(errno)));
    }
    int exec_error = 0;
    const bool failed = read(report[0], &exec_error, sizeof exec_error) == sizeof exec_error;
    close(report[0]);
    if (failed) {
        waitpid(pid, nullptr, 0);
        return std::unexpected(std::format("cannot run {}: {}", options.argv[0], strerror(exec_error)));
    }

    std::unique_ptr<ChildProcess> child(new ChildProcess(loop));
    child->pid_ = pid;
    child->running_ = true;
    child->on_exit_ = std::move(on_exit);
    child->pidfd_ = open_pidfd(pid);
    if (child->pidfd_ < 0) return std::unexpected(std::format("pidfd_open: {}", strerror(errno)));
    auto* raw = child.get();
    child->watch_ = loop.watch(child->pidfd_, 0x001 /* EPOLLIN */, [raw](std::uint32_t) { raw->reap(); });
    return child;
}

void ChildProcess::reap() {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) != pid_) return;
    running_ = false;
    loop_.unwatch(watch_);
    watch_ = 0;
    ExitStatus exit;
    exit.signaled = WIFSIGNALED(status);
    exit.code = exit.signaled ? WTERMSIG(status) : WEXITSTATUS(status);
    // Moved out first: the callback may destroy this object.
    auto callback = std::move(on_exit_);
    if (callback) callback(exit);
}

void ChildProcess::signal(int sig) const {
    if (running_ && pidfd_ >= 0) syscall(SYS_pidfd_send_signal, pidfd_, sig, nullptr, 0);
}

ChildProcess::~ChildProcess() {
    if (watch_) loop_.unwatch(watch_);
    if (running_) {
        signal(SIGKILL);
        waitpid(pid_, nullptr, 0);
    }
    if (pidfd_ >= 0) close(pidfd_);
}

std::expected<std::unique_ptr<ChildProcess>, std::string>
spawn_vmm(EventLoop& loop, std::vector<std::string> argv, const std::string& log_file,
          ChildProcess::ExitCallback on_exit, int output_fd) {
    SpawnOptions spawn;
    spawn.argv = std::move(argv);
    spawn.env = environment_with({});
    spawn.output_file = log_file;
    spawn.output_fd = output_fd;
    spawn.parent_death_signal = SIGTERM;
    return ChildProcess::spawn(loop, spawn, std::move(on_exit));
}

} // namespace spectrum::vmbridge
