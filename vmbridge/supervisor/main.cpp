// spectrum-vmbridge --config FILE [--stop-timeout SECONDS]
//
// Turns the global config's [vm.NAME] tables into running VMs: checks every VM before
// anything starts, picks each VM's hypervisor, autostarts, and serves `spectrumctl vm …`
// on $XDG_RUNTIME_DIR/spectrum/vmbridge.sock until SIGTERM or SIGINT stops every VM.
#include "config.hpp"
#include "event_loop.hpp"
#include "host_probe.hpp"
#include "supervisor.hpp"
#include "vm_check.hpp"

#include <csignal>
#include <filesystem>
#include <cstdlib>
#include <optional>
#include <print>
#include <set>
#include <string>
#include <string_view>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

namespace {

using namespace spectrum;
using namespace spectrum::vmbridge;

constexpr std::string_view usage = "usage: spectrum-vmbridge [--config FILE] [--stop-timeout SECONDS]";
constexpr int kExitConfig = 2;   // a config error: nothing started
constexpr int kExitHost = 1;     // this host lacks something (a binary, XDG_RUNTIME_DIR)

void say(std::string_view text) {
    std::println(stderr, "spectrum-vmbridge: {}", text);
}

struct Options {
    std::string config_path;
    std::chrono::milliseconds stop_timeout{std::chrono::seconds(20)};
};

std::optional<Options> parse_args(int argc, char** argv) {
    Options options;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if ((arg == "--config" || arg == "-c") && i + 1 < argc) {
            options.config_path = argv[++i];
        } else if (arg == "--stop-timeout" && i + 1 < argc) {
            char* end = nullptr;
            const long seconds = std::strtol(argv[++i], &end, 10);
            if (!end || *end || seconds < 1 || seconds > 3600) {
                say(std::format("--stop-timeout takes whole seconds from 1 to 3600 ({})", usage));
                return std::nullopt;
            }
            options.stop_timeout = std::chrono::seconds(seconds);
        } else if (arg == "--help" || arg == "-h") {
            std::println("{}", usage);
            std::exit(0);
        } else {
            say(std::format("unknown or incomplete argument \"{}\" ({})", arg, usage));
            return std::nullopt;
        }
    }
    if (options.config_path.empty()) options.config_path = config::default_path();
    return options;
}

// Whether bubblewrap can sandbox transports here (its seccomp filter included), with a user
// namespace or without. Without a working one, only VMs whose config says sandbox = false
// start; the others say why (VmRunner, `spectrumctl vm list`).
void choose_sandbox(RunnerSettings& settings) {
    const auto bwrap = find_program("bwrap");
    if (!bwrap) {
        settings.sandbox = false;
        settings.sandbox_problem = "bubblewrap is not installed (`apt install bubblewrap`)";
        say(std::format("warning: {}; only VMs with sandbox = false will start", settings.sandbox_problem));
        return;
    }
    settings.bwrap = *bwrap;
    if (!probe_bubblewrap(*bwrap, /*new_user_namespace=*/true)) {
        settings.sandbox_user_namespace = true;
        return;
    }
    if (auto problem = probe_bubblewrap(*bwrap, false)) {
        settings.sandbox = false;
        settings.sandbox_problem = std::format("bubblewrap cannot build a sandbox here ({})", *problem);
        say(std::format("warning: {}; only VMs with sandbox = false will start", settings.sandbox_problem));
    }
}

} // namespace

int main(int argc, char** argv) {
    auto options = parse_args(argc, argv);
    if (!options) return kExitConfig;

    auto config = config::load(options->config_path);
    if (!config) {
        std::println(stderr, "{}", config.error().format());
        return kExitConfig;
    }
    std::vector<CheckedVm> vms;
    for (const auto& vm : config->vms) {
        auto checked = check_vm(*config, vm);
        if (!checked) {
            std::println(stderr, "{}", checked.error().format());
            return kExitConfig;
        }
        vms.push_back(std::move(*checked));
    }

    const char* runtime = std::getenv("XDG_RUNTIME_DIR");
    if (!runtime || !*runtime) {
        say("XDG_RUNTIME_DIR is not set; run spectrum-vmbridge in the session that runs "
            "spectrum-compositor");
        return kExitHost;
    }
    RunnerSettings settings;
    settings.runtime_dir = runtime;
    if (!config->source.starts_with("<")) settings.config_path = std::filesystem::absolute(config->source).string();
    settings.state_dir = absolute_from(config_base_dir(*config), config->state_dir.string());
    settings.stop_timeout = options->stop_timeout;
    // spectrum-image is installed beside the supervisor (and built beside it in the build
    // tree); SPECTRUM_IMAGE names another.
    if (const char* image = std::getenv("SPECTRUM_IMAGE"); image && *image) {
        settings.spectrum_image = image;
    } else {
        std::error_code error;
        const auto beside = std::filesystem::read_symlink("/proc/self/exe", error).parent_path() / "spectrum-image";
        if (!error && access(beside.c_str(), X_OK) == 0) settings.spectrum_image = beside.string();
    }

    std::map<std::string, std::optional<HypervisorChoice>> choices;
    const bool any_launchable = std::ranges::any_of(vms, &CheckedVm::launchable);
    if (any_launchable) {
        const HostFacts host = probe_host();
        std::set<std::string> warned;
        for (const auto& checked : vms) {
            if (!checked.launchable) continue;
            auto choice = choose_hypervisor(checked.vm.hypervisor, host);
            if (!choice) {
                say(std::format("VM {}: {}", checked.vm.name, choice.error()));
                return kExitHost;
            }
            if (!choice->warning.empty() && warned.insert(choice->warning).second)
                say("warning: " + choice->warning);
            choices[checked.vm.name] = *choice;
        }
        if (!find_program("waypipe")) {
            say("waypipe is not installed; install it with `apt install waypipe` (it carries "
                "each VM's Wayland connection)");
            return kExitHost;
        }
        choose_sandbox(settings);
    }

    // Signals arrive on the loop as ordinary events.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    sigprocmask(SIG_BLOCK, &signals, nullptr);
    std::signal(SIGPIPE, SIG_IGN);
    const int signal_fd = signalfd(-1, &signals, SFD_CLOEXEC | SFD_NONBLOCK);

    EventLoop loop;
    std::map<std::string, std::unique_ptr<VmRunner>> runners;
    std::uint32_t cid = 3; // 0-2 are reserved for the hypervisor and the host
    for (auto& checked : vms) {
        RunnerSettings mine = settings;
        mine.vsock_cid = cid++;
        // sandbox = false: this VM's transport runs without bubblewrap, and says so.
        if (!checked.vm.sandbox) mine.sandbox = false;
        auto choice = choices[checked.vm.name];
        const std::string name = checked.vm.name;
        runners.emplace(name, std::make_unique<VmRunner>(loop, std::move(checked), choice, mine));
    }
    Supervisor supervisor(loop, std::move(runners));
    const auto socket = std::filesystem::path(runtime) / "spectrum" / "vmbridge.sock";
    if (auto listening = supervisor.listen(socket); !listening) {
        say(listening.error());
        return kExitHost;
    }
    loop.watch(signal_fd, EPOLLIN, [&](std::uint32_t) {
        signalfd_siginfo info{};
        while (read(signal_fd, &info, sizeof info) == sizeof info) {
            if (supervisor.shutting_down()) say("stopping: forcing every VM off");
            else say("stopping every VM");
            supervisor.shut_down();
        }
    });
    say(std::format("listening on {}", socket.string()));
    supervisor.autostart(*config);
    loop.run();
    close(signal_fd);
    return 0;
}
