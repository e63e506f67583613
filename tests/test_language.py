"""Language: the entry's, else the feed's, else detected; measured on short texts."""

from __future__ import annotations

import array
import contextlib
import ctypes
import re
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import numpy
import pytest

from aggregator import language
from aggregator.config import SourceConfig
from aggregator.errors import ParseError
from aggregator.language import detect
from aggregator.normalize import normalize, title_language
from aggregator.parse import parse
from tests.support import language_eval
from tests.support.corpus import PRESENT, corpus_files
from tests.support.native import requires_native

# Short texts (a title, or a title and a line) as feeds carry them, written for this test.
SAMPLES: dict[str, list[str]] = {
    "en": [
        "Scientists find water ice near the lunar south pole",
        "Parliament votes to delay the new budget until spring",
        "How to make sourdough bread at home",
        "Storm knocks out power to thousands across the coast",
        "The best laptops for students this year",
        "Central bank holds interest rates steady",
        "Local team wins the championship after extra time",
        "Why the city is planting ten thousand trees",
        "New study links sleep to memory in older adults",
        "Review: a quiet, moving film about family",
    ],
    "zh": [
        "科学家在月球南极附近发现水冰",
        "国务院常务会议部署稳就业工作",
        "北京今日迎来今冬首场降雪",
        "新能源汽车销量连续三个月增长",
        "教育部发布高考报名最新通知",
        "上海地铁新线路正式开通运营",
        "专家解读最新出台的房地产政策",
        "台风登陆广东沿海多地停课",
        "这家老字号餐厅为何能火了一百年",
        "人工智能如何改变我们的工作方式",
    ],
    "other": [
        "Wissenschaftler finden Wassereis am Südpol des Mondes",  # de
        "Le gouvernement présente son projet de loi sur le climat",  # fr
        "El presidente anuncia nuevas medidas económicas",  # es
        "東京で大きな地震が発生しました",  # ja
        "Правительство утвердило новый бюджет на следующий год",  # ru
        "서울에서 대규모 축제가 열렸습니다",  # ko
        "O governo anunciou novas regras para o trânsito",  # pt
        "Il sindaco ha inaugurato la nuova biblioteca",  # it
        "De regering presenteert een nieuw klimaatplan",  # nl
        "Hükümet yeni ekonomik paketi açıkladı",  # tr
    ],
}
OTHER_TAGS = ["de", "fr", "es", "ja", "ru", "ko", "pt", "it", "nl", "tr"]


def measure() -> dict[str, tuple[int, int, int]]:
    """Per group: (right, wrong, no answer)."""
    results: dict[str, tuple[int, int, int]] = {}
    for group, texts in SAMPLES.items():
        counts: Counter[str] = Counter()
        for i, text in enumerate(texts):
            want = OTHER_TAGS[i] if group == "other" else group
            got = detect(text)
            counts["none" if not got else "right" if got == want else "wrong"] += 1
        results[group] = (counts["right"], counts["wrong"], counts["none"])
    return results


def test_short_texts_are_mostly_read_right_and_never_confidently_wrong_in_en_and_zh() -> None:
    results = measure()
    print(results)
    for group in ("en", "zh"):
        right, wrong, _ = results[group]
        assert right >= 9, (group, results[group])
        assert wrong == 0, (group, results[group])
    right, wrong, _ = results["other"]
    assert right >= 8, results["other"]
    assert wrong <= 1, results["other"]


def test_too_little_text_is_no_answer_and_detection_is_cheap() -> None:
    assert detect("OK") == ""
    assert detect("Apple 2026") == ""
    assert detect("word " * 1000) == ""
    detect("warm up the model")
    started = time.perf_counter()
    for _ in range(100):
        detect("Central bank holds interest rates steady as inflation cools")
    assert (time.perf_counter() - started) / 100 < 0.01


def _feed(feed_lang: str, item_lang: str, title: str) -> bytes:
    lang = f"<language>{feed_lang}</language>" if feed_lang else ""
    dc = f"<dc:language>{item_lang}</dc:language>" if item_lang else ""
    return (
        '<?xml version="1.0"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"<channel><title>T</title>{lang}<item><guid>1</guid><title>{title}</title>{dc}"
        "<description>Text</description></item></channel></rss>"
    ).encode()


def _language(feed_lang: str, item_lang: str, title: str, source_lang: str = "") -> str:
    source = SourceConfig(
        id="s", name="S", url="https://e.example/f", categories=(), interval=900,
        language=source_lang,
    )  # fmt: skip
    feed = parse(_feed(feed_lang, item_lang, title), url="https://e.example/f", headers={})
    return normalize(feed, source, now=datetime.now(UTC))[0].language


def test_the_tag_comes_from_the_config_the_feed_or_the_text_in_that_order() -> None:
    chinese = "国务院常务会议部署稳就业工作"
    assert _language("", "", chinese) == "zh-Hans"
    assert _language("ja", "", chinese) == "ja"  # the feed's word wins over a guess...
    assert _language("en-us", "", chinese) == "zh-Hans"  # ...unless its text is in another script
    assert _language("English", "", "Parliament passed the budget") == "en"  # names become tags
    assert _language("", "", chinese, source_lang="zh-CN") == "zh-CN"
    assert _language("", "", "OK") == ""  # no guess rather than a wrong one


@pytest.mark.parametrize(
    ("feed_lang", "title", "tag"),
    [
        # Chinese is told in its script, Simplified or Traditional, by the characters only one
        # of them writes: Chrome draws a bare "zh" in Simplified shapes, Traditional text too.
        ("", "国务院常务会议部署稳就业工作", "zh-Hans"),
        ("", "行政院會議通過明年度總預算案", "zh-Hant"),
        ("zh", "港鐵新線開通 市民搶先試乘", "zh-Hant"),
        ("Chinese", "北京今日迎来今冬首场降雪", "zh-Hans"),
        ("zh", "中文", "zh"),  # characters both write: no script to tell
        # A region or script the feed names is its word, kept.
        ("zh-tw", "行政院會議通過明年度總預算案", "zh-TW"),
        ("zh-hk", "港鐵新線開通 市民搶先試乘", "zh-HK"),
        ("zh-cn", "北京今日迎来今冬首场降雪", "zh-CN"),
        ("zh-Hant", "行政院會議通過明年度總預算案", "zh-Hant"),
        ("ja", "東京都知事選挙結果発表", "ja"),  # kanji alone: Japanese is not Chinese
    ],
)
def test_chinese_says_its_script_unless_the_feed_named_one(
    feed_lang: str, title: str, tag: str
) -> None:
    assert _language(feed_lang, "", title) == tag


def test_a_title_not_in_its_articles_chinese_script_says_no_language() -> None:
    """zh-Hans and zh-Hant are Han like zh: an English title of a Chinese article is not
    marked Chinese (a script subtag is otherwise the feed's word: pa-Arab is not checked)."""
    assert title_language("zh-Hant", "Super Market") == ""
    assert title_language("zh-Hans", "Super Market") == ""
    assert title_language("zh-Hant", "颱風逼近 氣象局發布海上警報") == "zh-Hant"
    assert title_language("pa-Arab", "Super Market") == "pa-Arab"


@requires_native
def test_the_c_walk_and_scores_read_texts_as_py3langid_does() -> None:
    """The walk counts exactly py3langid's features; the scores are its sums in another order,
    so probabilities agree to float32's precision and the language is the same."""
    identifier = language._identifier()
    from py3langid.langid import visit_counts

    reference = language.reference()
    assert type(reference) is not type(identifier)  # the reference walks and scores in Python
    texts = [t for group in SAMPLES.values() for t in group]
    texts += ["", " ", "123 456", "x\udc80y", "Ünïcödé " * 40, "word " * 300, "\x00\xff"]
    if PRESENT:  # every title of the corpus's real feeds too
        for path in corpus_files("real"):
            with contextlib.suppress(ParseError):
                feed = parse(path.read_bytes(), url="https://e.example/f", headers={})
                texts += [f"{e.title or ''}\n{e.summary or ''}"[:240] for e in feed.entries]
    for text in texts:
        data = reference._encode(text)
        walk = (reference.tk_nextmove, reference._rowbase, reference.tk_output, data)
        expected_visits = visit_counts(*walk) or {}
        visits = language._native.dfa_counts(*identifier._walk, data) or {}
        assert list(visits.items()) == list(expected_visits.items()), text
        tag, probability = identifier.classify(text)
        expected_tag, expected = reference.classify(text)
        assert tag == expected_tag, text
        assert probability == pytest.approx(expected, abs=1e-4), text


