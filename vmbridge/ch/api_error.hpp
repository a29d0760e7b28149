// Why a REST call to cloud-hypervisor failed, told in one line a user can act on.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace spectrum::vmbridge::ch {

struct ApiError {
    enum class Kind {
        Http,        // the VMM answered with a non-2xx status
        Timeout,     // no complete answer within the timeout
        Unreachable, // nothing listens on the API socket
        Transport,   // the connection broke (e.g. the VMM exited mid-request)
        BadReply,    // a 2xx answer we cannot read
    };

    Kind kind = Kind::Transport;
    std::string operation;                // "vm.create"
    std::string socket;                   // the API socket path
    long status = 0;                      // HTTP status, for Kind::Http
    std::string detail;                   // the VMM's message (Http) or what went wrong (others)
    std::chrono::milliseconds timeout{0}; // for Kind::Timeout

    // One line, e.g. "cloud-hypervisor vm.create failed (HTTP 500): The VM is already
    // created" or "cloud-hypervisor at /run/…/api.sock did not answer within 10 s (vm.info)".
    std::string describe() const;
};

// The VMM's message in an error reply, on one line. cloud-hypervisor sends its error chain
// as a JSON array of strings, outermost first, joined here with ": " as its own log does;
// anything else counts as text and its first non-empty line is used. Control characters
// are dropped and the result is capped, since it ends up in a log line.
std::string vmm_message(std::string_view body);

// "10 s", "1.5 s", "250 ms".
std::string format_duration(std::chrono::milliseconds duration);

} // namespace spectrum::vmbridge::ch
