"""Stories: the same text published by several sources. The pure core (no I/O).

An article's *fingerprint* is computed from its title and body after per-source boilerplate is
removed (`boilerplate`): text is NFKC-normalized (folding full and half widths) and case-folded,
cut into tokens (a word of a spaced language, or one CJK character), and shingled into n-grams
(3 words, or 4 CJK characters: Chinese needs no word segmentation for this). A MinHash signature
of the shingles estimates how much two texts share (Jaccard similarity).

The signature is one-permutation MinHash (Li, Owen & Zhang, NIPS 2012) with rotation
densification (Shrivastava & Li, ICML 2014): every shingle is hashed once and falls into one of
SLOTS bins, each bin keeps its minimum. That is SLOTS times cheaper than classic MinHash (one hash
per shingle instead of one per shingle and slot), with the same estimator. Own code rather than
`datasketch`: ~40 lines, and every Redis round trip stays ours (datasketch's Redis storage makes
one per band). The arithmetic runs in C (`aggregator._native`) on paragraphs whose tokens it
packed (`pack_tokens`); `_fingerprint_parts_python` (with numpy) is its reference and its
fallback where the C module is not built.

LSH: the signature is cut into BANDS bands of ROWS slots; articles sharing any band, their title
or the start of their body are *candidates*, and `same_story` decides:

- the same title (suffixes like " - Site" and tags like "【转载】" removed) and bodies sharing a
  large part (estimated Jaccard >= TITLE_NEAR: a junk paragraph added, keywords stuffed, a
  paragraph dropped, markup stripped; >= QUOTE_NEAR when they begin differently, which a link
  blog's quote of the article's first paragraphs does not reach) or one body the start of the
  other (a summary-only copy: the first 150 characters and "…"); within one source, only the
  summary-only copy; or
- under different titles, the same long text (estimated Jaccard >= NEAR, both bodies of LONG
  shingles or more) beginning alike, or nearly all of it the same (>= VERY_NEAR); or an excerpt
  of the other from another source: its start as far as the longest of PREFIX_LEVELS, at most
  half its length, published within TITLE_NEAR_HOURS.

Under different titles, a start that some candidate's source learned as its template (its
boilerplate removal took it: `template_starts`, found through the "L" bucket such an article is
filed under) is no evidence: two bodies beginning with it are not compared (`templated`).

Two articles with the same generic title ("Weekly update") but different bodies are different.
A body too short to compare (under MIN_LENGTH) has no signature: it is the same story as another
only word for word, under the same title, from another source (its lead is then the hash of all
of it, and its one bucket that hash).
"""

from __future__ import annotations

import functools
import hashlib
import math
import operator
import re
import struct
import unicodedata
import zlib
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import numpy as np

try:
    from aggregator import _native
except ImportError:  # not built (no C compiler at install): the numpy reference does it
    _native = None  # type: ignore[assignment]

SLOTS = 32  # MinHash values per signature, 16 bits each
BANDS = 8  # LSH bands ...
ROWS = 2  # ... of this many slots: candidate probability 1 - (1 - J^2)^8
NEAR = 0.75  # estimated Jaccard at which two bodies under different titles are the same text
VERY_NEAR = 30 / SLOTS  # ... when they begin differently
TITLE_NEAR = 0.25  # estimated Jaccard enough when the titles match (a large part of the other)
QUOTE_NEAR = 0.4  # ... when they begin differently (see same_story)
TITLE_NEAR_HOURS = 18.0  # ... and they were published this close: not one template's daily fill
TEMPLATE_NEAR = 0.55  # ... unless they share more than a template's fills ever do (J <= 0.5)
# A short body that starts another under one title must share as much as a copy does: J at least
# CONTAINED x the ratio of their sizes (see same_story).
CONTAINED = 0.6
# Under different titles, bodies of fewer shingles than this never merge: an excerpt of a
# site's template ("Welcome to our regular review…") looks the same in every post. (Shingles,
# not characters: 50 are ~50 English words or ~50 Chinese characters.)
LONG = 50
PREFIX_LEVELS = (48, 96, 192)  # normalized characters at which the body's start is hashed
MIN_LENGTH = PREFIX_LEVELS[0]  # shorter bodies (normalized characters) merge only word for word
# A summary's start, hashed apart (`Fingerprint.start`): a portal's 150-character summary under a
# headline of its own holds ~120 normalized characters, past the 96 of a prefix level.
START_LEVEL = 112
# ... and to its last character (`Fingerprint.characters`), but an ending of the portal's own
# (_ENDINGS): two FDA recall notices open with one 131-character boilerplate, and a summary of
# one ending a few words past it joined the other when its last 16 characters went unread (F8).
# A Chinese or Japanese summary of 60 to 120 characters (~55 to 110 normalized) is compared from
# its first PREFIX_LEVELS[0] on (`Fingerprint.cjk`): none joined its article before.
CJK_START_LEVEL = PREFIX_LEVELS[0]
# What a portal writes after a summary, normalized as `tokens` does ("…", "[...]" are none).
_ENDINGS_TEXT = (
    "Read more",
    "Read the full story",
    "Continue reading",
    "More",
    "Weiterlesen",
    "mehr",
    "Lire la suite",
    "Leer más",
    "Seguir leyendo",
    "Continua a leggere",
    "Leggi tutto",
    "Читать далее",
    "阅读全文",
    "查看全文",
    "全文",
    "详细",
    "详情",
    "更多",
    "続きを読む",
    "続きはこちら",
    "もっと見る",
)
# A summary's cut (`compared_paragraphs`): an ellipsis, alone or in brackets ("[…]", "(more…)"),
# and what may follow it, the site's own line (WordPress's "The post <title> appeared first on
# <site>." in every translation, "Continue reading →", Substack's invitation), at most this long.
_CUT = re.compile(r"[\[(（［]\s*[^\[\]()（）［］]{0,24}?(?:…|\.\.\.)\s*[\])）］]|…+|\.{3,}")
ENDING_MAX = 200
_SENTENCE_END = re.compile(r"[.!?。！？](?:\s|$)")
# ... after an ellipsis, bare or bracketed, that follows a whole sentence, only a link's
# (`_site_after_cut`): a summary's own words go on after it where it elided (a recall
# template's "… may be contaminated.… Beta Corp is recalling spinach." joined another company's
# recall, h8's F4; with "[…]" too, F7), while a site cuts its summary mid-sentence ("reversing
# a… Thanks for reading Civic Notes!", WordPress's 55 words before "[…] The post …").
_ARROW_END = re.compile(r"(?:→|»|›|>>|＞＞)\s*$")
# (A colon's clause too: "The following product is being recalled …:… Sunrise Creamery", h8's F9.)
_ENDS_SENTENCE = re.compile(r"[.!?。！？:：;；][\s\"'”’)）」』]*$")
# ... only in a summary-sized body, at most this long: an article's last paragraph may hold an
# ellipsis and a line of its own (a link blog's quote and its comment joined the article more).
SUMMARY_MAX = 600
# With no cut: a link's words before an arrow after the last sentence ("Read more »"), or a
# short mark in brackets at the very end ("(続く)", "[详细]").
_LINK_END = re.compile(
    r"(?:(?<=[.!?。！？])|^)[^.!?。！？]{1,40}?(?:→|»|›|>>|＞＞)\s*$"
    r"|[\[(（［【][^\[\]()（）［］【】]{1,12}[\])）］】]\s*$"
)
WORD_SHINGLE = 3
# The lead reads the raw paragraphs until it has MIN_LENGTH characters, at most this many: a
# show's notes open with list items of a few words ("#askatp"), and three of them left the
# lead empty, so a summary-only copy of it, whose start the original's learned boilerplate
# had changed, was matched by nothing.
MAX_LEAD_PARAGRAPHS = 32
# Only the start of a body is shingled: a copy is recognized by its first 1,000 tokens as well as
# by all of them, and a 50 KB article then costs no more than a 5 KB one.
MAX_TOKENS = 1000
CJK_SHINGLE = 4

