// spectrum-store: backs up, verifies and restores the global config and the state store.
//
//   spectrum-store backup FILE --config CFG [--state-dir DIR]
//   spectrum-store restore FILE --config CFG [--state-dir DIR] [--force]
//   spectrum-store verify FILE
//
// The store is the config's state_dir: that of CFG (the built-in default's when CFG does
// not exist yet), or --state-dir DIR. A restore never takes it from the archive: the
// archived config must name that same state_dir, or the restore is refused (a config that
// points elsewhere would have the supervisor use another store). Exit status: 0 done, 1
// refused or failed (one line on stderr), 2 bad usage.
#include "config.hpp"
#include "store.hpp"

#include <cstdio>
#include <exception>
#include <expected>
#include <filesystem>
#include <format>
#include <optional>
#include <print>
#include <span>
#include <string>
#include <string_view>

namespace {

namespace store = spectrum::vmbridge::store;
namespace config = spectrum::config;

constexpr std::string_view kUsage =
    "usage: spectrum-store backup FILE --config CFG [--state-dir DIR]\n"
    "       spectrum-store restore FILE --config CFG [--state-dir DIR] [--force]\n"
    "       spectrum-store verify FILE\n"
    "\n"
    "backup   writes CFG and every VM's directory in the store (state_dir) to FILE, with a\n"
    "         MANIFEST of sha256 sums. FILE ending in .tar.zst is zstd-compressed, .tar.gz\n"
    "         gzip-compressed, anything else a plain tar. Stop the VMs first.\n"
    "restore  checks every sum in FILE, then writes the archived config to CFG and the\n"
    "         archived store to CFG's state_dir (or DIR), which the archived config must\n"
    "         name too. Files get mode 0600, directories 0700. Without --force it refuses\n"
    "         a non-empty store and a CFG that differs from the archived one.\n"
    "verify   checks every sum in FILE and writes nothing.\n";

struct Arguments {
    std::string command;
    std::filesystem::path file;
    std::optional<std::filesystem::path> config;
    std::optional<std::filesystem::path> state_dir;
    bool force = false;
};

struct UsageError {
    std::string message;
};

std::expected<Arguments, UsageError> parse_arguments(std::span<char*> args) {
    if (args.empty())
        return std::unexpected(UsageError{"missing command (backup, restore or verify)"});
    Arguments parsed{.command = args[0]};
    if (parsed.command != "backup" && parsed.command != "restore" && parsed.command != "verify")
        return std::unexpected(UsageError{std::format("unknown command \"{}\"", parsed.command)});

    bool have_file = false;
    for (std::size_t i = 1; i < args.size(); ++i) {
        std::string_view arg = args[i];
        auto value_of = [&](std::string_view option) -> std::optional<std::string> {
            if (arg.starts_with(option) && arg.size() > option.size() && arg[option.size()] == '=')
                return std::string(arg.substr(option.size() + 1));
            if (arg != option) return std::nullopt;
            if (i + 1 >= args.size()) return std::string();
            return std::string(args[++i]);
        };
        if (arg == "--force") {
            parsed.force = true;
        } else if (auto value = value_of("--config")) {
            if (value->empty()) return std::unexpected(UsageError{"--config needs a file"});
            parsed.config = *value;
        } else if (auto value = value_of("--state-dir")) {
            if (value->empty()) return std::unexpected(UsageError{"--state-dir needs a directory"});
            parsed.state_dir = *value;
        } else if (arg.starts_with("-") && arg != "-") {
            return std::unexpected(UsageError{std::format("unknown option \"{}\"", arg)});
        } else if (have_file) {
            return std::unexpected(UsageError{std::format("unexpected argument \"{}\"", arg)});
        } else {
            parsed.file = std::string(arg);
            have_file = true;
        }
    }

    if (!have_file)
        return std::unexpected(UsageError{std::format("{} needs FILE", parsed.command)});
    if (parsed.command == "verify" && (parsed.config || parsed.state_dir || parsed.force))
        return std::unexpected(UsageError{"verify takes only FILE"});
    if (parsed.command != "verify" && !parsed.config)
        return std::unexpected(UsageError{std::format("{} needs --config CFG", parsed.command)});
    if (parsed.command == "backup" && parsed.force)
        return std::unexpected(UsageError{"backup has no --force (it always replaces FILE)"});
    return parsed;
}

std::string describe(const store::Summary& summary) {
    std::string vms;
    for (const auto& vm : summary.vms)
        vms += std::format("{}{}", vms.empty() ? "" : ", ", vm);
    return std::format("{} VM{}{}, {} files, {:.1f} MiB", summary.vms.size(),
                       summary.vms.size() == 1 ? "" : "s",
                       vms.empty() ? "" : std::format(" ({})", vms), summary.files,
                       static_cast<double>(summary.bytes) / (1 << 20));
}

// The state_dir of the config file in use, for a backup.
std::expected<std::filesystem::path, std::string> state_dir_of(const std::filesystem::path& file) {
    // config::load() falls back to the built-in default for a missing file; a backup must
    // save the real one.
    std::error_code error;
    if (!std::filesystem::exists(file, error))
        return std::unexpected(std::format("{}: no such file; pass the config file in use with "
                                           "--config",
                                           file.string()));
    auto loaded = config::load(file);
    if (!loaded)
        return std::unexpected(
            std::format("{} (fix the config, or pass --state-dir DIR)", loaded.error().format()));
    return loaded->state_dir;
}

std::expected<std::string, std::string> run(const Arguments& args) {
    if (args.command == "verify") {
        auto summary = store::verify(args.file);
        if (!summary) return std::unexpected(summary.error());
        return std::format("{}: OK ({})", args.file.string(), describe(*summary));
    }

    std::filesystem::path state_dir;
    if (args.state_dir) {
        state_dir = *args.state_dir;
    } else {
        auto found = args.command == "backup" ? state_dir_of(*args.config)
                                              : store::configured_state_dir(*args.config);
        if (!found) return std::unexpected(found.error());
        state_dir = *found;
    }

    if (args.command == "backup") {
        auto summary = store::backup(*args.config, state_dir, args.file);
        if (!summary) return std::unexpected(summary.error());
        return std::format("backed up {} and {} ({}) to {}", args.config->string(),
                           state_dir.string(), describe(*summary), args.file.string());
    }
    auto summary = store::restore(args.file, *args.config, state_dir, args.force,
                                  store::state_dir_check(*args.config, state_dir));
    if (!summary) return std::unexpected(summary.error());
    return std::format("restored {} to {} and {} ({})", args.file.string(), args.config->string(),
                       state_dir.string(), describe(*summary));
}

} // namespace

int main(int argc, char** argv) {
    std::span<char*> args(argv + 1, static_cast<std::size_t>(argc > 0 ? argc - 1 : 0));
    if (!args.empty() &&
        (std::string_view(args[0]) == "--help" || std::string_view(args[0]) == "-h")) {
        std::print("{}", kUsage);
        return 0;
    }
    auto parsed = parse_arguments(args);
    if (!parsed) {
        std::println(stderr, "spectrum-store: {}; run spectrum-store --help for usage",
                     parsed.error().message);
        return 2;
    }
    try {
        auto done = run(*parsed);
        if (!done) {
            std::println(stderr, "spectrum-store: {}", done.error());
            return 1;
        }
        std::println("{}", *done);
        return 0;
    } catch (const std::exception& error) {
        // Out of memory, or a filesystem call that threw: still one line, never a trace.
        std::println(stderr, "spectrum-store: {}", error.what());
        return 1;
    }
}
