"""Junk rules: the built-in set scored on labelled paragraphs, and the config's rules end to end."""

from __future__ import annotations

import itertools
import random
import re
import re._parser as sre_parse  # the test reads the built-in patterns' first characters
import tracemalloc
from dataclasses import replace
from datetime import UTC, datetime
from html import escape
from typing import Any

import lxml.html  # type: ignore[import-untyped]
import pytest

from aggregator import boilerplate, junk
from aggregator.config import parse_config
from aggregator.errors import ConfigError
from aggregator.fetch import Fetcher
from aggregator.junk import strip_paragraphs, strip_selected
from aggregator.models import EntryData, Outcome, ParsedFeed
from aggregator.normalize import normalize
from aggregator.refresh import refresh_source
from aggregator.store import Store
from tests.support.corpus import corpus_files, requires_corpus
from tests.support.feed_server import FeedServer
from tests.support.native import requires_native
from tests.support.pipeline import make_config

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
BODY = "<p>The council met on Tuesday and approved the new cycling lanes after a long debate.</p>"

# Labelled paragraphs, written after what real feeds carry. Junk, by kind:
JUNK: dict[str, list[str]] = {
    "wechat/qr prompt": [
        "扫码关注我们的公众号，获取更多资讯",
        "长按识别下方二维码，关注我们",
        "点击入群，和三千位读者一起讨论",
        "欢迎加入我们的读者交流群",
        "可以进群领取本期资料",
        "请加入粉丝群，第一时间获取更新",
        "点击上方蓝字关注我们",
        "添加小编微信：news2026，备注读者",
        "分享、点赞、在看，支持我们",
        "扫一扫下载客户端",
        "点击关注我们，获取更多精彩内容",
        "Scan the QR code to follow us on WeChat",
        "欢迎关注我们的公众号",
        "更多资讯，请搜索公众号「新闻早知道」",
    ],
    "reprint/copyright": [
        "转载请注明出处，并保留原文链接",
        "本文由极客公园 GeekPark 原创发布，转载请添加极客君微信 geekparker。",
        "未经授权，禁止转载",
        "本文来源：新华社",
        "原文链接：https://example.com/a/1",
        "（责任编辑：陈静）",
        "責任編輯：林小明",
        "版权归原作者所有，如有侵权请联系删除",
        "© 2026 Example Media. All rights reserved.",
        "Copyright 2026 Example News Ltd.",
    ],
    "appeared first on": [
        "The post Ten Things About Rust appeared first on Example Blog.",
        "This article was originally published on The Conversation.",
        # (a name after "the", or ours: a review found them missed)
        "This story was originally published by the Guardian.",
        "This article was originally published in the New York Times.",
        "This post first appeared on my personal blog.",
        "This article first appeared on our partner site, Grist.",
        "Der Beitrag Frieren: Staffel 2 erscheint im Januar erschien zuerst auf Anime2You.",
        "L’article Les JO de Paris, un an après est apparu en premier sur Le Blog.",
        "La entrada Cómo votar en 2026 se publicó primero en El Diario.",
        "L'articolo Le migliori pizze di Napoli proviene da Il Blog.",
        "O post Dez dicas de Python apareceu primeiro em Blog Dev.",
        "Het bericht Tien tips voor Rust verscheen eerst op Tweakers.",
    ],
    "read-more prompt": [
        "Continue reading...",
        "Read full article >>",  # the Washington Post's
        "To read this article in full, please click here",  # IDG's (Macworld)
        "Continue reading on »",
        "Read more",
        "[Read more…]",
        "Read more »",
        "Read the rest of this entry »",
        # in other languages (a review of real platforms' feeds: each stayed, in the excerpt too)
        "Читать далее",
        "Читать далее →",
        "続きをみる",
        "続きを読む",
        "阅读原文",
        "阅读全文 >",
        "Weiterlesen »",
        "Lire la suite…",
        "Leer más",
        "Czytaj dalej",
        "더보기",
        "Read full topic",
        "اقرأ المزيد",
        "ادامه مطلب",
        "קרא עוד",
    ],
    # A related story's link under its prompt (a review's test web; never learned: each
    # headline differs)
    "related link": [
        "Read more: Schools face £2m shortfall as budgets tighten",
        "Related: Council approves new bridge",
        "相关阅读：地铁三号线明年开通",
        "Читайте также: Власти объявили о новом маршруте",
        "Mehr zum Thema: Radweg wird verlängert",
        "Baca juga: Harga BBM naik mulai besok",
        "اقرأ أيضا: افتتاح المتحف الجديد",
        "関連記事：北海道で大雪",
        # the Nordic languages' and Dutch (cyklistbloggen's "Läs också:", a corpus review)
        "Läs också: Cyklister är trafikens lagbrytare",
        "Läs även: Ny cykelbana vid Slussen",
        "Les også: Ny bro åpner i Oslo",
        "Læs også: Regeringen vil bygge flere cykelstier",
        "Lees ook: Gemeente opent nieuwe fietsbrug",
        "Lue myös: Helsinki avaa uuden pyörätien",
    ],
    "platform footer": [
        "12 posts - 7 participants",
        "1 post - 1 participant",
        # Lemmy's score and comment count, opening every post's body
        "42 points | 7 comments",
        "-2 points | 1 comment",
        "Why we rewrote our parser in Rust was originally published in Engineering Blog on"
        " Medium, where people are continuing the conversation by highlighting and responding"
        " to this story.",
        # podcast hosts' notices on every episode (Omny's on DER SPIEGEL's, a corpus review)
        "See omnystudio.com/listener for privacy information.",
        "Hosted on Acast. See acast.com/privacy for more information.",
        "Learn more about your ad choices. Visit megaphone.fm/adchoices",
        # Anchor's (Spotify for Podcasters') on every episode, and Substack's call to subscribe
        # under every post (tests/fixtures/generators/anchor.rss, substack.rss)
        "Send in a voice message: https://podcasters.spotify.com/pod/show/twocoaches/message",
        "Support this podcast: https://podcasters.spotify.com/pod/show/twocoaches/support",
        "Send in a voice message: https://anchor.fm/twocoaches/message",
        "Thanks for reading The Weekly Ledger! Subscribe for free to receive new posts and"
        " support my work.",
    ],
    "feed-ad footer": [
        "Advertisement",
        "ADVERTISEMENT:",
        "Anzeige",
        "Реклама",
        "Sponsored: Try our new app today",
        "Sponsored by Acme Insurance.",
        "Powered by WordPress",
        "Follow us on Twitter and Facebook",
        "Find us on Instagram @examplenews",
        "Subscribe to our newsletter for the week's best stories.",
        # Suspilne's (ukr.net's feed), each region's its own: never learned (a corpus review)
        "Читайте нас у Facebook, Instagram і Telegram, дивіться наш YouTube і TikTok",
        "Підписуйтесь на новини Харкова та області в Facebook, Viber, Instagram, Telegram, Youtube",
        "Подписывайтесь на наш канал в Telegram",
        "Следите за нами во ВКонтакте и Telegram",
        "Read more of this story at Slashdot.",
    ],
    "a site's links for a body": [
        "Comments",
        "submitted by /u/gst4158 [link] [comments]",
        "[link] [comments]",
        "No content.",
        # as the corpus's Reddit feeds write it: a count, "to r/sub" or "to sub", glued in Atom
        "submitted by /u/Vayate to /r/worldnews [link] [1086 comments]",
        "submitted by coupdetaco to news [link] [329 comments]",
        "[link] [275 comments]",
        "submitted bybenjaab123tospace [link][959 comments]",
    ],
    # A video's social-network profiles (Rutube's descriptions, each show's and each video's
    # own: never learned; a corpus review)
    "social profiles": [
        "Резиденты в соцсетях: Гарик Харламов https://t.me/garbul https://vk.com/garikharlamov",
        "Андрей Скороход https://t.me/andrei_skorohod https://vk.com/iskorohod",
        "Rutube: https://rutube.ru/metainfo/tv/10/",
        "Однажды в России в соц. сетях: Youtube: https://www.youtube.com/channel/UCE8VbbggYJ3GpG"
        " Vk: https://vk.com/odnajdi_v_rossii Telegram: https://t.me/ovrshow",
        "Телеканал ТНТ в соцсетях: YouTube Shorts: https://www.youtube.com/channel/UCmVoIfd7II6"
        " VK: https://vk.com/tnt Telegram: https://t.me/TNT_television",
        "Иван Половинкин в соцсетях: https://t.me/IvanPolovinki1 vk.com/ivan_polovinkin",
        "Импровизация в соц. сетях: TikTok: https://vm.tiktok.com/ZSesJxHTj/",
        "Find the show on social media: Instagram: https://www.instagram.com/theshow",
    ],
    # A footer whose source wraps: a line break in a paragraph is a space to the reader.
    "wrapped in the source": [
        "Continue\n   reading…",
        'The post <a href="https://blog.example/p">My\ntrip</a> appeared first on\nThe Blog.',
    ],
}
# Real paragraphs, hard negatives first: the article's own text about WeChat, QR codes, copyright.
REAL: list[str] = [
    "警方表示，这一谣言最初在多个微信群中传播，随后扩散到其他平台。",
    "研究人员扫描了超过一万份二维码样本，发现其中约百分之三含有恶意链接。",
    "法院认定被告未经许可转载他人文章，判决赔偿两万元。这一判决被认为将影响整个自媒体行业的版权保护实践。",
    "该公众号运营者称，他们将继续关注农村教育问题。",
    # GeekPark's quote of the man the next paragraph names (a review found it deleted)
    "「兴盛优选在湖南行，在南京这儿不行。」李国强说，即便他本身经营着一家芙蓉兴盛便利店。"
    "从 10 月份起，他陆续加入了其他社区团购平台，「只要你申请加入就行，各个平台我都做，"
    "目前来自多多买菜的提成收入多些」。",
    "用户可以加入会员计划，享受更多优惠。",
    "游客可以进入群岛参观，每天限流两千人。",  # 群岛, 群众: no group to join (a code review)
    "工作人员可以进入群众家中了解情况。",
    "The court ruled that copyright does not protect an idea, only its expression in a fixed form.",
    "WeChat, the messaging app, has over a billion users and is central to daily life in China.",
    "Copyright reform has been debated in the European Parliament for years, and the vote"
    " on Tuesday finally settles how news snippets may be shown by search engines.",
    "She said the post appeared on her feed a week before the election; she reported it.",
    "Advertising revenue fell by 12% in the third quarter, the company said.",
    "The museum now scans a QR code at the entrance instead of paper tickets.",
    "北京今日迎来今冬首场降雪，气温降至零下五度。",
    "这位责任编辑说，稿件在发表前经过了三次核实。",
    "The council approved the plan on Tuesday.",
    "Read more books, the minister urged students on Tuesday.",
    "Read more on the Testing Blog: Hermetic Servers by Chaitali Narla and Diego Salas",
    "Der Beitrag erschien zuerst auf Facebook, bevor er gelöscht wurde.",
    "Comments on the draft are open until Friday.",
    "He submitted by hand the forms /u/ owners had sent.",
    "Читайте полную версию доклада на сайте министерства.",
    "Підписка на Telegram-канали за рік зросла на 20%, свідчить опитування.",
    "Следите за развитием событий: власти обещают обновить данные к вечеру.",
    "See the listener survey at omnystudio.com for how the show was chosen.",
    "Send in a voice message: we play the best ones at the end of each episode.",
    "Support this podcast: https://example.org/donate keeps the show free.",
    "Thanks for reading the report! It says subscribe for free to receive new posts and"
    " support my work is the line most newsletters end with.",
    "Submitted by Jane Doe to the committee on Tuesday.",
    "submitted by toronto",
    # the other languages' prompts' words in a sentence, and Medium and Discourse's words
    "Подробнее о выборах читайте в нашем специальном материале.",
    "Читать далее было невозможно: текст обрывался на середине.",
    "続きを読むには会員登録が必要です。",
    "阅读全文需要登录，网站表示将在下月取消这一限制。",
    "Weiterlesen lohnt sich: der zweite Teil erscheint morgen.",
    "The essay was originally published in 1923 in a small magazine.",
    "The thread has 12 posts and 7 participants so far.",
    "She scored 42 points | a record, and 7 comments followed.",
    # Sentences that begin as a feed's ad line or prompt does (a review found each deleted)
    "Advertisement spending by local firms fell 4% this year, the chamber of commerce said.",
    "Powered by a 2MW battery, the new ferry crosses the bay without a sound.",
    "Sponsored by the city council, the lantern festival returns to the old port on Friday.",
    "The article published on Monday by the ministry lists forty projects.",
    "Follow us on this walk through the old town, from the market to the cathedral.",
    "警方提醒，市民不要轻易关注来历不明的公众号，以免个人信息泄露。",
    "市民可扫码下载“城市服务”应用，在线办理居住证续签。",
    "律师表示，版权所有人有权要求平台删除侵权内容。",
    "See also the council's own summary of the plan, published on Monday.",
    "Related reports from the region suggest the storm moved east overnight.",
    "See Also: Chimero’s spoken, longer-form version of this essay, given as a talk.",
    # the same prompts' words in sentences, and links to a network that are no profile list
    "Läs också vad regeringen skrev om cykelvägarna i sin rapport.",
    "Läs mer om att dörras:",
    "Lees ook: de gemeente heeft het plan op dinsdag goedgekeurd.",
    "The ministry posted the order on Telegram: https://t.me/mod_russia/1234",
    "Read the full report: https://t.me/somechannel",
    "Dark Energy Playlist: https://www.youtube.com/playlist?list=PLsPUh22kYmNA6WUmOsEEi32zi",
    "Rouge Legacy on OpenBSD using PS4 dual shock pad. https://twitter.com/mulander/status/1074",
    "Here's the proof: https://twitter.com/azizansari/status/664899390943977473",
    "Гарик Харламов рассказал, что давно ведёт канал https://t.me/garbul",
    # a credit, not a list of profiles (a review found both deleted)
    "Источник: https://t.me/rian_ru",
    "Photo: https://www.instagram.com/janedoe",
    "Interview with Dennis Ritchie (2011) https://www.youtube.com/watch?v=umF6SNYaJNw",
    "Check Out Lathrop Lab's YouTube Channel: https://www.youtube.com/channel/UC-nUrQmFR3pFg",
]
# This session's rules (a corpus review: Rutube's lists, the Nordic prompts), each asked alone:
# the table above passes its 0.95 with a few of them missed.
NEW_JUNK = [*JUNK["social profiles"], *JUNK["related link"][-6:]]
NEW_REAL = REAL[-11:]


