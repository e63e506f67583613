"""Our feeds as real feed readers read them: sfeed (suckless, a C parser of its own), newsboat
(libnewsboat's parser, a terminal reader), lemon24/reader (feedparser underneath),
fastfeedparser (lxml underneath) and four JavaScript libraries (rss-parser,
@extractus/feed-extractor, feedsmith, @rowanmanning/feed-parser).

A feed that validates can still be read wrongly: an entity escaped twice, a date in a form a
reader's parser does not take, an author or an enclosure where a reader does not look. Here
feeds of awkward text ("&", "<", quotes, Chinese, right-to-left, emoji, a podcast episode whose
URL holds "&"), a hostile item (script in every field) and an odd Atom feed (xml:base and
relative links, HTML and XHTML titles, several authors, categories and enclosures, entries
without title, date or link, a title over a thousand characters, C1 controls and bidi overrides) go
through the real parse and normalize, join articles saved as a worker saves them and a story
four sources tell, and are served over HTTP by the web app; each reader then reads our Atom,
RSS (and JSON Feed, where it reads one), and each item must come out with the title, link,
time, id, author, categories, enclosure and content our JSON Feed gives it, as far as the
reader reads them.

The readers are Debian packages and npm packages: `make readers` installs them (Debian's as
root; npm's into tests/readers/node_modules, at the versions of its package-lock.json).
Without them these tests skip and say so; under CI (the CI environment variable set) they fail
instead. The Python ones (reader, fastfeedparser) and the validators' (jsonschema, rnc2rng)
come with the project's dev and bench extras, which `make` installs: the same, skipped in one
line without them, failed under CI.
"""

from __future__ import annotations

import functools
import html
import json
import os
import random
import re
import shutil
import sqlite3
import string
import subprocess
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import feedparser
import httpx
import pytest
from lxml import etree

from aggregator.config import Config, SourceConfig
from aggregator.models import Article
from aggregator.normalize import normalize
from aggregator.parse import parse
from aggregator.refresh import join_stories
from aggregator.store import Store
from aggregator.syndication import _defused
from tests.support.web_server import LiveServer
from tests.test_web_pages import hostile_overrides, ingest_hostile

INSTALL_HINT = (
    "the feed reader tests need Debian's sfeed and newsboat: run `make readers` "
    "(as root it runs `apt-get install sfeed newsboat`), or `apt-get install sfeed newsboat`"
)


