"""A VM client paints only inside its window. Subsurfaces outside the window geometry, a
geometry smaller than the buffer, viewports that blow a 10x10 buffer up to 4000x4000 and
buffers larger than a maximized window are all cut at the content area; the frame around
it stays exactly the VM's colour; popups are outlined in that colour and kept on the output.

Every check is on a real screenshot: the frame's pixels are compared exactly (the title bar
may hold only the VM colour and its white label text blended into it), and everything
outside the window must be the desktop background, pixel for pixel.
"""

from collections import Counter

import pytest

from harness import BACKGROUND, BORDER_WIDTH, RED, TITLE_HEIGHT, frame_parts, make_config
from pixels import Rect, hex_rgb
from wire import (ADJUST_FLIP_X, ADJUST_FLIP_Y, ADJUST_NONE, ADJUST_RESIZE_X, ADJUST_RESIZE_Y,
                  ADJUST_SLIDE_X, ADJUST_SLIDE_Y, ANCHOR_BOTTOM_RIGHT, ANCHOR_TOP_LEFT,
                  GRAVITY_BOTTOM_RIGHT, GRAVITY_TOP_LEFT, STATE_FULLSCREEN, STATE_MAXIMIZED,
                  Connection, WaylandError)

CONFIG = make_config({"red": {"color": RED}})
OUTPUT = Rect(0, 0, 1280, 720)

# Client colours (0xAARRGGBB for wire, RGB for the screenshot): none is close to the frame,
# its text or the background.
GREY, GREY_RGB = 0xFF808080, (128, 128, 128)
GREEN, GREEN_RGB = 0xFF00FF00, (0, 255, 0)
MAGENTA, MAGENTA_RGB = 0xFFFF00FF, (255, 0, 255)
YELLOW, YELLOW_RGB = 0xFFFFFF00, (255, 255, 0)
RED_RGB = hex_rgb(RED)
BACKGROUND_RGB = hex_rgb(BACKGROUND)

POPUP_BORDER = 2


@pytest.fixture
def comp(spectrum):
    return spectrum(CONFIG)


# --- what the screen may show -------------------------------------------------------------


def is_label_pixel(colour) -> bool:
    """The title bar's own pixels: the VM colour (#cc0000) or white text blended into it
    (anti-aliased: r = 204 + 51a, g = b = 255a). Any client colour fails."""
    r, g, b = colour
    return abs(g - b) <= 2 and abs(r - (RED_RGB[0] + (255 - RED_RGB[0]) * g / 255)) <= 3


def only_colour(image, rect: Rect, colour) -> bool:
    """Every on-screen pixel of `rect` is exactly `colour` (fast: compares raw rows)."""
    rect = image.clip(rect)
    return image.crop(rect) == bytes(colour) * (rect.width * rect.height)


def assert_frame_intact(image, parts, *, label: bool = True, covered: list[Rect] = ()) -> None:
    """The on-screen part of every border is exactly red, and the title bar holds only red
    and the label's white text (with at least some text when `label`). `covered`: rects
    legitimately drawn over the frame (the window's own popups)."""
    for side, rect in parts.sides().items():
        if covered:
            wrong = image.count(rect, lambda c: c != RED_RGB, exclude=covered)
        else:
            wrong = 0 if only_colour(image, rect, RED_RGB) else 1
        assert not wrong, \
            f"{side} border is not exactly {RED}: {image.describe(image.clip(rect))} at {rect}"
    bar = image.clip(parts.title_bar)
    counts = image.histogram(bar, exclude=covered)
    foreign = {c: n for c, n in counts.items() if not is_label_pixel(c)}
    assert not foreign, (f"client pixels in the title bar: "
                         f"{Counter(foreign).most_common(5)} ({image.describe(bar)})")
    if label:
        text = sum(n for c, n in counts.items() if c != RED_RGB)
        assert text >= 40, f"no label in the title bar ({text} text pixels)"