_CJK = r"\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN = re.compile(rf"[{_CJK}]|[^\W_{_CJK}]+")
_IS_CJK = re.compile(rf"[{_CJK}]")
_ASCII_TOKEN = re.compile(r"[a-z0-9]+")  # _TOKEN on lower-case ASCII text
_FROM_HAN = re.compile("[\u3400-\U0010ffff]")  # where the traditional characters can be
# Title decorations that differ between copies: a trailing " - Site name" / " | 站名" / "_站名" /
# "-中国新闻网" (Chinese portals write the hyphen unspaced; only before a site's name: "中国-东盟
# 博览会" is one word), a tag in brackets at the start ("【独家】", "[转]"), a kind of story at the
# end ("（图）", "(Xinhua)", "(video)"; not "（上）" or "(Part 2)": a series' parts are different
# articles), and a wire's "UPDATE 1-".
_SITE_NAME_END = r"(?:网|網|报|報|社|台|新闻|新聞|客户端|频道|頻道|在线|日报|日報|晚报|晚報)"
_TITLE_SUFFIX = re.compile(
    r"(?:\s+[-–—|:·]\s+|\s*[|｜_]\s*|\s*——\s*"
    rf"|(?<=[{_CJK}])[-–—](?=[^-–—|｜_\s]{{1,12}}{_SITE_NAME_END}$))([^-–—|｜_]{{1,30}})$"
)
_TITLE_SEPARATOR = re.compile(r"[-–—|:·｜_]")  # what every _TITLE_SUFFIX match holds
# A wire's revision tag: "CORRECTED-", "REFILE-", "UPDATE 2-" (revision_tagged).
_WIRE_TAG = r"(?:UPDATE|REFILE|CORRECTED)\s*\d*\s*-"
_TITLE_TAG = re.compile(rf"^\s*(?:[\[【(（〔][^\]】)）〕]{{1,12}}[\]】)）〕]|{_WIRE_TAG})\s*")
_TITLE_END_TAG = re.compile(
    r"\s*[\[【(（〔]\s*(?:图|圖|组图|組圖|图文|圖文|多图|视频|視頻|附视频|xinhua|ap|afp|reuters"
    r"|video|videos|photos?|pictures|updated?|live)\s*[\]】)）〕]\s*$",
    re.IGNORECASE,
)
_MASK64 = (1 << 64) - 1
# A wire dateline (`without_dateline`): the dash that ends it, the agency in brackets before the
# dash, the date after the place, and the Chinese form.
_DASH = re.compile(r"\s+(?:--|[-–—])\s+")
_AGENCY = re.compile(r"\s*\([A-Z][\w.&/ -]{0,30}\)\s*$")
_DATE = re.compile(r"\s*[A-Z][a-z]{2,8}\.?\s+\d{1,2}(?:,\s*\d{4})?\s*")
# The region AP names after a city outside its list of stand-alone datelines ("NEWARK, N.J.
# (AP)", "KYIV, Ukraine (AP)", "SAN JUAN, Puerto Rico (AP)"): only before an agency in brackets.
_REGION = re.compile(r"\s*[A-Z][\w.']*(?:\s+[A-Z][\w.']*){0,2}\s*")
_CJK_DATELINE = re.compile(
    r"^\s*(?:[\u4e00-\u9fff]{2,16}?[0-9０-９]{1,2}月[0-9０-９]{1,2}日电"
    r"|(?:本报|本刊|[\u4e00-\u9fff]{1,6}(?:网|台|社|报))(?:讯|消息))"
    r"\s*(?:[（(][^（()）]{0,40}[）)])?\s*[：:]?\s*"
)
_GOLDEN = 0x9E3779B97F4A7C15
_MIX = (0xBF58476D1CE4E5B9, 0x94D049BB133111EB, 0xD6E8FEB86659FD93, 0xC2B2AE3D27D4EB4F)
# The binary layout of a fingerprint (`pack`): title, length, shingles, prefixes, signature.
_HEAD = struct.Struct(f">IHH{len(PREFIX_LEVELS)}II")
_SIG = struct.Struct(f">{SLOTS}H")
_CHARACTERS = (PREFIX_LEVELS[-1] - PREFIX_LEVELS[0]) // 2  # bytes of `Fingerprint.characters`


@dataclass(frozen=True)
class Fingerprint:
    """What stories compare of an article: hashes of its title, body start and body shingles."""

    title: int  # 32-bit hash of the normalized title core; 0 when it has none
    length: int  # normalized characters of the body (capped at 65535)
    shingles: int  # distinct shingles of the body (capped at 65535)
    prefixes: tuple[int, ...]  # 32-bit hashes of the body's first PREFIX_LEVELS chars; 0 if shorter
    signature: tuple[int, ...]  # SLOTS 16-bit MinHash values; empty when the body is too short
    lead: int = 0  # 32-bit hash of the body's first MIN_LENGTH chars before boilerplate removal
    start: int = 0  # 32-bit hash of its first START_LEVEL chars; 0 if shorter, or filed before it
    # A 4-bit hash of each of its characters PREFIX_LEVELS[0] to PREFIX_LEVELS[-1] (two a byte,
    # 0 past its end); b"" when filed before session 49
    characters: bytes = b""
    cjk: bool = False  # its stream is mostly CJK characters (shingled by CJK_SHINGLE)

    @property
    def comparable(self) -> bool:
        return self.length >= MIN_LENGTH and bool(self.signature)

    @functools.cached_property
    def buckets(self) -> list[bytes]:
        """`bucket_tokens`, made once: the refresh, the plan and the store all ask."""
        return _bucket_tokens(self)


def tokens(text: str) -> list[str]:
    """Words of spaced languages and single CJK characters, normalized (traditional Chinese
    simplified, NFKC, case folding)."""
    if text.isascii():  # most paragraphs: NFKC changes nothing, casefold is lower, no CJK
        return _ASCII_TOKEN.findall(text.lower())
    return _TOKEN.findall(unicodedata.normalize("NFKC", simplified(text)).casefold())


def simplified(text: str) -> str:
    """`text` with its traditional Chinese characters written simplified, one for one: a Hong
    Kong or Taiwan portal's copy of a Xinhua story in 繁體 shares ~10% of its characters'
    shingles with the original, and all of them once folded. Japanese kanji in their
    traditional forms are folded too (only ever compared with each other). Everything else is
    unchanged."""
    if text.isascii() or not _FROM_HAN.search(text):  # (a range: ~2x quicker than the table's)
        return text
    table, traditional = simplified_table()
    return text.translate(table) if traditional.search(text) else text


def load() -> None:
    """Build the traditional-to-simplified table now (~40 ms; a worker does it before its
    first job, which would otherwise pay for it)."""
    simplified_table()


@functools.lru_cache(maxsize=1)
def simplified_table() -> tuple[dict[int, str], re.Pattern[str]]:
    """OpenCC's t2s (its character table and phrases, character by character) over the CJK
    ideographs, as a str.translate table, and a pattern that finds any of its characters.

    Kept: a character whose simplified form is one CJK character of the ranges the tokenizers
    split (stories._TOKEN, the C module's is_cjk), after NFKC as they read it, and chains
    followed to their end, so folding twice is folding once (the C module reads what Python
    folded; a text folded by `tokens` and by `title_core` must come out alike).
    """
    import opencc  # a converter and its dictionaries: imported only where Chinese is read

    ranges = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))
    raw = [chr(c) for low, high in ranges for c in range(low, high + 1)]
    chars = [unicodedata.normalize("NFKC", c) for c in raw]
    converted = opencc.OpenCC("t2s").convert("\n".join(chars)).split("\n")
    folds: dict[str, str] = {}
    for char, simple in zip(chars, converted, strict=True):
        simple = unicodedata.normalize("NFKC", simple)
        if simple != char and len(simple) == 1 and _IS_CJK.fullmatch(simple):
            folds[char] = simple
    table: dict[int, str] = {}
    for original, char in zip(raw, chars, strict=True):  # a compatibility ideograph: its NFKC's
        simple = folds.get(char, char)
        for _ in range(4):  # 乾 -> 干 and the like: a few characters are both forms
            simple = folds.get(simple, simple)
        if simple != original and (simple != char or original != char):
            table[ord(original)] = simple
    return table, re.compile("[" + "".join(map(chr, sorted(table))) + "]")


