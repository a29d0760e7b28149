#include "supervisor.hpp"

#include <format>
#include <print>

namespace spectrum::vmbridge {

using nlohmann::json;

namespace {

constexpr std::size_t kDefaultLogLines = 50;
constexpr std::size_t kMaxLogLines = 5000;

json failure(const std::string& message) {
    return {{"ok", false}, {"error", message}};
}

} // namespace

json status_json(const VmRunner::Status& s) {
    return {
        {"name", s.name},
        {"state", s.state},
        {"hypervisor", s.hypervisor},
        {"pid", s.pid ? json(*s.pid) : json(nullptr)},
        {"uptime", s.uptime_seconds ? json(*s.uptime_seconds) : json(nullptr)},
        {"restarts", s.restarts},
        {"detail", s.detail},
        {"log", s.log},
    };
}

std::expected<void, std::string> Supervisor::listen(const std::filesystem::path& socket) {
    auto server = ControlServer::create(loop_, socket, [this](const json& request, ControlServer::Respond respond) {
        handle(request, std::move(respond));
    });
    if (!server) return std::unexpected(server.error());
    control_ = std::move(*server);
    return {};
}

void Supervisor::autostart(const config::Config& config) {
    for (const auto& vm : config.vms) {
        if (!vm.autostart) continue;
        auto it = runners_.find(vm.name);
        if (it == runners_.end()) continue;
        if (auto started = it->second->start(/*wait_for_compositor=*/true); !started)
            std::println(stderr, "spectrum-vmbridge: autostart: {}", started.error());
    }
}

VmRunner* Supervisor::find(const json& request, std::string& error) {
    if (!request.contains("name") || !request["name"].is_string()) {
        error = "a VM name is required";
        return nullptr;
    }
    const std::string name = request["name"];
    auto it = runners_.find(name);
    if (it == runners_.end()) {
        error = std::format("no VM named \"{}\" in the config", name);
        return nullptr;
    }
    return it->second.get();
}

void Supervisor::handle(const json& request, ControlServer::Respond respond) {
    const std::string command = request["command"];
    if (command == "list") {
        json vms = json::array();
        for (const auto& [name, runner] : runners_)
            vms.push_back(status_json(runner->status()));
        respond({{"ok", true}, {"vms", vms}});
        return;
    }
    if (command != "start" && command != "stop" && command != "logs") {
        respond(failure(std::format("unknown command \"{}\"", command)));
        return;
    }
    std::string error;
    VmRunner* runner = find(request, error);
    if (!runner) {
        respond(failure(error));
        return;
    }
    if (command == "start") {
        if (shutting_down_) {
            respond(failure("the supervisor is shutting down"));
            return;
        }
        if (auto started = runner->start(); !started) {
            respond(failure(started.error()));
            return;
        }
        respond({{"ok", true}, {"vm", status_json(runner->status())}});
    } else if (command == "stop") {
        runner->stop([runner, respond] { respond({{"ok", true}, {"vm", status_json(runner->status())}}); });
    } else {
        std::size_t lines = kDefaultLogLines;
        if (request.contains("lines") && request["lines"].is_number_unsigned())
            lines = std::min<std::size_t>(request["lines"].get<std::size_t>(), kMaxLogLines);
        respond({{"ok", true}, {"path", runner->log().path().string()}, {"log", runner->log().tail(lines)}});
    }
}

void Supervisor::stop_loop_when_all_down() {
    for (const auto& [name, runner] : runners_)
        if (!runner->down()) return;
    loop_.stop();
}

void Supervisor::shut_down() {
    if (shutting_down_) {
        for (auto& [name, runner] : runners_)
            runner->force_stop();
        return;
    }
    shutting_down_ = true;
    for (auto& [name, runner] : runners_)
        runner->stop([this] { stop_loop_when_all_down(); });
    stop_loop_when_all_down();
}

} // namespace spectrum::vmbridge
