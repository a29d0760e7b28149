// One cloud-hypervisor process running one VM, driven over its REST API (vmbridge/ch/).
//
// cloud-hypervisor cannot run without KVM, so on machines without it this is exercised
// only against tests/vmbridge/fake_cloud_hypervisor.py. The REST calls block, but each is
// local and bounded by a short timeout; the power-off wait is timers on the loop.
#pragma once

#include "child_process.hpp"
#include "config.hpp"
#include "event_loop.hpp"
#include "vm_spec_from_config.hpp"
#include "vmm_boot.hpp"

#include <chrono>
#include <expected>
#include <memory>
#include <string>
#include <vector>

namespace spectrum::vmbridge {

namespace ch {
class Client;
}

struct ChBootSpec {
    std::string binary = "cloud-hypervisor";
    std::string api_socket;
    std::string log_file;   // the process's own output
    int output_fd = -1;     // or this descriptor (the VM's LogPipe), if >= 0
    config::VmConfig vm;    // cmdline already complete (guest_cmdline)
    ch::VmPlacement placement;
    std::chrono::milliseconds call_timeout{std::chrono::seconds(3)};
    std::chrono::milliseconds api_timeout{std::chrono::seconds(10)}; // socket up after spawn
    std::chrono::milliseconds poll_interval{std::chrono::seconds(1)}; // vm.info while running
    std::chrono::milliseconds kill_after{std::chrono::seconds(5)};
};

// `cloud-hypervisor --api-socket path=SOCKET`: the VM itself comes by vm.create.
std::vector<std::string> cloud_hypervisor_argv(const ChBootSpec& spec);

class ChBoot final : public VmmBoot {
  public:
    static std::expected<std::unique_ptr<ChBoot>, std::string>
    start(EventLoop& loop, const ChBootSpec& spec, VmmCallbacks callbacks);
    ~ChBoot() override;

    pid_t pid() const override { return process_ ? process_->pid() : -1; }
    void power_button() override;
    void force_stop() override;

  private:
    ChBoot(EventLoop& loop, ChBootSpec spec, VmmCallbacks callbacks);
    void try_boot();
    void poll();
    void on_exit(const ExitStatus& status);
    void note(const std::string& text);

    EventLoop& loop_;
    ChBootSpec spec_;
    VmmCallbacks callbacks_;
    std::unique_ptr<ch::Client> client_;
    std::unique_ptr<ChildProcess> process_;
    EventLoop::TimerId timer_ = 0, kill_timer_ = 0;
    std::chrono::steady_clock::time_point started_;
    bool booted_ = false, guest_off_ = false, boot_failed_ = false;
    std::string failure_;
};

} // namespace spectrum::vmbridge
