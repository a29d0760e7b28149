// The compositor's control socket (compositor/ipc/ctl_request): any request line gives a
// typed request within its ranges or an error that encodes as one JSON line; nothing
// throws, nothing hangs.
#include "ctl_request.hpp"
#include "fuzz_check.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    // As the socket does: the request is what comes before the first newline.
    const std::string_view line = bytes.substr(0, bytes.find('\n'));
    const auto request = spectrum::parse_ctl_request(line);
    const std::string reply = request ? spectrum::ctl_reply_text({{"ok", true}, {"name", request->name}})
                                      : spectrum::ctl_error_reply(request.error());
    FUZZ_CHECK(!reply.empty() && reply.find('\n') == std::string::npos);
    const auto parsed = nlohmann::json::parse(reply, nullptr, false);
    FUZZ_CHECK(!parsed.is_discarded() && parsed.is_object());
    if (!request) FUZZ_CHECK(parsed["ok"] == false && parsed["error"].is_string());
    return 0;
}
