"""Merged feeds: each format round-trips through feedparser and keeps its spec's structure rules."""

from __future__ import annotations

import email.utils
import html
import io
import json
import os
import re
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import feedparser
import pytest
from lxml import etree

from aggregator.models import Article, Enclosure
from aggregator.normalize import MAX_TAGS, UNTITLED
from aggregator.syndication import (
    CONTENT_TYPES,
    FEED_CONTENT_CHARS,
    Also,
    Credit,
    FeedMeta,
    clock,
    entry_id,
    render_atom,
    render_json,
    render_rss,
)

ATOM = "{http://www.w3.org/2005/Atom}"
MEDIA = "{http://search.yahoo.com/mrss/}"
DC = "{http://purl.org/dc/elements/1.1/}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
ITUNES = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
BASE = "https://agg.example"
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
T0 = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
SCRIPT_TITLE = '<script>alert("x")</script> & <b>bold</b> ]]>'
# As an RSS title writes it: RSS does not say whether a title is HTML, so a tag that would run
# opens as HTML writes it (render_rss); "<b>" does nothing and stays.
SCRIPT_TITLE_RSS = '&lt;script>alert("x")&lt;/script> & <b>bold</b> ]]>'


SCRIPT_AUTHOR = '<img src=x onerror="alert(1)">'


def rss_title(title: str) -> str:
    """A title (or byline, or tag) of the articles below as an RSS item writes it."""
    if title.startswith(SCRIPT_AUTHOR):  # (and its source beside it)
        return "&lt;" + title[1:]
    return {SCRIPT_TITLE: SCRIPT_TITLE_RSS, "<script>": "&lt;script>"}.get(title, title)


Renderer = Callable[[FeedMeta, list[Article], Callable[[Article], str]], bytes]


def make_articles() -> list[Article]:
    """Newest first, as the store hands them over; each covers a case readers get wrong."""
    return [
        Article(
            id="a1",
            source_id="people-daily",
            guid="https://news.example.cn/1",
            url="https://news.example.cn/1?lang=zh&amp=1",
            title="北京：新的一天 — 東京・서울",
            summary="今天的新闻摘要。",
            content="<p>正文 <em>内容</em></p>",
            author="李雷",
            published=T0,
            updated=T0 + timedelta(hours=1),
            source_name="人民日报",
            source_url="https://news.example.cn/",
            categories=("world",),
            tags=("新闻", "world"),
            language="zh-CN",
            enclosures=(Enclosure("https://news.example.cn/1.mp3", "audio/mpeg", 123456),),
            thumbnail="https://news.example.cn/1.jpg",
        ),
        Article(
            id="a2",
            source_id="evil",
            guid="x",
            url="https://evil.example/post",
            title=SCRIPT_TITLE,
            summary="Ends the element? </description> ]]> & <i>no</i>",
            content='<p>A &lt;script&gt; as text, <a href="https://evil.example/">a link</a></p>',
            author=SCRIPT_AUTHOR,
            published=T0 - timedelta(hours=2),
            updated=T0 - timedelta(hours=2),
            source_name='Evil "Quotes" & <Co>',
            source_url="https://evil.example/",
            tags=("<script>",),
            enclosures=(
                Enclosure("https://evil.example/v.mp4", "video/mp4", 99),
                Enclosure("https://evil.example/unknown.bin"),
            ),
        ),
        Article(
            id="a3",
            source_id="bare",
            guid="",
            url="",  # no link of its own: our page stands in
            title="No author, no link, no body",
            summary="",
            content="",
            author="",  # the source's name stands in
            published=T0 - timedelta(days=1),
            updated=T0 - timedelta(days=1),
            source_name="Bare Source",
            source_url="",
        ),
        Article(
            id="a4",
            source_id="ctrl",
            guid="c",
            url="https://ctrl.example/4",
            title="Bad\x00 chars\x08\x0b\x1f\ufffe here\ud800",
            summary="tab\tkeeps\nnewline\x07 bell goes",
            content="<p>form\x0cfeed</p>",
            author="Ctrl\x01 Author",
            published=T0 - timedelta(days=2, microseconds=5),
            updated=T0 - timedelta(days=2, microseconds=5),
            source_name="Ctrl\x02 Source",
            source_url="https://ctrl.example/",
        ),
    ]


def make_meta(**changes: Any) -> FeedMeta:
    meta = FeedMeta(
        id=f"{BASE}/c/world/",
        title="World 世界 <news> & more",
        subtitle="Everything from the world category",
        self_url=f"{BASE}/c/world/atom.xml",
        html_url=f"{BASE}/c/world/",
        language="en",
        updated=T0 + timedelta(hours=1),
        icon=f"{BASE}/icon.png",
        logo=f"{BASE}/logo.png",
        hub="https://hub.example/",
    )
    return replace(meta, **changes)


def article_url(article: Article) -> str:
    return f"{BASE}/a/{article.id}"


def clean(text: str) -> str:
    """What the renderer must make of a string with characters XML forbids."""
    return re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]", "", text)


def expected_link(article: Article) -> str:
    return article.url or article_url(article)


# Each item's author: its byline with its source beside it (feed readers show an item's author,
# not its <source>), else its source's name.
EXPECTED_AUTHORS = {
    "a1": "李雷 (人民日报)",
    "a2": SCRIPT_AUTHOR + ' (Evil "Quotes" & <Co>)',
    "a3": "Bare Source",
    "a4": "Ctrl Author (Ctrl Source)",
}


# In RSS, after a comma: reader took "Ann Coe (Wire C)" for a name and an e-mail address.
EXPECTED_RSS_AUTHORS = {
    "a1": "李雷, 人民日报",
    "a2": SCRIPT_AUTHOR + ', Evil "Quotes" & <Co>',
    "a3": "Bare Source",
    "a4": "Ctrl Author, Ctrl Source",
}


def expected_author(article: Article, rss: bool = False) -> str:
    return (EXPECTED_RSS_AUTHORS if rss else EXPECTED_AUTHORS)[article.id]


def parse(body: bytes) -> Any:
    # feedparser treats a str as a path or URL; bytes in a file object are a document.
    return feedparser.parse(io.BytesIO(body))


def struct_to_utc(value: Any) -> datetime:
    return datetime(*value[:6], tzinfo=UTC)


def rfc3339(value: str) -> datetime:
    assert RFC3339.match(value), value
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    assert parsed.tzinfo is not None
    return parsed


def xml(body: bytes) -> Any:
    # A strict parser: no recovery, so any invalid character or markup fails the test.
    root = etree.fromstring(body, etree.XMLParser(recover=False, resolve_entities=False))
    assert body.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    return root


@pytest.fixture
def articles() -> list[Article]:
    return make_articles()


@pytest.fixture
def meta() -> FeedMeta:
    return make_meta()


# --- round trips through feedparser ------------------------------------------------------------


