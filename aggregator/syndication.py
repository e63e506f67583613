"""Render a category's merged feed as Atom, RSS 2.0 and JSON Feed 1.1: values in, bytes out.

Pure: no clock, no I/O. The same inputs give byte-identical output, so the web layer can derive a
strong ETag from the bytes (the feed's time is `FeedMeta.updated`, never "now").

Atom and RSS are built by feedgen 1.0, with its known bugs repaired by a feedgen extension that
edits each element after feedgen has built it (docs/architecture.md, "Library pitfalls"):
- Atom entry links lose every attribute but href (lkiesow/python-feedgen#135, #143), so we
  rebuild them: one typed alternate, enclosures as `<link rel="enclosure" type length>`;
- Atom `<source>` gets no `<id>`/`<updated>`, so we build the whole element ourselves;
- RSS drops the `rel="hub"` atom:link, so we add it back next to `rel="self"`;
- RSS `<author>` must be an e-mail address, so authors go into `<dc:creator>` (the source after a
  comma there: `_bylined`).
JSON Feed is written by hand (https://www.jsonfeed.org/version/1.1/).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from feedgen.util import xml_elem

from aggregator.language import written_in
from aggregator.models import Article
from aggregator.normalize import (
    MAX_TAGS,
    UNTITLED,
    language_tag,
    no_category,
    shows,
    title_language,
)
from aggregator.redact import SECRET_PARAMETERS, public_url
from aggregator.sanitize import as_uri
from aggregator.xml_text import xml_text as _text

CONTENT_TYPES = {
    "atom": "application/atom+xml; charset=utf-8",
    "rss": "application/rss+xml; charset=utf-8",
    "json": "application/feed+json; charset=utf-8",
}
_MEDIA_TYPES = {fmt: ct.split(";")[0] for fmt, ct in CONTENT_TYPES.items()}

ATOM_NS = "http://www.w3.org/2005/Atom"
MEDIA_NS = "http://search.yahoo.com/mrss/"
DC_NS = "http://purl.org/dc/elements/1.1/"
ITUNES_NS = "http://www.itunes.com/dtds/podcast-1.0.dtd"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

GENERATOR = "aggregator"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"


@dataclass(frozen=True)
class FeedMeta:
    """What the web layer knows about the feed being rendered."""

    id: str  # stable tag/URL id of the feed, e.g. base_url + "/c/world/"
    title: str
    subtitle: str
    self_url: str  # the exact requested feed URL
    html_url: str  # the alternate HTML page
    language: str  # e.g. "en", "zh-CN"
    updated: datetime  # the newest article's updated time, not now: output stays deterministic
    icon: str = ""  # the site's small square icon
    logo: str = ""  # the site's wide logo
    image: str = ""  # the feed's own artwork, square and large (a category's `image`)
    # As a podcast (a category's settings): Apple's category and subcategory, explicit or not,
    # and the show's author (the site): RSS <itunes:category>, <itunes:explicit>, <itunes:author>.
    podcast_category: tuple[str, ...] = ()
    explicit: bool | None = None
    author: str = ""
    hub: str = ""
    # Masked in the sources' URLs we publish (aggregator/redact.py).
    secret_parameters: tuple[str, ...] = SECRET_PARAMETERS
    # What an RSS item's description says before a story's other copies, in the feed's language.
    also_label: str = "Also reported by"
    untitled_label: str = "Untitled"  # an item's title when it has none, nor any text
    # The language a source's articles were in when it was last read (SourceState.language), of
    # the sources whose name another of its articles is not written in (names_language).
    source_languages: Mapping[str, str] = field(default_factory=dict)
    # The sources whose URLs are not published (SourceConfig.url_published: intranet ones).
    unpublished_sources: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Also:
    """Another source's copy of an item's story."""

    url: str
    title: str
    source: str
    published: datetime
    language: str = ""  # the copy's own, when it is known
    # its source's name's (names_language: the copy's, or its source's when last read)
    source_language: str = ""


@dataclass(frozen=True)
class Credit:
    """An item's story: its id, its size, and the other copies to credit."""

    story_id: str
    size: int
    also: tuple[Also, ...] = ()
    collapsed: bool = False  # the item stands for its whole story (its id is the story's)
    # When the story last changed (its latest member joined): a collapsed item is updated then
    # too, whichever copy stands for it, so its `updated` never goes back when an earlier
    # original takes the copy's place, and moves on when its credits do.
    changed: datetime | None = None
    sources: int = 1  # how many sources its story has (the embed frame says so, as cards do)


Credits = dict[str, Credit]  # article id -> its story's credit; absent: a story of its own


def clock(seconds: int) -> str:
    """A duration as podcast apps and players write it: "1:02:03", "4:05"."""
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


def entry_id(article: Article) -> str:
    """The article's id in every feed format; it never changes between renders."""
    return _article_urn(article.id)


