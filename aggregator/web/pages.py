"""The HTML reader: home, category, article and sources pages, and the templated 404.

Views stay thin: they read through the Store API, pick what to show, and hand values to the
Jinja templates in templates/. Every text field is escaped by Jinja's autoescape; only
`Article.content`, sanitized with nh3 at ingest, is rendered with `|safe`.
"""

from __future__ import annotations

import gzip
import hashlib
import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from functools import lru_cache, partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, render_template, request, send_from_directory, url_for
from markupsafe import Markup
from werkzeug.exceptions import Gone, NotFound

from aggregator import dates, images, stories
from aggregator.config import Category, Config, SourceConfig
from aggregator.language import written_in
from aggregator.models import SOURCE_STATES, Article, SourceState, source_health
from aggregator.normalize import UNTITLED, language_tag, title_language
from aggregator.normalize import no_category as is_default_category
from aggregator.redact import public_error, public_url
from aggregator.sanitize import focusable_scrollers
from aggregator.store import Store
from aggregator.syndication import CONTENT_TYPES, clock, names_language
from aggregator.web import (
    Page,
    SharedPage,
    accepts_gzip,
    get_config,
    get_store,
    no_category,
    problem,
    recorded_languages,
    rendering,
    wants_json,
    web_state,
    without_content,
)
from aggregator.web.cache import GZIP_LEVEL
from aggregator.web.i18n import (
    absolute_time,
    chrome_language,
    dates_language,
    iso_time,
    reader_time,
    translate_html,
)

bp = Blueprint("pages", __name__)

# Pages this small or smaller go uncompressed: gzip would save less than it costs.
GZIP_MIN_BYTES = 1024


@bp.after_request
def _validated_and_compressed(response: Response) -> Response:
    """A page with a strong ETag of its bytes, and gzip-coded when the client takes it (each
    coding its own ETag), so a reload or a revalidating cache gets a 304 and a page travels as
    a third of its size. Rendered at most once a second, shared by those asking meanwhile
    (web.rendering): its "5 minutes ago" moves every minute."""
    if response.status_code != 200 or response.is_streamed or response.mimetype != "text/html":
        return response
    # A shared page's (web.rendering) were made once, with its rendering.
    page = response.page if isinstance(response, SharedPage) else None
    body = response.get_data()
    gzipped = len(body) >= GZIP_MIN_BYTES and accepts_gzip(request)
    if page is not None:
        etag = (page.gzip_etag if gzipped else page.etag).strip('"')
    else:
        digest = hashlib.sha256(body).hexdigest()
        etag = f"{digest}-gzip" if gzipped else digest
    response.headers["ETag"] = f'"{etag}"'
    response.headers["Vary"] = "Accept-Encoding"
    response.headers.setdefault("Cache-Control", "no-cache")  # stored, revalidated each time
    if request.if_none_match.contains_weak(etag):
        response.status_code = 304
        response.set_data(b"")
        response.headers.pop("Content-Length", None)
        return response
    if gzipped:
        if page is not None:
            response.set_data(page.gzipped)
        else:
            response.set_data(gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0))
        response.headers["Content-Encoding"] = "gzip"
    return response


HOME_PER_CATEGORY = 5  # one lead story and four more per category on the front page
PAGE_SIZE = 20
RELATED_COUNT = 4
POOL_PER_CARD = 3  # the newest articles the top stories are chosen from, per card shown ...
WIDER_POOL = 4  # ... and this many times as many when those leave cards empty (and again)
MAX_POOL = 480  # the most articles a section's stories are chosen from
MAX_FILL_READS = 4  # more reads of the list a newest-first page may make to fill its cards
RELATED_POOL = 60  # the category's newest articles that related ones are chosen from

FEED_FORMATS = ("atom", "rss", "json")
_FEED_NAMES = {"atom": "Atom", "rss": "RSS", "json": "JSON Feed"}


# --- pure helpers -----------------------------------------------------------------------------


