"""Probes and metrics for operators: /healthz, /readyz, /metrics.

/healthz says the web process answers. /readyz says the whole service can do its work: Redis
answers, at least one RQ worker and the scheduler have reported alive recently. A worker killed
with SIGKILL stays in RQ's registry until its key expires, so freshness is judged by each
worker's last heartbeat, within READY_HEARTBEAT_SECONDS (default 60).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

import redis
from flask import Blueprint, Response, current_app, jsonify
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry

from aggregator import metrics
from aggregator.queues import QUEUE_NAME
from aggregator.redis_server import PoolBusy, without_breaker
from aggregator.store import Store
from aggregator.web import Shared, get_store

bp = Blueprint("health", __name__)
V = TypeVar("V")

heartbeat_window = metrics.heartbeat_window  # (READY_HEARTBEAT_SECONDS; /metrics counts by it)


@dataclass(frozen=True)
class Readiness:
    """What /readyz found: `problems` is empty when the service is ready."""

    problems: dict[str, str]
    workers: int  # workers with a fresh heartbeat
    scheduler_age: float | None  # seconds since the scheduler's last heartbeat

    @property
    def ready(self) -> bool:
        return not self.problems


_probes: dict[tuple[int, int], redis.Redis] = {}


def _probe_client(client: redis.Redis) -> redis.Redis:
    """A client on the same server that gives up after a second instead of retrying.

    The shared client retries for ~10 s to ride out a restart; a readiness probe must instead
    answer 503 at once, before the orchestrator's own probe timeout.
    """
    pool = client.connection_pool
    key = (os.getpid(), id(pool))
    probe = _probes.get(key)
    if probe is None:
        kwargs = {
            **pool.connection_kwargs,
            "socket_timeout": 1.0,
            "socket_connect_timeout": 1.0,
            "retry": Retry(NoBackoff(), 0),
            "retry_on_error": [],
        }
        probe = redis.Redis(
            connection_pool=redis.BlockingConnectionPool(  # type: ignore[no-untyped-call]
                # (Its own 1 s timeout: a stall the pages ride out must not trip their breaker.)
                connection_class=without_breaker(pool.connection_class),
                max_connections=pool.max_connections,
                timeout=1.0,
                **kwargs,
            )
        )
        _probes[key] = probe
    return probe


def check_readiness(store: Store, now: datetime, window: float) -> Readiness:
    """Ask Redis whether a worker and the scheduler are alive."""
    from rq import Worker  # only this probe needs rq

    try:
        _probe_client(store.redis).ping()
        workers = Worker.all(connection=store.redis)
        beats = store.heartbeats()
    except PoolBusy as e:  # (Redis answered the probe: this process is what is not ready)
        return Readiness({"web": str(e)}, 0, None)
    except (RedisConnectionError, RedisTimeoutError) as e:
        return Readiness({"redis": f"Redis does not answer: {e}"}, 0, None)

    problems: dict[str, str] = {}
    fresh = [
        w for w in workers if w.last_heartbeat is not None and _age(now, w.last_heartbeat) <= window
    ]
    if not fresh:
        problems["workers"] = (
            f"no RQ worker reported alive in the last {window:g}s"
            f" ({len(workers)} registered): start `aggregator worker`, or find out why the"
            " running ones are silent (stopped, or stuck in a job: their log says)"
        )
    scheduler_age = _age(now, beats["scheduler"]) if "scheduler" in beats else None
    if scheduler_age is None:
        problems["scheduler"] = "the scheduler never reported alive: start `aggregator scheduler`"
    elif scheduler_age > window:
        problems["scheduler"] = (
            f"the scheduler last reported alive {scheduler_age:.0f}s ago"
            f" (more than {window:g}s): is `aggregator scheduler` running?"
        )
    return Readiness(problems, len(fresh), scheduler_age)


def _age(now: datetime, then: datetime) -> float:
    if then.tzinfo is None:  # RQ writes UTC
        then = then.replace(tzinfo=UTC)
    # Never below 0, as /metrics has it: a beat written after `now` was read (or by a host
    # whose clock runs a little ahead) made /readyz say "scheduler_age_seconds": -0.0.
    return max(0.0, (now - then).total_seconds())


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/healthz")
def healthz() -> Response:
    """The process is alive and serving."""
    return _no_store(jsonify(status="ok"))


def _shared(name: str, call: Callable[[], V]) -> V:
    """`call`'s result, shared with the requests of this app that ask while it runs (Shared)."""
    shared: dict[str, Shared[Any]] = current_app.extensions.setdefault("health", {})
    if name not in shared:
        shared[name] = Shared(call)
    result: V = shared[name].get()
    return result


@bp.get("/readyz")
def readyz() -> tuple[Response, int]:
    """200 when Redis, a worker and the scheduler are all there; 503 naming what is missing."""
    store = get_store()
    result = _shared(
        "readyz", lambda: check_readiness(store, datetime.now(UTC), heartbeat_window())
    )
    body: dict[str, Any] = {
        "status": "ready" if result.ready else "not ready",
        "workers": result.workers,
        "scheduler_age_seconds": (
            round(result.scheduler_age, 1) if result.scheduler_age is not None else None
        ),
    }
    if result.problems:
        body["missing"] = sorted(result.problems)
        body["problems"] = result.problems
    return _no_store(jsonify(body)), 200 if result.ready else 503


@bp.get("/metrics")
def metrics_view() -> Response:
    """Prometheus exposition of every process's counters plus gauges read from Redis (with
    Redis away, the counters and `aggregator_redis_up 0`, within a second)."""
    store = get_store()
    body, content_type = _shared(
        "metrics", lambda: metrics.scrape(store, [QUEUE_NAME], _probe_client(store.redis).ping)
    )
    return _no_store(Response(body, content_type=content_type))
