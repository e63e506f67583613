"""The web process: the Flask app factory, its per-process state, and headers on every response.

gunicorn runs `aggregator.web:create_app()`. Each process keeps one Redis client (shared through
`aggregator.redis_server.connect`) and one `WebState` in `app.extensions`. Views reach them with
`get_store()` and `get_config()`.

The configuration comes from Redis when the scheduler has published it (so every machine serves
the same one, and a reload reaches the web without a restart) and otherwise from the file.
"""

from __future__ import annotations

import collections
import contextlib
import functools
import gzip
import hashlib
import ipaddress
import json
import logging
import math
import mimetypes
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any, Generic, NoReturn, ParamSpec, TypeVar
from urllib.parse import quote, urlsplit

from flask import (
    Flask,
    Request,
    Response,
    abort,
    current_app,
    request,
    send_file,
    send_from_directory,
    url_for,
)
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from werkzeug.exceptions import HTTPException, NotFound, ServiceUnavailable, TooManyRequests
from werkzeug.http import HTTP_STATUS_CODES, parse_range_header
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import RequestRedirect

from aggregator import config as config_module
from aggregator import http_server
from aggregator.config import Config, load_config
from aggregator.models import Article
from aggregator.redis_server import WEB, PoolBusy, connect, waiting_once
from aggregator.redis_server import redis_url as default_redis_url
from aggregator.sanitize import EMBED_FOLDERS, EMBED_HOSTS
from aggregator.store import Store, parse_cursor
from aggregator.syndication import needs_recorded_language
from aggregator.web.cache import PageBusy, PageCache, RenderCache, Rendered

log = logging.getLogger(__name__)

EXTENSION = "aggregator"
# Redis away (restarting, unreachable, hung past the web client's ~2 s): what a view may meet.
UNAVAILABLE = (RedisConnectionError, RedisTimeoutError)
RETRY_AFTER = 10  # seconds, in a 503's Retry-After
# Pages and feeds one web process renders at once. gevent runs one greenlet at a time and
# switches at I/O only, so a hundred renders begun together took turns with every other request,
# /healthz too, between each of their Redis round trips (/healthz took 17 s under 100 clients
# asking for uncached feeds). Beyond these, a render waits off the CPU, and what renders nothing
# (probes, cached feeds, 304s) goes first; after RENDER_WAIT seconds in line it gets a 503.
RENDER_SLOTS = 2
# Articles a render reads from Redis in one round trip: each may hold 512 KB of HTML.
READ_AT_ONCE = 10
RENDER_WAIT = 30.0
# A page is shared for `recheck_interval` seconds after its rendering (1 s in production, as
# stale as the category versions it is rendered from may be); while it is rendered again, the
# one before is given to those asking for up to this many times as long (PageCache).
PAGE_STALE = 5
# While a feed or embed whose version changed is rendered, the rendering before is given to
# those asking for up to this many seconds of the render (RenderCache.get), with this header.
STALE_SECONDS = PAGE_STALE
STALE_CACHE_CONTROL = "public, no-cache"
# ... and only one given as current within this many times the max-age it was sent with (what
# a client's cache may hold, and as long again): an older one waits for the render.
STALE_LIFETIMES = 2


