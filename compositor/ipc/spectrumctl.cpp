// spectrumctl: talk to the running compositor (and the VM supervisor) over their control sockets.
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <csignal>
#include <fcntl.h>
#include <sys/wait.h>
#include <format>
#include <optional>
#include <print>
#include <string>
#include <string_view>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <vector>

#include "ctl_client.hpp"
#include "log_text.hpp"

namespace {

using nlohmann::json;
using namespace spectrum::ctl;

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

// What the clipboard holds — never what it contains: the compositor does not say.
void print_clipboard(const json& c) {
    std::println("state:  {}", c["state"].get<std::string>());
    if (!c["source"].is_null()) {
        std::println("source: {}", c["source"].get<std::string>());
        std::println("bytes:  {}", c["bytes"].get<std::uint64_t>());
        std::string types;
        for (const auto& type : c["types"]) types += (types.empty() ? "" : ", ") + type.get<std::string>();
        std::println("types:  {}", types);
    }
    if (c.contains("target")) std::println("target: {} (waiting for Enter or Escape)", c["target"].get<std::string>());
    if (!c["last"].is_null()) std::println("last:   {}", c["last"]["text"].get<std::string>());
}

std::string format_uptime(const json& seconds) {
    if (!seconds.is_number()) return "-";
    const auto s = static_cast<long>(seconds.get<double>());
    if (s < 3600) return std::format("{}:{:02}", s / 60, s % 60);
    return std::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
}

int run_vm(const std::vector<std::string_view>& args) {
    const std::string_view sub = args.size() > 1 ? args[1] : "";
    if (sub == "list") {
        const bool as_json = args.size() == 3 && args[2] == "--json";
        if (args.size() > 3 || (args.size() == 3 && !as_json))
            usage_error(std::format("unexpected argument \"{}\"", args.back()));
        const json reply = call_vmbridge({{"command", "list"}});
        if (as_json) {
            std::println("{}", reply["vms"].dump(2));
            return 0;
        }
        std::println("{:<16} {:<12} {:<16} {:<8} {:<9} {:<8} {}", "NAME", "STATE", "HYPERVISOR", "PID", "UPTIME",
                     "RESTARTS", "DETAIL");
        // DETAIL and the rest are shown, never obeyed: no control character reaches the terminal.
        for (const auto& v : reply["vms"])
            std::println("{:<16} {:<12} {:<16} {:<8} {:<9} {:<8} {}", v["name"].get<std::string>(),
                         v["state"].get<std::string>(), v["hypervisor"].get<std::string>(),
                         v["pid"].is_number() ? std::to_string(v["pid"].get<int>()) : "-", format_uptime(v["uptime"]),
                         v["restarts"].get<int>(),
                         spectrum::vmbridge::printable_log_text(v["detail"].get<std::string>()));
        return 0;
    }
    if (sub == "start" || sub == "stop") {
        if (args.size() != 3) usage_error(std::format("vm {} takes one VM name", sub));
        const json reply = call_vmbridge({{"command", sub}, {"name", args[2]}});
        std::println("{}: {}", reply["vm"]["name"].get<std::string>(), reply["vm"]["state"].get<std::string>());
        return 0;
    }
    if (sub == "logs") {
        if (args.size() != 3 && args.size() != 4) usage_error("vm logs takes a VM name and optionally a line count");
        json request = {{"command", "logs"}, {"name", args[2]}};
        if (args.size() == 4) {
            const std::string count(args[3]);
            if (count.empty() || count.size() > 6 || count.find_first_not_of("0123456789") != std::string::npos)
                usage_error(std::format("\"{}\" is not a line count", count));
            request["lines"] = std::stoul(count);
        }
        // A guest's console output: escape sequences shown as text, never sent to the
        // terminal (an OSC 52 would set the clipboard), whatever the supervisor sent.
        std::print("{}", spectrum::vmbridge::printable_log_text(call_vmbridge(request)["log"].get<std::string>()));
        return 0;
    }
    usage_error("vm takes list, start NAME, stop NAME or logs NAME");
}

// `spectrumctl image list [--json]`, `spectrumctl image build NAME…`: spectrum-image does the
// work, with the config it finds as the compositor does (or --config, passed on).
[[noreturn]] void run_image(const std::vector<std::string_view>& args) {
    const std::string_view sub = args.size() >= 2 ? args[1] : "";
    if (sub != "list" && sub != "build") usage_error("image takes list [--json] or build NAME");
    if (sub == "build" && args.size() < 3) usage_error("image build takes an image name");
    // SPECTRUM_IMAGE (the tests' build tree), else beside this program, else on PATH.
    std::string program = "spectrum-image";
    if (const char* path = std::getenv("SPECTRUM_IMAGE"); path && *path) {
        program = path;
    } else {
        char self[4096];
        const ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
        if (n > 0) {
            std::string beside(self, static_cast<std::size_t>(n));
            beside = beside.substr(0, beside.rfind('/') + 1) + "spectrum-image";
            if (access(beside.c_str(), X_OK) == 0) program = beside;
        }
    }
    std::vector<std::string> owned{program};
    for (std::size_t i = 1; i < args.size(); ++i)
        owned.emplace_back(args[i]);
    std::vector<char*> argv;
    for (auto& arg : owned)
        argv.push_back(arg.data());
    argv.push_back(nullptr);
    execvp(argv[0], argv.data());
    std::println(stderr, "spectrumctl: cannot run {}: {}", program, std::strerror(errno));
    std::exit(1);
}

// launch: the VMs and apps of the running config, one "[label] app" line each (the label
// the VM's title bars show); the same line given back (by a menu) starts that VM with that
// app. The supervisor checks the app against its config: nothing here is a command line
// that anything runs.
struct LaunchEntry {
    std::string vm, label, app;
    std::string line() const { return std::format("[{}] {}", label, app); }
};

std::vector<LaunchEntry> launch_entries() {
    std::vector<LaunchEntry> entries;
    const json reply = call({{"command", "vms"}}); // kept: the loop reads into it
    for (const auto& v : reply["vms"]) {
        if (!v.contains("apps")) continue;
        for (const auto& app : v["apps"])
            entries.push_back({v["name"].get<std::string>(), v["label"].get<std::string>(), app.get<std::string>()});
    }
    return entries;
}

int launch(const std::string& vm, const std::string& app) {
    json request = {{"command", "start"}, {"name", vm}};
    if (!app.empty()) request["app"] = app;
    const json reply = call_vmbridge(request);
    std::println("{}: {}", reply["vm"]["name"].get<std::string>(), reply["vm"]["state"].get<std::string>());
    return 0;
}

int launch_entry(std::string_view line) {
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
    if (line.empty()) return 0; // the menu was left without a choice
    const LaunchEntry* found = nullptr;
    const auto entries = launch_entries();
    for (const auto& entry : entries) {
        if (entry.line() != line) continue;
        // Two VMs with one label and one app: the line cannot say which is meant.
        if (found) fail(std::format("\"{}\" is the entry of VMs {} and {}; use launch VM APP", line, found->vm, entry.vm));
        found = &entry;
    }
    if (!found) fail(std::format("\"{}\" is not an entry of spectrumctl launch --list", line));
    return launch(found->vm, found->app);
}

// --menu: the list through `fuzzel --dmenu` (no shell: nothing in the config is ever parsed
// as a command line here), then the chosen entry.
int launch_menu() {
    std::string list;
    for (const auto& entry : launch_entries()) list += entry.line() + "\n";
    int to_menu[2], from_menu[2];
    if (pipe2(to_menu, O_CLOEXEC) != 0 || pipe2(from_menu, O_CLOEXEC) != 0) fail("cannot create a pipe");
    const pid_t pid = fork();
    if (pid < 0) fail("cannot fork");
    if (pid == 0) {
        dup2(to_menu[0], 0);
        dup2(from_menu[1], 1);
        execlp("fuzzel", "fuzzel", "--dmenu", "--prompt", "launch: ", static_cast<char*>(nullptr));
        std::fprintf(stderr, "spectrumctl: cannot run fuzzel: %s\n", std::strerror(errno));
        _exit(127);
    }
    close(to_menu[0]);
    close(from_menu[1]);
    signal(SIGPIPE, SIG_IGN);
    for (std::size_t done = 0; done < list.size();) {
        const ssize_t n = write(to_menu[1], list.data() + done, list.size() - done);
        if (n <= 0) break;
        done += static_cast<std::size_t>(n);
    }
    close(to_menu[1]);
    std::string choice;
    char buffer[4096];
    for (ssize_t n; (n = read(from_menu[0], buffer, sizeof buffer)) != 0;) {
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 || choice.size() > 65536) break;
        choice.append(buffer, static_cast<std::size_t>(n));
    }
    close(from_menu[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return 0; // Escape: nothing chosen
    return launch_entry(choice);
}

int run_launch(const std::vector<std::string_view>& args) {
    if (args.size() == 2 && args[1] == "--list") {
        for (const auto& entry : launch_entries()) std::println("{}", entry.line());
        return 0;
    }
    if (args.size() == 2 && args[1] == "--menu") return launch_menu();
    if (args.size() == 3 && args[1] == "--entry") return launch_entry(args[2]);
    if ((args.size() == 2 || args.size() == 3) && !args[1].starts_with("-"))
        return launch(std::string(args[1]), args.size() == 3 ? std::string(args[2]) : std::string());
    usage_error("launch takes VM [APP], --list, --menu or --entry \"[VM] APP\"");
}

} // namespace

int main(int argc, char** argv) {
    std::vector<std::string_view> args(argv + 1, argv + argc);
    if (args.empty()) usage_error("no command given");
    const std::string_view command = args[0];
    if (command == "image") run_image(args);
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
    if (command == "vm") return run_vm(args);
    if (command == "launch") return run_launch(args);
    if (command == "backup") return run_backup(args);
    if (command == "restore") return run_restore(args);
    if (command == "clipboard") {
        const bool as_json = args.size() == 2 && args[1] == "--json";
        if (args.size() > 2 || (args.size() == 2 && !as_json))
            usage_error(std::format("unexpected argument \"{}\"", args.back()));
        const json reply = call({{"command", "clipboard"}});
        if (as_json) std::println("{}", reply["clipboard"].dump(2));
        else print_clipboard(reply["clipboard"]);
        return 0;
    }
    usage_error(std::format("unknown command \"{}\"", command));
}
