"""Our feeds (Atom, RSS, JSON Feed) per category and merged, and OPML exports of the sources.

A feed request costs one Redis round trip when its rendering is cached (the category's version)
and no rendering, hashing or compressing: those happen once per content change, in `RenderCache`.
Validators come from the bytes, which depend only on the content (the feed's time is its newest
article's), so every process answers with the same ETag and a CDN can revalidate against any.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from urllib.parse import quote, urlencode

from flask import Blueprint, Request, Response, request
from werkzeug.exceptions import BadRequest

from aggregator import metrics, stories
from aggregator.config import RESERVED_SLUGS, Category, Config
from aggregator.models import Article
from aggregator.opml import needing_sites, render_opml
from aggregator.sanitize import as_uri
from aggregator.store import Store
from aggregator.syndication import (
    CONTENT_TYPES,
    FEED_CONTENT_CHARS,
    Also,
    Credit,
    Credits,
    FeedMeta,
    feed_path,
    item_updated,
    names_language,
    render_atom,
    render_json,
    render_rss,
)
from aggregator.web import (
    READ_AT_ONCE,
    STALE_CACHE_CONTROL,
    STALE_LIFETIMES,
    STALE_SECONDS,
    WebState,
    absolute,
    accepts_gzip,
    client_key,
    error_response,
    no_category,
    recorded_languages,
    redirect_keeping_query,
    render_slot,
    under_new_slug,
    web_state,
    without_content,
)
from aggregator.web.cache import Rendered
from aggregator.web.i18n import translate

bp = Blueprint("feeds", __name__)

FORMATS = ("atom", "rss", "json")
DEFAULT_LIMIT = 50
MAX_LIMIT = 200
OPML_CONTENT_TYPE = "text/x-opml; charset=utf-8"

# An empty feed still needs a date, and "now" would change the bytes (and the ETag) every second:
# when its last article left, else when the config was published, else this.
EMPTY_FEED_UPDATED = datetime(1970, 1, 1, tzinfo=UTC)

_RENDERERS: dict[
    str, Callable[[FeedMeta, list[Article], Callable[[Article], str], Credits | None], bytes]
] = {
    "atom": render_atom,
    "rss": render_rss,
    "json": render_json,
}
# ASCII digits only: int() alone would also take " 5", "1_0" and non-ASCII digits. Any number
# of them: a value past the maximum is the maximum however it is written (int() of thousands of
# digits would be slow, or refuse, so only the first ten are read).
_LIMIT = re.compile(r"([+-]?)([0-9]+)")


# --- pure helpers -----------------------------------------------------------------------------


def parse_limit(raw: str | None) -> int | None:
    """The ?limit= value clamped to 1..MAX_LIMIT; None when absent; BadRequest when not a number."""
    if raw is None:
        return None
    if not (number := _LIMIT.fullmatch(raw)):
        raise BadRequest(f"limit must be a whole number from 1 to {MAX_LIMIT}.")
    sign, digits = number.groups()
    return min(max(int(sign + (digits.lstrip("0") or "0")[:10]), 1), MAX_LIMIT)


def article_url(base_url: str) -> Callable[[Article], str]:
    """Our page of an article, under `base_url`."""
    base = base_url.rstrip("/")
    return lambda article: f"{base}/a/{quote(article.id, safe='')}"


def feed_self_url(
    base: str, slug: str | None, fmt: str, limit: int | None, collapse: bool | None
) -> str:
    """The feed's own address, as it names itself (and as the hub knows it): its ?limit= and
    ?collapse= against its category's choice (None) are part of it."""
    variant = "" if collapse is None else f"collapse={int(collapse)}"
    query = "&".join(q for q in (f"limit={limit}" if limit is not None else "", variant) if q)
    return base + feed_path(slug, fmt) + (f"?{query}" if query else "")


