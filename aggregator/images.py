"""An article's lead image: a picture of the article, never an icon, pixel, emoji or avatar.

Pure: URLs and sanitized HTML in, one URL (or "") out. The candidates, best first: images the
feed names (media:content, media:thumbnail, image enclosures), then the article page's
og:image (full text), then the first large image in the content, then the picture of a YouTube
video the content plays. Each must pass two checks: its address is not a known kind of
non-picture (icons, file-type images, emoji, avatars, tracking pixels, spacers, share buttons,
ads, logos), and no size hint says it is small (declared width/height, media:content
dimensions, sizes written in the URL: `s72-c`, `?s=60`, `_154x115`, `_s.jpg`, and `thumb` in a
content image's name without a declared size). None rather than a wrong one: an article without
a picture is better than one headed by a PDF icon.
"""

from __future__ import annotations

import html
import re
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

from aggregator.sanitize import EMOJI_CODE, is_tracker
from aggregator.text import Caseless

try:
    from aggregator import _native
except ImportError:  # not built (no C compiler at install): the Python below does it
    _native = None  # type: ignore[assignment]

MIN_SIDE = 100  # pixels: a longer side under this is an icon, a button or a thumbnail's thumbnail
# The shorter side of a landscape or portrait picture may be less (a feed's 145×98 thumbnail of
# its article), down to this: under it, a button (120×60) or a strip.
MIN_SHORT_SIDE = 80
MAX_ASPECT = 4.0  # wider (or taller) than 4:1 is a banner, a rule or a divider

# Addresses of things that are never an article's picture (case-insensitive search on the URL),
# besides what sanitize.is_tracker keeps out of the text as well (beacons, ads, share buttons).
# A logo is one by its folder ("/logo/", "course_logo/"), its name's start ("logo.png") or end
# ("hugo-logo.png", "rss_logo@2x.png", "guardian-logo-rss.c45beb….png"): a name that goes on
# after "logo" is of a picture that shows one ("apple-logo-eat-windows-tattoo-design.jpg").
# Atomic, possessive, and each part ending where the next begins: "12345678" is both digits and
# hex, and tried both ways per part, 40 of them took the regex minutes.
_LOGO_SUFFIX = (
    r"(?:[-_@.](?>\d+(?:x\d*)?|[0-9a-f]{8,}|rss|feed|only|hi-?res|lo-?res|web\d*|small|large"
    r"|square|white|black|weiss|dark|light|colou?r|transparent|header|footer"
    # a site's logo for link previews ("stadtbote-logo-social.png", a review)
    r"|social|share|sharing|og|fb|facebook|twitter|default)(?=[-_@.]))*+"
)
_JUNK_URL = Caseless(
    r"/file[-_]?types?/|/mime[-_]?types?/|/icons?/|[-_./]icons?\d*[-_./]|favicon|apple-touch"
    r"|/style_images/|/skins?/|/emoji/|/emoticons?/|/smil(?:ies|eys?)/|/images/core/emoji/|/twemoji/"
    r"|avatar|gravatar\.com/|/profile_images/|/user_?pics?/"
    r"|spacer|/blank\.(?:gif|png)|transparent\.(?:gif|png)|/clear\.gif|pixel\.(?:gif|png)|/1x1\."
    r"|/piwik|/matomo|/ads?/"
    r"|/share[-_/]|/social[-_/]|/badges?/|badge\.|/buttons?/"
    # Weibo's emoji and link-card icon (RSSHub), Hatena Bookmark's count badge
    r"|/expression/|timeline_card_small|b\.hatena\.ne\.jp/entry/image/|/images/append\.gif"
    # a "more" button (a Korean board's /image/more.gif), a smiley service's pictures
    r"|/(?:read[-_]?)?more\.(?:gif|png)(?:$|\?)|smileycentral\.com/"
    rf"|[-_/]logos?/|/logos?[-_.@\d]|[-_]logo{_LOGO_SUFFIX}\.(?:png|gif|jpe?g|svg|webp)(?:$|\?)"
    r"|\.(?:ico|svg|cur)(?:$|\?)"
    # a site's stand-in preview for pages without a picture of their own; a QR code to follow
    # its WeChat account (the only picture of a Chinese article became its card's, a review)
    r"|(?:^|[-_/.])(?:og|share|social)[-_]?(?:image[-_]?)?(?:default|fallback)[-_./]"
    r"|[-_/.]default[-_](?:og|share|social)[-_.]"
    r"|qr[-_]?codes?|erweima|/qr/"
    # WordPress.com's comment-count buttons, BuySellAds' feed ads (h7's held-out feeds)
    r"|feeds\.wordpress\.com/1\.0/|buysellads\.com/"
)
# An alt that says the picture is a QR code (二维码, 二維碼, "QR code").
_QR_ALT = re.compile(r"二维码|二維碼|\bqr[- ]?code", re.IGNORECASE)
# Sizes written in addresses: blogspot /s72-c/, ?s=60 (gravatar, GitHub), ?width=75&height=75,
# name_154x115.jpg / i300x150/, Flickr's _s.jpg (75x75) and _t.jpg (100 on the long side).
_URL_SIDE = re.compile(r"/s(\d{2,4})(?:-c)?/|[?&](?:s|size|w|width|h|height)=(\d+)(?:&|$)")
_URL_BOX = re.compile(r"[-_/.ix](\d{2,4})x(\d{2,4})(?:[-_/.@]|$)")
_FLICKR_SMALL = re.compile(
    r"flickr\.com/[^?#]*_[sqt]\.(?:jpe?g|png|gif)(?:$|\?)", re.IGNORECASE
)  # other sites' "_s.jpg" is no size
# (A word of the name: "thumbay.gif", a hospital's, is none.)
_THUMB_NAME = re.compile(
    r"(?:^|[-_.])thumb(?:nail)?s?(?=[-_.\d])|[-_]tn\.|[-_]small\.|[-_]mini\.", re.IGNORECASE
)

