"""Hostile clients against the real web server, started as `aggregator web` starts it (issue 11).

Every test runs `python -m aggregator.cli web` (gunicorn, 2 workers, the worker class of
aggregator/http_server.py) on 127.0.0.1 against the session's Valkey, and talks to it over real
sockets: slow headers and bodies, oversized bodies, wrong tokens, HEAD requests, forged Host
headers. docs/reliability.md's "hostile clients" table reports the bounds these tests hold.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import logging
import math
import os
import re
import selectors
import signal
import socket
import ssl
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from html import escape
from pathlib import Path
from typing import Any, cast

import httpx
import pytest
from rq import Queue, SimpleWorker
from rq.registry import FailedJobRegistry

from aggregator import http_server
from aggregator import web as web_module
from aggregator.config import Category, Config, FetchConfig, SourceConfig, load_config, parse_config
from aggregator.config_warnings import config_warnings
from aggregator.fetch import Fetcher
from aggregator.models import Article, Outcome
from aggregator.opml import render_opml
from aggregator.redis_server import EmbeddedServer, connect
from aggregator.refresh import refresh_source
from aggregator.store import Store
from aggregator.web import admin
from tests.support.feed_server import FeedServer
from tests.support.pipeline import ROOT, wait_for
from tests.support.web_server import make_article

FEED = (
    b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Members</title>'
    b"<link>https://members.example/</link>"
    b"<item><guid>one</guid><title>First</title><link>https://members.example/1</link></item>"
    b"</channel></rss>"
)

ADMIN_TOKEN = "hostile-clients-test-token-0123456789abcdef"
SECRET_SOURCE_URL = "https://reader:hunter2@feeds.example/private.xml?api_key=SEKRIT-KEY&page=2"
HEADER_TIMEOUT = 2.0  # WEB_HEADER_TIMEOUT of the server under test
BODY_TIMEOUT = 2.0  # WEB_BODY_TIMEOUT
SEND_TIMEOUT = 3.0  # WEB_SEND_TIMEOUT


def _config_text(port: int) -> str:
    return f"""
[site]
title = "Hostile Desk"
base_url = "http://127.0.0.1:{port}"

[[categories]]
slug = "world"
title = "World"

[[sources]]
id = "public"
name = "Public News"
url = "https://news.example/feed.xml"
categories = ["world"]

[[sources]]
id = "secret"
name = "Members Only"
url = "{SECRET_SOURCE_URL}"
categories = ["world"]
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Web:
    """A running `aggregator web` process."""

    url: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@contextlib.contextmanager
def running_web(
    tmp_path: Path, redis_url: str, workers: int = 2, by_flag: bool = False, **settings: str
) -> Iterator[Web]:
    """`aggregator web` on a free loopback port with the admin on; `settings`: WEB_* variables.
    `by_flag`: the config is named by `--config prod.toml`, not $AGGREGATOR_CONFIG."""
    port = free_port()
    config = tmp_path / ("prod.toml" if by_flag else "aggregator.toml")
    config.write_text(_config_text(port), encoding="utf-8")
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("WEB_", "ADMIN_")) and k != "AGGREGATOR_CONFIG"
    }
    env.update(
        PYTHONPATH=str(ROOT),
        REDIS_URL=redis_url,
        AGGREGATOR_DATA_DIR=str(tmp_path / "var"),
        ADMIN_TOKEN=ADMIN_TOKEN,
        **settings,
    )
    if not by_flag:
        env["AGGREGATOR_CONFIG"] = str(config)
    # The workers' counters summed in /metrics, as `aggregator run` has them: else a scrape
    # shows the one worker it reaches, and a count the other made was missing now and then.
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir(exist_ok=True)
    env["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
    log = tmp_path / "web.log"
    command = [sys.executable, "-m", "aggregator.cli"]
    command += ["--config", config.name] if by_flag else []
    command += ["web", "--host", "127.0.0.1"]
    command += ["--workers", str(workers)]
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [*command, "--port", f"{port}"], cwd=tmp_path, env=env, stdout=out, stderr=out
        )
    server = Web(f"http://127.0.0.1:{port}", port, process, log)
    try:
        # (At load 13-22 on 2 CPUs, importing the app alone took 20 s of wall clock for 0.6 s
        # of CPU, and 4 of ~35 starts passed the 30 s this allowed; a hung server still fails.)
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, f"aggregator web exited:\n{server.output()}"
            try:
                if httpx.get(f"{server.url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, f"no answer within 60 s:\n{server.output()}"
            time.sleep(0.1)
        yield server
    finally:
        process.send_signal(signal.SIGINT)  # quick shutdown: no graceful wait for stragglers
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


def test_the_config_named_on_the_command_line_is_the_one_the_web_serves(
    tmp_path: Path,
) -> None:
    """`aggregator --config prod.toml web` checked prod.toml, then its workers read
    ./aggregator.toml until a scheduler published a config: another site's title and self
    links, or, with no such file, workers that failed to boot."""
    valkey = EmbeddedServer(tmp_path / "valkey")  # (empty: nothing published)
    url = valkey.start()
    try:
        with running_web(tmp_path, url, workers=1, by_flag=True) as web:
            assert not (tmp_path / "aggregator.toml").exists()
            page = httpx.get(f"{web.url}/", timeout=10)
            assert page.status_code == 200
            assert "<title>Hostile Desk</title>" in page.text
    finally:
        valkey.stop()


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory, redis_url: str) -> Iterator[Web]:
    """The web server of this module's tests, with short header and body timeouts.

    One server for the module (starting one takes seconds on a busy machine); the session's
    Valkey is flushed first, and tests that need data of their own write it through `store`.
    """
    connect(redis_url).flushall()
    timeouts = {
        "WEB_HEADER_TIMEOUT": f"{HEADER_TIMEOUT:g}",
        "WEB_BODY_TIMEOUT": f"{BODY_TIMEOUT:g}",
        "WEB_SEND_TIMEOUT": f"{SEND_TIMEOUT:g}",
        # The sieges below come from one address, as no real attack need: their own limit.
        "WEB_MAX_CONNECTIONS_PER_ADDRESS": "1000",
    }
    with running_web(tmp_path_factory.mktemp("hostile-clients"), redis_url, **timeouts) as server:
        yield server