def feed_meta(
    config: Config,
    category: Category | None,
    fmt: str,
    limit: int | None,
    updated: datetime | None,
    collapse: bool | None = None,
) -> FeedMeta:
    """The feed-level facts of a category's feed (or everything's, when `category` is None).

    `collapse`: None for the category's own choice, else the ?collapse= asked for against it,
    a feed of its own: its self link says so (a reader following it must not land on the
    other one) and its id differs."""
    site = config.site
    base = site.base_url.rstrip("/")
    slug = category.slug if category else None
    page = f"{base}/c/{slug}/" if slug else f"{base}/"
    variant = "" if collapse is None else f"collapse={int(collapse)}"
    language = (category.language if category else "") or site.language
    return FeedMeta(
        id=f"{page}?{variant}" if variant else page,
        title=f"{site.title} — {category.title}" if category else site.title,
        subtitle=(category.description if category else "") or site.description,
        self_url=feed_self_url(base, slug, fmt, limit, collapse),
        html_url=page,
        language=language,
        updated=updated or EMPTY_FEED_UPDATED,
        icon=site.icon,
        logo=site.logo,
        image=category.image if category else "",
        podcast_category=category.podcast_category if category else (),
        explicit=category.explicit if category else None,
        author=site.title,
        # Only the feeds the hub is told about name it (websub.topics): a subscriber to a
        # ?limit= or ?collapse= variant would wait for pings that never come.
        hub=site.hub if limit is None and collapse is None else "",
        secret_parameters=config.serve.secret_parameters,
        # In the feed's language: a zh-CN category of an English site said "Also reported by".
        also_label=translate(language, "also_reported"),
        untitled_label=translate(language, "untitled"),
        unpublished_sources=config.unpublished_source_ids,
    )


def render_feed(
    config: Config,
    category: Category | None,
    fmt: str,
    limit: int | None,
    articles: list[Article],
    credits: Credits | None = None,
    collapse: bool | None = None,
    changed_at: datetime | None = None,
    source_languages: Mapping[str, str] | None = None,
) -> tuple[bytes, datetime | None]:
    """A feed's bytes and its newest item's time (None when it has no articles). The feed is
    dated by the later of that and `changed_at`, when its content last changed otherwise (an
    item dated in the past arrived, one was trimmed, the config changed): a reader that skips a
    feed whose <updated> or <lastBuildDate> stands still would miss those."""
    credits = credits or {}
    newest = max((item_updated(a, credits.get(a.id)) for a in articles), default=None)
    dated = max((t for t in (newest, changed_at) if t is not None), default=None)
    meta = feed_meta(config, category, fmt, limit, dated, collapse)
    if source_languages:  # (SourceState.language: for a name its article's language is not)
        meta = replace(meta, source_languages=source_languages)
    return _RENDERERS[fmt](meta, articles, article_url(config.site.base_url), credits), newest


def parse_collapse(raw: str | None, default: bool) -> bool:
    """The ?collapse= value: "0" shows every article, "1" each story once; BadRequest otherwise."""
    if raw is None:
        return default
    if raw not in ("0", "1"):
        raise BadRequest("collapse must be 0 (every article) or 1 (each story once).")
    return raw == "1"


def is_not_modified(req: Request, entry: Rendered, etag: str) -> bool:
    """Whether the client's copy is current (RFC 9110 §13.2.2: If-None-Match wins over the date).

    `etag`: the one of the coding this response would send. The other coding's is no match: a
    304 names the representation selected (RFC 9110 §15.4.5), and a cache holding only the
    other could not use it. The date is compared as stored, not in whole seconds: a change in
    the second the client's date names is a change (Rendered.last_modified_http)."""
    if req.if_none_match:
        return req.if_none_match.contains_weak(etag.strip('"'))  # (RFC 9110 §13.1.2)
    since = req.if_modified_since
    if since is None or since > datetime.now(UTC):
        return False  # a date later than ours is no date (RFC 9110 §13.1.3)
    return entry.last_modified is not None and entry.last_modified <= since


def _category(config: Config, slug: str) -> Category:
    category = config.category(slug)
    if category is None:
        no_category(slug)
    return category


