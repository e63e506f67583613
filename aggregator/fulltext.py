"""Full text for summary-only sources (`full_text = true`): each article's page, its main text.

Runs in the worker, inside a refresh, after normalize. For each article not tried before (at most
MAX_PAGES_PER_REFRESH page fetches per refresh, further pages included) the page is fetched with
the source's own Fetcher (the same address checks after DNS, size cap, deadline and User-Agent as
feeds) and its main content is extracted with readability-lxml, then sanitized and junk-stripped
like feed content; an article split across pages is read whole, its continuations fetched within
that one page's bounds (_continuations), or, when the refresh's page fetches run out first, left
whole for the next refresh. What the attempt gave is recorded on the article
(`Article.full_text`: "ok" or why not), so a page is fetched once: later refreshes keep the
extracted text. A failure (timeout, too big, not HTML,
blocked address, an HTTP error, a page too short to be the article: a paywall or a teaser) keeps
the feed's own content and is counted on the source; it never fails the refresh. A failure that
may pass (a timeout, a refused connection, a 5xx, a 429) is tried again by the next refreshes,
MAX_PAGE_TRIES times in all. While pages wait (over the budget, or to be tried again) the source's
state says how many (`pages_pending`), and the next poll reads the feed again instead of taking
a 304 or an unchanged body, so they are not left until the feed changes.

Extractor: readability-lxml, measured against trafilatura on the pages in tests/fixtures/pages
(an English and a Chinese news page with navigation, sidebar, comments, forms, scripts and
tracking pixels): both kept all of the article and none of the rest; readability took 4-5 ms a
page, trafilatura 8-51 ms, and trafilatura brings eight more dependencies. README, "Full text".
"""

from __future__ import annotations

import hashlib
import html
import itertools
import json
import logging
import re
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace
from datetime import tzinfo
from urllib.parse import parse_qsl, urljoin, urlsplit

import lxml.html  # type: ignore[import-untyped]
from readability import Document  # type: ignore[import-untyped]

from aggregator import dates, images, junk, lazy_images, models, normalize
from aggregator.config import SourceConfig
from aggregator.errors import SourceError
from aggregator.fetch import Fetcher
from aggregator.models import Article
from aggregator.parse import decode
from aggregator.sanitize import clean_html, is_tracker, on_readers_network, safe_url, strip_tags

log = logging.getLogger("aggregator.fulltext")

MAX_PAGES_PER_REFRESH = 10  # page fetches one refresh may make (further pages too); the rest
# wait for the next one
PAGE_SECONDS_PER_REFRESH = 60.0  # and no new page fetch starts after this long (RQ job timeout)
# A page that failed for a while (the server slow or down, a rate limit) is tried by this many
# refreshes that read the feed, then kept as failed; any other failure is kept at once.
MAX_PAGE_TRIES = 3
# A page of more elements than this is no article's (a long one has a few thousand): it is not
# read, since readability's time grows faster than the page.
MAX_PAGE_ELEMENTS = 50_000
_TEMPORARY = frozenset({models.Outcome.TIMEOUT, models.Outcome.CONNECTION_ERROR})
# Statuses that may pass: every 5xx (a CDN's 520-530 when the origin is down, as 502-504 are;
# 500, 502, 503 and 504 alone kept a page behind Cloudflare's 522 as failed at its first try).
_TEMPORARY_STATUSES = frozenset({408, 425, 429, *range(500, 600)})
MIN_TEXT_CHARS = 200  # extracted text shorter than this is not the article (paywall, teaser)
# ... a Chinese, Japanese or Korean character counting as this many: one says what about three
# letters of English say (a review: 13 of 15 three-paragraph Chinese and Japanese articles, of
# 123-147 characters, were "too-short", and kept their feed's one-line teaser for good).
WIDE_CHAR_WEIGHT = 3
_WIDE = re.compile(
    "[\u1100-\u11ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]"
)
OK = "ok"
_HTML_TYPES = ("text/html", "application/xhtml+xml")
PAGE_ACCEPT = "text/html, application/xhtml+xml, */*;q=0.8"  # a browser's, not a feed's
_PAGE_IMAGE = (
    "//meta[@property='og:image' or @name='og:image' or @name='twitter:image'"
    " or @property='twitter:image']/@content"
)
_PAGE_TITLES = "//title//text() | //meta[@property='og:title']/@content | //h1//text()"
MIN_TITLE_SHARE = 0.5  # of the feed title's words the page must name: else not the article
_XML_DECLARATION = re.compile(r"\A\s*<\?xml[^>]*\?>")  # lxml refuses it in a str
# The charset a page declares in its first 1,024 bytes (HTML's prescan, reduced), for a server
# that names none: Polish or Czech in windows-1250 is not told by the detector from 1252.
_META_CHARSET = re.compile(rb"<meta\b[^>]*?charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", re.I)
_H1 = re.compile(r"<h1\b[^>]*>(.*?)</h1>", re.S)
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
_CJK_PAIRS = re.compile(r"(?=([\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]{2}))")


class NotTheArticle(Exception):
    """The page is not the article's: a soft 404, a login wall, a list of other articles."""


class _Readability(Document):  # type: ignore[misc]
    """readability's Document, keeping the width and height that tell an avatar from a photo:
    its own get_clean_html (documented as the method to override) strips every presentational
    attribute first. The sanitizer drops what we do not allow afterwards."""

    def get_clean_html(self) -> str:
        return str(lxml.html.tostring(self._html(), encoding="unicode", method="html"))


@dataclass
class Outcome:
    """What a refresh's page fetches did: for the source's state."""

    fetched: int = 0
    failures: int = 0
    last_error: str = ""
    pending: int = 0  # articles whose page is still to fetch: over the budget, or to try again


