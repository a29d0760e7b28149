"""A tiny Wayland wire-protocol client, written by hand so tests control every byte.

Real clients (foot, weston-simple-shm) only ever send well-formed requests for globals they
were shown. The hostile-client tests need the opposite: bind a global by a numeric name the
socket never advertised, send a request with an impossible opcode, send bytes that are not
Wayland at all, or give a window a title that is not valid UTF-8. This module speaks just
enough of the protocol for that (wl_display, wl_registry, wl_callback, wl_compositor,
wl_shm, xdg_wm_base, xdg-decoration) and reports how the connection ended: a
wl_display.error event (ProtocolError) or the server closing the socket (Disconnected).

The clipping tests need a client that paints where it should not: subsurfaces outside the
window, a window geometry smaller than the buffer, viewports that scale a tiny buffer up,
buffers larger than the size configured, popups placed by a positioner. For those it also
speaks wl_subcompositor, wp_viewporter, xdg_positioner and xdg_popup, and paints buffers
with rectangles of other colours.

The pointer and activation tests need input the test controls to the pixel and the event,
and a client that says exactly what it was sent. On the host socket (which is trusted) it
drives a virtual pointer (zwlr_virtual_pointer_v1: absolute motion, buttons) and a virtual
keyboard (zwp_virtual_keyboard_v1, to hold Super); on any socket it records the wl_pointer
events its surfaces receive, and asks for and uses xdg-activation tokens.
"""

from __future__ import annotations

import array
import contextlib
import mmap
import os
import select
import socket
import struct
import time
from dataclasses import dataclass, field

DISPLAY_ID = 1

# wl_shm formats
SHM_ARGB8888 = 0
SHM_XRGB8888 = 1

# zxdg_toplevel_decoration_v1.mode
DECORATION_CLIENT_SIDE = 1
DECORATION_SERVER_SIDE = 2

# xdg_toplevel.state
STATE_MAXIMIZED = 1
STATE_FULLSCREEN = 2
STATE_ACTIVATED = 4

# xdg_positioner.anchor and xdg_positioner.gravity share these values
ANCHOR_NONE = GRAVITY_NONE = 0
ANCHOR_TOP = GRAVITY_TOP = 1
ANCHOR_BOTTOM = GRAVITY_BOTTOM = 2
ANCHOR_LEFT = GRAVITY_LEFT = 3
ANCHOR_RIGHT = GRAVITY_RIGHT = 4
ANCHOR_TOP_LEFT = GRAVITY_TOP_LEFT = 5
ANCHOR_BOTTOM_LEFT = GRAVITY_BOTTOM_LEFT = 6
ANCHOR_TOP_RIGHT = GRAVITY_TOP_RIGHT = 7
ANCHOR_BOTTOM_RIGHT = GRAVITY_BOTTOM_RIGHT = 8

# linux/input-event-codes.h: buttons for the virtual pointer, keys for the virtual keyboard
BTN_LEFT = 0x110
BTN_RIGHT = 0x111
BTN_MIDDLE = 0x112
KEY_LEFTMETA = 125  # Super_L in DEFAULT_KEYMAP, on Mod4

# Modifier masks of DEFAULT_KEYMAP (bit = the modifier's index in the keymap)
MOD_SHIFT = 1 << 0
MOD_CTRL = 1 << 2
MOD_ALT = 1 << 3  # Mod1
MOD_LOGO = 1 << 6  # Mod4: Super

# wl_pointer.button_state, wl_keyboard.key_state
RELEASED = 0
PRESSED = 1

# wl_keyboard.keymap_format
KEYMAP_XKB_V1 = 1

# The virtual keyboard's keymap: the usual one, resolved by the compositor's xkbcommon.
DEFAULT_KEYMAP = """xkb_keymap {
    xkb_keycodes { include "evdev+aliases(qwerty)" };
    xkb_types { include "complete" };
    xkb_compat { include "complete" };
    xkb_symbols { include "pc+us+inet(evdev)" };
};
"""

# xdg_positioner.constraint_adjustment (a bit set)
ADJUST_NONE = 0
ADJUST_SLIDE_X = 1
ADJUST_SLIDE_Y = 2
ADJUST_FLIP_X = 4
ADJUST_FLIP_Y = 8
ADJUST_RESIZE_X = 16
ADJUST_RESIZE_Y = 32


class WaylandError(Exception):
    """The connection is unusable."""


class Disconnected(WaylandError):
    """The server closed the connection without (or after) telling us why."""


