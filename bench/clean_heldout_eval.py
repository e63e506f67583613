"""Held-out check of clean articles: built-in and learned junk removal, by kind and language.

AGGREGATOR_CORPUS=../shared/corpus .venv/bin/python bench/clean_heldout_eval.py

`tests/fixtures/clean_heldout/labels.json` (session 47, not used while tuning the rules) labels
lines of 202 corpus articles sampled across sources and languages: every line the cleaning
removed (junk, or content it should have kept) and, from reading each article's first and last
two lines, junk it left and real lines that look templated (hard negatives). Each labelled
feed is cleaned as `tests/support/junk_eval.py` does (normalize, then the source's repeated
paragraphs learned from all its articles and stripped). Precision: of the labelled lines that
left, how many were junk; recall: of the junk lines, how many left. Bylines, image credits,
sign-offs and editor's notes are labelled content.

`tests/fixtures/clean_heldout/feeds.json` (session 48, written before reading the decision code)
labels lines of small feeds written for the purpose, under `clean_heldout/feeds/`: record-field
feeds (a shop, events, jobs, a library catalogue, real estate) whose "Key: value" lines repeat
because many items share a value, and must stay; promotion, donation, subscription and "follow
us" lines in eight languages, which must go; and hard negatives (real text that mentions
donating, subscribing or following; a quoted appeal). `--set corpus` or `--set feeds` prints one.
"""

from __future__ import annotations

import json
import sys
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.support, as a script

from aggregator import boilerplate, junk, refresh
from aggregator.config import SourceConfig
from aggregator.normalize import normalize
from aggregator.parse import parse
from tests.support.corpus import CORPUS, PRESENT, SKIP_REASON

HELDOUT = Path(__file__).resolve().parents[1] / "tests/fixtures/clean_heldout"
SETS = {
    "corpus": (HELDOUT / "labels.json", CORPUS),
    "feeds": (HELDOUT / "feeds.json", HELDOUT / "feeds"),
}
_SOURCE = SourceConfig(
    id="s", name="s", url="https://example.com/feed", categories=("c",), interval=900.0
)


def kept_lines(path: Path) -> list[Counter[str]]:
    """Each article's paragraphs after the cleaning and learned junk, in the feed's order."""
    articles = normalize(
        parse(path.read_bytes(), url=_SOURCE.url, headers={}), _SOURCE, now=datetime.now(UTC)
    )
    counts: Counter[str] = Counter()
    for article in articles:
        body = boilerplate.Body.of(article.content[: refresh.BODY_CHARS])
        counts.update(refresh.paragraph_evidence(article, body))
    known = frozenset(h for h, n in counts.items() if n >= boilerplate.CONTENT_MIN_ARTICLES)
    return [Counter(boilerplate.paragraphs(junk.strip_learned(a.content, known))) for a in articles]


def shown_lines(path: Path) -> list[Counter[str]]:
    """Each entry's paragraphs as the feed wrote them, before any cleaning."""
    entries = parse(path.read_bytes(), url=_SOURCE.url, headers={}).entries
    return [Counter(boilerplate.paragraphs(e.content or e.summary or "")) for e in entries]


def evaluate(name: str) -> dict[tuple[str, str], Counter[str]]:
    """Outcome counts (tp, fn, fp, tn) of one labelled set, by kind, by language and in all."""
    labels, root = SETS[name]
    rows = json.loads(labels.read_text("utf-8"))["lines"]
    cache: dict[str, list[Counter[str]]] = {}
    shown: dict[str, list[Counter[str]]] = {}
    table: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for row in rows:
        if row["file"] not in cache:
            cache[row["file"]] = kept_lines(root / row["file"])
            shown[row["file"]] = shown_lines(root / row["file"])
        # A written label no article shows would count as removed for nothing.
        if name == "feeds" and row["text"] not in shown[row["file"]][row["i"]]:
            raise SystemExit(f"{row['file']} [{row['i']}]: no such line: {row['text']}")
        kept = cache[row["file"]][row["i"]]
        # Gone when no kept paragraph is the line (a trimmed "… [read more]" keeps its start).
        removed = row["text"] not in kept
        outcome = (
            ("tp" if removed else "fn") if row["label"] == "junk" else ("fp" if removed else "tn")
        )
        for axis in (("kind", row["kind"]), ("lang", row["lang"]), ("all", "")):
            table[axis][outcome] += 1
    return table


def main() -> None:
    names = sys.argv[sys.argv.index("--set") + 1 :][:1] if "--set" in sys.argv else list(SETS)
    for name in names:
        if name == "corpus" and not PRESENT:
            print(SKIP_REASON, file=sys.stderr)
            sys.exit(2)
        print(f"\n### {name}: {SETS[name][0].name}\n")
        print_table(evaluate(name))


def print_table(table: dict[tuple[str, str], Counter[str]]) -> None:
    print("| by | value | junk removed | junk left | content removed | content kept | P | R |")
    print("|---|---|--:|--:|--:|--:|--:|--:|")
    for (axis, value), c in sorted(table.items()):
        p = c["tp"] / max(c["tp"] + c["fp"], 1)
        r = c["tp"] / max(c["tp"] + c["fn"], 1)
        counts = " | ".join(str(c[k]) for k in ("tp", "fn", "fp", "tn"))
        print(f"| {axis} | {value} | {counts} | {p:.3f} | {r:.3f} |")


if __name__ == "__main__":
    main()
