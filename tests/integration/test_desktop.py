"""The host's desktop: a layer-shell panel and its exclusive zone, the session lock with the
real swaylock (and a raw ext_session_lock_v1 client to unlock: swaylock needs a password
PAM accepts), swayidle's timeouts, output power, and the launcher (Super+D, the real
fuzzel, the real supervisor starting a VM with the chosen app). None of these protocols
is visible to a VM."""

import json
import os
import re
import signal
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import unquote

import pytest

from harness import BLUE, RED, TITLE_HEIGHT, make_config, wait_until
from pixels import Rect, distance, hex_rgb
from wire import ADJUST_SLIDE_X, Connection, ProtocolError, i32, string, u32
from wire import ANCHOR_BOTTOM_LEFT as WIRE_ANCHOR_BOTTOM_LEFT
from wire import GRAVITY_BOTTOM_RIGHT as WIRE_GRAVITY_BOTTOM_RIGHT

HOST_ONLY = ["zwlr_layer_shell_v1", "ext_session_lock_manager_v1", "ext_idle_notifier_v1",
             "zwlr_output_power_manager_v1"]

PANEL = (0x20, 0xC0, 0x40)
DOCK = (0x90, 0x40, 0xC0)
SWAYLOCK = (0x11, 0x22, 0x33)
LOCK_COVER = (15, 15, 18)  # the compositor's own locked background

ANCHOR_TOP, ANCHOR_BOTTOM, ANCHOR_LEFT, ANCHOR_RIGHT = 1, 2, 4, 8
LAYER_TOP = 2


def argb(rgb) -> int:
    return 0xFF000000 | rgb[0] << 16 | rgb[1] << 8 | rgb[2]


def colours(image, rect: Rect) -> set:
    data = image.crop(image.clip(rect))
    return set(zip(data[0::3], data[1::3], data[2::3]))


def outputs(comp) -> list[Rect]:
    return [Rect.of(o) for o in comp.ctl_json("outputs")]


def layer_surface(conn: Connection, *, anchor: int, size: tuple[int, int], exclusive: int,
                  colour, layer: int = LAYER_TOP, keyboard: int = 0, namespace: str = "panel"):
    """A zwlr_layer_surface_v1 of one colour, mapped at the size the compositor gives it."""
    conn.get_registry()
    compositor = conn.bind_interface("wl_compositor", 4)
    shm = conn.bind_interface("wl_shm", 1)
    shell = conn.bind_interface("zwlr_layer_shell_v1", 4)
    surface = conn.create_surface(compositor)
    layer_id = conn.new_id()
    configures: list[tuple[int, int, int]] = []

    def on_event(opcode, reader):
        if opcode == 0:
            configures.append((reader.u32(), reader.u32(), reader.u32()))

    conn.handlers[layer_id] = on_event
    # get_layer_surface(id, surface, output: null, layer, namespace)
    conn.request(shell, 0, u32(layer_id), u32(surface), u32(0), u32(layer), string(namespace))
    conn.request(layer_id, 0, u32(size[0]), u32(size[1]))  # set_size
    conn.request(layer_id, 1, u32(anchor))  # set_anchor
    conn.request(layer_id, 2, i32(exclusive))  # set_exclusive_zone
    conn.request(layer_id, 4, u32(keyboard))  # set_keyboard_interactivity
    conn.request(surface, 6)  # initial commit: asks for a configure
    conn.dispatch_until(lambda: bool(configures))
    serial, width, height = configures[-1]
    conn.request(layer_id, 6, u32(serial))  # ack_configure
    width, height = width or size[0], height or size[1]
    buffer = conn.create_buffer(shm, width, height, argb(colour))
    conn.attach_and_commit(surface, buffer, width, height)
    conn.roundtrip()
    return surface, layer_id, (width, height)


def raw_lock(conn: Connection) -> tuple[int, list[int]]:
    """ext_session_lock_manager_v1.lock: the lock's id and the events it gets (0 locked,
    1 finished)."""
    conn.get_registry()
    manager = conn.bind_interface("ext_session_lock_manager_v1", 1)
    lock = conn.new_id()
    events: list[int] = []
    conn.handlers[lock] = lambda opcode, reader: events.append(opcode)
    conn.request(manager, 1, u32(lock))
    conn.dispatch_until(lambda: bool(events))
    return lock, events


def raw_unlock(comp) -> None:
    """A new locker that locks and unlocks at once: the only way out of a locked session
    whose locker died."""
    with Connection(comp.socket_path_for(None)) as conn:
        lock, events = raw_lock(conn)
        assert events == [0], f"the lock was not granted: {events}"
        conn.request(lock, 2)  # unlock_and_destroy
        conn.roundtrip()
    comp.wait_for_log("screen unlocked")


# --- host only -----------------------------------------------------------------------------

def test_desktop_globals_are_on_the_host_socket_only(spectrum):
    comp = spectrum(make_config({"red": {"color": RED}}))
    with Connection(comp.socket_path_for(None)) as host:
        host_globals = {g.interface: g for g in host.get_registry().values()}
    for interface in HOST_ONLY:
        assert interface in host_globals, f"{interface} missing on the host socket"
    with Connection(comp.socket_path_for("red")) as vm:
        vm_interfaces = {g.interface for g in vm.get_registry().values()}
    assert not vm_interfaces & set(HOST_ONLY)
    for interface in HOST_ONLY:
        with Connection(comp.socket_path_for("red")) as vm:
            vm.get_registry()
            end = vm.expect_end(lambda: vm.bind(host_globals[interface].name, interface, 1))
            assert isinstance(end, ProtocolError), f"binding {interface} from a VM: {end!r}"
    assert comp.alive()


# --- layer shell -----------------------------------------------------------------------------

def test_panel_exclusive_zone_is_respected_by_a_maximized_vm_window(spectrum):
    comp = spectrum(make_config({"red": {"color": RED}}))
    with Connection(comp.socket_path_for(None)) as panel:
        _, _, size = layer_surface(panel, anchor=ANCHOR_TOP | ANCHOR_LEFT | ANCHOR_RIGHT,
                                   size=(0, 30), exclusive=30, colour=PANEL)
        assert size == (1280, 30), f"the panel was configured to {size}"
        with Connection(comp.socket_path_for("red")) as vm:
            vm.create_toplevel(300, 200, app_id="under-panel")
            window = comp.wait_for_window(app_id="under-panel")
            # Placed beside the panel, not under it.
            assert window["frame"]["y"] >= 30, window
            comp.focus(window["id"])
            comp.press("Super+M")

            def maximized():
                vm.roundtrip()  # the raw client redraws at the size it is given
                w = comp.window(window["id"])
                return w if w and w["maximized"] and w["frame"]["height"] > 600 else None

            window = wait_until(maximized, 10, message="a maximized window")
            frame = Rect.of(window["frame"])
            assert frame.y == 30 and frame.bottom == 720, f"maximized frame {frame}"

            def check(image):
                assert colours(image, Rect(0, 0, 1280, 30)) == {PANEL}, \
                    image.describe(Rect(0, 0, 1280, 30))
                # The red frame starts right below the panel and reaches the bottom.
                assert distance(image.pixel(640, 31), hex_rgb(RED)) < 10
                assert distance(image.pixel(2, 700), hex_rgb(RED)) < 10
                assert distance(image.pixel(640, 30 + 4 + TITLE_HEIGHT + 50), (0x30, 0xA0, 0x30)) < 10

            comp.screenshot_until(check, "panel-maximized")

            # A second panel at the bottom: the maximized window makes room for it too.
            with Connection(comp.socket_path_for(None)) as dock:
                layer_surface(dock, anchor=ANCHOR_BOTTOM | ANCHOR_LEFT | ANCHOR_RIGHT,
                              size=(0, 40), exclusive=40, colour=DOCK, namespace="dock")

                def refitted():
                    vm.roundtrip()
                    w = comp.window(window["id"])
                    return w if w["maximized"] and w["frame"]["y"] == 30 and \
                        w["frame"]["y"] + w["frame"]["height"] == 680 else None

                wait_until(refitted, 10, message="the maximized window beside both panels")
                image = comp.screenshot_until(
                    lambda image: _all(image, Rect(0, 680, 1280, 40), DOCK), "two-panels")
                assert distance(image.pixel(640, 678), hex_rgb(RED)) < 10