# nh3 writes every attribute as name="value", so these are exact on sanitized HTML.
# A picture, or a picture that is all of a link's start (a thumbnail linking its full size).
_LINKED_IMG = re.compile(r'<a href="([^"]*)"[^<>]*>\s*(<img\b[^>]*>)|(<img\b[^>]*>)')
_PICTURE_FILE = re.compile(r"\.(?:jpe?g|png|gif|webp|avif)$", re.IGNORECASE)
_ATTR = re.compile(r'([\w:-]+)="([^"]*)"')
# A YouTube player the sanitizer let through (sanitize.EMBED_HOSTS), and its video's id.
_YOUTUBE_PLAYER = re.compile(
    r'<iframe\b[^>]*\bsrc="https?://(?:www\.)?youtube(?:-nocookie)?\.com/embed/([\w-]{11})(?=[?#/"])'
)
_WORDY = re.compile(r"\w", re.UNICODE)


@dataclass(frozen=True)
class Candidate:
    url: str
    width: int | None = None
    height: int | None = None
    from_feed: bool = True  # named by the feed or page as the article's image (not in its text)
    alt: str = ""


def lead_image(
    feed_images: Iterable[Candidate],
    content_html: str = "",
    page_image: str = "",
    avatars: Collection[str] = (),
) -> str:
    """The first acceptable candidate: feed images (the widest declared: the Guardian offers its
    picture at 140 and 460 px, the small one first), then the page's og:image, then content but
    `avatars` (the source's HTML said so: avatar_sources)."""
    named = [candidate for candidate in feed_images if acceptable(candidate)]
    if named:
        return max(named, key=lambda candidate: candidate.width or 0).url  # (ties: the first)
    if page_image and acceptable(Candidate(page_image)):
        return page_image
    for candidate in _content_images(content_html):  # (read up to the first that will do)
        if acceptable(candidate) and candidate.url not in avatars:
            return candidate.url
    return video_picture(content_html)


