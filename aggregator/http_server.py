"""How the web process is served: gunicorn with a worker that no slow client can starve.

`aggregator web` (the Procfile's web process, and `aggregator run`'s) execs `gunicorn_command()`.

Why this worker. gunicorn's default sync worker reads a request on the worker itself: two
clients trickling their headers one line every few seconds held both workers, and /healthz
answered nothing until gunicorn's 30 s worker timeout (issue 11). Here every connection is a
gevent greenlet (a few KiB), so a slow client holds only itself, and `Worker` bounds it:

- request line and headers must arrive within `WEB_HEADER_TIMEOUT` seconds (also how long an idle
  kept-alive connection stays open), else the connection is closed, counted and logged
  (`Worker._timed_out`); a request that arrived in time but was not read yet, the loop busy
  with a flood, is read (`HeaderDeadline`);
- the whole body is read *before* the app runs, within `WEB_BODY_TIMEOUT` seconds (else 408), so
  the app never waits on a client, and at most `WEB_MAX_BODY_BYTES` of it (else 413: from
  Content-Length before reading anything, so a 100 MB POST costs nothing, or once a chunked body
  passes the limit); only a POST (the admin's forms) has a body: any other request with one is
  a 413 at once (bodies sent with GETs and held for the body timeout kept ~1.5 MB each in
  memory: ~150 MB per address and worker);
- one address holds at most `WEB_MAX_CONNECTIONS_PER_ADDRESS` connections of a worker (its
  next ones are closed at once): one host's slowloris cannot take the worker's
  `WEB_WORKER_CONNECTIONS`, only its own share (off behind a trusted proxy, where every connection
  comes from the proxy; the proxy limits per client there);
- a worker that is full makes room: each new connection closes the longest-waiting connection
  still sending its headers (or idle between requests) of the client holding the most such
  ones, so a slowloris spread over a dozen addresses, each within its share, cannot keep the
  worker full and every other client in the listen backlog (a security review: 12 addresses x
  200 slow connections made /healthz take 1.7-7.5 s; 30 addresses, 9-10 s), but a client's
  one connection before `HEADERS_GRACE`; failing such a connection, a request body of the
  client sending the most (when it sends several) or still coming after `STALLED_SECONDS` (an
  admin's form takes well under one), then an answer stalled that long on a client that reads
  nothing; failing all, the worker looks again every `ROOM_CHECK_SECONDS` and whenever a
  connection waits for its client again; an answer being rendered, or sent to a client that
  reads, is never closed for room;
- no send (nor read) on a connection waits more than `WEB_SEND_TIMEOUT` seconds: a client that
  stops reading (a pipeline of large feeds it never reads) is closed, not held forever;
- the kernel holds at most `SEND_BUFFER_BYTES` (x2) of a connection's answer, not a whole feed
  (autotuned, 2,500 clients reading nothing of a 1 MB feed took 2.16 GB of the host's TCP
  memory: a review), and a connection closed with its answer unread (stalled, timed out) is
  reset, not left to the kernel as an orphan holding it;
- request lines and header fields keep gunicorn's size limits.

A reverse proxy in front (nginx, a CDN) adds TLS, buffering and per-address connection limits;
see the README's production notes. `bench/serve.py` measures this same command.
"""

from __future__ import annotations

import _socket
import contextlib
import fcntl
import io
import ipaddress
import os
import struct
import sys
import termios
import time
from collections.abc import Iterator
from typing import Any

from aggregator.errors import SettingExit

APP = "aggregator.web:create_app()"
WORKER_CLASS = "aggregator.http_server.Worker"
LOGGER_CLASS = "aggregator.http_server.Logger"