@bp.errorhandler(BadRequest)
def _bad_request(error: BadRequest) -> Response:
    """A bad ?limit= or ?collapse=: JSON for a JSON Feed, a line of text for the others (feed
    readers show neither; a person trying the address reads it)."""
    return error_response(400, error.description or "The request is not understood.")


# --- views ------------------------------------------------------------------------------------


# A header's name (RFC 9110 §5.6.2), as a preflight lists the ones a script would send.
_HEADER_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
# The most names a preflight's answer echoes, and the longest: a browser lists the few its
# script sets, each a word or three.
MAX_REQUESTED_HEADERS = 32
_MAX_HEADER_NAME = 100


@bp.after_request
def _cross_origin(response: Response) -> Response:
    """Any site's script may read our feeds and their status (errors and 304s too), their ETag,
    and send a conditional request (the preflight's answer says so).

    The preflight allows whatever headers the script would send besides: a partner's
    `Cache-Control: no-cache` or `Pragma`, or a library's `X-Requested-With`, made Chromium refuse
    the fetch when only the two conditional ones were named. The feeds are public and the
    requests carry no credentials, so no header could make them read what they may not. The
    names are echoed, not "*", which browsers before 2020 took as a header's name."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = "ETag"
    if request.method == "OPTIONS":
        allowed = ["If-None-Match", "If-Modified-Since"]
        taken = {name.lower() for name in allowed}
        # The first names only, each looked up once: all of them, each against the list so
        # far, a preflight listing 40,000 (50 header fields of 8 KB, which gunicorn joins) held
        # a worker until gunicorn killed it, 30 s, with every connection it served.
        requested = request.headers.get("Access-Control-Request-Headers", "")
        for name in requested.split(",", MAX_REQUESTED_HEADERS)[:MAX_REQUESTED_HEADERS]:
            name = name.strip()
            fits = len(name) <= _MAX_HEADER_NAME and _HEADER_NAME.fullmatch(name)
            if fits and name.lower() not in taken:
                taken.add(name.lower())
                allowed.append(name)
        response.headers["Access-Control-Allow-Methods"] = "GET, HEAD"
        response.headers["Access-Control-Allow-Headers"] = ", ".join(allowed)
        response.headers["Access-Control-Max-Age"] = "86400"
        response.vary.add("Access-Control-Request-Headers")
    return response


@bp.after_app_request
def _feed_address_cross_origin(response: Response) -> Response:
    """A feed's address no route took (a category with an encoded "/" in it: "/c/a%2Fb/…")
    answers its 404 to any site's script too: a partner's embed.js reported a CORS error."""
    if request.blueprint is None and request.path.endswith(_FEED_SUFFIXES):
        return _cross_origin(response)
    return response


_FEED_SUFFIXES = ("/feed.atom", "/feed.rss", "/feed.json")


@bp.get("/feed.<any(atom, rss, json):fmt>")
def everything_feed(fmt: str) -> Response:
    """Every category merged, newest first."""
    return _serve_feed(None, fmt)


@bp.get("/c/<slug>/feed.<any(atom, rss, json):fmt>")
def category_feed(slug: str, fmt: str) -> Response:
    """One category's sources merged, newest first."""
    if slug in RESERVED_SLUGS:  # "all", as the embeds say every category: the merged feed
        location = absolute(f"/feed.{fmt}", urlencode(list(request.args.items(multi=True))))
        return Response(status=308, headers={"Location": location})
    return _serve_feed(slug, fmt)


@bp.get("/feed.<any(atom, rss, json):fmt>/")
@bp.get("/c/<slug>/feed.<any(atom, rss, json):fmt>/")
def feed_with_a_slash(fmt: str, slug: str | None = None) -> Response:
    """A 301 to the feed from its address with a slash after it (a 404 page before, which a
    reader subscribed by hand reported as a broken feed); a category the config does not serve
    answers at the address without the slash."""
    if slug is None or slug in RESERVED_SLUGS:  # ("all", the embeds' every category)
        return redirect_keeping_query(f"/feed.{fmt}", 301)
    return redirect_keeping_query(f"/c/{quote(slug, safe='')}/feed.{fmt}", 301)


