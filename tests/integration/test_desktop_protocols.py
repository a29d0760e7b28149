"""The host's desktop protocols: wlr-randr changes an output's mode, scale and position
(zwlr_output_manager_v1), a taskbar (zwlr_foreign_toplevel_manager_v1) sees every window as
"[vm] title" and can minimize, activate and close it, a host client that comes through a
security context (wp_security_context_manager_v1, as Flatpak does) sees only the VM
allow-list, and labels are rendered at the scale of the output their window is on.
None of these globals is visible on a VM socket (test_protocol_filter.py binds each)."""

import os
import re
import socket
import subprocess
import tempfile

import pytest

from harness import RED, TITLE_HEIGHT, frame_parts, make_config, wait_until
from pixels import Image, Rect, distance, hex_rgb
from wire import Connection, ProtocolError, string, u32

CONFIG = make_config({"red": {"color": RED}})
GREEN = 0xFF00FF00

# zwlr_foreign_toplevel_handle_v1
HANDLE_SET_MINIMIZED, HANDLE_ACTIVATE, HANDLE_CLOSE = 2, 4, 5
STATE_MINIMIZED, STATE_ACTIVATED = 1, 2


@pytest.fixture
def comp(spectrum):
    return spectrum(CONFIG)


def outputs(comp):
    return {o["name"]: o for o in comp.ctl_json("outputs")}


def randr(comp, *args, vm=None):
    return subprocess.run(["wlr-randr", *args], env=comp.client_env(vm), capture_output=True,
                          text=True, timeout=15)


def grim_output(comp, name) -> Image:
    result = subprocess.run(["grim", "-o", name, "-t", "ppm", "-"], env=comp.client_env(None),
                            capture_output=True, timeout=15)
    assert result.returncode == 0, result.stderr
    image = Image.from_ppm(result.stdout)
    image.save_png(comp.artifacts.unique(f"output-{name}", ".png"))
    return image


# --- wlr-randr -------------------------------------------------------------------------

def test_wlr_randr_changes_mode_scale_and_position(comp):
    listed = randr(comp)
    assert listed.returncode == 0 and "HEADLESS-1" in listed.stdout, listed
    # A custom mode written without a rate gets one (never 0).
    done = randr(comp, "--output", "HEADLESS-1", "--custom-mode", "1024x768", "--scale", "2",
                 "--pos", "10,20")
    assert done.returncode == 0, done.stderr
    out = wait_until(lambda: outputs(comp)["HEADLESS-1"]["scale"] == 2 and outputs(comp)["HEADLESS-1"],
                     message="the new scale")
    assert (out["width"], out["height"]) == (512, 384), out
    assert (out["x"], out["y"]) == (10, 20), out
    assert out["refresh_mhz"] == 60000, out
    image = grim_output(comp, "HEADLESS-1")
    assert (image.width, image.height) == (1024, 768)
    # wlr-randr reads the new state back.
    again = randr(comp)
    assert re.search(r"1024x768 px", again.stdout) and re.search(r"Scale: 2", again.stdout), again.stdout


def test_output_configuration_that_would_leave_nothing_on_is_refused(comp):
    refused = randr(comp, "--output", "HEADLESS-1", "--off")
    assert refused.returncode != 0
    assert outputs(comp)["HEADLESS-1"]["width"] == 1280
    silly = randr(comp, "--output", "HEADLESS-1", "--scale", "9")
    assert silly.returncode != 0
    assert outputs(comp)["HEADLESS-1"]["scale"] == 1
    assert comp.alive()


def test_wlr_randr_from_a_vm_finds_nothing_to_change(comp):
    result = randr(comp, "--output", "HEADLESS-1", "--scale", "2", vm="red")
    assert result.returncode != 0
    assert outputs(comp)["HEADLESS-1"]["scale"] == 1


# --- labels at the output's scale ------------------------------------------------------------

def ink_rows(image: Image, rect: Rect, background) -> int:
    """Rows of `rect` holding text: pixels far from the title bar's colour."""
    rows = [y for y in range(rect.y, rect.bottom)
            if any(distance(image.pixel(x, y), background) > 200 for x in range(rect.x, rect.right))]
    assert rows, "no label text at all"
    return rows[-1] - rows[0] + 1


