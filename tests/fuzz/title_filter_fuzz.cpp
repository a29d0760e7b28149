// The title/app-id filter and the strict UTF-8 decoder (compositor/policy): whatever a VM
// sends, the result is valid UTF-8, within the cap, free of every dropped character (bidi
// controls, zero-width and format characters, controls), with single inner spaces and no
// space at either end; decoding consumes every byte exactly once.
#include "fuzz_check.hpp"
#include "title_filter.hpp"
#include "utf8.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

using namespace spectrum::policy;

namespace {

void check_decoder(std::string_view text) {
    std::size_t pos = 0;
    bool all_valid = true;
    std::string reencoded;
    while (pos < text.size()) {
        const DecodedCodePoint d = decode_utf8_at(text, pos);
        FUZZ_CHECK(d.length >= 1 && d.length <= 4 && pos + d.length <= text.size());
        FUZZ_CHECK(d.valid || d.code_point == kReplacementCharacter);
        FUZZ_CHECK(d.code_point <= 0x10FFFF && !(d.code_point >= 0xD800 && d.code_point <= 0xDFFF));
        all_valid = all_valid && d.valid;
        append_utf8(reencoded, d.code_point);
        pos += d.length;
    }
    FUZZ_CHECK(pos == text.size());
    FUZZ_CHECK(is_valid_utf8(text) == all_valid);
    if (all_valid) FUZZ_CHECK(reencoded == text); // valid text decodes and encodes to itself
    FUZZ_CHECK(is_valid_utf8(reencoded));
}

void check_sanitized(std::string_view untrusted, std::size_t cap) {
    const std::string out = sanitize_text(untrusted, cap);
    FUZZ_CHECK(is_valid_utf8(out));
    if (cap == 0) FUZZ_CHECK(out.empty());
    if (out.empty()) return;
    FUZZ_CHECK(out.front() != ' ' && out.back() != ' ');
    FUZZ_CHECK(out.find("  ") == std::string::npos);
    std::size_t count = 0;
    for (std::size_t pos = 0; pos < out.size();) {
        const DecodedCodePoint d = decode_utf8_at(out, pos);
        ++count;
        const CharDisposition disposition = classify_code_point(d.code_point);
        FUZZ_CHECK(disposition == CharDisposition::Keep || d.code_point == U' ');
        pos += d.length;
    }
    FUZZ_CHECK(count <= cap);
    // Filtering is idempotent: a filtered title passes through unchanged.
    FUZZ_CHECK(sanitize_text(out, cap) == out);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    check_decoder(text);
    for (const std::size_t cap : {std::size_t{0}, std::size_t{1}, std::size_t{2}, std::size_t{7}, std::size_t{128},
                                  std::size_t{4096}})
        check_sanitized(text, cap);
    return 0;
}