def _article_urn(article_id: str) -> str:
    return "urn:aggregator:article:" + quote(article_id, safe="")


def _source_uri(article: Article) -> str:
    """The id of the article's source, for Atom `<source>`."""
    return "urn:aggregator:source:" + quote(article.source_id, safe="")


def _utc(value: datetime) -> datetime:
    # Articles carry UTC; a naive value is taken as UTC rather than as the server's local time.
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).replace(microsecond=0)


@dataclass(frozen=True)
class _Enclosure:
    url: str
    type: str
    length: int | None
    duration: int | None = None  # seconds


@dataclass(frozen=True)
class _Item:
    """One article's fields as every format shows them: cleaned, with fallbacks applied."""

    id: str
    title: str
    link: str  # the original article, else our page
    page: str  # our HTML page for the article
    external: str  # the page a link blog's post is about (JSON Feed's external_url), or ""
    summary: str  # plain text
    content: str  # sanitized HTML
    author: str  # the article's author, else its source's name
    rss_author: str  # the same as RSS writes it (_bylined)
    published: datetime
    updated: datetime
    tags: tuple[str, ...]
    language: str
    enclosures: tuple[_Enclosure, ...]
    thumbnail: str
    source_id: str
    source_title: str
    source_url: str  # the source's site
    source_feed_url: str  # the source's feed (RSS <source url> means this one)
    credit: Credit
    day_only: bool = False  # published gives a day, its noon (Article.day_only)
    source_language: str = ""  # the article's language when the source's name is written in it


def _http(url: str) -> str:
    """`url` when it is http(s), as a URI (not an IRI), else "": ingest guarantees http(s),
    rendering does not assume it."""
    url = _text(url).strip()
    return as_uri(url) if url.lower().startswith(("http://", "https://")) else ""


def _item(
    article: Article,
    article_url: Callable[[Article], str],
    meta: FeedMeta,
    credit: Credit | None = None,
) -> _Item:
    """Clean every string of characters XML forbids and apply the fallbacks, once per article."""
    page = _text(article_url(article))
    summary = _text(article.summary)
    title = _text(article.title).strip()
    if title == UNTITLED:  # stored so by normalize: said in the feed's words here
        title = ""
    title = title or summary[:80].strip() or meta.untitled_label
    source_title = _text(article.source_name).strip() or _text(article.source_id)
    # Atom requires an author on every entry (RFC 4287 §4.1.2); the source is the honest fallback.
    byline = _text(article.author).strip()
    author = _bylined(byline, source_title, meta.language) if byline else source_title
    author = author or _text(meta.title)
    rss_author = _bylined(byline, source_title, meta.language, rss=True) if byline else author
    # (A tag of a zero-width space or WordPress's "Uncategorized", stored before ingest dropped
    # it, is none.)
    tags = tuple(
        dict.fromkeys(
            t for t in (_text(t).strip() for t in article.tags) if shows(t) and not no_category(t)
        )
    )
    tags = tags[:MAX_TAGS]  # (an article stored before ingest kept only so many)
    language = language_tag(article.language)
    secrets, published = meta.secret_parameters, article.source_id not in meta.unpublished_sources
    return _Item(
        # A story shown once keeps its story's id whichever copy stands for it: when an earlier
        # original arrives after its copy, readers see that item updated, not a second one.
        id=_article_urn(credit.story_id) if credit and credit.collapsed else entry_id(article),
        title=title,
        link=_http(article.url) or page,
        page=page,
        external=_http(article.external_url),
        summary=summary,
        content=_text(article.content),
        author=author,
        rss_author=rss_author,
        published=_utc(article.published),
        updated=item_updated(article, credit),
        tags=tags,
        language=language,
        enclosures=tuple(
            # Readers guess a type for a typeless enclosure (feedparser: text/html); say "bytes".
            _Enclosure(url, _text(e.type) or "application/octet-stream", e.length, e.duration)
            for e in article.enclosures
            if (url := _http(e.url))
        ),
        thumbnail=_http(article.thumbnail),
        source_id=_source_uri(article),
        source_title=source_title,
        # Both may be the source's own URL, credentials and all: never published as they are,
        # and not at all for an intranet source (its article's own link stays: see README).
        source_url=public_url(_http(article.source_url), secrets) if published else "",
        source_feed_url=public_url(_http(article.source_feed_url), secrets) if published else "",
        credit=_titled(credit, meta.untitled_label) or Credit(story_id=article.id, size=1),
        day_only=article.day_only,
        # (as the pages decide: "조선일보" is Korean, "CNN" over an Arabic article is not Arabic)
        source_language=names_language(
            language, source_title, meta.source_languages.get(article.source_id, "")
        ),
    )