def enrich(
    articles: Sequence[Article],
    source: SourceConfig,
    stored: dict[str, Article],
    fetcher: Fetcher,
    *,
    learned_junk: frozenset[str] = frozenset(),
    limit: int = MAX_PAGES_PER_REFRESH,
    seconds: float = PAGE_SECONDS_PER_REFRESH,
    dropped: Collection[str] = (),
    artwork: str = "",
) -> tuple[list[Article], Outcome]:
    """The articles with their pages' text where it could be had; `stored`: what is saved now;
    `learned_junk`: the source's paragraphs learned as junk (normalize strips them too);
    `dropped`: ids the save will skip (trimmed before): their pages are not wanted;
    `artwork`: the show's picture normalize gave episodes without one: a page's own comes first.

    Articles not tried yet (over `limit` pages, or after `seconds`), and those whose page failed
    for a while (a timeout, a refused connection, a 5xx or 429) fewer than MAX_PAGE_TRIES times,
    are counted in `Outcome.pending`, for a later refresh.
    """
    outcome = Outcome()
    result = []
    stop_at = time.monotonic() + seconds
    pages = _Pages(limit)
    for article in articles:
        if article.id in dropped:
            result.append(article)
            continue
        before = stored.get(article.id)
        tried = before is not None and bool(before.full_text)
        if before is not None and tried and not _try_again(before):
            result.append(_keep(article, before, learned_junk))  # done: never fetched again
        elif article.url and pages.left > 0 and time.monotonic() < stop_at:
            tries = before.full_text_tries if before is not None and tried else 0
            enriched, error = _extract(
                article, source, fetcher, learned_junk, tries, artwork, pages
            )
            if pages.cut:  # its further pages wait, with it, for the next poll: never half read
                pages.cut = False
                enriched = _keep(article, before, learned_junk) if before and tried else article
                outcome.pending += 1
            elif error:
                outcome.failures += 1
                outcome.last_error = f"{article.url}: {error}"
                outcome.pending += _try_again(enriched)
                log.info("full text failed", extra={"fields": {"url": article.url, "error": error}})
            result.append(enriched)
        elif before is not None and tried:
            result.append(_keep(article, before, learned_junk))  # to try again, when there is time
            outcome.pending += 1
        else:
            result.append(article)
            outcome.pending += bool(article.url)
    outcome.fetched = limit - pages.left
    return result, outcome


def _try_again(article: Article) -> bool:
    return article.full_text != OK and article.full_text_tries < MAX_PAGE_TRIES


def _keep(article: Article, before: Article, learned_junk: frozenset[str]) -> Article:
    """This poll's article with what the earlier extraction gave (the same hash, so unchanged),
    less what the source has taught as junk since: the poll that cleans a new source's first
    articles again with what they taught (refresh) must reach the pages' text too."""
    if before.full_text != OK:
        return _failed(article, before.full_text, before.full_text_tries)[0]
    content = junk.strip_learned(before.content, learned_junk)
    if not article.dated:
        # Undated in its feed: the stored date stands, the page's or the first sighting's (the
        # store keeps it too; this poll's first sighting is no date of the article's).
        article = replace(
            article,
            published=before.published,
            updated=max(article.updated, before.published),
            day_only=before.day_only,
        )
    return replace(
        article,
        content=content,
        thumbnail=before.thumbnail,
        full_text=OK,
        content_hash=_hash(article.content_hash, content),
    )


def _extract(
    article: Article,
    source: SourceConfig,
    fetcher: Fetcher,
    learned_junk: frozenset[str],
    tries: int = 0,
    artwork: str = "",
    pages: _Pages | None = None,
) -> tuple[Article, str]:
    """The article with its page's main text, or unchanged with the reason it could not be;
    `tries`: its page's failed fetches before this one; `artwork`: see `enrich`; `pages`: the
    refresh's page fetches, this one's taken from them. An article split across pages is read
    whole: see _continuations."""
    pages = pages or _Pages(MAX_ARTICLE_PAGES)
    pages.left -= 1
    started = time.monotonic()
    try:
        page = fetcher.fetch(
            article.url, allow_private=source.allow_private_networks, accept=PAGE_ACCEPT
        )
    except SourceError as e:
        temporary = e.outcome in _TEMPORARY or e.http_status in _TEMPORARY_STATUSES
        failures = tries + 1 if temporary else MAX_PAGE_TRIES
        return _failed(article, f"{e.outcome.value}: {e.message}", failures)
    content_type = page.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in _HTML_TYPES or not page.body:
        return _failed(article, f"not-html: the page is {content_type or 'of no stated type'}")
    page_html, _ = decode(
        page.body, page_content_type(page.body, page.headers.get("content-type", ""))
    )
    try:
        main = read_page(page_html, page.url, source, article.title, learned_junk)
    except NotTheArticle as e:
        return _failed(article, f"not-the-article: {e}")
    except Exception as e:  # noqa: BLE001 - a page that defeats the extractor is one failure
        return _failed(article, f"unreadable: {type(e).__name__}")
    if main.content.strip():
        # (The pages after the first share its size cap and deadline: one page's, in all.)
        budget = _Budget(
            fetcher.config.max_body_bytes - len(page.body),
            started + fetcher.config.deadline,
            pages,
        )
        more = _continuations(
            page_html, page.url, main.content, article.title, source, learned_junk, fetcher, budget
        )
        main = replace(main, content="\n".join([main.content, *more]))
    content = main.content
    if short := too_short(content):
        return _failed(article, short)
    # (The show's artwork, or the picture of a video in the summary, is no picture the page lacks.)
    own = article.thumbnail
    if own in (artwork, images.video_picture(article.content)):
        own = ""
    # (An author box's avatar is no lead picture here either: the sanitizer dropped its class.)
    lead = images.lead_image([], content, main.image, avatars=main.avatars)
    thumbnail = own or lead or article.thumbnail
    if not article.dated:
        article = _dated_by_page(article, page_html, source)
    return (
        replace(
            article,
            content=content,
            thumbnail=thumbnail,
            full_text=OK,
            full_text_tries=0,
            content_hash=_hash(article.content_hash, content),
        ),
        "",
    )


@dataclass(frozen=True)
class Page:
    """What read_page reads of an article's page."""

    content: str  # its main content, sanitized and junk-stripped HTML
    image: str  # its og:image, or ""
    avatars: frozenset[str]  # its pictures classed as avatars, as `content` writes their address


def extract_main(
    page_html: str,
    url: str,
    source: SourceConfig,
    title: str = "",
    learned_junk: frozenset[str] = frozenset(),
) -> tuple[str, str]:
    """A page's main content as sanitized, junk-stripped HTML, and its og:image (or ""):
    read_page's."""
    page = read_page(page_html, url, source, title, learned_junk)
    return page.content, page.image


