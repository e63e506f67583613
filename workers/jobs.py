"""RQ jobs. A job carries a bounded batch of source ids and refreshes each one independently.

Why batches (DESIGN.md §6): RQ costs ~3–11 ms per job, more than a 304 poll itself, so one job
per source would make the queue, not HTTP, the cost of polling. Each source in a batch keeps its
own state, outcome, error and next due time; one bad source never fails or delays the others, and
a batch lost with its worker leaves every unfinished source due again when its lease runs out.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlsplit

from redis import Redis
from rq import get_current_job

from aggregator import config as config_module
from aggregator.config import Config, SourceConfig
from aggregator.fetch import Fetcher, default_user_agent
from aggregator.models import RefreshResult
from aggregator.refresh import refresh_source
from aggregator.store import Store


@dataclass
class _Context:
    """What a worker process keeps between jobs: the published config and one HTTP client."""

    version: int
    config: Config
    fetcher: Fetcher


_context: _Context | None = None
_context_lock = threading.Lock()


def context(store: Store) -> _Context:
    """The config published by the scheduler, reloaded when its version changes."""
    global _context
    with _context_lock:
        published = store.published_config()
        if published is None:
            raise RuntimeError(
                "no configuration published in Redis yet: start `aggregator scheduler` "
                "(or `aggregator run`) so it loads aggregator.toml and publishes it"
            )
        version, raw = published
        if _context is None or _context.version != version:
            config = config_module.loads(raw)
            agent = config.fetch.user_agent or default_user_agent(config.site.base_url)
            if _context is not None:
                _context.fetcher.close()
            _context = _Context(version, config, Fetcher(config.fetch, agent))
        return _context


def warm_up(connection: Redis) -> None:
    """Build the context in the worker's main process so each forked job inherits it."""
    context(Store(connection))


def refresh_batch(source_ids: Sequence[str]) -> dict[str, str]:
    """Refresh each source in the batch; returns {source id: outcome} for the job's result."""
    job = get_current_job()
    assert job is not None, "refresh_batch runs as an RQ job; use run_batch() elsewhere"
    store = Store(job.connection)
    results = run_batch(store, source_ids)
    return {r.source_id: r.outcome.value for r in results}


def run_batch(
    store: Store,
    source_ids: Sequence[str],
    on_result: Callable[[RefreshResult], None] | None = None,
) -> list[RefreshResult]:
    """Refresh sources concurrently, at most `fetch.per_host` at a time against one host."""
    ctx = context(store)
    sources = [s for s in (ctx.config.source(i) for i in source_ids) if s is not None]
    # Ids no longer in the config were removed by an edit after they were claimed.
    store.unschedule(i for i in source_ids if ctx.config.source(i) is None)
    if not sources:
        return []
    host_limits: dict[str, threading.Semaphore] = defaultdict(
        lambda: threading.Semaphore(ctx.config.fetch.per_host)
    )
    pending = {s.id for s in sources}
    pending_lock = threading.Lock()

    def one(source: SourceConfig) -> RefreshResult:
        host = urlsplit(source.url).hostname or ""
        with host_limits[host]:
            result = refresh_source(source, ctx.config, store, ctx.fetcher)
        with pending_lock:
            pending.discard(source.id)
        if on_result:
            on_result(result)
        return result

    workers = min(ctx.config.fetch.concurrency, len(sources))
    with _leases_kept(store, pending, pending_lock, ctx.config.fetch.lease):
        if workers == 1:
            return [one(s) for s in sources]
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="refresh") as pool:
            # map() re-raises the first bug after every source has been tried.
            return list(pool.map(one, sources))


@contextmanager
def _leases_kept(
    store: Store, pending: set[str], lock: threading.Lock, lease: float
) -> Iterator[None]:
    """Keep extending the claim on unfinished sources, so only a lost job lets them go."""
    stop = threading.Event()

    def keep() -> None:
        while not stop.wait(lease / 3):
            with lock:
                ids = list(pending)
            if ids:
                store.extend_lease(ids, time.time() + lease)

    thread = threading.Thread(target=keep, name="lease", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
