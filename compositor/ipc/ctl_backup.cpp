// spectrumctl backup FILE / restore FILE [--force]: the global config and the state store,
// the two things a whole machine is restored from. VMs must be stopped first: a running
// VM's disk would be a torn copy, and a restore replaces what running VMs write to.
#include <format>
#include <print>

#include "config.hpp"
#include "ctl_client.hpp"
#include "store.hpp"

namespace spectrum::ctl {

namespace {

namespace store = vmbridge::store;

// The config file the running compositor was started with.
std::filesystem::path running_config() {
    const json info = call({{"command", "info"}});
    return info.value("config", std::string());
}

void refuse_running_vms(std::string_view what) {
    const auto reply = try_call_vmbridge({{"command", "list"}});
    if (!reply) return; // no supervisor: no VM runs
    for (const auto& vm : (*reply)["vms"]) {
        const std::string state = vm.value("state", "");
        if (state != "stopped" && state != "failed" && state != "unconfigured")
            fail(std::format("VM {} is {}; stop every VM before a {} (spectrumctl vm stop {})",
                             vm.value("name", "?"), state, what, vm.value("name", "?")));
    }
}

std::string describe(const store::Summary& summary) {
    return std::format("{} VM(s), {} file(s), {} bytes", summary.vms.size(), summary.files, summary.bytes);
}

} // namespace

int run_backup(const std::vector<std::string_view>& args) {
    if (args.size() != 2) usage_error("backup takes one archive path");
    const std::filesystem::path archive(args[1]);
    const std::filesystem::path config_file = running_config();
    refuse_running_vms("backup");
    const auto config = config::load(config_file);
    if (!config) fail(config.error().format());
    if (config->source == "<built-in>")
        fail(std::format("{} does not exist (the session runs on the built-in config); write it first",
                         config_file.string()));
    const auto summary = store::backup(config_file, config->state_dir, archive);
    if (!summary) fail(summary.error());
    std::println("backed up {} and {} ({}) to {}", config_file.string(), config->state_dir.string(),
                 describe(*summary), archive.string());
    return 0;
}

int run_restore(const std::vector<std::string_view>& args) {
    const bool force = args.size() == 3 && args[2] == "--force";
    if (args.size() != 2 && !force) usage_error("restore takes one archive path and optionally --force");
    const std::filesystem::path archive(args[1]);
    const std::filesystem::path config_file = running_config();
    refuse_running_vms("restore");
    // The store goes where the config in use keeps it, never where the archive says; an
    // archived config naming another state_dir is refused.
    const auto state_dir = store::configured_state_dir(config_file);
    if (!state_dir) fail(state_dir.error());
    const auto before = store::read_config_text(config_file);
    const auto summary =
        store::restore(archive, config_file, *state_dir, force, store::state_dir_check(config_file, *state_dir));
    if (!summary) fail(summary.error());
    std::println("restored {} and {} ({}) from {}", config_file.string(), state_dir->string(),
                 describe(*summary), archive.string());
    // A restored config is not loaded blindly: key bindings run commands. When it differs
    // from the one in use, the user reads it and reloads.
    if (before && *before == store::read_config_text(config_file)) return 0;
    std::println("the restored config differs from the one in use and was not loaded: read {} "
                 "(its [keys] run commands), then run `spectrumctl reload`",
                 config_file.string());
    return 0;
}

} // namespace spectrum::ctl
