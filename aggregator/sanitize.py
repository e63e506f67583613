"""Make untrusted HTML and URLs from sources safe: an nh3 allowlist, plain text, http(s) links.

Sanitize once at ingest (here), escape every text field at render. nh3 (ammonia) parses like a
browser and re-serializes, so what comes out is well-formed HTML made only of the tags,
attributes and URL schemes listed below; it also resolves relative URLs against the entry's base
in the same pass (docs/architecture.md, "Sanitize once, escape everywhere").
"""

from __future__ import annotations

import html
import html.entities
import ipaddress
import re
from functools import lru_cache
from typing import TYPE_CHECKING
from urllib.parse import quote, unquote, urljoin, urlsplit, urlunsplit

import idna
import nh3

from aggregator import lazy_images
from aggregator.addresses import ipv4_shorthand, private_host
from aggregator.text import Caseless, collapsed
from aggregator.xml_text import xml_text

try:
    from aggregator import _native
except ImportError:  # not built (no C compiler at install): the Python below does it
    _native = None  # type: ignore[assignment]

if TYPE_CHECKING:
    from nh3 import UrlRelative

# Text formatting, structure, lists, links, images and figures, tables, quotes, code, media.
ALLOWED_TAGS: frozenset[str] = frozenset(
    {
        # inline text
        "a", "abbr", "b", "bdi", "bdo", "br", "cite", "code", "data", "del", "dfn", "em", "i",
        "ins", "kbd", "mark", "q", "rp", "rt", "ruby", "s", "samp", "small", "span", "strong",
        "sub", "sup", "time", "u", "var", "wbr",
        # blocks
        "address", "article", "aside", "blockquote", "details", "div", "footer", "h1", "h2",
        "h3", "h4", "h5", "h6", "header", "hr", "p", "pre", "section", "summary",
        # lists
        "dd", "dl", "dt", "li", "ol", "ul",
        # images and figures
        "figcaption", "figure", "img", "picture", "source",
        # tables
        "caption", "col", "colgroup", "table", "tbody", "td", "tfoot", "th", "thead", "tr",
        # media; iframes only from EMBED_HOSTS (enforced after cleaning)
        "audio", "iframe", "track", "video",
    }
)  # fmt: skip

# Whatever these contain is dropped with them (script and style bodies, vector graphics, forms'
# option lists...). Everything else that is not allowed loses its tags and keeps its text.
DROPPED_WITH_CONTENT: frozenset[str] = frozenset(
    {"script", "style", "template", "svg", "math", "object", "embed", "applet", "select",
     "textarea", "title", "head", "frameset", "noembed", "noframes"}
)  # fmt: skip

ALLOWED_ATTRIBUTES: dict[str, frozenset[str]] = {
    "*": frozenset({"lang", "dir", "title"}),
    "a": frozenset({"href", "hreflang"}),
    "abbr": frozenset(),
    "blockquote": frozenset({"cite"}),
    "q": frozenset({"cite"}),
    "del": frozenset({"cite", "datetime"}),
    "ins": frozenset({"cite", "datetime"}),
    "time": frozenset({"datetime"}),
    "data": frozenset({"value"}),
    "img": frozenset({"src", "alt", "width", "height", "srcset", "sizes"}),  # (_keep_image)
    "ol": frozenset({"start", "reversed", "type"}),
    "li": frozenset({"value"}),
    "td": frozenset({"colspan", "rowspan", "headers"}),
    "th": frozenset({"colspan", "rowspan", "headers", "scope", "abbr"}),
    "col": frozenset({"span"}),
    "colgroup": frozenset({"span"}),
    "details": frozenset({"open"}),
    "audio": frozenset({"src", "controls", "loop", "muted"}),
    "video": frozenset({"src", "controls", "loop", "muted", "poster", "width", "height"}),
    "source": frozenset({"src", "type"}),
    "track": frozenset({"src", "kind", "srclang", "label", "default"}),
    "iframe": frozenset({"src", "width", "height", "allowfullscreen"}),
}

# Attributes we set ourselves (any value from the source is dropped first).
FORCED_ATTRIBUTES: dict[str, dict[str, str]] = {
    "img": {"loading": "lazy", "referrerpolicy": "no-referrer"},
    "iframe": {
        "loading": "lazy",
        # YouTube and Vimeo players need scripts and their own origin; nothing else.
        "sandbox": "allow-scripts allow-same-origin allow-presentation allow-popups",
        "referrerpolicy": "strict-origin-when-cross-origin",
    },
    # Sound and video are fetched when a reader presses play, not with the page (a feed's
    # preload="auto" made every page view download the episode).
    "audio": {"preload": "none"},
    "video": {"preload": "none"},
}

URL_SCHEMES: frozenset[str] = frozenset({"http", "https", "mailto"})
LINK_REL = "noopener noreferrer nofollow"
MAX_CONTENT_CHARS = 512 * 1024  # of an article's sanitized HTML (bounded())
MAX_CLEANED_CHARS = 2 * MAX_CONTENT_CHARS  # of nh3's output that clean_html's rules read
CUT_MARK = "<p>[…]</p>"  # where `bounded` cut an article

# Video and sound players we embed; an iframe from anywhere else is removed with its content.
# Hosts that are players (their subdomains too): YouTube, Vimeo, Bilibili, Niconico, Youku,
# Dailymotion's, TED's, SoundCloud's and Apple Podcasts' players.
EMBED_HOSTS: frozenset[str] = frozenset(
    {"youtube.com", "youtube-nocookie.com", "player.vimeo.com", "player.bilibili.com",
     "embed.nicovideo.jp", "player.youku.com", "geo.dailymotion.com", "embed.ted.com",
     "w.soundcloud.com", "embed.podcasts.apple.com"}
)  # fmt: skip
# Players that are one folder of a site (that host exactly): Bilibili's mobile player (RSSHub's
# Bilibili feeds frame it), Dailymotion's and Spotify's embeds, Tencent Video's, Bandcamp's.
EMBED_FOLDERS: frozenset[tuple[str, str]] = frozenset(
    {("www.bilibili.com", "/blackboard/"), ("www.dailymotion.com", "/embed/"),
     ("open.spotify.com", "/embed/"), ("v.qq.com", "/txp/iframe/"),
     ("bandcamp.com", "/EmbeddedPlayer/")}
)  # fmt: skip

# Query parameters that only identify a campaign or a click; removed from every link we keep.
TRACKING_PARAMS: frozenset[str] = frozenset(
    {"fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "mc_cid", "mc_eid", "igshid",
     "yclid", "_hsenc", "_hsmi", "mkt_tok", "oly_anon_id", "oly_enc_id", "vero_id", "xtor"}
)  # fmt: skip
TRACKING_PREFIXES: tuple[str, ...] = ("utm_",)

# Images that are never part of an article, in its text or as its picture (images.py): any <img>
# declared 0 or 1 pixel wide or high, and these addresses (searched in the absolute src, any
# case): feed and analytics beacons (Matomo's `idsite=` too), ad servers, share and subscribe
# buttons named for their network ("twitter_icon_large.png", "facebook.gif"), a forum's
# file-type icons and signature rule.
_NOT_CONTENT = Caseless(
    # FeedBurner's beacons, flares and ads, on its host or a site's own (MyBrand: Slashdot's
    # rss.slashdot.org/~c/…?i=, and its beacon named as the feed, "/Slashdot/slashdot?g=1961")
    # (bounded: unbounded, each of 40,000 "/~c/" in one address scanned to its end, 8 s)
    r"feeds\.feedburner\.com/~(?:r|f|ff)/|/~(?:r|f|ff|c|a|at)/[^?#]{0,300}\?|/[^/.?#]+\?g=\d+$"
    r"|feedsportal\.com/|feedblitz\.com/|pixel\.wp\.com/"
    r"|stats\.wordpress\.com/|doubleclick\.net/|google-analytics\.com/|pixel\.quantserve\.com/"
    # (each alternative starts with one character, none with a set such as "[?&]": `re` then
    # skips to the places where one can start, 1.7× as fast over the corpus's pictures)
    r"|medium\.com/_/stat|\?idsite=|&idsite=|/piwik\.php|/matomo\.php"
    r"|//ads?\.[^/?#.]+\.|/adserver|img\.phdo"  # (an ad server's subdomain; ad.nl is a paper)
    r"|googletagmanager\.com/"
    # other analytics' and mailing lists' beacons: comScore's, Meta's pixel, Mailchimp's opens,
    # Yandex Metrica's, Bing's and X's ad conversions (none in the corpus; a review's list)
    r"|scorecardresearch\.com/|facebook\.com/tr[?/]|list-manage\.com/track/|mc\.yandex\.ru/watch"
    r"|bat\.bing\.com/|analytics\.twitter\.com/|//t\.co/i/adsct"
    # a forum's file-type icon before each attachment and its signature rule (Dvbbs's)
    r"|/file[-_]?types?/\w+\.(?:gif|png)(?:$|\?)|/sigline\.gif(?:$|\?)"
    r"|/(?:facebook|twitter|reddit|linkedin|pinterest|whatsapp|weibo|wechat|digg|delicious"
    r"|stumble\w*|email|mail|print|rss|feed)(?:[-_](?:icon|logo|button|share|large|small|\d+))*"
    r"\.(?:png|gif|jpe?g|svg|webp)(?:$|\?)"
)

