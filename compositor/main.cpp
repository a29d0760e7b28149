// spectrum-compositor --config FILE [--socket NAME] [--debug]
#include <cstdio>
#include <cstdlib>
#include <print>
#include <string>
#include <string_view>

#include "config.hpp"
#include "server.hpp"

namespace {

constexpr std::string_view usage =
    "usage: spectrum-compositor [--config FILE] [--socket NAME] [--vmbridge] [--debug]";

} // namespace

int main(int argc, char** argv) {
    std::string config_path, socket_name;
    bool debug = false, vmbridge = false;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if ((arg == "--config" || arg == "-c") && i + 1 < argc) {
            config_path = argv[++i];
        } else if ((arg == "--socket" || arg == "-s") && i + 1 < argc) {
            socket_name = argv[++i];
        } else if (arg == "--vmbridge") {
            vmbridge = true; // the session: start the VM supervisor beside the compositor
        } else if (arg == "--debug" || arg == "-d") {
            debug = true;
        } else if (arg == "--help" || arg == "-h") {
            std::println("{}", usage);
            return 0;
        } else {
            std::println(stderr, "spectrum-compositor: unknown or incomplete argument \"{}\" ({})", arg, usage);
            return 2;
        }
    }
    if (socket_name.find('/') != std::string::npos) {
        std::println(stderr, "spectrum-compositor: --socket takes a name in $XDG_RUNTIME_DIR, not a path");
        return 2;
    }
    if (!std::getenv("XDG_RUNTIME_DIR")) {
        std::println(stderr, "spectrum-compositor: XDG_RUNTIME_DIR is not set (log in through a session manager, "
                             "or export it)");
        return 2;
    }
    if (config_path.empty()) config_path = spectrum::config::default_path();

    // A bad config stops everything before anything starts: one line, exit status 2.
    auto config = spectrum::config::load(config_path);
    if (!config) {
        std::println(stderr, "{}", config.error().format());
        return 2;
    }

    wlr_log_init(debug ? WLR_DEBUG : WLR_INFO, nullptr);
    if (config->source == "<built-in>")
        wlr_log(WLR_INFO, "%s not found: using the built-in configuration", config_path.c_str());

    spectrum::Server server(std::move(*config), config_path);
    if (!server.start(socket_name)) return 1;
    if (vmbridge) server.start_vmbridge();
    return server.run();
}
