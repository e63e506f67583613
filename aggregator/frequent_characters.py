"""The Hangul syllables and hanzi most frequent in Korean and Chinese text, for telling a short
undeclared text in one encoding from the other (parse._chinese_not_korean, _few_common_hanzi).

Read from the frequency orders of Mozilla's universal charset detector as chardet ships them
(euckrfreq and gb2312freq, each counted over some 20M characters), not copied here: chardet is
LGPL and this project MIT, so its data stays in its package and is used as a library. The 512
most frequent of KS X 1001's 2,350 syllables make 98.6% of Korean text; the 1,024 most frequent
of GB2312's 3,755 level-1 hanzi, 92% of Chinese text (the first 512, 79%). Each most frequent
first.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from chardet.big5freq import BIG5_CHAR_TO_FREQ_ORDER
from chardet.euckrfreq import EUCKR_CHAR_TO_FREQ_ORDER
from chardet.gb2312freq import GB2312_CHAR_TO_FREQ_ORDER
from chardet.jisfreq import JIS_CHAR_TO_FREQ_ORDER


def _most_frequent(orders: tuple[int, ...], encoding: str, rows: int, count: int) -> str:
    """The `count` characters of lowest frequency order in the first `rows` rows from lead byte
    0xB0, 94 cells each (as the tables index them); cells the encoding leaves empty are passed."""
    ranked = []
    for index, order in enumerate(orders[: rows * 94]):
        row, cell = divmod(index, 94)
        try:
            ranked.append((order, bytes((0xB0 + row, 0xA1 + cell)).decode(encoding)))
        except UnicodeDecodeError:
            continue
    return "".join(character for _, character in sorted(ranked)[:count])


HANGUL = _most_frequent(EUCKR_CHAR_TO_FREQ_ORDER, "euc_kr", rows=25, count=512)  # 0xB0-0xC8
HANZI = _most_frequent(GB2312_CHAR_TO_FREQ_ORDER, "gb2312", rows=40, count=1024)  # 0xB0-0xD7


def _ranks(
    orders: tuple[int, ...], encoding: str, index: Callable[[int, int], int]
) -> dict[str, int]:
    """Each character of a double-byte encoding -> its frequency order (0 the most frequent), for
    the pairs the table indexes by `index(lead, trail)`."""
    ranks: dict[str, int] = {}
    for lead in range(0x81, 0xFF):
        for trail in range(0x40, 0xFF):
            i = index(lead, trail)
            if not 0 <= i < len(orders):
                continue
            try:
                character = bytes((lead, trail)).decode(encoding)
            except UnicodeDecodeError:
                continue
            if len(character) == 1:
                ranks.setdefault(character, orders[i])
    return ranks


def _euc(first: int) -> Callable[[int, int], int]:
    """The index of an EUC table whose first row is `first` (94 cells a row from 0xA1)."""
    return lambda lead, trail: (
        94 * (lead - first) + trail - 0xA1 if lead >= first and trail >= 0xA1 else -1
    )


def _big5(lead: int, trail: int) -> int:
    if lead < 0xA4 or not (0x40 <= trail <= 0x7E or trail >= 0xA1):
        return -1
    return 157 * (lead - 0xA4) + (trail - 0xA1 + 63 if trail >= 0xA1 else trail - 0x40)


@functools.cache
def ranks() -> dict[str, dict[str, int]]:
    """A character's frequency order (0 the most frequent) in the text of each double-byte
    encoding, by its codec: Simplified Chinese (GB2312's level 1), Traditional (Big5), Korean
    (KS X 1001's syllables) and Japanese (JIS X 0208, kana included). Built on first use (a
    quarter of a second), for short undeclared text only."""
    return {
        "gb18030": _ranks(GB2312_CHAR_TO_FREQ_ORDER, "gb2312", _euc(0xB0)),
        "big5hkscs": _ranks(BIG5_CHAR_TO_FREQ_ORDER, "big5", _big5),
        "cp949": _ranks(EUCKR_CHAR_TO_FREQ_ORDER, "euc_kr", _euc(0xB0)),
        "japanese": _ranks(JIS_CHAR_TO_FREQ_ORDER, "euc_jp", _euc(0xA1)),
    }
