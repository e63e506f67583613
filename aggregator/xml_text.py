"""Text that XML 1.0 can carry: what every XML document we write (feeds, OPML) puts in it."""

from __future__ import annotations

import re

# Characters XML 1.0 forbids (C0 controls but tab/LF/CR, surrogates, U+FFFE/U+FFFF), escaped or
# not: lxml refuses them and a reader would refuse the whole document. The config accepts them
# in a name (TOML escapes), and a source may send them; they are dropped from every string. So
# are those it asks documents to avoid (section 2.2: DEL and the C1 controls but NEL, the
# noncharacters U+FDD0-U+FDEF and the last two code points of every plane), which validators
# report and no text means.
_PLANES = "".join(f"\\U{plane:04x}0000-\\U{plane:04x}fffd" for plane in range(1, 17))
_NOT_XML_CHAR = re.compile(f"[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufdcf\ufdf0-\ufffd{_PLANES}]")


# A byte that every such character's UTF-8 starts with: itself for those of ASCII, the lead
# byte of U+0080-U+00BF (C2), U+D000-U+DFFF (ED), U+F000-U+FFFF (EF) and of the planes past the
# first (F0-F4) for the others. Text with none has none of them (tests/test_xml_text.py checks
# every code point).
_LEAD_BYTES = bytes(
    [*range(0x9), 0xB, 0xC, *range(0xE, 0x20), 0x7F, 0xC2, 0xED, 0xEF, *range(0xF0, 0xF5)]
)


def xml_text(value: str) -> str:
    """`value` without the characters XML 1.0 cannot carry or asks documents to avoid."""
    # Most text has none: one pass of bytes.translate over its UTF-8 says so in a fraction of
    # the regex's time (~3 ns a character, on every title and body of a cold round).
    data = value.encode("utf-8", "surrogatepass")
    if len(data.translate(None, _LEAD_BYTES)) == len(data):
        return value
    return _NOT_XML_CHAR.sub("", value)


def xml_char(code: int) -> bool:
    """Whether the code point is a character XML 1.0 allows (its Char production): a reference
    to another ("&#xD800;", "&#1;") makes a document ill-formed."""
    return (
        code in (0x9, 0xA, 0xD)
        or 0x20 <= code <= 0xD7FF
        or 0xE000 <= code <= 0xFFFD
        or 0x10000 <= code <= 0x10FFFF
    )
