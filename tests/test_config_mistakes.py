"""Operator mistakes in the config file, as an operator meets them: through the real command
line, and by editing the file under a running `aggregator scheduler`.

tests/test_config.py checks every message of the parser itself; here each kind of mistake goes
through the processes that read the file, which must print one message naming the place, and a
running scheduler must keep its last good config (and say why) until the file is fixed.
"""

from __future__ import annotations

import ctypes
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from aggregator.config import ConfigWatcher, parse_config
from aggregator.errors import ConfigError
from aggregator.store import Store
from tests.support.feed_server import FeedServer
from tests.support.pipeline import ROOT


def base_config(feed_url: str, extra: str = "") -> str:
    """A valid config: one source polled every second from loopback, plus `extra` sources."""
    return f"""
[site]
title = "Mistakes"
base_url = "http://127.0.0.1:8000"

[fetch]
allow_private_networks = true
interval = "1s"
min_interval = "1s"
max_backoff = "2s"
lease = "5s"
jitter = 0

[[categories]]
slug = "news"
title = "News"

[[sources]]
id = "alpha"
name = "Alpha"
url = "{feed_url}"
categories = ["news"]
{extra}"""


# (what, how the valid config is broken, the place the message must name, a word of the message)
# Two in a row never name the same place: the running scheduler's test waits for the place.
MISTAKES: list[tuple[str, Callable[[str], str], str, str]] = [
    (
        "bad TOML",
        lambda text: text.replace('title = "News"', 'title = "News'),
        "line 16, column",
        "not valid TOML",
    ),
    (
        "a local feed's URL without a scheme",
        lambda text: text.replace('\nurl = "http://', '\nurl = "'),
        'sources[0] (id "alpha").url',
        'did you mean "http://127.0.0.1:',  # (http: what this machine serves)
    ),
    (
        "site time zone misspelt",
        lambda text: text.replace(
            'title = "Mistakes"', 'title = "Mistakes"\ntimezone = "Europe/Pariss"'
        ),
        "site.timezone",
        'did you mean "Europe/Paris"',
    ),
    (
        "a string left open",
        lambda text: text.replace('title = "News"', 'title = "News'),
        "line 16: a string is not closed",
        "add its closing quote",
    ),
    (
        # "Unclosed array (at end of document)": no line at all, and the parser names the next
        # key's line when one follows (a review).
        "an array left open",
        lambda text: text.replace('categories = ["news"]', 'categories = ["news"'),
        "line 22: an array is not closed",
        "end it with ]",
    ),
    (
        "a key written twice in a table",
        lambda text: text.replace('title = "News"', 'title = "News"\ntitle = "World"'),
        "line 17: title is set twice in this table (first on line 16)",
        "keep one",
    ),
    (
        "[sources] for [[sources]] before another source",
        lambda text: (
            text.replace("[[sources]]", "[sources]")
            + '\n[[sources]]\nid = "beta"\nname = "Beta"\nurl = "https://b.example/feed"\n'
        ),
        "line 18: [sources] should be [[sources]]",
        "each source is a block of its own",
    ),
    (
        "a table written twice",
        lambda text: text + "\n  [fetch]\n  jitter = 1\n",
        "line 24: [fetch] again (the first is on line 6)",
        "move these keys under the first [fetch]",
    ),
    (
        "a [fetch] key after the last source",
        lambda text: text + '\nmax_backoff = "1h"\n',
        'sources[0] (id "alpha").max_backoff',
        "it is a [fetch] key, read as this block's because a table runs to the next header",
    ),
    (
        "unknown key",
        lambda text: text.replace("jitter = 0", "jitter = 0\nintervall = 5"),
        "fetch.intervall",
        'did you mean "interval"',
    ),
    (
        "a misspelt scheme",
        lambda text: text.replace('\nurl = "http://', '\nurl = "htp://'),
        'sources[0] (id "alpha").url',
        'did you mean "http://127.0.0.1:',
    ),
    (
        "unknown key in a source",
        lambda text: text + 'categoires = ["news"]\n',
        'sources[0] (id "alpha").categoires',
        "unknown key",
    ),
    (
        "duplicate category slug",
        lambda text: text.replace(
            '[[categories]]\nslug = "news"',
            '[[categories]]\nslug = "news"\n\n[[categories]]\nslug = "news"',
            1,
        ),
        "categories[1].slug",
        "already defined by categories[0]",
    ),
    (
        "source in an undefined category",
        lambda text: text.replace('categories = ["news"]', 'categories = ["nwes"]'),
        'sources[0] (id "alpha").categories[0]',
        'did you mean "news"',
    ),
    (
        "source interval outside the limits",
        lambda text: text + 'interval = "3d"\n',
        'sources[0] (id "alpha").interval',
        "is outside",
    ),
    (
        "interval that is not a duration",
        lambda text: text.replace('interval = "1s"', 'interval = "often"', 1),
        "fetch.interval",
        "not a duration",
    ),
    (
        "a port out of range",
        lambda text: re.sub(r'(\nurl = "http://127\.0\.0\.1:)\d+', r"\g<1>99999", text),
        'sources[0] (id "alpha").url',
        "its port is not a number from 1 to 65535",
    ),
    (
        "min_interval above max_interval",
        lambda text: text.replace('min_interval = "1s"', 'min_interval = "2d"'),
        "fetch.min_interval",
        "longer than fetch.max_interval",
    ),
    (
        "source URL that is not http(s)",
        lambda text: text.replace('\nurl = "http://', '\nurl = "ftp://'),
        'sources[0] (id "alpha").url',
        "not an absolute http(s) URL",
    ),
    (
        "base URL without a scheme",
        lambda text: text.replace(
            'base_url = "http://127.0.0.1:8000"', 'base_url = "news.example"'
        ),
        "site.base_url",
        'did you mean "https://news.example"',
    ),
    (
        "duplicate source id",
        lambda text: (
            text
            + '\n[[sources]]\nid = "alpha"\nname = "Beta"\nurl = "https://b.example/feed"\n'
            + 'categories = ["news"]\n'
        ),
        'sources[1] (id "alpha").id',
        'already the id of sources[0] (id "alpha")',
    ),
    (
        "site time zone that is not an IANA name",
        lambda text: text.replace('title = "Mistakes"', 'title = "Mistakes"\ntimezone = "CET+8"'),
        "site.timezone",
        "not an IANA time zone",
    ),
    (
        "source without categories",
        lambda text: text.replace('categories = ["news"]\n', ""),
        'sources[0] (id "alpha").categories',
        'missing; add e.g. categories = ["news"]',  # (one the file defines)
    ),
    (
        "podcast category that is not Apple's",
        lambda text: text.replace(
            '[[categories]]\nslug = "news"',
            '[[categories]]\nslug = "news"\npodcast_category = "News/Daily news"',
            1,
        ),
        "categories[0].podcast_category",
        'did you mean "News/Daily News"',
    ),
    (
        # tzdata's folder of zones: opening it as a zone raised IsADirectoryError, a traceback
        # from check-config and a scheduler that died at every start on the edited file.
        "site time zone that is a region, not a zone",
        lambda text: text.replace('title = "Mistakes"', 'title = "Mistakes"\ntimezone = "Europe"'),
        "site.timezone",
        "not an IANA time zone",
    ),
    (
        # The closest IANA name by spelling was another zone's: "did you mean MST?".
        "source time zone written as an abbreviation",
        lambda text: text + 'timezone = "PST"\n',
        'sources[0] (id "alpha").timezone',
        'did you mean "America/Los_Angeles"',
    ),
    (
        # It was "did you mean UTC?": eight hours off.
        "site time zone written as an offset",
        lambda text: text.replace('title = "Mistakes"', 'title = "Mistakes"\ntimezone = "UTC+8"'),
        "site.timezone",
        '"Asia/Shanghai" for UTC+8: it keeps the place\'s summer time; a fixed offset is'
        ' "Etc/GMT-8"',
    ),
    (
        "source time zone too long for a file name",
        lambda text: text + f'timezone = "{"Asia/" + "x" * 300}"\n',
        'sources[0] (id "alpha").timezone',
        "not an IANA time zone",
    ),
    (
        # "unknown key" alone: the operator looked for the port in the file (a review).
        "the web's port written in the file",
        lambda text: text.replace('title = "Mistakes"', 'title = "Mistakes"\nport = 25000'),
        "site.port: unknown key",
        "PORT=8080 make run, or aggregator run --port 8080",
    ),
    (
        # "[server]" was "did you mean serve?", a table of other keys.
        "a [server] table with the web's port",
        lambda text: text.replace("[fetch]", "[server]\nport = 25000\n\n[fetch]"),
        "server: unknown key",
        "PORT=8080 make run",
    ),
    (
        "a Redis port written in the file",
        lambda text: text.replace("[fetch]", "[redis]\nport = 6379\n\n[fetch]"),
        "redis: unknown key",
        "opens no port (a Unix socket in the data directory, AGGREGATOR_DATA_DIR); another"
        " server is named by REDIS_URL",
    ),
    (
        "source time zone that is not an IANA name",
        lambda text: text + 'timezone = "Beijing"\n',
        'sources[0] (id "alpha").timezone',
        '"Asia/Shanghai"',
    ),
    (
        # It was told to add a [[categories]] block with slug = "News", which is no slug.
        "a category named by its title",
        lambda text: text.replace('categories = ["news"]', 'categories = ["News"]'),
        'sources[0] (id "alpha").categories[0]',
        '"News" is the title of "news": name its slug',
    ),
    (
        # "Invalid value (at line 16, column 9)" and nothing more.
        "typographic quotes pasted in",
        lambda text: text.replace('title = "News"', "title = \u201cNews\u201d"),
        "line 16: ",
        '\u201c is a typographic quote: write strings between straight quotes, "like this"',
    ),
    (
        # "Expected newline or end of document after a statement (at line 23, column 14)".
        "a duration left unquoted",
        lambda text: text + "interval = 10m\n",
        'line 23: a text value is written between quotes: interval = "10m"',
        "not valid TOML",
    ),
    (
        # "Invalid value (at line 16, column 9)" and nothing more.
        "a title left unquoted",
        lambda text: text.replace('title = "News"', "title = Daily News  # the section"),
        'line 16: a text value is written between quotes: title = "Daily News"',
        "not valid TOML",
    ),
    (
        # "unknown key" alone, where it had to go left to guess.
        "a [fetch] key at the top of the file",
        lambda text: 'max_backoff = "1h"\n' + text,
        "max_backoff: unknown key",
        "the top of the file holds no keys, only tables; it is a [fetch] key: move it under"
        " [fetch]",
    ),
    (
        # "15s is outside [fetch.min_interval, fetch.max_interval] = [1m, 1d]" alone, where a
        # source's interval said why.
        "the default interval meant as minutes",
        lambda text: text.replace('\ninterval = "1s"', '\ninterval = "15"').replace(
            'min_interval = "1s"', 'min_interval = "1m"'
        ),
        "fetch.interval",
        'a number alone is seconds; for minutes, write "15m"',
    ),
    (
        "an interval meant as minutes",
        lambda text: text + 'interval = "0.5"\n',
        'sources[0] (id "alpha").interval',
        'a number alone is seconds; for minutes, write "0.5m"',
    ),
    (
        # "Unescaped '\\' in a string (at line 23, column 13)": a regular expression's \\d, or a
        # Windows path, is the likeliest backslash in this file, and nothing said how to write it.
        "a regular expression between double quotes",
        lambda text: text + 'exclude = ["^\\d+ dead", "live"]\n',
        "line 23: between double quotes a backslash starts an escape",
        "write it between single quotes, which keep every backslash: '^\\d+ dead'",
    ),
    (
        # Checked as "1 or more" only: the scheduler then died at every tick on Valkey's "value
        # is not an integer or out of range", and `run` gave up after five restarts.
        "a count beyond any machine",
        lambda text: text.replace("jitter = 0", "jitter = 0\nbatch_size = 99999999999999999999"),
        "fetch.batch_size",
        "must be at most 1000000000, got 99999999999999999999",
    ),
    (
        # TOML reads "\\b" between double quotes as a backspace, where a regular expression
        # means a word's edge: the pattern matched nothing, and said nothing (an include then
        # kept no article).
        "a word boundary between double quotes",
        lambda text: text + 'include = ["\\bAI\\b"]\n',
        'sources[0] (id "alpha").include[0]',
        "a backspace, what TOML makes of \\b between double quotes; for a word's edge write it"
        " between single quotes: '\\bAI\\b'",
    ),
    (
        # Accepted: the host was "127.0.0.1:9\\feed.xml" to urllib and httpx, where a browser
        # reads the backslash as a slash, and the source failed at every fetch.
        "a backslash for a slash in a URL",
        lambda text: re.sub(r'(\nurl = "http://[^/"]+)/', r"\1\\\\", text),
        'sources[0] (id "alpha").url: a URL\'s host holds no backslash',
        'did you mean "http://127.0.0.1:',
    ),
    (
        # It was told to serve a file with python3 -m http.server, the hint of a feed's URL.
        "a source's site written as a path alone",
        lambda text: text + 'site_url = "/about"\n',
        'sources[0] (id "alpha").site_url',
        'a path alone, not a URL: "/about"; write the whole address, e.g.'
        ' "https://example.com/about"',
    ),
]
MISTAKE_IDS = [m[0].replace(" ", "-") for m in MISTAKES]


