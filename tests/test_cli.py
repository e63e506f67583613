"""The operator commands: sources, import-opml, export-opml, check-config, and worker logs."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path
from typing import cast

import pytest
from rq import Queue

from aggregator import cli
from aggregator import config as config_module
from aggregator.cli import operate, terminal
from aggregator.config_warnings import config_warnings
from aggregator.models import Outcome, RefreshResult, SourceState, source_health
from aggregator.queues import QUEUE_NAME
from aggregator.redis_server import EmbeddedServer
from aggregator.store import Store
from tests.support.corpus import CORPUS, requires_corpus
from tests.support.feed_server import FeedServer
from tests.support.pipeline import ROOT, make_config, start_worker
from tests.test_run import free_port
from workers import scheduler

CONFIG = """\
# my comment stays
[site]
title = "T"
base_url = "http://localhost:8000"

[[categories]]
slug = "news"

[[sources]]
name = "Alpha"
url = "https://alpha.example/feed"
categories = ["news"]

[[sources]]
name = "Beta"
url = "https://beta.example/feed"
categories = ["news"]
"""


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "aggregator.toml"
    path.write_text(CONFIG, encoding="utf-8")
    return path


@pytest.fixture
def with_states(store: Store, redis_url: str, monkeypatch: pytest.MonkeyPatch) -> Store:
    monkeypatch.setenv("REDIS_URL", redis_url)
    now = datetime.now(UTC)
    store.save_state(SourceState("alpha", last_fetch=now, http_status=200, outcome=Outcome.OK))
    store.save_state(
        SourceState(
            "beta",
            last_fetch=now,
            http_status=503,
            outcome=Outcome.HTTP_ERROR,
            consecutive_errors=4,
            last_error="The server answered 503 Service Unavailable; it will be tried again.",
        )
    )
    return store


def test_sources_json_and_failing_filter(
    config_file: Path, with_states: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    # The exit status is 1 when a source listed fails: `sources --failing` is a check.
    assert cli.main(["--config", str(config_file), "sources", "--json"]) == 1
    rows = json.loads(capsys.readouterr().out)
    assert [(r["id"], r["state"]) for r in rows] == [("alpha", "healthy"), ("beta", "failing")]
    assert rows[1]["consecutive_errors"] == 4
    assert rows[1]["http_status"] == 503

    assert cli.main(["--config", str(config_file), "sources", "--failing", "--json"]) == 1
    assert [r["id"] for r in json.loads(capsys.readouterr().out)] == ["beta"]

    # Any states (after `aggregator pause`: which are paused?).
    states = ["--state", "healthy", "--state", "failing", "--json"]
    assert cli.main(["--config", str(config_file), "sources", *states]) == 1
    assert [r["id"] for r in json.loads(capsys.readouterr().out)] == ["alpha", "beta"]
    assert cli.main(["--config", str(config_file), "sources", "--state", "healthy"]) == 0
    assert [line.split()[0] for line in capsys.readouterr().out.splitlines()] == ["ID", "alpha"]
    assert cli.main(["--config", str(config_file), "sources", "--state", "paused"]) == 0
    assert capsys.readouterr().out == "no paused sources\n"
    with pytest.raises(SystemExit):
        cli.main(["--config", str(config_file), "sources", "--state", "broken"])
    assert "invalid choice: 'broken'" in capsys.readouterr().err


def test_sources_table_is_cut_to_fit_and_colored_only_on_a_terminal(
    config_file: Path,
    with_states: Store,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    assert cli.main(["--config", str(config_file), "sources"]) == 1  # (beta fails)
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].startswith("ID")
    assert "\033[" not in out  # captured output is not a terminal
    # Nor is it cut to a terminal's width: piped to grep or a file, every line is whole.
    assert "The server answered 503 Service Unavailable; it will be tried again." in out
    assert "…" not in out
    assert max(len(line) for line in lines) > 80
    # On a terminal (the same table, cut): every line fits, the long error ends in "…".
    config = config_module.load_config(str(config_file))
    read = list(operate._source_rows(with_states, config.sources))
    cut = terminal.format_sources(read, 80, color=False, now=time.time())
    assert all(len(line) <= 80 for line in cut.splitlines()), cut
    assert "…" in cut
    # A long id is cut on a terminal, and whole anywhere else.
    read[0]["id"] = "a-source-id-longer-than-the-twenty-eight-cells-of-its-column"
    assert read[0]["id"] not in terminal.format_sources(read, 80, color=False, now=time.time())
    whole = "\n".join(terminal.source_table(read, 80, False, time.time(), cut=False))
    assert read[0]["id"] in whole

    rows = [
        {
            "id": "beta",
            "name": "Beta",
            "state": "failing",
            "last_fetch": None,
            "http_status": 503,
            "consecutive_errors": 4,
            "next_due": None,
            "articles": 0,
            "last_error": "x",
            "warning": "",
            "adopted_url": None,
        }
    ]
    assert "\033[31mfailing" in terminal.format_sources(rows, 100, color=True, now=time.time())
    wide = terminal.format_sources(rows, 200, color=False, now=time.time())
    assert "\033[" not in wide
    # CJK characters take two terminal cells: the cut accounts for them.
    rows[0].update(state="healthy", name="纽约时报中文网" * 10)
    for line in terminal.format_sources(rows, 70, color=False, now=time.time()).splitlines():
        assert terminal._cells(line) <= 70, line


def test_sources_with_an_id_prints_that_source_whole(
    config_file: Path,
    with_states: Store,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    long_error = "The server answered 503 Service Unavailable; " + "and then some more. " * 8
    with_states.save_state(
        SourceState("beta", outcome=Outcome.HTTP_ERROR, http_status=503, last_error=long_error)
    )
    monkeypatch.setenv("COLUMNS", "80")
    assert (
        cli.main(["--config", str(config_file), "sources", "beta"]) == 1
    )  # (failing: the exit status says so)
    out = capsys.readouterr().out
    assert long_error.strip() in out
    assert "https://beta.example/feed" in out
    assert "alpha" not in out

    with pytest.raises(SystemExit) as refused:
        cli.main(["--config", str(config_file), "sources", "nope"])
    assert str(refused.value) == "aggregator: unknown source: nope\naggregator: known: alpha, beta"
    # A typo: the id it is likely one of.
    with pytest.raises(SystemExit, match=r"unknown source: alpah \(did you mean alpha\?\)"):
        cli.main(["--config", str(config_file), "sources", "alpah"])
    # A healthy source's last read warned of something: a warning, not an error.
    lenient = "The feed is not well-formed XML (x); it was read leniently."
    with_states.save_state(SourceState("alpha", outcome=Outcome.OK, last_error=lenient))
    assert cli.main(["--config", str(config_file), "sources", "alpha"]) == 0
    assert re.search(rf"^warning: +{re.escape(lenient)}$", capsys.readouterr().out, re.M)
    # And so to a script: `last_error` is a failure's only (alerts on it saw healthy sources fail).
    assert cli.main(["--config", str(config_file), "sources", "--json"]) == 1  # (beta still fails)
    alpha = next(r for r in json.loads(capsys.readouterr().out) if r["id"] == "alpha")
    assert (alpha["state"], alpha["last_error"], alpha["warning"]) == ("healthy", "", lenient)
    # And in the table, in place of its name (it showed "healthy" and nothing else).
    cli.main(["--config", str(config_file), "sources"])
    (row,) = [line for line in capsys.readouterr().out.splitlines() if line.startswith("alpha")]
    assert row.endswith(f"warning: {lenient}")
    # Nothing failing: said so, not "no sources" (an empty config, as it read).
    with_states.save_state(SourceState("beta", outcome=Outcome.OK))
    assert cli.main(["--config", str(config_file), "sources", "--failing"]) == 0
    assert capsys.readouterr().out == "no failing or gone sources\n"


def test_pause_resume_and_reset_from_the_command_line(
    config_file: Path, with_states: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    """The admin pages' buttons, for a terminal or a script: the same state in Redis."""
    store = with_states
    conf = ["--config", str(config_file)]

    assert cli.main([*conf, "pause", "alpha"]) == 0
    assert capsys.readouterr().out == "alpha: paused: off the schedule until resumed\n"
    assert source_health(store.get_state("alpha")) == "paused"
    assert store.due_at("alpha") is None  # the scheduler will not claim it
    assert cli.main([*conf, "pause", "alpha"]) == 0
    assert capsys.readouterr().out == "alpha: already paused; nothing changed\n"

    # A paused source's errors can be forgotten: it stays paused, and says so.
    assert cli.main([*conf, "reset", "alpha"]) == 0
    assert capsys.readouterr().out.endswith("forgotten; still paused: not fetched until resumed\n")
    assert source_health(store.get_state("alpha")) == "paused"
    assert store.due_at("alpha") is None

    started = time.time()
    assert cli.main([*conf, "resume", "alpha"]) == 0
    assert capsys.readouterr().out == "alpha: resumed: due now\n"
    assert source_health(store.get_state("alpha")) == "healthy"
    assert started - 1 <= (store.due_at("alpha") or 0) <= time.time() + 1
    # Resuming one that runs fetches nothing behind the operator's back.
    store.schedule("alpha", started + 3600)
    assert cli.main([*conf, "resume", "alpha"]) == 0
    assert capsys.readouterr().out == "alpha: not paused; nothing changed\n"
    assert store.due_at("alpha") == started + 3600

    # Every failing or gone source at once (beta: 4 errors in a row, backing off).
    assert cli.main([*conf, "reset", "--failing"]) == 0
    assert capsys.readouterr().out == (
        "beta: errors, gone mark and adopted redirect forgotten; due now\n"
    )
    assert store.get_state("beta").consecutive_errors == 0
    assert (store.due_at("beta") or 0) <= time.time() + 1
    # (It stays "failing" until a fetch succeeds: its last refresh still failed.)
    store.save_state(SourceState("beta", outcome=Outcome.OK))
    assert cli.main([*conf, "reset", "--failing"]) == 0
    assert capsys.readouterr().out == "no failing or gone sources\n"

    with pytest.raises(SystemExit, match=r"unknown source: bta \(did you mean beta\?\)"):
        cli.main([*conf, "pause", "bta"])
    # With a known id beside it: nothing is done to that one either, and the message says so
    # (it named the typo alone, and left the operator to find out alpha was not paused).
    with pytest.raises(SystemExit) as refused:
        cli.main([*conf, "pause", "bta", "alpha"])
    assert str(refused.value).splitlines()[1] == (
        "aggregator: nothing done to alpha either; correct the id and run it again"
    )
    assert source_health(store.get_state("alpha")) == "healthy"
    # A call without ids is a mistake in the call: 2, as argparse's own, not 1, a command's
    # failure, which the README says it is (an operator's review).
    capsys.readouterr()
    for command, said in (
        ("pause", "aggregator: name one or more source ids\n"),
        ("refresh", "aggregator: name one or more source ids, or pass --all\n"),
        ("reset", "aggregator: name one or more source ids, or pass --failing\n"),
    ):
        with pytest.raises(SystemExit) as exited:
            cli.main([*conf, command])
        assert exited.value.code == 2, command
        assert capsys.readouterr().err == said
    assert source_health(store.get_state("beta")) != "paused"  # nothing done on an error

    # A source the file has and the running service does not yet: named, and left alone.
    config = config_module.load_config(str(config_file))
    scheduler.publish(store, dataclasses.replace(config, sources=config.sources[:1]))
    assert cli.main([*conf, "pause", "alpha", "beta"]) == 1
    out, err = capsys.readouterr()
    assert out == "alpha: paused: off the schedule until resumed\n"
    assert "not in the running config yet, so not paused: beta" in err
    # ... and who publishes the file's edits, as refresh says (no scheduler beats here).
    assert "no scheduler is running to publish the file's edits: start one with" in err
    assert source_health(store.get_state("beta")) != "paused"


