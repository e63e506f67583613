"""Junk in an article's content, removed by rule: the config's and a small built-in set.

Two kinds of rule, both per source:
- `strip_selectors`: CSS selectors (lxml + cssselect) run on the entry's own HTML before it is
  sanitized, because the sanitizer drops the classes and ids they name ("div.share").
- `strip_patterns`: regular expressions searched in each paragraph's text, after sanitizing; a
  paragraph that matches goes. The built-in DEFAULT_PATTERNS (WeChat and QR-code prompts, reprint
  and copyright notices, "The post … appeared first on …", feed-ad footers) work the same way
  but only on short paragraphs (a junk line is short; a long paragraph that mentions WeChat or
  copyright is the article talking about them). They are on unless `default_junk_rules = false`.
A paragraph that is the article's only text is never removed.

Learned, per source: `strip_learned` removes short paragraphs that recur in several of the
source's recent articles (the evidence is aggregator/boilerplate.py's, kept in Redis).
"""

from __future__ import annotations

import html
import re
import warnings
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import lxml.html  # type: ignore[import-untyped]
from cssselect import GenericTranslator, SelectorError
from lxml import etree

from aggregator import boilerplate
from aggregator.text import collapsed

try:
    from aggregator import _native
except ImportError:  # not built (no C compiler at install): the Python below does it
    _native = None  # type: ignore[assignment]

DEFAULT_MAX_CHARS = 200  # the built-in rules only judge paragraphs this short
# Learned boilerplate is removed only from paragraphs this short: a long paragraph two articles
# share is more likely a quote or a follow-up than a footer.
LEARNED_MAX_CHARS = 400
LOOSE_MAX_CHARS = 400  # the longest loose run judged (see _drop)
_PARAGRAPHS = (
    "p",
    "li",
    "blockquote",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "figcaption",
    "div",
    "td",
)
_BLOCK_TAG = re.compile(r"</?(?:p|div|li|br|h[1-6]|blockquote|figcaption|tr|td)\b[^>]*>", re.I)
_INLINE_TAG = re.compile(r"<[^>]*>")
_BLOCKS = frozenset(("p", "div", "ul", "ol", "li", "blockquote", "table", "section", "figure"))
_MEDIA = ("img", "picture", "video", "audio", "iframe")

# "Read more" in the other languages feeds use.
_PROMPTS = (
    r"читать (?:далее|дальше|полностью)|подробнее|weiterlesen|mehr lesen|lire la suite"
    r"|leer más|seguir leyendo|sigue leyendo|continua a leggere|leggi (?:tutto|di più)|leia mais"
    r"|continue lendo|ler mais|lees (?:verder|meer)|czytaj (?:dalej|więcej)|devamını oku"
    r"|läs mer|les mer|læs mere?|lue lisää"
    r"|続きを(?:読む|みる|見る)|阅读(?:全文|原文|更多)|查看全文|继续阅读|閱讀(?:全文|原文)|繼續閱讀"
    r"|더\s?보기|계속 읽기"
    r"|اقرأ المزيد|قراءة المزيد|ادامه مطلب|ادامه خبر|और पढ़ें|อ่านต่อ|baca selengkapnya"
    r"|selengkapnya|xem thêm|đọc tiếp|διαβάστε περισσότερα|читати далі|детальніше"
    r"|קרא עוד|להמשך קריאה|המשך קריאה"
)
# A related story's link under its prompt, a paragraph of its own: "Read more: <headline>",
# "相关阅读：<headline>" (a review found them left in the text; its headline changes, so it is
# never learned). Not "Read more about the proposals…", which has no colon.
_RELATED = (
    r"read more|related(?: (?:stories|story|articles|reading|coverage|content|news))?|see also"
    r"|also read|read also|more on this(?: story)?|recommended(?: reading)?|you may also like"
    r"|читайте также|смотрите также|mehr zum thema|lesen sie auch|(?:à )?lire aussi"
    r"|le(?:e|er) también|leia também|veja também|leggi anche|(?:zobacz|czytaj) (?:też|także)"
    r"|baca juga|đọc thêm|اقرأ أيضا|اقرأ أيضاً|اقرأ ايضا|קראו (?:עוד|גם)|קרא (?:עוד|גם)|ראו גם"
    r"|läs (?:också|även)|les også|læs også|lees ook|lue myös|czytaj również"
    r"|相关阅读|延伸阅读|推荐阅读|相关新闻|相關閱讀|延伸閱讀|相關新聞|関連記事|あわせて読みたい|관련\s?기사"
)
RELATED_PROMPTS = _RELATED  # (full text reads them as a related list's heading too)
# A read-more link ending the body inline, after its last sentence (Habr's, note.com's, or
# bracketed as donthitsave.com's "…two steps... <a>[read more]</a>"): only the body's last 1,000
# characters are read.
_TRAILING_PROMPT = re.compile(
    r"(?<!\s)\s*+<a\b[^<>]*+>\s*+\[?"
    rf"(?:read more|continue reading|{_PROMPTS})\s*+[.…»>→\]]*\s*+</a>"
    r"(?=(?:\s*+</(?:p|div|li|ul|ol)>)*\s*+$)",
    re.IGNORECASE,
)
# Or a portal's editor line ending the body's last paragraph (Sina's plain-text descriptions,
# People's Daily's "（责编：李四、王五）").
_TRAILING_EDITOR = re.compile(
    r"(?<!\s)\s*+[（(](?:责任编辑|責任編輯|责编|責編)[：:][^（）()<>]{1,30}[）)]"
    r"(?=(?:\s*+</(?:p|div)>)*\s*+$)"
)
# Or, with no link, a prompt and the portal's time ending the body's last sentence (UOL's plain
# descriptions: "…São Paulo. Leia mais (09/24/2018 - 19h22)"), or a podcast host's notice ending
# a show's short description, on its last line or inline ("…aus der SPIEGEL-Redaktion.<br>See
# omnystudio.com/listener for privacy information.", which the rules above judge only as a
# whole paragraph): after a sentence's end only, as the body's last words.
_PODCAST_NOTICES = (
    r"see omnystudio\.com/listener for privacy information\.?"
    r"|hosted on acast\. see acast\.com/privacy for more information\.?"
    r"|learn more about your ad choices\. visit (?:megaphone\.fm|podcastchoices\.com)/adchoices\.?"
)
_TRAILING_PLAIN = re.compile(
    r"(?<=[.!?…»”\"])(?:\s|&nbsp;|\xa0|<br>)*+"
    rf"(?:(?:read more|continue reading|{_PROMPTS})"
    r"\s*+\(\d{1,2}/\d{1,2}/\d{2,4}[^()<>]{0,20}\)"
    rf"|(?:{_PODCAST_NOTICES}))"
    r"(?=(?:\s*+</(?:p|div)>)*\s*+$)",
    re.IGNORECASE,
)
TAIL_CHARS = 1_000
_PLAIN_END_CHARS = 80  # the ")" of _TRAILING_PLAIN's date and the closing tags after it, at most


def _without_trailing_link(tail: str) -> str:
    """`_TRAILING_PROMPT.sub("", tail, count=1)`, tried at the one place a match can start: the
    white space before the tail's last "<a" (after a match's "<a" come only the rest of its tag,
    the link's words, its "</a>" and end tags: no other "<a"). Tried at every place of the tail,
    the pattern cost ~8 µs an article."""
    at = max(tail.rfind("<a"), tail.rfind("<A"))
    if at == -1:
        return tail
    start = at
    while start and tail[start - 1].isspace():  # (`\s` is str.isspace's white space)
        start -= 1
    link = _TRAILING_PROMPT.match(tail, start)
    return tail if link is None else tail[: link.start()] + tail[link.end() :]


def without_trailing_prompt(html_text: str) -> str:
    """Sanitized HTML without a read-more link or an editor line that ends it, inline (one of
    its own paragraph goes by the built-in rules)."""
    head, tail = html_text[:-TAIL_CHARS], html_text[-TAIL_CHARS:]
    cut = tail
    if "</a>" in tail:
        cut = _without_trailing_link(cut)
    if "编辑" in tail or "編輯" in tail or "责编" in tail or "責編" in tail:
        cut = _TRAILING_EDITOR.sub("", cut, count=1)
    # (The pattern tried at every place of the tail cost ~40 µs an article: only where its
    # date's ")" ends the body, or a host's notice is there.)
    # (Both words in any case: the pattern ignores it.)
    lowered = tail.lower()
    if ")" in tail[-_PLAIN_END_CHARS:] or "privacy" in lowered or "adchoices" in lowered:
        cut = _TRAILING_PLAIN.sub("", cut, count=1)
    if cut == tail:
        return html_text
    return _EMPTY_LAST_PARAGRAPH.sub("", head + cut).rstrip()


_EMPTY_LAST_PARAGRAPH = re.compile(r"<p>\s*+</p>\s*+$")