@pytest.mark.parametrize(("render", "version"), [(render_atom, "atom10"), (render_rss, "rss20")])
def test_xml_feeds_round_trip_through_feedparser(
    render: Renderer, version: str, meta: FeedMeta, articles: list[Article]
) -> None:
    parsed = parse(render(meta, articles, article_url))

    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == version
    assert parsed.feed.title == meta.title
    assert parsed.feed.link == meta.html_url
    assert parsed.feed.language == meta.language
    assert [e.id for e in parsed.entries] == [entry_id(a) for a in articles]
    titles = [clean(a.title) for a in articles]
    if version == "rss20":
        titles = list(map(rss_title, titles))
    assert [e.title for e in parsed.entries] == titles
    assert [e.link for e in parsed.entries] == [expected_link(a) for a in articles]
    authors = [expected_author(a, rss=version == "rss20") for a in articles]
    if version == "rss20":
        authors = list(map(rss_title, authors))
    assert [e.author for e in parsed.entries] == authors
    assert [struct_to_utc(e.published_parsed) for e in parsed.entries] == [
        a.published.replace(microsecond=0) for a in articles
    ]
    assert [[t.term for t in e.get("tags", [])] for e in parsed.entries] == [
        list(map(rss_title, a.tags)) if version == "rss20" else list(a.tags) for a in articles
    ]
    a1, a2, a3, a4 = parsed.entries
    assert a1.media_thumbnail == [{"url": "https://news.example.cn/1.jpg"}]
    assert "media_thumbnail" not in a2
    assert a1.content[0].value == articles[0].content
    assert a2.content[0].value == articles[1].content
    assert a4.content[0].value == "<p>formfeed</p>"

    if version == "rss20":
        # An edit, as the Atom entry and JSON item say it (RSS has no element: Atom's is read).
        edited = [
            (e, a) for e, a in zip(parsed.entries, articles, strict=True) if a.updated > a.published
        ]
        assert edited
        for entry, article in edited:
            assert struct_to_utc(entry.updated_parsed) == article.updated.replace(microsecond=0)
    if version == "atom10":
        assert [struct_to_utc(e.updated_parsed) for e in parsed.entries] == [
            a.updated.replace(microsecond=0) for a in articles
        ]
        assert a1.summary == articles[0].summary
        assert a2.summary == articles[1].summary  # type="text": no markup is interpreted
        # Every enclosure, with its type and length (feedgen alone drops them).
        assert a1.enclosures == [
            {"href": "https://news.example.cn/1.mp3", "type": "audio/mpeg", "length": "123456"}
        ]
        assert a2.enclosures == [
            {"href": "https://evil.example/v.mp4", "type": "video/mp4", "length": "99"},
            {"href": "https://evil.example/unknown.bin", "type": "application/octet-stream"},
        ]
        # Attribution: the source with its id, title, link and time.
        assert a1.source.title == "人民日报"
        assert a1.source.link == "https://news.example.cn/"
        assert a1.source.id == "urn:aggregator:source:people-daily"
        assert struct_to_utc(a1.source.updated_parsed) == articles[0].updated
        assert a2.source.title == articles[1].source_name
        assert a3.source.title == "Bare Source"
        assert a4.source.title == "Ctrl Source"
        assert a1.title_detail.language == "zh-CN"
        assert a2.title_detail.language == "en"
    else:
        # <description> is HTML, so the plain-text summary arrives HTML-escaped.
        assert html.unescape(a1.summary) == articles[0].summary
        assert html.unescape(a2.summary) == articles[1].summary
        assert a1.enclosures == [
            {"href": "https://news.example.cn/1.mp3", "type": "audio/mpeg", "length": "123456"}
        ]
        # RSS items carry one enclosure: the first.
        assert a2.enclosures == [
            {"href": "https://evil.example/v.mp4", "type": "video/mp4", "length": "99"}
        ]
        assert a1.source == {"href": "https://news.example.cn/", "title": "人民日报"}
        assert a2.source == {"href": "https://evil.example/", "title": articles[1].source_name}
        assert "source" not in a3  # RSS <source> requires a url; this source has none
    assert a3.enclosures == []
    assert a3.link == f"{BASE}/a/a3"
    assert a3.author == "Bare Source"


def test_json_feed_round_trips(meta: FeedMeta, articles: list[Article]) -> None:
    feed = json.loads(render_json(meta, articles, article_url))

    assert feed["title"] == meta.title
    assert feed["home_page_url"] == meta.html_url
    assert feed["feed_url"] == meta.self_url
    assert feed["description"] == meta.subtitle
    assert feed["language"] == "en"
    assert feed["favicon"] == meta.icon
    assert feed["hubs"] == [{"type": "WebSub", "url": "https://hub.example/"}]
    items = feed["items"]
    assert [i["id"] for i in items] == [entry_id(a) for a in articles]
    assert [i["title"] for i in items] == [clean(a.title) for a in articles]
    assert [i["url"] for i in items] == [expected_link(a) for a in articles]
    assert [i["authors"] for i in items] == [[{"name": expected_author(a)}] for a in articles]
    assert [rfc3339(i["date_published"]) for i in items] == [
        a.published.replace(microsecond=0) for a in articles
    ]
    assert [rfc3339(i["date_modified"]) for i in items] == [
        a.updated.replace(microsecond=0) for a in articles
    ]
    a1, a2, a3, a4 = items
    assert a1["content_html"] == articles[0].content
    assert a1["summary"] == articles[0].summary
    assert a1["image"] == "https://news.example.cn/1.jpg"
    assert a1["tags"] == ["新闻", "world"]
    assert a1["language"] == "zh-CN"
    assert a1["attachments"] == [
        {"url": "https://news.example.cn/1.mp3", "mime_type": "audio/mpeg", "size_in_bytes": 123456}
    ]
    assert a2["attachments"] == [
        {"url": "https://evil.example/v.mp4", "mime_type": "video/mp4", "size_in_bytes": 99},
        {"url": "https://evil.example/unknown.bin", "mime_type": "application/octet-stream"},
    ]
    # The name's language where it is written in its article's (for embed.js's lang on it).
    assert a1["_source"] == {
        "title": "人民日报",
        "url": "https://news.example.cn/",
        "language": "zh-CN",
    }
    assert a3["_source"] == {"title": "Bare Source"}
    assert a3["content_text"] == ""  # no body at all, yet one of the two content keys is present
    assert "content_html" not in a3
    assert a4["summary"] == "tab\tkeeps\nnewline bell goes"
    assert "image" not in a2


def test_ids_are_the_same_in_every_format_and_every_render(articles: list[Article]) -> None:
    meta = make_meta()
    atom_ids = [e.id for e in parse(render_atom(meta, articles, article_url)).entries]
    rss_ids = [e.id for e in parse(render_rss(meta, articles, article_url)).entries]
    json_ids = [i["id"] for i in json.loads(render_json(meta, articles, article_url))["items"]]
    assert atom_ids == rss_ids == json_ids == [f"urn:aggregator:article:{a.id}" for a in articles]

    # Another render of another page, with other neighbours, keeps the article's id.
    other = make_meta(id=f"{BASE}/c/other/", updated=T0 + timedelta(days=3))
    later = [e.id for e in parse(render_atom(other, articles[2:], article_url)).entries]
    assert later == atom_ids[2:]
    edited = replace(articles[0], title="Edited", updated=T0 + timedelta(days=1))
    assert entry_id(edited) == atom_ids[0]