def _connect(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def _closed_by_server(sock: socket.socket) -> bool:
    """Whether the server has closed this connection (EOF, a reset, or an error status sent)."""
    sock.settimeout(0.5)
    try:
        data = sock.recv(4096)
    except TimeoutError:
        return False
    except OSError:  # reset: the server closed with our unread bytes in its buffer
        return True
    return data == b"" or data.startswith((b"HTTP/1.1 408", b"HTTP/1.0 408"))


def _closed_already(sock: socket.socket) -> bool:
    """Whether the server has closed this connection by now, without waiting."""
    sock.setblocking(False)
    try:
        return sock.recv(4096) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


# --- slow clients -------------------------------------------------------------------------------


SLOW_HEADER_START = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n"
SLOW_BODY_START = (
    b"POST /admin/login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 4000\r\n\r\n"
)


@dataclass
class Siege:
    """What `_siege` saw: the site's answers meanwhile, and the attackers' connections."""

    opened: float  # time.monotonic() when the first attacker connected
    answers: list[float]  # time.monotonic() of each answer the site gave meanwhile
    slowest: float
    connections: list[socket.socket]
    reopened: dict[str, int]  # "headers" | "bodies" -> connections the server closed, reopened


def _siege(web: Web, n: int, hold: float, *, reopen: bool) -> Siege:
    """Hold n slow-header and n slow-body connections for `hold` s while probing the site.

    Every 0.3 s each connection gets one more header line or body byte. With `reopen`, a
    connection the server closed is replaced at once (the attack that kept the old site down).
    Meanwhile /healthz and a cached feed are requested on fresh connections from another
    address, each allowed 30 s: how long one took is for the caller to judge (a 1 s limit
    here failed a healthy site on a loaded machine, CI with two suites at once).
    """
    feed = f"{web.url}/c/world/feed.atom"
    assert httpx.get(feed, timeout=5).status_code == 200  # rendered once: the cached feed
    attackers = [(SLOW_HEADER_START, b"X-Slow: 1\r\n")] * n + [(SLOW_BODY_START, b"t")] * n
    connections = []
    opened = time.monotonic()
    for start, _ in attackers:
        sock = _connect(web.port)
        sock.sendall(start)
        connections.append(sock)
    reopened = {"headers": 0, "bodies": 0}
    stop = threading.Event()

    def trickle() -> None:
        while not stop.wait(0.3):
            for i, (start, more) in enumerate(attackers):
                try:
                    connections[i].send(more)
                except OSError:  # closed by the server, as it should be
                    if reopen and not stop.is_set():
                        connections[i].close()
                        connections[i] = _connect(web.port)
                        connections[i].sendall(start)
                        reopened["headers" if start == SLOW_HEADER_START else "bodies"] += 1

    sender = threading.Thread(target=trickle, daemon=True)
    sender.start()
    slowest = 0.0
    answers = []
    try:
        # From another address than the attackers': 100 of theirs on one worker (the kernel's
        # pick) are 127.0.0.1's whole share, and its next connection is refused at once.
        other = httpx.HTTPTransport(local_address="127.0.0.2")
        with httpx.Client(timeout=30.0, transport=other) as client:
            while time.monotonic() - opened < hold:
                for url in (f"{web.url}/healthz", feed):
                    t0 = time.monotonic()
                    # A fresh connection each time, like a new visitor.
                    response = client.get(url, headers={"Connection": "close"})
                    answers.append(time.monotonic())
                    slowest = max(slowest, answers[-1] - t0)
                    assert response.status_code == 200, url
                time.sleep(0.2)
    finally:
        stop.set()
        sender.join(5)
    print(f"measured: {len(answers)} answers in {hold:g} s, slowest {slowest * 1000:.0f} ms")
    return Siege(opened, answers, slowest, connections, reopened)


@pytest.mark.timeout(90)
def test_slow_headers_and_bodies_neither_starve_the_site_nor_stay_open(web: Web) -> None:
    """50 connections trickling headers and 50 trickling a body, held past both timeouts.

    Not starved: the site answered while every slow connection was still held, i.e. before
    the earliest moment the server may cut one (its header and body timeouts, counted from
    the first attacker's connect; the worker has room for all of them, so none is closed for
    room). A site they starved answers no one before that moment, however fast the machine;
    a loaded machine's slow answer still counts (the 1 s bound on each answer this test had
    failed at 2.1 s with two suites running at once). Not left open: the server closed each."""
    n = 50
    siege = _siege(web, n, max(HEADER_TIMEOUT, BODY_TIMEOUT) + 1.0, reopen=False)
    held_until = siege.opened + min(HEADER_TIMEOUT, BODY_TIMEOUT)
    while_held = sum(answered < held_until for answered in siege.answers)
    print(f"measured: {while_held} answers while all {2 * n} slow connections were held")
    assert while_held >= 1, f"no answer within the {held_until - siege.opened:g} s held"
    # The server, not the client, ended every slow connection once its timeout passed.
    deadline = time.monotonic() + 30
    still_open = siege.connections
    while still_open and time.monotonic() < deadline:
        still_open = [s for s in still_open if not _closed_by_server(s)]
    for sock in siege.connections:
        sock.close()
    assert not still_open, f"{len(still_open)} of {2 * n} slow connections are still open"
    print(f"measured: all {2 * n} slow connections closed by the server")


@pytest.mark.timeout(120)
def test_the_header_deadline_counts_and_logs_the_connections_it_closes(
    tmp_path: Path, redis_url: str
) -> None:
    """The header deadline closed a connection whose client sent nothing in time without a
    word: a reader's connection closed in a flaky test left no trace, and an operator could not
    see slowloris-style clients (session 40). Each is counted in /metrics, a kept-alive
    connection's idle end apart; the log says so in one line for a flood, not one a connection."""
    with running_web(tmp_path, redis_url, workers=1, WEB_HEADER_TIMEOUT="1") as web:
        kept = _connect(web.port)
        kept.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert kept.recv(4096).startswith(b"HTTP/1.1 200")
        silent = [_connect(web.port) for _ in range(40)]
        for sock in silent[:20]:
            sock.sendall(SLOW_HEADER_START)  # half of them begin a request, half send nothing
        deadline = time.monotonic() + 60
        waiting = [*silent, kept]
        while waiting:
            assert time.monotonic() < deadline, f"{len(waiting)} still open"
            waiting = [sock for sock in waiting if not _closed_by_server(sock)]
        for sock in [*silent, kept]:
            sock.close()
        scraped = httpx.get(f"{web.url}/metrics", timeout=10).text
        output = web.output()
    closed = dict(re.findall(r'connections_closed_total\{reason="(\w+)"\} (\S+)', scraped))
    assert (closed["header_timeout"], closed["idle"]) == ("40.0", "1.0"), closed
    lines = re.findall(r".*no request line and headers within 1 s.*", output)
    assert len(lines) == 1, lines
    assert "closed 1 connection: " in lines[0]  # (the first; the rest within 10 s, no line)
    assert "the last from 127.0.0.1" in lines[0]


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_a_siege_that_reopens_slow_connections_with_the_default_timeouts(
    tmp_path: Path, redis_url: str
) -> None:
    """The issue's attack at production settings: 50 + 50 slow connections, each reopened as
    soon as the server closes it, for longer than the 30 s body timeout."""
    n = 50
    with running_web(tmp_path, redis_url) as web:
        siege = _siege(web, n, http_server.DEFAULT_BODY_TIMEOUT + 10.0, reopen=True)
    for sock in siege.connections:
        sock.close()
    # A visitor who waited for an attacker to be cut would have waited 10 s (the header timeout).
    assert siege.slowest < http_server.DEFAULT_HEADER_TIMEOUT / 2
    assert len(siege.answers) >= 40
    # Header connections are cut at 10 s, body ones at 30 s: every attacker was cut and came back.
    assert siege.reopened["headers"] >= 2 * n
    assert siege.reopened["bodies"] >= n
    print(f"measured: slow connections closed by the server and reopened: {siege.reopened}")


@pytest.mark.timeout(60)
def test_a_100_mb_post_to_the_login_is_refused_before_its_body_is_read(web: Web) -> None:
    """413, not the 408 a server reading the body first would send at its body timeout (the
    rest never comes); as long as a loaded machine needs for it (a 2 s wait failed there)."""
    sock = _connect(web.port)
    started = time.monotonic()
    sock.sendall(
        b"POST /admin/login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\n"
        b"Content-Length: 104857600\r\n\r\n" + b"token=" + b"a" * 65536
    )
    sock.settimeout(BODY_TIMEOUT + 30)
    head = sock.recv(4096)
    elapsed = time.monotonic() - started
    sock.close()
    assert head.startswith(b"HTTP/1.1 413"), head[:200]
    print(f"measured: 413 after {elapsed * 1000:.0f} ms")


@pytest.mark.timeout(60)
def test_a_chunked_body_over_the_limit_is_refused(web: Web) -> None:
    """Without a Content-Length the limit is found while reading, still before the app runs."""
    chunks = [b"token=", *[b"a" * 65536] * 20]  # 1.25 MiB, sent chunked by httpx
    response = httpx.post(
        f"{web.url}/admin/login",
        content=iter(chunks),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        timeout=10,
    )
    assert response.status_code == 413


@pytest.mark.timeout(60)
def test_a_body_on_a_get_is_refused_before_it_is_read(web: Web) -> None:
    """Only the admin's forms take a body. A megabyte sent with each GET and held for the body
    timeout kept ~1.5 MB per connection in memory: ~150 MB per address and worker. 413, not
    the 408 a server reading the body first would send at its body timeout."""
    sock = _connect(web.port)
    sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1048000\r\n\r\nab")
    sock.settimeout(BODY_TIMEOUT + 30)
    head = sock.recv(4096)
    sock.close()
    assert head.startswith(b"HTTP/1.1 413"), head[:200]
    assert b"A GET takes no body." in head
    chunked = httpx.request("GET", f"{web.url}/healthz", content=iter([b"a" * 1000]), timeout=10)
    assert chunked.status_code == 413
    assert httpx.get(f"{web.url}/healthz", timeout=10).status_code == 200


def test_a_client_that_stops_reading_is_closed_after_the_send_timeout(
    web: Web, store: Store
) -> None:
    """A pipeline of large feeds never read held its connection, and the megabytes the kernel
    buffered for it, for good. The send that cannot finish ends the connection."""
    _published(web, store, 200)
    path = "/c/world/feed.atom?limit=200"
    size = len(httpx.get(f"{web.url}{path}", timeout=10).content)
    count = 150_000_000 // size + 1  # far more than loopback buffers hold (up to ~40 MB)
    sock = _connect(web.port)
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode() * count)
    time.sleep(SEND_TIMEOUT + 3)  # reading nothing
    received = 0
    sock.settimeout(10)
    with contextlib.suppress(ConnectionResetError):  # closed with our requests unread: a reset
        while chunk := sock.recv(1 << 20):  # what was buffered, then the end: no hang
            received += len(chunk)
    sock.close()
    assert received < size * count / 2, "the server waited for the reader and sent it all"
    assert httpx.get(f"{web.url}/healthz", timeout=5).status_code == 200
    # Counted for the operator's dashboards: such clients showed nowhere (a review).
    scraped = httpx.get(f"{web.url}/metrics", timeout=10).text
    assert re.search(r'connections_closed_total\{reason="send_timeout"\} [1-9]', scraped)
    print(f"measured: closed after {received / 1e6:.1f} of {size * count / 1e6:.0f} MB")


def _healthz(sock: socket.socket, timeout: float = 5) -> bytes:
    sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
    sock.settimeout(timeout)
    try:
        return sock.recv(4096)
    except ConnectionResetError:
        return b""


def _timed_healthz(web: Web, timeout: float = 20) -> tuple[bytes, float]:
    """/healthz asked by another client (127.0.0.20) on a fresh connection: the answer's start
    and how long it took, connecting included."""
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", web.port), 5, ("127.0.0.20", 0)) as other:
        answer = _healthz(other, timeout)
    return answer, time.monotonic() - started


def _healthz_waits(web: Web, address: str, count: int, pause: float) -> list[float]:
    """How long each of `count` /healthz requests from `address` took, on fresh connections
    `pause` seconds apart; each must be answered 200."""
    waits = []
    for _ in range(count):
        started = time.monotonic()
        with socket.create_connection(("127.0.0.1", web.port), 5, (address, 0)) as client:
            assert _healthz(client).startswith(b"HTTP/1.1 200")
        waits.append(time.monotonic() - started)
        time.sleep(pause)
    return waits


def test_one_address_holds_only_its_share_of_a_workers_connections(
    tmp_path: Path, redis_url: str
) -> None:
    """A slowloris from one host takes its own share of the slots, not everyone's."""
    with running_web(tmp_path, redis_url, workers=1, WEB_MAX_CONNECTIONS_PER_ADDRESS="10") as web:
        held = [_connect(web.port) for _ in range(10)]
        for sock in held:
            sock.sendall(SLOW_HEADER_START)  # headers begun, never finished
        # The eleventh is closed at once, once the worker has accepted the ten (on a loaded
        # machine that took more than the 0.5 s this waited: the eleventh was served).
        deadline = time.monotonic() + 10
        while (answer := _healthz(_connect(web.port))) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert answer == b""
        other = socket.create_connection(("127.0.0.1", web.port), 5, ("127.0.0.2", 0))
        assert _healthz(other).startswith(b"HTTP/1.1 200")  # another host is served
        for sock in held:
            sock.close()
        time.sleep(0.5)
        assert _healthz(_connect(web.port)).startswith(b"HTTP/1.1 200")
        assert web.output().count("127.0.0.1 holds 10 connections") == 1
        scraped = httpx.get(f"{web.url}/metrics", timeout=10).text
        assert re.search(r'connections_closed_total\{reason="per_address"\} [1-9]', scraped)


