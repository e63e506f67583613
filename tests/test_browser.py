"""The reader and the embeds in a real headless Chromium, against the live server.

Images are real PNGs served by the loopback feed server; the partner page for the embeds is served
by that server too, so it is another origin (another port) than the live server.
Set SCREENSHOT_DIR to also save screenshots of the pages for a person to look at.
"""

from __future__ import annotations

import base64
import html
import ipaddress
import itertools
import json
import os
import re
import subprocess
import urllib.request
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, ConsoleMessage, Frame, Locator, Page, expect

from aggregator.addresses import address_problem
from aggregator.config import Config
from aggregator.models import Article, Enclosure, Outcome, SourceState
from aggregator.refresh import join_stories
from aggregator.sanitize import LOCAL_SUFFIXES, clean_html
from aggregator.store import Store
from tests.support import firefox as firefox_support
from tests.support.browser import line_drawing, png
from tests.support.feed_server import FeedServer
from tests.support.firefox import Firefox
from tests.support.pipeline import wait_for
from tests.support.web_server import LiveServer
from tests.test_sanitize import PUBLIC_PICTURES, READERS_NETWORK
from tests.test_stories_web import BODY as STORY_BODY
from tests.test_web_pages import XSS, hostile_overrides, ingest_hostile

pytestmark = pytest.mark.browser

AddArticles = Callable[..., list[Article]]
PARTNER_PAGE = Path(__file__).resolve().parents[1] / "examples" / "partner.html"
PLACEHOLDER = "https://news.example.com"  # what examples/partner.html says to replace


@pytest.fixture
def site_language() -> str:
    return "en"


@pytest.fixture
def source_names() -> dict[str, str]:
    """Other names for the config's sources, by id (a test parametrizes it)."""
    return {}


@pytest.fixture
def web_config(web_config: Config, site_language: str, source_names: dict[str, str]) -> Config:
    sources = tuple(replace(s, name=source_names.get(s.id, s.name)) for s in web_config.sources)
    return replace(
        web_config, site=replace(web_config.site, language=site_language), sources=sources
    )


@pytest.fixture
def images(feed_server: FeedServer) -> tuple[str, str]:
    """URLs of a thumbnail-sized and a photo-sized PNG on the loopback feed server."""
    thumb = feed_server.add("/thumb.png", png(320, 180), content_type="image/png")
    photo = feed_server.add("/photo.png", png(640, 360, (190, 70, 40)), content_type="image/png")
    return thumb, photo


@pytest.fixture
def csp_violations(page: Page) -> list[str]:
    """Console errors about Content-Security-Policy: inline script or style we must not have."""
    found: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            found.append(message.text)

    page.on("console", on_console)
    return found


def image_sizes(page: Page) -> list[tuple[str, int]]:
    """Every <img> of the page, loaded (lazy ones too): its src and natural width (0: broken)."""
    sizes: list[list[object]] = page.evaluate(
        """async () => {
            const images = Array.from(document.images);
            for (const img of images) img.loading = "eager";
            await Promise.all(images.map((img) => img.decode().catch(() => null)));
            return images.map((img) => [img.getAttribute("src"), img.naturalWidth]);
        }"""
    )
    return [(str(src), int(str(width))) for src, width in sizes]


def screenshot(page: Page, name: str) -> None:
    """Save a full-page screenshot when SCREENSHOT_DIR is set (for people, not assertions)."""
    directory = os.environ.get("SCREENSHOT_DIR")
    if directory:
        page.screenshot(path=str(Path(directory) / f"{name}.png"), full_page=True)


def partner_page(live_server: LiveServer, feed_server: FeedServer, extra: str = "") -> str:
    """Serve examples/partner.html, pointed at the live server, from the other origin."""
    document = PARTNER_PAGE.read_text(encoding="utf-8").replace(PLACEHOLDER, live_server.url)
    document = document.replace("<script src=", extra + "<script src=")
    return feed_server.add("/partner.html", document.encode(), content_type="text/html")


def test_reader_pages_render_with_images_and_related_articles(
    live_server: LiveServer,
    page: Page,
    add_articles: AddArticles,
    feed_server: FeedServer,
    images: tuple[str, str],
    csp_violations: list[str],
) -> None:
    thumb, photo = images
    # As ingest stores it (sanitized: the content's pictures get their referrer policy there),
    # from a source on the pictures' loopback host (another would not keep them).
    body = clean_html(
        f'<p>The full story.</p><figure><img src="{photo}" alt="A photo"></figure>',
        photo,
        trusted_host="127.0.0.1",
    )
    add_articles("people-daily", 4, thumbnail=thumb)
    stories = add_articles("hacker-blog", 7, thumbnail=thumb, content=body)

    page.goto(live_server.url + "/")
    expect(page.locator("h2#section-tech")).to_have_text("Technology")
    expect(page.locator("#section-tech ~ .grid .card, .section .card").first).to_be_visible()
    sizes = image_sizes(page)
    assert len(sizes) >= 4  # two sections, at most 2 stories of one source in each
    assert all(width == 320 for _, width in sizes), sizes
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Skip to content")
    screenshot(page, "home")

    page.goto(live_server.url + "/c/tech/")
    expect(page.locator(".list .card")).to_have_count(7)
    assert [w for _, w in image_sizes(page)] == [320] * 7

    story = stories[-1]
    page.goto(f"{live_server.url}/a/{story.id}")
    expect(page.locator("h1")).to_have_text(story.title)
    expect(page.locator(".breadcrumb li")).to_have_text(["Home", "Technology", story.title])
    expect(page.locator(".story-content img")).to_have_attribute("alt", "A photo")
    assert (photo, 640) in image_sizes(page)
    related = page.locator(".related .card-title a")
    expect(related).to_have_count(4)
    assert story.title not in related.all_text_contents()
    expect(page.locator(".attribution .button-primary")).to_have_attribute("href", story.url)
    page.locator(".attribution .more-from").click()  # more from its source: its own page
    expect(page.locator("h1")).to_have_text("Hacker Blog")
    expect(page.locator(".card-title a").first).to_have_text(story.title)
    page.go_back()
    screenshot(page, "article")

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + "/")
    columns = page.evaluate(
        "getComputedStyle(document.querySelector('.grid-home')).gridTemplateColumns"
    )
    assert len(columns.split()) == 1, columns  # the grid collapses to one column on a phone
    # A long category title in "More in …" must not make the page scroll sideways.
    page.evaluate(
        "document.querySelector('.section-more').textContent ="
        " 'More in Podcasts, Audio Documentaries and Interviews from Everywhere →'"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "home-mobile")
    assert csp_violations == []
    # The sources' hosts serve the pictures but are never told the page they are shown on.
    pictures = feed_server.requests("/thumb.png") + feed_server.requests("/photo.png")
    assert pictures
    assert [r.header("Referer") for r in pictures] == [None] * len(pictures)


def test_pictures_that_fail_to_load_are_taken_away_not_shown_broken(
    live_server: LiveServer,
    page: Page,
    add_articles: AddArticles,
    feed_server: FeedServer,
    images: tuple[str, str],
    csp_violations: list[str],
) -> None:
    """A source's picture server gone (404 here) showed the browser's broken-image icon on the
    card, the article's lead picture and in the content (a reader's review)."""
    thumb, _ = images
    missing = thumb.replace("/thumb.png", "/gone.png")
    body = clean_html(
        f'<p>The story.</p><p><img src="{missing}" alt="Gone"><img src="{thumb}" alt="Here"></p>',
        thumb,
        trusted_host="127.0.0.1",
    )
    (good,) = add_articles("hacker-blog", 1, thumbnail=thumb)
    (broken,) = add_articles("hacker-blog", 1, thumbnail=missing, content=body)

    page.goto(live_server.url + "/c/tech/")
    expect(page.locator(".list .card")).to_have_count(2)
    # Lazy: a picture below the fold fails only when asked for. (Not scrolled to one by one:
    # the broken one may already be gone, taking its place in the list with it.)
    page.evaluate("document.querySelectorAll('img').forEach((img) => { img.loading = 'eager'; })")
    cards = page.locator(".list .card")
    expect(cards.filter(has_text=broken.title).locator(".card-thumb")).to_have_count(0)
    expect(cards.filter(has_text=broken.title)).not_to_have_class(re.compile(r"has-thumb"))
    expect(cards.filter(has_text=good.title).locator(".card-thumb img")).to_have_count(1)

    page.goto(f"{live_server.url}/a/{broken.id}")
    expect(page.locator(".story-image")).to_have_count(0)
    expect(page.locator('.story-content img[alt="Gone"]')).to_be_hidden()
    expect(page.locator('.story-content img[alt="Here"]')).to_be_visible()

    # A partner's page: the script embed and the iframe embed, each with pictures (world).
    (fine,) = add_articles("people-daily", 1, thumbnail=thumb)
    (lost,) = add_articles("people-daily", 1, thumbnail=missing)
    page.goto(partner_page(live_server, feed_server))
    script_embed = page.locator("#script-embed")
    expect(script_embed).to_have_attribute("data-aggregator-state", "ready")
    items = script_embed.locator(".aggregator-embed-item")
    expect(items.filter(has_text=lost.title).locator("img")).to_have_count(0)
    expect(items.filter(has_text=fine.title).locator("img")).to_have_count(1)
    frame = page.frame_locator("#iframe-embed")
    entries = frame.locator(".embed-item")
    expect(entries.filter(has_text=lost.title).locator("img")).to_have_count(0)
    expect(entries.filter(has_text=lost.title)).not_to_have_class(re.compile(r"has-thumb"))
    expect(entries.filter(has_text=fine.title).locator("img")).to_have_count(1)
    assert csp_violations == []
    assert feed_server.requests("/gone.png")  # asked for, refused: the case is real


