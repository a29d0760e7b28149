// How long to wait before starting again a helper the session needs (the VM supervisor)
// after it exited: at once-ish after a long, healthy run, longer and longer while it keeps
// dying soon after it starts, so a broken install does not spin.
#pragma once

namespace spectrum::policy {

struct RestartBackoff {
    int first_s = 1;
    int max_s = 30;
    double healthy_run_s = 60; // a run this long forgets earlier crashes
};

// Seconds to wait; `previous_s` is the last wait (0 before the first restart), `ran_s` how
// long the helper ran this time.
int restart_delay_s(int previous_s, double ran_s, const RestartBackoff& backoff = {});

} // namespace spectrum::policy
