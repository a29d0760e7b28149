#include "window.hpp"

#include <algorithm>
#include <chrono>
#include <climits>
#include <format>
#include <thread>

namespace bench {

const xdg_surface_listener Window::surface_listener_ = {
    .configure = [](void* data, xdg_surface*, std::uint32_t serial) {
        static_cast<Window*>(data)->handle_configure(serial);
    },
};

const xdg_toplevel_listener Window::toplevel_listener_ = {
    .configure = [](void* data, xdg_toplevel*, std::int32_t width, std::int32_t height, wl_array*) {
        auto* self = static_cast<Window*>(data);
        self->pending_width_ = width;
        self->pending_height_ = height;
    },
    // The benchmark decides when windows go away; a close request changes nothing.
    .close = [](void*, xdg_toplevel*) {},
};

const wl_surface_listener Window::wl_surface_listener_ = {
    .enter = [](void*, wl_surface*, wl_output*) {},
    .leave = [](void*, wl_surface*, wl_output*) {},
    .preferred_buffer_scale = [](void* data, wl_surface*, std::int32_t scale) {
        static_cast<Window*>(data)->set_scale(scale);
    },
    .preferred_buffer_transform = [](void*, wl_surface*, std::uint32_t) {},
};

const wl_callback_listener Window::frame_listener_ = {
    .done = [](void* data, wl_callback*, std::uint32_t) {
        static_cast<Window*>(data)->handle_frame_done();
    },
};

const wp_presentation_feedback_listener Window::feedback_listener_ = {
    .sync_output = [](void*, struct wp_presentation_feedback*, wl_output*) {},
    .presented = [](void* data, struct wp_presentation_feedback*, std::uint32_t sec_hi, std::uint32_t sec_lo,
                    std::uint32_t nsec, std::uint32_t refresh, std::uint32_t, std::uint32_t, std::uint32_t) {
        auto* fb = static_cast<Feedback*>(data);
        const std::uint64_t sec = (std::uint64_t{sec_hi} << 32) | sec_lo;
        fb->window->handle_feedback(fb, sec * 1'000'000'000u + nsec, refresh);
    },
    .discarded = [](void* data, struct wp_presentation_feedback*) {
        auto* fb = static_cast<Feedback*>(data);
        fb->window->handle_feedback(fb, std::nullopt, 0);
    },
};

Window::Window(Connection& connection, Collector& collector, const Options& options, int index)
    : connection_(connection), collector_(collector), options_(options), index_(index),
      width_(options.width), height_(options.height) {
    surface_ = wl_compositor_create_surface(connection.compositor);
    wl_surface_add_listener(surface_, &wl_surface_listener_, this);
    xdg_surface_ = xdg_wm_base_get_xdg_surface(connection.wm_base, surface_);
    xdg_surface_add_listener(xdg_surface_, &surface_listener_, this);
    toplevel_ = xdg_surface_get_toplevel(xdg_surface_);
    xdg_toplevel_add_listener(toplevel_, &toplevel_listener_, this);
    const std::string title = std::format("{} {}", options.title, index);
    xdg_toplevel_set_title(toplevel_, title.c_str());
    xdg_toplevel_set_app_id(toplevel_, "spectrum-bench");
    if (connection.decoration_manager) {
        // The compositor's answer (its configure event) needs no handling: the client never
        // draws decorations of its own either way.
        decoration_ = zxdg_decoration_manager_v1_get_toplevel_decoration(connection.decoration_manager, toplevel_);
        zxdg_toplevel_decoration_v1_set_mode(decoration_, ZXDG_TOPLEVEL_DECORATION_V1_MODE_SERVER_SIDE);
    }
    // The initial commit asks for the first configure; nothing is drawn before it.
    wl_surface_commit(surface_);
}

Window::~Window() {
    for (auto& fb : feedbacks_) wp_presentation_feedback_destroy(fb.feedback);
    if (frame_callback_) wl_callback_destroy(frame_callback_);
    if (decoration_) zxdg_toplevel_decoration_v1_destroy(decoration_);
    xdg_toplevel_destroy(toplevel_);
    xdg_surface_destroy(xdg_surface_);
    wl_surface_destroy(surface_);
}

void Window::handle_configure(std::uint32_t serial) {
    xdg_surface_ack_configure(xdg_surface_, serial);
    // Zero means "pick your own size": keep the size asked for on the command line.
    const int width = pending_width_ > 0 ? pending_width_ : options_.width;
    const int height = pending_height_ > 0 ? pending_height_ : options_.height;
    const bool resized = width != width_ || height != height_;
    width_ = width;
    height_ = height;
    if (resized) {
        // Old buffers still held by the compositor are freed when it lets go of them.
        for (auto& b : buffers_)
            if (b->busy()) retired_.push_back(std::move(b));
        buffers_.clear();
        full_damage_next_ = true;
    }
    // A configure takes effect with the next commit: draw now unless a frame callback is
    // on its way (its redraw picks up the new size).
    configured_ = true;
    if (!frame_callback_) redraw();
}

void Window::set_scale(int scale) {
    scale = std::clamp(scale, 1, 8);
    if (scale == scale_) return;
    scale_ = scale;
    for (auto& b : buffers_)
        if (b->busy()) retired_.push_back(std::move(b));
    buffers_.clear();
    full_damage_next_ = true;
    if (configured_ && !frame_callback_) redraw();
}

void Window::handle_frame_done() {
    wl_callback_destroy(frame_callback_);
    frame_callback_ = nullptr;
    if (options_.draw_ms > 0) std::this_thread::sleep_for(std::chrono::duration<double, std::milli>(options_.draw_ms));
    redraw();
}

void Window::handle_release() {
    std::erase_if(retired_, [](const auto& b) { return !b->busy(); });
    if (waiting_for_buffer_) redraw();
}

void Window::handle_feedback(Feedback* fb, std::optional<std::uint64_t> presented_ns, std::uint32_t refresh_ns) {
    shown_ = true;
    if (presented_ns) collector_.presented(index_, fb->commit_ns, *presented_ns, refresh_ns);
    else collector_.discarded(fb->commit_ns);
    wp_presentation_feedback_destroy(fb->feedback);
    feedbacks_.remove_if([fb](const Feedback& f) { return &f == fb; });
}

ShmBuffer* Window::free_buffer() {
    for (auto& b : buffers_)
        if (!b->busy()) return b.get();
    if (buffers_.size() >= static_cast<std::size_t>(options_.buffers)) return nullptr;
    auto buffer = ShmBuffer::create(connection_.shm, width_ * scale_, height_ * scale_,
                                    [this](ShmBuffer&) { handle_release(); });
    if (!buffer) return nullptr;
    // A fresh buffer starts as the background with no square: the pattern is drawn over it.
    buffer->fill_all(background_colour(index_));
    buffers_.push_back(std::move(buffer));
    return buffers_.back().get();
}

void Window::redraw() {
    ShmBuffer* buffer = free_buffer();
    if (!buffer) {
        waiting_for_buffer_ = true;
        return;
    }
    waiting_for_buffer_ = false;
    const bool new_size = full_damage_next_; // first frame, or a new size or scale
    if (options_.damage == Damage::Full) draw_full(*buffer);
    else draw_small(*buffer);
    full_damage_next_ = false;

    if (connection_.compositor_version >= 3) wl_surface_set_buffer_scale(surface_, scale_);
    if (options_.opaque_region && new_size) {
        // XRGB pixels are opaque by their format already; many toolkits say so too.
        wl_region* region = wl_compositor_create_region(connection_.compositor);
        wl_region_add(region, 0, 0, width_, height_);
        wl_surface_set_opaque_region(surface_, region);
        wl_region_destroy(region);
    }
    buffer->attach(surface_);
    frame_callback_ = wl_surface_frame(surface_);
    wl_callback_add_listener(frame_callback_, &frame_listener_, this);
    Feedback& fb = feedbacks_.emplace_back(
        Feedback{this, wp_presentation_feedback(connection_.presentation, surface_), 0});
    wp_presentation_feedback_add_listener(fb.feedback, &feedback_listener_, &fb);
    fb.commit_ns = connection_.now_ns();
    wl_surface_commit(surface_);
    collector_.committed(index_, fb.commit_ns);
    if (frame_++ == 0) first_commit_ns_ = fb.commit_ns;
}

void Window::draw_small(ShmBuffer& buffer) {
    const Rect next = square_at(frame_, buffer.width(), buffer.height());
    for (const Rect& r : changed_rects(buffer.square, next))
        buffer.fill(r, r == next ? square_colour(index_) : background_colour(index_));
    buffer.square = next;
    if (full_damage_next_) {
        wl_surface_damage_buffer(surface_, 0, 0, INT32_MAX, INT32_MAX);
    } else {
        for (const Rect& r : changed_rects(committed_square_, next))
            wl_surface_damage_buffer(surface_, r.x, r.y, r.width, r.height);
    }
    committed_square_ = next;
}

void Window::draw_full(ShmBuffer& buffer) {
    buffer.fill_all(full_frame_colour(index_, frame_));
    buffer.square.reset();
    wl_surface_damage_buffer(surface_, 0, 0, INT32_MAX, INT32_MAX);
}

} // namespace bench
