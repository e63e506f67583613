"""Stories in Redis, through the real pipeline: loopback feeds, refresh, real Valkey, RQ workers."""

from __future__ import annotations

import html
import logging
import math
import os
import random
import signal
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from rq import Queue

from aggregator import boilerplate, stories
from aggregator import refresh as refresh_module
from aggregator import store as store_module
from aggregator.config import RetentionConfig, StoriesConfig
from aggregator.fetch import Fetcher
from aggregator.models import Article, Outcome, SourceState
from aggregator.refresh import join_stories, refresh_source
from aggregator.store import Store
from aggregator.stories import Stored
from tests.support.feed_server import FeedServer
from tests.support.pipeline import make_config, start_worker, tick_until_fetched
from tests.support.web_server import paragraphs_article
from workers import scheduler

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
DATE_LATER = "Tue, 24 Nov 2026 11:00:00 GMT"
BODY = [
    "The city council voted 7 to 2 on Tuesday evening to approve 48 million dollars for a new"
    " pedestrian and cycling bridge across the river, ending a debate of three years.",
    "The bridge will connect the old harbour district with the university campus on the north"
    " bank. Construction starts next spring and takes about two years.",
    "Opponents argued the money would be better spent on roads, and warned that the cost could"
    " rise because of the soft ground near the harbour.",
]
OTHER = [
    "A nationwide outage at one of the largest card payment processors left shoppers unable to"
    " pay by card for almost four hours on Saturday across the whole country.",
    "The company said a faulty configuration change in one of its data centres caused it.",
]


def rss(items: list[tuple[str, str, list[str], str]]) -> bytes:
    """An RSS document of (guid, title, paragraphs, pubDate) items."""
    out = []
    for guid, title, paras, date in items:
        content = html.escape("".join(f"<p>{p}</p>" for p in paras))
        out.append(
            f'<item><guid isPermaLink="false">{guid}</guid><title>{html.escape(title)}</title>'
            f"<link>https://example.com/{guid}</link><pubDate>{date}</pubDate>"
            f"<description>{content}</description></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>'
        f"<link>https://example.com/</link>{''.join(out)}</channel></rss>"
    ).encode()


def refresh_all(store: Store, urls: dict[str, str], now: datetime = NOW) -> None:
    config = make_config(urls)
    with Fetcher(config.fetch, "aggregator-test/1") as fetcher:
        for source in config.sources:
            refresh_source(source, config, store, fetcher, now=now, rng=random.Random(1))


def article(store: Store, source: str, guid: str) -> Article:
    found = [a for a in store.source_articles(source, 100) if a.guid == guid]
    assert found, (source, guid)
    return found[0]


def trim_to_a_newer_article(store: Store, feed_server: FeedServer, source: str, n: int) -> None:
    """Refresh `source` to one newer, unrelated article with a per-source cap of 1: the
    refresh's own trimming removes what it held, as retention does in production."""
    newer = (f"n{n}", f"Unrelated note {n}", [f"Parking rules change on street {n}."], DATE_LATER)
    config = make_config({source: feed_server.add(f"/{source}.xml", rss([newer]))})
    config = replace(config, retention=RetentionConfig(max_per_source=1))
    with Fetcher(config.fetch, "aggregator-test/1") as fetcher:
        refresh_source(config.sources[0], config, store, fetcher, now=NOW)


def indexed_articles(store: Store) -> dict[str, str]:
    """The story index's handles (handle -> article id), after checking that every bucket holds
    one of them: nothing of a forgotten article is left in the buckets."""
    handles = {}
    for key in store.redis.scan_iter("agg:stories:handle:*"):
        handles.update({h.decode(): i.decode() for h, i in store.redis.hgetall(key).items()})
    for key in store.redis.scan_iter("agg:stories:lsh:*"):
        assert {v.decode() for v in store.redis.hvals(key)} <= set(handles), key
    return handles


ORIGINAL = ("o1", "Bridge approved after long fight", BODY, "Mon, 23 Nov 2026 09:00:00 GMT")
COPY = (
    "c1",
    "Bridge approved after long fight - Portal News",
    [*BODY, "Join our WeChat group for breaking news! Scan the QR code below."],
    "Mon, 23 Nov 2026 13:00:00 GMT",
)


@pytest.mark.parametrize("original_first", [True, False])
def test_a_copy_joins_the_originals_story_whichever_arrives_first(
    store: Store, feed_server: FeedServer, original_first: bool
) -> None:
    a = feed_server.add("/a.xml", rss([ORIGINAL, ("o2", "Card outage", OTHER, ORIGINAL[3])]))
    b = feed_server.add("/b.xml", rss([COPY]))
    order = {"a": a, "b": b} if original_first else {"b": b, "a": a}
    refresh_all(store, order)
    original, copy = article(store, "a", "o1"), article(store, "b", "c1")
    found = store.stories_of([original.id, copy.id, article(store, "a", "o2").id])
    assert found[original.id] == found[copy.id]
    story = found[original.id]
    assert story.size == 2
    assert story.original.article_id == original.id  # earliest published, whoever came first
    assert story.sources == ("a", "b")
    assert found[article(store, "a", "o2").id].size == 1
    # The copy is credited to the source it copied, once.
    counts = store.copy_counts(["a", "b"])
    assert counts["b"] == ({"a": 1} if original_first else {})
    # Refreshing again changes nothing: the story of an article never changes.
    refresh_all(store, order, NOW + timedelta(minutes=30))
    assert store.stories_of([copy.id])[copy.id] == story


def test_a_back_dated_copy_does_not_take_the_story_from_the_article_it_copied(
    store: Store, feed_server: FeedServer
) -> None:
    # The copier's feed was read ten minutes ago without the copy; now it lists it, dated an
    # hour before the original (a wrong zone, or a claim): it was not published before that read.
    a = feed_server.add("/a.xml", rss([ORIGINAL]))
    unrelated = ("n1", "Card outage", OTHER, ORIGINAL[3])
    b = feed_server.add("/b.xml", rss([unrelated]))
    refresh_all(store, {"b": b}, NOW - timedelta(minutes=10))
    feed_server.add("/b.xml", rss([(*COPY[:3], "Mon, 23 Nov 2026 08:00:00 GMT"), unrelated]))
    refresh_all(store, {"a": a, "b": b})
    original, copy = article(store, "a", "o1"), article(store, "b", "c1")
    assert copy.published < original.published  # its own date stays what it says
    story = store.stories_of([copy.id])[copy.id]
    assert story.size == 2
    assert story.original.article_id == original.id


def test_a_back_dated_copy_does_not_take_the_story_after_a_poll_the_copier_failed(
    store: Store, feed_server: FeedServer
) -> None:
    """The copier answers one poll with an error, then lists the copy dated an hour before the
    original: its feed was last read whole before that, without it (the failed poll said
    nothing, and the date was believed)."""
    a = feed_server.add("/a.xml", rss([ORIGINAL]))
    unrelated = ("n1", "Card outage", OTHER, ORIGINAL[3])
    b = feed_server.add("/b.xml", rss([unrelated]))
    refresh_all(store, {"b": b}, NOW - timedelta(minutes=20))
    feed_server.add("/b.xml", b"<html>Service unavailable</html>", status=503)
    refresh_all(store, {"b": b}, NOW - timedelta(minutes=10))
    assert store.get_state("b").outcome not in (Outcome.OK, Outcome.UNCHANGED)
    feed_server.add("/b.xml", rss([(*COPY[:3], "Mon, 23 Nov 2026 08:00:00 GMT"), unrelated]))
    refresh_all(store, {"a": a, "b": b})
    original, copy = article(store, "a", "o1"), article(store, "b", "c1")
    assert copy.published < original.published
    story = store.stories_of([copy.id])[copy.id]
    assert story.size == 2
    assert story.original.article_id == original.id


def test_a_new_sources_first_read_taking_stories_seen_before_is_logged(
    store: Store, feed_server: FeedServer, caplog: pytest.LogCaptureFixture
) -> None:
    """A first read's dates are believed (an honest back catalogue's old articles are older
    than the copies seen of them), so a copy dated back takes the story: nothing in its feed
    tells the two apart. The operator is told, with how many and how far back."""
    caplog.set_level(logging.WARNING, logger="aggregator.refresh")
    a = feed_server.add("/a.xml", rss([ORIGINAL]))
    refresh_all(store, {"a": a}, NOW - timedelta(hours=1))
    assert not caplog.records
    b = feed_server.add("/b.xml", rss([(*COPY[:3], "Mon, 23 Nov 2026 07:00:00 GMT")]))
    refresh_all(store, {"b": b})
    copy = article(store, "b", "c1")
    assert store.stories_of([copy.id])[copy.id].original.article_id == copy.id
    (record,) = [r for r in caplog.records if r.getMessage().startswith("articles dated before")]
    fields = record.fields  # type: ignore[attr-defined]
    assert fields == {"source": "b", "articles": 1, "hours_before": 2.0}


def test_an_original_listed_after_its_copy_keeps_its_story_when_its_date_is_after_the_last_read(
    store: Store, feed_server: FeedServer
) -> None:
    # The hard negative: the original's source was last read before the original's date, so
    # the date may be true, and the original wins the story its copy started.
    unrelated = ("o2", "Card outage", OTHER, "Mon, 23 Nov 2026 08:00:00 GMT")
    a = feed_server.add("/a.xml", rss([unrelated]))
    refresh_all(store, {"a": a}, datetime(2026, 11, 23, 8, 30, tzinfo=UTC))
    b = feed_server.add("/b.xml", rss([COPY]))
    refresh_all(store, {"b": b}, NOW - timedelta(minutes=30))
    feed_server.add("/a.xml", rss([ORIGINAL, unrelated]))
    refresh_all(store, {"a": a, "b": b})
    original, copy = article(store, "a", "o1"), article(store, "b", "c1")
    story = store.stories_of([copy.id])[copy.id]
    assert story.size == 2
    assert story.original.article_id == original.id