def http_url(value: str) -> str:
    """`value` when it is an absolute http(s) URL, else "" (so no javascript: ever reaches href)."""
    value = value.strip()
    try:
        parts = urlsplit(value)
    except ValueError:
        return ""
    return value if parts.scheme.lower() in ("http", "https") and parts.netloc else ""


_STOPWORDS_TEXT = """
    the and for with from that this are was were has have had not but its his her their our
    you your who what when where why how will would can could into over after before about
    than then they them new says said more most just also out off
    على إلى الى التي الذي الذين بعد قبل حول بين عند منذ خلال اليوم هذا هذه ذلك كان كانت مع ضد
    برای این است های آن بود اما پس نیز
    اور میں ہیں ہے کیا ایک لیے نہیں بھی والے کرنے
"""
# (the second to fourth lines: Arabic, Persian and Urdu words every other headline has, "on",
# "to", "today", "for", "this", "and", "in": two Arabic reports sharing only "اليوم" were
# "Related articles", a survey)
_STOPWORDS = frozenset(_STOPWORDS_TEXT.split())
_WORD = re.compile(r"[^\W_]+")
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


@lru_cache(maxsize=8192)
def title_words(title: str) -> frozenset[str]:
    """The words of a title worth matching on: latin words of 3+ letters, and Han bigrams."""
    words: set[str] = set()
    if title == UNTITLED:  # no title: nothing to share with another untitled one
        return frozenset()
    for token in _WORD.findall(title.casefold()):
        if _HAN.search(token):
            # Chinese is written without spaces: neighbouring character pairs stand in for words.
            words.update(token[i : i + 2] for i in range(len(token) - 1))
        elif len(token) >= 3 and token not in _STOPWORDS and not token.isdigit():
            words.add(token)
    return frozenset(words)


def _primary_language(tag: str) -> str:
    """The language of a tag, whatever follows it: "zh" of "zh-CN", "en" of "en_GB"."""
    primary = _PRIMARY_LANGUAGE.match(tag)
    return primary[0].casefold() if primary else ""


_PRIMARY_LANGUAGE = re.compile(r"[A-Za-z]{2,8}")


def _shared_tags(article: Article) -> set[str]:
    """An article's tags as compared for relatedness: casefolded, WordPress's default left out."""
    return {t.casefold() for t in article.tags if not is_default_category(t)}


def related_articles(
    article: Article, candidates: Sequence[Article], limit: int
) -> tuple[list[Article], int]:
    """Up to `limit` of `candidates` most like `article`: shared tags, then shared title words
    (only between articles of one language, or of no known one); and how many of them share
    something.

    Ties keep the candidates' order (newest first), and when too few share anything the newest
    others in the article's language fill the list (a category of many languages gave a Chinese
    report a Korean, a Hebrew and a Japanese post). The article itself, and other copies of its
    link, never appear. WordPress's "Uncategorized" (in any language) is no tag to share: one
    stored before ingest dropped it made unrelated posts of a blog "related".
    """
    tags = _shared_tags(article)
    words = title_words(article.title)
    language = _primary_language(article.language)
    scored: list[tuple[int, int, Article]] = []
    seen = {article.id}
    for position, other in enumerate(candidates):
        if other.id in seen or (article.url and other.url == article.url):
            continue
        seen.add(other.id)
        shared_tags = len(tags & _shared_tags(other))
        other_language = _primary_language(other.language)
        if language and other_language and other_language != language:
            # Title words are false friends across languages ("article", "Information"): an
            # English report got a French post as related. A shared tag still counts.
            shared_words = 0
        else:
            shared_words = len(words & title_words(other.title))
        scored.append((2 * shared_tags + shared_words, position, other))
    matches = sorted((s for s in scored if s[0] > 0), key=lambda s: (-s[0], s[1]))
    rest = [
        s
        for s in scored
        if s[0] == 0 and (not language or _primary_language(s[2].language) == language)
    ]
    return [other for _, _, other in [*matches, *rest][:limit]], min(len(matches), limit)


@dataclass(frozen=True)
class FeedLink:
    """A `<link rel="alternate">` to one of our feeds."""

    title: str
    type: str
    href: str


