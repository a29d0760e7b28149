"""Just enough image reading for screenshot assertions: 8-bit PNG and binary PPM.

Debian's python3 here has no Pillow; weston-screenshooter writes PNG and grim can
write PPM, so these two small readers cover both host compositors.
"""

from __future__ import annotations

import struct
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "integration"))
import pixels  # noqa: E402  (tests/integration/pixels.py)


@dataclass
class Image:
    width: int
    height: int
    rgb: bytes  # width * height * 3, row-major

    def pixel(self, x: int, y: int) -> tuple[int, int, int]:
        i = (y * self.width + x) * 3
        return self.rgb[i], self.rgb[i + 1], self.rgb[i + 2]

    def count(self, predicate) -> int:
        """Number of pixels whose (r, g, b) satisfies predicate."""
        px = self.rgb
        return sum(1 for i in range(0, len(px), 3) if predicate(px[i], px[i + 1], px[i + 2]))

    def count_near(self, color: tuple[int, int, int], tolerance: int = 8) -> int:
        r0, g0, b0 = color
        return self.count(
            lambda r, g, b: abs(r - r0) <= tolerance and abs(g - g0) <= tolerance and abs(b - b0) <= tolerance
        )

    def differing_pixels(self, other: "Image") -> int:
        if (self.width, self.height) != (other.width, other.height):
            return self.width * self.height
        a, b = self.rgb, other.rgb
        return sum(1 for i in range(0, len(a), 3) if a[i : i + 3] != b[i : i + 3])


def read_ppm(data: bytes) -> Image:
    """Binary P6 with maxval 255, as grim -t ppm writes it: the integration tests' parser."""
    parsed = pixels.Image.from_ppm(data)
    return Image(parsed.width, parsed.height, parsed.rgb)


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def read_png(data: bytes) -> Image:
    """Non-interlaced 8-bit RGB or RGBA PNG (what weston-screenshooter writes)."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos = 8
    idat = bytearray()
    width = height = depth = ctype = interlace = 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            width, height, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
    channels = {2: 3, 6: 4}.get(ctype)
    if depth != 8 or channels is None or interlace:
        raise ValueError(f"unsupported PNG (depth {depth}, colour type {ctype}, interlace {interlace})")
    raw = zlib.decompress(bytes(idat))
    stride = width * channels
    out = bytearray(width * height * 3)
    prev = bytearray(stride)
    src = 0
    for y in range(height):
        ftype = raw[src]
        line = bytearray(raw[src + 1 : src + 1 + stride])
        src += 1 + stride
        if ftype == 1:
            for i in range(channels, stride):
                line[i] = (line[i] + line[i - channels]) & 0xFF
        elif ftype == 2:
            for i in range(stride):
                line[i] = (line[i] + prev[i]) & 0xFF
        elif ftype == 3:
            for i in range(stride):
                left = line[i - channels] if i >= channels else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 0xFF
        elif ftype == 4:
            for i in range(stride):
                left = line[i - channels] if i >= channels else 0
                upleft = prev[i - channels] if i >= channels else 0
                line[i] = (line[i] + _paeth(left, prev[i], upleft)) & 0xFF
        elif ftype != 0:
            raise ValueError(f"bad PNG filter {ftype}")
        row = y * width * 3
        for x in range(width):
            out[row + 3 * x : row + 3 * x + 3] = line[channels * x : channels * x + 3]
        prev = line
    return Image(width, height, bytes(out))


def read_image(data: bytes) -> Image:
    return read_png(data) if data.startswith(b"\x89PNG") else read_ppm(data)
