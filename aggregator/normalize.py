"""Turn a source's parsed entries into Articles: stable ids, plain-text titles, sanitized content.

Pure: values in (including `now`), values out. Everything an entry says is untrusted here and
leaves either as plain text (escaped at render) or as HTML that went through the nh3 allowlist.
"""

from __future__ import annotations

import hashlib
import html
import html.entities
import importlib.metadata
import importlib.util
import itertools
import logging
import re
import sys
import unicodedata
from collections import Counter
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from pathlib import Path
from urllib.parse import parse_qs, urlsplit, urlunsplit

import ftfy

from aggregator import boilerplate, dates, images, junk
from aggregator.config import SourceConfig, article_settings
from aggregator.language import chinese_script, fits_script, japanese_feed, may_be_japanese
from aggregator.language import detect as detect_language
from aggregator.models import Article, Enclosure, EntryData, ParsedFeed, identity_repr
from aggregator.parse import left_from_authoring
from aggregator.sanitize import (
    INVISIBLE_IN_URL,
    bounded,
    clean_html,
    clean_text,
    cut_html,
    flat_text,
    looks_like_html,
    loopback_host,
    media_count,
    on_readers_network,
    percent_encoded,
    plain_text,
    reads_as_text,
    safe_url,
    strip_tags,
    text_to_html,
)
from aggregator.text import collapsed, collapsed_utf8
from aggregator.xml_text import xml_text

log = logging.getLogger("aggregator.normalize")

SUMMARY_LENGTH = 160  # characters (grapheme clusters) of the plain-text summary
TITLE_FALLBACK_LENGTH = 100  # an untitled entry is titled with this much of its text (half in CJK)
FUTURE_SLACK = timedelta(minutes=15)  # a date this far ahead of now is counted (clocks drift)
UNTITLED = "(untitled)"
TITLE_LENGTH = 300  # a title longer than this (the corpus of hostile feeds has 10 MB ones) is cut
AUTHOR_LENGTH = 200
# An entry's tags: as many as the fast parser keeps (the corpus's most is 41), each as long as a
# title (its longest is 53; an itunes:keywords list written with spaces, 249, is one tag a word:
# parse._tag_terms). Unbounded, a JSON Feed item's 100,000 tags
# (or one of 3 MB) were written into every feed listing it, and took its renders minutes.
MAX_TAGS = 100
TAG_LENGTH = TITLE_LENGTH
# The most tags (list items counted one by one) read to find those: ten times as many. Only the
# distinct were counted, so 2.5 million copies of one ("xy,xy,…", one 7.5 MB tag) were each
# cleaned, 5.7 s and 180 MB of a worker per poll.
MAX_TAGS_READ = 10 * MAX_TAGS
# BCP 47 in shape: a 2-3 letter language, then subtags (script, region, variants) of 1-8.
_LANGUAGE = re.compile(r"[a-z]{2,3}(?:-[a-z0-9]{1,8})*")
# RFC 5646 4.4.1: 35 characters hold any tag of a language, script, region and variants. A
# longer one (a hostile feed's 1.5 MB "de-abcdefgh-…", valid by the pattern) was written into
# every card, page, feed and embed that listed its items: 12 MB category pages.
MAX_LANGUAGE_TAG = 35
# What sources write instead of a tag: language names (English and their own) and ISO 639-2 codes.
_LANGUAGE_NAMES = {
    "english": "en", "eng": "en", "chinese": "zh", "中文": "zh", "zho": "zh", "chi": "zh",
    "简体中文": "zh-Hans", "繁體中文": "zh-Hant", "simplified chinese": "zh-Hans",
    "traditional chinese": "zh-Hant", "deutsch": "de", "german": "de", "deu": "de", "ger": "de",
    "français": "fr", "francais": "fr", "french": "fr", "fra": "fr", "fre": "fr",
    "español": "es", "espanol": "es", "spanish": "es", "spa": "es", "italiano": "it",
    "italian": "it", "ita": "it", "português": "pt", "portugues": "pt", "portuguese": "pt",
    "por": "pt", "nederlands": "nl", "dutch": "nl", "nld": "nl", "русский": "ru",
    "russian": "ru", "rus": "ru", "日本語": "ja", "japanese": "ja", "jpn": "ja", "한국어": "ko",
    "korean": "ko", "kor": "ko", "العربية": "ar", "arabic": "ar", "ara": "ar",
}  # fmt: skip
ID_LENGTH = 20  # hex digits of sha256: 80 bits, no collision among any realistic article count
# Plain text for summaries and filters comes from at most this much HTML when the entry has
# no summary of its own (stripping a 300 KB article to read 160 characters is wasted work).
_TEXT_SOURCE_CHARS = 8192

_MAY_EXTEND = re.compile("[^\x00-\u02ff]")  # see _extends()
# A media type as RFC 9110 writes one: type/subtype tokens, then parameters ("; charset=utf-8").
_MEDIA_NAME = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
_QUOTED = r'"(?:[^"\\\x00-\x1f]|\\.)*"'
_MEDIA_TYPE = re.compile(
    rf"{_MEDIA_NAME}/{_MEDIA_NAME}(?:\s*;\s*{_MEDIA_NAME}=(?:{_MEDIA_NAME}|{_QUOTED}))*"
)
_IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif")
_ADDRESS_ONLY = re.compile(r"(?:mailto:)?[^\s@<>()]+@[^\s@<>()]+\.[^\s@<>()]+")
# A profile page's address, the fediverse's way (Lemmy's /u/name, kbin's /u/@name, Mastodon's
# /@name and /users/name, PeerTube's /accounts/name and /a/name): the name is in it.
_PROFILE_ADDRESS = re.compile(
    r"https?://[^\s/?#]+/(?:(?:u|users?|accounts|a|profiles?|people)/@?|@)(?P<name>[\w.-]+)/?",
    re.IGNORECASE,
)
_WEB_ADDRESS = re.compile(r"https?://\S+", re.IGNORECASE)
# Lemmy's inbox feeds' author (feeds.rs build_item): '/u/name <a href="…/u/name">(link)</a>'.
_LEMMY_INBOX_AUTHOR = re.compile(r"/u/(?P<name>[\w.-]+) \(link\)")


def _profile_name(part: str) -> str:
    """One name of a byline: itself, or, when it is only a web address, the name of the profile
    it is the page of, or "" (an address that names no one: Blogger's /profile/0987654321)."""
    if not _WEB_ADDRESS.fullmatch(part):
        return part
    profile = _PROFILE_ADDRESS.fullmatch(part)
    name = profile["name"] if profile else ""
    return "" if name.isdigit() else name


# Commas with no name between them, left where an author was only markup: ", ,".
_EMPTY_NAMES = re.compile(r",(?:\s*,)+")


# Primary language subtags the registry deprecated, still written by old feed software (Java's
# Locale wrote "iw" for Hebrew until Java 17): their preferred values.
_DEPRECATED_LANGUAGES = {"iw": "he", "in": "id", "ji": "yi", "jw": "jv", "mo": "ro"}


def title_language(language: str, title: str) -> str:
    """The language tag of a title: its article's `language`, or "" when the title is not
    written in that language's script (the English title "Super Market" of a Persian post,
    whose language was read from its body). The pages and the feeds say so alike."""
    return language if title == UNTITLED or fits_script(language, title) else ""


def language_tag(value: str | None) -> str:
    """A valid BCP 47 tag for what a source (or the config) wrote, else "".

    It ends up in xml:lang, RSS/JSON Feed `language` and HTML lang=, which accept nothing else:
    names are mapped ("English" -> "en", "Deutsch" -> "de"), "zh_CN" and "en-us" are written
    "zh-CN" and "en-US" (the registry's casing), "iw" is "he" (deprecated codes), anything
    else is dropped, as is one longer than MAX_LANGUAGE_TAG (before the cache, which would
    keep a hostile feed's megabyte as a key).
    """
    value = (value or "").strip()
    return "" if len(value) > MAX_LANGUAGE_TAG else _language_tag(value)


@lru_cache(maxsize=256)
def _language_tag(value: str) -> str:
    raw = " ".join(value.split()).lower()
    tag = _LANGUAGE_NAMES.get(raw, raw.replace("_", "-"))
    if not _LANGUAGE.fullmatch(tag.lower()):
        return ""
    primary, *subtags = tag.split("-")
    cased = [_DEPRECATED_LANGUAGES.get(primary.lower(), primary.lower())]
    for subtag in subtags:
        if len(subtag) == 4 and subtag.isalpha():
            cased.append(subtag.title())  # script: Hans
        elif (len(subtag) == 2 and subtag.isalpha()) or (len(subtag) == 3 and subtag.isdigit()):
            cased.append(subtag.upper())  # region: CN, 419
        else:
            cased.append(subtag.lower())
    return "-".join(cased)


@dataclass
class Report:
    """What cleaning a feed's entries found, for the source's state (normalize fills it in)."""

    unreadable_dates: int = 0  # entries with a date string nobody could read
    future_dates: int = 0  # entries dated more than FUTURE_SLACK ahead (a zone read wrong?)
    # The marks of the entries made into articles that will hold (SourceState.entry_marks)
    # and of those left out: the next refresh of the source leaves these out.
    marks: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # the ids of the articles left out
    # The guids (guid_mark) listed on several entries, now or in an earlier read (`shared`), that
    # this read lists: SourceState.shared_guids, for the next.
    shared: list[str] = field(default_factory=list)
    # The articles made, by their entry's position, each with the bodies learned junk was read
    # from in making it (_clean_body): what `relearned` reads to tell which stay the same.
    made: dict[int, tuple[Article, Bodies]] = field(default_factory=dict, repr=False, compare=False)


# Of an entry's fields cleaned (field, is_html): the field sanitized, and then without its junk
# by rule, the body learned junk is read from (_clean_body). Kept, a field is not cleaned again.
Bodies = dict[tuple[str, bool], tuple[str, str]]


class _Read(Bodies):
    """An entry's Bodies, and what else its first cleaning read that learned junk cannot change,
    for `relearned` and `normalize(reuse=...)`: the entry as mended and its dates (`_dates`), the
    title and text the article was made of and that article, and the paragraphs `relearned` read
    of each body (`looked`: `junk.holds_learned` and `junk.strip_learned` read them once)."""

    __slots__ = ("article", "dated", "looked", "made_of")

    def __init__(self) -> None:
        super().__init__()
        self.dated: tuple[EntryData, tzinfo, bool, _Dated] | None = None  # (_dates' arguments)
        self.made_of: tuple[str, str, str, datetime] | None = None  # title, text, content, seen
        self.article: Article | None = None
        self.looked: dict[str, boilerplate.Body] = {}


# A mark ending so is an entry whose date could not be read: still counted when skipped.
UNREADABLE_MARK = "!"
# Marks kept per source, for its first entries (the newest, in most feeds): a feed of thousands
# of entries must not make its state as big; the entries after them are cleaned at each read.
MAX_MARKS = 500


def newest(feed: ParsedFeed, count: int, now: datetime) -> ParsedFeed:
    """The feed with at most `count` entries, in its order: its newest by the date the parser
    read (an undated one, or one dated after `now`, counts as `now`: that is the date it gets).
    A refresh keeps no more than retention.max_per_source: a feed of 200,000 items was cleaned
    whole, then saved in one script that held Redis for 22 s, to be trimmed, each trimmed one
    tombstoned for a year (and again every poll, had its ids changed)."""
    if len(feed.entries) <= count:
        return feed
    latest = now.timestamp()

    def age(position: int) -> tuple[float, int]:
        entry = feed.entries[position]
        when = entry.published or entry.updated
        return -min(when.timestamp(), latest) if when else -latest, position

    kept = sorted(sorted(range(len(feed.entries)), key=age)[:count])
    return replace(feed, entries=tuple(feed.entries[i] for i in kept))