def without_dateline(paragraph: str) -> str:
    """A lead paragraph without the wire dateline a copy often drops: "BEIJING, Dec. 1 (Xinhua)
    -- ", "WASHINGTON (AP) — ", "NEWARK, N.J. (AP) — ", "LONDON - ", "(Reuters) - ",
    "新华社北京12月1日电（记者张伟）", "本报讯（记者 王五）". A 150-character summary of the same
    text without it shares too few shingles to pass for a copy (J ~0.2), and its start is not
    the original's start.

    Conservative: the place must be in capitals (or end in 电/讯 for Chinese), the agency in
    brackets, and the dash there. What it takes off only leaves the comparison.
    """
    if paragraph[:1].isupper() or paragraph[:1] == "(":
        match = _DASH.search(paragraph, 0, 90)
        if match is None:
            return paragraph
        head = paragraph[: match.start()]
        agency = _AGENCY.search(head)
        place = head[: agency.start()] if agency else head
        city, _, when = place.partition(",")
        capitals = city.isupper() and sum(map(str.isalpha, city)) >= 3  # not "U.S. - China"
        region = agency is not None and _REGION.fullmatch(when) is not None
        if (not city.strip() and agency) or (
            capitals and len(city.split()) <= 4 and (not when or _DATE.fullmatch(when) or region)
        ):
            return paragraph[match.end() :]
        return paragraph
    if "日电" in paragraph[:40] or "讯" in paragraph[:12] or "消息" in paragraph[:12]:
        return _CJK_DATELINE.sub("", paragraph, count=1)
    return paragraph


def compared_paragraphs(paragraphs: Sequence[str]) -> list[str]:
    """The paragraphs as stories compare them: the first two without a wire dateline
    (`without_dateline`), the last without what a summary's site writes after its cut ("… Read
    more", "[…] The post … appeared first on …", "(more…)", in a paragraph of its own too) or in
    place of one ("Continue reading →", "(続く)"), if the body is summary-sized (SUMMARY_MAX).
    Structure, not a list of sites' words: what follows the article's text is left out, up to
    ENDING_MAX characters; the text before it is still the article's start to its last
    character (`_reaches`)."""
    out = [without_dateline(p) if i < 2 else p for i, p in enumerate(paragraphs)]
    if not out or sum(map(len, out)) > SUMMARY_MAX:
        return out
    last = out[-1]
    cut = _last_cut(last)
    # The summary before its cut is longer than what follows it, and that is a sentence or two
    # ("Also… AltConf and Layers will be near WWDC. If you could be…" is a post's own). In a
    # paragraph of its own, the ending follows an excerpt's bracketed mark ("[…]", "(more…)"):
    # a link blog's quote ends in a bare "…" before its line of comment.
    if (
        cut is not None
        and len(last) - cut[1] <= min(ENDING_MAX, cut[0])
        and _site_ending(last[: cut[0]], last[cut[1] :])
    ):
        out[-1] = last[: cut[0]]
    elif len(out) > 1 and len(last) <= ENDING_MAX and (cut := _last_cut(out[-2])) is not None:
        before, mark, after = out[-2][: cut[0]], out[-2][cut[0] : cut[1]], out[-2][cut[1] :]
        bracketed = mark[0] in "[(（［" and not after.strip()
        if before.strip() and bracketed and _site_ending(before, last):
            out[-2:] = [before, ""]
    else:
        out[-1] = _LINK_END.sub("", last)
    return out


def _site_ending(before: str, after: str) -> bool:
    """Whether `after`, what follows a cut in its paragraph or the next, may be the site's: a
    sentence or two (three in a paragraph of their own were left out: h8's F13), and
    `_site_after_cut`."""
    return len(_SENTENCE_END.findall(after)) <= 2 and _site_after_cut(before, after)


def _site_after_cut(before: str, after: str) -> bool:
    """Whether what follows a cut (`after`, in its paragraph or the next: h8's F10) may be the
    site's line, by the text `before` the cut: anything after a cut inside a sentence (a
    site's, "reversing a… Thanks for reading", WordPress's 55 words and "[…] The post …
    appeared first on …"); after one that follows a whole sentence, bare or bracketed (an
    elision: "[…]" is one in quotes, German's and French's text: h8's F7), only a link's words
    (`_ARROW_END`), a label of at most three words and 24 characters (8 unspaced) ending in no
    sentence's mark, or nothing."""
    if not _ENDS_SENTENCE.search(before):
        return True
    words = after.split()
    if not words or _ARROW_END.search(after):
        return True
    label = " ".join(words)
    short = len(label) <= (24 if len(words) > 1 else 8)
    return len(words) <= 3 and short and label[-1] not in ".!?。！？"


def _last_cut(text: str) -> tuple[int, int] | None:
    """Where the last ellipsis of a text (`_CUT`) begins and ends, if it has one."""
    spans = [m.span() for m in _CUT.finditer(text)]
    return spans[-1] if spans else None


def title_core(title: str) -> str:
    """A title without its site suffix and leading tag, normalized to its tokens."""
    text = simplified(unicodedata.normalize("NFKC", title).strip())
    text = _TITLE_TAG.sub("", text) or text
    for _ in range(2 if _TITLE_SEPARATOR.search(text) else 0):  # "Title - Section - Site"
        match = _TITLE_SUFFIX.search(text)
        if match is None or len(text[: match.start()].strip()) < 6:
            break
        if ":" in text[match.start() : match.start(1)] and match[1].lstrip()[:1].islower():
            break  # French "Migrants : l'urgence thérapeutique": a kicker, no site's name
        text = text[: match.start()]
    text = _TITLE_END_TAG.sub("", text) or text  # after the suffix: "Title (图) - Site"
    return _native.joined_tokens(text) if _native else " ".join(tokens(text))


def fingerprint(title: str, body: Sequence[str], raw: Sequence[str] | None = None) -> Fingerprint:
    """The fingerprint of a title and body paragraphs (boilerplate already removed).

    `raw`: the paragraphs before boilerplate removal, whose start a summary-only copy on another
    site begins with (its site cannot know which of them is the original site's template).
    """

    def packed(paragraphs: Sequence[str]) -> list[bytes]:  # as boilerplate.Body makes them
        return [pack_tokens(tokens(p)) for p in compared_paragraphs(paragraphs)]

    raw_tokens = None if raw is None else packed(raw[:MAX_LEAD_PARAGRAPHS])
    return fingerprints([(title, packed(body), raw_tokens)])[0]


def pack_tokens(toks: Sequence[str]) -> bytes:
    """A paragraph's tokens as `fingerprints` reads them (and the C module makes them).

    In native byte order: the count (8 bytes); per token its hash (8), characters (4), CJK
    characters (4) and UTF-8 bytes (4); then the tokens' text, one after the other.
    """
    data = [t.encode("utf-8", "surrogatepass") for t in toks]
    n = len(toks)
    return struct.pack(
        f"=Q{n}Q{n}I{n}I{n}I",
        n,
        *map(_token_hash, toks),
        *map(len, toks),
        *(len(_IS_CJK.findall(t)) for t in toks),
        *map(len, data),
    ) + b"".join(data)


def token_hashes(packed: bytes) -> tuple[int, ...]:
    """The hashes of the tokens `pack_tokens` packed, in order (none unpacked)."""
    (n,) = struct.unpack_from("=Q", packed)
    return struct.unpack_from(f"={n}Q", packed, 8)


def end_hashes(packed: bytes, k: int, at_least: int) -> tuple[bytes, bytes] | None:
    """The hashes of the first `k` and of the last `k` tokens `pack_tokens` packed, as their
    bytes (a key, none unpacked); None when it packed fewer than `at_least` (≥ k) tokens."""
    (n,) = struct.unpack_from("=Q", packed)
    if n < at_least:
        return None
    return packed[8 : 8 + 8 * k], packed[8 * (n - k + 1) : 8 * (n + 1)]


