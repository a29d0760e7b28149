// Compositor key bindings. They are matched before any client sees the key and consumed.
#include <unistd.h>

#include "clipboard/clipboard_system.hpp"
#include "desktop/desktop.hpp"
#include "fd_limit.hpp"
#include "server.hpp"
#include "view.hpp"

namespace spectrum {

namespace {
// Lock keys never take part in a binding.
constexpr uint32_t binding_modifier_mask = WLR_MODIFIER_SHIFT | WLR_MODIFIER_CTRL | WLR_MODIFIER_ALT |
                                           WLR_MODIFIER_LOGO;
} // namespace

bool Server::handle_binding(uint32_t modifiers, const xkb_keysym_t* syms, int nsyms) {
    // Locked: every key is the locker's; no binding (not even quit) works.
    if (desktop && desktop->locked()) return false;
    // A clipboard confirm prompt takes every key until it is answered: the focused VM sees
    // neither the answer nor anything typed meanwhile.
    if (clipboard && clipboard->broker.prompt_open()) {
        for (int i = 0; i < nsyms; ++i) clipboard->broker.prompt_key(syms[i]);
        return true;
    }
    modifiers &= binding_modifier_mask;
    for (int i = 0; i < nsyms; ++i) {
        const xkb_keysym_t sym = xkb_keysym_to_lower(syms[i]);
        for (const auto& binding : config_.bindings) {
            if (binding.combo.modifiers == modifiers && binding.combo.keysym == sym) {
                // Copy: an action (reload) may replace the bindings we are iterating.
                const config::Binding chosen = binding;
                run_action(chosen);
                return true;
            }
        }
    }
    return false;
}

void Server::run_action(const config::Binding& binding) {
    using config::Action;
    View* view = focused_view();
    switch (binding.action) {
    case Action::Close:
        if (view) view->close();
        break;
    case Action::FocusNext:
        cycle_focus(true);
        break;
    case Action::FocusPrev:
        cycle_focus(false);
        break;
    case Action::Terminal:
        spawn(config_.terminal);
        break;
    case Action::Quit:
        quit(0);
        break;
    case Action::Maximize:
        if (view) view->toggle_maximize();
        break;
    case Action::Fullscreen:
        if (view) view->toggle_fullscreen();
        break;
    case Action::Minimize:
        if (view) view->set_minimized(true);
        break;
    case Action::ClipboardCopy:
        if (clipboard) clipboard->broker.copy();
        break;
    case Action::ClipboardPaste:
        if (clipboard) clipboard->broker.paste();
        break;
    case Action::Exec:
        spawn(binding.command);
        break;
    }
}

pid_t Server::spawn(const std::string& command) {
    if (command.empty()) return -1;
    // Launched programs are host clients on the host socket (WAYLAND_DISPLAY is ours).
    pid_t pid = fork();
    if (pid == 0) {
        setsid();
        fd_limit::restore_for_child(); // the soft descriptor limit the compositor started with
        execl("/bin/sh", "/bin/sh", "-c", command.c_str(), static_cast<char*>(nullptr));
        _exit(127);
    }
    if (pid < 0) wlr_log(WLR_ERROR, "cannot start \"%s\"", command.c_str());
    return pid;
}

} // namespace spectrum
