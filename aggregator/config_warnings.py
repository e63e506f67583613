"""Things in a valid config that are probably mistakes: what `aggregator check-config` warns of.

The config itself (aggregator/config.py) refuses what cannot work; these pass its checks but
rarely mean what their author wanted.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from aggregator.addresses import private_host
from aggregator.config import Config, problem_lines
from aggregator.fetch import PrivateAccess
from aggregator.redact import MASK, secrets_in_url


def config_warnings(config: Config) -> list[str]:
    """Things in a valid config that are probably mistakes, each with its place."""
    warnings = []
    seen_urls: dict[str, int] = {}
    seen_names: dict[str, int] = {}
    for i, source in enumerate(config.sources):
        place = f"sources[{i}] ({source.id})"
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
    return [
        f"line {line}: {warning}" if line else warning
        for warning, line in zip(warnings, lines, strict=True)
    ]