def feed_links(slug: str | None, title: str, root: str = "") -> list[FeedLink]:
    """Our three feeds of a category (or of everything when `slug` is None)."""
    base = f"{root}/c/{slug}/feed" if slug else f"{root}/feed"
    return [
        FeedLink(f"{title} ({_FEED_NAMES[fmt]})", CONTENT_TYPES[fmt].split(";")[0], f"{base}.{fmt}")
        for fmt in FEED_FORMATS
    ]


@dataclass(frozen=True)
class SourceStatus:
    """How a source is doing, in words for the sources page."""

    kind: str  # models.source_health: healthy | failing | pending | gone | paused; the CSS class
    error: str  # the last error as an operator sentence, "" when none
    consecutive_errors: int
    last_fetch: datetime | None
    site: str = ""  # the site its feed links to (SourceState.site), "" when none
    language: str = ""  # its articles' language when last read (SourceState.language)


def source_status(state: SourceState) -> SourceStatus:
    """Classify a source's state for display."""
    kind = source_health(state)
    error = state.last_error if kind in ("failing", "gone") else ""
    return SourceStatus(
        kind, error, state.consecutive_errors, state.last_fetch, state.site, state.language
    )


def empty_reason(kinds: Collection[str]) -> str:
    """Why a page of articles is empty, from its sources' state words (models.source_health):
    the key of the UI string that says so."""
    if not kinds:
        return "empty_no_sources"
    if "pending" in kinds:
        return "empty_pending"
    if "healthy" not in kinds:
        return "empty_failing"
    return "no_articles"  # fetched fine: nothing in them (or nothing the filters let through)


def _empty_reasons(config: Config, slugs: Sequence[str | None]) -> dict[str | None, str]:
    """empty_reason of each category in `slugs` (None: every source), one small Redis read.

    From the state words the store keeps per source, never the states themselves: an empty page
    must not cost a read of every source's state (60,000 of them at scale).
    """
    if not slugs:
        return {}
    store = get_store()
    if slugs == [None]:  # the counts the store keeps
        return {None: empty_reason(_state_counts(config, store).keys())}
    members = {
        slug: [s.id for s in config.sources if slug is None or slug in s.categories]
        for slug in slugs
    }
    words = store.state_words(list(dict.fromkeys(i for ids in members.values() for i in ids)))
    return {slug: empty_reason({words[i] for i in ids}) for slug, ids in members.items()}


def _state_counts(config: Config, store: Store) -> dict[str, int]:
    """How many sources are in each state word; before the first publish, all are pending."""
    if not config.sources:
        return {}
    return store.state_counts() or {"pending": len(config.sources)}


def primary_category(article: Article, config: Config) -> Category | None:
    """The first of the article's categories that the configuration still has."""
    for slug in article.categories:
        category = config.category(slug)
        if category is not None:
            return category
    return None


# --- rendering --------------------------------------------------------------------------------


def page_context(config: Config, now: datetime) -> dict[str, Any]:
    """What every template needs: site facts, UI strings, time formatters in the site language."""
    language = language_tag(config.site.language) or "en"
    chrome = chrome_language(language)
    # "Older articles →" points the way the page reads: left on an Arabic or Hebrew page.
    forward, back = ("←", "→") if _rtl_test(chrome) else ("→", "←")
    zone = _site_zone(config)  # a date is the day it was at the site (UTC when unset)
    return {
        "site": config.site,
        "lang": chrome,  # of the page: our words (STRINGS)
        "forward": forward,
        "back": back,
        "dates_lang": dates_language(language),  # of the times: Babel's, which knows more
        "site_lang": language,  # of what the operator wrote: site title, categories
        "nav_categories": config.categories,
        "t": partial(translate_html, language),
        "ago": partial(reader_time, now=now, language=language, zone=zone),
        "full_time": partial(absolute_time, language=language, zone=zone),
        "iso": iso_time,
        "category_title": _category_titles(config),
        # A page's cards' sources' languages when last read (SourceState.language), by source
        # id, for a name its article's language is not written in (recorded_languages).
        "source_languages": {},
    }


