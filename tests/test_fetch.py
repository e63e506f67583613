"""aggregator.fetch against a real loopback HTTP server (tests/support/feed_server.py)."""

from __future__ import annotations

import contextlib
import dataclasses
import gzip
import ipaddress
import os
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import time
import tracemalloc
import zlib
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any, cast

import brotli
import httpcore
import httpx
import pytest
from httpcore._sync.connection_pool import PoolRequest

from aggregator.addresses import address_problem, is_public_address
from aggregator.config import Category, Config, FetchConfig, SiteConfig, SourceConfig
from aggregator.errors import FetchError
from aggregator.fetch import (
    ACCEPT,
    NO_PRIVATE_ACCESS,
    Fetcher,
    PrivateAccess,
    _connection_message,
    _GuardedBackend,
    _Pool,
    default_user_agent,
    tls_context,
)
from aggregator.models import Outcome
from aggregator.refresh import refresh_source
from aggregator.schedule import cache_hints
from aggregator.store import Store
from tests.support import evil
from tests.support.corpus import CORPUS, requires_corpus
from tests.support.feed_server import FeedServer, Handler, _zeros_zlib
from tests.support.fixtures import FEEDS

FEED = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'
UA = "aggregator/0.1 (+http://reader.test/)"


def loopback(**overrides: Any) -> FetchConfig:
    """A config that may fetch from the loopback test server, with short limits."""
    base = FetchConfig(
        allow_private_networks=True, connect_timeout=5.0, read_timeout=10.0, deadline=20.0
    )
    return dataclasses.replace(base, **overrides)


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    with Fetcher(loopback(), UA) as f:
        yield f


def fetch_error(fetcher: Fetcher, url: str, **kwargs: Any) -> FetchError:
    with pytest.raises(FetchError) as info:
        fetcher.fetch(url, **kwargs)
    return info.value


def fetch_error_and_peak(fetcher: Fetcher, url: str) -> tuple[FetchError, int]:
    """fetch_error, and the peak of the Python-level memory traced while it fetched."""
    tracemalloc.start()
    try:
        error = fetch_error(fetcher, url)
        return error, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


# --- request headers and the result --------------------------------------------------------------


def test_default_user_agent_names_the_service_and_its_url() -> None:
    assert default_user_agent("https://news.example.org") == (
        "aggregator/0.1 (+https://news.example.org)"
    )


def test_sends_user_agent_accept_and_accept_encoding(
    fetcher: Fetcher, feed_server: FeedServer
) -> None:
    fetcher.fetch(feed_server.add("/feed", FEED))
    (request,) = feed_server.requests("/feed")
    assert request.header("User-Agent") == UA
    assert request.header("Accept") == ACCEPT
    assert request.header("Accept") == (
        "application/atom+xml, application/rss+xml, application/feed+json, "
        "application/xml;q=0.9, */*;q=0.8"
    )
    assert request.header("Accept-Encoding") == "gzip, deflate, br"
    assert request.header("If-None-Match") is None
    assert request.header("If-Modified-Since") is None


def test_result_carries_body_status_url_and_downstream_headers(
    fetcher: Fetcher, feed_server: FeedServer
) -> None:
    url = feed_server.add(
        "/feed",
        FEED,
        content_type="application/rss+xml; charset=utf-8",
        headers={
            "Content-Location": "/canonical.xml",
            "Cache-Control": "max-age=900",
            "Expires": "Wed, 21 Oct 2037 07:28:00 GMT",
            "Age": "12",
            "Link": '<https://hub.example/>; rel="hub"',
            "X-Unrelated": "dropped",
        },
    )
    result = fetcher.fetch(url)
    assert result.status == 200
    assert result.body == FEED
    assert result.url == url
    assert not result.not_modified
    assert result.permanent_redirect is None
    assert result.headers["content-type"] == "application/rss+xml; charset=utf-8"
    assert result.headers["content-location"] == "/canonical.xml"
    assert result.headers["cache-control"] == "max-age=900"
    assert result.headers["expires"] == "Wed, 21 Oct 2037 07:28:00 GMT"
    assert result.headers["age"] == "12"
    assert result.headers["link"] == '<https://hub.example/>; rel="hub"'
    assert "date" in result.headers  # http.server always sends one
    assert "x-unrelated" not in result.headers
    assert all(name == name.lower() for name in result.headers)


def test_wrong_content_type_is_passed_on_not_judged(
    fetcher: Fetcher, feed_server: FeedServer
) -> None:
    result = fetcher.fetch(feed_server.add("/feed", FEED, content_type="text/html"))
    assert result.body == FEED
    assert result.headers["content-type"] == "text/html"


@requires_corpus
def test_corpus_file_arrives_byte_for_byte(fetcher: Fetcher, feed_server: FeedServer) -> None:
    path = CORPUS / "real" / "feeder_rss_lemonde.xml"
    result = fetcher.fetch(feed_server.serve_file("/lemonde.xml", path))
    assert result.body == path.read_bytes()


def test_reuses_pooled_connections(fetcher: Fetcher, feed_server: FeedServer) -> None:
    url = feed_server.add("/feed", FEED)
    fetcher.fetch(url)
    fetcher.fetch(url)
    first, second = feed_server.requests("/feed")
    assert first.client_port == second.client_port


def test_a_304_keeps_its_connection_for_the_next_poll(
    fetcher: Fetcher, feed_server: FeedServer
) -> None:
    url = feed_server.add("/feed", FEED, etag='"v1"')
    for _ in range(3):
        assert fetcher.fetch(url, etag='"v1"').status == 304
    ports = {r.client_port for r in feed_server.requests("/feed")}
    assert len(ports) == 1, ports


def test_one_fetcher_serves_many_threads(fetcher: Fetcher, feed_server: FeedServer) -> None:
    urls = [feed_server.add(f"/feed/{i}", b"body %d" % i) for i in range(8)]
    results: dict[int, list[bytes | None]] = {}

    def work(i: int) -> None:
        results[i] = [fetcher.fetch(urls[i]).body for _ in range(5)]

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == {i: [b"body %d" % i] * 5 for i in range(8)}


# --- conditional GET -----------------------------------------------------------------------------

ODD_ETAGS = [
    '"abc123"',
    'W/"abc123"',
    "unquoted-etag",  # not RFC-conformant, seen in the wild
    '"with,comma"',
    '"with \\"escaped\\" quotes"',
    "'single-quoted'",
    '"caf\xc3\xa9"',  # UTF-8 bytes, seen as latin-1 text: must go back as the same two bytes
    '"\xe9t\xe9"',  # latin-1 bytes
    '""',
]


@pytest.mark.parametrize("etag", ODD_ETAGS)
def test_etag_round_trips_byte_for_byte(
    fetcher: Fetcher, feed_server: FeedServer, etag: str
) -> None:
    url = feed_server.add("/feed", FEED, etag=etag)
    first = fetcher.fetch(url)
    assert first.status == 200
    assert first.etag == etag

    second = fetcher.fetch(url, etag=first.etag)
    assert second.status == 304
    assert second.not_modified
    assert second.body is None
    assert second.etag == etag
    assert feed_server.requests("/feed")[1].header("If-None-Match") == etag


