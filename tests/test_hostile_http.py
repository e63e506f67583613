"""Hostile HTTP from a source's server: broken framing, hostile headers and validators, odd
redirects, against the real fetch and refresh (tests/test_fetch.py has the well-behaved
protocol; tests/support/evil.py's catalogue the hostile documents, sizes and times).

Real parts: the session's loopback FeedServer, whose handlers here write raw bytes, the real
Fetcher and refresh_source, the real store on the embedded Valkey.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from rq import Queue
from rq.registry import FailedJobRegistry

from aggregator import cli
from aggregator.config import Category, Config, SiteConfig, SourceConfig
from aggregator.errors import FetchError
from aggregator.fetch import MAX_BODY_PIECES, MAX_VALIDATOR_CHARS, Fetcher
from aggregator.models import Outcome
from aggregator.queues import QUEUE_NAME
from aggregator.refresh import refresh_source
from aggregator.store import Store
from tests.support import evil
from tests.support.feed_server import FeedServer, Handler
from tests.support.pipeline import ROOT
from workers import scheduler

FEED = evil.rss(evil.item("one", title="The one item"))


def _config(*sources: SourceConfig) -> Config:
    return Config(
        site=SiteConfig(title="Hostile HTTP", base_url="http://127.0.0.1:8000"),
        fetch=evil.PROBE_FETCH,
        categories=(Category(slug="hostile", title="Hostile"),),
        sources=sources,
    )


def _source(source_id: str, url: str) -> SourceConfig:
    return SourceConfig(
        id=source_id, name=source_id, url=url, categories=("hostile",), interval=900.0
    )


def _raw(h: Handler, data: bytes) -> None:
    """Write `data` as the whole answer and close (each answer here says Connection: close,
    or a request could race the close on a connection the client kept)."""
    h.wfile.write(data)
    h.wfile.flush()
    h.close_connection = True


def _ok(head: bytes = b"", body: bytes = FEED) -> bytes:
    return (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nConnection: close\r\n"
        + b"Content-Length: %d\r\n" % len(body)
        + head
        + b"\r\n"
        + body
    )


@pytest.fixture
def fetcher_loopback() -> Iterator[Fetcher]:
    with Fetcher(evil.PROBE_FETCH, "aggregator-test") as f:
        yield f


# --- validators ---------------------------------------------------------------------------------


def test_a_validator_too_long_for_the_servers_own_front_is_neither_kept_nor_sent(
    store: Store, feed_server: FeedServer
) -> None:
    """The server sends a 20 KB ETag, and its front (nginx: 8 KB header lines) answers 400 to
    a request carrying it. Kept and sent back as If-None-Match, it failed every poll after the
    first, for good: validators are kept across errors. One over MAX_VALIDATOR_CHARS is not
    kept, so each poll asks unconditionally, and the unchanged feed is read as unchanged."""
    etag = b'"' + b"e" * 20_000 + b'"'

    def fronted(h: Handler) -> None:
        if any(len(k) + len(v) + 2 > 8190 for k, v in h.headers.items()):
            _raw(
                h,
                b"HTTP/1.1 400 Request Header Or Cookie Too Large\r\n"
                b"Connection: close\r\nContent-Length: 0\r\n\r\n",
            )
        else:
            _raw(h, _ok(b"ETag: " + etag + b"\r\n"))

    source = _source("long-etag", feed_server.add_handler("/long-etag", fronted))
    config = _config(source)
    with Fetcher(config.fetch, "aggregator-test") as fetcher:
        outcomes = [refresh_source(source, config, store, fetcher) for _ in range(3)]
    assert [r.outcome for r in outcomes] == [Outcome.OK, Outcome.UNCHANGED, Outcome.UNCHANGED], [
        r.error for r in outcomes
    ]
    assert store.get_state("long-etag").etag is None
    assert all(r.header("If-None-Match") is None for r in feed_server.requests("/long-etag"))


def test_a_validator_of_the_longest_kept_length_goes_back_byte_for_byte(
    fetcher_loopback: Fetcher, feed_server: FeedServer
) -> None:
    etag = '"' + "é" * (MAX_VALIDATOR_CHARS - 2) + '"'  # (one latin-1 byte each on the wire)
    url = feed_server.add_handler(
        "/etag", lambda h: _raw(h, _ok(b"ETag: " + etag.encode("latin-1") + b"\r\n"))
    )
    result = fetcher_loopback.fetch(url)
    assert result.etag == etag
    fetcher_loopback.fetch(url, etag=result.etag)
    assert feed_server.requests("/etag")[-1].header("If-None-Match") == etag


@pytest.mark.parametrize(
    "stored",
    [
        'x"\r\nX-Injected: 1',  # a hand-edited state, or an older version's
        '"v1"\nX-Injected: 1',
        '"v1"\x00',
        ' "v1" ',
        "w" * (MAX_VALIDATOR_CHARS + 1),
    ],
)
def test_a_stored_validator_that_cannot_be_sent_is_dropped_not_failed_on(
    fetcher_loopback: Fetcher, feed_server: FeedServer, stored: str
) -> None:
    """A validator that is no header value (a line break, a NUL, space at an end) failed every
    poll with "Illegal header value" before a byte was sent, and stayed, kept across errors.
    It is not sent: the request is unconditional, and nothing is injected into it."""
    url = feed_server.add_handler("/stored", lambda h: _raw(h, _ok(b'ETag: "v2"\r\n')))
    result = fetcher_loopback.fetch(url, etag=stored, last_modified=stored)
    assert (result.status, result.etag) == (200, '"v2"')
    (request,) = feed_server.requests("/stored")
    assert request.header("If-None-Match") is None
    assert request.header("If-Modified-Since") is None
    assert request.header("X-Injected") is None


# --- redirects ----------------------------------------------------------------------------------


def _redirect(h: Handler, *locations: bytes, status: bytes = b"301 Moved Permanently") -> None:
    head = b"".join(b"Location: " + x + b"\r\n" for x in locations)
    _raw(h, b"HTTP/1.1 " + status + b"\r\n" + head + b"Connection: close\r\n\r\n")


def test_a_redirect_naming_two_places_is_an_http_error_not_a_third_url(
    fetcher_loopback: Fetcher, feed_server: FeedServer
) -> None:
    """Two different Location headers: httpx joined them with ", " and the fetch went to that,
    a URL neither named ("/feed,%20http://169.254.169.254/"). It is an error saying so."""
    feed_server.add_handler("/feed", lambda h: _raw(h, _ok()))
    url = feed_server.add_handler(
        "/two", lambda h: _redirect(h, b"/feed", b"http://169.254.169.254/latest/meta-data/")
    )
    with pytest.raises(FetchError) as caught:
        fetcher_loopback.fetch(url)
    error = caught.value
    assert (error.outcome, error.http_status) == (Outcome.HTTP_ERROR, 301)
    assert "2 different places" in error.message
    assert "169.254.169.254" in error.message
    assert [r.path for r in feed_server.requests()] == ["/two"]


def test_the_same_location_sent_twice_is_followed(
    fetcher_loopback: Fetcher, feed_server: FeedServer
) -> None:
    """(Joined, it went to "/feed,%20/feed".)"""
    feed_server.add_handler("/feed", lambda h: _raw(h, _ok()))
    url = feed_server.add_handler("/twice", lambda h: _redirect(h, b"/feed", b"/feed"))
    result = fetcher_loopback.fetch(url)
    assert (result.status, result.url) == (200, feed_server.url("/feed"))


# --- framing ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "answer", "words", "unwanted"),
    [
        pytest.param(
            "tls-on-http",  # a TLS ServerHello where HTTP was asked for
            bytes.fromhex("160303004a020000460303") + b"\x8f" * 70,
            ("binary", "if it speaks TLS there, the URL is https://127.0.0.1:"),
            "request line",  # (h11's words, though we read a response)
            id="tls-on-http",
        ),
        pytest.param(
            "1-mb-header-line",
            _ok(b"X-Big: " + b"a" * 1_000_000 + b"\r\n"),
            ("response headers, or a line of its chunked body, ran past 100 KB",),
            "Receive buffer",
            id="1-mb-header-line",
        ),
        pytest.param(
            "http-2",
            b"HTTP/2 200\r\n\r\n",
            ("illegal status line: b'HTTP/2 200'",),
            "bytearray",
            id="http-2-status-line",
        ),
    ],
)
def test_what_a_server_sent_wrong_is_said_in_an_operators_words(
    fetcher_loopback: Fetcher,
    feed_server: FeedServer,
    case: str,
    answer: bytes,
    words: tuple[str, ...],
    unwanted: str,
) -> None:
    url = feed_server.add_handler(f"/{case}", lambda h: _raw(h, answer))
    with pytest.raises(FetchError) as caught:
        fetcher_loopback.fetch(url)
    error = caught.value
    assert error.outcome is Outcome.CONNECTION_ERROR
    assert error.message.startswith("127.0.0.1 broke the HTTP protocol: ")
    for word in words:
        assert word in error.message
    assert unwanted not in error.message


# --- the catalogue: each through the real refresh -------------------------------------------------

_OK, _CONN, _HTTP, _PARSE = (
    Outcome.OK,
    Outcome.CONNECTION_ERROR,
    Outcome.HTTP_ERROR,
    Outcome.PARSE_ERROR,
)
_LENGTH = b"Content-Length: %d\r\n" % len(FEED)
_STATUS_OK = b"HTTP/1.1 200 OK\r\nConnection: close\r\n"


def _chunked(body: bytes, tail: bytes = b"0\r\n\r\n") -> bytes:
    return (
        _STATUS_OK + b"Transfer-Encoding: chunked\r\n\r\n" + b"%x\r\n" % len(body) + body + b"\r\n"
    ) + tail


# (id, what the server answers, the outcomes it may end with, words its error must hold)
FRAMING: list[tuple[str, bytes, frozenset[Outcome], tuple[str, ...]]] = [
    ("bad-status-line", b"HTTP/1.1 ABC\r\n\r\n" + FEED, frozenset({_CONN}), ("status line",)),
    ("status-code-2000", b"HTTP/1.1 2000 OK\r\n\r\n", frozenset({_CONN}), ("status line",)),
    ("http-0.9", FEED, frozenset({_CONN}), ("protocol",)),
    (
        "status-999",
        b"HTTP/1.1 999 What\r\n" + _LENGTH + b"\r\n" + FEED,
        frozenset({_HTTP}),
        ("999",),
    ),
    (
        "100-continue-storm",
        b"HTTP/1.1 100 Continue\r\n\r\n" * 2000 + _STATUS_OK + _LENGTH + b"\r\n" + FEED,
        frozenset({_OK}),
        (),
    ),
    (
        "103-early-hints-storm",
        b"HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n" * 2000
        + _STATUS_OK
        + _LENGTH
        + b"\r\n"
        + FEED,
        frozenset({_OK}),
        (),
    ),
    (
        "101-unasked",
        b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n" + FEED,
        frozenset({_CONN}),
        ("switched to another protocol (101), though we asked for none",),
    ),
    ("duplicate-length", _STATUS_OK + _LENGTH * 2 + b"\r\n" + FEED, frozenset({_OK}), ()),
    (
        "conflicting-lengths",
        _STATUS_OK + _LENGTH + b"Content-Length: 5\r\n\r\n" + FEED,
        frozenset({_CONN}),
        ("Content-Length",),
    ),
    ("length-list", _STATUS_OK + b"Content-Length: 5, 9\r\n\r\n" + FEED, frozenset({_CONN}), ()),
    ("length-negative", _STATUS_OK + b"Content-Length: -1\r\n\r\n" + FEED, frozenset({_CONN}), ()),
    (
        "length-huge",
        _STATUS_OK + b"Content-Length: " + b"9" * 40 + b"\r\n\r\n" + FEED,
        frozenset({_CONN}),
        (),
    ),
    (
        "length-and-chunked",
        _chunked(FEED).replace(b"Transfer-Encoding", b"Content-Length: 5\r\nTransfer-Encoding"),
        frozenset({_OK}),
        (),
    ),
    (
        "chunk-size-lies",
        _chunked(FEED, b"").replace(b"%x\r\n" % len(FEED), b"10000\r\n"),
        frozenset({_CONN}),
        ("incomplete",),
    ),
    (
        "chunk-size-overflows",
        _STATUS_OK + b"Transfer-Encoding: chunked\r\n\r\n" + b"f" * 30 + b"\r\n" + FEED,
        frozenset({_CONN}),
        ("chunk",),
    ),
    (
        "chunk-extension-100-kb",
        _STATUS_OK + b"Transfer-Encoding: chunked\r\n\r\n1;" + b"x" * 200_000 + b"\r\n",
        frozenset({_CONN}),
        ("a line of its chunked body, ran past 100 KB",),
    ),
    (
        "trailers",
        _chunked(FEED, b"0\r\nContent-Length: 999\r\nX-Evil: 1\r\n\r\n"),
        frozenset({_OK}),
        (),
    ),
    (
        "transfer-coding-gzip",
        _chunked(FEED).replace(b"chunked", b"gzip, chunked"),
        frozenset({_CONN}),
        ("Transfer-Encoding",),
    ),
    (
        "body-after-204",
        b"HTTP/1.1 204 No Content\r\n\r\n" + _STATUS_OK + _LENGTH + b"\r\n" + FEED,
        frozenset({_PARSE, _HTTP}),
        (),
    ),
    (
        "body-after-304",
        b"HTTP/1.1 304 Not Modified\r\n" + _LENGTH + b"\r\n" + FEED,
        frozenset({_HTTP}),
        ("304",),
    ),
    (
        "header-line-1-mb",
        _ok(b"X-Big: " + b"a" * 1_000_000 + b"\r\n"),
        frozenset({_CONN}),
        ("100 KB",),
    ),
    (
        "10000-headers",
        _ok(b"".join(b"X-H%d: v\r\n" % i for i in range(10_000))),
        frozenset({_OK, _CONN}),
        (),
    ),
    ("obs-fold", _ok(b'X-Fold: a\r\n continued\r\nETag: "a\r\n\tb"\r\n'), frozenset({_OK}), ()),
    ("nul-in-header", _ok(b"X-Nul: a\x00b\r\n"), frozenset({_CONN}), ("header",)),
    (
        "latin-1-header-values",
        _ok(b'ETag: "caf\xe9"\r\nLast-Modified: Mon, 07 D\xe9c 2026 00:00:00 GMT\r\n'),
        frozenset({_OK}),
        (),
    ),
    (
        "90-kb-hint-headers",
        _ok(
            b"Cache-Control: max-age="
            + b"9" * 30_000
            + b"\r\nExpires: "
            + b"Thu, " * 6000
            + b"\r\nContent-Language: "
            + b"en-x-, " * 4000
            + b"\r\n"
        ),
        frozenset({_OK}),
        (),
    ),
    (
        "90-kb-content-type",
        _ok(b"Content-Type: application/rss+xml" + b"; charset=x" * 8000 + b"\r\n"),
        frozenset({_OK}),
        (),
    ),
    (
        "closes-mid-body",
        _STATUS_OK + b"Content-Length: 1000\r\n\r\n" + FEED[:40],
        frozenset({_CONN}),
        ("complete message body",),
    ),
    (
        "tls-on-http",
        bytes.fromhex("160303004a020000460303") + b"\x8f" * 70,
        frozenset({_CONN}),
        ("TLS",),
    ),
]


@pytest.mark.parametrize(
    ("case", "answer", "outcomes", "words"), [pytest.param(*c, id=c[0]) for c in FRAMING]
)
def test_a_server_breaking_http_framing_leaves_a_readable_error_on_its_source(
    store: Store,
    feed_server: FeedServer,
    case: str,
    answer: bytes,
    outcomes: frozenset[Outcome],
    words: tuple[str, ...],
) -> None:
    source = _source(case, feed_server.add_handler(f"/{case}", lambda h: _raw(h, answer)))
    config = _config(source)
    with Fetcher(config.fetch, "aggregator-test") as fetcher:
        result = refresh_source(source, config, store, fetcher)
    assert result.outcome in outcomes, (result.outcome, result.error)
    state = store.get_state(case)
    assert state.outcome is result.outcome
    if result.outcome.is_error:
        assert 15 < len(state.last_error) < 600, state.last_error
        assert "\n" not in state.last_error
        for word in words:
            assert word in state.last_error
        assert state.consecutive_errors == 1
    due = state.next_due.timestamp() - time.time()
    assert 0 < due <= max(config.fetch.max_backoff, config.fetch.max_interval) * 1.1 + 1


# --- in a real worker ---------------------------------------------------------------------------


def _storm(h: Handler) -> None:
    """100 Continue, again and again, never a final answer (until the client leaves)."""
    with contextlib.suppress(OSError):
        while True:
            h.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
            h.wfile.flush()
            time.sleep(0.05)


def _reset(h: Handler) -> None:
    h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    h.close_connection = True


def test_hostile_servers_in_one_batch_of_a_real_worker_leave_errors_and_good_sources_read(
    store: Store,
    feed_server: FeedServer,
    redis_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The framing catalogue, a server sending one byte every 5 s for ever, one that never
    answers, one that answers 100 Continue for ever and one that resets, in one batch with good
    sources, in `aggregator worker --burst`: the job ends, the good sources are read, and every
    hostile one has its error, as `aggregator sources` shows."""
    urls = {
        case: feed_server.add_handler(f"/w/{case}", lambda h, a=answer: _raw(h, a))
        for case, answer, outcomes, _ in FRAMING
        if _OK not in outcomes
    }
    urls["drip-5-s"] = feed_server.drip("/w/drip", FEED, interval=5.0)
    urls["never-answers"] = feed_server.hang("/w/hang")
    urls["continue-storm"] = feed_server.add_handler("/w/storm", _storm)
    urls["reset"] = feed_server.add_handler("/w/reset", _reset)
    good = {
        f"good-{n}": feed_server.add_handler(f"/w/good-{n}", lambda h: _raw(h, _ok()))
        for n in range(2)
    }
    ids = ["good-0", *urls, "good-1"]  # (good ones first and last in the batch)
    every = {**urls, **good}
    sources = tuple(_source(i, every[i]) for i in ids)
    config = replace(
        _config(*sources),
        fetch=replace(evil.PROBE_FETCH, batch_size=len(sources), concurrency=4, per_host=4),
    )
    scheduler.publish(store, config)
    queue = Queue(QUEUE_NAME, connection=store.redis)
    scheduler.enqueue(queue, config, ids)
    env = {**os.environ, "REDIS_URL": redis_url, "LOG_LEVEL": "ERROR"}
    done = subprocess.run(
        [sys.executable, "-m", "aggregator.cli", "worker", "--burst"],
        capture_output=True,
        cwd=ROOT,
        env=env,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert FailedJobRegistry(queue=queue).count == 0, "a job crashed"
    states = store.get_states(ids)
    for source_id in good:
        assert states[source_id].outcome is Outcome.OK, states[source_id]
    expected = {case: outcomes for case, _, outcomes, _ in FRAMING}
    expected.update(
        {
            "drip-5-s": frozenset({Outcome.TIMEOUT}),
            "never-answers": frozenset({Outcome.TIMEOUT}),
            "continue-storm": frozenset({Outcome.TIMEOUT}),
            "reset": frozenset({_CONN}),
        }
    )
    for source_id in urls:
        state = states[source_id]
        assert state.outcome in expected[source_id], (source_id, state.outcome, state.last_error)
        assert 15 < len(state.last_error) < 600, (source_id, state.last_error)

    toml = tmp_path / "aggregator.toml"
    toml.write_text(
        '[site]\ntitle = "T"\nbase_url = "http://127.0.0.1:8000"\n\n[fetch]\n'
        'allow_private_networks = true\n\n[[categories]]\nslug = "hostile"\n'
        + "".join(
            f'\n[[sources]]\nid = "{s.id}"\nname = "{s.id}"\nurl = "{s.url}"\n'
            'categories = ["hostile"]\n'
            for s in sources
        ),
        encoding="utf-8",
    )
    monkeypatch.setenv("REDIS_URL", redis_url)
    assert cli.main(["--config", str(toml), "sources", "--json"]) == 1
    rows = {r["id"]: r for r in json.loads(capsys.readouterr().out)}
    assert {i for i, r in rows.items() if r["state"] == "healthy"} == set(good)
    assert {i for i, r in rows.items() if r["state"] == "failing"} == set(urls)


def _open_files() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs /proc (Linux)")
def test_refreshing_the_framing_catalogue_again_and_again_leaks_no_socket(
    store: Store, feed_server: FeedServer
) -> None:
    """One Fetcher, as a worker keeps it, through every framing case five times: the process
    holds no more open files after the fifth round than after the first (a connection a
    broken response left open would be one more per round and case)."""
    sources = [
        _source(case, feed_server.add_handler(f"/leak/{case}", lambda h, a=answer: _raw(h, a)))
        for case, answer, _, _ in FRAMING
    ]
    config = _config(*sources)

    def settled() -> int:
        # (The server's side of each connection closes in its own thread: wait for that.)
        counts = [_open_files()]
        for _ in range(50):
            time.sleep(0.1)
            counts.append(_open_files())
            if len(counts) >= 3 and counts[-1] == counts[-2] == counts[-3]:
                break
        return counts[-1]

    with Fetcher(config.fetch, "aggregator-test") as fetcher:
        for source in sources:
            refresh_source(source, config, store, fetcher)
        after_one = settled()
        for _ in range(4):
            for source in sources:
                refresh_source(source, config, store, fetcher)
        after_five = settled()
    assert after_five <= after_one + 2, (after_one, after_five)


# --- cookies ------------------------------------------------------------------------------------


def test_cookies_live_for_one_fetch_not_for_the_worker_nor_go_to_other_sources(
    fetcher_loopback: Fetcher, feed_server: FeedServer
) -> None:
    """The Fetcher's client kept every cookie any server set, for the worker's life: sent back
    at every poll, to every source of that host (one feed's server set state for another's),
    and without bound: a server setting 30 new 3 KB cookies a poll made our request carry
    720 KB of Cookie after eight polls, in a jar that only grew. A cookie lives for one fetch:
    a redirect that sets one (a consent wall) gets it back on the next hop, and nothing after."""
    polls = itertools.count()

    def cookie_jar_filler(h: Handler) -> None:
        poll = next(polls)
        cookies = b"".join(
            b"Set-Cookie: c%d_%d=%s; Path=/; Max-Age=999999999\r\n" % (poll, n, b"v" * 3000)
            for n in range(30)
        )
        _raw(h, _ok(cookies))

    def consent_wall(h: Handler) -> None:
        if "consent=yes" in (h.headers.get("Cookie") or ""):
            _raw(h, _ok())
        else:
            _raw(
                h,
                b"HTTP/1.1 302 Found\r\nSet-Cookie: consent=yes; Path=/\r\n"
                b"Location: /wall\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
            )

    filler = feed_server.add_handler("/filler", cookie_jar_filler)
    other = feed_server.add_handler("/other", lambda h: _raw(h, _ok()))
    wall = feed_server.add_handler("/wall", consent_wall)
    for _ in range(3):
        fetcher_loopback.fetch(filler)
    fetcher_loopback.fetch(other)
    assert fetcher_loopback.fetch(wall).status == 200
    assert fetcher_loopback.fetch(wall).status == 200
    sent = [(r.path, r.header("Cookie")) for r in feed_server.requests()]
    assert sent == [
        ("/filler", None),
        ("/filler", None),
        ("/filler", None),
        ("/other", None),
        ("/wall", None),
        ("/wall", "consent=yes"),
        ("/wall", None),
        ("/wall", "consent=yes"),
    ]


@pytest.mark.parametrize(
    ("cookie", "said"),
    [(b"same=1", "redirect loop: "), (b"fresh=%d", "too many redirects (more than 5)")],
)
def test_a_redirect_to_itself_with_cookies_ends_as_a_loop_or_at_the_hop_limit(
    fetcher_loopback: Fetcher, feed_server: FeedServer, cookie: bytes, said: str
) -> None:
    """Asked again with the same cookies, a URL is a loop; with new ones at every hop, the
    limit of hops still holds."""
    hops = itertools.count()

    def walls(h: Handler) -> None:
        value = cookie % next(hops) if b"%d" in cookie else cookie
        _raw(
            h,
            b"HTTP/1.1 302 Found\r\nSet-Cookie: " + value + b"; Path=/\r\n"
            b"Location: /walls\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
        )

    url = feed_server.add_handler("/walls", walls)
    with pytest.raises(FetchError) as caught:
        fetcher_loopback.fetch(url)
    assert caught.value.outcome is Outcome.BLOCKED
    assert caught.value.message.startswith(said), caught.value.message


# --- cost -----------------------------------------------------------------------------------------


def _tiny_chunks(h: Handler) -> None:
    """A chunked body of 1-byte chunks, without end (until the client leaves)."""
    h.wfile.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
    block = b"1\r\nx\r\n" * 50_000
    with contextlib.suppress(OSError):
        while True:
            h.wfile.write(block)
    h.close_connection = True


def test_a_body_of_endless_one_byte_chunks_is_refused_before_the_deadline(
    feed_server: FeedServer,
) -> None:
    """Each chunk costs h11 ~10 µs of Python: 1-byte chunks without end kept a core busy until
    the deadline (60 s by default), the size cap never near. The body is refused after
    MAX_BODY_PIECES pieces. (The deadline here is long, so only the piece limit can end it as
    TOO_LARGE; without it the fetch ends at the deadline, as TIMEOUT.)"""
    url = feed_server.add_handler("/tiny-chunks", _tiny_chunks)
    config = replace(evil.PROBE_FETCH, read_timeout=60, deadline=60)
    with Fetcher(config, "aggregator-test") as fetcher, pytest.raises(FetchError) as caught:
        fetcher.fetch(url)
    assert caught.value.outcome is Outcome.TOO_LARGE, caught.value.message
    assert f"more than {MAX_BODY_PIECES:,} pieces (1 bytes each" in caught.value.message


def _continue_storm(h: Handler) -> None:
    """100 Continue as fast as the socket takes it, never a final answer."""
    storm = b"HTTP/1.1 100 Continue\r\n\r\n" * 2000
    with contextlib.suppress(OSError):
        while True:
            h.wfile.write(storm)
    h.close_connection = True


def test_1xx_answers_without_end_are_refused_before_the_deadline(feed_server: FeedServer) -> None:
    """h11 reads each 1xx head in ~8 µs of Python, and bounds one head's size, not how many come
    before the final answer: a server sending "100 Continue" without end kept a core busy until
    the deadline (60 s by default; 6.4 s of CPU in a 10 s one). A fetch reads at most MAX_HEAD_BYTES
    before a body. (The deadline here is long, so only that bound can end it, as a protocol
    error; without it the fetch ends at the deadline, as TIMEOUT. ~2.5 s: 2 MiB of heads through
    h11, written by a server thread of the same process.)"""
    url = feed_server.add_handler("/continue-storm", _continue_storm)
    config = replace(evil.PROBE_FETCH, read_timeout=30, deadline=30)
    with Fetcher(config, "aggregator-test") as fetcher, pytest.raises(FetchError) as caught:
        fetcher.fetch(url)
    assert caught.value.outcome is Outcome.CONNECTION_ERROR, caught.value.message
    assert caught.value.message == (
        "127.0.0.1 broke the HTTP protocol: it sent more than 2 MiB of status lines and headers"
        " (1xx answers without end?) before the body"
    )


def test_a_feed_in_many_small_chunks_is_read(
    fetcher_loopback: Fetcher, feed_server: FeedServer
) -> None:
    """A feed written a line at a time (a chunk each, as Node's res.write or PHP's implicit
    flush sends it): more pieces than MAX_BODY_PIECES, of 30 bytes and more, are read whole."""
    lines = [b"<item><title>%d</title></item>\n" % n for n in range(MAX_BODY_PIECES + 20_000)]
    body = b'<?xml version="1.0"?><rss version="2.0"><channel>' + b"".join(lines)
    body += b"</channel></rss>"
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(x), x) for x in lines)

    def writes(h: Handler) -> None:
        head = b'<?xml version="1.0"?><rss version="2.0"><channel>'
        tail = b"</channel></rss>"
        _raw(
            h,
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
            + b"%x\r\n%s\r\n" % (len(head), head)
            + chunks
            + b"%x\r\n%s\r\n0\r\n\r\n" % (len(tail), tail),
        )

    result = fetcher_loopback.fetch(feed_server.add_handler("/lines", writes))
    assert result.body == body