def removed(paragraph: str) -> bool:
    out = strip_paragraphs(f"{BODY}<p>{paragraph}</p>", ())
    assert BODY in out
    return out == BODY


def score() -> dict[str, tuple[int, int]]:
    """Per kind: (removed, of how many); for "real": (wrongly removed, of how many)."""
    table = {kind: (sum(map(removed, items)), len(items)) for kind, items in JUNK.items()}
    table["real (hard negatives)"] = (sum(map(removed, REAL)), len(REAL))
    return table


def test_default_rules_remove_junk_and_keep_the_articles_own_text() -> None:
    table = score()
    print(table)
    wrong, _ = table.pop("real (hard negatives)")
    assert wrong == 0
    found = sum(r for r, _ in table.values())
    total = sum(n for _, n in table.values())
    assert found / total >= 0.95, table


@pytest.mark.parametrize("paragraph", ["42 points | 7 comments", "-2 points | 1 comment"])
def test_lemmys_score_and_comment_count_go(paragraph: str) -> None:
    # (every Lemmy post's body opens with them; its counts change, so they are never learned)
    assert removed(paragraph)
    assert not removed(f"She scored {paragraph}")


@pytest.mark.parametrize("paragraph", JUNK["platform footer"][-4:])
def test_anchors_and_substacks_footers_go(paragraph: str) -> None:
    assert removed(paragraph)


@pytest.mark.parametrize(
    "paragraph", [p for p in REAL if p.startswith(("Send in a", "Support this", "Thanks for"))]
)
def test_sentences_that_open_as_their_footers_stay(paragraph: str) -> None:
    assert not removed(paragraph)


@pytest.mark.parametrize("paragraph", NEW_JUNK)
def test_profile_lists_and_nordic_related_prompts_go(paragraph: str) -> None:
    assert removed(paragraph)


@pytest.mark.parametrize("paragraph", NEW_REAL)
def test_sentences_and_links_like_them_stay(paragraph: str) -> None:
    assert not removed(paragraph)


# Labelled before the rules were written (the corpus's Rutube promos and YouTube and podcast
# footers, and lines of the same kinds written by hand): a broadcaster's "watch it then, there"
# and an appeal for money where it is given go, wherever in the body they are; sentences about
# the platform, the coin or the show stay.
WATCH_AND_GIVE = [
    "Смотри шоу #ОднаждывРоссии по пятницам в 19:00 на #ТНТ",
    "Смотрите новые серии по будням в 21:00 на СТС",
    "Смотри «Импровизацию» каждую пятницу в 22:00 на ТНТ",
    "Смотрите новый сезон по субботам в 20:00 на #Пятница",
    "Смотрите финал по воскресеньям в 21:00 на Первом канале",
    "Watch new episodes Thursdays at 9/8c on NBC",
    "Catch Saturday Night Live every Saturday at 11:30/10:30c on NBC",
    "Watch the new season Sundays at 9pm on HBO and Max",
    "Sign Up on Patreon to get access to the Space Time Discord!",
    "Support Space Time on Patreon",
    "Patreon is how we exist! If you can, please help us keep making this show.",
    "Support this podcast on Patreon: https://www.patreon.com/example",
    "Become a patron at patreon.com/janedoe",
    "Buy me a coffee: https://www.buymeacoffee.com/jane",
    "Support me on Ko-fi!",
    "If you enjoy the show, please consider supporting us on Patreon.",
    "BTC: bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh",
    "Donate Bitcoin: 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",
    "ETH: 0x32Be343B94f860124dC4fEe278FDCBD38C102D88",
    "Bitcoin donations: 3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",
    "https://www.patreon.com/pbsspacetime",
    "ko-fi.com/janedoe",
]
WATCH_AND_GIVE_REAL = [
    "Patreon said on Tuesday it would raise its fees for creators who joined after 2020.",
    "Creators on Patreon earned more than $3.5 billion last year, the company said.",
    "Patreon is how many podcasters pay their bills, a survey of 2,000 shows found.",
    "Support for Patreon among creators fell in 2025.",
    "Thanks to Our Patreon Supporters",
    "Sign up on Patreon was down 12% after the fee change, analysts said.",
    "Bitcoin rose 5% to $98,000 on Monday.",
    "BTC: $98,412 (+2.1%)",
    "So you could create a Bitcoin buy or sell offer, for the price of 60 monero’s per 1 Bitcoin.",
    "The address 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa received the first block's reward.",
    "ETH: 0x upgrade delayed to March",
    "Смотри, как это работает: три простых шага.",
    "Шоу выходит по пятницам в 19:00 на ТНТ.",
    "Watch out for ice on Mondays at 7am on the A9, police said.",
    "The series airs Thursdays at 9/8c on NBC.",
    "The objects in this show were all donated by members of the public.",
    "https://www.patreon.com/posts/creator-fees-12345",
    "https://www.patreon.com/pbsspacetime is where the show's backers pay.",
    # A sentence describing giving there, not asking for it (h8's F3: each was removed).
    "Supporting creators on Patreon and Ko-fi has become common among illustrators, a survey says.",
    "Joining on Patreon for $5 a month gets fans early episodes, the company said.",
    "Tip: pay on PayPal for buyer protection.",
    "Donating on PayPal: how to spot the scams",
    "Backing artists on Patreon and similar sites grew 20% last year.",
    "Pledging at Patreon for a year costs less than a streaming subscription.",
    "Support for the union grew on Patreon and Kickstarter last year.",
    # Without an object "back" is a return and "support" or "tip" a noun: news (h8's F11: each
    # was removed).
    "Back at PayPal and later at Tesla, Musk clashed with his boards.",
    "Back at PayPal for a second stint, the executive oversaw payments in Asia.",
    "Support at PayPal for crypto transfers was expanded in 2023, the company said.",
    "Support on Patreon for adult creators was cut in 2017 after pressure from banks.",
    "Donate at PayPal to charities has risen 12% this year, according to the company.",
    "Tip on PayPal and Venmo: scammers now pose as buyers, the FTC warned.",
    "Back on Patreon and earning again, the cartoonist said she felt relieved.",
    # A time and a place after "Watch"/"Смотрите", and more after the place: news, not a
    # channel's promo (h8's F6: each was removed).
    "Watch parties are planned Saturdays at 8 p.m. on Main Street, organizers said.",
    "Watch for road closures every night at 10 on Interstate 95 through March.",
    "Catch the last train weeknights at 11:45 on Platform 4, the operator advised.",
    "Смотрите трансляции матчей по субботам в 18:00 на стадионе «Динамо», сообщили в клубе.",
    # ... and a place, not a channel, ending the line (h8's F12: each was removed).
    "Catch the shuttle every night at 10 on Route 9.",
    "Watch the fireworks every Saturday at 9 pm on Navy Pier.",
    "Watch the Perseid meteor shower Thursdays at 2 a.m. on Mount Wilson.",
    "Смотрите салют каждый год в 21:00 на Красной площади.",
]


