#include "driver.hpp"

#include <thread>

namespace spectrum::vmbridge::ch {

namespace {

bool is_http(const ApiError& error, long status) {
    return error.kind == ApiError::Kind::Http && error.status == status;
}

// The VMM process is gone or going: nothing listens, or it closed the connection mid-call.
bool vmm_gone(const ApiError& error) {
    return error.kind == ApiError::Kind::Unreachable || error.kind == ApiError::Kind::Transport;
}

std::expected<nlohmann::json, ApiError> parse_json(const Request& request, const Response& response,
                                                   const std::string& socket) {
    auto parsed = nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
    if (parsed.is_discarded() || !parsed.is_object()) {
        ApiError e;
        e.kind = ApiError::Kind::BadReply;
        e.operation = request.operation;
        e.socket = socket;
        e.detail = "not a JSON object";
        return std::unexpected(std::move(e));
    }
    return parsed;
}

} // namespace

Driver::Driver(Client& client, DriverOptions options) : client_(client), options_(options) {}

std::expected<std::string, ApiError> Driver::ping() {
    auto request = requests::vmm_ping();
    auto response = client_.send(request);
    if (!response) return std::unexpected(response.error());
    auto reply = parse_json(request, *response, client_.options().socket.string());
    if (!reply) return std::unexpected(reply.error());
    return reply->value("version", std::string{});
}

std::expected<void, ApiError> Driver::start(const VmSpec& spec) {
    if (auto created = client_.send(requests::vm_create(spec)); !created)
        return std::unexpected(created.error());
    if (auto booted = client_.send(requests::vm_boot()); !booted) {
        // Best effort: the boot error is what the user needs to see, not a delete error.
        (void)client_.send(requests::vm_delete());
        return std::unexpected(booted.error());
    }
    return {};
}

std::expected<VmInfo, ApiError> Driver::info() {
    auto request = requests::vm_info();
    auto response = client_.send(request);
    if (!response) return std::unexpected(response.error());
    auto reply = parse_json(request, *response, client_.options().socket.string());
    if (!reply) return std::unexpected(reply.error());
    auto state = reply->find("state");
    if (state == reply->end() || !state->is_string()) {
        ApiError e;
        e.kind = ApiError::Kind::BadReply;
        e.operation = request.operation;
        e.socket = client_.options().socket.string();
        e.detail = "no \"state\" string";
        return std::unexpected(std::move(e));
    }
    return VmInfo{state->get<std::string>(), std::move(*reply)};
}

std::expected<StopOutcome, ApiError> Driver::stop() {
    auto current = info();
    if (!current) {
        if (is_http(current.error(), 404)) return StopOutcome::NotCreated;
        return std::unexpected(current.error());
    }

    auto outcome = StopOutcome::WasNotRunning;
    if (current->state == "Running") {
        outcome = StopOutcome::GuestPoweredOff;
        if (auto pressed = client_.send(requests::vm_power_button()); !pressed) {
            if (vmm_gone(pressed.error())) return StopOutcome::VmmExited;
            // 405: the guest stopped between info and the button; anything else is an error.
            if (!is_http(pressed.error(), 405)) return std::unexpected(pressed.error());
        }
        auto deadline = std::chrono::steady_clock::now() + options_.power_off_grace;
        bool running = true;
        for (;;) {
            auto polled = info();
            if (!polled) {
                if (vmm_gone(polled.error())) return StopOutcome::VmmExited;
                return std::unexpected(polled.error());
            }
            running = polled->state == "Running";
            if (!running || std::chrono::steady_clock::now() >= deadline) break;
            std::this_thread::sleep_for(options_.poll_interval);
        }
        if (running) {
            auto forced = client_.send(requests::vm_shutdown());
            if (!forced && !is_http(forced.error(), 405)) return std::unexpected(forced.error());
            outcome = StopOutcome::ForcedShutdown;
        }
    }

    if (auto deleted = client_.send(requests::vm_delete()); !deleted)
        return std::unexpected(deleted.error());
    return outcome;
}

std::expected<void, ApiError> Driver::shutdown_vmm() {
    auto done = client_.send(requests::vmm_shutdown());
    if (!done && done.error().kind != ApiError::Kind::Unreachable)
        return std::unexpected(done.error());
    return {};
}

} // namespace spectrum::vmbridge::ch
