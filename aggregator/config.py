"""The operator's configuration: one TOML file, read once, checked entirely, frozen.

Nothing reads configuration at import time. `load_config()` reports every problem at once, each
with its place (`sources[3] (id "bbc").url: not an http(s) URL`).
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import hashlib
import ipaddress
import json
import logging
import math
import os
import re
import time
import tomllib
import typing
import unicodedata
import zoneinfo
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from aggregator import dates, junk
from aggregator.errors import ConfigError
from aggregator.redact import SECRET_PARAMETERS
from aggregator.xml_text import xml_text


@dataclass(frozen=True)
class SiteConfig:
    title: str = "Aggregator"
    base_url: str = "http://localhost:8000"
    language: str = "en"
    description: str = ""
    icon: str = ""  # URL of a small square icon, optional
    logo: str = ""  # URL of a wide logo, optional
    hub: str = ""  # WebSub hub URL advertised in our feeds, optional
    # IANA name: the zone of the days our pages show, and of the dates a source's feed writes
    # without one when neither the source nor its language names another (normalize.local_zone);
    # "" is UTC.
    timezone: str = ""


@dataclass(frozen=True)
class FetchConfig:
    allow_private_networks: bool = False
    interval: float = 15 * 60  # seconds; a source's default poll interval
    min_interval: float = 5 * 60
    max_interval: float = 24 * 3600
    jitter: float = 0.1  # fraction of the interval added at random, spreads load
    max_backoff: float = 6 * 3600  # cap of the exponential error backoff
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    deadline: float = 60.0  # the whole fetch, redirects and body included
    max_body_bytes: int = 10 * 1024 * 1024  # of the decoded body
    max_redirects: int = 5
    adopt_redirect_after: int = 3  # consecutive identical 301/308s before the new URL is adopted
    user_agent: str = ""  # default: "aggregator/<version> (+<site.base_url>)"
    batch_size: int = 20  # sources per RQ job
    concurrency: int = 8  # concurrent fetches inside one job
    per_host: int = 2  # refreshes of one host's sources at once in a job (fetch, parse, store)
    lease: float = 90.0  # a claimed source is due again after this long if its job was lost
    job_timeout: float = 300.0
    parser: str = "auto"  # "auto": the fast path where it is exact; "feedparser": always it


@dataclass(frozen=True)
class RetentionConfig:
    max_per_source: int = 500
    max_per_category: int = 2000
    max_age_days: float = 30.0
    keep_newest: int = 20  # max age never trims a source below this many articles
    tombstone_days: float = 365.0


@dataclass(frozen=True)
class StoriesConfig:
    enabled: bool = True  # false: new articles are not clustered (each is a story of its own)
    window_days: float = 7.0  # how far back a new article looks for the story it belongs to
    per_source: int = 2  # at most this many items of one source in a page section of five


@dataclass(frozen=True)
class ServeConfig:
    cache_max_age: int = 300  # Cache-Control max-age of our feeds, seconds
    stale_while_revalidate: int = 600
    frame_ancestors: tuple[str, ...] = ("*",)  # who may embed /embed/<slug> in an iframe
    # Query parameters masked in every public source URL (aggregator/redact.py).
    secret_parameters: tuple[str, ...] = SECRET_PARAMETERS


@dataclass(frozen=True)
class Category:
    slug: str
    title: str
    description: str = ""
    collapse_stories: bool = True  # feeds and pages show each story once
    language: str = ""  # its feeds' language, when not the site's (a Chinese category)
    image: str = ""  # its feeds' artwork: a square picture, as podcast apps show a show's
    # As a podcast, for Apple's directory: its category (and subcategory), whether it is explicit.
    podcast_category: tuple[str, ...] = ()  # ("News", "Daily News"): PODCAST_CATEGORIES
    explicit: bool | None = None
    # Slugs it had before a rename: their pages, feeds and embeds redirect here (301), where a
    # removed slug is Gone (410) and feed readers drop the subscription.
    former_slugs: tuple[str, ...] = ()


@dataclass(frozen=True)
class SourceConfig:
    id: str  # stable; from the config's `id`, else derived from the name or URL
    name: str
    url: str
    categories: tuple[str, ...]
    interval: float  # seconds
    include: tuple[str, ...] = ()  # regular expressions, case-insensitive, on title + summary
    exclude: tuple[str, ...] = ()
    site_url: str = ""  # optional: the site's home page, for attribution when the feed omits it
    language: str = ""  # optional: overrides the feed's language
    # Non-public networks (CIDRs, addresses) and host names this source may reach; ("*",): any.
    allow_private_networks: tuple[str, ...] = ()
    weight: float = 1.0  # how much the source counts when pages rank stories
    timezone: str = ""  # IANA name: dates the feed writes without a zone are read in it
    # site.timezone: theirs when the source names none and its feed's language has no zone of
    # its own (normalize.local_zone).
    default_timezone: str = ""
    strip_selectors: tuple[str, ...] = ()  # CSS selectors of junk in the content (junk.py)
    strip_patterns: tuple[str, ...] = ()  # regular expressions: a paragraph matching one goes
    default_junk_rules: bool = True  # the built-in junk rules (junk.DEFAULT_PATTERNS)
    learned_junk: bool = True  # paragraphs the source repeats leave its content (boilerplate.py)
    full_text: bool = False  # fetch each new article's page and keep its main text (fulltext.py)
    # Whether the public sees its feed URL and site URL (/sources, its page, our feeds' source
    # links, OPML exports); None: as `url_published` decides by default.
    publish_url: bool | None = None

    @property
    def url_published(self) -> bool:
        """Whether its URLs are published: by default not when it may reach private networks
        (an intranet feed's address, http://10.1.2.3/feed, is nothing the public should read)."""
        return not self.allow_private_networks if self.publish_url is None else self.publish_url


def article_settings(source: SourceConfig) -> SourceConfig:
    """`source` without the settings its articles are not made with: how often it is polled,
    how much pages rank it, which networks it may reach, whether its URLs are published. An
    edit of those alone fetches the feed with its validators and cleans nothing again (a change
    of `[fetch] interval` had fetched every source at once without them, and cleaned every
    entry again)."""
    return dataclasses.replace(
        source, interval=0.0, weight=1.0, allow_private_networks=(), publish_url=None
    )


@dataclass(frozen=True)
class Config:
    site: SiteConfig = field(default_factory=SiteConfig)
    fetch: FetchConfig = field(default_factory=FetchConfig)
    retention: RetentionConfig = field(default_factory=RetentionConfig)
    serve: ServeConfig = field(default_factory=ServeConfig)
    stories: StoriesConfig = field(default_factory=StoriesConfig)
    categories: tuple[Category, ...] = ()
    sources: tuple[SourceConfig, ...] = ()
    path: str = ""  # where it was read from

    def source(self, source_id: str) -> SourceConfig | None:
        return self._sources_by_id.get(source_id)

    @functools.cached_property
    def _sources_by_id(self) -> dict[str, SourceConfig]:
        # A job looks up each of its sources: a scan was O(sources) per lookup, 10 ms a job
        # at 10,000 sources (docs/benchmarks.md, "Scale"). Built once per config object.
        by_id: dict[str, SourceConfig] = {}
        for source in self.sources:
            by_id.setdefault(source.id, source)  # the first wins, as the scan did
        return by_id

    @functools.cached_property
    def unpublished_source_ids(self) -> frozenset[str]:
        """The sources whose URLs are not published (SourceConfig.url_published): built once per
        config object, not at each feed's render (a scan of 60,000 sources each time)."""
        return frozenset(s.id for s in self.sources if not s.url_published)

    @functools.cached_property
    def _unpublished_source_ids_by_category(self) -> dict[str, tuple[str, ...]]:
        by_slug: dict[str, list[str]] = {}
        for source in self.sources:
            if not source.url_published:
                for slug in source.categories:
                    by_slug.setdefault(slug, []).append(source.id)
        return {slug: tuple(sorted(set(ids))) for slug, ids in by_slug.items()}

    def unpublished_source_ids_of(self, slug: str | None) -> tuple[str, ...]:
        """The ids of a category's (None: every) sources whose URLs are not published, sorted:
        a feed's settings fingerprint, the same in every process (a set's order is each
        process's string hashing) and moved by no other category's sources."""
        if slug is None:
            return tuple(sorted(self.unpublished_source_ids))
        return self._unpublished_source_ids_by_category.get(slug, ())

    def category(self, slug: str) -> Category | None:
        return next((c for c in self.categories if c.slug == slug), None)


# --- loading and checking ----------------------------------------------------------------------

log = logging.getLogger(__name__)

DEFAULT_PATH = "aggregator.toml"
ENV_VAR = "AGGREGATOR_CONFIG"

_SLUG = re.compile(r"[a-z0-9-]{1,64}")
_LANGUAGE = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")
_DURATION_PART = re.compile(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([dhms])", re.IGNORECASE)
_DURATION_UNITS = {"d": 86400.0, "h": 3600.0, "m": 60.0, "s": 1.0}
_SIZE = re.compile(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([kmg]i?b?|b)?\s*", re.IGNORECASE)
_SIZE_UNITS = {"": 1, "b": 1, "k": 1000, "m": 1000**2, "g": 1000**3}
_BINARY_SIZE_UNITS = {"k": 1024, "m": 1024**2, "g": 1024**3}


class _Invalid(ValueError):
    """One value is wrong; the message says what and, when obvious, how to fix it."""


def parse_duration(value: str | int | float) -> float:
    """Seconds in `value`: a number of seconds or a string like "90s", "15m", "1h30m", "2d"."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise _Invalid(f'expected a duration like "15m" or a number of seconds, got {_kind(value)}')
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"[0-9]+(?:\.[0-9]+)?", text):
            seconds = float(text)
        else:
            parts = _DURATION_PART.findall(text)
            if not text or "".join(_DURATION_PART.sub("", text).split()):
                raise _Invalid(
                    f'not a duration: "{value}"; write e.g. "90s", "15m", "1h30m", "2d"'
                    " or a number of seconds"
                )
            seconds = sum(float(n) * _DURATION_UNITS[u.lower()] for n, u in parts)
    else:
        seconds = float(value)
    if not math.isfinite(seconds) or seconds < 0:
        raise _Invalid(f"not a duration: {value!r}; it must be zero or more seconds")
    return seconds


def format_duration(seconds: float) -> str:
    """`seconds` as "1d2h", "15m", "1m30s" or "0.5s" (the inverse of parse_duration)."""
    if seconds != int(seconds):
        return f"{seconds:g}s"
    rest = int(seconds)
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        count, rest = divmod(rest, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts) or "0s"


def parse_size(value: str | int) -> int:
    """Bytes in `value`: an integer or a string like "10MiB", "5MB", "512KiB", "2048"."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise _Invalid(f'expected a size like "10MiB" or a number of bytes, got {_kind(value)}')
    if isinstance(value, int):
        size = value
    else:
        match = _SIZE.fullmatch(value)
        if not match:
            raise _Invalid(f'not a size: "{value}"; write e.g. "10MiB", "5MB" or a number of bytes')
        number, unit = match[1], (match[2] or "").lower()
        factor = _BINARY_SIZE_UNITS[unit[0]] if "i" in unit else _SIZE_UNITS[unit[:1]]
        if not math.isfinite(float(number) * factor):
            raise _Invalid(f'not a size: "{value}"; it is too large')
        size = int(float(number) * factor)
    if size < 0:
        raise _Invalid(f"not a size: {value!r}; it must be zero or more bytes")
    return size


def format_size(size: int) -> str:
    """`size` bytes as "10MiB", "1500B": exact binary units when they fit, else bytes."""
    for unit, factor in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if size and size % factor == 0:
            return f"{size // factor}{unit}"
    return f"{size}B"


# Category slugs the URLs use for themselves (web/embed.py: "all" is every category merged).
RESERVED_SLUGS = frozenset({"all"})


def slugify(name: str) -> str:
    """ASCII slug of `name`: "Example News" -> "example-news"; "" when nothing ASCII is left."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:64].strip("-")


def derive_source_id(name: str, url: str) -> str:
    """A source's id when it has no `id`: its name slugified, else "s-" + sha1(url)[:10]."""
    slug = slugify(name)
    if slug:
        return slug
    # A name with no ASCII letters or digits (e.g. Chinese) gives no slug; the URL is stable
    # enough instead. (Digits alone do make one: "36氪" is "36". Changing that would change the
    # ids of sources running under it, so it stays, and the docs say so.)
    return "s-" + hashlib.sha1(url.encode(), usedforsecurity=False).hexdigest()[:10]


def load_config(path: str | os.PathLike[str] | None = None) -> Config:
    """Read and check the config file: `path`, else $AGGREGATOR_CONFIG, else ./aggregator.toml."""
    if path is None:
        path = os.environ.get(ENV_VAR) or DEFAULT_PATH
    where = os.fspath(path)
    try:
        raw = Path(where).read_bytes()
    except FileNotFoundError:
        fix = (
            f"copy aggregator.example.toml to aggregator.toml (or point ${ENV_VAR} at your"
            " config file)"
            if where == DEFAULT_PATH
            else f"check the path (--config, or ${ENV_VAR}), or copy aggregator.example.toml there"
        )
        raise ConfigError([f"{where}: no such file; {fix}"], where) from None
    except OSError as e:
        raise ConfigError([f"{where}: cannot read it: {e.strerror}"], where) from e
    return parse_config(raw, path=where)


def parse_config(raw: bytes | str, *, path: str = "") -> Config:
    """Check the TOML `raw` and build the Config, or raise one ConfigError listing every problem."""
    where = path or "config"
    if isinstance(raw, bytes):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            line = raw[: e.start].count(b"\n") + 1
            raise ConfigError(
                [f"{where}: line {line}: not UTF-8 text; save the file as UTF-8"], path
            ) from e
    else:
        text = raw
    # A byte order mark (Windows Notepad writes one) read as "Invalid statement" at line 1,
    # column 1, a line that looks right in every editor. It is no part of the text: dropped.
    text = text.removeprefix("\ufeff")
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        # The message ends with "(at line L, column C)"; then what it likely means.
        hints = "".join(f"; {hint}" for hint in _toml_hints(text, str(e)))
        raise ConfigError([f"{where}: not valid TOML: {e}{hints}"], path) from e
    except RecursionError as e:
        # tomllib reads arrays and inline tables by recursion: some hundreds of levels raised
        # this out of check-config as a traceback, and out of a running scheduler's poll.
        raise ConfigError(
            [
                f"{where}: line {_deepest_line(text)}: arrays or inline tables nested too deeply"
                " to read (hundreds of levels): look for brackets opened there and never closed"
            ],
            path,
        ) from e
    problems: list[str] = []
    config = _check(document, problems, path)
    if problems:
        # In the file's order, as an operator fixes it (they came in the order keys are
        # checked); one with no line (a table written inline) follows them, in its order.
        lines = problem_lines(text, problems)
        order = sorted(range(len(problems)), key=lambda i: (lines[i] is None, lines[i] or 0))
        problems = [problems[i] for i in order]
        raise ConfigError(problems, path, [lines[i] for i in order])
    return config


# The place a problem names: "sources[1] (name "B").url", "site.timezone", "categories[0]".
_PLACE = re.compile(
    r"(?P<table>[A-Za-z_][\w-]*)(?:\[(?P<index>\d+)\])?(?: \([^()]*\))?"
    r"(?:\.(?P<key>[A-Za-z_][\w-]*))?"
)
_HEADER = re.compile(r"\s*(\[\[?)\s*([A-Za-z_][\w-]*)\s*\]")


_ARRAYS = {"sources": "source", "categories": "category"}  # the tables written [[name]]
_TOML_AT = re.compile(r"\(at line (\d+), column (\d+)\)$")


def _deepest_line(text: str) -> int:
    """The line where brackets and braces outside strings and comments are nested deepest."""
    depth = deepest = 0
    line = at = 1
    quote = ""
    escaped = False
    for char in text:
        if char == "\n":
            line += 1
            quote = "" if quote == "#" else quote
        elif escaped:
            escaped = False
        elif quote:
            escaped = quote == '"' and char == "\\"
            quote = "" if char == quote and quote != "#" else quote
        elif char in "\"'#":
            quote = char
        elif char in "[{":
            depth += 1
            if depth > deepest:
                deepest, at = depth, line
        elif char in "]}":
            depth -= 1
    return at


def _toml_hints(text: str, error: str) -> list[str]:
    """What a TOML parser's message likely means, in the file's words ("Cannot overwrite a
    value" at the second [[sources]] was a first block written [sources]; "Cannot declare
    ('fetch',) twice" named neither header; "Illegal character '\\n'" a string left open)."""
    hints = []
    first: dict[str, int] = {}  # a [table]'s name -> the line of its first header
    for n, line in enumerate(text.splitlines(), 1):
        header = _HEADER.match(line)
        if header is None or header[1] == "[[":
            continue
        name = header[2]
        if name in _ARRAYS:
            one = _ARRAYS[name]
            hints.append(
                f"line {n}: [{name}] should be [[{name}]]: each {one} is a block of its own"
            )
        elif name in first:
            hints.append(
                f"line {n}: [{name}] again (the first is on line {first[name]}): a table is"
                f" written once; move these keys under the first [{name}] and delete this header"
            )
        else:
            first[name] = n
    at = _TOML_AT.search(error)
    if at and error.startswith("Illegal character '\\n'"):
        hints.append(f"line {at[1]}: a string is not closed: add its closing quote")
    lines = text.splitlines()
    error_line = int(at[1]) if at else len(lines) + 1
    line = lines[error_line - 1] if error_line <= len(lines) else ""
    if error.startswith("Expected '=' after a key") and _COLON_KEY.match(line):
        # name: "One", as YAML writes it.
        hints.append(f"line {error_line}: TOML writes key = value, not key: value")
        return hints
    if error.startswith("Invalid value") and (word := _CAPITAL_BOOL.search(line)):
        said = word[1].lower()
        hints.append(
            f"line {error_line}: TOML writes {said}, in lower case"
            if said in ("true", "false")
            else f"line {error_line}: TOML's booleans are true and false, not {word[1]}"
        )
        return hints
    curly = _CURLY_QUOTES.search(line)
    if curly and error.startswith("Invalid value"):
        # name = “One”, pasted from a word processor or a chat: "Invalid value" and a column.
        hints.append(
            f"line {error_line}: {curly[0]} is a typographic quote: write strings between"
            ' straight quotes, "like this"'
        )
        return hints
    if error.startswith(("Unclosed array", "Invalid value")):
        # `categories = ["news"` ran on to the next key or header, or to the end of the file:
        # the parser named where it noticed, not the line to mend.
        opened = _open_array_line(lines, error_line)
        if opened is not None:
            hints.append(f"line {opened}: an array is not closed: end it with ]")
            return hints
    unquoted = _UNQUOTED.match(line)
    if (
        unquoted
        and error.startswith(("Invalid value", "Expected newline or end of document"))
        and not _is_toml_value(unquoted[2])
    ):
        # `interval = 30m` read as the number 30 and then "m": "Expected newline or end of
        # document after a statement"; `name = Aeon` "Invalid value", and nothing more.
        key, value = unquoted[1], unquoted[2]
        fix = (
            f'{key} = "{value}"'
            if '"' not in value and "\\" not in value
            else f"put {key}'s value between quotes"
        )
        hints.append(f"line {error_line}: a text value is written between quotes: {fix}")
    if at and error.startswith("Unescaped '\\'"):
        hints.append(f"line {error_line}: {_backslash_hint(line, int(at[2]))}")
    if at and error.startswith("Cannot overwrite a value"):
        key = _BARE_KEY.match(lines[error_line - 1]) if error_line <= len(lines) else None
        twice = _earlier_key_line(lines, error_line - 1, key[1]) if key else None
        if key and twice:
            hints.append(
                f"line {error_line}: {key[1]} is set twice in this table (first on line"
                f" {twice}): keep one"
            )
    return hints


_BARE_KEY = re.compile(r"\s*([A-Za-z0-9_-]+)\s*=")
_COLON_KEY = re.compile(r"\s*[A-Za-z0-9_-]+\s*:")
_CAPITAL_BOOL = re.compile(r"=\s*(True|False|TRUE|FALSE|[Yy]es|[Nn]o|[Oo]n|[Oo]ff)\s*(?:#.*)?$")
_CURLY_QUOTES = re.compile("[\u201c\u201d\u2018\u2019\u201e\u00ab\u00bb]")
# `key = value` whose value is a word or more left unquoted: it holds a letter and opens
# with no quote, bracket or brace.
_UNQUOTED = re.compile(
    r"""\s*([A-Za-z0-9_-]+)\s*=\s*([^\s"'\[{#][^#]*?[^\W\d_][^#]*?|[^\W\d_])\s*(?:#.*)?$"""
)
_STRING = re.compile(r""""(?:[^"\\]|\\.)*"|'[^']*'""")


def _backslash_hint(line: str, column: int) -> str:
    """How to write the string holding the backslash at `column` of `line`: `"^\\d+ dead"` is
    "Unescaped '\\'", a regular expression's \\d or a Windows path's \\N being no TOML escape."""
    said = "between double quotes a backslash starts an escape such as \\n; "
    literal = next((s[0] for s in _STRING.finditer(line) if s.start() < column <= s.end()), "")
    if literal.startswith('"') and "'" not in literal:
        return (
            f"{said}write it between single quotes, which keep every backslash: '{literal[1:-1]}'"
        )
    return f"{said}write each backslash twice, \\\\"


def _backspace_problem(pattern: str) -> str:
    """A pattern holding a backspace: TOML's "\\b" between double quotes, where a regular
    expression means a word's edge; it matched nothing, and no article (for an include)."""
    meant = pattern.replace("\b", "\\b")
    fix = (
        f"write it between single quotes: '{meant}'"
        if "'" not in meant
        else 'write each backslash twice: "' + meant.replace("\\", "\\\\") + '"'
    )
    return (
        f"holds a backspace, what TOML makes of \\b between double quotes; for a word's edge {fix}"
    )


def _is_toml_value(value: str) -> bool:
    """Whether `value` alone is a TOML value (true, 1e3, 2026-12-01…): then it was not the
    mistake."""
    try:
        tomllib.loads(f"v = {value}")
    except tomllib.TOMLDecodeError:
        return False
    return True


def _open_array_line(lines: Sequence[str], before: int) -> int | None:
    """The line (from 1) of the key above line `before`, in its table, whose array is still
    open there, or None."""
    depth, opened = 0, None
    for n in range(min(before - 1, len(lines))):
        code = _STRING.sub('""', lines[n]).split("#", 1)[0]
        if depth == 0:
            if _HEADER.match(code):
                continue
            if not _BARE_KEY.match(code):
                continue
            opened, code = n + 1, code.partition("=")[2]
        depth = max(depth + code.count("[") - code.count("]"), 0)
    return opened if depth > 0 else None


def _earlier_key_line(lines: Sequence[str], index: int, key: str) -> int | None:
    """The line (from 1) above `lines[index]`, in its table, that sets `key` too, or None."""
    for n in range(index - 1, -1, -1):
        if _HEADER.match(lines[n]):
            return None
        match = _BARE_KEY.match(lines[n])
        if match and match[1] == key:
            return n + 1
    return None


def problem_lines(text: str, problems: Sequence[str]) -> list[int | None]:
    """The line (from 1) of the file each problem is on: its key's, else its table's header's;
    None when the file writes it otherwise (inline tables, dotted keys: the place says it)."""
    lines = text.splitlines()
    headers: dict[tuple[str, bool], list[int]] = {}  # (table, whether [[array]]) -> line indexes
    for n, line in enumerate(lines):
        if header := _HEADER.match(line):
            headers.setdefault((header[2], header[1] == "[["), []).append(n)
    found: list[int | None] = []
    for problem in problems:
        place = _PLACE.match(problem)
        if place is None:
            found.append(None)
            continue
        table, index, key = place.group("table", "index", "key")
        if index is None and key is None:  # a top-level key ("sources = 3"), or a table's
            # name ("[fetchh]", "[[source]]": its first header)
            starts = headers.get((table, False)) or headers.get((table, True)) or []
            found.append(_key_line(lines, 0, table) or (starts[0] + 1 if starts else None))
            continue
        starts = headers.get((table, index is not None), [])
        wanted = int(index or 0)
        if wanted >= len(starts):
            found.append(None)
            continue
        start = starts[wanted]
        found.append((_key_line(lines, start + 1, key) if key else None) or start + 1)
    return found


def _key_line(lines: Sequence[str], start: int, key: str) -> int | None:
    """The line (from 1) that sets `key` in the table whose lines begin at `start`, or None."""
    name = re.escape(key)
    written = re.compile(rf"""\s*(?:{name}|"{name}"|'{name}')\s*=""")
    for n in range(start, len(lines)):
        if lines[n].lstrip().startswith("["):
            return None
        if written.match(lines[n]):
            return n + 1
    return None


# --- value checkers: each returns the converted value or raises _Invalid -----------------------


def _kind(value: object) -> str:
    """The TOML name of a value's type, with an article, for messages."""
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, int):
        return f"an integer ({value})"
    if isinstance(value, float):
        return f"a float ({value})"
    if isinstance(value, str):
        return f'a string ("{value}")'
    if isinstance(value, list):
        # "expected an array of category slugs like ["world"], got an array" said nothing of
        # what was wrong with `[{slug = "tech"}]` or `[["ads"]]`.
        odd = next((v for v in value if not isinstance(v, str)), None)
        if odd is None:
            return "an array"
        return f"an array holding {_kind(odd)}" + (f" at item {value.index(odd) + 1}")
    if isinstance(value, dict):
        return "a table"
    return f"a {type(value).__name__} ({value})"


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise _Invalid(f"expected a string, got {_kind(value)}")
    return value


def _title(value: object) -> str:
    """A name shown to readers (the site's, a category's, a source's), without direction
    controls: the pages set a name apart in its own isolate (U+2068…U+2069) inside a sentence,
    and a name's own U+2069 then U+202E, which OPML import copies from a file as written,
    turned the rest of that sentence around (a review). Nor with what no XML may carry, as an
    article's title: controls and U+FFFE, which the feeds dropped, reached every page's
    <title> and heading."""
    text = _BIDI_CONTROL.sub("", xml_text(_text(value))).strip()
    if not text:
        raise _Invalid("must not be empty")
    return text


_BIDI_CONTROL = re.compile("[\u202a-\u202e\u2066-\u2069]")


def _description(value: object) -> str:
    """The site's or a category's description, cleaned as a name is (`_title`), and may be
    empty: its controls reached every page's lede and <meta name="description"> (the feeds
    dropped them), and an override left open reversed the rest of it in the feeds too."""
    return _BIDI_CONTROL.sub("", xml_text(_text(value))).strip()


def _header_text(value: object) -> str:
    text = _text(value)
    if any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise _Invalid("must not contain control characters (it is sent as an HTTP header)")
    return text


def _bool(value: object) -> bool:
    if not isinstance(value, bool):
        raise _Invalid(f"expected true or false, got {_kind(value)}")
    return value


def _every_sources_access(value: object) -> bool:
    """fetch.allow_private_networks: true or false, for every source; the networks and hosts
    one may reach are listed on it (the same key as a list here was "expected true or false",
    with no word of where a list is written)."""
    if isinstance(value, list):
        raise _Invalid(
            f"expected true or false, got {_kind(value)}: a list of networks and hosts is a"
            " source's own; write allow_private_networks = [...] in each [[sources]] block that"
            " reaches them"
        )
    return _bool(value)


PARSERS = ("auto", "feedparser")


def _parser(value: object) -> str:
    if value not in PARSERS:
        raise _Invalid(
            f'expected "auto" (the fast parser where it reads a document as feedparser does) '
            f'or "feedparser" (always the reference parser), got {_kind(value)}'
        )
    return str(value)


def _duration(value: object) -> float:
    seconds = parse_duration(value)  # type: ignore[arg-type]  # it checks the type itself
    if seconds <= 0:
        raise _Invalid("must be longer than zero")
    return seconds


def _seconds(value: object) -> int:
    return round(parse_duration(value))  # type: ignore[arg-type]


# More than any feed, store or machine holds; a count beyond Valkey's 64-bit integers (TOML's
# too, which Python's parser does not hold to) killed the scheduler at every tick.
MAX_COUNT = 1_000_000_000


def _count(minimum: int) -> Callable[[object], int]:
    def check(value: object) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise _Invalid(f"expected an integer, got {_kind(value)}")
        if value < minimum:
            raise _Invalid(f"must be {minimum} or more, got {value}")
        if value > MAX_COUNT:
            raise _Invalid(f"must be at most {MAX_COUNT}, got {value}")
        return value

    return check


def _size(value: object) -> int:
    size = parse_size(value)  # type: ignore[arg-type]
    if size <= 0:
        raise _Invalid("must be more than zero bytes")
    return size


def _number(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _Invalid(f"expected a number, got {_kind(value)}")
    if not math.isfinite(value) or value <= 0:
        raise _Invalid(f"must be more than zero, got {value}")
    return float(value)


def _fraction(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _Invalid(f"expected a number between 0 and 1, got {_kind(value)}")
    if not 0 <= value <= 1:
        raise _Invalid(f"must be between 0 and 1 (0.1 means up to 10% more), got {value}")
    return float(value)


def _http_url(value: object) -> str:
    url = _text(value).strip()
    problem = url_problem(url)
    if problem:
        raise _Invalid(f'{problem}: "{url}"{url_hint(url)}')
    return url


# An http(s) scheme and the slashes after it, as browsers read them ("\\" is "/" to them).
_SLASHES = re.compile(r"(?i)(https?):([/\\]*)")
_DOCUMENTS = (".xml", ".rss", ".atom", ".rdf", ".json", ".opml", ".html", ".htm")


def url_hint(url: str) -> str:
    """The URL likely meant: a scheme added (http for this machine's or an address's, which
    serve http: "127.0.0.1:8000/feed.xml"), a misspelt one mended ("htp://"), a browser's
    subscribe link's ("feed://") replaced; or why none is (a file, a calendar)."""
    scheme, separator, rest = url.partition("://")
    lowered = scheme.lower()
    document = not separator and "/" not in url and url.lower().endswith(_DOCUMENTS)
    if lowered == "file" or document or (not separator and url.startswith(("/", ".", "~"))):
        # "./feeds/x.xml" was "did you mean https://./feeds/x.xml?", "feed.xml" "https://feed.xml"
        return (
            " (a file's path, not a URL: serve it over HTTP, e.g. python3 -m http.server, and"
            " give its http:// address; a source on this machine also needs"
            " allow_private_networks = true)"
        )
    if lowered == "webcal":
        return " (webcal:// subscribes to a calendar, which is no feed)"
    if separator and lowered == "feed":  # a browser's subscribe link: feed://host/path
        return url_hint(rest)
    if url.lower().startswith("feed:"):  # feed:https://host/path
        rest = url[len("feed:") :]
        return f' (did you mean "{rest}"?)' if not url_problem(rest) else ""
    if (slashes := _SLASHES.match(url)) and slashes[2] != "//":
        # "https:host/feed", "https:/host", "https:///host": a browser reads the host after
        # any slashes (WHATWG URL); the address stays as written elsewhere, so it is named.
        mended = f"{slashes[1].lower()}://{url[slashes.end() :]}"
        return f' (did you mean "{mended}"?)' if not url_problem(mended) else ""
    if "\\" in url:  # "https://host\\feed.xml", as Windows writes a path
        mended = url.replace("\\", "/")
        return f' (did you mean "{mended}"?)' if not url_problem(mended) else ""
    if separator:
        close = difflib.get_close_matches(lowered, ("http", "https"), n=1, cutoff=0.6)
        mended = f"{close[0]}://{rest}" if close and close[0] != lowered else ""
    else:
        host = url.split("/")[0].rpartition(":")[0] or url.split("/")[0]
        local = host == "localhost" or _is_address(host.strip("[]"))
        named = re.fullmatch(r"[\w-]+(\.[\w-]+)+\.?", host) is not None  # not ".", ".."
        mended = ("http://" if local else "https://") + url if named or local else ""
    return f' (did you mean "{mended}"?)' if mended and not url_problem(mended) else ""


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def url_problem(url: str) -> str:
    """Why `url` is not an absolute http(s) URL with a host, or "" when it is one."""
    if any(c.isspace() or ord(c) < 32 for c in url):
        return "a URL must not contain spaces or control characters"
    try:
        parts = urlsplit(url)
        if "\\" in parts.netloc:
            # A browser reads it as "/"; urllib and httpx as part of the host ("its port is not
            # a number" where the URL names a port): a source that failed at every fetch.
            return "a URL's host holds no backslash; write / for a path"
        parts.port  # noqa: B018  # raises ValueError on a bad port
    except ValueError as e:
        port = "out of range" in str(e) or "Port could not" in str(e)
        return "its port is not a number from 1 to 65535" if port else "not a valid URL"
    if parts.scheme.lower() not in ("http", "https"):
        return "not an absolute http(s) URL"
    if not parts.hostname:
        return "a URL needs a host"
    return ""


def _optional_url(value: object) -> str:
    """A page's or a picture's address (site_url, icon, image…), where "/about" is a path of a
    site, not a file to serve: the feed URL's hint, python3 -m http.server, misled there."""
    if isinstance(value, str) and value.startswith("/") and not value.startswith("//"):
        raise _Invalid(
            f'a path alone, not a URL: "{value}"; write the whole address, e.g.'
            f' "https://example.com{value}"'
        )
    return "" if value == "" else _http_url(value)


def _base_url(value: object) -> str:
    # Stored without a trailing slash so every link is base_url + "/path".
    url = _http_url(value).rstrip("/")
    parts = urlsplit(url)
    # Every link is built by appending a path: a query or fragment would end up inside them
    # ("https://host/?x=1/c/world/feed.atom"), and a user name would be published in each.
    if parts.query or parts.fragment or "?" in url or "#" in url:
        raise _Invalid(f'the site\'s address takes no "?" or "#" part: "{url}"')
    if parts.username is not None or parts.password is not None:
        raise _Invalid(f'the site\'s address takes no user name or password: "{url}"')
    return url


def _language(value: object) -> str:
    tag = _text(value).strip()
    if not _LANGUAGE.fullmatch(tag):
        hint = f' (did you mean "{tag.replace("_", "-")}"?)' if "_" in tag else ""
        raise _Invalid(f'not a language tag like "en", "zh-CN" or "pt-BR": "{tag}"{hint}')
    return tag


def _optional_language(value: object) -> str:
    return "" if value == "" else _language(value)


# Apple Podcasts' categories and their subcategories (podcasters.apple.com/support/1691), the
# values of <itunes:category>, which other directories read too.
PODCAST_CATEGORIES: dict[str, tuple[str, ...]] = {
    "Arts": ("Books", "Design", "Fashion & Beauty", "Food", "Performing Arts", "Visual Arts"),
    "Business": (
        "Careers", "Entrepreneurship", "Investing", "Management", "Marketing", "Non-Profit"
    ),
    "Comedy": ("Comedy Interviews", "Improv", "Stand-Up"),
    "Education": ("Courses", "How To", "Language Learning", "Self-Improvement"),
    "Fiction": ("Comedy Fiction", "Drama", "Science Fiction"),
    "Government": (),
    "History": (),
    "Health & Fitness": (
        "Alternative Health", "Fitness", "Medicine", "Mental Health", "Nutrition", "Sexuality"
    ),
    "Kids & Family": ("Education for Kids", "Parenting", "Pets & Animals", "Stories for Kids"),
    "Leisure": (
        "Animation & Manga", "Automotive", "Aviation", "Crafts", "Games", "Hobbies",
        "Home & Garden", "Video Games",
    ),
    "Music": ("Music Commentary", "Music History", "Music Interviews"),
    "News": (
        "Business News", "Daily News", "Entertainment News", "News Commentary", "Politics",
        "Sports News", "Tech News",
    ),
    "Religion & Spirituality": (
        "Buddhism", "Christianity", "Hinduism", "Islam", "Judaism", "Religion", "Spirituality"
    ),
    "Science": (
        "Astronomy", "Chemistry", "Earth Sciences", "Life Sciences", "Mathematics",
        "Natural Sciences", "Nature", "Physics", "Social Sciences",
    ),
    "Society & Culture": (
        "Documentary", "Personal Journals", "Philosophy", "Places & Travel", "Relationships"
    ),
    "Sports": (
        "Baseball", "Basketball", "Cricket", "Fantasy Sports", "Football", "Golf", "Hockey",
        "Rugby", "Running", "Soccer", "Swimming", "Tennis", "Volleyball", "Wilderness",
        "Wrestling",
    ),
    "Technology": (),
    "True Crime": (),
    "TV & Film": ("After Shows", "Film History", "Film Interviews", "Film Reviews", "TV Reviews"),
}  # fmt: skip


# What podcast_category may say: "News", "News/Daily News".
_PODCAST_CHOICES = [*PODCAST_CATEGORIES] + [
    f"{category}/{sub}" for category, subs in PODCAST_CATEGORIES.items() for sub in subs
]


def _podcast_category(value: object) -> tuple[str, ...]:
    """ "News" or "News/Daily News": one of Apple's categories, or one of its subcategories."""
    parts = tuple(part.strip() for part in _text(value).split("/"))
    written = "/".join(parts)
    if written not in _PODCAST_CHOICES:
        hint = _did_you_mean(written, _PODCAST_CHOICES) or (
            f" (one of {', '.join(PODCAST_CATEGORIES)}, or one of theirs after a slash)"
        )
        raise _Invalid(f'"{value}" is not one of Apple Podcasts\' categories{hint}')
    return parts


def _selectors(value: object) -> tuple[str, ...]:
    """One CSS selector or an array of them; checked separately, per item, by the caller."""
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _Invalid(f'expected an array of CSS selectors like ["div.share"], got {_kind(value)}')
    return tuple(value)


def _timezone(value: object) -> str:
    name = _text(value).strip()
    try:
        dates.zone(name)
    except ValueError:
        hint = _zone_hint(name)
        raise _Invalid(
            f'not an IANA time zone: "{name}"{hint}'
            if hint
            else f'not an IANA time zone like "UTC", "Asia/Shanghai" or "Europe/Berlin": "{name}"'
        ) from None
    return name


# What operators write for a zone that is no IANA name: an abbreviation (the closest IANA
# name by spelling was another zone's: "PST" was "did you mean MST?", "IST" too) or a city
# whose zone is named after another ("Beijing"). Each is the zone most who write it mean.
_ZONE_WORDS = {
    "pst": "America/Los_Angeles",
    "pdt": "America/Los_Angeles",
    "pt": "America/Los_Angeles",
    "edt": "America/New_York",
    "et": "America/New_York",
    "cdt": "America/Chicago",
    "ct": "America/Chicago",
    "mdt": "America/Denver",
    "cst": "America/Chicago",  # (China's too: the message names both)
    "ist": "Asia/Kolkata",
    "jst": "Asia/Tokyo",
    "kst": "Asia/Seoul",
    "hkt": "Asia/Hong_Kong",
    "sgt": "Asia/Singapore",
    "bst": "Europe/London",
    "cest": "Europe/Berlin",
    "msk": "Europe/Moscow",
    "aest": "Australia/Sydney",
    "aedt": "Australia/Sydney",
    "beijing": "Asia/Shanghai",
    "china": "Asia/Shanghai",
    "india": "Asia/Kolkata",
    "new delhi": "Asia/Kolkata",
    "delhi": "Asia/Kolkata",
    "mumbai": "Asia/Kolkata",
}
_OFFSET_PLACES = {
    "8": "Asia/Shanghai",
    "9": "Asia/Tokyo",
    "7": "Asia/Bangkok",
    "5:30": "Asia/Kolkata",
    "3": "Europe/Moscow",
    "2": "Europe/Athens",
    "1": "Europe/Berlin",
    "10": "Australia/Sydney",
    "-5": "America/New_York",
    "-6": "America/Chicago",
    "-8": "America/Los_Angeles",
}
_OFFSET = re.compile(r"(?:utc|gmt)?\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?", re.IGNORECASE)


def _zone_hint(name: str) -> str:
    """The zone `name` likely means, as ' (did you mean "…"?)', or ""."""
    folded = name.lower().replace(" ", "_")
    zones = sorted(_zone_names())
    same = [z for z in zones if z.lower() == folded]  # "europe/paris", "America/New York"
    if same:
        return f' (did you mean "{same[0]}"?)'
    word = _ZONE_WORDS.get(" ".join(name.lower().split()))
    if word == "America/Chicago":
        return ' (did you mean "America/Chicago", or "Asia/Shanghai" for China\'s CST?)'
    if word:
        return f' (did you mean "{word}"?)'
    offset = _OFFSET.fullmatch(name)
    if offset:
        sign, hours, minutes = offset.groups()
        written = f"{sign}{int(hours)}" + (f":{minutes}" if minutes and minutes != "00" else "")
        if written == "+0" or written == "-0":
            return ' (did you mean "UTC"?)'
        place = _OFFSET_PLACES.get(written.lstrip("+"), "")
        example = f'"{place}" for UTC{written}' if place else "its Area/City name"
        posix = f"Etc/GMT{'-' if sign == '+' else '+'}{int(hours)}"
        fixed = posix in _zone_names() and (minutes or "00") == "00"
        return f" (name the place's zone, {example}: it keeps the place's summer time" + (
            f'; a fixed offset is "{posix}", its sign reversed as POSIX writes it)'
            if fixed
            else ")"
        )
    city = [z for z in zones if z.lower().rsplit("/", 1)[-1] == folded]  # "Tokyo", "new york"
    if city:
        return f' (did you mean "{city[0]}"?)'
    region = [z for z in zones if z.lower().startswith(folded.rstrip("/") + "/")]
    if region:  # "Europe": tzdata's folder of zones
        return f' (a region: name a zone in it, such as "{region[0]}")'
    return _did_you_mean(name, zones)  # "Europe/Pariss"


@functools.cache
def _zone_names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def _slug(value: object) -> str:
    slug = _text(value)
    if not _SLUG.fullmatch(slug):
        suggestion = slugify(slug)
        hint = f' (did you mean "{suggestion}"?)' if suggestion else ""
        raise _Invalid(
            f'"{slug}" is not a slug: use lower-case ASCII letters, digits and hyphens,'
            f" at most 64{hint}"
        )
    return slug


def _slugs(value: object) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise _Invalid(f'expected an array of slugs, e.g. ["old-news"], got {_kind(value)}')
    return tuple(_slug(v) for v in value)


def slug_problem(slug: str) -> str:
    """Why `slug` cannot name a category ("" when it can): for slugs given outside the file."""
    if slug in RESERVED_SLUGS:
        return f'"{slug}" is reserved (/embed/{slug} means every category merged)'
    try:
        _slug(slug)
    except _Invalid as e:
        return str(e)
    return ""


def private_access_problem(value: object) -> str:
    """Why `value` cannot be a source's allow_private_networks ("" when it can): for a value
    given outside the file (`import-opml --allow-private-networks`)."""
    try:
        _private_access(value)
    except _Invalid as e:
        return str(e)
    return ""


def _origins(value: object) -> tuple[str, ...]:
    # These go into a Content-Security-Policy header: one bad character could rewrite the policy.
    if not isinstance(value, list) or not value:
        raise _Invalid(
            'expected a non-empty array like ["*"] or ["\'self\'", "https://example.com"]'
        )
    origins = []
    for item in value:
        origin = _text(item)
        if not origin or re.search(r"[\s;,\"]", origin) or any(ord(c) < 32 for c in origin):
            raise _Invalid(f'not a CSP frame-ancestors source: "{origin}"')
        origins.append(origin)
    if "'none'" in origins and len(origins) > 1:
        raise _Invalid("'none' must be the only entry")
    return tuple(origins)


def _words(value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise _Invalid(f'expected an array of words like ["key", "token"], got {_kind(value)}')
    return tuple(v.strip() for v in value)


def _secret_words(value: object) -> tuple[str, ...]:
    """The operator's words, added to the built-in ones: a file naming its one feed's "feedcode"
    must not unmask every "token" and "key" (it did, when the list replaced them)."""
    return tuple(dict.fromkeys((*SECRET_PARAMETERS, *_words(value))))


def _patterns(value: object) -> tuple[str, ...]:
    """One regular expression or an array of them; checked separately, per item, by the caller."""
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _Invalid(f"expected a regular expression or an array of them, got {_kind(value)}")
    return tuple(value)


# What each section accepts: field name -> checker. The dataclass supplies the defaults.
_Checker = Callable[[object], Any]
_SECTIONS: dict[str, tuple[type[Any], dict[str, _Checker]]] = {
    "site": (
        SiteConfig,
        {
            "title": _title,
            "base_url": _base_url,
            "language": _language,
            "description": _description,
            "icon": _optional_url,
            "logo": _optional_url,
            "hub": _optional_url,
            "timezone": _timezone,
        },
    ),
    "fetch": (
        FetchConfig,
        {
            "allow_private_networks": _every_sources_access,
            "interval": _duration,
            "min_interval": _duration,
            "max_interval": _duration,
            "jitter": _fraction,
            "max_backoff": _duration,
            "connect_timeout": _duration,
            "read_timeout": _duration,
            "deadline": _duration,
            "max_body_bytes": _size,
            "max_redirects": _count(0),
            "adopt_redirect_after": _count(1),
            "user_agent": _header_text,
            "batch_size": _count(1),
            "concurrency": _count(1),
            "per_host": _count(1),
            "lease": _duration,
            "job_timeout": _duration,
            "parser": _parser,
        },
    ),
    "retention": (
        RetentionConfig,
        {
            "max_per_source": _count(1),
            "max_per_category": _count(1),
            "max_age_days": _number,
            "keep_newest": _count(0),
            "tombstone_days": _number,
        },
    ),
    "stories": (
        StoriesConfig,
        {"enabled": _bool, "window_days": _number, "per_source": _count(1)},
    ),
    "serve": (
        ServeConfig,
        {
            "cache_max_age": _seconds,
            "stale_while_revalidate": _seconds,
            "frame_ancestors": _origins,
            "secret_parameters": _secret_words,
        },
    ),
}
_TOP_LEVEL = (*_SECTIONS, "categories", "sources")


# --- the checking walk -------------------------------------------------------------------------


class _Table:
    """Reads one TOML table, recording problems instead of raising; `finish` finds unknown keys."""

    def __init__(self, data: Mapping[str, object], place: str, problems: list[str]) -> None:
        self.data = data
        self.place = place
        self.problems = problems
        self.known: list[str] = []
        self.failed: set[str] = set()
        self.missing: dict[str, tuple[str, str]] = {}  # a required key left out -> its
        # problem and example

    def at(self, key: str) -> str:
        return f"{self.place}.{key}" if self.place else key

    def problem(self, key: str, message: str) -> None:
        self.problems.append(f"{self.at(key)}: {message}")
        self.failed.add(key)

    def get(self, key: str, check: _Checker, default: Any) -> Any:
        self.known.append(key)
        if key not in self.data:
            return default
        try:
            return check(self.data[key])
        except _Invalid as e:
            self.problem(key, str(e))
            return default

    def required(self, key: str, check: _Checker, example: str) -> Any:
        if key not in self.data:
            self.known.append(key)
            self.problem(key, f"missing; add e.g. {key} = {example}")
            self.missing[key] = (self.problems[-1], example)
            return None
        return self.get(key, check, None)

    def ok(self, *keys: str) -> bool:
        return not self.failed.intersection(keys)

    def finish(self) -> None:
        for key in self.data:
            if key not in self.known:
                meant = _SYNONYMS.get(key)  # title = "…" in a source: its name
                close = (
                    [meant]
                    if meant in self.missing
                    else difflib.get_close_matches(key, list(self.missing), n=1, cutoff=0.6)
                )
                if close:  # "nmae": one problem, not "name: missing" too
                    missing, example = self.missing.pop(close[0])
                    self.problems.remove(missing)
                    self.problems.append(
                        f'{self.at(key)}: unknown key (did you mean "{close[0]}"? it is'
                        f" required: {close[0]} = {example})"
                    )
                    continue
                hint = (
                    _elsewhere(key, self.place)
                    or _listed_in_category(key, self.place, self.data.get("slug"))
                    or _outside(key, self.data[key])
                    or _did_you_mean(
                        meant if meant in self.known else key,
                        self.known,  # (exact: found)
                    )
                )
                self.problems.append(f"{self.at(key)}: unknown key{hint}")


# What an operator looks for in this file but is set where each process starts: `port = 8080`
# or a [redis] table was "unknown key" alone, [server] "did you mean serve?".
_WEB_PORT = (
    "the web's port is set where it starts: PORT=8080 make run, or aggregator run --port 8080"
    " (with site.base_url to match)"
)
_REDIS = (
    "the embedded Redis-compatible server opens no port (a Unix socket in the data directory,"
    " AGGREGATOR_DATA_DIR); another server is named by REDIS_URL in the environment"
)
_OUTSIDE = {
    "port": _WEB_PORT,
    "web_port": _WEB_PORT,
    "http_port": _WEB_PORT,
    "listen": _WEB_PORT,
    "host": "the web's address is set where it starts: aggregator run --host 0.0.0.0",
    "bind": "the web's address is set where it starts: aggregator run --host 0.0.0.0",
    "redis": _REDIS,
    "redis_url": _REDIS,
    "redis_port": _REDIS,
    "valkey": _REDIS,
    "admin_token": "the admin token is ADMIN_TOKEN in the environment, not in this file",
    "data_dir": "the data directory is AGGREGATOR_DATA_DIR in the environment",
    "workers": "the number of workers is aggregator run --workers N",
    "log_level": "the log level is LOG_LEVEL in the environment",
    "log_format": "the log format is LOG_FORMAT=json in the environment",
}


def _listed_in_category(key: str, place: str, slug: object) -> str:
    """A [[categories]] block that lists its sources (`sources = ["one"]`): the other way round
    here. It was "unknown key" alone."""
    if key not in ("sources", "source", "feeds") or not place.startswith("categories["):
        return ""
    slug = slug if isinstance(slug, str) and slug else "news"
    return (
        f": a category does not list its sources; each [[sources]] block names its own, with"
        f' categories = ["{slug}"]'
    )


def _outside(key: str, value: object) -> str:
    """Where a key set outside this file goes, as ": …"; a table of them ([server] port = …)
    is named by its first such key."""
    said = _OUTSIDE.get(key.lower())
    if said is None and isinstance(value, dict):
        said = next((_OUTSIDE[k.lower()] for k in value if k.lower() in _OUTSIDE), None)
    return f": {said}" if said else ""


def _elsewhere(key: str, place: str) -> str:
    """The table a block's unknown key belongs to, when it is one of a top-level table's: a
    table runs to the next header, so a [fetch] key written at the end of the file, below the
    last [[sources]] block, is read as that source's."""
    block = place.split("[", 1)[0]
    tables = [name for name, (_, checkers) in _SECTIONS.items() if key in checkers]
    if not tables:
        return ""
    if place == "":
        # `interval = "15m"` above [site]: it was "unknown key" alone.
        return (
            f": the top of the file holds no keys, only tables; it is a [{tables[0]}] key:"
            f" move it under [{tables[0]}]"
        )
    if block not in _ARRAYS or place == block:
        return ""
    return (
        f" here: it is a [{tables[0]}] key, read as this block's because a table runs to the next"
        f" header; move it under [{tables[0]}]"
    )


# Keys other programs name so, which spelling alone does not lead to ours.
_SYNONYMS = {
    "max_articles": "max_per_source",
    "max_items": "max_per_source",
    "keep": "max_per_source",
    "keep_days": "max_age_days",
    "days": "max_age_days",
    "feed": "url",
    "feed_url": "url",
    "xml_url": "url",
    "link": "site_url",
    "homepage": "site_url",
    "category": "categories",
    "tags": "categories",
    "title": "name",
    "name": "title",
    "tz": "timezone",
    "time_zone": "timezone",
    "refresh": "interval",
    "every": "interval",
}


def _did_you_mean(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f' (did you mean "{close[0]}"?)' if close else ""


def _table(document: Mapping[str, object], key: str, problems: list[str]) -> Mapping[str, object]:
    value = document.get(key, {})
    if not isinstance(value, dict):
        problems.append(f"{key}: expected a table ([{key}]), got {_kind(value)}")
        return {}
    return value


def _tables(document: Mapping[str, object], key: str, problems: list[str]) -> list[object]:
    value = document.get(key, [])
    if not isinstance(value, list):
        problems.append(f"{key}: expected [[{key}]] blocks, got {_kind(value)}")
        return []
    return value


def _check(document: Mapping[str, object], problems: list[str], path: str) -> Config:
    top = _Table(document, "", problems)
    top.known.extend(_TOP_LEVEL)
    top.finish()

    sections: dict[str, Any] = {}
    readers: dict[str, _Table] = {}
    for name, (cls, checkers) in _SECTIONS.items():
        defaults = cls()
        reader = _Table(_table(document, name, problems), name, problems)
        values = {
            key: reader.get(key, check, getattr(defaults, key)) for key, check in checkers.items()
        }
        reader.finish()
        sections[name] = _build(cls, values)  # also makes float fields floats: defaults are ints
        readers[name] = reader
    site: SiteConfig = sections["site"]
    fetch: FetchConfig = sections["fetch"]
    retention: RetentionConfig = sections["retention"]
    _check_fetch(fetch, readers["fetch"])
    if (
        readers["retention"].ok("keep_newest", "max_per_source")
        and retention.keep_newest > retention.max_per_source
    ):
        readers["retention"].problem(
            "keep_newest",
            f"{retention.keep_newest} is more than retention.max_per_source"
            f" ({retention.max_per_source}); lower it or raise max_per_source",
        )

    categories = _check_categories(_tables(document, "categories", problems), problems)
    intervals_ok = readers["fetch"].ok("interval", "min_interval", "max_interval")
    # [[category]] is reported as the unknown key it is; a source naming one of its slugs was
    # "unknown category" too, a second problem for one mistake (an operator's review).
    astray = "categories" not in document and any(
        key not in _TOP_LEVEL
        and (
            _SYNONYMS.get(key) == "categories"
            or difflib.get_close_matches(key, ["categories"], n=1, cutoff=0.6)
        )
        for key in document
    )
    sources = _check_sources(
        _tables(document, "sources", problems),
        categories,
        fetch,
        intervals_ok,
        problems,
        site,
        categories_astray=astray,
    )
    return Config(
        site=site,
        fetch=fetch,
        retention=retention,
        serve=sections["serve"],
        stories=sections["stories"],
        categories=categories,
        sources=sources,
        path=path,
    )


def _check_fetch(fetch: FetchConfig, reader: _Table) -> None:
    if reader.ok("min_interval", "max_interval") and fetch.min_interval > fetch.max_interval:
        reader.problem(
            "min_interval",
            f"{format_duration(fetch.min_interval)} is longer than fetch.max_interval"
            f" ({format_duration(fetch.max_interval)}); swap them or fix one",
        )
    elif reader.ok("interval", "min_interval", "max_interval") and not (
        fetch.min_interval <= fetch.interval <= fetch.max_interval
    ):
        reader.problem(
            "interval",
            f"{format_duration(fetch.interval)} is outside [fetch.min_interval,"
            f" fetch.max_interval] = [{format_duration(fetch.min_interval)},"
            f" {format_duration(fetch.max_interval)}]; change it or those limits"
            + _seconds_meant_as_minutes(
                reader.data.get("interval"), fetch.interval, fetch.min_interval
            ),
        )
    if reader.ok("deadline", "job_timeout") and fetch.job_timeout < fetch.deadline:
        reader.problem(
            "job_timeout",
            f"{format_duration(fetch.job_timeout)} is shorter than fetch.deadline"
            f" ({format_duration(fetch.deadline)}): jobs would be killed before their fetches"
            " time out; raise job_timeout",
        )


def _seconds_meant_as_minutes(written: object, interval: float, minimum: float) -> str:
    """interval = 15 or "15", meant as minutes: read as seconds, as documented, and said so
    (a source's was; `[fetch] interval = "15"` said only "15s is outside [5m, 1d]")."""
    bare = (isinstance(written, int | float) and not isinstance(written, bool)) or (
        isinstance(written, str) and written.strip().replace(".", "", 1).isdigit()
    )
    if not bare or interval >= minimum:
        return ""
    return f' (a number alone is seconds; for minutes, write "{str(written).strip()}m")'


def _check_categories(items: list[object], problems: list[str]) -> tuple[Category, ...]:
    categories: list[Category] = []
    first_index: dict[str, int] = {}
    for i, item in enumerate(items):
        place = f"categories[{i}]"
        if not isinstance(item, dict):
            problems.append(f"{place}: expected a [[categories]] table, got {_kind(item)}")
            continue
        reader = _Table(item, place, problems)
        slug = reader.required("slug", _slug, '"world"')
        title = reader.get("title", _title, None)
        description = reader.get("description", _description, "")
        collapse = reader.get("collapse_stories", _bool, True)
        language = reader.get("language", _optional_language, "")
        image = reader.get("image", _optional_url, "")
        podcast_category = reader.get("podcast_category", _podcast_category, ())
        explicit = reader.get("explicit", _bool, None)
        former = reader.get("former_slugs", _slugs, ())
        reader.finish()
        if slug is None:
            continue
        if slug in RESERVED_SLUGS:
            reader.problem(
                "slug",
                f'"{slug}" is reserved: /embed/{slug} means every category merged; choose another'
                f' slug, e.g. "{slug}-news"',
            )
            continue
        if slug in first_index:
            reader.problem(
                "slug", f'"{slug}" is already defined by categories[{first_index[slug]}]'
            )
            continue
        first_index[slug] = i
        categories.append(
            Category(
                slug=slug,
                title=title or slug,
                description=description,
                collapse_stories=collapse,
                language=language,
                image=image,
                podcast_category=podcast_category,
                explicit=explicit,
                former_slugs=former,
            )
        )
    claimed: dict[str, str] = {}
    for category in categories:
        for old in category.former_slugs:
            place = f"categories[{first_index[category.slug]}].former_slugs"
            if old in first_index or old in RESERVED_SLUGS:
                problems.append(
                    f'{place}: "{old}" is a category\'s slug now; it cannot also lead here'
                )
            elif old in claimed:
                problems.append(f'{place}: "{old}" already leads to "{claimed[old]}"')
            else:
                claimed[old] = category.slug
    return tuple(categories)


def _source_place(index: int, item: object) -> str:
    """Where a source is in the file, by position and by what names it: sources[3] (id "bbc")."""
    if isinstance(item, dict):
        for key in ("id", "name"):
            value = item.get(key)
            if isinstance(value, str) and value.strip():
                shown = " ".join(value.split())
                shown = shown if len(shown) <= 60 else shown[:59] + "…"
                return f"sources[{index}] ({key} {json.dumps(shown, ensure_ascii=False)})"
    return f"sources[{index}]"


def _check_sources(
    items: list[object],
    categories: tuple[Category, ...],
    fetch: FetchConfig,
    intervals_ok: bool,
    problems: list[str],
    site: SiteConfig | None = None,
    *,
    categories_astray: bool = False,
) -> tuple[SourceConfig, ...]:
    """The sources, checked; `categories_astray`: the categories are written under a mistaken
    key (already reported), so the slugs sources name are not checked against them."""
    site = site or SiteConfig()
    slugs = [c.slug for c in categories]
    sources: list[SourceConfig] = []
    # id -> (index, how it came about) and normalized URL -> index, for duplicate reports.
    ids: dict[str, tuple[int, str]] = {}
    urls: dict[str, int] = {}
    for i, item in enumerate(items):
        place = _source_place(i, item)
        if not isinstance(item, dict):
            problems.append(f"{place}: expected a [[sources]] table, got {_kind(item)}")
            continue
        reader = _Table(item, place, problems)
        name = reader.required("name", _title, '"Example News"')
        url = reader.required("url", _http_url, '"https://example.com/feed.xml"')
        example = f'["{slugs[0]}"]' if slugs else '["world"]'  # (one the file defines)
        wanted = reader.required("categories", _category_list, example)
        interval = reader.get("interval", _duration, fetch.interval)
        include = reader.get("include", _patterns, ())
        exclude = reader.get("exclude", _patterns, ())
        explicit_id = reader.get("id", _slug, None)
        site_url = reader.get("site_url", _optional_url, "")
        language = reader.get("language", _optional_language, "")
        private = reader.get("allow_private_networks", _private_access, ())
        weight = reader.get("weight", _number, 1.0)
        timezone = reader.get("timezone", _timezone, "")
        strip_selectors = reader.get("strip_selectors", _selectors, ())
        strip_patterns = reader.get("strip_patterns", _patterns, ())
        default_junk_rules = reader.get("default_junk_rules", _bool, True)
        learned_junk = reader.get("learned_junk", _bool, True)
        full_text = reader.get("full_text", _bool, False)
        publish_url = reader.get("publish_url", _bool, None)
        reader.finish()
        for j, selector in enumerate(strip_selectors):
            if problem := junk.selector_problem(selector):
                problems.append(f"{place}.strip_selectors[{j}]: {problem}")

        for j, slug in enumerate(() if categories_astray else wanted or ()):
            if slug not in slugs:
                defined = ", ".join(slugs) or "none"
                # categories = ["Tech News"]: the title the pages show, not the slug.
                titled = [c.slug for c in categories if c.title.casefold() == slug.casefold()]
                fix = (
                    f'; "{slug}" is the title of "{titled[0]}": name its slug'
                    if titled
                    else _did_you_mean(slug, slugs)
                    # categories = ["all"]: it was told to add a block with slug = "all", which
                    # is refused as reserved.
                    or (
                        f'; "{slug}" is every category merged, no category of its own: name the'
                        " ones it belongs in"
                        if slug in RESERVED_SLUGS
                        else None
                    )
                    or (
                        f'; add a [[categories]] block with slug = "{slug}", or name one defined'
                        if not slug_problem(slug)
                        else f"; name one defined, or add a [[categories]] block with slug ="
                        f' "{slugify(slug) or "news"}" and title = "{slug}", and name that slug'
                    )
                )
                problems.append(
                    f'{place}.categories[{j}]: unknown category "{slug}"; defined: {defined}{fix}'
                )
        if (
            "interval" in item
            and reader.ok("interval")
            and intervals_ok
            and not fetch.min_interval <= interval <= fetch.max_interval
        ):
            reader.problem(
                "interval",
                f"{format_duration(interval)} is outside [fetch.min_interval,"
                f" fetch.max_interval] = [{format_duration(fetch.min_interval)},"
                f" {format_duration(fetch.max_interval)}]; change it or those limits"
                + _seconds_meant_as_minutes(item["interval"], interval, fetch.min_interval),
            )
        patterned = (("include", include), ("exclude", exclude), ("strip_patterns", strip_patterns))
        for key, patterns in patterned:
            for j, pattern in enumerate(patterns):
                if "\b" in pattern:
                    problems.append(f"{place}.{key}[{j}]: {_backspace_problem(pattern)}")
                    continue
                try:
                    junk.config_regex(pattern)  # (what it warns of: config_warnings)
                    if key == "strip_patterns":  # as junk joins them to one
                        junk.config_regex(f"(?:{junk.scoped(pattern)})|x")
                except re.error as e:
                    problems.append(
                        f'{place}.{key}[{j}]: not a valid regular expression "{pattern}": {e}'
                    )
        if strip_patterns and not any(p.startswith(f"{place}.strip_patterns[") for p in problems):
            try:  # (joined as junk joins them: two naming a group alike fail only so)
                junk.config_regex("|".join(f"(?:{junk.scoped(p)})" for p in strip_patterns))
            except re.error as e:
                problems.append(
                    f"{place}.strip_patterns: cannot be joined into one regular expression, as"
                    f" they are applied: {e}; give each group a name of its own"
                )

        if url is not None:
            key = url_key(url)
            if key in urls:
                reader.problem(
                    "url",
                    f"same URL as {_source_place(urls[key], items[urls[key]])}; list a source once"
                    " and give it"
                    " several categories instead",
                )
            else:
                urls[key] = i

        if name is None or url is None or ("id" in item and explicit_id is None):
            continue  # already reported; an id cannot be checked without these
        source_id = explicit_id or derive_source_id(name, url)
        derived_from = "" if explicit_id else "name" if slugify(name) else "URL"
        if source_id in ids:
            other, other_derived_from = ids[source_id]
            if explicit_id:
                how = f", derived from its {other_derived_from}" if other_derived_from else ""
                reader.problem(
                    "id",
                    f'"{source_id}" is already the id of {_source_place(other, items[other])}{how};'
                    " choose another one",
                )
            else:
                problems.append(
                    f'{place}: its derived id "{source_id}" (from its {derived_from}) is already'
                    f" the id of {_source_place(other, items[other])};"
                    " give one of them an explicit id"
                )
            continue
        ids[source_id] = (i, derived_from)
        sources.append(
            SourceConfig(
                id=source_id,
                name=name,
                url=url,
                categories=wanted or (),
                interval=interval,
                include=include,
                exclude=exclude,
                site_url=site_url,
                language=language,
                allow_private_networks=private,
                weight=weight,
                timezone=timezone,
                default_timezone=site.timezone,
                strip_selectors=strip_selectors,
                strip_patterns=strip_patterns,
                default_junk_rules=default_junk_rules,
                learned_junk=learned_junk,
                full_text=full_text,
                publish_url=publish_url,
            )
        )
    return tuple(sources)


# Labels of letters, digits and inner hyphens, joined by single dots: "intranet..corp" was taken
# as a host no URL can name, so its source stayed refused with its setting looking right.
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
_HOST_NAME = re.compile(rf"{_LABEL}(?:\.{_LABEL})*\.?")


def _private_access(value: object) -> tuple[str, ...]:
    """A source's allow_private_networks: true, false, or the networks and hosts it may reach."""
    if isinstance(value, bool):
        return ("*",) if value else ()
    if not isinstance(value, list):
        raise _Invalid(
            'expected true, false or an array like ["10.1.2.0/24", "intranet.corp"],'
            f" got {_kind(value)}"
        )
    bad = []  # every one named at once, as every problem of the file is
    for n, item in enumerate(value):
        if not isinstance(item, str):
            raise _Invalid(
                f"item {n + 1} is {_kind(item)}: networks and hosts are written as strings, like"
                ' "10.1.2.0/24" or "intranet.corp"'
            )
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError:
            if not _HOST_NAME.fullmatch(item):
                bad.append(f'"{item}"')
    if len(bad) == 1:
        raise _Invalid(f'{bad[0]} is neither a network like "10.1.2.0/24" nor a host name')
    if bad:
        named = f"{', '.join(bad[:-1])} and {bad[-1]}"
        raise _Invalid(f'{named} are neither networks like "10.1.2.0/24" nor host names')
    return tuple(value)


def _category_list(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        raise _Invalid(f'expected an array of category slugs, e.g. ["{value}"]')
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _Invalid(f'expected an array of category slugs like ["world"], got {_kind(value)}')
    if not value:
        raise _Invalid('must name at least one category, e.g. ["world"]')
    return tuple(dict.fromkeys(value))  # a slug listed twice counts once


def url_key(url: str) -> str:
    """`url` with the parts that never tell two feeds apart normalized, for duplicate checks."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    default_port = {"http": 80, "https": 443}.get(parts.scheme.lower())
    netloc = host if parts.port in (None, default_port) else f"{host}:{parts.port}"
    return urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", parts.query, ""))


# --- passing the config to other machines ------------------------------------------------------


def dumps(config: Config) -> str:
    """The config as JSON, so the scheduler can publish it for workers and web on other machines."""
    return json.dumps(dataclasses.asdict(config), ensure_ascii=False, separators=(",", ":"))


def loads(raw: str) -> Config:
    """The Config that `dumps` wrote: equal to the original, field types included."""
    data = json.loads(raw)
    return Config(
        site=_build(SiteConfig, data["site"]),
        fetch=_build(FetchConfig, data["fetch"]),
        retention=_build(RetentionConfig, data["retention"]),
        serve=_build(ServeConfig, data["serve"]),
        stories=_build(StoriesConfig, data.get("stories", {})),  # absent: published before it
        categories=tuple(_build(Category, c) for c in data["categories"]),
        sources=tuple(_build(SourceConfig, s) for s in data["sources"]),
        path=data["path"],
    )


_T = typing.TypeVar("_T")


def _build(cls: type[_T], data: Mapping[str, Any]) -> _T:
    """The dataclass `cls` from JSON: arrays become tuples, numbers take the field's type."""
    values: dict[str, Any] = {}
    # Fields this version does not know are skipped: during a rolling upgrade a newer scheduler
    # may publish a config to older workers.
    for name, kind in _field_kinds(cls):  # type: ignore[arg-type]
        if name not in data:
            continue
        value = data[name]
        if kind == "float":
            value = float(value)
        elif kind == "tuple":
            value = tuple(value)
        values[name] = value
    return cls(**values)


@functools.cache
def _field_kinds(cls: type) -> tuple[tuple[str, str], ...]:
    """(field, "float" | "tuple" | "") of a dataclass, worked out once: `typing.get_type_hints`
    evaluates every annotation, and per source it was most of reading a 10,000-source config."""
    hints = typing.get_type_hints(cls)
    out = []
    for f in dataclasses.fields(cls):
        hint = hints[f.name]
        kind = "float" if hint is float else "tuple" if typing.get_origin(hint) is tuple else ""
        out.append((f.name, kind))
    return tuple(out)


# --- what `aggregator check-config` prints -----------------------------------------------------


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def summary(config: Config) -> str:
    """A readable overview: file, site, counts, each category with its sources, changed settings."""
    site = config.site
    lines = [
        f"Config: {config.path or '(not from a file)'}",
        f'Site: "{site.title}" at {site.base_url} (language {site.language})',
        f"{_plural(len(config.categories), 'category', 'categories')}, "
        f"{_plural(len(config.sources), 'source', 'sources')}",
    ]
    for category in config.categories:
        members = [s for s in config.sources if category.slug in s.categories]
        lines.append("")
        lines.append(
            f"[{category.slug}] {category.title}: {_plural(len(members), 'source', 'sources')}"
        )
        for source in members:
            extras = []
            if source.interval != config.fetch.interval:
                extras.append(f"every {format_duration(source.interval)}")
            if source.include:
                extras.append(f"include {json.dumps(list(source.include), ensure_ascii=False)}")
            if source.exclude:
                extras.append(f"exclude {json.dumps(list(source.exclude), ensure_ascii=False)}")
            if source.language:
                extras.append(f"language {source.language}")
            if source.allow_private_networks:
                reach = ", ".join(source.allow_private_networks).replace("*", "any")
                extras.append(f"may reach private networks: {reach}")
            if not source.url_published:
                extras.append("URLs not published")
            extra = f"  ({'; '.join(extras)})" if extras else ""
            lines.append(f"  {source.id}: {source.name} <{source.url}>{extra}")
    changed = []
    for name, (cls, checkers) in _SECTIONS.items():
        defaults = cls()
        section = getattr(config, name)
        for key, check in checkers.items():
            value = getattr(section, key)
            if value != getattr(defaults, key):
                changed.append(f"  {name}.{key} = {_show(value, check)}")
    lines.append("")
    if changed:
        lines.append("Settings that differ from the defaults:")
        lines.extend(changed)
    else:
        lines.append("All settings are the defaults.")
    return "\n".join(lines)


def _show(value: object, check: _Checker) -> str:
    if check in (_duration, _seconds) and isinstance(value, int | float):
        return f'"{format_duration(value)}"'
    if check is _size and isinstance(value, int):
        return f'"{format_size(value)}"'
    if isinstance(value, tuple):
        value = list(value)
    return json.dumps(value, ensure_ascii=False)


# --- reloading on change -----------------------------------------------------------------------


def dropped_former_slugs(before: Config, after: Config) -> list[str]:
    """What `after` stops redirecting that `before` did: a category renamed a second time
    with only its last slug in former_slugs (`city` → `metro`, former_slugs = ["city"], where
    "local" led to "city"). Its subscribers of /c/local/ then get 410 Gone, and feed readers
    drop them, without a word. A removed category's slugs are Gone as meant: not said."""
    served = {c.slug for c in after.categories}
    served |= {slug for c in after.categories for slug in c.former_slugs}
    said = []
    for old in before.categories:
        for slug in old.former_slugs:
            if slug in served:
                continue
            now = next(
                (
                    (i, c)
                    for i, c in enumerate(after.categories)
                    if c.slug == old.slug or old.slug in c.former_slugs
                ),
                None,
            )
            if now is None:
                continue
            i, category = now
            keep = ", ".join(f'"{s}"' for s in (*category.former_slugs, slug))
            said.append(
                f'categories[{i}] ("{category.slug}").former_slugs: "{slug}" led to'
                f' "{old.slug}" before this edit and now leads nowhere: its subscribers get 410'
                f" Gone and feed readers drop them; keep it: former_slugs = [{keep}]"
            )
    return said


def check_losses(before: Config, after: Config, text: str = "") -> None:
    """Raise a ConfigError when `after`, replacing the running `before`, would delete what
    sources stored by what is almost surely a slip, not a wish (`text`: the file, for the
    problems' lines):

    - it names no source while `before` has some (the categories kept: a cut not pasted back);
    - a source was renamed, and its id, which comes from its name when it has no `id`, changed
      with it (the source the same URL had is removed): a rename deleted every article its
      feed no longer lists, and every article's link changed.
    """
    if before.sources and not after.sources:
        problems = [
            f"sources: the file names no source, and the running config has"
            f" {len(before.sources)}: every source's articles would be deleted (to stop them"
            " all, stop the service; to remove some, delete their [[sources]] tables)"
        ]
        raise ConfigError(problems, after.path, problem_lines(text, problems))
    ids = {s.id for s in after.sources}
    removed = [s for s in before.sources if s.id not in ids]
    by_url, by_name = {s.url: s for s in removed}, {s.name: s for s in removed}
    kept = {s.id for s in before.sources}
    problems = []
    for i, source in enumerate(after.sources):
        if source.id in kept or source.id != derive_source_id(source.name, source.url):
            continue  # not a new id, or one given on purpose
        afresh = f'(or, to start it afresh, an id of your own, such as id = "{source.id}-2")'
        if (old := by_url.get(source.url)) is not None:
            # Its name the same, the running config gave this URL an id of its own (a file
            # made from an OPML export, which carries no ids): "renamed from" itself misled.
            change = (
                f'renamed from "{old.name}", which changes its id (taken from its name)'
                if old.name != source.name
                else "without the id the running config gives it, its id (taken from its name)"
                " changes"
            )
            problems.append(
                f'sources[{i}] (name "{source.name}").name: {change} from "{old.id}" to'
                f' "{source.id}": the articles it stored would be deleted and their links'
                f' change; add id = "{old.id}" to keep them {afresh}'
            )
        elif (old := by_name.get(source.name)) is not None and not slugify(source.name):
            problems.append(
                f'sources[{i}] (name "{source.name}").url: its new URL changes its id (taken'
                f" from its URL, as its name has no letters a slug is made of) from"
                f' "{old.id}" to "{source.id}": the articles it stored would be deleted and their'
                f' links change; add id = "{old.id}" to keep them {afresh}'
            )
    if problems:
        raise ConfigError(problems, after.path, problem_lines(text, problems))


# How much older than the read that saw them a config file's times must be to be trusted
# (ConfigWatcher.poll): more than the coarsest file system clock (FAT's 2 s).
RACY_SECONDS = 2.5
# How long a file whose status has not changed goes unread (ConfigWatcher.poll): a file system
# that caches status (NFS, for up to a minute) can show an edited file unchanged, while opening it
# reads it anew.
UNREAD_SECONDS = 30.0


class ConfigWatcher:
    """Notices edits of the config file: returns each new valid version, keeps the last good one."""

    def __init__(self, path: str | os.PathLike[str], initial: Config) -> None:
        self.path = os.fspath(path)
        self.current = initial
        self._seen: bytes | None = None  # hash of the content last acted on
        self._settling: bytes | None = None  # hash of new content waiting to hold still
        self._reported: bytes | None = None  # hash of the last broken content we logged
        # The file's identity and times when it was last read holding `_seen`, once they were old
        # enough to be trusted (see poll): while they stay the same it is not read again.
        self._still: tuple[int, ...] | None = None
        self._still_since = 0.0  # (time.monotonic()) when it was last read holding `_still`
        # What is wrong with the file while it cannot be applied (one line each), else empty.
        self.problems: list[str] = []
        # Valid edits read, a comment's included (it moves the lines that follow it: what names
        # a line must be told again).
        self.edits = 0
        self._valid = self._digest()  # of the last valid content, at first the one `initial` is

    def started_invalid(self, problems: Sequence[str]) -> None:
        """The file, read at start-up, could not be applied, and that was said: not "changed but
        is invalid" again at the first poll, as if an edit had broken it since."""
        self._seen = self._reported = self._digest()
        self._valid = None
        self.problems = list(problems)

    def poll(self) -> Config | None:
        """The new Config if the file holds a different, valid one that held still for a poll."""
        # The file is read only when its inode, size, mtime or ctime changed (it was read and
        # hashed whole every second: 50 MB a second for a file of 50 MB). An editor that
        # replaces the file changes the inode; one that writes in place changes the size or the
        # times, unless it writes again within one tick of the file system's clock (1 to 2 s on
        # some) with the same size: the "racy git" problem. So times are trusted only once they
        # are RACY_SECONDS older than the read that saw them; until then the file is read at
        # each poll, as it always was; and at least every UNREAD_SECONDS.
        try:
            st = os.stat(self.path)
            stamp = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
            if stamp == self._still and time.monotonic() - self._still_since < UNREAD_SECONDS:
                return None
            self._still = None
            read_at = time.time_ns()
            raw = Path(self.path).read_bytes()
        except OSError as e:
            # Whatever appears next must be looked at, even the same content.
            self._seen = self._still = None
            self._warn_once(
                f"unreadable:{e.errno}".encode(),
                f"cannot read config file {self.path} ({e.strerror}); keeping the last good config",
            )
            return None
        digest = hashlib.sha256(raw).digest()
        if digest == self._seen:
            if read_at - max(st.st_mtime_ns, st.st_ctime_ns) > RACY_SECONDS * 1e9:
                self._still, self._still_since = stamp, time.monotonic()
            return None
        if digest != self._settling:
            # An editor that truncates and rewrites in place can be caught half-way, and an
            # empty file is a valid config with no sources. Content is acted on only once it has
            # stayed the same for a whole poll interval.
            self._settling = digest
            return None
        self._seen = digest
        try:
            config = parse_config(raw, path=self.path)
        except ConfigError as e:
            self._warn_once(
                digest,
                "config file changed but is invalid; keeping the last good config",
                {"path": self.path, "problems": e.located},  # logged one line per problem
            )
            return None
        if not config.sources and not config.categories and self.current.sources:
            # An empty file (a failed write, `> aggregator.toml`) is a valid config that would
            # stop every source and empty the site: never what an edit of a running one means.
            self._warn_once(
                digest,
                f"config file {self.path} now holds no sources and no categories; keeping the "
                "last good config (to remove every source, stop the service)",
            )
            return None
        try:
            check_losses(self.current, config, raw.decode("utf-8", "replace"))
        except ConfigError as e:
            self._warn_once(
                digest,
                "config file changed, but would delete stored articles; keeping the last good"
                " config",
                {"path": self.path, "problems": e.located},
            )
            return None
        if self._reported is not None:
            log.info("config file %s is valid again", self.path)
            self._reported = None
        self.problems = []
        self.edits += digest != self._valid
        self._valid = digest
        if dataclasses.replace(config, path=self.current.path) == self.current:
            return None  # an edit that changes nothing, e.g. in a comment
        self.current = config
        return config

    def _digest(self) -> bytes | None:
        try:
            return hashlib.sha256(Path(self.path).read_bytes()).digest()
        except OSError:
            return None

    def _warn_once(self, key: bytes, message: str, fields: dict[str, object] | None = None) -> None:
        problems = (fields or {}).get("problems")
        self.problems = list(problems) if isinstance(problems, list) else [message]
        if key != self._reported:
            self._reported = key
            log.warning("%s", message, extra={"fields": fields or {}})