@pytest.mark.parametrize(
    "last_modified",
    ["Wed, 21 Oct 2015 07:28:00 GMT", "Wednesday, 21-Oct-15 07:28:00 GMT", "not even a date"],
)
def test_last_modified_round_trips_byte_for_byte(
    fetcher: Fetcher, feed_server: FeedServer, last_modified: str
) -> None:
    url = feed_server.add("/feed", FEED, last_modified=last_modified)
    first = fetcher.fetch(url)
    assert first.last_modified == last_modified
    assert first.etag is None

    second = fetcher.fetch(url, last_modified=first.last_modified)
    assert second.status == 304
    assert second.last_modified == last_modified
    assert feed_server.requests("/feed")[1].header("If-Modified-Since") == last_modified


def test_sends_both_validators(fetcher: Fetcher, feed_server: FeedServer) -> None:
    lm = "Wed, 21 Oct 2015 07:28:00 GMT"
    url = feed_server.add("/feed", FEED, etag='"v1"', last_modified=lm)
    result = fetcher.fetch(url, etag='"v1"', last_modified=lm)
    assert result.status == 304
    (request,) = feed_server.requests("/feed")
    assert request.header("If-None-Match") == '"v1"'
    assert request.header("If-Modified-Since") == lm


def test_changed_etag_gets_the_new_body_and_validator(
    fetcher: Fetcher, feed_server: FeedServer
) -> None:
    url = feed_server.add("/feed", FEED, etag='"v2"')
    result = fetcher.fetch(url, etag='"v1"')
    assert result.status == 200
    assert result.body == FEED
    assert result.etag == '"v2"'


def test_304_without_validators_keeps_the_stored_ones(
    fetcher: Fetcher, feed_server: FeedServer
) -> None:
    url = feed_server.add("/feed", status=304)
    result = fetcher.fetch(url, etag='W/"stored"', last_modified="Mon, 01 Jan 2024 00:00:00 GMT")
    assert result.status == 304
    assert result.body is None
    assert result.etag == 'W/"stored"'
    assert result.last_modified == "Mon, 01 Jan 2024 00:00:00 GMT"


def test_a_304_to_a_request_naming_no_copy_is_an_error(
    fetcher: Fetcher, feed_server: FeedServer
) -> None:
    # Taken as "not modified", the source stayed healthy with no article, poll after poll.
    url = feed_server.add("/feed", status=304)
    with pytest.raises(FetchError, match=r"304 Not Modified .* no copy was named") as info:
        fetcher.fetch(url)
    assert info.value.outcome is Outcome.HTTP_ERROR


def test_a_partial_answer_is_an_error_not_the_feed(
    fetcher: Fetcher, feed_server: FeedServer
) -> None:
    url = feed_server.add("/feed", FEED[:40], status=206)
    with pytest.raises(FetchError, match="HTTP 206 Partial Content") as info:
        fetcher.fetch(url)
    assert info.value.outcome is Outcome.HTTP_ERROR


def test_an_empty_location_is_an_http_error_not_a_loop(
    fetcher: Fetcher, feed_server: FeedServer
) -> None:
    url = feed_server.redirect("/moved", "")
    with pytest.raises(FetchError, match="HTTP 302 Found") as info:
        fetcher.fetch(url)
    assert "loop" not in str(info.value)


def test_304_with_new_validators_replaces_the_stored_ones(
    fetcher: Fetcher, feed_server: FeedServer
) -> None:
    url = feed_server.add(
        "/feed",
        status=304,
        headers={"ETag": '"new"', "Last-Modified": "Tue, 02 Jan 2024 00:00:00 GMT"},
    )
    result = fetcher.fetch(url, etag='"old"', last_modified="Mon, 01 Jan 2024 00:00:00 GMT")
    assert result.etag == '"new"'
    assert result.last_modified == "Tue, 02 Jan 2024 00:00:00 GMT"


def test_200_without_validators_drops_the_stored_ones(
    fetcher: Fetcher, feed_server: FeedServer
) -> None:
    result = fetcher.fetch(feed_server.add("/feed", FEED), etag='"old"', last_modified="x")
    assert result.status == 200
    assert result.etag is None
    assert result.last_modified is None


# --- redirects -----------------------------------------------------------------------------------


def test_follows_a_redirect_chain_and_reports_the_final_url(
    fetcher: Fetcher, feed_server: FeedServer
) -> None:
    final = feed_server.add("/c", FEED)
    feed_server.redirect("/b", final, status=307)
    url = feed_server.redirect("/a", "/b", status=302)  # relative Location
    result = fetcher.fetch(url)
    assert result.body == FEED
    assert result.url == final
    assert result.permanent_redirect is None
    assert [len(feed_server.requests(p)) for p in ("/a", "/b", "/c")] == [1, 1, 1]


def test_permanent_chain_sets_permanent_redirect(fetcher: Fetcher, feed_server: FeedServer) -> None:
    final = feed_server.add("/new", FEED)
    feed_server.redirect("/mid", "/new", status=308)
    result = fetcher.fetch(feed_server.redirect("/old", "/mid", status=301))
    assert result.url == final
    assert result.permanent_redirect == final


@pytest.mark.parametrize("temporary", [302, 303, 307])
def test_one_temporary_hop_means_no_permanent_redirect(
    fetcher: Fetcher, feed_server: FeedServer, temporary: int
) -> None:
    feed_server.add("/new", FEED)
    feed_server.redirect("/mid", "/new", status=temporary)
    result = fetcher.fetch(feed_server.redirect("/old", "/mid", status=301))
    assert result.body == FEED
    assert result.permanent_redirect is None


def test_validators_are_sent_on_every_hop(fetcher: Fetcher, feed_server: FeedServer) -> None:
    feed_server.add("/new", FEED, etag='"v1"')
    result = fetcher.fetch(feed_server.redirect("/old", "/new", status=301), etag='"v1"')
    assert result.status == 304
    assert result.permanent_redirect == feed_server.url("/new")
    assert [r.header("If-None-Match") for r in feed_server.requests()] == ['"v1"', '"v1"']


def test_redirect_loop_is_blocked_and_named(fetcher: Fetcher, feed_server: FeedServer) -> None:
    a = feed_server.redirect("/a", "/b")
    b = feed_server.redirect("/b", "/a")
    error = fetch_error(fetcher, a)
    assert error.outcome is Outcome.BLOCKED
    assert error.message == f"redirect loop: {a} → {b} → {a}"


def test_redirect_to_itself_is_a_loop(fetcher: Fetcher, feed_server: FeedServer) -> None:
    a = feed_server.redirect("/a", "/a", status=301)
    error = fetch_error(fetcher, a)
    assert error.outcome is Outcome.BLOCKED
    assert error.message == f"redirect loop: {a} → {a}"


