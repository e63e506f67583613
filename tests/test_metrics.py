"""/metrics: counters from real forked worker processes, gauges read from Redis at scrape time."""

from __future__ import annotations

import time
from collections import Counter as Tally
from datetime import UTC, datetime
from pathlib import Path
from typing import cast

import pytest
from flask import Flask
from prometheus_client.parser import text_string_to_metric_families
from rq import Queue, Worker
from rq.utils import utcformat

from aggregator import actions, metrics
from aggregator.config import Config
from aggregator.fetch import Fetcher
from aggregator.models import Outcome, RefreshResult, SourceState, source_health
from aggregator.queues import QUEUE_NAME
from aggregator.refresh import refresh_source
from aggregator.store import Store
from tests.support.feed_server import FeedServer
from tests.support.pipeline import make_config, start_worker
from tests.support.web_server import HttpClient, http_client
from tests.test_health import with_ops
from workers import scheduler

RSS = (
    b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
    b"<link>https://example.com/</link>"
    b"<item><guid>a</guid><title>Alpha</title><link>https://example.com/a</link></item>"
    b"<item><guid>b</guid><title>Beta</title><link>https://example.com/b</link></item>"
    b"</channel></rss>"
)


@pytest.fixture
def web_config(feed_server: FeedServer) -> Config:
    """Sources served by the loopback feed server: one good, three failing in different ways."""
    return make_config(
        {
            "good": feed_server.url("/good.xml"),
            "broken": feed_server.url("/broken.xml"),
            "missing": feed_server.url("/missing.xml"),
            "gone": feed_server.url("/gone.xml"),
        }
    )


