"""OPML in and out: read subscription lists leniently, add them to the config file, export ours.

Importing appends the new [[categories]] and [[sources]] to the operator's TOML (written with
tomlkit), leaving every line they wrote as it was, and validates the result with the same checks
the service runs before writing anything.
Real OPML is often not well-formed XML: exporters leave `&` unescaped, quotes unescaped inside
attribute values, even HTML inside a description. A document that fails to parse is read again
with bare ampersands escaped, then with lxml's recovering parser; what recovery could not read is
reported with the line of the first error, and a document with nothing readable is rejected.
"""

from __future__ import annotations

import hashlib
import html.entities
import os
import re
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import urlsplit

import tomlkit
from tomlkit.items import Table

from aggregator.config import (
    Category,
    Config,
    SourceConfig,
    derive_source_id,
    load_config,
    parse_config,
    slugify,
    url_hint,
    url_key,
    url_problem,
)
from aggregator.config_warnings import located_warnings
from aggregator.errors import AggregatorError, ConfigError
from aggregator.redact import public_url
from aggregator.sanitize import as_uri
from aggregator.xml_text import xml_char, xml_text

DEFAULT_CATEGORY = "imported"

# An "&" that begins no character reference, or begins a name: XML knows five, HTML hundreds.
_REFERENCE = re.compile(rb"&(?:([A-Za-z][A-Za-z0-9]{1,31});|(?!#[0-9]+;|#x[0-9A-Fa-f]+;))")
_XML_ENTITIES = frozenset((b"amp", b"lt", b"gt", b"quot", b"apos"))
_NUMBERED = re.compile(rb"&#(?:[xX]([0-9A-Fa-f]{1,8})|([0-9]{1,10}));")
_DOCTYPE_START = re.compile(rb"<!DOCTYPE", re.IGNORECASE)
_NAME_END = re.compile(rb"[>\[]")  # where a DOCTYPE's name and identifiers end
_SUBSET_END = re.compile(rb"\]\s*>")  # where its internal subset does


class OpmlError(AggregatorError):
    """The file is not an OPML document we can read; the message says where."""


@dataclass(frozen=True)
class OpmlFeed:
    """One subscription from an OPML file."""

    url: str
    title: str  # may be ""
    html_url: str = ""
    folder: str = ""  # the enclosing outline's title or the `category` attribute; "" if none
    # A new category's title: the enclosing outline's, when `folder` is the slug our export
    # writes in the `category` attribute ("news" in the folder "News"); else `folder`.
    folder_title: str = ""


@dataclass
class ImportReport:
    """What an import did (or would do, when `error` is set and nothing was written)."""

    added: list[tuple[str, str, str]] = field(default_factory=list)  # (id, name, category)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (url, why)
    categories_created: list[str] = field(default_factory=list)
    error: str = ""
    warnings: list[str] = field(default_factory=list)  # check-config's, of what was added


# --- reading ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParsedOpml:
    """The feeds of an OPML document, and a warning when some of it could not be read."""

    feeds: list[OpmlFeed]
    warning: str = ""
    # The titles of outlines typed as feeds ("rss", "atom") that name no xmlUrl: reported, as
    # an import says what it could not read, where they vanished in silence.
    without_url: list[str] = field(default_factory=list)


def parse_opml(raw: bytes) -> ParsedOpml:
    """The feeds an OPML document lists, in document order."""
    # A DOCTYPE's internal subset can define entities; OPML never needs one
    # (docs/architecture.md, "Library pitfalls").
    raw = _without_doctype(raw)
    recovered_at = ""
    try:
        root = ET.fromstring(raw)  # noqa: S314 - no DTD left, expat refuses external entities
    except ET.ParseError as first:
        line, column = first.position
        where = f"line {line}, column {column + 1}"
        escaped = _mended(raw)
        try:
            root = ET.fromstring(escaped)  # noqa: S314
        except ET.ParseError:
            root = _recover(escaped, where)
            recovered_at = where
    if _local(root.tag).lower() != "opml":
        raise OpmlError(f"not an OPML document: its root element is <{root.tag}>, not <opml>")
    body = next((child for child in root if _local(child.tag) == "body"), None)
    if body is None:
        raise OpmlError("an OPML document needs a <body> with <outline> elements; it has none")
    feeds: list[OpmlFeed] = []
    without_url: list[str] = []
    # The whole tree, not only <body>: recovery can leave outlines after a broken one outside it.
    _walk(root, feeds, without_url)
    warning = ""
    listed = len(re.findall(rb"xmlurl\s*=", raw, re.IGNORECASE))
    if recovered_at and len(feeds) < listed:
        warning = (
            f"the file is not well-formed XML (first at {recovered_at}):"
            f" {listed - len(feeds)} of its {listed} feeds could not be read"
        )
    if not feeds and recovered_at:
        raise OpmlError(f"not well-formed XML at {recovered_at}, and no feed could be read")
    return ParsedOpml(feeds, warning, without_url)