# The built-in rules, in two sets so the usual case (no junk) is cheap to find: patterns that
# start at a paragraph's (or line's) start, only ever tried there; and the Chinese ones, which may
# start anywhere, tried only on a line holding one of their first characters (_CHINESE_STARTS).
# Every pattern of _CHINESE must begin with one of those characters (tests/test_junk.py checks).
# Medium's: "<title> was originally published in <publication> on Medium, where people…"
_MEDIUM_FOOTER = (
    r"^.{1,300}? was originally published in .{1,200}? on medium, where people are continuing"
)
# Korean news's copyright line: "<저작권자 © 연합뉴스, 무단 전재-재배포, AI 학습 및 활용 금지>"
# (to the line's end: "무단 전재 및 재배포 금지 위반으로 기소된 A씨는…" is a sentence)
_KOREAN_COPYRIGHT = (
    r"^[<〈(\[]?\s*(?:저작권자\s*)?(?:ⓒ|©|\(c\))?[^<>]{0,40}?"
    r"무단\s?전재\s?[-·및&,]?\s?(?:재배포|배포)[^<>]{0,30}?금지\W{0,3}(?:[ⓒ©][^.!?]{0,20})?$"
)
# The feed-ad line alone, or its label and a colon: "Advertisement spending by local firms fell
# 4%…", "Sponsored by the city council, the lantern festival…" and "Powered by a 2MW battery, …"
# are sentences (a review found all three deleted). In the languages feeds use: a Swedish blog's
# "Annons: https://track.adtraction.com/…" (the corpus), not "Reklame für Tabak ist verboten".
# A picture in its paragraph is the ad's banner, and goes with it (_drop).
_AD_LINE = (
    r"^(?:advertisement|sponsored(?: content| post)?|anzeige|werbung|реклама|publicité|annons"
    r"|annonse|reklame?|reklama|mainos|advertentie|publicidade?|pubblicità|广告|広告|광고)"
    r"(?:\s*[:：|]|\s*$|\s+(?:sponsored|ads? by|powered by)\b)"
    r"|^(?:sponsored|ads?|powered) by(?:\s*[:：]?$| [^.,;:!?]{1,60}[.!]?$)"
)
# Where a post was first published, as its footer names it: a name or an address, perhaps after
# "the" ("by the Guardian"), or ours ("on our partner site, Grist"), but no day or month.
_WHEN = (
    "monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march|april|may"
    "|june|july|august|september|october|november|december"
)
_WHERE = rf"(?:(?:our|my) |(?:the |a )?(?!(?:{_WHEN})\b)(?:(?-i:[A-Z])|[\w-]+\.\w))"
# The networks a "read us there" prompt names (_AT_START).
_NETWORKS = r"facebook|telegram|instagram|youtube|viber|tiktok|twitter|вконтакте|vk\b"
_REPRINT_NOTICE = r"^(?:本文)?(?:来源|转载自|原文链接|文章来源)[：:]"
# portals' editor line: "（责任编辑：陈静）", People's Daily's "（责编：李四、王五）"
_EDITOR_LINE = r"^[（(【\[]?\s*(?:责任编辑|責任編輯|责编|責編)\s*[：:]"
# Forums' notes on a post, each a line of its own (never the post's words): dvbbs's "此主题相关
# 图片如下：" over each picture, Discuz's "本帖最后由 admin 于 2024-1-1 12:00 编辑" opening an
# edited post; and portals' "点击查看大图" under a picture.
_FORUM_NOTES = (
    r"^此主题相关(?:图片|附件)如下[：:]?$",
    r"^(?:\[i=s\]\s*)?本帖最[后後]由\s*\S.{0,40}?\s*[于於]\s*\d{4}-\d{1,2}-\d{1,2}\s+\d{1,2}:\d{2}"
    r"(?::\d{2})?\s*[编編][辑輯]\s*(?:\[/i\])?$",
    r"^[（(【\[]?点击(?:图片)?(?:查看|看|浏览)?(?:大图|原图|高清大图|清晰大图)[）)】\]]?$",
)
# "Follow us on …" in Ukrainian and Russian, a network named: "Читайте нас у Facebook…",
# "Підписуйтесь на новини Харкова… в Telegram" (Suspilne's, each region's its own: never learned)
# ("Слідкуйте за новинами Суспільного Хмельницький у Telegram, Viber…", the corpus; not
# "Слідкуйте за тим, щоб діти не публікували фото в Instagram…", advice)
# (each imperative as Suspilne writes it, "-тесь" and "-теся" both: "Підписуйтеся на наш
# Instagram"; or an invitation to join "us" or "our community" there: "Долучайтесь до нашої
# спільноти у Viber", the corpus)
_READ_US_THERE = (
    r"^(?:читайте нас|підписуйте?(?:сь|ся) на|підпишіться на|подписывайтесь на|подпишитесь на"
    r"|(?:стежте|слідкуйте) за (?:нами|новинами)|следите за (?:нами|новостями)"
    r"|(?:долучайте?|приєднуйте?)(?:сь|ся) до (?:нас|нашої спільноти|нашого каналу)"
    r"|присоединяйтесь к (?:нам|нашему сообществу|нашему каналу))\b"
    # (the network where to follow: right after the prompt, "на наш Instagram", or after "у",
    # "в", "на": not "Підпишіться на петицію проти блокування Telegram", a petition's subject;
    # and in the prompt's own clause: "Приєднуйтесь до нас на марші…, деталі у Facebook" asks
    # readers to a march, and says where its details are)
    rf"(?:\s+(?:наш\w*\s+)?(?:{_NETWORKS})"
    rf"|[^.!?,;:…–—]{{0,150}}?\s(?:у|в|во|на)\s+(?:наш\w*\s+)?(?:{_NETWORKS}))"
    # or reading the source itself there: "Читайте Суспільне у Telegram", "Читайте всі новини
    # Донбасу в Telegram, Viber…", or the news named first: "Термінові новини читайте в Telegram
    # та Viber Суспільного Луцьк" (not "Читайте її спогади у матеріалі…": no network; not "Як це
    # було, читайте у Facebook-дописі міністра": no news named). With nothing between "читайте"
    # and the network, only networks after it: "Читайте в Telegram" (not "Читайте у Facebook-
    # дописі міністра, як…", "Читайте в Telegram заяву…": the article's own sentence)
    r"|^(?:(?:[^\s.!?]+\s+){0,2}(?:новини|новин|новости|новостей)\s+(?:[^\s.!?]+\s+)?"
    rf"читайте\s+(?:[^.!?]{{0,60}}?\s)?|читайте [^.!?]{{0,60}}?\s)(?:у|в|во)\s+(?:{_NETWORKS})"
    rf"|^читайте\s+(?:у|в|во)\s+(?:{_NETWORKS})(?:\s*(?:,|та|і|й|и|або)\s*(?:{_NETWORKS}))*"
    r"[\s.!]*$"
)
# The patterns above: each needs a Chinese or a Cyrillic word, whose letters re.IGNORECASE reads
# as no ASCII one (tests/test_junk.py checks), so an ASCII line (five of six a cold round reads)
# is not tried with them (_STARTS_ASCII): the Cyrillic one alone took a sixth of _STARTS's time.
# A self-media platform's notice under a post: NetEase's "特别声明：以上内容…为自媒体平台“网易号”
# 用户上传并发布，本平台仅提供信息存储服务。", Sohu's "声明：该文观点仅代表作者本人，…搜狐仅提供
# 信息存储空间服务。" (not "特别声明：本报对此事件的调查仍在进行…", the article's own)
_PLATFORM_NOTICE = r"^(?:特别)?声明\s*[：:][^\n]{0,120}?仅提供信息(?:存储|发布)(?:空间)?服务"
# A Korean reporter's signature or byline, a line of its own: "김민수 기자 minsu@example.kr",
# "홍길동 특파원 = hong@…", "김민수 기자 입력 2026.12.03 14:05" (the full-text dev set's Korean
# page kept it; not "김민수 기자가 현장에서 확인한…", a sentence, nor "제보는 hong@… 로 보내…")
_KOREAN_BYLINE = (
    r"^[가-힣]{2,4}\s?(?:기자|특파원|선임기자|객원기자|통신원)(?:\s*=)?(?:\s*(?:"
    r"\(?[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,6}\)?"
    r"|(?:입력|수정|등록|승인)\s*:?\s*\d{4}[.\-/]\s*\d{1,2}[.\-/]\s*\d{1,2}\.?"
    r"(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?)){1,3}\.?\s*$"
)
# A portal's tool links under its article, a line of them alone: "【打印本页】【关闭窗口】",
# "【字体：大 中 小】【我要纠错】" (the full-text dev set's table-layout page kept it; not
# "【独家】…", a headline's tag, nor "【打印本页】的按钮…", a sentence about one)
_PORTAL_TOOLS = (
    r"^(?:[【\[]\s*(?:打印|关闭|收藏|纠错|我要纠错|字体|字号|推荐给朋友|返回顶部|复制链接)[^】\]\n]{0,10}"
    r"[】\]]\s*){2,}$"
)
# A broadcaster's promo line under a clip: the show, when it airs and on which channel, told to
# watch it ("Смотри шоу #ОднаждывРоссии по пятницам в 19:00 на #ТНТ", Rutube's, the corpus;
# "Watch new episodes Thursdays at 9/8c on NBC"). Not "Шоу выходит по пятницам в 19:00 на ТНТ."
# nor "The series airs Thursdays at 9/8c on NBC." (no one is told to watch), nor "Watch out for
# ice on Mondays at 7am on the A9" (no channel's name). The channel, three words at most, ends
# the line: "Watch parties are planned Saturdays at 8 p.m. on Main Street, organizers said." and
# "… по субботам в 18:00 на стадионе «Динамо», сообщили в клубе." are news (h8's F6). And it is
# a channel's: a hashtag, an acronym ("NBC", "ТНТ"), "… канале", or any name after a TV time
# ("9/8c"): "Watch the fireworks every Saturday at 9 pm on Navy Pier." and "Смотрите салют
# каждый год в 21:00 на Красной площади." are news too (h8's F12).
_WATCH_ON_CHANNEL = (
    r"^смотри(?:те)?\s[^.!?]{0,80}?(?:по\s+(?:понедельникам|вторникам|средам|четвергам|пятницам"
    r"|субботам|воскресеньям|будням|выходным)|кажд(?:ый|ую|ое)\s+\w+|ежедневно)\s+в\s+\d{1,2}"
    r"[:.]\d{2}\s+на\s+(?:#\w+|(?-i:[А-ЯЁA-Z][А-ЯЁA-Z0-9]+)\b|\w+\s+канал\w*)(?:\s+#?\w+){0,2}"
    r"\s*[.!]?\s*$"
)
_WATCH_ON_NETWORK = (
    r"^(?:watch|catch)\s[^.!?]{0,80}?\b(?:(?:mon|tues|wednes|thurs|fri|satur|sun)days|weeknights"
    r"|every\s+(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day|weeknight|night))\s+at\s+\d{1,2}"
    r"(?::\d{2})?\s*(?:[ap]\.?m\.?)?(?:/\d{1,2}(?::\d{2})?c\s+(?:only\s+)?on\s+(?-i:[A-Z#])[\w'’&+.-]*"
    r"|\s+(?:only\s+)?on\s+(?-i:#\w+|[A-Z][A-Z0-9&+]+\b))(?:\s+[\w'’&+.-]+){0,2}\s*[.!]?\s*$"
)
# An appeal for money where it is given, a line of its own: a crowdfunding page ("Sign Up on
# Patreon to get access to the Space Time Discord!", "Patreon is how we exist!", the corpus's
# YouTube and podcast footers) or its address alone, a coffee, or a wallet's address ("BTC:
# bc1q…"). Not a sentence about the platform ("Patreon is how many podcasters pay their bills",
# "Sign up on Patreon was down 12%", "Support for Patreon…") nor a price ("BTC: $98,412").
_GIVING_SITES = r"patreon|ko-?fi|liberapay|buy ?me ?a ?coffee|open ?collective|paypal"
# Asked, not told: the verb bare, or after "consider" ("Supporting creators on Patreon has become
# common…", "Joining on Patreon for $5 gets…" are news); its object, if any, the speaker, the
# show or a name ("Support Space Time on Patreon", not "Support for the union grew on Patreon").
_GIVE_TO = (
    r"(?:us|me|him|her|them|(?:this|our|my)\s+\w+|the\s+(?:show|podcast|channel|project|blog"
    r"|newsletter|site|work)|(?-i:[A-Z])[\w'’.-]*(?:\s+(?-i:[A-Z])[\w'’.-]*){0,3})\s+"
)
# Where: on the giving site ("on Patreon", "via paypal.com/…"), and an appeal's end.
_THERE = rf"(?:on|at|via|through)\s+(?:{_GIVING_SITES})\b(?:\.com\S*)?"
_APPEAL_END = r"\s*[:!.]|\s*$"
_GIVE_THERE = (
    r"^(?:if you (?:enjoy|like|love)\b[^,.!?]{0,60},\s*)?(?:please\s+)?"
    r"(?:consider\s+(?:supporting|backing|joining|signing\s+up|pledging|tipping|donating)"
    r"|support|back|join|sign\s+up|pledge|tip|donate)"
    rf"\s+(?:{_GIVE_TO}{_THERE}(?:\s+(?:to|for|and)\b|{_APPEAL_END})"
    # Without an object, "back" is a return and "support" or "tip" a noun ("Back at PayPal and
    # later at Tesla, …", "Support on Patreon for adult creators was cut …": news, h8's F11):
    # asked only where the line ends or says what giving gets ("Sign up on Patreon to get …").
    rf"|(?<!\bback\s){_THERE}(?:\s+to\s+(?:get|help|keep|unlock|access|support|join)\b"
    rf"|{_APPEAL_END}))"
    rf"|^become\s+a\s+(?:patron|supporter|member)\s+(?:on|at|of)\s+(?:{_GIVING_SITES})\b"
    rf"|^buy\s+(?:me|us)\s+a\s+coffee\b|^(?:{_GIVING_SITES}) is how we\b"
    # (and the page's address alone, on the line after such an appeal: a profile's, not a post's)
    r"|^(?:https?://)?(?:www\.)?(?:patreon\.com|ko-fi\.com|liberapay\.com|buymeacoffee\.com"
    r"|opencollective\.com|paypal\.me)/(?!posts/)[\w.-]+/?$"
    r"|^(?:donat\w*\s+)?(?:btc|bitcoin|eth|ethereum|ltc|litecoin|xmr|monero|doge(?:coin)?)"
    r"(?:\s+(?:address|wallet|donations?))?\s*[:：]\s*(?:bc1[a-z0-9]{25,60}"
    r"|[13][a-km-zA-HJ-NP-Z1-9]{25,34}|0x[0-9a-fA-F]{40}|4[0-9AB][1-9A-HJ-NP-Za-km-z]{93})\s*$"
)
_NOT_ASCII_STARTS = (
    _PORTAL_TOOLS,
    _REPRINT_NOTICE,
    _EDITOR_LINE,
    _PLATFORM_NOTICE,
    _KOREAN_BYLINE,
    *_FORUM_NOTES,
    _READ_US_THERE,
    _WATCH_ON_CHANNEL,
)
_AT_START: tuple[str, ...] = (
    _PORTAL_TOOLS,
    _REPRINT_NOTICE,
    _EDITOR_LINE,
    _PLATFORM_NOTICE,
    _KOREAN_BYLINE,
    r"^©|^\(c\)\s|^copyright\s*(?:©|\(c\)|\d{4})",  # copyright lines
    _KOREAN_COPYRIGHT,
    *_FORUM_NOTES,
    # English feed footers and prompts
    r"^the post .+ appeared first on .+",
    # the same footer as WordPress's SEO plugins write it in de, fr, es, it, pt and nl
    r"^der beitrag .+ erschien zuerst auf .+",
    r"^(?:l[’']article|cet article) .+ est apparu en premier sur .+",
    r"^(?:la entrada|el artículo|la publicación) .+ se publicó primero en .+",
    r"^l[’']articolo .+ (?:proviene da|sembra essere il primo su) .+",
    r"^o (?:post|artigo) .+ apareceu primeiro em .+",
    r"^het bericht .+ verscheen eerst op .+",
    # ("This article was originally published on The Conversation."; not "The article
    # published on Monday by the ministry lists…", a review)
    # (where: a name or an address, "by the Guardian", "on our partner site": "The story was
    # first published in 1948 in a small magazine" and "… on Monday and updated since" are
    # sentences)
    r"^(?:this|the) (?:article|post|entry|story) (?:was (?:originally |first )?|originally )"
    rf"(?:published|posted) (?:on|at|in|by) {_WHERE}"
    r"|^(?:this|the) (?:article|post|entry|story) (?:was )?(?:originally |first )?appeared"
    rf" (?:first )?(?:on|in) {_WHERE}",
    # (a network by name: "Follow us on this walk through the old town…" is a sentence)
    r"^(?:follow|like|find) us on (?:twitter|x\b|facebook|instagram|linkedin|tiktok|youtube"
    r"|threads|bluesky|mastodon|telegram|whatsapp|wechat|social media|google news)",
    # (or a newsletter's or an app's prompt: "Sign up to receive an email with the top stories
    # from Guardian Australia every morning", "Get our free news app, morning email briefing or
    # daily news podcast", the Guardian's in the corpus. The newsletter is the prompt's object,
    # perhaps by name, and the line ends with what it brings: not "Sign up for an account with
    # a disposable email address…", "Subscribe to a newsletter you actually read…", "Get our own
    # app into the store…", a review's sentences. A mailing list too, with what it brings after
    # "to get": "Sign up for the mailing list to get episode notifications…", PBS Space Time's.)
    r"^(?:subscribe to our|sign up for our|scan the qr code)"
    r"|^(?:sign up|subscribe)(?: now)? (?:to|for) (?:receive |get )?(?:our|the|an?) (?:free )?"
    r"(?:daily |weekly |morning |evening |(?-i:[A-Z][\w'’-]*) ){0,3}"
    r"(?:newsletters?|e-?mails?|briefing|mailing list)"
    r"(?: (?:with|from|of|to (?:get|receive|hear)) [^.!?]{1,80})?[.!]?$"
    r"|^get our (?:free )?(?:daily |weekly )?(?:newsletters?|news app|app|e-?mails?|briefing)\b",
    # a comments widget's line where its script did not run (Disqus's)
    r"^(?:blog )?comments powered by(?: disqus)?\.?$"
    r"|^please enable javascript to view the comments powered by disqus",
    # The Conversation's notice on the articles others republish
    r"^this (?:article|story|piece) (?:is|was) republished from .{1,80}? under a creative commons"
    r" licen[cs]e",
    _READ_US_THERE,  # the same in Ukrainian and Russian
    # podcast hosts' notices, the same on every episode of every show they host
    rf"^(?:{_PODCAST_NOTICES})$",
    # Anchor's (Spotify for Podcasters') on every episode, with the show's own address; and
    # Substack's call to subscribe under every post, with the newsletter's name
    r"^(?:send in a voice message|support this podcast): https?://(?:www\.)?"
    r"(?:podcasters\.spotify\.com/pod/show|anchor\.fm)/[\w.-]{1,80}/(?:message|support)/?$",
    r"^thanks for reading [^!]{1,80}! subscribe for free to receive new posts and support my"
    r" work\.?$",
    _AD_LINE,
    # a site's links standing in for a body: Hacker News ("Comments"), Reddit ("submitted by
    # /u/name", "[link] [comments]"), GitHub's release without notes ("No content.")
    # ("submitted by name to r/sub" or "to sub", or glued as Reddit's Atom writes it, "submitted
    # bynametosub"; "[275 comments]": the count is usually there)
    r"^(?:comments|no content\.?)$|^\[link\]\s*\[(?:\d+ )?comments?\]$"
    r"|^submitted by\s+(?:/u/[\w-]+|[\w-]+\s+to\s+(?:/?r/)?[\w-]+)"
    r"(?:\s+to\s+(?:/?r/)?[\w-]+)?(?:\s*\[link\]\s*\[(?:\d+ )?comments?\])?$"
    # (Reddit's names are at most 20 and 21 characters: bounded, the glued form cannot
    # backtrack; "[\w-]+?to[\w-]+" took 43 s over a feed of lines of "to"s.)
    r"|^submitted by[\w-]{3,20}?to[\w-]{2,21}(?:\s*\[link\]\s*\[(?:\d+ )?comments?\])?$",
    # read-more prompts; not "Read more books", nor "Read more on the blog: <a>…</a>"
    r"^\[?(?:read more of this story at|continue reading\b|read more\s*(?:[.…»>→\]]|$)"
    r"|read (?:the )?(?:full|whole) (?:story|article)|to read this (?:article|story) in full"
    r"|read the rest of (?:this|the) (?:entry|post|article|story)|read full topic$)",
    # the same prompt alone in the languages feeds use (Habr's "Читать далее", note.com's
    # "続きをみる", WeChat's "阅读原文"); not "Подробнее о выборах читайте здесь"
    rf"^\[?(?:{_PROMPTS})\s*(?:[.…»>→\]]|$)",
    # (a headline, which ends in no full stop: "See Also: Chimero's spoken version of this
    # essay, given as a talk." is the author's own note)
    rf"^(?:{_RELATED})\s*[:：]\s*\S.{{0,160}}(?<![.。!！])$",
    # Discourse's topic footer: "12 posts - 7 participants", and Lemmy's post header: "42 points
    # | 7 comments" (a score may be below zero; their counts change: never learned)
    r"^\d+ posts? - \d+ participants?$|^-?\d+ points? \| \d+ comments?$",
    _WATCH_ON_CHANNEL,
    _WATCH_ON_NETWORK,
    _GIVE_THERE,
    _MEDIUM_FOOTER,
)
# Where a prompt is asked: a line's or a clause's start, or after "please" or "welcome".
_CLAUSE_START = r"(?:(?<![^，。！；：、,;:!\s])|(?<=请)|(?<=欢迎)|(?<=敬请))"
_CHINESE_PATTERNS: tuple[str, ...] = (
    # WeChat / QR-code prompts and group ads (imperatives, not sentences about WeChat)
    # (at a clause's start too: "市民可扫码下载“城市服务”应用" tells readers how to reach a
    # public service, a sentence)
    rf"{_CLAUSE_START}扫(?:一扫|码)[^。，]{{0,8}}(?:关注|加入|入群|添加|下载)"
    r"|扫描(?:下方|上方|图中|文末|此|以下)?二维码",
    r"长按[^。]{0,8}(?:识别|扫描)?[^。]{0,4}二维码",
    # (a group it asks to join: "他申请加入了工会" and "可以加入会员计划" are sentences; a review
    # found a source's quote deleted, twenty-fifth session)
    r"(?:点击|欢迎|可以|请(?<!申请))(?:加入|进入|入|进)[^。，！]{0,12}?(?:群聊|[交流读者粉丝微信社]群|群里)"
    r"|(?:点击|欢迎|可以|请(?<!申请))(?:入|进)群|点击入群"
    r"|加入[^。]{0,10}(?:交流群|读者群|粉丝群|微信群|社群)",
    # (asked at a clause's start, with "please" or "welcome" or not: "市民不要轻易关注来历不明的
    # 公众号" is a police warning, a review)
    rf"{_CLAUSE_START}(?:关注|搜索)[^。]{{0,8}}(?:微信)?公众号"
    r"|点击(?:上方|下方|顶部|底部)?[^。]{0,6}(?:蓝字|关注我们)",
    r"(?:添加|加)(?:小编|客服)?微信[：:号]",
    r"点(?:个)?[「“\"]?在看|分享、?点赞、?在看",
    # Reprint and copyright notices
    r"转载请(?:注明|联系|保留|添加)|未经[^。]{0,10}(?:许可|授权|同意)[^。]{0,10}(?:不得|禁止|严禁)[^。]{0,6}转载",
    r"版权(?:归[^。]{0,20}所有|所有)(?![人者方权])",  # (not "版权所有人", the owner)
)
_CHINESE_STARTS = "扫长点欢可请加关搜添分转未版"
_AT_END = r"all rights reserved\.?$"
DEFAULT_PATTERNS: tuple[str, ...] = (*_CHINESE_PATTERNS, *_AT_START, _AT_END)
_GUARDED = (_MEDIUM_FOOTER, _KOREAN_COPYRIGHT)  # (each read apart, on a line that can hold it)
_STARTS = re.compile("|".join(f"(?:{p})" for p in _AT_START if p not in _GUARDED), re.IGNORECASE)
_STARTS_ASCII = re.compile(
    "|".join(f"(?:{p})" for p in _AT_START if p not in (*_GUARDED, *_NOT_ASCII_STARTS)),
    re.IGNORECASE,
)
# (Apart: read to a line's end from each of its characters, it took a third of the time of all the
# others, and a line without "med" in it, which is every m, e and d re.IGNORECASE reads as such,
# cannot be Medium's.)
_MEDIUM = re.compile(_MEDIUM_FOOTER, re.IGNORECASE)
# (The Korean line's optional opening, tried on every line, cost a quarter of all the others: only
# on a line with "무단" in it.)
_KOREAN = re.compile(_KOREAN_COPYRIGHT, re.IGNORECASE)
_CHINESE = re.compile("|".join(f"(?:{p})" for p in _CHINESE_PATTERNS))
_CHINESE_START = re.compile(f"[{_CHINESE_STARTS}]")
_ENDS = re.compile(_AT_END, re.IGNORECASE)
# (A match ends the line, or comes before its last "\n": looked for in its last characters, not
# tried from each of them. Longer than the longest match, tests/test_junk.py checks.)
_ENDS_WINDOW = len("all rights reserved.\n")
_AD = re.compile(_AD_LINE, re.IGNORECASE)
# A footer's second line where a source breaks it: "The post <a>X</a><br>appeared first on
# <a>Y</a>." (neither line is junk alone; read joined to the line above, _continued_hit).
# The second line names where: a name or an address ("The post office in our village<br>
# appeared first on a map of 1820" is a sentence, a review).
_CONTINUED = re.compile(
    r"(?:appeared first on|erschien zuerst auf|est apparu en premier sur|se publicó primero en"
    r"|proviene da|sembra essere il primo su|apareceu primeiro em|verscheen eerst op)\s+"
    r"(?:(?-i:[A-Z0-9])|[\w-]+\.\w)",
    re.IGNORECASE,
)


