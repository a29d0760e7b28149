"""The pointer: a click focuses and raises the window under it, Super+left-drag moves a
window, Super+right-drag resizes it from the bottom-right corner, a left-drag on the title
bar moves it, and pointer events go only to the client under the pointer.

The pointer is a virtual pointer on the host socket and Super is held on a virtual keyboard
(wire.py), so every event is exact and in order. Windows are raw wire clients that record
the wl_pointer events they receive; geometry comes from `spectrumctl windows --json` and
stacking from screenshots.
"""

import pytest

from harness import BLUE, RED, frame_parts, make_config, wait_until
from pixels import Rect, hex_rgb
from wire import BTN_LEFT, BTN_RIGHT, KEY_LEFTMETA, MOD_LOGO, PRESSED, RELEASED, Connection

CONFIG = make_config({"red": {"color": RED}, "blue": {"color": BLUE}})

# Client colours: far from both frames, their label text and the background.
GREEN, GREEN_RGB = 0xFF00FF00, (0, 255, 0)
MAGENTA, MAGENTA_RGB = 0xFFFF00FF, (255, 0, 255)
BACKGROUND_SPOT = (1270, 710)  # no window opens there: the pointer waits here, off every window

CLICK = [(BTN_LEFT, PRESSED), (BTN_LEFT, RELEASED)]


@pytest.fixture
def comp(spectrum):
    return spectrum(CONFIG)


@pytest.fixture
def host(comp):
    """The trusted host connection that owns the virtual input devices."""
    conn = Connection(comp.socket_path_for(None))
    yield conn
    conn.close()


@pytest.fixture
def pointer(host):
    return host.create_virtual_pointer((1280, 720))


@pytest.fixture
def keyboard(host):
    return host.create_virtual_keyboard()


def open_window(comp, conn, app_id, width=300, height=200, color=GREEN):
    """A raw toplevel (acks configures, redraws at the size asked) and its windows entry."""
    toplevel = conn.create_toplevel(width, height, color=color, app_id=app_id, title=app_id)
    return toplevel, comp.wait_for_window(app_id=app_id)


def centre(rect: Rect) -> tuple[int, int]:
    return rect.x + rect.width // 2, rect.y + rect.height // 2


def moved(point, dx, dy):
    return point[0] + dx, point[1] + dy


def only_colour(image, rect: Rect, colour) -> bool:
    return image.crop(rect) == bytes(colour) * (rect.width * rect.height)


def intersection(a: Rect, b: Rect) -> Rect:
    x0, y0 = max(a.x, b.x), max(a.y, b.y)
    x1, y1 = min(a.right, b.right), min(a.bottom, b.bottom)
    return Rect(x0, y0, max(x1 - x0, 0), max(y1 - y0, 0))


def exposed_point(rect: Rect, cover: Rect) -> tuple[int, int]:
    """A point well inside `rect` and outside `cover`."""
    for y in range(rect.y + 10, rect.bottom - 10, 10):
        for x in range(rect.x + 10, rect.right - 10, 10):
            if not cover.contains(x, y):
                return x, y
    raise AssertionError(f"{rect} is entirely under {cover}")


def assert_colour(image, rect: Rect, colour) -> None:
    assert only_colour(image, rect, colour), \
        f"{rect} is not all {colour}: {image.describe(rect)}"


def assert_no_colour(image, rect: Rect, colour) -> None:
    assert image.count(rect, lambda c: c == colour) == 0, \
        f"{colour} still at {rect}: {image.describe(rect)}"


def assert_entered(recorder, surface: int, at: tuple[int, int]) -> None:
    """An enter on `surface` at `at` (surface coordinates), then motion only (wlroots
    leaves out a motion to where the enter already put the pointer)."""
    kinds = recorder.kinds()
    assert kinds and kinds[0] == "enter" and set(kinds[1:]) <= {"motion"}, recorder.events
    enter = recorder.events[0]
    assert (enter.surface, enter.x, enter.y) == (surface, *at), enter


def settle(pointer, *clients):
    """Every event sent so far handled by the compositor and received by `clients`."""
    pointer.sync()
    for conn in clients:
        conn.roundtrip()


