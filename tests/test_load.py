"""The whole service under load while it ingests: no errors, latency reported, memory flat.

Set up as in production, one process each: an embedded Valkey, `aggregator scheduler`, two
`aggregator worker`s and `aggregator web` (gunicorn, 2 gevent workers). Forty real feeds from the
corpus (without it, the project's fixtures, each served by several sources) are served on
loopback and polled every ~2 s. Half of them change on every request (one more item, numbered
by a counter), so the workers ingest throughout; the other half answer 304,
so two categories' feeds stay the same and revalidations of them get 304 from us.

Meanwhile client threads (tests/support/load.py) ask for a mix of category feeds in all three
formats, revalidations with the ETag they last saw, the home, category and article pages and
/readyz. Every few seconds the RSS of every long-lived process is read from /proc.

`test_load_briefly` runs it for 10 s in `make test`; `test_load_soak` for 60 s in `make soak`
(LOAD_SECONDS and LOAD_CLIENTS override; LOAD_REPORT=path writes the Markdown report there).
Latency is reported, never asserted beyond a bound that only a hang would cross.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import IO

import httpx
import pytest

from aggregator.errors import ParseError
from aggregator.parse import parse
from aggregator.redis_server import EmbeddedServer, connect
from aggregator.store import Store
from tests.support.corpus import PRESENT, corpus_files
from tests.support.feed_server import FeedServer, Handler
from tests.support.fixtures import FEEDS
from tests.support.load import LoadReport, Request, mix, run_load
from tests.support.pipeline import ROOT, all_fetched, wait_for

SOURCES = 40
MAX_FEED_BYTES = 100_000  # bigger corpus feeds would make ingest, not serving, the whole load
LIVE_CATEGORIES = ("world", "tech")  # their sources change on every poll
STILL_CATEGORIES = ("science", "culture")  # their sources answer 304
CONTENT_TYPES = {
    "rss": "application/rss+xml",
    "atom": "application/atom+xml",
    "json": "application/feed+json",
}
P99_LIMIT_MS = 5000.0  # not a performance aim: only a hung or stalled server gets near it
MB = 1024  # VmRSS is in kB


# --- the sources -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CorpusFeed:
    """A real feed from the corpus and its format."""

    path: Path
    format: str  # "rss", "atom" or "json"


def corpus_feeds(count: int) -> list[CorpusFeed]:
    """`count` small real feeds that still parse, with their new item, after with_item().

    Without the corpus (a bare clone) the project's own fixtures stand in, each served by
    several sources.
    """
    found: list[CorpusFeed] = []
    for path in corpus_files("real") or [f.path for f in FEEDS]:
        body = path.read_bytes()
        if len(body) > MAX_FEED_BYTES:
            continue
        head = body[:4000]
        if path.suffix == ".json":
            kind = "json"
        elif b"<rss" in head and b"</channel>" in body:
            kind = "rss"
        elif re.search(rb'<feed[^>]*xmlns=["\']http://www.w3.org/2005/Atom', head):
            kind = "atom"
        else:
            continue  # RSS 1.0 and prefixed documents: an appended item would not belong
        feed = CorpusFeed(path, kind)
        if _takes_items(feed, body):
            found.append(feed)
        if len(found) == count:
            return found
    if not PRESENT and found:
        return [found[n % len(found)] for n in range(count)]
    raise AssertionError(f"the corpus has only {len(found)} usable feeds, {count} wanted")


def _takes_items(feed: CorpusFeed, body: bytes) -> bool:
    """Whether the feed parses with its extra item (encodings that are not ASCII-based do not)."""
    headers = {"Content-Type": CONTENT_TYPES[feed.format]}
    try:
        changed = with_item(feed, body, "probe", 1, datetime.now(UTC))
        parsed = parse(changed, url="http://127.0.0.1/probe", headers=headers)
    except (ParseError, ValueError):  # not JSON, no closing tag, not parseable: take another
        return False
    return any(e.guid == "urn:load:probe:1" for e in parsed.entries) and len(parsed.entries) > 1


def with_item(feed: CorpusFeed, body: bytes, source_id: str, n: int, now: datetime) -> bytes:
    """`body` with one more item, number `n`, published `now`."""
    guid = f"urn:load:{source_id}:{n}"
    title = f"Load item {n} from {source_id}"
    link = f"https://load.example/{source_id}/{n}"
    if feed.format == "json":
        document = json.loads(body)
        item = {"id": guid, "url": link, "title": title, "content_text": title}
        item["date_published"] = now.isoformat()
        document["items"] = [item, *document.get("items", [])]
        return json.dumps(document).encode()
    if feed.format == "rss":
        item_xml = (
            f"<item><title>{title}</title><link>{link}</link>"
            f'<guid isPermaLink="false">{guid}</guid>'
            f"<pubDate>{format_datetime(now, usegmt=True)}</pubDate>"
            f"<description>{title}.</description></item>"
        )
        end = body.rindex(b"</channel>")
    else:
        item_xml = (
            f'<entry><id>{guid}</id><title>{title}</title><link href="{link}"/>'
            f"<updated>{now.isoformat(timespec='seconds')}</updated>"
            f"<summary>{title}.</summary></entry>"
        )
        end = body.rindex(b"</feed>")
    return body[:end] + item_xml.encode() + body[end:]


class ChangingFeed:
    """A feed-server handler: the corpus feed plus a new item on every request."""

    def __init__(self, source_id: str, feed: CorpusFeed) -> None:
        self.source_id = source_id
        self.feed = feed
        self.body = feed.path.read_bytes()
        self.served = 0
        self._lock = threading.Lock()

    def __call__(self, h: Handler) -> None:
        with self._lock:
            self.served += 1
            n = self.served
        body = with_item(self.feed, self.body, self.source_id, n, datetime.now(UTC))
        h.send_response(200)
        h.send_header("Content-Type", CONTENT_TYPES[self.feed.format])
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        if h.command != "HEAD":
            h.wfile.write(body)


def newest_item_number(store: Store, source_id: str) -> int:
    """The highest item number of ours that `source_id` has in Redis (0: none yet)."""
    prefix = f"urn:load:{source_id}:"
    numbers = [
        int(a.guid.removeprefix(prefix))
        for a in store.source_articles(source_id, 10)
        if a.guid.startswith(prefix)
    ]
    return max(numbers, default=0)


def write_config(path: Path, port: int, sources: list[tuple[str, str, str]]) -> None:
    """The service's aggregator.toml: `sources` as (id, url, category), polled every ~2 s."""
    lines = [
        "[site]",
        'title = "Load Desk"',
        f'base_url = "http://127.0.0.1:{port}"',
        "",
        "[fetch]",
        "allow_private_networks = true",
        # Clamped by min/max_interval, so a feed's own <ttl> or max-age cannot slow the polls.
        'interval = "2s"',
        'min_interval = "1s"',
        'max_interval = "3s"',
        'max_backoff = "10s"',
        "",
        "[retention]",
        # Small, so trimming runs on every refresh of a changing source and Valkey's data stops
        # growing early in the run: growth is then a leak, not new articles.
        "max_per_source = 30",
        "keep_newest = 10",
    ]
    for slug in (*LIVE_CATEGORIES, *STILL_CATEGORIES):
        lines += ["", "[[categories]]", f'slug = "{slug}"', f'title = "{slug.title()}"']
    for source_id, url, slug in sources:
        lines += [
            "",
            "[[sources]]",
            f'id = "{source_id}"',
            f'name = "Load {source_id}"',
            f'url = "{url}"',
            f'categories = ["{slug}"]',
        ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


# --- the processes -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def children_of(pid: int) -> list[int]:
    """Pids whose parent is `pid` (from /proc)."""
    children = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):  # a process may exit while we look
            # The command name in field 2 may hold spaces; the ppid is the second field after it.
            stat = (entry / "stat").read_text()
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                children.append(int(entry.name))
    return sorted(children)


