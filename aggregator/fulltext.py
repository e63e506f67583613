"""Full text for summary-only sources (`full_text = true`): each article's page, its main text.

Runs in the worker, inside a refresh, after normalize. For each article not tried before (at most
MAX_PAGES_PER_REFRESH per refresh) the page is fetched with the source's own Fetcher (the same
address checks after DNS, size cap, deadline and User-Agent as feeds) and its main content is
extracted with readability-lxml, then sanitized and junk-stripped like feed content. What the
attempt gave is recorded on the article (`Article.full_text`: "ok" or why not), so no page is
fetched twice: later refreshes keep the extracted text. A failure (timeout, too big, not HTML,
blocked address, an HTTP error, a page too short to be the article: a paywall or a teaser) keeps
the feed's own content and is counted on the source; it never fails the refresh.

Extractor: readability-lxml, measured against trafilatura on the pages in tests/fixtures/pages
(an English and a Chinese news page with navigation, sidebar, comments, forms, scripts and
tracking pixels): both kept all of the article and none of the rest; readability took 4-5 ms a
page, trafilatura 8-51 ms, and trafilatura brings eight more dependencies. README, "Full text".
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace

import lxml.html  # type: ignore[import-untyped]
from readability import Document  # type: ignore[import-untyped]

from aggregator import images, junk
from aggregator.config import SourceConfig
from aggregator.errors import SourceError
from aggregator.fetch import Fetcher
from aggregator.models import Article
from aggregator.parse import decode
from aggregator.sanitize import bounded, clean_html, is_tracker, safe_url, strip_tags

log = logging.getLogger("aggregator.fulltext")

MAX_PAGES_PER_REFRESH = 10  # page fetches one refresh may make; the rest wait for the next one
PAGE_SECONDS_PER_REFRESH = 60.0  # and no new page fetch starts after this long (RQ job timeout)
MIN_TEXT_CHARS = 200  # extracted text shorter than this is not the article (paywall, teaser)
OK = "ok"
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_PAGE_IMAGE = (
    "//meta[@property='og:image' or @name='og:image' or @name='twitter:image'"
    " or @property='twitter:image']/@content"
)


@dataclass
class Outcome:
    """What a refresh's page fetches did: for the source's state."""

    fetched: int = 0
    failures: int = 0
    last_error: str = ""


def enrich(
    articles: Sequence[Article],
    source: SourceConfig,
    stored: dict[str, Article],
    fetcher: Fetcher,
    *,
    limit: int = MAX_PAGES_PER_REFRESH,
    seconds: float = PAGE_SECONDS_PER_REFRESH,
) -> tuple[list[Article], Outcome]:
    """The articles with their pages' text where it could be had; `stored`: what is saved now.

    Articles not tried yet (over `limit` pages, or after `seconds`) are tried by a later refresh.
    """
    outcome = Outcome()
    result = []
    stop_at = time.monotonic() + seconds
    for article in articles:
        before = stored.get(article.id)
        if before is not None and before.full_text:
            result.append(_keep(article, before))  # tried before: never fetched again
        elif article.url and outcome.fetched < limit and time.monotonic() < stop_at:
            outcome.fetched += 1
            enriched, error = _extract(article, source, fetcher)
            if error:
                outcome.failures += 1
                outcome.last_error = f"{article.url}: {error}"
                log.info("full text failed", extra={"fields": {"url": article.url, "error": error}})
            result.append(enriched)
        else:
            result.append(article)
    return result, outcome


def _keep(article: Article, before: Article) -> Article:
    """This poll's article with what the earlier extraction gave (the same hash, so unchanged)."""
    if before.full_text != OK:
        return replace(article, full_text=before.full_text)
    return replace(
        article,
        content=before.content,
        thumbnail=before.thumbnail,
        full_text=OK,
        content_hash=_hash(article.content_hash, before.content),
    )


def _extract(article: Article, source: SourceConfig, fetcher: Fetcher) -> tuple[Article, str]:
    """The article with its page's main text, or unchanged with the reason it could not be."""
    try:
        page = fetcher.fetch(article.url, allow_private=source.allow_private_networks)
    except SourceError as e:
        return _failed(article, f"{e.outcome.value}: {e.message}")
    content_type = page.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in _HTML_TYPES or not page.body:
        return _failed(article, f"not-html: the page is {content_type or 'of no stated type'}")
    text, _ = decode(page.body, page.headers.get("content-type", ""))
    try:
        content, page_image = extract_main(text, page.url, source)
    except Exception as e:  # noqa: BLE001 - a page that defeats the extractor is one failure
        return _failed(article, f"unreadable: {type(e).__name__}")
    length = len(strip_tags(content))
    if length < MIN_TEXT_CHARS:
        return _failed(article, f"too-short: {length} characters (a paywall or a teaser?)")
    thumbnail = article.thumbnail or images.lead_image([], content, page_image)
    return (
        replace(
            article,
            content=content,
            thumbnail=thumbnail,
            full_text=OK,
            content_hash=_hash(article.content_hash, content),
        ),
        "",
    )


def extract_main(page_html: str, url: str, source: SourceConfig) -> tuple[str, str]:
    """A page's main content as sanitized, junk-stripped HTML, and its og:image (or "")."""
    tree = lxml.html.fromstring(page_html)
    _drop_pixels(tree)  # readability drops the width="1" that tells the sanitizer
    main = Document(lxml.html.tostring(tree, encoding="unicode"), url=url).summary(
        html_partial=True
    )
    content = bounded(clean_html(main, url), url)
    content = junk.strip_paragraphs(content, source.strip_patterns, source.default_junk_rules)
    page_images = (safe_url(str(u), url) for u in tree.xpath(_PAGE_IMAGE))
    return content, next((u for u in page_images if u), "")


def _drop_pixels(tree: lxml.html.HtmlElement) -> None:
    """Remove the page's tracking pixels: images declared 0 or 1 pixel, or from known beacons."""
    for img in list(tree.iter("img")):
        sides = [img.get(side, "").strip().removesuffix("px") for side in ("width", "height")]
        if any(s in ("0", "1") for s in sides) or is_tracker(img.get("src", "")):
            img.drop_tree()


def _failed(article: Article, error: str) -> tuple[Article, str]:
    return replace(article, full_text=error[:200]), error


def _hash(feed_hash: str, content: str) -> str:
    data = f"{feed_hash}\x1f{content}".encode("utf-8", "surrogatepass")
    return hashlib.sha256(data).hexdigest()
