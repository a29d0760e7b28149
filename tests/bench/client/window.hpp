// One benchmark window: an xdg toplevel that redraws on every frame callback, asking for
// presentation feedback on every commit.
#pragma once

#include <cstdint>
#include <list>
#include <memory>
#include <optional>
#include <vector>

#include "connection.hpp"
#include "damage_pattern.hpp"
#include "options.hpp"
#include "shm_buffer.hpp"
#include "stats.hpp"

namespace bench {

class Window {
  public:
    Window(Connection& connection, Collector& collector, const Options& options, int index);
    ~Window();
    Window(const Window&) = delete;
    Window& operator=(const Window&) = delete;

    // True once the compositor has said what became of at least one commit: the window is
    // mapped and in the steady redraw loop.
    bool shown() const { return shown_; }
    // When the first frame was committed (0: not yet): a window mapped wholly under others
    // never hears back, so readiness cannot wait for it forever.
    std::uint64_t first_commit_ns() const { return first_commit_ns_; }
    std::uint64_t commits() const { return frame_; }
    int logical_width() const { return width_; }
    int logical_height() const { return height_; }
    int scale() const { return scale_; }

  private:
    struct Feedback {
        Window* window;
        struct wp_presentation_feedback* feedback; // "struct": a request has the same name
        std::uint64_t commit_ns;
    };

    static const xdg_surface_listener surface_listener_;
    static const xdg_toplevel_listener toplevel_listener_;
    static const wl_surface_listener wl_surface_listener_;
    static const wl_callback_listener frame_listener_;
    static const wp_presentation_feedback_listener feedback_listener_;

    void handle_configure(std::uint32_t serial);
    void handle_frame_done();
    void handle_release();
    void handle_feedback(Feedback* fb, std::optional<std::uint64_t> presented_ns, std::uint32_t refresh_ns);
    void set_scale(int scale);

    // Draws the next frame into a free buffer and commits it; waits for a release if every
    // buffer is still held by the compositor.
    void redraw();
    ShmBuffer* free_buffer();
    void draw_small(ShmBuffer& buffer);
    void draw_full(ShmBuffer& buffer);

    Connection& connection_;
    Collector& collector_;
    const Options& options_;
    const int index_;

    wl_surface* surface_ = nullptr;
    xdg_surface* xdg_surface_ = nullptr;
    xdg_toplevel* toplevel_ = nullptr;
    zxdg_toplevel_decoration_v1* decoration_ = nullptr;
    wl_callback* frame_callback_ = nullptr;
    std::list<Feedback> feedbacks_;
    std::vector<std::unique_ptr<ShmBuffer>> buffers_;
    // Buffers of an old size, still held by the compositor; freed on release.
    std::vector<std::unique_ptr<ShmBuffer>> retired_;

    int width_, height_;          // logical size
    int pending_width_ = 0, pending_height_ = 0;
    int scale_ = 1;
    bool configured_ = false;
    bool waiting_for_buffer_ = false;
    bool full_damage_next_ = true; // first frame, new size or new scale
    bool shown_ = false;
    std::uint64_t frame_ = 0;
    std::uint64_t first_commit_ns_ = 0;
    std::optional<Rect> committed_square_;
};

} // namespace bench
