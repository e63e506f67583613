"""RQ jobs. A job carries a bounded batch of source ids and refreshes each one independently.

Why batches (docs/architecture.md, "Batches"): RQ costs ~3–11 ms per job, more than a 304 poll
itself, so one job per source would make the queue, not HTTP, the cost of polling. Each source in a
batch keeps its own state, outcome, error and next due time; one bad source never fails or delays
the others, and a batch lost with its worker leaves every unfinished source due again when its
lease runs out.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import logging
import os
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rq import Queue, SimpleWorker, get_current_job, worker_registration
from rq.job import Job
from rq.timeouts import BaseTimeoutException
from rq.worker import WorkerStatus

from aggregator import boilerplate, language, stories, websub
from aggregator import config as config_module
from aggregator.config import Config, SourceConfig
from aggregator.fetch import Fetcher, default_user_agent, tls_context
from aggregator.models import RefreshResult, SourceState
from aggregator.refresh import Lane, refresh_source
from aggregator.store import LeaseLost, Store

log = logging.getLogger("aggregator.worker")


@dataclass
class _Context:
    """What a worker process keeps between jobs: the published config, one HTTP client and the
    threads that fetch (`fetch.concurrency`)."""

    version: int
    config: Config
    fetcher: Fetcher
    # Kept between jobs: starting eight threads per job was serial work in the worker's main
    # thread, with no fetch running, before every batch (docs/benchmarks.md, "Scale").
    pool: ThreadPoolExecutor
    user_agent: str  # the fetcher's, and the WebSub pings'


_context: _Context | None = None
_context_lock = threading.Lock()


def context(store: Store) -> _Context:
    """The config published by the scheduler, reloaded when its version changes.

    Checking costs one small read of the version; the config itself (megabytes with tens of
    thousands of sources) is read only when the version differs from the one in hand.
    """
    global _context
    with _context_lock:
        if _context is not None and store.config_version() == _context.version:
            return _context
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
                _context.pool.shutdown(wait=False)  # its threads exit once idle
            pool = ThreadPoolExecutor(config.fetch.concurrency, thread_name_prefix="refresh")
            _context = _Context(version, config, Fetcher(config.fetch, agent), pool, agent)
        return _context


MALLOC_ARENAS = 2


def limit_malloc_arenas(arenas: int = MALLOC_ARENAS) -> None:
    """Cap glibc's malloc arenas for this process, unless MALLOC_ARENA_MAX says otherwise.

    glibc gives each thread that allocates its own arena (up to 8 per core), and memory freed
    in one stays there: the fetch threads parsing large documents left a worker ~90 MB heavier
    and 60% slower in tests/test_hostile.py's real-worker run (378-419 MB peak, and 319-325 MB
    with two arenas: the runs of commit e4e5bfa, Nov 2026, whose message says 319 and this
    comment said 325). Re-measured Dec 2026 on a machine another suite loaded, the test grown
    since: 392, 402, 431 MB with two arenas against 442, 419, 405 MB with MALLOC_ARENA_MAX=16
    (glibc's own cap on 2 CPUs), three alternating pairs; medians 402 and 419 MB. Call it
    before the fetch threads start; a no-op without glibc.
    """
    if "MALLOC_ARENA_MAX" in os.environ:
        return
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallopt(_M_ARENA_MAX, arenas)
    except (OSError, AttributeError):
        return


_M_ARENA_MAX = -8  # glibc's malloc.h


def warm_up(connection: Redis) -> None:
    """Build the context before the first job, so that job does not pay for it.

    Workers are SimpleWorkers: every job runs in this process and reuses the context (and its
    HTTP connection pool) until the published config changes, and the language model.
    """
    context(Store(connection))
    language.load()  # 1-4 s: paid before the worker takes jobs, not by its first refresh
    stories.load()  # ~40 ms: the traditional-to-simplified table
    tls_context()  # ~60 ms, paid once, not by the first fetch
    tune_gc()


GC_YOUNG_THRESHOLD = 10_000  # allocations between young collections (CPython's default: 700)


def tune_gc() -> None:
    """Make the garbage collector cheaper for a long-lived worker, once it has loaded its code.

    What is alive now (modules, the language model, the config: ~80,000 objects) lives as long
    as the process: `gc.freeze` takes it out of every later collection. A refresh allocates
    hundreds of thousands of short-lived objects, so young collections run rarer. Measured on a
    cold refresh of the corpus: collections cost ~2.5% of the CPU with the defaults, ~0.4% so.
    """
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, middle, old)


def refresh_batch(source_ids: Sequence[str]) -> dict[str, str]:
    """Refresh each source in the batch; returns {source id: outcome} for the job's result."""
    job = get_current_job()
    assert job is not None, "refresh_batch runs as an RQ job; use run_batch() elsewhere"
    store = Store(job.connection)
    results = run_batch(store, source_ids, done_since=job.created_at)
    return {r.source_id: r.outcome.value for r in results}


def notify_hub(hub: str, topics: list[str]) -> dict[str, str]:
    """Tell the WebSub hub that these feeds changed (aggregator.websub, enqueued by the
    scheduler); returns {topic: "ok" or why not}."""
    job = get_current_job()
    assert job is not None, "notify_hub runs as an RQ job"
    return websub.publish(hub, topics, context(Store(job.connection)).user_agent)


def run_batch(
    store: Store,
    source_ids: Sequence[str],
    on_result: Callable[[RefreshResult], None] | None = None,
    done_since: datetime | None = None,
) -> list[RefreshResult]:
    """Refresh sources concurrently, at most `fetch.per_host` at a time against one host.

    A source whose refresh was recorded at or after `done_since` (when its job was made) is
    left out: a retried job (RQ's `Retry`, after its timeout or a lost Redis) runs again only
    what its earlier runs did not finish. Without it, each retry fetched the whole batch again,
    and ran a source the timeout had stopped (recorded with its backoff) twice more, each for a
    whole job timeout of the worker's time.

    Each source's refresh saves under the lease token the batch takes as it begins
    (`Store.take_leases`): a source another refresh began since (this worker was stopped past
    its lease, and the source was claimed and begun again) saves nothing, says so in the log,
    and is left out of the results.
    """
    ctx = context(store)
    sources = [s for s in (ctx.config.source(i) for i in source_ids) if s is not None]
    # Ids no longer in the config were removed by an edit after they were claimed.
    store.unschedule(i for i in source_ids if ctx.config.source(i) is None)
    states = store.get_states([s.id for s in sources])  # one round trip for the whole batch
    if done_since is not None:
        done = [s.id for s in sources if _refreshed_since(states[s.id], done_since)]
        if done:
            log.info("%d source(s) of this job were refreshed by an earlier run of it", len(done))
            sources = [s for s in sources if s.id not in done]
    if not sources:
        return []
    # The learned junk of the sources never read yet (each parses whatever its feed sends), for
    # them all in one round trip, not in one each (a cold round: 117 of the corpus's 477).
    unread = [s.id for s in sources if s.learned_junk and states[s.id].body_hash is None]
    learned = store.boilerplates(unread, boilerplate.CONTENT_MIN_ARTICLES) if unread else {}
    leases = store.take_leases([s.id for s in sources], time.time() + ctx.config.fetch.lease)
    host_limits: dict[str, threading.Semaphore] = defaultdict(
        lambda: threading.Semaphore(ctx.config.fetch.per_host)
    )
    pending = {s.id for s in sources}
    pending_lock = threading.Lock()
    given_up = threading.Event()  # the job ended (its timeout, Redis gone): begin no more

    def one(source: SourceConfig, lane: Lane | None) -> RefreshResult | None:
        host = urlsplit(source.url).hostname or ""
        try:
            with host_limits[host]:
                if given_up.is_set():
                    raise _GivenUp(source.id)
                if lane is not None:
                    lane.check()  # the batch met Redis gone: the sources not begun are not fetched
                result = refresh_source(
                    source,
                    ctx.config,
                    store,
                    ctx.fetcher,
                    state=states[source.id],
                    lane=lane,
                    learned=learned.get(source.id),
                    lease=leases.get(source.id),
                )
        except LeaseLost as e:
            log.warning(
                "dropped this worker's refresh of source %s: its lease ran out (the worker was"
                " stopped or stalled past fetch.lease) and the source was claimed again since;"
                " the newer refresh's results stand, nothing of this one was saved",
                source.id,
                extra={"fields": {"source": source.id, "lease": e.token}},
            )
            result = None
        with pending_lock:
            pending.discard(source.id)
        if on_result and result is not None:
            on_result(result)
        return result

    with _leases_kept(store, pending, pending_lock, ctx.config.fetch.lease):
        if min(ctx.config.fetch.concurrency, len(sources)) == 1:
            # In the job's thread, one after the other: no lane to take turns in (nor one that
            # RQ's timeout, raised in this thread, could leave taken between two bytecodes).
            return [r for r in (one(s, None) for s in sources) if r is not None]
        lane = Lane()  # where the batch's refreshes take turns once their feeds are in
        futures = [ctx.pool.submit(one, s, lane) for s in sources]
        try:
            return [r for r in (f.result() for f in futures) if r is not None]
        except _ENDS_THE_JOB:
            # RQ's timeout (raised in this thread), a stop, or Redis gone: the sources not
            # begun are not begun (their leases bring them back); those under way finish.
            # (Waiting for every source kept a timed-out job of 100 sources on one host
            # running for 100 fetches more.) Another error, one source's, stops no other.
            given_up.set()
            raise
        finally:
            wait(futures)


def _refreshed_since(state: SourceState, moment: datetime) -> bool:
    return state.last_fetch is not None and state.last_fetch >= moment


# What ends a whole batch, not one source's refresh.
_ENDS_THE_JOB = (BaseTimeoutException, KeyboardInterrupt, SystemExit, RedisConnectionError,
                 RedisTimeoutError)  # fmt: skip


class _GivenUp(Exception):
    """A source of a batch the job gave up on, not begun (its future's, never raised further)."""


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
            if not ids:
                continue
            try:
                store.extend_lease(ids, time.time() + lease)
            except RedisError as e:
                # Redis away (or refusing writes) for a while: the refreshes meet it too, and
                # the next tick tries again (ending this thread let the leases run out).
                log.warning("could not extend the leases of %d sources: %s", len(ids), e)

    thread = threading.Thread(target=keep, name="lease", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


class RefreshWorker(SimpleWorker):
    """RQ's SimpleWorker (jobs run in this process, no fork per job) that outlives Redis outages.

    RQ's main loop touches Redis outside its dequeue (which already waits out outages while the
    worker is idle): the job's end, the heartbeat after it, the suspension check and maintenance.
    A ConnectionError from any of them ends RQ's `work()` and the worker exits. This one waits for
    Redis instead; the sources of a job that was cut short come back when their leases run out.
    """

    # How long a worker started while Redis is down or refuses writes waits between two tries
    # of its start (each try is the client's own retries, ~10 s, first).
    BIRTH_RETRY_SECONDS = 1.0

    def register_birth(self) -> None:
        """RQ's, tried again until Redis takes it: a worker started while Redis refused writes
        (MISCONF, a full disk) or was down exited with status 3, over and over, until `run`
        gave up on it."""
        waiting_since: float | None = None
        while True:
            try:
                super().register_birth()  # type: ignore[no-untyped-call]
                break
            except (RedisConnectionError, RedisTimeoutError) as e:
                if waiting_since is None:
                    waiting_since = time.monotonic()
                    log.error(
                        "Redis does not answer or refuses writes; the worker starts once it"
                        " does: %s",
                        e,
                    )
                time.sleep(self.BIRTH_RETRY_SECONDS)
        if waiting_since is not None:
            log.warning(
                "Redis answers again; the worker starts",
                extra={"fields": {"down_seconds": round(time.monotonic() - waiting_since, 1)}},
            )

    def execute_job(self, job: Job, queue: Queue) -> None:
        try:
            super().execute_job(job, queue)
        except (RedisConnectionError, RedisTimeoutError) as e:
            log.error("Redis went away during job %s; waiting for it to answer: %s", job.id, e)
            self._wait_for_redis()

    def heartbeat(self, timeout: int | None = None, pipeline: Any = None) -> None:
        if pipeline is not None:  # only queued on the caller's pipeline: no I/O here
            super().heartbeat(timeout, pipeline)
            return
        self._outliving_outages("heartbeat", lambda: self._beat(timeout))

    def _beat(self, timeout: int | None) -> None:
        super().heartbeat(timeout)
        # A job that ran past its timeout (one the timeout could not interrupt: native code)
        # outlived the worker's key, and another worker's registry cleaning then dropped it from
        # RQ's set of workers: readiness and /metrics counted it gone while it worked on.
        with self.connection.pipeline() as pipe:
            worker_registration.register(self, pipe)
            pipe.execute()

    def check_for_suspension(self, burst: bool) -> None:
        self._outliving_outages(
            "suspension check", lambda: super(RefreshWorker, self).check_for_suspension(burst)
        )

    def run_maintenance_tasks(self) -> None:
        self._outliving_outages(
            "maintenance",
            lambda: super(RefreshWorker, self).run_maintenance_tasks(),  # type: ignore[no-untyped-call]
        )

    # How often the thread listening on the worker's channel (RQ's commands: stop a job,
    # shut down) looks whether it is to stop. RQ's 60 s let redis-py's stop() wait up to a
    # minute once the channel was unsubscribed (its get_message then waits for a new
    # subscription): every `worker --burst` said "Redis did not answer the worker's goodbye"
    # after 5 s, with Redis answering.
    PUBSUB_WAKE_SECONDS = 0.5

    def subscribe(self) -> None:
        """RQ's, with the listening thread waking every PUBSUB_WAKE_SECONDS."""
        self.log.info("Worker %s: subscribing to channel %s", self.name, self.pubsub_channel_name)
        self.pubsub = self.connection.pubsub()
        self.pubsub.subscribe(**{self.pubsub_channel_name: self.handle_payload})
        self.pubsub_thread = self.pubsub.run_in_thread(  # type: ignore[assignment]
            sleep_time=self.PUBSUB_WAKE_SECONDS,
            daemon=True,
            exception_handler=self._pubsub_exception_handler,
        )

    # How long a stopping worker waits to tell Redis it is gone (RQ's teardown: its death in the
    # registry, the end of its pubsub channel). When `run` is killed, every child gets SIGTERM
    # at once and the embedded server is gone first: the client's patient retries (nested:
    # each reconnect retries too) kept the worker up 10 s on a quiet machine and past 30 s
    # under load, then it exited 1. An unsaid goodbye costs nothing: the worker's key expires
    # with its TTL.
    TEARDOWN_SECONDS = 5.0

    def teardown(self) -> None:
        def goodbye() -> None:
            try:
                super(RefreshWorker, self).teardown()  # type: ignore[no-untyped-call]
            except RedisError as e:
                log.warning("Redis did not hear the worker leave: %s", e)

        thread = threading.Thread(target=goodbye, name="teardown", daemon=True)
        thread.start()
        thread.join(self.TEARDOWN_SECONDS)
        if thread.is_alive():
            log.warning(
                "Redis did not answer the worker's goodbye within %g s; leaving without it",
                self.TEARDOWN_SECONDS,
            )

    def _outliving_outages(self, what: str, call: Callable[[], object]) -> None:
        while True:
            try:
                call()
                return
            except (RedisConnectionError, RedisTimeoutError) as e:
                log.error("Redis went away during the %s; waiting for it to answer: %s", what, e)
                self._wait_for_redis()

    def _wait_for_redis(self) -> None:
        started = time.monotonic()
        while True:
            try:
                self.set_state(WorkerStatus.IDLE)
            except (RedisConnectionError, RedisTimeoutError):
                time.sleep(1.0)  # the client has already retried for several seconds
                continue
            log.warning(
                "Redis answers again; the worker resumes",
                extra={"fields": {"down_seconds": round(time.monotonic() - started, 1)}},
            )
            return
