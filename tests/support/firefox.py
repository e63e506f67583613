"""Headless Firefox for what only Firefox draws: Debian's firefox-esr over Marionette.

Playwright drives only its own build of Firefox, which cannot be downloaded here, so this speaks
Marionette, the protocol built into every Firefox (`--marionette`): length-prefixed JSON over
TCP. Only what the tests need: open a page, run a script, screenshot an element. Without
firefox-esr the tests that use it skip and say what to install; under CI (the CI environment
variable set) they fail instead, because CI must run them.

Fixture: `firefox`, a function that starts one (`firefox(javascript=False)`); each one started
is quit when the test ends.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

FIREFOX = Path("/usr/bin/firefox-esr")
START_SECONDS = 60  # for Marionette to take a connection
INSTALL_HINT = f"this test needs Debian's Firefox at {FIREFOX}: `apt-get install firefox-esr`"


class Firefox:
    """One headless Firefox with a fresh profile, driven over Marionette."""

    def __init__(self, javascript: bool = True, width: int = 1280, height: int = 900) -> None:
        self.profile = Path(tempfile.mkdtemp(prefix="marionette-"))
        prefs = {
            "marionette.port": 0,  # a free port, written to MarionetteActivePort
            "javascript.enabled": javascript,
            "browser.shell.checkDefaultBrowser": False,
            "datareporting.policy.dataSubmissionEnabled": False,
            "toolkit.telemetry.reportingpolicy.firstRun": False,
            "app.update.disabledForTesting": True,
            "network.proxy.type": 0,
            "browser.startup.homepage_override.mstone": "ignore",
        }
        (self.profile / "user.js").write_text(
            "".join(f"user_pref({json.dumps(k)}, {json.dumps(v)});\n" for k, v in prefs.items())
        )
        self.process = subprocess.Popen(
            [
                str(FIREFOX),
                "--marionette",
                "--headless",
                "--no-remote",
                "--profile",
                str(self.profile),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            self.socket = self._connect()
            self._buffer = b""
            self._read()  # the server's greeting
            self._id = 0
            self.command("WebDriver:NewSession", {"capabilities": {}})
            self.command("WebDriver:SetWindowRect", {"width": width, "height": height})
        except BaseException:
            # (Not started: the fixture never holds it, so it would be left running, and its
            # profile in the temporary folder.)
            self._stop(wait=0)
            raise

    def _connect(self) -> socket.socket:
        port_file = self.profile / "MarionetteActivePort"
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"firefox-esr exited with {self.process.returncode}")
            try:
                port = int(port_file.read_text())
                return socket.create_connection(("127.0.0.1", port), timeout=60)
            except (OSError, ValueError):
                time.sleep(0.1)
        raise RuntimeError(f"Firefox's Marionette did not start within {START_SECONDS} s")

    def _read(self) -> Any:
        while b":" not in self._buffer:
            self._buffer += self._receive()
        size, _, rest = self._buffer.partition(b":")
        while len(rest) < int(size):
            rest += self._receive()
        self._buffer = rest[int(size) :]
        return json.loads(rest[: int(size)])

    def _receive(self) -> bytes:
        data = self.socket.recv(1 << 20)
        if not data:
            raise RuntimeError("Firefox closed the Marionette connection")
        return data

    def command(self, name: str, parameters: dict[str, Any] | None = None) -> Any:
        """Send one Marionette command and return its result (its error raised)."""
        self._id += 1
        message = json.dumps([0, self._id, name, parameters or {}]).encode()
        self.socket.sendall(str(len(message)).encode() + b":" + message)
        while True:
            reply = self._read()
            if isinstance(reply, list) and reply[1] == self._id:
                if reply[2]:
                    raise RuntimeError(f"{name}: {reply[2]}")
                return reply[3]

    def goto(self, url: str) -> None:
        """Open `url` and wait for it to load."""
        self.command("WebDriver:Navigate", {"url": url})

    def evaluate(self, script: str, *args: Any) -> Any:
        """Run a function body (`return ...`) in the page; it runs with JavaScript off too."""
        return self.command("WebDriver:ExecuteScript", {"script": script, "args": list(args)})[
            "value"
        ]

    def screenshot(self, selector: str) -> bytes:
        """A PNG of the first element matching `selector`, as drawn in the page."""
        found = self.command("WebDriver:FindElement", {"using": "css selector", "value": selector})[
            "value"
        ]
        shot = self.command("WebDriver:TakeScreenshot", {"id": found[next(iter(found))]})
        return base64.b64decode(shot["value"])

    def quit(self) -> None:
        with contextlib.suppress(OSError, RuntimeError):  # (already gone)
            self.command("Marionette:Quit", {"flags": ["eForceQuit"]})
        self._stop(wait=15)

    def _stop(self, wait: float) -> None:
        """Wait `wait` seconds for the process to end, then kill it; close the connection, if
        one was made, and remove the profile."""
        try:
            self.process.wait(wait)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if hasattr(self, "socket"):
            self.socket.close()
        shutil.rmtree(self.profile, ignore_errors=True)


@pytest.fixture
def firefox() -> Iterator[Callable[..., Firefox]]:
    """A function that starts a headless Firefox (Firefox's arguments); all quit at the end."""
    if not FIREFOX.exists():
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the Firefox tests, but {INSTALL_HINT}")
        pytest.skip(INSTALL_HINT)
    started: list[Firefox] = []

    def start(**options: Any) -> Firefox:
        started.append(Firefox(**options))
        return started[-1]

    yield start
    for each in started:
        each.quit()
