"""Stories in feeds and pages: each story once, the other copies credited; ?collapse=0."""

from __future__ import annotations

import html
import io
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import feedparser
import pytest
from flask import Flask

from aggregator import config as config_module
from aggregator.config import Config
from aggregator.errors import ConfigError
from aggregator.models import Article
from aggregator.refresh import join_stories
from aggregator.store import Store
from aggregator.web import create_app, pages
from tests.support.web_server import HttpClient, http_client

AddArticles = Callable[..., list[Article]]
ARTICLE_LINK = re.compile(r'class="card-title"[^>]*><a href="/a/([^"]+)"')
ATOM = "{http://www.w3.org/2005/Atom}"
BODY = (
    "<p>The city council voted 7 to 2 on Tuesday evening to approve 48 million dollars for a new"
    " pedestrian and cycling bridge across the river, ending a debate of three years.</p>"
    "<p>The bridge will connect the old harbour district with the university campus on the north"
    " bank. Construction starts next spring and takes about two years.</p>"
)


@pytest.fixture
def story(add_articles: AddArticles, store: Store) -> tuple[Article, Article, Article]:
    """An original in tech, its copy in tech and world (two hours later), an unrelated article."""
    original = add_articles("hacker-blog", title="Bridge approved", content=BODY)[0]
    copy = add_articles(
        "mixed",
        title="Bridge approved - Mixed Bag",
        content=BODY + "<p>Scan the QR code to join our WeChat group!</p>",
        published=original.published + timedelta(hours=2),
    )[0]
    other = add_articles("people-daily")[0]
    now = datetime.now(UTC)
    for a in (original, copy, other):
        join_stories(store, [a], 7.0, now)
    return original, copy, other


def items(client: HttpClient, url: str) -> list[dict[str, Any]]:
    response = client.get(url)
    assert response.status_code == 200, response.data
    result: list[dict[str, Any]] = json.loads(response.data)["items"]
    return result


def test_json_feed_shows_each_story_once_and_credits_the_copies(
    client: HttpClient, story: tuple[Article, Article, Article]
) -> None:
    original, copy, _ = story
    tech = items(client, "/c/tech/feed.json")
    assert [i["title"] for i in tech] == ["Bridge approved"]
    story_field = tech[0]["_story"]
    assert story_field["size"] == 2
    assert story_field["also"] == [
        {
            "url": copy.url,
            "title": copy.title,
            "source": "Mixed Bag & Co",
            "date_published": copy.published.isoformat(),
        }
    ]
    # Every item has _story, a story of one included.
    everything = items(client, "/feed.json")
    assert len(everything) == 2
    assert all("_story" in i for i in everything)
    single = next(i for i in everything if i["title"] != "Bridge approved")
    assert (single["_story"]["size"], single["_story"]["also"]) == (1, [])
    # World holds only the copy: it stands for the story there, crediting the original.
    world = items(client, "/c/world/feed.json")
    bridge = next(i for i in world if i["_story"]["size"] == 2)
    assert bridge["title"] == copy.title
    assert [a["url"] for a in bridge["_story"]["also"]] == [original.url]


def test_a_copy_without_a_link_is_credited_in_json_without_a_url(
    client: HttpClient, add_articles: AddArticles, store: Store
) -> None:
    """JSON Feed's URLs are never "": a copy with no link of its own keeps its credit, no url
    (Atom and RSS leave such copies out: their credits are links)."""
    original = add_articles("hacker-blog", title="Bridge approved", content=BODY)[0]
    copy = add_articles(
        "mixed",
        title="Bridge approved - Mixed Bag",
        content=BODY,
        url="",
        published=original.published + timedelta(hours=2),
    )[0]
    now = datetime.now(UTC)
    for a in (original, copy):
        join_stories(store, [a], 7.0, now)
    (item,) = items(client, "/c/tech/feed.json")
    assert item["_story"]["also"] == [
        {
            "title": copy.title,
            "source": "Mixed Bag & Co",
            "date_published": copy.published.isoformat(),
        }
    ]


