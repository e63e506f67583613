"""Embeds for partner sites: an iframe page per category and a script that renders our JSON feed.

`/embed/<slug>` is a minimal page meant for an `<iframe>`; its Content-Security-Policy names who
may frame it (`serve.frame_ancestors`, default anyone), replacing the app's `frame-ancestors
'none'`. `/embed.js` is a dependency-free script that partners include with a `<div
data-aggregator-category="…">`; it fetches our JSON Feed cross-origin and builds the list with
DOM methods only.
"""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from flask import Blueprint, Response, abort, request
from werkzeug.exceptions import HTTPException

from aggregator.web import (
    STALE_CACHE_CONTROL,
    STALE_LIFETIMES,
    STALE_SECONDS,
    client_key,
    get_config,
    no_category,
    redirect_keeping_query,
    render_slot,
    send_static,
    static_hashes,
    under_new_slug,
    web_state,
)
from aggregator.web.feeds import rendered_response, story_page
from aggregator.web.pages import render_page

bp = Blueprint("embed", __name__)

ALL = "all"  # the slug that means every category merged (in the iframe and in embed.js)
DEFAULT_LIMIT = 10
MAX_LIMIT = 50
# The usual limits, kept with the hot feeds; another is kept with the feeds' variants, which a
# sweep of them may churn (it was a redirect to the next of these: a partner's `limit=4` showed
# five items, where embed.js shows the count asked for).
CACHED_LIMITS = frozenset({3, 5, 8, 10, 12, 15, 20, 25, 30, 40, 50})
AGE_STEP = 60  # seconds: how long a rendering's relative times may stand
# "auto": the reader's own preference (prefers-color-scheme), for a partner page that follows it.
THEMES = ("light", "dark", "auto")
NO_IMAGES = frozenset({"0", "false", "no", "off"})
SCRIPT = Path(__file__).resolve().parent / "static" / "embed.js"
SCRIPT_MAX_AGE = 3600  # partners' pages load it on every view; an hour keeps fixes flowing


@dataclass(frozen=True)
class EmbedOptions:
    """The iframe's query options, after clamping to what we allow."""

    limit: int = DEFAULT_LIMIT
    theme: str = "light"
    images: bool = True


_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]{1,20}")


def embed_options(args: Mapping[str, str]) -> EmbedOptions:
    """Read ?limit= (1–50, default 10), ?theme=light|dark|auto, ?images=0|1 (bad: defaults)."""
    # ASCII digits only: int() reads "５" and "1_0" too, each another address of one rendering
    # for a cache in front to keep apart (a review).
    raw = args.get("limit", "").strip()
    limit = min(max(int(raw), 1), MAX_LIMIT) if _WHOLE_NUMBER.fullmatch(raw) else DEFAULT_LIMIT
    # Read as a partner may write them: `theme=Dark` was light, `images=false` showed pictures.
    theme = args.get("theme", "light").strip().lower()
    return EmbedOptions(
        limit=limit,
        theme=theme if theme in THEMES else "light",
        images=args.get("images", "1").strip().lower() not in NO_IMAGES,
    )


def frame_policy(frame_ancestors: tuple[str, ...]) -> str:
    """The embed page's whole Content-Security-Policy, allowing framing by `frame_ancestors`."""
    ancestors = " ".join(frame_ancestors) or "'none'"
    return (
        "default-src 'self'; img-src 'self' https: http: data:; style-src 'self'; "
        "script-src 'self'; base-uri 'none'; form-action 'none'; "
        f"frame-ancestors {ancestors}"
    )


@bp.after_request
def _framable(response: Response) -> Response:
    """Every answer of an embed URL may be framed where the embed may: a partner's iframe then
    shows our 404 or 503, not a blocked frame."""
    if "Content-Security-Policy" not in response.headers and web_state().settings.has_config():
        policy = frame_policy(get_config().serve.frame_ancestors)
        response.headers["Content-Security-Policy"] = policy
    return response


@bp.errorhandler(404)
@bp.errorhandler(410)
def _message(error: HTTPException) -> tuple[str, int]:
    """An unknown or removed category, in a partner's iframe: the embed's own page saying so,
    its link opening our site in a new tab. The site's whole page in the frame led to pages
    that refuse to be framed ("refused to connect")."""
    code = error.code or 404
    return message_page("gone" if code == 410 else "not_found"), code


