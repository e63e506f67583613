"""Ingest benchmark: our pipeline against lemon24/reader and a bare httpx + feedparser loop.

Every file of the corpus's `real/` directory is served over loopback by the tests' FeedServer
(strong ETag and Last-Modified, so a conditional GET gets 304) and ingested, in one run, by:

- ours: `aggregator.cli worker` processes (RQ SimpleWorkers) fed by `workers.scheduler.enqueue`,
  storing into a fresh embedded Valkey; once with each worker count asked for (default 1 and 2)
  and each parser setting (`fetch.parser`: "auto", the fast path, and "feedparser");
- reader: `reader.make_reader()` on a fresh SQLite file, `update_feeds()` with 1 and 8 threads;
- bare: one httpx.Client, `feedparser.parse()` with its defaults, then a conditional-GET loop.

Each is measured cold (empty store, every feed answers 200), unchanged (every feed answers 304)
and changed (every feed answers 200 with its first entry's title edited again, as a feed that
updates one entry between two polls: the steady state of a busy source; the median of
CHANGED_ROUNDS rounds, the first of which also meets what a cold round taught ours: the junk
paragraphs a source repeats, learned as its articles were filed).
Before that, the parse step alone is timed in this process on the same files, by the parsing
thread's CPU time: `parse()` with the fast path, `parse()` forced to feedparser, and
`feedparser.parse()` with its defaults (which sanitize and resolve URLs), with the share of
documents each path took.
The machine is shared and noisy, so the runs sit side by side and the ratios are what count.

    .venv/bin/python bench/ingest.py [--repeat N] [--workers 1,2] [--parsers auto,feedparser]
                                     [--quick] [--profile]
    .venv/bin/python bench/ingest.py --cleaning [--quick]   # only the cleaning costs, in process
    .venv/bin/python bench/ingest.py --lane [--repeat N]    # refresh.Lane on and off, in process
    .venv/bin/python bench/ingest.py --cpu [--repeat N] [--no-reader]
        # the CPU of our cold and changed rounds in process and of reader's cold round (one
        # thread) in a fresh process, alternating which goes first, and their ratio per article:
        # the cold aim, by a measure load moves little

The cleaning costs (normalize per article with the built-in junk rules off and on, full text off;
one full-text extraction of tests/fixtures/pages) are measured in process and reported too.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import email.utils
import hashlib
import importlib.util
import io
import json
import math
import multiprocessing
import multiprocessing.connection
import os
import platform
import pstats
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from functools import partial
from importlib.metadata import version as package_version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("AGGREGATOR_CORPUS") or ROOT.parent / "shared" / "corpus") / "real"
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT))  # for tests.support.feed_server, when run as a script

import feedparser  # noqa: E402
import httpx  # noqa: E402
from reader import UpdatedFeed, make_reader  # noqa: E402
from rq import Queue, Worker  # noqa: E402
from rq.job import Job  # noqa: E402
from rq.registry import FailedJobRegistry  # noqa: E402

from aggregator.config import (  # noqa: E402
    PARSERS,
    Category,
    Config,
    FetchConfig,
    RetentionConfig,
    SourceConfig,
)
from aggregator.errors import ParseError  # noqa: E402
from aggregator.models import Outcome, SourceState  # noqa: E402
from aggregator.parse import FAST_PARSER, parse  # noqa: E402
from aggregator.queues import QUEUE_NAME  # noqa: E402
from aggregator.redis_server import EmbeddedServer, connect  # noqa: E402
from aggregator.refresh import Lane  # noqa: E402
from aggregator.store import Store  # noqa: E402
from tests.support.feed_server import FeedServer  # noqa: E402
from workers import jobs  # noqa: E402
from workers.scheduler import enqueue, publish  # noqa: E402

warnings.filterwarnings("ignore", category=DeprecationWarning, module="feedparser")

# An unchanged round takes well under a second: the median of several is steadier when noisy.
UNCHANGED_ROUNDS = 5
CHANGED_ROUNDS = 3
READER_WORKERS = (1, 8)  # reader's default, and as many threads as one of our jobs uses
# Everything the corpus holds stays stored, as reader keeps it: the feeds are years old, and
# trimming by age would make our store do less work than reader's.
KEEP_ALL = RetentionConfig(
    max_per_source=1_000_000,
    max_per_category=1_000_000,
    max_age_days=365 * 100,
    keep_newest=1_000_000,
)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class BenchError(Exception):
    """The pipeline under test stalled or failed; the message says where."""


# --- the feeds -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Feed:
    """One corpus file as served: its route, URL, validators and how many entries we parse."""

    file: Path
    path: str
    content_type: str
    etag: str
    last_modified: str
    url: str = ""
    entries: int = 0  # as aggregator.parse sees it, counted once, untimed


def corpus_feeds(quick: bool) -> list[Feed]:
    """Every file of corpus/real (every 6th with --quick), with a strong ETag from its bytes."""
    files = sorted(p for p in CORPUS.iterdir() if p.is_file())
    if quick:
        files = files[::6]
    feeds = []
    for n, file in enumerate(files):
        body = file.read_bytes()
        mtime = datetime(2024, 1, 1, tzinfo=UTC).timestamp() + n * 60
        feeds.append(
            Feed(
                file=file,
                path=f"/feeds/{file.name}",
                content_type=(
                    "application/feed+json" if file.suffix == ".json" else "application/xml"
                ),
                etag=_etag(body),
                last_modified=email.utils.formatdate(mtime, usegmt=True),
            )
        )
    return feeds


def _etag(body: bytes) -> str:
    """A strong ETag of the body's bytes."""
    return '"' + hashlib.sha256(body).hexdigest()[:20] + '"'


def count_entries(feed: Feed) -> int:
    """Entries our parser finds in the feed (0 if it cannot parse it)."""
    headers = {"content-type": feed.content_type}
    try:
        return len(parse(feed.file.read_bytes(), url=feed.url, headers=headers).entries)
    except ParseError:
        return 0


_FIRST_TITLE = re.compile(rb"<(?:item|entry)[\s>].*?<title(?:\s[^>]*)?>", re.DOTALL)