def test_collapse_0_returns_every_article_with_its_story_id(
    client: HttpClient, story: tuple[Article, Article, Article]
) -> None:
    collapsed = items(client, "/c/tech/feed.json")  # cached first: collapse is part of the key
    every = items(client, "/c/tech/feed.json?collapse=0")
    assert len(collapsed) == 1
    assert len(every) == 2
    assert len({i["_story"]["id"] for i in every}) == 1
    assert client.get("/c/tech/feed.json?collapse=maybe").status_code == 400


def test_the_every_article_variant_is_a_feed_of_its_own_to_readers(
    client: HttpClient, story: tuple[Article, Article, Article]
) -> None:
    """A reader following ?collapse=0's self link must stay on it; its id is not the other's."""
    every = client.get("/c/tech/feed.json?collapse=0&limit=10").get_json()
    assert every["feed_url"].endswith("/c/tech/feed.json?limit=10&collapse=0")
    assert client.get("/c/tech/feed.json").get_json()["feed_url"].endswith("/c/tech/feed.json")
    atom = ET.fromstring(client.get("/c/tech/feed.atom?collapse=0").data)
    default = ET.fromstring(client.get("/c/tech/feed.atom").data)
    self_link = next(x for x in atom.findall(f"{ATOM}link") if x.get("rel") == "self")
    assert self_link.get("href", "").endswith("/c/tech/feed.atom?collapse=0")
    assert atom.findtext(f"{ATOM}id") != default.findtext(f"{ATOM}id")
    rss = ET.fromstring(client.get("/c/tech/feed.rss?collapse=0").data)
    hrefs = [x.get("href", "") for x in rss.iter("{http://www.w3.org/2005/Atom}link")]
    assert any(h.endswith("/c/tech/feed.rss?collapse=0") for h in hrefs)
    # Asking for the category's own choice is the same feed.
    same = client.get("/c/tech/feed.json?collapse=1").get_json()
    assert same["feed_url"].endswith("/c/tech/feed.json")


def test_atom_links_and_rss_description_credit_the_other_copies(
    client: HttpClient, story: tuple[Article, Article, Article]
) -> None:
    _, copy, _ = story
    root = ET.fromstring(client.get("/c/tech/feed.atom").data)
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 1
    related = [
        link.attrib
        for link in entries[0].findall(f"{ATOM}link")
        if link.get("rel") == "related" and link.get("href") == copy.url
    ]
    assert related == [
        {"href": copy.url, "rel": "related", "title": f"Mixed Bag & Co: {copy.title}"}
    ]
    rss = feedparser.parse(io.BytesIO(client.get("/c/tech/feed.rss").data))
    assert not rss.bozo
    assert len(rss.entries) == 1
    assert "Also reported by" in rss.entries[0].description
    assert copy.url in rss.entries[0].description


def test_the_credit_is_in_the_content_readers_show(
    client: HttpClient, story: tuple[Article, Article, Article]
) -> None:
    """newsboat, sfeed and feedparser's readers show an item's content (RSS content:encoded,
    Atom content, JSON content_html), not the RSS description nor Atom's related links: the
    credit was only in those, so a subscriber never saw a story's other sources (a review)."""
    _, copy, _ = story
    credit = f'<p>Also reported by: <a href="{copy.url}">'
    for path in ("/c/tech/feed.rss", "/c/tech/feed.atom"):
        parsed = feedparser.parse(io.BytesIO(client.get(path).data))
        (entry,) = parsed.entries
        assert credit in entry.content[0].value, path
        assert "(Mixed Bag &amp; Co)</p>" in entry.content[0].value, path
    (item,) = items(client, "/c/tech/feed.json")
    assert credit in item["content_html"]
    # Each title and source isolated, as on the pages (feedparser drops the <bdi>, not the text).
    assert "(<bdi>Mixed Bag &amp; Co</bdi>)</p>" in item["content_html"]
    # Each link once in Atom, whatever else names it.
    root = ET.fromstring(client.get("/c/tech/feed.atom").data)
    hrefs = [link.get("href") for link in root.iter(f"{ATOM}link")]
    assert len(hrefs) == len(set(hrefs))


