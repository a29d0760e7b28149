#include "vm_runner.hpp"

#include "../qemu/qemu_boot.hpp"
#include "../transport/guest_cmdline.hpp"
#include "../transport/seccomp_filter.hpp"
#include "../transport/waypipe_transport.hpp"
#include "ch_boot.hpp"
#include "state_store.hpp"

#include <algorithm>
#include <csignal>
#include <format>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sys/stat.h>
#include <unistd.h>

namespace spectrum::vmbridge {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

constexpr auto kSocketPoll = 20ms;
constexpr auto kTransportStartTimeout = 10s;
constexpr auto kCompositorPoll = 250ms;
constexpr int kImageNotBuilt = 3; // spectrum-image paths: not in the cache (or stale)

// The last non-empty line of a small output file: the one-line reason a tool failed.
std::string last_line_of(const fs::path& file) {
    std::ifstream in(file);
    std::string line, last;
    while (std::getline(in, line))
        if (!line.empty()) last = line;
    return last;
}

std::expected<void, std::string> private_dir(const fs::path& dir) {
    std::error_code error;
    fs::create_directories(dir, error);
    if (error) return std::unexpected(std::format("cannot create {}: {}", dir.string(), error.message()));
    if (chmod(dir.c_str(), 0700) != 0)
        return std::unexpected(std::format("cannot make {} private: {}", dir.string(), std::strerror(errno)));
    return {};
}

} // namespace

VmRunner::VmRunner(EventLoop& loop, CheckedVm vm, std::optional<HypervisorChoice> choice,
                   RunnerSettings settings)
    : loop_(loop), vm_(std::move(vm)), choice_(std::move(choice)), settings_(std::move(settings)),
      paths_(VmPaths::for_vm(settings_.runtime_dir, vm_.vm.name)), log_(paths_.log),
      policy_(vm_.vm.restart, vm_.vm.stop_with_app) {
    default_app_ = vm_.vm.app;
    if (!vm_.launchable || !choice_) {
        state_ = State::Unconfigured;
        detail_ = std::format("no image or kernel set; add image = \"base\" (or an [image.NAME] of "
                              "your own) to [vm.{}]",
                              vm_.vm.name);
    } else if (vm_.vm.sandbox && !settings_.sandbox_problem.empty()) {
        // Never a silent fallback to an unsandboxed transport: the config must ask for it.
        state_ = State::Unconfigured;
        detail_ = std::format("{}, and its transport runs only in the sandbox; install bubblewrap, or "
                              "set sandbox = false in [vm.{}] to run it unsandboxed",
                              settings_.sandbox_problem, vm_.vm.name);
        log_.note(std::format("VM {} cannot start: {}", vm_.vm.name, detail_));
    }
}

VmRunner::~VmRunner() {
    cancel_timers();
    if (bury_timer_) loop_.cancel(bury_timer_);
    // The members' destructors kill a VMM or transport still running.
}

std::string_view VmRunner::state_name(State state) {
    switch (state) {
    case State::Unconfigured: return "unconfigured";
    case State::Stopped: return "stopped";
    case State::Waiting: return "waiting";
    case State::Starting: return "starting";
    case State::Running: return "running";
    case State::Stopping: return "stopping";
    case State::Backoff: return "backoff";
    case State::Failed: return "failed";
    }
    return "unknown";
}

bool VmRunner::down() const {
    return state_ == State::Unconfigured || state_ == State::Stopped || state_ == State::Failed;
}

VmRunner::Status VmRunner::status() const {
    Status s;
    s.name = vm_.vm.name;
    s.state = std::string(state_name(state_));
    s.hypervisor = choice_ ? choice_->name() : "";
    if (vmm_ && vmm_->pid() > 0) {
        s.pid = vmm_->pid();
        s.uptime_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - launched_).count();
    }
    s.restarts = restarts_;
    s.detail = detail_;
    s.log = log_.path().string();
    return s;
}

void VmRunner::enter(State state, std::string detail) {
    state_ = state;
    detail_ = std::move(detail);
    if (!down()) return;
    auto waiters = std::move(stop_waiters_);
    stop_waiters_.clear();
    for (auto& done : waiters)
        if (done) done();
}

void VmRunner::cancel_timers() {
    for (auto* timer : {&step_timer_, &grace_timer_, &force_timer_})
        if (*timer) loop_.cancel(std::exchange(*timer, 0));
}

