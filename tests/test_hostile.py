"""Hostile sources: entity bombs and XXE, huge and endless bodies, slow and silent servers, redirect
games, broken encodings, scripts in every field and absurd dates (tests/support/evil.py).

For each case the source must end with a readable error or with safely cleaned articles, within
fixed bounds of memory and time, without reading a local file or requesting anything it was not
told to. The bounds are generous ceilings (this machine is shared and noisy), not performance
numbers; the measured values are in docs/reliability.md (`bench/hostile_bounds.py` prints them).

How the cases run: `probe()` refreshes each source with `refresh_source` in a child process, one
at a time, and reads that process's peak RSS (VmHWM, reset between sources). A second test runs
the same sources through a real `aggregator worker --burst` next to good sources, which must keep
being refreshed. The browser test ingests the script-laden feeds through the real pipeline and
visits every page, embed and feed that shows them.

Addresses: "DNS that resolves to a private address" uses `localhost`, which /etc/hosts resolves to
127.0.0.1 without any network. A redirect from a public first hop to a private address cannot be
staged offline (every server here is on loopback, so with fetch.allow_private_networks = false the
first hop is already refused, and with it true every hop is allowed). So the per-hop check is
covered by the address policy's pure function (`address_problem`) for the addresses such
redirects aim at, plus the end-to-end cases showing the policy is applied to the address actually
connected to (a host name, a decimal IPv4, an IPv4-mapped IPv6), never to the URL's spelling.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from typing import Any

import feedparser
import httpx
import pytest
from lxml import etree  # type: ignore[import-untyped]
from playwright.sync_api import Page, expect
from rq import Queue
from rq.registry import FailedJobRegistry

from aggregator import sanitize
from aggregator.addresses import address_problem
from aggregator.config import Category, Config, FetchConfig, SiteConfig, SourceConfig
from aggregator.fetch import Fetcher
from aggregator.models import Article, Outcome
from aggregator.queues import QUEUE_NAME
from aggregator.refresh import refresh_source
from aggregator.store import Store
from tests.support import evil
from tests.support.evil import CASES, Case, Env, Probe
from tests.support.feed_server import FeedServer, RecordedRequest
from tests.support.pipeline import ROOT
from tests.support.web_server import LiveServer
from tests.test_browser import partner_page
from workers import scheduler

FAST = [c for c in CASES if not c.slow]
SLOW = [c for c in CASES if c.slow]
NUL = "\x00"


def _params(cases: list[Case]) -> list[Any]:
    return [pytest.param(c, id=c.id) for c in cases]


# --- the probes ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    """A loopback server of our own (the module probes outlive function-scoped fixtures)."""
    directory = tmp_path_factory.mktemp("hostile")
    marker = f"SECRET-MARKER-{uuid.uuid4().hex}"
    environment = evil.start_env(directory, marker)
    yield environment
    evil.stop_env(environment)


Probed = tuple[dict[str, Probe], list[RecordedRequest]]


def run_probes(env: Env, redis_url: str, cases: list[Case], prefix: str) -> Probed:
    urls = {c.id: c.install(env) for c in cases}
    config = evil.case_config(cases, urls)
    needles = (env.marker, NUL, evil.GBK_TITLE)
    overrides = {c.id: c.fetch for c in cases if c.fetch}
    probes = evil.probe(redis_url, config, overrides, needles=needles, prefix=prefix)
    return probes, env.server.requests()


@pytest.fixture(scope="module")
def fast_probes(env: Env, redis_url: str) -> Probed:
    """Every fast case, refreshed once in one measured child process."""
    return run_probes(env, redis_url, FAST, "hostile-fast")


HEAVY_WALL_SECONDS = 60.0


def check(case: Case, probe: Probe, requests: list[RecordedRequest], env: Env) -> None:
    """What every hostile case must satisfy."""
    assert probe.crash == "", f"refresh_source raised: {probe.crash}"
    assert probe.outcome in case.outcomes, (probe.outcome, probe.error)
    if probe.outcome is not None and probe.outcome.is_error:
        # A readable error: one sentence for an operator, not a traceback or a dump of the body.
        assert 15 < len(probe.error) < 600, probe.error
        assert "Traceback" not in probe.error, probe.error
        assert "\n" not in probe.error, probe.error
        for word in case.error_words:
            assert word.lower() in probe.error.lower(), (word, probe.error)
        assert probe.articles == 0
    else:
        assert probe.articles >= case.min_articles, probe
    # Wall time: nothing outlives the fetch's deadline by much (a hang, a loop), nor the minute
    # a case of heavy work may take. That work's own bound is on CPU time, which a loaded
    # machine does not stretch (many-pictures: 12 s in the sanitizer before; its 8 s of wall
    # time failed at load 16, never in CI).
    bound = HEAVY_WALL_SECONDS if case.max_cpu_seconds else evil.PROBE_FETCH.deadline + 10
    assert probe.seconds < bound, f"{probe.seconds:.1f} s (bound {bound:.0f} s)"
    if case.max_cpu_seconds:
        assert probe.cpu_seconds < case.max_cpu_seconds, (
            f"{probe.cpu_seconds:.1f} s of CPU (bound {case.max_cpu_seconds:.0f} s)"
        )
    assert probe.peak_rss_mb < case.max_rss_mb, f"{probe.peak_rss_mb} MB"
    # No file was read and no URL fetched that the feed named: the secret is nowhere.
    assert env.marker not in probe.found, "the content of a local file was stored"
    assert NUL not in probe.found, "a NUL byte was stored"
    requested = {r.path.split("?", 1)[0] for r in requests}
    for path in case.never_requested:
        assert path not in requested, f"{path} was requested"
    assert not any(p.startswith("/xxe/") for p in requested), "an external entity was fetched"


@pytest.mark.parametrize("case", _params(FAST))
def test_hostile_source(case: Case, fast_probes: Probed, env: Env) -> None:
    probes, requests = fast_probes
    check(case, probes[case.id], requests, env)
    if case.id.startswith("encoding-"):
        assert evil.GBK_TITLE in probes[case.id].found, "the Chinese title did not survive"


@pytest.mark.slow
@pytest.mark.timeout(900)
@pytest.mark.parametrize("case", _params(SLOW))
def test_hostile_source_slow(case: Case, env: Env, redis_url: str) -> None:
    probes, requests = run_probes(env, redis_url, [case], f"hostile-{case.id}")
    check(case, probes[case.id], requests, env)


def test_absurd_dates_stay_within_sane_bounds(fast_probes: Probed) -> None:
    probe = fast_probes[0]["absurd-dates"]
    assert probe.outcome is Outcome.OK
    assert probe.articles == 10
    oldest, newest = (datetime.fromisoformat(d) for d in probe.published)
    assert oldest.year >= 1980
    assert newest <= datetime.now(UTC)


@pytest.mark.parametrize(
    ("address", "why"),
    [
        ("169.254.169.254", "link-local"),  # AWS, GCP, Azure metadata
        ("fd00:ec2::254", "unique local"),  # AWS metadata over IPv6
        ("100.100.100.200", "carrier-grade NAT"),  # Alibaba Cloud metadata
        ("10.0.0.1", "private"),
        ("172.31.255.255", "private"),
        ("192.168.1.1", "private"),
        ("127.0.0.1", "loopback"),
        ("127.255.255.254", "loopback"),
        ("0.0.0.0", "unspecified"),
        ("::1", "loopback"),
        ("::", "unspecified"),
        ("::ffff:169.254.169.254", "IPv4-mapped"),
        ("::ffff:7f00:1", "IPv4-mapped"),
        ("2002:a9fe:a9fe::1", "inside an IPv6 address"),  # 6to4 of 169.254.169.254
        ("64:ff9b::a9fe:a9fe", "inside an IPv6 address"),  # NAT64 of 169.254.169.254
        ("fe80::1", "link-local"),
        ("224.0.0.1", "multicast"),
        ("255.255.255.255", "reserved"),
    ],
)
def test_address_policy_refuses_what_a_redirect_could_aim_at(address: str, why: str) -> None:
    """Each hop's connection is vetted with this function (see the module docstring)."""
    problem = address_problem(address)
    assert problem is not None
    assert why in problem, problem


