// The supervisor: one VmRunner per [vm.NAME], the control socket, and a clean shutdown
// (every VM stopped) on SIGTERM or SIGINT; a second signal forces them off.
#pragma once

#include "control_server.hpp"
#include "event_loop.hpp"
#include "vm_runner.hpp"

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

namespace spectrum::vmbridge {

class Supervisor {
  public:
    Supervisor(EventLoop& loop, std::map<std::string, std::unique_ptr<VmRunner>> runners)
        : loop_(loop), runners_(std::move(runners)) {}

    std::expected<void, std::string> listen(const std::filesystem::path& socket);
    void autostart(const config::Config& config);
    // Stops every VM, then stops the loop. Called again, forces them off.
    void shut_down();
    bool shutting_down() const { return shutting_down_; }

    // A checked request in, JSON out (possibly later): list, start, stop, logs.
    void handle(const ControlRequest& request, ControlServer::Respond respond);

  private:
    VmRunner* find(const std::string& name, std::string& error);
    void stop_loop_when_all_down();

    EventLoop& loop_;
    std::map<std::string, std::unique_ptr<VmRunner>> runners_;
    std::unique_ptr<ControlServer> control_;
    bool shutting_down_ = false;
};

nlohmann::json status_json(const VmRunner::Status& status);

} // namespace spectrum::vmbridge
