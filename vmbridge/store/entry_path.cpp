#include "entry_path.hpp"

#include <algorithm>

namespace spectrum::vmbridge::store {

namespace {

bool is_control(char c) {
    auto byte = static_cast<unsigned char>(c);
    return byte < 0x20 || byte == 0x7f;
}

} // namespace

std::optional<std::string> entry_path_problem(std::string_view path) {
    if (path.empty()) return "has an empty name";
    // A newline would split a MANIFEST line; any control character would garble an error.
    if (std::ranges::any_of(path, is_control)) return "has a control character in its name";
    if (path.front() == '/') return "is an absolute path";
    if (path == kConfigEntry || path == kManifestEntry) return std::nullopt;
    if (!path.starts_with(kStatePrefix))
        return "is neither config/spectrum.toml, MANIFEST nor a path under state/";

    for (std::string_view rest = path;;) {
        auto slash = rest.find('/');
        auto component = rest.substr(0, slash);
        if (component.empty()) return "has an empty path component";
        if (component == "." || component == "..") return "has a \".\" or \"..\" component";
        if (slash == std::string_view::npos) break;
        rest.remove_prefix(slash + 1);
    }
    return std::nullopt;
}

std::size_t state_depth(std::string_view state_path) {
    auto below = state_path.substr(kStatePrefix.size());
    return static_cast<std::size_t>(std::ranges::count(below, '/')) + 1;
}

std::string_view vm_of(std::string_view state_path) {
    auto below = state_path.substr(kStatePrefix.size());
    return below.substr(0, below.find('/'));
}

std::string_view parent_of(std::string_view path) {
    auto slash = path.rfind('/');
    return slash == std::string_view::npos ? std::string_view{} : path.substr(0, slash);
}

std::string printable(std::string_view path) {
    std::string out(path);
    std::ranges::replace_if(out, is_control, '?');
    return out;
}

} // namespace spectrum::vmbridge::store
