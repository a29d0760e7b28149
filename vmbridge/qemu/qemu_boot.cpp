#include "qemu_boot.hpp"

#include <csignal>
#include <format>

namespace spectrum::vmbridge::qemu {

namespace {
constexpr std::chrono::milliseconds kConnectRetry{50};
} // namespace

std::expected<std::unique_ptr<QemuBoot>, std::string>
QemuBoot::start(EventLoop& loop, const QemuSpec& spec, VmmCallbacks callbacks, QemuBootOptions options) {
    std::unique_ptr<QemuBoot> boot(new QemuBoot(loop, spec, std::move(callbacks), options));
    auto* raw = boot.get();
    auto process = spawn_vmm(
        loop, qemu_argv(spec), spec.log_file, [raw](ExitStatus status) { raw->on_exit(status); }, spec.output_fd);
    if (!process) return std::unexpected(process.error());
    boot->process_ = std::move(*process);
    boot->started_ = std::chrono::steady_clock::now();
    boot->connect_timer_ = loop.after(kConnectRetry, [raw] { raw->try_connect(); });
    return boot;
}

QemuBoot::~QemuBoot() {
    for (auto timer : {connect_timer_, kill_timer_, drop_timer_})
        if (timer) loop_.cancel(timer);
    // ~ChildProcess kills a QEMU still running: a VM never outlives its supervisor's record.
}

void QemuBoot::try_connect() {
    connect_timer_ = 0;
    if (!process_ || !process_->running()) return;
    auto client = QmpClient::connect(loop_, spec_.qmp_socket);
    if (!client) {
        last_connect_error_ = client.error();
        if (std::chrono::steady_clock::now() - started_ > options_.qmp_timeout) {
            // A QEMU that cannot be controlled cannot be stopped cleanly either: end it now.
            process_->signal(SIGKILL);
            return;
        }
        connect_timer_ = loop_.after(kConnectRetry, [this] { try_connect(); });
        return;
    }
    qmp_ = std::move(*client);
    auto& session = qmp_->session();
    session.on_ready = [this] { on_qmp_ready(); };
    session.on_event = [this](const nlohmann::json& event) {
        if (event.value("event", std::string{}) == "SHUTDOWN" && event.contains("data"))
            shutdown_reason_ = event["data"].value("reason", std::string{});
    };
    session.on_failure = [this](const std::string&) {
        // Dropped from the loop, not from inside the client's own callback.
        if (!drop_timer_) drop_timer_ = loop_.after(std::chrono::milliseconds(0), [this] { drop_qmp(); });
    };
}

void QemuBoot::drop_qmp() {
    drop_timer_ = 0;
    qmp_.reset();
}

void QemuBoot::on_qmp_ready() {
    qmp_->session().execute("query-status", nullptr, [this](const QmpSession::Reply& reply) {
        if (!reply || reported_running_) return;
        if (reply->value("status", std::string{}) == "running") {
            reported_running_ = true;
            if (callbacks_.running) callbacks_.running();
        }
    });
    qmp_->flush();
}

void QemuBoot::power_button() {
    if (!qmp_ || qmp_->session().phase() != QmpSession::Phase::Ready) return;
    qmp_->session().execute("system_powerdown");
    qmp_->flush();
}

void QemuBoot::force_stop() {
    if (!process_ || !process_->running()) return;
    if (qmp_ && qmp_->session().phase() == QmpSession::Phase::Ready) {
        qmp_->session().execute("quit");
        qmp_->flush();
    } else {
        process_->signal(SIGTERM);
    }
    if (!kill_timer_)
        kill_timer_ = loop_.after(options_.kill_after, [this] {
            kill_timer_ = 0;
            if (process_) process_->signal(SIGKILL);
        });
}

VmmExit QemuBoot::classify(const ExitStatus& status, const std::string& reason) {
    if (status.signaled) return {VmEnd::Crash, std::format("QEMU was {}", status.describe())};
    if (status.code != 0)
        return {VmEnd::Crash, std::format("QEMU {} (see the VM's log)", status.describe())};
    if (reason == "guest-shutdown" || reason.empty()) return {VmEnd::AppExit, "the guest powered off"};
    if (reason == "guest-reset")
        return {VmEnd::Crash, "the guest reset (a kernel panic or a triple fault; see the VM's log)"};
    if (reason == "guest-panic") return {VmEnd::Crash, "the guest kernel panicked"};
    if (reason == "host-signal") return {VmEnd::Crash, "QEMU was terminated by a signal"};
    if (reason == "host-qmp-quit") return {VmEnd::Crash, "QEMU was told to quit over QMP"};
    return {VmEnd::Crash, std::format("QEMU shut down ({})", reason)};
}

void QemuBoot::on_exit(const ExitStatus& status) {
    if (kill_timer_) loop_.cancel(std::exchange(kill_timer_, 0));
    if (connect_timer_) loop_.cancel(std::exchange(connect_timer_, 0));
    if (callbacks_.exited) callbacks_.exited(classify(status, shutdown_reason_));
}

} // namespace spectrum::vmbridge::qemu