@pytest.mark.parametrize("site_language", ["en", "ar"])  # (and right to left)
def test_no_page_scrolls_sideways_on_a_320_pixel_phone(
    live_server: LiveServer, page: Page, add_articles: AddArticles, store: Store
) -> None:
    """WCAG 1.4.10 Reflow: the breadcrumb's 40ch title, the sources grid's 20rem columns and an
    episode's file name each made a 320-px page scroll sideways."""
    name = "Game_of_the_Year_2018__Day_Three_Deliberations_90ojsdivjo-12-26-2018-5542461551.mp3"
    long_title = "Wahlergebnis " * 12
    (episode,) = add_articles(
        "hacker-blog",
        1,
        title=long_title,
        enclosures=(Enclosure(f"https://cdn.example/{name}", "audio/mpeg", 1),),
    )
    # A feed's one-word title in "Also reported by", and a one-word byline (a review: 4,587 px).
    player = '<iframe src="https://www.youtube.com/embed/abc" width="5000" height="3000"></iframe>'
    original = add_articles(
        "hacker-blog", 1, content=clean_html(player, "") + STORY_BODY, author="B" * 300
    )[0]
    copy = add_articles(
        "mixed",
        1,
        title="W" * 400,
        content=STORY_BODY,
        published=original.published + timedelta(hours=2),
    )[0]
    for article in (original, copy):
        join_stories(store, [article], 7.0, datetime.now(UTC))
    page.set_viewport_size({"width": 320, "height": 640})
    # (The article last: what follows looks at it.)
    for path in (
        f"/a/{episode.id}", "/sources", "/c/tech/", "/", "/s/mixed/", f"/a/{original.id}"
    ):  # fmt: skip
        page.goto(live_server.url + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 320, path
    assert page.locator(".also-reported").count() == 1  # (the copy is listed there)
    frame = page.locator(".story-content iframe").bounding_box()
    assert frame is not None
    assert frame["width"] <= 320
    assert frame["height"] < frame["width"]  # 16:9, not the 3,000 px the feed wrote


def test_a_long_source_name_in_a_phones_compact_card_stays_in_the_page(
    live_server: LiveServer,
    page: Page,
    add_articles: AddArticles,
    images: tuple[str, str],
) -> None:
    """A phone's compact card (its picture in a 6.5rem column) leaves its text 170 px at 320: a
    source named in one long word ("Bundesgesundheitsministerium", 240 px in bold) ran past the
    page's edge, and the page scrolled sideways, on the home page and a category's."""
    thumb, _ = images
    long_name = "Bundesgesundheitsministerium"
    add_articles("hacker-blog", 2, thumbnail=thumb, source_name=long_name)
    add_articles("hacker-blog", 1, thumbnail=thumb)  # the lead, with its big picture
    page.set_viewport_size({"width": 320, "height": 640})
    for path in ("/", "/c/tech/"):
        page.goto(live_server.url + path)
        expect(page.locator(".meta-source", has_text=long_name).first).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 320, path


LONG_NAME = "Donaudampfschifffahrtselektrizitätenhauptbetriebswerkbauunterbeamtengesellschaft"


@pytest.mark.parametrize("source_names", [{"mixed": LONG_NAME}])
@pytest.mark.parametrize("text", [100, 200])
def test_a_source_named_in_one_long_word_stays_in_a_phones_page(
    live_server: LiveServer, page: Page, add_articles: AddArticles, text: int
) -> None:
    """A source named in one long German word made the article's attribution ("Read the
    original at …", "More from …"), the /sources list and its own page's title 726-1,571 px
    wide at 320 and 390, and 1,445 px at 200% text: the page scrolled sideways (h6's survey).
    Cards already wrapped it (h7)."""
    (article,) = add_articles("mixed", 1, source_name=LONG_NAME)
    page.set_viewport_size({"width": 320, "height": 640})
    for path in (f"/a/{article.id}", "/sources", "/s/mixed/"):
        page.goto(live_server.url + path)
        if text == 200:  # (as a reader's larger text: through the CSSOM, which the policy allows)
            page.evaluate("document.documentElement.style.fontSize = '200%'")
        expect(page.get_by_text(LONG_NAME).first).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 320, path


@pytest.mark.parametrize("width", [320, 390])
def test_a_phones_compact_cards_leave_their_text_room_at_200_percent_text(
    live_server: LiveServer,
    page: Page,
    add_articles: AddArticles,
    images: tuple[str, str],
    width: int,
) -> None:
    """A phone's compact card puts its picture in a 6.5rem column: at 200% text that was 208 of
    a 320-px phone's 256 px, and the title and time had 24 px, one letter a line (a category
    page 25,546 px tall; h6's survey, both browsers). There the picture goes above the text;
    at the usual size the row is as it was."""
    thumb, _ = images
    add_articles("hacker-blog", 3, thumbnail=thumb)
    page.set_viewport_size({"width": width, "height": 640})
    for path in ("/c/tech/", "/"):
        page.goto(live_server.url + path)
        cards = page.locator(".card.has-thumb:not(.card-lead)")
        expect(cards.first).to_be_visible()
        body = cards.first.locator(".card-body")
        thumb_box = cards.first.locator(".card-thumb")
        assert thumb_box.evaluate("(a) => a.getBoundingClientRect().width") == 104, path
        page.evaluate("document.documentElement.style.fontSize = '200%'")
        text_width = body.evaluate("(b) => b.getBoundingClientRect().width")
        assert text_width >= width - 64, (path, text_width)  # (the whole row, less its margins)


@pytest.mark.parametrize("site_language", ["en", "ar"])
def test_home_section_heads_fit_a_phone_at_200_percent_text(
    live_server: LiveServer, page: Page, add_articles: AddArticles
) -> None:
    """WCAG 1.4.4, text at 200%: "More in Technology →", squeezed beside its heading, stood one
    letter a line (645 px tall), and on an Arabic site (whose faces draw "Technology" wider)
    5 px off a 390-px page; at 320 px every language's heading widened the page."""
    add_articles("hacker-blog", 1)
    for width in (390, 320):
        page.set_viewport_size({"width": width, "height": 844})
        page.goto(live_server.url + "/")
        page.evaluate("document.documentElement.style.fontSize = '200%'")
        assert page.evaluate("document.documentElement.scrollWidth") <= width, width
        lines = page.locator(".section-more").evaluate_all(
            """links => links.map((a) => a.getBoundingClientRect().height
                / parseFloat(getComputedStyle(a).lineHeight))"""
        )
        assert lines
        assert max(lines) < 3.5, (width, lines)  # (not a letter a line)


def test_korean_wraps_between_words_not_inside_them(
    live_server: LiveServer, page: Page, add_articles: AddArticles
) -> None:
    """Korean spaces its words, and its readers expect lines to break at the spaces (as Korean
    news sites set it, word-break: keep-all); browsers broke between any two syllables, so a
    card's "발표했다" ("announced") stood "발표했" at a line's end and "다." on the next. A word
    too long for its line still wraps (the cards' overflow-wrap)."""
    title = "서울시, 대중교통 요금 인상안 발표… 내년부터 적용되는 새로운 요금 체계를 발표했다"
    summary = "서울시가 대중교통 요금 인상안을 발표했다. 시는 재정 적자를 이유로 들었다. " * 2
    add_articles("hacker-blog", 1, title=title, summary=summary, language="ko")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + "/c/tech/")
    breaks = page.locator(".card-title a, .card-excerpt").evaluate_all(
        """els => els.flatMap((el) => {
            const node = el.firstChild;
            const found = [];
            let top = null;
            for (let i = 0; i < node.textContent.length; i++) {
                const range = document.createRange();
                range.setStart(node, i);
                range.setEnd(node, i + 1);
                const box = range.getBoundingClientRect();
                if (box.width === 0) continue;  // (a space at a line's end)
                const pair = node.textContent.slice(i - 1, i + 1);
                if (top !== null && box.top > top + 2) found.push(pair);
                top = box.top;
            }
            return found;
        })"""
    )
    assert breaks, "the title and excerpt were meant to wrap"
    assert [pair for pair in breaks if pair[0] != " "] == []


def test_a_korean_source_s_name_in_our_english_words_wraps_between_its_words(
    live_server: LiveServer, page: Page, add_articles: AddArticles
) -> None:
    """A Korean source's name inside "Read the original at …" had no lang, so Korean's
    keep-all was not its own: the button broke the name between two syllables. Its articles'
    language is now on it (a Japanese name drawn with Chinese glyphs, too: the font's stack)."""
    name = "대한민국 정책브리핑 문화체육관광부 해외문화홍보원 국민소통실"
    (article,) = add_articles("hacker-blog", 1, source_name=name, language="ko")
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(f"{live_server.url}/a/{article.id}")
    breaks = page.locator(".button-primary").evaluate(
        """button => {
            const walker = document.createTreeWalker(button, NodeFilter.SHOW_TEXT);
            const found = [];
            let top = null, last = "";
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                for (let i = 0; i < node.textContent.length; i++) {
                    const range = document.createRange();
                    range.setStart(node, i);
                    range.setEnd(node, i + 1);
                    const box = range.getBoundingClientRect();
                    const char = node.textContent[i];
                    if (box.width === 0) { last = char; continue; }
                    if (top !== null && box.top > top + 2) found.push(last + char);
                    top = box.top;
                    last = char;
                }
            }
            return found;
        }"""
    )
    assert breaks, "the button was meant to wrap"
    hangul = re.compile("[\uac00-\ud7af]{2}")
    assert [pair for pair in breaks if hangul.fullmatch(pair)] == []


@pytest.mark.parametrize("width", [320, 375])
def test_a_long_breadcrumb_title_stays_on_the_line_of_its_separator(
    live_server: LiveServer, page: Page, add_articles: AddArticles, width: int
) -> None:
    """On a phone the current title (40ch, or the whole line) went to a line of its own and
    left the "›" before it alone on the line above: at 320 px for any long title, at 375 px
    for an Arabic one, whose face's "0" (the ch) is wider."""
    english = add_articles("hacker-blog", 1, title="Wahlergebnis " * 12, language="en")[0]
    arabic_title = "الحكومة تعلن عن خطة جديدة للتعليم رقم 0 في عام 2026 " * 2
    arabic = add_articles("hacker-blog", 1, title=arabic_title, language="ar")[0]
    page.set_viewport_size({"width": width, "height": 640})
    for article in (english, arabic):
        page.goto(f"{live_server.url}/a/{article.id}")
        current = page.locator(".breadcrumb li:last-child")
        link = current.locator("a[aria-current]")
        item_height = current.evaluate("li => li.getBoundingClientRect().height")
        link_height = link.evaluate("a => a.getBoundingClientRect().height")
        assert item_height < 1.5 * link_height, (article.language, item_height, link_height)
        assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_a_wide_code_block_and_table_scroll_by_keyboard(
    live_server: LiveServer, page: Page, add_articles: AddArticles
) -> None:
    """WCAG 2.1.1: a code block or table wider than a phone scrolls sideways in its own box,
    and a reader without a mouse must be able to reach that box and scroll it."""
    code = "<pre><code>" + "x = compute(" + ", ".join(["argument"] * 40) + ")</code></pre>"
    table = "<table><tr>" + "<td>Quarterly-figure</td>" * 30 + "</tr></table>"
    (article,) = add_articles("hacker-blog", 1, content=clean_html(code + table, ""))
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(f"{live_server.url}/a/{article.id}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    for box in (page.locator(".story-content pre"), page.locator(".story-content table")):
        assert box.evaluate("e => e.scrollWidth > e.clientWidth")  # it does scroll
        # Chromium lets the keyboard into any scrolling box; Safari only into a focusable one.
        expect(box).to_have_attribute("tabindex", "0")
        box.focus()
        expect(box).to_be_focused()
        page.keyboard.press("ArrowRight")
        page.wait_for_function("e => e.scrollLeft > 0", arg=box.element_handle())
    # And the Tab key reaches them in the reading order.
    page.locator("h1").click()
    reached = set()
    for _ in range(30):
        page.keyboard.press("Tab")
        reached.add(page.evaluate("document.activeElement.tagName"))
    assert {"PRE", "TABLE"} <= reached


def test_code_in_a_right_to_left_article_keeps_its_punctuation_in_place(
    live_server: LiveServer, page: Page, add_articles: AddArticles
) -> None:
    """In an Arabic article (dir="rtl") a code block's lines were laid out right to left: its
    first line "def f(x):" read ":def f(x)" at the right, and inline code "f(x);" read ";f(x)"
    (a review, Firefox and Chromium alike). Each line of a code block, and each inline code,
    takes the direction of its own first letters; an Arabic line of it stays right to left.
    A line wider than the phone, running to the right in its right-to-left box, still scrolls
    into view."""
    long_line = "    return " + " + ".join(["x"] * 60) + " # end"
    body = (
        "<p>استخدم الدالة <code>f(x);</code> في البرنامج.</p>"
        f"<pre><code>def f(x):\n{long_line}\nتعليق: نهاية.</code></pre>"
    )
    (article,) = add_articles(
        "hacker-blog", 1, title="مقال عن البرمجة", language="ar", content=clean_html(body, "")
    )
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/a/{article.id}")
    expect(page.locator(".story-content")).to_have_attribute("dir", "rtl")
    placed = page.evaluate(
        """() => {
            // Where each character of a text node is drawn: its left edge.
            const lefts = (node) => Array.from(node.textContent, (_, i) => {
                const range = document.createRange();
                range.setStart(node, i);
                range.setEnd(node, i + 1);
                return range.getBoundingClientRect().left;
            });
            const block = document.querySelector(".story-content pre code").firstChild;
            const inline = document.querySelector(".story-content p code").firstChild;
            const pre = document.querySelector(".story-content pre");
            const text = block.textContent;
            const chars = lefts(block);
            const inlineChars = lefts(inline);
            const box = pre.getBoundingClientRect();
            const padding = parseFloat(getComputedStyle(pre).paddingLeft);
            const last = text.lastIndexOf(".");
            pre.scrollLeft = pre.scrollWidth;  // (as far as it goes, to the right)
            const end = lefts(block)[text.indexOf(" # end") + 5];
            return {
                lineEndScrollsIntoView: end < box.right,
                colonAfterDef: chars[text.indexOf(":")] > chars[0],
                lineStartsLeft: Math.round(chars[0] - box.left - padding),
                semicolonLast: inlineChars[4] === Math.max(...inlineChars),
                arabicLineRightToLeft: chars[last] < chars[text.lastIndexOf("ت")],
            };
        }"""
    )
    assert placed == {
        "lineEndScrollsIntoView": True,
        "colonAfterDef": True,
        "lineStartsLeft": 0,
        "semicolonLast": True,
        "arabicLineRightToLeft": True,
    }
    screenshot(page, "article-ar-code")


@pytest.mark.parametrize("width", [1280, 390])
def test_an_articles_own_headings_are_smaller_than_its_title(
    live_server: LiveServer, page: Page, add_articles: AddArticles, width: int
) -> None:
    """A newsletter's <h1> (Nixers, in the corpus) was drawn larger than the article's title,
    and on a phone every <h2> (GeekPark's sections) as large as the title or larger."""
    headings = "".join(f"<h{n}>Heading {n}</h{n}><p>Text.</p>" for n in range(1, 7))
    (article,) = add_articles("hacker-blog", 1, content=clean_html(headings, ""))
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(f"{live_server.url}/a/{article.id}")
    sizes: list[float] = page.evaluate(
        """() => Array.from(document.querySelectorAll(
            '.story-header h1, .story-content :is(h1, h2, h3, h4, h5, h6)'
        )).map((h) => parseFloat(getComputedStyle(h).fontSize))"""
    )
    title, *inside = sizes
    assert len(inside) == 6, sizes  # (the sanitizer kept them all)
    assert all(size < title for size in inside), sizes
    assert inside == sorted(inside, reverse=True), sizes  # and still ranked among themselves


def test_an_articles_own_headings_rank_under_its_title_without_skipping_a_level(
    live_server: LiveServer, page: Page, add_articles: AddArticles
) -> None:
    """A screen reader lists a page by its headings: a newsletter's own <h1> (Nixers, in the
    corpus) made a second top level beside the title, and a blog's <h3> straight after the
    title (Cowboy's) or an <h4> under an <h2> left a level out (axe-core's heading-order)."""
    body = "<h1>Issue</h1><p>a</p><h2>Unix</h2><h4>Tools</h4><p>b</p><h3>Shells</h3><h2>End</h2>"
    (newsletter,) = add_articles("hacker-blog", 1, content=clean_html(body, ""))
    (blog,) = add_articles("hacker-blog", 1, content=clean_html("<h3>Step</h3><p>c</p>", ""))
    for article in (newsletter, blog):
        page.goto(f"{live_server.url}/a/{article.id}")
        levels: list[int] = page.evaluate(
            """() => Array.from(document.querySelectorAll('h1, h2, h3, h4, h5, h6'))
                .map((h) => Number(h.tagName[1]))"""
        )
        assert levels.count(1) == 1, levels
        assert levels[0] == 1, levels
        assert all(b - a <= 1 for a, b in itertools.pairwise(levels)), levels
    content = page.evaluate("document.querySelector('.story-content').innerHTML")
    assert content.strip() == "<h2>Step</h2><p>c</p>"


def test_a_superscript_leaves_its_lines_evenly_spaced(
    live_server: LiveServer, page: Page, add_articles: AddArticles
) -> None:
    """The browser's raised baseline for <sup> and <sub> made their lines taller than the
    others: a gap above each "2ⁿ−1" of an article of formulas (Russ Cox's, in the corpus)."""
    text = "The count grows as 2<sup>n</sup>−1 while water stays H<sub>2</sub>O. " * 8
    (article,) = add_articles("hacker-blog", 1, content=clean_html(f"<p>{text}</p>", ""))
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(f"{live_server.url}/a/{article.id}")
    lines, line_height, height = page.evaluate(
        """() => {
            const p = document.querySelector('.story-content p');
            const tops = new Set();
            for (const node of p.childNodes) {
                if (node.nodeType !== Node.TEXT_NODE) continue;
                const range = document.createRange();
                range.selectNodeContents(node);
                for (const rect of range.getClientRects()) tops.add(Math.round(rect.bottom));
            }
            return [tops.size, parseFloat(getComputedStyle(p).lineHeight),
                    p.getBoundingClientRect().height];
        }"""
    )
    assert lines >= 4  # (the paragraph wraps, each line with a superscript or subscript)
    assert height == pytest.approx(lines * line_height, abs=1), (lines, line_height, height)


def drawn_contrast(page: Page, shot: bytes) -> float:
    """The WCAG contrast between the lightest and darkest pixels of a screenshot."""
    blank = page.context.new_page()  # (our pages' policy allows no data: picture)
    try:
        return float(
            blank.evaluate(
                """async (data) => {
                    const img = new Image();
                    img.src = "data:image/png;base64," + data;
                    await img.decode();
                    const canvas = document.createElement("canvas");
                    canvas.width = img.width;
                    canvas.height = img.height;
                    const context = canvas.getContext("2d");
                    context.drawImage(img, 0, 0);
                    const pixels = context.getImageData(0, 0, img.width, img.height).data;
                    const linear = (c) => (c /= 255) <= 0.03928 ? c / 12.92
                        : Math.pow((c + 0.055) / 1.055, 2.4);
                    let low = 1, high = 0;
                    for (let i = 0; i < pixels.length; i += 4) {
                        const l = 0.2126 * linear(pixels[i]) + 0.7152 * linear(pixels[i + 1])
                            + 0.0722 * linear(pixels[i + 2]);
                        low = Math.min(low, l);
                        high = Math.max(high, l);
                    }
                    return (high + 0.05) / (low + 0.05);
                }""",
                base64.b64encode(shot).decode(),
            )
        )
    finally:
        blank.close()


def test_without_javascript_a_picture_that_fails_leaves_a_plain_box_not_a_broken_icon(
    live_server: LiveServer,
    browser: Browser,
    add_articles: AddArticles,
    feed_server: FeedServer,
    images: tuple[str, str],
) -> None:
    """With JavaScript off nothing takes a failed picture away (pictures.js), and Chromium drew
    its broken-image icon in a grey frame on each card, the article's lead and the embed's
    items whose source's picture server was gone (the reader's review, JavaScript off)."""
    thumb, _ = images
    missing = thumb.replace("/thumb.png", "/gone.png")
    (article,) = add_articles("hacker-blog", 1, thumbnail=missing)
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 800})
    try:
        page = context.new_page()
        for path, box in (
            ("/c/tech/", ".card-thumb"),
            (f"/a/{article.id}", ".story-image"),
            ("/embed/tech", ".embed-thumb"),
        ):
            page.goto(live_server.url + path)
            assert image_sizes(page) == [(missing, 0)]  # (it did fail)
            # (Inside its rounded corners, where the page's own background shows.)
            area = page.locator(box).bounding_box()
            assert area is not None
            inside = {
                "x": area["x"] + 8,
                "y": area["y"] + 8,
                "width": area["width"] - 16,
                "height": area["height"] - 16,
            }
            assert drawn_contrast(page, page.screenshot(clip=inside)) < 1.05, path
    finally:
        context.close()


