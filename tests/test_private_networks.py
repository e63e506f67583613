"""Private networks per source: `allow_private_networks` on one source lends nothing to another.

Every server here is on loopback, so "private" is 127.0.0.0/8: the feed server on 127.0.0.1, and a
redirector of our own on 127.0.0.2. A source allowed only 127.0.0.2 stands for a public source
(its first hop must succeed), and a source allowed 127.0.0.1 for the intranet feed the operator
meant to allow. Both are refreshed with one Fetcher, as one batch job does.
"""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from aggregator import config as config_module
from aggregator.config import FetchConfig, parse_config, summary
from aggregator.config_warnings import config_warnings
from aggregator.errors import ConfigError, FetchError
from aggregator.fetch import Fetcher
from aggregator.fulltext import enrich
from aggregator.models import Article, Outcome
from aggregator.normalize import trusted_host
from aggregator.parse import parse
from aggregator.redact import UNPUBLISHED_URL, UNREACHABLE_HOST_ERROR, public_error
from aggregator.refresh import refresh_source
from aggregator.sanitize import clean_html
from aggregator.store import Store
from aggregator.web import create_app
from tests.support.feed_server import FeedServer
from tests.support.pipeline import make_config
from tests.support.web_server import HttpClient, http_client

FEED = (
    b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Intranet</title>'
    b"<link>https://intranet.example/</link>"
    b"<item><guid>i1</guid><title>Internal memo</title><link>https://intranet.example/1</link>"
    b"</item></channel></rss>"
)


class _Redirector(http.server.BaseHTTPRequestHandler):
    target = ""

    def do_GET(self) -> None:
        self.send_response(302)
        self.send_header("Location", self.target)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


