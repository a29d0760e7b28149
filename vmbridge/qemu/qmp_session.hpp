// The QEMU Machine Protocol as a state machine over bytes: no sockets here, so every
// exchange is tested by feeding it text. QMP sends one JSON object per line: a greeting,
// then replies ({"return": …} or {"error": …}, matched by "id") and events ({"event": …}).
// Commands wait until capabilities negotiation (qmp_capabilities) has finished.
#pragma once

#include <cstdint>
#include <deque>
#include <expected>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace spectrum::vmbridge::qemu {

struct QmpError {
    std::string error_class; // QMP's "class", e.g. "CommandNotFound"; empty for local errors
    std::string description;
};

class QmpSession {
  public:
    enum class Phase { Greeting, Negotiating, Ready, Failed };
    using Reply = std::expected<nlohmann::json, QmpError>; // the "return" value
    using ReplyCallback = std::function<void(const Reply&)>;

    // Lines longer than this are a broken or hostile peer, not worth buffering.
    static constexpr std::size_t kMaxLine = 1u << 20;

    std::function<void()> on_ready;
    std::function<void(const nlohmann::json& event)> on_event; // the whole event object
    std::function<void(const std::string& why)> on_failure;

    // Bytes read from QEMU.
    void feed(std::string_view bytes);
    // Bytes to write to QEMU; cleared by taking them.
    std::string take_output();
    bool has_output() const { return !output_.empty(); }

    // Queues `command`; sent once negotiation is done. The callback runs once, with the
    // reply, or with an error if the session fails or closes first.
    void execute(std::string command, nlohmann::json arguments = nullptr, ReplyCallback done = {});

    // The connection ended: every pending callback gets an error.
    void close(const std::string& why);

    Phase phase() const { return phase_; }
    const nlohmann::json& version() const { return version_; } // from the greeting

  private:
    struct Pending {
        std::string command;
        nlohmann::json arguments;
        ReplyCallback done;
    };
    void handle_line(std::string_view line);
    void handle_reply(const nlohmann::json& message);
    void send(const std::string& id, const std::string& command, const nlohmann::json& arguments);
    void fail(const std::string& why);

    Phase phase_ = Phase::Greeting;
    std::string input_, output_;
    std::uint64_t next_id_ = 1;
    std::deque<Pending> queued_;                   // waiting for Ready
    std::map<std::string, ReplyCallback> waiting_; // sent, by id
    nlohmann::json version_;
};

} // namespace spectrum::vmbridge::qemu