def test_a_chinese_site_credits_the_other_copies_in_chinese(
    web_config: Config, redis_url: str, store: Store, story: tuple[Article, Article, Article]
) -> None:
    config = replace(web_config, site=replace(web_config.site, language="zh-CN"))
    store.publish_config(config_module.dumps(config))
    client = http_client(create_app(config, redis_url, recheck_interval=0))
    rss = feedparser.parse(io.BytesIO(client.get("/c/tech/feed.rss").data))
    # In Chinese punctuation: "其他来源的报道: … ( )" was English's (a review).
    assert "<p>其他来源的报道：<a href=" in rss.entries[0].description
    assert "（Mixed Bag &amp; Co）</p>" in rss.entries[0].description
    assert "Also reported" not in rss.entries[0].description


def test_a_chinese_category_of_an_english_site_credits_in_chinese(
    web_config: Config, redis_url: str, store: Store, story: tuple[Article, Article, Article]
) -> None:
    """The credit is in its feed's language, which a category may set apart from the site's (a
    review: a zh-CN category's feeds said "Also reported by:")."""
    categories = tuple(
        replace(c, language="zh-CN") if c.slug == "tech" else c for c in web_config.categories
    )
    config = replace(web_config, categories=categories)
    assert config.site.language in ("", "en")
    store.publish_config(config_module.dumps(config))
    client = http_client(create_app(config, redis_url, recheck_interval=0))
    rss = feedparser.parse(io.BytesIO(client.get("/c/tech/feed.rss").data))
    assert "<p>其他来源的报道：<a href=" in rss.entries[0].content[0].value
    assert "Also reported" not in client.get("/c/tech/feed.rss").get_data(as_text=True)


def test_a_category_can_turn_collapsing_off(
    web_config: Config, redis_url: str, store: Store, story: tuple[Article, Article, Article]
) -> None:
    categories = tuple(
        replace(c, collapse_stories=False) if c.slug == "tech" else c for c in web_config.categories
    )
    config = replace(web_config, categories=categories)
    store.publish_config(config_module.dumps(config))
    app: Flask = create_app(config, redis_url, recheck_interval=0)
    client = http_client(app)
    assert len(items(client, "/c/tech/feed.json")) == 2
    assert len(items(client, "/c/tech/feed.json?collapse=1")) == 1


def test_an_original_arriving_after_its_copy_updates_the_item_rather_than_adding_one(
    add_articles: AddArticles, store: Store, client: HttpClient
) -> None:
    """The collapsed item keeps the story's id: feed readers update it instead of showing the
    story twice. `?collapse=0` keeps each article's own id."""
    now = datetime.now(UTC)
    copy = add_articles("mixed", title="Bridge approved - Mixed Bag", content=BODY)[0]
    join_stories(store, [copy], 7.0, now)
    before = items(client, "/feed.json")
    original = add_articles(
        "hacker-blog",
        title="Bridge approved",
        content=BODY,
        published=copy.published - timedelta(hours=2),
        updated=copy.published - timedelta(hours=2),
    )[0]
    join_stories(store, [original], 7.0, now + timedelta(minutes=5))
    after = [i for i in items(client, "/feed.json") if i["_story"]["id"] == copy.id]
    assert len(after) == 1
    assert after[0]["id"] == before[0]["id"] == f"urn:aggregator:article:{copy.id}"
    assert after[0]["url"] == original.url  # now the original stands for the story
    # Updated when it changed, though the original is older: a reader keeping the item with
    # the newest `updated` takes the change, not the copy it saw first.
    modified = [datetime.fromisoformat(i["date_modified"]) for i in (before[0], after[0])]
    assert modified[1] > modified[0]
    assert modified[1] > datetime.fromisoformat(after[0]["date_published"])
    every = {i["url"]: i["id"] for i in items(client, "/feed.json?collapse=0")}
    assert every[original.url] == f"urn:aggregator:article:{original.id}"


