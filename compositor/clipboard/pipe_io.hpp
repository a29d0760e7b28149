// Moving clipboard bytes through pipes on the compositor's event loop, never blocking it:
// every fd is non-blocking, each wake-up moves a bounded amount, and a timer ends a transfer
// whose other end stops moving.
#pragma once

#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "clipboard_state.hpp"
#include "wlr.hpp"

namespace spectrum {

// A pipe for a transfer: both ends close-on-exec, the read end non-blocking, the buffer made
// as big as the system lets an unprivileged process (fewer wake-ups per MiB).
struct Pipe {
    int read = -1, write = -1;
};
bool open_pipe(Pipe& pipe);
void grow_pipe(int fd);

// Reads one pipe to its end. The callbacks may destroy the reader; it touches nothing of its
// own after calling one.
class PipeReader {
  public:
    struct Callbacks {
        std::function<std::uint64_t()> room;             // most bytes wanted now
        std::function<bool(std::string_view)> data;      // false: stop reading
        std::function<void()> end;                       // the writer closed its end
    };
    // Takes ownership of `fd`.
    PipeReader(wl_event_loop* loop, int fd, Callbacks callbacks);
    ~PipeReader();
    PipeReader(const PipeReader&) = delete;
    PipeReader& operator=(const PipeReader&) = delete;

  private:
    static int handle_readable(int fd, uint32_t mask, void* data);

    int fd_;
    wl_event_source* source_;
    Callbacks callbacks_;
    std::vector<char> buffer_;
};

// Writes captured data to the pipes clients hand over with wl_data_offer.receive. The data is
// shared, never copied; each writer keeps its capture alive until done.
class WriterPool {
  public:
    explicit WriterPool(wl_event_loop* loop);
    ~WriterPool();
    WriterPool(const WriterPool&) = delete;
    WriterPool& operator=(const WriterPool&) = delete;

    // Starts writing `bytes` (which `capture` owns) to `fd`, taking the fd. Past the limit
    // of writers in flight the fd is closed at once: the reader sees an empty paste.
    void write(int fd, std::shared_ptr<const policy::Capture> capture, std::string_view bytes,
               const std::string& domain);
    void clear();
    std::size_t active() const { return writers_.size(); }

  private:
    struct Writer;
    static int handle_writable(int fd, uint32_t mask, void* data);
    static int handle_idle(void* data);
    // Moves what the pipe takes now; true once finished (done or failed).
    static bool pump(Writer& writer);
    void finish(Writer* writer);

    wl_event_loop* loop_;
    std::list<std::unique_ptr<Writer>> writers_;
};

} // namespace spectrum