@pytest.mark.parametrize("paragraph", WATCH_AND_GIVE)
def test_a_broadcasters_promo_and_an_appeal_for_money_where_it_is_given_go(paragraph: str) -> None:
    assert removed(paragraph)


@pytest.mark.parametrize("paragraph", WATCH_AND_GIVE_REAL)
def test_sentences_about_the_platform_the_coin_or_the_show_stay(paragraph: str) -> None:
    assert not removed(paragraph)


def _first_characters(pattern: sre_parse.SubPattern) -> set[str]:
    """The characters a parsed pattern can start with (literals and alternations of them),
    after any assertions of what comes before it (where in a clause it starts)."""
    op, value = pattern.data[0]
    if _looks_behind(pattern.data[0]):
        return _first_characters(sre_parse.SubPattern(pattern.state, pattern.data[1:]))
    if op is sre_parse.LITERAL:
        return {chr(value)}
    if op is sre_parse.BRANCH:
        return set().union(*(_first_characters(branch) for branch in value[1]))
    if op is sre_parse.SUBPATTERN:
        return _first_characters(value[-1])
    if op in (sre_parse.MAX_REPEAT, sre_parse.MIN_REPEAT):  # "(?:please )?support": both
        least, _, item = value
        rest = sre_parse.SubPattern(pattern.state, pattern.data[1:])
        return _first_characters(item) | (_first_characters(rest) if least == 0 else set())
    raise AssertionError(f"a Chinese built-in pattern starts with {op}: list its first characters")


def _looks_behind(item: tuple[object, object]) -> bool:
    """Whether a parsed item is a look-behind, or an alternation of look-behinds only."""
    op, value = item
    if op in (sre_parse.ASSERT, sre_parse.ASSERT_NOT):
        return value[0] == -1  # type: ignore[index]
    if op is sre_parse.BRANCH:
        return all(len(b.data) == 1 and _looks_behind(b.data[0]) for b in value[1])  # type: ignore[index]
    if op is sre_parse.SUBPATTERN:
        inner = value[-1]  # type: ignore[index]
        return len(inner.data) == 1 and _looks_behind(inner.data[0])
    return False


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (  # Habr: the prompt ends the teaser's last paragraph
            '<p>Текст статьи. <a href="https://habr.com/ru/1/#habracut">Читать далее</a></p>',
            "<p>Текст статьи.</p>",
        ),
        (  # note.com, in a paragraph of its own after the text
            '<p>朝の散歩で考えた。</p><p><a href="https://note.com/y/n/n01">続きをみる</a></p>',
            "<p>朝の散歩で考えた。</p>",
        ),
        ('<p>Text. <a href="https://e.example/a">Read more »</a></p>', "<p>Text.</p>"),
        (  # Sina's plain-text description, its editor line appended to the only paragraph
            "<p>新华社北京12月1日电 要确保群众温暖过冬。（责任编辑：张三）</p>",
            "<p>新华社北京12月1日电 要确保群众温暖过冬。</p>",
        ),
        (  # People's Daily's, abbreviated, two editors
            "<p>　　据介绍，此次降温过程影响范围广。（责编：李四、王五）</p>",
            "<p>　　据介绍，此次降温过程影响范围广。</p>",
        ),
        (  # (an editor named inside the text stays)
            "<p>（责任编辑：张三）审阅了这篇报道，并提出了修改意见。</p>",
            "<p>（责任编辑：张三）审阅了这篇报道，并提出了修改意见。</p>",
        ),
        (  # UOL's plain description: the prompt and its time, no link
            "<p>…senadores por São Paulo.&nbsp;Leia mais (09/24/2018 - 19h22)</p>",
            "<p>…senadores por São Paulo.</p>",
        ),
        (  # a podcast host's notice on the description's last line
            "<p>Die wichtigsten Nachrichten.<br>See omnystudio.com/listener for privacy"
            " information.</p>",
            "<p>Die wichtigsten Nachrichten.</p>",
        ),
        (
            "<p>A weekly show. Hosted on Acast. See acast.com/privacy for more information.</p>",
            "<p>A weekly show.</p>",
        ),
        (  # (the pattern ignores case, as the rule of a notice's own paragraph does)
            "<p>A weekly show. See Omnystudio.com/listener for Privacy Information.</p>",
            "<p>A weekly show.</p>",
        ),
        # Hard negatives: a link in the sentence, a prompt that does not end the body.
        (  # (a prompt without the portal's time, a notice that does not end the body)
            "<p>Ele disse. Leia mais</p><p>Segundo parágrafo aqui.</p>",
            "<p>Ele disse. Leia mais</p><p>Segundo parágrafo aqui.</p>",
        ),
        (
            "<p>Hi. See omnystudio.com/listener for privacy information. Then the news.</p>",
            "<p>Hi. See omnystudio.com/listener for privacy information. Then the news.</p>",
        ),
        (
            "<p>I want to read more (12/12/2020 is the date) soon</p>",
            "<p>I want to read more (12/12/2020 is the date) soon</p>",
        ),
        (
            '<p>You can <a href="https://e.example/a">read more</a> about it here.</p>',
            '<p>You can <a href="https://e.example/a">read more</a> about it here.</p>',
        ),
        (
            '<p>Text. <a href="https://e.example/a">Weiterlesen</a></p><p>Zweiter Absatz hier.</p>',
            '<p>Text. <a href="https://e.example/a">Weiterlesen</a></p><p>Zweiter Absatz hier.</p>',
        ),
    ],
)
def test_a_read_more_link_or_editor_line_ending_the_body_goes(body: str, expected: str) -> None:
    article = normalize(
        ParsedFeed(
            title="F",
            link=None,
            language=None,
            ttl=None,
            hub=None,
            base_url="https://e.example/",
            entries=(
                EntryData(
                    guid="1",
                    link="https://e.example/a",
                    title="T",
                    title_is_html=False,
                    summary=None,
                    summary_is_html=True,
                    content=body,
                    content_is_html=True,
                    author=None,
                    published=None,
                    updated=None,
                ),
            ),
        ),
        make_config({"s": "https://e.example/feed"}).sources[0],
        now=NOW,
    )[0]
    assert article.content.replace(' rel="noopener noreferrer nofollow"', "") == expected


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (  # DER SPIEGEL's podcast (the corpus): its host's notice in a paragraph of its own
            "Die wichtigsten Nachrichten. <br><br><p>See omnystudio.com/listener for privacy"
            " information.</p>",
            "Die wichtigsten Nachrichten.",
        ),
        (  # the Washington Post's (the corpus): a read-more link loose after the last paragraph
            '<p>The text of it.</p>\n<a href="https://e.example/a">Read full article &gt;&gt;</a>'
            "<br>\n<br>\n  \n<br>",
            "<p>The text of it.</p>",
        ),
        (  # a notice that opened a paragraph of lines, and one that ended it
            "<div>Advertisement<br><br>The first line.<br>The second line.<br><br>"
            "Follow us on Twitter</div>",
            "<div>The first line.<br>The second line.</div>",
        ),
        # Hard negatives: breaks the removal did not leave at an end stay.
        (  # between the lines kept, with a notice gone after the paragraph
            "<p>One.<br><br>Two.</p><p>Follow us on Twitter</p>",
            "<p>One.<br><br>Two.</p>",
        ),
        (  # a break before a picture
            '<p>Text.</p><br><img src="https://e.example/a.jpg"><p>Follow us on Twitter</p>',
            '<p>Text.</p><br><img src="https://e.example/a.jpg">',
        ),
        (  # nothing removed: the body as the feed wrote it
            "<p>Just the text.</p><br><br>",
            "<p>Just the text.</p><br><br>",
        ),
    ],
    ids=["paragraph", "loose-link", "lines", "kept-lines", "picture", "no-junk"],
)
def test_the_breaks_that_set_a_removed_notice_apart_go_with_it(body: str, expected: str) -> None:
    """A notice removed left the line breaks before it ending the article, a blank gap under
    the text ("…aus der SPIEGEL-Redaktion. <br><br>"; 27 corpus articles)."""
    assert strip_paragraphs(body, ()) == expected


def test_the_quick_check_finds_what_the_built_in_patterns_find() -> None:
    # The fast check tries the Chinese patterns only on a line holding one of their first
    # characters: a pattern starting with another would be skipped.
    for pattern in junk._CHINESE_PATTERNS:
        assert _first_characters(sre_parse.parse(pattern)) <= set(junk._CHINESE_STARTS), pattern
    every = re.compile("|".join(f"(?:{p})" for p in junk.DEFAULT_PATTERNS), re.I | re.M)
    lines = [*REAL, *(line for items in JUNK.values() for line in items)]
    lines += [f"{prefix}{line}" for line in lines for prefix in ("他说：", "Note: ", " ")]
    # Medium's footer is read only on a line with "med" in it, lower-cased: its letters as
    # re.IGNORECASE reads them ("i" is "İ" and "ı" too, which lower() does not make "i").
    medium = "Tips was originally published in Dev Notes on Medium, where people are continuing"
    lines += [medium, medium.upper(), medium.replace("i", "ı"), medium.upper().replace("I", "İ")]
    for line in lines:
        assert junk._built_in_hit(line) == bool(every.search(line)), line
    assert all(junk._built_in_hit(line) for line in lines[-4:])


def test_the_copyright_line_s_end_is_looked_for_only_where_it_can_start() -> None:
    """_built_in_hit searches "all rights reserved." in a line's last _ENDS_WINDOW characters
    (tried from each character of a line, it cost ~0.45 µs a line): longer than the longest
    match and a "\n" after it ($ matches before a last line break)."""
    assert sre_parse.parse(junk._AT_END).getwidth()[1] < junk._ENDS_WINDOW
    long = "A sentence of the article, long enough to be cut. " * 4
    for end in ("All rights reserved.", "ALL RIGHTS RESERVED", "all rights reserved.\n"):
        assert junk._built_in_hit.__wrapped__(long + "© Example " + end)
    assert not junk._built_in_hit.__wrapped__(long + "All rights reserved. Then more.")


