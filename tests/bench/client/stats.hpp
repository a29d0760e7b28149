// What the client measures: presented frames per window and commit-to-presentation latency,
// counted only for frames presented inside the measurement interval. No Wayland types: the
// window code feeds it timestamps (nanoseconds on the compositor's presentation clock).
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <vector>

namespace bench {

// The p-th percentile (0..100) of `values` by linear interpolation between closest ranks;
// nullopt for no values. Sorts a copy.
std::optional<double> percentile(std::vector<double> values, double p);

struct Summary {
    double duration_s = 0;
    std::uint64_t frames = 0;              // presented inside the interval, all windows
    std::vector<std::uint64_t> per_window; // the same, per window
    std::uint64_t commits = 0;             // frames the client drew and committed in the interval
    std::vector<std::uint64_t> per_window_commits;
    std::uint64_t discarded = 0;           // feedback that said the commit never showed
    std::uint64_t output_frames = 0;       // distinct presentation times seen
    std::optional<double> latency_p50_ms, latency_p99_ms, latency_max_ms;
    std::optional<double> refresh_ms;      // as the compositor reports it
    int windows_presenting = 0;            // windows with at least one frame presented
};

class Collector {
  public:
    explicit Collector(int windows)
        : per_window_(static_cast<std::size_t>(windows), 0),
          per_window_commits_(static_cast<std::size_t>(windows), 0) {}

    void start(std::uint64_t now_ns);
    void stop(std::uint64_t now_ns);
    bool started() const { return start_ns_.has_value(); }
    bool stopped() const { return stop_ns_.has_value(); }

    // One wp_presentation_feedback.presented: the commit went out at `commit_ns` and was
    // shown at `presented_ns`. Counted if shown inside [start, stop].
    void presented(int window, std::uint64_t commit_ns, std::uint64_t presented_ns,
                   std::uint32_t refresh_ns);
    void discarded(std::uint64_t commit_ns);
    // One commit with a new frame. How often a window may commit is the compositor's frame
    // callback pacing; a commit whose damage ends up hidden is discarded, not presented.
    void committed(int window, std::uint64_t commit_ns);

    Summary summary() const;
    const std::vector<double>& latencies_ms() const { return latencies_ms_; }
    const std::set<std::uint64_t>& presentation_times() const { return presentation_times_; }

  private:
    bool inside(std::uint64_t t) const;

    std::optional<std::uint64_t> start_ns_, stop_ns_;
    std::vector<std::uint64_t> per_window_;
    std::vector<std::uint64_t> per_window_commits_;
    std::vector<double> latencies_ms_;
    std::set<std::uint64_t> presentation_times_;
    std::uint64_t discarded_ = 0;
    std::uint32_t refresh_ns_ = 0;
};

} // namespace bench
