// spectrumctl: talk to the running compositor over its control socket.
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <format>
#include <optional>
#include <print>
#include <string>
#include <string_view>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <vector>

#include <nlohmann/json.hpp>

namespace {

using nlohmann::json;

constexpr std::string_view usage = "usage: spectrumctl windows [--json] | vms [--json] | focus ID | close ID | "
                                   "outputs [--json] | output add WIDTHxHEIGHT | output remove NAME | reload | quit";

[[noreturn]] void usage_error(const std::string& message) {
    std::println(stderr, "spectrumctl: {} ({})", message, usage);
    std::exit(2);
}

[[noreturn]] void fail(const std::string& message) {
    std::println(stderr, "spectrumctl: {}", message);
    std::exit(1);
}

std::string socket_path() {
    if (const char* path = std::getenv("SPECTRUM_CTL_SOCKET"); path && *path) return path;
    const char* runtime = std::getenv("XDG_RUNTIME_DIR");
    if (!runtime) fail("XDG_RUNTIME_DIR is not set; is Spectrum running in this session?");
    return std::string(runtime) + "/spectrum/ctl.sock";
}

json call(const json& request) {
    const std::string path = socket_path();
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path.size() >= sizeof addr.sun_path) fail("control socket path too long: " + path);
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
        fail(std::format("cannot reach the compositor at {}: {}", path, std::strerror(errno)));
    timeval timeout{5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    const std::string line = request.dump() + "\n";
    if (send(fd, line.data(), line.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(line.size()))
        fail("the compositor closed the control connection");
    std::string reply;
    char buffer[4096];
    ssize_t n;
    while ((n = read(fd, buffer, sizeof buffer)) > 0) reply.append(buffer, static_cast<std::size_t>(n));
    close(fd);
    json parsed = json::parse(reply, nullptr, false);
    if (parsed.is_discarded() || !parsed.is_object()) fail("the compositor sent no valid reply");
    if (!parsed.value("ok", false)) fail(parsed.value("error", std::string("request failed")));
    return parsed;
}

unsigned parse_id(std::string_view text) {
    unsigned value = 0;
    if (text.empty() || text.size() > 9) usage_error(std::format("\"{}\" is not a window id", text));
    for (char c : text) {
        if (c < '0' || c > '9') usage_error(std::format("\"{}\" is not a window id", text));
        value = value * 10 + static_cast<unsigned>(c - '0');
    }
    return value;
}

void print_windows(const json& windows) {
    std::println("{:<4} {:<12} {:<34} {:<6} {:<18} {}", "ID", "VM", "APP_ID", "FOCUS", "GEOMETRY", "TITLE");
    for (const auto& w : windows) {
        const std::string vm = w["vm"].is_null() ? "host" : w["vm"].get<std::string>();
        const std::string geometry = std::format("{}x{}+{}+{}", w["width"].get<int>(), w["height"].get<int>(),
                                                 w["x"].get<int>(), w["y"].get<int>());
        std::println("{:<4} {:<12} {:<34} {:<6} {:<18} {}", w["id"].get<unsigned>(), vm,
                     w["app_id"].get<std::string>(), w["focused"].get<bool>() ? "yes" : "", geometry,
                     w["title"].get<std::string>());
    }
}

void print_vms(const json& vms) {
    std::println("{:<16} {:<8} {:<8} {}", "NAME", "COLOR", "CLIENTS", "SOCKET");
    for (const auto& v : vms)
        std::println("{:<16} {:<8} {:<8} {}", v["name"].get<std::string>(), v["color"].get<std::string>(),
                     v["clients"].get<unsigned>(), v["socket"].get<std::string>());
}

} // namespace

int main(int argc, char** argv) {
    std::vector<std::string_view> args(argv + 1, argv + argc);
    if (args.empty()) usage_error("no command given");
    const std::string_view command = args[0];
    const bool as_json = args.size() == 2 && args[1] == "--json";

    if (command == "windows" || command == "vms") {
        if (args.size() > 2 || (args.size() == 2 && !as_json))
            usage_error(std::format("unexpected argument \"{}\"", args.back()));
        const json reply = call({{"command", command}});
        const json& list = reply[std::string(command)];
        if (as_json) std::println("{}", list.dump(2));
        else if (command == "windows") print_windows(list);
        else print_vms(list);
        return 0;
    }
    if (command == "outputs") {
        if (args.size() > 2 || (args.size() == 2 && !as_json))
            usage_error(std::format("unexpected argument \"{}\"", args.back()));
        const json reply = call({{"command", "outputs"}});
        if (as_json) {
            std::println("{}", reply["outputs"].dump(2));
        } else {
            for (const auto& o : reply["outputs"])
                std::println("{} {}x{}+{}+{} scale {}", o["name"].get<std::string>(), o["width"].get<int>(),
                             o["height"].get<int>(), o["x"].get<int>(), o["y"].get<int>(), o["scale"].get<double>());
        }
        return 0;
    }
    if (command == "output") {
        if (args.size() == 3 && args[1] == "add") {
            int width = 0, height = 0;
            if (std::sscanf(std::string(args[2]).c_str(), "%dx%d", &width, &height) != 2)
                usage_error(std::format("\"{}\" is not WIDTHxHEIGHT", args[2]));
            const json reply = call({{"command", "output-add"}, {"width", width}, {"height", height}});
            std::println("{}", reply["name"].get<std::string>());
            return 0;
        }
        if (args.size() == 3 && args[1] == "remove") {
            call({{"command", "output-remove"}, {"name", args[2]}});
            return 0;
        }
        usage_error("output takes \"add WIDTHxHEIGHT\" or \"remove NAME\"");
    }
    if (command == "focus" || command == "close") {
        if (args.size() != 2) usage_error(std::format("{} takes one window id", command));
        call({{"command", command}, {"id", parse_id(args[1])}});
        return 0;
    }
    if (command == "quit" || command == "reload") {
        if (args.size() != 1) usage_error(std::format("{} takes no arguments", command));
        call({{"command", command}});
        return 0;
    }
    usage_error(std::format("unknown command \"{}\"", command));
}