def edited(body: bytes, json_feed: bool, version: int) -> bytes | None:
    """The document with its first entry's title edited (`version` in the edit), or None when
    it has no such title."""
    if json_feed:
        try:
            document = json.loads(body)
            first = document["items"][0]
        except (ValueError, KeyError, IndexError, TypeError):
            return None
        first["title"] = f"Edited {version}: " + str(first.get("title") or "")
        return json.dumps(document).encode()
    match = _FIRST_TITLE.search(body)
    if match is None:
        return None
    return body[: match.end()] + f"Edited {version}: ".encode() + body[match.end() :]


# --- the parse step alone -------------------------------------------------------------------------


@dataclass(frozen=True)
class ParseStep:
    """The parse step on every feed, in this process, each document timed three ways in turn,
    by the CPU time of the thread that parses (`time.thread_time`): parsing is CPU work in one
    thread, and on a shared machine the wall clock also counted other processes' turns (the
    same code gave 4.3-5.4x by the wall clock at load 7-9, session 39)."""

    documents: int
    fast: float  # seconds of CPU in parse(), fetch.parser = "auto"
    reference: float  # seconds of CPU in parse(), fetch.parser = "feedparser"
    default: float  # seconds of CPU in feedparser.parse() with its defaults (sanitizing, resolving)
    paths: dict[str, int]  # documents per parser that read them under "auto"
    taken: float = 0.0  # seconds of CPU in parse(), "auto", on the documents the fast path took
    taken_default: float = 0.0  # feedparser's defaults on those same documents

    def lines(self) -> list[str]:
        shares = ", ".join(
            f"{name} {count} ({count / self.documents:.0%})"
            for name, count in sorted(self.paths.items(), key=lambda kv: -kv[1])
        )
        return [
            f"parse step (CPU): auto {self.fast:.2f} s, parser=feedparser {self.reference:.2f}"
            f" s, feedparser.parse() defaults {self.default:.2f} s",
            f"aim: parse step ≥ 5× feedparser's default: {self.default / self.fast:.1f}× "
            f"({'met' if self.default >= 5 * self.fast else 'MISSED'}); "
            f"{self.reference / self.fast:.1f}× our feedparser path",
            f"documents by parser (auto): {shares}",
            f"on the documents the fast path took: auto {self.taken:.2f} s, feedparser.parse() "
            f"defaults {self.taken_default:.2f} s ({self.taken_default / (self.taken or 1):.0f}×)",
        ]


def measure_parse_step(feeds: list[Feed]) -> ParseStep:
    """Time parse() both ways and feedparser's defaults on each feed, back to back (CPU)."""
    fast = reference = default = taken = taken_default = 0.0
    paths: Counter[str] = Counter()
    for feed in feeds:
        body = feed.file.read_bytes()
        headers = {"content-type": feed.content_type}
        started = time.thread_time()
        try:
            path = parse(body, url=feed.url, headers=headers).parser
        except ParseError:
            path = "error"
        seconds = time.thread_time() - started
        paths[path] += 1
        fast += seconds
        started = time.thread_time()
        with contextlib.suppress(ParseError):
            parse(body, url=feed.url, headers=headers, parser="feedparser")
        reference += time.thread_time() - started
        started = time.thread_time()
        feedparser.parse(
            io.BytesIO(body), response_headers={**headers, "content-location": feed.url}
        )
        default_seconds = time.thread_time() - started
        default += default_seconds
        if path == FAST_PARSER:
            taken += seconds
            taken_default += default_seconds
    return ParseStep(len(feeds), fast, reference, default, dict(paths), taken, taken_default)


# --- the feed server, in a process of its own --------------------------------------------------


@dataclass(frozen=True)
class ServerStats:
    """What the feed server has answered so far."""

    requests: int
    not_modified: int  # requests whose validator matched, i.e. answered 304


