"""Values that cross module boundaries: frozen dataclasses, never raw dicts.

feedparser's dicts stay inside `parse`; Redis hashes stay inside `store`. Everything else
speaks in these types.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import NamedTuple

# --- what the fetcher hands the parser -------------------------------------------------------


@dataclass(frozen=True)
class FetchResult:
    """One conditional GET of a source, after redirects.

    `body` is None when the server answered 304 Not Modified. `permanent_redirect` is the final URL
    when every hop of the redirect chain was a 301/308 (a candidate for adoption).
    """

    url: str
    status: int
    body: bytes | None
    headers: dict[str, str]  # lower-cased names; only the ones we use downstream
    etag: str | None
    last_modified: str | None
    permanent_redirect: str | None = None
    elapsed: float = 0.0
    # What was wrong with the body that did not stop it being read (a gzip trailer's checksum),
    # for the source's warning beside the parser's.
    warning: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


# --- what the parser hands normalize ---------------------------------------------------------


@dataclass(frozen=True)
class EnclosureData:
    url: str
    type: str = ""
    length: int | None = None


@dataclass(frozen=True)
class ImageData:
    """An image the feed names for an entry (media:content, media:thumbnail), with its size."""

    url: str
    width: int | None = None
    height: int | None = None


@dataclass(frozen=True)
class EntryData:
    """An entry as the source published it: untrusted, unsanitized, possibly relative links."""

    guid: str | None
    link: str | None
    title: str | None  # may contain markup and entities
    title_is_html: bool
    summary: str | None  # HTML or text, see summary_is_html
    summary_is_html: bool
    content: str | None  # the richest content body, HTML or text
    content_is_html: bool
    author: str | None
    published: datetime | None  # UTC when known, timezone-aware
    updated: datetime | None
    tags: tuple[str, ...] = ()
    enclosures: tuple[EnclosureData, ...] = ()
    thumbnail: str | None = None  # media:thumbnail / media:content image / image enclosure
    language: str | None = None
    # The entry's own xml:base when it differs from the feed's: its HTML's relative URLs are
    # resolved against it when normalize sanitizes it (one pass, not one here and one there).
    base_url: str | None = None
    published_raw: str | None = (
        None  # the dates as written: normalize reads them (aggregator.dates)
    )
    updated_raw: str | None = None
    images: tuple[ImageData, ...] = ()  # media:content images, then media:thumbnails, in order
    duration: int | None = None  # seconds: <itunes:duration>, JSON Feed's duration_in_seconds
    # Whether the guid may stand in for a missing link: not an RSS guid of one word ("12345"),
    # which the parsers resolved as a permalink (parse._without_made_up_links). (Out of the
    # repr: see _IDENTITY_FIELDS.)
    guid_is_address: bool = field(default=True, repr=False)
    # The article's own page when `link` is a feed service's tracking redirect: FeedBurner's
    # and Pheedo's <origLink>. Shown and linked instead of `link`; the id stays the link's.
    # (Out of the repr for the same reason as guid_is_address.)
    original_link: str | None = field(default=None, repr=False)
    # A link blog's linked page, beside its own (JSON Feed's external_url): what it talks about.
    external_link: str | None = field(default=None, repr=False)
    # The episode's own <itunes:image>, its square artwork (out of `thumbnail` when the item also
    # has a media:thumbnail, often a 72×72 one). (Out of the repr: see _IDENTITY_FIELDS.)
    artwork: str | None = field(default=None, repr=False)


# The fields each of these had when an entry's repr first went into article ids (normalize's
# last way to tell apart entries sharing a guid, a link and a title). `identity_repr` writes
# them as repr did, and a field added since only when it is not its default: a new field must
# not change every such article's id, which feed readers would show as new items again.
_IDENTITY_FIELDS = {
    "EnclosureData": ("url", "type", "length"),
    "ImageData": ("url", "width", "height"),
    "EntryData": (
        "guid", "link", "title", "title_is_html", "summary", "summary_is_html", "content",
        "content_is_html", "author", "published", "updated", "tags", "enclosures", "thumbnail",
        "language", "base_url", "published_raw", "updated_raw", "images", "duration",
    ),
}  # fmt: skip


def identity_repr(value: object) -> str:
    """`repr(value)` as an entry's was with the fields of _IDENTITY_FIELDS (see there)."""
    if isinstance(value, tuple):
        items = [identity_repr(v) for v in value]
        return f"({', '.join(items)}{',' if len(items) == 1 else ''})"
    name = type(value).__name__
    if name not in _IDENTITY_FIELDS or not dataclasses.is_dataclass(value):
        return repr(value)
    known = _IDENTITY_FIELDS[name]
    shown = []
    for f in dataclasses.fields(value):
        v = getattr(value, f.name)
        if f.repr and (f.name in known or v != _default(f)):
            shown.append(f"{f.name}={identity_repr(v)}")
    return f"{name}({', '.join(shown)})"


