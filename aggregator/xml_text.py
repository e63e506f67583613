"""Text that XML 1.0 can carry: what every XML document we write (feeds, OPML) puts in it."""

from __future__ import annotations

import re

# Characters XML 1.0 forbids (C0 controls but tab/LF/CR, surrogates, U+FFFE/U+FFFF), escaped or
# not: lxml refuses them and a reader would refuse the whole document. The config accepts them
# in a name (TOML escapes), and a source may send them; they are dropped from every string.
_NOT_XML_CHAR = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(value: str) -> str:
    """`value` without the characters XML 1.0 cannot carry."""
    return _NOT_XML_CHAR.sub("", value)
