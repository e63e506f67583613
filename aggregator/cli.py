"""The `aggregator` command: run everything, or one process of it, and operate it."""

from __future__ import annotations

import argparse
import ipaddress
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import unicodedata
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import urlsplit

from aggregator import logs
from aggregator.config import Config, load_config
from aggregator.errors import ConfigError
from aggregator.models import RefreshResult
from aggregator.redis_server import EmbeddedServer, connect
from aggregator.store import Store


def data_dir() -> Path:
    """Where the embedded server keeps its data (AGGREGATOR_DATA_DIR, default ./var)."""
    return Path(os.environ.get("AGGREGATOR_DATA_DIR", "var")).resolve()


def redis_url() -> str:
    """REDIS_URL when set; otherwise the embedded server's socket in the data dir."""
    return os.environ.get("REDIS_URL") or EmbeddedServer(data_dir()).url


def _config(args: argparse.Namespace) -> Config:
    return load_config(args.config)


# --- run: the whole service in one terminal --------------------------------------------------


class Supervisor:
    """Starts the service's processes, restarts one that dies, and stops them in order."""

    def __init__(self, commands: dict[str, list[str]], env: dict[str, str]) -> None:
        self.commands = commands
        self.env = env
        self.children: dict[str, subprocess.Popen[bytes]] = {}
        self.restarts: dict[str, list[float]] = {}

    def start(self, name: str) -> None:
        # Own session: a terminal's Ctrl-C reaches only us, so we can stop children in order.
        self.children[name] = subprocess.Popen(
            self.commands[name], env=self.env, start_new_session=True
        )

    def check(self) -> None:
        """Restart a child that exited; give up on one that fails 5 times in a minute."""
        for name, child in list(self.children.items()):
            if child.poll() is None:
                continue
            if child.returncode == 0:  # a worker retiring after --max-jobs: routine
                self.start(name)
                continue
            recent = [t for t in self.restarts.get(name, []) if time.monotonic() - t < 60]
            if len(recent) >= 5:
                raise SystemExit(f"{name} keeps exiting (code {child.returncode}); giving up")
            print(f"aggregator: {name} exited with {child.returncode}; restarting", flush=True)
            self.restarts[name] = [*recent, time.monotonic()]
            self.start(name)

    def stop(self, names: Sequence[str], timeout: float = 20.0) -> None:
        """SIGTERM the named children (warm shutdown) and wait; SIGKILL what does not exit."""
        for name in names:
            child = self.children.get(name)
            if child and child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for name in names:
            child = self.children.get(name)
            if child is None:
                continue
            try:
                child.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()


def cmd_run(args: argparse.Namespace) -> int:
    config = _config(args)
    env = dict(os.environ)
    server = None
    if not env.get("REDIS_URL"):
        server = EmbeddedServer(data_dir())
        env["REDIS_URL"] = server.start()
        print(f"aggregator: embedded Redis-compatible server at {env['REDIS_URL']}", flush=True)
    env["AGGREGATOR_CONFIG"] = str(Path(config.path).resolve())
    # Every child (and each work horse RQ forks) writes its counters here, for /metrics to sum.
    # Counts of a previous run's processes are cleared: they would be added to this run's.
    from aggregator.metrics import MULTIPROC_ENV, prepare_multiproc_dir

    env[MULTIPROC_ENV] = prepare_multiproc_dir(env.get(MULTIPROC_ENV) or data_dir() / "metrics")
    me = [sys.executable, "-m", "aggregator.cli"]
    commands = {"scheduler": [*me, "scheduler"]}
    for n in range(args.workers):
        commands[f"worker-{n + 1}"] = [*me, "worker"]
    commands["web"] = [*me, "web", "--host", args.host, "--port", str(args.port)]
    supervisor = Supervisor(commands, env)
    stopping = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        for name in commands:
            supervisor.start(name)
        print(f"aggregator: serving {config.site.title} on http://{args.host}:{args.port}/")
        print("aggregator: Ctrl-C stops everything", flush=True)
        while not stopping.wait(1.0):
            supervisor.check()
    finally:
        # Stop making work first, then stop serving, then let workers finish their jobs,
        # and only then the server they all write to.
        supervisor.stop(["scheduler"])
        supervisor.stop(["web"])
        supervisor.stop([n for n in commands if n.startswith("worker")], timeout=60)
        if server:
            server.stop()
        print("aggregator: stopped", flush=True)
    return 0


# --- the single processes (what the Procfile runs) -------------------------------------------