def _site_zone(config: Config) -> tzinfo:
    try:
        return dates.zone(config.site.timezone)
    except ValueError:  # (checked when the config is read)
        return UTC


def _category_titles(config: Config) -> Callable[[str], str]:
    titles = {c.slug: c.title for c in config.categories}
    return lambda slug: titles.get(slug, slug)


def render_page(template: str, now: datetime | None = None, **context: Any) -> str:
    """Render `template` with the common context plus the view's own; times are relative to
    `now` (default: this moment)."""
    base = page_context(get_config(), now or datetime.now(UTC))
    return render_template(template, **{**base, **context})


@bp.app_template_test("untitled")
def _untitled(title: str) -> bool:
    """Whether an article has no title of its own: normalize stores one in English."""
    return not title or title == UNTITLED


@bp.app_template_filter("public_url")
def _public_url_filter(value: str | None) -> str:
    """A source URL as the public may see it (no credentials; aggregator/redact.py)."""
    return public_url(value or "", get_config().serve.secret_parameters)


@bp.app_template_filter("source_public_url")
def _source_public_url_filter(value: str | None, source: SourceConfig | str) -> str:
    """One of a source's URLs (`source`: its config or its id) as the public may see it: none at
    all for a source whose URLs are not published (an intranet one: SourceConfig.url_published),
    nor for one no longer in the config (which it was is not known)."""
    if isinstance(source, str):
        found = get_config().source(source)
        if found is None:
            return ""
        source = found
    return _public_url_filter(value) if source.url_published else ""


@bp.app_template_filter("public_error")
def _public_error_filter(value: str | None, source: SourceConfig | None = None) -> str:
    """A source's last error as the public may see it (aggregator/redact.py): without URLs for
    a `source` whose URLs are not published."""
    urls = source is None or source.url_published
    return public_error(value or "", get_config().serve.secret_parameters, urls)


# A heading's tag in nh3's output, which writes a "<" in text and attribute values as "&lt;".
_HEADING_TAG = re.compile(r"<(/?)h([1-6])(?=[\s>])")


def ranked_headings(cleaned: str) -> str:
    """Sanitized HTML with its headings ranked under the page's <h1>, the article's title: its
    first heading an <h2>, and each next one at most one level under those it follows (a
    newsletter's own <h1> made a second top level; an <h4> under an <h2> left a level out, and
    screen readers list a page by its levels). The sizes follow the new levels."""
    above: list[int] = []  # the source's levels of the headings the current one is under

    def rank(match: re.Match[str]) -> str:
        closing, level = match.group(1), int(match.group(2))
        if not closing:
            while above and above[-1] >= level:
                above.pop()
            above.append(level)
        return f"<{closing}h{min(len(above) + 1, 6)}"

    return _HEADING_TAG.sub(rank, cleaned)


@bp.app_template_filter("article_html")
def _article_html_filter(content: str) -> Markup:
    """An article's stored HTML (sanitized at ingest) for its page."""
    return Markup(ranked_headings(focusable_scrollers(content)))  # noqa: S704 (sanitized)


@bp.app_template_test("shown_in")
def _shown_in_test(picture: str, content: str) -> bool:
    return images.shown_in(picture, content)


@bp.app_template_filter("http_url")
def _http_url_filter(value: str | None) -> str:
    return http_url(value or "")


@bp.app_template_filter("clock")
def _clock_filter(seconds: int) -> str:
    return clock(seconds)


@bp.app_template_test("http_url")
def _http_url_test(value: str | None) -> bool:
    return bool(http_url(value or ""))


@bp.app_template_filter("language_tag")
def _language_tag_filter(value: str | None) -> str:
    return language_tag(value or "")


@bp.app_template_filter("title_language")
def _title_language(article: Article) -> str:
    """The article's language tag for its title, or "" when the title is not written in that
    language's script: an article's language is read from its body, and the English title
    "Super Market" of a Persian post was laid out right to left (a review)."""
    return title_language(language_tag(article.language or ""), article.title)


