"""The gate of the fast path: feedparser-rs must read every document it accepts as feedparser does.

For every corpus document (all folders) and this project's fixtures (tests/fixtures/parse/,
which run in a bare clone), `parse(parser="auto")` either leaves the document to feedparser with
a reason, or its articles, once normalized as the refresh normalizes them, equal feedparser's:
ids, titles, links, dates, authors, tags, enclosures, thumbnails, language and sanitized content.
`bench/parse_paths.py` lists which documents fall back and why.
"""

from __future__ import annotations

import re
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from aggregator import parse as parse_module
from aggregator.config import SourceConfig, load_config
from aggregator.errors import ConfigError, ParseError
from aggregator.models import EntryData
from aggregator.normalize import normalize
from aggregator.parse import FAST_PARSER, REFERENCE_PARSER, _Document, _Rare, parse
from tests.support.corpus import CORPUS, corpus_dates, corpus_files, requires_corpus
from tests.support.differential import (
    URL,
    Verdict,
    compare,
    corpus_headers,
    declared_headers,
    differences,
)

FIXTURES = Path(__file__).parent / "fixtures" / "parse"
FAST_FIXTURES = sorted(FIXTURES.glob("fast-*.xml"))
FALLBACK_FIXTURES = sorted(FIXTURES.glob("fallback-*.xml"))


def _compare(path: Path) -> Verdict:
    """A fixture read both ways, served with the headers its comment declares ("Header: …")."""
    body = path.read_bytes()
    return compare(body, declared_headers(body))


@pytest.mark.parametrize("path", FAST_FIXTURES + FALLBACK_FIXTURES, ids=lambda p: p.name)
def test_fixture_reads_the_same_both_ways(path: Path) -> None:
    verdict = _compare(path)
    assert verdict.differences == ()


@pytest.mark.parametrize("path", FAST_FIXTURES, ids=lambda p: p.name)
def test_ordinary_feeds_take_the_fast_path(path: Path) -> None:
    verdict = _compare(path)
    assert (verdict.path, verdict.reason) == (FAST_PARSER, "")


@pytest.mark.parametrize("path", FALLBACK_FIXTURES, ids=lambda p: p.name)
def test_documents_the_fast_path_would_misread_go_to_feedparser(path: Path) -> None:
    verdict = _compare(path)
    assert verdict.path == REFERENCE_PARSER
    assert verdict.reason  # a sentence bench/parse_paths.py can list


def test_the_fast_path_keeps_what_feedparser_reads() -> None:
    """A fixture read field by field, so a mapping that loses a field everywhere is caught too."""
    feed = parse((FIXTURES / "fast-rss2.xml").read_bytes(), url=URL, headers={})
    assert feed.parser == FAST_PARSER
    assert (feed.title, feed.link, feed.language, feed.ttl) == (
        "Fixture & Friends",
        "https://fixture.example/",
        "en-GB",
        1800,
    )
    first: EntryData = feed.entries[0]
    assert first.guid == "post-1"
    assert first.link == "https://fixture.example/posts/1"  # the channel's site (another host)
    assert first.author == "Ann Author"
    assert first.tags == ("news", "Fixtures")
    assert first.published == datetime(2024, 1, 2, 9, 0, tzinfo=UTC)
    assert first.enclosures[0].url == "https://cdn.example/a.mp3"
    assert first.enclosures[0].type == "audio/mpeg"
    assert first.thumbnail == "https://cdn.example/thumb.jpg"
    assert "<b>whole</b>" in (first.content or "")


@pytest.mark.parametrize("parser", ["auto", "feedparser"])
def test_both_paths_read_the_page_behind_a_tracking_link(parser: str) -> None:
    body = (FIXTURES / "fast-feedburner-origlink.xml").read_bytes()
    feed = parse(body, url=URL, headers={}, parser=parser)
    assert feed.parser == (FAST_PARSER if parser == "auto" else REFERENCE_PARSER)
    assert [e.original_link for e in feed.entries] == [
        "https://blog.example.com/2024/12/hello.html?a=1&b=2",
        "https://blog.example.com/2024/12/no-guid.html",
        "https://blog.example.com/2024/12/blitzed.html",
        None,
    ]