class FairSlots:
    """`slots` held at once; a slot freed goes to the waiting client (each its oldest request)
    that rendered least lately: each of its renders counts half as much every `HALF_LIFE`
    seconds, and a client new to the line counts as one render when it came.

    First come, first served, 240 clients with eight renders each in line made a reader's one
    page wait 27 s (a review); in turn, it waited for one render of each client before it, still
    3.3 s behind 240 (a review). Least recently served, a reader back after the line had gone
    round went first, but a newcomer still waited for one render of each client in line, all
    served before it came: 3.7 s median behind 240 clients asking for articles, 5 s behind
    archive cursors (h4, session 37). Counted so, a client that rendered a page every few
    seconds (each of the 240) waits behind one that rendered one page, or none, since; one
    render a while ago ranks as it did, by when it was, so a newcomer still goes behind a
    reader served before it came, and an attacker coming under ever new addresses (an IPv6 /48
    holds 65,536 clients) passes only clients that rendered more than one page lately. The last
    `REMEMBERED` clients served are remembered; one forgotten is a newcomer again. Newcomers
    in line are not among them: 10,000 new addresses coming to the line once each, never
    served, made every reader forgotten, the longest unserved first, and so behind them all.
    Its locks and events are gevent's in a gevent worker (the standard library, patched)."""

    REMEMBERED = 10_000
    ALONG_NEW = 8  # clients never served counted a render they asked along for, at most
    # Seconds in which a render comes to count half: the 240 clients above, served every 3.7 s,
    # each count 3.4 renders or more (behind a newcomer's 1); a reader's page 10 s ago, a half.
    HALF_LIFE = 10.0

    def __init__(self, slots: int, name: str = "render") -> None:
        self.name = name  # (what its slots are for, in a refusal's log line)
        self._free = slots
        self._lock = threading.Lock()
        # Clients with requests waiting (each with its requests' turns, oldest first).
        self._waiting: dict[str, collections.deque[_Turn]] = {}
        # Each client served: when it would have had its one render to count as many as it
        # did (its renders' count c at t as t + HALF_LIFE * log2(c): later, more), by when it
        # last had a slot, least recent first.
        self._served: collections.OrderedDict[str, float] = collections.OrderedDict()
        # When each newcomer in line came to it (one of _waiting's clients, never served).
        self._came: dict[str, float] = {}

    def acquire(
        self,
        client: str,
        timeout: float,
        also: Callable[[], Iterable[str]] = tuple,
        gone: Callable[[], bool] = bool,
    ) -> bool:
        """Take a slot for `client`, waiting at most `timeout` seconds; whether it was taken.

        `also`: the other clients this render is for (those waiting for the same page, which
        web.rendering gives them all), read as the slot is handed out: it goes to the render
        when any of them rendered least lately. (A page's render waited at its first asker's
        place: a client served a moment before asking for it first, every reader waiting for
        the same page waited as long, though each of them would have gone first.)

        `gone`: whether the request's client has closed its connection, asked as the slot
        would be handed to it: then it is not (False), and goes to the next. Requests whose
        clients had hung up were rendered in their turn for no one, and counted as served:
        480 sent and closed at once by 60 addresses had 245 renders, and a newcomer after
        them waited 1.7 s (h4, session 37)."""
        with self._lock:
            if self._free and not self._waiting:
                self._free -= 1
                self._stamp(client)
                return True
            turn = _Turn(also, gone)
            if client not in self._waiting and client not in self._served:
                self._came[client] = time.monotonic()  # (as one render when it came)
            self._waiting.setdefault(client, collections.deque()).append(turn)
        if turn.event.wait(timeout):
            return turn.granted
        with self._lock:
            if turn.event.is_set():  # (handed a slot, or passed over, as its wait ran out)
                return turn.granted
            line = self._waiting[client]
            line.remove(turn)
            if not line:
                del self._waiting[client]
                self._came.pop(client, None)
        return False

    def release(self) -> None:
        """Give the slot to the waiting client that rendered least lately."""
        with self._lock:
            if not self._waiting:
                self._free += 1
                return
            now = time.monotonic()

            def lately(client: str) -> float:
                # (Clients forgotten, and those asking along who never had a slot: one now.)
                also = self._waiting[client][0].also()
                came = self._came.get(client, now)
                return min(
                    self._served.get(c, came if c == client else now) for c in (client, *also)
                )

            # In that order, once: the line ordered again after each turn passed over held the
            # lock 1.4 s for 1,000 clients that hung up (a review). (Ties, and clients forgotten
            # while in line: the first in line; `sorted` keeps their order.)
            for client in sorted(self._waiting, key=lately):
                line = self._waiting[client]
                while line:
                    turn = line.popleft()
                    if not line:
                        del self._waiting[client]
                        self._came.pop(client, None)
                    also = [c for c in turn.also() if c != client]
                    # Passed over when its client hung up, unless others wait for the same
                    # render: they would go to the back of the line (a review: 2.5 s, not 0.4).
                    if not also and turn.gone():
                        turn.event.set()  # (not granted)
                        continue
                    # Each had its page, and is counted: a client asking along under an
                    # address never served ranked the render as a newcomer's, and was never
                    # counted after (one spare address let a client that rendered 40 pages
                    # go before readers, a review). At most ALONG_NEW never served, so that
                    # 10,000 addresses asking along once cannot make every reader forgotten.
                    unknown = 0
                    for served in (client, *also):
                        if served != client and served not in self._served:
                            unknown += 1
                            if unknown > self.ALONG_NEW:
                                continue
                        self._stamp(served)
                    turn.granted = True
                    turn.event.set()
                    return
            self._free += 1

    def idle(self) -> bool:
        """Whether a slot is free and no one waits (read without the lock: a hint)."""
        return bool(self._free) and not self._waiting

    def _stamp(self, client: str) -> None:
        """Count one render of `client`'s, now."""
        self._came.pop(client, None)
        now = time.monotonic()
        before = self._served.get(client)
        if before is None:
            self._served[client] = now
        else:  # (its count, halved every HALF_LIFE since, and one more)
            lately = 2 ** (max(before - now, -64 * self.HALF_LIFE) / self.HALF_LIFE)
            self._served[client] = now + self.HALF_LIFE * math.log2(1 + lately)
        self._served.move_to_end(client)
        if len(self._served) > self.REMEMBERED:
            self._served.popitem(last=False)


@dataclass
class _Turn:
    """A request waiting for a render slot, and the other clients it renders for."""

    also: Callable[[], Iterable[str]]
    gone: Callable[[], bool]  # whether its client hung up
    event: threading.Event = field(default_factory=threading.Event)  # set: handed, or passed
    granted: bool = False  # handed a slot (else passed over: its client had hung up)


_render_slots = FairSlots(RENDER_SLOTS)
# Archive cursors (`?before=`) a process looks up in Redis at once, before a page's render (for
# its key: rendering); the others wait in line as renders do (FairSlots, RENDER_WAIT). Each
# request looked its own up as it was read: 480 at once took all of the web's 100 connections,
# the rest waited for one while the loop ran everyone else, and under load 150 of 960 answered
# 503 "Redis does not answer" after the pool's 2 s wait, Redis well (h1, session 40).
LOOKUP_SLOTS = 8
_lookup_slots = FairSlots(LOOKUP_SLOTS, "cursor lookup")
# The app's RENDERS_PER_CLIENT (WEB_RENDERS_PER_CLIENT, http_server.renders_per_client): the
# renders one client (an address, an IPv6 /64: http_server.client_key) may have running or in
# line at once in a process; more get 429 at once. Slots are first come, first served: one
# client asking for feed variants no cache keeps (?limit=199) on sixty connections held the
# line, and every reader's page waited 9 s behind it. A browser renders one page at a time;
# behind a reverse proxy, WEB_TRUSTED_PROXIES makes each client its own (else all are one).
BUSY_RETRY_AFTER = 2  # seconds, in that 429's Retry-After
_renders_by_client: dict[str, int] = {}
_renders_lock = threading.Lock()
P = ParamSpec("P")
R = TypeVar("R")
TEMPLATES = Path(__file__).resolve().parents[2] / "templates"