@bp.app_template_filter("name_language")
def _name_language(article: Article, recorded: str = "") -> str:
    """The article's language tag for its source's name, or "" when the name is not written in
    that language's script: a Korean source's name in our English "Read the original at …" was
    broken mid-word and a Japanese one drawn with Chinese glyphs, while "CNN" is no Arabic. Else
    `recorded`, the language its source's articles were in when last read, where the name is
    written in it (syndication.names_language, as JSON Feed's `_source.language`)."""
    return names_language(article.language or "", article.source_name, recorded)


@bp.app_template_filter("source_language")
def _source_language(
    source: SourceConfig, articles: Sequence[Article] = (), recorded: str = ""
) -> str:
    """The language of a source's name where it stands without an article (/sources, its own
    page's title): the language its config gives, else the one its articles were in when it
    was last read (`recorded`, SourceState.language), else its newest article's, else its first
    category's feeds'; "" when the name is not written in that language's script (as
    name_language). A Korean name on /sources had no lang, and broke mid-word; with no language
    in the config, "人民日报" had none there either (read with an English voice)."""
    config = get_config()
    found = [source.language, recorded, *(a.language for a in articles[:1])]
    found += [c.language for slug in source.categories if (c := config.category(slug))]
    for each in found:
        tag = language_tag(each or "")
        if tag:
            return tag if written_in(tag, source.name) else ""
    return ""


# Languages written right to left (their primary subtags), and scripts that are (Arab, Hebr…).
# (embed.js holds a copy of both lists.)
_RTL_LANGUAGES = frozenset({"ar", "he", "iw", "fa", "ur", "yi", "ps", "dv", "sd", "ug", "ckb"})
_RTL_SCRIPTS = frozenset({"arab", "hebr", "thaa", "syrc", "nkoo", "adlm", "rohg"})


@bp.app_template_test("rtl")
def _rtl_test(tag: str | None) -> bool:
    """Whether a language tag is written right to left ("ar", "he-IL", "ku-Arab")."""
    primary, *subtags = (tag or "").lower().split("-")
    script = next((s for s in subtags if len(s) == 4), "")
    if script:
        return script in _RTL_SCRIPTS
    return primary in _RTL_LANGUAGES


# --- views ------------------------------------------------------------------------------------


def story_cards(
    config: Config,
    slug: str,
    count: int,
    pool: Sequence[Article] | None,
    ranked: bool,
    before: str | None = None,
) -> tuple[list[Article], dict[str, int]]:
    """A category's articles, each story once, ranked (or newest first) and with source counts.

    `pool`: the articles to choose from (default: the category's newest, three per card, four
    times as many while that leaves too few cards, up to MAX_POOL).
    `before`: the cursor `pool` is the page of, in the newest-first list: a story one of whose
    articles an earlier page listed was shown there, and is not shown again.
    Returns the articles and, per article id, how many sources its story has.
    """
    if pool is None:
        wanted = count * POOL_PER_CARD
        pool = _story_pool(slug, wanted)
        cards, sizes = story_cards(config, slug, count, pool, ranked)
        while (
            len(cards) < count
            and len(pool) == wanted < MAX_POOL
            and _sources_beyond(config, slug, pool)
        ):
            # One busy source's burst filled the pool, and its cap left the cards few (a home
            # section of two) while the category has other sources: look further back. Once
            # was not enough when a site republishing it doubled the burst (60 articles of one
            # story-set left World two stories of its six sources: a review).
            wanted = min(wanted * WIDER_POOL, MAX_POOL)
            pool = _story_pool(slug, wanted)
            cards, sizes = story_cards(config, slug, count, pool, ranked)
        return cards, sizes
    store = get_store()
    cat = config.category(slug)
    story_of = store.stories_of([a.id for a in pool])
    if cat is None or cat.collapse_stories:
        keep = set(stories.collapse([a.id for a in pool], story_of))
        if before is not None:
            others = {m.article_id for a in pool for m in story_of[a.id].members}
            others -= {a.id for a in pool}
            shown = store.listed_before(slug, sorted(others), before)
            keep = {i for i in keep if not any(m.article_id in shown for m in story_of[i].members)}
        pool = [a for a in pool if a.id in keep]
    sizes = {a.id: len(story_of[a.id].sources) or 1 for a in pool}
    if not ranked:
        return list(pool[:count]), sizes
    weights = {s.id: s.weight for s in config.sources}
    entries = [
        (a.id, a.source_id, a.published.timestamp(), sizes[a.id], weights.get(a.source_id, 1.0))
        for a in pool
    ]
    now = datetime.now(UTC).timestamp()
    order = stories.rank(entries, now, count, config.stories.per_source, HOME_PER_CATEGORY)
    by_id = {a.id: a for a in pool}
    return [by_id[i] for i in order], sizes