HEADER_TIMEOUT_ENV = "WEB_HEADER_TIMEOUT"
BODY_TIMEOUT_ENV = "WEB_BODY_TIMEOUT"
MAX_BODY_ENV = "WEB_MAX_BODY_BYTES"
SEND_TIMEOUT_ENV = "WEB_SEND_TIMEOUT"
PER_ADDRESS_ENV = "WEB_MAX_CONNECTIONS_PER_ADDRESS"
WORKER_CONNECTIONS_ENV = "WEB_WORKER_CONNECTIONS"
MAX_HEADER_FIELDS = 50
TRUSTED_PROXIES_ENV = "WEB_TRUSTED_PROXIES"
RENDERS_PER_CLIENT_ENV = "WEB_RENDERS_PER_CLIENT"
# Where a rendered page's request keeps, for its access log line, the milliseconds it waited
# in the render line and held its render slot (web.render_slot).
WAITED_MS = "aggregator.waited_ms"
RENDER_MS = "aggregator.render_ms"
DEFAULT_HEADER_TIMEOUT = 10.0
DEFAULT_BODY_TIMEOUT = 30.0
DEFAULT_SEND_TIMEOUT = 60.0  # a 1 MB feed to a client reading 17 KB/s
# The largest body the app accepts: its forms (admin login and actions) are a few hundred bytes.
DEFAULT_MAX_BODY_BYTES = 64 * 1024  # the admin's forms are a few hundred bytes
DEFAULT_WORKER_CONNECTIONS = 1000  # per worker process; beyond, one waiting is closed for room
DEFAULT_PER_ADDRESS = 100  # a tenth of them: a NAT or office shares an address, a browser uses 6
DEFAULT_RENDERS_PER_CLIENT = 8  # pages and uncached feeds at once per client (web.render_slot)
# The kernel's send buffer of a client connection (Linux doubles it for its bookkeeping). Left to
# autotuning, it grew to hold a whole 1 MB feed for a client that reads nothing: 2,500 such
# connections took 2.16 GB of the host's 2.25 GB of TCP memory (a review). 256 KiB still sends
# 2.5 MB/s to a client 100 ms away; a slower send waits in the worker, where it has deadlines.
SEND_BUFFER_BYTES = 128 * 1024
# A full worker may close a connection whose answer has waited this long on its client, the
# kernel's buffer full (when none is waiting for its client's next request or body).
STALLED_SECONDS = 5.0
ROOM_CHECK_SECONDS = 0.5  # how often a full worker that owes room looks again
HEADERS_GRACE = 0.5  # seconds a client's one connection waits for headers before it may be closed
LOG_EVERY = 10.0  # seconds: a kind of closing logs one line in as many, however many it closes


