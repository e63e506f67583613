"""The scheduler against a real server: claiming, enqueueing, config edits, lost jobs."""

from __future__ import annotations

import contextlib
import multiprocessing
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from rq import Queue

from aggregator import config as config_module
from aggregator.models import Outcome, SourceState
from aggregator.queues import QUEUE_NAME
from aggregator.redis_server import connect
from aggregator.store import Store
from tests.support.pipeline import make_config, wait_for
from workers import scheduler


def queued_ids(queue: Queue) -> list[str]:
    return [sid for job in queue.get_jobs() for sid in job.args[0]]


def test_publish_schedules_new_sources_and_drops_removed_ones(store: Store) -> None:
    config = make_config({"a": "http://127.0.0.1:1/a", "b": "http://127.0.0.1:1/b"})
    scheduler.publish(store, config, now=1000.0)
    assert store.scheduled() == {"a": 1000.0, "b": 1000.0}
    published = store.published_config()
    assert published is not None
    assert config_module.loads(published[1]).sources == config.sources

    store.schedule("a", 5000.0)  # a refresh set its next due time; republishing keeps it
    smaller = make_config({"a": "http://127.0.0.1:1/a"})
    scheduler.publish(store, smaller, now=2000.0)
    assert store.scheduled() == {"a": 5000.0}


