"""A VM client that sends random but well-formed Wayland requests, for the wire fuzzer.

Every message is framed correctly and names objects the client made (or the compositor gave
it), so libwayland's own checks pass and the requests reach the compositor and wlroots:
surfaces, regions, shm pools and buffers, subsurfaces, xdg surfaces, toplevels, popups and
their positioners and grabs, decorations, viewports, single-pixel buffers, data sources,
devices and offers, primary selections, activation tokens, cursor shapes, fractional scales
and presentation feedback — made, changed, committed and destroyed in random orders (a
parent before its child, a buffer while attached, a pool before its buffers, a role object
after its surface). Arguments are mostly sensible and sometimes not (sizes of 0 or 2^31-1,
made-up serials, a popup's parent that is not an xdg surface any more): those cost the
client its connection with a protocol error, which is one of the outcomes being tested.

A FuzzClient is driven one action at a time by wire_fuzz.py; each action is chosen by the
client's own random.Random, so a seed replays the same requests against the same answers.
What the compositor sent back (configure serials, offers, keys) is read after every action.
"""

from __future__ import annotations

import os
import random
import select
import socket
import struct
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "integration"))

from wire import (DISPLAY_ID, Connection, Disconnected, ProtocolError, Reader,  # noqa: E402
                  WaylandError, i32, string, u32)

# The highest version of each global this client speaks (requests are gated on the version
# actually bound, so none is ever sent to an object too old for it).
WANTED = {
    "wl_compositor": 6, "wl_subcompositor": 1, "wl_shm": 2, "wl_seat": 9, "wl_output": 4,
    "wl_data_device_manager": 3, "xdg_wm_base": 6, "zxdg_decoration_manager_v1": 1,
    "wp_viewporter": 1, "wp_presentation": 1, "wp_fractional_scale_manager_v1": 1,
    "wp_single_pixel_buffer_manager_v1": 1, "wp_cursor_shape_manager_v1": 1,
    "zwp_primary_selection_device_manager_v1": 1, "xdg_activation_v1": 1,
    "zxdg_output_manager_v1": 3,
}

MIME_TYPES = ["text/plain", "text/plain;charset=utf-8", "UTF8_STRING", "TEXT", "STRING",
              "image/png", "text/uri-list", "application/x-fuzz", "", "a" * 300]
TITLE_PIECES = ["fuzz", "window", " ", "\u202e", "\u200b", "\x07", "\x1b]52;c;aGk=\x07",
                "日本語", "🙂", "[blue] ", "\ud7ff", "\t", "a" * 64, "é", "\u0301", "\n"]

SHM_FORMATS = [0, 1, 0x34325258, 0x34324258, 0x30334258, 0xdeadbeef]


def fixed(value: float) -> bytes:
    return i32(int(value * 256))


class Obj:
    __slots__ = ("id", "kind", "version", "data")

    def __init__(self, object_id: int, kind: str, version: int, **data):
        self.id = object_id
        self.kind = kind
        self.version = version
        self.data = data

    def __repr__(self) -> str:
        return f"{self.kind}#{self.id}"


class FuzzConnection(Connection):
    """A Connection that also reads delete_id, so objects the server destroys (callbacks,
    presentation feedback) leave the client's model, and never waits to send."""

    def __init__(self, path: str, owner: "FuzzClient | None", timeout: float):
        super().__init__(path, timeout=timeout)
        self.owner = owner
        # A compositor that stops reading must not hang the fuzzer: sends time out too.
        self.sock.settimeout(timeout)

    def _dispatch(self, object_id: int, opcode: int, payload: bytes) -> None:
        if object_id == DISPLAY_ID and opcode == 1:
            if self.owner is not None:
                self.owner.deleted(Reader(payload).u32())
            return
        super()._dispatch(object_id, opcode, payload)

    def pump(self) -> None:
        """Reads and handles whatever the server has sent, without waiting."""
        while True:
            ready, _, _ = select.select([self.sock], [], [], 0)
            if not ready:
                break
            try:
                data, ancdata, _, _ = self.sock.recvmsg(65536, socket.CMSG_SPACE(28 * 4))
            except (ConnectionResetError, BrokenPipeError) as exc:
                self._raise_end(exc)
            for level, kind, cdata in ancdata:
                if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                    count = len(cdata) // 4
                    for fd in struct.unpack(f"<{count}i", cdata[:count * 4]):
                        os.close(fd)
            if not data:
                self._raise_end()
            self.inbuf += data
            self._parse()
        if self.error:
            self._raise_end()