def _number(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingExit(f"aggregator: {name}={raw!r} is not a number") from None
    if value <= 0:
        raise SettingExit(f"aggregator: {name} must be positive, got {raw}")
    return value


def header_timeout() -> float:
    """Seconds a client has to send its request line and headers."""
    return _number(HEADER_TIMEOUT_ENV, DEFAULT_HEADER_TIMEOUT)


def body_timeout() -> float:
    """Seconds a client has to send the whole body of its request."""
    return _number(BODY_TIMEOUT_ENV, DEFAULT_BODY_TIMEOUT)


def send_timeout() -> float:
    """Seconds one send (or read) on a client's connection may wait."""
    return _number(SEND_TIMEOUT_ENV, DEFAULT_SEND_TIMEOUT)


def worker_connections() -> int:
    """Connections one web worker holds open at once (gunicorn's --worker-connections)."""
    raw = os.environ.get(WORKER_CONNECTIONS_ENV, "").strip() or str(DEFAULT_WORKER_CONNECTIONS)
    if not raw.isdecimal() or not raw.isascii() or int(raw) < 2:
        raise SettingExit(
            f"aggregator: {WORKER_CONNECTIONS_ENV}={raw!r}: a whole number of connections per web"
            f" worker, at least 2 (default {DEFAULT_WORKER_CONNECTIONS})"
        )
    return int(raw)


def max_connections_per_address() -> int:
    """Connections one client address may hold in a worker; 0: no limit (behind a proxy)."""
    raw = os.environ.get(PER_ADDRESS_ENV, "").strip() or str(DEFAULT_PER_ADDRESS)
    if not raw.isdecimal() or not raw.isascii():
        raise SettingExit(
            f"aggregator: {PER_ADDRESS_ENV}={raw!r}: a whole number of connections, 0 for no limit"
        )
    return 0 if trusted_proxies() else int(raw)


def renders_per_client() -> int:
    """Renders one client may have running or in line in a worker (web.render_slot); 0: no
    limit (a load test from one address)."""
    raw = os.environ.get(RENDERS_PER_CLIENT_ENV, "").strip() or str(DEFAULT_RENDERS_PER_CLIENT)
    if not raw.isdecimal() or not raw.isascii():
        raise SettingExit(
            f"aggregator: {RENDERS_PER_CLIENT_ENV}={raw!r}: a whole number of renders, 0 for no"
            " limit"
        )
    return int(raw)


def max_body_bytes() -> int:
    """The largest request body accepted (also Flask's MAX_CONTENT_LENGTH)."""
    return int(_number(MAX_BODY_ENV, DEFAULT_MAX_BODY_BYTES))


def trusted_proxies() -> int:
    """How many reverse proxies in front append to X-Forwarded-For (0: the header is ignored).

    Only the last N addresses of the header are believed, the ones our own proxies wrote: a
    client can put anything before them. The admin's failed-login throttle counts per address.
    """
    raw = os.environ.get(TRUSTED_PROXIES_ENV, "").strip() or "0"
    if not raw.isascii() or not raw.isdecimal() or int(raw) > 10:
        raise SettingExit(
            f"aggregator: {TRUSTED_PROXIES_ENV}={raw!r}: the number of reverse proxies in front"
            " of the web server, 0 to 10 (1 for one nginx)"
        )
    return int(raw)


def check_settings() -> None:
    """Stop with a message naming the variable when ADMIN_TOKEN or a web limit is wrong.

    `aggregator web` checks before it starts gunicorn (a message, not a worker traceback), and
    `aggregator run` before it starts anything (not a web process restarted until it gives up).
    """
    from aggregator.metrics import check_heartbeats
    from aggregator.redis_server import redis_url, silent_seconds
    from aggregator.web.admin import check_admin_token

    check_admin_token()
    check_heartbeats()
    silent_seconds()  # (read by the workers and the scheduler: `run` stops here, once)
    redis_url()  # a REDIS_URL of no scheme redis-py knows stops here, once
    header_timeout()
    body_timeout()
    send_timeout()
    worker_connections()
    max_connections_per_address()
    renders_per_client()
    max_body_bytes()
    trusted_proxies()


def gunicorn_command(host: str, port: int, workers: int, app: str = APP) -> list[str]:
    """The gunicorn command line of the web process (what `aggregator web` execs)."""
    check_settings()
    keepalive = header_timeout()
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        WORKER_CLASS,
        "--worker-connections",
        str(worker_connections()),
        # gevent workers bound the wait for a request's headers by the keep-alive setting.
        "--keep-alive",
        f"{keepalive:g}",
        # At most 50 header fields (gunicorn's 100 of 8 KB each let one request's headers be
        # 800 KB, which its parser reads in time growing as their square: 71 ms of a worker's
        # loop each, and 60 such clients made /healthz take 1-3.6 s; a review). Browsers send
        # about 15, a chain of proxies adds a dozen.
        "--limit-request-fields",
        str(MAX_HEADER_FIELDS),
        "--access-logfile",
        "-",
        # Its own lines and each request's in our format (logs.py), not Apache's and its own.
        "--logger-class",
        LOGGER_CLASS,
        # No client's headers set the app's root or path: gunicorn takes SCRIPT_NAME, PATH_INFO
        # and X-Forwarded-Proto from 127.0.0.1 by default, so behind a same-host proxy that
        # passes them, a client's "SCRIPT_NAME: //evil.example" rewrote every link. Trusted
        # proxies give the client's address through [serve] trusted_proxies (ProxyFix) only.
        "--forwarded-allow-ips",
        "",
        # gunicorn 24+ opens a control socket at one path per user (~/.gunicorn/gunicorn.ctl):
        # a second instance took it over and, stopping, deleted the first one's. Unused here.
        "--no-control-socket",
        app,
    ]


# gevent and gunicorn's gevent worker are imported when gunicorn's master loads WORKER_CLASS,
# never by the CLI or the app; and nothing that imports redis-py may be (see Worker).
def __getattr__(name: str) -> Any:
    if name == "Worker":
        return _worker_class()
    if name == "Logger":
        return _logger_class()
    raise AttributeError(name)


