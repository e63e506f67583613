"""The admin pages: off without a token, 401 without the right one, the table, the actions."""

from __future__ import annotations

import html
import os
import re
import secrets
import signal
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from http.cookies import SimpleCookie
from typing import Literal

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from playwright.sync_api import Page, expect
from rq import Queue, SimpleWorker

from aggregator import config as config_module
from aggregator.boilerplate import paragraph_hash
from aggregator.config import Config
from aggregator.errors import SettingError
from aggregator.fetch import Fetcher
from aggregator.models import Article, Outcome, SourceState
from aggregator.queues import QUEUE_NAME
from aggregator.refresh import refresh_source
from aggregator.store import FetchRecord, Store
from aggregator.web import admin
from tests.support.feed_server import FeedServer
from tests.support.pipeline import make_config, start_worker, wait_for
from tests.support.web_server import HttpClient, LiveServer, http_client
from tests.test_health import with_ops
from workers import scheduler

TOKEN = "correct horse battery staple"
BEARER = {"Authorization": f"Bearer {TOKEN}"}
RSS = (
    b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
    b"<link>https://example.com/</link>"
    b"<item><guid>a</guid><title>Alpha</title><link>https://example.com/a</link></item>"
    b"</channel></rss>"
)


@pytest.fixture
def web_config(feed_server: FeedServer) -> Config:
    return make_config(
        {
            "alpha": feed_server.url("/alpha.xml"),
            "beta": feed_server.url("/beta.xml"),
            "gamma": feed_server.url("/gamma.xml"),
        }
    )


@pytest.fixture
def ops(app: Flask, monkeypatch: pytest.MonkeyPatch) -> HttpClient:
    monkeypatch.setenv("ADMIN_TOKEN", TOKEN)
    return http_client(with_ops(app))


def login(client: HttpClient) -> str:
    """Log in with the form; returns the CSRF token of the session."""
    response = client.post("/admin/login", data={"token": TOKEN})
    assert response.status_code == 303
    page = client.get("/admin/sources/alpha").get_data(as_text=True)
    match = re.search(r'name="csrf" value="([0-9a-f]{64})"', page)
    assert match, page
    return match[1]


# --- access ------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/admin/", "/admin/sources/alpha", "/admin/login", "/admin/rq/"])
def test_without_a_token_the_admin_does_not_exist(
    app: Flask, monkeypatch: pytest.MonkeyPatch, path: str
) -> None:
    monkeypatch.delenv("ADMIN_TOKEN", raising=False)
    client = http_client(with_ops(app))
    assert client.get(path, headers=BEARER).status_code == 404


@pytest.mark.parametrize("path", ["/admin/", "/admin/sources/alpha", "/admin/rq/"])
def test_requests_without_the_right_token_get_401(ops: HttpClient, path: str) -> None:
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {TOKEN}"}):
        response = ops.get(path, headers=headers)
        assert response.status_code == 401, headers
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert "Alpha" not in response.get_data(as_text=True)
    assert ops.get(path, headers=BEARER).status_code == 200
    assert ops.post("/admin/sources/alpha/pause").status_code == 401