# (Cached: a source repeats its lines in every article, a third of the lines a cold round reads;
# a line is at most DEFAULT_MAX_CHARS and two joined.)
@lru_cache(maxsize=4096)
def _built_in_hit(line: str) -> bool:
    """Whether a line (no line breaks in it) matches a built-in pattern: what DEFAULT_PATTERNS as
    one regex would find in it, found faster."""
    if line.isascii():  # (no Chinese, Korean or Cyrillic pattern can match it: most lines)
        return bool(
            _STARTS_ASCII.match(line)
            or ("med" in line.lower() and _MEDIUM.match(line))
            or _ENDS.search(line, max(0, len(line) - _ENDS_WINDOW))
        )
    return bool(
        _STARTS.match(line)
        or ("med" in line.lower() and _MEDIUM.match(line))
        or ("무단" in line and _KOREAN.match(line))
        or (_CHINESE_START.search(line) and _CHINESE.search(line))
        or _ENDS.search(line, max(0, len(line) - _ENDS_WINDOW))
    )


# A list of social-network profiles, as a video's description ends (Rutube's, each show's and
# each video's own, so never learned): "Резиденты в соцсетях: Гарик Харламов https://t.me/garbul
# https://vk.com/garikharlamov", "Однажды в России в соц. сетях: Youtube: https://… Vk: https://…",
# "Rutube: https://rutube.ru/metainfo/tv/10/". Addresses written as text, each a profile's (not a
# post's, a video's or a page's: "https://t.me/mod_russia/1234" is the article's source), and
# around them names, networks' names and a heading that names social networks, nothing else.
_PROFILE = re.compile(
    r"(?:https?://)?(?:www\.|m\.|vm\.)?(?:"
    r"(?:t|telegram)\.me/[\w]+/?"
    r"|vk\.com/[\w.]+/?|ok\.ru/(?:group/)?[\w.]+/?|dzen\.ru/[\w.]+/?"
    r"|(?:instagram|facebook|twitter|x|tiktok|threads)\.(?:com|net)/@?[\w.]+/?"
    r"|youtube\.com/(?:channel/|c/|user/|@)[\w-]+/?"
    r"|rutube\.ru/(?:channel|metainfo/tv)/\d+/?"
    r")$",
    re.IGNORECASE,
)
_BARE_PROFILE = re.compile(r"(?:www\.|m\.)?(?:t\.me|vk\.com|ok\.ru|instagram\.com)/", re.I)
_NETWORK_LABEL = re.compile(
    r"(?:youtube|vk|vkontakte|вконтакте|вк|telegram|телеграм|instagram|facebook|twitter|x|tiktok"
    r"|rutube|dzen|дзен|ok|одноклассники|threads):?$",
    re.IGNORECASE,
)
# (the profiles' owner before it: "Андрей Бебуришвили в соцсетях:", "StandUp on social media:")
_SOCIAL_HEADING = re.compile(
    r"^[^:]{0,60}?(?:соцсет\w*|соц\. сет\w*|социальных сет\w*|соцмереж\w*|social media"
    r"|social networks|sozialen (?:medien|netzwerken)|réseaux sociaux|redes sociales)\s*:\s*",
    re.IGNORECASE,
)
# A post's path words on networks whose profiles are one name: "x.com/name/status/…" is not one.
_POST_PATH = frozenset(("p", "reel", "status", "posts", "watch", "video", "wall", "share"))