# No inline script or style anywhere; images, sound and video may come from the sources' own hosts,
# and the players the sanitizer keeps (sanitize.EMBED_HOSTS) may be framed. Views that must
# differ (embeds, which partner sites frame) set their own header, and `_security_headers` keeps it.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' https: http: data:; media-src 'self' https: http:; "
    "frame-src "
    + " ".join(f"https://{host} https://*.{host}" for host in sorted(EMBED_HOSTS))
    + "".join(f" https://{host}{folder}" for host, folder in sorted(EMBED_FOLDERS))
    + "; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


class Settings:
    """The current Config: the published one when there is one, else the fallback.

    The published version is checked at most once per `recheck_interval` seconds, so a request
    usually costs no Redis round trip for it. The generation grows on every change, for caches whose
    output depends on the config. While Redis is away the config in use stays in use (one request
    per interval asks again; the others do not wait for it).
    """

    def __init__(
        self, store: Store, fallback: Config | None, recheck_interval: float = 1.0
    ) -> None:
        self.store = store
        self.recheck_interval = recheck_interval
        self._fallback = fallback
        self._current: tuple[Config, int] | None = None  # (config, generation), set as one value
        self._version = 0  # of the published config in use; 0: none
        # When the published config in use was published: a feed whose settings it changed (a
        # renamed category) changed then even if no article did (feeds._settings_changed_at).
        self.changed_at: datetime | None = None
        self._checked = float("-inf")
        self._unreachable = ""  # why Redis failed the last check, while there is no config yet
        self._lock = threading.Lock()

    def current(self) -> Config:
        """The config to serve this request with."""
        return self.snapshot()[0]

    def snapshot(self) -> tuple[Config, int]:
        """The current config and its generation, read together."""
        if time.monotonic() - self._checked >= self.recheck_interval:
            with self._lock:
                if time.monotonic() - self._checked >= self.recheck_interval:
                    self._refresh()
        if self._current is None:  # Redis away since start-up, checked within the interval:
            raise RedisConnectionError(self._unreachable)  # no one else waits for it again
        return self._current

    def _refresh(self) -> None:
        if self._current is not None:
            self._checked = time.monotonic()  # requests meanwhile go on with the one in use
        try:
            version = self.store.config_version()
            if version and version != self._version:
                published = self.store.published_config()
                if published is not None:
                    self._version, raw = published
                    self._use(config_module.loads(raw))
                    self.changed_at = self.store.config_published_at()
        except UNAVAILABLE as error:
            if self._current is None:  # nothing to serve with: the view answers 503
                self._unreachable = str(error)
                self._checked = time.monotonic()
                raise
            return
        if self._current is None:
            # Nothing published yet: the file, read once. It raises ConfigError listing every
            # problem, which create_app lets stop the process at start-up.
            self._use(self._fallback if self._fallback is not None else load_config())
        self._checked = time.monotonic()

    def has_config(self) -> bool:
        """Whether a config is at hand without asking Redis."""
        return self._current is not None

    def _use(self, config: Config) -> None:
        generation = self._current[1] + 1 if self._current is not None else 1
        self._current = (config, generation)


K = TypeVar("K")
V = TypeVar("V")


class Polled(Generic[K, V]):
    """Values read from Redis by key (`read`) at most once per `recheck_interval` each: a
    category's content version, when the sources' sites last changed.

    A cached feed or a 304 then costs no Redis round trip at all (docs/architecture.md, "The serving
    cache"): a Redis round trip is most of what a revalidation costs. New articles reach a web
    process within the interval. While Redis is away the value last read stands, so cached
    feeds are still served (one request per interval asks again; the others do not wait for it).
    """

    def __init__(self, read: Callable[[K], V], recheck_interval: float = 1.0) -> None:
        self.read = read
        self.recheck_interval = recheck_interval
        self._seen: dict[K, tuple[float, V]] = {}  # key -> (checked at, value)

    def get(self, key: K) -> V:
        now = time.monotonic()
        seen = self._seen.get(key)
        if seen is not None:
            if now - seen[0] < self.recheck_interval:
                return seen[1]
            self._seen[key] = (now, seen[1])  # one assignment: safe under threaded servers
        try:
            value = self.read(key)
        except UNAVAILABLE:
            if seen is None:
                raise
            return seen[1]
        self._seen[key] = (now, value)
        return value


class Recent(Generic[K, V]):
    """Values by key, each read (`get`'s `read()`) at most once per `ttl` seconds, of the
    `size` keys read most recently: a key a client makes up cannot grow it.

    A key asked while it is being read waits for that reading, and has its value or its error
    (one read at a time): the cursors' reading waits in a line, each counted among its
    client's renders, and a client asking for one archive page six times at once had six
    lookups in line, four of them 429 (a review, session 40). An error of `get`'s `own` (the
    reader's client hung up, or was refused) is no answer for another: each waiting reads
    again for itself."""

    def __init__(self, ttl: float, size: int = 4096) -> None:
        self.ttl = ttl
        self.size = size
        self._kept: collections.OrderedDict[K, tuple[float, V]] = collections.OrderedDict()
        self._reading: dict[K, _Flight[V]] = {}
        self._lock = threading.Lock()

    def get(self, key: K, read: Callable[[], V], own: tuple[type[BaseException], ...] = ()) -> V:
        while True:
            now = time.monotonic()
            with self._lock:
                kept = self._kept.get(key)
                if kept is not None and now - kept[0] < self.ttl:
                    self._kept.move_to_end(key)
                    return kept[1]
                flight = self._reading.get(key)
                if flight is None:
                    flight = self._reading[key] = _Flight()
                    break
            flight.done.wait()
            if flight.error is None:
                return flight.result  # type: ignore[return-value]
            if not isinstance(flight.error, own):
                raise flight.error
        try:
            value = read()
        except BaseException as error:
            # (One not an Exception, a greenlet's end: those waiting read for themselves.)
            flight.error = error if isinstance(error, Exception) else ClientGone(repr(error))
            raise
        else:
            flight.result = value
            with self._lock:
                self._kept[key] = (now, value)
                self._kept.move_to_end(key)
                while len(self._kept) > self.size:
                    self._kept.popitem(last=False)
        finally:
            with self._lock:
                del self._reading[key]
            flight.done.set()
        return value