def test_login_sets_a_strict_httponly_signed_session_cookie(
    ops: HttpClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert ops.post("/admin/login", data={"token": "nope"}).status_code == 401
    response = ops.post("/admin/login", data={"token": TOKEN})
    assert response.status_code == 303
    cookie = SimpleCookie(response.headers["Set-Cookie"])
    morsel = cookie["aggregator_admin"]
    assert morsel["httponly"]
    assert morsel["samesite"] == "Strict"
    assert morsel["path"] == "/admin"
    assert TOKEN not in morsel.value
    assert ops.get("/admin/").status_code == 200

    ops.set_cookie("aggregator_admin", morsel.value[:-2] + "xx", path="/admin")  # tampered
    assert ops.get("/admin/").status_code == 401
    ops.set_cookie("aggregator_admin", morsel.value, path="/admin")
    monkeypatch.setenv("ADMIN_TOKEN", "a new token")  # changing the token ends every session
    assert ops.get("/admin/").status_code == 401


def test_posts_with_the_session_cookie_need_the_csrf_token(ops: HttpClient, store: Store) -> None:
    csrf = login(ops)
    assert ops.post("/admin/sources/alpha/pause").status_code == 400
    assert ops.post("/admin/sources/alpha/pause", data={"csrf": "0" * 64}).status_code == 400
    assert not store.get_state("alpha").paused
    assert ops.post("/admin/sources/alpha/pause", data={"csrf": csrf}).status_code == 303
    assert store.get_state("alpha").paused
    # A bearer token cannot be sent by another site's form: no CSRF token needed.
    assert ops.post("/admin/sources/beta/pause", headers=BEARER).status_code == 303


def test_admin_pages_keep_the_strict_csp_and_only_the_rq_dashboard_relaxes_it(
    ops: HttpClient,
) -> None:
    page = ops.get("/admin/", headers=BEARER)
    assert "'unsafe-inline'" not in page.headers["Content-Security-Policy"]
    assert "<script" not in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    dashboard = ops.get("/admin/rq/", headers=BEARER)
    assert "script-src 'self' 'unsafe-inline'" in dashboard.headers["Content-Security-Policy"]
    data = ops.get("/admin/rq/0/data/queues.json", headers=BEARER)
    assert data.status_code == 200
    assert data.json is not None
    assert "queues" in data.json


@pytest.mark.parametrize(
    "path",
    [
        "/admin/rq/0/data/job/expired.json",  # a job whose result is gone (kept 300 s)
        "/admin/rq/5/view",  # an instance past the list
        "/admin/rq/0/data/jobs/refresh/finished/0/asc/1.json",  # a page size of 0
    ],
)
def test_a_page_the_rq_dashboard_has_not_is_a_404_not_an_error(ops: HttpClient, path: str) -> None:
    assert ops.get(path, headers=BEARER).status_code == 404
    assert ops.get(path).status_code == 401  # the guard first, as for every admin page


@pytest.mark.parametrize(
    ("token", "says"),
    [
        ("changemechangemechangeme", "is a pattern of 8 characters repeated"),
        ("ChangeMe" * 3 + "!", "is made of the placeholder word(s) changeme"),
        ("changeme-CHANGEME-changeme", "is made of the placeholder word(s) changeme"),
        ("my-secret-admin-token-2024", "is made of the placeholder word(s) admin, secret, token"),
        ("passwordpassword12345678", "is made of the placeholder word(s) 123, password"),
        ("x" * 24, "is a pattern of 1 character repeated"),
        ("abcdefghijklmnopqrstuvwx", "is a run (as abcd… or 1357… are)"),
        ("2468" * 7, "is a pattern of 4 characters repeated"),
        ("a1b2c3" * 5, "is a pattern of 6 characters repeated"),
        ("aaaaaaaaaaaabbbbbbbbbbbbbc", "has only 3 different characters"),
        ("aabbaccaddaeebbaddccaeebd", "has only 5 different characters"),
    ],
)
def test_an_obviously_weak_token_stops_start_up(
    monkeypatch: pytest.MonkeyPatch, token: str, says: str
) -> None:
    """Long enough is not enough: "changemechangemechangeme" (24 characters) started the
    service, and the throttle stops a guesser of random tokens, not of a placeholder repeated (a
    red team). The message names the setting and how to make a good one."""
    monkeypatch.setenv("ADMIN_TOKEN", token)
    with pytest.raises(SettingError) as refused:
        admin.check_admin_token()
    message = str(refused.value)
    assert message.startswith(f"ADMIN_TOKEN (an environment variable) {says}"), message
    assert "python3 -c 'import secrets; print(secrets.token_urlsafe(32))'" in message


def test_random_tokens_of_the_shortest_length_start() -> None:
    """None of 10,000 random tokens of the least accepted length is refused, in either of the
    alphabets the secrets module writes (hex: one in ~300 million has fewer than 6 different
    characters), nor a passphrase, nor the tokens the README suggests."""
    nbytes = admin.MIN_TOKEN_LENGTH * 3 // 4  # (token_urlsafe(18) is 24 characters)
    tokens = [
        *(secrets.token_urlsafe(nbytes) for _ in range(10_000)),
        *(secrets.token_hex(admin.MIN_TOKEN_LENGTH // 2) for _ in range(10_000)),
        *(secrets.token_urlsafe(32) for _ in range(100)),
        TOKEN,
        "hostile-clients-test-token-0123456789abcdef",
    ]
    assert {len(t) for t in tokens[:20_000]} == {admin.MIN_TOKEN_LENGTH}
    assert [t for t in tokens if admin.token_weakness(t)] == []


# --- the table and the source page ---------------------------------------------------------------


def test_table_shows_each_source_and_filters_and_sorts(ops: HttpClient, store: Store) -> None:
    now = datetime.now(UTC)
    store.save_state(
        SourceState(
            "beta",
            last_fetch=now,
            http_status=503,
            outcome=Outcome.HTTP_ERROR,
            consecutive_errors=3,
            last_error="The server answered 503 Service Unavailable.",
            next_due=now + timedelta(hours=1),
        )
    )
    store.save_state(
        SourceState(
            "gamma",
            last_fetch=now,
            http_status=500,
            outcome=Outcome.HTTP_ERROR,
            consecutive_errors=1,
            last_error="The server answered 500.",
            adopted_url="https://moved.example/feed",
        )
    )
    store.save_state(SourceState("alpha", last_fetch=now, http_status=200, outcome=Outcome.OK))
    page = ops.get("/admin/", headers=BEARER).get_data(as_text=True)
    for text in ("Source alpha", "503 Service Unavailable", "https://moved.example/feed", "news"):
        assert text in page
    assert 'data-state="failing"' in page
    assert "failing (2)" in page

    failing = ops.get("/admin/?state=failing", headers=BEARER).get_data(as_text=True)
    assert re.findall(r'<tr id="source-(\w+)"', failing) == ["beta", "gamma"]
    by_errors = ops.get("/admin/?sort=errors&order=desc", headers=BEARER).get_data(as_text=True)
    assert re.findall(r'<tr id="source-(\w+)"', by_errors) == ["beta", "gamma", "alpha"]
    by_errors = ops.get("/admin/?sort=errors", headers=BEARER).get_data(as_text=True)
    assert re.findall(r'<tr id="source-(\w+)"', by_errors) == ["alpha", "gamma", "beta"]


def test_the_table_opens_with_the_service_at_a_glance(ops: HttpClient, store: Store) -> None:
    """What /readyz and the gauges of /metrics say, for an operator who has no dashboard."""

    def service() -> str:
        page = ops.get("/admin/", headers=BEARER).get_data(as_text=True)
        found = re.search(
            r'<dl class="service" id="service">.*?</dl>'
            r'(\s*<div class="error" id="service-problems">.*?</div>)?',
            page,
            re.S,
        )
        assert found, page
        return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found[0]))

    # Nothing running: not ready, and why, in /readyz's words.
    shown = service()
    assert "Service not ready" in shown
    assert "Workers alive 0" in shown
    assert "Scheduler never seen" in shown
    assert "the scheduler never reported alive: start `aggregator scheduler`" in shown

    queue = Queue(QUEUE_NAME, connection=store.redis)
    worker = SimpleWorker([queue], connection=store.redis, name="w1")
    worker.register_birth()
    worker.heartbeat()
    store.heartbeat("scheduler", datetime.now(UTC) - timedelta(seconds=4))
    store.schedule("alpha", time.time() - 90)  # a minute and a half overdue
    job = queue.enqueue("workers.jobs.refresh_batch", ["beta"])
    queue.enqueue("workers.jobs.refresh_batch", ["gamma"])
    queue.failed_job_registry.add(job, ttl=600, exc_string="Traceback: a bug")
    shown = service()
    assert "Service ready" in shown
    assert "Workers alive 1" in shown
    assert re.search(r"Scheduler seen [45]s ago", shown), shown
    assert re.search(r"Most overdue source (9\d|1\d\d)s late", shown), shown
    assert "Jobs waiting 2" in shown
    assert "Failed jobs 1" in shown
    assert "never reported" not in shown


def test_a_healthy_sources_warning_is_labelled_a_warning_not_an_error(
    ops: HttpClient, store: Store
) -> None:
    """A feed read leniently is healthy: an operator scanning for red must not see an error."""
    warned = "The feed is not well-formed XML (line 34); it was read leniently."
    store.save_state(
        SourceState("alpha", last_fetch=datetime.now(UTC), outcome=Outcome.OK, last_error=warned),
        record=FetchRecord("alpha", datetime.now(UTC), Outcome.OK, 200, 0.2, error=warned),
    )
    table = ops.get("/admin/", headers=BEARER).get_data(as_text=True)
    assert f'<td class="warning"><small>warning:</small> {warned}</td>' in table
    assert f'class="error">{warned}' not in table
    page = ops.get("/admin/sources/alpha", headers=BEARER).get_data(as_text=True)
    assert f'<dt>Warning</dt><dd class="warning" id="warning">{warned}</dd>' in page
    assert "Last error" not in page
    assert f'<td class="warning"><small>warning:</small> {warned}</td>' in page  # its fetch row

    failed = "The server answered 500."
    store.save_state(
        SourceState("alpha", outcome=Outcome.HTTP_ERROR, last_error=failed),
        record=FetchRecord("alpha", datetime.now(UTC), Outcome.HTTP_ERROR, 500, 0.1, error=failed),
    )
    page = ops.get("/admin/sources/alpha", headers=BEARER).get_data(as_text=True)
    assert f'<dt>Last error</dt><dd class="error">{failed}</dd>' in page
    assert f'<td class="error">{failed}</td>' in page
    assert 'id="warning"' not in page


def test_table_comes_a_page_at_a_time_keeping_its_filter_and_order(
    ops: HttpClient, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(admin, "PAGE_SIZE", 2)
    now = datetime.now(UTC)
    for source_id, errors in (("alpha", 1), ("beta", 3), ("gamma", 2)):
        store.save_state(
            SourceState(
                source_id, last_fetch=now, outcome=Outcome.HTTP_ERROR, consecutive_errors=errors
            )
        )

    def rows(path: str) -> list[str]:
        page = ops.get(path, headers=BEARER).get_data(as_text=True)
        return re.findall(r'<tr id="source-(\w+)"', page)

    assert rows("/admin/") == ["alpha", "beta"]
    assert rows("/admin/?page=2") == ["gamma"]
    first = ops.get("/admin/?state=failing&sort=errors&order=desc", headers=BEARER)
    page = first.get_data(as_text=True)
    assert re.findall(r'<tr id="source-(\w+)"', page) == ["beta", "gamma"]
    assert "failing (3)" in page
    assert "page 1 of 2" in page
    link = re.search(r'<a href="([^"]+)" rel="next">', page)
    assert link, page
    assert rows(html.unescape(link[1])) == ["alpha"]  # the same filter and order, next page
    assert rows("/admin/?sort=name&order=desc") == ["gamma", "beta"]
    assert rows("/admin/?sort=state&page=2") == ["gamma"]
    for junk in ("0", "3", "x", "²", "9" * 5000):
        assert ops.get(f"/admin/?page={junk}", headers=BEARER).status_code == 404


def test_table_finds_a_source_by_name_id_or_url(ops: HttpClient, store: Store) -> None:
    def rows(path: str) -> list[str]:
        page = ops.get(path, headers=BEARER).get_data(as_text=True)
        return re.findall(r'<tr id="source-(\w+)"', page)

    assert rows("/admin/?q=BETA") == ["beta"]  # id or name, any case
    assert rows("/admin/?q=gamma.xml") == ["gamma"]  # the feed URL
    assert rows("/admin/?q=.xml&sort=name&order=desc") == ["gamma", "beta", "alpha"]
    page = ops.get("/admin/?q=nothing-like-it", headers=BEARER).get_data(as_text=True)
    assert "No sources matching “nothing-like-it”" in page
    hostile = ops.get("/admin/?q=<script>x</script>", headers=BEARER).get_data(as_text=True)
    assert "<script>x" not in hostile
    assert "&lt;script&gt;x" in hostile


def test_source_page_shows_fetch_history_and_articles(
    ops: HttpClient,
    store: Store,
    add_articles: Callable[..., list[Article]],
) -> None:
    articles = add_articles("alpha", 3)
    store.save_state(
        SourceState("alpha"),
        record=FetchRecord(
            "alpha",
            datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
            Outcome.TIMEOUT,
            None,
            20.0,
            error="No answer within 20 seconds.",
        ),
    )
    page = ops.get("/admin/sources/alpha", headers=BEARER).get_data(as_text=True)
    assert "2026-01-02 03:04:05" in page
    assert "No answer within 20 seconds." in page
    assert "20.00s" in page
    for article in articles:
        assert article.url in page
    assert ops.get("/admin/sources/nope", headers=BEARER).status_code == 404


def test_source_page_says_how_much_junk_it_learned_and_how_to_keep_it(
    app: Flask,
    ops: HttpClient,
    store: Store,
    web_config: Config,
    add_articles: Callable[..., list[Article]],
) -> None:
    """An operator who finds a source's repeated paragraphs missing from its articles learns
    here why, and which setting keeps them."""
    articles = add_articles("alpha", 5)
    footer = paragraph_hash("Follow the Alpha Weekly on every social network you use.")
    store.observe_paragraphs("alpha", {a.id: [footer] for a in articles}, 120, 2, 120)
    assert store.boilerplate("alpha", 5) == {footer}

    def shown() -> str:
        page = ops.get("/admin/sources/alpha", headers=BEARER).get_data(as_text=True)
        found = re.search(r'id="learned-junk">(.*?)</dd>', page)
        assert found, page
        return found[1]

    assert shown() == (
        "1 paragraph it repeats in five of its articles or more leaves their content"
        " (<code>learned_junk = false</code> keeps them)"
    )
    off = replace(web_config.sources[0], learned_junk=False)
    store.publish_config(config_module.dumps(replace(web_config, sources=(off,))))
    assert shown() == "off (<code>learned_junk = false</code>): the 1 paragraph it repeats stays"


# --- actions ------------------------------------------------------------------------------------


def test_refresh_now_makes_the_source_due_and_enqueues_nothing(
    ops: HttpClient, store: Store
) -> None:
    store.schedule("gamma", time.time() + 3600)
    before = time.time()
    response = ops.post("/admin/sources/gamma/refresh", headers=BEARER)
    assert response.status_code == 303
    assert "done=refresh" in response.headers["Location"]
    # The web goes through the due set, like pause/resume/reset: the scheduler enqueues it.
    assert Queue(QUEUE_NAME, connection=store.redis).get_jobs() == []
    due = store.due_at("gamma")
    assert due is not None
    assert before <= due <= time.time()
    assert "Refresh requested" in ops.get(response.headers["Location"], headers=BEARER).get_data(
        as_text=True
    )


def test_pause_resume_and_reset(ops: HttpClient, store: Store) -> None:
    store.schedule("alpha", time.time() + 3600)
    ops.post("/admin/sources/alpha/pause", headers=BEARER)
    assert store.get_state("alpha").paused
    assert store.due_at("alpha") is None
    page = ops.get("/admin/sources/alpha", headers=BEARER).get_data(as_text=True)
    assert 'id="do-resume"' in page
    assert 'id="do-pause"' not in page
    # A paused source's reset forgets its errors, and says it is still paused.
    response = ops.post("/admin/sources/alpha/reset", headers=BEARER)
    page = ops.get(response.headers["Location"], headers=BEARER).get_data(as_text=True)
    assert "Errors forgotten; it is still paused: not fetched until resumed." in page
    assert store.due_at("alpha") is None

    ops.post("/admin/sources/alpha/resume", headers=BEARER)
    assert not store.get_state("alpha").paused
    due = store.due_at("alpha")
    assert due is not None
    assert due <= time.time()

    store.save_state(
        replace(
            store.get_state("beta"),
            outcome=Outcome.GONE,
            gone=True,
            consecutive_errors=7,
            last_error="The source is gone (HTTP 410).",
            adopted_url="https://moved.example/feed",  # where it redirected, now gone too
            adopted_for="https://b.example/feed",
        )
    )
    assert store.due_at("beta") is None
    ops.post("/admin/sources/beta/reset", headers=BEARER)
    state = store.get_state("beta")
    assert (state.gone, state.consecutive_errors) == (False, 0)
    assert state.adopted_url is None  # the configured URL is tried again
    due = store.due_at("beta")
    assert due is not None
    assert due <= time.time()
    assert ops.post("/admin/sources/nope/reset", headers=BEARER).status_code == 404


# --- fetch history in the store -----------------------------------------------------------------


def test_refresh_records_its_outcome_in_the_history(store: Store, feed_server: FeedServer) -> None:
    url = feed_server.add("/alpha.xml", RSS)
    feed_server.add("/beta.xml", status=500)
    config = make_config({"alpha": url, "beta": feed_server.url("/beta.xml")})
    with Fetcher(config.fetch, "aggregator-test/1") as fetcher:
        for source in config.sources:
            refresh_source(source, config, store, fetcher)
    [good] = store.fetch_history("alpha")
    assert (good.outcome, good.http_status, good.added, good.error) == (Outcome.OK, 200, 1, "")
    assert good.duration > 0
    [bad] = store.fetch_history("beta")
    assert (bad.outcome, bad.http_status) == (Outcome.HTTP_ERROR, 500)
    assert "500" in bad.error


def test_history_keeps_the_newest_fifty(store: Store) -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for n in range(60):
        record = FetchRecord("s", start + timedelta(minutes=n), Outcome.OK, 200, 0.1, added=n)
        store.save_state(SourceState("s"), record=record)
    history = store.fetch_history("s")
    assert len(history) == 50
    assert [h.added for h in history[:3]] == [59, 58, 57]
    assert history[-1].added == 10
    assert len(store.fetch_history("s", 5)) == 5


# --- in a real browser, with a real worker --------------------------------------------------------


def _beta_failing(
    store: Store,
    error: str = "The server answered 500 Internal Server Error.",
    record: FetchRecord | None = None,
    **more: object,
) -> None:
    """Source beta as two failed fetches left it: a 500 and its error."""
    store.save_state(
        SourceState(
            "beta",
            last_fetch=datetime.now(UTC),
            outcome=Outcome.HTTP_ERROR,
            http_status=500,
            consecutive_errors=2,
            last_error=error,
            **more,  # type: ignore[arg-type]
        ),
        record=record,
    )


def _log_in(page: Page, live_server: LiveServer, at_login: bool = False) -> None:
    """Log in with the admin's form, as an operator does, and wait for the table."""
    if not at_login:
        page.goto(f"{live_server.url}/admin/")
    page.fill("#token", TOKEN)
    page.click("button[type=submit]")
    page.wait_for_selector("table.sources")


@pytest.mark.browser
@pytest.mark.timeout(180)
def test_browser_table_and_refresh_now_leads_to_a_new_fetch(
    page: Page,
    live_server: LiveServer,
    app: Flask,
    store: Store,
    feed_server: FeedServer,
    redis_url: str,
    web_config: Config,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ADMIN_TOKEN", TOKEN)
    with_ops(app)
    feed_server.add("/alpha.xml", RSS)
    feed_server.add("/beta.xml", status=500)
    _beta_failing(store)
    worker = start_worker(redis_url)
    try:
        _log_in(page, live_server)
        assert page.inner_text("#source-beta [class^=badge]") == "failing"
        assert "500 Internal Server Error" in page.inner_text("#source-beta")

        page.click("text=failing (1)")
        page.wait_for_url("**state=failing**")
        assert page.locator("table.sources tbody tr").count() == 1

        page.goto(f"{live_server.url}/admin/sources/alpha")
        assert "Not fetched yet." in page.inner_text("table.history")
        page.click("#do-refresh")
        page.wait_for_selector("text=Refresh requested")
        # The scheduler's part: hand what is due (alpha, now) to the worker.
        scheduler.tick(store, Queue(QUEUE_NAME, connection=store.redis), web_config)
        wait_for(lambda: bool(store.fetch_history("alpha")), 60, "the worker's fetch")
        page.reload()
        assert "ok" in page.inner_text("table.history tbody tr")
        assert len(feed_server.requests("/alpha.xml")) == 1
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(10)


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_admin_pages_pass_axe(
    page: Page,
    live_server: LiveServer,
    app: Flask,
    store: Store,
    monkeypatch: pytest.MonkeyPatch,
    scheme: Literal["light", "dark"],
) -> None:
    """axe-core's rules on the login form, the table (filtered too) and a source's page."""
    monkeypatch.setenv("ADMIN_TOKEN", TOKEN)
    with_ops(app)
    page.emulate_media(color_scheme=scheme)
    _beta_failing(store)
    axe = Axe()
    page.goto(f"{live_server.url}/admin/")
    found = [f"login: {v['id']}" for v in axe.run(page).response["violations"]]
    _log_in(page, live_server, at_login=True)
    for path in ("/admin/", "/admin/?state=failing", "/admin/sources/alpha", "/admin/sources/beta"):
        page.goto(live_server.url + path)
        for violation in axe.run(page).response["violations"]:
            found.append(f"{path}: {violation['id']} {violation['nodes'][0]['html'][:200]}")
    assert found == []


@pytest.mark.browser
def test_rq_dashboard_renders_its_queues_in_a_browser(
    page: Page, live_server: LiveServer, app: Flask, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # It stayed on "Loading..." forever: its templates compile with `new Function`, which the
    # site's CSP forbids.
    monkeypatch.setenv("ADMIN_TOKEN", TOKEN)
    with_ops(app)
    Queue(scheduler.QUEUE_NAME, connection=store.redis).enqueue("builtins.print", "x")
    blocked: list[str] = []
    page.on(
        "console",
        lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None,
    )
    _log_in(page, live_server)
    page.goto(f"{live_server.url}/admin/rq/")
    row = page.locator("#queues tr[data-role=queue]", has_text=scheduler.QUEUE_NAME)
    expect(row).to_have_count(1)
    expect(row.locator("td").nth(1)).to_have_text("1")
    expect(page.locator("#queues [data-role=loading-placeholder]")).to_have_count(0)
    assert blocked == []
    icon = page.request.get(f"{live_server.url}/static/favicon.ico")  # the dashboard links it
    assert icon.status == 200


@pytest.mark.browser
def test_a_failed_jobs_error_shows_as_text_on_the_dashboards_job_page(
    page: Page, live_server: LiveServer, app: Flask, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """rq-dashboard's job page writes a job's error, description and result unescaped, and its
    policy allows inline script: an exception carrying a feed's text must show as text."""
    monkeypatch.setenv("ADMIN_TOKEN", TOKEN)
    with_ops(app)
    attack = '<img src=x id=injected onerror="document.title=this.id">'
    queue = Queue("hostile", connection=store.redis)
    job = queue.enqueue("builtins.int", attack, description=f"refresh {attack}")
    SimpleWorker([queue], connection=store.redis).work(burst=True)
    assert job.get_status(refresh=True) == "failed"
    _log_in(page, live_server)
    page.goto(f"{live_server.url}/admin/rq/0/view/job/{job.id}")
    error = page.locator("pre.exc_info")
    expect(error).to_contain_text(attack)  # shown as written
    expect(page.locator(".description-scroll")).to_contain_text(f"refresh {attack}")
    assert page.locator("#injected").count() == 0
    assert page.title() != "injected"


@pytest.mark.browser
def test_every_dashboard_page_writes_its_data_as_text(
    page: Page, live_server: LiveServer, app: Flask, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The queues page wrote a queue's name unescaped, under a policy that allows inline script
    (a review: only the job and workers pages were escaped). Every page's data is escaped now,
    once: the jobs list's description, which that page escapes itself, shows as written."""
    monkeypatch.setenv("ADMIN_TOKEN", TOKEN)
    with_ops(app)
    attack = '<img src=x id=injected onerror="document.title=this.id">'
    queue = Queue(f"hostile{attack}", connection=store.redis)
    queue.enqueue("builtins.print", "x", description=f"print {attack}")
    _log_in(page, live_server)
    try:
        page.goto(f"{live_server.url}/admin/rq/")
        row = page.locator("#queues tr[data-role=queue]", has_text=attack)
        expect(row).to_have_count(1)
        row.locator("a").first.click()  # its queued jobs: the link, escaped, still leads there
        expect(page.locator("tr[data-role=job] .description")).to_have_text(f"print {attack}")
        assert page.locator("#injected").count() == 0
        assert page.title() != "injected"
    finally:
        queue.delete(delete_jobs=True)


def test_a_busy_workers_job_shows_as_text_on_the_dashboards_workers_page(
    page: Page,
    live_server: LiveServer,
    app: Flask,
    store: Store,
    redis_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The workers page writes a busy worker's job call, its arguments in it, unescaped, under
    a policy that allows inline script (as its job page did: a security review)."""
    monkeypatch.setenv("ADMIN_TOKEN", TOKEN)
    with_ops(app)
    attack = '<img src=x id=injected onerror="document.title=this.id">'
    queue = Queue(QUEUE_NAME, connection=store.redis)
    job = queue.enqueue("tests.support.pipeline.hold", 20.0, attack, description=f"hold {attack}")
    worker = start_worker(redis_url)
    try:
        wait_for(lambda: job.get_status(refresh=True) == "started", 30, "the job's start")
        _log_in(page, live_server)
        page.goto(f"{live_server.url}/admin/rq/0/view/workers")
        busy = page.locator("tr[data-role=worker] a", has_text="hold(")
        expect(busy).to_contain_text(attack)  # shown as written
        assert page.locator("#injected").count() == 0
        assert page.title() != "injected"
        # The description is in the cell's tooltip, which the page escapes itself: once.
        assert attack in (
            page.locator("tr[data-role=worker] td[title^='Job ID']").get_attribute("title") or ""
        )
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(10)


def test_dashboard_buttons_work_for_a_logged_in_browser_and_nothing_else(
    ops: HttpClient,
) -> None:
    """rq-dashboard posts by XHR without a form token; a cross-site form cannot add the header."""
    login(ops)
    url = "/admin/rq/queue/refresh/failed/empty"
    assert ops.post(url).status_code == 400  # a plain form post: could be cross-site
    assert ops.post(url, headers={"X-Requested-With": "XMLHttpRequest"}).status_code == 200
    cross = {"X-Requested-With": "XMLHttpRequest", "Sec-Fetch-Site": "cross-site"}
    assert ops.post(url, headers=cross).status_code == 400
    assert ops.get("/admin/rq/requeue/refresh").status_code == 405  # state change on GET


def test_a_non_ascii_token_is_refused_not_a_crash(ops: HttpClient) -> None:
    assert ops.get("/admin/", headers={"Authorization": "Bearer é"}).status_code == 401
    assert ops.post("/admin/login", data={"token": "é"}).status_code == 401


def test_a_config_file_that_cannot_be_applied_is_shown_to_operators_only(
    ops: HttpClient, store: Store
) -> None:
    assert 'id="config-problems"' not in ops.get("/admin/", headers=BEARER).get_data(True)
    problem = 'sources[3] (id "bbc").url: missing <required>'
    store.set_config_problems("/etc/aggregator.toml", [problem])
    page = ops.get("/admin/", headers=BEARER).get_data(as_text=True)
    assert 'id="config-problems"' in page
    assert "/etc/aggregator.toml" in page
    assert "missing &lt;required&gt;" in page  # escaped like every text
    assert "config-problems" not in ops.get("/admin/").get_data(as_text=True)  # not logged in
    # A renamed key in a long file: one line per source, kept to the first hundred.
    many = [f"sources[{n}]: unknown key 'urll'" for n in range(150)]
    store.set_config_problems("/etc/aggregator.toml", many)
    page = ops.get("/admin/", headers=BEARER).get_data(as_text=True)
    assert "sources[99]: unknown key" in page
    assert "sources[100]:" not in page
    assert "… and 50 more: <code>aggregator check-config</code> lists them all." in page


def test_the_config_s_warnings_are_shown_to_operators_the_first_twenty_in_full(
    ops: HttpClient, store: Store
) -> None:
    assert 'id="config-warnings"' not in ops.get("/admin/", headers=BEARER).get_data(True)
    warnings = [
        f"line {n}: sources[{n}] (s{n}).url: the #<top> part is never sent" for n in range(25)
    ]
    store.set_config_warnings("/etc/aggregator.toml", warnings)
    page = ops.get("/admin/", headers=BEARER).get_data(as_text=True)
    assert "25 warning(s) on the config in force, /etc/aggregator.toml" in page
    assert "line 19: sources[19] (s19).url: the #&lt;top&gt; part" in page  # escaped
    assert "sources[20]" not in page
    assert "… and 5 more: <code>aggregator check-config</code> lists them all." in page
    assert "config-warnings" not in ops.get("/admin/").get_data(as_text=True)  # not logged in
    store.set_config_warnings("/etc/aggregator.toml", [])
    assert 'id="config-warnings"' not in ops.get("/admin/", headers=BEARER).get_data(True)


def test_source_page_shows_unreadable_dates_and_full_text_failures(
    ops: HttpClient, store: Store
) -> None:
    page = ops.get("/admin/sources/alpha", headers=BEARER).get_data(as_text=True)
    assert "Unreadable dates" not in page
    assert "Full text failures" not in page
    error = "https://a.example/1: timeout: no answer within 3 seconds"
    store.save_state(
        SourceState(
            "alpha",
            unreadable_dates=4,
            future_dates=5,
            full_text_failures=2,
            full_text_error=error,
            pages_pending=3,
        )
    )
    page = ops.get("/admin/sources/alpha", headers=BEARER).get_data(as_text=True)
    assert "Unreadable dates</dt><dd" in page
    assert '<dd id="future-dates">5 in the last feed (dated when first seen)' in page
    assert "4 in the last feed" in page
    assert "2 page fetches failed" in page
    assert error in page
    assert "3 articles' pages are still to fetch" in page


@pytest.mark.browser
def test_the_admin_pages_do_not_scroll_sideways_on_a_phone(
    page: Page, live_server: LiveServer, app: Flask, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The table and the fetch history scroll in their own boxes, and a long URL or error wraps:
    at 390 px the table made the page 777 px wide, a source's page 657."""
    monkeypatch.setenv("ADMIN_TOKEN", TOKEN)
    with_ops(app)
    long_url = "https://example.com/" + "a-very-long-path-segment-" * 12 + "feed.xml"
    failed = f"The server answered 500 Internal Server Error at {long_url}."
    record = FetchRecord("beta", datetime.now(UTC), Outcome.HTTP_ERROR, 500, 0.1, error=failed)
    _beta_failing(store, failed, record, redirect_url=long_url, redirect_count=3)
    page.set_viewport_size({"width": 390, "height": 844})
    _log_in(page, live_server)
    for path in ("/admin/", "/admin/sources/beta"):
        page.goto(live_server.url + path)
        page.wait_for_selector("table")
        width = page.evaluate("document.documentElement.scrollWidth")
        wide = page.evaluate(
            "[...document.querySelectorAll('body *')]"
            ".filter(e => e.getBoundingClientRect().right > 390 && !e.closest('.wide'))"
            ".map(e => e.tagName + '.' + e.className).slice(0, 8).join(' ')"
        )
        assert width <= 390, f"{path} is {width} px wide at 390: {wide}"
    # The fetch history's box scrolls, and the keyboard reaches and scrolls it (WCAG 2.1.1: it
    # holds no link; Chromium lets the keyboard into any scrolling box, Safari only into a
    # focusable one, as the pages' code blocks are).
    box = page.locator(".wide", has=page.locator("table.history"))
    assert box.evaluate("e => e.scrollWidth > e.clientWidth")
    expect(box).to_have_attribute("tabindex", "0")
    box.focus()
    expect(box).to_be_focused()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("e => e.scrollLeft > 0", arg=box.element_handle())
    page.goto(live_server.url + "/admin/")
    expect(page.locator(".wide", has=page.locator("table.sources"))).to_have_attribute(
        "tabindex", "0"
    )
