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

from chardet.euckrfreq import EUCKR_CHAR_TO_FREQ_ORDER
from chardet.gb2312freq import GB2312_CHAR_TO_FREQ_ORDER


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