def test_max_redirects_hops_are_followed_and_one_more_is_blocked(feed_server: FeedServer) -> None:
    feed_server.add("/hop/3", FEED)
    for i in range(3):
        feed_server.redirect(f"/hop/{i}", f"/hop/{i + 1}")
    with Fetcher(loopback(max_redirects=3), UA) as fetcher:
        assert fetcher.fetch(feed_server.url("/hop/0")).body == FEED
    with Fetcher(loopback(max_redirects=2), UA) as fetcher:
        error = fetch_error(fetcher, feed_server.url("/hop/0"))
    assert error.outcome is Outcome.BLOCKED
    assert error.message.startswith("too many redirects (more than 2): ")
    assert error.message.endswith(" → ".join(feed_server.url(f"/hop/{i}") for i in range(4)))
    assert len(feed_server.requests("/hop/3")) == 1  # only the first fetch got there


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("file:///etc/passwd", "only http and https URLs are allowed"),
        ("ftp://ftp.example.org/feed.xml", "only http and https URLs are allowed"),
        ("javascript:alert(1)", "redirects to an invalid URL"),
        # An address httpx cannot read: it was "broke the HTTP protocol", a connection error.
        ("http://0177.0.0.1:8080/feed", "redirects to an invalid URL"),
    ],
)
def test_redirect_to_another_scheme_is_blocked(
    fetcher: Fetcher, feed_server: FeedServer, target: str, message: str
) -> None:
    error = fetch_error(fetcher, feed_server.redirect("/a", target))
    assert error.outcome is Outcome.BLOCKED
    assert message in error.message


@pytest.mark.parametrize("url", ["ftp://example.org/feed", "file:///etc/passwd", "data:,x"])
def test_non_http_urls_are_blocked(fetcher: Fetcher, url: str) -> None:
    error = fetch_error(fetcher, url)
    assert error.outcome is Outcome.BLOCKED
    assert error.message == f"refused to fetch {url}: only http and https URLs are allowed"


def test_redirect_without_location_is_an_http_error(
    fetcher: Fetcher, feed_server: FeedServer
) -> None:
    error = fetch_error(fetcher, feed_server.add("/a", status=301))
    assert error.outcome is Outcome.HTTP_ERROR
    assert error.http_status == 301


def test_a_location_with_backslashes_is_read_as_a_browser_reads_it(
    fetcher: Fetcher, feed_server: FeedServer
) -> None:
    """In an http(s) URL a browser reads "\\" as "/" before the query (WHATWG URL): a
    Location of `\\dir\\feed` was the path `/\\dir\\feed` here (a 404), and `\\\\host\\feed`
    a path on the same host, not `//host/feed`."""
    final = feed_server.add("/dir/feed", FEED)
    here = f"127.0.0.1:{feed_server.port}"
    for path, location in [
        ("/a", "\\dir\\feed"),
        ("/b", f"\\\\{here}\\dir\\feed"),
        ("/c", f"http:\\\\{here}\\dir/feed?q=a\\b#x\\y"),
    ]:
        result = fetcher.fetch(feed_server.redirect(path, location))
        assert result.url.split("?")[0] == final, location
    assert feed_server.requests()[-1].path == "/dir/feed?q=a\\b"  # (a query's "\\" is its own)


@pytest.mark.parametrize(
    ("sent", "path"),
    [
        ("/café".encode(), "/caf%C3%A9"),  # UTF-8, as browsers read a Location
        (b"/caf\xe9", "/caf%E9"),  # not UTF-8: its bytes kept, as Chromium does
    ],
)
def test_a_location_s_raw_bytes_are_read_as_browsers_read_them(
    fetcher: Fetcher, feed_server: FeedServer, sent: bytes, path: str
) -> None:
    """httpx decodes all of a response's headers as Latin-1 when one is not UTF-8 (a server
    name "Caf\xe9" beside it): the UTF-8 Location "/café" was asked as "/caf%C3%83%C2%A9"."""
    final = feed_server.add(path, FEED)

    def moved(h: Any) -> None:
        h.send_response(302)
        h.send_header("Location", sent.decode("latin-1"))  # (http.server writes Latin-1)
        h.send_header("Server-Name", "Caf\xe9")
        h.send_header("Content-Length", "0")
        h.end_headers()

    result = fetcher.fetch(feed_server.add_handler("/moved", moved))
    assert result.url == final


@pytest.mark.parametrize("location", [":x://]", ":x://[", ":https://]xn--a"])
def test_a_location_urllib_cannot_join_is_an_invalid_url_not_a_crash(
    fetcher: Fetcher, feed_server: FeedServer, location: str
) -> None:
    """urllib's urlsplit raises ValueError ("Invalid IPv6 URL") for these references, and it
    came out of the fetch as is, a crash of the refresh job rather than the source's failure."""
    error = fetch_error(fetcher, feed_server.redirect("/moved", location))
    assert error.outcome is Outcome.BLOCKED
    assert "redirects to an invalid URL" in str(error)

    def twice(h: Any) -> None:  # (httpx reads two Locations joined: ":x://], /feed")
        h.send_response(302)
        h.send_header("Location", location)
        h.send_header("Location", "/feed")
        h.send_header("Content-Length", "0")
        h.end_headers()

    error = fetch_error(fetcher, feed_server.add_handler("/twice", twice))
    assert error.outcome is Outcome.BLOCKED


@pytest.mark.parametrize("location", ["//xn--/feed", "http://xn--ls8h.xn--/", "//xn--a/"])
def test_a_host_idna_cannot_read_is_an_invalid_url_not_an_internal_error(
    fetcher: Fetcher, feed_server: FeedServer, location: str
) -> None:
    """httpx's URL.host decodes any "xn--" host and lets idna's error out (encode/httpx#3710):
    a redirect there, or a source at one (xn--ls8h.la, which IDNA 2008 refuses as it refuses
    its Unicode form), was recorded as an internal error, "a bug in the aggregator"."""
    error = fetch_error(fetcher, feed_server.redirect("/moved", location))
    assert error.outcome is Outcome.BLOCKED
    assert "invalid URL" in str(error)
    error = fetch_error(fetcher, "http://xn--ls8h.la/feed")
    assert (error.outcome, str(error)) == (
        Outcome.BLOCKED,
        "invalid URL http://xn--ls8h.la/feed: its host is no internationalized name IDNA 2008"
        " reads (Codepoint U+1F4A9 at position 1 of '💩' not allowed)",
    )


def test_a_300_with_a_location_is_not_followed(fetcher: Fetcher, feed_server: FeedServer) -> None:
    """As browsers do not (Chromium's HttpResponseHeaders::IsRedirectResponseCode leaves 300
    out: "Users probably want to see 300 (multiple choice) pages"; the Fetch standard's
    redirect statuses are 301, 302, 303, 307, 308): an HTTP error the operator sees."""
    feed_server.add("/feed.xml", FEED)
    error = fetch_error(fetcher, feed_server.redirect("/choices", "/feed.xml", status=300))
    assert (error.outcome, error.http_status) == (Outcome.HTTP_ERROR, 300)
    assert feed_server.requests("/feed.xml") == []


# --- statuses ------------------------------------------------------------------------------------


def test_410_means_gone(fetcher: Fetcher, feed_server: FeedServer) -> None:
    url = feed_server.add("/feed", status=410)
    error = fetch_error(fetcher, url)
    assert error.outcome is Outcome.GONE
    assert error.http_status == 410
    assert error.message == f"HTTP 410 Gone from {url}"


@pytest.mark.parametrize(
    ("status", "text"),
    [(404, "Not Found"), (403, "Forbidden"), (500, "Internal Server Error"), (502, "Bad Gateway")],
)
def test_error_statuses_are_http_errors_with_readable_messages(
    fetcher: Fetcher, feed_server: FeedServer, status: int, text: str
) -> None:
    url = feed_server.add("/feed", b"oops", status=status)
    error = fetch_error(fetcher, url)
    assert error.outcome is Outcome.HTTP_ERROR
    assert error.http_status == status
    assert error.retry_after is None
    assert error.message == f"HTTP {status} {text} from {url}"