# --- Atom: RFC 4287 structure -------------------------------------------------------------------


def only(parent: Any, tag: str) -> Any:
    found = parent.findall(tag)
    assert len(found) == 1, f"{tag}: {len(found)} elements"
    return found[0]


def assert_alternates_unique(parent: Any) -> None:
    # RFC 4287 §4.1.1: at most one rel="alternate" link per type and hreflang combination.
    alternates = [
        (link.get("type"), link.get("hreflang"))
        for link in parent.findall(f"{ATOM}link")
        if link.get("rel", "alternate") == "alternate"
    ]
    assert len(alternates) == len(set(alternates)), alternates


def test_atom_follows_rfc_4287(meta: FeedMeta, articles: list[Article]) -> None:
    root = xml(render_atom(meta, articles, article_url))

    assert root.tag == f"{ATOM}feed"
    assert root.get(XML_LANG) == "en"
    assert only(root, f"{ATOM}id").text == meta.id
    assert only(root, f"{ATOM}title").text == meta.title
    assert rfc3339(only(root, f"{ATOM}updated").text) == meta.updated
    assert only(root, f"{ATOM}subtitle").text == meta.subtitle
    assert only(root, f"{ATOM}generator").text == "aggregator"
    assert only(root, f"{ATOM}icon").text == meta.icon
    assert only(root, f"{ATOM}logo").text == meta.logo
    links = {(ln.get("rel"), ln.get("type")): ln.get("href") for ln in root.findall(f"{ATOM}link")}
    assert links == {
        ("self", "application/atom+xml"): meta.self_url,
        ("alternate", "text/html"): meta.html_url,  # the only alternate: a reader's web page
        ("hub", None): meta.hub,
    }
    assert_alternates_unique(root)
    assert root.find(f"{ATOM}author") is None  # so every entry needs its own (§4.1.2)

    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == len(articles)
    ids = [only(e, f"{ATOM}id").text for e in entries]
    assert len(set(ids)) == len(ids)
    for entry, article in zip(entries, articles, strict=True):
        assert only(entry, f"{ATOM}title").text == clean(article.title)
        assert rfc3339(only(entry, f"{ATOM}updated").text) == article.updated.replace(microsecond=0)
        assert rfc3339(only(entry, f"{ATOM}published").text) == article.published.replace(
            microsecond=0
        )
        author = only(entry, f"{ATOM}author")
        assert only(author, f"{ATOM}name").text == expected_author(article)
        assert_alternates_unique(entry)
        alternate = [ln for ln in entry.findall(f"{ATOM}link") if ln.get("rel") == "alternate"]
        assert [(ln.get("href"), ln.get("type")) for ln in alternate] == [
            (expected_link(article), "text/html")
        ]
        for link in entry.findall(f"{ATOM}link"):
            assert link.get("href")
            assert link.get("rel") in {"alternate", "related", "enclosure"}
        enclosures = [
            (ln.get("href"), ln.get("type"), ln.get("length"))
            for ln in entry.findall(f"{ATOM}link")
            if ln.get("rel") == "enclosure"
        ]
        assert enclosures == [
            (
                e.url,
                e.type or "application/octet-stream",
                None if e.length is None else str(e.length),
            )
            for e in article.enclosures
        ]
        content = entry.find(f"{ATOM}content")
        if article.content:
            assert content.get("type") == "html"
            assert content.text == clean(article.content)  # escaped text, not child elements
            assert len(content) == 0
        else:
            assert content is None
        summary = entry.find(f"{ATOM}summary")
        assert (summary is None) == (not article.summary)
        source = only(entry, f"{ATOM}source")
        assert only(source, f"{ATOM}id").text == f"urn:aggregator:source:{article.source_id}"
        assert only(source, f"{ATOM}title").text == clean(article.source_name)
        assert rfc3339(only(source, f"{ATOM}updated").text)
        source_links = [(ln.get("rel"), ln.get("href")) for ln in source.findall(f"{ATOM}link")]
        site, feed = article.source_url, article.source_feed_url
        # Its site as an HTML page, unless that is its feed (an XML document), and its feed.
        expected = [("alternate", site)] if site and site != feed else []
        assert source_links == expected + ([("self", feed)] if feed else [])
    # The related link points at our page when the article has its own.
    related = [ln.get("href") for ln in entries[0].findall(f"{ATOM}link[@rel='related']")]
    assert related == [f"{BASE}/a/a1"]
    assert entries[2].find(f"{ATOM}link[@rel='related']") is None
    assert entries[0].get(XML_LANG) == "zh-CN"
    assert entries[1].get(XML_LANG) is None
    assert only(entries[0], f"{MEDIA}thumbnail").get("url") == articles[0].thumbnail


# --- RSS 2.0 structure ----------------------------------------------------------------------------


def test_rss_follows_rss_2_0(meta: FeedMeta, articles: list[Article]) -> None:
    rss_meta = replace(meta, self_url=f"{BASE}/c/world/rss.xml")
    root = xml(render_rss(rss_meta, articles, article_url))

    assert root.tag == "rss"
    assert root.get("version") == "2.0"
    channel = only(root, "channel")
    assert only(channel, "title").text == meta.title
    assert only(channel, "link").text == meta.html_url
    assert only(channel, "description").text == meta.subtitle
    assert only(channel, "language").text == "en"
    assert email.utils.parsedate_to_datetime(only(channel, "lastBuildDate").text) == meta.updated
    atom_links = {ln.get("rel"): ln for ln in channel.findall(f"{ATOM}link")}
    assert set(atom_links) == {"self", "hub"}
    assert atom_links["self"].get("href") == rss_meta.self_url
    assert atom_links["self"].get("type") == "application/rss+xml"
    assert atom_links["hub"].get("href") == meta.hub
    image = only(channel, "image")
    assert [only(image, t).text for t in ("url", "title", "link")] == [
        meta.logo,
        meta.title,
        meta.html_url,
    ]

    items = channel.findall("item")
    assert len(items) == len(articles)
    for item, article in zip(items, articles, strict=True):
        assert item.find("title") is not None or item.find("description") is not None
        assert only(item, "title").text == rss_title(clean(article.title))
        assert only(item, "link").text == expected_link(article)
        guid = only(item, "guid")
        assert guid.get("isPermaLink") == "false"
        assert guid.text == entry_id(article)
        published = email.utils.parsedate_to_datetime(only(item, "pubDate").text)
        assert published == article.published.replace(microsecond=0)
        assert only(item, f"{DC}creator").text == rss_title(expected_author(article, rss=True))
        assert item.find("author") is None  # RSS <author> must be an e-mail address
        for enclosure in item.findall("enclosure"):
            assert enclosure.get("url")
            assert enclosure.get("length").isdigit()
            assert enclosure.get("type")
        assert len(item.findall("enclosure")) == min(1, len(article.enclosures))
        if article.content:
            assert only(item, f"{CONTENT}encoded").text == clean(article.content)
        if article.summary:
            assert html.unescape(only(item, "description").text) == clean(article.summary)
        sources = item.findall("source")
        if article.source_url:
            assert [(s.get("url"), s.text) for s in sources] == [
                (article.source_url, clean(article.source_name))
            ]
        else:
            assert sources == []
        assert [c.text for c in item.findall("category")] == list(map(rss_title, article.tags))
    assert only(items[0], f"{MEDIA}thumbnail").get("url") == articles[0].thumbnail


