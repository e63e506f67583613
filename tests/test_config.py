"""The config file: the example loads, every mistake is named with its place, reloads are safe."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import re
import shutil
import subprocess
import time
import types
import typing
from pathlib import Path

import pytest

from aggregator import config as config_module
from aggregator import junk
from aggregator.config import (
    Category,
    Config,
    ConfigWatcher,
    FetchConfig,
    ServeConfig,
    SourceConfig,
    derive_source_id,
    dumps,
    format_duration,
    format_size,
    load_config,
    loads,
    parse_config,
    parse_duration,
    parse_size,
    slugify,
    summary,
)
from aggregator.config_warnings import config_warnings
from aggregator.errors import ConfigError
from aggregator.redact import public_url

EXAMPLE = Path(__file__).resolve().parents[1] / "aggregator.example.toml"
README = EXAMPLE.with_name("README.md")

CATEGORIES = """
[[categories]]
slug = "world"
title = "World"

[[categories]]
slug = "tech"
title = "Technology"
"""


def source(name: str, url: str, categories: str = '["world"]', extra: str = "") -> str:
    return f'\n[[sources]]\nname = "{name}"\nurl = "{url}"\ncategories = {categories}\n{extra}\n'


def problems(text: str | bytes) -> list[str]:
    """The problems parse_config reports for `text` (which must be invalid)."""
    with pytest.raises(ConfigError) as info:
        parse_config(text, path="test.toml")
    return info.value.problems


def one_problem(text: str | bytes) -> str:
    found = problems(text)
    assert len(found) == 1, found
    return found[0]


# --- the example ------------------------------------------------------------------------------


def test_example_loads_with_its_categories_and_sources() -> None:
    config = load_config(EXAMPLE)

    assert config.path == str(EXAMPLE)
    assert config.site.title == "World Desk"
    assert config.site.base_url == "http://localhost:8000"
    assert config.site.language == "en"
    assert config.fetch.allow_private_networks is False
    assert [c.slug for c in config.categories] == ["world", "tech", "science", "china", "culture"]
    china = config.category("china")
    assert china is not None
    assert china.title == "中文"
    assert 15 <= len(config.sources) <= 25
    for slug in ("world", "tech", "science", "china", "culture"):
        assert any(slug in s.categories for s in config.sources), slug
    ids = [s.id for s in config.sources]
    assert len(set(ids)) == len(ids)
    chinese = [s for s in config.sources if "china" in s.categories]
    assert len(chinese) >= 2
    assert {"https://www.ruanyifeng.com/blog/atom.xml", "https://sspai.com/feed"} <= {
        s.url for s in chinese
    }
    # The example shows each optional key on at least one source.
    assert any(s.include for s in config.sources)
    assert any(s.exclude for s in config.sources)
    assert any(s.site_url for s in config.sources)
    assert any(s.interval != config.fetch.interval for s in config.sources)
    assert any(s.id.startswith("s-") for s in config.sources)  # a Chinese name without an id


def _accepted_keys(monkeypatch: pytest.MonkeyPatch) -> dict[str, set[str]]:
    """Every key the checking walk accepts, by table ("site", "sources", …): the keys each
    table it reads the example with asks for, read or not."""
    accepted: dict[str, set[str]] = {}
    finish = config_module._Table.finish

    def recording(table: config_module._Table) -> None:
        accepted.setdefault(re.sub(r"\[\d+\].*", "", table.place), set()).update(table.known)
        finish(table)

    monkeypatch.setattr(config_module._Table, "finish", recording)
    load_config(EXAMPLE)
    return accepted


def _example_regions() -> dict[str, str]:
    """The example's text by table: each "# --- [site]: …" banner to the next. For [[sources]]
    and [[categories]], their banner's key list alone (up to the first block), which a reader
    looks a key up in."""
    text = EXAMPLE.read_text(encoding="utf-8")
    parts = re.split(r"^# --- \[\[?(\w+)\]\]?.*$", text, flags=re.M)
    regions = dict(zip(parts[1::2], parts[2::2], strict=True))
    for listed in ("sources", "categories"):
        regions[listed] = regions[listed].split(f"[[{listed}]]")[0]
    return regions


def _readme_rows() -> dict[str, str]:
    """The README's configuration table by table: each row, continuation rows ("| |") with
    the row above theirs."""
    rows: dict[str, str] = {}
    table = ""
    for line in README.read_text(encoding="utf-8").splitlines():
        named = re.match(r"^\| `\[\[?(\w+)\]\]?` \|", line)
        if named:
            table = named[1]
        elif not line.startswith("| |"):
            table = "" if not line.startswith("|") else table
            continue
        rows[table] = rows.get(table, "") + line + "\n"
    return rows


def test_every_accepted_key_is_documented_in_the_example_and_the_readme(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A key the config accepts is in the example's part for its table (for a source or a
    category: the key list above the blocks, where `weight`, `timezone`, `full_text` and the
    `strip_*` keys were missing, shown on one source alone) and in the README's configuration
    table under its table. The keys come from the checking walk itself: a key added to the
    code fails this until it is documented in both."""
    accepted = _accepted_keys(monkeypatch)
    assert {"site", "fetch", "retention", "stories", "serve", "categories", "sources"} <= set(
        accepted
    )
    regions, rows = _example_regions(), _readme_rows()
    undocumented = []
    del accepted[""]  # (the tables themselves: each has its banner and rows)
    for table, keys in sorted(accepted.items()):
        for key in sorted(keys):
            # "# interval    optional", "# jitter = 0.1", "slug = …", "podcast_category, explicit"
            listed = rf"^[#\s]*(?:\w+,\s*)*{key}\b(?![-.])"
            if not re.search(listed, regions.get(table, ""), re.M):
                undocumented.append(f"aggregator.example.toml [{table}] {key}")
            if f"`{key}`" not in rows.get(table, ""):
                undocumented.append(f"README.md [{table}] {key}")
    assert undocumented == []


def test_empty_file_gives_the_defaults() -> None:
    config = parse_config("", path="empty.toml")
    assert config == Config(path="empty.toml")


# --- finding and reading the file -------------------------------------------------------------