std::expected<void, std::string> VmRunner::start(bool wait, std::string_view app) {
    // Only what the config lists runs in the guest: the request names, it never defines.
    if (!app.empty() && app != default_app_ && std::ranges::find(vm_.vm.apps, app) == vm_.vm.apps.end())
        return std::unexpected(std::format("VM {} has no app \"{}\" in its config", name(), app));
    switch (state_) {
    case State::Unconfigured:
        return std::unexpected(std::format("VM {} cannot start: {}", name(), detail_));
    case State::Waiting:
    case State::Starting:
    case State::Running:
        return std::unexpected(std::format("VM {} is already {}", name(), state_name(state_)));
    case State::Stopping:
        return std::unexpected(std::format("VM {} is stopping; start it again once it has stopped", name()));
    case State::Backoff:
        cancel_timers(); // a user's start skips the rest of the backoff
        break;
    case State::Stopped:
    case State::Failed:
        policy_.reset();
        break;
    }
    vm_.vm.app = app.empty() ? default_app_ : std::string(app);
    if (!fs::exists(paths_.compositor_socket)) {
        if (!wait)
            return std::unexpected(std::format(
                "the compositor's socket for VM {} ({}) does not exist; is spectrum-compositor "
                "running with the same config and XDG_RUNTIME_DIR?",
                name(), paths_.compositor_socket.string()));
        waiting_since_ = std::chrono::steady_clock::now();
        enter(State::Waiting, "waiting for the compositor's socket " + paths_.compositor_socket.string());
        wait_for_compositor();
        return {};
    }
    boot();
    return {};
}

void VmRunner::wait_for_compositor() {
    step_timer_ = 0;
    if (fs::exists(paths_.compositor_socket)) {
        boot();
        return;
    }
    if (std::chrono::steady_clock::now() - waiting_since_ > settings_.compositor_wait) {
        log_.note("the compositor's socket did not appear; not starting");
        enter(State::Failed, std::format("the compositor's socket {} did not appear within {} s",
                                         paths_.compositor_socket.string(),
                                         settings_.compositor_wait.count() / 1000));
        return;
    }
    step_timer_ = loop_.after(kCompositorPoll, [this] { wait_for_compositor(); });
}

std::expected<std::unique_ptr<ChildProcess>, std::string> VmRunner::spawn_transport(const std::string& listen) {
    transport::TransportPlan plan;
    plan.listen_socket = listen;
    plan.compositor_socket = paths_.compositor_socket.string();
    plan.waypipe = settings_.waypipe;
    plan.sandboxed = settings_.sandbox;
    plan.sandbox.bwrap = settings_.bwrap;
    plan.sandbox.new_user_namespace = settings_.sandbox_user_namespace;
    int seccomp = -1;
    if (plan.sandboxed) {
        auto filter = transport::seccomp_filter_fd();
        if (!filter) return std::unexpected("cannot build the sandbox's seccomp filter: " + filter.error());
        seccomp = *filter;
        plan.sandbox.seccomp_fd = seccomp;
    }
    const auto command = transport::transport_command(plan);

    SpawnOptions spawn;
    spawn.argv = command.argv;
    spawn.env = command.env.empty() ? environment_with(command.env_overrides) : command.env;
    spawn.output_fd = log_pipe_->write_end();
    spawn.parent_death_signal = SIGKILL;
    spawn.limits = {{RLIMIT_AS, plan.limits.address_space}, {RLIMIT_NOFILE, plan.limits.open_files}};
    // RLIMIT_NPROC counts every process of the user; only in a user namespace of its own
    // does it count the sandbox's alone, and root outside one is not held to it at all.
    if (settings_.sandbox && settings_.sandbox_user_namespace)
        spawn.limits.push_back({RLIMIT_NPROC, plan.limits.processes});
    if (seccomp >= 0) spawn.inherit_fds.push_back(seccomp);
    auto child = ChildProcess::spawn(loop_, spawn, [this](ExitStatus status) { on_transport_exit(status); });
    if (seccomp >= 0) close(seccomp);
    return child;
}

