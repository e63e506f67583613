"""Small feed documents this project wrote (tests/fixtures/): what the corpus proves, in a clone.

The external corpus (tests/support/corpus.py) holds hundreds of real feeds, several under the GPL,
so it stays outside the repository. These fixtures cover its core cases in a few lines each:
Chinese in GB2312, GBK and Big5, UTF-16, a wrong encoding declaration, every RSS version, Atom,
JSON Feed, an HTML page that advertises its feed, XML that is broken but readable, gzip bytes
served as XML, and broken OPML. Every text here was written for these tests.

The files in legacy encodings are generated from the text below, so the text stays readable and
reviewable: after editing it, run `python -m tests.support.fixtures` to rewrite tests/fixtures/
(tests/test_fixtures.py fails while the files and this module disagree). The UTF-8 files are
written by hand and only read here.

`FEEDS` says what each fixture must come out as: parse, normalize, fetch and the end-to-end
ingest tests all check against it.
"""

from __future__ import annotations

import codecs
import gzip
from dataclasses import dataclass
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _rss(encoding: str, title: str, language: str, items: list[tuple[str, str]]) -> str:
    """An RSS 2.0 document declaring `encoding`, with (title, description) items."""
    body = "".join(
        f"  <item>\n    <title>{t}</title>\n    <link>https://news.example.cn/{n}.html</link>\n"
        f'    <guid isPermaLink="false">story-{n}</guid>\n'
        f"    <pubDate>Mon, 2{n} Oct 2026 0{n}:30:00 +0800</pubDate>\n"
        f"    <description>{d}</description>\n  </item>\n"
        for n, (t, d) in enumerate(items, 1)
    )
    return (
        f'<?xml version="1.0" encoding="{encoding}"?>\n<rss version="2.0">\n<channel>\n'
        f"  <title>{title}</title>\n  <link>https://news.example.cn/</link>\n"
        f"  <language>{language}</language>\n{body}</channel>\n</rss>\n"
    )


# Simplified Chinese that GB2312 itself can encode.
GB2312_TEXT = _rss(
    "gb2312",
    "城市晚报：今日要闻",
    "zh-cn",
    [
        ("春节前铁路客流创新高", "多条线路增开夜间列车，车站延长售票时间。"),
        ("市图书馆周末开放古籍阅览室", "读者可以预约参观，每场限三十人。"),
        ("南方多地迎来今年第一场雪", "气象部门提醒市民注意出行安全。"),
    ],
)

# Declared GB2312 but holding characters only GBK has (堃, 喆, 镕 and 珺 are common in names):
# what real "gb2312" feeds send, and what a strict GB2312 decoder turns into U+FFFD.
GBK_TEXT = _rss(
    "gb2312",
    "人物周刊：访谈",
    "zh-cn",
    [
        ("王堃谈乡村教师的二十年", "从一所小学到整个县城，他记得每个学生。"),
        ("李喆的新专辑今天发行", "十首歌都写在旅行途中。"),
        ("张镕与陈珺合写的小说出版", "一部关于老街和茶馆的故事。"),
    ],
)

# Traditional Chinese in Big5.
BIG5_TEXT = _rss(
    "big5",
    "島嶼日報：焦點新聞",
    "zh-tw",
    [
        ("臺北捷運新路線今日通車", "沿線居民表示，通勤時間可以縮短一半。"),
        ("颱風過後農民清點損失", "香蕉與稻米受災最嚴重。"),
        ("夜市小吃地圖正式上線", "遊客可以依照地區查詢營業時間。"),
    ],
)

UTF16_TEXT = _rss(
    "utf-16",
    "Ünïcödé Digest ✓",
    "en",
    [
        ("Пример: новости по-русски", "Кириллица в UTF-16."),
        ("日本語のニュース", "ひらがなとカタカナ。"),
        ("Emoji survive too 🎉", "Astral characters need surrogate pairs in UTF-16."),
    ],
)

# Both declare UTF-8 and are not: the bytes are windows-1252 and GB2312.
WRONG_CP1252_TEXT = _rss(
    "utf-8",
    "Café Crème — Le journal",
    "fr",
    [
        ("Les crêpes du marché coûtent 3 €", "Une hausse de prix très discutée à la fête."),
        ("Naïve questions about the résumé", "Déjà vu: the same answers, à la carte."),
    ],
)
WRONG_GB2312_TEXT = _rss(
    "utf-8",
    "城市晚报：体育新闻",
    "zh-cn",
    [
        ("市队在主场以三比一获胜", "球迷在比赛结束后久久不愿离开体育场，大家一起唱歌庆祝。"),
        ("马拉松比赛下周日举行", "组委会提醒参赛选手提前领取号码布，并注意天气变化。"),
        ("青少年游泳训练营开始报名", "训练营为期两周，由专业教练指导，名额有限，先到先得。"),
    ],
)


def generated() -> dict[str, bytes]:
    """The fixture files this module writes: name -> bytes."""
    gzipped = (FIXTURES / "rss20.xml").read_bytes()
    return {
        "gb2312.xml": GB2312_TEXT.encode("gb2312"),
        "gbk.xml": GBK_TEXT.encode("gbk"),
        "big5.xml": BIG5_TEXT.encode("big5"),
        "utf16-bom.xml": codecs.BOM_UTF16_LE + UTF16_TEXT.encode("utf-16-le"),
        "wrong-declaration-cp1252.xml": WRONG_CP1252_TEXT.encode("cp1252"),
        "wrong-declaration-gb2312.xml": WRONG_GB2312_TEXT.encode("gb2312"),
        # Gzip bytes served as XML with no Content-Encoding, as some misconfigured servers do.
        "gzipped-rss20.xml": gzip.compress(gzipped, mtime=0),
    }


@dataclass(frozen=True)
class Feed:
    """A fixture feed and what parsing it must give."""

    name: str
    content_type: str
    title: str | None  # the feed's title
    first: str  # the first entry's title (its text when it has no title)
    entries: int
    warning: str = ""  # a substring of the parse warning; "" when there must be none

    @property
    def path(self) -> Path:
        return FIXTURES / self.name


FEEDS = (
    Feed("gb2312.xml", "application/rss+xml", "城市晚报：今日要闻", "春节前铁路客流创新高", 3),
    Feed("gbk.xml", "application/rss+xml", "人物周刊：访谈", "王堃谈乡村教师的二十年", 3),
    Feed("big5.xml", "application/rss+xml", "島嶼日報：焦點新聞", "臺北捷運新路線今日通車", 3),
    Feed("utf16-bom.xml", "application/xml", "Ünïcödé Digest ✓", "Пример: новости по-русски", 3),
    Feed(
        "wrong-declaration-cp1252.xml",
        "application/rss+xml",
        "Café Crème — Le journal",
        "Les crêpes du marché coûtent 3 €",
        2,
        warning="windows-1252",
    ),
    Feed(
        "wrong-declaration-gb2312.xml",
        "application/rss+xml",
        "城市晚报：体育新闻",
        "市队在主场以三比一获胜",
        3,
        warning="declares UTF-8 but reads as GB18030",
    ),
    Feed("rss091.xml", "application/rss+xml", "Harbour Notes", "Ferry timetable changes", 2),
    Feed("rss092.xml", "text/xml", "Allotment Radio", "Seed swap this Saturday", 3),
    Feed("rss10.rdf", "application/rdf+xml", "Village Bulletin", "Library hours extended", 2),
    Feed(
        "rss20.xml", "application/rss+xml", "Riverside Gazette", "Bridge reopens after repairs", 4
    ),
    Feed("atom10.xml", "application/atom+xml", "Field Notes", "Migrating swifts counted", 2),
    Feed("jsonfeed11.json", "application/feed+json", "Kitchen Log", "Sourdough, day three", 2),
    Feed(
        "malformed-readable.xml",
        "application/rss+xml",
        "Fish & Chips Weekly",
        "Salt & vinegar: the debate",
        2,
        warning="not well-formed",
    ),
    Feed(
        "gzipped-rss20.xml",
        "application/xml",
        "Riverside Gazette",
        "Bridge reopens after repairs",
        4,
    ),
)

# Read as a feed, this page is an error that names the feeds it advertises.
HTML_PAGE = FIXTURES / "page-with-feeds.html"
HTML_PAGE_URL = "https://blog.example.net/notes/"
HTML_PAGE_FEEDS = ("https://blog.example.net/feed.xml", "https://blog.example.net/notes/atom.xml")


def main() -> None:
    for name, body in generated().items():
        (FIXTURES / name).write_bytes(body)
        print(f"wrote tests/fixtures/{name} ({len(body)} bytes)")


if __name__ == "__main__":
    main()
