#include "selection_router.hpp"

#include <cstdint>
#include <type_traits>

#include "clipboard_policy.hpp"
#include "domain.hpp"
#include "proxy_source.hpp"
#include "request_tracker.hpp"
#include "server.hpp"

namespace spectrum {

namespace {

void destroy_source(wlr_data_source* source) { wlr_data_source_destroy(source); }
void destroy_source(wlr_primary_selection_source* source) { wlr_primary_selection_source_destroy(source); }

// wlroots' own test: a serial more than half the range behind is older, not newer.
bool older(uint32_t serial, uint32_t than) { return serial - than > UINT32_MAX / 2; }

} // namespace

SelectionRouter::SelectionRouter(Server& server) : server_(server), seat_(server.seat) {
    display_destroy_.router = this;
    display_destroy_.listener.notify = [](wl_listener* listener, void*) {
        reinterpret_cast<Hook*>(listener)->router->teardown();
    };
    wl_display_add_destroy_listener(server.display, &display_destroy_.listener);
    seat_destroy_.connect(&seat_->events.destroy, [this](void*) {
        // The seat frees its proxies and its default grab itself; nothing of it is ours.
        seat_destroy_.disconnect();
        seat_ = nullptr;
        offered_.reset();
    });

    // Every keyboard focus change goes through the seat's default grab: wrap it so that the
    // old domain's selections are gone before wlroots offers the seat's to the new client.
    wlr_seat_keyboard_grab* grab = seat_->keyboard_state.default_grab;
    wlroots_keyboard_grab_ = grab->interface;
    grab->interface = &isolating_keyboard_grab;
    grab->data = this;
    offer_domain(focus_domain(nullptr));
}

SelectionRouter::~SelectionRouter() { teardown(); }

void SelectionRouter::teardown() {
    if (torn_down_) return;
    torn_down_ = true;
    wl_list_remove(&display_destroy_.listener.link);
    if (seat_) {
        clear_seat();
        seat_->keyboard_state.default_grab->interface = wlroots_keyboard_grab_;
        seat_->keyboard_state.default_grab->data = nullptr;
        seat_destroy_.disconnect();
        seat_ = nullptr;
    }
    for (auto& [domain, slot] : slots_) {
        slot->clipboard.destroy.disconnect();
        slot->primary.destroy.disconnect();
        if (slot->clipboard.owned) destroy_source(slot->clipboard.source);
        if (slot->primary.owned) destroy_source(slot->primary.source);
    }
    slots_.clear();
}

// --- who is asking --------------------------------------------------------------------------

wl_client* SelectionRouter::requester() const { return server_.requests->current(); }

bool SelectionRouter::reader_in(const std::string& domain, const char* what) const {
    wl_client* const client = requester();
    const auto reader = client_domain(client);
    if (client && reader && *reader == domain) return true;
    wlr_log(WLR_INFO, "clipboard: a client of %s asked for the %s of %s; refused",
            reader ? reader->c_str() : "nothing", what, domain.c_str());
    return false;
}

// --- per-domain selections -------------------------------------------------------------------

SelectionRouter::Slot& SelectionRouter::slot(const std::string& domain) {
    auto it = slots_.find(domain);
    if (it == slots_.end()) it = slots_.emplace(domain, std::make_unique<Slot>()).first;
    return *it->second;
}

const SelectionRouter::Slot* SelectionRouter::find_slot(const std::string& domain) const {
    auto it = slots_.find(domain);
    return it == slots_.end() ? nullptr : it->second.get();
}

wlr_data_source* SelectionRouter::selection_of(const std::string& domain) const {
    const Slot* s = find_slot(domain);
    return s ? s->clipboard.source : nullptr;
}

template <class Source>
void SelectionRouter::hold(Held<Source>& held, Source* source, uint32_t serial, bool owned,
                           const std::string& domain) {
    Source* old = held.source;
    held.destroy.disconnect();
    held.source = source;
    held.serial = serial;
    held.owned = owned;
    if (source) {
        held.destroy.connect(&source->events.destroy, [this, &held, domain](void*) {
            // The client destroyed its source (or exited): the domain's selection is empty.
            held.destroy.disconnect();
            held.source = nullptr;
            held.owned = false;
            if (offered_ == domain) offer(&held, domain);
        });
    }
    if (offered_ == domain) offer(&held, domain);
    // Replaced only now, once the seat no longer holds a proxy of it. A client's source is
    // told it was cancelled, as wlr_seat_set_selection would; ours is freed.
    if (old && old != source) destroy_source(old);
}

template <class Source> void SelectionRouter::offer(const Held<Source>* held, const std::string& domain) {
    if (!seat_) return;
    Source* target = held ? held->source : nullptr;
    if constexpr (std::is_same_v<Source, wlr_data_source>) {
        // The serial is the domain's own: wlroots then rejects a request of this domain
        // that is older than its current selection, and only those.
        wlr_seat_set_selection(seat_, target ? create_clipboard_proxy(*this, target, domain) : nullptr,
                               target ? held->serial : 0);
    } else {
        wlr_seat_set_primary_selection(seat_, target ? create_primary_proxy(*this, target, domain) : nullptr,
                                       target ? held->serial : 0);
    }
}

void SelectionRouter::offer_domain(const std::optional<std::string>& domain) {
    offered_ = domain;
    const Slot* s = domain ? find_slot(*domain) : nullptr;
    const std::string name = domain.value_or("");
    offer(s ? &s->clipboard : static_cast<const Held<wlr_data_source>*>(nullptr), name);
    offer(s ? &s->primary : static_cast<const Held<wlr_primary_selection_source>*>(nullptr), name);
}

void SelectionRouter::clear_seat() {
    offered_.reset();
    if (!seat_) return;
    wlr_seat_set_selection(seat_, nullptr, 0);
    wlr_seat_set_primary_selection(seat_, nullptr, 0);
}

void SelectionRouter::request_selection(wlr_data_source* source, uint32_t serial) {
    const auto domain = client_domain(requester());
    if (!domain) return; // a VM client whose VM is gone shares nothing, not even with itself
    Slot& s = slot(*domain);
    if (s.clipboard.source && older(serial, s.clipboard.serial)) return; // superseded
    hold(s.clipboard, source, serial, false, *domain);
}

void SelectionRouter::request_primary(wlr_primary_selection_source* source, uint32_t serial) {
    const auto domain = client_domain(requester());
    if (!domain) return;
    Slot& s = slot(*domain);
    if (s.primary.source && older(serial, s.primary.serial)) return;
    hold(s.primary, source, serial, false, *domain);
}

void SelectionRouter::set_owned_selection(const std::string& domain, wlr_data_source* source) {
    // Newer than anything the domain's clients were given so far: a later copy in the VM
    // (with a later key press's serial) replaces it, an older one does not.
    hold(slot(domain).clipboard, source, wl_display_next_serial(server_.display), true, domain);
}

// --- keyboard focus ----------------------------------------------------------------------------

std::optional<std::string> SelectionRouter::focus_domain(wlr_surface* surface) {
    // No window focused: the host's selections, for host tools (data-control) to use.
    return surface ? surface_domain(surface) : std::optional<std::string>(policy::kHostDomain);
}

void SelectionRouter::before_keyboard_enter(wlr_surface* surface) {
    if (!seat_ || seat_->keyboard_state.focused_surface == surface) return;
    if (focus_domain(surface) != offered_) clear_seat();
}

void SelectionRouter::after_keyboard_enter() {
    if (!seat_) return;
    const auto now = focus_domain(seat_->keyboard_state.focused_surface);
    if (now != offered_) offer_domain(now);
}

const wlr_keyboard_grab_interface SelectionRouter::isolating_keyboard_grab = {
    .enter =
        [](wlr_seat_keyboard_grab* grab, wlr_surface* surface, const uint32_t keycodes[], size_t num_keycodes,
           const wlr_keyboard_modifiers* modifiers) {
            auto* self = static_cast<SelectionRouter*>(grab->data);
            self->before_keyboard_enter(surface);
            self->wlroots_keyboard_grab_->enter(grab, surface, keycodes, num_keycodes, modifiers);
            self->after_keyboard_enter();
        },
    .clear_focus =
        [](wlr_seat_keyboard_grab* grab) {
            auto* self = static_cast<SelectionRouter*>(grab->data);
            self->before_keyboard_enter(nullptr);
            self->wlroots_keyboard_grab_->clear_focus(grab);
            self->after_keyboard_enter();
        },
    .key =
        [](wlr_seat_keyboard_grab* grab, uint32_t time_msec, uint32_t key, uint32_t state) {
            static_cast<SelectionRouter*>(grab->data)->wlroots_keyboard_grab_->key(grab, time_msec, key, state);
        },
    .modifiers =
        [](wlr_seat_keyboard_grab* grab, const wlr_keyboard_modifiers* modifiers) {
            static_cast<SelectionRouter*>(grab->data)->wlroots_keyboard_grab_->modifiers(grab, modifiers);
        },
    .cancel =
        [](wlr_seat_keyboard_grab* grab) {
            auto* self = static_cast<SelectionRouter*>(grab->data);
            if (self->wlroots_keyboard_grab_->cancel) self->wlroots_keyboard_grab_->cancel(grab);
        },
};

// --- drag and drop -----------------------------------------------------------------------------

const wlr_pointer_grab_interface SelectionRouter::domain_drag_grab = {
    .enter =
        [](wlr_seat_pointer_grab* grab, wlr_surface* surface, double sx, double sy) {
            auto* drag = static_cast<wlr_drag*>(grab->data);
            auto* self = static_cast<SelectionRouter*>(drag->data);
            if (surface) {
                // Over another domain's window the drag has no target: nothing is offered
                // there, and a drop there is a cancelled drop.
                const auto origin =
                    drag->seat_client ? client_domain(drag->seat_client->client) : std::nullopt;
                if (!origin || origin != surface_domain(surface)) surface = nullptr;
            }
            self->wlroots_drag_grab_->enter(grab, surface, sx, sy);
        },
    .clear_focus =
        [](wlr_seat_pointer_grab* grab) {
            auto* drag = static_cast<wlr_drag*>(grab->data);
            static_cast<SelectionRouter*>(drag->data)->wlroots_drag_grab_->clear_focus(grab);
        },
    .motion =
        [](wlr_seat_pointer_grab* grab, uint32_t time_msec, double sx, double sy) {
            auto* drag = static_cast<wlr_drag*>(grab->data);
            static_cast<SelectionRouter*>(drag->data)->wlroots_drag_grab_->motion(grab, time_msec, sx, sy);
        },
    .button =
        [](wlr_seat_pointer_grab* grab, uint32_t time_msec, uint32_t button,
           wl_pointer_button_state state) -> uint32_t {
            auto* drag = static_cast<wlr_drag*>(grab->data);
            return static_cast<SelectionRouter*>(drag->data)->wlroots_drag_grab_->button(grab, time_msec, button,
                                                                                        state);
        },
    .axis =
        [](wlr_seat_pointer_grab* grab, uint32_t time_msec, wl_pointer_axis orientation, double value,
           int32_t value_discrete, wl_pointer_axis_source source, wl_pointer_axis_relative_direction direction) {
            auto* drag = static_cast<wlr_drag*>(grab->data);
            static_cast<SelectionRouter*>(drag->data)
                ->wlroots_drag_grab_->axis(grab, time_msec, orientation, value, value_discrete, source, direction);
        },
    .frame =
        [](wlr_seat_pointer_grab* grab) {
            auto* drag = static_cast<wlr_drag*>(grab->data);
            auto* self = static_cast<SelectionRouter*>(drag->data);
            if (self->wlroots_drag_grab_->frame) self->wlroots_drag_grab_->frame(grab);
        },
    .cancel =
        [](wlr_seat_pointer_grab* grab) {
            auto* drag = static_cast<wlr_drag*>(grab->data);
            auto* self = static_cast<SelectionRouter*>(drag->data);
            if (self->wlroots_drag_grab_->cancel) self->wlroots_drag_grab_->cancel(grab);
        },
};

void SelectionRouter::keep_drag_in_domain(wlr_drag* drag) {
    // Every drag shares wlroots' one pointer-grab implementation; ours wraps it.
    if (drag->pointer_grab.interface == &domain_drag_grab) return;
    wlroots_drag_grab_ = drag->pointer_grab.interface;
    drag->data = this;
    drag->pointer_grab.interface = &domain_drag_grab;
}

} // namespace spectrum