def _logger_class() -> type[Any]:
    from gunicorn import glogging

    from aggregator import logs  # (both import only the standard library)
    from aggregator.redact import public_text

    class Logger(glogging.Logger):  # type: ignore[misc]
        """gunicorn's logs as every process writes them: one key=value or JSON line an event
        (its startup lines and each request's were Apache's and its own, which a JSON log
        pipeline could not read), with a request's secret query values masked (an admin token
        someone tried in a URL was written whole)."""

        def setup(self, cfg: Any) -> None:
            super().setup(cfg)
            logs.configure("web")  # the app's own loggers too, in the master and its workers
            handler = logs.stderr_handler("web")
            for log in (self.error_log, self.access_log):
                log.handlers[:] = [handler]
                log.propagate = False

        def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> None:
            if not self.access_log_enabled:
                return
            code = str(resp.status).split(" ", 1)[0]
            query = environ.get("QUERY_STRING", "")
            target = environ.get("PATH_INFO", "") + (f"?{query}" if query else "")
            self.access_log.info(
                "request",
                extra={
                    "fields": {
                        "client": environ.get("REMOTE_ADDR", ""),
                        "method": environ.get("REQUEST_METHOD", ""),
                        "path": public_text(target),
                        "status": int(code) if code.isdigit() else code,
                        "bytes": getattr(resp, "sent", 0),
                        "duration_ms": round(request_time.total_seconds() * 1000, 1),
                        "user_agent": environ.get("HTTP_USER_AGENT", ""),
                        # (a page rendered for it: how long it waited for a slot, and rendered)
                        **{
                            field: environ[key]
                            for field, key in (("waited_ms", WAITED_MS), ("render_ms", RENDER_MS))
                            if key in environ
                        },
                    }
                },
            )

    return Logger