void VmRunner::boot() {
    cancel_timers();
    user_stop_ = false;
    transport_failed_ = false;
    ++boots_;
    enter(State::Starting, "starting the transport");
    if (auto dir = private_dir(paths_.dir); !dir) return finish(VmEnd::Crash, dir.error());
    log_.rotate();
    if (!log_pipe_) {
        auto pipe = LogPipe::open(loop_, log_);
        if (!pipe) return finish(VmEnd::Crash, "cannot open the log pipe: " + pipe.error());
        log_pipe_ = std::move(*pipe);
    }
    log_.note(std::format("boot {} of VM {} on {}{}", boots_, name(), choice_->name(),
                          settings_.sandbox ? "" : " (transport not sandboxed)"));
    if (!vm_.vm.image.empty()) return check_image(false);
    start_transport();
}

std::vector<std::string> VmRunner::image_command(std::string_view verb) const {
    std::vector<std::string> argv{settings_.spectrum_image, std::string(verb)};
    if (!settings_.config_path.empty()) argv.insert(argv.end(), {"--config", settings_.config_path});
    argv.push_back(vm_.vm.image);
    return argv;
}

// The image's files are checked against the cache's index on every boot: a file changed
// in the cache is refused, never booted.
void VmRunner::check_image(bool after_build) {
    enter(State::Starting, std::format("checking image {}", vm_.vm.image));
    const fs::path out = paths_.dir / "image.json";
    unlink(out.c_str());
    SpawnOptions spawn;
    spawn.argv = image_command("paths");
    spawn.env = environment_with({});
    spawn.output_file = out.string();
    spawn.parent_death_signal = SIGKILL;
    auto child = ChildProcess::spawn(loop_, spawn, [this, after_build](ExitStatus status) {
        bury_image_step();
        if (status.clean()) {
            if (auto read = read_image_paths(); !read) return image_failed(read.error());
            log_.note(std::format("image {}: {}", vm_.vm.image, image_.root));
            return start_transport();
        }
        const auto why = last_line_of(paths_.dir / "image.json");
        if (!status.signaled && status.code == kImageNotBuilt && !after_build) {
            log_.note(why);
            return build_image();
        }
        image_failed(why.empty() ? "spectrum-image paths " + status.describe() : why);
    });
    if (!child) return image_failed("cannot run spectrum-image: " + child.error());
    image_step_ = std::move(*child);
}

void VmRunner::build_image() {
    enter(State::Starting, std::format("building image {} (the first boot after a change takes "
                                       "minutes; see the VM's log)",
                                       vm_.vm.image));
    const fs::path out = paths_.dir / "image-build.log";
    unlink(out.c_str());
    SpawnOptions spawn;
    spawn.argv = image_command("build");
    spawn.env = environment_with({});
    spawn.output_file = out.string();
    spawn.parent_death_signal = SIGTERM; // lets the build clean up after itself
    auto child = ChildProcess::spawn(loop_, spawn, [this, out](ExitStatus status) {
        bury_image_step();
        if (!status.clean()) {
            const auto why = last_line_of(out);
            return image_failed(std::format("{} (full output: {})",
                                            why.empty() ? "spectrum-image build " + status.describe() : why,
                                            out.string()));
        }
        log_.note(std::format("image {} built", vm_.vm.image));
        check_image(true);
    });
    if (!child) return image_failed("cannot run spectrum-image: " + child.error());
    image_step_ = std::move(*child);
}

std::expected<void, std::string> VmRunner::read_image_paths() {
    std::ifstream in(paths_.dir / "image.json");
    const auto json = nlohmann::json::parse(in, nullptr, false);
    auto text = [&](const char* key) -> std::string {
        if (!json.is_object() || !json.contains(key) || !json[key].is_string()) return {};
        return json[key].get<std::string>();
    };
    image_ = {text("root"), text("kernel"), text("initramfs")};
    if (image_.root.empty() || image_.kernel.empty() || image_.initramfs.empty())
        return std::unexpected(std::format("spectrum-image paths gave no usable answer for image {}",
                                           vm_.vm.image));
    return {};
}

// An image that cannot be had is no crash to retry: the VM fails with the one line that
// says why (an unknown package, no mirror, a modified file).
void VmRunner::image_failed(const std::string& why) {
    log_.note(std::format("VM {} cannot start: {}", name(), why));
    cancel_timers();
    enter(State::Failed, why);
}

