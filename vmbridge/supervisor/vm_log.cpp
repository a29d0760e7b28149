#include "vm_log.hpp"

#include "log_text.hpp"

#include <array>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <format>
#include <fstream>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

namespace spectrum::vmbridge {

double monotonic_seconds() {
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9;
}

void VmLog::note(std::string_view text) const {
    append(std::format("spectrum-vmbridge: {:.3f}: {}\n", monotonic_seconds(), text));
}

void VmLog::append(std::string_view bytes) const {
    if (bytes.size() > kRotateAt) bytes = bytes.substr(bytes.size() - kRotateAt);
    struct stat info{};
    if (stat(path_.c_str(), &info) == 0 && static_cast<std::uintmax_t>(info.st_size) + bytes.size() > kRotateAt) {
        std::error_code error;
        std::filesystem::rename(path_, path_.string() + ".1", error);
    }
    const int fd = open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) return;
    while (!bytes.empty()) {
        const ssize_t n = write(fd, bytes.data(), bytes.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    close(fd);
}

void VmLog::rotate() const {
    std::error_code error;
    if (std::filesystem::file_size(path_, error) < kRotateAt || error) return;
    std::filesystem::rename(path_, path_.string() + ".1", error);
}

std::string VmLog::tail(std::size_t lines, std::size_t max_bytes) const {
    std::ifstream in(path_, std::ios::binary);
    if (!in) return {};
    in.seekg(0, std::ios::end);
    const auto size = static_cast<std::size_t>(in.tellg());
    const std::size_t start = size > max_bytes ? size - max_bytes : 0;
    in.seekg(static_cast<std::streamoff>(start));
    std::string text(size - start, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(in.gcount()));
    if (start > 0) { // drop the partial first line
        const auto newline = text.find('\n');
        text.erase(0, newline == std::string::npos ? text.size() : newline + 1);
    }
    std::size_t count = 0;
    std::size_t pos = text.size();
    if (pos > 0 && text[pos - 1] == '\n') --pos;
    while (pos > 0) {
        const auto newline = text.rfind('\n', pos - 1);
        if (newline == std::string::npos) {
            pos = 0;
            break;
        }
        if (++count == lines) {
            pos = newline + 1;
            break;
        }
        pos = newline;
    }
    // The guest's bytes become text here, before JSON or a terminal sees them.
    return printable_log_text(std::string_view(text).substr(pos));
}

std::expected<std::unique_ptr<LogPipe>, std::string> LogPipe::open(EventLoop& loop, const VmLog& log) {
    std::unique_ptr<LogPipe> self(new LogPipe(loop, log));
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return std::unexpected(std::format("pipe: {}", std::strerror(errno)));
    self->read_fd_ = fds[0];
    self->write_fd_ = fds[1];
    fcntl(self->read_fd_, F_SETFL, O_NONBLOCK);
    auto* raw = self.get();
    // A bounded share per wake-up: a guest writing without pause cannot starve the loop.
    self->watch_ = loop.watch(self->read_fd_, EPOLLIN, [raw](std::uint32_t) { raw->drain(1u << 20); });
    return self;
}

LogPipe::~LogPipe() {
    if (watch_) loop_.unwatch(watch_);
    if (write_fd_ >= 0) close(write_fd_);
    if (read_fd_ >= 0) {
        drain(VmLog::kRotateAt);
        close(read_fd_);
    }
}

void LogPipe::drain(std::size_t max_bytes) {
    std::array<char, 64u << 10> buffer{};
    std::size_t total = 0;
    while (total < max_bytes) {
        const ssize_t n = read(read_fd_, buffer.data(), buffer.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        log_.append(std::string_view(buffer.data(), static_cast<std::size_t>(n)));
        total += static_cast<std::size_t>(n);
    }
}

} // namespace spectrum::vmbridge