def _serve(conn: multiprocessing.connection.Connection, feeds: list[Feed]) -> None:
    """The feed server process: serve the feeds, answer "stats", stop on "stop" or parent death."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's; it stops us
    server = FeedServer().start()
    try:
        urls = [
            server.serve_file(
                f.path,
                f.file,
                content_type=f.content_type,
                etag=f.etag,
                last_modified=f.last_modified,
            )
            for f in feeds
        ]
        conn.send(urls)
        validators = {f.path: (f.etag, f.last_modified) for f in feeds}
        while True:
            try:
                message = conn.recv()
            except EOFError:  # the parent is gone
                return
            if message == "stop":
                return
            if isinstance(message, tuple):  # ("edit", n): serve edit n of the bodies (0: none)
                conn.send(_edit(server, feeds, validators, version=message[1]))
                continue
            log = server.requests()
            hits = 0
            for request in log:
                etag, last_modified = validators.get(request.path, ("", ""))
                # FeedServer's rule: If-None-Match decides when sent, else If-Modified-Since.
                inm = request.header("If-None-Match")
                if inm is not None:
                    hits += etag in {t.strip().removeprefix("W/") for t in inm.split(",")}
                else:
                    hits += request.header("If-Modified-Since") == last_modified
            conn.send(ServerStats(requests=len(log), not_modified=hits))
    finally:
        server.stop()


def _edit(
    server: FeedServer, feeds: list[Feed], validators: dict[str, tuple[str, str]], *, version: int
) -> int:
    """Serve edit `version` of each feed's body (new validators), or with 0 its own; how many
    differ."""
    changed = 0
    for f in feeds:
        body = f.file.read_bytes()
        new = edited(body, f.content_type.endswith("json"), version) if version else None
        etag, last_modified = f.etag, f.last_modified
        if new is not None:
            changed += 1
            body = new
            etag = _etag(body)
            last_modified = email.utils.formatdate(time.time(), usegmt=True)
        server.add(
            f.path, body, content_type=f.content_type, etag=etag, last_modified=last_modified
        )
        validators[f.path] = (etag, last_modified)
    return changed


class FeedHost:
    """The corpus on FeedServer, in a child process.

    Its own process, so the server never competes for the GIL with the client being measured:
    reader and the bare loop run in this process, our workers in theirs.
    """

    def __init__(self, feeds: list[Feed]) -> None:
        self.feeds = feeds
        self._conn: multiprocessing.connection.Connection | None = None
        self._process: multiprocessing.process.BaseProcess | None = None

    def start(self) -> list[Feed]:
        """Start serving; returns the feeds with their URLs."""
        context = multiprocessing.get_context("fork")  # before any thread of ours exists
        ours, theirs = context.Pipe()
        self._process = context.Process(
            target=_serve, args=(theirs, self.feeds), name="feed-server", daemon=True
        )
        self._process.start()
        theirs.close()
        self._conn = ours
        if not ours.poll(30):
            raise BenchError("the feed server process did not start within 30 s")
        urls: list[str] = ours.recv()
        return [replace(f, url=u) for f, u in zip(self.feeds, urls, strict=True)]

    def edit(self, version: int) -> int:
        """Serve every feed with its first entry's title edited (edit `version`), or with 0 as
        it is; returns how many feeds differ."""
        assert self._conn is not None
        self._conn.send(("edit", version))
        changed: int = self._conn.recv()
        return changed

    def stats(self) -> ServerStats:
        assert self._conn is not None
        self._conn.send("stats")
        stats: ServerStats = self._conn.recv()
        return stats

    def stop(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(OSError):  # it is already gone
                self._conn.send("stop")
            self._conn.close()
            self._conn = None
        if self._process is not None:
            self._process.join(10)
            if self._process.is_alive():
                self._process.kill()
                self._process.join()
            self._process = None


# --- results -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Round:
    """One timed pass over every feed."""

    seconds: float
    feeds: int
    items: int  # cold: articles or entries stored (each tool's own count); otherwise 0
    requests: int  # what the feed server received during the pass
    not_modified: int  # of which answered 304
    outcomes: dict[str, int] = field(default_factory=dict)

    @property
    def items_per_second(self) -> float:
        return self.items / self.seconds

    @property
    def feeds_per_second(self) -> float:
        return self.feeds / self.seconds


@dataclass(frozen=True)
class Measurement:
    name: str
    cold: Round
    unchanged: Round
    changed: Round  # each feed's first entry edited (FeedHost.edit)
    entries: int = 0  # ours: entries our parser finds in the feeds it read (articles may be fewer)
    note: str = ""


def timed_round(host: FeedHost, feeds: int, run: Callable[[], tuple[int, dict[str, int]]]) -> Round:
    """Time `run()`, which returns (items, outcomes), and count what the server answered."""
    before = host.stats()
    started = time.perf_counter()
    items, outcomes = run()
    seconds = time.perf_counter() - started
    after = host.stats()
    return Round(
        seconds=seconds,
        feeds=feeds,
        items=items,
        requests=after.requests - before.requests,
        not_modified=after.not_modified - before.not_modified,
        outcomes=outcomes,
    )


# --- ours ----------------------------------------------------------------------------------------


def bench_config(
    feeds: Sequence[Feed], *, concurrency: int | None = None, parser: str = "auto"
) -> Config:
    """One source per feed, all in one category, loopback allowed, nothing trimmed."""
    fetch = FetchConfig(allow_private_networks=True, parser=parser)
    if concurrency is not None:
        fetch = replace(fetch, concurrency=concurrency)
    return Config(
        fetch=fetch,
        retention=KEEP_ALL,
        categories=(Category(slug="bench", title="Bench"),),
        sources=tuple(
            SourceConfig(
                id=f"s{n:03d}",
                name=f.file.name,
                url=f.url,
                categories=("bench",),
                interval=3600.0,
            )
            for n, f in enumerate(feeds)
        ),
    )


class Workers:
    """`aggregator.cli worker` processes, each in its own session: Ctrl-C is ours to handle."""

    def __init__(self, count: int, redis_url: str, log_dir: Path) -> None:
        self.count = count
        self.redis_url = redis_url
        self.log_dir = log_dir
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self, store: Store, timeout: float = 60) -> None:
        """Start the workers and wait until each has registered with RQ."""
        env = {**os.environ, "REDIS_URL": self.redis_url}
        for n in range(self.count):
            with open(self.log_path(n), "wb") as log:
                self.processes.append(
                    subprocess.Popen(
                        [sys.executable, "-m", "aggregator.cli", "worker"],
                        cwd=ROOT,
                        env=env,
                        stdin=subprocess.DEVNULL,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                        start_new_session=True,
                    )
                )
        deadline = time.monotonic() + timeout
        while Worker.count(connection=store.redis) < self.count:
            self.check_alive()
            if time.monotonic() > deadline:
                raise BenchError(f"the workers did not register within {timeout:g} s")
            time.sleep(0.05)

    def log_path(self, n: int) -> Path:
        return self.log_dir / f"worker-{n + 1}.log"

    def check_alive(self) -> None:
        for n, process in enumerate(self.processes):
            if process.poll() is not None:
                tail = self.log_path(n).read_text(errors="replace").splitlines()[-20:]
                raise BenchError(
                    f"worker {n + 1} exited with status {process.returncode}; its log ends:\n"
                    + "\n".join(tail)
                )

    def stop(self) -> None:
        """Warm shutdown, then kill what is left, work horses (own process groups) included."""
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 10
        for process in self.processes:
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                for child in _children(process.pid):
                    _kill(child)
                process.kill()
                process.wait()
        self.processes = []


def _children(pid: int) -> list[int]:
    """Direct children of `pid` (Linux /proc; empty elsewhere)."""
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # it finished on its own meanwhile
        os.kill(pid, signal.SIGKILL)


def ours_round(
    store: Store,
    queue: Queue,
    config: Config,
    ids: list[str],
    host: FeedHost,
    workers: Workers,
    timeout: float,
) -> Round:
    """Enqueue the sources and wait until each has been refreshed once more."""
    before = {i: s.last_fetch for i, s in store.get_states(ids).items()}
    # Job ids embed the enqueue second: a second round in the same second would reuse them.
    time.sleep(1 - time.time() % 1 + 0.01)
    server_before = host.stats()
    articles_before = store.category_count(None)
    started = time.time()
    job_ids = enqueue(queue, config, ids)
    urls = {s.id: s.url for s in config.sources}
    states = wait_refreshed(store, queue, urls, ids, before, workers, timeout)
    seen = time.time()
    # The jobs' own end times, so the 50 ms polling period is not part of the measurement. The
    # last job is still finishing when its sources are all seen refreshed (a source's state is
    # saved before its articles join their stories), so it has no end time yet: the max of the
    # others was an earlier job's end, which left the last job (a sixth of a cold round with
    # one worker, ~2.3 s) out of every measurement until 2026-12-01. Wait for it.
    finished = seen
    for _ in range(1500):  # 30 s
        ended = [j.ended_at if j else None for j in Job.fetch_many(job_ids, connection=store.redis)]
        if all(e is not None for e in ended):
            finished = max(e.timestamp() for e in ended if e is not None)
            break
        time.sleep(0.02)
    server_after = host.stats()
    return Round(
        seconds=finished - started,
        feeds=len(ids),
        items=store.category_count(None) - articles_before,
        requests=server_after.requests - server_before.requests,
        not_modified=server_after.not_modified - server_before.not_modified,
        outcomes=dict(Counter(str(s.outcome) for s in states.values())),
    )


def wait_refreshed(
    store: Store,
    queue: Queue,
    urls: dict[str, str],
    ids: list[str],
    before: dict[str, datetime | None],
    workers: Workers,
    timeout: float,
) -> dict[str, SourceState]:
    """Poll until every source's last_fetch moved past `before`; fail clearly if it stalls."""
    deadline = time.monotonic() + timeout
    failed = FailedJobRegistry(queue=queue)
    while True:
        states = store.get_states(ids)
        stuck = [
            s
            for i, s in states.items()
            if s.last_fetch is None or s.last_fetch <= (before[i] or _EPOCH)
        ]
        if not stuck:
            return states
        workers.check_alive()
        if failed.count:
            job = Job.fetch(failed.get_job_ids()[0], connection=store.redis)
            result = job.latest_result()
            raise BenchError(f"a refresh job failed:\n{result.exc_string if result else job.id}")
        if time.monotonic() > deadline:
            lines = [
                f"  {s.source_id} {urls[s.source_id]}: last_fetch={s.last_fetch} "
                f"outcome={s.outcome} status={s.http_status} error={s.last_error!r}"
                for s in stuck[:30]
            ]
            raise BenchError(
                f"{len(stuck)} of {len(ids)} sources not refreshed after {timeout:g} s "
                f"(queue holds {queue.count} jobs; worker logs in {workers.log_dir}):\n"
                + "\n".join(lines)
            )
        time.sleep(0.05)


