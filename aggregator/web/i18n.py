"""UI strings and date formatting for the HTML pages, in the site's language.

Pure functions: every one takes the language (and `now` where time matters) as an argument, so
tests need no clock tricks. Dates and relative times come from Babel's CLDR data, so any locale
Babel knows formats correctly; the UI strings exist in English and Chinese (Simplified and
Traditional) here, in Spanish, French, German, Japanese, Russian, Arabic and Hebrew in
`translations`, and every other language falls back to English strings.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_datetime, format_timedelta
from markupsafe import Markup

from aggregator.web import translations

DEFAULT_LANGUAGE = "en"

# Below this age a timestamp reads "just now": clocks of sources and of our machines disagree by a
# few seconds, and "in 3 seconds" or "0 seconds ago" would only confuse a reader.
JUST_NOW = timedelta(minutes=1)

STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "skip_to_content": "Skip to content",
        "main_nav": "Categories",
        "home": "Home",
        "sources": "Sources",
        "breadcrumb": "Breadcrumb",
        "pagination": "Pagination",
        "latest": "Latest articles",
        "more_in": "More in {category}",
        "more_from": "More from {source}",
        "older": "Older articles",
        "newest": "Newest articles",
        "every_article": "Every article, newest first",
        "no_articles": "No articles yet.",
        "empty_no_sources": "No articles yet: no source feeds this category.",
        "empty_pending": "No articles yet: the first fetch of the sources is still pending. "
        "Articles appear here within a few minutes.",
        "empty_failing": "No articles yet: fetching the sources fails.",
        "shown_before": "The articles here are copies of stories shown on the pages before.",
        "archive_ended": "The older articles this link led to are no longer kept.",
        "see_sources": "See the state of every source",
        "by_author": "By {author}",
        "published": "Published {when}",
        "read_original": "Read the original at {source}",
        "links_to": "Links to",
        "attribution": "This article was published by {source}. You are reading a copy; "
        "the original is at the link below.",
        "attribution_unlinked": "This article was published by {source}. You are reading a copy.",
        "related": "Related articles",
        "feeds": "Subscribe:",
        "feeds_of": "Feeds of {title}",
        "all_feeds": "All articles",
        "not_found_title": "Page not found",
        "not_found_body": "We could not find this page. It may have been removed, "
        "or the address may be wrong.",
        "back_home": "Back to the home page",
        "gone_title": "This category was removed",
        "gone_body": "It is no longer published here. Its sources may be in another category.",
        "unavailable_title": "Briefly unavailable",
        "unavailable_body": "This page cannot be shown right now. Please try again in a minute.",
        "source_name": "Source",
        "sources_opml": "Every source, to import into a feed reader (OPML)",
        "source_categories": "Categories",
        "source_links": "Links",
        "source_state": "State",
        "website": "Website",
        "feed": "Feed",
        "state_healthy": "OK",
        "state_failing": "Failing",
        "state_pending": "Not fetched yet",
        "state_gone": "Gone: the source said it no longer exists",
        "state_paused": "Paused",
        "last_checked": "Last checked",
        "failures_in_a_row": "Failures in a row: {count}",
        "just_now": "just now",
        "footer": "Articles belong to their publishers; each links to its original.",
        "embed_more": "More on {site}",
        "opens_new_tab": "(opens in a new tab)",
        "untitled": "Untitled",
        "attachments": "Attachments",
        "n_sources": "{n} sources",
        "also_reported": "Also reported by",
        "also_reported_item": "{source}: {title}",
        "sort_top": "Top stories",
        "sort_latest": "Latest",
        "page_of": "Page {page} of {pages}",
        "previous_page": "Previous page",
        "next_page": "Next page",
    },
    "zh": {
        "skip_to_content": "跳到正文",
        "main_nav": "分类",
        "home": "首页",
        "sources": "来源",
        "breadcrumb": "导航路径",
        "pagination": "分页",
        "latest": "最新文章",
        "more_in": "更多{category}文章",
        "more_from": "更多来自{source}的文章",
        "older": "更早的文章",
        "newest": "最新文章",
        "every_article": "全部文章（按时间）",
        "no_articles": "暂无文章。",
        "empty_no_sources": "暂无文章：还没有来源属于这个分类。",
        "empty_pending": "暂无文章：来源的首次抓取尚未完成，文章将在几分钟内出现。",
        "empty_failing": "暂无文章：来源抓取失败。",
        "shown_before": "这里的文章都是前几页已显示报道的转载。",
        "archive_ended": "此链接指向的较早文章已不再保留。",
        "see_sources": "查看各来源的状态",
        "by_author": "作者：{author}",
        "published": "发布于{when}",
        "read_original": "在{source}阅读原文",
        "links_to": "链接至",
        "attribution": "本文由{source}发布。您正在阅读的是副本，原文请见下方链接。",
        "attribution_unlinked": "本文由{source}发布。您正在阅读的是副本。",
        "related": "相关文章",
        "feeds": "订阅：",
        "feeds_of": "{title}的订阅源",
        "all_feeds": "全部文章",
        "not_found_title": "页面未找到",
        "not_found_body": "找不到该页面。它可能已被删除，或者地址有误。",
        "back_home": "返回首页",
        "gone_title": "该分类已移除",
        "gone_body": "此分类已不再发布。其来源可能已归入其他分类。",
        "unavailable_title": "暂时无法访问",
        "unavailable_body": "此页面暂时无法显示，请稍后再试。",
        "source_name": "来源",
        "sources_opml": "全部来源，可导入阅读器（OPML）",
        "source_categories": "分类",
        "source_links": "链接",
        "source_state": "状态",
        "website": "网站",
        "feed": "订阅源",
        "state_healthy": "正常",
        "state_failing": "抓取失败",
        "state_pending": "尚未抓取",
        "state_gone": "已失效：来源表示它已不存在",
        "state_paused": "已暂停",
        "last_checked": "上次检查：",
        "failures_in_a_row": "已连续失败 {count} 次",
        "just_now": "刚刚",
        "footer": "文章版权归原发布者所有，每篇文章都附有原文链接。",
        "embed_more": "在{site}查看更多",
        "opens_new_tab": "（在新标签页中打开）",
        "untitled": "无标题",
        "attachments": "附件",
        "n_sources": "{n} 个来源",
        "also_reported": "其他来源的报道",
        "also_reported_item": "{source}：{title}",
        "sort_top": "热门",
        "sort_latest": "最新",
        "page_of": "第 {page} 页，共 {pages} 页",
        "previous_page": "上一页",
        "next_page": "下一页",
    },
    # Traditional Chinese as Taiwan writes it (連結, 報導, 匯入…), for zh-TW, zh-HK, zh-MO and
    # zh-Hant sites: OpenCC's s2tw conversion of "zh", with its Taiwanese words set by hand.
    "zh-Hant": {
        "skip_to_content": "跳到正文",
        "main_nav": "分類",
        "home": "首頁",
        "sources": "來源",
        "breadcrumb": "導覽路徑",
        "pagination": "分頁",
        "latest": "最新文章",
        "more_in": "更多{category}文章",
        "more_from": "更多來自{source}的文章",
        "older": "更早的文章",
        "newest": "最新文章",
        "every_article": "全部文章（按時間）",
        "no_articles": "暫無文章。",
        "empty_no_sources": "暫無文章：還沒有來源屬於這個分類。",
        "empty_pending": "暫無文章：來源的首次抓取尚未完成，文章將在幾分鐘內出現。",
        "empty_failing": "暫無文章：來源抓取失敗。",
        "shown_before": "這裡的文章都是前幾頁已顯示報導的轉載。",
        "archive_ended": "此連結指向的較早文章已不再保留。",
        "see_sources": "查看各來源的狀態",
        "by_author": "作者：{author}",
        "published": "發布於{when}",
        "read_original": "在{source}閱讀原文",
        "links_to": "連結至",
        "attribution": "本文由{source}發布。您正在閱讀的是副本，原文請見下方連結。",
        "attribution_unlinked": "本文由{source}發布。您正在閱讀的是副本。",
        "related": "相關文章",
        "feeds": "訂閱：",
        "feeds_of": "{title}的訂閱來源",
        "all_feeds": "全部文章",
        "not_found_title": "找不到頁面",
        "not_found_body": "找不到該頁面。它可能已被刪除，或者網址有誤。",
        "back_home": "返回首頁",
        "gone_title": "該分類已移除",
        "gone_body": "此分類已不再發布。其來源可能已歸入其他分類。",
        "unavailable_title": "暫時無法存取",
        "unavailable_body": "此頁面暫時無法顯示，請稍後再試。",
        "source_name": "來源",
        "sources_opml": "全部來源，可匯入閱讀器（OPML）",
        "source_categories": "分類",
        "source_links": "連結",
        "source_state": "狀態",
        "website": "網站",
        "feed": "訂閱來源",
        "state_healthy": "正常",
        "state_failing": "抓取失敗",
        "state_pending": "尚未抓取",
        "state_gone": "已失效：來源表示它已不存在",
        "state_paused": "已暫停",
        "last_checked": "上次檢查：",
        "failures_in_a_row": "已連續失敗 {count} 次",
        "just_now": "剛剛",
        "footer": "文章版權歸原發布者所有，每篇文章都附有原文連結。",
        "embed_more": "在{site}查看更多",
        "opens_new_tab": "（在新分頁中開啟）",
        "untitled": "無標題",
        "attachments": "附件",
        "n_sources": "{n} 個來源",
        "also_reported": "其他來源的報導",
        "also_reported_item": "{source}：{title}",
        "sort_top": "熱門",
        "sort_latest": "最新",
        "page_of": "第 {page} 頁，共 {pages} 頁",
        "previous_page": "上一頁",
        "next_page": "下一頁",
    },
}
STRINGS.update(translations.STRINGS)  # es, fr, de, ja, ru, ar, he


def ui_language(language: str) -> str:
    """The key of STRINGS to use for a site language such as "zh-CN" (English when unknown):
    "zh-Hant" for Chinese in Traditional script (zh-TW, zh-HK, zh-MO, zh-Hant-…), and for
    Cantonese (yue-HK), whose readers write and read Traditional Chinese."""
    primary, *subtags = language.replace("_", "-").lower().split("-")
    if primary in ("zh", "yue"):
        traditional = primary == "yue" or bool(_TRADITIONAL & set(subtags))
        return "zh-Hant" if traditional and "hans" not in subtags else "zh"
    return primary if primary in STRINGS else DEFAULT_LANGUAGE


_TRADITIONAL = frozenset({"hant", "tw", "hk", "mo"})  # subtags of Chinese in Traditional script


def chrome_language(language: str) -> str:
    """The language of our own words on a page for a site language (a BCP 47 tag): the site's
    when STRINGS has it, else the STRINGS we use (a Cantonese site's are written Chinese,
    zh-Hant), else DEFAULT_LANGUAGE. A Hebrew site's page said lang="he" dir="rtl" around
    English words: a voice read them as Hebrew, and "Older articles →" came out
    "→ Older articles"."""
    primary = language.replace("_", "-").split("-")[0].lower()
    ui = ui_language(language)
    if ui.split("-")[0] == primary:
        return language
    return {"zh": "zh-Hans"}.get(ui, ui)


def dates_language(language: str) -> str:
    """The language times are written in for a site language: its own, or DEFAULT_LANGUAGE
    when Babel does not know it (babel_locale): a <time> must not claim "no-NO" for English."""
    if str(babel_locale(language)) == DEFAULT_LANGUAGE and not language.lower().startswith("en"):
        return DEFAULT_LANGUAGE
    return language


def babel_locale(language: str) -> Locale:
    """The Babel locale for a BCP 47 tag such as "zh-CN": the longest prefix of the tag that
    Babel knows ("de-AT-x-foo" is de_AT, "no-NO" is no), and in the script the tag names
    ("zh-Hant-CN" is zh_Hant, where Babel said zh_Hans_CN); English when it knows none."""
    subtags = (language or DEFAULT_LANGUAGE).replace("_", "-").split("-")
    script = next((s for s in subtags[1:] if len(s) == 4 and s.isalpha()), None)
    while subtags:
        try:
            locale = Locale.parse("-".join(subtags), sep="-")
        except (UnknownLocaleError, ValueError):
            locale = None
        if locale is not None and (
            not script or (locale.script or script).lower() == script.lower()
        ):
            return locale
        subtags.pop()
    return Locale.parse(DEFAULT_LANGUAGE)


def translate(language: str, key: str, **params: object) -> str:
    """The UI string `key` in the site language, with `{name}` placeholders filled in."""
    text = STRINGS[ui_language(language)][key]
    return text.format(**params) if params else text


def translate_html(language: str, key: str, **params: object) -> Markup:
    """translate, for templates: our string is trusted, each parameter escaped unless it is
    Markup already, such as the site's title in a span with the site's lang (site_text)."""
    text = Markup(STRINGS[ui_language(language)][key])  # noqa: S704 (ours, no markup)
    return text.format(**params) if params else text


def _utc(value: datetime) -> datetime:
    # Stored times are UTC; a naive one is taken as UTC rather than as the server's local time.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def relative_time(when: datetime, now: datetime, language: str) -> str:
    """How long ago `when` was, as a reader says it: "10 hours ago", "10小时前"."""
    delta = _utc(when) - _utc(now)
    if abs(delta) < JUST_NOW:
        return translate(language, "just_now")
    return format_timedelta(delta, add_direction=True, locale=babel_locale(language))


# Older than this, a time is its date: "4 years ago" left a reader no way to see when (the full
# date was only in a tooltip, which neither a keyboard nor a finger reaches).
DATED_AFTER = timedelta(days=7)


def reader_time(
    when: datetime, now: datetime, language: str, zone: tzinfo = UTC, day_only: bool = False
) -> str:
    """What a page shows of a time: how long ago for the last week, else the date itself, the
    day it was in `zone` (the site's: an Italian site's article of 00:38 on the 16th, +01:00,
    was dated the 15th, the day in UTC). A `day_only` date (Article.day_only) is always its day:
    "3 hours ago" of a date without a time of day would be an hour we made up."""
    if day_only:
        return format_date(_source_day(when), "medium", locale=babel_locale(language))
    if _utc(now) - _utc(when) > DATED_AFTER:
        return format_date(_utc(when).astimezone(zone), "medium", locale=babel_locale(language))
    return relative_time(when, now, language)


def absolute_time(when: datetime, language: str, zone: tzinfo = UTC, day_only: bool = False) -> str:
    """The full date and time in `zone`, named, written the locale's way (shown on hover); of a
    `day_only` date, the day in full."""
    if day_only:
        return format_date(_source_day(when), "full", locale=babel_locale(language))
    return format_datetime(_utc(when), "long", tzinfo=zone, locale=babel_locale(language))


def iso_time(when: datetime, day_only: bool = False) -> str:
    """The machine-readable time for a `<time datetime>` attribute (a date alone, day_only)."""
    if day_only:
        return _source_day(when).isoformat()
    return _utc(when).replace(microsecond=0).isoformat()


def _source_day(when: datetime) -> date:
    """The day a day-only date names. It was read at noon in the source's zone, which is that
    day in UTC too for every zone within 12 hours of it (not the site's zone: a Tokyo source's
    "2005-12-27" is the 26th in Hawaii at any hour, and the source meant the 27th)."""
    return _utc(when).date()
