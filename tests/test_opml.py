"""OPML import into the config file (comments kept, result validated) and export."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from aggregator.config import load_config
from aggregator.opml import OpmlError, import_feeds, parse_opml, render_opml
from tests.support.corpus import CORPUS, corpus_files, requires_corpus
from tests.support.pipeline import ROOT

EXAMPLE = ROOT / "aggregator.example.toml"
OPML_FILES = corpus_files("opml")


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "aggregator.toml"
    shutil.copy(EXAMPLE, path)
    return path


def comments(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip().startswith("#")]


@requires_corpus
def test_the_corpus_has_opml_files() -> None:
    assert len(OPML_FILES) >= 30, f"corpus not found at {CORPUS}"


@requires_corpus
@pytest.mark.parametrize("opml", OPML_FILES, ids=lambda p: p.name)
def test_every_corpus_opml_is_imported_or_clearly_refused(opml: Path, config_file: Path) -> None:
    original = config_file.read_text(encoding="utf-8")
    before = load_config(config_file)
    try:
        parsed = parse_opml(opml.read_bytes())
    except OpmlError as error:
        refused = str(error)
    else:
        refused = ""
    if refused:
        assert "line" in refused  # a clear error names where the file is broken
        return
    report = import_feeds(config_file, parsed.feeds)
    assert not report.error, report.error
    assert report.added or report.skipped
    after = load_config(config_file)  # the written file passes the start-up checks
    assert len(after.sources) == len(before.sources) + len(report.added)
    assert {s.id for s in after.sources} >= {source_id for source_id, _, _ in report.added}
    text = config_file.read_text(encoding="utf-8")
    assert comments(text) == comments(original)
    # The operator's lines are all there, in order; new ones are only inserted.
    lines = iter(text.splitlines())
    assert all(line in lines for line in original.splitlines())


@pytest.mark.parametrize(
    ("written", "title", "url"),
    [
        ("News & Views", "News & Views", "https://example.com/feed?a=1&b=2"),
        # An export of an HTML-minded tool writes "&nbsp;": the import died of a traceback (a
        # review): the recovering parser's tree, once copied, still held the entity.
        ("A&nbsp;B &eacute; &bogus; &amp; &#233;", "A B \u00e9 &bogus; & \u00e9", "http://e.x/f"),
        # A reference to a character XML has not is the replacement character.
        ("A&nbsp;B &#xD800;&#1;", "A B \ufffd\ufffd", "http://e.x/f"),
    ],
    ids=["bare ampersands", "html entities", "characters xml has not"],
)
def test_a_badly_formed_file_is_read_leniently(written: str, title: str, url: str) -> None:
    raw = (
        '<?xml version="1.0"?><opml version="2.0"><head><title>My&nbsp;feeds</title></head>'
        f'<body><outline text="{written}" xmlUrl="{url}"/></body></opml>'
    )
    [feed] = parse_opml(raw.encode()).feeds
    assert (feed.title, feed.url) == (title, url)


def test_an_unreadable_file_is_refused_with_its_line() -> None:
    with pytest.raises(OpmlError, match="line 3"):
        parse_opml(b'<?xml version="1.0"?>\n<opml>\n<body><<<\n')
    with pytest.raises(OpmlError, match="not an OPML document"):
        parse_opml(b"<rss><channel/></rss>")


def test_outlines_nested_past_pythons_recursion_limit_are_read() -> None:
    """100,000 nested folders (expat reads any depth) ended the import on a RecursionError's
    traceback; the feed at the bottom is read, in its innermost folder, and the others after it."""
    depth = 100_000
    raw = (
        b'<?xml version="1.0"?><opml version="2.0"><body>'
        + b'<outline text="folder">' * (depth - 1)
        + b'<outline text="Deep"><outline text="A" xmlUrl="https://a.example/feed"/></outline>'
        + b"</outline>" * (depth - 1)
        + b'<outline text="B" xmlUrl="https://b.example/feed"/></body></opml>'
    )
    parsed = parse_opml(raw)
    assert [(f.url, f.folder) for f in parsed.feeds] == [
        ("https://a.example/feed", "Deep"),
        ("https://b.example/feed", ""),
    ]


@requires_corpus
def test_a_partly_broken_file_reports_what_was_lost() -> None:
    parsed = parse_opml((CORPUS / "opml" / "plenary_countries-Russia.opml").read_bytes())
    assert len(parsed.feeds) == 12
    assert "line 20" in parsed.warning
    assert "1 of its 13 feeds" in parsed.warning


def test_an_import_leaves_the_operators_file_as_it_was_above_what_it_adds(tmp_path: Path) -> None:
    # tomlkit wrote interleaved [[categories]] and [[sources]] grouped by kind, and each
    # comment stayed where it was while its table moved: "# The BBC" came to sit above the
    # tech category.
    original = """[site]
