"""A VM attacking the desktop through its windows, popups and grabs (issue 18, holes 1-4).

Every attacker is a raw Wayland client (wire.py) on a VM socket doing exactly what a
compromised guest could. The rules checked here:

- Object lifetimes follow wlroots' destroy order: a toplevel or popup torn down under its
  popups, in any order, never crashes the compositor, and other VMs' windows stay framed.
- Keyboard focus belongs to the compositor: a focus change the user makes (Alt+Tab,
  `spectrumctl focus`) ends every grab another client holds, and a popup grab needs the
  keyboard focus and a serial the client really got.
- Pointer focus follows the scene: after a restack or a window growing under a pointer that
  does not move, the next click and the enter go to what is on screen under the pointer.
- A VM's popups stay on the output with their VM-coloured outline fully on screen.
"""

import dataclasses

import pytest

from harness import BLUE, RED, check_frame, frame_parts, make_config, wait_until
from pixels import Rect, hex_rgb
from wire import (ADJUST_NONE, ANCHOR_TOP_LEFT, BTN_LEFT, GRAVITY_BOTTOM_RIGHT, PRESSED,
                  Connection, Disconnected, Popup, ProtocolError, Reader, i32, u32)

CONFIG = make_config({"red": {"color": RED}, "blue": {"color": BLUE}})

GREEN = 0xFF00FF00
MAGENTA = 0xFFFF00FF
YELLOW = 0xFFFFFF00
BLUE_ARGB = 0xFF000000 | int(BLUE[1:], 16)  # a fake window painted in blue's colour


@pytest.fixture
def comp(spectrum):
    return spectrum(CONFIG)


@pytest.fixture
def witness(comp):
    """A window of VM blue that must stay drawn, framed in blue, whatever red does."""
    conn = Connection(comp.socket_path_for("blue"))
    toplevel = conn.create_toplevel(240, 160, color=GREEN, app_id="witness", title="witness")
    window = comp.wait_for_window(app_id="witness", vm="blue")
    yield conn, toplevel, window
    conn.close()


def assert_desktop_alive(comp, witness) -> None:
    """The compositor lives, blue's client is still connected and its window is drawn
    framed in blue, and new clients are welcome."""
    assert comp.alive(), f"compositor died:\n{comp.log_tail()}"
    conn, _toplevel, window = witness
    conn.roundtrip()
    listed = comp.window(window["id"])
    assert listed is not None, "blue's window is gone"
    parts = frame_parts(listed)
    comp.screenshot_until(lambda image: check_frame(image, parts, BLUE), "witness")
    with Connection(comp.socket_path_for("red")) as fresh:
        assert fresh.get_registry()


# --- raw requests --------------------------------------------------------------------------

def destroy(conn: Connection, object_id: int) -> None:
    """The destructor request of xdg_toplevel, xdg_popup, xdg_surface and wl_surface
    (opcode 0 on each)."""
    conn.request(object_id, 0)


def as_parent(toplevel, popup: Popup):
    """A parent for Connection.create_popup(): the popup, with the toplevel's globals."""
    return dataclasses.replace(toplevel, surface=popup.surface, xdg_surface=popup.xdg_surface)


def positioner(conn, toplevel, size=(80, 60), offset=(10, 10), adjustment=ADJUST_NONE):
    return conn.create_positioner(toplevel.wm_base, size[0], size[1], (0, 0, 1, 1),
                                  ANCHOR_TOP_LEFT, GRAVITY_BOTTOM_RIGHT, adjustment, offset)


