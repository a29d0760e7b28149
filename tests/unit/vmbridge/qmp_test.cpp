// QMP: the session state machine fed by hand, then the client on the event loop against a
// small fake QEMU monitor on a real Unix socket.
#include "event_loop.hpp"
#include "qemu_boot.hpp"
#include "qmp_client.hpp"
#include "qmp_session.hpp"

#include <cstring>
#include <filesystem>
#include <gtest/gtest.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace spectrum::vmbridge::qemu {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr std::string_view kGreeting =
    R"({"QMP": {"version": {"qemu": {"micro": 13, "minor": 0, "major": 10}, "package": ""}, "capabilities": ["oob"]}})"
    "\r\n";

std::vector<json> sent_messages(QmpSession& session) {
    std::vector<json> out;
    std::string text = session.take_output();
    for (std::size_t start = 0, end; (end = text.find("\r\n", start)) != std::string::npos; start = end + 2)
        out.push_back(json::parse(text.substr(start, end - start)));
    return out;
}

TEST(QmpSession, NegotiatesThenSendsQueuedCommands) {
    QmpSession session;
    bool ready = false;
    session.on_ready = [&] { ready = true; };
    std::optional<QmpSession::Reply> status;
    session.execute("query-status", nullptr, [&](const QmpSession::Reply& r) { status = r; });
    EXPECT_FALSE(session.has_output()) << "nothing goes out before the greeting";

    session.feed(kGreeting);
    auto out = sent_messages(session);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0]["execute"], "qmp_capabilities");
    EXPECT_EQ(session.phase(), QmpSession::Phase::Negotiating);
    EXPECT_EQ(session.version()["qemu"]["major"], 10);

    session.feed(R"({"return": {}, "id": ")" + out[0]["id"].get<std::string>() + "\"}\r\n");
    EXPECT_TRUE(ready);
    EXPECT_EQ(session.phase(), QmpSession::Phase::Ready);
    out = sent_messages(session);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0]["execute"], "query-status");
    EXPECT_FALSE(out[0].contains("arguments"));

    // Split across reads, with an event in between.
    const std::string id = out[0]["id"];
    std::vector<std::string> events;
    session.on_event = [&](const json& e) { events.push_back(e["event"]); };
    session.feed(R"({"event": "RESUME", "timestamp": {"seconds": 1, "microseconds": 2}})"
                 "\r\n{\"return\": {\"status\": \"run");
    EXPECT_FALSE(status);
    session.feed("ning\", \"running\": true}, \"id\": \"" + id + "\"}\r\n");
    ASSERT_TRUE(status);
    ASSERT_TRUE(status->has_value());
    EXPECT_EQ((**status)["status"], "running");
    EXPECT_EQ(events, std::vector<std::string>{"RESUME"});
}

TEST(QmpSession, ErrorRepliesCarryClassAndDescription) {
    QmpSession session;
    session.feed(kGreeting);
    auto negotiation = sent_messages(session);
    session.feed(R"({"return": {}, "id": "negotiate"})" "\n");
    std::optional<QmpSession::Reply> reply;
    session.execute("no-such-command", json{{"x", 1}}, [&](const QmpSession::Reply& r) { reply = r; });
    auto out = sent_messages(session);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0]["arguments"], (json{{"x", 1}}));
    session.feed(R"({"error": {"class": "CommandNotFound", "desc": "The command no-such-command has not been found"}, "id": ")" +
                 out[0]["id"].get<std::string>() + "\"}\n");
    ASSERT_TRUE(reply);
    ASSERT_FALSE(reply->has_value());
    EXPECT_EQ(reply->error().error_class, "CommandNotFound");
    EXPECT_EQ(reply->error().description, "The command no-such-command has not been found");
}

TEST(QmpSession, NotQmpFailsAndPendingCallbacksHearOfIt) {
    QmpSession session;
    std::string failure;
    session.on_failure = [&](const std::string& why) { failure = why; };
    std::optional<QmpSession::Reply> reply;
    session.execute("quit", nullptr, [&](const QmpSession::Reply& r) { reply = r; });
    session.feed("HTTP/1.1 400 Bad Request\r\n");
    EXPECT_EQ(session.phase(), QmpSession::Phase::Failed);
    EXPECT_NE(failure.find("not a JSON object"), std::string::npos) << failure;
    ASSERT_TRUE(reply);
    EXPECT_FALSE(reply->has_value());

    QmpSession other;
    other.feed(R"({"hello": 1})" "\n");
    EXPECT_EQ(other.phase(), QmpSession::Phase::Failed);
}

