"""The web app on the real Redis server, a test client, a real HTTP server, and articles to show.

Fixtures:
    web_config      the Config the app serves (override it in a test module for another one);
                    its site.base_url is the live server's URL
    app             create_app() on the session Valkey server, after publishing `web_config` into
                    Redis the way the scheduler does, so the web reads its config like in production
    client          http_client(app): real HTTP on 127.0.0.1, werkzeug Responses back
    live_server     `app` behind the session's real threaded HTTP server on 127.0.0.1; `.url` has
                    no trailing /
    add_articles    add_articles(source_id, n, **overrides) -> list[Article], saved with
                    Store.save_refresh; each call's articles are newer than the last call's
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import itertools
import json as jsonlib
import threading
import weakref
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

import pytest
from flask import Flask
from werkzeug.datastructures import Headers
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.test import EnvironBuilder, TestResponse
from werkzeug.urls import iri_to_uri

from aggregator import config as config_module
from aggregator import web
from aggregator.config import Category, Config, FetchConfig, SiteConfig, SourceConfig
from aggregator.models import Article, Enclosure
from aggregator.store import Store
from aggregator.web import create_app

DEFAULT_BASE_URL = "http://localhost"  # a site's address when no server of it is asked
APP_HEADER = "X-Test-App"  # which app an HttpClient's request is for; the live server drops it
REDIRECTS = {301, 302, 303, 307, 308}


def make_config(base_url: str = DEFAULT_BASE_URL, **site: Any) -> Config:
    """A small config: two categories sharing one source, a CJK-named source, an empty category."""
    return Config(
        site=SiteConfig(
            title="Test Aggregator",
            base_url=base_url,
            language="en",
            description="Everything the test sources publish",
            icon="https://static.example/icon.png",
            **site,
        ),
        fetch=FetchConfig(allow_private_networks=True),
        categories=(
            Category("tech", "Technology", "Software & hardware news"),
            Category("world", "World 世界"),
            Category("quiet", "Quiet", "A category without sources"),
        ),
        sources=(
            SourceConfig(
                id="hacker-blog",
                name="Hacker Blog",
                url="https://hacker.example/feed.xml",
                categories=("tech",),
                interval=900.0,
                site_url="https://hacker.example/",
            ),
            SourceConfig(
                id="people-daily",
                name="人民日报",
                url="https://news.example.cn/rss.xml",
                categories=("world",),
                interval=900.0,
                language="zh-CN",
            ),
            SourceConfig(
                id="mixed",
                name="Mixed Bag & Co",
                url="https://mixed.example/atom.xml",
                categories=("tech", "world"),
                interval=900.0,
                site_url="https://mixed.example/",
            ),
        ),
    )


def paragraphs_article(
    article_id: str, source: str, title: str, paras: Sequence[str], at: datetime
) -> Article:
    """An article of plain paragraphs, as stories compare them (tests and bench/stories.py)."""
    return Article(
        id=article_id,
        source_id=source,
        guid=article_id,
        url=f"https://example.com/{article_id}",
        title=title,
        summary=paras[0][:160],
        content="".join(f"<p>{p}</p>" for p in paras),
        author="",
        published=at,
        updated=at,
        source_name=source,
        source_url="https://example.com/",
        categories=("news",),
        content_hash=article_id,
    )


def make_article(source: SourceConfig, n: int, published: datetime) -> Article:
    """Article number `n` of `source`: CJK titles on odd n, enclosures and thumbnails on some."""
    guid = f"{source.url.rsplit('/', 1)[0]}/posts/{n}"
    if n % 2:
        title = f"第{n}篇：北京新闻与“引号”"
        summary = f"第{n}篇文章的摘要。"
    else:
        title = f"Article {n}: Rust & Python “quoted”"
        summary = f"Summary of article {n}."
    enclosures: tuple[Enclosure, ...] = ()
    if n % 3 == 0:
        enclosures = (Enclosure(f"{guid}/episode.mp3", "audio/mpeg", 1000 + n),)
    article = Article(
        id=hashlib.sha256(f"{source.id}\n{guid}".encode()).hexdigest()[:24],
        source_id=source.id,
        guid=guid,
        url=guid,
        title=title,
        summary=summary,
        content=f"<p>{summary}</p>",
        author="Ann Author" if n % 4 == 0 else "",
        published=published,
        updated=published + timedelta(seconds=30 * (n % 2)),
        source_name=source.name,
        source_url=source.site_url or source.url,
        categories=source.categories,
        tags=("news", f"tag-{n % 3}"),
        language=source.language,
        enclosures=enclosures,
        thumbnail=f"{guid}/thumb.jpg" if n % 2 == 0 else "",
    )
    return replace(article, content_hash=hashlib.sha256(repr(article).encode()).hexdigest())


class LiveServer:
    """A threaded werkzeug HTTP server on 127.0.0.1 serving whatever WSGI app `app` is, or the app
    an HttpClient's request names in its X-Test-App header (so clients of several apps share it)."""

    def __init__(self) -> None:
        self.app: Flask | None = None
        self._apps: weakref.WeakValueDictionary[str, Flask] = weakref.WeakValueDictionary()
        self._server: BaseWSGIServer = make_server(
            "127.0.0.1", 0, self._dispatch, threaded=True, request_handler=_QuietHandler
        )
        self.port = self._server.server_port
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def register(self, app: Flask) -> str:
        """The X-Test-App value that routes a request to `app`."""
        key = str(id(app))
        self._apps[key] = app
        return key

    def _dispatch(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        key = environ.pop("HTTP_" + APP_HEADER.upper().replace("-", "_"), None)
        app = self.app if key is None else self._apps.get(key)
        if app is None:
            raise RuntimeError("the live server has no app for this request")
        return app(environ, start_response)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(10)


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Keep pytest's captured output for the test's own messages."""


class HttpClient:
    """Flask's test client's calls (get, head, post, ...; headers, data, json, query_string,
    follow_redirects, set_cookie), but over real HTTP to `app` on the live server: http.client
    sends the request on a new loopback connection, and the reply comes back as a werkzeug
    TestResponse (status_code, data, headers, get_json(), mimetype, location, text). Cookies the
    app sets are kept and sent back on the paths they are for, like a browser's."""

    def __init__(self, server: LiveServer, app: Flask) -> None:
        self.server = server
        self.url = server.url  # the web_config's site.base_url too
        self.application = app
        self._key = server.register(app)
        self._cookies: dict[tuple[str, str], str] = {}  # (name, path) -> value

    def set_cookie(self, key: str, value: str = "", *, path: str = "/", **_: Any) -> None:
        self._cookies[(key, path)] = value

    def open(
        self,
        path: str,
        method: str = "GET",
        *,
        headers: dict[str, str] | Iterable[tuple[str, str]] | None = None,
        data: dict[str, str] | str | bytes | None = None,
        json: Any = None,
        query_string: dict[str, Any] | None = None,
        follow_redirects: bool = False,
    ) -> TestResponse:
        sent = Headers(headers or ())
        body: bytes | None = None
        if json is not None:
            body = jsonlib.dumps(json).encode()
            sent.setdefault("Content-Type", "application/json")
        elif isinstance(data, dict):
            body = urlencode(data).encode()
            sent.setdefault("Content-Type", "application/x-www-form-urlencoded")
        elif data is not None:
            body = data.encode() if isinstance(data, str) else data
        if query_string:
            path += ("&" if "?" in path else "?") + urlencode(query_string)
        history: list[TestResponse] = []
        while True:
            response = self._send(method, path, sent, body)
            if not follow_redirects or response.status_code not in REDIRECTS:
                break
            history.append(response)
            target = urlsplit(urljoin(self.url + path, response.headers["Location"]))
            if f"{target.scheme}://{target.netloc}" != self.url:  # (as Flask's test client)
                raise RuntimeError(f"a redirect off the site, not followed: {target.geturl()}")
            path = target.path + (f"?{target.query}" if target.query else "")
            if response.status_code in {301, 302, 303} and method != "HEAD":
                method, body = "GET", None
        response.history = tuple(history)
        return response

    def _send(self, method: str, path: str, headers: Headers, body: bytes | None) -> TestResponse:
        cookies = "; ".join(
            f"{name}={value}"
            for (name, cookie_path), value in self._cookies.items()
            if path.startswith(cookie_path)
        )
        connection = http.client.HTTPConnection("127.0.0.1", self.server.port)
        try:
            # No Accept-Encoding unless the test sends one, like Flask's test client.
            # Non-ASCII percent-encoded as UTF-8, as browsers and the test client send it.
            connection.putrequest(method, iri_to_uri(path), skip_accept_encoding=True)
            for name, value in headers.items():
                connection.putheader(name, value)
            connection.putheader(APP_HEADER, self._key)
            if cookies and "Cookie" not in headers:
                connection.putheader("Cookie", cookies)
            if body is not None:
                connection.putheader("Content-Length", str(len(body)))
            connection.endheaders(body)
            reply = connection.getresponse()
            data = reply.read()
        finally:
            connection.close()
        received = Headers(reply.getheaders())
        for set_cookie in received.getlist("Set-Cookie"):
            self._keep(set_cookie)
        request = EnvironBuilder(path, self.url, method=method, headers=headers).get_request()
        return TestResponse([data], f"{reply.status} {reply.reason}", received, request)

    def _keep(self, set_cookie: str) -> None:
        for name, morsel in SimpleCookie(set_cookie).items():
            key = (name, morsel["path"] or "/")
            if morsel["max-age"] == "0":
                self._cookies.pop(key, None)
            else:
                self._cookies[key] = morsel.value

    def get(self, path: str, **options: Any) -> TestResponse:
        return self.open(path, "GET", **options)

    def head(self, path: str, **options: Any) -> TestResponse:
        return self.open(path, "HEAD", **options)

    def post(self, path: str, **options: Any) -> TestResponse:
        return self.open(path, "POST", **options)

    def options(self, path: str, **options: Any) -> TestResponse:
        return self.open(path, "OPTIONS", **options)


_session_server: list[LiveServer] = []  # the session's one, once started


def _session_live_server() -> LiveServer:
    """The session's live server, started by the first test that needs it (a test may build
    its own app without the `app` fixture, first in the session: no order between tests)."""
    if not _session_server:
        server = LiveServer()
        server.start()
        _session_server.append(server)
    return _session_server[0]


def http_client(app: Flask) -> HttpClient:
    """A client that asks `app` over real HTTP, on the session's live server."""
    return HttpClient(_session_live_server(), app)


@pytest.fixture(scope="session")
def _live_http() -> Iterator[LiveServer]:
    # One for the session, started before any app exists, so the apps' base_url can be its URL;
    # each test points it at its own app.
    server = _session_live_server()
    yield server
    _session_server.remove(server)
    server.stop()


@pytest.fixture
def web_config(_live_http: LiveServer) -> Config:
    """The config the app serves, at the live server's address."""
    return make_config(_live_http.url)


@pytest.fixture
def app(web_config: Config, redis_url: str, store: Store, _live_http: LiveServer) -> Flask:
    """The web app on the flushed session server, its config published like the scheduler does
    (a second ago, in whole seconds: a feed dated by its config alone then has its date as
    Last-Modified at once, not the second after once its second is over); the live server is
    up, for http_client()."""
    published = datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=1)
    store.publish_config(config_module.dumps(web_config), now=published)
    store.set_sources(store.get_states([s.id for s in web_config.sources]))
    app = create_app(web_config, redis_url, recheck_interval=0)
    app.config["TESTING"] = True
    return app


