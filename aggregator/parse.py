"""Turn a fetched body into a ParsedFeed: RSS 0.9x/1.0/2.0 and Atom via feedparser-rs or feedparser,
JSON Feed here.

Pure: bytes and headers in, values out; no I/O (feedparser only ever gets a BytesIO).

Before feedparser sees a document we:
- gunzip bodies that are still gzip-compressed (servers that gzip twice, or send .xml.gz);
- decode it ourselves (BOM, UTF-16/32 byte patterns, the HTTP charset, the XML declaration, a
  detector for undeclared legacy encodings) and hand feedparser UTF-8, because feedparser
  without chardet reads an undeclared GB2312 feed as windows-1252 mojibake;
- drop everything before the root element (whitespace and comments before `<?xml`, the XML
  declaration itself, and the DOCTYPE with its internal subset, so no entity is ever expanded);
- recognize HTML pages and name the feeds they advertise.
feedparser runs with sanitize_html=False and resolve_relative_uris=False (60-70% of its cost;
docs/architecture.md, "Library pitfalls"): `normalize` sanitizes with nh3, which also resolves
relative URLs.

The fast path: feedparser-rs (a native parser with feedparser's API shape, ~40x faster) reads
the same prepared bytes first, and its reading is kept only when the document has none of the
features it reads differently from feedparser (`_fast_gap`, each found by the differential test,
tests/test_parse_differential.py); otherwise feedparser, the reference, reads it. Both readings
go through the same mapping (`_feed`, `_entry`), so what leaves here is the same either way, and
ParsedFeed.parser says which parser it was. `fetch.parser = "feedparser"` skips the fast path.
"""

from __future__ import annotations

import bisect
import codecs
import contextlib
import functools
import html
import html.entities
import io
import json
import math
import re
import time
import xml.parsers.expat
import xml.sax.saxutils
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import urljoin, urlsplit

import charset_normalizer
import feedparser
import feedparser_rs
from charset_normalizer.md import mess_ratio

from aggregator import frequent_characters, gzip_member
from aggregator.addresses import private_host
from aggregator.dates import MONTH_ABBREVIATIONS, USUAL_RFC822, written_offset
from aggregator.errors import ParseError
from aggregator.errors import join_warnings as _join_warnings
from aggregator.models import EnclosureData, EntryData, ImageData, ParsedFeed
from aggregator.sanitize import on_readers_network, plain_text, text_to_html
from aggregator.xml_text import xml_char

if TYPE_CHECKING:
    from typing_extensions import Buffer  # (collections.abc's from Python 3.12)

try:
    from aggregator import _native
except ImportError:  # not built (no C compiler at install): the Python reference does it
    _native = None  # type: ignore[assignment]

# A body that is still gzip-compressed is inflated up to this size (a zip bomb stops here), and
# from at most this many gzip members (a file is one; some tools append a few).
MAX_DECOMPRESSED_BYTES = 32 * 1024 * 1024
# A document listing more entries is refused before either parser reads it: 200,000 items of a
# 3 MB JSON Feed took a worker 75 s and 700 MB, 600,000 of RSS 200 s and 1.8 GB. The longest
# real feeds (podcast archives) list a few thousand. (A refresh cleans and keeps at most
# retention.max_per_source of those it reads: refresh.py.)
MAX_ENTRIES = 100_000
_ENTRY_START = re.compile(rb"<(?:\w+:)?(?:item|entry)[\s>/]")


# feedparser takes ~30 µs and ~650 bytes an element, with no bound of its own: 3.4 million
# "<x>" (10 MB, 10 KB gzipped) held a worker 111 s and 2.2 GB. A document past this many goes no
# further than the fast path (the corpus's largest has 14,000; a feed of 1,000 items, 20,000).
MAX_ELEMENTS = 200_000
# Nor one nesting elements deeper than this: feedparser's cost an element grows with the depth
# (100,000 nested <item>s took 72 s, 10,000 half a second). feedparser-rs stops at 100; no feed
# nests 30 deep, but a broken one's unescaped HTML may leave a few thousand <p> open.
MAX_DEPTH = 10_000
# Nor one with a tag longer than this: 1.7 million copies of one attribute in a tag (10 MB)
# took 12 s and 1.3 GB (expat refuses them; feedparser's lenient parser reads them all).
MAX_TAG_BYTES = 65_536
# A document larger than this is held to those bounds before the fast path too: feedparser-rs
# spends ~4x a 10 MB document's size before it fails on one (a worker fetching four at once
# passed 400 MB). No smaller one can have MAX_ELEMENTS ("<x>" is 3 bytes).
BOUNDS_FIRST = MAX_ELEMENTS * 5
_LONG_TAG = re.compile(rb"<[A-Za-z_/?!\x80-\xff][^<>]{%d}" % MAX_TAG_BYTES)
# Nor one declaring more namespace prefixes than this: feedparser looks each element of a
# namespace up in every prefix declared before it, in order (3,000 prefixes on the root and
# 190,000 <p2999:x/> after them held a worker for minutes). The corpus's documents declare at
# most a dozen; 100 keep feedparser's worst (MAX_ELEMENTS of them) near a second.
MAX_PREFIXES = 100
_PREFIX_DECLARED = re.compile(rb"xmlns:([^\s=/<>]++)\s*+=")
# Where markup starts: a comment, CDATA section or instruction (stepped over: _past), an end
# tag, a declaration (<!DOCTYPE: none is left by now), or a start tag and its name (a "<"
# before anything else is a broken feed's text).
_MARKUP_START = re.compile(rb"<(?:(!--|!\[CDATA\[|\?)|(/)|!|([A-Za-z_\x80-\xff][^\s/>]*+))")
# HTML's void elements, which a broken feed's unescaped HTML leaves open as HTML does.
_VOID = frozenset(b"area base br col embed hr img input link meta param source track wbr".split())


def _too_many(count: int) -> str:
    return (
        f"The feed lists {count:,} entries, more than the {MAX_ENTRIES:,} a feed is read with;"
        " no real feed lists so many."
    )


MAX_GZIP_MEMBERS = 64
# A body compressed in layers no Content-Encoding named (gzip in deflate…) is inflated this
# many times at most; each layer's output is bounded by the body's cap.
MAX_LAYERS = 3

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
    # EUC-JP as Windows and browsers write it (NEC's row 13: ①, ㈱, Ⅱ), which Python's euc_jp
    # lacks: JIS X 0213's codec reads every EUC-JP character alike and those too, but rows 89-92
    # (NEC's selection of IBM's kanji: 髙, 﨑) as other kanji: _EUC_JP below.
    "euc-jp": "euc_jp_whatwg",
    "euc_jp": "euc_jp_whatwg",
    "eucjp": "euc_jp_whatwg",
    "x-euc-jp": "euc_jp_whatwg",
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
# EUC-JP as browsers decode it (WHATWG's index jis0208): JIS X 0213's codec, except rows 89-92,
# which Windows (CP51932) and browsers read as NEC's selection of IBM's kanji, CP932's 0xED40-
# 0xEEFC: JIS X 0213's codec read "髙橋" as "郄橋", silently. A codec of its own, registered
# under a name no other codec has, so every decoding of a declared EUC-JP reads it alike.
_EUC_JP_NAME = "euc_jp_whatwg"
_EUC_JP_IBM_ROWS = re.compile(rb"[\xf9-\xfc][\xa1-\xfe]")
# (Character by character from the start, so a pair's bytes are never a character's second half.)
_EUC_JP_CHARACTER = re.compile(
    rb"\x8f[\xa1-\xfe]{2}|\x8e[\xa1-\xfe]|[\xa1-\xf8\xfd\xfe][\xa1-\xfe]|([\xf9-\xfc][\xa1-\xfe])"
)


def _euc_jp_decode(buffer: Buffer, errors: str = "strict", /) -> tuple[str, int]:
    data = bytes(buffer)
    if not _EUC_JP_IBM_ROWS.search(data):
        return data.decode("euc_jis_2004", errors), len(data)
    pieces, last = [], 0
    for character in _EUC_JP_CHARACTER.finditer(data):
        if character.lastindex is None:
            continue
        row, cell = data[character.start()] - 0xA0, data[character.start() + 1] - 0xA0
        lead = (row + 1) // 2 + 0xC0  # JIS row and cell as Shift_JIS bytes (rows 63-94)
        trail = cell + 0x9E if row % 2 == 0 else cell + 0x3F + (cell + 0x3F >= 0x7F)
        pieces.append(data[last : character.start()].decode("euc_jis_2004", errors))
        pieces.append(bytes((lead, trail)).decode("cp932", errors))
        last = character.end()
    pieces.append(data[last:].decode("euc_jis_2004", errors))
    return "".join(pieces), len(data)


def _euc_jp_codec(name: str) -> codecs.CodecInfo | None:
    if name != _EUC_JP_NAME:
        return None
    return codecs.CodecInfo(
        name=_EUC_JP_NAME, encode=codecs.getencoder("euc_jis_2004"), decode=_euc_jp_decode
    )


codecs.register(_euc_jp_codec)
# The detector names EUC-JP by JIS X 0213's codec, which it cannot tell from it: read as a
# declared EUC-JP is (its IBM kanji, "髙橋", came out as "郄橋" undeclared).
_GUESSED_AS = {"euc_jis_2004": _EUC_JP_NAME, "euc_jisx0213": _EUC_JP_NAME}

# HTTP charsets that are usually a server default rather than a statement about the document:
# when the XML declaration names another encoding, the declaration is tried first.
_DEFAULT_HTTP_CHARSETS = frozenset({"cp1252", "iso8859-1", "ascii"})
# Detector guesses we trust: multi-byte CJK encodings and single-byte non-Latin scripts.
# For Latin text detectors confuse windows-125x variants, and windows-1252 is the better bet.
_TRUSTED_GUESSES = frozenset(
    {"gb18030", "gb2312", "gbk", "big5", "big5hkscs", "cp950", "shift_jis", "cp932", "euc_jp",
     "euc_jis_2004", "euc_jisx0213", "shift_jis_2004", "shift_jisx0213", "euc_kr", "cp949",
     "iso2022_jp", "iso2022_kr", "koi8_r", "koi8_u", "cp1251", "iso8859_5",
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
_ILLEGAL_BYTES = bytes([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])  # (as UTF-8)
# References to them, which XML forbids too: U+0000-U+0008, U+000B, U+000C, U+000E-U+001F,
# the surrogates U+D800-U+DFFF (half an emoji, from a broken UTF-16 conversion), U+FFFE, U+FFFF
# and numbers past U+10FFFF; leading zeros allowed. Spelled out so the usual references (&#8217;,
# &#20013;) are not even looked at; tests/test_parse.py checks it against every code point.
_ILLEGAL_REFERENCE = re.compile(
    r"&#(?:[xX]0*(?P<hex>[0-8bBcCeEfF]|1[0-9a-fA-F]|[dD][89a-fA-F][0-9a-fA-F]{2}|[fF]{3}[eEfF]"
    r"|1[1-9a-fA-F][0-9a-fA-F]{4}|[2-9a-fA-F][0-9a-fA-F]{5}|[1-9a-fA-F][0-9a-fA-F]{6,})"
    r"|0*(?P<decimal>[0-8]|1[124-9]|2[0-9]|3[01]"
    r"|5529[6-9]|55[3-9][0-9]{2}|56[0-9]{3}|57[0-2][0-9]{2}|573[0-3][0-9]|5734[0-3]|6553[45]"
    r"|111411[2-9]|11141[2-9][0-9]|1114[2-9][0-9]{2}|111[5-9][0-9]{3}|11[2-9][0-9]{4}"
    r"|1[2-9][0-9]{5}|[2-9][0-9]{6}|[1-9][0-9]{7,}));"
)


def _illegal_reference_python(text: str) -> int:
    """Where _ILLEGAL_REFERENCE first matches in `text`, or -1: the reference of
    _native.illegal_reference."""
    found = _ILLEGAL_REFERENCE.search(text)
    return found.start() if found else -1


# (The scan of every document's text, on both paths: 1% of a fast reading; most have none.)
_illegal_reference: Callable[[str], int] = (
    _native.illegal_reference if _native is not None else _illegal_reference_python
)

# --- the prolog ---------------------------------------------------------------------------------

_PROLOG_ITEM = re.compile(
    r"[\s\ufeff]*(<\?.*?\?>|<!--.*?-->|<!doctype\b)", re.IGNORECASE | re.DOTALL
)
_DOCTYPE_TOKEN = re.compile(r"\"[^\"]*\"|'[^']*'|<!--.*?(?:-->|\Z)|[\[\]>]", re.DOTALL)
_ROOT = re.compile(r"[\s\ufeff]*<([A-Za-z_][\w.:-]*)")
_DOCTYPE_NAME = re.compile(r"\s+([\w.:-]+)")
_HTML_ROOTS = frozenset({"html", "head", "body"})
_FEED_ROOTS = frozenset({"rss", "feed", "rdf", "channel"})  # local names, any case
_LINK_OR_BASE_TAG = re.compile(r"<(?:link|base)\b[^<>]*>", re.IGNORECASE)

# --- the entry point ------------------------------------------------------------------------------

_JSON_TYPES = ("application/feed+json", "application/json")


def parse(
    body: bytes,
    *,
    url: str,
    headers: Mapping[str, str],
    parser: str = "auto",
    max_bytes: int = MAX_DECOMPRESSED_BYTES,
) -> ParsedFeed:
    """Parse a fetched body (RSS, Atom or JSON Feed) into a ParsedFeed, or raise ParseError.

    `parser`: "auto" tries the fast path first (see `_parse_fast`); "feedparser" forces the
    reference parser for every RSS and Atom document. `max_bytes`: what a body that is gzip
    itself (sent without saying so, or gzip inside gzip) may inflate to: the fetch's cap on a
    body (fetch.max_body_bytes), which the inflating here must not get around.
    """
    try:
        return _parse(body, url=url, headers=headers, parser=parser, max_bytes=max_bytes)
    except (ValueError, OverflowError, LookupError, RecursionError) as e:
        # feedparser's lenient parser raises these on hostile character references
        # (&#x110000;, &#xD800;, 20-digit numbers) and codecs on odd declared charsets; the
        # source gets a readable error instead of a crashed job. UnicodeError is a ValueError.
        raise ParseError(f"The feed could not be read ({type(e).__name__}: {e}).") from e


def _parse(
    body: bytes, *, url: str, headers: Mapping[str, str], parser: str, max_bytes: int
) -> ParsedFeed:
    lowered = {name.lower(): value for name, value in headers.items()}
    content_type = lowered.get("content-type", "")
    base_url = _base_url(url, lowered.get("content-location", ""))
    if not body.strip():
        raise ParseError("The response body is empty: there is no feed to read.")
    body, compression_warning = _uncompressed(body, min(max_bytes, MAX_DECOMPRESSED_BYTES))
    text, encoding_warning = decode(body, content_type)
    encoding_warning = _join_warnings(compression_warning, encoding_warning)
    stripped = text.lstrip("\ufeff \t\r\n")
    if not stripped:
        raise ParseError("The response body is empty: there is no feed to read.")
    mime = content_type.split(";", 1)[0].strip().lower()
    if stripped[0] not in "{[" and (start := _json_after_printed_text(stripped)) > 0:
        # A JSON Feed after what its server printed first (a PHP warning, in HTML or not): read
        # from its "{", as an XML feed is from its root (_parse_xml), and said so. (The lines
        # are kept, so a JSON error names the line of the document as sent.)
        printed = " ".join(_TAG.sub("", stripped[:start]).split())
        parsed = _parse_json_feed(
            "\n" * stripped.count("\n", 0, start) + stripped[start:],
            base_url,
            _join_warnings(_printed_warning(printed), encoding_warning),
        )
    elif stripped[0] in "{[" or (mime in _JSON_TYPES and stripped[0] != "<"):
        parsed = _parse_json_feed(stripped, base_url, encoding_warning)
    else:
        parsed = _parse_xml(stripped, base_url, lowered, encoding_warning, parser)
    if not parsed.entries:
        # Read fine and empty, the source looked as healthy as one that works (a review).
        parsed = replace(parsed, warning=_join_warnings(parsed.warning, _empty(stripped)))
    return replace(parsed, url=base_url)


_RSS_START = re.compile(r"<rss[\s>/]")
_CHANNEL_START = re.compile(r"<(?:\w+:)?channel[\s>/]")


def _empty(text: str) -> str:
    """What to say of a document read without an entry."""
    if text[0] == "<" and _RSS_START.search(text, 0, 4096) and not _CHANNEL_START.search(text):
        return "The document is an <rss> with no <channel>: there is no feed in it"
    return "The feed lists no items (yet): nothing to read from it"


def _base_url(url: str, content_location: str) -> str:
    """The document's URL: its Content-Location when that is an http(s) URL, else `url`."""
    if not content_location:
        return url
    return _http_url(url, content_location.strip()) or url


def _http_url(base: str, url: str) -> str | None:
    """`url` resolved against `base` when it is then an http(s) URL; None otherwise, and for one
    urllib cannot read ("http://[::1/x", a broken IPv6 host): a header or a page's link the
    publisher got wrong is ignored, not a reason to refuse the document."""
    try:
        resolved = urljoin(base, url)
        return resolved if urlsplit(resolved).scheme in ("http", "https") else None
    except ValueError:
        return None


def _uncompressed(body: bytes, limit: int) -> tuple[bytes, str | None]:
    """A body that is compressed itself, with no Content-Encoding to say so (a .xml.gz file, a
    server that gzips twice or deflates, or one under another's coding), inflated up to `limit`
    bytes, in at most MAX_LAYERS layers; and a warning of a gzip trailer read despite its check.
    Any other body as it is."""
    warning = None
    for _ in range(MAX_LAYERS):
        if body[:2] == gzip_member.MAGIC:
            body, said = _gunzip(body, limit)
            warning = warning or said
        elif (inflated := _inflated(body, limit)) is not None:
            body = inflated
        else:
            break
    return body, warning


def _gunzip(body: bytes, limit: int = MAX_DECOMPRESSED_BYTES) -> tuple[bytes, str | None]:
    """Inflate a gzip body (all members), refusing to go past `limit` bytes. Each member's
    trailer is checked here (gzip_member): one that does not match what inflated is a warning."""
    out: list[bytes] = []
    size = 0
    data = body
    warning = None
    while data[:2] == gzip_member.MAGIC:
        if len(out) == MAX_GZIP_MEMBERS:
            # Each member's rest is copied once more (unused_data): quadratic in their count.
            raise ParseError(
                f"The body is gzip-compressed in more than {MAX_GZIP_MEMBERS} parts; "
                "refusing to read it."
            )
        inflater = zlib.decompressobj(-zlib.MAX_WBITS)
        try:
            start = gzip_member.header_end(data)
            if start is None:
                raise ValueError("its gzip header is cut off")
            chunk = inflater.decompress(memoryview(data)[start:], limit - size + 1)
        except (ValueError, zlib.error) as e:
            if not out or not out[0]:
                raise ParseError(
                    f"The body looks gzip-compressed but cannot be decompressed ({e})."
                ) from e
            break  # A truncated or corrupt member after one that inflated: read what did.
        size += len(chunk)
        out.append(chunk)
        if size > limit:
            mib = limit / (1024 * 1024)
            raise ParseError(
                f"The body is gzip-compressed and inflates to more than {mib:g} MiB"
                " (fetch.max_body_bytes); refusing to read it."
            )
        if not inflater.eof:
            break  # cut off: what inflated is read, as its document's end says (_cut_off)
        trailer = inflater.unused_data[: gzip_member.TRAILER_BYTES]
        if len(trailer) == gzip_member.TRAILER_BYTES and warning is None:
            problem = gzip_member.trailer_problem(trailer, zlib.crc32(chunk), len(chunk))
            warning = problem and gzip_member.checksum_warning(problem)
        data = inflater.unused_data[gzip_member.TRAILER_BYTES :]
    return b"".join(out), warning


def _inflated(body: bytes, limit: int) -> bytes | None:
    """A body that is HTTP's deflate though no Content-Encoding said so, inflated: zlib-wrapped
    (told by its header, 0x78 and a check: no feed starts with "x") or bare deflate (no header
    to tell it by: only a body with control bytes near its start is tried, and kept only when it
    inflates whole to something that starts as a feed does). None for any other body."""
    if len(body) < 2:
        return None
    cmf, flg = body[0], body[1]
    wrapped = cmf == 0x78 and (cmf << 8 | flg) % 31 == 0 and not flg & 0x20  # (0x20: FDICT)
    if not wrapped and (body.startswith(_TEXT_BOMS) or not _CONTROL.search(body, 0, 64)):
        return None
    inflater = zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)
    try:
        out: bytes = inflater.decompress(body, limit + 1)
    except zlib.error as e:
        if not wrapped:
            return None
        raise ParseError(
            "The body looks zlib-compressed (HTTP's deflate, though no Content-Encoding said so)"
            f" but cannot be decompressed ({e})."
        ) from e
    if not wrapped and (
        out.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] not in (b"<", b"{")
        or not (inflater.eof or len(out) > limit)
    ):
        return None
    if len(out) > limit:
        mib = limit / (1024 * 1024)
        raise ParseError(
            f"The body is deflate-compressed and inflates to more than {mib:g} MiB"
            " (fetch.max_body_bytes); refusing to read it."
        )
    return out  # (a zlib stream cut off: what inflated, as for gzip)


# Control bytes no text in an 8-bit encoding has (UTF-16 and UTF-32 text without a byte order
# mark has NULs: tried, and never kept, as it inflates to nothing that starts as a feed does),
# and the byte order marks a text may start with.
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_TEXT_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")


# --- decoding -----------------------------------------------------------------------------------


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def decode(body: bytes, content_type: str = "") -> tuple[str, str | None]:
    """Decode a feed body to text: (text, warning or None). Never fails.

    Order: a BOM; UTF-16/32 recognized by its zero bytes; pure ASCII; valid UTF-8 (legacy text
    is practically never valid UTF-8, and servers often declare Latin-1 for UTF-8); the HTTP
    charset and the XML declaration, strictly; the same leniently when only a few bytes are
    bad; a detector for CJK and non-Latin legacy encodings; windows-1252.
    """
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            rest = body[len(bom) :]
            if encoding == "utf-8" and (after := _past_a_wrong_bom(rest, content_type)):
                return after
            if encoding != "utf-8" and b"\x00" not in rest[:512] and _is_utf8(rest):
                # A UTF-16/32 mark before UTF-8 (markup in UTF-16 holds zero bytes): read as
                # it is written. As UTF-16 it was CJK mojibake, "no root element".
                mark = _label(encoding.rpartition("-")[0])
                warning = f"The document starts with a {mark} byte order mark, but it is UTF-8."
                return rest.decode("utf-8"), warning
            return _lenient(rest, encoding)
    wide = _sniff_utf16_32(body[:4])
    if wide:
        return _lenient(body, wide)
    if body.isascii():
        # (ISO-2022-JP is 7-bit: its kana and kanji are ASCII bytes after an escape, which XML
        # forbids; read as ASCII, an old Japanese site's feed was "not well-formed".)
        if b"\x1b" in body and (iso2022 := _iso2022(body, content_type)):
            return iso2022
        return body.decode("ascii"), None
    try:
        return body.decode("utf-8"), None
    except UnicodeDecodeError:
        pass
    declared = _declared_encodings(body, content_type)
    if disputed := _disputed(body, content_type, declared):
        return disputed
    if set(declared) <= _WESTERN and (mostly := _mostly_utf8(body)):
        return mostly
    for encoding in declared:
        try:
            return body.decode(encoding), None
        except UnicodeError:  # (a codec may raise its base class: "undefined" does)
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
        encoding = _GUESSED_AS.get(guess.encoding) or _ENCODING_ALIASES.get(
            guess.encoding.replace("_", "-"), guess.encoding
        )
        sample = body[: 256 * 1024]
        detected = encoding
        if (encoding == "cp949" and _kana_not_jamo(sample)) or (
            guess.encoding in _SHIFT_JIS_GUESSES and _euc_jp_not_shift_jis(sample)
        ):
            encoding = _EUC_JP_NAME  # (short EUC-JP taken for Korean or Shift_JIS)
        elif encoding == "cp874" and _euc_jp_not_thai(sample):
            encoding = _EUC_JP_NAME
        elif encoding == "cp949" and _chinese_not_korean(sample):
            encoding = "gb18030"  # (short GBK taken for Korean)
        elif (
            (encoding == "cp949" and _shift_jis_not_korean(sample))
            or (encoding == "big5hkscs" and _half_width_kana_not_big5(sample))
            or (encoding in ("cp949", "big5hkscs") and _half_width_katakana(sample))
        ):
            encoding = "cp932"  # (short Shift_JIS taken for Korean, or half-width kana for Big5)
        elif guess.encoding in _SHIFT_JIS_GUESSES and _koi8_r_not_shift_jis(sample):
            encoding = "koi8_r"
        elif guess.encoding in _SHIFT_JIS_GUESSES and _thai_not_shift_jis(sample):
            encoding = "cp874"
        if not declared and encoding == detected:  # (a rule above has read more than it)
            encoding = _short_text(sample, encoding) or encoding
        text = body.decode(encoding, errors="replace")
        named = ", ".join(_label(e) for e in declared) or "no encoding"
        return text, f"The document declares {named} but reads as {_label(encoding)}."
    if not declared:  # (short titles the detector did not read as CJK or Thai)
        sample = body[: 256 * 1024]
        unguessed = next((e for e, fits in _UNGUESSED if fits(sample)), "cp1252")
        # (only the first 256 kB was looked at: the rest leniently)
        if (encoding := _short_text(sample, unguessed) or unguessed) != "cp1252":
            text = body.decode(encoding, errors="replace")
            return text, f"The document declares no encoding but reads as {_label(encoding)}."
    text = body.decode("cp1252", errors="replace")
    if declared:
        named = ", ".join(_label(e) for e in declared)
        return text, f"The document is not valid {named}; it was read as windows-1252."
    return text, None


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


# EUC-JP and EUC-KR share their byte ranges, and on a short feed (a title or two) the detector
# took Japanese for Korean. Their rows 0xA4 and 0xA5 tell them apart: hiragana and katakana in
# EUC-JP, which Japanese is full of; in EUC-KR compatibility jamo (Hangul syllables are rows
# 0xB0-0xC8) and Roman numerals and Greek. Korean writes jamo alone only as ㅋㅋ, ㅠㅠ, ㅇㅇ: the
# simple ones below; a kana that is another jamo (の is ㅞ, は ㅟ, を and ん archaic ones) or no
# character of EUC-KR's row 0xA5 (most katakana) is evidence of Japanese.
_EUC_PAIR = re.compile(rb"[\xa1-\xfe][\xa1-\xfe]|\x8e[\xa1-\xfe]|\x8f[\xa1-\xfe]{2}")
_KOREAN_AS_WRITTEN = frozenset(
    [
        *(
            c.encode("euc_kr")
            for c in "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎㅏㅐㅑㅒㅓㅔㅕㅖㅗㅛㅜㅠㅡㅣ"
        ),
        *(p for p in (bytes((0xA5, t)) for t in range(0xA1, 0xFF)) if _decodes(p, "euc_kr")),
    ]
)
_KANA_SHARE = 4  # at least one double-byte character in this many is in rows 0xA4-0xA5


def _kana_not_jamo(sample: bytes) -> bool:
    """Whether text the detector read as Korean is EUC-JP: it decodes as EUC-JP, a quarter of
    its double-byte characters or more are in rows 0xA4-0xA5 (kana; Korean prose has few jamo
    and Chinese hardly any kana), and one of those is nothing Korean writes there."""
    pairs = _EUC_PAIR.findall(sample)
    kana = [p for p in pairs if p[0] in (0xA4, 0xA5)]
    if not kana or len(kana) * _KANA_SHARE < len(pairs):
        return False
    if all(p in _KOREAN_AS_WRITTEN for p in kana):
        return False
    # (A multi-byte character cut at the sample's end fails too: then it stays Korean.)
    return _decodes(sample, _EUC_JP_NAME)


# And on a title or two it took EUC-JP for Shift_JIS, whose half-width katakana are the bytes
# 0xA1-0xDF alone. Shift_JIS writes its kana and punctuation with lead bytes 0x81-0x83 and most
# kanji with 0x88-0x9F: a body with no byte in 0x80-0xA0 (EUC-JP has none, but for the rare
# 0x8E and 0x8F) and kana in EUC-JP's rows is EUC-JP.
_SHIFT_JIS_GUESSES = frozenset({"shift_jis", "cp932", "shift_jis_2004", "shift_jisx0213"})
_SHIFT_JIS_LEADS = re.compile(rb"[\x80-\xa0]")


def _euc_jp_not_shift_jis(sample: bytes) -> bool:
    """Whether text the detector read as Shift_JIS is EUC-JP: no byte of Shift_JIS's kana,
    punctuation or first kanji (0x80-0xA0), a kana of EUC-JP's (rows 0xA4-0xA5), and it decodes
    as EUC-JP."""
    if _SHIFT_JIS_LEADS.search(sample):
        return False
    if not any(p[0] in (0xA4, 0xA5) for p in _EUC_PAIR.findall(sample)):
        return False
    return _decodes(sample, _EUC_JP_NAME)


# And on a title it took EUC-JP for Thai, whose TIS-620 letters and digits (0xA1-0xF9) are all
# bytes of EUC-JP's pairs: "地震情報：震度三を観測" was "รฏฟฬพ๐ส๓...ค๒ด". Thai writes its digits
# in numbers, not one between two letters as EUC-JP's kanji and kana (rows 0xF0-0xF9 second
# bytes) put them.
_THAI_DIGIT_AMID_LETTERS = re.compile(rb"[\xa1-\xee][\xf0-\xf9][\xa1-\xee]")


def _euc_jp_not_thai(sample: bytes) -> bool:
    """Whether text the detector read as Thai is EUC-JP: a Thai digit between two letters, a
    kana of EUC-JP's (rows 0xA4-0xA5), and it decodes as EUC-JP."""
    if not _THAI_DIGIT_AMID_LETTERS.search(sample):
        return False
    if not any(p[0] in (0xA4, 0xA5) for p in _EUC_PAIR.findall(sample)):
        return False
    return _decodes(sample, _EUC_JP_NAME)


# And on a title it took Shift_JIS for Korean: CP949 reads Shift_JIS's lead bytes 0x81-0x9F (kana,
# punctuation, most kanji) as the Hangul syllables it added to EUC-KR, which Korean hardly
# writes (EUC-KR's 2,350 are its syllables; the rest are such as 햏 and 뷁). Text that is mostly
# those, a kana in Shift_JIS and valid Shift_JIS is Japanese.
_CP949_CHARACTER = re.compile(rb"[\x81-\xfe][\x41-\x5a\x61-\x7a\x81-\xfe]|.", re.S)
# (Its pairs alone: a scan skips a byte where no pair starts, as "." would take it.)
_CP949_PAIR = re.compile(rb"[\x81-\xfe][\x41-\x5a\x61-\x7a\x81-\xfe]")
_SHIFT_JIS_CHARACTER = re.compile(rb"[\x81-\x9f\xe0-\xfc][\x40-\x7e\x80-\xfc]|.", re.S)


def _shift_jis_not_korean(sample: bytes) -> bool:
    """Whether text the detector read as Korean is Shift_JIS: half or more of its CP949
    characters are none of EUC-KR's, one of its Shift_JIS characters is a kana, and it decodes as
    Shift_JIS (Windows')."""
    pairs = [c for c in _CP949_CHARACTER.findall(sample) if len(c) == 2]
    added = [p for p in pairs if p[0] < 0xA1 or p[1] < 0xA1]
    if not added or len(added) * 2 < len(pairs):
        return False
    kana = (
        c
        for c in _SHIFT_JIS_CHARACTER.findall(sample)
        if (c[:1] == b"\x82" and c[1] >= 0x9F) or (c[:1] == b"\x83" and c[1] <= 0x96)
    )
    return any(kana) and _decodes(sample, "cp932")


# And on a title it took GBK (GB2312, GB18030) for Korean: both are EUC, and GB2312's hanzi rows
# 0xB0-0xC8 are KS X 1001's Hangul syllables, the rest its Hanja. The syllables a Chinese title
# makes are any of the 2,350, most of them rare in Korean (KS X 1001 orders them by reading; 512
# make 98.6% of Korean text), where the hanzi are frequent in Chinese ("今天天气很好" was
# "쏟莖莖폭붤봤"). A pair frequent in Chinese and not in Korean is evidence of Chinese; one
# frequent in Korean and not in Chinese, or past GB2312's level-1 hanzi (Korean's Hanja, "美 대선",
# are mostly there), of Korean.
_COMMON_IN_KOREAN = frozenset(c.encode("euc_kr") for c in frequent_characters.HANGUL)
_COMMON_IN_CHINESE = frozenset(c.encode("gb2312") for c in frequent_characters.HANZI)
_COMMONEST_IN_CHINESE = frozenset(c.encode("gb2312") for c in frequent_characters.HANZI[:512])
_SPACE_BETWEEN_PAIRS = re.compile(rb"(?<=[\xb0-\xfe][\xa1-\xfe]) (?=[\xb0-\xfe][\xa1-\xfe])")


def _chinese_not_korean(sample: bytes) -> bool:
    """Whether text the detector read as Korean is GBK: three pairs or more are frequent in
    Chinese and not in Korean, more than three times those that are Korean's (and the spaces
    between two pairs), and half or more of its hanzi-or-Hangul pairs; and it decodes as
    GB18030."""
    # (Counted by distinct pair: a step per pair took 65 ms on a 134 kB Korean feed; this, 12-20.)
    counts = Counter(_CP949_PAIR.findall(sample))
    chinese = korean = pairs = 0
    for c, n in counts.items():
        if c[0] < 0xB0:
            continue
        pairs += n
        in_chinese, in_korean = c in _COMMON_IN_CHINESE, c in _COMMON_IN_KOREAN
        if in_chinese and not in_korean:
            chinese += n
        elif (in_korean and not in_chinese) or c[0] >= 0xD8:
            korean += n
    # Korean puts a space between its words of a few syllables, where Chinese writes its hanzi
    # on: each is evidence of Korean too. The table (a web corpus of computing pages) lacks
    # news words, 북, 폭, 팀, 홍, 눈, and "북극곰 눈밭" was "合必磅 传圭" (h8's F1).
    korean += len(_SPACE_BETWEEN_PAIRS.findall(sample))
    return (
        chinese >= 3
        and chinese > 3 * korean
        and chinese * 2 >= pairs
        and _decodes(sample, "gb18030")
    )


# And a title of a few hanzi in GB2312 ("新闻", "体育新闻") it does not take for CJK at all:
# windows-1252 made it "ÐÂÎÅ". Latin text writes its accented letters within words, beside ASCII
# letters; text whose bytes above ASCII stand apart from those, in runs of pairs that are each one
# of the 512 commonest hanzi (79% of Chinese text) and no syllable frequent in Korean, is Chinese.
# (The 1,024 commonest, which the detector's word for Korean allows, also took EUC-JP's "写真".)
_HIGH_BYTE_RUN = re.compile(rb"[\x80-\xff]+")
_HIGH_BYTE_IN_A_WORD = re.compile(rb"[A-Za-z][\x80-\xff]|[\x80-\xff][A-Za-z]")


def _few_common_hanzi(sample: bytes) -> bool:
    """Whether text the detector did not read as CJK is GB2312: two pairs or more above ASCII,
    none beside an ASCII letter, and each one of the commonest hanzi and no common syllable."""
    if _HIGH_BYTE_IN_A_WORD.search(sample):
        return False
    runs = _HIGH_BYTE_RUN.findall(sample)
    if any(len(run) % 2 for run in runs):
        return False
    pairs = [run[i : i + 2] for run in runs for i in range(0, len(run), 2)]
    return len(pairs) >= 2 and all(
        p in _COMMONEST_IN_CHINESE and p not in _COMMON_IN_KOREAN for p in pairs
    )


# And a title in half-width katakana alone (0xA1-0xDF in Shift_JIS, one byte each) it took for
# Big5: "ﾆｭｰｽ" was "⑶偷". Its ﾆ, ﾇ and ﾈ (0xC6-0xC8) lead pairs in the rows between Big5's two
# levels of hanzi (0xC6A1-0xC8FE: ETEN's kana and Cyrillic, HKSCS's symbols), where Chinese
# text has no character.
_BIG5_CHARACTER = re.compile(rb"[\x81-\xfe][\x40-\x7e\xa1-\xfe]|.", re.S)
_NOT_HALF_WIDTH_KANA = re.compile(rb"[\x80-\xa0\xe0-\xff]")


def _half_width_kana_not_big5(sample: bytes) -> bool:
    """Whether text the detector read as Big5 is Shift_JIS's half-width katakana: every byte
    above ASCII is one (0xA1-0xDF), and one Big5 character is in the rows between its levels of
    hanzi."""
    if _NOT_HALF_WIDTH_KANA.search(sample):
        return False
    return any(
        len(c) == 2 and 0xC6 <= c[0] <= 0xC8 and c[1] >= 0xA1
        for c in _BIG5_CHARACTER.findall(sample)
    ) and _decodes(sample, "cp932")


# And a title in half-width katakana with a voiced mark (ﾞ, ﾟ) it took for Korean or Big5, or for
# nothing of CJK: "ｱﾌﾟﾘ ｱｯﾌﾟﾃﾞｰﾄ" was Hangul, "ﾄﾞﾗﾏ" "巍豜", "ﾀﾞﾒ" "ÀÞÒ". Half-width katakana is
# spelled as kana are: ﾞ after a kana that takes it (ｳ, ｶ-ﾄ, ﾊ-ﾎ), ﾟ after ﾊ-ﾎ, a small kana
# (ｧ-ｯ) or ｰ after a kana; Chinese and Korean pairs in 0xA1-0xDF alone, and Latin text, whose
# accented letters stand beside ASCII ones, are not (none of 463 short titles in h2's sets).
_KATAKANA_MISSPELT = re.compile(
    rb"(?<![\xb3\xb6-\xc4\xca-\xce])\xde|(?<![\xca-\xce])\xdf|(?<![\xa6-\xdf])[\xa7-\xb0]"
)
_VOICED_MARK = re.compile(rb"[\xde\xdf]")


def _half_width_katakana(sample: bytes) -> bool:
    """Whether text is Shift_JIS's half-width katakana: every byte above ASCII is one
    (0xA1-0xDF), none beside an ASCII letter, one is a voiced mark, all spelled as kana are."""
    if _NOT_HALF_WIDTH_KANA.search(sample) or _HIGH_BYTE_IN_A_WORD.search(sample):
        return False
    return bool(_VOICED_MARK.search(sample)) and not _KATAKANA_MISSPELT.search(sample)


# And on a title it took KOI8-R for Shift_JIS: KOI8-R's letters are 0xC0-0xFF (Ё and ё 0xB3,
# 0xA3), which Shift_JIS reads as half-width katakana and the lead bytes of its rarer kanji
# (0xE0-0xFC). Japanese written in those alone, with none of the kana, punctuation and common
# kanji of lead bytes 0x81-0x9F nor the half-width ｰ and ｱ-ｿ (0xA1-0xBF), is no Japanese: Russian,
# when it has a capital (0xE0-0xFF, Ё 0xB3): KOI8-R's small letters, 0xC0-0xDF, are also the
# half-width ﾀ-ﾟ alone ("ﾃﾚﾋﾞ ﾆﾎﾝ" was "цзкч фнщ"), and Russian text starts its sentences capital.
_NOT_KOI8_R_LETTERS = re.compile(rb"[\x80-\xa2\xa4-\xb2\xb4-\xbf]")
_KOI8_R_CAPITAL = re.compile(rb"[\xb3\xe0-\xff]")


def _koi8_r_not_shift_jis(sample: bytes) -> bool:
    """Whether text the detector read as Shift_JIS is KOI8-R: every byte above ASCII is one of
    KOI8-R's Cyrillic letters, and one is a capital."""
    return not _NOT_KOI8_R_LETTERS.search(sample) and bool(_KOI8_R_CAPITAL.search(sample))


# And on a title it took Thai for Shift_JIS: TIS-620's consonants (0xA1-0xCE) and vowels are
# its half-width katakana, its leading vowels and tone marks (0xE0-0xEE) lead rarer kanji. Thai
# has a leading vowel or a tone mark in nearly every word, and Japanese written in half-width
# katakana and those kanji alone, with none of the kana, punctuation and common kanji of lead
# bytes 0x81-0x9F, is none; read as Thai, the text must also be spelled as Thai is: each vowel
# and tone mark over or under a consonant (a tone mark may follow such a vowel), each leading
# vowel before one, and no lone ASCII character between two Thai ones (Big5's second bytes).
_THAI_LEADING_OR_TONE = re.compile(rb"[\xe0-\xe4\xe7-\xee]")
_THAI_MISSPELT = re.compile(
    rb"(?<![\xa1-\xce])[\xd1\xd4-\xda]|(?<![\xa1-\xce\xd1\xd4-\xda])[\xe7-\xee]"
    rb"|[\xe0-\xe4](?![\xa1-\xce])|(?<=[\xa1-\xfb])[\x40-\x7e](?=[\xa1-\xfb])"
)


def _thai_not_shift_jis(sample: bytes) -> bool:
    """Whether text the detector read as Shift_JIS is Thai (TIS-620): no byte of Shift_JIS's
    kana, punctuation or common kanji (0x80-0xA0), a leading vowel or tone mark, spelled as Thai
    is, and it decodes as Thai."""
    if _SHIFT_JIS_LEADS.search(sample) or not _THAI_LEADING_OR_TONE.search(sample):
        return False
    return not _THAI_MISSPELT.search(sample) and _decodes(sample, "cp874")


# And a short Thai title it took for nothing it trusts ("ค้นหา" was "¤é¹ËÒ"). Read as windows-1252
# its bytes are accented letters standing apart from ASCII ones, which Latin text does not write;
# a run of them of odd length is no double-byte CJK text (nor Cyrillic when it has a byte of
# 0xA1-0xBF, Thai's commoner consonants); spelled as Thai is, with a leading vowel or tone mark,
# it is Thai.
_THAI_COMMON_CONSONANT = re.compile(rb"[\xa1-\xbf]")


def _thai_alone(sample: bytes) -> bool:
    """Whether text the detector did not read as CJK or Thai is Thai (TIS-620): no byte of
    0x80-0xA0, none beside an ASCII letter, a run above ASCII of odd length, a consonant of
    0xA1-0xBF, a leading vowel or tone mark, spelled as Thai is, and it decodes as Thai."""
    if _SHIFT_JIS_LEADS.search(sample) or _HIGH_BYTE_IN_A_WORD.search(sample):
        return False
    if not any(len(run) % 2 for run in _HIGH_BYTE_RUN.findall(sample)):
        return False
    if not _THAI_COMMON_CONSONANT.search(sample) or not _THAI_LEADING_OR_TONE.search(sample):
        return False
    return not _THAI_MISSPELT.search(sample) and _decodes(sample, "cp874")


# What an undeclared text the detector read as none of CJK or Thai is, by the rules above.
_UNGUESSED: tuple[tuple[str, Callable[[bytes], bool]], ...] = (
    ("gb18030", _few_common_hanzi),
    ("cp932", _half_width_katakana),
    ("cp874", _thai_alone),
)


# A short undeclared text (a title or two: few bytes above ASCII) is too little for the detector,
# which took "天气预报" for Big5, "更新情報" for Korean, "新聞" and "ข่าวกีฬา" for windows-1252. Read
# in each encoding it could be, most readings are no text: characters of another script, kana or
# Thai misspelt, or hanzi, Hangul and kanji that the language hardly writes (the detector's own
# frequency orders, frequent_characters.ranks). The reading whose characters are the most
# frequent in its language, by a clear margin, replaces the detector's guess of one of these (not
# one a rule above has made), or windows-1252; its others (windows-1253, Hebrew, ...) stand.
_SHORT_TEXT = 64  # bytes above ASCII at most
_SHORT_MARGIN = 0.25  # of the best reading's mean score per character over the next one's
_SHORT_MARGIN_OVER_DETECTOR = 0.5  # (over the detector's own guess: it read the whole document)
_SHORT_LEAST = 0.3  # the best reading's mean score at least
_SHORT_CANDIDATES = (
    *("gb18030", "big5hkscs", "cp932", _EUC_JP_NAME, "cp949", "cp874", "cp1256"),
    *("cp1251", "koi8_r", "iso-8859-7"),  # (named as the warning says it)
)
# Cyrillic and Greek: words cased as words are (small, Capitalized or CAPITALS: KOI8-R and
# windows-1251 swap the cases of the same letters), with a vowel, scored by their letters'
# frequency (CAPITALS at half: a CJK pair's bytes make them too, "新闻" "РВОЕ").
_CASED_LETTERS = {
    "cp1251": "а-яёіїєґўА-ЯЁІЇЄҐЎ",
    "koi8_r": "а-яёА-ЯЁ",
    "iso-8859-7": "α-ωάέήίόύώϊϋΐΰΑ-ΩΆΈΉΊΌΎΏΪΫ",
}
_CASED_COMMON = frozenset("оеаинтсрвлкмαοιετσνηυρπκμλάέήίόύώ")
_CASED_VOWEL = re.compile("[аеёиоуыэюяіїєαεηιουωάέήίόύώϊϋΐΰ]", re.IGNORECASE)
_CASED_ONE_LETTER = frozenset("вискоуаяВИСКОУАЯοηΟΗ")
_GREEK_MISSPELT = re.compile("ς(?=\\w)|σ$|[άέήίόύώΐΰ].*[άέήίόύώΐΰ]")  # (one accent a word)
# Arabic (windows-1256) competes too: its letters are the bytes of half-width katakana and of
# kanji pairs, and the readings it makes of those are no Arabic (a teh marbuta, ة, ends a word).
_ARABIC_COMMON = frozenset("الميونرتبعدسفقكهحةج")
_ARABIC_WORD = re.compile("[\u0621-\u064a]{2,}|و")
_ARABIC_ALIF_OR_TEH_MARBUTA = re.compile("[اأإآة]")
_ARABIC_MISSPELT = re.compile("[ةى](?=[\u0621-\u064a])")
_CJK_PUNCTUATION = frozenset("、。〃々〆〇〈〉《》「」『』【】〔〕〜・ー！（），．：；？～…‥“”‘’")
_NON_ASCII_WORD = re.compile(r"[^\x00-\x7f]+")
# Thai's letters by how often its text writes them (a leading vowel, a tone mark, the commonest
# consonants; then the rest; last those few words spell with, and the digits and signs).
_THAI_COMMON = frozenset("กขคงจดตทนบปมยรลวสหอะัาิีืุูเแโใไ่้็์")
_THAI_RARE = frozenset("ฃฅฆฌญฎฏฐฑฒฦฬฤฺๆฯ๏๐๑๒๓๔๕๖๗๘๙๚๛")
_THAI_WORD = re.compile(r"[\u0e01-\u0e3a\u0e40-\u0e4e\u0e50-\u0e59…–]{2,}")
_THAI_VOWEL_OR_TONE = re.compile("[ะ-ฺเ-ๅ็-๎]")
_THAI_WORD_START = re.compile("[ะาำๆฯ]")  # (after a consonant only; the rest: _THAI_MISSPELT)
_THAI_MAI_HAN_AKAT = re.compile("ั(?![่-๋]?[ก-ฮ])")  # (a consonant closes its syllable)
_LETTER_BESIDE = re.compile(r"[A-Za-z][^\x00-\x7f]|[^\x00-\x7f][A-Za-z]")
_HALF_WIDTH = re.compile("[\uff61-\uff9f]")
_HALF_WIDTH_PUNCTUATION = re.compile("[\uff61-\uff65]")  # (｡｢｣､･: Thai's and Arabic's bytes)
# (Half-width katakana alone is also Latin's capitals, "ÑÑ" "ﾑﾑ": one that is read as it needs a
# long-vowel mark, a voiced mark, a small kana or ﾝ, which nearly every katakana word writes.)
_KATAKANA_WORD_MARK = re.compile("[ｧ-ｯｰﾞﾟﾝ]")
_HANGUL = re.compile("[\uac00-\ud7a3]")
_HAN = re.compile("[\u4e00-\u9fff]")
_KANA = re.compile("[\u3041-\u30fa\u30fc\uff66-\uff9f]")
_KANA_CANNOT_START = re.compile("[ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶーｧ-ｯｰﾞﾟ]")


def _rank_score(rank: int | None) -> float:
    """A character's score by its frequency order in its language: the 500 commonest make some
    80% of its text; past the table (rarer hanzi, CP949's added syllables), -0.6."""
    if rank is None:
        return -0.6
    if rank < 500:
        return 1.0
    if rank < 1000:
        return 0.6
    if rank < 2000:
        return 0.2
    return -0.4


def _thai_score(words: list[str]) -> float | None:
    """Thai read from TIS-620 bytes: each word of two letters or more, spelled as Thai is."""
    if not all(_THAI_WORD.fullmatch(w) for w in words):
        return None
    if any(
        _THAI_WORD_START.match(w)
        or _THAI_MAI_HAN_AKAT.search(w)
        or _THAI_MISSPELT.search(w.encode("cp874"))
        for w in words
    ):
        return None
    if any(len(w) > 2 and not _THAI_VOWEL_OR_TONE.search(w) for w in words):
        return None  # (consonants alone make a word of two, "คน", "รถ"; "ÀÉÈ" was "ภษศ")
    characters = "".join(words)
    return sum(
        1.0 if c in _THAI_COMMON else -1.0 if c in _THAI_RARE else 0.3 for c in characters
    ) / len(characters)


def _cased_score(words: list[str], letters: str) -> float | None:
    """Cyrillic or Greek: each word of the script's letters, cased as words are, with a vowel
    (but for a few words of one letter), Greek's final sigma last."""
    total = 0.0
    count = 0
    in_words = 0  # (letters in words of two or more)
    for w in words:
        if not re.fullmatch(f"[{letters}]+", w) or _GREEK_MISSPELT.search(w):
            return None
        if len(w) == 1 and w not in _CASED_ONE_LETTER:
            return None
        if len(w) > 1 and not _CASED_VOWEL.search(w):
            return None
        if not (w.islower() or w.isupper() or (w[0].isupper() and w[1:].islower())):
            return None
        weight = 0.5 if w.isupper() and len(w) > 1 else 1.0
        total += weight * sum(1.0 if c.lower() in _CASED_COMMON else 0.3 for c in w)
        count += len(w)
        in_words += len(w) if len(w) > 1 else 0
    if in_words < 3:
        # (Two letters are Latin's as much: "ßß" "ίί", "ÑÑ" "яя"; and a letter alone is an accented
        # one between Latin words more likely than Russian's "а", "в": "Rendez-vous à 18 h",
        # "Ele é o melhor", "3 × 4".)
        return None
    return total / count


def _reading_score(text: str, encoding: str) -> float | None:
    """How like its language the text above ASCII reads in `encoding`: the mean of its
    characters' scores, or None when one is of another script or it is misspelt."""
    words = _NON_ASCII_WORD.findall(text)
    if not words or _LETTER_BESIDE.search(text):
        return None  # (Latin writes its accented letters beside ASCII ones)
    if encoding == "cp874":
        return _thai_score(words)
    if encoding == "cp1256":
        if not all(_ARABIC_WORD.fullmatch(w) for w in words) or any(
            _ARABIC_MISSPELT.search(w) for w in words
        ):
            return None
        characters = "".join(words)
        if not _ARABIC_ALIF_OR_TEH_MARBUTA.search(characters):
            return None  # (Greek's small letters are Arabic's bytes too, "Υγεία" "صمهكل")
        return sum(0.7 if c in _ARABIC_COMMON else 0.2 for c in characters) / len(characters)
    if encoding in _CASED_LETTERS:
        return _cased_score(words, _CASED_LETTERS[encoding])
    japanese = encoding in ("cp932", _EUC_JP_NAME)
    table = frequent_characters.ranks()["japanese" if japanese else encoding]
    for w in words:
        if encoding == "cp949" and _HANGUL.search(w) and _HAN.search(w):
            return None  # (Korean writes Hanja as words of their own)
        if japanese and (_KANA_CANNOT_START.match(w) or (len(w) == 1 and _KANA.match(w))):
            return None  # (a word of one kana, or one a small kana or a mark starts)
        if _HALF_WIDTH.search(w):
            # half-width katakana (Shift_JIS's alone): spelled as kana are, beside kanji of the
            # commonest only, in words of two or more
            if encoding != "cp932" or len(w) < 2 or _HALF_WIDTH_PUNCTUATION.search(w):
                return None
            half = "".join(c for c in w if _HALF_WIDTH.match(c))
            if _KATAKANA_MISSPELT.search(half.encode("cp932")):
                return None
            if half == w and not _KATAKANA_WORD_MARK.search(w):
                return None
            if any(_rank_score(table.get(c)) < 0.6 for c in w if not _HALF_WIDTH.match(c)):
                return None
    characters = "".join(words)
    total = 0.0
    for c in characters:
        if c in _CJK_PUNCTUATION:
            total += 0.5
        elif "\uff61" <= c <= "\uff9f":
            total += 0.4
        elif encoding == "cp949" and ("\u3131" <= c <= "\u318e" or "\u4e00" <= c <= "\u9fff"):
            # (Hanja, press shorthand; jamo, of which Korean writes a few alone: ㅋㅋ, ㅠㅠ)
            total += -0.3 if c >= "\u4e00" else 0.5 if c in "ㅋㅎㅠㅜㅇㄷㄱㅅ" else 0.0
        elif "\u4e00" <= c <= "\u9fff" or "\uac00" <= c <= "\ud7a3" or "\u3041" <= c <= "\u30fa":
            total += _rank_score(table.get(c))
        else:
            return None
    return total / len(characters)


def _short_text(sample: bytes, chosen: str) -> str | None:
    """The encoding a short undeclared text reads best in, when it reads clearly better than in
    the encoding `chosen` for it (CJK, Thai or windows-1252), else None."""
    if chosen not in _SHORT_CANDIDATES and chosen != "cp1252":
        return None
    high = len(sample) - len(sample.translate(None, _HIGH_BYTES))
    if not high or high > _SHORT_TEXT:
        return None
    scores: dict[str, float] = {}
    texts: dict[str, str] = {}
    for encoding in _SHORT_CANDIDATES:
        try:
            texts[encoding] = sample.decode(encoding)
        except UnicodeDecodeError:
            continue
        score = _reading_score(texts[encoding], encoding)
        if score is not None:
            scores[encoding] = score
    if not scores:
        return None
    best = max(scores, key=scores.__getitem__)
    others = [s for e, s in scores.items() if e != best]
    if chosen in scores:
        others.append(scores[chosen])  # (the chosen one may be the best: then it stands)
    if (
        best == chosen
        or scores[best] < _SHORT_LEAST
        or scores[best] - max(others, default=-1.0) < _SHORT_MARGIN
        or (chosen in scores and scores[best] - scores[chosen] < _SHORT_MARGIN_OVER_DETECTOR)
    ):
        return None
    if chosen == "cp1252" and len("".join(_NON_ASCII_WORD.findall(texts[best]))) < 2:
        return None  # (one character, "°°" a Hangul syllable, is too little to unread Latin)
    return best


def _iso2022(body: bytes, content_type: str) -> tuple[str, str | None] | None:
    """A 7-bit body with escapes read in the ISO-2022 encoding it declares (or ISO-2022-JP,
    when it declares none and holds its escape to JIS X 0208), or None."""
    declared = _declared_encodings(body, content_type)
    encoding = next((e for e in declared if e.startswith("iso2022")), None)
    if encoding is None and not declared and (b"\x1b$B" in body or b"\x1b$@" in body):
        encoding = "iso2022_jp"
    if encoding is None:
        return None
    try:
        return body.decode(encoding), None
    except UnicodeError:
        return _lenient(body, encoding)


# Single-byte encodings servers and old CMSs declare for what is UTF-8 (bold.dk's FeedCreator).
_WESTERN = frozenset({"iso8859-1", "latin-1", "cp1252", "iso8859-15", "ascii"})


def _mostly_utf8(body: bytes) -> tuple[str, str] | None:
    """UTF-8 with a few bytes that are not (a name typed in Latin-1 into a UTF-8 feed that
    declares ISO-8859-1), read as UTF-8 and those bytes as windows-1252, with a warning; or
    None. At most one byte in 20 of the non-ASCII ones may be amiss: legacy text is hardly ever
    UTF-8, so this much of it is. Read as Latin-1 it was mojibake ("PÃ¥ grund"), which
    feedparser's repair of each element's text mended only where the element was all UTF-8."""
    # (Counted in C: translating the text to count took 0.47 s for a 9 MB Latin-1 feed.)
    amiss = len(body) - len(body.decode("utf-8", errors="ignore").encode())
    high = len(body) - len(body.translate(None, _HIGH_BYTES))
    if not amiss or amiss * 20 > high:
        return None
    escaped = body.decode("utf-8", errors="surrogateescape")  # (a byte amiss: U+DC80 + byte)
    text = escaped.translate(_AS_WINDOWS_1252)
    return text, f"{amiss} byte(s) are not UTF-8 and were read as windows-1252 (the rest is UTF-8)."


# surrogateescape's stand-ins for the bytes 0x80-0xFF, as windows-1252 reads each byte (its five
# undefined ones as Latin-1 does, C1 controls that are dropped later).
_AS_WINDOWS_1252 = {
    0xDC00 + b: bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in range(0x80, 0x100)
}


def _disputed(body: bytes, content_type: str, declared: list[str]) -> tuple[str, str] | None:
    """When the server's charset and the document's declaration name two encodings that both
    decode it: the reading that is text, not mojibake, with a warning naming both; else None.

    HTTP wins by the rules (RFC 7303), and single-byte charsets decode anything: a GBK feed
    served as windows-1251 became "Ж»№ы№«" silently. charset_normalizer's measure of mess
    (odd mixes of scripts, accents and symbols) tells the two readings apart.
    """
    http = _http_codec(content_type)
    if http is None or http in _DEFAULT_HTTP_CHARSETS or len(declared) < 2 or declared[0] != http:
        return None
    readings: dict[str, str] = {}
    for encoding in declared[:2]:
        with contextlib.suppress(UnicodeError):
            readings[encoding] = body.decode(encoding)
    if len(readings) < 2:
        return None  # one at most decodes: the usual order finds it
    best = min(readings, key=lambda e: mess_ratio(readings[e][:_MESS_SAMPLE]))
    return readings[best], (
        f"The server says the feed is {_label(http)}, the document declares "
        f"{_label(declared[1])}; it reads as {_label(best)}."
    )


_MESS_SAMPLE = 64 * 1024  # characters of each reading measured


def _past_a_wrong_bom(body: bytes, content_type: str) -> tuple[str, str] | None:
    """A body after a UTF-8 byte order mark that is mostly not UTF-8 but decodes, strictly, in
    the multi-byte CJK encoding it declares (an editor's BOM before GBK bytes): that reading,
    with a warning. None otherwise: the BOM's reading stands (a UTF-8 document with a few bad
    bytes is not windows-1251, which decodes anything)."""
    utf8 = body.decode("utf-8", errors="replace")
    high = len(body) - len(body.translate(None, _HIGH_BYTES))
    if utf8.count("\ufffd") * 20 <= high:  # at most 5% of the non-ASCII bytes are broken
        return None
    for encoding in _declared_encodings(body, content_type):
        if codecs.lookup(encoding).name not in _MULTIBYTE_CJK:
            continue
        try:
            text = body.decode(encoding)
        except UnicodeError:
            continue
        return text, (
            f"The document starts with a UTF-8 byte order mark but is {_label(encoding)},"
            " as it declares; it was read as such."
        )
    return None


# Legacy encodings whose strict decoding says something: a byte sequence that is not theirs
# fails, where single-byte ones decode anything.
_MULTIBYTE_CJK = frozenset(
    {"gb18030", "gbk", "gb2312", "big5", "big5hkscs", "cp950", "shift_jis", "cp932", "euc_jp",
     "euc_kr", "cp949", "cp936", "iso2022_jp", _EUC_JP_NAME}
)  # fmt: skip


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
    declaration = _XML_DECL_ENCODING.search(body, 0, 1024)  # comments may come before it
    http = _http_codec(content_type)
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


def _http_codec(content_type: str) -> str | None:
    """The codec of the Content-Type's charset, if it names one we can use."""
    charset = _CHARSET_PARAM.search(content_type)
    return _codec(charset.group(1)) if charset else None


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
    # or EBCDIC would "decode" ASCII into nonsense; Python's escape codecs read backslashes,
    # and "undefined" refuses every byte.
    if codec.startswith(
        ("utf-16", "utf-32", "utf-7", "cp037", "cp500", "cp1140", "idna", "punycode")
    ) or codec in ("unicode-escape", "raw-unicode-escape", "undefined"):
        return None
    return codec


def _has_illegal_characters(utf8: bytes) -> bool:
    """Whether the UTF-8 holds a character _XML_ILLEGAL matches: told from the bytes in two
    C loops, where the pattern over the text took 110 ms for the 14.7 MB of the corpus's feeds."""
    return (
        len(utf8.translate(None, _ILLEGAL_BYTES)) != len(utf8)
        or _NONCHARACTER.search(utf8) is not None
    )


# U+FFFE and U+FFFF as UTF-8. (A pattern: `re` looks for its rare first byte, as `in` does not:
# 4 ms over corpus/real's 14.7 MB, where `in` twice took 20.)
_NONCHARACTER = re.compile(b"\xef\xbf[\xbe\xbf]")


def _legal_replacement(reference: re.Match[str]) -> str:
    """What a reference to a character XML forbids becomes: U+FFFD for a surrogate or a number
    past Unicode (as HTML decodes them), nothing for the others (as the characters themselves
    are dropped). feedparser would otherwise put half an emoji into a title, where no page and
    no store can encode it."""
    digits = reference["hex"] or reference["decimal"]
    code = int(digits, 16 if reference["hex"] else 10) if len(digits) <= 8 else 0x110000
    return "\ufffd" if 0xD800 <= code <= 0xDFFF or code > 0x10FFFF else ""


def _rss_in_a_namespace(document: str) -> tuple[str, str] | None:
    """The document without the default namespace its <rss> declares, when that is one of
    RSS's modules (Dublin Core, content, iTunes…: `xmlns="http://purl.org/dc/elements/1.1/"`,
    meant as `xmlns:dc`), and the warning saying so; None for any other.

    Such a namespace puts every RSS element in it: feedparser read no item ("dc_item"), and
    newsboat neither, where feedparser-rs and sfeed, which go by names, read them all. What the
    publisher meant is not in doubt, so both our paths read the items (a namespace feedparser
    does not know, or one of RSS's own, it read as RSS already, as both paths still do).
    """
    tag = _RSS_START_TAG.match(document)
    declared = _DEFAULT_DECLARATION.search(tag[0]) if tag else None
    if tag is None or declared is None:
        return None
    uri = declared["uri"].strip()
    prefix = _FEEDPARSER_PREFIXES.get(uri.lower())
    if not prefix:
        return None
    start, end = declared.span()
    said = (
        f'The feed puts its RSS elements in the namespace "{uri}" (xmlns="…" on <rss>, meant as'
        f' xmlns:{prefix}="…"), where strict readers find no items; it was read as RSS'
    )
    return document[:start] + document[end:], said


_RSS_START_TAG = re.compile(r"\s*<rss\b[^<>]*+>")
_DEFAULT_DECLARATION = re.compile(r"""\sxmlns\s*=\s*(?P<q>["'])(?P<uri>[^"'<>]*)(?P=q)""")
# The namespaces feedparser knows by a prefix of their own (and so not as RSS: the RSS ones,
# Atom's and the echo drafts it maps to none), lowercased as it looks them up.
_FEEDPARSER_PREFIXES: dict[str, str] = {
    uri.lower(): prefix
    for uri, prefix in feedparser.mixin._FeedParserMixin.namespaces.items()
    if prefix
}


def _label(codec: str) -> str:
    if codec == _EUC_JP_NAME:
        return "EUC-JP"  # (as browsers read it: the name of our codec is no encoding's)
    return codec.upper().replace("_", "-")


# --- XML: RSS and Atom --------------------------------------------------------------------------


def _parse_xml(
    text: str, base_url: str, headers: Mapping[str, str], warning: str | None, parser: str
) -> ParsedFeed:
    document, root, doctype = _strip_prolog(text)
    if (start := _after_printed_text(text, root)) > 0:
        # Keep the line count so parse errors name the line of the original document.
        printed = " ".join(_TAG.sub("", text[:start]).split())
        text = "\n" * text.count("\n", 0, start) + text[start:]
        warning = _join_warnings(_printed_warning(printed), warning)
        document, root, doctype = _strip_prolog(text)
    if root is None:
        raise ParseError(_no_root(document, headers.get("content-type", "")))
    local_root = root.lower().rpartition(":")[2]
    if local_root in _HTML_ROOTS or (doctype == "html" and local_root not in _FEED_ROOTS):
        if (inner := _wrapped_feed(document)) is not None:
            wrapped = "The feed is inside an HTML page's <html> element; it was read from there"
            return _parse_xml(inner, base_url, headers, _join_warnings(warning, wrapped), parser)
        raise ParseError(_html_page_message(document, base_url))
    if _illegal_reference(document) >= 0:
        document = _ILLEGAL_REFERENCE.sub(_legal_replacement, document)
    if doctype == "rss" and "&" in document:
        # RSS 0.91's DTD (Netscape's, the only one RSS had) declares HTML's Latin-1 entities:
        # "&eacute;" is well-formed there. Without the DTD (dropped above), as its number.
        document = _NAMED_REFERENCE.sub(_numbered, document)
    if local_root == "rss" and (declared := _rss_in_a_namespace(document)) is not None:
        document, said = declared
        warning = _join_warnings(warning, said)
    if "\r" in document:
        # XML's end-of-line handling, which expat does and feedparser-rs does not in CDATA: a
        # Korean blog's "\r\n \r\n" between paragraphs of plain text was one paragraph there.
        document = document.replace("\r\n", "\n").replace("\r", "\n")
    encoded = document.encode("utf-8")
    if _has_illegal_characters(encoded):
        encoded = _XML_ILLEGAL.sub("", document).encode("utf-8")
    # (Counted only where so many fit: "<item>" is 6 bytes. In CDATA too: an over-count only
    # refuses a feed that is no real one either.)
    if (
        len(encoded) > MAX_ENTRIES * 6
        and (count := len(_ENTRY_START.findall(encoded))) > MAX_ENTRIES
    ):
        raise ParseError(_too_many(count))
    # Both parsers get the same bytes: UTF-8 we decoded ourselves, no DOCTYPE, no prolog.
    data = b'<?xml version="1.0" encoding="utf-8"?>' + encoded
    artwork = _artwork(data)
    fallback = ""
    mend = True  # whether the references may still need mending (_mend) for feedparser
    if parser == "auto":
        if len(data) > BOUNDS_FIRST and (problem := _beyond_feedparser(data)):
            raise ParseError(f"{problem}.")
        # feedparser takes a Content-Language header for the language of every element without
        # an xml:lang; feedparser-rs never sees it: the fast path applies it (_spoken).
        spoken = headers.get("content-language")
        fast = _parse_fast(data, base_url, warning, spoken)
        if isinstance(fast, str) and fast.startswith("ill-formed"):
            # (Only then: the scan for what to mend is ~10 ms per MB, most of what a fast
            # reading of a document costs.)
            mend = False
            if mended := _mend(data, warning):
                data, warning = mended
                fast = _parse_fast(data, base_url, warning, spoken)
        if isinstance(fast, ParsedFeed):
            fast = _linked_from_site(_without_made_up_links(fast, data), data, local_root)
            fast = _show_authors(_original_enclosures(fast, data), data)
            return _unless_cut_off(replace(fast, artwork=artwork), data, root)
        fallback = fast
    if mend and (mended := _mend(data, warning)):
        data, warning = mended
    if problem := _beyond_feedparser(data) or _crowded(data):
        why = fallback or "fetch.parser = feedparser"
        raise ParseError(f"{problem}; the fast parser cannot read it either ({why}).")
    # feedparser resolves a relative RSS <guid> that claims to be a permalink against this base
    # (RSS's isPermaLink defaults to true); absolute guids, the real-world norm, are untouched.
    response_headers = {
        "content-type": "application/xml; charset=utf-8",
        "content-location": base_url,
    }
    if "content-language" in headers:
        response_headers["content-language"] = headers["content-language"]
    try:
        result = feedparser.parse(
            io.BytesIO(data),
            response_headers=response_headers,
            sanitize_html=False,
            resolve_relative_uris=False,
        )
    except (TypeError, AttributeError) as e:  # its handlers on odd input ("<width>" in a text)
        raise ParseError(
            f"The feed could not be read (feedparser: {type(e).__name__}: {e})."
        ) from e
    version = result.get("version") or ""
    entries = result.get("entries") or []
    bozo = _bozo_message(result.get("bozo_exception")) if result.get("bozo") else None
    if not entries:
        if bozo:
            cut = _cut_off(data, root)
            said = f"{cut[0]} " if cut else ""
            raise ParseError(f"{said}{bozo}; no entries could be read from it.")
        if not version:
            raise ParseError(
                f"The document is XML but not an RSS, Atom or RDF feed (its root is <{root}>)."
            )
    feed = result.get("feed") or {}
    feed_base = _detail_base(feed, "title_detail", "subtitle_detail") or base_url
    parsed = _feed(
        feed,
        tuple(_entry(e, feed_base) for e in entries),
        feed_base,
        _join_warnings(bozo and f"{bozo}; it was read leniently", warning),
        feed_authors_apply=_feed_authors_apply(version, data),
    )
    parsed = _with_written_links(_without_made_up_links(parsed, data), data)
    parsed = _original_enclosures(_linked_from_site(parsed, data, local_root), data)
    parsed = _show_authors(parsed, data)
    parsed = replace(parsed, parser=REFERENCE_PARSER, fallback=fallback, artwork=artwork)
    return _unless_cut_off(parsed, data, root)


_ENTRY_END = re.compile(rb"</(?:\w+:)?(?:item|entry)\s*>")


def _cut_off(data: bytes, root: str) -> tuple[str, bool] | None:
    """When the document stops before its root element's end tag (cut off by its server, or
    on the way, with a Content-Length to match): what to say, and whether its last entry is
    unfinished (no end tag after its start). None for a whole document."""
    if data.rfind(f"</{root}".encode()) >= 0:
        return None
    # (A scan of the whole, only for a document cut off: rare.)
    last = max((m.end() for m in _ENTRY_START.finditer(data)), default=None)
    unfinished = last is not None and _ENTRY_END.search(data, last) is None
    said = f"The document stops before its end (it never closes its <{root}>), as if cut off."
    return said, unfinished


def _unless_cut_off(parsed: ParsedFeed, data: bytes, root: str) -> ParsedFeed:
    """`parsed` of a document cut off in an entry without that entry, which a lenient reading
    took for a whole one: a headline cut short, its date lost (so dated when first seen: at the
    top of every list), a link to nowhere. With a warning that says so, before the XML's own:
    the bare "&" it also met is not what is wrong with it."""
    cut = _cut_off(data, root)
    if cut is None:
        return parsed
    said, unfinished = cut
    entries = parsed.entries
    if unfinished and entries:
        entries = entries[:-1]
        said += " Its last item, unfinished, was left out"
    return replace(parsed, entries=entries, warning=_join_warnings(said, parsed.warning))


def _beyond_feedparser(data: bytes) -> str:
    """Why the document is more than feedparser is given (MAX_ELEMENTS, MAX_DEPTH,
    MAX_TAG_BYTES, MAX_PREFIXES), or "". Elements in comments, CDATA sections and instructions
    are none."""
    if data.count(b"xmlns:") > MAX_PREFIXES and (
        len(set(_PREFIX_DECLARED.findall(data))) > MAX_PREFIXES
    ):
        return (
            f"The document declares more than {MAX_PREFIXES:,} namespace prefixes, as no feed does"
        )
    # (Most documents: two passes at memory speed, and nothing else.)
    if data.count(b"<") <= MAX_DEPTH and not _LONG_TAG.search(data):
        return ""
    return _BEYOND[_markup_beyond(data, MAX_ELEMENTS, MAX_DEPTH, MAX_TAG_BYTES)]


_BEYOND = (
    "",
    f"The document has an instruction of more than {MAX_TAG_BYTES:,} bytes, as no feed does",
    f"The document has a tag of more than {MAX_TAG_BYTES:,} bytes, as no feed does",
    f"The document has more than {MAX_ELEMENTS:,} elements, as no feed does",
    f"The document nests elements more than {MAX_DEPTH:,} deep, as no feed does",
)


def _markup_beyond_python(data: bytes, max_elements: int, max_depth: int, max_tag: int) -> int:
    """Which bound of `_beyond_feedparser`'s the document's tags pass first (an index of
    _BEYOND: 0 none, 1 an instruction's length, 2 a tag's, 3 the elements', 4 the nesting's).
    The reference of _native.markup_beyond, which runs where the C module was built."""
    depth = elements = position = 0
    while match := _MARKUP_START.search(data, position):
        skipped, closing, name = match.groups()
        if skipped:
            position = _past(data, b"<" + skipped, match.end())
            # (An instruction is read as a tag is: feedparser took 50 s and 1.2 GB over 10 MB
            # of one never closed.)
            ends = len(data) if position < 0 else position
            if skipped == b"?" and ends - match.start() > max_tag:
                return 1
            if position < 0:
                break  # (the rest is a comment: no element)
            continue
        if (end := data.find(b">", match.end())) < 0:
            end = len(data)  # (a tag never closed: as long as the rest)
        position = end + 1
        if end - match.start() > max_tag and _unquoted(data, match.start(), end) > max_tag:
            return 2
        if closing:
            depth -= 1
        elif name:  # (not a declaration)
            elements += 1
            if elements > max_elements:
                return 3
            # (<x/> holds nothing, nor does an HTML <br>)
            depth += data[end - 1] != ord("/") and name.lower() not in _VOID
            if depth > max_depth:
                return 4
    return 0


# (A loop over every tag of a document of more than MAX_DEPTH: in C, 40 times as fast.)
_markup_beyond: Callable[[bytes, int, int, int], int] = (
    _native.markup_beyond if _native is not None else _markup_beyond_python
)


# feedparser spends ~0.1 ms on each link (it joins its address twice), and it files each
# category and each term of a keyword list (<itunes:keywords>, <media:keywords>, <tags>) as a
# tag after looking for it among those it filed before it in the element, so their cost grows
# with the square of their number: 20,000 categories in one item took 10 s, 10,000 terms of one
# <tags> (60 KB) 1.5 s, and 100,000 would take minutes. Real feeds have a handful of links in
# their channel's head or an item (the corpus: at most 22) and at most a few thousand tags
# (1,806 categories in a blog's head; 41 terms in one list). A document going to feedparser
# with more in one of those is refused, as one past MAX_ELEMENTS is; the fast path reads them
# (160,000 links in one channel: ~1 s).
MAX_LINKS_IN_ONE = 1_000
MAX_TAGS_IN_ONE = 10_000
_CROWDING = re.compile(
    rb"<(?:(!--|!\[CDATA\[)|(?:[\w.-]+:)?(?:(item|entry)|(link)|category|(keywords|tags))[\s/>])"
)


def _crowded(data: bytes) -> str:
    """Why feedparser would be given more links or tags in the channel's head or one item than
    it is read with (MAX_LINKS_IN_ONE, MAX_TAGS_IN_ONE), or "". Elements in comments and CDATA
    sections are none (`unclosed-tags`: 40,000 "<link " in a comment, read)."""
    if (
        data.count(b"link") <= MAX_LINKS_IN_ONE
        and data.count(b"<") <= MAX_TAGS_IN_ONE
        and b"keywords" not in data
        and b"tags" not in data
    ):
        return ""  # (most documents: a few passes at memory speed)
    links = tags = 0
    where = "the channel's head"
    counted = 0  # how far the keyword lists' commas are counted (each byte once: no list
    # never closed, or opened 100,000 times before one end tag, is read more than once)
    gt = -1  # the first ">" after the last keyword list's start (found once, as `counted`)
    position = 0
    while match := _CROWDING.search(data, position):
        skipped, entry, link, listed = match.groups()
        position = match.end()
        if skipped:
            if (position := _past(data, b"<" + skipped, position)) < 0:
                break  # (the rest is a comment or CDATA: no element)
        elif entry:
            links = tags = 0
            where = f"one <{entry.decode()}>"
        elif link:
            links += 1
            if links > MAX_LINKS_IN_ONE:
                return (
                    f"The document has more than {MAX_LINKS_IN_ONE:,} links in {where},"
                    " as no feed does"
                )
        else:
            if listed and gt < match.end() - 1 and (gt := data.find(b">", match.end() - 1)) < 0:
                break  # (no tag ends after this one's start: no element follows)
            if listed and data[gt - 1] != ord("/"):
                # A keyword list (not an empty <itunes:keywords/>): each term is a tag.
                start = max(gt, counted)
                end = data.find(b"</" + data[match.start() + 1 : match.end() - 1], start)
                counted = len(data) if end < 0 else end
                tags += data.count(b",", start, counted)
            tags += 1
            if tags > MAX_TAGS_IN_ONE:
                return (
                    f"The document has more than {MAX_TAGS_IN_ONE:,} categories or keywords in"
                    f" {where}, as no feed does"
                )
    return ""


_QUOTED = re.compile(rb'"[^"]*+"|\'[^\']*+\'')


def _unquoted(data: bytes, start: int, end: int) -> int:
    """The bytes of the tag from `start` to `end` outside its quoted values: what costs feedparser
    (its attributes, each at least ` a=""`). One long value is cheap, and real: an XHTML entry's
    picture inlined as a data: address (80 KB) made a whole 1.3 MB feed a parse error."""
    return end - start - sum(m.end() - m.start() for m in _QUOTED.finditer(data, start, end))


def _without_made_up_links(parsed: ParsedFeed, data: bytes) -> ParsedFeed:
    """_unlinked_guids, then the entries without the links both parsers make of a guid that is
    no address.

    An RSS guid is a permalink unless isPermaLink says otherwise, so an item without a <link>
    links to its guid, resolved against the document: "12345" became /feeds/12345, a page no
    site has, and readers followed it to a 404. A guid of one word (no "/", ".", "?", "#" or
    ":") is no address: such an item has no page of its own. Its id stays the resolved guid (the
    article's identity), and a link the document writes out in full stays.
    """
    parsed = _unlinked_guids(parsed, data)
    if b"<guid" not in data or not any(
        e.link and e.link == e.guid and _BARE_TOKEN.fullmatch(e.link.rpartition("/")[2])
        for e in parsed.entries
    ):
        return parsed  # (most: the guids are read from the bytes only for such entries)
    bare = {text for text in _rss_guids(data)[0] if _BARE_TOKEN.fullmatch(text)}
    if not bare:
        return parsed
    made_up = {
        e.link
        for e in parsed.entries
        if e.link and e.link == e.guid and e.link.rpartition("/")[2] in bare
    }
    made_up -= _written_in_full(data, made_up)  # (a link written out in full stays)
    entries = tuple(
        replace(e, link=None, guid_is_address=False)
        if e.link == e.guid and e.link in made_up
        else e
        for e in parsed.entries
    )
    return replace(parsed, entries=entries)


def _unlinked_guids(parsed: ParsedFeed, data: bytes) -> ParsedFeed:
    """The entries without a link whose guid is an address the document says is no permalink
    (isPermaLink="false"), marked so (guid_is_address): RSS 2.0 says a reader "may not assume
    that the guid is a url", and such an item linked to it (a review of our feeds). An Atom
    entry's id stays its link when it has none."""
    if b"<guid" not in data or not any(
        not e.link and (e.guid or "").startswith(("http://", "https://")) for e in parsed.entries
    ):
        return parsed  # (most: the guids are read from the bytes only for such entries)
    others = _rss_guids(data)[1]
    if not others:
        return parsed
    entries = tuple(
        replace(e, guid_is_address=False) if not e.link and e.guid in others else e
        for e in parsed.entries
    )
    return replace(parsed, entries=entries)


_BARE_TOKEN = re.compile(r"[^/.?#:\s]+")


def _with_written_links(parsed: ParsedFeed, data: bytes) -> ParsedFeed:
    """The entries whose RSS <link> names another address in an attribute linked to the page it
    holds as text. feedparser takes a <link>'s `uri` or `url` as Atom's href: an AT Protocol
    URI beside the page's address (`<link uri="at://did:plc:…">https://…</link>`) left the item
    with no link at all. (An http(s) attribute stays feedparser's reading: the fast path then
    leaves the document to it, _ATOM_IN_RSS.)"""
    if b"<link" not in data or all(not e.link or e.link.startswith(_WEB) for e in parsed.entries):
        return parsed
    written = {}
    for attribute, raw in _LINK_WITH_ADDRESS.findall(data):
        address = html.unescape(attribute.decode("utf-8", "replace")).strip()
        text = html.unescape(raw.decode("utf-8", "replace")).strip()
        if text.startswith(_WEB) and not address.startswith(_WEB):
            written[address] = text
    if not written:
        return parsed
    entries = tuple(
        replace(e, link=written[e.link]) if e.link in written else e for e in parsed.entries
    )
    return replace(parsed, entries=entries)


def _linked_from_site(parsed: ParsedFeed, data: bytes, root: str) -> ParsedFeed:
    """An RSS document's entries whose relative <link> (or relative permalink <guid>, their
    link) is resolved against the channel's <link> when that is on another host than the
    document: "/2024/post" in a feed served by FeedBurner or feeds.example.com is a page of
    the site, not of the feed's host, where it was a 404 (Miniflux resolves it so; both
    parsers resolve it against the document, as they do every relative URL). So are their
    relative enclosures and pictures (feedparser leaves them as written, for normalize to
    resolve against the document; feedparser-rs resolves them so). A document that declares
    its base (xml:base) keeps XML Base's reading, and so does a link on the document's own
    host (its path-relative links stay the document's). The guid, the article's identity, is
    left as read."""
    site = _site_link(parsed, root)
    if site is None:
        return parsed
    # Only addresses that may have been written relative: on the document's host, or as
    # written (most feeds: none, and the bytes are not read at all).
    base = parsed.base_url
    home = base[: base.find("/", base.find("//") + 2) + 1] if base.count("/") > 2 else base
    linked = {e.link for e in parsed.entries if e.link and _relative_or_at(e.link, home)}
    shown = {
        u
        for e in parsed.entries
        for u in (
            e.thumbnail,
            e.artwork,
            *(x.url for x in e.enclosures),
            *(x.url for x in e.images),
        )
        if u and _relative_or_at(u, home)
    }
    if (not linked and not shown) or b"xml:base" in data:
        return parsed
    links = _moved(base, site, data, _LINK_OR_GUID_TEXT, linked) if linked else {}
    media = _moved(base, site, data, _MEDIA_ADDRESS, shown, written_too=True) if shown else {}
    if not links and not media:
        return parsed
    entries = tuple(
        replace(
            e,
            link=links.get(e.link, e.link) if e.link else e.link,
            thumbnail=media.get(e.thumbnail, e.thumbnail) if e.thumbnail else e.thumbnail,
            artwork=media.get(e.artwork, e.artwork) if e.artwork else e.artwork,
            enclosures=tuple(replace(x, url=media.get(x.url, x.url)) for x in e.enclosures),
            images=tuple(replace(x, url=media.get(x.url, x.url)) for x in e.images),
        )
        if links or (media and (e.thumbnail or e.artwork or e.enclosures or e.images))
        else e
        for e in parsed.entries
    )
    return replace(parsed, entries=entries)


def _moved(
    base: str,
    site: str,
    data: bytes,
    pattern: re.Pattern[bytes],
    wanted: set[str],
    *,
    written_too: bool = False,
) -> dict[str, str]:
    """Those of `wanted` that are relative addresses `pattern` finds (its last group that
    matched), as read against the document (or as written, when `written_too`), each to
    what it is against `site`. One the document also writes out in full stays: it is
    absolute there."""
    moved: dict[str, str] = {}
    for match in pattern.finditer(data):
        raw = next(text for text in reversed(match.groups()) if text is not None)
        written = html.unescape(raw.decode("utf-8", "replace")).strip()
        if not written or _SCHEME.match(written) or written.startswith("//"):
            continue
        read = _http_url(base, written)
        if not read or (read not in wanted and not (written_too and written in wanted)):
            continue
        meant = _http_url(site, written)
        if meant and read != meant and read not in moved and read.encode() not in data:
            moved[read] = meant
            if written_too:
                moved[written] = meant
    return moved


def _relative_or_at(url: str, home: str) -> bool:
    """Whether `url` is on the document's host (`home`, its scheme and host and "/") or
    relative: an address written relative, as a parser left it or resolved it."""
    return url.startswith(home) or not _SCHEME.match(url)


def _original_enclosures(parsed: ParsedFeed, data: bytes) -> ParsedFeed:
    """The entries whose enclosure is FeedBurner's redirect to the file its
    <feedburner:origEnclosureLink> names (…/~5/…/episode.mp3 for …/episode.mp3), with that
    file: a podcast app plays the file, not a dead redirect (Miniflux does the same; neither
    parser reads the element). An enclosure is the original's when its address ends with the
    original's file name; an entry with two originals, or a document whose entries the bytes
    cannot be matched with, stays as read."""
    if not any(e.enclosures for e in parsed.entries) or b":origEnclosureLink" not in data:
        return parsed
    spans = _entry_spans(data)
    if len(spans) != len(parsed.entries):
        return parsed
    entries = list(parsed.entries)
    for n, (entry, span) in enumerate(zip(entries, spans, strict=True)):
        found = _ORIGINAL_ENCLOSURE.findall(data, *span)
        if len(found) != 1 or not entry.enclosures:
            continue
        original = _xml_text(found[0]).strip()
        name = _url_path(original).rpartition("/")[2] if original.startswith(_WEB) else ""
        if not name:
            continue
        enclosures = tuple(
            replace(e, url=original) if _url_path(e.url).endswith("/" + name) else e
            for e in entry.enclosures
        )
        entries[n] = replace(entry, enclosures=tuple(dict.fromkeys(enclosures)))
    return replace(parsed, entries=tuple(entries))


def _url_path(url: str) -> str:
    """The path of `url`, "" for one urllib cannot read ("http://[::1/x")."""
    try:
        return urlsplit(url).path
    except ValueError:
        return ""


_ORIGINAL_ENCLOSURE = re.compile(
    rb"<feedburner:origEnclosureLink>([^<]*+)</feedburner:origEnclosureLink\s*>"
)


def _site_link(parsed: ParsedFeed, root: str) -> str | None:
    """The channel's <link> of an RSS document (a JSON Feed's home_page_url), absolute, when
    it is on another host than the document (and not on a private address it is not on);
    else None."""
    if root != "rss" or not parsed.link or not parsed.base_url:
        return None
    site = _http_url(parsed.base_url, parsed.link)
    if site is None:
        return None
    try:
        hosts = (urlsplit(site).hostname, urlsplit(parsed.base_url).hostname)
    except ValueError:
        return None
    if not hosts[0] or hosts[0] == hosts[1]:
        return None
    # (http://wordpress/ won, and every link was dead.)
    return None if left_from_authoring(site, parsed.base_url) else site


def left_from_authoring(site: str, document: str) -> bool:
    """Whether a feed's link to its site (absolute) names no site: a host on the author's own
    network (http://localhost:8080/, http://wordpress/: a CMS's setting left as it was on its
    author's machine) or a name reserved for examples (http://example.com/, a theme's demo),
    when the document is on another host, and not on a reader's own network itself (an
    intranet's feed, or one served on this machine, links what it links)."""
    try:
        host, own = urlsplit(site).hostname, urlsplit(document).hostname
    except ValueError:
        return False
    if not host or host == own or on_readers_network(document):
        return False
    return on_readers_network(site) or any(
        host == domain or host.endswith("." + domain) for domain in _PLACEHOLDER_DOMAINS
    )


# Names reserved for examples (RFC 2606): no site's pages are there.
_PLACEHOLDER_DOMAINS = ("example.com", "example.net", "example.org", "invalid")


# An RSS <link> or <guid> written as text (CDATA or not); an Atom <link> is self-closing.
# (Possessive: a lazy match of the text before "\s*</link>" took 7 s over 2,000 spaces.)
_LINK_OR_GUID_TEXT = re.compile(
    rb"<(link|guid)(?:\s[^<>]*+)?>\s*+(?:<!\[CDATA\[([^\]]*+)\]\]>|([^<]*+))\s*+</\1\s*+>"
)
# An enclosure's or a picture's address, as an attribute.
_MEDIA_ADDRESS = re.compile(
    rb"<(?:enclosure|media:content|media:thumbnail|itunes:image)\s[^<>]*?\b(?:url|href)\s*+=\s*+"
    rb"[\"']([^\"'<>]*+)[\"']"
)
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


_WEB = ("http://", "https://")
# An RSS <link> with its address in a `uri` or `url` attribute as well as in its text.
_LINK_WITH_ADDRESS = re.compile(
    rb"<link\s[^<>]*?\bur[il]\s*=\s*[\"']([^\"'<>]*)[\"'][^<>]*>\s*([^<\s]+)\s*</link>"
)
# What may follow an address's last "/" in the bytes, up to where the address ends.
_TOKEN_BYTES = rb"[^/.?#:\s<>\"'&]+"
_MAX_LINK_BASES = 32


def _written_in_full(data: bytes, links: set[str]) -> set[str]:
    """Those of `links` (each a base ending in "/" and a bare token) the document writes out in
    full. One scan per base, not one per link: a feed of 100,000 bare guids took minutes when
    each link was looked for in the whole document. Past _MAX_LINK_BASES bases (xml:base on
    every item, as no real feed does), none counts as written: their links are dropped."""
    tokens: dict[str, set[str]] = defaultdict(set)
    for link in links:
        base, _, token = link.rpartition("/")
        tokens[base + "/"].add(token)
    if len(tokens) > _MAX_LINK_BASES:
        return set()
    written: set[str] = set()
    for base, wanted in tokens.items():
        after = re.compile(re.escape(base.encode()) + b"(" + _TOKEN_BYTES + b")")
        found = {m.group(1).decode("utf-8", "replace") for m in after.finditer(data)}
        written.update(base + token for token in wanted & found)
    return written


# What the channel's head is read for: its <itunes:image>, the first entry (where the head
# ends), and comments, CDATA sections and instructions, stepped over (they hold no element).
_HEAD_TAG = re.compile(
    rb"<(?:!--|!\[CDATA\[|\?|itunes:image\b([^<>]*)>|(?:\w+:)?(?:item|entry)[\s>/])"
)
_CLOSINGS = {b"<!--": b"-->", b"<![CDATA[": b"]]>", b"<?": b"?>"}


def _past(data: bytes, opening: bytes, start: int, end: int | None = None) -> int:
    """Where the comment, CDATA section or instruction `opening` began ends (past its
    closing, looked for from `start`), or -1 when it does not before `end`. Stepping over one
    by finding its end, once, keeps every scan of the bytes linear whatever it holds."""
    closing = _CLOSINGS[opening]
    close = data.find(closing, start, len(data) if end is None else end)
    return -1 if close < 0 else close + len(closing)


# The channel's head read for its <itunes:author> (as _HEAD_TAG for its image).
_SHOW_AUTHOR_TAG = re.compile(
    rb"<(?:!--|!\[CDATA\[|\?|itunes:author\s*>|(?:\w+:)?(?:item|entry)[\s>/])"
)
_SHOW_AUTHOR_BYTES = 4096  # a name, not a document: longer is no show's author
_CDATA_BYTES = re.compile(rb"<!\[CDATA\[(.*?)\]\]>", re.S)


def _show_authors(parsed: ParsedFeed, data: bytes) -> ParsedFeed:
    """The podcast's entries that name no author with its show's: the channel's <itunes:author>
    (Libsyn writes it there only). Read from the bytes: feedparser files the channel's
    <itunes:author>, <managingEditor> and <itunes:owner>'s <itunes:name> as one author, the last
    one written winning, and the owner is who to write to, no byline."""
    if b"itunes:author" not in data or all(e.author for e in parsed.entries):
        return parsed
    author = _show_author(data)
    if not author:
        return parsed
    entries = tuple(e if e.author else replace(e, author=author) for e in parsed.entries)
    return replace(parsed, entries=entries)


def _show_author(data: bytes) -> str | None:
    """The text of the channel's <itunes:author> (before its first entry), or None: entities
    decoded once, CDATA as written, as feedparser reads an element's text."""
    position = 0
    while match := _SHOW_AUTHOR_TAG.search(data, position):
        if match.group(0) in _CLOSINGS:
            position = _past(data, match.group(0), match.end())
            if position < 0:
                return None
            continue
        if not match.group(0).startswith(b"<itunes:author"):
            return None  # the first entry: the head has none
        start = match.end()
        end = data.find(b"</itunes:author", start, start + _SHOW_AUTHOR_BYTES)
        if end < 0:
            return None
        parts = _CDATA_BYTES.split(data[start:end])  # (text, CDATA, text, …)
        text = "".join(
            part.decode("utf-8", "replace")
            if n % 2
            else html.unescape(part.decode("utf-8", "replace"))
            for n, part in enumerate(parts)
        )
        return text.strip() or None
    return None


def _artwork(data: bytes) -> str | None:
    """The channel's <itunes:image href> (before its first entry), unresolved; or None.

    Read from the bytes, the same for both parsers: feedparser files it and the channel's
    <image> in one place (the last one written wins), and a site's logo is no episode's picture.
    """
    if b"itunes:image" not in data:
        return None
    position = 0
    while match := _HEAD_TAG.search(data, position):
        if match.group(0) not in _CLOSINGS:  # the image, or the first entry: the head is read
            href = _HREF.search(match.group(1)) if match.group(1) is not None else None
            if href is None:
                return None
            return html.unescape((href.group(1) or href.group(2)).decode()).strip() or None
        position = _past(data, match.group(0), match.end())
        if position < 0:
            return None
    return None


def _feed(
    feed: Mapping[str, Any],
    entries: tuple[EntryData, ...],
    base_url: str,
    warning: str | None,
    *,
    feed_authors_apply: bool,
) -> ParsedFeed:
    """A ParsedFeed from either parser's feed (both answer feedparser's keys) and its entries."""
    if feed_authors_apply and (author := _author(feed)):
        # RFC 4287 4.2.1: an Atom feed's authors are those of its entries that name none (a
        # single-author blog's usual feed); neither parser applies them.
        entries = tuple(e if e.author else replace(e, author=author) for e in entries)
    return ParsedFeed(
        title=_str(feed.get("title")),
        link=_alternate_link(feed) or _str(feed.get("link")),
        language=_str(feed.get("language")),
        ttl=_ttl(feed.get("ttl")),
        hub=_hub(feed),
        entries=entries,
        base_url=base_url,
        warning=warning,
        offset=_written_offset(feed),
    )


def _written_offset(feed: Mapping[str, Any]) -> timedelta | None:
    """The offset of the feed's own date, when it names one other than UTC's (ParsedFeed)."""
    for key in ("updated", "published"):
        offset = written_offset(_str(feed.get(key)))
        if offset is not None:
            return offset or None
    return None


def _feed_authors_apply(version: str, data: bytes) -> bool:
    """Whether the feed's authors are those of its entries that name none (RFC 4287 4.2.1):
    in Atom, but not in a document with a <source>, whose authors come first and which neither
    parser files with the entry (a planet's posts were credited to the planet's owner)."""
    return version.startswith("atom") and _SOURCE_ELEMENT.search(data) is None


_SOURCE_ELEMENT = re.compile(rb"<(?:\w+:)?source[\s>]")


# --- the fast path ------------------------------------------------------------------------------

FAST_PARSER = "feedparser-rs"
REFERENCE_PARSER = "feedparser"
JSON_FEED_PARSER = "json-feed"  # ours, below: neither parser reads JSON Feed as we need

# feedparser-rs stops counting at these limits (silently, where feedparser reads everything):
# a document that reaches one is left to feedparser. Our own bounds (body size, gzip, DOCTYPE)
# come before either parser.
_FAST_LIMITS = feedparser_rs.ParserLimits(
    max_feed_size_bytes=MAX_DECOMPRESSED_BYTES * 4 + 64,  # UTF-8 of the decoded text, at worst
    max_entries=10_000,
    max_links_per_feed=100,
    max_links_per_entry=50,
    max_authors=20,
    max_contributors=20,
    max_tags=100,
    max_content_blocks=10,
    max_enclosures=20,
)