def test_a_new_base_url_is_logged_as_a_warning(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    # Deleting the [site] table republished every feed at http://localhost:8000 silently.
    config = make_config({"a": "http://127.0.0.1:1/a"})
    scheduler.publish(store, config, now=1000.0)
    scheduler.publish(store, config, now=1001.0)
    assert not [r for r in caplog.records if r.levelname == "WARNING"]
    moved = replace(config, site=replace(config.site, base_url="http://localhost:8000"))
    scheduler.publish(store, moved, now=1002.0)
    (warning,) = [r for r in caplog.records if r.levelname == "WARNING"]
    assert "site.base_url changed" in warning.getMessage()


def test_a_second_rename_that_drops_the_first_old_slug_is_warned_of(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    """local → city (former_slugs = ["local"]) → metro with former_slugs = ["city"] only: the
    subscribers of /c/local/ got 410 Gone, and feed readers dropped them, without a word."""
    config = make_config({"a": "http://127.0.0.1:1/a"})
    (news,) = config.categories

    def named(slug: str, former: tuple[str, ...]) -> config_module.Config:
        category = replace(news, slug=slug, former_slugs=former)
        sources = tuple(replace(s, categories=(slug,)) for s in config.sources)
        return replace(config, categories=(category,), sources=sources)

    scheduler.publish(store, named("city", ("local",)), now=1000.0)
    scheduler.publish(store, named("metro", ("local", "city")), now=1001.0)  # kept: no word
    scheduler.publish(store, named("metro", ("local", "city")), now=1001.5)
    assert not [r for r in caplog.records if r.levelname == "WARNING"]
    scheduler.publish(store, named("city", ("local",)), now=1001.8)
    caplog.clear()
    scheduler.publish(store, named("metro", ("city",)), now=1002.0)
    (warning,) = [r for r in caplog.records if r.levelname == "WARNING"]
    said = warning.fields["warning"]  # type: ignore[attr-defined]
    assert said == (
        'categories[0] ("metro").former_slugs: "local" led to "city" before this edit and now'
        " leads nowhere: its subscribers get 410 Gone and feed readers drop them; keep it:"
        ' former_slugs = ["city", "local"]'
    )
    caplog.clear()
    scheduler.publish(store, replace(config, categories=(), sources=()), now=1003.0)
    assert not [r for r in caplog.records if "renamed" in r.getMessage()]  # removed: meant


def test_tick_enqueues_due_sources_once_in_batches(store: Store) -> None:
    ids = {f"s{i}": f"http://127.0.0.1:1/{i}" for i in range(7)}
    config = make_config(ids, batch_size=3)
    scheduler.publish(store, config, now=1000.0)
    queue = Queue(QUEUE_NAME, connection=store.redis)
    jobs = scheduler.tick(store, queue, config, now=1001.0)
    assert len(jobs) == 3
    assert sorted(queued_ids(queue)) == sorted(ids)
    # Claimed sources carry a lease: nothing more is due right away.
    assert scheduler.tick(store, queue, config, now=1002.0) == []
    # A lost job: once the lease runs out, its sources are due and claimed again.
    queue.empty()
    later = 1001.0 + config.fetch.lease + 1
    assert len(scheduler.tick(store, queue, config, now=later)) == 3


def _tick_many(redis_url: str, raw_config: str, rounds: int, name: str) -> None:
    store = Store(connect(redis_url))
    config = config_module.loads(raw_config)
    queue = Queue(name, connection=store.redis)  # its own queue, so empty() spares the other
    for _ in range(rounds):
        for job_id in scheduler.tick(store, queue, config, now=5000.0):
            job = queue.fetch_job(job_id)
            assert job is not None
            store.redis.rpush("test:enqueued", *job.args[0])
        queue.empty()  # keep the backpressure limit out of the way: only claims matter here


def test_two_scheduler_processes_never_enqueue_a_source_twice(store: Store, redis_url: str) -> None:
    ids = {f"s{i}": f"http://127.0.0.1:1/{i}" for i in range(300)}
    config = make_config(ids, batch_size=5)
    scheduler.publish(store, config, now=1000.0)
    raw = config_module.dumps(config)
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_tick_many, args=(redis_url, raw, 60, f"q{n}")) for n in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    enqueued = Counter(i.decode() for i in store.redis.lrange("test:enqueued", 0, -1))
    assert set(enqueued) == set(ids), "every due source was enqueued"
    assert max(enqueued.values()) == 1, [i for i, n in enqueued.items() if n > 1]


ONE_SOURCE = """
[site]
title = "T"
base_url = "http://localhost:8000"
[fetch]
allow_private_networks = true
[[categories]]
slug = "news"
title = "News"
[[sources]]
name = "One"
url = "http://127.0.0.1:9/one"
categories = ["news"]
"""


@contextlib.contextmanager
def scheduler_loop(store: Store, path: Path, interval: float) -> Iterator[None]:
    """`scheduler.run` on the config at `path` in a thread, stopped on leaving."""
    stop = threading.Event()
    thread = threading.Thread(
        target=scheduler.run, args=(store, path), kwargs={"interval": interval, "stop": stop}
    )
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(10)


def test_scheduler_loop_picks_up_config_edits(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "aggregator.toml"
    base = ONE_SOURCE
    path.write_text(base)
    with scheduler_loop(store, path, interval=0.1):
        wait_for(lambda: "one" in store.scheduled(), 10, "the first source to be scheduled")
        first_version = store.config_version()
        path.write_text(
            base.replace("One", "Two").replace("/one", "/two")  # "one" removed, "two" added
        )
        wait_for(lambda: "two" in store.scheduled(), 10, "the added source to be scheduled")
        wait_for(lambda: "one" not in store.scheduled(), 10, "the removed source to stop")
        assert store.config_version() > first_version
        # An edit into an invalid state keeps the last good config.
        version = store.config_version()
        path.write_text(base + "\n[[sources]]\nname = 3\n")
        wait_for(lambda: store.config_problems() is not None, 10, "the problems to be recorded")
        assert store.config_version() == version
        assert "two" in store.scheduled()
        assert "scheduler" in store.heartbeats()
        found = store.config_problems()
        assert found is not None
        assert found[0] == str(path)
        assert any("sources[1]" in problem for problem in found[1]), found
        # Fixed: the record goes (the admin pages and /metrics say nothing more).
        path.write_text(base.replace("One", "Three"))
        wait_for(lambda: store.config_problems() is None, 10, "the problems to be cleared")


def test_the_configs_warnings_are_recorded_with_their_lines_as_it_is_applied(
    store: Store, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """What check-config warns of reaches an operator who edits the file under a running
    service (the admin pages show the record, the log says each warning once), and goes when
    the file is mended."""

    def logged() -> list[list[str]]:
        said = [r for r in caplog.records if r.getMessage() == "config applied, with warnings"]
        return [getattr(r, "fields", {})["warnings"] for r in said]

    path = tmp_path / "aggregator.toml"
    path.write_text(ONE_SOURCE)
    with scheduler_loop(store, path, interval=0.1):
        wait_for(lambda: store.config_warnings() is not None, 10, "the warnings to be recorded")
        found = store.config_warnings()
        assert found is not None
        assert found[0] == str(path)
        assert found[1] == [
            "line 6: fetch.allow_private_networks: every source, and every redirect a source"
            " sends, may reach loopback and private networks; set allow_private_networks on"
            " the sources that need it instead"
        ]
        assert ONE_SOURCE.splitlines()[5] == "allow_private_networks = true"
        # A comment added above moves the line: the record follows, though nothing is applied.
        version = store.config_version()
        path.write_text("# Sources of the harbour desk.\n" + ONE_SOURCE)
        wait_for(
            lambda: (store.config_warnings() or ("", [""]))[1][0].startswith("line 7:"),
            10,
            "the warning's line to move",
        )
        assert store.config_version() == version
        assert logged() == [found[1]]  # the moved line is the same warning: not logged again
        # A new one: logged alone.
        path.write_text(
            "# Sources of the harbour desk.\n"
            + ONE_SOURCE
            + '[[sources]]\nname = "One"\nid = "again"\nurl = "https://again.example/feed"\n'
            'categories = ["news"]\n'
        )
        wait_for(lambda: len(logged()) == 2, 10, "the new warning to be logged")
        (new,) = logged()[1]
        assert "has the same name" in new
        mended = ONE_SOURCE.replace("[fetch]\nallow_private_networks = true\n", "")
        path.write_text(mended.replace("127.0.0.1:9", "one.example"))
        wait_for(lambda: store.config_warnings() is None, 10, "the warnings to be cleared")


def test_an_edited_source_is_due_at_once_and_an_unchanged_one_keeps_its_time(
    store: Store,
) -> None:
    config = make_config({"a": "http://127.0.0.1:1/a", "b": "http://127.0.0.1:1/b"})
    scheduler.publish(store, config, now=1000.0)
    store.schedule("a", 90_000.0)  # both refreshed: next checks a day away
    store.schedule("b", 90_000.0)
    edited = replace(
        config,
        sources=(
            replace(config.sources[0], interval=300.0, exclude=("sponsored",)),
            config.sources[1],
        ),
    )
    scheduler.publish(store, edited, now=2000.0)
    assert store.scheduled() == {"a": 2000.0, "b": 90_000.0}


def test_a_new_interval_alone_moves_no_source_to_now_and_a_shorter_one_spreads_them(
    store: Store,
) -> None:
    """A change of `[fetch] interval` made every source due at once (an operator's review):
    a shortened interval brings each next check within the new one, spread over it; a
    lengthened one, or a new weight, moves nothing."""
    ids = {f"s{i}": f"http://127.0.0.1:1/{i}" for i in range(40)}
    config = make_config(ids)
    scheduler.publish(store, config, now=1000.0)
    for source_id in ids:
        store.schedule(source_id, 90_000.0)  # all refreshed: next checks a day away
    shorter = replace(config, sources=tuple(replace(s, interval=600.0) for s in config.sources))
    scheduler.publish(store, shorter, now=2000.0)
    due = store.scheduled()
    assert all(2000.0 <= d <= 2600.0 for d in due.values()), due
    assert len({round(d) for d in due.values()}) > 20  # spread, not one burst
    longer = replace(
        config, sources=tuple(replace(s, interval=7200.0, weight=3.0) for s in config.sources)
    )
    scheduler.publish(store, longer, now=3000.0)
    assert store.scheduled() == due


def test_a_failing_source_given_networks_is_checked_at_once(store: Store) -> None:
    """The error of a source on a private address says "set allow_private_networks on this
    source"; an operator who did was published with changed=0, and the source went on failing
    for its backoff (15 minutes, an operator's review). A healthy source keeps its time."""
    config = make_config(
        {"a": "http://127.0.0.1:1/a", "b": "http://127.0.0.1:1/b", "c": "http://127.0.0.1:1/c"},
        allow_private_networks=False,
    )
    scheduler.publish(store, config, now=1000.0)
    later = datetime.fromtimestamp(90_000.0, UTC)
    for source_id in ("a", "c"):
        store.save_state(
            SourceState(
                source_id,
                last_fetch=datetime.fromtimestamp(1000.0, UTC),
                outcome=Outcome.BLOCKED,
                consecutive_errors=1,
                last_error="refused to connect to 127.0.0.1 (loopback address); set"
                " allow_private_networks on this source to allow it",
                next_due=later,
            )
        )
    store.save_state(SourceState("b", outcome=Outcome.OK, next_due=later))
    allowed = ("*",)
    edited = replace(
        config,
        sources=tuple(
            replace(s, allow_private_networks=allowed) if s.id in ("a", "b") else s
            for s in config.sources
        ),
    )
    scheduler.publish(store, edited, now=2000.0)
    assert store.scheduled() == {"a": 2000.0, "b": 90_000.0, "c": 90_000.0}
    # [fetch]'s switch, for every source: the failing ones are checked now.
    everywhere = replace(edited, fetch=replace(edited.fetch, allow_private_networks=True))
    scheduler.publish(store, everywhere, now=3000.0)
    assert store.scheduled() == {"a": 3000.0, "b": 90_000.0, "c": 3000.0}


def test_a_job_outlives_a_batch_of_slow_sources_on_one_host(store: Store) -> None:
    ids = {f"s{i}": f"http://127.0.0.1:1/{i}" for i in range(20)}
    config = make_config(ids, batch_size=20, per_host=2, deadline=60.0, job_timeout=300.0)
    queue = Queue(QUEUE_NAME, connection=store.redis)
    (job_id,) = scheduler.enqueue(queue, config, list(ids))
    job = queue.fetch_job(job_id)
    assert job is not None
    assert job.timeout is not None
    assert job.timeout >= 10 * 60  # 20 sources, 2 at a time, 60 s each


def test_a_full_queue_is_refilled_as_soon_as_it_drains_not_an_interval_later(
    store: Store, tmp_path: Path
) -> None:
    path = tmp_path / "aggregator.toml"
    path.write_text(ONE_SOURCE)
    queue = Queue(QUEUE_NAME, connection=store.redis)
    for _ in range(4):  # the backpressure limit with no worker running: 4 jobs queued
        queue.enqueue("builtins.len", [1])
    with scheduler_loop(store, path, interval=30.0):
        wait_for(lambda: "scheduler" in store.heartbeats(), 10, "the scheduler's first tick")
        assert queue.count == 4  # "one" is due, but the queue is full
        drained = time.monotonic()
        queue.empty()  # the workers took the jobs
        wait_for(lambda: queued_ids(queue) == ["one"], 5, "the due source to be enqueued")
        # Soon after the queue drained, not a scheduler interval later.
        assert time.monotonic() - drained < 2.0


def test_a_scheduler_started_on_an_emptied_file_keeps_everything(
    store: Store, tmp_path: Path
) -> None:
    # A failed write leaves the file empty while the scheduler is down: started on it, it
    # published "no sources", and removed sources are purged, with all they stored.
    path = tmp_path / "aggregator.toml"
    path.write_text(ONE_SOURCE)
    with scheduler_loop(store, path, interval=0.1):
        wait_for(lambda: "one" in store.scheduled(), 10, "the source to be scheduled")
    store.save_state(SourceState("one", outcome=Outcome.OK, etag='"v7"'))  # as a refresh left it
    path.write_text("")
    with scheduler_loop(store, path, interval=0.1):
        wait_for(lambda: store.config_problems() is not None, 10, "the problem to be recorded")
        assert "one" in store.scheduled()
    published = store.published_config()
    assert published is not None
    assert [s.id for s in config_module.loads(published[1]).sources] == ["one"]
    found = store.config_problems()
    assert found is not None
    assert "no sources and no categories" in found[1][0]
    assert store.get_state("one").etag == '"v7"'  # not purged


def test_a_rename_made_while_stopped_is_not_applied_at_start(store: Store, tmp_path: Path) -> None:
    """The running scheduler's watcher keeps the last good config when a rename would change a
    source's id; an edit made while the service was stopped meets the same check at start."""
    text = (
        '[[categories]]\nslug = "news"\n[[sources]]\nname = "Alpha News"\n'
        'url = "https://a.example/feed"\ncategories = ["news"]\n'
    )
    path = tmp_path / "aggregator.toml"
    path.write_text(text, encoding="utf-8")
    scheduler.publish(store, config_module.load_config(path))
    path.write_text(text.replace("Alpha News", "Alpha World News"), encoding="utf-8")
    stop = threading.Event()
    running = threading.Thread(target=scheduler.run, args=(store, path), kwargs={"stop": stop})
    running.start()
    try:
        wait_for(lambda: store.config_problems() is not None, 10, "the problem recorded")
    finally:
        stop.set()
        running.join(10)
    published = store.published_config()
    assert published is not None
    assert [s.id for s in config_module.loads(published[1]).sources] == ["alpha-news"]
    found = store.config_problems()
    assert found is not None
    assert found[1][0].startswith('line 4: sources[0] (name "Alpha World News").name: renamed')