# A picture WordPress's get_avatar() wrote (an author box's, a comment's: class "avatar
# avatar-150 photo", often with no size): the class says it, and the sanitizer drops the class.
_IMG_TAG_RAW = re.compile(r"<img\b[^<>]*+>", re.IGNORECASE)
_AVATAR_CLASS = re.compile(
    r"""(?<![\w-])class\s*=\s*(?:"[^"]*?(?<![\w-])avatar(?![\w-])[^"]*"|"""
    r"""'[^']*?(?<![\w-])avatar(?![\w-])[^']*'|avatar(?=[\s>/]))""",
    re.IGNORECASE,
)
_AVATAR_WORD = re.compile("avatar", re.IGNORECASE)  # (the look without the C module)
# Its address, and where a lazy loader keeps it (lazy_images': the src may be a stand-in).
_SRC_RAW = re.compile(
    r"""(?<![\w-])(?:src|data-(?:lazy-)?src|data-original|data-actualsrc|data-url|data-hi-res-src)"""
    r"""\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""",
    re.IGNORECASE,
)


def avatar_sources(raw_html: str) -> list[str]:
    """The addresses, as written (src, a lazy loader's data-src…), of each <img> of a source's
    HTML (before sanitizing) whose class has the word "avatar" ("avatar avatar-96 photo"; not
    "no-avatar-here", nor a figure's class)."""
    if not _mentions_avatar(raw_html):  # (most bodies: one look)
        return []
    found: list[str] = []
    for tag in _IMG_TAG_RAW.finditer(raw_html):
        if _AVATAR_CLASS.search(tag[0]):
            found += (html.unescape(s[1] or s[2] or s[3] or "") for s in _SRC_RAW.finditer(tag[0]))
    return found


def _mentions_avatar(raw_html: str) -> bool:
    """The look before avatar_sources' patterns: never False where _AVATAR_WORD finds the word
    (`_native.mentions_caseless`, ~4 µs a body of the corpus where the pattern, which folds the
    case of every character it compares, took ~20: 1 in 600 holds the word)."""
    look = _native.mentions_caseless if _native is not None else _mentions_avatar_python
    return look(raw_html, "avatar")


def _mentions_avatar_python(raw_html: str, word: str) -> bool:
    return _AVATAR_WORD.search(raw_html) is not None


def video_picture(content_html: str) -> str:
    """The picture YouTube shows for the first of its videos the HTML plays, or "": a post that
    is a video and its text had no picture on its card (Daring Fireball's, Katie Floyd's)."""
    if video := _YOUTUBE_PLAYER.search(content_html):
        return f"https://i.ytimg.com/vi/{video[1]}/hqdefault.jpg"  # (480×360: every video has it)
    return ""


def content_images(content_html: str) -> list[Candidate]:
    """The <img> of sanitized HTML as candidates, in order; a thumbnail by its name that links
    to a picture file is that picture (NixOS's "…-small.png" screenshots linked their full size,
    and the cards had no picture)."""
    return list(_content_images(content_html))


def _linked_images(content_html: str) -> list[tuple[str, str]]:
    """Each picture of sanitized HTML as _LINKED_IMG finds it: the address of the link it is all
    of the start of (or ""), and its tag. In C where it was built (the pattern took ~40 µs an
    article over a cold round's bodies), `_linked_images_python` the reference otherwise."""
    found = _native.linked_images(content_html) if _native is not None else None
    return found if found is not None else _linked_images_python(content_html)


def _linked_images_python(content_html: str) -> list[tuple[str, str]]:
    return [(m[1] or "", m[2] or m[3]) for m in _LINKED_IMG.finditer(content_html)]


