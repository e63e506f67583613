"""A small HTTP load generator: client threads, a weighted mix of requests, every answer recorded.

Each client thread keeps one http.client connection, reused while the server keeps it open
(gunicorn's sync workers close it after every response, so there each request connects anew, as
a browser's would), picks its next request from a weighted mix and records the request's kind,
status and latency. A request marked `revalidate` carries the ETag this client last received for
that path in If-None-Match, so it is answered 304 while the content has not changed.

    pick = mix([(5, lambda rng: Request("feed", rng.choice(feed_paths))), ...])
    report = run_load("127.0.0.1", port, pick, clients=16, duration=60)
    print(report.table())

Python's GIL makes this slower than wrk, and its latencies include the client's own waiting for
the GIL: good enough to saturate two cores and to count errors, not a benchmark.
"""

from __future__ import annotations

import http.client
import math
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

# What a well-behaved answer is: any 2xx, and 304 to a conditional request.
NOT_MODIFIED = 304


@dataclass(frozen=True)
class Request:
    """One GET: its kind (for the report), its path, and whether to revalidate with an ETag."""

    kind: str
    path: str
    revalidate: bool = False


Pick = Callable[[random.Random], Request]


def mix(weighted: Sequence[tuple[float, Pick]]) -> Pick:
    """A Pick that chooses one of `weighted`'s picks in proportion to its weight."""
    weights = [w for w, _ in weighted]
    picks = [p for _, p in weighted]

    def pick(rng: random.Random) -> Request:
        return rng.choices(picks, weights)[0](rng)

    return pick


def is_error(status: int) -> bool:
    """True for a connection error (status 0) or any answer that is neither 2xx nor 304."""
    return not (200 <= status < 300 or status == NOT_MODIFIED)


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """The nearest-rank `q` quantile (0 < q <= 1) of already sorted values; 0 when empty."""
    if not sorted_values:
        return 0.0
    rank = max(1, math.ceil(q * len(sorted_values)))
    return sorted_values[rank - 1]


@dataclass(frozen=True)
class KindStats:
    """What the requests of one kind got: statuses and latencies in milliseconds."""

    kind: str
    requests: int
    statuses: dict[int, int]  # 0: connection error or timeout
    p50_ms: float
    p99_ms: float
    max_ms: float

    @property
    def errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if is_error(status))


@dataclass(frozen=True)
class LoadReport:
    """The whole run: per kind and overall, and the first few errors in words."""

    clients: int
    seconds: float
    kinds: dict[str, KindStats]
    overall: KindStats
    error_examples: tuple[str, ...]
    retries: int  # requests sent again after a kept-alive connection turned out closed

    @property
    def requests(self) -> int:
        return self.overall.requests

    @property
    def errors(self) -> int:
        return self.overall.errors

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def table(self) -> str:
        """A Markdown table: one row per kind and one for everything."""
        lines = [
            "| kind | requests | statuses | errors | p50 ms | p99 ms | max ms |",
            "|---|--:|---|--:|--:|--:|--:|",
        ]
        for stats in [*sorted(self.kinds.values(), key=lambda s: s.kind), self.overall]:
            statuses = ", ".join(f"{s or 'conn'}: {n}" for s, n in sorted(stats.statuses.items()))
            lines.append(
                f"| {stats.kind} | {stats.requests:,} | {statuses} | {stats.errors} "
                f"| {stats.p50_ms:.1f} | {stats.p99_ms:.1f} | {stats.max_ms:.1f} |"
            )
        return "\n".join(lines)