def measure_ours(
    feeds: list[Feed], host: FeedHost, count: int, tmp: Path, timeout: float, parser: str = "auto"
) -> Measurement:
    """Cold then unchanged, through the real queue and `count` worker processes."""
    data_dir = tmp / f"ours-w{count}-{parser}"
    server = EmbeddedServer(data_dir)
    workers = Workers(count, "", data_dir)
    try:
        url = server.start()
        workers.redis_url = url
        store = Store(connect(url))
        config = bench_config(feeds, parser=parser)
        publish(store, config)
        workers.start(store)
        queue = Queue(QUEUE_NAME, connection=store.redis)
        ids = [s.id for s in config.sources]
        cold = ours_round(store, queue, config, ids, host, workers, timeout)
        # A source that failed has no validators: polling it again is not an unchanged poll.
        states = store.get_states(ids)
        failed = [i for i in ids if states[i].outcome is not Outcome.OK]
        ok = [i for i in ids if i not in failed]
        names = {s.id: s.name for s in config.sources}
        unchanged = median_round(
            [
                ours_round(store, queue, config, ok, host, workers, timeout)
                for _ in range(UNCHANGED_ROUNDS)
            ]
        )
        changed = changed_round(
            host, partial(ours_round, store, queue, config, ok, host, workers, timeout)
        )
    finally:
        workers.stop()
        server.stop()
    return Measurement(
        name=f"ours, {count} worker process{'es' if count > 1 else ''}, parser={parser}",
        cold=cold,
        unchanged=unchanged,
        changed=changed,
        entries=sum(f.entries for f in feeds),
        note=_failures(f"{names[i]} ({states[i].last_error})" for i in sorted(failed)),
    )


def changed_round(host: FeedHost, run: Callable[[], Round]) -> Round:
    """The median of CHANGED_ROUNDS rounds, each with every feed's first entry edited again."""
    rounds = []
    try:
        for version in range(1, CHANGED_ROUNDS + 1):
            host.edit(version)
            rounds.append(run())
    finally:
        host.edit(0)
    return replace(median_round(rounds), items=0)


def _failures(names: Iterable[str]) -> str:
    listed = list(names)
    return f"failed on {len(listed)} feeds: {', '.join(listed)}" if listed else ""


# --- reader --------------------------------------------------------------------------------------


def measure_reader(feeds: list[Feed], host: FeedHost, threads: int, tmp: Path) -> Measurement:
    """lemon24/reader on a fresh SQLite file: update_feeds() cold, then again (all 304)."""
    reader = make_reader(str(tmp / f"reader-{threads}.sqlite"))
    failed: list[str] = []
    failed_cold: list[str] = []
    try:
        for f in feeds:
            reader.add_feed(f.url)

        def update() -> tuple[int, dict[str, int]]:
            outcomes: Counter[str] = Counter()
            # scheduled=False: reader would otherwise skip feeds it updated less than an hour ago.
            for result in reader.update_feeds_iter(scheduled=False, workers=threads):
                if isinstance(result.value, UpdatedFeed):
                    outcomes["updated"] += 1
                elif result.value is None:
                    outcomes["not-modified"] += 1
                else:
                    outcomes["error"] += 1
                    failed.append(result.url)
            return reader.get_entry_counts().total or 0, dict(outcomes)

        cold = timed_round(host, len(feeds), update)
        failed_cold = list(failed)
        # A feed that failed has no validators and would be fetched and parsed again: not an
        # unchanged poll. Ours leaves out its failures the same way.
        for url in failed_cold:
            reader.disable_feed_updates(url)
        unchanged = median_round(
            [
                timed_round(host, len(feeds) - len(failed_cold), update)
                for _ in range(UNCHANGED_ROUNDS)
            ]
        )
        changed = changed_round(
            host, partial(timed_round, host, len(feeds) - len(failed_cold), update)
        )
    finally:
        reader.close()
    return Measurement(
        name=f"reader {package_version('reader')}, update_feeds(workers={threads})",
        cold=cold,
        unchanged=replace(unchanged, items=0),
        changed=changed,
        note=_failures(sorted(u.rsplit("/", 1)[-1] for u in failed_cold)),
    )