def _content_images(content_html: str) -> Iterator[Candidate]:
    for link, tag in _linked_images(content_html):
        attrs = {k: html.unescape(v) for k, v in _ATTR.findall(tag)}
        if src := attrs.get("src", ""):
            alt = attrs.get("alt", "").strip()
            width, height = _pixels(attrs.get("width")), _pixels(attrs.get("height"))
            full = html.unescape(link)
            if (
                full
                and width is None
                and height is None
                and _thumb_named(src)
                and not _thumb_named(full)
                and _PICTURE_FILE.search(urlsplit(full).path)
            ):
                src = full  # (a thumbnail of declared size is judged by it)
            yield Candidate(src, width, height, False, alt)


def shown_in(url: str, content_html: str) -> bool:
    """Whether sanitized HTML shows the picture at `url`, at whatever size or crop: the article
    page heads its text with the card's picture unless the text has it (Google's blog names
    its header in the feed and shows only diagrams below; WordPress's "photo.jpg" is in the
    text as "photo-1024x683.jpg"). Pictures of one name are taken as one: an article with the
    picture twice is worse than one without its header."""
    name, copy_of = _picture_names(url)
    if not name:
        return False
    for link, tag in _linked_images(content_html):
        src = dict(_ATTR.findall(tag)).get("src", "")
        for other in (src, link):
            other_name, other_copy_of = _picture_names(html.unescape(other))
            # "photo-1" is a copy of "photo", but "screenshot-1" and "screenshot-2" are two.
            if other_name and (name in (other_name, other_copy_of) or copy_of == other_name):
                return True
    return False


# What sets apart the addresses of one picture: a size or crop in its name (WordPress's
# "-1024x683", Google's ".max-600x600", IDG's "-large.3x2", "@2x", "_thumb") or "_tOGSx5R"
# (Django's storage), its type, its folder, its query; and a copy's "-1" (WordPress and Ghost
# number a picture uploaded again: `_COPY`).
_VARIANT = re.compile(
    r"\.max-\d+x\d+|[-_.]\d{2,4}x\d{2,4}|\.\dx\d|@\dx"
    r"|[-_](?i:thumb(?:nail)?|tn|small|medium|large|scaled|full|orig(?:inal)?)(?=$|[-_.@])"
    r"|_(?=[a-z\d]{0,6}[A-Z])(?=[A-Z\d]{0,6}[a-z])[A-Za-z\d]{7}$"
)
_COPY = re.compile(r"[-_]\d$")
# Names that tell no picture from another: its folder or query tells it (YouTube's stills are
# all "hqdefault.jpg"; Gutenberg names pasted pictures "image.png", "image-1.png"…; a script's
# pictures differ by their query).
_GENERIC_NAME = re.compile(
    r"(?:image|img|photo|picture|pic|default|hqdefault|mqdefault|sddefault|maxresdefault"
    r"|original|index|\d{1,6})(?:[-_]\d)?",
    re.IGNORECASE,
)


def _picture_names(url: str) -> tuple[str, str]:
    """The picture's name without its size or crop, and what it is a copy of ("harbour" for
    "harbour-1-1024x683.jpg"; the name itself when it is none), lower-case; a generic name
    (_GENERIC_NAME) with its folder, and a script's with its query; ("", "") for none."""
    address, _, query = url.split("#", 1)[0].partition("?")
    folder, _, file = address.rstrip("/").rpartition("/")  # (Squarespace's end in a folder)
    # (No file system names a file longer: a hostile "a-1-1-1…" of 40 KB took a loop 32 s.)
    stem, dot, extension = file[-MAX_NAME_CHARS:].rpartition(".")
    if not dot:
        stem = file[-MAX_NAME_CHARS:]
    while (shorter := _VARIANT.sub("", stem)) != stem:  # ("photo-1-1024x683": both go)
        stem = shorter
    name = stem.lower()
    if not name:
        return "", ""  # (no name to tell it by: "https://cdn.example/p/header/")
    copy_of = _COPY.sub("", name)
    if _GENERIC_NAME.fullmatch(name):
        name = copy_of = f"{folder.rsplit('/', 1)[-1][-MAX_NAME_CHARS:]}/{name}"
    if dot and not _PICTURE_FILE.search(f".{extension}"):  # a script's: "image.php?id=2"
        name = copy_of = f"{name}?{query[:MAX_NAME_CHARS]}"
    return name, copy_of


