"""xdg-activation: who may raise which window.

A token remembers who asked for it: a VM (and which) or the host. Activation goes through
only when the token's origin is the target window's owner (host tokens for host windows, a
VM's tokens for that VM's windows). Even then, a VM window activated while another VM's
window has the focus is only marked urgent: focus stays where the user put it.

Tokens are strings, so any client can present any token it learnt; the tests hand tokens
between raw wire clients on different sockets to play each part.
"""

import pytest

from harness import BLUE, RED, make_config, wait_until
from wire import STATE_ACTIVATED, Connection

CONFIG = make_config({"red": {"color": RED}, "blue": {"color": BLUE}})

# The compositor's word when it refuses an activation (shell.cpp, handle_activation).
REFUSED = r"activation of window {} refused"

@pytest.fixture
def comp(spectrum):
    return spectrum(CONFIG)


def connect(comp, vm):
    """A raw client of VM `vm`, or of the host for None."""
    return Connection(comp.socket_path_for(vm))


def open_window(comp, conn, app_id):
    toplevel = conn.create_toplevel(240, 160, app_id=app_id, title=app_id)
    return toplevel, comp.wait_for_window(app_id=app_id)


def state(comp, window: dict) -> dict:
    return comp.window(window["id"])


def calm(comp, *windows: dict) -> None:
    """Focuses each window in turn, last one last: every one of them ends up not urgent
    (a window opened while another VM had focus starts urgent) and the last has focus."""
    for window in windows:
        comp.focus(window["id"])
    for window in windows:
        assert state(comp, window)["urgent"] is False, state(comp, window)


def refused_lines(comp, window: dict) -> list[str]:
    needle = REFUSED.format(window["id"])
    return [line for line in comp.log_text().splitlines() if needle in line]


def test_vm_token_activates_a_window_of_the_same_vm(comp):
    with connect(comp, "red") as red:
        first, first_w = open_window(comp, red, "red-first")
        second, second_w = open_window(comp, red, "red-second")
        calm(comp, second_w, first_w)

        token = red.activation_token(surface=first.surface)
        assert token
        red.activate(token, second.surface)
        wait_until(lambda: state(comp, second_w)["focused"], 5,
                   message="the activated red window takes focus from red")
        assert state(comp, first_w)["focused"] is False
        # The client hears it too: its window is configured activated.
        red.dispatch_until(lambda: any(STATE_ACTIVATED in states
                                       for _, _, states in second.configures[-1:]))
        assert refused_lines(comp, second_w) == []


def test_token_from_another_client_of_the_same_vm_works(comp):
    """A launcher in the VM asks for the token, the app it starts uses it."""
    with connect(comp, "blue") as launcher, connect(comp, "blue") as app:
        _, launcher_w = open_window(comp, launcher, "blue-launcher")
        app_window, app_w = open_window(comp, app, "blue-app")
        calm(comp, app_w, launcher_w)

        token = launcher.activation_token()
        app.activate(token, app_window.surface)
        wait_until(lambda: state(comp, app_w)["focused"], 5,
                   message="the app window takes focus with its launcher's token")


@pytest.mark.parametrize("source, target", [("red", "blue"), ("blue", "red")])
def test_token_of_one_vm_cannot_activate_another_vms_window(comp, source, target):
    """The target VM's own window has focus, so a token of the target VM would move focus
    to the other one: a refusal is the only reason focus stays."""
    with connect(comp, source) as giver, connect(comp, target) as taker:
        giver_window, giver_w = open_window(comp, giver, f"{source}-giver")
        _, focused_w = open_window(comp, taker, f"{target}-focused")
        victim, victim_w = open_window(comp, taker, f"{target}-victim")
        calm(comp, giver_w, victim_w, focused_w)

        token = giver.activation_token(surface=giver_window.surface)
        taker.activate(token, victim.surface)
        comp.wait_for_log(REFUSED.format(victim_w["id"]), timeout=5)
        assert state(comp, victim_w)["focused"] is False
        assert state(comp, victim_w)["urgent"] is False
        assert state(comp, focused_w)["focused"] is True