def normalize(
    feed: ParsedFeed,
    source: SourceConfig,
    *,
    now: datetime,
    report: Report | None = None,
    learned_junk: frozenset[str] = frozenset(),
    skip: Collection[str] = frozenset(),
    shared: Collection[str] = frozenset(),
    held: Mapping[str, Article] | None = None,
    reuse: Mapping[int, Article | Bodies] | None = None,
) -> list[Article]:
    """The source's entries as Articles, in feed order, minus exact duplicates and filtered ones.

    `report`, when given, is filled in with what the cleaning found. `learned_junk`: the hashes
    of paragraphs the source repeats in many articles (Store.boilerplate), removed from content.
    `skip`: the marks of entries cleaned before (the last refresh's `report.marks`): an entry
    whose mark is there would come out the same article as then, and is left out.
    `shared` and `held`: the guids seen on several entries before (the last refresh's
    `report.shared`) and the stored articles of `held_ids` (see _kept_keys).
    `reuse`: by position, what `relearned` kept of these entries' cleaning with other learned
    junk: the article, when these would make the same (only its mark changes), else the bodies
    read, not sanitized again.
    """
    report = report if report is not None else Report()
    if now.tzinfo is None:
        raise ValueError("normalize() needs a timezone-aware `now`")
    now = now.astimezone(UTC)
    base = feed.base_url
    source_url = safe_url(source.site_url, base) or feed_site(feed) or safe_url(source.url, "")
    feed_url = safe_url(source.url, source.url)  # (once, not once per article)
    wanted = _filter(source.include, source.exclude)
    entries, links, urls = _listed(feed)
    watched = _watched(entries, shared)
    report.shared.extend(guid_mark(guid) for guid in list(watched)[:MAX_MARKS])
    keys = _identity_keys(entries, links)
    if watched:
        keys = _kept_keys(entries, links, urls, keys, watched, source.id, held or {})
    keys = _earlier_kept(entries, keys, source.id, held or {})
    japanese = _japanese(feed, source)
    local = local_zone(feed, source, japanese=japanese)
    days = midnight_days(feed)
    allowance = _Allowance()
    context = _context(feed, source, learned_junk, japanese, days)
    site = _site_hosts(feed, source)
    articles = []
    above: tuple[int, datetime] | None = None  # the last dated entry read: position, date
    for position, (entry, url, key) in enumerate(zip(entries, urls, keys, strict=True)):
        mark = entry_mark(context, entry, key)
        if skip and (mark in skip or mark + UNREADABLE_MARK in skip):
            unreadable = mark not in skip
            report.unreadable_dates += unreadable
            report.skipped.append(article_id(source.id, key))
            if len(report.marks) < MAX_MARKS:
                report.marks.append(mark + UNREADABLE_MARK * unreadable)
            continue
        entry = _mended(entry, allowance)  # (after its id and mark: they stay the text's)
        kept = reuse.get(position) if reuse else None
        made = kept if isinstance(kept, Article) else None
        read = kept if isinstance(kept, _Read) else _Read()
        if isinstance(kept, dict) and not isinstance(kept, _Read):
            read.update(kept)
        # (Made again with other learned junk: the same entry has the same dates.)
        if read.dated is not None and read.dated[:3] == (entry, local, days):
            dated = read.dated[3]
        else:
            dated = _dates(entry, local, days)
            read.dated = entry, local, days, dated
        published, updated, unreadable, day_only = dated
        first_seen = now - timedelta(seconds=position)
        if published is not None:
            above = (position, published)
        elif above is not None:
            # An undated entry below a dated one is no newer than it (feeds list newest first;
            # in one oldest first, that one is the newest it has): an undated test post of 2008
            # at the end of a feed, dated when first seen, led its category (a review). One at
            # the top is dated when first seen, as before: it is the feed's newest.
            first_seen = min(first_seen, above[1] - timedelta(seconds=position - above[0]))
        if updated and (entry.guid or "").startswith("yt:video:"):
            # YouTube moves a video's <updated> as its views change: no edit a reader can see
            # (an edit of its title or text still is one: Store dates it when seen).
            updated = published
        report.unreadable_dates += unreadable
        if made is None:
            title = _text(entry.title, entry.title_is_html)
            content_base = _content_base(entry, url, base, site)
            content, text = _content_and_text(
                entry, content_base, source, learned_junk, read, title=title
            )
            content = _with_player(url, content)
            if not wanted(f"{title}\n{text}"):
                continue  # (never stored, so never marked: read again, as an edit may let it in)
            # Made again of the same title, text and content (learned junk found in a body and
            # left there, or only in a field the article does not show): the same article.
            if read.made_of == (title, text, content, first_seen) and read.article is not None:
                made = read.article
                report.made[position] = made, read
        # Published ahead of now (so dated when first seen): most often a zone-less date read in
        # the wrong zone, which the source's `timezone` mends; the operator is told how many.
        report.future_dates += bool(published and _ahead(published, day_only, now))
        # A date still ahead is clamped to `now`, which moves: such an entry is made again.
        if len(report.marks) < MAX_MARKS and not any(d and d > now for d in (published, updated)):
            report.marks.append(mark + UNREADABLE_MARK * unreadable)
        if made is not None:
            articles.append(made)
            continue
        read.made_of = title, text, content, first_seen
        articles.append(
            _article(
                entry,
                source,
                feed,
                now=now,
                url=url,
                key=key,
                title=title,
                text=text,
                content=content,
                source_url=source_url,
                feed_url=feed_url,
                published=published,
                updated=updated,
                day_only=day_only,
                # An undated entry is dated when first seen, a second apart in the feed's order:
                # our feeds write whole seconds, and a microsecond apart, a feed reader sorting
                # by date shuffled a whole undated feed (60 items of one second, a review).
                first_seen=first_seen,
                japanese=japanese,
            )
        )
        read.article = articles[-1]
        report.made[position] = articles[-1], read
    return articles


def relearned(
    report: Report,
    cleaned_with: frozenset[str],
    learned: frozenset[str],
    read: Mapping[str, boilerplate.Body] | None = None,
) -> dict[int, Article | Bodies]:
    """What `normalize(reuse=...)` keeps of the cleaning `report` tells of, made with
    `cleaned_with` learned as junk, to clean the same entries with `learned`: by the entry's
    position, its article when no body its learned junk was read from holds a paragraph either
    knows (strip_learned leaves it then, most often: the article is all its entry's and its
    context's, the junk learned is read nowhere else); else the bodies, as sanitized.
    `read`: `boilerplate.Body.of` of markups made already, by the markup (a new feed's articles'
    as their stories read them): a body that is one of them is not read again."""
    either = cleaned_with | learned
    return {
        position: article if _none_learned(bodies, either, read or {}) else bodies
        for position, (article, bodies) in report.made.items()
    }


def _none_learned(
    bodies: Bodies, known: frozenset[str], read: Mapping[str, boilerplate.Body]
) -> bool:
    """Whether no body holds a paragraph `known` (junk.holds_learned). The paragraphs read are
    kept in `bodies.looked` (a _Read's): strip_learned reads them, not the body again."""
    looked = bodies.looked if isinstance(bodies, _Read) else {}
    try:
        return not any(
            ruled and junk.holds_learned(ruled, known, _looked(ruled, looked, read))
            for _, ruled in bodies.values()
        )
    except Exception:  # noqa: BLE001 - made again, then: its cleaning says what failed
        return False


def _looked(
    ruled: str, looked: dict[str, boilerplate.Body], read: Mapping[str, boilerplate.Body]
) -> boilerplate.Body:
    """The paragraphs of `ruled`, with the hashes of those short enough to be learned junk, as
    `junk.holds_learned` and `junk.strip_learned` read them (no tokens), made once into
    `looked`; `read[ruled]` where there is one (`Body.of`: the same paragraphs and hashes, the
    long ones' too, which neither reads)."""
    if (body := looked.get(ruled) or read.get(ruled)) is None:
        # Every paragraph (a record's fields are told by what stands beside them), the hashes of
        # those short enough only ("" for the rest, which holds_learned passes over).
        paras = boilerplate.paragraphs(ruled)
        short = [p for p in paras if len(p) <= junk.LEARNED_MAX_CHARS]
        found = iter(boilerplate.hashes_of(short))
        hashes = [next(found) if len(p) <= junk.LEARNED_MAX_CHARS else "" for p in paras]
        body = boilerplate.Body(paras, [], hashes)
    looked[ruled] = body
    return body


def _japanese(feed: ParsedFeed, source: SourceConfig) -> bool:
    """Whether the feed is Japanese by its entries together, or its host (language.japanese_feed):
    what tells Japanese written in kanji alone from Chinese when the feed declares neither."""
    texts = (
        f"{entry.title or ''}\n{(entry.summary or entry.content or '')[:_SIBLING_CHARS]}"
        for entry in feed.entries[:_SIBLINGS]
    )
    hosts = {urlsplit(address).hostname or "" for address in (source.url, feed_site(feed))}
    return japanese_feed(texts, hosts)


_SIBLINGS = 50  # entries read to tell a feed's language: what a page of a feed holds
_SIBLING_CHARS = 400  # of each one's text: the start of its HTML holds its first words


# The path of a feed document, not of a page: what some feeds give as their site's link.
_FEED_DOCUMENT = re.compile(r"(?:\.(?:xml|rss|atom|rdf)|/(?:feed|rss|atom)/?)$", re.IGNORECASE)


def feed_site(feed: ParsedFeed) -> str:
    """The site the feed links to (_site_of), "" when it links none (or no http(s) one), or
    one left from its author's machine (parse.left_from_authoring: http://localhost:8080/,
    the source's link on every card, was dead)."""
    site = _site_of(safe_url(feed.link, feed.base_url))
    return "" if site and left_from_authoring(site, feed.url or feed.base_url) else site


def _site_of(link: str) -> str:
    """A feed's link to its site, or that site's root when it names a feed document (Le
    Monde's channel links its une.xml, Reddit's its /.rss, an Atom feed without a link its id,
    feed.xml): the source's name linked readers to XML, and our Atom called it text/html."""
    if not link:
        return ""
    parts = urlsplit(link)
    if not _FEED_DOCUMENT.search(parts.path):
        return link
    return urlunsplit((parts.scheme, parts.netloc, "/", "", ""))


def _mended(entry: EntryData, allowance: _Allowance) -> EntryData:
    """The entry with its text's UTF-8 read back where it was decoded as windows-1252 or
    Latin-1 before it reached the feed ("lâ€™espion" is "l’espion"): a CMS that
    stored UTF-8 as windows-1252 writes it so in a document that is right otherwise, and
    feedparser mends only text that is Latin-1 through. ftfy judges whether a text is such
    mojibake (`fix_encoding` alone: none of its other fixes, which change text that is right,
    full-width CJK to ASCII among them); only a text with a sign of it is given to ftfy, none
    longer than MAX_MENDED_CHARS and, in one feed, MAX_MENDED_PER_FEED characters in all (ftfy
    read a 2.4 MB text in a second, and 200,000 characters of hostile mix in 0.2–0.5 s)."""
    texts: dict[str, str] = {}
    for name in ("title", "summary", "content", "author"):
        value = getattr(entry, name)
        if value and _mojibake(value) and allowance.take(len(value)):
            texts[name] = ftfy.fix_encoding(value)
    tags = entry.tags
    if any(_mojibake(tag) for tag in tags) and allowance.take(sum(map(len, tags))):
        tags = tuple(ftfy.fix_encoding(tag) for tag in tags)
    if not texts and tags is entry.tags:
        return entry
    return replace(
        entry,
        title=texts.get("title", entry.title),
        summary=texts.get("summary", entry.summary),
        content=texts.get("content", entry.content),
        author=texts.get("author", entry.author),
        tags=tags,
    )


MAX_MENDED_CHARS = 200_000
MAX_MENDED_PER_FEED = 1_000_000


@dataclass
class _Allowance:
    """How many more characters one feed's texts may have ftfy read (_mended)."""

    chars: int = MAX_MENDED_PER_FEED

    def take(self, chars: int) -> bool:
        if chars > self.chars:
            return False
        self.chars -= chars
        return True


def _mojibake(text: str) -> bool:
    return not text.isascii() and len(text) <= MAX_MENDED_CHARS and bool(_MOJIBAKE.search(text))


# A sign of mojibake: a UTF-8 lead byte then a continuation byte, both read as windows-1252 or
# Latin-1 ("Ã©" for "é", "â€™" for "’", "Ð¸" for "и").
_MOJIBAKE = re.compile(
    "[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
    "\u2013\u2014\u2018-\u201a\u201c-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
)


def entry_mark(context: bytes, entry: EntryData, key: str) -> str:
    """A short hash of what makes an entry's article: the entry itself (every field), its
    identity key (which can depend on the other entries), and `context` (_context). The same
    mark, the same article.

    Each text goes in as its length and itself, anything else as its repr (which starts with no
    digit then a colon, and escapes its control characters), so no two entries write the same
    data. Not repr(entry): with the dataclass's repr a mark cost ~27 µs of CPU, this ~16 µs
    (the corpus's 3,710 entries, medians of 7 runs alternating the two).
    """
    data = "\x00".join(
        f"{len(v)}:{v}" if type(v) is str else repr(v)
        for v in (key, *map(entry.__getattribute__, _MARKED_FIELDS))
    )
    return hashlib.blake2b(
        data.encode("utf-8", "surrogatepass"), digest_size=MARK_BYTES, key=context
    ).hexdigest()


# Every field, those out of the repr too (an episode's own artwork, whether its guid may stand
# in for a link: both change its article).
_MARKED_FIELDS = tuple(f.name for f in fields(EntryData))


MARK_BYTES = 6  # 48 bits: a changed entry mistaken for one of a source's last few hundred: ~1e-12


def _context(
    feed: ParsedFeed,
    source: SourceConfig,
    learned_junk: frozenset[str],
    japanese: bool = False,
    days: bool = False,
) -> bytes:
    """What, besides an entry, its article is made from: the feed's fields normalize reads, the
    source's settings, the paragraphs learned as junk, whether its entries together are Japanese
    (_japanese) and whether its dates are days (midnight_days), and this code (a new release
    cleans every entry again). Not which parser read the document: both make the same articles,
    though not always the same entries (a feed that changes path has its entries cleaned again,
    once)."""
    read: tuple[str | None, ...] = (feed.url, feed.base_url, feed.link, feed.language, feed.artwork)
    if japanese:  # (only then: every other feed's entries keep their marks)
        read += ("ja",)
    if days:
        read += ("days",)
    facts = "\x00".join(
        [repr(read), repr(article_settings(source)), *sorted(learned_junk), CODE_DIGEST]
    )
    return hashlib.blake2b(facts.encode("utf-8", "surrogatepass"), digest_size=32).digest()


