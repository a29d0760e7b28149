#include "shm_buffer.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <sys/mman.h>
#include <unistd.h>

namespace bench {

std::unique_ptr<ShmBuffer> ShmBuffer::create(wl_shm* shm, int width, int height,
                                             std::function<void(ShmBuffer&)> on_release) {
    std::unique_ptr<ShmBuffer> b(new ShmBuffer);
    b->width_ = width;
    b->height_ = height;
    const int stride = width * 4;
    b->size_ = static_cast<std::size_t>(stride) * static_cast<std::size_t>(height);
    b->on_release_ = std::move(on_release);

    const int fd = memfd_create("spectrum-bench", MFD_CLOEXEC);
    if (fd < 0 || ftruncate(fd, static_cast<off_t>(b->size_)) < 0) {
        std::fprintf(stderr, "spectrum-bench-client: cannot make a %dx%d buffer: %s\n", width, height,
                     std::strerror(errno));
        if (fd >= 0) close(fd);
        return nullptr;
    }
    b->map_ = mmap(nullptr, b->size_, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (b->map_ == MAP_FAILED) {
        std::fprintf(stderr, "spectrum-bench-client: cannot map a %dx%d buffer: %s\n", width, height,
                     std::strerror(errno));
        b->map_ = nullptr;
        close(fd);
        return nullptr;
    }
    b->pixels_ = {static_cast<std::uint32_t*>(b->map_), b->size_ / 4};
    wl_shm_pool* pool = wl_shm_create_pool(shm, fd, static_cast<std::int32_t>(b->size_));
    b->buffer_ = wl_shm_pool_create_buffer(pool, 0, width, height, stride, WL_SHM_FORMAT_XRGB8888);
    wl_shm_pool_destroy(pool);
    close(fd);

    static const wl_buffer_listener listener = {.release = &ShmBuffer::handle_release};
    wl_buffer_add_listener(b->buffer_, &listener, b.get());
    return b;
}

ShmBuffer::~ShmBuffer() {
    if (buffer_) wl_buffer_destroy(buffer_);
    if (map_) munmap(map_, size_);
}

void ShmBuffer::handle_release(void* data, wl_buffer*) {
    auto* self = static_cast<ShmBuffer*>(data);
    self->busy_ = false;
    if (self->on_release_) self->on_release_(*self);
}

void ShmBuffer::fill(Rect rect, std::uint32_t colour) {
    const int x0 = std::clamp(rect.x, 0, width_), x1 = std::clamp(rect.x + rect.width, 0, width_);
    const int y0 = std::clamp(rect.y, 0, height_), y1 = std::clamp(rect.y + rect.height, 0, height_);
    if (x0 >= x1) return;
    for (int y = y0; y < y1; ++y) {
        auto row = pixels_.subspan(static_cast<std::size_t>(y) * static_cast<std::size_t>(width_));
        std::fill(row.begin() + x0, row.begin() + x1, colour);
    }
}

void ShmBuffer::attach(wl_surface* surface) {
    wl_surface_attach(surface, buffer_, 0, 0);
    busy_ = true;
}

} // namespace bench