class Shared(Generic[V]):
    """One call at a time, its result shared: a call made while another runs waits for that
    one's result (or error) instead of asking Redis again. For answers every caller may share,
    /metrics and /readyz: 300 scrapes at once each asked Redis, took the web's every
    connection, and readers' pages answered 503 (a review). Nothing is kept after the call."""

    def __init__(self, call: Callable[[], V]) -> None:
        self.call = call
        self._lock = threading.Lock()
        self._running: _Flight[V] | None = None

    def get(self) -> V:
        with self._lock:
            flight = self._running
            leader = flight is None
            if flight is None:
                flight = self._running = _Flight()
        if leader:
            try:
                flight.result = self.call()
            except Exception as e:  # noqa: BLE001 - every waiter gets the leader's error
                flight.error = e
            finally:
                with self._lock:
                    self._running = None
                flight.done.set()
        else:
            flight.done.wait()
        if flight.error is not None:
            raise flight.error
        return flight.result  # type: ignore[return-value]


@dataclass
class _Flight(Generic[V]):
    done: threading.Event = field(default_factory=threading.Event)
    result: V | None = None
    error: Exception | None = None


@dataclass
class WebState:
    """What one web process keeps between requests."""

    store: Store
    settings: Settings
    versions: Polled[str | None, int]  # each category's content version (None: all)
    sites_changed: Polled[None, datetime | None]  # when a source's site last changed (OPML)
    # The slugs of categories once served and now removed (410 Gone): read once a second, not
    # per request, for a flood of made-up category URLs took the web's every Redis connection.
    removed: Polled[None, frozenset[str]]
    feed_cache: RenderCache = field(default_factory=RenderCache)
    # Feeds at another ?limit= or ?collapse= than their default, on their own: a sweep of the
    # valid variants (48 a category, 106 MB for 14 categories' 200-item ones) pushed the hot
    # default feeds out of one shared cache, and a quarter of the sweep's requests re-rendered.
    variant_cache: RenderCache = field(default_factory=RenderCache)
    # slug -> (category version, its newest articles): the pool related articles come from.
    related_pools: dict[str, tuple[int, list[Article]]] = field(default_factory=dict)
    # (slug, count) -> (category version, its newest articles without content): story cards'.
    story_pools: dict[tuple[str, int], tuple[int, list[Article]]] = field(default_factory=dict)
    # Pages rendered in the last recheck_interval, shared by everyone asking for them (rendering).
    pages: PageCache = field(default_factory=lambda: PageCache(0, 0))
    # (path, archive cursor) -> the cursor handed out for its page, read at most once a
    # recheck_interval (rendering): a page shared from memory then asks Redis nothing.
    cursors: Recent[tuple[str, str], str | None] = field(default_factory=lambda: Recent(0))


def create_app(
    config: Config | None = None,
    redis_url: str | None = None,
    recheck_interval: float = 1.0,
) -> Flask:
    """The web app. `config` stands in for the config file; `redis_url` for REDIS_URL.

    `recheck_interval`: how stale (seconds) a process's view of the config and of each
    category's version may be; tests that write and read back at once pass 0.
    """
    if redis_url is None:
        redis_url = default_redis_url()
    # The templates live at the project's root (templates/), beside aggregator/.
    app = Flask(__name__, template_folder=str(TEMPLATES), static_folder=None)
    # Larger bodies get 413 before they are read (the server enforces the same limit).
    app.config["MAX_CONTENT_LENGTH"] = http_server.max_body_bytes()
    # Our pages link each static file with its content's hash (`_static_versions`): a browser,
    # and every partner's iframe, keeps it for a year instead of asking again at each view.
    hashes = static_hashes()
    app.url_defaults(_static_versions(hashes))
    app.add_url_rule("/static/<path:filename>", "static", _static_file(hashes))
    app.config["RENDERS_PER_CLIENT"] = http_server.renders_per_client()
    app.config["TRUSTED_PROXIES"] = proxies = http_server.trusted_proxies()
    if proxies:  # the client's address from X-Forwarded-For
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies)  # type: ignore[method-assign]
    app.wsgi_app = _waiting_once(app.wsgi_app)  # type: ignore[method-assign]
    store = Store(connect(redis_url, WEB))
    settings = Settings(store, config, recheck_interval)
    try:
        settings.current()  # fail now, at start-up, if there is no usable config
    except UNAVAILABLE as error:
        # Still start: gunicorn stops the whole server when a worker it restarts cannot boot.
        log.warning("Redis does not answer (%s): pages answer 503 until it does", error)
    app.extensions[EXTENSION] = WebState(
        store=store,
        settings=settings,
        versions=Polled(store.category_version, recheck_interval),
        sites_changed=Polled(lambda _: store.sites_changed_at(), recheck_interval),
        removed=Polled(lambda _: store.removed_categories(), recheck_interval),
        pages=PageCache(recheck_interval, PAGE_STALE * recheck_interval),
        cursors=Recent(recheck_interval),
    )

    # Imported here: these modules import get_store/get_config from this package.
    from aggregator.web.embed import bp as embed_bp
    from aggregator.web.feeds import bp as feeds_bp
    from aggregator.web.pages import bp as pages_bp

    app.register_blueprint(feeds_bp)
    app.register_blueprint(pages_bp)
    app.register_blueprint(embed_bp)
    from aggregator.web import admin, health

    app.config["REDIS_URL"] = redis_url  # the RQ dashboard connects by URL
    app.register_blueprint(health.bp)
    admin.init_app(app)  # /admin/ and the RQ dashboard at /admin/rq, only with ADMIN_TOKEN
    app.register_error_handler(RedisConnectionError, _unavailable)
    app.register_error_handler(RedisTimeoutError, _unavailable)
    app.register_error_handler(ServiceUnavailable, _unavailable)
    app.register_error_handler(TooManyRequests, _too_many_renders)
    app.register_error_handler(ClientGone, _client_gone)
    app.before_request(_ranges_served_whole)
    app.before_request(_without_its_slash)
    app.after_request(_security_headers)
    app.after_request(_redirect_from_base_url)
    return app