def _worker_class() -> type[Any]:
    import gevent
    from gunicorn.http.errors import NoMoreData
    from gunicorn.util import write_error
    from gunicorn.workers.ggevent import GeventWorker

    class Worker(GeventWorker):  # type: ignore[misc]
        """gunicorn's gevent worker with a header deadline, bodies read before dispatch, a send
        deadline, a per-address share of its connections, and room made when it is full.

        gunicorn's master loads this class before it forks; the worker patches the standard
        library for gevent after. A module imported by then keeps what it bound unpatched:
        redis-py's retry backoff slept with the blocking `time.sleep` and froze the worker.
        """

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.per_address = max_connections_per_address()
            self.send_timeout = send_timeout()  # read once, not per request
            self.held: dict[str, int] = {}  # open connections by client address
            self.capped: set[str] = set()  # addresses at the limit (logged once each time)
            # Each open connection's greenlet -> (its client, its socket).
            self.connections: dict[Any, tuple[str, Any]] = {}
            # Connections waiting for a request's line and headers, by client, oldest first
            # (a dict keeps its insertion order), since when: what a full worker may close.
            self.waiting: dict[str, dict[Any, float]] = {}
            # Connections reading a request's body, the same way; and those being answered ->
            # since when, oldest first.
            self.bodies: dict[str, dict[Any, float]] = {}
            self.answering: dict[Any, float] = {}
            # Room a full worker owes: it found no connection to close when one more came in,
            # and gevent accepts nothing more until one ends (_make_room).
            self.room_owed = False
            self.room_watch: Any = None  # the greenlet looking for room while it is owed
            self.room_lines = _Lines()
            # Connections that had a request: their wait for the next one is idle time.
            self.kept_alive: set[Any] = set()
            self.header_lines = _Lines()
            self.quitting = False

        def handle_quit(self, sig: Any, frame: Any) -> None:
            # Ctrl-C reaches the worker twice, from the terminal and from the master: the
            # second quit's sys.exit ran in a greenlet while the first was ending the process,
            # and gevent printed a traceback of it. One quit is enough.
            if not self.quitting:
                self.quitting = True
                super().handle_quit(sig, frame)

        def handle(self, listener: Any, client: Any, addr: Any) -> None:
            address = _client_key(addr)
            held = self.held.get(address, 0)
            if self.per_address and held >= self.per_address:
                if address not in self.capped:
                    self.capped.add(address)
                    self.log.warning("%s holds %d connections: closing more", address, held)
                client.close()
                _count_closed("per_address")
                return
            self.held[address] = held + 1
            with contextlib.suppress(OSError):
                client.setsockopt(_socket.SOL_SOCKET, _socket.SO_SNDBUF, SEND_BUFFER_BYTES)
            greenlet = gevent.getcurrent()
            self.connections[greenlet] = (address, client)
            if len(self.connections) >= self.worker_connections:
                # Full: gevent accepts nothing more until a connection ends. End one.
                self._make_room()
            try:
                super().handle(listener, client, addr)
            finally:
                del self.connections[greenlet]
                self.kept_alive.discard(greenlet)
                self.room_owed = False  # room made: gevent accepts again
                self.held[address] -= 1
                if not self.held[address]:
                    del self.held[address]
                if self.held.get(address, 0) < self.per_address:
                    self.capped.discard(address)

        def _make_room(self) -> None:
            """Close the longest-waiting connection of the client with the most connections
            waiting for a request's line and headers (or idle before one). Failing that, the
            oldest body of the client sending the most bodies, when it sends several, or else
            one still coming after STALLED_SECONDS (an admin's form takes well under a second:
            closed like headers, a login's body was the one waiting connection under churn, and
            the admin got an error page; a review). Failing that, the longest-stalled answer,
            one that has waited STALLED_SECONDS or more on a client that reads nothing (its
            kernel buffer full). Failing all, look again every ROOM_CHECK_SECONDS, and as soon
            as a connection waits for its client (_waiting), until one ends by itself.

            Oldest first: a slowloris must open a worker's worth of new connections before a
            reader's, sent at once, is the oldest. The client with the most first: a reader's
            one connection is not closed while an attacker has two waiting.
            """
            victim = self._victim()
            if victim is not None:
                self._close_for_room(*victim)
            elif not self.room_owed:
                # gevent accepts nothing more meanwhile, so no new connection would look again:
                # kept-alive clients re-asking every few seconds, each answered when the worker
                # filled, held it for good (a security review: 3,000 of them from 30 addresses
                # left /healthz unanswered for the 38 s it was tried).
                self.room_owed = True
                if self.room_watch is None or self.room_watch.dead:
                    self.room_watch = gevent.spawn(self._owe_room)

        def _close_for_room(self, greenlet: Any, client: str, stalled: bool) -> None:
            # Shut down under it: its read ends as at a client's hang-up, and gunicorn closes
            # the connection without a word (were its headers done meanwhile, its answer meets
            # a closed socket, as a hung-up client's does). Killing its greenlet threw into it
            # at whatever it ran when the kill landed (GreenletExit: a 500 and a traceback);
            # gevent's own shutdown cancels the read with EBADF, which gunicorn logs in full:
            # so on the file descriptor. A stalled answer is reset, its buffer dropped.
            with contextlib.suppress(OSError):  # (already closed by its client)
                raw = _socket.socket(fileno=self.connections[greenlet][1].fileno())
                try:
                    if stalled:
                        raw.setsockopt(_socket.SOL_SOCKET, _socket.SO_LINGER, _NO_LINGER)
                    raw.shutdown(_socket.SHUT_RDWR)
                finally:
                    raw.detach()  # (the connection's socket still owns the descriptor)
            _count_closed("room")
            if closed := self.room_lines.due():
                self.log.warning(
                    "full (%d connections): closed %d waiting for their clients to make room"
                    " since the last such line, the last of them from %s",
                    len(self.connections),
                    closed,
                    client,
                )

        def _victim(self) -> tuple[Any, str, bool] | None:
            """The connection to close for room, its client, and whether its answer stalled.
            Not the one connection of a client, waiting for headers for less than HEADERS_GRACE
            seconds, its request likely on its way: a reader's fresh connection was closed for
            room while an attacker held a hundred slow bodies (a review)."""
            now = time.monotonic()
            since = now - STALLED_SECONDS
            picked = _oldest_of_most(self.waiting)
            if picked is not None:
                greenlet, client, started = picked
                if len(self.waiting[client]) > 1 or started <= now - HEADERS_GRACE:
                    _forget(self.waiting, greenlet, client)  # (not picked twice before it ends)
                    return greenlet, client, False
            # A body: of a client sending several at once (a reader's form is one), or stalled.
            picked = _oldest_of_most(self.bodies)
            if picked is not None:
                greenlet, client, started = picked
                if len(self.bodies[client]) > 1 or started <= since:
                    _forget(self.bodies, greenlet, client)
                    return greenlet, client, False
            for greenlet, started in self.answering.items():
                if started > since:
                    break
                if _unsent(self.connections[greenlet][1]):
                    del self.answering[greenlet]
                    return greenlet, self.connections[greenlet][0], True
            return None

        def _client_of(self, greenlet: Any) -> str:
            return self.connections[greenlet][0] if greenlet in self.connections else ""

        def _owe_room(self) -> None:
            # Until room is made, here or as a connection waits again, or a connection ends.
            while self.room_owed:
                gevent.sleep(ROOM_CHECK_SECONDS)
                victim = self._victim() if self.room_owed else None
                if victim is not None:
                    self.room_owed = False
                    self._close_for_room(*victim)

        @contextlib.contextmanager
        def _waiting(self) -> Iterator[None]:
            """While inside, this connection waits for its client's request line and headers
            (or the idle time before them): one a full worker may close (_make_room). A
            connection coming to wait pays any room the worker owes, with the connection
            _victim picks (never itself, not waiting yet: it may be the one the worker let in)."""
            greenlet = gevent.getcurrent()
            client = self._client_of(greenlet)
            if self.room_owed and (victim := self._victim()):
                self.room_owed = False  # (the room-owing greenlet ends)
                self._close_for_room(*victim)
            self.waiting.setdefault(client, {})[greenlet] = time.monotonic()
            try:
                yield
            finally:
                _forget(self.waiting, greenlet, client)

        @contextlib.contextmanager
        def timeout_ctx(self) -> Iterator[None]:
            # Used around reading each request's line and headers (and the idle wait before
            # one on a kept-alive connection); timing out quietly closes the connection.
            greenlet = gevent.getcurrent()
            deadline = HeaderDeadline(self.connections[greenlet][1], header_timeout())
            with self._waiting(), deadline:
                yield
            if deadline.passed:
                _reset_if_unsent(greenlet, self.connections)
                self._timed_out(greenlet, deadline.seconds)

        def _timed_out(self, greenlet: Any, seconds: float) -> None:
            """Count (and log, a line every LOG_EVERY s) a connection the header deadline
            closes: it closed them without a word, and a reader's connection closed in a flaky
            test left no trace, nor could an operator see slowloris-style clients (session 40).
            A kept-alive connection whose next request did not come is `idle` (a client done
            with it: no line); one whose first request's line and headers did not come in time,
            `header_timeout` (a slowloris, or a client that connected and sent nothing)."""
            if greenlet in self.kept_alive:
                _count_closed("idle")
                return
            _count_closed("header_timeout")
            if closed := self.header_lines.due():
                self.log.warning(
                    "closed %s: no request line and headers within %g s (since the last"
                    " such line; the last from %s)",
                    "1 connection" if closed == 1 else f"{closed} connections",
                    seconds,
                    self._client_of(greenlet),
                )

        def handle_request(self, listener_name: Any, req: Any, sock: Any, addr: Any) -> Any:
            # (not in handle(): GeventWorker's makes the socket blocking, without a timeout)
            sock.settimeout(self.send_timeout)  # the header and body deadlines are shorter
            greenlet = gevent.getcurrent()
            self.answering[greenlet] = time.monotonic()
            self.kept_alive.add(greenlet)
            try:
                handled = self._handle_request(listener_name, req, sock, addr)
            except TimeoutError:  # the client read nothing for send_timeout seconds
                self.log.info("closed %s: it read nothing for %g s", addr, self.send_timeout)
                _reset_if_unsent(greenlet, self.connections)
                _count_closed("send_timeout")
                raise StopIteration() from None  # gunicorn closes the connection
            finally:
                self.answering.pop(greenlet, None)
            # (The connection stays open: gunicorn ends one by StopIteration.) Its next request
            # waits for the loop's other events, new connections first: a client that sends it
            # before our greenlet reads never lets it block, and 40 such connections kept every
            # other client in the listen backlog, /healthz too, as long as they went on.
            gevent.idle()
            return handled

        def _handle_request(self, listener_name: Any, req: Any, sock: Any, addr: Any) -> Any:
            limit = max_body_bytes() if req.method == "POST" else 0
            declared = _content_length(req)
            if limit == 0 and declared:
                write_error(sock, 413, "Content Too Large", f"A {req.method} takes no body.")
                raise NoMoreData()  # gunicorn closes the connection
            if declared is not None and declared > limit:
                # The app answers 413 from Content-Length (MAX_CONTENT_LENGTH) without reading;
                # the unread body makes the connection unusable afterwards.
                req.must_close = True
            elif req.body is not None:
                body = None
                # (A body may be closed for room: _victim.)
                greenlet = gevent.getcurrent()
                client = self._client_of(greenlet)
                self.bodies.setdefault(client, {})[greenlet] = time.monotonic()
                try:
                    with gevent.Timeout(body_timeout(), False):  # False: leaves body None
                        body = req.body.read(limit + 1)
                finally:
                    _forget(self.bodies, greenlet, client)
                if body is None:
                    write_error(sock, 408, "Request Timeout", "The request body came too slowly.")
                    raise NoMoreData()  # gunicorn closes the connection
                if declared is not None and len(body) < declared:
                    raise NoMoreData()  # the client hung up (or was closed for room) mid-body
                if len(body) > limit:  # chunked, so no Content-Length said so
                    why = (
                        f"The limit is {limit} bytes."
                        if limit
                        else f"A {req.method} takes no body."
                    )
                    write_error(sock, 413, "Content Too Large", why)
                    raise NoMoreData()
                req.body = io.BytesIO(body)  # what the app reads: already in memory
            return super().handle_request(listener_name, req, sock, addr)

    return Worker


