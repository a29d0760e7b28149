// One VM's lifecycle on one cloud-hypervisor process, as a sequence of REST calls:
// create → boot, info, and power button → wait → shutdown → delete, then vmm.shutdown.
#pragma once

#include "api_error.hpp"
#include "client.hpp"
#include "vm_spec.hpp"

#include <chrono>
#include <expected>
#include <nlohmann/json.hpp>
#include <string>

namespace spectrum::vmbridge::ch {

struct VmInfo {
    std::string state;  // VmState: "Created", "Running", "Shutdown" or "Paused"
    nlohmann::json raw; // the whole reply (config, memory_actual_size, device_tree)
};

enum class StopOutcome {
    NotCreated,      // there was no VM to stop
    WasNotRunning,   // created but not running (never booted, or already shut down): deleted
    GuestPoweredOff, // the guest shut down after the power button
    ForcedShutdown,  // the guest ignored the power button within the grace period
    VmmExited,       // the VMM went away, as cloud-hypervisor does when its guest powers off
};

struct DriverOptions {
    // How long the guest gets to shut down cleanly after the power button.
    std::chrono::milliseconds power_off_grace{std::chrono::seconds(10)};
    std::chrono::milliseconds poll_interval{std::chrono::milliseconds(100)};
};

class Driver {
  public:
    explicit Driver(Client& client, DriverOptions options = {});

    // vmm.ping; returns the VMM's version.
    std::expected<std::string, ApiError> ping();

    // vm.create then vm.boot. A failed boot deletes the VM again, so the VMM is left as it
    // was and a later start can create it afresh.
    std::expected<void, ApiError> start(const VmSpec& spec);

    std::expected<VmInfo, ApiError> info();

    // Power button, then up to power_off_grace for the guest to stop, then vm.shutdown if it
    // has not, then vm.delete. Blocks the calling thread for at most the grace period plus
    // the calls' timeouts.
    std::expected<StopOutcome, ApiError> stop();

    // vmm.shutdown: the VMM process exits. A VMM that is already gone counts as success.
    std::expected<void, ApiError> shutdown_vmm();

  private:
    Client& client_;
    DriverOptions options_;
};

} // namespace spectrum::vmbridge::ch