def _waiting_once(wsgi_app: Callable[..., Iterable[bytes]]) -> Callable[..., Iterable[bytes]]:
    """`wsgi_app` whose requests each wait out the Redis pool's wait at most once
    (redis_server.waiting_once): the first call that waited in vain ends the request's Redis
    work, and the reader has the 503 after one wait, not after one wait a call."""

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        with waiting_once():
            return wsgi_app(environ, start_response)

    return app


def _without_its_slash() -> Response | None:
    """An address no route has, with a slash after it, where the address without the slash is
    one: a redirect (308, keeping the method) there. A slash after an address is an easy slip
    in a link written by hand (`/sources.opml/`, `/healthz/`: 404 pages), and routing already
    sends the addresses written with one (`/c/<slug>/`) there from the address without it."""
    path = request.path
    if not isinstance(request.routing_exception, NotFound) or not path.endswith("/"):
        return None
    try:
        current_app.url_map.bind_to_environ(request.environ).match(path[:-1], request.method)
    except HTTPException:  # (none there either, another method's, or a redirect of its own)
        return None
    return redirect_keeping_query(quote(path[:-1], safe="/:@!$&'()*+,;=~"), 308)


def _ranges_served_whole() -> None:
    """A Range header asking for what the static files and embed.js cannot send as one part
    (several ranges, another unit, a malformed one) is ignored, so the whole body comes with a
    200 (RFC 9110 14.2: a server may ignore Range). werkzeug answered 416, "not satisfiable",
    for ranges that were, and a client that retries without Range on 416 paid a round trip."""
    value = request.environ.get("HTTP_RANGE")
    if value is not None:
        parsed = parse_range_header(value)
        if parsed is None or parsed.units != "bytes" or len(parsed.ranges) != 1:
            del request.environ["HTTP_RANGE"]


def recorded_languages(store: Store, articles: Iterable[Article]) -> dict[str, str]:
    """The language each source of `articles` was last read in (SourceState.language), of the
    sources whose name may take it (syndication.needs_recorded_language): one read, and none
    when no name needs it (most feeds and pages)."""
    wanted = sorted({a.source_id for a in articles if needs_recorded_language(a)})
    if not wanted:
        return {}
    return {k: state.language for k, state in store.get_states(wanted).items() if state.language}


def client_key() -> str:
    """The request's client, as render slots count them (an address, an IPv6 /64)."""
    return http_server.client_key(request.remote_addr or "")


@contextlib.contextmanager
def render_slot(
    also: Callable[[], Iterable[str]] = tuple, slots: FairSlots | None = None
) -> Iterator[None]:
    """Hold one of the process's RENDER_SLOTS while rendering (503 after RENDER_WAIT s in line;
    429 at once for a client with the app's RENDERS_PER_CLIENT renders running or in line).
    `also`: the other clients the render is for (FairSlots.acquire). `slots`: another line
    than the renders' (the cursor lookups'); a request in it counts as one of its client's
    renders too, one at a time."""
    slots = _render_slots if slots is None else slots
    address = request.remote_addr or ""
    client = http_server.client_key(address)
    most = current_app.config["RENDERS_PER_CLIENT"]
    if not current_app.config["TRUSTED_PROXIES"] and _private(address):
        # Most likely a reverse proxy WEB_TRUSTED_PROXIES does not name: every reader would be
        # this one client, and a burst of them would get 429s.
        most = 0
    with _renders_lock:
        held = _renders_by_client.get(client, 0)
        if most and held >= most:
            raise TooManyRequests(f"{client} has {held} renders running or in line")
        _renders_by_client[client] = held + 1
    sock = request.environ.get("gunicorn.socket")
    gone = functools.partial(http_server.hung_up, sock) if sock is not None else bool
    try:
        # (A client that hung up is not rendered for while others wait; with a slot free, its
        # render keeps no one waiting, and a client that only ended its sending half, such as
        # `nc -N`, is answered: the two look alike.)
        asked = time.monotonic()
        busy = not slots.idle()
        if (busy and gone()) or not slots.acquire(client, RENDER_WAIT, also, gone):
            if gone():
                raise ClientGone(client)
            raise ServiceUnavailable(f"every {slots.name} slot stayed busy")
        granted = time.monotonic()
        try:
            yield
        finally:
            slots.release()
            if slots is _render_slots:  # (the access log's waited_ms and render_ms)
                request.environ[http_server.WAITED_MS] = round((granted - asked) * 1000, 1)
                request.environ[http_server.RENDER_MS] = round(
                    (time.monotonic() - granted) * 1000, 1
                )
    finally:
        with _renders_lock:
            _renders_by_client[client] -= 1
            if not _renders_by_client[client]:
                del _renders_by_client[client]


