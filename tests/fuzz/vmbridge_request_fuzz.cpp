// The supervisor's control socket (vmbridge/supervisor/control_request): any request line
// gives a typed request (a log line count within the cap) or an error that encodes as one
// JSON line; nothing throws, nothing hangs.
#include "control_request.hpp"
#include "fuzz_check.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

using namespace spectrum::vmbridge;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    const std::string_view line = bytes.substr(0, bytes.find('\n'));
    const auto request = parse_control_request(line);
    nlohmann::json answer;
    if (request) {
        FUZZ_CHECK(request->lines <= kMaxLogLines);
        FUZZ_CHECK(request->command == ControlRequest::Command::List || !line.empty());
        answer = {{"ok", true}, {"name", request->name}};
    } else {
        answer = {{"ok", false}, {"error", request.error()}};
    }
    const std::string reply = control_reply_text(answer);
    FUZZ_CHECK(!reply.empty() && reply.find('\n') == std::string::npos);
    FUZZ_CHECK(!nlohmann::json::parse(reply, nullptr, false).is_discarded());
    return 0;
}