def social_links(text: str) -> bool:
    """Whether a paragraph's text is a list of social-network profiles and nothing else (names,
    networks' names, a heading naming social networks): see _PROFILE."""
    words = [  # (an address written without its scheme: "vk.com/ivan_polovinkin")
        f"https://{word}" if _BARE_PROFILE.match(word) else word for word in text.split()
    ]
    addresses = [word for word in words if "://" in word]
    if not addresses or not all(_PROFILE.match(a) for a in addresses):
        return False
    if any(part.lower() in _POST_PATH for a in addresses for part in a.split("/")[3:]):
        return False
    kept: list[str] = []
    for word in words:
        if "://" not in word:
            kept.append(word)
            continue
        # its label: a network's name ("VK:", "YouTube Shorts:"), not the heading's "…сетях:"
        if kept and kept[-1].endswith(":") and kept[-1][0].isupper():
            if _CREDIT_LABEL.match(kept[-1]):
                return False  # a credit, not a profile: "Источник: https://t.me/rian_ru"
            kept.pop()
            if kept and kept[-1][0].isupper() and not kept[-1].endswith(":") and len(kept) > 1:
                kept.pop()
    rest = " ".join(w for w in kept if not _NETWORK_LABEL.match(w))
    rest = _SOCIAL_HEADING.sub("", rest, count=1)
    names = rest.split()
    # (names, not a title-case call to action: "Check Out Lathrop Lab's YouTube Channel: …")
    return len(names) <= 8 and all(
        name[0].isupper()
        and not name.endswith((".", "!", "?", ":", ",", "'s", "’s"))
        and name.lower() not in _CALLS
        for name in names
    )


_CALLS = frozenset(("check", "out", "watch", "visit", "subscribe", "join", "read", "see"))
# A label saying whose the address is as a credit: the news's source, a photo's author (a
# review found "Источник: https://t.me/rian_ru" and "Photo: https://instagram.com/…" deleted).
_CREDIT_LABEL = re.compile(
    r"(?:источник|джерело|джерела|source|sources|quelle|fuente|fonte|photo|photos|фото|credit"
    r"|credits|via|автор|author|ссылка|посилання|link|подробнее|більше):$",
    re.IGNORECASE,
)


def selector_problem(selector: str) -> str:
    """Why `selector` is not a CSS selector we can run, or "" when it is one."""
    try:
        GenericTranslator().css_to_xpath(selector)
    except SelectorError as e:
        return f'not a CSS selector "{selector}": {e}'
    return ""


@lru_cache(maxsize=256)
def _xpaths(selectors: tuple[str, ...]) -> tuple[etree.XPath, ...]:
    return tuple(etree.XPath(GenericTranslator().css_to_xpath(s)) for s in selectors)


@lru_cache(maxsize=256)
def _own_rule(patterns: tuple[str, ...]) -> re.Pattern[str] | None:
    """The config's patterns as one regex (None when there are none)."""
    if not patterns:
        return None
    joined = "|".join(f"(?:{scoped(p)})" for p in patterns)
    return config_regex(joined, re.IGNORECASE | re.MULTILINE)


_GLOBAL_FLAGS = re.compile(r"\(\?([aiLmsux]+)\)")