class ClientGone(Exception):
    """The client hung up while its request waited for a render slot: nothing is rendered."""


def _client_gone(error: ClientGone) -> Response:
    """An answer no one reads (nginx's 499, "client closed request"), logged as one line."""
    log.info(
        "%s %s: 499, the client hung up while waiting for a render slot",
        request.method,
        request.path,
    )
    return Response(b"", 499, {"Cache-Control": "no-store"})


def _private(address: str) -> bool:
    """Whether `address` is a loopback or private one (a proxy's, as a rule), or no address."""
    try:
        return ipaddress.ip_address(address.partition("%")[0]).is_private
    except ValueError:
        return True


_PAGE_NUMBER = re.compile(r"[0-9]{1,9}")  # (a ?page= Page.requested reads)

# The query parameters pages read, each its first value as request.args.get gives it, as one
# value of a page's key (None: as if not given); a view's `rendering` names those it reads, and
# the rest of a query is no part of its key. Keyed by the whole query, every made-up parameter
# (?j=1, ?j=2, …) was a page of its own, rendered in its asker's turn: 240 clients asking such
# pages made a newcomer's page wait 15 s (30 s at worst) behind them (h4, session 37); keyed by
# the parameters any page reads, as they came, so was every made-up value of one (/?sort=1,
# /?sort=2, …; /?page=01: h4, session 38).
PAGE_QUERY: dict[str, Callable[[str], str | None]] = {
    "sort": lambda value: value if value == "latest" else None,  # (else the top stories)
    "page": lambda value: (
        value if not _PAGE_NUMBER.fullmatch(value) else None if int(value) == 1 else str(int(value))
    ),  # (page 1 is the page without it; one not a number is a 404)
    "before": lambda value: value or None,  # (a category's or source's cursor)
}
NEWEST = "newest"  # the key's cursor for one before every article (the list's first page)


def rendering(
    *reads: str, cursor: Callable[..., str | None] | None = None
) -> Callable[[Callable[P, Any]], Callable[P, Response]]:
    """A view that renders a page: it runs in a render slot, and its page is given to everyone
    asking for the same one in the next second (WebState.pages), who take no slot.

    The key is all a page varies on: its path and the query parameters it `reads` (of
    PAGE_QUERY; the site's language and zone are the config's, the same for every reader; no
    page reads a cookie or another header), the config in use, and where the app is mounted.
    `cursor(before, *args, **kwargs)`: the cursor handed out that starts the same page as the
    `before` asked (Store.category_cursor), in the key: made-up cursors (any time, any id)
    were each a page of their own, and 240 clients asking them made a newcomer wait 5 s (h4,
    session 37); a malformed one is a 404 at once, taking no slot. Coding, ETags and 304s are
    per request, from the one rendering (pages._validated_and_compressed). A response setting
    a cookie, or one not HTML, would not be shared; the admin's pages are not rendered here."""
    assert set(reads) <= set(PAGE_QUERY), reads

    def decorate(view: Callable[P, Any]) -> Callable[P, Response]:
        @functools.wraps(view)
        def shared(*args: P.args, **kwargs: P.kwargs) -> Response:
            from aggregator import metrics

            rendered: list[Response] = []  # this request's own, when it renders

            state = web_state()
            generation = state.settings.snapshot()[1]
            query = {}
            for name in reads:
                value = request.args.get(name)
                query[name] = None if value is None else PAGE_QUERY[name](value)
            before = query.get("before")
            if cursor is not None and before is not None:
                try:
                    parse_cursor(before)  # (a malformed one takes no turn in the lookups' line)
                except ValueError:
                    abort(404)

                def look_up() -> str | None:
                    with render_slot(slots=_lookup_slots):  # (LOOKUP_SLOTS)
                        return cursor(before, *args, **kwargs)

                try:
                    handed = state.cursors.get(
                        (request.path, before), look_up, own=(ClientGone, TooManyRequests)
                    )
                    query["before"] = handed or NEWEST
                except ValueError:
                    abort(404)  # a cursor we never handed out: there is no such page
            key = (request.script_root, request.path, tuple(query.items()), generation)

            def render() -> Rendered | None:
                with render_slot(also=functools.partial(state.pages.asking, key)):
                    response = current_app.make_response(view(*args, **kwargs))
                rendered.append(response)
                metrics.PAGE_RENDERS.inc()
                if (
                    response.is_streamed
                    or response.mimetype != "text/html"
                    or "Set-Cookie" in response.headers
                ):
                    return None
                return Rendered.of(None, response.get_data(), None, response.status_code)

            try:
                page = state.pages.get(key, render, RENDER_WAIT, client_key())
            except PageBusy:
                raise ServiceUnavailable("the same page's render stayed in line") from None
            if page is None:
                return rendered[0]
            if not rendered:
                metrics.PAGE_SHARED.inc()
            return SharedPage(page)

        return shared

    return decorate


class SharedPage(Response):
    """A page from WebState.pages: its gzip and ETags made once, with its rendering."""

    def __init__(self, page: Rendered) -> None:
        super().__init__(page.body, page.status, content_type="text/html; charset=utf-8")
        self.page = page