MAX_NAME_CHARS = 255


def _thumb_named(url: str) -> bool:
    return bool(_FLICKR_SMALL.search(url) or _THUMB_NAME.search(url.rsplit("/", 1)[-1]))


def acceptable(candidate: Candidate) -> bool:
    """True unless the address or a size hint says this is not a picture of the article."""
    url = candidate.url
    if not url.startswith(("http://", "https://")) or is_tracker(url) or _JUNK_URL.found_in(url):
        return False
    alt = candidate.alt
    if alt and len(alt) <= 2 and not _WORDY.search(alt):
        return False  # an emoji: WordPress and others write its image with the emoji as alt
    if EMOJI_CODE.fullmatch(alt):
        return False  # an emoji by its code: Weibo's "[哈哈]", forums' ":smile:"
    if _QR_ALT.search(alt):
        return False
    width, height = candidate.width, candidate.height
    if width is None and height is None:
        width, height = _size_in_url(url)
        if width is None and height is None and not candidate.from_feed and _thumb_named(url):
            return False  # a thumbnail in the text is a link to a picture, not one
    if width == height and width is not None and width <= ICON_SIDE and _logo_named(url):
        return False  # a logo at an icon's size: a name in the text ("KDE" beside its logo)
    return not _small(width, height)


ICON_SIDE = 256  # pixels: the largest of the square sizes icons and logos are drawn at
# "logo" starting a word of the name, or after one letter ("klogo-official-crystal-128x128.png",
# no separator before it), not ending a longer one (Italian and Spanish "psicologo-150x150.jpg",
# "catalogo"): only with a square size an icon's (a 1200×630 "apple-logo-tattoo.jpg" shows one).
_LOGO_IN_NAME = re.compile(r"(?:^|[^a-z])[a-z]?logo", re.IGNORECASE)


def _logo_named(url: str) -> bool:
    return bool(_LOGO_IN_NAME.search(url.split("?", 1)[0].rsplit("/", 1)[-1]))


def artwork(url: str, width: int | None = None, height: int | None = None) -> str:
    """A show's artwork (<itunes:image>), for an episode without a picture of its own; or "".

    Podcast artwork is often named "logo" and is square, so only the address's kind (http(s),
    no tracker) and its size (declared, else written in the address) are checked, not the
    rules against logos and icons.
    """
    if not url.startswith(("http://", "https://")) or is_tracker(url):
        return ""
    if width is None and height is None:
        width, height = _size_in_url(url)
    return "" if _small(width, height) else url


def _small(width: int | None, height: int | None) -> bool:
    if width is None or height is None:  # one side known: which one it is, no one can tell
        return any(s is not None and s < MIN_SIDE for s in (width, height))
    long, short = max(width, height), min(width, height)
    return long < MIN_SIDE or short < MIN_SHORT_SIDE or long > MAX_ASPECT * short


def _size_in_url(url: str) -> tuple[int | None, int | None]:
    if _FLICKR_SMALL.search(url):
        return 75, 75
    path = url.split("?", 1)[0]
    if box := _URL_BOX.search(path):
        return int(box.group(1)), int(box.group(2))
    sides = [int(a or b) for a, b in _URL_SIDE.findall(url)]
    if sides:
        return min(sides), None
    return None, None


def _pixels(value: str | None) -> int | None:
    """A declared width or height in pixels ("640", "640px"); None for "80%", "auto" or junk."""
    text = (value or "").strip().lower().removesuffix("px").strip()
    return int(text) if text.isdigit() and len(text) <= 5 else None