# --- JSON Feed 1.1 structure ----------------------------------------------------------------------

JSON_FEED_KEYS = {
    "version",
    "title",
    "home_page_url",
    "feed_url",
    "description",
    "user_comment",
    "next_url",
    "icon",
    "favicon",
    "authors",
    "language",
    "expired",
    "hubs",
    "items",
}
JSON_ITEM_KEYS = {
    "id",
    "url",
    "external_url",
    "title",
    "content_html",
    "content_text",
    "summary",
    "image",
    "banner_image",
    "date_published",
    "date_modified",
    "authors",
    "tags",
    "language",
    "attachments",
}


def test_an_rss_channel_description_keeps_its_markup_characters_as_text(
    meta: FeedMeta, articles: list[Article]
) -> None:
    """Some readers read an RSS channel description as HTML (feedparser), most as text: "<test>"
    must reach the first as text, and "&" the others as "&", not "&amp;" (Atom's subtitle is
    typed text: escaped once)."""
    described = replace(meta, subtitle="Corpus review & checks <test>.")
    rss = render_rss(described, articles, article_url)
    parsed = feedparser.parse(rss)
    # (feedparser gives the HTML, a lone "&" in it; a reader shows it as the text. It read
    # "checks ." before.)
    assert parsed.feed.description == "Corpus review & checks &lt;test&gt;."
    as_text = xml(rss).find("channel/description").text
    assert as_text == "Corpus review & checks &lt;test&gt;."
    plain = replace(meta, subtitle="Books & arts")
    assert xml(render_rss(plain, articles, article_url)).find("channel/description").text == (
        "Books & arts"
    )
    atom = feedparser.parse(render_atom(described, articles, article_url))
    assert atom.feed.subtitle == "Corpus review & checks <test>."


def test_json_feed_follows_version_1_1(meta: FeedMeta, articles: list[Article]) -> None:
    body = render_json(replace(meta, image=f"{BASE}/show-1400.png"), articles, article_url)
    feed = json.loads(body)

    assert list(feed)[:2] == ["version", "title"]  # in the spec's order, for human readers
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert isinstance(feed["title"], str)
    assert set(feed) <= JSON_FEED_KEYS
    for key in ("home_page_url", "feed_url", "description", "icon", "favicon", "language"):
        assert isinstance(feed[key], str)
    for hub in feed["hubs"]:
        assert isinstance(hub["type"], str)
        assert isinstance(hub["url"], str)
    items = feed["items"]
    assert isinstance(items, list)
    ids = [item["id"] for item in items]
    assert all(isinstance(i, str) for i in ids)
    assert len(set(ids)) == len(ids)
    for item in items:
        assert {k for k in item if not k.startswith("_")} <= JSON_ITEM_KEYS
        assert isinstance(item.get("content_html", item.get("content_text")), str)
        for key in ("url", "title", "summary", "image", "language"):
            assert isinstance(item.get(key, ""), str)
        rfc3339(item["date_published"])
        rfc3339(item["date_modified"])
        assert all(isinstance(a["name"], str) for a in item["authors"])
        assert all(isinstance(t, str) for t in item.get("tags", []))
        for attachment in item.get("attachments", []):
            assert isinstance(attachment["url"], str)
            assert isinstance(attachment["mime_type"], str)
            assert isinstance(attachment.get("size_in_bytes", 0), int)
        assert isinstance(item["_source"], dict)
        assert isinstance(item["_source"]["title"], str)


# --- bytes: determinism, encoding, escaping -------------------------------------------------------


@pytest.mark.parametrize("render", [render_atom, render_rss, render_json])
def test_identical_input_gives_identical_bytes(render: Renderer) -> None:
    # Equal but separately built values: nothing may depend on identity, the clock or hashing.
    first = render(make_meta(), make_articles(), article_url)
    second = render(make_meta(), make_articles(), article_url)
    assert first == second
    assert str(datetime.now(UTC).year).encode() not in first  # T0 is 2024: no "now" leaks in
    changed = render(make_meta(), [replace(make_articles()[0], title="Changed")], article_url)
    assert changed != first


@pytest.mark.parametrize("render", [render_atom, render_rss, render_json])
def test_cjk_text_is_utf8_not_escaped(
    render: Renderer, meta: FeedMeta, articles: list[Article]
) -> None:
    body = render(meta, articles, article_url)
    assert "北京：新的一天 — 東京・서울".encode() in body
    assert "人民日报".encode() in body
    assert b"&#" not in body
    assert b"\\u" not in body


@pytest.mark.parametrize("render", [render_atom, render_rss])
def test_a_title_not_in_its_items_script_is_of_unknown_language(
    render: Renderer, meta: FeedMeta, articles: list[Article]
) -> None:
    """An article's language is read from its body: the English title of a Persian post is no
    Persian. Its title says xml:lang="und" (undetermined; RFC 4287's schema takes no empty tag),
    as the pages say lang=""; one that fits its
    language's script, and the feed's own language, say nothing more."""
    persian = replace(articles[0], id="fa1", title="Super Market Opening", language="fa")
    fitting = replace(articles[0], id="fa2", title="اپل از iPhone 16 رونمایی کرد", language="fa")
    english = replace(articles[0], id="en1", title="A title in English", language="en")
    root = xml(render(meta, [persian, fitting, english], article_url))
    entries = root.findall(f"{ATOM}entry") or root.findall("channel/item")
    title = f"{ATOM}title" if render is render_atom else "title"
    written = [(e.get(XML_LANG), only(e, title).get(XML_LANG)) for e in entries]
    assert written == [("fa", "und"), ("fa", None), (None, None)]  # (the feed's own: "en")


@pytest.mark.parametrize("render", [render_atom, render_rss])
def test_markup_in_text_fields_stays_text(
    render: Renderer, meta: FeedMeta, articles: list[Article]
) -> None:
    root = xml(render(meta, articles, article_url))
    # No element was smuggled in from a title, author, source name, tag or summary.
    tags = {etree.QName(e).localname for e in root.iter()}
    assert not tags & {"script", "img", "b", "i", "Co", "a", "p", "em"}
    titles = [e.text for e in root.iter(f"{ATOM}title", "title")]
    assert (SCRIPT_TITLE_RSS if render is render_rss else SCRIPT_TITLE) in titles


