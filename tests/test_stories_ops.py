"""Stories for operators: the admin's copy counts per source and `aggregator story <id>`."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask

from aggregator import cli
from aggregator.config import Config
from aggregator.models import Article
from aggregator.store import Store
from tests.support.feed_server import FeedServer
from tests.support.pipeline import make_config
from tests.support.web_server import HttpClient, http_client
from tests.test_health import with_ops
from tests.test_stories_store import COPY, ORIGINAL, article, refresh_all, rss

TOKEN = "correct horse battery staple"


@pytest.fixture
def web_config(feed_server: FeedServer) -> Config:
    return make_config(
        {"alpha": feed_server.url("/alpha.xml"), "beta": feed_server.url("/beta.xml")}
    )


@pytest.fixture
def copied(store: Store, feed_server: FeedServer, web_config: Config) -> tuple[str, str]:
    """alpha publishes an article, beta copies it; returns their ids."""
    urls = {
        "alpha": feed_server.add("/alpha.xml", rss([ORIGINAL])),
        "beta": feed_server.add("/beta.xml", rss([COPY])),
    }
    refresh_all(store, urls)
    return article(store, "alpha", "o1").id, article(store, "beta", "c1").id


def test_admin_shows_how_many_articles_copied_which_source(
    app: Flask, monkeypatch: pytest.MonkeyPatch, copied: tuple[str, str]
) -> None:
    monkeypatch.setenv("ADMIN_TOKEN", TOKEN)
    client: HttpClient = http_client(with_ops(app))
    assert client.post("/admin/login", data={"token": TOKEN}).status_code == 303
    beta = client.get("/admin/sources/beta").get_data(as_text=True)
    assert 'id="story-copies">1 (alpha: 1)' in beta
    alpha = client.get("/admin/sources/alpha").get_data(as_text=True)
    assert 'id="story-copies">0<' in alpha


def test_cli_prints_a_story_original_first(
    copied: tuple[str, str],
    redis_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    original, copy = copied
    monkeypatch.setenv("REDIS_URL", redis_url)
    assert cli.main(["story", copy]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].endswith("2 article(s) from 2 source(s)")
    assert lines[1].split()[:1] == ["original"]
    assert original in lines[1]
    assert lines[2].split()[:1] == ["copy"]
    assert copy in lines[2]
    assert cli.main(["story", "nope"]) == 1
    assert "no article 'nope'" in capsys.readouterr().err
    # As an operator copies it: its page's address, or its id in our feeds (both were "no
    # article").
    for given in (
        f"http://127.0.0.1:8000/a/{copy}",
        f"/a/{copy}/",
        f"urn:aggregator:article:{copy}",
    ):
        assert cli.main(["story", given]) == 0, given
        assert capsys.readouterr().out.splitlines()[2].split()[:1] == ["copy"]


def test_cli_story_writes_no_control_character_to_the_terminal(
    add_articles: Callable[..., list[Article]],
    redis_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A title stored with ESC and BEL (as ingest kept a title's "&#27;" until this session) set
    the operator's terminal's window title and cleared its screen: the other commands escape
    what they print, `story` printed titles as stored (red team)."""
    (stored,) = add_articles("alpha", title="Headline \x1b]0;owned\x07\x1b[2J\x9b31m end")
    monkeypatch.setenv("REDIS_URL", redis_url)
    assert cli.main(["story", stored.id]) == 0
    out = capsys.readouterr().out
    assert "Headline" in out
    assert not any((ord(c) < 32 and c != "\n") or 0x7F <= ord(c) <= 0x9F for c in out), repr(out)