def read_page(
    page_html: str,
    url: str,
    source: SourceConfig,
    title: str = "",
    learned_junk: frozenset[str] = frozenset(),
) -> Page:
    """A page's main content as sanitized, junk-stripped HTML, its og:image, its avatars.

    With the feed's `title`: NotTheArticle when the page's title, og:title and h1 name under
    MIN_TITLE_SHARE of its words (a soft 404, a login wall; a page that names nothing is not
    judged), and an h1 that only repeats the title (shown above the text already) is left out.
    """
    tree = lxml.html.fromstring(_XML_DECLARATION.sub("", page_html, count=1))
    elements = sum(1 for _ in tree.iter())
    if elements > MAX_PAGE_ELEMENTS:
        # readability's work grows faster than the page (a 3 MB page of nested <div>s: 46 s).
        raise NotTheArticle(f"the page has {elements:,} elements: more than an article's page")
    if title and (words := _title_words(title)):
        named = " ".join(str(t) for t in tree.xpath(_PAGE_TITLES)).casefold()
        share = sum(word in named for word in words) / len(words)
        if named.strip() and share < MIN_TITLE_SHARE:  # (a page that names nothing: no say)
            raise NotTheArticle(
                f"the page's title names {share:.0%} of the feed title's words"
                " (a missing page or a login wall?)"
            )
    _drop_pixels(tree)  # readability drops the width="1" that tells the sanitizer
    offering_consent = _offering_consent(tree)  # (read before the buttons go)
    # "Listen", "Copy link": the sanitizer unwraps a button; a <nav>'s links are no article's
    # ("Next gallery: Christmas markets" ended a gallery's text: dev set, gallery page).
    for element in list(tree.iter("button", "nav")):
        if element.getparent() is not None:
            element.drop_tree()
    _drop_boxes(tree)
    _drop_boxes_by_text(tree, offering_consent)
    _drop_pagers(tree)
    _drop_credit_lines(tree)
    _drop_related_lists(tree)
    _drop_teasers(tree, url)
    lazy_images.reveal(tree)
    if source.strip_selectors:
        junk.drop_selected(tree, source.strip_selectors)
    main = _main(tree, url)
    if too_short(main) and _flatten_entries(tree):
        # A live blog's or a gallery's text is in entries of one paragraph each, and readability
        # keeps the best entry alone: with the entries' paragraphs side by side it takes them all.
        flat = _main(tree, url)
        if len(strip_tags(flat)) > len(strip_tags(main)):
            main = flat
    # (Pictures on the source's own host stay, as in its feed's content: an intranet source.)
    trusted = normalize.trusted_host(source)
    content = clean_html(main, url, trusted)
    # WordPress's author box ("avatar avatar-150 photo"), as a feed's avatars (normalize).
    avatars = frozenset(safe_url(src, url) for src in images.avatar_sources(main))
    if title:
        content = _H1.sub(lambda m: "" if _same_text(m.group(1), title) else m.group(0), content, 1)
    content = junk.strip_paragraphs(content, source.strip_patterns, source.default_junk_rules)
    content = junk.strip_learned(content, learned_junk)
    base = next((b for b in (safe_url(str(h), url) for h in tree.xpath("//base/@href")) if b), url)
    page_images = (safe_url(str(u), base) for u in tree.xpath(_PAGE_IMAGE))
    # An og:image on a reader's own network is no card picture, as a feed's is not: every
    # reader's browser would ask it (a review: http://10.0.0.5/… on cards, embeds and feeds).
    shown = (u for u in page_images if u and not on_readers_network(u, trusted))
    return Page(content, next(shown, ""), avatars)


# --- an article split across pages ------------------------------------------------------------

# The pages read of one article: its own and the continuations its pager links ("Page 1 2 3
# Next", rel="next", "下一页"), each the next by number on the same host, all within one page's
# size cap and deadline. (A Chinese portal splits a long story into 2-10 pages; after five the
# rest waits no poll: it is left out, as a page over the cap is.)
MAX_ARTICLE_PAGES = 5
# A query parameter numbering the pages (?page=2, ?p=2, ?seite=2), not a gallery's or comments'.
_PAGE_PARAMS = frozenset(
    ("page", "p", "pg", "pn", "paged", "pageno", "page_no", "pagenum", "pagenumber", "seite",
     "pagina", "strona", "sayfa", "trang")
)  # fmt: skip
# A path numbering them: WordPress's /slug/2/ (or /page/2/), a portal's 12345_2.html or -2.shtml.
_PATH_PAGE = re.compile(r"/(?:page/)?(\d{1,3})/?")
_FILE_PAGE = re.compile(r"[_-](\d{1,3})(\.s?html?|\.php|\.aspx?|\.jsp)")
_FILE = re.compile(r"(.*?)(\.s?html?|\.php|\.aspx?|\.jsp)")
# What a pager's link to the next page says (arrows aside).
_NEXT_LABEL = re.compile(
    r"next(?: page)?|weiter|nächste(?: seite)?|suivante?|page suivante|siguiente|página siguiente"
    r"|pagina successiva|successiva|volgende(?: pagina)?|следующая(?: страница)?|далее"
    r"|下一页|下页|下一頁|次へ|次のページ|次ページ|다음(?: ?페이지)?",
    re.I,
)
_ARROWS = " \t\n»›>→…|·.:"


@dataclass
class _Pages:
    """The page fetches a refresh may still make (MAX_PAGES_PER_REFRESH: an article's further
    pages count too), and whether an article's next page was left for want of one."""

    left: int
    cut: bool = False


@dataclass
class _Budget:
    """What one article's page fetches may still read: bytes, until when (monotonic), and the
    refresh's page fetches."""

    bytes_left: int
    until: float
    pages: _Pages


def _continuations(
    first_html: str,
    first_url: str,
    first_content: str,
    title: str,
    source: SourceConfig,
    learned_junk: frozenset[str],
    fetcher: Fetcher,
    budget: _Budget,
) -> list[str]:
    """The main content of the pages that continue the article at `first_url` (fetched, after
    its redirects), in order: each one its previous page links as the next by number (rel=next,
    "Next page", "下一页" or the number itself) on the same host. It stops at MAX_ARTICLE_PAGES
    pages, at a page asked already, out of `budget`, and at a page that is no continuation: a
    fetch that fails or redirects elsewhere, no HTML, no text, not the article (its title names
    another: a subscription wall), or the text of a page read already (a site ignoring ?page=)."""
    contents: list[str] = []
    texts = {" ".join(strip_tags(first_content).split())}
    lines = _lines(first_content)
    markup, url, number = first_html, first_url, 1
    asked = {first_url.split("#")[0]}
    while number < MAX_ARTICLE_PAGES:
        following = _next_page(markup, url, first_url, number + 1)
        if following is None or following in asked:
            break
        asked.add(following)
        if budget.bytes_left <= 0 or time.monotonic() >= budget.until:
            break
        if budget.pages.left <= 0:
            budget.pages.cut = True
            break
        budget.pages.left -= 1
        try:
            page = fetcher.fetch(
                following,
                allow_private=source.allow_private_networks,
                accept=PAGE_ACCEPT,
                max_bytes=budget.bytes_left,
                until=budget.until,
            )
        except SourceError as e:
            log.info(
                "page of an article failed",
                extra={"fields": {"url": following, "error": e.message}},
            )
            break
        budget.bytes_left -= len(page.body or b"")
        content_type = page.headers.get("content-type", "").split(";")[0].strip().lower()
        if _page_number(page.url, first_url) != number + 1 or content_type not in _HTML_TYPES:
            break  # (redirected back to page 1, to another host, to a login)
        markup, _ = decode(
            page.body or b"",
            page_content_type(page.body or b"", page.headers.get("content-type", "")),
        )
        try:
            content = read_page(markup, page.url, source, title, learned_junk).content
        except Exception:  # noqa: BLE001 - not the article, or unreadable: no continuation
            break
        text = " ".join(strip_tags(content).split())
        if not text or text in texts:
            break
        texts.add(text)
        contents.append(_without_lines(content, lines))
        lines |= _lines(content)
        url, number = page.url, number + 1
    return contents