WAYBAR_CONFIG = {"layer": "top", "position": "top", "height": 30, "exclusive": True,
                 "modules-left": ["clock"], "clock": {"format": "{:%H:%M}"}}
WAYBAR_STYLE = "* { font-family: DejaVu Sans; font-size: 12px; } window#waybar { background: #20c040; }"


def test_waybar_and_its_exclusive_zone(spectrum, artifacts):
    """The real waybar: a top panel whose zone a maximized VM window leaves free."""
    if subprocess.run(["sh", "-c", "command -v waybar dbus-run-session"], capture_output=True).returncode:
        pytest.skip("waybar and dbus-run-session are needed (run via tools/dev)")
    config, style = artifacts.path("waybar.json"), artifacts.path("waybar.css")
    config.write_text(json.dumps(WAYBAR_CONFIG))
    style.write_text(WAYBAR_STYLE)
    comp = spectrum(make_config({"red": {"color": RED}}))
    # A session bus of its own: waybar will not start without one.
    comp.spawn(["dbus-run-session", "--", "waybar", "-c", str(config), "-s", str(style)], name="waybar")
    comp.wait_for_log(r'layer surface "waybar" mapped', timeout=20)
    with Connection(comp.socket_path_for("red")) as vm:
        vm.create_toplevel(300, 200, app_id="beside-waybar")
        window = comp.wait_for_window(app_id="beside-waybar")
        comp.focus(window["id"])
        comp.press("Super+M")

        def maximized():
            vm.roundtrip()
            w = comp.window(window["id"])
            return w if w and w["maximized"] and w["frame"]["height"] > 600 else None

        frame = Rect.of(wait_until(maximized, 10, message="a maximized window")["frame"])
        assert frame.y == 30 and frame.bottom == 720, frame

        def check(image):
            top = colours(image, Rect(0, 0, 1280, 30))
            assert PANEL in top and not any(distance(c, hex_rgb(RED)) < 40 for c in top), \
                image.describe(Rect(0, 0, 1280, 30))
            assert distance(image.pixel(640, 31), hex_rgb(RED)) < 10

        comp.screenshot_until(check, "waybar", timeout=10)


POPUP = (0xE0, 0x80, 0x10)


def test_a_panel_popup_opens_below_the_panel_and_stays_on_its_output(spectrum):
    """A panel's menu (an xdg_popup of a layer surface, as waybar makes): configured,
    drawn above the windows, and slid back onto the output when it would leave it."""
    comp = spectrum()
    with Connection(comp.socket_path_for(None)) as conn:
        _, panel, _ = layer_surface(conn, anchor=ANCHOR_TOP | ANCHOR_LEFT | ANCHOR_RIGHT,
                                    size=(0, 30), exclusive=30, colour=PANEL)
        compositor = conn.bind_interface("wl_compositor", 4)
        shm = conn.bind_interface("wl_shm", 1)
        wm_base = conn.bind_interface("xdg_wm_base", 1)
        conn.handlers[wm_base] = lambda opcode, reader: (
            conn.request(wm_base, 3, u32(reader.u32())) if opcode == 0 else None)  # pong
        # A 200x150 menu under a button at the panel's right end: it would reach x=1400.
        positioner = conn.create_positioner(wm_base, 200, 150, (1200, 0, 50, 30), WIRE_ANCHOR_BOTTOM_LEFT,
                                            WIRE_GRAVITY_BOTTOM_RIGHT, ADJUST_SLIDE_X)
        surface = conn.create_surface(compositor)
        xdg_surface = conn.new_id()
        conn.request(wm_base, 2, u32(xdg_surface), u32(surface))  # get_xdg_surface
        popup = conn.new_id()
        conn.request(xdg_surface, 2, u32(popup), u32(0), u32(positioner))  # get_popup(parent: null)
        serials, configures = [], []
        conn.handlers[xdg_surface] = lambda opcode, reader: serials.append(reader.u32())
        conn.handlers[popup] = lambda opcode, reader: (
            configures.append((reader.i32(), reader.i32(), reader.i32(), reader.i32())) if opcode == 0 else None)
        conn.request(panel, 5, u32(popup))  # zwlr_layer_surface_v1.get_popup
        conn.request(surface, 6)
        conn.dispatch_until(lambda: bool(serials))
        assert configures[-1] == (1080, 30, 200, 150), configures
        conn.ack_configure(xdg_surface, serials[-1])
        conn.commit_buffer(surface, 200, 150, argb(POPUP), shm=shm)
        conn.roundtrip()

        def check(image):
            assert colours(image, Rect(1080, 30, 200, 150)) == {POPUP}, image.describe(Rect(1080, 30, 200, 150))
            assert colours(image, Rect(0, 0, 1280, 30)) == {PANEL}

        comp.screenshot_until(check, "panel-popup")
    assert comp.alive()