def _parse_fast(
    data: bytes, base_url: str, warning: str | None, spoken: str | None = None
) -> ParsedFeed | str:
    """The document read by feedparser-rs, or why it must be left to feedparser.

    The fast path takes only what it reads exactly as feedparser does (the differential test,
    tests/test_parse_differential.py, is the proof): well-formed RSS and Atom documents, none of
    whose fields fall in a gap listed in `_fast_gap`. `spoken`: the response's Content-Language
    header, when it has one (`_spoken`).
    """
    # The same document to an XML parser; what follows reads these bytes (spans, overlays).
    data = _without_self_closing(data)
    try:
        result = feedparser_rs.parse_with_limits(
            data, limits=_FAST_LIMITS, sanitize_html=False, resolve_relative_uris=False
        )
    except Exception as e:  # noqa: BLE001 - whatever the fast parser fails on, feedparser decides
        return f"feedparser-rs raised {type(e).__name__}"
    if result.bozo:
        return f"ill-formed ({result.bozo_exception})"
    version = result.version or ""
    if not version.startswith(("rss", "atom")):
        return f"not RSS or Atom to feedparser-rs ({version or 'unknown'})"
    rss = version.startswith("rss")  # else Atom
    if (
        not rss
        and (root := _FEED_START.search(data))
        and not _DEFAULT_NAMESPACE.search(root.group(1))
        and _XHTML_TYPE.search(data)
    ):
        return "XHTML in Atom without a namespace (feedparser keeps its <div>, feedparser-rs not)"
    if problem := _not_well_formed(data):
        # feedparser-rs lets some by (an undefined entity or a bare & in Atom, a duplicate or
        # unquoted attribute, < in an attribute value, an undeclared prefix); feedparser's XML
        # parser stops there, and it reads the document leniently and says so.
        return f"ill-formed to feedparser's XML parser ({problem}), not to feedparser-rs"
    entries = result.entries
    if not entries:
        return "no entries"
    if len(entries) >= _FAST_LIMITS.max_entries:
        return f"{len(entries)} entries: the fast parser's limit"
    spans = _entry_spans(data)
    if len(spans) != len(entries):  # (what follows reads each entry's bytes by its span)
        return "entries feedparser-rs did not count as feedparser does (nesting, markup)"
    doc = _Document(data)
    feed: Any = result.feed
    read: Sequence[Any] = entries  # as our mapping reads them: with decoded Atom attributes
    overlays: list[dict[str, Any] | None] = [None] * len(entries)
    if not rss:
        decoded = _atom_urls(feed, entries)
        if isinstance(decoded, str):
            return decoded
        if decoded[0]:
            feed = _Overlay(feed, decoded[0])
        overlays = decoded[1]
        # Untyped summaries and titles are text to Atom and feedparser, HTML to feedparser-rs.
        for key, untyped, retype in (
            ("summary_detail", _UNTYPED_SUMMARY, _plain_summaries),
            ("title_detail", _UNTYPED_TITLE, _plain_titles),
        ):
            if untyped.search(data):
                plain = retype(entries, data, spans)
                if isinstance(plain, str):
                    return plain
                for n, detail in plain.items():
                    overlays[n] = {**(overlays[n] or {}), key: detail}
    bodies: dict[int, dict[str, Any]] = {}
    markup = _markup_as_elements(data)
    if markup or (not rss and any(map(_has_xhtml, entries))):
        found = _markup_bodies(entries, data, spans, version, markup)
        if isinstance(found, str):
            return found
        bodies = found
    if not rss and doc.search(_MEDIA_DESCRIPTION):
        media = _media_summaries(entries, data, spans)
        if isinstance(media, str):
            return media
        for n, detail in media.items():
            bodies[n] = {**bodies.get(n, {}), **detail}
    if not rss:
        for n, body in bodies.items():
            overlays[n] = {**(overlays[n] or {}), **body}
        read = [_Overlay(e, o) if o else e for e, o in zip(entries, overlays, strict=True)]
    if gap := _fast_gap(feed, read, version, doc, spans, bodies):
        return gap
    if spoken and _LANG_ATTRIBUTE.search(data):
        return "a Content-Language header beside an xml:lang (feedparser's default language)"
    if rss:
        rss_overlays = _overlays(entries, doc, spans)
        if isinstance(rss_overlays, str):
            return rss_overlays
        overlays = rss_overlays
        for n, body in bodies.items():
            overlays[n] = {**(overlays[n] or {}), **body}
    if b":origLink" in data:
        links = _original_links(data, spans)
        if isinstance(links, str):
            return links
        for n, link in links.items():
            overlays[n] = {**(overlays[n] or {}), _ORIGINAL_LINK_KEYS[0]: link}
    if doc.xml_base:
        # Only on content elements (_fast_gap): the entry's base for the HTML in its content.
        bases = _content_bases(data, spans, base_url)
        if isinstance(bases, str):  # (_fast_gap read them against no base)
            return bases
        for n, (entry_base, content_base) in enumerate(bases):
            if entry_base is not None and (rss or data.find(b"<media:", *spans[n]) >= 0):
                return "an entry's own xml:base (feedparser resolves its media against the feed)"
            if entry_base is not None:
                overlays[n] = {**(overlays[n] or {}), _ENTRY_BASE_KEY: entry_base}
            if content_base is not None:
                overlays[n] = {**(overlays[n] or {}), _BASE_KEY: content_base}
    feed_author = _author(feed)
    # The RSS guids that are permalinks: relative ones are resolved (_fast_gap made sure we can
    # tell). An Atom id always is.
    permalinks: set[str] = set()
    if rss and any(_joined_otherwise(i) for e in entries if (i := _str(e.get("id")))):
        permalinks = _rss_guids(data)[0]
    # Without xml:base (a gap), feedparser's base is the document's URL; it resolves relative
    # links against it even with resolve_relative_uris=False (that only concerns HTML).
    parsed = _feed(
        feed,
        tuple(
            _fast_entry(e, base_url, feed_author, data, span, overlay, permalinks, rss)
            for e, span, overlay in zip(entries, spans, overlays, strict=True)
        ),
        base_url,
        warning,
        feed_authors_apply=_feed_authors_apply(version, data),
    )
    # feedparser resolves a relative hub against the document's URL (feedparser-rs keeps it).
    hub = _join(parsed.hub, base_url) or None if parsed.hub else None
    hub = hub or (_bytes_hub(data, spans, base_url) if doc.hub_link else None)
    # (One urljoin cannot read, "http://[::1", is none to feedparser's reading, not "".)
    feed_link = _join(parsed.link, base_url) or None
    parsed = replace(parsed, link=feed_link, hub=hub, parser=FAST_PARSER)
    if rss and doc.root_lang:  # (with a Content-Language header too, feedparser read it above)
        return _rooted(parsed, read, *doc.root_lang)
    return _spoken(parsed, read, spoken) if spoken else parsed


# An xml:lang, or a bare lang attribute (feedparser takes either for the element's language).
_LANG_ATTRIBUTE = re.compile(rb"[\s:]lang\s*=")


def _spoken(parsed: ParsedFeed, entries: Sequence[Any], spoken: str) -> ParsedFeed | str:
    """The fast reading of a document served with a Content-Language header, as feedparser reads
    it: the header is its language for each element without an xml:lang (there is none:
    `_parse_fast`), "_" written "-". So it is the feed's language unless the channel names one
    (<language>, <dc:language>), and that of each entry's title, summary and content, whose
    language is an entry's (`_entry_fields`; an entry's own <dc:language> is a gap).

    Where the channel names a language, an entry's then differs from the feed's, and whether the
    entry has a title, summary or content must be known as feedparser knows it: feedparser-rs
    reports none for an empty Atom <title></title> or <content></content>, feedparser an empty
    one. So each entry must have a text that is not blank, or feedparser reads the document."""
    language = _str(spoken.replace("_", "-"))
    if language is None:
        return parsed  # (an empty header: feedparser gives no language either)
    if parsed.language is None:
        return replace(
            parsed,
            language=language,
            entries=tuple(replace(e, language=language) for e in parsed.entries),
        )
    if _textless(entries):
        return (
            "a Content-Language header and the channel's own language, beside an entry"
            " without a text (feedparser gives it the header's language)"
        )
    return replace(parsed, entries=tuple(replace(e, language=language) for e in parsed.entries))


def _rooted(
    parsed: ParsedFeed, entries: Sequence[Any], language: str, on_rss: bool
) -> ParsedFeed | str:
    """The fast reading of an RSS document whose root alone has an xml:lang (_Document.root_lang)
    as feedparser reads it: every element's language, so each entry's (that of its title,
    summary or content: `_entry_fields`), and the feed's when the root is <rss>. An entry
    without a text gets none from feedparser: each must have one that is not blank (as in
    `_spoken`, where feedparser-rs reports no empty Atom one), or feedparser reads the document."""
    if _textless(entries):
        return "an xml:lang on the root, beside an entry without a text (feedparser gives it none)"
    return replace(
        parsed,
        language=language if on_rss else None,
        entries=tuple(replace(e, language=language) for e in parsed.entries),
    )


def _textless(entries: Sequence[Any]) -> bool:
    """Whether an entry has no title, summary nor content that is not blank (feedparser-rs
    reports none for an empty one, where feedparser gives the empty one a language)."""
    for entry in entries:
        texts = [entry.get("title_detail"), entry.get("summary_detail")]
        if not any(_str(d.get("value")) for d in [*texts, *(entry.get("content") or [])] if d):
            return True
    return False


# What follows each "<" of a document: a name, as far as word characters, ".", ":" and "-" go
# (in comments and CDATA sections too: a name there only makes a check scan the bytes). With more
# "<" than _MAX_TAGS, more names than _MAX_NAMES or one of _MAX_NAME characters (cut short),
# the names are not used: every check scans the bytes, as it did before there were names, and a
# hostile document's names take neither memory nor time.
_MAX_TAGS, _MAX_NAMES, _MAX_NAME = 100_000, 2_000, 64  # (_document_marks reads the names)
# Where `\b` holds inside such a name (after a word character, before one of those).
_NAME_CUT = re.compile(rb"[.:-]")


class _Rare(NamedTuple):
    r"""A pattern for an element few documents have, with the names it cannot match without.

    `heads`: one of them must begin a name written after "<", up to the name's end or to a
    ".", ":" or "-" (a pattern `<media:rating\b` or `<dc:identifier[\s>]`). `words`: one of
    them must be a part of such a name between those (`<(?:\w+:)?body\b`). `folded`: compared in
    small letters, for a pattern that matches the names in any case. The pattern begins with "<"
    and a start tag's name: the names of end tags are not collected. A document none of whose
    names fits is not scanned (`_Document.search`); tests/test_parse_differential.py checks
    that every match in the fixtures and the corpus has its names.
    """

    pattern: re.Pattern[bytes]
    heads: frozenset[bytes] = frozenset()
    words: frozenset[bytes] = frozenset()
    folded: bool = False


def _rare(
    pattern: bytes,
    *,
    heads: Iterable[bytes] = (),
    words: Iterable[bytes] = (),
    flags: int = 0,
    folded: bool = False,
) -> _Rare:
    folded = folded or bool(flags & re.IGNORECASE)
    heads, words = (frozenset(n.lower() if folded else n for n in ns) for ns in (heads, words))
    if not heads and not words:
        raise ValueError("a rare pattern needs the names it cannot match without")
    if not pattern.startswith(b"<") or pattern.startswith((b"</", b"<(/", b"<(?:/")):
        raise ValueError("a rare pattern starts with '<' and a start tag's name (no end tag's)")
    if b"(?i" in pattern and not folded:
        raise ValueError("a rare pattern ignoring case, even in part, needs folded=True")
    return _Rare(re.compile(pattern, flags), heads, words, folded)


class _Document:
    """A document's bytes and what the fast path's checks ask of all of them, each found once:
    the names written after "<" (one scan, then a pattern for a rare element runs only where
    its names are: `search`), and the answers several checks share."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        written, self.marks, self.last_language = _document_marks(data, _MAX_NAME, _MAX_TAGS)
        names = frozenset(written) if written is not None else None
        if names is not None and (
            len(names) > _MAX_NAMES or any(len(name) == _MAX_NAME for name in names)
        ):
            names = None
        self.names = names  # None: not read (every rare pattern may match)
        self.heads: set[bytes] = set()
        self.words: set[bytes] = set()
        for name in names or ():
            self.heads.update(name[: cut.start()] for cut in _NAME_CUT.finditer(name))
            self.heads.add(name)
            self.words.update(_NAME_CUT.split(name))
        self.folded_heads = {head.lower() for head in self.heads}
        self.folded_words = {word.lower() for word in self.words}

    def may_hold(self, rare: _Rare) -> bool:
        """Whether `rare` can match here: the document writes a name it needs."""
        if self.names is None:
            return True
        heads, words = (
            (self.folded_heads, self.folded_words) if rare.folded else (self.heads, self.words)
        )
        return not (heads.isdisjoint(rare.heads) and words.isdisjoint(rare.words))

    def search(self, rare: _Rare, start: int = 0) -> re.Match[bytes] | None:
        """`rare`'s first match from `start` on, scanning only when the document may hold one."""
        return rare.pattern.search(self.data, start) if self.may_hold(rare) else None

    def matches(self, pattern: re.Pattern[bytes]) -> bool:
        """Whether one of _MARKED matches somewhere in the document (`pattern.search`)."""
        return bool(self.marks & _MARK_BITS[pattern])

    @property
    def hub_link(self) -> bool:
        return self.matches(_HUB_LINK)

    @property
    def xml_base(self) -> bool:
        return self.matches(_XML_BASE)

    @property
    def xml_lang(self) -> bool:
        return self.matches(_XML_LANG)

    @functools.cached_property
    def root_lang(self) -> tuple[str, bool] | None:
        """An RSS document's only xml:lang, on its root element, with no <language> nor
        <dc:language> anywhere: its value, and whether the root is <rss> (feedparser makes it
        the feed's language then, not on an <rdf:RDF>); else None. feedparser gives it to
        every element, feedparser-rs to none (`_rooted`)."""
        if not self.xml_lang or self.matches(_LANGUAGE_ELEMENT):
            return None
        root = _ROOT_START.match(self.data)
        if root is None or len(_XML_LANG.findall(self.data)) != 1:
            return None
        for name, double, single in _ROOT_ATTRIBUTE.findall(root[2]):
            if name == b"xml:lang":
                value = double or single
                return (value.decode(), root[1] == b"rss") if _LANG_VALUE.fullmatch(value) else None
        return None  # (the one xml:lang is elsewhere, or not an attribute of the root)

    @functools.cached_property
    def namespaces(self) -> list[tuple[bytes, bytes]]:
        """The prefixes declared, with their addresses, in document order."""
        return _namespace_declarations(self.data)


# Patterns that start with a literal let `re` scan for it in C: these run on every document.
_XML_BASE = re.compile(rb"xml:base\s*=")
_XML_BASE_VALUE = re.compile(rb"""xml:base\s*=\s*(?:"([^"]*)"|'([^']*)')""")
# Tag patterns on the raw XML read attributes as [^<>]*, not [^>]*: no attribute value holds a
# "<" in XML, and a run of unfinished tags (in a comment, in CDATA) is then read once, not once
# per tag: "<guid" 20,000 times in a comment took 29 s to scan (tests/test_hostile.py).
_CONTENT_START = re.compile(rb"<(?:content|content:encoded)\b([^<>]*)>")
_URI_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
# An absolute URL _urljoin gives back as it is, whatever the base: a host of ASCII (no brackets),
# no ";" in the path (urlparse's params), no empty query or fragment, no space or control.
_PLAIN_URL = re.compile(
    r"https?://[A-Za-z0-9._~%!$&'()*+,=:@-]+(?:/[^?#;\x00-\x20\x7f]*+)?"
    r"(?:\?[^#\x00-\x20\x7f]++)?(?:#[^\x00-\x20\x7f]++)?\Z"
)
# A scheme other than the base's (always http or https) and no "//": urljoin gives the URL back
# as it is ("urn:uuid:…", "tag:example.com,2024:1", "mailto:…").
_OTHER_SCHEME = re.compile(r"(?![hH][tT][tT][pP][sS]?:)[A-Za-z][A-Za-z0-9+.-]*+:(?!//)")
_URI_FIXER = re.compile(r"^([A-Za-z][A-Za-z0-9+-.]*://)(/*)(.*?)")  # feedparser.urls, as it is
# An element written self-closing: feedparser-rs reads the next element's text into it; written
# as a start and an end tag (the same XML) it reads it as empty, as feedparser does. Any name,
# attributes and all (read as XML writes them: a quoted value may hold ">"), but <enclosure>,
# whose end tag means something to _TITLE_ELSEWHERE.
_EMPTY_ELEMENT = re.compile(
    rb"<(?!enclosure\b)([A-Za-z_\x80-\xff][\w.:\x80-\xff-]*+)"
    rb"""((?:\s++[\w.:\x80-\xff-]++\s*+=\s*+(?:"[^"<]*+"|'[^'<]*+'))*+)\s*+/>"""
)
# The start tags of the text elements feedparser keeps HTML written unescaped in as markup
# ("exactly <em>is</em> good"), and what is stepped over looking for them (_markup_as_elements).
_BODY_OR_SKIPPED = re.compile(
    rb"<(?:!--|!\[CDATA\[|\?|(?:description|content:encoded|summary|content|title)(?:\s[^<>]*)?>)"
)
# The start tags of the text elements whose markup written as elements we read as feedparser
# does (_markup_bodies), in an entry's span; "content:encoded" is not "content".
_BODY_START = re.compile(rb"<(description|summary|content)(?=[\s>/])([^<>]*)>")
_XHTML_TYPE = re.compile(rb"""\btype\s*=\s*["']xhtml["']""")
_XHTML_NAMESPACE = "http://www.w3.org/1999/xhtml"
_TITLE_ELSEWHERE = re.compile(rb"<media:|</enclosure>|<title[^<>]*xhtml")
# (An empty <item/> is an entry to feedparser; feedparser-rs skips it, so it must count.)
_ENTRY_TAG = re.compile(rb"<(?:\w+:)?(?:item|entry)[\s>/]")
_ENTRY_END = re.compile(rb"</(?:\w+:)?(?:item|entry)\s*>")
# Yandex.News's article text (<yandex:full-text>), or ukr.net's (unprefixed, HTML).
_FULL_TEXT = re.compile(rb"<(?:\w+:)?full-text[\s>/]")
_MARKUP_TAG = r"<(?:p|br|div|a|img|b|i|em|strong|ul|ol|li|h[1-6]|blockquote)\b"
_MARKUP = re.compile(rf"{_MARKUP_TAG}|&#?\w+;")
_HTML_TAG = re.compile(_MARKUP_TAG)
_MEDIA_DESCRIPTION = _rare(rb"<media:description\b", heads=[b"media:description"])
# note.com's picture: <media:thumbnail>https://…</media:thumbnail>, no url attribute. (A
# self-closing one was written open and closed by _without_self_closing: no text then.)
_MEDIA_THUMBNAIL_TEXT = _rare(rb"<media:thumbnail\b[^<>]*+>\s*+[^\s<]", heads=[b"media:thumbnail"])
_MEDIA_RATING = _rare(
    rb"<media:rating\b[^>]*>\s*adult\s*</media:rating>", heads=[b"media:rating"], flags=re.I
)
# note.com's byline: <note:creatorName>, its only one (no <author> nor <dc:creator>).
_NOTE_CREATOR = _rare(rb"<note:creatorName[\s>]", heads=[b"note:creatorName"])
# Naver Blog's tags: one unprefixed <tag>, a list with commas ("구름,적란운,하늘사진").
_TAG_LIST = _rare(rb"<tag[\s>]", heads=[b"tag"])
# The start tags of the elements feedparser reads as dates, in any namespace and any case
# (feedparser's handlers by local name: _start_pubdate, _start_dc_date, _start_dcterms_issued…;
# <prism:publicationDate> and the like it ignores): see _rss_dates and _dates_read_alike.
_DATE_TAG = re.compile(
    rb"<((?:\w+:)?(?:pubDate|published|issued|updated|modified|lastBuildDate|date|created"
    rb"|expirationDate))[\s>/]",
    re.IGNORECASE,
)
# Where feedparser files each RSS item date element we read from the bytes, by its namespace.
_DATE_FIELDS = {
    b"pubDate": "published",
    b"dc:date": "updated",
    b"dcterms:issued": "published",
    b"dcterms:modified": "updated",
    b"atom:published": "published",
    b"atom:updated": "updated",
}
_DATE_NAMESPACES = {
    b"dc": b"http://purl.org/dc/elements/1.1/",
    b"dcterms": b"http://purl.org/dc/terms/",
    b"atom": b"http://www.w3.org/2005/Atom",
}
# Any element an entry's author can come from: <author>, <dc:creator>, <itunes:author>…
_AUTHOR_TAG = re.compile(rb"<(?:\w+:)?(?:author|creator)[\s>]")
# (An RSS <author> may hold CDATA or nothing: that is no Atom <author><name>.)
# A <link> with an address attribute: feedparser takes its href, uri or url as Atom's (a feed
# writing an AT Protocol URI as `uri` beside the page's address), feedparser-rs the text.
_ATOM_IN_RSS = re.compile(rb"<author>\s*<(?!!\[CDATA\[|/)|<link\s[^<>]*\b(?:href|uri|url)\s*=")
# feedparser's own pattern for the e-mail address in an RSS <author> (feedparser/mixin.py), and
# the same with top-level domains of any length: feedparser's stops at four letters, so
# "editor@city.online (Jane Doe)" gave it the address "editor@city.onli" and the name "ne (Jane
# Doe". An item's one author is split with the second (both paths: `_author`, `_overlays`).
_EMAIL_PATTERN = (
    r"(([a-zA-Z0-9\_\-\.\+]+)@((\[[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.)|(([a-zA-Z0-9\-]+\.)+))"
    r"([a-zA-Z]{2,%s}|[0-9]{1,3})(\]?))(\?subject=\S+)?"
)
_FEEDPARSER_EMAIL = re.compile(_EMAIL_PATTERN % 4)
_EMAIL = re.compile(_EMAIL_PATTERN % 63)
_ITUNES_SUMMARY = _rare(rb"<itunes:summary\b", heads=[b"itunes:summary"])
_ITUNES_SUMMARY_ELEMENT = re.compile(rb"<(/?)itunes:summary\b")
# Namespace declarations, the only attributes an element read from the bytes may have.
_XMLNS_ONLY = rb"""(?:\s+xmlns(?::[\w.-]+)?\s*=\s*(?:"[^"<]*"|'[^'<]*'))*\s*"""
# feedparser reads <itunes:duration> in any case and none with attributes (but namespace
# declarations), feedparser-rs in lower case only, attributes or not, and a <duration> of no
# namespace as well.
_ODD_DURATION = _rare(
    rb"<(?!itunes:duration" + _XMLNS_ONLY + rb">)(?:\w+:)?[dD][uU][rR][aA][tT][iI][oO][nN]\b",
    words=[b"duration"],
    folded=True,
)
# Text, CDATA sections included, but no child element. A CDATA section read here ends before
# another "<![CDATA[": a run of them left open (in a comment, in another CDATA section) is read
# once, not once per element tag before it; an element whose CDATA holds that text, which no
# real date, guid or author does, is not found, and the fast path leaves its document. Each
# CDATA section is read once (atomic): read lazily and retried, a comment holding "]]>" after
# it many times took seconds for 20 KB.
_TEXT_ONLY = rb"((?:[^<]++|<!\[CDATA\[(?>(?:(?!<!\[CDATA\[).)*?\]\]>))*+)"
# A <media:description> as plain text (_media_summaries).
_MEDIA_DESCRIPTION_TEXT = re.compile(
    rb"<media:description>" + _TEXT_ONLY + rb"</media:description\s*>", re.DOTALL
)
_CDATA = re.compile(r"<!\[CDATA\[(.*?)\]\]>", re.DOTALL)
# An RSS item's date elements that _rss_dates reads, as plain text.
_DATE_ELEMENT = re.compile(
    rb"<(" + b"|".join(_DATE_FIELDS) + rb")>" + _TEXT_ONLY + rb"</\1\s*>", re.DOTALL
)
# An RSS item's authors as text, which feedparser reads one by one (feedparser-rs keeps one).
# (feedparser knows no googleplay namespace: <googleplay:author> is no author to it.)
# (An item's <managingEditor> is an author to feedparser, in document order; feedparser-rs
# ignores it.)
_ITEM_AUTHOR_TAG = re.compile(rb"<(?!googleplay:)(?:\w+:)?(?:author|creator|managingEditor)[\s>]")
_RSS_AUTHOR_TEXT = re.compile(
    rb"<(author|dc:creator|dc:author|itunes:author|managingEditor)"
    + _XMLNS_ONLY
    + rb">"
    + _TEXT_ONLY
    + rb"</\1\s*>",
    re.DOTALL,
)
# The elements feedparser makes an item's tags from, the itunes ones first.
_ITUNES_TAG = _rare(
    rb"<itunes:(?:category|keywords)\b", heads=[b"itunes:category", b"itunes:keywords"]
)
_MEDIA_TAG = _rare(rb"<media:(?:keywords|category)\b", heads=[b"media:keywords", b"media:category"])
_ANY_TAG_ELEMENT = re.compile(rb"<(?:\w+:)?(?:category|subject|keywords)\b")
_TAG_ELEMENT = re.compile(
    rb"<(category|dc:subject|media:category|itunes:category|itunes:keywords|media:keywords)"
    rb"\b([^<>]*?)(?:/>|>" + _TEXT_ONLY + rb"</\1\s*>)",
    re.DOTALL,
)
_TEXT_ATTRIBUTE = re.compile(rb"""\btext\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_IGNORED_PREFIXES = (b"googleplay:",)
_XMLNS_ATTRIBUTE = re.compile(rb"""\s*xmlns(?::[\w.-]+)?\s*=\s*(?:"[^"]*"|'[^']*')""")
# The elements feedparser may file as an item's summary or content, with their attributes.
_BODY_TAG = re.compile(rb"<((?:\w+:)?(?:description|summary|encoded|abstract))\b([^<>]*)>")
_UNTYPED_SUMMARY = re.compile(rb"<summary(?=[\s>/])(?![^<>]*\btype\s*=)[^<>]*>")
_SUMMARY_TAG = re.compile(rb"<summary[\s>/]")
_UNTYPED_TITLE = re.compile(rb"<title(?=[\s>/])(?![^<>]*\btype\s*=)[^<>]*>")
_TITLE_TAG = re.compile(rb"<title[\s>/]")
_SOURCE_TAG = _rare(rb"<(?:\w+:)?source[\s>/]", words=[b"source"])
_GUID = re.compile(rb"<guid\b([^<>]*)>" + _TEXT_ONLY + rb"</guid>", re.DOTALL)  # CDATA too
# A <guid> whose isPermaLink is spelled in another case ("ispermalink").
_PERMALINK_OTHERWISE = re.compile(
    rb"<guid\s[^<>]*?(?!isPermaLink)[iI][sS][pP][eE][rR][mM][aA][lL][iI][nN][kK]\s*="
)
# feedparser lower-cases attribute names, not values: only "true" makes a permalink.
_PERMALINK_ATTRIBUTE = re.compile(rb"""ispermalink\s*=\s*["']([^"']*)["']""", re.IGNORECASE)
# C1 controls (U+0080-U+009F, as UTF-8): feedparser reads them as the windows-1252 characters
# they were meant to be; feedparser-rs keeps them.
_C1_CONTROL = re.compile(rb"\xc2[\x80-\x9f]")
_C1_REFERENCE = re.compile(rb"&#(?:[xX]0*[89][\da-fA-F]|0*(?:12[89]|1[3-5]\d));")
_CATEGORIES = _rare(rb"<categories[\s>]", heads=[b"categories"])
_BASE64 = re.compile(rb"""mode\s*=\s*["']base64""")
# Atom 1.0's base64: a text construct whose type is a media type neither text nor XML.
# (Every scan within a tag stops at its "<" or ">", possessively: a run of "<content " in a
# CDATA section, with no ">", made each occurrence scan to the run's end: quadratic.)
_ATOM_BASE64 = re.compile(
    rb"<(?:content|summary|title|subtitle|rights)\b(?![^<>]*?\bsrc\s*=)"
    rb"[^<>]*?\btype\s*=\s*[\"'](?!text/)[\w.+-]+/(?![\w.+-]*xml[\"'])"
)
# Atom's out-of-line content (RFC 4287 4.1.3.2): feedparser-rs reads it as an empty content.
_CONTENT_SOURCE = re.compile(rb"<(?:\w+:)?content\b[^<>]*?\bsrc\s*=")
# What feedparser reads and feedparser-rs does not, or reads otherwise (each found by feeding
# other projects' test feeds through both: RSS <fullitem>, a <tags> list, <itunes:image url>,
# a category written as markup or holding an <image>, an Atom category with only a label, an
# Atom link written as text).
_ODD_FIELDS = re.compile(
    rb"<fullitem\b|<tags>|<itunes:image\b[^<>]*?\burl\s*="
    rb"|<category\b[^<>]*+(?<!/)>[^<]*+<(?!!\[CDATA\[|/category>)|<atom10:category\b"
    rb"|<category\b(?![^<>]*?\bterm\s*=)[^<>]*?\blabel\s*="
)
_ATOM_LINK_TEXT = re.compile(rb"<link\b(?![^<>]*?\bhref\s*=)[^<>]*+(?<!/)>\s*https?:")
_XHTML_BODY = _rare(rb"<(?:\w+:)?body\b", words=[b"body"])
_ODD_CASE = _rare(
    rb"<(?:pubdate|Pubdate|PubDate|PUBDATE|Title|Link|Description|Item|Guid)\b",
    heads=b"pubdate Pubdate PubDate PUBDATE Title Link Description Item Guid".split(),
)
# Element names with a capital letter (feedparser lower-cases every name, feedparser-rs reads
# the names as written), and those of them feedparser-rs reads as they are written.
_CAPITALIZED_TAG = re.compile(rb"<([a-z0-9_.:-]*+[A-Z][\w.:-]*+)")
_CAPITALIZED_AS_WRITTEN = frozenset((b"pubDate", b"lastBuildDate", b"RDF", b"Seq", b"Bag"))
# The local names of the elements an article is made of: one of them in another case is read by
# feedparser only. (Others, WordPress's <wfw:commentRss> and <sy:updatePeriod>, are read by
# neither parser for anything we keep: they stay on the fast path.)
_ARTICLE_ELEMENTS = frozenset(
    b"""title link description summary content encoded guid id pubdate published updated issued
    modified date created category subject keywords enclosure author creator name email uri
    thumbnail image duration language entry item channel feed rss source rating ttl""".split()
)
# Elements feedparser-rs keeps the last of and feedparser the first (a second <description>
# becomes content to feedparser), in RSS items.
_RSS_ITEM_FIELDS = (b"title", b"description", b"link", b"guid", b"pubDate")
_RSS_ITEM_FIELD = re.compile(rb"<(" + b"|".join(_RSS_ITEM_FIELDS) + rb")[\s>/]")
_ATOM_ENTRY_FIELDS = (b"title", b"id", b"summary", b"published", b"updated")
_ATOM_ENTRY_FIELD = re.compile(rb"<(" + b"|".join(_ATOM_ENTRY_FIELDS) + rb")[\s>/]")
# Attribute names in capitals on the elements whose attributes we read (feedparser lower-cases
# names, feedparser-rs reads them as written), but the camel case MRSS defines.
_CAPITALIZED_ATTRIBUTE = re.compile(
    rb"<(?:enclosure|link|\w+:link|category|media:content|media:thumbnail|itunes:image)"
    rb"""(?:\s++(?:[a-z0-9_.:-]++|isDefault|fileSize)\s*+=\s*+(?:"[^"<]*+"|'[^'<]*+'))*+"""
    rb"\s++[a-z0-9_.:-]*+[A-Z]"
)
_CAPITALIZED_REL = re.compile(rb"""rel\s*=\s*["'][^"'<>]*[A-Z]""")  # (a literal first: fast)
# An Atom link to the entry's page typed other than as HTML, which feedparser does not take.
_ODD_TYPED_LINK = re.compile(
    rb"""<link(?![^<>]*\brel\s*=\s*["'](?!alternate["']))"""
    rb"""[^<>]*\btype\s*=\s*["'](?!text/html["']|application/xhtml\+xml["'])"""
)
_ATOM_AUTHOR = re.compile(rb"<author[\s>]")
_EMPTY_AUTHOR = re.compile(rb"<(?:\w+:)?(?:author|creator)(?:\s[^<>]*)?>\s*</")
_RSS_ID = re.compile(rb"<id[\s>/]")  # an Atom <id> in an RSS item: feedparser's id
# An Atom <category> with text: feedparser adds the text as one more tag, feedparser-rs reads
# only `term`.
_ATOM_CATEGORY_TEXT = re.compile(rb"<category(?:\s[^<>]*+)?>\s*+[^<\s]")
# An entry's date, link, body or enclosure inside its <author> or <contributor> (Atom) or an
# item's <image> (RSS): feedparser files it as the entry's, whatever its depth, feedparser-rs
# reads children only. (A scan stops at the next such start tag: a run of them left open is
# read once, not once per tag.)
_NESTED_FIELD = rb"(?:\w+:)?(?:published|updated|issued|link|content|summary|enclosure)[\s>/]"