def stray_pixels(image, keep: list[Rect], expected=BACKGROUND_RGB) -> Counter:
    """Colours other than `expected` outside every rect of `keep`, each mapped to how many
    pixels and the first one's position (fast: compares raw rows, counts only mismatches)."""
    found: Counter = Counter()
    first: dict = {}
    stride = image.width * 3
    keep = [image.clip(rect) for rect in keep]
    for y in range(image.height):
        covered = sorted((r.x, r.right) for r in keep if r.y <= y < r.bottom)
        segments, x = [], 0
        for start, end in covered:
            if start > x:
                segments.append((x, start))
            x = max(x, end)
        if x < image.width:
            segments.append((x, image.width))
        row = image.rgb[y * stride:(y + 1) * stride]
        for start, end in segments:
            if row[start * 3:end * 3] == bytes(expected) * (end - start):
                continue
            for px in range(start, end):
                colour = image.pixel(px, y)
                if colour != expected:
                    found[colour] += 1
                    first.setdefault(colour, (px, y))
    return Counter({f"#{c[0]:02x}{c[1]:02x}{c[2]:02x} first at {first[c]}": n
                    for c, n in found.items()})


def assert_nothing_outside(image, keep: list[Rect], what: str) -> None:
    stray = stray_pixels(image, keep)
    assert not stray, f"{what}: pixels outside {keep}: {stray.most_common(5)}"


def exact_bbox(image, colour, rect: Rect = OUTPUT) -> Rect | None:
    """The bounding box of the pixels of exactly `colour` inside `rect`."""
    rect = image.clip(rect)
    needle = bytes(colour)
    stride = image.width * 3
    xs, ys = [], []
    for y in range(rect.y, rect.bottom):
        row = image.rgb[y * stride + rect.x * 3:y * stride + rect.right * 3]
        first = _aligned_find(row, needle)
        if first is None:
            continue
        last = _aligned_find(row, needle, reverse=True)
        xs += [rect.x + first, rect.x + last]
        ys.append(y)
    if not ys:
        return None
    return Rect(min(xs), min(ys), max(xs) - min(xs) + 1, max(ys) - min(ys) + 1)


def _aligned_find(row: bytes, needle: bytes, reverse: bool = False) -> int | None:
    """The pixel index of the first (or last) whole-pixel match of `needle` in `row`."""
    start, end = 0, len(row)
    while True:
        i = row.rfind(needle, start, end) if reverse else row.find(needle, start, end)
        if i < 0:
            return None
        if i % 3 == 0:
            return i // 3
        if reverse:
            end = i + len(needle) - 1  # only matches starting before i
        else:
            start = i + 1


def frame_pieces(parts) -> dict[str, Rect]:
    return {**parts.sides(), "title bar": parts.title_bar}


def at(content: Rect, x: int, y: int, width: int, height: int) -> Rect:
    """A rect given in the window's content coordinates, on screen."""
    return Rect(content.x + x, content.y + y, width, height)


def intersection(a: Rect, b: Rect) -> Rect:
    x0, y0 = max(a.x, b.x), max(a.y, b.y)
    x1, y1 = min(a.right, b.right), min(a.bottom, b.bottom)
    return Rect(x0, y0, max(x1 - x0, 0), max(y1 - y0, 0))


def map_window(comp, conn, app_id, width, height, color=GREY, rects=(), geometry=None):
    window = conn.create_toplevel(map_window=False, app_id=app_id, title=app_id)
    conn.map_toplevel(window, width, height, color, rects, geometry=geometry)
    return window, comp.wait_for_window(app_id=app_id, vm="red")


def settled_window(comp, app_id, predicate=lambda w: True):
    return comp.wait_for_window(predicate, app_id=app_id, vm="red")


# --- subsurfaces ---------------------------------------------------------------------------