TEST(QmpSession, FieldsOfTheWrongTypeFailTheSessionWithoutThrowing) {
    // Each was an uncaught nlohmann::json::type_error out of the supervisor's event loop.
    const std::vector<std::vector<std::string>> conversations = {
        {R"({"QMP": {"version": 1}})" "\n", R"({"id": "negotiate", "error": 1})" "\n"},
        {std::string(kGreeting), R"({"id": "negotiate", "error": {"desc": 7}})" "\n"},
        {std::string(kGreeting), R"({"return": {}, "id": "negotiate"})" "\n", R"({"id": "spectrum-1", "error": []})" "\n"},
    };
    for (const auto& lines : conversations) {
        QmpSession session;
        std::string failure;
        session.on_failure = [&](const std::string& why) { failure = why; };
        session.execute("quit", nullptr, [](const QmpSession::Reply&) {});
        for (const auto& line : lines) EXPECT_NO_THROW(session.feed(line)) << line;
        EXPECT_EQ(session.phase(), QmpSession::Phase::Failed) << lines.back();
        EXPECT_FALSE(failure.empty());
    }
}

TEST(QmpSession, EndlessLineIsRefused) {
    QmpSession session;
    session.feed(std::string(QmpSession::kMaxLine + 1, 'x'));
    EXPECT_EQ(session.phase(), QmpSession::Phase::Failed);
}

TEST(QmpSession, CloseFailsWhatIsWaiting) {
    QmpSession session;
    session.feed(kGreeting);
    session.feed(R"({"return": {}, "id": "negotiate"})" "\n");
    std::optional<QmpSession::Reply> reply;
    session.execute("system_powerdown", nullptr, [&](const QmpSession::Reply& r) { reply = r; });
    session.close("QEMU closed the QMP connection");
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->error().description, "QEMU closed the QMP connection");
}

// A QEMU monitor that answers like QEMU 10 does, one client at a time.
class FakeQmpServer {
  public:
    FakeQmpServer(EventLoop& loop, std::filesystem::path path) : loop_(loop), path_(std::move(path)) {
        listen_fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::strncpy(addr.sun_path, path_.c_str(), sizeof addr.sun_path - 1);
        ok_ = bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 && listen(listen_fd_, 1) == 0;
        listen_watch_ = loop_.watch(listen_fd_, EPOLLIN, [this](std::uint32_t) { accept_one(); });
    }
    ~FakeQmpServer() {
        loop_.unwatch(listen_watch_);
        hang_up();
        close(listen_fd_);
    }
    bool ok() const { return ok_; }
    void hang_up() {
        if (client_fd_ < 0) return;
        loop_.unwatch(client_watch_);
        close(client_fd_);
        client_fd_ = -1;
    }
    void send_line(const std::string& line) { (void)!write(client_fd_, (line + "\r\n").data(), line.size() + 2); }

    std::vector<std::string> commands;

  private:
    void accept_one() {
        client_fd_ = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (client_fd_ < 0) return;
        client_watch_ = loop_.watch(client_fd_, EPOLLIN, [this](std::uint32_t) { read_commands(); });
        send_line(std::string(kGreeting.substr(0, kGreeting.size() - 2)));
    }
    void read_commands() {
        char buffer[4096];
        const ssize_t n = read(client_fd_, buffer, sizeof buffer);
        if (n <= 0) {
            hang_up();
            return;
        }
        input_.append(buffer, static_cast<std::size_t>(n));
        for (auto end = input_.find('\n'); end != std::string::npos; end = input_.find('\n')) {
            const json request = json::parse(input_.substr(0, end));
            input_.erase(0, end + 1);
            const std::string command = request["execute"];
            commands.push_back(command);
            json reply = {{"id", request["id"]}, {"return", json::object()}};
            if (command == "query-status") reply["return"] = {{"status", "running"}, {"running", true}};
            else if (command != "qmp_capabilities" && command != "system_powerdown" && command != "quit")
                reply = {{"id", request["id"]},
                         {"error", {{"class", "CommandNotFound"}, {"desc", "The command " + command + " has not been found"}}}};
            send_line(reply.dump());
            if (command == "system_powerdown") send_line(R"({"event": "POWERDOWN", "timestamp": {"seconds": 0, "microseconds": 0}})");
            if (command == "quit") {
                send_line(R"({"event": "SHUTDOWN", "data": {"guest": false, "reason": "host-qmp-quit"}, "timestamp": {"seconds": 0, "microseconds": 0}})");
                hang_up();
                return;
            }
        }
    }

