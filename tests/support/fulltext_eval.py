"""Full-text extraction measured on labelled article pages (tests/fixtures/pages/dev).

Each page is shaped like a real template (WordPress, Ghost, Medium, Substack, Blogger, a big
English news site, Sina, NetEase, QQ and People's Daily in GB2312/GBK, Japanese, Korean in
EUC-KR, Arabic, Russian in windows-1251) or is a hard case (a paywall teaser, a login wall, a
"page not found" served with 200, a gallery, a live blog, comments longer than the article,
related lists, newsletter boxes, share bars, AMP; and, hand-written like the rest: an article
followed by "read next" teasers of long text, in a section or beside it, an old Chinese
portal's <table> layout, articles split across pages in English and Chinese, a German consent
wall, a body of <br>s in a <div>, GBK named only by the server's header, Hebrew in
windows-1255). `labels.json` gives each page
its feed title, the outcome it must have ("ok", "too-short", "not-the-article"), the article's
paragraphs (`keep`), strings of the page that are not the article (`junk`), and where a server
names the charset, its `content_type`.

A page is read as the worker reads it: its bytes decoded by the charset its server's header
names (`content_type` in its label, else none) or its <meta> declares, then
`fulltext.extract_main` with the feed title and `fulltext.too_short`. Tokens are words, and CJK
characters one by one. Recall: the share of the article's tokens kept; precision: the
share of kept tokens that are the article's (counted as multisets); junk: labelled junk strings
found in the kept text.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from aggregator import fulltext
from aggregator.config import SourceConfig
from aggregator.parse import decode
from aggregator.sanitize import strip_tags

DEV = Path(__file__).resolve().parents[1] / "fixtures" / "pages" / "dev"
_SOURCE = SourceConfig(
    id="s", name="s", url="https://example.com/feed", categories=("c",), interval=900.0
)
_TOKENS = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]|[^\W_]+")


def tokens(text: str) -> Counter[str]:
    return Counter(t.casefold() for t in _TOKENS.findall(text))


def _flat(text: str) -> str:
    return " ".join(text.split()).casefold()


@dataclass
class PageResult:
    name: str
    kind: str
    expect: str
    outcome: str  # "ok", "too-short", "not-the-article", "unreadable"
    recall: float = 0.0
    precision: float = 0.0
    junk_kept: list[str] = field(default_factory=list)

    @property
    def rule_right(self) -> bool:
        return self.outcome == self.expect


def read(name: str, label: dict[str, object]) -> tuple[str, str]:
    """The page's outcome and its kept text ("" when it failed)."""
    body = (DEV / f"{name}.html").read_bytes()
    header = str(label.get("content_type", "text/html"))  # the server's, where the label says
    html, _ = decode(body, fulltext.page_content_type(body, header))
    try:
        content, _ = fulltext.extract_main(
            html, f"https://example.com/{name}", _SOURCE, str(label["title"])
        )
    except fulltext.NotTheArticle:
        return "not-the-article", ""
    if fulltext.too_short(content):
        return "too-short", strip_tags(content)
    return "ok", strip_tags(content)


def evaluate() -> list[PageResult]:
    labels = json.loads((DEV / "labels.json").read_text("utf-8"))["pages"]
    results = []
    for name, label in labels.items():
        outcome, kept = read(name, label)
        result = PageResult(name, label["kind"], label["expect"], outcome)
        if label["expect"] == "ok":
            article = tokens(" ".join(label["keep"]))
            got = tokens(kept)
            common = sum((article & got).values())
            result.recall = common / max(sum(article.values()), 1)
            result.precision = common / max(sum(got.values()), 1)
        flat = _flat(kept) if outcome == "ok" else ""
        result.junk_kept = [j for j in label["junk"] if _flat(j) in flat]
        results.append(result)
    return results


def table(results: list[PageResult]) -> str:
    lines = [
        "| page | kind | expected | outcome | recall | precision | junk kept |",
        "|---|---|---|---|--:|--:|---|",
    ]
    for r in results:
        scores = f"{r.recall:.2f} | {r.precision:.2f}" if r.expect == "ok" else "- | -"
        mark = "" if r.rule_right else " **wrong**"
        junk = "; ".join(r.junk_kept)[:80]
        row = f"| {r.name} | {r.kind} | {r.expect} | {r.outcome}{mark} | {scores} | {junk} |"
        lines.append(row)
    ok = [r for r in results if r.expect == "ok"]
    recall = sum(r.recall for r in ok) / max(len(ok), 1)
    precision = sum(r.precision for r in ok) / max(len(ok), 1)
    right = sum(r.rule_right for r in results)
    lines.append(
        f"| **all** | {len(results)} pages | | **{right}/{len(results)} right** |"
        f" **{recall:.3f}** | **{precision:.3f}** |"
        f" **{sum(bool(r.junk_kept) for r in results)} pages** |"
    )
    return "\n".join(lines)