W, H = 240, 160
# (x, y, width, height) of green subsurfaces in the parent's coordinates: straddling the
# top-left corner, wholly right of the window, straddling the bottom-right corner, wholly
# left of it and wholly below it.
OUTSIDE_SUBSURFACES = [(-50, -50, 120, 100), (W + 20, 10, 80, 60), (W - 40, H - 40, 120, 120),
                       (-70, 60, 40, 30), (30, H + 25, 60, 40)]


def test_subsurfaces_outside_the_window_geometry_are_clipped(comp):
    with Connection(comp.socket_path_for("red")) as conn:
        window, listed = map_window(comp, conn, "subsurfaces", W, H, geometry=(0, 0, W, H))
        parts = frame_parts(listed)
        content = parts.content

        def plain(image):
            assert only_colour(image, content, GREY_RGB), image.describe(content)
            assert_frame_intact(image, parts)
            assert_nothing_outside(image, [parts.frame], "before the subsurfaces")

        before = comp.screenshot_until(plain, "before-subsurfaces")
        frame_before = {name: before.crop(rect) for name, rect in frame_pieces(parts).items()}

        for x, y, width, height in OUTSIDE_SUBSURFACES:
            conn.create_subsurface(window.surface, x, y, width, height, GREEN)
        listed = settled_window(comp, "subsurfaces")
        assert frame_parts(listed) == parts, "the window moved or changed size"
        inside = [intersection(at(content, *box), content) for box in OUTSIDE_SUBSURFACES]
        green_area = sum(r.width * r.height for r in inside)
        assert green_area == 70 * 50 + 40 * 40  # the two corners; the rest is outside

        def clipped(image):
            for name, rect in frame_pieces(parts).items():
                assert image.crop(rect) == frame_before[name], \
                    f"the {name} changed: {image.describe(rect)}"
            assert_nothing_outside(image, [parts.frame], "subsurfaces outside the window")
            counts = image.histogram(content)
            assert counts[GREEN_RGB] == green_area, image.describe(content)
            assert counts[GREY_RGB] == content.width * content.height - green_area
            for rect in inside:
                if rect.width:
                    assert only_colour(image, rect, GREEN_RGB), f"{rect} not green"

        comp.screenshot_until(clipped, "subsurfaces-clipped")


def test_subsurfaces_without_geometry_grow_the_framed_window(comp):
    """Without set_window_geometry the window is the bounding box of all its surfaces: every
    subsurface is then inside the window, and the frame goes round all of them."""
    with Connection(comp.socket_path_for("red")) as conn:
        window, listed = map_window(comp, conn, "implicit", W, H)
        for x, y, width, height in OUTSIDE_SUBSURFACES:
            conn.create_subsurface(window.surface, x, y, width, height, GREEN)
        left = min(0, *(x for x, _, _, _ in OUTSIDE_SUBSURFACES))
        top = min(0, *(y for _, y, _, _ in OUTSIDE_SUBSURFACES))
        right = max(W, *(x + w for x, _, w, _ in OUTSIDE_SUBSURFACES))
        bottom = max(H, *(y + h for _, y, _, h in OUTSIDE_SUBSURFACES))
        listed = settled_window(comp, "implicit",
                                lambda w: (w["width"], w["height"]) == (right - left, bottom - top))
        parts = frame_parts(listed)
        content = parts.content
        # The window's origin is the bounding box's: the parent surface sits at -left, -top.
        boxes = [at(content, x - left, y - top, w, h) for x, y, w, h in OUTSIDE_SUBSURFACES]

        def framed(image):
            assert_frame_intact(image, parts)
            assert_nothing_outside(image, [parts.frame], "an implicit window geometry")
            for box in boxes:
                assert only_colour(image, box, GREEN_RGB), f"subsurface {box} not drawn whole"
            assert exact_bbox(image, GREEN_RGB) == union(boxes)

        comp.screenshot_until(framed, "implicit-geometry")


def union(boxes: list[Rect]) -> Rect:
    x, y = min(b.x for b in boxes), min(b.y for b in boxes)
    return Rect(x, y, max(b.right for b in boxes) - x, max(b.bottom for b in boxes) - y)