def scoped(pattern: str) -> str:
    """`pattern` with the global flags it starts with ("(?i)share this") made flags of its own
    group ("(?i:share this)"): joined to others, a global flag is no longer at the start, which
    Python refuses ("global flags not at the start of the expression"). A source's every
    refresh failed so, on a pattern check-config had passed alone."""
    flags = ""
    while match := _GLOBAL_FLAGS.match(pattern):
        flags += match[1]
        pattern = pattern[match.end() :]
    if not flags:
        return pattern
    # (A verbose pattern's last line may be a comment, which would take the group's end.)
    return f"(?{flags}:{pattern}{chr(10) if 'x' in flags else ''})"


def config_regex(pattern: str, flags: int = re.IGNORECASE) -> re.Pattern[str]:
    """`pattern`, a regular expression from the config, compiled without Python's
    FutureWarning ("Possible nested set at position 1" for "[[a]]"): printed on stderr or in a
    worker's log with a line of ours, it named neither the key nor the fix, which
    `check-config` and the scheduler's log give instead (regex_warning)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        return re.compile(pattern, flags)


class _Unseen(str):
    """A pattern as a type `re`'s cache has never held: `re` warns only while it compiles, so a
    pattern someone compiled before would be found there and say nothing."""


@lru_cache(maxsize=1024)
def regex_warning(pattern: str) -> str:
    """What Python warns of in `pattern` ("Possible nested set at position 1": a later Python
    will read "[[" or "--", "&&", "~~", "||" in a set otherwise), or "" (also if it is not one)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            re.compile(_Unseen(pattern), re.IGNORECASE)
        except re.error:
            return ""
    return "; ".join(str(w.message) for w in caught if issubclass(w.category, FutureWarning))


def strip_selected(html_text: str, selectors: Sequence[str]) -> str:
    """The entry's raw HTML without the elements `selectors` name (before sanitizing)."""
    if not selectors or not html_text.strip():
        return html_text
    root = _fragment(html_text)
    if root is None:
        return html_text
    return _serialize(root) if drop_selected(root, selectors) else html_text


def drop_selected(root: lxml.html.HtmlElement, selectors: Sequence[str]) -> bool:
    """Remove the elements under `root` that `selectors` name; whether there were any."""
    removed = False
    for xpath in _xpaths(tuple(selectors)):
        for element in xpath(root):
            if isinstance(element, lxml.html.HtmlElement) and element is not root:
                element.drop_tree()
                removed = True
    return removed


def strip_paragraphs(html_text: str, patterns: Sequence[str], defaults: bool = True) -> str:
    """Sanitized HTML without the paragraphs the patterns match (never all of its text).

    Each paragraph's text is searched with the config's patterns and, when it is short, the
    built-in ones (with MULTILINE, so `^` is the start of a paragraph or of a line in it).
    """
    own = _own_rule(tuple(patterns))
    if not html_text or (own is None and not defaults):
        return html_text
    # The usual case is nothing to remove: find that out on the text, line by line (a line is a
    # paragraph or a <br> line), before parsing anything.
    # (A line break in the source is a space in a paragraph, and white space is read collapsed,
    # as _drop reads it; with str methods: a pattern around line breaks was quadratic on a long
    # run of spaces.)
    quick, lines = _quick_lines(html_text, DEFAULT_MAX_CHARS + 20)
    own_hit = own is not None and own.search(quick)
    appeals = edge_appeals(quick, lines) if defaults else frozenset()
    if not own_hit and (
        not defaults
        or not (
            appeals
            or any(_built_in_hit(line) or ("/" in line and social_links(line)) for line in lines)
            or ("<br" in html_text and _continued_hit(lines))
        )
    ):
        return html_text
    return _drop(
        html_text,
        lambda text: _matches(text, own, defaults) or text in appeals,
        pictures_suffice=True,
        whole=_profiles if defaults else None,
        banner=_banner if defaults else None,
    )


# A site's appeal to its readers: to donate, to subscribe or become a member, to follow it, in
# the languages feeds use (tests/fixtures/clean_heldout/feeds.json). Only at a body's start or
# end (edge_appeals): amid the text, "Support our journalism — donate," is what a banner read,
# the article's words. Each an imperative with its object: not "Donations can be made at…",
# "Subscribers will pay $1 more…", "Die Stadt ruft dazu auf, zu spenden", "他呼吁大家关注…".
_APPEAL = re.compile(
    # English
    r"^(?:please )?support (?:us|me|our (?:[\w-]+ ){0,2}(?:journalism|reporting|newsroom|work"
    r"|site|podcast|channel|mission)|(?:independent|local|quality) (?:[\w-]+ )?(?:journalism|news"
    r"|media))\b"
    r"|^(?:please )?(?:donate|give) (?:now|today|here)\b|^make a (?:one-off |monthly )?donation\b"
    r"|^become a (?:paying |paid )?(?:member|subscriber|supporter|patron)\b"
    r"|^(?:subscribe|sign up|join) (?:now |today )?(?:for|from) (?:just |only )?"
    r"(?:[$€£¥]\s?\d|\d+(?:[.,]\d+)?\s?(?:[$€£]|usd|eur|dollars?|euros?)\b)"
    # German
    r"|^(?:bitte )?unterstützen sie (?:uns|unsere arbeit|unseren journalismus"
    r"|(?:den |unabhängigen |freien )?journalismus)|^(?:unterstütze|unterstützt) uns\b"
    r"|^jetzt (?:spenden|abonnieren|mitglied werden|unterstützen|abonnent(?:in)? werden)\b"
    r"|^(?:folgen sie|folge|folgt) uns (?:auf|bei|in)\b"
    r"|^(?:abonnieren sie|abonniere|abonniert) (?:unseren|den|unser) (?:newsletter|kanal|podcast)"
    # French
    r"|^soutenez(?:-nous\b| notre (?:rédaction|journal|journalisme|travail|média)"
    r"| (?:le |un )?journalisme)|^faites un don\b"
    r"|^(?:abonnez|inscrivez)-vous à (?:notre|la|nos) (?:newsletter|lettre|infolettre|chaîne)"
    r"|^(?:suivez|retrouvez)-nous (?:sur|on)\b"
    # Spanish
    r"|^apoya (?:el periodismo|(?:a )?nuestro (?:periodismo|trabajo|medio))|^apóyanos\b"
    r"|^haz (?:una|tu) donación\b|^dona (?:ahora|hoy|aquí)\b"
    r"|^suscríbete (?:a|al) (?:nuestro|nuestra|el|la) (?:boletín|newsletter|canal)"
    r"|^síguenos (?:en|a través de)\b|^hazte (?:socio|socia|miembro|suscriptor|suscriptora)\b"
    # Chinese (a WeChat account's "this article comes from our account", and its prompts)
    r"|^本文来自(?:微信)?公众号\s*[：:]|^(?:点击|欢迎)关注|^扫码(?:订阅|关注|加入)"
    # Japanese
    r"|^この記事が(?:気に入ったら|良かったら|よかったら|役に立ったら)"
    r"|^(?:メルマガ|ニュースレター)(?:の)?登録"
    # Russian
    r"|^поддержите (?:нас|наш (?:проект|канал|сайт)|редакцию|(?:независимую )?журналистику)"
    r"|^(?:подпишитесь|подписывайтесь) на (?:нашу|наш) (?:рассылку|канал|newsletter)"
    # Arabic
    r"|^تابعونا (?:على|عبر|في)|^(?:ادعم|ادعموا) (?:صحافتنا|عملنا|الصحافة المستقلة)|^ادعمنا"
    r"|^اشترك(?:وا)? (?:في |ب)(?:نشرتنا|قناتنا|النشرة)|^تبرع(?:وا)? (?:الآن|لنا)",
    re.IGNORECASE,
)
# ("Xでもフォローお願いします！": what is followed comes first; looked for where "フォロー" is)
_APPEAL_ANYWHERE = re.compile(r"^.{0,20}フォロー(?:を)?(?:お願いします|よろしく)")
# (What an _APPEAL can start with, lower-cased: a line starting otherwise is not tried with it,
# 7 µs a line; tests/test_junk.py checks the set.)
_APPEAL_FIRST = frozenset("psdgmbjufairh本点欢扫こメニпتا")
EDGE_LINES = 4  # the lines at each end of a body an appeal is looked for in
_LONG_LINE = 4 * DEFAULT_MAX_CHARS  # (a line this long is the article's: not collapsed to know)


def edge_appeals(quick: str, lines: Sequence[str]) -> frozenset[str]:
    """The lines of a body's text that appeal to its readers (_APPEAL) at its start or end:
    among its first and last EDGE_LINES lines, with nothing but other junk (a built-in rule's,
    or another appeal) between them and the edge. `quick`, `lines`: `_quick_lines`' answers."""
    # (An appeal at an edge is among the first or last short lines: only where one is, the
    # body's lines are read again for where it is, 4-12% of strip_paragraphs' time otherwise.)
    if not any(map(_appeal, (*lines[:EDGE_LINES], *lines[-EDGE_LINES:]))):
        return frozenset()
    found: set[str] = set()
    for edge in (_lines_from_start(quick), _lines_from_end(quick)):
        for n, line in enumerate(edge):
            if n == EDGE_LINES:
                break
            if len(line) <= DEFAULT_MAX_CHARS and _appeal(line):
                found.add(line)
            elif len(line) > DEFAULT_MAX_CHARS or not _built_in_hit(line):
                break  # the article's own text
    return frozenset(found)


# What makes a line that opens as an appeal a sentence of the article (the reviewer's): it is
# someone's words ("Support local news, the mayor said", "Donate now, before the tax year ends,
# advisers told clients"), or "follow us" is down a street, not to a network ("Folgen Sie uns auf
# dem Weg durch die Altstadt", "Suivez-nous sur les traces de Victor Hugo").
_REPORTED = re.compile(
    r"\b(?:said|says|say|told|tells|according to|sagte|sagt|sagten|erklärte|betonte|a déclaré"
    r"|a dit|déclare|propose|dijo|dice|afirmó|explicó|disse|afferma|ha detto|заявил|заявила"
    r"|сказал|сказала|сообщил|قال|وقال|قالت)\b|说|表示|称|指出",
    re.IGNORECASE,
)
_FOLLOW = re.compile(r"folg|suivez|retrouvez|síguenos|تابعونا", re.IGNORECASE)
_FOLLOW_WHERE = re.compile(
    rf"{_NETWORKS}|\bx\b|linkedin|mastodon|bluesky|threads|whatsapp|google news|flipboard"
    r"|\brss\b|social|sozialen|réseaux|redes|kanal|canal|chaîne|newsletter|:\s*$|https?://|@\w"
    r"|تويتر|فيسبوك|فيس بوك|إنستغرام|انستغرام|يوتيوب|تلغرام|تيليجرام|واتساب|التواصل",
    re.IGNORECASE,
)