def unpack_tokens(packed: bytes) -> list[str]:
    """The tokens `pack_tokens` packed."""
    (n,) = struct.unpack_from("=Q", packed)
    sizes = struct.unpack_from(f"={n}I", packed, 8 + 16 * n)
    text, out = memoryview(packed)[8 + 20 * n :], []
    for size in sizes:
        out.append(bytes(text[:size]).decode("utf-8", "surrogatepass"))
        text = text[size:]
    return out


def fingerprints(
    items: Sequence[tuple[str, Sequence[bytes], Sequence[bytes] | None]],
) -> list[Fingerprint]:
    """The fingerprints of many (title, body, raw), body and raw as packed paragraphs
    (`pack_tokens`; `fingerprint` explains raw).

    The body's numbers are computed for the whole batch in one call: to the C module, or to
    its Python reference (whose numpy operations cost microseconds however small their arrays).
    """
    pairs = [(body, raw) for _, body, raw in items]
    parts = _native.fingerprint_parts(pairs) if _native else _fingerprint_parts_python(pairs)
    out = []
    for (title, body, _), (length, minhash, prefixes, lead, start, characters, cjk) in zip(
        items, parts, strict=True
    ):
        distinct, signature = minhash
        if 0 < length < MIN_LENGTH:
            # Too short to compare by shingles (a microblog post, a forum line): the lead is
            # the hash of all of it, so its exact copies under the same title are found.
            lead = _hash32("".join(t for paragraph in body for t in unpack_tokens(paragraph)))
        core = title_core(title)
        out.append(
            Fingerprint(
                title=_hash32(core) if len(core) >= 4 else 0,
                length=min(length, 0xFFFF),
                shingles=min(distinct, 0xFFFF),
                prefixes=prefixes,
                signature=signature if length >= MIN_LENGTH else (),
                lead=lead,
                start=start,
                characters=characters,
                cjk=cjk,
            )
        )
    return out


_Parts = tuple[int, tuple[int, tuple[int, ...]], tuple[int, ...], int, int, bytes, bool]


def _fingerprint_parts_python(
    items: Sequence[tuple[Sequence[bytes], Sequence[bytes] | None]],
) -> list[_Parts]:
    """Per (body, raw) of packed paragraphs: the characters of the body's first MAX_TOKENS
    tokens (its *stream*), their distinct shingles and MinHash signature, the hashes of the
    stream's first PREFIX_LEVELS characters, and the lead: the hash of the raw paragraphs'
    first MIN_LENGTH characters, from as many of the first MAX_LEAD_PARAGRAPHS as that takes
    (the first prefix when there is no raw); the hash of its first START_LEVEL characters; a
    4-bit hash of each of its characters PREFIX_LEVELS[0] to PREFIX_LEVELS[-1], two a byte
    (`_characters`); and whether it is mostly CJK characters (shingled by CJK_SHINGLE).

    The reference of the C module's `fingerprint_parts`, and its fallback where it is not built.
    """
    streams: list[list[str]] = []
    for body, _ in items:
        toks: list[str] = []
        for paragraph in body:
            toks += unpack_tokens(paragraph)
            if len(toks) >= MAX_TOKENS:
                del toks[MAX_TOKENS:]
                break
        streams.append(toks)
    texts = ["".join(toks) for toks in streams]
    out: list[_Parts] = []
    minhashes = _minhash_python(streams, texts)
    for (_, raw), toks, text, minhash in zip(items, streams, texts, minhashes, strict=True):
        prefixes = tuple(
            _hash32(text[:level]) if len(text) >= level else 0 for level in PREFIX_LEVELS
        )
        lead = prefixes[0]
        if raw is not None:
            start = ""
            for paragraph in raw[:MAX_LEAD_PARAGRAPHS]:
                if len(start) >= MIN_LENGTH:
                    break
                start += "".join(unpack_tokens(paragraph))
            lead = _hash32(start[:MIN_LENGTH]) if len(start) >= MIN_LENGTH else 0
        start_hash = _hash32(text[:START_LEVEL]) if len(text) >= START_LEVEL else 0
        characters = _characters(text[PREFIX_LEVELS[0] : PREFIX_LEVELS[-1]])
        cjk = bool(toks) and len(_IS_CJK.findall(text)) * 3 >= len(toks)
        out.append((len(text), minhash, prefixes, lead, start_hash, characters, cjk))
    return out


def similarity(a: Fingerprint, b: Fingerprint) -> float:
    """Estimated Jaccard similarity of two bodies' shingles (0 when either is not comparable)."""
    if not (a.comparable and b.comparable):
        return 0.0
    same: int = sum(map(operator.eq, a.signature, b.signature))
    return same / SLOTS


def same_story(
    a: Fingerprint,
    b: Fingerprint,
    same_source: bool = False,
    hours_apart: float = 0.0,
    shared: Collection[int] = (),
) -> bool:
    """Whether two articles are the same text republished (see the module docstring);
    `hours_apart`: between their publication times; `shared`: starts that lead different
    stories (`shared_starts`), which make no summary a copy under another headline.

    Across sources, the same title and the same raw start (before boilerplate removal) make a
    summary-sized body a copy of the other; within one source that start may be its template,
    so it does not. Within one source the same title lowers no bar but a summary's: a site that
    titles every daily report "Stocks close higher" (or "Weather forecast | London", whose
    suffix the title loses) fills one template with new numbers, J ~ 0.3-0.45, and each day's
    report would join the day before's story, hiding it in the feeds. Across sources, that
    template shared by two portals is told from a copy by time: a shared part under one title
    below TEMPLATE_NEAR, or the same raw start, counts only within TITLE_NEAR_HOURS (the same
    long text or the same start after boilerplate count any time).
    """
    if not (a.comparable or b.comparable):
        # Bodies too short to compare (a microblog post, a forum line: eight mirrors of one
        # post showed eight times in a row): the same title and the very same words, from two
        # sources, are one post copied. Within one source a repeated short post is its own.
        return bool(
            not same_source
            and a.length
            and a.title
            and (a.title, a.lead, a.length) == (b.title, b.lead, b.length)
        )
    if not (a.comparable and b.comparable):
        return False
    if a.title and a.title == b.title:
        short, long_ = (a, b) if a.length <= b.length else (b, a)
        summary = short.length < PREFIX_LEVELS[-1]
        near = similarity(a, b)
        # Of two summaries, a copy holds the other or is held by it: J about the ratio of their
        # sizes. Two updates of a live blog led by its header (J ~ 0.3-0.47, and the same first
        # 48 characters, all the prefix a short one is checked on) do not.
        contained = near >= CONTAINED * short.shingles / max(long_.shingles, 1)
        held = long_.length >= PREFIX_LEVELS[-1] or contained
        if (summary or not same_source) and held and _is_prefix(short, long_):
            return True
        # The lead: the copy's excerpt starts with the original's template, which the original
        # lost to boilerplate removal (then neither holds the other). Only a summary's counts
        # (sister feeds of one paper share a header); the same header left on both counts only
        # when the summary is inside the other: 48 characters are all a live blog's header or a
        # daily report's template (a summary-sized update joined a sister's long one, and one
        # day's summary another day's report, however long after). The original's, not the
        # summary's: a reposting site's credit line ("…, original below:") is left out before
        # its summaries and kept before its full copies (`boilerplate.is_introduction`), and a
        # summary of one newsletter joined a full copy of another under their one title.
        stripped = _stripped(long_) and not _stripped(short)
        lead = summary and a.lead and a.lead == b.lead and (contained or stripped)
        timely = hours_apart < TITLE_NEAR_HOURS or near >= TEMPLATE_NEAR
        # A body that begins otherwise must share more than a quote: a link blog's post under
        # the article's own headline, its introduction ("Jane Smith, writing at The Verge:"),
        # the article's first paragraph or two and a line of its own, shares J ~0.25-0.4 with
        # it (Daring Fireball's "Linked List"), and a copy with its own first lines (a byline,
        # keywords stuffed into its first words) shares more. A summary is the start of what
        # it sums up: inside a long body that begins otherwise, it is what that body quotes
        # (the labelled set's 252 such posts: 44 joined the article and 140 its summary-only
        # copy; now 13 and 23, and 12 of its 2,500 copies under one title no longer join).
        alike = _same_start(a, b) or _is_prefix(short, long_)
        enough = TITLE_NEAR if alike else QUOTE_NEAR
        quoted = not alike and summary and long_.length >= PREFIX_LEVELS[-1]
        if not same_source and timely and (lead or (held and near >= enough and not quoted)):
            return True
    # Under another headline, an excerpt of the other (WordPress's first 55 words, a portal's
    # lead): from another source, published close to it, the other's start as far as starts are
    # compared (PREFIX_LEVELS[-1] characters: a summary-sized start may be a network's banner or
    # a template's opening, which lead other stories too), and at most half its length (an
    # excerpt; a copy must share what copies share). Its shingles are too few for J to tell
    # (the labelled set's excerpts under a new headline: 38 of 277 joined, now 191).
    short, long_ = (a, b) if a.length <= b.length else (b, a)
    if (
        not same_source
        and hours_apart < TITLE_NEAR_HOURS
        and short.length >= PREFIX_LEVELS[-1]
        and 2 * short.length <= long_.length
        and _is_prefix(short, long_)
    ):
        return True
    # Under another headline, a summary of the other (a portal's first 150 characters under a
    # headline of its own: ~120 normalized characters, past the 96 of a prefix level): from
    # another source, published close to it, its first START_LEVEL characters the other's,
    # the other a whole article. Unless that start leads two stories whose articles go on
    # differently (`shared_starts`): a network's banner or a template's opening is as long
    # (two sister sites' posts led by one 147-character banner joined). And the rest of it the
    # other's start too, to its last character (`_reaches`: a template's opening as long and a
    # few words of its own after it, two recall notices' summaries, joined). A Chinese or
    # Japanese summary may be shorter (CJK_START_LEVEL).
    if (
        not same_source
        and hours_apart < TITLE_NEAR_HOURS
        and not (a.title and a.title == b.title)
        and _summary_start(short, long_, shared)
        and _reaches(short, long_)
    ):
        return True
    # Different titles: only the same long text. Templates inside one paragraph (a video site's
    # "Watch the show on Fridays at 9…" after a one-line description) reach J ~ 0.6-0.7. Bodies
    # that begin differently must be nearer still: one line of each firm's own news over one
    # template (an earnings release's, a weather report's) or over one long disclaimer or quoted
    # statement reached J ~ 0.75-0.9 (a review: different companies' results, two cities'
    # forecasts, two stocks' flashes over one 风险提示 became one story each).
    near = similarity(a, b)
    if min(a.shingles, b.shingles) < LONG or near < NEAR:
        return False
    return near >= VERY_NEAR or _same_start(a, b)