def _sources_beyond(config: Config, slug: str, pool: Sequence[Article]) -> bool:
    """Whether the category has sources none of `pool` is from."""
    seen = {a.source_id for a in pool}
    return any(s.id not in seen and slug in s.categories for s in config.sources)


def _cursor(before: str, slug: str | None = None, source_id: str | None = None) -> str | None:
    """The cursor handed out that starts the same page of a category's or a source's list as
    `before` (web.rendering's key)."""
    if source_id is not None:
        return get_store().source_cursor(source_id, before)
    return get_store().category_cursor(slug, before)


@bp.get("/")
@rendering()
def home() -> str:
    """Every category's top stories, like a news portal's front page."""
    config = get_config()
    sections = []
    sizes: dict[str, int] = {}
    for c in config.categories:
        cards, counts = story_cards(config, c.slug, HOME_PER_CATEGORY, None, ranked=True)
        sections.append((c, cards))
        sizes.update(counts)
    return render_page(
        "home.html",
        sections=sections,
        story_sizes=sizes,
        source_languages=recorded_languages(
            get_store(), [a for _, cards in sections for a in cards]
        ),
        empty_reasons=_empty_reasons(
            config, [c.slug for c, cards in sections if not cards] if sections else [None]
        ),
        feeds=feed_links(None, config.site.title, request.script_root),
    )


@bp.get("/c/<slug>/")
@rendering("sort", "before", cursor=lambda before, slug: _cursor(before, slug=slug))
def category(slug: str) -> tuple[str, int]:
    """One category's top stories; with ?sort=latest newest first, a page at a time by cursor."""
    config, store = get_config(), get_store()
    cat = config.category(slug)
    if cat is None:
        no_category(slug)
    before = request.args.get("before") or None
    latest = request.args.get("sort") == "latest" or before is not None
    next_url: str | None = None
    if latest:
        try:
            pool, next_cursor = store.category_page(slug, PAGE_SIZE, before)
        except ValueError:
            abort(404)  # a cursor we never handed out: there is no such page
        # Nothing older: its articles have left the archive (retention), or a made-up cursor.
        # A 404 that says so, on the category's page with its link to the newest: a reader's
        # old "Older articles" link was a bare "not found".
        ended = before is not None and not pool
        articles, sizes, next_cursor = _latest_cards(config, slug, pool, before, next_cursor)
        next_url = (
            url_for(".category", slug=slug, sort="latest", before=next_cursor)
            if next_cursor
            else None
        )
    else:
        articles, sizes = story_cards(config, slug, PAGE_SIZE, None, ranked=True)
        ended = False
    # The top stories are no page of a series: they lead to the newest-first list when it
    # holds articles they do not show (a busy source's, copies, older ones).
    every_url = None
    if not latest and store.category_count(slug) > len(articles):
        every_url = url_for(".category", slug=slug, sort="latest")
    empty_reasons: dict[str | None, str]
    if ended:
        empty_reasons = {slug: "archive_ended"}
    elif before and not articles:
        empty_reasons = {slug: "shown_before"}  # a page of copies only: on earlier pages
    else:
        empty_reasons = _empty_reasons(config, [] if articles else [slug])
    page = render_page(
        "category.html",
        category=cat,
        articles=articles,
        source_languages=recorded_languages(store, articles),
        empty_reasons=empty_reasons,
        story_sizes=sizes,
        sort="latest" if latest else "top",
        next_url=next_url,
        every_url=every_url,
        # (The first page of the newest-first list: the top stories are not "newest".)
        first_url=url_for(".category", slug=slug, sort="latest") if before else None,
        current_slug=slug,
        current_page=not latest and not before,  # the category's own link is this very page
        feeds=feed_links(slug, f"{config.site.title} — {cat.title}", request.script_root),
    )
    return page, 404 if ended else 200


