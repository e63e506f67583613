"""Prometheus metrics: counters the processes increment, gauges read from Redis at scrape time.

Counters and histograms live in the process that counts: each RQ worker (a SimpleWorker: jobs run
in the worker process itself), the scheduler, each gunicorn worker. With PROMETHEUS_MULTIPROC_DIR
set in their environment before they start (`aggregator run` does it), prometheus_client writes
them to files in that directory, so a retired or restarted worker's counts outlive it and
`/metrics` in any web process sums them all.
Without it, each process counts in memory and `/metrics` shows only the web process's own.

State that Redis already holds (sources by state, queue depth, scheduler lag, workers) is not
kept in any process: `RedisCollector` reads it on each scrape, so every web process reports the
same numbers and nothing goes stale when a process dies. A scrape costs a few small reads
whatever the number of sources: the counts by state are kept in Redis by the scripts that change
a source's state (store.py, `{p}:health:counts`), not tallied from every source's state.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.mmap_dict import MmapedDict
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead
from prometheus_client.registry import Collector
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from aggregator.errors import SettingExit, seconds_setting
from aggregator.models import SOURCE_STATES, Outcome, RefreshResult
from aggregator.redis_server import PoolBusy
from aggregator.store import Store

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

# Seconds: a 304 takes milliseconds, a slow source the whole fetch deadline (60 s by default).
_DURATION_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0)

FETCHES = Counter(
    "aggregator_fetches",
    "Source refreshes by outcome and HTTP status class (2xx, 3xx, 4xx, 5xx; '' when no answer)",
    ["outcome", "status_class"],
)
FETCH_DURATION = Histogram(
    "aggregator_fetch_duration_seconds",
    "Time spent fetching a source over HTTP, redirects and body included",
    buckets=_DURATION_BUCKETS,
)
REFRESH_DURATION = Histogram(
    "aggregator_refresh_duration_seconds",
    "Time of a whole refresh of one source: fetch, parse, normalize, store",
    buckets=_DURATION_BUCKETS,
)
ARTICLES_ADDED = Counter("aggregator_articles_added", "Articles stored for the first time")
ARTICLES_UPDATED = Counter("aggregator_articles_updated", "Stored articles whose content changed")
ENQUEUED = Counter(
    "aggregator_scheduler_enqueued_sources", "Due sources the scheduler claimed and enqueued"
)
FEED_RENDERS = Counter(
    "aggregator_feed_renders", "Feeds rendered (cache misses) by format", ["format"]
)
FEED_CACHE_HITS = Counter(
    "aggregator_feed_cache_hits", "Feed requests served from the rendered cache", ["format"]
)
PAGE_RENDERS = Counter("aggregator_page_renders", "Pages rendered (web.rendering)")
PAGE_SHARED = Counter(
    "aggregator_page_shared", "Page requests given a rendering made for another request"
)
# Counted by the web server's worker (http_server.Worker), which imports this module only once
# it has forked and gevent has patched the standard library.
WEB_CONNECTIONS_CLOSED = Counter(
    "aggregator_web_connections_closed",
    "Client connections the web server closed, by why",
    # per_address: over an address's share; room: a full worker made room; send_timeout: a
    # client read nothing of its answer for WEB_SEND_TIMEOUT seconds; header_timeout: a
    # connection's first request line and headers did not come within WEB_HEADER_TIMEOUT;
    # idle: a kept-alive connection's next request did not
    ["reason"],
)
# (0 from the start: a rate() to alert on needs a series)
for _reason in ("per_address", "room", "send_timeout", "header_timeout", "idle"):
    WEB_CONNECTIONS_CLOSED.labels(reason=_reason)

# --- what the pipeline calls ------------------------------------------------------------------


def status_class(status: int | None) -> str:
    """ "4xx" for 404 and so on; "" when there was no HTTP answer."""
    return f"{status // 100}xx" if status and 100 <= status <= 599 else ""


def _public_outcome(result: RefreshResult) -> str:
    """A refused private address counts as a connection error, as a name that did not resolve:
    /metrics takes no token, and told apart they let a feed redirecting to a guessed internal
    name learn, one guess a poll, that it exists (a review; /sources says the same of both,
    redact.UNREACHABLE_HOST_ERROR). The log and the admin keep the detail."""
    if result.outcome is Outcome.BLOCKED and result.error.startswith("refused to connect to "):
        return Outcome.CONNECTION_ERROR.value
    return result.outcome.value


def observe_refresh(result: RefreshResult, fetch_seconds: float | None) -> None:
    """Count one finished refresh."""
    FETCHES.labels(_public_outcome(result), status_class(result.http_status)).inc()
    if fetch_seconds is not None:
        FETCH_DURATION.observe(fetch_seconds)
    REFRESH_DURATION.observe(result.duration)
    if result.added:
        ARTICLES_ADDED.inc(result.added)
    if result.updated:
        ARTICLES_UPDATED.inc(result.updated)


# --- the scrape -------------------------------------------------------------------------------


class RedisCollector(Collector):
    """Gauges read from Redis when scraped: sources by state, queues, lag, processes.

    With Redis away, only `aggregator_redis_up 0`: the scrape still succeeds, with every
    process's counters, so an outage shows as that gauge (and the counters' story up to it)
    rather than as the whole target down. `reachable` is asked first, a probe that fails
    fast: the store's own client rides out a restart for ~10 s, longer than a scrape waits.
    """

    def __init__(
        self, store: Store, queues: Iterable[str], reachable: Callable[[], object] | None = None
    ) -> None:
        self.store = store
        self.queues = list(queues)
        self.reachable = reachable

    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            if self.reachable is not None:
                self.reachable()
            gauges = list(self._read())  # all read before any is given: none from half a scrape
        except PoolBusy:
            # (Redis answered the probe; this process is what is busy: the scrape fails as a page
            # does, 503 "it is busy", rather than say `aggregator_redis_up 0` of a server that
            # is well.)
            raise
        except (RedisConnectionError, RedisTimeoutError):
            gauges = []
        yield GaugeMetricFamily(
            "aggregator_redis_up",
            "1 when Redis answered this scrape's reads; 0, and no gauge read from it, when not",
            value=1 if gauges else 0,
        )
        yield from gauges

    def _read(self) -> Iterator[GaugeMetricFamily]:
        from rq import Queue, Worker  # only the scrape needs rq, not every web request

        counts = self.store.state_counts()
        sources = GaugeMetricFamily(
            "aggregator_sources", "Sources of the published config by state", labels=["state"]
        )
        for name in SOURCE_STATES:
            sources.add_metric([name], counts.get(name, 0))
        yield sources

        depth = GaugeMetricFamily(
            "aggregator_queue_depth", "Jobs waiting in an RQ queue", labels=["queue"]
        )
        failed = GaugeMetricFamily(
            "aggregator_failed_jobs",
            "Jobs in an RQ queue's failed registry (bugs)",
            labels=["queue"],
        )
        for name in self.queues:
            queue = Queue(name, connection=self.store.redis)
            depth.add_metric([name], queue.count)
            # Without rq's cleanup on read: a scrape reads, and the workers clean up.
            failed.add_metric([name], queue.failed_job_registry.get_job_count(cleanup=False))
        yield depth
        yield failed

        now = time.time()
        yield GaugeMetricFamily(
            "aggregator_scheduler_lag_seconds",
            "How late the most overdue source is (0 when none is)",
            value=self.store.scheduler_lag(now),
        )
        workers = Worker.all(connection=self.store.redis)
        yield GaugeMetricFamily(
            "aggregator_workers",
            "RQ workers registered in Redis",
            value=len(workers),
        )
        # A registered worker may be stopped or stuck: only its heartbeat says it is alive.
        window = heartbeat_window()
        alive = [
            w for w in workers if w.last_heartbeat and now - w.last_heartbeat.timestamp() <= window
        ]
        yield GaugeMetricFamily(
            "aggregator_workers_alive",
            f"RQ workers that reported alive in the last {window:g} s (READY_HEARTBEAT_SECONDS)",
            value=len(alive),
        )
        beats = GaugeMetricFamily(
            "aggregator_heartbeat_age_seconds",
            "Seconds since a process (e.g. the scheduler) last reported alive",
            labels=["process"],
        )
        for name, when in sorted(self.store.heartbeats().items()):
            beats.add_metric([name], max(0.0, now - when.timestamp()))
        yield beats
        found = self.store.config_problems()
        yield GaugeMetricFamily(
            "aggregator_config_problems",
            "Problems of a config file the service cannot apply (0: the file is in force)",
            value=found.total if found else 0,
        )


READY_ENV = "READY_HEARTBEAT_SECONDS"
DEFAULT_WINDOW = 60.0


def heartbeat_window() -> float:
    """How recent a heartbeat must be to count (READY_HEARTBEAT_SECONDS, default 60)."""
    raw = os.environ.get(READY_ENV, "")
    try:
        window = float(raw) if raw else DEFAULT_WINDOW
    except ValueError:
        raise ValueError(f"{READY_ENV}={raw!r} is not a number of seconds") from None
    return window if window > 0 else DEFAULT_WINDOW


WORKER_HEARTBEAT_ENV = "WORKER_HEARTBEAT_SECONDS"


def worker_heartbeat() -> float:
    """How often a worker reports alive (WORKER_HEARTBEAT_SECONDS, default 20)."""
    return seconds_setting(WORKER_HEARTBEAT_ENV, 20, 1, 3600)


def check_heartbeats() -> None:
    """Stop with a message naming the variable when a heartbeat setting is no number: a wrong
    READY_HEARTBEAT_SECONDS made every /readyz and /metrics a 500 with a traceback in the log,
    and a wrong WORKER_HEARTBEAT_SECONDS a worker restarted until `run` gave up (a review)."""
    for check in (heartbeat_window, worker_heartbeat):
        try:
            check()
        except ValueError as e:
            raise SettingExit(f"aggregator: {e}") from None


class _ThisProcess(Collector):
    """The default registry's metrics: this process's own counts, when not multiprocess."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        yield from REGISTRY.collect()  # type: ignore[misc]


