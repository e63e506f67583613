"""aggregator.text.collapsed: the C module's answer is the Python reference's, on every code point,
on mixed widths and on the corpus's texts; without the C module the reference is used."""

from __future__ import annotations

import importlib
import random
import sys
from collections.abc import Callable

import pytest

import aggregator
from aggregator import text
from tests.support.corpus import corpus_files, requires_corpus
from tests.support.native import requires_native


def _native_collapsed() -> Callable[[str], str]:
    assert text._native is not None  # (requires_native)
    return text._native.collapsed


def _same(collapsed: Callable[[str], str], value: str) -> None:
    expected = " ".join(value.split())
    got = collapsed(value)
    assert got == expected, repr(value)
    assert type(got) is str
    # The same code points in the same (canonical) width: a wider string would not hash or
    # compare equal to a narrower one that is equal.
    assert hash(got) == hash(expected)


@requires_native
def test_the_c_collapse_is_the_reference_on_every_code_point() -> None:
    collapsed = _native_collapsed()
    for code in range(sys.maxunicode + 1):
        ch = chr(code)
        for value in (ch, f"a{ch}b", f" {ch}{ch} ", f"\u3000{ch}é", f"中{ch}\U0001f600"):
            if collapsed(value) != " ".join(value.split()):
                _same(collapsed, value)  # says which


@requires_native
def test_the_c_collapse_is_the_reference_on_edge_cases() -> None:
    collapsed = _native_collapsed()
    cases = ["", " ", "\t\n", "a", " a", "a ", "a  b", "a b", "a\u00a0b", "\u0085", "é\u3000",
             "\u3000é x", "中\u2028文", "\x1c\x1d\x1e\x1fz", "\x01 \x02", "a\ud800 b",
             "\U0001f600  a", "\u2000\u200a\u202f\u205f", "x" * 100_000 + "  y"]  # fmt: skip
    for value in cases:
        _same(collapsed, value)
    already = "one two three"
    assert collapsed(already) is already  # nothing to do, nothing made
    with pytest.raises(TypeError):
        collapsed(b"bytes")  # type: ignore[arg-type]


@requires_native
def test_the_c_collapse_is_the_reference_on_random_texts() -> None:
    collapsed = _native_collapsed()
    rng = random.Random(7)
    pieces = ["a", "é", "ß", "中文", "\U0001f600", "\ud800", " ", "  ", "\t", "\n", "\r\n",
              "\u00a0", "\u3000", "\u2028", "\x85", "\x1f", "word", "\u200b"]  # fmt: skip
    for _ in range(20_000):
        _same(collapsed, "".join(rng.choice(pieces) for _ in range(rng.randrange(0, 30))))


@requires_corpus
@requires_native
def test_the_c_collapse_is_the_reference_on_the_corpus() -> None:
    collapsed = _native_collapsed()
    for path in corpus_files("real", "encodings"):
        document = path.read_bytes().decode("utf-8", "replace")
        _same(collapsed, document)
        for line in document.split("\n"):
            _same(collapsed, line)


def test_without_the_c_module_the_reference_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "aggregator._native", None)  # an import of it fails
    monkeypatch.delattr(aggregator, "_native", raising=False)
    try:
        reloaded = importlib.reload(text)
        assert reloaded._native is None
        assert reloaded.collapsed is reloaded.collapsed_python
        assert reloaded.collapsed("  a \u3000 b\n") == "a b"
    finally:
        monkeypatch.undo()
        importlib.reload(text)
    assert text._native is not None or text.collapsed is text.collapsed_python
