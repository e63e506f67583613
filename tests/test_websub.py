"""WebSub publishing: the hub our feeds advertise hears, from a real worker, which feeds changed."""

from __future__ import annotations

import contextlib
import http.server
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from urllib.parse import parse_qs

import pytest
from rq import Queue, SimpleWorker

from aggregator import websub
from aggregator.config import Config
from aggregator.models import Article
from aggregator.queues import QUEUE_NAME
from aggregator.store import Store
from tests.support.feed_server import FeedServer
from workers import scheduler

AddArticles = Callable[..., list[Article]]


def hub_at(feed_server: FeedServer, status: int = 204) -> tuple[str, list[dict[str, list[str]]]]:
    """A WebSub hub on loopback answering `status`: its URL, and the pings it received."""
    pings: list[dict[str, list[str]]] = []

    def respond(h: http.server.BaseHTTPRequestHandler) -> None:
        length = int(h.headers.get("Content-Length") or 0)
        pings.append(parse_qs(h.rfile.read(length).decode()))
        h.send_response(status)
        h.send_header("Content-Length", "0")
        h.end_headers()

    return feed_server.add_handler(f"/hub-{status}", respond), pings


def test_a_changed_feed_is_announced_to_the_hub_once_a_burst_not_per_save(
    store: Store, web_config: Config, add_articles: AddArticles, feed_server: FeedServer
) -> None:
    hub, pings = hub_at(feed_server)
    config = replace(web_config, site=replace(web_config.site, hub=hub))
    scheduler.publish(store, config)
    queue = Queue(QUEUE_NAME, connection=store.redis)
    # The first look notes every feed's version: nobody has subscribed through the hub yet.
    assert scheduler.announce(store, queue, config, now=1000.0) is None
    assert scheduler.announce(store, queue, config, now=1001.0) is None  # nothing changed

    add_articles("hacker-blog")  # in "tech" (and everything's feed), not in "world"
    job_id = scheduler.announce(store, queue, config, now=1002.0)
    assert job_id is not None
    SimpleWorker([queue], connection=store.redis).work(burst=True)
    base = config.site.base_url.rstrip("/")
    feeds = ["/feed.atom", "/feed.rss", "/feed.json"]
    feeds += ["/c/tech/feed.atom", "/c/tech/feed.rss", "/c/tech/feed.json"]
    assert sorted(p["hub.url"][0] for p in pings) == sorted(base + f for f in feeds)
    assert all(p["hub.mode"] == ["publish"] for p in pings)
    job = queue.fetch_job(job_id)
    assert job is not None
    assert set(job.return_value().values()) == {"ok"}

    # A round saving source after source is one announcement per feed, MIN_SECONDS after its
    # last: "world" had none, so it is announced now; "tech" and everything's wait.
    add_articles("hacker-blog")
    add_articles("mixed")  # in "tech" and "world"
    del pings[:]
    assert scheduler.announce(store, queue, config, now=1010.0) is not None
    SimpleWorker([queue], connection=store.redis).work(burst=True)
    assert sorted(p["hub.url"][0] for p in pings) == sorted(
        f"{base}/c/world/feed.{fmt}" for fmt in ("atom", "rss", "json")
    )
    assert scheduler.announce(store, queue, config, now=1020.0) is None
    later = 1002.0 + websub.MIN_SECONDS
    assert scheduler.announce(store, queue, config, now=later) is not None
    SimpleWorker([queue], connection=store.redis).work(burst=True)
    assert sorted(p["hub.url"][0] for p in pings[3:]) == sorted(base + f for f in feeds)
    assert scheduler.announce(store, queue, config, now=later + 100) is None


def test_a_hub_that_fails_is_reported_per_feed_not_raised(feed_server: FeedServer) -> None:
    failing, pings = hub_at(feed_server, status=500)
    topics = ["https://agg.example/feed.atom", "https://agg.example/feed.rss"]
    outcomes = websub.publish(failing, topics, "aggregator-test/1")
    assert outcomes == dict.fromkeys(topics, "the hub answered HTTP 500")
    assert len(pings) == 2
    gone = feed_server.url("/").replace(str(feed_server.port), "9")  # discard: nothing listens
    assert websub.publish(gone, topics[:1], "aggregator-test/1") == {
        topics[0]: "the hub could not be reached (ConnectError)"
    }
    # (The name is resolved by the fetch's own backend, which says why it did not resolve.)
    unknown = websub.publish("http://hub.invalid/", topics[:1], "aggregator-test/1", timeout=2.0)
    assert unknown[topics[0]].startswith(
        "the hub could not be reached: could not resolve host hub.invalid"
    )


def test_no_hub_no_announcement(store: Store, web_config: Config) -> None:
    scheduler.publish(store, web_config)
    assert web_config.site.hub == ""
    assert websub.due(store, web_config, now=1000.0) == []


def _endless_body(h: http.server.BaseHTTPRequestHandler, sent: list[int]) -> None:
    """200, then a body without end (64 MB/s: a bounded rate, so the old read-it-all stops)."""
    h.rfile.read(int(h.headers.get("Content-Length") or 0))
    h.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n")
    with contextlib.suppress(OSError):
        for _ in range(4000):
            h.wfile.write(b"x" * 65536)
            sent[0] += 65536
            time.sleep(0.001)


def _drip(h: http.server.BaseHTTPRequestHandler, sent: list[int]) -> None:
    """A 204, one byte every 0.2 s: each read comes well within any per-read timeout."""
    h.rfile.read(int(h.headers.get("Content-Length") or 0))
    with contextlib.suppress(OSError):
        for byte in b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n":
            h.wfile.write(bytes([byte]))
            h.wfile.flush()
            sent[0] += 1
            time.sleep(0.2)


@pytest.mark.parametrize(
    ("respond", "outcome"),
    [(_endless_body, "ok"), (_drip, "the hub could not be reached (ReadTimeout)")],
    ids=["endless-body", "drip"],
)
def test_a_hostile_hub_is_left_at_its_deadline_its_body_unread(
    feed_server: FeedServer,
    respond: Callable[[http.server.BaseHTTPRequestHandler, list[int]], None],
    outcome: str,
) -> None:
    """The hub is the operator's, but its answer crosses the network (an http:// hub, anyone on
    the way): read whole, an endless body (or a gzip bomb, which httpx inflated without bound)
    filled the worker's memory, GBs in seconds; a drip held it until RQ killed the job."""
    sent = [0]
    hub = feed_server.add_handler("/hostile-hub", lambda h: respond(h, sent))
    topic = "https://agg.example/feed.atom"
    done: dict[str, str] = {}
    ping = threading.Thread(
        target=lambda: done.update(websub.publish(hub, [topic], "aggregator-test/1", timeout=1.0)),
        daemon=True,
    )
    started = time.monotonic()
    ping.start()
    ping.join(3.0)
    assert not ping.is_alive(), f"still reading the hub after 3 s ({sent[0]:,} bytes sent)"
    assert time.monotonic() - started < 2.0
    assert done == {topic: outcome}