def test_an_original_a_cache_listed_late_keeps_its_story_against_a_later_copy(
    store: Store, feed_server: FeedServer
) -> None:
    """The original's feed was read five minutes ago from a cache's older copy, without it:
    its date, eight minutes ago, still stands against a copy dated six minutes ago."""
    fmt = "%a, %d %b %Y %H:%M:%S GMT"
    unrelated = ("u1", "Card outage", OTHER, (NOW - timedelta(hours=5)).strftime(fmt))
    a = feed_server.add("/a.xml", rss([unrelated]))
    refresh_all(store, {"a": a}, NOW - timedelta(minutes=5))
    b = feed_server.add("/b.xml", rss([("u2", "Other news", OTHER[:1], unrelated[3])]))
    refresh_all(store, {"b": b}, NOW - timedelta(minutes=20))
    original = (*ORIGINAL[:3], (NOW - timedelta(minutes=8)).strftime(fmt))
    feed_server.add("/a.xml", rss([original, unrelated]))
    feed_server.add("/b.xml", rss([(*COPY[:3], (NOW - timedelta(minutes=6)).strftime(fmt))]))
    refresh_all(store, {"b": b, "a": a})
    story = store.stories_of([article(store, "b", "c1").id])[article(store, "b", "c1").id]
    assert story.size == 2
    assert story.original.article_id == article(store, "a", "o1").id


def test_one_sites_articles_sharing_only_its_template_stay_apart(
    store: Store, feed_server: FeedServer
) -> None:
    footer = [
        "Riverside Makers is a volunteer-run community workshop open to everyone. Membership"
        " costs 10 dollars a month and includes access to all tools after a safety induction.",
        "Follow us on social media and subscribe to our newsletter so you never miss an event.",
    ]
    date = "Mon, 23 Nov 2026 09:00:00 GMT"
    posts = [
        ("p1", "Weekly update", ["The laser cutter works again.", *footer], date),
        ("p2", "Weekly update", ["Beginners learn to solder on Thursdays.", *footer], date),
    ]
    refresh_all(store, {"site": feed_server.add("/site.xml", rss(posts))})
    ids = [a.id for a in store.source_articles("site", 10)]
    assert [s.size for s in store.stories_of(ids).values()] == [1, 1]


def test_copies_of_a_channels_videos_sharing_its_description_stay_apart(
    store: Store, feed_server: FeedServer
) -> None:
    """Three videos of one channel, one description word for word (Framatube's three talks of
    one evening, 36 minutes apart): the channel learns it as its template. Two sites each
    carrying one of the videos under its own title were one story (the same long text under
    another headline); a third carrying the first video under its title still joins its copy."""
    date = "Mon, 23 Nov 2026 09:00:00 GMT"
    titles = ["Alternatives to the big platforms, part 1", "A talk on free software", "Q&A"]
    videos = [(f"v{n}", title, BODY, date) for n, title in enumerate(titles)]
    refresh_all(
        store,
        {
            "tube": feed_server.add("/tube.xml", rss(videos)),
            "m1": feed_server.add("/m1.xml", rss([("x1", titles[0], BODY, date)])),
            "m2": feed_server.add("/m2.xml", rss([("x2", titles[1], BODY, date)])),
            "m3": feed_server.add("/m3.xml", rss([("x3", titles[0], BODY, date)])),
        },
    )
    m1, m2, m3 = (article(store, s, g).id for s, g in (("m1", "x1"), ("m2", "x2"), ("m3", "x3")))
    found = store.stories_of([m1, m2, m3])
    assert found[m1] != found[m2]
    assert found[m1] == found[m3]
    # Trimming the channel's videos leaves nothing of them in the buckets ("L" included).
    tube = {a.id for a in store.source_articles("tube", 10)}
    trim_to_a_newer_article(store, feed_server, "tube", 1)
    assert not tube & set(indexed_articles(store).values())


def test_a_podcasts_episodes_over_supporters_gaining_a_name_each_week_stay_apart(
    store: Store, feed_server: FeedServer
) -> None:
    """A new podcast's first read: each episode a line of its own over the show's supporters,
    one more name each week, so no two carry the same paragraph and none is learned. Two of its
    episodes were one story (the same long text under another headline), and the feeds showed
    one of them only."""
    last = ("Smith", "Chen", "Garcia", "Okafor", "Tanaka", "Ivanova", "Novak", "Silva", "Khan")
    names = ", ".join(f"{f} {n}" for f in ("Alex", "Maria", "Wei", "Olga", "Sam") for n in last)
    subjects = [
        "We talk about volcanoes with a geologist.",
        "Why bees dance, with an entomologist.",
        "The moon, the sun and the tides.",
        "A history of salt in five objects.",
    ]
    episodes = [
        (
            f"e{n}",
            f"Episode {n}: {subject.split()[0]}",
            [
                subject,
                f"Thanks to our supporters: {names}{', New Name' * n}. Join them on Patreon.",
            ],
            "Mon, 23 Nov 2026 09:00:00 GMT",
        )
        for n, subject in enumerate(subjects)
    ]
    refresh_all(store, {"pod": feed_server.add("/pod.xml", rss(episodes))})
    ids = [article(store, "pod", f"e{n}").id for n in range(4)]
    assert len({s.id for s in store.stories_of(ids).values()}) == 4


WIRE_TITLE = "Bank of England cuts rates to 4.5%, signals gradual path ahead"
WIRE = [
    "LONDON, Nov 23 (Reuters) - The Bank of England cut interest rates by a quarter point to 4.5%"
    " on Monday and signalled that further reductions would be gradual, as inflation remains"
    " above its 2% target despite a weakening labour market.",
    "The Monetary Policy Committee voted 7-2 for the cut, with two members preferring to hold"
    " rates steady, the central bank said in a statement.",
    "Governor Andrew Bailey said the bank needed to be careful not to cut too fast or by too much,"
    " pointing to wage growth that was still running at around 5% a year.",
    "Sterling fell half a cent against the dollar after the decision, while yields on two-year"
    " gilts dropped to their lowest level since August.",
    "(Reporting by David Milliken and Andy Bruce; Editing by Catherine Evans)",
]


def test_a_feed_listing_one_article_twice_shows_it_once(
    store: Store, feed_server: FeedServer
) -> None:
    """Its link and its AMP link, in one poll: counted twice, every paragraph was learned as the
    source's template, both fingerprints lost all their text, and readers saw two cards."""
    date = "Mon, 23 Nov 2026 09:00:00 GMT"
    items = [
        ("w1", WIRE_TITLE, WIRE, date),
        ("amp/w1?utm_source=rss", WIRE_TITLE, WIRE, date),
        ("w0", "Card outage", OTHER, "Mon, 23 Nov 2026 08:00:00 GMT"),
    ]
    refresh_all(store, {"wire": feed_server.add("/wire.xml", rss(items))})
    ids = [article(store, "wire", guid).id for guid, *_ in items]
    found = store.stories_of(ids)
    assert found[ids[0]] == found[ids[1]]
    assert found[ids[0]].size == 2
    assert found[ids[2]].size == 1


def test_a_wires_corrected_repost_joins_its_story_and_its_next_reports_do_not(
    store: Store, feed_server: FeedServer
) -> None:
    """A "CORRECTED-" repost under a new link, a poll later: what it shares with the original was
    learned as the wire's template then, and its fingerprint kept only the paragraph it changed.
    A live blog's next entry under the recap the first carried, the same title from the same
    source, is a story of its own."""
    fmt = "%a, %d %b %Y %H:%M:%S GMT"
    at = [(NOW - timedelta(hours=h)).strftime(fmt) for h in (6, 3)]
    recap = (
        "What we know so far: polls closed at 8 p.m. in all 67 counties, turnout was estimated at"
        " 71%, a record for a midterm, and counting of mail ballots will continue through"
        " Thursday. The governor's race and two congressional seats are too close to call, and"
        " results stay unofficial until the secretary of state certifies them on Nov. 22."
        " Election officials expect most counties to report by midnight, with provisional"
        " ballots counted next week."
    )
    live = "Live updates: Election night results"
    first = [
        ("w1", WIRE_TITLE, WIRE, at[0]),
        (
            "l1",
            live,
            [recap, "Democrat Maria Lopez has declared victory in the 7th District."],
            at[0],
        ),
    ]
    url = feed_server.add("/wire.xml", rss(first))
    refresh_all(store, {"wire": url}, NOW - timedelta(hours=3))
    corrected = [WIRE[0], WIRE[1].replace("7-2", "6-3"), *WIRE[2:], "(Corrects vote count)"]
    later = [
        ("w2", "CORRECTED-" + WIRE_TITLE, corrected, at[1]),
        (
            "l2",
            live,
            [
                recap,
                "Republican incumbent Tom Reyes has conceded in Senate District 12 after trailing.",
            ],
            at[1],
        ),
        *first,
    ]
    feed_server.add("/wire.xml", rss(later))
    refresh_all(store, {"wire": url})
    ids = {guid: article(store, "wire", guid).id for guid in ("w1", "w2", "l1", "l2")}
    found = store.stories_of(list(ids.values()))
    assert found[ids["w2"]] == found[ids["w1"]]
    assert found[ids["w1"]].original.article_id == ids["w1"]
    assert found[ids["l1"]].size == found[ids["l2"]].size == 1


