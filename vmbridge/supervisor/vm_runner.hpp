// One VM's lifecycle: state store, transport, VMM, and what happens when any of them ends.
//
//   stopped ──start──▶ starting ──guest runs──▶ running ──stop──▶ stopping ──▶ stopped
//      ▲                  │  (waiting: autostart before the compositor is up)      │
//      └──── backoff ◀────┴─────── crashed, restart policy says again ◀────────────┘
//                          failed: crashed with restart = "never", or kept crashing
//
// Each VM has its own VMM process, transport process and timers; nothing here is shared
// with another VM, so one VM crashing only ever changes this object.
#pragma once

#include "child_process.hpp"
#include "event_loop.hpp"
#include "hypervisor_choice.hpp"
#include "restart_policy.hpp"
#include "vm_check.hpp"
#include "vm_log.hpp"
#include "vm_paths.hpp"
#include "vmm_boot.hpp"

#include <chrono>
#include <cstdint>
#include <expected>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace spectrum::vmbridge {

struct RunnerSettings {
    std::filesystem::path runtime_dir; // $XDG_RUNTIME_DIR
    std::filesystem::path state_dir;   // the global state store
    std::chrono::milliseconds stop_timeout{std::chrono::seconds(20)}; // power button → forced
    std::chrono::milliseconds transport_grace{std::chrono::seconds(3)}; // power button → transport closed
    std::chrono::milliseconds compositor_wait{std::chrono::seconds(30)}; // autostart only
    bool sandbox = true;            // run transports under bubblewrap
    std::string sandbox_problem;    // why bubblewrap cannot be used here; empty: it can
    bool sandbox_user_namespace = false;
    std::string bwrap = "/usr/bin/bwrap";
    std::string waypipe = "waypipe";
    std::string qemu = "qemu-system-x86_64";
    std::string cloud_hypervisor = "cloud-hypervisor";
    std::string spectrum_image = "spectrum-image";
    std::string passt = "passt"; // user-mode networking for cloud-hypervisor // builds and checks [image.NAME]s
    std::string config_path; // the config file the supervisor read; empty: the built-in one
    std::uint32_t vsock_cid = 3;
};

class VmRunner {
  public:
    enum class State { Unconfigured, Stopped, Waiting, Starting, Running, Stopping, Backoff, Failed };

    struct Status {
        std::string name;
        std::string state;      // state_name()
        std::string hypervisor; // "qemu-tcg", …, or "" when not launchable
        std::optional<int> pid; // the VMM's
        std::optional<double> uptime_seconds;
        int restarts = 0;
        std::string detail; // why it last stopped or failed, or what it waits for
        std::string log;    // the log file's path
    };

    VmRunner(EventLoop& loop, CheckedVm vm, std::optional<HypervisorChoice> choice,
             RunnerSettings settings);
    ~VmRunner();
    VmRunner(const VmRunner&) = delete;
    VmRunner& operator=(const VmRunner&) = delete;

    // `wait_for_compositor`: autostart may come before the compositor's VM socket exists;
    // an explicit start fails at once instead.
    // `app`: one of the VM's configured apps, run in the guest for this boot; empty: its `app`.
    std::expected<void, std::string> start(bool wait_for_compositor = false, std::string_view app = {});
    // Calls `done` once the VM is down (at once if it is already).
    void stop(std::function<void()> done = {});
    // Second Ctrl+C: no power button, no waiting.
    void force_stop();

    State state() const { return state_; }
    bool down() const;
    Status status() const;
    const VmLog& log() const { return log_; }
    const std::string& name() const { return vm_.vm.name; }

    static std::string_view state_name(State state);

  private:
    void boot();
    // A VM with `image`: check the image's files (spectrum-image paths); build it first
    // when the cache does not have it (spectrum-image build), then start the transport.
    void check_image(bool after_build);
    void build_image();
    std::expected<void, std::string> read_image_paths();
    std::vector<std::string> image_command(std::string_view verb) const;
    void image_failed(const std::string& why);
    void bury_image_step(); // from the loop, not from the child's own exit callback
    void start_transport();
    bool wants_passt() const;
    std::expected<void, std::string> start_passt();
    void wait_for_compositor();
    void wait_for_transport();
    void launch_vmm();
    void on_transport_exit(const ExitStatus& status);
    void on_vmm_exit(const VmmExit& exit);
    void finish(VmEnd end, const std::string& why);
    void enter(State state, std::string detail = {});
    void cancel_timers();
    void bury_vmm(); // destroys the VMM object from the loop, not from its own callback
    void empty_graveyard_soon();
    std::expected<std::unique_ptr<ChildProcess>, std::string> spawn_transport(const std::string& listen);

    EventLoop& loop_;
    CheckedVm vm_;
    std::string default_app_; // the configured `app`; vm_.vm.app is this boot's
    std::optional<HypervisorChoice> choice_;
    RunnerSettings settings_;
    VmPaths paths_;
    VmLog log_;
    std::unique_ptr<LogPipe> log_pipe_; // every child's output, into log_ (capped)
    RestartPolicy policy_;

    State state_ = State::Stopped;
    std::string detail_;
    std::unique_ptr<ChildProcess> transport_;
    std::unique_ptr<ChildProcess> net_;        // passt, for cloud-hypervisor with network = "user"
    std::unique_ptr<ChildProcess> image_step_; // spectrum-image, while it runs
    struct ImageFiles {
        std::string root, kernel, initramfs;
    } image_; // the checked image of this boot
    std::unique_ptr<VmmBoot> vmm_;
    std::vector<std::unique_ptr<VmmBoot>> graveyard_;
    std::vector<std::unique_ptr<ChildProcess>> graveyard_children_;
    std::vector<std::function<void()>> stop_waiters_;
    bool user_stop_ = false;
    bool transport_failed_ = false;
    int boots_ = 0, restarts_ = 0;
    std::chrono::steady_clock::time_point launched_{}, waiting_since_{};
    EventLoop::TimerId step_timer_ = 0, grace_timer_ = 0, force_timer_ = 0, bury_timer_ = 0;
};

} // namespace spectrum::vmbridge