@pytest.mark.parametrize(
    ("headers", "wall"),
    [
        ({"cf-mitigated": "challenge", "Server": "cloudflare"}, "Cloudflare's bot check"),
        ({"X-Sucuri-Block": "BOT"}, "Sucuri's firewall"),
        ({"X-DataDome": "protected"}, "DataDome's bot protection"),
        ({"x-amzn-waf-action": "captcha"}, "AWS WAF"),
    ],
)
def test_a_bot_check_that_turns_us_away_is_named(
    fetcher: Fetcher, feed_server: FeedServer, headers: dict[str, str], wall: str
) -> None:
    """A bare "HTTP 403 Forbidden" reads as a feed that moved or went private; the site's bot
    protection says so in its headers, and only the site can let feed readers through."""
    url = feed_server.add("/feed", status=403, headers=headers)
    error = fetch_error(fetcher, url)
    assert error.outcome is Outcome.HTTP_ERROR
    assert error.message == (
        f"HTTP 403 Forbidden from {url}: {wall} turned us away, as it does programs; ask the"
        " site to let feed readers through, or for another address of the feed"
    )
    plain = fetch_error(fetcher, feed_server.add("/plain", status=403))
    assert plain.message == f"HTTP 403 Forbidden from {feed_server.url('/plain')}"


def test_unregistered_path_is_a_404(fetcher: Fetcher, feed_server: FeedServer) -> None:
    error = fetch_error(fetcher, feed_server.url("/nothing-here"))
    assert error.http_status == 404


@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_in_seconds(fetcher: Fetcher, feed_server: FeedServer, status: int) -> None:
    url = feed_server.add("/feed", status=status, headers={"Retry-After": "120"})
    error = fetch_error(fetcher, url)
    assert error.outcome is Outcome.HTTP_ERROR
    assert error.http_status == status
    assert error.retry_after == 120.0
    assert "Retry-After: 120 s" in error.message


@pytest.mark.parametrize("value", ["9" * 300, "Fri, 31 Dec 9999 23:59:59 GMT", "21601"])
def test_a_retry_after_past_the_longest_backoff_says_what_the_wait_is(
    fetcher: Fetcher, feed_server: FeedServer, value: str
) -> None:
    """The wait is capped (fetch.max_backoff, 6 h); the message said "Retry-After: 2.51606e+11 s"
    as if the source were stopped for 8,000 years."""
    url = feed_server.add("/feed", status=503, headers={"Retry-After": value})
    error = fetch_error(fetcher, url)
    assert error.message == (
        f"HTTP 503 Service Unavailable from {url} (Retry-After: more than 6h; we wait 6h at"
        " most, or the source's interval when longer)"
    )
    assert error.retry_after is not None
    assert error.retry_after > 6 * 3600


def test_retry_after_as_http_date(fetcher: Fetcher, feed_server: FeedServer) -> None:
    # Measured against the response's Date header (both from the server's clock).
    later = format_datetime(datetime.now(UTC) + timedelta(hours=1), usegmt=True)
    url = feed_server.add("/feed", status=503, headers={"Retry-After": later})
    error = fetch_error(fetcher, url)
    assert error.http_status == 503
    assert error.retry_after is not None
    assert 3000 < error.retry_after <= 3601


def parse_retry_after(value: str, now: datetime) -> float | None:
    """What a 429/503 with this Retry-After tells the scheduler (one parser for every hint)."""
    return cache_hints({"retry-after": value}, now)[2]


def test_parse_retry_after() -> None:
    now = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    assert parse_retry_after("120", now) == 120.0
    assert parse_retry_after("  7 ", now) == 7.0
    assert parse_retry_after("0", now) == 0.0
    assert parse_retry_after("Wed, 01 May 2024 12:30:00 GMT", now) == 1800.0
    assert parse_retry_after("Wed, 01 May 2024 11:00:00 GMT", now) == 0.0  # in the past
    assert parse_retry_after("Wed, 01 May 2024 12:00:10 -0000", now) == 10.0
    for bad in ("", "-5", "1.5", "soon", "²"):
        assert parse_retry_after(bad, now) is None


# --- content codings and the size cap ------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "deflate-raw", "br"])
def test_compressed_bodies_are_decoded(
    fetcher: Fetcher, feed_server: FeedServer, encoding: str
) -> None:
    # Every fixture twice: ~32 KB of text in several encodings, and gzip bytes.
    body = b"".join(f.path.read_bytes() for f in FEEDS) * 2
    result = fetcher.fetch(feed_server.add("/feed", body, encoding=encoding))
    assert result.body == body


def test_unsupported_content_encoding_is_an_error(
    fetcher: Fetcher, feed_server: FeedServer
) -> None:
    url = feed_server.add("/feed", b"\x1f\x9d...", headers={"Content-Encoding": "compress"})
    error = fetch_error(fetcher, url)
    assert error.outcome is Outcome.HTTP_ERROR
    assert "unsupported Content-Encoding 'compress'" in error.message


@pytest.mark.parametrize(
    "label", ["gzip, br", "br, gzip", "deflate, gzip", "gzip,br", "GZIP, identity, br"]
)
def test_stacked_content_codings_are_decoded_in_order(
    fetcher: Fetcher, feed_server: FeedServer, label: str
) -> None:
    """Codings listed in the order they were applied (RFC 9110 §8.4), decoded in reverse: a
    server's "gzip, br" was refused as an unsupported coding."""
    body = b"".join(f.path.read_bytes() for f in FEEDS)
    encoded = body
    for coding in (c.strip().lower() for c in label.split(",")):
        if coding == "gzip":
            encoded = gzip.compress(encoded)
        elif coding == "deflate":
            encoded = zlib.compress(encoded)
        elif coding == "br":
            encoded = brotli.compress(encoded)
    url = feed_server.add("/feed", encoded, headers={"Content-Encoding": label})
    assert fetcher.fetch(url).body == body


def test_more_stacked_codings_than_any_server_uses_are_refused(
    fetcher: Fetcher, feed_server: FeedServer
) -> None:
    url = feed_server.add("/feed", FEED, headers={"Content-Encoding": ", ".join(["gzip"] * 4)})
    error = fetch_error(fetcher, url)
    assert error.outcome is Outcome.HTTP_ERROR
    assert error.message == (
        f"unsupported Content-Encoding 'gzip, gzip, gzip, gzip' (more than 3 layers) from {url}"
    )


def test_a_gzip_bomb_inside_brotli_is_stopped_at_the_cap_in_bounded_memory(
    fetcher: Fetcher, feed_server: FeedServer
) -> None:
    # 1 GB of zeros gzipped (~1 MB), then brotli over that (a few KB): the gzip layer's output
    # is the body, bounded by the cap as a bare gzip bomb's is.
    bomb = brotli.compress(b"".join(_zeros_zlib(1 << 30, "gzip")), quality=5)
    url = feed_server.add("/bomb", bomb, headers={"Content-Encoding": "gzip, br"})
    error, peak = fetch_error_and_peak(fetcher, url)
    assert error.outcome is Outcome.TOO_LARGE
    assert error.message.startswith(f"too large: {url} sent a gzip, br body that decodes to")
    assert peak < 64 * 1024 * 1024, f"peak traced memory {peak:,} bytes"


