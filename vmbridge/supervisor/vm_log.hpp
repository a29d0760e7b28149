// A VM's log file: its serial console (written by the VMM), the VMM's and the transport's
// own output, and the supervisor's events about it, all appended to one file so
// `spectrumctl vm logs NAME` tells the whole story in order.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

namespace spectrum::vmbridge {

class VmLog {
  public:
    static constexpr std::uintmax_t kRotateAt = 4u << 20;

    explicit VmLog(std::filesystem::path path) : path_(std::move(path)) {}
    const std::filesystem::path& path() const { return path_; }

    // "spectrum-vmbridge: <CLOCK_MONOTONIC seconds>: text". The clock is the one Python's
    // time.monotonic() reads, so tests can line these up with their own timestamps.
    void note(std::string_view text) const;

    // Moves a log larger than kRotateAt to "<log>.1", replacing an older one. Called before
    // a boot, never while a VMM writes to the file.
    void rotate() const;

    // The last `lines` lines, at most `max_bytes` of them.
    std::string tail(std::size_t lines, std::size_t max_bytes = 64u << 10) const;

  private:
    std::filesystem::path path_;
};

// Seconds on CLOCK_MONOTONIC.
double monotonic_seconds();

} // namespace spectrum::vmbridge
