"""The web app on the real Redis server, a test client, a real HTTP server, and articles to show.

Fixtures:
    web_config      the Config the app serves (override it in a test module for another one);
                    its site.base_url is the live server's URL when the test uses `live_server`
    app             create_app() on the session Valkey server, after publishing `web_config` into
                    Redis the way the scheduler does, so the web reads its config like in production
    client          Flask's test client of `app`
    live_server     `app` behind a real threaded HTTP server on 127.0.0.1; `.url` has no trailing /
    add_articles    add_articles(source_id, n, **overrides) -> list[Article], saved with
                    Store.save_refresh; each call's articles are newer than the last call's
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from aggregator import config as config_module
from aggregator import web
from aggregator.config import Category, Config, FetchConfig, SiteConfig, SourceConfig
from aggregator.models import Article, Enclosure
from aggregator.store import Store
from aggregator.web import create_app

DEFAULT_BASE_URL = "http://localhost"  # what Flask's test client requests


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
    """A threaded werkzeug HTTP server on 127.0.0.1 serving whatever WSGI app `app` is."""

    def __init__(self) -> None:
        self.app: Flask | None = None
        self._server: BaseWSGIServer = make_server(
            "127.0.0.1", 0, self._dispatch, threaded=True, request_handler=_QuietHandler
        )
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def _dispatch(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        if self.app is None:
            raise RuntimeError("the live server has no app yet")
        return self.app(environ, start_response)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(10)


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Keep pytest's captured output for the test's own messages."""


@pytest.fixture
def _live_http(request: pytest.FixtureRequest) -> Iterator[LiveServer | None]:
    # Started before the app exists, so the app's base_url can be the server's real URL.
    if "live_server" not in request.fixturenames:
        yield None
        return
    server = LiveServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def web_config(_live_http: LiveServer | None) -> Config:
    """The config the app serves."""
    return make_config(_live_http.url if _live_http is not None else DEFAULT_BASE_URL)


@pytest.fixture
def app(web_config: Config, redis_url: str, store: Store) -> Flask:
    """The web app on the flushed session server, its config published like the scheduler does
    (a second ago, in whole seconds: a feed dated by its config alone then has its date as
    Last-Modified at once, not the second after once its second is over)."""
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
def client(app: Flask) -> FlaskClient:
    """Flask's test client (requests http://localhost/...)."""
    return app.test_client()


@pytest.fixture
def live_server(app: Flask, _live_http: LiveServer | None) -> LiveServer:
    """The app behind a real HTTP server; `live_server.url` is its base URL."""
    assert _live_http is not None
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