# What else an article is made with: the libraries that clean, parse pages and tell languages,
# and Python (its Unicode tables).
_CLEANING_LIBRARIES = (
    "nh3",
    "lxml",
    "cssselect",
    "py3langid",
    "readability-lxml",
    "opencc",
    "ftfy",
)


def _code_digest() -> str:
    """A hash of the code that makes articles: ours (the C module's source, and whether it was
    built: not its bytes, which differ from one build to the next), the cleaning libraries'
    versions and Python's. Read when this module is imported, the code a worker runs."""
    package = Path(__file__).parent
    digest = hashlib.blake2b()
    for path in [*sorted(package.glob("*.py")), package / "_native.c"]:
        if path.exists():
            digest.update(path.read_bytes())
    built = importlib.util.find_spec("aggregator._native") is not None
    versions = [f"{name} {_version(name)}" for name in _CLEANING_LIBRARIES]
    digest.update("\x00".join([sys.version, str(built), *versions]).encode())
    return digest.hexdigest()


def _version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return ""


CODE_DIGEST = _code_digest()


# Languages whose feeds write one wall clock: spoken in one country, or in neighbours that keep
# the same time all year. A date such a feed writes without a zone is read in it unless the
# operator names the source's. A Chinese forum's "2020/1/10 14:33:00" is Beijing time (and its
# "CST" China's), not UTC: read as UTC it was eight hours in the future, and dated when first
# seen; a Hindi site's 16:00 was 5.5 hours late. Not English, Spanish, Portuguese, French,
# Arabic, Russian, Indonesian, Bengali or Urdu: written in several zones (those stay UTC, or
# the source's `timezone`). A region may say otherwise ("fa-AF" is Kabul's).
_LANGUAGE_ZONES = {
    "zh": "Asia/Shanghai",  # also Taipei, Hong Kong, Macau, Singapore: UTC+8 all year
    "ja": "Asia/Tokyo",
    "ko": "Asia/Seoul",
    "th": "Asia/Bangkok",
    "vi": "Asia/Ho_Chi_Minh",
    **dict.fromkeys(("hi", "mr", "gu", "pa", "ta", "te", "kn", "ml", "or", "as"), "Asia/Kolkata"),
    "ne": "Asia/Kathmandu",
    "si": "Asia/Colombo",
    "my": "Asia/Yangon",
    "km": "Asia/Phnom_Penh",
    "lo": "Asia/Vientiane",
    "ms": "Asia/Kuala_Lumpur",
    "fil": "Asia/Manila",
    "tl": "Asia/Manila",
    "fa": "Asia/Tehran",
    "fa-af": "Asia/Kabul",
    "pa-pk": "Asia/Karachi",
    "he": "Asia/Jerusalem",
    "iw": "Asia/Jerusalem",
    "ka": "Asia/Tbilisi",
    "hy": "Asia/Yerevan",
    "az": "Asia/Baku",
    "tr": "Europe/Istanbul",
    "el": "Europe/Athens",
    "bg": "Europe/Sofia",
    "ro": "Europe/Bucharest",
    "fi": "Europe/Helsinki",
    "et": "Europe/Tallinn",
    "lv": "Europe/Riga",
    "lt": "Europe/Vilnius",
    "uk": "Europe/Kyiv",
    "be": "Europe/Minsk",
    # Central European Time, and its summer time, in every country these are spoken in.
    "de": "Europe/Berlin",
    "nl": "Europe/Amsterdam",
    "it": "Europe/Rome",
    "pl": "Europe/Warsaw",
    "cs": "Europe/Prague",
    "sk": "Europe/Bratislava",
    "hu": "Europe/Budapest",
    "sl": "Europe/Ljubljana",
    "hr": "Europe/Zagreb",
    "bs": "Europe/Sarajevo",
    "sr": "Europe/Belgrade",
    "mk": "Europe/Skopje",
    "sq": "Europe/Tirane",
    "da": "Europe/Copenhagen",
    "sv": "Europe/Stockholm",
    **dict.fromkeys(("no", "nb", "nn"), "Europe/Oslo"),
}


def local_zone(feed: ParsedFeed, source: SourceConfig, *, japanese: bool = False) -> tzinfo:
    """The zone of the dates the feed writes without one: the source's `timezone`, else the
    one its language is spoken in (_LANGUAGE_ZONES), else the site's, else UTC; but the offset
    the feed writes its own date in, when that zone never has it (NBC New York's channel writes
    -0500 and its items' "Dec 16 2023 02:02:33 PM" no zone: read as UTC, five hours off).
    The language is the operator's, else the feed's when its first titles are in its script
    (not a CMS's default "en-US" on a Chinese site), else the one they are written in when its
    script tells it (_OWN_SCRIPTS). (The site's came before the language's: a site in Rome
    read a Chinese forum's zone-less times seven hours late, a review.)"""
    if source.timezone:
        return dates.zone(source.timezone)
    zone = _language_zone(feed, source, japanese) or dates.zone(source.default_timezone)
    if feed.offset and feed.offset not in _offsets(zone):
        return timezone(feed.offset)  # (a zone that has it keeps its summer time)
    return zone


def _offsets(zone: tzinfo) -> set[timedelta | None]:
    """The zone's offsets in winter and in summer (fixed instants: this module stays pure)."""
    return {datetime(2024, month, 15, tzinfo=UTC).astimezone(zone).utcoffset() for month in (1, 7)}


def _language_zone(feed: ParsedFeed, source: SourceConfig, japanese: bool) -> tzinfo | None:
    """The zone the feed's language is spoken in, when it has one (see local_zone); Japan's for
    Han titles of a feed Japanese by its entries together (_japanese)."""
    titles = " ".join(e.title or "" for e in feed.entries[:5])
    declared = language_tag(feed.language)
    language = language_tag(source.language) or (
        declared if declared and fits_script(declared, titles) else ""
    )
    if not language:
        # Told from five titles: only a language of its own script (a short English title
        # read as Dutch would move every date an hour).
        language = detect_language(titles)
        if japanese and language in ("zh", "") and may_be_japanese(titles):
            language = "ja"
        if language.split("-")[0].lower() not in _OWN_SCRIPTS:
            return None
    return language_zone(language)


def language_zone(language: str) -> tzinfo | None:
    """The zone a language is spoken in (_LANGUAGE_ZONES: "zh-CN" and "zh" Shanghai's), or
    None for one spoken across zones."""
    tag = language.lower()
    name = _LANGUAGE_ZONES.get(tag) or _LANGUAGE_ZONES.get(tag.split("-")[0])
    return dates.zone(name) if name else None


# The languages of _LANGUAGE_ZONES written in a script that tells them apart (Vietnamese: in
# its diacritics), which a detected language may be.
_OWN_SCRIPTS = frozenset(
    {"zh", "ja", "ko", "th", "vi", "hi", "mr", "gu", "pa", "ta", "te", "kn", "ml", "or", "as",
     "si", "my", "km", "lo", "ka", "hy", "he", "iw", "el"}
)  # fmt: skip


_Dated = tuple[datetime | None, datetime | None, bool, bool]


def _dates(entry: EntryData, local: tzinfo, days: bool = False) -> _Dated:
    """The entry's published and updated dates as the source wrote them, whether a date string
    was there that could not be read (the entry then has no date of its own), and whether the
    one it is published at writes no time of day (dates.day_only; or, when `days`, a midnight
    without a zone: midnight_days)."""
    published, bad_published, day = dates.read_dated(entry.published_raw, entry.published, local)
    if (entry.updated_raw, entry.updated) == (entry.published_raw, entry.published):
        updated, bad_updated = published, bad_published  # (most entries: read once)
    else:
        updated, bad_updated = dates.read(entry.updated_raw, entry.updated, local)
        if published is None:
            day = dates.day_only(entry.updated_raw, local)
    if days:  # read at noon, as a date without a time is (dates.DAY_ONLY_HOUR)
        noon = timedelta(hours=dates.DAY_ONLY_HOUR)
        if published and dates.unzoned_midnight(entry.published_raw):
            published, day = published + noon, True
        if updated and dates.unzoned_midnight(entry.updated_raw):
            updated += noon
        if published is None and updated and dates.unzoned_midnight(entry.updated_raw):
            day = True
    undated = published is None and updated is None
    return published or updated, updated, undated and (bad_published or bad_updated), day


def midnight_days(feed: ParsedFeed) -> bool:
    """Whether the feed writes days, not times: every date it gives is 00:00 (or 00:00:00) and
    names no zone ("2019-01-25 00:00:00", a weekly newsletter's every issue), but for one in
    ten at most. Read as the midnight of a zone no one named, each was the day before in every
    zone west of it; a feed with more dates at other times has real midnights (a date with a
    zone states its instant). (One timed entry among a newsletter's fifty moved every stored
    issue by 12 hours, and back when it left the feed: a review.)"""
    written = [e.published_raw or e.updated_raw for e in feed.entries[:_SIBLINGS]]
    written = [text for text in written if text]
    midnights = sum(1 for text in written if dates.unzoned_midnight(text))
    return midnights > 0 and midnights >= len(written) - len(written) // 10


def _ahead(published: datetime, day_only: bool, now: datetime) -> bool:
    """Whether the source dated the entry ahead of now (by more than FUTURE_SLACK: clocks drift).
    A date with no time of day is read at noon in its zone: it is ahead only once its day is."""
    if published <= now + FUTURE_SLACK:
        return False
    if day_only:
        published -= timedelta(hours=dates.DAY_ONLY_HOUR)
    return published > now + FUTURE_SLACK


def _article(
    entry: EntryData,
    source: SourceConfig,
    feed: ParsedFeed,
    *,
    now: datetime,
    url: str,
    key: str,
    title: str,
    text: str,
    content: str,
    source_url: str,
    feed_url: str,
    published: datetime | None,
    updated: datetime | None,
    day_only: bool,
    first_seen: datetime,
    japanese: bool = False,
) -> Article:
    base = feed.base_url
    summary = excerpt(text, SUMMARY_LENGTH)
    title = excerpt(title, TITLE_LENGTH)
    if not shows(title):  # (the text's start, only then: it was cut for every article)
        start = _title_of_text(text)
        title = start if shows(start) else UNTITLED
    written = tuple(d.isoformat() if d else "" for d in (published, updated))
    dated = published is not None and published <= now
    day_only = day_only and dated  # (a date of when it was first seen has its time)
    published = min(published or first_seen, now).astimezone(UTC)
    updated = max(min(updated or published, now).astimezone(UTC), published)
    written_author = xml_text(entry.author or "")
    author = _without_decoded_controls(written_author, strip_tags(written_author))
    if "," in author:  # (the names the parser joined: one that was only markup leaves none)
        author = _EMPTY_NAMES.sub(",", author).strip(", ")
    author = excerpt(author, AUTHOR_LENGTH)
    if author == "Unknown":  # Blogger's name for an author whose profile is private
        author = ""
    if "@" in author:  # RSS <author> is an address; a byline of one only invites spam,
        # and so does one of several (<dc:creator>, <author> and <itunes:author> joined)
        author = ", ".join(p for p in author.split(", ") if not _ADDRESS_ONLY.fullmatch(p))
    if "://" in author:  # a profile's address as the byline (Lemmy's <dc:creator>): its name
        author = ", ".join(filter(None, map(_profile_name, author.split(", "))))
    if author.endswith(" (link)") and (inbox := _LEMMY_INBOX_AUTHOR.fullmatch(author)):
        author = inbox["name"]  # (the name: Lemmy's other feeds are read so, _profile_name)
    # "Things To Do" and "things to do" are one tag, as the feed first wrote it.
    spellings: dict[str, str] = {}
    # A tag is text; read as HTML only when it is ("C++ <templates>" lost its "<templates>").
    raw_tags = (item for tag in entry.tags for item in _items(tag))
    for raw_tag in itertools.islice(raw_tags, MAX_TAGS_READ):
        if len(spellings) == MAX_TAGS:
            break
        if tag := _tag(raw_tag):
            spellings.setdefault(tag.casefold(), tag)
    tags = tuple(spellings.values())
    # The entry's xml:base holds for the media it names as for its HTML (a blog's media:content
    # "images/fuji.jpg" under /entry/2023/ was taken from the site's root: h7's held-out feeds).
    entry_base = entry.base_url or base
    enclosures = _enclosures(entry, entry_base, trusted_host(source))
    thumbnail = _thumbnail(entry, enclosures, content, entry_base, trusted_host(source))
    if not thumbnail and any(_playable(e) for e in enclosures):
        thumbnail = _episode_artwork(entry, entry_base) or show_artwork(feed)
        if on_readers_network(thumbnail, trusted_host(source)):
            thumbnail = ""
    # The operator's word stands; a feed's is checked against its text's script (CMS defaults).
    sample = f"{title}\n{text}"
    declared = language_tag(entry.language) or language_tag(feed.language)
    language = language_tag(source.language) or (
        declared if declared and fits_script(declared, sample) else ""
    )
    if not language:
        language = language_tag(detect_language(sample))
        # Kanji alone, in a feed Japanese by its other entries or its host: Japanese (Chinese
        # by the model: "大阪万博開幕", "首相官邸発表" hold no kanji only Japanese writes).
        if japanese and language in ("zh", "") and may_be_japanese(sample):
            language = "ja"
    if language == "zh" and (script := chinese_script(sample)):
        language = f"zh-{script}"  # which of its two scripts: fonts and voices differ
    author = _without_by(author, language)  # (a byline's "by" is in its article's language)
    if '"' in author:  # a name in quotes: Flickr's <author>nobody@flickr.com ("Lars Berg")
        author = ", ".join(_unquoted_name(p) for p in author.split(", "))
    # What a reader sees, with the dates the source gave (never `now`, which moves every poll),
    # and whom it is credited to: a source renamed in the config showed its old name on every
    # stored article.
    seen = (
        source.name,
        source_url,
        title,
        url,
        summary,
        content,
        author,
        "\x1e".join(tags),
        "\x1e".join(
            f"{e.url} {e.type} {e.length}" + (f" {e.duration}" if e.duration else "")
            for e in enclosures
        ),
        thumbnail,
        language,
        *written,
        # (Only when there is one: every other article's hash stays as it was.)
        *([external] if (external := _external_url(entry, url, base)) else []),
        *(["day only"] if day_only else []),  # (shown as its day, not its made-up hour)
    )
    return Article(
        id=article_id(source.id, key),
        source_id=source.id,
        guid=_kept_guid(entry.guid or url),
        url=url,
        title=title,
        summary=summary,
        content=content,
        author=author,
        published=published,
        updated=updated,
        source_name=source.name,
        source_url=source_url,
        source_feed_url=feed_url,
        categories=source.categories,
        tags=tags,
        language=language,
        enclosures=enclosures,
        thumbnail=thumbnail,
        content_hash=_sha256("\x1f".join(seen)),
        written_hash=_written_hash(entry),
        dated=dated,
        external_url=external,
        day_only=day_only,
    )