def _needs_other_than_ascii(pattern: sre_parse.SubPattern) -> bool:
    """Whether every match of a parsed pattern holds a character that re.IGNORECASE reads as no
    ASCII one (a Chinese or Cyrillic letter; not "K", the Kelvin sign, which is k)."""
    return any(_item_needs_other_than_ascii(op, value) for op, value in pattern.data)


def _item_needs_other_than_ascii(op: object, value: Any) -> bool:
    if op is sre_parse.LITERAL:
        return not any(re.fullmatch(re.escape(chr(value)), chr(a), re.I) for a in range(128))
    if op is sre_parse.IN:  # (a set of such characters only)
        return all(_item_needs_other_than_ascii(o, v) for o, v in value)
    if op is sre_parse.SUBPATTERN:
        return _needs_other_than_ascii(value[-1])
    if op is sre_parse.BRANCH:
        return all(_needs_other_than_ascii(branch) for branch in value[1])
    if op in (sre_parse.MAX_REPEAT, sre_parse.MIN_REPEAT, sre_parse.POSSESSIVE_REPEAT):
        return value[0] > 0 and _needs_other_than_ascii(value[2])
    return False


def test_an_ascii_line_is_tried_without_the_patterns_only_other_letters_can_match() -> None:
    """_built_in_hit tries an ASCII line (five of six a cold round reads) with _STARTS_ASCII:
    _STARTS without _NOT_ASCII_STARTS, each of which needs a Chinese or Cyrillic letter."""
    for pattern in junk._NOT_ASCII_STARTS:
        assert _needs_other_than_ascii(sre_parse.parse(pattern)), pattern
    assert not _needs_other_than_ascii(sre_parse.parse(junk._AD_LINE))  # (the check can say no)
    assert not _needs_other_than_ascii(sre_parse.parse("\u212a"))  # (K, the Kelvin sign: k)
    kept = [p for p in junk._AT_START if p not in (*junk._GUARDED, *junk._NOT_ASCII_STARTS)]
    assert junk._STARTS_ASCII.pattern == "|".join(f"(?:{p})" for p in kept)
    assert junk._STARTS.pattern == "|".join(
        f"(?:{p})" for p in junk._AT_START if p not in junk._GUARDED
    )
    every = re.compile("|".join(f"(?:{p})" for p in junk.DEFAULT_PATTERNS), re.I | re.M)
    lines = [*REAL, *(line for items in JUNK.values() for line in items)]
    lines += [line.upper() for line in lines] + ["Read more", "Follow us on Telegram"]
    for line in lines:
        assert junk._built_in_hit.__wrapped__(line) == bool(every.search(line)), line