def _unavailable(error: Exception) -> Response:
    """503 with Retry-After when Redis is away, or renders (or calls waiting for one of the
    process's connections to Redis: PoolBusy) are queued too long: a page in the site's
    language when the config is at hand, plain text for feeds and everything else; one log
    line, not a traceback."""
    busy = isinstance(error, ServiceUnavailable | PoolBusy)  # (Redis itself may be well)
    if isinstance(error, ServiceUnavailable):
        reason = error.description
    else:
        reason = str(error) if busy else f"Redis does not answer ({error})"
    log.warning("%s %s: 503, %s", request.method, request.path, reason)
    headers = {"Retry-After": str(RETRY_AFTER), "Cache-Control": "no-store"}
    if framed := _embed_retrying(503, RETRY_AFTER, headers):
        return framed
    if request.blueprint == "pages" and web_state().settings.has_config():
        from aggregator.web.pages import render_page

        page = render_page("message.html", message="unavailable", home_link=False)
        return Response(page, 503, headers)
    why = "it is busy" if busy else "its store does not answer"
    message = f"The service is briefly unavailable ({why}). Try again shortly."
    return error_response(503, message, headers)


def error_response(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """An error in a line of text, or in JSON for a JSON Feed's address (`problem`)."""
    if wants_json():
        response = problem(status, message)
        response.headers.update(headers or {})
        return response
    return Response(message + "\n", status, headers, content_type="text/plain; charset=utf-8")


def wants_json() -> bool:
    """Whether the request was for a JSON Feed: its errors are JSON too (`problem`)."""
    return request.path.endswith("/feed.json")


def problem(status: int, detail: str) -> Response:
    """An error as RFC 9457 problem details, for a JSON Feed's address: a partner's script that
    read the body as JSON got the site's HTML page (a SyntaxError in place of the status)."""
    title = HTTP_STATUS_CODES[status]
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    return Response(
        json.dumps(body, ensure_ascii=False), status, content_type="application/problem+json"
    )


def _too_many_renders(error: TooManyRequests) -> Response:
    """429 with Retry-After for a client over the app's RENDERS_PER_CLIENT; one log line."""
    log.warning("%s %s: 429, %s", request.method, request.path, error.description)
    headers = {"Retry-After": str(BUSY_RETRY_AFTER), "Cache-Control": "no-store"}
    if framed := _embed_retrying(429, BUSY_RETRY_AFTER, headers):
        return framed
    message = "Too many pages asked for at once from your address. Try again in a moment."
    return error_response(429, message, headers)


def _embed_retrying(status: int, retry_after: int, headers: dict[str, str]) -> Response | None:
    """In a partner's frame, the embed's own page saying the service is briefly away, which
    reloads itself after `retry_after` seconds (the site's whole page led to pages that refuse
    to be framed); None for any other request."""
    if request.blueprint != "embed" or not web_state().settings.has_config():
        return None
    from aggregator.web.embed import message_page

    return Response(message_page("unavailable", retry_after), status, headers)


def _security_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def _redirect_from_base_url(response: Response) -> Response:
    """Routing's own redirects (a missing trailing slash: 308) point under site.base_url.

    Werkzeug builds them from the request's Host header, which a client chooses: a cache in front
    would then keep a redirect to any host for everyone. Flask sends routing redirects past the
    error handlers, so they are rewritten here.
    """
    if isinstance(request.routing_exception, RequestRedirect) and response.location:
        target = urlsplit(response.location)
        path = target.path
        if request.script_root and path.startswith(request.script_root):
            path = path[len(request.script_root) :]
        # A new response, not a new Location only: werkzeug's body linked the client's host too.
        # To a renamed category's new address at once: /c/old went 308 to /c/old/, then 301
        # to /c/new/, two hops where feed readers and crawlers follow one.
        moved = under_new_slug(path)
        location = absolute(moved or path, target.query)
        return Response(
            status=301 if moved else response.status_code, headers={"Location": location}
        )
    return response


def under_new_slug(path: str) -> str:
    """`path` under its category's slug, if its slug is one a category names among its
    `former_slugs`, or one written in capitals ("/c/Tech/": slugs are lower case, what people
    type may not be), and no category has it now; else ""."""
    config = get_config()
    for prefix in ("/c/", "/embed/"):
        if path.startswith(prefix):
            slug = path[len(prefix) :].split("/", 1)[0]
            if config.category(slug) is not None:
                return ""
            lower = slug.lower()
            renamed = next(
                (c.slug for c in config.categories if lower == c.slug or lower in c.former_slugs),
                None,
            )
            if renamed is None:
                return ""
            return prefix + renamed + path[len(prefix) + len(slug) :]
    return ""


def redirect_keeping_query(path: str, status: int) -> Response:
    """A redirect to `path` under site.base_url, with the request's query as it came."""
    query = request.query_string.decode("latin-1")
    return Response(status=status, headers={"Location": absolute(path, query)})


def absolute(path: str, query: str = "") -> str:
    """`path` (and its query) under site.base_url: what every redirect points at. A relative
    Location is valid HTTP, but a fetcher that moves a subscription on a permanent redirect
    may store it as it came (a review with real consumers); and one built from the Host header,
    which a client chooses, a cache in front would keep for everyone."""
    return get_config().site.base_url.rstrip("/") + path + (f"?{query}" if query else "")


def no_category(slug: str) -> NoReturn:
    """Abort for a category the config does not serve: a permanent redirect (301) to the same
    address under its new slug when a category names it among its `former_slugs` (feed readers
    then move their subscription) or it is a slug in capitals (`under_new_slug`), else 410 Gone
    when one it served before had this slug (a feed reader then stops asking), else 404."""
    moved = under_new_slug(request.path)
    if moved:
        abort(redirect_keeping_query(moved, 301))
    abort(410 if slug in web_state().removed.get(None) else 404)


STATIC_MAX_AGE = 365 * 24 * 3600
STATIC_UNVERSIONED_MAX_AGE = 300  # a static URL without this release's ?v=
STATIC = Path(__file__).parent / "static"


@functools.lru_cache(maxsize=1)
def static_hashes() -> dict[str, str]:
    """Each static file's content hash (12 hex digits): its ?v= and its ETag."""
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        for path in STATIC.iterdir()
        if path.is_file()
    }


