"""Learned junk measured on the corpus: what it strips of the paragraphs its feeds repeat.

`tests/fixtures/learned_junk/corpus_labels.json` labels every paragraph a corpus feed repeats in
CONTENT_MIN_ARTICLES of its articles or more: junk, or content an article needs. Each labelled
feed is parsed and cleaned, its repeated paragraphs are learned with all its articles counted at
once (the most a source's evidence holds), and every article is stripped of them
(`junk.strip_learned`) as its next refresh would strip it.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from aggregator import boilerplate, junk, refresh
from aggregator.config import SourceConfig
from aggregator.normalize import normalize
from aggregator.parse import parse
from tests.support.corpus import corpus_files

LABELS = Path(__file__).resolve().parents[1] / "fixtures" / "learned_junk" / "corpus_labels.json"
_SOURCE = SourceConfig(
    id="s", name="s", url="https://example.com/feed", categories=("c",), interval=900.0
)


@dataclass
class Report:
    # (label, kind) -> labelled paragraphs, and how many of them left an article
    total: Counter[tuple[str, str]] = field(default_factory=Counter)
    stripped: Counter[tuple[str, str]] = field(default_factory=Counter)
    stripped_content: list[str] = field(default_factory=list)

    def rate(self, label: str) -> float:
        total = sum(n for (lab, _), n in self.total.items() if lab == label)
        return sum(n for (lab, _), n in self.stripped.items() if lab == label) / max(total, 1)

    def table(self) -> str:
        lines = ["| label | kind | paragraphs | stripped |", "|---|---|--:|--:|"]
        for key in sorted(self.total):
            lines.append(f"| {key[0]} | {key[1]} | {self.total[key]} | {self.stripped[key]} |")
        lines.append(
            f"| **junk stripped** (recall) | | | **{self.rate('junk'):.3f}** |\n"
            f"| **content stripped** (the harm) | | | **{self.rate('content'):.3f}** |"
        )
        return "\n".join(lines)


def evaluate() -> Report:
    labels = json.loads(LABELS.read_text("utf-8"))["paragraphs"]
    by_file: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in labels:
        by_file[row["file"]].append(row)
    paths = {p.name: p for p in corpus_files()}
    report = Report()
    for name, rows in sorted(by_file.items()):
        articles = normalize(
            parse(paths[name].read_bytes(), url=_SOURCE.url, headers={}),
            _SOURCE,
            now=datetime.now(UTC),
        )
        counts: Counter[str] = Counter()
        shown: set[str] = set()
        for article in articles:
            paragraphs = boilerplate.paragraphs(article.content)
            shown.update(paragraphs)
            body = boilerplate.Body.of(article.content[: refresh.BODY_CHARS])
            counts.update(refresh.paragraph_evidence(article, body))  # (as the refresh counts)
        known = frozenset(h for h, n in counts.items() if n >= boilerplate.CONTENT_MIN_ARTICLES)
        gone: set[str] = set()
        for article in articles:
            before = Counter(boilerplate.paragraphs(article.content))
            after = Counter(boilerplate.paragraphs(junk.strip_learned(article.content, known)))
            gone.update(before - after)
        for row in rows:
            key = (row["label"], row["kind"])
            report.total[key] += 1
            # (One no article shows left before learning: a built-in rule took it, such as
            # "Read full article >>", or the cleaning, such as a "<br />" written as text.)
            if row["text"] in gone or row["text"] not in shown:
                report.stripped[key] += 1
                if row["label"] == "content":
                    report.stripped_content.append(f"{name}: {row['text'][:60]}")
    return report
