// One wl_shm buffer in its own memfd: XRGB8888 pixels the client draws into while the
// compositor is not holding it.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>

#include <wayland-client.h>

#include "damage_pattern.hpp"

namespace bench {

class ShmBuffer {
  public:
    // nullptr after printing why (out of memory, no memfd).
    static std::unique_ptr<ShmBuffer> create(wl_shm* shm, int width, int height,
                                             std::function<void(ShmBuffer&)> on_release);
    ~ShmBuffer();
    ShmBuffer(const ShmBuffer&) = delete;
    ShmBuffer& operator=(const ShmBuffer&) = delete;

    void fill(Rect rect, std::uint32_t colour);
    void fill_all(std::uint32_t colour) { fill({0, 0, width_, height_}, colour); }

    // Attaches to `surface`; the buffer is busy until the compositor releases it.
    void attach(wl_surface* surface);

    int width() const { return width_; }
    int height() const { return height_; }
    bool busy() const { return busy_; }

    // Where this buffer last had the square drawn (small damage), so reusing it only
    // repaints what changed; nullopt after a full fill.
    std::optional<Rect> square;

  private:
    ShmBuffer() = default;
    static void handle_release(void* data, wl_buffer* buffer);

    wl_buffer* buffer_ = nullptr;
    std::span<std::uint32_t> pixels_;
    void* map_ = nullptr;
    std::size_t size_ = 0;
    int width_ = 0, height_ = 0;
    bool busy_ = false;
    std::function<void(ShmBuffer&)> on_release_;
};

} // namespace bench