class ProtocolError(WaylandError):
    """The server sent wl_display.error; it disconnects the client right after."""

    def __init__(self, object_id: int, code: int, message: str):
        super().__init__(f"protocol error on object {object_id}, code {code}: {message}")
        self.object_id = object_id
        self.code = code
        self.message = message


def socket_path(display: str, runtime_dir: str | None = None) -> str:
    """Resolves a WAYLAND_DISPLAY value the way libwayland does."""
    if display.startswith("/"):
        return display
    runtime_dir = runtime_dir or os.environ["XDG_RUNTIME_DIR"]
    return os.path.join(runtime_dir, display)


# --- argument encoding -------------------------------------------------------------------


def u32(value: int) -> bytes:
    return struct.pack("<I", value & 0xFFFFFFFF)


def i32(value: int) -> bytes:
    return struct.pack("<i", value)


def string(value: str | bytes | None) -> bytes:
    if value is None:
        return u32(0)
    raw = value.encode() if isinstance(value, str) else value
    raw += b"\0"
    return u32(len(raw)) + raw + b"\0" * (-len(raw) % 4)


def wl_array(value: bytes) -> bytes:
    return u32(len(value)) + value + b"\0" * (-len(value) % 4)


class Reader:
    """Decodes the arguments of one event, in order."""

    def __init__(self, payload: bytes):
        self.payload = payload
        self.pos = 0

    def u32(self) -> int:
        (value,) = struct.unpack_from("<I", self.payload, self.pos)
        self.pos += 4
        return value

    def i32(self) -> int:
        (value,) = struct.unpack_from("<i", self.payload, self.pos)
        self.pos += 4
        return value

    def bytes_(self) -> bytes:
        length = self.u32()
        raw = self.payload[self.pos:self.pos + length]
        self.pos += length + (-length % 4)
        return raw

    def string(self) -> str:
        return self.bytes_().rstrip(b"\0").decode(errors="replace")

    def array(self) -> bytes:
        return self.bytes_()


@dataclass
class Global:
    name: int
    interface: str
    version: int


@dataclass
class Toplevel:
    """The objects of one xdg_toplevel made by Connection.create_toplevel()."""

    surface: int
    xdg_surface: int
    toplevel: int
    decoration: int | None = None
    configures: list = field(default_factory=list)  # (width, height, [states])
    decoration_modes: list = field(default_factory=list)
    closed: bool = False
    size: tuple[int, int] = (0, 0)  # of the buffer attached last
    serials: list = field(default_factory=list)  # of every xdg_surface.configure
    # xdg_toplevel.wm_capabilities (xdg_wm_base version 5 or later), each event's list
    capabilities: list = field(default_factory=list)
    # The globals this window's objects were made from, for requests that need them later.
    compositor: int = 0
    shm: int = 0
    wm_base: int = 0


@dataclass
class Subsurface:
    surface: int
    subsurface: int


@dataclass
class Popup:
    """The objects of one xdg_popup made by Connection.create_popup()."""

    surface: int
    xdg_surface: int
    popup: int
    configures: list = field(default_factory=list)  # (x, y, width, height) from the server
    serials: list = field(default_factory=list)
    done: bool = False  # xdg_popup.popup_done: the compositor dismissed it
    size: tuple[int, int] = (0, 0)


@dataclass
class PointerEvent:
    """One wl_pointer event as received: kind is enter, leave, motion, button or axis.
    Coordinates are surface-local (wl_fixed decoded); surface is set on enter and leave."""

    kind: str
    surface: int | None = None
    x: float | None = None
    y: float | None = None
    button: int | None = None
    state: int | None = None
    serial: int | None = None


@dataclass
class PointerRecorder:
    """A wl_pointer whose events are kept in order, made by Connection.record_pointer()."""

    seat: int
    pointer: int
    events: list = field(default_factory=list)  # PointerEvent
    focus: int | None = None  # the surface the pointer is on, per enter/leave

    def kinds(self) -> list[str]:
        return [event.kind for event in self.events]

    def of_kind(self, kind: str) -> list[PointerEvent]:
        return [event for event in self.events if event.kind == kind]

    def buttons(self) -> list[tuple[int, int]]:
        """(button, state) of every button event."""
        return [(event.button, event.state) for event in self.of_kind("button")]

    def clear(self) -> None:
        self.events.clear()