title = "Desk"

# World news
[[categories]]
slug = "world"
title = "World"

# The BBC
[[sources]]
name = "BBC"
url = "https://feeds.bbci.co.uk/news/world/rss.xml"
categories = ["world"]

# Tech
[[categories]]
slug = "tech"
title = "Tech"
"""
    path = tmp_path / "aggregator.toml"
    path.write_text(original, encoding="utf-8")
    raw = b'<opml version="2.0"><body><outline text="Verge" xmlUrl="https://verge.example/rss"/>'
    report = import_feeds(path, parse_opml(raw + b"</body></opml>").feeds, "tech")
    assert not report.error, report.error
    text = path.read_text(encoding="utf-8")
    assert text.startswith(original)
    assert text[len(original) :] == (
        '\n[[sources]]\nname = "Verge"\nurl = "https://verge.example/rss"\ncategories = ["tech"]\n'
    )
    assert [s.name for s in load_config(path).sources] == ["BBC", "Verge"]


def test_a_url_skipped_says_the_one_likely_meant(config_file: Path) -> None:
    """A browser's feed:// subscribe link, an address without its scheme: "not an absolute
    http(s) URL" alone left the operator to guess what to write (an operator's review)."""
    raw = (
        b'<opml version="2.0"><body><outline text="A" xmlUrl="feed://a.example/rss.xml"/>'
        b'<outline text="B" xmlUrl="b.example/feed"/>'
        b'<outline text="C" xmlUrl="webcal://c.example/c.ics"/></body></opml>'
    )
    report = import_feeds(config_file, parse_opml(raw).feeds)
    assert report.skipped == [
        (
            "feed://a.example/rss.xml",
            'not an absolute http(s) URL (did you mean "https://a.example/rss.xml"?)',
        ),
        ("b.example/feed", 'not an absolute http(s) URL (did you mean "https://b.example/feed"?)'),
        (
            "webcal://c.example/c.ics",
            "not an absolute http(s) URL (webcal:// subscribes to a calendar, which is no feed)",
        ),
    ]


def test_folders_become_categories_and_duplicates_are_skipped(config_file: Path) -> None:
    raw = (
        b'<opml version="2.0"><body>'
        b'<outline text="Deep Space"><outline text="One" xmlUrl="https://one.example/feed"/>'
        b'<outline text="Two" xmlUrl="https://two.example/feed" category="/Tech/Linux"/></outline>'
        b'<outline text="Again" xmlUrl="HTTPS://FEEDS.NPR.ORG:443/1004/rss.xml"/>'
        b'<outline text="NPR" xmlUrl="https://feeds.npr.org/1004/rss.xml"/>'
        b'<outline text="Bad" xmlUrl="javascript:alert(1)"/>'
        b'<outline text="Elsewhere"><outline text="One" xmlUrl="https://one.example/feed"/>'
        b"</outline></body></opml>"
    )
    report = import_feeds(config_file, parse_opml(raw).feeds)
    assert [(name, slug) for _, name, slug in report.added] == [
        ("One", "deep-space"),
        ("Two", "linux"),
    ]
    assert report.categories_created == ["deep-space", "linux", "elsewhere"]
    assert [why for _, why in report.skipped][:2] == ["already in the config"] * 2
    assert "http" in report.skipped[2][1]
    config = load_config(config_file)
    deep_space = config.category("deep-space")
    assert deep_space is not None
    assert deep_space.title == "Deep Space"
    one = next(s for s in config.sources if s.url == "https://one.example/feed")
    assert one.categories == ("deep-space", "elsewhere")  # listed in two folders: both
    again = import_feeds(config_file, parse_opml(raw).feeds)
    assert again.added == []