def test_subsurface_moved_outside_later_is_clipped(comp):
    """Clipping follows the subsurface: one moved out after it was drawn inside is cut too."""
    with Connection(comp.socket_path_for("red")) as conn:
        window, listed = map_window(comp, conn, "mover", W, H, geometry=(0, 0, W, H))
        parts = frame_parts(listed)
        sub = conn.create_subsurface(window.surface, 20, 20, 60, 40, GREEN)
        comp.screenshot_until(lambda image: _assert_green(image, at(parts.content, 20, 20, 60, 40)),
                              "subsurface-inside")
        conn.set_subsurface_position(sub, window.surface, W - 30, -25)
        conn.roundtrip()

        def moved(image):
            assert_frame_intact(image, parts)
            assert_nothing_outside(image, [parts.frame], "a moved subsurface")
            visible = at(parts.content, W - 30, 0, 30, 15)
            _assert_green(image, visible)
            assert image.count(parts.content, lambda c: c == GREEN_RGB) == 30 * 15

        comp.screenshot_until(moved, "subsurface-moved-out")


def _assert_green(image, rect):
    assert only_colour(image, rect, GREEN_RGB), f"{rect} not green: {image.describe(rect)}"


# --- window geometry -----------------------------------------------------------------------


def test_margin_outside_the_window_geometry_never_shows(comp):
    """A buffer 20 px larger than its window geometry, with a magenta margin: the margin is
    cut away and the grey inside fills the content area exactly."""
    margin = 10
    with Connection(comp.socket_path_for("red")) as conn:
        _, listed = map_window(comp, conn, "margin", W + 2 * margin, H + 2 * margin,
                               color=MAGENTA, rects=[(margin, margin, W, H, GREY)],
                               geometry=(margin, margin, W, H))
        assert (listed["width"], listed["height"]) == (W, H)
        parts = frame_parts(listed)

        def clipped(image):
            assert only_colour(image, parts.content, GREY_RGB), image.describe(parts.content)
            assert_frame_intact(image, parts)
            assert_nothing_outside(image, [parts.frame], "the margin")

        comp.screenshot_until(clipped, "geometry-margin")


# --- viewporter ----------------------------------------------------------------------------


def test_viewport_blown_up_subsurface_is_clipped(comp):
    with Connection(comp.socket_path_for("red")) as conn:
        window, listed = map_window(comp, conn, "viewport-sub", W, H, geometry=(0, 0, W, H))
        parts = frame_parts(listed)
        sub = conn.create_subsurface(window.surface, 60, 50, 10, 10, GREEN)
        viewport = conn.create_viewport(sub.surface)
        conn.set_viewport_destination(viewport, 4000, 4000)
        conn.request(sub.surface, 6)  # commit: the destination applies (desynchronized)
        conn.roundtrip()
        assert frame_parts(settled_window(comp, "viewport-sub")) == parts

        def clipped(image):
            assert_frame_intact(image, parts)
            assert_nothing_outside(image, [parts.frame], "a 4000x4000 viewport")
            # Left of and above the subsurface the parent shows; the rest is the subsurface.
            # Only green or black there: pixman draws a 400x blow-up of a subsurface as the
            # buffer unscaled and black beyond it (a renderer quirk, inside the window).
            assert only_colour(image, at(parts.content, 0, 0, 60, H), GREY_RGB)
            assert only_colour(image, at(parts.content, 0, 0, W, 50), GREY_RGB)
            scaled = at(parts.content, 60, 50, W - 60, H - 50)
            assert image.count(scaled, lambda c: c[0] == 0 and c[2] == 0) \
                == scaled.width * scaled.height, image.describe(scaled)
            assert image.pixel(scaled.x, scaled.y) == GREEN_RGB

        comp.screenshot_until(clipped, "viewport-subsurface")