# Paragraph-level tags: in plain text the paragraphs they end stay apart (see strip_tags).
_PARAGRAPH_TAG = re.compile(
    r"<(?=/?(?:p|div|li|dt|dd|h[1-6]|blockquote|pre|section|article|header|footer|aside|"
    r"figure|figcaption|ul|ol|dl|address|details|summary)\b)",
    re.IGNORECASE,
)
# Line breaks and table parts: a space, so "a<br>b" reads "a b", not "ab". (A mark between
# table rows would be moved out of the table by the HTML parser, so rows are not paragraphs.)
_BREAK_TAG = re.compile(r"<(?=/?(?:br|hr|td|th|tr|table|caption)\b)", re.IGNORECASE)
_PARAGRAPH_MARK = "\ue000"  # a private-use character marks where a paragraph ended
_TAG = re.compile(r"<(?:[^>\"']|\"[^\"]*\"|'[^']*')*>")  # a whole tag of well-formed HTML
_PARAGRAPH_JOINER = " — "  # between paragraphs when the first does not end a sentence
_CLOSERS = "\"'”’»)]）」』】"
_SENTENCE_END = tuple(".!?…:;")
_WIDE_SENTENCE_END = tuple("。！？；：")  # followed by no space in CJK text
# nh3 serializes every attribute as name="value" with `"`, `<`, `>` and `&` escaped, so these
# patterns are exact on its output (they would not be on arbitrary HTML).
_IMG_TAG = re.compile(r"<img\b[^>]*>")
_IFRAME = re.compile(r"<iframe\b([^>]*)>.*?</iframe>", re.DOTALL)
_EMPTY_LINK = re.compile(r"<a\b[^>]*>\s*</a>")
_ATTR = re.compile(r'([\w:-]+)="([^"]*)"')
_EMOJI_FOLDERS = "emoji|twemoji|emoticons?|smilies"
_EMOJI_IMAGE = re.compile(rf"/(?:{_EMOJI_FOLDERS})/", re.IGNORECASE)
# And Weibo's (RSSHub): an emoticon by its code there, but not every picture in an "expression"
# folder is one whose short alt stands for a character (a gene's expression map).
_EMOTICON_IMAGE = re.compile(rf"/(?:{_EMOJI_FOLDERS}|expression)/", re.IGNORECASE)
# An emoticon's code as a picture's alt: Weibo's "[哈哈]" (a CJK word in brackets; "[photo]" is
# a picture's), a forum's ":smile:". No character stands for it: the picture stays, text-sized.
EMOJI_CODE = re.compile(r"\[[\u3040-\u30ff\u3400-\u9fff]{1,8}\]|:[a-z0-9_+-]{1,30}:")
EMOTICON_PIXELS = 20  # its width and height: about a line of text (Weibo's files are 90 px)
_WORD = re.compile(r"\w")
_C0_AND_SPACE = "".join(chr(i) for i in range(0x21)) + "\x7f"
_TAB_NEWLINE = re.compile(r"[\t\n\r]")
# An embed's src: "http://" or "https://", exactly; its authority ends at / \ ? or # (WHATWG);
# its host is plain letters, digits, hyphens and dots (no userinfo, no percent-encoding).
_EMBED_SCHEME = re.compile(r"https?://(?![/\\])", re.IGNORECASE)
_AUTHORITY_END = re.compile(r"[/\\?#]")
_EMBED_HOST = re.compile(r"[A-Za-z0-9.-]+")
_PATH_END = re.compile(r"[?#]")
# A "." or ".." segment browsers remove, or a slash a server may decode ("..%2F").
_DOT_SEGMENT = re.compile(r"(?:^|[/\\])(?:\.|%2e){1,2}(?:[/\\]|$)|%2f|%5c", re.IGNORECASE)
_ABSOLUTE_HTTP = re.compile(r"https?://", re.IGNORECASE)
# Controls and space, and what a URL may not hold though feeds write it ('"', "<", ">", "`"):
# percent-encoded, as browsers encode them before requesting. So are the characters no one sees
# (Unicode's Default_Ignorable_Code_Point, every bidi format character among them, which RFC 3987
# 4.1 allows in no IRI) and the other blanks: an address with a raw U+202E or U+200B reads as
# another, and pages, og:image and JSON Feed carried them raw beside a NUL written %00.
_INVISIBLE_IN_URLS = (  # (a character class's body)
    "\x85\xa0\xad\u034f\u061c\u115f\u1160\u1680\u17b4\u17b5\u180b-\u180f\u2000-\u200f"
    "\u2028-\u202f\u205f-\u206f\u3000\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e0fff"
)
_CONTROL = re.compile('[\x00-\x20\x7f"<>`' + _INVISIBLE_IN_URLS + "]")
INVISIBLE_IN_URL = re.compile(f"[{_INVISIBLE_IN_URLS}]")  # (what releases before kept raw)

_CLOSING_TAG = re.compile(r"</([A-Za-z][\w:-]*)\s*>")
_OPENING_TAG = re.compile(r"<([A-Za-z][\w:-]*)[\s/>]")
# HTML's element names, the obsolete ones feeds still write too: "<" before one of them (or a
# comment) is markup; "<T: Display>", "<int>" and "$n<k$" are not.
_HTML_ELEMENTS = frozenset(
    """a abbr acronym address area article aside audio b base bdi bdo big blink blockquote body br
    button canvas caption center cite code col colgroup data datalist dd del details dfn dialog
    dir div dl dt em embed fieldset figcaption figure font footer form frame frameset h1 h2 h3 h4
    h5 h6 head header hgroup hr html i iframe img input ins kbd label legend li link main map mark
    marquee math menu meta meter nav nobr noscript object ol optgroup option output p param
    picture pre progress q rp rt ruby s samp script section select small source span strike
    strong style sub summary sup svg table tbody td template textarea tfoot th thead time title
    tr track tt u ul var video wbr applet basefont bgsound isindex keygen listing plaintext
    spacer xmp""".split()  # noqa: SIM905 - a list of 140 would be 140 lines
)
# A start tag's name, with the hyphens of a custom element (<lite-youtube>) and the prefix of
# Word's <o:p>; "impl<T: Display>" is no tag. (A lone "</div>" is text.)
_TAG_NAME = re.compile(r"<([A-Za-z][A-Za-z0-9]*(?:[-:][A-Za-z0-9]+)*)(?=[\s/>])|<!--")
# (A decimal one without its ";", as HTML reads it too: a Hebrew shop's "70&#39s" in CDATA.)
_REFERENCE = re.compile(
    r"&(?:#[0-9]{1,7};|#[0-9]{2,7}(?![0-9])|#[xX][0-9a-fA-F]{1,6};|([A-Za-z][A-Za-z0-9]{1,31});)"
)
# An iframe's content is raw text to the HTML parser, up to its end tag: with `<iframe/>` (no
# such thing in HTML) that is the rest of the document, markup and all, never words to read.
_TEXT_CLEANER = nh3.Cleaner(tags=set(), clean_content_tags={*DROPPED_WITH_CONTENT, "iframe"})

# nh3 (ammonia) takes these names for MathML's and drops such an element with everything it holds,
# where a browser shows the text: "Sort a std::vector<int> by key" kept "Sort a std::vector". Their
# tags are removed first, their text kept; not from the first <math> or <svg> of a fragment on,
# whose content HTML parses otherwise (a formula is still dropped whole, mutation-XSS vectors read
# as before; nh3 sanitizes what this leaves, whatever it is).
_MATHML_WORDS = """
    abs and annotation annotation-xml apply approx arccos arccosh arccot arccoth arccsc
    arccsch arcsec arcsech arcsin arcsinh arctan arctanh arg bind bvar card
    cartesianproduct cbytes ceiling cerror ci cn codomain complexes compose condition
    conjugate cos cosh cot coth cs csc csch csymbol curl declare degree determinant diff
    divergence divide domain domainofapplication emptyset eq equivalent eulergamma exists
    exp exponentiale factorial factorof false floor fn forall gcd geq grad gt ident
    imaginary imaginaryi implies in infinity int integers intersect interval inverse
    lambda laplacian lcm leq limit list ln log logbase lowlimit lt maction maligngroup
    malignmark matrix matrixrow max mean median menclose merror mfenced mfrac mglyph mi
    min minus mlabeledtr mlongdiv mmultiscripts mn mo mode moment momentabout mover
    mpadded mphantom mprescripts mroot mrow ms mscarries mscarry msgroup msline mspace
    msqrt msrow mstack mstyle msub msubsup msup mtable mtd mtext mtr munder munderover
    naturalnumbers neq none not notanumber notin notprsubset notsubset or otherwise
    outerproduct partialdiff pi piece piecewise plus power primes product prsubset
    quotient rationals real reals reln rem root scalarproduct sdev sec sech selector
    semantics sep set setdiff share sin sinh subset sum tan tanh tendsto times transpose
    true union uplimit variance vector vectorproduct xor
"""
_MATHML_NAMES = frozenset(_MATHML_WORDS.split())
# A tag other than the usual ones: only then are the tags' names read.
_UNUSUAL_TAG = re.compile(
    r"</?(?!(?:p|a|br|img|div|span|strong|em|b|i|u|s|li|ul|ol|h[1-6]|figure|figcaption|blockquote"
    r"|pre|code|table|tr|td|th|tbody|thead|hr|iframe|source|video|audio|picture|small|sup|sub)"
    r"[\s/>])[A-Za-z]"
)
_NAMED_TAG = re.compile(r"</?([A-Za-z][\w-]*+)[^<>]*+>")  # (possessive: no backtracking)
_FOREIGN_CONTENT = re.compile(r"<(?:math|svg)[\s/>]", re.IGNORECASE)


def _without_mathml_tags(html_text: str) -> str:
    """The fragment without the start and end tags of _MATHML_NAMES before its first <math> or
    <svg> ("std::vector<int> beside <svg>…" kept "std::vector" and nothing after): in C when it
    is built, `_without_mathml_tags_python` the reference."""
    without = _native.without_mathml_tags if _native is not None else _without_mathml_tags_python
    return without(html_text)


