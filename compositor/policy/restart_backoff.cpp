#include "restart_backoff.hpp"

#include <algorithm>

namespace spectrum::policy {

int restart_delay_s(int previous_s, double ran_s, const RestartBackoff& backoff) {
    if (previous_s <= 0 || ran_s >= backoff.healthy_run_s) return backoff.first_s;
    return std::min(previous_s * 2, backoff.max_s);
}

} // namespace spectrum::policy
