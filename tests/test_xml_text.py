"""xml_text and xml_char: what XML 1.0 lets a document carry, every code point checked."""

from __future__ import annotations

import re

from aggregator.xml_text import xml_char, xml_text

# XML 1.0's Char production, less what section 2.2 asks documents to avoid (DEL, the C1
# controls but NEL, U+FDD0-U+FDEF and the last two code points of every plane): the reference.
_KEPT = re.compile(
    "[\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufdcf\ufdf0-\ufffd"
    + "".join(f"\\U{plane:04x}0000-\\U{plane:04x}fffd" for plane in range(1, 17))
    + "]"
)
_EVERY = [chr(code) for code in range(0x110000)]


def test_every_code_point_xml_asks_to_avoid_is_dropped_from_any_text() -> None:
    dropped = [c for c in _EVERY if not _KEPT.fullmatch(c)]
    assert len(dropped) == 2175  # 30 of ASCII, 31 C1, 2,048 surrogates, 32 + 2 + 32 noncharacters
    for c in dropped:  # alone, and in ASCII, Latin, CJK and emoji text
        assert xml_text(c) == ""
        assert xml_text(f"a{c}b") == "ab"
        assert xml_text(f"é{c}中\U0001f600") == "é中\U0001f600"


def test_every_other_code_point_is_kept_as_it_is() -> None:
    kept = [c for c in _EVERY if _KEPT.fullmatch(c)]
    for c in kept:
        assert xml_text(c) == c
        assert xml_text(f"a{c}\x01b") == f"a{c}b"  # beside one that goes, too
    assert xml_text("".join(_EVERY)) == "".join(kept)


def test_xml_char_is_the_char_production_only() -> None:
    # What a reference may name: not 29 C0 controls, 2,048 surrogates, U+FFFE and U+FFFF; DEL,
    # C1 and the other noncharacters are only to be avoided.
    refused = [code for code in range(0x110000) if not xml_char(code)]
    assert len(refused) == 29 + 2048 + 2
    assert [code for code in refused if code > 0xFFFF or 0x20 <= code < 0xD800] == []
    assert all(xml_char(code) for code in (0x7F, 0x85, 0x9F, 0xFDD0, 0x1FFFE))