def drag_title_bar(comp, pointer, window: dict, dx: int, dy: int) -> dict:
    bar = frame_parts(window).title_bar
    start = (bar.x + 12, bar.y + bar.height // 2)
    pointer.drag(start, moved(start, dx, dy))
    return comp.window(window["id"])


def test_click_focuses_and_raises_the_window_under_it(comp, pointer):
    with Connection(comp.socket_path_for("red")) as red, \
            Connection(comp.socket_path_for("blue")) as blue:
        red_pointer = red.record_pointer()
        _, lower = open_window(comp, red, "lower", 400, 300, GREEN)
        _, upper = open_window(comp, blue, "upper", 400, 300, MAGENTA)
        comp.focus(upper["id"])
        overlap = intersection(Rect.of(lower), Rect.of(upper)).inset(2)
        assert overlap.width > 100 and overlap.height > 100, (lower, upper)

        pointer.move_to(*BACKGROUND_SPOT)
        settle(pointer)
        comp.screenshot_until(lambda image: assert_colour(image, overlap, MAGENTA_RGB),
                              "upper-on-top")

        target = exposed_point(Rect.of(lower), Rect.of(upper["frame"]))
        pointer.click(*target)
        red.roundtrip()
        wait_until(lambda: comp.window(lower["id"])["focused"], 5,
                   message="the clicked window is focused")
        assert comp.window(upper["id"])["focused"] is False
        # A plain click is the client's too: it saw exactly this press and release.
        assert red_pointer.buttons() == CLICK, red_pointer.events

        pointer.move_to(*BACKGROUND_SPOT)
        settle(pointer)
        comp.screenshot_until(lambda image: assert_colour(image, overlap, GREEN_RGB),
                              "clicked-raised")


def test_super_left_drag_moves_the_window_and_the_client_sees_no_button(comp, pointer,
                                                                       keyboard):
    with Connection(comp.socket_path_for("red")) as red:
        recorder = red.record_pointer()
        _, before = open_window(comp, red, "mover")
        start = centre(Rect.of(before))
        pointer.move_to(*start)
        settle(pointer, red)
        assert "enter" in recorder.kinds(), recorder.events  # it does see the pointer
        recorder.clear()

        dx, dy = -400, 150
        with keyboard.hold(KEY_LEFTMETA, MOD_LOGO):
            pointer.drag(start, moved(start, dx, dy), BTN_LEFT)
        settle(pointer, red)

        after = comp.window(before["id"])
        assert (after["x"], after["y"]) == (before["x"] + dx, before["y"] + dy), after
        assert (after["width"], after["height"]) == (before["width"], before["height"])
        assert after["focused"] is True
        # Press and release were the compositor's: the client got no button at all.
        assert recorder.buttons() == [], recorder.events

        pointer.move_to(*BACKGROUND_SPOT)
        settle(pointer)
        new, old = Rect.of(after).inset(2), Rect(start[0] - 5, start[1] - 5, 10, 10)
        assert not Rect.of(after["frame"]).intersects(old)
        comp.screenshot_until(lambda image: (assert_colour(image, new, GREEN_RGB),
                                             assert_no_colour(image, old, GREEN_RGB)),
                              "moved")

        # The grab is over: a plain click reaches the client again.
        recorder.clear()
        pointer.click(*centre(Rect.of(after)))
        red.roundtrip()
        assert recorder.buttons() == CLICK, recorder.events
        assert comp.window(before["id"])["x"] == after["x"]


def test_super_right_drag_resizes_from_the_bottom_right(comp, pointer, keyboard):
    with Connection(comp.socket_path_for("red")) as red:
        recorder = red.record_pointer()
        window, before = open_window(comp, red, "resizer", 300, 200)
        start = centre(Rect.of(before))
        dx, dy = 120, 80
        with keyboard.hold(KEY_LEFTMETA, MOD_LOGO):
            pointer.drag(start, moved(start, dx, dy), BTN_RIGHT)
        settle(pointer, red)

        size = (before["width"] + dx, before["height"] + dy)
        # The client was asked for the new size (it acks and draws at it).
        red.dispatch_until(lambda: bool(window.configures)
                           and tuple(window.configures[-1][:2]) == size)
        red.roundtrip()
        after = comp.wait_for_window(lambda w: (w["width"], w["height"]) == size,
                                     id=before["id"], timeout=5)
        # The top-left corner stays; the bottom-right one followed the pointer.
        assert (after["x"], after["y"]) == (before["x"], before["y"]), after
        frame, old_frame = Rect.of(after["frame"]), Rect.of(before["frame"])
        assert (frame.right, frame.bottom) == (old_frame.right + dx, old_frame.bottom + dy)
        assert recorder.buttons() == [], recorder.events

        pointer.move_to(*BACKGROUND_SPOT)
        settle(pointer)
        comp.screenshot_until(
            lambda image: assert_colour(image, Rect.of(after).inset(2), GREEN_RGB), "resized")


def test_left_drag_on_the_title_bar_moves_the_window(comp, pointer):
    with Connection(comp.socket_path_for("blue")) as blue:
        recorder = blue.record_pointer()
        _, before = open_window(comp, blue, "title-drag", color=MAGENTA)
        dx, dy = 250, -120
        after = drag_title_bar(comp, pointer, before, dx, dy)
        blue.roundtrip()
        assert (after["x"], after["y"]) == (before["x"] + dx, before["y"] + dy), after
        assert (after["width"], after["height"]) == (before["width"], before["height"])
        assert after["focused"] is True
        assert recorder.buttons() == [], recorder.events

        pointer.move_to(*BACKGROUND_SPOT)
        settle(pointer)
        parts = frame_parts(after)
        comp.screenshot_until(lambda image: (
            assert_colour(image, Rect.of(after).inset(2), MAGENTA_RGB),
            assert_colour(image, parts.left, hex_rgb(BLUE)),
            assert_colour(image, parts.top, hex_rgb(BLUE))), "title-dragged")


def test_left_drag_inside_a_window_is_the_clients(comp, pointer):
    """Without Super, a drag in the content moves nothing: press, motion and release all go
    to the client."""
    with Connection(comp.socket_path_for("red")) as red:
        recorder = red.record_pointer()
        _, before = open_window(comp, red, "drag-inside")
        start = centre(Rect.of(before))
        pointer.drag(start, moved(start, 60, 40), BTN_LEFT)
        settle(pointer, red)
        after = comp.window(before["id"])
        assert (after["x"], after["y"]) == (before["x"], before["y"])
        assert recorder.buttons() == CLICK, recorder.events
        motions = [(e.x, e.y) for e in recorder.of_kind("motion")]
        assert motions[-1] == (start[0] + 60 - before["x"], start[1] + 40 - before["y"]), \
            motions


def test_pointer_events_go_only_to_the_client_under_the_pointer(comp, pointer):
    with Connection(comp.socket_path_for("red")) as red, \
            Connection(comp.socket_path_for("blue")) as blue:
        red_pointer, blue_pointer = red.record_pointer(), blue.record_pointer()
        red_window, red_w = open_window(comp, red, "red-side", color=GREEN)
        red_w = drag_title_bar(comp, pointer, red_w, -330, 0)
        blue_window, blue_w = open_window(comp, blue, "blue-side", color=MAGENTA)
        blue_w = drag_title_bar(comp, pointer, blue_w, 200, 0)
        red_box, blue_box = Rect.of(red_w), Rect.of(blue_w)
        assert not Rect.of(red_w["frame"]).intersects(Rect.of(blue_w["frame"])), (red_w, blue_w)

        pointer.move_to(*BACKGROUND_SPOT)
        settle(pointer, red, blue)
        red_pointer.clear()
        blue_pointer.clear()

        # Over red: red gets enter and motion, in surface coordinates; blue nothing.
        pointer.move_to(red_box.x + 50, red_box.y + 40)
        pointer.move_to(red_box.x + 70, red_box.y + 45)
        settle(pointer, red, blue)
        assert_entered(red_pointer, red_window.surface, (50, 40))
        assert (red_pointer.events[-1].x, red_pointer.events[-1].y) == (70, 45)
        assert blue_pointer.events == []

        # Over blue: red is left, blue entered; no motion for red once it left.
        red_pointer.clear()
        pointer.move_to(blue_box.x + 30, blue_box.y + 60)
        settle(pointer, red, blue)
        assert red_pointer.kinds() == ["leave"], red_pointer.events
        assert red_pointer.events[0].surface == red_window.surface
        assert_entered(blue_pointer, blue_window.surface, (30, 60))

        # A click there is blue's alone.
        red_pointer.clear()
        blue_pointer.clear()
        pointer.press()
        pointer.release()
        settle(pointer, red, blue)
        assert blue_pointer.buttons() == CLICK, blue_pointer.events
        assert red_pointer.events == []

        # Off every window: blue is left too, and nobody hears of the motion.
        blue_pointer.clear()
        pointer.move_to(*BACKGROUND_SPOT)
        pointer.press()
        pointer.release()
        settle(pointer, red, blue)
        assert blue_pointer.kinds() == ["leave"], blue_pointer.events
        assert red_pointer.events == []


ORANGE, ORANGE_RGB = 0xFFFF8000, (255, 128, 0)


def test_vm_cursor_image_is_replaced_by_the_default(comp, pointer):
    """A cursor surface is drawn above every window and frame, so a VM may not draw one:
    it gets the default cursor instead. The same request from a host client shows its
    image, at once, which proves the screenshot would have shown the VM's."""
    with Connection(comp.socket_path_for("red")) as red, \
            Connection(comp.socket_path_for(None)) as host:
        red_pointer, host_pointer = red.record_pointer(), host.record_pointer()
        _, red_w = open_window(comp, red, "red-cursor", 400, 300)
        red_w = drag_title_bar(comp, pointer, red_w, -350, 0)
        _, host_w = open_window(comp, host, "host-cursor", 400, 300)
        host_w = drag_title_bar(comp, pointer, host_w, 300, 0)

        def orange_cursor(conn, recorder, window) -> tuple[Rect, object]:
            """The pointer on `window`, whose client asks for a 48x48 orange cursor image;
            where it would be drawn and a screenshot taken right after."""
            spot = (window["x"] + 100, window["y"] + 100)
            pointer.move_to(*spot)
            settle(pointer, conn)
            serial = recorder.of_kind("enter")[-1].serial
            cursor = conn.create_surface(conn.shared("wl_compositor", 4))
            conn.set_cursor(recorder, serial, cursor)
            conn.commit_buffer(cursor, 48, 48, ORANGE)
            conn.roundtrip()
            box = Rect(spot[0], spot[1], 48, 48)
            return box, comp.screenshot(f"cursor-{window['app_id']}")

        box, image = orange_cursor(red, red_pointer, red_w)
        assert image.count(box, lambda c: c == ORANGE_RGB) == 0, \
            f"the VM's cursor image is drawn: {image.describe(box)}"
        box, image = orange_cursor(host, host_pointer, host_w)
        assert image.count(box, lambda c: c == ORANGE_RGB) > 40 * 40, \
            f"the host's cursor image is not drawn: {image.describe(box)}"
