"""One source refreshed end to end: real loopback HTTP, real parsing, real Valkey."""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import random
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import redis

from aggregator import normalize as normalize_module
from aggregator import parse as parse_module
from aggregator import refresh as refresh_module
from aggregator.config import RetentionConfig
from aggregator.errors import join_warnings
from aggregator.fetch import Fetcher
from aggregator.models import Article, FetchResult, Outcome, SourceState
from aggregator.normalize import normalize
from aggregator.refresh import _after_fetch, _without_comments, body_fingerprint, refresh_source
from aggregator.store import Store
from tests.support.corpus import CORPUS, requires_corpus
from tests.support.feed_server import FeedServer
from tests.support.pipeline import make_config
from workers import scheduler

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def rss(*items: tuple[str, str], build: str = "Mon, 23 Nov 2026 10:00:00 GMT") -> bytes:
    body = "".join(
        f"<item><guid>{guid}</guid><title>{title}</title><link>https://example.com/{guid}</link>"
        f"<pubDate>Mon, 23 Nov 2026 09:00:00 GMT</pubDate><description>About {title}</description>"
        "</item>"
        for guid, title in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>'
        f"<link>https://example.com/</link><lastBuildDate>{build}</lastBuildDate>{body}"
        "</channel></rss>"
    ).encode()


def refresh(store: Store, url: str, now: datetime = NOW, **fetch: object):  # type: ignore[no-untyped-def]
    config = make_config({"src": url}, **fetch)
    with Fetcher(config.fetch, "aggregator-test/1") as fetcher:
        return refresh_source(
            config.sources[0], config, store, fetcher, now=now, rng=random.Random(1)
        )


