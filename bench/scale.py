"""Scale benchmark: N loopback sources polled at a short interval under `aggregator run`.

A feed server of its own (asyncio, in a separate process) serves N feeds from many loopback hosts
(127.0.0.1 … 127.0.0.H, one port), with strong ETags: each interval a different 10% of the feeds
gets a new item, the others answer 304. The real supervisor runs the service (embedded Valkey,
the scheduler, `--workers` RQ workers, the web app) on a config of N sources polled every
`--interval` seconds. Once every source has been fetched once, the bench measures for
`--measure` seconds:

- scheduler lag: `Store.scheduler_lag` (what /metrics reports) sampled twice a second, also
  over the second half of the window alone (warm-up leaves a backlog, which takes a while to
  drain even when the service keeps up);
- poll gaps: the time between two polls of one source (from its fetch history) against its
  interval (the config's jitter adds up to 10%);
- polls/s, errors, and CPU per poll: the CPU time of the service's processes (supervisor and all
  its descendants, Valkey included, from /proc) over the polls that started in the window;

and then, with the service still polling: one `/metrics` scrape (5 times: median and slowest)
and `aggregator sources`, `aggregator sources --json` (time to the first byte, total time, peak
memory). Loopback only; it stops by itself after warm-up (bounded) + measure.

    .venv/bin/python bench/scale.py                      # N = 10,000, 60 s interval, 2 workers
    .venv/bin/python bench/scale.py --sources 2000 --measure 60
    .venv/bin/python bench/scale.py --code /tmp/parent   # the service from another checkout
    .venv/bin/python bench/scale.py --fetch 'batch_size = 50'   # a [fetch] setting (repeatable)

`--code DIR` runs the service and the CLI from another checkout of this repository (e.g. a
`git archive` of the parent commit), for before/after numbers on one machine.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import multiprocessing
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from email.utils import formatdate
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT))

from redis import exceptions as redis_errors  # noqa: E402

from aggregator.redis_server import EmbeddedServer, connect  # noqa: E402
from aggregator.store import Store  # noqa: E402

CHANGING = 10  # one feed in CHANGING gets a new item each interval
ITEMS = 10

# --- the feed server ----------------------------------------------------------------------------


def feed_version(index: int, now: float, interval: float) -> int:
    """Feed `index`'s version: it grows every CHANGING intervals, a different tenth each time."""
    return (int(now // interval) + CHANGING - index % CHANGING) // CHANGING


def feed_body(index: int, version: int, interval: float) -> bytes:
    items = []
    for k in range(ITEMS):
        n = version - k
        when = formatdate(1_700_000_000 + n * interval * CHANGING, usegmt=True)
        items.append(
            f"<item><guid>https://feeds.example/{index}/{n}</guid><title>Story {n} of feed "
            f"{index}</title><link>https://feeds.example/{index}/{n}</link><pubDate>{when}"
            f"</pubDate><description>&lt;p&gt;Paragraph {n} of feed {index}, long enough to be "
            f"a summary of something that happened somewhere.&lt;/p&gt;</description></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Feed {index}</title><link>https://feeds.example/{index}/</link>"
        f"{''.join(items)}</channel></rss>"
    ).encode()


def serve_feeds(hosts: Sequence[str], port: int, interval: float) -> None:
    """HTTP/1.1 with keep-alive on every host; GET /feed/<index>.xml; runs until killed."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.split(b"\r\n")
                target = lines[0].split(b" ")[1]
                if_none_match = None
                for line in lines[1:]:
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"if-none-match":
                        if_none_match = value.strip()
                try:
                    index = int(target.rsplit(b"/", 1)[1].split(b".")[0])
                except ValueError:
                    writer.write(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
                    await writer.drain()
                    continue
                version = feed_version(index, time.time(), interval)
                etag = b'"%d-%d"' % (index, version)
                if if_none_match == etag:
                    writer.write(b"HTTP/1.1 304 Not Modified\r\nETag: " + etag + b"\r\n\r\n")
                else:
                    body = feed_body(index, version, interval)
                    writer.write(
                        b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nETag: "
                        + etag
                        + b"\r\nContent-Length: %d\r\n\r\n" % len(body)
                        + body
                    )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, IndexError):
            pass
        finally:
            writer.close()

    async def main() -> None:
        server = await asyncio.start_server(handle, host=list(hosts), port=port, backlog=1024)
        async with server:
            await server.serve_forever()

    asyncio.run(main())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --- the service --------------------------------------------------------------------------------


def write_config(
    path: Path,
    n: int,
    hosts: Sequence[str],
    port: int,
    interval: float,
    fetch: Sequence[str] = (),
) -> None:
    """The service's config; `fetch`: more `[fetch]` lines (`key = value`)."""
    lines = [
        '[site]\ntitle = "Scale"\nbase_url = "http://127.0.0.1:8000"\n',
        f"[fetch]\nallow_private_networks = true\ninterval = {interval}\n"
        f"min_interval = {min(interval, 300)}\n",
        *(f"{line}\n" for line in fetch),
    ]
    lines += [f'[[categories]]\nslug = "c{c}"\n' for c in range(10)]
    for i in range(n):
        host = hosts[i % len(hosts)]
        lines.append(
            f'[[sources]]\nid = "s{i:05d}"\nname = "Feed {i}"\n'
            f'url = "http://{host}:{port}/feed/{i}.xml"\ncategories = ["c{i % 10}"]\n'
        )
    path.write_text("".join(lines), encoding="utf-8")


def process_tree(root: int) -> dict[int, tuple[int, str, float]]:
    """pid -> (parent, command name, CPU seconds incl. reaped children) for `root` and below."""
    ticks = os.sysconf("SC_CLK_TCK")
    table: dict[int, tuple[int, str, float]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        cpu = sum(int(x) for x in fields[11:15]) / ticks  # utime stime cutime cstime
        table[int(entry)] = (int(fields[1]), cmdline, cpu)
    keep = {root}
    grew = True
    while grew:
        grew = False
        for pid, (parent, _, _) in table.items():
            if parent in keep and pid not in keep:
                keep.add(pid)
                grew = True
    return {pid: table[pid] for pid in keep if pid in table}


def role(cmdline: str) -> str:
    """Which of the service's processes a command line is."""
    for marker, name in (
        ("valkey", "valkey"),
        ("redis-server", "valkey"),
        ("aggregator.cli run", "supervisor"),
        ("aggregator.cli worker", "worker"),
        ("aggregator.cli scheduler", "scheduler"),
    ):
        if marker in cmdline:
            return name
    return "web"  # `aggregator web` and its gunicorn workers


def cpu_by_role(root: int) -> dict[str, float]:
    out: Counter[str] = Counter()
    for _, cmdline, cpu in process_tree(root).values():
        out[role(cmdline)] += cpu
    return dict(out)


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def timed_command(argv: list[str], env: dict[str, str], cwd: Path) -> dict[str, float]:
    """Run a command, reading its output: seconds to the first byte and in all, its CPU seconds,
    peak RSS and output size."""
    started = time.monotonic()
    child = subprocess.Popen(argv, env=env, cwd=cwd, stdout=subprocess.PIPE)
    assert child.stdout is not None
    first = child.stdout.read(1)
    first_at = time.monotonic() - started
    size = len(first)
    while chunk := child.stdout.read(1 << 16):
        size += len(chunk)
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    return {
        "first_byte_s": round(first_at, 3),
        "total_s": round(time.monotonic() - started, 3),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 3),
        "peak_rss_mib": round(usage.ru_maxrss / 1024, 1),
        "bytes": size,
        "exit": child.returncode,
    }


def scrape_seconds(port: int, times: int = 5) -> list[float]:
    out = []
    for _ in range(times):
        started = time.monotonic()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=60) as answer:
            answer.read()
        out.append(time.monotonic() - started)
    return out


@dataclass
class Result:
    sources: int
    hosts: int
    interval: float
    workers: int
    code: str
    warmup_s: float
    measured_s: float
    polls: int
    polls_per_s: float
    errors: int
    outcomes: dict[str, int]
    lag_p50_s: float
    lag_p95_s: float
    lag_max_s: float
    lag_p95_second_half_s: float  # after warm-up's backlog has had half the window to drain
    gap_p50_s: float
    gap_p95_s: float
    gap_max_s: float
    gaps_over_1_5x: int
    gaps: int
    cpu_ms_per_poll: float
    cpu_cores: float
    cpu_by_role_s: dict[str, float]
    metrics_scrape_ms_median: float
    metrics_scrape_ms_max: float
    metrics_scrape_cpu_ms: float  # of the web processes, which serve nothing else meanwhile
    sources_cli: dict[str, float]
    sources_json_cli: dict[str, float]
    fetch: list[str]  # the [fetch] settings given with --fetch
    load_average: list[float]  # the machine's 1-minute load average as measuring began, ended


def run(args: argparse.Namespace) -> Result:
    code = Path(args.code).resolve() if args.code else ROOT
    hosts = [f"127.0.0.{h}" for h in range(1, args.hosts + 1)]
    feed_port, web_port = free_port(), free_port()
    work = Path(tempfile.mkdtemp(prefix="scale-"))
    config = work / "aggregator.toml"
    write_config(config, args.sources, hosts, feed_port, args.interval, args.fetch)

    feeds = multiprocessing.Process(
        target=serve_feeds, args=(hosts, feed_port, args.interval), daemon=True
    )
    feeds.start()
    env = {
        **os.environ,
        "AGGREGATOR_CONFIG": str(config),
        "AGGREGATOR_DATA_DIR": str(work / "var"),
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(code),
    }
    env.pop("REDIS_URL", None)
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    me = [sys.executable, "-m", "aggregator.cli"]
    service = subprocess.Popen(
        [*me, "run", "--workers", str(args.workers), "--port", str(web_port)],
        env=env,
        cwd=code,
        stdout=subprocess.DEVNULL,
        stderr=open(work / "service.log", "wb"),  # noqa: SIM115 - closed with the process
        start_new_session=True,
    )
    try:
        url = EmbeddedServer(work / "var").url
        deadline = time.monotonic() + 60
        while True:
            try:
                store = Store(connect(url))
                store.redis.ping()
                break
            except redis_errors.ConnectionError as error:  # not up yet
                if time.monotonic() > deadline or service.poll() is not None:
                    log = work / "service.log"
                    raise SystemExit(f"the service did not start; see {log}") from error
                time.sleep(0.5)
        ids = [f"s{i:05d}" for i in range(args.sources)]
        state_keys = [f"agg:state:{i}" for i in ids]
        started = time.monotonic()
        warm_deadline = started + args.warmup_limit
        while store.redis.exists(*state_keys) < len(ids):  # every source fetched once
            if time.monotonic() > warm_deadline:
                raise SystemExit(f"warm-up took more than {args.warmup_limit:.0f}s")
            time.sleep(2)
        warmup = time.monotonic() - started
        print(f"warm: every source fetched once after {warmup:.0f}s", flush=True)

        cpu_before = cpu_by_role(service.pid)
        load = [os.getloadavg()[0]]
        t0 = time.time()
        lags = []
        end = time.monotonic() + args.measure
        while time.monotonic() < end:
            lags.append(store.scheduler_lag(time.time()))
            time.sleep(0.5)
        t1 = time.time()
        cpu_after = cpu_by_role(service.pid)
        load.append(os.getloadavg()[0])

        web_cpu = cpu_by_role(service.pid).get("web", 0.0)
        scrapes = scrape_seconds(web_port)
        scrape_cpu = (cpu_by_role(service.pid).get("web", 0.0) - web_cpu) / len(scrapes)
        cli_env = {**env, "REDIS_URL": url, "COLUMNS": "120"}
        sources_table = timed_command([*me, "sources"], cli_env, code)
        sources_json = timed_command([*me, "sources", "--json"], cli_env, code)
        histories = read_histories(store, ids)
    finally:
        os.killpg(service.pid, signal.SIGTERM)
        try:
            service.wait(90)
        except subprocess.TimeoutExpired:
            os.killpg(service.pid, signal.SIGKILL)
            service.wait()
        feeds.kill()
        feeds.join()
    shutil.rmtree(work)  # kept when the run failed: its service.log says why

    polls = [(at, outcome) for rows in histories for at, outcome in rows if t0 <= at <= t1]
    gaps = [
        later - earlier
        for rows in histories
        for (later, _), (earlier, _) in itertools.pairwise(rows)
        if t0 <= later <= t1
    ]
    outcomes = Counter(outcome for _, outcome in polls)
    cpu = {k: round(cpu_after.get(k, 0.0) - cpu_before.get(k, 0.0), 2) for k in cpu_after}
    cpu_total = sum(cpu.values())
    measured = t1 - t0
    return Result(
        sources=args.sources,
        hosts=args.hosts,
        interval=args.interval,
        workers=args.workers,
        code=str(code),
        warmup_s=round(warmup, 1),
        measured_s=round(measured, 1),
        polls=len(polls),
        polls_per_s=round(len(polls) / measured, 1),
        errors=sum(n for o, n in outcomes.items() if o not in ("ok", "not-modified", "unchanged")),
        outcomes=dict(outcomes),
        lag_p50_s=round(percentile(lags, 0.5), 2),
        lag_p95_s=round(percentile(lags, 0.95), 2),
        lag_max_s=round(max(lags, default=0.0), 2),
        lag_p95_second_half_s=round(percentile(lags[len(lags) // 2 :], 0.95), 2),
        gap_p50_s=round(percentile(gaps, 0.5), 1),
        gap_p95_s=round(percentile(gaps, 0.95), 1),
        gap_max_s=round(max(gaps, default=0.0), 1),
        gaps_over_1_5x=sum(1 for g in gaps if g > 1.5 * args.interval),
        gaps=len(gaps),
        cpu_ms_per_poll=round(1000 * cpu_total / max(1, len(polls)), 2),
        cpu_cores=round(cpu_total / measured, 2),
        cpu_by_role_s=cpu,
        metrics_scrape_ms_median=round(1000 * statistics.median(scrapes), 1),
        metrics_scrape_ms_max=round(1000 * max(scrapes), 1),
        metrics_scrape_cpu_ms=round(1000 * scrape_cpu, 1),
        sources_cli=sources_table,
        sources_json_cli=sources_json,
        fetch=list(args.fetch),
        load_average=[round(x, 1) for x in load],
    )


def read_histories(store: Store, ids: Sequence[str]) -> list[list[tuple[float, str]]]:
    """Each source's polls as (start epoch, outcome), newest first, 1,000 sources a round trip."""
    out = []
    for start in range(0, len(ids), 1000):
        pipe = store.redis.pipeline(transaction=False)
        for source_id in ids[start : start + 1000]:
            pipe.lrange(f"agg:history:{source_id}", 0, -1)
        for rows in pipe.execute():
            polls = []
            for raw in rows:
                doc = json.loads(raw)
                polls.append((datetime.fromisoformat(doc["at"]).timestamp(), doc["outcome"]))
            out.append(polls)
    return out


def table(r: Result) -> str:
    """A Markdown table of one run, for docs/benchmarks.md."""
    cli, js = r.sources_cli, r.sources_json_cli
    outcomes = ", ".join(f"{k}: {v:,}" for k, v in sorted(r.outcomes.items()))
    by_role = ", ".join(f"{k} {v}" for k, v in sorted(r.cpu_by_role_s.items()))
    over = f"{r.gaps_over_1_5x:,} of {r.gaps:,} over 1.5× the interval"
    rows = [
        (
            "sources / hosts / interval / workers",
            f"{r.sources:,} / {r.hosts} / {r.interval:.0f} s / {r.workers}",
        ),
        ("[fetch] settings given", ", ".join(r.fetch) or "none (defaults)"),
        ("load average (1 min) as measuring began / ended", " / ".join(map(str, r.load_average))),
        ("warm-up (every source fetched once)", f"{r.warmup_s:.0f} s"),
        ("measured", f"{r.measured_s:.0f} s, {r.polls:,} polls, {r.polls_per_s} polls/s"),
        ("errors", f"{r.errors} ({outcomes})"),
        ("scheduler lag p50 / p95 / max", f"{r.lag_p50_s} / {r.lag_p95_s} / {r.lag_max_s} s"),
        ("scheduler lag p95, second half of the window", f"{r.lag_p95_second_half_s} s"),
        ("poll gap p50 / p95 / max", f"{r.gap_p50_s} / {r.gap_p95_s} / {r.gap_max_s} s ({over})"),
        ("CPU per poll (service, Valkey included)", f"{r.cpu_ms_per_poll} ms, {r.cpu_cores} cores"),
        ("CPU by process (s)", by_role),
        (
            "one /metrics scrape: median / max of 5; web CPU",
            f"{r.metrics_scrape_ms_median} / {r.metrics_scrape_ms_max} ms;"
            f" {r.metrics_scrape_cpu_ms} ms",
        ),
        ("`aggregator sources`: first byte / total / CPU / peak RSS", _cli_cell(cli)),
        ("`aggregator sources --json`: first byte / total / CPU / peak RSS", _cli_cell(js)),
    ]
    return "\n".join(["| | |", "|---|---|", *(f"| {k} | {v} |" for k, v in rows)])


def _cli_cell(run: dict[str, float]) -> str:
    return (
        f"{run['first_byte_s']} s / {run['total_s']} s / {run['cpu_s']} s"
        f" / {run['peak_rss_mib']} MiB"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sources", type=int, default=10_000)
    parser.add_argument("--hosts", type=int, default=100, help="loopback hosts (127.0.0.1…)")
    parser.add_argument("--interval", type=float, default=60.0, help="seconds between polls")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--measure", type=float, default=120.0, help="seconds measured")
    parser.add_argument("--warmup-limit", type=float, default=300.0)
    parser.add_argument("--code", help="run the service from this checkout instead")
    parser.add_argument(
        "--fetch",
        action="append",
        default=[],
        metavar="'KEY = VALUE'",
        help="a [fetch] setting for the service, e.g. --fetch 'batch_size = 50' (repeatable)",
    )
    args = parser.parse_args(argv)
    result = run(args)
    print(table(result))
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (RESULTS / f"scale-{stamp}.json").write_text(json.dumps(asdict(result), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
