// The icon a client drags under the pointer. An icon follows the pointer anywhere on screen,
// so a VM's is held to what an icon needs — at most `max_vm_icon` pixels a side — and
// outlined in the VM's colour like its popups: no VM can carry a picture of another VM's
// window across the desktop. Host icons are drawn as they come.
#pragma once

#include <optional>

#include "listener.hpp"
#include "outline.hpp"
#include "wlr.hpp"

namespace spectrum {

class Server;
struct Vm;

class DragIcon {
  public:
    static constexpr int max_vm_icon = 128;
    static constexpr int border = 2;

    // Goes by itself (Server::drag_icon is reset) when wlroots destroys the icon.
    DragIcon(Server& server, wlr_drag_icon* icon);
    ~DragIcon();
    DragIcon(const DragIcon&) = delete;
    DragIcon& operator=(const DragIcon&) = delete;

    // The pointer's position, in layout coordinates.
    void move_to(double x, double y);

  private:
    void handle_commit();

    Server& server_;
    wlr_drag_icon* icon_;
    Vm* vm_;
    wlr_scene_tree* tree_;
    wlr_scene_tree* content_;
    std::optional<Outline> outline_; // VM icons only
    int dx_ = 0, dy_ = 0; // the icon's offset from the pointer (wl_surface.offset / attach)
    Listener<void> commit_, destroy_;
};

} // namespace spectrum
