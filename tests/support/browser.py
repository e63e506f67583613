"""Headless Chromium for the browser tests: Debian's chromium driven by the PyPI playwright package.

Playwright's own browser download cannot work on these machines (no internet), so the session
launches /usr/bin/chromium. Without it the browser tests skip and say what to install; under CI
(the CI environment variable set) they fail instead, because CI must run them.

Fixtures: `browser` (one per session), `page` (a fresh context and page per test, recording
dialogs), `dialogs` (what `alert()`/`confirm()`/`prompt()` the page tried to show).
`png(width, height)` makes a real PNG image for tests to serve; `line_drawing`, one of lines on
transparency.
"""

from __future__ import annotations

import os
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Dialog, Page, expect, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Without these Chromium keeps trying to reach the internet
    # (docs/architecture.md, "Library pitfalls").
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
INSTALL_HINT = (
    f"the browser tests need Debian's Chromium at {CHROMIUM}: run `make browser` "
    "(as root it runs `apt-get install chromium fonts-noto-cjk`), or `apt-get install chromium`"
)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the whole session."""
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the browser tests, but {INSTALL_HINT}")
        pytest.skip(INSTALL_HINT)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def dialogs() -> list[str]:
    """Messages of the dialogs that the test's page tried to open (each is dismissed)."""
    return []


@pytest.fixture
def page(browser: Browser, dialogs: list[str]) -> Iterator[Page]:
    """A page in a fresh browser context (no shared cookies or cache between tests)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    new_page = context.new_page()
    new_page.set_default_timeout(15_000)
    expect.set_options(timeout=15_000)  # expect() has its own, 5 s: too short on a busy runner

    def on_dialog(dialog: Dialog) -> None:
        dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    new_page.on("dialog", on_dialog)
    yield new_page
    context.close()


def png(width: int, height: int, rgb: tuple[int, int, int] = (40, 110, 190)) -> bytes:
    """A real PNG image: a horizontal gradient from `rgb` to white, `width` x `height` pixels."""
    row = bytearray()
    for x in range(width):
        fade = x / max(width - 1, 1)
        row += bytes(round(c + (255 - c) * fade * 0.7) for c in rgb)
    return png_of(width, height, [bytes(row)] * height, alpha=False)


def line_drawing(width: int = 200, height: int = 100) -> bytes:
    """A PNG of black lines on a transparent background, as blogs' diagrams are drawn."""
    ink, clear = bytes((0, 0, 0, 255)), bytes((0, 0, 0, 0))
    rows = [
        b"".join(ink if y % 20 < 3 or x % 40 < 3 else clear for x in range(width))
        for y in range(height)
    ]
    return png_of(width, height, rows, alpha=True)


def png_of(width: int, height: int, rows: list[bytes], alpha: bool) -> bytes:
    """A PNG of `rows` of 8-bit pixels, RGB or RGBA (`alpha`)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + row for row in rows)  # filter type 0 per scanline
    header = struct.pack(">IIBBBBB", width, height, 8, 6 if alpha else 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )
