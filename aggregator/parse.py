"""Turn a fetched body into a ParsedFeed: RSS 0.9x/1.0/2.0 and Atom via feedparser, JSON Feed here.

Pure: bytes and headers in, values out; no I/O (feedparser only ever gets a BytesIO).

Before feedparser sees a document we:
- gunzip bodies that are still gzip-compressed (servers that gzip twice, or send .xml.gz);
- decode it ourselves (BOM, UTF-16/32 byte patterns, the HTTP charset, the XML declaration, a
  detector for undeclared legacy encodings) and hand feedparser UTF-8, because feedparser
  without chardet reads an undeclared GB2312 feed as windows-1252 mojibake;
- drop everything before the root element (whitespace and comments before `<?xml`, the XML
  declaration itself, and the DOCTYPE with its internal subset, so no entity is ever expanded);
- recognize HTML pages and name the feeds they advertise.
feedparser runs with sanitize_html=False and resolve_relative_uris=False (60-70% of its cost,
DESIGN §6): `normalize` sanitizes with nh3, which also resolves relative URLs.
"""

from __future__ import annotations

import codecs
import io
import json
import re
import time
import zlib
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

import charset_normalizer
import feedparser

from aggregator.errors import ParseError
from aggregator.models import EnclosureData, EntryData, ImageData, ParsedFeed
from aggregator.sanitize import clean_html

# A body that is still gzip-compressed is inflated up to this size (a zip bomb stops here).
MAX_DECOMPRESSED_BYTES = 32 * 1024 * 1024

# Dates outside this range are junk (epoch-zero placeholders, typos like year 20224).
_MIN_YEAR, _MAX_YEAR = 1980, 2200

_HTML_TYPES = ("text/html", "application/xhtml+xml")
_FEED_LINK_TYPES = (
    "application/rss+xml",
    "application/atom+xml",
    "application/feed+json",
    "application/json",
    "application/rdf+xml",
)

# --- decoding -----------------------------------------------------------------------------------

# Declared names mapped to the codec that decodes what servers really send under that name
# (WHATWG Encoding Standard: GB2312 means GBK/GB18030, Big5 means Big5-HKSCS, Shift_JIS means
# windows-31J, EUC-KR means windows-949, Latin-1 and ASCII mean windows-1252).
_ENCODING_ALIASES = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "cp936": "gb18030",
    "euc-cn": "gb18030",
    "x-gbk": "gb18030",
    "big5": "big5hkscs",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "windows-31j": "cp932",
    "euc-kr": "cp949",
    "ks_c_5601-1987": "cp949",
    "tis-620": "cp874",
    "iso-8859-11": "cp874",
    "iso-8859-9": "cp1254",
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
}
# HTTP charsets that are usually a server default rather than a statement about the document:
# when the XML declaration names another encoding, the declaration is tried first.
_DEFAULT_HTTP_CHARSETS = frozenset({"cp1252", "iso8859-1", "ascii"})
# Detector guesses we trust: multi-byte CJK encodings and single-byte non-Latin scripts.
# For Latin text detectors confuse windows-125x variants, and windows-1252 is the better bet.
_TRUSTED_GUESSES = frozenset(
    {"gb18030", "gb2312", "gbk", "big5", "big5hkscs", "cp950", "shift_jis", "cp932", "euc_jp",
     "euc_kr", "cp949", "iso2022_jp", "iso2022_kr", "koi8_r", "koi8_u", "cp1251", "iso8859_5",
     "mac_cyrillic", "cp866", "cp1253", "iso8859_7", "cp1255", "iso8859_8", "cp1256",
     "iso8859_6", "tis_620", "cp874", "utf_16", "utf_32"}
)  # fmt: skip
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_XML_DECL_ENCODING = re.compile(rb"""<\?xml[^>]{0,200}?encoding\s*=\s*["']([\w.:-]+)["']""")
_CHARSET_PARAM = re.compile(r"""charset\s*=\s*["']?([\w.:-]+)""", re.IGNORECASE)
_HIGH_BYTES = bytes(range(128, 256))
# Characters XML 1.0 forbids; real feeds contain them and expat would give up on the document.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

# --- the prolog ---------------------------------------------------------------------------------

_PROLOG_ITEM = re.compile(
    r"[\s\ufeff]*(<\?.*?\?>|<!--.*?-->|<!doctype\b)", re.IGNORECASE | re.DOTALL
)
_DOCTYPE_TOKEN = re.compile(r"\"[^\"]*\"|'[^']*'|<!--.*?-->|[\[\]>]", re.DOTALL)
_ROOT = re.compile(r"[\s\ufeff]*<([A-Za-z_][\w.:-]*)")
_DOCTYPE_NAME = re.compile(r"\s+([\w.:-]+)")
_HTML_ROOTS = frozenset({"html", "head", "body"})
_FEED_ROOTS = frozenset({"rss", "feed", "rdf", "channel"})  # local names, any case
_LINK_OR_BASE_TAG = re.compile(r"<(?:link|base)\b[^>]*>", re.IGNORECASE)

# --- JSON Feed ----------------------------------------------------------------------------------

_JSON_TYPES = ("application/feed+json", "application/json")


def parse(body: bytes, *, url: str, headers: Mapping[str, str]) -> ParsedFeed:
    """Parse a fetched body (RSS, Atom or JSON Feed) into a ParsedFeed, or raise ParseError."""
    try:
        return _parse(body, url=url, headers=headers)
    except (ValueError, OverflowError, LookupError, RecursionError) as e:
        # feedparser's lenient parser raises these on hostile character references
        # (&#x110000;, &#xD800;, 20-digit numbers) and codecs on odd declared charsets; the
        # source gets a readable error instead of a crashed job. UnicodeError is a ValueError.
        raise ParseError(f"The feed could not be read ({type(e).__name__}: {e}).") from e


def _parse(body: bytes, *, url: str, headers: Mapping[str, str]) -> ParsedFeed:
    lowered = {name.lower(): value for name, value in headers.items()}
    content_type = lowered.get("content-type", "")
    base_url = _base_url(url, lowered.get("content-location", ""))
    if not body.strip():
        raise ParseError("The response body is empty: there is no feed to read.")
    if body[:2] == b"\x1f\x8b":
        body = _gunzip(body)
    text, encoding_warning = decode(body, content_type)
    stripped = text.lstrip("\ufeff \t\r\n")
    if not stripped:
        raise ParseError("The response body is empty: there is no feed to read.")
    mime = content_type.split(";", 1)[0].strip().lower()
    if stripped[0] in "{[" or (mime in _JSON_TYPES and stripped[0] != "<"):
        return _parse_json_feed(stripped, base_url, encoding_warning)
    return _parse_xml(stripped, base_url, lowered, encoding_warning)


def _base_url(url: str, content_location: str) -> str:
    if content_location:
        resolved = urljoin(url, content_location.strip())
        if urlsplit(resolved).scheme in ("http", "https"):
            return resolved
    return url


def _gunzip(body: bytes) -> bytes:
    """Inflate a gzip body (all members), refusing to go past MAX_DECOMPRESSED_BYTES."""
    out: list[bytes] = []
    size = 0
    data = body
    try:
        while data[:2] == b"\x1f\x8b":
            inflater = zlib.decompressobj(wbits=31)
            chunk = inflater.decompress(data, MAX_DECOMPRESSED_BYTES - size + 1)
            size += len(chunk)
            out.append(chunk)
            if size > MAX_DECOMPRESSED_BYTES:
                limit = MAX_DECOMPRESSED_BYTES // (1024 * 1024)
                raise ParseError(
                    f"The body is gzip-compressed and inflates to more than {limit} MiB; "
                    "refusing to read it."
                )
            data = inflater.unused_data
    except zlib.error as e:
        if not out or not out[0]:
            raise ParseError(
                f"The body looks gzip-compressed but cannot be decompressed ({e})."
            ) from e
        # A truncated or corrupt tail: read what inflated cleanly.
    return b"".join(out)


# --- decoding -----------------------------------------------------------------------------------


def decode(body: bytes, content_type: str = "") -> tuple[str, str | None]:
    """Decode a feed body to text: (text, warning or None). Never fails.

    Order: a BOM; UTF-16/32 recognized by its zero bytes; pure ASCII; valid UTF-8 (legacy text
    is practically never valid UTF-8, and servers often declare Latin-1 for UTF-8); the HTTP
    charset and the XML declaration, strictly; the same leniently when only a few bytes are
    bad; a detector for CJK and non-Latin legacy encodings; windows-1252.
    """
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            return _lenient(body[len(bom) :], encoding)
    wide = _sniff_utf16_32(body[:4])
    if wide:
        return _lenient(body, wide)
    if body.isascii():
        return body.decode("ascii"), None
    try:
        return body.decode("utf-8"), None
    except UnicodeDecodeError:
        pass
    declared = _declared_encodings(body, content_type)
    for encoding in declared:
        try:
            return body.decode(encoding), None
        except UnicodeDecodeError:
            continue
    high = len(body) - len(body.translate(None, _HIGH_BYTES))
    for encoding in (*declared, "utf-8"):
        text = body.decode(encoding, errors="replace")
        bad = text.count("\ufffd")
        if bad * 20 <= high:  # at most 5% of the non-ASCII bytes are broken
            return text, (
                f"{bad} byte(s) are not valid {_label(encoding)} and were replaced with \ufffd."
            )
    guess = charset_normalizer.from_bytes(body[: 256 * 1024]).best()
    if guess is not None and guess.encoding in _TRUSTED_GUESSES:
        encoding = _ENCODING_ALIASES.get(guess.encoding.replace("_", "-"), guess.encoding)
        text = body.decode(encoding, errors="replace")
        named = ", ".join(_label(e) for e in declared) or "no encoding"
        return text, f"The document declares {named} but reads as {_label(encoding)}."
    text = body.decode("cp1252", errors="replace")
    if declared:
        named = ", ".join(_label(e) for e in declared)
        return text, f"The document is not valid {named}; it was read as windows-1252."
    return text, None


def _lenient(data: bytes, encoding: str) -> tuple[str, str | None]:
    text = data.decode(encoding, errors="replace")
    bad = text.count("\ufffd")
    if bad:
        return text, f"{bad} byte(s) are not valid {_label(encoding)} and were replaced."
    return text, None


def _sniff_utf16_32(head: bytes) -> str | None:
    """UTF-16/32 without a BOM, from the zero bytes around the first (ASCII) character."""
    if len(head) < 4:
        return None
    if head[:3] == b"\0\0\0" and head[3]:
        return "utf-32-be"
    if head[0] and head[1:4] == b"\0\0\0":
        return "utf-32-le"
    if not head[0] and head[1] and not head[2] and head[3]:
        return "utf-16-be"
    if head[0] and not head[1] and head[2] and not head[3]:
        return "utf-16-le"
    return None


def _declared_encodings(body: bytes, content_type: str) -> list[str]:
    """Codec names from the HTTP charset and the XML declaration, most trustworthy first."""
    charset = _CHARSET_PARAM.search(content_type)
    declaration = _XML_DECL_ENCODING.search(body, 0, 1024)  # comments may come before it
    http = _codec(charset.group(1)) if charset else None
    xml = _codec(declaration.group(1).decode("ascii")) if declaration else None
    ordered = [http, xml]
    if http in _DEFAULT_HTTP_CHARSETS and xml and xml != http:
        ordered = [xml, http]
    names: list[str] = []
    for name in ordered:
        if name and name not in names:
            names.append(name)
    if "cp1252" in names:
        names.append("latin-1")  # windows-1252 leaves five bytes undefined; Latin-1 has them
    return names


def _codec(declared: str) -> str | None:
    """The Python codec for a declared encoding name, or None if unknown or not byte-oriented."""
    name = declared.strip().strip("'\"").lower()
    name = _ENCODING_ALIASES.get(name, name)
    try:
        info = codecs.lookup(name)
    except LookupError:
        return None
    # "hex", "base64", "rot13" and friends are codecs too, but not text encodings.
    if not getattr(info, "_is_text_encoding", True):
        return None
    codec = info.name
    # Without their zero bytes (handled earlier) UTF-16/32 declarations are wrong, and UTF-7
    # or EBCDIC would "decode" ASCII into nonsense.
    if codec.startswith(
        ("utf-16", "utf-32", "utf-7", "cp037", "cp500", "cp1140", "idna", "punycode")
    ):
        return None
    return codec


def _label(codec: str) -> str:
    return codec.upper().replace("_", "-")


# --- XML: RSS and Atom --------------------------------------------------------------------------


def _parse_xml(
    text: str, base_url: str, headers: Mapping[str, str], warning: str | None
) -> ParsedFeed:
    document, root, doctype = _strip_prolog(text)
    if root is None:
        raise ParseError("The document has no root element: it is not a feed.")
    local_root = root.lower().rpartition(":")[2]
    if local_root in _HTML_ROOTS or (doctype == "html" and local_root not in _FEED_ROOTS):
        raise ParseError(_html_page_message(document, base_url))
    document = _XML_ILLEGAL.sub("", document)
    # feedparser resolves a relative RSS <guid> that claims to be a permalink against this base
    # (RSS's isPermaLink defaults to true); absolute guids, the real-world norm, are untouched.
    response_headers = {
        "content-type": "application/xml; charset=utf-8",
        "content-location": base_url,
    }
    if "content-language" in headers:
        response_headers["content-language"] = headers["content-language"]
    data = b'<?xml version="1.0" encoding="utf-8"?>' + document.encode("utf-8")
    result = feedparser.parse(
        io.BytesIO(data),
        response_headers=response_headers,
        sanitize_html=False,
        resolve_relative_uris=False,
    )
    version = result.get("version") or ""
    entries = result.get("entries") or []
    bozo = _bozo_message(result.get("bozo_exception")) if result.get("bozo") else None
    if not entries:
        if bozo:
            raise ParseError(f"{bozo}; no entries could be read from it.")
        if not version:
            raise ParseError(
                f"The document is XML but not an RSS, Atom or RDF feed (its root is <{root}>)."
            )
    feed = result.get("feed") or {}
    feed_base = _detail_base(feed, "title_detail", "subtitle_detail") or base_url
    return ParsedFeed(
        title=_str(feed.get("title")),
        link=_alternate_link(feed) or _str(feed.get("link")),
        language=_str(feed.get("language")),
        ttl=_ttl(feed.get("ttl")),
        hub=_hub(feed),
        entries=tuple(_entry(e, feed_base) for e in entries),
        base_url=feed_base,
        warning=_join_warnings(bozo and f"{bozo}; it was read leniently", warning),
    )


def _strip_prolog(text: str) -> tuple[str, str | None, str]:
    """The document from its root element on, its root's name (or None), its DOCTYPE's name.

    Drops the XML declaration wherever it is (whitespace or comments before it are common),
    processing instructions, comments, and the DOCTYPE with its internal subset: a document
    without a DTD can declare no entity, which rules out billion-laughs and external entities.
    """
    pos = 0
    doctype = ""
    while match := _PROLOG_ITEM.match(text, pos):
        pos = match.end()
        if match.group(1).lower() == "<!doctype":
            if name := _DOCTYPE_NAME.match(text, pos):
                doctype = doctype or name.group(1).lower()
            pos = _doctype_end(text, pos)
    root = _ROOT.match(text, pos)
    if root is None:
        return text[pos:], None, doctype
    start = root.start(1) - 1
    # Keep the line count so parse errors name the line of the original document.
    return "\n" * text.count("\n", 0, start) + text[start:], root.group(1), doctype


def _doctype_end(text: str, pos: int) -> int:
    """The index after the DOCTYPE starting before `pos`, skipping quoted strings and comments."""
    depth = 0
    for token in _DOCTYPE_TOKEN.finditer(text, pos):
        value = token.group(0)
        if value == "[":
            depth += 1
        elif value == "]":
            depth = max(depth - 1, 0)
        elif value == ">" and depth == 0:
            return token.end()
    return len(text)


def _bozo_message(exc: object) -> str:
    """An operator-readable sentence for feedparser's bozo exception."""
    get_message = getattr(exc, "getMessage", None)
    if callable(get_message):
        line = getattr(exc, "getLineNumber", lambda: None)()
        where = f" at line {line}" if line else ""
        return f"The feed is not well-formed XML ({get_message()}{where})"
    return f"The feed is not well-formed ({exc})"


def _join_warnings(*warnings: str | None) -> str | None:
    present = [w.rstrip(".") for w in warnings if w]
    return ". ".join(present) + "." if present else None


def _entry(entry: Mapping[str, Any], feed_base: str) -> EntryData:
    title_detail = entry.get("title_detail") or {}
    summary_detail = entry.get("summary_detail") or {}
    content = _richest_content(entry.get("content") or [])
    content_value = _str(content.get("value")) if content else None
    content_is_html = bool(content) and _is_html_type(content.get("type"))
    summary = _str(entry.get("summary"))
    summary_is_html = _is_html_type(summary_detail.get("type"))
    # feedparser copies an Atom <content> into `summary` when there is no <summary>.
    if summary is not None and summary == content_value:
        summary = None
    # An entry's own xml:base (rare) differs from the feed's: resolve its HTML here, because
    # normalize only knows the feed's base.
    if content_value and content_is_html:
        content_value = _rebase(content_value, content.get("base"), feed_base)
    if summary and summary_is_html:
        summary = _rebase(summary, summary_detail.get("base"), feed_base)
    language = (content or summary_detail or title_detail).get("language")
    return EntryData(
        guid=_str(entry.get("id")),
        link=_alternate_link(entry) or _str(entry.get("link")),
        title=_str(entry.get("title")),
        title_is_html=_is_html_type(title_detail.get("type")),
        summary=summary,
        summary_is_html=summary_is_html,
        content=content_value,
        content_is_html=content_is_html,
        author=_author(entry),
        published=_date(entry.get("published_parsed")),
        updated=_date(entry.get("updated_parsed")),
        tags=_dedupe(_str(t.get("label")) or _str(t.get("term")) for t in entry.get("tags") or []),
        enclosures=_enclosures(entry.get("enclosures") or []),
        thumbnail=_thumbnail(entry),
        language=_str(language),
        published_raw=_str(entry.get("published")),
        updated_raw=_str(entry.get("updated")),
        images=_images(entry),
    )


def _rebase(html_text: str, base: object, feed_base: str) -> str:
    if isinstance(base, str) and base and base != feed_base:
        return clean_html(html_text, base)
    return html_text


def _richest_content(contents: Iterable[Mapping[str, Any]]) -> Mapping[str, Any]:
    """The HTML body if there is one, else the longest; {} when there is no content."""
    best: Mapping[str, Any] = {}
    best_key = (False, -1)
    for item in contents:
        value = _str(item.get("value"))
        if not value:
            continue
        key = (_is_html_type(item.get("type")), len(value))
        if key > best_key:
            best, best_key = item, key
    return best


def _is_html_type(content_type: object) -> bool:
    return isinstance(content_type, str) and content_type in _HTML_TYPES


def _alternate_link(node: Mapping[str, Any]) -> str | None:
    """The first rel=alternate link to an HTML page (feedparser's `link` keeps the last)."""
    for link in node.get("links") or []:
        href = _str(link.get("href"))
        rel = link.get("rel", "alternate")
        if href and rel == "alternate" and (link.get("type") or "text/html") in _HTML_TYPES:
            return href
    return None


def _hub(feed: Mapping[str, Any]) -> str | None:
    for link in feed.get("links") or []:
        if link.get("rel") == "hub" and _str(link.get("href")):
            return _str(link.get("href"))
    return None


def _detail_base(node: Mapping[str, Any], *keys: str) -> str | None:
    for key in keys:
        base = (node.get(key) or {}).get("base")
        if isinstance(base, str) and urlsplit(base).scheme in ("http", "https"):
            return base
    return None


def _author(entry: Mapping[str, Any]) -> str | None:
    names = _dedupe(
        _str(a.get("name")) or _str(a.get("email")) for a in entry.get("authors") or [] if a
    )
    if names:
        return ", ".join(names)
    return _str(entry.get("author"))


def _enclosures(items: Iterable[Mapping[str, Any]]) -> tuple[EnclosureData, ...]:
    found: dict[str, EnclosureData] = {}
    for item in items:
        href = _str(item.get("href")) or _str(item.get("url"))
        if href and href not in found:
            found[href] = EnclosureData(
                url=href, type=_str(item.get("type")) or "", length=_length(item.get("length"))
            )
    return tuple(found.values())


def _thumbnail(entry: Mapping[str, Any]) -> str | None:
    """media:thumbnail, an image media:content, the item's image, or an image enclosure."""
    for thumb in entry.get("media_thumbnail") or []:
        if url := _str(thumb.get("url")):
            return url
    for media in entry.get("media_content") or []:
        url = _str(media.get("url"))
        kind = str(media.get("medium") or media.get("type") or "")
        if url and (kind == "image" or kind.startswith("image/")):
            return url
    image = entry.get("image")
    if isinstance(image, Mapping) and (url := _str(image.get("href"))):
        return url
    for enclosure in entry.get("enclosures") or []:
        href = _str(enclosure.get("href"))
        if href and str(enclosure.get("type") or "").startswith("image/"):
            return href
    return None


def _images(entry: Mapping[str, Any]) -> tuple[ImageData, ...]:
    """The entry's media:content images, then its media:thumbnails, with their declared sizes."""
    found = []
    for media in entry.get("media_content") or []:
        kind = str(media.get("medium") or media.get("type") or "")
        if kind == "image" or kind.startswith("image/"):
            found.append(media)
    found += entry.get("media_thumbnail") or []
    return tuple(
        ImageData(url, _length(item.get("width")), _length(item.get("height")))
        for item in found
        if (url := _str(item.get("url")))
    )


def _date(value: object) -> datetime | None:
    """A UTC datetime from feedparser's UTC struct_time; None when missing or absurd."""
    if not isinstance(value, time.struct_time):
        return None
    if not _MIN_YEAR <= value.tm_year <= _MAX_YEAR:
        return None
    try:
        return datetime(*value[:6], tzinfo=UTC)
    except (ValueError, OverflowError):
        return None


def _ttl(value: object) -> int | None:
    """RSS <ttl> (minutes) in seconds."""
    try:
        minutes = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return minutes * 60 if minutes > 0 else None


def _length(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return int(value) if value >= 0 else None
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if number >= 0 else None


def _str(value: object) -> str | None:
    """A stripped non-empty string, or None (feedparser and JSON give all sorts of things)."""
    if isinstance(value, str):
        return value.strip() or None
    return None


def _dedupe(values: Iterable[str | None]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in values if v))


# --- HTML pages ---------------------------------------------------------------------------------


class _FeedLinkFinder(HTMLParser):
    """Collects <link rel="alternate" type="…feed type…" href> and <base href> of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.base: str | None = None
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "base" and self.base is None and values.get("href"):
            self.base = values["href"].strip()
        elif tag == "link":
            rel = values.get("rel", "").lower().split()
            kind = values.get("type", "").split(";")[0].strip().lower()
            href = values.get("href", "").strip()
            if "alternate" in rel and kind in _FEED_LINK_TYPES and href:
                self.hrefs.append(href)


def _html_page_message(document: str, base_url: str) -> str:
    """'This is an HTML page, not a feed.' plus the feed URLs the page advertises."""
    finder = _FeedLinkFinder()
    # Only <link> and <base> tags matter, and they may be anywhere: feed just those.
    for tag in _LINK_OR_BASE_TAG.finditer(document):
        finder.feed(tag.group(0))
    base = urljoin(base_url, finder.base) if finder.base else base_url
    urls = list(dict.fromkeys(urljoin(base, href) for href in finder.hrefs))
    urls = [u for u in urls if urlsplit(u).scheme in ("http", "https")][:3]
    message = "This is an HTML page, not a feed."
    if len(urls) == 1:
        return f"{message} The page advertises a feed at {urls[0]}; use that URL."
    if urls:
        return f"{message} The page advertises feeds at {', '.join(urls)}; use one of those URLs."
    return f'{message} It does not advertise a feed either (no <link rel="alternate">).'


# --- JSON Feed ----------------------------------------------------------------------------------


def _parse_json_feed(text: str, base_url: str, warning: str | None) -> ParsedFeed:
    """Parse a JSON Feed 1.0/1.1 document (https://jsonfeed.org/version/1.1)."""
    try:
        document = json.loads(text)
    except (ValueError, RecursionError) as e:
        raise ParseError(f"The document looks like JSON but is not valid JSON ({e}).") from e
    if not isinstance(document, dict):
        raise ParseError("The document is JSON but not a JSON Feed (it is not an object).")
    version = document.get("version")
    items = document.get("items")
    if not isinstance(items, list):
        if isinstance(version, str) and "jsonfeed.org" in version:
            raise ParseError("The JSON Feed has no 'items' list.")
        raise ParseError("The document is JSON but not a JSON Feed (no 'version', no 'items').")
    if not isinstance(version, str):
        warning = _join_warnings("The JSON Feed does not say which version it is", warning)
    hubs = document.get("hubs")
    hub_urls = (
        [_str(h.get("url")) for h in hubs if isinstance(h, dict)] if isinstance(hubs, list) else []
    )
    hub = next((u for u in hub_urls if u), None)
    language = _str(document.get("language"))
    feed_authors = _json_authors(document)
    return ParsedFeed(
        title=_str(document.get("title")),
        link=_str(document.get("home_page_url")),
        language=language,
        ttl=None,
        hub=hub,
        entries=tuple(_json_item(i, feed_authors) for i in items if isinstance(i, dict)),
        base_url=base_url,
        warning=warning,
    )


def _json_item(item: Mapping[str, Any], feed_authors: str | None) -> EntryData:
    html_body = _str(item.get("content_html"))
    text_body = _str(item.get("content_text"))
    guid = item.get("id")
    attachments = item.get("attachments")
    enclosures = (
        _enclosures(
            {"href": a.get("url"), "type": a.get("mime_type"), "length": a.get("size_in_bytes")}
            for a in attachments
            if isinstance(a, dict)
        )
        if isinstance(attachments, list)
        else ()
    )
    tags = item.get("tags")
    return EntryData(
        guid=_json_id(guid),
        link=_str(item.get("url")) or _str(item.get("external_url")),
        title=_str(item.get("title")),
        title_is_html=False,
        summary=_str(item.get("summary")),
        summary_is_html=False,
        content=html_body or text_body,
        content_is_html=html_body is not None,
        author=_json_authors(item) or feed_authors,
        published=_iso_date(item.get("date_published")),
        updated=_iso_date(item.get("date_modified")),
        tags=_dedupe(_str(t) for t in tags) if isinstance(tags, list) else (),
        enclosures=enclosures,
        thumbnail=_str(item.get("image")) or _str(item.get("banner_image")),
        language=_str(item.get("language")),
        published_raw=_str(item.get("date_published")),
        updated_raw=_str(item.get("date_modified")),
    )


def _json_id(value: object) -> str | None:
    """An item id as a string; JSON Feeds in the wild use numbers too."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    return str(value).strip() or None


def _json_authors(node: Mapping[str, Any]) -> str | None:
    """JSON Feed 1.1 `authors` (a list) or 1.0 `author` (an object), as one string."""
    authors = node.get("authors")
    if not isinstance(authors, list):
        authors = [node.get("author")]
    names = _dedupe(_str(a.get("name")) for a in authors if isinstance(a, dict))
    return ", ".join(names) or None


def _iso_date(value: object) -> datetime | None:
    """An RFC 3339 date (naive means UTC) as UTC; None when missing, malformed or absurd."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        # feedparser knows many more formats (RFC 822 slips into JSON Feeds too).
        struct = _parse_date_string(value)
        return _date(struct)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    if not _MIN_YEAR <= parsed.year <= _MAX_YEAR:
        return None
    return parsed.astimezone(UTC)


_parse_date_string: Callable[[str], object] = feedparser.datetimes._parse_date
