"""workers.jobs against a real server and loopback feeds: the config a worker keeps between jobs."""

from __future__ import annotations

import functools
import gc
import re
import sys
import threading
import time
import tracemalloc
import urllib.parse
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError
from rq import Queue, Worker, worker_registration
from rq.timeouts import JobTimeoutException, UnixSignalDeathPenalty

from aggregator import config as config_module
from aggregator import language
from aggregator import refresh as refresh_module
from aggregator.boilerplate import paragraph_hash
from aggregator.models import Outcome, RefreshResult
from aggregator.queues import QUEUE_NAME
from aggregator.redact import PUBLIC_INTERNAL_ERROR, public_error
from aggregator.redis_server import BREAK_SECONDS, WEB, EmbeddedServer, connect
from aggregator.store import Store
from tests.support.feed_server import FeedServer
from tests.support.pipeline import make_config
from tests.test_stories_store import rss
from workers import jobs, scheduler

T = TypeVar("T")

PAGES = Path(__file__).parent / "fixtures" / "pages"

FEED = (
    b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
    b"<item><guid>1</guid><title>One</title><link>http://example.org/1</link></item>"
    b"</channel></rss>"
)


@pytest.fixture(autouse=True)
def fresh_worker() -> Iterator[None]:
    """Each test starts as a worker process that has not loaded a config yet."""
    _forget_context()
    yield
    _forget_context()


def _forget_context() -> None:
    if jobs._context is not None:
        jobs._context.fetcher.close()
        jobs._context.pool.shutdown()
        jobs._context = None


def test_a_job_reads_the_published_config_only_when_its_version_changed(
    store: Store, feed_server: FeedServer
) -> None:
    url_a = feed_server.add("/a.xml", FEED, etag='"a1"')
    url_b = feed_server.add("/b.xml", FEED, etag='"b1"')
    # A thousand sources make the published config big (~160 KB): reading it shows in the bytes
    # the server sends.
    others = {f"s{i:05}": f"http://127.0.0.1:1/{i}" for i in range(1000)}
    config = make_config({"a": url_a, **others})
    scheduler.publish(store, config)
    size = len(config_module.dumps(config).encode())

    sent, (first,) = _bytes_sent(store, lambda: jobs.run_batch(store, ["a"]))
    assert first.outcome is Outcome.OK
    assert sent > size  # the worker's first job loads the config

    sent, (again,) = _bytes_sent(store, lambda: jobs.run_batch(store, ["a"]))
    assert again.outcome is Outcome.NOT_MODIFIED
    assert sent < size / 20  # unchanged: one small read of its version, not the config

    edited = make_config({"a": url_a, "b": url_b, **others})
    scheduler.publish(store, edited)
    sent, (new,) = _bytes_sent(store, lambda: jobs.run_batch(store, ["b"]))
    assert new.source_id == "b"  # a source the old config did not have
    assert new.outcome is Outcome.OK
    assert sent > size  # the edited config was read
    assert len(feed_server.requests("/b.xml")) == 1


def _bytes_sent(store: Store, run: Callable[[], T]) -> tuple[int, T]:
    """What `run` returns, and how many bytes the server sent to its clients meanwhile."""

    def total() -> int:
        return int(store.redis.info("stats")["total_net_output_bytes"])

    before = total()
    result = run()
    return total() - before, result


def test_a_worker_fetches_with_the_same_threads_from_job_to_job(
    store: Store, feed_server: FeedServer
) -> None:
    urls = {name: feed_server.add(f"/{name}.xml", FEED, etag=f'"{name}"') for name in "abc"}
    scheduler.publish(store, make_config(urls, concurrency=8))

    def threads_of_one_job() -> set[threading.Thread]:
        seen: set[threading.Thread] = set()
        results = jobs.run_batch(
            store, list(urls), on_result=lambda r: seen.add(threading.current_thread())
        )
        assert {r.source_id for r in results} == set(urls)
        return seen

    first = threads_of_one_job()
    assert threading.current_thread() not in first  # fetched concurrently, not in the job's thread
    # No thread started per job: nine jobs of three sources run on at most the pool's eight
    # (which of them a job gets depends on which were idle when it began).
    every = set(first).union(*(threads_of_one_job() for _ in range(8)))
    assert len(every) <= 8


