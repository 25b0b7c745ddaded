"""Draw the citizen app's PNG icons (web/app/icons/icon-*.png) from the same shapes as icon.svg.

Run once when the icon changes (`python3 web/tools/make_icons.py`); the PNGs are committed, since
installable web apps need raster icons and the build machine has no image library to spare.
Pure standard library: a red rounded square with the yellow star, 4x supersampled.
"""

from __future__ import annotations

import math
import struct
import zlib
from pathlib import Path

RED, YELLOW = (0xB3, 0x26, 0x1E), (0xFF, 0xCD, 0x00)
STAR = [
    (256, 92),
    (294, 210),
    (418, 210),
    (318, 284),
    (356, 402),
    (256, 328),
    (156, 402),
    (194, 284),
    (94, 210),
    (218, 210),
]


def inside(x: float, y: float, polygon) -> bool:
    result = False
    for (x1, y1), (x2, y2) in zip(polygon, polygon[1:] + polygon[:1], strict=True):
        if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
            result = not result
    return result


def in_rounded_square(x: float, y: float, radius: float) -> bool:
    cx, cy = min(max(x, radius), 512 - radius), min(max(y, radius), 512 - radius)
    return math.hypot(x - cx, y - cy) <= radius


def pixel(x: float, y: float, maskable: bool):
    """RGBA of one point in the 512 design space; a maskable icon is full-bleed, star shrunk."""
    if maskable:
        sx, sy = 256 + (x - 256) / 0.75, 256 + (y - 256) / 0.75  # keep the star in the safe zone
        return (*YELLOW, 255) if inside(sx, sy, STAR) else (*RED, 255)
    if not in_rounded_square(x, y, 96):
        return (0, 0, 0, 0)
    return (*YELLOW, 255) if inside(x, y, STAR) else (*RED, 255)


def render(size: int, maskable: bool) -> bytes:
    samples, scale = 4, 512 / size
    rows = []
    for j in range(size):
        row = bytearray([0])
        for i in range(size):
            total = [0, 0, 0, 0]
            for sj in range(samples):
                for si in range(samples):
                    px = pixel(
                        (i + (si + 0.5) / samples) * scale, (j + (sj + 0.5) / samples) * scale, maskable
                    )
                    for k in range(4):
                        total[k] += px[k]
            row.extend(round(value / samples**2) for value in total)
        rows.append(bytes(row))
    raw = zlib.compress(b"".join(rows), 9)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


if __name__ == "__main__":
    icons = Path(__file__).resolve().parent.parent / "app" / "icons"
    for name, size, maskable in (
        ("icon-192", 192, False),
        ("icon-512", 512, False),
        ("icon-maskable-512", 512, True),
    ):
        (icons / f"{name}.png").write_bytes(render(size, maskable))
        print(f"{name}.png")