def test_address_policy_allows_public_addresses() -> None:
    for address in ("93.184.216.34", "1.1.1.1", "2606:4700:4700::1111", "2a00:1450:4001::1"):
        assert address_problem(address) is None, address


# --- next to good sources, in a real worker ------------------------------------------------------

GOOD_FEED = evil.many_entries(5)


WORKER_PEAK_RSS_MB = 460


@pytest.mark.timeout(300)
def test_hostile_sources_leave_good_ones_refreshed_in_a_real_worker(
    store: Store, env: Env, redis_url: str, record_property: Callable[[str, object], None]
) -> None:
    """All fast cases (one config: those without fetch overrides) in batches with good sources."""
    cases = [c for c in FAST if not c.fetch and c.in_worker]
    urls = {c.id: c.install(env) for c in cases}
    good = {f"good-{n}": env.server.add(f"/good/{n}", GOOD_FEED) for n in range(4)}
    ordered = dict(good)
    ordered.update(urls)
    # Good sources first and last, so they share batches with the worst of the hostile ones.
    config = evil.case_config([*cases], urls)
    sources = [
        SourceConfig(id=i, name=i, url=u, categories=("hostile",), interval=900.0)
        for i, u in good.items()
    ]
    config = replace(
        config,
        sources=(sources[0], sources[1], *config.sources, sources[2], sources[3]),
        fetch=replace(config.fetch, batch_size=12, concurrency=4, per_host=4),
    )
    scheduler.publish(store, config)
    queue = Queue(QUEUE_NAME, connection=store.redis)
    scheduler.enqueue(queue, config, [s.id for s in config.sources])

    measured = run_measured_worker(redis_url, timeout=240)
    record_property("worker_peak_rss_mb", measured["peak_rss_mb"])
    record_property("worker_seconds", measured["seconds"])
    assert measured["returncode"] == 0, measured["stderr"]
    assert FailedJobRegistry(queue=queue).count == 0, "a job crashed"
    states = store.get_states([s.id for s in config.sources])
    for source_id in good:
        assert states[source_id].outcome is Outcome.OK, states[source_id]
        assert len(store.source_articles(source_id, 10)) == 5
    for case in cases:
        state = states[case.id]
        assert state.outcome in case.outcomes, (case.id, state.outcome, state.last_error)
    # One worker process and its work horses: a fixed ceiling, whatever the sources send.
    # Measured 359–370 MB in seven runs, 404 MB once under the load of two suites (several
    # 10 MB bodies in flight at once): the ceiling is the worst seen plus 14%.
    assert measured["peak_rss_mb"] < WORKER_PEAK_RSS_MB, measured
    assert measured["seconds"] < 180, measured