@pytest.mark.parametrize("parser", ["auto", "feedparser"])
def test_a_publisher_named_as_the_items_source_is_its_byline_not_its_titles_end(
    parser: str,
) -> None:
    """Google News ends every title with " - Publisher" and names it in <source>: readers saw
    the publisher only as part of the title (a review of real platforms' feeds)."""
    body = (FIXTURES / "fast-rss-source-publisher.xml").read_bytes()
    feed = parse(body, url=URL, headers={}, parser=parser)
    assert [(e.title, e.author) for e in feed.entries] == [
        ("Rust 2.0 roadmap published", "The Register"),
        ("The Register - a name alone", "The Register"),
        ("Crates grow - Heise", "Eva Dietrich"),  # (another name, and an author of its own)
    ]


@pytest.mark.parametrize("parser", ["auto", "feedparser"])
def test_a_yandex_news_items_whole_text_is_its_content(parser: str) -> None:
    body = (FIXTURES / "fallback-yandex-full-text.xml").read_bytes()
    entry = parse(body, url=URL, headers={}, parser=parser).entries[0]
    assert entry.content == (
        "Первый снег выпал в ночь на вторник. Синоптики обещают, что снег пролежит до конца недели."
    )
    assert not entry.content_is_html
    assert entry.summary == "Первый снег выпал в ночь на вторник."


@pytest.mark.parametrize("parser", ["auto", "feedparser"])
def test_a_yandex_full_text_that_breaks_its_lines_with_tags_is_html(parser: str) -> None:
    """oren.ru writes its full text's line breaks as escaped <br /> tags: read as plain text, 9
    of its 10 articles showed "&lt;br /&gt;" between their paragraphs (a review of the corpus)."""
    body = (FIXTURES / "fallback-yandex-full-text.xml").read_bytes()
    feed = parse(body, url=URL, headers={}, parser=parser)
    entry = feed.entries[1]
    assert entry.content_is_html
    source = SourceConfig(id="s", name="s", url=URL, categories=("c",), interval=900.0)
    article = normalize(replace(feed, entries=(entry,)), source, now=datetime.now(UTC))[0]
    assert "&lt;" not in article.content
    assert article.content == (
        "Реку сковало льдом за одну ночь.<br>\n<br>\nВыходить на лёд пока запрещено."
    )


@pytest.mark.parametrize("parser", ["auto", "feedparser"])
def test_an_unprefixed_full_text_in_html_is_the_content(parser: str) -> None:
    """ukr.net's format: readers got a one-sentence teaser of an article the feed held whole
    (a reader's review, twenty-fifth session)."""
    body = (FIXTURES / "fallback-unprefixed-full-text.xml").read_bytes()
    feed = parse(body, url=URL, headers={}, parser=parser)
    assert feed.parser == REFERENCE_PARSER  # feedparser-rs does not read it
    entry = feed.entries[0]
    assert entry.content == (
        "Перший сніг випав у ніч на вівторок.<p>Синоптики кажуть, що &quot;сніг&quot; пролежить"
        " до кінця тижня.</p>"
    )
    assert entry.content_is_html
    assert entry.summary == "Перший сніг випав у ніч на вівторок."


@pytest.mark.parametrize("parser", ["auto", "feedparser"])
def test_a_picture_written_as_text_is_read_both_ways(parser: str) -> None:
    """note.com's <media:thumbnail>URL</media:thumbnail>: the fast path lost the picture, then
    sent such documents to feedparser (MyAnimeList's too); it reads a plain absolute URL now."""
    body = (FIXTURES / "fast-media-thumbnail-as-text.xml").read_bytes()
    feed = parse(body, url=URL, headers={}, parser=parser)
    assert feed.parser == (FAST_PARSER if parser == "auto" else REFERENCE_PARSER)
    url = "https://assets.st-note.com/production/uploads/images/1/rectangle.png?width=800"
    assert feed.entries[0].thumbnail == url
    assert [image.url for image in feed.entries[0].images] == [url]


