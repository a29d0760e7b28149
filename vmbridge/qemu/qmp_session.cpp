#include "qmp_session.hpp"

#include <format>

namespace spectrum::vmbridge::qemu {

using nlohmann::json;

namespace {
constexpr std::string_view kNegotiationId = "negotiate";
} // namespace

void QmpSession::feed(std::string_view bytes) {
    if (phase_ == Phase::Failed) return;
    input_.append(bytes);
    std::size_t start = 0;
    for (auto end = input_.find('\n', start); end != std::string::npos;
         end = input_.find('\n', start)) {
        std::string_view line(input_.data() + start, end - start);
        start = end + 1;
        try {
            handle_line(line);
        } catch (const nlohmann::json::exception& e) {
            // A field of an unexpected type ({"error": 1}, an event's "data" that is not an
            // object): a protocol error that ends this session, never the supervisor.
            fail(std::format("QEMU sent a QMP message of an unexpected shape ({})", e.what()));
        }
        if (phase_ == Phase::Failed) return;
    }
    input_.erase(0, start);
    if (input_.size() > kMaxLine) fail(std::format("QMP line longer than {} bytes", kMaxLine));
}

std::string QmpSession::take_output() {
    return std::exchange(output_, {});
}

void QmpSession::execute(std::string command, json arguments, ReplyCallback done) {
    if (phase_ == Phase::Failed) {
        if (done) done(std::unexpected(QmpError{{}, "the QMP connection has failed"}));
        return;
    }
    if (phase_ != Phase::Ready) {
        queued_.push_back({std::move(command), std::move(arguments), std::move(done)});
        return;
    }
    const std::string id = std::format("spectrum-{}", next_id_++);
    send(id, command, arguments);
    waiting_.emplace(id, std::move(done));
}

void QmpSession::close(const std::string& why) {
    if (phase_ != Phase::Failed) fail(why);
}

void QmpSession::send(const std::string& id, const std::string& command, const json& arguments) {
    json message = {{"execute", command}, {"id", id}};
    if (!arguments.is_null()) message["arguments"] = arguments;
    output_ += message.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    output_ += "\r\n";
}

void QmpSession::handle_line(std::string_view line) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
    if (line.empty()) return;
    const json message = json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (message.is_discarded() || !message.is_object()) {
        fail("QEMU sent a QMP line that is not a JSON object");
        return;
    }
    switch (phase_) {
    case Phase::Greeting:
        if (!message.contains("QMP") || !message["QMP"].is_object()) {
            fail("QEMU did not greet with {\"QMP\": …}; is this a QMP socket?");
            return;
        }
        version_ = message["QMP"].value("version", json::object());
        phase_ = Phase::Negotiating;
        send(std::string(kNegotiationId), "qmp_capabilities", nullptr);
        return;
    case Phase::Negotiating:
        if (message.contains("event")) break;
        if (message.value("id", json()) != kNegotiationId) {
            fail("unexpected QMP reply during capabilities negotiation");
            return;
        }
        if (message.contains("error")) {
            fail(std::format("qmp_capabilities failed: {}",
                             message["error"].value("desc", std::string("no description"))));
            return;
        }
        phase_ = Phase::Ready;
        while (!queued_.empty() && phase_ == Phase::Ready) {
            Pending next = std::move(queued_.front());
            queued_.pop_front();
            execute(std::move(next.command), std::move(next.arguments), std::move(next.done));
        }
        if (on_ready) on_ready();
        return;
    case Phase::Ready:
        break;
    case Phase::Failed:
        return;
    }
    if (message.contains("event")) {
        if (on_event) on_event(message);
        return;
    }
    handle_reply(message);
}

void QmpSession::handle_reply(const json& message) {
    const json id = message.value("id", json());
    auto it = id.is_string() ? waiting_.find(id.get<std::string>()) : waiting_.end();
    if (it == waiting_.end()) return; // a reply nobody waits for (e.g. after a timeout)
    auto done = std::move(it->second);
    waiting_.erase(it);
    if (!done) return;
    if (message.contains("return")) {
        done(message["return"]);
        return;
    }
    const json error = message.value("error", json::object());
    done(std::unexpected(QmpError{error.value("class", std::string{}),
                                  error.value("desc", std::string("QMP error without description"))}));
}

void QmpSession::fail(const std::string& why) {
    phase_ = Phase::Failed;
    // Taken out first: a callback may execute() again or destroy the owner.
    auto queued = std::move(queued_);
    auto waiting = std::move(waiting_);
    queued_.clear();
    waiting_.clear();
    const QmpError error{{}, why};
    for (auto& pending : queued)
        if (pending.done) pending.done(std::unexpected(error));
    for (auto& [id, done] : waiting)
        if (done) done(std::unexpected(error));
    if (on_failure) on_failure(why);
}

} // namespace spectrum::vmbridge::qemu
