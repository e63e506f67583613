"""Things in a valid config that are probably mistakes: what `aggregator check-config` warns of.

The config itself (aggregator/config.py) refuses what cannot work; these pass its checks but
rarely mean what their author wanted.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

from aggregator import junk
from aggregator.addresses import private_host
from aggregator.config import Config, problem_lines
from aggregator.fetch import PrivateAccess
from aggregator.redact import MASK, secrets_in_url

# tzdata's legacy zones, valid IANA names that rarely mean what their writer wanted: "EST"
# reads a New York feed an hour off all summer. Each with what it is and the zone meant.
_ALL_YEAR = "with no summer time, so a feed from there is read an hour off all summer"
_POSIX = "a legacy zone of POSIX rules, not a place's (its past dates follow no place)"
LEGACY_ZONES = {
    "EST": (f"UTC-5 all year, {_ALL_YEAR}", "America/New_York", ' ("America/Panama" keeps UTC-5)'),
    "MST": (f"UTC-7 all year, {_ALL_YEAR}", "America/Denver", ' (Arizona\'s: "America/Phoenix")'),
    "HST": ("UTC-10 all year, Hawaii's clock under a legacy name", "Pacific/Honolulu", ""),
    "EST5EDT": (_POSIX, "America/New_York", ""),
    "CST6CDT": (_POSIX, "America/Chicago", ""),
    "MST7MDT": (_POSIX, "America/Denver", ""),
    "PST8PDT": (_POSIX, "America/Los_Angeles", ""),
    "CET": (_POSIX, "Europe/Berlin", ' (or the country\'s, such as "Europe/Paris")'),
    "MET": (_POSIX, "Europe/Berlin", ' (or the country\'s, such as "Europe/Paris")'),
    "EET": (_POSIX, "Europe/Athens", ' (or the country\'s, such as "Europe/Helsinki")'),
    "WET": (_POSIX, "Europe/Lisbon", ""),
}


def _zone_warning(place: str, name: str) -> str:
    if name not in LEGACY_ZONES:
        return ""
    what, zone, aside = LEGACY_ZONES[name]
    return f'{place}: "{name}" is {what}; name the place\'s zone, "{zone}"{aside}'


# A pattern that matches an empty text (".*", "", "a*", "x|") matches every article or
# paragraph: `exclude = [".*"]` emptied a source without a word (an operator's review).
_MATCHING_EVERYTHING = {
    "include": "matches every article (it matches an empty text), so it filters nothing",
    "exclude": "matches every article (it matches an empty text), so the source shows nothing;"
    " to stop a source, remove its block",
    "strip_patterns": "matches every paragraph (it matches an empty text), and an article never"
    " loses all its text, so it removes nothing; name the words to remove",
}


def _matches_nothing_warning(key: str, pattern: str) -> str:
    """What a pattern that matches an empty text does under `key`, or "" for any other."""
    try:
        regex = junk.config_regex(pattern)
    except re.error:
        return ""
    # (And a text such as filters read, "title\ntext": "^$" matches only what is never read.)
    everything = all(regex.search(text) for text in ("", "A title\nIts text, in words."))
    return _MATCHING_EVERYTHING[key] if everything else ""


def config_warnings(config: Config) -> list[str]:
    """Things in a valid config that are probably mistakes, each with its place."""
    warnings = []
    seen_urls: dict[str, int] = {}
    seen_names: dict[str, int] = {}
    if warning := _zone_warning("site.timezone", config.site.timezone):
        warnings.append(warning)
    for i, source in enumerate(config.sources):
        place = f"sources[{i}] ({source.id})"
        if warning := _zone_warning(f"{place}.timezone", source.timezone):
            warnings.append(warning)
        patterned = (
            ("include", source.include),
            ("exclude", source.exclude),
            ("strip_patterns", source.strip_patterns),
        )
        for key, patterns in patterned:
            for j, pattern in enumerate(patterns):
                if said := junk.regex_warning(pattern):
                    warnings.append(
                        f'{place}.{key}[{j}]: "{pattern}": Python warns "{said}" (a later'
                        " Python will read a [, or a doubled - & ~ |, inside [...] otherwise):"
                        " escape it if it is meant as itself, as '\\[' or \"\\\\[\" in TOML"
                    )
                if warning := _matches_nothing_warning(key, pattern):
                    warnings.append(f'{place}.{key}[{j}]: "{pattern}" {warning}')
        parts = urlsplit(source.url)
        host = (parts.hostname or "").lower()
        for secret in secrets_in_url(source.url, config.serve.secret_parameters):
            warnings.append(
                f"{place}.url: holds {secret}; public pages, feeds, OPML and logs show it"
                f" {'removed' if 'user name' in secret else 'as ' + MASK}, the admin pages in full"
            )
        if parts.fragment:
            warnings.append(f"{place}.url: the #{parts.fragment} part is never sent to the server")
        access = PrivateAccess.of(
            source.allow_private_networks, config.fetch.allow_private_networks
        )
        if private_host(host) and not access.covers(host):
            warnings.append(
                f"{place}.url: {host} is a local or private address; it is refused unless the"
                " source sets allow_private_networks"
            )
        # The config already refuses the same URL twice; these differ only in ways that
        # rarely name two different feeds.
        loose = host.removeprefix("www.") + ":" + str(parts.port or "") + parts.path.rstrip("/")
        loose += "?" + parts.query if parts.query else ""
        if loose in seen_urls:
            other = seen_urls[loose]
            warnings.append(
                f"{place}.url: probably the same feed as sources[{other}]"
                f" ({config.sources[other].url}); list it once with several categories"
            )
        else:
            seen_urls[loose] = i
        name = source.name.casefold()
        if name in seen_names:
            warnings.append(
                f"{place}.name: sources[{seen_names[name]}] has the same name;"
                " readers cannot tell them apart"
            )
        else:
            seen_names[name] = i
    site = urlsplit(config.site.base_url)
    if site.path not in ("", "/"):
        warnings.append(
            f"site.base_url: the path {site.path} is used by feeds and redirects, but the pages"
            " link from the host's root; serve the site at the root of its own host"
        )
    if config.fetch.allow_private_networks:
        warnings.append(
            "fetch.allow_private_networks: every source, and every redirect a source sends, may"
            " reach loopback and private networks; set allow_private_networks on the sources"
            " that need it instead"
        )
    if not config.sources:
        # An empty file, or one whose sources were all cut: check-config said "0 sources" and
        # nothing else, and a first `run` served an empty site without a word (a review).
        warnings.append(
            "sources: the file names no source, so nothing is polled; add [[sources]] blocks"
            " (aggregator.example.toml shows them)"
        )
    for j, category in enumerate(config.categories):
        if not any(category.slug in s.categories for s in config.sources):
            warnings.append(f'categories[{j}] ("{category.slug}"): no source is in it')
        if category.podcast_category or category.explicit is not None:
            # Apple's directory refuses a show without any of the three.
            missing = [
                key
                for key, value in (
                    ("image", category.image),
                    ("podcast_category", category.podcast_category),
                    ("explicit", category.explicit is not None),
                )
                if not value
            ]
            if missing:
                warnings.append(
                    f'categories[{j}] ("{category.slug}"): as a podcast, it needs'
                    f" {' and '.join(missing)} too: Apple Podcasts lists a show only with"
                    " artwork, a category and an explicit flag"
                )
    return warnings


def located_warnings(
    config: Config, text: str | None = None, besides: Config | None = None
) -> list[str]:
    """config_warnings, each with the line of the file it is on when known ("line 12: …"), as
    errors are: "sources[412]" is hard to find in a long file.

    `text` is the file's (else it is read from `config.path`); with `besides`, a config the
    file was edited from by appending, only the warnings that one did not have already.
    """
    known = set(config_warnings(besides)) if besides is not None else set()
    warnings = [w for w in config_warnings(config) if w not in known]
    if not warnings:
        return []
    if text is None:
        try:
            text = Path(config.path).read_text(encoding="utf-8") if config.path else ""
        except (OSError, UnicodeDecodeError):  # changed since it was read: the places still say
            text = ""
    lines = problem_lines(text.removeprefix("\ufeff"), warnings)
    located = sorted(  # in the file's order, as problems are; those with no line after them
        zip(warnings, lines, strict=True), key=lambda pair: (pair[1] is None, pair[1] or 0)
    )
    return [f"line {line}: {warning}" if line else warning for warning, line in located]
