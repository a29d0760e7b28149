// One QEMU process running one VM, controlled over QMP on the supervisor's event loop.
#pragma once

#include "../supervisor/child_process.hpp"
#include "../supervisor/event_loop.hpp"
#include "../supervisor/vmm_boot.hpp"
#include "qemu_args.hpp"
#include "qmp_client.hpp"

#include <chrono>
#include <expected>
#include <memory>
#include <string>

namespace spectrum::vmbridge::qemu {

struct QemuBootOptions {
    std::chrono::milliseconds qmp_timeout{std::chrono::seconds(20)}; // QEMU up and answering
    std::chrono::milliseconds kill_after{std::chrono::seconds(5)};   // after quit, SIGKILL
};

class QemuBoot final : public VmmBoot {
  public:
    // Spawns QEMU with `spec` (its stdout and stderr appended to spec.log_file).
    static std::expected<std::unique_ptr<QemuBoot>, std::string>
    start(EventLoop& loop, const QemuSpec& spec, VmmCallbacks callbacks, QemuBootOptions options = {});
    ~QemuBoot() override;

    pid_t pid() const override { return process_ ? process_->pid() : -1; }
    void power_button() override;
    void force_stop() override;

    // The reason of QEMU's SHUTDOWN event ("guest-shutdown", "guest-reset", …), if seen.
    const std::string& shutdown_reason() const { return shutdown_reason_; }

    // How a QEMU exit counts, from its status and the SHUTDOWN event's reason.
    static VmmExit classify(const ExitStatus& status, const std::string& shutdown_reason);

  private:
    QemuBoot(EventLoop& loop, QemuSpec spec, VmmCallbacks callbacks, QemuBootOptions options)
        : loop_(loop), spec_(std::move(spec)), callbacks_(std::move(callbacks)), options_(options) {}
    void try_connect();
    void on_qmp_ready();
    void on_exit(const ExitStatus& status);
    void drop_qmp();

    EventLoop& loop_;
    QemuSpec spec_;
    VmmCallbacks callbacks_;
    QemuBootOptions options_;
    std::unique_ptr<ChildProcess> process_;
    std::unique_ptr<QmpClient> qmp_;
    EventLoop::TimerId connect_timer_ = 0, kill_timer_ = 0, drop_timer_ = 0;
    std::chrono::steady_clock::time_point started_;
    std::string shutdown_reason_;
    std::string last_connect_error_;
    bool reported_running_ = false;
};

} // namespace spectrum::vmbridge::qemu
