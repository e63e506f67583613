"""White space collapsed, as the cleaning reads every title, body, excerpt, date and line: in C
(aggregator/_native.c) where it was built, otherwise the Python reference. Both give the same
answer (tests/test_text.py)."""

from __future__ import annotations

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
