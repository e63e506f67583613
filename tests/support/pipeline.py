"""Building blocks for end-to-end pipeline tests: configs, worker processes, waiting."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path

from rq import Queue
from rq.registry import FailedJobRegistry

from aggregator.config import Category, Config, FetchConfig, SiteConfig, SourceConfig
from aggregator.queues import QUEUE_NAME
from aggregator.store import Store
from workers import scheduler

ROOT = Path(__file__).resolve().parents[2]


def make_config(
    urls: dict[str, str], *, categories: Iterable[str] = ("news",), **fetch: object
) -> Config:
    """A config with one source per {id: url}, all in `categories`, fetching from loopback."""
    cats = tuple(categories)
    fetch_config = replace(
        FetchConfig(allow_private_networks=True, jitter=0.0, deadline=10.0, read_timeout=5.0),
        **fetch,  # type: ignore[arg-type]
    )
    return Config(
        site=SiteConfig(title="Test Desk", base_url="http://127.0.0.1:8000"),
        fetch=fetch_config,
        categories=tuple(Category(slug=c, title=c.title()) for c in cats),
        sources=tuple(
            SourceConfig(id=i, name=f"Source {i}", url=u, categories=cats, interval=900.0)
            for i, u in urls.items()
        ),
    )


def start_worker(redis_url: str, *args: str) -> subprocess.Popen[bytes]:
    """A real `aggregator worker` process on `redis_url`.

    It leads its own process group, so `os.killpg(p.pid, SIGKILL)` takes its work horse too.
    """
    env = {**os.environ, "REDIS_URL": redis_url, "LOG_LEVEL": "WARNING"}
    return subprocess.Popen(
        [sys.executable, "-m", "aggregator.cli", "worker", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


def wait_for(predicate: Callable[[], bool], timeout: float, what: str, step: float = 0.1) -> None:
    """Poll `predicate` until it holds; fail with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(step)


def all_fetched(store: Store, ids: list[str], after: float = 0.0) -> bool:
    """Every source has been fetched (after `after`, a Unix time)."""
    states = store.get_states(ids)
    return all(
        s.last_fetch is not None and s.last_fetch.timestamp() > after for s in states.values()
    )


def tick_until_fetched(
    store: Store, queue: Queue, config: Config, ids: list[str], timeout: float, why: str
) -> None:
    """Run scheduler ticks, as its loop would, until every source has been fetched."""
    deadline = time.monotonic() + timeout
    while not all_fetched(store, ids):
        assert time.monotonic() < deadline, why
        scheduler.tick(store, queue, config)
        time.sleep(0.2)


def ingest_with_burst_worker(redis_url: str, store: Store, config: Config, timeout: float) -> None:
    """Publish `config`, enqueue all of its sources, and drain the queue with a real worker.

    Fails when the worker does not finish in `timeout` seconds or any job crashed.
    """
    scheduler.publish(store, config)
    queue = Queue(QUEUE_NAME, connection=store.redis)
    scheduler.enqueue(queue, config, [s.id for s in config.sources])
    worker = start_worker(redis_url, "--burst")
    try:
        assert worker.wait(timeout) == 0, worker.stderr.read().decode() if worker.stderr else ""
    finally:
        worker.kill()
    assert FailedJobRegistry(queue=queue).count == 0, "a job crashed"


def hold(seconds: float, note: str) -> str:
    """A job that keeps its worker busy for `seconds` (`note`: what its call shows)."""
    time.sleep(seconds)
    return note
