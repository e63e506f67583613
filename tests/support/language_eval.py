"""A labelled development set for the language each article is tagged with, by kind of case.

An article's language is the `lang` of its page, its Atom entry's `xml:lang` and its JSON Feed
item's `language`: readers' browsers pick fonts and voices by it. Each case is a channel with a
declared `<language>` (or none) and one item; its article's tag is compared with the one a reader
would expect, by kind: declared and right, declared but wrong (a CMS's `en` over Arabic, `kn` over
English), undeclared, hard negatives (English quoting another script, which must stay English;
another script's text naming Latin brands, links and code, which must keep its tag), short
titles, Chinese in its two scripts, Japanese in kanji alone, Serbian in both scripts.

The corpus's cases are its entries, labelled by file after reading them (read from the corpus at
run time, nothing copied); the rest were written for this set (2026-12-05). Without the corpus,
the written ones alone are measured. `bench/language_eval.py` prints the table;
`tests/test_language.py` holds its floors.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from xml.sax.saxutils import escape

from aggregator.config import SourceConfig
from aggregator.normalize import _text, normalize
from aggregator.parse import parse
from tests.support.corpus import CORPUS, PRESENT

KINDS = (
    "declared-right",
    "declared-wrong",
    "undeclared",
    "mixed-neg",
    "short",
    "zh-script",
    "ja-kanji",
    "cjk-neg",
    "ja-feed",
    "zh-feed",
    "serbian",
)


@dataclass(frozen=True)
class Case:
    kind: str
    declared: str  # the channel's <language>
    title: str
    summary: str
    expected: str  # the tag a reader expects; "" when no language can be told
    entry_lang: str = ""  # the item's own <dc:language>
    source: str = "written"
    siblings: tuple[str, ...] = ()  # the titles of the feed's other items, after this one
    url: str = ""  # the feed's address, when its host matters (.jp)


WRITTEN: list[Case] = []


def add(kind: str, declared: str, title: str, summary: str, expected: str) -> None:
    WRITTEN.append(Case(kind, declared, title, summary, expected))


# --- written for this set ------------------------------------------------------------------

# I1: a channel declaring en over items in another script, with Latin brand names, URLs, code.
for t, s, e in [
    ("آبل تطلق iPhone 16 Pro في السعودية", "", "ar"),
    ("مايكروسوفت تعلن عن Windows 12 رسميا", "", "ar"),
    (
        "عاجل: زلزال بقوة 5.2 درجات يضرب المغرب",
        "https://www.hespress.com/news/2024/earthquake-morocco-update.html",
        "ar",
    ),
    ("سامسونج Galaxy S24 Ultra: المراجعة الكاملة", "", "ar"),
    ("تحديث جديد لتطبيق WhatsApp يضيف ميزة الترجمة", "", "ar"),
    (
        "OpenAI تطلق ChatGPT بالعربية",
        "أعلنت شركة OpenAI اليوم عن دعم اللغة العربية في ChatGPT",
        "ar",
    ),
    ("الدوري الإسباني: Real Madrid يفوز على Barcelona", "", "ar"),
    (
        "كيف تستخدم Python لتحليل البيانات",
        "import pandas as pd; df = pd.read_csv('data.csv')",
        "ar",
    ),
    (
        "الحكومة تعلن ميزانية العام المقبل",
        "أعلنت وزارة المالية اليوم عن تفاصيل الميزانية الجديدة للعام المقبل",
        "ar",
    ),
    ("شاهد: فيديو جديد على YouTube", "المصدر: https://www.youtube.com/watch?v=dQw4w9WgXcQ", "ar"),
    ("گوگل Pixel 9 را معرفی کرد", "", "fa"),
    ("پاکستان کرکٹ ٹیم کا PSL میں شاندار آغاز", "", "ur"),
    ("苹果发布 iPhone 16 Pro Max", "", "zh-Hans"),
    ("微软宣布 Windows 11 免费升级", "", "zh-Hans"),
    ("特斯拉 Model Y 在华降价", "", "zh-Hans"),
    (
        "国家统计局：上半年国内生产总值同比增长5%",
        "国家统计局今天发布数据，上半年经济运行总体平稳。",
        "zh-Hans",
    ),
    ("台積電公布第三季財報 營收創新高", "", "zh-Hant"),
    ("華為發表 Mate 60 Pro 手機", "", "zh-Hant"),
    ("行政院會議通過明年度總預算案", "行政院今天召開院會，通過明年度中央政府總預算案。", "zh-Hant"),
    ("Яндекс запустил YandexGPT 3 для бизнеса", "", "ru"),
    ("Apple представила новый MacBook Pro на чипе M3", "", "ru"),
    ("Сбербанк: курс USD/RUB вырос до 95 рублей", "", "ru"),
    (
        "Путин подписал закон о налогах",
        "Президент подписал закон, который меняет налоговую систему.",
        "ru",
    ),
    ("ソニー、PlayStation 5 Proを発表", "", "ja"),
    ("任天堂 Switch 2 の発売日が決定", "", "ja"),
    ("東京都、新型コロナ対策を強化", "東京都は今日、新たな対策を発表しました。", "ja"),
    ("삼성전자, Galaxy S24 공개", "", "ko"),
    ("אפל משיקה את iPhone 16 בישראל", "", "he"),
    ("Η Apple παρουσίασε το νέο iPhone", "", "el"),
    ("रिलायंस जियो ने 5G सेवा शुरू की", "", "hi"),
]:
    add("declared-wrong", "en", t, s, e)

# Hard negatives 1: English text quoting another script; the channel's en must stand.
for t, s in [
    ("Review: 東京物語 (Tokyo Story)", "Ozu's film about a family, and time."),
    (
        "Putin says «Россия не отступит» in annual address",
        "The Russian president spoke for two hours.",
    ),
    ("The meaning of 'inshallah' (إن شاء الله) in everyday speech", ""),
    (
        "Why 'Made in China 2025' (中国制造2025) worries Washington",
        "Beijing's industrial plan targets ten sectors.",
    ),
    (
        "Learning Japanese: the difference between は and が",
        "Particles confuse beginners more than kanji.",
    ),
    ("Song of the week: Кино — «Группа крови»", "A Soviet rock classic turns forty."),
    (
        "Hong Kong protesters chant 光復香港 時代革命",
        "The slogan was later ruled illegal by a court.",
    ),
    (
        "Korean drama '오징어 게임' breaks Netflix records",
        "Squid Game became the platform's most watched series.",
    ),
    ("Menu review: 麻婆豆腐, 小笼包 and more at Chinatown's new spot", ""),
    ("The Hebrew word שלום means more than hello", ""),
    ("Greek philosophy: what Plato meant by ἀρετή", ""),
    ("Tokyo Story (東京物語, 1953)", ""),
    ("新年快乐! How to celebrate Lunar New Year in London", "Events across the city this weekend."),
    ("Arabic calligraphy: بسم الله الرحمن الرحيم explained", ""),
    ("Modi's slogan सबका साथ, सबका विकास", "The prime minister repeated it at a rally in Delhi."),
    ("Zelensky: «Україна переможе»", "The president addressed parliament on Tuesday."),
    ("What does 'Слава Україні' mean?", ""),
    (
        "习近平 meets Biden in San Francisco",
        "The two leaders met for four hours at a California estate.",
    ),
]:
    add("mixed-neg", "en", t, s, "en")
# Hard negatives 2: text in its declared language's script with Latin brands, URLs, code.
for d, t, s, e in [
    ("ja", "Apple、新型iPhone 16 Proを発表 Apple Intelligenceに対応", "", "ja"),
    ("ja", "GitHub Copilot Workspaceを試してみた", "", "ja"),
    ("ja", "Rust 1.80 リリース", "https://blog.rust-lang.org/2024/07/25/Rust-1.80.0.html", "ja"),
    ("zh-CN", "苹果发布新款iPhone", "苹果公司周二在加州发布了新款手机。", "zh-CN"),
    ("zh-cn", "OpenAI发布GPT-4o，支持实时语音对话", "", "zh-CN"),
    ("zh", "Python 3.13 正式发布：JIT 编译器和 free-threading 模式", "", "zh-Hans"),
    (
        "zh-CN",
        "Docker Compose 教程",
        "docker compose up -d --build && docker compose logs -f web",
        "zh-CN",
    ),
    ("ru", "Обзор Samsung Galaxy S24 Ultra", "", "ru"),
    ("ru", "Как настроить nginx и Let's Encrypt на Ubuntu 22.04", "", "ru"),
    ("ar", "مراجعة هاتف Samsung Galaxy S24 Ultra", "", "ar"),
    ("ar", "شرح git rebase و git merge", "", "ar"),
    ("ko", "LG전자, OLED TV 신제품 공개", "", "ko"),
    ("he", "Microsoft משיקה את Copilot בעברית", "", "he"),
    ("uk", "Як встановити Docker на Windows 11", "", "uk"),
    ("hi", "Google Pixel 9 की कीमत भारत में लीक", "", "hi"),
    ("fa", "آموزش نصب Ubuntu Server 24.04 LTS", "", "fa"),
]:
    add("mixed-neg", d, t, s, e)

# Short titles.
for d, t, e in [
    ("", "Breaking news", "en"),
    ("", "Wetter heute", "de"),
    ("", "Météo du jour", "fr"),
    ("", "Новости дня", "ru"),
    ("", "今日头条", "zh-Hans"),
    ("", "速報", "ja"),
    ("", "서울 날씨 맑음", "ko"),
    ("", "ニュース速報", "ja"),
    ("", "Καλημέρα", "el"),
    ("", "שלום עולם", "he"),
    ("", "ข่าววันนี้", "th"),
    ("", "عاجل", "ar"),
    ("", "الطقس اليوم", "ar"),
    ("", "Погода", "ru"),
    ("", "Apple 2026", ""),
    ("", "OK", ""),
    ("en", "OK", "en"),
    ("en", "عاجل", "ar"),
    ("en", "快讯", "zh-Hans"),
    ("en", "Новости", "ru"),
    ("de", "Ticker", "de"),
    ("ru", "iOS 18", "ru"),
    ("ja", "速報", "ja"),
    ("zh", "快讯", "zh-Hans"),
]:
    add("short", d, t, "", e)

# Simplified and Traditional Chinese, declared in every way feeds do.
simp = [
    ("国务院常务会议部署稳就业工作", "会议指出，要加大对企业的支持力度。"),
    ("北京今日迎来今冬首场降雪", "市气象台发布道路结冰黄色预警。"),
    ("新能源汽车销量连续三个月增长", ""),
]
trad = [
    ("行政院會議通過明年度總預算案", "行政院今天召開院會。"),
    ("颱風逼近 氣象局發布海上警報", "中央氣象署表示，颱風將於明天登陸。"),
    ("港鐵新線開通 市民搶先試乘", ""),
]
for t, s in simp:
    add("zh-script", "", t, s, "zh-Hans")
    add("zh-script", "zh", t, s, "zh-Hans")
    add("zh-script", "zh-cn", t, s, "zh-CN")
for t, s in trad:
    add("zh-script", "", t, s, "zh-Hant")
    add("zh-script", "zh", t, s, "zh-Hant")
add("zh-script", "zh-tw", *trad[0], "zh-TW")
add("zh-script", "zh-tw", *trad[1], "zh-TW")
add("zh-script", "zh-hk", *trad[2], "zh-HK")
add("zh-script", "zh-Hant", *trad[1], "zh-Hant")
add("zh-script", "zh-Hans", *simp[0], "zh-Hans")
add("zh-script", "Chinese", *simp[1], "zh-Hans")
add("zh-script", "zh-cn", *trad[0], "zh-Hant")  # a CMS's zh-CN over Traditional text
add("zh-script", "zh-tw", *simp[2], "zh-Hans")  # and zh-TW over Simplified

# Japanese in kanji only (no kana): Han is Chinese or Japanese; what says which?
for d, t, s, e in [
    ("ja", "東京都知事選挙結果発表", "", "ja"),
    ("ja", "内閣総理大臣談話", "", "ja"),
    ("", "経済産業省半導体支援策決定", "", "ja"),
    ("", "日本政府発表", "", "ja"),
    ("", "大阪万博開幕", "来場者数初日十万人超", "ja"),
    ("en", "東京都知事選挙結果発表", "", "ja"),
]:
    add("ja-kanji", d, t, s, e)

# More titles of the CJK languages, undeclared (2026-12-06): Japanese in kanji alone, and the
# Chinese that must stay Chinese: in either script, naming Japan's places and people in
# Chinese forms (广岛, 讀賣), and Korean with Hanja. Mixed-script ones: kana, Hangul or Latin.
for t, e in [
    ("衆議院解散総選挙", "ja"),
    ("日銀金融政策決定会合", "ja"),
    ("円安進行 一時百五十円台", "ja"),
    ("新幹線運転見合", "ja"),  # (見合わせ, its kana cut off)
    ("北海道地震 震度六弱観測", "ja"),
    ("株価急落 日経平均終値", "ja"),
    ("東京駅周辺再開発計画", "ja"),
    ("岸田首相 記者会見", "ja"),
    ("日本首相访问北京 双方签署经济协议", "zh-Hans"),
    ("广岛举行原爆纪念仪式", "zh-Hans"),
    ("东京股市大幅下跌", "zh-Hans"),
    ("人工智能发展报告发布", "zh-Hans"),
    ("日本首相訪問台北 雙方簽署經濟協議", "zh-Hant"),
    ("廣島舉行原爆紀念儀式", "zh-Hant"),
    ("東京股市大幅下跌 日圓走弱", "zh-Hant"),
    ("讀賣新聞報導 日本內閣支持率下滑", "zh-Hant"),
    ("台積電熊本廠開幕", "zh-Hant"),
    ("韓國 經濟 危機 심화", "ko"),
    ("서울시, 新교통 정책 발표", "ko"),
    ("東京で大雪 交通に乱れ", "ja"),
    ("iPhone 16の価格発表", "ja"),
    ("OpenAI发布GPT-5模型", "zh-Hans"),
    # Chinese naming anime in its kana (2026-12-06): Japanese to the model.
    ("动画《ワンピース》最新话预告公开", "zh-Hans"),
    ("《ソードアート・オンライン》新作动画发表", "zh-Hans"),
    ("新番《スパイファミリー》第二季定档", "zh-Hans"),
    ("《ドラえもん》新电影上映", "zh-Hans"),
    ("《君の名は。》が中国で公開", "ja"),
]:
    add("ja-kanji" if e == "ja" else "cjk-neg", "", t, "", e)

# Kanji-only Japanese titles in their feed (2026-12-06): what tells them from Chinese is the
# feed's other items (kana in most), or its host under .jp; and Chinese beside them that must
# stay Chinese: a Japanese feed quoting a Chinese headline, a Chinese feed naming anime in kana,
# a Chinese feed on a .jp host, a Traditional Chinese feed.
_KANA_TITLES = ("東京で大雪 交通に乱れ", "新型スマホを発表しました", "今日の天気は晴れのち曇り")
_NHK = "https://www3.nhk.or.jp/rss/news/cat0.xml"
_HANS = ("日本首相访问北京 双方签署经济协议", "东京股市大幅下跌", "人工智能发展报告发布")
_HANT = ("讀賣新聞報導 日本內閣支持率下滑", "颱風逼近 氣象局發布海上警報", "港鐵新線開通")
_ANIME = ("《ソードアート・オンライン》新作动画发表", "《鬼滅の刃》票房创新高", "新番导视")
for declared, title, siblings, url, expected in [
    ("", "大阪万博開幕", _KANA_TITLES, "", "ja"),
    ("", "日銀金融政策決定会合", _KANA_TITLES, "", "ja"),
    ("", "岸田首相 記者会見", _KANA_TITLES, "", "ja"),
    ("", "首相官邸発表", _KANA_TITLES, "", "ja"),
    ("", "日本首相", _KANA_TITLES, "", "ja"),  # (too short for the model: "" alone)
    ("en", "日銀金融政策決定会合", _KANA_TITLES, "", "ja"),  # a CMS's "en"
    ("en", "大阪万博開幕", _KANA_TITLES, "", "ja"),  # (too short to say "en" is wrong: a miss)
    ("", "大阪万博開幕", ("国会召集", "岸田首相 記者会見"), _NHK, "ja"),
    ("", "衆議院解散", (), _NHK, "ja"),
    ("", "日本首相访问北京 双方签署经济协议", _KANA_TITLES, "", "zh-Hans"),
    ("", "台積電熊本廠開幕", _HANT, "", "zh-Hant"),
    ("", "台積電熊本廠開幕", _HANT, "https://www.chinese.example.jp/feed", "zh-Hant"),
    ("", "东京股市大幅下跌", _KANA_TITLES, _NHK, "zh-Hans"),
    ("", "大阪世博会开幕 首日游客超十万", _HANS, "https://www.jnews.example.jp/rss", "zh-Hans"),
    ("", "日本首相訪問臺北", _HANT, "https://www.chinese.example.jp/feed", "zh-Hant"),
    ("", "鬼滅之刃劇場版上映", _ANIME, "", "zh-Hant"),
]:
    WRITTEN.append(
        Case(
            "ja-feed" if expected == "ja" else "zh-feed",
            declared,
            title,
            "",
            expected,
            siblings=siblings,
            url=url,
        )
    )

# Serbian, written in both scripts.
for d, t, s in [
    (
        "sr",
        "Влада Србије усвојила буџет за наредну годину",
        "Министар финансија представио је предлог закона.",
    ),
    (
        "sr",
        "Vlada Srbije usvojila budžet za narednu godinu",
        "Ministar finansija predstavio je predlog zakona.",
    ),
    ("sr-Latn", "Novi most preko Dunava otvoren u Novom Sadu", ""),
    ("sr-Cyrl", "Нови мост преко Дунава отворен у Новом Саду", ""),
    (
        "",
        "Влада Србије усвојила буџет за наредну годину",
        "Министар финансија представио је предлог закона.",
    ),
    (
        "",
        "Vlada Srbije usvojila budžet za narednu godinu",
        "Ministar finansija predstavio je predlog zakona.",
    ),
    (
        "en",
        "Влада Србије усвојила буџет за наредну годину",
        "Министар финансија представио је предлог закона.",
    ),
]:
    add("serbian", d, t, s, "sr")


# --- the corpus's cases: (file, the language its entries are in, how many) -------------------

DECLARED_RIGHT = [
    ("encodings/feeder_golem-de.xml", "de", 6),
    ("real/rssp_guardian.rss", "en", 6),
    ("real/nnw_aktuality.rss", "sk", 6),
    ("real/mf_urdu_UTF8.xml", "ur", 8),
    ("encodings/nnw_kc0011.rss", "zh-CN", 8),
    ("encodings/mf_encoding_WINDOWS-1251.xml", "ru", 6),
    ("real/feedrs_rss_2.0_ilgiornale.xml", "it", 1),
    ("real/feedrs_rss_2.0_ilmessaggero.xml", "it", 1),
    ("encodings/feedrs_rss_2.0_encoding_1.xml", "pt", 1),
    ("real/nnw_phpxml.rss", "nl", 4),
    ("edge/feedrs_rss_1.0_example_1.xml", "ja", 2),
    ("real/nnw_3960.json", "de", 3),
    ("real/nnw_macworld.rss", "en", 5),
    ("real/nfp_wapowellness.xml", "en", 4),
    ("real/nnw_pappacoda.atom", "it", 2),
    ("real/feedrs_rss_2.0_spreaker.xml", "pl", 1),
    ("encodings/mf_koi8r.xml", "ru", 2),
    ("real/nnw_atp.rss", "en", 4),
]
DECLARED_WRONG = [("real/rssp_customfields.rss", "en", 8)]  # kn over English
UNDECLARED = [
    ("real/feeder_rss_geekpark.xml", "zh-Hans", 8),
    ("real/feeder_rss_ukrnet.xml", "uk", 5),
    ("real/feeder_rss_mediarss.xml", "ru", 4),
    ("edge/nfp_compressed.xml", "ru", 3),
    ("encodings/fp_chardet-eucjp.xml", "ja", 1),
    ("encodings/fp_chardet-euckr.xml", "ko", 1),
    ("encodings/fp_chardet-gb2312.xml", "zh-Hans", 1),
    ("encodings/fp_chardet-koi8r.xml", "ru", 1),
    ("encodings/fp_chardet-shiftjis.xml", "ja", 1),
    ("encodings/fp_chardet-tis620.xml", "th", 1),
    ("encodings/fp_chardet-windows1255.xml", "he", 1),
    ("real/mf_rdf_UTF8.xml", "de", 4),
    ("real/rssp_heise.atom", "de", 3),
    ("real/nnw_livemint.xml", "en", 3),
    ("real/nnw_russcox.atom", "en", 3),
    ("real/nnw_qemu.atom", "en", 2),
]
# OpenStreetMap's diary, undeclared, in many languages: the entry's index -> its language.
OSM = "real/feeder_openstreetmap.xml"
OSM_LANGUAGES = {
    0: "en", 1: "en", 2: "th", 3: "cs", 4: "en", 6: "en", 7: "zh-Hans", 8: "en",
    9: "fa", 10: "de", 12: "ar", 13: "ar", 14: "en", 18: "hr",
}  # fmt: skip


@dataclass(frozen=True)
class _Entry:
    feed_lang: str
    entry_lang: str
    title: str
    summary: str


def _entries(relative: str) -> list[_Entry]:
    feed = parse((CORPUS / relative).read_bytes(), url="https://example.com/feed", headers={})
    return [
        _Entry(
            feed.language or "",
            e.language or "",
            _text(e.title, e.title_is_html),
            _text(e.summary, True)[:400],
        )
        for e in feed.entries
        if e.title or e.summary
    ]


def _corpus_cases() -> Iterator[Case]:
    for kind, table in (
        ("declared-right", DECLARED_RIGHT),
        ("declared-wrong", DECLARED_WRONG),
        ("undeclared", UNDECLARED),
    ):
        for relative, expected, n in table:
            for e in _entries(relative)[:n]:
                declared = "" if kind == "undeclared" else e.feed_lang
                yield Case(kind, declared, e.title, e.summary, expected, e.entry_lang, relative)
    osm = _entries(OSM)
    for index, expected in OSM_LANGUAGES.items():
        e = osm[index]
        yield Case("undeclared", "", e.title, e.summary, expected, "", OSM)


def cases() -> list[Case]:
    """The corpus's cases (when it is there), then the written ones."""
    return [*(_corpus_cases() if PRESENT else ()), *WRITTEN]


