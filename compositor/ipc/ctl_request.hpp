// The control socket's requests, parsed and checked before anything acts on them: bytes
// in, a typed request or a one-line error out. No Server, no wlroots, no exception: the
// fuzzer (tests/fuzz/ctl_request) calls this exactly as the socket does.
#pragma once

#include <cstdint>
#include <expected>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace spectrum {

struct CtlRequest {
    enum class Command { Windows, Vms, Focus, Close, Outputs, OutputAdd, OutputRemove, Clipboard, Info, Quit, Reload };
    Command command = Command::Windows;
    std::uint32_t id = 0;             // focus, close
    int width = 1280, height = 720;   // output-add (any int; the server checks the size)
    std::string name;                 // output-remove
};

// One request line (the bytes before the first '\n') to a request. Every field a command
// reads is checked for presence, type and range; a field of another command is ignored.
std::expected<CtlRequest, std::string> parse_ctl_request(std::string_view line);

// A reply as one JSON line (no '\n'); never throws: invalid UTF-8 in a string becomes U+FFFD.
std::string ctl_reply_text(const nlohmann::json& reply) noexcept;
std::string ctl_error_reply(std::string_view message) noexcept;

} // namespace spectrum