_LINE_TAGS = ("p", "li", "h2", "h3", "h4", "h5", "h6", "blockquote", "figcaption", "div")


def _line_elements(content: str) -> tuple[lxml.html.HtmlElement, list[lxml.html.HtmlElement]]:
    """`content` parsed, and its lines: its paragraphs, items and headings with no such inside."""
    root = lxml.html.fragment_fromstring(content, create_parent="div")
    found = [
        e
        for e in root.iter(*_LINE_TAGS)
        if e is not root and next(itertools.islice(e.iter(*_LINE_TAGS), 1, None), None) is None
    ]
    return root, found


def _lines(content: str) -> set[str]:
    return {" ".join(e.text_content().split()) for e in _line_elements(content)[1]} - {""}


def _without_lines(content: str, lines: set[str]) -> str:
    """A continuation page's content less the lines an earlier page had (its byline, its standfirst
    repeated on each page)."""
    root, found = _line_elements(content)
    repeated = [e for e in found if " ".join(e.text_content().split()) in lines]
    if not repeated:
        return content
    for element in repeated:
        element.drop_tree()
    children = (lxml.html.tostring(child, encoding="unicode") for child in root)
    return html.escape(root.text or "", quote=False) + "".join(children)


def _next_page(page_html: str, url: str, first_url: str, wanted: int) -> str | None:
    """The address of page `wanted` of the article at `first_url` as the page at `url` links it:
    by rel="next", or a link saying "Next page" or the number, on the same host (None: none)."""
    tree = lxml.html.fromstring(_XML_DECLARATION.sub("", page_html, count=1))
    base = next((str(h) for h in tree.xpath("//base/@href")), url)
    for element in tree.xpath("//link[@href] | //a[@href]"):
        rel = element.get("rel", "").lower().split()
        if "next" not in rel:
            if element.tag == "link":
                continue
            label = " ".join(element.text_content().split()).strip(_ARROWS)
            if label != str(wanted) and not _NEXT_LABEL.fullmatch(label):
                continue
        try:
            href = str(element.get("href", "")).strip()
            address = urljoin(urljoin(url, base), href).split("#")[0]
        except ValueError:
            continue
        if _page_number(address, first_url) == wanted:
            return address
    return None


def _page_number(url: str, first_url: str) -> int | None:
    """Which page of the article at `first_url` `url` is by its address (1: that one), or None
    when it is no page of it: another host or scheme, another path, another query."""
    try:
        at, first = urlsplit(url), urlsplit(first_url)
        same_site = (at.scheme, at.netloc.lower()) == (first.scheme, first.netloc.lower())
    except ValueError:
        return None
    if not same_site or at.scheme not in ("http", "https"):
        return None
    if at.path == first.path:
        query = parse_qsl(at.query, keep_blank_values=True)
        first_query = parse_qsl(first.query, keep_blank_values=True)
        if query == first_query:
            return 1
        numbers = [v for k, v in query if k.lower() in _PAGE_PARAMS]
        first_numbers = [v for k, v in first_query if k.lower() in _PAGE_PARAMS]
        others = [(k, v) for k, v in query if k.lower() not in _PAGE_PARAMS]
        first_others = [(k, v) for k, v in first_query if k.lower() not in _PAGE_PARAMS]
        if others != first_others or first_numbers not in ([], ["1"]) or len(numbers) != 1:
            return None
        return int(numbers[0]) if numbers[0].isascii() and numbers[0].isdigit() else None
    if at.query != first.query:
        return None
    stem = first.path.rstrip("/")
    if at.path.startswith(stem + "/") and (m := _PATH_PAGE.fullmatch(at.path[len(stem) :])):
        return int(m.group(1))
    if (f := _FILE.fullmatch(first.path)) and at.path.startswith(f.group(1)):
        m = _FILE_PAGE.fullmatch(at.path[len(f.group(1)) :])
        if m and m.group(2) == f.group(2):
            return int(m.group(1))
    return None


# A pager: a block of links whose whole text is a pager's words and numbers ("Page 1 of 3 « 1 2
# 3 Next page »", "Pages: 1 2 3", "共3页 上一页 1 2 3 下一页 显示全文", "Seite 1 von 2 Weiter").
_PAGER_WORDS = (
    r"pages?|seiten?|von|of|sur|página|pagina|страница|из|next|prev(?:ious)?|first|last|older"
    r"|newer|weiter|zurück|nächste|vorherige|erste|letzte|suivante?|précédente?|siguiente"
    r"|anterior|[第共页頁]|上一?页|下一?页|上一頁|下一頁|首页|尾页|末页|显示全文|全文阅读|阅读全文"
    r"|单页阅读|次へ|前へ|次のページ|前のページ|다음|이전|следующая|предыдущая|далее|назад"
)
# A number is a whole run of digits (split anywhere, "1111…1x" took seconds more a digit), and
# may touch a Chinese or Japanese word ("第2页", "共3页").
_PAGER = re.compile(
    rf"(?:(?:{_PAGER_WORDS})(?![^\W\d_])|\d{{1,4}}(?![^\W_\u3040-\u30ff\u4e00-\u9fff])|[\W_])*",
    re.I,
)
_PAGER_WORD = re.compile(rf"(?:{_PAGER_WORDS})(?![^\W\d_])", re.I)
MAX_PAGER_CHARS = 300


_INLINE_TAGS = frozenset(("a", "span", "b", "strong", "em", "i", "small", "font", "u"))