def scrape(client: HttpClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of /metrics by (name, sorted labels)."""
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.content_type.startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def fetches(
    samples: dict[tuple[str, tuple[tuple[str, str], ...]], float], outcome: str, cls: str
) -> float:
    key = ("aggregator_fetches_total", (("outcome", outcome), ("status_class", cls)))
    return samples.get(key, 0.0)


def run_worker(store: Store, config: Config, redis_url: str) -> int:
    """Enqueue every source and let a real `aggregator worker --burst` refresh them; its pid."""
    queue = Queue(QUEUE_NAME, connection=store.redis)
    # One source per job: each job is another forked work horse whose counts must survive it.
    for source in config.sources:
        scheduler.enqueue(queue, config, [source.id])
        time.sleep(0.01)
    worker = start_worker(redis_url, "--burst")
    assert worker.wait(120) == 0, worker.stderr.read().decode() if worker.stderr else ""
    return worker.pid


@pytest.mark.timeout(240)
def test_counters_from_forked_worker_processes_reach_metrics(
    app: Flask,
    web_config: Config,
    store: Store,
    feed_server: FeedServer,
    redis_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    feed_server.add("/good.xml", RSS, etag='"v1"')
    feed_server.add("/broken.xml", status=503)
    feed_server.add("/missing.xml", status=404)
    feed_server.add("/gone.xml", status=410)
    monkeypatch.setenv(metrics.MULTIPROC_ENV, metrics.prepare_multiproc_dir(tmp_path / "prom"))
    client = http_client(with_ops(app))

    before = scrape(client)
    assert fetches(before, "ok", "2xx") == 0
    run_worker(store, web_config, redis_url)
    after = scrape(client)
    assert fetches(after, "ok", "2xx") == 1
    assert fetches(after, "http-error", "5xx") == 1
    assert fetches(after, "http-error", "4xx") == 1
    assert fetches(after, "gone", "4xx") == 1
    assert after[("aggregator_articles_added_total", ())] == 2
    assert after[("aggregator_fetch_duration_seconds_count", ())] == 4
    assert after[("aggregator_refresh_duration_seconds_count", ())] == 4
    assert after[("aggregator_sources", (("state", "healthy"),))] == 1
    assert after[("aggregator_sources", (("state", "failing"),))] == 2
    assert after[("aggregator_sources", (("state", "gone"),))] == 1

    # A second run in new processes adds to the first: the good source now answers 304.
    pid = run_worker(store, web_config, redis_url)
    again = scrape(client)
    assert fetches(again, "ok", "2xx") == 1
    assert fetches(again, "not-modified", "3xx") == 1
    assert fetches(again, "http-error", "5xx") == 2
    assert again[("aggregator_refresh_duration_seconds_count", ())] == 8
    # Each worker folded its files into one per kind on its way out: they do not pile up.
    files = sorted(p.name for p in (tmp_path / "prom").glob("*.db"))
    assert "counter_retired.db" in files
    assert "histogram_retired.db" in files
    assert not [name for name in files if name.endswith(f"_{pid}.db")], files


def test_gauges_are_read_from_redis_when_scraped(
    app: Flask, web_config: Config, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(metrics.MULTIPROC_ENV, raising=False)
    client = http_client(with_ops(app))
    now = time.time()
    store.schedule("good", now - 120)  # two minutes overdue
    store.save_state(SourceState("broken", paused=True))
    store.heartbeat("scheduler", datetime.fromtimestamp(now - 5, UTC))
    queue = Queue(QUEUE_NAME, connection=store.redis)
    scheduler.enqueue(queue, web_config, ["missing"])

    samples = scrape(client)
    assert samples[("aggregator_scheduler_lag_seconds", ())] >= 120
    assert samples[("aggregator_queue_depth", (("queue", "refresh"),))] == 1
    assert samples[("aggregator_sources", (("state", "paused"),))] == 1
    assert samples[("aggregator_sources", (("state", "pending"),))] == 3
    assert samples[("aggregator_heartbeat_age_seconds", (("process", "scheduler"),))] >= 5
    assert samples[("aggregator_config_problems", ())] == 0
    store.set_config_problems("/etc/aggregator.toml", ["sources[3].url: missing", "x: y"])
    assert scrape(client)[("aggregator_config_problems", ())] == 2
    store.set_config_problems(
        "/etc/aggregator.toml", [f"sources[{n}].urll: unknown" for n in range(150)]
    )
    assert scrape(client)[("aggregator_config_problems", ())] == 150  # all, though 100 are kept


def test_a_worker_registered_but_silent_is_not_counted_alive(
    app: Flask, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two workers stopped (SIGSTOP) for 75 s: /readyz said 0 alive, /metrics said 2 workers.
    monkeypatch.delenv(metrics.MULTIPROC_ENV, raising=False)
    client = http_client(with_ops(app))
    queue = Queue(QUEUE_NAME, connection=store.redis)
    for name in ("fresh", "silent"):
        worker = Worker([queue], connection=store.redis, name=name)
        worker.register_birth()
        worker.heartbeat()
    stale = datetime.fromtimestamp(time.time() - 600, UTC)
    store.redis.hset("rq:worker:silent", "last_heartbeat", utcformat(stale))
    samples = scrape(client)
    assert samples[("aggregator_workers", ())] == 2
    assert samples[("aggregator_workers_alive", ())] == 1


def test_this_process_counts_show_without_a_multiprocess_dir(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(metrics.MULTIPROC_ENV, raising=False)
    client = http_client(with_ops(app))
    before = fetches(scrape(client), "timeout", "")
    metrics.observe_refresh(RefreshResult("x", Outcome.TIMEOUT, None, 1.5), 1.4)
    assert fetches(scrape(client), "timeout", "") == before + 1


def test_a_refused_private_address_counts_as_a_connection_error(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The token-free /metrics told a refused private address ("blocked") from a name that did
    not resolve: one poll of a feed redirecting to a guessed internal name said it exists."""
    monkeypatch.delenv(metrics.MULTIPROC_ENV, raising=False)
    client = http_client(with_ops(app))
    before = {o: fetches(scrape(client), o, "") for o in ("blocked", "connection-error")}
    refused = "refused to connect to intranet.corp at 10.1.2.3 (private address)"
    unresolved = "could not resolve host intranet.corp"
    looping = "redirect loop: https://a.example/ -> https://a.example/"
    for outcome, error in (
        (Outcome.BLOCKED, refused),
        (Outcome.CONNECTION_ERROR, unresolved),
        (Outcome.BLOCKED, looping),
    ):
        metrics.observe_refresh(RefreshResult("x", outcome, None, 0.1, error=error), 0.1)
    after = {o: fetches(scrape(client), o, "") for o in ("blocked", "connection-error")}
    assert after["connection-error"] == before["connection-error"] + 2
    assert after["blocked"] == before["blocked"] + 1  # a redirect loop is no oracle


def test_status_class_and_source_health() -> None:
    assert [metrics.status_class(s) for s in (200, 304, 404, 503, None, 0)] == [
        "2xx",
        "3xx",
        "4xx",
        "5xx",
        "",
        "",
    ]
    assert source_health(SourceState("a")) == "pending"
    assert source_health(SourceState("a", outcome=Outcome.NOT_MODIFIED)) == "healthy"
    assert source_health(SourceState("a", outcome=Outcome.TIMEOUT)) == "failing"
    assert source_health(SourceState("a", outcome=Outcome.GONE, gone=True)) == "gone"
    assert source_health(SourceState("a", gone=True, paused=True)) == "paused"


def test_prepare_multiproc_dir_clears_a_previous_run(tmp_path: Path) -> None:
    directory = tmp_path / "m"
    directory.mkdir()
    (directory / "counter_123.db").write_bytes(b"old")
    (directory / "keep.txt").write_text("not ours")
    assert metrics.prepare_multiproc_dir(directory) == str(directory)
    assert sorted(p.name for p in directory.iterdir()) == ["keep.txt"]


# --- sources by state: counts kept by the scripts that change a state ------------------------


def counted_by_health(store: Store, config: Config) -> dict[str, int]:
    """What models.source_health says of every source of `config`: the truth to agree with."""
    states = store.get_states([s.id for s in config.sources])
    return dict(Tally(source_health(s) for s in states.values()))


def test_state_counts_agree_with_source_health_through_real_refreshes(
    store: Store, feed_server: FeedServer
) -> None:
    urls = {i: feed_server.url(f"/{i}.xml") for i in ("a", "b", "c", "d")}
    every = config = make_config(urls)  # `config`: the published one
    for i in urls:
        feed_server.add(f"/{i}.xml", RSS, etag=f'"{i}"')
    fetcher = Fetcher(config.fetch, "aggregator-test/1")
    now = datetime.now(UTC)

    def refresh(source_id: str, status: int = 200) -> None:
        if status != 200:
            feed_server.add(f"/{source_id}.xml", status=status)
        source = every.source(source_id)
        assert source is not None
        refresh_source(source, every, store, fetcher, now=now)

    def agrees(expected: dict[str, int]) -> None:
        assert store.state_counts() == counted_by_health(store, config) == expected

    scheduler.publish(store, config)
    agrees({"pending": 4})
    refresh("a")
    agrees({"healthy": 1, "pending": 3})
    refresh("a", 503)
    agrees({"failing": 1, "pending": 3})
    refresh("a", 410)
    agrees({"gone": 1, "pending": 3})
    actions.set_paused(store, "a", True, now)
    agrees({"paused": 1, "pending": 3})
    actions.set_paused(store, "a", False, now)
    agrees({"gone": 1, "pending": 3})  # resumed, still gone: an operator resets a gone source
    actions.reset_backoff(store, "a", now)
    agrees({"failing": 1, "pending": 3})
    refresh("b")
    refresh("c", 500)
    actions.set_paused(store, "d", True, now)  # paused before it was ever fetched
    agrees({"failing": 2, "healthy": 1, "paused": 1})
    refresh("d")  # a refresh that ran while it was paused leaves it paused
    agrees({"failing": 2, "healthy": 1, "paused": 1})
    actions.set_paused(store, "d", False, now)
    agrees({"failing": 2, "healthy": 2})

    # A config edit removes a and c: they stop counting, whatever else happens to them.
    config = make_config({i: urls[i] for i in ("b", "d")})
    scheduler.publish(store, config)
    agrees({"healthy": 2})
    feed_server.add("/a.xml", RSS)
    refresh("a")  # a job already under way for it: failing -> healthy, still not counted
    agrees({"healthy": 2})
    # Added back, a counts again, in the state it is in now.
    config = make_config({i: urls[i] for i in ("a", "b", "d")})
    scheduler.publish(store, config)
    agrees({"healthy": 3})
    fetcher.close()


def test_state_counts_are_built_from_states_written_before_they_existed(store: Store) -> None:
    """An upgrade: states are there, counts are not; the scheduler's publish counts them."""
    config = make_config({i: f"http://127.0.0.1:9/{i}" for i in ("a", "b", "c")})
    store.save_state(SourceState("a", outcome=Outcome.OK))
    store.save_state(SourceState("b", outcome=Outcome.TIMEOUT, paused=True))
    store.redis.delete("agg:health", "agg:health:counts", "agg:sources")
    assert store.state_counts() == {}
    scheduler.publish(store, config)
    assert store.state_counts() == counted_by_health(store, config)
    assert store.state_counts() == {"healthy": 1, "paused": 1, "pending": 1}


def commands_of_one_scrape(store: Store) -> dict[str, int]:
    """The server's own count of each command (those inside scripts too) one scrape sends."""
    store.redis.config_resetstat()
    metrics.scrape(store, [QUEUE_NAME])
    stats = cast(dict[str, dict[str, int]], store.redis.info("commandstats"))
    return {
        name.removeprefix("cmdstat_"): int(stat["calls"])
        for name, stat in stats.items()
        if name not in ("cmdstat_config|resetstat", "cmdstat_info")
    }


def test_a_scrape_reads_no_source_state_however_many_sources(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(metrics.MULTIPROC_ENV, raising=False)
    seen = []
    for n in (3, 300):
        store.redis.flushall()
        config = make_config({f"s{i}": f"http://127.0.0.1:9/{i}" for i in range(n)})
        scheduler.publish(store, config)
        for i in range(0, n, 3):
            store.save_state(SourceState(f"s{i}", outcome=Outcome.OK))
        seen.append(commands_of_one_scrape(store))
        assert store.state_counts() == {"healthy": n // 3, "pending": n - n // 3}
    assert seen[0] == seen[1]
    assert not {"mget", "smismember", "hscan", "scan"} & set(seen[1])
    assert seen[1].get("get", 0) == 1  # one key: the config file's problems, if any
