// A VM's log file: its serial console and the VMM's and the transport's own output (all
// through a pipe the supervisor reads, LogPipe), and the supervisor's events about it, all
// in one file so `spectrumctl vm logs NAME` tells the whole story in order.
//
// The file is capped: whatever would take it past kRotateAt moves it to "<log>.1" first
// (replacing an older one), so a guest writing without end costs at most twice the cap.
// What a guest writes is kept as it came; tail() makes it printable (log_text.hpp).
#pragma once

#include "event_loop.hpp"

#include <cstddef>
#include <expected>
#include <filesystem>
#include <memory>
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

    // Appends `bytes` (at most kRotateAt of them), rotating first when they would take the
    // log past kRotateAt.
    void append(std::string_view bytes) const;

    // Moves a log larger than kRotateAt to "<log>.1", replacing an older one.
    void rotate() const;

    // The last `lines` lines, at most `max_bytes` of them, as printable_log_text().
    std::string tail(std::size_t lines, std::size_t max_bytes = 64u << 10) const;

  private:
    std::filesystem::path path_;
};

// The pipe a VM's child processes (VMM, transport) write their output into; the
// supervisor reads it on its loop and appends it to the VM's log, capped. The children
// never hold the log file itself, so none can grow it past the cap.
class LogPipe {
  public:
    static std::expected<std::unique_ptr<LogPipe>, std::string> open(EventLoop& loop, const VmLog& log);
    ~LogPipe(); // what is still in the pipe is appended first
    LogPipe(const LogPipe&) = delete;
    LogPipe& operator=(const LogPipe&) = delete;

    // For a child's stdout and stderr (dup2 it; it is close-on-exec here).
    int write_end() const { return write_fd_; }

  private:
    LogPipe(EventLoop& loop, const VmLog& log) : loop_(loop), log_(log) {}
    void drain(std::size_t max_bytes);

    EventLoop& loop_;
    const VmLog& log_;
    int read_fd_ = -1, write_fd_ = -1;
    EventLoop::WatchId watch_ = 0;
};

// Seconds on CLOCK_MONOTONIC.
double monotonic_seconds();

} // namespace spectrum::vmbridge