@pytest.mark.parametrize("parser", ["auto", "feedparser"])
def test_naver_blogs_tag_list_is_its_tags(parser: str) -> None:
    """Naver Blog lists an item's tags in one <tag>: its articles had only their category."""
    body = (FIXTURES / "fallback-naver-tag-list.xml").read_bytes()
    feed = parse(body, url=URL, headers={}, parser=parser)
    assert feed.parser == REFERENCE_PARSER
    source = SourceConfig(id="n", name="N", url=URL, categories=("c",), interval=900.0)
    (article,) = normalize(feed, source, now=datetime(2027, 1, 1, tzinfo=UTC))
    assert article.tags == ("사진", "구름", "적란운", "하늘사진")


@pytest.mark.parametrize("parser", ["auto", "feedparser"])
def test_a_flickr_photos_author_and_tags_read_as_flickr_shows_them(parser: str) -> None:
    """Flickr writes its author as nobody@flickr.com ("Lars Berg") and its tags as one list of
    words: the byline was '"Lars Berg"' in quotes, and the tags one, "winter harbour sweden"."""
    body = (FIXTURES / "fallback-flickr.xml").read_bytes()
    feed = parse(body, url=URL, headers={}, parser=parser)
    source = SourceConfig(id="f", name="F", url=URL, categories=("c",), interval=900.0)
    (article,) = normalize(feed, source, now=datetime(2027, 1, 1, tzinfo=UTC))
    assert article.author == "Lars Berg"
    assert article.tags == ("winter", "harbour", "sweden")
    assert article.thumbnail.endswith("_b.jpg")


@pytest.mark.parametrize("parser", ["auto", "feedparser"])
def test_a_note_com_writer_is_the_byline(parser: str) -> None:
    """note.com names its writer only in <note:creatorName>: its articles had no byline."""
    body = (FIXTURES / "fallback-note-creator-name.xml").read_bytes()
    feed = parse(body, url=URL, headers={}, parser=parser)
    assert feed.parser == REFERENCE_PARSER
    assert feed.entries[0].author == "山田花子"


@pytest.mark.parametrize("name", ["fast-atom.xml", "fast-rss2.xml"])
def test_a_content_language_header_reads_the_same_both_ways(name: str) -> None:
    """feedparser takes Content-Language for the default language; feedparser-rs never sees it,
    and the fast path applies it as feedparser does. It sent every such document to feedparser,
    whose ~0.1 ms a link made 160,000 channel links (8.4 MB) hold a worker 7-30 s."""
    verdict = compare((FIXTURES / name).read_bytes(), {"Content-Language": "de"})
    assert (verdict.path, verdict.differences) == (FAST_PARSER, ())


def test_a_content_language_header_is_the_language_of_a_feed_that_names_none() -> None:
    body = (FIXTURES / "fast-content-language.xml").read_bytes()
    for parser in ("auto", "feedparser"):
        feed = parse(body, url=URL, headers={"Content-Language": "de_AT"}, parser=parser)
        assert feed.language == "de-AT"
        assert feed.entries[0].language == "de-AT"


def test_parser_feedparser_forces_the_reference() -> None:
    body = (FIXTURES / "fast-atom.xml").read_bytes()
    assert parse(body, url=URL, headers={}).parser == FAST_PARSER
    forced = parse(body, url=URL, headers={}, parser="feedparser")
    assert (forced.parser, forced.fallback) == (REFERENCE_PARSER, "")


def test_fetch_parser_is_checked_with_a_readable_message(tmp_path: Path) -> None:
    path = tmp_path / "aggregator.toml"
    source = (
        '[[categories]]\nslug = "news"\n'
        '[[sources]]\nname = "A"\nurl = "https://feeds.example/a.xml"\ncategories = ["news"]\n'
    )
    path.write_text('[fetch]\nparser = "feedparser"\n' + source)
    assert load_config(path).fetch.parser == "feedparser"
    path.write_text(source)
    assert load_config(path).fetch.parser == "auto"
    path.write_text('[fetch]\nparser = "fast"\n' + source)
    with pytest.raises(ConfigError, match=r'fetch\.parser: expected "auto" .* or "feedparser"'):
        load_config(path)


@requires_corpus
@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: str(p.relative_to(CORPUS)))
def test_corpus_document_reads_the_same_both_ways(path: Path) -> None:
    body = path.read_bytes()
    verdict = compare(body, corpus_headers(path, body))
    assert verdict.differences == (), "\n".join(verdict.differences)


