"""Pictures a lazy-loading script hid, given their real addresses: in an article's page (full
text) and in the HTML a feed carries.

A page that loads its pictures as they scroll into view writes each with a placeholder (a data:
URL, a 1-pixel GIF, or no src at all) and keeps the address in data-src, data-lazy-src, a srcset
or a <noscript> copy; AMP writes <amp-img>. No script of theirs runs where we show an article,
so the placeholder is what a reader got: no picture, or a grey box. And the sanitizer's HTML
parser reads a <noscript>'s content as text (as a browser with scripts on does), so its markup
came out escaped, for the reader to see: Disqus's "Please enable JavaScript to view the
<a href=…>comments powered by Disqus.</a>" in a real feed of the corpus.
"""

from __future__ import annotations

import re

import lxml.etree  # type: ignore[import-untyped]
import lxml.html  # type: ignore[import-untyped]

try:
    from aggregator import _native
except ImportError:  # not built (no C compiler at install): the pattern alone looks
    _native = None  # type: ignore[assignment]

# Where lazy-loading scripts keep a picture's address until it scrolls into view.
_LAZY_SOURCES = (
    "data-src",
    "data-lazy-src",
    "data-original",
    "data-actualsrc",
    "data-url",
    "data-hi-res-src",
)
_LAZY_SOURCE_SETS = ("data-srcset", "data-lazy-srcset")
_SOURCE_SETS = (*_LAZY_SOURCE_SETS, "srcset")
# Between a srcset's candidates: a comma before a space, or after a descriptor (Cloudinary's and
# imgix's addresses hold commas: ".../c_fill,w_800/photo.jpg 800w").
_CANDIDATE_END = re.compile(r",(?=\s)|(?<=\d[wx]),")
# HTML that may hide a picture so, or hold a <noscript>: only that is parsed (`reveal_in`). A
# <noscript>, an <amp-img>, an <img> without a src, or with a lazy-loader's attribute or a data:
# URL. (Every alternative starts at a "<": one led by a space took 36 µs an article, 8% of
# normalize; each scan within a tag stops at its "<" or ">"; and the spaces around src's "="
# split one way only: "src=" and 64,000 spaces took 17 s.)
_MAY_HIDE = re.compile(
    r"<(?:noscript|amp-img)\b"
    r"|<img\b(?:(?!\ssrc\s*=)[^<>])*+>"
    r"|<img\b[^<>]*?(?:\s(?:"
    + "|".join(name for name in _LAZY_SOURCES + _SOURCE_SETS if name.startswith("data-"))
    + r")\s*=|\ssrc\s*+=\s*+(?:(?:[\"']\s*+)?data:|\"\s*+\"|'\s*+'|(?=[\s/>])))",  # (src="")
    re.IGNORECASE,
)
# A <picture> with no <img> before its end, or one declared 0 or 1 pixel (a placeholder GIF): it
# shows nothing (a browser shows a picture's <img>, its sources only choose that one's file) but
# its first <source>. (Each scan stops at the next "<picture" too: linear over a hostile run.)
_IMG_LESS_PICTURE = re.compile(
    r"<picture\b(?:[^<]++|<(?!img\b|/?picture\b))*+"
    r"(?:</picture\b|<img\b[^<>]*?\s(?:width|height)\s*=\s*[\"']?[01](?![\d.]))",
    re.IGNORECASE,
)
# (A plain search, not the scan: most fragments have no <picture> in any case.)
_PICTURE_TAG = re.compile(r"<picture", re.IGNORECASE)
_UNWRAPPED = "aggregator-unwrapped"
_DROPPED = "aggregator-dropped"
# A longer fragment is left as it is (a parse costs ~0.35 s a MB of hostile tags; what is kept of
# an article is 512 KB: sanitize.MAX_CONTENT_CHARS).
MAX_CHARS = 2 * 1024 * 1024


def reveal(tree: lxml.html.HtmlElement) -> None:
    """Each picture with its real address where a lazy-loading script or AMP hid it (data-src,
    data-lazy-src, a srcset, a <picture>'s <source>, the <noscript> copy, <amp-img>), and none
    left with a placeholder's data: URL, which readability would make the page's own address.
    A <noscript> without a picture goes: what it says is for browsers without scripts ("Please
    enable JavaScript…")."""
    for amp in list(tree.iter("amp-img")):
        amp.tag = "img"
    for noscript in list(tree.iter("noscript")):
        if noscript.find(".//img") is None:
            noscript.tag = _DROPPED
            continue
        before = noscript.getprevious()
        if before is not None and before.tag == "img":
            if _first(before, _LAZY_SOURCES + _SOURCE_SETS):
                noscript.tag = _DROPPED  # the lazy one knows its address: one copy is enough
                continue
            before.tag = _DROPPED
        noscript.tag = _UNWRAPPED  # its content stays, in its place
    for picture in list(tree.iter("picture")):
        if picture.find(".//img") is None:
            picture.append(lxml.html.Element("img"))  # its source's, below
    for img in list(tree.iter("img")):
        # A lazy address first, then a lazy srcset's largest, over any src: a placeholder may
        # be a real file ("/static/img/lazy-placeholder.png"), not only a data: URL (a review).
        lazy_set = _first(img, _LAZY_SOURCE_SETS)
        src = (_first(img, _LAZY_SOURCES) or _largest(lazy_set) or img.get("src") or "").strip()
        if not src or src.lower().startswith("data:"):
            src = _largest(_source_set(img))
        if _tiny_in_picture(img) and (source := _largest(_source_set(img))):
            src = source  # (over a placeholder file too, "/pixel.gif")
            for size in ("width", "height"):  # (the placeholder's, not the picture's)
                img.attrib.pop(size, None)
        if not src or src.lower().startswith(("data:", "javascript:")):
            img.tag = _DROPPED
            continue
        try:
            img.set("src", src)
            if lazy_set:  # (its sizes for screens of more pixels: the sanitizer checks each)
                img.set("srcset", lazy_set)
        except ValueError:  # a control character, which lxml refuses: no address
            img.tag = _DROPPED
            continue
        _declare_size(img)
    # All at once, each element's tail kept: one at a time, lxml's drop_tag() looks the element
    # up among its siblings (20,000 of them in one <div> took 37 s), and drop_tree() joins its
    # tail to the text before it, again and again (80,000 pictures took 12 s).
    lxml.etree.strip_tags(tree, _UNWRAPPED)
    lxml.etree.strip_elements(tree, _DROPPED, with_tail=False)