def refresh_cut_short_before_filing(
    store: Store, url: str, now: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A refresh that saves its articles, then loses Redis before filing them in stories (Redis
    going away is raised, not recorded: the worker waits for it, and the lease ends)."""

    def cut_short(*args: object, **kwargs: object) -> int:
        raise redis.exceptions.ConnectionError("Redis went away between the save and the stories")

    with monkeypatch.context() as patched:
        patched.setattr(refresh_module, "join_stories", cut_short)
        with pytest.raises(redis.exceptions.ConnectionError):
            refresh(store, url, now)


def test_first_refresh_stores_articles_and_schedules_next(
    store: Store, feed_server: FeedServer
) -> None:
    url = feed_server.add("/f.xml", rss(("a", "Alpha"), ("b", "Beta")), etag='"v1"')
    result = refresh(store, url)
    assert result.outcome is Outcome.OK
    assert (result.added, result.updated) == (2, 0)
    state = store.get_state("src")
    assert state.article_count == 2
    assert state.etag == '"v1"'
    assert state.next_due == NOW + timedelta(seconds=900)
    assert store.due_at("src") == pytest.approx(state.next_due.timestamp())
    titles = {a.title for a in store.source_articles("src", 10)}
    assert titles == {"Alpha", "Beta"}


def test_a_refresh_cleans_and_keeps_only_the_newest_entries_retention_keeps(
    store: Store, feed_server: FeedServer
) -> None:
    # 200,000 items were cleaned whole and saved in one script (Redis held 22 s) to be trimmed,
    # each trimmed one tombstoned for a year.
    hours = [3, 11, 0, 7, 5, 9, 1, 10, 2, 8, 6, 4]  # the feed's order is not the dates'
    items = "".join(
        f"<item><guid>https://example.com/g{h}</guid><title>Item {h}</title>"
        f"<pubDate>Mon, 23 Nov 2026 {h:02d}:00:00 GMT</pubDate></item>"
        for h in hours
    )
    url = feed_server.add(
        "/many.xml", f'<rss version="2.0"><channel><title>T</title>{items}</channel></rss>'.encode()
    )
    config = make_config({"src": url})
    config = replace(config, retention=replace(config.retention, max_per_source=5))
    with Fetcher(config.fetch, "aggregator-test/1") as fetcher:
        result = refresh_source(
            config.sources[0], config, store, fetcher, now=NOW, rng=random.Random(1)
        )
    assert result.outcome is Outcome.OK
    assert result.added == 5
    stored = sorted(a.title for a in store.source_articles("src", 100))
    assert stored == ["Item 10", "Item 11", "Item 7", "Item 8", "Item 9"]
    assert store.get_state("src").last_error == ""  # (retention's doing, not the feed's fault)
    ids = {h: normalize_module.article_id("src", f"guid:https://example.com/g{h}") for h in hours}
    assert {a.id for a in store.source_articles("src", 100)} == {ids[h] for h in (7, 8, 9, 10, 11)}
    assert store.tombstoned("src", list(ids.values()), NOW) == set()  # nothing stored to trim


def test_newest_keeps_the_feeds_order_and_counts_undated_and_future_entries_as_now() -> None:
    dated = [
        normalize_module.EntryData(
            guid=str(n), link=None, title=str(n), title_is_html=False, summary=None,
            summary_is_html=False, content=None, content_is_html=False, author=None,
            published=when, updated=None,
        )
        for n, when in enumerate(
            [NOW - timedelta(days=3), None, NOW - timedelta(days=1), NOW + timedelta(days=300),
             NOW - timedelta(hours=1)]
        )
    ]  # fmt: skip
    feed = normalize_module.ParsedFeed(
        title="T", link=None, language=None, ttl=None, hub=None, entries=tuple(dated),
        base_url="https://example.com/",
    )  # fmt: skip
    # The undated and the far-future one count as now (an events feed's farthest events are
    # not its newest), before the one an hour old; the feed's order is kept.
    kept = normalize_module.newest(feed, 3, NOW)
    assert [e.guid for e in kept.entries] == ["1", "3", "4"]
    assert normalize_module.newest(feed, 5, NOW) is feed


def test_an_error_quoting_what_the_source_sent_is_bounded(
    store: Store, feed_server: FeedServer
) -> None:
    # A 60 KB Location then a 500: the error quoted the whole URL, kept in 50 history records
    # and printed on the public /sources page (180,000 characters for a loop of two).
    feed_server.add("/target", b"", status=500)
    url = feed_server.redirect("/long", "/target?" + "a" * 60_000)
    assert refresh(store, url).outcome is Outcome.HTTP_ERROR
    error = store.get_state("src").last_error
    assert len(error) <= 1000
    assert "500" in error
    assert len(store.fetch_history("src", 1)[0].error) <= 1000


def test_warnings_are_joined_as_sentences_by_one_function() -> None:
    # refresh._warnings and parse._join_warnings joined the same warnings differently: one
    # kept "Read leniently...", the other made it "Read leniently." ("Is it?" became "Is it?.").
    assert join_warnings("Read leniently...", None, "", "Guessed") == "Read leniently... Guessed."
    assert join_warnings("Is it RSS?", "Cut off.", "Cut…") == "Is it RSS? Cut off. Cut…"
    assert join_warnings(None, "") is None
    assert parse_module._join_warnings is join_warnings
    assert not hasattr(refresh_module, "_warnings")


def test_a_warning_stays_while_the_document_it_is_about_does(
    store: Store, feed_server: FeedServer
) -> None:
    # It went at the next 304, though the feed was still the ill-formed one it was about.
    body = rss(("a", "AT&T")).replace(b"AT&amp;T", b"AT&T")  # a bare "&": read as "&"
    url = feed_server.add("/f.xml", body, etag='"v1"')
    assert refresh(store, url).outcome is Outcome.OK
    warning = store.get_state("src").last_error
    assert 'bare "&" (XML writes "&amp;")' in warning
    later = NOW + timedelta(hours=1)
    not_modified = refresh(store, url, later)
    assert not_modified.outcome is Outcome.NOT_MODIFIED
    assert store.get_state("src").last_error == warning
    # ... but it is the last read's: the 304's own line (its log line, `refresh --inline`'s,
    # its history line) says nothing of it, as if the 304 had been warned again.
    assert not_modified.error == ""
    assert store.fetch_history("src", 1)[0].error == ""
    feed_server.add("/f.xml", rss(("a", "ATT")), etag='"v2"')  # mended
    assert refresh(store, url, later + timedelta(hours=1)).outcome is Outcome.OK
    assert store.get_state("src").last_error == ""


def test_a_body_that_is_gzip_itself_inflates_no_further_than_the_fetch_cap(
    store: Store, feed_server: FeedServer
) -> None:
    # 256 KB on the wire to a fetcher capped at 1 MiB became a 32 MB document (parse's own
    # limit): 138 s and 355 MB of a worker.
    inner = rss(("a", "Alpha")).replace(
        b"</channel>", b"<!--" + b" " * 3_000_000 + b"--></channel>"
    )
    url = feed_server.add("/zipped.xml", gzip.compress(inner))  # no Content-Encoding: gzip
    result = refresh(store, url, max_body_bytes=1024 * 1024)
    assert result.outcome is Outcome.PARSE_ERROR
    assert "inflates to more than 1 MiB (fetch.max_body_bytes)" in store.get_state("src").last_error
    # Within the cap, such a body is read.
    small = feed_server.add("/small.xml", gzip.compress(rss(("b", "Beta"))))
    assert refresh(store, small, max_body_bytes=1024 * 1024).outcome is Outcome.OK


def test_a_warning_is_logged_as_a_warning_not_as_an_error(
    store: Store, feed_server: FeedServer, caplog: pytest.LogCaptureFixture
) -> None:
    # A log alert on a non-empty error= took every leniently read feed for a failing one.
    caplog.set_level(logging.INFO, logger="aggregator.refresh")
    body = rss(("a", "AT&T")).replace(b"AT&amp;T", b"AT&T")
    ok = refresh(store, feed_server.add("/f.xml", body))
    failed = refresh(store, feed_server.add("/g.xml", status=500))
    fields = [r.fields for r in caplog.records if r.getMessage() == "refresh"]  # type: ignore[attr-defined]
    assert [f["outcome"] for f in fields] == [ok.outcome.value, failed.outcome.value]
    assert "error" not in fields[0]
    assert 'bare "&"' in fields[0]["warning"]
    assert "warning" not in fields[1]
    assert "500" in fields[1]["error"]


def test_304_keeps_articles_and_sends_validators_byte_for_byte(
    store: Store, feed_server: FeedServer
) -> None:
    etag = 'W/"odd \\"quoted\\" tag"'
    url = feed_server.add("/f.xml", rss(("a", "Alpha")), etag=etag)
    refresh(store, url)
    result = refresh(store, url, NOW + timedelta(hours=1))
    assert result.outcome is Outcome.NOT_MODIFIED
    assert feed_server.requests("/f.xml")[-1].header("If-None-Match") == etag
    assert store.get_state("src").article_count == 1
    assert store.get_state("src").last_fetch == NOW + timedelta(hours=1)


def test_unchanged_body_without_validators_is_not_parsed_again(
    store: Store, feed_server: FeedServer
) -> None:
    url = feed_server.add("/f.xml", rss(("a", "Alpha")))
    refresh(store, url)
    # Only the channel's build date moved: the same content.
    feed_server.add("/f.xml", rss(("a", "Alpha"), build="Tue, 24 Nov 2026 10:00:00 GMT"))
    assert refresh(store, url, NOW + timedelta(hours=1)).outcome is Outcome.UNCHANGED


def test_a_feeds_ttl_holds_across_304s(store: Store, feed_server: FeedServer) -> None:
    """<ttl>120</ttl> asks for 2 h between polls; a 304 has no body to say it again."""
    body = rss(("a", "Alpha")).replace(b"<lastBuildDate>", b"<ttl>120</ttl><lastBuildDate>")
    url = feed_server.add("/f.xml", body, etag='"v1"')
    refresh(store, url)
    assert store.get_state("src").next_due == NOW + timedelta(hours=2)
    later = NOW + timedelta(hours=3)
    assert refresh(store, url, later).outcome is Outcome.NOT_MODIFIED
    assert store.get_state("src").next_due == later + timedelta(hours=2)


def test_a_json_feed_that_says_it_expired_is_read_at_the_longest_interval(
    store: Store, feed_server: FeedServer
) -> None:
    """JSON Feed's `"expired": true`: the feed will never update again. It was polled every
    15 minutes for ever; now at fetch.max_interval, with a warning saying why, until it drops
    the flag."""
    document = {"version": "https://jsonfeed.org/version/1.1", "title": "Done", "expired": True}
    document["items"] = [{"id": "1", "url": "https://j.example/1", "content_text": "Last one"}]
    url = feed_server.add("/f.json", json.dumps(document).encode(), etag='"v1"')
    assert refresh(store, url, max_interval=6 * 3600.0).outcome is Outcome.OK
    state = store.get_state("src")
    assert state.next_due == NOW + timedelta(hours=6)
    assert '"expired": true' in state.warning
    later = NOW + timedelta(hours=7)
    assert refresh(store, url, later, max_interval=6 * 3600.0).outcome is Outcome.NOT_MODIFIED
    assert store.get_state("src").next_due == later + timedelta(hours=6)
    del document["expired"]
    feed_server.add("/f.json", json.dumps(document).encode(), etag='"v2"')
    alive = NOW + timedelta(hours=14)
    refresh(store, url, alive, max_interval=6 * 3600.0)
    assert store.get_state("src").next_due == alive + timedelta(minutes=15)
    assert store.get_state("src").warning == ""


def test_an_edited_source_is_read_whole_again_though_its_feed_answers_304(
    store: Store, feed_server: FeedServer
) -> None:
    """A category added to a source must show its articles there at the next refresh: with the
    validators sent, the server answers 304 and nothing is read."""
    url = feed_server.add("/f.xml", rss(("a", "Alpha")), etag='"v1"')
    refresh(store, url)
    assert refresh(store, url, NOW + timedelta(hours=1)).outcome is Outcome.NOT_MODIFIED
    config = make_config({"src": url}, categories=("news", "culture"))
    with Fetcher(config.fetch, "aggregator-test/1") as fetcher:
        edited = refresh_source(
            config.sources[0], config, store, fetcher, now=NOW + timedelta(hours=2)
        )
        assert edited.outcome is Outcome.OK
        assert feed_server.requests("/f.xml")[-1].header("If-None-Match") is None
        articles, _ = store.category_page("culture", 10)
        assert [a.title for a in articles] == ["Alpha"]
        # Then conditional again.
        again = refresh_source(
            config.sources[0], config, store, fetcher, now=NOW + timedelta(hours=3)
        )
        assert again.outcome is Outcome.NOT_MODIFIED


def test_an_edit_of_how_often_or_how_much_a_source_counts_keeps_its_validators(
    store: Store, feed_server: FeedServer
) -> None:
    """A change of `[fetch] interval` fetched every source at once without its validators and
    cleaned every entry again (an operator's review): the interval, the weight and the networks
    a source may reach make nothing of its articles."""
    url = feed_server.add("/f.xml", rss(("a", "Alpha")), etag='"v1"')
    refresh(store, url)
    config = make_config({"src": url})
    source = replace(
        config.sources[0], interval=60.0, weight=2.5, allow_private_networks=("127.0.0.1",)
    )
    with Fetcher(config.fetch, "aggregator-test/1") as fetcher:
        edited = refresh_source(source, config, store, fetcher, now=NOW + timedelta(hours=1))
    assert edited.outcome is Outcome.NOT_MODIFIED
    assert feed_server.requests("/f.xml")[-1].header("If-None-Match") == '"v1"'


def test_a_state_saved_before_the_settings_hash_changed_is_still_unedited(
    store: Store, feed_server: FeedServer
) -> None:
    """States saved by the release before hashed every setting: upgrading must not fetch every
    source without its validators, nor read an unchanged body again."""
    url = feed_server.add("/f.xml", rss(("a", "Alpha")), etag='"v1"')
    refresh(store, url)
    source = make_config({"src": url}).sources[0]
    everything = repr(source).encode()
    state = store.get_state("src")
    body = rss(("a", "Alpha"))
    legacy = replace(
        state,
        settings=hashlib.sha256(everything).hexdigest()[:16],
        body_hash=body_fingerprint(body, everything),
    )
    store.save_state(legacy)
    assert refresh(store, url, NOW + timedelta(hours=1)).outcome is Outcome.NOT_MODIFIED
    assert feed_server.requests("/f.xml")[-1].header("If-None-Match") == '"v1"'
    feed_server.add("/f.xml", rss(("a", "Alpha")))  # no validators now: the same body, a 200
    store.save_state(replace(store.get_state("src"), etag=None, last_modified=None))
    assert refresh(store, url, NOW + timedelta(hours=2)).outcome is Outcome.UNCHANGED
    assert store.get_state("src").settings != legacy.settings  # kept as this release hashes


def test_a_body_that_fails_to_parse_keeps_the_status_it_came_with(
    store: Store, feed_server: FeedServer
) -> None:
    """An HTML page answered 200: the source shows 200 and why, not "no response"."""
    page = b"<!doctype html><html><head><title>Blog</title></head><body>Hi</body></html>"
    url = feed_server.add("/page", page, content_type="text/html")
    result = refresh(store, url)
    assert (result.outcome, result.http_status) == (Outcome.PARSE_ERROR, 200)
    assert store.get_state("src").http_status == 200


def test_fingerprint_ignores_volatile_parts_but_not_content() -> None:
    one = rss(("a", "Alpha"))
    assert body_fingerprint(one) == body_fingerprint(rss(("a", "Alpha"), build="x"))
    assert body_fingerprint(one) != body_fingerprint(rss(("a", "Alpha!")))


def test_fingerprint_drops_comments_as_the_lazy_pattern_did_in_one_pass() -> None:
    """re.sub(rb"<!--.*?-->", b"", body) scanned to the end from every unclosed "<!--"
    (quadratic); the same bytes come out on random mixes of openers and closers."""
    pieces = [b"<!--", b"-->", b"<!-->", b"-", b"<", b">", b"a"]
    rng = random.Random(7)
    for _ in range(5000):
        body = b"".join(rng.choice(pieces) for _ in range(rng.randrange(12)))
        assert _without_comments(body) == re.sub(rb"<!--.*?-->", b"", body, flags=re.DOTALL)
    assert body_fingerprint(b"<rss><!-- 1 -->x<!-- a -->") == body_fingerprint(b"<rss>x")


def test_changed_entry_is_updated_not_duplicated(store: Store, feed_server: FeedServer) -> None:
    url = feed_server.add("/f.xml", rss(("a", "Alpha"), ("b", "Beta")))
    refresh(store, url)
    feed_server.add("/f.xml", rss(("a", "Alpha, revised"), ("b", "Beta"), ("c", "Gamma")))
    result = refresh(store, url, NOW + timedelta(hours=1))
    assert (result.outcome, result.added, result.updated) == (Outcome.OK, 1, 1)
    articles = store.source_articles("src", 10)
    assert sorted(a.title for a in articles) == ["Alpha, revised", "Beta", "Gamma"]


def test_gone_source_is_marked_and_taken_off_the_schedule(
    store: Store, feed_server: FeedServer
) -> None:
    url = feed_server.add("/f.xml", status=410)
    result = refresh(store, url)
    assert result.outcome is Outcome.GONE
    state = store.get_state("src")
    assert state.gone
    assert state.last_error
    assert store.due_at("src") is None


def test_retry_after_is_honored(store: Store, feed_server: FeedServer) -> None:
    url = feed_server.add("/f.xml", status=429, headers={"Retry-After": "7200"})
    result = refresh(store, url)
    assert result.outcome is Outcome.HTTP_ERROR
    assert result.http_status == 429
    state = store.get_state("src")
    assert state.next_due is not None
    assert state.next_due >= NOW + timedelta(seconds=7200)


def test_errors_back_off_and_recovery_resets(store: Store, feed_server: FeedServer) -> None:
    url = feed_server.add("/f.xml", status=500)
    first = refresh(store, url)
    second = refresh(store, url, NOW + timedelta(hours=1))
    state = store.get_state("src")
    assert state.consecutive_errors == 2
    assert "500" in state.last_error
    assert first.next_due is not None
    assert second.next_due is not None
    assert second.next_due - (NOW + timedelta(hours=1)) > first.next_due - NOW  # grew
    feed_server.add("/f.xml", rss(("a", "Alpha")))
    assert refresh(store, url, NOW + timedelta(hours=2)).outcome is Outcome.OK
    recovered = store.get_state("src")
    assert (recovered.consecutive_errors, recovered.last_error) == (0, "")


def test_repeated_permanent_redirect_is_adopted(
    store: Store,
    feed_server: FeedServer,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from aggregator.cli import terminal

    new_url = feed_server.add("/new.xml", rss(("a", "Alpha")))
    old_url = feed_server.redirect("/old.xml", "/new.xml", status=301)
    results = [
        refresh(store, old_url, NOW + timedelta(hours=hour), adopt_redirect_after=3)
        for hour in range(3)
    ]
    # What `refresh --inline` prints of each: it said nothing of the redirect (a review).
    assert [(r.moved_to, r.redirects_left) for r in results] == [
        (new_url, 2),
        (new_url, 1),
        (new_url, 0),
    ]
    progress = terminal.Progress(3)
    for result in results:
        progress.report(result)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].endswith(
        f"; redirected permanently to {new_url}: adopted after 2 more times in a row"
    )
    assert lines[1].endswith("adopted after 1 more time in a row")
    assert lines[2].endswith(
        f"; moved permanently to {new_url}: adopted, fetched from there from now on"
        " (put it in the config's url)"
    )
    state = store.get_state("src")
    assert state.adopted_url == new_url
    # Said once, naming the source (a log line that named only the new URL was hard to place).
    (moved,) = [r for r in caplog.records if r.getMessage().startswith("source moved")]
    assert getattr(moved, "fields", None) == {"source": "src", "adopted": new_url, "redirects": 3}
    before = len(feed_server.requests("/old.xml"))
    assert refresh(store, old_url, NOW + timedelta(hours=4), adopt_redirect_after=3).moved_to == ""
    assert len(feed_server.requests("/old.xml")) == before  # now fetched at the new address
    # The operator then edits the URL: theirs is fetched, not the adopted one.
    edited = feed_server.add("/edited.xml", rss(("b", "Beta")))
    fetched_new = len(feed_server.requests("/new.xml"))
    refresh(store, edited, NOW + timedelta(hours=5), adopt_redirect_after=3)
    assert len(feed_server.requests("/edited.xml")) == 1
    assert len(feed_server.requests("/new.xml")) == fetched_new
    assert store.get_state("src").adopted_url is None


def test_html_page_error_names_the_advertised_feed(store: Store, feed_server: FeedServer) -> None:
    page = (
        b"<!doctype html><html><head><title>Blog</title>"
        b'<link rel="alternate" type="application/rss+xml" href="/feed.xml"></head>'
        b"<body>hello</body></html>"
    )
    url = feed_server.add("/blog", page, content_type="text/html")
    result = refresh(store, url)
    assert result.outcome is Outcome.PARSE_ERROR
    assert feed_server.url("/feed.xml") in store.get_state("src").last_error


@requires_corpus
def test_gb2312_feed_is_stored_as_correct_chinese(store: Store, feed_server: FeedServer) -> None:
    path = CORPUS / "encodings" / "fp_chardet-gb2312.xml"
    url = feed_server.serve_file("/gb.xml", path, content_type="application/xml")
    assert refresh(store, url).outcome is Outcome.OK
    text = " ".join(a.title + a.summary + a.content for a in store.source_articles("src", 10))
    expected = path.read_bytes().decode("gb18030", errors="ignore")
    # Some run of Chinese characters from the document must survive intact.
    assert any(chunk in text for chunk in _cjk_runs(expected)), text[:200]


def _cjk_runs(text: str) -> list[str]:
    runs, current = [], ""
    for ch in text:
        if "\u4e00" <= ch <= "\u9fff":
            current += ch
        else:
            if len(current) >= 2:
                runs.append(current)
            current = ""
    return runs


def test_a_body_that_fails_to_parse_does_not_leave_its_validators_behind(
    store: Store, feed_server: FeedServer
) -> None:
    """Otherwise the next poll's 304 would hide the body until the feed changes."""
    url = feed_server.add("/f.xml", rss(("a", "Alpha")), etag='"good"')
    refresh(store, url)
    feed_server.add("/f.xml", b"<html><body>maintenance</body></html>", etag='"broken"')
    assert refresh(store, url, NOW + timedelta(hours=1)).outcome is Outcome.PARSE_ERROR
    assert store.get_state("src").etag == '"good"'
    feed_server.add("/f.xml", rss(("a", "Alpha"), ("b", "Beta")), etag='"broken"')
    result = refresh(store, url, NOW + timedelta(hours=2))
    assert (result.outcome, result.added) == (Outcome.OK, 1)


@pytest.mark.parametrize(
    ("setting", "parser"), [("auto", "feedparser-rs"), ("feedparser", "feedparser")]
)
def test_the_refresh_uses_and_reports_the_configured_parser(
    store: Store, feed_server: FeedServer, setting: str, parser: str
) -> None:
    url = feed_server.add("/p.xml", rss(("urn:p:1", "Alpha"), ("urn:p:2", "Beta")))
    result = refresh(store, url, parser=setting)
    assert result.outcome is Outcome.OK
    assert result.extra == {"parser": parser}  # also on the refresh's log line
    assert {a.title for a in store.source_articles("src", 10)} == {"Alpha", "Beta"}


def test_an_edited_article_dated_when_first_seen_keeps_that_date(
    store: Store, feed_server: FeedServer
) -> None:
    # Undated, or dated in the future: both are dated when first seen. An edit (a comment count
    # in the description) must not date them "now" again, on top of the category for good.
    def feed(comments: int) -> bytes:
        return (
            '<rss version="2.0"><channel><title>T</title>'
            '<item><guid isPermaLink="false">undated</guid><title>Undated</title>'
            f"<description>{comments} comments</description></item>"
            '<item><guid isPermaLink="false">future</guid><title>Future</title>'
            "<pubDate>Thu, 01 Jan 2099 00:00:00 GMT"
            f"</pubDate><description>{comments} comments</description></item>"
            "</channel></rss>"
        ).encode()

    url = feed_server.add("/f.xml", feed(1))
    refresh(store, url)
    first = {a.guid: a.published for a in store.source_articles("src", 10)}
    assert set(first) == {"undated", "future"}
    assert all(abs(d - NOW) < timedelta(seconds=1) for d in first.values())
    feed_server.add("/f.xml", feed(2))
    refresh(store, url, NOW + timedelta(days=2))
    later = {a.guid: a for a in store.source_articles("src", 10)}
    assert {guid: a.published for guid, a in later.items()} == first
    assert later["undated"].summary == "2 comments"  # the edit itself is kept
    assert [a.guid for a in store.category_page("news", 10)[0]] == ["undated", "future"]


def test_a_source_renamed_and_nothing_else_shows_its_new_name_on_its_articles(
    store: Store, feed_server: FeedServer
) -> None:
    """The articles' content hash left out whom they are credited to: re-cleaned after a rename
    they counted as unchanged, and pages, embeds and feeds kept the old name."""
    url = feed_server.add("/f.xml", rss(("a", "Alpha"), ("b", "Beta")))
    config = make_config({"src": url})
    with Fetcher(config.fetch, "aggregator-test/1") as fetcher:
        refresh_source(config.sources[0], config, store, fetcher, now=NOW, rng=random.Random(1))
        renamed = replace(config.sources[0], name="УкрНет", site_url="https://ukr.example/")
        later = NOW + timedelta(hours=1)
        refresh_source(renamed, config, store, fetcher, now=later, rng=random.Random(1))
    articles = store.source_articles("src", 10)
    assert {(a.source_name, a.source_url) for a in articles} == {("УкрНет", "https://ukr.example/")}


def test_an_edited_source_applies_to_the_articles_its_feed_no_longer_lists(
    store: Store, feed_server: FeedServer
) -> None:
    # Five articles stored; the feed then lists two. The operator moves the source to another
    # category, renames it and excludes "sponsored": the three older ones follow too.
    items = [("a", "Alpha"), ("b", "Beta"), ("c", "Sponsored gamma"), ("d", "Delta"), ("e", "Eps")]
    url = feed_server.add("/f.xml", rss(*items))
    config = make_config({"src": url}, categories=("news", "world"))
    with Fetcher(config.fetch, "aggregator-test/1") as fetcher:
        refresh_source(config.sources[0], config, store, fetcher, now=NOW, rng=random.Random(1))
        feed_server.add("/f.xml", rss(*items[:2]))
        edited = replace(
            config.sources[0], categories=("world",), name="Renamed", exclude=("sponsored",)
        )
        later = NOW + timedelta(hours=1)
        refresh_source(edited, config, store, fetcher, now=later, rng=random.Random(1))
    world = {a.title: a for a in store.category_page("world", 10)[0]}
    assert sorted(world) == ["Alpha", "Beta", "Delta", "Eps"]  # the filter refuses the other
    assert {a.source_name for a in world.values()} == {"Renamed"}
    assert {a.categories for a in world.values()} == {("world",)}
    assert store.category_page("news", 10)[0] == []
    assert "Sponsored gamma" not in {a.title for a in store.source_articles("src", 10)}


def test_max_age_reaches_sources_that_no_refresh_saves(
    store: Store, feed_server: FeedServer
) -> None:
    # Failing, paused or gone, a source keeps what it stored: the scheduler's sweep applies max
    # age to it, down to keep_newest, and leaves a healthy source to its own refreshes.
    items = [(f"g{i}", f"Item {i}") for i in range(5)]
    urls = {s: feed_server.add(f"/{s}.xml", rss(*items)) for s in ("down", "fine")}
    config = replace(make_config(urls), retention=RetentionConfig(max_age_days=30, keep_newest=2))
    with Fetcher(config.fetch, "aggregator-test/1") as fetcher:
        for source in config.sources:
            refresh_source(source, config, store, fetcher, now=NOW, rng=random.Random(1))
    scheduler.publish(store, config, now=NOW.timestamp())
    down = store.get_state("down")
    store.save_state(replace(down, outcome=Outcome.HTTP_ERROR, consecutive_errors=9))
    later = NOW + timedelta(days=60)
    assert scheduler.age_out(store, config, later) == 3
    assert len(store.source_articles("down", 10)) == 2  # keep_newest
    assert len(store.source_articles("fine", 10)) == 5
    assert len(store.category_page("news", 20)[0]) == 7


def test_a_refresh_says_how_many_articles_retention_removed(
    store: Store, feed_server: FeedServer, caplog: pytest.LogCaptureFixture
) -> None:
    """An archive's feed (54 items of a year ago) logged "added=54" and left 20: the operator
    saw articles vanish, with nothing to say retention took them (a review)."""
    caplog.set_level(logging.INFO, logger="aggregator.refresh")
    items = [(f"g{i}", f"Item {i}") for i in range(5)]
    config = replace(
        make_config({"src": feed_server.add("/f.xml", rss(*items))}),
        retention=RetentionConfig(max_age_days=30, keep_newest=2),
    )
    with Fetcher(config.fetch, "aggregator-test/1") as fetcher:
        later = NOW + timedelta(days=60)
        result = refresh_source(config.sources[0], config, store, fetcher, now=later)
    assert (result.added, result.trimmed) == (5, 3)
    assert len(store.source_articles("src", 10)) == 2
    (fields,) = [r.fields for r in caplog.records if r.getMessage() == "refresh"]  # type: ignore[attr-defined]
    assert (fields["added"], fields["trimmed"]) == (5, 3)
    (record,) = store.fetch_history("src", 5)
    assert (record.added, record.trimmed) == (5, 3)


def test_a_refresh_keeps_the_site_the_feed_links_to(store: Store, feed_server: FeedServer) -> None:
    """For the sources page's Website link, where the config gives no site_url; its root when
    the feed's link names a feed document."""
    assert refresh(store, feed_server.add("/f.xml", rss(("a", "A")))).outcome is Outcome.OK
    assert store.get_state("src").site == "https://example.com/"
    # Kept apart too, for the OPML exports, with when it last changed.
    assert store.sites(["src", "other"]) == {"src": "https://example.com/"}
    first = store.sites_changed_at()
    assert first is not None
    assert refresh(store, feed_server.add("/f.xml", rss(("a", "A")))).outcome is Outcome.UNCHANGED
    assert store.sites_changed_at() == first  # the same site: no change to tell
    body = rss(("a", "A")).replace(
        b"https://example.com/</link>", b"https://e.example/une.xml</link>"
    )
    assert refresh(store, feed_server.add("/g.xml", body)).outcome is Outcome.OK
    assert store.get_state("src").site == "https://e.example/"
    assert store.sites(["src"]) == {"src": "https://e.example/"}
    changed = store.sites_changed_at()
    assert changed is not None
    assert changed > first


def test_an_edit_of_other_settings_refuses_nothing_ingest_kept(
    store: Store, feed_server: FeedServer
) -> None:
    # exclude=("sponsored",) from the start: ingest judges the title and the summary's text,
    # so an article with the word only deep in its content was kept. Changing the interval
    # must not remove it (review of this change).
    content = "<p>Long body.</p><p>This series is sponsored by Acme.</p>"
    item = (
        '<item><guid isPermaLink="false">old</guid><title>Old post</title>'
        "<description>A short teaser.</description>"
        f"<content:encoded><![CDATA[{content}]]></content:encoded></item>"
    )
    feed = (
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        f"<channel><title>T</title>{item}</channel></rss>"
    )
    url = feed_server.add("/f.xml", feed.encode())
    config = make_config({"src": url})
    source = replace(config.sources[0], exclude=("sponsored",))
    with Fetcher(config.fetch, "aggregator-test/1") as fetcher:
        refresh_source(source, config, store, fetcher, now=NOW, rng=random.Random(1))
        feed_server.add("/f.xml", rss(("new", "New post")))  # the feed moves on
        edited = replace(source, interval=1800.0)
        later = NOW + timedelta(hours=1)
        refresh_source(edited, config, store, fetcher, now=later, rng=random.Random(1))
    assert "Old post" in [a.title for a in store.source_articles("src", 10)]


def test_an_edit_of_other_settings_keeps_what_an_include_let_in(
    store: Store, feed_server: FeedServer
) -> None:
    # include=("python",) from the start, the word past the excerpt's 160 characters: kept at
    # ingest, and kept when only the interval changes (a second review).
    teaser = "A long teaser. " * 20 + "It is about Python."
    item = (
        '<item><guid isPermaLink="false">old</guid><title>Old post</title>'
        f"<description>{teaser}</description></item>"
    )
    url = feed_server.add("/f.xml", f'<rss version="2.0"><channel>{item}</channel></rss>'.encode())
    config = make_config({"src": url})
    source = replace(config.sources[0], include=("python",))
    with Fetcher(config.fetch, "aggregator-test/1") as fetcher:
        refresh_source(source, config, store, fetcher, now=NOW, rng=random.Random(1))
        feed_server.add("/f.xml", rss(("new", "New Python post")))
        edited = replace(source, interval=1800.0)
        later = NOW + timedelta(hours=1)
        refresh_source(edited, config, store, fetcher, now=later, rng=random.Random(1))
    assert "Old post" in [a.title for a in store.source_articles("src", 10)]


def test_a_feed_changed_by_one_entry_cleans_that_entry_only(
    store: Store, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The steady state of a busy source: each poll brings one new or edited entry. The others
    are not cleaned again (their marks are in the state); what is stored stays whole."""
    made: list[list[str]] = []

    def watched(*args: Any, **kwargs: Any) -> list[Article]:
        articles = normalize(*args, **kwargs)
        made.append([a.title for a in articles])
        return articles

    monkeypatch.setattr(refresh_module, "normalize", watched)
    url = feed_server.add("/f.xml", rss(("a", "Alpha"), ("b", "Beta"), ("c", "Gamma")))
    refresh(store, url)
    assert len(store.get_state("src").entry_marks) == 3
    feed_server.add("/f.xml", rss(("a", "Alpha, revised"), ("b", "Beta"), ("c", "Gamma")))
    result = refresh(store, url, NOW + timedelta(hours=1))
    assert (result.outcome, result.added, result.updated) == (Outcome.OK, 0, 1)
    feed_server.add(
        "/f.xml", rss(("d", "Delta"), ("a", "Alpha, revised"), ("b", "Beta"), ("c", "Gamma"))
    )
    result = refresh(store, url, NOW + timedelta(hours=2))
    assert (result.outcome, result.added, result.updated) == (Outcome.OK, 1, 0)
    assert made == [["Alpha", "Beta", "Gamma"], ["Alpha, revised"], ["Delta"]]
    titles = sorted(a.title for a in store.source_articles("src", 10))
    assert titles == ["Alpha, revised", "Beta", "Delta", "Gamma"]
    assert len(store.get_state("src").entry_marks) == 4
    # An edited source makes every entry again, with its new settings.
    edited = make_config({"src": url})
    source = replace(edited.sources[0], exclude=("Gamma",))
    with Fetcher(edited.fetch, "aggregator-test/1") as fetcher:
        refresh_source(source, edited, store, fetcher, now=NOW + timedelta(hours=3))
    assert made[-1] == ["Delta", "Alpha, revised", "Beta"]


def test_marks_stand_only_for_stored_articles_after_a_refresh_cut_short_or_a_purge(
    store: Store, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A mark says "the stored article is what this entry makes". A refresh cut short between
    saving its articles and filing them keeps the marks of the entries it left out only, and a
    refresh that finds an article of a mark gone (purged under it) makes every entry again."""

    def titles() -> list[str]:
        return sorted(a.title for a in store.source_articles("src", 10))

    url = feed_server.add("/f.xml", rss(("a", "Alpha"), ("b", "Beta")))
    refresh(store, url)
    feed_server.add("/f.xml", rss(("a", "Alpha EDITED"), ("b", "Beta")))

    refresh_cut_short_before_filing(store, url, NOW + timedelta(hours=1), monkeypatch)
    assert titles() == ["Alpha EDITED", "Beta"]
    # The edit undone: a's first mark must not stand for "Alpha EDITED".
    feed_server.add("/f.xml", rss(("c", "Gamma"), ("a", "Alpha"), ("b", "Beta")))
    refresh(store, url, NOW + timedelta(hours=2))
    assert titles() == ["Alpha", "Beta", "Gamma"]

    before = store.get_state("src")  # what a refresh under way read
    store.purge_source("src")  # the source removed meanwhile
    feed_server.add("/f.xml", rss(("d", "Delta"), ("c", "Gamma"), ("a", "Alpha"), ("b", "Beta")))
    config = make_config({"src": url})
    with Fetcher(config.fetch, "aggregator-test/1") as fetcher:
        later = NOW + timedelta(hours=3)
        refresh_source(config.sources[0], config, store, fetcher, now=later, state=before)
    assert titles() == ["Alpha", "Beta", "Delta", "Gamma"]


@pytest.mark.parametrize("stories", [True, False], ids=["stories", "no-stories"])
@pytest.mark.parametrize("beside", ["changed", "not-modified", "failed"])
def test_a_refresh_beside_another_of_its_source_leaves_the_next_poll_to_read_everything(
    store: Store, feed_server: FeedServer, beside: str, stories: bool
) -> None:
    """Two refreshes of one source at once (an expired lease, `refresh --inline` beside the
    workers), both from the same state: one stores an edit, the other ends later having read
    the edit undone. Its entry marks (or its validators, or the old state's) must not then stand
    for the edited article: the next poll reads and cleans the whole feed again."""
    url = feed_server.add("/f.xml", rss(("a", "Alpha"), ("b", "Beta")), etag='"v1"')
    config = make_config({"src": url})
    config = replace(config, stories=replace(config.stories, enabled=stories))

    def run(at: datetime, state: Any = None) -> Outcome:
        with Fetcher(config.fetch, "aggregator-test/1") as fetcher:
            return refresh_source(
                config.sources[0], config, store, fetcher, now=at, state=state
            ).outcome

    def titles() -> list[str]:
        return sorted(a.title for a in store.source_articles("src", 10))

    assert run(NOW) is Outcome.OK
    read = store.get_state("src")  # what the slower refresh read, before the other saved
    feed_server.add("/f.xml", rss(("a", "Alpha EDITED"), ("b", "Beta")), etag='"v2"')
    assert run(NOW + timedelta(hours=1)) is Outcome.OK
    assert titles() == ["Alpha EDITED", "Beta"]
    # The slower one reads the edit undone (with a new entry: its other entries' marks are the
    # ones it read), or the old body again (304), or fails.
    served = {
        "changed": (rss(("c", "Gamma"), ("a", "Alpha"), ("b", "Beta")), 200, '"v3"'),
        "not-modified": (rss(("a", "Alpha"), ("b", "Beta")), 200, '"v1"'),
        "failed": (b"oops", 500, None),
    }
    body, status, etag = served[beside]
    feed_server.add("/f.xml", body, status, etag=etag)
    expected = {"changed": Outcome.OK, "not-modified": Outcome.NOT_MODIFIED}
    assert run(NOW + timedelta(hours=1), state=read) is expected.get(beside, Outcome.HTTP_ERROR)
    assert titles() == ["Alpha EDITED", "Beta", *(["Gamma"] if beside == "changed" else [])]

    if beside == "failed":  # the feed is back, as the slower refresh's old state knew it
        feed_server.add("/f.xml", rss(("a", "Alpha"), ("b", "Beta")), etag='"v1"')
    assert run(NOW + timedelta(hours=2)) is Outcome.OK  # not a 304, not "unchanged"
    assert titles() == ["Alpha", "Beta", *(["Gamma"] if beside == "changed" else [])]
    # Alone again, its claims stand: the next poll is a 304.
    assert run(NOW + timedelta(hours=3)) is Outcome.NOT_MODIFIED


def test_an_edit_the_source_did_not_date_is_dated_when_it_was_seen(
    store: Store, feed_server: FeedServer
) -> None:
    """A title or text edited under the same dates: the article's `updated` (an item's
    <updated>, JSON Feed's date_modified) becomes the refresh that saw it, so a reader that
    shows items again by it sees the edit; it never goes back after."""
    url = feed_server.add("/f.xml", rss(("a", "Alpha"), ("b", "Beta")))
    refresh(store, url)

    def updated() -> dict[str, datetime]:
        return {a.title: a.updated for a in store.source_articles("src", 10)}

    written = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # the feed's pubDate
    assert updated() == {"Alpha": written, "Beta": written}
    feed_server.add("/f.xml", rss(("a", "Alpha, corrected"), ("b", "Beta")))
    seen = NOW + timedelta(hours=1)
    refresh(store, url, seen)
    assert updated() == {"Alpha, corrected": seen, "Beta": written}
    feed_server.add("/f.xml", rss(("c", "Gamma"), ("a", "Alpha, corrected"), ("b", "Beta")))
    refresh(store, url, NOW + timedelta(hours=2))  # a new entry; a's is as it was
    assert updated() == {"Alpha, corrected": seen, "Beta": written, "Gamma": written}
    # Our cleaning changed, not the source's text (a junk pattern the operator added; a release,
    # newly learned junk): the summaries change, the dates do not.
    config = make_config({"src": url})
    edited = replace(config.sources[0], strip_patterns=("^About",))
    config = replace(config, sources=(edited,))
    with Fetcher(config.fetch, "aggregator-test/1") as fetcher:
        refresh_source(edited, config, store, fetcher, now=NOW + timedelta(hours=3))
    assert {a.summary for a in store.source_articles("src", 10)} == {""}
    assert updated() == {"Alpha, corrected": seen, "Beta": written, "Gamma": written}


def test_a_refresh_cut_short_before_filing_is_read_again_though_the_server_has_validators(
    store: Store, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cut short between saving its articles and filing them in stories, a refresh keeps the
    old validators as it keeps the old body fingerprint: the next poll is not a 304, and files
    what was left (it kept the new ETag, and the articles stayed out of stories for good)."""
    url = feed_server.add("/f.xml", rss(("a", "Alpha")), etag='"v1"')
    refresh(store, url)
    feed_server.add("/f.xml", rss(("b", "Beta"), ("a", "Alpha")), etag='"v2"')
    refresh_cut_short_before_filing(store, url, NOW + timedelta(hours=1), monkeypatch)
    ids = [a.id for a in store.source_articles("src", 10)]
    assert len(ids) == 2
    assert store.unfiled(ids)  # Beta stored, not filed
    assert refresh(store, url, NOW + timedelta(hours=2)).outcome is Outcome.OK  # not a 304
    assert not store.unfiled(ids)
    assert refresh(store, url, NOW + timedelta(hours=3)).outcome is Outcome.NOT_MODIFIED


def test_a_feed_served_from_another_host_stores_its_relative_links_as_the_sites_pages(
    store: Store, feed_server: FeedServer
) -> None:
    """Served from a feed host (here the loopback, FeedBurner in life), "/2026/11/a.html" is
    the page on the site the channel links, and so is the HTML's "img/a.png" beside it."""
    body = (
        b'<rss version="2.0"><channel><title>T</title><link>https://www.site.example/</link>'
        b"<item><title>A</title><link>/2026/11/a/</link><guid isPermaLink='false'>a</guid>"
        b'<description>&lt;p&gt;Hi &lt;img src="img/a.png"&gt;&lt;/p&gt;</description></item>'
        b"</channel></rss>"
    )
    url = feed_server.add("/site-feed", body)
    assert refresh(store, url).outcome is Outcome.OK
    [article] = store.source_articles("src", 10)
    assert article.url == "https://www.site.example/2026/11/a/"
    assert 'src="https://www.site.example/2026/11/a/img/a.png"' in article.content


def _same_guid(*items: str) -> bytes:
    """A feed whose items all have the guid "same" (a guid per day, an episode re-published under
    its guid); each is its title, at its own page or at the one after its "@"."""
    body = "".join(
        f"<item><guid isPermaLink='false'>same</guid><title>{t[0]}</title>"
        f"<link>https://example.com/{t[-1]}</link><description>About {t}</description></item>"
        for t in items
    )
    return f'<rss version="2.0"><channel><title>T</title>{body}</channel></rss>'.encode()


@pytest.mark.parametrize(
    "polls",
    [
        ["a", "b a", "b"],  # a second item under a's guid, then a leaves the feed
        ["a b", "a", "b", "a b"],  # the mirror: listed together first
        ["b", "a b", "a"],
        ["a", "a b c", "c", "b c", "a"],  # three items under one guid
        ["a", "b@a a", "b@a", "a b@a"],  # two items at one page: told apart by their titles
    ],
)
def test_items_sharing_a_guid_keep_their_ids_whatever_comes_and_goes(
    store: Store, feed_server: FeedServer, polls: list[str]
) -> None:
    """Each item under a shared guid keeps one article: a guid seen alone and then beside
    another item was re-keyed (a second card of it), and the item left alone after that took
    the first one's id and content (a reader's link to it showed the other; a review)."""
    url = feed_server.add("/same.xml", b"")
    ids: dict[str, str] = {}
    pages: dict[str, str] = {}
    for n, poll in enumerate(polls):
        listed = poll.split()
        pages.update((t[0], f"https://example.com/{t[-1]}") for t in listed)
        feed_server.add("/same.xml", _same_guid(*listed))
        assert refresh(store, url, NOW + timedelta(hours=n)).outcome is Outcome.OK
        stored = store.source_articles("src", 10)
        by_title: dict[str, list[str]] = {}
        for article in stored:
            by_title.setdefault(article.title, []).append(article.id)
        assert all(len(i) == 1 for i in by_title.values()), (poll, by_title)  # none twice
        for title, [article_id] in by_title.items():
            assert ids.setdefault(title, article_id) == article_id, (poll, title)
        for article in stored:
            assert article.url == pages[article.title]  # none overwritten


def test_a_permanent_redirect_to_credentials_the_server_chose_is_followed_never_adopted(
    store: Store, feed_server: FeedServer
) -> None:
    """A source's server may name a user in the address it moves to (shown redacted, and sent
    as credentials at every poll after): followed, as a temporary redirect is, never kept."""
    feed_server.add("/new.xml", rss(("a", "Alpha")))
    moved = feed_server.url("/new.xml").replace("http://", "http://visitor:secret@")
    old_url = feed_server.redirect("/old.xml", moved, status=301)
    for hour in range(3):
        result = refresh(store, old_url, NOW + timedelta(hours=hour), adopt_redirect_after=2)
        assert not result.outcome.is_error, result.error
        assert result.moved_to == ""
    state = store.get_state("src")
    assert (state.adopted_url, state.redirect_url) == (None, None)
    assert len(feed_server.requests("/old.xml")) == 3


@pytest.mark.parametrize(
    ("url", "target", "adopted"),
    [
        ("https://news.example/feed", "http://news.example/feed", None),  # a downgrade
        ("http://news.example/feed", "https://news.example/feed", "https://news.example/feed"),
        ("https://news.example/feed", "https://cdn.example/feed", "https://cdn.example/feed"),
        # The source's own user and password, kept by a relative Location: the operator's.
        (
            "https://me:pw@news.example/feed",
            "https://me:pw@news.example/rss",
            "https://me:pw@news.example/rss",
        ),
        ("https://news.example/feed", "https://visitor:x@news.example/feed", None),
        ("https://me:pw@news.example/feed", "https://me:pw@cdn.example/feed", None),
    ],
)
def test_a_permanent_redirect_from_https_to_plain_http_is_never_adopted(
    url: str, target: str, adopted: str | None
) -> None:
    """Anyone on the way can send a 301 to plain http: adopted, the source would be fetched
    unencrypted for good (an upgrade, or https elsewhere, is adopted as before)."""
    config = make_config({"src": url}, adopt_redirect_after=1)
    result = FetchResult(target, 200, b"", {}, None, None, permanent_redirect=target)
    state = _after_fetch(SourceState("src"), result, config, config.sources[0])
    assert state.adopted_url == adopted


def _guidless(*items: tuple[str, str]) -> bytes:
    body = "".join(
        f"<item><title>{title}</title><link>{link}</link><description>About {title}</description>"
        "<pubDate>Mon, 23 Nov 2026 09:00:00 GMT</pubDate></item>"
        for link, title in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>'
        f"<link>https://example.com/</link>{body}</channel></rss>"
    ).encode()


def test_an_item_keyed_by_its_link_keeps_its_id_after_the_upgrade_that_encoded_its_link(
    store: Store, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An item without a guid is known by its link. Releases before session 46's ba98698 kept
    an invisible character in a link raw (U+200B); since, safe_url writes it percent-encoded, so
    after the upgrade the item's next read made a new id: the same story a second time in
    every feed reader subscribed (upgrade check h13, session 47). It keeps the id stored."""
    real = normalize_module.safe_url

    def as_before(url: str, base: str) -> str:  # the earlier release: invisible ones kept raw
        return real(url, base).replace("%E2%80%8B", "\u200b")

    zwsp = ("https://example.com/a\u200bb", "Zero width")
    url = feed_server.add("/feed.xml", _guidless(zwsp))
    monkeypatch.setattr(normalize_module, "safe_url", as_before)
    assert refresh(store, url).outcome is Outcome.OK
    [before] = store.source_articles("src", 10)
    monkeypatch.undo()  # the upgrade: same store, this release's code, and the feed changes
    feed_server.add("/feed.xml", _guidless(("https://example.com/new", "New"), zwsp))
    assert refresh(store, url, NOW + timedelta(hours=1)).outcome is Outcome.OK
    listed = store.source_articles("src", 10)
    assert sorted(a.title for a in listed) == ["New", "Zero width"]  # not twice
    stored = {a.title: a for a in listed}
    assert stored["Zero width"].id == before.id
