// The config parser (config/): any bytes give a Config or one error line, never a crash,
// an exception or a hang. A Config that parsed survives a second parse unchanged.
#include "config.hpp"
#include "fuzz_check.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto config = spectrum::config::parse(text, "fuzz.toml");
    if (!config) {
        const std::string line = config.error().format();
        FUZZ_CHECK(!line.empty());
        FUZZ_CHECK(line.find('\n') == std::string::npos);
        return 0;
    }
    // The same text parses to the same Config: parsing keeps no hidden state.
    const auto again = spectrum::config::parse(text, "fuzz.toml");
    FUZZ_CHECK(again && *again == *config);
    return 0;
}
