// Keeps the session's VM supervisor (spectrum-vmbridge) running: it is watched through a
// pidfd and, if it dies, started again (its VMs die with it and come back with the new one)
// after policy::restart_delay_s — 1 s, doubling up to 30 s while it keeps dying within a
// minute of its start; a notice on screen says so. Destroyed with the compositor: the supervisor gets SIGTERM and stops
// its VMs (power button first, then forced).
#pragma once

#include <cstdint>
#include <string>
#include <sys/types.h>

#include "wlr.hpp"

namespace spectrum {

class Server;

class SupervisorKeeper {
  public:
    // `command` runs under sh -c, like every program the compositor starts.
    SupervisorKeeper(Server& server, std::string command);
    ~SupervisorKeeper();
    SupervisorKeeper(const SupervisorKeeper&) = delete;
    SupervisorKeeper& operator=(const SupervisorKeeper&) = delete;

    // How long the notice that it stopped stays on screen.
    static constexpr std::uint32_t notice_ms = 10'000;

  private:
    void start();
    void exited();
    static int handle_exit(int fd, std::uint32_t mask, void* data);
    static int handle_restart(void* data);

    Server& server_;
    std::string command_;
    pid_t pid_ = -1;
    int pidfd_ = -1;
    wl_event_source* exit_ = nullptr;    // the pidfd, readable once the supervisor has exited
    wl_event_source* restart_ = nullptr; // the wait before starting it again
    int delay_s_ = 0;
    std::int64_t started_ns_ = 0;
};

} // namespace spectrum
