// spectrum-bench-client: opens N windows, redraws them as fast as frame callbacks allow, and
// prints what was presented as JSON. See options.cpp for the command line.
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "connection.hpp"
#include "options.hpp"
#include "stats.hpp"
#include "window.hpp"

namespace bench {

namespace {

// After the stop, feedback for frames shown just before it may still be on its way.
constexpr std::uint64_t kDrainNs = 100'000'000;
// Every window has committed a frame and this long has passed since the last first commit:
// ready, even if some window was mapped wholly under others and will never be presented.
constexpr std::uint64_t kSettleNs = 2'000'000'000;

enum class Phase { Mapping, Ready, Measuring, Draining };

nlohmann::json optional_number(std::optional<double> value) {
    return value ? nlohmann::json(std::round(*value * 1000) / 1000) : nlohmann::json(nullptr);
}

nlohmann::json report(const Options& options, const Collector& collector,
                      const std::vector<std::unique_ptr<Window>>& windows, bool all_shown) {
    const Summary s = collector.summary();
    nlohmann::json per_window = nlohmann::json::array();
    for (std::size_t i = 0; i < windows.size(); ++i) {
        const Window& w = *windows[i];
        per_window.push_back({
            {"frames", s.per_window[i]},
            {"fps", s.duration_s > 0 ? s.per_window[i] / s.duration_s : 0.0},
            {"commits", s.per_window_commits[i]},
            {"size", {w.logical_width(), w.logical_height()}},
            {"scale", w.scale()},
        });
    }
    nlohmann::json out = {
        {"windows", options.windows},
        {"requested_size", {options.width, options.height}},
        {"damage", damage_name(options.damage)},
        {"buffers", options.buffers},
        {"duration_s", s.duration_s},
        {"frames", s.frames},
        {"fps", s.duration_s > 0 ? s.frames / s.duration_s : 0.0},
        {"commits", s.commits},
        {"commit_fps", s.duration_s > 0 ? s.commits / s.duration_s : 0.0},
        {"windows_presenting", s.windows_presenting},
        {"all_windows_shown", all_shown},
        {"discarded", s.discarded},
        {"output_frames", s.output_frames},
        {"output_hz", s.duration_s > 0 ? s.output_frames / s.duration_s : 0.0},
        {"refresh_ms", optional_number(s.refresh_ms)},
        {"latency_ms", {{"p50", optional_number(s.latency_p50_ms)},
                        {"p99", optional_number(s.latency_p99_ms)},
                        {"max", optional_number(s.latency_max_ms)},
                        {"samples", collector.latencies_ms().size()}}},
        {"per_window", per_window},
    };
    if (options.samples) {
        // For a runner merging several processes: percentiles and distinct output frames
        // over all of them.
        out["latency_samples_ms"] = collector.latencies_ms();
        out["presentation_times_ns"] = collector.presentation_times();
    }
    return out;
}

int run(const Options& options) {
    // Signals arrive through the poll loop, never in the middle of a Wayland dispatch.
    sigset_t mask;
    sigemptyset(&mask);
    for (int sig : {SIGUSR1, SIGUSR2, SIGTERM, SIGINT}) sigaddset(&mask, sig);
    sigprocmask(SIG_BLOCK, &mask, nullptr);
    const int signal_fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);

    auto opened = Connection::open();
    if (!opened) {
        std::fprintf(stderr, "spectrum-bench-client: %s\n", opened.error().c_str());
        return 1;
    }
    Connection& conn = **opened;
    Collector collector(options.windows);
    std::vector<std::unique_ptr<Window>> windows;
    for (int i = 0; i < options.windows; ++i)
        windows.push_back(std::make_unique<Window>(conn, collector, options, i));

    const auto seconds = [](double s) { return static_cast<std::uint64_t>(s * 1e9); };
    Phase phase = Phase::Mapping;
    const std::uint64_t began = conn.now_ns();
    std::uint64_t deadline = began + seconds(options.ready_timeout_s);
    bool all_shown = false;