def test_a_layer_under_another_is_bounded_though_it_decodes_to_nothing(
    feed_server: FeedServer,
) -> None:
    # A gzip stream of empty blocks decodes to nothing, so only the brotli layer's output, the
    # gzip layer's input, grows: it is bounded as bytes arriving encoded are.
    empty_blocks = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff" + b"\x00\x00\x00\xff\xff" * 200_000
    url = feed_server.add(
        "/empty", brotli.compress(empty_blocks), headers={"Content-Encoding": "gzip, br"}
    )
    with Fetcher(loopback(max_body_bytes=100_000), UA) as fetcher:
        error = fetch_error(fetcher, url)
    assert error.outcome is Outcome.TOO_LARGE
    assert error.message == (
        f"too large: {url} sent a gzip, br body whose br layer decodes to more than 178,036"
        " bytes (the fetch.max_body_bytes limit)"
    )


@pytest.mark.parametrize("encoding", [None, "gzip", "deflate", "br"])
def test_body_of_exactly_the_cap_passes_and_one_byte_more_does_not(
    feed_server: FeedServer, encoding: str | None
) -> None:
    cap = 100_000
    feed_server.add("/fits", b"x" * cap, encoding=encoding)
    feed_server.add("/over", b"x" * (cap + 1), encoding=encoding)
    with Fetcher(loopback(max_body_bytes=cap), UA) as fetcher:
        assert fetcher.fetch(feed_server.url("/fits")).body == b"x" * cap
        error = fetch_error(fetcher, feed_server.url("/over"))
    assert error.outcome is Outcome.TOO_LARGE
    # What happened first (a table cut to its column keeps it); a coded body "decodes to" more.
    sent = "sent" if encoding is None else f"sent a {encoding} body that decodes to"
    assert error.message == (
        f"too large: {feed_server.url('/over')} {sent} more than 100,000 bytes"
        " (the fetch.max_body_bytes limit)"
    )


def test_endless_body_is_too_large(feed_server: FeedServer) -> None:
    with Fetcher(loopback(max_body_bytes=256 * 1024), UA) as fetcher:
        error = fetch_error(fetcher, feed_server.endless("/forever"))
    assert error.outcome is Outcome.TOO_LARGE


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br"])
def test_compression_bomb_is_stopped_in_bounded_memory(
    fetcher: Fetcher, feed_server: FeedServer, encoding: str
) -> None:
    # 1 GB of zeros; the server writes 64 KiB at a time, and decoding one such read whole would
    # take ~150 MB (gzip) or ~360 MB (brotli). Stopping at the 10 MiB cap with bounded
    # decompression needs about two caps. tracemalloc sees the Python-level buffers that matter
    # here (ru_maxrss would be a lifetime peak, blind after any earlier hungrier test).
    url = feed_server.bomb("/bomb", encoding=encoding, size=1 << 30)
    error, peak = fetch_error_and_peak(fetcher, url)
    assert error.outcome is Outcome.TOO_LARGE
    assert error.message.startswith(f"too large: {url} sent a {encoding} body that decodes to")
    assert peak < 64 * 1024 * 1024, f"peak traced memory {peak:,} bytes"


def test_declared_length_over_the_cap_is_refused_before_reading(feed_server: FeedServer) -> None:
    with Fetcher(loopback(max_body_bytes=10), UA) as fetcher:
        error = fetch_error(fetcher, feed_server.add("/feed", FEED))
    assert error.outcome is Outcome.TOO_LARGE


# --- time limits ---------------------------------------------------------------------------------


@pytest.mark.timeout(60)
def test_slow_drip_ends_at_the_deadline(feed_server: FeedServer) -> None:
    # Each byte comes well within the read timeout; only the overall deadline can stop this
    # (the whole body would take ~8 minutes).
    url = feed_server.drip("/slow", b"x" * 1000, interval=0.5)
    with Fetcher(loopback(read_timeout=20.0, deadline=2.0), UA) as fetcher:
        error = fetch_error(fetcher, url)
    assert error.outcome is Outcome.TIMEOUT
    assert error.message == f"gave up on {url} at the 2 s deadline"


@pytest.mark.timeout(60)
def test_deadline_covers_a_redirect_chain_into_a_drip(feed_server: FeedServer) -> None:
    feed_server.drip("/slow", b"x" * 1000, interval=0.5)
    url = feed_server.redirect("/a", "/slow")
    with Fetcher(loopback(read_timeout=20.0, deadline=2.0), UA) as fetcher:
        error = fetch_error(fetcher, url)
    assert error.outcome is Outcome.TIMEOUT
    assert "2 s deadline" in error.message


@pytest.mark.timeout(60)
def test_server_that_never_answers_hits_the_read_timeout(feed_server: FeedServer) -> None:
    url = feed_server.hang("/black-hole")
    with Fetcher(loopback(read_timeout=1.0, deadline=30.0), UA) as fetcher:
        error = fetch_error(fetcher, url)
    assert error.outcome is Outcome.TIMEOUT
    assert error.message == f"read timeout: {url} sent nothing for 1 s"


@pytest.mark.timeout(60)
def test_server_that_never_answers_hits_the_deadline(feed_server: FeedServer) -> None:
    url = feed_server.hang("/black-hole")
    with Fetcher(loopback(read_timeout=20.0, deadline=1.5), UA) as fetcher:
        error = fetch_error(fetcher, url)
    assert error.outcome is Outcome.TIMEOUT
    assert error.message == f"gave up on {url} at the 1.5 s deadline"


def test_a_fetcher_is_usable_after_a_deadline(feed_server: FeedServer) -> None:
    feed_server.drip("/slow", interval=0.5)
    with Fetcher(loopback(deadline=1.0), UA) as fetcher:
        assert fetch_error(fetcher, feed_server.url("/slow")).outcome is Outcome.TIMEOUT
        assert fetcher.fetch(feed_server.add("/feed", FEED)).body == FEED


# --- one client shared by threads ----------------------------------------------------------------


@pytest.mark.timeout(120)
def test_many_threads_many_hosts_no_spurious_failures() -> None:
    """Threads sharing one Fetcher across more hosts than it keeps alive: every fetch succeeds.

    Before the fix about 1 in 2,000 such fetches failed with a local EBADF or a read timeout
    (encode/httpcore#1110): a race, so this short run catches it only sometimes (2 runs in 3
    here), the slow run below nearly always, and the step-by-step test below every time.
    """
    assert _hammer(hosts=30, threads=32, fetches=1_600) == []


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_many_threads_many_hosts_no_spurious_failures_long() -> None:
    assert _hammer(hosts=50, threads=16, fetches=20_000) == []


def _hammer(hosts: int, threads: int, fetches: int) -> list[str]:
    """Fetch from `hosts` loopback addresses in `threads` threads; the errors, as text."""
    servers: list[FeedServer] = []
    switch = sys.getswitchinterval()
    try:
        for i in range(hosts):
            servers.append(_loopback_server(f"127.0.0.{i + 2}"))
        urls = [s.add(f"/{n}.xml", FEED * 20, etag='"v1"') for s in servers for n in range(10)]
        # Handing the GIL over more often makes thread interleavings, and so races, likelier.
        sys.setswitchinterval(1e-5)
        with Fetcher(loopback(), UA) as fetcher:

            def one(n: int) -> str | None:
                url = urls[(n * 7919) % len(urls)]  # spread over hosts, repeating every so often
                try:
                    fetcher.fetch(url, etag='"v1"' if n % 2 else None)  # 304s and 200s
                except FetchError as e:
                    return f"{url}: {e}"
                return None

            with ThreadPoolExecutor(max_workers=threads) as pool:
                return [e for e in pool.map(one, range(fetches)) if e is not None]
    finally:
        sys.setswitchinterval(switch)
        for server in servers:
            server.stop()