def _default(f: dataclasses.Field[object]) -> object:
    if f.default is not dataclasses.MISSING:
        return f.default
    if f.default_factory is not dataclasses.MISSING:
        return f.default_factory()
    return dataclasses.MISSING  # (a field without a default is always shown)


@dataclass(frozen=True)
class ParsedFeed:
    """A source's document after parsing: feed-level facts plus its entries in document order."""

    title: str | None
    link: str | None  # the site's home page
    language: str | None
    ttl: int | None  # RSS <ttl>, seconds
    hub: str | None  # WebSub hub advertised by the feed
    entries: tuple[EntryData, ...]
    base_url: str  # for resolving relative links (the fetched URL or the document's xml:base)
    warning: str | None = None  # a survivable problem (bozo) worth showing the operator
    parser: str = "feedparser"  # "feedparser-rs" (the fast path), "feedparser" or "json-feed"
    fallback: str = ""  # why the fast path left it to feedparser ("" when it did not)
    # The show's artwork: the channel's <itunes:image> (JSON Feed: its icon), the picture of an
    # episode that has none of its own.
    artwork: str | None = None
    # The document's own URL (its Content-Location, else where it was fetched from): base_url
    # differs from it when the document declares an xml:base. "" when not known.
    url: str = ""
    # The offset the feed writes its own date in (<lastBuildDate>, <pubDate>, <updated>) when
    # that is not UTC's: the wall clock of its entries' dates that name no zone.
    offset: timedelta | None = None


# --- what normalize hands the store ----------------------------------------------------------


@dataclass(frozen=True)
class Enclosure:
    url: str
    type: str = ""
    length: int | None = None
    duration: int | None = None  # seconds, for the sound or video an episode is


@dataclass(frozen=True)
class Article:
    """A normalized, sanitized article: safe to store and to render (after escaping text fields)."""

    id: str  # stable: hash of source id + guid (with fallbacks)
    source_id: str
    guid: str
    url: str  # absolute http(s) link to the original, tracking parameters removed; "" if none
    title: str  # plain text
    summary: str  # plain-text excerpt, ~160 characters
    content: str  # sanitized HTML
    author: str  # plain text, may be ""
    published: datetime  # UTC
    updated: datetime  # UTC
    source_name: str
    source_url: str  # the source's site (for attribution), falls back to its feed URL
    source_feed_url: str = ""  # the source's feed URL (RSS <source url>, JSON Feed _source)
    categories: tuple[str, ...] = ()  # category slugs, from the source
    tags: tuple[str, ...] = ()
    language: str = ""
    enclosures: tuple[Enclosure, ...] = ()
    thumbnail: str = ""
    content_hash: str = ""  # changes when anything a reader sees changes
    # Changes when the source edits the entry's title or text (our cleaning does not change it).
    written_hash: str = ""
    full_text: str = ""  # "" not tried, "ok" page text kept, else why it failed ("timeout")
    full_text_tries: int = 0  # failed page fetches: a temporary failure is tried again (fulltext)
    # Whether `published` is the source's: else it is when the article was first seen (no date,
    # an unreadable or a future one), which an edit of the article must not move (Store).
    dated: bool = True
    # The page a link blog's post is about (JSON Feed's external_url), when it has its own url.
    external_url: str = ""
    # The source dated it with no time of day ("2005-12-27"): `published` is noon of that day in
    # the source's zone (dates.DAY_ONLY_HOUR), which pages show as the day, not as its hour.
    day_only: bool = False


# --- source state, kept by the store ---------------------------------------------------------


class Outcome(enum.StrEnum):
    """How one refresh of a source ended. The values are what metrics and logs show."""

    OK = "ok"  # fetched, parsed, stored
    NOT_MODIFIED = "not-modified"  # 304
    UNCHANGED = "unchanged"  # 200 but the same body as last time: not parsed
    HTTP_ERROR = "http-error"
    TIMEOUT = "timeout"
    TOO_LARGE = "too-large"
    PARSE_ERROR = "parse-error"
    BLOCKED = "blocked"  # private address, redirect loop, bad scheme
    CONNECTION_ERROR = "connection-error"
    GONE = "gone"  # 410: not polled again until an operator resets it
    INTERNAL_ERROR = "internal-error"  # a bug met this source's data (the worker logs it)

    @property
    def is_error(self) -> bool:
        return self not in (Outcome.OK, Outcome.NOT_MODIFIED, Outcome.UNCHANGED)


