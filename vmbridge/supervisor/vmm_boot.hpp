// One boot of one VM on its VMM process, as the supervisor sees it whatever the VMM:
// it reports when the guest runs and how the VMM ended, and it can press the power button
// or force the VM off. QEMU (qemu/qemu_boot.hpp) and cloud-hypervisor (supervisor/ch_boot.hpp)
// implement it.
#pragma once

#include "restart_policy.hpp"

#include <functional>
#include <string>
#include <sys/types.h>

namespace spectrum::vmbridge {

struct VmmExit {
    VmEnd end = VmEnd::Crash; // AppExit when the guest powered itself off
    std::string why;          // one line for the log and `vm list`
};

struct VmmCallbacks {
    std::function<void()> running;           // the guest is running
    std::function<void(const VmmExit&)> exited; // the VMM process is gone; called once
    std::function<void(const std::string&)> note; // an event worth a line in the VM's log
};

class VmmBoot {
  public:
    virtual ~VmmBoot() = default;
    virtual pid_t pid() const = 0;
    // Asks the guest to shut down (ACPI power button).
    virtual void power_button() = 0;
    // Ends the VM now: the VMM's own quit, then SIGKILL if it lingers.
    virtual void force_stop() = 0;
};

} // namespace spectrum::vmbridge
