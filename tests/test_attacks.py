"""Attacks that got through to a running service (session 50, h7), each kept as the test that
failed before its fix. Those that found nothing are tested already where their subject is
(tests/test_hostile*.py, test_private_networks.py, test_sanitize.py, test_admin.py).

A reader that takes RSS titles as HTML (RSS does not say whether they are) is played by real
Chromium: each text field of our RSS item, as an XML parser gives it, is written into a page
between tags, as such a reader writes it, and nothing in it may run or load.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from lxml import etree
from playwright.sync_api import Page

from aggregator.syndication import _defused, render_rss
from tests.test_syndication import DC, article_url, make_articles, make_meta

# What the browser ran: each payload's handler sets this, so one that runs is seen at once.
RAN = "window.ran=(window.ran||[]).concat"

# Titles whose tag that would run sits where our escaping read it as inside another tag: in an
# attribute value of a tag escaped already (so text, and what follows is read afresh), or after
# a comment or a raw-text element ends mid-tag (so the browser reads a tag there) (h7, F1).
HIDDEN_TAGS = [
    f'<a title="<img src=x onerror={RAN}(1)>">',
    f'<img alt="<svg onload={RAN}(2)>">',
    f'<!--<b title="--><img src=x onerror={RAN}(3)>">',
    f'<!--<a title="--><img src=x onerror={RAN}(4)>">',
    f'<xmp><b title="</xmp><img src=x onerror={RAN}(5)>">',
    f'<title><b title="</title><img src=x onerror={RAN}(6)>">',
    f'<noembed><i title="</noembed><img src=x onerror={RAN}(7)>">x',
    f'<?x <b title="><img src=x onerror={RAN}(8)>">',
    f'</3 <b title="><img src=x onerror={RAN}(9)>">',
    f'<!-- <b title="--!><img src=x onerror={RAN}(10)>">',
    f'<!-- left open <b title="<img src=x onerror={RAN}(11)>">',
]


def _as_an_html_reader_shows(page: Page, texts: list[str]) -> list[object]:
    """What ran, and which elements a page made of `texts` holds beyond its own."""
    body = "".join(f"<h2>{text}</h2><p>by</p>" for text in texts)
    page.set_content(f"<!doctype html><body>{body}<footer>end</footer></body>")
    return page.evaluate(
        """() => [window.ran || [],
                  [...document.body.querySelectorAll('*')].map(e => e.localName)
                    .filter(n => !['h2', 'p', 'footer', 'b', 'i', 'a'].includes(n))]"""
    )


@pytest.mark.parametrize("title", HIDDEN_TAGS)
def test_an_rss_title_runs_nothing_in_a_reader_that_takes_it_as_html(
    title: str, page: Page
) -> None:
    article = replace(make_articles()[0], title=title, author=title, tags=(title,))
    item = etree.fromstring(render_rss(make_meta(), [article], article_url)).find("channel/item")
    texts = [item.findtext("title"), item.findtext(f"{DC}creator"), item.findtext("category")]
    ran, elements = _as_an_html_reader_shows(page, [t or "" for t in texts])
    assert ran == []
    assert elements == []


@pytest.mark.parametrize(
    "text",
    ["std::vector<int> in C++", "Map<String, List<Integer>> onError=retry", "a < b && <abbr>",
     "<b title='>' data-x=\"on=1\">bold</b>", "1 <3 you", "<b title=\"a<b\">x</b>",
     "Why <?php echo 1; ?> still works", "Hello <!-- a note --> there", "<!----> and <!--> too"],
)  # fmt: skip
def test_an_rss_title_of_harmless_markup_stays_as_written(text: str) -> None:
    """Hard negatives: text with "<" that starts nothing that runs keeps every character."""
    assert _defused(text) == text