class FuzzClient:
    """One random client on a VM socket. Its model of the objects it owns is only as good as
    the protocol says: what it destroyed is gone, what the server deleted (delete_id) is gone,
    everything else is still a valid id (maybe inert) that requests may name."""

    def __init__(self, name: str, path: str, rng: random.Random, log, timeout: float = 30.0,
                 tag: str = "fz"):
        self.name = name
        self.rng = rng
        self.log = log
        self.tag = tag  # every app_id starts with it: the driver finds this client's windows
        self.conn = FuzzConnection(path, self, timeout)
        self.objs: dict[int, Obj] = {}
        self.globals: dict[str, Obj] = {}
        self.serials: list[int] = []
        self.keys: list[tuple[int, int]] = []  # (key, state) of every wl_keyboard.key
        self.keyboard_focus: set[int] = set()  # surfaces with wl_keyboard.enter
        self.pointer_buttons = 0  # wl_pointer.button events received
        self.pointer_focus: int | None = None  # the surface of the last wl_pointer.enter
        self.pressed: int | None = None  # the serial of a button press not yet released
        self.dead: str | None = None  # why the connection ended
        self.vm: str | None = None
        self.counter = 0
        self.trace: list[str] = []  # requests of the current action: kind#id.opcode
        self.registry = self.conn.new_id()
        self.conn.handlers[self.registry] = self._on_registry
        self.advertised: dict[str, tuple[int, int]] = {}
        self.outputs: list[int] = []  # global names of wl_output
        self.conn.request(DISPLAY_ID, 1, u32(self.registry))
        self.conn.roundtrip()
        # Most clients listen to the keyboard and the pointer from the start, as toolkits
        # do: the checks then see where keys and clicks really went.
        if self.rng.random() < 0.7:
            seat = self.glob("wl_seat")
            self.req(seat, 1, u32(self.new("wl_keyboard", seat.version, self._on_seat_child).id))
        if self.rng.random() < 0.7:
            seat = self.glob("wl_seat")
            self.req(seat, 0, u32(self.new("wl_pointer", seat.version, self._on_seat_child).id))
        self.say("hello")

    # --- bookkeeping --------------------------------------------------------------------

    def say(self, text: str) -> None:
        requests = " ".join(self.trace)
        self.trace.clear()
        self.log(f"{self.name}: {text}" + (f"  [{requests}]" if requests else ""))

    def flush_trace(self, why: str) -> None:
        """The requests of an action cut short (by a crash or an error), for the log."""
        if self.trace:
            self.say(f"(cut short: {why})")

    def _on_registry(self, opcode: int, reader: Reader) -> None:
        if opcode == 0:
            name, interface, version = reader.u32(), reader.string(), reader.u32()
            if interface == "wl_output":
                self.outputs.append(name)
            self.advertised.setdefault(interface, (name, version))
        elif opcode == 1:  # global_remove: an output went away; binding it now is an error
            name = reader.u32()
            if name in self.outputs:
                self.outputs.remove(name)
            for interface, (known, _) in list(self.advertised.items()):
                if known == name:
                    del self.advertised[interface]

    def deleted(self, object_id: int) -> None:
        self.objs.pop(object_id, None)

    def live(self, *kinds: str) -> list[Obj]:
        return [o for o in self.objs.values() if o.kind in kinds]

    def pick(self, *kinds: str) -> Obj | None:
        objs = self.live(*kinds)
        return self.rng.choice(objs) if objs else None

    # Objects the server destroys by itself, whenever it likes: never named in a request,
    # so they stay out of the model (their delete_id would make choices depend on timing).
    UNTRACKED = {"wl_callback", "wp_presentation_feedback"}

    def new(self, kind: str, version: int, handler=None, **data) -> Obj:
        obj = Obj(self.conn.new_id(), kind, version, **data)
        if kind not in self.UNTRACKED:
            self.objs[obj.id] = obj
        if handler:
            self.conn.handlers[obj.id] = lambda opcode, reader: handler(obj, opcode, reader)
        return obj

    def adopt(self, object_id: int, kind: str, version: int, handler=None) -> Obj:
        """An object the server made (a data offer): the client may use it from now on."""
        obj = Obj(object_id, kind, version)
        self.objs[object_id] = obj
        if handler:
            self.conn.handlers[object_id] = lambda opcode, reader: handler(obj, opcode, reader)
        return obj

    def req(self, obj: Obj, opcode: int, *args: bytes, fds=None, destroys=False) -> None:
        self.trace.append(f"{obj}.{opcode}" + ("(" + ",".join(
            str(struct.unpack("<i", a)[0]) if len(a) == 4 else "…" for a in args) + ")"
            if args else ""))
        self.conn.request(obj.id, opcode, *args, fds=fds)
        if destroys:
            self.objs.pop(obj.id, None)

    def glob(self, interface: str) -> Obj | None:
        """The client's binding of a global (made on first use), or None if not offered."""
        if interface in self.globals:
            return self.globals[interface]
        if interface not in self.advertised:
            return None
        name, version = self.advertised[interface]
        version = min(version, WANTED[interface])
        obj = self.new(interface, version, self._handler_for(interface))
        self.conn.request(self.registry, 0, u32(name), string(interface), u32(version),
                          u32(obj.id))
        self.globals[interface] = obj
        return obj

    def _handler_for(self, interface: str):
        if interface == "xdg_wm_base":
            return lambda obj, opcode, reader: (
                self.req(obj, 3, u32(reader.u32())) if opcode == 0 else None)  # pong
        return None

    def serial(self) -> int:
        """A serial the compositor gave this client, or one made up."""
        roll = self.rng.random()
        if self.serials and roll < 0.7:
            return self.rng.choice(self.serials[-8:])
        if roll < 0.85:
            return self.rng.randrange(0, 1000)
        return self.rng.choice([0, 0xFFFFFFFF, 0x7FFFFFFF])

    def size(self, small: bool = False) -> int:
        roll = self.rng.random()
        if roll < 0.92:
            return self.rng.randrange(1, 64 if small else 700)
        return self.rng.choice([0, 1, 2, 4096, 0x7FFFFFFF, -1, -0x80000000])

    def coord(self) -> int:
        roll = self.rng.random()
        if roll < 0.85:
            return self.rng.randrange(-300, 1500)
        return self.rng.choice([0, -0x80000000, 0x7FFFFFFF, 0x40000000, -0x40000000])

    def text(self, limit: int = 6) -> str:
        return "".join(self.rng.choice(TITLE_PIECES) for _ in range(self.rng.randrange(limit)))

    def app_id(self) -> str:
        self.counter += 1
        return f"{self.tag}.{self.counter}{self.text(2)}"

    # --- events ---------------------------------------------------------------------------

    def _on_xdg_surface(self, obj: Obj, opcode: int, reader: Reader) -> None:
        if opcode == 0:
            serial = reader.u32()
            obj.data.setdefault("serials", []).append(serial)

    def _on_toplevel(self, obj: Obj, opcode: int, reader: Reader) -> None:
        if opcode == 0:
            width, height = reader.i32(), reader.i32()
            obj.data["asked"] = (width, height)
        elif opcode == 1:
            obj.data["closed"] = True

    def _on_popup(self, obj: Obj, opcode: int, reader: Reader) -> None:
        if opcode == 0:
            reader.i32(), reader.i32()
            obj.data["asked"] = (reader.i32(), reader.i32())
        elif opcode == 1:
            obj.data["done"] = True

    def _on_seat_child(self, obj: Obj, opcode: int, reader: Reader) -> None:
        if obj.kind == "wl_keyboard":
            if opcode in (1, 2, 3):  # enter, leave, key: all start with a serial
                self.serials.append(reader.u32())
            if opcode == 1:
                self.keyboard_focus.add(reader.u32())
            elif opcode == 2:
                self.keyboard_focus.discard(reader.u32())
            elif opcode == 3:
                reader.u32()  # time
                self.keys.append((reader.u32(), reader.u32()))
        elif obj.kind == "wl_pointer":
            if opcode in (0, 1):  # enter, leave
                self.serials.append(reader.u32())
                self.pointer_focus = reader.u32() if opcode == 0 else None
            elif opcode == 3:  # button(serial, time, button, state)
                serial = reader.u32()
                reader.u32(), reader.u32()
                self.serials.append(serial)
                self.pressed = serial if reader.u32() == 1 else None
                self.pointer_buttons += 1

    def _on_data_device(self, obj: Obj, opcode: int, reader: Reader) -> None:
        if opcode == 0:  # data_offer(new id)
            self.adopt(reader.u32(), "wl_data_offer", obj.version)
        elif opcode == 1:  # enter(serial, …)
            self.serials.append(reader.u32())

    def _on_primary_device(self, obj: Obj, opcode: int, reader: Reader) -> None:
        if opcode == 0:
            self.adopt(reader.u32(), "zwp_primary_selection_offer_v1", obj.version)

    def _on_token(self, obj: Obj, opcode: int, reader: Reader) -> None:
        if opcode == 0:
            obj.data["token"] = reader.string()

    # --- objects a compositor sees every day -----------------------------------------------

    def make_surface(self) -> Obj | None:
        comp = self.glob("wl_compositor")
        surface = self.new("wl_surface", comp.version, role=None)
        self.req(comp, 0, u32(surface.id))
        return surface

    def make_pool(self, size: int | None = None) -> Obj:
        shm = self.glob("wl_shm")
        if size is None:
            size = self.rng.choice([4, 4096, 64 * 1024, 256 * 1024, 1024 * 1024])
        fd = os.memfd_create("wire-fuzz", os.MFD_CLOEXEC)
        try:
            os.ftruncate(fd, max(size, 4))
            pool = self.new("wl_shm_pool", shm.version, size=max(size, 4))
            self.req(shm, 0, u32(pool.id), i32(size), fds=[fd])
        finally:
            os.close(fd)
        return pool

    def make_buffer(self, width: int | None = None, height: int | None = None) -> Obj | None:
        """A wl_buffer from a pool (new or old), or a single-pixel buffer."""
        if self.rng.random() < 0.15:
            manager = self.glob("wp_single_pixel_buffer_manager_v1")
            if manager:
                buffer = self.new("wl_buffer", 1, size=(1, 1))
                rgba = [self.rng.choice([0, 0x80000000, 0xFFFFFFFF]) for _ in range(4)]
                self.req(manager, 1, u32(buffer.id), *map(u32, rgba))
                return buffer
        width = width or self.rng.randrange(1, 400)
        height = height or self.rng.randrange(1, 300)
        stride = width * 4
        pool = self.pick("wl_shm_pool")
        if pool is None or pool.data["size"] < stride * height or self.rng.random() < 0.3:
            pool = self.make_pool(max(stride * height, 4))
        offset, fmt = 0, self.rng.choice([0, 1])
        roll = self.rng.random()
        if roll < 0.05:  # out of the pool, or a stride too small: a protocol error
            offset = pool.data["size"]
        elif roll < 0.08:
            stride = width
        elif roll < 0.1:
            fmt = self.rng.choice(SHM_FORMATS)
        buffer = self.new("wl_buffer", 1, size=(width, height))
        self.req(pool, 0, u32(buffer.id), i32(offset), i32(width), i32(height), i32(stride),
                 u32(fmt))
        return buffer

    def paint(self, surface: Obj, size: tuple[int, int] | None = None) -> None:
        """attach (a new or an old buffer), damage, commit."""
        width, height = size if size and size[0] > 0 and size[1] > 0 else (0, 0)
        if width > 2000 or height > 2000:
            width, height = 0, 0
        old = self.pick("wl_buffer")
        buffer = old if old and self.rng.random() < 0.3 else self.make_buffer(width, height)
        self.req(surface, 1, u32(buffer.id), i32(0), i32(0))
        if self.rng.random() < 0.5:
            self.req(surface, 2, i32(0), i32(0), i32(0x7FFFFFFF), i32(0x7FFFFFFF))
        elif surface.version >= 4:
            w, h = buffer.data["size"]
            self.req(surface, 9, i32(0), i32(0), i32(w), i32(h))
        self.req(surface, 6)

    def make_positioner(self) -> Obj:
        wm = self.glob("xdg_wm_base")
        positioner = self.new("xdg_positioner", wm.version)
        self.req(wm, 1, u32(positioner.id))
        if self.rng.random() < 0.95:  # without a size, get_popup is a protocol error
            self.req(positioner, 1, i32(self.size(small=self.rng.random() < 0.5)),
                     i32(self.size(small=self.rng.random() < 0.5)))
        if self.rng.random() < 0.95:
            self.req(positioner, 2, i32(self.coord() // 4), i32(self.coord() // 4),
                     i32(self.size(small=True)), i32(self.size(small=True)))
        for _ in range(self.rng.randrange(4)):
            self.positioner_request(positioner, may_destroy=False)
        return positioner

    def positioner_request(self, positioner: Obj, may_destroy: bool = True) -> None:
        choice = self.rng.randrange(7 if positioner.version < 3 else 10)
        if choice == 6 and not may_destroy:
            choice = 3
        if choice == 0:
            self.req(positioner, 3, u32(self.rng.randrange(10)))  # anchor (9: invalid)
        elif choice == 1:
            self.req(positioner, 4, u32(self.rng.randrange(10)))  # gravity
        elif choice == 2:
            self.req(positioner, 5, u32(self.rng.randrange(64)))  # constraint adjustment
        elif choice == 3:
            self.req(positioner, 6, i32(self.coord()), i32(self.coord()))  # offset
        elif choice == 4:
            self.req(positioner, 1, i32(self.size()), i32(self.size()))
        elif choice == 5:
            self.req(positioner, 2, i32(self.coord()), i32(self.coord()), i32(self.size()),
                     i32(self.size()))
        elif choice == 6:
            self.req(positioner, 0, destroys=True)
        elif choice == 7:
            self.req(positioner, 7)  # set_reactive
        elif choice == 8:
            self.req(positioner, 8, i32(self.size()), i32(self.size()))  # parent size
        else:
            self.req(positioner, 9, u32(self.serial()))  # parent configure

    def make_xdg_surface(self, surface: Obj) -> Obj:
        wm = self.glob("xdg_wm_base")
        xdg = self.new("xdg_surface", wm.version, self._on_xdg_surface, surface=surface.id,
                       serials=[])
        self.req(wm, 2, u32(xdg.id), u32(surface.id))
        surface.data["role"] = "xdg"
        return xdg

    def make_toplevel(self, mapped: bool) -> Obj:
        surface = self.make_surface()
        xdg = self.make_xdg_surface(surface)
        toplevel = self.new("xdg_toplevel", xdg.version, self._on_toplevel, xdg=xdg.id,
                            surface=surface.id)
        self.req(xdg, 1, u32(toplevel.id))
        if self.rng.random() < 0.5:
            decoration = self.glob("zxdg_decoration_manager_v1")
            if decoration:
                deco = self.new("zxdg_toplevel_decoration_v1", 1)
                self.req(decoration, 1, u32(deco.id), u32(toplevel.id))
                self.req(deco, 1, u32(self.rng.choice([1, 2, 2, 3])))  # 3: invalid mode
        self.req(toplevel, 3, string(self.app_id()))
        if self.rng.random() < 0.7:
            self.req(toplevel, 2, string(self.text()))
        if self.rng.random() < 0.1:
            self.req(toplevel, 11, u32(0))  # set_fullscreen before the first commit
        elif self.rng.random() < 0.1:
            self.req(toplevel, 9)
        self.req(surface, 6)
        if mapped:
            self.map_xdg(xdg, surface, toplevel)
        return toplevel

    def map_xdg(self, xdg: Obj, surface: Obj, role: Obj) -> None:
        """Waits for the first configure, acks it and commits a buffer of the size asked.
        A surface the compositor does not configure (a popup without a parent it draws)
        stays unmapped: configures are sent when the compositor goes idle, so two
        roundtrips are enough to know."""
        for _ in range(2):
            if not xdg.data["serials"]:
                self.conn.roundtrip()
        if not xdg.data["serials"]:
            return
        self.req(xdg, 4, u32(xdg.data["serials"][-1]))
        if self.rng.random() < 0.3:
            self.req(xdg, 3, i32(self.coord() // 8), i32(self.coord() // 8),
                     i32(self.size()), i32(self.size()))
        self.paint(surface, role.data.get("asked"))

    def make_popup(self, mapped: bool) -> Obj | None:
        parents = [o for o in self.live("xdg_surface") if self.rng.random() < 0.97]
        parent = self.rng.choice(parents) if parents else None
        positioner = self.pick("xdg_positioner") if self.rng.random() < 0.4 else None
        positioner = positioner or self.make_positioner()
        surface = self.make_surface()
        xdg = self.make_xdg_surface(surface)
        popup = self.new("xdg_popup", xdg.version, self._on_popup, xdg=xdg.id,
                         surface=surface.id)
        self.req(xdg, 2, u32(popup.id), u32(parent.id if parent else 0), u32(positioner.id))
        if self.rng.random() < 0.3:
            self.grab(popup)  # before the first commit: allowed, and what menus do
        self.req(surface, 6)
        if mapped:
            self.map_xdg(xdg, surface, popup)
            if self.rng.random() < 0.3:
                self.grab(popup)  # after mapping: a protocol error
        return popup

    def grab(self, popup: Obj) -> None:
        seat = self.glob("wl_seat")
        self.req(popup, 1, u32(seat.id), u32(self.serial()))

    def make_subsurface(self) -> Obj | None:
        sub = self.glob("wl_subcompositor")
        parents = self.live("wl_surface")
        if not sub or not parents:
            return None
        parent = self.rng.choice(parents)
        fresh = self.rng.random() < 0.8
        surface = self.make_surface() if fresh else self.rng.choice(parents)
        subsurface = self.new("wl_subsurface", 1, surface=surface.id, parent=parent.id)
        self.req(sub, 1, u32(subsurface.id), u32(surface.id), u32(parent.id))
        surface.data["role"] = "sub"
        self.req(subsurface, 1, i32(self.coord() // 4), i32(self.coord() // 4))
        if self.rng.random() < 0.5:
            self.req(subsurface, 5)  # set_desync
        self.paint(surface)
        self.req(parent, 6)
        return subsurface

    # --- the random step ------------------------------------------------------------------

    def step(self) -> None:
        """One random action: a composite one (a mapped window, a popup) or one request."""
        if self.pressed is not None and self.pointer_focus and self.rng.random() < 0.3:
            self.act_real_drag()  # what a button held on one of its windows is for
            return
        actions = [
            (8, self.act_toplevel), (6, self.act_popup), (4, self.act_subsurface),
            (10, self.act_surface_request), (5, self.act_xdg_surface_request),
            (6, self.act_toplevel_request), (3, self.act_popup_request),
            (2, self.act_positioner), (4, self.act_buffer), (3, self.act_region),
            (3, self.act_subsurface_request), (2, self.act_viewport), (3, self.act_seat),
            (4, self.act_data), (2, self.act_primary), (1, self.act_activation),
            (2, self.act_misc), (12, self.act_destroy_any), (3, self.act_roundtrip),
        ]
        total = sum(weight for weight, _ in actions)
        roll = self.rng.uniform(0, total)
        for weight, action in actions:
            roll -= weight
            if roll <= 0:
                break
        action()

    def act_toplevel(self) -> None:
        toplevel = self.make_toplevel(mapped=self.rng.random() < 0.8)
        self.say(f"toplevel {toplevel}")

    def act_popup(self) -> None:
        popup = self.make_popup(mapped=self.rng.random() < 0.8)
        self.say(f"popup {popup}")

    def act_subsurface(self) -> None:
        subsurface = self.make_subsurface()
        self.say(f"subsurface {subsurface}")

    def act_surface_request(self) -> None:
        surface = self.pick("wl_surface") or self.make_surface()
        choice = self.rng.randrange(12)
        what = ["paint", "attach-null", "damage", "frame", "opaque", "input", "commit",
                "transform", "scale", "damage-buffer", "offset", "damage-flood"][choice]
        if choice == 0:
            xdg = next((o for o in self.live("xdg_surface")
                        if o.data["surface"] == surface.id and o.data["serials"]), None)
            if xdg and self.rng.random() < 0.7:
                self.req(xdg, 4, u32(xdg.data["serials"][-1]))
            self.paint(surface)
        elif choice == 1:
            self.req(surface, 1, u32(0), i32(0), i32(0))
            self.req(surface, 6)
        elif choice == 2:
            self.req(surface, 2, i32(self.coord()), i32(self.coord()), i32(self.size()),
                     i32(self.size()))
        elif choice == 3:
            callback = self.new("wl_callback", 1)
            self.req(surface, 3, u32(callback.id))
            self.req(surface, 6)
        elif choice in (4, 5):
            region = self.pick("wl_region") if self.rng.random() < 0.8 else None
            self.req(surface, choice, u32(region.id if region else 0))
        elif choice == 6:
            self.req(surface, 6)
        elif choice == 7 and surface.version >= 2:
            self.req(surface, 7, i32(self.rng.randrange(9)))  # 8: invalid transform
        elif choice == 8 and surface.version >= 3:
            self.req(surface, 8, i32(self.rng.choice([1, 1, 2, 3, 0])))  # 0: invalid
        elif choice == 9 and surface.version >= 4:
            self.req(surface, 9, i32(self.coord()), i32(self.coord()), i32(self.size()),
                     i32(self.size()))
        elif choice == 10 and surface.version >= 5:
            self.req(surface, 10, i32(self.coord() // 8), i32(self.coord() // 8))
        elif choice == 11:
            # Many small damage rectangles in one commit (a bounded flood: the fuzzer is
            # after crashes, the limits tests measure the big ones).
            count = self.rng.choice([50, 200, 1000])
            for n in range(count):
                self.req(surface, 2, i32((n * 7) % 600), i32((n * 13) % 400), i32(1), i32(1))
            self.req(surface, 6)
        self.say(f"{what} {surface}")

    def act_xdg_surface_request(self) -> None:
        xdg = self.pick("xdg_surface")
        if not xdg:
            return
        choice = self.rng.randrange(5)
        if choice == 0 and xdg.data["serials"]:
            serial = xdg.data["serials"][-1] if self.rng.random() < 0.9 else self.serial()
            self.req(xdg, 4, u32(serial))
            self.say(f"ack {xdg} {serial}")
        elif choice == 1:
            self.req(xdg, 3, i32(self.coord() // 4), i32(self.coord() // 4),
                     i32(self.size()), i32(self.size()))
            self.say(f"window-geometry {xdg}")
        elif choice == 2 and self.rng.random() < 0.2:
            self.req(xdg, 1, u32(self.new("xdg_toplevel", xdg.version, self._on_toplevel,
                                          xdg=xdg.id, surface=xdg.data["surface"]).id))
            self.say(f"second role object on {xdg}")
        elif choice == 3:
            self.req(xdg, 0, destroys=True)
            self.say(f"destroy {xdg}")
        else:
            surface = self.objs.get(xdg.data["surface"])
            if surface:
                self.req(surface, 6)
                self.say(f"commit {surface} of {xdg}")

    def act_toplevel_request(self) -> None:
        toplevel = self.pick("xdg_toplevel")
        if not toplevel:
            return
        seat = self.glob("wl_seat")
        choice = self.rng.randrange(16)
        names = ["destroy", "set_parent", "title", "app_id", "window_menu", "move", "resize",
                 "max_size", "min_size", "maximize", "unmaximize", "fullscreen",
                 "unfullscreen", "minimize", "redraw", "set_parent_self"]
        if choice == 0:
            self.req(toplevel, 0, destroys=True)
        elif choice == 1:
            parent = self.pick("xdg_toplevel") if self.rng.random() < 0.8 else None
            self.req(toplevel, 1, u32(parent.id if parent else 0))
        elif choice == 2:
            self.req(toplevel, 2, string(self.text(10)))
        elif choice == 3:
            self.req(toplevel, 3, string(self.app_id()))
        elif choice == 4:
            self.req(toplevel, 4, u32(seat.id), u32(self.serial()), i32(self.coord()),
                     i32(self.coord()))
        elif choice == 5:
            self.req(toplevel, 5, u32(seat.id), u32(self.serial()))
        elif choice == 6:
            self.req(toplevel, 6, u32(seat.id), u32(self.serial()), u32(self.rng.randrange(12)))
        elif choice in (7, 8):
            self.req(toplevel, choice, i32(self.size()), i32(self.size()))
        elif choice in (9, 10, 12, 13):
            self.req(toplevel, choice)
        elif choice == 11:
            output = 0
            if self.outputs and self.rng.random() < 0.5:
                output_obj = self.new("wl_output", 1)
                self.conn.request(self.registry, 0, u32(self.rng.choice(self.outputs)),
                                  string("wl_output"), u32(1), u32(output_obj.id))
                output = output_obj.id
            self.req(toplevel, 11, u32(output))
        elif choice == 14:
            xdg = self.objs.get(toplevel.data["xdg"])
            surface = self.objs.get(toplevel.data["surface"])
            if xdg and surface and xdg.data["serials"]:
                self.req(xdg, 4, u32(xdg.data["serials"][-1]))
                self.paint(surface, toplevel.data.get("asked"))
        else:
            self.req(toplevel, 1, u32(toplevel.id))  # its own parent: a protocol error
        self.say(f"{names[choice]} {toplevel}")

    def act_popup_request(self) -> None:
        popup = self.pick("xdg_popup")
        if not popup:
            return
        choice = self.rng.randrange(4)
        if choice == 0:
            self.req(popup, 0, destroys=True)
            self.say(f"destroy {popup}")
        elif choice == 1:
            self.grab(popup)
            self.say(f"grab {popup}")
        elif choice == 2 and popup.version >= 3:
            positioner = self.pick("xdg_positioner") or self.make_positioner()
            self.req(popup, 2, u32(positioner.id), u32(self.rng.randrange(100)))
            self.say(f"reposition {popup} with {positioner}")
        else:
            xdg = self.objs.get(popup.data["xdg"])
            surface = self.objs.get(popup.data["surface"])
            if xdg and surface and xdg.data["serials"]:
                self.req(xdg, 4, u32(xdg.data["serials"][-1]))
                self.paint(surface, popup.data.get("asked"))
                self.say(f"redraw {popup}")

    def act_positioner(self) -> None:
        positioner = self.pick("xdg_positioner")
        if positioner is None or self.rng.random() < 0.3:
            self.say(f"new {self.make_positioner()}")
        else:
            self.positioner_request(positioner)
            self.say(f"change {positioner}")

    def act_buffer(self) -> None:
        choice = self.rng.randrange(6)
        if choice == 0:
            self.say(f"new {self.make_buffer()}")
        elif choice == 1:
            pool = self.pick("wl_shm_pool")
            if pool:
                size = pool.data["size"] + self.rng.choice([0, 4096, 1 << 20, -4])
                self.req(pool, 2, i32(size))  # resize (shrinking is a protocol error)
                pool.data["size"] = max(size, pool.data["size"])
                self.say(f"resize {pool} to {size}")
        elif choice == 2:
            pool = self.pick("wl_shm_pool")
            if pool:
                self.req(pool, 1, destroys=True)
                self.say(f"destroy {pool}")
        elif choice == 3:
            buffer = self.pick("wl_buffer")
            if buffer:
                self.req(buffer, 0, destroys=True)
                self.say(f"destroy {buffer}")
        elif choice == 4:
            self.say(f"new {self.make_pool()}")
        else:
            shm = self.glob("wl_shm")
            if shm.version >= 2 and self.rng.random() < 0.2:
                self.req(shm, 1, destroys=True)  # release: later pools need a new binding
                self.globals.pop("wl_shm", None)
                self.say("release wl_shm")

    def act_region(self) -> None:
        region = self.pick("wl_region")
        if region is None or self.rng.random() < 0.3:
            comp = self.glob("wl_compositor")
            region = self.new("wl_region", comp.version)
            self.req(comp, 1, u32(region.id))
        choice = self.rng.randrange(3)
        if choice == 0:
            self.req(region, 0, destroys=True)
        else:
            self.req(region, choice, i32(self.coord()), i32(self.coord()), i32(self.size()),
                     i32(self.size()))
        self.say(f"region {region} op {choice}")

    def act_subsurface_request(self) -> None:
        subsurface = self.pick("wl_subsurface")
        if not subsurface:
            return
        choice = self.rng.randrange(6)
        if choice == 0:
            self.req(subsurface, 0, destroys=True)
        elif choice == 1:
            self.req(subsurface, 1, i32(self.coord()), i32(self.coord()))
        elif choice in (2, 3):
            sibling = self.pick("wl_surface")
            if sibling:
                self.req(subsurface, choice, u32(sibling.id))  # not a sibling: an error
        else:
            self.req(subsurface, choice)
        parent = self.objs.get(subsurface.data["parent"])
        if parent and self.rng.random() < 0.6:
            self.req(parent, 6)
        self.say(f"subsurface {subsurface} op {choice}")

    def act_viewport(self) -> None:
        viewporter = self.glob("wp_viewporter")
        if not viewporter:
            return
        viewport = self.pick("wp_viewport")
        if viewport is None or self.rng.random() < 0.3:
            surface = self.pick("wl_surface")
            if not surface:
                return
            viewport = self.new("wp_viewport", 1, surface=surface.id)
            self.req(viewporter, 1, u32(viewport.id), u32(surface.id))
        choice = self.rng.randrange(3)
        if choice == 0:
            self.req(viewport, 0, destroys=True)
        elif choice == 1:
            values = [self.rng.choice([-1.0, 0.0, 0.5, 10.0, 300.25, 5000.0]) for _ in range(4)]
            self.req(viewport, 1, *map(fixed, values))
        else:
            self.req(viewport, 2, i32(self.rng.choice([-1, 1, 50, 3000, 100000])),
                     i32(self.rng.choice([-1, 1, 50, 3000, 100000])))
        surface = self.objs.get(viewport.data["surface"]) if viewport.id in self.objs else None
        if surface and self.rng.random() < 0.5:
            self.req(surface, 6)
        self.say(f"viewport {viewport} op {choice}")

    def act_seat(self) -> None:
        seat = self.glob("wl_seat")
        choice = self.rng.randrange(6)
        if choice == 0:
            pointer = self.new("wl_pointer", seat.version, self._on_seat_child)
            self.req(seat, 0, u32(pointer.id))
        elif choice == 1:
            keyboard = self.new("wl_keyboard", seat.version, self._on_seat_child)
            self.req(seat, 1, u32(keyboard.id))
        elif choice == 2:
            pointer = self.pick("wl_pointer")
            surface = self.pick("wl_surface") if self.rng.random() < 0.7 else None
            if pointer:
                self.req(pointer, 0, u32(self.serial()), u32(surface.id if surface else 0),
                         i32(self.coord() // 16), i32(self.coord() // 16))
                if surface and self.rng.random() < 0.5:
                    self.paint(surface)
        elif choice == 3:
            device = self.pick("wl_pointer", "wl_keyboard")
            if device and device.version >= 3:
                self.req(device, 1 if device.kind == "wl_pointer" else 0, destroys=True)
        elif choice == 4:
            manager = self.glob("wp_cursor_shape_manager_v1")
            pointer = self.pick("wl_pointer")
            if manager and pointer:
                shape = self.new("wp_cursor_shape_device_v1", 1)
                self.req(manager, 1, u32(shape.id), u32(pointer.id))
                self.req(shape, 1, u32(self.serial()), u32(self.rng.randrange(40)))
        else:
            shape = self.pick("wp_cursor_shape_device_v1")
            if shape and self.rng.random() < 0.5:
                self.req(shape, 1, u32(self.serial()), u32(self.rng.randrange(40)))
            elif shape:
                self.req(shape, 0, destroys=True)
        self.say(f"seat op {choice}")

    def act_data(self) -> None:
        manager = self.glob("wl_data_device_manager")
        seat = self.glob("wl_seat")
        choice = self.rng.randrange(9)
        if choice == 0 or not self.live("wl_data_source"):
            source = self.new("wl_data_source", manager.version)
            self.req(manager, 0, u32(source.id))
            for _ in range(self.rng.randrange(4)):
                self.req(source, 0, string(self.rng.choice(MIME_TYPES)))
            if manager.version >= 3 and self.rng.random() < 0.5:
                self.req(source, 2, u32(self.rng.randrange(9)))  # set_actions (8: invalid)
        elif choice == 1 or not self.live("wl_data_device"):
            device = self.new("wl_data_device", manager.version, self._on_data_device)
            self.req(manager, 1, u32(device.id), u32(seat.id))
        elif choice == 2:
            device, source = self.pick("wl_data_device"), self.pick("wl_data_source")
            use = source if self.rng.random() < 0.8 else None
            self.req(device, 1, u32(use.id if use else 0), u32(self.serial()))
            if use:
                use.data["used"] = True
        elif choice == 3:
            device, source = self.pick("wl_data_device"), self.pick("wl_data_source")
            origin = self.pick("wl_surface")
            icon = self.make_surface() if self.rng.random() < 0.5 else None
            if origin:
                self.req(device, 0, u32(source.id if self.rng.random() < 0.8 else 0),
                         u32(origin.id), u32(icon.id if icon else 0), u32(self.serial()))
                if icon:
                    icon.data["role"] = "dnd"
                    self.paint(icon)
        elif choice == 4:
            offer = self.pick("wl_data_offer")
            if offer:
                op = self.rng.randrange(5 if offer.version >= 3 else 3)
                if op == 0:
                    self.req(offer, 0, u32(self.serial()), string(self.rng.choice(MIME_TYPES)))
                elif op == 1:
                    read, write = os.pipe()
                    try:
                        self.req(offer, 1, string(self.rng.choice(MIME_TYPES)), fds=[write])
                    finally:
                        os.close(read)
                        os.close(write)
                elif op == 2:
                    self.req(offer, 2, destroys=True)
                elif op == 3:
                    self.req(offer, 3)  # finish: an error unless a drop happened
                else:
                    self.req(offer, 4, u32(self.rng.randrange(8)), u32(self.rng.randrange(5)))
        elif choice == 5:
            source = self.pick("wl_data_source")
            self.req(source, 1, destroys=True)
        elif choice == 6:
            device = self.pick("wl_data_device")
            if device.version >= 2:
                self.req(device, 2, destroys=True)
        elif choice == 7:
            source = self.pick("wl_data_source")
            for _ in range(self.rng.choice([1, 5, 40])):
                self.req(source, 0, string(self.text(3) or "x"))
        else:
            self.conn.roundtrip()
        self.say(f"data op {choice}")

    def act_real_drag(self) -> None:
        """start_drag from the surface under the pointer with the press's serial: a drag
        the compositor starts (with an icon, sometimes without a source)."""
        manager = self.glob("wl_data_device_manager")
        device = self.pick("wl_data_device")
        if device is None:
            device = self.new("wl_data_device", manager.version, self._on_data_device)
            self.req(manager, 1, u32(device.id), u32(self.glob("wl_seat").id))
        source = None
        if self.rng.random() < 0.8:
            source = self.new("wl_data_source", manager.version)
            self.req(manager, 0, u32(source.id))
            self.req(source, 0, string(self.rng.choice(MIME_TYPES)))
            if manager.version >= 3:
                self.req(source, 2, u32(self.rng.randrange(1, 8)))
        icon = self.make_surface() if self.rng.random() < 0.7 else None
        self.req(device, 0, u32(source.id if source else 0), u32(self.pointer_focus),
                 u32(icon.id if icon else 0), u32(self.pressed))
        if icon:
            icon.data["role"] = "dnd"
            self.paint(icon, (self.rng.choice([16, 64, 300]), self.rng.choice([16, 64, 300])))
        self.pressed = None
        self.say(f"drag from wl_surface#{self.pointer_focus} with {source}, icon {icon}")

    def act_primary(self) -> None:
        manager = self.glob("zwp_primary_selection_device_manager_v1")
        seat = self.glob("wl_seat")
        if not manager:
            return
        choice = self.rng.randrange(6)
        if choice == 0 or not self.live("zwp_primary_selection_source_v1"):
            source = self.new("zwp_primary_selection_source_v1", 1)
            self.req(manager, 0, u32(source.id))
            self.req(source, 0, string(self.rng.choice(MIME_TYPES)))
        elif choice == 1 or not self.live("zwp_primary_selection_device_v1"):
            device = self.new("zwp_primary_selection_device_v1", 1, self._on_primary_device)
            self.req(manager, 1, u32(device.id), u32(seat.id))
        elif choice == 2:
            device = self.pick("zwp_primary_selection_device_v1")
            source = self.pick("zwp_primary_selection_source_v1")
            self.req(device, 0, u32(source.id if self.rng.random() < 0.8 else 0),
                     u32(self.serial()))
        elif choice == 3:
            offer = self.pick("zwp_primary_selection_offer_v1")
            if offer:
                if self.rng.random() < 0.5:
                    read, write = os.pipe()
                    try:
                        self.req(offer, 0, string(self.rng.choice(MIME_TYPES)), fds=[write])
                    finally:
                        os.close(read)
                        os.close(write)
                else:
                    self.req(offer, 1, destroys=True)
        elif choice == 4:
            self.req(self.pick("zwp_primary_selection_source_v1"), 1, destroys=True)
        else:
            self.req(self.pick("zwp_primary_selection_device_v1"), 1, destroys=True)
        self.say(f"primary op {choice}")

    def act_activation(self) -> None:
        activation = self.glob("xdg_activation_v1")
        if not activation:
            return
        token = self.pick("xdg_activation_token_v1")
        if token is None or self.rng.random() < 0.4:
            token = self.new("xdg_activation_token_v1", 1, self._on_token)
            self.req(activation, 1, u32(token.id))
            if self.rng.random() < 0.5:
                self.req(token, 0, u32(self.serial()), u32(self.glob("wl_seat").id))
            if self.rng.random() < 0.5:
                self.req(token, 1, string(self.app_id()))
            surface = self.pick("wl_surface")
            if surface and self.rng.random() < 0.6:
                self.req(token, 2, u32(surface.id))
            self.req(token, 3)  # commit (twice is a protocol error)
            self.conn.roundtrip()
        elif self.rng.random() < 0.5:
            surface = self.pick("wl_surface")
            if surface:
                value = token.data.get("token") or self.text(3)
                self.req(activation, 2, string(value), u32(surface.id))
        else:
            self.req(token, 4, destroys=True)
        self.say(f"activation {token}")

    def act_misc(self) -> None:
        choice = self.rng.randrange(5)
        surface = self.pick("wl_surface")
        if choice == 0 and surface:
            manager = self.glob("wp_fractional_scale_manager_v1")
            if manager:
                scale = self.new("wp_fractional_scale_v1", 1)
                self.req(manager, 1, u32(scale.id), u32(surface.id))
        elif choice == 1 and surface:
            presentation = self.glob("wp_presentation")
            if presentation:
                feedback = self.new("wp_presentation_feedback", 1)
                self.req(presentation, 1, u32(surface.id), u32(feedback.id))
                self.req(surface, 6)
        elif choice == 2:
            scale = self.pick("wp_fractional_scale_v1")
            if scale:
                self.req(scale, 0, destroys=True)
        elif choice == 3:
            manager = self.glob("zxdg_output_manager_v1")
            if manager and self.outputs:
                output = self.new("wl_output", 1)
                self.conn.request(self.registry, 0, u32(self.rng.choice(self.outputs)),
                                  string("wl_output"), u32(1), u32(output.id))
                xdg_output = self.new("zxdg_output_v1", manager.version)
                self.req(manager, 1, u32(xdg_output.id), u32(output.id))
        else:
            decoration = self.pick("zxdg_toplevel_decoration_v1")
            if decoration:
                op = self.rng.randrange(3)
                if op == 0:
                    self.req(decoration, 0, destroys=True)
                elif op == 1:
                    self.req(decoration, 1, u32(self.rng.choice([1, 2])))
                else:
                    self.req(decoration, 2)
        self.say(f"misc op {choice}")

    # Objects whose destructor request is opcode 0 and takes no arguments.
    DESTROY_OPCODE = {
        "wl_surface": 0, "wl_buffer": 0, "wl_region": 0, "wl_subsurface": 0,
        "xdg_surface": 0, "xdg_toplevel": 0, "xdg_popup": 0, "xdg_positioner": 0,
        "zxdg_toplevel_decoration_v1": 0, "wp_viewport": 0, "wl_shm_pool": 1,
        "wl_data_source": 1, "wl_data_offer": 2, "zwp_primary_selection_source_v1": 1,
        "zwp_primary_selection_offer_v1": 1, "zwp_primary_selection_device_v1": 1,
        "xdg_activation_token_v1": 4, "wp_fractional_scale_v1": 0,
        "wp_cursor_shape_device_v1": 0, "zxdg_output_v1": 0,
    }

    def act_destroy_any(self) -> None:
        """Destroys any object at all, whatever still depends on it."""
        candidates = [o for o in self.objs.values() if o.kind in self.DESTROY_OPCODE]
        if not candidates:
            return
        obj = self.rng.choice(candidates)
        self.req(obj, self.DESTROY_OPCODE[obj.kind], destroys=True)
        self.say(f"destroy {obj}")

    def act_roundtrip(self) -> None:
        self.conn.roundtrip()

    # --- life and death -------------------------------------------------------------------

    def pump(self) -> None:
        self.conn.pump()

    def exit(self, truncated: bool = False) -> None:
        """The client exits at once: its socket closes with whatever it owned."""
        if truncated:
            try:  # half a message: a header promising more than comes
                self.conn.sock.sendall(u32(1) + u32((64 << 16) | 0) + b"\0" * 4)
            except OSError:
                pass
        self.dead = self.dead or "exited"
        self.conn.close()


__all__ = ["FuzzClient", "Disconnected", "ProtocolError", "WaylandError"]