def _without_mathml_tags_python(html_text: str) -> str:
    """`_without_mathml_tags`: three patterns and a Python call per tag once one is unusual."""
    foreign = _FOREIGN_CONTENT.search(html_text)
    head = html_text[: foreign.start()] if foreign else html_text
    if not _UNUSUAL_TAG.search(head):
        return html_text
    return (
        _NAMED_TAG.sub(
            lambda tag: "" if tag.group(1).lower() in _MATHML_NAMES else tag.group(0), head
        )
        + html_text[len(head) :]
    )


def _new_cleaner(url_relative: UrlRelative) -> nh3.Cleaner:
    return nh3.Cleaner(
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel=LINK_REL,
        allowed_classes={"a": {EMBED_LINK_CLASS}},  # (_embed_link's, which cleaning keeps)
        set_tag_attribute_values=FORCED_ATTRIBUTES,
        strip_comments=True,
        url_relative=url_relative,
    )


# The most characters of base a fragment's relative URLs may copy in all: each is resolved with
# the whole base in it, and a 30 KB xml:base over 9,000 "<img src=a>" made 270 MB of HTML of a
# 183 KB feed (65 s and 700 MB of a worker; a review). Past it, the site's root is the base,
# else none (relative URLs are dropped).
MAX_BASE_COPIES = 512 * 1024
# A longer base (a page's or an xml:base, both the feed's to write) is its site's root: no page
# has one (servers refuse 8 KB), and each URL of every entry resolved against it copied it.
MAX_BASE_CHARS = 2048


def _bounded_base(html_text: str, base_url: str) -> str:
    """`_cleaner_base`, within MAX_BASE_CHARS and MAX_BASE_COPIES."""
    base = _cleaner_base(html_text, _short_base(base_url))
    urls = html_text.count("=")
    if len(base) * urls <= MAX_BASE_COPIES:
        return base  # (most fragments: the count of "=" is more than their URLs)
    root = _root(base)
    if base != root:  # the page copied into its relative URLs, the root into those from "/"
        copies = len(base) * len(_PAGE_RELATIVE.findall(html_text)) + len(root) * urls
        if copies <= MAX_BASE_COPIES:
            return base
    return root if len(root) * urls <= MAX_BASE_COPIES else ""


def _short_base(base: str) -> str:
    """`base`, or its site's root when it is longer than MAX_BASE_CHARS."""
    return base if len(base) <= MAX_BASE_CHARS else _root(base)


def _root(url: str) -> str:
    """The root of `url`'s site ("https://example.com/"), or "" without one."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    root = f"{parts.scheme}://{parts.netloc}/"
    return root if parts.scheme and parts.netloc and len(root) <= MAX_BASE_CHARS else ""


def _cleaner_base(html_text: str, base_url: str) -> str:
    """The base to sanitize with: the site's root when every URL the HTML writes is absolute or
    from the root ("/img/a.png" needs no more), else `base_url` itself. A cleaner is built per
    base (~170 µs), and an entry's HTML is resolved against its own page (normalize): one
    cleaner a site, not one an entry, for the HTML that needs no page."""
    if not _PAGE_RELATIVE.search(html_text):
        return _root(base_url) or base_url
    return base_url


# An attribute of ours that holds a URL (href, src, cite, poster) whose value is relative to the
# page: not absolute (a scheme), not from the root ("/"), not protocol-relative ("//"):
# "cover.jpg", "#fn:1", "?page=2", "", or one written with references (resolved against the
# page, to be sure). Found from its "=" (a literal the scan looks for first, 100 times faster
# than from the names), the name behind it.
_URL_NAMES = ("href", "src", "cite", "poster")
_PAGE_RELATIVE = re.compile(
    "="
    + "(?:"
    + "|".join(f"(?<={name}{space}=)" for name in _URL_NAMES for space in ("", r"\s"))
    + ")"
    + r"""\s*+["']?+\s*+(?![a-z][a-z0-9+.\-]*:|/)""",
    re.IGNORECASE,
)


@lru_cache(maxsize=512)
def _cleaner(base_url: str) -> nh3.Cleaner:
    """The allowlist cleaner resolving relative URLs against `base_url` (cached: sources repeat)."""
    if _is_http_url(base_url):
        try:
            return _new_cleaner(("rewrite_with_base", base_url))
        except ValueError:
            pass  # a base nh3's URL parser rejects: handled like no base at all
    # Without a usable base a relative URL cannot be made absolute, so it is dropped.
    return _new_cleaner("deny")


# HTML nested deeper than this is read as text: html5ever's work grows with the square of the
# depth (100,000 nested <div>s, 1.1 MB, took nh3 176 s), and no article nests a tenth as deep.
# Browsers' parsers stop nesting at about this depth too (Blink: 512).
MAX_NESTING = 512
# HTML with more "&" than this is read as text too: html5ever's work grows with the number of
# character references times the length of the text node they are in (1.6 million "&" took nh3
# 51 s; a 10 MB feed of them, 10 KB gzipped, 37 minutes of a worker). The corpus's most is 1,404.
MAX_AMPERSANDS = 10_000
# A tag with more attributes than this is read as text too: html5ever compares each one with
# those before it (300,000 distinct ones on one <p>, 2.9 MB, took nh3 22 s). No tag has a tenth.
MAX_ATTRIBUTES = 1_000
_CLOSING_ROOM = MAX_NESTING * len("</blockquote>") + len(CUT_MARK)
# Elements that never hold others open: void ones, and those a sibling closes (<p>, <li>, <td>…
# written without end tags are as shallow as with them).
_NOT_NESTING = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
     "source", "track", "wbr", "p", "li", "dt", "dd", "tr", "td", "th", "thead", "tbody",
     "tfoot", "option", "optgroup", "rb", "rt", "rp", "colgroup", "caption", "html", "head",
     "body"}
)  # fmt: skip
# The start and end tags of the other elements: "" for a start tag, "/" for an end tag. (HTML
# ignores the slash of <div/>: it opens a div like any other.)
_NOT_NESTING_NAME = "|".join(sorted(_NOT_NESTING, key=len, reverse=True))
_NESTING_TAG = re.compile(
    rf"<(/?)(?!(?:{_NOT_NESTING_NAME})[\s/>])([A-Za-z][^\s/>]*+)", re.IGNORECASE
)
_ANY_TAG = re.compile(r"<[^<>]*>")


def unparsable(html_text: str) -> bool:
    """Whether nh3 would take more than linear time on the fragment (MAX_NESTING,
    MAX_AMPERSANDS, MAX_ATTRIBUTES): it is then read as text, without parsing it."""
    return (
        html_text.count("&") > MAX_AMPERSANDS
        or too_deep(html_text)
        or (html_text.count("=") > MAX_ATTRIBUTES and _crowded_tag(html_text))
    )


_LONG_TAG = re.compile(r"<[A-Za-z][^<>]{4000,}+")  # (a thousand attributes take more room)
_ATTRIBUTE_NAME = re.compile(r"""\s[^\s"'<>=/]++\s*+=""")  # (not an "=" in a URL's query)


def _crowded_tag(html_text: str) -> bool:
    """Whether a tag of the fragment has more than MAX_ATTRIBUTES attributes."""
    return any(
        len(_ATTRIBUTE_NAME.findall(m.group(0))) > MAX_ATTRIBUTES
        for m in _LONG_TAG.finditer(html_text)
    )


def too_deep(html_text: str) -> bool:
    """Whether the fragment may nest elements more than MAX_NESTING deep (one linear pass; in C
    when it is built, `_too_deep_python` the reference)."""
    if html_text.count("<") <= MAX_NESTING:
        return False
    if _native is not None and (deep := _native.too_deep(html_text, MAX_NESTING)) is not None:
        return deep
    return _too_deep_python(html_text)


def _too_deep_python(html_text: str, max_nesting: int = MAX_NESTING) -> bool:
    """Whether the fragment may nest elements more than MAX_NESTING deep (one linear pass).

    End tags are read as HTML's parser reads them in a body, rounded towards more depth: one
    whose element is not open closes nothing ("<div></x>" 100,000 times nested 100,000 divs
    past a guard that counted every end tag as one level: 23 s of nh3); a formatting element's
    or a form's closes that element alone (the adoption agency keeps the blocks opened inside
    it: "<b><div></b>"); another's closes the elements inside it, unless a table or cell lies
    between (a special element's: "<div><table></div>") or a special element does (another
    element's: "<span><div></span>"), where it closes nothing."""
    if html_text.count("<") <= max_nesting:
        return False
    stack: list[str] = []
    for closing, name in _NESTING_TAG.findall(html_text):
        name = name.lower()
        if not closing:
            stack.append(name)
            if len(stack) > max_nesting:
                return True
            continue
        if name not in stack:
            continue
        at = len(stack) - 1 - stack[::-1].index(name)
        if name in _CLOSES_ITSELF:
            del stack[at]
        elif not any(n in (_SCOPE if name in _SPECIAL else _SPECIAL) for n in stack[at + 1 :]):
            del stack[at:]
    return False


# HTML's formatting elements and <form>: their end tag leaves the elements inside open.
_CLOSES_ITSELF = frozenset(
    {"a", "b", "big", "code", "em", "font", "i", "nobr", "s", "small", "strike", "strong", "tt",
     "u", "form"}
)  # fmt: skip
# The elements that bound a special element's scope (HTML's "has an element in scope").
_SCOPE = frozenset(
    {"applet", "caption", "html", "table", "td", "th", "marquee", "object", "template", "svg",
     "math"}
)  # fmt: skip
# HTML's special elements (the nesting ones), past which another element's end tag is ignored.
_SPECIAL = _SCOPE | frozenset(
    {"address", "article", "aside", "blockquote", "button", "center", "details", "dialog",
     "dir", "div", "dl", "fieldset", "figcaption", "figure", "footer", "form", "frameset", "h1",
     "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "iframe", "listing", "main", "menu", "nav",
     "noembed", "noframes", "noscript", "ol", "plaintext", "pre", "search", "section", "select",
     "style", "summary", "textarea", "title", "ul", "xmp"}
)  # fmt: skip


def flat_text(html_text: str) -> str:
    """The text of a fragment, without parsing it: tags dropped, entities decoded once."""
    return collapsed(html.unescape(_ANY_TAG.sub(" ", html_text)))


def cut_html(html_text: str, limit: int) -> str:
    """At most `limit` characters of well-formed HTML: before the tag the limit falls in, or in
    the text it falls in, before a reference it would cut in two. Elements stay open."""
    if len(html_text) <= limit:
        return html_text
    start = html_text[:limit]
    tag = start.rfind("<")
    if tag != -1:
        whole = _TAG.match(html_text, tag)
        if whole is None or whole.end() > limit:
            return start[:tag]  # the limit falls in this tag
    reference = start.rfind("&")
    if reference > tag and ";" not in start[reference:]:
        start = start[:reference]  # a reference the limit cuts in two
    return start


def bounded(cleaned: str, base_url: str, trusted_host: str = "") -> str:
    """Sanitized HTML of at most MAX_CONTENT_CHARS: a longer one is cut before a tag, its open
    elements closed (room kept for MAX_NESTING of them), and ends with "[…]". The longest
    article of the corpus is ~110 KB; a 2.4 MB one is an e-mail's pasted style sheet, which
    every page and feed of its category would carry."""
    if len(cleaned) <= MAX_CONTENT_CHARS:
        return cleaned
    cut = cut_html(cleaned, MAX_CONTENT_CHARS - _CLOSING_ROOM)
    return clean_html(cut, base_url, trusted_host) + CUT_MARK


def clean_html(html_text: str, base_url: str, trusted_host: str = "") -> str:
    """Sanitize an HTML fragment with the allowlist; relative URLs become absolute. At most
    MAX_CONTENT_CHARS come out (`bounded`). Pictures on a reader's own network go, but those
    of `trusted_host` (on_readers_network)."""
    if not html_text:
        return ""
    if unparsable(html_text):
        return bounded(f"<p>{html.escape(flat_text(html_text), quote=False)}</p>", base_url)
    html_text = lazy_images.reveal_in(html_text)
    # Each pattern below runs only where a word it needs is in the text. No pattern before the
    # password form's makes or removes "post-password-form", so it is looked for once.
    password_form = "post-password-form" in html_text
    # XHTML's "<br/>" as a feed's XML parser writes it back: "<br></br>", which HTML reads as two
    # breaks (the Guardian's paragraphs were four lines apart). In any case, as HTML reads a tag's
    # name: "</bR>" escaped the plain looks for "</br" and "</BR".
    if _mentions(html_text, "</br"):
        html_text = _XML_LINE_BREAK.sub(r"\1", html_text)
    # The struck-through text of HTML 4 (what is no longer so: "<strike>June 1st</strike> June
    # 15th"), which the allowlist would keep as live text: HTML5's <s>.
    # (In any case, as HTML reads a tag's name: "<sTrIkE>" escaped looks for "trike" and "TRIKE".)
    if _mentions(html_text, "strike"):
        html_text = _STRIKE.sub(r"<\1s", html_text)
    if password_form:
        html_text = _PASSWORD_FIELD.sub("", html_text)
    # (The style that hides it goes with the sanitizer. CSS reads "DISPLAY:NONE", "Display"
    # and "dIsPlAy" as "display", HTML "<IFrame" as an iframe: two plain looks, for the lower
    # and upper case, kept a picture or frame hidden in another case, shown once its style went.
    # C looks in any case: a pattern ignoring case cost ~10% of clean_html over the corpus.)
    # (Or sized to nothing: "width:1px", "HEIGHT: 0". What hides it is in its style attribute,
    # the only place _unless_hidden reads, so one look for "style" in any case is the whole
    # condition: looks for "display", "1px", "0px" and "h:0" missed "WIDTH:1PX" and "width: 0",
    # and cost more over the corpus's bodies, 34 ms against 23 with the pass, for 279 bodies
    # read against 481.)
    if _mentions(html_text, "style"):
        html_text = _IMG_OPEN.sub(_unless_hidden, html_text)
    if _mentions(html_text, "iframe"):
        html_text = _IFRAME_OPEN.sub(_unless_hidden_frame, html_text)
    base = _bounded_base(html_text, base_url)
    cleaner = _cleaner(base)
    cleaned = cleaner.clean(_without_mathml_tags(html_text))
    # The rules below read every tag in Python; `bounded` keeps MAX_CONTENT_CHARS of what they
    # leave. Past twice that, what they would read is cut first (and closed again by nh3): a
    # description of 150,000 pictures (9.6 MB) took 17 s, the most of it on pictures thrown away.
    cut = len(cleaned) > MAX_CLEANED_CHARS
    if cut:
        cleaned = cleaner.clean(cut_html(cleaned, MAX_CLEANED_CHARS))
    if ' class=""' in cleaned:  # (a source's link with no class we keep: EMBED_LINK_CLASS)
        cleaned = _EMPTY_CLASS.sub(r"\1", cleaned)
    # Iframes first: nh3 writes an iframe's content back as the raw text it parsed, markup and
    # all, and only its own `</iframe>` ends it. A pattern run over that text before it is gone
    # (an unclosed "<img src=x " took the `</iframe>` with it) let the markup out, unsanitized.
    if "<iframe" in cleaned:
        cleaned = _IFRAME.sub(_keep_embed, cleaned)
    # (After: an iframe with a user name in its address is none of a player's, whatever host.)
    if _native is None or _native.misleading_urls(cleaned):  # (C: False where none can be)
        cleaned = _WRITTEN_TAG.sub(lambda tag: _safe_links(tag[0], base_url), cleaned)
    if " href=" in cleaned and "?" in cleaned:
        cleaned = _LINK_QUERY.sub(_untracked_link, cleaned)
    if (" src=" in cleaned or " poster=" in cleaned) and _loaded_nearby(cleaned):
        cleaned = _MEDIA_TAG.sub(lambda match: _loaded_from_afar(match, trusted_host), cleaned)
    if "<img" in cleaned:
        # (and one left without a src; a srcset checked as its src is, resolved as nh3 did it)
        cleaned = _IMG_TAG.sub(lambda match: _keep_image(match, base, trusted_host), cleaned)
    if "></a>" in cleaned:
        # A link left with nothing in it (a share button whose picture was a tracker's, an
        # anchor the parser closed before its heading) is a focusable stop with no name.
        cleaned = _EMPTY_LINK.sub("", cleaned)
    if " cite=" in cleaned:
        cleaned = _CITE.sub(lambda match: _safe_cite(match, base_url), cleaned)
    if "</p>" in cleaned:
        # A paragraph of nothing (an editor's spacer, "<p><br></p>", "<p>&nbsp;</p>") is a gap
        # in the article: a Chinese site's had 34 (a review).
        cleaned = _EMPTY_PARAGRAPH.sub("", cleaned)
        if "<h" in cleaned:
            cleaned = _HEADING.sub(_heading_without_paragraphs, cleaned)
    result = bounded(cleaned.strip(), base_url, trusted_host)
    return result + CUT_MARK if cut and not result.endswith(CUT_MARK) else result


# A heading around paragraphs ("<h2><p>左右横跳：索尼 Xperia</p></h2>", a Chinese site's): a
# browser shows a heading, but libxml2's HTML parser, which the junk rules read the HTML with,
# closes the heading at the paragraph, and an article they took a line from was left with an
# empty <h2> over a plain paragraph (a review). The heading keeps the paragraphs' text, a line
# break between two of them. (nh3 writes no heading inside another: [^<>] and .*? are linear.)
_HEADING = re.compile(r"<(h[1-6])((?:\s[^<>]*)?)>(.*?)</\1>", re.DOTALL)
_HEADING_PARAGRAPHS_MEET = re.compile(r"</p>\s*<p(?:\s[^<>]*)?>")
_HEADING_PARAGRAPH_TAG = re.compile(r"</?p(?:\s[^<>]*)?>")


def _heading_without_paragraphs(match: re.Match[str]) -> str:
    inner = match[3]
    if "<p" not in inner:
        return match[0]
    inner = _HEADING_PARAGRAPH_TAG.sub("", _HEADING_PARAGRAPHS_MEET.sub("<br>", inner.strip()))
    return f"<{match[1]}{match[2]}>{inner}</{match[1]}>"


_XML_LINE_BREAK = re.compile(r"(<br\b[^<>]*>)\s*</br\s*>", re.IGNORECASE)
_STRIKE = re.compile(r"<(/?)strike(?=[\s/>])", re.IGNORECASE)


# (Linear: each alternative starts with its own character, and none with "<" but "<br>".)
_EMPTY_PARAGRAPH = re.compile(r"<p(?:\s[^<>]*)?>(?:\s|&nbsp;|<br>)*</p>")


# A WordPress post behind a password: its feed has the form (get_the_password_form), whose field
# and button the sanitizer drops, leaving "…enter your password below:" over a bare "Password:".
# The paragraph of the field goes; the sentence stays, and the article links to the form. Themes
# that write their own form (Twenty Twenty-One and its many copies) put a label of the class
# "post-password-form__label" beside the field: the label goes. ([^<>]: linear, whatever comes.)
_PASSWORD_FIELD = re.compile(
    r"<p>\s*<label\b[^>]*>[^<]*<input\b[^>]*>\s*</label>\s*(?:<input\b[^>]*>\s*)*</p>"
    r"|<label\b[^<>]*\bpost-password-form__label\b[^<>]*>[^<]*</label>",
    re.IGNORECASE,
)