def _appeal(line: str) -> bool:
    """Whether a line is an appeal to the site's readers (_APPEAL), not a sentence that opens as
    one (_REPORTED, a "follow us" to no network)."""
    if line[:1].lower() in _APPEAL_FIRST and (match := _APPEAL.match(line)):
        if _REPORTED.search(line):
            return False
        return not _FOLLOW.match(match.group(0)) or _FOLLOW_WHERE.search(line) is not None
    return "フォロー" in line and _APPEAL_ANYWHERE.match(line) is not None


def _edge_line(raw: str) -> str:
    """A line of text, white space collapsed (a long one as it is: it is the article's)."""
    if len(raw) > _LONG_LINE:
        return "" if raw.isspace() else raw
    return collapsed(raw)


def _lines_from_start(text: str) -> Iterator[str]:
    """The text's lines with words (`_edge_line`), first to last, read as needed."""
    start = 0
    while start <= len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        if line := _edge_line(text[start:end]):
            yield line
        start = end + 1


def _lines_from_end(text: str) -> Iterator[str]:
    """The text's lines with words (`_edge_line`), last to first, read as needed."""
    end = len(text)
    while end >= 0:
        start = text.rfind("\n", 0, end) + 1
        if line := _edge_line(text[start:end]):
            yield line
        end = start - 1


def _continued_hit(lines: list[str]) -> bool:
    """Whether a footer is broken over two lines (_CONTINUED): its second line, joined to the
    one above it, matches a built-in pattern."""
    if not any(map(_CONTINUED.match, lines)):  # (the usual case, found at C's speed)
        return False
    return any(
        _CONTINUED.match(line) and _built_in_hit(f"{lines[i - 1]} {line}")
        for i, line in enumerate(lines)
        if i
    )


def _banner(text: str) -> bool:
    """Whether a paragraph's text labels an ad (_AD_LINE), or asks to scan a code or follow an
    account (_PROMPTING): the picture beside it is the banner, the QR code or the promotion,
    and goes with it. (A WeChat QR code beside "扫码关注公众号" stayed, and could become the
    article's picture: a review.)"""
    return _AD.match(text) is not None or _PROMPTING.search(text) is not None


_PROMPTING = re.compile(
    r"二维码|二維碼|扫码|掃碼|扫一扫|掃一掃|关注我们|關注我們|公众号|公眾號|qr[- ]?code"
    r"|^(?:follow|like|find) us on\b|^scan\b",
    re.IGNORECASE,
)


def _profiles(text: str) -> bool:
    """Whether a paragraph is a list of profiles: junk as a whole, its heading and names alone
    are not."""
    return len(text) <= LOOSE_MAX_CHARS and "/" in text and social_links(text)


def _quick_lines(html_text: str, longest: int) -> tuple[str, list[str]]:
    """strip_paragraphs' look at a body before parsing it: its text (block tags made line
    breaks, other tags dropped, entities decoded) and the lines of it no longer than `longest`,
    white space collapsed. In C where it was built (3x as fast): the reference below otherwise."""
    if _native is not None and (found := _native.quick_lines(html_text, longest)) is not None:
        return found
    return _quick_lines_python(html_text, longest)


def _quick_lines_python(html_text: str, longest: int) -> tuple[str, list[str]]:
    """`_quick_lines`: the reference, and the fallback where the C module is not built (or a
    tag's name is not ASCII, which IGNORECASE may match to an ASCII one)."""
    flat = html_text.replace("\r", " ").replace("\n", " ")
    quick = html.unescape(_INLINE_TAG.sub("", _BLOCK_TAG.sub("\n", flat)))
    lines = [line for line in map(collapsed, quick.split("\n")) if 0 < len(line) <= longest]
    return quick, lines


def strip_learned(
    html_text: str, known: frozenset[str], body: boilerplate.Body | None = None
) -> str:
    """Sanitized HTML without the short paragraphs its source repeats in many of its articles.

    `known`: the source's boilerplate paragraph hashes (aggregator/boilerplate.py; the evidence is
    counted in Redis as articles are filed in stories). Never all of the article's text.
    `body`: `boilerplate.Body.of(html_text)`, when the caller made it already (its paragraphs
    and hashes tell whether any is known without reading the text again).
    """
    if not html_text or not known:
        return html_text
    # (The hashes of the paragraphs read, by their text: most of what _drop judges below is one
    # of them, not cut into words and hashed again: ~7% of a new feed's second cleaning.)
    if body is None:  # (its paragraphs read once: for what is known, and for a record's fields)
        paras = boilerplate.paragraphs(html_text)
        short = [p for p in paras if len(p) <= LEARNED_MAX_CHARS]
        hashed = dict(zip(short, boilerplate.hashes_of(short), strict=True))
        if not any(h in known for h in hashed.values()):
            return html_text
    elif not holds_learned(html_text, known, body):
        return html_text
    else:
        paras = body.paragraphs
        hashed = {
            p: h
            for p, h in zip(paras, body.hashes, strict=True)
            if h and len(p) <= LEARNED_MAX_CHARS
        }
    fields = record_fields(paras, known)
    return _drop(
        html_text,
        lambda text: (
            len(text) <= LEARNED_MAX_CHARS
            and text not in fields
            and (hashed.get(text) or boilerplate.paragraph_hash(text)) in known
        ),
        structure=False,
    )


# A record's field: "Vendor: Curated", "Ort : Stadtbibliothek", "会場：区立中央図書館". A short
# key (a few words, no digit first) and a short value, no sentence's end ("!", "?") after it.
_FIELD = re.compile(
    r"^(?P<key>[^\W\d_][^\W_]*(?:[ '’&/.-][^\W_]+){0,3}\.?)\s?[:：]\s*(?P<value>\S.{0,99})$"
)
# ... not a prompt written as one ("Share this job: Twitter · LinkedIn", "Follow us: …"), a
# network's profile ("Twitter: @name"), an address ("Website: https://…", "Exchange: hodl.com",
# "E-mail: support@…": a contact footer's) nor a sentence ("Betterment : Rethink what your money
# can do.", a sponsor's line).
_FIELD_NOT = re.compile(
    r"^(?:share|follow|like|subscribe|sign up|join|read|watch|listen|visit|check|see|find us"
    r"|teilen|folgen|partager|suivez|compartir|síguenos|поделиться|подпишитесь)\b"
    rf"|^(?:{_NETWORKS}|x|linkedin|mastodon|bluesky|threads|whatsapp|wechat|weibo|rss)\s?[:：]"
    r"|https?://|www\.|@\w|[:：]\s*[\w.-]+\.[a-z]{2,6}(?:/\S*)?$|\w[.!?。！？]$",
    re.IGNORECASE,
)


# ... nor a site's promotion or contact written as fields, its footer on every article (the
# reviewer's: "Newsletter: Get our morning briefing", "Spenden: Unterstützen Sie …", the WeChat
# account's "公众号：…" "客服电话：…" "投稿邮箱：…" "商务合作：…").
_PROMOTION_KEY = re.compile(
    r"newsletter|podcast|\babo\b|abonnement|spende|donat|support|\btips?\b|subscri|hotline"
    r"|公众号|客服|投稿|商务|合作|微信|تبرع|תרמו",
    re.IGNORECASE,
)


def _field(line: str) -> bool:
    match = _FIELD.match(line)
    return (
        match is not None
        and _FIELD_NOT.search(line) is None
        and _PROMOTION_KEY.search(match.group("key")) is None
    )


def record_fields(paras: Sequence[str], known: Collection[str]) -> frozenset[str]:
    """The lines of a body that are a record's fields: "Key: value" lines (_FIELD), three or
    more in a row, or two of which one at least is not `known` (the item's own value). A shop's,
    an events calendar's or a job board's items share values ("Type: Periodical", "Location:
    Berlin"), so each such line recurs in many of a source's articles; among the item's other
    fields it is the item's data, not the site's template (a job board's item may share all
    five of its fields with another). Two lines the source repeats together are its template: a
    channel's credits under every video ("Directed by: …", "Produced By: …", the corpus's).
    (Read in the order `boilerplate.paragraphs` gives: a list's items, a paragraph's lines and
    paragraphs alike.) Not a line a built-in rule condemns ("来源：…", "Advertisement: …"), nor a
    footer's pattern."""
    found: set[str] = set()
    run: list[str] = []
    lines = [*paras, ""]
    for i, line in enumerate(lines):
        # (Most lines have no colon, so neither a field's nor a bare key's: not matched at all.)
        keyed = ":" in line or "：" in line
        if keyed and len(line) <= 120 and _field(line) and not is_junk(line, ()):
            run.append(line)
            continue
        # A key alone, its value on the next line ("Price:" over "25.00", a shop's <br>s)
        if keyed and _BARE_KEY.match(line) and (value := lines[i + 1]) and len(value) <= 60:
            run.append(line)
            continue
        if run and run[-1].endswith((":", "：")) and len(line) <= 60 and line:
            run.append(line)  # (the value of the key above)
            continue
        if not run:
            continue
        # (counted: the "Key: value" lines; a key over its value is one more of a block of them,
        # never a block alone: "Big Bang Supporters:" over a name is a list's heading)
        fields = sum(1 for p in run if not p.endswith((":", "：")) and _FIELD.match(p))
        if fields >= 3 or (
            fields == 2 and not all(boilerplate.paragraph_hash(p) in known for p in run)
        ):
            found.update(p for p in run if not boilerplate.is_pattern(p))
        run = []
    return frozenset(found)


_BARE_KEY = re.compile(r"^[^\W\d_][^\W_]*(?:[ '’&/.-][^\W_]+){0,3}\s?[:：]$")


def holds_learned(
    html_text: str, known: frozenset[str], body: boilerplate.Body | None = None
) -> bool:
    """Whether a paragraph of the HTML short enough to be learned junk is `known` (`body`: as
    strip_learned's): without one, strip_learned leaves it as it is."""
    if body is None:
        paras = [p for p in boilerplate.paragraphs(html_text) if len(p) <= LEARNED_MAX_CHARS]
        hashes = boilerplate.hashes_of(paras)
    else:
        paras, hashes = body.paragraphs, body.hashes
    return any(
        h in known for p, h in zip(paras, hashes, strict=True) if len(p) <= LEARNED_MAX_CHARS
    )


# What a source repeating it does not make junk: a heading ("Infrastructure" over every
# changelog's list, a newsletter's "Thoughts"), a table's cell (a feature matrix's "✓").
_STRUCTURE = frozenset(("h1", "h2", "h3", "h4", "h5", "h6", "td"))
_LEAD_IN = (":", "：")  # "Highlights include:", "Steps:": what follows is the article's


