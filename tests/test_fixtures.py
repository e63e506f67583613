"""The project's own small fixtures through the real code paths: what the corpus proves, in a clone.

tests/fixtures/ holds one short document per core case of the external corpus (legacy Chinese
encodings, UTF-16, a wrong declaration, RSS 0.91 to 2.0, Atom, JSON Feed, an HTML page, readable
broken XML, gzip served as XML, broken OPML); tests/support/fixtures.py says what each must give.
These tests need nothing outside the repository.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from aggregator import cli
from aggregator.config import load_config
from aggregator.errors import ParseError
from aggregator.fetch import Fetcher
from aggregator.models import Outcome
from aggregator.normalize import normalize
from aggregator.opml import import_feeds, parse_opml
from aggregator.parse import parse
from aggregator.store import Store
from tests.support.feed_server import FeedServer
from tests.support.fixtures import (
    FEEDS,
    FIXTURES,
    HTML_PAGE,
    HTML_PAGE_FEEDS,
    HTML_PAGE_URL,
    Feed,
    generated,
)
from tests.support.pipeline import ROOT, ingest_with_burst_worker, make_config

URL = "https://example.com/feed"
SOURCE = make_config({"fixture": URL}).sources[0]
NOW = datetime(2026, 12, 1, tzinfo=UTC)  # after every date the fixtures hold


def by_name(feed: Feed) -> str:
    return feed.name


def test_generated_fixtures_match_the_text_they_are_made_from() -> None:
    for name, body in generated().items():
        assert (FIXTURES / name).read_bytes() == body, "run `python -m tests.support.fixtures`"


def test_the_legacy_fixtures_really_are_in_their_encodings() -> None:
    """Otherwise the decoding tests below would prove nothing."""
    for name in ("gb2312.xml", "gbk.xml", "big5.xml", "wrong-declaration-gb2312.xml"):
        with pytest.raises(UnicodeDecodeError):
            (FIXTURES / name).read_bytes().decode("utf-8")
    gbk = (FIXTURES / "gbk.xml").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        gbk.decode("gb2312")  # declared GB2312, but holds characters only GBK has
    assert (FIXTURES / "utf16-bom.xml").read_bytes()[:2] == b"\xff\xfe"
    assert (FIXTURES / "gzipped-rss20.xml").read_bytes()[:2] == b"\x1f\x8b"


# --- parse and normalize -----------------------------------------------------------------------


@pytest.mark.parametrize("feed", FEEDS, ids=by_name)
def test_fixture_parses_to_its_titles_and_entries(feed: Feed) -> None:
    parsed = parse(feed.path.read_bytes(), url=URL, headers={"Content-Type": feed.content_type})
    assert parsed.title == feed.title
    first = parsed.entries[0]
    assert (first.title or first.summary) == feed.first
    assert len(parsed.entries) == feed.entries
    if feed.warning:
        assert parsed.warning is not None
        assert feed.warning in parsed.warning
    else:
        assert parsed.warning is None
    texts = [parsed.title or ""] + [(e.title or "") + (e.summary or "") for e in parsed.entries]
    assert not any("\ufffd" in t for t in texts), texts


@pytest.mark.parametrize("feed", FEEDS, ids=by_name)
def test_fixture_normalizes_to_distinct_clean_articles(feed: Feed) -> None:
    parsed = parse(feed.path.read_bytes(), url=URL, headers={"Content-Type": feed.content_type})
    articles = normalize(parsed, SOURCE, now=NOW)
    assert len(articles) == feed.entries  # rss20.xml's two items sharing a guid both stay
    assert len({a.id for a in articles}) == len(articles)
    for article in articles:
        assert article.title.strip()
        assert article.url == "" or article.url.startswith(("https://", "http://"))
        assert "<script" not in article.content.lower()
        assert article.published.utcoffset() is not None
        assert article.published <= NOW


def test_chinese_fixtures_normalize_to_chinese_text_and_language() -> None:
    for name, title, summary, language in (
        ("gb2312.xml", "春节前铁路客流创新高", "多条线路增开夜间列车", "zh-CN"),
        ("gbk.xml", "王堃谈乡村教师的二十年", "从一所小学到整个县城", "zh-CN"),
        ("big5.xml", "臺北捷運新路線今日通車", "沿線居民表示", "zh-TW"),
    ):
        parsed = parse((FIXTURES / name).read_bytes(), url=URL, headers={})
        article = normalize(parsed, SOURCE, now=NOW)[0]
        assert article.title == title
        assert article.summary.startswith(summary)
        assert article.language == language


def test_each_rss_version_and_atom_give_their_fields() -> None:
    rss091 = parse((FIXTURES / "rss091.xml").read_bytes(), url=URL, headers={})
    assert rss091.entries[1].link == "http://harbour.example.org/2026/lighthouse.html"
    assert rss091.language == "en-us"
    rss092 = parse((FIXTURES / "rss092.xml").read_bytes(), url=URL, headers={})
    assert rss092.entries[1].enclosures[0].url == "http://allotment.example.org/radio/12.mp3"
    assert rss092.entries[2].title is None  # RSS 0.92 items may have no title
    rdf = parse((FIXTURES / "rss10.rdf").read_bytes(), url=URL, headers={})
    assert rdf.entries[0].author == "Parish Clerk"
    assert rdf.entries[0].updated is not None  # dc:date
    assert rdf.entries[0].updated.isoformat() == "2026-10-12T08:00:00+00:00"
    atom = parse((FIXTURES / "atom10.xml").read_bytes(), url=URL, headers={})
    assert atom.link == "https://notes.example.org/"  # xml:base resolves the relative links
    assert atom.entries[0].link == "https://notes.example.org/2026/09/swifts"
    assert atom.entries[1].title == "A <em>heron</em> on the roof"
    assert atom.language == "en"
    json_feed = parse((FIXTURES / "jsonfeed11.json").read_bytes(), url=URL, headers={})
    assert json_feed.entries[0].tags == ("bread", "fermentation")
    assert json_feed.entries[1].author == "Sam Baker"  # the feed's author, inherited


def test_malformed_but_readable_xml_keeps_its_text() -> None:
    parsed = parse((FIXTURES / "malformed-readable.xml").read_bytes(), url=URL, headers={})
    assert parsed.entries[1].title == "Best mushy peas © 2026"  # an HTML entity, undeclared
    assert parsed.entries[0].link == "https://chips.example.co.uk/debate?a=1&b=2"
    assert parsed.warning is not None
    assert "line 4" in parsed.warning


def test_html_page_names_the_feeds_it_advertises() -> None:
    with pytest.raises(ParseError) as raised:
        parse(HTML_PAGE.read_bytes(), url=HTML_PAGE_URL, headers={"Content-Type": "text/html"})
    assert raised.value.message == (
        "This is an HTML page, not a feed. The page advertises feeds at "
        f"{', '.join(HTML_PAGE_FEEDS)}; use one of those URLs."
    )


# --- over HTTP ---------------------------------------------------------------------------------


def test_fixtures_arrive_byte_for_byte_and_parse_with_the_served_headers(
    feed_server: FeedServer,
) -> None:
    config = make_config({})
    with Fetcher(config.fetch, "aggregator-test/1") as fetcher:
        for feed in FEEDS:
            url = feed_server.serve_file(f"/{feed.name}", feed.path, feed.content_type)
            result = fetcher.fetch(url)
            assert result.body == feed.path.read_bytes(), feed.name
            parsed = parse(result.body, url=result.url, headers=result.headers)
            assert parsed.title == feed.title, feed.name


def test_every_fixture_ends_stored_or_with_a_readable_error_through_a_real_worker(
    store: Store, feed_server: FeedServer, redis_url: str
) -> None:
    urls = {}
    for n, feed in enumerate(FEEDS):
        urls[f"f{n}"] = feed_server.serve_file(f"/{feed.name}", feed.path, feed.content_type)
    urls["page"] = feed_server.serve_file("/notes/", HTML_PAGE, "text/html")
    config = make_config(urls, batch_size=5)
    ingest_with_burst_worker(redis_url, store, config, 120)
    states = store.get_states(list(urls))
    for n, feed in enumerate(FEEDS):
        state = states[f"f{n}"]
        assert state.outcome is Outcome.OK, (feed.name, state.outcome, state.last_error)
        stored = store.source_articles(f"f{n}", 50)
        assert len(stored) == feed.entries, feed.name
        titles = {a.title for a in stored}
        assert any(t.startswith(feed.first[:10]) for t in titles), (feed.name, titles)
        assert not any("\ufffd" in t for t in titles), (feed.name, titles)
    page = states["page"]
    assert page.outcome is Outcome.PARSE_ERROR
    assert feed_server.url("/feed.xml") in page.last_error


# --- OPML --------------------------------------------------------------------------------------


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "aggregator.toml"
    shutil.copy(ROOT / "aggregator.example.toml", path)
    return path


def test_opml_with_bare_ampersands_is_imported_whole(config_file: Path) -> None:
    parsed = parse_opml((FIXTURES / "ampersands.opml").read_bytes())
    assert parsed.warning == ""
    assert [f.folder for f in parsed.feeds] == [
        "News & Politics",
        "News & Politics",
        "Food & Drink",
        "Food & Drink",
        "",
    ]
    assert parsed.feeds[1].url == "http://harbour.example.org/rss.xml?format=rss&v=0.91"
    before = load_config(config_file)
    report = import_feeds(config_file, parsed.feeds)
    assert not report.error, report.error
    assert len(report.added) == 5
    assert report.categories_created == ["news-politics", "food-drink", "imported"]
    after = load_config(config_file)
    assert len(after.sources) == len(before.sources) + 5
    assert any(s.name == "城市晚报" for s in after.sources)


def test_partly_broken_opml_reports_what_was_lost() -> None:
    parsed = parse_opml((FIXTURES / "partly-broken.opml").read_bytes())
    assert [f.title for f in parsed.feeds] == [
        "Field Notes",
        "Village Bulletin",
        "Kitchen Log",
        "Allotment Radio",
    ]
    assert "line 8" in parsed.warning
    assert "1 of its 5 feeds" in parsed.warning


def test_cli_import_opml_adds_the_fixture_feeds(
    config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    opml = str(FIXTURES / "ampersands.opml")
    assert cli.main(["--config", str(config_file), "import-opml", opml]) == 0
    out = capsys.readouterr().out
    assert "added 5 source(s)" in out
    assert "new categories: news-politics, food-drink, imported" in out
    assert cli.main(["--config", str(config_file), "import-opml", opml]) == 0
    assert "added 0 source(s)" in capsys.readouterr().out
