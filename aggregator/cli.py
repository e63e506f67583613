"""The `aggregator` command: run everything, or one process of it, and operate it."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

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
        """Restart a child that exited, at most 5 times a minute."""
        for name, child in list(self.children.items()):
            if child.poll() is None:
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
    from rq import Queue, Worker

    from workers import jobs
    from workers.scheduler import QUEUE_NAME

    connection = connect(redis_url())
    store = Store(connection)
    _wait_for_config(store)
    jobs.warm_up(connection)
    queue = Queue(QUEUE_NAME, connection=connection)
    # A short maintenance interval: a job whose worker died is cleaned up within a minute,
    # not RQ's default ten (DESIGN.md §4). Sources come back sooner still, by their lease.
    worker = Worker([queue], connection=connection, maintenance_interval=30)
    worker.work(burst=args.burst, logging_level=os.environ.get("LOG_LEVEL", "INFO").upper())
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
    return 0


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

    p = sub.add_parser("refresh", help="refresh sources now (enqueue, or --inline here)")
    p.add_argument("sources", nargs="*", metavar="SOURCE", help="source ids")
    p.add_argument("--all", action="store_true", help="every source in the config")
    p.add_argument("--inline", action="store_true", help="refresh in this process and report")
    p.set_defaults(func=cmd_refresh)
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
