"""A real loopback HTTP server that plays feed publishers, good and bad.

`FeedServer` is a plain class (start()/stop()), so benchmarks can use it without pytest. As a pytest
plugin this module starts one server per test session and hands each test the `feed_server` fixture
with its routes and request log emptied.

Routes are registered by path (the query string is part of the match when the route names one):

    url = feed_server.add("/feed.xml", b"<rss>…</rss>", etag='"v1"', last_modified="Sat, …")
    feed_server.add("/gone", status=410)
    feed_server.add("/busy", status=429, headers={"Retry-After": "120"})
    feed_server.add("/gz", body, encoding="gzip")            # also "deflate", "deflate-raw", "br"
    feed_server.add("/later", body, before=event.wait)       # answers once before() returns
    feed_server.redirect("/old", "/feed.xml", status=301)    # relative or absolute target
    feed_server.serve_file("/real.xml", corpus / "real" / "x.xml")
    feed_server.bomb("/bomb", encoding="gzip", size=1 << 30) # 1 GB of zeros, compressed lazily
    feed_server.drip("/slow", body, interval=1.0)            # one body byte per interval
    feed_server.endless("/forever")                          # a chunked body that never ends
    feed_server.hang("/black-hole")                          # reads the request, never answers
    feed_server.add_handler("/custom", fn)                   # fn(handler) writes its own response
    feed_server.requests("/feed.xml")                        # what clients sent, headers verbatim

Conditional GET is real: a route with `etag` answers 304 when If-None-Match equals it or lists it
(weak comparison, as RFC 9110 §13.1.2 asks); one with `last_modified` answers 304 when
If-Modified-Since is exactly that string (If-None-Match wins when both are sent). Unknown paths get
404. Everything else about a response is given by `status`, `headers` and `content_type`.
"""

from __future__ import annotations

import contextlib
import gzip
import http.server
import ipaddress
import select
import socket
import sys
import threading
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import brotli
import pytest

Handler = http.server.BaseHTTPRequestHandler
Respond = Callable[[Handler], None]