def _tiny_in_picture(img: lxml.html.HtmlElement) -> bool:
    """Whether the <img> of a <picture> is declared 0 or 1 pixel: a lazy loader's placeholder."""
    return next(img.iterancestors("picture"), None) is not None and any(
        (img.get(size) or "").strip() in ("0", "1") for size in ("width", "height")
    )


def _may_hide(html_text: str) -> bool:
    """Whether _MAY_HIDE finds something in the fragment; most have no such picture, which C
    sees first (`_native.may_hide_pictures`, never False where the pattern finds one); or an
    <img>-less <picture>, looked for where "<picture" is (in any case: "<Picture>" too)."""
    if _PICTURE_TAG.search(html_text) and _IMG_LESS_PICTURE.search(html_text):
        return True
    if _native is not None and not _native.may_hide_pictures(html_text):
        return False
    return _MAY_HIDE.search(html_text) is not None


def reveal_in(html_text: str) -> str:
    """`reveal` on an HTML fragment; the fragment as it was when nothing in it may hide a
    picture (most: it is not parsed then), or when it is longer than MAX_CHARS."""
    if len(html_text) > MAX_CHARS or not _may_hide(html_text):
        return html_text
    # Read as a document: a feed's HTML may be a whole page (<html>, <body>, a DOCTYPE), which
    # lxml's fragment reader refuses with an AssertionError ("too many bodies").
    try:
        body = lxml.html.document_fromstring(html_text).find("body")
    except (lxml.etree.ParserError, ValueError):  # (nothing an HTML parser could read)
        return html_text
    if body is None:  # (a <head>'s elements only: no picture to show)
        return html_text
    reveal(body)
    # An <xmp>'s content is text as written (its "&amp;" shows as "&amp;"); written out by lxml,
    # escaped, and read again so by the sanitizer, it showed "&lt;img …&gt;" (a review). As the
    # <pre> a browser shows it as, it is the same text.
    for raw in body.iter("xmp", "plaintext"):
        raw.tag = "pre"
    markup = str(lxml.html.tostring(body, encoding="unicode"))
    return markup[markup.index(">") + 1 : markup.rindex("</body>")]


# WeChat's size of a picture it loads lazily: its width and its height over its width.
_WIDTH = re.compile(r"\s*(\d{1,5})\s*")
_RATIO = re.compile(r"\s*(\d{1,3}(?:\.\d{1,20})?)\s*")


def _declare_size(img: lxml.html.HtmlElement) -> None:
    """The width and height WeChat writes as data-w and data-ratio, as the picture's own when it
    declares none: the sanitizer drops data- attributes, and a 640×51 divider above the photo
    was an article's picture (h7's held-out feeds)."""
    if img.get("width") is not None or img.get("height") is not None:
        return
    width = _WIDTH.fullmatch(img.get("data-w") or "")
    ratio = _RATIO.fullmatch(img.get("data-ratio") or "")
    if width and ratio and (height := round(int(width[1]) * float(ratio[1]))):
        img.set("width", width[1])
        img.set("height", str(height))


def _source_set(img: lxml.html.HtmlElement) -> str:
    """The image's srcset, or its <picture>'s first <source> srcset (libxml2's HTML parser
    does not know <source> is void: the <img> can end up inside it)."""
    own = _first(img, _SOURCE_SETS)
    picture = next(img.iterancestors("picture"), None)
    if own or picture is None:
        return own
    sources = (s.get("srcset") or s.get("data-srcset") or "" for s in picture.iter("source"))
    return next((found for found in sources if found.strip()), "")


def _first(element: lxml.html.HtmlElement, names: tuple[str, ...]) -> str:
    """The first of the element's attributes `names` that is not blank, or ""."""
    return next((value for name in names if (value := element.get(name) or "").strip()), "")


def split_source_set(source_set: str, limit: int = 0) -> list[list[str]]:
    """A srcset's candidates, each its address and its descriptors ("a.jpg 800w, b.jpg" is
    [["a.jpg", "800w"], ["b.jpg"]]); blank ones left out. With a `limit`, its first `limit`
    pieces only (the rest is not split: a hostile srcset of 100,000 made as many lists)."""
    pieces = _CANDIDATE_END.split(source_set, maxsplit=limit)
    if limit and len(pieces) > limit:
        del pieces[limit:]
    return [parts for candidate in pieces if (parts := candidate.split())]


def _largest(source_set: str) -> str:
    """The largest candidate of a srcset ("a.jpg 800w, b.jpg 1600w" is b.jpg)."""
    best, size = "", -1.0
    for parts in split_source_set(source_set):
        descriptor = parts[1] if len(parts) > 1 else "1x"
        value = float(descriptor[:-1]) if re.fullmatch(r"\d+(?:\.\d+)?[wx]", descriptor) else 0.0
        if value > size:
            best, size = parts[0], value
    return best