LIVE_RECAP = [
    "What we know so far: polls closed at 8 p.m. in all 67 counties, turnout was estimated at 71%,"
    " a record for a midterm, and counting of mail ballots will continue through Thursday.",
    "The governor's race and two congressional seats are too close to call, and results stay"
    " unofficial until the secretary of state certifies them on Nov. 22.",
]
LIVE_ENTRIES = [
    "Democrat Maria Lopez has declared victory in the 7th District.",
    "Republican incumbent Tom Reyes has conceded in Senate District 12 after trailing.",
    "The ballot measure on school funding is passing with 58% of the vote counted.",
]


def test_a_feed_of_many_items_under_one_tagged_title_is_compared_a_few_at_a_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A hostile feed of 200 items all titled "UPDATE 1-Markets rally" had each compared with
    every earlier one, a word diff each time: 19 s of a worker on every poll (a review). A
    revision is looked for among the last few under the title; a word-for-word repeat among all."""
    calls = 0
    revises = boilerplate.revises

    def counted(earlier: boilerplate.Body, later: boilerplate.Body) -> bool:
        nonlocal calls
        calls += 1
        return revises(earlier, later)

    monkeypatch.setattr(boilerplate, "revises", counted)
    rng = random.Random(7)
    words = [f"word{k}" for k in range(3000)]
    shared = [" ".join(rng.choice(words) for _ in range(40)) + "." for _ in range(4)]
    items = [
        ("UPDATE 1-Markets rally", [*shared, " ".join(rng.choice(words) for _ in range(60))])
        for _ in range(200)
    ]
    items.append(items[3])  # a word-for-word repeat of an early one is still found
    batch = _articles("wire", items, NOW)
    bodies = {a.id: boilerplate.Body.of(a.content) for a in batch}
    evidence = refresh_module.batch_evidence(batch, bodies)
    assert calls <= 2 * refresh_module.REVISION_PEERS * len(batch)  # (every pair: ~40,000)
    assert evidence[batch[-1].id] == []
    assert evidence[batch[0].id]


def test_a_wires_story_and_its_correction_read_in_one_poll_are_one_story(
    store: Store, feed_server: FeedServer
) -> None:
    """A new source's first poll lists the story and its "CORRECTED-" repost: counted together,
    what they share was learned as the wire's template and both fingerprints kept only the
    paragraph that differs (two cards). A live blog's posts read in the same poll, each its
    recap and a new entry, stay apart; so do the same title's posts without the tag."""
    fmt = "%a, %d %b %Y %H:%M:%S GMT"
    at = [(NOW - timedelta(minutes=m)).strftime(fmt) for m in (50, 40, 30, 20, 15, 10, 9, 5)]
    corrected = [WIRE[0], WIRE[1].replace("7-2", "6-3"), *WIRE[2:], "(Corrects vote count)"]
    live = "Live updates: Election night results"
    # A count updated in the blog's next post: one paragraph edited, as a correction edits one.
    count = "Lopez leads Reyes by {} points in the 7th District, the secretary of state said."
    items = [
        ("w2", "CORRECTED-" + WIRE_TITLE, corrected, at[1]),
        ("w1", WIRE_TITLE, WIRE, at[0]),
        *((f"l{n}", live, [*LIVE_RECAP, e], at[n + 1]) for n, e in enumerate(LIVE_ENTRIES)),
    ]
    counts = [(f"c{n}", live, [*LIVE_RECAP, count.format(n)], at[n]) for n in (5, 7)]
    urls = {"wire": feed_server.add("/wire.xml", rss(items))}
    refresh_all(store, {**urls, "blog": feed_server.add("/blog.xml", rss(counts))})
    ids = {guid: article(store, "wire", guid).id for guid, *_ in items}
    ids |= {guid: article(store, "blog", guid).id for guid, *_ in counts}
    found = store.stories_of(list(ids.values()))
    assert found[ids["w2"]] == found[ids["w1"]]
    assert found[ids["w1"]].original.article_id == ids["w1"]
    assert [found[ids[g]].size for g in ("l0", "l1", "l2", "c5", "c7")] == [1, 1, 1, 1, 1]


def test_a_sources_exact_repost_and_its_tagged_update_a_poll_later_join_their_story(
    store: Store, feed_server: FeedServer
) -> None:
    """A poll later, under new links: the story again word for word (its fingerprint was empty
    once its paragraphs were counted twice, and nothing found it), and an "UPDATE 1-" that only
    adds a paragraph (it kept only that paragraph, new text). A live blog's next post, its recap
    with a new entry or all the entries so far, says nothing of a revision: its own story."""
    fmt = "%a, %d %b %Y %H:%M:%S GMT"
    at = [(NOW - timedelta(hours=h)).strftime(fmt) for h in (6, 3, 2)]
    live = "Live updates: Election night results"
    first = [
        ("w1", WIRE_TITLE, WIRE, at[0]),
        ("l1", live, [*LIVE_RECAP, LIVE_ENTRIES[0]], at[0]),
    ]
    url = feed_server.add("/wire.xml", rss(first))
    refresh_all(store, {"wire": url}, NOW - timedelta(hours=3))
    added = "Finance minister Rachel Reeves welcomed the cut, saying it would help households."
    later = [
        ("w2", WIRE_TITLE, WIRE, at[1]),
        ("l2", live, [*LIVE_RECAP, LIVE_ENTRIES[1]], at[1]),
        *first,
    ]
    feed_server.add("/wire.xml", rss(later))
    refresh_all(store, {"wire": url}, NOW - timedelta(hours=2))
    update = [*WIRE[:-1], added, WIRE[-1]]
    last = [
        ("w3", "UPDATE 1-" + WIRE_TITLE, update, at[2]),
        ("l3", live, [*LIVE_RECAP, LIVE_ENTRIES[2], LIVE_ENTRIES[1]], at[2]),
        *later,
    ]
    feed_server.add("/wire.xml", rss(last))
    refresh_all(store, {"wire": url})
    guids = ("w1", "w2", "w3", "l1", "l2", "l3")
    ids = {guid: article(store, "wire", guid).id for guid in guids}
    found = store.stories_of(list(ids.values()))
    assert found[ids["w1"]] == found[ids["w2"]] == found[ids["w3"]]
    assert found[ids["w1"]].original.article_id == ids["w1"]
    assert found[ids["w1"]].size == 3
    assert [found[ids[g]].size for g in ("l1", "l2", "l3")] == [1, 1, 1]


def linked_rss(items: list[tuple[str, str, str, list[str], str]]) -> bytes:
    """An RSS document of (guid, link, title, paragraphs, pubDate) items."""
    document = rss([(guid, title, paras, date) for guid, _, title, paras, date in items])
    for guid, link, *_ in items:
        document = document.replace(
            f"<link>https://example.com/{guid}</link>".encode(), f"<link>{link}</link>".encode()
        )
    return document


def test_a_page_reissued_under_a_new_guid_in_its_old_items_place_joins_its_story(
    store: Store, feed_server: FeedServer
) -> None:
    """A site re-issues an edited article under a new guid, its link and date kept, and takes
    the old item out of its feed (an older one still listed): the page revised, though its
    title does not say so; it showed as a second card. A live blog's posts at one link (dated
    alike, as the blog's start) stay listed beside the next, and a template's next fill at one
    link is dated anew: their own stories. An edit under the same guid is the same article: its
    one card."""
    fmt = "%a, %d %b %Y %H:%M:%S GMT"
    at = [(NOW - timedelta(hours=h)).strftime(fmt) for h in (20, 6, 3, 1)]
    page, live, oil = (f"https://site.example/{p}" for p in ("bridge", "live", "oil-prices"))
    older = ("n0", "https://site.example/library", "Library opens longer", OTHER, at[0])
    fill = [
        "Oil prices: a daily summary of benchmark crude prices from our energy desk, compiled"
        " from exchange data at the close of trading in New York and London, with the move.",
        "Brent crude settled at 74.10 dollars a barrel on the day, and WTI at 70.22 dollars.",
        "Prices are indicative and are not an offer to buy or sell. Our energy desk takes"
        " settlement prices from ICE and NYMEX and does not adjust them for currency moves.",
    ]
    first = [
        older,
        ("p1", page, "Bridge approved after long fight", BODY, at[1]),
        ("l1", live, "Live updates: Election night", [*LIVE_RECAP, LIVE_ENTRIES[0]], at[1]),
        ("f1", oil, "Oil prices", fill, at[1]),
    ]
    url = feed_server.add("/site.xml", linked_rss(first))
    refresh_all(store, {"site": url}, NOW - timedelta(hours=2))
    edited = [BODY[0].replace("7 to 2", "6 to 3"), *BODY[1:]]
    next_fill = [fill[0], fill[1].replace("74.10", "74.85").replace("70.22", "70.90"), fill[2]]
    second = [
        older,
        ("p2", page, "Bridge approved after long fight", edited, at[1]),
        ("l1", *first[2][1:]),
        ("l2", live, "Live updates: Election night", [*LIVE_RECAP, LIVE_ENTRIES[1]], at[1]),
        ("f2", oil, "Oil prices", next_fill, at[2]),
    ]
    feed_server.add("/site.xml", linked_rss(second))
    refresh_all(store, {"site": url}, NOW - timedelta(hours=1))
    again = [*edited[:-1], edited[-1] + " The work is to be tendered in January."]
    feed_server.add("/site.xml", linked_rss([second[0], (*second[1][:3], again, at[1])]))
    refresh_all(store, {"site": url})  # p2 edited under its guid; the others taken out

    guids = ("p1", "p2", "l1", "l2", "f1", "f2")
    ids = {guid: article(store, "site", guid).id for guid in guids}
    found = store.stories_of(list(ids.values()))
    assert found[ids["p1"]].id == found[ids["p2"]].id
    assert found[ids["p1"]].original.article_id == ids["p1"]
    assert found[ids["p1"]].size == 2
    assert [found[ids[g]].size for g in ("l1", "l2", "f1", "f2")] == [1, 1, 1, 1]


