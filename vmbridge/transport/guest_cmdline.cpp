#include "guest_cmdline.hpp"

#include "app_words.hpp"

#include <format>

namespace spectrum::vmbridge::transport {

namespace {

bool has_param(std::string_view cmdline, std::string_view key) {
    // Whole words only: "noconsole=1" does not set console=.
    for (std::size_t at = cmdline.find(key); at != std::string_view::npos;
         at = cmdline.find(key, at + 1))
        if (at == 0 || cmdline[at - 1] == ' ') return true;
    return false;
}

} // namespace

std::string percent_encode(std::string_view text) {
    std::string out;
    for (char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                           (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
                           c == '~' || c == '/';
        if (plain) out.push_back(c);
        else out += std::format("%{:02X}", byte);
    }
    return out;
}

std::string virtio_disk(std::size_t index) {
    // vda … vdz, then vdaa … as the kernel names them.
    std::string suffix;
    std::size_t n = index + 1;
    while (n > 0) {
        --n;
        suffix.insert(suffix.begin(), static_cast<char>('a' + n % 26));
        n /= 26;
    }
    return "/dev/vd" + suffix;
}

std::expected<std::string, std::string> guest_cmdline(const GuestBoot& boot) {
    std::string line;
    auto add = [&line](std::string_view part) {
        if (!line.empty()) line.push_back(' ');
        line += part;
    };
    if (!has_param(boot.user_cmdline, "console=")) add("console=ttyS0");
    if (!has_param(boot.user_cmdline, "panic=")) add("panic=-1");
    if (!boot.user_cmdline.empty()) add(boot.user_cmdline);
    auto words = split_app(boot.app);
    if (!words) return std::unexpected(words.error());
    if (boot.image) {
        std::string argv;
        for (const auto& word : *words) {
            if (!argv.empty()) argv.push_back(',');
            argv += percent_encode(word); // a comma inside a word is %2C
        }
        add("spectrum.argv=" + argv);
        if (!boot.name.empty()) add("spectrum.name=" + percent_encode(boot.name));
        if (!boot.root_device.empty()) add("spectrum.root=" + boot.root_device);
        if (boot.network) add(std::format("spectrum.net={}", kUserNetwork));
    } else {
        add("spectrum.app=" + percent_encode(shell_join(*words)));
    }
    if (boot.link == GuestLink::VirtioSerial) {
        add("spectrum.transport=virtio-serial");
        add(std::format("spectrum.port={}", kWaylandPortName));
    } else {
        add("spectrum.transport=vsock");
        add(std::format("spectrum.vsock=2:{}", kWaylandVsockPort));
    }
    if (!boot.state_device.empty()) add("spectrum.state=" + boot.state_device);
    if (line.size() > kMaxCmdline)
        return std::unexpected(std::format("the kernel command line would be {} bytes, more than "
                                           "the {} the kernel accepts; shorten app or cmdline",
                                           line.size(), kMaxCmdline));
    return line;
}

} // namespace spectrum::vmbridge::transport