def _static_file(hashes: dict[str, str]) -> Callable[[str], Response]:
    """The static files: a year of caching (immutable) only under this release's ?v=, five
    minutes otherwise, and the content's hash as ETag. A year for any ?v= let a host of the old
    release, during a rolling deploy, answer a new page's ?v=<new> with the old CSS, kept a year
    under the new URL; and werkzeug's ETag (mtime, size, path) differed between hosts and
    deploys for the same bytes, so revalidations of embed.js missed."""

    def static(filename: str) -> Response:
        version = hashes.get(filename)
        current = version is not None and request.args.get("v") == version
        max_age = STATIC_MAX_AGE if current else STATIC_UNVERSIONED_MAX_AGE
        if version is not None:  # (one of the files: its name is no path of a client's making)
            response = send_static(STATIC / filename, version, max_age)
        else:
            response = send_from_directory(STATIC, filename, etag=True, max_age=max_age)
        if current:
            response.cache_control.immutable = True
        return response

    return static


# Static files sent gzip-coded to a client that takes it (embed.js 12 KB and site.css 17 KB went
# whole, where pages and feeds were compressed).
_COMPRESSIBLE = frozenset({".css", ".js", ".svg", ".txt"})


def send_static(path: Path, etag: str, max_age: int, mimetype: str | None = None) -> Response:
    """One of our static files, gzip-coded when the client takes it (its ETag then "-gzip",
    as our feeds'), with 304s for either coding. A Range request gets the file as it is."""
    coded = (
        path.suffix in _COMPRESSIBLE and accepts_gzip(request) and "Range" not in request.headers
    )
    if not coded:
        response = send_file(path, mimetype=mimetype, etag=etag, max_age=max_age)
    else:
        # (The type send_file would give it.)
        mimetype = mimetype or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        response = Response(_gzipped(path), mimetype=mimetype)
        response.headers["Content-Encoding"] = "gzip"
        response.set_etag(f"{etag}-gzip")
        response.cache_control.public = True
        response.cache_control.max_age = max_age
        response.make_conditional(request)
    response.vary.add("Accept-Encoding")
    return response


def accepts_gzip(req: Request) -> bool:
    """Whether the client accepts a gzip-coded body."""
    return req.accept_encodings["gzip"] > 0


@functools.lru_cache(maxsize=len(_COMPRESSIBLE) * 16)
def _gzipped(path: Path) -> bytes:
    # (The best level, not the pages' GZIP_LEVEL: a file is compressed once per process.)
    return gzip.compress(path.read_bytes(), compresslevel=9, mtime=0)


def _static_versions(hashes: dict[str, str]) -> Callable[[str, dict[str, Any]], None]:
    """A url_defaults hook adding ?v=<hash of the file> to every static URL a page builds, so a
    new release's CSS or script is a new URL and the year of caching never serves an old one."""

    def add_version(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint == "static" and values.get("filename") in hashes:
            values.setdefault("v", hashes[values["filename"]])

    return add_version


def web_state() -> WebState:
    """This process's WebState (inside a request or app context)."""
    state: WebState = current_app.extensions[EXTENSION]
    return state


def get_store() -> Store:
    """The Store of this process."""
    return web_state().store


def get_config() -> Config:
    """The config to serve the current request with."""
    return web_state().settings.current()


@dataclass(frozen=True)
class Page:
    """The page of a long list that `?page=N` asks for (1-based); any other value is a 404."""

    number: int
    pages: int
    size: int

    @classmethod
    def requested(cls, total: int, size: int) -> Page:
        number = request.args.get("page", "1")
        pages = max(1, -(-total // size))
        # ASCII digits only ("²".isdigit() is true, and int() refuses it), and few of them.
        if not _PAGE_NUMBER.fullmatch(number) or not 1 <= int(number) <= pages:
            abort(404)
        return cls(int(number), pages, size)

    @property
    def items(self) -> slice:
        """This page's part of the list."""
        return slice((self.number - 1) * self.size, self.number * self.size)

    def links(self, endpoint: str, **params: Any) -> tuple[str | None, str | None]:
        """The previous and next pages' URLs (None past either end; page 1 has no ?page)."""

        def url(n: int) -> str | None:
            if not 1 <= n <= self.pages:
                return None
            return url_for(endpoint, **params, page=n if n > 1 else None)

        return url(self.number - 1), url(self.number + 1)


def without_content(store: Store, article_ids: Sequence[str]) -> list[Article]:
    """The articles, READ_AT_ONCE at a time, each without its content, which no card nor a
    feed's story credit shows: a source of 512 KB articles (the most one may hold) newer than
    the rest of its category made each of its pages read MAX_POOL of them whole, 11-13 s of a
    web process and 450 MB more of its memory for the home page, rendered again every second
    it was asked for."""
    articles: list[Article] = []
    for start in range(0, len(article_ids), READ_AT_ONCE):
        chunk = store.articles(article_ids[start : start + READ_AT_ONCE])
        articles.extend(replace(a, content="") for a in chunk)
    return articles