# A code block or table wider than the page scrolls sideways (site.css), and a box that scrolls
# must take the keyboard's focus, or a reader without a mouse cannot scroll it (WCAG 2.1.1).
# The HTML is nh3's, which writes a "<" in text and in attribute values as "&lt;": "<pre" starts
# a tag. (Were one left in a quoted value, the unquoted ` tabindex=0` would stay in the value.)
_SCROLLER = re.compile(r"<(pre|table)(?=[\s>])")


def focusable_scrollers(cleaned: str) -> str:
    """Sanitized HTML with its code blocks and tables reachable by the keyboard (tabindex=0),
    for the article page; what is stored (and its content hash) stays as the sanitizer wrote it."""
    if "<pre" not in cleaned and "<table" not in cleaned:
        return cleaned
    return _SCROLLER.sub(r"<\1 tabindex=0", cleaned)


# The URLs nh3 keeps that read otherwise than they look, or are read differently by different
# readers: a user name or password before the host ("https://ournews.example@evil.example/"
# goes to evil.example), and http(s) without "//" ("http:evil.example": a host to browsers, a
# path to RFC 3986, and so is one after more slashes, "https:///evil.example"; written as
# browsers read it, _slashes_as_browsers_read). (A backslash ends
# the host for browsers: "https://evil.example\@x" goes where it looks, and is left.) And one
# with a character no one sees (_INVISIBLE_IN_URLS), which safe_url writes percent-encoded, as
# it writes the article's own links and pictures (the lead picture is often the body's). nh3
# writes every attribute in double quotes.
_MISLEADING_URL = re.compile(
    r'( (?:href|src|poster)=")((?i:https?):(?!//(?![/\\]))[^"]*+'
    r'|(?i:https?)://[^"/?#@\\]*+@[^"]*+'
    f'|(?i:https?)://[^"{_INVISIBLE_IN_URLS}]*+[{_INVISIBLE_IN_URLS}][^"]*+)"'
)


# An attribute as nh3 writes it, name="value" with no '"' inside, stepped over whole; and a tag
# of them. Its text writes '"' as itself, so ' href="https://user@…"' in a code sample is text,
# and stays as written (h8's F2).
_WRITTEN_ATTRIBUTE = r' [^\s"=<>]++="[^"]*+"'
_WRITTEN_TAG = re.compile(rf"<[A-Za-z][^\s/>]*+(?:{_WRITTEN_ATTRIBUTE})*+>")


def _safe_links(tag: str, base_url: str) -> str:
    """The tag with each misleading URL as safe_url writes it, or without that attribute."""
    return _MISLEADING_URL.sub(lambda match: _safe_link(match, base_url), tag)


def _safe_link(match: re.Match[str], base_url: str) -> str:
    """The attribute with its URL as safe_url writes it (no user name nor password), or none."""
    url = safe_url(html.unescape(match.group(2)), base_url)
    return f'{match.group(1)}{html.escape(url)}"' if url else ""


# A link's query, as nh3 writes it ("&" as "&amp;"), up to its fragment: the campaign and click
# parameters go from links in the text as from the article's own (TRACKING_PARAMS), the rest of
# the query byte for byte. (Pictures' addresses are left: a picture is no place a reader goes.)
# In an <a> tag only: nh3 writes a text's '"' as itself, so ' href="…?utm_source=…"' in a code
# sample showing a link is text, which keeps every character (h8's F1).
_LINK_QUERY = re.compile(rf'(<a(?:{_WRITTEN_ATTRIBUTE})*? href="[^"?#]*+\?)([^"#]*+)')


def _untracked_link(match: re.Match[str]) -> str:
    """The link's address and query without tracking parameters ("?" too when none is left)."""
    query = _strip_tracking(match.group(2), "&amp;")
    return f"{match.group(1)}{query}" if query else match.group(1)[:-1]


# nh3 checks the scheme of href and src, not of cite (blockquote, q, del, ins), nor makes it
# absolute: a cite="javascript:…" came through, and feed readers show a cite as a link. nh3
# writes every attribute in double quotes, and a "<" in text as "&lt;": this finds only tags.
_CITE = re.compile(r'(<(?:blockquote|q|del|ins)\b[^<>]*?) cite="([^"]*)"')


def _safe_cite(match: re.Match[str], base_url: str) -> str:
    """The tag with its cite as an absolute http(s) URL, or without it."""
    url = safe_url(html.unescape(match.group(2)), base_url)
    return match.group(1) + (f' cite="{html.escape(url)}"' if url else "")


# What a page loads by itself, when a reader opens it: pictures, a video's poster, and media
# sources (which preload="none" leaves alone, unless a browser does not honour it). An iframe's
# src is one of EMBED_HOSTS. nh3 writes every attribute in double quotes, "<" as "&lt;".
_MEDIA_TAG = re.compile(r"<(?:img|video|audio|source|track)\b[^<>]*>")
_LOADED_URL = re.compile(r' (?:src|poster)="([^"]*)"')


def _loaded_nearby(cleaned: str) -> bool:
    """Whether a src or poster of the HTML nh3 wrote may be on a reader's network: False only
    where none can be (in C, a look that saves _MEDIA_TAG's run and a Python call per address
    where every one is a public name), True otherwise or without the C module."""
    return _native is None or _native.loaded_nearby(cleaned, _LOCAL_LABELS)


def _loaded_from_afar(match: re.Match[str], trusted_host: str) -> str:
    """The tag without a src or poster on its reader's own network (on_readers_network)."""
    return _LOADED_URL.sub(
        lambda url: (
            "" if on_readers_network(html.unescape(url.group(1)), trusted_host) else url.group(0)
        ),
        match.group(0),
    )


_AUTHORITY = re.compile(r"((?i:https?)):[/\\]*+([^/\\?#]*+)")
# Names that only a reader's own network answers for: special-use ones (RFC 6761, 6762, 8375,
# ICANN's .internal) and the ones intranets use that were never delegated.
LOCAL_SUFFIXES = (
    ".localhost", ".local", ".internal", ".home.arpa", ".localdomain", ".lan", ".intranet",
    ".corp", ".home", ".private",
)  # fmt: skip

# Their last labels (those of the names addresses.private_host takes for local among them): a
# host ending in one is looked at in Python (_loaded_nearby).
_LOCAL_LABELS = tuple(sorted({suffix.rpartition(".")[2] for suffix in LOCAL_SUFFIXES}))


def on_readers_network(url: str, trusted_host: str = "") -> bool:
    """Whether a page loading `url` by itself would have a reader's browser ask a host of the
    reader's own network: an address that is not public, as browsers read one ("2130706433",
    "0x7f.1", "%31%32%37.0.0.1" and fullwidth digits are 127.0.0.1), "localhost", a name of
    one label ("router"), or one under LOCAL_SUFFIXES; never `trusted_host`, the host of the
    source's URL in the operator's config (an intranet source's pictures), at its port too
    where it is written with one (normalize.trusted_host: a loopback source's). Never a host the
    feed names (its xml:base, its links, a Content-Location): one attribute re-opened all of
    it (a review). A feed's <img src="http://192.168.1.1/reboot">
    was a request from every reader's browser to their router (a security review)."""
    # The host as browsers find it in an http(s) URL: after any slashes and backslashes
    # ("http:///127.0.0.1/" is 127.0.0.1 to them, and no host to urlsplit), tabs and newlines
    # dropped, after a user name, before a port.
    authority = _AUTHORITY.match(_TAB_NEWLINE.sub("", url.strip(_C0_AND_SPACE)))
    if authority is None:
        return False  # not http(s): nothing a page loads (the sanitizer keeps no other)
    host, port = _host_and_port(authority[2].rpartition("@")[2])
    try:
        host = unquote(host, errors="strict")
        if not host.isascii():
            host = idna.uts46_remap(host, std3_rules=False, transitional=False)
    except (UnicodeDecodeError, idna.IDNAError):
        return True  # no host a browser reads either
    host = host.lower().rstrip(".")
    if not host:
        return True  # ("http://" alone: nothing to load, nothing lost)
    # (normalize.trusted_host writes a loopback host with its port, "[::1]:8080", and any other
    # host bare: an intranet source's IPv6 "fd00::1" read as host "fd00", port ":1" lost that
    # source's own pictures, h8's F2.)
    bare_ipv6 = trusted_host.count(":") > 1 and not trusted_host.startswith("[")
    trusted, trusted_port = (trusted_host, "") if bare_ipv6 else _host_and_port(trusted_host)
    if host == trusted.lower().rstrip(".") and (
        not trusted_port or _port_number(port, authority[1]) == int(trusted_port)
    ):
        return False
    if ":" in host:  # an IPv6 address
        return private_host(host)
    return "." not in host or host.endswith(LOCAL_SUFFIXES) or private_host(host)


def _host_and_port(authority: str) -> tuple[str, str]:
    """An authority's host (an IPv6 one without its brackets) and its port as written."""
    if authority.startswith("["):
        end = authority.find("]")
        return authority[1:end], authority[end + 1 :].removeprefix(":") if end >= 0 else ""
    host, _, port = authority.partition(":")
    return host, port


def _port_number(port: str, scheme: str) -> int:
    """The port a browser connects to (-1: none, the URL is refused)."""
    if not port:
        return 443 if scheme.lower() == "https" else 80
    return int(port) if port.isascii() and port.isdigit() else -1