def _inside(element: bytes, field: bytes) -> re.Pattern[bytes]:
    """An <element> holding a `field` start tag at any depth (each pattern with its literal
    first: a fast scan)."""
    stop = b"/" + element + rb"\s*>|" + element + rb"[\s>]|" + field
    return re.compile(b"<" + element + rb"[\s>](?:[^<]++|<(?!" + stop + rb"))*+<" + field)


_IN_ATOM_PERSON = (_inside(b"author", _NESTED_FIELD), _inside(b"contributor", _NESTED_FIELD))
_IN_ITEM_IMAGE = (_inside(b"image", rb"enclosure[\s>/]"),)
# An Atom document's root: feedparser reads one without a namespace as another "atom" (it keeps
# an XHTML content's <div>), feedparser-rs as Atom 1.0.
_FEED_START = re.compile(rb"<feed\b([^<>]*+)>")
_DEFAULT_NAMESPACE = re.compile(rb"\bxmlns\s*=")
# References in an Atom link's rel, type or length: feedparser-rs does not decode them (_atom_urls
# decodes the href).
_LINK_REFERENCE = re.compile(rb"""<link\s[^<>]*?\b(?:rel|type|length)\s*=\s*["'][^"'<>]*&""")
_ATOM_NAMED_AUTHOR = re.compile(rb"<author(?:\s[^<>]*)?>\s*<name[\s>]")
# In an RSS item, Atom's bodies and categories, and a typed <content:encoded>: feedparser reads
# them, feedparser-rs does not.
_ATOM_BODY_IN_RSS = re.compile(
    rb"<(?:atom\d*:)?(?:summary|content)[\s>/]|<category\s[^<>]*\bterm\s*="
    rb"|<content:encoded\s[^<>]*\btype\s*="
)
# An RSS <description> typed other than as HTML: feedparser reads it as its type says (plain
# text made paragraphs; an unknown type as base64, often to nothing), feedparser-rs as HTML.
_TYPED_DESCRIPTION = re.compile(
    rb"""<description\s[^<>]*\btype\s*=\s*["'](?!(?i:(?:text/)?html)["'])"""
)
# In an RSS 1.0 item, RSS 2.0's elements, a few of iTunes's and <dc:description>: the same.
_RSS2_IN_RSS1 = re.compile(
    rb"<(?:category|guid|enclosure|source|media:\w+|itunes:(?:summary|title|image)"
    rb"|dc:description)[\s>/]"
)
# The first of <title> and <dc:title>, which feedparser keeps (_titles_differ).
_TITLE_START = re.compile(rb"<(?:dc:)?title[\s>/]")
_TITLE_TEXT = re.compile(rb"<(title|dc:title)>" + _TEXT_ONLY + rb"</\1\s*>", re.DOTALL)
# In an RSS 2.0 item, <dc:description>: a summary to feedparser (typed HTML, and content beside
# a <description>), a summary typed as nothing to feedparser-rs.
_DC_DESCRIPTION = _rare(rb"<dc:description[\s>/]", heads=[b"dc:description"])
# A text element that declares a namespace of its own: feedparser no longer reads it as ours.
_REDECLARED = re.compile(
    rb"<(?:title|link|description|summary|content|guid|pubDate|author|category)\s[^<>]*\bxmlns\s*="
)
# Namespaces under a prefix of their own: feedparser reads them by their address, feedparser-rs
# by the prefix most feeds use.
_NAMESPACE_DECLARATION = re.compile(rb"""xmlns:([\w.-]+)\s*=\s*["']([^"'<>]*)["']""")


def _namespace_declarations_python(data: bytes) -> list[tuple[bytes, bytes]]:
    """The prefixes declared, with their addresses, in document order: the reference of
    _native.namespace_declarations."""
    return _NAMESPACE_DECLARATION.findall(data)