def test_an_ascii_line_is_not_read_with_the_whole_start_pattern(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    read: list[str] = []
    starts = junk._STARTS

    class Counted:
        def match(self, line: str) -> re.Match[str] | None:
            read.append(line)
            return starts.match(line)

    monkeypatch.setattr(junk, "_STARTS", Counted())
    assert junk._built_in_hit.__wrapped__("Continue reading...")
    assert not junk._built_in_hit.__wrapped__("An ordinary sentence of the article.")
    assert junk._built_in_hit.__wrapped__("Читайте нас у Telegram")
    assert read == ["Читайте нас у Telegram"]


def test_a_junk_line_loose_between_paragraphs_goes_and_a_picture_beside_it_stays() -> None:
    # The Guardian ends every item with a bare link after its last paragraph.
    link = '<a href="https://www.theguardian.com/a">Continue reading...</a>'
    assert strip_paragraphs(f"{BODY} {link}", ()) == BODY
    assert strip_paragraphs(f"<div>{BODY}<p>More.</p></div> {link}", ()) == (
        f"<div>{BODY}<p>More.</p></div>"
    )
    picture = '<img src="https://img.example/a.jpg">'
    assert strip_paragraphs(f"{BODY}{picture} {link}", ()) == f"{BODY}{picture}"
    loose_text = f"{BODY} Loose words <b>of the article</b> itself."
    assert strip_paragraphs(loose_text, ()) == loose_text
    assert strip_paragraphs(link, ()) == link  # never all of the text


def test_a_body_written_in_line_breaks_loses_its_junk_line_and_nothing_else() -> None:
    lines = "First real sentence of the story.<br><br>" * 20
    body = f"{BODY}{lines}Follow our newsroom on Mastodon."
    kept = strip_paragraphs(body, ("follow our newsroom",))
    assert kept == f"{BODY}{lines}".removesuffix("<br><br>")  # the line and the breaks to it
    middle = f"{BODY}line one<br>Continue reading<br>line three"
    assert strip_paragraphs(middle, ()) == f"{BODY}line one<br>line three"
    # The first line of a container goes with the break after it: no blank line opens the text.
    first = f"<p>Advertisement<br>{lines}</p>{BODY}"
    assert strip_paragraphs(first, ()) == f"<p>{lines}</p>{BODY}"
    assert strip_paragraphs(f"Advertisement<br><br>{lines}", ()) == lines
    # A long run is a body without paragraphs: not judged as one (a source's own pattern is
    # unbounded; it would have taken the whole body for its last line).
    long_run = f"{BODY}{'word ' * 100}Follow our newsroom on Mastodon."
    assert strip_paragraphs(long_run, ("follow our newsroom",)) == long_run
    # The same in a paragraph of lines (normalize writes plain text so): its lines are judged.
    in_p = f"{BODY}<p>{lines}Read more at Example</p>"
    assert (
        strip_paragraphs(in_p, ("read more at",))
        == f"{BODY}<p>{lines}".removesuffix("<br><br>") + "</p>"
    )
    all_junk = f"{BODY}<p>{'Advertisement<br>' * 40}Sponsored by Example</p>"
    assert strip_paragraphs(all_junk, ()) == BODY  # no empty paragraph left behind
    short = f"{BODY}<p>Advertisement<br>Sponsored by Example</p>"
    assert strip_paragraphs(short, ()) == BODY  # a short one is judged whole, as before
    # A loose line after a doomed paragraph goes too (drop_tree moved it out of reach before).
    after = f"{BODY}<p>Read more at X</p> Read more at Y"
    assert strip_paragraphs(after, ("read more at",)) == BODY


def test_the_only_paragraph_is_never_removed_and_rules_can_be_switched_off() -> None:
    only = "<p>扫码关注我们的公众号</p>"
    assert strip_paragraphs(only, ()) == only
    assert (
        strip_paragraphs(f"{BODY}<p>扫码关注</p>", (), defaults=False) == f"{BODY}<p>扫码关注</p>"
    )
    assert strip_paragraphs(f"{BODY}<p>Buy now</p>", ("^buy now$",), defaults=False) == BODY
    # The config's patterns judge long paragraphs too; the built-in ones only short ones.
    long = "Sponsored content: " + "word " * 100
    assert strip_paragraphs(f"{BODY}<p>{long}</p>", ()) != BODY
    assert strip_paragraphs(f"{BODY}<p>{long}</p>", ("^sponsored content:",)) == BODY


def test_selectors_remove_what_they_name_before_the_sanitizer_drops_classes() -> None:
    html = '<div class="post"><p>Text</p><div class="share"><a href="x">Share</a></div></div>'
    assert "Share" not in strip_selected(html, ["div.share"])
    assert strip_selected(html, ["aside"]) == html


def _feed() -> bytes:
    content = (
        f"{BODY}<div class='share'>Share on Facebook</div>"
        "<p>Read our sister site for more.</p><p>扫码关注我们的公众号</p>"
    )
    return (
        '<?xml version="1.0"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>T</title>'
        "<item><guid>1</guid><title>A</title><link>https://site.example/a</link>"
        f"<content:encoded><![CDATA[{content}]]></content:encoded></item></channel></rss>"
    ).encode()


@pytest.mark.parametrize("defaults", [True, False])
def test_config_rules_strip_what_they_name_through_the_pipeline(
    store: Store, feed_server: FeedServer, defaults: bool
) -> None:
    url = feed_server.add("/f.xml", _feed(), content_type="application/rss+xml")
    config = make_config({"src": url})
    source = replace(
        config.sources[0],
        strip_selectors=("div.share",),
        strip_patterns=("^read our sister site",),
        default_junk_rules=defaults,
    )
    with Fetcher(config.fetch, "aggregator-test/1") as fetcher:
        result = refresh_source(source, config, store, fetcher, now=NOW, rng=random.Random(1))
    assert result.outcome is Outcome.OK
    content = store.source_articles("src", 1)[0].content
    assert "cycling lanes" in content
    assert "Share on Facebook" not in content
    assert "sister site" not in content
    assert ("扫码关注" in content) is not defaults


def test_rules_are_checked_at_load_naming_the_place() -> None:
    base = '[[categories]]\nslug = "n"\ntitle = "N"\n[[sources]]\nname = "A"\n'
    base += 'url = "https://a.example/f"\ncategories = ["n"]\n'
    config = parse_config(
        base + 'strip_selectors = ["div.share", "#ad"]\ndefault_junk_rules = false\n'
        "learned_junk = false"
    )
    assert config.sources[0].strip_selectors == ("div.share", "#ad")
    assert config.sources[0].default_junk_rules is False
    assert config.sources[0].learned_junk is False
    assert parse_config(base).sources[0].learned_junk is True
    with pytest.raises(ConfigError, match=r"sources\[0\] \(name \"A\"\)\.learned_junk"):
        parse_config(base + 'learned_junk = "no"')
    with pytest.raises(ConfigError, match=r"sources\[0\] \(name \"A\"\)\.strip_selectors\[1\]"):
        parse_config(base + 'strip_selectors = ["div.share", "div[["]')
    with pytest.raises(ConfigError, match=r"sources\[0\] \(name \"A\"\)\.strip_patterns\[0\]"):
        parse_config(base + 'strip_patterns = ["(unclosed"]')


def test_reddits_byline_and_links_leave_and_its_picture_stays() -> None:
    # A Reddit link post is a table: the picture in one cell, "submitted by … [link] [comments]"
    # in the other. Its text is all junk, and the picture is still an article.
    picture = (
        '<a href="https://www.reddit.com/r/a/comments/1"><img src="https://i.example/a.jpg"></a>'
    )
    links = (
        ' submitted by <a href="https://www.reddit.com/user/x"> /u/x </a> <br>'
        ' <span><a href="https://a.example/">[link]</a></span>'
        ' <span><a href="https://www.reddit.com/r/a/comments/1">[comments]</a></span>'
    )
    post = f"<table><tr><td>{picture}</td><td>{links}</td></tr></table>"
    # (The cell stays, emptied: a data table's row keeps its columns.)
    assert strip_paragraphs(post, ()) == f"<table><tr><td>{picture}</td><td></td></tr></table>"
    self_post = f'<div class="md"><p>Why are nil interfaces not nil?</p></div>{links}'
    assert (
        strip_paragraphs(self_post, ())
        == '<div class="md"><p>Why are nil interfaces not nil?</p></div>'
    )


@pytest.mark.parametrize(
    "footer",
    [
        "submitted by /u/gst4158 [link] [comments]",
        "submitted by /u/Vayate to /r/worldnews [link] [1086 comments]",
        "submitted by coupdetaco to news [link] [329 comments]",
        "submitted bybenjaab123tospace [link][959 comments]",
        "[link] [275 comments]",
    ],
)
def test_reddits_footer_goes_in_each_way_it_is_written(footer: str) -> None:
    assert removed(footer)


@pytest.mark.timeout(10)
def test_lines_like_a_glued_reddit_footer_are_judged_in_linear_time() -> None:
    # "submitted by[\w-]+?to[\w-]+" backtracked: 43 s over 8.8 MB of such lines (a review).
    line = "submitted by" + "to" * 103 + "."
    body = f"<p>{line}</p>" * 12_000 + "<p>The text.</p>"
    assert strip_paragraphs(body, ()) == body  # (not a footer: nothing goes)


@pytest.mark.timeout(10)
def test_many_junk_paragraphs_are_judged_in_linear_time() -> None:
    # Each was checked against every one doomed before: 33 s for these 4,000 (a review).
    body = '<p>Advertisement<img src="https://e.example/a.jpg"></p>' * 4_000 + "<p>Text.</p>"
    assert strip_paragraphs(body, ()) == "<p>Text.</p>"


@pytest.mark.timeout(10)
def test_deeply_nested_blocks_are_judged_in_linear_time() -> None:
    # Each div holding blocks read all the text below it, at every level: 13 s for this (a
    # second review; the sanitizer keeps nesting up to 512 deep).
    body = "<div>" * 250 + "<p>Advertisement</p>" * 4_000 + "<p>Text.</p>" + "</div>" * 250
    assert "Advertisement" not in strip_paragraphs(body, ())


@pytest.mark.timeout(10)
def test_many_junk_lines_and_pictures_in_one_paragraph_are_judged_in_linear_time() -> None:
    # Each block of junk lines was read again from each of its lines, for a name over a list of
    # profiles: 81 s for these 10,000 (and each inline element looked down its whole nesting).
    line = '<span>此主题相关图片如下：<br><img src="https://e.example/a.jpg"></span>'
    out = strip_paragraphs(f"{BODY}<p>{line * 10_000}</p>", ())
    assert "此主题" not in out
    assert out.count("<img") == 10_000
    deep = "<span>" * 250 + "<b>x</b>" * 2_000 + "<br>来源：新华社" + "</span>" * 250
    assert "来源" not in strip_paragraphs(f"{BODY}<p>{deep}</p>", ())


def test_a_link_over_two_lines_is_not_cut_in_half() -> None:
    """Lines are read into inline elements, but not into a link: "<a>Read more<br>here</a>"
    lost its first line as junk, half a link left opening with a break (a review)."""
    body = f'{BODY}<p><a href="https://x.example/">Read more<br>here</a> and the story goes on.</p>'
    assert strip_paragraphs(body, ()) == body


def test_an_emptied_cell_keeps_its_span() -> None:
    row = '<table><tr><td colspan="2">Advertisement</td><td>A</td></tr><tr><td>B</td></tr></table>'
    assert strip_paragraphs(row, ()) == (
        '<table><tr><td colspan="2"></td><td>A</td></tr><tr><td>B</td></tr></table>'
    )


def test_strip_patterns_that_begin_with_global_flags_work_together() -> None:
    """`strip_patterns = ["(?i)share this", "subscribe"]` passed check-config, each pattern
    compiled alone, and then every refresh of the source failed: joined into one, "(?i)" was no
    longer at the start ("global flags not at the start of the expression")."""
    patterns = ["(?i)share this", "subscribe", "(?x) follow \\s us  # a verbose comment"]
    assert junk.is_junk("SHARE THIS with friends", patterns, True)
    assert junk.is_junk("Follow us on Mastodon", patterns, True)
    kept = junk.strip_paragraphs(
        "<p>Share this story</p><p>The council met on Tuesday to vote on the budget.</p>",
        patterns,
        True,
    )
    assert "Share this" not in kept
    assert "The council met" in kept


# --- Junk lines inside paragraphs and inline containers -----------------------------------------

PICTURE = '<a href="https://pic.example/1.jpg"><img src="https://pic.example/1.jpg"></a>'


def _line_removed(line: str, shape: str) -> bool:
    """Whether `line` goes from a short paragraph of a real line, itself and a picture, written
    as `shape`: "paragraph" (lines in a <p>) or "span" (the line and its picture share a <span>,
    as the dvbbs forum writes them). Asserts the rest of the article stays."""
    text = "他在帖子里介绍了这套纪念币的品相。"
    if shape == "paragraph":
        body = f"<p>{line}<br>{text}<br>{PICTURE}</p>"
        kept = f"<p>{text}<br>{PICTURE}</p>"
    else:
        body = f"<p>{text}</p><span><br>{line}<br>{PICTURE}</span>"
        kept = f"<p>{text}</p><span><br>{PICTURE}</span>"
    out = strip_paragraphs(f"{BODY}{body}", ())
    assert out.count("<img") == 1, out
    assert text in out, out
    assert BODY in out, out
    return out == f"{BODY}{kept}"


@pytest.mark.parametrize("shape", ["paragraph", "span"])
@pytest.mark.parametrize(
    "line",
    [
        "（责任编辑：陈静）",
        "（责编：李四、王五）",
        "来源：新华社",
        "转载请注明出处",
        # NetEase's and Sohu's notice under a self-media post (kept as article text by the
        # full-text dev set's NetEase page, tests/fixtures/pages/dev/netease.html)
        "特别声明：以上内容(如有图片或视频亦包括在内)为自媒体平台“网易号”用户上传并发布，"
        "本平台仅提供信息存储服务。",
        "声明：该文观点仅代表作者本人，搜狐号系信息发布平台，搜狐仅提供信息存储空间服务。",
        # A Korean reporter's signature and byline (the dev set's Korean page kept them)
        "김민수 기자 minsu@example.kr",
        "홍길동 특파원 = hong@example.co.kr",
        "이영희 기자 (lee@example.co.kr)",
        "김민수 기자 입력 2026.12.03 14:05",
        "김민수 기자 입력 2026.12.03 14:05 수정 2026.12.03 15:10",
    ],
)
def test_a_junk_line_goes_alone_from_a_paragraph_or_a_span_of_lines(line: str, shape: str) -> None:
    # Judged whole, the paragraph took its picture and its real line along; inside a <span> with
    # a picture, the line was never judged.
    assert _line_removed(line, shape)


@pytest.mark.parametrize(
    ("paragraph", "junk"),
    [
        # Hebrew's "read more" and "read also" over a related story's headline (dev set,
        # hebrew.html: kept between the article's paragraphs)
        ("קראו עוד: תחנת רכבת חדשה נפתחה בעכו", True),
        ("קרא גם: הרכבל ייפתח בחודש הבא", True),
        ("ראו גם: סערה צפויה בסוף השבוע", True),
        # a sentence: no colon, or a sentence's end
        ("קראו עוד על התוכנית באתר העירייה", False),
        ("ראו גם: הוא אמר כי התוכנית תאושר בשבוע הבא.", False),
    ],
)
def test_a_hebrew_related_link_goes_and_a_sentence_stays(paragraph: str, junk: bool) -> None:
    assert removed(paragraph) is junk


@pytest.mark.parametrize(
    ("paragraph", "junk"),
    [
        # a portal's tool links under the article (dev set, tablezh.html)
        ("【打印本页】【关闭窗口】", True),
        ("【字体：大 中 小】【我要纠错】【打印】", True),
        ("[打印本页] [关闭窗口]", True),
        # a headline's tag, a sentence about the button, one bracket alone
        ("【独家】市长接受本报专访", False),
        ("【打印本页】的按钮已经取消，读者可以直接保存网页。", False),
        ("【推荐】【独家】市长接受本报专访", False),
    ],
)
def test_a_portal_s_tool_links_go_and_a_headline_s_tag_stays(paragraph: str, junk: bool) -> None:
    assert removed(paragraph) is junk


def test_a_statement_that_is_the_article_s_own_stays() -> None:
    own = "<p>特别声明：本报对此事件的调查仍在进行，欢迎知情者提供线索。</p>"
    assert strip_paragraphs(f"{BODY}{own}", ()) == f"{BODY}{own}"


@pytest.mark.parametrize(
    "own",
    [
        "김민수 기자가 현장에서 확인한 결과 보조금은 줄어든다.",
        "제보는 hong@example.co.kr 로 보내 주시기 바랍니다.",
        "김민수 기자 minsu@example.kr 에게 문의한 독자들이 많았다.",
        "Readers can write to letters@gazette.example with their views on the fares.",
    ],
)
def test_a_reporter_s_name_or_an_address_in_a_sentence_stays(own: str) -> None:
    assert strip_paragraphs(f"{BODY}<p>{own}</p>", ()) == f"{BODY}<p>{own}</p>"


def test_a_junk_first_line_takes_only_itself_from_a_short_paragraph() -> None:
    news = "<p>来源：新华社<br>北京今日迎来今冬首场降雪。</p>"
    assert strip_paragraphs(f"{BODY}{news}", ()) == f"{BODY}<p>北京今日迎来今冬首场降雪。</p>"
    # A paragraph junk only as a whole still goes whole: a list of profiles (its heading and
    # names are not junk alone).
    profiles = "<p>Резиденты в соцсетях:<br>Гарик Харламов<br>https://t.me/garbul</p>"
    assert strip_paragraphs(f"{BODY}{profiles}", ()) == BODY


def test_a_line_the_line_above_introduces_stays() -> None:
    # YouTube's Space Time (the corpus): judged line by line, the channel's address went and the
    # sentence pointing at it stayed alone.
    lead = (
        "<p>Check Out Lathrop Lab's YouTube Channel to learn more about their experiment:<br>"
        "https://www.youtube.com/channel/UC-nUrQmFR3pFgEVwW0qAURA</p>"
    )
    assert strip_paragraphs(f"{BODY}{lead}", ()) == f"{BODY}{lead}"
    # Only a profile's address: a forum's note is one however the line above it ends.
    note = f"<p>品相如图：<br>此主题相关图片如下：<br>{PICTURE}</p>"
    assert strip_paragraphs(f"{BODY}{note}", ()) == f"{BODY}<p>品相如图：<br>{PICTURE}</p>"


# Labelled lines, each a line of its own in a real article's paragraph (after the corpus's dvbbs
# forum, GeekPark and Suspilne, and the forms Discuz, Chinese portals and Korean news write).
LINE_JUNK: dict[str, list[str]] = {
    "forum note": [
        "此主题相关图片如下：",
        "此主题相关附件如下：",
        "本帖最后由 admin 于 2024-1-1 12:00 编辑",
        "本帖最後由 小明 於 2023-12-31 23:59:08 編輯",
        "[i=s] 本帖最后由 abc 于 2011-5-5 10:10 编辑 [/i]",
    ],
    "picture prompt": ["点击查看大图", "（点击图片查看大图）", "【点击查看原图】"],
    "editor/source line": [
        "（责任编辑：陈静）",
        "责任编辑：张鹏",
        "来源：新华社",
        "本文来源：人民网",
    ],
    "copyright line": [
        "<저작권자 © 연합뉴스, 무단 전재-재배포, AI 학습 및 활용 금지>",
        "ⓒ 한경닷컴, 무단전재 및 재배포 금지",
        "무단전재 및 재배포 금지. ⓒ 한국경제",
        "转载请注明出处",
    ],
    "network prompt": [
        "Читайте Суспільне у Telegram",
        "Читайте всі новини Донбасу в Telegram, Viber, Facebook, YouTube та Instagram",
    ],
}
# The article's own lines that look like them (hard negatives).
LINE_REAL: dict[str, list[str]] = {
    "editor as a word": [
        "12 月 13 日消息，据 Windows Central 编辑 Zac Bowden 消息称，微软已经完成了最终构建。",
        "这位责任编辑说，稿件在发表前经过了三次核实。",
        "他说本帖最后由版主编辑过，内容已经不是原来的样子。",
    ],
    "attribution readers want": [
        "（来源：深圳特区报）",  # (GeekPark ends its news items so; inline, after the sentence)
        "图片来源：视觉中国",
        "题图来源：极客公园",
        "Фото: Иван Петров / ТАСС",
        "Источник: https://t.me/rian_ru",
        "（写真：共同）",
    ],
    "quote or headline": [
        "原标题：北京今冬首场降雪",
        "「本帖最后由谁编辑，大家都看得见」，管理员在公告中写道。",
        "此主题相关的讨论已经持续了三年。",
        "무단 전재 및 재배포 금지 위반으로 기소된 A씨는 혐의를 부인했다.",
    ],
    "prompt that is content": [
        "点击此处查看更多奖项",
        "Читайте її спогади у матеріалі «Він завжди поспішав на поміч».",
        "Читайте полную версию доклада на сайте министерства.",
    ],
}


def line_score() -> dict[str, tuple[int, int]]:
    """Per kind and shape: (removed, of how many); the real lines' kinds: (wrongly removed, of)."""
    table = {}
    for shape in ("paragraph", "span"):
        for kind, lines in (*LINE_JUNK.items(), *LINE_REAL.items()):
            removed_here = sum(_line_removed(escape(line), shape) for line in lines)
            table[f"{kind} ({shape})"] = (removed_here, len(lines))
    return table


def test_forum_and_portal_lines_go_and_the_lines_like_them_stay() -> None:
    table = line_score()
    print(table)
    for kind in LINE_JUNK:
        for shape in ("paragraph", "span"):
            assert table[f"{kind} ({shape})"][0] == len(LINE_JUNK[kind]), (kind, shape)
    for kind in LINE_REAL:
        for shape in ("paragraph", "span"):
            assert table[f"{kind} ({shape})"][0] == 0, (kind, shape)


def test_dvbbs_pictures_lose_their_note_and_nothing_else() -> None:
    # As the corpus's kc0011.net feed writes them: the note above each picture, in its <span>, or
    # in a paragraph of pictures; the excerpt read "此主题相关图片如下： 此主题相关图片如下：…".
    note = "此主题相关图片如下："
    spans = f"<span><br>{note}<br>{PICTURE}</span><br>" * 3
    body = f"{spans}<div><span>银行一手货源，品相好无裂口，包美品如图</span></div>"
    out = strip_paragraphs(body, ())
    assert note not in out
    assert out.count("<img") == 3
    assert "银行一手货源" in out
    pictures = f"<p><br>{note}<br>{PICTURE}<br><br>{note}<br>{PICTURE}</p>"
    in_p = f"<p>售：辛亥革命2原卷，有意请电联！</p>{pictures}"
    assert strip_paragraphs(in_p, ()) == (
        f"<p>售：辛亥革命2原卷，有意请电联！</p><p>{PICTURE}<br><br>{PICTURE}</p>"
    )


def test_discuzs_edit_note_leaves_the_post_it_opens() -> None:
    post = "<p>本帖最后由 admin 于 2024-1-1 12:00 编辑<br><br>今天去了趟钱币市场，行情一般。</p>"
    assert strip_paragraphs(f"{BODY}{post}", ()) == f"{BODY}<p>今天去了趟钱币市场，行情一般。</p>"


# --- Footers broken over lines, notes beside a picture, the corpus's other junk ----------------

LINK = '<a href="https://blog.example/p">'


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (f"<p>The post {LINK}My trip</a><br>appeared first on {LINK}The Blog</a>.</p>", ""),
        (f"<p>The post {LINK}My trip</a><br>\nappeared first on {LINK}The Blog</a>.</p>", ""),
        (f"<p>Der Beitrag {LINK}Frieren</a><br>erschien zuerst auf {LINK}Anime2You</a>.</p>", ""),
        (  # loose in a container, after its paragraphs
            f"<div><p>Words.</p>The post {LINK}My trip</a><br>appeared first on {LINK}B</a>.</div>",
            "<div><p>Words.</p></div>",
        ),
        (  # in a paragraph with a picture: the footer's lines go, the picture stays
            f"<p>The post {LINK}My trip</a><br>appeared first on {LINK}B</a>.<br>{PICTURE}</p>",
            f"<p>{PICTURE}</p>",
        ),
        # Hard negatives: a second line that is not a footer's, a sentence broken at a break.
        ("<p>The post office reopened.<br>Its sign appeared first on Facebook.</p>", None),
        ("<p>The post<br>appeared first on a forum, then spread to every site.</p>", None),
        # (where is no name: a review's sentence, deleted)
        ("<p>The post office in our village<br>appeared first on a map of 1820.</p>", None),
    ],
)
def test_a_footer_broken_over_two_lines_goes(body: str, expected: str | None) -> None:
    """Each line of "The post <a>X</a><br>appeared first on <a>Y</a>." is no junk alone: the
    quick look read them apart and found nothing, and the lines of a paragraph holding a picture
    were judged one by one."""
    out = strip_paragraphs(f"{BODY}{body}", ())
    assert out == f"{BODY}{body if expected is None else expected}"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (f"<p>此主题相关图片如下：{PICTURE}</p>", f"<p>{PICTURE}</p>"),
        (f"<p>（责任编辑：陈静）{PICTURE}</p>", f"<p>{PICTURE}</p>"),
        (f"<p>{PICTURE}点击查看大图</p>", f"<p>{PICTURE}</p>"),
        (f"<p>Continue reading {PICTURE}</p>", f"<p>{PICTURE}</p>"),
        (
            '<p>来源：新华社<img src="https://pic.example/2.jpg"></p>',
            '<p><img src="https://pic.example/2.jpg"></p>',
        ),
        # On a line of a paragraph of lines, the picture keeps the break before it.
        (f"<p>Line one.<br>此主题相关图片如下：{PICTURE}</p>", f"<p>Line one.<br>{PICTURE}</p>"),
        # An ad's label: the picture is its banner, and goes with it.
        (f"<p>Advertisement{PICTURE}</p>", ""),
        (f"<p>Anzeige {PICTURE}</p>", ""),
        (f"<p>Line one.<br>Advertisement {PICTURE}</p>", "<p>Line one.</p>"),
        # A prompt to scan a code or follow an account: the picture is the QR code or the
        # promotion (a WeChat code stayed, and could lead the article: a review).
        (f"<p>长按识别二维码，关注我们{PICTURE}</p>", ""),
        (f"<p>扫码关注公众号{PICTURE}</p>", ""),
        (f"<p>{PICTURE}扫描上方二维码关注我们</p>", ""),
        (f"<p>Scan the QR code to follow us {PICTURE}</p>", ""),
        (f"<p>Follow us on Instagram {PICTURE}</p>", ""),
        # Labelled on both sides: one banner, taken once (it was dropped twice: AssertionError,
        # the source's refresh an internal error), and the second label goes too.
        (f"<p>Line one.<br>Anzeige: {PICTURE} Anzeige:</p>", "<p>Line one.</p>"),
        (
            '<p>Line one.<br>Advertisement: <img src="https://pic.example/2.jpg"> Sponsored</p>',
            "<p>Line one.</p>",
        ),
        # A caption is the picture's: it stays.
        (f"<p>北京今日迎来今冬首场降雪。{PICTURE}</p>", None),
        (f"<p>{PICTURE}Better the board than her hand</p>", None),
    ],
)
def test_a_junk_line_beside_a_picture_takes_only_itself(body: str, expected: str | None) -> None:
    """A paragraph of one line and a picture, no break between them, was judged whole: a forum's
    note or an editor's line took the picture along."""
    out = strip_paragraphs(f"{BODY}{body}", ())
    assert out == f"{BODY}{body if expected is None else expected}"