def popup_objects(conn, parent) -> Popup:
    """An xdg_popup of `parent` that has not committed yet (nothing acked, nothing drawn)."""
    surface = conn.create_surface(parent.compositor)
    xdg_surface = conn.new_id()
    conn.request(parent.wm_base, 2, u32(xdg_surface), u32(surface))  # get_xdg_surface
    place = positioner(conn, parent)
    popup_id = conn.new_id()
    conn.request(xdg_surface, 2, u32(popup_id), u32(parent.xdg_surface), u32(place))
    popup = Popup(surface, xdg_surface, popup_id)

    def on_xdg_surface(opcode, reader):
        if opcode == 0:
            popup.serials.append(reader.u32())

    def on_popup(opcode, reader):
        if opcode == 0:
            popup.configures.append((reader.i32(), reader.i32(), reader.i32(), reader.i32()))
        elif opcode == 1:
            popup.done = True

    conn.handlers[xdg_surface] = on_xdg_surface
    conn.handlers[popup_id] = on_popup
    return popup


def grabbing_popup(conn, parent, seat: int, serial: int, size=(1, 1)) -> Popup:
    """A popup that asks for xdg_popup.grab(seat, serial) before it maps (a 1x1 one: the
    attack needs no visible menu), then maps."""
    popup = popup_objects(conn, parent)
    conn.request(popup.popup, 1, u32(seat), u32(serial))  # grab
    conn.request(popup.surface, 6)  # initial commit
    conn.dispatch_until(lambda: bool(popup.serials) or popup.done)
    if not popup.done:
        conn.ack_configure(popup.xdg_surface, popup.serials[-1])
        conn.commit_buffer(popup.surface, size[0], size[1], MAGENTA, shm=parent.shm)
    conn.roundtrip()
    return popup


@dataclasses.dataclass
class KeyRecorder:
    keyboard: int
    keys: list = dataclasses.field(default_factory=list)  # (key, state)
    enter_serials: list = dataclasses.field(default_factory=list)
    focused: bool = False


def record_keyboard(conn: Connection) -> KeyRecorder:
    """wl_seat.get_keyboard, every key event kept (read after a roundtrip)."""
    seat = conn.shared("wl_seat", 5)
    keyboard = conn.new_id()
    conn.request(seat, 1, u32(keyboard))  # get_keyboard
    recorder = KeyRecorder(keyboard)

    def on_keyboard(opcode, reader: Reader):
        if opcode == 1:  # enter(serial, surface, keys)
            recorder.enter_serials.append(reader.u32())
            recorder.focused = True
        elif opcode == 2:  # leave
            recorder.focused = False
        elif opcode == 3:  # key(serial, time, key, state)
            reader.u32(), reader.u32()
            recorder.keys.append((reader.u32(), reader.u32()))

    conn.handlers[keyboard] = on_keyboard
    conn.roundtrip()
    return recorder


# --- 1. lifetimes: teardown in every order -------------------------------------------------

def red_window(comp, conn, app_id="attacker", **kwargs):
    toplevel = conn.create_toplevel(300, 200, color=YELLOW, app_id=app_id, title=app_id, **kwargs)
    return toplevel


def toplevel_under_popup(conn, toplevel):
    conn.create_popup(toplevel, positioner(conn, toplevel), MAGENTA)
    destroy(conn, toplevel.toplevel)


def toplevel_under_nested_popups(conn, toplevel):
    first = conn.create_popup(toplevel, positioner(conn, toplevel), MAGENTA)
    parent = as_parent(toplevel, first)
    conn.create_popup(parent, positioner(conn, parent, offset=(20, 20)), GREEN)
    destroy(conn, toplevel.toplevel)


def parent_popup_surface_destroyed(conn, toplevel):
    first = conn.create_popup(toplevel, positioner(conn, toplevel), MAGENTA)
    parent = as_parent(toplevel, first)
    conn.create_popup(parent, positioner(conn, parent, offset=(20, 20)), GREEN)
    destroy(conn, first.surface)  # the parent popup's wl_surface, under its child


def parent_popup_destroyed_first(conn, toplevel):
    first = conn.create_popup(toplevel, positioner(conn, toplevel), MAGENTA)
    parent = as_parent(toplevel, first)
    conn.create_popup(parent, positioner(conn, parent, offset=(20, 20)), GREEN)
    destroy(conn, first.popup)  # not the topmost: a protocol error, then the teardown


