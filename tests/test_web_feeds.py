"""Serving merged feeds and OPML: round trips, validators, caching, compression, headers."""

from __future__ import annotations

import contextlib
import email.utils
import functools
import gzip
import html
import io
import json
import os
import random
import string
import subprocess
import sys
import threading
import time
import tracemalloc
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

import feedparser
import httpx
import pytest
from flask import Flask, Request
from werkzeug.exceptions import BadRequest

from aggregator import config as config_module
from aggregator import web as web_module
from aggregator.config import Config, ServeConfig
from aggregator.language import written_in
from aggregator.models import Article, Outcome, SourceState
from aggregator.normalize import UNTITLED
from aggregator.redis_server import WEB
from aggregator.refresh import join_stories
from aggregator.sanitize import MAX_CONTENT_CHARS
from aggregator.store import Store
from aggregator.syndication import CONTENT_TYPES, FEED_CONTENT_CHARS, ITUNES_NS, entry_id
from aggregator.web import CONTENT_SECURITY_POLICY, WebState, create_app
from aggregator.web import embed as web_embed
from aggregator.web import feeds as web_feeds
from aggregator.web.cache import SETTLED, PageCache, RenderCache, Rendered
from aggregator.web.feeds import is_not_modified, parse_limit
from tests.support.pipeline import wait_for
from tests.support.web_server import (
    HttpClient,
    LiveServer,
    http_client,
    make_config,
    redis_connections_held,
)

AddArticles = Callable[..., list[Article]]
FORMATS = ("atom", "rss", "json")
SLUGS = ("tech", "world", None)


def serving(config: Config, store: Store, redis_url: str) -> HttpClient:
    """A client of a web process serving `config`, published as the scheduler publishes it."""
    store.publish_config(config_module.dumps(config))
    return http_client(create_app(config, redis_url, recheck_interval=0))


def feed_url(slug: str | None, fmt: str) -> str:
    return f"/c/{slug}/feed.{fmt}" if slug else f"/feed.{fmt}"


def state_of(app: Flask) -> WebState:
    state: WebState = app.extensions["aggregator"]
    return state


def parse_xml_feed(body: bytes, content_type: str) -> Any:
    parsed = feedparser.parse(io.BytesIO(body), response_headers={"content-type": content_type})
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


def struct(value: datetime) -> tuple[int, ...]:
    return tuple(value.astimezone(UTC).timetuple())[:6]


@pytest.fixture
def filled(add_articles: AddArticles) -> dict[str, list[Article]]:
    """Articles in every source, interleaved in time so the merged feeds really merge."""
    made: dict[str, list[Article]] = {"hacker-blog": [], "people-daily": [], "mixed": []}
    for _ in range(3):
        for source_id in made:
            made[source_id] += add_articles(source_id, 2)
    return made


# --- round trips ------------------------------------------------------------------------------


@pytest.mark.parametrize("slug", SLUGS)
@pytest.mark.parametrize("fmt", ["atom", "rss"])
def test_xml_feeds_round_trip_through_feedparser(
    client: HttpClient, store: Store, filled: dict[str, list[Article]], slug: str | None, fmt: str
) -> None:
    response = client.get(feed_url(slug, fmt))
    assert response.status_code == 200
    parsed = parse_xml_feed(response.data, response.headers["Content-Type"])
    expected, _ = store.category_page(slug, 50)
    in_category = [
        a for arts in filled.values() for a in arts if slug is None or slug in a.categories
    ]
    assert {a.id for a in expected} == {a.id for a in in_category}  # what the test saved is there
    assert len(parsed.entries) == len(expected) > 0

    for entry, article in zip(parsed.entries, expected, strict=True):
        assert entry.id == entry_id(article)
        assert entry.title == article.title
        assert entry.link == article.url
        assert entry.published_parsed[:6] == struct(article.published)
        if fmt == "atom":
            assert entry.updated_parsed[:6] == struct(article.updated)
            enclosures = article.enclosures
            assert entry.source.title == article.source_name
            assert entry.source.link == article.source_url
        else:
            enclosures = article.enclosures[:1]  # RSS allows one per item
            assert entry.source.title == article.source_name
            assert entry.source.href == article.source_url
        assert [(e.href, e.type, int(e.length)) for e in entry.enclosures] == [
            (e.url, e.type, e.length) for e in enclosures
        ]
        # (its byline with its source beside it: readers show no <source>; in RSS after a comma,
        # as syndication._bylined says why)
        beside = f", {article.source_name}" if fmt == "rss" else f" ({article.source_name})"
        byline = article.author + beside if article.author else ""
        assert entry.author == (byline or article.source_name)
    # The newest first, over sources: the merge really interleaves them.
    published = [a.published for a in expected]
    assert published == sorted(published, reverse=True)
    if slug is None:
        assert {a.source_id for a in expected} == {"hacker-blog", "people-daily", "mixed"}

    feed = parsed.feed
    site = "Test Aggregator"
    assert feed.title == (
        site if slug is None else f"{site} — {'Technology' if slug == 'tech' else 'World 世界'}"
    )
    assert feed.language == "en"
    page = f"{client.url}/c/{slug}/" if slug else f"{client.url}/"
    assert {(link.rel, link.href) for link in feed.links} >= {
        ("self", client.url + feed_url(slug, fmt)),
        ("alternate", page),
    }
    newest = max(a.updated for a in expected)
    # Last-Modified, and the feed's own date: when the content last changed (these articles are
    # dated before they were stored, so that is the save, not the newest article's own time).
    changed = store.category_changed_at(slug)
    assert changed is not None
    assert changed >= newest
    # (Last-Modified: the change's second, or the next once that second is over.)
    last_modified = parsedate_to_datetime(response.headers["Last-Modified"])
    assert last_modified - changed.replace(microsecond=0) in (timedelta(0), timedelta(seconds=1))
    assert feed.updated_parsed[:6] == struct(changed)
    subtitle = {"tech": "Software & hardware news"}.get(
        slug or "", "Everything the test sources publish"
    )
    # (RSS's description is HTML to readers: escaped once more, so "<" stays text.)
    assert (html.unescape(feed.subtitle) if fmt == "rss" else feed.subtitle) == subtitle
    if fmt == "atom":
        assert feed.icon == "https://static.example/icon.png"
    else:
        assert feed.image.href == "https://static.example/icon.png"


@pytest.mark.parametrize("slug", SLUGS)
def test_json_feed_matches_redis(
    client: HttpClient, store: Store, filled: dict[str, list[Article]], slug: str | None
) -> None:
    # feedparser cannot read JSON Feed (docs/architecture.md, "Library pitfalls"), so the spec's
    # fields are checked directly.
    response = client.get(feed_url(slug, "json"))
    feed = json.loads(response.data)
    expected, _ = store.category_page(slug, 50)
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["feed_url"] == client.url + feed_url(slug, "json")
    assert feed["home_page_url"] == (f"{client.url}/c/{slug}/" if slug else f"{client.url}/")
    assert [item["id"] for item in feed["items"]] == [entry_id(a) for a in expected]
    for item, article in zip(feed["items"], expected, strict=True):
        assert item["title"] == article.title
        assert item["url"] == article.url
        assert datetime.fromisoformat(item["date_published"]) == article.published
        assert datetime.fromisoformat(item["date_modified"]) == article.updated
        assert [
            (a["url"], a["mime_type"], a["size_in_bytes"]) for a in item.get("attachments", [])
        ] == [(e.url, e.type, e.length) for e in article.enclosures]
        named = {"title": article.source_name, "url": article.source_url}
        if article.language and written_in(article.language, article.source_name):
            named["language"] = article.language
        assert item["_source"] == named
        assert item.get("image", "") == article.thumbnail


def test_empty_category_is_a_valid_feed(client: HttpClient) -> None:
    for fmt in ("atom", "rss"):
        response = client.get(feed_url("quiet", fmt))
        assert response.status_code == 200
        assert parse_xml_feed(response.data, response.headers["Content-Type"]).entries == []
        assert response.headers["ETag"]
    assert json.loads(client.get("/c/quiet/feed.json").data)["items"] == []


def test_an_empty_feed_is_dated_by_its_config_not_1970(
    app: Flask, client: HttpClient, store: Store, web_config: Config
) -> None:
    """A feed with no articles yet still needs an Atom <updated>: when the config it shows was
    published, not the epoch (a feed reader shows that date)."""
    renamed = replace(web_config, site=replace(web_config.site, title="Quiet Desk"))
    store.publish_config(config_module.dumps(renamed), now=datetime(2026, 11, 30, 8, 0, tzinfo=UTC))
    state_of(app).settings.recheck_interval = 0
    atom = parse_xml_feed(client.get(feed_url("quiet", "atom")).data, CONTENT_TYPES["atom"])
    assert atom.entries == []
    assert atom.feed.title == "Quiet Desk — Quiet"
    assert atom.feed.updated_parsed[:6] == (2026, 11, 30, 8, 0, 0)
    # The header says what the feed says (it said nothing: a client could not ask for a 304).
    for fmt in ("atom", "rss", "json"):
        response = client.get(feed_url("quiet", fmt))
        assert response.headers["Last-Modified"] == "Mon, 30 Nov 2026 08:00:00 GMT"
        again = client.get(
            feed_url("quiet", fmt), headers={"If-Modified-Since": response.headers["Last-Modified"]}
        )
        assert again.status_code == 304


def test_hub_and_logo_are_advertised(
    redis_url: str, store: Store, add_articles: AddArticles
) -> None:
    config = make_config(hub="https://hub.example/", logo="https://static.example/logo.png")
    store.publish_config(config_module.dumps(config))
    client = http_client(create_app(config, redis_url))
    add_articles("hacker-blog", 1)
    atom = parse_xml_feed(client.get("/feed.atom").data, CONTENT_TYPES["atom"])
    rss = parse_xml_feed(client.get("/feed.rss").data, CONTENT_TYPES["rss"])
    for parsed in (atom, rss):
        assert ("hub", "https://hub.example/") in {(lnk.rel, lnk.href) for lnk in parsed.feed.links}
    assert atom.feed.logo == "https://static.example/logo.png"
    assert json.loads(client.get("/feed.json").data)["hubs"] == [
        {"type": "WebSub", "url": "https://hub.example/"}
    ]


@pytest.mark.parametrize("slug", SLUGS)
@pytest.mark.parametrize("fmt", ["atom", "rss"])
def test_the_only_alternate_link_is_the_html_page(
    client: HttpClient,
    web_config: Config,
    filled: dict[str, list[Article]],
    slug: str | None,
    fmt: str,
) -> None:
    # newsboat took the JSON feed, offered as a second alternate, for the category's web page.
    response = client.get(feed_url(slug, fmt))
    root = ET.fromstring(response.data)
    channel = root if fmt == "atom" else root.find("channel")
    assert channel is not None
    atom_links = channel.findall("{http://www.w3.org/2005/Atom}link")
    alternates = [ln.get("href") for ln in atom_links if ln.get("rel", "alternate") == "alternate"]
    if fmt == "rss":
        alternates += [ln.text for ln in channel.findall("link")]
    page = web_config.site.base_url + (f"/c/{slug}/" if slug else "/")
    assert alternates == [page]
    parsed = parse_xml_feed(response.data, response.headers["Content-Type"])
    assert parsed.feed.link == page


# --- self links, types, limits ----------------------------------------------------------------


def self_link(fmt: str, response: httpx.Response) -> str:
    if fmt == "json":
        return str(json.loads(response.content)["feed_url"])
    parsed = parse_xml_feed(response.content, response.headers["content-type"])
    return str(next(lnk.href for lnk in parsed.feed.links if lnk.rel == "self"))