def test_only_an_edit_taken_out_in_a_feeds_middle_at_the_same_link_and_date_is_replaced() -> None:
    t = NOW.timestamp()

    def item(article_id: str, url: str, paras: list[str]) -> Article:
        return Article(
            id=article_id,
            source_id="s",
            guid=article_id,
            url=url,
            title="A",
            summary="",
            content="".join(f"<p>{p}</p>" for p in paras),
            author="",
            published=NOW,
            updated=NOW,
            source_name="S",
            source_url="",
            categories=("x",),
            content_hash="",
        )

    edited = [BODY[0].replace("7 to 2", "6 to 3"), *BODY[1:]]
    new = item("new", "https://s.example/a", edited)
    earlier = {
        "old": item("old", new.url, BODY),
        "elsewhere": item("elsewhere", "https://s.example/b", BODY),
        "other": item("other", new.url, [*BODY[:-1], OTHER[0]]),  # a next entry: new text
    }
    body = boilerplate.Body.of(new.content)
    old = Stored("old", "old", "s", t, t, stories.fingerprint("A", BODY))
    times = {"old": t, "new": t, "older": t - 3600, "newer": t + 60}

    def replaced(candidate: Stored, listed: tuple[str, ...], when: float = t) -> frozenset[str]:
        at = {**times, candidate.article_id: when}
        return refresh_module.replaced_by(new, body, [candidate], listed, at, earlier)

    assert replaced(old, ("new", "older")) == {"old"}
    assert replaced(old, ("new", "newer")) == set()  # fallen out of the window: no older left
    assert replaced(old, ("new", "older", "old")) == set()  # still listed
    assert replaced(old, ("new", "older"), t - 60) == set()  # dated anew: a next fill
    assert replaced(replace(old, article_id="elsewhere"), ("new", "older")) == set()
    assert replaced(replace(old, article_id="other"), ("new", "older")) == set()
    assert replaced(replace(old, source_id="t"), ("new", "older")) == set()


def test_the_oldest_listed_but_one_is_found_once_for_every_article() -> None:
    """replaced_by read every listed article's time for each article that reached it (new ×
    listed); the earliest two are found once, and give the same answer for each."""
    rng = random.Random(3)
    for _ in range(500):
        ids = [f"a{n}" for n in range(rng.randrange(0, 8))]
        listed = [i for i in ids if rng.random() < 0.8]
        times = {i: float(rng.randrange(0, 4)) for i in ids if rng.random() < 0.8}
        oldest = refresh_module._oldest_listed(listed, times)
        for article_id in [*ids, "other"]:
            others = [times[i] for i in listed if i in times and i != article_id]
            assert oldest(article_id) == min(others, default=math.inf)


def test_an_article_left_empty_by_learned_junk_is_filed_by_its_title_and_forgotten_whole(
    store: Store, feed_server: FeedServer
) -> None:
    """Every paragraph of it learned as its source's template: filed under its title's bucket
    (a repost of it is found so), which its trimming takes away again (the Lua derives it from
    the stored fingerprint)."""
    footer = [
        "Riverside Makers is a volunteer-run community workshop open to everyone. Membership"
        " costs 10 dollars a month and includes access to all tools after a safety induction.",
        "Follow us on social media and subscribe to our newsletter so you never miss an event.",
    ]
    date = "Mon, 23 Nov 2026 09:00:00 GMT"
    posts = [("p1", "Weekly update", footer, date), ("p2", "Opening hours", footer, date)]
    refresh_all(store, {"site": feed_server.add("/site.xml", rss(posts))})
    filed = indexed_articles(store)
    assert len(filed) == 2
    titled = [
        t for key in store.redis.scan_iter("agg:stories:lsh:*") for t in store.redis.hkeys(key)
    ]
    # (and under its learned start, which both share: stories.template_token)
    assert sorted(t[:1] for t in titled) == [b"L", b"T", b"T"]
    trim_to_a_newer_article(store, feed_server, "site", 1)
    assert not set(filed.values()) & set(indexed_articles(store).values())


def test_trimming_an_article_leaves_its_story_consistent(
    store: Store, feed_server: FeedServer
) -> None:
    copy2 = (
        "c2",
        "Bridge approved after long fight | Daily",
        BODY,
        "Mon, 23 Nov 2026 15:00:00 GMT",
    )
    refresh_all(
        store,
        {
            "a": feed_server.add("/a.xml", rss([ORIGINAL])),
            "b": feed_server.add("/b.xml", rss([COPY])),
            "c": feed_server.add("/c.xml", rss([copy2])),
        },
    )
    original = article(store, "a", "o1")
    others = [article(store, "b", "c1").id, article(store, "c", "c2").id]
    assert store.stories_of([original.id])[original.id].size == 3

    def trim(source: str, n: int) -> None:
        trim_to_a_newer_article(store, feed_server, source, n)

    trim("a", 1)
    assert store.article(original.id) is None
    left = store.stories_of(others)
    assert left[others[0]] == left[others[1]]
    assert left[others[0]].size == 2
    assert store.stories_of([original.id])[original.id].size == 1  # gone from the story
    trim("b", 2)
    assert store.stories_of([others[1]])[others[1]].size == 1
    trim("c", 3)
    # Nothing of the story is left behind: fingerprints, buckets, records. (The three newer
    # articles are filed as stories of their own, with no record.)
    gone = {original.id, *others}
    assert not gone & {k.decode() for k in store.redis.hkeys("agg:stories:fp")}
    assert list(store.redis.scan_iter("agg:story:*")) == []
    assert not gone & set(indexed_articles(store).values())


def test_a_short_post_copied_word_for_word_is_one_story_and_leaves_nothing_when_trimmed(
    store: Store, feed_server: FeedServer
) -> None:
    # Eight mirrors of one forum post showed it eight times in a row: bodies too short to
    # compare by shingles never merged.
    date = "Mon, 23 Nov 2026 09:00:00 GMT"
    post = ("f1", "出南京泰山5盒，原盒看图", ["如题，价格私聊。"], date)
    other = ("f3", "出南京泰山5盒，原盒看图", ["已出，谢谢大家。"], date)  # other words
    urls = {
        "a": feed_server.add("/a.xml", rss([post])),
        "b": feed_server.add("/b.xml", rss([post])),
        "c": feed_server.add("/c.xml", rss([post])),
        "d": feed_server.add("/d.xml", rss([other])),
    }
    refresh_all(store, urls)
    first = article(store, "a", "f1")
    copies = [article(store, s, "f1").id for s in ("b", "c")]
    found = store.stories_of([first.id, *copies, article(store, "d", "f3").id])
    assert found[first.id].size == 3  # a's, b's and c's: one post copied
    assert {found[i].id for i in copies} == {found[first.id].id}
    assert found[article(store, "d", "f3").id].size == 1  # the same title over other words

    for n, source in enumerate(("a", "b", "c", "d")):  # trimmed: nothing is left behind
        trim_to_a_newer_article(store, feed_server, source, n)
    assert len(indexed_articles(store)) == 4  # the four notes


def test_title_only_items_of_one_link_and_title_at_two_sources_are_one_story(
    store: Store, feed_server: FeedServer
) -> None:
    # A link blog's, an aggregator's and a forum's items carry a title and a link and no text:
    # they were filed under no bucket at all, so several sources' items of one link showed as
    # as many cards. The same title and link, at another source, is one story; the same title
    # over another link (a sister site's "Daily digest") or another title over the same link
    # (a site's one news page) is not.
    date = "Mon, 23 Nov 2026 09:00:00 GMT"
    link = ("x1", "Why we rewrote our scheduler in Rust", [], date)
    digest = [(f"d{n}", "Daily digest", [], date) for n in range(3)]
    urls = {
        "a": feed_server.add("/a.xml", rss([link, digest[0]])),
        "b": feed_server.add("/b.xml", rss([link, digest[1]])),
        "c": feed_server.add("/c.xml", rss([("x1", "Nix 2.1 released", [], date), digest[2]])),
    }
    refresh_all(store, urls)
    first, copy = article(store, "a", "x1").id, article(store, "b", "x1").id
    other = article(store, "c", "x1").id
    digests = [article(store, s, f"d{n}").id for n, s in enumerate("abc")]
    found = store.stories_of([first, copy, other, *digests])
    assert found[first].id == found[copy].id
    assert found[first].size == 2
    assert [found[i].size for i in (other, *digests)] == [1, 1, 1, 1]

    for n, source in enumerate("abc"):  # trimmed: nothing is left behind
        trim_to_a_newer_article(store, feed_server, source, n)
    assert len(indexed_articles(store)) == 3  # the three notes


def test_stories_turned_off_file_nothing(store: Store, feed_server: FeedServer) -> None:
    """`[stories] enabled = false`: a copy stays a story of its own, and no story data is kept."""
    config = make_config(
        {
            "a": feed_server.add("/a.xml", rss([ORIGINAL])),
            "b": feed_server.add("/b.xml", rss([COPY])),
        }
    )
    config = replace(config, stories=StoriesConfig(enabled=False))
    with Fetcher(config.fetch, "aggregator-test/1") as fetcher:
        for source in config.sources:
            refresh_source(source, config, store, fetcher, now=NOW)
    ids = [article(store, "a", "o1").id, article(store, "b", "c1").id]
    assert [s.size for s in store.stories_of(ids).values()] == [1, 1]
    assert store.redis.hlen("agg:stories:fp") == 0


