// One clipboard and one primary selection per VM (and one for the host), and drag and drop
// kept inside a VM (DESIGN.md, security model 5).
//
// Each domain keeps its own current source. The seat — which wlroots offers to the
// keyboard-focused client only — holds proxies for the focused window's domain alone; when
// the keyboard moves to another domain the router clears the seat's selections *before*
// wlroots sends them to the newly focused client, then offers that domain's. A proxy also
// refuses any reader from another domain (a host data-control client, or a stale offer).
#pragma once

#include <list>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "listener.hpp"
#include "wlr.hpp"

namespace spectrum {

class Server;

class SelectionRouter {
  public:
    explicit SelectionRouter(Server& server);
    ~SelectionRouter();
    SelectionRouter(const SelectionRouter&) = delete;
    SelectionRouter& operator=(const SelectionRouter&) = delete;

    // wlroots' request_set_selection / request_set_primary_selection: the request is the
    // requesting client's domain's (see requester()), whatever window has the focus.
    void request_selection(wlr_data_source* source, uint32_t serial);
    void request_primary(wlr_primary_selection_source* source, uint32_t serial);
    // A pointer drag about to start: it may enter surfaces of its own domain only.
    void keep_drag_in_domain(wlr_drag* drag);

    // The compositor's own source becomes `domain`'s clipboard (a paste). The router owns it
    // from now on and destroys it when the domain's clipboard changes again.
    void set_owned_selection(const std::string& domain, wlr_data_source* source);
    // The domain's current clipboard source (what a copy reads), or nullptr.
    wlr_data_source* selection_of(const std::string& domain) const;

    // true if the request being dispatched comes from a client of `domain`; logs a refusal.
    bool reader_in(const std::string& domain, const char* what) const;

  private:
    template <class Source> struct Held {
        Source* source = nullptr;
        uint32_t serial = 0;
        bool owned = false; // the compositor's, destroyed by us
        Listener<void> destroy;
    };
    struct Slot {
        Held<wlr_data_source> clipboard;
        Held<wlr_primary_selection_source> primary;
    };
    // A raw wl_listener for libwayland's add_*_listener calls; `listener` first, so the
    // notify callback casts back to the whole hook.
    struct Hook {
        wl_listener listener;
        SelectionRouter* router;
    };

    Slot& slot(const std::string& domain);
    const Slot* find_slot(const std::string& domain) const;
    template <class Source>
    void hold(Held<Source>& held, Source* source, uint32_t serial, bool owned, const std::string& domain);
    template <class Source> void offer(const Held<Source>* held, const std::string& domain);
    void offer_domain(const std::optional<std::string>& domain);
    void clear_seat();
    // The domain that owns the keyboard when it is on `surface` (the host's when nothing).
    static std::optional<std::string> focus_domain(wlr_surface* surface);

    // Around every keyboard focus change (wlroots' default keyboard grab, wrapped).
    void before_keyboard_enter(wlr_surface* surface);
    void after_keyboard_enter();
    static const wlr_keyboard_grab_interface isolating_keyboard_grab;
    static const wlr_pointer_grab_interface domain_drag_grab;

    // Whose request libwayland is dispatching now (Server::requests).
    wl_client* requester() const;
    void teardown();

    Server& server_;
    wlr_seat* seat_;
    std::map<std::string, std::unique_ptr<Slot>, std::less<>> slots_;
    std::optional<std::string> offered_; // whose proxies the seat holds; nullopt: none
    const wlr_keyboard_grab_interface* wlroots_keyboard_grab_ = nullptr;
    const wlr_pointer_grab_interface* wlroots_drag_grab_ = nullptr;
    Hook display_destroy_{};
    Listener<void> seat_destroy_;
    bool torn_down_ = false;
};

} // namespace spectrum