def repeats(
    fp: Fingerprint,
    raw: Fingerprint,
    earlier: Fingerprint,
    hours_apart: float,
    tagged: bool = False,
) -> bool:
    """Whether an article of one source repeats an earlier one of it (`earlier`, as filed) under
    a new link: word for word, or revised and saying so (`tagged`: its title starts with a wire's
    "CORRECTED-", "REFILE-" or "UPDATE 1-", `revision_tagged`). The text it shares with the
    original is learned as the source's template once both are counted, and its fingerprint `fp`
    kept only what it changed or added, or nothing (a review: two cards).

    The same title, within TITLE_NEAR_HOURS, and `raw`, the new body before the learned
    boilerplate is removed, the same long text as the earlier one (estimated Jaccard >= NEAR).
    Untagged, it must be word for word: every paragraph of it was counted in another article of
    the source (`fp` is empty) and its raw body nearly all the earlier one (>= VERY_NEAR). A live
    blog's next entry under the recap the first one carried, a template's next fill, or a count
    updated every hour ("Lopez leads by 7 points") say nothing of a revision and keep text of
    their own: they stay apart, however much of the earlier one they share.
    """
    if not (raw.title and raw.title == earlier.title) or hours_apart >= TITLE_NEAR_HOURS:
        return False
    near = similarity(raw, earlier)
    if min(raw.shingles, earlier.shingles) < LONG or near < NEAR:
        return False
    return tagged or (not fp.length and near >= VERY_NEAR)