# --- a kept-alive connection closed as it is reused ----------------------------------------------


def test_a_kept_alive_connection_the_server_closed_unanswered_is_asked_again_on_a_new_one() -> None:
    """A server's idle timeout (Apache's and Node's: 5 s, our pool's keepalive_expiry too)
    closes a kept-alive connection just as the next poll reuses it: the request gets no answer.
    That is no failure of the source: the GET is asked again on a new connection. A server that
    closes every connection unanswered still fails, after two tries."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    connections: list[int] = []  # requests answered on each connection, in order
    refuse_all = threading.Event()

    def serve() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            connections.append(0)
            with conn:
                while True:
                    request = b""
                    while b"\r\n\r\n" not in request:
                        data = conn.recv(65536)
                        if not data:
                            break
                        request += data
                    if not request or refuse_all.is_set() or connections[-1] == 1:
                        break  # closed with the request unanswered
                    connections[-1] += 1
                    conn.sendall(
                        b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n"
                        + b"Content-Length: %d\r\n\r\n" % len(FEED)
                        + FEED
                    )

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}/feed.xml"
    try:
        with Fetcher(evil.PROBE_FETCH, "aggregator-test") as fetcher:
            first = fetcher.fetch(url)
            second = fetcher.fetch(url)  # reuses the kept-alive connection
            assert first.body == second.body == FEED
            assert connections == [1, 1]  # the first closed under the second request
            refuse_all.set()
            with pytest.raises(FetchError, match="disconnected without sending a response"):
                fetcher.fetch(url)
            assert connections == [1, 1, 0]  # asked on the kept-alive one, then on a new one
    finally:
        listener.close()
        thread.join(5)
