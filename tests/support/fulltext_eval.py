"""Full-text extraction measured on labelled article pages (tests/fixtures/pages/dev).

Each page is shaped like a real template (WordPress, Ghost, Medium, Substack, Blogger, a big
English news site, Sina, NetEase, QQ and People's Daily in GB2312/GBK, Japanese, Korean in
EUC-KR, Arabic, Russian in windows-1251) or is a hard case (a paywall teaser, a login wall, a
"page not found" served with 200, a gallery, a live blog, comments longer than the article,
related lists, newsletter boxes, share bars, AMP; and, hand-written like the rest: an article
followed by "read next" teasers of long text, in a section or beside it, an old Chinese
portal's <table> layout, articles split across pages in English and Chinese, a German consent
wall, a body of <br>s in a <div>, GBK named only by the server's header, Hebrew in
windows-1255; articles split across pages (English ?page=, WordPress /2/, German ?seite= found
by rel=next, a GBK portal's _2.shtml, one whose page 3 is a subscription wall) and the links that
are no continuation (a "Next »" or "下一页" to another article, a gallery's ?photo=2, a section
list's pager, page 2 on another host); consent dialogs inside <article> or <main> in English,
German, French and Chinese, and articles about cookies and consent). `labels.json` gives each
page its feed title, the outcome it must have ("ok", "too-short", "not-the-article"), the
article's paragraphs (`keep`), strings of the page that are not the article (`junk`), where a
server names the charset, its `content_type`, and for a page whose links lead on, its address
(`url`, else /<name>) and the pages served beside it (`serve`: address -> file).

A page is read as the worker reads it: served over HTTP on 127.0.0.1 (the pages beside it too;
"https://example.com" in a file is this server, "https://other.example" the same server named
"localhost": another host), fetched by a real Fetcher for a source allowed every private
network, its bytes decoded by the charset its server's header names (`content_type` in its
label, else none) or its <meta> declares, then read with the feed title (`fulltext._extract`,
the worker's own path: following continuation pages where it does). Tokens are words, and CJK
characters one by one. Recall: the share of the article's tokens kept; precision: the
share of kept tokens that are the article's (counted as multisets); junk: labelled junk strings
found in the kept text.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from aggregator import fulltext
from aggregator.config import FetchConfig, SourceConfig
from aggregator.fetch import Fetcher
from aggregator.models import Article
from aggregator.sanitize import strip_tags
from tests.support.feed_server import FeedServer

DEV = Path(__file__).resolve().parents[1] / "fixtures" / "pages" / "dev"
_SOURCE = SourceConfig(
    id="s",
    name="s",
    url="https://example.com/feed",
    categories=("c",),
    interval=900.0,
    allow_private_networks=("*",),  # (so that "another host" is reachable: only the rule stops it)
)
_WHEN = datetime(2026, 12, 3, 12, tzinfo=UTC)
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


def _serve(server: FeedServer, path: str, file: str, content_type: str) -> str:
    body = (DEV / file).read_bytes()
    body = body.replace(b"https://example.com", server.url("").encode())
    body = body.replace(b"https://other.example", f"http://localhost:{server.port}".encode())
    return server.add(path, body, content_type=content_type)


def read(
    server: FeedServer, fetcher: Fetcher, name: str, label: dict[str, object]
) -> tuple[str, str]:
    """The page's outcome and its kept text ("" when it failed)."""
    server.reset()
    header = str(label.get("content_type", "text/html"))  # the server's, where the label says
    url = _serve(server, str(label.get("url", f"/{name}")), f"{name}.html", header)
    served = label.get("serve", {})
    assert isinstance(served, dict)
    for path, file in served.items():
        _serve(server, path, file, header)
    article = Article(
        id=name,
        source_id="s",
        guid=name,
        url=url,
        title=str(label["title"]),
        summary="",
        content="",
        author="",
        published=_WHEN,
        updated=_WHEN,
        source_name="s",
        source_url="https://example.com/",
    )
    got, error = fulltext._extract(article, _SOURCE, fetcher, frozenset())
    if error.startswith("not-the-article"):
        return "not-the-article", ""
    if error.startswith("too-short"):
        return "too-short", ""
    if error:
        return f"unreadable ({error})", ""
    return "ok", strip_tags(got.content)


def evaluate() -> list[PageResult]:
    labels = json.loads((DEV / "labels.json").read_text("utf-8"))["pages"]
    results = []
    with FeedServer() as server, Fetcher(FetchConfig(), "aggregator-eval/1") as fetcher:
        for name, label in labels.items():
            results.append(_result(name, label, *read(server, fetcher, name, label)))
    return results


def _result(name: str, label: dict[str, object], outcome: str, kept: str) -> PageResult:
    result = PageResult(name, str(label["kind"]), str(label["expect"]), outcome)
    if label["expect"] == "ok":
        keep = label["keep"]
        assert isinstance(keep, list)
        article = tokens(" ".join(keep))
        got = tokens(kept)
        common = sum((article & got).values())
        result.recall = common / max(sum(article.values()), 1)
        result.precision = common / max(sum(got.values()), 1)
    flat = _flat(kept) if outcome == "ok" else ""
    junk = label["junk"]
    assert isinstance(junk, list)
    result.junk_kept = [j for j in junk if _flat(j) in flat]
    return result


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


def by_kind(results: list[PageResult]) -> str:
    """The table's totals for each kind of page (a hard negative's kind says "hard")."""
    lines = [
        "| kind | pages | right | recall | precision | junk kept |",
        "|---|--:|--:|--:|--:|--:|",
    ]
    for kind in sorted({r.kind for r in results}):
        some = [r for r in results if r.kind == kind]
        ok = [r for r in some if r.expect == "ok"]
        recall = f"{sum(r.recall for r in ok) / len(ok):.3f}" if ok else "-"
        precision = f"{sum(r.precision for r in ok) / len(ok):.3f}" if ok else "-"
        right = sum(r.rule_right for r in some)
        junk = sum(bool(r.junk_kept) for r in some)
        lines.append(f"| {kind} | {len(some)} | {right} | {recall} | {precision} | {junk} |")
    return "\n".join(lines)