def test_missing_file_names_the_path_and_the_fix(tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"
    with pytest.raises(ConfigError) as info:
        load_config(missing)
    message = str(info.value)
    assert str(missing) in message
    # A path someone named: that path is the thing to check (copying the example to
    # ./aggregator.toml would not help).
    assert "no such file; check the path (--config, or $AGGREGATOR_CONFIG)" in message
    assert "copy aggregator.example.toml there" in message


def test_missing_default_file_says_to_copy_the_example(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("AGGREGATOR_CONFIG", raising=False)
    with pytest.raises(ConfigError, match=r"copy aggregator\.example\.toml to aggregator\.toml"):
        load_config()


def test_path_comes_from_the_environment_then_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    here = tmp_path / "aggregator.toml"
    here.write_text('[site]\ntitle = "Here"\n', encoding="utf-8")
    elsewhere = tmp_path / "other.toml"
    elsewhere.write_text('[site]\ntitle = "Elsewhere"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)

    monkeypatch.delenv("AGGREGATOR_CONFIG", raising=False)
    assert load_config().site.title == "Here"
    monkeypatch.setenv("AGGREGATOR_CONFIG", str(elsewhere))
    assert load_config().site.title == "Elsewhere"
    assert load_config(here).site.title == "Here"  # an explicit path wins


def test_toml_syntax_error_gives_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "aggregator.toml"
    path.write_text('[site]\ntitle = "ok"\nbase_url = \n', encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert "line 3, column" in str(info.value)
    assert str(path) in str(info.value)


def test_a_byte_order_mark_is_no_part_of_the_config(tmp_path: Path) -> None:
    # Windows Notepad saves one; tomllib read it as "Invalid statement (at line 1, column 1)".
    path = tmp_path / "aggregator.toml"
    path.write_bytes(b'\xef\xbb\xbf[site]\ntitle = "Desk"\nbase_url = "https://news.example"\n')
    assert load_config(path).site.title == "Desk"


def test_non_utf8_file_names_the_line() -> None:
    message = one_problem(b'[site]\ntitle = "caf\xe9"\n')  # Latin-1, not UTF-8
    assert "line 2" in message
    assert "UTF-8" in message


def test_values_nested_past_the_parsers_depth_are_a_problem_not_a_crash() -> None:
    # tomllib reads arrays and inline tables by recursion: 500 levels raised RecursionError, a
    # traceback from check-config, and out of a running scheduler's ConfigWatcher.poll (whose
    # promise is to keep the last good config on any mistake in an edit).
    for value in ("[" * 2000 + "]" * 2000, "{a = " * 2000 + "1" + "}" * 2000):
        message = one_problem(f'[site]\ntitle = "Desk"\nx = {value}\n')
        assert "line 3" in message
        assert "nested too deeply" in message


# --- values -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("15m", 900.0),
        ("90s", 90.0),
        ("1h30m", 5400.0),
        ("1h 30m", 5400.0),
        ("2d", 172800.0),
        ("1.5h", 5400.0),
        ("0s", 0.0),
        ("900", 900.0),
        ("2D", 172800.0),
        (900, 900.0),
        (1.5, 1.5),
    ],
)
def test_parse_duration(value: str | int | float, seconds: float) -> None:
    assert parse_duration(value) == seconds
    assert isinstance(parse_duration(value), float)


@pytest.mark.parametrize(
    "value",
    ["", "15 minutes", "m", "1x", "-5m", "1h-30m", -1, float("inf"), float("nan"), "9" * 400],
)
def test_parse_duration_refuses(value: str | float) -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_duration(value)


def test_parse_duration_refuses_booleans() -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_duration(True)


def test_format_duration_inverts_parse_duration() -> None:
    for seconds in (0, 1, 59, 60, 90, 900, 3600, 5400, 86400, 90061, 0.5, 7 * 86400):
        text = format_duration(seconds)
        assert parse_duration(text) == seconds, text
    assert format_duration(5400) == "1h30m"
    assert format_duration(86400) == "1d"


@pytest.mark.parametrize(
    ("value", "size"),
    [
        ("10MiB", 10 * 1024**2),
        ("5MB", 5_000_000),
        ("512KiB", 512 * 1024),
        ("1.5KB", 1500),
        ("2GiB", 2 * 1024**3),
        ("10mib", 10 * 1024**2),
        ("100", 100),
        ("100B", 100),
        (4096, 4096),
    ],
)
def test_parse_size(value: str | int, size: int) -> None:
    assert parse_size(value) == size


@pytest.mark.parametrize("value", ["", "ten MB", "10XB", "-1", -1, "MiB", "9" * 400 + "GiB"])
def test_parse_size_refuses(value: str | int) -> None:
    with pytest.raises(ValueError, match="size"):
        parse_size(value)


def test_format_size() -> None:
    assert format_size(10 * 1024**2) == "10MiB"
    assert format_size(1500) == "1500B"
    for size in (1, 1024, 1500, 10 * 1024**2, 3 * 1024**3):
        assert parse_size(format_size(size)) == size


def test_settings_accept_durations_sizes_and_numbers() -> None:
    config = parse_config(
        """
        [fetch]
        interval = "30m"
        min_interval = 60
        max_interval = "2d"
        max_body_bytes = "5MB"
        jitter = 0
        [retention]
        max_age_days = 7
        [serve]
        cache_max_age = "2m"
        stale_while_revalidate = 30
        frame_ancestors = ["'self'", "https://partner.example"]
        """
    )
    assert config.fetch.interval == 1800.0
    assert config.fetch.min_interval == 60.0
    assert config.fetch.max_interval == 172800.0
    assert config.fetch.max_body_bytes == 5_000_000
    assert config.fetch.jitter == 0.0
    assert isinstance(config.fetch.min_interval, float)
    assert isinstance(config.retention.max_age_days, float)
    assert config.serve.cache_max_age == 120
    assert config.serve.stale_while_revalidate == 30
    assert config.serve.frame_ancestors == ("'self'", "https://partner.example")


@pytest.mark.parametrize(
    ("site", "category", "source"),
    [
        # A name's own U+2069 and U+202E (OPML import copies a file's as written) ended the
        # isolate our pages set it in and turned the rest of the sentence around (a review).
        ("\u2067Our \u202enews\u202c", "World\u2069", "\u2069\u202eEvil name\u202c"),
        # OPML import writes a file's names as TOML escapes: controls and noncharacters, which
        # the feeds dropped, reached every page's <title> (a hostile-clients review).
        ("Our\\u0001 news\\ufffe", "World\\u000b", "\\u0001Evil\\uffff name\\u007f"),
    ],
    ids=["direction controls", "what no XML may carry"],
)
def test_names_shown_to_readers_lose_what_would_garble_them(
    site: str, category: str, source: str
) -> None:
    config = parse_config(
        f"""
        [site]
        title = "{site}"
        [[categories]]
        slug = "world"
        title = "{category}"
        [[sources]]
        name = "{source}"
        url = "https://evil.example/feed.xml"
        categories = ["world"]
        """
    )
    assert config.site.title == "Our news"
    assert config.categories[0].title == "World"
    assert config.sources[0].name == "Evil name"
    assert config.sources[0].id == "evil-name"


def test_descriptions_lose_what_names_lose() -> None:
    """The site's and a category's descriptions kept NUL, other controls, U+FFFE and U+202E as
    written (a TOML escape, or a vertical tab pasted from a word processor): the feeds dropped
    the controls, but every page's lede and <meta name="description"> carried them, and an
    override left open reversed the rest of the lede in the feeds too (a red-team review)."""
    config = parse_config(
        """
        [site]
        description = "News\\u0000 from\\u000b the\\ufffe \\u202eworld\\u0001"
        [[categories]]
        slug = "world"
        description = "\\u2067All\\u007f \\uffffof it\\u2069"
        """
    )
    assert config.site.description == "News from the world"
    assert config.categories[0].description == "All of it"
    # An empty description stays allowed (the default), and one that was only controls is one.
    assert parse_config('[site]\ndescription = "\\u0001"').site.description == ""


def test_slugify_and_derived_ids() -> None:
    assert slugify("Example News") == "example-news"
    assert slugify("Le Monde – International") == "le-monde-international"
    assert slugify("Café Crème!") == "cafe-creme"
    assert slugify("阮一峰的网络日志") == ""
    url = "https://www.ruanyifeng.com/blog/atom.xml"
    expected = "s-" + hashlib.sha1(url.encode(), usedforsecurity=False).hexdigest()[:10]
    assert derive_source_id("阮一峰的网络日志", url) == expected
    assert derive_source_id("Example News", url) == "example-news"


def test_sources_get_explicit_or_derived_ids_and_the_default_interval() -> None:
    config = parse_config(
        CATEGORIES
        + source("Example News", "https://example.com/feed")
        + source("少数派", "https://sspai.com/feed", '["tech", "world", "tech"]')
        + source(
            "Named",
            "https://named.example/rss",
            extra='id = "my-id"\ninterval = "1h"\ninclude = "python"\nexclude = ["ads?", "promo"]',
        )
    )
    first, chinese, named = config.sources
    assert first.id == "example-news"
    assert first.interval == config.fetch.interval
    assert first.categories == ("world",)
    assert (
        chinese.id
        == "s-" + hashlib.sha1(b"https://sspai.com/feed", usedforsecurity=False).hexdigest()[:10]
    )
    assert chinese.categories == ("tech", "world")  # a repeated slug counts once
    assert named.id == "my-id"
    assert named.interval == 3600.0
    assert named.include == ("python",)
    assert named.exclude == ("ads?", "promo")
    assert config.source("my-id") is named
    assert config.source("nope") is None
    # The lookup's index belongs to one config: a copy with other sources has its own.
    fewer = dataclasses.replace(config, sources=(first,))
    assert fewer.source("my-id") is None
    assert fewer.source(first.id) is first
    assert config.source("my-id") is named


# --- every kind of mistake, with its place ----------------------------------------------------


def test_unknown_keys_are_reported_with_a_suggestion() -> None:
    found = problems(
        CATEGORIES
        + "[fetch]\nintervall = '15m'\n"
        + "[site]\ntitel = 'x'\n"
        + source("A", "https://a.example/feed", extra="exclud = ['x']")
        + "\n[[source]]\nname = 'B'\n"
    )
    assert 'fetch.intervall: unknown key (did you mean "interval"?)' in found
    assert 'site.titel: unknown key (did you mean "title"?)' in found
    assert 'sources[0] (name "A").exclud: unknown key (did you mean "exclude"?)' in found
    assert 'source: unknown key (did you mean "sources"?)' in found
    assert len(found) == 4


def test_unknown_key_without_a_close_match_has_no_suggestion() -> None:
    assert one_problem("[serve]\nzzzzzz = 1\n") == "serve.zzzzzz: unknown key"


def test_networks_listed_for_every_source_say_where_a_list_is_written() -> None:
    """`[fetch] allow_private_networks = ["127.0.0.1"]`, the list a source takes, was "expected
    true or false" alone (a walkthrough)."""
    assert one_problem('[fetch]\nallow_private_networks = ["127.0.0.1"]\n') == (
        "fetch.allow_private_networks: expected true or false, got an array: a list of networks"
        " and hosts is a source's own; write allow_private_networks = [...] in each [[sources]]"
        " block that reaches them"
    )


def test_wrong_types_are_reported() -> None:
    found = problems(
        """
        [site]
        title = 3
        [fetch]
        allow_private_networks = "no"
        max_redirects = 2.5
        batch_size = 0
        interval = true
        [serve]
        frame_ancestors = "*"
        """
    )
    assert any(p.startswith("site.title: expected a string, got an integer (3)") for p in found)
    assert any(p.startswith("fetch.allow_private_networks: expected true or false") for p in found)
    assert any(p.startswith("fetch.max_redirects: expected an integer") for p in found)
    assert any(p.startswith("fetch.batch_size: must be 1 or more") for p in found)
    assert any(p.startswith("fetch.interval: expected a duration") for p in found)
    assert any(p.startswith("serve.frame_ancestors: expected a non-empty array") for p in found)
    assert len(found) == 6


def test_a_section_that_is_not_a_table() -> None:
    assert one_problem('fetch = "fast"\n').startswith("fetch: expected a table ([fetch])")


def test_site_values_are_checked() -> None:
    found = problems(
        """
        [site]
        base_url = "localhost:8000"
        language = "en_US"
        hub = "ftp://hub.example"
        """
    )
    assert any(p.startswith("site.base_url: not an absolute http(s) URL") for p in found)
    assert any(
        p.startswith("site.language: not a language tag") and 'did you mean "en-US"' in p
        for p in found
    )
    assert any(p.startswith("site.hub: not an absolute http(s) URL") for p in found)
    assert len(found) == 3


def test_base_url_suggests_the_scheme_and_loses_its_trailing_slash() -> None:
    message = one_problem('[site]\nbase_url = "news.example.com"\n')
    assert 'did you mean "https://news.example.com"?' in message
    config = parse_config('[site]\nbase_url = "https://news.example.com/desk/"\n')
    assert config.site.base_url == "https://news.example.com/desk"


def test_a_category_image_is_an_http_url() -> None:
    text = '[[categories]]\nslug = "pods"\nimage = "%s"\n'
    assert parse_config(text % "https://cdn.example/art.jpg").categories[0].image == (
        "https://cdn.example/art.jpg"
    )
    problem = one_problem(text % "javascript:alert(1)")
    assert problem.startswith("categories[0].image: not an absolute http(s) URL"), problem


def test_former_slugs_lead_to_one_category_and_are_no_category_of_their_own() -> None:
    text = '[[categories]]\nslug = "technology"\nformer_slugs = ["tech"]\n'
    assert parse_config(text).categories[0].former_slugs == ("tech",)
    clash = text + '[[categories]]\nslug = "tech"\n'
    assert one_problem(clash).startswith(
        'categories[0].former_slugs: "tech" is a category\'s slug now'
    )
    twice = text + '[[categories]]\nslug = "science"\nformer_slugs = ["tech"]\n'
    assert one_problem(twice) == (
        'categories[1].former_slugs: "tech" already leads to "technology"'
    )
    assert "is not a slug" in one_problem(text.replace('["tech"]', '["Tech News"]'))


def test_language_tags() -> None:
    for tag in ("en", "zh-CN", "zh-Hans-CN", "pt-BR", "gsw"):
        assert parse_config(f'[site]\nlanguage = "{tag}"\n').site.language == tag
    for tag in ("english", "e", "en-", "zh CN", ""):
        assert one_problem(f'[site]\nlanguage = "{tag}"\n').startswith("site.language:")


def test_frame_ancestors_cannot_inject_into_the_header() -> None:
    message = one_problem("[serve]\nframe_ancestors = [\"'self'; script-src *\"]\n")
    assert message.startswith("serve.frame_ancestors: not a CSP frame-ancestors source")
    assert one_problem('[serve]\nframe_ancestors = ["\'none\'", "*"]\n').startswith(
        "serve.frame_ancestors: 'none' must be the only entry"
    )


def test_user_agent_cannot_hold_a_newline() -> None:
    message = one_problem('[fetch]\nuser_agent = "x\\r\\nX-Evil: 1"\n')
    assert message.startswith("fetch.user_agent: must not contain control characters")


def test_the_slug_meaning_every_category_is_reserved() -> None:
    message = one_problem('[[categories]]\nslug = "all"\n')
    assert message.startswith('categories[0].slug: "all" is reserved: /embed/all means every')
    assert '"all-news"' in message


def test_category_slugs_are_checked_and_unique() -> None:
    found = problems(
        """
        [[categories]]
        slug = "world"
        [[categories]]
        slug = "World News"
        [[categories]]
        slug = "world"
        [[categories]]
        title = "No slug"
        """
    )
    assert any(
        p.startswith('categories[1].slug: "World News" is not a slug')
        and 'did you mean "world-news"' in p
        for p in found
    )
    assert 'categories[2].slug: "world" is already defined by categories[0]' in found
    assert any(p.startswith("categories[3].slug: missing") for p in found)
    assert len(found) == 3


def test_category_title_defaults_to_its_slug() -> None:
    config = parse_config('[[categories]]\nslug = "misc"\n')
    assert config.categories == (Category(slug="misc", title="misc"),)


def test_source_in_an_undefined_category() -> None:
    message = one_problem(CATEGORIES + source("A", "https://a.example/feed", '["tech", "wrold"]'))
    assert message == (
        'sources[0] (name "A").categories[1]: unknown category "wrold"; defined: world, tech'
        ' (did you mean "world"?)'
    )
    # Like none defined: the fix is the block the operator has not written yet.
    message = one_problem(CATEGORIES + source("A", "https://a.example/feed", '["sports"]'))
    assert message == (
        'sources[0] (name "A").categories[0]: unknown category "sports"; defined: world, tech;'
        ' add a [[categories]] block with slug = "sports", or name one defined'
    )


def test_a_source_in_the_reserved_category_all_is_not_told_to_define_it() -> None:
    # It was told to `add a [[categories]] block with slug = "all"`, a block refused at once
    # as reserved (README: `all` is reserved: every category merged).
    message = one_problem(CATEGORIES + source("A", "https://a.example/feed", '["all"]'))
    assert message.startswith('sources[0] (name "A").categories[0]: unknown category "all"')
    assert 'slug = "all"' not in message
    assert "every category merged" in message
    assert "world, tech" in message


def test_source_needs_name_url_and_categories() -> None:
    found = problems(CATEGORIES + "\n[[sources]]\nid = 'x'\n")
    assert any(p.startswith('sources[0] (id "x").name: missing') for p in found)
    assert any(p.startswith('sources[0] (id "x").url: missing') for p in found)
    assert any(p.startswith('sources[0] (id "x").categories: missing') for p in found)
    assert len(found) == 3


def test_source_categories_must_be_a_non_empty_array() -> None:
    found = problems(
        CATEGORIES
        + source("A", "https://a.example/feed", "[]")
        + source("B", "https://b.example/feed", '"world"')
    )
    assert any(
        p.startswith('sources[0] (name "A").categories: must name at least one') for p in found
    )
    assert any(
        p.startswith('sources[1] (name "B").categories: expected an array') and '["world"]' in p
        for p in found
    )


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("/feed.xml", "not an absolute http(s) URL"),
        ("feeds.example.com/rss", "not an absolute http(s) URL"),
        ("ftp://example.com/feed", "not an absolute http(s) URL"),
        ("javascript:alert(1)", "not an absolute http(s) URL"),
        ("https:///feed", "a URL needs a host"),
        ("https://example.com:99999/feed", "its port is not a number from 1 to 65535"),
        ("https://example.com/a feed", "must not contain spaces"),
    ],
)
def test_bad_source_urls(url: str, why: str) -> None:
    message = one_problem(CATEGORIES + source("A", url))
    assert message.startswith('sources[0] (name "A").url: ')
    assert why in message


