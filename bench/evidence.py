"""What counting a refresh's paragraphs costs the server (`Store.observe_paragraphs`).

    .venv/bin/python bench/evidence.py

Three cases against an embedded Valkey, each the script's server CPU per call (commandstats'
`usec_per_call` for EVALSHA): a poll finding one new article of 13 paragraphs in a source whose
evidence is full (the common case in production), a batch of 30 such articles in one, and a new
source's first batch of 20. Hashes are random, as a site's real paragraphs mostly are.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aggregator.boilerplate import HALF_LIFE, MAX_EVIDENCE, MIN_ARTICLES
from aggregator.redis_server import EmbeddedServer, connect
from aggregator.store import Store

PARAGRAPHS = 13


def run(store: Store, calls: int, articles: int, sources: int) -> float:
    """Server microseconds per call of `calls` refreshes of `articles` each over `sources`."""
    store.redis.flushall()
    batches = []
    for call in range(calls):
        ids = [f"{call}-{n}" for n in range(articles)]
        for article_id in ids:
            store.redis.set(f"agg:article:{article_id}", "stored")
        hashes = {i: [os.urandom(5).hex() for _ in range(PARAGRAPHS)] for i in ids}
        batches.append((f"s{call % sources}", hashes))
    store.redis.config_resetstat()
    for source, hashes in batches:
        store.observe_paragraphs(source, hashes, MAX_EVIDENCE, MIN_ARTICLES, HALF_LIFE)
    return float(store.redis.info("commandstats")["cmdstat_evalsha"]["usec_per_call"])


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, EmbeddedServer(Path(tmp), appendonly=False) as srv:
        store = Store(connect(srv.url))
        one = run(store, 3000, 1, 20)
        batch = run(store, 150, 30, 50)
        first = run(store, 200, 20, 200)
    print("| case | server µs per call | per article |\n|---|--:|--:|")
    print(f"| one new article, full evidence | {one:.0f} | {one:.0f} |")
    print(f"| 30 new articles, full evidence | {batch:.0f} | {batch / 30:.1f} |")
    print(f"| a new source's first 20 articles | {first:.0f} | {first / 20:.1f} |")


if __name__ == "__main__":
    main()