def test_an_on_demand_panel_gets_the_keyboard_by_click_and_gives_it_back(spectrum):
    """keyboard_interactivity on_demand: the panel has the keys once it appears on top and
    whenever it is clicked; a click on a VM window takes them back to that window."""
    comp = spectrum(make_config({"red": {"color": RED}}))
    with Connection(comp.socket_path_for(None)) as panel_conn, \
            Connection(comp.socket_path_for(None)) as host:
        panel_conn.get_registry()
        seat = panel_conn.bind_interface("wl_seat", 5)
        keyboard = panel_conn.new_id()
        focus: list[str] = []
        panel_conn.handlers[keyboard] = lambda opcode, reader: (
            focus.append("enter") if opcode == 1 else focus.append("leave") if opcode == 2 else None)
        panel_conn.request(seat, 1, u32(keyboard))  # get_keyboard
        layer_surface(panel_conn, anchor=ANCHOR_TOP | ANCHOR_LEFT | ANCHOR_RIGHT,
                      size=(0, 30), exclusive=30, colour=PANEL, keyboard=2)

        def panel_has_keys(expected: bool):
            panel_conn.roundtrip()
            return bool(focus) and (focus[-1] == "enter") == expected

        wait_until(lambda: panel_has_keys(True), 5, message="the panel having the keyboard")
        pointer = host.create_virtual_pointer()
        with Connection(comp.socket_path_for("red")) as vm:
            vm.create_toplevel(300, 200, app_id="clicked")
            window = comp.wait_for_window(app_id="clicked")
            pointer.click(window["x"] + 50, window["y"] + 50)
            wait_until(lambda: panel_has_keys(False), 5, message="the window taking the keyboard")
            assert comp.window(window["id"])["focused"]
            pointer.click(600, 15)
            wait_until(lambda: panel_has_keys(True), 5, message="the click on the panel giving it the keys")


def test_a_layer_surface_stays_below_the_compositors_notices(spectrum):
    """An overlay-layer surface over the whole output does not hide the supervisor notice
    the compositor shows (its own text is drawn above every layer)."""
    comp = spectrum(make_config({"red": {"color": RED}}))
    with Connection(comp.socket_path_for(None)) as conn:
        layer_surface(conn, anchor=ANCHOR_TOP | ANCHOR_BOTTOM | ANCHOR_LEFT | ANCHOR_RIGHT,
                      size=(0, 0), exclusive=-1, colour=PANEL, layer=3)
        comp.screenshot_until(lambda image: _all(image, Rect(0, 0, 1280, 720), PANEL), "overlay")
        # A clipboard paste with nothing copied: the compositor says so in a notice.
        comp.press("Ctrl+Shift+V")
        image = comp.screenshot_until(
            lambda image: _some_not(image, Rect(0, 0, 1280, 720), PANEL), "overlay-notice")
        assert colours(image, Rect(0, 0, 1280, 720)) - {PANEL}


def _all(image, rect, colour):
    assert colours(image, rect) == {colour}, image.describe(rect)


def _some_not(image, rect, colour):
    assert colours(image, rect) != {colour}, "nothing drawn over the layer surface"


# --- session lock ----------------------------------------------------------------------------

