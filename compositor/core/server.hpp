// The compositor: owns the display, backend, scene and every subsystem, and wires them up.
#pragma once

#include <expected>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config.hpp"
#include "listener.hpp"
#include "wlr.hpp"

namespace spectrum {

struct Output;
struct Keyboard;
class View;
class CtlServer;
class RequestTracker;
class EventBatcher;
class DamageLimit;
class FramePacer;
class ShmAccessPin;
class DragIcon;
class SupervisorKeeper;
class NoticeOverlay;
class Desktop;
class GrabGuard;
class VmRequestLimits;
class DesktopProtocols;
class LabelTag;
struct Vm;
struct ClientInfo;
// --- clipboard --- (defined in clipboard/clipboard_system.hpp)
struct ClipboardSystem;
struct ClipboardSystemDeleter {
    void operator()(ClipboardSystem* clipboard) const;
};

enum class CursorMode { Passthrough, Move, Resize };

class Server {
  public:
    Server(config::Config config, std::string config_path);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    // Creates the host socket (named, or wayland-N if empty), VM sockets and the control
    // socket, and starts the backend. false after logging one line on failure.
    bool start(const std::string& socket_name);
    int run();
    void quit(int status = 0);

    // Re-reads the config file. On error the running config stays; the error is returned.
    std::optional<std::string> reload();

    // --- windows ---
    void focus_view(View* view, bool raise = true);
    View* focused_view() const;
    View* view_at(double lx, double ly, wlr_surface** surface, double* sx, double* sy);
    View* view_by_id(unsigned id);
    void cycle_focus(bool forward);
    // Focus the most recently focused mapped window other than `leaving`, or nothing.
    void focus_fallback(View* leaving);
    void remove_view(View* view);
    wlr_box output_box_at(double lx, double ly) const;
    wlr_box placement_area() const;
    // The output at (lx, ly) less its panels' exclusive zones (desktop/layer_shell.cpp).
    wlr_box usable_box_at(double lx, double ly) const;
    void rescue_views();
    // The scale title labels are rendered at: the highest of the enabled outputs' (1 to 4).
    float label_scale() const;
    // The highest scale of the enabled outputs that `box` (layout coordinates) is on, or
    // label_scale() where it is on none (1 to 4): what a frame or notice there renders at.
    float scale_for(const wlr_box& box) const;
    // Re-lays out every window's frame (new colours, fonts, output scales).
    void restyle_views();
    std::expected<std::string, std::string> add_virtual_output(int width, int height);
    std::expected<void, std::string> remove_virtual_output(const std::string& name);

    // --- input ---
    bool handle_binding(uint32_t modifiers, const xkb_keysym_t* syms, int nsyms);
    void run_action(const config::Binding& binding);
    // Returns the child's pid, or -1.
    pid_t spawn(const std::string& command);
    // The VM supervisor of this session, with the same config; stopped when we stop.
    void start_vmbridge();
    void process_cursor_motion(uint32_t time_msec);
    void begin_interactive(View* view, CursorMode mode, uint32_t edges);
    // Pointer focus follows the scene: after every restack, map, unmap, move or resize the
    // surface under a pointer that did not move gets it (and a click goes where the screen
    // says). update_pointer_focus() does it now; schedule_pointer_focus() once the current
    // dispatch is done (many changes, one update; never inside a wlroots destroy chain).
    void update_pointer_focus(uint32_t time_msec);
    void schedule_pointer_focus();
    // Input from any device: resets the idle timers, wakes blanked outputs (desktop/idle.cpp).
    void note_input_activity();
    // Keyboard focus is the compositor's: before focus moves to a window of `keeper`, every
    // grab another client holds ends (its grabbing popups dismissed, seat grabs ended), so
    // no client keeps the keys the screen says another has. input/grabs.cpp.
    void end_grabs_except(wl_client* keeper);

    // --- VMs ---
    void apply_vms(const std::vector<config::VmConfig>& vms);
    Vm* find_vm(std::string_view name);
    void accept_vm_client(Vm* vm, int fd);
    // Disconnects a client after the current dispatch, with one log line saying why.
    void disconnect_client(wl_client* client, const std::string& why);

    const config::Config& config() const { return config_; }

    // Public so subsystems in their own files can reach them; the server owns them all.
    config::Config config_;
    std::string config_path_;
    std::string socket_name_;

    wl_display* display = nullptr;
    wl_event_loop* loop = nullptr;
    wlr_backend* backend = nullptr;
    wlr_session* session = nullptr;
    wlr_renderer* renderer = nullptr;
    wlr_allocator* allocator = nullptr;
    wlr_compositor* compositor = nullptr;
    wlr_scene* scene = nullptr;
    wlr_scene_output_layout* scene_layout = nullptr;
    wlr_output_layout* output_layout = nullptr;
    wlr_xdg_shell* xdg_shell = nullptr;
    wlr_xdg_activation_v1* activation = nullptr;
    wlr_xdg_decoration_manager_v1* decoration_manager = nullptr;
    wlr_seat* seat = nullptr;
    wlr_cursor* cursor = nullptr;
    wlr_xcursor_manager* cursor_manager = nullptr;
    wlr_cursor_shape_manager_v1* cursor_shape = nullptr;
    wlr_virtual_keyboard_manager_v1* virtual_keyboard = nullptr;
    wlr_virtual_pointer_manager_v1* virtual_pointer = nullptr;
    wlr_ext_foreign_toplevel_list_v1* foreign_toplevels = nullptr; // host panels and docks

    // Scene layers, bottom to top.
    wlr_scene_tree* background_layer = nullptr;
    wlr_scene_tree* view_layer = nullptr;
    wlr_scene_tree* drag_layer = nullptr;    // drag icons: above windows, below notices
    wlr_scene_tree* overlay_layer = nullptr;