def link_body(url: str) -> bytes:
    """The body of an item that has none (`refresh.print_inputs`): its link, as one short
    paragraph (under MIN_LENGTH, so compared only word for word: the same link, under the same
    title, from another source). What names no other page is not part of it: the scheme, the
    host's case and its "www.", "m." or "amp.", a fragment, a trailing slash, the AMP page's
    "/amp" (and Google's AMP cache around it), campaign and click parameters ("utm_source",
    "fbclid"): two link blogs' items of one article, one from a feed's "?utm_source=rss" link,
    one from its AMP page, showed as two cards."""
    parts = urlsplit(url.strip())
    host, path = parts.netloc.lower(), parts.path
    cached = _AMP_CACHE.match(path) if host.endswith(".cdn.ampproject.org") else None
    if cached:  # www-example-com.cdn.ampproject.org/c/s/www.example.com/story: its page's
        host, _, rest = cached[1].partition("/")
        host = host.lower()  # (as the plain link's: a host is read in any case)
        path = "/" + rest
    host = _EDITION_HOST.sub("", host)
    path = _AMP_PATH.sub("", _AMP_SUFFIX.sub(r"\1", path)).rstrip("/")
    query = "&".join(
        sorted(q for q in parts.query.split("&") if q and not _TRACKING.match(q.split("=")[0]))
    )
    link = f"{host}{path}?{query}"
    digest = hashlib.blake2b(link.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()
    return pack_tokens(["link", digest])


# What a link's address carries that names no other page (`link_body`): a campaign's or a
# click's parameters, the mobile or AMP edition's host, the AMP page's path.
_TRACKING = re.compile(
    r"(?:utm_\w*|fbclid|gclid|dclid|msclkid|yclid|igshid|mc_cid|mc_eid|spm|isappinstalled|amp"
    r"|outputtype)$",
    re.IGNORECASE,
)
_EDITION_HOST = re.compile(r"^(?:www|m|amp|mobile|wap)\.(?=[^.]+\.[^.])")
_AMP_CACHE = re.compile(r"^/[cv]/(?:s/)?([^/]+\.[^/]+/?.*)$")
_AMP_PATH = re.compile(r"^/amp(?=/)|/amp/?$")
_AMP_SUFFIX = re.compile(r"\.amp(\.html?)?$")
_REVISION_TAG = re.compile(rf"^\s*{_WIRE_TAG}")


def revision_tagged(title: str) -> bool:
    """Whether a title says its article revises an earlier one of its source under the same
    title: a wire's "CORRECTED-", "REFILE-", "UPDATE 2-" (which `title_core` leaves out)."""
    return _REVISION_TAG.match(title) is not None


def bucket_tokens(fp: Fingerprint) -> list[bytes]:
    """The LSH buckets an article is filed under: its bands, its title and its body's start;
    and the "L" bucket of its start, looked up only, unless it is its `template_token`.

    Each token is 5 bytes, a kind byte then 4 bytes of hash, so the store can shard on them
    (the store's Lua re-derives the same tokens from `pack` when it forgets an article).
    """
    return fp.buckets


def _bucket_tokens(fp: Fingerprint) -> list[bytes]:
    template = template_token(fp)
    if not fp.comparable:
        # A short body: filed by the hash of all of it, under a title (same_story).
        if fp.length and fp.title and fp.lead:
            return [b"S" + fp.lead.to_bytes(4, "big")]
        if fp.title and fp.lead:
            # All of its text learned as the source's boilerplate (a raw lead, nothing kept):
            # found by its title, it may repeat an earlier article of its source (`repeats`).
            return [b"T" + fp.title.to_bytes(4, "big"), *filter(None, [template])]
        return []
    signature = _SIG.pack(*fp.signature)
    width = ROWS * 2  # bytes of a band
    out = [bytes([band]) + signature[band * width : (band + 1) * width] for band in range(BANDS)]
    if fp.title:
        out.append(b"T" + fp.title.to_bytes(4, "big"))
    out.append(b"P" + fp.prefixes[0].to_bytes(4, "big"))
    out.append(template or b"L" + fp.prefixes[0].to_bytes(4, "big"))
    return out


def filed_tokens(fp: Fingerprint) -> list[bytes]:
    """The `bucket_tokens` an article is filed under (the others it only looks up)."""
    template = template_token(fp)
    return [t for t in fp.buckets if t[:1] != b"L" or t == template]


def template_token(fp: Fingerprint) -> bytes:
    """The "L" token an article is filed under when its start was its source's learned template
    (b"" if not): its lead. Every other article only looks that bucket up, under its own start,
    and so finds an article whose source learned it (`template_starts`); the store files no
    other "L" token, so a copy beginning with a template never takes the bucket's place."""
    learned = fp.lead and (fp.comparable or not fp.length) and _stripped(fp)
    return b"L" + fp.lead.to_bytes(4, "big") if learned else b""


def pack(fp: Fingerprint) -> bytes:
    """A fingerprint as bytes: the store keeps them, the Lua reads the signature's bands.

    The start's hash, its characters and whether it is CJK come last, after the signature: a
    fingerprint packed before it had them ends at the signature, and reads back with none
    (`unpack`); the Lua's offsets stay. (Session 48 packed 16 bytes of other hashes after the
    start, which read back as none.)"""
    signature = fp.signature or (0,) * SLOTS
    head = _HEAD.pack(fp.title, fp.length, fp.shingles, *fp.prefixes, fp.lead)
    characters = fp.characters or bytes(_CHARACTERS)
    tail = fp.start.to_bytes(4, "big") + characters + bytes([fp.cjk])
    return head + _SIG.pack(*signature) + tail


def unpack(data: bytes) -> Fingerprint:
    """The inverse of `pack`, and of the packings before `Fingerprint.start` (then 0) and its
    characters (then b"")."""
    title, length, shingles, *prefixes, lead = _HEAD.unpack_from(data)
    signature: tuple[int, ...] = _SIG.unpack_from(data, _HEAD.size)
    if length < MIN_LENGTH:
        signature = ()
    at = _HEAD.size + _SIG.size
    start = int.from_bytes(data[at : at + 4], "big") if len(data) >= at + 4 else 0
    at += 4
    characters, cjk = b"", False
    if len(data) >= at + _CHARACTERS + 1:
        characters, cjk = data[at : at + _CHARACTERS], data[at + _CHARACTERS] == 1
    fields = (title, length, shingles, tuple(prefixes), signature, lead, start, characters, cjk)
    return Fingerprint(*fields)


HEAD_SIZE = _HEAD.size  # where the signature begins in `pack`'s bytes
PACKED_SIZE = _HEAD.size + _SIG.size + 4 + _CHARACTERS + 1


# --- internals ---------------------------------------------------------------------------------


def _hash64(text: str) -> int:
    digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def _hash32(text: str) -> int:
    return (_hash64(text) >> 32) or 1  # 0 means "none"


_U64 = np.ndarray[Any, np.dtype[np.uint64]]
_INTS = np.ndarray[Any, np.dtype[np.intp]]


def _minhash_python(
    streams: Sequence[list[str]], texts: Sequence[str]
) -> list[tuple[int, tuple[int, ...]]]:
    """Per token stream: its distinct shingles and MinHash signature (() when it has none).

    The reference, in numpy; `aggregator._native` (C, built at install when a compiler is
    there) computes the same numbers ~10x faster and is used when present. `texts`: each
    stream's tokens joined.
    """
    shingles, owners = _shingle_hashes(streams, texts)
    distinct, minima = _distinct_and_minima(shingles, owners, len(streams))
    filled = [i for i, n in enumerate(distinct) if n]
    signatures = dict(zip(filled, _signatures(minima[filled]), strict=True))
    return [(n, signatures.get(i, ())) for i, n in enumerate(distinct)]


def _shingle_hashes(streams: Sequence[list[str]], texts: Sequence[str]) -> tuple[_U64, _INTS]:
    """The 64-bit hashes of each token stream's n-grams, and the stream each belongs to
    (`texts`: each stream's tokens joined).

    Each token is hashed once (two CRC-32s, cached: words recur across articles) and the n-grams
    are mixed by multiplying with odd constants, which moves every token bit into the high bits
    that pick the MinHash slot. The arithmetic runs in numpy (uint64 wraps like `& 2**64-1`) over
    all streams at once; an n-gram never spans two streams. A stream shorter than its n-gram is
    one "shingle" of what it has.
    """
    if len(_TOKEN_HASHES) > _TOKEN_CACHE_SIZE:
        _TOKEN_HASHES.clear()
    every = [t for toks in streams for t in toks]
    for token in set(every).difference(_TOKEN_HASHES):  # new words: hash them once
        _TOKEN_HASHES[token] = _token_hash(token)
    h = np.array(list(map(_TOKEN_HASHES.__getitem__, every)), dtype=np.uint64)
    lengths = np.array([len(toks) for toks in streams], dtype=np.intp)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.intp)
    # each CJK character is a token of its own: a mostly CJK stream is shingled by 4
    n = np.array(
        [
            CJK_SHINGLE if len(_IS_CJK.findall(text)) * 3 >= len(toks) else WORD_SHINGLE
            for toks, text in zip(streams, texts, strict=True)
        ],
        dtype=np.intp,
    )
    values: list[_U64] = []
    owners: list[_INTS] = []
    for size in (WORD_SHINGLE, CJK_SHINGLE):
        group = np.flatnonzero((n == size) & (lengths >= size))
        if not group.size:
            continue
        counts = lengths[group] - size + 1
        owner = np.repeat(group, counts)
        # each n-gram's first token: its stream's start plus its place in the stream
        firsts = starts[owner] + (
            np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
        )
        mixed = h[firsts] * _MIX_ARRAY[0]
        for k in range(1, size):
            mixed ^= h[firsts + k] * _MIX_ARRAY[k]
        values.append(mixed)
        owners.append(owner)
    for i in np.flatnonzero((lengths > 0) & (lengths < n)).tolist():
        part = h[starts[i] : starts[i] + lengths[i]]
        values.append(np.array([(part * _MIX_ARRAY[: len(part)]).sum()], dtype=np.uint64))
        owners.append(np.array([i], dtype=np.intp))
    if not values:
        return _EMPTY, np.zeros(0, dtype=np.intp)
    return np.concatenate(values), np.concatenate(owners)


_TOKEN_HASHES: dict[str, int] = {}  # words recur across articles: most lookups hit
_TOKEN_CACHE_SIZE = 200_000
_MIX_ARRAY = np.array(_MIX, dtype=np.uint64)
_EMPTY = np.zeros(0, dtype=np.uint64)
_SLOT_SHIFT = np.uint64(64 - (SLOTS.bit_length() - 1))
_SLOT_LOW = np.uint64((1 << (64 - (SLOTS.bit_length() - 1))) - 1)
_FILLED = np.uint64(1 << 63)  # above _SLOT_LOW: marks a slot that has a shingle


def _token_hash(token: str) -> int:
    data = token.encode("utf-8", "surrogatepass")
    return ((zlib.crc32(data) << 32 | zlib.crc32(data, 0x5BD1E995)) * _GOLDEN) & _MASK64


