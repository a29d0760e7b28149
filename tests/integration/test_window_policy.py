"""What a VM may not do to the screen or the keyboard: cover the screen (fullscreen is the
user's grant), take focus from another VM, drop its frame, or put misleading characters in
its title."""

import pytest

from harness import (BACKGROUND, BLUE, BORDER_WIDTH, HOST_FRAME, RED, WHITE, check_frame, frame_parts,
                     make_config, wait_until)
from pixels import Rect, hex_rgb
from wire import DECORATION_CLIENT_SIDE, DECORATION_SERVER_SIDE, Connection

CONFIG = make_config({"red": {"color": RED}, "blue": {"color": BLUE}})
OUTPUT = Rect(0, 0, 1280, 720)

# xdg_toplevel.state
MAXIMIZED, FULLSCREEN, ACTIVATED = 1, 2, 4


@pytest.fixture
def comp(spectrum):
    return spectrum(CONFIG)


def test_vm_fullscreen_request_becomes_maximize(comp):
    _, window = comp.foot("red", "--fullscreen", app_id="wants-fullscreen")
    window = comp.wait_for_window(lambda w: w["maximized"] and Rect.of(w["frame"]) == OUTPUT,
                                  id=window["id"])
    assert window["fullscreen"] is False
    parts = frame_parts(window)
    assert parts.frame == OUTPUT, f"maximized frame {parts.frame} should fill the output"
    assert window["y"] - parts.frame.y == parts.border + parts.title_height
    comp.screenshot_until(lambda image: check_frame(image, parts, RED, text_colour=WHITE),
                          "fullscreen-request")


def test_raw_fullscreen_request_is_never_configured_fullscreen(comp):
    with Connection(comp.socket_path_for("red")) as conn:
        window = conn.create_toplevel(fullscreen=True, app_id="raw-fullscreen")
        listed = comp.wait_for_window(app_id="raw-fullscreen")
        conn.roundtrip()
        assert window.configures, "no configure received"
        for width, height, states in window.configures:
            assert FULLSCREEN not in states, f"configured fullscreen: {states}"
        assert listed["fullscreen"] is False


def test_user_grants_fullscreen_with_super_f(comp):
    """Super+F makes a VM window fullscreen: it fills the output and the client is told it
    is fullscreen, but the frame and its label stay, so the screen still says which VM is
    drawing (the compositor's design: a VM window is always labelled)."""
    with Connection(comp.socket_path_for("red")) as conn:
        raw = conn.create_toplevel(app_id="granted")
        window = comp.focus(comp.wait_for_window(app_id="granted")["id"])
        conn.roundtrip()
        assert all(FULLSCREEN not in states for _, _, states in raw.configures)
        comp.press("Super+F")
        conn.dispatch_until(lambda: any(FULLSCREEN in states
                                        for _, _, states in raw.configures))
        width, height, _ = raw.configures[-1]
        window = comp.wait_for_window(
            lambda w: w["fullscreen"] and (w["width"], w["height"]) == (width, height),
            id=window["id"])
        parts = frame_parts(window)
        assert parts.frame == OUTPUT, f"granted fullscreen frame {parts.frame}"
        assert parts.content.x - parts.frame.x == parts.border
        assert parts.content.y - parts.frame.y == parts.border + parts.title_height

        comp.press("Super+F")
        conn.dispatch_until(lambda: FULLSCREEN not in raw.configures[-1][2])
        comp.wait_for_window(lambda w: not w["fullscreen"], id=window["id"])


def test_user_fullscreen_of_foot_is_framed_and_fills_the_output(comp):
    _, window = comp.foot("red", app_id="granted-foot")
    comp.focus(window["id"])
    comp.press("Super+F")
    # The flag flips at once; the geometry once foot has drawn at the new size.
    window = comp.wait_for_window(
        lambda w: w["fullscreen"] and w["width"] == OUTPUT.width - 2 * BORDER_WIDTH,
        id=window["id"])
    parts = frame_parts(window)
    assert parts.frame == OUTPUT
    comp.screenshot_until(lambda image: check_frame(image, parts, RED, text_colour=WHITE),
                          "granted-fullscreen")
    comp.press("Super+F")
    window = comp.wait_for_window(lambda w: not w["fullscreen"] and w["frame"]["width"] <
                                  OUTPUT.width, id=window["id"])
    parts = frame_parts(window)
    comp.screenshot_until(lambda image: check_frame(image, parts, RED), "fullscreen-revoked")


