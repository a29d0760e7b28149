"""Screenshots as pixels: read grim's binary PPM, write a PNG for people, and measure regions.

Only the standard library: the PPM (P6) format is a header and raw RGB bytes, and a PNG is
a few zlib-compressed chunks.
"""

from __future__ import annotations

import struct
import zlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

RGB = tuple[int, int, int]


def hex_rgb(text: str) -> RGB:
    """'#cc0000' -> (204, 0, 0)"""
    text = text.lstrip("#")
    return (int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16))


def distance(a: RGB, b: RGB) -> int:
    """Sum of absolute channel differences: 0 for equal colours, 765 at most."""
    return abs(a[0] - b[0]) + abs(a[1] - b[1]) + abs(a[2] - b[2])


@dataclass(frozen=True)
class Rect:
    x: int
    y: int
    width: int
    height: int

    @staticmethod
    def of(box: dict) -> "Rect":
        return Rect(box["x"], box["y"], box["width"], box["height"])

    @property
    def right(self) -> int:
        return self.x + self.width

    @property
    def bottom(self) -> int:
        return self.y + self.height

    def contains(self, x: int, y: int) -> bool:
        return self.x <= x < self.right and self.y <= y < self.bottom

    def intersects(self, other: "Rect") -> bool:
        return (self.x < other.right and other.x < self.right and self.y < other.bottom
                and other.y < self.bottom)

    def inset(self, amount: int) -> "Rect":
        return Rect(self.x + amount, self.y + amount, self.width - 2 * amount,
                    self.height - 2 * amount)

    def points(self):
        for y in range(self.y, self.bottom):
            for x in range(self.x, self.right):
                yield x, y


class Image:
    def __init__(self, width: int, height: int, rgb: bytes, path: Path | None = None):
        if len(rgb) != width * height * 3:
            raise ValueError(f"{width}x{height} image needs {width * height * 3} bytes, "
                             f"got {len(rgb)}")
        self.width = width
        self.height = height
        self.rgb = rgb
        self.path = path  # the PNG kept for people, when there is one

    @staticmethod
    def from_ppm(data: bytes) -> "Image":
        """Parses binary PPM (P6) with maxval 255."""
        fields: list[bytes] = []
        pos = 0
        while len(fields) < 4:
            while data[pos:pos + 1].isspace():
                pos += 1
            if data[pos:pos + 1] == b"#":
                pos = data.index(b"\n", pos) + 1
                continue
            end = pos
            while not data[end:end + 1].isspace():
                end += 1
            fields.append(data[pos:end])
            pos = end
        pos += 1  # exactly one whitespace byte before the raster
        magic, width, height, maxval = fields[0], int(fields[1]), int(fields[2]), int(fields[3])
        if magic != b"P6" or maxval != 255:
            raise ValueError(f"not an 8-bit binary PPM: {magic!r} maxval {maxval}")
        return Image(width, height, bytes(data[pos:pos + width * height * 3]))

    def to_png(self) -> bytes:
        def chunk(kind: bytes, body: bytes) -> bytes:
            crc = zlib.crc32(kind + body) & 0xFFFFFFFF
            return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

        stride = self.width * 3
        raw = b"".join(b"\0" + self.rgb[y * stride:(y + 1) * stride]
                       for y in range(self.height))
        header = struct.pack(">IIBBBBB", self.width, self.height, 8, 2, 0, 0, 0)
        return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
                + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))

    def save_png(self, path: Path) -> Path:
        path.write_bytes(self.to_png())
        self.path = path
        return path

    def pixel(self, x: int, y: int) -> RGB:
        if not (0 <= x < self.width and 0 <= y < self.height):
            raise IndexError(f"pixel ({x}, {y}) outside {self.width}x{self.height}")
        i = (y * self.width + x) * 3
        return (self.rgb[i], self.rgb[i + 1], self.rgb[i + 2])

    def crop(self, rect: Rect) -> bytes:
        """The raw RGB rows of `rect` (which must lie on screen), for exact comparisons."""
        if self.clip(rect) != rect:
            raise IndexError(f"{rect} is not inside {self.width}x{self.height}")
        stride = self.width * 3
        return b"".join(self.rgb[y * stride + rect.x * 3:y * stride + rect.right * 3]
                        for y in range(rect.y, rect.bottom))

    def clip(self, rect: Rect) -> Rect:
        x0, y0 = max(rect.x, 0), max(rect.y, 0)
        x1, y1 = min(rect.right, self.width), min(rect.bottom, self.height)
        return Rect(x0, y0, max(x1 - x0, 0), max(y1 - y0, 0))

    def histogram(self, rect: Rect, exclude: list[Rect] = ()) -> Counter:
        """Colour counts over the on-screen part of `rect`, minus the `exclude` rects."""
        counts: Counter = Counter()
        rect = self.clip(rect)
        for x, y in rect.points():
            if any(other.contains(x, y) for other in exclude):
                continue
            counts[self.pixel(x, y)] += 1
        return counts

    def count(self, rect: Rect, predicate, exclude: list[Rect] = ()) -> int:
        return sum(n for colour, n in self.histogram(rect, exclude).items() if predicate(colour))

    def columns_where(self, rect: Rect, predicate) -> list[int]:
        """The x coordinates in `rect` that have at least one pixel matching `predicate`."""
        rect = self.clip(rect)
        return [x for x in range(rect.x, rect.right)
                if any(predicate(self.pixel(x, y)) for y in range(rect.y, rect.bottom))]

    def describe(self, rect: Rect, top: int = 5) -> str:
        """The most common colours of a region, for assertion messages."""
        counts = self.histogram(rect)
        total = sum(counts.values()) or 1
        return ", ".join(f"#{c[0]:02x}{c[1]:02x}{c[2]:02x} {100 * n / total:.1f}%"
                         for c, n in counts.most_common(top))
