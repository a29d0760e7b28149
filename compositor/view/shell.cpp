// xdg-shell, xdg-decoration and xdg-activation: where windows are born and what they may ask.
#include "request_tracker.hpp"
#include "server.hpp"
#include "view.hpp"
#include "vm.hpp"

namespace spectrum {

namespace {

// Forces server-side decoration: the frame is the compositor's, whatever the client asks.
struct Decoration {
    explicit Decoration(wlr_xdg_toplevel_decoration_v1* decoration) : decoration(decoration) {
        commit.connect(&decoration->toplevel->base->surface->events.commit, [this](void*) {
            if (this->decoration->toplevel->base->initial_commit) enforce();
        });
        request_mode.connect(&decoration->events.request_mode, [this](void*) { enforce(); });
        destroy.connect(&decoration->events.destroy, [this](void*) { delete this; });
        enforce();
    }
    void enforce() {
        if (decoration->toplevel->base->initialized)
            wlr_xdg_toplevel_decoration_v1_set_mode(decoration, WLR_XDG_TOPLEVEL_DECORATION_V1_MODE_SERVER_SIDE);
    }
    wlr_xdg_toplevel_decoration_v1* decoration;
    Listener<void> commit, request_mode, destroy;
};

// Remembers who asked for an activation token: the token outlives the client's object.
struct TokenOrigin {
    TokenOrigin(wlr_xdg_activation_token_v1* token, bool from_vm, std::string vm)
        : from_vm(from_vm), vm(std::move(vm)) {
        token->data = this;
        destroy.connect(&token->events.destroy, [this](void*) { delete this; });
    }
    bool from_vm;
    std::string vm;
    Listener<void> destroy;
};

} // namespace

void Server::handle_new_toplevel(wlr_xdg_toplevel* toplevel) {
    wl_client* client = wl_resource_get_client(toplevel->resource);
    if (Vm* vm = client_vm(client)) {
        if (auto ok = vm->usage.try_add_toplevel(); !ok) {
            disconnect_client(client, ok.error().describe());
            return;
        }
    } else if (client_info(client)) {
        return; // a client of a removed VM, about to go
    }
    views.push_back(std::make_unique<View>(*this, toplevel));
}

void Server::handle_new_decoration(wlr_xdg_toplevel_decoration_v1* decoration) { new Decoration(decoration); }

void Server::handle_new_token(wlr_xdg_activation_token_v1* token) {
    // wlroots has already made token->resource inert here; the client is the one whose
    // commit request is being dispatched.
    wl_client* client = requests->current();
    ClientInfo* info = client ? client_info(client) : nullptr;
    new TokenOrigin(token, info != nullptr, info && info->vm ? info->vm->name() : "");
}

void Server::handle_activation(wlr_xdg_activation_v1_request_activate_event* event) {
    wlr_xdg_toplevel* toplevel = wlr_xdg_toplevel_try_from_wlr_surface(event->surface);
    if (!toplevel || !toplevel->base->data) return;
    View* view = static_cast<View*>(static_cast<wlr_scene_tree*>(toplevel->base->data)->node.data);
    if (!view || !view->mapped()) return;

    auto* origin = static_cast<TokenOrigin*>(event->token->data);
    const bool from_vm = origin && origin->from_vm;
    const std::string from = origin ? origin->vm : "";
    const std::string target = view->vm() ? view->vm()->name() : "";
    // A VM may activate only its own windows; nobody outside a VM may use one of its tokens
    // to raise a VM window either.
    if (from_vm != (view->vm() != nullptr) || from != target) {
        wlr_log(WLR_INFO, "activation of window %u refused: token from %s, window of %s", view->id(),
                from_vm ? from.c_str() : "host", target.empty() ? "host" : target.c_str());
        return;
    }
    View* current = focused_view();
    if (view->vm() && current && current->vm() != view->vm()) {
        view->set_urgent(true); // focus stays where the user put it
        return;
    }
    focus_view(view);
}

} // namespace spectrum
