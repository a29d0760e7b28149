// Reading the config file from disk, and the small accessors of config.hpp.
#include "config.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <fcntl.h>
#include <format>
#include <sys/stat.h>
#include <system_error>
#include <unistd.h>

namespace spectrum::config {

namespace {

// Far beyond any hand-written config; stops `--config /dev/zero` from eating memory.
constexpr std::size_t max_file_bytes = 4 << 20;

constexpr std::size_t max_vm_name = 32;

ConfigError cannot_read(const std::filesystem::path& path, std::string reason) {
    if (!reason.empty() && reason[0] >= 'A' && reason[0] <= 'Z') reason[0] += 'a' - 'A';
    return ConfigError{.file = path.string(),
                       .line = 0,
                       .column = 0,
                       .message = std::format("cannot read: {}", reason)};
}

ConfigError cannot_read_errno(const std::filesystem::path& path, int error) {
    return cannot_read(path, std::generic_category().message(error));
}

// Closes the descriptor on every path out of read_file.
struct FileDescriptor {
    int fd;
    ~FileDescriptor() {
        if (fd >= 0) close(fd);
    }
};

} // namespace

std::string default_path() {
    if (const char* home = std::getenv("XDG_CONFIG_HOME"); home && *home)
        return std::string(home) + "/spectrum/spectrum.toml";
    if (const char* home = std::getenv("HOME"); home && *home)
        return std::string(home) + "/.config/spectrum/spectrum.toml";
    return "/etc/spectrum/spectrum.toml";
}

std::string ConfigError::format() const {
    if (line == 0) return std::format("{}: {}", file, message);
    return std::format("{}:{}:{}: {}", file, line, column, message);
}

const VmConfig* Config::find_vm(std::string_view name) const {
    auto vm = std::ranges::find(vms, name, &VmConfig::name);
    return vm == vms.end() ? nullptr : &*vm;
}

const ImageConfig* Config::find_image(std::string_view name) const {
    static const ImageConfig base{.name = std::string(base_image_name), .packages = {}};
    if (name == base_image_name) return &base;
    auto image = std::ranges::find(images, name, &ImageConfig::name);
    return image == images.end() ? nullptr : &*image;
}

bool valid_package_name(std::string_view name) {
    constexpr std::size_t max_package_name = 128;
    auto lower_or_digit = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
    return name.size() >= 2 && name.size() <= max_package_name && lower_or_digit(name[0]) &&
           std::ranges::all_of(name.substr(1), [&](char c) {
               return lower_or_digit(c) || c == '+' || c == '.' || c == '-';
           });
}

bool valid_vm_name(std::string_view name) {
    bool allowed_characters = std::ranges::all_of(
        name, [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; });
    return !name.empty() && name.size() <= max_vm_name && allowed_characters && name != "host";
}

std::expected<Config, ConfigError> load(const std::filesystem::path& path) {
    FileDescriptor file{open(path.c_str(), O_RDONLY | O_CLOEXEC)};
    if (file.fd < 0 && errno == ENOENT) {
        // A symbolic link to nowhere is a config the user meant to have, not a missing one.
        struct stat link {};
        if (lstat(path.c_str(), &link) == 0)
            return std::unexpected(cannot_read(path, "broken symbolic link"));
        return parse(default_text(), "<built-in>");
    }
    if (file.fd < 0) return std::unexpected(cannot_read_errno(path, errno));

    struct stat info {};
    if (fstat(file.fd, &info) != 0) return std::unexpected(cannot_read_errno(path, errno));
    if (S_ISDIR(info.st_mode)) return std::unexpected(cannot_read_errno(path, EISDIR));

    std::string text;
    char buffer[16384];
    while (true) {
        ssize_t got = read(file.fd, buffer, sizeof buffer);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) return std::unexpected(cannot_read_errno(path, errno));
        if (got == 0) break;
        text.append(buffer, static_cast<std::size_t>(got));
        if (text.size() > max_file_bytes)
            return std::unexpected(
                cannot_read(path, std::format("larger than {} MiB", max_file_bytes >> 20)));
    }
    return parse(text, path.string());
}

} // namespace spectrum::config
