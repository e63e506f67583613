"""Serving benchmark: our web app under gunicorn against a minimal Flask app serving the same bytes.

Both run under gunicorn exactly as `aggregator web` (the Procfile's web process) runs it
(aggregator/http_server.py: 2 gevent workers with its header and body deadlines, an access log).
Ours serves a fresh embedded Valkey holding 3 categories of 100 articles; the baseline
(bench/minimal_app.py) answers each path with the bytes and headers ours sent, from memory.
Measured, one after the other in the same run (A B A B ...):

- feed: GET /c/<slug>/feed.atom, identity coding, its rendering cached (the steady state);
- 304: the same GET with If-None-Match: <its ETag>;
- article: GET /a/<id>, our article page (rendered on every request).

The load comes from wrk (`--latency`) when it is installed, else from a Python thread pool; the
table says which. Every response of every run is checked in the servers' access logs.

    .venv/bin/python bench/serve.py [--duration 5] [--connections 16] [--rounds 5]
                                   [--quick] [--profile] [--python-load]
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import cProfile
import http.client
import json
import os
import platform
import pstats
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
RESULTS = BENCH / "results"
sys.path.insert(0, str(ROOT))  # for tests.support, when run as a script

from aggregator.config import (  # noqa: E402
    Category,
    Config,
    RetentionConfig,
    SiteConfig,
    SourceConfig,
)
from aggregator.http_server import gunicorn_command  # noqa: E402
from aggregator.models import Article  # noqa: E402
from aggregator.redis_server import EmbeddedServer, connect  # noqa: E402
from aggregator.store import Store  # noqa: E402
from aggregator.web.cache import SETTLED  # noqa: E402
from tests.support.web_server import make_article  # noqa: E402
from workers.scheduler import publish  # noqa: E402

ARTICLES_PER_CATEGORY = 100
WEB_WORKERS = 2  # `aggregator web`'s default, as the Procfile runs it
FEED_SLUG = "world"  # the category with CJK titles and content in half its articles
# Response headers that belong to the connection or the moment, not to the app's answer.
HOP_HEADERS = {"date", "server", "connection", "content-length", "transfer-encoding"}


class BenchError(Exception):
    """A server did not start or answered something else than it should; the message says what."""


# --- the data ------------------------------------------------------------------------------------


def bench_config(base_url: str) -> Config:
    """Three categories of two sources each (one source in two categories), like a real site."""
    categories = (
        Category("tech", "Technology", "Software & hardware news"),
        Category("world", "World 世界", "News from everywhere"),
        Category("science", "Science", "Research and discoveries"),
    )
    sources = (
        SourceConfig("hacker-blog", "Hacker Blog", "https://hacker.example/feed.xml", ("tech",),
                     900.0, site_url="https://hacker.example/"),
        SourceConfig("gadgets", "Gadgets Daily", "https://gadgets.example/rss", ("tech",), 900.0),
        SourceConfig("people-daily", "人民日报", "https://news.example.cn/rss.xml", ("world",),
                     900.0, language="zh-CN"),
        SourceConfig("wire", "Wire & Co", "https://wire.example/atom.xml", ("world", "science"),
                     900.0, site_url="https://wire.example/"),
        SourceConfig("lab-notes", "Lab Notes", "https://lab.example/feed", ("science",), 900.0),
    )  # fmt: skip
    return Config(
        site=SiteConfig(
            title="Bench Aggregator",
            base_url=base_url,
            description="Everything the bench sources publish",
            icon="https://static.example/icon.png",
        ),
        retention=RetentionConfig(max_per_source=1000, max_per_category=1000),
        categories=categories,
        sources=sources,
    )


def article_content(n: int) -> str:
    """About 3 KB of sanitized HTML: CJK paragraphs on odd n, English on even n."""
    if n % 2:
        paragraph = (
            f"<p>第{n}篇：北京时间今天上午，研究人员发布了新的报告，介绍了城市交通与能源的变化。"
            "专家认为，这些变化将在未来几年内影响数百万人的日常生活。</p>\n"
        )
    else:
        paragraph = (
            f"<p>Article {n} reports on the week's developments: a new release, a measured "
            'benchmark and <a href="https://example.org/more">a link to more</a>, with '
            "<em>emphasis</em> &amp; entities.</p>\n"
        )
    repeats = -(-3000 // len(paragraph.encode()))  # rounded up
    return paragraph * repeats


def store_articles(store: Store, config: Config, now: datetime) -> dict[str, list[Article]]:
    """ARTICLES_PER_CATEGORY articles per category, spread over the sources, via save_refresh."""
    by_source: dict[str, list[Article]] = {s.id: [] for s in config.sources}
    start = now.replace(microsecond=0) - timedelta(days=2)
    number = 0
    for category in config.categories:
        owners = [s for s in config.sources if category.slug in s.categories]
        for k in range(ARTICLES_PER_CATEGORY):
            number += 1
            source = owners[k % len(owners)]
            article = make_article(source, number, start + timedelta(minutes=number))
            by_source[source.id].append(replace(article, content=article_content(number)))
    for source_id, articles in by_source.items():
        store.save_refresh(store.get_state(source_id), articles, config.retention, now)
    return by_source


# --- the servers ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Gunicorn:
    """One gunicorn master with the settings `aggregator web` uses, in its own session."""

    def __init__(self, name: str, app: str, port: int, env: dict[str, str], log: Path) -> None:
        self.name = name
        self.app = app
        self.port = port
        self.env = env
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30) -> None:
        """Start it and wait until it answers HTTP."""
        command = gunicorn_command("127.0.0.1", self.port, WEB_WORKERS, self.app)
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise BenchError(f"{self.name} gunicorn exited; its log ends:\n{self.tail()}")
            with contextlib.suppress(OSError):
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                connection.request("GET", "/nonexistent-bench-probe")
                connection.getresponse().read()
                connection.close()
                return
            if time.monotonic() > deadline:
                raise BenchError(f"{self.name} gunicorn did not answer within {timeout:g} s")
            time.sleep(0.1)

    def tail(self, lines: int = 30) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def log_size(self) -> int:
        return self.log.stat().st_size

    def statuses_since(self, offset: int, path: str) -> Counter[str]:
        """Status codes of the access log lines for `path` written after byte `offset`."""
        with open(self.log, "rb") as f:
            f.seek(offset)
            text = f.read().decode(errors="replace")
        # Our access log's lines (aggregator/http_server.Logger, logfmt): "method=GET path=/x
        # status=200"; the path quoted when it holds a space, a quote or "=".
        quoted = re.escape(path) if re.fullmatch(r'[^\s"=]+', path) else re.escape(f'"{path}"')
        pattern = re.compile(rf"\bmethod=GET path={quoted} status=(\d{{3}})\b")
        return Counter(m.group(1) for m in pattern.finditer(text))

    def stop(self) -> None:
        """SIGTERM the master (it stops its workers), SIGKILL its group if it lingers."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.process = None