def _drop(
    html_text: str,
    judge: Callable[[str], bool],
    *,
    pictures_suffice: bool = False,
    structure: bool = True,
    whole: Callable[[str], bool] | None = None,
    banner: Callable[[str], bool] | None = None,
) -> str:
    """The HTML without the paragraphs `judge` condemns by their text, unless that is all of it
    (and, with `pictures_suffice`, no picture is left: a Reddit link post is its picture).

    With `banner`, a paragraph holding a picture loses only its junk words, the picture stays
    ("此主题相关图片如下：<img>", "<img>点击查看大图"), unless `banner` says the words label an ad
    ("Advertisement<img>": the banner goes with its label).

    A paragraph is a block element, or a run of text and inline elements loose in a container
    between its blocks or line breaks: the Guardian ends every article with `</p> <a>Continue
    reading...</a>`. A run is judged only when short (LOOSE_MAX_CHARS): a long one is a body
    written without paragraphs, and one line of it must not take the rest along.

    Not `structure`: headings and table cells stay whatever `judge` says, and so does a
    paragraph or run leading in to a block that stays (`_leads_in`: it ends in a colon, or a
    list or a table follows it).
    """
    root = _fragment(html_text)
    if root is None:
        return html_text
    breaks = list(root.iter("br"))
    for br in breaks:  # read as a space (_words), until serialized (an HTML parser's <br> is empty)
        br.text = " "
    doomed: list[lxml.html.HtmlElement] = []
    inside: set[lxml.html.HtmlElement] = set()  # what the doomed elements hold
    containers: list[lxml.html.HtmlElement] = []  # the root among them, when it holds blocks
    for element in root.iter(*_PARAGRAPHS):
        # (Cheap checks first: the text of a div holding blocks is all of theirs, read again at
        # every level of a deep nesting.)
        if element.tag == "div" and next(element.iterchildren(*_BLOCKS), None) is not None:
            containers.append(element)
            continue  # a container of paragraphs: they are judged one by one
        if element in inside or (not structure and element.tag in _STRUCTURE):
            continue
        text = _words(element)
        # A paragraph of lines (breaks in it or in an inline element of it) is judged line by
        # line: a forum's "本帖最后由 … 编辑" opens its first post's first paragraph, and dvbbs's
        # "此主题相关图片如下：" sits above each picture, in the picture's <span>; judged whole,
        # the post or the picture went with it. (Learned junk is counted line by line too,
        # boilerplate.paragraphs: a YouTube description's "Sign Up on Patreon…<br>https://…".)
        if _lined(element) and (
            not structure
            or len(text) > LOOSE_MAX_CHARS
            or next(element.iter(*_MEDIA), None) is not None
            or not (text and judge(text))  # (the usual case: no junk at all)
            or _junk_by_its_lines(element, text, judge, whole)
        ):
            containers.append(element)
            continue  # a container of lines: judged one by one
        # (Else a short paragraph of words only, junk as a whole: a footer wrapped over lines.)
        if text and judge(text):
            if (
                banner is not None
                and next(element.iter(*_MEDIA), None) is not None
                and not banner(text)
            ):
                containers.append(element)  # its words go, its picture stays
                continue
            doomed.append(element)
            inside.update(element.iterdescendants())
    if not structure:
        going = set(doomed)  # (looked up once per paragraph or list item: a set)
        outlines = _outlines(doomed, going)
        doomed = [
            e
            for e in doomed
            if not _leads_in(_words(e), e.getnext(), going) and not _in_outline(e, outlines)
        ]
        inside = {d for element in doomed for d in element.iterdescendants()}
    loose = [
        run
        for container in containers
        if container not in inside
        for run in _junk_lines(container, judge, structure, doomed, whole, banner)
    ]
    if not doomed and not loose:
        return html_text
    total = len("".join(_text(root).split()))
    junk = sum(len("".join(_text(d).split())) for d in doomed)
    if total <= junk + sum(len(run.text.replace(" ", "")) for run in loose) and not (
        pictures_suffice and any(media not in inside for media in root.iter(*_MEDIA))
    ):
        return html_text  # the junk is all there is: keep it rather than an empty article
    # First: drop_tree() moves a doomed block's tail, a run's text, away. And every run's words
    # before any run's elements: a banner's run drops its picture, whose tail may be the next
    # run's words ("Anzeige: <img> Anzeige:", the picture taken by both labels).
    for run in loose:
        run.clear()
    for run in loose:
        run.remove()
    # Where a notice ended its container, the breaks that set it apart from the text would be
    # left ending it: Spiegel's "…aus der SPIEGEL-Redaktion. <br><br>" over its host's notice.
    ended = {e.getparent() for e in doomed if e.tag != "td" and _only_breaks_after(e)}
    ended.update(r.container for r in loose if r.before is None or _only_breaks_after(r.before))
    emptied = {e.getparent() for e in doomed if e.tag != "td"}
    for element in doomed:
        if element.tag == "td":  # a cell: emptied, so its row keeps its shape
            tail, attributes = element.tail, dict(element.attrib)  # (colspan, rowspan)
            element.clear()
            element.attrib.update(attributes)
            element.tail = tail
        else:
            element.drop_tree()
    for container in ended - {None}:
        _drop_trailing_breaks(container)
        _drop_trailing_rule(container)
    for container in emptied:
        _drop_emptied(container)
    for container in {run.container for run in loose}:
        _drop_leading_breaks(container)  # where its first line was junk
        empty = not _text(container).strip() and next(container.iter(*_MEDIA), None) is None
        if container is not root and empty:  # a paragraph of lines all junk
            if container.tag == "td":  # (a cell stays, emptied, as above)
                container.text = None
                for child in container:
                    container.remove(child)
            else:
                container.drop_tree()
    for br in breaks:
        br.text = None
    return _serialize(root)


def _leads_in(
    text: str, following: lxml.html.HtmlElement | None, doomed: Collection[lxml.html.HtmlElement]
) -> bool:
    """Whether a paragraph or a loose run (its `text`) introduces the block after it, which is
    not going too: it ends in a colon, or a list or table follows it ("Added 14.1 devices" over
    a changelog's list, "Post-show:" opening a show-notes item over its links)."""
    if following is None or following.tag == "br" or following in doomed:
        return False
    if not (_words(following) or next(following.iter(*_MEDIA), None) is not None):
        return False
    return following.tag in _INTRODUCED or text.endswith(_LEAD_IN)


_INTRODUCED = frozenset(("ul", "ol", "dl", "table", "pre"))
_SENTENCE_ENDS = (".", "!", "?", "。", "！", "？")


def _outlines(
    doomed: list[lxml.html.HtmlElement], going: set[lxml.html.HtmlElement]
) -> set[lxml.html.HtmlElement]:
    """The lists holding a doomed item and an item with words that is not going."""
    lists = {item.getparent() for item in doomed if item.tag == "li"}
    return {
        parent
        for parent in lists
        if parent is not None
        and any(li.tag == "li" and li not in going and _words(li) for li in parent)
    }


def _in_outline(item: lxml.html.HtmlElement, outlines: set[lxml.html.HtmlElement]) -> bool:
    """Whether a list item is a point of an outline that stays: a label (words without a link,
    not a sentence) in a list whose other items are not going (`_outlines`): show notes'
    "#askatp" and "Post-show: Neutral", a roadmap's "Infrastructure", a changelog's "and lots
    more…". A sponsor's item links to the sponsor; a footer's call to action is a sentence
    ("Share it with your friends.")."""
    return (
        item.tag == "li"
        and item.getparent() in outlines
        and next(item.iter("a"), None) is None
        and not _words(item).endswith(_SENTENCE_ENDS)
    )


def _junk_lines(
    container: lxml.html.HtmlElement,
    judge: Callable[[str], bool],
    structure: bool,
    doomed: Collection[lxml.html.HtmlElement],
    whole: Callable[[str], bool] | None = None,
    banner: Callable[[str], bool] | None = None,
) -> list[_Run]:
    """The container's loose runs `judge` condemns, but not a profile's address the line above
    introduces: "Check Out Lathrop Lab's YouTube Channel to learn more…:<br>https://www.youtube.
    com/channel/…" (it ends in a colon and stays; "Мы в соцсетях:" over a list of profiles is the
    list's own; "品相如图：<br>此主题相关图片如下：" is a note all the same). Judged by rule
    (`structure`), a link holding a picture ends a line as the picture does, and with `banner` a
    line labelling an ad takes the picture on its line along (a learned line is read whole, as
    its evidence was counted: "Follow us <a><img></a> on Twitter")."""
    found: list[_Run] = []
    previous: _Run | None = None
    previous_junk = False
    runs = _loose_runs(container, pictures=structure)
    for run in runs:
        # the line above, when only a break is between them (two lines of one paragraph)
        above = (
            previous
            if previous is not None
            and previous.before is run.after
            and run.after is not None
            and run.after.tag == "br"
            else None
        )
        junk = (
            len(run.text) <= LOOSE_MAX_CHARS
            and judge(run.text)
            and (structure or not _leads_in(run.text, run.before, doomed))
            and not (
                above is not None
                and whole is not None
                and not previous_junk
                and above.text.endswith(_LEAD_IN)
                and not _SOCIAL_HEADING.match(above.text)
                and whole(run.text)
            )
        )
        if (
            not junk
            and structure
            and above is not None
            and not previous_junk
            and _CONTINUED.match(run.text)
            and judge(f"{above.text} {run.text}")
        ):
            found.append(above)  # "The post <a>X</a><br>appeared first on <a>Y</a>.": a footer
            junk = True
        if junk:
            found.append(run)
            if banner is not None and banner(run.text):  # "Advertisement <a><img></a>"
                found += [  # (the picture after it takes the break the line kept for it)
                    _Run(container, run.after if edge is run.before else None, [(edge, "inline")])
                    for edge in (run.after, run.before)
                    if edge is not None and _picture(edge)
                ]
        previous, previous_junk = run, junk
    if whole is None or not found:
        return found
    # A name over its profiles' lines is the list's too ("Гарик Харламов<br>https://t.me/…
    # <br>https://vk.com/…", the paragraph's other lines the article's or learned junk).
    # (Each block of junk lines read once, and no further than a list is judged: a post of ten
    # thousand junk lines and pictures took 81 s read again from each line.)
    going = {id(run) for run in found}
    for i, name in enumerate(runs[:-1]):
        if id(name) in going or id(runs[i + 1]) not in going:
            continue
        block, size = [name.text], len(name.text)
        for run in runs[i + 1 :]:
            if id(run) not in going or size > LOOSE_MAX_CHARS:
                break
            block.append(run.text)
            size += len(run.text) + 1
        if whole(" ".join(block)):
            found.append(name)
    return found