# --- a bare loop ---------------------------------------------------------------------------------


def measure_bare(feeds: list[Feed], host: FeedHost) -> Measurement:
    """One httpx.Client: GET + feedparser.parse (defaults) each feed, then conditional GETs."""
    validators: dict[str, dict[str, str]] = {}
    with httpx.Client() as client:

        def cold_loop() -> tuple[int, dict[str, int]]:
            entries = 0
            for f in feeds:
                response = client.get(f.url)
                headers = {**response.headers, "content-location": f.url}
                entries += len(
                    feedparser.parse(io.BytesIO(response.content), response_headers=headers).entries
                )
                conditional = {}
                if etag := response.headers.get("etag"):
                    conditional["If-None-Match"] = etag
                if last_modified := response.headers.get("last-modified"):
                    conditional["If-Modified-Since"] = last_modified
                validators[f.url] = conditional
            return entries, {}

        def conditional_loop() -> tuple[int, dict[str, int]]:
            statuses: Counter[str] = Counter()
            for f in feeds:
                response = client.get(f.url, headers=validators[f.url])
                statuses[str(response.status_code)] += 1
                if response.status_code == 200:
                    headers = {**response.headers, "content-location": f.url}
                    feedparser.parse(io.BytesIO(response.content), response_headers=headers)
            return 0, dict(statuses)

        cold = timed_round(host, len(feeds), cold_loop)
        unchanged = median_round(
            [timed_round(host, len(feeds), conditional_loop) for _ in range(UNCHANGED_ROUNDS)]
        )
        changed = changed_round(host, partial(timed_round, host, len(feeds), conditional_loop))
    return Measurement(
        name="bare loop: httpx + feedparser.parse",
        cold=cold,
        unchanged=unchanged,
        changed=changed,
        note="feedparser cannot read JSON Feed: those count 0 entries",
    )


# --- a profile of our refresh, in process ------------------------------------------------------


def profile_ours(feeds: list[Feed], tmp: Path) -> None:
    """cProfile one cold and one unchanged pass of jobs.run_batch, sequential, in this process.

    The same code a worker's job runs, minus RQ: comparing its time with the worker runs' shows
    what the queue costs.
    """
    data_dir = tmp / "profile"
    server = EmbeddedServer(data_dir)
    try:
        store = Store(connect(server.start()))
        # concurrency=1: run_batch then refreshes in the calling thread, which cProfile sees.
        config = bench_config(feeds, concurrency=1)
        publish(store, config)
        ids = [s.id for s in config.sources]
        for label in ("cold", "unchanged"):
            profiler = cProfile.Profile()
            started = time.perf_counter()
            profiler.enable()
            jobs.run_batch(store, ids)
            profiler.disable()
            seconds = time.perf_counter() - started
            print(f"\n--- profile: {label}, {len(ids)} sources in {seconds:.2f} s in process ---")
            stats = pstats.Stats(profiler)
            stats.sort_stats("tottime").print_stats(25)
            stats.sort_stats("cumulative").print_stats(40)
    finally:
        server.stop()


class _NoLane(Lane):
    """The lane taken away: a batch's refreshes parse and clean side by side."""

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc: object) -> None:
        pass


def measure_lane(feeds: list[Feed], tmp: Path, repeat: int) -> list[str]:
    """Cold rounds of `jobs.run_batch` in this process (the worker's default concurrency), with
    refresh.Lane and without, alternating; wall time and this process's CPU time of each. (All
    feeds on one loopback host, so `per_host` allows two at once; full text off.)"""
    seconds: dict[str, list[tuple[float, float]]] = {"lane": [], "no lane": []}
    for n in range(repeat):
        for label in sorted(seconds, reverse=n % 2 == 1):  # each first in every other pair
            server = EmbeddedServer(tmp / f"lane-{n}-{label.replace(' ', '-')}")
            try:
                store = Store(connect(server.start()))
                config = bench_config(feeds)
                publish(store, config)
                jobs.warm_up(store.redis)
                jobs.Lane = Lane if label == "lane" else _NoLane  # what run_batch makes
                started, cpu = time.perf_counter(), time.process_time()
                jobs.run_batch(store, [s.id for s in config.sources])
                took = (time.perf_counter() - started, time.process_time() - cpu)
                seconds[label].append(took)
                print(
                    f"[{n + 1}/{repeat}] {label}: {took[0]:.2f} s, {took[1]:.2f} s CPU", flush=True
                )
            finally:
                jobs.Lane = Lane
                server.stop()
    wall = {k: statistics.median(w for w, _ in v) for k, v in seconds.items()}
    cpu = {k: statistics.median(c for _, c in v) for k, v in seconds.items()}
    return [
        f"cold round in process, concurrency {config.fetch.concurrency}, per host"
        f" {config.fetch.per_host}, median of {repeat}: lane {wall['lane']:.2f} s"
        f" ({cpu['lane']:.2f} s CPU), no lane {wall['no lane']:.2f} s ({cpu['no lane']:.2f} s"
        f" CPU): the lane takes {wall['lane'] / wall['no lane']:.2f}× the time,"
        f" {cpu['lane'] / cpu['no lane']:.2f}× the CPU"
    ]


# --- reporting -----------------------------------------------------------------------------------