# Chinese and Japanese: Han, kana and their punctuation, full-width forms.
_HAN_KANA = re.compile("[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff01-\uff60]")
# A sentence's end in Chinese or Japanese, and the closing quotes or brackets after it.
_SENTENCE_END = re.compile("[。！？]+[”’」』）》]*")
_SHORTEST_SENTENCE = 6  # characters of a first sentence that is a title ("好！" is none)


# A sentence's end in a spaced script (Urdu's "۔", Arabic's "؟", Hindi's "।" too), before a
# space; _sentences_end tells it from an abbreviation's dot.
_SPACED_END = re.compile("[.!?۔؟।]+[\"'”’»)]*(?= )")


# Words whose dot a name or a word follows in a sentence ("led by Dr. Jane Smith", "Celtics vs.
# Golden State", "at 10 a.m. Tuesday"): no sentence's end, casefolded, without their last dot.
_ABBREVIATIONS = frozenset({
    "mr", "mrs", "ms", "dr", "prof", "st", "mt", "jr", "sr", "gen", "gov", "sen", "rep", "rev",
    "lt", "col", "capt", "sgt", "ave", "blvd", "no", "vol", "fig", "vs", "e.g", "i.e", "cf", "al",
    "approx", "inc", "corp", "co", "ltd", "a.m", "p.m", "nr", "bzw", "z.b",
})  # fmt: skip


def _sentences_end(text: str) -> int:
    """Where the last whole sentence of `text` that ends after its first 40 characters ends, or 0:
    not after a capital ("U.S. officials") nor an abbreviation ("Dr. Jane"), nor before a small
    letter ("e.g. the")."""
    for end in reversed([m.end() for m in _SPACED_END.finditer(text, 40)]):
        word = text[text.rfind(" ", 0, end) + 1 : end]
        before, after = word[0], text[end + 1 : end + 2]
        if word.endswith(".") and word[:-1].lstrip("(\"'“‘«").casefold() in _ABBREVIATIONS:
            continue
        if not (before.isupper() and text[end - 2].isupper()) and not after.islower():
            return end
    return 0