def test_what_a_source_sent_reaches_the_terminal_without_its_control_characters(
    config_file: Path, with_states: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    """An error quotes what a source sent (the feed links its HTML page advertises): a raw ESC
    or CSI recoloured or rewrote the operator's terminal, which the logs already prevented."""
    hostile = (
        "This is an HTML page, not a feed. The page advertises a feed at"
        " http://x.example/\x1b]52;c;cm0gLXJmIH4=\x07\x1b[2J\x9b31m; use that URL."
    )
    with_states.save_state(
        SourceState("beta", outcome=Outcome.PARSE_ERROR, last_error=hostile, consecutive_errors=1)
    )
    for argv in (["sources"], ["sources", "beta"], ["sources", "--failing"]):
        assert cli.main(["--config", str(config_file), *argv]) == 1
        out = capsys.readouterr().out
        assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", out), (argv, out)
        assert "\\u001b[2J" in out
    # Scripts read JSON, which escapes them its own way.
    assert cli.main(["--config", str(config_file), "sources", "--json"]) == 1
    rows = json.loads(capsys.readouterr().out)
    assert rows[1]["last_error"] == hostile
    # And `refresh --inline`'s line per source.
    terminal.Progress(1).report(RefreshResult("beta", Outcome.PARSE_ERROR, 200, 0.1, error=hostile))
    out = capsys.readouterr().out
    assert "\\u001b[2J" in out
    assert "\x1b" not in out


def test_sources_json_is_the_indented_array_json_dump_writes(
    config_file: Path, with_states: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    """Streamed row by row, the bytes are still those of one `json.dump(rows, indent=2)`."""
    assert cli.main(["--config", str(config_file), "sources", "--json"]) == 1
    out = capsys.readouterr().out
    assert out == json.dumps(json.loads(out), ensure_ascii=False, indent=2) + "\n"
    with_states.save_state(SourceState("beta", outcome=Outcome.OK))
    assert cli.main(["--config", str(config_file), "sources", "--failing", "--json"]) == 0
    assert capsys.readouterr().out == "[]\n"


def test_sources_are_read_in_pages_and_correct_across_their_boundaries(
    tmp_path: Path,
    store: Store,
    redis_url: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("COLUMNS", "120")
    n = 1234  # pages of 500: two boundaries
    ids = [f"s{i}" for i in range(n)]
    ids[1100] = "a-much-longer-source-id-than-the-first-page-has"
    config_file = tmp_path / "many.toml"
    config_file.write_text(
        CONFIG.split("[[sources]]")[0]
        + "".join(
            f'[[sources]]\nid = "{i}"\nname = "N{i}"\nurl = "https://{i}.example/feed"\n'
            'categories = ["news"]\n'
            for i in ids
        ),
        encoding="utf-8",
    )
    now = datetime.now(UTC)
    failing = {ids[k] for k in range(0, n, 7)} | {ids[499], ids[500], ids[1100]}
    for source_id in ids:
        if source_id in failing:
            store.save_state(
                SourceState(source_id, outcome=Outcome.TIMEOUT, consecutive_errors=12345)
            )
        elif source_id.endswith("3"):
            store.save_state(SourceState(source_id, outcome=Outcome.OK, last_fetch=now))
    store.save_state(SourceState(ids[501], paused=True))
    store.schedule(ids[999], now.timestamp() + 3600)
    expected = {i: source_health(s) for i, s in store.get_states(ids).items()}

    store.redis.config_resetstat()
    assert cli.main(["--config", str(config_file), "sources", "--json"]) == 1  # (some fail)
    commands = cast(dict[str, dict[str, int]], store.redis.info("commandstats"))
    assert commands["cmdstat_mget"]["calls"] == 3  # one read per page of 500
    assert "cmdstat_zrange" not in commands  # nor the whole schedule
    rows = json.loads(capsys.readouterr().out)
    assert [(r["id"], r["state"]) for r in rows] == list(expected.items())
    assert rows[501]["state"] == "paused"
    assert (
        rows[999]["next_due"]
        == datetime.fromtimestamp(store.due_at(ids[999]) or 0, UTC).isoformat()
    )

    assert cli.main(["--config", str(config_file), "sources", "--failing", "--json"]) == 1
    assert [r["id"] for r in json.loads(capsys.readouterr().out)] == [
        i for i in ids if i in failing
    ]

    # On a terminal: every later row lines up with the first page's, the long id cut.
    config = config_module.load_config(str(config_file))
    read = operate._source_rows(store, config.sources)
    lines = list(terminal.source_table(read, 120, False, time.time()))
    assert len(lines) == n + 1
    column = lines[0].index("STATE")
    assert [line[column : column + 7].strip() for line in lines[1:]] == list(expected.values())
    assert lines[1101].startswith(ids[1100][:27] + "…")
    assert "12345" in lines[1101]
    # Piped: the same, but the long id whole (its row alone pushed to the right).
    assert cli.main(["--config", str(config_file), "sources"]) == 1
    piped = capsys.readouterr().out.splitlines()
    assert len(piped) == n + 1
    for k, line in enumerate(piped):
        if k != 1101:  # (the columns of time move on between the two)
            assert line[: column + 7] == lines[k][: column + 7]
    assert piped[1101].split()[:2] == [ids[1100], "failing"]

    # An unknown id among many: where to find them, not all 1,234 of them.
    with pytest.raises(SystemExit) as refused:
        cli.main(["--config", str(config_file), "sources", "a-much-longer-source-id"])
    assert str(refused.value) == (
        "aggregator: unknown source: a-much-longer-source-id"
        f" (did you mean {ids[1100]}?)\n"
        "aggregator: `aggregator sources` lists all 1234 source ids"
    )


CLI = [sys.executable, "-m", "aggregator.cli"]


def test_sources_json_into_a_closed_pipe_exits_quietly(
    config_file: Path, with_states: Store
) -> None:
    """`aggregator sources --json | head`: the reader is gone before the output is written."""
    read, write = os.pipe()
    os.close(read)  # a reader that has already gone, like `head` after its lines
    try:
        done = subprocess.run(
            [*CLI, "--config", str(config_file), "sources", "--json"],
            stdout=write,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            cwd=ROOT,
            check=False,
        )
    finally:
        os.close(write)
    assert "Traceback" not in done.stderr
    assert "BrokenPipeError" not in done.stderr
    assert done.returncode == 141


def _without_the_service(
    config_file: Path, tmp_path: Path, command: list[str], redis_url: str = ""
) -> tuple[subprocess.CompletedProcess[str], float]:
    """`command` run with no server in its data directory (or at `redis_url`), and its seconds."""
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env["AGGREGATOR_DATA_DIR"] = str(tmp_path / "var")
    if redis_url:
        env["REDIS_URL"] = redis_url
    started = time.monotonic()
    done = subprocess.run(
        [*CLI, "--config", str(config_file), *command],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        env=env,
        check=False,
    )
    return done, time.monotonic() - started


@pytest.mark.parametrize("command", [["sources"], ["story", "x"]])
def test_a_command_that_needs_the_store_says_so_in_one_line_when_it_is_down(
    config_file: Path, tmp_path: Path, command: list[str]
) -> None:
    """Not a 50-line traceback: where it looked, and how to start the service."""
    down = f"unix://{tmp_path / 'nobody-listens.sock'}"
    done, _ = _without_the_service(config_file, tmp_path, command, down)
    assert done.returncode == 3  # (not 1: "some source fails", for `sources`)
    assert "Traceback" not in done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith(f"aggregator: cannot reach Redis at unix://{tmp_path}")
    assert "make run" in line


_STORE_COMMANDS = [
    ["sources"],
    ["story", "x"],
    ["refresh", "alpha"],
    ["pause", "alpha"],
    ["resume", "alpha"],
    ["reset", "alpha"],
]


@pytest.mark.parametrize(
    ("command", "redis_url"),
    [(command, "") for command in _STORE_COMMANDS] + [(["sources"], "redis://127.0.0.1:1/0")],
)
def test_a_command_says_at_once_that_the_service_is_not_running(
    config_file: Path, tmp_path: Path, command: list[str], redis_url: str
) -> None:
    """No server listens on the data directory's socket and no `aggregator run` holds it (or
    REDIS_URL's port refuses): the service is down, and no retry brings it back. The command
    said so after ~15 s of retries meant for riding out a restart; it says so at once, with how
    to start it."""
    done, took = _without_the_service(config_file, tmp_path, command, redis_url)
    assert done.returncode == 3, done.stderr
    assert "aggregator run" in done.stderr
    # (A start-up and the imports: ~1 s, 4 s on a loaded machine; the retries took 15 s more.)
    assert took < 10, f"took {took:.1f} s"


def test_an_empty_data_dir_setting_is_the_default_as_other_empty_settings(
    config_file: Path, tmp_path: Path
) -> None:
    """`AGGREGATOR_DATA_DIR=` (a systemd file's empty line, `$DATA` unset) was the working
    directory: `run` wrote its server's files and metrics among the project's own, where an
    empty AGGREGATOR_CONFIG or REDIS_URL is the default (a careless operator's review)."""
    done = subprocess.run(
        [*CLI, "sources"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        env={**os.environ, "AGGREGATOR_DATA_DIR": "", "REDIS_URL": "", "AGGREGATOR_CONFIG": ""},
        check=False,
    )
    assert done.returncode == 3, done.stderr
    assert f"in the data directory {tmp_path / 'var'} (" in done.stderr, done.stderr


def test_export_opml_without_the_service_writes_the_file_alone_at_once(
    config_file: Path, tmp_path: Path
) -> None:
    """export-opml needs no store (the config makes the export); it waited ~15 s for one."""
    done, took = _without_the_service(config_file, tmp_path, ["export-opml"])
    assert done.returncode == 0, done.stderr
    assert "<opml" in done.stdout
    assert "Redis is not reachable" in done.stderr
    assert took < 10, f"took {took:.1f} s"  # (as above)


def test_a_command_rides_out_a_restart_of_the_embedded_server(
    config_file: Path, tmp_path: Path
) -> None:
    """While `aggregator run` holds the data directory, a server that does not answer is one
    being restarted: the command waits for it (as before), not fails at once. Here the server
    is killed, the command started, and the server started again, as `run` revives it. (3 s:
    the command's start-up, ~1 s, must be over before the server is back.)"""
    server = EmbeddedServer(tmp_path / "var", appendonly=False)
    server.start()
    try:
        assert server._process is not None
        server._process.kill()  # (the lock stays held by this process, as by `run`'s)
        server._process.wait()
        env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
        env["AGGREGATOR_DATA_DIR"] = str(tmp_path / "var")
        command = subprocess.Popen(
            [*CLI, "--config", str(config_file), "sources"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            env=env,
        )
        time.sleep(3)  # (it has started and found nobody listening)
        server._process = None
        server.start()
        out, err = command.communicate(timeout=60)
    finally:
        server.stop()
    assert "cannot reach" not in err, err
    assert "alpha" in out


def test_a_command_says_in_one_line_that_a_hung_server_does_not_answer(
    config_file: Path, tmp_path: Path
) -> None:
    """A server that takes connections and answers nothing (stopped, a stalled disk): the
    command gives up after one read timeout, not retries of it that never ended in silence."""
    hung = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    hung.bind(str(tmp_path / "hung.sock"))
    hung.listen(8)  # (and never accepts: the kernel queues the connection, nobody reads)
    try:
        started = time.monotonic()
        done = subprocess.run(
            [*CLI, "--config", str(config_file), "sources"],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=ROOT,
            env={**os.environ, "REDIS_URL": f"unix://{tmp_path / 'hung.sock'}"},
            check=False,
        )
        took = time.monotonic() - started
    finally:
        hung.close()
    assert done.returncode == 3
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith(f"aggregator: Redis at unix://{tmp_path}/hung.sock does not answer (")
    assert "hung" in line
    assert took < 60  # one 10 s read timeout; retrying it took 110 s per call, forever in all


def test_a_second_server_on_the_same_data_directory_says_so_in_one_line(tmp_path: Path) -> None:
    first = EmbeddedServer(tmp_path / "data")
    first.start()
    try:
        done = subprocess.run(
            [*CLI, "redis"],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=ROOT,
            env={**os.environ, "AGGREGATOR_DATA_DIR": str(tmp_path / "data")},
            check=False,
        )
    finally:
        first.stop()
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("aggregator: another embedded server (pid ")
    assert "started by" not in line  # (this test's process started it: no command to name)


def test_a_second_server_names_the_command_to_stop_not_its_server(tmp_path: Path) -> None:
    """The server's pid alone was named: killing it as told, `aggregator run` restarted it."""
    env = {**os.environ, "AGGREGATOR_DATA_DIR": str(tmp_path / "data")}
    first = subprocess.Popen([*CLI, "redis"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    try:
        socket_path = tmp_path / "data" / "valkey.sock"
        deadline = time.monotonic() + 60
        while not socket_path.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        done = subprocess.run(
            [*CLI, "redis"], capture_output=True, text=True, timeout=120, cwd=ROOT, env=env
        )
    finally:
        first.send_signal(signal.SIGINT)
        first.wait(timeout=60)
    (line,) = done.stderr.strip().splitlines()
    assert f"started by `aggregator redis`, pid {first.pid}: stop that one" in line, line


def test_the_server_stops_on_ctrl_c_though_started_with_it_ignored(tmp_path: Path) -> None:
    """A command a script starts in the background inherits SIGINT ignored: `aggregator redis`
    then ran on, its server too, after the Ctrl-C meant to stop it (a test left both behind)."""
    env = {**os.environ, "AGGREGATOR_DATA_DIR": str(tmp_path / "data")}
    server = subprocess.Popen(
        [*CLI, "redis"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    )
    try:
        assert server.stdout is not None
        assert "Ctrl-C stops it" in server.stdout.readline()
        server.send_signal(signal.SIGINT)
        assert server.wait(timeout=60) == 0
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    assert not (tmp_path / "data" / "valkey.sock").exists()


@pytest.mark.parametrize("command", ["run", "redis"])
def test_a_data_directory_it_cannot_make_is_named_in_one_line(tmp_path: Path, command: str) -> None:
    """AGGREGATOR_DATA_DIR under a file (or in /proc, or not the user's) was a traceback of
    pathlib's mkdir, the directory named only in its last line (a stranger's review)."""
    (tmp_path / "file").write_text("", encoding="utf-8")
    data = tmp_path / "file" / "var"
    done = subprocess.run(
        [*CLI, command, *(["--port", str(free_port())] if command == "run" else [])],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env={**os.environ, "AGGREGATOR_DATA_DIR": str(data), "AGGREGATOR_CONFIG": ""},
        check=False,
    )
    assert "Traceback" not in done.stderr, done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert line == (
        f"aggregator: cannot use the data directory {data} (Not a directory): make it a"
        " directory this user can write, or set AGGREGATOR_DATA_DIR to one"
    )
    assert done.returncode == 2


def test_ctrl_c_while_it_starts_stops_it_without_a_traceback(
    tmp_path: Path, config_file: Path
) -> None:
    """Ctrl-C in the seconds `aggregator run` spends loading its modules (3 s on a busy
    machine) printed a KeyboardInterrupt traceback of whichever was loading (a stranger's
    review). The installed command, as an operator types it: `python -m` loads the package
    before any of its code can catch anything. Later, `run` stops in order (status 0)."""
    run = subprocess.Popen(
        [str(Path(sys.executable).with_name("aggregator")), "run", "--port", str(free_port())],
        cwd=tmp_path,
        env={**os.environ, "AGGREGATOR_DATA_DIR": str(tmp_path / "var")},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    time.sleep(0.3)  # (Python's own handler is in place within milliseconds)
    run.send_signal(signal.SIGINT)
    _, err = run.communicate(timeout=60)
    assert "Traceback" not in err, err
    assert run.returncode in (130, 0), err


@requires_corpus
def test_import_opml_edits_the_config_and_reports(
    config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    opml = CORPUS / "opml" / "feeder_Flym_auto_backup.opml"
    assert cli.main(["--config", str(config_file), "import-opml", str(opml)]) == 0
    out = capsys.readouterr().out
    assert "added 11 source(s)" in out
    assert "new categories: black-humor, comics, tech, political-humour" in out
    text = config_file.read_text(encoding="utf-8")
    assert text.startswith("# my comment stays\n")
    assert len(config_module.load_config(config_file).sources) == 13

    # Again: every feed is already there.
    assert cli.main(["--config", str(config_file), "import-opml", str(opml)]) == 0
    assert "added 0 source(s)" in capsys.readouterr().out

    # Into a given category, dry run: nothing written.
    other = CORPUS / "opml" / "nnw_DefaultFeeds.opml"
    before = config_file.read_bytes()
    argv = ["--config", str(config_file), "import-opml", str(other), "--category", "news"]
    assert cli.main([*argv, "--dry-run"]) == 0
    assert "would add 10 source(s)" in capsys.readouterr().out
    assert config_file.read_bytes() == before


def test_import_opml_can_let_an_intranet_list_reach_private_networks(
    config_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An OPML of intranet feeds was imported, then refused as private, until each source was
    edited: there was no way to set allow_private_networks at import (an operator's review)."""
    opml = tmp_path / "intranet.opml"
    opml.write_text(
        '<opml version="2.0"><body>'
        '<outline type="rss" text="Wiki" xmlUrl="http://127.0.0.1:34001/wiki.xml"/>'
        '<outline type="rss" text="Ops" xmlUrl="http://10.1.2.3/ops.xml"/>'
        "</body></opml>",
        encoding="utf-8",
    )
    argv = ["--config", str(config_file), "import-opml", str(opml), "--category", "intranet"]
    assert cli.main([*argv, "--dry-run"]) == 0
    err = capsys.readouterr().err
    assert "127.0.0.1 is a local or private address" in err
    assert "(import with --allow-private-networks [NETWORKS] to set it)" in err

    assert cli.main([*argv, "--allow-private-networks", "10.1.2.0/33"]) == 2
    err = capsys.readouterr().err
    assert err.startswith('aggregator: --allow-private-networks: "10.1.2.0/33" is neither')

    assert cli.main([*argv, "--allow-private-networks", "127.0.0.1, 10.1.2.0/24"]) == 0
    captured = capsys.readouterr()
    assert "added 2 source(s)" in captured.out
    assert "private address" not in captured.err
    sources = {s.id: s for s in config_module.load_config(config_file).sources}
    assert sources["wiki"].allow_private_networks == ("127.0.0.1", "10.1.2.0/24")
    assert sources["ops"].categories == ("intranet",)

    opml.write_text(
        '<opml version="2.0"><body>'
        '<outline type="rss" text="Docs" xmlUrl="http://192.168.5.5/docs.xml"/>'
        "</body></opml>",
        encoding="utf-8",
    )
    assert cli.main([*argv, "--allow-private-networks"]) == 0  # without a value: any
    assert "private address" not in capsys.readouterr().err
    sources = {s.id: s for s in config_module.load_config(config_file).sources}
    assert sources["docs"].allow_private_networks == ("*",)

    # The option before the file, as a flag, and "false" (a review: the file was taken as the
    # networks' list, and "false" wrote a host named "false").
    opml.write_text(
        '<opml version="2.0"><body>'
        '<outline type="rss" text="Lab" xmlUrl="http://192.168.5.6/lab.xml"/>'
        '<outline type="rss" text="Pub" xmlUrl="https://pub.example/feed.xml"/>'
        "</body></opml>",
        encoding="utf-8",
    )
    flag_first = ["--config", str(config_file), "import-opml", "--allow-private-networks"]
    assert cli.main([*flag_first, str(opml), "--dry-run"]) == 0
    assert "private address" not in capsys.readouterr().err
    assert cli.main([*argv, "--allow-private-networks=false", "--dry-run"]) == 0
    assert "192.168.5.6 is a local or private address" in capsys.readouterr().err
    assert cli.main(["--config", str(config_file), "import-opml"]) == 2
    assert "the OPML file to import is missing" in capsys.readouterr().err


def test_import_opml_names_a_feed_outline_without_its_url(
    config_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # It vanished from the report: "added 1, skipped 0" of a list of two feeds.
    opml = tmp_path / "list.opml"
    opml.write_text(
        '<opml version="2.0"><body><outline text="Folder">'
        '<outline type="rss" text="Gamma" xmlUrl="https://gamma.example/feed"/>'
        '<outline type="rss" text="No url"/><outline text="Empty folder"/>'
        "</outline></body></opml>",
        encoding="utf-8",
    )
    assert cli.main(["--config", str(config_file), "import-opml", str(opml)]) == 0
    out = capsys.readouterr().out
    assert 'skipped "No url": a feed outline without an xmlUrl' in out
    assert "Empty folder" not in out  # a folder is no feed
    assert "added 1 source(s)" in out
    assert "skipped 1" in out


def test_import_opml_warns_of_what_check_config_would_about_the_added_sources(
    config_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A private address or a feed already there under another URL passes the config's checks
    but is probably a mistake: said at import, with its line, not first at check-config."""
    # (The config already warns of nothing: what it did warn of before is not said again.)
    opml = tmp_path / "list.opml"
    opml.write_text(
        '<opml version="2.0"><body>'
        '<outline type="rss" text="Router" xmlUrl="http://192.168.1.1/feed"/>'
        '<outline type="rss" text="Alpha again" xmlUrl="https://www.alpha.example/feed/"/>'
        '<outline type="rss" text="Gamma" xmlUrl="https://gamma.example/feed"/>'
        "</body></opml>",
        encoding="utf-8",
    )
    assert cli.main(["--config", str(config_file), "import-opml", str(opml), "--dry-run"]) == 0
    out, err = capsys.readouterr()
    assert "would add 3 source(s)" in out
    warnings = err.splitlines()
    assert len(warnings) == 2, err
    assert re.fullmatch(
        rf"warning: {re.escape(str(config_file))}: line \d+: sources\[2\] \(router\)\.url:"
        " 192.168.1.1 is a local or private address; .*",
        warnings[0],
    )
    assert "sources[3] (alpha-again).url: probably the same feed as sources[0]" in warnings[1]
    # Written, then imported again: nothing added, nothing warned of again.
    assert cli.main(["--config", str(config_file), "import-opml", str(opml)]) == 0
    assert capsys.readouterr().err.count("warning:") == 2
    assert cli.main(["--config", str(config_file), "import-opml", str(opml)]) == 0
    assert capsys.readouterr().err == ""


def test_import_opml_refuses_unreadable_files_with_exit_2(
    config_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.opml"
    bad.write_bytes(b"<?xml version='1.0'?>\n<opml><body>\n<<<")
    assert cli.main(["--config", str(config_file), "import-opml", str(bad)]) == 2
    assert "line 3" in capsys.readouterr().err
    assert cli.main(["--config", str(config_file), "import-opml", str(tmp_path / "none")]) == 2


@pytest.mark.parametrize(
    ("category", "says"),
    [
        (
            "World",
            '"World" is not a slug: use lower-case ASCII letters, digits and hyphens, at most 64'
            ' (did you mean "world"?)',
        ),
        ("all", '"all" is reserved'),
    ],
)
def test_import_opml_checks_the_category_it_is_given_first(
    config_file: Path, category: str, says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A bad --category came back as one config problem per feed, at lines of a file never
    written (or not at all when every feed was skipped)."""
    opml = ROOT / "tests" / "fixtures" / "ampersands.opml"
    before = config_file.read_text(encoding="utf-8")
    argv = ["--config", str(config_file), "import-opml", str(opml), "--category", category]
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("aggregator: --category: ")
    assert says in err
    assert len(err.strip().splitlines()) == 1
    assert config_file.read_text(encoding="utf-8") == before


def test_export_opml_to_stdout_and_file(
    config_file: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The config file alone makes an export, with no service running."""
    monkeypatch.setenv("REDIS_URL", f"unix://{tmp_path}/no-server.sock")
    assert cli.main(["--config", str(config_file), "export-opml"]) == 0
    captured = capsys.readouterr()
    assert 'xmlUrl="https://alpha.example/feed"' in captured.out
    assert "htmlUrl" not in captured.out  # (no service: the config has no site_url)
    assert "Redis is not reachable" in captured.err
    target = tmp_path / "out.opml"
    assert cli.main(["--config", str(config_file), "export-opml", "-o", str(target)]) == 0
    assert b'xmlUrl="https://beta.example/feed"' in target.read_bytes()


def test_export_opml_gives_the_sites_the_feeds_link_to(
    config_file: Path, with_states: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    """As the web's export: where the config gives no site_url, the site the feed linked to."""
    with_states.save_state(SourceState("alpha", outcome=Outcome.OK, site="https://alpha.example/"))
    assert cli.main(["--config", str(config_file), "export-opml"]) == 0
    captured = capsys.readouterr()
    assert 'htmlUrl="https://alpha.example/"' in captured.out
    assert captured.err == ""


def test_export_opml_to_a_path_it_cannot_write_says_so_in_one_line(
    config_file: Path, tmp_path: Path
) -> None:
    with pytest.raises(SystemExit, match=r"^aggregator: cannot write .*/none/x\.opml: No such"):
        cli.main(["--config", str(config_file), "export-opml", "-o", str(tmp_path / "none/x.opml")])


def test_the_operators_commands_use_the_running_config_while_the_file_is_invalid(
    config_file: Path, with_states: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    """The service runs on the last good config while an edit broke the file: sources,
    refresh and export-opml refused to run then, exactly when an operator needs them."""
    scheduler.publish(with_states, config_module.load_config(config_file))
    config_file.write_text(CONFIG.replace('name = "Beta"', 'name = "Beta"\nintreval = 1'))
    assert cli.main(["--config", str(config_file), "sources", "--json"]) == 1  # (beta fails)
    captured = capsys.readouterr()
    assert [r["id"] for r in json.loads(captured.out)] == ["alpha", "beta"]
    assert 'intreval: unknown key (did you mean "interval"?)' in captured.err
    assert "running on the last published config" in captured.err
    assert cli.main(["--config", str(config_file), "export-opml"]) == 0
    assert 'xmlUrl="https://beta.example/feed"' in capsys.readouterr().out
    assert cli.main(["--config", str(config_file), "refresh", "alpha"]) == 0


def test_an_invalid_other_file_is_not_said_to_be_what_the_service_runs_on(
    config_file: Path, with_states: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--config other.toml sources` with other.toml broken said "running on the last
    published config until it is fixed", while the service runs on another file, which
    fixing this one changes nothing of (a README walk-through)."""
    scheduler.publish(with_states, config_module.load_config(config_file))
    other = tmp_path / "other.toml"
    other.write_text(CONFIG.replace('name = "Beta"', 'name = "Beta"\nintreval = 1'))
    assert cli.main(["--config", str(other), "sources", "--json"]) == 1  # (beta fails)
    err = capsys.readouterr().err
    assert 'intreval: unknown key (did you mean "interval"?)' in err
    assert "until it is fixed" not in err
    assert f"using the config the service runs on, from {config_file}" in err


def test_refresh_says_which_sources_of_the_file_the_service_does_not_run_yet(
    config_file: Path, with_states: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    """The workers refresh what the scheduler published: sources added to the file since were
    skipped in silence ("59 ok" of 103) and unscheduled as if removed (a review)."""
    scheduler.publish(with_states, config_module.load_config(config_file))
    config_file.write_text(
        CONFIG
        + '\n[[sources]]\nid = "gamma"\nname = "Gamma"\nurl = "https://gamma.example/feed"\n'
        + 'categories = ["news"]\n'
    )
    assert cli.main(["--config", str(config_file), "refresh", "gamma"]) == 1
    assert "not in the running config yet, so not refreshed: gamma" in capsys.readouterr().err
    assert cli.main(["--config", str(config_file), "refresh", "--all"]) == 1  # (not all done)
    captured = capsys.readouterr()
    assert "not refreshed: gamma" in captured.err
    assert captured.out == "enqueued 2 source(s) in 1 job(s)\n"


def test_refresh_of_a_source_only_another_file_has_says_what_the_scheduler_runs_on(
    config_file: Path, with_states: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--config other.toml refresh gamma`, gamma only in other.toml, told the operator to
    start a scheduler while one ran (on aggregator.toml): starting one changes nothing."""
    scheduler.publish(with_states, config_module.load_config(config_file))
    other = tmp_path / "other.toml"
    gamma = '\n[[sources]]\nid = "gamma"\nname = "Gamma"\nurl = "https://gamma.example/feed"\n'
    other.write_text(CONFIG + gamma + 'categories = ["news"]\n', encoding="utf-8")

    with_states.heartbeat("scheduler", datetime.now(UTC))  # as a running scheduler does
    assert cli.main(["--config", str(other), "refresh", "gamma"]) == 1
    err = capsys.readouterr().err
    assert "not in the running config yet, so not refreshed: gamma" in err
    assert f"the running scheduler runs on {config_file}, not {other}" in err
    assert "start one" not in err

    # On the same file, the running scheduler publishes the edit itself.
    config_file.write_text(other.read_text(encoding="utf-8"), encoding="utf-8")
    assert cli.main(["--config", str(config_file), "refresh", "gamma"]) == 1
    err = capsys.readouterr().err
    assert "the running scheduler reads this file and publishes an edit" in err
    assert "start one" not in err

    # None running (its last beat too old): start one, on the file that has the source.
    with_states.heartbeat("scheduler", datetime.fromtimestamp(time.time() - 3600, UTC))
    assert cli.main(["--config", str(other), "refresh", "gamma"]) == 1
    err = capsys.readouterr().err
    assert "no scheduler is running to publish the file's edits" in err
    assert f"start one with `aggregator --config {other} run`" in err
    assert cli.main(["--config", str(config_file), "refresh", "gamma"]) == 1
    assert "start one with `aggregator run` or `aggregator scheduler`" in capsys.readouterr().err


def test_refresh_of_a_source_not_running_with_a_wrong_heartbeat_window_is_status_2(
    config_file: Path,
    with_states: Store,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Whether a scheduler runs is read by READY_HEARTBEAT_SECONDS, as /readyz reads it: a
    wrong one is a wrong setting (2), not a traceback."""
    scheduler.publish(with_states, config_module.load_config(config_file))
    config_file.write_text(
        CONFIG + '\n[[sources]]\nid = "gamma"\nname = "Gamma"\nurl = "https://g.example/"\n'
        'categories = ["news"]\n',
        encoding="utf-8",
    )
    with_states.heartbeat("scheduler", datetime.now(UTC))
    monkeypatch.setenv("READY_HEARTBEAT_SECONDS", "soon")
    assert cli.main(["--config", str(config_file), "refresh", "gamma"]) == 2
    assert "READY_HEARTBEAT_SECONDS='soon'" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "env", "says"),
    [
        (["run", "--port", "99999"], {}, "argument --port: 99999 is not a port: use 1-65535"),
        (
            ["web"],
            {"PORT": "abc"},
            "argument --port: not a port number: 'abc' (--port, else $PORT)",
        ),
        (["run", "--workers", "0"], {}, "argument --workers: 0 is too few: at least 1"),
        (["worker", "--max-jobs", "-1"], {}, "argument --max-jobs: -1 is too few: at least 0"),
        (["scheduler", "--interval", "0"], {}, "argument --interval: 0 s: use 0.1 to 3600"),
    ],
)
def test_bad_command_line_values_are_one_line_errors(
    argv: list[str],
    env: dict[str, str],
    says: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A traceback (--port 99999, PORT=abc), a service that never fetched (--workers 0), a
    scheduler polling without pause at 70% of a core (--interval 0), a worker that took -1 for
    "never" and retired after its first job (--max-jobs -1)."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SystemExit) as exited:
        cli.main(argv)
    assert exited.value.code == 2
    assert says in capsys.readouterr().err


def test_aggregator_alone_lists_its_commands(capsys: pytest.CaptureFixture[str]) -> None:
    """`aggregator` alone said "the following arguments are required: COMMAND" and named none."""
    assert cli.main([]) == 2
    said = capsys.readouterr().err
    assert "usage: aggregator" in said
    assert all(command in said for command in ("run", "check-config", "sources", "refresh")), said


def test_help_names_the_settings_that_are_not_options(capsys: pytest.CaptureFixture[str]) -> None:
    """`aggregator --help` named no environment variable: a stranger could not learn there how
    to turn on /admin/ or where the data is kept (a stranger's review)."""
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    said = " ".join(capsys.readouterr().out.split())
    for setting in (
        "AGGREGATOR_CONFIG",
        "AGGREGATOR_DATA_DIR (default ./var)",
        "PORT",
        "ADMIN_TOKEN (24 characters or more) turns on /admin/",
        "REDIS_URL",
        "LOG_LEVEL",
        "LOG_FORMAT=json",
        "README.md",
    ):
        assert setting in said, said
    for command, status in (
        ("check-config", "2 when the file is invalid"),
        ("refresh", "1 when a source is not in the running config"),
    ):
        with pytest.raises(SystemExit):
            cli.main([command, "--help"])
        assert status in " ".join(capsys.readouterr().out.split()), command


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (
            ["sources", "a", "b"],
            "aggregator sources: error: too many arguments: b (it takes at most one SOURCE)",
        ),
        (
            ["story", "a", "b"],
            "aggregator story: error: too many arguments: b (it takes one article_id)",
        ),
        (
            ["check-config", "x"],
            "aggregator check-config: error: too many arguments: x (it takes no arguments)",
        ),
        (
            ["refresh", "a", "--bogus"],
            "aggregator refresh: error: no such option: --bogus"
            " (`aggregator refresh --help` lists its options)",
        ),
        (
            ["sources", "--config", "other.toml"],
            "aggregator sources: error: --config is aggregator's own option: it goes before the"
            " command (aggregator --config FILE sources)",
        ),
        (
            ["refresh", "a", "--config=other.toml", "--bogus"],
            "aggregator refresh: error: --config is aggregator's own option: it goes before the"
            " command (aggregator --config FILE refresh); no such option: --bogus"
            " (`aggregator refresh --help` lists its options)",
        ),
    ],
)
def test_an_argument_too_many_is_named_by_its_command(
    argv: list[str], says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """`sources a b` said only "aggregator: error: unrecognized arguments: b" under the top
    usage (argparse hands what a command did not take back to the top parser)."""
    with pytest.raises(SystemExit) as exited:
        cli.main(argv)
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(f"usage: aggregator {argv[0]} "), err
    assert err.endswith(says + "\n"), err


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (
            ["--json", "sources"],
            "aggregator: error: --json is the sources command's option: it goes after the"
            " command (aggregator sources --json)",
        ),
        (
            ["--workers", "3", "--config=a.toml", "run", "--port", "9000"],
            "aggregator: error: --workers is the run command's option: it goes after the"
            " command (aggregator run --workers 3)",
        ),
        (
            ["--fail", "sources"],
            "aggregator: error: --fail is the sources command's option: it goes after the"
            " command (aggregator sources --fail)",
        ),
        (
            ["--workers", "2", "sources"],
            "aggregator: error: --workers is an option of run and web, not of sources",
        ),
        (
            ["--json"],
            "aggregator: error: --json is an option of sources: it goes after the command"
            " (aggregator sources --json)",
        ),
        (
            ["--bogus", "sources", "--json"],
            "aggregator: error: no such option: --bogus (`aggregator sources --help` lists its"
            " options, `aggregator --help` aggregator's own)",
        ),
    ],
)
def test_a_commands_option_before_the_command_says_where_it_goes(
    argv: list[str], says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """`aggregator --json sources` said argparse's bare "unrecognized arguments: --json" (and
    `--workers 3 run` that '3' is no command), where `sources --config x` says where it goes."""
    with pytest.raises(SystemExit) as exited:
        cli.main(argv)
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: aggregator [-h] [--config FILE] COMMAND ..."), err
    assert err.endswith(says + "\n"), err


def test_port_and_log_settings_are_checked_where_they_matter(
    config_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PORT", "abc")  # a command that serves nothing ignores it
    assert cli.main(["--config", str(config_file), "check-config"]) == 0
    monkeypatch.setenv("LOG_LEVEL", "bogus")
    # 2, as for a wrong argument: it was 1, what `sources --failing` says when sources fail.
    assert cli.main(["--config", str(config_file), "check-config"]) == 2
    assert "LOG_LEVEL='BOGUS': use DEBUG, INFO, WARNING" in capsys.readouterr().err
    for known in ("warn", "FATAL", "notset", "info"):  # every name logging knows
        monkeypatch.setenv("LOG_LEVEL", known)
        assert cli.main(["--config", str(config_file), "check-config"]) == 0
    monkeypatch.setenv("LOG_FORMAT", "xml")
    assert cli.main(["--config", str(config_file), "check-config"]) == 2
    assert "LOG_FORMAT='xml': use json, or text" in capsys.readouterr().err


def test_an_empty_port_setting_is_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    """`PORT= make run` (`PORT=$PORT`, unset) was "not a port number: ''", where an empty
    AGGREGATOR_CONFIG, AGGREGATOR_DATA_DIR or REDIS_URL is the default."""
    monkeypatch.setenv("PORT", "")
    assert cli.build_parser().parse_args(["run"]).port == 8000


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        # /readyz and /metrics answered 500 with a traceback in the log, the service running.
        ("READY_HEARTBEAT_SECONDS", "abc", "READY_HEARTBEAT_SECONDS='abc' is not a number"),
        # A traceback from each worker, restarted by `run` until it gave up.
        ("WORKER_HEARTBEAT_SECONDS", "-1", "WORKER_HEARTBEAT_SECONDS='-1' is not a number of"),
        ("WORKER_HEARTBEAT_SECONDS", "often", "WORKER_HEARTBEAT_SECONDS='often' is not a"),
        # redis-py's ValueError from every process, each restarted until `run` gave up.
        ("REDIS_URL", "bogus://x", "REDIS_URL='bogus://x': write redis://host:port/0"),
        ("REDIS_URL", "127.0.0.1:6379", "or unset it for the embedded server"),
    ],
)
def test_a_wrong_process_setting_stops_run_before_anything_starts(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, says: str
) -> None:
    """`run` and `web` check what their processes will read (an operator's review)."""
    from aggregator import http_server

    monkeypatch.delenv("ADMIN_TOKEN", raising=False)
    monkeypatch.setenv(name, value)
    with pytest.raises(SystemExit) as exited:
        http_server.check_settings()
    assert says in str(exited.value.code)


@pytest.mark.timeout(60)
def test_a_worker_with_a_wrong_heartbeat_says_so(
    config_file: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("REDIS_URL", f"unix://{tmp_path}/nothing.sock")
    monkeypatch.setenv("WORKER_HEARTBEAT_SECONDS", "-1")
    assert cli.main(["--config", str(config_file), "worker", "--burst"]) == 2
    assert "WORKER_HEARTBEAT_SECONDS='-1'" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("name", "value"), [("LOG_LEVEL", "loud"), ("LOG_FORMAT", "xml"), ("REDIS_URL", "http://x")]
)
def test_a_wrong_setting_is_status_2_not_the_1_of_failing_sources(
    config_file: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    name: str,
    value: str,
) -> None:
    """README: `sources --failing` exits 0 none, 1 some, 3 no answer, and 2 for a wrong
    argument; a wrong LOG_LEVEL, LOG_FORMAT or REDIS_URL exited 1, "some sources fail"."""
    monkeypatch.setenv(name, value)
    assert cli.main(["--config", str(config_file), "sources", "--failing"]) == 2
    assert f"{name}=" in capsys.readouterr().err


def test_export_opml_is_well_formed_with_a_control_character_in_a_name(
    config_file: Path, tmp_path: Path
) -> None:
    """The config accepts "\\u0007" in a name; XML 1.0 cannot carry it, escaped or not.

    The web's /sources.opml goes through the same writer (test_web_feeds tests that path).
    """
    text = config_file.read_text(encoding="utf-8")
    config_file.write_text(text.replace('"Alpha"', '"Bell\\u0007 & <Tags>"'), encoding="utf-8")
    target = tmp_path / "out.opml"
    assert cli.main(["--config", str(config_file), "export-opml", "-o", str(target)]) == 0
    root = ET.fromstring(target.read_bytes())
    names = [o.get("text") for o in root.iter("outline") if o.get("xmlUrl")]
    assert names == ["Bell & <Tags>", "Beta"]


def test_check_config_warns_but_exits_0_and_errors_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "c.toml"
    path.write_text(
        CONFIG
        + """
[[sources]]
name = "Alpha again"
url = "http://www.alpha.example/feed/"
categories = ["news"]

[[sources]]
name = "Local"
url = "http://user:pw@127.0.0.1:8080/feed?apiKey=s3cret&page=2#top"
categories = ["news"]

[[categories]]
slug = "empty"
""",
        encoding="utf-8",
    )
    assert cli.main(["--config", str(path), "check-config"]) == 0
    out = capsys.readouterr().out
    assert "warning(s)" in out
    lines = path.read_text(encoding="utf-8").splitlines()
    said = re.search(r"line (\d+): sources\[2\] \(alpha-again\)\.url: probably the same feed", out)
    assert said, out  # with its line, as errors are
    assert lines[int(said[1]) - 1] == 'url = "http://www.alpha.example/feed/"'
    said = re.search(r'line (\d+): categories\[1\] \("empty"\): no source is in it', out)
    assert said, out
    assert lines[int(said[1]) - 1] == "[[categories]]"
    assert (
        "sources[3] (local).url: holds a user name and password; public pages, feeds, OPML and"
        " logs show it removed, the admin pages in full"
    ) in out
    assert "sources[3] (local).url: holds query parameter apiKey; public pages, feeds, OPML" in out
    assert "holds query parameter page" not in out  # not a credential's name
    assert "#top part is never sent" in out
    assert "127.0.0.1 is a local or private address" in out

    path.write_text(CONFIG.replace("https://beta.example/feed", "beta.example/feed"), "utf-8")
    assert cli.main(["--config", str(path), "check-config"]) == 2
    assert 'sources[1] (name "Beta").url' in capsys.readouterr().err


def test_check_config_refuses_what_the_running_scheduler_would(
    config_file: Path,
    store: Store,
    redis_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    """A file fine alone may be one the running service refuses (a rename that changes an id,
    every source cut): a pre-deploy check that passed it gave false confidence."""
    monkeypatch.setenv("REDIS_URL", f"unix://{tmp_path / 'nobody-listens.sock'}")
    assert cli.main(["--config", str(config_file), "check-config"]) == 0
    assert "No running service answered" in capsys.readouterr().out
    monkeypatch.setenv("REDIS_URL", redis_url)
    assert cli.main(["--config", str(config_file), "check-config"]) == 0
    assert "has published no config yet" in capsys.readouterr().out
    scheduler.publish(store, config_module.load_config(config_file))
    assert cli.main(["--config", str(config_file), "check-config"]) == 0
    out = capsys.readouterr().out
    assert "its scheduler will take this file" in out
    assert "base_url" not in out

    original = config_file.read_text(encoding="utf-8")
    # A deleted or mistyped [site] moves every feed: said before, as the scheduler says after.
    moved = re.sub(r'base_url = "[^"]*"', 'base_url = "https://other.example"', original)
    assert moved != original
    config_file.write_text(moved, encoding="utf-8")
    assert cli.main(["--config", str(config_file), "check-config"]) == 0
    assert "to https://other.example: every feed's id and links change" in capsys.readouterr().out
    config_file.write_text(original.replace('"Alpha"', '"Alpha News"'), encoding="utf-8")
    assert cli.main(["--config", str(config_file), "check-config"]) == 2
    assert 'add id = "alpha" to keep them' in capsys.readouterr().err
    config_file.write_text(original.split("[[sources]]")[0], encoding="utf-8")
    assert cli.main(["--config", str(config_file), "check-config"]) == 2
    assert "the file names no source, and the running config has 2" in capsys.readouterr().err
    config_file.write_text("", encoding="utf-8")
    assert cli.main(["--config", str(config_file), "check-config"]) == 2


def test_example_config_has_no_warnings() -> None:
    example = config_module.load_config(ROOT / "aggregator.example.toml")
    assert config_warnings(example) == []


@pytest.mark.timeout(120)
def test_worker_logs_one_line_per_refresh_in_our_format(
    store: Store, feed_server: FeedServer, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOG_FORMAT", "json")
    url = feed_server.add("/down.xml", status=500)
    config = make_config({"down": url})
    scheduler.publish(store, config)
    scheduler.enqueue(Queue(QUEUE_NAME, connection=store.redis), config, ["down"])
    worker = start_worker(redis_url, "--burst")  # LOG_LEVEL=WARNING: the failure is a warning
    try:
        _, err = worker.communicate(timeout=90)
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
    lines = [line for line in err.decode().splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]  # every line, RQ's included, is ours
    [refresh] = [r for r in records if r["event"] == "refresh"]
    assert refresh["process"] == "worker"
    assert (refresh["source"], refresh["url"], refresh["outcome"]) == ("down", url, "http-error")
    assert refresh["status"] == 500
    assert isinstance(refresh["duration_ms"], float)
    assert (refresh["added"], refresh["updated"]) == (0, 0)
    assert re.search(r"500", refresh["error"])


@pytest.mark.timeout(120)
def test_a_burst_worker_leaves_without_waiting_on_its_channel(store: Store, redis_url: str) -> None:
    """RQ's thread listening on the worker's channel woke once a minute, and after the channel
    was unsubscribed redis-py's stop() waited for it: every `worker --burst` waited 5 s and said
    "Redis did not answer the worker's goodbye", with Redis answering."""
    scheduler.publish(store, make_config({"quiet": "http://127.0.0.1:9/feed.xml"}))
    started = time.monotonic()
    worker = start_worker(redis_url, "--burst")  # (an empty queue: it leaves at once)
    try:
        _, err = worker.communicate(timeout=90)
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
    assert worker.returncode == 0, err.decode()
    assert b"goodbye" not in err, err.decode()
    assert time.monotonic() - started < 30  # (the import alone takes a few seconds under load)


def test_sources_with_an_id_shows_unreadable_dates_and_full_text_failures(
    config_file: Path, with_states: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    error = "https://b.example/1: too-large: the page is over 10 MiB"
    with_states.save_state(
        SourceState(
            "beta",
            unreadable_dates=3,
            future_dates=2,
            full_text_failures=1,
            full_text_error=error,
            pages_pending=4,
        )
    )
    assert cli.main(["--config", str(config_file), "sources", "beta"]) == 0
    out = capsys.readouterr().out
    assert "unreadable dates:" in out
    assert re.search(r"dates ahead: +2 in the last feed, dated when first seen", out)
    assert "full text failures:" in out
    assert error in out
    assert re.search(r"pages waiting: +4", out)
    assert cli.main(["--config", str(config_file), "sources", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    beta = next(r for r in rows if r["id"] == "beta")
    assert (beta["unreadable_dates"], beta["future_dates"], beta["full_text_failures"]) == (3, 2, 1)
    assert beta["pages_pending"] == 4


def test_run_warns_when_base_url_names_this_machine_on_another_port() -> None:
    """`PORT=38080 make run` on the example config served links to localhost:8000, unsaid."""
    from aggregator.cli.supervisor import base_url_mismatch

    warning = base_url_mismatch("http://localhost:8000", 38080)
    assert warning.startswith("site.base_url is http://localhost:8000, but the web serves on port")
    assert 'set [site] base_url to "http://localhost:38080"' in warning
    assert base_url_mismatch("http://localhost:8000", 8000) == ""
    assert base_url_mismatch("http://127.0.0.1", 80) == ""
    assert base_url_mismatch("https://news.example.com", 8000) == ""  # a proxy maps it


def test_the_procfile_parses_and_its_worker_never_retires() -> None:
    """honcho and foreman restart nothing, and stop every process when one exits: the Procfile's
    worker retiring after its `--max-jobs` (1,000 by default, a routine exit 0 that
    `aggregator run` answers with a new worker) stopped the web and the scheduler with it."""
    procfile = Path(__file__).resolve().parents[1] / "Procfile"
    commands = dict(
        (name.strip(), shlex.split(command))
        for name, command in (line.split(":", 1) for line in procfile.read_text().splitlines())
    )
    assert set(commands) == {"web", "worker", "scheduler"}
    parsed = {}
    for name, argv in commands.items():
        assert argv[:2] == ["aggregator", name]
        parsed[name] = cli.build_parser().parse_args(argv[1:])
    assert parsed["worker"].max_jobs == 0


@pytest.mark.parametrize("command", ["web", "run"])
@pytest.mark.parametrize(
    ("name", "value"), [("WEB_HEADER_TIMEOUT", "soon"), ("WEB_TRUSTED_PROXIES", "nginx")]
)
def test_a_wrong_web_setting_is_status_2_as_other_settings(
    config_file: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: str,
    name: str,
    value: str,
) -> None:
    """README: a wrong setting exits 2, as a wrong argument; a wrong WEB_* exited 1 (a bare
    SystemExit with the message), what `run` answers when its server will not start. Both
    commands check before they start anything, so nothing is left running here."""
    monkeypatch.setenv(name, value)
    assert cli.main(["--config", str(config_file), command, "--port", "31007"]) == 2
    assert f"{name}='{value}'" in capsys.readouterr().err