def _latest_cards(
    config: Config, slug: str, pool: list[Article], before: str | None, cursor: str | None
) -> tuple[list[Article], dict[str, int], str | None]:
    """A page of the newest-first list: the cards of `pool` (the page `before` starts), and
    when copies of stories already shown leave fewer than PAGE_SIZE (a story forty sources
    copied could empty a page), the cards of the articles after it, in at most MAX_FILL_READS
    more reads. Returns the cards, their story sizes and the cursor of the next page."""
    articles, sizes = story_cards(config, slug, PAGE_SIZE, pool, ranked=False, before=before)
    for _ in range(MAX_FILL_READS):
        if not cursor or len(articles) >= PAGE_SIZE:
            break
        # No more articles than cards missing: each adds one card at most, so none is cut off
        # the page after the cursor has passed it.
        more, cursor = get_store().category_page(slug, PAGE_SIZE - len(articles), cursor)
        # (An article updated meanwhile moves in the list: it may come again.)
        shown = {a.id for a in pool}
        pool = pool + [a for a in more if a.id not in shown]
        articles, sizes = story_cards(config, slug, PAGE_SIZE, pool, ranked=False, before=before)
    return articles, sizes, cursor


@bp.get("/a/<article_id>")
@rendering()
def article(article_id: str) -> str:
    """One article with attribution, its original link, and related articles."""
    config, store = get_config(), get_store()
    found = store.article(article_id)
    if found is None:
        abort(404)
    cat = primary_category(found, config)
    feeds = feed_links(None, config.site.title, request.script_root)
    related: list[Article] = []
    alike = 0
    story = store.stories_of([found.id])[found.id]
    copies = store.articles([m.article_id for m in story.members if m.article_id != found.id])
    if cat is not None:
        feeds += feed_links(cat.slug, f"{config.site.title} — {cat.title}", request.script_root)
        pool = _related_pool(cat.slug)
        same = {m.article_id for m in story.members}
        others = store.stories_of([a.id for a in pool])  # copies of one story are not "related"
        pool = [a for a in pool if a.id not in same and others[a.id].id != story.id]
        # Each other story once, as a category's page shows it (two of four "related" were one
        # story's copies, a Simplified and a Traditional one among them: a review).
        keep = set(stories.collapse([a.id for a in pool], others))
        pool = [a for a in pool if a.id in keep]
        related, alike = related_articles(found, pool, RELATED_COUNT)
    languages = recorded_languages(store, [found, *copies, *related])
    return render_page(
        "article.html",
        article=found,
        also=copies,
        category=cat,
        current_slug=cat.slug if cat else None,
        related=related,
        # None sharing a tag or a word of the title: they are the category's newest, and say so
        # ("Related articles" over unrelated ones, a review).
        related_alike=alike,
        # (None: its source was removed from the config a moment ago)
        source_url=config.source(found.source_id) and url_for(".source", source_id=found.source_id),
        # (SourceState.language, read only for a name its article's language is not written
        # in: of the article's, its story's other sources' and the related cards' sources)
        source_language=languages.get(found.source_id, ""),
        source_languages=languages,
        feeds=feeds,
    )


def _related_pool(slug: str) -> list[Article]:
    """The category's newest articles, decoded once per content version in this process."""
    state = web_state()
    version = state.versions.get(slug)
    cached = state.related_pools.get(slug)
    if cached is not None and cached[0] == version:
        return cached[1]
    pool = without_content(state.store, state.store.category_ids(slug, RELATED_POOL))
    state.related_pools[slug] = (version, pool)
    return pool


