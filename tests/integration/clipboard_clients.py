"""Raw Wayland clients for the clipboard tests, built on wire.Connection: what wl-copy and
wl-paste cannot do on purpose — a selection source that never writes or writes forever, a
drag and a drop target that records every data-device event, a window that counts the frames
it gets — and a virtual pointer on the host socket to drive a drag."""

from __future__ import annotations

import os
import threading
import time

from wire import Connection, Reader, string, u32

# wl_data_device_manager.dnd_action
DND_COPY = 1
BTN_LEFT = 0x110


def fixed(value: int) -> float:
    return value / 256.0


class SeatClient(Connection):
    """A client with one window, the seat's keyboard and pointer, and a data device. Events
    that carry a file descriptor (keymap, wl_data_source.send) get theirs from a queue the
    socket reader fills, in order, as libwayland's own clients do."""

    def __init__(self, path: str, *, title: str, width: int = 200, height: int = 120,
                 color: int = 0xFF8040C0):
        super().__init__(path)
        self.fds: list[int] = []
        self.keyboard_serial: int | None = None
        self.focused = False
        self.button_serials: list[int] = []
        self.pointer_entered = False
        self.device_events: list[tuple] = []  # every wl_data_device event, in order
        self.offers: dict[int, list[str]] = {}  # wl_data_offer id → MIME types offered
        self.sends: list[tuple[str, int]] = []  # (MIME type, fd) asked of our sources
        self.cancelled: set[int] = set()
        self.get_registry()
        self.window = self.create_toplevel(width, height, color=color, title=title, app_id=title)
        self.seat = self.bind_interface("wl_seat", 5)
        self.handlers[self.seat] = lambda opcode, reader: None
        self.keyboard = self.new_id()
        self.request(self.seat, 1, u32(self.keyboard))  # get_keyboard
        self.handlers[self.keyboard] = self._on_keyboard
        self.pointer = self.new_id()
        self.request(self.seat, 0, u32(self.pointer))  # get_pointer
        self.handlers[self.pointer] = self._on_pointer
        self.manager = self.bind_interface("wl_data_device_manager", 3)
        self.device = self.new_id()
        self.request(self.manager, 1, u32(self.device), u32(self.seat))  # get_data_device
        self.handlers[self.device] = self._on_device
        self.roundtrip()

    # --- fds ---------------------------------------------------------------------------

    def received_fds(self, fds: list[int]) -> None:
        self.fds.extend(fds)

    def close(self) -> None:
        for fd in self.fds:
            os.close(fd)
        self.fds.clear()
        for _, fd in self.sends:
            try:
                os.close(fd)
            except OSError:
                pass
        self.sends.clear()
        super().close()

    # --- events ------------------------------------------------------------------------

    def _on_keyboard(self, opcode: int, reader: Reader) -> None:
        if opcode == 0:  # keymap(format, fd, size)
            os.close(self.fds.pop(0))
        elif opcode == 1:  # enter(serial, surface, keys)
            self.keyboard_serial = reader.u32()
            self.focused = reader.u32() == self.window.surface
        elif opcode == 2:  # leave
            self.focused = False
        elif opcode == 3:  # key(serial, time, key, state)
            self.keyboard_serial = reader.u32()

    def _on_pointer(self, opcode: int, reader: Reader) -> None:
        if opcode == 0:  # enter
            reader.u32()
            self.pointer_entered = reader.u32() == self.window.surface
        elif opcode == 1:
            self.pointer_entered = False
        elif opcode == 3:  # button(serial, time, button, state)
            serial, _, _, state = reader.u32(), reader.u32(), reader.u32(), reader.u32()
            if state == 1:
                self.button_serials.append(serial)

    def _on_device(self, opcode: int, reader: Reader) -> None:
        if opcode == 0:  # data_offer(new id)
            offer = reader.u32()
            self.offers[offer] = []
            self.handlers[offer] = lambda op, r, offer=offer: (
                self.offers[offer].append(r.string()) if op == 0 else None)
            self.device_events.append(("data_offer", offer))
        elif opcode == 1:  # enter(serial, surface, x, y, offer)
            serial, surface, x, y, offer = (reader.u32(), reader.u32(), reader.i32(),
                                            reader.i32(), reader.u32())
            self.device_events.append(("enter", serial, surface, offer))
        elif opcode == 2:
            self.device_events.append(("leave",))
        elif opcode == 3:
            self.device_events.append(("motion",))
        elif opcode == 4:
            self.device_events.append(("drop",))
        elif opcode == 5:  # selection(offer or null)
            self.device_events.append(("selection", reader.u32()))

    def drag_events(self) -> list[tuple]:
        """What this client saw of drags: everything but selection events (and the offers
        that only announce a selection)."""
        selection_offers = {e[1] for e in self.device_events if e[0] == "selection"}
        return [e for e in self.device_events if e[0] not in ("selection",)
                and not (e[0] == "data_offer" and e[1] in selection_offers)]

    # --- sources -----------------------------------------------------------------------

    def create_source(self, mime_types: list[str], actions: int | None = None) -> int:
        source = self.new_id()
        self.request(self.manager, 0, u32(source))  # create_data_source

        def on_source(opcode: int, reader: Reader) -> None:
            if opcode == 1:  # send(mime, fd)
                self.sends.append((reader.string(), self.fds.pop(0)))
            elif opcode == 2:
                self.cancelled.add(source)

        self.handlers[source] = on_source
        for mime in mime_types:
            self.request(source, 0, string(mime))  # offer
        if actions is not None:
            self.request(source, 2, u32(actions))  # set_actions
        return source

    def wait_for_focus(self, timeout: float = 5.0) -> None:
        self.dispatch_until(lambda: self.focused, timeout)

    def set_selection(self, source: int) -> None:
        self.request(self.device, 1, u32(source), u32(self.keyboard_serial))
        self.roundtrip()

    def start_drag(self, source: int, icon: int = 0) -> None:
        """A drag from our window (on the last button press), with `icon` (a wl_surface)
        under the pointer if given."""
        self.dispatch_until(lambda: bool(self.button_serials))
        # start_drag(source, origin, icon, serial)
        self.request(self.device, 0, u32(source), u32(self.window.surface), u32(icon),
                     u32(self.button_serials[-1]))
        self.roundtrip()

    def accept_drag(self) -> None:
        """Answers the last drag enter as a willing drop target would."""
        enter = next(e for e in reversed(self.device_events) if e[0] == "enter")
        _, serial, _, offer = enter
        self.request(offer, 0, u32(serial), string("text/plain"))  # accept
        self.request(offer, 4, u32(DND_COPY), u32(DND_COPY))  # set_actions
        self.roundtrip()


