"""End to end through the real queue: every corpus file, and workers killed mid-job."""

from __future__ import annotations

import http.server
import os
import signal
import time

import pytest
from rq import Queue

from aggregator.models import Outcome
from aggregator.queues import QUEUE_NAME
from aggregator.store import Store
from tests.support.corpus import CORPUS, corpus_files, requires_corpus
from tests.support.feed_server import FeedServer
from tests.support.pipeline import (
    ingest_with_burst_worker,
    make_config,
    start_worker,
    tick_until_fetched,
    wait_for,
)
from workers import scheduler

CONTENT_TYPES = {
    ".json": "application/feed+json",
    ".html": "text/html",
    ".rss": "application/rss+xml",
}


@requires_corpus
def test_every_corpus_file_ends_stored_or_with_a_readable_error(
    store: Store, feed_server: FeedServer, redis_url: str
) -> None:
    files = corpus_files("real", "encodings", "malformed", "edge")
    assert len(files) > 300, f"corpus not found at {CORPUS}"
    urls = {}
    for n, path in enumerate(files):
        content_type = CONTENT_TYPES.get(path.suffix, "application/xml")
        urls[f"c{n}"] = feed_server.serve_file(f"/{n}/{path.name}", path, content_type)
    config = make_config(urls, batch_size=25)
    ingest_with_burst_worker(redis_url, store, config, 600)
    states = store.get_states(list(urls))
    problems = []
    stored = errors = 0
    for source_id, path in zip(urls, files, strict=True):
        state = states[source_id]
        if state.outcome is Outcome.OK:
            stored += 1
        elif state.outcome is not None and state.outcome.is_error and len(state.last_error) > 10:
            errors += 1
        else:
            problems.append(f"{path.name}: {state.outcome} {state.last_error!r}")
    assert not problems, problems
    # The corpus is mostly real feeds: most must yield articles.
    assert stored > 0.8 * len(files), (stored, errors)

    # A real GB2312 forum feed comes out as the Chinese it was written in.
    gb = files.index(CORPUS / "encodings" / "nnw_kc0011.rss")
    titles = [a.title for a in store.source_articles(f"c{gb}", 50)]
    assert any(t.startswith("建国35周年纪念") for t in titles), titles
    assert not any("\ufffd" in t for t in titles)


def _slow_feed(n_items: int, tag: str) -> bytes:
    items = "".join(
        f'<item><guid isPermaLink="false">{tag}-{i}</guid><title>{tag} item {i}</title>'
        f"<link>https://example.com/{tag}/{i}</link></item>"
        for i in range(n_items)
    )
    channel = f"<channel><title>{tag}</title>{items}</channel>"
    return f'<?xml version="1.0"?><rss version="2.0">{channel}</rss>'.encode()


@pytest.mark.timeout(240)
def test_workers_killed_mid_job_lose_nothing_and_duplicate_nothing(
    store: Store, feed_server: FeedServer, redis_url: str
) -> None:
    sources, items = 60, 5
    urls = {}
    for n in range(sources):
        body = _slow_feed(items, f"s{n}")

        def respond(h: http.server.BaseHTTPRequestHandler, body: bytes = body) -> None:
            time.sleep(0.4)  # slow enough that the kill lands mid-job
            h.send_response(200)
            h.send_header("Content-Type", "application/rss+xml")
            h.send_header("Content-Length", str(len(body)))
            h.end_headers()
            h.wfile.write(body)

        urls[f"s{n}"] = feed_server.add_handler(f"/slow/{n}", respond)
    config = make_config(urls, batch_size=4, concurrency=2, lease=4.0)
    scheduler.publish(store, config)
    queue = Queue(QUEUE_NAME, connection=store.redis)
    scheduler.tick(store, queue, config)  # claims the first batches with a 4 s lease

    workers = [start_worker(redis_url), start_worker(redis_url)]
    try:
        wait_for(
            lambda: any(s.last_fetch for s in store.get_states(list(urls)).values()),
            30,
            "the first refresh",
        )
        for w in workers:  # mid-job: kill the workers and their work horses, as a crash would
            os.killpg(w.pid, signal.SIGKILL)
        for w in workers:
            w.wait(10)
        workers = [start_worker(redis_url), start_worker(redis_url)]
        # The scheduler reclaims what the dead jobs held once their leases run out.
        tick_until_fetched(
            store, queue, config, list(urls), 180, "sources were lost with the killed workers"
        )
    finally:
        for w in workers:
            os.killpg(w.pid, signal.SIGKILL)
            w.wait(10)

    assert store.category_count("news") == sources * items
    assert store.category_count(None) == sources * items
    for n in range(sources):
        articles = store.source_articles(f"s{n}", 50)
        assert sorted(a.guid for a in articles) == sorted(f"s{n}-{i}" for i in range(items))