def _junk_by_its_lines(
    element: lxml.html.HtmlElement,
    text: str,
    judge: Callable[[str], bool],
    whole: Callable[[str], bool] | None,
) -> bool:
    """Whether a short paragraph of lines, junk as a whole (its `text`), is so by some of its
    lines alone, and the rest, read together, is not junk: the article's ("本帖最后由 … 编辑"
    opening a post). Else it goes whole: a footer wrapped over lines, a list of profiles
    (`whole`: its heading and names alone are not junk)."""
    runs = _loose_runs(element)
    rest = [run.text for run in runs if not (len(run.text) <= LOOSE_MAX_CHARS and judge(run.text))]
    if not rest or len(rest) == len(runs) or (whole is not None and whole(text)):
        return False
    return not judge(" ".join(rest))


def _drop_leading_breaks(container: lxml.html.HtmlElement) -> None:
    """Line breaks that open the container, with nothing before them, go (their tails stay)."""
    while not (container.text or "").strip() and len(container) and container[0].tag == "br":
        container.text = (container.text or "") + (container[0].tail or "")
        container.remove(container[0])  # which takes its tail: kept just above


def _only_breaks_after(element: lxml.html.HtmlElement) -> bool:
    """Whether nothing but line breaks and white space follows the element in its parent."""
    if (element.tail or "").strip():
        return False
    return all(s.tag == "br" and not (s.tail or "").strip() for s in element.itersiblings())


def _drop_trailing_breaks(container: lxml.html.HtmlElement) -> None:
    """Line breaks that end the container, with nothing after them, go."""
    while len(container) and container[-1].tag == "br" and not (container[-1].tail or "").strip():
        container.remove(container[-1])


# A rule set between the text and a notice under it: drawn (<hr>), or written as a paragraph of
# dashes, stars or underscores ("---", "* * *": Anchor's over its "Send in a voice message").
_RULE = re.compile(r"(?:[-–—_*=~]\s*){3,}")
# What holds a notice and nothing else, as Substack's subscribe widget holds its words and form.
_WRAPPERS = frozenset(("div", "section", "aside"))


def _drop_trailing_rule(container: lxml.html.HtmlElement) -> None:
    """A rule left ending the container once the notice under it went goes, with the line
    breaks before it: it separates nothing."""
    if not len(container) or (container[-1].tail or "").strip():
        return
    last = container[-1]
    if last.tag == "hr" or (
        last.tag == "p" and next(last.iter(*_MEDIA), None) is None and _RULE.fullmatch(_words(last))
    ):
        last.drop_tree()
        _drop_trailing_breaks(container)


def _drop_emptied(element: lxml.html.HtmlElement | None) -> None:
    """A wrapper the junk was all of goes, and each one around it that held only that: an empty
    <div> shows nothing but is left over, three deep for Substack's widget."""
    while (
        element is not None
        and element.tag in _WRAPPERS
        and (parent := element.getparent()) is not None
        and not _text(element).strip()
        and next(element.iter(*_MEDIA), None) is None
    ):
        element.drop_tree()
        element = parent


@dataclass
class _Run:
    """A line loose in a container: text and inline elements between its blocks, line breaks and
    pictures, read into the inline elements that hold such (a <span> of lines and pictures).
    `parts`, in order: an element's text ("text"), its tail ("tail"), or an inline element whole
    ("inline")."""

    container: lxml.html.HtmlElement
    after: lxml.html.HtmlElement | None = None  # the break, block or picture it follows, if any
    parts: list[tuple[lxml.html.HtmlElement, str]] = field(default_factory=list)
    before: lxml.html.HtmlElement | None = None  # the block, break or picture that ends it, if any
    read: str | None = field(default=None, repr=False, compare=False)

    @property
    def text(self) -> str:
        """Its words, read once its parts are all found (_loose_runs)."""
        if self.read is None:
            self.read = collapsed("".join(_part_text(e, kind) for e, kind in self.parts))
        return self.read

    def clear(self) -> None:
        """The line's words go (its elements stay until `remove`)."""
        for element, kind in self.parts:
            if kind == "text":
                element.text = None
            elif kind == "tail":
                element.tail = None

    def remove(self) -> None:
        """The line's elements go, after every junk line's words (`clear`)."""
        for element, kind in self.parts:
            # (its tail, this line's, is gone already; a picture two ad labels took, once)
            if kind == "inline" and element.getparent() is not None:
                element.drop_tree()
        if (
            self.after is not None
            and self.after.getparent() is not None
            and self.after.tag == "br"
            and (self.before is None or not _picture(self.before))
        ):
            # the line goes with its break, unless a picture is on its line: the picture keeps
            # it ("A<br>此主题相关图片如下：<img>" is "A<br><img>", not "A<img>")
            self.after.drop_tree()


def _part_text(element: lxml.html.HtmlElement, kind: str) -> str:
    if kind == "text":
        return element.text or ""
    if kind == "tail":
        return element.tail or ""
    return _text(element)


def _words(element: lxml.html.HtmlElement) -> str:
    """An element's text as it reads: a line break is a space ("Advertisement<br>Sponsored by"
    is two lines, not "AdvertisementSponsored by"), whitespace collapsed. (In _drop's tree, whose
    every <br> holds a space while it is read: its text gathered in C, not by a walk in Python.)"""
    return collapsed(_text(element))


def _text(element: lxml.html.HtmlElement) -> str:
    """element.text_content(), without its XPath's set-up."""
    return str(etree.tostring(element, method="text", encoding=str, with_tail=False))


def _loose_runs(container: lxml.html.HtmlElement, pictures: bool = False) -> list[_Run]:
    """The container's loose runs; a line break ends one, and a picture or a video between them
    is a block of its own (a junk line is words: the picture beside it stays), and so is a link
    holding one, with `pictures`. An inline element holding breaks or pictures is read into: its
    lines are the container's."""
    runs = [_Run(container)]
    _read_lines(container, runs, _holding_lines(container), pictures)
    return [run for run in runs if run.text]


def _picture(element: lxml.html.HtmlElement) -> bool:
    """Whether an element is a picture (or a video…), or a link holding one."""
    return element.tag in _MEDIA or (
        element.tag == "a" and next(element.iter(*_MEDIA), None) is not None
    )


def _holding_lines(container: lxml.html.HtmlElement) -> set[lxml.html.HtmlElement]:
    """The elements in the container that hold a line break or a picture, found from each up (a
    look down from each element of a deep nesting read it all at every level)."""
    holding: set[lxml.html.HtmlElement] = set()
    for found in container.iter("br", *_MEDIA):
        parent = found.getparent()
        while parent is not None and parent is not container and parent not in holding:
            holding.add(parent)
            parent = parent.getparent()
    return holding


def _read_lines(
    element: lxml.html.HtmlElement,
    runs: list[_Run],
    holding: set[lxml.html.HtmlElement],
    pictures: bool = False,
) -> None:
    runs[-1].parts.append((element, "text"))
    for child in element:
        if not isinstance(child.tag, str):  # a comment
            pass
        elif (
            child.tag in _BLOCKS
            or child.tag in _PARAGRAPHS
            or child.tag == "br"
            or child.tag in _MEDIA
            # (a link holding a picture is the picture: a junk line beside it goes alone)
            or (pictures and child.tag == "a" and child in holding and _picture(child))
        ):
            runs[-1].before = child
            runs.append(_Run(runs[0].container, child))
        elif child in holding and child.tag != "a":  # (a link's lines go whole, or stay)
            _read_lines(child, runs, holding, pictures)
        else:
            runs[-1].parts.append((child, "inline"))
        runs[-1].parts.append((child, "tail"))


def _lined(element: lxml.html.HtmlElement) -> bool:
    """Whether a paragraph holds more than one line: a break, in it or in an inline element of
    it. (A paragraph of one line and a picture is judged whole, then its words alone unless
    they label an ad: _drop.)"""
    if next(element.iter("br"), None) is None:  # (the usual case, found in C)
        return False
    return any(
        child.tag == "br"
        or (
            isinstance(child.tag, str)
            and child.tag not in _BLOCKS
            and next(child.iter("br"), None) is not None
        )
        for child in element
    )


def is_junk(text: str, patterns: Sequence[str], defaults: bool = True) -> bool:
    """Whether a paragraph's text is one strip_paragraphs would remove (were it not all)."""
    return _matches(collapsed(text), _own_rule(tuple(patterns)), defaults)


def _matches(text: str, own: re.Pattern[str] | None, defaults: bool) -> bool:
    if own is not None and own.search(text):
        return True
    if not defaults:
        return False
    if len(text) <= DEFAULT_MAX_CHARS and _built_in_hit(text):
        return True
    # (a list of profiles is words of no sentence: judged as long as a loose run is)
    return len(text) <= LOOSE_MAX_CHARS and "/" in text and social_links(text)


def _fragment(html_text: str) -> lxml.html.HtmlElement | None:
    """lxml.html.fragment_fromstring(html_text, create_parent="div"), its root made by _PARSER
    too (the elements moved into lxml.html's root would be read with its lookup)."""
    try:
        elements = lxml.html.fragments_fromstring(html_text, parser=_PARSER)
    except (etree.ParserError, ValueError):
        return None
    root = _PARSER.makeelement("div")
    if elements and isinstance(elements[0], str):
        root.text = elements.pop(0)
    root.extend(elements)
    return root


# lxml.html's parser, but every element an HtmlElement chosen in C: lxml.html's own picks a
# form's classes in Python, for every element read (_drop reads them all, a form's alike).
_PARSER = etree.HTMLParser()
_PARSER.set_element_class_lookup(
    etree.ElementDefaultClassLookup(
        element=lxml.html.HtmlElement,
        comment=lxml.html.HtmlComment,
        pi=lxml.html.HtmlProcessingInstruction,
        entity=lxml.html.HtmlEntity,
    )
)


_CONTENT_TYPE = '<meta http-equiv="Content-Type"'
_META_CONTENT_TYPE = re.compile(re.escape(_CONTENT_TYPE) + "[^>]*>")


def _serialize(root: lxml.html.HtmlElement) -> str:
    # (lxml.html.tostring, whose regular expression read every body for the tag only where it is)
    text = str(etree.tostring(root, method="html", encoding="unicode"))
    if _CONTENT_TYPE in text:
        text = _META_CONTENT_TYPE.sub("", text)
    return text.removeprefix("<div>").removesuffix("</div>").strip()
