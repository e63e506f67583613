"""Per-source boilerplate: paragraphs a site repeats in many articles (template, footer, ads).

Pure functions; the evidence (how many of a source's recent articles carried each paragraph) is
kept by the store (`Store.observe_paragraphs`). Stories use it to leave a site's template out of
the comparison, so two articles of one site sharing only their footer never look alike.

    body = Body.of(article.content)  # paragraphs, their tokens and hashes, made once
    _, known, _ = store.observe_paragraphs(
        source_id, {article.id: body.hashes}, MAX_EVIDENCE, MIN_ARTICLES, HALF_LIFE
    )
    kept = body.kept(known)  # what stories.fingerprints compares
"""

from __future__ import annotations

import difflib
import hashlib
import html
import itertools
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from aggregator import stories

try:
    from aggregator import _native
except ImportError:  # not built (no C compiler at install): the Python below does it
    _native = None  # type: ignore[assignment]

# A paragraph carried by this many of a source's recent articles is boilerplate. Two is enough:
# a site's articles rarely share a real paragraph, and leaving one out of a comparison only ever
# makes a merge less likely.
MIN_ARTICLES = 2
# Leaving the articles' *content* takes more: a wire service's update or follow-up repeats two to
# four of the story's background paragraphs, its text and not the site's, and stripping them
# left an 8-paragraph update with 2. A footer or an ad is on every article: a new source's first
# refresh counts all of them at once, and a slow one loses it from its sixth article on.
CONTENT_MIN_ARTICLES = 5
# Evidence kept per source: the paragraph hashes with the highest counts (among equal counts,
# the greatest hashes: an arbitrary but fixed choice), bounded so a source costs at most this
# many small entries (below Redis' listpack limit of 128, the compact encoding).
MAX_EVIDENCE = 120
# The counts are halved each time this many more of the source's articles were counted: a
# footer on every article stays far above CONTENT_MIN_ARTICLES, and what two old articles shared
# fades, so a full evidence still makes room for a template the site adopts later (without it, a
# source that once filled it with pairs never learned anything again).
HALF_LIFE = 120
# Paragraphs of an article counted: its first and last this many (distinct), where a site puts
# its template, footer and prompts (of the labelled set of bench/junk_eval.py, counted over
# whole articles, 64 learned 9 of its 12 marks, 128 all of them). All of them, a feed of 500
# articles of 1,500 short lines each held Redis 5 s in the counting script at every poll (a
# review).
COUNTED_AT_EACH_END = 128


def counted(hashes: Sequence[str]) -> list[str]:
    """The paragraph hashes of an article that are counted as evidence (COUNTED_AT_EACH_END)."""
    distinct = list(dict.fromkeys(hashes))
    if len(distinct) <= 2 * COUNTED_AT_EACH_END:
        return distinct
    return distinct[:COUNTED_AT_EACH_END] + distinct[-COUNTED_AT_EACH_END:]


_BLOCK = re.compile(
    r"<\s*/?\s*(?:p|div|br|li|ul|ol|h[1-6]|blockquote|pre|table|tr|section|article|figure"
    r"|figcaption|header|footer|aside|hr)\b[^>]*>",
    re.IGNORECASE,
)
_TAG = re.compile(r"<[^>]*>")
# Footers whose text varies per article, so hashing cannot learn them.
_CJK_FOOTERS = ("原文链接", "阅读原文", "本文来自", "来源：", "转载请注明", "本文首发于")
_PATTERNS = re.compile(
    r"^(?:the post .{1,300} appeared first on .{1,120}"  # WordPress
    rf"|.{{0,40}}(?:{'|'.join(_CJK_FOOTERS)}).{{0,120}}"
    r"|(?:continue reading|read more|read the full (?:story|article)).{0,80})$",
    re.IGNORECASE | re.DOTALL,
)
_CJK_FOOTER = re.compile("|".join(_CJK_FOOTERS))


def paragraphs(markup: str) -> list[str]:
    """The text paragraphs of sanitized HTML (or of plain text split on its line breaks)."""
    if _native is not None and (found := _native.paragraphs(markup)) is not None:
        return found
    return _paragraphs_python(markup)


def _paragraphs_python(markup: str) -> list[str]:
    """`paragraphs`: the reference, and the fallback where the C module is not built (or a tag's
    name is not ASCII, which IGNORECASE may match to an ASCII one)."""
    text = _BLOCK.sub("\n", markup)
    text = html.unescape(_TAG.sub(" ", text))
    return [" ".join(words) for line in text.split("\n") if (words := line.split())]