class HeaderDeadline:
    """Inside, the client of `sock` has `seconds` to send what is read there (a request's line
    and headers, or the next request of a kept-alive connection); after, the read is ended
    quietly and `passed` is true (a context manager for one greenlet of a gevent worker).

    Whether the deadline passed is `passed`, not the time the read took: a reader's request
    read late, the worker's loop busy with a flood's requests, was taken for one timed out and
    its connection reset unanswered (CI, 300 clients asking back to back, the tests' 2 s
    deadline). A deadline that passes with the client's bytes arrived but not read moves once
    by `seconds`: the client was in time and the loop was not (this timer can run before the
    read in the late loop's turn that finds both ready). A slow client gains nothing from it:
    its bytes are read as they come, so none wait unread when its deadline passes."""

    def __init__(self, sock: Any, seconds: float) -> None:
        import gevent

        self.sock = sock
        self.seconds = seconds
        self.passed = False
        self.moved = False
        self.greenlet = gevent.getcurrent()
        self.late = gevent.Timeout()  # what the read is ended with (never started itself)
        self.timer = gevent.get_hub().loop.timer(seconds)

    def __enter__(self) -> HeaderDeadline:
        self.timer.start(self._expire)
        return self

    def __exit__(self, kind: Any, error: Any, traceback: Any) -> bool:
        self.timer.close()
        if error is self.late:
            self.passed = True
            return True  # (quietly: gunicorn finds no request and closes the connection)
        return False

    def _expire(self) -> None:
        if not self.moved and _unread(self.sock):
            self.moved = True
            self.timer.close()
            self.timer = self.timer.loop.timer(self.seconds)
            self.timer.start(self._expire)
            return
        self.greenlet.throw(self.late)


