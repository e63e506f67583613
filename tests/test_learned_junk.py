"""Learned junk: a paragraph a source repeats in its articles leaves their content, end to end.

Through the real refresh (loopback feed, real Valkey): the evidence is counted as articles are
filed in stories (aggregator/boilerplate.py), and the next parse of the feed strips it.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pytest

from aggregator import boilerplate, junk
from aggregator import normalize as cleaning
from aggregator.boilerplate import paragraph_hash
from aggregator.config import SourceConfig
from aggregator.fetch import Fetcher
from aggregator.models import Article, Outcome, ParsedFeed, SaveResult
from aggregator.normalize import Report, normalize, relearned
from aggregator.parse import parse
from aggregator.refresh import (
    BODY_CHARS,
    RECLEAN_AFTER,
    _bodies,
    _by_markup,
    _cleaned_otherwise,
    paragraph_evidence,
    refresh_source,
)
from aggregator.store import Store
from tests.support import junk_eval
from tests.support.corpus import corpus_files
from tests.support.feed_server import FeedServer
from tests.support.pipeline import make_config
from tests.test_store import make_article
from tests.test_stories_store import rss

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
FOOTER = "Join the Harbour Weekly newsletter for the stories that matter to you."
BODIES = [
    "The harbour authority approved a new ferry line to the islands, running from March.",
    "A local bakery won the national bread prize with a rye loaf baked in a wood oven.",
    "Students of the technical school built a solar boat that crossed the bay in an hour.",
    "The old lighthouse reopens to visitors after two years of repairs to its stairs.",
    "Fishermen report the best herring season in a decade, and prices at the market fell.",
    "The sailing club opens its doors to children on Saturdays, with lifejackets lent free.",
]


def _item(n: int) -> tuple[str, str, list[str], str]:
    return (f"g{n}", f"Harbour news {n}", [BODIES[n], FOOTER], f"Mon, 2{n} Nov 2026 09:00:00 GMT")


def _refresh(store: Store, feed_server: FeedServer, count: int) -> dict[str, Article]:
    return _serve_and_refresh(store, feed_server, "harbour", [_item(n) for n in range(count)])


def _serve_and_refresh(
    store: Store, feed_server: FeedServer, name: str, items: list[tuple[str, str, list[str], str]]
) -> dict[str, Article]:
    """The source `name` refreshed once with its feed serving `items`; its stored articles."""
    url = feed_server.add(f"/{name}.xml", rss(items))
    config = make_config({name: url})
    with Fetcher(config.fetch, "aggregator-test/1") as fetcher:
        refresh_source(config.sources[0], config, store, fetcher, now=NOW, rng=random.Random(1))
    return {a.guid: a for a in store.source_articles(name, 10)}


def test_a_repeated_footer_leaves_the_fifth_article_and_the_first_ones_with_it(
    store: Store, feed_server: FeedServer
) -> None:
    for count in range(1, 5):
        articles = _refresh(store, feed_server, count)
        # Counted after each refresh: carried by `count` articles now, five only after the fifth.
        assert len(articles) == count  # (all() of none holds)
        assert all(FOOTER in a.content for a in articles.values()), count
    # The fifth, new, is counted as it is saved: the footer is learned then, and the five are
    # cleaned again in the same refresh (they were served with it until the next read).
    for count in (5, 6):
        articles = _refresh(store, feed_server, count)
        assert len(articles) == count
        for guid in articles:
            assert FOOTER not in articles[guid].content, (count, guid)
            assert BODIES[int(guid[1])] in articles[guid].content, (count, guid)


def test_a_fifth_article_teaching_the_footer_reports_the_older_ones_edited(
    store: Store, feed_server: FeedServer
) -> None:
    """The fifth article's read also cleans the four before it, in its second save: the
    refresh and its history line say one added and four updated (they said 1 and 0, as if the
    older articles were as they were; a review)."""
    for count in range(1, 5):
        _refresh(store, feed_server, count)
    url = feed_server.add("/harbour.xml", rss([_item(n) for n in range(5)]))
    config = make_config({"harbour": url})
    with Fetcher(config.fetch, "aggregator-test/1") as fetcher:
        fifth = refresh_source(
            config.sources[0], config, store, fetcher, now=NOW, rng=random.Random(1)
        )
    assert not any(FOOTER in a.content for a in store.source_articles("harbour", 10))
    assert (fifth.added, fifth.updated) == (1, 4)
    (line,) = store.fetch_history("harbour", 1)
    assert (line.at, line.added, line.updated) == (NOW, 1, 4)
    assert line.outcome is Outcome.OK


def test_junk_learned_as_the_articles_are_filed_is_read_again_within_a_minute(
    store: Store, feed_server: FeedServer
) -> None:
    """A read that edits an article it stored and brings a new one counts their paragraphs as
    they are filed, after the save: the footer learned then leaves them at a read within a
    minute, and the due set the scheduler claims from says so (the filing saved that time in
    the state only: the source was polled again at its own interval, 15 minutes later, the
    footers served meanwhile; a walkthrough)."""
    for count in range(1, 5):
        _refresh(store, feed_server, count)
    items = [_item(n) for n in range(5)]
    items[0] = (items[0][0], "Harbour news 0, corrected", *items[0][2:])
    articles = _serve_and_refresh(store, feed_server, "harbour", items)
    assert len(articles) == 5  # (all() of none holds)
    assert all(FOOTER in a.content for a in articles.values())  # learned after the filing
    due = store.get_state("harbour").next_due
    assert due is not None
    assert due <= NOW + timedelta(seconds=RECLEAN_AFTER)
    assert store.due_at("harbour") == due.timestamp()
    again = _serve_and_refresh(store, feed_server, "harbour", items)
    assert not any(FOOTER in a.content for a in again.values())


def test_a_new_sources_first_articles_lose_the_footer_they_taught_in_the_same_refresh(
    store: Store, feed_server: FeedServer
) -> None:
    """A new source's first refresh counts all its articles at once: the footer is learned
    after they were cleaned. They kept it for good when the feed then stayed the same (a
    reader's review), then for a minute, until the feed was read again: a feed reader reading
    ours meanwhile keeps an item as first seen. They are cleaned again before anything else
    reads them, and counted once."""
    url = feed_server.add("/harbour.xml", rss([_item(n) for n in range(6)]), etag='"v1"')
    config = make_config({"harbour": url})
    with Fetcher(config.fetch, "aggregator-test/1") as fetcher:
        first = refresh_source(
            config.sources[0], config, store, fetcher, now=NOW, rng=random.Random(1)
        )
        assert (first.added, first.updated) == (6, 0)
        articles = store.source_articles("harbour", 10)
        assert len(articles) == 6
        assert not any(FOOTER in a.content or FOOTER in a.summary for a in articles)
        assert all(BODIES[int(a.guid[1])] in a.content for a in articles)
        assert all(a.updated == a.published for a in articles)  # cleaned again, not edited
        # Counted once: six articles carry the footer, not twelve.
        assert paragraph_hash(FOOTER) in store.boilerplate("harbour", 6)
        assert paragraph_hash(FOOTER) not in store.boilerplate("harbour", 7)
        # Nothing left to learn: no early read, and the next poll is a conditional one.
        due = store.get_state("harbour").next_due
        assert due is not None
        assert due > NOW + timedelta(seconds=RECLEAN_AFTER)
        second = refresh_source(
            config.sources[0], config, store, fetcher, now=NOW, rng=random.Random(1)
        )
        assert second.outcome is Outcome.NOT_MODIFIED


def test_a_new_feeds_articles_saved_again_cleaned_are_not_read_back(
    store: Store, feed_server: FeedServer
) -> None:
    """The save of a new feed's articles cleaned again (what they taught) is given what the
    first save stored (`SaveResult.kept`): it reads neither their hashes values and tombstones
    nor the stored articles back (a round trip each: 56 of a cold round's 477 on the corpus)."""
    url = feed_server.add("/harbour.xml", rss([_item(n) for n in range(6)]))
    config = make_config({"harbour": url})
    store.redis.config_resetstat()
    with Fetcher(config.fetch, "aggregator-test/1") as fetcher:
        first = refresh_source(
            config.sources[0], config, store, fetcher, now=NOW, rng=random.Random(1)
        )
    assert (first.added, first.updated) == (6, 0)
    stats = store.redis.info("commandstats")
    assert stats["cmdstat_mget"]["calls"] == 1  # the state read, no stored article read back
    assert stats["cmdstat_zmscore"]["calls"] == 2  # the two save scripts' own reads, no other
    articles = store.source_articles("harbour", 10)
    assert len(articles) == 6  # (any() and all() of none say nothing)
    assert not any(FOOTER in a.content for a in articles)
    assert all(a.updated == a.published for a in articles)  # cleaned again, not edited


def test_a_new_feeds_articles_cleaned_again_are_read_for_their_stories_once_if_unchanged(
    store: Store, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new feed's articles cleaned again (their footer learned as the save counted them): the
    bodies their stories read are made again only of those the cleaning changed. The others'
    were read for the counting, of the same text (a cold round of the corpus made 3,887 bodies
    for its 3,184 articles, 268 of them a second time for nothing)."""
    items = [_item(n) for n in range(6)]
    items[1] = (items[1][0], items[1][1], [BODIES[1]], items[1][3])  # no footer: unchanged
    made: list[str] = []
    body_of = boilerplate.Body.of
    monkeypatch.setattr(
        boilerplate.Body, "of", staticmethod(lambda text: made.append(text) or body_of(text))
    )
    stored = _serve_and_refresh(store, feed_server, "harbour", items)
    assert not any(FOOTER in a.content for a in stored.values())
    assert len(made) == 6 + 5  # all six for the counting, then the five it cleaned again
    assert sum(BODIES[1] in text for text in made) == 1
    assert not store.unfiled([a.id for a in stored.values()])  # each filed in its story


def test_what_a_refresh_taught_is_read_by_the_script_that_counted_it(
    store: Store, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The learned junk after the counting comes back with the count (the same script): a
    refresh reads it once, before parsing, not again in a round trip of its own after it. A new
    feed's articles are all to be filed: the save counts them (no script of its own either)."""
    read = store.boilerplate
    reads: list[int] = []
    monkeypatch.setattr(store, "boilerplate", lambda *a: reads.append(1) or read(*a))
    counted = store.observe_paragraphs
    counts: list[int] = []
    monkeypatch.setattr(
        store, "observe_paragraphs", lambda *a, **k: counts.append(1) or counted(*a, **k)
    )
    url = feed_server.add("/harbour.xml", rss([_item(n) for n in range(6)]))
    config = make_config({"harbour": url})
    with Fetcher(config.fetch, "aggregator-test/1") as fetcher:
        refresh_source(config.sources[0], config, store, fetcher, now=NOW, rng=random.Random(1))
    assert (reads, counts) == ([1], [])
    assert paragraph_hash(FOOTER) in store.boilerplate("harbour", 5)  # learned, and so:
    assert not any(FOOTER in a.content for a in store.source_articles("harbour", 10))


def test_a_source_with_learned_junk_off_keeps_what_it_repeats(
    store: Store, feed_server: FeedServer
) -> None:
    """An operator who finds a source's repeated paragraphs to be its content (a column's
    standing introduction, a show's "Follow-up") turns learning off for it; the evidence is
    still counted, and the paragraphs stay at every poll, the first ones' included."""
    url = feed_server.add("/harbour.xml", rss([_item(n) for n in range(6)]), etag='"v1"')
    config = make_config({"harbour": url})
    source = replace(config.sources[0], learned_junk=False)
    with Fetcher(config.fetch, "aggregator-test/1") as fetcher:
        for expected in (Outcome.OK, Outcome.NOT_MODIFIED):
            result = refresh_source(source, config, store, fetcher, now=NOW, rng=random.Random(1))
            assert result.outcome is expected
    assert paragraph_hash(FOOTER) in store.boilerplate("harbour", 5)
    articles = store.source_articles("harbour", 10)
    assert len(articles) == 6  # (all() of none holds)
    assert all(FOOTER in a.content for a in articles)


def test_a_long_articles_footer_is_counted_too(store: Store, feed_server: FeedServer) -> None:
    """Only an article's first 12,000 characters were counted: a long article's footer never
    was (the labelled set read 0.955 where the service did 0.894)."""
    items = [
        (
            f"g{n}",
            f"Long read {n}",
            [f"{BODIES[n]} Part {k}." for k in range(150)] + [FOOTER],
            f"Mon, 2{n} Nov 2026 09:00:00 GMT",
        )
        for n in range(6)
    ]
    stored = _serve_and_refresh(store, feed_server, "long", items)
    assert len(stored) == 6  # (all() of none holds)
    assert all(len(a.content) > 12_000 for a in stored.values())
    assert paragraph_hash(FOOTER) in store.boilerplate("long", 5)


def test_a_heading_learned_but_kept_cleans_no_feed_again(
    store: Store, feed_server: FeedServer
) -> None:
    """A changelog's "Infrastructure" heading over every entry is learned and stays (headings
    are the article's): cleaning the whole feed again at the next poll would change nothing,
    and the poll stays a conditional one."""
    items = [
        (f"g{n}", f"Release {n}", [BODIES[n]], f"Mon, 2{n} Nov 2026 09:00:00 GMT") for n in range(6)
    ]
    body = rss(items).replace(b"&lt;p&gt;", b"&lt;h3&gt;Infrastructure&lt;/h3&gt;&lt;p&gt;")
    url = feed_server.add("/changelog.xml", body, etag='"v1"')
    config = make_config({"changelog": url})
    with Fetcher(config.fetch, "aggregator-test/1") as fetcher:
        for expected in (Outcome.OK, Outcome.NOT_MODIFIED):
            result = refresh_source(
                config.sources[0], config, store, fetcher, now=NOW, rng=random.Random(1)
            )
            assert result.outcome is expected
    assert paragraph_hash("Infrastructure") in store.boilerplate("changelog", 5)
    articles = store.source_articles("changelog", 10)
    assert len(articles) == 6  # (all() of none holds)
    assert all("Infrastructure" in a.content for a in articles)


def test_a_wire_services_updates_keep_the_background_paragraphs_they_share(
    store: Store, feed_server: FeedServer
) -> None:
    # An update repeats the first version's paragraphs under two new ones, and a follow-up
    # reuses most of them: the story's text, not the site's. Stripping them once left the
    # update with its 2 new paragraphs of 8.
    background = BODIES[:5]
    versions = [
        ("v1", "Ferry line approved", background, "Mon, 23 Nov 2026 09:00:00 GMT"),
        (
            "v2",
            "Ferry line to start in March",
            [*BODIES[5:], *background],
            "Mon, 23 Nov 2026 15:00:00 GMT",
        ),
        (
            "v3",
            "First ferry sails",
            ["The first ferry sailed today.", *background[1:]],
            "Tue, 24 Nov 2026 09:00:00 GMT",
        ),
    ]
    for n in range(1, 4):
        _serve_and_refresh(store, feed_server, "wire", versions[:n])
    stored = _serve_and_refresh(store, feed_server, "wire", versions[::-1])  # parsed once more
    for guid, _, paragraphs, _ in versions:
        assert all(p in stored[guid].content for p in paragraphs), guid


def test_learned_junk_never_takes_an_articles_only_text_nor_a_long_paragraph() -> None:
    known = frozenset({paragraph_hash(FOOTER)})
    assert junk.strip_learned(f"<p>{FOOTER}</p>", known) == f"<p>{FOOTER}</p>"
    assert junk.strip_learned(f"<p>{BODIES[0]}</p><p>{FOOTER}</p>", known) == f"<p>{BODIES[0]}</p>"
    long = " ".join(BODIES * 3)  # over LEARNED_MAX_CHARS: a shared quote, not a footer
    html = f"<p>{BODIES[1]}</p><p>{long}</p>"
    assert junk.strip_learned(html, frozenset({paragraph_hash(long)})) == html
    assert junk.strip_learned(html, frozenset()) == html


def test_a_repeated_heading_cell_or_lead_in_stays_with_what_it_introduces() -> None:
    """A changelog's "Infrastructure" heading, a feature matrix's "✓", the "Highlights include:"
    or "Added devices" over a list, and a show-notes item's "Post-show:" over its links are the
    article's structure, however often the source repeats them (tests/support/junk_eval.py
    measures it on the corpus). A lead-in to junk goes with it."""
    repeated = ["Infrastructure", "✓", "Highlights include:", "Added devices", "Post-show:"]
    sponsor = "Squarespace: make your next move."
    known = frozenset(paragraph_hash(p) for p in [*repeated, "Sponsored by:", sponsor])
    html = (
        f"<p>{BODIES[0]}</p><h3>Infrastructure</h3><p>{BODIES[1]}</p>"
        "<table><tr><td>✓</td><td>x86</td></tr></table>"
        "<p>Highlights include:</p><ul><li>Faster boots</li></ul>"
        "<p>Added devices</p><ul><li>Pixel 9</li></ul>"
        "<ul><li>Post-show:<ul><li><a href='https://example.com/a'>A link</a></li></ul></li></ul>"
        f"<p>Sponsored by:</p><p>{sponsor}</p>"
    )
    cleaned = junk.strip_learned(html, known)
    for kept in repeated:
        assert kept in cleaned, kept
    assert "Sponsored by" not in cleaned
    assert sponsor not in cleaned


def test_a_repeated_outline_point_stays_and_a_listed_footer_goes() -> None:
    """A show's notes list their topics, a roadmap its teams: "#askatp", "Post-show: Neutral",
    "Infrastructure" or "and lots more…" come back in most articles, each a point of a list the
    article keeps. A sponsor's item (it links to the sponsor), a footer's call to action (a
    sentence) and a list of nothing but repeated items go."""
    outline = ["#askatp", "Post-show: Neutral", "Infrastructure", "and lots more…"]
    footer = ["Share it with your friends.", "Hover: find a domain name."]
    navigation = ["Home", "Archive"]
    known = frozenset(paragraph_hash(p) for p in [*outline, *footer, *navigation])
    html = (
        f"<p>{BODIES[0]}</p>"
        "<ul><li>Apple's new laptops</li><li><code>#askatp</code></li>"
        "<li>Post-show: Neutral</li></ul>"
        "<ol><li>Wallpapers</li><li>Infrastructure</li></ol>"
        "<ul><li>x86: TDX guests</li><li>and lots more…</li></ul>"
        "<ol><li>Contact us on the forums.</li><li>Share it with your friends.</li></ol>"
        "<ul><li>Linode: a server in the cloud.</li>"
        "<li><a href='https://hover.com/atp'>Hover</a>: find a domain name.</li></ul>"
        "<ul><li>Home</li><li>Archive</li></ul>"
    )
    cleaned = junk.strip_learned(html, known)
    for kept in [*outline, "Apple's new laptops", "Contact us on the forums.", "Linode"]:
        assert kept in cleaned, kept
    for gone in ["Share it with your friends.", "Hover", "Home", "Archive"]:
        assert gone not in cleaned, gone


@pytest.mark.corpus
def test_learned_junk_on_the_corpus_strips_junk_and_keeps_structure() -> None:
    """Labelled: every paragraph a corpus feed repeats in 5 of its articles or more (161: 132
    junk, 29 content). Before headings, cells and lead-ins were kept, all 29 went; before outline
    points were, 7."""
    report = junk_eval.evaluate()
    print("\n" + report.table())
    assert sum(report.total.values()) == 161
    assert report.rate("junk") >= 0.9, report.table()
    assert report.rate("content") <= 0.12, report.stripped_content
    assert report.stripped[("content", "lead-in")] == 0, report.stripped_content


@pytest.mark.timeout(10)
def test_a_long_list_of_learned_items_is_judged_in_linear_time() -> None:
    """Whether an item's list keeps other items was asked once per item and looked up in a list
    of all the doomed: 1,000 learned items took 8.8 s, 5,000 would have taken minutes (a review
    of the outline rule). Asked once per list, in a set: 5,000 in ~0.1 s."""
    items = [f"item {n}" for n in range(5000)]
    html = f"<p>{BODIES[0]}</p><ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>"
    cleaned = junk.strip_learned(html, frozenset(paragraph_hash(i) for i in items))
    assert cleaned == f"<p>{BODIES[0]}</p><ul></ul>"  # every item gone: none stays to outline


def test_a_paragraph_of_lines_is_judged_line_by_line_as_its_evidence_is_counted() -> None:
    """A YouTube description is text whose lines become one paragraph with line breaks, and
    the evidence counts lines (boilerplate.paragraphs): "Sign Up on Patreon…" was learned on 7
    of 14 episodes, and still opened every card (a reader's review, twenty-fifth session)."""
    plug = [
        "Sign Up on Patreon to get access to the Space Time Discord!",
        "https://patreon.example/st",
    ]
    supporters = ["Big Bang Supporters:", "Alex Tamas", "David Nicklas", "Fabrice Eap"]
    known = frozenset(paragraph_hash(p) for p in [*plug, *supporters[:3]])
    html = (
        f"<p>{'<br>'.join(plug)}</p><p>{BODIES[0]}</p>"
        f"<p>{'<br>'.join(supporters)}</p>"  # only the learned lines go, not a new name
        f"<p>Hosted by Matt<br>{plug[0]}<br>Written by Jo<br>Graphics by Leo</p>"  # 1 of 4
    )
    cleaned = junk.strip_learned(html, known)
    assert cleaned == (
        f"<p>{BODIES[0]}</p><p>Fabrice Eap</p>"
        "<p>Hosted by Matt<br>Written by Jo<br>Graphics by Leo</p>"
    )


def test_what_stories_read_of_an_article_tells_whether_learned_junk_changes_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Whether what a refresh taught would clean its articles otherwise (refresh's
    `_cleaned_otherwise`, asked of every article of a cold round's feeds that learned a heading)
    is told from the paragraphs and hashes their stories read (`Body`, the first BODY_CHARS), not
    by reading each article's paragraphs a second time; a longer article is read whole, as
    before. The answers are strip_learned's on each article."""
    heading, footer = paragraph_hash("Infrastructure"), paragraph_hash(FOOTER)
    short = [
        make_article("log", n, content=f"<h3>Infrastructure</h3><p>{BODIES[n]}</p>")
        for n in range(4)
    ]
    long = make_article("log", 9, content=f"<p>{' '.join(BODIES * 60)}</p><p>{FOOTER}</p>")
    assert len(long.content) > BODY_CHARS
    bodies = {
        a.id: boilerplate.Body.of((a.content or a.summary)[:BODY_CHARS]) for a in [*short, long]
    }
    read: list[str] = []
    paragraphs = boilerplate.paragraphs
    monkeypatch.setattr(boilerplate, "paragraphs", lambda m: read.append(m) or paragraphs(m))
    for articles, learned, expected in [
        (short, {heading}, False),  # a heading stays: nothing to clean again
        (short, {heading, footer}, False),
        ([*short, long], {heading, footer}, True),  # the long one's footer, past its body's end
        ([*short, long], {heading}, False),
    ]:
        read.clear()
        answer = _cleaned_otherwise(articles, frozenset(learned), frozenset(), bodies)
        assert answer is expected
        assert read == [long.content] * (long in articles)
        reference = any(
            junk.strip_learned(a.content, frozenset(learned)) != a.content for a in articles
        )
        assert answer is reference
    # Two articles under one id: the body is the last one's, and the first is read itself.
    twin = replace(short[0], content=f"<p>{BODIES[5]}</p><p>{FOOTER}</p>")
    read.clear()
    assert _cleaned_otherwise([twin, short[0]], frozenset({footer}), frozenset(), bodies)
    assert read == [twin.content]
    # A paragraph no longer learned: cleaned again, nothing read.
    read.clear()
    assert _cleaned_otherwise(short, frozenset(), frozenset({footer}), bodies)
    assert read == []


def test_paragraph_hashes_made_together_are_those_made_one_at_a_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`boilerplate.hashes_of` (the C module's words over the folded paragraphs) gives each
    paragraph's `paragraph_hash`: the learned junk's pre-check and the long articles' evidence
    use it, and the hashes must stay the ones learned."""
    paras = [
        *BODIES,
        FOOTER,
        "ＨＥＬＬＯ, world",
        "國際新聞：颱風過境",
        "İstanbul’da ½ maç",
        "",
        "x",
    ]
    assert boilerplate.hashes_of(paras) == [paragraph_hash(p) for p in paras]
    monkeypatch.setattr(boilerplate, "_native", None)  # (the C module not built)
    assert boilerplate.hashes_of(paras) == [paragraph_hash(p) for p in paras]
    assert boilerplate.paragraph_hashes([*paras, paras[0]]) == list(
        dict.fromkeys(paragraph_hash(p) for p in paras)
    )


def test_a_refresh_beside_one_cleaning_again_leaves_the_next_poll_to_read_everything(
    store: Store, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A refresh of the same source beside this one (an expired lease, `refresh --inline`) that
    saves and files between the two saves of a new feed's articles: the state saved after the
    second is the unclaimed copy (the other's marks and validators stand for what it stored),
    the footer leaves every article, each is filed in one story, and the evidence is counted
    once."""
    url = feed_server.add("/harbour.xml", rss([_item(n) for n in range(6)]), etag='"v1"')
    config = make_config({"harbour": url})
    source = config.sources[0]
    save = store.save_refresh
    saves: list[bool] = []

    def save_and_let_the_other_run(*args: Any, **kwargs: Any) -> SaveResult:
        saved = save(*args, **kwargs)
        saves.append(kwargs.get("counting") is not None)
        if len(saves) == 1:  # this refresh's first save: the other reads, saves and files
            monkeypatch.setattr(store, "save_refresh", save)
            beside = refresh_source(source, config, store, fetcher, now=NOW, rng=random.Random(2))
            assert (beside.outcome, beside.added) == (Outcome.OK, 0)
            monkeypatch.setattr(store, "save_refresh", save_and_let_the_other_run)
        return saved

    monkeypatch.setattr(store, "save_refresh", save_and_let_the_other_run)
    with Fetcher(config.fetch, "aggregator-test/1") as fetcher:
        first = refresh_source(source, config, store, fetcher, now=NOW, rng=random.Random(1))
        assert saves == [True, False]  # counted by the first save, saved again cleaned
        assert (first.added, first.updated) == (6, 0)
        articles = store.source_articles("harbour", 10)
        assert len(articles) == 6
        assert not any(FOOTER in a.content for a in articles)
        state = store.get_state("harbour")
        assert (state.etag, state.body_hash, state.entry_marks) == (None, None, ())
        assert not store.unfiled([a.id for a in articles])
        assert paragraph_hash(FOOTER) in store.boilerplate("harbour", 6)
        assert paragraph_hash(FOOTER) not in store.boilerplate("harbour", 7)
        # The next poll reads the whole feed (no 304 on the other's validators), cleans it the
        # same, and then the one after is a conditional one.
        assert refresh_source(source, config, store, fetcher, now=NOW).outcome is Outcome.OK
        assert store.get_state("harbour").etag == '"v1"'
        again = refresh_source(source, config, store, fetcher, now=NOW)
        assert again.outcome is Outcome.NOT_MODIFIED


def test_a_new_feed_with_items_past_max_age_loses_the_footer_in_the_same_refresh(
    store: Store, feed_server: FeedServer
) -> None:
    """A new feed listing more items than `retention.keep_newest` older than `max_age_days` (a
    blog's last 50 posts over a year, a podcast's back catalogue): its first save trims those,
    so not every article it was asked about was left stored, and the save did not count them;
    they were filed with the footer they taught and served with it until a read a minute later.
    The trimmed ones count for nothing: the stored ones are counted, once, as the save stores
    them, and cleaned again in the same refresh."""
    words = [
        "ferry",
        "bakery",
        "rye",
        "solar",
        "boat",
        "lighthouse",
        "herring",
        "market",
        "sailing",
        "club",
        "lifejacket",
    ]
    items = [
        (
            f"g{n}",
            f"Harbour news {n}",
            [
                f"Item {n}: the " + " ".join(words[(n + k) % len(words)] for k in range(9)) + ".",
                FOOTER,
            ],
            format_datetime(NOW - timedelta(days=3 * n)),
        )
        for n in range(30)
    ]
    url = feed_server.add("/old.xml", rss(items), etag='"v1"')
    config = make_config({"old": url})
    with Fetcher(config.fetch, "aggregator-test/1") as fetcher:
        first = refresh_source(
            config.sources[0], config, store, fetcher, now=NOW, rng=random.Random(1)
        )
        assert (first.added, first.trimmed) == (30, 10)
        articles = store.source_articles("old", 50)
        assert len(articles) == 20
        assert not any(FOOTER in a.content for a in articles)
        assert paragraph_hash(FOOTER) in store.boilerplate("old", 20)  # the stored ones, once
        assert paragraph_hash(FOOTER) not in store.boilerplate("old", 21)
        due = store.get_state("old").next_due
        assert due is not None
        assert due > NOW + timedelta(seconds=RECLEAN_AFTER)
        again = refresh_source(config.sources[0], config, store, fetcher, now=NOW)
        assert again.outcome is Outcome.NOT_MODIFIED


def test_a_first_read_that_teaches_a_paragraph_that_stays_is_asked_about_it_once(
    store: Store, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new source's first read teaches a lead-in every article repeats ("Highlights of the
    week:"), which stays in them (what follows it is the article's): the refresh asks once
    whether that would clean them otherwise, and its filing of their stories, counting the
    same, takes that answer instead of reading every article again for it."""
    from aggregator import refresh

    asked: list[bool] = []
    ask = refresh._cleaned_otherwise
    monkeypatch.setattr(
        refresh, "_cleaned_otherwise", lambda *a: asked.append(answer := ask(*a)) or answer
    )
    lead_in = "Highlights of the week:"
    items = [
        (f"g{n}", f"Harbour news {n}", [lead_in, BODIES[n]], f"Mon, 2{n} Nov 2026 09:00:00 GMT")
        for n in range(6)
    ]
    articles = _serve_and_refresh(store, feed_server, "harbour", items)
    assert paragraph_hash(lead_in) in store.boilerplate("harbour", 5)  # taught ...
    assert len(articles) == 6
    assert all(lead_in in a.content for a in articles.values())  # ... and kept
    assert asked == [False]
    assert not store.unfiled([a.id for a in articles.values()])  # filed


def test_whether_learned_junk_cleans_otherwise_reads_the_shortest_articles_first(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`_cleaned_otherwise` answers at the first article cleaned otherwise: the short one, whose
    learned footer goes, is read before the long ones, whose learned lead-in stays (each read
    parses an article's HTML). The answer is the same in any order."""
    lead_in, footer = "Highlights of the week:", FOOTER
    long = [
        make_article("log", n, content=f"<p>{lead_in}</p><p>{' '.join(BODIES * 20)}</p>")
        for n in range(3)
    ]
    short = make_article("log", 7, content=f"<p>{BODIES[0]}</p><p>{footer}</p>")
    articles = [*long, short]
    bodies = {a.id: boilerplate.Body.of((a.content or a.summary)[:BODY_CHARS]) for a in articles}
    learned = frozenset({paragraph_hash(lead_in), paragraph_hash(footer)})
    read: list[str] = []
    strip = junk.strip_learned
    monkeypatch.setattr(junk, "strip_learned", lambda h, *a: read.append(h) or strip(h, *a))
    assert _cleaned_otherwise(articles, learned, frozenset(), bodies)
    assert read == [short.content]
    assert all(strip(a.content, learned) == a.content for a in long)  # (the lead-in stays)


def _made_again(
    feed: ParsedFeed, source: SourceConfig, cleaned_with: frozenset[str], learned: frozenset[str]
) -> tuple[list[Article], Report, list[Article], Report, dict[int, Article]]:
    """The feed cleaned with `learned` whole, and again reusing what `relearned` keeps of its
    cleaning with `cleaned_with` (as a new source's first read is cleaned again)."""
    first = Report()
    normalize(feed, source, now=NOW, report=first, learned_junk=cleaned_with)
    kept = relearned(first, cleaned_with, learned)
    whole, again = Report(), Report()
    reference = normalize(feed, source, now=NOW, report=whole, learned_junk=learned)
    made = normalize(feed, source, now=NOW, report=again, learned_junk=learned, reuse=kept)
    return reference, whole, made, again, {p: a for p, a in kept.items() if isinstance(a, Article)}


def test_cleaning_again_with_learned_junk_makes_only_the_articles_it_changes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A new source's first read taught its footer: the feed is cleaned again, but only the
    entries whose bodies hold a learned paragraph are made again (from their bodies as
    sanitized then). The others' articles are kept as they were (their marks, salted with the
    learned junk, still change): the same articles and marks as cleaning them all again."""
    items = [_item(n) for n in range(6)]
    items[1] = (items[1][0], items[1][1], [BODIES[1]], items[1][3])  # no footer
    items[4] = (items[4][0], items[4][1], [BODIES[4], "Thanks for reading."], items[4][3])
    feed = parse(rss(items), url="https://example.com/feed.xml", headers={})
    source = make_config({"harbour": "https://example.com/feed.xml"}).sources[0]
    footer = frozenset({paragraph_hash(FOOTER)})
    first = normalize(feed, source, now=NOW, report=Report())
    reference, whole, made, again, kept = _made_again(feed, source, frozenset(), footer)
    assert sorted(kept) == [1, 4]
    assert made == reference
    assert again == whole
    assert not any(FOOTER in a.content for a in made)
    assert made[1] is kept[1]  # kept, not made again
    assert made[4] is kept[4]
    assert (made[1], made[4]) == (first[1], first[4])
    # A paragraph no longer learned comes back where it was, and only there.
    _, _, made, _, kept = _made_again(feed, source, footer, frozenset())
    assert sorted(kept) == [1, 4]
    assert made == normalize(feed, source, now=NOW)
    # Nothing is sanitized again: those made again are made of their bodies as sanitized first.
    first_report = Report()
    normalize(feed, source, now=NOW, report=first_report)
    sanitized: list[object] = []
    sanitize = cleaning.clean_html
    monkeypatch.setattr(cleaning, "clean_html", lambda *a: sanitized.append(a) or sanitize(*a))
    kept_bodies = relearned(first_report, frozenset(), footer)
    assert normalize(feed, source, now=NOW, learned_junk=footer, reuse=kept_bodies) == reference
    assert sanitized == []
    assert normalize(feed, source, now=NOW, learned_junk=footer) == reference
    assert len(sanitized) == 6


def test_cleaning_again_with_learned_junk_reads_each_entry_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Cleaned again with learned junk (`relearned`, a new source's first read), an entry is not
    read twice for what learned junk cannot change: its dates are not read again, nor the
    paragraphs of a body `relearned` read already, and an entry made of the same title, text and
    content as before (its learned lead-in stays) is the same article. The articles are those
    of cleaning it whole."""
    lead_in = "Highlights of the week:"
    items = [(f"g{n}", f"Harbour news {n}", [lead_in, BODIES[n]], _item(n)[3]) for n in range(4)]
    items[2] = (items[2][0], items[2][1], [lead_in, BODIES[2], FOOTER], items[2][3])
    feed = parse(rss(items), url="https://example.com/feed.xml", headers={})
    source = make_config({"harbour": "https://example.com/feed.xml"}).sources[0]
    learned = frozenset({paragraph_hash(lead_in), paragraph_hash(FOOTER)})
    reference = normalize(feed, source, now=NOW, learned_junk=learned)
    first_report = Report()
    first = normalize(feed, source, now=NOW, report=first_report)
    kept = relearned(first_report, frozenset(), learned)
    assert not any(isinstance(k, Article) for k in kept.values())  # (each holds the lead-in)
    dated: list[object] = []
    read_dates = cleaning._dates
    monkeypatch.setattr(cleaning, "_dates", lambda *a: dated.append(a) or read_dates(*a))
    looked: list[str] = []
    holds = junk.holds_learned
    monkeypatch.setattr(
        junk,
        "holds_learned",
        lambda h, k, b=None: (looked.append(h) if b is None else None) or holds(h, k, b),
    )
    again = normalize(feed, source, now=NOW, learned_junk=learned, reuse=kept)
    assert again == reference
    assert dated == []
    assert looked == []
    assert FOOTER not in again[2].content
    assert lead_in in again[2].content
    assert [again[n] is first[n] for n in range(4)] == [True, True, False, True]


def test_cleaning_again_reads_no_body_its_stories_read_already(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A new source cleaned again with the junk its first read taught: `relearned` is handed
    the bodies its articles' stories read (`_by_markup`), and a body as cleaned by rule that is
    one of them (an article's whole content, most often) is not read into paragraphs again.
    The same articles as cleaning them all again."""
    items = [_item(n) for n in range(4)]
    items[1] = (items[1][0], items[1][1], [BODIES[1]], items[1][3])  # no footer
    feed = parse(rss(items), url="https://example.com/feed.xml", headers={})
    source = make_config({"harbour": "https://example.com/feed.xml"}).sources[0]
    footer = frozenset({paragraph_hash(FOOTER)})
    report = Report()
    first = normalize(feed, source, now=NOW, report=report)
    stories_read = _by_markup(first, _bodies(first))
    read: list[str] = []
    paragraphs = boilerplate.paragraphs
    monkeypatch.setattr(boilerplate, "paragraphs", lambda m: read.append(m) or paragraphs(m))
    kept = relearned(report, frozenset(), footer, stories_read)
    assert read == []
    assert [isinstance(k, Article) for k in kept.values()] == [False, True, False, False]
    again = normalize(feed, source, now=NOW, learned_junk=footer, reuse=kept)
    assert again == normalize(feed, source, now=NOW, learned_junk=footer)
    assert not any(FOOTER in a.content for a in again)


@pytest.mark.corpus
def test_cleaning_the_corpus_again_keeps_only_articles_the_learned_junk_leaves_alone() -> None:
    """Every corpus feed whose articles repeat a paragraph, cleaned again with what they teach
    (and from half of it to all of it, and back): the articles and marks of cleaning every
    entry again, though most are kept."""
    source = make_config({"corpus": "https://example.com/feed.xml"}).sources[0]
    kept_total = made_total = taught_feeds = 0
    for path in corpus_files("real"):
        feed = parse(path.read_bytes(), url=source.url, headers={})
        articles = normalize(feed, source, now=NOW)
        counts: Counter[str] = Counter()
        for a in articles:
            body = boilerplate.Body.of((a.content or a.summary)[:BODY_CHARS])
            counts.update(paragraph_evidence(a, body))
        taught = frozenset(h for h, n in counts.items() if n >= boilerplate.CONTENT_MIN_ARTICLES)
        if not taught:
            continue
        taught_feeds += 1
        half = frozenset(sorted(taught)[: len(taught) // 2])
        for before, after in [(frozenset(), taught), (half, taught), (taught, half)]:
            reference, whole, made, again, kept = _made_again(feed, source, before, after)
            assert made == reference, path.name
            assert again == whole, path.name
            kept_total += len(kept)
            made_total += len(made)
    assert taught_feeds >= 20
    assert 0 < kept_total < made_total


FIELDS = [
    "Vendor: Curated",
    "Type: Periodical",
    "Price: 18.00 USD",
    "Ort : Stadtbibliothek",
    "会場：区立中央図書館",
]


@pytest.mark.parametrize(
    "layout",
    [
        "".join(f"<p>{f}</p>" for f in FIELDS),
        "<p>" + "<br>".join(FIELDS) + "</p>",
        "<ul>" + "".join(f"<li>{f}</li>" for f in FIELDS) + "</ul>",
    ],
)
def test_repeated_record_fields_stay_and_a_prompt_beside_them_goes(layout: str) -> None:
    """A shop's, an events calendar's or a job board's items share values ("Vendor: Curated",
    "Type: Periodical", "Location: Berlin"): each field line recurs in many of the source's
    articles, but among other "Key: value" lines it is the item's data, not the site's template
    (tests/fixtures/clean_heldout/feeds.json, session 48). A prompt written as a field ("Share
    this job: …") and a learned line that is no field still go."""
    share = "Share this job: Twitter · LinkedIn · Email"
    promo = "Free shipping on all orders over $50 — shop now!"
    own = "Price: 18.00 USD"  # (this item's own value: not learned)
    known = frozenset(paragraph_hash(p) for p in [*FIELDS, share, promo] if p != own)
    cleaned = junk.strip_learned(f"<p>{BODIES[0]}</p>{layout}<p>{share}</p><p>{promo}</p>", known)
    after = boilerplate.paragraphs(cleaned)
    assert [p for p in after if p in FIELDS] == FIELDS
    assert share not in after
    assert promo not in after


def test_a_shops_price_on_the_line_below_its_key_makes_the_fields_its_items() -> None:
    """Shopify's feed: "<strong>Vendor: </strong>Curated<br>…<strong>Price: </strong>\n25.00",
    the price a line of its own (the corpus's nnw_draw-down.atom)."""
    shared = ["Vendor: Curated", "Type: Periodical", "Price:"]
    known = frozenset(paragraph_hash(p) for p in shared)
    html = f"<p>{BODIES[0]}</p><p>Vendor: Curated<br>Type: Periodical<br>Price:\n25.00</p>"
    after = boilerplate.paragraphs(junk.strip_learned(html, known))
    assert after[1:] == [*shared, "25.00"]


def test_a_lone_learned_field_line_or_a_block_repeated_whole_is_still_the_sites() -> None:
    """One "Key: value" line alone is a template's line (a footer's "Filed under: News"), and so
    is a block of fields the source repeats whole: a channel's credits under every video."""
    lone = "Filed under: News"
    credits = ["Directed by: Andrew Kornhaber", "Produced By: Kornhaber Brown"]
    known = frozenset(paragraph_hash(p) for p in [lone, *credits])
    html = f"<p>{BODIES[0]}</p><p>{lone}</p><p>{BODIES[1]}</p><p>{'<br>'.join(credits)}</p>"
    after = boilerplate.paragraphs(junk.strip_learned(html, known))
    assert after == BODIES[:2]


@pytest.mark.parametrize(
    "footer",
    [
        ["Newsletter: Get our morning briefing", "Podcast: The Daily Listen on Fridays",
         "Tips: Send your story ideas to our newsroom"],
        ["Newsletter: Täglich um 7 Uhr im Postfach", "Abo: Jetzt 4 Wochen gratis lesen",
         "Spenden: Unterstützen Sie unabhängigen Journalismus"],
        ["公众号：每日新闻精选", "客服电话：400-800-1234", "投稿邮箱：tougao",
         "商务合作：请联系广告部"],
    ],
)  # fmt: skip
def test_a_sites_promotion_footer_written_as_fields_is_still_learned_junk(
    footer: list[str],
) -> None:
    """The reviewer's: three "Key: value" lines of the site's promotion and contacts, under every
    article, are its template, not a record's fields (they stayed on every article)."""
    known = frozenset(paragraph_hash(p) for p in footer)
    html = f"<p>{BODIES[0]}</p><p>{'<br>'.join(footer)}</p>"
    assert boilerplate.paragraphs(junk.strip_learned(html, known)) == BODIES[:1]