@pytest.mark.parametrize(
    ("title", "written"),
    [
        # A source's title escaped twice ("&amp;lt;svg…") is this text to us: a reader that
        # takes RSS titles as HTML ran it (a review of hostile feeds).
        ("<svg onload=alert(1)>", "&lt;svg onload=alert(1)>"),
        ('<b onclick="x">Hi</b>', '&lt;b onclick="x">Hi</b>'),
        ("<a href=//evil.example>Win</a>", "&lt;a href=//evil.example>Win&lt;/a>"),
        # HTML begins an attribute after a "/" or a quoted value too (a review: these ran).
        ("<details/open/ontoggle=alert(1)>", "&lt;details/open/ontoggle=alert(1)>"),
        ("<details open='x'ontoggle=alert(3)>", "&lt;details open='x'ontoggle=alert(3)>"),
        ("<x/onclick=alert(2)>click", "&lt;x/onclick=alert(2)>click"),
        (
            '<div title="a"onpointerenter=alert(6)>hover',
            '&lt;div title="a"onpointerenter=alert(6)>hover',
        ),
        # A quoted value holds any ">" or "<": the tag goes on after it (a review: these ran).
        (
            "<details open title='>' ontoggle=alert(4)>",
            "&lt;details open title='>' ontoggle=alert(4)>",
        ),
        ('<b title="<" onmouseover=alert(5)>me', '&lt;b title="<" onmouseover=alert(5)>me'),
        ("<i title='a>b' onclick=alert(7) <b>", "&lt;i title='a>b' onclick=alert(7) &lt;b>"),
        # A tag left open: a byline after it in the reader's markup can end it (a review).
        ("Open <details open title='", "Open &lt;details open title='"),
        ("std::vector<int", "std::vector&lt;int"),
        # What loads or restyles, whatever the tag (a review: a window-wide overlay, trackers).
        ('<b style="position:fixed;inset:0">x</b>', '&lt;b style="position:fixed;inset:0">x</b>'),
        ("<td background=//t.example/p>x", "&lt;td background=//t.example/p>x"),
        ("<area href=//evil.example>", "&lt;area href=//evil.example>"),
        ("<portal src=//evil.example>", "&lt;portal src=//evil.example>"),
        ("<x/style=color:red>", "&lt;x/style=color:red>"),
        # Hard negatives: what runs nothing stays as written (feedparser shows titles as text).
        ("std::vector<int> in C++", "std::vector<int> in C++"),
        ("<b title='>' data-x=\"on=1\">bold</b> <i>onclick=no</i>", None),
        ("Map<String, List<Integer>> onError=retry", None),
        ("The <dialog> element", "The <dialog> element"),
        ("a < b && <abbr>", "a < b && <abbr>"),
    ],
)
def test_an_rss_title_that_would_run_in_an_html_reader_opens_escaped(
    title: str, written: str | None, meta: FeedMeta
) -> None:
    written = title if written is None else written
    article = replace(
        make_articles()[0], title=title, author=title, source_name=title, tags=(title,)
    )
    podcast = replace(
        meta, title=title, author=title, explicit=False, image="https://agg.example/show.png"
    )
    channel = xml(render_rss(podcast, [article], article_url)).find("channel")
    item = channel.find("item")
    assert only(item, "title").text == written
    assert only(item, f"{DC}creator").text == written
    # The names of the item's source, of the site and category, and of the show, too.
    assert only(item, "source").text == written
    assert only(item, "category").text == written
    assert only(channel, "title").text == written
    assert channel.find("image/title").text == written
    assert only(channel, f"{ITUNES}author").text == written
    assert json.loads(render_json(meta, [article], article_url))["items"][0]["title"] == title


def test_control_characters_are_stripped_everywhere(meta: FeedMeta) -> None:
    # Forbidden by XML 1.0, then those it asks documents to avoid (DEL, C1 controls,
    # noncharacters: the W3C validator's BadCharacters).
    bad = "\x00\x01\x08\x0b\x0c\x1f\ufffe\uffff\ud800" + "\x7f\x80\x9f\ufdd0\ufdef\U0001fffe"
    article = replace(
        make_articles()[3],
        url="https://ctrl.example/" + bad,
        tags=("tag" + bad, bad),  # a tag of nothing but bad characters disappears
        enclosures=(Enclosure("https://ctrl.example/e" + bad, "audio/mpeg" + bad, 1),),
        thumbnail="https://ctrl.example/t" + bad,
    )
    messy = replace(
        meta, title="Title" + bad, subtitle="Sub" + bad, hub="https://hub.example/" + bad
    )
    for render in (render_atom, render_rss):
        body = render(messy, [article], article_url)
        xml(body)  # strict parse: fails on any character XML forbids
        parsed = parse(body)
        assert parsed.bozo == 0
        assert parsed.feed.title == "Title"
        assert parsed.entries[0].title == "Bad chars here"
        assert parsed.entries[0].link == "https://ctrl.example/"
        assert parsed.entries[0].author == expected_author(article, rss=render is render_rss)
        assert [t.term for t in parsed.entries[0].tags] == ["tag"]
        assert parsed.entries[0].enclosures[0]["href"] == "https://ctrl.example/e"
        assert parsed.entries[0].media_thumbnail == [{"url": "https://ctrl.example/t"}]
    body = render_json(messy, [article], article_url)
    text = body.decode("utf-8")  # a lone surrogate would not even encode
    assert not re.search(
        "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ufdd0-\ufdef\ufffe\uffff]", text
    )
    assert "\\u00" not in text
    item = json.loads(body)["items"][0]
    assert item["title"] == "Bad chars here"
    assert item["tags"] == ["tag"]


@pytest.mark.parametrize("render", [render_atom, render_rss, render_json])
def test_empty_feed_is_still_a_valid_feed(render: Renderer, meta: FeedMeta) -> None:
    body = render(meta, [], article_url)
    if render is render_json:
        assert json.loads(body)["items"] == []
    else:
        parsed = parse(body)
        assert parsed.bozo == 0
        assert parsed.entries == []
        assert parsed.feed.title == meta.title


def test_only_valid_language_tags_are_emitted(meta: FeedMeta, articles: list[Article]) -> None:
    # What a source once wrote ("English") and a site language written "en-us".
    odd = [replace(articles[0], language="English"), replace(articles[1], language="Elvish")]
    site = replace(meta, language="en-us")
    atom = xml(render_atom(site, odd, article_url))
    assert atom.get(XML_LANG) == "en-US"
    assert [e.get(XML_LANG) for e in atom.findall(f"{ATOM}entry")] == ["en", None]
    channel = xml(render_rss(site, odd, article_url)).find("channel")
    assert channel.find("language").text == "en-US"
    feed = json.loads(render_json(site, odd, article_url))
    assert feed["language"] == "en-US"
    assert [item.get("language") for item in feed["items"]] == ["en", None]
    nothing = xml(render_atom(replace(meta, language="Elvish"), odd, article_url))
    assert nothing.get(XML_LANG) is None


def test_an_rss_item_in_another_language_than_the_channel_says_so(
    meta: FeedMeta, articles: list[Article]
) -> None:
    """RSS has only the channel's <language> (the site's): a Chinese item of an English site's
    feed carries xml:lang, as its Atom entry does, and feedparser reads it."""
    mixed = [replace(articles[0], language="zh"), replace(articles[1], language="en")]
    rss = render_rss(replace(meta, language="en"), mixed, article_url)
    items = xml(rss).find("channel").findall("item")
    assert [i.get(XML_LANG) for i in items] == ["zh", None]
    assert feedparser.parse(rss).entries[0].title_detail.language == "zh"


