"""Rendered feeds kept in process, checked against a version read from Redis (docs/architecture.md,
"The serving cache").

A hit costs a dict lookup: no rendering, no hashing, no compressing. A miss renders once per
process even when many threads ask for the same cold key at once (a lock per key), and computes
the gzip body and the validators then, once.
"""

from __future__ import annotations

import collections
import gzip
import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

# Compression happens once per content change, so a better ratio is worth the few milliseconds
# level 6 costs over level 1 (5.6 ms vs 1.3 ms for a 50-entry feed).
GZIP_LEVEL = 6
# After a change's second, when any other change made in it is seen by every web process: the
# second over, and the once-a-second read of the category versions (web.Polled) after it.
SETTLED = timedelta(seconds=2)


@dataclass(frozen=True)
class Rendered:
    """One rendering and everything a response needs from it."""

    version: Hashable
    body: bytes
    gzipped: bytes
    etag: str  # strong, quoted: a hash of `body`
    gzip_etag: str  # strong, quoted: the gzip coding is another representation (RFC 9110 §8.8.3)
    last_modified: datetime | None  # UTC, as stored (not whole seconds); None: nothing to date
    status: int = 200  # (a page's: the end of a category's archive is a 404 page)

    @classmethod
    def of(
        cls, version: Hashable, body: bytes, last_modified: datetime | None, status: int = 200
    ) -> Rendered:
        """Compress and hash `body` once."""
        digest = hashlib.sha256(body).hexdigest()
        if last_modified is not None:
            last_modified = last_modified.astimezone(UTC)
        return cls(
            version=version,
            body=body,
            # mtime=0: the same body compresses to the same bytes in every process.
            gzipped=gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0),
            etag=f'"{digest}"',
            gzip_etag=f'"{digest}-gzip"',
            last_modified=last_modified,
            status=status,
        )

    def last_modified_http(self, now: datetime) -> str | None:
        """`Last-Modified` as an HTTP-date, in whole seconds: the second after the change once
        any other change in that second is surely seen (the second over, and the category
        versions a web process reads once a second read again). Two changes in one second (two
        sources of a batch saved 0.2 s apart) then never share a date a client's
        If-Modified-Since would match; before, the change's own second (a date may not be later
        than the response's), which a client then holds for one more 200."""
        if self.last_modified is None:
            return None
        whole = self.last_modified.replace(microsecond=0)
        if whole != self.last_modified and whole + SETTLED <= now:
            whole += timedelta(seconds=1)
        return format_datetime(whole, usegmt=True)


Render = Callable[[], tuple[bytes, datetime | None]]