# (A scan of every document the fast path reads: 1% of its reading in Python.)
_namespace_declarations: Callable[[bytes], list[tuple[bytes, bytes]]] = (
    _native.namespace_declarations if _native is not None else _namespace_declarations_python
)
_USUAL_PREFIXES = {
    b"http://search.yahoo.com/mrss/": b"media",
    b"http://search.yahoo.com/mrss": b"media",
    b"http://www.itunes.com/dtds/podcast-1.0.dtd": b"itunes",
    b"http://purl.org/dc/elements/1.1/": b"dc",
    b"http://purl.org/dc/terms/": b"dcterms",
    b"http://purl.org/rss/1.0/modules/content/": b"content",
    b"http://rssnamespace.org/feedburner/ext/1.0": b"feedburner",  # (_original_links)
}
_PREFIXED_LINK = re.compile(rb"<\w+:link\s[^<>]*href")  # Atom's <link href> in an RSS item
_DC_IDENTIFIER = _rare(rb"<dc:identifier[\s>]", heads=[b"dc:identifier"])
# In Atom: what feedparser reads as an entry's own (RSS's <guid> as its id, <pubDate>, <dc:title>
# written first, <dc:description> over the summary…), feedparser-rs not or otherwise.
_FOREIGN_IN_ATOM_NAMES = (
    b"guid pubDate description enclosure dc:title dc:description dc:identifier dc:creator"
    b" dcterms:issued dcterms:modified itunes:author"
).split()
_FOREIGN_IN_ATOM = _rare(
    rb"<(?:" + b"|".join(_FOREIGN_IN_ATOM_NAMES) + rb")[\s>/]", heads=_FOREIGN_IN_ATOM_NAMES
)
_RDF_ABOUT = re.compile(rb"rdf:about\s*=")  # an RSS 1.0 item's id, which feedparser takes
_EMPTY_DC_DATE = re.compile(rb"<dc:date(?:\s[^<>]*)?>\s*</dc:date\s*>")
_DC_DATE_TAG = re.compile(rb"<dc:date[\s>]")
# A URL naming localhost or an address literal: feedparser-rs drops such links when the address
# is not public (127.0.0.1, 10.x, [::1], 169.254.x, …); feedparser keeps them. The hint starts
# with a literal to scan for; the patterns are tried where it is found.
# (An address literal in any of the forms hosts accept: "127.1", "2130706433", "0x7f000001";
# "1.bp.blogspot.com" is a name.)
_ADDRESS_LITERAL = rb"""(?:\[|0[xX][0-9a-fA-F.]*[/:?#"']|\d+(?:\.\d+){0,3}[/:?#"'])"""
_ADDRESS_HINT = re.compile(
    rb"://(?:" + _ADDRESS_LITERAL + rb"|[lL][oO][cC][aA][lL][hH][oO][sS][tT])"
)
# A URL with no host ("http:///2024/01/post", "https://?p=1", "https:"): feedparser-rs drops the
# link, feedparser's _urljoin mends it or resolves it against the document's URL.
_NO_HOST = re.compile(rb"://[/?#]")
_BARE_SCHEMES = tuple(
    scheme + end for scheme in (b"http:", b"https:") for end in (b"<", b'"', b"'")
)
# A URL on a host of the names feedparser-rs takes for a local network's (as it drops a link to
# an address that is not public: _ADDRESS_HINT), in any case, with a port or a trailing dot.
_LOCAL_NAME = re.compile(
    rb"""://[^/?#\s<>"'@]*\.(?i:local|internal|corp|home|intranet|lan|localhost)\.?"""
    rb"""(?=[:/?#"'<\s]|$)"""
)
_ADDRESS_ATTRIBUTE = re.compile(
    rb"""(?:url|href)\s*=\s*["']https?://(?:(?i:localhost)\b|""" + _ADDRESS_LITERAL + rb")"
)
_TAG = re.compile(r"<[^>]*>")
_TITLE_KEY_CHARS = 1000
_NOT_A_WORD = re.compile(r"\W+")
_LINK_ELEMENT = re.compile(rb"<(?:\w+:)?link\b([^<>]*)>")
_HREF = re.compile(rb"""\bhref\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_HUB_LINK = re.compile(rb"""rel\s*=\s*["']hub["']""")
_LANGUAGE_ELEMENT = re.compile(rb"language>")
_XML_LANG = re.compile(rb"xml:lang\s*=")
_XML_LANG_UNDERSCORE = re.compile(rb"xml:lang\s*=\s*[\"'][^\"'<>_]*_")
# An RSS document's root element's start tag, after nothing but a BOM, white space and
# processing instructions (no comment, no DOCTYPE), and its attributes (_Document.root_lang).
_ROOT_START = re.compile(
    rb"(?:\xef\xbb\xbf)?(?:\s|<\?[^<>]*\?>)*+<(rss|rdf:RDF)"
    rb"((?:\s+[\w:.-]+\s*=\s*(?:\"[^\"<>]*\"|'[^'<>]*'))*)\s*>"
)
_ROOT_ATTRIBUTE = re.compile(rb"""([\w:.-]+)\s*=\s*(?:"([^"<>]*)"|'([^'<>]*)')""")
_LANG_VALUE = re.compile(rb"[A-Za-z0-9-]+")  # (none with "_", which feedparser writes "-")
_ENTITY = re.compile(r"&(?:#\d+|#x[\da-fA-F]+|\w+);")


# The patterns of `_odd_markup`'s rules that start with "<": one walk over the "<" tells whether
# any can apply (_odd_marks). The rules that read the whole document are looked for in it, those
# that read only its entries (between the first entry's start and the last one's end) there;
# _ODD_DURATION by itself, only where the names allow it (_Document.search).
_COMMON_ODDITIES = (_CAPITALIZED_ATTRIBUTE, _PERMALINK_OTHERWISE, _REDECLARED)
_RSS_ITEM_ODDITIES = (_EMPTY_AUTHOR, _RSS_ID, _ATOM_BODY_IN_RSS, _PREFIXED_LINK)
_ATOM_ODDITIES = (_LINK_REFERENCE, _EMPTY_DC_DATE)
_ATOM_ITEM_ODDITIES = (_ODD_TYPED_LINK,)
# One call finds which of them match (_odd_marks): bit n for the nth of _ODD_MARKED (searched
# for in the whole document), then those of _ODD_ITEM_MARKED (in the entries).
_ODD_MARKED = (*_COMMON_ODDITIES, *_ATOM_ODDITIES)
_ODD_ITEM_MARKED = (*_RSS_ITEM_ODDITIES, *_ATOM_ITEM_ODDITIES)


def _odd_bits(patterns: Iterable[re.Pattern[bytes]]) -> int:
    order = (*_ODD_MARKED, *_ODD_ITEM_MARKED)
    return sum(1 << order.index(pattern) for pattern in patterns)


_RSS_ODD_BITS = _odd_bits((*_COMMON_ODDITIES, *_RSS_ITEM_ODDITIES))
_ATOM_ODD_BITS = _odd_bits((*_COMMON_ODDITIES, *_ATOM_ODDITIES, *_ATOM_ITEM_ODDITIES))


def _odd_marks_python(data: bytes, start: int, end: int) -> int:
    """Which of _ODD_MARKED match somewhere in `data` (bit n: the nth), and which of
    _ODD_ITEM_MARKED match in data[start:end] (as `search(data, start, end)`: bit
    len(_ODD_MARKED) + n). The reference of _native.odd_marks."""
    marks = sum(1 << n for n, pattern in enumerate(_ODD_MARKED) if pattern.search(data))
    return marks + sum(
        1 << (len(_ODD_MARKED) + n)
        for n, pattern in enumerate(_ODD_ITEM_MARKED)
        if pattern.search(data, start, end)
    )


# (Ten patterns' scans, each of a whole document or its entries, by the fast path's checks: 5% of
# its reading in Python.)
_odd_marks: Callable[[bytes, int, int], int] = (
    _native.odd_marks if _native is not None else _odd_marks_python
)


def _fast_gap(
    feed: Any,
    entries: Sequence[Any],
    version: str,
    doc: _Document,
    spans: Sequence[tuple[int, int]],
    rebuilt: Collection[int] = (),
) -> str:
    """Why feedparser-rs's reading of this document would differ from feedparser's, or "".

    Each rule stands for a difference the differential test found; the document goes to
    feedparser, which reads it the reference way. `rebuilt`: the entries whose bodies were read
    from the bytes (_markup_bodies: all of those with markup as elements or XHTML, when the
    document has any; _media_summaries).
    """
    rss = version.startswith("rss")  # else Atom (_parse_fast)
    data = doc.data
    # First: the checks below read the entries' spans in the bytes.
    if len(spans) != len(entries):
        return "entries feedparser-rs did not count as feedparser does (nesting, markup)"
    # normalize tells entries sharing an id (or link) apart by link, then title, then a hash of
    # the whole entry as parsed, which must then be the same as feedparser's to the last field.
    # (An RSS item's <dc:identifier> is its id to feedparser-rs only: _identifier_only.)
    # (Before the scans of the bytes below: the largest group of documents that fall back.)
    identifiers = rss and doc.search(_DC_IDENTIFIER) is not None
    ids = [
        None if identifiers and _identifier_only(data, span) else _str(e.get("id"))
        for e, span in zip(entries, spans, strict=True)
    ]
    # Each entry's link and title, read once for the rules below (a feedparser-rs `get`
    # converts its value anew each time).
    links = [_str(e.get("link")) for e in entries]
    titles = [_str(e.get("title")) for e in entries]
    keys = [
        (i or link, _title_key(title)) for i, link, title in zip(ids, links, titles, strict=True)
    ]
    if len(set(keys)) != len(keys):
        return "entries sharing an id and a title (their articles' ids then hash the whole entry)"
    if doc.xml_base and isinstance(_content_bases(data, spans, ""), str):
        return "xml:base other than on an entry's content (feedparser-rs does not apply it)"
    if rss and _ATOM_IN_RSS.search(data):
        return "Atom elements in RSS (<link href>, <author><name>: feedparser reads them as Atom)"
    if _hub(feed) is None and doc.hub_link and _bytes_hub(data, spans, "") is None:
        return "a WebSub hub link written in a way we do not read"
    if not feed.get("language") and (  # (feedparser-rs reads an empty <language> as "")
        doc.matches(_LANGUAGE_ELEMENT)
        or (doc.xml_lang and (rss or not _content_langs_only(data)) and not doc.root_lang)
    ):
        return "a language feedparser-rs does not report"
    if rss and _bare_lang(data):
        return "a lang attribute in RSS (feedparser takes it as xml:lang, feedparser-rs not)"
    # (Entry by entry only when there is one past the first entry's start: one scan mostly. A
    # document without a feed language has none, or it went above.)
    if (
        spans
        and feed.get("language")
        and doc.last_language >= spans[0][0]  # (_LANGUAGE_ELEMENT.search(data, spans[0][0]))
        and any(_LANGUAGE_ELEMENT.search(data, start, end) for start, end in spans)
    ):
        return "an entry's own <dc:language> (feedparser-rs does not report it)"
    if not rss and doc.search(_CATEGORIES):
        return "<category> inside a <categories> element (feedparser-rs drops it)"
    if doc.matches(_BASE64) or (not rss and _ATOM_BASE64.search(data)):
        return "base64 content (feedparser decodes it)"
    if doc.matches(_ODD_FIELDS) or (not rss and _ATOM_LINK_TEXT.search(data)):
        return "a field feedparser-rs does not read as feedparser does (<fullitem>, <tags>, …)"
    if doc.search(_XHTML_BODY):
        return "an XHTML <body> in an item (feedparser reads it as content)"
    if doc.matches(_C1_CONTROL) or doc.matches(_C1_REFERENCE):
        return "C1 control characters (feedparser reads them as windows-1252)"
    if doc.search(_ODD_CASE) or _capitalized(doc):
        return "element names in unusual case (feedparser ignores case, feedparser-rs does not)"
    if odd := _written_differently(doc, spans, version, feed, entries):
        return odd
    if not rss and doc.search(_SOURCE_TAG):
        return "an Atom <source> (whose authors feedparser-rs does not report)"
    if not rss and doc.search(_ITUNES_SUMMARY):
        return "<itunes:summary> in Atom (feedparser takes it as the summary or content)"
    if not rss and doc.search(_FOREIGN_IN_ATOM):
        return (
            "RSS, Dublin Core or iTunes elements in Atom that feedparser reads as an entry's id,"
            " title, summary, date, author or enclosure, and feedparser-rs otherwise or not"
        )
    # (An entry without a link is rare: the document is scanned for a dropped one only then.)
    linkless = not all(links)
    if (
        linkless
        and (
            doc.matches(_ADDRESS_HINT)
            or doc.matches(_NO_HOST)
            or any(scheme in data for scheme in _BARE_SCHEMES)
        )
    ) or (doc.matches(_ADDRESS_HINT) and _outside_cdata(_ADDRESS_ATTRIBUTE, data, 0, len(data))):
        return "a link to a non-public address or none (feedparser-rs drops it, feedparser not)"
    if (
        linkless or any(not x.get("href") for e in entries for x in e.get("enclosures") or ())
    ) and _LOCAL_NAME.search(data):
        # (An intranet's feed: its articles lost their links, http://intranet.corp/memo/1.)
        return "a link to a local network's name (feedparser-rs drops it, feedparser not)"
    if rss and b"full-text" in data and _FULL_TEXT.search(data):
        return "<yandex:full-text> or <full-text> (feedparser reads it, feedparser-rs not)"
    if doc.search(_MEDIA_THUMBNAIL_TEXT) and not (rss and _text_thumbnails(data, spans)):
        return (
            "a <media:thumbnail> holding its URL as text (feedparser reads it, feedparser-rs not)"
        )
    if rss and doc.search(_NOTE_CREATOR):
        return "note.com's <note:creatorName> (feedparser reads it, feedparser-rs not)"
    if rss and doc.search(_TAG_LIST):
        return "Naver Blog's <tag> list (feedparser reads it, feedparser-rs not)"
    if doc.search(_MEDIA_RATING):
        return "media rated adult (feedparser-rs does not report a <media:rating> in media:content)"
    if rss and doc.search(_MEDIA_DESCRIPTION):  # (in Atom: _media_summaries)
        return "<media:description> (feedparser takes it as the summary, feedparser-rs as text)"
    # (In Atom, _atom_urls decoded them.)
    if rss and _ENTITY.search(_alternate_link(feed) or _str(feed.get("link")) or ""):
        return "an entity left in the feed's link (feedparser-rs does not decode it)"
    # (A text feedparser repairs is Latin-1 whose bytes are UTF-8: in our UTF-8, a lead byte's
    # character then a continuation byte's, unless references wrote them.)
    repairable = doc.matches(_MOJIBAKE) or doc.matches(_REFERENCE)
    if repairable and _repaired(feed.get("title")):
        return _REPAIRED
    if not rss and any(not _str(link.get("href")) for link in feed.get("links") or []):
        return "an Atom link with an empty href (feedparser resolves it to the base)"
    if doc.xml_lang and _XML_LANG_UNDERSCORE.search(data):  # (_XML_LANG's match begins it)
        return 'an xml:lang written with "_" ("en_us": feedparser reads "en-us")'
    guids: tuple[set[str], set[str]] | None = None
    # Whether an untitled entry's title may be elsewhere: one scan, not one per such entry.
    untitled = not all(titles)
    title_elsewhere = untitled and _TITLE_ELSEWHERE.search(data) is not None
    for n, (entry, span) in enumerate(zip(entries, spans, strict=True)):
        if repairable and any(map(_repaired, _entry_texts(entry))):
            return _REPAIRED
        if rss and any(_ENTITY.search(url) for url in _entry_urls(entry)):
            return "an entity left in a URL attribute (feedparser-rs does not decode it)"
        if not rss and any(not _str(link.get("href")) for link in entry.get("links") or []):
            return "an Atom link with an empty href (feedparser resolves it to the base)"
        if not titles[n] and (title_elsewhere or _nested_title(data, *span)):
            return "an entry whose title feedparser finds elsewhere (media:title, XHTML)"
        if not rss and entry.get("dc_date") and not _dates_read_alike(data, span):
            return "<dc:date> beside another date (feedparser keeps both, feedparser-rs one)"
        details = [entry.get("summary_detail") or {}, *(entry.get("content") or [])]
        if any(not _is_html_type(c.get("type")) for c in details[1:]):
            return "content that is not HTML (feedparser types, decodes and picks it its own way)"
        # (An empty content is rare: only then is its entry scanned for a src.)
        if (
            not rss
            and any(not _str(c.get("value")) for c in details[1:])
            and _CONTENT_SOURCE.search(data, *span)
        ):
            return "out-of-line content (<content src>, which feedparser-rs does not report)"
        if n not in rebuilt and _has_xhtml(entry):
            return "XHTML content (feedparser-rs reads it differently)"
        if any(d.get("language") and not _str(d.get("value")) for d in details):
            return "a blank text with an xml:lang (feedparser gives it no language)"
        if not rss and _DC_DATE_TAG.search(data, *span) and not entry.get("dc_date"):
            return "a <dc:date> feedparser-rs cannot read (feedparser's date parser may)"
        guid = ids[n]
        if _scheme_in_capitals(guid):
            return "an id whose scheme is in capitals (feedparser writes it in small letters)"
        if guid is not None and _joined_otherwise(guid):
            if not rss:
                continue  # an Atom <id> is always resolved (feedparser's _start_id is _start_guid)
            if guids is None:
                guids = _rss_guids(data)  # once: a podcast has hundreds of such ids
            if (guid in guids[0]) == (guid in guids[1]):
                return "a relative id feedparser may or may not resolve (isPermaLink unclear)"
    return ""


# A reference other than XML's five: it may stand for a character that is not ASCII.
_REFERENCE = re.compile(rb"&(?!(?:amp|lt|gt|quot|apos);)[#\w]")
# U+00C2-U+00F4 (a UTF-8 lead byte read as Latin-1) then U+0080-U+00BF (a continuation), in
# UTF-8: where a text feedparser repairs (`_repaired`) shows in our bytes.
_MOJIBAKE = re.compile(rb"\xc3[\x82-\xb4]\xc2[\x80-\xbf]")

# The patterns every document the fast path reads is scanned for, whole (_Document.matches):
# one call finds them all, with the names after "<" (_document_marks).
_MARKED = (
    _XML_BASE,
    _XML_LANG,
    _HUB_LINK,
    _CAPITALIZED_REL,
    _BASE64,
    _LANGUAGE_ELEMENT,
    _C1_CONTROL,
    _C1_REFERENCE,
    _MOJIBAKE,
    _REFERENCE,
    _ADDRESS_HINT,
    _NO_HOST,
    _ODD_FIELDS,
)
_MARK_BITS = {pattern: 1 << n for n, pattern in enumerate(_MARKED)}


def _document_marks_python(
    data: bytes, max_name: int, max_tags: int
) -> tuple[set[bytes] | None, int, int]:
    """The names written after "<" (None with more than `max_tags` "<"; each cut at `max_name`
    bytes), which of _MARKED match somewhere (bit n: the nth), and where the last "language>"
    starts (-1: none). The reference of _native.document_marks, which runs where the C module
    was built."""
    names = (
        set(re.findall(rb"<([\w.:-]{1,%d})" % max_name, data))
        if data.count(b"<") <= max_tags
        else None
    )
    marks = sum(bit for pattern, bit in _MARK_BITS.items() if pattern.search(data))
    return names, marks, data.rfind(b"language>")


# (Thirteen patterns' scans of every document the fast path reads, and the one for its names: 9% of
# its reading in Python.)
_document_marks: Callable[[bytes, int, int], tuple[set[bytes] | None, int, int]] = (
    _native.document_marks if _native is not None else _document_marks_python
)
_REPAIRED = "UTF-8 read as Latin-1 (feedparser repairs each element's text, feedparser-rs not)"


def _repaired(value: object) -> bool:
    """Whether feedparser's repair of UTF-8 read as Latin-1 changes this text: it tries it on
    every element's text (mixin.py, pop), and it succeeds where all of it is Latin-1 and the bytes
    are UTF-8 ("fÃ¼r", a windows-1252 document's UTF-8, or references: "&#215;&#176;")."""
    if not isinstance(value, str) or value.isascii():
        return False
    try:
        return value.encode("iso-8859-1").decode("utf-8") != value
    except UnicodeError:
        return False


def _entry_texts(entry: Any) -> Iterator[object]:
    """The texts of an entry our mapping reads (feedparser repaired each of them: `_repaired`)."""
    yield from (entry.get(key) for key in ("title", "summary", "id", "link", "author"))
    yield from ((c or {}).get("value") for c in entry.get("content") or [])
    for author in entry.get("authors") or []:
        if author:
            yield author.get("name")
            yield author.get("email")
    yield from ((t or {}).get("term") for t in entry.get("tags") or [])


def _dates_read_alike(data: bytes, span: tuple[int, int]) -> bool:
    """True when an Atom entry with <dc:date> has no other date element. feedparser files it as
    `updated`; feedparser-rs also as `published` (`_fast_entry` drops that), and beside
    <updated> or <published> it reads them its own way. (RSS items: _rss_dates.)"""
    return _DATE_TAG.findall(data, *span) == [b"dc:date"]


def _rss_dates(
    data: bytes, tags: _TagStarts, usual: dict[bytes, bool], names: list[bytes]
) -> dict[str, str | None] | str | None:
    """An RSS item's `published` and `updated` as feedparser reads them, from the bytes, when
    the item has date elements other than one <pubDate> (None otherwise: feedparser-rs reads
    those as feedparser does); or why they cannot be read so.

    feedparser files <pubDate>, <dcterms:issued> and <atom:published> as `published`, <dc:date>,
    <dcterms:modified> and <atom:updated> as `updated`, the last of each kind winning, when they
    are the item's children; feedparser-rs reads <pubDate> and <dc:date> only, and <dc:date> as
    `published` too. `usual` remembers, by prefix, what `_declares` found: it reads the whole
    document, so once per document, not once per item. `tags`: the item's (`_TagStarts`);
    `names`: _DATE_TAG's matches in it (`_DateTags`)."""
    if not names or names == [b"pubDate"]:  # (one in a comment or CDATA: none, as to feedparser)
        return None
    start, end = tags.start, tags.end
    names = [m.group(1) for m in tags.matches(_DATE_TAG, start)]
    if not names or names == [b"pubDate"]:
        return None
    found = tags.matches(_DATE_ELEMENT, start)
    if len(found) != len(names):
        return "an RSS item date element we do not read (another namespace, attributes, markup)"
    for prefix in {m.group(1).partition(b":")[0] for m in found if b":" in m.group(1)}:
        if prefix not in usual:
            usual[prefix] = _declares(data, prefix, _DATE_NAMESPACES[prefix])
        if not usual[prefix]:
            return f"an RSS item date element whose prefix {prefix.decode()}: is not the usual"
    if not _children_of(data, start, end, {m.start() for m in found}):
        return "an RSS item date element nested in another element"
    dates: dict[str, str | None] = {"published": None, "updated": None}
    for match in found:
        dates[_DATE_FIELDS[match.group(1)]] = _xml_text(match.group(2)).strip() or None
    return dates


class _DateTags:
    """_DATE_TAG's matches from `start` on, found in one scan, and those of an item's span told
    by position: the same as findall on the span (a match holds no "<" but its first, so none
    runs into the item's end tag or into the next item)."""

    def __init__(self, data: bytes, start: int) -> None:
        found = [(m.start(), m.group(1)) for m in _DATE_TAG.finditer(data, start)]
        self.starts = [position for position, _ in found]
        self.found = [name for _, name in found]

    def names(self, start: int, end: int) -> list[bytes]:
        first = bisect.bisect_left(self.starts, start)
        return self.found[first : bisect.bisect_left(self.starts, end, first)]


class _TagStarts:
    """Where the tags of an item start, to tell them from what looks like one inside a comment,
    a CDATA section or an instruction (HTML in a <content:encoded> holding a <pubDate> or an
    <author>, a commented-out element: no element to feedparser). Before the first of those
    every match is a tag; past it, a match is one unless it is inside one of them, which are
    found once (each stepped over by `_past`), when a match is there. (In well-formed XML, the
    only documents the fast path reads, every other "<" starts a tag.)"""

    def __init__(self, data: bytes, start: int, end: int) -> None:
        self.data, self.start, self.end = data, start, end
        comment, instruction = data.find(b"<!", start, end), data.find(b"<?", start, end)
        self.hidden = min(p if p >= 0 else end for p in (comment, instruction))
        self.starts: list[int] | None = None  # of the hiding sections, in order
        self.ends: list[int] = []

    def matches(self, pattern: re.Pattern[bytes], start: int) -> list[re.Match[bytes]]:
        """The matches of `pattern` from `start` to the end that start at a tag."""
        found = list(pattern.finditer(self.data, start, self.end))
        if not found or found[-1].start() < self.hidden:
            return found
        if self.starts is None:
            self.starts = []
            position = self.hidden
            while opening := _HIDING_OPENING.search(self.data, position, self.end):
                closed = _past(self.data, opening.group(0), opening.end(), self.end)
                self.starts.append(opening.start())
                self.ends.append(self.end if closed < 0 else closed)
                if closed < 0:
                    break
                position = closed
        return [m for m in found if not self._hidden(m.start())]

    def _hidden(self, position: int) -> bool:
        assert self.starts is not None
        n = bisect.bisect_right(self.starts, position) - 1
        return n >= 0 and position < self.ends[n]


_HIDING_OPENING = re.compile(b"|".join(map(re.escape, _CLOSINGS)))


def _declares(data: bytes, prefix: bytes, uri: bytes) -> bool:
    """True when every declaration of `prefix` in the document binds it to `uri`."""
    declared = re.findall(rb"xmlns:" + re.escape(prefix) + rb"""\s*=\s*["']([^"']*)["']""", data)
    return bool(declared) and all(value == uri for value in declared)


def _children_of(data: bytes, start: int, end: int, positions: set[int]) -> bool:
    """True when the tags starting at `positions` are children of the element from `start` to
    `end` (not nested deeper), and its tags balance."""
    depth = 0
    for position, closing, _, empty in _tags(data, start, end):
        if position in positions and depth != 1:
            return False
        if closing:
            depth -= 1
            if depth < 0:
                return False
        elif not empty:
            depth += 1
    return depth == 0


_TAG_TOKEN = re.compile(rb"<(?:!--|!\[CDATA\[|\?|(/?)([A-Za-z_][\w.:-]*))")


def _tags(data: bytes, start: int, end: int) -> Iterator[tuple[int, bool, bytes, bool]]:
    """The tags from `start` to `end`: where each starts, whether it is an end tag, its name,
    and whether it closes itself; comments, CDATA sections and instructions stepped over (`_past`:
    a pattern reading each lazily to its end was quadratic on a CDATA section holding many
    "<![CDATA[")."""
    position = start
    while match := _TAG_TOKEN.search(data, position, end):
        if match.group(2) is None:  # a comment, a CDATA section, an instruction
            position = _past(data, match.group(0), match.end(), end)
            if position < 0:
                return
            continue
        close = data.find(b">", match.end(), end)
        if close < 0:
            return
        position = close + 1
        yield match.start(), bool(match.group(1)), match.group(2), data[close - 1 : close] == b"/"


def _bare_lang(data: bytes) -> bool:
    """Whether an element's start tag has a lang attribute, not xml:lang (feedparser takes
    either for the element's language: an RSS <description lang="fr"> made its entry French).
    Not one escaped or in a CDATA section: HTML in a text, no element's. A few tries: past
    that, it has."""
    tries = 0
    for match in _LANG_NAME.finditer(data):
        start = match.start()
        if data[start - 1 : start] not in _ATTRIBUTE_SPACE:  # (xml:lang, or inside a word)
            continue
        if data.rfind(b"<", 0, start) < data.rfind(b">", 0, start):
            continue  # (in text: escaped HTML)
        opened = data.rfind(b"<![CDATA[", 0, start)
        if opened < 0 or data.find(b"]]>", opened, start) >= 0 or tries >= 20:
            return True
        tries += 1
    return False


_LANG_NAME = re.compile(rb"lang\s*=")  # (a literal first: re finds it with a fast search)
_ATTRIBUTE_SPACE = frozenset({b" ", b"\t", b"\n", b"\r"})


def _outside_cdata(pattern: re.Pattern[bytes], data: bytes, start: int, end: int) -> bool:
    """Whether `pattern` is found from `start` to `end` outside CDATA sections (HTML in a
    <content:encoded> holds <summary> and localhost links). A few tries: past that, it is."""
    for tries, match in enumerate(pattern.finditer(data, start, end)):
        opened = data.rfind(b"<![CDATA[", start, match.start())
        if tries >= 20 or opened < 0 or data.find(b"]]>", opened, match.start()) >= 0:
            return True
    return False


def _atom_under_a_prefix(doc: _Document, start: int, end: int) -> bool:
    """Whether an item holds, under a prefix of Atom 1.0's or 0.3's namespace, an element
    feedparser reads as the item's own: its title, id (the article's identity), summary,
    content or category."""
    prefixes = [
        re.escape(prefix) for prefix, address in doc.namespaces if address in _ATOM_NAMESPACES
    ]
    if not prefixes:
        return False
    pattern = re.compile(
        rb"<(?:" + b"|".join(prefixes) + rb"):(?:title|id|summary|content|category)[\s>/]"
    )
    return pattern.search(doc.data, start, end) is not None


_ATOM_NAMESPACES = frozenset((b"http://www.w3.org/2005/Atom", b"http://purl.org/atom/ns#"))


def _plain_summaries(
    entries: Sequence[Any], data: bytes, spans: Sequence[tuple[int, int]]
) -> dict[int, Any] | str:
    """The summary_detail, typed text/plain, of each Atom entry whose <summary> has no type
    (Atom's default, and feedparser's; feedparser-rs takes it for HTML), by entry; or why it
    cannot be told which entry's summary that is."""
    details: dict[int, Any] = {}
    for n, (start, end) in enumerate(spans):
        if not _UNTYPED_SUMMARY.search(data, start, end):
            continue
        if len(_SUMMARY_TAG.findall(data, start, end)) != 1 or _SOURCE_TAG.pattern.search(
            data, start, end
        ):
            return "an Atom <summary> without a type beside another summary or a <source>"
        detail = entries[n].get("summary_detail")
        if detail is None:
            return "an Atom <summary> without a type that feedparser-rs does not report"
        details[n] = _Overlay(detail, {"type": "text/plain"})
    if len(details) != len(_UNTYPED_SUMMARY.findall(data)):
        return "an Atom <summary> without a type outside the entries"
    return details


def _plain_titles(
    entries: Sequence[Any], data: bytes, spans: Sequence[tuple[int, int]]
) -> dict[int, Any] | str:
    """The title_detail, typed text/plain, of each Atom entry whose <title> has no type (text,
    to Atom and to feedparser; feedparser-rs takes it for HTML, so "vector<int>" lost its
    "<int>"), by entry; or why it cannot be told which title that is."""
    details: dict[int, Any] = {}
    for n, (start, end) in enumerate(spans):
        untyped = len(_UNTYPED_TITLE.findall(data, start, end))
        if not untyped:
            continue
        # (A <title> nested in a foreign element, as shops write their variants, is fine when
        # it has no type either: whichever feedparser takes, it is text.)
        if untyped != len(_TITLE_TAG.findall(data, start, end)) or _SOURCE_TAG.pattern.search(
            data, start, end
        ):
            return "an Atom <title> without a type beside a typed one or a <source>"
        details[n] = _Overlay(entries[n].get("title_detail") or {}, {"type": "text/plain"})
    return details


_MARKUP_REASON = "markup written as XML elements inside a text element"
_XHTML = "application/xhtml+xml"
_SKIPPED_SECTION = re.compile(rb"<!--|<!\[CDATA\[|<\?")


def _without_self_closing_python(data: bytes) -> bytes:
    """The document with its self-closing elements written as a start and an end tag
    (_EMPTY_ELEMENT), but in comments, CDATA sections and instructions: their text is no markup
    (the HTML of a <description> in CDATA keeps its "<br/>"). The reference of
    _native.without_self_closing, which runs where the C module was built."""
    if not _EMPTY_ELEMENT.search(data):
        return data
    pieces: list[bytes] = []
    position = 0
    while match := _SKIPPED_SECTION.search(data, position):
        pieces.append(_opened(data[position : match.start()]))
        position = _past(data, match.group(0), match.end())
        position = len(data) if position < 0 else position
        pieces.append(data[match.start() : position])
    pieces.append(_opened(data[position:]))
    return b"".join(pieces)


def _opened(markup: bytes) -> bytes:
    """`markup` with its self-closing elements written as a start and an end tag. (A piece
    without "/>", most between two CDATA sections, is not scanned: every match ends so.)"""
    return _EMPTY_ELEMENT.sub(rb"<\1\2></\1>", markup) if b"/>" in markup else markup


# (A walk over every "<" of every document the fast path tries: 3-4% of its reading in Python.)
_without_self_closing: Callable[[bytes], bytes] = (
    _native.without_self_closing if _native is not None else _without_self_closing_python
)


def _markup_as_elements_python(data: bytes) -> list[int]:
    """Where the text elements holding a child element start (HTML written unescaped: feedparser
    keeps it as markup), anywhere in their text; comments, CDATA sections and instructions are
    stepped over (`_past`), outside those elements and in their text (a pattern retried inside
    a CDATA section at every "<description>" it held was quadratic). The reference of
    _native.markup_as_elements, which runs where the C module was built."""
    found: list[int] = []
    position = 0
    while match := _BODY_OR_SKIPPED.search(data, position):
        if match.group(0) in _CLOSINGS:  # a comment, a CDATA section, an instruction
            position = _past(data, match.group(0), match.end())
            if position < 0:
                break
            continue
        position = match.end()
        while (tag := data.find(b"<", position)) >= 0:  # the element's text, to its first tag
            opening = next((o for o in _CLOSINGS if data.startswith(o, tag)), None)
            if opening is None:
                break
            position = _past(data, opening, tag + len(opening))
            if position < 0:
                return found
        if tag < 0:
            break
        if data[tag + 1 : tag + 2].isalpha():
            found.append(match.start())
        position = tag
    return found


# (A walk over every "<" of every document the fast path tries: 2% of its reading in Python.)
_markup_as_elements: Callable[[bytes], list[int]] = (
    _native.markup_as_elements if _native is not None else _markup_as_elements_python
)


def _has_xhtml(entry: Any) -> bool:
    details = [entry.get("summary_detail") or {}, *(entry.get("content") or [])]
    return any(d.get("type") == _XHTML for d in details)


def _markup_bodies(
    entries: Sequence[Any],
    data: bytes,
    spans: Sequence[tuple[int, int]],
    version: str,
    positions: Sequence[int],
) -> dict[int, dict[str, Any]] | str:
    """The bodies feedparser reads from markup written as XML elements, by entry, as overlays:
    an RSS item's one <description>, an Atom entry's <summary> and <content> typed "xhtml"
    (all of them, so that its XHTML reads as feedparser's too); or why they cannot be read so.

    feedparser-rs drops such child elements from an RSS <description> and keeps an Atom XHTML
    body as written; feedparser writes them out again its own way (`_feedparser_markup`).
    `positions`: where the text elements holding elements start (_markup_as_elements)."""
    starts = [start for start, _ in spans]
    by_entry: dict[int, set[int]] = {}
    for position in positions:
        n = bisect.bisect_right(starts, position) - 1
        if n < 0 or position >= spans[n][1]:
            return f"{_MARKUP_REASON} (outside the entries)"
        by_entry.setdefault(n, set()).add(position)
    bodies: dict[int, dict[str, Any]] = {}
    for n, (start, end) in enumerate(spans):
        marked = by_entry.get(n, set())
        if not marked and not _has_xhtml(entries[n]):
            continue
        body = (
            _rss_markup_body(entries[n], data, start, end, marked)
            if version.startswith("rss")
            else _atom_markup_body(entries[n], data, start, end, marked, version)
        )
        if isinstance(body, str):
            return body
        bodies[n] = body
    return bodies


def _rss_markup_body(
    entry: Any, data: bytes, start: int, end: int, marked: set[int]
) -> dict[str, Any] | str:
    """An RSS item's summary from its one body element, a <description> with child elements."""
    found = list(_BODY_START.finditer(data, start, end))
    names = [name for name, _ in _BODY_TAG.findall(data, start, end)]
    if names != [_DESCRIPTION] or len(found) != 1 or {found[0].start()} != marked:
        return f"{_MARKUP_REASON} (beside another body, or not in a <description>)"
    if _XMLNS_ATTRIBUTE.sub(b"", found[0].group(2)).strip():
        return f"{_MARKUP_REASON} (a <description> with attributes)"
    read = _feedparser_markup(data, found[0].end(), end, b"description", xhtml=False, atom=False)
    if read is None:
        return f"{_MARKUP_REASON} (written in a way we do not read as feedparser does)"
    value, xhtml = read
    detail = entry.get("summary_detail") or entry.get("title_detail") or {}
    language = detail.get("language")
    kind = _XHTML if xhtml else "text/html"
    return {"summary": value, "summary_detail": {"type": kind, "language": language}}


def _atom_markup_body(
    entry: Any, data: bytes, start: int, end: int, marked: set[int], version: str
) -> dict[str, Any] | str:
    """An Atom entry's XHTML <summary> and <content> (the only ones that may hold elements)."""
    if version != "atom10":
        return f"{_MARKUP_REASON} (Atom other than 1.0)"
    xhtml = [m for m in _BODY_START.finditer(data, start, end) if _XHTML_TYPE.search(m.group(2))]
    names = [m.group(1) for m in xhtml]
    if not marked <= {m.start() for m in xhtml} or len(set(names)) != len(names):
        return f"{_MARKUP_REASON} (not in an XHTML <summary> or <content>, or several)"
    if len(_SUMMARY_TAG.findall(data, start, end)) > 1 or len(entry.get("content") or []) > 1:
        return f"{_MARKUP_REASON} (beside another summary or content)"
    if _SOURCE_TAG.pattern.search(data, start, end):
        return f"{_MARKUP_REASON} (in an entry with a <source>)"
    body: dict[str, Any] = {}
    for match in xhtml:
        read = _feedparser_markup(data, match.end(), end, match.group(1), xhtml=True, atom=True)
        if read is None:
            return f"{_MARKUP_REASON} (written in a way we do not read as feedparser does)"
        value = read[0]
        key = "summary_detail" if match.group(1) == b"summary" else "content"
        detail = entry.get(key) or {}
        if key == "content":
            detail = detail[0] if detail else {}
        if detail.get("type") != _XHTML:
            return f"{_MARKUP_REASON} (feedparser-rs does not read it as XHTML)"
        if key == "content":
            body["content"] = [_Overlay(detail, {"value": value})]
            if b"summary" not in names and not _SUMMARY_TAG.search(data, start, end):
                # feedparser copies the content into `summary`, not `summary_detail`.
                body["summary"], body["summary_detail"] = value, {}
        else:
            body["summary"], body["summary_detail"] = value, _Overlay(detail, {"value": value})
    summary = entry.get("summary_detail") or {}
    if ("summary_detail" not in body and summary.get("type") == _XHTML) or (
        "content" not in body and any(c.get("type") == _XHTML for c in entry.get("content") or [])
    ):
        return "XHTML content (feedparser-rs reads it differently)"
    return body


# Child elements feedparser does not just write out: it calls its handler for their end tag
# (feedparser's own elements: </title>, </source>, </link>…; `_end_` + the local name, or with
# a namespace's prefix before it), or it reads them its own way (SVG, MathML).
_FEEDPARSER_ELEMENTS = frozenset(
    part.lower()
    for name in dir(feedparser.api.StrictFeedParser)
    if name.startswith("_end_")
    # ("_end_media_title": <title> in a namespace, and <media_title> in none)
    for part in (name[len("_end_") :], name.rpartition("_")[2])
) | {"svg", "math"}


def _feedparser_markup(
    data: bytes, start: int, end: int, name: bytes, *, xhtml: bool, atom: bool
) -> tuple[str, bool] | None:
    """The text feedparser makes of a text element whose content starts at `start` (up to its
    end tag, before `end`) and may hold child elements, and whether they made it XHTML; or None
    when it cannot be told exactly.

    feedparser (mixin.py, unknown_starttag, handle_data, pop) writes each child element out
    again, its name and attributes' names lower-cased (and the values of rel and type), the
    values escaped; text is escaped only once the element is XHTML: from the start when typed
    so, else from its first child element on (before it, as the XML parser decoded it). Of
    Atom XHTML it drops one <div> around the whole. Child elements in another namespace, with
    xml: attributes or `base`/`lang` (feedparser's base and language), or that feedparser takes
    for its own are not read here; nor is a first <div> of a body not typed XHTML (feedparser
    skips it, TypePad's habit)."""
    close = re.compile(rb"</" + re.escape(name) + rb"\s*>").search(data, start, end)
    if close is None:
        return None
    pieces: list[str] = []
    depth = 0  # of the element read, the expat wrapper being 1

    def started(tag: str, attributes: list[str]) -> None:
        nonlocal depth, xhtml
        depth += 1
        if depth == 1:
            return  # (the wrapper)
        local = tag.lower()
        if ":" in tag or local in _FEEDPARSER_ELEMENTS or (local == "div" and not xhtml):
            raise _Unreadable
        pairs: dict[str, str] = {}
        for written, value in zip(attributes[::2], attributes[1::2], strict=True):
            key = written.lower()  # ("XMLNS" is an attribute to feedparser, no declaration)
            if written == "xmlns" and value == _XHTML_NAMESPACE:
                continue  # a declaration, no attribute to feedparser's namespace-aware parser
            if ":" in key or key in ("xmlns", "base", "lang") or key in pairs:
                raise _Unreadable
            pairs[key] = value.lower() if key in ("rel", "type") else value
        xhtml = True
        escaped = "".join(
            f' {k}="{xml.sax.saxutils.escape(v, {chr(34): "&quot;"})}"' for k, v in pairs.items()
        )
        pieces.append(f"<{local}{escaped}>")

    def ended(tag: str) -> None:
        nonlocal depth
        depth -= 1
        if depth:
            pieces.append(f"</{tag.lower()}>")

    def text(value: str) -> None:
        pieces.append(xml.sax.saxutils.escape(value) if xhtml else value)

    parser = xml.parsers.expat.ParserCreate()
    parser.ordered_attributes = True
    parser.StartElementHandler = started
    parser.EndElementHandler = ended
    parser.CharacterDataHandler = text
    try:
        parser.Parse(b"<w>" + data[start : close.start()] + b"</w>", True)
    except (xml.parsers.expat.ExpatError, _Unreadable):
        return None
    if atom and xhtml:
        pieces = _without_wrapping_div(pieces)
    output = "".join(pieces).strip()
    with contextlib.suppress(UnicodeError):
        # feedparser's repair of UTF-8 read as Latin-1 (mixin.py, pop): on all its text.
        output = output.encode("iso-8859-1").decode("utf-8")
    return output, xhtml


class _Unreadable(Exception):
    """Markup `_feedparser_markup` does not read as feedparser does."""


def _without_wrapping_div(pieces: list[str]) -> list[str]:
    """feedparser's removal of a <div> around the whole of an Atom XHTML body (mixin.py, pop):
    blank pieces at both ends dropped, then the <div> if its end tag is the last piece."""
    while len(pieces) > 1 and not pieces[-1].strip():
        del pieces[-1]
    while len(pieces) > 1 and not pieces[0].strip():
        del pieces[0]
    if not pieces or not (pieces[0] == "<div>" or pieces[0].startswith("<div ")):
        return pieces
    if pieces[-1] != "</div>":
        return pieces
    depth = 0
    for piece in pieces[:-1]:
        if piece.startswith("</"):
            depth -= 1
            if depth == 0:
                return pieces
        elif piece.startswith("<") and not piece.endswith("/>"):
            depth += 1
    return pieces[1:-1]


def _media_summaries(
    entries: Sequence[Any], data: bytes, spans: Sequence[tuple[int, int]]
) -> dict[int, dict[str, Any]] | str:
    """The summary_detail, typed HTML, of each Atom entry whose one body is a <media:description>
    (YouTube's), by entry; or why they cannot be read so. feedparser reads it as a <description>:
    the summary, HTML unless typed; feedparser-rs reports its text with no type."""
    details: dict[int, dict[str, Any]] = {}
    found = 0
    for n, (start, end) in enumerate(spans):
        names = [name for name, _ in _BODY_TAG.findall(data, start, end)]
        if b"media:description" not in names:
            continue
        texts = _MEDIA_DESCRIPTION_TEXT.findall(data, start, end)
        if (
            names != [b"media:description"]
            or len(texts) != 1
            or _BODY_START.search(data, start, end)
        ):
            return "<media:description> (beside another body, or with attributes or markup)"
        entry = entries[n]
        if _str_or_empty(entry.get("summary")) != _xml_text(texts[0]).strip():
            return "<media:description> (feedparser-rs reads its text differently)"
        language = (entry.get("title_detail") or {}).get("language")
        details[n] = {"summary_detail": {"type": "text/html", "language": language}}
        found += 1
    if found != len(_MEDIA_DESCRIPTION.pattern.findall(data)):
        return "<media:description> (outside the entries)"
    return details


# The references of a document that are its commonest faults, outside CDATA sections, comments
# and instructions (where an "&" is text, and rewriting it would change the text): an "&" that
# begins no reference, and an HTML entity XML has not (without a DTD, only its own five).
# (A name may hold any non-ASCII character: "&café;" is a reference, undefined, and the document
# stays ill-formed. A section left open takes the rest: each is scanned for its end once.)
_MENDABLE = re.compile(
    rb"&(?:(?![A-Za-z_:\x80-\xff][\w.:\x80-\xff-]*;|#[0-9]+;|#x[0-9A-Fa-f]+;)"
    rb"|(?!(?:amp|lt|gt|quot|apos);)([A-Za-z][A-Za-z0-9]{1,31});)"
)
_RAW_SECTION = re.compile(
    rb"<!\[CDATA\[(?:.*?\]\]>|.*)|<!--(?:.*?-->|.*)|<\?(?:.*?\?>|.*)", re.DOTALL
)


class _Mended(NamedTuple):
    data: bytes
    bare: int  # "&" escaped
    entities: int  # HTML entities written as their numbers


# The most references mended in one document: a real feed has hundreds; a body of nothing but
# "&" would grow by four bytes each (a 50 MB one to 250 MB), and is read leniently as before.
_MAX_MENDED = 100_000


class _TooMany(Exception):
    pass


def _mended_references(data: bytes) -> _Mended:
    """The document with each bare "&" written "&amp;" and each HTML 4 entity as its number
    (`data` itself when it has neither, or more than _MAX_MENDED)."""
    found = [0, 0]

    def mend(match: re.Match[bytes]) -> bytes:
        if found[0] + found[1] >= _MAX_MENDED:
            raise _TooMany
        if match[1] is None:
            found[0] += 1
            return b"&amp;"
        if number := _HTML_NUMBERS_BYTES.get(match[1]):
            found[1] += 1
            return number
        return match[0]

    if not _MENDABLE.search(data):
        return _Mended(data, 0, 0)
    pieces, start = [], 0
    try:
        for section in [*_RAW_SECTION.finditer(data), None]:
            end = section.start() if section else len(data)
            pieces += [_MENDABLE.sub(mend, data[start:end]), section[0] if section else b""]
            start = section.end() if section else end
    except _TooMany:
        return _Mended(data, 0, 0)
    return _Mended(b"".join(pieces) if any(found) else data, *found)


def _mend(data: bytes, warning: str | None) -> tuple[bytes, str | None] | None:
    """The document with its references mended (`_mended_references`) when those were its only
    faults, and RSS's elements read as RSS's when it writes them under a prefix it never
    declares (`_unprefixed`), with the source's warning saying so; else None."""
    if (unprefixed := _unprefixed(data)) is not None:
        data, warning = unprefixed, _join_warnings(_UNPREFIXED, warning)
    mended = _mended_references(data)
    if mended.data is data or not (fault := _reference_fault(data, mended)):
        return None if unprefixed is None else (data, warning)
    return mended.data, _join_warnings(fault, warning)


# A hand-made feed wrote every element of RSS's under a prefix it never declares, "<rss:item>":
# expat stops at it and feedparser's lenient parser knows no such element, so no entry was read
# (a real site's feed; fastfeedparser's tests keep it). Not a prefix the document declares (RSS
# 1.0 may bind "rss" to its namespace), nor in a well-formed document (a CDATA section's text).
_RSS_PREFIXED = re.compile(rb"(</?)rss:(?=\w)")
_UNPREFIXED = 'The feed writes RSS\'s elements under a prefix it never declares ("<rss:item>")'


def _unprefixed(data: bytes) -> bytes | None:
    """`data` with its "rss:" tags written without the prefix, when it never declares "rss"
    and is not well-formed; else None (most documents: no such tag)."""
    if b"<rss:" not in data or b"xmlns:rss" in data or _expat_error(data) is None:
        return None
    return _RSS_PREFIXED.sub(rb"\1", data)


def _reference_fault(data: bytes, mended: _Mended) -> str:
    """The warning for a document that is not well-formed only for its bare "&" and HTML
    entities (`mended` is well-formed), or "" when it is well-formed or has another fault.

    They are the commonest faults of real feeds ("AT&T", "?width=140&quality=85", "&nbsp;"), and
    what they mean is not in doubt. feedparser's lenient parser, which read such documents,
    misread them ("AT&T" became "AT&T;", "?x=1&post=2" "?x=1&post;=2", "&amp;" after an
    "&nbsp;" "&amp;amp;", a podcast lost its categories) and is ~20 times slower than
    feedparser-rs: both parsers read the mended document instead."""
    fault = _expat_error(data)
    if fault is None or _expat_error(mended.data) is not None:
        return ""
    faults = []
    if mended.bare:
        faults.append('bare "&" (XML writes "&amp;"), read as the character "&"')
    if mended.entities:
        faults.append(
            'HTML entities ("&nbsp;") XML does not define, read as the characters they name'
        )
    return f"The feed is not well-formed XML (line {fault.lineno}): {'; '.join(faults)}"


def _not_well_formed(data: bytes) -> str:
    """Why feedparser's XML parser rejects the document (`_expat_error`), or "" when it reads it."""
    if (e := _expat_error(data)) is None:
        return ""
    return xml.parsers.expat.ErrorString(e.code) if e.code else str(e)


def _expat_error(data: bytes) -> xml.parsers.expat.ExpatError | None:
    """Where feedparser's XML parser (expat, namespaces on, as its SAX reader runs it) stops
    reading the document, or None when it reads it. The document has no DTD: only XML's own
    entities exist."""
    parser = xml.parsers.expat.ParserCreate(namespace_separator=" ")
    try:
        parser.Parse(data, True)
    except xml.parsers.expat.ExpatError as e:
        return e
    return None


def _title_key(title: object) -> str:
    """A title as coarsely as normalize could ever equate two (tags, case, punctuation gone).
    Only its start: keys that collide more often only send more documents to feedparser, and a
    10 MB title (tests/test_hostile.py) costs no more than a short one."""
    return _NOT_A_WORD.sub("", _TAG.sub("", (_str(title) or "")[:_TITLE_KEY_CHARS]).lower())


_BASE_KEY = "aggregator:content-base"  # overlay keys no feedparser key can be
_ENTRY_BASE_KEY = "aggregator:entry-base"


def _content_bases(
    data: bytes, spans: Sequence[tuple[int, int]], base: str
) -> list[tuple[str | None, str | None]] | str:
    """Each entry's base and its content's, when the document's only xml:base attributes are on
    entries' start tags (hnapp's) and their <content> or <content:encoded> (Daring Fireball's,
    TypePad's), None where there is none; or why the bases are elsewhere. An entry's xml:base
    is resolved against `base`, its content's against the entry's, as feedparser does; the
    entry's is the base of its links, the content's that of its HTML."""
    total = len(_XML_BASE.findall(data))
    bases: list[tuple[str | None, str | None]] = []
    count = 0
    for start, end in spans:
        start_tag = data[start : data.find(b">", start, end) + 1]
        entry_base = _base_value(_XML_BASE_VALUE.search(start_tag), base)
        if entry_base == "":
            return "an entry's xml:base we cannot resolve as feedparser does"
        found = [m.group(1) for m in _CONTENT_START.finditer(data, start, end)]
        with_base = [_XML_BASE_VALUE.search(attributes) for attributes in found]
        values = [m for m in with_base if m is not None]
        if len(values) > 1:
            return "an entry with several xml:base"
        content_base = _base_value(values[0] if values else None, entry_base or base)
        if content_base == "":
            return "a content's xml:base we cannot resolve as feedparser does"
        count += (entry_base is not None) + (content_base is not None)
        bases.append((entry_base, content_base))
    if count != total:
        return "xml:base outside entries' start tags and content"
    return bases


def _base_value(match: re.Match[bytes] | None, base: str) -> str | None:
    """An xml:base attribute's value resolved against `base`; None without one, "" when it is
    not one feedparser would take as it is (not well-formed, or not http(s) once resolved)."""
    if match is None:
        return None
    value = _xml_attribute((match.group(1) or match.group(2) or b"").decode())
    if value is None:
        return ""
    resolved = _resolve(value.strip(), base) or ""
    if not base:
        return resolved
    try:  # (urljoin takes "http://[::1" or "http://[zz]/"; urlsplit raises on its host)
        scheme = urlsplit(resolved).scheme
    except ValueError:
        return ""
    return resolved if scheme in ("http", "https") else ""


def _capitalized(doc: _Document) -> bool:
    """Whether an element an article is made of has a name in capitals feedparser-rs does not
    read ("<Summary>", "<GUID>", "<itunes:Author>")."""
    # (From the names when they were read: _CAPITALIZED_TAG finds those with a capital.)
    names = doc.names if doc.names is not None else _CAPITALIZED_TAG.findall(doc.data)
    locals_ = {name.rpartition(b":")[2] for name in names if name != name.lower()}
    return any(
        local.lower() in _ARTICLE_ELEMENTS and local not in _CAPITALIZED_AS_WRITTEN
        for local in locals_
    )


def _written_differently(
    doc: _Document,
    spans: Sequence[tuple[int, int]],
    version: str,
    feed: Any,
    entries: Sequence[Any],
) -> str:
    """Why the two parsers would read the document's bytes differently, or "": what the
    differential fuzzing of the fast path found (tests/fixtures/parse/fallback-fuzz-*.xml)."""
    data, rss = doc.data, version.startswith("rss")
    rss1 = version in ("rss090", "rss10")
    items = (spans[0][0], spans[-1][1]) if spans else (0, 0)
    if _duplicate_fields(data, spans, _RSS_ITEM_FIELD if rss else _ATOM_ENTRY_FIELD):
        return (
            "an entry with two of one element (feedparser reads the first, feedparser-rs the last)"
        )
    # One walk for what the rules below look for, in the whole document and in its entries for
    # the rules that read only those: most documents have none of it. (An RSS channel's own
    # <atom:link href>, in most, is not in an item.)
    if (
        _odd_marks(data, *items) & (_RSS_ODD_BITS if rss else _ATOM_ODD_BITS)
        or doc.search(_ODD_DURATION)
    ) and (odd := _odd_markup(doc, spans, items, rss, rss1)):
        return odd
    if (
        rss
        and _TYPED_DESCRIPTION.search(data, *items)
        and _outside_cdata(_TYPED_DESCRIPTION, data, *items)
    ):
        return "an RSS <description> typed other than as HTML (feedparser reads it by its type)"
    if rss and doc.xml_lang and not doc.root_lang:
        return "an xml:lang in RSS (feedparser prefers it to <language>, feedparser-rs not)"
    if doc.matches(_CAPITALIZED_REL):
        return "attribute names or rel values in capitals (feedparser ignores case)"
    if rss and not rss1 and _RDF_ABOUT.search(data, *items):
        return "an rdf:about on an item of RSS 2.0 (feedparser takes it for the id)"
    head = spans[0][0] if spans else len(data)  # (an Atom feed's own elements)
    if not rss and len(_TITLE_TAG.findall(data, 0, head)) > 1:
        return "an Atom feed with two titles (feedparser reads the first, feedparser-rs the last)"
    if rss and b"<dc:title" in data and _titles_differ(data, spans, entries, feed):
        return "a <dc:title> beside a <title> (feedparser keeps the first, feedparser-rs not)"
    if (
        rss
        and not rss1
        and doc.may_hold(_DC_DESCRIPTION)
        and _outside_cdata(_DC_DESCRIPTION.pattern, data, *items)
    ):
        return "a <dc:description> in an RSS 2.0 item (feedparser reads it as an HTML body)"
    if rss1 and _RSS2_IN_RSS1.search(data, *items):
        return "RSS 2.0 elements in RSS 1.0 (feedparser reads them, feedparser-rs not)"
    if rss1 and b"<pubDate" in data:
        return "a <pubDate> in RSS 1.0 (feedparser reads it, feedparser-rs does not)"
    if rss and _atom_under_a_prefix(doc, *items):
        return "Atom elements under a prefix in an item (feedparser reads them, feedparser-rs not)"
    if not rss and b"<category" in data and _outside_cdata(_ATOM_CATEGORY_TEXT, data, *items):
        return "an Atom <category> with text (feedparser adds it as a tag, feedparser-rs not)"
    if any(p.search(data, *items) for p in (_IN_ITEM_IMAGE if rss else _IN_ATOM_PERSON)):
        return "an entry's element inside its author or image (feedparser reads it as the entry's)"
    if (
        not rss
        and b"<author" in data
        and len(_ATOM_AUTHOR.findall(data)) != len(_ATOM_NAMED_AUTHOR.findall(data))
    ):
        return "an Atom <author> without a <name> first (feedparser reads its text or e-mail)"
    if any(_USUAL_PREFIXES.get(address, prefix) != prefix for prefix, address in doc.namespaces):
        return "a namespace under an unusual prefix (feedparser reads it, feedparser-rs not)"
    link = _alternate_link(feed) or _str(feed.get("link")) or ""
    if any(c in link for c in "\t\r\n"):
        return "a line break in the feed's link (feedparser takes it out)"
    return ""


def _odd_markup(
    doc: _Document, spans: Sequence[tuple[int, int]], items: tuple[int, int], rss: bool, rss1: bool
) -> str:
    """The rules of `_written_differently` whose patterns _RSS_ODDITIES and _ATOM_ODDITIES join."""
    data = doc.data
    if rss and any(
        _EMPTY_AUTHOR.search(data, *span)
        and len(_ITEM_AUTHOR_TAG.findall(data, *span)) > 1
        and data.find(b"@", *span) >= 0  # (an address: what feedparser then reads its way)
        for span in (spans if _EMPTY_AUTHOR.search(data, *items) else ())
    ):
        return "an empty author beside another (feedparser reads that one its own way)"
    if rss and _RSS_ID.search(data, *items):
        return "an <id> in an RSS item (feedparser takes it for the item's id)"
    if not rss and _LINK_REFERENCE.search(data):
        return "a reference in an Atom link's rel, type or length (feedparser-rs keeps it)"
    if _CAPITALIZED_ATTRIBUTE.search(data):
        return "attribute names or rel values in capitals (feedparser ignores case)"
    if rss and _outside_cdata(_ATOM_BODY_IN_RSS, data, *items):
        return "Atom bodies or categories in an RSS item (feedparser reads them, feedparser-rs not)"
    if not rss and _ODD_TYPED_LINK.search(data, *items):
        return "an Atom link to the page typed other than as HTML (feedparser does not take it)"
    if rss and _PREFIXED_LINK.search(data, *items):
        return "an Atom <link> in an RSS item (feedparser reads it as the item's link)"
    if _PERMALINK_OTHERWISE.search(data):
        return "an isPermaLink written in another case (feedparser reads it, feedparser-rs not)"
    if not rss and _EMPTY_DC_DATE.search(data):
        return "an empty <dc:date> (feedparser then has no date)"
    if _REDECLARED.search(data):
        return "a text element in a namespace of its own (feedparser does not read it as ours)"
    if doc.search(_ODD_DURATION):
        return "a duration other than <itunes:duration> (the parsers read them differently)"
    return ""


def _nested_title(data: bytes, start: int, end: int) -> bool:
    """Whether an entry holds a <title> deeper than its own (in an extension's element, which
    feedparser takes for an untitled entry's title)."""
    titles = len(_TITLE_TAG.findall(data, start, end))
    return titles > 0 and titles != _children(data, start, end).count(b"title")


def _titles_differ(
    data: bytes, spans: Sequence[tuple[int, int]], entries: Sequence[Any], feed: Any
) -> bool:
    """Whether the first of an RSS item's (or the channel's) <title> and <dc:title> is not the
    title feedparser-rs reports: feedparser keeps the first, feedparser-rs the <title> or, in
    RSS 1.0, the last."""
    head = spans[0][0] if spans else len(data)  # the channel's own elements, mostly
    if data.find(b"<dc:title", 0, head) >= 0 and _first_title_differs(
        data, 0, head, feed.get("title")
    ):
        return True
    return any(
        _first_title_differs(data, start, end, entry.get("title"))
        for entry, (start, end) in zip(entries, spans, strict=True)
        if data.find(b"<dc:title", start, end) >= 0
    )


def _first_title_differs(data: bytes, start: int, end: int, title: object) -> bool:
    """Whether the first <title> or <dc:title> from `start` to `end`, as plain text, is not
    `title` (or cannot be read so)."""
    first = _TITLE_START.search(data, start, end)
    if first is None:
        return False
    text = _TITLE_TEXT.match(data, first.start(), end)
    return text is None or _xml_text(text.group(2)).strip() != (_str(title) or "")


def _duplicate_fields(
    data: bytes, spans: Sequence[tuple[int, int]], fields: re.Pattern[bytes]
) -> bool:
    """Whether an entry has two children of a name `fields` finds: an entry holding two such
    elements at any depth is read tag by tag (a <title> in its <image> or <source> is none)."""
    for start, end in spans:
        found = fields.findall(data, start, end)
        if len(found) != len(set(found)):
            children = [c for c in _children(data, start, end) if c in set(found)]
            if len(children) != len(set(children)):
                return True
    return False


def _children(data: bytes, start: int, end: int) -> list[bytes]:
    """The names of the child elements of the element starting at `start`, in order."""
    names: list[bytes] = []
    depth = 0
    for _, closing, name, empty in _tags(data, start, end):
        if closing:
            depth -= 1
            continue
        if depth == 1:
            names.append(name)
        depth += not empty
    return names


def _scheme_in_capitals(value: str | None) -> bool:
    scheme = _URI_SCHEME.match(value or "")
    return scheme is not None and scheme.group(0) != scheme.group(0).lower()


def _content_langs_only(data: bytes) -> bool:
    """True when every xml:lang is on a <content> or <content:encoded> element: those feedparser-rs
    reads as feedparser does (the feed's own language is not among them)."""
    on_content = sum(b"xml:lang" in m.group(1) for m in _CONTENT_START.finditer(data))
    return on_content == len(_XML_LANG.findall(data))


def _bytes_hub(data: bytes, spans: Sequence[tuple[int, int]], base: str) -> str | None:
    """The feed's first <link rel="hub"> read from the bytes (feedparser-rs misses some, as
    <atom10:link>), outside the entries, resolved as feedparser resolves it; or None."""
    for start, end in ((0, spans[0][0]), (spans[-1][1], len(data))):
        for link in _LINK_ELEMENT.finditer(data, start, end):
            attributes = link.group(1)
            if _HUB_LINK.search(attributes) and (href := _HREF.search(attributes)):
                value = html.unescape((href.group(1) or href.group(2)).decode()).strip()
                if value:
                    return _join(value, base) or None
    return None


def _rss_guids(data: bytes) -> tuple[set[str], set[str]]:
    """The values of the RSS guids that are permalinks, which feedparser resolves against the
    document's URL when relative, and of those that are not (isPermaLink other than "true")."""
    permalinks: set[str] = set()
    others: set[str] = set()
    for attributes, value in _GUID.findall(data):
        flag = _PERMALINK_ATTRIBUTE.search(attributes)
        text = _xml_text(value).strip()
        (permalinks if flag is None or flag.group(1) == b"true" else others).add(text)
    return permalinks, others


# The references an XML parser decodes in an attribute value; longer numbers are no character.
_XML_REFERENCE = re.compile(r"&(?:(amp|lt|gt|quot|apos)|#([0-9]{1,7})|#x([0-9a-fA-F]{1,6}));")
_XML_PREDEFINED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}
_URL_KEYS = (("links", "href"), ("enclosures", "href"), ("media_thumbnail", "url"),
             ("media_content", "url"))  # fmt: skip


def _atom_urls(
    feed: Any, entries: Sequence[Any]
) -> tuple[dict[str, Any] | None, list[dict[str, Any] | None]] | str:
    """The URL attributes of an Atom document that our mapping reads (the feed's links, the
    entries' links, enclosures and media), decoded as feedparser's XML parser decodes them:
    feedparser-rs leaves an Atom attribute as written (`&amp;` stays `&amp;`; in RSS it decodes
    them). As overlays, (the feed's, each entry's), None where nothing changes; or why an
    attribute cannot be decoded exactly (then feedparser, which reads it leniently, decides)."""
    feed_changes = _decoded_urls(feed, (("links", "href"),))
    if isinstance(feed_changes, str):
        return feed_changes
    changes: list[dict[str, Any] | None] = []
    for entry in entries:
        itunes = entry.get("itunes")
        if itunes is not None and _has_reference(getattr(itunes, "image", None)):
            return "an entity left in a URL attribute (<itunes:image> in Atom)"
        found = _decoded_urls(entry, _URL_KEYS)
        if isinstance(found, str):
            return found
        changes.append(found)
    return feed_changes, changes


def _decoded_urls(node: Any, keys: Iterable[tuple[str, str]]) -> dict[str, Any] | str | None:
    """`node`'s `link` (one of its links' hrefs) and lists under `keys` with their URL attribute
    decoded (_atom_urls), None when no URL needs it, or why one cannot be decoded."""
    changes: dict[str, Any] = {}
    if _has_reference(link := node.get("link")):
        text = _xml_attribute(link)
        if text is None:
            return "an entity left in a URL attribute (not well-formed XML)"
        changes["link"] = text
    for key, attribute in keys:
        items = node.get(key) or []
        if not any(_has_reference(item.get(attribute)) for item in items):
            continue
        decoded = []
        for item in items:
            value = item.get(attribute)
            if _has_reference(value):
                text = _xml_attribute(value)
                if text is None:
                    return "an entity left in a URL attribute (not well-formed XML)"
                item = _Overlay(item, {attribute: text})
            decoded.append(item)
        changes[key] = decoded
    return changes or None


def _has_reference(value: object) -> bool:
    """True when an attribute's text as written has what an XML parser would change."""
    return isinstance(value, str) and any(c in value for c in "&\t\n\r<")


def _xml_attribute(value: str) -> str | None:
    """An attribute value as an XML parser gives it, from its text as written: XML's five
    entities and character references decoded. None when the text is not well-formed there (a
    bare `&`, an HTML entity, a reference to a character XML forbids, a `<`: feedparser then
    reads the whole document leniently) or has white space XML would normalize."""
    if any(c in value for c in "\t\n\r<") or "&" in _XML_REFERENCE.sub("", value):
        return None
    characters = []
    for n, part in enumerate(_XML_REFERENCE.split(value)):
        # split() gives the text, then each reference's three groups, then text again.
        if n % 4 == 0 or part is None:
            characters.append(part or "")
        elif n % 4 == 1:
            characters.append(_XML_PREDEFINED[part])
        else:
            code = int(part, 10 if n % 4 == 2 else 16)
            if not xml_char(code):
                return None
            characters.append(chr(code))
    return "".join(characters)


def _entry_urls(entry: Any) -> Iterable[str]:
    """The URLs of an entry's links, enclosures and media that our mapping reads."""
    for key, attribute in (
        ("links", "href"),
        ("enclosures", "href"),
        ("media_thumbnail", "url"),
        ("media_content", "url"),
    ):
        for item in entry.get(key) or []:
            if url := _str(item.get(attribute)):
                yield url


def _join(url: str | None, base: str) -> str | None:
    """A link, guid or id as feedparser reads it (feedparser.urls._urljoin, which it applies to
    absolute ones too): "http:///x" becomes "http://x", "https://?p=1" and "https:" are resolved
    against `base`, and one urljoin cannot read ("http://[::1") becomes ""."""
    if url is None or _PLAIN_URL.match(url) or _OTHER_SCHEME.match(url):
        return url
    try:
        return urljoin(base, _URI_FIXER.sub(r"\1\3", url))
    except ValueError:
        return ""


def _joined_otherwise(url: str) -> bool:
    """Whether `_join` may change `url` (relative, or an absolute one written oddly). One
    without a scheme always is: joined, it starts with the base's "https:" (or is "", which
    urljoin could not read), so it is not joined to be told (8 µs an id: a podcast's 730
    "1600-2823" ids were joined once per reading)."""
    if not _URI_SCHEME.match(url):
        return True
    return _join(url, "https://base.invalid/") != url


def _resolve(url: str | None, base: str) -> str | None:
    """A link resolved as feedparser resolves it (feedparser.urls._urljoin)."""
    if url is None or _URI_SCHEME.match(url):
        return url
    try:
        return urljoin(base, url)
    except ValueError:
        return ""


def _entry_spans_python(data: bytes) -> list[tuple[int, int]]:
    """Where each <item>/<entry> starts and ends in the document, in order. The reference of
    _native.entry_spans, which runs where the C module was built."""
    spans = []
    # The first ">" from the last start it was looked for from (-2: not yet, -1: none), and the
    # first end tag from the last name's end: each looked for again only once an entry starts
    # past it. Each entry looking for its own scanned the rest of the document, quadratic
    # (20,000 "<item>" before 2 MB of "<" in a CDATA section: minutes).
    close = -2
    end: re.Match[bytes] | None = None
    looked = False
    for match in _ENTRY_TAG.finditer(data):
        if close != -1 and close < match.start():
            close = data.find(b">", match.start())
        if close > 0 and data[close - 1 : close] == b"/":
            spans.append((match.start(), close + 1))  # <item/>
            continue
        if not looked or (end is not None and end.start() < match.end()):
            end, looked = _ENTRY_END.search(data, match.end()), True
        spans.append((match.start(), end.end() if end else len(data)))
    return spans


# (A pattern's walk over every "<" of every document the fast path tries, and over each
# entry's: 2% of its reading in Python.)
_entry_spans: Callable[[bytes], list[tuple[int, int]]] = (
    _native.entry_spans if _native is not None else _entry_spans_python
)


def _xml_text(raw: bytes) -> str:
    """The text of an element's content read from the bytes: CDATA kept as is, references
    decoded (the document has no DTD, so only XML's own entities and numeric references)."""
    text = raw.decode()
    if "<!" not in text:  # no CDATA: the common case, read once
        return html.unescape(text)
    parts = _CDATA.split(text)
    # split() alternates text outside CDATA and the CDATA sections' contents.
    return "".join(part if n % 2 else html.unescape(part) for n, part in enumerate(parts))


def _feedparser_author(text: str, email_pattern: re.Pattern[str] = _EMAIL) -> str | None:
    """What feedparser reads from an RSS <author> (feedparser.mixin._sync_author_detail): the name
    left once an e-mail address (and a "mailto:" before it) and its brackets are taken out, else
    the address. With its own address pattern (`_FEEDPARSER_EMAIL`) exactly; by default with
    one that knows long domains."""
    author, email = text, None
    if found := _email_search(email_pattern, author):
        email = found.group(0)
        # (A "mailto:" before it goes too: RSS 1.0's "Simon St.Laurent (mailto:simon@…)". What
        # re.sub(f"(?i:mailto:)?{re.escape(email)}", "", author) does, without compiling a
        # pattern per address: an item of 100,000 authors, each its own, took 9.7 s, 4 MB.)
        author = _without(author, email)
        author = author.replace("()", "").replace("<>", "")
        author = author.replace("&lt;&gt;", "").strip()
        if author and author[0] == "(":
            author = author[1:]
        if author and author[-1] == ")":
            author = author[:-1]
        author = author.strip()
    return author or email


_EMAIL_LOCAL = re.compile(r"[a-zA-Z0-9_\-.+]")


def _email_search(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    """`pattern.search(text)` for feedparser's e-mail pattern, in time linear in `text`. A match
    can only start where a run of the address's characters starts, and ends that run at an "@"
    (the class has no "@"): each run before an "@" is tried once, at its start, in order.
    re's search tried every character of a long run again (O(n²)): an item's <author>,
    <dc:creator> or <itunes:author> of 500,000 letters held a worker past its job's timeout,
    and the job's retries and the source's lease brought it back to every worker."""
    at = text.find("@")
    while at != -1:
        start = at
        while start > 0 and _EMAIL_LOCAL.match(text, start - 1):
            start -= 1
        if start < at and (found := pattern.match(text, start)):
            return found
        at = text.find("@", at + 1)
    return None


def _without(text: str, email: str) -> str:
    """`text` without each `email` in it, and a "mailto:" (any case) right before each."""
    parts = text.split(email)
    for n, part in enumerate(parts[:-1]):
        if part[-7:].lower() == "mailto:":
            parts[n] = part[:-7]
    return "".join(parts)


def _fast_entry(
    raw: Any,
    base: str,
    feed_author: str | None,
    data: bytes,
    span: tuple[int, int],
    overlay: Mapping[str, Any] | None,
    permalinks: set[str],
    rss: bool,
) -> EntryData:
    """An entry of feedparser-rs, mapped as feedparser's are, then made to read as feedparser's:
    links resolved against the document's URL, dates read by feedparser's own date parser,
    authors, and what `_overlays` found, as feedparser files them."""
    guid, link = _str(raw.id), _str(raw.link)
    if rss and guid and link and guid != link and raw.links and raw.links[0].href == guid:
        # A permalink <guid> before <link>: feedparser-rs lists the guid as the first link,
        # feedparser only uses it as `link` when there is no <link>.
        overlay = {**(overlay or {}), "links": raw.links[1:]}
    source: Any = _Overlay(raw, overlay) if overlay else raw
    entry = _entry_fields(source, base, dated=False)
    # (An RSS item's dates may come from the bytes: _rss_dates. Most entries' two are one
    # string, read once.)
    written_published, written_updated = source.get("published"), source.get("updated")
    published = _raw_date(written_published)
    updated = published if written_updated == written_published else _raw_date(written_updated)
    published_raw = entry["published_raw"]
    if not rss and raw.dc_date:
        # feedparser files <dc:date> as `updated` only; feedparser-rs also as `published`
        # (_fast_gap made sure there is no other date beside it).
        published = published_raw = None
        updated = updated or _raw_date(raw.dc_date)
    author = entry["author"]
    if overlay and "author" in overlay:
        pass  # read from the bytes (_overlays)
    elif feed_author and author == feed_author and not _AUTHOR_TAG.search(data, *span):
        author = None  # feedparser-rs copies the feed's author into entries without one
    # The entry's own xml:base is the base of its links and, unless its content has one, of
    # its HTML (feedparser's content or summary base; an entry with neither has none).
    links_base = (overlay.get(_ENTRY_BASE_KEY) if overlay else None) or base
    content_base = overlay.get(_BASE_KEY) if overlay else None
    if content_base is None and links_base != base and (raw.content or raw.summary_detail):
        content_base = links_base
    guid = entry["guid"]
    if guid and (not rss or guid in permalinks) and _joined_otherwise(guid):
        guid = _join(guid, links_base)  # feedparser resolves a permalink guid, an Atom id
    title = entry["title"]
    entry.update(
        guid=guid,
        author=author,
        published=published,
        updated=updated,
        published_raw=published_raw,
        # feedparser-rs names a "base" of its own (the channel's link): ours is xml:base's.
        base_url=content_base if content_base != base else None,
        link=_join(entry["link"], links_base),
        # An RSS title is text unless it looks like HTML: feedparser's guess (feedparser-rs
        # takes every RSS title for HTML).
        title_is_html=_looks_like_html(title) if rss and title else entry["title_is_html"],
        thumbnail=_resolve(entry["thumbnail"], links_base),
        artwork=_resolve(entry["artwork"], links_base),
        # feedparser lower-cases enclosure types ("charset=UTF-8" comes out "charset=utf-8").
        enclosures=tuple(
            # (Made anew, not by dataclasses.replace: 1,144 of them a corpus round, 4x as fast.)
            EnclosureData(_resolve(e.url, links_base) or "", e.type.lower(), e.length)
            for e in entry["enclosures"]
        ),
        tags=(
            entry["tags"]
            if overlay and "tags" in overlay
            else _labels_decoded(source, entry["tags"])
        ),
    )
    return EntryData(**entry)


def _labels_decoded(raw: Any, tags: tuple[str, ...]) -> tuple[str, ...]:
    """The entry's tags with the character references in an Atom category's `label` decoded,
    as XML (and feedparser) reads an attribute: feedparser-rs kept "Business &amp; Finance"."""
    written = raw.get("tags") or []  # (a feedparser-rs `get` builds its list anew: once)
    labels = [_str(t.get("label")) for t in written]
    if not any(label and "&" in label for label in labels):
        return tags
    return _dedupe(
        html.unescape(label) if label else _str(t.get("term"))
        for label, t in zip(labels, written, strict=True)
    )


# FeedBurner's, FeedBlitz's and Pheedo's <origLink>: the article's page behind the item's
# tracking link, as feedparser files it (and the fast path overlays it: _original_links).
_ORIGINAL_LINK_KEYS = ("feedburner_origlink", "feedblitz_origlink", "pheedo_origlink")
_ORIGINAL_LINK = re.compile(rb"<(feedburner|feedblitz|pheedo):origLink>([^<]*+)</\1:origLink\s*>")
_ORIGINAL_LINK_TAG = re.compile(rb"<\w+:origLink\b")


def _original_links(data: bytes, spans: Sequence[tuple[int, int]]) -> dict[int, str] | str:
    """Each entry's <origLink> as feedparser reads it (its text, stripped), by entry, or why
    it cannot be told (feedparser-rs does not read it)."""
    links = {}
    for n, span in enumerate(spans):
        found = _ORIGINAL_LINK.findall(data, *span)
        if len(found) != len(_ORIGINAL_LINK_TAG.findall(data, *span)) or len(found) > 1:
            return "an <origLink> written in a way we do not read (feedparser-rs drops it)"
        if found:
            links[n] = _xml_text(found[0][1]).strip()
    return links


class _Overlay:
    """A feedparser-rs entry with some keys read as feedparser reads them (see _overlays)."""

    __slots__ = ("get",)

    def __init__(self, raw: Any, changes: Mapping[str, Any]) -> None:
        # A closure, not a method reading self._raw and self._changes: 180 ns a get, not 540,
        # and the mapping asks an overlaid entry ~30 times (78,000 gets a corpus round).
        raw_get = raw.get

        def get(key: str, default: Any = None) -> Any:
            if key in changes:
                return changes[key]
            return raw_get(key, default)

        self.get = get


_DESCRIPTION, _ITUNES, _ENCODED = b"description", b"itunes:summary", b"content:encoded"


def _overlays(
    entries: Sequence[Any], doc: _Document, spans: Sequence[tuple[int, int]]
) -> list[dict[str, Any] | None] | str:
    """For each RSS item, the keys feedparser reads differently from feedparser-rs (None when
    there are none), or why they cannot be told: summary and content with <itunes:summary>
    (`_itunes_bodies`); authors, which feedparser lists one per <author>, <dc:creator> or
    <itunes:author> and splits "email (name)" (feedparser-rs keeps one, as written); dates other
    than one <pubDate> (`_rss_dates`); tags with itunes ones or a <categories> wrapper
    (`_feedparser_tags`)."""
    data = doc.data
    overlays: list[dict[str, Any] | None] = [None] * len(entries)
    if not spans:
        return overlays
    # Each item's tags, told from what is hidden in a comment or CDATA once for the authors,
    # the dates and the tags below (it was found three times, once for each).
    items = [_TagStarts(data, start, end) for start, end in spans]
    if doc.search(_ITUNES_SUMMARY, spans[0][0]):
        bodies = _itunes_bodies(entries, data, spans)
        if isinstance(bodies, str):
            return bodies
        overlays = bodies
    if _ITEM_AUTHOR_TAG.search(data, spans[0][0]):
        for n, tags in enumerate(items):
            found = [m.groups() for m in tags.matches(_RSS_AUTHOR_TEXT, tags.start)]
            if len(found) != len(tags.matches(_ITEM_AUTHOR_TAG, tags.start)):
                return "an RSS item author written other than as plain text"
            # One author is split right; several as feedparser splits them (`_author`).
            pattern = _EMAIL if len(found) == 1 else _FEEDPARSER_EMAIL
            names = _dedupe(_feedparser_author(_xml_text(v).strip(), pattern) for _, v in found)
            author: dict[str, Any] = {"authors": [], "author": ", ".join(names) or None}
            overlays[n] = {**(overlays[n] or {}), **author}
    if doc.search(_DC_IDENTIFIER, spans[0][0]):
        for n, span in enumerate(spans):
            if _identifier_only(data, span):
                overlays[n] = {**(overlays[n] or {}), "id": None}
    if doc.search(_MEDIA_THUMBNAIL_TEXT) and (thumbnails := _text_thumbnails(data, spans)):
        for n, listed in enumerate(thumbnails):  # (_fast_gap let only these through)
            if listed:
                overlays[n] = {**(overlays[n] or {}), "media_thumbnail": listed}
    usual: dict[bytes, bool] = {}  # (_rss_dates)
    dated = _DateTags(data, spans[0][0])
    for n, tags in enumerate(items):
        dates = _rss_dates(data, tags, usual, dated.names(tags.start, tags.end))
        if isinstance(dates, str):
            return dates
        if dates:
            overlays[n] = {**(overlays[n] or {}), **dates}
    # (feedparser-rs drops the tags in a <categories> wrapper too, and the media ones inside a
    # <media:content>.)
    if (
        doc.search(_ITUNES_TAG, spans[0][0])
        or doc.search(_CATEGORIES, spans[0][0])
        or doc.search(_MEDIA_TAG, spans[0][0])
    ):
        for n, tags in enumerate(items):
            terms = _feedparser_tags(tags)
            if isinstance(terms, str):
                return terms
            overlays[n] = {**(overlays[n] or {}), "tags": terms}
    return overlays


def _text_thumbnails(
    data: bytes, spans: Sequence[tuple[int, int]]
) -> list[list[dict[str, str]]] | None:
    """Each RSS item's <media:thumbnail>s as feedparser lists them, when each in the document
    is in an item and holds only its URL as text (note.com's, MyAnimeList's), the URL absolute,
    plain ASCII and one feedparser keeps as written (no reference, nothing it would resolve
    or strip but XML's white space around it); None otherwise, when feedparser decides.
    feedparser takes a thumbnail's text for its url (mediarss _end_media_thumbnail, after its
    pop strips it and resolves it as a 'url'); feedparser-rs reads only the attribute. (Not
    with CDATA or comments, where the tags may be text; nor with <media:group> or
    <media:content>, whose thumbnails feedparser-rs files its own way.)"""
    if any(mark in data for mark in (b"<![CDATA[", b"<!--", b"<media:group", b"<media:content")):
        return None
    # ("media" must name Media RSS: feedparser goes by the address, feedparser-rs by the name.)
    media = {
        address for prefix, address in _NAMESPACE_DECLARATION.findall(data) if prefix == b"media"
    }
    if not media or not media <= _MEDIA_RSS:
        return None
    found: list[list[dict[str, str]]] = []
    for start, end in spans:
        urls = [m.group(1).decode("ascii") for m in _THUMBNAIL_URL_TEXT.finditer(data, start, end)]
        if any(_joined_otherwise(url) for url in urls):
            return None
        found.append([{"url": url} for url in urls])
    if sum(map(len, found)) != data.count(b"<media:thumbnail"):
        return None  # (one with attributes, or another text, or outside an item)
    return found


_MEDIA_RSS = {b"http://search.yahoo.com/mrss/", b"http://search.yahoo.com/mrss"}
# A <media:thumbnail> holding only an absolute URL (printable ASCII but for quotes, "&", "<"
# and ">"), with XML's white space around it.
_THUMBNAIL_URL_TEXT = re.compile(
    rb"<media:thumbnail>[ \t\r\n]*(https?://[!#-%(-;=?-~]+)[ \t\r\n]*</media:thumbnail>"
)


def _identifier_only(data: bytes, span: tuple[int, int]) -> bool:
    """Whether an RSS item's id to feedparser-rs is its <dc:identifier>: it takes one where the
    item has no <guid> or rdf:about; feedparser never does (its id is then the link)."""
    start, end = span
    return (
        _DC_IDENTIFIER.pattern.search(data, start, end) is not None
        and data.find(b"<guid", start, end) < 0
        and _RDF_ABOUT.search(data, start, end) is None
    )


def _feedparser_tags(tags: _TagStarts) -> list[dict[str, str]] | str:
    """An RSS item's tags read from the bytes in document order, as feedparser lists them:
    <category>, <dc:subject> and <media:category> by their text, <itunes:category> by its
    `text`, <itunes:keywords> and <media:keywords> split at commas (feedparser-rs reads neither
    of the itunes ones). Or why they cannot be read so. `tags`: the item's (`_TagStarts`)."""
    found = [m.groups() for m in tags.matches(_TAG_ELEMENT, tags.start)]
    if len(found) != len(tags.matches(_ANY_TAG_ELEMENT, tags.start)):
        return "an item's tags written other than as plain elements (nested, or with markup)"
    terms: list[dict[str, str]] = []
    itunes = {"scheme": _ITUNES_SCHEME}  # (as feedparser files their terms: see _tag_terms)
    for name, attributes, value in found:
        text = _xml_text(value).strip()
        if name == b"itunes:category":
            label = _TEXT_ATTRIBUTE.search(attributes)
            if label is None or text:
                return "an <itunes:category> without a text attribute, or with content"
            terms.append({"term": html.unescape((label.group(1) or label.group(2)).decode())})
            terms[-1].update(itunes)
        elif _XMLNS_ATTRIBUTE.sub(b"", attributes).strip(b" \t\r\n/"):
            return f"a <{name.decode()}> with attributes among the tags we read from the bytes"
        elif name.endswith(b"keywords"):
            scheme = itunes if name == b"itunes:keywords" else {}
            terms += [{"term": term.strip(), **scheme} for term in text.split(",")]
        else:
            terms.append({"term": text})
    return [term for term in terms if term["term"]]


def _itunes_bodies(
    entries: Sequence[Any], data: bytes, spans: Sequence[tuple[int, int]]
) -> list[dict[str, Any] | None] | str:
    """Each RSS item's summary and content as feedparser files them when it has <itunes:summary>
    (None for items without one), or why they cannot be told.

    feedparser reads <description>, <itunes:summary> and <content:encoded> in document order:
    the first of the first two is the summary, the next is content unless content came before
    it (then it replaces the summary), and content:encoded is content
    (feedparser/namespaces/_base.py, _start_summary and _start_description). Whether content
    came before is not reset between the channel and the first item, so the channel's own
    elements count for it. feedparser-rs keeps <itunes:summary> as the summary and loses
    <description>, so that is read by a second pass of feedparser-rs with <itunes:summary>
    renamed out of its way.
    """
    bodies: list[dict[str, Any] | None] = [None] * len(entries)
    channel = _summary_elements(data, 0, spans[0][0])
    if isinstance(channel, str):
        return f"{channel} in the channel"
    has_content = _channel_has_content(channel)
    orders: list[tuple[list[bytes], bool] | None] = []
    for n, (start, end) in enumerate(spans):
        between = spans[n + 1][0] if n + 1 < len(spans) else len(data)
        if _summary_elements(data, end, between):
            return "<itunes:summary> with a summary element between items"
        if not _ITUNES_SUMMARY.pattern.search(data, start, end):
            orders.append(None)
            continue
        names = _summary_elements(data, start, end)
        if isinstance(names, str):
            return f"{names} in an item"
        if len(set(names)) != len(names):
            return "<itunes:summary> beside a repeated summary element in an item"
        orders.append((names, has_content and n == 0))
    descriptions: Sequence[Any] = entries
    if any(order and _DESCRIPTION in order[0] for order in orders):
        hidden = _ITUNES_SUMMARY_ELEMENT.sub(rb"<\1itunes:summary-hidden", data)
        try:
            second = feedparser_rs.parse_with_limits(
                hidden, limits=_FAST_LIMITS, sanitize_html=False, resolve_relative_uris=False
            )
        except Exception as e:  # noqa: BLE001 - as in _parse_fast
            return f"feedparser-rs raised {type(e).__name__} without <itunes:summary>"
        if second.bozo or len(second.entries) != len(entries):
            return "<itunes:summary>: the document reads differently without it"
        descriptions = second.entries
    for n, order in enumerate(orders):
        if order:
            bodies[n] = _feedparser_bodies(*order, entries[n], descriptions[n])
    return bodies


def _summary_elements(data: bytes, start: int, end: int) -> list[bytes] | str:
    """The names of the elements feedparser may file as summary or content between `start` and
    `end`, in order (<description>, <itunes:summary>, <content:encoded>), or why there are
    others it would read its own way."""
    names = []
    for name, attributes in _BODY_TAG.findall(data, start, end):
        if name.startswith(_IGNORED_PREFIXES):
            continue  # a namespace feedparser does not know: not a summary to it
        if name not in (_DESCRIPTION, _ITUNES, _ENCODED):
            return f"<itunes:summary> beside <{name.decode()}>"
        if _XMLNS_ATTRIBUTE.sub(b"", attributes).strip():
            return f"<itunes:summary> beside a <{name.decode()}> with attributes"
        names.append(name)
    return names


def _channel_has_content(names: Sequence[bytes]) -> bool:
    """feedparser's `hasContent` after the channel's own summary elements (see _itunes_bodies):
    there, <description> is the subtitle, and a second summary element is content."""
    has_summary = has_content = False
    for name in names:
        if name == _ENCODED:
            has_content = has_summary = True
        elif has_summary and not has_content:
            has_content = True
        elif name == _ITUNES:
            has_summary = True
    return has_content


def _feedparser_bodies(
    order: Sequence[bytes], has_content: bool, raw: Any, second: Any
) -> dict[str, Any]:
    """An item's summary, summary_detail and content, filed in `order` as feedparser files them."""
    details = [*(raw.content or []), raw.summary_detail, raw.title_detail]
    language = next((d.get("language") for d in details if d and d.get("language")), None)
    summary: tuple[str, str | None] | None = None
    content: list[Any] = []
    for name in order:
        if name == _ENCODED:
            has_content = True
            content.extend(raw.content or [])
            if summary is None and raw.content:
                summary = (raw.content[0].get("value") or "", None)  # feedparser's _save
            continue
        if name == _DESCRIPTION:
            value = _str_or_empty(second.summary)
            html_type = "text/html"  # an RSS <description> is HTML to feedparser
        else:
            value = _str_or_empty(raw.itunes.summary if raw.itunes is not None else None)
            html_type = "text/html" if _looks_like_html(value) else "text/plain"
        plain_type = "text/html" if _looks_like_html(value) else "text/plain"
        if summary is None or has_content:
            summary = (value, html_type)
        else:  # a second summary element becomes content, typed as plain text unless it looks HTML
            content.append({"value": value, "type": plain_type, "language": language})
            has_content = True
    value, kind = summary or ("", None)
    return {
        "summary": value,
        "summary_detail": {"type": kind, "language": language} if kind else {},
        "content": content,
    }


def _str_or_empty(value: object) -> str:
    return value if isinstance(value, str) else ""


_looks_like_html: Callable[[str], bool] = feedparser.mixin._FeedParserMixin.looks_like_html


def _sync_author_detail(self: Any, key: str = "author") -> None:
    """feedparser's own (feedparser.mixin._FeedParserMixin._sync_author_detail, 6.0), line for
    line but its search for an e-mail address, which is _email_search's: re.search was O(n²) on
    a long author without one (20,000 letters 1.5 s of a not-well-formed feed, read by
    feedparser; 500,000 about fifteen minutes)."""
    context = self._get_context()
    detail = context.get(f"{key}s", [feedparser.util.FeedParserDict()])[-1]
    if detail:
        name = detail.get("name")
        email = detail.get("email")
        if name and email:
            context[key] = f"{name} ({email})"
        elif name:
            context[key] = name
        elif email:
            context[key] = email
        return
    author, email = context.get(key), None
    if not author:
        return
    if found := _email_search(_FEEDPARSER_EMAIL, author):
        email = found.group(0)
        author = author.replace(email, "")
        author = author.replace("()", "")
        author = author.replace("<>", "")
        author = author.replace("&lt;&gt;", "")
        author = author.strip()
        if author and (author[0] == "("):
            author = author[1:]
        if author and (author[-1] == ")"):
            author = author[:-1]
        author = author.strip()
    if author or email:
        context.setdefault(f"{key}_detail", detail)
    if author:
        detail["name"] = author
    if email:
        detail["email"] = email


feedparser.mixin._FeedParserMixin._sync_author_detail = _sync_author_detail


def _raw_date(value: str | None) -> datetime | None:
    """A date string as feedparser reads it (as UTC; None when it cannot or the year is absurd)."""
    if not value:
        return None
    return _usual_date(value) or _date(_parse_date_string(value))


# The forms of date most feeds write, each read as the first of feedparser's date handlers that
# takes it reads it: w3dtf (tried first) an ISO 8601 date and time, with "T" or a space, seconds'
# fractions dropped, the offset as "+hh:mm" (no zone is UTC); rfc822 the RFC 822 form with an
# offset "+hhmm" or GMT, UT, UTC or Z (all UTC; dates.USUAL_RFC822, which dates.py reads at once
# too), or a North American zone's name, which feedparser's rfc822 handler reads at a fixed
# offset (its timezone_names; "PST" is always -8: a podcast host's 730 items, each read by every
# handler in turn, were a tenth of its feed's fast reading). `_usual_date` reads them without
# trying each handler in turn (12 µs a date); tests/test_parse_differential.py compares it with
# feedparser's on every date in the corpus and on edge values.
_USUAL_W3DTF = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})[T ]([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.[0-9]{1,9})?"
    r"(?:Z|([+-])([0-9]{2}):([0-9]{2}))?"
)
_ZONE_HOURS_WEST = {"EST": 5, "EDT": 4, "CST": 6, "CDT": 5, "MST": 7, "MDT": 6, "PST": 8, "PDT": 7}
_RFC822_NAMED_ZONE = re.compile(
    r"(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), )?([0-9]{1,2}) (" + "|".join(MONTH_ABBREVIATIONS) + ") "
    r"([0-9]{4}) ([0-9]{2}):([0-9]{2}):([0-9]{2}) (" + "|".join(_ZONE_HOURS_WEST) + ")"
)