def loopback_host(host: str) -> bool:
    """Whether `host` is whichever machine asks for it: `localhost`, a loopback or unspecified
    address, however written ("127.1", "::ffff:127.0.0.1", "0.0.0.0")."""
    host = host.lower().rstrip(".").strip("[]")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address: ipaddress.IPv4Address | ipaddress.IPv6Address | None = ipaddress.ip_address(host)
    except ValueError:
        address = ipv4_shorthand(host)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address is not None and (address.is_loopback or address.is_unspecified)


# A picture its feed hides (Blogger's copy of the header for social cards, at the top of every
# post): once the sanitizer drops its style it would show, twice. The tag is found first, then
# its style read on its own: one pattern doing both retried its nested scans at every "<img".
_IMG_OPEN = re.compile(r"<img\b[^<>]*>", re.I)
_STYLE = re.compile(r"(?<![\w-])style\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>]*))", re.I)
# (Or sized to nothing by its style, as mail and analytics beacons write it: "width:1px", or
# "width:0" as CSS writes a zero; the last declaration too, before the style's closing quote.)
_HIDDEN = re.compile(
    r"\bdisplay\s*:\s*none\b|(?<![\w-])(?:width|height)\s*:\s*(?:0(?:px)?|1px)(?![\w.%])", re.I
)


# An iframe's opening tag in a source's HTML, and its attributes (as HTML reads them, quotes
# honoured: a title="a hidden gem" is no `hidden` attribute).
_IFRAME_OPEN = re.compile(r"<iframe\b[^<>]*+>", re.I)
_RAW_ATTR = re.compile(r"""([^\s"'<>/=]++)(?:\s*+=\s*+(?:"([^"]*+)"|'([^']*+)'|([^\s>]*+)))?""")
_HIDDEN_FRAME = re.compile(r"\bdisplay\s*:\s*none\b|\bvisibility\s*:\s*hidden\b", re.I)


def _raw_attributes(tag: str, start: int) -> dict[str, str]:
    """A source's tag's attributes from `start` (past its name), as HTML reads them."""
    return {m[1].lower(): m[2] or m[3] or m[4] or "" for m in _RAW_ATTR.finditer(tag, start)}


def _tiny(attrs: dict[str, str]) -> bool:
    """Whether a side is 0 or 1 pixel: a beacon's, or a frame hidden so."""
    return any(
        attrs.get(side, "").strip().lower().removesuffix("px").strip() in ("0", "1")
        for side in ("width", "height")
    )


def _unless_hidden_frame(match: re.Match[str]) -> str:
    """An iframe's tag, or one without its address when it is hidden (a style, the `hidden`
    attribute, a side of 0 or 1 pixel), which then leaves nothing. The sanitizer drops what hid
    it: a tag manager's hidden frame became a visible link, a hidden player a visible one."""
    attrs = _raw_attributes(match.group(0), 7)
    if "hidden" in attrs or _tiny(attrs) or _HIDDEN_FRAME.search(attrs.get("style", "")):
        return "<iframe>"
    # WordPress's embed of a post (its own or another WordPress site's): the blockquote before
    # it links the post by its title already, and the frame's link repeated it by its address
    # ("cyklistbloggen.se/2014/04/…/embed/", under "Läs också:" in 15 of a blog's posts).
    if "wp-embedded-content" in attrs.get("class", "").split():
        return "<iframe>"
    return match.group(0)


def _mentions(html_text: str, word: str) -> bool:
    """Whether the fragment holds `word` (lowercase letters and punctuation) in any case: never
    False where re.I finds it (`_native.mentions_caseless`, else that pattern)."""
    look = _native.mentions_caseless if _native is not None else _mentions_python
    return look(html_text, word)


def _mentions_python(html_text: str, word: str) -> bool:
    return re.search(re.escape(word), html_text, re.I) is not None


def _unless_hidden(match: re.Match[str]) -> str:
    style = _STYLE.search(match.group(0))
    return "" if style and _HIDDEN.search(style.group(0)) else match.group(0)


def _keep_image(match: re.Match[str], base: str = "", trusted_host: str = "") -> str:
    """The <img> tag unchanged, or "" for a tracking pixel or an image without a source, or the
    emoji itself for a picture of one (WordPress's, Twemoji: 72 px, sized to the text only by the
    `style` we drop, so they showed large). Its srcset keeps the candidates a src would be kept
    as (_source_set), resolved against `base`."""
    tag = match.group(0)
    attrs = dict(_ATTR.findall(tag))
    if "srcset" in attrs or "sizes" in attrs:
        # (Each where the feed wrote it: the tag comes out in the feed's order, then ours.)
        source_set = _source_set(html.unescape(attrs.get("srcset", "")), base, trusted_host)
        if source_set:
            attrs["srcset"] = html.escape(source_set)
        else:
            attrs.pop("srcset", None)
        if not source_set or not _SIZES.fullmatch(html.unescape(attrs.get("sizes", ""))):
            attrs.pop("sizes", None)
        tag = f"<img{_ordered(attrs, {})}>"  # (an emoticon's is rewritten from it)
    src = html.unescape(attrs.get("src", ""))
    if not src or is_tracker(src):
        return ""
    alt = html.unescape(attrs.get("alt", ""))
    if _EMOJI_IMAGE.search(src) and 0 < len(alt) <= 8 and not _WORD.search(alt):
        return html.escape(alt, quote=False)  # (its own escaping: not how nh3 wrote the attribute)
    for dimension in ("width", "height"):
        value = attrs.get(dimension, "").strip().removesuffix("px").strip()
        if value.isdigit() and int(value) <= 1:
            return ""
    if _EMOTICON_IMAGE.search(src) and EMOJI_CODE.fullmatch(alt):
        unsized = _DIMENSION.sub("", _SOURCE_SET_ATTRIBUTE.sub("", tag))
        unsized = unsized.removesuffix(">")
        size = f' width="{EMOTICON_PIXELS}" height="{EMOTICON_PIXELS}"'
        return f"<img{_attributes(unsized + size, 'img')}>"
    # A picture the feed gave no text is decorative to a screen reader (alt=""), not its file
    # name read aloud; "auto" or "50%" is no width HTML knows (GeekPark writes "auto"). (From
    # `attrs`, not from the tag rewritten and read again: nh3 writes each attribute once, after
    # one space, in double quotes, and none holds a raw '"'.)
    for dimension in ("width", "height"):
        if dimension in attrs:
            if (pixels := _pixels(attrs[dimension])) is None:
                del attrs[dimension]
            else:
                attrs[dimension] = pixels
    attrs.setdefault("alt", "")
    return f"<img{_ordered(attrs, FORCED_ATTRIBUTES['img'])}>"


_DIMENSION = re.compile(r' (width|height)="([^"]*)"')
_PIXELS = re.compile(r"\s*([0-9]{1,6})\s*(?:px)?\s*", re.IGNORECASE)
# A larger width or height is dropped: a browser sizes a picture by them until it loads (or for
# good, when it does not), and height="999999" made an article page 1.6 million pixels tall.
MAX_PIXELS = 10_000


def _pixels(value: str) -> str | None:
    """A width or height as HTML writes one, a number of pixels ("640px" is 640, as browsers
    and the lead-picture rules read it), or None ("auto", "50%", more than MAX_PIXELS)."""
    number = _PIXELS.fullmatch(value)
    if number is None or int(number.group(1)) > MAX_PIXELS:
        return None
    return number.group(1)


_SOURCE_SET_ATTRIBUTE = re.compile(r' (?:srcset|sizes)="[^"]*"')  # (an emoticon is text-sized)

# A srcset gives a browser the same picture at other sizes: a screen of 2 or 3 device pixels to
# the CSS pixel takes the larger one (a diagram's 2x was dropped, and its 1x drawn blurred).
# Each candidate is kept as a src is, or left out: an absolute http(s) address (safe_url: no
# credentials; relative ones resolved against the base nh3 resolved src against), neither a
# tracker's nor on a reader's own network (its router's address asked by every reader's
# browser), with a width ("800w") or density ("2x") descriptor or none; at most
# MAX_SOURCE_SET_CANDIDATES of them. None left: no srcset, nor its sizes.
MAX_SOURCE_SET_CANDIDATES = 16
_DESCRIPTOR = re.compile(r"[1-9][0-9]{0,5}w|(?:[0-9]{1,2}(?:\.[0-9]{1,3})?|\.[0-9]{1,3})x")
# A sizes attribute is a list of CSS media conditions and lengths: "(max-width: 700px) 100vw,
# 700px". Only the characters those are written in: no quote, semicolon nor brace.
_SIZES = re.compile(r"[A-Za-z0-9 ().,:%+*/-]{1,300}")


def _source_set(value: str, base: str, trusted_host: str) -> str:
    """A srcset with only the candidates a page may load (above), as "URL descriptor, ..."."""
    kept: list[str] = []
    for candidate in lazy_images.split_source_set(value, MAX_SOURCE_SET_CANDIDATES):
        address, *descriptor = candidate
        if len(descriptor) > 1 or (descriptor and not _DESCRIPTOR.fullmatch(descriptor[0])):
            continue  # (what no browser reads, or a width and a density at once)
        url = as_uri(safe_url(address, base))
        # (A comma ending an address would end its candidate, and a space split it.)
        if not url or url.endswith(",") or any(c.isspace() for c in url):
            continue
        if is_tracker(url) or on_readers_network(url, trusted_host):
            continue
        kept.append(" ".join([url, *descriptor]))
    return ", ".join(kept)