def test_viewport_blown_up_main_surface_is_clipped_to_its_geometry(comp):
    with Connection(comp.socket_path_for("red")) as conn:
        window = conn.create_toplevel(map_window=False, app_id="viewport-main", title="vp")
        viewport = conn.create_viewport(window.surface)
        conn.set_viewport_destination(viewport, 4000, 4000)
        conn.map_toplevel(window, 10, 10, GREEN, geometry=(0, 0, 300, 200))
        listed = comp.wait_for_window(app_id="viewport-main")
        assert (listed["width"], listed["height"]) == (300, 200)
        parts = frame_parts(listed)

        def clipped(image):
            assert_frame_intact(image, parts)
            assert_nothing_outside(image, [parts.frame], "a 4000x4000 main surface")
            assert image.count(parts.content, lambda c: c[1] > c[0] + 60 and c[1] > c[2] + 60) \
                == 300 * 200, image.describe(parts.content)

        comp.screenshot_until(clipped, "viewport-main")


def test_viewport_blown_up_window_keeps_its_label_on_screen(comp):
    """Without a window geometry the window is as large as its surface says: 4000x4000 from
    a 10x10 buffer. Whatever its size, its frame's top-left corner and its labelled title
    bar are on screen and only the content area shows the client."""
    with Connection(comp.socket_path_for("red")) as conn:
        window = conn.create_toplevel(map_window=False, app_id="viewport-huge", title="huge")
        viewport = conn.create_viewport(window.surface)
        conn.set_viewport_destination(viewport, 4000, 4000)
        conn.map_toplevel(window, 10, 10, GREEN)
        listed = comp.wait_for_window(app_id="viewport-huge")
        parts = frame_parts(listed)
        assert OUTPUT.contains(parts.frame.x, parts.frame.y), f"frame at {parts.frame}"

        def labelled(image):
            assert_frame_intact(image, parts)
            assert_nothing_outside(image, [parts.frame], "a 4000x4000 window")

        comp.screenshot_until(labelled, "viewport-huge")


LIMITED = make_config({"red": {"color": RED, "limits": {"buffer_width": 1000,
                                                         "buffer_height": 800}}})


def test_viewport_cannot_make_a_window_larger_than_the_limits(spectrum):
    comp = spectrum(LIMITED)
    with Connection(comp.socket_path_for("red")) as conn:
        window = conn.create_toplevel(map_window=False, app_id="over-limit", title="huge")
        viewport = conn.create_viewport(window.surface)
        conn.set_viewport_destination(viewport, 4000, 4000)
        try:
            conn.map_toplevel(window, 10, 10, GREEN)
        except WaylandError:  # the client was cut off: also within the rules
            comp.wait_for_log(r"(?=.*\bred\b)(?=.*\bbuffer_(width|height)\b)", timeout=5)
            return
        listed = comp.wait_for_window(app_id="over-limit")
        assert listed["width"] <= 1000 and listed["height"] <= 800, \
            f"window is {listed['width']}x{listed['height']}, limits 1000x800"


def test_very_wide_window_keeps_its_label(comp):
    with Connection(comp.socket_path_for("red")) as conn:
        window = conn.create_toplevel(map_window=False, app_id="wide", title="wide")
        viewport = conn.create_viewport(window.surface)
        conn.set_viewport_destination(viewport, 40000, 100)
        conn.map_toplevel(window, 10, 10, GREEN)
        parts = frame_parts(comp.wait_for_window(app_id="wide"))

        def labelled(image):
            assert_frame_intact(image, parts)
            assert_nothing_outside(image, [parts.frame], "a 40000 px wide window")

        comp.screenshot_until(labelled, "very-wide", timeout=3)