class _JoinFailsOnce(Store):
    """A store whose first story join meets a Redis error, as a connection cut mid-refresh."""

    failed = False

    def file_stories(self, *args: Any, **kwargs: Any) -> tuple[dict[str, list[Stored]], int]:
        if not self.failed:
            self.failed = True
            raise RedisConnectionError("connection cut by the test")
        return super().file_stories(*args, **kwargs)


def test_articles_left_unfiled_by_a_failed_refresh_are_filed_by_the_next_poll(
    store: Store, feed_server: FeedServer
) -> None:
    """A refresh that saved its articles but failed before filing them in their stories must not
    leave its body's fingerprint behind: the feed unchanged, the next poll would skip it."""
    config = make_config(
        {
            "a": feed_server.add("/a.xml", rss([ORIGINAL])),
            "b": feed_server.add("/b.xml", rss([COPY])),
        }
    )
    failing = _JoinFailsOnce(store.redis)
    a, b = config.sources
    with Fetcher(config.fetch, "aggregator-test/1") as fetcher:
        refresh_source(a, config, store, fetcher, now=NOW)
        with pytest.raises(RedisConnectionError):
            refresh_source(b, config, failing, fetcher, now=NOW)
        copy = article(store, "b", "c1").id  # saved, but in no story
        assert store.unfiled([copy]) == {copy}
        assert store.get_state("b").body_hash is None
        refresh_source(b, config, failing, fetcher, now=NOW)  # the same body
    ids = [article(store, "a", "o1").id, copy]
    assert [s.size for s in store.stories_of(ids).values()] == [2, 2]
    assert store.get_state("b").body_hash  # kept now that its articles are filed


def test_a_refresh_keeps_its_bodys_fingerprint_however_its_articles_were_filed(
    store: Store, feed_server: FeedServer
) -> None:
    """The state goes with the last story round trip, whichever that is: the look (nothing
    resembled the articles), the join (one did), or alone (nothing was left to file)."""
    url = feed_server.add("/a.xml", rss([ORIGINAL]))
    config = make_config({"a": url, "b": feed_server.add("/b.xml", rss([COPY]))})
    a, b = config.sources
    hashes = []
    with Fetcher(config.fetch, "aggregator-test/1") as fetcher:
        refresh_source(a, config, store, fetcher, now=NOW)  # filed by the look
        hashes.append(store.get_state("a").body_hash)
        refresh_source(b, config, store, fetcher, now=NOW)  # joined a's story
        hashes.append(store.get_state("b").body_hash)
        # The same item in a changed document: nothing left to file.
        feed_server.add("/a.xml", rss([ORIGINAL]).replace(b"<title>T</title>", b"<title>U</title>"))
        refresh_source(a, config, store, fetcher, now=NOW + timedelta(minutes=30))
        hashes.append(store.get_state("a").body_hash)
    assert all(hashes), hashes
    assert hashes[0] != hashes[2]  # the new document's
    assert store.stories_of([article(store, "b", "c1").id]).popitem()[1].size == 2
    assert store.get_state("a").outcome is Outcome.OK


def test_the_first_layouts_story_index_is_dropped_when_the_config_is_published(
    store: Store, feed_server: FeedServer
) -> None:
    """An upgrade: the old records (buckets of article ids) go; stories form in the new layout."""
    store.redis.hset("agg:story-fp", "f" * 20, b"\tsrc\t1.0\t1.0\t" + bytes(stories.PACKED_SIZE))
    store.redis.hset("agg:lsh:7", b"\x00abcd", "f" * 20)
    urls = {
        "a": feed_server.add("/a.xml", rss([ORIGINAL])),
        "b": feed_server.add("/b.xml", rss([COPY])),
    }
    scheduler.publish(store, make_config(urls))
    assert store.redis.exists("agg:story-fp", "agg:lsh:7") == 0
    refresh_all(store, urls)
    original = article(store, "a", "o1")
    assert store.stories_of([original.id])[original.id].size == 2


def test_trimming_a_copy_changes_the_feeds_that_credited_it(
    store: Store, feed_server: FeedServer
) -> None:
    """The original's feed lists the copy under "also": when the copy goes, that feed changes."""
    a, b = feed_server.add("/a.xml", rss([ORIGINAL])), feed_server.add("/b.xml", rss([COPY]))
    world, tech = (
        make_config({"a": a}, categories=["world"]),
        make_config({"b": b}, categories=["tech"]),
    )
    with Fetcher(world.fetch, "aggregator-test/1") as fetcher:
        refresh_source(world.sources[0], world, store, fetcher, now=NOW)
        refresh_source(tech.sources[0], tech, store, fetcher, now=NOW)
        original = article(store, "a", "o1")
        assert store.stories_of([original.id])[original.id].size == 2
        before = store.category_version("world")
        # A newer unrelated article and a cap of one article per source: the copy is trimmed.
        newer = ("n1", "Unrelated note", ["Parking rules change on the high street."], DATE_LATER)
        tech = make_config({"b": feed_server.add("/b.xml", rss([newer]))}, categories=["tech"])
        tech = replace(tech, retention=RetentionConfig(max_per_source=1))
        refresh_source(tech.sources[0], tech, store, fetcher, now=NOW)
    assert store.stories_of([original.id])[original.id].size == 1
    assert store.category_version("world") > before


def _articles(source: str, texts: list[tuple[str, list[str]]], at: datetime) -> list[Article]:
    return [
        paragraphs_article(f"{source}-{n}", source, title, paras, at)
        for n, (title, paras) in enumerate(texts)
    ]


def _save(store: Store, articles: list[Article], now: datetime) -> None:
    retention = RetentionConfig(max_per_source=100_000, max_age_days=3650)
    store.save_refresh(SourceState(articles[0].source_id), articles, retention, now)


def test_articles_the_save_drops_at_once_are_not_counted_or_filed(store: Store) -> None:
    """A feed's items older than max age are stored and trimmed by the same save: stories never
    look at them. (They were counted, marked observed for good, and fingerprinted again on every
    change of the feed.)"""
    texts = [("Bridge approved after long fight", BODY), ("Ferry timetable changes", BODY[1:])]
    old = _articles("a", texts, NOW - timedelta(days=400))
    retention = RetentionConfig(max_age_days=30, keep_newest=0)
    assert store.save_refresh(SourceState("a"), old, retention, NOW, unfiled=True).unfiled == set()
    assert store.unfiled([a.id for a in old]) == set()
    assert join_stories(store, old, 7.0, NOW) == 0
    counted = store.observe_paragraphs("a", {"a-0": ["0123456789"]}, 120, 2, 120)
    assert counted == (set(), frozenset(), None)
    assert store.redis.hlen("agg:stories:observed") == 0
    assert store.redis.hlen("agg:stories:fp") == 0
    assert store.redis.zcard("agg:boiler:a") == 0