def test_a_link_blogs_linked_page_is_in_every_format(
    meta: FeedMeta, articles: list[Article]
) -> None:
    """A JSON Feed source's external_url (Daring Fireball's link posts: 38 of 42 lost the page
    they are about, in all three of our formats; a review): JSON Feed's external_url, Atom's
    related link (as link blogs' own Atom feeds name it), Atom's link in an RSS item."""
    linked = [replace(articles[0], external_url="https://tidbits.example/article/17308")]
    item = json.loads(render_json(meta, linked, article_url))["items"][0]
    assert item["external_url"] == "https://tidbits.example/article/17308"
    assert list(item)[:3] == ["id", "url", "external_url"]  # (the spec's order)
    assert "external_url" not in json.loads(render_json(meta, articles, article_url))["items"][0]
    atom = parse(render_atom(meta, linked, article_url)).entries[0]
    related = [link.href for link in atom.links if link.rel == "related"]
    assert "https://tidbits.example/article/17308" in related
    assert atom.link == linked[0].url  # (the post's own page stays its link)
    rss = xml(render_rss(meta, linked, article_url)).find("channel").find("item")
    [external] = [e for e in rss.findall(f"{ATOM}link") if e.get("rel") == "related"]
    assert external.get("href") == "https://tidbits.example/article/17308"


def test_links_are_written_as_uris_not_iris(meta: FeedMeta, articles: list[Article]) -> None:
    """RSS 2.0 and JSON Feed want URLs (the W3C validator: "IRI found where URL expected"), and
    strict URL parsers refuse an IRI: the host in IDNA, the rest percent-encoded as UTF-8."""
    iri = replace(
        articles[0],
        url="https://bücher.example/記事1のURL?q=ü",
        thumbnail="https://cdn.example/dödade-cyklister-1.jpg",
        enclosures=(Enclosure("https://cdn.example/é.mp3", "audio/mpeg", 10),),
    )
    uri = "https://xn--bcher-kva.example/%E8%A8%98%E4%BA%8B1%E3%81%AEURL?q=%C3%BC"
    thumbnail = "https://cdn.example/d%C3%B6dade-cyklister-1.jpg"
    item = xml(render_rss(meta, [iri], article_url)).find("channel/item")
    assert item.find("link").text == uri
    assert item.find(MEDIA + "thumbnail").get("url") == thumbnail
    assert item.find("enclosure").get("url") == "https://cdn.example/%C3%A9.mp3"
    (entry,) = json.loads(render_json(meta, [iri], article_url))["items"]
    assert (entry["url"], entry["image"]) == (uri, thumbnail)


def test_minimal_meta_leaves_optional_elements_out(articles: list[Article]) -> None:
    meta = make_meta(subtitle="", icon="", logo="", hub="")
    atom = xml(render_atom(meta, articles, article_url))
    assert atom.find(f"{ATOM}icon") is None
    assert atom.find(f"{ATOM}logo") is None
    assert atom.find(f"{ATOM}subtitle").text == meta.title  # feedgen's one field with RSS
    # The site first: readers that take a feed's first <link> for its site (feed-extractor)
    # gave every Atom feed its own URL as its site.
    assert [ln.get("rel") for ln in atom.findall(f"{ATOM}link")] == ["alternate", "self"]
    channel = xml(render_rss(meta, articles, article_url)).find("channel")
    # RSS requires a description (its "<" and ">" written as HTML writes them: _generator)
    assert channel.find("description").text == meta.title.replace("<", "&lt;").replace(">", "&gt;")
    assert channel.find("image") is None
    assert [ln.get("rel") for ln in channel.findall(f"{ATOM}link")] == ["self"]
    feed = json.loads(render_json(meta, articles, article_url))
    assert not {"description", "icon", "favicon", "hubs"} & set(feed)


def test_content_types_name_the_formats() -> None:
    assert CONTENT_TYPES == {
        "atom": "application/atom+xml; charset=utf-8",
        "rss": "application/rss+xml; charset=utf-8",
        "json": "application/feed+json; charset=utf-8",
    }


def test_newest_first_input_stays_newest_first(meta: FeedMeta) -> None:
    articles = [
        replace(make_articles()[2], id=f"n{i}", published=T0 - timedelta(minutes=i))
        for i in range(5)
    ]
    want = [entry_id(a) for a in articles]
    for render in (render_atom, render_rss):
        assert [e.id for e in parse(render(meta, articles, article_url)).entries] == want
    assert [i["id"] for i in json.loads(render_json(meta, articles, article_url))["items"]] == want


def test_dates_are_utc_whatever_zone_they_arrive_in(meta: FeedMeta) -> None:
    shanghai = datetime(2024, 5, 6, 23, 8, 9, tzinfo=timezone(timedelta(hours=8)))
    article = replace(make_articles()[0], published=shanghai, updated=shanghai)
    item = json.loads(render_json(meta, [article], article_url))["items"][0]
    assert item["date_published"] == "2024-05-06T15:08:09+00:00"
    entry = parse(render_atom(meta, [article], article_url)).entries[0]
    assert entry.published == "2024-05-06T15:08:09+00:00"


@pytest.mark.parametrize("render", [render_atom, render_rss, render_json])
def test_non_http_links_never_reach_a_feed(render: Callable[..., bytes]) -> None:
    hostile = replace(
        make_articles()[0],
        url="javascript:alert(1)",
        thumbnail="data:image/svg+xml,<svg onload=alert(1)>",
        enclosures=(Enclosure(url="vbscript:msgbox", type="audio/mpeg", length=1),),
    )
    body = render(make_meta(), [hostile], lambda a: f"https://agg.example/a/{a.id}").decode()
    assert "javascript:" not in body
    assert "data:image" not in body
    assert "vbscript:" not in body
    assert "https://agg.example/a/" in body  # the link falls back to our own page


def test_an_enclosure_of_length_zero_is_of_unknown_size(articles: list[Article]) -> None:
    # Substack and many podcasts write length="0": not a file of no bytes.
    zero = replace(articles[0], enclosures=(Enclosure("https://a.example/p.mp3", "audio/mpeg", 0),))
    [item] = json.loads(render_json(make_meta(), [zero], article_url))["items"]
    assert item["attachments"] == [{"url": "https://a.example/p.mp3", "mime_type": "audio/mpeg"}]
    [entry] = feedparser.parse(render_atom(make_meta(), [zero], article_url)).entries
    [link] = [link for link in entry.links if link.rel == "enclosure"]
    assert "length" not in link
    assert b'length="0"' in render_rss(make_meta(), [zero], article_url)  # RSS requires it