@requires_native
def test_the_c_walk_refuses_an_automaton_that_leads_outside_itself_without_crashing() -> None:
    """Its buffers were freed twice on that path (a crash); an empty automaton was read past."""
    nextmove, rowbase, output = (
        array.array("I", [0] * 4),
        array.array("I", [0]),
        array.array("i", [-1]),
    )
    ptc = numpy.zeros((1, 2), dtype=numpy.float16).data
    pc = numpy.zeros(2, dtype=numpy.float32).data
    for _ in range(200):
        with pytest.raises(ValueError, match="outside itself"):
            language._native.dfa_counts(nextmove, rowbase, output, b"abc" * 1000)
        with pytest.raises(ValueError, match="outside itself"):
            language._native.nb_probabilities(nextmove, rowbase, output, ptc, pc, b"abc" * 1000)
    empty = (array.array("I"), array.array("I"), array.array("i"))
    with pytest.raises(ValueError, match="empty"):
        language._native.dfa_counts(*empty, b"a")


def _mapping_flags(address: int) -> list[str]:
    """The VmFlags of this process's mapping that holds `address` (Linux's /proc/self/smaps)."""
    inside = False
    for line in Path("/proc/self/smaps").read_text().splitlines():
        if (span := _SMAPS_RANGE.match(line)) is not None:
            inside = int(span[1], 16) <= address < int(span[2], 16)
        elif inside and line.startswith("VmFlags:"):
            return line.split()[1:]
    raise AssertionError(f"no mapping holds {address:#x}")


_SMAPS_RANGE = re.compile(r"([0-9a-f]+)-([0-9a-f]+) ")


