#include "ctl_request.hpp"

#include <format>
#include <limits>
#include <optional>

namespace spectrum {

namespace {

using nlohmann::json;

// Checked accessors: a missing field takes `fallback` (or is an error without one); a
// field of the wrong type or out of [min, max] is an error naming the field.
std::expected<std::int64_t, std::string> int_field(const json& request, const char* key, std::int64_t min,
                                                   std::int64_t max, std::optional<std::int64_t> fallback) {
    const auto it = request.find(key);
    if (it == request.end()) {
        if (fallback) return *fallback;
        return std::unexpected(std::format("\"{}\" is required", key));
    }
    const auto out_of_range = [&] {
        return std::unexpected(std::format("\"{}\" must be an integer from {} to {}", key, min, max));
    };
    if (it->is_number_unsigned()) {
        const auto value = it->get<std::uint64_t>();
        if (value > static_cast<std::uint64_t>(max)) return out_of_range();
        return static_cast<std::int64_t>(value);
    }
    if (it->is_number_integer()) {
        const auto value = it->get<std::int64_t>();
        if (value < min || value > max) return out_of_range();
        return value;
    }
    return out_of_range();
}

std::expected<std::string, std::string> string_field(const json& request, const char* key) {
    const auto it = request.find(key);
    if (it == request.end() || !it->is_string()) return std::unexpected(std::format("\"{}\" must be a string", key));
    return it->get<std::string>();
}

struct Name {
    std::string_view text;
    CtlRequest::Command command;
};
constexpr Name commands[] = {
    {"windows", CtlRequest::Command::Windows},     {"vms", CtlRequest::Command::Vms},
    {"focus", CtlRequest::Command::Focus},         {"close", CtlRequest::Command::Close},
    {"outputs", CtlRequest::Command::Outputs},     {"output-add", CtlRequest::Command::OutputAdd},
    {"output-remove", CtlRequest::Command::OutputRemove}, {"clipboard", CtlRequest::Command::Clipboard},
    {"info", CtlRequest::Command::Info},           {"quit", CtlRequest::Command::Quit},
    {"reload", CtlRequest::Command::Reload},
};

// The one place that parses: everything that can throw is inside parse_ctl_request's try.
std::expected<CtlRequest, std::string> parse_object(const json& request) {
    if (!request.is_object()) return std::unexpected("malformed request: not a JSON object");
    const auto command = string_field(request, "command");
    if (!command) return std::unexpected("malformed request: " + command.error());
    CtlRequest out;
    bool known = false;
    for (const Name& name : commands)
        if (name.text == *command) {
            out.command = name.command;
            known = true;
        }
    if (!known) return std::unexpected(std::format("unknown command \"{}\"", *command));

    switch (out.command) {
    case CtlRequest::Command::Focus:
    case CtlRequest::Command::Close: {
        const auto id = int_field(request, "id", 0, std::numeric_limits<std::uint32_t>::max(), std::nullopt);
        if (!id) return std::unexpected("a window id is required: " + id.error());
        out.id = static_cast<std::uint32_t>(*id);
        break;
    }
    case CtlRequest::Command::OutputAdd: {
        // Any int here; Server::add_virtual_output says which sizes it can make.
        constexpr std::int64_t lo = std::numeric_limits<int>::min(), hi = std::numeric_limits<int>::max();
        const auto width = int_field(request, "width", lo, hi, 1280);
        if (!width) return std::unexpected(width.error());
        const auto height = int_field(request, "height", lo, hi, 720);
        if (!height) return std::unexpected(height.error());
        out.width = static_cast<int>(*width);
        out.height = static_cast<int>(*height);
        break;
    }
    case CtlRequest::Command::OutputRemove: {
        auto name = string_field(request, "name");
        if (!name) return std::unexpected("an output name is required: " + name.error());
        out.name = std::move(*name);
        break;
    }
    default:
        break;
    }
    return out;
}

} // namespace

std::expected<CtlRequest, std::string> parse_ctl_request(std::string_view line) {
    try {
        const json request = json::parse(line, nullptr, /*allow_exceptions=*/false);
        if (request.is_discarded()) return std::unexpected("malformed request: not JSON");
        return parse_object(request);
    } catch (const std::exception& e) { // a bug above, not a bad request: still only an error reply
        return std::unexpected(std::format("malformed request: {}", e.what()));
    }
}

std::string ctl_reply_text(const json& reply) noexcept {
    try {
        return reply.dump(-1, ' ', false, json::error_handler_t::replace);
    } catch (...) {
        return R"({"ok":false,"error":"the reply could not be encoded"})";
    }
}

std::string ctl_error_reply(std::string_view message) noexcept {
    try {
        return ctl_reply_text(json{{"ok", false}, {"error", std::string(message)}});
    } catch (...) {
        return R"({"ok":false,"error":"out of memory"})";
    }
}

} // namespace spectrum