@dataclass(frozen=True)
class Body:
    """An article body as stories read it: paragraphs, their tokens and hashes, made once."""

    paragraphs: list[str]
    tokens: list[bytes]  # `stories.tokens` of each paragraph, packed (`stories.pack_tokens`)
    hashes: list[str]  # `hash_tokens` of each paragraph

    @classmethod
    def of(cls, markup: str) -> Body:
        paras = paragraphs(markup)
        folded = [stories.simplified(p) for p in paras]  # (the C module's words do not fold)
        words = _native.words if _native else _words_python
        tokens, hashes = words(folded)
        # The lead, or the lead after a byline, is compared without its wire dateline, and the
        # last paragraph without a summary's ending (`stories.compared_paragraphs`); their
        # hashes, which the learned junk looks up, stay the whole paragraphs'.
        compared = stories.compared_paragraphs(folded)
        changed = [i for i, (c, f) in enumerate(zip(compared, folded, strict=True)) if c != f]
        if changed:
            for i, packed in zip(changed, words([compared[i] for i in changed])[0], strict=True):
                tokens[i] = packed
        return cls(paras, tokens, hashes)

    def kept(
        self, known: frozenset[str] | set[str], repeated: frozenset[str] = frozenset()
    ) -> list[bytes]:
        """The packed tokens of the paragraphs that are not boilerplate (see `strip`)."""
        junk = is_boilerplate(self.paragraphs, known, self.hashes, repeated)
        return [t for t, j in zip(self.tokens, junk, strict=True) if not j]


# `revises`: the text two articles of one source under one title share, at least this part of
# the larger one's; a changed paragraph's words kept by its edit (difflib's ratio), at least.
REVISION_SHARED = 0.5
REVISION_EDIT = 0.8
# ... and at least this many characters shared: a short post is not told from a template's fill.
REVISION_MIN_CHARS = 150
# ... and an edited paragraph of at most this many words (a wire's are tens; difflib's ratio is
# quadratic in them, and a hostile feed's paragraph may be a megabyte).
REVISION_MAX_TOKENS = 1_000


def revises(earlier: Body, later: Body) -> bool:
    """Whether `later` is `earlier` again, republished by its source under the same title: word
    for word, with a paragraph added or dropped (an update), or with one paragraph edited (a
    wire's "CORRECTED-": a figure, a name), a note of the correction added.

    Paragraph by paragraph, exactly: what a live blog's next entry shares with the one before is
    the recap both carry, and the entry itself is new text (not an edit of the last one); one
    template's next fill changes its figures in every paragraph they are in, or most of the
    words of its one paragraph. Most of the larger body is shared, and REVISION_MIN_CHARS.
    """
    mine, theirs = set(earlier.hashes), set(later.hashes)
    size = max(_chars(earlier, mine), _chars(later, theirs))
    shared = _chars(earlier, theirs)
    if shared < REVISION_MIN_CHARS or shared < REVISION_SHARED * size:
        return False
    gone = [i for i, h in enumerate(earlier.hashes) if h not in theirs]
    added = [i for i, h in enumerate(later.hashes) if h not in mine]
    if not gone or not added:  # one holds the other
        return True
    if len(gone) > 1 or len(added) > 2:  # an edit, and a note of it at most
        return False
    old = stories.unpack_tokens(earlier.tokens[gone[0]])
    if len(old) > REVISION_MAX_TOKENS:
        return False
    for new in (stories.unpack_tokens(later.tokens[i]) for i in added):
        if len(new) > REVISION_MAX_TOKENS:
            continue
        matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
        # (Bounds first: ratio() is quadratic in the paragraph's words.)
        bounds = (matcher.real_quick_ratio, matcher.quick_ratio, matcher.ratio)
        if all(bound() >= REVISION_EDIT for bound in bounds):
            return True
    return False


def _chars(body: Body, hashes: set[str]) -> int:
    """The characters of a body's paragraphs whose hashes are among `hashes`."""
    return sum(len(p) for p, h in zip(body.paragraphs, body.hashes, strict=True) if h in hashes)


def _words_python(paras: Sequence[str]) -> tuple[list[bytes], list[str]]:
    """Each paragraph's `stories.tokens`, packed, and their `hash_tokens`: the reference of the
    C module's `words`, and its fallback where it is not built."""
    words = [stories.tokens(p) for p in paras]
    return [stories.pack_tokens(w) for w in words], [hash_tokens(w) for w in words]