def names_language(language: str, name: str, recorded: str = "") -> str:
    """The language tag of a source's name beside its article: the article's `language` where
    the name is written in it, else the one the source's articles were in when last read
    (`recorded`, SourceState.language) where it is (an English post of "人民日报" left the name
    bare: read with an English voice); "" when neither ("CNN" over an Arabic article)."""
    for tag in (language_tag(language), language_tag(recorded)):
        if tag and written_in(tag, name):
            return tag
    return ""


def needs_recorded_language(article: Article) -> bool:
    """Whether the name of `article`'s source may take its recorded language (names_language):
    only a name not written in its article's language, nor in Latin letters (which no
    recorded language would give one): the pages and feeds read sources' states for no other."""
    name = article.source_name
    return not names_language(article.language, name) and not written_in("en", name)


def _bylined(byline: str, source: str, language: str, *, rss: bool = False) -> str:
    """A byline with its source beside it, "Ann Coe (Wire C)", unless it names it already
    ("Reuters Staff" of Reuters). Feed readers show an item's author, not its `<source>`: in a
    merged feed a byline alone (newsboat's "Author: Ann Coe") named no origin at all.

    `rss`: as RSS writes it, "Ann Coe, Wire C". RSS's author is one string, and readers split it
    as RSS's <author> is written, "e-mail (name)" or "name (e-mail)": lemon24/reader took
    "Ann Coe (Wire C)" for the name "Ann Coe" and the e-mail address "Wire C", and the source was
    lost; at a comma it reads two authors, "Ann Coe" and "Wire C". feedparser, newsboat and sfeed
    show the string as it is. (Full-width brackets, "李雷（人民日报）", are no e-mail's to reader.)
    """
    if not source or _names(byline.casefold(), source.casefold()):
        return byline
    _, comma, opening, closing = _PUNCTUATION.get(language.split("-")[0], _PUNCTUATED)
    if rss and opening == " (":
        return f"{byline}{comma}{source}"
    return f"{byline}{opening}{source}{closing}"


def _names(byline: str, source: str) -> bool:
    """Whether `byline` holds `source` as a word of its own where its edge is a Latin letter or
    digit ("Reuters Staff", not "Stephen Kaplan" of "AP"); as it is where it is written in
    another script ("新华社记者 张三" of 新华社, which no space sets apart)."""
    start = byline.find(source)
    while start >= 0:
        end = start + len(source)
        if not (_word_edge(source[0]) and start and _word_edge(byline[start - 1])) and not (
            _word_edge(source[-1]) and end < len(byline) and _word_edge(byline[end])
        ):
            return True
        start = byline.find(source, start + 1)
    return False