# --- the targets ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """One request to measure, and what every response to it must be."""

    name: str
    path: str
    headers: dict[str, str]
    status: int


@dataclass(frozen=True)
class Fetched:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


def fetch(base: str, path: str, headers: dict[str, str] | None = None) -> Fetched:
    """One GET without Accept-Encoding (as wrk sends it), over a fresh connection."""
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return Fetched(response.status, response.getheaders(), response.read())
    finally:
        connection.close()


def app_headers(fetched: Fetched) -> dict[str, str]:
    return {k: v for k, v in fetched.headers if k.lower() not in HOP_HEADERS}


def expect(fetched: Fetched, status: int, what: str, content_type: str = "") -> None:
    if fetched.status != status:
        raise BenchError(f"{what}: expected {status}, got {fetched.status}: {fetched.body[:300]!r}")
    got = dict((k.lower(), v) for k, v in fetched.headers).get("content-type", "")
    if content_type and not got.startswith(content_type):
        raise BenchError(f"{what}: expected content type {content_type}, got {got!r}")


def canned_routes(
    ours: str, feed_path: str, article_path: str
) -> tuple[list[Target], list[dict[str, Any]]]:
    """Fetch every target from ours once and check it; the targets and the baseline's routes."""
    feed = fetch(ours, feed_path)
    expect(feed, 200, f"our {feed_path}", "application/atom+xml")
    if b"<entry>" not in feed.body:
        raise BenchError(f"our {feed_path} has no entries")
    etag = app_headers(feed).get("ETag", "")
    if not etag:
        raise BenchError(f"our {feed_path} has no ETag")
    not_modified = fetch(ours, feed_path, {"If-None-Match": etag})
    expect(not_modified, 304, f"our {feed_path} with If-None-Match")
    article = fetch(ours, article_path)
    expect(article, 200, f"our {article_path}", "text/html")
    # A second fetch must give the same bytes: the baseline serves the first ones for both.
    for path, first in ((feed_path, feed), (article_path, article)):
        if fetch(ours, path).body != first.body:
            raise BenchError(f"our {path} changes between requests; it cannot be canned")
    targets = [
        Target("feed", feed_path, {}, 200),
        Target("304", feed_path, {"If-None-Match": etag}, 304),
        Target("article", article_path, {}, 200),
    ]
    routes = [
        {
            "path": feed_path,
            "body": base64.b64encode(feed.body).decode(),
            "headers": app_headers(feed),
            "etag": etag,
            "not_modified_headers": app_headers(not_modified),
        },
        {
            "path": article_path,
            "body": base64.b64encode(article.body).decode(),
            "headers": app_headers(article),
        },
    ]
    return targets, routes