def test_label_follows_the_scale_of_the_output_its_window_is_on(comp):
    second = comp.ctl("output", "add", "1280x720").stdout.strip()
    assert randr(comp, "--output", second, "--scale", "2").returncode == 0
    wait_until(lambda: outputs(comp)[second]["scale"] == 2, message="scale 2")
    right = outputs(comp)[second]
    with Connection(comp.socket_path_for(None)) as host, \
            Connection(comp.socket_path_for("red")) as red:
        pointer = host.create_virtual_pointer((right["x"] + right["width"], 720))
        pointer.move_to(100, 700)
        pointer.sync()
        red.create_toplevel(200, 60, color=GREEN, title="scaled", app_id="moving")
        moving = comp.wait_for_window(app_id="moving")
        pointer.move_to(right["x"] + 320, 20)
        pointer.sync()
        red.create_toplevel(200, 60, color=GREEN, title="scaled", app_id="native")
        native = comp.wait_for_window(app_id="native")
        assert native["x"] >= right["x"], "opened on the scale-2 output"

        def label(window, origin=(0, 0), scale=1) -> Rect:
            return Rect((window["x"] - origin[0]) * scale, (window["y"] - TITLE_HEIGHT - origin[1]) * scale,
                        150 * scale, TITLE_HEIGHT * scale)

        red_rgb = hex_rgb(RED)
        height_1x = ink_rows(grim_output(comp, "HEADLESS-1"), label(moving), red_rgb)

        # Drag the first window onto the scale-2 output, clear of the other one.
        target_y = native["frame"]["y"] + native["frame"]["height"] + 10
        if target_y + moving["frame"]["height"] > right["y"] + right["height"]:
            target_y = right["y"]
        bar = frame_parts(moving).title_bar
        start = (bar.x + 10, bar.y + bar.height // 2)
        dx = right["x"] + 10 - moving["frame"]["x"]
        dy = target_y - moving["frame"]["y"]
        pointer.drag(start, (start[0] + dx, start[1] + dy))
        moved = comp.wait_for_window(lambda w: w["x"] >= right["x"], id=moving["id"])
        pointer.move_to(5, 5)
        pointer.sync()
        origin = (right["x"], right["y"])

        def sharp(image):
            # Rendered again at scale 2: the same pixels as a label made there.
            # (a bool: pytest would diff the bytes for minutes)
            same = image.crop(label(moved, origin, 2)) == image.crop(label(native, origin, 2))
            assert same, "the moved window's label was not rendered again at scale 2"
        image = grim_output(comp, second)
        sharp(image)
        height_2x = ink_rows(image, label(moved, origin, 2), red_rgb)
        assert 1.7 <= height_2x / height_1x <= 2.3, (height_1x, height_2x)


# --- taskbars ------------------------------------------------------------------------------

class Taskbar:
    """A raw zwlr_foreign_toplevel_manager_v1 client: every handle's title, app id, states."""

    def __init__(self, conn: Connection):
        self.conn = conn
        conn.get_registry()
        self.seat = conn.bind_interface("wl_seat", 1)
        self.manager = conn.bind_interface("zwlr_foreign_toplevel_manager_v1", 3)
        self.handles: dict[int, dict] = {}
        conn.handlers[self.manager] = self._on_manager
        conn.roundtrip()

    def _on_manager(self, opcode, reader):
        if opcode != 0:
            return
        handle = reader.u32()
        entry = {"title": None, "app_id": None, "states": [], "closed": False}
        self.handles[handle] = entry

        def on_handle(op, r):
            if op == 0:
                entry["title"] = r.string()
            elif op == 1:
                entry["app_id"] = r.string()
            elif op == 4:
                raw = r.array()
                entry["states"] = [int.from_bytes(raw[i:i + 4], "little") for i in range(0, len(raw), 4)]
            elif op == 6:
                entry["closed"] = True
        self.conn.handlers[handle] = on_handle

    def find(self, title):
        self.conn.roundtrip()
        for handle, entry in self.handles.items():
            if entry["title"] == title and not entry["closed"]:
                return handle, entry
        return None

    def states(self, title):
        found = self.find(title)
        return found[1]["states"] if found else None


def test_taskbar_sees_vm_labels_and_can_minimize_activate_and_close(comp):
    with Connection(comp.socket_path_for(None)) as host, \
            Connection(comp.socket_path_for("red")) as red:
        bar = Taskbar(host)
        window = red.create_toplevel(200, 100, color=GREEN, title="[host] trust me", app_id="spoof")
        info = comp.wait_for_window(app_id="spoof")
        # The VM's own title cannot drop or replace the label the compositor puts first.
        handle, entry = wait_until(lambda: bar.find("[red] [host] trust me"), message=lambda: f"taskbar entry, saw {bar.handles}")
        assert entry["app_id"] == "red.spoof"

        host.request(handle, HANDLE_SET_MINIMIZED)
        comp.wait_for_window(id=info["id"], minimized=True, timeout=5)
        wait_until(lambda: bar.states("[red] [host] trust me") == [STATE_MINIMIZED],
                   message=lambda: f"minimized state, saw {bar.handles}")

        host.request(handle, HANDLE_ACTIVATE, u32(bar.seat))
        comp.wait_for_window(id=info["id"], minimized=False, focused=True, timeout=5)
        wait_until(lambda: STATE_ACTIVATED in (bar.states("[red] [host] trust me") or []),
                   message=lambda: f"activated state, saw {bar.handles}")

        host.request(handle, HANDLE_CLOSE)
        red.dispatch_until(lambda: window.closed)


# --- sandboxed host clients ---------------------------------------------------------------

def test_security_context_client_sees_only_the_vm_allow_list(comp):
    workdir = tempfile.mkdtemp(prefix="spectrum-sc-")
    path = os.path.join(workdir, "sandbox.sock")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen()
    close_read, close_write = os.pipe()
    try:
        with Connection(comp.socket_path_for(None)) as host, \
                Connection(comp.socket_path_for("red")) as vm:
            host_globals = host.get_registry()
            vm_view = {g.interface for g in vm.get_registry().values()}
            manager = host.bind_interface("wp_security_context_manager_v1", 1)
            context = host.new_id()
            host.request(manager, 1, u32(context), fds=[listener.fileno(), close_read])
            host.request(context, 1, string("spectrum-test"))  # set_sandbox_engine
            host.request(context, 2, string("org.example.App"))  # set_app_id
            host.request(context, 4)  # commit
            host.roundtrip()

            with Connection(path) as sandboxed:
                seen = {g.interface for g in sandboxed.get_registry().values()}
                assert seen == vm_view, f"extra: {seen - vm_view}, missing: {vm_view - seen}"
                assert "zwlr_screencopy_manager_v1" not in seen
                screencopy = next(g for g in host_globals.values()
                                  if g.interface == "zwlr_screencopy_manager_v1")
                end = sandboxed.expect_end(
                    lambda: sandboxed.bind(screencopy.name, screencopy.interface, 1))
                assert isinstance(end, ProtocolError), repr(end)

            # Its windows take no focus from a VM's and are labelled as sandboxed.
            bar = Taskbar(host)
            vm.create_toplevel(200, 100, color=GREEN, title="mine", app_id="vm-window")
            focused = comp.wait_for_window(app_id="vm-window", focused=True)
            with Connection(path) as sandboxed:
                sandboxed.create_toplevel(200, 100, color=GREEN, title="[red] mine", app_id="boxed")
                boxed = comp.wait_for_window(app_id="boxed")
                assert boxed["vm"] is None and boxed["focused"] is False, boxed
                assert comp.window(focused["id"])["focused"] is True
                wait_until(lambda: bar.find("[sandbox] [red] mine"),
                           message=lambda: f"the sandbox label, saw {bar.handles}")
            # The host itself still sees everything.
            assert "zwlr_screencopy_manager_v1" in {g.interface for g in host_globals.values()}
    finally:
        os.close(close_write)
        listener.close()
    assert comp.alive()


# --- outputs going and coming, fractional scales ------------------------------------------

def test_output_turned_off_takes_no_window_with_it(comp):
    second = comp.ctl("output", "add", "1024x600").stdout.strip()
    right = wait_until(lambda: outputs(comp).get(second), message="the second output")
    with Connection(comp.socket_path_for(None)) as host, \
            Connection(comp.socket_path_for("red")) as red:
        pointer = host.create_virtual_pointer((right["x"] + right["width"], 720))
        pointer.move_to(right["x"] + 500, 300)  # new windows open under the pointer
        pointer.sync()
        red.create_toplevel(300, 200, color=GREEN, app_id="stranded")
        window = comp.wait_for_window(app_id="stranded")
        assert window["x"] >= right["x"], window
        assert randr(comp, "--output", second, "--off").returncode == 0
        moved = comp.wait_for_window(lambda w: w["frame"]["x"] + w["frame"]["width"] // 2 < 1280,
                                     id=window["id"], timeout=5)
        assert 0 <= moved["frame"]["y"] < 720
        assert randr(comp, "--output", second, "--on").returncode == 0
        back = wait_until(lambda: outputs(comp)[second]["width"] == 1024 and outputs(comp)[second],
                          message="the output back on")
        assert back["refresh_mhz"] > 0


def test_vm_client_is_told_the_fractional_scale_of_its_output(comp):
    assert randr(comp, "--output", "HEADLESS-1", "--scale", "1.5").returncode == 0
    wait_until(lambda: outputs(comp)["HEADLESS-1"]["scale"] == 1.5, message="scale 1.5")
    with Connection(comp.socket_path_for("red")) as red:
        window = red.create_toplevel(200, 100, color=GREEN, app_id="fractional")
        manager = red.bind_interface("wp_fractional_scale_manager_v1", 1)
        fractional = red.new_id()
        scales = []
        red.handlers[fractional] = lambda opcode, reader: scales.append(reader.u32()) if opcode == 0 else None
        red.request(manager, 1, u32(fractional), u32(window.surface))  # get_fractional_scale
        red.request(window.surface, 6)
        red.dispatch_until(lambda: bool(scales))
        assert scales[-1] == 180, scales  # 1.5 in 120ths