class VirtualPointer:
    """A zwlr_virtual_pointer_v1 on a (host) connection. Positions are in layout pixels:
    motion_absolute is sent with the layout's size as its extent, so (x, y) lands exactly
    on pixel (x, y). Every call ends with a frame, as a real device's events do."""

    def __init__(self, conn: "Connection", pointer: int, extent: tuple[int, int]):
        self.conn = conn
        self.pointer = pointer
        self.extent = extent
        self.position: tuple[int, int] | None = None

    def _time(self) -> int:
        return int(time.monotonic() * 1000) & 0xFFFFFFFF

    def _frame(self) -> None:
        self.conn.request(self.pointer, 4)  # frame

    def move_to(self, x: int, y: int) -> None:
        # motion_absolute(time, x, y, x_extent, y_extent)
        self.conn.request(self.pointer, 1, u32(self._time()), u32(x), u32(y),
                          u32(self.extent[0]), u32(self.extent[1]))
        self._frame()
        self.position = (x, y)

    def button(self, button: int, state: int) -> None:
        self.conn.request(self.pointer, 2, u32(self._time()), u32(button), u32(state))
        self._frame()

    def press(self, button: int = BTN_LEFT) -> None:
        self.button(button, PRESSED)

    def release(self, button: int = BTN_LEFT) -> None:
        self.button(button, RELEASED)

    def click(self, x: int, y: int, button: int = BTN_LEFT) -> None:
        self.move_to(x, y)
        self.press(button)
        self.release(button)
        self.sync()

    def drag(self, start: tuple[int, int], end: tuple[int, int], button: int = BTN_LEFT,
             steps: int = 5) -> None:
        """Press at `start`, move to `end` in `steps` motions, release there."""
        self.move_to(*start)
        self.press(button)
        for step in range(1, steps + 1):
            self.move_to(start[0] + (end[0] - start[0]) * step // steps,
                         start[1] + (end[1] - start[1]) * step // steps)
        self.release(button)
        self.sync()

    def sync(self) -> None:
        """Returns once the compositor has handled every event sent so far."""
        self.conn.roundtrip()


class VirtualKeyboard:
    """A zwp_virtual_keyboard_v1 on a (host) connection, with DEFAULT_KEYMAP. Its key
    presses change the seat's modifiers like a real keyboard's (Super_L sets Mod4)."""

    def __init__(self, conn: "Connection", keyboard: int):
        self.conn = conn
        self.keyboard = keyboard

    def key(self, code: int, state: int) -> None:
        """An evdev key code (KEY_*), PRESSED or RELEASED."""
        now = int(time.monotonic() * 1000) & 0xFFFFFFFF
        self.conn.request(self.keyboard, 1, u32(now), u32(code), u32(state))

    def set_modifiers(self, depressed: int, latched: int = 0, locked: int = 0,
                      group: int = 0) -> None:
        self.conn.request(self.keyboard, 2, u32(depressed), u32(latched), u32(locked),
                          u32(group))

    @contextlib.contextmanager
    def hold(self, code: int, modifiers: int = 0):
        """`with keyboard.hold(KEY_LEFTMETA, MOD_LOGO): …` — the key pressed and the
        modifier mask depressed (and both handled by the compositor) on entry, released
        on exit. A virtual keyboard's keys do not move the modifier state by themselves:
        the client reports it, as wtype does."""
        self.key(code, PRESSED)
        if modifiers:
            self.set_modifiers(modifiers)
        self.conn.roundtrip()
        try:
            yield self
        finally:
            self.key(code, RELEASED)
            if modifiers:
                self.set_modifiers(0)
            self.conn.roundtrip()


class Connection:
    """One client connection. Every method that waits raises ProtocolError or Disconnected
    when the server ends the connection."""

    def __init__(self, path: str, timeout: float = 5.0):
        self.path = path
        self.timeout = timeout
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)
        self.next_id = 2
        self.handlers: dict[int, callable] = {}
        self.inbuf = b""
        self.error: ProtocolError | None = None
        self.closed = False
        self.done_callbacks: set[int] = set()
        self.globals: dict[int, Global] = {}
        self.registry: int | None = None
        self._shm_pools: list[tuple[int, mmap.mmap]] = []
        self._shared: dict[str, int] = {}

    # --- plumbing ---------------------------------------------------------------------

    def close(self) -> None:
        for fd, mapping in self._shm_pools:
            mapping.close()
            os.close(fd)
        self._shm_pools.clear()
        self.sock.close()

    def __enter__(self) -> "Connection":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def new_id(self) -> int:
        object_id = self.next_id
        self.next_id += 1
        return object_id

    def send_raw(self, data: bytes, fds: list[int] | None = None) -> None:
        """Sends bytes as they are: no framing, no checks."""
        try:
            if fds:
                self.sock.sendmsg([data], [(socket.SOL_SOCKET, socket.SCM_RIGHTS,
                                            array.array("i", fds))])
            else:
                self.sock.sendall(data)
        except (BrokenPipeError, ConnectionResetError) as exc:
            # The server may have said why before it hung up: read that first.
            self._drain()
            self._raise_end(exc)

    def _drain(self) -> None:
        """Reads whatever the server sent before closing, without waiting."""
        try:
            while True:
                ready, _, _ = select.select([self.sock], [], [], 0)
                if not ready:
                    return
                data = self.sock.recv(65536)
                if not data:
                    return
                self.inbuf += data
                self._parse()
        except OSError:
            return

    def request(self, object_id: int, opcode: int, *args: bytes,
                fds: list[int] | None = None) -> None:
        payload = b"".join(args)
        size = 8 + len(payload)
        self.send_raw(u32(object_id) + u32((size << 16) | opcode) + payload, fds)

    def _raise_end(self, cause: Exception | None = None):
        self.closed = True
        if self.error:
            raise self.error from cause
        raise Disconnected(f"server closed the connection ({cause or 'EOF'})") from cause

    def _read_some(self, deadline: float) -> None:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("no answer from the compositor")
        ready, _, _ = select.select([self.sock], [], [], remaining)
        if not ready:
            raise TimeoutError("no answer from the compositor")
        try:
            data, ancdata, _, _ = self.sock.recvmsg(65536, socket.CMSG_SPACE(28 * 4))
        except ConnectionResetError as exc:
            self._raise_end(exc)
        for level, kind, cdata in ancdata:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                fds = array.array("i")
                fds.frombytes(cdata[:len(cdata) - len(cdata) % fds.itemsize])
                self.received_fds(list(fds))
        if not data:
            self._raise_end()
        self.inbuf += data
        self._parse()

    def received_fds(self, fds: list[int]) -> None:
        """File descriptors that came with events (keymaps and the like): closed here;
        a client that needs them overrides this."""
        for fd in fds:
            os.close(fd)

    def _parse(self) -> None:
        while len(self.inbuf) >= 8:
            object_id, size_opcode = struct.unpack_from("<II", self.inbuf)
            size, opcode = size_opcode >> 16, size_opcode & 0xFFFF
            if size < 8 or len(self.inbuf) < size:
                break
            payload = self.inbuf[8:size]
            self.inbuf = self.inbuf[size:]
            self._dispatch(object_id, opcode, payload)

    def _dispatch(self, object_id: int, opcode: int, payload: bytes) -> None:
        if object_id == DISPLAY_ID:
            reader = Reader(payload)
            if opcode == 0:  # error(object_id, code, message)
                self.error = ProtocolError(reader.u32(), reader.u32(), reader.string())
            # opcode 1 is delete_id: nothing to free on our side
            return
        handler = self.handlers.get(object_id)
        if handler:
            handler(opcode, Reader(payload))

    def dispatch_until(self, condition, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (timeout or self.timeout)
        while not condition():
            if self.error:
                self._raise_end()
            self._read_some(deadline)
        if self.error:
            self._raise_end()

    def roundtrip(self, timeout: float | None = None) -> None:
        """wl_display.sync and wait for its done event: everything sent before was handled."""
        callback = self.new_id()
        self.handlers[callback] = lambda opcode, reader: self.done_callbacks.add(callback)
        self.request(DISPLAY_ID, 0, u32(callback))
        self.dispatch_until(lambda: callback in self.done_callbacks, timeout)

    def expect_end(self, action=None, timeout: float = 5.0) -> WaylandError:
        """Runs `action` (requests that should cost the connection), then waits until the
        server ends the connection; returns how it ended. The server may cut the client
        off at once or a moment later (after answering requests already in flight)."""
        if action is not None:
            try:
                action()
            except WaylandError as end:
                return end
        return self.wait_for_end(timeout)

    def wait_for_end(self, timeout: float | None = None) -> WaylandError:
        """Waits until the server ends the connection; returns how it ended."""
        try:
            self.dispatch_until(lambda: False, timeout)
        except WaylandError as end:
            return end
        raise AssertionError("unreachable")

    # --- registry ---------------------------------------------------------------------

    def get_registry(self) -> dict[int, Global]:
        self.registry = self.new_id()

        def on_registry(opcode: int, reader: Reader) -> None:
            if opcode == 0:
                name, interface, version = reader.u32(), reader.string(), reader.u32()
                self.globals[name] = Global(name, interface, version)
            elif opcode == 1:
                self.globals.pop(reader.u32(), None)

        self.handlers[self.registry] = on_registry
        self.request(DISPLAY_ID, 1, u32(self.registry))
        self.roundtrip()
        return self.globals

    def find_global(self, interface: str) -> Global:
        for item in self.globals.values():
            if item.interface == interface:
                return item
        raise KeyError(f"{interface} is not advertised on {self.path}")

    def bind(self, name: int, interface: str, version: int) -> int:
        """wl_registry.bind by numeric name, whether or not it was advertised."""
        if self.registry is None:
            self.get_registry()
        object_id = self.new_id()
        self.request(self.registry, 0, u32(name), string(interface), u32(version),
                     u32(object_id))
        return object_id

    def bind_interface(self, interface: str, max_version: int) -> int:
        item = self.find_global(interface)
        return self.bind(item.name, interface, min(item.version, max_version))

    def shared(self, interface: str, max_version: int) -> int:
        """One binding of `interface` for every helper below that needs it."""
        if interface not in self._shared:
            if not self.globals:
                self.get_registry()
            self._shared[interface] = self.bind_interface(interface, max_version)
        return self._shared[interface]

    # --- windows ----------------------------------------------------------------------

    def create_surface(self, compositor: int) -> int:
        surface = self.new_id()
        self.request(compositor, 0, u32(surface))  # wl_compositor.create_surface
        return surface

    def create_buffer(self, shm: int, width: int, height: int, color: int = 0xFF808080,
                      fmt: int = SHM_XRGB8888, rects=()) -> int:
        """A wl_buffer of one colour (0xAARRGGBB) in its own wl_shm_pool, with each of
        `rects` — (x, y, width, height, colour) in buffer pixels — painted over it."""
        stride = width * 4
        size = max(stride * height, 4)
        fd = os.memfd_create("spectrum-test-shm", os.MFD_CLOEXEC)
        os.ftruncate(fd, size)
        mapping = mmap.mmap(fd, size)
        mapping.write(struct.pack("<I", color) * (size // 4))
        for x, y, w, h, rect_color in rects:
            x0, y0 = max(x, 0), max(y, 0)
            x1, y1 = min(x + w, width), min(y + h, height)
            if x1 <= x0 or y1 <= y0:
                continue
            row = struct.pack("<I", rect_color) * (x1 - x0)
            for line in range(y0, y1):
                start = line * stride + x0 * 4
                mapping[start:start + len(row)] = row
        self._shm_pools.append((fd, mapping))
        pool = self.new_id()
        self.request(shm, 0, u32(pool), i32(size), fds=[fd])  # wl_shm.create_pool
        buffer = self.new_id()
        # wl_shm_pool.create_buffer(id, offset, width, height, stride, format)
        self.request(pool, 0, u32(buffer), i32(0), i32(width), i32(height), i32(stride),
                     u32(fmt))
        return buffer

    def attach_and_commit(self, surface: int, buffer: int, width: int, height: int) -> None:
        self.request(surface, 1, u32(buffer), i32(0), i32(0))  # attach
        self.request(surface, 2, i32(0), i32(0), i32(width), i32(height))  # damage
        self.request(surface, 6)  # commit

    def create_toplevel(self, width: int = 200, height: int = 120, *, color: int = 0xFF30A030,
                        title: str | bytes | None = "raw-client", app_id: str | None = "raw",
                        fullscreen: bool = False, decoration_mode: int | None = None,
                        map_window: bool = True, follow_configure: bool = True,
                        wm_base_version: int = 1) -> Toplevel:
        """An xdg_toplevel with a one-colour buffer, mapped unless map_window is False.
        With follow_configure it acks every later configure and redraws at the size asked
        for, as real clients do; otherwise it keeps its first buffer and never acks."""
        if not self.globals:
            self.get_registry()
        compositor = self.bind_interface("wl_compositor", 4)
        shm = self.bind_interface("wl_shm", 1)
        wm_base = self.bind_interface("xdg_wm_base", wm_base_version)
        self.handlers[wm_base] = lambda opcode, reader: (
            self.request(wm_base, 3, u32(reader.u32())) if opcode == 0 else None)  # pong

        surface = self.create_surface(compositor)
        xdg_surface = self.new_id()
        self.request(wm_base, 2, u32(xdg_surface), u32(surface))  # get_xdg_surface
        toplevel_id = self.new_id()
        self.request(xdg_surface, 1, u32(toplevel_id))  # get_toplevel
        window = Toplevel(surface, xdg_surface, toplevel_id, compositor=compositor, shm=shm,
                          wm_base=wm_base)

        serials = window.serials
        mapped = [False]

        def on_xdg_surface(opcode: int, reader: Reader) -> None:
            if opcode != 0:
                return
            serials.append(reader.u32())
            if not mapped[0]:
                return
            # A well-behaved client: ack, and draw at the size the compositor asked for.
            self.request(xdg_surface, 4, u32(serials[-1]))
            asked = window.configures[-1][:2] if window.configures else (0, 0)
            if asked[0] > 0 and asked[1] > 0 and asked != window.size:
                window.size = asked
                new_buffer = self.create_buffer(shm, asked[0], asked[1], color)
                self.attach_and_commit(surface, new_buffer, asked[0], asked[1])
            else:
                self.request(surface, 6)

        self.handlers[xdg_surface] = on_xdg_surface

        def on_toplevel(opcode: int, reader: Reader) -> None:
            if opcode == 0:
                width_, height_ = reader.i32(), reader.i32()
                raw = reader.array()
                states = list(struct.unpack(f"<{len(raw) // 4}I", raw))
                window.configures.append((width_, height_, states))
            elif opcode == 1:
                window.closed = True
            elif opcode == 3:
                raw = reader.array()
                window.capabilities.append(list(struct.unpack(f"<{len(raw) // 4}I", raw)))

        self.handlers[toplevel_id] = on_toplevel

        if decoration_mode is not None:
            manager = self.bind_interface("zxdg_decoration_manager_v1", 1)
            window.decoration = self.new_id()
            self.request(manager, 1, u32(window.decoration), u32(toplevel_id))
            self.handlers[window.decoration] = lambda opcode, reader: (
                window.decoration_modes.append(reader.u32()) if opcode == 0 else None)
            self.request(window.decoration, 1, u32(decoration_mode))  # set_mode

        if title is not None:
            self.request(toplevel_id, 2, string(title))
        if app_id is not None:
            self.request(toplevel_id, 3, string(app_id))
        if fullscreen:
            self.request(toplevel_id, 11, u32(0))  # set_fullscreen(output: null)
        self.request(surface, 6)  # initial commit, no buffer: asks for a configure
        if not map_window:
            self.roundtrip()
            return window
        self.dispatch_until(lambda: bool(serials))
        self.request(xdg_surface, 4, u32(serials[-1]))  # ack_configure
        asked = window.configures[-1][:2] if window.configures else (0, 0)
        if follow_configure and asked[0] > 0 and asked[1] > 0:
            width, height = asked
        buffer = self.create_buffer(shm, width, height, color)
        window.size = (width, height)
        self.attach_and_commit(surface, buffer, width, height)
        mapped[0] = follow_configure
        self.roundtrip()
        return window

    def set_title(self, window: Toplevel, title: str | bytes) -> None:
        self.request(window.toplevel, 2, string(title))
        self.request(window.surface, 6)

    # --- drawing where a client should not ---------------------------------------------

    def commit_buffer(self, surface: int, width: int, height: int, color: int, rects=(),
                      shm: int | None = None) -> int:
        """Attaches a new painted buffer (see create_buffer) and commits; returns it."""
        buffer = self.create_buffer(shm or self.shared("wl_shm", 1), width, height, color,
                                    rects=rects)
        self.attach_and_commit(surface, buffer, width, height)
        return buffer

    def set_window_geometry(self, xdg_surface: int, x: int, y: int, width: int,
                            height: int) -> None:
        """xdg_surface.set_window_geometry; applies on the surface's next commit."""
        self.request(xdg_surface, 3, i32(x), i32(y), i32(width), i32(height))

    def ack_configure(self, xdg_surface: int, serial: int) -> None:
        self.request(xdg_surface, 4, u32(serial))

    def map_toplevel(self, window: Toplevel, width: int, height: int, color: int, rects=(),
                     geometry: tuple[int, int, int, int] | None = None) -> None:
        """Maps a toplevel made with create_toplevel(map_window=False): acks its configure
        and commits a `width`x`height` painted buffer, with `geometry` (x, y, w, h) as its
        window geometry if given. Later configures are recorded, never acked."""
        self.dispatch_until(lambda: bool(window.serials))
        self.ack_configure(window.xdg_surface, window.serials[-1])
        if geometry is not None:
            self.set_window_geometry(window.xdg_surface, *geometry)
        self.commit_buffer(window.surface, width, height, color, rects, shm=window.shm)
        window.size = (width, height)
        self.roundtrip()

    def set_maximized(self, window: Toplevel, on: bool = True) -> None:
        self.request(window.toplevel, 9 if on else 10)  # set_maximized / unset_maximized

    def create_subsurface(self, parent: int, x: int, y: int, width: int, height: int,
                          color: int, rects=(), desync: bool = True) -> Subsurface:
        """A child surface of `parent` at (x, y) in its coordinates, with a painted buffer.
        Desynchronized by default, so its buffer shows without the parent's help; the
        parent is committed too, which is what applies the position."""
        compositor = self.shared("wl_compositor", 4)
        subcompositor = self.shared("wl_subcompositor", 1)
        surface = self.create_surface(compositor)
        subsurface = self.new_id()
        # wl_subcompositor.get_subsurface(id, surface, parent)
        self.request(subcompositor, 1, u32(subsurface), u32(surface), u32(parent))
        self.request(subsurface, 1, i32(x), i32(y))  # set_position
        if desync:
            self.request(subsurface, 5)  # set_desync
        self.commit_buffer(surface, width, height, color, rects)
        self.request(parent, 6)  # commit: the position is parent state
        self.roundtrip()
        return Subsurface(surface, subsurface)

    def set_subsurface_position(self, sub: Subsurface, parent: int, x: int, y: int) -> None:
        self.request(sub.subsurface, 1, i32(x), i32(y))
        self.request(parent, 6)

    def create_viewport(self, surface: int) -> int:
        viewporter = self.shared("wp_viewporter", 1)
        viewport = self.new_id()
        self.request(viewporter, 1, u32(viewport), u32(surface))  # get_viewport
        return viewport

    def set_viewport_destination(self, viewport: int, width: int, height: int) -> None:
        """wp_viewport.set_destination: the surface's size, whatever its buffer's; applies
        on the surface's next commit."""
        self.request(viewport, 2, i32(width), i32(height))

    def create_positioner(self, wm_base: int, width: int, height: int,
                          anchor_rect: tuple[int, int, int, int], anchor: int, gravity: int,
                          adjustment: int = ADJUST_NONE,
                          offset: tuple[int, int] = (0, 0)) -> int:
        """An xdg_positioner; `anchor_rect` is in the parent's window geometry."""
        positioner = self.new_id()
        self.request(wm_base, 1, u32(positioner))  # create_positioner
        self.request(positioner, 1, i32(width), i32(height))  # set_size
        self.request(positioner, 2, *map(i32, anchor_rect))  # set_anchor_rect
        self.request(positioner, 3, u32(anchor))
        self.request(positioner, 4, u32(gravity))
        self.request(positioner, 5, u32(adjustment))  # set_constraint_adjustment
        self.request(positioner, 6, i32(offset[0]), i32(offset[1]))  # set_offset
        return positioner

    def create_popup(self, parent: Toplevel, positioner: int, color: int, rects=(),
                     geometry: tuple[int, int, int, int] | None = None,
                     buffer_size: tuple[int, int] | None = None) -> Popup:
        """An xdg_popup of `parent` (no grab), mapped with a painted buffer of the size
        the compositor configured (or `buffer_size`), and `geometry` if given."""
        surface = self.create_surface(parent.compositor)
        xdg_surface = self.new_id()
        self.request(parent.wm_base, 2, u32(xdg_surface), u32(surface))  # get_xdg_surface
        popup_id = self.new_id()
        # xdg_surface.get_popup(id, parent, positioner)
        self.request(xdg_surface, 2, u32(popup_id), u32(parent.xdg_surface), u32(positioner))
        popup = Popup(surface, xdg_surface, popup_id)

        def on_xdg_surface(opcode: int, reader: Reader) -> None:
            if opcode == 0:
                popup.serials.append(reader.u32())

        def on_popup(opcode: int, reader: Reader) -> None:
            if opcode == 0:
                popup.configures.append((reader.i32(), reader.i32(), reader.i32(),
                                         reader.i32()))
            elif opcode == 1:
                popup.done = True

        self.handlers[xdg_surface] = on_xdg_surface
        self.handlers[popup_id] = on_popup
        self.request(surface, 6)  # initial commit, no buffer: asks for a configure
        self.dispatch_until(lambda: bool(popup.serials) or popup.done)
        if popup.done:
            return popup
        self.ack_configure(xdg_surface, popup.serials[-1])
        width, height = buffer_size or popup.configures[-1][2:]
        if geometry is not None:
            self.set_window_geometry(xdg_surface, *geometry)
        self.commit_buffer(surface, width, height, color, rects, shm=parent.shm)
        popup.size = (width, height)
        self.roundtrip()
        return popup

    # --- input: virtual devices (host only) and what a client receives -------------------

    def create_virtual_pointer(self, extent: tuple[int, int] = (1280, 720)) -> VirtualPointer:
        """zwlr_virtual_pointer_manager_v1.create_virtual_pointer(seat: null): the
        compositor's default seat. `extent`: the layout's size in pixels."""
        manager = self.shared("zwlr_virtual_pointer_manager_v1", 1)
        pointer = self.new_id()
        self.request(manager, 0, u32(0), u32(pointer))
        self.roundtrip()
        return VirtualPointer(self, pointer, extent)

    def create_virtual_keyboard(self, keymap: str = DEFAULT_KEYMAP) -> VirtualKeyboard:
        """zwp_virtual_keyboard_manager_v1.create_virtual_keyboard(seat, id) and its
        keymap (a memfd holding the text and its NUL, as libxkbcommon expects)."""
        manager = self.shared("zwp_virtual_keyboard_manager_v1", 1)
        seat = self.shared("wl_seat", 5)
        keyboard = self.new_id()
        self.request(manager, 0, u32(seat), u32(keyboard))
        data = keymap.encode() + b"\0"
        fd = os.memfd_create("spectrum-test-keymap", os.MFD_CLOEXEC)
        try:
            os.write(fd, data)
            # keymap(format, fd, size)
            self.request(keyboard, 0, u32(KEYMAP_XKB_V1), u32(len(data)), fds=[fd])
        finally:
            os.close(fd)  # the server has its own copy once sendmsg returned
        self.roundtrip()
        return VirtualKeyboard(self, keyboard)

    def record_pointer(self) -> PointerRecorder:
        """wl_seat.get_pointer, every event kept in a PointerRecorder (read them after a
        roundtrip: events arrive only while this connection dispatches)."""
        seat = self.shared("wl_seat", 5)
        pointer = self.new_id()
        self.request(seat, 0, u32(pointer))  # get_pointer
        recorder = PointerRecorder(seat, pointer)

        def fixed(reader: Reader) -> float:
            return reader.i32() / 256.0

        def on_pointer(opcode: int, reader: Reader) -> None:
            if opcode == 0:  # enter(serial, surface, sx, sy)
                serial, surface = reader.u32(), reader.u32()
                x, y = fixed(reader), fixed(reader)
                recorder.focus = surface
                recorder.events.append(PointerEvent("enter", surface, x, y, serial=serial))
            elif opcode == 1:  # leave(serial, surface)
                serial, surface = reader.u32(), reader.u32()
                recorder.focus = None
                recorder.events.append(PointerEvent("leave", surface, serial=serial))
            elif opcode == 2:  # motion(time, sx, sy)
                reader.u32()
                x, y = fixed(reader), fixed(reader)
                recorder.events.append(PointerEvent("motion", recorder.focus, x, y))
            elif opcode == 3:  # button(serial, time, button, state)
                serial, _, button, state = reader.u32(), reader.u32(), reader.u32(), reader.u32()
                recorder.events.append(PointerEvent("button", recorder.focus, button=button,
                                                    state=state, serial=serial))
            elif opcode == 4:  # axis(time, axis, value)
                recorder.events.append(PointerEvent("axis", recorder.focus))
            # frame, axis_source, axis_stop, axis_discrete…: grouping only

        self.handlers[pointer] = on_pointer
        self.roundtrip()
        return recorder

    def set_cursor(self, recorder: PointerRecorder, serial: int, surface: int | None,
                   hotspot: tuple[int, int] = (0, 0)) -> None:
        """wl_pointer.set_cursor: `surface` (None hides the cursor) as the pointer image."""
        self.request(recorder.pointer, 0, u32(serial), u32(surface or 0), i32(hotspot[0]),
                     i32(hotspot[1]))

    # --- xdg-activation -------------------------------------------------------------------

    def activation_token(self, surface: int | None = None, app_id: str | None = None,
                         timeout: float | None = None) -> str:
        """xdg_activation_v1.get_activation_token, set_surface / set_app_id if given,
        commit, and the token string of its done event."""
        activation = self.shared("xdg_activation_v1", 1)
        token = self.new_id()
        self.request(activation, 1, u32(token))  # get_activation_token
        done: list[str] = []
        self.handlers[token] = lambda opcode, reader: (
            done.append(reader.string()) if opcode == 0 else None)
        if app_id is not None:
            self.request(token, 1, string(app_id))  # set_app_id
        if surface is not None:
            self.request(token, 2, u32(surface))  # set_surface
        self.request(token, 3)  # commit
        self.dispatch_until(lambda: bool(done), timeout)
        self.request(token, 4)  # destroy: the string lives on in the compositor
        return done[0]

    def activate(self, token: str, surface: int) -> None:
        """xdg_activation_v1.activate(token, surface); the answer is the compositor's
        focus (or urgency) decision, not an event: check spectrumctl after a roundtrip."""
        activation = self.shared("xdg_activation_v1", 1)
        self.request(activation, 2, string(token), u32(surface))
        self.roundtrip()