FILE_HINT = (
    " (a file's path, not a URL: serve it over HTTP, e.g. python3 -m http.server, and give its"
    " http:// address; a source on this machine also needs allow_private_networks = true)"
)


@pytest.mark.parametrize(
    ("url", "hint"),
    [
        ("feeds.example.com/rss", ' (did you mean "https://feeds.example.com/rss"?)'),
        ("127.0.0.1:8000/feed.xml", ' (did you mean "http://127.0.0.1:8000/feed.xml"?)'),
        ("localhost:8000/feed.xml", ' (did you mean "http://localhost:8000/feed.xml"?)'),
        ("htp://feeds.example.com/rss", ' (did you mean "http://feeds.example.com/rss"?)'),
        # No host to name, or no scheme it is like: no guess rather than a wrong one.
        ("feed/index.xml", ""),
        ("ftp://example.com/feed", ""),
        # A file's path: "./feeds/x.xml" was "did you mean https://./feeds/x.xml?", "feed.xml"
        # "https://feed.xml"; a browser's subscribe link and a calendar had no word.
        ("/feed.xml", FILE_HINT),
        ("./feeds/x.xml", FILE_HINT),
        ("feed.xml", FILE_HINT),
        ("file:///srv/feed.xml", FILE_HINT),
        ("feed://feeds.example.com/rss", ' (did you mean "https://feeds.example.com/rss"?)'),
        ("feed://127.0.0.1:8000/rss", ' (did you mean "http://127.0.0.1:8000/rss"?)'),
        ("feed:https://feeds.example.com/rss", ' (did you mean "https://feeds.example.com/rss"?)'),
        ("webcal://example.com/cal.ics", " (webcal:// subscribes to a calendar, which is no feed)"),
        # A scheme without its two slashes, or with others (what a browser reads as the host
        # after it): named with them, not taken as it is (the source's address is its key).
        ("https:feeds.example.com/rss", ' (did you mean "https://feeds.example.com/rss"?)'),
        ("HTTP:/127.0.0.1:8000/rss", ' (did you mean "http://127.0.0.1:8000/rss"?)'),
        ("https:///feeds.example.com/rss", ' (did you mean "https://feeds.example.com/rss"?)'),
        ("https:", ""),
        ("https:/", ""),
    ],
)
def test_a_bad_url_is_offered_the_one_likely_meant(url: str, hint: str) -> None:
    """Offered https:// for the operator's own test server, an operator fixed one mistake with
    another (it serves http); "htp://" got no word of what it was like."""
    assert one_problem(CATEGORIES + source("A", url)).endswith(f'"{url}"{hint}')