# Distinct feed URLs of one category, each rendered at its first request (a rendering is kept
# per format, limit and collapse): what a test of renders asks for.
COLD = [
    f"/c/tech/feed.{fmt}?limit={limit}&collapse={collapse}"
    for collapse in (0, 1)
    for limit in (5, 10, 20, 25, 50, 100, 200)
    for fmt in FORMATS
]


@pytest.mark.parametrize("fmt", FORMATS)
def test_self_link_is_the_requested_url(
    live_server: LiveServer, add_articles: AddArticles, fmt: str
) -> None:
    add_articles("mixed", 3)
    for path in (feed_url("tech", fmt), feed_url(None, fmt)):
        for query in ("", "?limit=5"):
            url = live_server.url + path + query
            response = httpx.get(url)
            assert response.status_code == 200
            assert self_link(fmt, response) == url


@pytest.mark.parametrize("fmt", FORMATS)
def test_content_type_names_the_format_and_charset(client: HttpClient, fmt: str) -> None:
    response = client.get(feed_url("world", fmt))
    assert response.headers["Content-Type"] == CONTENT_TYPES[fmt]
    assert "charset=utf-8" in response.headers["Content-Type"]


def test_limit_defaults_to_50_and_is_capped_at_200(
    client: HttpClient, add_articles: AddArticles
) -> None:
    add_articles("hacker-blog", 210)

    def count(query: str) -> int:
        response = client.get("/c/tech/feed.json" + query, follow_redirects=True)
        assert response.status_code == 200
        return len(json.loads(response.data)["items"])

    assert count("") == 50
    assert count("?limit=5") == 5
    assert count("?limit=200") == 200
    assert count("?limit=1000") == 200
    # Another limit is the next one a rendering is kept for (to_cached_limit).
    assert count("?limit=7") == 10
    assert count("?limit=0") == 5
    assert count("?limit=-4") == 5
    # However long the number, it reads as any other past the ends (a 400 here was uneven).
    assert count("?limit=" + "9" * 12) == 200
    assert count("?limit=" + "9" * 5000) == 200
    assert count("?limit=-" + "9" * 12) == 5
    assert count("?limit=" + "0" * 20 + "20") == 20
    parsed = parse_xml_feed(
        client.get("/c/tech/feed.atom?limit=120", follow_redirects=True).data,
        CONTENT_TYPES["atom"],
    )
    assert len(parsed.entries) == 200


@pytest.mark.parametrize("raw", ["abc", "", "1.5", " 5", "5 ", "1_0", "٣", "0x10", "+-1", "5e3"])
def test_limit_that_is_not_a_whole_number_is_a_400(client: HttpClient, raw: str) -> None:
    response = client.get("/feed.atom", query_string={"limit": raw})
    assert response.status_code == 400
    with pytest.raises(BadRequest, match="whole number"):
        parse_limit(raw)


def test_unknown_category_or_format_is_a_404(client: HttpClient) -> None:
    for path in (
        "/c/nope/feed.atom",
        "/c/nope/feed.rss",
        "/c/nope/feed.json",
        "/c/nope/sources.opml",
        "/c/nope/rss",
        "/feeds.xml",
        "/c/tech/feed.html",
    ):
        assert client.get(path).status_code == 404, path


def test_guessed_feed_addresses_lead_to_our_feeds(client: HttpClient) -> None:
    """Feed readers that do not read a page's <link rel="alternate">, and people, try "/feed",
    "/rss", "/feed.xml" or "/c/<slug>/rss": each was a 404 (an operator's review)."""
    for path, location in (
        ("/feed", "/feed.atom"),
        ("/feed.xml", "/feed.atom"),
        ("/atom.xml", "/feed.atom"),
        ("/index.xml", "/feed.atom"),
        ("/rss", "/feed.rss"),
        ("/rss.xml?limit=5", "/feed.rss?limit=5"),
        ("/c/tech/feed", "/c/tech/feed.atom"),
        ("/c/tech/rss", "/c/tech/feed.rss"),
        ("/c/Tech/rss", "/c/tech/feed.rss"),  # (one hop, not two)
        ("/c/all/feed.xml", "/feed.atom"),
    ):
        response = client.get(path)
        assert response.status_code == 301, path
        assert response.headers["Location"].endswith(location), path
        assert client.get(response.headers["Location"]).status_code == 200, path


def test_a_feed_address_with_a_trailing_slash_leads_to_the_feed(client: HttpClient) -> None:
    """A slash after a feed's address was a 404 page: "/feed/" (WordPress's feed, the address
    readers and people try first), "/rss/" (Ghost's), and "/c/<slug>/feed.atom/", a slip in an
    address written by hand. Each is a 301 to the feed, as the guessed addresses are (feed
    readers move a subscription on a 301), with CORS for a partner's script."""
    for path, location in (
        ("/feed.atom/", "/feed.atom"),
        ("/feed.json/?limit=5", "/feed.json?limit=5"),
        ("/c/tech/feed.rss/", "/c/tech/feed.rss"),
        ("/c/tech/feed.json/", "/c/tech/feed.json"),
        ("/feed/", "/feed.atom"),
        ("/rss/", "/feed.rss"),
        ("/c/tech/feed/", "/c/tech/feed.atom"),
        ("/c/tech/rss.xml/?limit=5", "/c/tech/feed.rss?limit=5"),
        ("/c/all/feed/", "/feed.atom"),
        ("/c/all/feed.json/", "/feed.json"),
    ):
        response = client.get(path)
        assert response.status_code == 301, path
        assert response.headers["Location"] == client.url + location, path
        assert response.headers["Access-Control-Allow-Origin"] == "*", path
        assert client.get(response.headers["Location"]).status_code == 200, path
    followed = client.get("/c/nope/feed.json/", follow_redirects=True)
    assert followed.status_code == 404
    assert followed.headers["Content-Type"] == "application/problem+json"


def test_a_category_slug_in_capitals_leads_to_the_category(client: HttpClient) -> None:
    """Slugs are lower case; "/c/Tech/" typed by a person was a 404."""
    for path, location in (
        ("/c/Tech/", "/c/tech/"),
        ("/c/TECH/feed.atom?limit=3", "/c/tech/feed.atom?limit=3"),
        ("/embed/Tech", "/embed/tech"),
    ):
        response = client.get(path)
        assert response.status_code == 301, path
        assert response.headers["Location"].endswith(location), path
    assert client.get("/c/Nope/").status_code == 404


def test_the_all_category_of_the_embeds_leads_to_the_merged_feed(client: HttpClient) -> None:
    """A partner site that embeds "all" and then asks for its feed finds the merged one."""
    for fmt in ("atom", "rss", "json"):
        response = client.get(f"/c/all/feed.{fmt}?limit=20")
        assert response.status_code == 308
        assert response.headers["Location"].endswith(f"/feed.{fmt}?limit=20")
        assert client.get(response.headers["Location"]).status_code == 200


# --- conditional GET, over real HTTP ----------------------------------------------------------


def test_conditional_get_answers_304(live_server: LiveServer, add_articles: AddArticles) -> None:
    add_articles("hacker-blog", 4)
    url = live_server.url + "/c/tech/feed.atom"
    with httpx.Client(headers={"Accept-Encoding": "identity"}) as http:
        first = http.get(url)
        assert first.status_code == 200
        etag, last_modified = first.headers["etag"], first.headers["last-modified"]
        assert etag.startswith('"')
        assert not etag.startswith("W/")

        for inm in (etag, f'"other", {etag}', f"W/{etag}", "*"):
            response = http.get(url, headers={"If-None-Match": inm})
            assert response.status_code == 304, inm
            assert response.content == b""
            assert response.headers["etag"] == etag
            assert response.headers["cache-control"].startswith("public")
            assert response.headers["access-control-allow-origin"] == "*"

        # (Last-Modified is the second after the change once that second is surely over
        # everywhere, cache.SETTLED: before, the change's own second, which a client's date
        # then does not cover, so one more 200.)
        time.sleep(SETTLED.total_seconds())
        last_modified = http.get(url).headers["last-modified"]
        assert http.get(url, headers={"If-Modified-Since": last_modified}).status_code == 304
        later = email.utils.format_datetime(datetime.now(UTC), usegmt=True)
        assert http.get(url, headers={"If-Modified-Since": later}).status_code == 304
        # A date later than the server's clock is no date (RFC 9110 §13.1.3): the body.
        future = "Thu, 01 Jan 2099 00:00:00 GMT"
        assert http.get(url, headers={"If-Modified-Since": future}).status_code == 200
        earlier = email.utils.format_datetime(
            email.utils.parsedate_to_datetime(last_modified) - timedelta(seconds=1), usegmt=True
        )
        assert http.get(url, headers={"If-Modified-Since": earlier}).status_code == 200
        # If-None-Match wins over the date (RFC 9110 §13.2.2).
        mixed = {"If-None-Match": '"stale"', "If-Modified-Since": last_modified}
        assert http.get(url, headers=mixed).status_code == 200

        add_articles("mixed", 1)
        changed = http.get(url, headers={"If-None-Match": etag, "If-Modified-Since": last_modified})
        assert changed.status_code == 200
        assert changed.headers["etag"] != etag


def test_etag_is_stable_and_changes_only_with_the_content(
    app: Flask, client: HttpClient, redis_url: str, web_config: Config, add_articles: AddArticles
) -> None:
    add_articles("hacker-blog", 3)
    add_articles("people-daily", 3)
    tech = client.get("/c/tech/feed.rss")
    merged = client.get("/feed.rss")
    assert client.get("/c/tech/feed.rss").headers["ETag"] == tech.headers["ETag"]

    # Another process renders the same bytes, so every web process answers with the same ETag.
    other = http_client(create_app(web_config, redis_url))
    again = other.get("/c/tech/feed.rss")
    assert again.data == tech.data
    assert again.headers["ETag"] == tech.headers["ETag"]

    # New content in another category leaves this one alone, but changes the merged feed.
    renders = state_of(app).feed_cache.renders
    add_articles("people-daily", 1)
    assert client.get("/c/tech/feed.rss").headers["ETag"] == tech.headers["ETag"]
    assert state_of(app).feed_cache.renders == renders  # served from the cache: not re-rendered
    assert client.get("/feed.rss").headers["ETag"] != merged.headers["ETag"]

    add_articles("hacker-blog", 1)
    assert client.get("/c/tech/feed.rss").headers["ETag"] != tech.headers["ETag"]