def paragraph_hash(paragraph: str) -> str:
    """A short stable hash of a paragraph's words, normalized as stories compare them."""
    return hash_tokens(stories.tokens(paragraph))


def hash_tokens(tokens: Sequence[str]) -> str:
    """`paragraph_hash` of a paragraph already cut into `stories.tokens` (10 hex digits)."""
    return hashlib.blake2b(
        " ".join(tokens).encode("utf-8", "surrogatepass"), digest_size=5
    ).hexdigest()


def paragraph_hashes(paras: Sequence[str]) -> list[str]:
    """The distinct hashes of an article's paragraphs, in order of first appearance."""
    return list(dict.fromkeys(hashes_of(paras)))


def hashes_of(paras: Sequence[str]) -> list[str]:
    """`paragraph_hash` of each paragraph, as `Body.of` makes them: in C where it was built, 2.5x
    as fast as one paragraph at a time in Python (the paragraphs' tokens it also makes go)."""
    words = _native.words if _native else _words_python
    return words([stories.simplified(p) for p in paras])[1]


def is_pattern(paragraph: str) -> bool:
    """A footer recognized by its shape ("The post … appeared first on …", "原文链接…")."""
    if len(paragraph) > 400:
        return False
    text = paragraph.strip()
    # What every match starts with or holds, checked first: most paragraphs have neither, and
    # the pattern would try its 40 leading characters at each of them. (Under IGNORECASE, t, c
    # and r match only their ASCII cases.)
    if text[:1] not in "tTcCrR" and (text.isascii() or not _CJK_FOOTER.search(text)):
        return False
    return _PATTERNS.match(text) is not None


def strip(
    paras: Sequence[str],
    known: frozenset[str] | set[str],
    hashes: Sequence[str] | None = None,
    repeated: frozenset[str] = frozenset(),
) -> list[str]:
    """The paragraphs left after removing known boilerplate hashes and footer patterns.

    `hashes`: the paragraphs' hashes when the caller has them already (one per paragraph).
    `repeated`: the read's `near_repeats`, removed too while a paragraph is left.
    """
    junk = is_boilerplate(paras, known, hashes, repeated)
    return [p for p, j in zip(paras, junk, strict=True) if not j]


def is_boilerplate(
    paras: Sequence[str],
    known: frozenset[str] | set[str],
    hashes: Sequence[str] | None = None,
    repeated: frozenset[str] = frozenset(),
) -> list[bool]:
    """For each paragraph, whether `strip` removes it."""
    if hashes is None:
        hashes = hashes_of(paras)
    junk = [h in known or is_pattern(p) for p, h in zip(paras, hashes, strict=True)]
    if junk and junk[0] and is_introduction(paras):
        junk[0] = False
    # Not all of an article: a daily report's every paragraph is its template's, nearly.
    if not repeated:  # (most reads: none)
        return junk
    more = [j or h in repeated for j, h in zip(junk, hashes, strict=True)]
    return more if not all(more) else junk


# `near_repeats`: a paragraph of at least this many tokens (`stories.tokens`) that this many of
# one read's articles carry nearly the same, sharing this part of their pairs of tokens (an
# episode's supporters with one name added, a release's safe harbor naming its own company,
# J ~0.85-0.98; two paragraphs of different news under one template share less).
NEAR_REPEAT_TOKENS = 12
NEAR_REPEAT_ARTICLES = 3
NEAR_REPEAT_SHARED = 0.7
# ... by its first this many tokens (a hostile feed's paragraph may be a megabyte).
NEAR_REPEAT_COMPARED = 128
# ... each compared with at most this many others of its first or last tokens (a feed of 500
# episodes, each its own variant of one list, is 500 x this comparisons, not 500 x 500).
NEAR_REPEAT_PEERS = 8


