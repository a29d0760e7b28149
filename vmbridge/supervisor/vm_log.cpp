#include "vm_log.hpp"

#include <fcntl.h>
#include <format>
#include <fstream>
#include <time.h>
#include <unistd.h>

namespace spectrum::vmbridge {

double monotonic_seconds() {
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9;
}

void VmLog::note(std::string_view text) const {
    const std::string line = std::format("spectrum-vmbridge: {:.3f}: {}\n", monotonic_seconds(), text);
    const int fd = open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0) return;
    // One write with O_APPEND: never torn by the VMM's own writes to the same file.
    (void)!write(fd, line.data(), line.size());
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
    return text.substr(pos);
}

} // namespace spectrum::vmbridge