def test_a_learned_line_around_a_picture_is_read_whole() -> None:
    # Its evidence was counted as the line reads, "Follow us on Twitter": read apart at the
    # picture, neither half was known.
    known = frozenset({boilerplate.paragraph_hash("Follow us on Twitter")})
    body = f"{BODY}<p>Line one of the story.<br>Follow us {PICTURE} on Twitter</p>"
    assert junk.strip_learned(body, known) == f"{BODY}<p>Line one of the story.</p>"


# The corpus's junk no rule knew (a reading of each source's first and last blocks), and the
# forms like it in the other languages feeds use.
CORPUS_JUNK: dict[str, list[str]] = {
    "read-more prompt": ["Läs mer »", "Les mer", "Læs mere »", "Lue lisää"],
    "ad label": [
        "Annons: https://track.adtraction.com/t/t?a=1124961058&as=1158023516&t=2&tk=1",
        "Annonse",
        "Reklame",
        "Reklam:",
        "Reklama",
        "Mainos",
        "Advertentie",
        "Publicidad",
        "Publicidade",
        "Pubblicità",
        "广告",
        "広告",
        "광고",
    ],
    "network prompt": [
        "Слідкуйте за новинами Суспільного Хмельницький у Telegram, Viber, YouTube, Instagram та"
        " Facebook.",
        "Слідкуйте за нами в Telegram",
        "Следите за новостями в нашем Telegram-канале",
        # Suspilne's other regions' (ukr.net's feed; a review of its articles found them left)
        "Підписуйтеся на новини Суспільне Херсон у  Facebook,  Telegram,  Viber,  Instagram та"
        "  YouTube.",
        "Підписуйтеся на наш  Instagram",
        "Долучайтесь до нашої спільноти у  Viber",
        "Термінові новини читайте в  Telegram та  Viber Суспільного Луцьк.",
        # and the same prompts' other forms
        "Читайте в Telegram",
        "Більше новин читайте у Telegram",
        "Підпишіться на наш Telegram-канал",
        "Приєднуйтеся до нас у Facebook",
        "Присоединяйтесь к нам в Telegram",
        "Приєднуйтесь до нас у Telegram, Viber та Facebook",  # (a list of networks: still one)
        "Подпишитесь на наш канал в Telegram",
    ],
    "comments widget": [
        "blog comments powered by",
        "blog comments powered by Disqus",
        "Please enable JavaScript to view the comments powered by Disqus.",
    ],
    "newsletter prompt": [
        "Sign up to receive an email with the top stories from Guardian Australia every morning",
        "Get our free news app, morning email briefing or daily news podcast",
        "Sign up for the Morning Briefing newsletter.",
        "Subscribe to our newsletter for the week's best stories.",
        # (a mailing list, and what it brings after "to get": PBS Space Time's, the held-out set
        # of session 47, tests/fixtures/clean_heldout)
        "Sign up for the mailing list to get episode notifications and hear special announcements!",
        "Subscribe to our mailing list to receive the weekly digest.",
    ],
    "reprint notice": [
        "This article is republished from The Conversation under a Creative Commons license."
        " Read the original article.",
    ],
}
CORPUS_REAL: list[str] = [
    "Läs mer i rapporten om hur cykelvägarna byggdes.",
    "Reklame für Tabak ist seit 2021 verboten.",
    "Annons i tidningen kostade 2 000 kronor.",
    "广告业收入下降了百分之十二。",
    "Publicidad engañosa: la multa llega a 5.000 euros.",
    "Слідкуйте за тим, щоб діти не публікували фото в Instagram без дозволу.",
    # (reading or joining something that is no news and no "us" there: the article's own)
    "Як це було, читайте у Facebook-дописі міністра.",
    # (nothing between "читайте" and the network, and more after it than networks: the
    # article's own sentence, not the bare "Читайте в Telegram")
    "Читайте у Facebook-дописі міністра, як саме відбувалася евакуація.",
    "Читайте в Telegram заяву Зеленського: він наголосив на перемовинах.",
    # (a network named, but not as where to follow us: a petition's subject)
    "Підпишіться на петицію проти блокування Telegram в Україні.",
    "Подпишитесь на петицию против блокировки Telegram.",
    "Новини про обстріли читайте в нашому матеріалі.",
    "Долучайтеся до волонтерів, які збирають кошти в Telegram-чаті громади.",
    "Присоединяйтесь к акции: о ней написали в Telegram.",
    # (the network named in another clause than the prompt's: where the details are, a review)
    "Приєднуйтесь до нас на марші в суботу о 12:00, деталі у Facebook.",
    "Приєднуйтесь до нас на марші… деталі у Facebook",
    "Долучайтеся до нас на толоці в парку — подробиці в Telegram-каналі громади.",
    "Присоединяйтесь к нам на субботнике; подробности в Telegram.",
    "Підписуйтеся на розсилку, щоб отримувати новини.",
    "Sign up to receive the vaccine opens on Monday at every pharmacy.",
    "Sign up for the race by email before Friday, the organisers said.",
    "Sign up to get the vaccine; an email confirms the slot.",
    "Subscribe to the idea that cities need more trees, and you will love this plan.",
    "The comments powered by readers made the thread worth reading.",
    "Get our point across, the coach told his team before the final.",
    "This article is republished with the author's permission.",
    "This story was amended on Friday 23 September 2022 to correct the name of the minister.",
    "This is a sponsored article on behalf of Chip.",
    "Share and enjoy.",
    "With that – thanks for reading!",
    "Source: Buzzfeed",
    # (where it was published is a year, not a name: a sentence; it was deleted)
    "The story was first published in 1948 in a small magazine.",
    # (a day is no place: a review found it deleted)
    "This article was originally published on Monday and updated since.",
    # (a newsletter or an email named, not offered: a review found each deleted)
    "Sign up for an account with a disposable email address to avoid the spam that follows.",
    "Subscribe to a newsletter you actually read and unsubscribe from the rest, experts advise.",
    "Subscribe to the idea that email is dead and you will miss most of your customers.",
    "Sign up for the course in email marketing if you want to learn how campaigns work.",
    "Sign up to the gym with your work email address and you get a discount.",
    "Sign up for a Gmail account and an inbox of 15 GB is yours for free.",
    "Get our own app into the store took two years, the founder recalled.",
    "Get our team's email addresses from the internal directory before you start.",
    # (a mailing list named, but what follows is no offer: the maintainers' own sentence)
    "Sign up for the mailing list to discuss the draft, the maintainers wrote.",
    "Sign up to the mailing list was broken for a week, the admins said.",
]


