"""Window controls: resizing by dragging the frame's edges and corners (down to the client's
minimum size), a double click on the title bar maximizing and restoring, minimize from the
client with restore by Alt+Tab and `spectrumctl focus`, the wm_capabilities a client is told,
and the VM label kept readable when windows overlap: the focused window is on top with its
label in full, and a window whose title bar is covered shows its label in a tag beside the
pointer on its visible frame.

Input is a virtual pointer on the host socket (wire.py); windows are raw wire clients that
record what they are sent; geometry comes from `spectrumctl windows --json`, pixels from grim.
"""

import subprocess
import time

import pytest

from harness import BACKGROUND, BLUE, RED, TITLE_HEIGHT, frame_parts, make_config, wait_until
from pixels import Image, Rect, distance, hex_rgb
from wire import STATE_MAXIMIZED, Connection, i32

CONFIG = make_config({"red": {"color": RED}, "blue": {"color": BLUE}})

GREEN, GREEN_RGB = 0xFF00FF00, (0, 255, 0)
MAGENTA, MAGENTA_RGB = 0xFFFF00FF, (255, 0, 255)
BACKGROUND_SPOT = (1270, 710)

# xdg_toplevel requests and xdg_toplevel.wm_capabilities values
SET_MIN_SIZE = 8
SET_MINIMIZED = 13
CAP_WINDOW_MENU, CAP_MAXIMIZE, CAP_FULLSCREEN, CAP_MINIMIZE = 1, 2, 3, 4


@pytest.fixture
def comp(spectrum):
    return spectrum(CONFIG)


@pytest.fixture
def host(comp):
    conn = Connection(comp.socket_path_for(None))
    yield conn
    conn.close()


@pytest.fixture
def pointer(host):
    return host.create_virtual_pointer((1280, 720))


def open_window(comp, conn, app_id, width=300, height=200, color=GREEN, **kwargs):
    toplevel = conn.create_toplevel(width, height, color=color, app_id=app_id, title=app_id,
                                    **kwargs)
    return toplevel, comp.wait_for_window(app_id=app_id)


def settle(pointer, *clients):
    pointer.sync()
    for conn in clients:
        conn.roundtrip()


def wait_for_size(comp, conn, window, listed, size):
    """The client was asked for `size` (it acks and draws at it) and the window has it."""
    conn.dispatch_until(lambda: bool(window.configures)
                        and tuple(window.configures[-1][:2]) == size)
    conn.roundtrip()
    return comp.wait_for_window(lambda w: (w["width"], w["height"]) == size, id=listed["id"],
                                timeout=5)


def colour_count(image, rect: Rect, colour, tolerance=40) -> int:
    return image.count(image.clip(rect), lambda p: distance(p, colour) <= tolerance)


# --- resizing by the frame -------------------------------------------------------------