@pytest.mark.skipif(
    not Path("/sys/kernel/mm/transparent_hugepage").exists(),
    reason="a kernel with transparent huge pages only (elsewhere the moves stay on 4 KB pages)",
)
def test_the_walks_moves_are_the_models_in_memory_that_asks_for_huge_pages() -> None:
    """The walk reads one of the automaton's 9.8 million moves a byte, at random: on 4 KB pages
    nearly each read also missed the TLB. Its copy is advised to the kernel for 2 MB pages
    (MADV_HUGEPAGE: VmFlags "hg"), and holds the model's moves, read as the model's array."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    moves = language._identifier().tk_nextmove
    model = LanguageIdentifier.from_model_file(MODEL_FILE).tk_nextmove
    assert len(moves) == len(model) > 9_000_000
    assert moves == model  # (a memoryview equals an array holding the same numbers)
    assert [moves[i] for i in (0, 1, 12345, len(model) - 1)] == [
        model[i] for i in (0, 1, 12345, len(model) - 1)
    ]
    address = ctypes.addressof(ctypes.c_char.from_buffer(moves))
    assert "hg" in _mapping_flags(address)
    assert "sh" not in _mapping_flags(address)  # (shared memory gets no 2 MB pages)


@requires_native
def test_the_scores_read_rows_ahead_and_sum_them_in_the_order_the_walk_met_them() -> None:
    """nb_probabilities asks for the rows of ptc a few features ahead of the one it sums (a
    hint only): a text of more features than that, the last row among them, gets the numbers
    of the sums in the walk's order, in float32; a feature past ptc is refused, even one the
    read-ahead meets first."""
    features, classes = 40, 7
    # One state per byte value b < 40, whose feature is b; any byte leads to its state.
    nextmove = array.array("I", [b if b < features else 0 for b in range(256)])
    rowbase, output = array.array("I", [0] * 256), array.array("i", list(range(256)))
    output[0] = -1
    rng = numpy.random.default_rng(7)
    ptc = rng.normal(size=(features, classes)).astype(numpy.float16)
    pc = rng.normal(size=classes).astype(numpy.float32)
    data = bytes([39, 5, 5, 12, 1, 39, 30, 2, 2, 2, 17, 8, 33, 39, 4])
    got = language._native.nb_probabilities(nextmove, rowbase, output, ptc.data, pc.data, data)
    counts = Counter(data)  # (in order of first visit, as the walk meets them)
    scores = numpy.zeros(classes, dtype=numpy.float32)
    for feature, count in counts.items():
        weight = numpy.log1p(numpy.float32(count))
        scores = scores + weight * ptc[feature].astype(numpy.float32)
    scores = (scores + pc) * numpy.float32(1 / numpy.sqrt(len(data)))
    exps = numpy.exp(scores - scores.max())
    assert got == pytest.approx(list(exps / exps.sum()), rel=1e-6)
    assert got.index(max(got)) == int(numpy.argmax(exps))
    outside = bytes([1, 2, 3, 4, 5, 6, 7]) + bytes([45])  # (state 45 has feature 45: no row)
    output = array.array("i", list(range(256)))
    nextmove = array.array("I", list(range(256)))
    with pytest.raises(ValueError, match="outside ptc"):
        language._native.nb_probabilities(nextmove, rowbase, output, ptc.data, pc.data, outside)


@pytest.mark.parametrize(
    ("title", "tag"),
    [
        ("서울 날씨 맑음", "ko"),
        ("애플 신제품 발표", "ko"),
        ("ニュース速報", "ja"),
        ("שלום עולם", "he"),
        ("Καλημέρα", "el"),
        ("ข่าววันนี้", "th"),
        # Han alone is Chinese or Japanese (unless it holds kanji only Japanese writes: below);
        # Latin too short says nothing; a mix is no majority.
        ("北京大学", ""),
        ("日本政府発表", "ja"),
        ("Apple", ""),
        ("OK", ""),
        ("Apple iPhone 발표", ""),
    ],
)
def test_a_title_too_short_to_classify_is_told_by_a_script_one_language_writes(
    title: str, tag: str
) -> None:
    assert detect(title) == tag


@pytest.mark.parametrize(
    ("title", "tag"),
    [
        ("東京都知事選挙結果発表", "ja"),
        ("日本政府発表", "ja"),
        ("経済産業省半導体支援策決定", "ja"),
        ("東京駅周辺再開発計画", "ja"),
        ("韓國 經濟 危機 심화", "ko"),
        ("廣島舉行原爆紀念儀式", "zh"),
        ("讀賣新聞報導 日本內閣支持率下滑", "zh"),
        ("广岛举行原爆纪念仪式", "zh"),
        # Chinese quoting Korean or a Japanese name, a character Chinese writes too (a review)
        ("韩国女团BLACKPINK新歌《뚜두뚜두》MV播放量突破十亿次，成为首支达成此成就的作品", "zh"),
        ("学韩语：안녕하세요是什么意思？", "zh"),
        ("沙家浜景区迎来游客高峰", "zh"),
        ("日経平均株価大幅下跌，投資者擔心經濟前景", "zh"),
        ("小沢一郎访华", ""),  # (too short to tell: not "ja")
        ("渡邊発表", "ja"),  # (a traditional form Japanese names keep)
        # Chinese naming an anime in its kana, in the title marks 《》 or beside them: Japanese
        # to the model; Japanese quoting a work or naming one in katakana stays Japanese.
        ("动画《ワンピース》最新话预告公开", "zh"),
        ("《ソードアート・オンライン》新作动画发表", "zh"),
        ("新番《スパイファミリー》第二季定档", "zh"),
        ("《ドラえもん》新电影上映", "zh"),
        ("《君の名は。》が中国で公開", "ja"),
        ("「ワンピース」最新話の予告が公開", "ja"),
        ("ソードアート・オンライン新作アニメ制作決定", "ja"),
    ],
)
def test_japanese_in_kanji_alone_is_told_by_its_own_kanji(title: str, tag: str) -> None:
    """Kanji-only Japanese headlines were Chinese to the model (zh-Hant on the page), and a
    Korean one with Hanja too; Chinese naming Japan's places in Chinese forms stays Chinese."""
    assert detect(title) == tag


