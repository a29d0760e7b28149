"""The clipboard between VMs (DESIGN.md, security model 5): every VM has its own clipboard and
primary selection; data crosses only by Ctrl+Shift+C in the source VM's window and
Ctrl+Shift+V in the target's; a compositor notice says what happened; a policy may deny a
pair; drag and drop never crosses. Real wl-copy / wl-paste on the VM sockets, keys typed with
wtype on the host socket, raw clients (clipboard_clients.py) for what misbehaves."""

from __future__ import annotations

import base64
import hashlib
import os
import subprocess
import time

import pytest

from clipboard_clients import FrameCounter, SeatClient, VirtualPointer, write_forever
from harness import BACKGROUND, BLUE, RED, make_config, wait_until
from pixels import Image, Rect, distance, hex_rgb
from wire import Connection

VMS = {"red": {"color": RED}, "blue": {"color": BLUE}}
MiB = 1 << 20


def text_of(size: int) -> bytes:
    """`size` bytes of printable ASCII (valid UTF-8, so the check leaves it alone)."""
    return base64.b64encode(os.urandom(size * 3 // 4 + 3))[:size]


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Desk:
    """A compositor with VMs red and blue, a keyboard, and an idle window per VM to focus
    (wl-copy and wl-paste, without data-control in a VM, map a tiny window that gets the
    keyboard only if focus is already on their VM)."""

    def __init__(self, comp):
        self.comp = comp
        # A keyboard that stays: with none, wl_keyboard gets no keymap and wl-clipboard waits.
        comp.spawn(["wtype", "-s", "3600000"], name="keyboard")
        self.desk_windows: dict[str, dict] = {}
        self.connections: list[Connection] = []
        self.copies = 0

    def close(self) -> None:
        for conn in self.connections:
            conn.close()

    def window(self, vm: str | None) -> dict:
        """The idle window of `vm` (None: a host window)."""
        name = f"{vm or 'host'}-desk"
        if name not in self.desk_windows:
            conn = Connection(self.comp.socket_path_for(vm))
            self.connections.append(conn)
            conn.create_toplevel(240, 160, title=name, app_id=name)
            self.desk_windows[name] = self.comp.wait_for_window(app_id=name)
        return self.desk_windows[name]

    def focus(self, vm: str | None) -> None:
        self.comp.focus(self.window(vm)["id"])

    def copy_in(self, vm: str, data: bytes, *args: str) -> None:
        """wl-copy in `vm` (its window focused first); returns once the selection is set."""
        self.focus(vm)
        self.copies += 1
        path = self.comp.tmp / f"copy-{self.copies}"
        path.write_bytes(data)
        client = self.comp.spawn(["sh", "-c", 'exec wl-copy "$@" < "$0"', str(path), *args], vm,
                                 name=f"wl-copy-{vm}")
        # wl-copy forks once the selection is set: the parent's exit says it is. The child
        # serves the data (and is killed with its process group at teardown).
        assert client.wait(timeout=20) == 0, client.output()

    def paste_in(self, vm: str | None, *args: str, focus: bool = True) -> subprocess.CompletedProcess:
        """wl-paste in `vm` (None: the host, which uses data-control and needs no focus)."""
        if vm is not None and focus:
            self.focus(vm)
        return subprocess.run(["wl-paste", "--no-newline", *args], env=self.comp.client_env(vm),
                              capture_output=True, timeout=30)

    def clipboard(self) -> dict:
        return self.comp.ctl_json("clipboard")

    def press(self, combo: str, event: str | None = None, timeout: float = 20) -> dict:
        """Presses a clipboard key and waits for its notice (`event`, if given)."""
        before = (self.clipboard().get("last") or {}).get("seq", 0)
        self.comp.press(combo)

        def done():
            status = self.clipboard()
            last = status.get("last")
            return last and last["seq"] > before and status["state"] != "copying" and status

        status = wait_until(done, timeout, message=lambda: f"a notice after {combo}: "
                                                             f"{self.clipboard()}")
        if event is not None:
            assert status["last"]["event"] == event, status
        return status

    def transfer(self, source: str, target: str, paste_event: str = "pasted") -> dict:
        self.focus(source)
        copied = self.press("Ctrl+Shift+C")
        assert copied["last"]["event"] == "copied", copied
        self.focus(target)
        return self.press("Ctrl+Shift+V", paste_event)


@pytest.fixture
def desk_for(spectrum):
    desks: list[Desk] = []

    def start(extra: str = "", vms: dict | None = None) -> Desk:
        desk = Desk(spectrum(make_config(vms or VMS, extra=extra)))
        desks.append(desk)
        return desk

    yield start
    for desk in desks:
        desk.close()


@pytest.fixture
def desk(desk_for):
    return desk_for()


def nothing_copied(result: subprocess.CompletedProcess) -> bool:
    return result.returncode != 0 and result.stdout == b""


# --- isolation -------------------------------------------------------------------------------


def test_a_selection_stays_in_its_vm(desk):
    # A payload per domain, none a part of another: a read of the wrong one cannot pass.
    red, blue, host = b"red's secret \xe2\x9c\x93 4c1f", b"blue's own 9e07", b"host's own 52ad"
    desk.copy_in("red", red)
    assert desk.paste_in("red").stdout == red  # the VM itself can paste it

    got = desk.paste_in("blue")
    assert nothing_copied(got), got

    # A host tool reads over data-control, which sees the seat's selection: red's while
    # red has the focus. The compositor must not hand it red's bytes.
    desk.focus("red")
    got = desk.paste_in(None)
    assert red not in got.stdout, "the host read red's selection while red had the focus"
    assert got.stdout == b"", got

    # Each VM keeps its own last selection as focus moves between them.
    desk.copy_in("blue", blue)
    assert desk.paste_in("red").stdout == red
    assert desk.paste_in("blue").stdout == blue
    # So does the host: a host copy (over data-control) is neither seen by a VM nor
    # replaced by one, and the host reads its own when a host window has the focus.
    host_copy = desk.comp.spawn(["wl-copy", host.decode()], None, name="wl-copy-host")
    assert host_copy.wait(timeout=20) == 0, host_copy.output()
    assert desk.paste_in("red").stdout == red
    assert desk.paste_in("blue").stdout == blue
    # blue has the focus: the host reads neither blue's selection nor its own.
    assert desk.paste_in(None).stdout == b""
    desk.focus("red")
    assert desk.paste_in(None).stdout == b""
    desk.focus(None)
    assert desk.paste_in(None).stdout == host


def test_primary_selection_never_crosses(desk):
    desk.copy_in("red", b"red primary", "--primary")
    assert desk.paste_in("red", "--primary").stdout == b"red primary"
    blue = desk.paste_in("blue", "--primary")
    assert nothing_copied(blue), blue
    desk.focus("red")  # the seat offers red's primary selection: the host still reads none
    host = desk.paste_in(None, "--primary")
    assert host.stdout == b"", host
    # The clipboard keys carry the clipboard only, never the primary selection.
    desk.focus("red")
    assert desk.press("Ctrl+Shift+C")["last"]["event"] == "nothing-to-copy"


def test_a_drag_from_red_dropped_onto_blue_delivers_nothing(desk):
    comp = desk.comp
    # The (red) source is on top; the targets each show a strip beside it.
    red_target = SeatClient(comp.socket_path_for("red"), title="red-target", width=500, height=360)
    blue_target = SeatClient(comp.socket_path_for("blue"), title="blue-target", width=300,
                             height=200)
    source = SeatClient(comp.socket_path_for("red"), title="drag-source")
    pointer = VirtualPointer(str(comp.host_socket))
    desk.connections += [red_target, blue_target, source, pointer]
    windows = {w["app_id"]: w for w in comp.windows()}
    # Blue's opened without focus, so below the focused red one: the user brings it up, then
    # the source back on top (red target, blue target, source, bottom to top).
    comp.focus(windows["blue-target"]["id"])
    comp.focus(windows["drag-source"]["id"])

    # Press on the source, then drag: over the red target (a control: the drag works inside
    # a VM), then over the blue one, and let go there.
    pointer.move_to(*visible_point(windows["drag-source"], []))
    pointer.button(True)
    source.start_drag(source.create_source(["text/plain"], actions=1))
    pointer.move_to(*visible_point(windows["red-target"], [windows["drag-source"],
                                                          windows["blue-target"]]))
    red_target.roundtrip()
    assert any(e[0] == "enter" for e in red_target.device_events), \
        f"the drag never entered the red window: {red_target.device_events}"
    red_target.accept_drag()
    pointer.move_to(*visible_point(windows["blue-target"], [windows["drag-source"]]))
    pointer.button(False)
    for client in (source, red_target, blue_target):
        client.roundtrip()

    assert blue_target.drag_events() == [], f"blue saw the drag: {blue_target.drag_events()}"
    assert ("leave",) in red_target.device_events
    assert ("drop",) not in red_target.device_events
    source.dispatch_until(lambda: bool(source.cancelled), 5)  # dropped on nothing: cancelled
    assert source.sends == [], "someone read the dragged data"


@pytest.mark.parametrize("vm", ["red", None], ids=["vm", "host"])
def test_drag_icons_follow_the_pointer_and_a_vms_is_outlined_and_kept_small(desk, vm):
    """The icon follows the pointer over the whole desktop: a VM's is cut to 128x128 and
    outlined in its colour (a 400x300 icon cannot pass for a window); a host client's is
    drawn whole. It goes with the drag."""
    comp = desk.comp
    source = SeatClient(comp.socket_path_for(vm), title="icon-source")
    pointer = VirtualPointer(str(comp.host_socket))
    desk.connections += [source, pointer]
    window = next(w for w in comp.windows() if w["app_id"] == "icon-source")
    green = (0x20, 0xC0, 0x40)
    red = hex_rgb(RED)

    pointer.move_to(*visible_point(window, []))
    pointer.button(True)
    icon = source.create_surface(source.window.compositor)
    source.start_drag(source.create_source(["text/plain"], actions=1), icon=icon)
    source.commit_buffer(icon, 400, 300, 0xFF20C040, shm=source.window.shm)
    source.roundtrip()
    # Somewhere with nothing but background around: the top-left of the output.
    x, y = 60, 60
    pointer.move_to(x, y)
    width, height, b = (128, 128, 2) if vm else (400, 300, 0)
    shown = Rect(x, y, width, height)
    outline = Rect(x - b, y - b, width + 2 * b, height + 2 * b)
    around = Rect(x - 40, y - 40, 400 + 80, 300 + 80)

    def icon_drawn(image):
        near = lambda c: distance(c, green) < 30  # noqa: E731
        # The cursor is drawn over the icon's top-left corner: most of it, not all.
        assert image.count(shown, near) > 0.95 * width * height, image.describe(shown)
        assert image.count(around, near, exclude=[shown]) == 0, \
            f"icon drawn beyond {width}x{height}: {image.describe(around)}"
        if not vm:
            return
        # Every side of the outline (less the corner the cursor covers).
        for edge in (Rect(shown.x + 24, outline.y, width - 24 + b, b),
                     Rect(outline.x, shown.bottom, outline.width, b),
                     Rect(outline.x, shown.y + 24, b, height - 24),
                     Rect(shown.right, outline.y, b, outline.height)):
            assert image.count(edge, lambda c: distance(c, red) < 30) == edge.width * edge.height, \
                f"outline {edge}: {image.describe(edge)}"

    comp.screenshot_until(icon_drawn, "drag-icon")
    pointer.button(False)
    source.roundtrip()

    def icon_gone(image):
        assert image.count(outline, lambda c: distance(c, green) < 30 or
                           distance(c, red) < 30) == 0, image.describe(outline)

    comp.screenshot_until(icon_gone, "drag-icon-gone")
    assert comp.alive()


def test_a_drag_icon_never_covers_a_notice(desk_for):
    """Notices say what crossed between VMs: a VM's drag icon goes under them, not over."""
    desk = desk_for("\n[clipboard]\nnotice_ms = 60000\n")  # up for the whole test
    comp = desk.comp
    source = SeatClient(comp.socket_path_for("red"), title="icon-source")
    pointer = VirtualPointer(str(comp.host_socket))
    desk.connections += [source, pointer]
    window = next(w for w in comp.windows() if w["app_id"] == "icon-source")
    pointer.move_to(*visible_point(window, []))
    # The notice first, the icon after it: made later, the icon would be drawn on top if
    # it shared the notice's layer.
    notice = desk.press("Ctrl+Shift+C", "nothing-to-copy")["notice"]
    pointer.button(True)
    icon = source.create_surface(source.window.compositor)
    source.start_drag(source.create_source(["text/plain"], actions=1), icon=icon)
    source.commit_buffer(icon, 128, 128, 0xFF20C040, shm=source.window.shm)
    source.roundtrip()
    box = Rect(notice["x"], notice["y"], notice["width"], notice["height"])
    assert box.height < 100 and box.width > 160, box
    pointer.move_to(box.x + 20, box.y + 2)  # the icon now spans the notice's whole height
    bottom = Rect(box.x + 50, box.bottom - 2, 80, 2)  # its border, under the icon
    green = (0x20, 0xC0, 0x40)

    def notice_on_top(image):
        assert image.count(Rect(box.x + 30, box.bottom + 4, 90, 20),
                           lambda c: distance(c, green) < 30) > 1000, "the icon is not there"
        colour = image.pixel(box.right - 3, box.bottom - 1)  # the border, away from the icon
        assert distance(colour, hex_rgb(BACKGROUND)) > 60, "the notice is gone"
        assert image.count(bottom, lambda c: c == colour) == bottom.width * bottom.height, \
            f"the icon covers the notice: {image.describe(bottom)} (border {colour})"

    comp.screenshot_until(notice_on_top, "icon-under-notice")
    pointer.button(False)


def visible_point(window: dict, above: list[dict]) -> tuple[int, int]:
    """A point of `window`'s content that none of the frames `above` it covers."""
    content = Rect.of(window)
    covers = [Rect.of(w["frame"]) for w in above]
    for y in range(content.y + 10, content.bottom - 10, 8):
        for x in range(content.x + 10, content.right - 10, 8):
            if not any(r.contains(x, y) for r in covers):
                return x, y
    raise AssertionError(f"no visible point in {window} below {above}")


# --- transfers -------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [10, 1 * MiB, 15 * MiB], ids=["10B", "1MiB", "15MiB"])
def test_text_crosses_byte_for_byte(desk, size):
    data = text_of(size)
    desk.copy_in("red", data)
    desk.focus("red")
    copied = desk.press("Ctrl+Shift+C", "copied")
    assert copied["bytes"] == size and copied["source"] == "red"
    assert "text/plain" in copied["types"]
    desk.focus("blue")
    pasted = desk.press("Ctrl+Shift+V", "pasted")
    assert pasted["last"]["text"].startswith("Pasted ") and "[red] into [blue]" in pasted["last"]["text"]
    got = desk.paste_in("blue")
    assert got.returncode == 0, got.stderr
    assert (len(got.stdout), sha(got.stdout)) == (size, sha(data))
    # Any name the source offered works, not only the one the broker read.
    assert sha(desk.paste_in("blue", "--type", "UTF8_STRING").stdout) == sha(data)


def test_an_image_arrives_as_image_png(desk):
    width, height = 64, 48
    pixels = bytes((x * 4, y * 5, (x ^ y) & 0xFF) [i % 3] for y in range(height)
                   for x in range(width) for i in range(3))
    png = Image(width, height, pixels).to_png()
    desk.copy_in("red", png, "--type", "image/png")
    copied = desk.transfer("red", "blue")
    assert copied["last"]["event"] == "pasted"
    types = desk.paste_in("blue", "--list-types").stdout.decode().split()
    assert types == ["image/png"], types
    got = desk.paste_in("blue", "--type", "image/png")
    assert sha(got.stdout) == sha(png)


def test_after_a_paste_there_is_nothing_left_to_paste(desk):
    desk.copy_in("red", b"once")
    desk.transfer("red", "blue")
    again = desk.press("Ctrl+Shift+V", "nothing-to-paste")
    assert again["state"] == "empty" and again["bytes"] == 0
    # What was pasted is blue's own clipboard now: pasting there again still works.
    assert desk.paste_in("blue").stdout == b"once"


def test_over_the_cap_nothing_is_pasted(desk_for):
    desk = desk_for(vms={"red": {"color": RED, "limits": {"clipboard_bytes": "1M"}},
                         "blue": {"color": BLUE}})
    desk.copy_in("blue", b"blue's previous selection")
    desk.copy_in("red", text_of(2 * MiB))
    desk.focus("red")
    refused = desk.press("Ctrl+Shift+C", "too-large")
    assert "1.0 MiB" in refused["last"]["text"] and "[red]" in refused["last"]["text"]
    assert refused["notice"]["text"] == refused["last"]["text"]  # on screen
    desk.focus("blue")
    desk.press("Ctrl+Shift+V", "nothing-to-paste")
    assert desk.paste_in("blue").stdout == b"blue's previous selection"


def test_policy_deny_red_to_blue(desk_for):
    desk = desk_for(extra='\n[[clipboard.rule]]\nfrom = "red"\nto = "blue"\naction = "deny"\n')
    desk.copy_in("blue", b"untouched")
    desk.copy_in("red", b"must not cross")
    denied = desk.transfer("red", "blue", "denied")
    assert denied["last"]["text"] == "Denied by policy: [red] \u2192 [blue]"
    assert denied["notice"]["text"] == denied["last"]["text"]
    assert desk.paste_in("blue").stdout == b"untouched"


def test_policy_confirm_waits_for_enter(desk_for):
    desk = desk_for(extra='\n[[clipboard.rule]]\nfrom = "*"\nto = "blue"\naction = "confirm"\n')
    desk.copy_in("red", b"asked first")
    asked = desk.transfer("red", "blue", "ask-confirm")
    assert asked["state"] == "confirming" and asked["target"] == "blue"
    assert nothing_copied(desk.paste_in("blue", focus=False))  # nothing yet
    desk.comp.press("Escape")
    wait_until(lambda: desk.clipboard()["last"]["event"] == "cancelled", 5)
    assert desk.clipboard()["state"] == "holding"  # a "no" keeps the copy
    desk.press("Ctrl+Shift+V", "ask-confirm")
    desk.comp.press("Return")
    wait_until(lambda: desk.clipboard()["last"]["event"] == "pasted", 5)
    assert desk.paste_in("blue").stdout == b"asked first"


# --- keys and notices ------------------------------------------------------------------------


def test_the_keys_never_reach_the_focused_window(desk, tmp_path):
    """A foot in red reads raw bytes: a Ctrl+Shift+C or V reaching it would arrive as ^C
    (0x03) or ^V (0x16), since its own clipboard bindings are turned off."""
    desk.copy_in("red", b"LEAK")
    out = desk.comp.tmp / "typed"
    script = 'stty raw -echo; head -c 3 > "$0"'
    _, window = desk.comp.foot("red", "-o", "key-bindings.clipboard-copy=none",
                               "-o", "key-bindings.clipboard-paste=none",
                               app_id="raw-reader", command=["sh", "-c", script, str(out)])
    desk.comp.focus(window["id"])
    time.sleep(0.5)  # the shell is in raw mode
    desk.press("Ctrl+Shift+C", "copied")
    desk.press("Ctrl+Shift+V", "pasted")
    desk.comp.type_keys("xyz")
    wait_until(lambda: out.exists() and len(out.read_bytes()) >= 3, 10,
               message=lambda: f"3 bytes in {out}")
    assert out.read_bytes() == b"xyz"


def test_the_keys_are_configurable(desk_for):
    desk = desk_for(extra='\n[keys]\n"Ctrl+Shift+C" = "none"\n"Ctrl+Shift+V" = "none"\n'
                          '"Super+C" = "clipboard-copy"\n"Super+V" = "clipboard-paste"\n')
    desk.copy_in("red", b"moved with Super")
    desk.focus("red")
    desk.comp.press("Ctrl+Shift+C")  # an ordinary key combination now: no notice
    desk.press("Super+C", "copied")
    assert desk.clipboard()["last"]["seq"] == 1
    desk.focus("blue")
    desk.press("Super+V", "pasted")
    assert desk.paste_in("blue").stdout == b"moved with Super"


def test_a_screenshot_shows_the_notice(desk):
    desk.copy_in("red", b"0123456789")
    desk.focus("red")
    status = desk.press("Ctrl+Shift+C", "copied")
    notice = status["notice"]
    assert notice["text"] == "Copied 10 B (text) from [red]"
    box = Rect(notice["x"], notice["y"], notice["width"], notice["height"])
    red = hex_rgb(RED)

    def check(image: Image) -> None:
        border = Rect(box.x, box.y, box.width, 3)
        assert image.count(border, lambda c: c == red) == border.width * 3, image.describe(border)
        inside = box.inset(6)
        text = image.count(inside, lambda c: distance(c, (0x1E, 0x1F, 0x24)) > 150)
        assert text > 40, f"no text in the notice: {image.describe(inside)}"

    desk.comp.screenshot_until(check, "notice")
    # And it goes away by itself.
    wait_until(lambda: desk.clipboard()["notice"] is None, 10)


def test_spectrumctl_never_shows_the_contents(desk):
    secret = b"correct horse battery staple"
    desk.copy_in("red", secret)
    desk.focus("red")
    desk.press("Ctrl+Shift+C", "copied")
    text = desk.comp.ctl("clipboard").stdout
    as_json = desk.comp.ctl("clipboard", "--json").stdout
    assert "source: red" in text and "bytes:  28" in text
    assert secret.decode() not in text and secret.decode() not in as_json
    assert secret not in desk.comp.log_path.read_bytes()


# --- misbehaving sources ---------------------------------------------------------------------


@pytest.mark.parametrize("behaviour", ["never-writes", "writes-forever"])
def test_a_bad_source_does_not_freeze_the_compositor(desk_for, behaviour):
    desk = desk_for(extra="\n[clipboard]\ntimeout_ms = 3000\n")
    comp = desk.comp
    source = SeatClient(comp.socket_path_for("red"), title="bad-source")
    desk.connections.append(source)
    source.wait_for_focus()
    source.set_selection(source.create_source(["text/plain;charset=utf-8"]))
    frames = FrameCounter(comp.socket_path_for("blue"))
    desk.connections.append(frames)

    start = time.monotonic()
    comp.press("Ctrl+Shift+C")
    if behaviour == "writes-forever":
        source.dispatch_until(lambda: bool(source.sends), 5)
        write_forever(source.sends.pop()[1])
    # While the copy is stuck (or flooded), another VM's window keeps getting frames and
    # spectrumctl keeps answering.
    counted = frames.count_frames(1.0)
    assert counted >= 10, f"only {counted} frames in a second during the copy"
    assert comp.windows()
    expected = "source-silent" if behaviour == "never-writes" else "too-large"
    status = wait_until(lambda: (s := desk.clipboard())["last"] and s["state"] != "copying" and s,
                        10)
    assert status["last"]["event"] == expected, status
    assert status["notice"] is not None and status["state"] == "empty"
    if behaviour == "never-writes":
        assert time.monotonic() - start >= 2.5  # ended by the 3 s timeout, not before
    assert frames.count_frames(0.5) >= 5