def _without_doctype(raw: bytes) -> bytes:
    r"""`raw` without its first whole DOCTYPE: re.sub(rb"<!DOCTYPE[^>\[]*(?:\[.*?\])?\s*>", b"",
    raw, count=1, flags=DOTALL | IGNORECASE), in linear time. That pattern scanned to the end
    from every "<!DOCTYPE x [" when no "]>" followed: 20,000 of them, 260 KB, took 78 s."""
    name_end = -1  # the last DOCTYPE's end of name, shared by those that start before it
    unclosed_from = len(raw) + 1  # no internal subset opened at or after this closes
    for start in (m.start() for m in _DOCTYPE_START.finditer(raw)):
        if start >= name_end:
            found = _NAME_END.search(raw, start + 9)
            if found is None:
                return raw  # nothing after it ends a DOCTYPE, so nothing after ends a later one
            name_end = found.start()
        if raw[name_end] == ord(">"):
            return raw[:start] + raw[name_end + 1 :]
        if name_end >= unclosed_from:
            continue
        subset = _SUBSET_END.search(raw, name_end)
        if subset is not None:
            return raw[:start] + raw[subset.end() :]
        unclosed_from = name_end
    return raw


def _mended(raw: bytes) -> bytes:
    """`raw` with each bare "&" written "&amp;", and each HTML entity XML lacks ("&nbsp;", which
    exporters of HTML-minded tools write) as its number; an unknown name is text."""

    def mend(match: re.Match[bytes]) -> bytes:
        name = match[1]
        if name is None:
            return b"&amp;"
        if name in _XML_ENTITIES:
            return match[0]
        code = html.entities.name2codepoint.get(name.decode("ascii"))
        return b"&#%d;" % code if code else b"&amp;" + match[0][1:]

    def allowed(match: re.Match[bytes]) -> bytes:  # (&#xD800; made a tree nothing could write)
        code = int(match[1], 16) if match[1] else int(match[2])
        return match[0] if xml_char(code) else b"&#xFFFD;"

    return _NUMBERED.sub(allowed, _REFERENCE.sub(mend, raw))


def _recover(raw: bytes, where: str) -> ET.Element:
    """Parse broken XML as far as lxml's recovering parser gets; an ElementTree copy of it."""
    from lxml import etree  # type: ignore[import-untyped]

    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, load_dtd=False)
    try:
        root = etree.fromstring(raw, parser)
    except etree.XMLSyntaxError as e:
        raise OpmlError(f"not well-formed XML at {where}, and nothing could be recovered") from e
    if root is None:
        raise OpmlError(f"not well-formed XML at {where}, and nothing could be recovered")
    # Back to ElementTree, so the rest of the module reads one kind of tree.
    try:
        copy: ET.Element = ET.fromstring(etree.tostring(root))  # noqa: S314
    except (ET.ParseError, etree.Error) as e:  # (what lxml kept and cannot write, or ET refuses)
        raise OpmlError(f"not well-formed XML at {where}: {e}") from e
    return copy


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _attr(element: ET.Element, name: str) -> str:
    """An attribute by case-insensitive name (exporters write xmlUrl, xmlurl, XMLURL)."""
    wanted = name.lower()
    for key, value in element.attrib.items():
        if _local(key).lower() == wanted:
            return " ".join(value.split())
    return ""