void VmRunner::bury_image_step() {
    if (!image_step_) return;
    graveyard_children_.push_back(std::move(image_step_));
    empty_graveyard_soon();
}

void VmRunner::start_transport() {
    enter(State::Starting, "starting the transport");
    if (auto dir = private_dir(paths_.transport_dir); !dir) return finish(VmEnd::Crash, dir.error());

    const bool qemu = choice_->hypervisor == Hypervisor::Qemu;
    const fs::path listen = qemu ? paths_.wayland_socket : paths_.vsock_listener;
    for (const auto& stale : {paths_.qmp_socket, paths_.api_socket, paths_.wayland_socket,
                              paths_.vsock_socket, paths_.vsock_listener})
        unlink(stale.c_str());

    transport_.reset(); // a previous boot's, if it still lingers
    net_.reset();
    if (wants_passt())
        if (auto net = start_passt(); !net) return finish(VmEnd::Crash, net.error());
    auto transport = spawn_transport(listen.string());
    if (!transport) return finish(VmEnd::Crash, "cannot start the transport: " + transport.error());
    transport_ = std::move(*transport);
    log_.note(std::format("transport started, pid {}", transport_->pid()));
    waiting_since_ = std::chrono::steady_clock::now();
    wait_for_transport();
}

bool VmRunner::wants_passt() const {
    return choice_->hypervisor != Hypervisor::Qemu && vm_.vm.network == "user";
}

// cloud-hypervisor has no user-mode network of its own: passt serves it as a vhost-user net
// device, with the same addresses QEMU's user netdev gives (transport::kUserNetwork), no
// inbound ports, and the gateway standing for the host's loopback. --one-off: it ends with
// the VM's connection.
std::expected<void, std::string> VmRunner::start_passt() {
    unlink(paths_.net_socket.c_str());
    SpawnOptions spawn;
    spawn.argv = {settings_.passt, "--vhost-user", "--socket", paths_.net_socket.string(), "--foreground",
                  "--quiet", "--one-off", "--ipv4-only", "--address", "10.0.2.15", "--netmask", "255.255.255.0",
                  "--gateway", "10.0.2.2", "--map-host-loopback", "10.0.2.2", "--dns-forward", "10.0.2.3",
                  "--tcp-ports", "none", "--udp-ports", "none"};
    spawn.env = environment_with({});
    spawn.output_fd = log_pipe_->write_end();
    spawn.parent_death_signal = SIGKILL;
    auto child = ChildProcess::spawn(loop_, spawn, [this](ExitStatus status) {
        if (state_ == State::Starting || state_ == State::Running) log_.note("passt " + status.describe());
    });
    if (!child) return std::unexpected("cannot start passt for network = \"user\": " + child.error());
    net_ = std::move(*child);
    log_.note(std::format("passt started, pid {}", net_->pid()));
    return {};
}

// QEMU connects to the transport's socket as it starts and gives up if nobody listens, so
// the VMM starts only once the socket is there (and passt's, for cloud-hypervisor's net).
void VmRunner::wait_for_transport() {
    step_timer_ = 0;
    const bool qemu = choice_->hypervisor == Hypervisor::Qemu;
    const fs::path listen = qemu ? paths_.wayland_socket : paths_.vsock_listener;
    if (fs::exists(listen) && (!wants_passt() || fs::exists(paths_.net_socket))) {
        launch_vmm();
        return;
    }
    if (std::chrono::steady_clock::now() - waiting_since_ > kTransportStartTimeout) {
        transport_.reset();
        return finish(VmEnd::Crash, std::format("the transport did not create {} within {} s",
                                                listen.string(), kTransportStartTimeout.count()));
    }
    step_timer_ = loop_.after(kSocketPoll, [this] { wait_for_transport(); });
}