def _loopback_server(host: str) -> FeedServer:
    try:
        return FeedServer(host).start()
    except OSError as e:
        pytest.skip(f"cannot listen on {host} ({e}): Linux routes all of 127.0.0.0/8 to lo")


def test_a_pass_never_closes_a_connection_handed_to_a_waiting_request() -> None:
    """encode/httpcore#1110, step by step, on real loopback connections.

    httpcore runs a pass over its pool whenever a request starts or ends, in whichever thread that
    is. Its steps are run here by hand in the order a stress run caught them (see
    test_many_threads_many_hosts_no_spurious_failures): one pass hands an idle connection to a
    waiting request; before that request starts, another pass picks the same connection to close
    (one over the keep-alive limit); the waiting thread starts its request; then the closing thread
    closes the connection, outside the pool's lock, under the running request.
    """
    big = b"<rss>" + b"x" * (1 << 20) + b"</rss>"  # more than one socket read after the headers
    with FeedServer() as x, FeedServer() as y, FeedServer() as z:
        url_x, url_y, url_z = (s.add("/feed", big) for s in (x, y, z))
        pool = _Pool(
            max_keepalive_connections=2, network_backend=_GuardedBackend(PrivateAccess(any=True))
        )
        with pool:
            for url in (url_x, url_y):  # two idle keep-alive connections
                assert pool.request("GET", url, extensions=_TIMEOUTS).status == 200
            waiting = _wait_in(pool, url_x)
            assert pool._assign_requests_to_connections() == []
            handed = waiting.connection
            assert handed is not None
            assert handed.is_idle()  # handed out, not yet started
            _wait_in(pool, url_z)  # gets a new connection: three, one over the limit
            assert pool._assign_requests_to_connections() == []
            closing = pool._assign_requests_to_connections()  # the other thread's pass

            response = handed.handle_request(waiting.request)  # the waiting thread starts
            pool._close_connections(closing)  # the other thread closes what it picked
            # Before the fix: httpcore.ReadError: [Errno 9] Bad file descriptor
            assert b"".join(cast(Iterable[bytes], response.stream)) == big
            assert handed not in closing
            pool._requests.clear()


_TIMEOUTS: dict[str, Any] = {"timeout": dict.fromkeys(("connect", "read", "write", "pool"), 5.0)}


def _wait_in(pool: _Pool, url: str) -> PoolRequest:
    """A request queued in `pool`, as ConnectionPool.handle_request queues it."""
    host = url.split("/")[2].encode()
    request = PoolRequest(
        httpcore.Request("GET", url, headers=[(b"Host", host)], extensions=_TIMEOUTS)
    )
    pool._requests.append(request)
    return request


# --- connection failures -------------------------------------------------------------------------


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_refused_connection(fetcher: Fetcher) -> None:
    port = _closed_port()
    error = fetch_error(fetcher, f"http://127.0.0.1:{port}/feed")
    assert error.outcome is Outcome.CONNECTION_ERROR
    assert error.message.startswith(f"could not connect to 127.0.0.1 port {port}: ")


def test_unresolvable_host(fetcher: Fetcher) -> None:
    error = fetch_error(fetcher, "http://example.invalid/feed")
    assert error.outcome is Outcome.CONNECTION_ERROR
    assert error.message.startswith("could not resolve host example.invalid")


def test_https_to_plain_http_on_the_default_port_names_that_port() -> None:
    """The hint for an https:// address answered in plain HTTP named port 80, where nothing
    may listen; the server that answered is on 443 (a review)."""
    cause = ssl.SSLError(1, "[SSL: WRONG_VERSION_NUMBER] wrong version number")
    cause.reason = "WRONG_VERSION_NUMBER"
    error = httpx.ConnectError("handshake")
    error.__cause__ = cause
    message = _connection_message(error, httpx.URL("https://intranet.example/feed"))
    assert message.endswith("is it http://intranet.example:443/feed?")


def test_tls_failure_is_a_connection_error(fetcher: Fetcher, feed_server: FeedServer) -> None:
    # The feed server speaks plain HTTP, so a TLS handshake with it fails.
    url = feed_server.add("/feed", FEED).replace("http://", "https://")
    error = fetch_error(fetcher, url)
    assert error.outcome is Outcome.CONNECTION_ERROR
    assert error.message.startswith("TLS handshake with 127.0.0.1 failed: ")
    # The raw reason (WRONG_VERSION_NUMBER) named no fix: an operator's https:// typo.
    plain = url.replace("https://", "http://")
    assert error.message.endswith(f"; the server answers plain HTTP there, not TLS: is it {plain}?")


@pytest.mark.timeout(60)
def test_tls_uses_the_host_name_while_connecting_to_the_vetted_address(
    fetcher: Fetcher, tmp_path: Path
) -> None:
    # The backend connects to the IP it checked; SNI and certificate checks must still use the
    # name in the URL. A TLS server records the SNI it is offered (the handshake then fails on
    # the self-signed certificate, which is the expected error).
    if shutil.which("openssl") is None:
        hint = "needs the openssl command (apt-get install openssl)"
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the TLS test, but it {hint}")
        pytest.skip(hint)
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-subj", "/CN=localhost", "-keyout", str(key), "-out", str(cert)),
        ],
        check=True,
        capture_output=True,
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    offered: list[str | None] = []
    context.sni_callback = lambda _sock, name, _ctx: offered.append(name)

    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]

        def serve_one() -> None:
            conn, _ = listener.accept()
            with conn, contextlib.suppress(ssl.SSLError, OSError):
                context.wrap_socket(conn, server_side=True).close()

        server = threading.Thread(target=serve_one)
        server.start()
        error = fetch_error(fetcher, f"https://localhost:{port}/feed")
        server.join()

    assert offered == ["localhost"]
    assert error.outcome is Outcome.CONNECTION_ERROR
    assert error.message.startswith("TLS handshake with localhost failed: ")
    assert "self-signed certificate" in error.message


def test_every_client_checks_certificates_with_the_one_shared_tls_context() -> None:
    """Loaded once per process (certifi's bundle costs ~60 ms), by clients of every policy."""
    shared = tls_context()
    assert (shared.verify_mode, shared.check_hostname) == (ssl.CERT_REQUIRED, True)
    with Fetcher(FetchConfig(), "test/1") as fetcher:
        for access in (NO_PRIVATE_ACCESS, PrivateAccess.of(["127.0.0.1"], False)):
            pool = fetcher._client_for(access)._transport._pool  # type: ignore[attr-defined]
            assert pool._ssl_context is shared