def write_forever(fd: int) -> threading.Thread:
    """Writes to `fd` until the reader closes it (a source that never stops)."""

    def run() -> None:
        chunk = b"x" * 65536
        try:
            while True:
                os.write(fd, chunk)
        except OSError:
            pass
        finally:
            os.close(fd)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


class FrameCounter(Connection):
    """A window that redraws on every frame callback, alternating two colours (so each
    frame has damage and the compositor keeps drawing), and counts the callbacks."""

    def __init__(self, path: str, *, title: str = "frames"):
        super().__init__(path)
        self.get_registry()
        self.window = self.create_toplevel(160, 100, title=title, app_id=title)
        self.shm = self.bind_interface("wl_shm", 1)
        self.compositor = self.bind_interface("wl_compositor", 4)
        self.buffers = [self.create_buffer(self.shm, 160, 100, color)
                        for color in (0xFF20C040, 0xFF2040C0)]
        self.frames = 0

    def count_frames(self, seconds: float) -> int:
        """Frame callbacks received in `seconds` of redrawing as fast as allowed."""
        counted = 0
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            callback = self.new_id()
            done: list[bool] = []
            self.handlers[callback] = lambda opcode, reader, done=done: done.append(True)
            self.request(self.window.surface, 3, u32(callback))  # frame
            self.attach_and_commit(self.window.surface, self.buffers[self.frames % 2], 160, 100)
            try:
                self.dispatch_until(lambda done=done: bool(done),
                                    max(deadline - time.monotonic(), 0.01))
            except TimeoutError:
                break
            self.frames += 1
            counted += 1
        return counted


class VirtualPointer(Connection):
    """zwlr_virtual_pointer_v1 on the host socket: absolute moves and the left button."""

    def __init__(self, path: str, width: int = 1280, height: int = 720):
        super().__init__(path)
        self.get_registry()
        manager = self.bind_interface("zwlr_virtual_pointer_manager_v1", 1)
        self.pointer = self.new_id()
        self.request(manager, 0, u32(0), u32(self.pointer))  # create_virtual_pointer(seat null)
        self.extent = (width, height)
        self.roundtrip()

    def _time(self) -> int:
        return int(time.monotonic() * 1000) & 0xFFFFFFFF

    def move_to(self, x: int, y: int) -> None:
        # motion_absolute(time, x, y, x_extent, y_extent), then frame
        self.request(self.pointer, 1, u32(self._time()), u32(x), u32(y), u32(self.extent[0]),
                     u32(self.extent[1]))
        self.request(self.pointer, 4)
        self.roundtrip()

    def button(self, pressed: bool) -> None:
        self.request(self.pointer, 2, u32(self._time()), u32(BTN_LEFT), u32(1 if pressed else 0))
        self.request(self.pointer, 4)
        self.roundtrip()
