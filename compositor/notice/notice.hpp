// The compositor's own notices: one line of text in a box with a coloured border, drawn in
// the overlay layer above every window, so no VM can draw over it or fake it. Clipboard
// transfers use one to say what moved (or why nothing did), and for the confirm prompt;
// the session another, lower down, to say its VM supervisor stopped.
#pragma once

#include <cstdint>
#include <string>

#include "config.hpp"
#include "listener.hpp"
#include "wlr.hpp"

namespace spectrum {

class Server;

class NoticeOverlay {
  public:
    enum class Style { Info, Error };

    // `top`: pixels from the top of the output to the notice. The clipboard's notices take
    // the first row; the session's go on the second, so neither ever covers the other.
    static constexpr int first_row = 40, second_row = 110;
    explicit NoticeOverlay(Server& server, int top = first_row);
    ~NoticeOverlay();
    NoticeOverlay(const NoticeOverlay&) = delete;
    NoticeOverlay& operator=(const NoticeOverlay&) = delete;

    // Replaces any notice. It goes away after `ms` milliseconds, or stays until hide() if 0.
    // Info notices are bordered in `accent` (the VM's colour); errors in amber.
    void show(std::string text, Style style, config::Color accent, uint32_t ms);
    void hide();

    bool visible() const { return visible_; }
    const std::string& text() const { return text_; }
    wlr_box box() const { return box_; } // in layout coordinates

    static constexpr config::Color error_accent{0xf5, 0xa6, 0x23};
    static constexpr config::Color background{0x1e, 0x1f, 0x24};

  private:
    static int handle_timeout(void* data);
    void teardown();

    Server& server_;
    int top_;
    wlr_scene_tree* tree_ = nullptr;
    wlr_scene_rect* border_ = nullptr;
    wlr_scene_rect* fill_ = nullptr;
    wlr_scene_buffer* label_ = nullptr;
    wl_event_source* timer_ = nullptr;
    Listener<void> tree_destroy_;
    struct Hook {
        wl_listener listener; // first: the notify callback casts back from it
        NoticeOverlay* self;
    };
    Hook display_destroy_{};
    std::string text_;
    wlr_box box_{};
    bool visible_ = false;
};

} // namespace spectrum