def median_round(rounds: Sequence[Round]) -> Round:
    """The round of median time (the upper one of an even count)."""
    return sorted(rounds, key=lambda r: r.seconds)[len(rounds) // 2]


def median_measurement(runs: list[Measurement]) -> Measurement:
    """Each round at its median time across repeats (counts are the same in every repeat)."""
    return replace(
        runs[0],
        cold=median_round([m.cold for m in runs]),
        unchanged=median_round([m.unchanged for m in runs]),
        changed=median_round([m.changed for m in runs]),
    )


@dataclass(frozen=True)
class Ratio:
    """Our rates divided by another row's."""

    against: str
    cold: float  # articles/s
    unchanged: float  # sources/s
    changed: float  # sources/s


def ratios(run: list[Measurement], main: Measurement) -> list[Ratio]:
    """`main`'s rates over every other row's, within one run (side by side, same noise)."""
    return [
        Ratio(
            against=m.name,
            cold=main.cold.items_per_second / m.cold.items_per_second if m.cold.items else 0.0,
            unchanged=main.unchanged.feeds_per_second / m.unchanged.feeds_per_second,
            changed=main.changed.feeds_per_second / m.changed.feeds_per_second,
        )
        for m in run
        if m.name != main.name
    ]


def median_ratios(per_run: list[list[Ratio]]) -> list[Ratio]:
    """The median of each ratio over the repeats (each ratio paired within its own run)."""
    return [
        Ratio(
            against=rs[0].against,
            cold=statistics.median(r.cold for r in rs),
            unchanged=statistics.median(r.unchanged for r in rs),
            changed=statistics.median(r.changed for r in rs),
        )
        for rs in zip(*per_run, strict=True)
    ]


def markdown(
    results: list[Measurement], main: Measurement, versus: list[Ratio], per_run: list[list[Ratio]]
) -> str:
    """The results table, and the ratios of `main` (our default worker count) to the others."""
    lines = [
        "| run | cold: s | articles | articles/s | unchanged: s | 304s | sources/s "
        "| changed: s | 200s | sources/s |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for m in results:
        c, u, e = m.cold, m.unchanged, m.changed
        lines.append(
            f"| {m.name} | {c.seconds:.2f} | {c.items} | {c.items_per_second:,.0f} "
            f"| {u.seconds:.3f} | {u.not_modified}/{u.feeds} | {u.feeds_per_second:,.0f} "
            f"| {e.seconds:.3f} | {e.requests - e.not_modified}/{e.feeds} "
            f"| {e.feeds_per_second:,.0f} |"
        )
    lines += [
        "",
        f"| {main.name} ÷ | cold articles/s | per run | unchanged sources/s | per run "
        "| changed sources/s | per run |",
        "|---|--:|--:|--:|--:|--:|--:|",
    ]
    for n, r in enumerate(versus):
        cold_runs = " ".join(f"{run[n].cold:.2f}" for run in per_run)
        unchanged_runs = " ".join(f"{run[n].unchanged:.2f}" for run in per_run)
        changed_runs = " ".join(f"{run[n].changed:.2f}" for run in per_run)
        lines.append(
            f"| {r.against} | {r.cold:.2f}× | {cold_runs} | {r.unchanged:.2f}× | {unchanged_runs} "
            f"| {r.changed:.2f}× | {changed_runs} |"
        )
    return "\n".join(lines)


def aims(versus: list[Ratio]) -> list[str]:
    """The issue's aims, against reader's default (one thread) and its best configuration."""
    readers = [r for r in versus if r.against.startswith("reader")]
    if not readers:
        return []
    default = next(r for r in readers if f"workers={READER_WORKERS[0]})" in r.against)
    best_cold = min(r.cold for r in readers)
    best_unchanged = min(r.unchanged for r in readers)

    def verdict(ratio: float, aim: float) -> str:
        return f"{ratio:.2f}× ({'met' if ratio >= aim else 'MISSED'})"

    return [
        f"aim: cold ingest ≥ 3× reader: {verdict(default.cold, 3)} against its default, "
        f"{verdict(best_cold, 3)} against its best",
        f"aim: unchanged polling ≥ 1× reader: {verdict(default.unchanged, 1)} against its "
        f"default, {verdict(best_unchanged, 1)} against its best",
    ]


def per_process(results: list[Measurement], parsers: Sequence[str]) -> list[str]:
    """One worker process of ours, with each parser, against reader with one thread (cold)."""
    rows = {m.name: m for m in results}
    reader = next((m for m in results if m.name.endswith(f"(workers={READER_WORKERS[0]})")), None)
    lines = []
    for p in parsers:
        ours = rows.get(f"ours, 1 worker process, parser={p}")
        if ours is None or reader is None or not reader.cold.items:
            continue
        ratio = ours.cold.items_per_second / reader.cold.items_per_second
        changed = ours.changed.feeds_per_second / reader.changed.feeds_per_second
        lines += [
            f"aim: one process, parser={p}, cold ≥ 3× reader (1 thread): {ratio:.2f}× "
            f"({'met' if ratio >= 3 else 'MISSED'})",
            f"one process, parser={p}, changed feeds (first entry edited): {changed:.2f}× "
            "reader (1 thread)",
        ]
    return lines


def remarks(results: list[Measurement]) -> list[str]:
    """What the table leaves out: entries/s, and anything that makes a row not mean what it says."""
    notes = [f"note: {m.name}: {m.note}" for m in results if m.note]
    for m in results:
        c, u = m.cold, m.unchanged
        if c.items == 0 or c.requests != c.feeds:
            notes.append(
                f"warning: {m.name}: the cold round stored {c.items} items and made "
                f"{c.requests} requests for {c.feeds} feeds"
            )
        if u.not_modified != u.feeds:
            notes.append(
                f"warning: {m.name}: only {u.not_modified} of {u.feeds} unchanged polls were "
                f"conditional GETs answered 304 ({u.requests} requests)"
            )
        e = m.changed
        if e.requests != e.feeds:
            notes.append(
                f"warning: {m.name}: the changed round made {e.requests} requests for "
                f"{e.feeds} feeds"
            )
        if m.entries:
            notes.append(
                f"note: {m.name}: parsed {m.entries} entries, "
                f"{m.entries / m.cold.seconds:,.0f} entries/s cold"
            )
    return notes


def machine() -> dict[str, object]:
    return {
        "nproc": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "loadavg_at_start": os.getloadavg(),
    }


def one_run(
    feeds: list[Feed],
    host: FeedHost,
    counts: Sequence[int],
    parsers: Sequence[str],
    directory: Path,
    timeout: float,
    label: str,
) -> list[Measurement]:
    """Every measurement once, side by side: ours for each worker count and parser, reader, the
    bare loop."""
    steps: list[Callable[[], Measurement]] = [
        *(
            partial(measure_ours, feeds, host, c, directory, timeout, p)
            for c in counts
            for p in parsers
        ),
        *(partial(measure_reader, feeds, host, t, directory) for t in READER_WORKERS),
        partial(measure_bare, feeds, host),
    ]
    run = []
    for step in steps:
        m = step()
        print(
            f"[{label}] {m.name}: cold {m.cold.seconds:.2f} s ({m.cold.items} items), "
            f"unchanged {m.unchanged.seconds:.3f} s ({m.unchanged.not_modified} × 304), "
            f"changed {m.changed.seconds:.3f} s "
            f"({m.changed.requests - m.changed.not_modified} × 200)",
            flush=True,
        )
        run.append(m)
    return run


# --- main ----------------------------------------------------------------------------------------


def _check_reader_installed() -> None:
    """Fail early if reader cannot parse: its vendored feedparser imports `sgmllib`.

    feedparser 6.0.14 switched to `feedparser_sgmllib` and no longer pulls `sgmllib3k` in.
    """
    if importlib.util.find_spec("sgmllib") is None:
        raise SystemExit(
            "reader cannot parse without the `sgmllib` module: .venv/bin/pip install sgmllib3k"
        )


def _interrupted(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def measure_cleaning(feeds: Sequence[Feed], rounds: int = 3) -> list[str]:
    """Lines reporting normalize's cost per article, junk rules off and on, and one extraction."""
    from aggregator import fulltext
    from aggregator.normalize import normalize

    parsed = []
    for feed in feeds:
        with contextlib.suppress(ParseError):
            parsed.append(parse(feed.file.read_bytes(), url="https://example.com/f", headers={}))
    base = SourceConfig(id="b", name="B", url="https://example.com/f", categories=(), interval=900)
    now = datetime.now(UTC)
    cost = {}
    for label, source in (
        ("junk rules off", replace(base, default_junk_rules=False)),
        ("junk rules on", base),
    ):
        normalize(parsed[0], source, now=now)  # loads the language model once, outside timing
        best = math.inf
        for _ in range(rounds):
            started = time.perf_counter()
            articles = sum(len(normalize(p, source, now=now)) for p in parsed)
            best = min(best, time.perf_counter() - started)
        cost[label] = best / articles * 1e6
    lines = [
        f"cleaning: normalize {cost['junk rules off']:.0f} µs/article with the built-in junk"
        f" rules off, {cost['junk rules on']:.0f} µs/article on ({articles} articles, best of"
        f" {rounds}, full text off)"
    ]
    pages = ROOT / "tests" / "fixtures" / "pages"
    for page in sorted(pages.glob("*.html")):
        text = page.read_text(encoding="utf-8")
        fulltext.extract_main(text, "https://news.example/a", base)
        started = time.perf_counter()
        for _ in range(20):
            fulltext.extract_main(text, "https://news.example/a", base)
        ms = (time.perf_counter() - started) / 20 * 1000
        lines.append(f"full text: one extraction of {page.name} ({len(text)} B) {ms:.1f} ms")
    return lines


def _server_cpu(pid: int) -> float:
    """A process's CPU seconds so far (user and system), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure_cpu(host: FeedHost, feeds: list[Feed], tmp: Path, run: int) -> float:
    """One cold round and CHANGED_ROUNDS changed rounds of `jobs.run_batch` in this process,
    concurrency 1, into a fresh embedded Valkey: the CPU of this process and of the server per
    round, which a shared host's load moves far less than it moves wall time. (A worker's
    job minus RQ: the code of two checkouts compares side by side, run alternately.)
    Returns the cold round's CPU seconds per article, ours and the server's together."""
    server = EmbeddedServer(tmp / f"cpu-{run}")
    per_article = 0.0
    try:
        store = Store(connect(server.start()))
        pid = server.pid
        assert pid is not None
        config = bench_config(feeds, concurrency=1)
        publish(store, config)
        jobs.warm_up(store.redis)
        ids = [s.id for s in config.sources]
        try:
            for version in range(CHANGED_ROUNDS + 1):
                host.edit(version)  # 0: as they are, for the cold round
                articles = store.category_count(None)
                cpu, served, started = time.process_time(), _server_cpu(pid), time.perf_counter()
                jobs.run_batch(store, ids)
                cpu, served = time.process_time() - cpu, _server_cpu(pid) - served
                wall = time.perf_counter() - started
                label = f"changed {version}" if version else "cold"
                added = store.category_count(None) - articles
                if not version:
                    per_article = (cpu + served) / max(added, 1)
                print(
                    f"[{run}] {label}: {cpu:.2f} s CPU ours, {served:.2f} s the server's,"
                    f" {wall:.2f} s wall; {len(ids)} feeds, {added} articles added",
                    flush=True,
                )
        finally:
            host.edit(0)
    finally:
        server.stop()
    return per_article


# reader's cold round in a fresh interpreter that imports reader alone: measured in this process
# after ours it had our collector settings, our frozen objects and our heap (docs/benchmarks.md,
# "Fiftieth session: a fair CPU ratio").
_READER_CPU = """
import json, sys, time, warnings
warnings.filterwarnings("ignore", category=DeprecationWarning, module="feedparser")
from reader import make_reader
reader = make_reader(sys.argv[1])
try:
    for url in sys.stdin.read().split():
        reader.add_feed(url)
    cpu, started = time.process_time(), time.perf_counter()
    for _ in reader.update_feeds_iter(scheduled=False, workers=1):
        pass
    cpu, wall = time.process_time() - cpu, time.perf_counter() - started
    articles = reader.get_entry_counts().total or 0
finally:
    reader.close()
print(json.dumps({"cpu": cpu, "wall": wall, "articles": articles}))
"""


def measure_reader_cpu(feeds: list[Feed], tmp: Path, run: int) -> float:
    """reader's cold round (one thread, a fresh SQLite file) in a process of its own: its CPU
    seconds per article, printed, and returned for the ratio against ours."""
    done = subprocess.run(
        [sys.executable, "-c", _READER_CPU, str(tmp / f"reader-cpu-{run}.sqlite")],
        input="\n".join(f.url for f in feeds),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise BenchError(f"reader's cold round failed: {done.stderr.strip()[-2000:]}")
    measured = json.loads(done.stdout.splitlines()[-1])
    print(
        f"[{run}] reader cold, in its own process: {measured['cpu']:.2f} s CPU,"
        f" {measured['wall']:.2f} s wall; {len(feeds)} feeds, {measured['articles']} articles",
        flush=True,
    )
    return float(measured["cpu"]) / max(int(measured["articles"]), 1)


def _cpu_only(feeds: list[Feed], repeat: int, against_reader: bool) -> int:
    """Our rounds in this process (as a worker runs them, one after another) and reader's in a
    process of its own; which goes first alternates from run to run, so a load that drifts
    weighs on both."""
    host = FeedHost(feeds)
    tmp = Path(tempfile.mkdtemp(prefix="bench-cpu-"))
    try:
        served = host.start()
        for run in range(1, repeat + 1):
            if not against_reader:
                measure_cpu(host, served, tmp, run)
                continue
            if run % 2:
                ours = measure_cpu(host, served, tmp, run)
                theirs = measure_reader_cpu(served, tmp, run)
            else:
                theirs = measure_reader_cpu(served, tmp, run)
                ours = measure_cpu(host, served, tmp, run)
            print(
                f"[{run}] cold CPU per article, reader ÷ ours (with the server's):"
                f" {theirs / ours:.2f}×",
                flush=True,
            )
    finally:
        host.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


def _lane_only(feeds: list[Feed], repeat: int) -> int:
    host = FeedHost(feeds)
    tmp = Path(tempfile.mkdtemp(prefix="bench-lane-"))
    try:
        lines = measure_lane(host.start(), tmp, max(repeat, 3))
    finally:
        host.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    print("\n".join(lines))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--repeat", type=int, default=1, help="runs; the median is reported")
    parser.add_argument(
        "--workers",
        default="1,2",
        help="our worker process counts, comma-separated; the last is compared (default 1,2)",
    )
    parser.add_argument(
        "--parsers",
        default="auto,feedparser",
        help="fetch.parser settings of ours, comma-separated; the first is compared "
        "(default auto,feedparser)",
    )
    parser.add_argument("--quick", action="store_true", help="every 6th feed: a smoke run")
    parser.add_argument(
        "--profile", action="store_true", help="also cProfile our refresh in process"
    )
    parser.add_argument(
        "--timeout", type=float, default=0.0, help="max seconds per round of ours (default auto)"
    )
    parser.add_argument(
        "--cleaning", action="store_true", help="only the in-process cleaning costs, then exit"
    )
    parser.add_argument(
        "--lane", action="store_true", help="only refresh.Lane on and off, in process, then exit"
    )
    parser.add_argument(
        "--cpu",
        action="store_true",
        help="only the CPU of a cold round and the changed rounds, in process, then exit",
    )
    parser.add_argument(
        "--no-reader",
        action="store_true",
        help="with --cpu: leave out reader's cold round (comparing two checkouts of ours)",
    )
    args = parser.parse_args(argv)
    if not CORPUS.is_dir():  # every mode reads it: say where it was looked for, not a traceback
        parser.exit(2, f"needs the development corpus: no {CORPUS} (set AGGREGATOR_CORPUS)\n")
    if args.cleaning:
        print("\n".join(measure_cleaning(corpus_feeds(args.quick))))
        return 0
    if args.lane:
        return _lane_only(corpus_feeds(args.quick), args.repeat)
    if args.cpu:
        if not args.no_reader:
            _check_reader_installed()
        return _cpu_only(corpus_feeds(args.quick), args.repeat, not args.no_reader)
    counts = [int(w) for w in args.workers.split(",") if w.strip()]
    parsers = [p.strip() for p in args.parsers.split(",") if p.strip()]
    if not counts or min(counts) < 1 or args.repeat < 1:
        parser.error("--workers needs positive counts and --repeat at least 1")
    if not parsers or set(parsers) - set(PARSERS):
        parser.error(f"--parsers takes {' and '.join(PARSERS)}")

    _check_reader_installed()
    # A SIGTERM unwinds like Ctrl-C, so the finally blocks stop the workers and servers.
    signal.signal(signal.SIGTERM, _interrupted)
    info = machine()
    feeds = corpus_feeds(args.quick)
    host = FeedHost(feeds)
    tmp = Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    try:
        feeds = host.start()
        feeds = [replace(f, entries=count_entries(f)) for f in feeds]
        step = measure_parse_step(feeds)
        print("\n".join(step.lines()), flush=True)
        timeout = args.timeout or 120 + 2.0 * len(feeds)
        size = sum(f.file.stat().st_size for f in feeds)
        print(
            f"{len(feeds)} feeds, {size / 1e6:.1f} MB, {sum(f.entries for f in feeds)} entries; "
            f"{info['nproc']} CPUs, Python {info['python']}, load {info['loadavg_at_start']}",
            flush=True,
        )
        repeats = []
        for n in range(args.repeat):
            directory = tmp / f"run-{n + 1}"  # every measurement starts from an empty store
            directory.mkdir()
            repeats.append(
                one_run(feeds, host, counts, parsers, directory, timeout, f"{n + 1}/{args.repeat}")
            )
        if args.profile:
            profile_ours(feeds, tmp)
    finally:
        host.stop()
        shutil.rmtree(tmp, ignore_errors=True)

    results = [median_measurement(list(ms)) for ms in zip(*repeats, strict=True)]
    # The largest worker count asked for (by default 2), with the first parser (by default auto).
    main_index = (len(counts) - 1) * len(parsers)
    main_row = results[main_index]
    per_run = [ratios(run, run[main_index]) for run in repeats]
    versus = median_ratios(per_run)
    table = markdown(results, main_row, versus, per_run)
    notes = (
        remarks(results)
        + aims(versus)
        + per_process(results, parsers)
        + step.lines()
        + measure_cleaning(feeds)
    )
    print()
    print(table)
    print()
    print("\n".join(notes))

    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out = RESULTS / f"ingest-{stamp}.json"
    out.write_text(
        json.dumps(
            {
                "date": datetime.now(UTC).isoformat(timespec="seconds"),
                "command": " ".join(["bench/ingest.py", *(argv or sys.argv[1:])]),
                "machine": info,
                "feeds": len(feeds),
                "entries": sum(f.entries for f in feeds),
                "parse_step": asdict(step),
                "median": [asdict(m) for m in results],
                "ratios": [asdict(r) for r in versus],
                "runs": [[asdict(m) for m in run] for run in repeats],
                "table": table,
                "notes": notes,
            },
            indent=2,
            default=str,
        )
    )
    print(f"\nresults: {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as error:
        sys.exit(f"bench/ingest.py: {error}")