def unmapped_toplevel_before_popup_commits(conn, toplevel):
    popup_objects(conn, toplevel)  # never committed
    destroy(conn, toplevel.toplevel)


def client_gone_with_nested_popups(conn, toplevel):
    first = conn.create_popup(toplevel, positioner(conn, toplevel), MAGENTA)
    parent = as_parent(toplevel, first)
    conn.create_popup(parent, positioner(conn, parent, offset=(20, 20)), GREEN)
    conn.sock.close()  # no destroy requests at all


ORDERINGS = {
    "toplevel-under-popup": (toplevel_under_popup, True),
    "toplevel-under-nested-popups": (toplevel_under_nested_popups, True),
    "parent-popup-surface-destroyed": (parent_popup_surface_destroyed, True),
    "parent-popup-destroyed-first": (parent_popup_destroyed_first, True),
    "unmapped-toplevel-before-popup-commits": (unmapped_toplevel_before_popup_commits, False),
    "client-gone-with-nested-popups": (client_gone_with_nested_popups, True),
}


@pytest.mark.parametrize("ordering", sorted(ORDERINGS))
def test_popup_teardown_orders_keep_the_desktop(comp, witness, ordering):
    attack, mapped = ORDERINGS[ordering]
    conn = Connection(comp.socket_path_for("red"))
    toplevel = red_window(comp, conn, map_window=mapped)
    if mapped:
        comp.wait_for_window(app_id="attacker", vm="red")
    try:
        attack(conn, toplevel)
        if conn.sock.fileno() != -1:
            conn.roundtrip()
    except ProtocolError:
        pass  # destroying a parent popup or its surface first is one; the teardown follows
    except Disconnected as end:
        raise AssertionError(f"{ordering}: the compositor hung up without an error: {end}\n"
                             f"{comp.log_tail()}") from None
    finally:
        conn.close()
    wait_until(lambda: not [w for w in comp.windows() if w["app_id"] == "attacker"], 5)
    assert_desktop_alive(comp, witness)


def test_popup_stays_drawn_while_its_toplevel_lives(comp, witness):
    """The same popups, torn down in the protocol's order, for contrast: drawn, then gone."""
    conn = Connection(comp.socket_path_for("red"))
    toplevel = red_window(comp, conn)
    comp.wait_for_window(app_id="attacker", vm="red")
    first = conn.create_popup(toplevel, positioner(conn, toplevel), MAGENTA)
    parent = as_parent(toplevel, first)
    second = conn.create_popup(parent, positioner(conn, parent, offset=(20, 20)), GREEN)
    for popup in (second, first):
        destroy(conn, popup.popup)
        destroy(conn, popup.xdg_surface)
        destroy(conn, popup.surface)
    destroy(conn, toplevel.toplevel)
    conn.roundtrip()
    conn.close()
    assert_desktop_alive(comp, witness)


# --- 2. grabs: keys go where the screen says focus is --------------------------------------

@pytest.fixture
def two_typists(comp):
    """Red's window (focused, opened first) and blue's (opened later: not focused), each
    recording the keys it gets."""
    red = Connection(comp.socket_path_for("red"))
    red_keys = record_keyboard(red)
    red_top = red.create_toplevel(300, 200, color=YELLOW, app_id="red-typist", title="red")
    red_win = comp.wait_for_window(app_id="red-typist", vm="red")
    blue = Connection(comp.socket_path_for("blue"))
    blue_keys = record_keyboard(blue)
    blue_top = blue.create_toplevel(300, 200, color=GREEN, app_id="blue-typist", title="blue")
    blue_win = comp.wait_for_window(app_id="blue-typist", vm="blue")
    assert comp.window(red_win["id"])["focused"]
    red.dispatch_until(lambda: red_keys.focused)
    yield (red, red_keys, red_top, red_win), (blue, blue_keys, blue_top, blue_win)
    red.close()
    blue.close()


