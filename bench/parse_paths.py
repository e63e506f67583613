"""Which parser reads each corpus document, and why the fast path left the others to feedparser.

For every file of the development corpus (all folders, or the ones named), `parse()` is run as
the refresh runs it (`fetch.parser = "auto"`); documents the fast path took are also read by
feedparser and compared after normalizing (tests/support/differential.py), so a difference
shows here as it fails tests/test_parse_differential.py.

    .venv/bin/python bench/parse_paths.py [--time] [real encodings malformed edge ...]
    .venv/bin/python bench/parse_paths.py --best N [real ...]

`--time` also times the parse step alone on every document, three ways back to back (`parse()`
with the fast path, `parse()` forced to feedparser, `feedparser.parse()` with its defaults), so
the three totals and their ratios come from one run on a noisy machine; and it weighs each
fallback reason by the time feedparser's defaults spend on its documents, the time the fast path
could win back. Cheaper than bench/ingest.py when only the parse step is wanted.

`--dir PATH` reads every file under PATH instead of the corpus: feedparser's own test suite, say,
2,200 small documents of every edge case (`pip download --no-deps --no-binary :all:
feedparser==6.0.14`, unpacked; its tests/ folder), or a folder of feeds of your own.

`--best N` only times `parse()` with the fast path: the least CPU time of N passes over the
documents. Run from two checkouts one after the other (a `git worktree` of the older commit),
alternating, it tells a change of a few percent apart on a host whose other tenants move a
single pass by more than that.
"""

from __future__ import annotations

import contextlib
import io
import math
import sys
import time
import warnings
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import feedparser

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # for tests.support, when run as a script

from aggregator.errors import ParseError  # noqa: E402
from aggregator.parse import FAST_PARSER, parse  # noqa: E402
from tests.support.corpus import CORPUS, PRESENT, SKIP_REASON, corpus_files  # noqa: E402
from tests.support.differential import (  # noqa: E402
    URL,
    compare,
    corpus_headers,
    declared_headers,
)

warnings.filterwarnings("ignore", category=DeprecationWarning, module="feedparser")


def timed(body: bytes, headers: dict[str, str]) -> tuple[float, float, float]:
    """Seconds of CPU (this thread's: as bench/ingest.py times the parse step) of parse() with
    the fast path, parse() forced to feedparser, and feedparser's defaults, one after the other
    on the same document."""
    seconds = []
    for parser in ("auto", "feedparser"):
        started = time.thread_time()
        with contextlib.suppress(ParseError):
            parse(body, url=URL, headers=headers, parser=parser)
        seconds.append(time.thread_time() - started)
    started = time.thread_time()
    feedparser.parse(io.BytesIO(body), response_headers={**headers, "content-location": URL})
    seconds.append(time.thread_time() - started)
    return seconds[0], seconds[1], seconds[2]


def best_of(passes: int, folders: list[str]) -> None:
    """The least CPU time of `passes` passes of `parse()` (fast path) over the documents."""
    documents = [
        (body, corpus_headers(f, body)) for f in corpus_files(*folders) if (body := f.read_bytes())
    ]
    best = math.inf
    for _ in range(passes):
        started = time.process_time()
        for body, headers in documents:
            with contextlib.suppress(ParseError):
                parse(body, url=URL, headers=headers)
        best = min(best, time.process_time() - started)
    print(f"parse(), fast path: {len(documents)} documents in {best:.3f} s CPU (best of {passes})")


def main(args: list[str]) -> int:
    root = CORPUS
    if "--dir" in args:
        at = args.index("--dir")
        root = Path(args[at + 1])
        args = args[:at] + args[at + 2 :]
    elif not PRESENT:
        print(SKIP_REASON, file=sys.stderr)
        return 2
    if "--best" in args:
        at = args.index("--best")
        best_of(int(args[at + 1]), args[:at] + args[at + 2 :])
        return 0
    time_it = "--time" in args
    folders = [a for a in args if a != "--time"]
    paths: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    fallbacks: list[tuple[str, str]] = []
    different: list[tuple[str, tuple[str, ...]]] = []
    totals = [0.0, 0.0, 0.0]  # auto, parser=feedparser, feedparser defaults
    by_path: dict[str, list[float]] = {}  # path or fallback reason: the three timings
    files = corpus_files(*folders) if root == CORPUS else sorted(_files(root))
    for file in files:
        body = file.read_bytes()
        headers = corpus_headers(file, body) if root == CORPUS else declared_headers(body)
        verdict = compare(body, headers)
        name = str(file.relative_to(root))
        paths[verdict.path] += 1
        reason = verdict.reason.split(" (")[0]
        if verdict.path == "feedparser":
            fallbacks.append((name, verdict.reason))
            reasons[reason] += 1
        if time_it:
            seconds = timed(body, headers)
            totals = [t + s for t, s in zip(totals, seconds, strict=True)]
            key = reason if verdict.path == "feedparser" else verdict.path
            weight = by_path.setdefault(key, [0.0, 0.0, 0.0])
            by_path[key] = [w + s for w, s in zip(weight, seconds, strict=True)]
        if verdict.differences:
            different.append((name, verdict.differences))
    total = sum(paths.values())
    print(
        f"{total} documents: "
        + ", ".join(f"{p} {n} ({n / total:.0%})" for p, n in paths.most_common())
    )
    xml = paths[FAST_PARSER] + paths["feedparser"]
    if xml:
        fast = paths[FAST_PARSER]
        print(f"RSS/Atom read by {FAST_PARSER}: {fast} of {xml} ({fast / xml:.0%})")
    print("\nwhy documents fall back to feedparser:")
    for reason, count in reasons.most_common():
        print(f"  {count:4d}  {reason}")
    if time_it:
        auto, reference, default = totals
        print(
            f"\nparse step: auto {auto:.2f} s, parser=feedparser {reference:.2f} s, "
            f"feedparser.parse() defaults {default:.2f} s: auto is {default / auto:.1f}x "
            f"feedparser's defaults, {reference / auto:.1f}x our feedparser path"
        )
        print(
            "seconds by path or fallback reason (auto, parser=feedparser, feedparser's "
            "defaults; on a fallback, auto minus parser=feedparser is the failed fast attempt):"
        )
        for key, (mine, ours, theirs) in sorted(by_path.items(), key=lambda kv: -kv[1][2]):
            print(f"  {mine:7.2f} {ours:7.2f} {theirs:7.2f}  {key}")
    print("\ndocuments that fall back:")
    for name, reason in fallbacks:
        print(f"  {name}: {reason}")
    for name, lines in different:
        print(f"\nDIFFERENT {name} (the fast path must not take it):")
        print("\n".join(f"    {line}" for line in lines[:10]))
    return 1 if different else 0


def _files(root: Path) -> Iterator[Path]:
    """Every file under `root` but scripts."""
    return (p for p in root.rglob("*") if p.is_file() and p.suffix not in (".py", ".md"))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