def near_repeats(articles: Sequence[Body], titles: Sequence[str]) -> frozenset[str]:
    """The hashes of the paragraphs that NEAR_REPEAT_ARTICLES of one read's articles (one
    source's) carry nearly the same: text the source repeats a little changed from one article
    to the next, so its hash is never learned (a channel's supporters gaining a name each week,
    a safe harbor naming the company). Left out of the comparison (`strip`): a podcast's
    episodes, one-line descriptions over 600 characters of supporters, were one story. Under as
    many headlines of their own (`titles`, the articles'): a wire's updates of one story under
    one headline share their lead, which is the story's (h8's F14: left out, another source's
    copy joined none of them)."""
    if len(articles) < NEAR_REPEAT_ARTICLES:
        return frozenset()
    read = [
        [(h, packed, _ends(packed)) for packed, h in zip(b.tokens, b.hashes, strict=True)]
        for b in articles
    ]
    # How many paragraphs begin or end with each paragraph's first or last tokens: one that
    # shares neither with any other (most) is compared with none and makes a cluster of its
    # article alone, so it is passed over (the same sets, a third of the time on the corpus).
    ends = Counter(key for paras in read for _, _, keys in paras for key in keys)
    clusters: list[_Repeat] = []
    of_hash: dict[str, int | None] = {}  # a paragraph's cluster (None: none of its own), by hash
    peers: dict[bytes, list[int]] = {}  # first or last tokens -> their clusters
    for n, paras in enumerate(read):
        for h, packed, keys in paras:
            if h not in of_hash:
                shared = bool(keys) and (ends[keys[0]] > 1 or ends[keys[1]] > 1)
                of_hash[h] = _near_cluster(packed, keys, clusters, peers) if shared else None
            if (c := of_hash[h]) is not None:
                clusters[c].articles.add(n)
                clusters[c].hashes.add(h)
    repeated = [c for c in clusters if len(c.articles) >= NEAR_REPEAT_ARTICLES]
    cores = {n: stories.title_core(titles[n]) for c in repeated for n in c.articles}  # (few)
    return frozenset(
        h
        for c in repeated
        if len({cores[n] for n in c.articles}) >= NEAR_REPEAT_ARTICLES
        for h in c.hashes
    )


@dataclass
class _Repeat:
    """A paragraph of `near_repeats` and those nearly the same: their articles and hashes."""

    tokens: tuple[int, ...]  # their hashes (`stories.token_hashes`)
    articles: set[int]
    hashes: set[str]
    _pairs: set[tuple[int, int]] | None = None

    @property
    def pairs(self) -> set[tuple[int, int]]:
        if self._pairs is None:  # (made when first compared: most paragraphs never are)
            first = self.tokens[:NEAR_REPEAT_COMPARED]
            self._pairs = set(itertools.pairwise(first))
        return self._pairs


def _ends(packed: bytes) -> tuple[bytes, ...]:
    """A paragraph's keys in `near_repeats`: its first three tokens and, marked apart, its last
    three; none when it is too short to be compared."""
    ends = stories.end_hashes(packed, 3, NEAR_REPEAT_TOKENS)
    return () if ends is None else (ends[0], b"$" + ends[1])


def _near_cluster(
    packed: bytes,
    keys: tuple[bytes, ...],
    clusters: list[_Repeat],
    peers: dict[bytes, list[int]],
) -> int:
    """The cluster of `near_repeats` a paragraph of these tokens (`stories.pack_tokens`) and
    `_ends` joins, made when none is near."""
    new = _Repeat(stories.token_hashes(packed), set(), set())
    for key in keys:
        for c in peers.get(key, ()):
            other = clusters[c]
            small, large = sorted((len(new.pairs), len(other.pairs)))
            if small < NEAR_REPEAT_SHARED * large:  # (J is at most the ratio of their sizes)
                continue
            shared = len(new.pairs & other.pairs)
            if shared >= NEAR_REPEAT_SHARED * (len(new.pairs) + len(other.pairs) - shared):
                return c
    clusters.append(new)
    for key in keys:
        held = peers.setdefault(key, [])
        if len(held) < NEAR_REPEAT_PEERS:
            held.append(len(clusters) - 1)
    return len(clusters) - 1


def is_introduction(paras: Sequence[str]) -> bool:
    """Whether an article's first paragraph introduces what follows ("Mat Honan, writing for
    BuzzFeed:", "界面新闻的这篇文章值得一看："): a link blog's words before its quote, not its
    template, even when two of its posts carried them (its reporters and publications recur).
    Left out, the quote that follows was the post's start: the article's own start, and the
    post, under the article's headline, joined its story (Daring Fireball's "Linked List").

    Not before a cut summary (its last words "…" or "[…]"): a reposting site's credit line
    ("本文转载自…，原文如下：") heads its feed's excerpts of what it copied, the start of the
    original after it, as a link blog's quote never ends."""
    first = paras[0].rstrip()
    if first[-1:] not in (":", "：") or is_pattern(first):
        return False
    last = next((p for p in reversed(paras[1:]) if not is_pattern(p)), "").rstrip()
    return not last.endswith(_CUT)


_CUT = ("…", "...", "[…]", "[...]", "(…)", "(...)")