def _title_of_text(text: str) -> str:
    """The title of an entry that has none: its text's start, as wide on a page as 100 Latin
    characters, ending with a whole sentence when one ends within them (a headline does not
    trail off mid-sentence); in Chinese or Japanese (a character as wide as two), 50 of them, or
    the first sentence when it ends within them."""
    start = excerpt(text, TITLE_FALLBACK_LENGTH)
    head = start[: TITLE_FALLBACK_LENGTH // 2]
    if len(_HAN_KANA.findall(head)) * 2 <= len(head):
        # (cut: a text that fits whole may end in its own "…", and keeps its last sentence)
        cut = start.endswith("…") and start != excerpt(text, len(text))
        whole = _sentences_end(start[:-1] + " ") if cut else 0
        return start[:whole] if whole else start
    start = excerpt(text, TITLE_FALLBACK_LENGTH // 2)
    first = _SENTENCE_END.search(start, _SHORTEST_SENTENCE - 1)
    return start[: first.end()] if first else start


def _tag(raw_tag: str) -> str:
    """A tag as shown, or "" when it shows nothing."""
    if len(raw_tag) > _CACHED_TAG_CHARS:
        return _tag_read(raw_tag)
    return _cached_tag(raw_tag)


def _tag_read(raw_tag: str) -> str:
    tag = _without_bidi_controls(_text(raw_tag, is_html=True))
    if len(tag) > TAG_LENGTH:
        tag = excerpt(tag, TAG_LENGTH)
    return tag if shows(tag) and not no_category(tag) else ""


def no_category(tag: str) -> bool:
    """Whether a tag is WordPress's default category, "Uncategorized" in some language."""
    return _folded(tag) in _NO_CATEGORY


def _folded(tag: str) -> str:
    """A tag as compared with _NO_CATEGORY: casefolded, without accents or joiners, spaced once."""
    decomposed = unicodedata.normalize("NFKD", tag.casefold())
    kept = "".join(c for c in decomposed if not unicodedata.combining(c) and c != "\u200c")
    return " ".join(kept.split())


# WordPress files every post its author left uncategorized under a default category, named in
# the site's language, and its feed lists it as the post's category ("Uncategorized": 7 corpus
# articles of 3 blogs): written into our feeds as a category, and a tag shared with every other
# such post, which made them "related". Only names that say "no category" (whole, any case or
# accents): German sites' "Allgemein" and Hebrew's "כללי" (General) may be real topics, and stay.
_NO_CATEGORY = frozenset(map(_folded, [
    "Uncategorized", "Uncategorised", "Non classé", "Sin categoría", "Sem categoria",
    "Senza categoria", "Sense categoria", "Без рубрики", "Без категорії", "未分类", "未分類",
    "미분류", "Geen categorie", "Ongecategoriseerd", "Bez kategorii", "Okategoriserade",
    "Ukategoriseret", "Ukategorisert", "Luokittelematon", "Nezařazené", "Nezaradené",
    "Nekategorizirano", "Necategorizat", "Χωρίς κατηγορία", "غير مصنف", "بدون دسته‌بندی",
    "دسته‌بندی نشده", "ללא קטגוריה", "Tak Berkategori", "Tidak Berkategori",
    "Chưa được phân loại", "Chưa phân loại", "Kategorilenmemiş", "Kategorisiz",
    "ไม่มีหมวดหมู่",
]))  # fmt: skip


# (Cached: a feed's articles share their tags, 14,000 read in a cold round of 4,100 spellings;
# a longer one is not held.)
_cached_tag = lru_cache(maxsize=2048)(_tag_read)
_CACHED_TAG_CHARS = 256  # (~2 MB at most however hostile a feed is)


# A comma between items of a list, not a number's thousands ("1,000").
_LIST_COMMA = re.compile(r"(?<!\d),|,(?!\d)")


def _items(tag: str) -> list[str]:
    """A category written as a list without spaces ("DASDING,Kontra K,Podcast", SWR's), one tag
    per item; "Physics, Applied" (a comma and a space: one subject) and "1,000 Days" stay. A
    list with semicolons ("science; physics; optics": keywords in one <dc:subject>, as RIOXX's
    and OpenAIRE's guidelines allow) is one per item, spaces or none."""
    if ";" in tag and (items := _semicolon_items(tag)) != [tag]:
        # (Not read again for semicolons: the last item holds what is left unsplit, and a
        # hostile million-item list recursed until Python refused.)
        parts = (part for item in items for part in _comma_items(item))
        return list(itertools.islice(parts, MAX_TAGS_READ))
    return _comma_items(tag)


def _comma_items(tag: str) -> list[str]:
    """A list without spaces after its commas, one item each (_items)."""
    if "," not in tag or ", " in tag or not _LIST_COMMA.search(tag):
        return [tag]
    # (No more items than are read: the last piece holds what is left unsplit.)
    items = tag.split(",", MAX_TAGS_READ)[:MAX_TAGS_READ]
    return [item for item in (i.strip() for i in items) if item]


# A semicolon, or a character reference that one ends ("&amp;", "&#8217;"), read as HTML reads it.
_SEMICOLON_OR_REFERENCE = re.compile(r"&(#?\w{1,32});|;")


def _semicolon_items(tag: str) -> list[str]:
    """The items of a list separated by semicolons (not those ending a character reference, as
    the tag is read as HTML: "Tom &amp; Jerry" is one), stripped, the empty ones left out."""
    items, start = [], 0
    for found in _SEMICOLON_OR_REFERENCE.finditer(tag):
        if found[1] and (found[1][0] == "#" or f"{found[1]};" in html.entities.html5):
            continue
        items.append(tag[start : found.end() - 1])
        start = found.end()
        if len(items) == MAX_TAGS_READ:  # (no more are read)
            break
    items.append(tag[start:])
    return [item for item in (i.strip() for i in items) if item]


def _external_url(entry: EntryData, url: str, base: str) -> str:
    """The page a link blog's post is about, when it is not the post's own."""
    external = safe_url(entry.external_link, base)
    return external if external != url else ""


def _written_hash(entry: EntryData) -> str:
    """A short hash of the entry's title and text as the source wrote them: it changes when the
    source edits them, not when we clean them otherwise (a release, learned junk, a filter)."""
    texts = (entry.title, entry.summary, entry.content)
    # (White space collapsed: the fast path kept CDATA's "\r\n" where feedparser reads "\n",
    # until parse read both as XML says; and a source's re-indenting is no edit.)
    written = b"\x00".join(collapsed_utf8(v or "") for v in texts)
    return hashlib.blake2b(written, digest_size=8).hexdigest()


def article_id(source_id: str, key: str) -> str:
    """The stable id of an article: a short hash of its source and its identity key."""
    return _sha256(f"{source_id}\x00{key}")[:ID_LENGTH]


def _hollow_copies(entries: Sequence[EntryData], urls: Sequence[str]) -> set[int]:
    """The positions of entries with nothing in them (no text, no media) whose page (`urls`,
    behind any redirect) and title an entry with something in it shares: the same item listed
    twice, once empty (ukr.net's feed; Folha's, once through its redirect), made a second,
    blank card under the same headline."""
    if len(entries) < 2:
        return set()
    keys = list(zip(urls, (e.title for e in entries), strict=True))
    held = [_holds_something(e) for e in entries]
    full = {key for key, holds in zip(keys, held, strict=True) if key[0] and holds}
    return {i for i, key in enumerate(keys) if not held[i] and key in full}


# The link of an ad network's slot in a feed: an ad server's host (a subdomain "ads." or "ad.",
# not a site called so: ad.nl is a newspaper), or Pheedo's click redirect.
_AD_LINK = re.compile(
    r"^https?://ads?\.[^/?#.]+\.[^/?#]+[/?#]|click\.phdo\?|/adserver", re.IGNORECASE
)


def _ad_slots(entries: Sequence[EntryData], urls: Sequence[str]) -> set[int]:
    """The positions of an ad network's slots: an entry that links to an ad server and holds no
    text (the Washington Post's "Featured Advertiser" items, whose one picture, the ad, the
    sanitizer drops: an empty article whose "Read the original" clicked the ad)."""
    return {
        i
        for i, (entry, url) in enumerate(zip(entries, urls, strict=True))
        if _AD_LINK.search(url)
        and not entry.enclosures
        and not any(strip_tags(text or "").strip() for text in (entry.content, entry.summary))
    }


def _empty(entries: Sequence[EntryData], urls: Sequence[str]) -> set[int]:
    """The positions of entries with nothing a reader could read or follow: no title, no link
    and nothing in them (a CMS's blank item). Each was a card "(untitled)" leading to an empty
    page, and undated, dated when first seen: the newest on the home page (a review found 37
    in the corpus)."""
    return {
        i
        for i, (entry, url) in enumerate(zip(entries, urls, strict=True))
        if not url and not (entry.title or "").strip() and not _holds_something(entry)
    }


def _holds_something(entry: EntryData) -> bool:
    text = (entry.content or "").strip() or (entry.summary or "").strip()
    return bool(text or entry.enclosures or entry.images or entry.thumbnail)


# --- identity -----------------------------------------------------------------------------------


def _identity_keys(entries: Sequence[EntryData], urls: Sequence[str]) -> list[str]:
    """One identity key per entry: guid, else link, else title+published, else content.

    Feeds repeat guids (a CMS that uses the home page as every item's guid). Every entry sharing
    a key gets more of itself appended (its link, its title, then a hash of the whole entry) until
    the keys differ. That never depends on position, so the same entries get the same ids on the
    next poll whatever their order, and two different entries never collapse into one article.
    """
    keys = [_base_key(entry, url) for entry, url in zip(entries, urls, strict=True)]
    for refine in _REFINEMENTS:
        counts = Counter(keys)
        if len(counts) == len(keys):
            break
        keys = [
            f"{key}\x00{refine(entries[i], urls[i])}" if counts[key] > 1 else key
            for i, key in enumerate(keys)
        ]
    return keys


# What a key its entry shares with another gets appended, one after the other until the keys
# differ (_identity_keys; _refined_keys, all of them): its link, its title, a hash of it whole.
_REFINEMENTS: tuple[Callable[[EntryData, str], str], ...] = (
    lambda entry, link: link,
    lambda entry, link: strip_tags(entry.title or ""),
    lambda entry, link: _sha256(identity_repr(entry)),
)


def _listed(feed: ParsedFeed) -> tuple[list[EntryData], list[str], list[str]]:
    """The entries that make articles, with their links (what ids are made of) and their urls
    (the pages readers follow: behind a tracking link)."""
    base = feed.base_url
    entries = list(dict.fromkeys(feed.entries))  # an exact duplicate entry appears once
    links = [_entry_url(entry, base) for entry in entries]
    urls = [
        _without_feed_stamps(safe_url(e.original_link, base) or _behind_redirect(u))
        for e, u in zip(entries, links, strict=True)
    ]
    # No articles, left out before the ids: an entry's id must not hang on a blank twin beside it
    # (while one was listed, its full copy's id hashed its whole entry: an edit made a new card).
    no_articles = _hollow_copies(entries, urls) | _ad_slots(entries, urls) | _empty(entries, urls)
    if no_articles:
        kept = [i for i in range(len(entries)) if i not in no_articles]
        entries = [entries[i] for i in kept]
        links, urls = ([seq[i] for i in kept] for seq in (links, urls))
    return entries, links, urls


def guid_mark(guid: str) -> str:
    """A guid as SourceState.shared_guids keeps it: a short hash (a guid may be 4 KB)."""
    return hashlib.blake2b(guid.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()


def _watched(entries: Sequence[EntryData], shared: Collection[str]) -> dict[str, None]:
    """The guids whose entries' ids the stored articles decide (_kept_keys): those of several
    entries now, or of several in an earlier read (`shared`). None, in most feeds."""
    counts = Counter(entry.guid for entry in entries if entry.guid)
    if len(counts) == sum(counts.values()) and not shared:
        return {}
    return {g: None for g, n in counts.items() if n > 1 or (shared and guid_mark(g) in shared)}


def held_ids(feed: ParsedFeed, source_id: str, shared: Collection[str]) -> list[str]:
    """The ids whose stored articles `normalize` needs as `held`: those an entry sharing a guid
    (now, or in an earlier read: `shared`) may have been stored under, and those an earlier
    release made for an entry (_earlier_key) beside its own. None for most feeds."""
    guids = [entry.guid for entry in feed.entries if entry.guid]
    earlier = any(not e.guid and INVISIBLE_IN_URL.search(e.link or "") for e in feed.entries)
    if not shared and len(set(guids)) == len(guids) and not earlier:
        return []  # (the common case, without the work of _listed)
    entries, links, _ = _listed(feed)
    ids: dict[str, None] = {}
    if earlier:
        for entry, key in zip(entries, _identity_keys(entries, links), strict=True):
            if (before := _earlier_key(entry, key)) is not None:
                ids.update(dict.fromkeys(article_id(source_id, k) for k in (key, before)))
    watched = _watched(entries, shared)
    for entry, link in zip(entries, links, strict=True):
        if entry.guid in watched:
            ids.update(dict.fromkeys(_candidates(source_id, entry, link)))
    return list(ids)


def _earlier_key(entry: EntryData, key: str) -> str | None:
    """The identity key an earlier release made for the entry, where it differs from `key`.

    An item without a guid is known by its link, and releases before session 46 kept an
    invisible character in it raw (U+200B, U+202E) where safe_url now percent-encodes it: its
    next read after the upgrade made a new id, and feed readers showed it a second time.
    """
    if entry.guid or not key.startswith("link:") or "\x00" in key:
        return None
    before = key
    for character in set(INVISIBLE_IN_URL.findall(entry.link or "")):
        before = before.replace(percent_encoded(character), character)
    return before if before != key else None


def _earlier_kept(
    entries: Sequence[EntryData], keys: Sequence[str], source_id: str, held: Mapping[str, Article]
) -> list[str]:
    """The identity keys, where an entry stored under the id an earlier release made for it
    (and not under its own) keeps that one: an article's id never changes with an upgrade."""
    kept = list(keys)
    for i, (entry, key) in enumerate(zip(entries, keys, strict=True)):
        before = _earlier_key(entry, key)
        if (
            before is not None
            and article_id(source_id, before) in held
            and article_id(source_id, key) not in held
        ):
            kept[i] = before
    return kept


def _candidates(source_id: str, entry: EntryData, link: str) -> list[str]:
    """The ids an entry sharing its guid may be stored under (_refined_keys')."""
    return [article_id(source_id, key) for key in _refined_keys(entry, link)]


def _refined_keys(entry: EntryData, link: str) -> list[str]:
    """An entry's guid key alone, then with its link, its title and its hash appended, as
    _identity_keys refines a key its entry shares."""
    keys = [f"guid:{entry.guid}"]
    for refine in _REFINEMENTS:
        keys.append(f"{keys[-1]}\x00{refine(entry, link)}")
    return keys


def _kept_keys(
    entries: Sequence[EntryData],
    links: Sequence[str],
    urls: Sequence[str],
    keys: Sequence[str],
    watched: Collection[str],
    source_id: str,
    held: Mapping[str, Article],
) -> list[str]:
    """The identity keys, where entries sharing a guid (`watched`) keep the ids their articles
    are stored under (`held`: the stored articles among their _candidates).

    Alone, an entry takes its guid's id; beside others under its guid, a refined one. So an item
    seen alone and then beside another was stored twice, and the other, left alone after that,
    took the first one's id and overwrote it (a review). Now an entry keeps a stored id that is
    its own: one whose article has its page, and its title first (two items at one page, one of
    them retitled). Only an entry with none takes a new one: its guid's if nothing is stored
    there and no other entry has the guid, else its refined key (its link's, when alone: the
    one it keeps after).
    """
    keys = list(keys)
    groups: dict[str, list[int]] = {}
    for i, entry in enumerate(entries):
        if entry.guid and entry.guid in watched:
            groups.setdefault(entry.guid, []).append(i)
    for members in groups.values():
        refined = {i: _refined_keys(entries[i], links[i]) for i in members}
        ids = {i: [article_id(source_id, key) for key in refined[i]] for i in members}
        titles = {
            i: excerpt(_text(entries[i].title, entries[i].title_is_html), TITLE_LENGTH)
            for i in members
        }
        chosen: set[int] = set()
        taken: set[str] = set()
        for same_title in (True, False):
            for i in (i for i in members if i not in chosen):
                for key, candidate in zip(refined[i], ids[i], strict=True):
                    article = held.get(candidate)
                    if (
                        article is not None
                        and candidate not in taken
                        and article.url == urls[i]
                        and (article.title == titles[i] or not same_title)
                    ):
                        keys[i] = key
                        chosen.add(i)
                        taken.add(candidate)
                        break
        [first, *others] = members
        if not others and first not in chosen:
            # Alone: its guid's id, unless that is another's (then the key it keeps after); its
            # own under its title, when its page moved (it was a second card: a review).
            plain = held.get(ids[first][0])
            keys[first] = refined[first][0 if plain is None or plain.title == titles[first] else 1]
    return keys


def _base_key(entry: EntryData, url: str) -> str:
    if entry.guid:
        return f"guid:{entry.guid}"
    if url:
        return f"link:{url}"
    title = strip_tags(entry.title or "")
    if title or entry.published:
        published = entry.published.isoformat() if entry.published else ""
        return f"title:{title}\x00{published}"
    return f"content:{_sha256(entry.content or entry.summary or '')}"


# Search engines' news and alert feeds link every item through a redirect that names the page in
# a parameter: Google Alerts' www.google.com/url?…&url=…, Bing News' apiclick.aspx?…&url=….
_REDIRECTS = {
    ("www.google.com", "/url"): ("url", "q"),
    ("google.com", "/url"): ("url", "q"),
    ("www.bing.com", "/news/apiclick.aspx"): ("url",),
    ("bing.com", "/news/apiclick.aspx"): ("url",),
}


# A publisher's click counter that writes the page after "/*" (Folha's and UOL's:
# https://redir.folha.com.br/redir/online/poder/rss091/*https://www1.folha.uol.com.br/…).
# (Possessive: a hostile 100 KB link of "redir-" took 4.6 s to backtrack through before.)
_STAR_REDIRECT = re.compile(r"https?://([^/?#]*+)/[^*?#]*+(?<=/)\*(https?://.+)$", re.I)
_REDIRECT_HOST = re.compile(r"\bredir\b", re.I)


def _behind_redirect(url: str) -> str:
    """The page a search engine's or a publisher's redirect link leads to, or `url` when it is
    none."""
    if "/*http" in url and (star := _STAR_REDIRECT.match(url)) and _REDIRECT_HOST.search(star[1]):
        return safe_url(star[2], "") or url
    if "/url?" not in url and "apiclick.aspx?" not in url:  # (most links: no parsing)
        return url
    parts = urlsplit(url)
    names = _REDIRECTS.get(((parts.hostname or "").lower(), parts.path))
    query = parse_qs(parts.query) if names else {}
    for name in names or ():
        if target := safe_url(query.get(name, [""])[0], ""):
            return target
    return url


# PubMed's feeds stamp each paper's address with the feed's creation (fc) and fetch (ff) times
# and PubMed's release (v), "/39912345/?fc=20261201060000&ff=20261201111500&v=2.18.0.post9":
# a new address for the same paper at every fetch, and in every search's feed. (Its utm_*
# parameters go as every link's do: safe_url.)
_PUBMED = "https://pubmed.ncbi.nlm.nih.gov/"
_PUBMED_STAMPS = frozenset(("fc", "ff", "v"))


def _without_feed_stamps(url: str) -> str:
    """The address without its feed's stamps, where it is PubMed's."""
    if not url.startswith(_PUBMED) or "?" not in url:
        return url
    address, _, query = url.partition("?")
    query, hash_mark, fragment = query.partition("#")
    kept = "&".join(
        pair for pair in query.split("&") if pair.partition("=")[0].lower() not in _PUBMED_STAMPS
    )
    return f"{address}{'?' if kept else ''}{kept}{hash_mark}{fragment}"


def _site_hosts(feed: ParsedFeed, source: SourceConfig) -> frozenset[str]:
    """The hosts of the source's own site: the document's, its site link's and the operator's
    site_url ("www." aside). None when the document declares its base (xml:base): its HTML's
    relative URLs are resolved against that, as XML Base says."""
    if not feed.url or feed.base_url != feed.url:
        return frozenset()
    urls = (feed.url, safe_url(feed.link, feed.url), safe_url(source.site_url, feed.url))
    return frozenset(host for u in urls if u and (host := _host(u)))


def _content_base(entry: EntryData, url: str, base: str, site: frozenset[str]) -> str:
    """What relative URLs in the entry's HTML are resolved against: its own xml:base, else its
    page when that is on the source's site (or a subdomain of it), else the document's base.

    An entry's HTML is its page's, copied: "cover.jpg" in a post at /posts/a/ (a Hugo page
    bundle) is /posts/a/cover.jpg, not /cover.jpg beside /index.xml; "/img/a.png" in a feed
    served from another host (FeedBurner, feeds.example.com) is on the site, not that host; and
    in a section's page on world.people.com.cn, not on www.people.com.cn. A link blog's item
    points at someone else's page: its "/assets/x.png" stays the blog's.
    """
    if entry.base_url:
        return entry.base_url
    host = _host(url) if url else ""
    on_site = host in site or any(host.endswith(f".{site_host}") for site_host in site)
    return url if host and on_site else base


def _host(url: str) -> str:
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.")


def _entry_url(entry: EntryData, base: str) -> str:
    """The entry's link (or its guid when that is a URL), absolute http(s), or ""."""
    url = safe_url(entry.link, base)
    if not url and entry.guid_is_address and (entry.guid or "").startswith(("http://", "https://")):
        url = safe_url(entry.guid, base)
    return url


# --- text and HTML ------------------------------------------------------------------------------


def _content_and_text(
    entry: EntryData,
    base: str,
    source: SourceConfig,
    learned_junk: frozenset[str],
    read: Bodies | None = None,
    *,
    title: str = "",
) -> tuple[str, str]:
    """The entry's content as sanitized HTML without its junk, and its plain text for the
    summary and the filters: its summary's, else its content's, junk removed from both. A
    summary that only repeats the `title` (PubMed's) gives way to a content that says more.

    The content is the richer (longer) of content and summary; when the text comes from the
    same field it is read from that HTML, not cleaned twice. A text that is junk and nothing
    else ("Continue reading »", which the content keeps rather than be empty) is no text.
    """
    richer, richer_is_html = _richer(entry)
    content = _clean_body(richer, richer_is_html, entry, base, source, learned_junk, read)
    repeated = ""  # a summary that is the title again, kept should the content have no text
    for body, is_html in (
        (entry.summary, entry.summary_is_html),
        (entry.content, entry.content_is_html),
    ):
        if not body:
            continue
        cleaned = content
        if body != richer:  # a summary is read from its start (a long one's rest is not needed)
            start = body[:_TEXT_SOURCE_CHARS]
            cleaned = _clean_body(start, is_html, entry, base, source, learned_junk, read)
        text = _uncaptioned_text(cut_html(cleaned, _TEXT_SOURCE_CHARS))
        if len(body) > _TEXT_SOURCE_CHARS and len(text) < SUMMARY_LENGTH * 2:
            if body != richer:  # the start was mostly markup: read it all
                cleaned = _clean_body(body, is_html, entry, base, source, learned_junk, read)
            text = _uncaptioned_text(cleaned)
        if text:
            if junk.is_junk(text, source.strip_patterns, source.default_junk_rules):
                text = ""
            elif body == entry.summary and body != richer and (whole := _whole(text, content)):
                text = whole
            if body == entry.summary and entry.content and _same_words(text, title):
                repeated = text
                continue
            return content, _without_byline(cleaned, text)
    if repeated:
        return content, repeated
    return content, ""


def _uncaptioned_text(cleaned: str) -> str:
    """clean_text of sanitized HTML without its pictures' captions, unless they are all its
    text (a photo post's): a caption is about a picture, and an excerpt that opened with one
    ("Build times over six months — Our build…", Medium's) read as a heading of the article."""
    text = clean_text(cleaned)
    if "<figcaption" not in cleaned:
        return text
    kept, position = [], 0
    while (start := cleaned.find("<figcaption", position)) != -1:
        kept.append(cleaned[position:start])
        end = cleaned.find("</figcaption>", start)
        if end == -1:
            position = len(cleaned)
            break
        position = end + len("</figcaption>")
    kept.append(cleaned[position:])
    return clean_text("".join(kept)) or text


def _same_words(text: str, title: str) -> bool:
    """Whether a text is the title again, but for case, spacing and its last full stop."""
    if not title or len(text) > len(title) + 2:
        return False
    return (
        " ".join(text.rstrip(".").split()).casefold()
        == " ".join(title.rstrip(".").split()).casefold()
    )


# A byline opening the text on a line of its own ("By Marc Eaddy", "by Lesley Katzen on behalf
# of the GTAC Diversity Committee", "Por Ana Souza", "Автор: Иван Петров", "文/记者 张三") or
# before a bar ("By Jane Doe | Reuters"): the page shows the byline, and the excerpt opened with
# it (the Google Testing Blog's, 16 articles). Its name starts with a capital letter: "By popular
# demand, …" and "By jove! What a podcast!" open sentences.
_BYLINE = re.compile(
    r"(?:by|por|par)\s+(?=[^\W\d_])"
    r"|(?:автор|текст|author|written by)\s*[:：]\s*"
    r"|(?:文|作者|撰文|记者|記者)\s*[/／:：|｜]\s*|文\s*[/／]\s*记者\s*",
    re.IGNORECASE,
)
_LINE_BREAK = re.compile(r"<(?:br|/?(?:p|div|li|dt|dd|dl|h[1-6]|blockquote))\b[^>]*>", re.I)
_BYLINE_MAX_CHARS = 200


def _without_byline(cleaned: str, text: str) -> str:
    """The text without the byline it opens with, when a line of its own or a bar ends it (and
    text follows: a byline alone is what the entry says)."""
    if not _BYLINE.match(text):
        return text
    first = next(
        (line for piece in _LINE_BREAK.split(cleaned[:2000]) if (line := clean_text(piece))), ""
    )
    bar = text.find(" | ", 0, _BYLINE_MAX_CHARS)
    if bar != -1 and (not first or bar < len(first)):
        first = text[:bar]  # "By Jane Doe | Reuters | …": the name before the bar
    opening = _BYLINE.match(first)
    if (
        opening is None
        or not first[opening.end() :]
        or len(first) > _BYLINE_MAX_CHARS
        or not text.startswith(first)
        or any(mark in first for mark in "!?。！？")
        or (opening[0][:1].lower() in "bp" and not _names(first[opening.end() :]))
    ):
        return text
    rest = text[len(first) :].lstrip(" —|｜·-–:")
    while (bar := rest.find(" | ", 0, 40)) != -1:  # "Reuters | …": the credits after it
        rest = rest[bar + 3 :]
    return rest if len(rest) >= 20 else text


def _unquoted_name(name: str) -> str:
    """A name without the straight quotes around the whole of it ('"Lars Berg"'); a nickname in
    quotes within one ('Dwayne "The Rock" Johnson') stays."""
    if len(name) > 2 and name[0] == name[-1] == '"' and '"' not in name[1:-1]:
        return name[1:-1].strip()
    return name


def _without_by(author: str, language: str) -> str:
    """An author field written as a byline ("By Jane Doe", "文/张三", "Author: Ivan", "Von Max
    Mustermann" in German): the names (the page says "by" itself); not a name that only starts
    so ("By The Sea Studio", "Par Olsson", "Von Goethe")."""
    if worded := _AUTHOR_BY.match(author):
        names = author[worded.end() :].strip()
        word = worded[1].lower()
        if word != "by" and language.split("-")[0].lower() not in _BY_LANGUAGES[word]:
            return author
        if not _names(names):  # "By The Sea Studio" is a name; "Par le menu" no byline
            return author
        if word in _FORENAMES:  # two words at least, a name's start first: "Jean Dupont"
            first = _PARENTHESES.sub(" ", names).split(",")[0].split()
            # (or an agency's letters: "Par AFP", "Von APA", which no one is named)
            agency = len(first) == 1 and len(first[0]) > 1 and first[0].isupper()
            if (len(first) < 2 and not agency) or first[0].lower() in _NAME_JOINERS:
                return author
        return names
    opening = _BYLINE.match(author)  # a label ("Author:", "文/"), which always opens names
    return (author[opening.end() :].strip() or author) if opening else author


# "By" in an author field of a feed in any language (English bylines are everywhere: ProPublica's
# <dc:creator>by Mica Rosenberg</dc:creator>); another language's word only in an article in
# that language (Die Presse's "Von Max Mustermann", an Argentine paper's "Por María López", Il
# Sole 24 Ore's "di R.I.T."): in an English feed "Von R. Glitschka" is a designer's name, and
# Swedish "Par Olsson" is Pär's. Italian's counts lowercase only: "Di Maio" is a surname.
_AUTHOR_BY = re.compile(r"((?i:by|por|par|von|door|av)|di)\s+(?=[^\W\d_])")
_BY_LANGUAGES = {
    "por": ("es", "pt", "gl"),
    "par": ("fr",),
    "von": ("de",),
    "di": ("it",),
    "door": ("nl",),
    "av": ("sv", "no", "nb", "nn"),
}
# The words that start names too (Pär, "von Neumann"): a byline of them names one of two words
# at least ("Par Jean Dupont"; "Von Goethe" and "von Dobeneck, Tilo" are names).
_FORENAMES = frozenset(("par", "von"))


# Words a byline's names are joined with ("by Lesley Katzen on behalf of the GTAC Committee",
# "Por Ana Souza e João Lima"): any other lowercase word makes it a phrase ("By Train to Paris").
_JOINERS = "and & und e et y och og en of on behalf the for at de da do dos das del van von der"
_NAME_JOINERS = frozenset((*_JOINERS.split(), "le", "la", "di"))
_PARENTHESES = re.compile(r"\([^()]*\)")


def _names(words: str) -> bool:
    """Whether "By …"'s words are names: each capitalized (an initial, "O'Neill", "Kanat-Alexander")
    or a joiner, parentheses (a role) aside; not a title-case heading ("By The Numbers", "By
    Any Means", a review), which starts with an article or a determiner."""
    parts = _PARENTHESES.sub(" ", words).replace(",", " ").replace(";", " ").split()
    if parts and parts[0].lower() in _HEADING_STARTS:
        return False
    return all(
        word[0].isupper()
        or word[0].isdigit()
        or word.lower() in _NAME_JOINERS
        or not any(char.isalnum() for char in word)
        for word in parts
    )


_HEADING_STARTS = frozenset(
    [
        "the",
        "a",
        "an",
        "this",
        "that",
        "these",
        "those",
        "our",
        "my",
        "your",
        "their",
        "his",
        "her",
        "its",
        "any",
        "all",
        "every",
        "some",
        "no",
    ]
)


# An ellipsis a CMS ends a summary with where it cut it: "…", "...", WordPress's " […]".
_CUT_SHORT = re.compile(r"\s*(?:…|\.\.\.|\[…\]|\[\.\.\.\])$")


def _whole(text: str, content: str) -> str:
    """The text of the content, when the summary's `text` is its start cut short ("ein angenehmer
    Gespr…"), else "": the excerpt ended in the feed's broken word though the entry held it."""
    cut = _CUT_SHORT.search(text)
    if cut is None or cut.start() < 20 or not content:
        return ""
    whole = clean_text(cut_html(content, _TEXT_SOURCE_CHARS))
    stem = text[: cut.start()]
    return whole if whole.startswith(stem) and len(whole) > len(stem) else ""


# A YouTube video's own entry (its channel's feed: the link is the watch page, the text its
# description) shows the video, as a post that embeds it does, not only its still.
_YOUTUBE_WATCH = re.compile(  # (older feeds link http://, and youtu.be is YouTube's short link)
    r"https?://(?:(?:www\.|m\.)?youtube\.com/(?:watch\?v=|shorts/)|youtu\.be/)([\w-]{11})"
    r"(?=[&#?]|$)"
)


def _with_player(url: str, content: str) -> str:
    """The content with the YouTube player of the video the entry is, when it is one."""
    video = _YOUTUBE_WATCH.match(url)
    if video is None or "<iframe" in content:
        return content
    player = (
        f'<iframe src="https://www.youtube-nocookie.com/embed/{video.group(1)}" allowfullscreen>'
    )
    return clean_html(player + "</iframe>", url) + content


def _text(value: str | None, is_html: bool) -> str:
    """A field's text, whitespace collapsed. Text the source declares plain (a JSON Feed title
    or summary, an Atom type="text" or untyped one, an RSS title, which feedparser guesses) keeps
    its "<": "std::vector<int>" is not markup. Unless it looks like HTML all the same ("<p>Hi</p>"
    in an untyped Atom summary); "AT&amp;amp;T", escaped twice, is decoded. Text declared HTML
    with no HTML in it keeps its "<" too (`reads_as_text`: Bluesky's "impl<T: Display>")."""
    if not value:
        return ""
    # (Without what no XML we write may carry first: a control character between two spaces,
    # dropped as feeds are written, left two.)
    value = xml_text(value)
    if (is_html and not reads_as_text(value)) or (not is_html and looks_like_html(value)):
        text = strip_tags(value)
    else:
        text = collapsed(value if is_html else plain_text(value))
    return _without_decoded_controls(value, text)


def _without_decoded_controls(written: str, text: str) -> str:
    """`text`, read from `written`, without what a character reference of it stood for and
    xml_text drops ("&#27;", "&#1;", "&#xFFFE;"): dropped from `written`, before the references
    were decoded, such an ESC reached every page and `aggregator story`'s terminal."""
    if "&" not in written or (kept := xml_text(text)) == text:
        return text
    return collapsed(kept)


def _richer(entry: EntryData) -> tuple[str, bool]:
    """The richer of the entry's content and summary, and whether the feed calls it HTML: the
    content, unless the summary is longer as written, no shorter as read, and shows every picture
    and player the content does (a feed with a stub for content and the article as its summary). A
    photo post's content is its picture, its summary a caption longer than the markup; an
    escaped summary is longer as written than the same text in XHTML content. Of the same body
    twice, the one declared HTML."""
    summary, content = entry.summary or "", entry.content or ""
    if summary and (
        not content
        or (
            len(summary) > len(content)
            and _read_length(summary, entry.summary_is_html)
            >= _read_length(content, entry.content_is_html)
            and media_count(summary) >= media_count(content)
        )
        # The same body twice, declared HTML once: a podcast's itunes:summary, which feedparser
        # calls plain text (it closes no element), beside its description ("away.<br clear=all>"
        # showed the tag as text).
        or (
            entry.summary_is_html
            and not entry.content_is_html
            and summary.split() == content.split()
        )
    ):
        return summary, entry.summary_is_html
    return content, entry.content_is_html


def _read_length(body: str, is_html: bool) -> int:
    """About how many characters of text a body shows (white space aside), without parsing it."""
    return len("".join((flat_text(body) if is_html else body).split()))


def _content_html(entry: EntryData, base: str, source: SourceConfig | None = None) -> str:
    """The richer of content and summary (_richer), as sanitized HTML, minus the source's junk."""
    return _clean_body(*_richer(entry), entry, base, source)


def _clean_body(
    body: str,
    is_html: bool,
    entry: EntryData,
    base: str,
    source: SourceConfig | None,
    learned_junk: frozenset[str] = frozenset(),
    read: Bodies | None = None,
) -> str:
    """A field of the entry as sanitized HTML, minus the source's junk (by rule and learned).
    `read`: the entry's fields cleaned so far (Bodies): one there is not sanitized again, and
    this one is added."""
    if not body:
        return ""
    read_as = (body, is_html)
    if source is not None and read is not None and read_as in read:
        cleaned, ruled = read[read_as]
        looked = read.looked.get(ruled) if isinstance(read, _Read) else None
        try:
            return _without_learned(ruled, source, learned_junk, looked)
        except Exception:  # (as below)
            log.warning("junk rules failed; article kept as sanitized", exc_info=True)
            return cleaned
    if reads_as_text(body) if is_html else not looks_like_html(body):  # (as _text reads it)
        cleaned = bounded(text_to_html(body if is_html else plain_text(body)), base)
    else:
        body = _unescaped_lead(body)
        if source is not None and source.strip_selectors:
            body = junk.strip_selected(body, source.strip_selectors)
        if "more-link" in body:  # (its class goes with the sanitizer)
            body = _without_more_links(body)
        # Sanitized once, here, resolving relative URLs against the entry's own xml:base if any.
        cleaned = clean_html(body, entry.base_url or base, trusted_host(source))
    # Without what no XML we write may carry, written or as a reference (as _text reads titles):
    # noncharacters (U+FFFE, U+FFFF) reached the pages' cards and article pages, where the feeds
    # dropped them.
    cleaned = xml_text(cleaned)
    if "{" in cleaned:
        cleaned = _without_stylesheet_text(cleaned)
    cleaned = _without_title_heading(cleaned, entry.title or "")
    if "Announce Type" in cleaned[:200]:
        cleaned = _ARXIV_HEADER.sub(r"\1", cleaned, count=1)
    if "flickr.com/people/" in cleaned[:300]:
        cleaned = _FLICKR_POSTED.sub("", cleaned, count=1)
    if source is None:
        return cleaned
    try:
        ruled = _without_ruled_junk(cleaned, source)
        if read is not None:
            read[read_as] = cleaned, ruled
        return _without_learned(ruled, source, learned_junk)
    except Exception:  # (a rule's bug must not fail the source)
        # The article as sanitized, its junk kept: a markup the junk rules mishandle ("Anzeige:
        # <img> Anzeige:" raised in lxml) made every refresh of its source an internal error.
        log.warning("junk rules failed; article kept as sanitized", exc_info=True)
        return cleaned


# A body that opens with its markup escaped once more than the rest (a converter escaped it
# twice: Reddit's self post in the rss-parser corpus, "&lt;!-- SC_OFF --&gt;&lt;div
# class="md"&gt;&lt;p&gt;Hey Reddit!…" as HTML, before its real "submitted by <a>…" line). Only a
# comment or a block's tag: an article about HTML may well open with "&lt;b&gt;bold&lt;/b&gt;".
_ESCAPED_LEAD = re.compile(
    r"\s*&lt;(?:!--|(?:div|p|h[1-6]|ul|ol|table|blockquote|pre|section|article|figure)[\s/&])",
    re.IGNORECASE,
)


def _unescaped_lead(body: str) -> str:
    """The body with the escaped markup it opens with (before its first real tag) unescaped
    once, when that markup closes an element it opened (`looks_like_html`): readers were shown
    "<div class="md"><p>…" as text. A body opening with a real tag is left alone, as is escaped
    markup after one (an article about HTML shows "&lt;b&gt;" in its <p> or <code>)."""
    if not _ESCAPED_LEAD.match(body):
        return body
    end = body.find("<")
    lead = html.unescape(body if end == -1 else body[:end])
    if not looks_like_html(lead):
        return body
    return lead if end == -1 else lead + body[end:]


def _without_ruled_junk(cleaned: str, source: SourceConfig) -> str:
    """Sanitized HTML without the source's junk by rule."""
    cleaned = junk.strip_paragraphs(cleaned, source.strip_patterns, source.default_junk_rules)
    if source.default_junk_rules:
        cleaned = junk.without_trailing_prompt(cleaned)
    return cleaned


def _without_learned(
    cleaned: str,
    source: SourceConfig,
    learned_junk: frozenset[str],
    looked: boilerplate.Body | None = None,
) -> str:
    """HTML without its junk by rule (_without_ruled_junk) without the learned junk, too.
    `looked`: its paragraphs as `relearned` read them (_looked), not read again."""
    learned = junk.strip_learned(cleaned, learned_junk, looked)
    if learned == cleaned:
        return cleaned
    # Once more by rule: a learned line gone may leave a paragraph that is junk by rule (Rutube's
    # "Производство: Comedy Club Production" line over a resident's links: the paragraph was
    # more than a list of profiles until the learned line went).
    return junk.strip_paragraphs(learned, source.strip_patterns, source.default_junk_rules)


# A page's stylesheet left as text where a site stripped its <style> tags and kept what they held
# (a game's news feed in node-feedparser's corpus: ".share-link a { margin: 0 10px 0 0; …}" after
# the text, 1,400 characters of it). A paragraph of two or more rule sets, four declarations or
# more, and nothing else: a rule or two ("p { color: red; }", "Use h1 { color: red } and h2 {
# color: blue }") may be an article about CSS that did not use <pre>.
_CSS_RULE = re.compile(r"\s*([^{};<>]{1,300}?)\{([^{}]*)\}")
# (a selector has no sentence's punctuation before a space: "Here is the CSS I used: .a {…}" is
# the article's own words)
_PROSE = re.compile(r"[.:!?]\s")
_CSS_DECLARATION = re.compile(r"\s*[-\w]+\s*:[^:]|\s*$")
_PLAIN_PARAGRAPH = re.compile(r"<p>((?:[^<]|<br>){20,20000}?)</p>")


def _stylesheet(text: str) -> bool:
    """Whether `text` is two or more CSS rule sets, four declarations or more ("name: value",
    split by ";"), and nothing else. Rule by rule from where the last ended: linear (one regex
    for all of them backtracked for minutes over 1,500 rules and a near miss at the end)."""
    position = rules = declarations = 0
    while (rule := _CSS_RULE.match(text, position)) is not None:
        parts = rule[2].split(";")
        if _PROSE.search(rule[1]) or not all(_CSS_DECLARATION.match(part) for part in parts):
            return False
        position, rules = rule.end(), rules + 1
        declarations += sum(1 for part in parts if part.strip())
    return rules >= 2 and declarations >= 4 and not text[position:].strip()


# What introduces the paragraph after it: a heading, or words ending in a colon ("The CSS I
# used:"). A stylesheet so introduced is the article's example, written without <pre>.
_INTRODUCES = re.compile(r"(?:[:：]\s*(?:</(?:p|div|b|strong|em|i|span)>\s*)*|</h[1-6]>\s*)$")


def _without_stylesheet_text(content: str) -> str:
    """The content without paragraphs that are a stylesheet as text (_stylesheet), unless
    introduced (_INTRODUCES) or that would leave no text."""
    kept = _PLAIN_PARAGRAPH.sub(
        lambda m: (
            ""
            if _stylesheet(html.unescape(m[1].replace("<br>", "\n")))
            and not _INTRODUCES.search(content, max(m.start() - 64, 0), m.start())
            else m[0]
        ),
        content,
    )
    return kept if kept != content and strip_tags(kept).strip() else content


def _without_title_heading(content: str, title: str) -> str:
    """The content without a first heading that repeats the title (Medium opens every post with
    it): the page shows the title above, and the excerpt began with it."""
    match = _FIRST_HEADING.match(content)
    if match is None or not title:
        return content
    heading, wanted = strip_tags(match[2]).casefold(), strip_tags(title).casefold()
    return content[match.end() :].lstrip() if heading == wanted else content


def _without_more_links(html_text: str) -> str:
    """The HTML without WordPress.com's "Continue reading <title> →" links (class "more-link"),
    inline at the end of an excerpt's paragraph (one of its own goes by the junk rules). Each
    `<a>` tag is read once, and its end looked for in the next 1,000 characters: linear."""
    parts, position = [], 0
    for tag in _A_OPEN.finditer(html_text):
        if tag.start() < position:
            continue
        found = _CLASS.search(tag.group(0))
        if found is None or "more-link" not in "".join(v for v in found.groups() if v).split():
            continue
        end = _A_CLOSE.search(html_text, tag.end(), tag.end() + 1000)
        if end is not None:
            parts.append(html_text[position : tag.start()])
            position = end.end()
    return "".join(parts) + html_text[position:] if parts else html_text


_A_OPEN = re.compile(r"<a\b[^<>]*>", re.I)
_A_CLOSE = re.compile(r"</a\s*>", re.I)
_CLASS = re.compile(r"(?<![\w-])class\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>]*))", re.I)
_FIRST_HEADING = re.compile(r"\s*<(h[1-6])\b[^<>]*>(.{1,500}?)</\1>", re.S)
# What arXiv's feeds put before each abstract: "arXiv:2312.10997v5 Announce Type: new Abstract:"
_ARXIV_HEADER = re.compile(  # (one run of spaces before "arXiv": not quadratic on spaces alone)
    r"^((?:\s*<p>)?\s*)arXiv:[^\s<]+(?:\s|<br>)+Announce Type:\s*[\w-]+(?:\s|<br>)+Abstract:\s*"
)

# Flickr's line before each photo: "<a href=…/people/name/>Name</a> posted a photo:" ("a publié
# une photo :" in its French feeds), its own paragraph at the description's start. Linking the
# poster's Flickr profile, it is no story's "The mayor posted a photo:".
_FLICKR_POSTED = re.compile(
    r'^\s*<p><a href="https://(?:www\.)?flickr\.com/people/[^"<>]*"[^<>]*>[^<>]{1,100}</a>'
    r"[^<>]{1,60}[:：]\s*</p>\s*"
)


# An episode's files (its sound, a video, a transcript, art): a few. Unbounded, every card and
# feed item of a hostile feed's entry carried thousands of players.
MAX_ENCLOSURES = 20


def _enclosures(entry: EntryData, base: str, trusted_host: str) -> tuple[Enclosure, ...]:
    found: dict[str, Enclosure] = {}
    for enclosure in entry.enclosures:
        if len(found) == MAX_ENCLOSURES:
            break
        url = safe_url(enclosure.url, base)
        # Not one on a reader's own network: podcast apps fetch enclosures by themselves, and
        # the article page plays them (as pictures, sanitize.on_readers_network).
        if url and url not in found and not on_readers_network(url, trusted_host):
            kind, named = enclosure.type.strip(), _type_by_extension(url)
            # A type that is no media type, or one that says neither sound, video nor picture
            # when the file's name does (Le Monde's .jpg as "text/html; charset=utf-8", an
            # .mp3 as "application/octet-stream"), is the name's: podcast apps go by the type.
            if not _MEDIA_TYPE.fullmatch(kind) or (
                named and not kind.startswith(("audio/", "video/", "image/", named))
            ):
                kind = named
            elif enclosure.length == 0 and kind.lower().startswith("text/html"):
                # A web page of no size, no attachment (Lemmy's link post: the page it links; an
                # Atom enclosure without a type, which feedparser calls text/html, stays)
                continue
            found[url] = Enclosure(url=url, type=kind, length=enclosure.length)
    enclosures = tuple(found.values())
    if entry.duration is None:
        return enclosures
    # An item has one <itunes:duration>: the length of the episode, its first sound or video.
    first = next((n for n, e in enumerate(enclosures) if _playable(e)), None)
    if first is None:
        return enclosures
    timed = replace(enclosures[first], duration=entry.duration)
    return (*enclosures[:first], timed, *enclosures[first + 1 :])


# The media types of the file names podcasts and feeds use, for an enclosure without a type (or
# with a type that is no media type): as published, with `type`, readers play it; without, a
# podcast app skips it and a reader shows a download link. A fixed table, not `mimetypes`,
# whose answers depend on the host's /etc/mime.types (the article's hash must not).
_EXTENSION_TYPES = {
    "mp3": "audio/mpeg", "m4a": "audio/mp4", "aac": "audio/aac", "ogg": "audio/ogg",
    "oga": "audio/ogg", "opus": "audio/opus", "flac": "audio/flac", "wav": "audio/wav",
    "mp4": "video/mp4", "m4v": "video/x-m4v", "mov": "video/quicktime", "webm": "video/webm",
    "pdf": "application/pdf", "epub": "application/epub+zip", "jpg": "image/jpeg",
    "jpeg": "image/jpeg", "png": "image/png", "gif": "image/gif", "webp": "image/webp",
}  # fmt: skip


def _type_by_extension(url: str) -> str:
    """The media type the URL's file name says (`_EXTENSION_TYPES`), or "" (published as bytes)."""
    name = urlsplit(url).path.rsplit("/", 1)[-1]
    return _EXTENSION_TYPES.get(name.rpartition(".")[2].lower(), "") if "." in name else ""


def _playable(enclosure: Enclosure) -> bool:
    return enclosure.type.startswith(("audio/", "video/"))


def show_artwork(feed: ParsedFeed) -> str:
    """The feed's artwork as an episode's picture (aggregator.images.artwork), or ""."""
    return images.artwork(safe_url(feed.artwork, feed.base_url)) if feed.artwork else ""


def _episode_artwork(entry: EntryData, base: str) -> str:
    """An episode's own picture, judged as its show's is: by size, not by name (Giant Bomb's
    episodes show a game's "mortal_kombat_logo.jpg"); its <itunes:image> first, then its
    media:thumbnail unless that is declared small (a 72×72 one had won over the square artwork
    beside it). Without one, an episode shows its show's, as podcast apps do."""
    sizes = {i.url: (i.width, i.height) for i in entry.images}
    for url in (entry.artwork, entry.thumbnail):
        if url and (art := images.artwork(safe_url(url, base), *sizes.get(url, (None, None)))):
            return art
    return ""


def trusted_host(source: SourceConfig | None) -> str:
    """The host whose pictures stay even on a reader's own network: the source's own, as the
    operator's config names it (an intranet source), never one its feed names. A loopback
    source's with its port ("127.0.0.1:3000"): its host is each reader's own machine, and a
    local bridge relaying other sites' posts (RSS-Bridge and its kind) had every reader's
    browser ask any port of it, `http://localhost:631/admin`, on every page view."""
    return _host_of(source.url) if source is not None else ""


@lru_cache(maxsize=1024)
def _host_of(url: str) -> str:
    """(Read once per source, not once per body and picture of each of its entries.)"""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        if not host or not loopback_host(host):
            return host
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return ""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _thumbnail(
    entry: EntryData, enclosures: Sequence[Enclosure], content: str, base: str, trusted: str
) -> str:
    """The article's lead image (aggregator.images): a feed-named image, else one in content;
    none on a reader's own network but of the `trusted` host (sanitize.on_readers_network)."""
    # (Each made with its address resolved: dataclasses.replace was ~3 us a candidate.)
    named = [images.Candidate(safe_url(i.url, base), i.width, i.height) for i in entry.images]
    named_urls = {c.url for c in named}
    # An enclosure is an image by its type, or by its name unless its type says sound or video
    # (Le Monde declares its .jpg pictures "text/html").
    named += [
        images.Candidate(safe_url(e.url, base))
        for e in enclosures
        if e.type.startswith("image/")
        or (not _playable(e) and e.url.lower().split("?", 1)[0].endswith(_IMAGE_EXTENSIONS))
    ]
    if entry.thumbnail and (thumbnail := safe_url(entry.thumbnail, base)) not in named_urls:
        named.append(images.Candidate(thumbnail))  # an <image>, a JSON Feed image
    # (The content's pictures on readers' networks are gone already: clean_html.)
    feed_named = [c for c in named if not on_readers_network(c.url, trusted)]
    # The pictures the feed's HTML classes as avatars, as the sanitizer resolved them.
    avatars = {
        safe_url(src, base)
        for body in (entry.content, entry.summary)
        if body
        for src in images.avatar_sources(body)
    }
    return images.lead_image(feed_named, content, avatars=avatars)


def excerpt(text: str, limit: int = 160) -> str:
    """At most `limit` user-perceived characters of `text`, with "…" when it was cut, without
    explicit direction controls (_BIDI_CONTROL)."""
    return _without_bidi_controls(_excerpt(text, limit))


def _without_bidi_controls(text: str) -> str:
    if not _BIDI_CONTROL.search(text):
        return text
    isolates = sum(map(text.count, "\u2066\u2067\u2068"))
    if isolates and isolates == text.count("\u2069"):  # closed isolates: an author's, kept
        kept = _BIDI_EMBEDDING.sub("", text)
    else:
        kept = _BIDI_CONTROL.sub("", text)
    return _SPACES.sub(" ", kept).strip(" ")  # (one between two spaces left two)


_SPACES = re.compile(r"  +")


# Right-to-left override and its kin (U+202A-U+202E, U+2066-U+2069): in a title, a byline, a tag or
# an excerpt, one left open reverses what follows it on the line, the time and source after a title
# included ("Invoice <RLO>gpj.exe" reads "Invoice exe.jpg"). The page's lang and dir attributes
# (and dir="auto") set the direction of right-to-left text; its marks (U+200E, U+200F) stay, and
# so do isolates when each is closed (an RTL author's "C++" in an Arabic title): they affect
# nothing outside themselves.
_BIDI_CONTROL = re.compile("[\u202a-\u202e\u2066-\u2069]")
_BIDI_EMBEDDING = re.compile("[\u202a-\u202e]")


# Invisible characters that are no white space to str.split() (zero-width space, joiners, word
# joiner, BOM): at a title's start (GeekPark's "\u200bOPPO Enco X") it sorts and aligns wrongly.
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"


# What shows nothing: white space and Unicode's default-ignorable code points (soft hyphen,
# zero-width characters, joiners, direction marks, variation selectors, Hangul fillers, tag
# characters), and the blank Braille pattern, which fonts draw as a space.
_SHOWS_NOTHING = re.compile(
    "[\\s\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f"
    "\u202a-\u202e\u2060-\u206f\u2800\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e0fff]+"
)


def shows(text: str) -> bool:
    """Whether `text` shows anything: a tag of a zero-width space (or a soft hyphen, a Hangul
    filler) went into our feeds as a category that looks empty, and a title of one made an
    empty link."""
    return bool(_SHOWS_NOTHING.sub("", text))


def _excerpt(text: str, limit: int) -> str:
    """At most `limit` user-perceived characters of `text`, with "…" when it was cut.

    Whitespace is collapsed first. Text is cut between grapheme clusters, never inside one: a
    cluster is a base character plus the combining marks, variation selectors, emoji modifiers,
    tag characters and Hangul vowel/final jamo that follow it, with ZWJ gluing the next character
    on (👩‍💻 stays whole) and regional indicators paired (flags). This is an approximation of
    Unicode's extended grapheme clusters (UAX #29) that is exact for the cases feeds contain.
    Spaced scripts (Korean's Hangul, wide as it is, too) are cut at the last word boundary when
    there is one in the last 40%; CJK and other unspaced text is cut at a character.
    """
    text = collapsed(text).strip(_INVISIBLE).strip()
    if len(text) <= limit:  # fewer code points than the limit means fewer clusters too
        return text
    window = text[: limit + 1]
    if _MAY_EXTEND.search(window):
        clusters = _clusters(text, limit + 1)
        if len(clusters) <= limit:
            return "".join(clusters)  # (the text, unless a cluster was cut)
    else:
        clusters = list(window)  # nothing below U+0300 extends a cluster: one char each
    kept = clusters[: max(limit - 1, 1)]  # one place for the ellipsis
    following = clusters[len(kept)]
    if not following.isspace() and not _is_unspaced(kept[-1]) and not _is_unspaced(following):
        # Mid-word in a spaced script (Korean too): go back to the last space or CJK character.
        floor = int(len(kept) * 0.6)
        for i in range(len(kept) - 1, floor, -1):
            if kept[i].isspace():
                kept = kept[:i]
                break
            if _is_unspaced(kept[i]):
                kept = kept[: i + 1]
                break
    cut = "".join(kept).rstrip(" ,;:-–—、，")
    # (a cut after the text's own "..." is one ellipsis: "Outer Wilds...…" was two)
    return (cut.rstrip(".…") if cut.endswith(("...", "…")) else cut) + "…"


# A cluster is at most this many code points: the longest emoji sequences are about a dozen, and
# a title of "a" and 200,000 ZWJs or combining marks was one "character" (a 200,004-character
# title past the 300 of the cap, and Zalgo over the page).
MAX_CLUSTER_CHARS = 32


def _clusters(text: str, count: int) -> list[str]:
    """The first `count` grapheme clusters of `text` (see `excerpt`), each cut to
    MAX_CLUSTER_CHARS."""
    clusters: list[str] = []
    glue_next = False
    at, end = 0, len(text)
    while at < end:
        char = text[at]
        if not glue_next and (run := _ONE_EACH.match(text, at)):
            # A cluster a character, taken at once, not a loop step each (an English text with
            # one "’" in its first 160 characters took ~35 µs a character at a time).
            stop = run.end()
            room = count - len(clusters)
            if stop - at > room:
                clusters.extend(text[at : at + room])
                break
            clusters.extend(text[at:stop])
            at = stop
            continue
        at += 1
        extends = glue_next or (
            ord(char) >= 0x300 and _extends(char, clusters[-1] if clusters else "")
        )
        if clusters and extends:
            if len(clusters[-1]) < MAX_CLUSTER_CHARS:
                clusters[-1] += char
        else:
            if len(clusters) == count:
                break
            clusters.append(char)
        glue_next = char == "\u200d"
    return clusters


# Runs of characters that extend no cluster and glue none on (no ZWJ): those below U+0300 and
# the blocks of Greek, Cyrillic, punctuation ("’", "—"), kana, Han, Hangul syllables and
# full-width forms, less their combining marks (U+0483-0489, U+302A-302F, U+3099-309A).
# tests/test_normalize.py checks each against _extends.
_ONE_EACH = re.compile(
    "[\x00-\u02ff\u0370-\u0482\u048a-\u052f\u2000-\u200c\u200e-\u206f\u3000-\u3029"
    "\u3030-\u3098\u309b-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7a3\uff00-\uffef]+"
)


def _extends(char: str, cluster: str) -> bool:
    """True when `char` (U+0300 or above) belongs to the cluster before it."""
    code = ord(char)
    if unicodedata.category(char) in ("Mn", "Me", "Mc") or char == "\u200d":
        return True
    if 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF:  # variation selectors
        return True
    if 0x1F3FB <= code <= 0x1F3FF or 0xE0020 <= code <= 0xE007F:  # skin tones, emoji tags
        return True
    if 0x1160 <= code <= 0x11FF or 0xD7B0 <= code <= 0xD7FB:  # Hangul medial and final jamo
        return True
    if 0x1F1E6 <= code <= 0x1F1FF:  # regional indicators pair up into a flag
        return len(cluster) == 1 and 0x1F1E6 <= ord(cluster) <= 0x1F1FF
    return False


def _is_unspaced(cluster: str) -> bool:
    """True for CJK (and other full-width) characters: text without spaces between words. Not
    Hangul, wide as it is: Korean spaces its words, and was cut in the middle of one."""
    return unicodedata.east_asian_width(cluster[0]) in ("W", "F") and not _HANGUL.match(cluster)


# Hangul jamo, compatibility jamo, extended jamo and syllables.
_HANGUL = re.compile("[\u1100-\u11ff\u3130-\u318f\ua960-\ua97f\uac00-\ud7ff]")


# --- filters ------------------------------------------------------------------------------------


@lru_cache(maxsize=1024)
def as_configured(source: SourceConfig) -> Callable[[Article], Article | None]:
    """A stored article of `source` as its settings of now make it (categories, name), or None
    where its filters now refuse it: for articles stored before an edit, which its feed no
    longer lists (the Store rewrites them).

    Ingest judged the title and the summary's text, which is not stored: an include is looked
    for in all the article's text and an exclude only in its title and excerpt, so the filters
    a source had never refuse what they let in.
    """
    includes = [junk.config_regex(p) for p in source.include]
    excludes = [junk.config_regex(p) for p in source.exclude]
    feed_url = safe_url(source.url, source.url)

    def stamp(article: Article) -> Article | None:
        shown = f"{article.title}\n{article.summary}"
        if includes:
            everything = f"{shown}\n{strip_tags(article.content)}"
            if not any(p.search(everything) for p in includes):
                return None
        if any(p.search(shown) for p in excludes):
            return None
        return replace(
            article,
            categories=source.categories,
            source_name=source.name,
            source_feed_url=feed_url,
        )

    return stamp


def _filter(include: tuple[str, ...], exclude: tuple[str, ...]) -> Callable[[str], bool]:
    """A predicate on title+text: matches an include pattern (if any) and no exclude pattern."""
    includes = [junk.config_regex(p) for p in include]
    excludes = [junk.config_regex(p) for p in exclude]

    def wanted(text: str) -> bool:
        if includes and not any(p.search(text) for p in includes):
            return False
        return not any(p.search(text) for p in excludes)

    return wanted


# An entry's guid is kept (for the record: the article's id is a hash of all of it) up to this
# long, then its start and a hash of the whole: a 3 MB guid was stored whole on its article,
# and read back with it on every page listing it.
MAX_GUID_CHARS = 4096


def _kept_guid(guid: str) -> str:
    if len(guid) <= MAX_GUID_CHARS:
        return guid
    return f"{guid[: MAX_GUID_CHARS - 80]}… sha256:{_sha256(guid)}"


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