def _walk(root: ET.Element, out: list[OpmlFeed], without_url: list[str]) -> None:
    """The feeds under `root`, in document order, each with its innermost folder. With a stack
    of its own, not recursion: 100,000 nested outlines (expat reads any depth) ended the import
    on a RecursionError's traceback."""
    stack: list[tuple[Iterator[ET.Element], str]] = [(iter(root), "")]
    while stack:
        children, folder = stack[-1]
        outline = next(children, None)
        if outline is None:
            stack.pop()
            continue
        if _local(outline.tag) != "outline":
            # Recovery from broken XML can leave outlines inside stray elements.
            stack.append((iter(outline), folder))
            continue
        title = _attr(outline, "title") or _attr(outline, "text")
        url = _attr(outline, "xmlUrl")
        if url:
            category = _attr(outline, "category").split(",")[0].strip().strip("/")
            category = category.rpartition("/")[2]  # "/Tech/Linux": the innermost folder
            ours = category and folder and slugify(category) == category  # (our export's)
            titled = folder if ours else ""
            out.append(OpmlFeed(url, title, _attr(outline, "htmlUrl"), category or folder, titled))
        elif _attr(outline, "type").lower() in ("rss", "atom"):
            without_url.append(title)
        stack.append((iter(outline), title or folder))


# --- adding to the config file ----------------------------------------------------------------


def import_feeds(
    config_path: str | os.PathLike[str],
    feeds: Sequence[OpmlFeed],
    category: str | None = None,
    *,
    write: bool = True,
    private: bool | Sequence[str] = False,
) -> ImportReport:
    """Add `feeds` to the config file as [[sources]], skipping URLs it already has.

    `category` puts every feed in that slug; otherwise each feed's OPML folder becomes one
    (slugified), else DEFAULT_CATEGORY. Missing [[categories]] are created. The edited file must
    pass the same checks as at start-up, or nothing is written and `error` says why.
    `private` is each new source's allow_private_networks (true, or the networks and hosts it
    may reach): a list of intranet feeds is refused without it.
    """
    path = Path(config_path)
    report = ImportReport()
    current = load_config(path)  # refuse to edit a file that is already broken
    text = path.read_text(encoding="utf-8")

    known_urls = {url_key(s.url) for s in current.sources}
    known_ids = {s.id for s in current.sources}
    slugs = {c.slug for c in current.categories}
    new_sources: list[Table] = []
    added_here: dict[str, Table] = {}  # URL key -> the table added for it by this import
    new_categories: list[Table] = []
    for feed in feeds:
        url = feed.url.strip()
        problem = url_problem(url)
        if problem:  # with the address likely meant: a feed:// subscribe link's, a scheme left out
            report.skipped.append((url, problem + url_hint(url)))
            continue
        key = url_key(url)
        if key in known_urls and key not in added_here:
            report.skipped.append((url, "already in the config"))
            continue
        slug, folder_title = _category_for(feed, category)
        if slug not in slugs:
            slugs.add(slug)
            table = tomlkit.table()
            table.add("slug", slug)
            table.add("title", folder_title or slug)
            new_categories.append(table)
            report.categories_created.append(slug)
        if key in added_here:
            # Listed again in another folder (as our own export does): one source, more categories.
            listed = added_here[key]["categories"]
            if slug not in listed:
                listed.append(slug)
            continue
        name = feed.title or urlsplit(url).hostname or url
        source_id = _unique_id(derive_source_id(name, url), known_ids)
        table = tomlkit.table()
        table.add("name", name)
        if source_id != derive_source_id(name, url):
            table.add("id", source_id)
        table.add("url", url)
        table.add("categories", [slug])
        if private:
            table.add("allow_private_networks", private if private is True else list(private))
        if feed.html_url and not url_problem(feed.html_url):
            table.add("site_url", feed.html_url)
        new_sources.append(table)
        added_here[key] = table
        known_urls.add(key)
        known_ids.add(source_id)
        report.added.append((source_id, name, slug))

    if not new_sources:
        return report
    result = _appended(text, new_categories, new_sources)
    try:
        edited = parse_config(result, path=str(path))
    except ConfigError as error:
        report.error = "the config would not be valid, so nothing was written:\n" + "\n".join(
            f"  - {p}" for p in error.located
        )
        report.added.clear()
        report.categories_created.clear()
        return report
    # What `aggregator check-config` would warn of now and did not before (a private address,
    # the same feed as a source already there under another URL, a secret in a URL).
    report.warnings = located_warnings(edited, result, besides=current)
    if write:
        _write_atomically(path, result)
    return report


def _category_for(feed: OpmlFeed, category: str | None) -> tuple[str, str]:
    """The category slug for a feed and a title for it if it has to be created."""
    if category:
        return category, category
    if feed.folder:
        # A folder named in Chinese (or any script without ASCII letters) has no slug: one made
        # of its name's hash keeps it a category of its own, titled as it was ("科技"), where
        # every such folder of a list went into one "imported".
        named = hashlib.sha1(feed.folder.encode(), usedforsecurity=False).hexdigest()[:8]
        slug = slugify(feed.folder) or f"c-{named}"
        return slug, feed.folder_title or feed.folder
    return DEFAULT_CATEGORY, "Imported"


