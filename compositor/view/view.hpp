// A toplevel window: an xdg_toplevel, its frame, its place on screen, and the policy that
// applies to it (which VM it belongs to decides what it may do).
#pragma once

#include <memory>
#include <string>
#include <utility>

#include "frame.hpp"
#include "listener.hpp"
#include "wlr.hpp"

namespace spectrum {

class Server;
struct Vm;
class TaskbarEntry;

class View {
  public:
    View(Server& server, wlr_xdg_toplevel* toplevel);
    ~View();
    View(const View&) = delete;
    View& operator=(const View&) = delete;

    unsigned id() const { return id_; }
    Vm* vm() const { return vm_; }
    void forget_vm() { vm_ = nullptr; }
    bool mapped() const { return mapped_; }
    const std::string& title() const { return title_; }
    const std::string& app_id() const { return app_id_; }
    bool urgent() const { return urgent_; }
    bool maximized() const { return maximized_; }
    bool fullscreen() const { return fullscreen_; }
    bool minimized() const { return minimized_; }
    wlr_xdg_toplevel* toplevel() const { return toplevel_; }
    wlr_surface* surface() const { return toplevel_->base->surface; }

    // The client's window geometry (surface-local), its size bounded by what this window
    // may show: the VM's limits and output, or the size a maximized window was given.
    wlr_box visible_geometry() const;
    // Content area (the visible window geometry) in layout coordinates.
    wlr_box content_box() const;
    // Content plus frame; equals content_box() for a fullscreen host window.
    wlr_box frame_box() const;
    bool title_bar_at(double lx, double ly) const;
    // What the title bar (and taskbars) read: "[vm] title", "[sandbox] title" for a host
    // client of a security context, the bare title for a host window.
    std::string label_text() const;
    // A host client that came through a security context (a Flatpak app): untrusted.
    bool sandboxed() const { return sandboxed_; }
    // The frame edges (WLR_EDGE_* bits) under a layout point on the border, for resizing by
    // the frame: one edge on a side, two near a corner; 0 off the border, in the title bar,
    // or when the window cannot be resized there (maximized, fullscreen).
    uint32_t frame_edges_at(double lx, double ly) const;
    // The smallest content size the client accepts (its min_size, at least 1x1).
    std::pair<int, int> min_size() const;

    void set_position(int x, int y);
    void request_size(int width, int height);
    void set_focused(bool focused);
    void set_urgent(bool urgent);
    void toggle_maximize();
    void toggle_fullscreen(); // the user's grant: the only path to fullscreen for a VM
    // Hidden, out of focus and input while minimized; focus_view() restores it.
    void set_minimized(bool on);
    // A maximized window takes its output's usable area again (a panel came or went).
    void refit_maximized();
    void close();
    void refresh_style();     // after a reload: colours, border, label
    wlr_scene_tree* scene_tree() const { return tree_; }

  private:
    void handle_map();
    void handle_unmap();
    void handle_commit();
    void set_maximized(bool on);
    void set_fullscreen(bool on);
    // Sizes the window to the output it is on, leaving room for the frame if kept.
    void fill_output(bool keep_frame);
    void update_frame();
    int border() const;
    int title_height() const;

    Server& server_;
    wlr_xdg_toplevel* toplevel_;
    Vm* vm_;
    unsigned id_;
    wlr_scene_tree* tree_;    // at the content's top-left corner
    wlr_scene_tree* content_; // the client's surfaces, clipped to its window geometry
    wlr_scene_tree* popups_;  // popup trees, above the frame
    std::unique_ptr<Frame> frame_;
    int x_ = 0, y_ = 0;
    bool mapped_ = false, placed_ = false, focused_ = false, urgent_ = false;
    bool maximized_ = false, fullscreen_ = false, minimized_ = false;
    bool sandboxed_ = false;
    wlr_box restore_{}; // content box before maximize/fullscreen
    wlr_box applied_geo_{}; // the bounded geometry the frame was last laid out for
    bool frame_valid_ = false;
    float label_scale_ = 1.0f; // the scale the label was last rendered at
    std::string title_, app_id_;
    // How host tools (panels, docks) see this window: titled with the frame's label.
    wlr_ext_foreign_toplevel_handle_v1* foreign_ = nullptr;
    std::unique_ptr<TaskbarEntry> taskbar_; // zwlr_foreign_toplevel_manager_v1 (taskbars)
    void update_foreign();

    Listener<void> map_, unmap_, commit_, destroy_;
    Listener<void> request_move_, request_maximize_, request_fullscreen_, request_minimize_;
    Listener<wlr_xdg_toplevel_resize_event> request_resize_;
    Listener<void> set_title_, set_app_id_;
};

// Popups: framed thinly in the VM's colour, clipped, kept on the output.
void create_popup(Server& server, wlr_xdg_popup* popup);
// Puts the popups of `parent` (and theirs) back inside the output after it moved or changed
// size: a popup and its outline are always entirely on screen.
void place_popups(Server& server, wlr_xdg_surface* parent);

} // namespace spectrum