def test_a_firefox_that_does_not_start_is_not_left_running(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Firefox whose Marionette never answered was left running with its profile: the fixture
    quits only those it holds, and the constructor raised before it held this one."""
    fake = tmp_path / "firefox"
    fake.write_text("#!/bin/sh\nexec sleep 60\n")
    fake.chmod(0o755)
    profiles = tmp_path / "tmp"
    profiles.mkdir()
    monkeypatch.setattr(firefox_support, "FIREFOX", fake)
    monkeypatch.setattr(firefox_support, "START_SECONDS", 1)
    monkeypatch.setattr(firefox_support.tempfile, "tempdir", str(profiles))
    started: list[subprocess.Popen[bytes]] = []
    popen = subprocess.Popen

    def recorded(*args: Any, **kwargs: Any) -> subprocess.Popen[bytes]:
        started.append(popen(*args, **kwargs))
        return started[-1]

    monkeypatch.setattr(firefox_support.subprocess, "Popen", recorded)
    try:
        with pytest.raises(RuntimeError, match="did not start"):
            Firefox(javascript=False)
        assert [process.poll() is not None for process in started] == [True]
        assert list(profiles.iterdir()) == []
    finally:
        for process in started:  # (what the test started, if the code under test did not)
            if process.poll() is None:
                process.kill()
                process.wait()


def test_without_javascript_firefox_frames_no_picture_that_failed(
    live_server: LiveServer,
    page: Page,
    firefox: Callable[..., Firefox],
    add_articles: AddArticles,
    images: tuple[str, str],
) -> None:
    """Firefox draws no ::after on a picture (the rule that covers Chromium's broken icon): with
    JavaScript off it framed each failed one, on a card, as the article's lead and in the
    embed, in a thin dark line (h7's finding: 1px of #333-ish on the light placeholder). Only
    the page's background and the box's placeholder colour are left (and a rounded corner
    between them, 1.1:1); a loaded picture still fills its box."""
    thumb, _ = images
    missing = thumb.replace("/thumb.png", "/gone.png")
    (article,) = add_articles("hacker-blog", 1, thumbnail=missing)
    (loaded,) = add_articles("mixed", 1, thumbnail=thumb)
    browser = firefox(javascript=False, width=800, height=900)
    for path, box in (
        ("/c/tech/", ".card:has(img[src$='/gone.png']) .card-thumb"),
        (f"/a/{article.id}", ".story-image"),
        ("/embed/tech", "img.embed-thumb[src$='/gone.png']"),
    ):
        browser.goto(live_server.url + path)
        failed = browser.evaluate(
            "return Array.from(document.images).filter((i) => i.complete && !i.naturalWidth)"
            ".map((i) => i.getAttribute('src'))"
        )
        assert failed == [missing], path  # (it did fail)
        assert drawn_contrast(page, browser.screenshot(box)) < 1.2, path
    browser.goto(f"{live_server.url}/a/{loaded.id}")
    assert drawn_contrast(page, browser.screenshot(".story-image")) > 2  # (the picture shows)


def test_a_loaded_picture_is_drawn_whole_outside_firefox(
    live_server: LiveServer, page: Page, add_articles: AddArticles, images: tuple[str, str]
) -> None:
    """The cut of Firefox's frame around a failed picture (its outer 2px) applied in every
    browser to every picture: each loaded lead and embed thumbnail lost 2px of each edge, and a
    card's picture was 4px larger than its box (a review). Only Firefox, which draws the frame,
    cuts it; Chromium covers a failed picture with its ::after."""
    thumb, _ = images
    (article,) = add_articles("hacker-blog", 1, thumbnail=thumb)
    page.goto(f"{live_server.url}/a/{article.id}")
    assert page.evaluate(
        "getComputedStyle(document.querySelector('.story-image img')).clipPath"
    ) == ("none")
    page.goto(live_server.url + "/c/tech/")
    card = page.evaluate(
        "(() => { const i = document.querySelector('.card-thumb img');"
        " return [getComputedStyle(i).marginTop,"
        " i.getBoundingClientRect().width - i.parentElement.getBoundingClientRect().width]; })()"
    )
    assert card == ["0px", 0]
    page.goto(live_server.url + "/embed/tech")
    assert page.evaluate(
        "getComputedStyle(document.querySelector('img.embed-thumb')).clipPath"
    ) == ("none")


@pytest.mark.parametrize(("density", "drawn"), [(1, "/diagram.png"), (2, "/diagram@2x.png")])
def test_a_screen_of_more_pixels_draws_the_larger_picture_of_a_srcset(
    live_server: LiveServer,
    browser: Browser,
    add_articles: AddArticles,
    feed_server: FeedServer,
    density: int,
    drawn: str,
) -> None:
    """The sanitizer dropped srcset: a phone or laptop of 2 device pixels to the CSS pixel drew
    the feed's 1x diagram at twice its size, blurred (Russ Cox's come in 1x to 4x). A screen
    of one pixel still loads only the 1x."""
    small = feed_server.add("/diagram.png", line_drawing(200, 100), content_type="image/png")
    large = feed_server.add("/diagram@2x.png", line_drawing(400, 200), content_type="image/png")
    body = clean_html(
        f'<p><img src="{small}" srcset="{small} 1x, {large} 2x" width="200" alt="A diagram"></p>',
        small,
        trusted_host="127.0.0.1",
    )
    (article,) = add_articles("hacker-blog", 1, content=body)
    context = browser.new_context(
        device_scale_factor=density, viewport={"width": 390, "height": 800}
    )
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/a/{article.id}")
        picture = page.locator(".story-content img")
        picture.evaluate("(img) => { img.loading = 'eager'; return img.decode(); }")
        assert picture.evaluate("(img) => img.currentSrc") == small.replace("/diagram.png", drawn)
        assert picture.evaluate("(img) => img.getBoundingClientRect().width") == 200
    finally:
        context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_diagram_drawn_on_transparency_stays_visible_in_either_scheme(
    live_server: LiveServer,
    page: Page,
    add_articles: AddArticles,
    feed_server: FeedServer,
    scheme: Literal["light", "dark"],
) -> None:
    """A diagram of black lines on a transparent background showed the dark scheme's near-black
    through it: its lines at 1.1:1, all but invisible (WCAG 1.4.11 asks 3:1 of graphics)."""
    drawing = feed_server.add("/diagram.png", line_drawing(), content_type="image/png")
    body = clean_html(
        f'<p><img src="{drawing}" alt="A diagram"></p>', drawing, trusted_host="127.0.0.1"
    )
    (article,) = add_articles("hacker-blog", 1, content=body)
    page.emulate_media(color_scheme=scheme)
    page.goto(f"{live_server.url}/a/{article.id}")
    picture = page.locator(".story-content img")
    assert image_sizes(page) == [(drawing, 200)]  # loaded, and the page's only picture
    assert drawn_contrast(page, picture.screenshot()) >= 3


def test_an_emoticon_in_the_text_stands_on_no_white_box_in_the_dark_scheme(
    live_server: LiveServer, page: Page, add_articles: AddArticles, feed_server: FeedServer
) -> None:
    """The white behind an article's pictures (for diagrams drawn on transparency) is not behind
    a text-sized emoticon the sanitizer keeps as a picture (Weibo's "[哈哈]"): a white square in
    each line of dark text. The diagram beside it keeps its white."""
    smile = feed_server.add("/expression/haha.png", line_drawing(20, 20), content_type="image/png")
    drawing = feed_server.add("/diagram.png", line_drawing(), content_type="image/png")
    body = clean_html(
        f'<p>太好了<img src="{smile}" alt="[哈哈]">今天</p>'
        f'<p><img src="{drawing}" alt="A diagram"></p>',
        drawing,
        trusted_host="127.0.0.1",
    )
    assert 'width="20" height="20"' in body  # (kept as an emoticon, text-sized)
    (article,) = add_articles("hacker-blog", 1, content=body)
    page.emulate_media(color_scheme="dark")
    page.goto(f"{live_server.url}/a/{article.id}")
    assert sorted(image_sizes(page)) == sorted([(smile, 20), (drawing, 200)])
    backgrounds = page.evaluate(
        """() => Array.from(document.querySelectorAll('.story-content img'))
            .map((img) => [img.getAttribute('src'), getComputedStyle(img).backgroundColor])"""
    )
    assert dict(backgrounds) == {smile: "rgba(0, 0, 0, 0)", drawing: "rgb(255, 255, 255)"}


@pytest.mark.parametrize(
    ("site_language", "scheme"),
    [("en", "light"), ("en", "dark"), ("zh-CN", "light"), ("ja", "light"), ("he", "dark")],
)
def test_every_kind_of_page_passes_axe(
    live_server: LiveServer,
    page: Page,
    add_articles: AddArticles,
    store: Store,
    images: tuple[str, str],
    scheme: Literal["light", "dark"],
) -> None:
    """axe-core's rules (WCAG A and AA, and its best practices) on each kind of page, with what
    makes pages differ: pictures, a code block and a table, a right-to-left article, an
    episode, a story of two sources, an empty category, a page that is not there."""
    thumb, photo = images
    page.emulate_media(color_scheme=scheme)
    body = clean_html(
        f'<p>Text.</p><figure><img src="{photo}" alt="A photo"><figcaption>A caption</figcaption>'
        "</figure><pre><code>x = f(" + ", ".join(["argument"] * 30) + ")</code></pre>"
        "<table><tr><th>Year</th><th>Sales</th></tr><tr><td>2025</td><td>12</td></tr></table>"
        "<blockquote><p>A quote.</p></blockquote><ul><li>One</li></ul>",
        photo,
        trusted_host="127.0.0.1",  # (a source on the pictures' loopback host keeps them)
    )
    add_articles("people-daily", 3, thumbnail=thumb, language="zh-CN")
    (article,) = add_articles("hacker-blog", 1, thumbnail=thumb, content=body)
    (arabic,) = add_articles(
        "hacker-blog", 1, title="أعلنت شركة Apple عن iPhone 16!", language="ar"
    )
    episode = Enclosure("https://cdn.example/episode.mp3", "audio/mpeg", 1)
    (audio,) = add_articles("hacker-blog", 1, enclosures=(episode,))
    (original,) = add_articles("hacker-blog", 1, content=STORY_BODY)
    (copy,) = add_articles(
        "mixed", 1, content=STORY_BODY, published=original.published + timedelta(hours=2)
    )
    for each in (original, copy):
        join_stories(store, [each], 7.0, datetime.now(UTC))
    axe = Axe()
    found = []
    for path in (
        "/", "/c/tech/", "/c/tech/?sort=latest", "/c/quiet/", f"/a/{article.id}",
        f"/a/{arabic.id}", f"/a/{audio.id}", f"/a/{original.id}", "/sources", "/embed/tech",
        "/a/no-such-article", "/s/hacker-blog/",
    ):  # fmt: skip
        page.goto(live_server.url + path)
        for violation in axe.run(page).response["violations"]:
            node = violation["nodes"][0]
            found.append(f"{path}: {violation['id']} ({violation['impact']}) {node['html'][:200]}")
    assert found == []


def test_a_printed_article_is_dark_on_white_and_names_its_original(
    live_server: LiveServer, page: Page, add_articles: AddArticles
) -> None:
    """Browsers print no background: the dark scheme's light text printed at 1.2:1, with the
    site's navigation, related articles and footer, and no address of the original."""
    (story,) = add_articles("hacker-blog", 1)
    page.emulate_media(media="print", color_scheme="dark")
    page.goto(f"{live_server.url}/a/{story.id}")
    color = page.evaluate("getComputedStyle(document.querySelector('.story-content')).color")
    assert color == "rgb(0, 0, 0)"
    for hidden in (".site-header", ".site-footer", ".related", ".breadcrumb"):
        if page.locator(hidden).count():
            assert not page.locator(hidden).first.is_visible(), hidden
    after = page.evaluate(
        "getComputedStyle(document.querySelector('.attribution a'), '::after').content"
    )
    assert story.url in after


def test_a_printed_article_prints_the_whole_of_a_wide_code_block_and_table(
    live_server: LiveServer, page: Page, add_articles: AddArticles
) -> None:
    """Paper does not scroll: a code block or table wider than the page, which scrolls in its
    own box on screen, printed cut off at the right margin (the end of every long line lost)."""
    code = "<pre><code>" + "x = compute(" + ", ".join(["argument"] * 40) + ")</code></pre>"
    table = "<table><tr>" + "<td>Quarterly_figures_of_the_north</td>" * 8 + "</tr></table>"
    (article,) = add_articles("hacker-blog", 1, content=clean_html(code + table, ""))
    page.set_viewport_size({"width": 600, "height": 800})  # about an A4 page's printed width
    page.emulate_media(media="print")
    page.goto(f"{live_server.url}/a/{article.id}")
    hidden = page.evaluate(
        """() => Array.from(document.querySelectorAll('.story-content :is(pre, table)'))
            .map((box) => [box.tagName, box.scrollWidth - box.clientWidth,
                           box.getBoundingClientRect().right - innerWidth])"""
    )
    assert len(hidden) == 2, hidden
    assert all(cut <= 0 and beyond <= 0 for _, cut, beyond in hidden), hidden


def test_a_printed_article_of_a_dark_scheme_reader_prints_in_the_light_colours(
    live_server: LiveServer, page: Page, add_articles: AddArticles
) -> None:
    """Printed from the dark scheme, the article kept its dark palette under the black text:
    its time, byline and quotes light grey on the paper (2.4:1), and with "print backgrounds"
    on, its code block and source box near-black behind black text (1.3:1). Every text prints
    at 4.5:1 or more on what is behind it, the paper or its box."""
    body = clean_html("<p>Text.</p><pre><code>print(1)</code></pre><blockquote>Q.</blockquote>", "")
    (story,) = add_articles("hacker-blog", 1, content=body, author="Ann Author")
    page.emulate_media(media="print", color_scheme="dark")
    page.goto(f"{live_server.url}/a/{story.id}")
    contrasts = page.evaluate(
        """() => {
            const rgb = (c) => c.match(/[\\d.]+/g).map(Number);
            const luminance = (c) => {
                const [r, g, b] = rgb(c).slice(0, 3).map((v) => {
                    v /= 255;
                    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
                });
                return 0.2126 * r + 0.7152 * g + 0.0722 * b;
            };
            const behind = (el) => {  // its own box's colour, or its parent's, or the paper
                for (let e = el; e; e = e.parentElement) {
                    const bg = getComputedStyle(e).backgroundColor;
                    if (rgb(bg).length < 4 || rgb(bg)[3] > 0) return bg;
                }
                return "rgb(255, 255, 255)";
            };
            const ratio = (el) => {
                const [a, b] = [luminance(getComputedStyle(el).color), luminance(behind(el))];
                return Math.round(((Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)) * 10) / 10;
            };
            const chosen = [".story-meta time", ".meta-author", ".story-content pre code",
                            ".story-content blockquote", ".attribution p", ".button-primary"];
            return Object.fromEntries(chosen.map((s) => [s, ratio(document.querySelector(s))]));
        }"""
    )
    assert {s: r for s, r in contrasts.items() if r < 4.5} == {}, contrasts


def test_a_lead_story_without_a_picture_leaves_no_blank_row(
    live_server: LiveServer, page: Page, add_articles: AddArticles
) -> None:
    # The lead card spans two rows of the home grid for its picture; without one, the second
    # row stood blank beside the other cards at desktop width.
    add_articles("hacker-blog", 3, thumbnail=None)
    add_articles("mixed", 3, thumbnail=None)  # the section's 4 cards: the lead, then 3 beside it
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + "/")
    lead = page.locator(".grid-home .card-lead").first
    expect(lead).to_be_visible()
    card, body = lead.evaluate(
        "el => [el.getBoundingClientRect().height,"
        " el.querySelector('.card-body').getBoundingClientRect().height]"
    )
    assert card - body < 24, (card, body)


def test_a_lead_story_without_a_picture_leaves_no_hole_beside_cards_with_pictures(
    live_server: LiveServer, page: Page, add_articles: AddArticles, images: tuple[str, str]
) -> None:
    """Beside the taller cards with pictures, a picture-less lead's few lines left a hole under
    them in the home grid (180 px on a home page of corpus feeds)."""
    thumb, _ = images
    add_articles("mixed", 2, thumbnail=thumb)
    add_articles("hacker-blog", 1, thumbnail=thumb)
    (newest,) = add_articles("hacker-blog", 1, thumbnail=None, summary="Two lines at most.")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + "/")
    section = page.locator("section", has=page.locator("#section-tech"))
    lead = section.locator(".card-lead")
    expect(lead.locator(".card-title")).to_have_text(newest.title)
    widths = [w for _, w in image_sizes(page)]  # (the three others' pictures are there)
    assert len(widths) >= 3, widths  # (all() of none held)
    assert set(widths) == {320}, widths
    expect(section.locator(".card.has-thumb")).to_have_count(3)
    hole, gap = lead.evaluate(
        """lead => {
            const box = lead.getBoundingClientRect();  // (stretched to its row's height)
            const end = lead.querySelector(".card-body").getBoundingClientRect().bottom;
            const below = Array.from(lead.parentElement.children)
                .map((card) => card.getBoundingClientRect())
                .filter((r) => r.top >= box.bottom && r.left < box.right && r.right > box.left);
            const next = Math.min(...below.map((r) => r.top),
                                  lead.parentElement.getBoundingClientRect().bottom);
            return [next - end, parseFloat(getComputedStyle(lead.parentElement).rowGap)];
        }"""
    )
    assert hole <= gap + 1, (hole, gap)


@pytest.mark.parametrize(
    ("site_language", "title", "language", "side"),
    [
        ("en", "مجلس الأمن يعقد جلسة طارئة لبحث تطورات الأوضاع الإنسانية", "ar", "right"),
        ("he", "The council meets tonight to discuss the humanitarian situation", "en", "left"),
    ],
    ids=["arabic-on-english", "english-on-hebrew"],
)
def test_a_lead_story_without_a_picture_starts_on_its_own_side(
    live_server: LiveServer,
    page: Page,
    add_articles: AddArticles,
    title: str,
    language: str,
    side: str,
) -> None:
    """The picture-less lead's text is kept a readable length (48rem of a 72rem column): its
    block stood at the page's start, so an Arabic lead on an English page, aligned right inside
    it, stopped at two thirds of the width, a third of the row blank on its own side (a review
    of a corpus home page, Hebrew too). Its title and excerpt start on their own side."""
    add_articles("hacker-blog", 3, thumbnail=None)
    summary = "ملخص الخبر" if language == "ar" else "A summary of the story."
    add_articles("hacker-blog", 1, thumbnail=None, title=title, summary=summary, language=language)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + "/")
    lead = page.locator("section", has=page.locator("#section-tech")).locator(".card-lead")
    expect(lead.locator(".card-title")).to_have_text(title)
    edges = lead.evaluate(
        """(lead, side) => {
            const card = lead.getBoundingClientRect();
            const edge = (el) => {
                const range = document.createRange();
                range.selectNodeContents(el);
                const text = range.getBoundingClientRect();
                const gap = side === "right" ? card.right - text.right : text.left - card.left;
                return Math.round(gap);
            };
            const title = lead.querySelector(".card-title a");
            return [edge(title), edge(lead.querySelector(".card-excerpt"))];
        }""",
        side,
    )
    assert edges == [0, 0], edges
    screenshot(page, f"home-lead-{language}-on-{page.evaluate('document.documentElement.lang')}")