class RenderCache:
    """Renderings by key, each valid for one version; the least recently used are dropped beyond
    `max_entries` or `max_bytes` (bodies and their gzip: a 200-item JSON Feed is ~1 MB of both,
    so a count alone let a sweep of every cached variant grow a process by hundreds of MB). With
    the bytes bounded, the count is large: a category has 48 cached variants (8 limits, 3
    formats, collapsed or not), and 512 entries let a crawler's sweep of 11 categories' valid
    URLs push the hot feeds out.

    `renders` counts renderings done, for tests and metrics.
    """

    def __init__(self, max_entries: int = 4096, max_bytes: int = 64 * 1024 * 1024) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.renders = 0
        self.bytes = 0  # held by the entries
        self._entries: OrderedDict[Hashable, Rendered] = OrderedDict()
        self._lock = threading.Lock()  # guards _entries, _key_locks, _asking, _rendering, renders
        self._key_locks: dict[Hashable, threading.Lock] = {}
        # The clients waiting for each key's rendering, with how many requests of each.
        self._asking: dict[Hashable, collections.Counter[str]] = {}
        self._asking_now: dict[Hashable, frozenset[str]] = {}
        # Keys being rendered, since when (time.monotonic()).
        self._rendering: dict[Hashable, float] = {}
        # When each entry was last given as the current rendering, or rendered.
        self._current_at: dict[Hashable, float] = {}

    def get(
        self,
        key: Hashable,
        version: Hashable,
        render: Render,
        client: str = "",
        stale: float = 0,
        stale_within: float = 0,
    ) -> Rendered:
        """The rendering of `key` at `version`, calling `render()` only when there is none.
        `client`: who asks, among those `asking(key)` names while it is rendered.

        `stale`: while another request has been rendering `key` for less than this many
        seconds, the rendering of an older version is given meanwhile (its `version` tells it
        from the one asked for), as web.PageCache gives a page's: a feed or embed whose
        version had just changed kept every reader and partner view asking for it waiting for
        the render, behind the whole render line in a flood (2-2.7 s behind 40 clients; h4,
        session 37). Only one last given as the current rendering (or rendered) within
        `stale_within` seconds is: the one before had no bound, and an embed no one had asked
        for in a week showed the week's old stories while its render waited (h4, session 38)."""
        entry = self._lookup(key, version)
        if entry is not None:
            return entry
        with self._lock:
            key_lock = self._key_locks.setdefault(key, threading.Lock())
            began = self._rendering.get(key)
            now = time.monotonic()
            if began is not None and now - began < stale:
                older = self._entries.get(key)
                if older is not None and now - self._current_at[key] < stale_within:
                    return older
            if client:
                self._join(key, client, 1)
        try:
            with key_lock:
                # Whoever held the lock before us may have rendered this very version.
                entry = self._lookup(key, version)
                if entry is not None:
                    return entry
                with self._lock:
                    self._rendering[key] = time.monotonic()
                try:
                    return self._render(key, version, render)
                finally:
                    with self._lock:
                        del self._rendering[key]
        finally:
            if client:
                with self._lock:
                    self._join(key, client, -1)

    def asking(self, key: Hashable) -> frozenset[str]:
        """The clients waiting for `key`'s rendering (those given `client`), its renderer's
        among them: the render takes the place in line of the one that had a slot least
        recently (web.FairSlots). A feed or embed whose version had just changed waited at its
        first asker's place, which a client served a moment before could take at every
        change (an embed's changes each minute)."""
        return self._asking_now.get(key, frozenset())

    def _join(self, key: Hashable, client: str, count: int) -> None:
        # (Under self._lock.)
        asking = self._asking.setdefault(key, collections.Counter())
        asking[client] += count
        if asking[client] <= 0:
            del asking[client]
        if asking:
            self._asking_now[key] = frozenset(asking)  # (a new set: read without the lock)
        else:
            del self._asking[key]
            self._asking_now.pop(key, None)

    def _render(self, key: Hashable, version: Hashable, render: Render) -> Rendered:
        body, last_modified = render()
        entry = Rendered.of(version, body, last_modified)
        with self._lock:
            self.renders += 1
            replaced = self._entries.pop(key, None)
            self.bytes += _size(entry) - (_size(replaced) if replaced else 0)
            self._entries[key] = entry
            self._current_at[key] = time.monotonic()
            while len(self._entries) > 1 and (
                len(self._entries) > self.max_entries or self.bytes > self.max_bytes
            ):
                dropped_key, dropped = self._entries.popitem(last=False)
                del self._current_at[dropped_key]
                self.bytes -= _size(dropped)
        return entry

    def _lookup(self, key: Hashable, version: Hashable) -> Rendered | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry.version != version:
                return None
            self._entries.move_to_end(key)
            self._current_at[key] = time.monotonic()
            return entry


def _size(entry: Rendered) -> int:
    return len(entry.body) + len(entry.gzipped)


class PageBusy(Exception):
    """Another request's rendering of the page took longer than this one would wait."""


