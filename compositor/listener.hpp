// RAII wrapper for a wl_listener: connects a callable to a wl_signal and disconnects in its
// destructor, so an object that owns its listeners as members can never leave one dangling.
#pragma once

#include <functional>
#include <utility>

#include "wlr.hpp"

namespace spectrum {

template <typename Data = void> class Listener {
  public:
    using Callback = std::function<void(Data*)>;

    Listener() { wl_list_init(&link_.listener.link); link_.self = this; }
    explicit Listener(Callback callback) : Listener() { callback_ = std::move(callback); }
    Listener(wl_signal* signal, Callback callback) : Listener(std::move(callback)) {
        connect(signal);
    }
    ~Listener() { disconnect(); }

    // Listeners are linked into wlroots lists by address: never copied or moved.
    Listener(const Listener&) = delete;
    Listener& operator=(const Listener&) = delete;

    void connect(wl_signal* signal) {
        disconnect();
        link_.listener.notify = &Listener::notify;
        wl_signal_add(signal, &link_.listener);
    }
    void connect(wl_signal* signal, Callback callback) {
        callback_ = std::move(callback);
        connect(signal);
    }
    void disconnect() {
        wl_list_remove(&link_.listener.link);
        wl_list_init(&link_.listener.link);
    }
    bool connected() const { return !wl_list_empty(&link_.listener.link); }

  private:
    static void notify(wl_listener* listener, void* data) {
        // `listener` is the first member of a standard-layout Link.
        Listener* self = reinterpret_cast<Link*>(listener)->self;
        // Copy first: the callback may destroy this listener's owner.
        auto callback = self->callback_;
        callback(static_cast<Data*>(data));
    }

    struct Link {
        wl_listener listener;
        Listener* self;
    };
    Link link_{};
    Callback callback_;
};

} // namespace spectrum