def typed(comp, conns_and_recorders, text="xyz"):
    """Types `text` with wtype; returns how many key events each recorder got for it."""
    for conn, recorder in conns_and_recorders:
        conn.roundtrip()
        recorder.keys.clear()
    comp.type_keys(text)
    counts = []
    for conn, recorder in conns_and_recorders:
        conn.roundtrip()
        counts.append(len(recorder.keys))
    return counts


@pytest.mark.parametrize("how", ["alt-tab", "spectrumctl-focus"])
def test_focus_change_ends_another_vms_popup_grab(comp, two_typists, how):
    (red, red_keys, red_top, red_win), (blue, blue_keys, _blue_top, blue_win) = two_typists
    # Red, focused, grabs with a serial it really got (its keyboard enter): a grab is its
    # right while it has the keyboard.
    seat = red.shared("wl_seat", 5)
    popup = grabbing_popup(red, red_top, seat, red_keys.enter_serials[-1])
    assert not popup.done, "a grab by the focused client with its own serial was refused"
    # Keys go to red while it has focus and its menu open.
    red_count, blue_count = typed(comp, [(red, red_keys), (blue, blue_keys)], "ab")
    assert red_count == 4 and blue_count == 0, (red_count, blue_count)

    if how == "alt-tab":
        comp.press("Alt+Tab")
        wait_until(lambda: comp.window(blue_win["id"])["focused"], 5, message="blue focused")
    else:
        comp.focus(blue_win["id"])
    assert not comp.window(red_win["id"])["focused"]

    red_count, blue_count = typed(comp, [(red, red_keys), (blue, blue_keys)], "xyz")
    assert red_count == 0, f"red got {red_count} key events after focus moved to blue"
    assert blue_count == 6, f"blue got {blue_count} key events, not the 6 typed"
    red.roundtrip()
    assert popup.done, "red's grabbing popup was not dismissed"
    assert comp.alive()


def test_unfocused_vm_cannot_grab_the_keyboard(comp, two_typists):
    """Blue has no focus; its popup grab with a made-up serial must not take the keys the
    screen says red has."""
    (red, red_keys, _red_top, red_win), (blue, blue_keys, blue_top, _blue_win) = two_typists
    seat = blue.shared("wl_seat", 5)
    popup = grabbing_popup(blue, blue_top, seat, 0x7FFF1234)
    blue.roundtrip()
    assert popup.done, "blue's grab without focus was not refused (no popup_done)"
    red_count, blue_count = typed(comp, [(red, red_keys), (blue, blue_keys)], "xyz")
    assert blue_count == 0, f"unfocused blue got {blue_count} key events"
    assert red_count == 6, f"focused red got {red_count} key events, not the 6 typed"
    assert comp.window(red_win["id"])["focused"]
    comp.wait_for_log("popup grab of VM blue refused")


def test_grab_with_a_serial_never_sent_is_refused(comp, two_typists):
    (red, red_keys, red_top, _red_win), _blue = two_typists
    seat = red.shared("wl_seat", 5)
    popup = grabbing_popup(red, red_top, seat, red_keys.enter_serials[-1] + 100000)
    red.roundtrip()
    assert popup.done, "a grab with a made-up serial was not refused"
    comp.wait_for_log("popup grab of VM red refused")


# --- 3. pointer focus follows the scene ----------------------------------------------------

@pytest.fixture
def pointer(comp):
    host = Connection(comp.socket_path_for(None))
    yield host.create_virtual_pointer((1280, 720))
    host.close()


def rect_intersection(a: Rect, b: Rect) -> Rect:
    x0, y0 = max(a.x, b.x), max(a.y, b.y)
    x1, y1 = min(a.right, b.right), min(a.bottom, b.bottom)
    return Rect(x0, y0, max(x1 - x0, 0), max(y1 - y0, 0))