@requires_corpus
@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: str(p.relative_to(CORPUS)))
def test_corpus_document_served_with_a_content_language_reads_the_same_both_ways(
    path: Path,
) -> None:
    """As served by a server that says Content-Language ("_" in it: feedparser writes "-")."""
    body = path.read_bytes()
    verdict = compare(body, {**corpus_headers(path, body), "Content-Language": "pt_BR"})
    assert verdict.differences == (), "\n".join(verdict.differences)


# A document whose only faults are bare "&" and HTML entities is mended, then read: it must read as
# the same document written well. Each well-formed corpus document is written with its text's
# "&amp;" bare and its "é", "—", nbsp… as HTML entities (outside CDATA sections and comments).
_AS_ENTITIES = {"\u00a0": "&nbsp;", "©": "&copy;", "—": "&mdash;", "–": "&ndash;", "é": "&eacute;",
                "’": "&rsquo;", "“": "&ldquo;", "”": "&rdquo;", "…": "&hellip;", "«": "&laquo;",
                "»": "&raquo;", "ü": "&uuml;"}  # fmt: skip
_ENTITY_CHARACTER = re.compile("|".join(map(re.escape, _AS_ENTITIES)))
_TEXT = re.compile(r">([^<]*)<")
_RAW = re.compile(r"<!\[CDATA\[.*?\]\]>|<!--.*?-->", re.DOTALL)


def written_badly(text: str) -> str:
    def text_badly(match: re.Match[str]) -> str:
        words = _ENTITY_CHARACTER.sub(lambda m: _AS_ENTITIES[m[0]], match[1])
        return ">" + re.sub(r"&amp;(?![A-Za-z#][A-Za-z0-9]*;)", "&", words) + "<"

    pieces, start = [], 0
    for raw in _RAW.finditer(text):
        pieces += [_TEXT.sub(text_badly, text[start : raw.start()]), raw[0]]
        start = raw.end()
    return "".join([*pieces, _TEXT.sub(text_badly, text[start:])])


@requires_corpus
@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: str(p.relative_to(CORPUS)))
def test_a_corpus_document_written_with_bare_ampersands_and_entities_reads_the_same(
    path: Path,
) -> None:
    body = path.read_bytes()
    try:
        text = body.decode("utf-8")
        well = parse(body, url=URL, headers=corpus_headers(path, body))
    except (UnicodeDecodeError, ParseError):
        return  # (not UTF-8, or not a feed: nothing to compare)
    badly = written_badly(text)
    if badly == text or "leniently" in (well.warning or "") or text.lstrip()[:1] == "{":
        return  # nothing written otherwise, or ill-formed already, or JSON
    mended = parse(badly.encode(), url=URL, headers=corpus_headers(path, body))
    assert mended.warning
    assert mended.warning.startswith("The feed is not well-formed XML (line ")
    found = [d for d in differences(mended, well) if not d.startswith("feed.warning")]
    assert found == [], "\n".join(found)


# The fast path's shortcuts must not change what it decides. Both are private to parse.py: they
# are checked here against what they stand for, on the fixtures and, with it, the whole corpus.

RARE_PATTERNS = {
    name: value for name, value in vars(parse_module).items() if isinstance(value, _Rare)
}
# Names written in the ways that `\b` and the separators make tricky: each must be found by a
# rare pattern's names wherever the pattern matches.
ODD_NAMES = (
    b"<body-x>",
    b"<x:body.y>",
    b"<p:body:q>",
    b"<body:x>",
    b"<media:description:x>",
    b"<media:description-x/>",
    b"<MEDIA:RATING>adult</media:rating>",
    b"<media:rating scheme='x'> adult </MEDIA:RATING>",
    b"<x:DURATION>",
    b"<Duration>1</Duration>",
    b"<itunes:summary.x>",
    b"<dc:identifier>1</dc:identifier>",
    b"<media:thumbnail url='a'>https://a/</media:thumbnail>",
)


def rare_matches_have_their_names(data: bytes) -> list[str]:
    """The rare patterns that match `data` where its names say none can."""
    document = _Document(data)
    return [
        name
        for name, rare in RARE_PATTERNS.items()
        if rare.pattern.search(data) and not document.may_hold(rare)
    ]