def test_source_interval_must_fit_the_fetch_limits() -> None:
    found = problems(
        CATEGORIES
        + '[fetch]\nmin_interval = "5m"\nmax_interval = "1d"\n'
        + source("Fast", "https://a.example/feed", extra='interval = "1m"')
        + source("Slow", "https://b.example/feed", extra='interval = "2d"')
        + source("Odd", "https://c.example/feed", extra='interval = "soon"')
        + source("Zero", "https://d.example/feed", extra="interval = 0")
    )
    assert any(
        p.startswith('sources[0] (name "Fast").interval: 1m is outside') and "[5m, 1d]" in p
        for p in found
    )
    assert any(p.startswith('sources[1] (name "Slow").interval: 2d is outside') for p in found)
    assert any(
        p.startswith('sources[2] (name "Odd").interval: not a duration: "soon"') for p in found
    )
    assert any(
        p.startswith('sources[3] (name "Zero").interval: must be longer than zero') for p in found
    )
    assert len(found) == 4


def test_fetch_limits_are_consistent() -> None:
    message = one_problem('[fetch]\nmin_interval = "2h"\nmax_interval = "1h"\ninterval = "90m"\n')
    assert message.startswith("fetch.min_interval: 2h is longer than fetch.max_interval (1h)")
    message = one_problem('[fetch]\ninterval = "1m"\n')
    assert message.startswith("fetch.interval: 1m is outside")
    message = one_problem('[fetch]\ndeadline = "2m"\njob_timeout = "1m"\n')
    assert message.startswith("fetch.job_timeout: 1m is shorter than fetch.deadline (2m)")
    message = one_problem('[fetch]\nmax_body_bytes = "0MiB"\n')
    assert message.startswith("fetch.max_body_bytes: must be more than zero")
    message = one_problem("[fetch]\njitter = 1.5\n")
    assert message.startswith("fetch.jitter: must be between 0 and 1")


def test_retention_values_are_checked() -> None:
    found = problems("[retention]\nmax_per_source = 0\nmax_age_days = -1\n")
    assert any(p.startswith("retention.max_per_source: must be 1 or more") for p in found)
    assert any(p.startswith("retention.max_age_days: must be more than zero") for p in found)
    message = one_problem("[retention]\nmax_per_source = 10\nkeep_newest = 50\n")
    assert message.startswith("retention.keep_newest: 50 is more than retention.max_per_source")


def test_bad_regex_reports_the_regex_error() -> None:
    found = problems(
        CATEGORIES
        + source("A", "https://a.example/feed", extra='include = ["ok", "(unclosed"]')
        + source("B", "https://b.example/feed", extra='exclude = "*star"')
        + source("C", "https://c.example/feed", extra="include = 3")
    )
    assert any(
        p.startswith('sources[0] (name "A").include[1]: not a valid regular expression "(unclosed"')
        and "missing )" in p
        for p in found
    )
    assert any(
        p.startswith('sources[1] (name "B").exclude[0]: not a valid regular expression "*star"')
        and "nothing to repeat" in p
        for p in found
    )
    assert any(
        p.startswith('sources[2] (name "C").include: expected a regular expression') for p in found
    )
    assert len(found) == 3


def test_strip_patterns_that_cannot_be_joined_are_a_problem() -> None:
    """junk joins a source's strip_patterns into one regex: two naming a group alike each
    compiled alone, passed check-config, and then every refresh of the source failed
    ("redefinition of group name")."""
    message = one_problem(
        CATEGORIES
        + source(
            "A",
            "https://a.example/feed",
            extra='strip_patterns = ["(?P<n>subscribe)", "(?P<n>share this)"]',
        )
    )
    assert message.startswith('sources[0] (name "A").strip_patterns: cannot be joined into one')
    assert "redefinition of group name" in message


def test_derived_id_collision_asks_for_an_explicit_id() -> None:
    message = one_problem(
        CATEGORIES
        + source("Example News", "https://a.example/feed")
        + source("Example   NEWS!", "https://b.example/feed")
    )
    assert message == (
        'sources[1] (name "Example NEWS!"): its derived id "example-news" (from its name)'
        ' is already the id of sources[0] (name "Example News"); give one of them an explicit id'
    )
    # An explicit id settles it.
    config = parse_config(
        CATEGORIES
        + source("Example News", "https://a.example/feed")
        + source("Example   NEWS!", "https://b.example/feed", extra='id = "example-news-b"')
    )
    assert [s.id for s in config.sources] == ["example-news", "example-news-b"]


def test_duplicate_explicit_ids_and_bad_ids() -> None:
    found = problems(
        CATEGORIES
        + source("A", "https://a.example/feed", extra='id = "same"')
        + source("B", "https://b.example/feed", extra='id = "same"')
        + source("Cee", "https://c.example/feed")
        + source("D", "https://d.example/feed", extra='id = "cee"')
        + source("E", "https://e.example/feed", extra='id = "Not A Slug"')
    )
    assert (
        'sources[1] (id "same").id: "same" is already the id of sources[0] (id "same");'
        " choose another one" in found
    )
    assert (
        'sources[3] (id "cee").id: "cee" is already the id of sources[2] (name "Cee"),'
        " derived from its name;"
        " choose another one"
    ) in found
    assert any(
        p.startswith('sources[4] (id "Not A Slug").id: "Not A Slug" is not a slug') for p in found
    )
    assert len(found) == 3


def test_duplicate_urls_are_reported() -> None:
    found = problems(
        CATEGORIES
        + source("A", "https://Example.com/feed")
        + source("B", "https://example.com:443/feed", '["tech"]')
    )
    assert found == [
        'sources[1] (name "B").url: same URL as sources[0] (name "A"); list a source once'
        " and give it several categories instead"
    ]


