#include "stats.hpp"

#include <algorithm>
#include <cmath>

namespace bench {

std::optional<double> percentile(std::vector<double> values, double p) {
    if (values.empty()) return std::nullopt;
    std::ranges::sort(values);
    const double rank = std::clamp(p, 0.0, 100.0) / 100.0 * static_cast<double>(values.size() - 1);
    const auto low = static_cast<std::size_t>(std::floor(rank));
    const auto high = static_cast<std::size_t>(std::ceil(rank));
    const double frac = rank - static_cast<double>(low);
    return values[low] + (values[high] - values[low]) * frac;
}

void Collector::start(std::uint64_t now_ns) {
    start_ns_ = now_ns;
    stop_ns_.reset();
}

void Collector::stop(std::uint64_t now_ns) {
    if (start_ns_) stop_ns_ = std::max(now_ns, *start_ns_);
}

bool Collector::inside(std::uint64_t t) const {
    return start_ns_ && t >= *start_ns_ && (!stop_ns_ || t <= *stop_ns_);
}

void Collector::presented(int window, std::uint64_t commit_ns, std::uint64_t presented_ns,
                          std::uint32_t refresh_ns) {
    if (!inside(presented_ns)) return;
    if (window >= 0 && static_cast<std::size_t>(window) < per_window_.size())
        ++per_window_[static_cast<std::size_t>(window)];
    // A presentation time before the commit would be a compositor bug; count it as zero.
    const std::uint64_t latency = presented_ns > commit_ns ? presented_ns - commit_ns : 0;
    latencies_ms_.push_back(static_cast<double>(latency) / 1e6);
    presentation_times_.insert(presented_ns);
    if (refresh_ns) refresh_ns_ = refresh_ns;
}

void Collector::discarded(std::uint64_t commit_ns) {
    if (inside(commit_ns)) ++discarded_;
}

void Collector::committed(int window, std::uint64_t commit_ns) {
    if (!inside(commit_ns)) return;
    if (window >= 0 && static_cast<std::size_t>(window) < per_window_commits_.size())
        ++per_window_commits_[static_cast<std::size_t>(window)];
}

Summary Collector::summary() const {
    Summary s;
    if (start_ns_ && stop_ns_) s.duration_s = static_cast<double>(*stop_ns_ - *start_ns_) / 1e9;
    s.per_window = per_window_;
    for (auto n : per_window_) {
        s.frames += n;
        if (n) ++s.windows_presenting;
    }
    s.per_window_commits = per_window_commits_;
    for (auto n : per_window_commits_) s.commits += n;
    s.discarded = discarded_;
    s.output_frames = presentation_times_.size();
    s.latency_p50_ms = percentile(latencies_ms_, 50);
    s.latency_p99_ms = percentile(latencies_ms_, 99);
    s.latency_max_ms = percentile(latencies_ms_, 100);
    if (refresh_ns_) s.refresh_ms = refresh_ns_ / 1e6;
    return s;
}

} // namespace bench