@pytest.mark.parametrize("paragraph", [p for kind in CORPUS_JUNK.values() for p in kind])
def test_the_corpus_junk_no_rule_knew_goes(paragraph: str) -> None:
    assert removed(escape(paragraph, quote=False))


@pytest.mark.parametrize("paragraph", CORPUS_REAL)
def test_sentences_like_the_corpus_junk_stay(paragraph: str) -> None:
    assert not removed(escape(paragraph, quote=False))


def test_a_bracketed_read_more_link_ending_the_text_goes() -> None:
    # donthitsave.com's teasers, in a paragraph or a list's last item
    for close in ("</p>", "</li></ul>"):
        link = '<a href="https://e.example/1">[read more]</a>'
        body = f"<p>Real text.</p>I took two steps... {link}{close}"
        assert junk.without_trailing_prompt(body) == f"<p>Real text.</p>I took two steps...{close}"


@requires_native
def test_the_c_quick_look_gives_the_lines_of_the_python_reference() -> None:
    rng = random.Random(5)
    pieces = ["<p>", "</p>", "<P class='x'>", "<pre>", "<param>", "<br/>", "<BR >", "< p>",
              "<//p>", "<p\n>", "<h1>", "<h7>", "<h1x>", "<li>", "<Li\t>", "<td>", "<th>",
              "<blockquote>", "<figcaption>", "<div", ">", "<", "<a href='/x'>", "</a>", "<b>",
              "<a <p> b>", "&amp;", "&#10;", "&lt;p&gt;", "&nbsp;", "\r\n", "\n", " ", "  ",
              "\u3000", "word", "é", "中文", "\U0001f600", "\ud800", "Read more", "x" * 230,
              "<p_x>", "<p1>", "<div-x>", "<tr>", "<TD>"]  # fmt: skip
    texts = ["", "plain", "<p>a</p>", "a\nb", "<p>&#10;</p>", "<a <p> b>", "<p"]
    texts += [
        "".join(rng.choice(pieces) for _ in range(rng.randrange(0, 40))) for _ in range(20_000)
    ]
    non_ascii_name = re.compile(r"</?\w*[^\x00-\x7f]")  # None: left to the reference
    for text in texts:
        for longest in (0, 5, 220):
            found = junk._native.quick_lines(text, longest)
            if found is None:
                assert non_ascii_name.search(text), text
            else:
                assert found == junk._quick_lines_python(text, longest), text
    # A tag's name with a letter IGNORECASE reads as ASCII ("K" is k, "ı" is i): the reference's.
    for text in ["<bloc\u212aquote>Read more</bloc\u212aquote>", "<dıv>a</dıv>", "<中>x"]:
        assert junk._native.quick_lines(text, 220) is None
        assert junk._quick_lines(text, 220) == junk._quick_lines_python(text, 220)
    assert junk._quick_lines_python("<bloc\u212aquote>a", 220) == ("\na", ["a"])


@requires_native
def test_the_c_quick_look_ends_a_line_at_its_longest_as_the_reference_does() -> None:
    # Its one pass drops a tag from its "<" to the next ">" left after the block tags, and
    # stops reading a line once it is longer than `longest`: every short text of these pieces,
    # each longest near it, in each width (a space before the character past the end counts).
    pieces = ["a", " ", "\n", "\u3000", "<p>", "<b>", "<", ">", "&amp;", "é", "中", "\U0001f600"]
    for size in range(1, 5):
        for chosen in itertools.product(pieces, repeat=size):
            text = "".join(chosen)
            for longest in range(0, 6):
                found = junk._native.quick_lines(text, longest)
                if found is None:  # (a tag's name not ASCII: left to the reference)
                    assert re.search(r"</?\w*[^\x00-\x7f]", text), text
                else:
                    assert found == junk._quick_lines_python(text, longest), (text, longest)


@requires_corpus
@requires_native
def test_the_c_quick_look_gives_the_lines_of_the_reference_on_the_corpus() -> None:
    for path in corpus_files("real", "encodings", "edge"):
        document = path.read_bytes().decode("utf-8", "replace")
        expected = junk._quick_lines_python(document, 220)
        assert junk._quick_lines(document, 220) == expected, path.name


def test_strip_paragraphs_without_the_c_module(monkeypatch: pytest.MonkeyPatch) -> None:
    link = '<a href="https://www.theguardian.com/a">Continue reading...</a>'
    monkeypatch.setattr(junk, "_native", None)
    assert strip_paragraphs(f"{BODY} {link}", ()) == BODY
    assert strip_paragraphs(BODY, ()) == BODY