@pytest.mark.timeout(90)
@pytest.mark.parametrize("start", [SLOW_HEADER_START, SLOW_BODY_START], ids=["headers", "bodies"])
def test_a_slowloris_from_many_addresses_cannot_keep_a_full_worker_from_new_clients(
    tmp_path: Path, redis_url: str, start: bytes
) -> None:
    """Five addresses, each within its share, hold more slow connections than the worker takes:
    before, the worker stayed full and every other client waited in the listen backlog until
    the header timeout (a security review: 12 addresses made /healthz take 1.7-7.5 s). Now each
    new connection closes the longest-waiting one of the client with the most waiting. Slow
    bodies too, of a client sending several at once: a POST's body was read as if its request
    were being answered, never closed for room (the review's 30 addresses x 100: /healthz p90
    9.3 s)."""
    settings = {
        "WEB_WORKER_CONNECTIONS": "40",
        "WEB_MAX_CONNECTIONS_PER_ADDRESS": "12",
        "WEB_HEADER_TIMEOUT": "60",  # the attackers' connections outlast the test
        "WEB_BODY_TIMEOUT": "60",
    }
    with running_web(tmp_path, redis_url, workers=1, **settings) as web:
        attackers = []
        for n in range(5):
            for _ in range(12):
                sock = socket.create_connection(("127.0.0.1", web.port), 5, (f"127.0.0.{n + 2}", 0))
                sock.sendall(start)  # headers (or a body) begun, never finished
                attackers.append(sock)
        answers = []
        for _ in range(5):  # a reader's fresh connections from another address
            with socket.create_connection(("127.0.0.1", web.port), 5, ("127.0.0.20", 0)) as reader:
                answers.append(_healthz(reader))
        time.sleep(0.5)
        closed = sum(_closed_already(sock) for sock in attackers)
        for sock in attackers:
            sock.close()
        print(f"measured: {closed} of {len(attackers)} slow connections closed for room")
        assert all(answer.startswith(b"HTTP/1.1 200") for answer in answers), answers
        # 60 slow ones in a worker of 40: at least 20 made room for others, and the worker
        # never closed more than it needed: each of the 5 readers and 20 attackers took one.
        assert 20 <= closed <= 25 + 5, web.output()[-3000:]
        assert "full (40 connections): closed 1 waiting for their clients" in web.output()
        assert "Traceback" not in web.output(), [
            line[-400:] for line in web.output().splitlines() if "Traceback" in line
        ]
        # Counted for the operator's dashboards.
        scraped = httpx.get(f"{web.url}/metrics", timeout=10).text
        counted = re.search(
            r'aggregator_web_connections_closed_total\{reason="room"\} (\S+)', scraped
        )
        assert counted is not None, scraped
        assert 20 <= float(counted[1]) <= 30


# One worker of ten connections, none of which ends by a deadline during a test.
WORKER_OF_TEN = {
    "WEB_WORKER_CONNECTIONS": "10",
    "WEB_HEADER_TIMEOUT": "60",
    "WEB_SEND_TIMEOUT": "60",
}


def _readers_of_nothing(
    web: Web, redis_url: str, count: int
) -> tuple[list[socket.socket], int, float]:
    """`count` clients, each from an address of its own, that pipeline requests for 12 MB of a
    200-item feed and read none of it yet (a 4 KB receive buffer), the bytes each asked for, and
    when the first began to ask (time.monotonic): each connection is an answer waiting on its
    client."""
    _published(web, Store(connect(redis_url)), 200)
    path = "/c/world/feed.atom?limit=200"
    size = len(httpx.get(f"{web.url}{path}", timeout=10).content)
    repeat = 12_000_000 // size + 1  # far more than the kernel's buffers take
    readers = []
    began = time.monotonic()
    for n in range(count):
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.bind((f"127.0.0.{n + 2}", 0))
        sock.connect(("127.0.0.1", web.port))
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode() * repeat)
        readers.append(sock)
    return readers, size * repeat, began


@pytest.mark.timeout(120)
def test_a_worker_filled_while_answering_makes_room_once_its_connections_wait_again(
    tmp_path: Path, redis_url: str
) -> None:
    """A worker that found every connection being answered when it filled made no room, and
    accepted nothing more, even once they all sat idle (a security review: 3,000 kept-alive
    clients asking every 8 s left /healthz unanswered for 38 s). Here nine clients pipeline
    feeds they do not read yet, so their connections are being answered when a tenth fills
    the worker; then they read it all and wait, kept alive. Another client must get in."""
    with running_web(tmp_path, redis_url, workers=1, **WORKER_OF_TEN) as web:
        readers, asked, _ = _readers_of_nothing(web, redis_url, 9)
        time.sleep(1.0)  # each is sending its feeds, blocked on its client
        tenth = socket.create_connection(("127.0.0.1", web.port), 5, ("127.0.0.15", 0))
        tenth.sendall(SLOW_HEADER_START)  # fills the worker: nothing was waiting to close
        time.sleep(0.5)

        def read_all(sock: socket.socket) -> int:
            received = 0
            sock.settimeout(3)
            with contextlib.suppress(TimeoutError):  # all read: the connection waits, idle
                while chunk := sock.recv(1 << 20):
                    received += len(chunk)
            return received

        with ThreadPoolExecutor(9) as pool:
            received = list(pool.map(read_all, readers))
        assert min(received) > asked  # every feed answered, then kept alive
        answer, waited = _timed_healthz(web, timeout=5)
        closed = [sock for sock in [*readers, tenth] if _closed_already(sock)]
        for sock in [*readers, tenth]:
            sock.close()
        print(f"measured: /healthz in {waited * 1000:.0f} ms; {len(closed)} closed for room")
        assert answer.startswith(b"HTTP/1.1 200"), web.output()[-3000:]
        # The tenth made room once the nine waited; the other client's connection filled the
        # worker again, and closed one of the nine, idle by then. None was closed mid-answer.
        assert tenth in closed
        assert len(closed) == 2
        assert "Traceback" not in web.output()


@pytest.mark.timeout(120)
def test_a_full_worker_does_not_close_a_readers_slow_body_to_make_room(
    tmp_path: Path, redis_url: str
) -> None:
    """An admin's login whose body takes 1.5 s to arrive, while the worker it fills is busy
    answering: closed for room, it was the one waiting connection, and the admin got an error
    page (a review: 10 of 14 logins failed under a keep-alive flood). A body is closed only
    once it has stalled; room comes from the answers that stall on their clients."""
    with running_web(tmp_path, redis_url, workers=1, **WORKER_OF_TEN) as web:
        readers, _, _ = _readers_of_nothing(web, redis_url, 9)
        form = f"token={'x' * 40}".encode()
        admin = socket.create_connection(("127.0.0.1", web.port), 5, ("127.0.0.30", 0))
        admin.sendall(
            b"POST /admin/login HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\n"
            + f"Content-Length: {len(form)}\r\n\r\n".encode()
        )
        for byte in range(len(form)):  # 1.5 s in all, while the worker owes room
            admin.send(form[byte : byte + 1])
            time.sleep(1.5 / len(form))
        admin.settimeout(10)
        answer = admin.recv(4096)
        admin.close()
        healthz, waited = _timed_healthz(web)
        for sock in readers:
            sock.close()
        print(f"measured: the login answered {answer[:12]!r}; /healthz after {waited:.1f} s")
        assert answer.startswith((b"HTTP/1.1 401", b"HTTP/1.1 403")), answer[:200]
        assert healthz.startswith(b"HTTP/1.1 200")


@pytest.mark.timeout(60)
def test_a_readers_fresh_connection_is_not_closed_for_an_attackers_room(
    tmp_path: Path, redis_url: str
) -> None:
    """A full worker of slow bodies from one address; a reader connects and takes a moment to
    send its request; another slow body arrives meanwhile. The reader's was the one connection
    waiting for headers, and was closed for room though the attacker held nine bodies (a
    review: one of the probe's requests failed so)."""
    settings = {**WORKER_OF_TEN, "WEB_BODY_TIMEOUT": "60", "WEB_MAX_CONNECTIONS_PER_ADDRESS": "20"}
    with running_web(tmp_path, redis_url, workers=1, **settings) as web:
        attackers = []
        for _ in range(9):
            sock = socket.create_connection(("127.0.0.1", web.port), 5, ("127.0.0.3", 0))
            sock.sendall(SLOW_BODY_START)
            attackers.append(sock)
        time.sleep(http_server.STALLED_SECONDS + 0.5)  # bodies to close, whatever the rule
        reader = socket.create_connection(("127.0.0.1", web.port), 5, ("127.0.0.20", 0))
        time.sleep(0.1)  # let in, its request not sent yet
        late = socket.create_connection(("127.0.0.1", web.port), 5, ("127.0.0.3", 0))
        late.sendall(SLOW_BODY_START)
        time.sleep(0.1)
        answer = _healthz(reader)
        for sock in [*attackers, late, reader]:
            sock.close()
        assert answer.startswith(b"HTTP/1.1 200"), answer


def _reset_or_ended(sock: socket.socket) -> bool:
    """Whether the server closed this connection, reading what it sent until then."""
    sock.settimeout(0.5)
    try:
        while sock.recv(1 << 20):
            pass
    except TimeoutError:
        return False  # still open, nothing more sent
    except OSError:
        return True  # reset
    return True


def _server_send_queues(port: int) -> list[int]:
    """Bytes the kernel holds unsent or unacknowledged on each established connection the
    server on `port` has (/proc/net/tcp's tx_queue)."""
    queues = []
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, state, queue = fields[1], fields[3], fields[4]
        if state == "01" and int(local.rsplit(":", 1)[1], 16) == port:
            queues.append(int(queue.split(":")[0], 16))
    return queues


