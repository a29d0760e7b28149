#include "clipboard_mime.hpp"

#include <algorithm>
#include <array>
#include <cstring>

#include "utf8.hpp"

namespace spectrum::policy {

namespace {

// The names of plain UTF-8 text, best first: the one read when a source offers several.
constexpr std::array<std::string_view, 5> plain_text_names{
    "text/plain;charset=utf-8", "utf8_string", "text/plain", "text", "string",
};

std::size_t plain_text_rank(std::string_view normalized) {
    auto it = std::ranges::find(plain_text_names, normalized);
    return static_cast<std::size_t>(it - plain_text_names.begin()); // size() if not plain text
}

} // namespace

std::string normalize_mime(std::string_view mime) {
    std::string out;
    out.reserve(mime.size());
    for (char c : mime) {
        if (c == ' ' || c == '\t' || c == '"') continue;
        out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    }
    return out;
}

bool is_text_mime(std::string_view mime) {
    const std::string normalized = normalize_mime(mime);
    return normalized.starts_with("text/") || plain_text_rank(normalized) < plain_text_names.size();
}

std::vector<CaptureItem> plan_capture(std::span<const std::string> offered,
                                      std::span<const std::string> allowed) {
    std::vector<std::string> allowed_normalized;
    for (const auto& type : allowed) allowed_normalized.push_back(normalize_mime(type));

    CaptureItem plain{.read = {}, .offers = {}, .text = true};
    std::size_t plain_rank = plain_text_names.size();
    std::vector<CaptureItem> others;
    std::vector<std::string> seen;
    for (const auto& type : offered) {
        std::string normalized = normalize_mime(type);
        if (std::ranges::find(seen, normalized) != seen.end()) continue;
        seen.push_back(normalized);
        if (std::ranges::find(allowed_normalized, normalized) == allowed_normalized.end()) continue;
        if (const std::size_t rank = plain_text_rank(normalized); rank < plain_text_names.size()) {
            plain.offers.push_back(type);
            if (rank < plain_rank) {
                plain_rank = rank;
                plain.read = type;
            }
            continue;
        }
        others.push_back({.read = type, .offers = {type}, .text = is_text_mime(type)});
    }

    std::vector<CaptureItem> plan;
    if (!plain.offers.empty()) plan.push_back(std::move(plain));
    for (auto& item : others) plan.push_back(std::move(item));
    return plan;
}

std::size_t make_valid_utf8(std::string& text) {
    if (is_valid_utf8(text)) return 0;
    std::string out;
    out.reserve(text.size() + text.size() / 8);
    std::size_t replaced = 0;
    for (std::size_t pos = 0; pos < text.size();) {
        const DecodedCodePoint decoded = decode_utf8_at(text, pos);
        if (decoded.valid) {
            out.append(text, pos, decoded.length);
        } else {
            append_utf8(out, kReplacementCharacter);
            ++replaced;
        }
        pos += decoded.length;
    }
    text.swap(out);
    wipe(out);
    return replaced;
}

void wipe(std::string& bytes) {
    if (!bytes.empty()) explicit_bzero(bytes.data(), bytes.size());
    bytes.clear();
    bytes.shrink_to_fit();
}

} // namespace spectrum::policy