def test_an_episodes_duration_reaches_podcast_apps_and_json_readers(
    articles: list[Article],
) -> None:
    sound = Enclosure("https://a.example/p.mp3", "audio/mpeg", 100, duration=3723)
    episode = replace(articles[0], enclosures=(sound, Enclosure("https://a.example/notes.pdf")))
    plain = replace(
        articles[1],
        enclosures=(Enclosure("https://a.example/q.pdf", "application/pdf"),),
        thumbnail="https://a.example/q.jpg",
    )
    [item, other] = json.loads(render_json(make_meta(), [episode, plain], article_url))["items"]
    assert item["attachments"][0]["duration_in_seconds"] == 3723
    assert "duration_in_seconds" not in item["attachments"][1]
    assert "duration_in_seconds" not in other["attachments"][0]
    rss = render_rss(make_meta(), [episode, plain], article_url)
    [first, second] = feedparser.parse(rss).entries
    assert first.itunes_duration == "1:02:03"
    assert first.image.href == episode.thumbnail  # podcast apps' episode picture
    assert "itunes_duration" not in second
    assert b"<itunes:image" not in rss.split(b"<item")[2]  # a paper, no episode
    assert b"<media:thumbnail" in rss.split(b"<item")[2]
    assert xml(rss).nsmap["itunes"] == "http://www.itunes.com/dtds/podcast-1.0.dtd"


def test_an_atom_source_links_its_feed_and_no_xml_feed_as_a_page(articles: list[Article]) -> None:
    """A YouTube channel's feed has no site link: its <source> labelled the feed text/html."""
    feed_url = "https://www.youtube.com/feeds/videos.xml?channel_id=UC7"
    youtube = replace(articles[0], source_url=feed_url, source_feed_url=feed_url)
    blog = replace(articles[1], source_feed_url="https://blog.example/feed.atom")
    root = xml(render_atom(make_meta(), [youtube, blog], article_url))
    links = [
        [(ln.get("rel"), ln.get("href"), ln.get("type")) for ln in source.findall(f"{ATOM}link")]
        for source in root.iter(f"{ATOM}source")
    ]
    assert links == [
        [("self", feed_url, None)],
        [
            ("alternate", blog.source_url, "text/html"),
            ("self", "https://blog.example/feed.atom", None),
        ],
    ]


def test_a_feed_carries_at_most_its_budget_of_articles_html(articles: list[Article]) -> None:
    """A source whose articles were each 512 KB made its category's 200-item feed 160 MB; past
    FEED_CONTENT_CHARS an item carries its summary and links, not its content."""
    fat = "<p>" + "a&lt;b " * 87_000 + "</p>"  # about 520 KB, as long as an article may be
    many = [replace(articles[0], id=f"fat{n}", content=fat) for n in range(20)]
    many.append(replace(articles[1], id="small"))  # still fits after them: kept whole
    fits = FEED_CONTENT_CHARS // len(fat)
    for render in (render_atom, render_rss, render_json):
        body = render(make_meta(), many, article_url)
        # (Atom and RSS write the HTML escaped: "<" is "&lt;", "&lt;" is "&amp;lt;".)
        assert len(body) < FEED_CONTENT_CHARS * 2, render.__name__
    items = json.loads(render_json(make_meta(), many, article_url))["items"]
    assert [("content_html" in i) for i in items[:20]] == [True] * fits + [False] * (20 - fits)
    assert items[fits]["content_text"] == articles[0].summary
    assert items[20]["content_html"] == articles[1].content


def test_an_item_of_many_tags_renders_in_time_linear_in_them(articles: list[Article]) -> None:
    """A JSON Feed item of 100,000 tags (6 MB) made every Atom and RSS render of its category
    take minutes (feedgen copies an entry's categories on each one added: 8,000 took 7.6 s and
    11 s); ingest now keeps MAX_TAGS, and an article stored before still renders in time."""
    many = replace(articles[0], tags=tuple(f"tag {n}" for n in range(20_000)))
    for render in (render_atom, render_rss):
        started = time.monotonic()
        body = render(make_meta(), [many], article_url)
        assert time.monotonic() - started < 5, render.__name__
        assert body.count(b"<category") == MAX_TAGS, render.__name__


def test_a_stored_tag_that_shows_nothing_is_no_category(articles: list[Article]) -> None:
    """Stored before ingest dropped them, a zero-width space or soft hyphen tag was written as a
    category that looks empty in every format, and WordPress's "Uncategorized" as one."""
    tagged = replace(articles[0], tags=("\u200b", "\u00ad", " \u2060 ", "Uncategorized", "kept"))
    for render in (render_atom, render_rss):
        [item] = feedparser.parse(render(make_meta(), [tagged], article_url)).entries
        assert [t.term for t in item.tags] == ["kept"], render.__name__
    [item] = json.loads(render_json(make_meta(), [tagged], article_url))["items"]
    assert item["tags"] == ["kept"]


def test_an_rss_item_s_one_enclosure_is_its_episode_not_a_picture_listed_first(
    articles: list[Article],
) -> None:
    """RSS has room for one enclosure: an item listing a picture, then its sound (the Daily
    Mail's jpg then mp4), is an episode to podcast apps, with its length; JSON Feed keeps both."""
    picture = Enclosure("https://a.example/cover.jpg", "image/jpeg", 4114)
    sound = Enclosure("https://a.example/ep.mp3", "audio/mpeg", 100, duration=3600)
    episode = replace(articles[0], enclosures=(picture, sound))
    [entry] = feedparser.parse(render_rss(make_meta(), [episode], article_url)).entries
    assert [e.href for e in entry.enclosures] == [sound.url]
    assert entry.itunes_duration == "1:00:00"
    # The others as Media RSS, which readers of RSS read too (they were left out of it).
    assert [(m["url"], m["type"], m["filesize"]) for m in entry.media_content] == [
        (picture.url, "image/jpeg", "4114")
    ]
    [item] = json.loads(render_json(make_meta(), [episode], article_url))["items"]
    assert [a["url"] for a in item["attachments"]] == [picture.url, sound.url]
    # Without a sound or video, the first is the one.
    paper = replace(articles[0], enclosures=(picture, Enclosure("https://a.example/b.pdf")))
    [entry] = feedparser.parse(render_rss(make_meta(), [paper], article_url)).entries
    assert [e.href for e in entry.enclosures] == [picture.url]
    assert [m["url"] for m in entry.media_content] == ["https://a.example/b.pdf"]
    # One: none more.
    [entry] = feedparser.parse(render_rss(make_meta(), [articles[0]], article_url)).entries
    assert "media_content" not in entry


def test_an_rss_items_enclosure_follows_its_media_content(articles: list[Article]) -> None:
    """newsboat (and podboat, which downloads it) keeps an item's last enclosure of either
    kind: written before the media:content, an episode's video was taken for the episode."""
    video = Enclosure("https://a.example/clip.mp4", "video/mp4", 200)
    sound = Enclosure("https://a.example/ep.mp3", "audio/mpeg", 100)
    episode = replace(articles[0], enclosures=(sound, video))
    item = etree.fromstring(render_rss(make_meta(), [episode], article_url)).find("channel/item")
    assert item is not None
    media = [n for n, child in enumerate(item) if child.tag == f"{MEDIA}content"]
    enclosures = [n for n, child in enumerate(item) if child.tag == "enclosure"]
    tags = [child.tag for child in item]
    assert media, tags
    assert len(enclosures) == 1, tags
    assert enclosures[0] > max(media), tags
    assert item[enclosures[0]].get("url") == sound.url