# --- measuring ------------------------------------------------------------------------------

_SOURCE = SourceConfig(id="s", name="S", url="https://e.example/f", categories=(), interval=900)


def tag_of(case: Case) -> str:
    """The language normalize gives the case's item, read as a feed reader's channel."""
    language = f"<language>{escape(case.declared)}</language>" if case.declared else ""
    entry = f"<dc:language>{escape(case.entry_lang)}</dc:language>" if case.entry_lang else ""
    others = "".join(
        f"<item><guid>{i}</guid><title>{escape(t)}</title></item>"
        for i, t in enumerate(case.siblings, 2)
    )
    document = (
        '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>T</title>'
        f"{language}<item><guid>1</guid><title>{escape(case.title)}</title>{entry}"
        f"<description>{escape(escape(case.summary))}</description></item>{others}"
        "</channel></rss>"
    ).encode()
    source = replace(_SOURCE, url=case.url) if case.url else _SOURCE
    feed = parse(document, url=source.url, headers={})
    return normalize(feed, source, now=datetime.now(UTC))[0].language


def _script(tag: str) -> str | None:
    """Chinese's script a tag names (Hans, Hant), "?" for a bare zh; None for other languages."""
    primary, *subtags = tag.lower().split("-")
    if primary != "zh":
        return None
    if {"hans", "cn", "sg", "my"} & set(subtags):
        return "Hans"
    if {"hant", "tw", "hk", "mo"} & set(subtags):
        return "Hant"
    return "?"


