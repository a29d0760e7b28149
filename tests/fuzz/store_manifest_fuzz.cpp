// The MANIFEST parser of the state store (vmbridge/store/manifest): any text gives entries
// whose every path passes entry_path_problem() and that format back to a MANIFEST parsing
// to the same entries, or a one-line error.
#include "entry_path.hpp"
#include "fuzz_check.hpp"
#include "manifest.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

using namespace spectrum::vmbridge::store;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto entries = parse_manifest(text);
    if (!entries) {
        FUZZ_CHECK(entries.error().find('\n') == std::string::npos);
        return 0;
    }
    for (const ManifestEntry& entry : *entries) {
        FUZZ_CHECK(!entry_path_problem(entry.path));
        FUZZ_CHECK(entry.mode <= 0777);
        FUZZ_CHECK(printable(entry.path).find('\n') == std::string::npos);
        if (entry.path.starts_with(kStatePrefix)) {
            FUZZ_CHECK(state_depth(entry.path) >= 1);
            FUZZ_CHECK(!vm_of(entry.path).empty());
        }
    }
    const auto again = parse_manifest(format_manifest(*entries));
    FUZZ_CHECK(again && *again == *entries);
    FUZZ_CHECK(!manifest_mismatch(*entries, *entries));
    (void)summarize(*entries);
    return 0;
}
