"""`aggregator run` and `aggregator refresh` as an operator uses them: real processes, real HTTP."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client import CollectorRegistry
from prometheus_client.multiprocess import MultiProcessCollector

from aggregator.store import Store
from tests.support.feed_server import FeedServer
from tests.support.pipeline import ROOT, wait_for

FEED = (
    b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Loop</title>'
    b"<link>https://example.com/</link>"
    b"<item><guid>one</guid><title>First story</title><link>https://example.com/1</link></item>"
    b"<item><guid>two</guid><title>\xe7\xac\xac\xe4\xba\x8c\xe6\x9d\xa1</title>"
    b"<link>https://example.com/2</link></item></channel></rss>"
)


def write_config(path: Path, feed_url: str, port: int) -> None:
    path.write_text(
        f"""
[site]
title = "Loop Desk"
base_url = "http://127.0.0.1:{port}"

[fetch]
allow_private_networks = true

[[categories]]
slug = "world"
title = "World"

[[sources]]
id = "loop"
name = "Loopback News"
url = "{feed_url}"
categories = ["world"]
""",
        encoding="utf-8",
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def children_of(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False)
    return [int(p) for p in out.stdout.split()]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie has exited; only its parent has not collected it yet.
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split()[2] != "Z"


def aggregator(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """`aggregator ARGS…` started, its output in a file of `cwd` of its own (not a pipe that no
    one reads until the end), there to print when the test fails."""
    log = cwd / f"run-{len(list(cwd.glob('run-*.log'))) + 1}.log"
    with log.open("wb") as out:
        service = subprocess.Popen(
            [sys.executable, "-m", "aggregator.cli", *args],
            cwd=cwd,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    _LOGS[service.pid] = log
    return service


_LOGS: dict[int, Path] = {}


def stopped(service: subprocess.Popen[bytes]) -> str:
    """What `service` wrote, once it has exited (within 90 s: an idle RQ worker's teardown once
    hung after "unsubscribing from channel" until `run`'s cold shutdown, 57 s later, under a
    load of two test suites; `run` still stopped every process. RefreshWorker.teardown now
    gives up after 5 s, test_faults.py::test_a_worker_told_to_stop_after_redis_went_away…)."""
    service.wait(timeout=90)
    return _LOGS[service.pid].read_text(encoding="utf-8", errors="replace")


@pytest.fixture(autouse=True)
def _print_the_services_output(tmp_path: Path) -> Iterator[None]:
    """What the services wrote and the embedded server's log, shown by pytest if a test fails."""
    yield
    for log in [*sorted(tmp_path.glob("run-*.log")), tmp_path / "var" / "valkey.log"]:
        if log.exists():
            text = log.read_text(encoding="utf-8", errors="replace")
            print(f"--- {log.name}\n{text[-20_000:]}")


