#include "state_store.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <format>
#include <sys/stat.h>
#include <unistd.h>

namespace spectrum::vmbridge {

namespace fs = std::filesystem;

std::expected<fs::path, std::string> prepare_state_disk(const fs::path& state_dir,
                                                        std::string_view vm, std::uint64_t size) {
    std::error_code error;
    if (!fs::exists(state_dir, error)) {
        fs::create_directories(state_dir, error);
        if (error)
            return std::unexpected(std::format("cannot create the state store {}: {}",
                                               state_dir.string(), error.message()));
        fs::permissions(state_dir, fs::perms::owner_all, error);
    }
    const fs::path dir = state_dir / vm;
    if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
        return std::unexpected(std::format("cannot create {}: {}", dir.string(), std::strerror(errno)));
    struct stat info{};
    if (lstat(dir.c_str(), &info) != 0 || !S_ISDIR(info.st_mode))
        return std::unexpected(std::format("{} is not a directory", dir.string()));
    // A VM's data is private to it, whatever the umask or an earlier copy made of it.
    if ((info.st_mode & 07777) != 0700 && chmod(dir.c_str(), 0700) != 0)
        return std::unexpected(std::format("cannot make {} private (mode 0700): {}", dir.string(),
                                           std::strerror(errno)));

    const fs::path image = dir / kStateDiskName;
    const int fd = open(image.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        if (errno != EEXIST)
            return std::unexpected(std::format("cannot create {}: {}", image.string(), std::strerror(errno)));
        if (lstat(image.c_str(), &info) != 0 || !S_ISREG(info.st_mode))
            return std::unexpected(std::format("{} is not a regular file", image.string()));
        return image;
    }
    // Sparse: the guest formats it on first boot (an all-zero start means blank).
    const bool sized = ftruncate(fd, static_cast<off_t>(size)) == 0;
    const int saved = errno;
    close(fd);
    if (!sized) {
        unlink(image.c_str());
        return std::unexpected(std::format("cannot size {}: {}", image.string(), std::strerror(saved)));
    }
    return image;
}

} // namespace spectrum::vmbridge
