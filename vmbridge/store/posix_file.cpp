#include "posix_file.hpp"

#include <algorithm>
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

std::expected<std::filesystem::path, std::string> make_temp_dir(const std::filesystem::path& parent,
                                                                std::string_view prefix) {
    auto pattern = (parent / std::format("{}XXXXXX", prefix)).string();
    if (mkdtemp(pattern.data()) == nullptr) return std::unexpected(path_error(parent, errno));
    return std::filesystem::path(pattern);
}

std::expected<std::pair<UniqueFd, std::filesystem::path>, std::string>
make_temp_file(const std::filesystem::path& parent, std::string_view prefix) {
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
    namespace fs = std::filesystem;
    std::error_code error;
    fs::remove_all(path, error);
    if (!error) return;
    for (fs::recursive_directory_iterator it(path, error), end; !error && it != end;
         it.increment(error)) {
        std::error_code ignored;
        if (it->is_directory(ignored) && !it->is_symlink(ignored))
            fs::permissions(it->path(), fs::perms::owner_all, fs::perm_options::add, ignored);
    }
    fs::remove_all(path, error);
}

bool is_within(const std::filesystem::path& inner, const std::filesystem::path& outer) {
    std::error_code error;
    auto inside = std::filesystem::weakly_canonical(inner, error);
    if (error) return false;
    auto base = std::filesystem::weakly_canonical(outer, error);
    if (error) return false;
    if (!base.has_filename()) base = base.parent_path(); // "/a/b/" → "/a/b"
    auto [end, _] = std::ranges::mismatch(base, inside);
    return end == base.end();
}

} // namespace spectrum::vmbridge::store
