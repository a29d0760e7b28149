#include "control_request.hpp"

#include <algorithm>
#include <format>

namespace spectrum::vmbridge {

namespace {

using nlohmann::json;

std::expected<std::string, std::string> string_field(const json& request, const char* key) {
    const auto it = request.find(key);
    if (it == request.end() || !it->is_string()) return std::unexpected(std::format("\"{}\" must be a string", key));
    return it->get<std::string>();
}

std::expected<ControlRequest, std::string> parse_object(const json& request) {
    if (!request.is_object()) return std::unexpected("malformed request: not a JSON object");
    const auto command = string_field(request, "command");
    if (!command) return std::unexpected("malformed request: " + command.error());
    ControlRequest out;
    if (*command == "list") {
        out.command = ControlRequest::Command::List;
        return out;
    }
    if (*command == "start") out.command = ControlRequest::Command::Start;
    else if (*command == "stop") out.command = ControlRequest::Command::Stop;
    else if (*command == "logs") out.command = ControlRequest::Command::Logs;
    else return std::unexpected(std::format("unknown command \"{}\"", *command));

    auto name = string_field(request, "name");
    if (!name) return std::unexpected("a VM name is required: " + name.error());
    out.name = std::move(*name);
    if (out.command == ControlRequest::Command::Start && request.contains("app")) {
        auto app = string_field(request, "app");
        if (!app) return std::unexpected("malformed request: " + app.error());
        out.app = std::move(*app);
    }
    if (out.command == ControlRequest::Command::Logs) {
        const auto lines = request.find("lines");
        if (lines != request.end()) {
            // Unsigned only: a negative, fractional or non-numeric count is an error; a
            // count above the cap (however large) gets the cap.
            if (!lines->is_number_unsigned())
                return std::unexpected("\"lines\" must be a non-negative integer");
            out.lines = static_cast<std::size_t>(std::min<std::uint64_t>(lines->get<std::uint64_t>(), kMaxLogLines));
        }
    }
    return out;
}

} // namespace

std::expected<ControlRequest, std::string> parse_control_request(std::string_view line) {
    try {
        const json request = json::parse(line, nullptr, /*allow_exceptions=*/false);
        if (request.is_discarded()) return std::unexpected("malformed request: not JSON");
        return parse_object(request);
    } catch (const std::exception& e) { // a bug above, not a bad request: still only an error reply
        return std::unexpected(std::format("malformed request: {}", e.what()));
    }
}

std::string control_reply_text(const json& reply) noexcept {
    try {
        return reply.dump(-1, ' ', false, json::error_handler_t::replace);
    } catch (...) {
        return R"({"ok":false,"error":"the reply could not be encoded"})";
    }
}

} // namespace spectrum::vmbridge