def _usual_date(value: str) -> datetime | None:
    """A date in one of the usual forms, as feedparser reads it; None for any other string and
    for one whose values feedparser's handlers might read otherwise (`_raw_date` asks them)."""
    if match := _USUAL_W3DTF.fullmatch(value):
        year, month, day, hour, minute, second, sign, zone_hours, zone_minutes = match.groups()
    elif match := USUAL_RFC822.fullmatch(value) or _RFC822_NAMED_ZONE.fullmatch(value):
        day, month, year, hour, minute, second, zone = match.groups()
        month = str(MONTH_ABBREVIATIONS.index(month) + 1)
        if zone in _ZONE_HOURS_WEST:
            sign, zone_hours, zone_minutes = "-", str(_ZONE_HOURS_WEST[zone]), "0"
        else:
            sign = zone[0] if zone[0] in "+-" else ""  # (GMT, UT, UTC or Z: none)
            zone_hours, zone_minutes = zone[1:3], zone[3:]
    else:
        return None
    try:
        stamp = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second))
        if sign:
            offset = timedelta(hours=int(zone_hours), minutes=int(zone_minutes))
            stamp -= offset if sign == "+" else -offset
    except (ValueError, OverflowError):
        return None
    return stamp.replace(tzinfo=UTC) if _MIN_YEAR <= stamp.year <= _MAX_YEAR else None