class PageCache:
    """Pages by request, each served to everyone asking for it within `ttl` seconds of its
    rendering (web.rendering), who take no render slot: 240 clients asking for one article
    eight at a time each took a render of their own in turn, and a reader's page waited 3.3 s
    behind them (9 s at worst; a review). One request renders a page at a time; the others
    asking meanwhile wait for its rendering, or, when there is an older one at most `stale`
    seconds old, are given that one (a request whose render waits its turn behind other
    clients' then holds up no one). Nothing is invalidated: a page is at most `stale` seconds
    behind, as its category versions are `ttl` (web.Polled). The least recently used are
    dropped beyond `max_entries` or `max_bytes`, so URLs no one asks twice (junk queries) cost
    their render and a place that the next one takes.

    `renders` and `hits` count, for tests.
    """

    def __init__(
        self,
        ttl: float,
        stale: float,
        max_entries: int = 512,
        max_bytes: int = 32 * 1024 * 1024,
    ) -> None:
        self.ttl = ttl
        self.stale = stale
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.renders = 0
        self.hits = 0
        self.bytes = 0
        # key -> (when it was rendered, time.monotonic(); its rendering)
        self._entries: OrderedDict[Hashable, tuple[float, Rendered]] = OrderedDict()
        self._lock = threading.Lock()  # guards the attributes above and _flights
        # Keys being rendered, with how many requests render or wait for each (dropped at 0:
        # a lock kept per key ever asked would grow with every junk URL).
        self._flights: dict[Hashable, _Flight] = {}

    def get(
        self,
        key: Hashable,
        render: Callable[[], Rendered | None],
        wait: float = -1,
        client: str = "",
    ) -> Rendered | None:
        """The page of `key` rendered within `ttl` seconds, else `render()`'s, kept for
        others unless it is None (a response not to share, which the caller answers itself).

        `wait`: the longest a request waits for another's rendering of the key (-1: as long as
        it takes), else PageBusy. `client`: who asks, among those `asking(key)` names while
        it is rendered. (A rendering that fails leaves the next in line to try: each
        waited for the one before, and a line of them for a page whose renders all ran out of
        time in line took that time once each.)"""
        with self._lock:
            entry = self._fresh(key, self.ttl)
            if entry is not None:
                return entry
            flight = self._flights.setdefault(key, _Flight())
            if flight.users:  # being rendered: an older rendering will do meanwhile
                entry = self._fresh(key, self.stale)
                if entry is not None:
                    return entry
            flight.users += 1
            if client and client not in flight.clients:
                flight.clients = flight.clients | {client}  # (a new set: read without the lock)
        try:
            if not flight.lock.acquire(timeout=wait):
                raise PageBusy(key)
            try:
                with self._lock:
                    entry = self._fresh(key, self.ttl)  # (rendered while this one waited)
                if entry is not None:
                    return entry
                entry = render()
                if entry is not None:
                    self._keep(key, entry)
                return entry
            finally:
                flight.lock.release()
        finally:
            with self._lock:
                flight.users -= 1
                if not flight.users:
                    del self._flights[key]

    def asking(self, key: Hashable) -> frozenset[str]:
        """The clients asking for `key` while it is rendered (those given `client`)."""
        flight = self._flights.get(key)
        return flight.clients if flight is not None else frozenset()

    def _fresh(self, key: Hashable, age: float) -> Rendered | None:
        # (Under self._lock.)
        kept = self._entries.get(key)
        if kept is None or time.monotonic() - kept[0] >= age:
            return None
        self._entries.move_to_end(key)
        self.hits += 1
        return kept[1]

    def _keep(self, key: Hashable, entry: Rendered) -> None:
        with self._lock:
            self.renders += 1
            replaced = self._entries.pop(key, None)
            self.bytes += _size(entry) - (_size(replaced[1]) if replaced else 0)
            self._entries[key] = (time.monotonic(), entry)
            while len(self._entries) > 1 and (
                len(self._entries) > self.max_entries or self.bytes > self.max_bytes
            ):
                _, (_, dropped) = self._entries.popitem(last=False)
                self.bytes -= _size(dropped)


@dataclass
class _Flight:
    lock: threading.Lock = field(default_factory=threading.Lock)
    users: int = 0
    clients: frozenset[str] = frozenset()
