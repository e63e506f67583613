"""Per-source boilerplate: paragraphs a site repeats in many articles (template, footer, ads).

Pure functions; the evidence (how many of a source's recent articles carried each paragraph) is
kept by the store (`Store.observe_paragraphs`). Stories use it to leave a site's template out of
the comparison, so two articles of one site sharing only their footer never look alike.

    body = Body.of(article.content)  # paragraphs, their words and hashes, made once
    _, known = store.observe_paragraphs(source_id, {article.id: body.hashes}, MAX_EVIDENCE, 2)
    words = body.kept_words(known)  # what stories.fingerprint_tokens compares
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Sequence
from dataclasses import dataclass

from aggregator import stories

# A paragraph carried by this many of a source's recent articles is boilerplate. Two is enough:
# a site's articles rarely share a real paragraph, and leaving one out of a comparison only ever
# makes a merge less likely.
MIN_ARTICLES = 2
# Evidence kept per source: the newest paragraph hashes, bounded so a source costs at most this
# many small entries (below Redis' listpack limit of 128, the compact encoding).
MAX_EVIDENCE = 120

_BLOCK = re.compile(
    r"<\s*/?\s*(?:p|div|br|li|ul|ol|h[1-6]|blockquote|pre|table|tr|section|article|figure"
    r"|figcaption|header|footer|aside|hr)\b[^>]*>",
    re.IGNORECASE,
)
_TAG = re.compile(r"<[^>]*>")
# Footers whose text varies per article, so hashing cannot learn them.
_PATTERNS = re.compile(
    r"^(?:the post .{1,300} appeared first on .{1,120}"  # WordPress
    r"|.{0,40}(?:原文链接|阅读原文|本文来自|来源：|转载请注明|本文首发于).{0,120}"
    r"|(?:continue reading|read more|read the full (?:story|article)).{0,80})$",
    re.IGNORECASE | re.DOTALL,
)


def paragraphs(markup: str) -> list[str]:
    """The text paragraphs of sanitized HTML (or of plain text split on its line breaks)."""
    text = _BLOCK.sub("\n", markup)
    text = html.unescape(_TAG.sub(" ", text))
    return [" ".join(words) for line in text.split("\n") if (words := line.split())]


@dataclass(frozen=True)
class Body:
    """An article body as stories read it: paragraphs, their words and their hashes, made once."""

    paragraphs: list[str]
    words: list[list[str]]  # `stories.tokens` of each paragraph
    hashes: list[str]  # `hash_tokens` of each paragraph

    @classmethod
    def of(cls, markup: str) -> Body:
        paras = paragraphs(markup)
        words = [stories.tokens(p) for p in paras]
        return cls(paras, words, [hash_tokens(w) for w in words])

    def kept_words(self, known: frozenset[str] | set[str]) -> list[list[str]]:
        """The words of the paragraphs that are not boilerplate (see `strip`)."""
        junk = is_boilerplate(self.paragraphs, known, self.hashes)
        return [w for w, j in zip(self.words, junk, strict=True) if not j]


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
    return list(dict.fromkeys(paragraph_hash(p) for p in paras))


def is_pattern(paragraph: str) -> bool:
    """A footer recognized by its shape ("The post … appeared first on …", "原文链接…")."""
    return len(paragraph) <= 400 and _PATTERNS.match(paragraph.strip()) is not None


def strip(
    paras: Sequence[str], known: frozenset[str] | set[str], hashes: Sequence[str] | None = None
) -> list[str]:
    """The paragraphs left after removing known boilerplate hashes and footer patterns.

    `hashes`: the paragraphs' hashes when the caller has them already (one per paragraph).
    """
    return [
        p for p, junk in zip(paras, is_boilerplate(paras, known, hashes), strict=True) if not junk
    ]


def is_boilerplate(
    paras: Sequence[str], known: frozenset[str] | set[str], hashes: Sequence[str] | None = None
) -> list[bool]:
    """For each paragraph, whether `strip` removes it."""
    if hashes is None:
        hashes = [paragraph_hash(p) for p in paras]
    return [h in known or is_pattern(p) for p, h in zip(paras, hashes, strict=True)]
