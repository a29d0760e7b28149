// Where a restore may write: the state_dir of the config it runs under, never one named by
// the archive; and an archived config that would point the store elsewhere is refused.
#include "config.hpp"
#include "entry_path.hpp"
#include "store.hpp"

#include <format>

namespace spectrum::vmbridge::store {

namespace {

namespace fs = std::filesystem;

// As the supervisor resolves it: relative to the config file's directory.
fs::path resolve_state_dir(const fs::path& config_file, const fs::path& state_dir) {
    std::error_code error;
    fs::path base = fs::absolute(config_file, error).parent_path();
    fs::path path = state_dir.is_absolute() ? state_dir : base / state_dir;
    auto canonical = fs::weakly_canonical(path, error);
    path = error ? path.lexically_normal() : canonical;
    if (!path.has_filename()) path = path.parent_path(); // "/a/b/" → "/a/b"
    return path;
}

} // namespace

std::expected<fs::path, std::string> configured_state_dir(const fs::path& config_file) {
    auto loaded = config::load(config_file); // the built-in default when there is no file
    if (!loaded)
        return std::unexpected(std::format("{} (fix the config in use first)", loaded.error().format()));
    return resolve_state_dir(config_file, loaded->state_dir);
}

ConfigCheck state_dir_check(const fs::path& config_dest, const fs::path& state_dir) {
    return [config_dest, state_dir](std::string_view text) -> std::optional<std::string> {
        auto archived = config::parse(text, kConfigEntry);
        if (!archived)
            return std::format("the archived config does not parse ({})",
                               printable(archived.error().format()));
        const fs::path wanted = resolve_state_dir(config_dest, state_dir);
        const fs::path named = resolve_state_dir(config_dest, archived->state_dir);
        if (named == wanted) return std::nullopt;
        return std::format("the archived config keeps the store in {}, but the config in use "
                           "keeps it in {}, the only place a restore writes; if the archive is "
                           "yours, set state_dir = \"{}\" in {} and restore again",
                           printable(named.string()), wanted.string(),
                           printable(archived->state_dir.string()), config_dest.string());
    };
}

} // namespace spectrum::vmbridge::store
