// What a clipboard copy between VMs carries: the MIME types on the allow-list, read once
// each (the plain-text names a source offers are one text read once), text checked as UTF-8.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace spectrum::policy {

// Lower-case, without blanks or quotes: "Text/Plain; charset=\"UTF-8\"" and
// "text/plain;charset=utf-8" name the same type.
std::string normalize_mime(std::string_view mime);

// Checked as UTF-8 when copied: text/* and X11's text names.
bool is_text_mime(std::string_view mime);

struct CaptureItem {
    std::string read;                // the type asked of the source
    std::vector<std::string> offers; // the names the pasted data is offered under
    bool text = false;
};

// The reads a copy makes, plain text first. `offered` is the source's list as it spelled
// it; only types on `allowed` take part; duplicates count once. Empty: nothing allowed.
std::vector<CaptureItem> plan_capture(std::span<const std::string> offered,
                                      std::span<const std::string> allowed);

// Replaces every invalid UTF-8 sequence with U+FFFD (maximal subparts, as in utf8.hpp);
// valid text is returned byte for byte. Returns how many replacements were made.
std::size_t make_valid_utf8(std::string& text);

// Overwrites the bytes with zeros (in a way the optimizer keeps), then empties the string:
// clipboard data does not linger in freed memory.
void wipe(std::string& bytes);

} // namespace spectrum::policy