# Where feed readers and people look for a site's feed when they do not read its
# `<link rel="alternate">`: the common addresses of other software's feeds, and the format each
# names (a reader asking "/rss" wants RSS; the rest get Atom, which every reader reads).
GUESSED_FEEDS = {
    "feed": "atom",
    "feed.xml": "atom",
    "atom": "atom",
    "atom.xml": "atom",
    "index.xml": "atom",
    "rss": "rss",
    "rss.xml": "rss",
}
_GUESSES = ", ".join(GUESSED_FEEDS)


@bp.get(f"/<any({_GUESSES}):guess>")
@bp.get(f"/c/<slug>/<any({_GUESSES}):guess>")
@bp.get(f"/<any({_GUESSES}):guess>/")  # "/feed/" is WordPress's feed, "/rss/" Ghost's
@bp.get(f"/c/<slug>/<any({_GUESSES}):guess>/")
def guessed_feed(guess: str, slug: str | None = None) -> Response:
    """A 301 from a guessed feed address to ours (a 404 before: a reader trying "/feed" or
    "/rss" on our site found nothing, an operator's review)."""
    if slug in RESERVED_SLUGS:  # "all", as the embeds say every category
        slug = None
    elif slug is not None and web_state().settings.snapshot()[0].category(slug) is None:
        moved = under_new_slug(f"/c/{slug}/")  # (renamed: there in one hop, not two)
        if not moved:
            no_category(slug)
        slug = moved.split("/")[2]
    fmt = GUESSED_FEEDS[guess]
    return redirect_keeping_query(f"/c/{slug}/feed.{fmt}" if slug else f"/feed.{fmt}", 301)


@bp.get("/sources.opml")
def all_sources() -> Response:
    """Every source, in a folder per category, for feed readers to import."""
    return _serve_opml(None)


@bp.get("/c/<slug>/sources.opml")
def category_sources(slug: str) -> Response:
    """One category's sources, for feed readers to import."""
    return _serve_opml(slug)


def _serve_opml(slug: str | None) -> Response:
    """An OPML export, rendered once per config and sites like a feed (at 10,000 sources one is
    3 MB and half a second of CPU: rendered per request, four connections of one client held a
    web process), dated when the config was published or a source's site changed (read as a
    category's version is), with its ETag, gzip and 304s."""
    state = web_state()
    config, generation = state.settings.snapshot()
    category = _category(config, slug) if slug is not None else None
    moments = (state.settings.changed_at, state.sites_changed.get(None))
    changed = max((t for t in moments if t is not None), default=None)

    def render() -> tuple[bytes, datetime | None]:
        with render_slot():
            sites = state.store.sites(needing_sites(config, category))
            return render_opml(config, category, changed or EMPTY_FEED_UPDATED, sites), changed

    entry = state.feed_cache.get(("opml", slug), (generation, changed), render)
    headers = {"Cache-Control": _cache_control(config)}
    return rendered_response(entry, OPML_CONTENT_TYPE, headers)


# The limits a rendering is kept for (None: the default); another redirects to the next of them.
CACHED_LIMITS = frozenset({None, 5, 10, 20, 25, 50, 100, 200})  # (embed.js asks for one of these)
# A redirect to a kept limit stands for a day: the limits kept change only with a release.
LIMIT_REDIRECT_MAX_AGE = 86400


def to_cached_limit(limit: int, cached: frozenset[int | None]) -> Response:
    """A permanent redirect from a ?limit= no rendering is kept for to the next that is.

    Rendered per request, any of them was a full render (~100 ms for 200 items, for 304s and
    HEAD too): a few clients asking for ?limit=199 within their render limit took readers'
    pages from 15 ms to seconds. Kept for all, 200 values a feed would let one client sweep
    them and push every hot feed out of the cache.
    """
    kept = min(n for n in cached if n is not None and n >= limit)
    query = [(k, v) for k, v in request.args.items(multi=True) if k != "limit"]
    location = absolute(request.path, urlencode([*query, ("limit", kept)]))
    headers = {"Location": location, "Cache-Control": f"public, max-age={LIMIT_REDIRECT_MAX_AGE}"}
    return Response(status=308, headers=headers)