def test_there_are_rare_patterns_to_check() -> None:
    assert {"_XHTML_BODY", "_MEDIA_RATING", "_ODD_DURATION"} <= RARE_PATTERNS.keys()


@pytest.mark.parametrize(
    ("pattern", "folded"),
    [(rb"</itunes:summary\b", False), (rb"<(/?)itunes:summary\b", False), (rb"<(?i:x:r)", False)],
)
def test_a_rare_pattern_its_names_could_miss_is_refused(pattern: bytes, folded: bool) -> None:
    with pytest.raises(ValueError, match="rare pattern"):
        parse_module._rare(pattern, heads=[b"itunes:summary", b"x:r"], folded=folded)


@pytest.mark.parametrize("data", ODD_NAMES, ids=lambda d: d.decode())
def test_a_rare_pattern_is_tried_wherever_it_can_match(data: bytes) -> None:
    assert any(rare.pattern.search(data) for rare in RARE_PATTERNS.values())
    assert rare_matches_have_their_names(data) == []


def test_a_rare_pattern_is_not_tried_where_its_names_are_missing() -> None:
    document = _Document(b"<rss><channel><item><title>a body</title></item></channel></rss>")
    assert document.search(parse_module._XHTML_BODY) is None
    assert not document.may_hold(parse_module._XHTML_BODY)
    assert _Document(b"<xhtml:body>").may_hold(parse_module._XHTML_BODY)


@pytest.mark.parametrize(
    "data",
    [
        b"<a" * 120_000,  # more "<" than the names are read for
        b"".join(b"<n%d>" % n for n in range(3_000)),  # more names
        b"<" + b"-x" * 500_000 + b":body>",  # a name longer than read, with a rare word at its end
    ],
    ids=["many tags", "many names", "a long name"],
)
def test_a_document_with_too_many_or_too_long_names_is_scanned_for_every_pattern(
    data: bytes,
) -> None:
    document = _Document(data)
    assert document.names is None
    assert all(document.may_hold(rare) for rare in RARE_PATTERNS.values())
    assert rare_matches_have_their_names(data) == []


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.xml")), ids=lambda p: p.name)
def test_rare_patterns_have_their_names_in_every_fixture(path: Path) -> None:
    assert rare_matches_have_their_names(path.read_bytes()) == []


@requires_corpus
def test_rare_patterns_have_their_names_in_every_corpus_document() -> None:
    missed = {
        str(path.relative_to(CORPUS)): found
        for path in corpus_files()
        if (found := rare_matches_have_their_names(path.read_bytes()))
    }
    assert missed == {}


def date_tags_differ(data: bytes) -> list[tuple[int, int]]:
    """The entry spans where `_DateTags` (one scan) tells other names than findall on the span."""
    spans = parse_module._entry_spans(data)
    if not spans:
        return []
    dated = parse_module._DateTags(data, spans[0][0])
    pattern = parse_module._DATE_TAG
    return [s for s in spans if dated.names(*s) != pattern.findall(data, *s)]


@pytest.mark.parametrize(
    "data",
    [
        b"<rss><channel><pubDate>x</pubDate><item><pubDate>1</pubDate><dc:date>2</dc:date></item>"
        b"<lastBuildDate/><item><title>t</title></item><item/><item><PUBDATE>3</PUBDATE>"
        b"<item><updated>4</updated></item><x:modified>5</x:modified></item><pubDate",
        b"<feed><entry><published>1</published></entry><entry><dc:date/></entry><entry>",
        b"<rss><item><![CDATA[<pubDate>]]></item><item><!-- <date> --></item></rss>",
    ],
)
def test_the_date_tags_of_each_entry_are_those_its_span_holds(data: bytes) -> None:
    assert date_tags_differ(data) == []


@requires_corpus
def test_the_date_tags_of_each_corpus_entry_are_those_its_span_holds() -> None:
    differ = {
        str(path.relative_to(CORPUS)): found
        for path in corpus_files()
        if (found := date_tags_differ(path.read_bytes()))
    }
    assert differ == {}