def _drop_pagers(tree: lxml.html.HtmlElement) -> None:
    """Remove the page's pagers: the outermost block around a link whose whole text is a pager's
    (a word of one, not only numbers: a footnote's "1" stays; no picture), unless that is a link
    in a sentence."""
    pagers = []
    seen: set[lxml.html.HtmlElement] = set()
    sentences: dict[lxml.html.HtmlElement, bool] = {}
    for link in tree.iter("a"):
        found = None
        for element in itertools.chain((link,), link.iterancestors()):
            if element.tag in ("html", "body", "article", "main") or element in seen:
                break
            seen.add(element)
            text = element.text_content()
            if len(text) > MAX_PAGER_CHARS or not _PAGER.fullmatch(text):
                break
            if next(element.iter(*_MEDIA_TAGS), None) is not None:
                break
            if _PAGER_WORD.search(text):
                found = element
        if found is not None and not (
            found.tag in _INLINE_TAGS and _in_a_sentence(found, sentences)
        ):
            pagers.append(found)  # (not a sentence's "the <a>last</a> word", "on <a>page 12</a>")
    for pager in pagers:
        if pager.getparent() is not None:
            pager.drop_tree()


def _main(tree: lxml.html.HtmlElement, url: str) -> str:
    """The page's main content as readability finds it."""
    return str(
        _Readability(lxml.html.tostring(tree, encoding="unicode"), url=url).summary(
            html_partial=True,
            keep_all_images=True,  # else a picture's wrapper <div> goes, empty
        )
    )


MIN_ENTRIES = 3  # like siblings that make a list of entries (a live blog's, a gallery's)
MIN_ENTRY_CHARS = 25  # of an entry's text (a CJK character as WIDE_CHAR_WEIGHT): else a stub


def _flatten_entries(tree: lxml.html.HtmlElement) -> bool:
    """Replace each entry of a list of entries (MIN_ENTRIES or more like siblings: the same tag
    and class, each with a paragraph or a caption) by its paragraphs, captions (as paragraphs)
    and pictures, dropping the rest of it (its time stamp, its share button); whether any was.
    (A parent's children are rebuilt at once: one entry at a time took 14-19 s for 10,000.)"""
    flattened = False
    for parent in list(tree.iter()):
        groups: dict[tuple[str, str], list[lxml.html.HtmlElement]] = {}
        for child in parent:
            if isinstance(child.tag, str):
                groups.setdefault((child.tag, child.get("class", "")), []).append(child)
        replaced: dict[lxml.html.HtmlElement, list[lxml.html.HtmlElement]] = {}
        for entries in groups.values():
            if (
                len(entries) < MIN_ENTRIES
                or _not_entries(parent, entries[0])
                or not all(_entry_parts(e) for e in entries)
            ):
                continue
            for entry in entries:
                parts = _entry_parts(entry)
                for part in parts:
                    if part.tag == "figcaption":
                        part.tag = "p"
                    part.tail = None
                parts[-1].tail = entry.tail
                replaced[entry] = parts
        if replaced:
            children = [p for c in parent for p in replaced.get(c, [c])]
            parent[:] = children
            flattened = True
    return flattened


# Lists of like siblings that are no article's entries: comments, related or most-read lists.
# (Where a name starts: "photo-gallery" is no "hot" list, Ghost's "gh-canvas" no "nav".)
_NOT_ENTRIES = re.compile(
    "(?<![a-z])(?:comment|disqus|reply|respond|discussion|sidebar|foot|related|recommend"
    "|popular|most|more|promo|sponsor|widget|menu|nav|pager|rank|hot)",
    re.I,
)
_NOT_ENTRIES_TAGS = frozenset({"aside", "nav", "footer", "header", "form"})


def _not_entries(parent: lxml.html.HtmlElement, entry: lxml.html.HtmlElement) -> bool:
    """Whether the entries of `parent` (like `entry`) are a page's comments or link lists."""
    for element in (entry, parent, *parent.iterancestors()):
        names = f"{element.get('class', '')} {element.get('id', '')}"
        if element.tag in _NOT_ENTRIES_TAGS or _NOT_ENTRIES.search(names):
            return True
    return False