def cmd_worker(args: argparse.Namespace) -> int:
    from rq import Queue

    from workers import jobs
    from workers.scheduler import QUEUE_NAME

    connection = connect(redis_url())
    store = Store(connection)
    _wait_for_config(store)
    jobs.warm_up(connection)
    queue = Queue(QUEUE_NAME, connection=connection)
    # A short maintenance interval: a job whose worker died is cleaned up within a minute,
    # not RQ's default ten (DESIGN.md §4). Sources come back sooner still, by their lease.
    # An idle RQ worker heartbeats once per dequeue timeout (worker_ttl - 15 s): a short TTL
    # keeps its heartbeat fresh enough for /readyz (READY_HEARTBEAT_SECONDS, default 60).
    heartbeat = float(os.environ.get("WORKER_HEARTBEAT_SECONDS", "20"))
    # SimpleWorker runs jobs in this process instead of forking a work horse per job. RQ's fork
    # cost more than a batch of 304 polls (bench/ingest.py: 95–195 ms against ~45 ms per batch
    # of 20), and a fresh horse loses the HTTP connection pool and leaves one metrics file per
    # job. Jobs are bounded (size caps, deadlines, job timeout), and the worker exits after
    # --max-jobs to bound whatever a long life accumulates; `run` restarts it, and a crash
    # mid-job loses nothing: the sources' leases run out and they are claimed again.
    # RefreshWorker is a SimpleWorker that waits out a Redis outage in the middle of a job.
    worker = jobs.RefreshWorker(
        [queue],
        connection=connection,
        maintenance_interval=30,
        worker_ttl=int(max(1.0, heartbeat)) + 15,
    )
    # logs.configure gave the root logger our handler, so RQ adds none of its own and its
    # lines come out in our format too; with_scheduler is off because ours schedules.
    worker.work(
        burst=args.burst,
        max_jobs=args.max_jobs or None,
        logging_level=os.environ.get("LOG_LEVEL", "INFO").upper(),
        with_scheduler=False,
    )
    return 0


def _wait_for_config(store: Store, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while store.published_config() is None:
        if time.monotonic() > deadline:
            raise SystemExit("no configuration in Redis: start `aggregator scheduler` first")
        time.sleep(0.5)


def cmd_scheduler(args: argparse.Namespace) -> int:
    from workers import scheduler

    config = _config(args)  # fail fast, before connecting
    store = Store(connect(redis_url()))
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda signum, frame: stop.set())
    try:
        scheduler.run(store, config.path, interval=args.interval, stop=stop)
    except KeyboardInterrupt:
        stop.set()
    return 0


def cmd_web(args: argparse.Namespace) -> int:
    _config(args)  # fail fast with the config's problems, not a gunicorn traceback
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--bind",
        f"{args.host}:{args.port}",
        "--workers",
        str(args.workers),
        "--access-logfile",
        "-",
        "aggregator.web:create_app()",
    ]
    os.execv(sys.executable, command)  # noqa: S606 - replace ourselves with gunicorn


def cmd_redis(args: argparse.Namespace) -> int:
    server = EmbeddedServer(data_dir())
    print(f"aggregator: Redis-compatible server at {server.start()}; Ctrl-C stops it", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda signum, frame: stop.set())
    try:
        while not stop.wait(1.0):
            if not server.running:
                return 1
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


# --- operating it -----------------------------------------------------------------------------


def cmd_check_config(args: argparse.Namespace) -> int:
    from aggregator.config import summary

    config = _config(args)
    print(summary(config))
    warnings = config_warnings(config)
    if warnings:
        print(f"\n{len(warnings)} warning(s):")
        for warning in warnings:
            print(f"  - {warning}")
    return 0


