// The host's desktop protocols: taskbars (zwlr_foreign_toplevel_manager_v1), output setup
// (zwlr_output_manager_v1: wlr-randr, kanshi), night light (zwlr_gamma_control_manager_v1)
// and sandboxed host apps (wp_security_context_manager_v1). All but the last are host-only:
// the global filter keeps them from VM clients and from clients of a security context,
// which see the VM allow-list only.
#pragma once

#include <memory>

#include "listener.hpp"
#include "wlr.hpp"

namespace spectrum {

class Server;
class View;

class DesktopProtocols {
  public:
    explicit DesktopProtocols(Server& server);
    ~DesktopProtocols();
    DesktopProtocols(const DesktopProtocols&) = delete;
    DesktopProtocols& operator=(const DesktopProtocols&) = delete;

    // A client that connected through a security context (a Flatpak app, say): untrusted.
    bool sandboxed(const wl_client* client) const;
    wlr_foreign_toplevel_manager_v1* toplevels() const { return toplevel_manager_; }
    // The output configuration has changed: tell output-management clients (once, later).
    void outputs_changed();

  private:
    void send_output_configuration();
    void apply_output_configuration(wlr_output_configuration_v1* config, bool test_only);

    Server& server_;
    wlr_foreign_toplevel_manager_v1* toplevel_manager_ = nullptr;
    wlr_output_manager_v1* output_manager_ = nullptr;
    wlr_gamma_control_manager_v1* gamma_ = nullptr;
    wlr_security_context_manager_v1* security_ = nullptr;
    wl_event_source* send_idle_ = nullptr;

    Listener<wlr_output_configuration_v1> apply_, test_;
    Listener<wlr_gamma_control_manager_v1_set_gamma_event> set_gamma_;
    Listener<void> layout_change_;
};

// One window as a taskbar sees it: "[vm] title", app id "vm.app", its state and outputs; the
// taskbar may activate, minimize, maximize and close it.
class TaskbarEntry {
  public:
    TaskbarEntry(Server& server, View& view);
    ~TaskbarEntry();
    TaskbarEntry(const TaskbarEntry&) = delete;
    TaskbarEntry& operator=(const TaskbarEntry&) = delete;

    void update(const char* title, const char* app_id);
    // Which outputs the window is on (after it moved or resized).
    void update_outputs();

  private:
    Server& server_;
    View& view_;
    wlr_foreign_toplevel_handle_v1* handle_;
    Listener<wlr_foreign_toplevel_handle_v1_activated_event> activate_;
    Listener<wlr_foreign_toplevel_handle_v1_minimized_event> minimize_;
    Listener<wlr_foreign_toplevel_handle_v1_maximized_event> maximize_;
    Listener<void> close_;
};

} // namespace spectrum
