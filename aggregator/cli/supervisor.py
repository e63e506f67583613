"""`aggregator run`: the whole service in one terminal, its processes started, watched, stopped."""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from types import FrameType
from urllib.parse import urlsplit

from aggregator.cli import common
from aggregator.config import Config
from aggregator.errors import ConfigError
from aggregator.redis_server import EmbeddedServer, connect, data_dir, die_with_parent
from aggregator.store import Store


class Supervisor:
    """Starts the service's processes, restarts one that dies, and stops them in order."""

    def __init__(self, commands: dict[str, list[str]], env: dict[str, str]) -> None:
        self.commands = commands
        self.env = env
        self.children: dict[str, subprocess.Popen[bytes]] = {}
        self.restarts: dict[str, list[float]] = {}

    def start(self, name: str) -> None:
        # Own session: a terminal's Ctrl-C reaches only us, so we can stop children in order.
        # And SIGTERM when we die without stopping them (a SIGKILL, an OOM kill): nothing of the
        # service outlives `run` (the web, which starts without Redis, would serve on alone).
        self.children[name] = subprocess.Popen(
            self.commands[name],
            env=self.env,
            start_new_session=True,
            preexec_fn=die_with_parent(os.getpid()),
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
                raise SystemExit(f"{name} keeps exiting ({ending(child.returncode)}); giving up")
            print(f"aggregator: {name} {ending(child.returncode)}; restarting", flush=True)
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


def _accepts(host: str, port: int) -> bool:
    """Whether the web's port takes a connection (an address of every interface is tried on
    the loopback one)."""
    everywhere = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "::1"}  # noqa: S104 (read)
    target = everywhere.get(host, host)
    try:
        with socket.create_connection((target, port), timeout=0.5):
            return True
    except OSError:
        return False


def base_url_mismatch(base_url: str, port: int) -> str:
    """A warning when site.base_url names this machine on another port than the web's: every
    feed's links and ids and every redirect would point there (the example's localhost:8000
    with --port 38080), or "" when it does not."""
    parts = urlsplit(base_url)
    if parts.hostname not in ("localhost", "127.0.0.1", "::1"):
        return ""  # a public address: a proxy in front may well map its port to ours
    named = parts.port or (443 if parts.scheme == "https" else 80)
    if named == port:
        return ""
    return (
        f"site.base_url is {base_url}, but the web serves on port {port}: feeds' links and ids"
        f" and redirects point at {base_url}; set [site] base_url to"
        f' "{parts.scheme}://{parts.hostname}:{port}" (or the address readers use)'
    )


def _port_problem(host: str, port: int) -> str:
    """Why the web could not listen on host:port, or "". Checked before anything starts: a busy
    port only showed as a web process restarted for ~40 s, then a vague "keeps exiting"."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn binds
        try:
            probe.bind((host, port))
        except OSError as e:
            return (
                f"cannot listen on {host}:{port} ({e.strerror}); is another server using it? "
                "Choose another port with --port (or PORT)."
            )
    return ""


def ending(returncode: int) -> str:
    """How a process ended, in words: "exited with status 1", "was killed by SIGKILL (…)".
    "exited with -9" said nothing to most operators, and the embedded server's restart said
    nothing at all, though a SIGXFSZ there means its append-only file hit a size limit."""
    if returncode >= 0:
        return f"exited with status {returncode}"
    try:
        name = signal.Signals(-returncode).name
    except ValueError:
        name = f"signal {-returncode}"
    return f"was killed by {name}" + _SIGNAL_HINTS.get(name, "")


_SIGNAL_HINTS = {
    "SIGKILL": " (by hand, or the kernel's out-of-memory killer: see `dmesg`)",
    "SIGXFSZ": " (a file reached the size limit, `ulimit -f`)",
    "SIGSEGV": " (a crash)",
    "SIGABRT": " (a crash)",
    "SIGBUS": " (a crash, or a file it maps was cut short: a full disk?)",
}


def _revive(server: EmbeddedServer, restarts: list[float]) -> None:
    """Start the embedded server again after it died (killed, out of memory): the processes
    wait out its absence and go on, its append-only file holds the data. Gives up, and `run`
    exits non-zero, if it dies 5 times in a minute."""
    now = time.monotonic()
    restarts[:] = [t for t in restarts if now - t < 60]
    if len(restarts) >= 5:
        raise SystemExit("the embedded Redis-compatible server keeps exiting; giving up")
    restarts.append(now)
    code = server.returncode
    how = ending(code) if code is not None else "exited"
    print(
        f"aggregator: the embedded Redis-compatible server {how}; restarting"
        f" (its log: {server.log_path})",
        flush=True,
    )
    server.start()


def cmd_run(args: argparse.Namespace) -> int:
    try:
        config: Config | None = common.load(args)
    except ConfigError:
        # Read again once the store is up: a file an edit broke must not keep the site down
        # after a restart while the last good config is published (common.load_or_published).
        config = None
    from aggregator.http_server import check_settings

    check_settings()  # the web's: a short ADMIN_TOKEN stops here, before anything starts
    env = dict(os.environ)
    server = None if env.get("REDIS_URL") else EmbeddedServer(data_dir())
    if problem := _port_problem(args.host, args.port):
        if server is not None:
            # Most likely the first `make run` here holds the port: naming it beats "choose
            # another port", which another port's run would then refuse for the data directory.
            server.refuse_if_taken()
        print(f"aggregator: {problem}", file=sys.stderr)
        return 1
    if server is not None:
        env["REDIS_URL"] = server.start()
        print(f"aggregator: embedded Redis-compatible server at {env['REDIS_URL']}", flush=True)
    if config is None:
        try:
            config = common.load_or_published(args, Store(connect(env["REDIS_URL"])))
        except ConfigError:
            if server:
                server.stop()
            raise
    env["AGGREGATOR_CONFIG"] = str(Path(config.path).resolve())
    env[common.PROBLEMS_SHOWN] = "1"  # (above, if the file has any: not again by each child)
    # Every child writes its counters here, for /metrics to sum.
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
        address = f"http://{args.host}:{args.port}/"
        print(f"aggregator: starting {config.site.title} on {address}")
        if mismatch := base_url_mismatch(config.site.base_url, args.port):
            print(f"aggregator: {mismatch}")
        print("aggregator: Ctrl-C stops everything", flush=True)
        revived: list[float] = []
        # "serving" once the port takes connections: said as the web was started, a first
        # request seconds later was refused (the web takes a few seconds to bind, 12 on a busy
        # machine).
        announced = False
        while not stopping.wait(0.2 if not announced else 1.0):
            if not announced and _accepts(args.host, args.port):
                print(f"aggregator: serving {config.site.title} on {address}", flush=True)
                announced = True
            if server is not None and not server.running:
                _revive(server, revived)
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