def config_warnings(config: Config) -> list[str]:
    """Things in a valid config that are probably mistakes, each with its place."""
    warnings = []
    seen_urls: dict[str, int] = {}
    seen_names: dict[str, int] = {}
    for i, source in enumerate(config.sources):
        place = f"sources[{i}] ({source.id})"
        parts = urlsplit(source.url)
        host = (parts.hostname or "").lower()
        if parts.username or parts.password:
            warnings.append(
                f"{place}.url: holds a user name or password; it is sent on every redirect"
                " and shown on the admin pages"
            )
        if parts.fragment:
            warnings.append(f"{place}.url: the #{parts.fragment} part is never sent to the server")
        if not config.fetch.allow_private_networks and _private_host(host):
            warnings.append(
                f"{place}.url: {host} is a local or private address; it is refused unless"
                " fetch.allow_private_networks = true"
            )
        # The config already refuses the same URL twice; these differ only in ways that
        # rarely name two different feeds.
        loose = host.removeprefix("www.") + ":" + str(parts.port or "") + parts.path.rstrip("/")
        loose += "?" + parts.query if parts.query else ""
        if loose in seen_urls:
            other = seen_urls[loose]
            warnings.append(
                f"{place}.url: probably the same feed as sources[{other}]"
                f" ({config.sources[other].url}); list it once with several categories"
            )
        else:
            seen_urls[loose] = i
        name = source.name.casefold()
        if name in seen_names:
            warnings.append(
                f"{place}.name: sources[{seen_names[name]}] has the same name;"
                " readers cannot tell them apart"
            )
        else:
            seen_names[name] = i
    for j, category in enumerate(config.categories):
        if not any(category.slug in s.categories for s in config.sources):
            warnings.append(f'categories[{j}] ("{category.slug}"): no source is in it')
    return warnings


def _private_host(host: str) -> bool:
    if host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
        return True
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return bool(address.is_private or address.is_loopback or address.is_link_local)


def cmd_refresh(args: argparse.Namespace) -> int:
    from workers import jobs, scheduler

    config = _config(args)
    ids = [s.id for s in config.sources] if args.all else list(args.sources)
    if not ids:
        raise SystemExit("name one or more source ids, or pass --all")
    unknown = [i for i in ids if config.source(i) is None]
    if unknown:
        known = ", ".join(s.id for s in config.sources)
        raise SystemExit(f"unknown source(s): {', '.join(unknown)}\nknown: {known}")
    store = Store(connect(redis_url()))
    # The running scheduler owns what is published; a local file (maybe stale, maybe another
    # machine's) only stands in when nothing has been published yet.
    if store.published_config() is None:
        scheduler.publish(store, config)
    if not args.inline:
        from rq import Queue

        now = time.time()
        for i in ids:  # claim them, so the scheduler does not enqueue them a second time
            store.schedule(i, now + config.fetch.lease)
        queue = Queue(scheduler.QUEUE_NAME, connection=store.redis)
        job_ids = scheduler.enqueue(queue, config, ids)
        print(f"enqueued {len(ids)} source(s) in {len(job_ids)} job(s)")
        return 0

    progress = _Progress(len(ids))
    results = jobs.run_batch(store, ids, on_result=progress.report)
    progress.done()
    failed = [r for r in results if r.outcome.is_error]
    print(f"{len(results) - len(failed)} ok, {len(failed)} failed")
    return 1 if failed else 0