def test_vm_activation_while_another_vm_has_focus_only_marks_urgent(comp):
    with connect(comp, "red") as red, connect(comp, "blue") as blue:
        _, red_w = open_window(comp, red, "red-focused")
        blue_window, blue_w = open_window(comp, blue, "blue-wants-focus")
        calm(comp, blue_w, red_w)

        token = blue.activation_token(surface=blue_window.surface)
        blue.activate(token, blue_window.surface)
        wait_until(lambda: state(comp, blue_w)["urgent"], 5,
                   message="the blue window is marked urgent")
        assert state(comp, blue_w)["focused"] is False
        assert state(comp, red_w)["focused"] is True
        assert refused_lines(comp, blue_w) == []
        # The user's choice answers the urgency.
        comp.focus(blue_w["id"])
        assert state(comp, blue_w)["urgent"] is False


def test_host_token_cannot_activate_a_vm_window(comp):
    with connect(comp, None) as host, connect(comp, "red") as red:
        host_window, host_w = open_window(comp, host, "host-giver")
        _, focused_w = open_window(comp, red, "red-focused")
        victim, victim_w = open_window(comp, red, "red-victim")
        calm(comp, host_w, victim_w, focused_w)

        token = host.activation_token(surface=host_window.surface)
        red.activate(token, victim.surface)
        comp.wait_for_log(REFUSED.format(victim_w["id"]), timeout=5)
        assert state(comp, victim_w)["focused"] is False
        assert state(comp, victim_w)["urgent"] is False
        assert state(comp, focused_w)["focused"] is True


def test_host_token_activates_a_host_window(comp):
    with connect(comp, None) as host:
        first, first_w = open_window(comp, host, "host-first")
        second, second_w = open_window(comp, host, "host-second")
        calm(comp, second_w, first_w)

        token = host.activation_token(surface=first.surface)
        host.activate(token, second.surface)
        wait_until(lambda: state(comp, second_w)["focused"], 5,
                   message="the activated host window takes focus")
        assert refused_lines(comp, second_w) == []


def test_vm_token_cannot_activate_a_host_window(comp):
    """A host client that was handed a VM's token (a host launcher reading it from a VM)
    must not raise a host window with it: the token speaks for the VM."""
    with connect(comp, "red") as red, connect(comp, None) as host:
        red_window, red_w = open_window(comp, red, "red-giver")
        _, focused_w = open_window(comp, host, "host-focused")
        victim, victim_w = open_window(comp, host, "host-victim")
        calm(comp, red_w, victim_w, focused_w)

        token = red.activation_token(surface=red_window.surface)
        host.activate(token, victim.surface)
        comp.wait_for_log(REFUSED.format(victim_w["id"]), timeout=5)
        assert state(comp, victim_w)["focused"] is False
        assert state(comp, focused_w)["focused"] is True


def test_unknown_token_changes_nothing(comp):
    with connect(comp, "red") as red:
        _, first_w = open_window(comp, red, "red-first")
        second, second_w = open_window(comp, red, "red-second")
        calm(comp, second_w, first_w)
        red.activate("not-a-token-the-compositor-made", second.surface)
        assert state(comp, second_w)["focused"] is False
        assert state(comp, first_w)["focused"] is True


def test_refusal_names_the_tokens_origin(comp):
    """The log line says whose token was refused: the VM that asked for it."""
    with connect(comp, "red") as red, connect(comp, "blue") as blue:
        red_window, _ = open_window(comp, red, "red-giver")
        victim, victim_w = open_window(comp, blue, "blue-victim")
        token = red.activation_token(surface=red_window.surface)
        blue.activate(token, victim.surface)
        line = comp.wait_for_log(REFUSED.format(victim_w["id"]), timeout=5)
        assert "token from red, window of blue" in line, line