def test_a_day_without_a_time_is_said_so_in_json_feed(articles: list[Article]) -> None:
    """date_published must have a time, its noon; "_day_only" gives the day, for embed.js."""
    noon = datetime(2005, 12, 27, 3, tzinfo=UTC)  # Tokyo's noon
    day = replace(articles[0], published=noon, updated=noon, day_only=True)
    first, second = json.loads(render_json(make_meta(), [day, articles[1]], article_url))["items"]
    assert first["date_published"] == "2005-12-27T03:00:00+00:00"
    assert first["_day_only"] == {"date": "2005-12-27"}
    assert "_day_only" not in second


@pytest.mark.parametrize(
    ("seconds", "written"), [(59, "0:59"), (61, "1:01"), (3600, "1:00:00"), (36_061, "10:01:01")]
)
def test_a_duration_is_written_as_players_write_it(seconds: int, written: str) -> None:
    assert clock(seconds) == written


def test_an_untitled_copy_credited_beside_an_item_is_untitled_in_the_feeds_words() -> None:
    """The item said "无标题", and its story's untitled copy still "(untitled)" in English."""
    first = make_articles()[0]
    copy = Also("https://copy.example/1", UNTITLED, "Copier", first.published)
    credits = {first.id: Credit(story_id=first.id, size=2, also=(copy,))}
    chinese = make_meta(untitled_label="无标题")
    feed = json.loads(render_json(chinese, [first], article_url, credits))
    assert feed["items"][0]["_story"]["also"][0]["title"] == "无标题"
    rss = render_rss(chinese, [first], article_url, credits).decode()
    atom = render_atom(chinese, [first], article_url, credits).decode()
    for body in (rss, atom):
        assert "无标题" in body
        assert UNTITLED not in body


def test_credits_take_the_feeds_punctuation_and_each_copys_language() -> None:
    """A Chinese feed's credit read "其他来源的报道: … ( )", English punctuation, and a
    Traditional copy's title in a Simplified feed said no language (a review)."""
    first = make_articles()[0]
    copies = (
        Also("https://tw.example/1", "颱風逼近", "中央社", first.published, "zh-Hant"),
        Also("https://cn.example/2", "台风逼近", "新华社", first.published, "zh-Hans"),
    )
    credits = {first.id: Credit(story_id=first.id, size=3, also=copies)}
    chinese = make_meta(language="zh-Hans", also_label="其他来源的报道")
    (item,) = json.loads(render_json(chinese, [first], article_url, credits))["items"]
    assert item["content_html"].endswith(
        '<p>其他来源的报道：<a href="https://tw.example/1"><bdi lang="zh-Hant">颱風逼近</bdi></a>'
        '（<bdi>中央社</bdi>）、<a href="https://cn.example/2"><bdi>台风逼近</bdi></a>'
        "（<bdi>新华社</bdi>）</p>"
    )
    # Other languages keep theirs ("Also reported by: … (…), …").
    english = json.loads(render_json(make_meta(), [first], article_url, credits))["items"][0]
    assert (
        '<p>Also reported by: <a href="https://tw.example/1"><bdi lang="zh-Hant">'
        in (english["content_html"])
    )
    assert "</bdi></a> (<bdi>中央社</bdi>), <a" in english["content_html"]


@pytest.mark.parametrize("render", [render_atom, render_rss, render_json])
def test_an_items_author_names_its_source_beside_its_byline(render: Renderer) -> None:
    """Feed readers show an item's author, not its <source>: newsboat and sfeed showed "Ann Coe"
    for a wire's article in a merged feed, and its source nowhere (a review, with real readers)."""
    first = make_articles()[0]
    # (In RSS after a comma: test_an_rss_author_is_no_e_mail_address_to_reader.)
    cases = {
        ("Ann Coe", "Wire C"): ("Ann Coe (Wire C)", "Ann Coe, Wire C"),
        # The byline names its source already.
        ("Reuters Staff", "reuters"): ("Reuters Staff", "Reuters Staff"),
        # (A name holding it is no naming.)
        ("Stephen Kaplan", "AP"): ("Stephen Kaplan (AP)", "Stephen Kaplan, AP"),
        # (No space sets words apart.)
        ("新华社记者 张三", "新华社"): ("新华社记者 张三", "新华社记者 张三"),
        # No byline: the source stands in, as before.
        ("", "Wire C"): ("Wire C", "Wire C"),
    }
    for (byline, source), (expected, in_rss) in cases.items():
        article = replace(first, author=byline, source_name=source)
        body = render(make_meta(), [article], article_url)
        if render is render_json:
            assert json.loads(body)["items"][0]["authors"] == [{"name": expected}]
        else:
            want = in_rss if render is render_rss else expected
            assert feedparser.parse(body).entries[0].author == want
    # In a Chinese or Japanese feed, in its own brackets, as its credits are.
    chinese = json.loads(render_json(make_meta(language="zh-Hans"), [first], article_url))
    assert chinese["items"][0]["authors"] == [{"name": "李雷（人民日报）"}]


@pytest.mark.parametrize("language", ["en", "zh-Hans"])
def test_an_rss_author_is_no_e_mail_address_to_reader(tmp_path: Path, language: str) -> None:
    """lemon24/reader reads RSS's one author string as RSS's <author> is written, "name (e-mail)":
    our "Ann Coe (Wire C)" was the name "Ann Coe" and the e-mail address "Wire C", and the
    source was lost. In RSS the source follows a comma, which reader reads as a second author;
    Atom and JSON Feed keep "Ann Coe (Wire C)", a name (full-width brackets are no e-mail's)."""
    try:
        make_reader = pytest.importorskip("reader").make_reader
    except pytest.skip.Exception as skipped:  # as tests/test_feed_readers.py's readers do
        hint = f"{skipped.msg} (the bench extra brings it: `make .venv/.installed`)"
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the feed reader tests, but {hint}")
        raise
    first = replace(make_articles()[0], author="Ann Coe", source_name="Wire C")
    meta = make_meta(language=language)
    (tmp_path / "feed.rss").write_bytes(render_rss(meta, [first], article_url))
    (tmp_path / "feed.atom").write_bytes(render_atom(meta, [first], article_url))
    reader = make_reader(":memory:", feed_root=str(tmp_path))
    for name in ("feed.rss", "feed.atom"):
        reader.add_feed(f"file:{name}")
    reader.update_feeds()
    authors = {
        entry.feed_url: [(a.name, a.email) for a in entry.authors] for entry in reader.get_entries()
    }
    reader.close()
    if language == "en":
        assert authors["file:feed.rss"] == [("Ann Coe", None), ("Wire C", None)]
        assert authors["file:feed.atom"] == [("Ann Coe (Wire C)", None)]
    else:
        assert authors["file:feed.rss"] == [("Ann Coe（Wire C）", None)]
        assert authors["file:feed.atom"] == [("Ann Coe（Wire C）", None)]