def cli_env(config: Path, redis_url: str = "") -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "AGGREGATOR_CONFIG")}
    env.update(PYTHONPATH=str(ROOT), AGGREGATOR_CONFIG=str(config))
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def test_every_mistake_breaks_the_base_config_exactly_once() -> None:
    """The table above is right: each edit makes exactly the one problem it names."""
    text = base_config("http://127.0.0.1:9/feed.xml")
    parse_config(text)
    for what, edit, place, word in MISTAKES:
        with pytest.raises(ConfigError) as info:
            parse_config(edit(text), path="aggregator.toml")
        assert len(info.value.problems) == 1, (what, info.value.problems)
        assert place in info.value.problems[0], (what, info.value.problems)
        assert word in info.value.problems[0], (what, info.value.problems)


def check_config(path: Path, *python: str) -> subprocess.CompletedProcess[str]:
    """`aggregator check-config` on `path`, run as an operator runs it, in its directory
    (`python`: options of the interpreter)."""
    return subprocess.run(
        [sys.executable, *python, "-m", "aggregator.cli", "check-config"],
        cwd=path.parent,
        env=cli_env(path),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(("what", "edit", "place", "word"), MISTAKES, ids=MISTAKE_IDS)
def test_check_config_prints_one_message_naming_the_place(
    tmp_path: Path, what: str, edit: Callable[[str], str], place: str, word: str
) -> None:
    path = tmp_path / "aggregator.toml"
    path.write_text(edit(base_config("http://127.0.0.1:9/feed.xml")), encoding="utf-8")
    done = check_config(path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.count("aggregator: invalid configuration:") == 1, done.stderr
    assert f"1 problem(s) in {path}:" in done.stderr
    assert place in done.stderr, done.stderr
    assert word in done.stderr, done.stderr
    assert done.stdout == ""


@pytest.mark.parametrize("command", ["scheduler", "web", "refresh --all --inline"])
def test_processes_refuse_to_start_on_an_invalid_config_naming_the_place(
    tmp_path: Path, command: str
) -> None:
    path = tmp_path / "aggregator.toml"
    path.write_text(
        base_config("http://127.0.0.1:9/feed.xml").replace('["news"]', '["nwes"]'),
        encoding="utf-8",
    )
    # No server behind this URL: the config is checked before anything connects.
    done = subprocess.run(
        [sys.executable, "-m", "aggregator.cli", *command.split()],
        cwd=tmp_path,
        env=cli_env(path, f"unix://{tmp_path}/nothing.sock"),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert 'sources[0] (id "alpha").categories[0]: unknown category' in done.stderr, done.stderr


# --- editing the file under a running scheduler ------------------------------------------------


# Loaded now, not in the forked child: other threads (the feed server) may hold locks then.
_prctl = ctypes.CDLL(None, use_errno=True).prctl if sys.platform.startswith("linux") else None


def die_with_pytest() -> None:
    """preexec_fn: SIGKILL the child if pytest dies, so no process outlives a killed test run."""
    if _prctl is not None:
        _prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def wait_for(predicate: Callable[[], bool], timeout: float, what: Callable[[], str]) -> None:
    """Poll `predicate` until it holds; fail with `what()` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what()}")
        time.sleep(0.1)


@pytest.fixture
def running(
    tmp_path: Path, redis_url: str, store: Store
) -> Iterator[Callable[..., subprocess.Popen[bytes]]]:
    """Starts `aggregator <args>` processes (log in tmp_path/<name>.log); kills them after."""
    procs: list[subprocess.Popen[bytes]] = []

    def start(name: str, *args: str) -> subprocess.Popen[bytes]:
        with open(tmp_path / f"{name}.log", "ab") as log:
            proc = subprocess.Popen(
                [sys.executable, "-m", "aggregator.cli", *args],
                cwd=ROOT,
                env=cli_env(tmp_path / "aggregator.toml", redis_url),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=die_with_pytest,
            )
        procs.append(proc)
        return proc

    yield start
    for proc in procs:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(30)


def save(path: Path, text: str) -> None:
    """Replace the file in one step, as editors that write a copy and rename it do.

    Writing in place can be seen half-written by the scheduler; see
    test_a_half_written_file_is_not_applied for what that does today.
    """
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _last_fetch(store: Store, source_id: str) -> float:
    when = store.get_state(source_id).last_fetch
    return when.timestamp() if when else 0.0


@pytest.mark.timeout(180)
def test_an_invalid_edit_keeps_the_running_scheduler_on_its_last_good_config(
    tmp_path: Path,
    feed_server: FeedServer,
    store: Store,
    running: Callable[..., subprocess.Popen[bytes]],
) -> None:
    alpha = feed_server.add(
        "/alpha.xml",
        b'<rss version="2.0"><channel><title>A</title>'
        b"<item><guid>a1</guid><title>one</title></item></channel></rss>",
    )
    path = tmp_path / "aggregator.toml"
    good = base_config(alpha)
    path.write_text(good, encoding="utf-8")
    scheduler = running("scheduler", "scheduler", "--interval", "0.2")
    running("worker", "worker")
    log = tmp_path / "scheduler.log"

    def log_text() -> str:
        return log.read_text(encoding="utf-8", errors="replace")

    def worker_log() -> str:
        text = (tmp_path / "worker.log").read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-20:])

    wait_for(
        lambda: _last_fetch(store, "alpha") > 0, 60, lambda: "the first refresh\n" + log_text()
    )
    version = store.config_version()

    def edit_into(what: str, edit: Callable[[str], str], place: str, word: str) -> None:
        edited_at = time.time()
        save(path, edit(good))
        wait_for(
            # (Quoted on the line as JSON: a quote in it is \".)
            lambda: json.dumps(place)[1:-1] in log_text().split("problems=")[-1],
            20,
            lambda: f"the scheduler to log {place!r} after the edit: {what}\n{log_text()}",
        )
        lines = log_text().splitlines()
        start = max(
            i
            for i, x in enumerate(lines)
            if "keeping the last good config" in x and " problem=" not in x
        )
        assert "level=warning" in lines[start], lines[start]
        assert str(path) in lines[start], lines[start]
        # One readable line per problem follows the warning, not one line of "\\n" escapes; each
        # a whole record (a shipper files a line alone): its time, level, process and event.
        problems = [x for x in lines[start + 1 :] if " problem=" in x]
        assert problems
        assert lines[start + 1 : start + 1 + len(problems)] == problems
        head = lines[start].split(" path=")[0].split(" ", 1)[1]  # (all but its time)
        assert all(x.split(" problem=")[0].split(" ", 1)[1] == head for x in problems), problems
        said = [json.loads(x.split(" problem=", 1)[1]) for x in problems]  # (quoted: JSON)
        assert any(place in x and word in x for x in said), problems
        # It keeps scheduling with the old config: alpha is refreshed again after the edit.
        wait_for(
            lambda: _last_fetch(store, "alpha") > edited_at,
            20,
            lambda: f"alpha to be refreshed after the edit: {what}\n{worker_log()}",
        )
        assert store.config_version() == version, what
        assert store.due_at("alpha") is not None, what
        assert scheduler.poll() is None, log_text()

    for mistake in MISTAKES:
        edit_into(*mistake)

    # Fixed, with a new source: picked up without a restart.
    beta = feed_server.add(
        "/beta.xml",
        b'<rss version="2.0"><channel><title>B</title>'
        b"<item><guid>b1</guid><title>two</title></item></channel></rss>",
    )
    save(
        path,
        good + f'\n[[sources]]\nid = "beta"\nname = "Beta"\nurl = "{beta}"\n'
        'categories = ["news"]\n',
    )
    wait_for(
        lambda: _last_fetch(store, "beta") > 0, 30, lambda: "beta to be refreshed\n" + log_text()
    )
    assert store.config_version() > version
    assert "is valid again" in log_text()
    assert [a.title for a in store.source_articles("beta", 10)] == ["two"]
    assert scheduler.poll() is None


def test_a_half_written_file_is_not_applied(tmp_path: Path) -> None:
    """An editor that truncates and rewrites in place (nano, `>`) can be read in between."""
    path = tmp_path / "aggregator.toml"
    good = base_config("http://127.0.0.1:9/feed.xml")
    path.write_text(good, encoding="utf-8")
    watcher = ConfigWatcher(path, parse_config(good, path=str(path)))
    assert watcher.poll() is None
    path.write_text("", encoding="utf-8")  # the moment between truncating and writing
    caught = watcher.poll()
    path.write_text(good + "\n# edited\n", encoding="utf-8")
    watcher.poll()
    assert caught is None, "a truncated file replaced the config: every source was dropped"
    assert [s.id for s in watcher.current.sources] == ["alpha"]


def test_check_config_warns_of_a_future_regex_and_a_zone_without_summer_time(
    tmp_path: Path,
) -> None:
    """`include = ["[[a]]"]` printed Python's FutureWarning with a line of config.py, naming
    neither the key nor the fix; `timezone = "EST"` (UTC-5 all year) passed without a word,
    though a New York feed is then read an hour off all summer (an operator's review)."""
    extra = """
[[sources]]
id = "beta"
name = "Beta"
url = "http://127.0.0.1:9/beta.xml"
categories = ["news"]
include = ["[[a]]"]
exclude = ["x", "[a-z--q]"]
strip_patterns = ["[a&&b]"]
timezone = "EST"
"""
    text = base_config("http://127.0.0.1:9/feed.xml", extra).replace(
        'title = "Mistakes"', 'title = "Mistakes"\ntimezone = "MST7MDT"'
    )
    path = tmp_path / "aggregator.toml"
    path.write_text(text, encoding="utf-8")
    done = check_config(path, "-W", "default")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "FutureWarning" not in done.stdout + done.stderr
    out = done.stdout + done.stderr
    lines = text.splitlines()
    for place, written, words in (
        ("sources[1] (beta).include[0]", "include =", "nested set"),
        ("sources[1] (beta).exclude[1]", "exclude =", "set difference"),
        ("sources[1] (beta).strip_patterns[0]", "strip_patterns =", "set intersection"),
        ("sources[1] (beta).timezone", 'timezone = "EST"', '"America/New_York"'),
        ("site.timezone", 'timezone = "MST7MDT"', '"America/Denver"'),
    ):
        line = next(n for n, t in enumerate(lines, 1) if t.startswith(written))
        said = [s for s in out.splitlines() if f"line {line}: {place}:" in s]
        assert len(said) == 1, (place, out)
        assert words in said[0], said[0]
    assert "exclude[0]" not in out