def _keep_embed(match: re.Match[str]) -> str:
    """An allowed player's iframe, emptied; any other becomes a link to what it framed (an
    article about 13 Instagram posts kept nothing of them, not a trace: a review), unless it
    is a tracker's or was hidden (_unless_hidden_frame)."""
    attrs = dict(_ATTR.findall(match.group(1)))
    src = html.unescape(attrs.get("src", ""))
    if not is_embed_url(src):
        return _embed_link(src)
    # The content of an iframe is raw text (fallback for ancient browsers): never keep it.
    # Players answer https too; the pages' policy frames them only so (and an https page
    # would refuse an http frame anyway).
    # (A src written with spaces before it, which browsers ignore, hid an http:// from this.)
    attributes = _SPACED_SRC.sub(' src="', _attributes(match.group(1), "iframe"))
    attributes = attributes.replace(' src="http://', ' src="https://')
    return f"<iframe{attributes}></iframe>"


_SPACED_SRC = re.compile(r' src="\s++')


def _embed_link(src: str) -> str:
    """A link in place of an iframe we do not frame, named by its address, host and path
    ("instagram.com/p/Bt…/embed/"): a reader can still open it. None for a tracker's, or one
    whose host a browser could read otherwise than its name says (a hidden one has lost its
    address already: _unless_hidden_frame)."""
    read = _as_browsers_read(src)
    if read is None or is_tracker(read[0]) or "\\" in read[2]:
        return ""
    url = html.escape(read[0])
    address = _PATH_END.split(url.split("://", 1)[1], 1)[0]
    # (Without direction controls, as every title and byline: a path's U+202E reversed what
    # followed it, "evil.example/\u202eelbat.com" showing as "evil.example/moc.table".)
    name = _DIRECTION_CONTROL.sub("", address.removeprefix("www."))
    return f'<a class="{EMBED_LINK_CLASS}" href="{url}" rel="{LINK_REL}">{name}</a>'


_DIRECTION_CONTROL = re.compile("[\u202a-\u202e\u2066-\u2069]")


# The class of _embed_link's links, the one class cleaning keeps: their text is no text of the
# article's, for the excerpt, the filters, the language and stories (`_without_embed_links`).
# (Told by the address as their name, an author's "python.org" linked to python.org went too.)
EMBED_LINK_CLASS = "embed-link"
# What nh3 leaves of a link's other classes, in a tag (a text's ` class=""` is a code sample's).
_EMPTY_CLASS = re.compile(r'(<a\b[^<>]*?) class=""')
_EMBED_LINK = re.compile(f'<a class="{EMBED_LINK_CLASS}" href="[^"]*+" rel="[^"]*+">[^<]*+</a>')


def _without_embed_links(html_text: str) -> str:
    return _EMBED_LINK.sub("", html_text) if EMBED_LINK_CLASS in html_text else html_text


def _attributes(tag: str, name: str) -> str:
    """The tag's attributes, ours (FORCED_ATTRIBUTES) last in a fixed order.

    nh3 adds the forced attributes in an order that changes from one Cleaner to the next (it
    keeps them in a hash map), and the same entry must come out byte for byte the same: its
    content hash decides whether a stored article changed.
    """
    return _ordered(dict(_ATTR.findall(tag)), FORCED_ATTRIBUTES[name])


def _ordered(pairs: dict[str, str], forced: dict[str, str]) -> str:
    """`_attributes` of a tag whose attributes are `pairs`, in their order."""
    ordered = [k for k in pairs if k not in forced] + [k for k in forced if k in pairs]
    return "".join(f' {k}="{pairs[k]}"' for k in ordered)


def media_count(body: str) -> int:
    """How many pictures and players a source's HTML shows, as cleaning will leave them: a
    picture it drops (a tracker's, a side of 0 or 1 pixel) is none. FeedBurner's pixel beside a
    one-line content made it "show more" than the feed's whole summary."""
    return sum(
        1 for tag in _RAW_MEDIA_TAG.finditer(body) if tag[1].lower() != "img" or _shown(tag[0])
    )


_RAW_MEDIA_TAG = re.compile(r"<(img|picture|video|audio|iframe|object|embed)\b[^<>]*+>", re.I)


def _shown(img: str) -> bool:
    """Whether cleaning keeps a source's <img> tag (as _keep_image; one without a source counts:
    a lazy picture's address is in another attribute until the sanitizer reads it)."""
    attrs = _raw_attributes(img, 4)
    return not is_tracker(html.unescape(attrs.get("src", ""))) and not _tiny(attrs)


def is_tracker(src: str) -> bool:
    """True for the src of an image that is no part of an article: a beacon, an ad, a share
    button (_NOT_CONTENT)."""
    return _NOT_CONTENT.found_in(src)


def is_embed_url(src: str) -> bool:
    """True for an https/http URL on one of the EMBED_HOSTS (or a subdomain of them), or in one
    of the EMBED_FOLDERS.

    The host is read the way browsers read it (the WHATWG URL standard), not the way urlsplit
    does: `https://evil.example\\@www.youtube.com/` is evil.example to a browser (a backslash
    ends the authority of an http(s) URL) but www.youtube.com to urlsplit. Anything whose host
    two parsers could read differently (a backslash or `@` in the authority, percent-encoding,
    slashes other than exactly two) is refused rather than interpreted, and the src is kept
    byte for byte, so what we check is what the reader's browser loads.
    """
    read = _as_browsers_read(src)
    if read is None:
        return False
    _, host, path = read
    if any(host == allowed or host.endswith("." + allowed) for allowed in EMBED_HOSTS):
        return True
    # A folder: the path as browsers read it, so none that "/../", "%2e%2e" or "..%2F" leaves.
    return (
        not _DOT_SEGMENT.search(path)
        and "\\" not in path
        and any(host == h and path.startswith(folder) for h, folder in EMBED_FOLDERS)
    )


def _as_browsers_read(src: str) -> tuple[str, str, str] | None:
    """An http(s) address as browsers read it, (the address, its host, its path), when no two
    parsers could read its host differently (is_embed_url); else None."""
    # Browsers drop leading/trailing C0 controls and spaces and every tab and newline inside.
    url = _TAB_NEWLINE.sub("", src.strip(_C0_AND_SPACE))
    scheme = _EMBED_SCHEME.match(url)
    if scheme is None:
        return None
    authority = _AUTHORITY_END.split(url[scheme.end() :], 1)[0]
    host, _, port = authority.partition(":")
    if not _EMBED_HOST.fullmatch(host) or (port and not port.isdigit()):
        return None
    path = _PATH_END.split(url[scheme.end() + len(authority) :], 1)[0]
    return url, host.lower().removesuffix("."), path


def looks_like_html(text: str) -> bool:
    """Whether text declared plain is HTML all the same: it closes an element it opened
    ("<p>Hi</p>" in an untyped Atom summary). "std::vector<int>", "a<b, b>c" and Stack
    Overflow's title "Why does </script> inside a string end it?" do not."""
    if "</" not in text:
        return False
    closed = {name.lower() for name in _CLOSING_TAG.findall(text)}
    return bool(closed) and any(name.lower() in closed for name in _OPENING_TAG.findall(text))


def text_to_html(text: str) -> str:
    """Plain text as escaped HTML paragraphs; single newlines become <br>."""
    paragraphs = (p.strip() for p in _PARAGRAPH_BREAK.split(text.strip()))
    return "".join(
        "<p>" + "<br>".join(html.escape(line.strip()) for line in p.splitlines()) + "</p>"
        for p in paragraphs
        if p
    )


_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")


def plain_text(text: str) -> str:
    """Text declared plain, its character references decoded when it holds one HTML knows: text
    escaped twice ("AT&amp;amp;T" in the XML) is a common mistake. Its "<" stays: a JSON Feed's
    content_text "Station <North> &amp; more" keeps "<North>"."""
    return html.unescape(text) if "&" in text and _has_reference(text) else text


def reads_as_text(text: str) -> bool:
    """Whether text declared HTML is plain text all the same, where reading it as HTML would lose
    some of it: it has a "<" or a line break, and opens no element HTML knows, holds no comment
    and no character reference (Hugo's title "Why </div> soup happens" is text). Bluesky's
    "impl<T: Display> Foo<T>" and arXiv's "$n<k$ … $k>n$" lost words as HTML; a YouTube
    description or a podcast's plain show notes lost their line breaks (RSS says every
    description is HTML)."""
    if "<" not in text and "\n" not in text.strip():
        return False  # read as HTML, the same text
    for match in _TAG_NAME.finditer(text):
        name = match[1]
        if name is None or name.lower() in _HTML_ELEMENTS:
            return False
        # A custom element or Word's <o:p> is HTML when it is closed too: "git clone
        # <repo-url>" and "<input-file>" are placeholders in plain text.
        if ("-" in name or ":" in name) and f"</{name}" in text:
            return False
    return not _has_reference(text)


def _has_reference(text: str) -> bool:
    return any(
        name is None or f"{name};" in html.entities.html5
        for name in (m[1] for m in _REFERENCE.finditer(text))
    )


def strip_tags(html_text: str) -> str:
    """Plain text of an HTML fragment: tags dropped, entities decoded once, whitespace collapsed.

    Paragraphs (p, div, li, h1-h6, blockquote, tr...) stay apart: one that ends a sentence is
    followed by a space, one that does not (a standfirst, a heading, a list item) by " — ", so an
    excerpt never reads "to head a government Italians were braced" as one sentence.
    """
    if not html_text:
        return ""
    if "<" not in html_text and "&" not in html_text:
        return collapsed(html_text)
    if unparsable(html_text):
        return flat_text(html_text)
    # nh3 keeps the text and escapes it; unescaping once decodes what the source encoded.
    html_text = _without_embed_links(html_text)
    marked = _PARAGRAPH_TAG.sub(_PARAGRAPH_MARK + "<", html_text.replace(_PARAGRAPH_MARK, ""))
    return _joined(_TEXT_CLEANER.clean(_BREAK_TAG.sub(" <", _without_mathml_tags(marked))))