def scrape(
    store: Store, queues: Iterable[str], reachable: Callable[[], object] | None = None
) -> tuple[bytes, str]:
    """The exposition text of every metric and its content type (`reachable`: RedisCollector's)."""
    registry = CollectorRegistry()
    path = os.environ.get(MULTIPROC_ENV)
    if path:
        MultiProcessCollector(registry, path=path)  # type: ignore[no-untyped-call]
    else:
        registry.register(_ThisProcess())
    registry.register(RedisCollector(store, queues, reachable))
    with _files_locked(path, fcntl.LOCK_SH):  # not while a retiring process folds its files
        return generate_latest(registry), CONTENT_TYPE_LATEST


def fold_process_files(pid: int | None = None) -> int:
    """Fold a finished process's counter and histogram files into one file of each kind, so
    that its counts stay in the sums and its files go; returns how many went.

    A worker retires every --max-jobs jobs and leaves two 64 KiB files: thousands a day at
    scale, and a scrape reads every one (153 ms at 2,000 files, 634 ms at 6,000). Scrapes wait
    for the fold (a lock on the directory), so none sees the counts twice or not at all.
    """
    path = os.environ.get(MULTIPROC_ENV)
    if not path:
        return 0
    pid = os.getpid() if pid is None else pid
    folded = 0
    with _files_locked(path, fcntl.LOCK_EX):
        for kind in ("counter", "histogram"):
            mine = os.path.join(path, f"{kind}_{pid}.db")
            if not os.path.exists(mine):
                continue
            archive = _MmapedDict(os.path.join(path, f"{kind}_{_ARCHIVE}.db"))
            try:
                for key, value, timestamp, _ in _MmapedDict.read_all_values_from_file(mine):
                    total, _ = archive.read_value(key)
                    archive.write_value(key, total + value, timestamp)
            finally:
                archive.close()
            os.remove(mine)
            folded += 1
    _mark_process_dead(pid, path)  # its live gauges, if any
    return folded


_ARCHIVE = "retired"  # what stands for a pid in the folded files' names
# prometheus_client's own reader and writer of its files, and its clean-up (both untyped).
_MmapedDict: Any = MmapedDict
_mark_process_dead: Any = mark_process_dead


@contextlib.contextmanager
def _files_locked(path: str | None, how: int) -> Iterator[None]:
    if not path:
        yield
        return
    with open(os.path.join(path, "fold.lock"), "a") as lock:
        fcntl.flock(lock, how)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def prepare_multiproc_dir(path: os.PathLike[str] | str) -> str:
    """Create `path` and remove the files a previous run left there; returns it as a string.

    Counts from processes that no longer exist would otherwise be added to the new run's.
    """
    directory = os.fspath(path)
    os.makedirs(directory, exist_ok=True)
    for name in os.listdir(directory):
        if name.endswith(".db"):
            os.remove(os.path.join(directory, name))
    return directory