def _distinct_and_minima(shingles: _U64, owners: _INTS, count: int) -> tuple[list[int], _U64]:
    """Per stream: how many distinct shingles, and each MinHash slot's minimum (_FILLED set;
    0 when empty).

    One-permutation MinHash: the high bits of a shingle's hash pick its slot (they are the best
    mixed), the rest is its value there. Sorted by (stream, hash), a slot's first shingle holds
    its minimum.
    """
    order = np.lexsort((shingles, owners))
    values, owner = shingles[order], owners[order]
    new = np.ones(len(values), dtype=bool)
    new[1:] = (values[1:] != values[:-1]) | (owner[1:] != owner[:-1])
    distinct = np.bincount(owner[new], minlength=count).tolist()
    cell = owner * SLOTS + (values >> _SLOT_SHIFT).astype(np.intp)
    first = np.ones(len(cell), dtype=bool)
    first[1:] = cell[1:] != cell[:-1]
    minima = np.zeros((count, SLOTS), dtype=np.uint64)
    minima.flat[cell[first]] = (values[first] & _SLOT_LOW) | _FILLED
    return distinct, minima


def _signatures(minima: _U64) -> list[tuple[int, ...]]:
    """SLOTS values of 16 bits per row of slot minima (`_distinct_and_minima`; no row empty).

    Rotation densification: an empty slot borrows the value of the next filled one
    (circularly), `distance` slots on, mixed with the distance so the copies differ.
    """
    if not len(minima):
        return []
    filled = (minima & _FILLED) != 0
    twice = np.concatenate([filled, filled], axis=1)
    place = np.where(twice, np.arange(2 * SLOTS), 2 * SLOTS)
    source = np.minimum.accumulate(place[:, ::-1], axis=1)[:, ::-1][:, :SLOTS]
    distance = (source - _SLOT_INDEXES).astype(np.uint64)
    z = (np.take_along_axis(minima, source % SLOTS, axis=1) & _SLOT_LOW) + distance * _GOLDEN64
    # splitmix64's finalizer, spreading the combined token hashes over all 64 bits
    z = (z ^ (z >> np.uint64(30))) * _FINAL[0]
    z = (z ^ (z >> np.uint64(27))) * _FINAL[1]
    z ^= z >> np.uint64(31)
    return [tuple(row) for row in (z >> np.uint64(48)).tolist()]


_SLOT_INDEXES = np.arange(SLOTS)
_GOLDEN64 = np.uint64(_GOLDEN)
_FINAL = (np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB))


def _stripped(fp: Fingerprint) -> bool:
    """Whether boilerplate removal took the body's start (its lead is not its first prefix)."""
    return fp.lead != fp.prefixes[0]


def template_starts(candidates: Sequence[Stored]) -> frozenset[int]:
    """The starts (first MIN_LENGTH characters' hashes) that some candidate's source learned as
    its template: candidates whose boilerplate removal took their start, by their lead."""
    return frozenset(
        c.fingerprint.lead
        for c in candidates
        if c.fingerprint.lead
        and (c.fingerprint.comparable or not c.fingerprint.length)
        and _stripped(c.fingerprint)
    )


def templated(a: Fingerprint, b: Fingerprint, templates: Collection[int]) -> bool:
    """Whether two bodies under different titles begin with the same text that a source has
    learned as its template (`template_starts`): then that text is no copy's evidence. Three
    PeerTube videos of one channel carry one 1,653-character description, and a shop's
    products open with its "Vendor: … Price:" lines; copied elsewhere, each copy of one
    joined the copies of the others (the same long text under a new headline, or an excerpt)."""
    return bool(
        a.comparable
        and b.comparable
        and a.prefixes[0] in templates
        and a.prefixes[0] == b.prefixes[0]
        and not (a.title and a.title == b.title)
    )


def shared_starts(candidates: Sequence[Stored]) -> frozenset[int]:
    """The starts (first START_LEVEL characters' hashes) that lead articles of two stories
    which go on differently (their first PREFIX_LEVELS[-1] characters differ): a network's
    banner, a series' or a template's opening, no copy's evidence (`same_story`). And, as
    `_OPENING` plus its hash, a Chinese or Japanese first PREFIX_LEVELS[0] characters that lead
    two such stories (their characters after it differ): every listed company's announcement
    opens with one 63-character disclaimer, and a summary of it alone joined another's (F4)."""
    seen: dict[int, list[tuple[object, str]]] = {}
    out: set[int] = set()
    for c in candidates:
        fp = c.fingerprint
        keyed: list[tuple[int, object]] = []
        if fp.start and fp.prefixes[-1]:
            keyed.append((fp.start, fp.prefixes[-1]))
        if fp.cjk and fp.prefixes[0] and fp.characters:
            keyed.append((_OPENING + fp.prefixes[0], fp.characters))
        for key, goes_on in keyed:
            if key in out:
                continue
            others = seen.setdefault(key, [])
            if any(g != goes_on and s != c.story_id for g, s in others):
                out.add(key)
            others.append((goes_on, c.story_id))
    return frozenset(out)


# Added to a first PREFIX_LEVELS[0] characters' hash (32 bits) in `shared_starts`' answer.
_OPENING = 1 << 32


def _same_start(a: Fingerprint, b: Fingerprint) -> bool:
    """Whether two bodies begin alike: their first MIN_LENGTH characters, after boilerplate
    removal or before it."""
    return bool(a.prefixes[0] and a.prefixes[0] == b.prefixes[0]) or bool(
        a.lead and a.lead == b.lead
    )


def _summary_start(short: Fingerprint, long_: Fingerprint, shared: Collection[int]) -> bool:
    """Whether a summary-sized body begins as a whole article: its first START_LEVEL characters,
    unless they lead two stories (`shared`); a shorter Chinese or Japanese one's first
    CJK_START_LEVEL, unless they lead two (`shared`). (Chinese articles are short: one longer
    than the summary is whole.)"""
    whole = long_.length >= PREFIX_LEVELS[-1] or (short.cjk and long_.length > short.length)
    if not whole or short.length >= PREFIX_LEVELS[-1]:
        return False
    if short.length >= START_LEVEL:
        return bool(short.start) and short.start == long_.start and short.start not in shared
    return (
        short.cjk
        and short.length >= CJK_START_LEVEL
        and short.prefixes[0] == long_.prefixes[0]
        and _OPENING + short.prefixes[0] not in shared
    )


def _reaches(short: Fingerprint, long_: Fingerprint) -> bool:
    """Whether a summary (beginning as the article: `_summary_start`) is the article's start to
    its last character, but for an ending of the portal's own (_ENDINGS). An article or a
    summary filed before characters were kept (session 49) has none: they do not join so."""
    if not (short.characters and long_.characters):
        return False
    n = short.length - PREFIX_LEVELS[0]
    mine, theirs = _nibbles(short.characters)[:n], _nibbles(long_.characters)[:n]
    same = next((i for i, (x, y) in enumerate(zip(mine, theirs, strict=True)) if x != y), n)
    # (The ending may begin as the article goes on: "… lets Read more" after "lets retailers".)
    return same == n or any(len(e) >= n - same and mine.endswith(e) for e in _ENDINGS)


def _character_nibbles(text: str) -> bytes:
    """A 4-bit hash of each character of a text, one a byte (the C module's `nibble`)."""
    return bytes(((ord(c) * 0x9E3779B1) & 0xFFFFFFFF) >> 28 for c in text)


def _characters(text: str) -> bytes:
    """`Fingerprint.characters` of a stream's characters PREFIX_LEVELS[0] to [-1]: their
    `_character_nibbles`, two a byte (the first in the high half), 0 past the end."""
    nibbles = _character_nibbles(text).ljust(2 * _CHARACTERS, b"\0")
    return bytes(high << 4 | low for high, low in zip(nibbles[::2], nibbles[1::2], strict=True))


def _nibbles(characters: bytes) -> bytes:
    """The inverse of `_characters`' packing: a nibble a byte."""
    return bytes(n for byte in characters for n in (byte >> 4, byte & 15))


_ENDINGS = frozenset(_character_nibbles("".join(tokens(ending))) for ending in _ENDINGS_TEXT)


def _is_prefix(short: Fingerprint, long_: Fingerprint) -> bool:
    """Whether the shorter body is the start of the longer one, at the longest level both have."""
    level = 0
    for i, size in enumerate(PREFIX_LEVELS):
        if short.length >= size:
            level = i
    return short.prefixes[level] != 0 and short.prefixes[level] == long_.prefixes[level]


# --- stories as stored, and the join decision ---------------------------------------------------


