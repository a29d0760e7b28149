#include "posix_file.hpp"

#include <cerrno>
#include <fcntl.h>
#include <format>
#include <stdlib.h>
#include <system_error>
#include <unistd.h>

namespace spectrum::vmbridge::store {

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
    if (this != &other) {
        reset();
        fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
}

void UniqueFd::reset() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
}

std::string errno_text(int error) {
    auto text = std::generic_category().message(error);
    if (!text.empty() && text[0] >= 'A' && text[0] <= 'Z') text[0] += 'a' - 'A';
    return text;
}

std::string path_error(const std::filesystem::path& path, int error) {
    return std::format("{}: {}", path.string(), errno_text(error));
}

std::expected<std::filesystem::path, std::string> make_temp_dir(
    const std::filesystem::path& parent, std::string_view prefix) {
    auto pattern = (parent / std::format("{}XXXXXX", prefix)).string();
    if (mkdtemp(pattern.data()) == nullptr) return std::unexpected(path_error(parent, errno));
    return std::filesystem::path(pattern);
}

std::expected<std::pair<UniqueFd, std::filesystem::path>, std::string> make_temp_file(
    const std::filesystem::path& parent, std::string_view prefix) {
    auto pattern = (parent / std::format("{}XXXXXX", prefix)).string();
    UniqueFd fd(mkostemp(pattern.data(), O_CLOEXEC));
    if (!fd) return std::unexpected(path_error(parent, errno));
    return std::pair{std::move(fd), std::filesystem::path(pattern)};
}

std::expected<void, std::string> fsync_directory(const std::filesystem::path& directory) {
    UniqueFd fd(open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd || fsync(fd.get()) != 0) return std::unexpected(path_error(directory, errno));
    return {};
}

void remove_quietly(const std::filesystem::path& path) {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
}

} // namespace spectrum::vmbridge::store
