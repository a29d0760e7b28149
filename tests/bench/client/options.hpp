// The benchmark client's command line: how many windows, how big, what to redraw, for how long.
#pragma once

#include <expected>
#include <span>
#include <string>
#include <string_view>

namespace bench {

enum class Damage { Small, Full };

struct Options {
    int windows = 1;
    int width = 640;
    int height = 480;
    Damage damage = Damage::Small;
    double duration_s = 5.0;
    double warmup_s = 1.0;
    int buffers = 3;                // 2 (double) or 3 (triple) buffering
    std::string title = "bench";    // windows are titled "<title> <index>"
    bool signals = false;           // measure between SIGUSR1 and SIGUSR2 instead of a timer
    bool samples = false;           // print every latency sample (for merging processes)
    bool opaque_region = false;     // declare the whole surface opaque (wl_surface.set_opaque_region)
    double ready_timeout_s = 30.0;  // longest wait for every window's first presented frame
    double draw_ms = 0.0;           // extra time each frame takes to draw (a slower client)
};

// The usage text printed by --help and after a mistake.
std::string_view usage();

// Parses argv[1..]; the error is one line naming the bad argument. "--help" yields an
// empty error string, which the caller prints as the usage.
std::expected<Options, std::string> parse_options(std::span<const std::string_view> args);

std::string_view damage_name(Damage damage);

} // namespace bench