def test_absurdly_wide_window_is_still_framed(comp):
    with Connection(comp.socket_path_for("red")) as conn:
        window = conn.create_toplevel(map_window=False, app_id="absurd", title="absurd")
        viewport = conn.create_viewport(window.surface)
        conn.set_viewport_destination(viewport, 2**31 - 1, 1)
        try:
            conn.map_toplevel(window, 10, 10, GREEN)
        except WaylandError:  # the client was cut off: also within the rules
            assert not [w for w in comp.windows() if w["app_id"] == "absurd"]
            return
        listed = comp.wait_for_window(app_id="absurd")
        frame = listed["frame"]
        assert frame["width"] > 0 and frame["height"] > 0, f"frame {frame}"
        parts = frame_parts(listed)

        def labelled(image):
            assert_frame_intact(image, parts)

        comp.screenshot_until(labelled, "absurdly-wide", timeout=3)


# --- maximized and fullscreen --------------------------------------------------------------

MAXIMIZED_CONTENT = Rect(BORDER_WIDTH, BORDER_WIDTH + TITLE_HEIGHT,
                         OUTPUT.width - 2 * BORDER_WIDTH,
                         OUTPUT.height - 2 * BORDER_WIDTH - TITLE_HEIGHT)


@pytest.mark.parametrize("how", ["xdg-set-maximized", "super-m", "super-f"])
def test_oversized_buffer_after_maximize_is_clipped(comp, how):
    """The client is told the maximized size, acks it, and commits 3000x3000 anyway (green
    where the configured size is, magenta beyond): only the configured size shows."""
    with Connection(comp.socket_path_for("red")) as conn:
        window, listed = map_window(comp, conn, "oversized", 200, 120)
        state = STATE_FULLSCREEN if how == "super-f" else STATE_MAXIMIZED
        if how == "xdg-set-maximized":
            conn.set_maximized(window)
        else:
            comp.focus(listed["id"])
            comp.press("Super+M" if how == "super-m" else "Super+F")
        conn.dispatch_until(lambda: any(state in states and width > 0
                                        for width, _, states in window.configures))
        conn.roundtrip()
        width, height, _ = window.configures[-1]
        assert (width, height) == (MAXIMIZED_CONTENT.width, MAXIMIZED_CONTENT.height)
        conn.ack_configure(window.xdg_surface, window.serials[-1])
        conn.commit_buffer(window.surface, 3000, 3000, GREEN, shm=window.shm,
                           rects=[(width, 0, 3000 - width, 3000, MAGENTA),
                                  (0, height, 3000, 3000 - height, MAGENTA)])
        conn.roundtrip()
        flag = "fullscreen" if how == "super-f" else "maximized"
        listed = comp.wait_for_window(lambda w: w[flag], app_id="oversized")
        parts = frame_parts(listed)
        assert (parts.content.x, parts.content.y) == (MAXIMIZED_CONTENT.x, MAXIMIZED_CONTENT.y)
        # The frame is drawn for the configured size, whatever the client committed.
        parts.frame = OUTPUT
        parts.content = MAXIMIZED_CONTENT

        def clipped(image):
            assert only_colour(image, MAXIMIZED_CONTENT, GREEN_RGB), \
                image.describe(MAXIMIZED_CONTENT)
            assert_frame_intact(image, parts)

        comp.screenshot_until(clipped, f"oversized-{how}")


# --- popups ----------------------------------------------------------------------------------

POPUP_W, POPUP_H = 300, 200
# A window large enough that a popup at its bottom-right corner leaves the output.
BIG_W, BIG_H = 900, 500


def popup_ring(box: Rect, b: int = POPUP_BORDER) -> dict[str, Rect]:
    return {"top": Rect(box.x - b, box.y - b, box.width + 2 * b, b),
            "bottom": Rect(box.x - b, box.bottom, box.width + 2 * b, b),
            "left": Rect(box.x - b, box.y, b, box.height),
            "right": Rect(box.right, box.y, b, box.height)}