@requires_native
def test_the_c_quick_look_takes_no_more_memory_than_the_reference() -> None:
    # A copy of the body in its own width, cut down in place: a copy widened to 4 bytes a
    # character took 50 MB for a 10 MB ASCII body, where the reference takes ~31 MB.
    body = ("<p>" + "word " * 200 + "</p>\n") * 2_000  # ~2 MB
    peaks = []
    for look in (junk._quick_lines_python, junk._native.quick_lines):
        tracemalloc.start()
        try:
            look(body, 220)
            peaks.append(tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()
    assert peaks[1] <= peaks[0], peaks


def test_a_line_every_article_repeats_is_read_once(monkeypatch: pytest.MonkeyPatch) -> None:
    read: list[str] = []
    starts = junk._STARTS_ASCII

    class Counted:
        def match(self, line: str) -> re.Match[str] | None:
            read.append(line)
            return starts.match(line)

    monkeypatch.setattr(junk, "_STARTS_ASCII", Counted())  # (the footer is ASCII)
    junk._built_in_hit.cache_clear()  # (a cold cache: the test can run again)
    footer = "The h1 podcast is made by volunteers in Lisbon"
    for n in range(3):
        body = f"<p>Article {n} of the h1 podcast, its own words.</p><p>{footer}</p>"
        assert strip_paragraphs(body, ()) == body
    assert read.count(footer) == 1


def _trailing_link_reference(tail: str) -> str:
    return junk._TRAILING_PROMPT.sub("", tail, count=1)


def test_a_trailing_link_is_looked_for_where_the_pattern_finds_it() -> None:
    rng = random.Random(12)
    pieces = ["<a href='https://e.example/1'>", "<A HREF=x>", "<a>", "<abbr>", "<a\n>", "</a>",
              "</A>", "Read more", "continue reading", "Leia mais", "»", "…", "[", "]", ".",
              "</p>", "</div>", "</li>", "</ul>", "<p>", "<br>", " ", "\n", "\xa0", "\u3000",
              "\u2028", "\x1c", "x", "Words.", "中文", "<", ">"]  # fmt: skip
    tails = ["", "</a>", "<a>Read more</a>", " <a>Read more</a>", "x <a>Read more</a> </p> "]
    tails += [
        "".join(rng.choice(pieces) for _ in range(rng.randrange(0, 30))) for _ in range(30_000)
    ]
    found = 0
    for tail in tails:
        expected = _trailing_link_reference(tail)
        assert junk._without_trailing_link(tail) == expected, tail
        found += expected != tail
    assert found > 20  # (the random tails hold links the pattern removes)


@requires_corpus
def test_a_trailing_link_is_looked_for_where_the_pattern_finds_it_on_the_corpus() -> None:
    for path in corpus_files("real", "encodings", "edge"):
        document = path.read_bytes().decode("utf-8", "replace")
        for end in re.finditer(r"</a>(?:\s*</\w+>)*\s*", document):
            tail = document[max(0, end.end() - junk.TAIL_CHARS) : end.end()]
            assert junk._without_trailing_link(tail) == _trailing_link_reference(tail), path.name


def _words_reference(element: Any) -> str:
    """_words as a walk in Python: a break is a space, a comment's words are not read."""

    def pieces(e: Any) -> Any:
        yield e.text or ""
        for child in e:
            if child.tag == "br":
                yield " "
            elif isinstance(child.tag, str):
                yield from pieces(child)
            yield child.tail or ""

    return junk.collapsed("".join(pieces(element)))


def test_a_paragraphs_words_are_read_in_c_as_the_walk_read_them() -> None:
    rng = random.Random(14)
    pieces = ["<p>", "</p>", "<li>", "</li>", "<ul>", "</ul>", "<div>", "</div>", "<br>", "<br/>",
              "<span>", "</span>", "<a href=x>", "</a>", "<img src=x>", "<!-- hidden words -->",
              "<b>", "</b>", "<td>", " ", "\n", "\xa0", "word", "Words.", "中文", "&amp;",
              "&lt;br&gt;", "<script>s()</script>", "<?pi x?>", "</br>"]  # fmt: skip
    read = 0
    for _ in range(3000):
        root = junk._fragment("".join(rng.choice(pieces) for _ in range(rng.randrange(1, 25))))
        if root is None:
            continue
        expected = [_words_reference(e) for e in root.iter()]
        for br in root.iter("br"):  # as _drop reads its tree
            br.text = " "
        assert [junk._words(e) for e in root.iter()] == expected
        read += len(expected)
    assert read > 20_000


def test_a_body_is_read_without_a_python_call_for_each_element(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # lxml.html's parser picks each element's class in Python (a form's fields have their own),
    # each time one is read: _drop reads them all, at a fifth of its time with its walk.
    looked_up: list[str] = []
    lookup = lxml.html.HtmlElementClassLookup.lookup

    def counted(self: Any, node_type: str, document: Any, namespace: Any, name: Any) -> Any:
        looked_up.append(name)
        return lookup(self, node_type, document, namespace, name)

    monkeypatch.setattr(lxml.html.HtmlElementClassLookup, "lookup", counted)
    body = (
        "<p>Keep this line<br>and <b>this one</b> too, with <a href='/x'>a link</a>.</p>"
        "<ul><li>One point</li><li>Another point</li></ul>"
        "<p>Advertisement</p>"
    )
    expected = (
        '<p>Keep this line<br>and <b>this one</b> too, with <a href="/x">a link</a>.</p>'
        "<ul><li>One point</li><li>Another point</li></ul>"
    )
    assert strip_paragraphs(body, ()) == expected
    assert strip_selected(body, ["ul"]).startswith("<p>Keep")
    assert looked_up == []


def test_a_body_is_written_as_lxml_html_writes_it() -> None:
    # (its regular expression drops a <meta http-equiv="Content-Type">, and only that)
    for body in [
        '<p>a</p><meta http-equiv="Content-Type" content="text/html"><p>b</p>',
        '<p>a</p><META HTTP-EQUIV="Content-Type" content="x"><p>b</p>',
        "<p title='<meta http-equiv=\"Content-Type\" y>'>q</p>",
        '<p>&lt;meta http-equiv="Content-Type"&gt;</p><meta charset=utf-8>',
        "<p>x\xa0&nbsp;<br>y</p><!-- c --><form><input name=q></form>",
    ]:
        root = junk._fragment(body)
        assert root is not None
        written = str(lxml.html.tostring(root, encoding="unicode"))
        assert junk._serialize(root) == written.removeprefix("<div>").removesuffix("</div>").strip()


# Appeals to donate, subscribe, become a member or follow, each at a body's start or end, in the
# languages feeds use (session 48; tests/fixtures/clean_heldout/feeds.json holds them in feeds).
PROMOS = [
    "Support our journalism — donate today.",
    "Subscribe for $1 a week and get unlimited access.",
    "Become a member: your support keeps this site free for everyone.",
    "Unterstützen Sie unabhängigen Journalismus – jetzt spenden!",
    "Jetzt abonnieren: 4 Wochen für nur 1 €.",
    "Folgen Sie uns auf Instagram und Facebook!",
    "Soutenez notre rédaction indépendante : faites un don.",
    "Abonnez-vous à notre newsletter pour ne rien manquer.",
    "Suivez-nous sur Twitter et Facebook.",
    "Apoya el periodismo independiente: haz una donación.",
    "Suscríbete a nuestro boletín y recibe las noticias cada mañana.",
    "Síguenos en Facebook, X e Instagram.",
    "本文来自微信公众号：科技前沿（ID：kejiqianyan），作者：张三",
    "点击关注，第一时间了解最新动态~",
    "扫码订阅，每周获取精选文章。",
    "この記事が気に入ったらサポートをしてみませんか？",
    "メルマガ登録はこちらから。最新記事をお届けします。",
    "X（旧Twitter）でもフォローお願いします！",
    "Поддержите нас донатом — мы существуем на деньги читателей.",
    "Подпишитесь на нашу рассылку.",
    "تابعونا على تويتر وفيسبوك",
    "ادعم صحافتنا المستقلة بالتبرع",
    "اشترك في نشرتنا البريدية",
]
# Real text about donating, subscribing or following, a line of its own at the body's end.
PROMO_REAL = [
    "Donations can be made at the Red Cross website or at any branch of the bank.",
    "Subscribers to the service will pay $1 more a month from January.",
    "Die Stadt ruft dazu auf, für die Flutopfer zu spenden; bisher kamen 2 Millionen Euro.",
    "Les habitants sont invités à donner des conserves à la banque alimentaire.",
    "Más de 3.000 personas acudieron a donar sangre durante la campaña de Navidad.",
    "他呼吁大家关注气候变化对农业的影响。",
    "同社は月額サブスクリプションの登録者が100万人を超えたと発表した。",
    "Подписчики сервиса будут платить на 100 рублей больше с января.",
    "دعت الجمعية المواطنين إلى التبرع بالدم في مراكزها حتى نهاية الشهر.",
    "Support our troops, the banner said, and the crowd cheered.",
    # (the reviewer's: a lead or a last line that opens as an appeal and goes on as a sentence)
    "Support local news, the mayor said on Tuesday as she announced a fund for papers.",
    "Support us or we all lose, the striking printers told the crowd outside the plant.",
    "Donate now, before the tax year ends, advisers told wealthy clients in a memo.",
    "Become a member of the city's new cooperative grocery for fifty dollars, organisers say.",
    "Folgen Sie uns auf dem Weg durch die Altstadt: Die Führung beginnt um zehn Uhr.",
    "Suivez-nous sur les traces de Victor Hugo, propose l'office de tourisme pour l'été.",
]


@pytest.mark.parametrize("promo", PROMOS)
def test_a_promotion_at_the_start_or_end_of_a_body_goes(promo: str) -> None:
    assert removed(promo)
    out = strip_paragraphs(f"<p>{promo}</p>{BODY}", ())
    assert out == BODY


@pytest.mark.parametrize("promo", PROMOS)
def test_a_promotion_amid_the_text_is_the_articles_words(promo: str) -> None:
    """Quoted or discussed in the middle of an article ("the banner read: …"), it stays: an
    appeal is the site's only where the site puts it, at the body's edges."""
    html = f"{BODY}<blockquote><p>{promo}</p></blockquote>{BODY}"
    assert strip_paragraphs(html, ()) == html


@pytest.mark.parametrize("paragraph", PROMO_REAL)
def test_real_text_about_donating_or_subscribing_stays(paragraph: str) -> None:
    assert not removed(paragraph)


def test_an_appeal_can_start_only_with_the_characters_it_is_tried_on() -> None:
    """`_appeal` tries _APPEAL only on a line whose first character (lower-cased) is one its
    branches start with: a branch starting otherwise would never be tried."""
    parsed = sre_parse.parse(junk._APPEAL.pattern, junk._APPEAL.flags)
    assert parsed.data[0][0] is sre_parse.AT  # (every branch's "^", taken out by the parser)
    firsts = _first_characters(sre_parse.SubPattern(parsed.state, parsed.data[1:]))
    assert firsts <= junk._APPEAL_FIRST, firsts - junk._APPEAL_FIRST
    assert firsts == {c.lower() for c in firsts}