def test_swaylock_hides_every_vm_window_and_takes_every_key(spectrum, artifacts):
    comp = spectrum(make_config({"red": {"color": RED}, "blue": {"color": BLUE}}))
    comp.ctl("output", "add", "640x480")
    typed = artifacts.path("typed.txt")
    _, reader = comp.reader_foot("red", typed, "reader")
    comp.simple_shm("blue")
    comp.focus(reader["id"])
    screens = outputs(comp)
    assert len(screens) == 2

    locker = comp.spawn(["swaylock", "-c", "112233", "-u"], name="swaylock")
    comp.wait_for_log("screen locked")

    def covered(colour):
        def check(image):
            for screen in screens:
                assert colours(image, screen) == {colour}, image.describe(screen)
        return check

    comp.screenshot_until(covered(SWAYLOCK), "locked")
    # Keys go to the locker (a wrong password), never to the VM; no binding works.
    comp.type_keys("secret\n")
    comp.press("Super+Shift+E")
    comp.press("Alt+Tab")
    assert comp.alive(), "a binding worked while locked"

    # Another locker is refused while this one lives.
    with Connection(comp.socket_path_for(None)) as conn:
        _, events = raw_lock(conn)
        assert events == [1], f"a second lock was not finished: {events}"

    # The locker dies: the session stays locked, on the compositor's own background.
    locker.signal(signal.SIGKILL)
    comp.wait_for_log("went away without unlocking")

    def cover(image):
        for screen in screens:
            found = colours(image, screen)
            assert all(distance(c, LOCK_COVER) < 6 for c in found), image.describe(screen)

    comp.screenshot_until(cover, "locker-died")
    # Focusing the VM's window (spectrumctl, as a taskbar would) gives it no keys either.
    comp.focus(reader["id"])
    comp.type_keys("more\n")
    time.sleep(0.5)
    assert not typed.exists(), f"the VM got keys while locked: {typed.read_text()!r}"

    raw_unlock(comp)
    comp.screenshot_until(lambda image: _some_pixel(image, screens[0], hex_rgb(RED)), "unlocked")
    comp.type_keys("after\n")
    wait_until(lambda: typed.exists() and typed.read_text() == "after", 10,
               message=f"the VM's keys after unlocking: {typed.read_text() if typed.exists() else None!r}")


def _some_pixel(image, rect, colour):
    assert any(distance(c, colour) < 10 for c in colours(image, rect)), "no window after unlocking"


def test_the_lock_outlives_its_locker_until_a_new_one_unlocks(spectrum):
    """A raw locker that disconnects without unlocking: still locked, keys go nowhere and
    the compositor's locked background covers the VM window; a second raw locker unlocks."""
    comp = spectrum(make_config({"red": {"color": RED}}))
    comp.simple_shm("red")
    with Connection(comp.socket_path_for(None)) as conn:
        _, events = raw_lock(conn)
        assert events == [0]
    comp.wait_for_log("went away without unlocking")
    comp.screenshot_until(
        lambda image: _all_near(image, Rect(0, 0, 1280, 720), LOCK_COVER), "locked-no-locker")
    raw_unlock(comp)
    comp.screenshot_until(lambda image: _some_pixel(image, Rect(0, 0, 1280, 720), hex_rgb(RED)),
                          "unlocked")


def _all_near(image, rect, colour):
    found = colours(image, rect)
    assert all(distance(c, colour) < 6 for c in found), image.describe(rect)


def test_no_pointer_input_reaches_a_vm_while_locked(spectrum):
    """Locked, the VM's window loses the pointer (a leave, as when anything covers it) and
    gets no motion or click over it; unlocked, it gets the pointer back."""
    comp = spectrum(make_config({"red": {"color": RED}}))
    with Connection(comp.socket_path_for("red")) as vm, \
            Connection(comp.socket_path_for(None)) as host:
        vm.create_toplevel(300, 200, app_id="pointed")
        window = comp.wait_for_window(app_id="pointed")
        recorder = vm.record_pointer()
        pointer = host.create_virtual_pointer()
        x, y = window["x"] + 50, window["y"] + 50

        def seen(kind):
            vm.roundtrip()
            return kind in recorder.kinds()

        pointer.move_to(x, y)
        wait_until(lambda: seen("enter"), 5, message="the pointer entering the VM window")
        with Connection(comp.socket_path_for(None)) as locker:
            lock, events = raw_lock(locker)
            assert events == [0]
            wait_until(lambda: seen("leave"), 5, message="the VM window losing the pointer")
            recorder.clear()
            pointer.move_to(x + 20, y + 20)
            pointer.click(x + 30, y + 30)
            time.sleep(0.3)
            vm.roundtrip()
            assert not set(recorder.kinds()) & {"enter", "motion", "button"}, recorder.kinds()
            locker.request(lock, 2)  # unlock_and_destroy
            locker.roundtrip()
        comp.wait_for_log("screen unlocked")
        pointer.move_to(x + 40, y + 40)
        wait_until(lambda: seen("enter") or seen("motion"), 5, message="the pointer back after unlocking")


