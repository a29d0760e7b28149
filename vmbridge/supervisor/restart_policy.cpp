#include "restart_policy.hpp"

#include <algorithm>

namespace spectrum::vmbridge {

RestartPolicy::RestartPolicy(std::string_view policy, bool stop_with_app)
    : policy_(policy == "never"    ? Policy::Never
              : policy == "always" ? Policy::Always
                                   : Policy::OnFailure),
      stop_with_app_(stop_with_app) {}

RestartDecision RestartPolicy::after(VmEnd end, std::chrono::milliseconds ran) {
    if (ran >= kStableRun) crashes_ = 0;
    switch (end) {
    case VmEnd::UserStop:
        crashes_ = 0;
        return {};
    case VmEnd::AppExit:
        crashes_ = 0;
        if (policy_ == Policy::Always || !stop_with_app_) return {true, false, {}};
        return {};
    case VmEnd::Crash:
        break;
    }
    if (policy_ == Policy::Never) return {false, true, {}};
    ++crashes_;
    if (crashes_ > kMaxCrashes) return {false, true, {}};
    auto delay = kFirstDelay;
    for (int i = 1; i < crashes_ && delay < kMaxDelay; ++i)
        delay *= 2;
    return {true, false, std::min(delay, kMaxDelay)};
}

} // namespace spectrum::vmbridge
