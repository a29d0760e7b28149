#include "manifest.hpp"

#include "entry_path.hpp"

#include <algorithm>
#include <charconv>
#include <format>
#include <unordered_map>
#include <unordered_set>

namespace spectrum::vmbridge::store {

namespace {

constexpr std::string_view kHeader = "spectrum-store manifest 1";

std::string_view kind_name(EntryKind kind) {
    return kind == EntryKind::File ? "file" : "directory";
}

bool is_lower_hex(std::string_view text) {
    return std::ranges::all_of(
        text, [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// Splits off the text up to the next space.
std::optional<std::string_view> take_field(std::string_view& line) {
    auto space = line.find(' ');
    if (space == std::string_view::npos) return std::nullopt;
    auto field = line.substr(0, space);
    line.remove_prefix(space + 1);
    return field;
}

std::expected<ManifestEntry, std::string> parse_line(std::string_view line) {
    auto kind = take_field(line);
    auto mode = take_field(line);
    auto size = take_field(line);
    auto sum = take_field(line);
    if (!sum) return std::unexpected("expected `file|dir MODE SIZE SHA256|- PATH`");

    ManifestEntry entry;
    entry.path = std::string(line);
    if (*kind == "file")
        entry.kind = EntryKind::File;
    else if (*kind == "dir")
        entry.kind = EntryKind::Directory;
    else
        return std::unexpected(std::format("unknown kind \"{}\"", printable(*kind)));

    bool octal = mode->size() == 4 &&
                 std::ranges::all_of(*mode, [](char c) { return c >= '0' && c <= '7'; });
    if (!octal) return std::unexpected("the mode must be four octal digits");
    std::from_chars(mode->data(), mode->data() + mode->size(), entry.mode, 8);
    if (entry.mode > 0777) return std::unexpected("the mode has set-id or sticky bits");

    auto [end, error] = std::from_chars(size->data(), size->data() + size->size(), entry.size);
    if (size->empty() || error != std::errc{} || end != size->data() + size->size())
        return std::unexpected("the size must be a decimal number");

    if (entry.kind == EntryKind::Directory) {
        if (entry.size != 0 || *sum != "-")
            return std::unexpected("a directory has size 0 and sum \"-\"");
    } else {
        if (sum->size() != 64 || !is_lower_hex(*sum))
            return std::unexpected("the sha256 must be 64 lower-case hex digits");
        entry.sha256 = std::string(*sum);
    }

    if (auto problem = entry_path_problem(entry.path))
        return std::unexpected(std::format("{}: {}", printable(entry.path), *problem));
    if (entry.path == kManifestEntry) return std::unexpected("the MANIFEST lists itself");
    return entry;
}

std::string describe_mode(std::uint32_t mode) {
    return std::format("{:04o}", mode);
}

} // namespace

std::string format_manifest(std::span<const ManifestEntry> entries) {
    std::string text = std::format("{}\n", kHeader);
    for (const auto& entry : entries) {
        bool file = entry.kind == EntryKind::File;
        text += std::format("{} {:04o} {} {} {}\n", file ? "file" : "dir", entry.mode, entry.size,
                            file ? std::string_view(entry.sha256) : "-", entry.path);
    }
    return text;
}

std::expected<std::vector<ManifestEntry>, std::string> parse_manifest(std::string_view text) {
    // A MANIFEST cut short must not pass as a shorter, complete one.
    if (!text.ends_with('\n')) return std::unexpected("MANIFEST does not end with a newline");

    std::vector<ManifestEntry> entries;
    std::unordered_set<std::string_view> paths;
    std::size_t number = 0;
    while (!text.empty()) {
        auto newline = text.find('\n');
        auto line = text.substr(0, newline);
        text.remove_prefix(newline + 1);
        ++number;
        if (number == 1) {
            if (line != kHeader)
                return std::unexpected(std::format("MANIFEST line 1: expected \"{}\"", kHeader));
            continue;
        }
        auto entry = parse_line(line);
        if (!entry)
            return std::unexpected(std::format("MANIFEST line {}: {}", number, entry.error()));
        entries.push_back(std::move(*entry));
    }
    if (number == 0) return std::unexpected("MANIFEST is empty");
    for (std::size_t i = 0; i < entries.size(); ++i) {
        if (!paths.insert(entries[i].path).second)
            return std::unexpected(std::format("MANIFEST line {}: {} is listed twice", i + 2,
                                               printable(entries[i].path)));
    }
    return entries;
}

std::optional<std::string> manifest_mismatch(std::span<const ManifestEntry> manifest,
                                             std::span<const ManifestEntry> found,
                                             bool compare_sums) {
    std::unordered_map<std::string_view, const ManifestEntry*> listed;
    for (const auto& entry : manifest)
        listed.emplace(entry.path, &entry);

    std::unordered_set<std::string_view> seen;
    for (const auto& entry : found) {
        auto name = printable(entry.path);
        seen.insert(entry.path);
        auto it = listed.find(entry.path);
        if (it == listed.end())
            return std::format("{}: in the archive but not in the MANIFEST", name);
        const auto& want = *it->second;
        if (want.kind != entry.kind)
            return std::format("{}: a {} in the archive but a {} in the MANIFEST", name,
                               kind_name(entry.kind), kind_name(want.kind));
        if (want.size != entry.size)
            return std::format("{}: {} bytes in the archive but {} in the MANIFEST", name,
                               entry.size, want.size);
        if (want.mode != entry.mode)
            return std::format("{}: mode {} in the archive but {} in the MANIFEST", name,
                               describe_mode(entry.mode), describe_mode(want.mode));
        if (compare_sums && want.sha256 != entry.sha256)
            return std::format("{}: sha256 does not match the MANIFEST", name);
    }
    for (const auto& entry : manifest) {
        if (!seen.contains(entry.path))
            return std::format("{}: listed in the MANIFEST but missing from the archive",
                               printable(entry.path));
    }
    return std::nullopt;
}

Summary summarize(std::span<const ManifestEntry> entries) {
    Summary summary;
    for (const auto& entry : entries) {
        if (!entry.path.starts_with(kStatePrefix)) continue;
        if (entry.kind == EntryKind::Directory) {
            ++summary.directories;
            if (state_depth(entry.path) == 1) summary.vms.emplace_back(vm_of(entry.path));
        } else {
            ++summary.files;
            summary.bytes += entry.size;
        }
    }
    std::ranges::sort(summary.vms);
    return summary;
}

} // namespace spectrum::vmbridge::store