void VmRunner::launch_vmm() {
    enter(State::Starting, "booting");
    auto state_disk = prepare_state_disk(settings_.state_dir, name());
    if (!state_disk) return finish(VmEnd::Crash, state_disk.error());
    const auto& vm = vm_.vm;

    VmmCallbacks callbacks;
    callbacks.running = [this] {
        if (state_ != State::Starting) return;
        log_.note("guest running");
        enter(State::Running);
    };
    callbacks.exited = [this](const VmmExit& exit) { on_vmm_exit(exit); };
    callbacks.note = [this](const std::string& text) { log_.note(text); };

    const bool qemu = choice_->hypervisor == Hypervisor::Qemu;
    // An image VM boots the image's kernel and first stage unless its config names its own,
    // with the image as its first disk (read-only) and its own `images` after it.
    const bool from_image = !vm.image.empty();
    std::vector<std::string> disks = vm.images;
    if (from_image) disks.insert(disks.begin(), image_.root);
    const std::string kernel = vm.kernel.empty() ? image_.kernel : vm.kernel;
    const std::string initramfs = from_image && vm.initramfs.empty() ? image_.initramfs : vm.initramfs;
    transport::GuestBoot guest{vm.cmdline, vm.app,
                               qemu ? transport::GuestLink::VirtioSerial : transport::GuestLink::Vsock,
                               transport::virtio_disk(disks.size())};
    guest.image = from_image;
    guest.name = vm.name;
    guest.root_device = from_image ? transport::virtio_disk(0) : "";
    guest.network = vm.network == "user";
    auto cmdline = transport::guest_cmdline(guest);
    if (!cmdline) return finish(VmEnd::Crash, cmdline.error());

    std::expected<std::unique_ptr<VmmBoot>, std::string> boot = std::unexpected("");
    if (qemu) {
        qemu::QemuSpec spec;
        spec.binary = settings_.qemu;
        spec.name = name();
        spec.kvm = choice_->accel == Accel::Kvm;
        spec.memory_mib = vm.memory_mib;
        spec.cpus = vm.cpus;
        spec.kernel = kernel;
        spec.initramfs = initramfs;
        spec.cmdline = *cmdline;
        spec.readonly_images = disks;
        spec.user_network = guest.network;
        spec.image_format = vm.image_format;
        spec.state_disk = state_disk->string();
        spec.wayland_socket = paths_.wayland_socket.string();
        spec.qmp_socket = paths_.qmp_socket.string();
        spec.log_file = paths_.log.string();
        spec.output_fd = log_pipe_->write_end();
        auto started = qemu::QemuBoot::start(loop_, spec, std::move(callbacks));
        if (started) boot = std::move(*started);
        else boot = std::unexpected(started.error());
    } else {
        ChBootSpec spec;
        spec.binary = settings_.cloud_hypervisor;
        spec.api_socket = paths_.api_socket.string();
        spec.log_file = paths_.log.string();
        spec.output_fd = log_pipe_->write_end();
        spec.vm = vm;
        spec.vm.kernel = kernel;
        spec.vm.initramfs = initramfs;
        spec.vm.images = disks;
        spec.vm.cmdline = *cmdline;
        spec.placement.state_disk = state_disk->string();
        spec.placement.vsock_socket = paths_.vsock_socket.string();
        spec.placement.vsock_cid = settings_.vsock_cid;
        if (wants_passt()) spec.placement.net_socket = paths_.net_socket.string();
        spec.placement.serial_log = "-"; // its stdout: the capped log, like QEMU's console
        auto started = ChBoot::start(loop_, spec, std::move(callbacks));
        if (started) boot = std::move(*started);
        else boot = std::unexpected(started.error());
    }
    if (!boot) {
        transport_.reset();
        return finish(VmEnd::Crash, std::format("cannot start {}: {}", choice_->name(), boot.error()));
    }
    vmm_ = std::move(*boot);
    launched_ = std::chrono::steady_clock::now();
    log_.note(std::format("{} started, pid {}", qemu ? "QEMU" : "cloud-hypervisor", vmm_->pid()));
}

void VmRunner::on_transport_exit(const ExitStatus& status) {
    // Not destroyed here: we are inside its exit callback. The next boot replaces it.
    const bool vmm_alive = vmm_ != nullptr;
    if (!vmm_alive) {
        if (state_ == State::Starting) { // died before the VMM started
            log_.note("transport " + status.describe());
            finish(VmEnd::Crash, "the transport " + status.describe() + " before the VM started");
        }
        return;
    }
    if (state_ == State::Stopping) return; // we closed it
    log_.note("transport " + status.describe());
    if (!status.clean()) transport_failed_ = true;
    // The guest sees its host end close, ends the app and powers off; if it does not, it
    // is stopped like any other.
    if (!force_timer_)
        force_timer_ = loop_.after(settings_.stop_timeout, [this] {
            force_timer_ = 0;
            if (vmm_) {
                log_.note("the guest did not power off after its transport closed; forcing it off");
                vmm_->force_stop();
            }
        });
}