def rss_kb(pid: int) -> int | None:
    """The resident set size of `pid` in kB, from /proc/<pid>/status; None once it has exited."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
    return int(match.group(1)) if match else None  # a zombie has no VmRSS


@dataclass
class Service:
    """The running service: its URL, its Redis and its long-lived processes."""

    port: int
    store: Store
    valkey: EmbeddedServer
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    logs: dict[str, Path] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def pids(self) -> dict[str, int]:
        """Every process whose memory we watch: RQ's work horses and gunicorn's arbiter excluded."""
        assert self.valkey.pid is not None
        pids = {"valkey": self.valkey.pid}
        pids.update({name: p.pid for name, p in self.processes.items() if name != "web"})
        pids["gunicorn master"] = self.processes["web"].pid  # `aggregator web` execs gunicorn
        for n, pid in enumerate(children_of(self.processes["web"].pid), 1):
            pids[f"gunicorn worker {n}"] = pid
        return pids

    def tails(self, lines: int = 15) -> str:
        """The end of every process's log, for a failure message."""
        out = []
        for name, path in self.logs.items():
            text = path.read_text(errors="replace").splitlines()[-lines:]
            out.append(f"--- {name} ---\n" + "\n".join(text))
        return "\n".join(out)


def _spawn(
    name: str, args: list[str], env: dict[str, str], cwd: Path, service: Service
) -> subprocess.Popen[bytes]:
    log_path = cwd / f"{name}.log"
    log: IO[bytes]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "aggregator.cli", *args],
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: killpg takes its children too
        )
    service.processes[name] = process
    service.logs[name] = log_path
    return process


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the process group (RQ workers finish their job), SIGKILL if it lingers."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # a straggler in the group: a work horse


