#!/usr/bin/env python3
"""Rebuild static/img/favicon.ico from static/img/favicon.svg after changing the icon.

    .venv/bin/python scripts/favicon.py

Browsers that ignore <link rel="icon"> (and feed readers, bookmark managers) ask for /favicon.ico,
and some of them cannot read SVG, so the .ico holds the same picture as PNGs at 16, 32 and 48 px.
Chromium draws them (the system one, as the e2e journeys use): no image library to install.
"""

import shutil
import struct
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
SVG = ROOT / "static" / "img" / "favicon.svg"
ICO = ROOT / "static" / "img" / "favicon.ico"
SIZES = (16, 32, 48)


def render(sizes=SIZES) -> list[tuple[int, bytes]]:
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    source = SVG.read_text()
    pngs = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_page()
        for size in sizes:
            page.set_viewport_size({"width": size, "height": size})
            page.set_content(
                '<body style="margin:0">'
                + source.replace("<svg ", f'<svg width="{size}" height="{size}" ', 1)
                + "</body>"
            )
            pngs.append((size, page.screenshot(omit_background=True, type="png")))
        browser.close()
    return pngs


def ico(pngs: list[tuple[int, bytes]]) -> bytes:
    """The ICO container with PNG entries (read by every browser since IE 11)."""
    header = struct.pack("<HHH", 0, 1, len(pngs))
    offset = len(header) + 16 * len(pngs)
    entries, images = b"", b""
    for size, png in pngs:
        # Width and height 0 mean 256; colour count 0, one plane, 32 bits per pixel.
        entries += struct.pack("<BBBBHHII", size % 256, size % 256, 0, 0, 1, 32, len(png), offset)
        images += png
        offset += len(png)
    return header + entries + images


def main() -> int:
    ICO.write_bytes(ico(render()))
    print(f"{ICO.relative_to(ROOT)}: {ICO.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