# A new article to file: (article id, source id, published epoch seconds, fingerprint).
New = tuple[str, str, float, Fingerprint]


@dataclass(frozen=True)
class Stored:
    """An article already filed in the story index."""

    article_id: str
    story_id: str
    source_id: str
    published: float  # epoch seconds
    seen: float  # epoch seconds it was filed
    fingerprint: Fingerprint


@dataclass(frozen=True)
class Join:
    """Where one new article goes: `story_id` "" starts a story; `via` is the matched article."""

    article_id: str
    source_id: str
    published: float
    fingerprint: Fingerprint
    story_id: str
    via: str


# A copy joining a story changes its feed item (Story.changed) when it is seen this long after
# the story's first copy (not in the same poll round), and the story is this young.
JOINED_LATER = 60.0
NEWS_SECONDS = 2 * 86_400.0


@dataclass(frozen=True)
class Member:
    article_id: str
    source_id: str
    published: float
    seen: float


@dataclass(frozen=True)
class Story:
    """A story: its articles, the original first (earliest published, ties by first seen)."""

    id: str
    members: tuple[Member, ...]

    @property
    def original(self) -> Member:
        return self.members[0]

    @property
    def size(self) -> int:
        return len(self.members)

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(m.source_id for m in self.members))

    @property
    def first(self) -> float:
        return min(m.published for m in self.members)

    @property
    def changed(self) -> float | None:
        """When the story last changed to its feed item, if it did: when a copy (or an earlier
        original) joined it after its first copy was seen, while it was news. Not when its
        copies were first seen together (the first poll of two mirrors), nor when old news
        gains a copy (a source added later brings its back catalogue): a post of 2017 is not
        "updated" today because a second source of it was seen."""
        first_seen, first_published = min(m.seen for m in self.members), self.first
        joined = (
            m.seen
            for m in self.members
            if m.seen - first_seen > JOINED_LATER and m.seen - first_published <= NEWS_SECONDS
        )
        return max(joined, default=None)

    @property
    def latest(self) -> float:
        return max(m.published for m in self.members)

    @classmethod
    def of(cls, story_id: str, members: Sequence[Member]) -> Story:
        return cls(
            story_id, tuple(sorted(members, key=lambda m: (m.published, m.seen, m.article_id)))
        )


def choose(
    fp: Fingerprint,
    candidates: Sequence[Stored],
    since: float,
    source_id: str = "",
    published: float | None = None,
    raw: Fingerprint | None = None,
    tagged: bool = False,
    replaced: Collection[str] = (),
) -> Stored | None:
    """The stored article whose story a new one joins: the most similar same story, or None.

    Candidates filed before `since` (the window) are ignored; ties go to the older story.
    `published`: the new article's publication time (epoch seconds), when known. `raw`: its
    fingerprint before its source's learned boilerplate was removed, when that removed some:
    it may repeat an earlier article of its source (`repeats`; `tagged`: its title says it is
    a revision; `replaced`: the ids of the candidates it took the place of in its source's feed,
    `refresh.replaced_by`, which it revises as if it said so).
    """
    best: tuple[float, float, Stored] | None = None
    templates = template_starts(candidates)
    shared = shared_starts(candidates)
    for c in candidates:
        if c.seen < since:
            continue
        hours = 0.0 if published is None else abs(published - c.published) / 3600
        if templated(fp, c.fingerprint, templates):
            continue
        if same_story(fp, c.fingerprint, c.source_id == source_id, hours, shared):
            near = similarity(fp, c.fingerprint)
        elif (
            raw
            and c.source_id == source_id
            and repeats(fp, raw, c.fingerprint, hours, tagged or c.article_id in replaced)
        ):
            near = similarity(raw, c.fingerprint)
        else:
            continue
        key = (-near, c.seen, c)
        if best is None or key[:2] < best[:2]:
            best = key
    return None if best is None else best[2]


def plan(
    new: Sequence[New],
    candidates: dict[str, list[Stored]],
    since: float,
    now: float,
    raw: dict[str, Fingerprint] | None = None,
    tagged: Collection[str] = (),
    replaced: Mapping[str, Collection[str]] | None = None,
) -> list[Join]:
    """Decide the story of each new (article id, source, published, fingerprint), in order.

    Earlier articles of the same batch sharing a bucket are candidates for later ones. `raw`:
    by article id, fingerprints before the source's learned boilerplate was removed (`choose`);
    `tagged`: the ids of those whose titles say they are revisions (`revision_tagged`);
    `replaced`: by article id, the candidates it took the place of (`choose`). An
    article that repeats another and kept nothing after that removal is filed with its raw
    fingerprint: a copy of it on another site is found by it, as by its original.
    """
    joins: list[Join] = []
    batch: dict[bytes, list[Stored]] = {}
    for article_id, source_id, published, fp in new:
        tokens = bucket_tokens(fp)
        near = {c.article_id: c for t in tokens for c in batch.get(t, ())}
        pool = candidates.get(article_id, []) + list(near.values())
        before = (raw or {}).get(article_id)
        took = (replaced or {}).get(article_id, ())
        match = choose(fp, pool, since, source_id, published, before, article_id in tagged, took)
        story = "" if match is None else match.story_id
        if match is not None and before is not None and not fp.length:
            fp = before  # (only `repeats` matches an empty body)
        joins.append(
            Join(
                article_id=article_id,
                source_id=source_id,
                published=published,
                fingerprint=fp,
                story_id=story,
                via="" if match is None else match.article_id,
            )
        )
        stored = Stored(article_id, story or article_id, source_id, published, now, fp)
        for t in filed_tokens(fp):
            batch.setdefault(t, []).append(stored)
    return joins


def collapse(ids: Sequence[str], story_of: dict[str, Story]) -> list[str]:
    """One id per story, in the given order: the story's earliest member among `ids`.

    That is the story's original when it is among them (a copy may be in a category the original
    is not). An id without a story is a story of its own.
    """
    present = set(ids)
    chosen: dict[str, str] = {}
    for article_id in ids:
        story = story_of.get(article_id)
        if story is None:
            chosen[article_id] = article_id
            continue
        if story.id not in chosen:
            first = next(m.article_id for m in story.members if m.article_id in present)
            chosen[story.id] = first
    keep = set(chosen.values())
    return [i for i in ids if i in keep]


HALF_LIFE_HOURS = 12.0  # a story's score halves every this many hours


def score(sources: int, weight: float, age_hours: float) -> float:
    """How high a story ranks: more distinct sources, newer, and from weightier sources first."""
    decay: float = math.pow(0.5, max(age_hours, 0.0) / HALF_LIFE_HOURS)
    return weight * (1.0 + math.log2(max(sources, 1))) * decay


def rank(
    entries: Sequence[tuple[str, str, float, int, float]],
    now: float,
    size: int,
    per_source: int,
    window: int = 5,
) -> list[str]:
    """Pick up to `size` of (id, source, published epoch, distinct sources, weight) by score.

    One source has at most `per_source` picks among `window` in a row while another source has
    an item to put between (a busy source's next item waits), and at most its share of the
    list in all (per_source per window: 8 of 20), so a list shows fewer items rather than more
    of one source. per_source = window turns the caps off. Ties go to the newer.
    """
    ordered = sorted(entries, key=lambda e: (-score(e[3], e[4], (now - e[2]) / 3600), -e[2], e[0]))
    waiting = [(article_id, source) for article_id, source, *_ in ordered]
    share = max(per_source, round(size * per_source / window))
    picked: list[tuple[str, str]] = []
    total: Counter[str] = Counter()
    while len(picked) < size:
        recent = Counter(source for _, source in picked[max(0, len(picked) - window + 1) :])
        allowed = [w for w in waiting if total[w[1]] < share]
        pick = next((w for w in allowed if recent[w[1]] < per_source), None)
        pick = pick or next(iter(allowed), None)  # no other source has one left: a run
        if pick is None:
            break
        waiting.remove(pick)
        picked.append(pick)
        total[pick[1]] += 1
    return [article_id for article_id, _ in picked]