@contextlib.contextmanager
def redis_connections_held(app: Flask) -> Iterator[None]:
    """Inside, every one of the app's connections to Redis is taken (as a burst holds them while
    the process's loop is slow to give them back): its calls wait out the pool's wait."""
    pool = app.extensions[web.EXTENSION].store.redis.connection_pool
    held = [pool.get_connection() for _ in range(pool.max_connections)]
    try:
        yield
    finally:
        for connection in held:
            pool.release(connection)


@pytest.fixture
def client(app: Flask) -> HttpClient:
    """A real-HTTP client of `app`."""
    return http_client(app)


@pytest.fixture
def live_server(app: Flask, _live_http: LiveServer) -> LiveServer:
    """The app behind the session's real HTTP server; `live_server.url` is its base URL."""
    _live_http.app = app
    return _live_http


@pytest.fixture
def add_articles(web_config: Config, store: Store) -> Callable[..., list[Article]]:
    """A function that saves `n` new articles of a configured source and returns them."""
    counter = itertools.count(1)
    # Recent enough for retention's max age, whole seconds like every feed format keeps.
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(days=1)

    def add(source_id: str, n: int = 1, **overrides: Any) -> list[Article]:
        source = web_config.source(source_id)
        if source is None:
            raise ValueError(f"no source {source_id!r} in the test config")
        articles = []
        for _ in range(n):
            number = next(counter)
            article = make_article(source, number, start + timedelta(minutes=number))
            articles.append(replace(article, **overrides) if overrides else article)
        store.save_refresh(store.get_state(source_id), articles, web_config.retention, _now())
        return articles

    return add


def _now() -> datetime:
    return datetime.now(UTC)