MEASURE = """
import json, resource, subprocess, sys, time
started = time.monotonic()
done = subprocess.run(sys.argv[1:], capture_output=True)
print(json.dumps({
    "returncode": done.returncode,
    "seconds": round(time.monotonic() - started, 2),
    # Largest of the worker and every work horse it waited for (RUSAGE_CHILDREN, kB on Linux).
    "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1),
    "stderr": done.stderr.decode(errors="replace")[-3000:],
}))
"""


def run_measured_worker(redis_url: str, timeout: float) -> dict[str, Any]:
    """Run `aggregator worker --burst` under a parent that reports its peak RSS and wall time."""
    command = [sys.executable, "-c", MEASURE, sys.executable, "-m", "aggregator.cli"]
    env = {**os.environ, "REDIS_URL": redis_url, "LOG_LEVEL": "ERROR"}
    done = subprocess.run(
        [*command, "worker", "--burst"],
        capture_output=True,
        cwd=ROOT,
        env=env,
        timeout=timeout,
        check=True,
    )
    result: dict[str, Any] = json.loads(done.stdout)
    return result


# --- scripts in every field: stored data ---------------------------------------------------------


def ingest(config: Config, store: Store) -> dict[str, Outcome]:
    """Refresh every source of `config` through the real pipeline, in this process."""
    outcomes = {}
    with Fetcher(config.fetch, "aggregator-test") as fetcher:
        for source in config.sources:
            outcomes[source.id] = refresh_source(source, config, store, fetcher).outcome
    return outcomes