# --- idle and output power --------------------------------------------------------------------

def test_swayidle_runs_its_timeout_and_input_resets_it(spectrum, artifacts):
    comp = spectrum()
    fired = artifacts.path("idle-fired")
    comp.spawn(["swayidle", "-w", "timeout", "2", f"touch {fired}"], name="swayidle")
    # Typing keeps the session busy: no timeout for as long as keys come.
    deadline = time.monotonic() + 4
    while time.monotonic() < deadline:
        comp.press("Shift+a")
        time.sleep(0.3)
    assert not fired.exists(), "the idle timeout fired while keys were being typed"
    wait_until(fired.exists, 8, message="swayidle's timeout command never ran")


def test_swayidle_locks_the_screen(spectrum):
    comp = spectrum(make_config({"red": {"color": RED}}))
    comp.simple_shm("red")
    comp.spawn(["swayidle", "-w", "timeout", "1", "swaylock -c 112233 -u"], name="swayidle")
    comp.wait_for_log("screen locked", timeout=15)
    comp.screenshot_until(lambda image: _all(image, Rect(0, 0, 1280, 720), SWAYLOCK), "idle-locked")


def test_output_power_off_and_woken_by_input(spectrum):
    comp = spectrum()
    with Connection(comp.socket_path_for(None)) as conn:
        conn.get_registry()
        output = conn.bind_interface("wl_output", 1)
        manager = conn.bind_interface("zwlr_output_power_manager_v1", 1)
        power = conn.new_id()
        modes: list[int] = []
        conn.handlers[power] = lambda opcode, reader: modes.append(reader.u32() if opcode == 0 else -1)
        conn.request(manager, 0, u32(power), u32(output))  # get_output_power
        conn.dispatch_until(lambda: modes)
        assert modes[-1] == 1, modes
        conn.request(power, 0, u32(0))  # set_mode(off)
        conn.dispatch_until(lambda: modes[-1] == 0)
        comp.wait_for_log("powered off")
        comp.press("Shift+a")  # any input wakes it
        conn.dispatch_until(lambda: modes[-1] == 1)
        comp.wait_for_log("powered on")
    comp.screenshot("woken")


def test_wlopm_turns_the_output_off_and_a_key_turns_it_on(spectrum):
    if subprocess.run(["sh", "-c", "command -v wlopm"], capture_output=True).returncode:
        pytest.skip("wlopm is needed (run via tools/dev)")
    comp = spectrum()

    def wlopm(*args):
        out = subprocess.run(["wlopm", *args], env=comp.client_env(None), capture_output=True,
                             text=True, timeout=15)
        assert out.returncode == 0, out
        return out.stdout.strip()

    assert wlopm() == "HEADLESS-1 on"
    wlopm("--off", "*")
    comp.wait_for_log("output HEADLESS-1 powered off")
    assert wlopm() == "HEADLESS-1 off"
    comp.press("Shift+a")
    comp.wait_for_log("output HEADLESS-1 powered on")
    assert wlopm() == "HEADLESS-1 on"
    comp.screenshot("on-again")  # it renders again


# --- launcher ----------------------------------------------------------------------------------

QEMU_RECORDER = """#!/bin/sh
printf '%s\\n' "$@" > "{out}"
exec sleep 600
"""


def test_launch_list_is_every_vm_app(spectrum):
    comp = spectrum(make_config({"red": {"color": RED, "apps": ["firefox-esr", "foot"]},
                                 "blue": {"color": BLUE, "app": "weston-terminal", "label": "Work"},
                                 "green": {"color": "#00aa00", "label": "Work", "app": "weston-terminal"}}))
    listed = comp.ctl("launch", "--list").stdout.splitlines()
    # The label the title bars show, in VM name order.
    assert listed == ["[Work] weston-terminal", "[Work] weston-terminal", "[red] firefox-esr",
                      "[red] foot"], listed
    out = comp.ctl("launch", "--entry", "[red] rm -rf /", check=False)
    assert out.returncode != 0 and "not an entry" in out.stderr, out
    out = comp.ctl("launch", "--entry", "[Work] weston-terminal", check=False)
    assert out.returncode != 0 and "VMs blue and green" in out.stderr, out


