"""Text operations the cleaning does thousands of times a refresh, made cheap.

White space collapsed, as the cleaning reads every title, body, excerpt, date and line (and as
UTF-8, to hash): in C (aggregator/_native.c) where it was built, otherwise the Python reference.
Both give the same answer (tests/test_text.py). And `Caseless`, a case-insensitive search
without `re`'s folding cost on ASCII text.
"""

from __future__ import annotations

import re
from collections.abc import Callable

try:
    from aggregator import _native
except ImportError:  # not built (no C compiler at install): the Python below does it
    _native = None  # type: ignore[assignment]


def collapsed_python(text: str) -> str:
    """`collapsed`: the reference, and the fallback where the C module is not built."""
    return " ".join(text.split())


# `" ".join(text.split())`: runs of white space (str.split's) made one space, none at either end.
# A cold refresh did it ~40 times an article; split's list of words made it 3-5× the C's cost.
collapsed: Callable[[str], str] = _native.collapsed if _native is not None else collapsed_python


def collapsed_utf8_python(text: str) -> bytes:
    """`collapsed_utf8`: the reference, and the fallback where the C module is not built."""
    return collapsed_python(text).encode("utf-8", "surrogatepass")


# `collapsed(text).encode("utf-8", "surrogatepass")` in one pass (a hash of what a source wrote:
# normalize._written_hash); the collapsing, the str and its encoding were ~20 µs an article.
collapsed_utf8: Callable[[str], bytes] = (
    _native.collapsed_utf8 if _native is not None else collapsed_utf8_python
)


class Caseless:
    """A pattern searched without regard to case, about four times as fast on ASCII text.

    `re.IGNORECASE` makes the engine fold every character it compares: a tracker pattern of 25
    alternatives took ~85 µs on a 180-character picture address, searched twice an article.
    An ASCII text lowered and searched case-sensitively is the same search (the pattern's
    letters are all lower case, checked here) at ~20 µs; other text is searched as before.
    """

    def __init__(self, pattern: str) -> None:
        if _UPPER_OUTSIDE_ESCAPES.search(pattern):
            raise ValueError(f"a caseless pattern is written in lower case: {pattern!r}")
        self._ascii = re.compile(pattern)
        self._folding = re.compile(pattern, re.IGNORECASE)

    def found_in(self, text: str) -> bool:
        """Whether the pattern matches somewhere in `text`, in any case."""
        if text.isascii():
            return self._ascii.search(text.lower()) is not None
        return self._folding.search(text) is not None


# An upper-case letter not escaped ("\S" and "\W" keep their meaning in a lowered pattern).
_UPPER_OUTSIDE_ESCAPES = re.compile(r"(?<!\\)(?:\\\\)*[A-Z]")