    EventLoop& loop_;
    std::filesystem::path path_;
    int listen_fd_ = -1, client_fd_ = -1;
    EventLoop::WatchId listen_watch_ = 0, client_watch_ = 0;
    std::string input_;
    bool ok_ = false;
};

class QmpOverSocket : public ::testing::Test {
  protected:
    void SetUp() override {
        std::string pattern = (std::filesystem::temp_directory_path() / "spectrum-qmp-XXXXXX").string();
        ASSERT_NE(mkdtemp(pattern.data()), nullptr);
        dir = pattern;
    }
    void TearDown() override { std::filesystem::remove_all(dir); }
    std::filesystem::path dir;
    EventLoop loop;
};

TEST_F(QmpOverSocket, NoSocketYetIsAnErrorToRetry) {
    auto client = QmpClient::connect(loop, (dir / "qmp.sock").string());
    ASSERT_FALSE(client);
    EXPECT_EQ(client.error(), "No such file or directory");
}

TEST_F(QmpOverSocket, CommandsEventsAndHangUp) {
    FakeQmpServer server(loop, dir / "qmp.sock");
    ASSERT_TRUE(server.ok());
    auto connected = QmpClient::connect(loop, (dir / "qmp.sock").string());
    ASSERT_TRUE(connected) << connected.error();
    auto& client = **connected;
    std::vector<std::string> events;
    std::string failure;
    client.session().on_event = [&](const json& e) { events.push_back(e["event"]); };
    client.session().on_failure = [&](const std::string& why) { failure = why; };

    std::optional<QmpSession::Reply> status, missing;
    client.session().execute("query-status", nullptr, [&](const QmpSession::Reply& r) { status = r; });
    client.session().execute("frobnicate", nullptr, [&](const QmpSession::Reply& r) { missing = r; });
    client.flush();
    ASSERT_TRUE(loop.run_until([&] { return status && missing; }, 5s));
    ASSERT_TRUE(status->has_value());
    EXPECT_EQ((**status)["status"], "running");
    EXPECT_EQ(missing->error().error_class, "CommandNotFound");

    client.session().execute("system_powerdown");
    client.flush();
    ASSERT_TRUE(loop.run_until([&] { return !events.empty(); }, 5s));
    EXPECT_EQ(events, std::vector<std::string>{"POWERDOWN"});

    client.session().execute("quit");
    client.flush();
    ASSERT_TRUE(loop.run_until([&] { return !failure.empty(); }, 5s));
    EXPECT_EQ(failure, "QEMU closed the QMP connection");
    EXPECT_EQ(events, (std::vector<std::string>{"POWERDOWN", "SHUTDOWN"}));
    EXPECT_EQ(server.commands, (std::vector<std::string>{"qmp_capabilities", "query-status", "frobnicate",
                                                         "system_powerdown", "quit"}));
}

TEST(QemuExit, ClassifiedByStatusAndShutdownReason) {
    EXPECT_EQ(QemuBoot::classify({false, 0}, "guest-shutdown").end, VmEnd::AppExit);
    EXPECT_EQ(QemuBoot::classify({false, 0}, "").end, VmEnd::AppExit);
    auto killed = QemuBoot::classify({true, 9}, "");
    EXPECT_EQ(killed.end, VmEnd::Crash);
    EXPECT_EQ(killed.why, "QEMU was killed by signal 9 (Killed)");
    auto reset = QemuBoot::classify({false, 0}, "guest-reset");
    EXPECT_EQ(reset.end, VmEnd::Crash);
    EXPECT_NE(reset.why.find("kernel panic"), std::string::npos);
    EXPECT_EQ(QemuBoot::classify({false, 1}, "").end, VmEnd::Crash);
    EXPECT_EQ(QemuBoot::classify({false, 0}, "host-signal").end, VmEnd::Crash);
}

} // namespace
} // namespace spectrum::vmbridge::qemu
