#include "server.hpp"

#include <csignal>
#include <cstdlib>
#include <format>

#include "ctl_server.hpp"
#include "damage_limit.hpp"
#include "desktop_protocols.hpp"
#include "desktop/desktop.hpp"
#include "drag_icon.hpp"
#include "event_batcher.hpp"
#include "fd_limit.hpp"
#include "frame_pacer.hpp"
#include "grabs.hpp"
#include "keyboard.hpp"
#include "label_tag.hpp"
#include "notice/notice.hpp"
#include "output.hpp"
#include "request_limits.hpp"
#include "request_tracker.hpp"
#include "shm_access_pin.hpp"
#include "supervisor_keeper.hpp"
#include "view.hpp"
#include "vm.hpp"
#include "vm_socket.hpp"

namespace spectrum {

Server::Server(config::Config config, std::string config_path)
    : config_(std::move(config)), config_path_(std::move(config_path)) {}

void Server::start_vmbridge() {
    // Quoted for sh -c: the config path is the user's and may hold spaces.
    std::string quoted = "'";
    for (char c : config_path_) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    quoted += "'";
    vmbridge = std::make_unique<SupervisorKeeper>(*this, "exec spectrum-vmbridge --config " + quoted);
}

Server::~Server() {
    stopping_ = true;
    vmbridge.reset(); // SIGTERM: the supervisor stops its VMs (power button, then forced)
    if (!display) return;
    // Clients first (their views and surfaces go with them), then the rest.
    wl_display_destroy_clients(display);
    desktop.reset();
    views.clear();
    vms.clear();
    ctl.reset();
    for (auto* source : signal_sources_) wl_event_source_remove(source);
    requests.reset();
    grab_guard_.reset();
    if (pointer_focus_idle_) wl_event_source_remove(pointer_focus_idle_);
    pointer_focus_idle_ = nullptr;
    request_limits.reset();
    desktop_protocols.reset();
    events.reset(); // asks the pacer
    pacer.reset();
    shm_pin.reset();
    if (reaper_) wl_event_source_remove(reaper_);
    new_output_.disconnect();
    new_input_.disconnect();
    new_toplevel_.disconnect();
    new_popup_.disconnect();
    new_surface_.disconnect();
    request_activate_.disconnect();
    new_token_.disconnect();
    new_decoration_.disconnect();
    new_virtual_keyboard_.disconnect();
    new_virtual_pointer_.disconnect();
    request_cursor_.disconnect();
    request_shape_.disconnect();
    request_selection_.disconnect();
    request_primary_.disconnect();
    request_drag_.disconnect();
    start_drag_.disconnect();
    drag_icon.reset();
    cursor_motion_.disconnect();
    cursor_motion_abs_.disconnect();
    cursor_button_.disconnect();
    cursor_axis_.disconnect();
    cursor_frame_.disconnect();
    surface_trackers_.clear();
    wlr_backend_destroy(backend); // outputs and input devices go with it
    outputs.clear();
    keyboards.clear();
    wlr_scene_node_destroy(&scene->tree.node);
    wlr_xcursor_manager_destroy(cursor_manager);
    wlr_cursor_destroy(cursor);
    wlr_allocator_destroy(allocator);
    wlr_renderer_destroy(renderer);
    wl_display_destroy(display);
}

bool Server::start(const std::string& socket_name) {
    fd_limit::raise_soft_limit();
    display = wl_display_create();
    loop = wl_display_get_event_loop(display);
    // Transports forward bursts of guest traffic; give them room before libwayland drops
    // a client for a full buffer.
    wl_display_set_default_max_buffer_size(display, 1 << 20);

    // DRM/KMS + libinput through libseat on a TTY, nested under Wayland/X11, or headless
    // when WLR_BACKENDS says so.
    backend = wlr_backend_autocreate(loop, &session);
    if (!backend) {
        wlr_log(WLR_ERROR, "no backend: not on a seat, no Wayland/X11 session, and WLR_BACKENDS unset "
                           "(set WLR_BACKENDS=headless to run without a display)");
        return false;
    }
    // GLES2 on hardware, pixman with WLR_RENDERER=pixman.
    renderer = wlr_renderer_autocreate(backend);
    if (!renderer) {
        wlr_log(WLR_ERROR, "no renderer could be created (try WLR_RENDERER=pixman)");
        return false;
    }
    if (!create_buffer_globals()) return false;
    allocator = wlr_allocator_autocreate(backend, renderer);
    if (!allocator) {
        wlr_log(WLR_ERROR, "no buffer allocator for this renderer and backend");
        return false;
    }

    create_globals();
    setup_cursor();
    setup_grabs();
    setup_vm_identity();

    const char* name = nullptr;
    if (socket_name.empty()) {
        name = wl_display_add_socket_auto(display);
        if (!name) {
            wlr_log(WLR_ERROR, "cannot create a Wayland socket in $XDG_RUNTIME_DIR");
            return false;
        }
        socket_name_ = name;
    } else {
        if (wl_display_add_socket(display, socket_name.c_str()) != 0) {
            wlr_log(WLR_ERROR, "cannot create socket %s in $XDG_RUNTIME_DIR (in use, or the directory is missing)",
                    socket_name.c_str());
            return false;
        }
        socket_name_ = socket_name;
    }

    apply_vms(config_.vms);

    auto control = CtlServer::create(*this);
    if (!control) {
        wlr_log(WLR_ERROR, "%s", control.error().c_str());
        return false;
    }
    ctl = std::move(*control);

    if (!wlr_backend_start(backend)) {
        wlr_log(WLR_ERROR, "the backend failed to start");
        return false;
    }
    setenv("WAYLAND_DISPLAY", socket_name_.c_str(), 1);
    setup_signals();
    wlr_log(WLR_INFO, "Spectrum running on WAYLAND_DISPLAY=%s with %zu VM(s)", socket_name_.c_str(),
            vms.size());
    return true;
}

bool Server::create_buffer_globals() {
    // What wlr_renderer_init_wl_display does, keeping the wl_shm it makes for the pin.
    wlr_shm* shm = wlr_shm_create_with_renderer(display, 1, renderer);
    if (!shm) {
        wlr_log(WLR_ERROR, "cannot create the wl_shm global");
        return false;
    }
    if (wlr_renderer_get_texture_formats(renderer, WLR_BUFFER_CAP_DMABUF)) {
        if (wlr_renderer_get_drm_fd(renderer) >= 0) wlr_drm_create(display, renderer);
        if (!wlr_linux_dmabuf_v1_create_with_renderer(display, 4, renderer)) {
            wlr_log(WLR_ERROR, "cannot create the linux-dmabuf global");
            return false;
        }
    }
    // Before any client: it dispatches the event loop once. Without it (logged) every
    // shm access costs wlroots two sigaction() calls, as in other compositors.
    shm_pin = ShmAccessPin::create(display, shm);
    return true;
}

void Server::create_globals() {
    requests = std::make_unique<RequestTracker>(display);
    pacer = std::make_unique<FramePacer>(loop);
    pacer->set_enabled(config_.frame_pacing);
    damage_limit = std::make_unique<DamageLimit>();
    events = std::make_unique<EventBatcher>(
        display, [this](const std::vector<wl_client*>& clients) { return pacer->all_wait_for_frame(clients); });
    compositor = wlr_compositor_create(display, 6, renderer);
    wlr_subcompositor_create(display);
    wlr_data_device_manager_create(display);
    wlr_primary_selection_v1_device_manager_create(display);

    output_layout = wlr_output_layout_create(display);
    wlr_xdg_output_manager_v1_create(display, output_layout);
    scene = wlr_scene_create();
    scene_layout = wlr_scene_attach_output_layout(scene, output_layout);
    background_layer = wlr_scene_tree_create(&scene->tree);
    view_layer = wlr_scene_tree_create(&scene->tree);
    drag_layer = wlr_scene_tree_create(&scene->tree);
    overlay_layer = wlr_scene_tree_create(&scene->tree);
    session_notice = std::make_unique<NoticeOverlay>(*this, NoticeOverlay::second_row);
    label_tag = std::make_unique<LabelTag>(*this);

    xdg_shell = wlr_xdg_shell_create(display, 6);
    new_toplevel_.connect(&xdg_shell->events.new_toplevel,
                          [this](wlr_xdg_toplevel* t) { handle_new_toplevel(t); });
    new_popup_.connect(&xdg_shell->events.new_popup, [this](wlr_xdg_popup* p) { create_popup(*this, p); });
    new_surface_.connect(&compositor->events.new_surface, [this](wlr_surface* s) { handle_new_surface(s); });

    decoration_manager = wlr_xdg_decoration_manager_v1_create(display);
    new_decoration_.connect(&decoration_manager->events.new_toplevel_decoration,
                            [this](wlr_xdg_toplevel_decoration_v1* d) { handle_new_decoration(d); });

    activation = wlr_xdg_activation_v1_create(display);
    request_activate_.connect(&activation->events.request_activate,
                              [this](wlr_xdg_activation_v1_request_activate_event* e) { handle_activation(e); });
    new_token_.connect(&activation->events.new_token,
                       [this](wlr_xdg_activation_token_v1* t) { handle_new_token(t); });

    wlr_viewporter_create(display);
    wlr_presentation_create(display, backend);
    wlr_fractional_scale_manager_v1_create(display, 1);
    wlr_single_pixel_buffer_manager_v1_create(display);

    // Privileged: the global filter keeps these away from VM clients.
    wlr_screencopy_manager_v1_create(display);
    wlr_export_dmabuf_manager_v1_create(display);
    wlr_data_control_manager_v1_create(display);
    foreign_toplevels = wlr_ext_foreign_toplevel_list_v1_create(display, 1);
    desktop_protocols = std::make_unique<DesktopProtocols>(*this);
    virtual_keyboard = wlr_virtual_keyboard_manager_v1_create(display);
    new_virtual_keyboard_.connect(&virtual_keyboard->events.new_virtual_keyboard,
                                  [this](wlr_virtual_keyboard_v1* k) {
                                      keyboards.push_back(std::make_unique<Keyboard>(*this, &k->keyboard, false));
                                      update_keyboard_caps();
                                  });
    virtual_pointer = wlr_virtual_pointer_manager_v1_create(display);
    new_virtual_pointer_.connect(&virtual_pointer->events.new_virtual_pointer,
                                 [this](wlr_virtual_pointer_v1_new_pointer_event* e) {
                                     wlr_cursor_attach_input_device(cursor, &e->new_pointer->pointer.base);
                                 });

    seat = wlr_seat_create(display, "seat0");
    new_output_.connect(&backend->events.new_output, [this](wlr_output* o) { handle_new_output(o); });
    new_input_.connect(&backend->events.new_input, [this](wlr_input_device* d) { handle_new_input(d); });
    setup_selection();
    update_keyboard_caps();
    desktop = std::make_unique<Desktop>(*this);
}

void Server::update_keyboard_caps() {
    // Always a keyboard: a client that binds wl_keyboard only when one appears would miss
    // the first key of a keyboard plugged in (or a virtual one created) while it is focused.
    wlr_seat_set_capabilities(seat, WL_SEAT_CAPABILITY_POINTER | WL_SEAT_CAPABILITY_KEYBOARD);
}

void Server::handle_new_input(wlr_input_device* device) {
    switch (device->type) {
    case WLR_INPUT_DEVICE_KEYBOARD:
        keyboards.push_back(std::make_unique<Keyboard>(*this, wlr_keyboard_from_input_device(device), true));
        break;
    case WLR_INPUT_DEVICE_POINTER:
    case WLR_INPUT_DEVICE_TOUCH:
    case WLR_INPUT_DEVICE_TABLET:
        wlr_cursor_attach_input_device(cursor, device);
        break;
    default:
        break;
    }
    update_keyboard_caps();
}

int Server::run() {
    events->run();
    return exit_status;
}

void Server::quit(int status) {
    exit_status = status;
    if (events) events->stop();
}

void Server::setup_signals() {
    auto on_signal = [](int signal, void* data) {
        auto* self = static_cast<Server*>(data);
        if (signal == SIGHUP) {
            if (auto error = self->reload()) wlr_log(WLR_ERROR, "%s", error->c_str());
        } else {
            self->quit(0);
        }
        return 0;
    };
    for (int sig : {SIGTERM, SIGINT, SIGHUP})
        signal_sources_.push_back(wl_event_loop_add_signal(loop, sig, on_signal, this));
    // Children (terminal, launched apps) are reaped automatically.
    struct sigaction sa{};
    sa.sa_handler = SIG_DFL;
    sa.sa_flags = SA_NOCLDWAIT;
    sigaction(SIGCHLD, &sa, nullptr);
    signal(SIGPIPE, SIG_IGN);
}

std::optional<std::string> Server::reload() {
    if (config_path_.empty()) return "reload: running on the built-in config; nothing to reload";
    auto parsed = config::load(config_path_);
    if (!parsed) return std::format("reload failed, keeping the running config: {}", parsed.error().format());
    config_ = std::move(*parsed);
    apply_vms(config_.vms);
    for (auto& output : outputs) output->update_background();
    pacer->set_enabled(config_.frame_pacing);
    for (auto& keyboard : keyboards) (void)keyboard; // physical keymaps keep their layout until replug
    restyle_views();
    wlr_log(WLR_INFO, "config reloaded from %s (%zu VM(s))", config_path_.c_str(), vms.size());
    return std::nullopt;
}

} // namespace spectrum