def test_paragraphs_are_counted_in_bounded_runs_and_at_an_articles_ends(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """500 articles of 1,500 short lines, counted in one script run, held Redis 5.9 s (a
    review): an article's paragraphs at either end are counted, in runs of a bounded size,
    with the same outcome as one run."""
    many = [f"{n:010x}" for n in range(1_000)]
    ends = boilerplate.COUNTED_AT_EACH_END
    assert boilerplate.counted(many + many[:5]) == many[:ends] + many[-ends:]
    assert boilerplate.counted(many[:9] + many[:3]) == many[:9]
    ids = [f"a-{n}" for n in range(5)]
    for article_id in ids:
        store.redis.set(f"agg:article:{article_id}", "stored")
    hashes = {i: [f"{n:010x}", "f" * 10] for n, i in enumerate(ids)}  # one shared paragraph
    calls = []
    observe = store._observe_paragraphs
    monkeypatch.setattr(store, "_observe_paragraphs", lambda **kw: calls.append(1) or observe(**kw))
    monkeypatch.setattr(store_module, "OBSERVED_PER_SCRIPT", 4)
    assert store.observe_paragraphs("a", hashes, 120, 2, 120)[:2] == (set(ids), {"f" * 10})
    assert len(calls) == 3  # (two articles a run)
    assert store.redis.zscore("agg:boiler:a", "f" * 10) == 5


def test_the_counting_reads_the_learned_junk_it_leaves(store: Store) -> None:
    """With `learned_at`, the counting script answers what `boilerplate` would right after it;
    without, nothing is read."""
    ids = [f"a-{n}" for n in range(6)]
    for article_id in ids:
        store.redis.set(f"agg:article:{article_id}", "stored")
    hashes = {i: ["f" * 10, f"{n:010x}"] for n, i in enumerate(ids)}
    store.redis.zadd("agg:boiler:a", {"e" * 10: 5, "d" * 10: 4})
    observed = store.observe_paragraphs("a", dict(list(hashes.items())[:3]), 120, 2, 120, 5)
    assert observed.learned == store.boilerplate("a", 5) == {"e" * 10}
    observed = store.observe_paragraphs("a", dict(list(hashes.items())[3:]), 120, 2, 120, 5)
    assert observed.learned == store.boilerplate("a", 5) == {"e" * 10, "f" * 10}
    assert observed.known == store.boilerplate("a", 2)
    assert store.observe_paragraphs("a", {}, 120, 2, 120).learned is None


def test_a_sources_paragraph_evidence_stays_small_after_a_large_refresh(store: Store) -> None:
    """30 new articles of 13 paragraphs: 390 hashes counted, the 120 kept in the compact form
    (a sorted set past 128 members does not go back to it by itself: ~12 KB a source, not ~1.5)."""
    rng = random.Random(3)
    ids = [f"a-{n}" for n in range(30)]
    for article_id in ids:
        store.redis.set(f"agg:article:{article_id}", "stored")
    hashes = {i: [f"{rng.randrange(16**10):010x}" for _ in range(13)] for i in ids}
    hashes["a-1"][0] = hashes["a-0"][0]  # one paragraph in two articles: boilerplate
    new, known, _ = store.observe_paragraphs("a", hashes, 120, 2, 120)
    assert (new, known) == (set(ids), {hashes["a-0"][0]})
    kept = store.redis.zrange("agg:boiler:a", 0, -1, withscores=True)
    singles = sorted({h for hs in hashes.values() for h in hs} - known, reverse=True)
    assert sorted(kept, key=lambda m: (-m[1], m[0].decode())) == [
        (hashes["a-0"][0].encode(), 2.0),
        *sorted(((h.encode(), 1.0) for h in singles[:119]), key=lambda m: m[0]),
    ]
    assert store.redis.object("encoding", "agg:boiler:a") == b"listpack"


def test_the_save_tells_which_articles_are_not_filed_yet(store: Store) -> None:
    """What `unfiled` answers, told by the save itself (one round trip less a refresh), for the
    articles it stored now and those it had stored before."""
    first = _articles("a", [("Bridge approved after long fight", BODY)], NOW)
    retention = RetentionConfig(max_per_source=100_000, max_age_days=3650)
    assert store.save_refresh(SourceState("a"), first, retention, NOW).unfiled is None
    assert join_stories(store, first, 7.0, NOW) == 0  # filed
    both = [*first, *_articles("a", [("Ferry timetable changes", OTHER)], NOW)[:1]]
    both[1] = replace(both[1], id="a-1")
    saved = store.save_refresh(SourceState("a"), both, retention, NOW, unfiled=True)
    assert saved.unfiled == {"a-1"} == store.unfiled(["a-0", "a-1"])
    assert (saved.added, saved.updated) == (1, 0)


def test_the_save_counts_the_paragraphs_when_it_leaves_every_article_unfiled(
    store: Store,
) -> None:
    """With `counting`, a save whose articles all come back stored and not filed counts their
    paragraphs as `observe_paragraphs` would right after it, in the same script (a round trip
    less a new feed). One of them filed already, and it counts nothing: the refresh counts the
    others with their own evidence (a batch's evidence depends on what else it holds)."""
    retention = RetentionConfig(max_per_source=100_000, max_age_days=3650)
    texts = [("Bridge approved after long fight", BODY), ("Ferry timetable changes", BODY[1:])]
    texts.append(("Harbour dredging starts", BODY[2:]))

    def evidence(source: str) -> dict[str, list[str]]:
        return {f"{source}-{n}": ["f" * 10, f"{n:010x}"] for n in range(len(texts))}

    store.redis.config_resetstat()
    saved = store.save_refresh(
        SourceState("a"),
        _articles("a", texts, NOW),
        retention,
        NOW,
        unfiled=True,
        counting=lambda: store_module.Counting(evidence("a"), 120, 2, 120, 2),
    )
    # Which are filed is read by the save (a command for them all, and whether each is stored);
    # its counting is told, not asking again (two commands an article of a new feed, a few
    # microseconds each).
    stats = store.redis.info("commandstats")
    assert "cmdstat_hexists" not in stats
    assert stats["cmdstat_exists"]["calls"] == 3
    store.save_refresh(SourceState("b"), _articles("b", texts, NOW), retention, NOW, unfiled=True)
    store.redis.config_resetstat()
    observed = store.observe_paragraphs("b", evidence("b"), 120, 2, 120, 2)
    stats = store.redis.info("commandstats")  # (on its own: which are filed, in one command)
    assert "cmdstat_hexists" not in stats
    assert stats["cmdstat_hmget"]["calls"] == 2  # (and which were counted, in another)
    assert observed.known == observed.learned == {"f" * 10}
    assert saved.observed == ({"a-0", "a-1", "a-2"}, observed.known, observed.learned)
    assert store.redis.zrange("agg:boiler:a", 0, -1, withscores=True) == store.redis.zrange(
        "agg:boiler:b", 0, -1, withscores=True
    )
    counts = store.redis.zrange("agg:boiler:a", 0, -1, withscores=True)
    store.observe_paragraphs("a", evidence("a"), 120, 2, 120)  # (a retried refresh's)
    assert store.redis.zrange("agg:boiler:a", 0, -1, withscores=True) == counts  # counted once

    first = _articles("c", texts[:1], NOW)
    store.save_refresh(SourceState("c"), first, retention, NOW)
    assert join_stories(store, first, 7.0, NOW) == 0  # filed, its paragraphs counted
    held = store.redis.zrange("agg:boiler:c", 0, -1, withscores=True)
    made: list[int] = []

    def counting() -> store_module.Counting:
        made.append(1)
        return store_module.Counting(evidence("c"), 120, 2, 120, 2)

    for unfiled in (True, False):
        saved = store.save_refresh(
            SourceState("c"),
            _articles("c", texts, NOW),
            retention,
            NOW,
            unfiled=unfiled,
            counting=counting,
        )
        assert saved.observed is None
    assert made == []  # (c-0 is stored: the save's read tells it; not made for nothing)
    counting_anyway = store.save_refresh(
        SourceState("c"),
        _articles("c", texts, NOW),
        retention,
        NOW,
        unfiled=True,
        first=True,
        counting=counting,
    )
    assert (counting_anyway.observed, made) == (None, [1])  # (not read first: made, not counted)
    assert store.redis.zrange("agg:boiler:c", 0, -1, withscores=True) == held
    assert store.observe_paragraphs("c", evidence("c"), 120, 2, 120).fresh == {"c-1", "c-2"}


def test_a_fault_preparing_the_saves_counting_does_not_lose_the_save(store: Store) -> None:
    """The counting a save may make (`counting`) is prepared from the articles' bodies before
    the save: a fault there must not keep the articles from being stored (it is a round trip
    saved; the refresh counts after the save then, and meets the fault with them stored)."""
    retention = RetentionConfig(max_per_source=100_000, max_age_days=3650)

    def counting() -> store_module.Counting:
        raise ValueError("a body no one could read")

    for first, source in ((True, "new"), (False, "read first")):
        saved = store.save_refresh(
            SourceState(source),
            _articles(source, [("Bridge approved after long fight", BODY)], NOW),
            retention,
            NOW,
            unfiled=True,
            first=first,
            counting=counting,
        )
        assert (saved.added, saved.observed, saved.unfiled) == (1, None, {f"{source}-0"})


@pytest.mark.parametrize("start", ["empty", "too large", "not compact"])
def test_the_paragraph_evidence_keeps_the_most_counted_hashes_ties_to_the_greatest(
    store: Store, start: str
) -> None:
    """Refresh after refresh, the evidence is what counting every hash and keeping the highest
    counts (among equal counts the greatest hashes) gives, the counts halved each time the
    articles counted pass a multiple of the half-life: a model in a few lines. Small batches
    change a few members, large ones and halvings write the set again; one left too large or out
    of the compact encoding (by older code) is written again at its first overflow."""
    rng = random.Random(11)
    pool = [f"{rng.randrange(16**10):010x}" for _ in range(50)] + ["00000000ff", "0000000100"]
    model: dict[str, int] = {}
    if start != "empty":
        size = 200 if start == "too large" else 20
        model = {f"{rng.randrange(16**10):010x}": rng.randrange(1, 4) for _ in range(size)}
        filler = {f"f{n:09x}": 1 for n in range(130)}  # past 128 members: not compact for good
        store.redis.zadd("agg:boiler:a", {**filler, **model})
        store.redis.zrem("agg:boiler:a", *filler)
        assert store.redis.object("encoding", "agg:boiler:a") == b"skiplist"
    half_life, counted = 40, 0
    for refresh in range(60):
        ids = [f"r{refresh}-{n}" for n in range(rng.randrange(1, 6))]
        halvings = (counted + len(ids)) // half_life - counted // half_life
        counted += len(ids)
        model = {h: n >> halvings for h, n in model.items() if n >> halvings}
        for article_id in ids:
            store.redis.set(f"agg:article:{article_id}", "stored")
        # Some of the lowest members too: they move up, and the next lowest must go instead.
        lowest = sorted(model, key=lambda h: (model[h], h))[: rng.randrange(0, 12)]
        hashes = {i: rng.sample(pool, rng.randrange(1, 8)) for i in ids}
        hashes[ids[0]] = list(dict.fromkeys([*hashes[ids[0]], *lowest]))
        for found in hashes.values():
            for h in found:
                model[h] = model.get(h, 0) + 1
        if len(model) > 20:
            model = dict(sorted(model.items(), key=lambda kv: (kv[1], kv[0]))[-20:])
        new, known, _ = store.observe_paragraphs("a", hashes, 20, 3, half_life)
        assert new == set(ids)
        assert known == {h for h, count in model.items() if count >= 3}
        kept = store.redis.zrange("agg:boiler:a", 0, -1, withscores=True)
        assert {m.decode(): int(score) for m, score in kept} == model
        assert store.redis.object("encoding", "agg:boiler:a") == b"listpack"


def test_a_full_evidence_still_learns_a_template_the_source_adopts_later(store: Store) -> None:
    """Paragraphs two old articles shared fill the evidence at count 2; a template adopted since
    counts 1 in each new article and went first at every overflow, for good. Halved every
    half-life, the old counts fade and the template is learned."""
    old = {f"{n + 1:010x}": 2 for n in range(20)}
    store.redis.zadd("agg:boiler:a", old)
    template = "0000000000"  # the smallest hash: a tie with an old count goes against it
    counted = 0

    def refresh(n: int) -> frozenset[str]:
        nonlocal counted
        ids = [f"a-{counted + k}" for k in range(n)]
        counted += n
        for article_id in ids:
            store.redis.set(f"agg:article:{article_id}", "stored")
        return store.observe_paragraphs("a", {i: [template] for i in ids}, 20, 2, 20)[1]

    for _ in range(19):
        assert template not in refresh(1)  # counted once, and the first to go
    assert store.redis.zscore("agg:boiler:a", template) is None
    refresh(1)  # the 20th article counted: the old counts halve to 1
    assert {
        int(score) for _, score in store.redis.zrange("agg:boiler:a", 0, -1, withscores=True)
    } == {1}
    assert template in refresh(2)  # two more articles carry it: it outweighs them now
    assert store.redis.zcard("agg:boiler:a") == 20
    assert store.redis.get("agg:boiler-n:a") == b"22"


def test_evidence_of_an_earlier_layout_is_dropped_once(store: Store) -> None:
    """Hashes made before traditional Chinese was folded would keep their counts while the same
    footers counted again from 1 under new hashes, evicted first for ~160 articles."""
    store.redis.zadd("agg:boiler:a", {"0123456789": 400})
    store.redis.set("agg:boiler-n:a", 800)
    store.redis.set("agg:boilerplate-other", "kept")  # not evidence: another key
    assert store.drop_old_paragraph_evidence() == 2
    assert store.redis.exists("agg:boiler:a", "agg:boiler-n:a") == 0
    assert store.redis.get("agg:boilerplate-other") == b"kept"
    store.redis.zadd("agg:boiler:a", {"9876543210": 3})  # learned under this layout
    assert store.drop_old_paragraph_evidence() == 0
    assert store.redis.zcard("agg:boiler:a") == 1


def test_a_decision_made_before_another_worker_filed_is_made_again(store: Store) -> None:
    """The race, step by step: a worker decided on what it read before another filed a copy.

    (An article no filed one resembles is filed by the look itself, atomically; a decision made
    on candidates is filed in a later round trip, and another worker can file in between.)"""
    a = _articles("a", [("Bridge approved after long fight", BODY)], NOW)
    b = _articles(
        "b", [("Bridge approved after long fight - X", [*BODY, "Scan the QR code."])], NOW
    )
    _save(store, a, NOW)
    _save(store, b, NOW)
    fp_a = stories.fingerprint(a[0].title, BODY)
    fp_b = stories.fingerprint(b[0].title, [*BODY, "Scan the QR code."])
    # The second decided on the (empty) index ...
    stale = stories.plan([("b-0", "b", NOW.timestamp(), fp_b)], {}, 0.0, NOW.timestamp())
    # ... then the first files ...
    assert store.file_stories([("a-0", "a", NOW.timestamp(), fp_a)], NOW) == ({}, 1)
    # ... and the second's filing is refused with what it missed, so it decides again.
    joined, missed = store.join_stories(stale, NOW, read=0)
    assert (joined, [m.article_id for m in missed]) == (0, ["a-0"])
    again = stories.plan(
        [("b-0", "b", NOW.timestamp(), fp_b)], {"b-0": missed}, 0.0, NOW.timestamp()
    )
    assert store.join_stories(again, NOW, read=0) == (0, missed)  # still unknown to it
    assert store.join_stories(again, NOW, read=0, known={"a-0"}) == (1, [])
    found = store.stories_of(["a-0", "b-0"])
    assert found["a-0"] == found["b-0"]
    assert found["a-0"].size == 2


def test_the_look_reads_which_are_filed_in_one_command_and_writes_their_records_in_one(
    store: Store,
) -> None:
    """The look asks which of a batch are filed already in one command, not one an article, and
    writes the records of those it files in one (each command a few microseconds of the
    server's). An article it files is found by the later ones of its batch as before, one listed
    twice is filed once, and one filed before is left as it was."""
    rng = random.Random(4)
    words = [f"{a}{b}" for a in ("ka", "lo", "mi", "nu", "pe", "ro") for b in "aeiouy"]
    texts = [
        (f"Report {n}", [" ".join(rng.choice(words) for _ in range(60)) for _ in range(3)])
        for n in range(6)
    ]
    articles = _articles("a", texts, NOW)
    _save(store, articles, NOW)
    prints = {
        a.id: stories.fingerprint(a.title, p) for a, (_, p) in zip(articles, texts, strict=True)
    }
    new = [(a.id, "a", NOW.timestamp(), prints[a.id]) for a in articles]
    assert store.file_stories(new[:1], NOW) == ({}, 1)
    before = store.redis.hget("agg:stories:fp", "a-0")
    store.redis.config_resetstat()
    copy = ("a-3", "a", NOW.timestamp(), prints["a-3"])  # (the same article again: filed once)
    candidates, last = store.file_stories([*new, copy], NOW)
    stats = store.redis.info("commandstats")
    assert "cmdstat_hexists" not in stats
    assert stats["cmdstat_hmget"]["calls"] == 1
    handles_and_tokens = sum(1 + len(stories.filed_tokens(fp)) for *_, fp in new[1:])
    assert stats["cmdstat_hset"]["calls"] == handles_and_tokens + 1  # (+ the records, at once)
    assert (candidates, last) == ({}, 1 + len(new) + 1)
    assert store.redis.hget("agg:stories:fp", "a-0") == before
    assert store.unfiled([a.id for a in articles]) == set()
    records = store.redis.hgetall("agg:stories:fp")
    assert len(records) == len(articles)
    assert [r.split(b"\t")[4] for k, r in sorted(records.items())] == [
        b"1",
        *(str(n).encode() for n in range(3, 3 + len(articles) - 1)),
    ]


def test_a_copy_of_an_article_waiting_for_its_decision_waits_with_it(store: Store) -> None:
    """The look files at once an article no filed one resembles; one resembling an article of
    its own batch that waits for a decision (it has candidates) must wait too, or the two start
    two stories."""
    x = _articles("a", [("Weekly update", OTHER)], NOW - timedelta(hours=1))
    _save(store, x, NOW)
    assert join_stories(store, x, 7.0, NOW) == 0
    # The first shares only a generic title with x: a candidate, not the same story. The second
    # is the first under another title, each paragraph signed (not a paragraph the source
    # repeats, which would be boilerplate): it shares nothing filed.
    signed = [f"{p} (Harbour Herald)" for p in BODY]
    batch = _articles(
        "b", [("Weekly update", BODY), ("Bridge approved after long fight", signed)], NOW
    )
    _save(store, batch, NOW)
    assert join_stories(store, batch, 7.0, NOW) == 1
    found = store.stories_of(["a-0", "b-0", "b-1"])
    assert found["b-0"] == found["b-1"] != found["a-0"]
    assert found["b-0"].size == 2


@pytest.mark.timeout(240)
def test_workers_storing_copies_at_once_end_in_one_story(
    store: Store, feed_server: FeedServer, redis_url: str
) -> None:
    sources = 8
    urls = {}
    for n in range(sources):
        title = f"Bridge approved after long fight - Portal {n}"
        item = (f"c{n}", title, [*BODY, f"Portal {n}: join our WeChat group!"], ORIGINAL[3])
        urls[f"s{n}"] = feed_server.add(f"/race/{n}.xml", rss([item]))
    config = make_config(urls, batch_size=1, concurrency=1)
    scheduler.publish(store, config)
    queue = Queue(scheduler.QUEUE_NAME, connection=store.redis)
    workers = [start_worker(redis_url), start_worker(redis_url)]
    try:
        # Every source in its own job.
        tick_until_fetched(store, queue, config, list(urls), 120, "sources were not refreshed")
    finally:
        for w in workers:
            os.killpg(w.pid, signal.SIGKILL)
            w.wait(10)
    ids = [store.source_articles(s, 1)[0].id for s in urls]
    found = store.stories_of(ids)
    assert len({s.id for s in found.values()}) == 1
    assert next(iter(found.values())).size == sources


def _random_text(rng: random.Random, words: list[str]) -> tuple[str, list[str]]:
    paras = [" ".join(rng.choice(words) for _ in range(40)) for _ in range(3)]
    return " ".join(rng.choice(words) for _ in range(6)), paras


def _commands(redis: Redis) -> dict[str, int]:
    """Calls per command so far, leaving out the INFO that reads them."""
    stats = redis.info("commandstats")
    calls = {k.removeprefix("cmdstat_"): int(v["calls"]) for k, v in stats.items()}
    return {k: v for k, v in calls.items() if k != "info"}


@pytest.mark.timeout(300)
def test_clustering_in_a_10000_article_window_takes_a_fixed_number_of_round_trips(
    store: Store,
) -> None:
    rng = random.Random(7)
    words = [f"w{n}" for n in range(5000)]
    for s in range(20):  # 10,000 articles from 20 sources, filed in their stories
        batch = _articles(f"bulk{s}", [_random_text(rng, words) for _ in range(500)], NOW)
        _save(store, batch, NOW)
        join_stories(store, batch, 7.0, NOW)
    assert store.redis.hlen("agg:stories:fp") == 10_000

    # One more refresh of 20 articles, half of them copies of filed ones.
    texts = [_random_text(rng, words) for _ in range(10)]
    copies = [
        (t + " - Portal", [*p, "Scan the QR code!"])
        for t, p in [
            (a.title, [p.strip() for p in a.content.replace("</p>", "").split("<p>") if p])
            for a in store.source_articles("bulk3", 10)
        ]
    ]
    batch = _articles("late", texts + copies, NOW + timedelta(hours=1))
    _save(store, batch, NOW + timedelta(hours=1))
    before = _commands(store.redis)
    joined = join_stories(store, batch, 7.0, NOW + timedelta(hours=1))
    after = _commands(store.redis)
    delta = {k: after[k] - before.get(k, 0) for k in after if after[k] != before.get(k, 0)}
    assert joined == 10
    # Round trips: four scripts for the whole batch (every other command counted here ran
    # inside them) ...
    # (A script's first call is refused, loaded and made again: not a round trip of its own.)
    assert delta["evalsha"] - delta.get("script|load", 0) == 4, delta
    assert "eval" not in delta, delta
    # ... three when no article has a candidate (they are filed by the look) ...
    alone = _articles("alone", [_random_text(rng, words) for _ in range(20)], NOW)
    _save(store, alone, NOW)
    before = _commands(store.redis)
    assert join_stories(store, alone, 7.0, NOW) == 0
    after = _commands(store.redis)
    assert after["evalsha"] - before["evalsha"] == 3
    assert store.redis.hlen("agg:stories:fp") == 10_040
    # ... and a refresh of articles filed already costs the first alone: one look for them all.
    before = _commands(store.redis)
    assert join_stories(store, batch, 7.0, NOW + timedelta(hours=1)) == 0
    after = _commands(store.redis)
    assert {k: after[k] - before.get(k, 0) for k in after if after[k] != before.get(k, 0)} == {
        "evalsha": 1,
        "hmget": 1,
    }
    # ... and the work inside them is bounded per article, whatever the window's size.
    assert sum(delta.values()) <= 20 * 80, delta


def test_a_source_taken_out_of_the_config_leaves_the_feeds_with_its_data(
    store: Store, feed_server: FeedServer
) -> None:
    a = feed_server.add("/a.xml", rss([ORIGINAL, ("o2", "Card outage", OTHER, ORIGINAL[3])]))
    b = feed_server.add("/b.xml", rss([COPY]))
    urls = {"a": a, "b": b}
    scheduler.publish(store, make_config(urls), now=NOW.timestamp())
    refresh_all(store, urls)
    original, copy = article(store, "a", "o1"), article(store, "b", "c1")
    assert store.stories_of([original.id])[original.id].size == 2
    version = store.category_version("news")

    scheduler.publish(store, make_config({"a": a}), now=NOW.timestamp() + 60)  # b removed

    shown = [x.id for x in store.category_page("news", 50)[0]]
    assert copy.id not in shown
    assert original.id in shown
    assert copy.id not in [x.id for x in store.category_page(None, 50)[0]]
    assert store.article(copy.id) is None
    assert store.category_version("news") > version  # cached feeds are rendered again
    # The story keeps its other copy, and nothing of b is left.
    assert store.stories_of([original.id])[original.id].size == 1
    assert store.get_state("b").last_fetch is None
    left = [k for k in store.redis.scan_iter(match="agg:*") if k.decode().endswith(":b")]
    assert left == []
    # A source renamed is the same: the old id goes, the new one fetches what its feed lists.
    scheduler.publish(store, make_config({"a2": a}), now=NOW.timestamp() + 120)
    assert store.source_articles("a", 10) == []
    assert store.category_page("news", 50)[0] == []


def test_what_a_refresh_under_way_saves_after_its_source_went_is_purged_again(
    store: Store, feed_server: FeedServer
) -> None:
    a = feed_server.add("/a.xml", rss([ORIGINAL]))
    b = feed_server.add("/b.xml", rss([COPY]))
    old = make_config({"a": a, "b": b})
    scheduler.publish(store, old, now=NOW.timestamp())
    new = make_config({"a": a})
    scheduler.publish(store, new, now=NOW.timestamp() + 1)  # b removed, while ...
    refresh_all(store, {"a": a, "b": b})  # ... a worker still refreshed it with the old config
    assert store.source_articles("b", 10)
    scheduler.age_out(store, new, NOW)  # the scheduler's hourly sweep
    assert store.source_articles("b", 10) == []
    assert [x.title for x in store.category_page("news", 10)[0]] == [ORIGINAL[1]]


def test_purging_many_removed_sources_is_spread_over_the_ticks(
    store: Store, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # ~0.2 ms an article: a publish removing 1,000 sources of 500 articles held the scheduler's
    # loop ~100 s (a review). A publish purges for PURGE_SECONDS, each tick for a little more.
    urls = {
        f"s{i}": feed_server.add(f"/s{i}.xml", rss([(f"g{i}", f"T {i}", OTHER, DATE_LATER)]))
        for i in range(3)
    }
    scheduler.publish(store, make_config(urls), now=NOW.timestamp())
    refresh_all(store, urls)
    monkeypatch.setattr(scheduler, "PURGE_SECONDS", 0.0)
    scheduler.publish(store, make_config({}), now=NOW.timestamp() + 1)
    assert len(store.sources_to_purge()) == 2  # one purged, two to do
    assert scheduler.purge_removed(store, set(), 0.0) > 0
    assert scheduler.purge_removed(store, set(), 0.0) > 0
    assert store.sources_to_purge() == set()
    assert store.category_page("news", 10)[0] == []


def _summary_copy(guid: str, title: str) -> tuple[str, str, list[str], str]:
    summary = " ".join(BODY)[:150].rsplit(" ", 1)[0] + "…"
    return (guid, title, [summary], "Mon, 23 Nov 2026 10:00:00 GMT")


def test_a_summary_under_a_headline_of_its_own_joins_and_old_records_still_join(
    store: Store, feed_server: FeedServer
) -> None:
    """A portal's summary of the article under its own headline joins its story (session 48);
    a fingerprint filed before its characters were kept (session 48's record) is read, joined by
    copies as before and trimmed whole."""
    urls = {
        "a": feed_server.add("/a.xml", rss([ORIGINAL])),
        "b": feed_server.add("/b.xml", rss([_summary_copy("s1", "Riverside crossing wins vote")])),
    }
    refresh_all(store, urls)
    original, copy = article(store, "a", "o1"), article(store, "b", "s1")
    found = store.stories_of([original.id, copy.id])
    assert found[original.id] == found[copy.id]
    assert found[copy.id].size == 2
    # The original's record as the previous release wrote it.
    record = store.redis.hget("agg:stories:fp", original.id)
    assert record is not None
    # (Session 48's: its start, then 16 bytes of hashes no longer kept, in place of characters.)
    store.redis.hset("agg:stories:fp", original.id, record[:-73] + bytes(range(1, 17)))
    urls["c"] = feed_server.add("/c.xml", rss([_summary_copy("s2", ORIGINAL[1] + " | Wire")]))
    urls["d"] = feed_server.add("/d.xml", rss([_summary_copy("s3", "What the vote means")]))
    refresh_all(store, urls)
    retitled = article(store, "d", "s3").id
    found = store.stories_of([original.id, article(store, "c", "s2").id, retitled])
    assert found[original.id] == found[article(store, "c", "s2").id]
    assert found[original.id].size == 3  # under its title, as before
    # Under a headline of its own, a summary joins only an article filed with its characters
    # (the old record has none: README "Upgrading").
    assert found[retitled].size == 1
    trim_to_a_newer_article(store, feed_server, "a", 1)
    assert original.id not in indexed_articles(store).values()


def test_a_filing_under_a_lease_claimed_again_since_files_its_articles_but_writes_no_state(
    store: Store,
) -> None:
    """A worker stopped past its lease between its save and its filing (the save passed the
    lease check): its articles, stored, are filed; its state does not go over a newer one."""
    a = _articles("a", [("Bridge approved after long fight", BODY)], NOW)
    _save(store, a, NOW)
    fp_a = stories.fingerprint(a[0].title, BODY)
    stale = store.take_leases(["a"], NOW.timestamp() + 90)["a"]
    newer = store.take_leases(["a"], NOW.timestamp() + 90)["a"]
    store.save_state(SourceState("a", etag='"newer"'), lease=newer)
    state = SourceState("a", etag='"stale"')
    new = [("a-0", "a", NOW.timestamp(), fp_a)]
    assert store.file_stories(new, NOW, state, lease=stale) == ({}, 1)
    assert store.unfiled(["a-0"]) == set()
    assert store.get_state("a").etag == '"newer"'
    join = stories.plan(new, {}, 0.0, NOW.timestamp())
    assert store.join_stories(join, NOW, force=True, state=state, lease=stale)[0] == 0
    assert store.get_state("a").etag == '"newer"'
    assert store.join_stories(join, NOW, force=True, state=state, lease=newer)[0] == 0
    assert store.get_state("a").etag == '"stale"'  # (the token was its own: written)


def test_a_short_chinese_summary_under_its_own_headline_joins_through_the_store(
    store: Store, feed_server: FeedServer
) -> None:
    """A Chinese portal's 80-character summary under a headline of its own is found by the
    store (its first 48 characters' bucket) and joins the article (session 49); another
    launch's summary, alike for its first 55 characters, does not."""
    text = (
        "12月7日10时20分，我国在酒泉卫星发射中心使用长征二号丁运载火箭，成功将遥感四十五号卫星"
        "发射升空，卫星顺利进入预定轨道，发射任务获得圆满成功。该卫星主要用于科学试验、国土资源普查、"
        "农作物估产及防灾减灾等领域。这次任务是长征系列运载火箭的第560次飞行。"
    )
    other = text.replace("遥感四十五号卫星", "天链二号04星")
    when = "Mon, 23 Nov 2026 09:00:00 GMT"
    urls = {
        "a": feed_server.add("/a.xml", rss([("o1", "遥感四十五号卫星发射成功", [text], when)])),
        "b": feed_server.add("/b.xml", rss([("s1", "又一颗卫星上天", [text[:80] + "……"], when)])),
        "c": feed_server.add(
            "/c.xml", rss([("s2", "中继卫星家族添新成员", [other[:62] + "…"], when)])
        ),
    }
    refresh_all(store, urls)
    ids = [article(store, key, guid).id for key, guid in (("a", "o1"), ("b", "s1"), ("c", "s2"))]
    found = store.stories_of(ids)
    assert found[ids[0]] == found[ids[1]]
    assert found[ids[0]].size == 2
    assert found[ids[2]].size == 1