    const auto start_measuring = [&] {
        phase = Phase::Measuring;
        collector.start(conn.now_ns());
        deadline = options.signals ? 0 : conn.now_ns() + seconds(options.duration_s);
    };
    const auto stop_measuring = [&] {
        collector.stop(conn.now_ns());
        phase = Phase::Draining;
        deadline = conn.now_ns() + kDrainNs;
    };
    const auto become_ready = [&] {
        phase = Phase::Ready;
        if (options.signals) {
            std::printf("ready\n");
            std::fflush(stdout);
            deadline = 0;
        } else {
            deadline = conn.now_ns() + seconds(options.warmup_s);
        }
    };

    while (true) {
        if (phase == Phase::Mapping) {
            all_shown = std::ranges::all_of(windows, [](const auto& w) { return w->shown(); });
            std::uint64_t last_first_commit = 0;
            bool all_committed = true;
            for (const auto& w : windows) {
                all_committed = all_committed && w->first_commit_ns() != 0;
                last_first_commit = std::max(last_first_commit, w->first_commit_ns());
            }
            if (all_shown || (all_committed && conn.now_ns() > last_first_commit + kSettleNs))
                become_ready();
        }
        const std::uint64_t now = conn.now_ns();
        if (deadline && now >= deadline) {
            if (phase == Phase::Mapping) {
                std::fprintf(stderr, "spectrum-bench-client: not every window was presented within "
                                     "%.0f s; measuring anyway\n", options.ready_timeout_s);
                become_ready();
            } else if (phase == Phase::Ready) {
                start_measuring();
            } else if (phase == Phase::Measuring) {
                stop_measuring();
            } else {
                break;
            }
            continue;
        }

        while (wl_display_prepare_read(conn.display) != 0) wl_display_dispatch_pending(conn.display);
        bool want_write = false;
        if (wl_display_flush(conn.display) < 0) {
            if (errno != EAGAIN) {
                wl_display_cancel_read(conn.display);
                std::fprintf(stderr, "spectrum-bench-client: the compositor closed the connection\n");
                return 2;
            }
            want_write = true;
        }
        pollfd fds[2] = {
            {wl_display_get_fd(conn.display), static_cast<short>(POLLIN | (want_write ? POLLOUT : 0)), 0},
            {signal_fd, POLLIN, 0},
        };
        int timeout_ms = -1;
        if (deadline) timeout_ms = static_cast<int>((deadline - now + 999'999) / 1'000'000);
        if (phase == Phase::Mapping) timeout_ms = std::min(timeout_ms < 0 ? 100 : timeout_ms, 100);
        if (poll(fds, 2, timeout_ms) < 0 && errno != EINTR) {
            wl_display_cancel_read(conn.display);
            std::perror("spectrum-bench-client: poll");
            return 2;
        }
        if (fds[0].revents & POLLIN) {
            if (wl_display_read_events(conn.display) < 0) {
                std::fprintf(stderr, "spectrum-bench-client: the compositor closed the connection\n");
                return 2;
            }
        } else {
            wl_display_cancel_read(conn.display);
        }
        if (fds[0].revents & (POLLERR | POLLHUP) && !(fds[0].revents & POLLIN)) {
            std::fprintf(stderr, "spectrum-bench-client: the compositor closed the connection\n");
            return 2;
        }
        if (wl_display_dispatch_pending(conn.display) < 0) {
            std::fprintf(stderr, "spectrum-bench-client: protocol error: %s\n", std::strerror(errno));
            return 2;
        }

        signalfd_siginfo info{};
        while (read(signal_fd, &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
            if (info.ssi_signo == SIGUSR1 && phase != Phase::Measuring && phase != Phase::Draining) {
                start_measuring();
            } else if (info.ssi_signo == SIGUSR2 && phase == Phase::Measuring) {
                stop_measuring();
            } else if (info.ssi_signo == SIGTERM || info.ssi_signo == SIGINT) {
                return 3;
            }
        }
    }

    std::printf("%s\n", report(options, collector, windows, all_shown).dump().c_str());
    std::fflush(stdout);
    windows.clear();
    wl_display_flush(conn.display);
    return 0;
}

} // namespace

} // namespace bench

int main(int argc, char** argv) {
    std::vector<std::string_view> args(argv + 1, argv + argc);
    auto options = bench::parse_options(args);
    if (!options) {
        if (options.error().empty()) {
            std::fputs(bench::usage().data(), stdout);
            return 0;
        }
        std::fprintf(stderr, "spectrum-bench-client: %s\n%s", options.error().c_str(), bench::usage().data());
        return 2;
    }
    return bench::run(*options);
}
