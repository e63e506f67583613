"""Learned junk: a paragraph a source repeats in its articles leaves their content, end to end.

Through the real refresh (loopback feed, real Valkey): the evidence is counted as articles are
filed in stories (aggregator/boilerplate.py), and the next parse of the feed strips it.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime

from aggregator import junk
from aggregator.boilerplate import paragraph_hash
from aggregator.fetch import Fetcher
from aggregator.models import Article
from aggregator.refresh import refresh_source
from aggregator.store import Store
from tests.support.feed_server import FeedServer
from tests.support.pipeline import make_config
from tests.test_stories_store import rss

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
FOOTER = "Join the Harbour Weekly newsletter for the stories that matter to you."
BODIES = [
    "The harbour authority approved a new ferry line to the islands, running from March.",
    "A local bakery won the national bread prize with a rye loaf baked in a wood oven.",
    "Students of the technical school built a solar boat that crossed the bay in an hour.",
    "The old lighthouse reopens to visitors after two years of repairs to its stairs.",
]


def _item(n: int) -> tuple[str, str, list[str], str]:
    return (f"g{n}", f"Harbour news {n}", [BODIES[n], FOOTER], f"Mon, 2{n} Nov 2026 09:00:00 GMT")


def _refresh(store: Store, feed_server: FeedServer, count: int) -> dict[str, Article]:
    url = feed_server.add("/harbour.xml", rss([_item(n) for n in range(count)]))
    config = make_config({"harbour": url})
    with Fetcher(config.fetch, "aggregator-test/1") as fetcher:
        refresh_source(config.sources[0], config, store, fetcher, now=NOW, rng=random.Random(1))
    return {a.guid: a for a in store.source_articles("harbour", 10)}


def test_a_repeated_footer_leaves_the_third_article_and_then_the_first_ones(
    store: Store, feed_server: FeedServer
) -> None:
    first = _refresh(store, feed_server, 1)
    assert FOOTER in first["g0"].content  # one article is no evidence
    second = _refresh(store, feed_server, 2)
    assert FOOTER in second["g1"].content  # counted after this refresh: seen in two articles now
    third = _refresh(store, feed_server, 3)
    for guid in ("g0", "g1", "g2"):  # the third article, and the first two on their next update
        assert FOOTER not in third[guid].content, guid
        assert BODIES[int(guid[1])] in third[guid].content, guid


def test_learned_junk_never_takes_an_articles_only_text_nor_a_long_paragraph() -> None:
    known = frozenset({paragraph_hash(FOOTER)})
    assert junk.strip_learned(f"<p>{FOOTER}</p>", known) == f"<p>{FOOTER}</p>"
    assert junk.strip_learned(f"<p>{BODIES[0]}</p><p>{FOOTER}</p>", known) == f"<p>{BODIES[0]}</p>"
    long = " ".join(BODIES * 3)  # over LEARNED_MAX_CHARS: a shared quote, not a footer
    html = f"<p>{BODIES[1]}</p><p>{long}</p>"
    assert junk.strip_learned(html, frozenset({paragraph_hash(long)})) == html
    assert junk.strip_learned(html, frozenset()) == html