def test_folders_named_in_chinese_or_cyrillic_stay_categories_of_their_own(
    config_file: Path,
) -> None:
    # They have no ASCII slug: every one of them went into one "imported".
    raw = (
        '<opml version="2.0"><body>'
        '<outline text="科技"><outline text="A" xmlUrl="https://a.example/feed"/></outline>'
        '<outline text="新闻"><outline text="B" xmlUrl="https://b.example/feed"/></outline>'
        '<outline text="Новости"><outline text="C" xmlUrl="https://c.example/feed"/></outline>'
        "</body></opml>"
    ).encode()
    report = import_feeds(config_file, parse_opml(raw).feeds)
    slugs = [slug for _, _, slug in report.added]
    assert len(set(slugs)) == 3
    assert all(slug.startswith("c-") for slug in slugs)
    config = load_config(config_file)
    titles = [category.title for category in config.categories if category.slug in slugs]
    assert titles == ["科技", "新闻", "Новости"]
    assert import_feeds(config_file, parse_opml(raw).feeds).added == []  # the same slugs again


def test_category_option_and_id_collisions(config_file: Path) -> None:
    raw = (
        b'<opml version="2.0"><body>'
        b'<outline text="Hacker News" xmlUrl="https://other.example/hn"/>'
        b'<outline text="Blog" xmlUrl="https://a.example/feed"/>'
        b'<outline text="Blog" xmlUrl="https://b.example/feed"/>'
        b"</body></opml>"
    )
    report = import_feeds(config_file, parse_opml(raw).feeds, "tech")
    assert [(i, slug) for i, _, slug in report.added] == [
        ("hacker-news", "tech"),
        ("blog", "tech"),
        ("blog-2", "tech"),
    ]
    assert report.categories_created == []
    ids = {s.id for s in load_config(config_file).sources}
    assert {"hacker-news", "blog", "blog-2"} <= ids


def test_an_invalid_result_is_not_written(config_file: Path) -> None:
    original = config_file.read_bytes()
    raw = b'<opml><body><outline text="X" xmlUrl="https://x.example/feed"/></body></opml>'
    report = import_feeds(config_file, parse_opml(raw).feeds, "Not A Slug!")
    assert "nothing was written" in report.error
    assert "slug" in report.error
    assert report.added == []
    assert config_file.read_bytes() == original


def test_export_lists_every_source_and_imports_back(config_file: Path, tmp_path: Path) -> None:
    config = load_config(config_file)
    exported = render_opml(config)
    feeds = parse_opml(exported).feeds
    assert {f.url for f in feeds} == {s.url for s in config.sources}
    empty = tmp_path / "empty.toml"
    empty.write_text('[site]\ntitle = "T"\n# my comment\n', encoding="utf-8")
    report = import_feeds(empty, feeds)
    assert len(report.added) == len(config.sources)
    again = load_config(empty)
    assert {c.slug for c in again.categories} == {c.slug for c in config.categories}
    # Titled as they were, not by their slugs ("News" came back as "news").
    titles = {c.slug: c.title for c in config.categories}
    assert {c.slug: c.title for c in again.categories} == titles
    assert "# my comment" in empty.read_text(encoding="utf-8")


def test_a_category_attribute_not_ours_is_no_folder_title() -> None:
    """Another exporter's "/Tech/Linux" in the folder "Reading list": the category is Linux, and
    the folder's name is not its title (only our export's slug, in its folder, is titled so)."""
    raw = (
        b'<opml><body><outline text="Reading list"><outline text="LWN" category="/Tech/Linux"'
        b' xmlUrl="https://lwn.example/feed"/><outline text="Ours" category="news"'
        b' xmlUrl="https://ours.example/feed"/></outline></body></opml>'
    )
    lwn, ours = parse_opml(raw).feeds
    assert (lwn.folder, lwn.folder_title) == ("Linux", "")
    assert (ours.folder, ours.folder_title) == ("news", "Reading list")


def test_export_writes_uris_as_our_feeds_do(tmp_path: Path) -> None:
    """An IRI (a host or path not in ASCII, braces) is written as the URI browsers send: strict
    importers refuse the IRI, and our feeds already wrote the URI (a review)."""
    path = tmp_path / "aggregator.toml"
    path.write_text(
        '[[categories]]\nslug = "books"\n[[sources]]\nname = "Bücher"\n'
        'url = "https://bücher.example/記事/feed?x={y}"\nsite_url = "https://bücher.example/記事"\n'
        'categories = ["books"]\n',
        encoding="utf-8",
    )
    exported = render_opml(load_config(path)).decode()
    assert 'xmlUrl="https://xn--bcher-kva.example/%E8%A8%98%E4%BA%8B/feed?x=%7By%7D"' in exported
    assert 'htmlUrl="https://xn--bcher-kva.example/%E8%A8%98%E4%BA%8B"' in exported
    assert 'title="Bücher"' in exported  # (names stay as written)
