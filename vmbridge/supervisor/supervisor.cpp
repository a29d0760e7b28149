#include "supervisor.hpp"

#include <format>
#include <print>

namespace spectrum::vmbridge {

using nlohmann::json;

namespace {

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
    auto server = ControlServer::create(loop_, socket, [this](const ControlRequest& request, ControlServer::Respond respond) {
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

VmRunner* Supervisor::find(const std::string& name, std::string& error) {
    auto it = runners_.find(name);
    if (it == runners_.end()) {
        error = std::format("no VM named \"{}\" in the config", name);
        return nullptr;
    }
    return it->second.get();
}

void Supervisor::handle(const ControlRequest& request, ControlServer::Respond respond) {
    using Command = ControlRequest::Command;
    const Command command = request.command;
    if (command == Command::List) {
        json vms = json::array();
        for (const auto& [name, runner] : runners_)
            vms.push_back(status_json(runner->status()));
        respond({{"ok", true}, {"vms", vms}});
        return;
    }
    std::string error;
    VmRunner* runner = find(request.name, error);
    if (!runner) {
        respond(failure(error));
        return;
    }
    if (command == Command::Start) {
        if (shutting_down_) {
            respond(failure("the supervisor is shutting down"));
            return;
        }
        if (auto started = runner->start(false, request.app); !started) {
            respond(failure(started.error()));
            return;
        }
        respond({{"ok", true}, {"vm", status_json(runner->status())}});
    } else if (command == Command::Stop) {
        runner->stop([runner, respond] { respond({{"ok", true}, {"vm", status_json(runner->status())}}); });
    } else {
        const std::size_t lines = request.lines; // checked and capped by parse_control_request
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
