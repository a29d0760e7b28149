// Grabs: who may take the keyboard and pointer away from the compositor's focus, and how a
// focus change the user makes takes them back.
#include "grabs.hpp"

#include <cstring>

#include "server.hpp"
#include "vm.hpp"

namespace spectrum {

namespace {

std::string client_name(wl_client* client) {
    Vm* vm = client ? client_vm(client) : nullptr;
    return vm ? "VM " + vm->name() : "a host client";
}

} // namespace

GrabGuard::GrabGuard(Server& server) : server_(server) {
    // libwayland calls protocol loggers just before it dispatches each request: the serial
    // of an xdg_popup.grab is known before wlroots starts the grab.
    logger_ = wl_display_add_protocol_logger(server.display, &GrabGuard::log, this);
    pointer_begin_.connect(&server.seat->events.pointer_grab_begin,
                           [this](wlr_seat_pointer_grab* grab) { check(grab); });
    keyboard_begin_.connect(&server.seat->events.keyboard_grab_begin,
                            [this](wlr_seat_keyboard_grab* grab) { check(grab); });
    touch_begin_.connect(&server.seat->events.touch_grab_begin,
                         [this](wlr_seat_touch_grab* grab) { check(grab); });
}

GrabGuard::~GrabGuard() { wl_protocol_logger_destroy(logger_); }

void GrabGuard::log(void* data, wl_protocol_logger_type type,
                    const wl_protocol_logger_message* message) {
    if (type != WL_PROTOCOL_LOGGER_REQUEST) return;
    auto* self = static_cast<GrabGuard*>(data);
    self->request_.reset();
    // xdg_popup.grab(seat, serial)
    if (message->arguments_count == 2 && std::strcmp(message->message->name, "grab") == 0 &&
        std::strcmp(wl_resource_get_class(message->resource), "xdg_popup") == 0) {
        wl_client* client = wl_resource_get_client(message->resource);
        self->request_ = Request{client, message->arguments[1].u};
        // wlroots 0.18 refuses a grab only once the popup is mapped: a second grab of an
        // unmapped popup would link it into the seat's grab list again, turning the list
        // into a loop that ending the grab walks forever. Unlink it first; wlroots links it
        // once more (or refuses the request and the popup is simply in no list).
        wlr_xdg_popup* popup = wlr_xdg_popup_from_resource(message->resource);
        if (popup && popup->seat) {
            wlr_log(WLR_INFO, "%s grabbed one popup twice; the first grab is forgotten",
                    client_name(client).c_str());
            wl_list_remove(&popup->grab_link);
            wl_list_init(&popup->grab_link);
        }
    }
}

wlr_xdg_popup_grab* GrabGuard::popup_grab_of(const void* grab) const {
    wlr_xdg_popup_grab* popup_grab;
    wl_list_for_each(popup_grab, &server_.xdg_shell->popup_grabs, link) {
        if (grab == &popup_grab->pointer_grab || grab == &popup_grab->keyboard_grab ||
            grab == &popup_grab->touch_grab)
            return popup_grab;
    }
    return nullptr;
}

bool GrabGuard::allowed(wl_client* client, uint32_t serial) const {
    wlr_seat* seat = server_.seat;
    // Only the client the user is typing into may keep the keys while its menu is open…
    wlr_seat_client* focused = seat->keyboard_state.focused_client;
    if (!focused || focused->client != client) return false;
    // …and only for an input event it really got (a button or key press, an enter).
    wlr_seat_client* seat_client = wlr_seat_client_for_wl_client(seat, client);
    return seat_client && wlr_seat_client_validate_event_serial(seat_client, serial);
}

void GrabGuard::check(const void* grab) {
    wlr_xdg_popup_grab* popup_grab = popup_grab_of(grab);
    if (!popup_grab) return; // a drag, or the compositor's own: not a client's popup grab
    wlr_seat* seat = server_.seat;
    bool refuse = true;
    if (request_ && request_->client == popup_grab->client) {
        if (!request_->decided) {
            request_->decided = true;
            request_->refused = !allowed(request_->client, request_->serial);
            if (request_->refused)
                wlr_log(WLR_INFO,
                        "popup grab of %s refused: it does not have keyboard focus or "
                        "serial %u is not one of its input events",
                        client_name(request_->client).c_str(), request_->serial);
        }
        refuse = request_->refused;
    } else {
        // A popup grab starting outside an xdg_popup.grab request: not one we let through.
        wlr_log(WLR_INFO, "popup grab of %s outside its request ended",
                client_name(popup_grab->client).c_str());
    }
    if (!refuse) return;
    // Ending the part that just began: wlroots sends popup_done for the grab's popups
    // (the pointer grab's cancel) and the seat is back to the compositor's focus.
    if (grab == &popup_grab->pointer_grab) wlr_seat_pointer_end_grab(seat);
    else if (grab == &popup_grab->keyboard_grab) wlr_seat_keyboard_end_grab(seat);
    else wlr_seat_touch_end_grab(seat);
}

void Server::setup_grabs() { grab_guard_ = std::make_unique<GrabGuard>(*this); }

void Server::end_grabs_except(wl_client* keeper) {
    // Dismiss every grabbing popup of another client. wlr_xdg_popup_destroy() sends
    // popup_done, destroys its child popups first and, once a grab has no popup left, ends
    // that grab; it may free the grab itself, so start over after each.
    for (bool again = true; again;) {
        again = false;
        wlr_xdg_popup_grab* grab;
        wl_list_for_each(grab, &xdg_shell->popup_grabs, link) {
            wlr_xdg_popup* popup;
            wl_list_for_each(popup, &grab->popups, grab_link) {
                if (popup->base->client->client == keeper) continue;
                wlr_log(WLR_INFO, "focus moved: the grabbing popup of %s is dismissed",
                        client_name(popup->base->client->client).c_str());
                wlr_xdg_popup_destroy(popup);
                again = true;
                break;
            }
            if (again) break;
        }
    }
    // Whatever grab is left and not the keeper's (a drag of another client, a popup grab
    // whose last grabber was another client) ends too.
    auto keepers = [&](const void* grab) {
        wlr_xdg_popup_grab* popup_grab;
        wl_list_for_each(popup_grab, &xdg_shell->popup_grabs, link) {
            if (grab == &popup_grab->pointer_grab || grab == &popup_grab->keyboard_grab ||
                grab == &popup_grab->touch_grab)
                return keeper && popup_grab->client == keeper;
        }
        wlr_drag* drag = seat->drag;
        return keeper && drag && drag->seat_client && drag->seat_client->client == keeper;
    };
    auto& keys = seat->keyboard_state;
    if (keys.grab != keys.default_grab && !keepers(keys.grab)) wlr_seat_keyboard_end_grab(seat);
    auto& pointer = seat->pointer_state;
    if (pointer.grab != pointer.default_grab && !keepers(pointer.grab))
        wlr_seat_pointer_end_grab(seat);
    auto& touch = seat->touch_state;
    if (touch.grab != touch.default_grab && !keepers(touch.grab)) wlr_seat_touch_end_grab(seat);
}

} // namespace spectrum
