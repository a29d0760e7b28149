#include "options.hpp"

#include <algorithm>
#include <charconv>
#include <format>

namespace bench {

namespace {

template <typename T> std::expected<T, std::string> number(std::string_view flag, std::string_view text) {
    T value{};
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size())
        return std::unexpected(std::format("{}: '{}' is not a number", flag, text));
    return value;
}

template <typename T>
std::expected<T, std::string> in_range(std::string_view flag, std::string_view text, T low, T high) {
    auto value = number<T>(flag, text);
    if (value && (*value < low || *value > high))
        return std::unexpected(std::format("{}: {} is outside {}..{}", flag, text, low, high));
    return value;
}

} // namespace

std::string_view usage() {
    return "usage: spectrum-bench-client [--windows N] [--width W] [--height H]\n"
           "         [--damage small|full] [--duration S] [--warmup S] [--buffers 2|3]\n"
           "         [--title PREFIX] [--signals] [--samples] [--opaque-region]\n"
           "         [--ready-timeout S] [--draw-ms MS]\n"
           "Opens N xdg-shell windows on $WAYLAND_DISPLAY, redraws each as fast as frame\n"
           "callbacks allow (a moving 20x20 square, or the whole window), and prints frames\n"
           "presented and commit-to-presentation latency as JSON. With --signals it prints\n"
           "'ready' once every window has been presented, measures from SIGUSR1 to SIGUSR2,\n"
           "then prints the JSON and exits. --draw-ms makes every frame take that much longer\n"
           "to draw (the process sleeps before drawing), like a slower client.\n";
}

std::string_view damage_name(Damage damage) { return damage == Damage::Full ? "full" : "small"; }

std::expected<Options, std::string> parse_options(std::span<const std::string_view> args) {
    Options options;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string_view flag = args[i];
        if (flag == "--help" || flag == "-h") return std::unexpected(std::string{});
        if (flag == "--signals") {
            options.signals = true;
            continue;
        }
        if (flag == "--samples") {
            options.samples = true;
            continue;
        }
        if (flag == "--opaque-region") {
            options.opaque_region = true;
            continue;
        }
        static constexpr std::string_view valued[] = {"--windows", "--width", "--height", "--damage",
                                                      "--duration", "--warmup", "--buffers", "--title",
                                                      "--ready-timeout", "--draw-ms"};
        if (std::ranges::find(valued, flag) == std::end(valued))
            return std::unexpected(std::format("unknown option {}", flag));
        if (i + 1 >= args.size()) return std::unexpected(std::format("{} needs a value", flag));
        const std::string_view value = args[++i];
        std::expected<void, std::string> ok;
        const auto take = [&](auto parsed, auto& field) {
            if (parsed) field = *parsed;
            else ok = std::unexpected(parsed.error());
        };
        if (flag == "--windows") take(in_range(flag, value, 1, 4096), options.windows);
        else if (flag == "--width") take(in_range(flag, value, 1, 8192), options.width);
        else if (flag == "--height") take(in_range(flag, value, 1, 8192), options.height);
        else if (flag == "--duration") take(in_range(flag, value, 0.1, 3600.0), options.duration_s);
        else if (flag == "--warmup") take(in_range(flag, value, 0.0, 600.0), options.warmup_s);
        else if (flag == "--buffers") take(in_range(flag, value, 2, 3), options.buffers);
        else if (flag == "--ready-timeout") take(in_range(flag, value, 0.1, 3600.0), options.ready_timeout_s);
        else if (flag == "--draw-ms") take(in_range(flag, value, 0.0, 1000.0), options.draw_ms);
        else if (flag == "--title") options.title = value;
        else if (value == "small") options.damage = Damage::Small; // --damage, the last one left
        else if (value == "full") options.damage = Damage::Full;
        else return std::unexpected(std::format("--damage: '{}' is neither small nor full", value));
        if (!ok) return std::unexpected(ok.error());
    }
    return options;
}

} // namespace bench