def test_old_news_seen_in_two_sources_is_not_updated_today(
    add_articles: AddArticles, store: Store, client: HttpClient
) -> None:
    """Daring Fireball's Atom and JSON feeds, polled for the first time, hold the same posts of
    2017: each story was "updated" at the poll, and readers showed 2017 posts as new. A second
    source added a week later brings the same back catalogue: no change either."""
    written = datetime(2017, 6, 27, 0, 54, 17, tzinfo=UTC)
    now = datetime.now(UTC)
    atom = add_articles("hacker-blog", content=BODY, published=written, updated=written)[0]
    json_copy = add_articles("mixed", content=BODY, published=written, updated=written)[0]
    join_stories(store, [atom], 7.0, now)
    join_stories(store, [json_copy], 7.0, now + timedelta(seconds=20))
    added_later = add_articles("people-daily", content=BODY, published=written, updated=written)
    join_stories(store, added_later, 7.0, now + timedelta(days=7))
    [item] = [i for i in items(client, "/feed.json") if i["_story"]["size"] > 1]
    assert item["_story"]["size"] == 3
    assert datetime.fromisoformat(item["date_modified"]) == written


def test_collapse_stories_is_checked_in_the_config(tmp_path: Any) -> None:
    path = tmp_path / "a.toml"
    path.write_text(
        '[[categories]]\nslug = "tech"\ncollapse_stories = "no"\n'
        '[[sources]]\nname = "A"\nurl = "https://a.example/f"\ncategories = ["tech"]\n'
        '[stories]\nwindow_days = 0\nenabled = "yes"\n'
    )
    with pytest.raises(ConfigError) as error:
        config_module.load_config(path)
    assert "categories[0].collapse_stories" in str(error.value)
    assert "stories.window_days" in str(error.value)
    assert "stories.enabled" in str(error.value)


def test_pages_show_a_story_once_with_its_sources_and_credit_copies(
    client: HttpClient, story: tuple[Article, Article, Article]
) -> None:
    original, copy, _ = story
    home = client.get("/").get_data(as_text=True)
    tech = home.split('id="section-tech"', 1)[1].split("</section>", 1)[0]
    assert tech.count("Bridge approved") == 1
    assert "2 sources" in tech
    page = client.get(f"/a/{original.id}").get_data(as_text=True)
    also = page.split('class="also-reported"', 1)[1].split("</aside>", 1)[0]
    assert "Also reported by" in also
    assert copy.url in also
    assert "Mixed Bag &amp; Co" in also
    # Related articles never list a copy of the same story.
    related = page.split('class="related"', 1)[1] if 'class="related"' in page else ""
    assert copy.title not in related
    latest = client.get("/c/tech/?sort=latest").get_data(as_text=True)
    assert latest.count(">Bridge approved") == 1
    assert 'aria-current="page">Latest' in latest


def test_related_articles_show_another_story_once(
    client: HttpClient,
    story: tuple[Article, Article, Article],
    add_articles: AddArticles,
    store: Store,
) -> None:
    """Two of four "related" cards were one story's copies (a Simplified and a Traditional one
    among them): a category's page shows each story once, and so does the related list."""
    original, copy, _ = story
    (other,) = add_articles("hacker-blog", title="Bridge opens to cyclists next year")
    join_stories(store, [other], 7.0, datetime.now(UTC))
    page = client.get(f"/a/{other.id}").get_data(as_text=True)
    related = page.split('class="related"', 1)[1].split("</aside>", 1)[0]
    assert f"/a/{original.id}" in related
    assert f"/a/{copy.id}" not in related


def test_the_newest_first_list_shows_a_story_once_across_its_pages(
    client: HttpClient, add_articles: AddArticles, story: tuple[Article, Article, Article]
) -> None:
    """The copy (two hours after its original) leads page one; the original, a page further
    down with 25 articles between them, is not listed again on page two."""
    original, copy, _ = story
    add_articles("hacker-blog", 25)
    first = client.get("/c/tech/?sort=latest").get_data(as_text=True)
    assert first.count(">Bridge approved") == 1
    assert f"/a/{copy.id}" in first
    older = re.search(r'<a class="button" href="([^"]+)" rel="next">', first)
    assert older is not None
    second = client.get(html.unescape(older[1]))
    assert second.status_code == 200
    page = second.get_data(as_text=True)
    assert "Bridge approved" not in page
    assert f"/a/{original.id}" not in page
    assert page.count('class="card') >= 5  # the rest of the page is there