# Dates in the usual forms, around every edge a handler of feedparser's treats its own way: days
# and months out of range, leap days, offsets past a day, fractions, years at the bounds.
USUAL_DATES = [
    f"{year}-{month}-{day}{sep}{hour}:59:{second}{fraction}{zone}"
    for year in ("1979", "2024", "2200", "2201")
    for month, day in (("02", "29"), ("12", "31"), ("13", "01"), ("01", "00"))
    for sep, hour, second, fraction in (("T", "23", "59", ""), (" ", "24", "60", ".999999999"))
    for zone in ("", "Z", "+05:30", "-23:59", "+99:99")
] + [
    f"{weekday}{day} {month} {year} {hour}:00:{second} {zone}"
    for weekday in ("", "Sun, ")
    for day, month in (("1", "Jan"), ("31", "Dec"), ("29", "Feb"), ("31", "Apr"))
    for year in ("1979", "2023", "2024", "2200")
    for hour, second in (("00", "00"), ("23", "59"), ("24", "60"))
    for zone in ("GMT", "UT", "UTC", "Z", "+0530", "-0000", "-2359", "+9999", "EST", "PDT", "CST")
]


def feedparser_date(value: str) -> datetime | None:
    return parse_module._date(parse_module._parse_date_string(value))


def test_usual_dates_read_as_feedparser_reads_them() -> None:
    read = {value: parse_module._usual_date(value) for value in USUAL_DATES}
    assert {v: d for v, d in read.items() if d is not None and d != feedparser_date(v)} == {}
    # (The shortcut is taken: most of these are dates both read.)
    assert sum(d is not None for d in read.values()) > len(USUAL_DATES) / 4
    assert read["2024-12-31T23:59:59+05:30"] == datetime(2024, 12, 31, 18, 29, 59, tzinfo=UTC)
    assert read["Sun, 31 Dec 2023 23:00:59 -2359"] == datetime(2024, 1, 1, 22, 59, 59, tzinfo=UTC)
    # (feedparser's North American zone names, at its fixed offsets: "CST" is always -6.)
    assert read["Sun, 31 Dec 2023 23:00:59 PDT"] == datetime(2024, 1, 1, 6, 0, 59, tzinfo=UTC)
    assert read["29 Feb 2024 00:00:00 CST"] == datetime(2024, 2, 29, 6, 0, 0, tzinfo=UTC)


# Ids and links with and without a scheme, written oddly: what `_joined_otherwise` tells by the
# scheme alone must be what joining them says.
ODD_IDS = [
    "1600-2823", "tag:example.com,2024:1", "urn:uuid:1", "//example.com/x", "/p/1", "?p=1",
    "#a", "https://example.com/a", "http:///x", "https:", "https://?p=1", "HTTPS://x.org/",
    "http://[::1", "\x01https://example.com/", "\thttps://example.com/", " x", "x y", "ab:c",
    "1:2", "a+b.c-d:e", ":x", "-:x", "mailto:a@example.com", "ftp://example.com/", "é:x",
]  # fmt: skip


def test_an_id_without_a_scheme_is_joined_otherwise_as_joining_it_says() -> None:
    joined = {i: parse_module._join(i, "https://base.invalid/") != i for i in ODD_IDS}
    assert {i: parse_module._joined_otherwise(i) for i in ODD_IDS} == joined


@requires_corpus
def test_usual_dates_in_the_corpus_read_as_feedparser_reads_them() -> None:
    values = corpus_dates()
    read = {value: parse_module._usual_date(value) for value in values}
    assert {v: d for v, d in read.items() if d is not None and d != feedparser_date(v)} == {}
    assert sum(d is not None for d in read.values()) > len(values) / 2