def _serve_feed(slug: str | None, fmt: str) -> Response:
    state = web_state()
    config, generation = state.settings.snapshot()
    category = _category(config, slug) if slug is not None else None
    asked = request.args.get("limit")
    limit = parse_limit(asked)
    if limit is not None and (limit not in CACHED_LIMITS or asked != str(limit)):
        # (Also ?limit=1000, read as 200, and "050": one address for each rendering.)
        return to_cached_limit(limit, CACHED_LIMITS)
    default = category.collapse_stories if category else True
    collapse = parse_collapse(request.args.get("collapse"), default)
    # Read before the articles: a rendering is then never older than the version it is kept for.
    version = (generation, state.versions.get(slug))

    rendered = False
    # The default feed and the sizes embed.js asks for (at most DEFAULT_LIMIT items) are hot;
    # a larger one or the other collapse is a variant a sweep may churn (their own cache).
    hot = collapse == default and (limit is None or limit <= DEFAULT_LIMIT)
    cache = state.feed_cache if hot else state.variant_cache
    key = (slug, fmt, limit, collapse)

    def render() -> tuple[bytes, datetime | None]:
        nonlocal rendered
        rendered = True
        metrics.FEED_RENDERS.labels(format=fmt).inc()
        with render_slot(also=functools.partial(cache.asking, key)):
            articles, credits, languages = story_page(
                state.store, slug, limit or DEFAULT_LIMIT, collapse
            )
            variant = None if collapse == default else collapse
            # Last-Modified is when the content last changed, which is the newest article's time
            # unless an article dated in the past arrived or one was trimmed: those change the
            # feed without moving it, and an If-Modified-Since client must not get a 304 for them.
            # A config that changes what the feed shows of it (its category's title, the site's)
            # changes it too; an edit elsewhere (another category, a new source) does not.
            changed = state.store.category_changed_at(slug)
            moments = (changed, _settings_changed_at(state, config, category))
            since = max((t for t in moments if t is not None), default=None)
            body, newest = render_feed(
                config, category, fmt, limit, articles, credits, variant, since, languages
            )
        # Dated as the feed dates itself (render_feed): an empty one by its config, if known.
        return body, max((t for t in (newest, since) if t is not None), default=None)

    within = STALE_LIFETIMES * config.serve.cache_max_age
    entry = cache.get(key, version, render, client_key(), STALE_SECONDS, within)
    if not rendered:
        metrics.FEED_CACHE_HITS.labels(format=fmt).inc()
    headers = {"Cache-Control": _cache_control(config, entry.version == version)}
    if config.site.hub and limit is None and collapse == default:
        # WebSub discovery (W3C WebSub 4): the hub and the topic in Link headers, which a
        # subscriber must look for first, and the only place a JSON Feed's can be found. Only
        # for the feeds the hub is told about (websub.topics), as in the feed (feed_meta).
        topic = feed_self_url(config.site.base_url.rstrip("/"), slug, fmt, None, None)
        hub, topic = as_uri(config.site.hub), as_uri(topic)  # (a header holds no IRI)
        headers["Link"] = f'<{hub}>; rel="hub", <{topic}>; rel="self"'
    return rendered_response(entry, CONTENT_TYPES[fmt], headers)


def _settings_changed_at(
    state: WebState, config: Config, category: Category | None
) -> datetime | None:
    """When the published config last changed what the feed shows of it: its title, subtitle,
    links, language, icon, logo, hub and whether it collapses stories (None: unknown)."""
    published_at = state.settings.changed_at
    if published_at is None:
        return None
    fingerprint = settings_fingerprint(config, category)
    slug = category.slug if category else None
    return state.store.feed_settings_changed_at(slug, fingerprint, published_at)


