"""The gate of the fast path: feedparser-rs must read every document it accepts as feedparser does.

For every corpus document (all folders) and this project's fixtures (tests/fixtures/parse/,
which run in a bare clone), `parse(parser="auto")` either leaves the document to feedparser with
a reason, or its articles, once normalized as the refresh normalizes them, equal feedparser's:
ids, titles, links, dates, authors, tags, enclosures, thumbnails, language and sanitized content.
`bench/parse_paths.py` lists which documents fall back and why.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from aggregator.config import load_config
from aggregator.errors import ConfigError
from aggregator.models import EntryData
from aggregator.parse import FAST_PARSER, REFERENCE_PARSER, parse
from tests.support.corpus import CORPUS, corpus_files, requires_corpus
from tests.support.differential import URL, compare, corpus_headers

FIXTURES = Path(__file__).parent / "fixtures" / "parse"
FAST_FIXTURES = sorted(FIXTURES.glob("fast-*.xml"))
FALLBACK_FIXTURES = sorted(FIXTURES.glob("fallback-*.xml"))


@pytest.mark.parametrize("path", FAST_FIXTURES + FALLBACK_FIXTURES, ids=lambda p: p.name)
def test_fixture_reads_the_same_both_ways(path: Path) -> None:
    verdict = compare(path.read_bytes(), {})
    assert verdict.differences == ()


@pytest.mark.parametrize("path", FAST_FIXTURES, ids=lambda p: p.name)
def test_ordinary_feeds_take_the_fast_path(path: Path) -> None:
    verdict = compare(path.read_bytes(), {})
    assert (verdict.path, verdict.reason) == (FAST_PARSER, "")


@pytest.mark.parametrize("path", FALLBACK_FIXTURES, ids=lambda p: p.name)
def test_documents_the_fast_path_would_misread_go_to_feedparser(path: Path) -> None:
    verdict = compare(path.read_bytes(), {})
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
    assert first.link == "https://example.com/posts/1"  # resolved as feedparser resolves it
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


def test_a_picture_written_as_text_is_read_by_feedparser() -> None:
    """note.com's <media:thumbnail>URL</media:thumbnail>: the fast path lost the picture."""
    body = (FIXTURES / "fallback-media-thumbnail-as-text.xml").read_bytes()
    feed = parse(body, url=URL, headers={})
    assert feed.parser == REFERENCE_PARSER
    assert feed.entries[0].thumbnail == (
        "https://assets.st-note.com/production/uploads/images/1/rectangle.png?width=800"
    )


@pytest.mark.parametrize("name", ["fast-atom.xml", "fast-rss2.xml"])
def test_a_content_language_header_reads_the_same_both_ways(name: str) -> None:
    """feedparser takes Content-Language for the default language; feedparser-rs never sees it."""
    verdict = compare((FIXTURES / name).read_bytes(), {"Content-Language": "de"})
    assert verdict.differences == ()


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