def _unique_id(wanted: str, taken: set[str]) -> str:
    if wanted not in taken:
        return wanted
    n = 2
    while True:
        suffix = f"-{n}"
        candidate = wanted[: 64 - len(suffix)].rstrip("-") + suffix
        if candidate not in taken:
            return candidate
        n += 1


def _appended(text: str, categories: Sequence[Table], sources: Sequence[Table]) -> str:
    """The config's text with the tables after it, a blank line before each. Appended, not
    merged: tomlkit, given [[categories]] and [[sources]] interleaved (each category with its
    sources, as operators group them), wrote all of a kind together, and each comment stayed
    in its place while the table it introduced moved away from it."""
    added = tomlkit.document()
    for key, tables in (("categories", categories), ("sources", sources)):
        if tables:
            aot = tomlkit.aot()
            for table in tables:
                table.trivia.indent = "\n"
                aot.append(table)
            added.add(key, aot)
    return text.rstrip("\n") + "\n" + tomlkit.dumps(added)


def _write_atomically(path: Path, text: str) -> None:
    """Replace the file in one rename, so a running scheduler never reads half of it."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o7777)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


# --- exporting --------------------------------------------------------------------------------


OPML_DOCS = "http://opml.org/spec2.opml"


def render_opml(
    config: Config,
    category: Category | None = None,
    created: datetime | None = None,
    sites: Mapping[str, str] | None = None,
) -> bytes:
    """OPML 2.0 of the sources: one category's, or all of them in one folder per category.

    `sites`: the site each source's feed links to (Store.sites), each source's htmlUrl where its
    config gives no site_url. The one writer: `aggregator export-opml` and the web's sources.opml
    both call it.
    """
    sites = sites or {}
    site = config.site
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    title = f"{site.title} — {category.title}" if category else site.title
    ET.SubElement(head, "title").text = xml_text(title)
    created = created or datetime.now(UTC)
    ET.SubElement(head, "dateCreated").text = format_datetime(created.astimezone(UTC), usegmt=True)
    ET.SubElement(head, "ownerName").text = xml_text(site.title)
    ET.SubElement(head, "docs").text = OPML_DOCS
    body = ET.SubElement(root, "body")
    if category is not None:
        for source in _sources_of(config, category.slug):
            _source_outline(body, source, category.slug, config.serve.secret_parameters, sites)
    else:
        # A source in several categories is listed in each folder: that is how OPML says it,
        # and readers that allow one folder per feed skip the repeats.
        for cat in config.categories:
            sources = _sources_of(config, cat.slug)
            if sources:
                name = xml_text(cat.title)
                folder = ET.SubElement(body, "outline", text=name, title=name)
                for source in sources:
                    _source_outline(folder, source, cat.slug, config.serve.secret_parameters, sites)
    ET.indent(root)
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True)) + b"\n"


def needing_sites(config: Config, category: Category | None = None) -> list[str]:
    """The ids of the sources (of one category) an export gives the site read from their feed
    (`render_opml`'s `sites`): those whose config gives no site_url."""
    return [
        s.id
        for s in config.sources
        if not s.site_url
        and s.url_published
        and (category is None or category.slug in s.categories)
    ]


def _sources_of(config: Config, slug: str) -> list[SourceConfig]:
    # An outline is its URL: a source whose URL is not published (an intranet one) has none.
    return [s for s in config.sources if slug in s.categories and s.url_published]


def _source_outline(
    parent: ET.Element,
    source: SourceConfig,
    slug: str,
    secrets: tuple[str, ...],
    sites: Mapping[str, str],
) -> None:
    # Shared with others: no credentials from the source's URLs (aggregator/redact.py), and
    # written as URIs, as our feeds write them (strict importers refuse "https://bücher.example/記事").
    name = xml_text(source.name)
    xml_url = xml_text(as_uri(public_url(source.url, secrets)))
    attrs = {"type": "rss", "text": name, "title": name, "xmlUrl": xml_url}
    if site := source.site_url or sites.get(source.id, ""):
        attrs["htmlUrl"] = xml_text(as_uri(public_url(site, secrets)))
    if source.language:
        attrs["language"] = xml_text(source.language)
    attrs["category"] = slug  # what import-opml reads back as the category
    ET.SubElement(parent, "outline", attrs)
