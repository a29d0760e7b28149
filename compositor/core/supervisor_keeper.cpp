#include "supervisor_keeper.hpp"

#include <csignal>
#include <format>
#include <unistd.h>

extern "C" { // glibc's header declares these without C linkage for C++
#include <sys/pidfd.h>
}

#include "frame_pacer.hpp" // monotonic_ns
#include "notice/notice.hpp"
#include "restart_backoff.hpp"
#include "server.hpp"

namespace spectrum {

SupervisorKeeper::SupervisorKeeper(Server& server, std::string command)
    : server_(server), command_(std::move(command)) {
    restart_ = wl_event_loop_add_timer(server.loop, handle_restart, this);
    start();
}

SupervisorKeeper::~SupervisorKeeper() {
    if (exit_) wl_event_source_remove(exit_);
    if (restart_) wl_event_source_remove(restart_);
    if (pidfd_ >= 0) {
        // Through the pidfd: never a process that reused a dead supervisor's pid.
        pidfd_send_signal(pidfd_, SIGTERM, nullptr, 0);
        close(pidfd_);
    }
}

void SupervisorKeeper::start() {
    pid_ = server_.spawn(command_);
    started_ns_ = monotonic_ns();
    if (pid_ <= 0) {
        exited(); // tried again later, as if it had died at once
        return;
    }
    wlr_log(WLR_INFO, "VM supervisor started (pid %d)", pid_);
    // Children are reaped automatically (SA_NOCLDWAIT), so its exit is seen on a pidfd. If it
    // is gone already, pidfd_open fails and it is treated as exited.
    pidfd_ = pidfd_open(pid_, 0);
    if (pidfd_ < 0) {
        exited();
        return;
    }
    exit_ = wl_event_loop_add_fd(server_.loop, pidfd_, WL_EVENT_READABLE, handle_exit, this);
}

void SupervisorKeeper::exited() {
    if (exit_) wl_event_source_remove(exit_);
    exit_ = nullptr;
    if (pidfd_ >= 0) close(pidfd_);
    pidfd_ = -1;
    const double ran_s = static_cast<double>(monotonic_ns() - started_ns_) / 1e9;
    delay_s_ = policy::restart_delay_s(delay_s_, ran_s);
    if (pid_ > 0)
        wlr_log(WLR_ERROR, "VM supervisor (pid %d) exited after %.1f s; its VMs stopped with it; "
                           "starting it again in %d s", pid_, ran_s, delay_s_);
    else
        wlr_log(WLR_ERROR, "VM supervisor could not be started; trying again in %d s", delay_s_);
    // On screen too: every VM window just went, and the user should know why and that they
    // come back.
    if (server_.session_notice)
        server_.session_notice->show(
            std::format("The VM supervisor {}; starting it again in {} s, and its VMs with it",
                        pid_ > 0 ? "stopped" : "could not be started", delay_s_),
            NoticeOverlay::Style::Error, NoticeOverlay::error_accent, notice_ms);
    pid_ = -1;
    if (restart_) wl_event_source_timer_update(restart_, delay_s_ * 1000);
}

int SupervisorKeeper::handle_exit(int, std::uint32_t, void* data) {
    static_cast<SupervisorKeeper*>(data)->exited();
    return 0;
}

int SupervisorKeeper::handle_restart(void* data) {
    static_cast<SupervisorKeeper*>(data)->start();
    return 0;
}

} // namespace spectrum
