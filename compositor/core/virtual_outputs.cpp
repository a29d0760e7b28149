// Virtual outputs on the headless backend: added and removed at run time, for headless
// sessions (remote desktops, tests of output hot-plug). Real monitors come from the backend.
#include <format>

#include "output.hpp"
#include "server.hpp"

namespace spectrum {

namespace {

wlr_backend* find_headless(wlr_backend* backend) {
    if (wlr_backend_is_headless(backend)) return backend;
    if (!wlr_backend_is_multi(backend)) return nullptr;
    wlr_backend* found = nullptr;
    wlr_multi_for_each_backend(
        backend,
        [](wlr_backend* child, void* data) {
            if (wlr_backend_is_headless(child)) *static_cast<wlr_backend**>(data) = child;
        },
        &found);
    return found;
}

} // namespace

std::expected<std::string, std::string> Server::add_virtual_output(int width, int height) {
    wlr_backend* headless = find_headless(backend);
    if (!headless) return std::unexpected("virtual outputs need the headless backend (WLR_BACKENDS=headless)");
    if (width < 64 || height < 64 || width > 16384 || height > 16384)
        return std::unexpected(std::format("{}x{} is not a usable output size (64 to 16384 per side)", width, height));
    // new_output fires inside this call; the Output picks the size up from here.
    pending_virtual_size = {width, height};
    wlr_output* output = wlr_headless_add_output(headless, static_cast<unsigned>(width), static_cast<unsigned>(height));
    pending_virtual_size.reset();
    if (!output) return std::unexpected("the headless backend refused a new output");
    return std::string(output->name);
}

std::expected<void, std::string> Server::remove_virtual_output(const std::string& name) {
    for (auto& output : outputs) {
        if (name != output->output->name) continue;
        if (!wlr_output_is_headless(output->output))
            return std::unexpected(std::format("{} is a real output; unplug it instead", name));
        wlr_output_destroy(output->output); // the Output goes with its destroy signal
        return {};
    }
    return std::unexpected(std::format("no output named \"{}\"", name));
}

} // namespace spectrum