def check_baseline(ours: str, baseline: str, targets: list[Target]) -> None:
    """The baseline answers every target with our status, body and content type."""
    for t in targets:
        a, b = fetch(ours, t.path, t.headers), fetch(baseline, t.path, t.headers)
        if (a.status, a.body) != (b.status, b.body):
            raise BenchError(
                f"{t.name}: the baseline answers {b.status} with {len(b.body)} bytes, "
                f"ours {a.status} with {len(a.body)} bytes"
            )
        ha, hb = app_headers(a), app_headers(b)
        if {k.lower(): v for k, v in ha.items()} != {k.lower(): v for k, v in hb.items()}:
            raise BenchError(f"{t.name}: headers differ:\nours     {ha}\nbaseline {hb}")


# --- the load ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Load:
    """One timed run of the load generator against one target of one server."""

    server: str
    target: str
    round: int  # 1-based; ours and the baseline run back to back in each round
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int  # socket errors, non-2xx/3xx answers, or (Python) failed requests
    statuses: dict[str, int]  # from the server's access log
    loadavg: float  # the machine's 1-minute load average when the run ended


# (requests, seconds, req/s, p50 ms, p99 ms, errors) of one run of a load generator.
Sample = tuple[int, float, float, float, float, int]

_WRK_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _wrk_ms(text: str) -> float:
    value = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if value is None:
        raise BenchError(f"wrk printed a latency I cannot read: {text!r}")
    return float(value.group(1)) * _WRK_UNITS[value.group(2)]