@pytest.mark.timeout(120)
def test_clients_that_read_nothing_park_little_in_the_kernel_and_make_room(
    tmp_path: Path, redis_url: str
) -> None:
    """Ten clients pipeline 12 MB of feeds each and read nothing, filling a worker of ten with
    answers, not waits. Before, the kernel took about 4 MB of each (a review: 2,500 such
    clients of a 1 MB feed took 2.16 GB of the host's TCP memory), and the full worker had
    nothing to close: another client waited until the send timeout. Now the kernel holds a
    fixed buffer of each, and a stalled answer is closed for room."""
    with running_web(tmp_path, redis_url, workers=1, **WORKER_OF_TEN) as web:
        readers, _, began = _readers_of_nothing(web, redis_url, 10)
        time.sleep(1.5)  # each answer has filled what the kernel takes of it
        parked = _server_send_queues(web.port)
        asked = time.monotonic()
        answer, waited = _timed_healthz(web)
        stalled = asked + waited - began  # (no answer stalled before its request was sent)
        closed = sum(_reset_or_ended(sock) for sock in readers)
        for sock in readers:
            sock.close()
        print(
            f"measured: the kernel held at most {max(parked) / 1024:.0f} KiB of an answer"
            f" ({len(parked)} connections); /healthz in {waited:.1f} s, {stalled:.1f} s after the"
            f" first reader asked; {closed} closed for room"
        )
        assert answer.startswith(b"HTTP/1.1 200"), web.output()[-3000:]
        assert max(parked) <= 2 * http_server.SEND_BUFFER_BYTES + 65536
        # Once an answer has stalled that long, not before (the worker would first close a
        # connection waiting for its client). Counted from the first reader's request, not from
        # the 1.5 s this process meant to sleep: on a loaded machine it may ask later.
        assert stalled >= http_server.STALLED_SECONDS - 1
        assert waited <= http_server.STALLED_SECONDS + 3
        assert 1 <= closed <= 2  # and the other client's connection filled it again
        assert "Traceback" not in web.output()


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_the_reviews_many_address_slowloris_at_production_settings(
    tmp_path: Path, redis_url: str
) -> None:
    """The security review's attack: 12 addresses x 200 slow-header connections against 2
    workers of 1,000, each connection reopened as soon as the server closes it, for 20 s (before:
    /healthz from elsewhere took 1.7-7.5 s). A reader's /healthz must answer within 1 s."""
    addresses = [f"127.0.1.{n}" for n in range(1, 13)]
    with running_web(tmp_path, redis_url) as web:
        stop = threading.Event()
        cut = [0]

        def attacker(address: str) -> None:
            held: list[socket.socket] = []
            while not stop.is_set():
                for sock in list(held):  # replace the ones the server closed
                    if _closed_already(sock):
                        held.remove(sock)
                        sock.close()
                        cut[0] += 1
                while len(held) < 200 and not stop.is_set():
                    try:
                        sock = socket.create_connection(("127.0.0.1", web.port), 5, (address, 0))
                        sock.sendall(SLOW_HEADER_START)
                    except OSError:
                        break  # refused: over the address's share
                    held.append(sock)
                stop.wait(0.5)
            for sock in held:
                sock.close()

        threads = [threading.Thread(target=attacker, args=(a,), daemon=True) for a in addresses]
        for thread in threads:
            thread.start()
        try:
            time.sleep(3.0)  # the siege under way
            waits = _healthz_waits(web, "127.0.0.20", 20, pause=0.8)
        finally:
            stop.set()
            for thread in threads:
                thread.join(10)
        waits.sort()
        print(
            f"measured: /healthz p50 {waits[len(waits) // 2] * 1000:.0f} ms, slowest"
            f" {waits[-1] * 1000:.0f} ms; {cut[0]} slow connections closed and reopened"
        )
        assert waits[-1] < 1.0
        assert cut[0] > 0  # (the siege filled the workers)


@pytest.mark.timeout(60)
def test_kept_alive_connections_asking_back_to_back_leave_room_for_other_clients(
    web: Web,
) -> None:
    """40 kept-alive connections from one address, each with its next /healthz requests sent
    before their answers are in: a greenlet whose client had always written the next request
    when it read never blocked, so the worker never went back to its loop to accept, and every
    other client, /healthz too, waited in the listen backlog as long as the flood went on (6 s
    of 8; a review). Now each waits its turn behind new connections."""
    flood_seconds = 6.0
    stop = time.monotonic() + flood_seconds
    answered = [0]
    dry = [0]  # times a connection's requests had all been answered while another client asked
    asking = threading.Event()
    request = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    ahead = 200  # requests each connection keeps sent before their answers (~50 KB of them)

    def flood() -> None:
        # Its next requests sent before the worker reads them (pipelined), not each as the
        # last answer came in: then the worker's greenlet found no request waiting whenever
        # this process was slow to run the thread, and yielded; on a loaded host, the server
        # without the fix passed (3 of 3 at load 9-14; pipelined, it fails 5 of 5 at 13-22).
        with _connect(web.port) as sock:
            sent = read = 0
            unread = b""
            while time.monotonic() < stop:
                if sent - read < ahead // 2:
                    sock.sendall(request * (ahead - (sent - read)))
                    sent = read + ahead
                sock.settimeout(10)
                chunk = sock.recv(65536)
                sock.setblocking(False)  # (then every answer already come)
                with contextlib.suppress(BlockingIOError):
                    while more := sock.recv(65536):
                        chunk += more
                if not chunk:
                    return
                unread += chunk
                done = unread.count(b"}\n")
                read += done
                answered[0] += done
                if done:
                    unread = unread[unread.rindex(b"}\n") + 2 :]
                if read == sent and asking.is_set():
                    dry[0] += 1  # (the worker may have left it for its loop: no test of the fix)

    floods = [threading.Thread(target=flood, daemon=True) for _ in range(40)]
    for thread in floods:
        thread.start()
    time.sleep(1.0)  # the flood under way
    asking.set()
    waits = _healthz_waits(web, "127.0.0.2", 5, pause=0.2)
    asking.clear()
    for thread in floods:
        thread.join(flood_seconds + 5)
    print(f"measured: {answered[0]} flood answers, dry {dry[0]} times; another's waits {waits}")
    # The flood did flood: no connection's requests ran out while the other client asked, so
    # each worker always had a request waiting (counted, not by how many were answered: one by
    # one, 9,000-10,000 idle fell to 1,637 at load 8; pipelined, 1,161 at load 13).
    assert answered[0] > 0
    assert dry[0] == 0
    assert max(waits) < flood_seconds / 2  # served during the flood, not after it


def test_an_ipv6_client_is_counted_by_its_64_not_by_each_address_it_can_rotate_through() -> None:
    key = http_server._client_key
    assert key(("2001:db8:1:2::1", 443, 0, 0)) == key(("2001:db8:1:2:ffff::9", 80, 0, 0))
    assert key(("2001:db8:1:3::1", 443, 0, 0)) != key(("2001:db8:1:2::1", 443, 0, 0))
    assert key(("203.0.113.7", 443)) == "203.0.113.7"
    # A server listening on [::] sees IPv4 clients as ::ffff:a.b.c.d: each its own, not one /64.
    assert key(("::ffff:203.0.113.7", 443, 0, 0)) == "203.0.113.7"
    assert key(("::ffff:198.51.100.1", 443, 0, 0)) != key(("::ffff:203.0.113.7", 443, 0, 0))


# --- secrets in source URLs ----------------------------------------------------------------------


def _hammer(web: Web, path: str, stop: threading.Event, answers: list[str]) -> None:
    """Ask `path` back to back on one kept-alive connection until `stop`; each answer's status
    and, for a 503, whether it blamed Redis. With http.client, not httpx: 300 httpx clients took
    12-17 s of this process's CPU to make at load 8-12, and each request several times the CPU,
    all taken from the server under test (h4, session 41)."""
    connection = http.client.HTTPConnection("127.0.0.1", web.port, timeout=30)
    try:
        while not stop.is_set():
            try:
                connection.request("GET", path)
                answer = connection.getresponse()
                text = answer.read().decode(errors="replace")
            except (OSError, http.client.HTTPException) as e:
                answers.append(type(e).__name__)
                connection.close()  # (opened again by the next request)
                continue
            redis = answer.status == 503 and "redis" in text.lower()
            answers.append(f"{answer.status}{' redis' if redis else ''}")
    finally:
        connection.close()


# A reader asking the front page and a category 20 times, a new connection each (see the
# flood's below): each answer's status.
_READER = """
import http.client, sys
for _ in range(20):
    for path in ("/", "/c/world/"):
        connection = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=30)
        connection.request("GET", path)
        print(connection.getresponse().status, flush=True)
        connection.close()
"""


# (The readers' own 100 s, the flood's last answers after it (30 s at most) and the module's
# server start when this test runs first did not fit in 120 s: it was hit once at load ~15.)
@pytest.mark.timeout(180)
def test_a_flood_of_cheap_requests_asking_redis_leaves_readers_no_503(web: Web) -> None:
    """300 clients asking /metrics, /readyz and made-up categories' feeds back to back each
    took a web process's every Redis connection; the rest failed at once ("Too many
    connections"), and readers' pages answered 503 "Redis does not answer" while Redis was
    well (a review: 12 of 24). Calls now wait their turn for a connection, and those answers
    are shared by the requests asking at once, or read once a second."""
    stop = threading.Event()
    flood: list[str] = []  # (/readyz says 503, no worker: not the point)
    paths = ["/metrics", "/readyz", *(f"/c/made-up-{n}/feed.atom" for n in range(8))]
    threads = [
        threading.Thread(target=_hammer, args=(web, paths[n % len(paths)], stop, flood))
        for n in range(300)
    ]
    for thread in threads:
        thread.start()
    try:
        time.sleep(2)  # (every connection open and asking)
        # The reader is a process of its own, as a reader is: a thread of this one could wait
        # longer than the server's 2 s for headers between connecting and sending, behind the
        # flood's 300 threads taking turns at the interpreter lock.
        readers = subprocess.run(
            [sys.executable, "-c", _READER, str(web.port)],
            capture_output=True,
            text=True,
            timeout=100,
            check=False,
        )
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    print(f"measured: {len(flood)} flood requests: {sorted(set(flood))}; readers {readers.stdout}")
    assert readers.stdout.split() == ["200"] * 40, readers.stderr[-2000:]
    assert len(flood) > 300
    # (A connection of the flood may be closed idle, its thread starved of the GIL for the
    # server's 2 s keep-alive by 300 others: the flood's own trouble, not the readers'.)
    assert "503 redis" not in flood, sorted(set(flood))
    assert "Too many connections" not in web.output()


_DEADLINES = """
import time, gevent, gevent.socket
from aggregator.http_server import HeaderDeadline

def read(server, out):
    with HeaderDeadline(server, 0.5) as deadline:
        while not b"".join(out).endswith(b"\\n"):  # (a request line, or more of it)
            out.append(server.recv(100))
    out.append((deadline.passed, deadline.moved))

def run(send, busy):
    server, client = gevent.socket.socketpair()
    out = []
    started = time.monotonic()
    reading = gevent.spawn(read, server, out)
    gevent.sleep(0.1)  # (reading, waiting for the client)
    client.sendall(send)
    time.sleep(busy)  # (a blocking sleep: the loop itself busy, as under a flood)
    reading.join()
    print(out[:-1] == ([send] if send else []), *out[-1], round(time.monotonic() - started, 2))

run(b"GET / HTTP/1.1\\r\\n", 1.0)  # in time, read late: moved, not passed
run(b"", 0.0)  # nothing sent: passed at 0.5 s, not moved
run(b"G", 0.0)  # one byte, read at once, then nothing: passed at 0.5 s, not moved
"""