    std::list<std::unique_ptr<Output>> outputs;
    std::list<std::unique_ptr<Keyboard>> keyboards;
    std::list<std::unique_ptr<View>> views; // front: most recently focused
    std::map<std::string, std::unique_ptr<Vm>, std::less<>> vms;
    std::unique_ptr<CtlServer> ctl;
    View* focused = nullptr;
    // Who sent the request being dispatched (clipboard requests, activation tokens).
    std::unique_ptr<RequestTracker> requests;
    // Per-VM limits checked on each request of a VM client (vm/request_limits.hpp).
    std::unique_ptr<VmRequestLimits> request_limits;
    // When each surface gets its frame callback (all outputs).
    std::unique_ptr<FramePacer> pacer;
    // Many small damaged areas repainted as such, not as their bounding box.
    std::unique_ptr<DamageLimit> damage_limit;
    // The main loop; holds back what a client waiting for its frame callback can read with it.
    std::unique_ptr<EventBatcher> events;
    std::unique_ptr<ShmAccessPin> shm_pin; // null if it could not be set up
    std::unique_ptr<DragIcon> drag_icon;   // the icon of the drag under way, if it has one
    std::unique_ptr<SupervisorKeeper> vmbridge; // with --vmbridge: kept running
    // The session's own notices (the supervisor stopping), below the clipboard's.
    std::unique_ptr<NoticeOverlay> session_notice;
    // Taskbars, wlr-randr, night light, sandboxed host apps (core/desktop_protocols.cpp).
    std::unique_ptr<DesktopProtocols> desktop_protocols;
    // The full label of a window whose title bar is covered, beside the pointer on its frame.
    std::unique_ptr<LabelTag> label_tag;
    // Layer shell, session lock, idle and output power: host-only (desktop/).
    std::unique_ptr<Desktop> desktop;
    // Set while add_virtual_output() creates an output: its size beats the [[output]] config.
    std::optional<std::pair<int, int>> pending_virtual_size;
    std::vector<wl_client*> doomed_clients; // to be disconnected once the dispatch ends
    unsigned next_view_id = 1;
    int exit_status = 0;

    // Interactive move/resize state.
    CursorMode cursor_mode = CursorMode::Passthrough;
    View* grabbed_view = nullptr;
    double grab_x = 0, grab_y = 0;
    wlr_box grab_box{};
    uint32_t resize_edges = 0;
    // The last left press on a title bar, for double-click to maximize.
    uint32_t title_click_msec = 0;
    unsigned title_click_view = 0;
    double title_click_x = 0, title_click_y = 0;

  private:
    bool create_buffer_globals(); // wl_shm (pinned), linux-dmabuf
    void create_globals();
    void handle_new_output(wlr_output* output);
    void handle_new_input(wlr_input_device* device);
    void handle_new_toplevel(wlr_xdg_toplevel* toplevel);
    void handle_new_surface(wlr_surface* surface);
    void handle_activation(wlr_xdg_activation_v1_request_activate_event* event);
    void handle_new_decoration(wlr_xdg_toplevel_decoration_v1* decoration);
    void setup_cursor();
    void setup_grabs();
    void setup_vm_identity();
    void setup_selection();
    void handle_new_token(wlr_xdg_activation_token_v1* token);
    void setup_signals();
    void update_keyboard_caps();

    Listener<wlr_output> new_output_;
    Listener<wlr_input_device> new_input_;
    Listener<wlr_xdg_toplevel> new_toplevel_;
    Listener<wlr_xdg_popup> new_popup_;
    Listener<wlr_surface> new_surface_;
    Listener<wlr_xdg_activation_v1_request_activate_event> request_activate_;
    Listener<wlr_xdg_activation_token_v1> new_token_;
    Listener<wlr_xdg_toplevel_decoration_v1> new_decoration_;
    Listener<wlr_virtual_keyboard_v1> new_virtual_keyboard_;
    Listener<wlr_virtual_pointer_v1_new_pointer_event> new_virtual_pointer_;
    Listener<wlr_seat_pointer_request_set_cursor_event> request_cursor_;
    Listener<wlr_cursor_shape_manager_v1_request_set_shape_event> request_shape_;
    Listener<wlr_seat_request_set_selection_event> request_selection_;
    Listener<wlr_seat_request_set_primary_selection_event> request_primary_;
    Listener<wlr_seat_request_start_drag_event> request_drag_;
    Listener<wlr_drag> start_drag_;
    Listener<wlr_pointer_motion_event> cursor_motion_;
    Listener<wlr_pointer_motion_absolute_event> cursor_motion_abs_;
    Listener<wlr_pointer_button_event> cursor_button_;
    Listener<wlr_pointer_axis_event> cursor_axis_;
    Listener<void> cursor_frame_;
    std::vector<wl_event_source*> signal_sources_;
    wl_event_source* pointer_focus_idle_ = nullptr; // a scheduled update_pointer_focus()
    bool stopping_ = false;                         // in ~Server: nothing more is scheduled
    std::unique_ptr<GrabGuard> grab_guard_;         // refuses popup grabs without a right

    wl_event_source* reaper_ = nullptr;

  public:
    // Per-object bookkeeping for limits and activation tokens; see vm/identity.cpp.
    std::list<std::unique_ptr<struct Tracker>> surface_trackers_;

    // --- clipboard --- (clipboard/, notice/, input/selection.cpp)
    // Per-VM clipboards and primary selections, the Ctrl+Shift+C / Ctrl+Shift+V broker and
    // its on-screen notices. It detaches itself on the seat's and the display's destroy
    // signals, so it is inert by the time this member is destroyed.
    std::unique_ptr<ClipboardSystem, ClipboardSystemDeleter> clipboard;
};

} // namespace spectrum