def run_cli(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`aggregator ARGS…` to completion, its output captured."""
    return subprocess.run(
        [sys.executable, "-m", "aggregator.cli", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


# What the last serves_the_article() saw, for the message of an assertion that fails.
LAST_ANSWER: list[str] = [""]


def serves_the_article(port: int) -> bool:
    """Whether the service on `port` serves FEED's second article in its category's feed.

    (10 s: on a machine running two test suites, a render after a restart took over 2 s, and
    the answer that came was the article.)"""
    try:
        page = httpx.get(f"http://127.0.0.1:{port}/c/world/feed.json", timeout=10)
    except httpx.TransportError as e:
        LAST_ANSWER[0] = f"no answer: {e!r}"
        return False
    LAST_ANSWER[0] = f"{page.status_code}: {page.text[:300]}"
    return page.status_code == 200 and "第二条" in page.text


@pytest.fixture
def service_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "AGGREGATOR_CONFIG")}
    env["PYTHONPATH"] = str(ROOT)
    env["AGGREGATOR_DATA_DIR"] = str(tmp_path / "var")
    return env


@pytest.mark.timeout(120)
def test_run_starts_everything_serves_articles_and_stops_in_order(
    tmp_path: Path, feed_server: FeedServer, service_env: dict[str, str]
) -> None:
    port = free_port()
    write_config(tmp_path / "aggregator.toml", feed_server.add("/loop.xml", FEED), port)
    service = aggregator(
        "run", "--port", str(port), "--workers", "1", cwd=tmp_path, env=service_env
    )
    try:
        # Everything runs: the server, the scheduler, a worker and the web, in that order.
        wait_for(lambda: serves_the_article(port), 60, "the article to reach the feed", step=0.5)
        descendants = children_of(service.pid)
        assert len(descendants) >= 4  # valkey, scheduler, worker, web
        service.send_signal(signal.SIGINT)
        output = stopped(service)
    finally:
        if service.poll() is None:
            service.kill()
    assert service.returncode == 0, output
    assert "stopped" in output
    assert not [pid for pid in descendants if alive(pid)], "a process outlived `run`"


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.TransportError:
        return False


@pytest.mark.timeout(120)
def test_nothing_of_the_service_outlives_a_killed_run(
    tmp_path: Path, feed_server: FeedServer, service_env: dict[str, str]
) -> None:
    port = free_port()
    write_config(tmp_path / "aggregator.toml", feed_server.add("/loop.xml", FEED), port)
    service = aggregator(
        "run", "--port", str(port), "--workers", "1", cwd=tmp_path, env=service_env
    )
    try:
        wait_for(lambda: len(children_of(service.pid)) >= 4, 30, "the service to start")
        # Serving, not starting: the web, which starts without Redis, must not serve on alone.
        wait_for(lambda: _answers(f"http://127.0.0.1:{port}/healthz"), 60, "the web to answer")
        descendants = children_of(service.pid)
        service.kill()  # SIGKILL: no chance to clean up
        service.wait(10)
        wait_for(
            lambda: not [pid for pid in descendants if alive(pid)],
            30,
            "the children of a SIGKILLed `run` to exit",
        )
    finally:
        if service.poll() is None:
            service.kill()


def _child(parent: int, word: str) -> int | None:
    """The child of `parent` whose command line holds `word`, if there is one."""
    for pid in children_of(parent):
        with contextlib.suppress(OSError):  # it may have exited meanwhile
            if word in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace"):
                return pid
    return None


@pytest.mark.timeout(180)
def test_run_outlives_a_killed_server_and_a_broken_config(
    tmp_path: Path, feed_server: FeedServer, service_env: dict[str, str]
) -> None:
    port = free_port()
    config = tmp_path / "aggregator.toml"
    write_config(config, feed_server.add("/loop.xml", FEED), port)
    service = aggregator(
        "run", "--port", str(port), "--workers", "1", cwd=tmp_path, env=service_env
    )
    try:
        wait_for(lambda: serves_the_article(port), 60, "the article to reach the feed", step=0.5)
        # The embedded server is killed (out of memory, say): `run` starts it again, and the
        # site serves what it had (its append-only file).
        server = _child(service.pid, "valkey")
        assert server is not None
        os.kill(server, signal.SIGKILL)
        wait_for(lambda: _child(service.pid, "valkey") not in (None, server), 30, "a new server")
        fetched = len(feed_server.requests("/loop.xml"))
        wait_for(lambda: _answers(f"http://127.0.0.1:{port}/readyz"), 60, "ready again", 0.5)
        # Each web process comes back on its own (one that answered /readyz may not be the one
        # that answers the feed: the other may still fail its Redis calls at once for 3 s), so
        # the article is waited for, and what serves it is what the server kept: its source
        # was not fetched again meanwhile.
        wait_for(lambda: serves_the_article(port), 15, "the article served again", step=0.5)
        assert len(feed_server.requests("/loop.xml")) == fetched
        # An edit breaks the config file, then the scheduler dies: it comes back on the last
        # published config, and the web serves on, instead of `run` giving up on both.
        config.write_text(config.read_text() + "\n[[sources]]\nid = 3\n", encoding="utf-8")
        scheduler = _child(service.pid, "scheduler")
        assert scheduler is not None
        os.kill(scheduler, signal.SIGKILL)
        wait_for(
            lambda: _child(service.pid, "scheduler") not in (None, scheduler), 30, "a scheduler"
        )
        for _ in range(8):  # longer than `run` takes to give up on a process that keeps failing
            assert service.poll() is None
            assert serves_the_article(port), LAST_ANSWER[0]
            time.sleep(1)
        restarted = _child(service.pid, "scheduler")
        assert restarted is not None
        assert alive(restarted)
        service.send_signal(signal.SIGINT)
        output = stopped(service)
    finally:
        if service.poll() is None:
            service.kill()
    # Why it died, in words, and where its own log is: "exited; restarting" said neither (a
    # SIGXFSZ there is its append-only file at a size limit; nothing reaches its log then).
    assert "embedded Redis-compatible server was killed by SIGKILL (" in output, output
    assert f"restarting (its log: {tmp_path / 'var' / 'valkey.log'})" in output, output
    assert "running on the last published config" in output
    # Restarted (a reboot) with the file still broken: `run` starts on the last published
    # config too, where it printed the file's problems and exited, the whole site down.
    again = aggregator("run", "--port", str(port), "--workers", "1", cwd=tmp_path, env=service_env)
    try:
        wait_for(lambda: serves_the_article(port), 60, "the site back after a restart", step=0.5)
        time.sleep(2.5)  # (the scheduler's watcher polls the unchanged file meanwhile)
        again.send_signal(signal.SIGINT)
        output = stopped(again)
    finally:
        if again.poll() is None:
            again.kill()
    assert "running on the last published config" in output
    # Said once, as it is: not by each process, not the file "published", nor "changed" a
    # second later.
    assert output.count("the config file is invalid (above)") == 1, output
    assert 'event="config in force"' in output
    assert 'event="config published"' not in output
    assert "config file changed but is invalid" not in output


def test_refresh_inline_prints_one_line_per_source(
    tmp_path: Path,
    feed_server: FeedServer,
    redis_url: str,
    store: Store,
    service_env: dict[str, str],
) -> None:
    # `store` flushes the server: a config another test published would stand in for this file.
    write_config(tmp_path / "aggregator.toml", feed_server.add("/loop.xml", FEED), 8000)
    env = {**service_env, "REDIS_URL": redis_url}
    counters = tmp_path / "var" / "metrics"  # where a running service's processes count
    counters.mkdir(parents=True)
    done = run_cli("refresh", "--all", "--inline", cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    line = next(x for x in done.stdout.splitlines() if "loop" in x)
    assert line.split()[:3] == ["ok", "loop", "200"]
    assert "+2 new" in line
    assert store.get_state("loop").article_count == 2
    # Counted in the service's /metrics as a worker's fetch is (its files folded on its way out).
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(counters))
    fetched = registry.get_sample_value(
        "aggregator_fetches_total", {"outcome": "ok", "status_class": "2xx"}
    )
    assert fetched == 1
    assert sorted(p.name for p in counters.glob("*.db")) == [
        "counter_retired.db",
        "histogram_retired.db",
    ]

    unknown = run_cli("refresh", "nope", cwd=tmp_path, env=env)
    assert unknown.returncode != 0
    assert "unknown source: nope" in unknown.stderr
    assert "known: loop" in unknown.stderr
    typo = run_cli("refresh", "lopo", cwd=tmp_path, env=env)
    assert typo.returncode != 0
    assert "unknown source: lopo (did you mean loop?)" in typo.stderr


def test_check_config_reports_every_problem_with_its_place(
    tmp_path: Path, service_env: dict[str, str]
) -> None:
    (tmp_path / "aggregator.toml").write_text(
        '[[categories]]\nslug = "world"\n[[sources]]\nname = "A"\nurl = "ftp://x"\n'
        'categories = ["wrold"]\n',
        encoding="utf-8",
    )
    done = run_cli("check-config", cwd=tmp_path, env=service_env)
    assert done.returncode == 2
    assert 'sources[0] (name "A").url' in done.stderr
    assert 'sources[0] (name "A").categories[0]' in done.stderr
    assert '"world"' in done.stderr  # the suggested fix


def run_on_a_busy_port(
    tmp_path: Path, env: dict[str, str]
) -> tuple[int, subprocess.CompletedProcess[str]]:
    """`aggregator run` on a port another socket holds: the port, and what run did."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port: int = taken.getsockname()[1]
        write_config(tmp_path / "aggregator.toml", "http://127.0.0.1:9/feed.xml", port)
        return port, run_cli("run", "--port", str(port), cwd=tmp_path, env=env)


def test_run_on_a_busy_port_says_so_and_starts_nothing(
    tmp_path: Path, service_env: dict[str, str]
) -> None:
    port, done = run_on_a_busy_port(tmp_path, service_env)
    assert done.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr
    assert "--port" in done.stderr
    assert not (tmp_path / "var").exists()  # no embedded server was started


def test_a_second_run_in_the_same_directory_names_the_first_not_the_port(
    tmp_path: Path, service_env: dict[str, str]
) -> None:
    """A second `make run` beside a running one was told its port was taken, "choose another
    port": on another port it was then refused the data directory (a stranger's review). Here a
    server holds the data directory, started by `aggregator redis` (lighter than a whole run)."""
    first = aggregator("redis", cwd=tmp_path, env=service_env)
    try:
        wait_for(lambda: (tmp_path / "var" / "valkey.sock").exists(), 60, "the first server")
        _, done = run_on_a_busy_port(tmp_path, service_env)
    finally:
        first.send_signal(signal.SIGINT)
        stopped(first)
    assert done.returncode == 1, done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("aggregator: another embedded server (pid "), line
    assert f"started by `aggregator redis`, pid {first.pid}: stop that one" in line, line
    assert "another port" not in line


@pytest.mark.timeout(120)
def test_run_says_serving_only_once_the_web_answers(
    tmp_path: Path, feed_server: FeedServer, service_env: dict[str, str]
) -> None:
    """`run` printed "serving … on http://…" as it started the web, and a newcomer's first
    request a few seconds later was refused (12 s on a busy machine): the line now comes when
    the port takes connections, after a "starting" one."""
    port = free_port()
    write_config(tmp_path / "aggregator.toml", feed_server.add("/loop.xml", FEED), port)
    service = aggregator(
        "run", "--port", str(port), "--workers", "1", cwd=tmp_path, env=service_env
    )
    log = _LOGS[service.pid]
    try:
        wait_for(lambda: "aggregator: serving" in log.read_text(), 60, "the serving line", 0.05)
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            pass
        assert f"aggregator: starting Loop Desk on http://127.0.0.1:{port}/" in log.read_text()
        service.send_signal(signal.SIGINT)
        stopped(service)
    finally:
        if service.poll() is None:
            service.kill()