def _feed_of(titles: list[str], site: str, date: str = "2020-01-10 14:33") -> bytes:
    items = "".join(
        f"<item><guid>{i}</guid><title>{t}</title><link>{site}{i}</link><pubDate>{date}</pubDate>"
        "</item>"
        for i, t in enumerate(titles)
    )
    return (
        f'<rss version="2.0"><channel><title>T</title><link>{site}</link>{items}</channel></rss>'
    ).encode()


KANA = ["東京で大雪 交通に乱れ", "新型スマホを発表しました"]
SHARED_KANJI = ["大阪万博開幕", "日銀金融政策決定会合", "岸田首相 記者会見"]


@pytest.mark.parametrize(
    ("titles", "site", "tags"),
    [
        # kana in the feed's other items: its kanji-only titles are Japanese too
        (SHARED_KANJI + KANA, "https://news.example.com/", ["ja"] * 5),
        # no kana at all, but the site under .jp (NHK's host)
        (SHARED_KANJI, "https://www3.nhk.example.jp/", ["ja"] * 3),
        # Chinese quoted in a Japanese feed, and a Chinese site under .jp, stay Chinese
        (["日本首相访问北京 双方签署经济协议", *KANA], "https://news.example.com/", ["zh-Hans"]),
        (
            ["大阪世博会开幕 首日游客超十万", "东京股市大幅下跌"],
            "https://cn.example.jp/",
            ["zh-Hans"],
        ),
        # a Chinese feed naming anime in kana is no Japanese feed
        (
            ["鬼滅之刃劇場版上映 票房創新高", "《ソードアート・オンライン》新作动画发表"],
            "https://acg.example.com/",
            ["zh-Hant"],
        ),
    ],
)
def test_kanji_alone_is_japanese_in_a_feed_japanese_by_its_other_items_or_its_host(
    titles: list[str], site: str, tags: list[str]
) -> None:
    """Kanji Chinese writes too ("大阪万博開幕", "岸田首相 記者会見") were Chinese, or no
    language, when the feed declares none: its other items' kana, or its host, say Japanese."""
    feed = parse(_feed_of(titles, site), url=f"{site}feed", headers={})
    source = SourceConfig(id="s", name="S", url=f"{site}feed", categories=(), interval=900)
    articles = normalize(feed, source, now=datetime(2026, 1, 1, tzinfo=UTC))
    assert [a.language for a in articles][: len(tags)] == tags
    if tags[0] == "ja":  # and its dates without a zone are Tokyo's, not Shanghai's
        assert articles[0].published == datetime(2020, 1, 10, 5, 33, tzinfo=UTC)


def test_the_labelled_set_holds_what_was_measured() -> None:
    """Floors just under the measured quality (bench/language_eval.py; 2026-12-05, before the
    rule on other scripts and Chinese's script: declared-but-wrong recall 0.37, Chinese script
    0.35, all 0.71 of 258 cases), on the written cases alone without the corpus."""
    report = language_eval.evaluate()
    assert report.recall("declared-wrong") >= 0.75, report.table()
    assert report.recall("mixed-neg") >= 0.9, report.table()  # the hard negatives
    assert report.recall("zh-script") >= 0.9, report.table()
    # (2026-12-06: kanji-only Japanese 0.25 of 16 before Japanese's own kanji were read, 0.81
    # after; the Chinese and Korean beside them 11 of 12, then all 12.)
    assert report.recall("ja-kanji") >= 0.8, report.table()
    assert report.recall("cjk-neg") == 1.0, report.table()
    # (2026-12-06: kanji-only Japanese in a Japanese feed, by its other items or its host, 1 of
    # 9 before the feed was read together, 8 after; the Chinese beside them stay Chinese.)
    assert report.recall("ja-feed") >= 0.85, report.table()
    assert report.precision("zh-feed") == 1.0, report.table()
    assert report.precision("all") >= 0.88, report.table()
    if PRESENT:
        assert report.recall("declared-right") == 1.0, report.table()
        assert report.recall("undeclared") >= 0.9, report.table()