class _Lines:
    """A kind of event logged one line in LOG_EVERY seconds at most: a flood cannot fill the
    log. `due()` counts one; it is the number to report (those since the last line) when a
    line is due, else 0."""

    def __init__(self) -> None:
        self.count = 0  # since the last line
        self.logged = float("-inf")

    def due(self) -> int:
        self.count += 1
        now = time.monotonic()
        if now - self.logged < LOG_EVERY:
            return 0
        count, self.count, self.logged = self.count, 0, now
        return count


def _unread(sock: Any) -> bool:
    """Whether bytes from the client of `sock` wait in the kernel, read without waiting."""
    try:
        return bool(_peek(sock))
    except OSError:  # reset
        return False


def _oldest_of_most(table: dict[str, dict[Any, float]]) -> tuple[Any, str, float] | None:
    """Of connections by client, each since when (oldest first): the longest-waiting one of
    the client with the most, its client, and since when."""
    if not table:
        return None
    client = max(table, key=lambda address: len(table[address]))
    greenlet, since = next(iter(table[client].items()))
    return greenlet, client, since


def _forget(table: dict[str, dict[Any, float]], greenlet: Any, client: str) -> None:
    held = table.get(client)
    if held is not None:
        held.pop(greenlet, None)
        if not held:
            del table[client]