def test_dragging_the_left_edge_resizes_and_the_right_edge_stays(comp, pointer):
    with Connection(comp.socket_path_for("red")) as red:
        recorder = red.record_pointer()
        window, before = open_window(comp, red, "left-edge")
        frame = Rect.of(before["frame"])
        start = (frame.x + 1, frame.y + frame.height // 2)
        pointer.drag(start, (start[0] - 60, start[1]))
        settle(pointer, red)
        after = wait_for_size(comp, red, window, before, (before["width"] + 60, before["height"]))
        assert after["x"] + after["width"] == before["x"] + before["width"], after
        assert after["y"] == before["y"]
        assert recorder.buttons() == [], "the frame's press is the compositor's"


def test_dragging_the_top_left_corner_resizes_both_ways(comp, pointer):
    with Connection(comp.socket_path_for("blue")) as blue:
        window, before = open_window(comp, blue, "corner")
        frame = Rect.of(before["frame"])
        start = (frame.x + 1, frame.y + 1)
        pointer.drag(start, (start[0] - 40, start[1] - 30))
        settle(pointer, blue)
        after = wait_for_size(comp, blue, window, before,
                              (before["width"] + 40, before["height"] + 30))
        # The bottom-right corner stays where it was.
        assert Rect.of(after["frame"]).right == frame.right
        assert Rect.of(after["frame"]).bottom == frame.bottom
        pointer.move_to(*BACKGROUND_SPOT)
        settle(pointer)
        comp.screenshot_until(lambda image: _assert_mostly(image, Rect.of(after).inset(2),
                                                           GREEN_RGB), "corner-resized")


def _assert_mostly(image, rect, colour):
    total = rect.width * rect.height
    assert colour_count(image, rect, colour, 10) >= 0.98 * total, image.describe(rect)


def test_resizing_stops_at_the_clients_minimum_size(comp, pointer):
    with Connection(comp.socket_path_for("red")) as red:
        window, before = open_window(comp, red, "minimum", 300, 200)
        red.request(window.toplevel, SET_MIN_SIZE, i32(250), i32(180))
        red.request(window.surface, 6)
        red.roundtrip()
        frame = Rect.of(before["frame"])
        start = (frame.right - 2, frame.bottom - 2)
        pointer.drag(start, (start[0] - 200, start[1] - 150))
        settle(pointer, red)
        after = wait_for_size(comp, red, window, before, (250, 180))
        assert (after["x"], after["y"]) == (before["x"], before["y"])
        asked = [c[:2] for c in window.configures]
        assert all(w >= 250 and h >= 180 for w, h in asked if w and h), asked


# --- title bar double click --------------------------------------------------------------

def test_double_click_on_the_title_bar_maximizes_and_restores(comp, pointer):
    with Connection(comp.socket_path_for("blue")) as blue:
        window, before = open_window(comp, blue, "dbl")
        bar = frame_parts(before).title_bar
        spot = (bar.x + bar.width // 2, bar.y + bar.height // 2)
        # Two clicks further apart in time than a double click: nothing happens.
        pointer.click(*spot)
        time.sleep(0.6)
        pointer.click(*spot)
        settle(pointer, blue)
        assert comp.window(before["id"])["maximized"] is False
        time.sleep(0.6)
        pointer.click(*spot)
        pointer.click(*spot)
        settle(pointer, blue)
        big = comp.wait_for_window(id=before["id"], maximized=True, timeout=5)
        blue.dispatch_until(lambda: STATE_MAXIMIZED in window.configures[-1][2])
        assert big["width"] > before["width"]
        bar = frame_parts(comp.window(before["id"])).title_bar
        spot = (bar.x + bar.width // 2, bar.y + bar.height // 2)
        pointer.click(*spot)
        pointer.click(*spot)
        settle(pointer, blue)
        comp.wait_for_window(id=before["id"], maximized=False, timeout=5)


# --- minimize ------------------------------------------------------------------------------

def test_minimized_window_is_hidden_gets_no_input_and_comes_back(comp, pointer):
    with Connection(comp.socket_path_for("red")) as red:
        recorder = red.record_pointer()
        window, info = open_window(comp, red, "mini")
        content = Rect.of(info)
        red.request(window.toplevel, SET_MINIMIZED)
        red.request(window.surface, 6)
        red.roundtrip()
        hidden = comp.wait_for_window(id=info["id"], minimized=True, timeout=5)
        assert hidden["focused"] is False
        comp.screenshot_until(lambda image: _assert_mostly(image, content.inset(2),
                                                           hex_rgb(BACKGROUND)), "minimized")
        recorder.clear()
        pointer.click(content.x + content.width // 2, content.y + content.height // 2)
        settle(pointer, red)
        assert recorder.buttons() == [] and "enter" not in recorder.kinds(), recorder.events

        # Alt+Tab brings it back, focused.
        pointer.move_to(*BACKGROUND_SPOT)
        comp.press("Alt+Tab")
        comp.wait_for_window(id=info["id"], minimized=False, focused=True, timeout=5)
        comp.screenshot_until(lambda image: _assert_mostly(image, content.inset(2), GREEN_RGB),
                              "restored")

        # The user's key hides it too (Super+H), and `spectrumctl focus` brings it back.
        comp.press("Super+H")
        comp.wait_for_window(id=info["id"], minimized=True, focused=False, timeout=5)
        comp.ctl("focus", str(info["id"]))
        comp.wait_for_window(id=info["id"], minimized=False, focused=True, timeout=5)


def test_minimizing_the_focused_window_focuses_the_next(comp):
    with Connection(comp.socket_path_for("blue")) as blue:
        _, first = open_window(comp, blue, "first", color=MAGENTA)
        second, info = open_window(comp, blue, "second")
        assert comp.window(info["id"])["focused"]
        blue.request(second.toplevel, SET_MINIMIZED)
        blue.request(second.surface, 6)
        blue.roundtrip()
        comp.wait_for_window(id=first["id"], focused=True, timeout=5)
        assert comp.window(info["id"])["minimized"] is True


def test_wm_capabilities_offer_maximize_fullscreen_and_minimize(comp):
    with Connection(comp.socket_path_for("red")) as red:
        window, _ = open_window(comp, red, "caps", wm_base_version=6)
        red.roundtrip()
        assert window.capabilities, "no wm_capabilities event"
        caps = set(window.capabilities[-1])
        assert caps == {CAP_MAXIMIZE, CAP_FULLSCREEN, CAP_MINIMIZE}, caps
        assert CAP_WINDOW_MENU not in caps


# --- the label stays readable ---------------------------------------------------------------

def label_rect(window: dict, width: int | None = None) -> Rect:
    return Rect(window["x"], window["y"] - TITLE_HEIGHT, width or window["width"], TITLE_HEIGHT)


def test_focused_windows_label_is_never_covered_and_a_covered_one_is_tagged(comp, pointer):
    with Connection(comp.socket_path_for("red")) as red, \
            Connection(comp.socket_path_for("blue")) as blue:
        _, first = open_window(comp, red, "under", 500, 100, color=MAGENTA)
        # Move it right: the next window (centred) then lies over the left of its title bar.
        bar = frame_parts(first).title_bar
        start = (bar.x + bar.width - 20, bar.y + bar.height // 2)
        pointer.drag(start, (start[0] + 300, start[1]))
        first = comp.wait_for_window(lambda w: w["x"] == first["x"] + 300, id=first["id"])
        pointer.move_to(*BACKGROUND_SPOT)
        settle(pointer, red)
        label = label_rect(first, 200)
        reference = comp.screenshot_until(
            lambda image: _assert_some(image, label, hex_rgb(RED)), "alone").crop(label)

        # A window of another VM opens over it, without focus (the first keeps it).
        _, second = open_window(comp, blue, "over", 700, 500)
        assert Rect.of(second["frame"]).intersects(label), (second, first)
        assert comp.window(first["id"])["focused"] is True
        assert comp.window(second["id"])["urgent"] is True

        def first_label_in_full(image):
            # (a bool: pytest would diff the bytes for minutes)
            same = image.crop(label) == reference
            assert same, "the focused window's label is covered"
            # The newcomer is drawn, beside and below the focused window.
            sides = frame_parts(second)
            assert colour_count(image, sides.left, hex_rgb(BLUE), 10) > 0.9 * sides.left.height
        comp.screenshot_until(first_label_in_full, "focused-on-top")

        # Now the user focuses the big one: it covers the left of the first's title bar.
        comp.focus(second["id"])
        covered = comp.screenshot_until(
            lambda image: _assert_some(image, label, GREEN_RGB), "covered")
        changed = covered.crop(label) != reference
        assert changed, "the focused window now covers the first one's title bar"

        # The pointer on the first's visible title bar: its full label beside the pointer.
        frame = Rect.of(second["frame"])
        spot = (frame.right + 40, first["y"] - TITLE_HEIGHT // 2)
        assert spot[0] < first["x"] + first["width"], "part of the title bar shows"
        pointer.move_to(*spot)
        settle(pointer)
        tag = Rect(spot[0] + 14 + 2, spot[1] + 18 + 2, 60, TITLE_HEIGHT)  # inside its outline

        def tagged(image):
            reds = colour_count(image, tag, hex_rgb(RED), 10)
            ink = image.count(image.clip(tag), lambda p: distance(p, hex_rgb(RED)) > 200
                              and distance(p, hex_rgb(BLUE)) > 60 and distance(p, MAGENTA_RGB) > 60)
            assert reds > 0.4 * tag.width * tag.height and ink > 20, image.describe(tag)
        comp.screenshot_until(tagged, "tagged")

        # Off the frame, no tag.
        pointer.move_to(*BACKGROUND_SPOT)
        settle(pointer)
        comp.screenshot_until(
            lambda image: _assert_none(image, tag, hex_rgb(RED)), "untagged")


def _assert_some(image, rect, colour):
    assert colour_count(image, rect, colour, 10) > 0.3 * rect.width * rect.height, \
        image.describe(rect)


def _assert_none(image, rect, colour):
    assert colour_count(image, rect, colour, 10) == 0, image.describe(rect)


# --- cursor shapes on the frame ----------------------------------------------------------------

def cursor_mask(comp, pointer, at: tuple[int, int], name: str) -> frozenset:
    """The pixels the cursor image covers with the pointer at `at`, relative to its hotspot:
    a screenshot with the pointer there against one with it far away (the headless output
    draws the cursor into every frame)."""
    area = Rect(at[0] - 32, at[1] - 32, 64, 64)
    pointer.move_to(*at)
    pointer.sync()
    there = comp.screenshot(name)
    pointer.move_to(*BACKGROUND_SPOT)
    pointer.sync()
    away = comp.screenshot(name + "-away")
    return frozenset((x - at[0], y - at[1]) for x, y in area.points()
                     if there.pixel(x, y) != away.pixel(x, y))


def test_frame_border_shows_resize_cursors(comp, pointer):
    with Connection(comp.socket_path_for("red")) as red:
        _, info = open_window(comp, red, "shapes", 400, 300)
        frame = Rect.of(info["frame"])
        spots = {
            "default": (frame.x - 60, frame.y + frame.height // 2),
            "left": (frame.x + 1, frame.y + frame.height // 2),
            "top-left": (frame.x + 1, frame.y + 1),
            "bottom": (frame.x + frame.width // 2, frame.bottom - 2),
        }
        masks = {}
        for name, spot in spots.items():
            masks[name] = wait_until(lambda: cursor_mask(comp, pointer, spot, f"cursor-{name}"),
                                     message=f"a cursor drawn at {name}")
        assert len(set(masks.values())) == len(masks), "the same cursor image at two places"