def right(got: str, expected: str) -> bool:
    """The same language (primary subtag), and for Chinese the same script; "" for "" only."""
    if not got or not expected:
        return got == expected
    same = got.split("-")[0].lower() == expected.split("-")[0].lower()
    return same and (_script(expected) is None or _script(got) == _script(expected))


@dataclass
class Report:
    n: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    tagged: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    right: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    misses: list[str] = field(default_factory=list)

    def precision(self, kind: str) -> float:
        return self.right[kind] / self.tagged[kind] if self.tagged[kind] else 1.0

    def recall(self, kind: str) -> float:
        return self.right[kind] / self.n[kind] if self.n[kind] else 1.0

    def table(self) -> str:
        lines = [
            "| kind | cases | tagged | right | precision | recall |",
            "|---|--:|--:|--:|--:|--:|",
        ]
        for kind in (*KINDS, "all"):
            lines.append(
                f"| {kind} | {self.n[kind]} | {self.tagged[kind]} | {self.right[kind]}"
                f" | {self.precision(kind):.3f} | {self.recall(kind):.3f} |"
            )
        return "\n".join(lines)


def evaluate() -> Report:
    """Every case tagged; right means the language and, for Chinese, the script too."""
    report = Report()
    for case in cases():
        got = tag_of(case)
        ok = right(got, case.expected)
        for kind in (case.kind, "all"):
            report.n[kind] += 1
            report.tagged[kind] += bool(got)
            report.right[kind] += ok
        if not ok:
            report.misses.append(
                f"{case.kind}: declared {case.declared!r}, got {got!r}, want {case.expected!r}:"
                f" {case.title[:60]!r}"
            )
    return report