@pytest.mark.parametrize("parser", ["auto", "feedparser"])
def test_a_relative_item_link_is_the_sites_when_the_feed_is_served_from_another_host(
    parser: str,
) -> None:
    """A feed served from a feed host (FeedBurner, feeds.example.com) links "/2024/…": a page of
    the site its channel links, as Miniflux reads it; both parsers resolve it against the
    document, which sent readers to the feed host's 404. Its relative enclosures and pictures
    are the site's files too. The guid, the item's id, stays."""
    body = (FIXTURES / "fast-rss-relative-links-other-host.xml").read_bytes()
    feed = parse(body, url=URL, headers={}, parser=parser)
    assert [(e.link, e.guid) for e in feed.entries] == [
        ("https://www.blog.example/2024/12/hello.html", "post-1"),
        ("https://www.blog.example/journal/2024/12/second.html", None),
        (
            "https://www.blog.example/2024/12/third.html",
            "https://example.com/2024/12/third.html",
        ),
        ("https://www.blog.example/2024/12/episode.html", "post-5"),
        ("https://elsewhere.example/page", None),
    ]
    episode = feed.entries[3]
    assert [e.url for e in episode.enclosures] == ["https://www.blog.example/audio/5.mp3"]
    assert episode.thumbnail == "https://www.blog.example/journal/img/5.jpg"
    assert [i.url for i in episode.images] == ["https://www.blog.example/journal/img/5.jpg"]


@pytest.mark.parametrize(
    "site",
    [
        "https://example.com/journal/",
        "/journal/",
        "http://localhost/",
        "http://localhost:8080/",
        "http://wordpress/",
        "http://www.example.org/blog/",
        None,
    ],
    ids=["same-host", "relative", "private", "private-port", "one-label", "placeholder", "none"],
)
def test_a_relative_item_link_of_a_feed_on_its_sites_host_is_the_documents(
    site: str | None,
) -> None:
    """On the document's own host (or with no channel link, or one to a host left from its
    author's machine or a theme's demo: localhost, "wordpress", example.org) a relative link
    is read as both parsers read it, against the document: its path-relative links are the
    feed's."""
    channel_link = f"<link>{site}</link>" if site else ""
    body = (
        f'<rss version="2.0"><channel><title>t</title>{channel_link}'
        "<item><title>a</title><link>posts/a.html</link></item></channel></rss>"
    ).encode()
    for parser in ("auto", "feedparser"):
        feed = parse(body, url=URL, headers={}, parser=parser)
        assert [e.link for e in feed.entries] == ["https://example.com/feeds/posts/a.html"]


def test_an_xml_base_keeps_its_reading_of_a_relative_item_link() -> None:
    body = (
        b'<rss version="2.0" xml:base="https://cdn.example/b/"><channel><title>t</title>'
        b"<link>https://www.blog.example/</link>"
        b"<item><title>a</title><link>posts/a.html</link></item></channel></rss>"
    )
    for parser in ("auto", "feedparser"):
        feed = parse(body, url=URL, headers={}, parser=parser)
        assert [e.link for e in feed.entries] == ["https://cdn.example/b/posts/a.html"]


@pytest.mark.parametrize("parser", ["auto", "feedparser"])
def test_a_feedburner_enclosure_is_the_file_its_original_link_names(parser: str) -> None:
    """FeedBurner served podcasts' files through its redirect and names the file beside it;
    an enclosure whose address ends in another file name stays."""
    body = (FIXTURES / "fast-feedburner-original-enclosure.xml").read_bytes()
    feed = parse(body, url=URL, headers={}, parser=parser)
    assert [[(e.url, e.type, e.length) for e in entry.enclosures] for entry in feed.entries] == [
        [("https://media.show.example/audio/episode-2.mp3", "audio/mpeg", 123)],
        [("http://feedproxy.google.com/~r/AShow/~5/Zz99/episode-1.m4a", "audio/mp4", 99)],
    ]


def test_reading_the_relative_links_of_a_feed_on_another_host_stays_linear() -> None:
    """A <link> of 2,000 spaces and no end took 7 s to scan for its text (a lazy match before
    "\\s*</link>"); 400,000 now take as long as the document takes to read."""
    body = (
        b'<rss version="2.0"><channel><title>t</title><link>https://www.site.example/</link>'
        b"<item><title>a</title><link>posts/a</link>"
        b"<description>x<link>a" + b" " * 400_000 + b"b&lt;/lin</description></item>"
        b"<item><title>b</title><guid><![CDATA[" + b" " * 400_000 + b"]]></guid></item>"
        b"</channel></rss>"
    )
    started = time.perf_counter()
    feed = parse(body, url=URL, headers={}, parser="feedparser")
    assert feed.entries[0].link == "https://www.site.example/posts/a"
    assert time.perf_counter() - started < 5