def settings_fingerprint(config: Config, category: Category | None) -> str:
    """A hash of what a category's (None: all) feed shows of the config, the same in every
    process. Of the sources whose URLs are not published, only the category's own count: the
    meta's set of all of them (in a set's order, which each process's string hashing makes its
    own) dated every feed anew at any such source's edit, and at any edit in another process."""
    slug = category.slug if category else None
    meta = replace(feed_meta(config, category, "atom", None, None), unpublished_sources=frozenset())
    shown = (
        meta,
        config.unpublished_source_ids_of(slug),
        category.collapse_stories if category else True,
    )
    return hashlib.blake2b(repr(shown).encode(), digest_size=12).hexdigest()


def rendered_response(entry: Rendered, content_type: str, headers: dict[str, str]) -> Response:
    """A rendering as the request asks for it: gzip-coded or not, or 304 Not Modified."""
    gzipped = accepts_gzip(request)
    etag = entry.gzip_etag if gzipped else entry.etag
    headers = {**headers, "ETag": etag, "Vary": "Accept-Encoding"}
    if (last_modified := entry.last_modified_http(datetime.now(UTC))) is not None:
        headers["Last-Modified"] = last_modified
    if is_not_modified(request, entry, etag):
        return Response(status=304, headers=headers)
    if gzipped:
        headers["Content-Encoding"] = "gzip"
    return Response(
        entry.gzipped if gzipped else entry.body, headers=headers, content_type=content_type
    )


def story_page(
    store: Store, slug: str | None, limit: int, collapse: bool
) -> tuple[list[Article], Credits, dict[str, str]]:
    """A category's newest articles, each story once when `collapse`, their stories' credits,
    and the languages their sources' and the credited copies' sources' articles were in when
    last read (recorded_languages: one read of states, none when every name fits its article).

    The page's ids (three times the limit when collapsing, so that copies do not leave it
    short), the stories, the articles shown, READ_AT_ONCE at a time, and the other copies'
    articles. An article's content past the feed's FEED_CONTENT_CHARS, which no feed shows, is
    dropped as it is read: a category of 512 KB articles (the most one may hold) had its 600
    articles read whole for a 200-item feed, 144 MB from Redis in one reply and a web process
    430 MB larger at each uncached render.
    """
    ids = store.category_ids(slug, limit * 3 if collapse else limit)
    story_of = store.stories_of(ids)
    if collapse:
        ids = stories.collapse(ids, story_of)[:limit]
    articles: list[Article] = []
    room = FEED_CONTENT_CHARS  # (as syndication spends it, but for the stories' credits)
    for start in range(0, len(ids), READ_AT_ONCE):
        for article in store.articles(ids[start : start + READ_AT_ONCE]):
            if len(article.content) > room:
                article = replace(article, content="")
            room -= len(article.content)
            articles.append(article)
    others = {
        m.article_id for a in articles for m in story_of[a.id].members if m.article_id != a.id
    }
    copies = {c.id: c for c in without_content(store, sorted(others))}  # (credits show none)
    languages = recorded_languages(store, [*articles, *copies.values()])
    credits: Credits = {}
    for a in articles:
        story = story_of[a.id]
        also = tuple(
            Also(
                c.url,
                c.title,
                c.source_name or c.source_id,
                c.published,
                c.language,
                names_language(
                    c.language, c.source_name or c.source_id, languages.get(c.source_id, "")
                ),
            )
            for m in story.members
            if m.article_id != a.id and (c := copies.get(m.article_id)) is not None
        )
        changed = story.changed
        credits[a.id] = Credit(
            story.id,
            story.size,
            also,
            collapsed=collapse,
            changed=datetime.fromtimestamp(changed, UTC) if changed is not None else None,
            sources=len(story.sources) or 1,
        )
    return articles, credits, languages


def _cache_control(config: Config, current: bool = True) -> str:
    """A feed's Cache-Control; of a rendering of an older version, given while the current one
    is rendered (RenderCache.get's `stale`): stored, but asked for again each time, as the
    next one will be the current."""
    if not current:
        return STALE_CACHE_CONTROL
    serve = config.serve
    return (
        f"public, max-age={serve.cache_max_age},"
        f" stale-while-revalidate={serve.stale_while_revalidate}"
    )
