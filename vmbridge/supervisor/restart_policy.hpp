// What happens after a VM ends, by how it ended and its [vm.NAME] restart and stop_with_app
// settings:
//
//   how it ended                          never     on-failure   always
//   stopped by the user (vm stop, exit)   stopped   stopped      stopped
//   the app exited (the guest powered off) stopped*  stopped*     restarted
//   crashed (VMM killed or failed, guest
//     panic or reset, transport died)     failed    restarted    restarted
//
//   * stop_with_app = false boots the VM again instead, so its app keeps running.
//
// Restarts after a crash back off exponentially (1 s, 2 s, 4 s … 60 s); a run that lasted
// a minute resets the count, and ten crashes in a row give up (the VM is marked failed).
#pragma once

#include <chrono>
#include <string_view>

namespace spectrum::vmbridge {

enum class VmEnd { UserStop, AppExit, Crash };

struct RestartDecision {
    bool restart = false;
    bool failed = false;                    // stays down because it kept crashing or policy "never"
    std::chrono::milliseconds delay{0};     // before booting again
};

class RestartPolicy {
  public:
    static constexpr std::chrono::milliseconds kFirstDelay{1000};
    static constexpr std::chrono::milliseconds kMaxDelay{60000};
    static constexpr std::chrono::milliseconds kStableRun{60000};
    static constexpr int kMaxCrashes = 10;

    // `policy` is "never", "on-failure" or "always".
    RestartPolicy(std::string_view policy, bool stop_with_app);

    // Called once per end of a run that lasted `ran`.
    RestartDecision after(VmEnd end, std::chrono::milliseconds ran);

    int crashes_in_a_row() const { return crashes_; }
    void reset() { crashes_ = 0; }

  private:
    enum class Policy { Never, OnFailure, Always } policy_;
    bool stop_with_app_;
    int crashes_ = 0;
};

} // namespace spectrum::vmbridge