def test_source_that_is_not_a_table() -> None:
    assert one_problem('sources = ["https://a.example/feed"]\n').startswith(
        "sources[0]: expected a [[sources]] table"
    )


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    path = tmp_path / "aggregator.toml"
    path.write_text(
        CATEGORIES
        + '[site]\nbase_url = "localhost"\n[fetch]\nintervall = 5\n'
        + source("A", "ftp://a.example/feed", '["wrold"]', extra='include = "(("')
        + source("B", "https://b.example/feed", extra='interval = "1s"'),
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as info:
        load_config(path)
    error = info.value
    places = [p.split(":")[0] for p in error.problems]
    assert places == [
        "site.base_url",
        "fetch.intervall",
        'sources[0] (name "A").url',
        'sources[0] (name "A").categories[0]',
        'sources[0] (name "A").include[0]',
        'sources[1] (name "B").interval',
    ]
    assert error.path == str(path)
    assert str(error).startswith(f"6 problem(s) in {path}:")
    # What the operator reads names the line of the file each is on, too.
    lines = [10, 12, 16, 17, 18, 24]
    assert error.located == [f"line {n}: {p}" for n, p in zip(lines, error.problems, strict=True)]
    for problem in error.located:
        assert f"  - {problem}" in str(error)
    assert path.read_text().splitlines()[lines[5] - 1] == 'interval = "1s"'


def test_problems_are_listed_in_the_order_of_their_lines() -> None:
    # An operator fixes a file top to bottom: they came in the order the keys are checked, so a
    # source's exclude (line 9) was named before its strip_patterns (line 8), and [serve]'s
    # cache_max_age before the frame_ancestors written above it.
    text = (
        CATEGORIES
        + '[serve]\nframe_ancestors = "*"\ncache_max_age = "5 min"\n'
        + source("A", "https://a.example/f", extra='strip_patterns = ["(x"]\nexclude = ["*x"]')
    )
    with pytest.raises(ConfigError) as info:
        parse_config(text)
    located = info.value.located
    assert [p.split(":")[1].strip() for p in located] == [
        "serve.frame_ancestors",
        "serve.cache_max_age",
        'sources[0] (name "A").strip_patterns[0]',
        'sources[0] (name "A").exclude[0]',
    ]
    lines = [int(p.split(":")[0].removeprefix("line ")) for p in located]
    assert lines == sorted(lines)
    assert info.value.located == [
        f"line {n}: {p}" for n, p in zip(lines, info.value.problems, strict=True)
    ]


def test_warnings_are_listed_in_the_order_of_their_lines() -> None:
    # As problems are: a source's include (line 9) was named before its strip_patterns (line 8).
    from aggregator.config_warnings import located_warnings

    extra = 'strip_patterns = [""]\ninclude = [""]'
    text = CATEGORIES + source("A", "https://a.example/f", '["world", "tech"]', extra=extra)
    warnings = located_warnings(parse_config(text), text)
    assert [w.split(":")[1].strip() for w in warnings] == [
        "sources[0] (a).strip_patterns[0]",
        "sources[0] (a).include[0]",
    ]


def test_a_problem_s_line_is_its_key_s_else_its_table_s() -> None:
    text = (
        '[site]\ntitle = "T"\n\n[[categories]]\nslug = "n"\ntitle = "N"\n'
        '[[sources]]\nname = "A"\nurl = "https://a.example/f"\ncategories = ["n"]\n'
        '[[sources]]\n"name" = "B"\ncategories = [\n  "n",\n  "x",\n]\n'
    )
    with pytest.raises(ConfigError) as info:
        parse_config(text)
    located = info.value.located
    assert 'line 11: sources[1] (name "B").url: missing; add e.g. url' in located[0]  # its table
    assert located[1].startswith('line 13: sources[1] (name "B").categories[1]: unknown category')
    # Written inline, a table has no header to point at: the place alone says where.
    inline = 'sources = [{name = "A", url = "ftp://a.example/f", categories = ["n"]}]\n'
    with pytest.raises(ConfigError) as info:
        parse_config(inline + '[[categories]]\nslug = "n"\ntitle = "N"\n')
    assert info.value.located == info.value.problems
    # A misspelt table's own name: its header's line.
    with pytest.raises(ConfigError) as info:
        parse_config('[site]\ntitle = "T"\n\n[fetchh]\ninterval = 5\n\n[[source]]\nname = "a"\n')
    assert info.value.located == [
        'line 4: fetchh: unknown key (did you mean "fetch"?)',
        'line 7: source: unknown key (did you mean "sources"?)',
    ]


def test_a_mistake_repeated_in_every_source_is_shown_a_few_times_not_ten_thousand() -> None:
    sources = "".join(
        f'[[sources]]\nname = "S{n}"\nurl = "https://e.example/{n}"\ncategory = "news"\n'
        for n in range(500)
    )
    with pytest.raises(ConfigError) as info:
        parse_config('[[categories]]\nslug = "news"\ntitle = "News"\n' + sources)
    error = info.value
    assert len(error.problems) == 500  # all kept for whoever reads them programmatically
    lines = str(error).splitlines()
    assert lines[0] == "500 problem(s):"
    assert lines[1] == (
        '  - line 7: sources[0] (name "S0").category: unknown key (did you mean "categories"?'
        ' it is required: categories = ["news"])'
    )
    assert len(lines) == 1 + ConfigError.SHOWN + 1
    assert lines[-1].startswith("  … and 470 more")


def test_a_required_key_misspelt_is_one_problem() -> None:
    """ "nmae" was two problems, "name: missing" and "nmae: unknown key" (an operator's review):
    one mistake, one line, with the example the missing key's problem gave."""
    with pytest.raises(ConfigError) as info:
        parse_config(CATEGORIES + source("A", "https://e.example/f").replace("name =", "nmae ="))
    assert info.value.problems == [
        'sources[0].nmae: unknown key (did you mean "name"? it is required: name = "Example News")'
    ]


# --- passing it on, showing it ----------------------------------------------------------------


def test_dumps_loads_round_trip_is_exact() -> None:
    config = load_config(EXAMPLE)
    again = loads(dumps(config))
    assert again == config
    assert dumps(again) == dumps(config)
    assert isinstance(again.sources, tuple)
    assert isinstance(again.sources[0].categories, tuple)
    assert isinstance(again.serve.frame_ancestors, tuple)
    assert isinstance(again.fetch.interval, float)
    assert "阮一峰的网络日志" in dumps(config)  # readable, not \u-escaped

    custom = Config(
        fetch=FetchConfig(interval=1234.5, jitter=0.0, max_body_bytes=77),
        serve=ServeConfig(frame_ancestors=("'self'",)),
        categories=(Category("x", "X", "d", image="https://s.example/art.jpg"),),
        sources=(
            SourceConfig(
                id="s",
                name="S",
                url="https://s.example/",
                categories=("x",),
                interval=60.0,
                include=("a", "b"),
                site_url="https://s.example/home",
                language="de",
            ),
        ),
        path="/etc/aggregator.toml",
    )
    assert loads(dumps(custom)) == custom


def test_loads_ignores_fields_it_does_not_know() -> None:
    raw = dumps(load_config(EXAMPLE)).replace('"fetch":{', '"fetch":{"from_the_future":1,', 1)
    assert loads(raw) == load_config(EXAMPLE)


def test_summary_lists_categories_sources_and_changed_settings() -> None:
    config = load_config(EXAMPLE)
    text = summary(config)
    assert str(EXAMPLE) in text
    assert "World Desk" in text
    assert f"{len(config.categories)} categories, {len(config.sources)} sources" in text
    assert "[china] 中文" in text
    for s in config.sources:
        assert f"{s.id}: {s.name} <{s.url}>" in text
    assert 'site.title = "World Desk"' in text
    assert "fetch.interval" not in text  # the example keeps the default

    changed = parse_config('[fetch]\ninterval = "30m"\nmax_body_bytes = "5MiB"\n')
    text = summary(changed)
    assert 'fetch.interval = "30m"' in text
    assert 'fetch.max_body_bytes = "5MiB"' in text
    assert "site.title" not in text


def test_summary_counts_one_source_and_one_category_in_the_singular() -> None:
    # A newcomer's first category of their own held one source, and check-config said
    # "1 sources".
    text = summary(
        parse_config(
            '[[categories]]\nslug = "keji"\ntitle = "科技"\n\n'
            '[[sources]]\nname = "A"\nurl = "https://a.example/feed"\ncategories = ["keji"]\n'
        )
    )
    assert "1 category, 1 source" in text
    assert "[keji] 科技: 1 source" in text.splitlines()


# --- watching the file ------------------------------------------------------------------------


def settle(watcher: ConfigWatcher) -> Config | None:
    """Poll twice: new content is acted on only once it has held still for a poll."""
    assert watcher.poll() is None, "new content was applied before it held still"
    return watcher.poll()


def test_watcher_follows_valid_edits_and_keeps_the_last_good_config(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "aggregator.toml"
    path.write_text('[site]\ntitle = "One"\n', encoding="utf-8")
    watcher = ConfigWatcher(path, load_config(path))
    caplog.set_level(logging.INFO, logger="aggregator.config")

    assert watcher.poll() is None  # nothing changed yet

    path.write_text('[site]\ntitle = "Two"\n', encoding="utf-8")
    new = settle(watcher)
    assert new is not None
    assert new.site.title == "Two"
    assert watcher.current is new
    assert watcher.poll() is None

    path.write_text(
        '[site]\ntitle = "Three"\nbase_url = "nope"\n[fetch]\nintervall = 1\n', encoding="utf-8"
    )
    assert settle(watcher) is None
    assert watcher.current.site.title == "Two"
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "keeping the last good config" in warnings[0].getMessage()
    problems = warnings[0].fields["problems"]  # type: ignore[attr-defined]
    assert [p.split(": ")[:2] for p in problems] == [
        ["line 3", "site.base_url"],
        ["line 5", "fetch.intervall"],
    ]

    assert watcher.poll() is None  # the same broken file is not reported twice
    assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 1

    path.write_text('[site]\ntitle = "Three"\nbase_url = "nope"\n', encoding="utf-8")
    assert settle(watcher) is None  # a different broken version is reported
    assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 2

    path.write_text('[site]\ntitle = "Three"\n', encoding="utf-8")
    fixed = settle(watcher)
    assert fixed is not None
    assert fixed.site.title == "Three"
    assert "valid again" in caplog.text


def test_watcher_sees_an_edit_that_keeps_size_and_mtime(tmp_path: Path) -> None:
    path = tmp_path / "aggregator.toml"
    path.write_text('[site]\ntitle = "AAAA"\n', encoding="utf-8")
    watcher = ConfigWatcher(path, load_config(path))
    stat = path.stat()
    path.write_text('[site]\ntitle = "BBBB"\n', encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    new = settle(watcher)
    assert new is not None
    assert new.site.title == "BBBB"


def _bytes_read() -> int:
    """What this process has read so far, by the kernel's count (/proc/self/io)."""
    io = Path("/proc/self/io").read_text().split()
    return int(io[io.index("rchar:") + 1])


def test_watcher_reads_a_file_that_held_still_only_when_it_changes(tmp_path: Path) -> None:
    """The scheduler's watcher read and hashed the whole file every second (50 MB a second
    for a file of 50 MB). It now reads it only when its inode, size or times change, and not
    before its times are old enough to be trusted; an edit in place that keeps the size and
    puts back the mtime, and an editor's replacing write of the same size and times, are
    both still seen."""
    path = tmp_path / "aggregator.toml"
    comments = "# " + "x" * 998 + "\n"
    path.write_text('[site]\ntitle = "AAAA"\n' + comments * 4000, encoding="utf-8")  # 4 MB
    watcher = ConfigWatcher(path, load_config(path))
    before = _bytes_read()
    assert watcher.poll() is None  # just written: its times are not trusted yet, it is read
    assert _bytes_read() - before >= 4_000_000
    time.sleep(config_module.RACY_SECONDS + 0.2)
    assert watcher.poll() is None  # (the content the watcher started on, acted on)
    assert watcher.poll() is None  # read once more, now old enough: its stamp is kept
    before = _bytes_read()
    for _ in range(5):
        assert watcher.poll() is None
    assert _bytes_read() - before < 100_000

    # An edit in place of the same size, its mtime put back (cp -p, a coarse clock).
    stat = path.stat()
    path.write_text('[site]\ntitle = "BBBB"\n' + comments * 4000, encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    new = settle(watcher)
    assert new is not None
    assert new.site.title == "BBBB"

    # An editor's save: a new file of the same size and mtime renamed over the old one.
    time.sleep(config_module.RACY_SECONDS + 0.2)
    assert watcher.poll() is None
    before = _bytes_read()
    assert watcher.poll() is None
    assert _bytes_read() - before < 100_000
    stat = path.stat()
    saved = tmp_path / ".aggregator.toml.swp"
    saved.write_text('[site]\ntitle = "CCCC"\n' + comments * 4000, encoding="utf-8")
    os.utime(saved, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    os.replace(saved, path)
    new = settle(watcher)
    assert new is not None
    assert new.site.title == "CCCC"


def test_watcher_keeps_reading_a_file_changed_within_the_clock_tick(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two writes of the same size within one tick of the file system's clock leave the same
    inode, size and times (here a clock of whole seconds, as FAT's or some network file
    systems' is): a file read just after it changed is read again at each poll, until its
    times are old enough to be trusted, so the second write is not missed."""
    real_stat = os.stat
    whole = 1_000_000_000

    class Coarse:
        def __init__(self, st: os.stat_result) -> None:
            self.st = st
            self.st_mtime_ns = st.st_mtime_ns // whole * whole
            self.st_ctime_ns = st.st_ctime_ns // whole * whole

        def __getattr__(self, name: str) -> object:
            return getattr(self.st, name)

        def stamp(self) -> tuple[int, ...]:
            return (self.st.st_ino, self.st.st_size, self.st_mtime_ns, self.st_ctime_ns)

    def coarse_stat(*args: typing.Any, **kwargs: typing.Any) -> Coarse:
        return Coarse(real_stat(*args, **kwargs))

    monkeypatch.setattr(os, "stat", coarse_stat)
    path = tmp_path / "aggregator.toml"
    while time.time() % 1 > 0.5:  # the writes and polls below share one second
        time.sleep(0.05)
    path.write_text('[site]\ntitle = "AAAA"\n', encoding="utf-8")
    watcher = ConfigWatcher(path, load_config(path))
    assert watcher.poll() is None
    assert watcher.poll() is None  # the content it started on, acted on
    assert watcher.poll() is None  # and read again: nothing changed
    before = coarse_stat(path).stamp()
    path.write_text('[site]\ntitle = "BBBB"\n', encoding="utf-8")
    assert coarse_stat(path).stamp() == before  # no stat tells this write from the first
    new = settle(watcher)
    assert new is not None
    assert new.site.title == "BBBB"


def test_watcher_reads_a_file_whose_status_is_cached_within_a_while(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file system that caches status (NFS, for up to a minute) shows an edited file's old
    inode, size and times; opening the file reads it anew. A file whose status held still is
    still read every UNREAD_SECONDS, so such an edit is seen then and not never."""
    from aggregator import config as config_module

    path = tmp_path / "aggregator.toml"
    path.write_text('[site]\ntitle = "AAAA"\n', encoding="utf-8")
    real_stat = os.stat
    st = real_stat(path)
    old = types.SimpleNamespace(  # as a cache holds it: long unchanged, so trusted
        st_dev=st.st_dev, st_ino=st.st_ino, st_size=st.st_size, st_mtime_ns=1, st_ctime_ns=1
    )
    monkeypatch.setattr(os, "stat", lambda p, *a, **k: old if p == str(path) else real_stat(p))
    monkeypatch.setattr(config_module, "UNREAD_SECONDS", 0.5)
    watcher = ConfigWatcher(path, load_config(path))
    for _ in range(3):  # the content it started on, acted on, then its status trusted
        assert watcher.poll() is None
    path.write_text('[site]\ntitle = "BBBB"\n', encoding="utf-8")  # (same size)
    for _ in range(2):  # within UNREAD_SECONDS: the cached status is trusted, as it was always
        assert watcher.poll() is None
    time.sleep(0.6)
    new = settle(watcher)
    assert new is not None
    assert new.site.title == "BBBB"


def test_watcher_ignores_edits_that_change_nothing(tmp_path: Path) -> None:
    path = tmp_path / "aggregator.toml"
    path.write_text('[site]\ntitle = "Same"\n', encoding="utf-8")
    watcher = ConfigWatcher(path, load_config(path))
    path.write_text('# a comment\n[site]\ntitle = "Same"   # here too\n', encoding="utf-8")
    assert settle(watcher) is None


def test_watcher_survives_the_file_disappearing(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "aggregator.toml"
    path.write_text('[site]\ntitle = "Kept"\n', encoding="utf-8")
    watcher = ConfigWatcher(path, load_config(path))
    path.unlink()
    assert watcher.poll() is None
    assert watcher.poll() is None
    assert watcher.current.site.title == "Kept"
    assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 1
    path.write_text('[site]\ntitle = "Back"\n', encoding="utf-8")
    new = settle(watcher)
    assert new is not None
    assert new.site.title == "Back"


def test_watcher_keeps_the_sources_when_the_file_is_left_empty(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """An empty file is a valid config with no sources: applied live, it stopped every source
    and emptied the site. A config with sources is kept, with a warning saying why."""
    path = tmp_path / "aggregator.toml"
    path.write_text(
        '[[categories]]\nslug = "news"\n[[sources]]\nname = "A"\n'
        'url = "https://a.example/feed"\ncategories = ["news"]\n',
        encoding="utf-8",
    )
    watcher = ConfigWatcher(path, load_config(path))
    for empty in ("", "\n# nothing yet\n"):
        path.write_text(empty, encoding="utf-8")
        assert settle(watcher) is None
        assert [s.name for s in watcher.current.sources] == ["A"]
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2
    assert "no sources and no categories; keeping the last good config" in warnings[0]


TWO_SOURCES = """
[[categories]]
slug = "news"

[[sources]]
name = "Alpha News"
url = "https://a.example/feed"
categories = ["news"]

[[sources]]
name = "Beta"
url = "https://b.example/feed"
categories = ["news"]
"""


def test_watcher_keeps_the_sources_when_every_source_is_cut_from_the_file(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Every [[sources]] table deleted, the categories kept (a cut not pasted back): applied at
    once, it purged every article the service held."""
    path = tmp_path / "aggregator.toml"
    path.write_text(TWO_SOURCES, encoding="utf-8")
    watcher = ConfigWatcher(path, load_config(path))
    path.write_text('[[categories]]\nslug = "news"\n', encoding="utf-8")
    assert settle(watcher) is None
    assert len(watcher.current.sources) == 2
    assert watcher.problems == [
        "sources: the file names no source, and the running config has 2: every source's"
        " articles would be deleted (to stop them all, stop the service; to remove some,"
        " delete their [[sources]] tables)"
    ]
    assert "would delete stored articles; keeping the last good config" in caplog.text
    # Removing some is an edit like any other.
    path.write_text(TWO_SOURCES.split('[[sources]]\nname = "Beta"')[0], encoding="utf-8")
    kept = settle(watcher)
    assert kept is not None
    assert [s.id for s in kept.sources] == ["alpha-news"]


def test_a_rename_that_would_change_a_sources_id_is_not_applied(tmp_path: Path) -> None:
    """A source's id comes from its name when it has none: renaming one removed it and added
    another, deleting every article its feed no longer lists and changing every link."""
    path = tmp_path / "aggregator.toml"
    path.write_text(TWO_SOURCES, encoding="utf-8")
    watcher = ConfigWatcher(path, load_config(path))
    path.write_text(TWO_SOURCES.replace('"Alpha News"', '"Alpha World News"'), encoding="utf-8")
    assert settle(watcher) is None
    assert watcher.current.sources[0].name == "Alpha News"
    assert watcher.problems == [
        'line 6: sources[0] (name "Alpha World News").name: renamed from "Alpha News", which'
        ' changes its id (taken from its name) from "alpha-news" to "alpha-world-news": the'
        ' articles it stored would be deleted and their links change; add id = "alpha-news" to'
        " keep them (or, to start it afresh, an id of your own, such as"
        ' id = "alpha-world-news-2")'
    ]
    # The fix the message names: a rename, the same id.
    renamed = TWO_SOURCES.replace('"Alpha News"', '"Alpha World News"\nid = "alpha-news"')
    path.write_text(renamed, encoding="utf-8")
    applied = settle(watcher)
    assert applied is not None
    assert (applied.sources[0].id, applied.sources[0].name) == ("alpha-news", "Alpha World News")
    # The other way out: a new id given on purpose starts it afresh; a new URL is a new source.
    fresh = renamed.replace('id = "alpha-news"', 'id = "alpha-world-news-2"')
    path.write_text(fresh, encoding="utf-8")
    assert settle(watcher) is not None
    path.write_text(fresh.replace('"Beta"', '"Gamma"').replace("b.", "c."), encoding="utf-8")
    assert settle(watcher) is not None


def test_a_file_without_the_id_the_running_config_gives_a_source_says_so(tmp_path: Path) -> None:
    """A file made from an OPML export (which carries no ids) beside a config that gave the URL
    an id of its own: "renamed from "Alpha News"" to the same name misled the operator."""
    path = tmp_path / "aggregator.toml"
    given = TWO_SOURCES.replace('"Alpha News"', '"Alpha News"\nid = "alpha"')
    path.write_text(given, encoding="utf-8")
    watcher = ConfigWatcher(path, load_config(path))
    path.write_text(TWO_SOURCES, encoding="utf-8")
    assert settle(watcher) is None
    (problem,) = watcher.problems
    assert "renamed" not in problem
    assert (
        "without the id the running config gives it, its id (taken from its name) changes from"
        ' "alpha" to "alpha-news"'
    ) in problem
    assert 'add id = "alpha" to keep them' in problem


def test_a_new_url_that_would_change_a_chinese_named_sources_id_is_not_applied(
    tmp_path: Path,
) -> None:
    """A name with no letters a slug is made of gives an id from the URL: moving the feed to
    https changed it, and deleted what the source stored."""
    text = (
        '[[categories]]\nslug = "news"\n\n[[sources]]\nname = "人民日报"\n'
        'url = "http://www.people.com.cn/rss/politics.xml"\ncategories = ["news"]\n'
    )
    path = tmp_path / "aggregator.toml"
    path.write_text(text, encoding="utf-8")
    watcher = ConfigWatcher(path, load_config(path))
    old_id = watcher.current.sources[0].id
    path.write_text(text.replace("http://", "https://"), encoding="utf-8")
    assert settle(watcher) is None
    (problem,) = watcher.problems
    assert problem.startswith(
        'line 6: sources[0] (name "人民日报").url: its new URL changes its id'
    )
    assert f'add id = "{old_id}" to keep them' in problem
    path.write_text(
        text.replace("http://", "https://").replace('人民日报"', f'人民日报"\nid = "{old_id}"'),
        encoding="utf-8",
    )
    assert settle(watcher) is not None


def test_the_local_config_file_is_git_ignored() -> None:
    # `make run` copies aggregator.example.toml to aggregator.toml, which holds local settings.
    root = Path(__file__).resolve().parents[1]
    git = shutil.which("git")
    if git is None or not (root / ".git").exists():
        pytest.skip("not a git checkout: nothing to ignore the file from")
    checked = subprocess.run(
        [git, "check-ignore", "--no-index", "-q", "aggregator.toml"], cwd=root, check=False
    )
    assert checked.returncode == 0, "aggregator.toml is not in .gitignore"


@pytest.mark.parametrize("as_json", [False, True])
def test_a_list_in_a_log_line_is_readable(as_json: bool) -> None:
    from aggregator.logs import _Formatter

    problems = ['sources[1] (id "a").url: not an absolute http(s) URL', "fetch.intervall: unknown"]
    record = logging.LogRecord("aggregator.config", logging.WARNING, "", 0, "invalid", None, None)
    record.fields = {"path": "a.toml", "problems": problems}
    text = _Formatter(as_json, "scheduler").format(record)
    if as_json:
        assert json.loads(text)["problems"] == problems
    else:
        lines = text.splitlines()
        assert "problems=2" in lines[0]
        # Each item a whole line, as a log shipper takes a line for a record: the event's time,
        # level, process, logger and name, then the item under the field's singular.
        head = lines[0].split(" path=")[0]
        assert lines[1:] == [f"{head} problem={json.dumps(p)}" for p in problems]
        assert all(line.startswith("ts=") and "level=warning" in line for line in lines)


def test_a_log_line_carries_no_control_character_a_client_sent() -> None:
    """A request's path is anyone's: a raw ESC or CR in it recoloured or rewrote the operator's
    terminal as it showed the log (a review); DEL and C1 controls are escaped too."""
    from aggregator.logs import _Formatter

    path = "/x\x1b[31mRED\x1b[0m\rFAKE\x07\x7f\x9b2J"
    record = logging.LogRecord("aggregator.web", logging.INFO, "", 0, "request", None, None)
    record.fields = {"path": path, "problems": [path]}
    text = _Formatter(False, "web").format(record)
    assert not re.search(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]", text), repr(text)
    line, item = text.splitlines()
    assert json.loads(line.split("path=")[1].split(" problems=")[0]) == path
    assert item.split(" problem=")[1].startswith('"/x\\u001b[31mRED')
    record.fields = {"path": "/plain/é"}
    assert "path=/plain/é" in _Formatter(False, "web").format(record)


def test_a_file_of_no_source_is_warned_of() -> None:
    """check-config said "0 sources" and nothing else of an empty file (an operator's review)."""
    for text in ("", "# nothing yet\n", CATEGORIES):
        assert config_warnings(parse_config(text))[0].startswith(
            "sources: the file names no source, so nothing is polled"
        )
    assert not any(
        w.startswith("sources:")
        for w in config_warnings(parse_config(CATEGORIES + source("A", "https://a.example/f")))
    )


@pytest.mark.parametrize("written", ["category", "catgories", "tags"])
def test_categories_under_a_mistaken_key_are_one_problem(written: str) -> None:
    """[[category]] was two problems: the unknown key, and "unknown category" on every source
    naming one of its slugs, which was defined, under the wrong key (an operator's review)."""
    text = CATEGORIES.replace("[[categories]]", f"[[{written}]]") + source("A", "https://a/f")
    assert problems(text) == [f'{written}: unknown key (did you mean "categories"?)']
    assert "unknown category" in one_problem(CATEGORIES + source("A", "https://a/f", '["w"]'))


def test_a_pattern_that_matches_every_text_is_warned_of() -> None:
    """`exclude = [".*"]` emptied a source without a word, and a strip pattern matching every
    paragraph removed nothing (an article never loses all its text): an operator's review."""
    extra = 'include = ["news|"]\nexclude = ["sport", ".*"]\nstrip_patterns = ["(?i)x*", "ad"]'
    text = CATEGORIES + source("A", "https://a.example/f", extra=extra)
    warned = [w for w in config_warnings(parse_config(text)) if "empty text" in w]
    assert warned == [
        'sources[0] (a).include[0]: "news|" matches every article (it matches an empty text),'
        " so it filters nothing",
        'sources[0] (a).exclude[1]: ".*" matches every article (it matches an empty text), so'
        " the source shows nothing; to stop a source, remove its block",
        'sources[0] (a).strip_patterns[0]: "(?i)x*" matches every paragraph (it matches an empty'
        " text), and an article never loses all its text, so it removes nothing; name the words"
        " to remove",
    ]
    # "^$" and "(?m)^$" match an empty text, which no filter reads: a title and its text.
    quiet = r'exclude = ["^$", "(?m)^$", "^\\s*$"]'
    assert not any(
        "empty text" in w
        for w in config_warnings(parse_config(CATEGORIES + source("A", "https://a/f", extra=quiet)))
    )
    assert junk.strip_paragraphs("<p>Long text.</p><p>Share this</p>", ["(?i)x*"]) == (
        "<p>Long text.</p><p>Share this</p>"
    )


def test_a_category_of_podcasts_is_told_what_apple_needs_besides() -> None:
    site = '[site]\ntitle = "Desk"\nbase_url = "https://news.example"\n'
    text = site + CATEGORIES.replace('title = "Technology"', 'podcast_category = "Technology"')
    text += source("A", "https://a.example/feed", '["world", "tech"]')
    config = parse_config(text)
    assert config.categories[1].podcast_category == ("Technology",)
    warnings = config_warnings(config)
    assert 'categories[1] ("tech"): as a podcast, it needs image and explicit too' in "".join(
        warnings
    )
    whole = text.replace(
        'podcast_category = "Technology"',
        'podcast_category = "Technology"\nexplicit = true\nimage = "https://cdn.example/a.jpg"',
    )
    assert not any("as a podcast" in w for w in config_warnings(parse_config(whole)))
    assert problems(text.replace('"Technology"', '"Technolgy"')) == [
        'categories[1].podcast_category: "Technolgy" is not one of Apple Podcasts\' categories'
        ' (did you mean "Technology"?)'
    ]
    (far,) = problems(text.replace('"Technology"', '"Tech"'))  # nothing close: all of them
    assert "(one of Arts, Business, Comedy," in far
    assert problems(text.replace('"Technology"', '"News/Daily News/Today"'))  # one level only


def test_secret_parameters_add_to_the_built_in_words_not_replace_them() -> None:
    # The README says to add a feed's own parameter; a list that replaced the built-in words
    # unmasked every token and key on the public pages, and check-config stopped naming them.
    config = parse_config(
        '[serve]\nsecret_parameters = ["feedcode"]\n'
        + CATEGORIES
        + source("Keyed", "https://a.example/f?api_key=S1&feedcode=S2&token=S3&page=2")
    )
    words = config.serve.secret_parameters
    assert {"feedcode", "token", "key"} <= set(words)
    assert public_url(config.sources[0].url, words) == (
        "https://a.example/f?api_key=REDACTED&feedcode=REDACTED&token=REDACTED&page=2"
    )
    warned = " ".join(config_warnings(config))
    for name in ("api_key", "feedcode", "token"):
        assert name in warned
    # Published and read back (as the web and workers read it), the list stays the same.
    assert loads(dumps(config)).serve.secret_parameters == words


@pytest.mark.parametrize(
    ("base_url", "problem"),
    [
        ("https://news.example/?x=1", 'takes no "?" or "#" part'),
        ("https://news.example/#top", 'takes no "?" or "#" part'),
        ("https://news.example/?", 'takes no "?" or "#" part'),
        ("https://editor:pw@news.example", "takes no user name or password"),
    ],
)
def test_a_site_address_with_a_query_fragment_or_user_is_refused(
    base_url: str, problem: str
) -> None:
    # Every link appends a path to it: "https://news.example/?x=1/c/world/feed.atom".
    found = one_problem(f'[site]\ntitle = "T"\nbase_url = "{base_url}"\n')
    assert "site.base_url" in found
    assert problem in found


def test_a_site_address_with_a_path_is_warned_of() -> None:
    config = parse_config('[site]\nbase_url = "https://example.org/news/"\n' + CATEGORIES)
    assert config.site.base_url == "https://example.org/news"
    assert any(w.startswith("site.base_url: the path /news") for w in config_warnings(config))
    root = parse_config('[site]\nbase_url = "https://news.example.org/"\n' + CATEGORIES)
    assert not any(w.startswith("site.base_url") for w in config_warnings(root))


def test_a_config_regex_is_warned_of_once_compiled_and_compiled_quietly() -> None:
    """Python warns of "[[a]]" only while it compiles it: a pattern already in `re`'s cache
    (the workers compile the same ones) must still be warned of at the next check, and
    compiling it for use prints nothing (the warning has its place in check-config)."""
    import re
    import warnings

    from aggregator import junk

    pattern = "x[[y]z"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        re.compile(pattern, re.IGNORECASE)  # as a worker did first
    assert "nested set at position 2" in junk.regex_warning(pattern)
    assert junk.regex_warning("plain[a-z]") == ""
    assert junk.regex_warning("[unclosed") == ""  # a problem of its own, not a warning
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        junk.config_regex("q[[r]s")
        junk.is_junk("some text", ["t[[u]v"], True)
    assert not caught, [str(w.message) for w in caught]


def test_a_category_that_lists_its_sources_and_arrays_of_the_wrong_items_say_what_to_write() -> (
    None
):
    """`sources = ["bbc"]` in a [[categories]] block was "unknown key" alone, and
    `categories = [{slug = "tech"}]` or `exclude = [["ads"]]` "expected …, got an array"."""
    listed = CATEGORIES.replace('title = "World"', 'title = "World"\nsources = ["bbc"]')
    assert one_problem(listed + source("BBC", "https://bbc.example/rss")).endswith(
        "categories[0].sources: unknown key: a category does not list its sources; each"
        ' [[sources]] block names its own, with categories = ["world"]'
    )
    tables = one_problem(CATEGORIES + source("BBC", "https://b.example/rss", '[{slug = "tech"}]'))
    assert tables.endswith("got an array holding a table at item 1")
    nested = one_problem(
        CATEGORIES + source("BBC", "https://b.example/rss", extra='exclude = ["x", ["ads"]]')
    )
    assert nested.endswith("got an array holding an array at item 2")


def test_habits_of_other_formats_and_programs_are_named() -> None:
    """What a new operator writes from YAML, Python or another aggregator's config: each was a
    bare parser message or an "unknown key" with no lead to the key meant (an operator's
    review)."""
    feed = source("BBC", "https://bbc.example/rss")
    yaml = (CATEGORIES + feed).replace('name = "BBC"', 'name: "BBC"')
    assert one_problem(yaml).endswith("TOML writes key = value, not key: value")
    python = CATEGORIES + source("BBC", "https://bbc.example/rss", extra="full_text = True")
    assert one_problem(python).endswith("TOML writes true, in lower case")
    yes = CATEGORIES + source("BBC", "https://bbc.example/rss", extra="full_text = yes")
    assert one_problem(yes).endswith("TOML's booleans are true and false, not yes")
    titled = (CATEGORIES + feed).replace('name = "BBC"', 'title = "BBC"')
    assert one_problem(titled).endswith(
        'title: unknown key (did you mean "name"? it is required: name = "Example News")'
    )
    kept = CATEGORIES + feed + "\n[retention]\nmax_articles = 100\n"
    assert one_problem(kept).endswith(
        'retention.max_articles: unknown key (did you mean "max_per_source"?)'
    )
    fast = "[fetch]\ninterval = 60\n" + CATEGORIES + feed
    assert one_problem(fast).endswith(
        '[5m, 1d]; change it or those limits (a number alone is seconds; for minutes, write "60m")'
    )
