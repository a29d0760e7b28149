// What spectrumctl can ask. Every string that came from a client was filtered when it
// arrived (View keeps only sanitized titles and app ids).
#include <nlohmann/json.hpp>

#include "clipboard/clipboard_system.hpp"
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
            {"socket", vm->socket ? vm->socket->path().string() : ""},
            {"clients", vm->clients.size()},
            {"surfaces", vm->usage.surfaces()},
            {"toplevels", vm->usage.toplevels()},
            {"shm_bytes", vm->usage.shm_bytes()},
        });
    }
    return list;
}

json error(const std::string& message) { return {{"ok", false}, {"error", message}}; }

View* target_view(Server& server, const json& request, std::string& why) {
    if (!request.contains("id") || !request["id"].is_number_unsigned()) {
        why = "a window id is required";
        return nullptr;
    }
    const auto id = request["id"].get<unsigned>();
    View* view = server.view_by_id(id);
    if (!view || !view->mapped()) why = std::format("no window with id {}", id);
    return view && view->mapped() ? view : nullptr;
}

} // namespace

std::string handle_ctl_request(Server& server, const std::string& text) {
    const json request = json::parse(text, nullptr, false);
    if (request.is_discarded() || !request.is_object() || !request.contains("command") ||
        !request["command"].is_string())
        return error("malformed request").dump();
    const std::string command = request["command"];

    json reply = {{"ok", true}};
    if (command == "windows") {
        reply["windows"] = windows_json(server);
    } else if (command == "vms") {
        reply["vms"] = vms_json(server);
    } else if (command == "focus" || command == "close") {
        std::string why;
        View* view = target_view(server, request, why);
        if (!view) return error(why).dump();
        if (command == "focus") server.focus_view(view);
        else view->close();
    } else if (command == "outputs") {
        json list = json::array();
        for (auto& output : server.outputs) {
            wlr_box box{};
            wlr_output_layout_get_box(server.output_layout, output->output, &box);
            list.push_back({{"name", output->output->name}, {"x", box.x}, {"y", box.y},
                            {"width", box.width}, {"height", box.height}, {"scale", output->output->scale}});
        }
        reply["outputs"] = list;
    } else if (command == "output-add") {
        const int width = request.value("width", 1280), height = request.value("height", 720);
        auto name = server.add_virtual_output(width, height);
        if (!name) return error(name.error()).dump();
        reply["name"] = *name;
    } else if (command == "output-remove") {
        if (!request.contains("name") || !request["name"].is_string()) return error("an output name is required").dump();
        if (auto ok = server.remove_virtual_output(request["name"]); !ok) return error(ok.error()).dump();
    } else if (command == "clipboard") {
        reply["clipboard"] = clipboard_status(server);
    } else if (command == "info") {
        reply["config"] = server.config_path_;
        reply["config_source"] = server.config().source;
        reply["state_dir"] = server.config().state_dir.string();
        reply["socket"] = server.socket_name_;
    } else if (command == "quit") {
        server.quit(0);
    } else if (command == "reload") {
        if (auto failure = server.reload()) return error(*failure).dump();
    } else {
        return error(std::format("unknown command \"{}\"", command)).dump();
    }
    return reply.dump();
}

} // namespace spectrum