@pytest.mark.parametrize("site_language", ["ar"])
def test_english_on_a_right_to_left_sources_page_starts_at_the_left_in_firefox_too(
    live_server: LiveServer, page: Page, store: Store
) -> None:
    """Firefox computes a list item's text-align (its default, match-parent) as the side its
    list starts on, "right" on an Arabic page, where Chromium keeps "start"; the blocks inside
    inherited that side whatever their own direction, so on the sources page a Latin source
    name (dir="auto") and the English error (dir="ltr") stood at the right. The list is given
    that side here to stand for Firefox's; its items align to each block's own start."""
    store.save_state(
        SourceState(
            "hacker-blog",
            last_fetch=datetime.now(UTC) - timedelta(hours=2),
            outcome=Outcome.HTTP_ERROR,
            http_status=503,
            consecutive_errors=3,
            last_error="The server answered 503 Service Unavailable.",
        )
    )
    page.goto(live_server.url + "/sources")
    page.locator(".sources").evaluate("list => { list.style.textAlign = 'right'; }")
    card = page.locator("#source-hacker-blog")
    gaps = [
        card.locator(selector).evaluate(
            """el => {
                const range = document.createRange();
                range.selectNodeContents(el);
                const text = range.getBoundingClientRect();
                return Math.round(text.left - el.getBoundingClientRect().left);
            }"""
        )
        for selector in (".source-name", ".source-error")
    ]
    assert gaps == [0, 0]