def test_gzip_is_served_to_clients_that_accept_it(
    live_server: LiveServer, add_articles: AddArticles
) -> None:
    add_articles("people-daily", 5)
    url = live_server.url + "/c/world/feed.atom"
    plain = httpx.get(url, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert plain.headers["vary"] == "Accept-Encoding"

    with (
        httpx.Client() as http,
        http.stream("GET", url, headers={"Accept-Encoding": "gzip, br;q=0.5"}) as compressed,
    ):
        raw = b"".join(compressed.iter_raw())
        headers = compressed.headers
    assert headers["content-encoding"] == "gzip"
    assert headers["vary"] == "Accept-Encoding"
    assert int(headers["content-length"]) == len(raw) < len(plain.content)
    assert gzip.decompress(raw) == plain.content
    # Each coding has its own strong ETag, which revalidates that coding (RFC 9110 §13.1.2:
    # the selected representation's).
    assert headers["etag"] != plain.headers["etag"]
    for etag, coding in ((headers["etag"], "gzip"), (plain.headers["etag"], "identity")):
        for encoding in ("gzip", "identity"):
            revalidated = httpx.get(
                url, headers={"If-None-Match": etag, "Accept-Encoding": encoding}
            )
            assert revalidated.status_code == (304 if encoding == coding else 200)

    refused = httpx.get(url, headers={"Accept-Encoding": "gzip;q=0, identity"})
    assert "content-encoding" not in refused.headers
    assert refused.content == plain.content


def test_head_sends_the_headers_without_a_body(
    client: HttpClient, add_articles: AddArticles
) -> None:
    add_articles("mixed", 2)
    get = client.get("/c/world/feed.json")
    head = client.head("/c/world/feed.json")
    assert head.status_code == 200
    assert head.data == b""
    assert head.headers["ETag"] == get.headers["ETag"]
    assert head.headers["Content-Length"] == str(len(get.data))


# --- headers ----------------------------------------------------------------------------------


def test_cache_control_cors_and_security_headers(client: HttpClient) -> None:
    for path in [feed_url(slug, fmt) for slug in SLUGS for fmt in FORMATS] + [
        "/sources.opml",
        "/c/tech/sources.opml",
    ]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == (
            "public, max-age=300, stale-while-revalidate=600"
        )
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    # (%2F is decoded before routing: no feeds route takes that address, the app's 404 does.)
    for path in ("/c/nope/feed.atom", "/feed.atom?limit=x", "/c/a%2Fb/feed.json"):
        response = client.get(path)
        assert response.status_code in (400, 404)
        assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        # a partner's script sees the status, not an opaque network error
        assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "'unsafe-inline'" not in CONTENT_SECURITY_POLICY
    assert "script-src 'self'" in CONTENT_SECURITY_POLICY


def test_a_partners_script_may_read_the_etag_and_send_conditional_requests(
    client: HttpClient,
) -> None:
    response = client.get("/c/tech/feed.json")
    assert response.headers["Access-Control-Expose-Headers"] == "ETag"
    preflight = client.options(
        "/c/tech/feed.json",
        headers={
            "Origin": "https://partner.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "if-none-match",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "If-None-Match" in preflight.headers["Access-Control-Allow-Headers"]
    # Any other header the script sends is allowed too (test_browser: Chromium refused them).
    preflight = client.options(
        "/c/tech/feed.json",
        headers={
            "Origin": "https://partner.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "cache-control,pragma, x-requested-with, bad name",
        },
    )
    allowed = preflight.headers["Access-Control-Allow-Headers"].split(", ")
    assert allowed == [
        "If-None-Match",
        "If-Modified-Since",
        "cache-control",
        "pragma",
        "x-requested-with",
    ]
    assert "Access-Control-Request-Headers" in preflight.headers["Vary"]
    revalidated = client.get(
        "/c/tech/feed.json", headers={"If-None-Match": response.headers["ETag"]}
    )
    assert revalidated.status_code == 304
    assert revalidated.headers["Access-Control-Allow-Origin"] == "*"


def test_a_preflight_echoes_a_few_header_names_and_reads_no_more(client: HttpClient) -> None:
    """The names a preflight lists were echoed, all of them, each checked against those taken
    so far: a preflight listing 40,000 (gunicorn joins a request's 50 header fields of 8 KB)
    held a worker for 30 s until gunicorn killed it, every connection it served with it, and
    an 8 KB field took 0.25 s. A browser lists the few its script sets; past that many, or one
    no header's name is that long, a preflight is not a browser's."""
    names = [f"x-{n:04d}" for n in range(2000)]  # (8 KB after "Access-Control-Request-Headers")
    preflight = client.options(
        "/c/tech/feed.json",
        headers={
            "Origin": "https://partner.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": ",".join(["cache-control", *names]),
        },
    )
    assert preflight.status_code == 200
    allowed = preflight.headers["Access-Control-Allow-Headers"].split(", ")
    assert allowed[:3] == ["If-None-Match", "If-Modified-Since", "cache-control"]
    assert len(allowed) <= 2 + web_feeds.MAX_REQUESTED_HEADERS
    long_name = "x-" + "a" * 8000
    preflight = client.options(
        "/c/tech/feed.json",
        headers={"Origin": "https://partner.example", "Access-Control-Request-Headers": long_name},
    )
    assert preflight.headers["Access-Control-Allow-Headers"] == "If-None-Match, If-Modified-Since"


def test_published_config_is_served_and_reloaded(
    app: Flask, client: HttpClient, store: Store, web_config: Config, add_articles: AddArticles
) -> None:
    add_articles("hacker-blog", 1)
    before = client.get("/c/tech/feed.atom")
    assert before.headers["Cache-Control"] == "public, max-age=300, stale-while-revalidate=600"

    renamed = replace(
        web_config,
        site=replace(web_config.site, title="Renamed Site"),
        serve=ServeConfig(cache_max_age=60, stale_while_revalidate=30),
    )
    # (Published in a later second than the article was saved, which HTTP dates can tell apart.)
    published = parsedate_to_datetime(before.headers["Last-Modified"]) + timedelta(seconds=2)
    store.publish_config(config_module.dumps(renamed), now=published)
    state_of(app).settings.recheck_interval = 0  # no waiting for the once-a-second check
    after = client.get("/c/tech/feed.atom")
    assert after.headers["Cache-Control"] == "public, max-age=60, stale-while-revalidate=30"
    # The cached rendering was made with the old config, so it is not served any more.
    assert (
        parse_xml_feed(after.data, CONTENT_TYPES["atom"]).feed.title == "Renamed Site — Technology"
    )
    assert after.headers["ETag"] != before.headers["ETag"]
    # A client revalidating by date alone must not get a 304 for the renamed feed either.
    since = before.headers["Last-Modified"]
    assert parsedate_to_datetime(after.headers["Last-Modified"]) == published
    assert client.get("/c/tech/feed.atom", headers={"If-Modified-Since": since}).status_code == 200


def test_a_config_edit_dates_only_the_feeds_whose_settings_it_changed(
    app: Flask, client: HttpClient, store: Store, web_config: Config, add_articles: AddArticles
) -> None:
    """A new source, or another category renamed, leaves a feed's <updated> and Last-Modified
    where they were (a feed reader asking If-Modified-Since gets its 304); renaming the feed's
    own category moves them."""
    add_articles("people-daily", 1)  # (world; tech is dated by its config alone)
    before = {fmt: client.get(feed_url("tech", fmt)) for fmt in ("atom", "rss", "json")}
    since = before["atom"].headers["Last-Modified"]
    later = parsedate_to_datetime(since) + timedelta(seconds=5)
    elsewhere = replace(
        web_config,
        categories=tuple(
            replace(c, title="Monde") if c.slug == "world" else c for c in web_config.categories
        ),
        sources=(*web_config.sources, replace(web_config.sources[0], id="new", name="New")),
    )
    store.publish_config(config_module.dumps(elsewhere), now=later)
    for fmt, response in before.items():
        again = client.get(feed_url("tech", fmt), headers={"If-Modified-Since": since})
        assert again.status_code == 304, fmt
        assert client.get(feed_url("tech", fmt)).data == response.data
    world = client.get(feed_url("world", "atom"))
    assert parsedate_to_datetime(world.headers["Last-Modified"]) == later  # its title changed

    renamed = replace(
        elsewhere,
        categories=tuple(
            replace(c, title="Tech") if c.slug == "tech" else c for c in elsewhere.categories
        ),
    )
    store.publish_config(config_module.dumps(renamed), now=later + timedelta(seconds=5))
    after = client.get(feed_url("tech", "atom"), headers={"If-Modified-Since": since})
    assert after.status_code == 200
    assert parsedate_to_datetime(after.headers["Last-Modified"]) == later + timedelta(seconds=5)
    feed = parse_xml_feed(after.data, CONTENT_TYPES["atom"]).feed
    assert feed.updated_parsed[:6] == (later + timedelta(seconds=5)).timetuple()[:6]


def test_a_new_intranet_source_elsewhere_leaves_a_feeds_date_alone(
    app: Flask, client: HttpClient, store: Store, web_config: Config, add_articles: AddArticles
) -> None:
    """A source whose URLs are not published (an intranet feed: allow_private_networks) added to
    another category left no feed's date alone: every feed's settings fingerprint held the ids
    of all such sources, so each feed's <updated> and Last-Modified moved to the edit's time
    and its If-Modified-Since readers got a 200 of what they had."""
    add_articles("people-daily", 1)  # (world; tech is dated by its config alone)
    state_of(app).settings.recheck_interval = 0  # no waiting for the once-a-second check
    world = web_config.source("people-daily")
    assert world is not None
    assert world.categories == ("world",)
    intranet = replace(world, id="intranet", allow_private_networks=("10.0.0.0/8",))
    assert not intranet.url_published
    first = replace(web_config, sources=(*web_config.sources, intranet))
    store.publish_config(config_module.dumps(first), now=datetime.now(UTC) - timedelta(minutes=1))
    before = {fmt: client.get(feed_url("tech", fmt)) for fmt in ("atom", "rss", "json")}
    since = before["atom"].headers["Last-Modified"]
    another = replace(intranet, id="intranet-2", name="Intranet 2")
    second = replace(first, sources=(*first.sources, another))
    store.publish_config(config_module.dumps(second), now=datetime.now(UTC))
    for fmt, response in before.items():
        again = client.get(feed_url("tech", fmt), headers={"If-Modified-Since": since})
        assert again.status_code == 304, fmt
        assert client.get(feed_url("tech", fmt)).data == response.data


def test_a_feeds_settings_fingerprint_is_the_same_in_every_process(web_config: Config) -> None:
    """The fingerprint of what a feed shows of the config is compared across web processes and
    restarts: it was the repr of a set of source ids, whose order is each process's string
    hashing (PYTHONHASHSEED), so two processes took one config for two, and dated the feed anew."""
    sources = tuple(
        replace(web_config.sources[0], id=f"intranet-{n}", allow_private_networks=("10.0.0.0/8",))
        for n in range(8)
    )
    config = replace(web_config, sources=(*web_config.sources, *sources))
    script = (
        "import sys; from aggregator import config as c; from aggregator.web import feeds;"
        "conf = c.loads(sys.stdin.read());"
        "print(feeds.settings_fingerprint(conf, None),"
        " feeds.settings_fingerprint(conf, conf.category('world')))"
    )
    prints = {
        subprocess.run(
            [sys.executable, "-c", script],
            input=config_module.dumps(config),
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
        ).stdout
        for seed in range(1, 4)  # (eleven ids: two seeds alone order them apart)
    }
    assert len(prints) == 1, prints


def test_a_category_may_say_its_feeds_language(
    redis_url: str, store: Store, web_config: Config, add_articles: AddArticles
) -> None:
    """Every feed said the site's language: "en" for a category whose items are all Chinese,
    which readers give to every item that does not say otherwise."""
    categories = tuple(
        replace(c, language="zh-CN") if c.slug == "world" else c for c in web_config.categories
    )
    config = replace(web_config, categories=categories)
    client = serving(config, store, redis_url)
    add_articles("people-daily", 2)
    rss = parse_xml_feed(client.get("/c/world/feed.rss").data, CONTENT_TYPES["rss"])
    assert rss.feed.language == "zh-CN"
    assert json.loads(client.get("/c/world/feed.json").data)["language"] == "zh-CN"
    atom = client.get("/c/world/feed.atom").data
    assert b'xml:lang="zh-CN"' in atom.split(b"<entry", 1)[0]
    tech = json.loads(client.get("/c/tech/feed.json").data)
    assert tech["language"] == "en"  # the others keep the site's


def test_a_category_of_podcasts_is_a_show_apple_podcasts_can_list(
    redis_url: str, store: Store, web_config: Config, add_articles: AddArticles
) -> None:
    """A category of podcasts had no <itunes:category> nor <itunes:explicit>: Apple's directory
    (and those that follow its tags) refuses such a show."""
    categories = tuple(
        replace(c, podcast_category=("News", "Daily News"), explicit=False)
        if c.slug == "world"
        else c
        for c in web_config.categories
    )
    config = replace(web_config, categories=categories)
    client = serving(config, store, redis_url)
    add_articles("people-daily", 1)
    rss = client.get("/c/world/feed.rss").data
    channel = ET.fromstring(rss).find("channel")
    category = channel.find(f"{{{ITUNES_NS}}}category")
    assert category.get("text") == "News"
    assert [c.get("text") for c in category] == ["Daily News"]
    assert channel.find(f"{{{ITUNES_NS}}}explicit").text == "false"
    assert channel.find(f"{{{ITUNES_NS}}}author").text == config.site.title
    # As a podcast app's parser reads it (feedparser files itunes categories as tags; it knows
    # only the explicit values Apple used before 2019, "yes" and "clean").
    feed = parse_xml_feed(rss, CONTENT_TYPES["rss"]).feed
    assert {t.term for t in feed.tags if t.scheme == "http://www.itunes.com/"} == {
        "News",
        "Daily News",
    }
    # The items come before none of it, and the other categories say none of it.
    assert rss.index(b"<itunes:category") < rss.index(b"<item")
    tech = client.get("/c/tech/feed.rss").data
    assert b"<itunes:category" not in tech
    assert b"<itunes:explicit" not in tech
    assert b"<itunes:author" not in tech
    # The explicit flag alone says it is a podcast too: its author is named.
    only_explicit = replace(config.categories[0], podcast_category=(), explicit=True)
    config = replace(config, categories=(only_explicit, *config.categories[1:]))
    client = serving(config, store, redis_url)
    channel = ET.fromstring(client.get(f"/c/{only_explicit.slug}/feed.rss").data).find("channel")
    assert channel.find(f"{{{ITUNES_NS}}}author").text == config.site.title
    assert channel.find(f"{{{ITUNES_NS}}}explicit").text == "true"


def test_a_category_may_have_its_own_artwork(
    redis_url: str, store: Store, web_config: Config, add_articles: AddArticles
) -> None:
    """A category of podcasts subscribed to in a podcast app showed no show artwork: the
    channel had only <image> (the site's icon), which podcast apps do not read."""
    art = "https://static.example/world-3000.jpg"
    categories = tuple(
        replace(c, image=art) if c.slug == "world" else c for c in web_config.categories
    )
    config = replace(web_config, categories=categories)
    client = serving(config, store, redis_url)
    add_articles("people-daily", 1)
    rss = client.get("/c/world/feed.rss").data
    channel = ET.fromstring(rss).find("channel")
    assert channel.find(f"{{{ITUNES_NS}}}image").get("href") == art
    assert channel.find("image/url").text == art
    assert (
        parse_xml_feed(client.get("/c/world/feed.atom").data, CONTENT_TYPES["atom"]).feed.logo
        == art
    )
    world = json.loads(client.get("/c/world/feed.json").data)
    assert (world["icon"], world["favicon"]) == (art, "https://static.example/icon.png")
    assert f'<meta property="og:image" content="{art}">' in client.get("/c/world/").text
    # The others keep the site's pictures, and no show artwork.
    tech = client.get("/c/tech/feed.rss").data
    assert ET.fromstring(tech).find(f"channel/{{{ITUNES_NS}}}image") is None
    # The site's small icon is its favicon only: a reader blew it up as the feed's picture.
    tech_json = json.loads(client.get("/c/tech/feed.json").data)
    assert "icon" not in tech_json
    assert tech_json["favicon"] == "https://static.example/icon.png"


def test_an_article_with_no_title_nor_text_is_untitled_in_the_sites_language(
    redis_url: str, store: Store, web_config: Config, add_articles: AddArticles
) -> None:
    """A picture-only post was "(untitled)" in English on a Chinese site, in feeds and pages."""
    config = replace(web_config, site=replace(web_config.site, language="zh-CN"))
    client = serving(config, store, redis_url)
    (post,) = add_articles("people-daily", 1, title=UNTITLED, summary="", content="")
    rss = parse_xml_feed(client.get("/c/world/feed.rss").data, CONTENT_TYPES["rss"])
    atom = parse_xml_feed(client.get("/c/world/feed.atom").data, CONTENT_TYPES["atom"])
    assert rss.entries[0].title == atom.entries[0].title == "无标题"
    assert json.loads(client.get("/c/world/feed.json").data)["items"][0]["title"] == "无标题"
    page = client.get(f"/a/{post.id}").text
    assert ">无标题</h1>" in page
    assert UNTITLED not in page


def test_a_category_renamed_with_its_former_slug_redirects_there(
    redis_url: str, store: Store, web_config: Config
) -> None:
    """A renamed slug was Gone (410), which tells feed readers to drop the subscription."""
    categories = tuple(
        replace(c, slug="technology", former_slugs=("tech",)) if c.slug == "tech" else c
        for c in web_config.categories
    )
    sources = tuple(
        replace(s, categories=tuple("technology" if c == "tech" else c for c in s.categories))
        for s in web_config.sources
    )
    config = replace(web_config, categories=categories, sources=sources)
    store.publish_config(config_module.dumps(web_config))
    client = serving(config, store, redis_url)
    for old, new in [
        ("/c/tech/feed.atom?limit=5", "/c/technology/feed.atom?limit=5"),
        ("/c/tech/", "/c/technology/"),
        ("/c/tech/sources.opml", "/c/technology/sources.opml"),
        ("/embed/tech?theme=dark", "/embed/technology?theme=dark"),
        # In one hop, not 308 to /c/tech/ and then 301 (an operator's review).
        ("/c/tech", "/c/technology/"),
        ("/c/tech?sort=latest", "/c/technology/?sort=latest"),
        ("/embed/tech/?theme=dark", "/embed/technology?theme=dark"),
    ]:
        moved = client.get(old)
        # Absolute, under site.base_url: a fetcher that moves its subscription may store it.
        assert (moved.status_code, moved.headers["Location"]) == (301, client.url + new), old
        assert client.get(new).status_code == 200, new
    assert client.get("/c/tech/feed.json").headers["Access-Control-Allow-Origin"] == "*"
    assert client.get("/c/nope/feed.json").status_code == 404
    slash = client.get("/c/technology")  # the current slug: routing's own redirect, as before
    assert (slash.status_code, slash.headers["Location"]) == (308, client.url + "/c/technology/")


def test_published_config_wins_over_the_file_one(
    redis_url: str, store: Store, web_config: Config
) -> None:
    other = replace(web_config, site=replace(web_config.site, title="From The File"))
    title = "From The File"
    # Nothing published yet: the given (file) config.
    assert http_client(create_app(other, redis_url)).get("/feed.json").json["title"] == title  # type: ignore[index]
    store.publish_config(config_module.dumps(web_config))
    served = http_client(create_app(other, redis_url)).get("/feed.json").json
    assert served["title"] == "Test Aggregator"  # type: ignore[index]


# --- the in-process cache ---------------------------------------------------------------------


def test_cache_hit_costs_one_redis_round_trip_and_no_render(
    app: Flask, client: HttpClient, redis: Any, add_articles: AddArticles
) -> None:
    add_articles("hacker-blog", 5)
    first = client.get("/c/tech/feed.atom")
    renders = state_of(app).feed_cache.renders
    state_of(app).settings.recheck_interval = 3600  # leave the config check out of the count
    redis.config_resetstat()
    again = client.get("/c/tech/feed.atom")
    stats = redis.info("commandstats")
    assert again.data == first.data
    assert state_of(app).feed_cache.renders == renders
    calls = {
        name.removeprefix("cmdstat_"): stat["calls"]
        for name, stat in stats.items()
        if not name.startswith(("cmdstat_info", "cmdstat_config", "cmdstat_ping"))
    }
    assert calls == {"hmget": 1}


def test_concurrent_requests_for_a_cold_key_render_once_over_http(
    app: Flask, live_server: LiveServer, add_articles: AddArticles
) -> None:
    add_articles("hacker-blog", 30)
    add_articles("mixed", 30)
    url = live_server.url + "/feed.atom?limit=100"  # a size that is cached
    threads = 8
    barrier = threading.Barrier(threads)
    bodies: list[bytes] = []

    def fetch() -> None:
        with httpx.Client() as http:
            barrier.wait()
            bodies.append(http.get(url, headers={"Accept-Encoding": "identity"}).content)

    workers = [threading.Thread(target=fetch) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert len(bodies) == threads
    assert len(set(bodies)) == 1
    assert state_of(app).variant_cache.renders == 1  # (a ?limit=: a variant)


def test_render_cache_renders_a_cold_key_once_under_contention() -> None:
    cache = RenderCache()
    threads = 16
    barrier = threading.Barrier(threads)
    calls: list[int] = []
    results: list[Any] = []

    def slow_render() -> tuple[bytes, datetime | None]:
        calls.append(1)
        time.sleep(0.2)  # long enough that every other thread arrives while it runs
        return b"<feed/>", datetime(2024, 1, 2, 3, 4, 5, 678, tzinfo=UTC)

    def get() -> None:
        barrier.wait()
        results.append(cache.get(("tech", "atom", None), 7, slow_render))

    workers = [threading.Thread(target=get) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(30)
    assert len(calls) == 1
    assert cache.renders == 1
    assert len(results) == threads
    assert all(r is results[0] for r in results)
    entry = results[0]
    assert gzip.decompress(entry.gzipped) == entry.body
    assert entry.last_modified_http(datetime.now(UTC)) == "Tue, 02 Jan 2024 03:04:06 GMT"

    # Another version of the key renders again; other keys render separately.
    assert cache.get(("tech", "atom", None), 8, slow_render) is not entry
    cache.get(("tech", "rss", None), 8, slow_render)
    assert cache.renders == 3


def test_render_cache_forgets_the_oldest_beyond_its_size() -> None:
    cache = RenderCache(max_entries=2)
    render = lambda: (b"x", None)  # noqa: E731
    for key in ("a", "b", "a", "c"):  # "a" was used after "b", so "b" goes
        cache.get(key, 1, render)
    assert cache.renders == 3
    cache.get("a", 1, render)
    assert cache.renders == 3
    cache.get("b", 1, render)
    assert cache.renders == 4


def test_render_cache_forgets_the_oldest_beyond_its_bytes_and_keeps_the_newest() -> None:
    body = bytes(range(256)) * 40  # 10 KB that gzip barely shrinks
    cache = RenderCache(max_bytes=50_000)
    for key in "abcdef":
        cache.get(key, 1, lambda: (body, None))
    assert cache.bytes <= 50_000
    assert cache.renders == 6
    cache.get("f", 1, lambda: (body, None))  # the newest is still there
    assert cache.renders == 6
    cache.get("a", 1, lambda: (body, None))  # the oldest went
    assert cache.renders == 7
    huge = RenderCache(max_bytes=1)
    entry = huge.get("big", 1, lambda: (body, None))  # larger than the budget: still served
    assert huge.get("big", 1, lambda: (b"", None)) is entry
    cache.get("f", 2, lambda: (b"small", None))  # a new version replaces, its bytes counted once
    assert cache.bytes == sum(len(e.body) + len(e.gzipped) for e in cache._entries.values())


# --- OPML -------------------------------------------------------------------------------------


def test_opml_of_all_sources_is_nested_by_category(client: HttpClient, web_config: Config) -> None:
    response = client.get("/sources.opml")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/x-opml; charset=utf-8"
    root = ET.fromstring(response.data)
    assert root.tag == "opml"
    assert root.get("version") == "2.0"
    assert root.findtext("head/title") == "Test Aggregator"
    assert root.findtext("head/ownerName") == "Test Aggregator"
    created = email.utils.parsedate_to_datetime(root.findtext("head/dateCreated") or "")
    assert abs(created - datetime.now(UTC)) < timedelta(minutes=5)

    folders = root.findall("body/outline")
    # Categories with sources, in config order; "quiet" has none.
    assert [f.get("text") for f in folders] == ["Technology", "World 世界"]
    for folder, category in zip(folders, web_config.categories, strict=False):
        members = [s for s in web_config.sources if category.slug in s.categories]
        outlines = folder.findall("outline")
        assert [(o.get("type"), o.get("text"), o.get("xmlUrl")) for o in outlines] == [
            ("rss", s.name, s.url) for s in members
        ]
        for outline, source in zip(outlines, members, strict=True):
            assert outline.get("title") == source.name
            assert outline.get("htmlUrl") == (source.site_url or None)


def test_opml_of_one_category_lists_its_sources(client: HttpClient, web_config: Config) -> None:
    root = ET.fromstring(client.get("/c/world/sources.opml").data)
    assert root.findtext("head/title") == "Test Aggregator — World 世界"
    outlines = root.findall("body/outline")
    assert [(o.get("text"), o.get("xmlUrl")) for o in outlines] == [
        ("人民日报", "https://news.example.cn/rss.xml"),
        ("Mixed Bag & Co", "https://mixed.example/atom.xml"),
    ]
    assert outlines[0].get("language") == "zh-CN"
    assert ET.fromstring(client.get("/c/quiet/sources.opml").data).findall("body/outline") == []


def test_opml_survives_control_characters_in_names(
    redis_url: str, store: Store, web_config: Config
) -> None:
    source = replace(web_config.sources[0], name="Bell\x07 & <Tags>")
    config = replace(web_config, sources=(source, *web_config.sources[1:]))
    store.publish_config(config_module.dumps(config))
    body = http_client(create_app(config, redis_url)).get("/c/tech/sources.opml").data
    outline = ET.fromstring(body).find("body/outline")
    assert outline is not None
    assert outline.get("text") == "Bell & <Tags>"


def test_opml_is_rendered_once_per_config_with_validators_and_gzip(app: Flask) -> None:
    """At 10,000 sources an OPML export was 3 MB and half a second of CPU per request, dated
    "now" so no validator could hold: four connections of one client held a web process."""
    client = http_client(app)
    first = client.get("/sources.opml")
    renders = state_of(app).feed_cache.renders
    again = client.get("/sources.opml", headers={"Accept-Encoding": "gzip"})
    assert state_of(app).feed_cache.renders == renders  # kept, not rendered again
    assert again.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(again.data) == first.data
    published = state_of(app).settings.changed_at
    assert published is not None
    root = ET.fromstring(first.data)
    assert email.utils.parsedate_to_datetime(root.findtext("head/dateCreated") or "") == (
        published.replace(microsecond=0)
    )
    assert first.headers["Last-Modified"] is not None
    assert first.headers["Access-Control-Allow-Origin"] == "*"
    unchanged = client.get("/sources.opml", headers={"If-None-Match": first.headers["ETag"]})
    assert unchanged.status_code == 304
    assert client.get("/c/world/sources.opml").headers["ETag"] != first.headers["ETag"]


def test_opml_gives_the_site_a_feed_links_to_where_the_config_gives_none(
    app: Flask, store: Store
) -> None:
    """An outline's htmlUrl (which readers show before their first fetch) came from site_url
    alone, so most sources had none; the site read from the feed is kept apart from the
    states, and an export that changes with it is a new rendering with a later date."""
    client = http_client(app)
    first = client.get("/sources.opml")
    store.save_state(SourceState("people-daily", outcome=Outcome.OK, site="http://paper.example/"))
    store.save_state(SourceState("mixed", outcome=Outcome.OK, site="https://elsewhere.example/"))
    now = client.get("/c/world/sources.opml", headers={"If-None-Match": first.headers["ETag"]})
    assert now.status_code == 200
    sites = {o.get("text"): o.get("htmlUrl") for o in ET.fromstring(now.data).iter("outline")}
    # The config's site_url stands; the feed's link fills in where there is none.
    assert sites == {
        "人民日报": "http://paper.example/",
        "Mixed Bag & Co": "https://mixed.example/",
    }
    changed = client.get("/sources.opml")
    assert changed.headers["ETag"] != first.headers["ETag"]
    assert parsedate_to_datetime(changed.headers["Last-Modified"]) >= parsedate_to_datetime(
        first.headers["Last-Modified"]
    )
    assert b'htmlUrl="http://paper.example/"' in changed.data
    renders = state_of(app).feed_cache.renders
    # The same site written again changes nothing: the rendering is kept.
    store.save_state(SourceState("people-daily", outcome=Outcome.OK, site="http://paper.example/"))
    assert client.get("/sources.opml").headers["ETag"] == changed.headers["ETag"]
    assert state_of(app).feed_cache.renders == renders
    store.save_state(SourceState("people-daily", outcome=Outcome.OK))  # a feed that links none
    assert b"paper.example" not in client.get("/sources.opml").data


def test_a_limit_no_rendering_is_kept_for_redirects_to_the_next_kept_one(
    app: Flask, add_articles: AddArticles
) -> None:
    """Any ?limit= was rendered for its request (~100 ms for 200 items, 304s and HEAD too): a
    few clients asking for ?limit=199 took readers' pages from 15 ms to seconds."""
    add_articles("hacker-blog", 3)
    client = http_client(app)
    renders = state_of(app).feed_cache.renders
    moved = client.get("/c/tech/feed.json?limit=199&collapse=0")
    assert moved.status_code == 308
    assert moved.headers["Location"] == client.url + "/c/tech/feed.json?collapse=0&limit=200"
    assert moved.headers["Cache-Control"] == "public, max-age=86400"
    assert moved.headers["Access-Control-Allow-Origin"] == "*"  # a partner's script follows it
    assert (
        client.head("/feed.atom?limit=3").headers["Location"] == client.url + "/feed.atom?limit=5"
    )
    # A limit over the most, or written otherwise, was served as the one it was read as: one
    # address for each rendering.
    for asked, kept in [("1000", "200"), ("050", "50"), ("%2B20", "20")]:
        moved = client.get(f"/c/tech/feed.atom?limit={asked}")
        assert (moved.status_code, moved.headers["Location"]) == (
            308,
            f"{client.url}/c/tech/feed.atom?limit={kept}",
        ), asked
    assert state_of(app).feed_cache.renders == renders
    assert client.get("/c/tech/feed.json?limit=199&collapse=0", follow_redirects=True).json


def test_two_changes_in_one_second_never_share_a_last_modified(
    store: Store, add_articles: AddArticles
) -> None:
    """Sources of a batch save 0.2 s apart: the feed changed twice within the second its
    Last-Modified named, and an If-Modified-Since client was told 304 after the second."""
    add_articles("hacker-blog", 1)
    first = store.category_changed_at("tech")
    add_articles("hacker-blog", 1)
    second = store.category_changed_at("tech")
    assert first is not None
    assert second is not None
    assert second > first  # to the microsecond, as Redis's clock has it
    at = datetime(2026, 12, 2, 15, 16, 33, 327000, tzinfo=UTC)
    entry = Rendered.of(1, b"<feed/>", at)
    # In the change's own second, the change's second (not a date after the response's);
    # once it is over, the next: a client's date then never covers a later change in it.
    assert entry.last_modified_http(at + timedelta(seconds=0.5)) == "Wed, 02 Dec 2026 15:16:33 GMT"
    # (Not before another change in that second is surely seen: the versions are read again
    # once a second.)
    assert entry.last_modified_http(at + timedelta(seconds=1)) == "Wed, 02 Dec 2026 15:16:33 GMT"
    assert entry.last_modified_http(at + timedelta(seconds=2)) == "Wed, 02 Dec 2026 15:16:34 GMT"
    held = Request.from_values(headers={"If-Modified-Since": "Wed, 02 Dec 2026 15:16:33 GMT"})
    assert not is_not_modified(held, entry, entry.etag)
    later = Request.from_values(headers={"If-Modified-Since": "Wed, 02 Dec 2026 15:16:34 GMT"})
    assert is_not_modified(later, entry, entry.etag)


def test_a_304_is_for_the_coding_asked_for(client: HttpClient, add_articles: AddArticles) -> None:
    """The gzip coding's ETag from a client that takes no gzip got a 304 naming the other
    coding's ETag, which a cache holding only the gzip copy cannot match (RFC 9111 §4.3.4)."""
    add_articles("hacker-blog", 1)
    gzipped = client.get("/c/tech/feed.atom", headers={"Accept-Encoding": "gzip"})
    plain = client.get(
        "/c/tech/feed.atom",
        headers={"If-None-Match": gzipped.headers["ETag"], "Accept-Encoding": "identity"},
    )
    assert plain.status_code == 200
    assert plain.headers["ETag"] != gzipped.headers["ETag"]
    again = client.get(
        "/c/tech/feed.atom",
        headers={"If-None-Match": gzipped.headers["ETag"], "Accept-Encoding": "gzip"},
    )
    assert again.status_code == 304


def test_category_versions_start_from_the_clock_after_redis_lost_its_data(
    store: Store, add_articles: AddArticles
) -> None:
    """A count from 1 repeated after Redis lost its data, and a web process served the
    rendering it kept for that number: stale feeds until the count passed it."""
    add_articles("hacker-blog", 1)
    before = store.category_version("tech")
    store.redis.flushdb()
    time.sleep(0.01)
    add_articles("hacker-blog", 1)
    assert store.category_version("tech") > before > 1_700_000_000_000


def test_category_versions_are_read_at_most_once_per_interval(
    web_config: Config, redis_url: str, add_articles: Callable[..., list[Article]]
) -> None:
    """A revalidation within the interval costs no Redis round trip; a change shows after it."""
    add_articles("hacker-blog", 1)
    app = create_app(web_config, redis_url, recheck_interval=3.0)  # room for a busy runner
    client = http_client(app)
    first = client.get("/c/tech/feed.atom")
    versions = app.extensions["aggregator"].versions
    read = versions._seen["tech"][0]
    add_articles("hacker-blog", 1, title="Fresh news")
    # Within the interval: the same version, so the same bytes and a 304 for the old ETag.
    again = client.get("/c/tech/feed.atom", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert versions._seen["tech"][0] == read

    def changed() -> bool:
        revalidated = client.get(
            "/c/tech/feed.atom", headers={"If-None-Match": first.headers["ETag"]}
        )
        return revalidated.status_code == 200

    wait_for(changed, 10, "the change once the interval is over")
    assert time.monotonic() - read >= 3.0  # (every revalidation before it was a 304)
    assert b"Fresh news" in client.get("/c/tech/feed.atom").data


def test_a_sweep_of_the_limits_renders_only_the_kept_ones(
    app: Flask, client: HttpClient, add_articles: AddArticles
) -> None:
    add_articles("hacker-blog", 3)
    state = state_of(app)
    client.get("/c/tech/feed.atom")
    hot = state.feed_cache.renders
    # The sizes embed.js asks for (at most the default's) are kept with the default feeds; the
    # larger ones and the other collapse apart, in a cache here as small as one rendering: a
    # sweep churns it, never the hot feeds (a sweep of valid variants pushed them out of one
    # shared cache).
    state.variant_cache.max_bytes = 1
    for limit in range(1, 201, 7):
        for collapse in ("0", "1"):
            url = f"/c/tech/feed.atom?limit={limit}&collapse={collapse}"
            assert client.get(url, follow_redirects=True).status_code == 200
    assert state.feed_cache.renders == hot + 5  # 5, 10, 20, 25 and 50, each rendered once
    assert state.variant_cache.renders >= 2 + 7  # 100 and 200, every collapse=0 size: churned
    for again in ("", "?limit=5", "?limit=50", "?collapse=1"):
        assert client.get(f"/c/tech/feed.atom{again}").status_code == 200
    assert state.feed_cache.renders == hot + 5  # the hot renderings are all still there


def test_rss_source_url_names_the_feed_the_item_came_from(
    client: HttpClient, add_articles: AddArticles
) -> None:
    add_articles("hacker-blog", 1, source_feed_url="https://blog.example/feed.xml")
    rss = ET.fromstring(client.get("/c/tech/feed.rss").data)
    urls = {s.get("url") for s in rss.iter("source")}
    assert "https://blog.example/feed.xml" in urls
    item = json.loads(client.get("/c/tech/feed.json").data)["items"][0]
    assert item["_source"]["feed_url"] == "https://blog.example/feed.xml"


def test_a_backdated_article_is_not_hidden_from_if_modified_since_clients(
    client: HttpClient, add_articles: AddArticles
) -> None:
    """A slow source's new article dated hours ago changes the feed: no 304 for the old copy."""
    add_articles("hacker-blog", 2)
    time.sleep(SETTLED.total_seconds())  # (settled: Last-Modified is the second after it)
    first = client.get("/c/tech/feed.atom")
    since = first.headers["Last-Modified"]
    assert client.get("/c/tech/feed.atom", headers={"If-Modified-Since": since}).status_code == 304
    time.sleep(1.1)  # the change must land in a later second than the first copy's date
    add_articles(
        "hacker-blog",
        1,
        title="Late",
        published=datetime(2020, 1, 1, tzinfo=UTC),
        updated=datetime(2020, 1, 1, tzinfo=UTC),
    )
    again = client.get("/c/tech/feed.atom", headers={"If-Modified-Since": since})
    assert again.status_code == 200
    assert b"Late" in again.data
    # The feed's own date moves with it, in Atom and RSS: a reader that skips a feed whose
    # <updated> or <lastBuildDate> stands still would miss the late item.
    before, after = (feedparser.parse(r.data).feed for r in (first, again))
    assert after.updated_parsed > before.updated_parsed
    assert (
        email.utils.format_datetime(datetime(*after.updated_parsed[:6], tzinfo=UTC), usegmt=True)
        == again.headers["Last-Modified"]
    )
    rss = feedparser.parse(client.get("/c/tech/feed.rss").data).feed
    assert rss.updated_parsed == after.updated_parsed


# --- render slots ---------------------------------------------------------------------------------


def test_renders_take_turns_in_the_slots_and_what_renders_nothing_does_not_wait(
    app: Flask, filled: dict[str, list[Article]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A burst of uncached renders holds at most RENDER_SLOTS at once; the rest wait for a slot,
    and a probe or a cached feed meanwhile answers at once (in a gevent worker, the waiting
    renders are parked greenlets: they take no turn on the CPU)."""
    cached = http_client(app).get("/c/tech/feed.atom")
    assert cached.status_code == 200
    running = 0
    most = 0
    lock = threading.Lock()
    release = threading.Event()
    real_render = web_feeds.render_feed

    def slow_render(*args: Any, **kwargs: Any) -> tuple[bytes, datetime | None]:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        release.wait(10)
        with lock:
            running -= 1
        return real_render(*args, **kwargs)

    monkeypatch.setattr(web_feeds, "render_feed", slow_render)
    answers: list[int] = []
    burst = [  # (from eight addresses: one has at most RENDERS_PER_CLIENT renders at once)
        threading.Thread(
            target=lambda n=n: answers.append(
                app.test_client()  # Flask's: loopback HTTP comes from 127.0.0.1 only
                .get(COLD[n], environ_base={"REMOTE_ADDR": f"10.0.0.{n}"})
                .status_code
            )
        )
        for n in range(8)
    ]
    for thread in burst:
        thread.start()
    wait_for(lambda: running == web_module.RENDER_SLOTS, 10, "two renders running")
    wait_for(lambda: _in_line(web_module._render_slots) == 6, 10, "the other six in line")
    client = http_client(app)
    assert client.get("/healthz").status_code == 200
    assert client.get("/c/tech/feed.atom").status_code == 200  # a cached feed renders nothing
    assert running == web_module.RENDER_SLOTS
    release.set()
    for thread in burst:
        thread.join(20)
    assert answers == [200] * len(burst)
    assert most == web_module.RENDER_SLOTS


def test_one_client_has_at_most_its_share_of_renders_running_or_in_line(
    app: Flask, filled: dict[str, list[Article]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A client asking for feed variants no cache keeps on many connections at once gets 429
    beyond RENDERS_PER_CLIENT, at once; a reader from another address is next in line behind
    those few, not behind the whole siege (it waited 9 s behind sixty)."""
    release = threading.Event()
    real_render = web_feeds.render_feed
    started: list[str] = []

    def slow_render(*args: Any, **kwargs: Any) -> tuple[bytes, datetime | None]:
        started.append("render")
        release.wait(10)
        return real_render(*args, **kwargs)

    monkeypatch.setattr(web_feeds, "render_feed", slow_render)
    siege: list[int] = []

    def attack(n: int) -> None:
        # Flask's test client: these clients' addresses are not loopback HTTP's 127.0.0.1.
        answer = app.test_client().get(COLD[n], environ_base={"REMOTE_ADDR": siege_address})
        siege.append(answer.status_code)
        if answer.status_code == 429:
            assert answer.headers["Retry-After"] == str(web_module.BUSY_RETRY_AFTER)

    siege_address = "2a00:1450:4001::1"
    threads = [threading.Thread(target=attack, args=(n,)) for n in range(22)]
    for thread in threads:
        thread.start()
    most = app.config["RENDERS_PER_CLIENT"]
    over = len(threads) - most
    wait_for(lambda: siege.count(429) == over, 10, "the siege's renders over its share refused")
    # The same /64, another address in it: the same client.
    rotated = app.test_client().get(COLD[22], environ_base={"REMOTE_ADDR": "2a00:1450:4001::2"})
    assert rotated.status_code == 429
    # A partner's frame from that client: the embed's own page, which tries again by itself.
    framed = app.test_client().get(
        "/embed/tech?theme=dark", environ_base={"REMOTE_ADDR": "2a00:1450:4001::3"}
    )
    assert framed.status_code == 429
    page = framed.get_data(as_text=True)
    assert '<body class="embed theme-dark">' in page
    assert f'<meta http-equiv="refresh" content="{web_module.BUSY_RETRY_AFTER}">' in page
    reader: list[int] = []
    other = threading.Thread(
        target=lambda: reader.append(
            app.test_client().get(COLD[23], environ_base={"REMOTE_ADDR": "203.0.113.9"}).status_code
        )
    )
    other.start()
    time.sleep(0.2)
    assert len(started) == web_module.RENDER_SLOTS  # the siege's in the slots, the rest in line
    release.set()
    for thread in [*threads, other]:
        thread.join(20)
    assert reader == [200]
    assert sorted(siege) == [200] * most + [429] * over
    assert web_module._renders_by_client == {}  # every count given back

    # From a loopback or private address with WEB_TRUSTED_PROXIES unset (a reverse proxy it
    # does not name, most likely): every reader would be that one client. Not limited.
    release.clear()
    siege.clear()
    siege_address = "127.0.0.1"
    threads = [threading.Thread(target=attack, args=(n,)) for n in range(24, 36)]
    for thread in threads:
        thread.start()
    wait_for(lambda: web_module._renders_by_client.get("127.0.0.1") == 12, 10, "all in line")
    release.set()
    for thread in threads:
        thread.join(20)
    assert siege == [200] * len(threads)


def _in_line(slots: web_module.FairSlots) -> int:
    """How many requests wait for one of `slots`."""
    return sum(len(line) for line in slots._waiting.values())


def _served_in_order(
    slots: web_module.FairSlots, line: list[tuple[str, str]], along: frozenset[str] = frozenset()
) -> list[str]:
    """Names of `line`'s requests (client, name), lined up in that order behind a slot held
    by another, in the order they get the slot once it is freed; `along`: clients asking along
    for each render (those waiting for the same page)."""
    order: list[str] = []

    def take(client: str, name: str) -> None:
        assert slots.acquire(client, 10, (lambda: {client, *along}) if along else tuple)
        order.append(name)
        slots.release()

    def waiting(count: int) -> bool:
        return _in_line(slots) == count

    threads = []
    for client, name in line:
        threads.append(threading.Thread(target=take, args=(client, name)))
        threads[-1].start()
        wait_for(functools.partial(waiting, len(threads)), 10, f"{name} in line")
    slots.release()
    for thread in threads:
        thread.join(10)
    return order


def test_a_freed_render_slot_goes_to_each_waiting_client_in_turn() -> None:
    """First come, first served, a reader's one page waited behind every render of every
    client in line before it (27 s behind 240 clients with eight each, a review); in turn, it
    waits for one of each."""
    slots = web_module.FairSlots(1)
    assert slots.acquire("holder", 1)
    line = [*(("siege", f"siege-{n}") for n in range(5)), ("reader", "reader")]
    order = _served_in_order(slots, line)
    assert order == ["siege-0", "reader", "siege-1", "siege-2", "siege-3", "siege-4"]
    # One whose wait runs out leaves the line, and the slot is free again after.
    assert slots.acquire("a", 1)
    assert not slots.acquire("b", 0.05)
    assert slots._waiting == {}
    slots.release()
    assert slots.acquire("b", 0.05)


def test_a_client_back_for_its_next_page_goes_before_clients_served_since() -> None:
    """In turn, a reader's next page waited for one render of every client in line: 3.3 s
    behind 240 clients asking for pages none shared (a review). A client that had no slot
    since every client in line had one goes first; a newcomer still waits its turn, so coming
    under ever new addresses gains an attacker nothing."""
    slots = web_module.FairSlots(1)
    assert slots.acquire("reader", 1)  # the reader's last page
    slots.release()
    assert slots.acquire("holder", 1)
    line = [
        *((f"siege-{n % 3}", f"siege-{n}") for n in range(6)),
        ("reader", "reader"),
        ("new", "new"),
    ]
    order = _served_in_order(slots, line)
    assert order == [
        "reader",
        *("siege-0", "siege-1", "siege-2"),
        "new",
        *("siege-3", "siege-4", "siege-5"),
    ]
    # Forgotten beyond REMEMBERED clients: a newcomer again, not first.
    few = web_module.FairSlots(1)
    few.REMEMBERED = 2
    for client in ("reader", "a", "b"):
        assert few.acquire(client, 1)
        few.release()
    assert "reader" not in few._served


def test_newcomers_in_line_leave_the_clients_served_before_remembered() -> None:
    """A newcomer in line was remembered as a served client: an IPv6 /48's 10,000 addresses
    coming once each, never served, made every reader forgotten, the longest unserved first,
    and so a newcomer behind them all. Only clients served are remembered now."""
    slots = web_module.FairSlots(1)
    slots.REMEMBERED = 3
    assert slots.acquire("reader", 1)
    slots.release()
    assert slots.acquire("holder", 1)
    line = [*((f"new-{n}", f"new-{n}") for n in range(5)), ("reader", "reader")]
    order = _served_in_order(slots, line)
    assert order == ["reader", *(f"new-{n}" for n in range(5))]
    assert slots._came == {}
    # One who gave up waiting is no newcomer in line any more.
    assert slots.acquire("holder", 1)
    assert not slots.acquire("gone", 0.05)
    assert slots._came == {}
    slots.release()


def test_a_client_that_rendered_many_pages_lately_waits_behind_a_newcomer() -> None:
    """Least recently served, a newcomer waited for one render of each client in line, all
    served before it came: 3.7 s behind 240 clients asking for articles (h4, session 37). Each
    client's renders now count, halving every HALF_LIFE: one that rendered three pages a moment
    ago waits behind a newcomer, and a newcomer still waits behind a reader whose one page was
    before it came (an attacker's new addresses pass only clients that rendered more)."""
    slots = web_module.FairSlots(1)
    for client in ("reader", "siege", "siege", "siege"):
        assert slots.acquire(client, 1)
        slots.release()
    assert slots.acquire("holder", 1)
    line = [("siege", "siege-0"), ("siege", "siege-1"), ("new", "new"), ("reader", "reader")]
    assert _served_in_order(slots, line) == ["reader", "new", "siege-0", "siege-1"]
    # Renders long ago count for little: ten half-lives after its three, a client goes before
    # a newcomer again.
    slots = web_module.FairSlots(1)
    slots.HALF_LIFE = 0.05
    for _ in range(3):
        assert slots.acquire("siege", 1)
        slots.release()
    time.sleep(0.5)
    assert slots.acquire("holder", 1)
    assert _served_in_order(slots, [("new", "new"), ("siege", "siege")]) == ["siege", "new"]


def test_an_address_asking_along_is_counted_and_lends_a_flood_no_newcomers_place() -> None:
    """A client's render is ranked by the best of those waiting for its page. An address that
    asked along and had never had a slot ranked it as a newcomer's, and was never counted: one
    spare address asking each page a flooder rendered put all its renders before a reader's (a
    review). It is counted now, so it lends that place once, as a new address would."""
    slots = web_module.FairSlots(1)
    for client in ("reader", "reader", *["siege"] * 6):
        assert slots.acquire(client, 1)
        slots.release()
    assert slots.acquire("holder", 1)
    line = [*(("siege", f"siege-{n}") for n in range(3)), ("reader", "reader")]
    order = _served_in_order(slots, line, along=frozenset({"helper"}))
    assert "helper" in slots._served  # counted for the renders it had
    assert order.index("reader") < 3, order  # (it was behind all three)


def test_a_render_others_wait_for_is_not_passed_over_when_its_asker_hung_up() -> None:
    """The first asker of a page everyone wants hung up: its turn was passed over, and the
    readers waiting for the same page went to the back of the line (2.5 s behind 20 renders,
    not 0.4: a review). Now it renders for them; a turn no one else waits for is passed."""
    slots, pages, renders = web_module.FairSlots(1), PageCache(ttl=1, stale=5), []

    def ask(client: str, key: str, gone: Callable[[], bool] = bool) -> None:
        def render() -> Rendered:
            if not slots.acquire(client, 10, functools.partial(pages.asking, key), gone):
                raise web_module.ClientGone(client)
            try:
                renders.append(key)
                return Rendered.of(None, key.encode(), None, 200)
            finally:
                slots.release()

        with contextlib.suppress(web_module.ClientGone):
            pages.get(key, render, 10, client)

    def waiting(count: int) -> bool:
        return _in_line(slots) == count

    assert slots.acquire("holder", 1)
    threads = [threading.Thread(target=ask, args=("hung-up", "P", lambda: True))]
    threads += [threading.Thread(target=ask, args=("reader", "P"))]
    threads += [threading.Thread(target=ask, args=(f"c{n}", f"Q{n}")) for n in range(3)]
    threads += [threading.Thread(target=ask, args=("gone", "R", lambda: True))]
    for n, thread in enumerate(threads):
        thread.start()
        if n != 1:  # (the reader waits for P's render, not in the line)
            wait_for(functools.partial(waiting, n + (n == 0)), 10, "in line")
    wait_for(lambda: "reader" in pages.asking("P"), 10, "the reader waiting for P")
    slots.release()
    for thread in threads:
        thread.join(10)
    assert renders == ["P", "Q0", "Q1", "Q2"]  # (R, for no one, was not rendered)


def test_turns_passed_over_leave_the_line_in_one_ordering() -> None:
    """Each turn passed over ordered the line again, holding its lock: 1,000 clients that had
    hung up held it 1.4 s, and every connection of a gevent worker with it (a review)."""
    slots, asked = web_module.FairSlots(1), [0]

    def also() -> tuple[str, ...]:
        asked[0] += 1
        return ()

    assert slots.acquire("holder", 1)
    count = 500
    threads = [
        threading.Thread(target=slots.acquire, args=(f"c{n}", 10, also, lambda: True))
        for n in range(count)
    ]
    for thread in threads:
        thread.start()
    wait_for(lambda: len(slots._waiting) == count, 10, "all in line")
    slots.release()
    for thread in threads:
        thread.join(10)
    assert slots._waiting == {}
    assert slots.idle()
    assert asked[0] <= 2 * count  # (once to order the line, once as each turn is passed)


def _render_in_line(
    ask: Callable[[str, Callable[[], None]], bytes], asking: Callable[[], frozenset[str]]
) -> tuple[web_module.FairSlots, list[str], dict[str, bytes]]:
    """Clients served before in the order reader, siege-0, siege-1, busy; a slot held; the
    two sieges in line, then busy asking for a render (`ask(client, take_a_slot)`), then the
    reader asking for the same one (`asking()` names them both) once the slot is freed: the
    order the slot went round in, and what each asker got."""
    slots = web_module.FairSlots(1)
    for client in ("reader", "siege-0", "siege-1", "busy"):  # served in this order before
        assert slots.acquire(client, 1)
        slots.release()
    assert slots.acquire("holder", 1)
    order: list[str] = []
    got: dict[str, bytes] = {}

    def take(client: str, name: str, also: Callable[[], frozenset[str]] = frozenset) -> None:
        assert slots.acquire(client, 10, also)
        order.append(name)
        slots.release()

    def asker(client: str) -> None:
        got[client] = ask(client, functools.partial(take, client, "render", asking))

    def waiting(count: int) -> bool:
        return _in_line(slots) == count

    threads = [threading.Thread(target=take, args=(f"siege-{n}", f"siege-{n}")) for n in (0, 1)]
    threads += [threading.Thread(target=asker, args=("busy",))]
    for n, thread in enumerate(threads):
        thread.start()
        wait_for(functools.partial(waiting, n + 1), 10, "in line")
    threads.append(threading.Thread(target=asker, args=("reader",)))
    threads[-1].start()
    wait_for(lambda: asking() == {"busy", "reader"}, 10, "the reader asking")
    slots.release()
    for thread in threads:
        thread.join(10)
    return slots, order, got


def test_a_page_renders_at_the_place_of_its_asker_that_had_a_slot_least_recently() -> None:
    """A page being rendered is given to everyone asking for it meanwhile (web.rendering), who
    wait for that render: it waited at its first asker's place in line. A client served a
    moment before, asking first for a page every reader wants, made each of them wait behind
    every client in line, though each would have gone first. The render now takes the place
    of the asker that had a slot least recently."""
    pages = PageCache(ttl=30, stale=0)
    key = ("", "/", b"", 1)

    def page(client: str, take_a_slot: Callable[[], None]) -> bytes:
        def render() -> Rendered:
            take_a_slot()
            return Rendered.of(None, b"<p>front page</p>", None)

        found = pages.get(key, render, 10, client)
        assert found is not None
        return found.body

    slots, order, got = _render_in_line(page, functools.partial(pages.asking, key))
    assert order == ["render", "siege-0", "siege-1"]
    assert got == {"busy": b"<p>front page</p>", "reader": b"<p>front page</p>"}
    assert pages.renders == 1
    assert slots._waiting == {}


def test_a_feed_renders_at_the_place_of_its_asker_that_had_a_slot_least_recently() -> None:
    """As a page's: a feed or an embed whose version had just changed (an embed's, each
    minute) waited at its first asker's place in line, with everyone asking for it behind."""
    cache = RenderCache()
    key = ("world", "atom", None, True)

    def feed(client: str, take_a_slot: Callable[[], None]) -> bytes:
        def render() -> tuple[bytes, None]:
            take_a_slot()
            return b"<feed/>", None

        return cache.get(key, 1, render, client).body

    _, order, got = _render_in_line(feed, functools.partial(cache.asking, key))
    assert order == ["render", "siege-0", "siege-1"]
    assert got == {"busy": b"<feed/>", "reader": b"<feed/>"}
    assert cache.renders == 1
    assert cache.asking(key) == frozenset()


def test_while_a_changed_feed_or_embed_is_rendered_the_one_before_is_given_meanwhile(
    live_server: LiveServer, add_articles: AddArticles, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A feed or embed whose version had just changed (an embed's, each minute) kept everyone
    asking for it waiting for its render: a partner's view 2-2.7 s behind the render line of
    40 clients. While one request renders it, the others get the rendering before, stored but
    asked for again each time; after STALE_SECONDS of the render, they wait for it again."""
    add_articles("people-daily", 1)
    paths = ("/c/world/feed.atom", "/embed/world")
    with httpx.Client(base_url=live_server.url, timeout=30) as http:
        before = {path: http.get(path) for path in paths}
        add_articles("people-daily", 1)  # a new version of each
        for _ in range(web_module.RENDER_SLOTS):
            assert web_module._render_slots.acquire("holder", 1)
        renders: list[threading.Thread] = []
        got: dict[str, httpx.Response] = {}
        try:
            for path in paths:  # each one's first asker renders it, in line
                renders.append(
                    threading.Thread(target=lambda p=path: got.setdefault(p, http.get(p)))
                )
                renders[-1].start()
            line = web_module._render_slots._waiting
            wait_for(lambda: len(line.get("127.0.0.1", ())) == 2, 10, "both renders in line")
            for path in paths:
                meanwhile = http.get(path)
                assert meanwhile.status_code == 200, path
                assert meanwhile.content == before[path].content, path
                assert meanwhile.headers["ETag"] == before[path].headers["ETag"], path
                assert meanwhile.headers["Cache-Control"] == "public, no-cache", path
            # Past STALE_SECONDS of the render, askers wait for it.
            monkeypatch.setattr(web_feeds, "STALE_SECONDS", 0)
            renders.append(
                threading.Thread(target=lambda: got.setdefault("late", http.get(paths[0])))
            )
            renders[-1].start()
            renders[-1].join(0.5)
            assert "late" not in got
        finally:
            for _ in range(web_module.RENDER_SLOTS):
                web_module._render_slots.release()
        for thread in renders:
            thread.join(20)
    assert got["late"].content == got[paths[0]].content
    for path in paths:
        assert got[path].status_code == 200, path
        assert got[path].content != before[path].content, path
        assert got[path].headers["Cache-Control"] == before[path].headers["Cache-Control"], path


def test_a_feed_or_embed_not_given_as_current_lately_waits_for_its_render(
    live_server: LiveServer, add_articles: AddArticles, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While a changed feed or embed was rendered, the rendering before was given however long
    ago it was last current: an embed no one had asked for in a week showed that week's stories
    to a partner's view. One last given as current (or rendered) more than STALE_LIFETIMES
    times its max-age ago (a feed's 300 s, an embed's 60 s) now waits for the render (here
    3 s and 0.6 s)."""
    monkeypatch.setattr(web_feeds, "STALE_LIFETIMES", 0.005)
    monkeypatch.setattr(web_embed, "STALE_LIFETIMES", 0.005)
    add_articles("people-daily", 1)
    paths = ("/c/world/feed.atom", "/embed/world")
    with httpx.Client(base_url=live_server.url, timeout=30) as http:
        before = {path: http.get(path) for path in paths}
        time.sleep(3.1)  # (past both bounds)
        add_articles("people-daily", 1)  # a new version of each
        for _ in range(web_module.RENDER_SLOTS):
            assert web_module._render_slots.acquire("holder", 1)
        threads: list[threading.Thread] = []
        got: dict[str, list[httpx.Response]] = {path: [] for path in paths}
        try:
            for path in paths:  # the first asker renders it, in line; the second waits too
                for _ in range(2):
                    threads.append(
                        threading.Thread(target=lambda p=path: got[p].append(http.get(p)))
                    )
                    threads[-1].start()
            line = web_module._render_slots._waiting
            wait_for(lambda: len(line.get("127.0.0.1", ())) == 2, 10, "both renders in line")
            for thread in threads:
                thread.join(0.5)
            assert got == {path: [] for path in paths}  # (no one was given the old one)
        finally:
            for _ in range(web_module.RENDER_SLOTS):
                web_module._render_slots.release()
        for thread in threads:
            thread.join(20)
    for path in paths:
        assert [r.status_code for r in got[path]] == [200, 200], path
        assert got[path][0].content == got[path][1].content != before[path].content, path
        assert got[path][1].headers["Cache-Control"] != "public, no-cache", path


def test_a_render_that_waits_too_long_for_a_slot_gets_503_with_retry_after(
    client: HttpClient, filled: dict[str, list[Article]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(web_module, "RENDER_WAIT", 0.01)
    taken = [web_module._render_slots.acquire("x", 1) for _ in range(web_module.RENDER_SLOTS)]
    try:
        busy = client.get(COLD[0])
        page = client.get("/c/tech/")
        busy_json = client.get("/c/tech/feed.json?limit=200&collapse=0")
    finally:
        for _ in taken:
            web_module._render_slots.release()
    for answer in (busy, page, busy_json):
        assert answer.status_code == 503
        assert answer.headers["Retry-After"] == "10"
    assert busy.headers["Access-Control-Allow-Origin"] == "*"
    # A JSON Feed's in JSON, as its other errors.
    assert (busy_json.content_type, busy_json.json["status"]) == ("application/problem+json", 503)
    assert busy_json.headers["Cache-Control"] == "no-store"
    assert client.get(COLD[0]).status_code == 200


def test_a_request_that_waits_out_every_connection_to_redis_is_told_busy_not_redis_down(
    app: Flask, client: HttpClient, caplog: pytest.LogCaptureFixture
) -> None:
    """A burst that holds all of a process's connections to Redis while its loop is slow to give
    them back: the calls waiting past the pool's wait (WEB.pool_wait) answer 503, but said
    "Redis does not answer" while Redis was well, and an operator went looking at the server
    (h1, session 40). They say the process is busy; Redis is still asked by the next."""
    with redis_connections_held(app), caplog.at_level("WARNING", logger="aggregator.web"):
        busy = client.get(COLD[0])
    assert busy.status_code == 503
    assert busy.headers["Retry-After"] == "10"
    assert busy.text == "The service is briefly unavailable (it is busy). Try again shortly.\n"
    [line] = [r.getMessage() for r in caplog.records if "503" in r.getMessage()]
    assert "connections to Redis stayed in use for 2 s: the process is busy" in line, line
    assert "Redis does not answer" not in line
    assert client.get(COLD[0]).status_code == 200


def test_a_request_whose_call_waited_out_every_connection_to_redis_waits_no_more(
    app: Flask, client: HttpClient, add_articles: AddArticles
) -> None:
    """Every connection to Redis held: each Redis call of a request waited out the pool's wait
    in turn (the settings re-read, the page's data, the 503 page's own settings), and a reader
    had the 503 after 8-10 s (session 40's note). The first wait that ran out ends the
    request's Redis work: the 503 comes after one wait; the pages come back once the
    connections are free again."""
    add_articles("hacker-blog", 3)
    paths = ["/", "/c/tech/", "/sources", "/embed/tech", "/c/tech/feed.atom"]
    took = {}
    with redis_connections_held(app):
        for path in paths:
            started = time.monotonic()
            busy = client.get(path)
            took[path] = time.monotonic() - started
            assert busy.status_code == 503, path
            assert busy.headers["Retry-After"] == "10", path
    # (Two waits are the fault: a busy machine's slowness has up to one wait's time besides.)
    assert all(seconds < 2 * WEB.pool_wait for seconds in took.values()), took
    for path in paths:
        assert client.get(path).status_code == 200, path


def test_a_feed_names_its_hub_and_topic_in_link_headers(
    redis_url: str, store: Store, web_config: Config, add_articles: AddArticles
) -> None:
    """WebSub discovery looks in Link headers first (W3C WebSub 4), and a JSON Feed has no other
    place a subscriber reads: the hub was told of every format's changes, and no subscriber
    could find it for the JSON Feed."""
    hub = "https://hub.example/"
    config = replace(web_config, site=replace(web_config.site, hub=hub))
    client = serving(config, store, redis_url)
    add_articles("people-daily", 1)
    for path in ("/c/world/feed.json", "/c/world/feed.atom", "/feed.rss"):
        response = client.get(path)
        assert (
            response.headers["Link"] == f'<{hub}>; rel="hub", <{client.url}{path}>; rel="self"'
        ), path
        etag = response.headers["ETag"]
        unchanged = client.get(path, headers={"If-None-Match": etag})
        assert unchanged.status_code == 304
        assert unchanged.headers["Link"] == response.headers["Link"]
    # The hub is told of the default feeds only (websub.topics): a ?limit= or ?collapse=
    # variant names no hub, in its headers or its body, so its subscribers poll it (they
    # waited for pings that never came; a review). It still names itself.
    for variant in ("/c/world/feed.json?limit=10", "/c/world/feed.atom?collapse=0"):
        response = client.get(variant)
        assert "Link" not in response.headers, variant
        assert hub not in response.get_data(as_text=True), variant
    assert json.loads(client.get("/c/world/feed.json?limit=10").data)["feed_url"] == (
        f"{client.url}/c/world/feed.json?limit=10"
    )
    # Without a hub, no Link header.
    assert "Link" not in serving(web_config, store, redis_url).get("/c/world/feed.json").headers


def test_a_json_feeds_errors_are_json(client: HttpClient) -> None:
    """A partner's script reading the body as JSON got the site's HTML page for a 404, 410 or
    400 of a JSON Feed's address (a SyntaxError in place of the status)."""
    for path, status in [
        ("/c/nope/feed.json", 404),
        ("/c/tech/feed.json?limit=abc", 400),
        ("/feed.json?collapse=2", 400),
    ]:
        response = client.get(path)
        assert response.status_code == status, path
        assert response.content_type == "application/problem+json", path
        assert response.json["status"] == status, path
        assert response.json["detail"], path
        assert response.headers["Access-Control-Allow-Origin"] == "*", path
    # The other formats keep theirs: a page for a person, a line of text for a bad query.
    assert client.get("/c/nope/feed.atom").content_type.startswith("text/html")
    bad = client.get("/c/tech/feed.rss?limit=abc")
    assert (bad.status_code, bad.content_type) == (400, "text/plain; charset=utf-8")
    assert b"limit must be a whole number" in bad.data


def _words(rnd: random.Random) -> list[str]:
    """4,000 made-up words: text that compresses as prose does, not as one repeated word."""
    return [
        "".join(rnd.choice(string.ascii_lowercase) for _ in range(rnd.randint(3, 9)))
        for _ in range(4_000)
    ]


def _traced_get(url: str, limit: int) -> tuple[httpx.Response, int]:
    """The feed at `url` with `limit` items, and the traced memory's peak while it came (the
    live server renders in this process)."""
    tracemalloc.start()
    try:
        response = httpx.get(url, params={"limit": limit}, timeout=60)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return response, peak


def test_a_feed_of_articles_at_their_size_limit_reads_only_what_it_shows(
    live_server: LiveServer, add_articles: AddArticles
) -> None:
    """A source whose articles are each as long as one may be (512 KB): a render of its
    category's feed read three times the feed's limit of whole articles to pick each story once
    (a 200-item feed: 600, 144 MB from Redis in one reply, a web process 430 MB larger for each
    uncached render), though past FEED_CONTENT_CHARS an item shows none of its content. It now
    reads the articles it shows, a few at a time, and keeps no content past the budget."""
    rnd = random.Random(12)
    words = _words(rnd)
    text = " ".join(rnd.choice(words) for _ in range(90_000))
    base = "".join(f"<p>{text[i : i + 600]}</p>" for i in range(0, len(text), 600))
    fat = MAX_CONTENT_CHARS - 100
    for n in range(150):  # each its own story: rotations of one text
        turn = n * 997
        add_articles("hacker-blog", content=(base[turn:] + base[:turn])[:fat])
    url = f"{live_server.url}/c/tech/feed.json"
    response, peak = _traced_get(url, limit=50)
    assert response.status_code == 200
    items = response.json()["items"]
    assert len(items) == 50
    fits = FEED_CONTENT_CHARS // fat
    assert [("content_html" in i) for i in items] == [True] * fits + [False] * (50 - fits)
    # The feed holds 4 MB of HTML (twice: as text, gzipped beside it); 150 articles read
    # whole held 75 MB of it and more.
    assert peak < 10 * FEED_CONTENT_CHARS, f"{peak / 2**20:.0f} MiB at the render's peak"


def test_a_feed_reads_its_stories_copies_without_their_content(
    live_server: LiveServer, store: Store, add_articles: AddArticles
) -> None:
    """The copies a feed credits give their title, source and link, never their content: a
    feed's stories' copies of 512 KB each were all read whole, in one reply, beside the articles
    it shows (which it reads a few at a time): a 200-item feed of such stories of three read
    200 MB."""
    rnd = random.Random(13)
    words = _words(rnd)
    fat = MAX_CONTENT_CHARS - 100
    now = datetime.now(UTC)
    for n in range(50):  # fifty stories, each an original in tech and two copies
        text = " ".join(rnd.choices(words, k=90_000))
        body = "".join(f"<p>{text[i : i + 600]}</p>" for i in range(0, len(text), 600))[:fat]
        (original,) = add_articles("hacker-blog", title=f"Story {n}", content=body)
        join_stories(store, [original], 7.0, now)
        for hours, source in enumerate(("people-daily", "mixed"), 1):
            published = original.published + timedelta(hours=hours)
            copy = add_articles(source, title=f"Story {n}", content=body, published=published)
            join_stories(store, copy, 7.0, now)
    url = f"{live_server.url}/c/tech/feed.json"
    response, peak = _traced_get(url, limit=50)
    assert response.status_code == 200
    items = response.json()["items"]
    assert len(items) == 50
    assert all(len(i["_story"]["also"]) == 2 for i in items)  # each credits its copies
    # The hundred copies read whole were 50 MB of HTML, and more as they were decoded.
    assert peak < 10 * FEED_CONTENT_CHARS, f"{peak / 2**20:.0f} MiB at the render's peak"
