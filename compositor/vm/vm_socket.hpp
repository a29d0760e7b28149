// The listening socket of one VM: $XDG_RUNTIME_DIR/spectrum/vm/<name>/wayland-0.
//
// Made by hand rather than with wl_display_add_socket() so that every accepted connection
// can be tagged with its VM before it sends a single request.
#pragma once

#include <expected>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "unix_listener.hpp"
#include "wlr.hpp"

namespace spectrum {

class VmSocket {
  public:
    using AcceptFn = std::function<void(int fd)>;

    // Creates the directory (0700) and the socket; a live socket is never stolen.
    static std::expected<std::unique_ptr<VmSocket>, std::string>
    create(wl_event_loop* loop, const std::filesystem::path& dir, AcceptFn on_accept);
    ~VmSocket();

    VmSocket(const VmSocket&) = delete;
    VmSocket& operator=(const VmSocket&) = delete;

    const std::filesystem::path& path() const { return listener_->path(); }

  private:
    VmSocket() = default;
    static int handle_readable(int fd, uint32_t mask, void* data);

    std::filesystem::path dir_;
    std::unique_ptr<UnixListener> listener_;
    wl_event_source* source_ = nullptr;
    AcceptFn on_accept_;
};

} // namespace spectrum