@pytest.mark.parametrize("site_language", ["zh-CN"])
def test_chinese_category_page(
    live_server: LiveServer,
    page: Page,
    add_articles: AddArticles,
    images: tuple[str, str],
    csp_violations: list[str],
) -> None:
    add_articles("people-daily", 6, thumbnail=images[0])
    page.goto(live_server.url + "/c/world/")
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    expect(page.locator(".breadcrumb li").first).to_have_text("首页")
    times = page.locator(".list time").all_text_contents()
    assert len(times) == 6
    assert all(t.endswith("前") for t in times), times
    assert [w for _, w in image_sizes(page)] == [320] * 6  # (all() of none holds)
    screenshot(page, "category-zh")
    assert csp_violations == []


def test_hostile_entries_execute_nothing(
    live_server: LiveServer,
    page: Page,
    dialogs: list[str],
    add_articles: AddArticles,
    store: Store,
    web_config: Config,
    feed_server: FeedServer,
    images: tuple[str, str],
) -> None:
    add_articles("mixed", 3, thumbnail=images[0])
    (stored,) = add_articles("hacker-blog", 1, **hostile_overrides())
    add_articles("hacker-blog", 1, title="Titled " + XSS, author=XSS)  # with a real link
    ingested = ingest_hostile(store, web_config)
    partner = partner_page(
        live_server,
        feed_server,
        '<div id="all-embed" data-aggregator-category="all" data-limit="10"></div>\n',
    )

    for url in (
        live_server.url + "/",
        live_server.url + "/c/tech/",
        f"{live_server.url}/a/{stored.id}",
        f"{live_server.url}/a/{ingested.id}",
        live_server.url + "/embed/tech?images=1",
        live_server.url + "/embed/all",
        live_server.url + "/sources",
        live_server.url + "/s/hacker-blog/",
    ):
        page.goto(url)
        page.wait_for_load_state("load")
        # Fire any mouse or focus handler that escaped its attribute.
        page.evaluate(
            """() => { for (const el of document.querySelectorAll("*")) {
                for (const type of ["mouseover", "focus", "click"]) {
                    if (type === "click" && el.closest("a")) continue;  // no navigation
                    el.dispatchEvent(new Event(type, { bubbles: true }));
                }
            } }"""
        )
        assert page.evaluate("typeof window.__xss") == "undefined", url

    page.goto(partner)
    all_embed = page.locator("#all-embed")
    expect(all_embed).to_have_attribute("data-aggregator-state", "ready")
    links = all_embed.locator("a.aggregator-embed-link")
    # A hostile title arrives as text and is shown as text; an entry whose link is not http(s)
    # is linked to our own article page instead (the feeds never emit a non-http(s) link).
    expect(links.filter(has_text="Titled <script>window.__xss=1</script>")).to_have_count(1)
    hostile = links.filter(has_text="Hostile")
    expect(hostile).to_have_count(1)
    assert (hostile.get_attribute("href") or "").startswith(live_server.url + "/a/")
    for href in links.evaluate_all("links => links.map((a) => a.getAttribute('href'))"):
        assert href.startswith(("http://", "https://")), href
    expect(page.frame_locator("#iframe-embed").locator("a.embed-title").first).to_be_visible()
    for frame in page.frames:
        assert frame.evaluate("typeof window.__xss") == "undefined", frame.url
    assert XSS not in page.content()  # the partner's DOM never holds the markup as markup
    assert dialogs == []


def test_embeds_work_on_a_partner_page_of_another_origin(
    live_server: LiveServer,
    page: Page,
    add_articles: AddArticles,
    feed_server: FeedServer,
    images: tuple[str, str],
    csp_violations: list[str],
) -> None:
    world = add_articles("people-daily", 8, thumbnail=images[0])
    newest = sorted(world, key=lambda a: a.published, reverse=True)[:5]
    partner = partner_page(live_server, feed_server)
    assert not partner.startswith(live_server.url)

    page.goto(partner)
    script_embed = page.locator("#script-embed")
    expect(script_embed).to_have_attribute("data-aggregator-state", "ready")
    links = script_embed.locator("a.aggregator-embed-link")
    expect(links).to_have_count(5)
    expect(links).to_have_text([a.title for a in newest])
    assert links.evaluate_all("links => links.map((a) => a.href)") == [a.url for a in newest]
    for attribute, value in (("target", "_blank"), ("rel", "noopener")):
        assert set(links.evaluate_all(f"ls => ls.map((a) => a.getAttribute('{attribute}'))")) == {
            value
        }
    thumbs = script_embed.locator("img.aggregator-embed-thumb")
    expect(thumbs).to_have_count(5)
    # Never wider than the list, whatever the picture's own size.
    assert set(thumbs.evaluate_all("ts => ts.map((t) => getComputedStyle(t).maxWidth)")) == {"100%"}
    expect(script_embed.locator("time").first).to_have_attribute(
        "datetime", newest[0].published.isoformat()
    )

    frame_links = page.frame_locator("#iframe-embed").locator("a.embed-title")
    expect(frame_links).to_have_count(5)
    expect(frame_links.first).to_have_attribute("target", "_blank")
    expect(frame_links.first).to_have_attribute("rel", "noopener")
    expect(frame_links.first).to_contain_text(newest[0].title)
    screenshot(page, "partner")
    assert csp_violations == []


def test_a_partners_own_script_reads_the_json_feed_with_the_headers_it_sends(
    live_server: LiveServer, page: Page, add_articles: AddArticles, feed_server: FeedServer
) -> None:
    """A partner's script that asks past caches (`Cache-Control: no-cache`, `Pragma`), or whose
    library marks its requests (`X-Requested-With`), had its preflight answered without those
    headers: Chromium refused the fetch ("Failed to fetch"), as it did an address with a slash
    after it (a 404 page without CORS). A public feed takes any request header."""
    add_articles("hacker-blog", 2)
    partner = feed_server.add(
        "/own.html", b"<!doctype html><title>partner</title>", content_type="text/html"
    )
    page.goto(partner)
    feed = f"{live_server.url}/c/tech/feed.json"
    for init in (
        {"headers": {"Cache-Control": "no-cache"}},
        {"headers": {"Pragma": "no-cache", "Cache-Control": "no-cache"}},
        {"headers": {"X-Requested-With": "XMLHttpRequest"}},
        {"headers": {"If-None-Match": '"0"', "Accept": "application/feed+json"}},
    ):
        answer = page.evaluate(
            """async ([url, init]) => {
                try {
                    const response = await fetch(url, init);
                    return [response.status, (await response.json()).items.length];
                } catch (error) {
                    return [String(error), 0];
                }
            }""",
            [feed, init],
        )
        assert answer == [200, 2], init
    answer = page.evaluate(
        "async (url) => { const r = await fetch(url); return [r.status, r.url]; }", feed + "/"
    )
    assert answer == [200, feed]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_embed_frame_takes_the_theme_asked_and_auto_the_readers(
    live_server: LiveServer, page: Page, add_articles: AddArticles, scheme: Literal["light", "dark"]
) -> None:
    """theme=light and theme=dark hold whatever the reader prefers (the partner's page chose);
    theme=auto follows the reader's preference, for a partner page that follows it too (a
    review: a dark partner page could only have a light frame, or a dark one for every
    reader)."""
    add_articles("people-daily", 2)
    page.emulate_media(color_scheme=scheme)
    backgrounds = {}
    for theme in ("light", "dark", "auto"):
        page.goto(f"{live_server.url}/embed/world?theme={theme}&images=0")
        backgrounds[theme] = page.evaluate(
            "[getComputedStyle(document.body).backgroundColor,"
            " getComputedStyle(document.querySelector('a.embed-title')).color,"
            " getComputedStyle(document.documentElement).colorScheme]"
        )
    white, black = "rgb(255, 255, 255)", "rgb(21, 23, 26)"
    assert backgrounds["light"][:2] == [white, "rgb(27, 29, 33)"]
    assert backgrounds["dark"][:2] == [black, "rgb(232, 233, 235)"]
    assert backgrounds["auto"][:2] == backgrounds[scheme][:2]
    assert [backgrounds[theme][2] for theme in ("light", "dark")] == ["light", "dark"]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_partner_example_with_both_embeds_passes_axe(
    live_server: LiveServer,
    page: Page,
    add_articles: AddArticles,
    feed_server: FeedServer,
    images: tuple[str, str],
    scheme: Literal["light", "dark"],
) -> None:
    """What embed.js writes into a partner's page, and the iframe in it, by axe-core's rules
    (the example page partners copy included: it had no main landmark)."""
    page.emulate_media(color_scheme=scheme)
    add_articles("people-daily", 4, thumbnail=images[0])
    add_articles("mixed", 1, title="أعلنت شركة Apple عن iPhone 16!", language="ar")
    page.goto(partner_page(live_server, feed_server))
    expect(page.locator("#script-embed")).to_have_attribute("data-aggregator-state", "ready")
    expect(page.frame_locator("#iframe-embed").locator("a.embed-title")).to_have_count(5)
    violations = Axe().run(page).response["violations"]
    assert [(v["id"], v["nodes"][0]["html"][:200]) for v in violations] == []


def test_the_script_embed_writes_right_to_left_items_right_to_left(
    live_server: LiveServer,
    page: Page,
    add_articles: AddArticles,
    feed_server: FeedServer,
) -> None:
    add_articles("people-daily", 1, title="Election results", language="en")
    add_articles("people-daily", 2, title="نتائج الانتخابات 123 ABC", language="ar")
    add_articles("people-daily", 1, title="No language of its own", language=None)
    # An English title of an Arabic article (its language read from its body): its own letters
    # lay it out, and no Arabic voice reads it.
    add_articles("people-daily", 1, title="Super Market Opening", language="ar")
    feed = json.loads(urllib.request.urlopen(f"{live_server.url}/c/world/feed.json").read())
    page.goto(partner_page(live_server, feed_server))
    script_embed = page.locator("#script-embed")
    expect(script_embed).to_have_attribute("data-aggregator-state", "ready")
    # An item without a language takes the feed's, else none: never the partner page's "en".
    untold = script_embed.locator("a.aggregator-embed-link", has_text="No language of its own")
    expect(untold).to_have_attribute("lang", feed.get("language", ""))
    other = script_embed.locator("a.aggregator-embed-link", has_text="Super Market Opening")
    expect(other).to_have_attribute("lang", "")
    expect(other).to_have_attribute("dir", "auto")
    assert other.evaluate("a => getComputedStyle(a).direction") == "ltr"
    items = script_embed.locator(
        "li.aggregator-embed-item:not(:has-text('No language')):not(:has-text('Super Market'))"
    )
    expect(items).to_have_count(3)  # (the partner page shows 5)
    # The article's language and direction are its title's, not the source name's and time's.
    written = items.evaluate_all(
        """items => items.map((li) => {
            const a = li.querySelector("a");
            return [a.lang, a.dir, getComputedStyle(a).direction, li.lang, li.dir];
        })"""
    )
    assert sorted(map(tuple, written)) == [("ar", "rtl", "rtl", "", "")] * 2 + [
        ("en", "ltr", "ltr", "", "")
    ]