_NO_BODY_STATUSES = frozenset({204, 304})


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the server received it; header names and values exactly as sent."""

    method: str
    path: str  # the request target, query string included
    headers: tuple[tuple[str, str], ...]
    client_port: int  # the same port on two requests means one reused connection

    def header(self, name: str) -> str | None:
        """Return the first value of header `name` (case-insensitive), or None."""
        wanted = name.lower()
        return next((v for k, v in self.headers if k.lower() == wanted), None)


class FeedServer:
    """A threaded HTTP/1.1 server on a loopback address (127.0.0.1 unless told), random port."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        if not ipaddress.ip_address(host).is_loopback:
            raise ValueError(f"FeedServer serves loopback addresses only, not {host}")
        self.host = host
        self._routes: dict[str, Respond] = {}
        self._log: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._connections: set[socket.socket] = set()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ---------------------------------------------------------------------------

    def start(self) -> FeedServer:
        """Start serving in a background thread; returns self."""
        self._stopping.clear()
        self._httpd = _HTTPServer(self)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, name="feed-server", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, end every streaming or hanging response and close open connections."""
        self._stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        with self._lock:
            connections = list(self._connections)
        for conn in connections:
            with contextlib.suppress(OSError):  # the client may have closed it already
                conn.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join()
        self._httpd = None
        self._thread = None

    def __enter__(self) -> FeedServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def reset(self) -> None:
        """Forget every route and recorded request."""
        with self._lock:
            self._routes.clear()
            self._log.clear()

    # --- addresses and the request log -------------------------------------------------------

    @property
    def port(self) -> int:
        assert self._httpd is not None, "FeedServer is not started"
        return int(self._httpd.server_address[1])

    def url(self, path: str) -> str:
        """The absolute URL of `path` on this server."""
        return f"http://{self.host}:{self.port}{path}"

    def requests(self, path: str | None = None) -> list[RecordedRequest]:
        """Requests received for `path` (its target without the query string), or all of them."""
        with self._lock:
            log = list(self._log)
        if path is None:
            return log
        return [r for r in log if r.path == path or r.path.split("?", 1)[0] == path]

    # --- routes ------------------------------------------------------------------------------

    def add(
        self,
        path: str,
        body: bytes = b"",
        status: int = 200,
        headers: dict[str, str] | None = None,
        *,
        content_type: str | None = "application/xml",
        etag: str | None = None,
        last_modified: str | None = None,
        encoding: str | None = None,
        before: Callable[[], object] | None = None,
    ) -> str:
        """Serve a fixed response at `path`, conditional when validators are given; returns its URL.

        `encoding` compresses the body: "gzip", "deflate" (zlib-wrapped, as RFC 9110 says),
        "deflate-raw" (bare deflate labelled "deflate", as some servers send) or "br".
        `content_type=None` sends no Content-Type. A route with status 304 and no validators is a
        server that answers 304 without repeating them. `before` is called (in the request's
        thread) before each answer: a test holds answers back with it, or notes when they came.
        """
        base = _base_headers(content_type, headers, etag=etag, last_modified=last_modified)
        if encoding is not None:
            body, label = _compress(body, encoding)
            base.append(("Content-Encoding", label))

        def respond(h: Handler) -> None:
            if before is not None:
                before()
            if _not_modified(h, etag, last_modified):
                _send(h, 304, [(k, v) for k, v in base if k != "Content-Type"], b"")
            else:
                _send(h, status, base, body)

        return self.add_handler(path, respond)

    def serve_file(
        self,
        path: str,
        file_path: str | Path,
        content_type: str | None = "application/xml",
        *,
        status: int = 200,
        headers: dict[str, str] | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
        encoding: str | None = None,
    ) -> str:
        """Serve the bytes of `file_path` (read now) at `path`, like add(); returns its URL."""
        body = Path(file_path).read_bytes()
        return self.add(
            path,
            body,
            status,
            headers,
            content_type=content_type,
            etag=etag,
            last_modified=last_modified,
            encoding=encoding,
        )

    def redirect(self, path: str, to: str, status: int = 302) -> str:
        """Answer `path` with a redirect whose Location is `to`, verbatim; returns its URL."""

        def respond(h: Handler) -> None:
            _send(h, status, [("Location", to), ("Content-Type", "text/plain")], b"moved\n")

        return self.add_handler(path, respond)

    def bomb(
        self,
        path: str,
        encoding: str = "gzip",
        size: int = 1 << 30,
        content_type: str = "application/xml",
    ) -> str:
        """Serve `size` zero bytes compressed with `encoding` ("gzip", "deflate" or "br").

        The compressed stream is produced lazily while it is sent, so neither side of the server
        ever holds the decoded size; it stops as soon as the client goes away.
        """
        if encoding not in ("gzip", "deflate", "br"):
            raise ValueError(f"unsupported bomb encoding {encoding!r}")

        def respond(h: Handler) -> None:
            chunks = _zeros_brotli(size) if encoding == "br" else _zeros_zlib(size, encoding)
            # Big writes, so one read by the client holds a lot of the bomb: a client that
            # decodes a whole read at once then expands it to hundreds of megabytes.
            chunks = _batched(chunks, 64 * 1024)
            headers = [("Content-Type", content_type), ("Content-Encoding", encoding)]
            self._stream(h, headers, chunks)

        return self.add_handler(path, respond)

    def encoded_forever(self, path: str, first: bytes, then: bytes, encoding: str) -> str:
        """Serve `first`, then `then` again and again (until the client leaves or the server
        stops), labelled Content-Encoding `encoding`: bytes as they go on the wire."""

        def forever() -> Iterator[bytes]:
            yield first
            while True:
                yield then

        def respond(h: Handler) -> None:
            headers = [("Content-Type", "application/rss+xml"), ("Content-Encoding", encoding)]
            self._stream(h, headers, forever())

        return self.add_handler(path, respond)

    def drip(
        self,
        path: str,
        body: bytes = b"<rss>" + b" " * 1000 + b"</rss>",
        interval: float = 1.0,
        content_type: str = "application/xml",
    ) -> str:
        """Send the headers (with the full Content-Length) now, then one body byte per interval."""

        def respond(h: Handler) -> None:
            headers = [("Content-Type", content_type), ("Content-Length", str(len(body)))]
            _send_head(h, 200, headers)
            for i in range(len(body)):
                if self._stopping.wait(interval) or not _write(h, body[i : i + 1]):
                    h.close_connection = True
                    return

        return self.add_handler(path, respond)

    def endless(
        self,
        path: str,
        chunk: bytes = b"<item><title>again</title></item>\n" * 100,
        content_type: str = "application/rss+xml",
    ) -> str:
        """Stream a chunked body that never ends (until the client leaves or the server stops)."""

        def forever() -> Iterator[bytes]:
            yield b"<?xml version='1.0'?><rss><channel>\n"
            while True:
                yield chunk

        def respond(h: Handler) -> None:
            self._stream(h, [("Content-Type", content_type)], forever())

        return self.add_handler(path, respond)

    def hang(self, path: str) -> str:
        """Read the request and never answer it (until the client leaves or the server stops)."""

        def respond(h: Handler) -> None:
            h.close_connection = True
            while not self._stopping.is_set():
                readable, _, _ = select.select([h.connection], [], [], 0.2)
                if readable and not h.connection.recv(1, socket.MSG_PEEK):
                    return  # the client gave up and closed the connection

        return self.add_handler(path, respond)

    def add_handler(self, path: str, respond: Respond) -> str:
        """Route `path` to `respond(handler)`, which writes a whole response; returns its URL.

        The escape hatch for behaviours the other methods lack. `handler` is the request's
        http.server.BaseHTTPRequestHandler; the request is already recorded.
        """
        with self._lock:
            self._routes[path] = respond
        return self.url(path)

    # --- internals ---------------------------------------------------------------------------

    def _handle(self, h: Handler) -> None:
        record = RecordedRequest(
            method=h.command,
            path=h.path,
            headers=tuple(h.headers.items()),
            client_port=int(h.client_address[1]),
        )
        with self._lock:
            self._log.append(record)
            respond = self._routes.get(h.path) or self._routes.get(h.path.split("?", 1)[0])
        if respond is None:
            _send(h, 404, [("Content-Type", "text/plain")], b"no such route\n")
        else:
            respond(h)

    def _stream(self, h: Handler, headers: list[tuple[str, str]], chunks: Iterable[bytes]) -> None:
        """Send `chunks` with chunked transfer coding until they end or the client goes away."""
        _send_head(h, 200, [*headers, ("Transfer-Encoding", "chunked")])
        if h.command == "HEAD":
            return
        for chunk in chunks:
            if not chunk:
                continue
            if self._stopping.is_set() or not _write(h, b"%x\r\n%s\r\n" % (len(chunk), chunk)):
                h.close_connection = True
                return
        _write(h, b"0\r\n\r\n")

    def _track(self, conn: socket.socket, open_: bool) -> None:
        with self._lock:
            if open_:
                self._connections.add(conn)
            else:
                self._connections.discard(conn)


class _RequestHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so clients can pool connections
    # TCP_NODELAY, as real servers set it on kept-alive connections (nginx's tcp_nodelay):
    # without it, the tail of a response written after its headers waits for the client's
    # delayed ACK, ~40 ms per response on Linux (bench/ingest.py measured it as fetch time).
    disable_nagle_algorithm = True
    server: _HTTPServer

    def setup(self) -> None:
        super().setup()
        self.server.owner._track(self.connection, True)

    def finish(self) -> None:
        self.server.owner._track(self.connection, False)
        super().finish()

    def do_GET(self) -> None:
        self.server.owner._handle(self)

    do_HEAD = do_GET
    do_POST = do_GET  # (a route's handler reads the body: a WebSub hub's pings)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # tests read requests(), not stderr


class _HTTPServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, owner: FeedServer) -> None:
        self.owner = owner
        super().__init__((owner.host, 0), _RequestHandler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            return  # a client that went away mid-response is what several routes provoke
        super().handle_error(request, client_address)


# --- response writing --------------------------------------------------------------------------


def _base_headers(
    content_type: str | None,
    extra: dict[str, str] | None,
    *,
    etag: str | None,
    last_modified: str | None,
) -> list[tuple[str, str]]:
    headers: list[tuple[str, str]] = []
    if content_type is not None:
        headers.append(("Content-Type", content_type))
    if etag is not None:
        headers.append(("ETag", etag))
    if last_modified is not None:
        headers.append(("Last-Modified", last_modified))
    headers.extend((extra or {}).items())
    return headers


def _send_head(h: Handler, status: int, headers: list[tuple[str, str]]) -> None:
    h.send_response(status)
    for name, value in headers:
        h.send_header(name, value)
    h.end_headers()


def _send(h: Handler, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
    if status in _NO_BODY_STATUSES:
        _send_head(h, status, headers)
        return
    _send_head(h, status, [*headers, ("Content-Length", str(len(body)))])
    if h.command != "HEAD":
        _write(h, body)


def _write(h: Handler, data: bytes) -> bool:
    """Write and flush; False when the client has gone away."""
    try:
        h.wfile.write(data)
        h.wfile.flush()
    except (ConnectionError, TimeoutError):
        return False
    return True


def _not_modified(h: Handler, etag: str | None, last_modified: str | None) -> bool:
    if_none_match = h.headers.get("If-None-Match")
    if if_none_match is not None:
        return etag is not None and _etag_listed(if_none_match, etag)
    if_modified_since = h.headers.get("If-Modified-Since")
    return last_modified is not None and if_modified_since == last_modified


def _etag_listed(if_none_match: str, etag: str) -> bool:
    """Weak comparison of `etag` against an If-None-Match value (exact string first)."""
    if if_none_match == etag or if_none_match.strip() == "*":
        return True

    def opaque(tag: str) -> str:
        tag = tag.strip()
        return tag[2:] if tag.startswith("W/") else tag

    return opaque(etag) in {opaque(t) for t in if_none_match.split(",")}


# --- compressed bodies -------------------------------------------------------------------------


def _compress(body: bytes, encoding: str) -> tuple[bytes, str]:
    """Return (compressed body, Content-Encoding label)."""
    if encoding == "gzip":
        return gzip.compress(body), "gzip"
    if encoding == "deflate":
        return zlib.compress(body), "deflate"
    if encoding == "deflate-raw":
        c = zlib.compressobj(wbits=-zlib.MAX_WBITS)
        return c.compress(body) + c.flush(), "deflate"
    if encoding == "br":
        return brotli.compress(body), "br"
    raise ValueError(f"unsupported encoding {encoding!r}")


_ZERO_BLOCK = bytes(1 << 20)


def _zeros_zlib(size: int, encoding: str) -> Iterator[bytes]:
    """Yield a gzip or zlib stream of `size` zero bytes without compressing them all.

    One MiB of zeros is compressed once and closed with Z_FULL_FLUSH, which byte-aligns the
    output and resets the history, so the same segment can simply be repeated. Only the
    checksum has to look at the decoded size, one block at a time, as the segments go out.
    """
    blocks, rest = divmod(size, len(_ZERO_BLOCK))
    raw = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    segment = raw.compress(_ZERO_BLOCK) + raw.flush(zlib.Z_FULL_FLUSH)
    tail = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    last = tail.compress(_ZERO_BLOCK[:rest]) + tail.flush()

    gz = encoding == "gzip"
    # gzip header: magic, deflate, no flags, no mtime, no extra flags, unknown OS (RFC 1952);
    # zlib header: 32 KiB window deflate, best compression, check bits (RFC 1950).
    yield b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff" if gz else b"\x78\xda"
    check = zlib.crc32(b"") if gz else zlib.adler32(b"")
    for _ in range(blocks):
        check = zlib.crc32(_ZERO_BLOCK, check) if gz else zlib.adler32(_ZERO_BLOCK, check)
        yield segment
    tail_bytes = _ZERO_BLOCK[:rest]
    check = zlib.crc32(tail_bytes, check) if gz else zlib.adler32(tail_bytes, check)
    if gz:
        yield last + check.to_bytes(4, "little") + (size & 0xFFFFFFFF).to_bytes(4, "little")
    else:
        yield last + check.to_bytes(4, "big")


def _batched(chunks: Iterable[bytes], size: int) -> Iterator[bytes]:
    """Regroup `chunks` into pieces of at least `size` bytes (the last may be shorter)."""
    pending = bytearray()
    for chunk in chunks:
        pending += chunk
        if len(pending) >= size:
            yield bytes(pending)
            pending.clear()
    yield bytes(pending)


def _zeros_brotli(size: int) -> Iterator[bytes]:
    """Yield a brotli stream of `size` zero bytes, compressed as it goes (quality 1 is fast)."""
    compressor = brotli.Compressor(quality=1)
    blocks, rest = divmod(size, len(_ZERO_BLOCK))
    for _ in range(blocks):
        yield compressor.process(_ZERO_BLOCK)
    yield compressor.process(_ZERO_BLOCK[:rest]) + compressor.finish()


# --- pytest plugin -----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def _feed_server_session() -> Iterator[FeedServer]:
    with FeedServer() as server:
        yield server


@pytest.fixture
def feed_server(_feed_server_session: FeedServer) -> FeedServer:
    """The session's loopback feed server, with no routes and an empty request log."""
    _feed_server_session.reset()
    return _feed_server_session