void VmRunner::on_vmm_exit(const VmmExit& exit) {
    bury_vmm();
    if (transport_ && transport_->running()) transport_->signal(SIGTERM); // nothing left to carry
    VmEnd end = exit.end;
    std::string why = exit.why;
    if (user_stop_) {
        end = VmEnd::UserStop;
    } else if (transport_failed_ && end == VmEnd::AppExit) {
        end = VmEnd::Crash;
        why = "the transport failed: " + why;
    }
    finish(end, why);
}

void VmRunner::bury_vmm() {
    if (!vmm_) return;
    graveyard_.push_back(std::move(vmm_));
    empty_graveyard_soon();
}

// What was buried from its own exit callback is destroyed on the loop's next turn.
void VmRunner::empty_graveyard_soon() {
    if (bury_timer_) return;
    bury_timer_ = loop_.after(0ms, [this] {
        bury_timer_ = 0;
        graveyard_.clear();
        graveyard_children_.clear();
    });
}

void VmRunner::finish(VmEnd end, const std::string& why) {
    cancel_timers();
    net_.reset();
    std::chrono::milliseconds ran{0};
    if (launched_ != std::chrono::steady_clock::time_point{})
        ran = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                    launched_);
    launched_ = {};
    const auto decision = policy_.after(end, ran);
    const char* how = end == VmEnd::UserStop ? "stopped" : end == VmEnd::AppExit ? "ended" : "crashed";
    log_.note(std::format("VM {}: {}", how, why));
    if (decision.restart) {
        ++restarts_;
        log_.note(std::format("restarting in {} ms", decision.delay.count()));
        enter(State::Backoff, std::format("{}: {}; restarting", how, why));
        step_timer_ = loop_.after(decision.delay, [this] {
            step_timer_ = 0;
            boot();
        });
        return;
    }
    if (decision.failed) {
        std::string detail = why;
        if (policy_.crashes_in_a_row() > RestartPolicy::kMaxCrashes)
            detail = std::format("{} (gave up after {} crashes in a row)", why, RestartPolicy::kMaxCrashes);
        enter(State::Failed, detail);
        return;
    }
    enter(State::Stopped, why);
}

void VmRunner::stop(std::function<void()> done) {
    switch (state_) {
    case State::Unconfigured:
    case State::Stopped:
    case State::Failed:
        if (done) done();
        return;
    case State::Waiting:
    case State::Backoff:
        cancel_timers();
        stop_waiters_.push_back(std::move(done));
        log_.note("VM stopped: stopped by the user");
        enter(State::Stopped, "stopped by the user");
        return;
    case State::Stopping:
        stop_waiters_.push_back(std::move(done));
        return;
    case State::Starting:
    case State::Running:
        break;
    }
    stop_waiters_.push_back(std::move(done));
    user_stop_ = true;
    if (!vmm_) { // still checking or building the image, or waiting for the transport's socket
        cancel_timers();
        image_step_.reset();
        transport_.reset();
        log_.note("VM stopped: stopped by the user before it booted");
        enter(State::Stopped, "stopped by the user");
        return;
    }
    enter(State::Stopping, "power button pressed");
    log_.note("stopping: power button");
    vmm_->power_button();
    // A guest without an ACPI handler ignores the button; closing its transport makes its
    // init end the app and power off cleanly, syncing the state disk.
    grace_timer_ = loop_.after(settings_.transport_grace, [this] {
        grace_timer_ = 0;
        if (transport_ && transport_->running()) {
            log_.note("stopping: closing the transport");
            transport_->signal(SIGTERM);
        }
    });
    force_timer_ = loop_.after(settings_.stop_timeout, [this] {
        force_timer_ = 0;
        if (!vmm_) return;
        log_.note("stopping: the guest did not power off in time; forcing it off");
        vmm_->force_stop();
    });
}

void VmRunner::force_stop() {
    if (state_ == State::Starting || state_ == State::Running || state_ == State::Stopping) {
        user_stop_ = true;
        if (vmm_) {
            if (state_ != State::Stopping) enter(State::Stopping, "forced off");
            vmm_->force_stop();
            return;
        }
    }
    stop();
}

} // namespace spectrum::vmbridge