# Firefox computes an <li>'s text-align (its default, match-parent) as the side its list
# starts on, "left" in a left-to-right list, where Chromium keeps "start"; its blocks inherit
# that side, whatever their own direction. The lists are given that value to stand for it.
AS_FIREFOX = "<style>.aggregator-embed-item { text-align: left }</style>"


@pytest.mark.parametrize("extra", ["", AS_FIREFOX], ids=["chromium", "firefox-lists"])
def test_the_script_embeds_wrapped_right_to_left_title_lines_up_on_the_right(
    live_server: LiveServer,
    page: Page,
    add_articles: AddArticles,
    feed_server: FeedServer,
    extra: str,
) -> None:
    """An Arabic title, an inline link in the partner's left-to-right item, had its wrapped
    lines aligned as the item's, to the left: its last line began mid-line (a review, on the
    example partner page at a phone's width). Its link is a block when it runs the other way
    than its item, so its lines line up on its own side; a title running the item's way is left
    to the partner's CSS (inline here). In Firefox the block still took its item's "left" (a
    review): it is aligned to its own start then."""
    arabic = "مجلس الأمن يعقد جلسة طارئة لبحث تطورات الأوضاع الإنسانية في المنطقة بعد موجة النزوح"
    add_articles("people-daily", 1, title="Election results", language="en")
    add_articles("people-daily", 1, title=arabic, language="ar")
    add_articles("people-daily", 1, title="بدون لغة: " + arabic, language=None)  # dir="auto"
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(partner_page(live_server, feed_server, extra))
    script_embed = page.locator("#script-embed")
    expect(script_embed).to_have_attribute("data-aggregator-state", "ready")
    lines = script_embed.locator("a.aggregator-embed-link").evaluate_all(
        """links => links.map((a) => {
            const item = a.parentElement.getBoundingClientRect();
            const range = document.createRange();
            range.selectNodeContents(a);
            const rects = Array.from(range.getClientRects());
            const gaps = rects.map((r) => Math.round(a.dir === "ltr" ? r.left - item.left
                                                                      : item.right - r.right));
            return [a.dir, getComputedStyle(a).display, rects.length > 1, Math.max(...gaps)];
        })"""
    )
    assert sorted(map(tuple, lines)) == [
        ("auto", "block", True, 0),
        ("ltr", "inline", False, 0),
        ("rtl", "block", True, 0),
    ]
    screenshot(page, "partner-rtl-title-390")


def test_the_script_embed_credits_a_story_to_each_of_its_sources(
    live_server: LiveServer,
    page: Page,
    add_articles: AddArticles,
    feed_server: FeedServer,
    store: Store,
) -> None:
    """As our cards and the iframe do: the script named the original's source alone."""
    (original,) = add_articles("people-daily", 1, title="Bridge approved", content=STORY_BODY)
    (copy,) = add_articles(
        "mixed", 1, content=STORY_BODY, published=original.published + timedelta(hours=2)
    )
    (alone,) = add_articles("mixed", 1, title="A story of its own")
    for each in (original, copy, alone):
        join_stories(store, [each], 7.0, datetime.now(UTC))
    page.goto(partner_page(live_server, feed_server))
    script_embed = page.locator("#script-embed")
    expect(script_embed).to_have_attribute("data-aggregator-state", "ready")
    story = script_embed.locator("li.aggregator-embed-item", has_text="Bridge approved")
    expect(story).to_have_count(1)
    expect(story.locator("bdi.aggregator-embed-source")).to_have_text(
        ["人民日报", "Mixed Bag & Co"]
    )
    expect(story.locator(".aggregator-embed-meta")).to_contain_text("人民日报, Mixed Bag & Co · ")
    single = script_embed.locator("li.aggregator-embed-item", has_text="A story of its own")
    expect(single.locator("bdi.aggregator-embed-source")).to_have_text(["Mixed Bag & Co"])


def test_the_script_embed_says_the_language_of_a_source_s_name_in_another_script(
    live_server: LiveServer, page: Page, add_articles: AddArticles, feed_server: FeedServer
) -> None:
    """The pages and the iframe say "人民日报" is Chinese (h12); embed.js wrote it with no lang
    in the partner's English page: read with an English voice, drawn in whichever CJK face came
    first. A name not in its article's script ("Mixed Bag & Co" over Korean) says nothing."""
    add_articles("people-daily", 1, title="Bridge approved", language="zh-CN")
    add_articles("mixed", 1, title="국회 예산안 통과 발표", language="ko")
    page.goto(partner_page(live_server, feed_server))
    script_embed = page.locator("#script-embed")
    expect(script_embed).to_have_attribute("data-aggregator-state", "ready")
    names = script_embed.locator("bdi.aggregator-embed-source")
    expect(names).to_have_count(2)
    found = names.evaluate_all("all => all.map((b) => [b.textContent, b.getAttribute('lang')])")
    assert sorted(found) == [["Mixed Bag & Co", None], ["人民日报", "zh-CN"]]


def test_the_script_embed_says_the_language_of_every_source_name_of_a_story(
    live_server: LiveServer,
    page: Page,
    add_articles: AddArticles,
    feed_server: FeedServer,
    store: Store,
) -> None:
    """Only the item's own source's name had a lang: "人民日报", credited on an English story
    whose original was another source's, was read with the partner page's English voice. Its
    feed's `_story.also` now says each name's language (here the one its source's articles were
    in when last read), and embed.js puts it on the name."""
    store.save_state(replace(store.get_state("people-daily"), language="zh-Hans"))
    english = {"language": "en", "content": STORY_BODY}
    (original,) = add_articles("mixed", 1, title="Bridge approved", **english)
    (copy,) = add_articles(
        "people-daily", 1, published=original.published + timedelta(hours=2), **english
    )
    for each in (original, copy):
        join_stories(store, [each], 7.0, datetime.now(UTC))
    page.goto(partner_page(live_server, feed_server))
    script_embed = page.locator("#script-embed")
    expect(script_embed).to_have_attribute("data-aggregator-state", "ready")
    names = script_embed.locator("bdi.aggregator-embed-source")
    expect(names).to_have_count(2)
    found = names.evaluate_all("all => all.map((b) => [b.textContent, b.getAttribute('lang')])")
    assert found == [["Mixed Bag & Co", None], ["人民日报", "zh-Hans"]]


@pytest.mark.parametrize("site_language", ["he"])
@pytest.mark.parametrize("as_firefox", [False, True], ids=["chromium", "firefox-lists"])
def test_the_embed_frame_starts_each_title_on_its_own_side(
    live_server: LiveServer, page: Page, add_articles: AddArticles, as_firefox: bool
) -> None:
    """On a Hebrew site, the frame set an English title's dir="ltr" on an inline span, and the
    title stayed aligned to the right (a review). Its direction is now on the title's block: an
    English title starts at the left, a Hebrew one at the right, our meta line the page's way.
    An English title of a Persian article is laid out by its own letters. In Firefox, whose
    items computed their side ("right" here, AS_FIREFOX), the titles took it (a review)."""
    add_articles("people-daily", 1, title="Election results in the north", language="en")
    add_articles("people-daily", 1, title="תוצאות הבחירות בצפון הארץ", language="he")
    add_articles("people-daily", 1, title="Super Market Opening", language="fa")
    page.goto(f"{live_server.url}/embed/world?images=0")
    if as_firefox:  # (through the CSSOM: the page's policy refuses a <style>)
        side = "all => all.forEach((li) => { li.style.textAlign = 'right'; })"
        page.locator("li").evaluate_all(side)
    sides = page.locator("a.embed-title").evaluate_all(
        """links => links.map((a) => {
            const box = a.getBoundingClientRect();
            const range = document.createRange();
            range.selectNodeContents(a.firstChild);  // the title's text, not the hidden words
            const text = range.getBoundingClientRect();
            const side =
                text.left - box.left < 2 ? "left" : box.right - text.right < 2 ? "right" : "?";
            const meta = a.parentElement.querySelector(".meta").getBoundingClientRect();
            const metaText = document.createRange();
            metaText.selectNodeContents(a.parentElement.querySelector(".meta"));
            const metaRight = metaText.getBoundingClientRect().right;
            const metaSide = meta.right - metaRight < 2 ? "right" : "left";
            return [a.firstChild.textContent, a.dir, side, metaSide];
        })"""
    )
    assert sorted(map(tuple, sides)) == [
        ("Election results in the north", "ltr", "left", "right"),
        ("Super Market Opening", "auto", "left", "right"),
        ("תוצאות הבחירות בצפון הארץ", "", "right", "right"),
    ]


def test_chromium_reads_the_picture_addresses_as_the_sanitizer_does(page: Page) -> None:
    """Every address the sanitizer takes for one on a reader's own network, Chromium reads as a
    private, loopback or local host; every one it keeps, as a public one (the sanitizer's test
    lists, checked against the browser that loads them)."""
    page.set_content("<p>urls</p>")
    read = page.evaluate(
        """urls => urls.map((u) => {
            try { return new URL(u).hostname } catch (e) { return "" }
        })""",
        [*READERS_NETWORK, *PUBLIC_PICTURES],
    )
    hosts = dict(zip([*READERS_NETWORK, *PUBLIC_PICTURES], read, strict=True))

    def local(host: str) -> bool:
        name = host.strip("[]").rstrip(".")
        try:
            return address_problem(ipaddress.ip_address(name)) is not None
        except ValueError:
            return "." not in name or name.endswith(LOCAL_SUFFIXES) or name == "localhost"

    assert [u for u in READERS_NETWORK if not local(hosts[u])] == []
    assert [u for u in PUBLIC_PICTURES if local(hosts[u])] == []


def test_a_right_to_left_source_name_keeps_the_time_after_it(
    live_server: LiveServer, page: Page, add_articles: AddArticles, feed_server: FeedServer
) -> None:
    """ "مصدر عربي · 23 hours ago" showed "23 · مصدر عربي hours ago": the time's number joined the
    name's right-to-left run. Each surface isolates the name: the name, then its time."""
    add_articles("mixed", 3, source_name="مصدر عربي", author="محمد")  # (tech and world)
    page.goto(partner_page(live_server, feed_server))
    surfaces = {
        "category card": (page, f"{live_server.url}/c/tech/?sort=latest", ".card .meta"),
        "iframe embed": (page, f"{live_server.url}/embed/tech", ".meta"),
        "article page": (page, "", ".story-meta"),
    }
    for name, (_, url, selector) in surfaces.items():
        if url:
            page.goto(url)
        else:
            page.goto(f"{live_server.url}/c/tech/?sort=latest")
            page.locator(".card-title a").first.click()
        meta = page.locator(selector).first
        order = meta.evaluate(
            """(meta) => {
                const name = meta.querySelector(".meta-source").getBoundingClientRect();
                const time = meta.querySelector("time");
                return [name.right <= time.getBoundingClientRect().left + 0.5,
                        time.getClientRects().length];
            }"""
        )
        assert order == [True, 1], name
    page.goto(partner_page(live_server, feed_server))
    script_embed = page.locator("#script-embed")
    expect(script_embed).to_have_attribute("data-aggregator-state", "ready")
    order = script_embed.locator(".aggregator-embed-meta").first.evaluate(
        """(meta) => [meta.querySelector("bdi").getBoundingClientRect().right
                      <= meta.querySelector("time").getBoundingClientRect().left + 0.5,
                      meta.querySelector("time").getClientRects().length]"""
    )
    assert order == [True, 1]


def test_the_script_embed_writes_an_old_time_as_its_date_in_the_pages_language(
    live_server: LiveServer, page: Page, add_articles: AddArticles, feed_server: FeedServer
) -> None:
    """It wrote "6年前" ("6 years ago") where the iframe wrote "Dec 17, 2020": no cut-off, and
    the feed's language (a Chinese category's) on a partner's English page."""
    now = datetime.now(UTC).replace(microsecond=0)
    old = now - timedelta(days=20)
    add_articles("people-daily", 1, title="Old news", published=old, updated=old)
    add_articles("people-daily", 1, title="New news", published=now - timedelta(hours=2))
    # A day without a time (read at its noon): its day, as the pages show it.
    noon = (now - timedelta(days=1)).replace(hour=12, minute=0, second=0)
    add_articles("people-daily", 1, title="Day news", published=noon, updated=noon, day_only=True)
    page.goto(partner_page(live_server, feed_server))
    script_embed = page.locator("#script-embed")
    expect(script_embed).to_have_attribute("data-aggregator-state", "ready")
    times = dict(
        script_embed.locator("li.aggregator-embed-item").evaluate_all(
            "items => items.map((li) => [li.querySelector('a').textContent,"
            " li.querySelector('time').textContent])"
        )
    )
    assert times["Old news"] == f"{old:%b} {old.day}, {old.year}"
    assert times["New news"] == "2 hours ago"
    assert times["Day news"] == f"{noon:%b} {noon.day}, {noon.year}"
    day = script_embed.locator("li.aggregator-embed-item", has_text="Day news").locator("time")
    expect(day).to_have_attribute("datetime", noon.date().isoformat())


