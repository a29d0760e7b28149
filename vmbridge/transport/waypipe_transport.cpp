#include "waypipe_transport.hpp"

#include <filesystem>

namespace spectrum::vmbridge::transport {

std::vector<std::string> waypipe_client_argv(const std::string& waypipe, const std::string& socket) {
    return {waypipe, "--oneshot", "--no-gpu", "-s", socket, "client"};
}

TransportCommand transport_command(const TransportPlan& plan) {
    namespace fs = std::filesystem;
    const fs::path listen(plan.listen_socket);
    const fs::path compositor(plan.compositor_socket);
    TransportCommand command;
    if (!plan.sandboxed) {
        command.argv = waypipe_client_argv(plan.waypipe, plan.listen_socket);
        command.env_overrides = {"WAYLAND_DISPLAY=" + plan.compositor_socket};
        return command;
    }
    SandboxSpec spec = plan.sandbox;
    spec.listen_dir = listen.parent_path().string();
    spec.compositor_dir = compositor.parent_path().string();
    const std::string inside_listen =
        (fs::path(kSandboxListenDir) / listen.filename()).string();
    const std::string inside_display =
        (fs::path(kSandboxCompositorDir) / compositor.filename()).string();
    // Nothing of the supervisor's environment leaks in: only what waypipe needs.
    spec.env = {"PATH=/usr/bin", "HOME=/tmp", "XDG_RUNTIME_DIR=/tmp",
                "WAYLAND_DISPLAY=" + inside_display};
    spec.command = waypipe_client_argv(plan.waypipe, inside_listen);
    command.argv = sandbox_argv(spec);
    command.env = {"PATH=/usr/bin:/bin"};
    return command;
}

} // namespace spectrum::vmbridge::transport