def test_garbage_instead_of_http_is_a_connection_error(
    fetcher: Fetcher, feed_server: FeedServer
) -> None:
    def garbage(h: Handler) -> None:
        h.close_connection = True
        h.wfile.write(b"this is not HTTP\r\n\r\n")

    error = fetch_error(fetcher, feed_server.add_handler("/feed", garbage))
    assert error.outcome is Outcome.CONNECTION_ERROR
    assert error.message.startswith("127.0.0.1 broke the HTTP protocol: ")


# --- private networks ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "problem"),
    [
        ("127.0.0.1", "loopback address"),
        ("127.255.255.254", "loopback address"),
        ("10.1.2.3", "private address"),
        ("172.16.0.1", "private address"),
        ("172.31.255.255", "private address"),
        ("192.168.1.1", "private address"),
        ("169.254.169.254", "link-local address"),  # cloud metadata endpoints
        ("100.64.0.1", "carrier-grade NAT address"),
        ("100.127.255.255", "carrier-grade NAT address"),
        ("0.0.0.0", "unspecified address"),
        ("224.0.0.1", "multicast address"),
        ("239.255.255.250", "multicast address"),
        ("255.255.255.255", "reserved address"),
        ("192.0.2.10", "documentation address"),
        ("198.18.0.1", "benchmarking address"),
        ("::", "unspecified address"),
        ("::1", "loopback address"),
        ("fe80::1", "link-local address"),
        ("fe80::1%1", "link-local address"),
        ("fc00::1", "unique local address"),
        ("fd12:3456:789a::1", "unique local address"),
        ("ff02::1", "multicast address"),
        ("::ffff:127.0.0.1", "IPv4-mapped address"),
        ("::ffff:8.8.8.8", "IPv4-mapped address"),
        ("2001:db8::1", "documentation address"),
        ("2002:7f00:1::", "loopback address inside an IPv6 address"),  # 6to4 of 127.0.0.1
        ("2002:a00:1::", "private address inside an IPv6 address"),  # 6to4 of 10.0.0.1
        ("64:ff9b::a9fe:a9fe", "link-local address inside an IPv6 address"),  # NAT64
        # NAT64's local-use prefix (RFC 8215), and SIIT's IPv4-translated addresses
        ("64:ff9b:1::a9fe:a9fe", "local-use NAT64 address"),
        ("64:ff9b:1:a00:0:100:808:808", "local-use NAT64 address"),  # 10.0.0.1 in a /48 one
        ("::ffff:0:a9fe:a9fe", "IPv4-translated address"),
        ("fec0::1", "site-local address"),
    ],
)
def test_non_public_addresses(address: str, problem: str) -> None:
    assert address_problem(address) == problem
    assert not is_public_address(address)


@pytest.mark.parametrize(
    "address",
    [
        "8.8.8.8",
        "1.1.1.1",
        "93.184.216.34",
        "172.15.255.255",
        "172.32.0.1",
        "100.63.255.255",
        "100.128.0.1",
        "2606:4700:4700::1111",
        "2a00:1450:4001:80b::200e",
        "2002:808:808::",  # 6to4 of 8.8.8.8
        "64:ff9b::808:808",  # NAT64 of 8.8.8.8
    ],
)
def test_public_addresses(address: str) -> None:
    assert address_problem(address) is None
    assert is_public_address(address)
    assert is_public_address(ipaddress.ip_address(address))


def test_loopback_is_refused_by_default(feed_server: FeedServer) -> None:
    with Fetcher(FetchConfig(), UA) as fetcher:
        error = fetch_error(fetcher, feed_server.add("/feed", FEED))
    assert error.outcome is Outcome.BLOCKED
    assert error.message == (
        "refused to connect to 127.0.0.1 (loopback address); "
        "set allow_private_networks on this source to allow it"
    )
    assert feed_server.requests() == []


def test_a_source_allowed_other_networks_is_told_which_it_has(feed_server: FeedServer) -> None:
    # "set allow_private_networks" misled an operator whose source already had it, for another.
    access = ["10.0.0.0/8", "intranet.example"]
    with Fetcher(FetchConfig(), UA) as fetcher:
        error = fetch_error(fetcher, feed_server.add("/feed", FEED), allow_private=access)
    assert error.outcome is Outcome.BLOCKED
    assert error.message == (
        "refused to connect to 127.0.0.1 (loopback address); not in this source's "
        "allow_private_networks (10.0.0.0/8, intranet.example); add it there to allow it"
    )
    assert feed_server.requests() == []


