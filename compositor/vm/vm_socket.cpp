#include "vm_socket.hpp"

#include <sys/socket.h>
#include <unistd.h>

namespace spectrum {

std::expected<std::unique_ptr<VmSocket>, std::string>
VmSocket::create(wl_event_loop* loop, const std::filesystem::path& dir, AcceptFn on_accept) {
    std::unique_ptr<VmSocket> self(new VmSocket());
    self->dir_ = dir;
    self->on_accept_ = std::move(on_accept);
    if (auto ok = make_private_dir(dir); !ok) return std::unexpected(ok.error());
    auto listener = UnixListener::create(dir / "wayland-0");
    if (!listener) return std::unexpected(listener.error().message);
    self->listener_ = std::move(*listener);
    self->source_ = wl_event_loop_add_fd(loop, self->listener_->fd(), WL_EVENT_READABLE,
                                         &VmSocket::handle_readable, self.get());
    return self;
}

VmSocket::~VmSocket() {
    if (source_) wl_event_source_remove(source_);
    listener_.reset();
    rmdir(dir_.c_str()); // only if empty: nothing else of ours lives there
}

int VmSocket::handle_readable(int fd, uint32_t, void* data) {
    auto* self = static_cast<VmSocket*>(data);
    // Drain every pending connection; each becomes a client of this VM.
    for (;;) {
        int client = accept4(fd, nullptr, nullptr, SOCK_CLOEXEC);
        if (client < 0) break;
        self->on_accept_(client);
    }
    return 0;
}

} // namespace spectrum