def clean_text(cleaned: str) -> str:
    """strip_tags of HTML that clean_html wrote (or junk.py re-serialized): the same text,
    without parsing it again. In such HTML every tag is whole, its attributes quoted, and every
    "<" and "&" of the text escaped, so removing the tags leaves the escaped text."""
    if "<" not in cleaned and "&" not in cleaned:
        return collapsed(cleaned)
    return _joined(_marked_text(_without_embed_links(cleaned)))


def _marked_text(cleaned: str) -> str:
    """The text of HTML clean_html wrote, still escaped: its tags out, _PARAGRAPH_MARK before
    each paragraph's tag and a space before each break's. In C where it was built (one walk for
    the three patterns), `_marked_text_python` the reference and the fallback."""
    if _native is not None and (marked := _native.marked_text(cleaned)) is not None:
        return marked
    return _marked_text_python(cleaned)


def _marked_text_python(cleaned: str) -> str:
    """`_marked_text` by its three patterns."""
    marked = _PARAGRAPH_TAG.sub(_PARAGRAPH_MARK + "<", cleaned.replace(_PARAGRAPH_MARK, ""))
    return _TAG.sub("", _BREAK_TAG.sub(" <", marked))


def _joined(text: str) -> str:
    """Escaped text with paragraph marks, unescaped once, paragraphs joined (see strip_tags). In
    C where it was built, `_joined_python` the reference otherwise."""
    return _native.joined_text(text) if _native is not None else _joined_python(text)


def _joined_python(text: str) -> str:
    """`_joined`: the pieces joined once, at the end, and the last character that is no closer
    kept as they come (stripping the whole text so far at each paragraph, and adding to it, took
    11 s over 50,000 paragraphs)."""
    parts: list[str] = []
    last = ""  # the text's last character that is no closer ("" before one)
    for piece in text.split(_PARAGRAPH_MARK):
        words = collapsed(html.unescape(piece))
        if not words:
            continue
        if parts and not last.endswith(_WIDE_SENTENCE_END):
            joiner = " " if last.endswith(_SENTENCE_END) else _PARAGRAPH_JOINER
            parts.append(joiner)
            last = joiner.rstrip(_CLOSERS)[-1:] or last
        parts.append(words)
        last = words.rstrip(_CLOSERS)[-1:] or last
    return "".join(parts)


# A longer address is no page's, picture's or file's (the corpus's longest is 627 characters):
# a hostile feed's 200 KB thumbnail address was written into every card that listed its item.
MAX_URL_CHARS = 4096


def safe_url(url: str | None, base: str) -> str:
    """An absolute http(s) URL without tracking parameters nor credentials, or "" when `url` is
    not one."""
    if not url or len(url) > MAX_URL_CHARS:
        return ""
    if len(url) > MAX_CACHED_URL_CHARS or len(base or "") > MAX_CACHED_URL_CHARS:
        return _safe_url(url, base)  # (not held: 4,096 of them would be megabytes)
    return _cached_safe_url(url, base)


# (A feed's entries name the same addresses again, its pictures, its enclosures and its links:
# 15,000 calls over 6,200 pairs in a cold round.)
MAX_CACHED_URL_CHARS = 256  # (a hostile feed's addresses pin ~14 MB at most)


@lru_cache(maxsize=4096)
def _cached_safe_url(url: str, base: str) -> str:
    return _safe_url(url, base)


# An absolute http(s) address as most feeds write it (5,853 of the 6,322 a cold round reads):
# a lower-case scheme, a host of letters, digits, dots and hyphens, then a path and a query of
# what no step of _read_url rewrites (no control, space, quote, backslash, "#", "[" or
# non-ASCII character). urlsplit and urlunsplit give it back as written, with "/" for no path,
# and only its query is read (_strip_tracking): ~1 µs, where _read_url took ~10
# (tests/test_sanitize.py holds the two equal).
_URI_CHARS = "A-Za-z0-9._~/%:@!$&'()*+,;="
_PLAIN_HTTP = re.compile(
    rf"(https?://[A-Za-z0-9.-]+)(/[{_URI_CHARS}-]*)?(?:\?([{_URI_CHARS}?-]*))?\Z"
)


def _safe_url(url: str, base: str) -> str:
    if plain := _PLAIN_HTTP.match(url):
        address, path, query = plain.groups()
        query = _strip_tracking(query or "")
        return f"{address}{path or '/'}{'?' if query else ''}{query}"
    return _read_url(url, base)


def _read_url(url: str, base: str) -> str:
    # Browsers ignore leading/trailing controls and spaces and any tab or newline inside a URL
    # ("java\tscript:"); do the same, then percent-encode other controls (and the characters
    # no URL holds) so none survive.
    url = _TAB_NEWLINE.sub("", url.strip(_C0_AND_SPACE))
    url = _CONTROL.sub(_percent_encoded, url)
    # Without what no XML can carry (noncharacters such as U+FFFF, C1 controls), as every feed
    # we write drops them: the pages' links kept them, so a page and a feed had two addresses.
    url = xml_text(url)
    if not url:
        return ""
    if not _HTTP_HOST.match(url):
        url = _slashes_as_browsers_read(url, base)
    try:
        relative = base and not _ABSOLUTE_HTTP.match(url)
        absolute = urljoin(_short_base(base), url) if relative else url
        parts = urlsplit(absolute)
        port_ok = parts.port is None or 0 < parts.port < 65536
    except ValueError:
        return ""
    if parts.scheme not in ("http", "https") or not parts.hostname or not port_ok:
        return ""
    query = _strip_tracking(parts.query)
    # Without a user name or password: "https://ournews.example@evil.example/" reads as our host
    # and goes to evil.example (a review); browsers send none for a link anyway.
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, host, parts.path or "/", query, parts.fragment))


def percent_encoded(character: str) -> str:
    """A character as safe_url writes it: its UTF-8 bytes percent-encoded."""
    return "".join(f"%{byte:02X}" for byte in character.encode())


def _percent_encoded(match: re.Match[str]) -> str:
    """The character as its UTF-8 bytes percent-encoded (RFC 3987 3.1)."""
    return "".join(f"%{byte:02X}" for byte in match[0].encode())


# An http(s) scheme and the slashes and backslashes after it; and as usually written, "//" then
# the host.
_SCHEME_SLASHES = re.compile(r"(https?):([/\\]*+)", re.IGNORECASE)
_HTTP_HOST = re.compile(r"https?://(?![/\\])", re.IGNORECASE)


def _slashes_as_browsers_read(url: str, base: str) -> str:
    """An http(s) URL written without its "//" (or with more) as browsers read it (WHATWG URL):
    with its base's scheme and fewer than two slashes, a reference to resolve ("https:b.html"
    is "b.html", "https:/b" is "/b"); else the host after any slashes ("http:example.com/x" in
    an https feed is http://example.com/x, as "https:///example.com/x" is https://example.com/x).
    urllib read them all as a path: the link was dropped, or went to a page of the feed's site."""
    found = _SCHEME_SLASHES.match(url)
    if found is None or found[2] == "//":
        return url
    scheme, slashes, rest = found[1].lower(), found[2], url[found.end() :]
    if len(slashes) < 2 and base[: len(scheme) + 1].lower() == f"{scheme}:":
        return "/" * len(slashes) + rest
    return f"{scheme}://{rest}"


def as_uri(url: str) -> str:
    """An IRI as the URI RSS 2.0 and JSON Feed expect (RFC 3987 3.1): the host in its ASCII
    form as browsers write it (IDNA 2008 with UTS 46, non-transitional: Python's "idna" codec
    is IDNA 2003, which writes faß.de as fass.de, another domain), other non-ASCII characters
    percent-encoded as UTF-8, and so are the ASCII characters RFC 3986 allows nowhere (`{ } | ^`
    and the like, which browsers send as they are; a backslash in the path is the "/" browsers
    read). Articles keep the IRI (their identity may be made of it): feeds write it so, since
    strict URL parsers (Apple's before iOS 17) refuse the IRI and readers lose the link."""
    if url.isascii() and not _NOT_URI.search(url):
        return url
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        ascii_host = host if host.isascii() else idna.encode(host, uts46=True).decode("ascii")
    except (ValueError, UnicodeError, idna.IDNAError):  # a host IDNA cannot write: as it was
        return url
    netloc = parts.netloc
    if ascii_host != host:
        user, at, _ = parts.netloc.rpartition("@")
        port = f":{parts.port}" if parts.port is not None else ""
        netloc = f"{user}{at}{ascii_host}{port}"
    path, query, fragment = (
        _NOT_URI.sub(lambda m: quote(m.group(0), safe=""), part)
        for part in (parts.path.replace("\\", "/"), parts.query, parts.fragment)
    )
    return urlunsplit((parts.scheme, netloc, path, query, fragment))


# What a URI cannot hold as it is: anything but printable ASCII, and `" < > \ ^ ` { | }`.
_NOT_URI = re.compile(r'(?:[^\x21-\x7e]|["<>\\^`{|}])+')


def _strip_tracking(query: str, separator: str = "&") -> str:
    """The query string without tracking parameters, other parameters byte for byte (split at
    `separator`: "&amp;" in a query as an HTML attribute writes it)."""
    if not query:
        return ""
    kept = []
    for pair in query.split(separator):
        name, _, value = pair.partition("=")
        name = name.lower()
        if name in TRACKING_PARAMS or name.startswith(TRACKING_PREFIXES):
            continue
        if name == "source" and value.lower().startswith("rss"):
            continue  # Medium's feed links: ?source=rss-9f8e7d6c5b4a------2
        if name == "fromrss" or (name == "trackingcode" and value.lower() == "rss"):
            continue  # Naver's blog links: ?fromRss=true&trackingCode=rss
        kept.append(pair)
    return separator.join(kept)


def _is_http_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)