def test_a_resolver_that_never_answers_ends_at_the_deadline(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A source's own DNS server that never answers held a fetch with a 3 s deadline for 20 s
    # (the resolver's retries): the lookup ran outside every time limit. No resolver can be
    # made to hang here without root, so getaddrinfo stands for one that does.
    lookup_ended = threading.Event()
    real = socket.getaddrinfo

    def hung(host: str, *args: Any, **kwargs: Any) -> Any:
        if host == "hung.example":
            lookup_ended.wait(30)
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", hung)
    config = FetchConfig(deadline=1.5, connect_timeout=10.0)
    started = time.monotonic()
    with Fetcher(config, UA) as fetcher:
        error = fetch_error(fetcher, "http://hung.example/feed.xml")
    lookup_ended.set()
    assert time.monotonic() - started < 5
    assert error.outcome is Outcome.TIMEOUT
    assert "could not resolve host hung.example (no answer from DNS within" in error.message


def test_a_name_resolving_to_loopback_is_refused(feed_server: FeedServer) -> None:
    url = feed_server.add("/feed", FEED).replace("127.0.0.1", "localhost")
    with Fetcher(FetchConfig(), UA) as fetcher:
        error = fetch_error(fetcher, url)
    assert error.outcome is Outcome.BLOCKED
    assert error.message.startswith("refused to connect to localhost at ")
    assert "(loopback address); set allow_private_networks on this source" in error.message
    assert feed_server.requests() == []


def test_private_networks_can_be_allowed(fetcher: Fetcher, feed_server: FeedServer) -> None:
    url = feed_server.add("/feed", FEED)
    assert fetcher.fetch(url).body == FEED
    # By name too: the backend resolves the name itself and connects to what it vetted.
    result = fetcher.fetch(url.replace("127.0.0.1", "localhost"))
    assert result.body == FEED
    assert feed_server.requests("/feed")[1].header("Host") == f"localhost:{feed_server.port}"


# --- gzip trailers and mislabelled codings ------------------------------------------------------

# A feed of ~90 KB, so its gzip stream spans several reads.
LONG_FEED = FEED.replace(b"</channel>", b"<item><title>x</title></item>" * 3000 + b"</channel>")


def _with_trailer(body: bytes, crc: int, size: int) -> bytes:
    return gzip.compress(body)[:-8] + crc.to_bytes(4, "little") + size.to_bytes(4, "little")


@pytest.mark.parametrize(
    ("sent", "said"),
    [
        (_with_trailer(LONG_FEED, zlib.crc32(LONG_FEED) ^ 1, len(LONG_FEED)), "its CRC-32 is 0x"),
        (
            _with_trailer(LONG_FEED, zlib.crc32(LONG_FEED), len(LONG_FEED) + 1),
            f"it says it inflates to {len(LONG_FEED) + 1:,} bytes",
        ),
        (gzip.compress(LONG_FEED)[:-8], None),  # no trailer: the response ends at the stream's
        (gzip.compress(LONG_FEED)[:-3], None),  # part of one
    ],
    ids=["wrong-crc", "wrong-size", "no-trailer", "cut-trailer"],
)
def test_a_gzip_body_whose_trailer_is_wrong_is_read_with_a_warning(
    fetcher: Fetcher, feed_server: FeedServer, sent: bytes, said: str | None
) -> None:
    # Every byte inflated, and only the checksum after them was wrong: we refused the feed
    # ("not valid gzip … incorrect data check"), where browsers read it (Chromium's
    # GzipSourceStream skips the trailer unread). Read, and the source warned of it.
    url = feed_server.add("/feed", sent, headers={"Content-Encoding": "gzip"})
    result = fetcher.fetch(url)
    assert result.body == LONG_FEED
    if said is None:
        assert result.warning is None
    else:
        assert result.warning is not None
        assert "does not match its own checksum" in result.warning
        assert said in result.warning


def test_a_gzip_trailer_is_checked_across_reads(fetcher: Fetcher, feed_server: FeedServer) -> None:
    # The trailer arrives split over two reads (the server flushes between them): still checked.
    sent = _with_trailer(LONG_FEED, zlib.crc32(LONG_FEED) ^ 1, len(LONG_FEED))

    def split(h: Handler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "application/xml")
        h.send_header("Content-Encoding", "gzip")
        h.send_header("Content-Length", str(len(sent)))
        h.end_headers()
        h.wfile.write(sent[:-5])
        h.wfile.flush()
        time.sleep(0.2)
        h.wfile.write(sent[-5:])

    result = fetcher.fetch(feed_server.add_handler("/split", split))
    assert result.body == LONG_FEED
    assert result.warning is not None
    assert "its CRC-32 is" in result.warning


@pytest.mark.parametrize(
    ("label", "sent"),
    [
        ("deflate", gzip.compress(LONG_FEED)),
        ("gzip", zlib.compress(LONG_FEED)),
        ("x-gzip", zlib.compress(LONG_FEED)),
    ],
    ids=["gzip-labelled-deflate", "zlib-labelled-gzip", "zlib-labelled-x-gzip"],
)
def test_a_body_labelled_with_the_other_coding_is_read(
    fetcher: Fetcher, feed_server: FeedServer, label: str, sent: bytes
) -> None:
    # Their first two bytes say which: a gzip magic number, or a zlib header's checked pair.
    url = feed_server.add("/feed", sent, headers={"Content-Encoding": label})
    result = fetcher.fetch(url)
    assert result.body == LONG_FEED
    assert result.warning is None


@pytest.mark.parametrize("label", ["x-gzip", "X-Gzip"])
def test_an_http_1_0_server_s_x_gzip_body_is_read_as_gzip(
    fetcher: Fetcher, feed_server: FeedServer, label: str
) -> None:
    # RFC 9110 §8.4.1.3: a recipient should treat "x-gzip" as "gzip" (HTTP/1.0 servers' name for
    # it), here with the body such a server sends: no length, the connection's close its end.
    sent = gzip.compress(LONG_FEED)

    def http_1_0(h: Handler) -> None:
        h.close_connection = True
        h.wfile.write(
            b"HTTP/1.0 200 OK\r\nContent-Type: application/rss+xml\r\n"
            + f"Content-Encoding: {label}\r\n\r\n".encode()
            + sent
        )

    result = fetcher.fetch(feed_server.add_handler("/old", http_1_0))
    assert result.body == LONG_FEED
    assert result.warning is None


@pytest.mark.parametrize("label", ["gzip", "deflate"])
def test_a_body_labelled_compressed_that_is_not_says_so(
    fetcher: Fetcher, feed_server: FeedServer, label: str
) -> None:
    url = feed_server.add("/feed", LONG_FEED, headers={"Content-Encoding": label})
    error = fetch_error(fetcher, url)
    assert error.outcome is Outcome.HTTP_ERROR
    assert error.message == (
        f"not valid {label}: {url} sent a body labelled Content-Encoding {label!r} (it is not"
        f" compressed at all: it starts with {LONG_FEED[:16]!r})"
    )


def test_a_gzip_bomb_labelled_deflate_is_stopped_at_the_cap_in_bounded_memory(
    fetcher: Fetcher, feed_server: FeedServer
) -> None:
    # Read as the gzip its bytes are, a bomb is bounded as one labelled gzip is.
    bomb = b"".join(_zeros_zlib(1 << 30, "gzip"))
    url = feed_server.add("/bomb", bomb, headers={"Content-Encoding": "deflate"})
    error, peak = fetch_error_and_peak(fetcher, url)
    assert error.outcome is Outcome.TOO_LARGE
    assert error.message.startswith(f"too large: {url} sent a deflate body that decodes to")
    assert peak < 64 * 1024 * 1024, f"peak traced memory {peak:,} bytes"


def _crc_source(url: str) -> tuple[SourceConfig, Config]:
    """One source, "crc", at `url`, in a config of its own."""
    source = SourceConfig(id="crc", name="CRC", url=url, categories=("c",), interval=900.0)
    config = Config(
        site=SiteConfig(title="T", base_url="http://127.0.0.1:8000"),
        fetch=evil.PROBE_FETCH,
        categories=(Category(slug="c", title="C"),),
        sources=(source,),
    )
    return source, config


def test_a_source_whose_gzip_trailer_is_wrong_keeps_its_feed_and_shows_a_warning(
    store: Store, feed_server: FeedServer
) -> None:
    # The refresh is OK, its articles are saved, and the source carries the warning (its
    # last_error of a success, which the admin shows as a warning, not an error).
    body = evil.rss(evil.item(1) + evil.item(2))
    sent = _with_trailer(body, zlib.crc32(body) ^ 0xFF, len(body))
    url = feed_server.add("/feed", sent, headers={"Content-Encoding": "gzip"})
    source, config = _crc_source(url)
    with Fetcher(config.fetch, UA) as fetcher:
        result = refresh_source(source, config, store, fetcher)
    assert result.outcome is Outcome.OK, result.error
    assert result.added == 2
    state = store.get_state("crc")
    assert state.last_error.startswith("The gzip-compressed body does not match its own checksum")
    assert state.consecutive_errors == 0


def test_a_gzip_checksum_warning_goes_when_the_server_fixes_it_and_the_feed_is_the_same(
    store: Store, feed_server: FeedServer
) -> None:
    # The warning is of the transfer, not of the document: a later read of the same feed,
    # compressed rightly, showed it still (kept as an unchanged document's warning), and one
    # compressed wrongly after a right one showed none, until the feed changed.
    body = evil.rss(evil.item(1) + evil.item(2))
    right = gzip.compress(body)
    wrong = _with_trailer(body, zlib.crc32(body) ^ 0xFF, len(body))
    url = feed_server.add("/feed", wrong, headers={"Content-Encoding": "gzip"})
    source, config = _crc_source(url)
    shown = []
    with Fetcher(config.fetch, UA) as fetcher:
        for sent in (wrong, right, right, wrong):
            feed_server.add("/feed", sent, headers={"Content-Encoding": "gzip"})
            result = refresh_source(source, config, store, fetcher)
            assert result.outcome in (Outcome.OK, Outcome.UNCHANGED), result.error
            shown.append(store.get_state("crc").last_error.startswith("The gzip-compressed"))
    assert shown == [True, False, False, True]
    assert len(store.source_articles("crc", 10)) == 2