def xss_routes(server: FeedServer) -> dict[str, str]:
    """Serve the script-laden feeds; {source id: URL}."""
    return {
        "xss-rss": server.add("/c/xss.rss", evil.xss_rss(), content_type="application/rss+xml"),
        "xss-atom": server.add("/c/xss.atom", evil.xss_atom(), content_type="application/atom+xml"),
        "xss-json": server.add(
            "/c/xss.json", evil.xss_json(), content_type="application/feed+json"
        ),
        "dates": server.add("/c/dates.xml", evil.absurd_dates()),
        "html-page": server.add("/c/page.html", evil.html_page(), content_type="text/html"),
    }


SAFE_SCHEMES = ("http://", "https://")


def assert_safe_article(article: Article) -> None:
    """Links are http(s) or empty; content is allowlisted markup; text fields are only text."""
    urls = (
        article.url,
        article.thumbnail,
        article.source_url,
        *(e.url for e in article.enclosures),
    )
    for url in urls:
        assert url == "" or url.startswith(SAFE_SCHEMES), (article.title, url)
    assert outside_allowlist(article.content) == [], (article.title, article.content)


class _Allowlist(HTMLParser):
    """Collects every tag, attribute and URL of a fragment that sanitize's allowlist forbids."""

    URL_ATTRIBUTES = frozenset({"href", "src", "cite", "poster"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in sanitize.ALLOWED_TAGS:
            self.problems.append(f"<{tag}>")
        allowed = (
            sanitize.ALLOWED_ATTRIBUTES["*"]
            | sanitize.ALLOWED_ATTRIBUTES.get(tag, frozenset())
            | set(sanitize.FORCED_ATTRIBUTES.get(tag, {}))
            | ({"rel"} if tag == "a" else set())
        )
        if tag == "iframe" and not sanitize.is_embed_url(dict(attrs).get("src") or ""):
            self.problems.append(f"<iframe> of {dict(attrs).get('src')!r}")
        for name, value in attrs:
            if name not in allowed:
                self.problems.append(f"<{tag} {name}>")
            if name in self.URL_ATTRIBUTES and not (value or "").startswith(
                ("http://", "https://", "mailto:")
            ):
                self.problems.append(f"<{tag} {name}={value!r}>")


def outside_allowlist(fragment: str) -> list[str]:
    """What in an HTML fragment the sanitizer should never have let through."""
    parser = _Allowlist()
    parser.feed(fragment)
    parser.close()
    return parser.problems


def test_scripts_in_every_field_are_stored_as_text_or_removed(
    store: Store, feed_server: FeedServer
) -> None:
    started = datetime.now(UTC).replace(microsecond=0)
    routes = xss_routes(feed_server)
    config = evil.case_config([replace(CASES[0], id=i) for i in routes], routes, evil.PROBE_FETCH)
    outcomes = ingest(config, store)
    assert outcomes["html-page"] is Outcome.PARSE_ERROR
    assert {o for i, o in outcomes.items() if i != "html-page"} == {Outcome.OK}
    articles = [a for i in routes for a in store.source_articles(i, 500)]
    assert len(articles) == len(evil.SCRIPT_URLS) + 12 + 12 + 10
    for article in articles:
        assert_safe_article(article)
    titles = {a.title for a in store.source_articles("xss-rss", 500)}
    # An RSS title holding escaped markup is read as HTML and reduced to its text: the script
    # goes with its content, the image with its handler.
    assert "RSS 0" in titles
    dates = {a.title: a.published for a in store.source_articles("dates", 50)}
    # Without a zone a date is UTC; years 0001, 9999, 275760, 1970 and junk become first seen
    # (now). feedparser reads "-0001-01-01" as 2000-01-01: wrong, but a harmless, bounded date.
    assert dates.pop("Date 2") == datetime(2024, 5, 1, 10, tzinfo=UTC)
    assert dates.pop("Date 5") == datetime(2000, 1, 1, tzinfo=UTC)
    # One undated below a dated one is no newer than it, a second apart in the feed's order.
    assert dates.pop("Date 3") == datetime(2024, 5, 1, 9, 59, 59, tzinfo=UTC)
    assert dates.pop("Date 4") == datetime(2024, 5, 1, 9, 59, 58, tzinfo=UTC)
    for n in (6, 7, 8, 9):
        assert dates.pop(f"Date {n}") == datetime(2000, 1, 1, tzinfo=UTC) - timedelta(seconds=n - 5)
    # Above them, first seen (9999 is ahead of now: dated when first seen, so no bound).
    earliest = started - timedelta(seconds=60)
    assert all(earliest <= when <= datetime.now(UTC) for when in dates.values()), dates
    assert set(dates) == {"Date 0", "Date 1"}
    kept = [a for a in articles if "kept image" in a.content]
    assert kept, "an allowed <img> with an allowed src should survive, minus its handler"
    # Nothing requested the script URLs as if they were feeds or images.
    assert {r.path for r in feed_server.requests()} <= {urlpath(u) for u in routes.values()}


def urlpath(url: str) -> str:
    return "/" + url.split("/", 3)[3]


# --- scripts in every field: real browser -------------------------------------------------------

XSS_CATEGORY = "xss"


@pytest.fixture
def web_config(_live_http: LiveServer, feed_server: FeedServer) -> Config:
    """Categories and sources of the browser test, their feeds on the loopback feed server."""
    base = _live_http.url
    paths = {
        "xss-rss": "/c/xss.rss",
        "xss-atom": "/c/xss.atom",
        "xss-json": "/c/xss.json",
        "dates": "/c/dates.xml",
        "html-page": "/c/page.html",
    }
    return Config(
        site=SiteConfig(title="Hostile desk", base_url=base, language="en"),
        fetch=FetchConfig(allow_private_networks=True, jitter=0.0, deadline=10.0),
        categories=(
            Category(XSS_CATEGORY, f"XSS {evil.SCRIPT}", description=evil.IMG_ONERROR),
            Category("other", "Other"),
        ),
        sources=tuple(
            SourceConfig(
                id=i,
                name=f"Evil {i} {evil.SCRIPT}{evil.IMG_ONERROR}",
                url=feed_server.url(p),
                categories=(XSS_CATEGORY, "other") if i == "dates" else (XSS_CATEGORY,),
                interval=900.0,
            )
            for i, p in paths.items()
        ),
    )


FIRE_HANDLERS = """() => { for (const el of document.querySelectorAll("*")) {
    const types = ["mouseover", "focus", "click", "load", "error", "toggle", "animationstart"];
    for (const type of types) {
        if (type === "click" && el.closest("a, button, form")) continue;  // no navigation
        el.dispatchEvent(new Event(type, { bubbles: true }));
    }
} }"""

SCRIPT_ATTRIBUTES = """() => {
    const urlAttributes = ["href", "src", "action", "formaction", "poster", "srcset",
                           "xlink:href", "data", "background", "cite"];
    const bad = [];
    for (const el of document.querySelectorAll("*")) {
        for (const attr of el.attributes) {
            const name = attr.name.toLowerCase();
            const value = attr.value.replace(/[\\s\\x00-\\x1f]/g, "").toLowerCase();
            if (name.startsWith("on")) bad.push(`${el.tagName} ${name}`);
            const script = /(^|,)(javascript|vbscript|livescript|data):/.test(value);
            if (urlAttributes.includes(name) && script)
                bad.push(`${el.tagName} ${name}=${attr.value}`);
        }
        if (["OBJECT", "EMBED", "FORM", "BASE"].includes(el.tagName)) bad.push(el.tagName);
        if (el.namespaceURI !== "http://www.w3.org/1999/xhtml")
            bad.push(`${el.namespaceURI} ${el.tagName}`);
    }
    return bad;
}"""


def visit(page: Page, url: str) -> None:
    page.goto(url)
    page.wait_for_load_state("load")
    page.evaluate(FIRE_HANDLERS)
    assert page.evaluate("typeof window.__xss") == "undefined", url
    assert page.evaluate(SCRIPT_ATTRIBUTES) == [], url


@pytest.mark.browser
@pytest.mark.timeout(300)
def test_hostile_feeds_execute_nothing_in_pages_embeds_and_feeds(
    live_server: LiveServer,
    page: Page,
    dialogs: list[str],
    store: Store,
    web_config: Config,
    feed_server: FeedServer,
) -> None:
    xss_routes(feed_server)
    outcomes = ingest(web_config, store)
    assert outcomes.pop("html-page") is Outcome.PARSE_ERROR
    assert set(outcomes.values()) == {Outcome.OK}
    articles, _ = store.category_page(XSS_CATEGORY, 200)
    assert len(articles) == len(evil.SCRIPT_URLS) + 12 + 12 + 10

    pages = [
        "/",
        f"/c/{XSS_CATEGORY}/",
        "/c/other/",
        "/sources",  # shows the HTML page's error, which quotes a script-laden feed URL
        f"/embed/{XSS_CATEGORY}?images=1",
        "/embed/all?images=1&theme=dark",
        *(f"/a/{a.id}" for a in articles),
    ]
    for path in pages:
        visit(page, live_server.url + path)

    partner = partner_page(
        live_server,
        feed_server,
        f'<div id="xss-embed" data-aggregator-category="{XSS_CATEGORY}" data-limit="50" '
        'data-images="1"></div>\n',
    )
    page.goto(partner)
    embed = page.locator("#xss-embed")
    expect(embed).to_have_attribute("data-aggregator-state", "ready")
    links = embed.locator("a.aggregator-embed-link")
    expect(links.first).to_be_visible()
    for href in links.evaluate_all("links => links.map((a) => a.getAttribute('href'))"):
        assert href.startswith(SAFE_SCHEMES), href
    page.evaluate(FIRE_HANDLERS)
    for frame in page.frames:
        assert frame.evaluate("typeof window.__xss") == "undefined", frame.url
    assert dialogs == []

    for fmt in ("atom", "rss", "json"):
        feed = httpx.get(f"{live_server.url}/c/{XSS_CATEGORY}/feed.{fmt}?limit=200")
        assert feed.status_code == 200
        check_feed(fmt, feed.content)


URL_ATTRIBUTES = ("href", "src", "url", "uri", "domain")


def check_feed(fmt: str, body: bytes) -> None:
    """Every link in our feed is http(s); every HTML payload, decoded, is allowlisted markup."""
    if fmt == "json":
        document = json.loads(body)
        for key in ("home_page_url", "feed_url", "icon", "favicon"):
            assert document.get(key, "http://").startswith(SAFE_SCHEMES), key
        assert document["items"]
        for item in document["items"]:
            for key in ("url", "external_url", "image", "banner_image"):
                if key in item:
                    assert item[key].startswith(SAFE_SCHEMES), (key, item[key])
            for attachment in item.get("attachments", []):
                assert attachment["url"].startswith(SAFE_SCHEMES), attachment
            for author in item.get("authors", []):
                assert author.get("url", "http://").startswith(SAFE_SCHEMES), author
            assert outside_allowlist(item.get("content_html", "")) == [], item["content_html"]
        return
    root = etree.fromstring(body, etree.XMLParser(resolve_entities=False, no_network=True))
    entries = 0
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        local = etree.QName(element).localname
        entries += local in ("entry", "item")
        for name, value in element.attrib.items():
            if etree.QName(name).localname in URL_ATTRIBUTES:
                assert value.startswith(SAFE_SCHEMES), (local, name, value)
        text = element.text or ""
        if local in ("link", "comments", "docs", "url") and text.strip():
            assert text.strip().startswith(SAFE_SCHEMES), (local, text)
        atom_html = local in ("content", "summary", "subtitle", "title", "rights") and (
            element.get("type") == "html"
        )
        # An item's description is HTML in practice; the channel's is our category's (plain) text.
        parent = element.getparent()
        in_item = parent is not None and etree.QName(parent).localname == "item"
        if atom_html or (in_item and local in ("description", "encoded")):
            # The decoded text is what a reader renders as HTML.
            assert outside_allowlist(text) == [], (local, text)
    assert entries > 40
    parsed = feedparser.parse(body, sanitize_html=False, resolve_relative_uris=False)
    assert not parsed.bozo, parsed.bozo_exception
    for entry in parsed.entries:
        for link in [*entry.get("links", []), *entry.get("enclosures", [])]:
            assert link["href"].startswith(SAFE_SCHEMES), link
        assert entry.get("link", "http://").startswith(SAFE_SCHEMES), entry.get("link")
        for content in [*entry.get("content", []), entry.get("summary_detail") or {}]:
            if content.get("type") not in ("text/html", "application/xhtml+xml"):
                continue  # plain text: shown as text, whatever characters it holds
            assert outside_allowlist(content.get("value", "")) == [], content
