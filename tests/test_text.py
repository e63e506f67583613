"""aggregator.text.collapsed (and collapsed_utf8, as UTF-8): the C module's answer is the Python
reference's, on every code point, on mixed widths and on the corpus's texts; without the C module
the reference is used. And aggregator.text.Caseless: the same answers as `re.IGNORECASE`."""

from __future__ import annotations

import importlib
import random
import re
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


def _same_utf8(value: str) -> None:
    assert text._native is not None  # (requires_native)
    expected = " ".join(value.split()).encode("utf-8", "surrogatepass")
    assert text._native.collapsed_utf8(value) == expected, repr(value)


@requires_native
def test_the_c_collapse_as_utf8_is_the_reference_on_every_code_point() -> None:
    # Every width of text (ASCII, Latin-1, BMP, astral) and every length of UTF-8 (1 to 4 bytes,
    # a lone surrogate's 3 as "surrogatepass" writes them).
    for code in range(sys.maxunicode + 1):
        ch = chr(code)
        for value in (ch, f" {ch}  {ch}\n", f"\xe9{ch} ", f"中{ch}\U0001f600"):
            _same_utf8(value)


@requires_native
def test_the_c_collapse_as_utf8_is_the_reference_on_edge_and_random_texts() -> None:
    assert text._native is not None
    for value in ["", " ", "\t\n", "a", " a ", "a  b", "\x85\xa0", "é\u3000 x", "a\ud800 b\udfff",
                  "\U0001f600  a", "x" * 100_000 + "  y", "é" * 50_000 + " \u3000"]:  # fmt: skip
        _same_utf8(value)
    with pytest.raises(TypeError):
        text._native.collapsed_utf8(b"bytes")  # type: ignore[arg-type]
    rng = random.Random(8)
    pieces = ["a", "é", "ß", "中文", "\U0001f600", "\ud800", " ", "  ", "\t", "\r\n", "\u00a0",
              "\u3000", "\u2028", "\x85", "\x7f", "\x80", "\u07ff", "\u0800", "\uffff"]  # fmt: skip
    for _ in range(20_000):
        _same_utf8("".join(rng.choice(pieces) for _ in range(rng.randrange(0, 30))))


@requires_corpus
@requires_native
def test_the_c_collapse_as_utf8_is_the_reference_on_the_corpus() -> None:
    for path in corpus_files("real", "encodings"):
        _same_utf8(path.read_bytes().decode("utf-8", "replace"))


def test_without_the_c_module_the_reference_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "aggregator._native", None)  # an import of it fails
    monkeypatch.delattr(aggregator, "_native", raising=False)
    try:
        reloaded = importlib.reload(text)
        assert reloaded._native is None
        assert reloaded.collapsed is reloaded.collapsed_python
        assert reloaded.collapsed("  a \u3000 b\n") == "a b"
        assert reloaded.collapsed_utf8 is reloaded.collapsed_utf8_python
        assert reloaded.collapsed_utf8("  é \u3000 \ud800\n") == b"\xc3\xa9 \xed\xa0\x80"
    finally:
        monkeypatch.undo()
        importlib.reload(text)
    assert text._native is not None or text.collapsed is text.collapsed_python


# --- Caseless ---------------------------------------------------------------------------------


def _folding_search(pattern: str, value: str) -> bool:
    return re.search(pattern, value, re.IGNORECASE) is not None


def test_a_caseless_search_is_re_ignorecase_on_every_ascii_case() -> None:
    pattern = r"/~(?:r|f)/[^?#]{0,30}\?|//ads?\.[^/?#.]+\.|stumble\w*\.png(?:$|\?)|\d+x\d+|[a-c]z"
    found = text.Caseless(pattern)
    values = ["/~R/x?", "/~f/?", "//AD.example.", "//ads.Ex.", "StumbleUpon.PNG", "stumble.png?x",
              "1024X768", "AZ", "bZ", "", "/~c/x?", "//ads..", "stumble.pngx", "dz"]  # fmt: skip
    rng = random.Random(11)
    letters = "/~rRfF?#.aAdDsSzZxX0123456789-_pngPNGstumbleSTUMBLE"
    for _ in range(5_000):
        values.append("".join(rng.choice(letters) for _ in range(rng.randrange(0, 24))))
    for value in values:
        assert found.found_in(value) == _folding_search(pattern, value), repr(value)


def test_a_caseless_search_of_other_text_folds_as_re_does() -> None:
    # Text that is not ASCII is searched with re's folding: the Kelvin sign is a "k", the long
    # s an "s", and "İ" (which str.lower() makes two characters) an "i".
    found = text.Caseless(r"kick|ss\.png|img\.phdo")
    for value in ("\u212aick", "\u017f\u017f.png", "\u0130mg.phdo", "Kİck", "中文 KICK", "中文"):
        assert found.found_in(value) == _folding_search(found._folding.pattern, value), value


def test_a_caseless_pattern_must_be_written_in_lower_case() -> None:
    # Lowering the text and searching case-sensitively would miss "[A-Z]" in the pattern.
    for pattern in ("[A-Z]x", "Logo", r"\\S"):
        with pytest.raises(ValueError, match="lower case"):
            text.Caseless(pattern)
    for pattern in (r"\S+", r"\W\d\B", r"a\\\\s"):  # escapes keep their meaning
        text.Caseless(pattern)


def test_the_tracker_and_junk_picture_patterns_are_the_folding_ones_on_the_corpus() -> None:
    from aggregator import images, sanitize

    addresses = ["https://FEEDS.FeedBurner.com/~r/Site/~4/abc", "https://ex.com/Share-Icon.PNG",
                 "https://ex.com/img/Facebook_Large.png?v=1", "https://i.guim.co.uk/img/x/500.jpg",
                 "https://ex.com/Avatar/\u212a.png", "https://例子.中国/favicon.ico"]  # fmt: skip
    for path in corpus_files("real", "encodings"):  # (none without the corpus)
        addresses += re.findall(r"https?://[^\s\"'<>]{1,300}", path.read_text("utf-8", "replace"))
    for caseless in (sanitize._NOT_CONTENT, images._JUNK_URL):
        for address in addresses:
            folding = _folding_search(caseless._folding.pattern, address)
            assert caseless.found_in(address) == folding, address