def assert_popup_drawn(image, box: Rect, colour=YELLOW_RGB, *, whole_ring: bool) -> None:
    """The popup's content is `box`, outlined by a 2-px red ring: on screen wherever the
    ring is (`whole_ring`: all of it)."""
    assert only_colour(image, box, colour), f"popup {box}: {image.describe(image.clip(box))}"
    assert exact_bbox(image, colour) == image.clip(box), \
        f"popup colour outside {box}: bbox {exact_bbox(image, colour)}"
    for side, rect in popup_ring(box).items():
        if whole_ring:
            assert image.clip(rect) == rect, f"popup {side} border {rect} is off screen"
        assert only_colour(image, rect, RED_RGB), \
            f"popup {side} border is not {RED}: {image.describe(image.clip(rect))}"


def open_big_window(comp, conn, app_id="popup-parent", margin=0):
    rects = [(margin, margin, BIG_W, BIG_H, GREY)] if margin else ()
    geometry = (margin, margin, BIG_W, BIG_H) if margin else None
    window, listed = map_window(comp, conn, app_id, BIG_W + 2 * margin, BIG_H + 2 * margin,
                                color=MAGENTA if margin else GREY, rects=rects,
                                geometry=geometry)
    return window, frame_parts(listed)


def corner_positioner(conn, window, adjustment):
    """A 300x200 popup below and right of a 10x10 anchor near the window's bottom-right."""
    return conn.create_positioner(window.wm_base, POPUP_W, POPUP_H,
                                  (BIG_W - 20, BIG_H - 20, 10, 10), ANCHOR_BOTTOM_RIGHT,
                                  GRAVITY_BOTTOM_RIGHT, adjustment)


def popup_box(parts, popup) -> Rect:
    x, y, width, height = popup.configures[-1]
    return at(parts.content, x, y, width, height)


def test_unadjustable_popup_is_kept_on_the_output_anyway(comp):
    """A positioner that allows no adjustment does not let a VM's popup leave the output:
    the compositor slides it back, so the whole popup and its whole outline are on screen
    (issue 18: a popup whose outline is off screen can pass for anything)."""
    with Connection(comp.socket_path_for("red")) as conn:
        window, parts = open_big_window(comp, conn)
        popup = conn.create_popup(window, corner_positioner(conn, window, ADJUST_NONE), YELLOW)
        box = popup_box(parts, popup)
        assert popup.configures[-1] != (BIG_W - 10, BIG_H - 10, POPUP_W, POPUP_H), \
            "the popup was left where it would leave the output"
        assert intersection(box.inset(-POPUP_BORDER), OUTPUT) == box.inset(-POPUP_BORDER), \
            f"popup {box} or its outline leaves the output"

        def drawn(image):
            assert_popup_drawn(image, box, whole_ring=True)
            assert_frame_intact(image, parts, covered=[box.inset(-POPUP_BORDER)])
            assert_nothing_outside(image, [parts.frame, box.inset(-POPUP_BORDER)], "popup")

        comp.screenshot_until(drawn, "popup-unadjusted")


@pytest.mark.parametrize("adjustment", [
    pytest.param(ADJUST_FLIP_X | ADJUST_FLIP_Y, id="flip"),
    pytest.param(ADJUST_SLIDE_X | ADJUST_SLIDE_Y, id="slide"),
    pytest.param(ADJUST_RESIZE_X | ADJUST_RESIZE_Y, id="resize"),
    pytest.param(ADJUST_FLIP_X | ADJUST_FLIP_Y | ADJUST_SLIDE_X | ADJUST_SLIDE_Y
                 | ADJUST_RESIZE_X | ADJUST_RESIZE_Y, id="all"),
])
def test_adjustable_popup_is_kept_on_the_output(comp, adjustment):
    with Connection(comp.socket_path_for("red")) as conn:
        window, parts = open_big_window(comp, conn)
        popup = conn.create_popup(window, corner_positioner(conn, window, adjustment), YELLOW)
        box = popup_box(parts, popup)
        assert intersection(box, OUTPUT) == box, f"popup {box} leaves the output"
        assert box.width > 0 and box.height > 0

        def drawn(image):
            assert_popup_drawn(image, box, whole_ring=False)
            assert_frame_intact(image, parts, covered=[box.inset(-POPUP_BORDER)])
            assert_nothing_outside(image, [parts.frame, box.inset(-POPUP_BORDER)], "popup")

        comp.screenshot_until(drawn, "popup-adjusted")