def message_page(message: str, retry_after: int = 0) -> str:
    """The embed's own page with a message (translations' `<message>_title` and `_body`), in
    the theme the partner asked for; one that says the service is briefly away reloads itself
    after `retry_after` seconds (web._unavailable: a frame showed our site's whole page)."""
    return render_page(
        "embed.html",
        category=None,
        articles=[],
        options=embed_options(request.args),
        site_base=get_config().site.base_url,
        message=message,
        retry_after=retry_after,
    )


# strict_slashes=False: a bare `/embed` is this 404 itself, not a 308 to `/embed/` and then it.
@bp.get("/embed/", defaults={"rest": ""}, strict_slashes=False)
@bp.get("/embed/<path:rest>")
def not_an_embed(rest: str) -> Response:
    """An address under /embed/ that names no embed: `/embed/world/` is /embed/world (a trailing
    slash is an easy slip in a partner's HTML); anything else, `/embed` with no category too, is
    the embed's own 404, which a partner's iframe can show (the site's refused to be framed)."""
    slug = rest.removesuffix("/")
    if slug and "/" not in slug:
        moved = under_new_slug(f"/embed/{slug}")  # a renamed one's new address in one hop
        return redirect_keeping_query(moved or f"/embed/{slug}", 301 if moved else 308)
    abort(404)


@bp.get("/embed/<slug>")
def embed_page(slug: str) -> Response:
    """The newest articles of a category (or of all, for "all") as a page for an iframe.

    Partner sites load it on every view of their pages: it is kept rendered in the process like
    a feed (for the usual limits), with its ETag, gzip and 304s.
    """
    state = web_state()
    config, generation = state.settings.snapshot()
    category = config.category(slug)
    if category is None and slug != ALL:
        no_category(slug)
    options = embed_options(request.args)
    cache = state.feed_cache if options.limit in CACHED_LIMITS else state.variant_cache
    # From here on, "all" is None, as everywhere behind the URL; each story once, like the
    # JSON feed embed.js reads.
    key = category.slug if category else None
    # Its times read "5 minutes ago": a rendering is kept for one minute at most, and its times
    # are as at the minute's start, so that every process renders the same bytes (and ETag) in
    # it: rendered "now", two processes' "3" and "4 minutes ago" made partners' 304s 200s.
    minute = int(time.time() // AGE_STEP)
    version = (generation, state.versions.get(key), minute)

    # (its links are under the app's root, which a proxy's SCRIPT_NAME may set)
    cache_key = ("embed", key, options, request.script_root)

    def render() -> tuple[bytes, None]:
        collapse = category.collapse_stories if category else True
        with render_slot(also=functools.partial(cache.asking, cache_key)):
            articles, credits, languages = story_page(state.store, key, options.limit, collapse)
            page = render_page(
                "embed.html",
                now=datetime.fromtimestamp(minute * AGE_STEP, UTC),
                category=category,
                articles=articles,
                # (each story credited to its sources, as our cards are)
                story_sizes={i: c.sources for i, c in credits.items()},
                source_languages=languages,
                options=options,
                site_base=config.site.base_url,
            )
        return page.encode(), None

    max_age = min(config.serve.cache_max_age, AGE_STEP)
    within = STALE_LIFETIMES * max_age
    entry = cache.get(cache_key, version, render, client_key(), STALE_SECONDS, within)
    current = entry.version == version  # (else the one before, while it is rendered)
    headers = {
        "Content-Security-Policy": frame_policy(config.serve.frame_ancestors),
        "Cache-Control": f"public, max-age={max_age}" if current else STALE_CACHE_CONTROL,
    }
    return rendered_response(entry, "text/html; charset=utf-8", headers)


@bp.get("/embed.js")
def embed_script() -> Response:
    """The partner script, as JavaScript that other origins may load."""
    # (Its content's hash as ETag: the same on every host and after every deploy of it.)
    etag = static_hashes()[SCRIPT.name]
    response = send_static(SCRIPT, etag, SCRIPT_MAX_AGE, "text/javascript")
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    # for <script crossorigin integrity="…">, which a partner may pin it with
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
