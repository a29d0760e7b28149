#include "pipe_io.hpp"

#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <unistd.h>

namespace spectrum {

namespace {

// What one wake-up moves at most, so a source that writes forever (or a reader that reads
// as fast as we write) still lets the compositor draw frames in between.
constexpr std::size_t budget_per_wakeup = 4u << 20;
constexpr std::size_t read_chunk = 256u << 10;
// Writers in flight: enough for every window of a VM pasting at once, not enough for a VM
// to hold the compositor's file descriptors hostage.
constexpr std::size_t max_writers_per_domain = 16;
constexpr std::size_t max_writers = 64;
// A reader that takes nothing for this long has given up (or never meant to read).
constexpr int writer_idle_ms = 30'000;

void set_nonblocking(int fd) {
    const int flags = fcntl(fd, F_GETFL);
    if (flags >= 0) fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

} // namespace

void grow_pipe(int fd) {
    // 1 MiB is the default pipe-max-size for unprivileged processes; smaller is fine too.
    fcntl(fd, F_SETPIPE_SZ, 1 << 20);
}

bool open_pipe(Pipe& pipe) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return false;
    pipe.read = fds[0];
    pipe.write = fds[1];
    set_nonblocking(pipe.read);
    grow_pipe(pipe.read);
    return true;
}

// --- PipeReader ----------------------------------------------------------------------------

PipeReader::PipeReader(wl_event_loop* loop, int fd, Callbacks callbacks)
    : fd_(fd), callbacks_(std::move(callbacks)), buffer_(read_chunk) {
    source_ = wl_event_loop_add_fd(loop, fd_, WL_EVENT_READABLE, &PipeReader::handle_readable, this);
}

PipeReader::~PipeReader() {
    if (source_) wl_event_source_remove(source_);
    close(fd_);
}

int PipeReader::handle_readable(int fd, uint32_t, void* data) {
    auto* self = static_cast<PipeReader*>(data);
    // Copies: either callback may destroy the reader, and with it these members.
    const auto on_data = self->callbacks_.data;
    const auto on_end = self->callbacks_.end;
    std::size_t moved = 0;
    while (moved < budget_per_wakeup) {
        const std::size_t want =
            static_cast<std::size_t>(std::min<std::uint64_t>(self->callbacks_.room(), self->buffer_.size()));
        const ssize_t n = read(fd, self->buffer_.data(), std::max<std::size_t>(want, 1));
        if (n > 0) {
            moved += static_cast<std::size_t>(n);
            if (!on_data(std::string_view(self->buffer_.data(), static_cast<std::size_t>(n)))) return 0;
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) return 0;
        on_end(); // end of file, or an error that ends the transfer just the same
        return 0;
    }
    return 0;
}

// --- WriterPool ----------------------------------------------------------------------------

struct WriterPool::Writer {
    WriterPool* pool;
    int fd;
    std::shared_ptr<const policy::Capture> capture;
    std::string_view bytes;
    std::size_t offset = 0;
    std::string domain;
    wl_event_source* io = nullptr;
    wl_event_source* idle = nullptr;
};

WriterPool::WriterPool(wl_event_loop* loop) : loop_(loop) {}

WriterPool::~WriterPool() { clear(); }

void WriterPool::clear() {
    while (!writers_.empty()) finish(writers_.front().get());
}

void WriterPool::write(int fd, std::shared_ptr<const policy::Capture> capture, std::string_view bytes,
                       const std::string& domain) {
    const auto same_domain = std::ranges::count_if(writers_, [&](const auto& w) { return w->domain == domain; });
    if (writers_.size() >= max_writers || static_cast<std::size_t>(same_domain) >= max_writers_per_domain) {
        wlr_log(WLR_ERROR, "clipboard: too many pastes in flight for %s; one is refused", domain.c_str());
        close(fd);
        return;
    }
    set_nonblocking(fd);
    grow_pipe(fd);
    auto writer = std::make_unique<Writer>(Writer{this, fd, std::move(capture), bytes, 0, domain});
    if (pump(*writer)) {
        close(fd);
        return;
    }
    Writer* raw = writer.get();
    raw->io = wl_event_loop_add_fd(loop_, fd, WL_EVENT_WRITABLE, &WriterPool::handle_writable, raw);
    raw->idle = wl_event_loop_add_timer(loop_, &WriterPool::handle_idle, raw);
    if (raw->idle) wl_event_source_timer_update(raw->idle, writer_idle_ms);
    writers_.push_back(std::move(writer));
}

bool WriterPool::pump(Writer& writer) {
    std::size_t moved = 0;
    while (writer.offset < writer.bytes.size() && moved < budget_per_wakeup) {
        const std::size_t left = writer.bytes.size() - writer.offset;
        const ssize_t n = ::write(writer.fd, writer.bytes.data() + writer.offset, left);
        if (n > 0) {
            writer.offset += static_cast<std::size_t>(n);
            moved += static_cast<std::size_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) return false;
        return true; // EPIPE: the reader went away (SIGPIPE is ignored)
    }
    return writer.offset >= writer.bytes.size();
}

int WriterPool::handle_writable(int, uint32_t mask, void* data) {
    auto* writer = static_cast<Writer*>(data);
    if ((mask & (WL_EVENT_HANGUP | WL_EVENT_ERROR)) || pump(*writer)) {
        writer->pool->finish(writer);
        return 0;
    }
    wl_event_source_timer_update(writer->idle, writer_idle_ms);
    return 0;
}

int WriterPool::handle_idle(void* data) {
    auto* writer = static_cast<Writer*>(data);
    wlr_log(WLR_INFO, "clipboard: a reader in %s took nothing for %d s; its paste is abandoned",
            writer->domain.c_str(), writer_idle_ms / 1000);
    writer->pool->finish(writer);
    return 0;
}

void WriterPool::finish(Writer* writer) {
    if (writer->io) wl_event_source_remove(writer->io);
    if (writer->idle) wl_event_source_remove(writer->idle);
    close(writer->fd);
    writers_.remove_if([writer](const auto& w) { return w.get() == writer; });
}

} // namespace spectrum