def _reader(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the feed reader tests, but {INSTALL_HINT}")
        pytest.skip(INSTALL_HINT)
    return path


def _python_module(name: str, minversion: str | None = None) -> Any:
    """A reader's or validator's Python package; missing (or older than `minversion`) the test
    skips in one line, or fails under CI, as a missing Debian or npm reader does (these four
    skipped under CI too, where the dev and bench extras are installed)."""
    try:
        return pytest.importorskip(name, minversion=minversion)
    except pytest.skip.Exception as skipped:
        hint = f"{skipped.msg} (the dev and bench extras bring it: `make .venv/.installed`)"
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the feed reader tests, but {hint}")
        pytest.skip(hint)


def awkward_feed(now: datetime) -> bytes:
    """An RSS document of items whose text readers get wrong when a feed is written carelessly."""

    def date(hours: int) -> str:
        return format_datetime(now - timedelta(hours=hours), usegmt=True)

    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"
     xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel>
<title>Awkward &amp; Co</title><link>https://hacker.example/</link><description>d</description>
<item><title>AT&amp;T buys T-Mobile &lt;for real&gt; — "quoted" 'single'</title>
  <link>https://hacker.example/a?x=1&amp;y=2</link><guid>https://hacker.example/a?x=1&amp;y=2</guid>
  <pubDate>{date(1)}</pubDate><dc:creator>Zoë &amp; Björn</dc:creator>
  <description>&lt;p&gt;Body with &amp;lt;tag&amp;gt; text.&lt;/p&gt;</description></item>
<item><title>中文标题：测试《引号》与“全角”</title><link>https://hacker.example/zh</link>
  <pubDate>{date(2)}</pubDate><description>&lt;p&gt;正文内容。&lt;/p&gt;</description></item>
<item><title>עברית: כותרת עם RTL and English</title><link>https://hacker.example/he</link>
  <pubDate>{date(3)}</pubDate><description>שלום עולם</description></item>
<item><title>Emoji 🎉 and 1 &lt; 2 &gt; 0, a tab\tand a
  line break</title><link>https://hacker.example/emoji</link>
  <pubDate>{date(4)}</pubDate><description>x</description></item>
<item><title>Episode 12: a podcast</title><link>https://hacker.example/ep12</link>
  <pubDate>{date(5)}</pubDate><description>An episode.</description>
  <enclosure url="https://cdn.hacker.example/ep12.mp3?a=1&amp;b=2" length="1234567"
    type="audio/mpeg"/><itunes:duration>01:02:03</itunes:duration></item>
</channel></rss>""".encode()


def ingest_awkward(store: Store, config: Config) -> list[Article]:
    now = datetime.now(UTC).replace(microsecond=0)
    source = config.source("hacker-blog")
    assert source is not None
    feed = parse(awkward_feed(now), url=source.url, headers={})
    articles = normalize(feed, source, now=now)
    assert len(articles) == 5
    store.save_refresh(store.get_state(source.id), articles, config.retention, now)
    return articles


ODD = SourceConfig(
    id="odd-atom",
    name="Odd <b>Atom</b> עברית",  # (as the config takes it: no direction controls)
    url="https://odd.example/blog/feed.atom",
    categories=("tech",),
    interval=900.0,
    site_url="https://odd.example/blog/",
)

LONG_TITLE = "A very long title " + "that goes on and on, " * 60 + "and ends."


def odd_feed(now: datetime) -> bytes:
    """An Atom document of entries that lean on what Atom allows and readers forget: xml:base
    and relative links, HTML titles with script in them, several authors and categories, several
    enclosures, an entry without title, date or link, controls and bidi marks in text."""

    def date(hours: int) -> str:
        return (now - timedelta(hours=hours)).isoformat().replace("+00:00", "Z")

    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://odd.example/blog/" xml:lang="en">
<title type="html">Odd &lt;script&gt;alert(1)&lt;/script&gt;</title>
<id>tag:odd.example,2026:feed</id><updated>{date(0)}</updated><link href="./"/>
<entry xml:base="posts/">
  <title type="html">&lt;script&gt;alert(1)&lt;/script&gt;Relative &amp;amp; based
    &lt;b&gt;bold&lt;/b&gt;</title>
  <link href="one.html?a=1&amp;b=2"/><id>tag:odd.example,2026:1</id>
  <published>{date(6)}</published><updated>{date(6)}</updated>
  <author><name>&lt;b&gt;Eve&lt;/b&gt;&lt;img src=x onerror=alert(1)&gt;</name></author>
  <author><name>Second Author</name></author>
  <category term="&lt;script&gt;alert(1)&lt;/script&gt;"/><category term="Ünïcode 中文"/>
  <category term="rtl-עברית"/>
  <link rel="enclosure" href="../audio/ep%201.mp3" type="audio/mpeg" length="100"/>
  <link rel="enclosure" href="/video/clip.mp4" type="video/mp4" length="200"/>
  <content type="html">&lt;p&gt;See &lt;a href="../about"&gt;about&lt;/a&gt; and
    &lt;img src="pic.png" alt="a picture"&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;/p&gt;
  </content>
</entry>
<entry>
  <id>tag:odd.example,2026:2</id><updated>{date(7)}</updated>
  <content type="text">No title and no link: only text, a C1 control \u0085here and a bidi
    override \u202eevil\u202c, emoji 🧪, 日本語のテキスト.</content>
</entry>
<entry>
  <title>{LONG_TITLE}</title><id>tag:odd.example,2026:3</id>
  <link href="https://odd.example/long"/><updated>{date(8)}</updated>
  <summary>Long.</summary>
</entry>
<entry>
  <title>No date at all</title><id>tag:odd.example,2026:4</id>
  <link href="nodate"/>
  <summary>Undated.</summary>
</entry>
<entry>
  <title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">XHTML <em>title</em> &amp; ok</div>
  </title>
  <id>tag:odd.example,2026:5</id><link href="https://odd.example/xhtml"/>
  <updated>{date(9)}</updated><summary>x</summary>
</entry>
</feed>""".encode()


def ingest_odd(store: Store, config: Config) -> list[Article]:
    now = datetime.now(UTC).replace(microsecond=0)
    feed = parse(odd_feed(now), url=ODD.url, headers={})
    articles = normalize(feed, ODD, now=now)
    assert len(articles) == 5
    store.save_refresh(store.get_state(ODD.id), articles, config.retention, now)
    return articles


def credit_story(store: Store, add_articles: Callable[..., list[Article]]) -> None:
    """One story told by four sources: the feed shows it once, crediting the other three."""
    rnd = random.Random(5)
    words = ["".join(rnd.choices(string.ascii_lowercase, k=rnd.randint(3, 9))) for _ in range(400)]
    body = "".join(f"<p>{' '.join(rnd.choices(words, k=60))}</p>" for _ in range(6))
    now = datetime.now(UTC)
    for hours, source in enumerate(("hacker-blog", "people-daily", "mixed", ODD.id)):
        (article,) = add_articles(source, title="One story, four sources", content=body)
        article = replace(article, published=article.published + timedelta(hours=hours))
        join_stories(store, [article], 7.0, now)


@dataclass(frozen=True)
class Item:
    """What a reader shows of an item (a field the reader does not read is None)."""

    title: str
    link: str
    time: int
    author: str
    id: str | None = None
    enclosure: str | None = None
    content: str | None = None
    categories: tuple[str, ...] | None = None


def expected(
    json_feed: bytes,
    *,
    audio_only: bool = False,
    last: bool = False,
    rss: bool = False,
    content: bool = False,
    categories: bool = False,
) -> list[Item]:
    """Our JSON Feed's items as a reader should show them. `audio_only`: the reader keeps only
    audio and video enclosures (a podcast client's habit), else the first of any kind; `last`:
    it keeps the last of those (newsboat, of an Atom entry's several). `rss`:
    as our RSS writes an author, its source after a comma, not in brackets ("Ann Coe, Wire C":
    lemon24/reader took "(Wire C)" for an e-mail address). `content`, `categories`: the reader
    reads them."""
    items = []
    for item in json.loads(json_feed)["items"]:
        author = ", ".join(a["name"] for a in item.get("authors", []))
        source = f" ({item['_source']['title']})"
        if rss and author.endswith(source):
            author = f"{author.removesuffix(source)}, {source[2:-1]}"
        title, tags = item.get("title", ""), tuple(item.get("tags", []))
        if rss:  # (text there, with a tag that would run opening with "&lt;": _defused)
            title, author, tags = _defused(title), _defused(author), tuple(map(_defused, tags))
        enclosures = [
            a["url"]
            for a in item.get("attachments", [])
            if not audio_only or a["mime_type"].startswith(("audio/", "video/"))
        ]
        items.append(
            Item(
                title=title,
                link=item["url"],
                time=int(datetime.fromisoformat(item["date_published"]).timestamp()),
                author=author,
                id=item["id"],
                enclosure=enclosures[-1 if last else 0] if enclosures else "",
                content=item["content_html"] if content else None,
                categories=tags if categories else None,
            )
        )
    return items


def sfeed_items(sfeed: str, document: bytes) -> list[Item]:
    """sfeed's TSV: timestamp, title, link, content, content type, id, author, enclosure,
    categories ("|" between them), … (tabs, newlines and backslashes in a field escaped as
    \\t, \\n and \\\\)."""

    def unescaped(field: str) -> str:
        return field.replace("\\t", "\t").replace("\\n", "\n").replace("\\\\", "\\")

    out = subprocess.run([sfeed], input=document, capture_output=True, timeout=60, check=True)
    items = []
    for line in out.stdout.decode().splitlines():
        time, title, link, content, _type, id_, author, enclosure, tags = line.split("\t")[:9]
        item = Item(unescaped(title), link, int(time), unescaped(author), id_, enclosure)
        tags_ = tuple(unescaped(tags).split("|")) if tags else ()
        items.append(replace(item, content=unescaped(content), categories=tags_))
    return items


def newsboat_items(newsboat: str, url: str, home: Path) -> list[Item]:
    """What newsboat stores of the feed at `url` after one reload, in its feed order."""
    home.mkdir()
    (home / "urls").write_text(url + "\n")
    cache = home / "cache.db"
    subprocess.run(
        [newsboat, "-u", str(home / "urls"), "-c", str(cache), "-C", os.devnull, "-x", "reload"],
        env={
            **os.environ,
            "HOME": str(home),
            "XDG_CONFIG_HOME": str(home),
            "XDG_DATA_HOME": str(home),
        },
        capture_output=True,
        timeout=60,
        check=True,
    )
    with sqlite3.connect(cache) as db:
        rows = db.execute(
            "SELECT title, url, pubDate, author, guid, enclosure_url, content FROM rss_item"
            " ORDER BY id"
        ).fetchall()
    # It inserts the feed's items last to first.
    return [Item(t, u, p, a, g, e or "", c) for t, u, p, a, g, e, c in reversed(rows)]


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as response:
        body: bytes = response.read()
        return body


@pytest.fixture
def web_config(web_config: Config) -> Config:
    """The test config, with the odd Atom source in tech and a WebSub hub."""
    site = replace(web_config.site, hub="https://hub.example/websub?a=1&b=2")
    return replace(web_config, site=site, sources=(*web_config.sources, ODD))


@pytest.fixture
def served(
    live_server: LiveServer,
    store: Store,
    web_config: Config,
    add_articles: Callable[..., list[Article]],
) -> Callable[[str], bytes]:
    """The tech category holding the awkward feed's items, articles saved as a worker saves them
    (Chinese titles, "&", authors, enclosures) and a hostile item; fetch(format) its feed."""
    add_articles("mixed", 12)
    ingest_hostile(store, web_config)
    ingest_awkward(store, web_config)
    ingest_odd(store, web_config)
    add_articles("hacker-blog", 1, **hostile_overrides())
    credit_story(store, add_articles)
    return lambda fmt: fetch(f"{live_server.url}/c/tech/feed.{fmt}?limit=50")


# --- validators: RFC 4287's RELAX NG schema, JSON Feed 1.1's rules -------------------------------

SCHEMAS = Path(__file__).parent / "fixtures" / "schemas"


@functools.cache
def atom_schema() -> etree.RelaxNG:
    """RFC 4287 Appendix B (tests/fixtures/schemas/atom.rnc) in RELAX NG's XML syntax, for
    libxml2 (rnc2rng declares the empty namespace's prefix, which XML does not allow)."""
    rnc2rng = _python_module("rnc2rng")
    rng = rnc2rng.dumps(rnc2rng.load(str(SCHEMAS / "atom.rnc")))
    return etree.RelaxNG(etree.fromstring(rng.replace(' xmlns:local=""', "").encode()))


def json_feed_errors(document: bytes) -> list[str]:
    jsonschema = _python_module("jsonschema")
    schema = json.loads((SCHEMAS / "jsonfeed-1.1.json").read_text())
    validator = jsonschema.Draft202012Validator(schema)
    return [f"{e.json_path}: {e.message}" for e in validator.iter_errors(json.loads(document))]


# The category's feed, a variant of it, everything's, a category without articles.
VALIDATED = [("/c/tech/", ""), ("/c/tech/", "?limit=50"), ("/", "?collapse=0"), ("/c/quiet/", "")]


@pytest.mark.parametrize(("page", "query"), VALIDATED)
def test_our_atom_is_valid_against_rfc_4287s_schema(
    served: Callable[[str], bytes], live_server: LiveServer, page: str, query: str
) -> None:
    schema = atom_schema()
    document = fetch(f"{live_server.url}{page}feed.atom{query}")
    assert schema.validate(etree.fromstring(document)), schema.error_log
    if page == "/c/quiet/":
        return
    # The schema does catch what it must: an entry without its id, an empty language tag.
    broken = re.sub(rb"<id>urn:aggregator:article:[^<]*</id>", b"", document, count=1)
    assert not schema.validate(etree.fromstring(broken))
    assert not schema.validate(etree.fromstring(document.replace(b'xml:lang="en"', b'xml:lang=""')))


@pytest.mark.parametrize(("page", "query"), VALIDATED)
def test_our_json_feed_is_valid_against_json_feed_1_1(
    served: Callable[[str], bytes], live_server: LiveServer, page: str, query: str
) -> None:
    document = fetch(f"{live_server.url}{page}feed.json{query}")
    assert json_feed_errors(document) == []
    feed = json.loads(document)
    assert ("hubs" in feed) == (query == "")  # only the default feeds name the hub
    if not feed["items"]:
        return
    # The rules catch what they must: a misspelt key, a date without its zone, no content.
    item = feed["items"][0]
    for broken in (
        {**item, "date_publised": item["date_published"]},
        {**item, "date_published": item["date_published"][:19]},
        {k: v for k, v in item.items() if k != "content_html"},
    ):
        assert json_feed_errors(json.dumps({**feed, "items": [broken]}).encode())


@pytest.mark.parametrize("fmt", ["atom", "rss"])
def test_sfeed_reads_every_item_as_our_json_feed_gives_it(
    served: Callable[[str], bytes], fmt: str
) -> None:
    sfeed = _reader("sfeed")
    want = expected(served("json"), rss=fmt == "rss", content=True, categories=True)
    # The awkward five, the hostile one ingested and one stored, odd five, twelve saved, a story.
    assert len(want) == 25
    assert any(i.author.endswith(", Hacker Blog") for i in want) == (fmt == "rss")
    got = sfeed_items(sfeed, served(fmt))
    assert got == want


@pytest.mark.parametrize("fmt", ["atom", "rss"])
def test_newsboat_reads_every_item_as_our_json_feed_gives_it(
    served: Callable[[str], bytes], live_server: LiveServer, tmp_path: Path, fmt: str
) -> None:
    newsboat = _reader("newsboat")
    # Of an item's enclosures newsboat keeps the last sound or video: in RSS that is the one
    # <enclosure> (after the media:content), in Atom an entry's last.
    want = expected(
        served("json"), audio_only=True, last=fmt == "atom", rss=fmt == "rss", content=True
    )
    got = newsboat_items(newsboat, f"{live_server.url}/c/tech/feed.{fmt}?limit=50", tmp_path / fmt)
    assert got == want
    assert any(item.enclosure for item in got)  # the episode's, and the saved articles' mp3s


@pytest.mark.parametrize("fmt", ["atom", "rss"])
def test_reader_reads_every_item_as_our_json_feed_gives_it(
    served: Callable[[str], bytes], live_server: LiveServer, fmt: str
) -> None:
    """lemon24/reader (feedparser underneath, its own reading of authors): an RSS author
    "Ann Coe (Wire C)" was the name "Ann Coe" and the e-mail address "Wire C" there."""
    # (3.26: the release whose reading of RSS authors this was seen with; the bench extra.)
    make_reader = _python_module("reader", minversion="3.26").make_reader
    want = expected(served("json"), rss=fmt == "rss")
    url = f"{live_server.url}/c/tech/feed.{fmt}?limit=50"
    reader = make_reader(":memory:")
    try:
        reader.add_feed(url)
        reader.update_feeds()
        got = [
            Item(
                title=entry.title or "",
                link=entry.link or "",
                time=int(entry.published.timestamp()) if entry.published else 0,
                author=entry.authors_str or "",
                id=entry.id,
                enclosure=entry.enclosures[0].href if entry.enclosures else "",
            )
            for entry in reader.get_entries(feed=url)
        ]
    finally:
        reader.close()
    assert sorted(got, key=lambda i: i.id) == sorted(want, key=lambda i: i.id)


# --- JavaScript feed libraries (npm), as web apps and bots read feeds --------------------------

READERS_DIR = Path(__file__).parent / "readers"
NPM_HINT = (
    "the JavaScript feed reader tests need node and tests/readers/node_modules: run `make readers` "
    "(it runs `npm ci --prefix tests/readers`)"
)


def _node() -> str:
    node = shutil.which("node")
    if node is None or not (READERS_DIR / "node_modules").is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the feed reader tests, but {NPM_HINT}")
        pytest.skip(NPM_HINT)
    return node


def _main_first(urls: list[str], types: list[str]) -> list[str]:
    """The enclosures as our RSS lists them: its one <enclosure> (the first sound or video,
    else the first) before the rest, which are media:content."""
    main = next((n for n, t in enumerate(types) if t.startswith(("audio/", "video/"))), 0)
    return [urls[main], *urls[:main], *urls[main + 1 :]] if urls else []


@pytest.mark.parametrize("fmt", ["atom", "rss", "json"])
def test_javascript_libraries_read_every_item_as_our_json_feed_gives_it(
    served: Callable[[str], bytes], fmt: str
) -> None:
    """rss-parser, @extractus/feed-extractor, feedsmith and @rowanmanning/feed-parser (node,
    tests/readers/read.mjs) each see every item's id, title, link, date, authors, categories,
    enclosures and content as our JSON Feed gives them, as far as each reads them."""
    node = _node()
    ours = json.loads(served("json"))["items"]
    out = subprocess.run(
        [node, str(READERS_DIR / "read.mjs"), fmt],
        input=served(fmt),
        capture_output=True,
        timeout=60,
        check=True,
    )
    libraries = json.loads(out.stdout)
    # (Each library reads the format, or read.mjs leaves it out: rss-parser and feed-parser
    # read no JSON Feed.)
    assert set(libraries) == {"feed-extractor", "feedsmith"} | (
        {"rss-parser", "feed-parser"} if fmt != "json" else set()
    )
    for library, items in libraries.items():
        assert isinstance(items, list), (library, items)
        assert len(items) == len(ours), library
        for want, got in zip(ours, items, strict=True):
            assert got["id"] == want["id"], library
            where = (library, want["id"])
            authors = [a["name"] for a in want.get("authors", [])]
            if fmt == "rss":  # one string there, the source after a comma (_bylined)
                source = f" ({want['_source']['title']})"
                authors = [
                    a.removesuffix(source) + ", " + source[2:-1] if a.endswith(source) else a
                    for a in authors
                ]
            urls = [a["url"] for a in want.get("attachments", [])]
            title, tags = want["title"], want.get("tags", [])
            if fmt == "rss":  # (as expected() says)
                title, tags = _defused(title), [_defused(t) for t in tags]
                authors = [_defused(a) for a in authors]
                if library in ("feed-extractor", "feed-parser"):  # they read it as HTML
                    title, tags = html.unescape(title), [html.unescape(t) for t in tags]
                if library == "feed-parser" and any("<" in html.unescape(a) for a in authors):
                    authors = got["authors"]  # it reads "Name <address>" (none of ours)
            if fmt == "rss":
                types = [a["mime_type"] for a in want.get("attachments", [])]
                urls = _main_first(urls, types)
                if library != "feed-parser":  # the others read <enclosure> alone
                    urls = urls[:1]
            date = want["date_modified" if got.get("updatedFirst") else "date_published"]
            expect = {
                "title": title,
                "link": want["url"],
                "published": int(datetime.fromisoformat(date).timestamp()),
                "authors": authors,
                "categories": tags,
                "enclosures": urls,
                "content": want["content_html"],
            }
            if library == "feed-parser":  # it decodes entities twice (read.mjs)
                expect["content"] = html.unescape(expect["content"])
            for field, value in expect.items():
                if got[field] is not None:
                    assert got[field] == value, (*where, field)


@pytest.mark.parametrize("fmt", ["atom", "rss", "json"])
def test_reader_polls_with_its_validators_and_hears_of_each_new_article(
    served: Callable[[str], bytes],
    live_server: LiveServer,
    add_articles: Callable[..., list[Article]],
    fmt: str,
) -> None:
    """lemon24/reader sends our ETag and Last-Modified back (gzip-coded, as it asks): told "not
    modified" while nothing changed, it reads the feed again once an article arrives."""
    make_reader = _python_module("reader", minversion="3.26").make_reader
    statuses: list[str] = []
    app = live_server.app
    assert app is not None

    def recording(environ: dict[str, Any], start_response: Any) -> Any:
        def start(status: str, headers: Any, exc_info: Any = None) -> Any:
            statuses.append(status.split()[0])
            return start_response(status, headers, exc_info)

        return app(environ, start)

    live_server.app = recording  # (a WSGI app in the Flask app's place)
    url = f"{live_server.url}/c/tech/feed.{fmt}"
    reader = make_reader(":memory:")
    try:
        reader.add_feed(url)
        first = reader.update_feed(url)
        assert first is not None
        assert first.new == 25
        assert reader.update_feed(url) is None
        (article,) = add_articles("hacker-blog", title="News after the last poll")
        after = reader.update_feed(url)
        assert after is not None
        assert after.new == 1
        entry = reader.get_entry((url, f"urn:aggregator:article:{article.id}"))
        assert entry.title == "News after the last poll"
        assert reader.update_feed(url) is None
    finally:
        reader.close()
    assert statuses == ["200", "304", "200", "304"]


@pytest.mark.parametrize("fmt", ["atom", "rss", "json"])
def test_fastfeedparser_reads_every_item_as_our_json_feed_gives_it(
    served: Callable[[str], bytes], fmt: str
) -> None:
    """fastfeedparser (lxml underneath, feedparser's shape) sees every item's id, title, link,
    dates, author, tags, enclosures and content as our JSON Feed gives them."""
    fastfeedparser = _python_module("fastfeedparser")
    ours = json.loads(served("json"))["items"]
    entries = fastfeedparser.parse(served(fmt)).entries
    assert len(entries) == len(ours)
    rss = fmt == "rss"
    for want, item in zip(expected(served("json"), rss=rss), ours, strict=True):
        (entry,) = (e for e in entries if e["id"] == want.id)
        assert entry["title"] == want.title
        assert entry["link"] == want.link
        assert datetime.fromisoformat(entry["published"]).timestamp() == want.time
        assert entry["author"] == want.author
        assert [t["term"] for t in entry.get("tags") or []] == [
            _defused(t) if rss else t for t in item.get("tags", [])
        ]
        assert entry["content"][0]["value"] == item["content_html"]
        urls = [a["url"] for a in item.get("attachments", [])]
        if fmt == "atom":  # (it lists an Atom entry's enclosures among its links)
            got = [link["href"] for link in entry["links"] if link["rel"] == "enclosure"]
        else:  # (and RSS's media:content apart, with the picture, media:thumbnail, at times)
            got = [e["url"] for e in entry.get("enclosures") or []]
            media = entry.get("media_content") or [] if rss else []
            got += [m["url"] for m in media if m["url"] != item.get("image")]
            types = [a["mime_type"] for a in item.get("attachments", [])]
            urls = _main_first(urls, types) if rss else urls
        assert got == urls, want.id


@pytest.mark.parametrize("fmt", ["atom", "rss", "json"])
def test_a_websub_subscriber_finds_the_same_hub_and_topic_in_headers_and_body(
    served: Callable[[str], bytes], live_server: LiveServer, fmt: str
) -> None:
    """WebSub 4: a subscriber reads the Link headers first, then the document's links; each
    default feed names the same hub and self URL in both (httpx's parser for the headers,
    feedparser's for Atom and RSS), a hub URL with "&" in it included."""
    url = f"{live_server.url}/c/tech/feed.{fmt}"
    response = httpx.get(url)
    assert response.status_code == 200
    links = response.links
    assert links["hub"]["url"] == "https://hub.example/websub?a=1&b=2"
    assert links["self"]["url"] == url
    if fmt == "json":
        feed = response.json()
        body = {"hub": feed["hubs"][0]["url"], "self": feed["feed_url"]}
        assert feed["hubs"][0]["type"] == "WebSub"
    else:
        parsed = feedparser.parse(response.content)
        body = {link.rel: link.href for link in parsed.feed.links if link.rel in ("hub", "self")}
    assert body == {"hub": links["hub"]["url"], "self": links["self"]["url"]}


def test_a_missing_python_reader_fails_under_ci_and_skips_in_one_line_otherwise(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """rnc2rng, jsonschema, reader and fastfeedparser were `pytest.importorskip`: under CI,
    which installs them, a broken install skipped these tests where a missing sfeed fails."""
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match=r"^CI must run the feed reader tests, but"):
        _python_module("aggregator_no_such_reader")
    with pytest.raises(pytest.fail.Exception, match=r"required is: .999"):
        _python_module("reader", minversion="999")
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception) as skipped:
        _python_module("aggregator_no_such_reader")
    assert "\n" not in skipped.value.msg
    assert "make .venv/.installed" in skipped.value.msg
    # Every package this module reads is taken so (one importorskip: the helper's own).
    assert Path(__file__).read_text().count("importorskip" + "(") == 1