def test_the_partner_example_stays_in_a_phones_width_with_a_long_word(
    live_server: LiveServer, page: Page, add_articles: AddArticles, feed_server: FeedServer
) -> None:
    """A title of one long word widened the example partner page to 4,573 px at 360 (a review):
    the example's CSS, which partners copy, lets it wrap."""
    add_articles("people-daily", 1, title="W" * 400)
    page.set_viewport_size({"width": 360, "height": 640})
    page.goto(partner_page(live_server, feed_server))
    expect(page.locator("#script-embed")).to_have_attribute("data-aggregator-state", "ready")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_the_script_embed_asks_for_a_limit_our_feeds_keep_rendered(
    live_server: LiveServer,
    page: Page,
    add_articles: AddArticles,
    feed_server: FeedServer,
) -> None:
    # data-limit="3" asked for ?limit=3, which every request rendered again.
    add_articles("people-daily", 8)
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    three = '<div id="three" data-aggregator-category="world" data-limit="3"></div>\n'
    page.goto(partner_page(live_server, feed_server, three))
    embed = page.locator("#three")
    expect(embed).to_have_attribute("data-aggregator-state", "ready")
    expect(embed.locator("a.aggregator-embed-link")).to_have_count(3)
    feeds = [url for url in asked if "/feed.json" in url]
    assert f"{live_server.url}/c/world/feed.json?limit=5" in feeds
    assert not [url for url in feeds if url.endswith("limit=3")]


def test_the_script_embed_fills_a_div_the_page_adds_later(
    live_server: LiveServer,
    page: Page,
    add_articles: AddArticles,
    feed_server: FeedServer,
) -> None:
    """A single-page app adding its div after embed.js ran kept the fallback for good (a
    review): the div is filled when it appears, once, and so is one added after that."""
    add_articles("people-daily", 6)
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    page.goto(partner_page(live_server, feed_server))
    expect(page.locator("#script-embed")).to_have_attribute("data-aggregator-state", "ready")
    for view in ("first-view", "second-view"):
        page.evaluate(
            """(id) => { const view = document.createElement("section");
                view.innerHTML = `<div id="${id}" data-aggregator-category="world"
                    data-limit="5"><a href="/">Fallback</a></div>`;
                document.body.appendChild(view); }""",
            view,
        )
        added = page.locator(f"#{view}")
        expect(added).to_have_attribute("data-aggregator-state", "ready")
        expect(added.locator("a.aggregator-embed-link")).to_have_count(5)
        expect(added.get_by_text("Fallback")).to_have_count(0)
    # Each div was fetched for once: its own rendering added nodes, and asked for nothing.
    page.wait_for_timeout(300)
    world = [url for url in asked if "/c/world/feed.json" in url]
    assert len(world) == 3, world  # the partner page's own div, then the two added


# When a component fills its shadow root: as it is connected, or after (Lit and Stencil render
# in a microtask, others on a timer).
_FILLS = {"now": "{}", "microtask": "Promise.resolve().then(() => {{ {} }})",
          "timer": "setTimeout(() => {{ {} }}, 50)"}  # fmt: skip


@pytest.mark.parametrize(
    ("late", "fill"), [(False, "now"), (True, "now"), (True, "microtask"), (False, "timer")]
)
def test_the_embeds_work_inside_a_partners_web_component(
    live_server: LiveServer,
    page: Page,
    add_articles: AddArticles,
    feed_server: FeedServer,
    images: tuple[str, str],
    late: bool,
    fill: str,
) -> None:
    """A partner's web component holding our div and iframe in its shadow root: the div kept
    its fallback and the frame its 100 px (a document's queries do not enter shadow roots),
    whether the component was on the page before embed.js ran or added after, and whether it
    filled its root as it was connected or later (a review: Lit's, in a microtask, never was)."""
    add_wrapping_headlines(add_articles, images[0])
    page.set_viewport_size({"width": 390, "height": 844})
    markup = (
        'root.innerHTML = \'<div data-aggregator-category="world" data-limit="3">'
        '<a href="/">Fallback</a></div><iframe title="World" style="width:100%;'
        f'height:100px;border:0" src="{live_server.url}/embed/world?limit=5"></iframe>\';'
    )
    component = (
        "<script>customElements.define('partner-news', class extends HTMLElement {"
        " connectedCallback() { const root = this.attachShadow({mode: 'open'});"
        f" {_FILLS[fill].format(markup)} }}"
        " });</script>"
    )
    host = "" if late else "<partner-news></partner-news>"
    document = (
        f"<!doctype html><html lang='en'><body>{host}{component}"
        f'<script src="{live_server.url}/embed.js" async></script></body></html>'
    )
    partner = feed_server.add(
        f"/web-component-{late}.html", document.encode(), content_type="text/html"
    )
    page.goto(partner)
    if late:
        page.wait_for_function("window.__aggregatorEmbedWatching === true")
        page.evaluate("document.body.appendChild(document.createElement('partner-news'))")
    div = page.locator("partner-news div[data-aggregator-category]")
    expect(div).to_have_attribute("data-aggregator-state", "ready")
    expect(div.locator("a.aggregator-embed-link")).to_have_count(3)
    iframe = page.locator("partner-news iframe")
    page.wait_for_function(
        "document.querySelector('partner-news').shadowRoot.querySelector('iframe')"
        ".getBoundingClientRect().height > 200"
    )
    fitted_frame(iframe)
    # Its options changed later are seen, as a div's on the page.
    page.evaluate(
        "document.querySelector('partner-news').shadowRoot"
        ".querySelector('div[data-aggregator-category]').setAttribute('data-limit', '2')"
    )
    expect(div.locator("a.aggregator-embed-link")).to_have_count(2)


def test_the_script_embed_follows_a_div_whose_options_the_page_changes(
    live_server: LiveServer,
    page: Page,
    add_articles: AddArticles,
    feed_server: FeedServer,
) -> None:
    """A framework reusing one div for the next view's category showed the first category for
    good, and a div given its category after it was in the page was never filled (a review)."""
    world = {a.title for a in add_articles("people-daily", 4)}
    tech = {a.title for a in add_articles("hacker-blog", 4)}
    page.goto(partner_page(live_server, feed_server))
    expect(page.locator("#script-embed")).to_have_attribute("data-aggregator-state", "ready")
    page.evaluate(
        """() => { const div = document.createElement("div");
            div.id = "reused"; div.innerHTML = '<a href="/">Fallback</a>';
            document.body.appendChild(div);
            setTimeout(() => div.setAttribute("data-aggregator-category", "world"), 50); }"""
    )
    reused = page.locator("#reused")
    links = reused.locator("a.aggregator-embed-link")

    def shown() -> set[str]:
        expect(reused).to_have_attribute("data-aggregator-state", "ready")
        return set(links.all_inner_texts())

    expect(links).to_have_count(4)
    assert shown() == world
    reused.evaluate("div => div.setAttribute('data-aggregator-category', 'tech')")
    expect(links.first).to_have_text(re.compile("|".join(map(re.escape, tech))))
    assert shown() == tech
    reused.evaluate("div => div.setAttribute('data-limit', '2')")
    expect(links).to_have_count(2)
    assert shown() < tech
    # A category that fails to load shows no other category's list in its place.
    reused.evaluate("div => div.setAttribute('data-aggregator-category', 'no-such-category')")
    expect(reused).to_have_attribute("data-aggregator-state", "error")
    expect(links).to_have_count(0)


def test_the_script_embed_asks_an_https_page_s_pictures_over_https(
    live_server: LiveServer,
    page: Page,
    add_articles: AddArticles,
    images: tuple[str, str],
) -> None:
    """A partner's `img-src https:` refused the quarter of a category's pictures that were
    http: (a review); browsers upgrade mixed-content pictures themselves, after that check."""
    assert images[0].startswith("http://")
    add_articles("people-daily", 3, thumbnail=images[0])
    # The partner's page and our site at https addresses: Playwright answers for both, ours
    # with what the live server answers.
    ours = "https://aggregator.example"
    document = PARTNER_PAGE.read_text(encoding="utf-8").replace(PLACEHOLDER, ours)
    page.route(
        "https://partner.example/news.html",
        lambda route: route.fulfill(body=document, content_type="text/html"),
    )
    page.route(
        f"{ours}/**",
        lambda route: route.fulfill(
            response=route.fetch(url=live_server.url + route.request.url.removeprefix(ours))
        ),
    )
    # The picture's host over https too (the loopback server speaks no TLS: a picture that fails
    # to load is taken away, and there would be no src left to look at).
    upgraded = "https://" + images[0].removeprefix("http://")
    page.route(upgraded, lambda route: route.fulfill(body=png(320, 180), content_type="image/png"))
    page.goto("https://partner.example/news.html")
    embed = page.locator("#script-embed")
    expect(embed).to_have_attribute("data-aggregator-state", "ready")
    sources = embed.locator("img.aggregator-embed-thumb").evaluate_all(
        "images => images.map((i) => i.getAttribute('src'))"
    )
    assert sources == [upgraded] * 3


def rendered_fonts(page: Page, selector: str) -> dict[str, int]:
    """The fonts Chromium really drew the element's text with (family -> glyphs), not the CSS."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    return {f["familyName"]: f["glyphCount"] for f in fonts}


@pytest.mark.parametrize("site_language", ["en", "zh-CN"])
def test_latin_text_never_takes_a_cjk_face(
    live_server: LiveServer, page: Page, add_articles: AddArticles, site_language: str
) -> None:
    # An English article's apostrophes were drawn full-width ("country’ s") by a CJK serif face.
    english_text = "The country’s “first” woman to head a government — it’s history."
    (english,) = add_articles(
        "hacker-blog",
        1,
        title=english_text,
        summary=english_text,
        content=f"<p>{english_text}</p>",
        language="en",
    )
    chinese_text = "这是“中文”文章的正文，国家的‘第一位’女性领导人。"
    (chinese,) = add_articles(
        "people-daily",
        1,
        title="国家的“第一位”女性领导人",
        content=f"<p>{chinese_text}</p>",
        language="zh-CN",
        thumbnail="",
    )

    page.goto(f"{live_server.url}/a/{english.id}")
    assert (
        page.evaluate("document.querySelector('.story h1').lang || document.documentElement.lang")
        == "en"
    )
    family = page.evaluate(
        "getComputedStyle(document.querySelector('.story-content p')).fontFamily"
    )
    assert "CJK" not in family.split(",")[0], family
    for part in (".story-content p", ".story h1", ".breadcrumb [aria-current=page]"):
        drawn = rendered_fonts(page, part)
        assert drawn, part
        assert not [f for f in drawn if "CJK" in f], (part, drawn)
    screenshot(page, f"article-en-site-{site_language}")

    page.goto(f"{live_server.url}/a/{chinese.id}")
    drawn = rendered_fonts(page, ".story-content p")
    assert [f for f in drawn if "CJK" in f], drawn  # Chinese text and punctuation: a CJK face
    screenshot(page, f"article-zh-site-{site_language}")

    page.goto(f"{live_server.url}/c/tech/")  # English cards on a page in the site language
    drawn = rendered_fonts(page, f'.card-title a[href="/a/{english.id}"]')
    assert drawn
    assert not [f for f in drawn if "CJK" in f], drawn


def test_arabic_script_and_hebrew_take_their_own_faces(
    live_server: LiveServer, page: Page, add_articles: AddArticles
) -> None:
    """An Urdu article's text was set in the Latin serif stack: empty boxes where the browser had
    no fallback, and never the Nastaliq Urdu readers expect (a review)."""
    arabic = {"Geeza Pro", "Noto Naskh Arabic"}  # (sans for titles, serif for text)
    expected = {
        "ur": {"Noto Nastaliq Urdu"},
        "ar": arabic,
        "fa": arabic,
        "he": {"Arial Hebrew", "Noto Serif Hebrew"},
    }
    # Urdu's own letters (ہ, ے, ۔) are what sent the whole run to the Latin face.
    texts = {
        "ur": "پاکستان کی ٹیم نے آج بہترین کارکردگی دکھائی ہے اور سب کو حیران کر دیا ہے۔",
        "ar": "أعلنت الحكومة اليوم عن ميزانية العام المقبل.",
        "fa": "دولت امروز بودجه سال آینده را اعلام کرد.",
        "he": "הממשלה הודיעה היום על התקציב לשנה הבאה.",
    }
    for language, faces in expected.items():
        (article,) = add_articles(
            "hacker-blog", 1, title="خبر", content=f"<p>{texts[language]}</p>", language=language
        )
        page.goto(f"{live_server.url}/a/{article.id}")
        for part in (".story-content p", ".story h1"):
            family = page.evaluate(f"getComputedStyle(document.querySelector('{part}')).fontFamily")
            stack = [f.strip().strip('"') for f in family.split(",")]
            assert stack[0] in faces, (language, part, family)
            # Drawn, where none of those faces is installed, with one that writes the script:
            # Chromium drew an Urdu article's text with the generic serif, a Latin face here,
            # nearly every letter a box (a review).
            # (A space may come from a Latin face before it: nothing to see.)
            if writers := _faces_writing("05d0" if language == "he" else "0627"):
                drawn = rendered_fonts(page, part)
                stray = sum(n for face, n in drawn.items() if face not in writers)
                text = page.locator(part).inner_text()
                assert drawn
                assert stray <= text.count(" "), (language, part, drawn)


def _faces_writing(code_point: str) -> set[str]:
    """The installed font families that have this character (fontconfig), or none known."""
    try:
        listed = subprocess.run(
            ["fc-list", f":charset={code_point}", "family"],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return set()
    return {name.strip() for line in listed.splitlines() for name in line.split(",")}


def add_wrapping_headlines(add_articles: AddArticles, thumbnail: str) -> None:
    """Eight articles whose headlines wrap on a phone, as real ones do."""
    headline = "Italy braces for a sharp move to the right after the election's voting closes"
    add_articles("people-daily", 8, thumbnail=thumbnail, title=headline, language="en")


def fitted_frame(iframe: Locator) -> Frame:
    """The iframe's document, after checking the iframe shows all of it (no inner scrolling)."""
    frame = iframe.element_handle().content_frame()
    assert frame is not None
    content = frame.evaluate("document.documentElement.scrollHeight")
    visible = frame.evaluate("document.documentElement.clientHeight")
    assert content <= visible, (content, visible)
    return frame