def run_wrk(url: str, target: Target, duration: float, connections: int) -> Sample:
    """(requests, seconds, rps, p50 ms, p99 ms, errors) of one wrk run."""
    command = ["wrk", "--latency", "-t2", f"-c{connections}", f"-d{duration:g}s"]
    for name, value in target.headers.items():
        command += ["-H", f"{name}: {value}"]
    done = subprocess.run(
        [*command, url + target.path], capture_output=True, text=True, timeout=duration + 60
    )
    out = done.stdout
    if done.returncode != 0:
        raise BenchError(f"wrk failed ({done.returncode}):\n{out}\n{done.stderr}")
    total = re.search(r"(\d+) requests in ([\d.]+)(ms|s|m),", out)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p50 = re.search(r"^\s+50%\s+(\S+)", out, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", out, re.M)
    if not (total and rps and p50 and p99):
        raise BenchError(f"cannot read wrk's output:\n{out}")
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    if bad := re.search(r"Non-2xx or 3xx responses: (\d+)", out):
        errors += int(bad.group(1))
    seconds = _wrk_ms(total.group(2) + total.group(3)) / 1000
    return (
        int(total.group(1)),
        seconds,
        float(rps.group(1)),
        _wrk_ms(p50.group(1)),
        _wrk_ms(p99.group(1)),
        errors,
    )


def run_python(url: str, target: Target, duration: float, connections: int) -> Sample:
    """The same as run_wrk with one thread per connection (http.client, reconnecting on close).

    Python's GIL makes this generator slower than wrk: it may be the bottleneck, not the server.
    """
    host, port = url.removeprefix("http://").split(":")
    latencies: list[list[float]] = [[] for _ in range(connections)]
    errors = [0] * connections
    stop_at = time.perf_counter() + duration

    def client(n: int) -> None:
        connection = http.client.HTTPConnection(host, int(port), timeout=30)
        while time.perf_counter() < stop_at:
            started = time.perf_counter()
            try:
                connection.request("GET", target.path, headers=target.headers)
                response = connection.getresponse()
                response.read()
                if response.status >= 400:
                    errors[n] += 1
                if response.will_close:
                    connection.close()
            except (OSError, http.client.HTTPException):
                errors[n] += 1
                connection.close()
                continue
            latencies[n].append((time.perf_counter() - started) * 1000)
        connection.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(connections)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - started
    every = sorted(x for per in latencies for x in per)
    if not every:
        raise BenchError(f"no request to {url}{target.path} succeeded")
    quantiles = statistics.quantiles(every, n=100)
    return len(every), seconds, len(every) / seconds, quantiles[49], quantiles[98], sum(errors)


def measure(
    server: Gunicorn,
    target: Target,
    duration: float,
    connections: int,
    use_wrk: bool,
    round_number: int = 0,
) -> Load:
    """One run, checked: every response the server logged for it has the target's status."""
    offset = server.log_size()
    run = run_wrk if use_wrk else run_python
    requests, seconds, rps, p50, p99, errors = run(server.url, target, duration, connections)
    time.sleep(0.3)  # gunicorn writes the access log line after the response
    statuses = server.statuses_since(offset, target.path)
    wrong = {s: n for s, n in statuses.items() if s != str(target.status)}
    if wrong or not statuses:
        raise BenchError(
            f"{server.name} {target.name}: expected only {target.status}s, "
            f"the access log has {dict(statuses)}"
        )
    return Load(
        server.name,
        target.name,
        round_number,
        requests,
        seconds,
        rps,
        p50,
        p99,
        errors,
        dict(statuses),
        os.getloadavg()[0],
    )


# --- a profile -----------------------------------------------------------------------------------


def profile_in_process(redis_url: str, targets: list[Target], requests: int = 2000) -> None:
    """cProfile our app on each target through Flask's test client (no gunicorn, no sockets)."""
    from aggregator.web import create_app

    client = create_app(redis_url=redis_url).test_client()
    for target in targets:
        for _ in range(20):  # warm: the feed's rendering is cached after the first
            client.get(target.path, headers=target.headers)
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        for _ in range(requests):
            client.get(target.path, headers=target.headers)
        profiler.disable()
        seconds = time.perf_counter() - started
        print(
            f"\n--- profile: {target.name}, {requests} requests in process: "
            f"{seconds / requests * 1e6:.0f} µs each (profiled) ---"
        )
        pstats.Stats(profiler).sort_stats("tottime").print_stats(15)


# --- reporting -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    target: str
    ours: Load  # the median run by req/s
    baseline: Load
    ratio: float  # the median, over rounds, of ours ÷ baseline req/s within the round
    ratios: tuple[float, ...]  # each round's


def row(target: str, runs: list[Load]) -> Row:
    """The medians of one target's runs; the ratio pairs the runs of each round, back to back.

    Pairing matters on a shared machine: the load of other processes drifts over a run, and a
    ratio of neighbours cancels most of it where a ratio of two medians would not.
    """
    ours = {r.round: r for r in runs if r.server == "ours"}
    baseline = {r.round: r for r in runs if r.server == "baseline"}
    ratios = tuple(ours[n].rps / baseline[n].rps for n in sorted(ours))
    return Row(
        target,
        median_load(list(ours.values())),
        median_load(list(baseline.values())),
        statistics.median(ratios),
        ratios,
    )


def median_load(runs: list[Load]) -> Load:
    """The run of median req/s (the middle one of three), with the median p50 and p99."""
    middle = sorted(runs, key=lambda r: r.rps)[len(runs) // 2]
    return replace(
        middle,
        p50_ms=statistics.median(r.p50_ms for r in runs),
        p99_ms=statistics.median(r.p99_ms for r in runs),
    )


AIMS = {"feed": 0.8, "304": 1.0}

ROW_NAMES = {
    "feed": "category Atom feed (cached)",
    "304": "304 revalidation",
    "article": "article page",
}


def markdown(rows: list[Row]) -> str:
    lines = [
        "| target | ours req/s | ours p99 ms | baseline req/s | baseline p99 ms | ours ÷ baseline "
        "| per round | aim |",
        "|---|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for r in rows:
        aim = AIMS.get(r.target)
        verdict = f"≥ {aim:g}: {'met' if r.ratio >= aim else 'missed'}" if aim else "—"
        lines.append(
            f"| {ROW_NAMES[r.target]} | {r.ours.rps:,.0f} | {r.ours.p99_ms:.1f} "
            f"| {r.baseline.rps:,.0f} | {r.baseline.p99_ms:.1f} | {r.ratio:.2f} "
            f"| {' '.join(f'{x:.2f}' for x in r.ratios)} | {verdict} |"
        )
    return "\n".join(lines)


def machine() -> dict[str, object]:
    return {
        "nproc": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "loadavg_at_start": os.getloadavg(),
    }


# --- main ----------------------------------------------------------------------------------------


def _interrupted(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per run (5)")
    parser.add_argument("--connections", type=int, default=16, help="concurrent connections (16)")
    parser.add_argument("--rounds", type=int, default=5, help="runs per server and target (5)")
    parser.add_argument("--quick", action="store_true", help="one round of 3 s: a smoke run")
    parser.add_argument("--python-load", action="store_true", help="use the Python load generator")
    parser.add_argument(
        "--profile", action="store_true", help="also cProfile our app in process per target"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.duration, args.rounds = 3.0, 1
    if args.duration <= 0 or args.connections < 1 or args.rounds < 1:
        parser.error("--duration, --connections and --rounds must be positive")
    use_wrk = not args.python_load and shutil.which("wrk") is not None
    generator = (
        f"wrk --latency -t2 -c{args.connections} -d{args.duration:g}s"
        if use_wrk
        else f"Python http.client, {args.connections} threads, {args.duration:g} s"
    )

    signal.signal(signal.SIGTERM, _interrupted)
    info = machine()
    tmp = Path(tempfile.mkdtemp(prefix="bench-serve-"))
    valkey = EmbeddedServer(tmp / "valkey")
    servers: list[Gunicorn] = []
    try:
        redis_url = valkey.start()
        store = Store(connect(redis_url))
        port = free_port()
        config = bench_config(f"http://127.0.0.1:{port}")
        publish(store, config)  # the web reads it from Redis, as when the scheduler runs
        stored = store_articles(store, config, datetime.now(UTC))
        # The load comes from one address: no per-client limit on renders.
        env = {**os.environ, "REDIS_URL": redis_url, "WEB_RENDERS_PER_CLIENT": "0"}
        # No config file: the published config is what the web serves. A bogus path makes sure
        # it never reads one by accident.
        env["AGGREGATOR_CONFIG"] = str(tmp / "no-such-aggregator.toml")
        ours = Gunicorn("ours", "aggregator.web:create_app()", port, env, tmp / "ours.log")
        servers.append(ours)
        ours.start()

        article = stored["people-daily"][-1]  # CJK title and content, related articles
        feed_path = f"/c/{FEED_SLUG}/feed.atom"
        # A feed's Last-Modified moves to the second after its last change once that change has
        # settled (aggregator/web/cache.py): captured before, the baseline's differed from ours.
        time.sleep(SETTLED.total_seconds() + 1)
        targets, routes = canned_routes(ours.url, feed_path, f"/a/{article.id}")
        data = tmp / "minimal.json"
        data.write_text(json.dumps({"routes": routes}))
        baseline_env = {
            **env,
            "BENCH_MINIMAL_DATA": str(data),
            "PYTHONPATH": os.pathsep.join(filter(None, [str(BENCH), env.get("PYTHONPATH")])),
        }
        baseline = Gunicorn(
            "baseline", "minimal_app:create_app()", free_port(), baseline_env, tmp / "base.log"
        )
        servers.append(baseline)
        baseline.start()
        check_baseline(ours.url, baseline.url, targets)

        sizes = {t.name: len(fetch(ours.url, t.path, t.headers).body) for t in targets}
        print(
            f"{info['nproc']} CPUs, Python {info['python']}, load {info['loadavg_at_start']}; "
            f"load generator: {generator}; {args.rounds} rounds\n"
            f"targets: {', '.join(f'{t.name} {t.path} ({sizes[t.name]} bytes)' for t in targets)}",
            flush=True,
        )
        for server in (ours, baseline):  # warm both: imports, templates, the feed's rendering
            for target in targets:
                measure(server, target, min(2.0, args.duration), args.connections, use_wrk)

        runs: list[Load] = []
        for n in range(args.rounds):
            for target in targets:
                # A B, then B A next round: neither server always runs right after the other.
                order = (ours, baseline) if n % 2 == 0 else (baseline, ours)
                for server in order:
                    load = measure(server, target, args.duration, args.connections, use_wrk, n + 1)
                    runs.append(load)
                    print(
                        f"[{n + 1}/{args.rounds}] {load.server:8} {load.target:7} "
                        f"{load.rps:8,.0f} req/s  p50 {load.p50_ms:6.2f} ms  "
                        f"p99 {load.p99_ms:6.2f} ms  errors {load.errors}  "
                        f"load {load.loadavg:.1f}",
                        flush=True,
                    )
        if args.profile:
            profile_in_process(redis_url, targets)
    finally:
        for server in reversed(servers):
            server.stop()
        valkey.stop()
        shutil.rmtree(tmp, ignore_errors=True)

    rows = [row(t.name, [r for r in runs if r.target == t.name]) for t in targets]
    table = markdown(rows)
    notes = [
        f"warning: {r.server} {r.target}: {r.errors} errors in {r.requests} requests"
        for r in runs
        if r.errors
    ]
    by_target = {r.target: r for r in rows}
    # The other reading of the 304 aim: is a revalidation at least as cheap as a full answer?
    notes.append(
        f"note: our 304 ÷ the baseline's 200 feed: "
        f"{by_target['304'].ours.rps / by_target['feed'].baseline.rps:.2f}"
    )
    print(f"\nload generator: {generator}; median of {args.rounds} rounds\n")
    print(table)
    if notes:
        print("\n" + "\n".join(notes))

    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out = RESULTS / f"serve-{stamp}.json"
    out.write_text(
        json.dumps(
            {
                "date": datetime.now(UTC).isoformat(timespec="seconds"),
                "command": " ".join(["bench/serve.py", *(argv or sys.argv[1:])]),
                "machine": info,
                "load_generator": generator,
                "gunicorn": f"{WEB_WORKERS} gevent workers, access log (as `aggregator web`)",
                "targets": [asdict(t) | {"bytes": sizes[t.name]} for t in targets],
                "median": [
                    {
                        "target": r.target,
                        "ours": asdict(r.ours),
                        "baseline": asdict(r.baseline),
                        "ratio": r.ratio,
                    }
                    for r in rows
                ],
                "runs": [asdict(r) for r in runs],
                "table": table,
                "notes": notes,
            },
            indent=2,
        )
    )
    print(f"\nresults: {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