@pytest.fixture
def overlapping(comp, pointer):
    """Red's and blue's windows, too large to sit side by side, each recording its pointer
    events; blue focused and on top, the pointer resting in the overlap over blue."""
    red = Connection(comp.socket_path_for("red"))
    red_ptr = red.record_pointer()
    red_top = red.create_toplevel(820, 520, color=YELLOW, app_id="red-under", title="red")
    red_win = comp.wait_for_window(app_id="red-under", vm="red")
    blue = Connection(comp.socket_path_for("blue"))
    blue_ptr = blue.record_pointer()
    blue_top = blue.create_toplevel(820, 520, color=GREEN, app_id="blue-over", title="blue")
    blue_win = comp.wait_for_window(app_id="blue-over", vm="blue")
    comp.focus(blue_win["id"])
    overlap = rect_intersection(Rect.of(red_win), Rect.of(blue_win))
    assert overlap.width > 40 and overlap.height > 40, (red_win, blue_win)
    spot = (overlap.x + overlap.width // 2, overlap.y + overlap.height // 2)
    pointer.move_to(*spot)
    pointer.sync()
    blue.roundtrip()
    wait_until(lambda: (blue.roundtrip(), blue_ptr.focus == blue_top.surface)[1], 5,
               message="blue entered")
    yield (red, red_ptr, red_top, red_win), (blue, blue_ptr, blue_top, blue_win), spot
    red.close()
    blue.close()


def only_yellow(image, rect: Rect) -> bool:
    return image.count(rect, lambda c: c == (0xFF, 0xFF, 0x00)) == rect.width * rect.height


@pytest.mark.parametrize("how", ["alt-tab", "spectrumctl-focus"])
def test_click_after_restack_goes_to_the_window_on_top(comp, pointer, overlapping, how):
    (red, red_ptr, red_top, red_win), (blue, blue_ptr, _blue_top, _blue_win), spot = overlapping
    if how == "alt-tab":
        comp.press("Alt+Tab")
        wait_until(lambda: comp.window(red_win["id"])["focused"], 5, message="red focused")
    else:
        comp.focus(red_win["id"])

    # Red is now on top under the pointer, which has not moved (the cursor image is drawn
    # right and down of the spot: look just above and left of it).
    near = Rect(spot[0] - 6, spot[1] - 6, 4, 4)

    def red_on_top(image):
        assert only_yellow(image, near), image.describe(near)

    comp.screenshot_until(red_on_top, "restacked")
    red.roundtrip()
    blue.roundtrip()
    red_ptr.clear()
    blue_ptr.clear()
    pointer.press()
    pointer.release()
    pointer.sync()
    red.roundtrip()
    blue.roundtrip()
    assert (BTN_LEFT, PRESSED) not in blue_ptr.buttons(), \
        f"the click went to blue's window, hidden under red's: {blue_ptr.events}"
    assert (BTN_LEFT, PRESSED) in red_ptr.buttons(), f"red got no click: {red_ptr.events}"
    assert red_ptr.focus == red_top.surface


def test_unmap_under_a_still_pointer_enters_the_window_below(comp, pointer, overlapping):
    (red, red_ptr, red_top, _red_win), (blue, _blue_ptr, blue_top, blue_win), spot = overlapping
    red.roundtrip()
    red_ptr.clear()
    blue.request(blue_top.surface, 1, u32(0), i32(0), i32(0))  # attach(null)
    blue.request(blue_top.surface, 6)  # commit: unmapped
    blue.roundtrip()
    wait_until(lambda: (red.roundtrip(), red_ptr.focus == red_top.surface)[1], 5,
               message=f"an enter on red's window once blue's went; got {red_ptr.events}")
    pointer.press()
    pointer.release()
    pointer.sync()
    red.roundtrip()
    assert (BTN_LEFT, PRESSED) in red_ptr.buttons(), red_ptr.events


def test_window_growing_under_a_still_pointer_gets_enter(comp, pointer):
    red = Connection(comp.socket_path_for("red"))
    red_ptr = red.record_pointer()
    top = red.create_toplevel(300, 200, color=YELLOW, app_id="grower", title="grower",
                              follow_configure=False)
    window = comp.wait_for_window(app_id="grower", vm="red")
    content = Rect.of(window)
    # Beside the window, on the background: where the window will be once it has grown.
    spot = (content.right + 60, content.y + 50)
    pointer.move_to(*spot)
    pointer.sync()
    red.roundtrip()
    assert red_ptr.focus is None, red_ptr.events
    red_ptr.clear()
    red.commit_buffer(top.surface, 500, 200, YELLOW, shm=top.shm)  # grows by its own commit
    red.roundtrip()
    wait_until(lambda: comp.window(window["id"])["width"] == 500, 5, message="window grown")
    wait_until(lambda: (red.roundtrip(), red_ptr.focus == top.surface)[1], 5,
               message=f"an enter on the grown window; got {red_ptr.events}")
    enter = red_ptr.of_kind("enter")[0]
    assert (enter.x, enter.y) == (spot[0] - content.x, spot[1] - content.y), enter
    red.close()


# --- 4. popups stay on screen with their outline --------------------------------------------

@pytest.mark.parametrize("size", [(1280, 720), (3000, 2000)], ids=["output-sized", "larger"])
def test_popup_cannot_cover_the_screen_without_its_outline(comp, size):
    red = Connection(comp.socket_path_for("red"))
    red_top = red.create_toplevel(300, 200, color=YELLOW, app_id="spoofer", title="spoofer")
    red_win = comp.wait_for_window(app_id="spoofer", vm="red")
    # Blue's window opens later, not focused: below red's, which keeps its label in full.
    blue = Connection(comp.socket_path_for("blue"))
    blue.create_toplevel(300, 200, color=GREEN, app_id="victim", title="victim")
    blue_win = comp.wait_for_window(app_id="victim", vm="blue")
    # A popup the size of the output (or larger), at the output's (0, 0), that may not be
    # adjusted, painted as a fake window in blue's colour.
    offset = (-red_win["x"], -red_win["y"])
    spot = red.create_positioner(red_top.wm_base, size[0], size[1], (0, 0, 1, 1), ANCHOR_TOP_LEFT,
                                 GRAVITY_BOTTOM_RIGHT, ADJUST_NONE, offset)
    red.create_popup(red_top, spot, BLUE_ARGB, buffer_size=size)

    red_rgb = hex_rgb(RED)
    blue_frame = frame_parts(blue_win).frame
    edges = [Rect(0, 0, 1280, 2), Rect(0, 718, 1280, 2), Rect(0, 0, 2, 720),
             Rect(1278, 0, 2, 720)]

    def outlined(image):
        for edge in edges:
            cover = rect_intersection(edge, blue_frame)
            total = edge.width * edge.height - cover.width * cover.height
            count = image.count(edge, lambda c: c == red_rgb)
            assert count >= total, f"red outline missing on {edge}: {image.describe(edge)}"
        # The popup is inside its outline: nothing of it beyond.
        inner = Rect(2, 2, 1276, 716)
        assert image.count(inner, lambda c: c == (0x34, 0x65, 0xA4)) > 0.5 * inner.width * inner.height, \
            "the popup is not drawn"

    comp.screenshot_until(outlined, "popup-outline")
    # The user turns to blue's window: it comes up above red's popup, frame and label intact.
    comp.focus(blue_win["id"])
    comp.screenshot_until(lambda image: check_frame(image, frame_parts(blue_win), BLUE),
                          "blue-focused")
    assert comp.alive()
    red.close()
    blue.close()