@dataclass(frozen=True)
class SourceState:
    """Everything we remember about a source between refreshes."""

    source_id: str
    last_fetch: datetime | None = None
    # When the feed was last read whole (refresh._READ): what it lists now and did not then was
    # not published before (refresh._listed_after), whatever failed in between.
    last_read: datetime | None = None
    http_status: int | None = None
    outcome: Outcome | None = None
    consecutive_errors: int = 0
    last_error: str = ""  # a sentence an operator understands
    next_due: datetime | None = None
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None
    article_count: int = 0
    redirect_url: str | None = None  # candidate permanent redirect target
    redirect_count: int = 0  # consecutive refreshes that saw the same permanent redirect
    adopted_url: str | None = None  # URL we now fetch instead of the configured one
    adopted_for: str | None = None  # the configured URL it replaces: an edited URL ends it
    paused: bool = False
    gone: bool = False
    unreadable_dates: int = 0  # entries of the last parsed feed whose date could not be read
    future_dates: int = 0  # entries of the last parsed feed dated ahead of now (normalize.Report)
    full_text_failures: int = 0  # article pages that could not be extracted (full_text sources)
    full_text_error: str = ""  # the last such failure, in a sentence
    # Articles of the last feed read whose page is still to fetch (over a refresh's page budget,
    # or a temporary failure to try again): the next poll reads the feed again, never a 304.
    pages_pending: int = 0
    ttl: int | None = None  # the feed's <ttl> when last read, in seconds: it holds across 304s
    # The site the feed links to when last read (normalize.feed_site), for the sources page's
    # Website link of a source whose config gives no site_url.
    site: str = ""
    # The language most of the last feed read's new or changed articles are in (their
    # Article.language, declared or detected), kept across reads that made none: the language of
    # the source's name on /sources where no config gives one, with no article to read for it.
    language: str = ""
    # A hash of the source's settings its articles were last made with: after an edit (a new
    # category, a filter) the next fetch asks for the whole feed again, not a 304.
    settings: str | None = None
    # The entries of the last feed read whose articles are made and settled, as marks
    # (normalize.entry_mark): on the next read, those entries are not cleaned again.
    entry_marks: tuple[str, ...] = ()
    # The guids (normalize.guid_mark) that the last feed read lists and that it or an earlier
    # one listed on several entries: those entries keep the ids they are stored under.
    shared_guids: tuple[str, ...] = ()

    @property
    def error(self) -> str:
        """last_error when the last refresh failed; "" when it succeeded."""
        failed = self.outcome is not None and self.outcome.is_error
        return self.last_error if failed else ""

    @property
    def warning(self) -> str:
        """last_error when the last refresh succeeded all the same (a feed read leniently, an
        encoding guessed): worth the operator's eye, not a failure to alert on."""
        return "" if self.error else self.last_error

    def unclaimed(self) -> SourceState:
        """This state without what lets the next poll skip work (validators, the body's
        fingerprint, the entry marks): that poll reads the whole feed and cleans every entry."""
        return replace(self, etag=None, last_modified=None, body_hash=None, entry_marks=())


# How a source is doing, in one word: what metrics, the admin pages, the CLI and /sources all show.
SOURCE_STATES = ("healthy", "failing", "gone", "paused", "pending")


def source_health(state: SourceState) -> str:
    """One word for how a source is doing (one of SOURCE_STATES).

    Paused wins over gone: a pause is an operator's decision, and it is what they must undo.
    """
    if state.paused:
        return "paused"
    if state.gone:
        return "gone"
    if state.outcome is None:
        return "pending"  # never fetched yet
    if state.outcome.is_error:
        return "failing"
    return "healthy"


class Observed(NamedTuple):
    """What `Store.observe_paragraphs` counted and read."""

    fresh: set[str]  # the articles counted: stored, not filed in a story yet
    known: frozenset[str]  # the source's boilerplate (stories leave it out)
    learned: frozenset[str] | None  # its learned junk, when asked for (`learned_at`)


@dataclass(frozen=True)
class SaveResult:
    added: int
    updated: int
    trimmed: int = 0
    unfiled: frozenset[str] | None = None  # when asked: the ids stored and not in a story yet
    # The state written was the unclaimed copy: another state was saved since this one was read.
    unclaimed: bool = False
    # The save's counting of the articles' paragraphs, when it was asked and made (`Counting`).
    observed: Observed | None = None
    # With `observed`: the articles it left stored, by id, as it stored them (each was new). A
    # save of them again right after is given these (`Store.save_refresh`'s `stored`), so it
    # does not read back what was just written.
    kept: Mapping[str, Article] | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class RefreshResult:
    """The outcome of one refresh, for logs, metrics and `aggregator refresh --inline`."""

    source_id: str
    outcome: Outcome
    http_status: int | None
    duration: float
    added: int = 0
    updated: int = 0
    error: str = ""
    next_due: datetime | None = None
    extra: dict[str, str] = field(default_factory=dict)
    trimmed: int = 0  # articles retention removed in the same save (SaveResult.trimmed)
    # A permanent redirect the feed answered with (its public form): adopted by this refresh
    # when `redirects_left` is 0, else seen and to be adopted after that many more in a row.
    moved_to: str = ""
    redirects_left: int = 0