def test_a_bug_meeting_one_sources_data_is_that_sources_recorded_error(
    store: Store, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch, caplog: Any
) -> None:
    """An exception no rule expected (a bug that some feed's data reaches) ends that source's
    refresh as an internal error it shows and backs off on, logged with its traceback; the
    batch's other sources go on and the job does not fail (it failed, and the source came
    back each lease, failing, with no error on it)."""
    urls = {name: feed_server.add(f"/{name}.xml", FEED, etag=f'"{name}"') for name in "abc"}
    scheduler.publish(store, make_config(urls, concurrency=2))
    real = refresh_module.normalize

    def buggy(parsed: Any, source: Any, **kwargs: Any) -> Any:
        if source.id == "b":
            raise RuntimeError("<b>unexpected</b> data")
        return real(parsed, source, **kwargs)

    monkeypatch.setattr(refresh_module, "normalize", buggy)
    results = {r.source_id: r for r in jobs.run_batch(store, list(urls))}
    assert {i: r.outcome for i, r in results.items()} == {
        "a": Outcome.OK,
        "b": Outcome.INTERNAL_ERROR,
        "c": Outcome.OK,
    }
    state = store.get_state("b")
    assert state.outcome is Outcome.INTERNAL_ERROR
    assert state.consecutive_errors == 1
    assert state.last_error.startswith(
        "An internal error stopped this refresh (RuntimeError: <b>unexpected</b> data)"
    )
    assert state.next_due is not None
    assert public_error(state.last_error) == PUBLIC_INTERNAL_ERROR  # /sources: not the detail
    assert any(r.exc_info and "source b" in r.getMessage() for r in caplog.records), (
        "the traceback is logged"
    )
    assert len(store.source_articles("a", 5)) == len(store.source_articles("c", 5)) == 1

    monkeypatch.setattr(refresh_module, "normalize", real)  # the bug fixed
    (again,) = jobs.run_batch(store, ["b"])
    assert again.outcome is Outcome.OK  # (not a 304: the failed read kept no validators)
    assert store.get_state("b").consecutive_errors == 0