def test_a_request_that_came_in_time_is_read_though_the_workers_loop_was_late() -> None:
    """The header deadline passing with the client's bytes arrived but unread (the worker's
    loop busy with a flood) moves once: a reader's fresh connection was closed unanswered under
    300 clients asking back to back (CI). Run with gevent in a process of its own."""
    done = subprocess.run(
        [sys.executable, "-c", _DEADLINES], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert done.returncode == 0, done.stderr
    lines = [line.split() for line in done.stdout.splitlines()]
    # (read, passed, moved): whether it moved is asked, not timed: "passed within 1.0 s" (0.5 s
    # not moved, 1.0 s moved) failed when the process was starved and the timer ran 0.5 s late.
    assert [line[:3] for line in lines] == [
        ["True", "False", "True"],
        ["True", "True", "False"],
        ["True", "True", "False"],
    ]
    assert [float(line[3]) >= 0.5 for line in lines[1:]] == [True, True]  # (not early)


def test_a_request_of_more_header_fields_than_a_browser_and_proxies_send_is_refused(
    web: Web,
) -> None:
    """gunicorn's 100 fields of 8 KB let one request's headers be 800 KB, parsed in time
    growing as their square (71 ms of a worker's loop); 50 are now allowed."""
    fields = {f"X-Field-{n}": "x" * 100 for n in range(45)}
    assert httpx.get(f"{web.url}/healthz", headers=fields).status_code == 200
    fields.update({f"X-More-{n}": "x" for n in range(10)})
    assert httpx.get(f"{web.url}/healthz", headers=fields).status_code == 431


def _counted(web: Web, name: str) -> float:
    """A counter's value in /metrics (0 when it was never counted)."""
    scraped = httpx.get(f"{web.url}/metrics", timeout=10).text
    found = re.search(rf"^{name} (\S+)$", scraped, re.MULTILINE)
    return float(found.group(1)) if found else 0.0


@pytest.mark.timeout(120)
def test_clients_asking_for_one_page_at_once_share_one_render_and_take_no_slot(
    tmp_path: Path, redis_url: str
) -> None:
    """240 clients asking for one article, eight at a time each, each had their own renders
    take turns in the render slots, and a reader's page waited behind one of every client's:
    3.3 s, 9 s at worst (a review). One rendering of a page is now given to everyone asking for
    the same one within the next second, who neither wait for a slot nor count among their
    client's renders (here 2 each: before, most of every client's eight got 429)."""
    clients, each = 40, 8
    with running_web(
        tmp_path, redis_url, WEB_TRUSTED_PROXIES="1", WEB_RENDERS_PER_CLIENT="2"
    ) as proxied:
        everyone = threading.Barrier(clients * each)
        # One TLS context for all (none is used: plain http): each client built its own, 76 ms
        # of this process's interpreter (certifi's bundle read) on a machine at load 6, so 320
        # of them took ~24 s, and at load 16 outlasted the barrier's 30 s; now 0.5 ms each.
        tls = ssl.create_default_context()

        def ask(n: int) -> int:
            headers = {"X-Forwarded-For": f"203.0.113.{n % clients + 1}"}
            # Each client made before the barrier (its making takes time of this process's
            # interpreter: 320 of them after it could keep a thread from sending for the
            # server's 10 s header deadline, its connection then closed).
            with httpx.Client(timeout=60, verify=tls) as http:
                everyone.wait(30)
                return http.get(f"{proxied.url}/c/world/", headers=headers).status_code

        started = time.monotonic()
        with ThreadPoolExecutor(clients * each) as pool:
            statuses = list(pool.map(ask, range(clients * each)))
        took = time.monotonic() - started
        renders = _counted(proxied, "aggregator_page_renders_total")
        shared = _counted(proxied, "aggregator_page_shared_total")
        print(f"measured: {len(statuses)} asks in {took:.1f} s, {renders:g} renders")
        assert statuses == [200] * len(statuses), {code: statuses.count(code) for code in statuses}
        # Each of the 2 workers renders the page once a second at most (it may have begun
        # before the first ask came: one more each).
        assert 1 <= renders <= 2 * (2 + took)
        assert renders + shared == len(statuses)
        # A page asked with another query is another page, rendered for itself.
        latest = httpx.get(f"{proxied.url}/c/world/?sort=latest", timeout=10)
        assert latest.status_code == 200
        assert _counted(proxied, "aggregator_page_renders_total") == renders + 1


@pytest.mark.timeout(120)
def test_requests_whose_clients_hung_up_in_the_render_line_are_not_rendered(
    tmp_path: Path, redis_url: str, store: Store
) -> None:
    """60 addresses sent eight page requests each that no cache shares (another page of the
    archive each), and hung up at once: their turns in the render line were rendered for no
    one (166-320 of 480) and counted as served. A turn whose client has hung up is now passed
    over as the slot would be handed to it, and a request read after its client hung up (the
    worker reads them as it comes to them) takes no slot at all."""
    connect(redis_url).flushall()
    with running_web(tmp_path, redis_url, workers=1) as one:
        articles = _published(one, store, 500)
        # (a cursor of each article: another page each; a made-up one is the page of the
        # article nearest it)
        cursors = iter(f"{a.published.timestamp()!r}:{a.id}" for a in articles)
        with httpx.Client(base_url=one.url, timeout=30) as reader:
            assert reader.get("/c/world/").status_code == 200
            before = _counted(one, "aggregator_page_renders_total")
            sent = []
            for address in range(60):
                for _ in range(8):
                    sock = socket.create_connection(
                        ("127.0.0.1", one.port), source_address=(f"127.0.1.{address + 1}", 0)
                    )
                    path = f"/c/world/?before={next(cursors)}"
                    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
                    sent.append(sock)
            time.sleep(0.2)
            # Those handed a slot before their client hung up were rendered for someone still
            # there: 5-51 idle, ~200 on a loaded host where sending the 480 took seconds.
            served = _counted(one, "aggregator_page_renders_total") - before - 1
            for sock in sent:
                sock.close()
            started = time.monotonic()
            assert reader.get("/sources").status_code == 200
            took = time.monotonic() - started
            ahead = _counted(one, "aggregator_page_renders_total") - before - 1 - served
            time.sleep(3)  # (what the line still held: 480 renders take ~5 s)
            rendered = _counted(one, "aggregator_page_renders_total") - before - 1 - served
    print(
        f"measured: {served:g} of {len(sent)} rendered before they hung up, {rendered:g} after;"
        f" a reader's page after {took:.2f} s, {ahead:g} renders"
    )
    # After they hung up, only the renders already running (and any that raced the hang-up)
    # were done; the reader's page waited for no more of them (counted, not timed: it took
    # 1.0-1.8 s on a host at load 12, and 0.09 s idle).
    assert rendered < len(sent) / 4
    assert ahead < len(sent) / 4


def _answered(web: Web) -> list[dict[str, Any]]:
    """The requests `web` (LOG_FORMAT=json) answered, each as its access log line has it, in
    the order they were answered (by one worker: the order of its answers)."""
    whole = web.output().split("\n")[:-1]  # (a line being written is not read yet)
    records = [json.loads(line) for line in whole if line.startswith("{")]
    return [r for r in records if r["event"] == "request"]


def _read(record: dict[str, Any]) -> float:
    """When a request was read, in seconds: when it was answered, less its duration."""
    return _seconds(record) - record["duration_ms"] / 1000


def _seconds(record: dict[str, Any]) -> float:
    """When a request was answered, in seconds (its log line's time, to the millisecond)."""
    return datetime.fromisoformat(record["ts"]).timestamp()


@pytest.mark.timeout(180)
def test_a_burst_of_archive_pages_waits_in_line_not_for_redis_connections(
    tmp_path: Path, redis_url: str, store: Store
) -> None:
    """60 addresses asked for archive pages, eight each, all at once, each by a cursor of its
    own (eight pages, 480 cursors to look up): every request looked its cursor up in Redis
    as it was read, before the render line, and took one of the web's 100 connections; the
    rest waited for one while the loop ran the others, and under load 150 of 960 answered 503
    "Redis does not answer" after the pool's 2 s wait, with Redis well (h1, sessions 39-40).
    Lookups now take turns (web.LOOKUP_SLOTS), so a burst holds a few connections; "at once":
    the worker is stopped while the requests are sent, so it reads them in one go, as a busy
    loop does."""
    connect(redis_url).flushall()
    with running_web(tmp_path, redis_url, workers=1) as one:
        articles = _published(one, store, 100)
        worker = int(re.findall(r"Booting worker with pid: (\d+)", one.output())[-1])
        with httpx.Client(base_url=one.url, timeout=60) as reader:
            assert reader.get("/c/world/").status_code == 200
            burst = []
            for address in range(60):
                for k in range(8):
                    # (made up: the page of the article nearest it, one of eight)
                    made_up = f"{articles[10 * k].published.timestamp()!r}:{address}"
                    sock = socket.create_connection(
                        ("127.0.0.1", one.port), source_address=(f"127.0.4.{address + 1}", 0)
                    )
                    path = f"/c/world/?before={made_up}"
                    burst.append((sock, f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode()))
            connections = connect(redis_url).info("clients")["connected_clients"]
            os.kill(worker, signal.SIGSTOP)
            try:
                for sock, request in burst:
                    sock.sendall(request)
                time.sleep(0.2)
            finally:
                os.kill(worker, signal.SIGCONT)
            statuses = _statuses([sock for sock, _ in burst], 120)
            for sock, _ in burst:
                sock.close()
            after = reader.get("/sources")
        opened = connect(redis_url).info("clients")["connected_clients"] - connections
        output = one.output()
    print(f"measured: {statuses}; the web opened {opened} Redis connections for them")
    assert "Redis does not answer" not in output
    assert after.status_code == 200  # a reader's page after the burst
    # Each answered, or refused as busy (503 after RENDER_WAIT s in line) at worst.
    assert set(statuses) <= {200, 503}, statuses
    # The lookups running and a render's: 9 here, where the burst opened 98-99 (every one).
    assert opened <= 2 * (web_module.LOOKUP_SLOTS + web_module.RENDER_SLOTS), opened


def _statuses(socks: list[socket.socket], within: float) -> dict[int, int]:
    """How many of `socks` were answered with each status (0: closed unanswered), read
    together, each up to its status line, for at most `within` seconds (then -1)."""
    waiting = selectors.DefaultSelector()
    for sock in socks:
        sock.setblocking(False)
        waiting.register(sock, selectors.EVENT_READ, b"")
    counts: dict[int, int] = {}
    deadline = time.monotonic() + within
    while waiting.get_map() and time.monotonic() < deadline:
        for key, _ in waiting.select(0.5):
            sock = cast(socket.socket, key.fileobj)
            try:
                more = sock.recv(65536)
            except OSError:  # reset
                more = b""
            data = key.data + more
            if more and b"\r\n" not in data:
                waiting.modify(sock, selectors.EVENT_READ, data)
                continue
            status = int(data[9:12]) if b"\r\n" in data else 0
            counts[status] = counts.get(status, 0) + 1
            waiting.unregister(sock)
    if left := len(waiting.get_map()):
        counts[-1] = left
    waiting.close()
    return counts


@pytest.mark.timeout(180)
def test_a_newcomer_goes_before_clients_that_rendered_many_pages_lately(
    tmp_path: Path, redis_url: str, store: Store
) -> None:
    """Least recently served, a newcomer waited for one render of each client in line, all
    served before it came: 3.7 s behind 240 clients asking for articles (h4, session 37). 30
    addresses rendered two articles each, then put eight more each in line; a newcomer's page
    waited for about one of each (the 30 answered meanwhile). Renders now count, each halving
    in ten seconds, and the newcomer's one counts less than their two or more: it waits for
    the renders already running."""
    connect(redis_url).flushall()
    with running_web(tmp_path, redis_url, workers=1, LOG_FORMAT="json") as one:
        articles = _published(one, store, 320)
        paths = iter(f"/a/{article.id}" for article in articles)
        clients = [f"127.0.2.{n + 1}" for n in range(30)]

        def warm(address: str, two: list[str]) -> None:
            transport = httpx.HTTPTransport(local_address=address)
            with httpx.Client(base_url=one.url, transport=transport, timeout=60) as http:
                for path in two:
                    assert http.get(path).status_code == 200

        with ThreadPoolExecutor(len(clients)) as pool:
            list(pool.map(warm, clients, [[next(paths), next(paths)] for _ in clients]))
        answered = [0]  # flood answers read (only to know when the line has formed)
        sent: list[str] = []
        lock = threading.Lock()

        def flood(address: str, path: str) -> None:
            with socket.create_connection(
                ("127.0.0.1", one.port), source_address=(address, 0)
            ) as s:
                s.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
                sent.append(path)
                s.settimeout(60)
                while s.recv(65536):
                    pass
            with lock:
                answered[0] += 1

        threads = [
            threading.Thread(target=flood, args=(address, next(paths)))
            for address in clients
            for _ in range(8)
        ]
        for thread in threads:
            thread.start()
        # (all sent, and the first answered: the rest are in line)
        wait_for(lambda: len(sent) == len(threads) and answered[0] >= 2, 30, "the flood", 0.01)
        newcomer = httpx.HTTPTransport(local_address="127.0.3.1")
        with httpx.Client(base_url=one.url, transport=newcomer, timeout=60) as http:
            assert http.get(next(paths)).status_code == 200
        for thread in threads:
            thread.join(60)
        assert answered[0] == len(threads)
        flooded = set(sent)
        wait_for(
            lambda: sum(r["path"] in flooded for r in _answered(one)) == len(threads),
            10,
            "the flood's answers in the access log",
        )
        # Counted by the worker's own times, not as this process's 240 threads read the
        # answers (late on a loaded machine: 12-18 there, answers sent before the newcomer
        # asked among them; h1, session 39), nor by when its answer's log line was written
        # (the flood's answers, sent to threads slow to read them, and the other slot's
        # renders during the newcomer's own: 5 or more at load 16): the flood's renders that
        # ended after the newcomer's request was read and before it had its slot (each
        # request's read is its line's time less its duration; its slot then came after
        # `waited_ms`, its render ended `render_ms` later).
        log = [r for r in _answered(one) if r["path"] in flooded or r["client"] == "127.0.3.1"]
        [newcomer] = [r for r in log if r["client"] == "127.0.3.1"]
        rendered = [r for r in log if r is not newcomer and "render_ms" in r]
        read = _read(newcomer)
        granted = read + newcomer["waited_ms"] / 1000
        ended = [_read(r) + (r["waited_ms"] + r["render_ms"]) / 1000 for r in rendered]
        before = sum(end <= read for end in ended)
        meanwhile = sum(read < end <= granted for end in ended)
        # The clients still in line as it came (not yet given a slot): least recently served,
        # it would wait for one render of each (the line's length as it came depends on when
        # this process, 240 threads on a loaded machine, got to send it: 129 of 240 answered
        # before once).
        in_line = {r["client"] for r in rendered if _read(r) + r["waited_ms"] / 1000 > read}
    print(
        f"measured: {meanwhile} flood renders ended while the newcomer waited for its slot"
        f" ({before} before, {len(in_line)} clients in line, its wait"
        f" {newcomer['waited_ms']:g} ms)"
    )
    assert len(rendered) == len(threads)  # (each flood page its own: none shared)
    assert len(in_line) >= len(clients) / 2  # (so the fault would show: > 4 meanwhile)
    # The two renders running as its request was read (2 in each of 8 runs at load 4-8), and
    # one more a slot freed before its request reached the line: not the 30 of one each
    # (31-32 least recently served).
    assert meanwhile <= 4


def test_a_client_that_hung_up_is_told_from_one_that_waits_or_pipelines() -> None:
    """What a request in the render line is passed over for (http_server.hung_up), over real
    loopback TCP: a client waiting, or with its next request sent already, is there; one that
    closed or reset its connection is gone (and so is one that only ended its sending half)."""
    with socket.create_server(("127.0.0.1", 0)) as listener:

        def pair() -> tuple[socket.socket, socket.socket]:
            client = socket.create_connection(listener.getsockname())
            server, _ = listener.accept()
            return client, server

        client, server = pair()
        assert not http_server.hung_up(server)  # waiting
        client.sendall(b"GET /next HTTP/1.1\r\nHost: h\r\n\r\n")
        time.sleep(0.05)
        assert not http_server.hung_up(server)  # pipelining
        assert server.recv(100).startswith(b"GET /next")  # (nothing was taken from it)
        client.close()
        time.sleep(0.05)
        assert http_server.hung_up(server)  # closed
        server.close()
        client, server = pair()
        client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        client.close()  # reset
        time.sleep(0.05)
        assert http_server.hung_up(server)
        server.close()
        client, server = pair()
        client.shutdown(socket.SHUT_WR)
        time.sleep(0.05)
        assert http_server.hung_up(server)
        client.close()
        server.close()


def _published(web: Web, store: Store, count: int) -> list[Article]:
    """`count` articles of `web`'s public source, one a minute back from now, saved as a refresh
    saves them."""
    config = _config_of(web)
    source = config.source("public")
    assert source is not None
    now = datetime.now(UTC)
    articles = [make_article(source, n, now - timedelta(minutes=n)) for n in range(count)]
    store.save_refresh(store.get_state("public"), articles, config.retention, now)
    return articles


def _config_of(web: Web) -> Config:
    return load_config(str(web.log.parent / "aggregator.toml"))


def _secret_article(web: Web, store: Store) -> None:
    """An article of the source whose URL holds credentials, stored as the pipeline stores it."""
    config = _config_of(web)
    source = config.source("secret")
    assert source is not None
    article = make_article(source, 2, datetime.now(UTC) - timedelta(hours=1))
    # As normalize builds them: the source's own URL is its feed URL and, without a site URL,
    # its attribution link too.
    # Its own links are the feed's (make_article derives them from the source URL: not here).
    link = "https://feeds.example/posts/2"
    article = replace(
        article,
        url=link,
        guid=link,
        thumbnail="",
        enclosures=(),
        source_url=source.url,
        source_feed_url=source.url,
    )
    store.save_refresh(store.get_state("secret"), [article], config.retention, datetime.now(UTC))


def _assert_redacted(text: str) -> None:
    assert "hunter2" not in text
    assert "reader:" not in text
    assert "SEKRIT-KEY" not in text


@pytest.mark.timeout(60)
def test_source_urls_are_redacted_in_every_public_output(web: Web, store: Store) -> None:
    _secret_article(web, store)
    redacted = "https://feeds.example/private.xml?api_key=REDACTED&amp;page=2"
    with httpx.Client(base_url=web.url, timeout=10) as client:
        sources = client.get("/sources").text
        _assert_redacted(sources)
        assert redacted in sources
        for path in ("/sources.opml", "/c/world/sources.opml"):
            opml = client.get(path).text
            _assert_redacted(opml)
            assert f'xmlUrl="{redacted}"' in opml
        rss = client.get("/c/world/feed.rss").text
        _assert_redacted(rss)
        assert f'<source url="{redacted}">' in rss
        atom = client.get("/c/world/feed.atom").text
        _assert_redacted(atom)
        feed = client.get("/c/world/feed.json").json()
        _assert_redacted(json.dumps(feed))
        [item] = [i for i in feed["items"] if i["_source"]["title"] == "Members Only"]
        assert item["_source"]["feed_url"] == redacted.replace("&amp;", "&")
        for path in ("/embed/world", f"/a/{item['id'].rsplit(':', 1)[1]}"):
            _assert_redacted(client.get(path).text)
        # The operator sees the URL as configured.
        admin = client.get("/admin/sources/secret", headers=_bearer()).text
        assert "reader:hunter2@" in admin
        assert "SEKRIT-KEY" in admin


@pytest.mark.timeout(60)
def test_public_pages_show_a_generic_private_address_error_and_the_admin_the_detail(
    web: Web, store: Store
) -> None:
    detail = (
        "refused to connect to intranet.corp at 10.1.2.3 (private address); set"
        " allow_private_networks = true on this source to allow it"
    )
    store.save_state(
        replace(
            store.get_state("secret"),
            outcome=Outcome.BLOCKED,
            consecutive_errors=1,
            last_error=detail,
            last_fetch=datetime.now(UTC),
        )
    )
    store.save_state(
        replace(
            store.get_state("public"),
            outcome=Outcome.HTTP_ERROR,
            consecutive_errors=2,
            last_error=f"HTTP 404 Not Found from {SECRET_SOURCE_URL}",
            last_fetch=datetime.now(UTC),
        )
    )
    time.sleep(1.1)  # (a page is shared for a second after its rendering: web.rendering)
    with httpx.Client(base_url=web.url, timeout=10) as client:
        page = client.get("/sources").text
        assert "could not reach the host: no such host name, or a private address" in page
        assert "10.1.2.3" not in page
        assert "intranet.corp" not in page
        _assert_redacted(page)
        assert "HTTP 404 Not Found from https://feeds.example/private.xml?api_key=REDACTED" in page
        admin = client.get("/admin/sources/secret", headers=_bearer()).text
        assert "intranet.corp at 10.1.2.3" in admin


def test_export_opml_redacts_and_check_config_names_each_secret() -> None:
    # What `aggregator export-opml` and `aggregator check-config` print (cli.main is not called:
    # it would point the root logger at this test's captured output for the tests after it).
    config = parse_config(_config_text(8000))
    exported = render_opml(config).decode()
    _assert_redacted(exported)
    assert 'xmlUrl="https://feeds.example/private.xml?api_key=REDACTED&amp;page=2"' in exported
    warnings = "\n".join(config_warnings(config))
    assert "sources[1] (secret).url: holds a user name and password;" in warnings
    assert "sources[1] (secret).url: holds query parameter api_key;" in warnings
    assert "query parameter page" not in warnings


def test_refresh_log_lines_redact_the_source_url(
    feed_server: FeedServer, store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    url = feed_server.add("/members.xml", FEED).replace("http://", "http://reader:hunter2@")
    source = SourceConfig("members", "Members", url + "?token=SEKRIT-KEY", ("world",), 900.0)
    config = Config(
        fetch=FetchConfig(allow_private_networks=True),
        categories=(Category("world", "World"),),
        sources=(source,),
    )
    with caplog.at_level(logging.INFO), Fetcher(config.fetch, "aggregator-test/1") as fetcher:
        result = refresh_source(source, config, store, fetcher)
    assert result.outcome is not None
    lines = [r for r in caplog.records if r.getMessage() == "refresh"]
    assert lines
    logged = json.dumps([r.__dict__.get("fields") for r in lines], default=str)
    _assert_redacted(logged)
    assert "token=REDACTED" in logged


# --- authentication -------------------------------------------------------------------------------


def _from(address: str, web: Web) -> httpx.Client:
    """A client whose connections come from `address` (any 127.x.y.z reaches the server).

    The failed-login throttle counts per address in the module's one Redis: a test that uses
    up an address's attempts takes an address no other test uses.
    """
    transport = httpx.HTTPTransport(local_address=address)
    return httpx.Client(base_url=web.url, transport=transport, timeout=10)


@pytest.mark.timeout(60)
def test_wrong_tokens_are_throttled_per_address_without_slowing_the_site(web: Web) -> None:
    allowed = admin.AUTH_FAILURES_ALLOWED
    with _from("127.0.0.5", web) as guesser, _from("127.0.0.6", web) as operator:
        statuses = []
        guessing = asking = 0.0
        for n in range(allowed + 5):
            t0 = time.monotonic()
            statuses.append(guesser.post("/admin/login", data={"token": f"guess-{n}"}).status_code)
            t1 = time.monotonic()
            assert operator.get("/admin/login").status_code == 200
            guessing, asking = guessing + t1 - t0, asking + time.monotonic() - t1
        print(f"measured: wrong logins {guessing:.2f} s, as many login forms {asking:.2f} s")
        # No sleeping in a request worker: wrong guesses answer as fast as anything else, here
        # the login form asked between them (a bound of its own is one a loaded machine breaks).
        assert guessing < 3 * asking + 0.5, (guessing, asking)
        assert statuses == [401] * allowed + [429] * 5
        throttled = guesser.post("/admin/login", data={"token": "one-more-guess"})
        assert 0 < int(throttled.headers["Retry-After"]) <= admin.AUTH_WINDOW
        # The right token still passes: an operator sharing the address (a NAT, an office) is
        # not locked out by someone else's guesses, which cannot find a token that long.
        assert guesser.get("/admin/", headers=_bearer()).status_code == 200
        assert guesser.post("/admin/login", data={"token": ADMIN_TOKEN}).status_code == 303
        assert guesser.get("/admin/", headers=_bearer("guess-again")).status_code == 429
        # Another address is not affected, and the public site never was.
        assert operator.get("/admin/", headers=_bearer()).status_code == 200
        assert guesser.get("/healthz").status_code == 200
    with _from("127.0.0.7", web) as bearer_guesser:
        statuses = [
            bearer_guesser.get("/admin/", headers=_bearer(f"guess-{n}")).status_code
            for n in range(allowed + 2)
        ]
        assert statuses == [401] * allowed + [429] * 2


def test_parallel_wrong_tokens_get_no_more_tries_than_one_after_another(web: Web) -> None:
    """The throttle read the count, then counted: a burst of parallel guesses all read a count
    under the limit (18 of 190 got through, not 10)."""
    allowed = admin.AUTH_FAILURES_ALLOWED
    with _from("127.0.0.8", web) as guesser, ThreadPoolExecutor(16) as pool:
        statuses = list(
            pool.map(
                lambda n: guesser.get("/admin/", headers=_bearer(f"guess-{n}")).status_code,
                range(allowed * 4),
            )
        )
    assert sorted(statuses) == [401] * allowed + [429] * (allowed * 3)


@pytest.mark.timeout(60)
def test_x_forwarded_for_is_ignored_unless_proxies_are_trusted(web: Web) -> None:
    """Without WEB_TRUSTED_PROXIES a guesser cannot dodge the throttle by inventing addresses."""
    with _from("127.0.0.11", web) as guesser:
        statuses = [
            guesser.post(
                "/admin/login",
                data={"token": f"guess-{n}"},
                headers={"X-Forwarded-For": f"203.0.113.{n}"},
            ).status_code
            for n in range(admin.AUTH_FAILURES_ALLOWED + 1)
        ]
    assert statuses == [401] * admin.AUTH_FAILURES_ALLOWED + [429]


@pytest.mark.timeout(90)
def test_behind_a_trusted_proxy_the_throttle_counts_each_client(
    tmp_path: Path, redis_url: str
) -> None:
    """WEB_TRUSTED_PROXIES=1: one proxy's address carries many clients, told apart by the last
    X-Forwarded-For address (the one the proxy wrote; what a client wrote before it is not)."""
    with (
        running_web(tmp_path, redis_url, WEB_TRUSTED_PROXIES="1") as proxied,
        _from("127.0.0.10", proxied) as proxy,
    ):

        def login(client: str, token: str) -> int:
            headers = {"X-Forwarded-For": f"198.51.100.99, {client}"}
            return proxy.post("/admin/login", data={"token": token}, headers=headers).status_code

        allowed = admin.AUTH_FAILURES_ALLOWED
        guesses = [login("203.0.113.1", f"g{n}") for n in range(allowed + 1)]
        assert guesses == [401] * allowed + [429]
        assert login("203.0.113.2", ADMIN_TOKEN) == 303  # another client behind the proxy
        assert login("198.51.100.99", ADMIN_TOKEN) == 303  # what the client wrote is not believed
        # An IPv6 client is its /64: rotating through its addresses gains it nothing.
        rotated = [login(f"2001:db8:5:6::{n + 1:x}", f"g{n}") for n in range(allowed + 1)]
        assert rotated == [401] * allowed + [429]
        assert login("2001:db8:5:7::1", "g") == 401  # the next /64 is another subscriber


@pytest.mark.timeout(60)
def test_logout_ends_the_session_on_the_server(web: Web) -> None:
    with _from("127.0.0.8", web) as client:
        assert client.post("/admin/login", data={"token": ADMIN_TOKEN}).status_code == 303
        cookie = client.cookies["aggregator_admin"]
        page = client.get("/admin/")
        assert page.status_code == 200
        match = re.search(r'name="csrf" value="([0-9a-f]{64})"', page.text)
        assert match, page.text
        assert client.post("/admin/logout", data={"csrf": match[1]}).status_code == 303
    with _from("127.0.0.8", web) as replay:
        # The old cookie, kept by whoever copied it: refused, not good for another 12 hours.
        replay.cookies.set("aggregator_admin", cookie, domain="127.0.0.1", path="/admin")
        assert replay.get("/admin/").status_code == 401


@pytest.mark.timeout(60)
@pytest.mark.parametrize("command", ["web", "run"])
def test_a_short_admin_token_stops_start_up_with_a_clear_message(
    tmp_path: Path, command: str
) -> None:
    """`run` checks before it starts anything, rather than restarting a web process that exits."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "ADMIN_TOKEN": "hunter2"}
    env.pop("REDIS_URL", None)
    config = tmp_path / "aggregator.toml"
    config.write_text(_config_text(8000), encoding="utf-8")
    port = str(free_port())
    result = subprocess.run(
        [sys.executable, "-m", "aggregator.cli", "--config", str(config), command, "--port", port],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 2
    # An environment variable, not the file: "invalid configuration: 1 problem(s)" sent the
    # operator to a config file that holds no token.
    assert result.stderr.startswith(
        "aggregator: ADMIN_TOKEN (an environment variable) is 7 characters long: use at least 24"
    ), result.stderr
    assert "invalid configuration" not in result.stderr
    assert "embedded Redis-compatible server" not in result.stdout  # nothing was started


# --- HEAD, redirects, embeds ----------------------------------------------------------------------


@pytest.mark.timeout(60)
def test_head_does_not_run_the_dashboards_requeue(web: Web, redis_url: str) -> None:
    connection = connect(redis_url)
    queue = Queue("hostile-head", connection=connection)
    job = queue.enqueue(math.sqrt, -1)  # fails: a job in the failed registry
    SimpleWorker([queue], connection=connection).work(burst=True)
    failed = FailedJobRegistry(queue=queue)
    assert job.id in failed.get_job_ids()
    with httpx.Client(base_url=web.url, timeout=10) as client:
        response = client.head("/admin/rq/requeue/hostile-head", headers=_bearer())
    assert response.status_code == 405
    assert job.id in failed.get_job_ids()
    assert queue.count == 0


@pytest.mark.timeout(60)
def test_head_requests_are_no_login_attempts(web: Web) -> None:
    with _from("127.0.0.9", web) as client:
        for _ in range(admin.AUTH_FAILURES_ALLOWED + 2):
            assert client.head("/admin/login").status_code == 200
        assert client.post("/admin/login", data={"token": ADMIN_TOKEN}).status_code == 303


@pytest.mark.timeout(60)
def test_trailing_slash_redirects_point_at_base_url_whatever_the_host_header(web: Web) -> None:
    with httpx.Client(base_url=web.url, timeout=10) as client:
        for path in ("/c/world", "/c/world?x=1", "/admin"):
            response = client.get(path, headers={"Host": "evil.example"})
            assert response.status_code == 308, path
            assert response.headers["Location"].startswith(f"{web.url}/"), path
            assert "evil.example" not in response.headers["Location"]
            assert "evil.example" not in response.text  # (werkzeug's body linked it, cacheable)
        assert client.get("/c/world").headers["Location"] == f"{web.url}/c/world/"


def test_no_client_header_moves_the_site_s_root_or_path(web: Web) -> None:
    """gunicorn takes SCRIPT_NAME and PATH_INFO from 127.0.0.1 (a same-host proxy's address)
    unless told otherwise: "SCRIPT_NAME: //evil.example" made every link //evil.example/…."""
    headers = {"SCRIPT_NAME": "//evil.example", "PATH_INFO": "/admin", "X-Forwarded-Proto": "x"}
    with httpx.Client(base_url=web.url, timeout=10) as client:
        page = client.get("/c/world/", headers=headers)
        assert page.status_code == 200
        assert "evil.example" not in page.text
        assert 'href="/static/' in page.text
        prefixed = client.get("//evil.example/c/world/", headers=headers)
        assert "//evil.example/static" not in prefixed.text


EVIL_IFRAMES = (
    "https://evil.example\\@www.youtube.com/embed/x",
    "https://evil.ex&#9;ample\\@www.youtube.com/embed/x",
    "https://www.youtube.com@evil.example/embed/x",
)


@pytest.mark.timeout(90)
def test_iframes_whose_host_a_browser_reads_differently_are_never_republished(
    web: Web, store: Store, feed_server: FeedServer
) -> None:
    content = "".join(f'<iframe src="{src}"></iframe>' for src in EVIL_IFRAMES)
    content += '<iframe src="https://www.youtube.com/embed/ok"></iframe>'
    feed = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>V</title>'
        "<link>https://video.example/</link><item><guid>v1</guid><title>Players</title>"
        f"<link>https://video.example/1</link><description>{escape(content)}</description>"
        "</item></channel></rss>"
    ).encode()
    source = SourceConfig(
        "public", "Public News", feed_server.add("/v.xml", feed), ("world",), 900.0
    )
    config = Config(
        fetch=FetchConfig(allow_private_networks=True),
        categories=(Category("world", "World"),),
        sources=(source,),
    )
    with Fetcher(config.fetch, "aggregator-test/1") as fetcher:
        assert refresh_source(source, config, store, fetcher).added == 1
    with httpx.Client(base_url=web.url, timeout=10) as client:
        feed_json = client.get("/c/world/feed.json").json()
        [item] = [i for i in feed_json["items"] if i["title"] == "Players"]
        outputs = [
            json.dumps(item),
            client.get("/c/world/feed.atom").text,
            client.get("/c/world/feed.rss").text,
            client.get(f"/a/{item['id'].rsplit(':', 1)[1]}").text,
        ]
    for output in outputs:
        assert "evil.ex" not in output
        assert "youtube.com/embed/ok" in output


def _bearer(token: str = ADMIN_TOKEN) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_web_server_settings_are_checked_before_gunicorn_starts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("ADMIN_TOKEN", raising=False)
    monkeypatch.setenv("WEB_HEADER_TIMEOUT", "soon")
    with pytest.raises(SystemExit, match="WEB_HEADER_TIMEOUT='soon' is not a number"):
        http_server.gunicorn_command("127.0.0.1", 8000, 2)
    monkeypatch.setenv("WEB_HEADER_TIMEOUT", "5")
    monkeypatch.setenv("WEB_MAX_BODY_BYTES", "0")
    with pytest.raises(SystemExit, match="WEB_MAX_BODY_BYTES must be positive"):
        http_server.gunicorn_command("127.0.0.1", 8000, 2)
    monkeypatch.delenv("WEB_MAX_BODY_BYTES")
    monkeypatch.setenv("WEB_MAX_CONNECTIONS_PER_ADDRESS", "0.5")  # (int() made it 0: no limit)
    with pytest.raises(SystemExit, match="a whole number of connections"):
        http_server.gunicorn_command("127.0.0.1", 8000, 2)
    monkeypatch.delenv("WEB_MAX_CONNECTIONS_PER_ADDRESS")
    command = http_server.gunicorn_command("127.0.0.1", 8000, 2)
    assert command[command.index("--worker-class") + 1] == "aggregator.http_server.Worker"
    assert command[command.index("--keep-alive") + 1] == "5"
    # Two instances shared (and deleted each other's) ~/.gunicorn/gunicorn.ctl.
    assert "--no-control-socket" in command


# --- Redis away ---------------------------------------------------------------------------------


def test_the_worker_class_imports_no_redis_so_gevent_patches_what_redis_sleeps_with() -> None:
    """gunicorn's master loads the worker class before it forks; the worker patches after. A
    module redis-py imported by then keeps the blocking `time.sleep` for its retry backoff, which
    froze every greenlet of a worker, /healthz included, while Redis restarted."""
    script = (
        "import sys\n"
        "from gunicorn.util import load_class\n"
        f"load_class({http_server.WORKER_CLASS!r})\n"
        f"load_class({http_server.LOGGER_CLASS!r})\n"
        "print(sorted(m for m in ('redis', 'flask', 'rq') if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert done.stdout.strip() == "[]", done.stdout + done.stderr


def test_the_web_logs_in_our_format_with_a_querys_secrets_masked(
    tmp_path: Path, redis_url: str
) -> None:
    """gunicorn's startup and access lines were its own and Apache's (a JSON pipeline could not
    read them), and an admin token tried in a URL was written whole."""
    with running_web(tmp_path, redis_url, workers=1, LOG_FORMAT="json") as web:
        answer = httpx.get(f"{web.url}/admin/?token=NOT-FOR-THE-LOG&page=2", timeout=10)
        assert answer.status_code == 401
        deadline = time.monotonic() + 10
        while "/admin/" not in web.output():
            assert time.monotonic() < deadline, web.output()
            time.sleep(0.1)
        output = web.output()
    records = [json.loads(line) for line in output.splitlines() if line.strip()]
    assert any(r["logger"] == "gunicorn.error" and "Booting worker" in r["event"] for r in records)
    [admin] = [r for r in records if r["event"] == "request" and r["path"].startswith("/admin/")]
    assert admin["path"] == "/admin/?token=REDACTED&page=2"
    assert (admin["method"], admin["status"], admin["client"]) == ("GET", 401, "127.0.0.1")
    assert admin["process"] == "web"
    assert "NOT-FOR-THE-LOG" not in output


def comes_back(url: str, within: float = 20) -> None:
    """Wait until the site's home page answers 200 again (Redis is back); fail after `within`."""
    deadline = time.monotonic() + within
    while httpx.get(f"{url}/", timeout=10).status_code != 200:
        assert time.monotonic() < deadline, "the site did not come back with Redis"
        time.sleep(0.2)


def test_with_redis_hung_cached_feeds_serve_and_pages_say_503_within_seconds(
    tmp_path: Path,
) -> None:
    """A hung server (stopped, partitioned, a stalled disk) answers nothing, and every call
    waited out the read timeout: a cached feed took 16 s, a page 24 s to say 503."""
    valkey = EmbeddedServer(tmp_path / "valkey")
    url = valkey.start()
    try:
        with running_web(tmp_path, url, workers=1) as web:
            feed = f"{web.url}/c/world/feed.atom"
            assert httpx.get(feed, timeout=10).status_code == 200  # now in the web's cache
            time.sleep(1.5)  # past the web's recheck interval: the next request asks Redis
            pid = valkey.pid
            assert pid is not None
            os.kill(pid, signal.SIGSTOP)
            try:
                took: dict[str, float] = {}
                with httpx.Client(base_url=web.url, timeout=30) as client:
                    for path in ["/c/world/feed.atom", "/", "/c/world/", "/c/world/feed.atom"]:
                        started = time.monotonic()
                        answer = client.get(path)
                        took[path] = max(took.get(path, 0.0), time.monotonic() - started)
                        assert answer.status_code == (200 if path.endswith(".atom") else 503)
                # The first request waits out one read timeout (2 s), the others no longer; the
                # hang this guards against took 16-24 s, and 5 s failed once at a load of 13.
                assert max(took.values()) < 12, took
            finally:
                os.kill(pid, signal.SIGCONT)
            comes_back(web.url)
    finally:
        valkey.stop()


def test_with_redis_away_probes_answer_pages_say_503_and_cached_feeds_still_serve(
    tmp_path: Path,
) -> None:
    """A Redis restart: /healthz at once, each page a 503 with Retry-After within seconds (not a
    hang and a 500), a feed rendered before served from memory, all of it back after."""
    valkey = EmbeddedServer(tmp_path / "valkey")
    url = valkey.start()
    try:
        with running_web(tmp_path, url, workers=1) as web:  # (each worker has its own cache)
            feed = f"{web.url}/c/world/feed.atom"
            assert httpx.get(feed, timeout=10).status_code == 200  # now in the web's cache
            # (Not a page asked below: one rendered in the last second is given from memory.)
            assert httpx.get(f"{web.url}/sources", timeout=10).status_code == 200
            assert httpx.get(f"{web.url}/sources.opml", timeout=10).status_code == 200
            valkey.stop()
            paths = [
                "/",
                "/c/world/",
                "/a/nope",
                "/embed/world?theme=dark",
                "/c/world/feed.rss?limit=5",
            ]
            answers: dict[str, httpx.Response] = {}
            with httpx.Client(base_url=web.url, timeout=15) as client:

                def get(path: str) -> None:
                    answers[path] = client.get(path)

                pages = [threading.Thread(target=get, args=(p,)) for p in paths * 2]
                started = time.monotonic()
                for thread in pages:
                    thread.start()
                probe = client.get("/healthz")
                probe_took = time.monotonic() - started
                for thread in pages:
                    thread.join()
                pages_took = time.monotonic() - started
                cached = client.get("/c/world/feed.atom")
                opml = client.get("/sources.opml")
            assert probe.status_code == 200
            assert probe_took < 2, f"/healthz took {probe_took:.1f} s behind the pages"
            assert pages_took < 10
            for path, answer in answers.items():
                assert answer.status_code == 503, path
                assert answer.headers["Retry-After"] == "10"
            assert "Briefly unavailable" in answers["/"].text
            feed_answer = answers["/c/world/feed.rss?limit=5"]
            assert feed_answer.headers["Access-Control-Allow-Origin"] == "*"
            embed = answers["/embed/world?theme=dark"]
            assert embed.headers["Content-Security-Policy"].endswith("frame-ancestors *"), (
                "a partner's iframe shows the 503, not a blocked frame"
            )
            # The embed's own page (not the site's, whose links refuse to be framed), which
            # tries again by itself as Retry-After says.
            assert '<body class="embed theme-dark">' in embed.text  # (the partner's choice)
            assert "Briefly unavailable" in embed.text
            assert "try again in a minute" not in embed.text  # (it tries again by itself)
            assert '<meta http-equiv="refresh" content="10">' in embed.text
            assert 'class="skip-link"' not in embed.text
            assert cached.status_code == 200
            assert opml.status_code == 200  # (so is the OPML export: no Redis read of its own)
            assert "Traceback" not in web.output()

            valkey.start()
            comes_back(web.url)
    finally:
        valkey.stop()