def test_host_fullscreen_request_covers_the_output(comp):
    """Host clients are trusted: their fullscreen request is honoured, without a frame."""
    _, window = comp.foot(None, "--fullscreen", app_id="host-fullscreen")
    window = comp.wait_for_window(lambda w: w["fullscreen"] and Rect.of(w) == OUTPUT,
                                  id=window["id"])
    assert Rect.of(window["frame"]) == OUTPUT

    def covered(image):
        _assert_no_colour(image, OUTPUT, HOST_FRAME)
        _assert_no_colour(image, OUTPUT, BACKGROUND)  # not a sliver of desktop left

    comp.screenshot_until(covered, "host-fullscreen")


def _assert_no_colour(image, rect, colour):
    found = image.count(rect, lambda c: c == hex_rgb(colour))
    assert found == 0, f"{found} pixels of {colour} while fullscreen: {image.describe(rect)}"


def test_super_m_toggles_maximize(comp):
    _, window = comp.foot("blue", app_id="maximize-me")
    comp.focus(window["id"])
    comp.press("Super+M")
    comp.wait_for_window(lambda w: w["maximized"] and Rect.of(w["frame"]) == OUTPUT,
                         id=window["id"])
    comp.press("Super+M")
    comp.wait_for_window(lambda w: not w["maximized"] and Rect.of(w["frame"]) != OUTPUT,
                         id=window["id"])


def test_new_vm_window_does_not_steal_focus(comp, artifacts):
    red_out, blue_out = artifacts.path("red.txt"), artifacts.path("blue.txt")
    _, red = comp.reader_foot("red", red_out, "red-reader")
    comp.focus(red["id"])
    _, blue = comp.reader_foot("blue", blue_out, "blue-reader")
    blue = comp.wait_for_window(lambda w: w["urgent"], id=blue["id"], timeout=5)
    assert blue["focused"] is False
    assert comp.window(red["id"])["focused"] is True
    # Keys still go to red, and blue never sees them.
    comp.type_keys("for red only\n")
    wait_until(lambda: red_out.exists() and red_out.read_text() == "for red only", 10,
               message="red gets the keys")
    assert not blue_out.exists(), "blue received keys typed into red"
    # The user's choice moves focus, and the urgency is answered.
    blue = comp.focus(blue["id"])
    assert blue["urgent"] is False
    comp.type_keys("for blue\n")
    wait_until(lambda: blue_out.exists() and blue_out.read_text() == "for blue", 10,
               message="blue gets keys once the user focused it")


def test_vm_cannot_activate_itself(comp):
    """A configure with the activated state is the compositor's word that a window has
    focus; a second VM's new window must not get one while the first is focused."""
    _, red = comp.foot("red", app_id="red-term")
    comp.focus(red["id"])
    with Connection(comp.socket_path_for("blue")) as conn:
        window = conn.create_toplevel(app_id="blue-raw")
        comp.wait_for_window(app_id="blue-raw")
        conn.roundtrip()
        assert all(ACTIVATED not in states for _, _, states in window.configures), \
            window.configures
    assert comp.window(red["id"])["focused"]


def test_alt_tab_cycles_focus(comp):
    _, first = comp.foot("red", app_id="first")
    _, second = comp.foot("blue", app_id="second")
    comp.focus(first["id"])
    comp.press("Alt+Tab")
    wait_until(lambda: comp.window(second["id"])["focused"], 5, message="Alt+Tab to second")
    comp.press("Alt+Tab")
    wait_until(lambda: comp.window(first["id"])["focused"], 5, message="Alt+Tab back")


def test_super_shift_q_closes_focused_window(comp):
    client, window = comp.simple_shm("red")
    other, other_window = comp.simple_shm("blue")
    comp.focus(window["id"])
    comp.press("Super+Shift+Q")
    comp.wait_for_no_window(window["id"])
    client.wait(10)
    assert other.alive() and comp.window(other_window["id"]) is not None


HOSTILE_TITLES = [
    ("pay\u202egnp.exe", "paygnp.exe"),                       # right-to-left override
    ("\u2066[host]\u2069 fake", "[host] fake"),                # bidi isolates
    ("a\u200bb\u200cc\u200dd\u2060e\ufeff", "abcde"),          # zero-width characters
    ("x\x07y\x1bz\x7fw\u0090v", "xyzwv"),                     # C0, DEL and C1 controls
    ("in\u200evis\u200fible\u061c", "invisible"),             # direction marks
]


def test_hostile_titles_are_filtered(comp):
    with Connection(comp.socket_path_for("red")) as conn:
        for index, (raw, expected) in enumerate(HOSTILE_TITLES):
            conn.create_toplevel(title=raw, app_id=f"hostile-{index}")
            listed = comp.wait_for_window(app_id=f"hostile-{index}")
            assert listed["title"] == expected, f"{raw!r} -> {listed['title']!r}"


def test_hostile_title_from_foot_is_filtered_and_drawn(comp):
    _, window = comp.foot("red", title="pay\u202egnp.exe", app_id="hostile-foot",
                          wait_title="paygnp.exe")
    parts = frame_parts(comp.focus(window["id"]))
    comp.screenshot_until(lambda image: check_frame(image, parts, RED, text_colour=WHITE),
                          "hostile-title")
    table = comp.ctl("windows").stdout
    assert "\u202e" not in table and "paygnp.exe" in table


def test_drawn_title_is_the_filtered_title(comp):
    """The title bar of a window titled "pay<RLO>gnp.exe" is pixel for pixel the title bar
    of one titled "paygnp.exe": the override is not drawn, nor does it reorder the text."""
    bars = {}
    with Connection(comp.socket_path_for("red")) as conn:
        for name, title in (("hostile", "pay\u202egnp.exe"), ("clean", "paygnp.exe")):
            conn.create_toplevel(title=title, app_id=name)
            listed = comp.wait_for_window(app_id=name)
            parts = frame_parts(comp.focus(listed["id"]))

            def grab(image, parts=parts, name=name):
                check_frame(image, parts, RED, text_colour=WHITE)
                bars[name] = image.crop(parts.title_bar)

            comp.screenshot_until(grab, f"title-{name}")
    assert bars["hostile"] == bars["clean"], "the drawn titles differ"


def test_title_changes_are_filtered_too(comp):
    with Connection(comp.socket_path_for("red")) as conn:
        window = conn.create_toplevel(title="harmless", app_id="changer")
        listed = comp.wait_for_window(app_id="changer", title="harmless")
        conn.set_title(window, "now\u202eevil")
        conn.roundtrip()
        wait_until(lambda: comp.window(listed["id"])["title"] == "nowevil", 5,
                   message="updated title filtered")


def test_client_side_decoration_request_still_framed(comp):
    _, window = comp.foot("red", "-o", "csd.preferred=client", app_id="wants-csd")
    parts = frame_parts(comp.focus(window["id"]))
    assert parts.frame.width == parts.content.width + 2 * parts.border
    comp.screenshot_until(lambda image: check_frame(image, parts, RED, text_colour=WHITE),
                          "csd-request")


def test_decoration_mode_is_forced_server_side(comp):
    with Connection(comp.socket_path_for("blue")) as conn:
        window = conn.create_toplevel(decoration_mode=DECORATION_CLIENT_SIDE, app_id="csd")
        listed = comp.wait_for_window(app_id="csd")
        conn.roundtrip()
        assert window.decoration_modes, "no decoration configure"
        assert window.decoration_modes[-1] == DECORATION_SERVER_SIDE
        parts = frame_parts(comp.focus(listed["id"]))
        comp.screenshot_until(lambda image: check_frame(image, parts, BLUE), "raw-csd")