def test_a_newest_first_page_a_copy_shortened_reads_on_to_stay_full(
    client: HttpClient, add_articles: AddArticles, store: Store
) -> None:
    """An original and its copy lead the list: the first page shows their story once and
    takes one more article, so it still shows a whole page; no article is skipped or repeated."""
    others = add_articles("hacker-blog", 25)
    original = add_articles("hacker-blog", title="Bridge approved", content=BODY)[0]
    copy = add_articles(
        "mixed", content=BODY, published=original.published + timedelta(minutes=30)
    )[0]
    for article in (*others, original, copy):
        join_stories(store, [article], 7.0, datetime.now(UTC))
    url: str | None = "/c/tech/?sort=latest"
    pages: list[list[str]] = []
    while url is not None:
        page = client.get(url).get_data(as_text=True)
        pages.append(ARTICLE_LINK.findall(page))
        older = re.search(r'<a class="button" href="([^"]+)" rel="next">', page)
        url = html.unescape(older[1]) if older else None
    assert [len(p) for p in pages] == [20, 6]
    seen = [i for p in pages for i in p]
    assert seen[0] in (original.id, copy.id)  # (the story's, whichever article stands for it)
    assert sorted(seen[1:]) == sorted(a.id for a in others)


def test_a_newest_first_page_of_copies_only_says_so(
    client: HttpClient,
    story: tuple[Article, Article, Article],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Pages of one article: the copy leads page one, and page two holds only the original,
    a copy of a story page one showed. It says so instead of "no articles yet"."""
    monkeypatch.setattr(pages, "PAGE_SIZE", 1)
    monkeypatch.setattr(pages, "MAX_FILL_READS", 0)
    first = client.get("/c/tech/?sort=latest").get_data(as_text=True)
    older = re.search(r'<a class="button" href="([^"]+)" rel="next">', first)
    assert older is not None
    second = client.get(html.unescape(older[1]))
    assert second.status_code == 200
    page = second.get_data(as_text=True)
    assert ARTICLE_LINK.findall(page) == []
    assert "copies of stories shown on the pages before" in page
    assert "No articles yet" not in page


def test_a_home_section_shows_at_most_two_items_of_one_source(
    client: HttpClient, add_articles: AddArticles
) -> None:
    add_articles("hacker-blog", 6)
    add_articles("mixed", 1)
    home = client.get("/").get_data(as_text=True)
    tech = home.split('id="section-tech"', 1)[1].split("</section>", 1)[0]
    assert tech.count("Hacker Blog") == 2
    assert tech.count("Mixed Bag") == 1


def test_a_home_section_looks_past_one_sources_burst_for_the_others(
    client: HttpClient, add_articles: AddArticles
) -> None:
    """Twenty newer articles of one source filled the 15 the section chose from, and its cap of
    two left the section with two: it looks further back, to the other source's."""
    add_articles("mixed", 3)
    add_articles("hacker-blog", 20)
    home = client.get("/").get_data(as_text=True)
    tech = home.split('id="section-tech"', 1)[1].split("</section>", 1)[0]
    assert tech.count("Hacker Blog") == 2
    assert tech.count("Mixed Bag") == 2  # (its own cap)


def test_embeds_show_one_item_per_story(
    client: HttpClient, story: tuple[Article, Article, Article]
) -> None:
    page = client.get("/embed/tech").get_data(as_text=True)
    assert page.count("Bridge approved") == 1
    # Credited to its sources as on our cards: the frame named the original's source alone.
    item = page.split("Bridge approved", 1)[1].split("</li>", 1)[0]
    assert "2 sources" in item
    # embed.js renders the JSON feed, which collapses stories by default (tested above).
    assert len(items(client, "/c/tech/feed.json?limit=10")) == 1
