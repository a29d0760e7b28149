#include "ch_boot.hpp"

#include "client.hpp"
#include "driver.hpp"
#include "requests.hpp"

#include <csignal>
#include <filesystem>
#include <format>

namespace spectrum::vmbridge {

using namespace std::chrono_literals;

std::vector<std::string> cloud_hypervisor_argv(const ChBootSpec& spec) {
    return {spec.binary, "--api-socket", "path=" + spec.api_socket};
}

ChBoot::ChBoot(EventLoop& loop, ChBootSpec spec, VmmCallbacks callbacks)
    : loop_(loop), spec_(std::move(spec)), callbacks_(std::move(callbacks)) {
    client_ = std::make_unique<ch::Client>(ch::ClientOptions{spec_.api_socket, spec_.call_timeout, spec_.call_timeout});
}

ChBoot::~ChBoot() {
    if (timer_) loop_.cancel(timer_);
    if (kill_timer_) loop_.cancel(kill_timer_);
}

std::expected<std::unique_ptr<ChBoot>, std::string> ChBoot::start(EventLoop& loop, const ChBootSpec& spec,
                                                                   VmmCallbacks callbacks) {
    // Checked before anything runs, so a VM cloud-hypervisor cannot boot never starts one.
    if (auto vm_spec = ch::vm_spec_from_config(spec.vm, spec.placement); !vm_spec)
        return std::unexpected(vm_spec.error());
    std::unique_ptr<ChBoot> boot(new ChBoot(loop, spec, std::move(callbacks)));
    auto* raw = boot.get();
    auto process =
        spawn_vmm(
            loop, cloud_hypervisor_argv(spec), spec.log_file, [raw](ExitStatus status) { raw->on_exit(status); },
            spec.output_fd);
    if (!process) return std::unexpected(process.error());
    boot->process_ = std::move(*process);
    boot->started_ = std::chrono::steady_clock::now();
    boot->timer_ = loop.after(20ms, [raw] { raw->try_boot(); });
    return boot;
}

void ChBoot::note(const std::string& text) {
    if (callbacks_.note) callbacks_.note(text);
}

void ChBoot::try_boot() {
    timer_ = 0;
    if (!process_->running()) return;
    if (!std::filesystem::exists(spec_.api_socket)) {
        if (std::chrono::steady_clock::now() - started_ > spec_.api_timeout) {
            failure_ = std::format("cloud-hypervisor did not open {} within {} s", spec_.api_socket,
                                   spec_.api_timeout.count() / 1000);
            process_->signal(SIGKILL);
            return;
        }
        timer_ = loop_.after(20ms, [this] { try_boot(); });
        return;
    }
    ch::Driver driver(*client_);
    auto started = driver.start(*ch::vm_spec_from_config(spec_.vm, spec_.placement));
    if (!started) {
        failure_ = started.error().describe();
        note(failure_);
        boot_failed_ = true;
        (void)client_->send(ch::requests::vmm_shutdown());
        kill_timer_ = loop_.after(spec_.kill_after, [this] {
            kill_timer_ = 0;
            process_->signal(SIGKILL);
        });
        return;
    }
    booted_ = true;
    if (callbacks_.running) callbacks_.running();
    timer_ = loop_.after(spec_.poll_interval, [this] { poll(); });
}

// cloud-hypervisor keeps running after its guest powers off (the VM is "Shutdown"); the
// supervisor notices here and ends the VMM.
void ChBoot::poll() {
    timer_ = 0;
    if (!process_->running()) return;
    ch::Driver driver(*client_);
    auto info = driver.info();
    if (info && info->state == "Shutdown") {
        guest_off_ = true;
        (void)client_->send(ch::requests::vm_delete());
        (void)client_->send(ch::requests::vmm_shutdown());
        return;
    }
    timer_ = loop_.after(spec_.poll_interval, [this] { poll(); });
}

void ChBoot::power_button() {
    if (!booted_) return;
    if (auto pressed = client_->send(ch::requests::vm_power_button()); !pressed)
        note(pressed.error().describe());
}

void ChBoot::force_stop() {
    if (!process_->running()) return;
    (void)client_->send(ch::requests::vm_shutdown());
    (void)client_->send(ch::requests::vmm_shutdown());
    if (!kill_timer_)
        kill_timer_ = loop_.after(spec_.kill_after, [this] {
            kill_timer_ = 0;
            process_->signal(SIGKILL);
        });
}

void ChBoot::on_exit(const ExitStatus& status) {
    if (timer_) loop_.cancel(std::exchange(timer_, 0));
    if (kill_timer_) loop_.cancel(std::exchange(kill_timer_, 0));
    VmmExit exit;
    if (boot_failed_ || !failure_.empty()) {
        exit = {VmEnd::Crash, failure_.empty() ? "cloud-hypervisor failed to boot the VM" : failure_};
    } else if (status.signaled || status.code != 0) {
        exit = {VmEnd::Crash, std::format("cloud-hypervisor {}", status.describe())};
    } else if (guest_off_ || booted_) {
        exit = {VmEnd::AppExit, "the guest powered off"};
    } else {
        exit = {VmEnd::Crash, "cloud-hypervisor exited before the VM booted"};
    }
    if (callbacks_.exited) callbacks_.exited(exit);
}

} // namespace spectrum::vmbridge
