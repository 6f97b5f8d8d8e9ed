#!/usr/bin/python3
"""Draws the Quantiscope icon (a lens over 2-bit quantization levels) as SVG and as a 256 px
PNG, from the same shapes. Run once; the outputs are committed under resources/icons/."""
import math
import struct
import sys
import zlib

import numpy as np

SIZE = 256
BG = (24, 52, 96)
RING = (240, 244, 250)
BARS = [(0.30, (80, 200, 140)), (0.52, (80, 200, 140)), (0.74, (250, 190, 70)), (0.96, (235, 90, 70))]


def shapes():
    # (x, y, w, h) of the four level bars inside the lens, heights 1..4 of 4 levels.
    out = []
    for i, (h, colour) in enumerate(BARS):
        x = 78 + i * 26
        top = 170 - h * 80
        out.append((x, top, 20, 170 - top, colour))
    return out


def svg():
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{SIZE}" height="{SIZE}" viewBox="0 0 {SIZE} {SIZE}">',
             f'<rect x="8" y="8" width="240" height="240" rx="48" fill="rgb{BG}"/>']
    for x, y, w, h, c in shapes():
        parts.append(f'<rect x="{x}" y="{y:.1f}" width="{w}" height="{h:.1f}" fill="rgb{c}"/>')
    parts.append(f'<circle cx="120" cy="120" r="78" fill="none" stroke="rgb{RING}" stroke-width="16"/>')
    parts.append(f'<line x1="176" y1="176" x2="222" y2="222" stroke="rgb{RING}" stroke-width="24" stroke-linecap="round"/>')
    parts.append('</svg>')
    return "\n".join(parts) + "\n"


def png():
    yy, xx = np.mgrid[0:SIZE, 0:SIZE].astype(float) + 0.5
    img = np.zeros((SIZE, SIZE, 4), np.uint8)
    # rounded square
    r = 48
    cx = np.clip(xx, 8 + r, 248 - r)
    cy = np.clip(yy, 8 + r, 248 - r)
    inside = ((xx - cx) ** 2 + (yy - cy) ** 2 <= r * r) & (xx >= 8) & (xx <= 248) & (yy >= 8) & (yy <= 248)
    img[inside] = (*BG, 255)
    for x, y, w, h, c in shapes():
        m = (xx >= x) & (xx < x + w) & (yy >= y) & (yy < y + h)
        img[m] = (*c, 255)
    d = np.sqrt((xx - 120) ** 2 + (yy - 120) ** 2)
    img[np.abs(d - 78) <= 8] = (*RING, 255)
    # handle: distance to the segment (176,176)-(222,222)
    t = np.clip(((xx - 176) + (yy - 176)) / (2 * 46 * 46) * 46, 0, 1)
    px, py = 176 + t * 46, 176 + t * 46
    img[np.sqrt((xx - px) ** 2 + (yy - py) ** 2) <= 12] = (*RING, 255)
    raw = b"".join(b"\x00" + img[row].tobytes() for row in range(SIZE))
    chunk = lambda tag, data: struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", SIZE, SIZE, 8, 6, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


if __name__ == "__main__":
    out = sys.argv[1] if len(sys.argv) > 1 else "resources/icons"
    with open(f"{out}/quantiscope.svg", "w") as f:
        f.write(svg())
    with open(f"{out}/quantiscope.png", "wb") as f:
        f.write(png())