class _Progress:
    """One line per source; a progress bar underneath when stdout is a terminal."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.count = 0
        self.tty = sys.stdout.isatty()
        self.lock = threading.Lock()

    def report(self, result: RefreshResult) -> None:
        with self.lock:
            self.count += 1
            status = result.http_status or "-"
            detail = result.error or f"+{result.added} new, {result.updated} updated"
            line = (
                f"{result.outcome.value:<16} {result.source_id:<28} {status!s:<4} "
                f"{result.duration:6.2f}s  {detail}"
            )
            if self.tty:
                sys.stdout.write("\r\033[K")
            print(line)
            if self.tty:
                width = 30
                filled = width * self.count // self.total
                bar = "#" * filled + "-" * (width - filled)
                sys.stdout.write(f"[{bar}] {self.count}/{self.total}")
            sys.stdout.flush()

    def done(self) -> None:
        if self.tty:
            sys.stdout.write("\r\033[K")


def cmd_sources(args: argparse.Namespace) -> int:
    from aggregator.metrics import source_health

    config = _config(args)
    store = Store(connect(redis_url()))
    states = store.get_states([s.id for s in config.sources])
    scheduled = store.scheduled()
    rows: list[dict[str, Any]] = []
    for source in config.sources:
        state = states[source.id]
        health = source_health(state)
        if args.failing and health not in ("failing", "gone"):
            continue
        rows.append(
            {
                "id": source.id,
                "name": source.name,
                "url": source.url,
                "categories": list(source.categories),
                "state": health,
                "last_fetch": state.last_fetch.isoformat() if state.last_fetch else None,
                "outcome": state.outcome.value if state.outcome else None,
                "http_status": state.http_status,
                "consecutive_errors": state.consecutive_errors,
                "last_error": state.last_error,
                "next_due": scheduled.get(source.id),
                "articles": state.article_count,
                "adopted_url": state.adopted_url,
            }
        )
    if args.json:
        for row in rows:
            due = row["next_due"]
            row["next_due"] = (
                datetime.fromtimestamp(due, UTC).isoformat() if due is not None else None
            )
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=2)
        print()
        return 0
    color = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    width = shutil.get_terminal_size((120, 24)).columns
    print(format_sources(rows, width, color, now=time.time()))
    return 0


_COLORS = {"healthy": "32", "failing": "31", "gone": "90", "paused": "33", "pending": "36"}


def format_sources(rows: list[dict[str, Any]], width: int, color: bool, now: float) -> str:
    """The source table as text that fits `width` columns; the last column gets what is left."""
    if not rows:
        return "no sources"
    headers = ("ID", "STATE", "FETCHED", "HTTP", "ERR", "NEXT", "ARTICLES", "NAME / LAST ERROR")
    table = []
    for row in rows:
        fetched = row["last_fetch"]
        fetched_ago = (
            _ago(now - datetime.fromisoformat(fetched).timestamp()) if fetched else "never"
        )
        due = row["next_due"]
        nxt = "-" if due is None else ("now" if due <= now else "in " + _span(due - now))
        detail = row["last_error"] if row["state"] in ("failing", "gone") else row["name"]
        if row["adopted_url"]:
            detail += f" (moved to {row['adopted_url']})"
        table.append(
            (
                row["id"],
                row["state"],
                fetched_ago,
                str(row["http_status"] or "-"),
                str(row["consecutive_errors"]),
                nxt,
                str(row["articles"]),
                detail,
            )
        )
    fixed = [max(len(h), *(len(r[i]) for r in table)) for i, h in enumerate(headers[:-1])]
    fixed[0] = min(fixed[0], 28)  # long ids are cut rather than squeezing the error out
    last = max(12, width - sum(fixed) - 2 * len(fixed) - 1)

    def line(cells: tuple[str, ...], state: str | None) -> str:
        parts = [_fit(c, w).ljust(w) for c, w in zip(cells, fixed, strict=False)]
        if state and color:
            code = _COLORS.get(state, "0")
            parts[1] = f"\033[{code}m{parts[1]}\033[0m"
        for i in (3, 4, 6):  # numbers read best right-aligned
            parts[i] = parts[i].strip().rjust(fixed[i])
        return "  ".join([*parts, _fit(cells[-1], last)]).rstrip()

    out = [line(headers, None)]
    out += [line(cells, row["state"]) for cells, row in zip(table, rows, strict=True)]
    return "\n".join(out)


def _fit(text: str, width: int) -> str:
    """`text` on one line, cut to `width` terminal cells (CJK characters take two)."""
    text = " ".join(text.split())
    if _cells(text) <= width:
        return text
    out, used = [], 0
    for ch in text:
        if used + _cells(ch) > width - 1:
            break
        out.append(ch)
        used += _cells(ch)
    return "".join(out) + "…"


def _cells(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _span(seconds: float) -> str:
    seconds = abs(seconds)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{int(seconds // size)}{unit}"
    return f"{int(seconds)}s"


def _ago(seconds: float) -> str:
    return _span(seconds) + " ago"


def cmd_import_opml(args: argparse.Namespace) -> int:
    from aggregator.config import DEFAULT_PATH, ENV_VAR
    from aggregator.opml import OpmlError, import_feeds, parse_opml

    path = args.config or os.environ.get(ENV_VAR) or DEFAULT_PATH
    try:
        raw = Path(args.file).read_bytes()
    except OSError as e:
        print(f"aggregator: cannot read {args.file}: {e.strerror}", file=sys.stderr)
        return 2
    try:
        parsed = parse_opml(raw)
    except OpmlError as e:
        print(f"aggregator: {args.file}: {e}", file=sys.stderr)
        return 2
    if parsed.warning:
        print(f"warning: {args.file}: {parsed.warning}", file=sys.stderr)
    report = import_feeds(path, parsed.feeds, args.category, write=not args.dry_run)
    if report.error:
        print(f"aggregator: {args.file}: {report.error}", file=sys.stderr)
        return 2
    verb = "would add" if args.dry_run else "added"
    for source_id, name, slug in report.added:
        print(f"{verb} {source_id} [{slug}]: {name}")
    for url, why in report.skipped:
        print(f"skipped {url}: {why}")
    created = f"; new categories: {', '.join(report.categories_created)}"
    print(
        f"{verb} {len(report.added)} source(s) to {path}, skipped {len(report.skipped)}"
        + (created if report.categories_created else "")
    )
    return 0


def cmd_export_opml(args: argparse.Namespace) -> int:
    from aggregator.opml import export_opml

    body = export_opml(_config(args))
    if args.output and args.output != "-":
        Path(args.output).write_bytes(body)
    else:
        sys.stdout.buffer.write(body)
        sys.stdout.flush()
    return 0


def cmd_story(args: argparse.Namespace) -> int:
    """Print the story an article belongs to: its articles, the original first."""
    store = Store(connect(redis_url()))
    story = store.stories_of([args.article_id])[args.article_id]
    articles = {a.id: a for a in store.articles([m.article_id for m in story.members])}
    if args.article_id not in articles:
        print(f"aggregator: no article {args.article_id!r}", file=sys.stderr)
        return 1
    print(f"story {story.id}: {story.size} article(s) from {len(story.sources)} source(s)")
    for n, member in enumerate(story.members):
        a = articles.get(member.article_id)
        if a is not None:
            role = "original" if n == 0 else "copy"
            print(f"  {role:8} {a.published:%Y-%m-%d %H:%M} {a.source_id}  {a.id}  {a.title}")
    return 0


# --- argument parsing --------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="aggregator",
        description="Aggregate RSS/Atom/JSON feeds into merged category feeds and a reader.",
    )
    parser.add_argument(
        "--config",
        default=None,
        help="config file (default: $AGGREGATOR_CONFIG or ./aggregator.toml)",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    port = int(os.environ.get("PORT", "8000"))

    p = sub.add_parser("run", help="everything: embedded Redis (unless REDIS_URL), web, workers")
    p.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    p.add_argument("--host", default="127.0.0.1", help="web address (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=port, help="web port (default $PORT or 8000)")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("worker", help="one RQ worker that refreshes sources")
    p.add_argument("--burst", action="store_true", help="exit when the queue is empty")
    p.add_argument(
        "--max-jobs",
        type=int,
        default=1000,
        help="exit after this many jobs, to be restarted fresh (default 1000; 0: never)",
    )
    p.set_defaults(func=cmd_worker)

    p = sub.add_parser("scheduler", help="claims due sources and enqueues them")
    p.add_argument("--interval", type=float, default=1.0, help="seconds between ticks")
    p.set_defaults(func=cmd_scheduler)

    p = sub.add_parser("web", help="the web app under gunicorn")
    p.add_argument("--host", default="0.0.0.0", help="address (default 0.0.0.0)")  # noqa: S104
    p.add_argument("--port", type=int, default=port, help="port (default $PORT or 8000)")
    p.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    p.set_defaults(func=cmd_web)

    p = sub.add_parser("redis", help="only the embedded Redis-compatible server")
    p.set_defaults(func=cmd_redis)

    p = sub.add_parser("check-config", help="validate the config and print a summary")
    p.set_defaults(func=cmd_check_config)

    p = sub.add_parser("sources", help="every source's health, as a table (or --json)")
    p.add_argument("--json", action="store_true", help="JSON for scripts")
    p.add_argument("--failing", action="store_true", help="only failing and gone sources")
    p.set_defaults(func=cmd_sources)

    p = sub.add_parser("import-opml", help="add an OPML file's feeds to the config file")
    p.add_argument("file", help="the OPML file")
    p.add_argument("--category", help="put every feed in this category (created if missing)")
    p.add_argument("--dry-run", action="store_true", help="report, but do not write the file")
    p.set_defaults(func=cmd_import_opml)

    p = sub.add_parser("export-opml", help="every source as OPML, grouped by category")
    p.add_argument("-o", "--output", help="write to this file (default: standard output)")
    p.set_defaults(func=cmd_export_opml)

    p = sub.add_parser("refresh", help="refresh sources now (enqueue, or --inline here)")
    p.add_argument("sources", nargs="*", metavar="SOURCE", help="source ids")
    p.add_argument("--all", action="store_true", help="every source in the config")
    p.add_argument("--inline", action="store_true", help="refresh in this process and report")
    p.set_defaults(func=cmd_refresh)

    p = sub.add_parser("story", help="print the story an article belongs to (all its copies)")
    p.add_argument("article_id", help="an article id (the last part of /a/<id>)")
    p.set_defaults(func=cmd_story)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logs.configure(args.command)
    try:
        result: int = args.func(args)
    except ConfigError as error:
        print(f"aggregator: invalid configuration: {error}", file=sys.stderr)
        return 2
    return result


if __name__ == "__main__":
    sys.exit(main())