@pytest.fixture
def redirector() -> Iterator[tuple[http.server.ThreadingHTTPServer, type[_Redirector]]]:
    """A server on 127.0.0.2 answering every GET with a 302 to `handler.target`."""
    handler = type("Redirector", (_Redirector,), {})
    server = http.server.ThreadingHTTPServer(("127.0.0.2", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, handler
    server.shutdown()
    server.server_close()
    thread.join(5)


def _config(intranet_url: str, public_url: str, intranet_allows: str) -> str:
    return f"""
[fetch]
deadline = "10s"

[[categories]]
slug = "world"

[[sources]]
id = "intranet"
name = "Intranet"
url = "{intranet_url}"
categories = ["world"]
allow_private_networks = {intranet_allows}

[[sources]]
id = "public"
name = "Public"
url = "{public_url}"
categories = ["world"]
allow_private_networks = ["127.0.0.2/32"]  # stands for "public": see the module docstring
"""


@pytest.mark.parametrize("backslashes", [False, True], ids=["url", "backslashes"])
@pytest.mark.parametrize("intranet_allows", ['["127.0.0.1/32"]', "true", '["localhost"]'])
def test_a_redirect_from_another_source_never_reaches_the_allowed_private_network(
    feed_server: FeedServer,
    redirector: tuple[http.server.ThreadingHTTPServer, type[_Redirector]],
    store: Store,
    intranet_allows: str,
    backslashes: bool,
) -> None:
    """(Also by a Location a browser reads as another host's, `\\\\127.0.0.1:…\\…`: the
    fetcher reads it so too, and the guard holds there as well.)"""
    intranet_url = feed_server.add("/intranet.xml", FEED)
    if "localhost" in intranet_allows:
        intranet_url = intranet_url.replace("127.0.0.1", "localhost")
    server, handler = redirector
    handler.target = feed_server.url("/intranet.xml?via=redirect")
    if backslashes:
        handler.target = handler.target.removeprefix("http:").replace("/", "\\")
    public_url = f"http://127.0.0.2:{server.server_address[1]}/feed.xml"
    config = parse_config(_config(intranet_url, public_url, intranet_allows))
    intranet, public = config.sources
    now = datetime.now(UTC)
    with Fetcher(config.fetch, "aggregator-test/1") as fetcher:
        # The allowed source first: its connection to 127.0.0.1 is now in a pool.
        assert refresh_source(intranet, config, store, fetcher, now=now).outcome is Outcome.OK
        result = refresh_source(public, config, store, fetcher, now=now)
    assert result.outcome is Outcome.BLOCKED
    assert result.error.startswith("refused to connect to 127.0.0.1 (loopback address)")
    assert "allow_private_networks" in result.error  # the operator's detail (admin pages)
    assert public_error(store.get_state("public").last_error) == UNREACHABLE_HOST_ERROR
    assert [r.path for r in feed_server.requests()] == ["/intranet.xml"]  # never the redirect's


def test_a_listed_host_name_does_not_allow_the_same_address_by_another_name(
    feed_server: FeedServer, store: Store
) -> None:
    url = feed_server.add("/intranet.xml", FEED)
    text = _config(url, "https://unused.example/feed.xml", '["localhost"]')
    config = parse_config(text)
    with Fetcher(config.fetch, "aggregator-test/1") as fetcher:
        result = refresh_source(config.sources[0], config, store, fetcher)
    assert result.outcome is Outcome.BLOCKED
    assert feed_server.requests() == []


def test_allow_private_networks_values_are_checked() -> None:
    text = _config("https://a.example/f", "https://b.example/f", '["10.1.2.0/24", "bad host!"]')
    with pytest.raises(ConfigError) as caught:
        parse_config(text)
    assert caught.value.problems == [
        'sources[0] (id "intranet").allow_private_networks: "bad host!" is neither a network'
        ' like "10.1.2.0/24" nor a host name'
    ]
    with pytest.raises(ConfigError) as caught:
        parse_config(text.replace('"bad host!"', "5"))
    assert caught.value.problems == [
        'sources[0] (id "intranet").allow_private_networks: item 2 is an integer (5): networks'
        ' and hosts are written as strings, like "10.1.2.0/24" or "intranet.corp"'
    ]
    config = parse_config(text.replace('"bad host!"', '"intranet.corp"'))
    assert config.sources[0].allow_private_networks == ("10.1.2.0/24", "intranet.corp")
    assert (
        parse_config(text.replace('["10.1.2.0/24", "bad host!"]', "false"))
        .sources[0]
        .allow_private_networks
        == ()
    )


def test_every_bad_allow_private_networks_entry_is_named_and_empty_labels_are_no_host() -> None:
    # "intranet..corp" (a doubled dot) was taken as a host name that no URL can name, so the
    # source stayed refused with its setting looking right; and only the first bad entry was
    # named, where every problem is reported at once.
    hosts = '["intranet..corp", "10.1.2.0/24", ".corp", "corp-.x", "good-host.corp", "bad host!"]'
    text = _config("https://a.example/f", "https://b.example/f", hosts)
    with pytest.raises(ConfigError) as caught:
        parse_config(text)
    place = 'sources[0] (id "intranet").allow_private_networks'
    assert caught.value.problems == [
        f'{place}: "intranet..corp", ".corp", "corp-.x" and "bad host!" are neither networks'
        ' like "10.1.2.0/24" nor host names'
    ]


@pytest.mark.parametrize(
    "host", ["127.1", "0x7f000001", "017700000001", "[::127.0.0.1]", "[64:ff9b::7f00:1]"]
)
def test_check_config_warns_about_every_spelling_of_a_private_address(host: str) -> None:
    # The fetch refuses them all; the warning knew only the usual spellings.
    config = parse_config(_config("http://127.0.0.1:8080/f", f"http://{host}/f", "true"))
    assert any(w.startswith("sources[1] (public).url:") for w in config_warnings(config))


def test_check_config_warns_about_the_global_switch_and_not_about_allowed_sources() -> None:
    text = _config("http://127.0.0.1:8080/f", "http://10.9.9.9/f", "true")
    config = parse_config(text)
    warnings = config_warnings(config)
    assert not any("sources[0]" in w for w in warnings)  # allowed: nothing to warn about
    assert any(w.startswith("sources[1] (public).url: 10.9.9.9 is a local") for w in warnings)
    assert "may reach private networks: any" in summary(config)
    glob = config_warnings(
        parse_config(text.replace("[fetch]", "[fetch]\nallow_private_networks = true"))
    )
    assert any(w.startswith("fetch.allow_private_networks: every source") for w in glob)


def _pictures_feed(own: str, other: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Bridge</title>'
        "<link>https://bridge.example/</link>"
        "<item><guid>b1</guid><title>Relayed post</title><link>https://bridge.example/1</link>"
        f'<description>&lt;p&gt;Text.&lt;/p&gt;&lt;img src="{own}/own.png"&gt;'
        f'&lt;img src="{other}/admin/reboot"&gt;&lt;video poster="{other}/p.png"&gt;&lt;/video&gt;'
        "</description>"
        f'<enclosure url="{other}/e.mp3" type="audio/mpeg" length="1"/>'
        "</item></channel></rss>"
    ).encode()


@pytest.mark.parametrize("name", ["127.0.0.1", "localhost"])
def test_a_loopback_sources_exemption_is_its_own_port_not_every_service_on_the_readers_machine(
    feed_server: FeedServer, store: Store, name: str
) -> None:
    """A source on loopback (a local bridge relaying other sites' posts: RSS-Bridge and its
    kind) is on every reader's own machine when their browser asks for its host. Its own
    pictures (same port) stay, for an operator reading on that machine; a picture, poster or
    enclosure the feed points at another port of that host was every reader's own services
    (`http://localhost:631/admin`, a dev server), asked by their browser on every page view."""
    own_url = feed_server.url("").rstrip("/").replace("127.0.0.1", name)
    other = f"http://{name}:6379"
    url = feed_server.add("/bridge.xml", _pictures_feed(own_url, other))
    url = url.replace("127.0.0.1", name)
    config = parse_config(_config(url, "https://unused.example/f", "true"))
    with Fetcher(config.fetch, "aggregator-test/1") as fetcher:
        result = refresh_source(config.sources[0], config, store, fetcher)
    assert result.outcome is Outcome.OK
    (article,) = store.source_articles("intranet", 5)
    assert f'src="{own_url}/own.png"' in article.content
    assert ":6379" not in article.content
    assert not [e for e in article.enclosures if ":6379" in e.url]
    assert ":6379" not in article.thumbnail


@pytest.mark.parametrize("url", ["http://[fd00::1]/staff.xml", "http://[fd00::1]:8080/staff.xml"])
def test_an_ipv6_intranet_source_keeps_its_own_pictures(url: str) -> None:
    """The exemption of a source's own host read any trusted host with a colon as host:port: an
    IPv6 intranet source's ("fd00::1") was host "fd00", port ":1", and its own pictures went
    (h8's F2). Its host's pictures stay; another private address's still go."""
    source = replace(make_config({"src": url}).sources[0], allow_private_networks=("fd00::/8",))
    trusted = trusted_host(source)
    own = '<p>Memo.</p><p><img src="http://[fd00::1]/own.png" alt="own"></p>'
    assert 'src="http://[fd00::1]/own.png"' in clean_html(own, url, trusted)
    other = '<p>Memo.</p><p><img src="http://[fd00::2]/other.png" alt="other"></p>'
    assert "<img" not in clean_html(other, url, trusted)


# --- an intranet feed's links ---------------------------------------------------------------

INTRANET_FEED = (
    b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Staff news</title>'
    b"<link>http://wiki.intranet.corp/news/</link>"
    b"<item><guid>m1</guid><title>Canteen menu changes next week</title>"
    b"<link>http://intranet.corp/memo/1</link><description>New dishes.</description></item>"
    b"<item><guid>m2</guid><title>Quarterly all-hands moved to Thursday</title>"
    b"<description>Same room.</description></item></channel></rss>"
)
PUBLIC_FEED = (
    b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>City news</title>'
    b"<link>https://city.example/</link>"
    b"<item><guid>c1</guid><title>Harbour wall repaired after the storm</title>"
    b"<link>https://city.example/harbour</link><description>Works done.</description></item>"
    b"</channel></rss>"
)


@pytest.mark.parametrize(
    "host", ["intranet.corp", "NAS.Local:8080", "wiki.internal.", "git.lan", "files.home"]
)
def test_an_intranet_feed_s_links_to_its_own_host_names_are_kept(host: str) -> None:
    """The fast parser (feedparser-rs) drops a link to a local network's name as it drops one
    to a private address: an intranet feed's articles had no link, and their pages on this site
    no way to the memo (the reference parser keeps them; so does the fast path, which leaves
    such a document to it)."""
    enclosure = f'<enclosure url="http://{host}/memo/1.pdf" type="application/pdf" length="9"/>'
    feed = INTRANET_FEED.replace(b"intranet.corp", host.encode()).replace(
        b"</item>", enclosure.encode() + b"</item>", 1
    )
    parsed = parse(feed, url="http://10.1.2.3/staff.xml", headers={})
    first = parsed.entries[0]
    assert (first.link, [e.url for e in first.enclosures]) == (
        f"http://{host}/memo/1",
        [f"http://{host}/memo/1.pdf"],
    )
    # A public feed's own links are still read by the fast parser.
    public = parse(PUBLIC_FEED, url="https://city.example/feed", headers={})
    assert (public.parser, public.entries[0].link) == (
        "feedparser-rs",
        "https://city.example/harbour",
    )


# --- what the public sees of an intranet source ------------------------------------------------


def _published_config(intranet_url: str, public_url: str, publish: str) -> str:
    # The global switch lets the "public" source reach the feed server on loopback; it is no
    # source's own allowance, so it hides no URL (README "Private networks").
    return f"""
[site]
title = "Town"
base_url = "https://town.example"

[fetch]
allow_private_networks = true
deadline = "10s"

[[categories]]
slug = "world"

[[sources]]
id = "intranet"
name = "Staff news"
url = "{intranet_url}"
categories = ["world"]
allow_private_networks = ["127.0.0.1/32"]
{publish}

[[sources]]
id = "city"
name = "City news"
url = "{public_url}"
categories = ["world"]
"""


FORMATS = ("atom", "rss", "json")


def _public_surfaces(client: HttpClient, store: Store) -> dict[str, str]:
    """Every page and document the public may read of the two sources, by path."""
    paths = ["/sources", "/s/intranet/", "/s/city/", "/sources.opml", "/c/world/sources.opml"]
    paths += [f"{feed}.{fmt}" for feed in ("/feed", "/c/world/feed") for fmt in FORMATS]
    paths += ["/embed/world", "/"]
    found = {}
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        found[path] = response.get_data(as_text=True)
    for article_id in store.category_ids("world", 10):  # every article's page
        path = f"/a/{article_id}"
        response = client.get(path)
        assert response.status_code == 200, path
        found[path] = response.get_data(as_text=True)
    return found


@pytest.mark.parametrize("publish", ["", "publish_url = false", "publish_url = true"])
def test_an_intranet_source_s_urls_are_published_only_when_its_operator_says_so(
    feed_server: FeedServer, store: Store, redis_url: str, publish: str
) -> None:
    """An intranet source's feed URL (http://10.1.2.3/feed) and site were on /sources, its page,
    our feeds' source links (Atom <source>, RSS <source url>, JSON Feed _source) and the OPML
    exports, for anyone to read. Its articles' own links stay: readers on the intranet follow
    them, and nothing here fetches them for anyone else."""
    intranet_url = feed_server.add("/private/staff.xml", INTRANET_FEED)
    public_url = feed_server.add("/public/city.xml", PUBLIC_FEED)
    config = parse_config(_published_config(intranet_url, public_url, publish))
    now = datetime.now(UTC)
    with Fetcher(config.fetch, "aggregator-test/1") as fetcher:
        for source in config.sources:
            assert refresh_source(source, config, store, fetcher, now=now).outcome is Outcome.OK
    store.publish_config(config_module.dumps(config))
    client = http_client(create_app(config, redis_url, recheck_interval=0))
    surfaces = _public_surfaces(client, store)
    assert len(surfaces) == 13 + 3  # (and three articles' pages)
    shown = [p for p, body in surfaces.items() if "/private/staff.xml" in body]
    sites = [p for p, body in surfaces.items() if "wiki.intranet.corp" in body]
    if publish.endswith("true"):
        assert {"/sources", "/sources.opml", "/feed.atom", "/feed.rss", "/feed.json"} <= {*shown}
        assert {"/sources", "/s/intranet/", "/sources.opml", "/feed.atom"} <= {*sites}
    else:
        assert (shown, sites) == ([], [])
    assert "http://intranet.corp/memo/1" in surfaces["/feed.atom"]  # the article's own link stays
    assert "http://intranet.corp/memo/1" in surfaces["/embed/world"]
    # The public source's stay where they were.
    for path in ("/sources", "/sources.opml", "/feed.atom", "/feed.rss", "/feed.json"):
        assert "/public/city.xml" in surfaces[path], path
    assert "https://city.example/" in surfaces["/s/city/"]


@pytest.mark.parametrize("publish", ["", "publish_url = true"])
def test_check_config_says_which_sources_urls_are_not_published(publish: str) -> None:
    config = parse_config(_published_config("http://10.1.2.3/f", "https://c.example/f", publish))
    lines = {line.split(":")[0].strip(): line for line in summary(config).splitlines()}
    assert ("URLs not published" in lines["intranet"]) is (publish == "")
    assert "URLs not published" not in lines["city"]


def test_an_error_of_a_source_whose_urls_are_not_published_names_no_url() -> None:
    error = "redirect loop: http://10.1.2.3/feed?key=k → http://intranet.corp/feed → (again)"
    assert public_error(error) == (
        "redirect loop: http://10.1.2.3/feed?key=REDACTED → http://intranet.corp/feed → (again)"
    )
    assert public_error(error, urls=False) == (
        f"redirect loop: {UNPUBLISHED_URL} → {UNPUBLISHED_URL} → (again)"
    )


def test_an_error_of_a_source_whose_urls_are_not_published_names_no_host(
    feed_server: FeedServer,
) -> None:
    """Its errors named its host outside any URL: "TLS handshake with intranet.corp failed",
    "intranet.corp broke the HTTP protocol", on /sources for anyone to read (h8's F4). They
    say what failed, not where; a published source's keep the detail."""
    url = feed_server.add("/staff.xml", INTRANET_FEED).replace("http://", "https://")
    fetcher = Fetcher(FetchConfig(deadline=10.0), "aggregator-test/1")
    with fetcher, pytest.raises(FetchError) as raised:
        fetcher.fetch(url, allow_private=("127.0.0.1/32",))
    tls = str(raised.value)
    assert tls.startswith("TLS handshake with 127.0.0.1 failed")
    assert "127.0.0.1" in public_error(tls)
    errors = [
        tls,
        "TLS handshake with intranet.corp failed: Hostname mismatch, certificate is not valid"
        " for 'intranet.corp'.",
        "intranet.corp broke the HTTP protocol: a header line is malformed",
        "timed out connecting to intranet.corp after 10 s",
        "HTTP 301 from http://intranet.corp/f redirects to an invalid URL 'intranet.corp:x/f'",
        "http://intranet.corp/f redirects to an invalid URL (Invalid port: 'intranet.corp:x')",
        "HTTP 302 from http://intranet.corp/f names 2 different places to go (Location:"
        " 'wiki.corp:x' | '/b'); it must name one",
        "request to http://intranet.corp/f failed: intranet.corp said no",
    ]
    shown = [public_error(error, urls=False) for error in errors]
    assert [e for e in shown if "127.0.0.1" in e or "corp" in e] == []
    assert shown[:2] == ["the TLS handshake failed"] * 2


# --- full text: the pages a source's feed links to -----------------------------------------

PAGE = (Path(__file__).parent / "fixtures" / "pages" / "en.html").read_bytes()


def _linking_to(url: str) -> Article:
    now = datetime.now(UTC)
    return Article(
        id="a", source_id="src", guid="a", url=url, title="A", summary="", content="<p>T</p>",
        author="", published=now, updated=now, source_name="S", source_url="",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("allows", "where", "fetched"),
    [
        # The intranet source itself: its page on the address it may reach is read.
        (("127.0.0.1/32",), "page", True),
        (("localhost",), "page by name", True),
        # An intranet source allowed another network: not this one.
        (("127.0.0.2/32",), "page", False),
        (("10.0.0.0/8", "wiki.corp"), "page", False),
        # A public source whose article link names a host that resolves to a private address,
        # or whose page redirects there.
        ((), "page by name", False),
        (("127.0.0.2/32",), "redirect", False),
    ],
)
def test_a_full_text_page_fetch_reaches_only_what_its_source_may(
    feed_server: FeedServer,
    redirector: tuple[http.server.ThreadingHTTPServer, type[_Redirector]],
    allows: tuple[str, ...],
    where: str,
    fetched: bool,
) -> None:
    """A feed chooses its articles' links, and full text fetches them from the server: the
    fetch may reach only the networks and hosts its source may (its allow_private_networks),
    on the first hop and on every redirect, whoever the link names."""
    page = feed_server.add("/memo", PAGE, content_type="text/html")
    server, handler = redirector
    handler.target = page
    url = {
        "page": page,
        "page by name": page.replace("127.0.0.1", "localhost"),
        "redirect": f"http://127.0.0.2:{server.server_address[1]}/memo",
    }[where]
    source = replace(
        make_config({"src": url}).sources[0], full_text=True, allow_private_networks=allows
    )
    with Fetcher(FetchConfig(deadline=10.0), "aggregator-test/1") as fetcher:
        [article], outcome = enrich([_linking_to(url)], source, {}, fetcher)
    if fetched:
        assert (article.full_text, outcome.failures) == ("ok", 0)
        assert len(feed_server.requests("/memo")) == 1
    else:
        assert article.full_text.startswith("blocked: refused to connect to ")
        assert "127.0.0.1 (loopback address)" in article.full_text
        assert article.content == "<p>T</p>"
        assert feed_server.requests("/memo") == []
