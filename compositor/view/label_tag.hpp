// The VM label stays readable whatever covers what. The focused window is always on top of
// the windows, so its title bar is shown in full; a window whose title bar another window
// covers shows its full label in a tag beside the pointer while the pointer is on any
// visible part of its frame. The tag is the compositor's, in the overlay layer above every
// window, in the window's frame colour with a dark outline.
#pragma once

#include <string>

#include "listener.hpp"
#include "wlr.hpp"

namespace spectrum {

class Server;
class View;

class LabelTag {
  public:
    explicit LabelTag(Server& server);
    ~LabelTag();
    LabelTag(const LabelTag&) = delete;
    LabelTag& operator=(const LabelTag&) = delete;

    // The pointer is at (lx, ly) over `view`'s frame (not its content): tag it if its
    // title bar is covered, else hide the tag.
    void hover(View& view, double lx, double ly);
    void hide();
    // The window is going (unmapped, minimized, closed): no tag left naming it.
    void forget(unsigned view_id);
    bool visible() const { return view_id_ != 0; }

  private:
    Server& server_;
    wlr_scene_tree* tree_ = nullptr;
    wlr_scene_rect* outline_ = nullptr;
    wlr_scene_buffer* label_ = nullptr;
    Listener<void> tree_destroy_;
    unsigned view_id_ = 0;
    std::string text_;
    float scale_ = 0.0f;
    int width_ = 0, height_ = 0;
};

// Whether a window above `view` covers any of its title bar.
bool title_bar_covered(Server& server, View& view);

} // namespace spectrum