def _entry_parts(entry: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    """An entry's paragraphs, captions and pictures outside them, in order; [] for a stub."""
    parts = []
    stack = list(reversed(entry))
    while stack:  # (not into a part: a caption's own picture or paragraph is in it already)
        element = stack.pop()
        if element.tag in ("p", "figcaption", "img"):
            parts.append(element)
        elif isinstance(element.tag, str) and element.tag != "a":  # a card's text is a link
            stack.extend(reversed(element))
    text = "".join(p.text_content() for p in parts if p.tag != "img").strip()
    if _weighted_length(text) < MIN_ENTRY_CHARS:
        return []  # a stub ("Lot 5"), no update or caption
    return parts


def _weighted_length(text: str) -> int:
    """The text's length with a Chinese, Japanese or Korean character as WIDE_CHAR_WEIGHT."""
    return len(text) + (WIDE_CHAR_WEIGHT - 1) * len(_WIDE.findall(text))


def too_short(content: str) -> str:
    """Why extracted `content` is too short to be the article (a paywall, a teaser), or ""."""
    text = strip_tags(content)
    if _weighted_length(text) < MIN_TEXT_CHARS:
        return f"too-short: {len(text)} characters (a paywall or a teaser?)"
    return ""


def _dated_by_page(article: Article, page_html: str, source: SourceConfig) -> Article:
    """The article dated by its page when the page states its date (README, "Full text"): a feed
    item without a date was dated when first seen, or after its neighbour, hours or days off (a
    review: a page saying 2026-12-01T10:00+08:00 filed at 12:14 UTC). Only a date no later than
    that first sighting is taken: the article was there when the feed listed it."""
    try:
        tree = lxml.html.fromstring(_XML_DECLARATION.sub("", page_html, count=1))
    except (ValueError, lxml.etree.ParserError):
        return article
    local = _page_zone(article, source)
    for raw in _stated_dates(tree):
        when, _ = dates.read(raw, None, local)
        if when is not None:
            if when > article.published + normalize.FUTURE_SLACK:
                return article  # after it was first listed: not its publication
            day_only = dates.day_only(raw, local)
            return replace(article, published=when, updated=when, dated=True, day_only=day_only)
    return article


# Where pages state their publication, most trusted first: Open Graph's article namespace, a
# <time datetime> inside the article, schema.org's JSON-LD (below).
_PAGE_DATES = (
    "//meta[@property='article:published_time' or @name='article:published_time']/@content",
    "//article//time/@datetime",
)
_MAX_JSON_LD = 100_000  # characters of one JSON-LD block read: a page's is a few hundred


def _stated_dates(tree: lxml.html.HtmlElement) -> list[str]:
    found = [str(v).strip() for path in _PAGE_DATES for v in tree.xpath(path)]
    for block in tree.xpath("//script[@type='application/ld+json']/text()"):
        try:
            found += _json_ld_dates(json.loads(str(block)[:_MAX_JSON_LD]))
        except ValueError:  # (a broken block says nothing)
            continue
    return [raw for raw in found if raw]


def _json_ld_dates(data: object, depth: int = 0) -> list[str]:
    """The datePublished values of a JSON-LD document (a list, an @graph, nested objects)."""
    if depth > 4:
        return []
    if isinstance(data, list):
        return [d for item in data for d in _json_ld_dates(item, depth + 1)]
    if not isinstance(data, dict):
        return []
    own = data.get("datePublished")
    found = [own] if isinstance(own, str) else []
    return found + [d for v in data.values() for d in _json_ld_dates(v, depth + 1)]


def _page_zone(article: Article, source: SourceConfig) -> tzinfo:
    """The zone of a page's dates written without one: the source's, else its language's, else
    the site's (as normalize.local_zone reads the feed's)."""
    if source.timezone:
        return dates.zone(source.timezone)
    return normalize.language_zone(article.language) or dates.zone(source.default_timezone)


def page_content_type(body: bytes, content_type: str) -> str:
    """The Content-Type to decode a page with: the server's, plus the charset the page's own
    <meta> declares when the server names none (as browsers read it)."""
    if "charset=" in content_type.lower():
        return content_type
    found = _META_CHARSET.search(body, 0, 1024)
    if found is None:
        return content_type
    return f"{content_type or 'text/html'}; charset={found.group(1).decode('ascii')}"


def _title_words(title: str) -> set[str]:
    """A title's words of three letters or more, and its CJK characters two by two."""
    folded = title.casefold()
    words = set(re.findall(r"[^\W\d_]{3,}", _CJK.sub(" ", folded)))
    return words | {"".join(pair) for pair in _CJK_PAIRS.findall(folded)}


def _same_text(markup: str, title: str) -> bool:
    return " ".join(strip_tags(markup).casefold().split()) == " ".join(title.casefold().split())


# A newsletter's, a sign-up's, a share bar's or a cookie consent's box, by its class or id (where
# a name starts: "nl-signup", "newsletter-inline", "sharedaddy", "social-share", "consent-overlay":
# a page showing a bot only its consent dialog was taken for the article); one holding more text
# than MAX_BOX_CHARS is no box (an article's wrapper named "share-story"). Whole words only: a
# short article's "subscriber-only" or "society" wrapper is no box.
_BOX_NAMES = re.compile(
    "(?<![a-z])(?:newsletter|signup|sign-up|subscribe|subscription|share|sharing|social|consent"
    "|cookies?|gdpr|sharedaddy|sharebar|sharethis|addtoany)(?![a-z])",
    re.I,
)
MAX_BOX_CHARS = 500


def _drop_boxes(tree: lxml.html.HtmlElement) -> None:
    """Remove the page's newsletter, sign-up and share boxes: readability keeps what sits among
    the article's paragraphs (a review of tests/fixtures/pages/dev: precision 0.58 on a page
    with two sign-up boxes in its body)."""
    for element in tree.xpath("//*[@class or @id]"):
        names = f"{element.get('class', '')} {element.get('id', '')}"
        if element.tag in ("html", "body") or not _BOX_NAMES.search(names):
            continue
        if len(element.text_content()) <= MAX_BOX_CHARS and element.getparent() is not None:
            element.drop_tree()


# A sign-up box named by no box word ("nl-box"): a block holding a link to sign up that is all of
# its line, or an e-mail field, whose text says what for; and a cookie consent dialog named by
# none (a consent platform's "sp_message_container_812345"): its text says cookies, consent and
# partners or privacy, in any of a few languages.
_SIGNUP_HREF = re.compile(
    r"(?<![a-z])(?:newsletters?|subscribe|subscription|signup|sign-up|abonnieren|inscription)"
    r"(?![a-z])",
    re.I,
)
_SIGNUP_TEXT = re.compile(r"newsletter|sign(?:ing)? up|subscribe|inbox", re.I)
_COOKIE = re.compile(r"(?<![a-z])cookies?(?![a-z])", re.I)
_CONSENT = re.compile(
    r"accept|agree|consent|akzeptier|zustimm|einwillig|einverstanden|accepter|acceptez"
    r"|consentement|aceptar|consentimiento|accett|consenso|toestemming|akkoord|同意|接受|동의",
    re.I,
)
_CONSENT_WHO = re.compile(
    r"partner|vendor|third[- ]part|privacy|personal data|legitimate interest|anbieter|datenschutz"
    r"|personenbezogen|berechtigte|données|confidentialité|datos personales|privacidad"
    r"|dati personali|隐私|隱私|个人信息|個人資料|第三方|合作伙伴|개인정보",
    re.I,
)
_BOX_TAGS = frozenset(("div", "aside", "section", "form", "dialog"))
MAX_CONSENT_CHARS = 2_000  # a consent dialog's text, at most (its purposes listed)


def _drop_boxes_by_text(
    tree: lxml.html.HtmlElement, offering_consent: Collection[lxml.html.HtmlElement]
) -> None:
    """Remove the sign-up boxes and consent dialogs _drop_boxes did not know by their name (dev
    set: the newsletter page kept its "nl-box", precision 0.75; a German consent wall was read as
    the article). A sign-up box is a small part of what holds it: a short article's body with its
    own sign-up line stays; a consent dialog holds a control that asks for consent
    (`offering_consent`, _offering_consent's: a post about cookies its author agrees on stays) and,
    inside the page's <article> or <main>, is not their body: they have MIN_TEXT_CHARS of text
    beside it (a dialog placed in the article goes; an article quoting one as its body stays)."""

    boxes = []
    climb = _Climb(MAX_BOX_CHARS, _is_signup_box)
    lines: dict[lxml.html.HtmlElement, str] = {}  # (a parent's text, read once)
    for start in tree.xpath("//a[@href] | //input[@type='email']"):
        if start.tag == "a":
            href = start.get("href", "").split("?", 1)[0]
            parent = start.getparent()
            if not _SIGNUP_HREF.search(href) or parent is None:
                continue
            if parent not in lines:
                lines[parent] = " ".join(parent.text_content().split())
            if " ".join(start.text_content().split()) != lines[parent]:
                continue  # a link in a sentence is the sentence's
        boxes.append(climb.outermost(start))
    climb = _Climb(
        MAX_CONSENT_CHARS, lambda e, text, n: e in offering_consent and _is_consent_box(e, text, n)
    )
    for text in tree.xpath("//text()[contains(translate(., 'COKIE', 'cokie'), 'cookie')]"):
        if (start := text.getparent()) is not None:
            boxes.append(climb.outermost(start))
    for box in boxes:  # (not dropped already, nor inside one dropped)
        if box is not None and box.getparent() is not None:
            box.drop_tree()


class _Climb:
    """The outermost box (`is_box`) of `limit` characters at most holding an element. Each
    element is read once (a page of 20,000 sign-up links in one <div> took 36 s when each climb
    read its ancestors again): a climb stops where an earlier one went, which found the boxes
    above already."""

    def __init__(
        self, limit: int, is_box: Callable[[lxml.html.HtmlElement, str, Callable[..., int]], bool]
    ) -> None:
        self.limit = limit
        self.is_box = is_box
        self.seen: set[lxml.html.HtmlElement] = set()
        self.lengths: dict[lxml.html.HtmlElement, int] = {}

    def length(self, element: lxml.html.HtmlElement) -> int:
        if element not in self.lengths:
            self.lengths[element] = len(element.text_content())
        return self.lengths[element]

    def outermost(self, start: lxml.html.HtmlElement) -> lxml.html.HtmlElement | None:
        found = None
        for element in itertools.chain((start,), start.iterancestors()):  # (lazily: 256 deep)
            if element.tag in ("html", "body") or element in self.seen:
                break
            self.seen.add(element)
            text = element.text_content()
            self.lengths[element] = len(text)
            if len(text) > self.limit:
                break
            if element.tag in _BOX_TAGS and self.is_box(element, text, self.length):
                found = element
        return found


def _is_signup_box(
    element: lxml.html.HtmlElement, text: str, length: Callable[[lxml.html.HtmlElement], int]
) -> bool:
    parent = element.getparent()
    return (
        _SIGNUP_TEXT.search(text) is not None
        and parent is not None
        and 2 * len(text) <= length(parent)
    )


# A consent dialog offers its choice: a button, a link or an input whose whole label says it
# ("Alle akzeptieren", "Accept all", "I agree"). A blog's post with none, saying "cookies",
# "partner" and "agree", was such a dialog to the text alone, and its whole body went (h8's F3).
MAX_CONSENT_LABEL_CHARS = 40
# (A button says it in more ways than the dialog's text: "Alle Cookies zulassen", "Allow all",
# "Got it", "OK".)
_CONSENT_CONTROL = re.compile(
    rf"{_CONSENT.pattern}|allow|zulassen|erlauben|got it|understand|verstanden|d'accord"
    r"|^ok(?:ay)?\b",
    re.I,
)


def _offering_consent(tree: lxml.html.HtmlElement) -> set[lxml.html.HtmlElement]:
    """The elements that hold a control asking for consent: each ancestor once, so a page of
    20,000 such buttons costs one walk up each, where the walks meet."""
    holders: set[lxml.html.HtmlElement] = set()
    sentences: dict[lxml.html.HtmlElement, bool] = {}
    for control in tree.iter("button", "a", "input"):
        if control.tag == "input":
            if control.get("type", "").lower() not in ("submit", "button"):
                continue
            label = control.get("value", "")
        else:
            label = control.text_content()
        if len(label) > 4 * MAX_CONSENT_LABEL_CHARS:
            continue
        if control.tag == "a" and _in_a_sentence(control, sentences):
            continue  # a link in a sentence is the sentence's ("einen Knopf „Alle akzeptieren“ …")
        label = " ".join(label.split())
        if len(label) > MAX_CONSENT_LABEL_CHARS or not _CONSENT_CONTROL.search(label):
            continue
        if (
            control.tag == "a"
            and _headline_like(label)
            and _navigates(control)
            and _in_article(control)
        ):
            continue  # a related story's link in the article ("Apple agrees to privacy deal")
        for element in control.iterancestors():
            if element in holders:
                break
            holders.add(element)
    return holders


def _in_a_sentence(link: lxml.html.HtmlElement, read: dict[lxml.html.HtmlElement, bool]) -> bool:
    """Whether a link has words of its parent's text beside it: it is part of a sentence.
    `read`: what the walk that asks found of each parent, read once: a parent's text between
    its children was read again for each of its links, seconds for a pager of 20,000 numbers."""
    parent = link.getparent()
    if parent is None or link.get("role", "") == "button":
        return False
    if parent not in read:
        beside = itertools.chain((parent.text,), (child.tail for child in parent))
        read[parent] = any(_WORDS.search(t) for t in beside if t)
    return read[parent]


_WORDS = re.compile(r"[^\W\d_]{2}")


def _headline_like(label: str) -> bool:
    """Whether a link's label is longer than a button's: four words or more, or, unspaced, over
    six characters ("Alle akzeptieren", "Accept all cookies", "同意并继续" are buttons')."""
    return len(label.split()) > 3 or (" " not in label and len(label) > 6 and not label.isascii())


def _navigates(link: lxml.html.HtmlElement) -> bool:
    """Whether a link goes to a page (a dialog's buttons go nowhere: "#", "javascript:", none)."""
    href = link.get("href", "").strip().lower()
    return bool(href) and not href.startswith(("#", "javascript:"))


def _in_article(element: lxml.html.HtmlElement) -> bool:
    return next(element.iterancestors("article", "main"), None) is not None


def _is_consent_box(
    element: lxml.html.HtmlElement, text: str, length: Callable[[lxml.html.HtmlElement], int]
) -> bool:
    if not (
        _COOKIE.search(text) is not None
        and _CONSENT.search(text) is not None
        and _CONSENT_WHO.search(text) is not None
        and next(element.iter("article", "main", "h1"), None) is None
    ):
        return False
    holder = next(element.iterancestors("article", "main"), None)
    if holder is None:
        return True
    # Inside the article: a dialog placed there (dev set: consentart, consentmain kept theirs,
    # precision 0.52 and 0.56), unless it is the article's body, as a post quoting one is.
    beside = _weighted_length(holder.text_content()) - _weighted_length(text)
    return beside >= MIN_TEXT_CHARS


# A gallery caption's counter and credit, a reporter's byline or signature line: an element whose
# whole text is one ("Image 1 of 4", "Photograph: Lee Grant/The Guardian", "김민수 기자
# minsu@example.kr", "Sam Okafor, Transport correspondent, sam@courier.example"). Not a sentence
# that holds one ("Contact Jane Smith at jane@…", "제보는 hong@… 로", "Image 1 of 4 shows…").
_NAME = (
    r"(?-i:[A-Z])[\w'’.-]*(?:\s+(?:(?:via|and|for|de|van|von|of|the)\s+)?(?-i:[A-Z])[\w'’.-]*){0,5}"
)
_EMAIL = r"\(?[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,6}\)?"
_KOREAN_WHEN = (  # "입력 2026.12.03 14:05", "수정: 2026-12-03"
    r"(?:입력|수정|등록|승인|업데이트)\s*:?\s*\d{4}[.\-/]\s*\d{1,2}[.\-/]\s*\d{1,2}\.?"
    r"(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?"
)
_CREDIT_LINE = re.compile(
    r"(?:(?:image|photo|picture|slide|foto|bild)\s+\d{1,4}\s*(?:of|/)\s*\d{1,4}"
    rf"|(?:photo(?:graph)?s?|pictures?|images?|fotos?|credits?|photo credits?|photographer)"
    rf"\s*[:：]\s*{_NAME}(?:\s*/\s*{_NAME})*"
    rf"|[가-힣]{{2,4}}\s*(?:기자|특파원|선임기자|객원기자|통신원)(?:\s*=)?"
    rf"(?:\s*(?:{_EMAIL}|{_KOREAN_WHEN})){{1,3}}"
    rf"|(?:by\s+)?{_NAME}(?:\s*[,|·–—-]\s*[^,@|()]{{1,40}}?)?\s*[,|·–—:-]?\s*{_EMAIL})\.?",
    re.IGNORECASE,
)
_CREDIT_TAGS = frozenset(
    ("span", "small", "p", "div", "figcaption", "em", "i", "b", "strong", "cite", "address", "li")
)
_MEDIA_TAGS = ("img", "picture", "video", "audio", "iframe", "figure")


def _drop_credit_lines(tree: lxml.html.HtmlElement) -> None:
    """Remove the elements that are a caption's counter or credit, or a reporter's byline or
    signature line (_CREDIT_LINE): readability keeps them with the captions and paragraphs they
    sit among (tests/fixtures/pages/dev: gallery precision 0.76, korean 0.84)."""
    for element in list(tree.iter(*_CREDIT_TAGS)):
        if len(element) > 4 or element.getparent() is None:  # (a line has few children)
            continue
        text = " ".join(element.text_content().split())
        if (
            8 <= len(text) <= 160
            and _CREDIT_LINE.fullmatch(text)
            and next(element.iter(*_MEDIA_TAGS), None) is None
        ):
            element.drop_tree()


# A related list's heading on a line of its own ("相关新闻", "Read next", "You may also like");
# a heading with a headline after it is the junk rules' ("相关阅读：<headline>").
_RELATED_HEADING = re.compile(
    rf"(?:{junk.RELATED_PROMPTS}|read next|more stories|猜你喜欢|热门推荐)\s*[:：]?", re.I
)


def _drop_related_lists(tree: lxml.html.HtmlElement) -> None:
    """Remove a related list: its heading alone on its line, and after it a block of nothing but
    two or more links. readability keeps them where they share the article's cell or block (dev
    set: an old portal's <table> kept "相关新闻" and its two headlines)."""
    for element in list(tree.iter(*_CREDIT_TAGS, "td", "h2", "h3", "h4", "h5", "h6", "dt")):
        if len(element) > 2 or element.getparent() is None:
            continue
        text = " ".join(element.text_content().split())
        if len(text) > 40 or not _RELATED_HEADING.fullmatch(text):
            continue
        block = element  # (the heading's own row or wrapper: "<tr><td>相关新闻</td></tr>")
        while (parent := block.getparent()) is not None and parent.tag not in ("body", "html"):
            if block.getprevious() is not None or block.getnext() is not None:
                break  # (its only child: a parent of many is not read, 10,000 headings in one)
            if " ".join(parent.text_content().split()) != text:
                break
            block = parent
        following = block.getnext()
        if following is not None and _only_links(following):
            following.drop_tree()
            block.drop_tree()


def _only_links(element: lxml.html.HtmlElement) -> bool:
    """Whether an element's text is two or more links and nothing else (but separators)."""
    links = element.xpath(".//a[@href]")
    if len(links) < 2:
        return False
    linked = sum(len("".join(a.text_content().split())) for a in links)
    return linked > 0 and linked == len("".join(element.text_content().split()))


def _drop_teasers(tree: lxml.html.HtmlElement, url: str) -> None:
    """Remove the <article>s that are teasers of other articles, two or more: the first heading,
    no <h1>, is all a link to another address, and the text is shorter than the longest
    <article> that is no teaser. readability joins siblings of the article's class: "read next"
    cards of long text beside the article were a third of its text (dev set, teasers page:
    precision 0.40). A heading linking the page's own or canonical address (a permalink) is no
    teaser's; a page whose every <article> is a teaser (a section front) keeps them all (the
    title rule judges it)."""
    articles = tree.xpath("//article")
    if len(articles) < 2:
        return
    here = _address(url, url)
    for link in tree.xpath("//link[@rel='canonical']/@href | //meta[@property='og:url']/@content"):
        here |= _address(str(link), url)
    teasers = [a for a in articles if _is_teaser(a, url, here)]
    if len(teasers) < 2:
        return  # (cards come several: one is more likely the article, its heading a link)
    others = set(articles).difference(teasers)
    longest = max((len(a.text_content()) for a in others), default=0)
    for teaser in teasers:
        if len(teaser.text_content()) < longest and teaser.getparent() is not None:
            teaser.drop_tree()


def _is_teaser(article: lxml.html.HtmlElement, url: str, here: set[str]) -> bool:
    heading = next(article.iter("h1", "h2", "h3", "h4"), None)
    if heading is None or heading.tag == "h1":
        return False
    links = heading.xpath(".//a[@href]")
    text = "".join(heading.text_content().split())
    return (
        len(links) == 1
        and bool(text)
        and "".join(links[0].text_content().split()) == text
        and not (_address(links[0].get("href", ""), url) & here)
    )


def _address(href: str, base: str) -> set[str]:
    """An address as compared for "the same page": no fragment, query or last slash ({} for
    none)."""
    absolute = safe_url(href, base)
    return {absolute.split("#")[0].split("?")[0].rstrip("/")} if absolute else set()


def _drop_pixels(tree: lxml.html.HtmlElement) -> None:
    """Remove the page's tracking pixels: images declared 0 or 1 pixel, or from known beacons."""
    for img in list(tree.iter("img")):
        sides = [img.get(side, "").strip().removesuffix("px") for side in ("width", "height")]
        if any(s in ("0", "1") for s in sides) or is_tracker(img.get("src", "")):
            img.drop_tree()


def _failed(article: Article, error: str, tries: int = MAX_PAGE_TRIES) -> tuple[Article, str]:
    """The article without its page, recording why and how often it failed (`tries`; a page that
    will not change is at MAX_PAGE_TRIES at once): its hash changes with both, so the save keeps
    them even for an article stored before."""
    failed = replace(
        article,
        full_text=error[:200],
        full_text_tries=tries,
        content_hash=_hash(article.content_hash, f"\x00{tries}"),
    )
    return failed, error


def _hash(feed_hash: str, content: str) -> str:
    data = f"{feed_hash}\x1f{content}".encode("utf-8", "surrogatepass")
    return hashlib.sha256(data).hexdigest()