@contextlib.contextmanager
def running_service(
    tmp_path: Path, feed_server: FeedServer, workers: int = 2
) -> Iterator[tuple[Service, list[ChangingFeed]]]:
    """Everything started, every source fetched once, /readyz answering 200."""
    feeds = corpus_feeds(SOURCES)
    changing: list[ChangingFeed] = []
    sources: list[tuple[str, str, str]] = []
    for i, feed in enumerate(feeds):
        if i % 2 == 0:
            source_id = f"live-{i:02d}"
            handler = ChangingFeed(source_id, feed)
            changing.append(handler)
            url = feed_server.add_handler(f"/{source_id}", handler)
            slug = LIVE_CATEGORIES[(i // 2) % len(LIVE_CATEGORIES)]
        else:
            source_id = f"still-{i:02d}"
            url = feed_server.serve_file(
                f"/{source_id}",
                feed.path,
                CONTENT_TYPES[feed.format],
                etag=f'"{feed.path.name}"',
            )
            slug = STILL_CATEGORIES[(i // 2) % len(STILL_CATEGORIES)]
        sources.append((source_id, url, slug))

    port = free_port()
    config_path = tmp_path / "aggregator.toml"
    write_config(config_path, port, sources)
    valkey = EmbeddedServer(tmp_path / "valkey")
    service = Service(port=port, store=Store(connect(valkey.start())), valkey=valkey)
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("REDIS_URL", "AGGREGATOR_CONFIG", "PROMETHEUS_MULTIPROC_DIR")
    }
    env |= {
        "PYTHONPATH": str(ROOT),
        "REDIS_URL": valkey.url,
        "AGGREGATOR_CONFIG": str(config_path),
        "AGGREGATOR_DATA_DIR": str(tmp_path / "var"),
        "LOG_LEVEL": "WARNING",
    }
    try:
        _spawn("scheduler", ["scheduler"], env, tmp_path, service)
        for n in range(1, workers + 1):
            _spawn(f"rq worker {n}", ["worker"], env, tmp_path, service)
        _spawn("web", ["web", "--host", "127.0.0.1", "--port", str(port)], env, tmp_path, service)

        def ready() -> bool:
            for name, process in service.processes.items():
                if process.poll() is not None:
                    raise AssertionError(f"{name} exited early:\n{service.tails()}")
            try:
                return httpx.get(f"{service.url}/readyz", timeout=5).status_code == 200
            except httpx.TransportError:
                return False

        wait_for(ready, 60, "/readyz to answer 200", step=0.5)
        ids = [s[0] for s in sources]
        wait_for(lambda: all_fetched(service.store, ids), 60, "every source to be fetched", 0.5)
        for slug in (*LIVE_CATEGORIES, *STILL_CATEGORIES):
            assert service.store.category_count(slug) > 0, f"category {slug} has no articles"
        yield service, changing
    finally:
        for process in service.processes.values():
            _stop(process)
        valkey.stop()


# --- memory ------------------------------------------------------------------------------------


def cpu_seconds(pid: int) -> float | None:
    """CPU time `pid` and its reaped children used, from /proc/<pid>/stat; None once it exited.

    The children count because RQ refreshes sources in a forked work horse per job.
    """
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()  # utime, stime, cutime, cstime: fields 14 to 17
    return sum(int(v) for v in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def machine_busy() -> tuple[int, int]:
    """(busy, total) jiffies of all CPUs since boot, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle and iowait
    return sum(values) - idle, sum(values)


class MemorySampler:
    """Reads every watched process's VmRSS every `every` seconds in a thread (and CPU use)."""

    def __init__(self, pids: dict[str, int], every: float) -> None:
        self.pids = pids
        self.every = every
        self.samples: dict[str, list[int]] = {name: [] for name in pids}
        self.cpu: dict[str, float] = {}  # CPU seconds used while sampling
        self.busy = 0.0  # fraction of the machine's CPU time in use while sampling
        self.exited: set[str] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)
        self._cpu_start: dict[str, float | None] = {}
        self._busy_start = (0, 0)

    def __enter__(self) -> MemorySampler:
        self._cpu_start = {name: cpu_seconds(pid) for name, pid in self.pids.items()}
        self._busy_start = machine_busy()
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()  # the last moment of the run, too
        busy, total = machine_busy()
        self.busy = (busy - self._busy_start[0]) / max(1, total - self._busy_start[1])
        for name, pid in self.pids.items():
            start, end = self._cpu_start[name], cpu_seconds(pid)
            if start is not None and end is not None:
                self.cpu[name] = end - start

    def _run(self) -> None:
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(self.every)

    def _sample(self) -> None:
        for name, pid in self.pids.items():
            kb = rss_kb(pid)
            if kb is None:
                self.exited.add(name)
            else:
                self.samples[name].append(kb)


@dataclass(frozen=True)
class MemoryRow:
    """One process's RSS over the run, in kB: medians of its first and last third, and max."""

    name: str
    pid: int
    samples: int
    cpu_seconds: float  # used during the run
    first_kb: float
    last_kb: float
    max_kb: int

    @property
    def limit_kb(self) -> float:
        return memory_limit_kb(self.first_kb)

    @property
    def flat(self) -> bool:
        return self.last_kb <= self.limit_kb


def memory_limit_kb(first_kb: float) -> float:
    """The most the last third may use: 20 % and 10 MB more than the first third.

    Measured once warm, these processes move by less than 1 MB over a minute (Valkey's data
    stops growing once retention trims on every refresh), so the margin is for noise such as
    allocator arenas and one big response. A gunicorn worker of ~60 MB fails at ~22 MB more:
    in the 60 s run each worker serves ~11,000 requests between the middles of the thirds, so a
    leak of ~2 KB per request fails it.
    """
    return first_kb * 1.2 + 10 * MB


def memory_rows(sampler: MemorySampler) -> list[MemoryRow]:
    rows = []
    for name, values in sampler.samples.items():
        third = max(1, len(values) // 3)
        rows.append(
            MemoryRow(
                name=name,
                pid=sampler.pids[name],
                samples=len(values),
                cpu_seconds=sampler.cpu.get(name, 0.0),
                first_kb=statistics.median(values[:third]) if values else 0.0,
                last_kb=statistics.median(values[-third:]) if values else 0.0,
                max_kb=max(values, default=0),
            )
        )
    return rows


# --- one run -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoadRun:
    """What a run measured."""

    report: LoadReport
    memory: list[MemoryRow]
    exited: set[str]
    web_workers_before: list[int]
    web_workers_after: list[int]
    ingested: int  # new articles stored by the workers during the run
    polls: int  # requests the changing sources answered during the run
    busy: float  # fraction of the machine's CPU time in use during the run
    cpu_count: int
    tester_cpu_seconds: float  # this process: the load clients and the feed server


def feed_paths() -> list[str]:
    paths = [f"/feed.{ext}" for ext in ("atom", "rss", "json")]
    for slug in (*LIVE_CATEGORIES, *STILL_CATEGORIES):
        paths += [f"/c/{slug}/feed.{ext}" for ext in ("atom", "rss", "json")]
    return paths


def run_under_load(
    service: Service,
    changing: list[ChangingFeed],
    *,
    clients: int,
    duration: float,
    sample_every: float,
) -> LoadRun:
    """Warm up, then `clients` clients for `duration` seconds with the memory sampled."""
    store = service.store
    slugs = (*LIVE_CATEGORIES, *STILL_CATEGORIES)
    feeds = feed_paths()
    # Articles that stay: our newest items (each source keeps its 10 newest, and adds one per
    # poll), refreshed as the run goes, and those of the sources that never change. The old
    # items of the changing sources are trimmed by age as new ones come, and then are 404.
    articles: list[list[str]] = [[]]  # replaced whole, so a client never sees it half-built

    def refresh_articles() -> None:
        newest = [
            f"/a/{a.id}" for a in store.category_page(None, 40)[0] if a.guid.startswith("urn:load:")
        ]
        for slug in STILL_CATEGORIES:  # and some that never change
            newest += [f"/a/{a.id}" for a in store.category_page(slug, 10)[0]]
        articles[0] = newest

    refresh_articles()
    pick = mix(
        [
            (30, lambda rng: Request("feed", rng.choice(feeds))),
            (30, lambda rng: Request("revalidate", rng.choice(feeds), revalidate=True)),
            (8, lambda rng: Request("home", "/")),
            (12, lambda rng: Request("category", f"/c/{rng.choice(slugs)}/")),
            (15, lambda rng: Request("article", rng.choice(articles[0]))),
            (3, lambda rng: Request("sources", "/sources")),
            (2, lambda rng: Request("readyz", "/readyz")),
        ]
    )
    host, port = "127.0.0.1", service.port
    # Warm up: imports, templates and each feed's first rendering happen before the sampling.
    warm = run_load(host, port, pick, clients=clients, duration=min(5.0, duration / 2), seed=1)
    assert warm.errors == 0, f"errors while warming up: {warm.error_examples}"

    stop = threading.Event()

    def keep_refreshing() -> None:
        while not stop.wait(2.0):
            refresh_articles()

    refresher = threading.Thread(target=keep_refreshing, name="article-ids", daemon=True)
    pids = service.pids()
    web_workers_before = children_of(service.processes["web"].pid)
    before = {f.source_id: newest_item_number(store, f.source_id) for f in changing}
    served_before = sum(f.served for f in changing)
    tester_cpu = time.process_time()
    refresher.start()
    try:
        with MemorySampler(pids, sample_every) as sampler:
            report = run_load(host, port, pick, clients=clients, duration=duration, seed=2)
    finally:
        stop.set()
        refresher.join()
    after = {f.source_id: newest_item_number(store, f.source_id) for f in changing}
    return LoadRun(
        report=report,
        memory=memory_rows(sampler),
        exited=sampler.exited,
        web_workers_before=web_workers_before,
        web_workers_after=children_of(service.processes["web"].pid),
        ingested=sum(after[s] - before[s] for s in before),
        polls=sum(f.served for f in changing) - served_before,
        busy=sampler.busy,
        cpu_count=os.cpu_count() or 1,
        tester_cpu_seconds=time.process_time() - tester_cpu,
    )


def markdown(run: LoadRun, service: Service) -> str:
    """The run as Markdown: requests by kind, then memory by process."""
    r = run.report
    lines = [
        f"{r.clients} clients for {r.seconds:.1f} s: {r.requests:,} requests "
        f"({r.rps:,.0f}/s), {r.errors} errors, {r.retries} retries; "
        f"p50 {r.overall.p50_ms:.1f} ms, p99 {r.overall.p99_ms:.1f} ms. "
        f"Ingested during the run: {run.ingested} new articles from {run.polls} polls of the "
        f"changing sources. CPU busy during the run: {run.busy:.0%} of {run.cpu_count} CPUs; "
        f"the test process (load clients, feed server) used {run.tester_cpu_seconds:.1f} CPU s.",
        "",
        r.table(),
        "",
        "| process | pid | CPU s¹ | samples | RSS first third MB | RSS last third MB | max MB "
        "| limit MB | flat |",
        "|---|--:|--:|--:|--:|--:|--:|--:|---|",
    ]
    for m in run.memory:
        lines.append(
            f"| {m.name} | {m.pid} | {m.cpu_seconds:.1f} | {m.samples} | {m.first_kb / MB:.1f} "
            f"| {m.last_kb / MB:.1f} | {m.max_kb / MB:.1f} | {m.limit_kb / MB:.1f} "
            f"| {'yes' if m.flat else 'NO'} |"
        )
    lines += [
        "",
        "¹ during the run, with the children it reaped (RQ's work horses);"
        " `scheduler` and `rq worker` are the long-lived processes, not the work horses.",
    ]
    return "\n".join(lines)


def check(run: LoadRun, service: Service) -> None:
    """Everything a run must show, each failure with the report and the processes' logs."""
    report = run.report
    context = f"{markdown(run, service)}\n{service.tails()}"
    assert report.requests > 0
    assert report.errors == 0, f"{report.error_examples}\n{context}"
    for kind in ("feed", "revalidate", "home", "category", "article", "readyz"):
        assert report.kinds[kind].requests > 0, f"no {kind} request was made\n{context}"
    # Revalidation works under load: the unchanging categories answer 304 to their own ETag.
    assert report.kinds["revalidate"].statuses.get(304, 0) > 0, context
    assert report.overall.p99_ms < P99_LIMIT_MS, context
    # The workers kept ingesting while the web was busy.
    assert run.ingested > 0, f"no article was ingested during the run\n{context}"
    # No process died or was replaced; gunicorn restarting a worker would hide a crash or leak.
    assert not run.exited, f"{run.exited} exited during the run\n{context}"
    for name, process in service.processes.items():
        assert process.poll() is None, f"{name} exited\n{context}"
    assert run.web_workers_after == run.web_workers_before, f"gunicorn replaced a worker\n{context}"
    assert len(run.web_workers_before) == 2
    for row in run.memory:
        assert row.samples >= 3, context
        assert row.flat, f"{row.name}'s memory grew\n{context}"


def _env_number(name: str, default: float) -> float:
    return float(os.environ.get(name) or default)


def _write_report(text: str) -> None:
    print("\n" + text)
    target = os.environ.get("LOAD_REPORT")
    if target:
        Path(target).write_text(text + "\n", encoding="utf-8")


# --- the tests ---------------------------------------------------------------------------------


@pytest.mark.timeout(180)
def test_load_briefly(tmp_path: Path, feed_server: FeedServer) -> None:
    """The soak test's path in ten seconds: same service, same mix, same checks."""
    with running_service(tmp_path, feed_server) as (service, changing):
        run = run_under_load(service, changing, clients=8, duration=10.0, sample_every=1.0)
        check(run, service)
        _write_report(markdown(run, service))


SOAK_SECONDS = _env_number("LOAD_SECONDS", 60.0)
SOAK_CLIENTS = int(_env_number("LOAD_CLIENTS", 16))  # saturates 2 CPUs (8 already nearly does)


@pytest.mark.slow
@pytest.mark.timeout(SOAK_SECONDS * 2 + 180)
def test_load_soak(tmp_path: Path, feed_server: FeedServer) -> None:
    """A minute (LOAD_SECONDS) of 16 clients (LOAD_CLIENTS) against the ingesting service."""
    duration, clients = SOAK_SECONDS, SOAK_CLIENTS
    with running_service(tmp_path, feed_server) as (service, changing):
        run = run_under_load(
            service, changing, clients=clients, duration=duration, sample_every=3.0
        )
        _write_report(markdown(run, service))
        check(run, service)
