"""Full text for summary-only sources, through the real pipeline with loopback pages."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from aggregator.config import FetchConfig
from aggregator.fetch import Fetcher
from aggregator.fulltext import enrich
from aggregator.models import Article, Outcome
from aggregator.refresh import refresh_source
from aggregator.store import Store
from tests.support.feed_server import FeedServer
from tests.support.pipeline import make_config

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
PAGES = Path(__file__).parent / "fixtures" / "pages"


def _feed(items: dict[str, str]) -> bytes:
    """A summary-only RSS feed: {guid: page URL}, each item a one-line teaser."""
    body = "".join(
        f'<item><guid isPermaLink="false">{guid}</guid><title>Item {guid}</title><link>{url}</link>'
        f"<description>Teaser for {guid}…</description></item>"
        for guid, url in items.items()
    )
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
        f"<link>http://127.0.0.1/</link>{body}</channel></rss>"
    ).encode()


def _refresh(store: Store, url: str, now: datetime = NOW) -> None:
    config = make_config({"src": url}, deadline=3.0, read_timeout=1.5, max_body_bytes=100_000)
    source = replace(config.sources[0], full_text=True)
    with Fetcher(config.fetch, "aggregator-test/1") as fetcher:
        result = refresh_source(source, config, store, fetcher, now=now, rng=random.Random(1))
    assert result.outcome is Outcome.OK, result.error


def test_pages_are_extracted_sanitized_and_failures_fall_back_and_are_counted(
    store: Store, feed_server: FeedServer
) -> None:
    pages = {
        "en": feed_server.add("/en", (PAGES / "en.html").read_bytes(), content_type="text/html"),
        "zh": feed_server.add(
            "/zh", (PAGES / "zh.html").read_bytes(), content_type="text/html; charset=utf-8"
        ),
        "slow": feed_server.hang("/slow"),
        "big": feed_server.add("/big", b"<p>" + b"x" * 300_000, content_type="text/html"),
        "pdf": feed_server.add("/pdf", b"%PDF-1.7 ...", content_type="application/pdf"),
        "short": feed_server.add(
            "/short",
            b"<html><body><p>Subscribe to read.</p></body></html>",
            content_type="text/html",
        ),
        "gone": feed_server.add("/gone", b"no", status=404, content_type="text/plain"),
    }
    feed_url = feed_server.add("/feed", _feed(pages), content_type="application/rss+xml")
    _refresh(store, feed_url)

    articles = {a.guid: a for a in store.source_articles("src", 20)}
    en, zh = articles["en"], articles["zh"]
    assert en.full_text == "ok"
    assert "harbour reopened on Tuesday" in en.content
    assert "Insurance assessors" in en.content
    for junk in ("<script", "<form", "tracker", "pixel.gif", "Most read", "First!", "Sign in"):
        assert junk not in en.content, junk
    assert en.thumbnail == "https://news.example/img/harbour-large.jpg"  # the page's og:image
    assert zh.full_text == "ok"
    assert "本市港口于周二上午重新开放" in zh.content
    assert "热门文章" not in zh.content
    assert "hm.gif" not in zh.content

    reasons = {guid: articles[guid].full_text.split(":")[0] for guid in pages if guid not in "enzh"}
    assert reasons == {
        "slow": "timeout",
        "big": "too-large",
        "pdf": "not-html",
        "short": "too-short",
        "gone": "http-error",
    }
    for guid in reasons:
        assert articles[guid].content == f"Teaser for {guid}…"  # the feed's own text
    state = store.get_state("src")
    assert state.full_text_failures == 5
    assert state.full_text_error

    # The next refresh (a changed feed) fetches no page twice and keeps what was extracted.
    before = {path: len(feed_server.requests(path)) for path in ("/en", "/zh", "/pdf", "/short")}
    pages["new"] = feed_server.add(
        "/new", (PAGES / "en.html").read_bytes(), content_type="text/html"
    )
    feed_server.add("/feed", _feed(pages), content_type="application/rss+xml")
    _refresh(store, feed_url, NOW + timedelta(hours=1))
    after = {path: len(feed_server.requests(path)) for path in before}
    assert after == before
    assert len(feed_server.requests("/new")) == 1
    articles = {a.guid: a for a in store.source_articles("src", 20)}
    assert "harbour reopened on Tuesday" in articles["en"].content
    assert articles["new"].full_text == "ok"
    assert store.get_state("src").full_text_failures == 5


def test_a_page_at_a_private_address_is_not_fetched_unless_allowed(
    feed_server: FeedServer,
) -> None:
    url = feed_server.add("/en", (PAGES / "en.html").read_bytes(), content_type="text/html")
    article = Article(
        id="a", source_id="src", guid="a", url=url, title="A", summary="", content="<p>T</p>",
        author="", published=NOW, updated=NOW, source_name="S", source_url="",
    )  # fmt: skip
    source = make_config({"src": url}).sources[0]
    with Fetcher(FetchConfig(allow_private_networks=False), "aggregator-test/1") as fetcher:
        [kept], outcome = enrich([article], source, {}, fetcher)
    assert kept.full_text.startswith("blocked")
    assert kept.content == "<p>T</p>"
    assert outcome.failures == 1
    assert feed_server.requests("/en") == []


def test_page_fetches_are_bounded_per_refresh_and_the_rest_wait(feed_server: FeedServer) -> None:
    url = feed_server.add("/en", (PAGES / "en.html").read_bytes(), content_type="text/html")
    articles = [
        Article(
            id=f"a{i}",
            source_id="src",
            guid=f"a{i}",
            url=f"{url}?{i}",
            title="A",
            summary="",
            content="<p>T</p>",
            author="",
            published=NOW,
            updated=NOW,
            source_name="S",
            source_url="",
        )
        for i in range(5)
    ]
    source = make_config({"src": url}).sources[0]
    with Fetcher(FetchConfig(allow_private_networks=True), "aggregator-test/1") as fetcher:
        done, outcome = enrich(articles, source, {}, fetcher, limit=3)
        assert [a.full_text for a in done] == ["ok", "ok", "ok", "", ""]
        assert outcome.fetched == 3
        # The next refresh: the three are kept without a fetch, the two are tried now.
        stored = {a.id: a for a in done[:3]}
        again, outcome = enrich(articles, source, stored, fetcher, limit=3)
        assert [a.full_text for a in again] == ["ok"] * 5
        assert outcome.fetched == 2
        assert again[0].content == done[0].content
        _, late = enrich(articles, source, {}, fetcher, seconds=0.0)
        assert late.fetched == 0
    assert len(feed_server.requests("/en")) == 5