def test_slid_popup_keeps_its_whole_border_on_screen(comp):
    with Connection(comp.socket_path_for("red")) as conn:
        window, parts = open_big_window(comp, conn)
        popup = conn.create_popup(
            window, corner_positioner(conn, window, ADJUST_SLIDE_X | ADJUST_SLIDE_Y), YELLOW)
        box = popup_box(parts, popup)
        comp.screenshot_until(lambda image: assert_popup_drawn(image, box, whole_ring=True),
                              "popup-slid-border", timeout=3)


def test_popup_of_window_with_geometry_offset_is_kept_on_the_output(comp):
    margin = 10
    with Connection(comp.socket_path_for("red")) as conn:
        window, parts = open_big_window(comp, conn, margin=margin)
        # Above and left of the window's top-left corner: off the top of the output.
        positioner = conn.create_positioner(window.wm_base, POPUP_W, POPUP_H, (0, 0, 10, 10),
                                            ANCHOR_TOP_LEFT, GRAVITY_TOP_LEFT,
                                            ADJUST_SLIDE_X | ADJUST_SLIDE_Y)
        popup = conn.create_popup(window, positioner, YELLOW)
        box = popup_box(parts, popup)
        assert intersection(box, OUTPUT) == box, f"popup {box} leaves the output"
        comp.screenshot_until(lambda image: assert_popup_drawn(image, box, whole_ring=False),
                              "popup-geometry-offset", timeout=3)


@pytest.mark.parametrize("geometry", ["explicit", "implicit"])
def test_popup_subsurface_sticking_out_is_clipped(comp, geometry):
    """A magenta subsurface hanging 40 px off the popup's top-left: with a popup geometry it
    is cut at the popup's edge; without one the popup grows, and its border goes round the
    whole of it. Either way no client colour is outside the red ring."""
    with Connection(comp.socket_path_for("red")) as conn:
        window, parts = open_big_window(comp, conn)
        popup = conn.create_popup(window, corner_positioner(conn, window,
                                                            ADJUST_FLIP_X | ADJUST_FLIP_Y),
                                  YELLOW, geometry=(0, 0, POPUP_W, POPUP_H)
                                  if geometry == "explicit" else None)
        conn.create_subsurface(popup.surface, -40, -40, 200, 150, MAGENTA)
        x, y, _, _ = popup.configures[-1]
        if geometry == "explicit":
            box = at(parts.content, x, y, POPUP_W, POPUP_H)
            inside = Rect(box.x, box.y, 160, 110)
        else:
            # The popup's surface stays where the positioner put it; its geometry (the
            # bounding box of its surfaces) now reaches 40 px further up and left.
            box = at(parts.content, x - 40, y - 40, POPUP_W + 40, POPUP_H + 40)
            inside = Rect(box.x, box.y, 200, 150)

        def clipped(image):
            assert only_colour(image, inside, MAGENTA_RGB), image.describe(inside)
            assert exact_bbox(image, MAGENTA_RGB) == inside, \
                f"magenta at {exact_bbox(image, MAGENTA_RGB)}, expected only {inside}"
            # The subsurface covers the popup's top-left 160x110 in both cases.
            yellow = image.count(box, lambda c: c == YELLOW_RGB)
            assert yellow == POPUP_W * POPUP_H - 160 * 110, image.describe(box)
            for side, rect in popup_ring(box).items():
                assert only_colour(image, rect, RED_RGB), \
                    f"popup {side} border: {image.describe(image.clip(rect))}"
            assert_frame_intact(image, parts, covered=[box.inset(-POPUP_BORDER)])
            assert_nothing_outside(image, [parts.frame, box.inset(-POPUP_BORDER)], "popup")

        comp.screenshot_until(clipped, f"popup-subsurface-{geometry}")
