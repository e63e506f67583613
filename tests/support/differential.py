"""The fast path against the reference: one document read both ways, normalized, compared.

`aggregator.parse.parse(parser="auto")` reads RSS and Atom with feedparser-rs when it can and
leaves the rest to feedparser; `parser="feedparser"` forces feedparser. A document the fast path
accepts must come out of `normalize` exactly as it does through feedparser (the refresh stores
what normalize returns). Used by tests/test_parse_differential.py and bench/parse_paths.py.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from aggregator.config import SourceConfig
from aggregator.errors import ParseError
from aggregator.models import ParsedFeed
from aggregator.normalize import normalize
from aggregator.parse import FAST_PARSER, parse

URL = "https://example.com/feeds/feed.xml"
SOURCE = SourceConfig(id="diff", name="Differential", url=URL, categories=("c",), interval=900)
NOW = datetime(2026, 1, 1, tzinfo=UTC)  # fixed: future-dated entries clamp the same both ways
# What a reader of the refresh's result sees of the feed itself (entries are compared as articles).
FEED_FIELDS = ("title", "link", "language", "ttl", "hub", "base_url", "warning", "offset")


@dataclass(frozen=True)
class Verdict:
    """Which path `auto` took for one document, why, and how the two paths' results differ."""

    path: str  # FAST_PARSER, "feedparser", or "error" (a ParseError before either parser)
    reason: str = ""  # why the fast path left it to feedparser
    differences: tuple[str, ...] = ()


def corpus_headers(path: Path, body: bytes) -> dict[str, str]:
    """The HTTP headers a feedparser test case of the corpus (fp_*) declares."""
    return declared_headers(body) if path.name.startswith("fp_") else {}


def declared_headers(body: bytes) -> dict[str, str]:
    """The HTTP headers a feedparser test case declares in its comment ("Header: …")."""
    return {
        name.decode(): value.decode()
        for name, value in re.findall(rb"^Header:\s*([\w-]+):\s*(.+?)\s*$", body[:1000], re.M)
    }


def compare(body: bytes, headers: dict[str, str], url: str = URL) -> Verdict:
    """Parse `body` both ways; for a document the fast path takes, list every difference."""
    try:
        auto = parse(body, url=url, headers=headers, parser="auto")
    except ParseError as error:
        return Verdict(path="error", reason=error.message)
    if auto.parser != FAST_PARSER:
        return Verdict(path=auto.parser, reason=auto.fallback)
    reference = parse(body, url=url, headers=headers, parser="feedparser")
    return Verdict(path=FAST_PARSER, differences=tuple(differences(auto, reference)))


def differences(fast: ParsedFeed, reference: ParsedFeed) -> list[str]:
    """Every feed field and article field where the two readings differ, as readable lines."""
    found = [
        f"feed.{name}: {getattr(fast, name)!r} != {getattr(reference, name)!r}"
        for name in FEED_FIELDS
        if getattr(fast, name) != getattr(reference, name)
    ]
    ours = normalize(fast, SOURCE, now=NOW)
    theirs = normalize(reference, SOURCE, now=NOW)
    if len(ours) != len(theirs):
        found.append(f"articles: {len(ours)} != {len(theirs)}")
    for n, (a, b) in enumerate(zip(ours, theirs, strict=False)):
        for field in dataclasses.fields(a):
            mine, its = getattr(a, field.name), getattr(b, field.name)
            if mine != its and field.name != "content_hash":  # the hash follows the fields
                found.append(f"article {n} {field.name}: {_short(mine)} != {_short(its)}")
    return found


def _short(value: object, limit: int = 160) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
