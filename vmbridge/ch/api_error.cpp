#include "api_error.hpp"

#include <format>
#include <nlohmann/json.hpp>

namespace spectrum::vmbridge::ch {

namespace {

constexpr std::size_t kMaxMessageBytes = 400;

// Keeps printable text on one line: control characters (newlines included) become spaces,
// runs of spaces collapse, and the result is cut at a UTF-8 character boundary.
std::string one_line(std::string_view text) {
    std::string out;
    for (char c : text) {
        auto byte = static_cast<unsigned char>(c);
        bool control = byte < 0x20 || byte == 0x7f;
        if (control || c == ' ') {
            if (!out.empty() && out.back() != ' ') out.push_back(' ');
            continue;
        }
        out.push_back(c);
    }
    while (!out.empty() && out.back() == ' ')
        out.pop_back();
    if (out.size() > kMaxMessageBytes) {
        std::size_t cut = kMaxMessageBytes;
        while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xc0) == 0x80)
            --cut;
        out.resize(cut);
        out += "…";
    }
    return out;
}

std::string_view first_line(std::string_view text) {
    while (!text.empty()) {
        auto end = text.find('\n');
        auto line = text.substr(0, end);
        if (line.find_first_not_of(" \t\r") != std::string_view::npos) return line;
        if (end == std::string_view::npos) break;
        text.remove_prefix(end + 1);
    }
    return {};
}

} // namespace

std::string vmm_message(std::string_view body) {
    auto parsed = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (parsed.is_array() && !parsed.empty()) {
        std::string joined;
        for (const auto& part : parsed) {
            if (!part.is_string()) {
                joined.clear();
                break;
            }
            if (!joined.empty()) joined += ": ";
            joined += part.get<std::string>();
        }
        if (!joined.empty()) return one_line(joined);
    }
    if (parsed.is_string()) return one_line(parsed.get<std::string>());
    return one_line(first_line(body));
}

std::string format_duration(std::chrono::milliseconds duration) {
    auto ms = duration.count();
    if (ms % 1000 == 0) return std::format("{} s", ms / 1000);
    if (ms > 1000) return std::format("{:g} s", static_cast<double>(ms) / 1000.0);
    return std::format("{} ms", ms);
}

std::string ApiError::describe() const {
    switch (kind) {
    case Kind::Http:
        if (detail.empty())
            return std::format("cloud-hypervisor {} failed (HTTP {})", operation, status);
        return std::format("cloud-hypervisor {} failed (HTTP {}): {}", operation, status, detail);
    case Kind::Timeout:
        return std::format("cloud-hypervisor at {} did not answer within {} ({})", socket,
                           format_duration(timeout), operation);
    case Kind::Unreachable:
        return std::format("cannot reach cloud-hypervisor at {} for {}: {} (is it running with "
                           "--api-socket path={}?)",
                           socket, operation, detail, socket);
    case Kind::Transport:
        return std::format("lost the connection to cloud-hypervisor at {} during {}: {}", socket,
                           operation, detail);
    case Kind::BadReply:
        return std::format("cloud-hypervisor {} returned an unreadable reply: {}", operation,
                           detail);
    }
    return std::format("cloud-hypervisor {} failed", operation);
}

} // namespace spectrum::vmbridge::ch