def _word_edge(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _story_changed(credit: Credit | None) -> tuple[datetime, ...]:
    """When a collapsed item's story changed, if it did: its item's `updated` is no earlier."""
    if credit is None or not credit.collapsed or credit.changed is None:
        return ()
    return (_utc(credit.changed),)


def item_updated(article: Article, credit: Credit | None) -> datetime:
    """The `updated` an article's item shows: its own, or its story's change when later."""
    return max((_utc(article.updated), *_story_changed(credit)))


def _items(
    meta: FeedMeta,
    articles: Sequence[Article],
    article_url: Callable[[Article], str],
    credits: Credits | None,
) -> list[_Item]:
    credits = credits or {}
    items, room = [], FEED_CONTENT_CHARS
    for article in articles:
        item = _item(article, article_url, meta, credits.get(article.id))
        if len(item.content) > room:
            item = replace(item, content="")  # its summary and links still say what it is
        if credited := _also_html(item.credit, meta.also_label, meta.language):
            # Readers show an item's content, not the RSS description beside it, nor Atom's
            # related links (newsboat, sfeed, feedparser's readers): the credit goes there.
            lead = f"<p>{html.escape(item.summary, quote=False)}</p>" if item.summary else ""
            item = replace(item, content=(item.content or lead) + credited)
        room -= len(item.content)
        items.append(item)
    return items


# Of articles' HTML in one feed, in all: a source whose articles are each as long as an article
# may be (512 KB) made its category's 200-item feed 160 MB, 5-9 s to render, held in memory for
# each client that does not read it. The feed's later items beyond it carry their summary.
FEED_CONTENT_CHARS = 4 * 1024 * 1024


def _titled(credit: Credit | None, untitled: str) -> Credit | None:
    """The credit with its untitled copies titled in the feed's words, as the item is."""
    if credit is None or all(a.title != UNTITLED for a in credit.also):
        return credit
    also = tuple(replace(a, title=untitled) if a.title == UNTITLED else a for a in credit.also)
    return replace(credit, also=also)


def _also_title(also: Also) -> str:
    return f"{_text(also.source)}: {_text(also.title)}"


def _also_html(credit: Credit, label: str, language: str = "") -> str:
    """The other copies of a story, as the end of an item's content, in the feed's language's
    punctuation (Chinese and Japanese have theirs: "其他来源的报道：…（…）、…")."""
    if not credit.also:
        return ""
    colon, comma, opening, closing = _PUNCTUATION.get(language.split("-")[0], _PUNCTUATED)
    # Each title and source name isolated (<bdi>), as the pages do: a Hebrew title ending in
    # digits read "123-ו" in a left-to-right reader; each title in its own language, when it
    # is another than the feed's (a Traditional copy in a Simplified feed).
    links = comma.join(
        f'<a href="{html.escape(_http(a.url))}"><bdi{_lang(a.language, language)}>'
        f"{html.escape(_text(a.title))}</bdi></a>"
        f"{opening}<bdi{_lang(a.source_language, language)}>{html.escape(_text(a.source))}</bdi>"
        f"{closing}"
        for a in credit.also
        if _http(a.url)
    )
    return f"<p>{html.escape(label)}{colon}{links}</p>" if links else ""


# A language's colon, list comma and brackets, where they are not ": ", ", " and " (…)".
_PUNCTUATED = (": ", ", ", " (", ")")  # a colon, a comma, and what encloses a source's name
_PUNCTUATION = {"zh": ("：", "、", "（", "）"), "ja": ("：", "、", "（", "）")}


def _lang(language: str, feed_language: str) -> str:
    return f' lang="{html.escape(language)}"' if language and language != feed_language else ""


# --- Atom and RSS, through feedgen --------------------------------------------------------------


def _sub(parent: Any, tag: str, text: str | None = None, **attrs: str) -> Any:
    elem = xml_elem(tag, parent, **attrs)
    if text is not None:
        elem.text = text
    return elem


class _FeedRepairs(BaseExtension):  # type: ignore[misc]  # feedgen is untyped
    """Feed-level repairs and additions: our namespaces on the root, the RSS hub link feedgen
    drops, the RSS channel's podcast elements (_show)."""

    def __init__(self) -> None:
        self.namespaces: dict[str, str] = {}
        self.hub = ""
        self.show: list[Any] = []  # the channel's <itunes:…> elements, before its first item

    def extend_ns(self) -> dict[str, str]:
        return self.namespaces

    def extend_rss(self, rss: Any) -> Any:
        if self.hub:
            channel = rss.find("channel")
            self_link = channel.find(f"{{{ATOM_NS}}}link[@rel='self']")
            hub = xml_elem(f"{{{ATOM_NS}}}link", href=self.hub, rel="hub")
            self_link.addnext(hub)
        channel = rss.find("channel")
        # The site's and the category's names, as an item's title (_EntryRepairs.extend_rss).
        for text in (channel.find("title"), channel.find("image/title")):
            _defuse(text)
        first_item = channel.find("item")
        for element in self.show:
            if first_item is None:
                channel.append(element)
            else:
                first_item.addprevious(element)
        return rss


def _show(meta: FeedMeta) -> list[Any]:
    """The channel's elements that make a category a show to podcast apps and directories: its
    artwork as they read it (not <image>), and, when the category says it is a podcast, Apple's
    category, its explicit flag and its author."""
    show = []
    if meta.image:
        show.append(xml_elem(f"{{{ITUNES_NS}}}image", href=_text(meta.image)))
    if meta.podcast_category:
        outer = xml_elem(f"{{{ITUNES_NS}}}category", text=meta.podcast_category[0])
        for sub in meta.podcast_category[1:]:
            xml_elem(f"{{{ITUNES_NS}}}category", outer, text=sub)
        show.append(outer)
    if (meta.podcast_category or meta.explicit is not None) and meta.author:
        author = xml_elem(f"{{{ITUNES_NS}}}author")  # (either says it is a podcast)
        author.text = _defused(_text(meta.author))
        show.append(author)
    if meta.explicit is not None:
        explicit = xml_elem(f"{{{ITUNES_NS}}}explicit")
        explicit.text = "true" if meta.explicit else "false"  # (Apple's values since 2019)
        show.append(explicit)
    return show


class _EntryRepairs(BaseEntryExtension):  # type: ignore[misc]  # feedgen is untyped
    """Entry-level repairs and additions, applied to the element feedgen built."""

    item: _Item
    feed_language: str

    def extend_atom(self, entry: Any) -> Any:
        item = self.item
        for link in entry.findall("link"):
            entry.remove(link)
        _sub(entry, "link", href=item.link, rel="alternate", type="text/html")
        if item.page != item.link:
            _sub(entry, "link", href=item.page, rel="related", type="text/html")
        if item.external:  # (as link blogs' own Atom feeds name the page they link)
            _sub(entry, "link", href=item.external, rel="related", type="text/html")
        named = {item.link, item.page, item.external}
        for also in item.credit.also:  # the same story from other sources
            if (href := _http(also.url)) and href not in named:  # (each link once)
                named.add(href)
                _sub(entry, "link", href=href, rel="related", title=_also_title(also))
        for enc in item.enclosures:
            attrs = {"href": enc.url, "rel": "enclosure", "type": enc.type}
            if enc.length:  # 0 is what feeds write for "unknown"
                attrs["length"] = str(enc.length)
            _sub(entry, "link", **attrs)
        source = _sub(entry, "source")
        _sub(source, "id", item.source_id)
        _sub(source, "title", item.source_title)
        # Its site, when known apart from its feed (an XML feed is no text/html page), and
        # its feed, as RFC 4287 4.2.11 copies the source feed's links.
        if item.source_url and item.source_url != item.source_feed_url:
            _sub(source, "link", href=item.source_url, rel="alternate", type="text/html")
        if item.source_feed_url:
            _sub(source, "link", href=item.source_feed_url, rel="self")
        # We do not know when the source feed itself last changed; this entry's time is a true
        # lower bound for it.
        _sub(source, "updated", item.updated.isoformat())
        if item.thumbnail:
            _sub(entry, f"{{{MEDIA_NS}}}thumbnail", url=item.thumbnail)
        if item.language and item.language != self.feed_language:
            entry.set(_XML_LANG, item.language)
        _title_of_unknown_language(entry, item.language or self.feed_language, item.title)
        return entry

    def extend_rss(self, entry: Any) -> Any:
        item = self.item
        # RSS does not say whether a title is text or HTML, and readers take it both ways: a tag
        # that would run or load something there ("<svg onload=…>", a source's title escaped
        # twice, is text to us) opens with "&lt;", as HTML writes it. Other "<" stay: readers
        # that take the title as text (feedparser) would show "&lt;" in "std::vector<int>".
        # So are the other names written as text: the item's source (a source's name comes from
        # the config, which an OPML file from elsewhere may have filled), its author and tags.
        for element in (entry.find("title"), entry.find("source"), *entry.findall("category")):
            _defuse(element)
        _sub(entry, f"{{{DC_NS}}}creator", _defused(item.rss_author))
        if item.external:  # RSS has no element for it: Atom's, as for the edit below
            _sub(entry, f"{{{ATOM_NS}}}link", href=item.external, rel="related", type="text/html")
        if item.updated > item.published:
            # RSS has no element for an edit: Atom's, which feedparser and reader read as the
            # item's update, as in our Atom and JSON Feed (a review with real consumers).
            _sub(entry, f"{{{ATOM_NS}}}updated", item.updated.isoformat())
        if item.thumbnail:
            _sub(entry, f"{{{MEDIA_NS}}}thumbnail", url=item.thumbnail)
        main = _main_enclosure(item.enclosures)
        for enc in item.enclosures:
            if enc is not main:  # (RSS has room for one <enclosure>: the others as Media RSS)
                attrs = {"url": enc.url, "type": enc.type}
                if enc.length:
                    attrs["fileSize"] = str(enc.length)
                if enc.duration:
                    attrs["duration"] = str(enc.duration)
                _sub(entry, f"{{{MEDIA_NS}}}content", **attrs)
        if (enclosure := entry.find("enclosure")) is not None:
            # After the Media RSS ones: newsboat keeps an item's last enclosure of either kind,
            # and took a video listed as media:content for the episode (podboat downloads it).
            entry.remove(enclosure)
            entry.append(enclosure)
        if main is not None and main.type.startswith(("audio/", "video/")):
            # An episode, as podcast apps read one: its picture and its length (of the item's
            # one <enclosure>) in the itunes namespace; they do not read media:thumbnail.
            if item.thumbnail:
                _sub(entry, f"{{{ITUNES_NS}}}image", href=item.thumbnail)
            if main.duration:
                _sub(entry, f"{{{ITUNES_NS}}}duration", clock(main.duration))
        # RSS has only the channel's <language> (the site's): an item in another says so, as an
        # Atom entry does (feedparser gives its fields that language).
        if item.language and item.language != self.feed_language:
            entry.set(_XML_LANG, item.language)
        _title_of_unknown_language(entry, item.language or self.feed_language, item.title)
        return entry


def _title_of_unknown_language(entry: Any, language: str, title: str) -> None:
    """xml:lang="und" (BCP 47's undetermined) on an entry's title that is not written in the
    script of the language its entry is in: an article's language is read from its body, and
    the English title of a Persian post is no Persian (the pages say lang=""; in Atom, RFC
    4287's schema takes no empty tag, a review)."""
    if language and not title_language(language, title):
        element = entry.find("title")
        if element is not None:
            element.set(_XML_LANG, "und")


# Tags that run script, load something or take input in HTML, whatever their attributes.
_ACTIVE = (
    "script style iframe frame object embed svg math img image video audio source link meta base"
    " form input button textarea select a body html template noscript area portal frameset"
    " track picture applet marquee"
    # What makes the reader's own markup after it text, till it ends: a tag in an attribute
    # value here then ends it and runs ("<xmp><b title='</xmp><img onerror=…>'>": h7's F1).
    " title xmp noembed noframes plaintext"
)
_ACTIVE_NAMES = frozenset(_ACTIVE.split())
# Attributes that load something or restyle the page on any tag, as a handler runs something:
# a title's <b style="position:fixed;inset:0"> covered a reader's window, and <td background=…>
# fetched a tracker's address (a review).
_LOADING_NAMES = "style background src srcset href xlink:href poster action formaction data lowsrc"
_LOADING = frozenset(_LOADING_NAMES.split())
# A tag, or what opens a comment in HTML ("<!--", "<!x", "<?x", "</3"), and where HTML ends
# one: "<!-->" and "<!--->" at once, another "<!--" at "-->" or "--!>", the others at ">".
_TAG_START = re.compile(r"<(/?)([A-Za-z][^\t\n\f\r />]*)|<!--|<[!?]|</(?![A-Za-z])")
_COMMENT_END = re.compile(r"-?>|.*?--!?>", re.DOTALL)
_BOGUS_COMMENT_END = re.compile(r"[^>]*+>")
_OPENING = re.compile(r"<(?=[A-Za-z/!?])")  # a "<" that may open a tag or a comment
_SPACE = "\t\n\f\r "


def _defused(text: str) -> str:
    """RSS text with every tag that would run or load something in HTML opening with "&lt;"
    (see extend_rss): a tag `_ACTIVE_NAMES` names, or any tag with an event handler or an
    attribute that loads or restyles (`_LOADING`). Its
    attributes are read as HTML's tokenizer reads them: one begins after white space, a "/" or a
    quoted value ("<details/open/ontoggle=…>", "<x a='1'onclick=…>"), and a quoted value holds
    any ">" or "<" ("<details open title='>' ontoggle=…>": all three ran in a reader that takes
    titles as HTML, a review). A tag left open (no ">" before the text's end) opens so too,
    whatever it holds: what a reader writes after it, a byline, can close it and give it a
    handler (a review: "<details open title='" then "' ontoggle=…>"). So does every tag inside
    one that opens so, and inside a comment: the reader reads them as text, where a tag in
    their attribute values would run; and a comment left open."""
    out: list[str] = []
    done = 0
    for match in _TAG_START.finditer(text):
        if match.start() < done:
            continue  # (inside a tag read already)
        if match[2] is None:  # a comment
            ending = _COMMENT_END if match[0] == "<!--" else _BOGUS_COMMENT_END
            ends = ending.match(text, match.end())
            end, escaped = (ends.end(), False) if ends else (len(text), True)
        else:
            end, active, closed = _attributes(text, match.end())
            escaped = match[2].lower() in _ACTIVE_NAMES or (active and not match[1]) or not closed
        tag = text[match.start() : end]
        if escaped:
            # Text to the reader now, and so is what it holds: a tag in one of its attribute
            # values ('<a title="<img onerror=…>">') opens so too, or it would run (h7's F1).
            tag = _OPENING.sub("&lt;", tag)
        elif match[2] is None:
            # Text till it ends, but a tag begun in it goes on after that, where a tag in its
            # attribute value would run ('<!--<b title="--><img onerror=…>">': h7's F1).
            tag = "<" + _OPENING.sub("&lt;", tag[1:])
        out.append(text[done : match.start()] + tag)
        done = end
    out.append(text[done:])
    return "".join(out)


def _attributes(text: str, at: int) -> tuple[int, bool, bool]:
    """Where the tag whose attributes begin at `at` ends (after its ">", or the text's end),
    whether one of them is an event handler (on…) or loads or restyles (_LOADING), and whether
    a ">" closed it."""
    active = False
    size = len(text)
    while at < size:
        while at < size and (text[at] in _SPACE or text[at] == "/"):
            at += 1
        if at >= size or text[at] == ">":
            return min(at + 1, size), active, at < size
        start = at  # a name: up to a space, "/", ">" or "=" (after its first character)
        at += 1
        while at < size and text[at] not in _SPACE and text[at] not in "/>=":
            at += 1
        name = text[start:at].lower()
        active = active or name.startswith("on") or name in _LOADING
        while at < size and text[at] in _SPACE:
            at += 1
        if at < size and text[at] == "=":
            at += 1
            while at < size and text[at] in _SPACE:
                at += 1
            if at < size and text[at] in "\"'":
                close = text.find(text[at], at + 1)
                at = size if close < 0 else close + 1
            else:
                while at < size and text[at] not in _SPACE and text[at] != ">":
                    at += 1
    return size, active, False


def _defuse(element: Any) -> None:
    """An RSS text element's text `_defused`, when there is one."""
    if element is not None and element.text:
        element.text = _defused(element.text)


def feed_path(slug: str | None, fmt: str) -> str:
    """The path of a feed: /c/<slug>/feed.<fmt>, or /feed.<fmt> for everything."""
    return f"/c/{slug}/feed.{fmt}" if slug else f"/feed.{fmt}"


def _main_enclosure(enclosures: Sequence[_Enclosure]) -> _Enclosure | None:
    """The one enclosure an RSS item has room for: its first sound or video (the episode: a
    picture listed before it is no episode), else its first; None without any."""
    playable = (e for e in enclosures if e.type.startswith(("audio/", "video/")))
    return next(playable, enclosures[0] if enclosures else None)


def _generator(meta: FeedMeta, fmt: str, namespaces: dict[str, str]) -> Any:
    fg = FeedGenerator()
    fg.register_extension("aggregator", _FeedRepairs, _EntryRepairs)
    fg.aggregator.namespaces = namespaces
    fg.aggregator.hub = _text(meta.hub)
    fg.id(_text(meta.id))
    fg.title(_text(meta.title))
    # RSS requires a channel description; feedgen keeps it in the same field as the subtitle.
    # It is plain text to most readers and HTML to some (feedparser): "&" is written once (text
    # readers showed "&amp;"; in HTML a lone "&" is still "&"), "<" and ">" as HTML writes them
    # ("<test>" was a tag to HTML readers, and gone).
    subtitle = _text(meta.subtitle) or _text(meta.title)
    fg.subtitle(subtitle.replace("<", "&lt;").replace(">", "&gt;") if fmt == "rss" else subtitle)
    links = [
        {"href": _text(meta.self_url), "rel": "self", "type": _MEDIA_TYPES[fmt]},
        {"href": _text(meta.html_url), "rel": "alternate", "type": "text/html"},
    ]
    # feedgen makes the last link added the RSS channel <link>, so there the HTML page comes
    # after self; in Atom it comes first, for the readers that take a feed's first <link> for
    # its site (feed-extractor gave every Atom feed its own URL as its site).
    for link in links if fmt == "rss" else links[::-1]:
        fg.link(**link)
    if meta.language:
        fg.language(_text(meta.language))
    fg.updated(_utc(meta.updated))
    fg.generator(GENERATOR)
    return fg


def _add_entry(fg: Any, item: _Item, feed_language: str) -> Any:
    fe = fg.add_entry(order="append")  # the default prepends: newest-first input would flip
    fe.id(item.id)
    fe.title(item.title)
    fe.link(href=item.link, rel="alternate")
    fe.published(item.published)
    fe.updated(item.updated)
    fe.author(name=item.author)
    if item.tags:
        # In one call: feedgen copies all an entry's categories on each call (quadratic).
        fe.category([{"term": tag} for tag in item.tags])
    fe.aggregator.item = item
    fe.aggregator.feed_language = feed_language
    return fe


def render_atom(
    meta: FeedMeta,
    articles: Sequence[Article],
    article_url: Callable[[Article], str],
    credits: Credits | None = None,
) -> bytes:
    """The feed as an Atom 1.0 document (RFC 4287), UTF-8."""
    # The one rel="alternate" is the HTML page: readers take an alternate as the feed's web page,
    # so the feed's other formats are not offered here (the HTML page advertises them).
    meta = replace(meta, language=language_tag(meta.language))  # valid BCP 47, or none
    fg = _generator(meta, "atom", {"media": MEDIA_NS})
    if meta.hub:
        fg.link(href=_text(meta.hub), rel="hub")
    if meta.icon:
        fg.icon(_text(meta.icon))
    if meta.image or meta.logo:
        fg.logo(_text(meta.image or meta.logo))
    for item in _items(meta, articles, article_url, credits):
        fe = _add_entry(fg, item, meta.language)
        if item.content:
            fe.content(item.content, type="html")
        if item.summary:
            fe.summary(item.summary, type="text")
    return bytes(fg.atom_str(pretty=False, encoding="UTF-8"))


def render_rss(
    meta: FeedMeta,
    articles: Sequence[Article],
    article_url: Callable[[Article], str],
    credits: Credits | None = None,
) -> bytes:
    """The feed as an RSS 2.0 document, UTF-8."""
    meta = replace(meta, language=language_tag(meta.language))  # valid BCP 47, or none
    fg = _generator(meta, "rss", {"media": MEDIA_NS, "dc": DC_NS, "itunes": ITUNES_NS})
    if meta.image or meta.logo or meta.icon:
        fg.image(url=_text(meta.image or meta.logo or meta.icon))
    fg.aggregator.show = _show(meta)
    for item in _items(meta, articles, article_url, credits):
        fe = _add_entry(fg, item, meta.language)
        if item.content:
            fe.content(item.content)
        if item.summary or item.credit.also:
            # <description> holds HTML; the summary is plain text, so it is escaped once more.
            fe.description(
                html.escape(item.summary, quote=False)
                + _also_html(item.credit, meta.also_label, meta.language),
                isSummary=True,
            )
        if (enc := _main_enclosure(item.enclosures)) is not None:
            # RSS allows one enclosure per item (RSS Board best practices): its main one.
            fe.enclosure(
                url=enc.url,
                length=str(enc.length if enc.length is not None else 0),
                type=enc.type,
            )
        # RSS 2.0 <source url> is the feed the item came from; the site stands in for articles
        # stored before the feed URL was kept.
        if item.source_feed_url or item.source_url:
            fe.source(url=item.source_feed_url or item.source_url, title=item.source_title)
    return bytes(fg.rss_str(pretty=False, encoding="UTF-8"))


# --- JSON Feed 1.1, by hand ---------------------------------------------------------------------


def _json_item(item: _Item) -> dict[str, Any]:
    # Keys in the order the JSON Feed 1.1 spec lists them.
    out: dict[str, Any] = {"id": item.id, "url": item.link}
    if item.external:
        out["external_url"] = item.external
    out["title"] = item.title
    if item.content:
        out["content_html"] = item.content
    else:
        out["content_text"] = item.summary  # one of content_html / content_text is required
    if item.summary:
        out["summary"] = item.summary
    if item.thumbnail:
        out["image"] = item.thumbnail
    out["date_published"] = item.published.isoformat()
    if item.day_only:
        # The source gave a day, not a time: date_published (which must have one) is its noon.
        # Its day, for a reader that shows it as the pages do (embed.js); others ignore it.
        out["_day_only"] = {"date": item.published.date().isoformat()}
    out["date_modified"] = item.updated.isoformat()
    out["authors"] = [{"name": item.author}]
    if item.tags:
        out["tags"] = list(item.tags)
    if item.language:
        out["language"] = item.language
    if item.enclosures:
        attachments = []
        for enc in item.enclosures:
            attachment: dict[str, Any] = {
                "url": enc.url,
                "mime_type": enc.type,
            }
            if enc.length:  # 0 is what feeds write for "unknown"
                attachment["size_in_bytes"] = enc.length
            if enc.duration:
                attachment["duration_in_seconds"] = enc.duration
            attachments.append(attachment)
        out["attachments"] = attachments
    # Extension keys start with "_" (spec §"Extensions"): where the article came from.
    source: dict[str, str] = {"title": item.source_title}
    if item.source_url:
        source["url"] = item.source_url
    if item.source_feed_url:
        source["feed_url"] = item.source_feed_url
    if item.source_language:
        # The language its title is written in, for a reader that marks it up (embed.js): a
        # Korean name with no lang on a partner's English page, read with an English voice.
        source["language"] = item.source_language
    out["_source"] = source
    out["_story"] = {
        "id": item.credit.story_id,
        "size": item.credit.size,
        "also": [
            {  # (a copy without a link has no "url": the spec's URLs are never "")
                **({"url": url} if (url := _http(a.url)) else {}),
                "title": _text(a.title),
                "source": _text(a.source),
                # (as "_source.language": the language its name is written in, where known)
                **({"source_language": a.source_language} if a.source_language else {}),
                "date_published": _utc(a.published).isoformat(),
            }
            for a in item.credit.also
        ],
    }
    return out


def render_json(
    meta: FeedMeta,
    articles: Sequence[Article],
    article_url: Callable[[Article], str],
    credits: Credits | None = None,
) -> bytes:
    """The feed as a JSON Feed 1.1 document, UTF-8."""
    meta = replace(meta, language=language_tag(meta.language))  # valid BCP 47, or none
    feed: dict[str, Any] = {
        "version": JSON_FEED_VERSION,
        "title": _text(meta.title),
        "home_page_url": _text(meta.html_url),
        "feed_url": _text(meta.self_url),
    }
    if meta.subtitle:
        feed["description"] = _text(meta.subtitle)
    if meta.image:
        # Large and square, for timelines (JSON Feed 1.1: "such as 512 x 512"): the site's
        # small icon stood in, and readers showed a favicon blown up. It stays the favicon.
        feed["icon"] = _text(meta.image)
    if meta.icon:
        feed["favicon"] = _text(meta.icon)
    if meta.language:
        feed["language"] = _text(meta.language)
    if meta.hub:
        feed["hubs"] = [{"type": "WebSub", "url": _text(meta.hub)}]
    feed["items"] = [_json_item(item) for item in _items(meta, articles, article_url, credits)]
    return json.dumps(feed, ensure_ascii=False, indent=None, separators=(",", ":")).encode()