def test_launcher_starts_a_vm_app_by_keyboard_alone(spectrum, artifacts, tmp_path):
    """Super+D (a default binding) opens fuzzel with every VM's apps; typing and Return
    start the chosen VM with that app: the real supervisor boots it, and a stand-in QEMU
    records the kernel command line it was given."""
    if subprocess.run(["sh", "-c", "command -v fuzzel waypipe"], capture_output=True).returncode:
        pytest.skip("fuzzel and waypipe are needed (run via tools/dev)")
    compositor_bin, ctl_bin = Path(os.environ["SPECTRUM_COMPOSITOR"]), Path(os.environ["SPECTRUM_CTL"])
    vmbridge_bin = Path(os.environ.get("SPECTRUM_VMBRIDGE") or
                        compositor_bin.parent.parent / "vmbridge" / "spectrum-vmbridge")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    booted = tmp_path / "qemu-args"
    qemu = bin_dir / "qemu-system-x86_64"
    qemu.write_text(QEMU_RECORDER.format(out=booted))
    qemu.chmod(0o755)
    (tmp_path / "vmlinuz").write_bytes(b"k")
    chosen = "foot --title 'x y'"
    config = f'state_dir = "{tmp_path / "state"}"\n' + make_config(
        {"red": {"color": RED, "kernel": str(tmp_path / "vmlinuz"), "hypervisor": "qemu",
                 "apps": ["weston-simple-shm", chosen], "sandbox": False, "restart": "never"},
         "blue": {"color": BLUE, "app": "weston-terminal"}})
    path = f"{bin_dir}:{ctl_bin.parent}:{os.environ['PATH']}"
    comp = spectrum(config, env={"PATH": path})
    env = comp.base_env()
    env.update(PATH=path, SPECTRUM_VMBRIDGE_KVM="0")
    log = artifacts.path("vmbridge.log")
    vmbridge = subprocess.Popen([str(vmbridge_bin), "--config", str(comp.config_path), "--stop-timeout", "3"],
                                env=env, stdout=open(log, "wb"), stderr=subprocess.STDOUT)
    try:
        wait_until(lambda: (comp.runtime_dir / "spectrum" / "vmbridge.sock").exists(), 30,
                   message="the supervisor's socket")
        # The supervisor runs only what the config lists, whatever a request names.
        refused = subprocess.run([str(ctl_bin), "launch", "red", "sh -c evil"], env=env,
                                 capture_output=True, text=True, timeout=30)
        assert refused.returncode != 0 and 'has no app "sh -c evil"' in refused.stderr, refused
        with socket.socket(socket.AF_UNIX) as raw:
            raw.connect(str(comp.runtime_dir / "spectrum" / "vmbridge.sock"))
            raw.sendall(b'{"command":"start","name":"red","app":["foot"]}\n')
            reply = json.loads(raw.makefile().readline())
        assert not reply["ok"] and '"app" must be a string' in reply["error"], reply
        assert not booted.exists()

        comp.press("Super+D")
        comp.wait_for_log(r'layer surface "launcher" mapped', timeout=15)
        comp.screenshot("launcher")
        comp.type_keys("title")
        comp.press("Return")
        wait_until(booted.exists, 30, message=f"no VM booted; supervisor log:\n{log.read_text()}")
        args = booted.read_text().splitlines()
        cmdline = args[args.index("-append") + 1]
        app = re.search(r"spectrum\.app=(\S+)", cmdline).group(1)
        assert unquote(app) == chosen, cmdline
        states = {v["name"]: v["state"] for v in json.loads(
            subprocess.run([str(ctl_bin), "vm", "list", "--json"], env=env, capture_output=True,
                           text=True, timeout=30).stdout)}
        assert states["red"] in ("starting", "running"), states
        assert states["blue"] == "unconfigured", states
    finally:
        vmbridge.send_signal(signal.SIGTERM)
        try:
            vmbridge.wait(30)
        except subprocess.TimeoutExpired:
            vmbridge.kill()
