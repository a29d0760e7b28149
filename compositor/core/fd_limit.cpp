#include "fd_limit.hpp"

#include <algorithm>
#include <sys/resource.h>

#include "wlr.hpp"

namespace spectrum::fd_limit {

namespace {

rlimit original{};
bool raised = false;
int soft = 1024;

} // namespace

void raise_soft_limit() {
    rlimit now{};
    if (getrlimit(RLIMIT_NOFILE, &now) != 0) {
        wlr_log_errno(WLR_ERROR, "getrlimit(RLIMIT_NOFILE)");
        return;
    }
    original = now;
    soft = now.rlim_cur == RLIM_INFINITY ? 1 << 20 : static_cast<int>(std::min<rlim_t>(now.rlim_cur, 1 << 30));
    if (now.rlim_cur < now.rlim_max) {
        rlimit wanted = now;
        wanted.rlim_cur = now.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &wanted) == 0) {
            raised = true;
            soft = wanted.rlim_cur == RLIM_INFINITY ? 1 << 20
                                                    : static_cast<int>(std::min<rlim_t>(wanted.rlim_cur, 1 << 30));
        } else {
            wlr_log_errno(WLR_ERROR, "setrlimit(RLIMIT_NOFILE)");
        }
    }
    wlr_log(WLR_INFO, "file descriptors: limit %d (was %llu), the last %d kept for host clients", soft,
            static_cast<unsigned long long>(original.rlim_cur), host_reserve(soft));
}

void restore_for_child() {
    if (raised) setrlimit(RLIMIT_NOFILE, &original);
}

int current() {
    return soft;
}

int host_reserve(int limit) {
    return std::clamp(limit / 8, 32, 1024);
}

bool vm_may_hold(int fd) {
    return fd < soft - host_reserve(soft);
}

} // namespace spectrum::fd_limit