def test_the_partner_pages_iframe_shows_every_item_and_the_more_link(
    live_server: LiveServer,
    page: Page,
    add_articles: AddArticles,
    feed_server: FeedServer,
    images: tuple[str, str],
) -> None:
    # The example's iframe clipped its last item and the "More" link (real headlines wrap).
    add_wrapping_headlines(add_articles, images[0])
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(partner_page(live_server, feed_server))
    frame_links = page.frame_locator("#iframe-embed").locator("a.embed-title")
    expect(frame_links).to_have_count(5)
    iframe = page.locator("#iframe-embed")
    iframe.scroll_into_view_if_needed()
    frame = fitted_frame(iframe)
    screenshot(page, "partner-iframe")
    more = frame.locator(".embed-more a")
    box, frame_box = more.bounding_box(), iframe.bounding_box()
    assert box is not None
    assert frame_box is not None
    assert box["y"] + box["height"] <= frame_box["y"] + frame_box["height"]


def test_the_iframe_shrinks_to_its_content_and_the_partner_page_logs_nothing(
    live_server: LiveServer, page: Page, add_articles: AddArticles, feed_server: FeedServer
) -> None:
    """A frame given more height than its list (or made taller on a narrow screen) only grew;
    and embed.js posted to a lazy frame still on about:blank, which logged a warning."""
    add_articles("people-daily", 1)
    messages: list[str] = []
    page.on("console", lambda message: messages.append(message.text))
    page.set_viewport_size({"width": 1100, "height": 900})
    page.goto(partner_page(live_server, feed_server, extra="<style>iframe{height:60rem}</style>"))
    iframe = page.locator("#iframe-embed")
    iframe.scroll_into_view_if_needed()
    page.wait_for_function(
        "document.getElementById('iframe-embed').getBoundingClientRect().height < 400"
    )
    frame = fitted_frame(iframe)
    content = frame.evaluate("document.body.getBoundingClientRect().height")
    assert abs(iframe.bounding_box()["height"] - content) <= 40  # type: ignore[index]
    assert not [m for m in messages if "postMessage" in m], messages


@pytest.mark.parametrize("box", ["content-box", "border-box"])
def test_the_iframe_is_sized_inside_the_partners_padding_and_border(
    live_server: LiveServer,
    page: Page,
    add_articles: AddArticles,
    feed_server: FeedServer,
    images: tuple[str, str],
    box: str,
) -> None:
    # A partner's reset (`*, *::before, *::after { box-sizing: border-box }`, most sites') with
    # a padded frame: embed.js counted its borders, not its padding, and the list's last 20 px
    # (the "More" link) were cut off behind an inner scroll bar.
    add_wrapping_headlines(add_articles, images[0])
    page.set_viewport_size({"width": 390, "height": 844})
    css = f"<style>*{{box-sizing:{box}}} iframe{{border:3px solid;padding:10px 0}}</style>"
    page.goto(partner_page(live_server, feed_server, extra=css))
    iframe = page.locator("#iframe-embed")
    iframe.scroll_into_view_if_needed()
    expect(iframe).to_have_attribute("style", re.compile(r"height: \d+px"))
    frame = fitted_frame(iframe)
    content = frame.evaluate("document.body.getBoundingClientRect().height")
    inner = frame.evaluate("window.innerHeight")
    assert inner >= content - 1, (inner, content)
    assert inner <= content + 2, (inner, content)  # (and no taller than its content)


def test_the_iframe_is_sized_when_embed_js_comes_after_it_loaded(
    live_server: LiveServer,
    page: Page,
    add_articles: AddArticles,
    feed_server: FeedServer,
    images: tuple[str, str],
) -> None:
    # embed.js is loaded async: when it ran after the frame had loaded, the frame's height had
    # gone to no one, and the iframe kept the partner's height, its list cut off.
    add_wrapping_headlines(add_articles, images[0])
    page.set_viewport_size({"width": 390, "height": 844})
    late = (
        "<script>document.getElementById('iframe-embed').addEventListener('load', () =>"
        " setTimeout(() => { const s = document.createElement('script');"
        f" s.src = '{live_server.url}/embed.js'; document.body.appendChild(s);"
        " window.embedJsAdded = true; }, 500));</script>"
    )
    document = PARTNER_PAGE.read_text(encoding="utf-8").replace(PLACEHOLDER, live_server.url)
    document = document.replace('loading="lazy"', "")
    script = f'<script src="{live_server.url}/embed.js" async></script>'
    assert script in document
    late_page = document.replace(script, late).encode()
    page.goto(feed_server.add("/late.html", late_page, content_type="text/html"))
    page.wait_for_function("window.embedJsAdded === true")
    iframe = page.locator("#iframe-embed")
    expect(iframe).to_have_attribute("style", re.compile(r"height: \d+px"))
    fitted_frame(iframe)


@pytest.mark.parametrize("late", [False, True])
def test_a_sandboxed_iframe_is_sized_too(
    live_server: LiveServer,
    page: Page,
    add_articles: AddArticles,
    feed_server: FeedServer,
    images: tuple[str, str],
    late: bool,
) -> None:
    """A partner's `sandbox` without allow-same-origin gives the frame an opaque origin: its
    height came from origin "null", which embed.js did not believe, and embed.js's question to
    it (addressed to our origin) was refused with a warning, so the list stayed cut off."""
    add_wrapping_headlines(add_articles, images[0])
    messages: list[str] = []
    page.on("console", lambda message: messages.append(message.text))
    page.set_viewport_size({"width": 390, "height": 844})
    document = PARTNER_PAGE.read_text(encoding="utf-8").replace(PLACEHOLDER, live_server.url)
    sandboxed = '<iframe sandbox="allow-scripts allow-popups allow-popups-to-escape-sandbox"'
    document = document.replace('loading="lazy"', "").replace("<iframe", sandboxed)
    if late:  # embed.js runs after the frame has sent its height: it must ask for it
        script = f'<script src="{live_server.url}/embed.js" async></script>'
        late_script = (
            "<script>document.getElementById('iframe-embed').addEventListener('load', () =>"
            " setTimeout(() => { const s = document.createElement('script');"
            f" s.src = '{live_server.url}/embed.js'; document.body.appendChild(s); }}, 500));"
            "</script>"
        )
        document = document.replace(script, late_script)
    partner = feed_server.add(f"/sandbox-{late}.html", document.encode(), content_type="text/html")
    page.goto(partner)
    iframe = page.locator("#iframe-embed")
    expect(iframe).to_have_attribute("style", re.compile(r"height: \d+px"))
    fitted_frame(iframe)
    assert not [m for m in messages if "postMessage" in m], messages


def test_another_sandboxed_frame_on_the_partner_page_cannot_size_ours(
    live_server: LiveServer,
    page: Page,
    add_articles: AddArticles,
    feed_server: FeedServer,
    images: tuple[str, str],
) -> None:
    """embed.js believes a height from origin "null" (a sandboxed frame of ours): another
    sandboxed frame on the partner's page (an ad's) sends from "null" too, and must not size
    ours, nor any other frame of the page (a hostile-clients review)."""
    add_wrapping_headlines(add_articles, images[0])
    page.set_viewport_size({"width": 390, "height": 844})
    document = PARTNER_PAGE.read_text(encoding="utf-8").replace(PLACEHOLDER, live_server.url)
    sandboxed = '<iframe sandbox="allow-scripts allow-popups allow-popups-to-escape-sandbox"'
    document = document.replace('loading="lazy"', "").replace("<iframe", sandboxed)
    # Posts a height of 7 px to its parent 50 times a second, as ours would post its own.
    spoof = (
        "<script>setInterval(() => parent.postMessage("
        "{type: 'aggregator-embed-height', height: 7}, '*'), 20)</script>"
    )
    ad = '<iframe id="ad" sandbox="allow-scripts" style="height:50px"'
    ad += f' srcdoc="{html.escape(spoof)}"></iframe>'
    document = document.replace("</body>", ad + "</body>")
    page.goto(feed_server.add("/spoof.html", document.encode(), content_type="text/html"))
    iframe = page.locator("#iframe-embed")
    expect(iframe).to_have_attribute("style", re.compile(r"height: \d+px"))
    page.wait_for_timeout(500)  # (25 spoofed messages)
    fitted_frame(iframe)
    height = iframe.bounding_box()["height"]  # type: ignore[index]
    assert height > 100, height
    assert page.locator("#ad").get_attribute("style") == "height:50px"  # (its own, as written)


def test_players_and_attachments_load_under_the_pages_policy(
    live_server: LiveServer,
    page: Page,
    add_articles: AddArticles,
    feed_server: FeedServer,
    images: tuple[str, str],
    csp_violations: list[str],
) -> None:
    # The sanitizer keeps YouTube and Vimeo players and <audio>/<video>; the page's own policy
    # (default-src 'self') refused them all: "Refused to frame …", "Refused to load media …".
    sound = feed_server.add("/episode.mp3", b"ID3" + b"\0" * 64, content_type="audio/mpeg")
    clip = feed_server.add("/clip.mp4", b"\0" * 64, content_type="video/mp4")
    _, photo = images
    body = clean_html(  # as ingest stores it
        "<p>Watch and listen.</p>"
        '<iframe src="https://www.youtube-nocookie.com/embed/abc"></iframe>'
        f'<audio controls preload="auto" src="{sound}"></audio>',
        sound,
        trusted_host="127.0.0.1",  # (a source on the sound's loopback host keeps it)
    )
    [story] = add_articles(
        "hacker-blog",
        1,
        content=body,
        thumbnail=photo,
        enclosures=(
            Enclosure(clip, "video/mp4", 64),
            Enclosure(photo, "image/png", 0),  # the picture above, sent as an enclosure
        ),
    )
    page.goto(f"{live_server.url}/a/{story.id}")
    expect(page.locator(".story-content iframe")).to_have_count(1)
    expect(page.locator(".attachments video")).to_have_attribute("src", clip)
    expect(page.locator(".attachments li")).to_have_count(1)  # not the picture shown above
    expect(page.locator(".story-content audio")).to_have_attribute("preload", "none")
    assert feed_server.requests("/episode.mp3") == []  # nothing fetched with the page
    page.evaluate(
        "() => { const a = document.querySelector('audio'); a.preload = 'auto'; a.load(); }"
    )
    wait_for(lambda: bool(feed_server.requests("/episode.mp3")), 10, "the sound to be fetched")
    assert csp_violations == []
