// Child processes the supervisor starts (VMMs and transports), each watched through a
// pidfd on the event loop, so one VM's child exiting never has to be told apart from
// another's by a global SIGCHLD handler.
#pragma once

#include "event_loop.hpp"

#include <expected>
#include <functional>
#include <string>
#include <sys/resource.h>
#include <sys/types.h>
#include <vector>

namespace spectrum::vmbridge {

struct ResourceLimit {
    int resource; // RLIMIT_AS, RLIMIT_NOFILE, RLIMIT_NPROC, …
    rlim_t value; // soft and hard
};

struct SpawnOptions {
    std::vector<std::string> argv;                 // argv[0] is looked up in PATH
    std::vector<std::string> env;                  // the complete environment, NAME=value
    std::string output_file;                       // stdout and stderr, appended; empty: /dev/null
    std::vector<ResourceLimit> limits;             // applied in the child before exec
    int parent_death_signal = 0;                   // sent to the child if the supervisor dies
    int output_fd = -1; // if >= 0, stdout and stderr go here instead (the VM's LogPipe)
    std::vector<int> inherit_fds;                  // kept open across exec, at the same numbers
};

// How a child ended, from waitpid.
struct ExitStatus {
    bool signaled = false;
    int code = 0; // exit code, or the signal number when signaled

    bool clean() const { return !signaled && code == 0; }
    std::string describe() const; // "exited with status 1", "killed by signal 9 (Killed)"
};

class ChildProcess {
  public:
    using ExitCallback = std::function<void(ExitStatus)>;

    // Forks and execs; an exec failure comes back here as an error, not as an exit.
    static std::expected<std::unique_ptr<ChildProcess>, std::string>
    spawn(EventLoop& loop, const SpawnOptions& options, ExitCallback on_exit);
    ~ChildProcess(); // a child still running is killed (SIGKILL) and reaped
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    pid_t pid() const { return pid_; }
    bool running() const { return running_; }
    void signal(int sig) const;

  private:
    ChildProcess(EventLoop& loop) : loop_(loop) {}
    void reap();

    EventLoop& loop_;
    pid_t pid_ = -1;
    int pidfd_ = -1;
    EventLoop::WatchId watch_ = 0;
    bool running_ = false;
    ExitCallback on_exit_;
};

// The current environment with `overrides` (NAME=value) replacing or adding entries.
std::vector<std::string> environment_with(const std::vector<std::string>& overrides);

// A VMM process (QEMU, cloud-hypervisor): the supervisor's environment, its output appended
// to the VM's log, and SIGTERM if the supervisor dies, so no VM outlives its supervisor
// (both VMMs shut their guest down cleanly on SIGTERM).
// `output_fd` >= 0 (the VM's LogPipe) takes the place of `log_file`.
std::expected<std::unique_ptr<ChildProcess>, std::string>
spawn_vmm(EventLoop& loop, std::vector<std::string> argv, const std::string& log_file,
          ChildProcess::ExitCallback on_exit, int output_fd = -1);

} // namespace spectrum::vmbridge
