// The supervisor's control requests, parsed and checked before anything acts on them:
// bytes in, a typed request or a one-line error out. No event loop, no VM, no exception:
// the fuzzer (tests/fuzz/vmbridge_request) calls this exactly as the socket does.
#pragma once

#include <cstddef>
#include <expected>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace spectrum::vmbridge {

inline constexpr std::size_t kDefaultLogLines = 50;
inline constexpr std::size_t kMaxLogLines = 5000;

struct ControlRequest {
    enum class Command { List, Start, Stop, Logs };
    Command command = Command::List;
    std::string name;                   // start, stop, logs: a VM name (looked up by the caller)
    std::size_t lines = kDefaultLogLines; // logs: at most kMaxLogLines (a larger count is capped)
    std::string app; // start: one of the VM's configured apps for this boot; empty: its `app`
};

// One request line (the bytes before the first '\n') to a request. Every field a command
// reads is checked for presence, type and range; a field of another command is ignored.
std::expected<ControlRequest, std::string> parse_control_request(std::string_view line);

// A reply as one JSON line (no '\n'); never throws: invalid UTF-8 in a string becomes U+FFFD.
std::string control_reply_text(const nlohmann::json& reply) noexcept;

} // namespace spectrum::vmbridge
