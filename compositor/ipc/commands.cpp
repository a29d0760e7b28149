// What spectrumctl can ask. Every string that came from a client was filtered when it
// arrived (View keeps only sanitized titles and app ids).
#include <nlohmann/json.hpp>

#include "clipboard/clipboard_system.hpp"
#include "ctl_request.hpp"
#include "ctl_server.hpp"
#include "output.hpp"
#include "server.hpp"
#include "view.hpp"
#include "vm.hpp"
#include "vm_socket.hpp"

namespace spectrum {

namespace {

using nlohmann::json;

json box_json(const wlr_box& box) {
    return {{"x", box.x}, {"y", box.y}, {"width", box.width}, {"height", box.height}};
}

json windows_json(Server& server) {
    json list = json::array();
    // Oldest first by id: a stable order for people and scripts.
    std::vector<View*> ordered;
    for (auto& view : server.views)
        if (view->mapped()) ordered.push_back(view.get());
    std::ranges::sort(ordered, {}, &View::id);
    for (View* view : ordered) {
        const wlr_box content = view->content_box();
        json entry = {
            {"id", view->id()},
            {"vm", view->vm() ? json(view->vm()->name()) : json(nullptr)},
            {"app_id", view->app_id()},
            {"title", view->title()},
            {"focused", server.focused_view() == view},
            {"urgent", view->urgent()},
            {"maximized", view->maximized()},
            {"fullscreen", view->fullscreen()},
            {"minimized", view->minimized()},
            {"x", content.x},
            {"y", content.y},
            {"width", content.width},
            {"height", content.height},
            {"frame", box_json(view->frame_box())},
        };
        list.push_back(std::move(entry));
    }
    return list;
}

json vms_json(Server& server) {
    json list = json::array();
    for (auto& [name, vm] : server.vms) {
        list.push_back({
            {"name", name},
            {"label", vm->config.label},
            {"color", vm->config.color.hex()},
            {"apps", vm->config.apps},
            {"socket", vm->socket ? vm->socket->path().string() : ""},
            {"clients", vm->clients.size()},
            {"surfaces", vm->usage.surfaces()},
            {"toplevels", vm->usage.toplevels()},
            {"shm_bytes", vm->usage.shm_bytes()},
        });
    }
    return list;
}

View* target_view(Server& server, std::uint32_t id, std::string& why) {
    View* view = server.view_by_id(id);
    if (!view || !view->mapped()) why = std::format("no window with id {}", id);
    return view && view->mapped() ? view : nullptr;
}

} // namespace

std::string handle_ctl_request(Server& server, const std::string& text) {
    const auto parsed = parse_ctl_request(text);
    if (!parsed) return ctl_error_reply(parsed.error());
    const CtlRequest& request = *parsed;
    using Command = CtlRequest::Command;

    json reply = {{"ok", true}};
    switch (request.command) {
    case Command::Windows:
        reply["windows"] = windows_json(server);
        break;
    case Command::Vms:
        reply["vms"] = vms_json(server);
        break;
    case Command::Focus:
    case Command::Close: {
        std::string why;
        View* view = target_view(server, request.id, why);
        if (!view) return ctl_error_reply(why);
        if (request.command == Command::Focus) server.focus_view(view);
        else view->close();
        break;
    }
    case Command::Outputs: {
        json list = json::array();
        for (auto& output : server.outputs) {
            wlr_box box{};
            wlr_output_layout_get_box(server.output_layout, output->output, &box);
            list.push_back({{"name", output->output->name}, {"x", box.x}, {"y", box.y},
                            {"width", box.width}, {"height", box.height}, {"scale", output->output->scale},
                            {"refresh_mhz", output->output->refresh}});
        }
        reply["outputs"] = list;
        break;
    }
    case Command::OutputAdd: {
        auto name = server.add_virtual_output(request.width, request.height);
        if (!name) return ctl_error_reply(name.error());
        reply["name"] = *name;
        break;
    }
    case Command::OutputRemove:
        if (auto ok = server.remove_virtual_output(request.name); !ok) return ctl_error_reply(ok.error());
        break;
    case Command::Clipboard:
        reply["clipboard"] = clipboard_status(server);
        break;
    case Command::Info:
        reply["config"] = server.config_path_;
        reply["config_source"] = server.config().source;
        reply["state_dir"] = server.config().state_dir.string();
        reply["socket"] = server.socket_name_;
        break;
    case Command::Quit:
        server.quit(0);
        break;
    case Command::Reload:
        if (auto failure = server.reload()) return ctl_error_reply(*failure);
        break;
    }
    return ctl_reply_text(reply);
}

} // namespace spectrum