def hung_up(sock: Any) -> bool:
    """Whether the client of `sock` closed its connection (or reset it), read without waiting
    or yielding: a request waiting for a render slot is not rendered for no one (web.FairSlots).
    A client that only ended its sending half (shutdown) counts as gone, as nginx counts one
    (its 499); a next request already sent (pipelined) does not."""
    try:
        return _peek(sock) == b""
    except OSError:  # reset, or closed for room
        return True


def _peek(sock: Any) -> bytes | None:
    """The next byte from the client of `sock`, left to be read, without waiting or yielding:
    b"" when the client closed its sending half, None when nothing has come yet (OSError when
    the connection was reset)."""
    raw = getattr(sock, "_sock", sock)  # (gevent's socket wraps the real one, which never waits)
    try:
        peeked: bytes = raw.recv(1, _socket.MSG_PEEK | _socket.MSG_DONTWAIT)
    except (BlockingIOError, InterruptedError):
        return None
    return peeked


_NO_LINGER = struct.pack("ii", 1, 0)  # SO_LINGER on, 0 s: close resets, dropping what is unsent


def _unsent(sock: Any) -> int:
    """Bytes the kernel holds for the connection that its client has not acknowledged."""
    try:
        held = fcntl.ioctl(sock.fileno(), termios.TIOCOUTQ, b"\0\0\0\0")  # (SIOCOUTQ)
    except OSError:
        return 0
    return int(struct.unpack("i", held)[0])


def _reset_if_unsent(greenlet: Any, connections: dict[Any, tuple[str, Any]]) -> None:
    """Have the closing of a connection whose client stopped reading reset it: closed
    normally, it lived on as an orphan holding its unread answer in the kernel (a review: 1,029
    of them at once, a megabyte each)."""
    if greenlet not in connections:
        return
    sock = connections[greenlet][1]
    if _unsent(sock):
        with contextlib.suppress(OSError):
            sock.setsockopt(_socket.SOL_SOCKET, _socket.SO_LINGER, _NO_LINGER)


def _count_closed(reason: str) -> None:
    # (Imported here, in the forked worker: the module imports redis-py, which the master must
    # not have loaded before gevent patched the standard library.)
    from aggregator import metrics

    metrics.WEB_CONNECTIONS_CLOSED.labels(reason=reason).inc()


def _client_key(addr: Any) -> str:
    return client_key(str(addr[0]) if isinstance(addr, tuple) else "")


def client_key(host: str) -> str:
    """Whose connection this is, for the per-address limits: its IPv4 address, or its IPv6 /64
    (one subscriber's network: a host has millions of addresses in it to rotate through)."""
    try:
        address = ipaddress.ip_address(host.partition("%")[0])  # (a scoped one: "fe80::1%eth0")
    except ValueError:
        return host
    if address.version == 4:
        return str(address)
    if address.ipv4_mapped is not None:  # an IPv4 client of a server listening on [::]
        return str(address.ipv4_mapped)
    return str(ipaddress.ip_network(f"{address}/64", strict=False))


def _content_length(req: Any) -> int | None:
    for name, value in req.headers:
        if name == "CONTENT-LENGTH":
            try:
                return int(value)
            except ValueError:
                return None
    return None
