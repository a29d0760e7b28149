"""Sets a headless output's mode through wlr-output-management, for compositors (labwc) that
have no output section in their own configuration. A few dozen lines of the Wayland wire
protocol by hand: no protocol XML or extra package is needed for four requests.

    python3 output_mode.py SOCKET_PATH WIDTH HEIGHT [REFRESH_MHZ]
"""

from __future__ import annotations

import socket
import struct
import sys

DISPLAY = 1
REGISTRY, SYNC, MANAGER, CONFIG, CONFIG_HEAD = 2, 3, 4, 5, 6
SERVER_IDS = 0xFF000000  # ids the compositor allocates for objects it creates (heads, modes)


class OutputModeError(Exception):
    pass


def _string(value: str) -> bytes:
    raw = value.encode() + b"\0"
    return struct.pack("<I", len(raw)) + raw + b"\0" * (-len(raw) % 4)


def _message(obj: int, opcode: int, payload: bytes = b"") -> bytes:
    return struct.pack("<II", obj, (8 + len(payload)) << 16 | opcode) + payload


class _Wire:
    def __init__(self, path: str):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(5)
        self.sock.connect(path)
        self.buffer = b""

    def send(self, obj: int, opcode: int, payload: bytes = b"") -> None:
        self.sock.sendall(_message(obj, opcode, payload))

    def events(self):
        """Yields (object, opcode, payload) for every event, forever."""
        while True:
            while len(self.buffer) >= 8:
                obj, word = struct.unpack_from("<II", self.buffer)
                size = word >> 16
                if size < 8:
                    raise OutputModeError(f"malformed event of size {size}")
                if len(self.buffer) < size:
                    break
                payload, self.buffer = self.buffer[8:size], self.buffer[size:]
                if obj == DISPLAY and word & 0xFFFF == 0:  # wl_display.error
                    _, code = struct.unpack_from("<II", payload)
                    raise OutputModeError(f"protocol error {code}")
                yield obj, word & 0xFFFF, payload
            chunk = self.sock.recv(65536)
            if not chunk:
                raise OutputModeError("the compositor closed the connection")
            self.buffer += chunk


def set_mode(socket_path: str, width: int, height: int, refresh_mhz: int = 60000) -> None:
    wire = _Wire(socket_path)
    wire.send(DISPLAY, 1, struct.pack("<I", REGISTRY))  # get_registry
    wire.send(DISPLAY, 0, struct.pack("<I", SYNC))  # sync: the globals come before "done"
    manager_name = None
    events = wire.events()
    for obj, opcode, payload in events:
        if obj == REGISTRY and opcode == 0:  # global(name, interface, version)
            name, length = struct.unpack_from("<II", payload)
            interface = payload[8:8 + length - 1].decode()
            if interface == "zwlr_output_manager_v1":
                manager_name = name
        elif obj == SYNC:
            break
    if manager_name is None:
        raise OutputModeError("the compositor offers no zwlr_output_manager_v1")
    # bind(name, new_id as interface + version + id); version 1 has everything used here.
    wire.send(REGISTRY, 0, struct.pack("<I", manager_name) + _string("zwlr_output_manager_v1")
              + struct.pack("<II", 1, MANAGER))
    heads: list[int] = []
    serial = None
    for obj, opcode, payload in events:
        if obj == MANAGER and opcode == 0:  # head(new_id)
            heads.append(struct.unpack_from("<I", payload)[0])
        elif obj == MANAGER and opcode == 1:  # done(serial)
            serial = struct.unpack_from("<I", payload)[0]
            break
    if not heads:
        raise OutputModeError("the compositor reported no output heads")
    # Every head must be named in a configuration: the first gets the mode, others go off.
    wire.send(MANAGER, 0, struct.pack("<II", CONFIG, serial))  # create_configuration
    wire.send(CONFIG, 0, struct.pack("<II", CONFIG_HEAD, heads[0]))  # enable_head
    wire.send(CONFIG_HEAD, 1, struct.pack("<iii", width, height, refresh_mhz))  # set_custom_mode
    for head in heads[1:]:
        wire.send(CONFIG, 1, struct.pack("<I", head))  # disable_head
    wire.send(CONFIG, 2)  # apply
    for obj, opcode, _ in events:
        if obj == CONFIG:
            if opcode == 0:
                wire.sock.close()
                return
            raise OutputModeError("the compositor " + ("refused" if opcode == 1 else "cancelled")
                                  + f" the mode {width}x{height}")


if __name__ == "__main__":
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    try:
        set_mode(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]),
                 int(sys.argv[4]) if len(sys.argv) == 5 else 60000)
    except (OSError, OutputModeError) as exc:
        sys.exit(f"output_mode: {exc}")