@dataclass
class _Recorder:
    """One client thread's records; merged once the threads have stopped."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    statuses: dict[str, Counter[int]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    retries: int = 0

    def record(self, kind: str, status: int, seconds: float) -> None:
        self.latencies.setdefault(kind, []).append(seconds * 1000)
        self.statuses.setdefault(kind, Counter())[status] += 1


class _Client:
    """One simulated client: a connection, the ETags it has seen, and its records."""

    def __init__(
        self, host: str, port: int, timeout: float, seed: int, source: str | None = None
    ) -> None:
        self.host = host
        self.port = port
        self.source = (source, 0) if source else None
        self.timeout = timeout
        self.rng = random.Random(seed)
        self.etags: dict[str, str] = {}
        self.recorder = _Recorder()
        self._connection: http.client.HTTPConnection | None = None
        self._reused = False  # whether the open connection has already carried a response

    def run(self, pick: Pick, stop_at: float) -> None:
        try:
            while time.monotonic() < stop_at:
                self.one(pick(self.rng))
        finally:
            self._close()

    def one(self, request: Request) -> None:
        headers = {"User-Agent": "aggregator-load-test"}
        etag = self.etags.get(request.path)
        if request.revalidate and etag is not None:
            headers["If-None-Match"] = etag
        started = time.perf_counter()
        try:
            status, new_etag = self._get(request.path, headers)
        except (OSError, http.client.HTTPException) as e:
            self.recorder.record(request.kind, 0, time.perf_counter() - started)
            if len(self.recorder.errors) < 10:
                self.recorder.errors.append(f"{request.path}: {type(e).__name__}: {e}")
            return
        self.recorder.record(request.kind, status, time.perf_counter() - started)
        if new_etag is not None and status == 200:
            self.etags[request.path] = new_etag
        if is_error(status) and len(self.recorder.errors) < 10:
            self.recorder.errors.append(f"{request.path}: HTTP {status}")

    def _get(self, path: str, headers: dict[str, str]) -> tuple[int, str | None]:
        """(status, ETag) of one GET; sent once more if a kept-alive connection was closed."""
        for attempt in (1, 2):
            connection = self._connect()
            reused = self._reused
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self._close()
                # A server may close an idle kept-alive connection just as we send on it; a
                # browser sends an idempotent request again then. A new connection never does.
                if reused and attempt == 1:
                    self.recorder.retries += 1
                    continue
                raise
            except (OSError, http.client.HTTPException):
                self._close()
                raise
            if response.will_close:
                self._close()
            else:
                self._reused = True
            return response.status, response.getheader("ETag")
        raise AssertionError("unreachable: the second attempt returns or raises")

    def _connect(self) -> http.client.HTTPConnection:
        if self._connection is None:
            self._connection = http.client.HTTPConnection(
                self.host, self.port, timeout=self.timeout, source_address=self.source
            )
            self._reused = False
        return self._connection

    def _close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def _own_address(host: str, n: int) -> str | None:
    return f"127.0.{1 + n // 250}.{1 + n % 250}" if host.startswith("127.") else None


def run_load(
    host: str,
    port: int,
    pick: Pick,
    *,
    clients: int,
    duration: float,
    timeout: float = 30.0,
    seed: int = 0,
) -> LoadReport:
    """Run `clients` client threads against host:port for `duration` s; report what they got."""
    stop_at = time.monotonic() + duration
    # Each client a reader of its own: on loopback, from its own address (127.0.1.n), as the
    # web tier counts renders per client address.
    workers = [
        _Client(host, port, timeout, seed * 1000 + n, _own_address(host, n)) for n in range(clients)
    ]
    threads = [
        threading.Thread(target=w.run, args=(pick, stop_at), name=f"load-{n}", daemon=True)
        for n, w in enumerate(workers)
    ]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(duration + timeout * 2 + 10)
    if any(thread.is_alive() for thread in threads):
        raise RuntimeError("a load client did not finish: a request outlived its timeout")
    seconds = time.monotonic() - started
    return _report([w.recorder for w in workers], clients, seconds)


def _report(recorders: list[_Recorder], clients: int, seconds: float) -> LoadReport:
    latencies: dict[str, list[float]] = {}
    statuses: dict[str, Counter[int]] = {}
    for recorder in recorders:
        for kind, values in recorder.latencies.items():
            latencies.setdefault(kind, []).extend(values)
        for kind, counts in recorder.statuses.items():
            statuses.setdefault(kind, Counter()).update(counts)
    kinds = {kind: _stats(kind, latencies[kind], statuses[kind]) for kind in latencies}
    every = [x for values in latencies.values() for x in values]
    total: Counter[int] = Counter()
    for counts in statuses.values():
        total.update(counts)
    return LoadReport(
        clients=clients,
        seconds=seconds,
        kinds=kinds,
        overall=_stats("all", every, total),
        error_examples=tuple(e for r in recorders for e in r.errors)[:20],
        retries=sum(r.retries for r in recorders),
    )


def _stats(kind: str, latencies: list[float], statuses: Counter[int]) -> KindStats:
    ordered = sorted(latencies)
    return KindStats(
        kind=kind,
        requests=len(ordered),
        statuses=dict(statuses),
        p50_ms=percentile(ordered, 0.50),
        p99_ms=percentile(ordered, 0.99),
        max_ms=ordered[-1] if ordered else 0.0,
    )