def _story_pool(slug: str, count: int) -> list[Article]:
    """The category's newest `count` articles for its cards, decoded once per content version
    in this process (each home page and category page chose from them again, every second)."""
    state = web_state()
    version = state.versions.get(slug)
    cached = state.story_pools.get((slug, count))
    if cached is not None and cached[0] == version:
        return cached[1]
    pool = without_content(state.store, state.store.category_ids(slug, count))
    state.story_pools[(slug, count)] = (version, pool)
    return pool


SOURCES_PER_PAGE = 100


@bp.get("/sources")
@rendering("page")
def sources() -> str:
    """The sources, a page at a time: each with its categories, links and whether it works.

    A page reads the states of its own sources and the counts per state (one small read), so
    its cost does not grow with the number of sources: all 10,000 on one page were 4.8 MB and
    2 s of a web process per request, a lever for any client wanting to starve the site.
    """
    config, store = get_config(), get_store()
    page = Page.requested(len(config.sources), SOURCES_PER_PAGE)
    shown = config.sources[page.items]
    states = store.get_states([s.id for s in shown])
    rows = [
        (source, source_status(states.get(source.id) or SourceState(source.id))) for source in shown
    ]
    counts = _state_counts(config, store)
    previous_url, next_url = page.links("pages.sources")
    return render_page(
        "sources.html",
        rows=rows,
        total=len(config.sources),
        counts=[(word, counts[word]) for word in SOURCE_STATES if counts.get(word)],
        page=page.number,
        pages=page.pages,
        previous_url=previous_url,
        next_url=next_url,
        current_slug="sources",
        current_page=page.number == 1,
        feeds=feed_links(None, config.site.title, request.script_root),
    )


@bp.get("/s/<source_id>/")
@rendering("before", cursor=lambda before, source_id: _cursor(before, source_id=source_id))
def source(source_id: str) -> tuple[str, int]:
    """One source's articles, newest first, a page at a time by cursor: where "More from" on
    an article leads, and each source's name on /sources."""
    config, store = get_config(), get_store()
    found = config.source(source_id)
    if found is None:
        abort(404)
    before = request.args.get("before") or None
    try:
        articles, cursor = store.source_page(source_id, PAGE_SIZE, before)
    except ValueError:
        abort(404)  # a cursor we never handed out
    ended = before is not None and not articles  # (as a category's: retention took them)
    of = store.stories_of([a.id for a in articles])
    status = source_status(store.get_states([source_id]).get(source_id) or SourceState(source_id))
    page = render_page(
        "source.html",
        source=found,
        status=status,
        articles=articles,
        # (its cards are its own: its name's recorded language, read with its status)
        source_languages={source_id: status.language} if status.language else {},
        story_sizes={a.id: len(of[a.id].sources) or 1 for a in articles},
        empty_reason="archive_ended" if ended else empty_reason({status.kind}),
        next_url=url_for(".source", source_id=source_id, before=cursor) if cursor else None,
        first_url=url_for(".source", source_id=source_id) if before else None,
        current_slug="sources",
        feeds=feed_links(None, config.site.title, request.script_root),
    )
    return page, 404 if ended else 200


@bp.get("/favicon.ico")
def favicon() -> Response:
    """The site's icon where browsers and feed readers look for it without a <link>."""
    return send_from_directory(Path(__file__).parent / "static", "favicon.ico", max_age=86400)


@bp.app_errorhandler(404)
def not_found(error: NotFound) -> tuple[str, int] | Response:
    """A templated, localized 404 for unknown categories, articles and addresses (JSON for a
    JSON Feed's address)."""
    if wants_json():
        return problem(404, "No such feed: the category is not one this site serves.")
    config = get_config()
    feeds = feed_links(None, config.site.title, request.script_root)
    return render_page("message.html", message="not_found", home_link=True, feeds=feeds), 404


@bp.app_errorhandler(410)
def gone(error: Gone) -> tuple[str, int] | Response:
    """A templated, localized 410 for a category the site no longer serves (JSON for a JSON
    Feed's address)."""
    if wants_json():
        return problem(410, "This category is no longer served: unsubscribe from its feed.")
    config = get_config()
    feeds = feed_links(None, config.site.title, request.script_root)
    return render_page("message.html", message="gone", home_link=True, feeds=feeds), 410