_NAMED_REFERENCE = re.compile(r"&([A-Za-z][A-Za-z0-9]{1,31});")
_XML_NAMED = frozenset({"amp", "lt", "gt", "quot", "apos"})
# HTML 4's named character references as their numbers (XML's own five are not among them).
_HTML_NUMBERS = {
    name: f"&#{code};"
    for name, code in html.entities.name2codepoint.items()
    if name not in _XML_NAMED
}
_HTML_NUMBERS_BYTES = {name.encode(): number.encode() for name, number in _HTML_NUMBERS.items()}


def _numbered(match: re.Match[str]) -> str:
    """An HTML 4 named character reference as its number (XML's own five stay as they are)."""
    return _HTML_NUMBERS.get(match.group(1), match.group(0))


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


def _no_root(document: str, content_type: str) -> str:
    """What to say of a document with no root element: what it is, when it is Markdown or
    plain text (a README or a "404 page not found" served at the feed's URL), quoting its
    start, as an HTML page is named; else that it has no root element."""
    start = document[:_SNIFFED_CHARS]
    text = " ".join(start.split())
    if text and not _CONTROL_CHARACTER.search(start):
        mime = content_type.split(";", 1)[0].strip().lower()
        if mime in _MARKDOWN_TYPES or _MARKDOWN.search(start):
            return f"This is a Markdown document, not a feed: it begins {_quoted(text)}."
        if not _ELEMENT.search(start):
            return f"This is plain text, not a feed: it begins {_quoted(text)}."
    return "The document has no root element: it is not a feed."


_SNIFFED_CHARS = 4096
_CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_MARKDOWN_TYPES = frozenset({"text/markdown", "text/x-markdown"})
# What only Markdown writes at a line's start: an ATX heading, a fenced block, a setext
# heading's underline (front matter's closing "---" too); or a link, anywhere. (A list alone
# is plain text's too.)
_MARKDOWN = re.compile(
    r"^(?:#{1,6}[ \t]+\S|```|~~~)|^\S.*\n(?:=+|-+)[ \t]*$|\[[^\]\n]+\]\([^)\s]+\)",
    re.MULTILINE,
)
# An element's tag (not "<https://…>", Markdown's autolink, nor "a < b").
_ELEMENT = re.compile(r"</?[A-Za-z][\w-]*(?:\s[^<>]*)?/?>")


# Where a feed starts after text its server printed first (PHP's "Warning: Cannot modify header
# information…", NUL bytes): its XML declaration, which only a document's start may hold, or its
# root. feedparser reads past such text; the start of a document without a root was searched.
_FEED_AFTER_TEXT = re.compile(r"<\?xml[\s?]|<(?:rss|feed|(?:[A-Za-z_][\w.-]*:)?RDF)[\s>/]")
PRINTED_CHARS = 64 * 1024  # of text before a feed: a few error messages
QUOTED_CHARS = 80


_XML_DECLARATION = re.compile(r"<\?xml[\s?]")


def _after_printed_text(text: str, root: str | None) -> int:
    """Where the feed starts in a document that starts with text its server printed, or 0: in
    one of no root, after text without markup; in one whose root is no feed's nor a page's
    (PHP's notices in HTML: "<br />\n<b>Warning</b>: …"), at the XML declaration after it."""
    if root is None:
        match = _FEED_AFTER_TEXT.search(text, 0, PRINTED_CHARS)
        return match.start() if match and "<" not in text[: match.start()] else 0
    if root.lower().rpartition(":")[2] in _FEED_ROOTS | _HTML_ROOTS:
        return 0
    first = text.find("<" + root)
    match = _XML_DECLARATION.search(text, first + 1, PRINTED_CHARS) if first >= 0 else None
    return match.start() if match else 0


# A JSON Feed object's start: "{" and one of its members (https://jsonfeed.org/version/1.1).
_JSON_FEED_START = re.compile(
    r'\{\s*"(?:version|title|home_page_url|feed_url|description|items|language|icon|favicon'
    r'|authors?|hubs|next_url|user_comment|expired)"\s*:'
)


def _json_after_printed_text(text: str) -> int:
    """Where a JSON Feed starts in a document that starts with text its server printed (a PHP
    notice, in HTML or not), or 0: a JSON Feed's "{" within the first PRINTED_CHARS, with no
    XML feed's start before it, in a document that ends with its "}"."""
    match = _JSON_FEED_START.search(text, 0, PRINTED_CHARS)
    if match is None or _FEED_AFTER_TEXT.search(text, 0, match.start()):
        return 0
    return match.start() if text.rstrip().endswith("}") else 0


def _printed_warning(printed: str) -> str:
    return (
        f"Text comes before the feed ({_quoted(printed)}), most likely an error message"
        " its server printed; the feed was read from after it"
    )


def _quoted(printed: str) -> str:
    """The start of the text, quoted, for a warning."""
    printed = printed.translate(_UNPRINTABLE)
    if len(printed) > QUOTED_CHARS:
        printed = printed[: QUOTED_CHARS - 1] + "…"
    return f"\u201c{printed}\u201d" if printed else "control characters"


# (and the direction controls a title or byline loses: U+202E showed what followed reversed)
_UNPRINTABLE = dict.fromkeys([*range(0x20), 0x7F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)])


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


def _entry(entry: Mapping[str, Any], feed_base: str) -> EntryData:
    return EntryData(**_entry_fields(entry, feed_base))


def _entry_fields(
    entry: Mapping[str, Any], feed_base: str, *, dated: bool = True
) -> dict[str, Any]:
    """The fields of an entry's EntryData as our mapping reads them; its dates only when
    `dated` (the fast path reads them its own way: `_fast_entry`, which makes the EntryData
    once, where a second one made by `replace` cost 7 µs an entry, 2% of a fast reading)."""
    title_detail = entry.get("title_detail") or {}
    summary_detail = entry.get("summary_detail") or {}
    # Yandex.News feeds (Russian news sites) give the article's whole text, as text, beside
    # the teaser in <description>: HTML only when it writes tags (oren.ru breaks its lines with
    # "<br />": read as text, they showed), not for a character reference alone.
    # ukr.net's writes it unprefixed, and as HTML.
    yandex = _str(entry.get("yandex_full-text"))
    full_text = yandex or _str(entry.get("full-text"))
    html = (
        full_text is not None and (_HTML_TAG if yandex else _MARKUP).search(full_text) is not None
    )
    full = (
        [{"value": full_text, "type": "text/html" if html else "text/plain"}] if full_text else []
    )
    content = _richest_content(entry.get("content") or full)
    content_value = _str(content.get("value")) if content else None
    content_is_html = bool(content) and _is_html_type(content.get("type"))
    summary = _str(entry.get("summary"))
    summary_is_html = _is_html_type(summary_detail.get("type"))
    # feedparser copies an Atom <content> into `summary` when there is no <summary>.
    if summary is not None and summary == content_value:
        summary = None
    # An xml:lang on its text, else its own <dc:language> (a French item of an English channel).
    language = (content or summary_detail or title_detail).get("language") or entry.get("language")
    # Media a Mastodon post hides behind a content warning is rated "adult": never the picture
    # on a card or atop the article (the post's own text still links it).
    rating = entry.get("media_rating")
    adult = isinstance(rating, Mapping) and _str(rating.get("content")) == "adult"
    source = _str(getattr(entry.get("source"), "title", None))
    # Each list of media read once, and each media:content told a picture or not once, for the
    # thumbnail, the images and the enclosures (a feedparser-rs `get` builds its list anew).
    listed = entry.get("enclosures") or []
    media = entry.get("media_content") or []
    if adult:
        thumbnail = artwork = None
        images: tuple[ImageData, ...] = ()
    else:
        artwork = _artwork_of(entry)
        pictures = [m for m in media if _is_image(m, _str(m.get("url")))]
        thumbnails = entry.get("media_thumbnail") or []
        thumbnail = _thumbnail(thumbnails, pictures, artwork, listed)
        images = _images(pictures, thumbnails)
    return dict(
        guid=_str(entry.get("id")),
        link=_alternate_link(entry)
        or _typed_alternate(entry)
        or _content_source(entry)
        or _str(entry.get("link")),
        title=_without_source_suffix(_str(entry.get("title")), source),
        title_is_html=_is_html_type(title_detail.get("type")),
        summary=summary,
        summary_is_html=summary_is_html,
        content=content_value,
        content_is_html=content_is_html,
        # (An RSS <source>, the channel the item came from, is its publisher: Google News'.)
        # (note.com names its writer only in <note:creatorName>.)
        author=_author(entry) or _source_author(entry) or source or _note_creator(entry),
        published=_date(entry.get("published_parsed")) if dated else None,
        updated=_date(entry.get("updated_parsed")) if dated else None,
        # (and Naver Blog's <tag>, a list normalize splits at its commas)
        tags=_dedupe([*_tag_terms(entry.get("tags") or []), _str(entry.get("tag"))]),
        enclosures=_enclosures(listed or ([] if adult else _media_files(media))),
        thumbnail=thumbnail,
        artwork=artwork,
        language=_str(language),
        base_url=_entry_base((content or summary_detail).get("base"), feed_base),
        published_raw=_str(entry.get("published")),
        updated_raw=_str(entry.get("updated")),
        images=images,
        duration=_duration(entry.get("itunes_duration")),
        original_link=next((u for key in _ORIGINAL_LINK_KEYS if (u := _str(entry.get(key)))), None),
    )


# <itunes:duration>: seconds, or [[hours:]minutes:]seconds, sometimes with a fraction.
_DURATION = re.compile(r"(\d{1,7})(?::(\d{1,2}))?(?::(\d{1,2}))?(?:[.,]\d*)?")
_MAX_DURATION = 7 * 24 * 3600  # longer is a mistake (milliseconds, a date) more than a show


def _duration(value: object) -> int | None:
    """Seconds from an <itunes:duration> ("1:02:03", "62:03", "3723") or a JSON number; None
    when unreadable, 0 (what feeds write for "unknown") or over a week."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        seconds = value  # (JSON's integers have no bound: no float() of one)
    elif isinstance(value, float):
        seconds = int(value) if math.isfinite(value) else 0
    else:
        match = _DURATION.fullmatch(_str(value) or "")
        if match is None:
            return None
        seconds = 0
        for part in match.groups():
            if part is not None:
                seconds = seconds * 60 + int(part)
    return seconds if 0 < seconds <= _MAX_DURATION else None


def _entry_base(base: object, feed_base: str) -> str | None:
    """An entry's own xml:base (rare) when it differs from the feed's, for normalize."""
    if isinstance(base, str) and base and base != feed_base:
        return base
    return None


def _without_source_suffix(title: str | None, source: str | None) -> str | None:
    """The title without " - Publisher" when the item names that publisher as its <source>:
    Google News writes "Rust 2.0 roadmap published - The Register"."""
    suffix = f" - {source}"
    if title and source and title.endswith(suffix) and title[: -len(suffix)].strip():
        return title[: -len(suffix)].rstrip()
    return title


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


def _typed_alternate(node: Mapping[str, Any]) -> str | None:
    """The first rel=alternate link typed other than as HTML (and not as a feed), for an entry
    that has no HTML one: an Atom entry linking its page only as "text/plain" or a paper's
    "application/pdf" had no link at all (feedparser takes only HTML for `link`, else the
    entry's id, "urn:…"; Miniflux and NetNewsWire take any alternate)."""
    if node.get("link") and node.get("link") != node.get("id"):
        return None  # (a link of its own, as feedparser read it)
    for link in node.get("links") or []:
        href = _str(link.get("href"))
        kind = str(link.get("type") or "").lower()
        if href and link.get("rel", "alternate") == "alternate" and kind not in _FEED_LINK_TYPES:
            return href
    return None


def _content_source(node: Mapping[str, Any]) -> str | None:
    """Where an Atom entry's out-of-line content is (<content src>, RFC 4287 4.1.3.2), for an
    entry without a link of its own (feedparser's `link` is then its id): its only page."""
    if node.get("link") and node.get("link") != node.get("id"):
        return None
    return next((src for c in node.get("content") or [] if (src := _str(c.get("src")))), None)


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
    authors = [a for a in entry.get("authors") or [] if a]
    raw = _str(entry.get("author"))
    if len(authors) == 1 and (email := _str(authors[0].get("email"))) and raw and "@" in raw:
        if raw.strip("() ") == email and not _str(authors[0].get("name")):
            return email  # an Atom author whose <name> is empty: feedparser-rs's " (email)"
        # feedparser split the one author's text with its four-letter domains (_EMAIL): again.
        return _feedparser_author(raw)
    names = _dedupe(
        _without_mailto(_str(a.get("name")) or "") or _str(a.get("email")) for a in authors
    )
    if names:
        return ", ".join(names)
    return raw


def _without_mailto(name: str) -> str:
    """A name without what feedparser leaves of "A (mailto:a@example.com)" once it takes the
    address out: "A (mailto:". (Told by its end, not a pattern: one with leading white space was
    quadratic on a name of 40,000 spaces, 12 s.)"""
    if not name.lower().endswith("mailto:"):
        return name
    return name[: -len("mailto:")].rstrip().removesuffix("(").rstrip()


def _note_creator(entry: Mapping[str, Any]) -> str | None:
    """note.com's <note:creatorName>, as feedparser files it by the document's prefix."""
    return _str(entry.get("note_creatorname"))


def _source_author(entry: Mapping[str, Any]) -> str | None:
    """The authors of an Atom entry's <source>, which are its own when it names none (RFC 4287
    4.2.11: a planet's posts, each of another blog). feedparser files them with the source only;
    feedparser-rs does not report them (an Atom <source> goes to feedparser: _fast_gap)."""
    source = entry.get("source")
    return _author(source) if isinstance(source, Mapping) else None


def _enclosures(items: Iterable[Mapping[str, Any]]) -> tuple[EnclosureData, ...]:
    found: dict[str, EnclosureData] = {}
    for item in items:
        href = _str(item.get("href")) or _str(item.get("url"))
        if href and href not in found:
            found[href] = EnclosureData(
                url=href, type=_str(item.get("type")) or "", length=_length(item.get("length"))
            )
    return tuple(found.values())


_MEDIA_FILE = re.compile(r"\.(?:mp4|m4v|webm|mov|mp3|m4a|aac|ogg|oga|opus|wav|flac)(?:$|\?)", re.I)


def _media_files(contents: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The entry's sound and video media:content (Mastodon's attached video), as enclosures for
    an entry that has none (beside an enclosure they are its other sizes and formats). Not a
    player (YouTube's application/x-shockwave-flash, an embed address): the item's link is it."""
    found = []
    for media in contents:
        url = _str(media.get("url")) or ""
        kind = (_str(media.get("type")) or "").lower()  # (feedparser lower-cases types)
        medium = _str(media.get("medium")) or ""
        typed = kind.startswith(("video/", "audio/"))
        if typed or (not kind and medium in ("video", "audio") and _MEDIA_FILE.search(url)):
            found.append({"href": url, "type": kind, "length": media.get("filesize")})
    return found


def _thumbnail(
    thumbnails: Iterable[Mapping[str, Any]],
    pictures: Iterable[Mapping[str, Any]],
    artwork: str | None,
    enclosures: Iterable[Mapping[str, Any]],
) -> str | None:
    """media:thumbnail, an image media:content (`pictures`: those `_is_image`), the item's
    image (`artwork`), or an image enclosure."""
    for thumb in thumbnails:
        if url := _str(thumb.get("url")):
            return url
    for media in pictures:
        if url := _str(media.get("url")):
            return url
    if artwork:
        return artwork
    for enclosure in enclosures:
        href = _str(enclosure.get("href"))
        if href and str(enclosure.get("type") or "").startswith("image/"):
            return href
    return None


def _artwork_of(entry: Mapping[str, Any]) -> str | None:
    """The item's own <itunes:image>."""
    image = entry.get("image")
    if isinstance(image, Mapping) and (url := _str(image.get("href"))):
        return url
    itunes = entry.get("itunes")  # feedparser-rs keeps <itunes:image> here, feedparser in `image`
    if itunes is not None and (url := _str(getattr(itunes, "image", None))):
        return url
    return None


def _images(
    pictures: Iterable[Mapping[str, Any]], thumbnails: Iterable[Mapping[str, Any]]
) -> tuple[ImageData, ...]:
    """The entry's media:content images (`pictures`: those `_is_image`), then its
    media:thumbnails, with their declared sizes."""
    return tuple(
        ImageData(url, _length(item.get("width")), _length(item.get("height")))
        for item in (*pictures, *thumbnails)
        if (url := _str(item.get("url")))
    )


def _is_image(media: Mapping[str, Any], url: str | None) -> bool:
    """Whether a media:content is a picture: its medium or type says so, or, when it says
    neither (both are optional: the Guardian writes neither), its URL names an image file."""
    kind = str(media.get("medium") or media.get("type") or "").lower()
    if kind:
        return kind == "image" or kind.startswith("image/")
    return bool(url) and _IMAGE_FILE.search(urlsplit(url or "").path) is not None


_IMAGE_FILE = re.compile(r"\.(?:jpe?g|png|gif|webp|avif)$", re.IGNORECASE)


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


# A size (or a picture's side) beyond this is none: more than any file's (9 PB), and more than
# JSON readers that decode integers as 64-bit or double ones read exactly. A hostile feed's
# 300-digit enclosure length was written as it came into our RSS, Atom and JSON Feed.
MAX_LENGTH = 2**53 - 1


def _length(value: object) -> int | None:
    """A byte count or a number of pixels as written (0 to MAX_LENGTH), or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        # (JSON's 1e999 is infinity: int() of it raised, and the whole feed was refused.)
        return int(value) if 0 <= value <= MAX_LENGTH else None
    text = str(value).strip()
    if _THOUSANDS.fullmatch(text):  # "12,345,678": a podcast host's byte count, as written
        text = text.replace(",", "")
    if len(text) > 16:  # (more digits than MAX_LENGTH's: none, and int() is not read)
        return None
    try:
        number = int(text)
    except (TypeError, ValueError):
        return None
    return number if 0 <= number <= MAX_LENGTH else None


_THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+")


def _str(value: object) -> str | None:
    """A stripped non-empty string, or None (feedparser and JSON give all sorts of things)."""
    if isinstance(value, str):
        return value.strip() or None
    return None


# feedparser's scheme for the terms of <itunes:keywords> and <itunes:category>.
_ITUNES_SCHEME = "http://www.itunes.com/"
# An iTunes keyword of this many words is a list of keywords separated by spaces, as Apple's
# first podcast spec had them (the W3C feed validator still warns "Use commas to separate
# keywords" for it); feedparser splits at commas only, so the corpus's Taverncast, 2005 to 2015,
# gave 103 episodes one tag of up to 35 words. A keyword that is a phrase is shorter ("back to
# the future", "stone brewing company", in that feed's lists with commas).
_KEYWORD_LIST_WORDS = 5
# Flickr's <media:category scheme="urn:flickr:tags">winter harbour sweden</media:category>.
_FLICKR_TAGS = "urn:flickr:tags"
_WORD_LIST_SCHEMES = frozenset((_ITUNES_SCHEME, _FLICKR_TAGS))
_KEYWORDS_READ = 100  # words of one such list (an article keeps 100 tags)


def _tag_terms(tags: Iterable[Mapping[str, Any]]) -> Iterator[str | None]:
    """An entry's tags as feedparser lists them: an iTunes keyword list written with spaces,
    and Flickr's list, is one tag a word."""
    for tag in tags:
        term = _str(tag.get("label")) or _str(tag.get("term"))
        # (Or by ideographic spaces, U+3000, as Japanese lists do: such a list was one tag.)
        scheme = tag.get("scheme")
        if term and (" " in term or "\u3000" in term) and scheme in _WORD_LIST_SCHEMES:
            words = term.split(None, _KEYWORDS_READ)
            # (Flickr's tags are single words, "oldharbour": its list is one at any length.)
            if len(words) >= _KEYWORD_LIST_WORDS or scheme == _FLICKR_TAGS:
                yield from words[:_KEYWORDS_READ]
                continue
        yield term


def _dedupe(values: Iterable[str | None]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(filter(None, values)))


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


# An Atom feed (its namespace on its own tag) or an RSS one, whole, in an XHTML page: a blog
# engine's template wrapped around it (feedjira's sample of tablix.org). feedparser reads it.
# The start tags are found alone (possessive: linear), the end once: a pattern spanning both
# retried its scan to the document's end at every start tag.
_WRAPPED_START = re.compile(r"<(feed|rss)\b[^<>]*+>")
_ATOM_NAMESPACE = re.compile(r"\bxmlns\s*=\s*[\"']http://www\.w3\.org/2005/Atom[\"']")
_RSS_VERSION = re.compile(r"\bversion\s*=")


def _wrapped_feed(document: str) -> str | None:
    """The one feed an HTML page's markup holds whole, and which it does not advertise as a
    page would (a page that links its feed is a page: its message names the feed)."""
    starts = [
        tag
        for tag in _WRAPPED_START.finditer(document)
        if (_ATOM_NAMESPACE if tag[1] == "feed" else _RSS_VERSION).search(tag[0])
    ]
    if len(starts) != 1 or _LINK_OR_BASE_TAG.search(document, 0, starts[0].start()):
        return None
    start, name = starts[0].start(), starts[0][1]
    end = document.rfind(f"</{name}", start)
    close = document.find(">", end) if end != -1 else -1
    return document[start : close + 1] if close != -1 else None


def _html_page_message(document: str, base_url: str) -> str:
    """'This is an HTML page, not a feed.' plus the feed URLs the page advertises."""
    finder = _FeedLinkFinder()
    # Only <link> and <base> tags matter, and they may be anywhere: feed just those.
    for tag in _LINK_OR_BASE_TAG.finditer(document):
        finder.feed(tag.group(0))
    base = (_http_url(base_url, finder.base) or base_url) if finder.base else base_url
    # Never advice to fetch a private address (a page's link to the cloud's metadata service,
    # a review) unless the page is on one itself: an intranet's page links its intranet feed.
    inside = private_host(urlsplit(base_url).hostname or "")
    urls = [
        u
        for u in dict.fromkeys(_http_url(base, href) for href in finder.hrefs)
        if u and (inside or not private_host(urlsplit(u).hostname or ""))
    ][:3]
    message = "This is an HTML page, not a feed."
    if len(urls) == 1:
        return f"{message} The page advertises a feed at {urls[0]}; use that URL."
    if urls:
        return f"{message} The page advertises feeds at {', '.join(urls)}; use one of those URLs."
    if finder.hrefs:
        return f"{message} The feed links it advertises are not http(s) URLs we can read."
    return f'{message} It does not advertise a feed either (no <link rel="alternate">).'


# --- JSON Feed ----------------------------------------------------------------------------------

# A JSON Feed's `"expired": true` says it will never update again: it is then polled at the
# longest interval allowed (the schedule clamps this to fetch.max_interval), not every few
# minutes for ever; it is not stopped, since a feed that comes back to life says so by dropping it.
EXPIRED_TTL = 30 * 24 * 3600
EXPIRED_WARNING = (
    'The JSON Feed says it is finished ("expired": true): it is read at the longest interval'
    " (fetch.max_interval)"
)


def _json_int(digits: str) -> int | str:
    """A JSON integer, or its digits when Python will not make a number of so many (its limit,
    4,300): one such value (an id of 5,000 digits) leaves the rest of the feed readable, and an
    id keeps its digits."""
    return int(digits) if len(digits) <= _INT_DIGITS else digits


_INT_DIGITS = 4000  # (under sys.get_int_max_str_digits()'s default, 4,300, whatever it is set to)


def _parse_json_feed(text: str, base_url: str, warning: str | None) -> ParsedFeed:
    """Parse a JSON Feed 1.0/1.1 document (https://jsonfeed.org/version/1.1)."""
    try:
        document = json.loads(text, parse_int=_json_int)
        if _SURROGATE_ESCAPE.search(text):
            document = _without_surrogates(document)
    except (ValueError, RecursionError) as e:
        reason = str(e)
        # Where the text ends before the value does (a string never closed runs to the end):
        # cut off by its server or on the way, as an XML document can be.
        cut = isinstance(e, json.JSONDecodeError) and (
            e.pos >= len(text.rstrip()) or e.msg.startswith("Unterminated string")
        )
        said = "The document stops before its end, as if cut off: it" if cut else "The document"
        raise ParseError(f"{said} looks like JSON but is not valid JSON ({reason}).") from e
    if not isinstance(document, dict):
        raise ParseError("The document is JSON but not a JSON Feed (it is not an object).")
    version = document.get("version")
    items = document.get("items")
    if not isinstance(items, list):
        if isinstance(version, str) and "jsonfeed.org" in version:
            raise ParseError("The JSON Feed has no 'items' list.")
        raise ParseError("The document is JSON but not a JSON Feed (no 'version', no 'items').")
    if len(items) > MAX_ENTRIES:
        raise ParseError(_too_many(len(items)))
    if not isinstance(version, str):
        warning = _join_warnings("The JSON Feed does not say which version it is", warning)
    hubs = document.get("hubs")
    hub_urls = (
        [_str(h.get("url")) for h in hubs if isinstance(h, dict)] if isinstance(hubs, list) else []
    )
    hub = next((u for u in hub_urls if u), None)
    language = _str(document.get("language"))
    feed_authors = _json_authors(document)
    expired = document.get("expired") is True
    if expired:
        warning = _join_warnings(EXPIRED_WARNING, warning)
    parsed = ParsedFeed(
        title=_str(document.get("title")),
        link=_str(document.get("home_page_url")),
        language=language,
        ttl=EXPIRED_TTL if expired else None,
        hub=hub,
        entries=tuple(_json_item(i, feed_authors) for i in items if isinstance(i, dict)),
        base_url=base_url,
        warning=warning,
        parser=JSON_FEED_PARSER,
        artwork=_str(document.get("icon")),
    )
    if (site := _site_link(parsed, "rss")) is None:
        return parsed
    # An item's relative `url` is a page of the site its home_page_url names when the feed is
    # served from another host (as an RSS item's <link> is: _linked_from_site), and its
    # relative image and attachments are the site's files.
    return replace(
        parsed,
        entries=tuple(
            replace(
                e,
                link=_from_site(site, e.link),
                external_link=_from_site(site, e.external_link),
                thumbnail=_from_site(site, e.thumbnail),
                enclosures=tuple(
                    replace(a, url=_from_site(site, a.url) or a.url) for a in e.enclosures
                ),
            )
            for e in parsed.entries
        ),
    )


def _from_site(site: str, url: str | None) -> str | None:
    """`url` resolved against `site` when it is relative (and then http(s)), else as it is."""
    if not url or _SCHEME.match(url.strip()) or url.strip().startswith("//"):
        return url
    return _http_url(site, url.strip()) or url


# JSON may escape half of a surrogate pair alone ("\\ud83d"), which json.loads keeps as is: a
# string that no page and no store can encode as UTF-8.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _without_surrogates(value: Any) -> Any:
    """The JSON value with every lone surrogate in its strings replaced by U+FFFD (json.loads
    has already joined the pairs), in place. A loop, not recursion: json.loads reads values
    nested nearly as deep as Python's stack, and a recursive walk of a valid feed's 500-deep
    extension overflowed it ("not valid JSON (maximum recursion depth exceeded)")."""
    root = [value]
    pending: list[tuple[Any, Any]] = [(root, 0)]
    while pending:
        container, key = pending.pop()
        item = container[key]
        if isinstance(item, str):
            container[key] = _SURROGATE.sub("\ufffd", item)
        elif isinstance(item, list):
            pending.extend((item, i) for i in range(len(item)))
        elif isinstance(item, dict):
            pending.extend((item, k) for k in item)
    return root[0]


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
        external_link=_str(item.get("external_url")) if _str(item.get("url")) else None,
        title=_str(item.get("title")),
        title_is_html=False,
        summary=_str(item.get("summary")),
        summary_is_html=False,
        # content_text is plain text by the spec, for sure: made HTML here, where its kind is
        # known, it is never read as HTML ("Wrap it in <b>bold</b>" was, and lost its
        # paragraphs), as a plain body declared by an untyped Atom summary may be.
        content=html_body or (text_to_html(plain_text(text_body)) if text_body else None),
        content_is_html=html_body is not None or bool(text_body),
        # The feed's authors are the item's only if it names none (JSON Feed 1.1): one named
        # by an address alone was credited to the feed's whole list.
        author=_json_authors(item) or (None if _names_authors(item) else feed_authors),
        published=_iso_date(item.get("date_published")),
        updated=_iso_date(item.get("date_modified")),
        tags=_dedupe(_str(t) for t in tags) if isinstance(tags, list) else (),
        enclosures=enclosures,
        thumbnail=_str(item.get("image")) or _str(item.get("banner_image")),
        language=_str(item.get("language")),
        published_raw=_date_text(item.get("date_published")),
        updated_raw=_date_text(item.get("date_modified")),
        duration=_json_duration(attachments),
    )


def _json_duration(attachments: object) -> int | None:
    """The first attachment's duration that reads as one (the episode's, as in RSS)."""
    for attachment in attachments if isinstance(attachments, list) else ():
        if isinstance(attachment, dict) and (
            seconds := _duration(attachment.get("duration_in_seconds"))
        ):
            return seconds
    return None


def _json_id(value: object) -> str | None:
    """An item id as a string; JSON Feeds in the wild use numbers too."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    # (Without the characters XML forbids, as an XML feed's <guid> is read: "\u0000" stayed.)
    return _XML_ILLEGAL.sub("", str(value)).strip() or None


def _json_authors(node: Mapping[str, Any]) -> str | None:
    """JSON Feed 1.1 `authors` (a list) or 1.0 `author` (an object), as one string."""
    authors = node.get("authors")
    if not isinstance(authors, list):
        authors = [node.get("author")]
    # (A name written alone, "author": "Jane Doe", is what publishers mean by it.)
    names = _dedupe(_str(a.get("name")) if isinstance(a, dict) else _str(a) for a in authors)
    return ", ".join(names) or None


def _names_authors(item: Mapping[str, Any]) -> bool:
    """Whether a JSON Feed item specifies its authors (1.1 `authors`, 1.0 `author`)."""
    authors = item.get("authors")
    if isinstance(authors, list):
        return bool(authors)
    return isinstance(item.get("author"), dict) or bool(_str(item.get("author")))


def _date_text(value: object) -> str | None:
    """A JSON Feed date as text: a string, or a number as its digits (seconds since 1970, as
    some generators write it for an RFC 3339 string: normalize reads them; it was undated)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return _str(value)


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
