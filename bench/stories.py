"""What stories cost at ingest: time and Redis memory per article, with and without.

    .venv/bin/python bench/stories.py                  # corpus throughput, then 10k and 100k
    .venv/bin/python bench/stories.py --sizes 10000    # only the 10k window

1. Throughput on the real corpus, in process against an embedded Valkey: parse + normalize +
   save_refresh per source, then the same plus `join_stories` (the story round trips, the save
   telling which articles are not filed yet, as in a refresh).
Times are CPU seconds, ours plus the Redis server's (INFO's used_cpu_user + used_cpu_sys): the
machine is shared, and wall time there measures the neighbours.

2. Memory and marginal time with N articles stored (synthetic articles of ~150 words over a
   Zipf vocabulary, batches of 20 per source): fill N, read used_memory, then time 1,000 more;
   once without stories and once with them, on a flushed server each time.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.support, as a script

from aggregator import language
from aggregator.config import RetentionConfig, SourceConfig, StoriesConfig
from aggregator.fetch import Fetcher
from aggregator.models import Article, SourceState
from aggregator.normalize import normalize
from aggregator.parse import parse
from aggregator.redis_server import EmbeddedServer, connect
from aggregator.refresh import join_stories, refresh_source
from aggregator.store import Store
from tests.support.corpus import PRESENT, SKIP_REASON, corpus_files
from tests.support.feed_server import FeedServer
from tests.support.pipeline import make_config
from tests.support.web_server import paragraphs_article
from workers import jobs

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
RETENTION = RetentionConfig(max_per_source=100_000, max_per_category=200_000, max_age_days=3650)
BATCH = 20


def cpu(store: Store) -> float:
    """CPU seconds used so far by this process and by the Redis server."""
    info = store.redis.info("cpu")
    return time.process_time() + float(info["used_cpu_user"]) + float(info["used_cpu_sys"])


def corpus_throughput(store: Store) -> dict[str, float]:
    """Seconds for the corpus: parse + normalize, save, and the story join."""
    parsed = []
    started = time.process_time()
    for path in corpus_files("real"):
        source = SourceConfig(path.name, path.name, "https://example.com/f", ("news",), 900.0)
        try:
            feed = parse(path.read_bytes(), url=source.url, headers={})
            parsed.append(normalize(feed, source, now=NOW))
        except Exception:  # noqa: S112 - the corpus holds broken feeds on purpose
            continue
    parse_s = time.process_time() - started
    out = {"parse_normalize": parse_s, "articles": float(sum(len(a) for a in parsed))}
    for mode in ("without", "with"):
        store.redis.execute_command("FLUSHALL", "SYNC")  # Valkey frees lazily by default
        save_s = join_s = 0.0
        for articles in parsed:
            if not articles:
                continue
            t0 = cpu(store)
            state = SourceState(articles[0].source_id)
            saved = store.save_refresh(state, articles, RETENTION, NOW, unfiled=mode == "with")
            t1 = cpu(store)
            if mode == "with":
                join_stories(store, articles, 7.0, NOW, unfiled=saved.unfiled)
            save_s += t1 - t0
            join_s += cpu(store) - t1
        out[f"save_{mode}"] = save_s
        out[f"join_{mode}"] = join_s
    return out


def _serve(files: list[Path], urls: multiprocessing.Queue[dict[str, str]]) -> None:
    """The corpus feeds from a loopback server in a process of its own (its CPU is not ours)."""
    with FeedServer() as server:
        urls.put({f.name: server.add(f"/{i}.xml", f.read_bytes()) for i, f in enumerate(files)})
        time.sleep(3600)


def refresh_throughput(server_url: str, rounds: int) -> dict[str, float]:
    """CPU seconds of a cold refresh of every corpus feed over loopback HTTP, stories on and off.

    The whole refresh as a worker runs it (fetch, parse, normalize, save, stories), in process;
    the feed server runs in another process. The two modes alternate source by source (each in
    a store of its own on one flushed server, which goes first alternating too): the machine's
    speed drifts over seconds, and a round of one mode then a round of the other measured the
    drift as much as the stories.
    """
    files = corpus_files("real")
    urls: multiprocessing.Queue[dict[str, str]] = multiprocessing.Queue()
    server = multiprocessing.Process(target=_serve, args=(files, urls), daemon=True)
    server.start()
    try:
        url_of = urls.get(timeout=60)
        sources = tuple(
            SourceConfig(name, name, url, ("news",), 900.0) for name, url in url_of.items()
        )
        base = make_config({})
        modes = ("without", "with")
        configs = {
            mode: replace(
                base,
                sources=sources,
                retention=RETENTION,
                stories=StoriesConfig(enabled=mode == "with"),
            )
            for mode in modes
        }
        stores = {mode: Store(connect(server_url), prefix=f"bench-{mode}") for mode in modes}
        out = {"with": 0.0, "without": 0.0, "articles": 0.0}
        pairs: list[dict[str, float]] = []
        language.load()  # as a worker starts (workers.jobs.warm_up): paid by neither mode
        jobs.tune_gc()
        for _ in range(rounds):
            pairs.append(dict.fromkeys(modes, 0.0))
            stores["with"].redis.execute_command("FLUSHALL", "SYNC")
            with Fetcher(base.fetch, "aggregator-bench/1") as fetcher:
                for n, source in enumerate(sources):
                    for mode in modes if n % 2 else modes[::-1]:
                        t0 = cpu(stores[mode])
                        refresh_source(source, configs[mode], stores[mode], fetcher, now=NOW)
                        pairs[-1][mode] += cpu(stores[mode]) - t0
            for mode in modes:
                out[mode] += pairs[-1][mode]
        # Stored, after the last round; the same in both stores.
        out["articles"] = float(stores["with"].category_count(None))
        drops = sorted(p["without"] / p["with"] - 1 for p in pairs)
        out["median_drop"] = drops[len(drops) // 2]
        print(
            "rounds (CPU s without, with):",
            ", ".join(f"{p['without']:.2f} {p['with']:.2f}" for p in pairs),
        )
        return out
    finally:
        server.terminate()


def synthetic(rng: random.Random, vocab: list[str], n: int, source: str) -> list[Article]:
    out = []
    for i in range(n):
        words = rng.choices(vocab, weights=_ZIPF[: len(vocab)], k=150)
        paras = [" ".join(words[k : k + 50]) for k in range(0, 150, 50)]
        at = NOW - timedelta(seconds=rng.randrange(86400 * 6))
        aid = f"{source}-{i}-{rng.randrange(10**9)}"
        out.append(paragraphs_article(aid, source, " ".join(words[:8]), paras, at))
    return out


_ZIPF = [1.0 / (r + 1) for r in range(20_000)]


def fill(store: Store, n: int, stories: bool, seed: int) -> tuple[float, float]:
    """Store n articles; returns (seconds, seconds of which in join_stories)."""
    rng = random.Random(seed)
    vocab = [f"w{k}" for k in range(20_000)]
    total = joined = 0.0
    for b in range(n // BATCH):
        articles = synthetic(rng, vocab, BATCH, f"s{b % 500}")
        t0 = cpu(store)
        state = SourceState(articles[0].source_id)
        saved = store.save_refresh(state, articles, RETENTION, NOW, unfiled=stories)
        t1 = cpu(store)
        if stories:
            join_stories(store, articles, 7.0, NOW, unfiled=saved.unfiled)
        t2 = cpu(store)
        total += t2 - t0
        joined += t2 - t1
    return total, joined


def window(store: Store, n: int) -> dict[str, float]:
    out: dict[str, float] = {}
    for mode in ("without", "with"):
        store.redis.execute_command("FLUSHALL", "SYNC")  # Valkey frees lazily by default
        before = int(store.redis.info("memory")["used_memory"])
        fill(store, n, mode == "with", seed=1)
        out[f"bytes_{mode}"] = (int(store.redis.info("memory")["used_memory"]) - before) / n
        seconds, joined = fill(store, 1000, mode == "with", seed=2)
        out[f"ms_{mode}"] = seconds  # per 1,000 articles = ms per article
        out[f"join_ms_{mode}"] = joined
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--skip-corpus", action="store_true")
    parser.add_argument("--rounds", type=int, default=3, help="refresh rounds per mode (0: skip)")
    args = parser.parse_args()
    if not PRESENT and (not args.skip_corpus or args.rounds):
        parser.exit(2, f"{SKIP_REASON}; --skip-corpus --rounds 0 measures the sizes alone\n")
    with tempfile.TemporaryDirectory() as tmp, EmbeddedServer(Path(tmp), appendonly=False) as srv:
        store = Store(connect(srv.url))
        if not args.skip_corpus:
            c = corpus_throughput(store)
            n = c["articles"]
            base = c["parse_normalize"] + c["save_without"]
            added = c["join_with"] + c["save_with"] - c["save_without"]
            print(f"corpus: {n:.0f} articles")
            print("| step | ms per article |\n|---|--:|")
            for key in ("parse_normalize", "save_without", "save_with", "join_with"):
                print(f"| {key} | {c[key] / n * 1000:.3f} |")
            print(f"\nstories add {added / base:.1%} to parse + normalize + save, in process\n")
        if args.rounds:
            r = refresh_throughput(srv.url, args.rounds)
            n = r["articles"] * args.rounds
            print(
                f"refresh over loopback HTTP, {args.rounds} cold rounds of {r['articles']:.0f}"
                f" articles: without stories {r['without'] / n * 1000:.3f} ms/article, with"
                f" {r['with'] / n * 1000:.3f}: throughput {r['without'] / r['with'] - 1:+.1%}"
                f" (median of the rounds' pairs {r['median_drop']:+.1%})\n"
            )
        print("| stored | bytes/article without | with | growth | ms/article without | with |")
        print("|--:|--:|--:|--:|--:|--:|")
        for size in args.sizes:
            w = window(store, size)
            growth = w["bytes_with"] - w["bytes_without"]
            print(
                f"| {size:,} | {w['bytes_without']:.0f} | {w['bytes_with']:.0f} | {growth:.0f} |"
                f" {w['ms_without']:.3f} | {w['ms_with']:.3f} (join {w['join_ms_with']:.3f}) |",
                flush=True,
            )


if __name__ == "__main__":
    main()