def test_a_batch_reads_the_learned_junk_of_its_new_sources_in_one_round_trip(
    store: Store, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A source never read parses whatever its feed sends: its learned junk (what its articles
    lose, read before parsing) is read with the batch's other new sources' in one round trip, not
    in one of its own each (a cold round of the corpus: 117 of its 477). A source read before
    reads its own only when its feed changed (a 304 reads none)."""
    footer = "Join the Harbour Weekly newsletter for the stories that matter to you."

    def items(edit: str) -> list[tuple[str, str, list[str], str]]:
        return [
            (f"g{n}", f"News {n}", [f"Harbour story {n}{edit}, told in a paragraph.", footer], day)
            for n, day in enumerate(
                ("Mon, 23 Nov 2026 09:00:00 GMT", "Tue, 24 Nov 2026 09:00:00 GMT")
            )
        ]

    urls = {name: feed_server.add(f"/{name}.xml", rss(items(""))) for name in "abc"}
    scheduler.publish(store, make_config(urls))
    # Learned before its first read (a source whose state was reset keeps its evidence).
    store.redis.zadd("agg:boiler:a", {paragraph_hash(footer): 50})
    one, many = store.boilerplate, store.boilerplates
    reads: list[str] = []
    batched: list[list[str]] = []
    monkeypatch.setattr(store, "boilerplate", lambda i, n: reads.append(i) or one(i, n))
    monkeypatch.setattr(store, "boilerplates", lambda i, n: batched.append(list(i)) or many(i, n))
    assert [r.outcome for r in jobs.run_batch(store, list(urls))] == [Outcome.OK] * 3
    assert (reads, batched) == ([], [["a", "b", "c"]])
    learned, not_learned = store.source_articles("a", 5), store.source_articles("b", 5)
    assert (len(learned), len(not_learned)) == (2, 2)  # (any() and all() of none say nothing)
    assert not any(footer in a.content for a in learned)
    assert all(footer in a.content for a in not_learned)

    for name in "ab":
        feed_server.add(f"/{name}.xml", rss(items(" again")))
    outcomes = [r.outcome for r in jobs.run_batch(store, list(urls))]
    assert outcomes == [Outcome.OK, Outcome.OK, Outcome.UNCHANGED]
    assert (sorted(reads), batched) == (["a", "b"], [["a", "b", "c"]])  # (side by side)


# (parse: anywhere in a refresh; _bodies: while the save prepares its counting, where a fault
# of its own does not lose the save, and RQ's timeout, taken for one, let the job run on.)
@pytest.mark.parametrize("slowed", ["parse", "_bodies"])
def test_rqs_job_timeout_is_not_taken_for_a_bug(
    store: Store, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch, slowed: str
) -> None:
    """RQ's job timeout is an Exception raised in the job's thread (a batch of one source runs
    there): it ends the job as timed out, not as the source's internal error, nor as a fault
    the refresh goes on after; the source records the timeout and backs off (it recorded
    nothing, and a feed that always outlasted its job came back at each lease, to every worker,
    its source saying nothing of it)."""
    url = feed_server.add("/a.xml", FEED, etag='"a"')
    scheduler.publish(store, make_config({"a": url}))
    real = getattr(refresh_module, slowed)

    def slow(*args: Any, **kwargs: Any) -> Any:
        time.sleep(1.5)  # the job's time runs out meanwhile
        return real(*args, **kwargs)

    monkeypatch.setattr(refresh_module, slowed, slow)
    with (
        pytest.raises(JobTimeoutException),
        UnixSignalDeathPenalty(1, JobTimeoutException),
    ):
        jobs.run_batch(store, ["a"])
    state = store.get_state("a")
    assert state.outcome is Outcome.TIMEOUT, state
    assert "job's time limit (fetch.job_timeout)" in (state.last_error or "")
    assert state.consecutive_errors == 1
    assert state.next_due is not None
    assert state.next_due > datetime.now(UTC)
    assert store.due_at("a") == state.next_due.timestamp()  # backed off, not at the next lease


def test_a_batch_past_its_job_timeout_begins_no_more_sources(
    store: Store, feed_server: FeedServer
) -> None:
    """Four sources on one host, one at a time, each answering in 1.5 s; the job's time runs
    out during the first. The three waiting for the host are not fetched (waiting for them
    kept the job running 4.5 s more, a batch of 100 for 100 fetches more); the lease brings
    them back."""
    fetched: list[str] = []

    def slowly(name: str) -> Callable[[], None]:
        def answer() -> None:
            fetched.append(name)
            time.sleep(1.5)

        return answer

    urls = {name: feed_server.add(f"/t-{name}.xml", FEED, before=slowly(name)) for name in "abcd"}
    scheduler.publish(store, make_config(urls, concurrency=4, per_host=1))
    with (
        pytest.raises(JobTimeoutException),
        UnixSignalDeathPenalty(1, JobTimeoutException),
    ):
        jobs.run_batch(store, list(urls))
    assert len(fetched) == 1, fetched
    (first,) = fetched
    assert store.get_state(first).outcome is Outcome.OK  # the one under way was finished
    assert all(store.get_state(n).outcome is None for n in "abcd" if n != first)


def test_a_retried_job_runs_only_the_sources_its_earlier_run_did_not_finish(
    store: Store, feed_server: FeedServer
) -> None:
    """The scheduler's job (with its RQ `Retry`) run by a real worker, its timeout 2 s: the
    first source is refreshed, the second outlasts the job and is recorded as timed out. RQ
    retries the job twice; each retry fetched both feeds again, the slow one for another whole
    timeout though its source was backing off. Now the retries leave out what was recorded since
    the job was made, and the third source, never begun, is refreshed by the first retry."""
    fetched: list[str] = []

    def counted(name: str, wait: float = 0.0) -> Callable[[], None]:
        def answer() -> None:
            fetched.append(name)
            time.sleep(wait)

        return answer

    urls = {
        "quick": feed_server.add("/quick.xml", FEED, etag='"q"', before=counted("quick")),
        "slow": feed_server.add("/slow.xml", FEED, before=counted("slow", 3.0)),
        "later": feed_server.add("/later.xml", FEED, before=counted("later")),
    }
    config = make_config(urls, concurrency=1)
    scheduler.publish(store, config)
    queue = Queue(QUEUE_NAME, connection=store.redis)
    (job_id,) = scheduler.enqueue(queue, config, list(urls))
    job = queue.fetch_job(job_id)
    assert job is not None
    assert job.retries_left == 2  # the scheduler's own retry policy
    # (The scheduler's is fetch.job_timeout, minutes; 2 s leaves "quick" room on a loaded host.)
    job.timeout = 2
    job.save()
    language.load()  # (as a worker does before its first job: 1-4 s, not in the job's time)

    jobs.RefreshWorker([queue], connection=store.redis).work(burst=True)
    assert sorted(fetched) == ["later", "quick", "slow"]
    assert store.get_state("quick").outcome is Outcome.OK
    assert store.get_state("slow").outcome is Outcome.TIMEOUT
    assert store.get_state("later").outcome is Outcome.OK  # done by the first retry
    assert job.get_status(refresh=True) == "finished"


def test_a_batch_fetches_side_by_side_and_takes_turns_at_the_rest(
    store: Store, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch's refreshes fetch their feeds at once, then parse and clean one at a time
    (refresh.Lane); a full-text page's wait is not in the lane."""
    page_asked = threading.Event()
    together = threading.Barrier(3, timeout=20)

    def asked_together() -> None:  # a feed answers once the page is asked for, and 3 feeds at once
        page_asked.wait(20)
        together.wait()

    others_done = threading.Event()
    page_waited: list[bool] = []

    def others_over() -> None:  # the page answers once the other sources' refreshes are over
        page_asked.set()
        page_waited.append(others_done.wait(20))

    urls = {name: feed_server.add(f"/{name}.xml", FEED, before=asked_together) for name in "abc"}
    page = feed_server.add(
        "/page", (PAGES / "en.html").read_bytes(), content_type="text/html", before=others_over
    )
    item = (
        f"<item><guid>p</guid><title>Harbour reopens after storm</title>"
        f"<link>{page}</link><description>Teaser</description></item>"
    )
    urls["full"] = feed_server.add("/full.xml", FEED.replace(b"<item>", item.encode() + b"<item>"))
    # (Waits well within the fetches' timeouts, on a loaded machine too.)
    config = make_config(urls, concurrency=8, per_host=8, read_timeout=30.0, deadline=60.0)
    config = replace(
        config, sources=tuple(replace(s, full_text=s.id == "full") for s in config.sources)
    )
    scheduler.publish(store, config)

    cleaning = 0
    most_at_once = 0
    count = threading.Lock()
    real = refresh_module.normalize

    def counted(*args: Any, **kwargs: Any) -> Any:
        nonlocal cleaning, most_at_once
        with count:
            cleaning += 1
            most_at_once = max(most_at_once, cleaning)
        time.sleep(0.05)  # (room for another refresh to come in, if it could)
        try:
            return real(*args, **kwargs)
        finally:
            with count:
                cleaning -= 1

    monkeypatch.setattr(refresh_module, "normalize", counted)
    language.load()  # (as a worker does before its first job: 1-4 s, not in the lane's turns)
    done: set[str] = set()

    def finished(result: RefreshResult) -> None:
        done.add(result.source_id)
        if done >= set("abc"):
            others_done.set()

    results = jobs.run_batch(store, list(urls), on_result=finished)
    assert [r.outcome for r in results] == [Outcome.OK] * 4, [r.error for r in results]
    assert most_at_once == 1  # never two refreshes cleaning at once
    assert page_waited == [True]  # the others were cleaned and saved while the page was awaited
    pages = {a.title: a.full_text for a in store.source_articles("full", 10)}
    assert pages["Harbour reopens after storm"] == "ok"


def test_an_unchanged_feeds_refresh_does_not_wait_for_the_lane(
    store: Store, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 304 (or the same body again) is a Redis round trip, not CPU work: while a changed
    feed's refresh holds the lane for long, the batch's unchanged feeds are done."""
    armed, cleaning = threading.Event(), threading.Event()

    def once_c_cleans() -> None:  # a and b answer once c's refresh holds the lane (2nd batch)
        if armed.is_set():
            cleaning.wait(20)

    urls = {
        name: feed_server.add(f"/{name}.xml", FEED, etag=f'"{name}"', before=once_c_cleans)
        for name in "ab"
    }
    urls["c"] = feed_server.add("/c.xml", FEED)
    scheduler.publish(store, make_config(urls, concurrency=8, per_host=8, read_timeout=30.0))
    assert [r.outcome for r in jobs.run_batch(store, list(urls))] == [Outcome.OK] * 3
    feed_server.add("/c.xml", FEED.replace(b"<guid>1<", b"<guid>2<"))  # a new item for c

    unchanged_done = threading.Event()
    done: set[str] = set()
    waited: list[bool] = []
    real = refresh_module.normalize

    def slow(*args: Any, **kwargs: Any) -> Any:  # a huge feed, say
        cleaning.set()
        waited.append(unchanged_done.wait(20))
        return real(*args, **kwargs)

    def finished(result: RefreshResult) -> None:
        done.add(result.source_id)
        if done >= {"a", "b"}:
            unchanged_done.set()

    monkeypatch.setattr(refresh_module, "normalize", slow)
    armed.set()
    again = jobs.run_batch(store, list(urls), on_result=finished)
    assert [r.outcome for r in again] == [Outcome.NOT_MODIFIED] * 2 + [Outcome.OK]
    assert waited == [True]  # a and b were done while c held the lane


def test_the_leases_are_kept_again_once_redis_is_back(tmp_path: Path) -> None:
    """The thread that extends a batch's leases outlives a Redis outage (it ended at the first
    error, and the sources' leases ran out, for another worker to take, once Redis was back)."""
    server = EmbeddedServer(tmp_path / "valkey")
    server.start()
    try:
        store = Store(connect(server.url, WEB))  # (gives up within a second)
        store.schedule("a", time.time())
        with jobs._leases_kept(store, {"a"}, threading.Lock(), lease=1.0):
            time.sleep(0.5)
            server.stop()
            time.sleep(1.5)  # several ticks meet no Redis
            server.start()
            back = time.time()
            # (This client is the web's: after a failed call it asks again only BREAK_SECONDS
            # later. A worker's own client has no such pause.)
            time.sleep(BREAK_SECONDS + 1.0)
            due = store.due_at("a")
        assert due is not None
        assert due > back + BREAK_SECONDS  # extended since Redis came back
    finally:
        server.stop()


def test_a_batch_that_met_redis_gone_begins_no_more_sources(
    tmp_path: Path, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Sources of the batch not begun when a refresh met Redis gone are not fetched, only to
    wait out the client's retries at their first Redis call; their leases bring them back."""
    server = EmbeddedServer(tmp_path / "valkey")
    server.start()
    try:
        store = Store(connect(server.url, WEB))
        gone = threading.Event()
        after: list[str] = []

        def after_redis_gone(name: str) -> Callable[[], None]:
            def note() -> None:  # a feed asked for after Redis was found gone
                if gone.is_set():
                    after.append(name)

            return note

        urls = {
            name: feed_server.add(f"/q-{name}.xml", FEED, before=after_redis_gone(name))
            for name in "abcdef"
        }
        scheduler.publish(store, make_config(urls, concurrency=2, per_host=8, read_timeout=30.0))
        real = refresh_module.normalize

        def first_stops_redis(*args: Any, **kwargs: Any) -> Any:
            if not gone.is_set():
                gone.set()
                server.stop()
            return real(*args, **kwargs)

        monkeypatch.setattr(refresh_module, "normalize", first_stops_redis)
        with pytest.raises(RedisConnectionError):
            jobs.run_batch(store, list(urls))
        assert len(after) <= 1  # (the other thread's feed may have been on its way)
    finally:
        server.stop()


def test_a_worker_whose_key_expired_during_a_long_job_counts_again_at_its_next_heartbeat(
    store: Store,
) -> None:
    """A job past its timeout (native code the timeout cannot interrupt) outlived the worker's
    key; another worker's registry cleaning dropped it from RQ's set, and readiness counted no
    worker while both worked on."""
    queue = Queue(QUEUE_NAME, connection=store.redis)
    worker = jobs.RefreshWorker([queue], connection=store.redis)
    worker.register_birth()
    assert [w.name for w in Worker.all(connection=store.redis)] == [worker.name]
    store.redis.delete(worker.key)  # its TTL ran out during the job...
    worker_registration.clean_worker_registry(queue)  # ...and another worker cleaned up
    assert Worker.all(connection=store.redis) == []
    worker.heartbeat()  # the job is over
    assert [w.name for w in Worker.all(connection=store.redis)] == [worker.name]


def test_a_batch_whose_sources_were_begun_again_since_saves_nothing(
    store: Store, feed_server: FeedServer, caplog: pytest.LogCaptureFixture
) -> None:
    """A job stopped past its lease (SIGSTOP, a paused VM) while another refresh of its sources
    began: neither its articles and state nor its errors go over what the newer one saves."""
    asked, answer = threading.Event(), threading.Event()

    def held() -> None:
        asked.set()
        assert answer.wait(30)

    url = feed_server.add("/a.xml", FEED, before=held)
    broken = feed_server.add("/down.xml", b"", status=500, before=held)
    config = make_config({"a": url, "down": broken})
    scheduler.publish(store, config)
    results: list[RefreshResult] = []
    with caplog.at_level("WARNING", logger="aggregator.worker"):
        stale = threading.Thread(
            target=lambda: results.extend(jobs.run_batch(store, ["a", "down"]))
        )
        stale.start()
        assert asked.wait(30)
        store.take_leases(["a", "down"], time.time() + 90)  # another refresh begins them
        answer.set()
        stale.join(30)
    assert results == []
    states = store.get_states(["a", "down"])
    assert [s.last_fetch for s in states.values()] == [None, None]
    assert store.source_articles("a", 10) == []
    assert store.fetch_history("a") == store.fetch_history("down") == []
    dropped = [r.getMessage() for r in caplog.records if "dropped" in r.getMessage()]
    assert len(dropped) == 2, dropped
    assert "lease ran out" in dropped[0]

    outcomes = {r.source_id: r.outcome for r in jobs.run_batch(store, ["a", "down"])}
    assert outcomes["a"] is Outcome.OK
    assert outcomes["down"].is_error
    assert [a.title for a in store.source_articles("a", 10)] == ["One"]
    assert store.get_state("down").consecutive_errors == 1


def test_a_worker_keeps_nothing_of_what_it_refreshed(store: Store, feed_server: FeedServer) -> None:
    """A worker runs job after job in one process, so what a refresh leaves behind must not grow
    with what it read: no cache of articles, entries, documents or trees carried from job to job
    (docs/benchmarks.md, "Fiftieth session: a fair CPU ratio"). Three feeds answer
    five new articles every round; after the first round (which loads what a worker keeps: the
    language model, seconds, unless another test of the session loaded it), the objects of the
    pipeline (ours, lxml's, feedparser's) alive after a round stay as many, and the memory still
    allocated grows by less than a round's bodies (~45 KB; a round keeps ~8 KB of small things
    here): what a cache keeps is most often text, which the objects' count cannot see (a list
    keeping each body cleaned passed it: h8's F5). The bounded caches (safe_url's 4,096
    addresses, urlsplit's, re's) are emptied before each measure: they fill over many rounds."""
    urls = {name: feed_server.add(f"/{name}.xml", b"") for name in "abc"}
    scheduler.publish(store, make_config(urls, concurrency=1))
    words = ("the", "council", "voted", "on", "the", "budget", "for", "schools", "and", "roads")

    def alive_after(round_: int) -> Counter[str]:
        feed_server.reset()  # (its log of requests grows)
        for name in urls:
            items = [
                (
                    f"{name}{round_}-{i}",
                    f"{words[i]} {name}{round_}",
                    # Six paragraphs of ~500 characters, each its own (none learned as junk).
                    [f"{name}{round_}-{i}-{k} " + " ".join(words[i:]) * 10 for k in range(6)],
                    "",
                )
                for i in range(5)
            ]
            feed_server.add(f"/{name}.xml", rss(items), etag=f'"{round_}"')
        assert all(r.outcome is Outcome.OK for r in jobs.run_batch(store, list(urls)))
        _empty_bounded_caches()
        return Counter(
            f"{module}.{kind.__qualname__}"
            for kind in map(type, gc.get_objects())
            if isinstance(module := kind.__module__, str)
            and module.partition(".")[0] in ("aggregator", "workers", "lxml", "feedparser")
        )

    alive = [alive_after(0)]
    tracemalloc.start()
    try:
        kept = []
        for round_ in range(1, 4):
            alive.append(alive_after(round_))
            kept.append(tracemalloc.get_traced_memory()[0])
    finally:
        tracemalloc.stop()
    assert alive[3] == alive[1], alive[3] - alive[1]
    grown = kept[2] - kept[0]  # (two rounds: 90 KB of bodies read)
    print(f"measured: {grown} bytes kept over two rounds")
    assert grown < 40_000, grown


def _empty_bounded_caches() -> None:
    """The caches of at most so many entries (an lru_cache of ours, urlsplit's, re's) emptied,
    and what nothing holds collected. An unbounded cache is kept: it is what should not grow."""
    for name, module in list(sys.modules.items()):
        if name.partition(".")[0] in ("aggregator", "workers"):
            for value in list(vars(module).values()):
                bounded = isinstance(value, functools._lru_cache_wrapper)
                if bounded and (value.cache_info().maxsize or 0) > 1:
                    value.cache_clear()
    urllib.parse.clear_cache()
    re.purge()
    gc.collect()
