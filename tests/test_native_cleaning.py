"""The cleaning step's walks in aggregator/_native.c against their Python references: random
fragments, every body of the corpus as the sanitizer writes it, and hostile text of ~10 MB."""

from __future__ import annotations

import html
import random
import re
import sys
from collections import Counter

import pytest

from aggregator import images, sanitize
from aggregator.sanitize import clean_html, clean_text
from tests.support.corpus import requires_corpus
from tests.support.native import requires_native
from tests.test_sanitize import BASE, _corpus_fragments

# The names _PARAGRAPH_TAG and _BREAK_TAG read (from the patterns), near misses and letters
# IGNORECASE reads as ASCII ones (Kelvin's K, the long s, the dotted and dotless i).
_MARKED_NAMES = [
    f"h{level}" if name == "h[1-6]" else name
    for pattern in (sanitize._PARAGRAPH_TAG, sanitize._BREAK_TAG)
    for name in re.findall(r"\(\?:([^()]*)\)", pattern.pattern)[0].split("|")
    for level in (range(1, 7) if name == "h[1-6]" else [0])
]
_NAMES = [
    *_MARKED_NAMES,
    *["a", "img", "span", "b", "h7", "h", "pp", "divx", "p_", "p1", "brr", "tablex", "x"],
    *["blockquote\u212a", "bloc\u212aquote", "\u017fection", "d\u0130v", "d\u0131v", "p\xe9"],
    *["\u4e2d", "P", "DIV", "Br"],
]
_ENDS = [">", ">", " class=x>", "/>", ' title="a<p>b">', " alt='<br>'>", ' x="a>b">', "\n>"]
_ODD = ["<", ">", '"', "'", "/", " ", "&amp;", "&lt;p&gt;", "\ue000", "中", "\U0001f600", "a", "."]


def _marked_fragment(rng: random.Random) -> str:
    pieces = []
    for _ in range(rng.randrange(0, 30)):
        if rng.random() < 0.15:
            pieces.append(rng.choice(_ODD))
            continue
        name = rng.choice(_NAMES)
        if rng.random() < 0.2:
            name = name.upper()
        end = rng.choice(_ENDS) if rng.random() < 0.97 else rng.choice(['"', "'", "", ' a="'])
        pieces.append(("</" if rng.random() < 0.4 else "<") + name + end)
        if rng.random() < 0.6:
            pieces.append(rng.choice(["text", " words ", "中文", "é", "\t", "&nbsp;"]))
    return "".join(pieces)


@requires_native
def test_the_c_walk_for_text_gives_the_python_reference_s_text() -> None:
    """_native.marked_text against sanitize._marked_text_python on random tags of every name
    the patterns read, and near misses: the same text in the same width, or None (left to the
    reference) only where a "<" starts no whole tag, a paragraph mark is in the text already or
    a letter IGNORECASE reads as an ASCII one stands in a name."""
    rng = random.Random(43)
    answered = left = 0
    for _ in range(30_000):
        fragment = _marked_fragment(rng)
        expected = sanitize._marked_text_python(fragment)
        found = sanitize._native.marked_text(fragment)
        if found is None:
            left += 1
            continue
        answered += 1
        assert found == expected, fragment
        assert sys.getsizeof(found) == sys.getsizeof(expected), fragment
    assert answered > 10_000, (answered, left)
    assert left > 1_000, (answered, left)


def test_the_c_walk_for_text_leaves_only_what_it_cannot_read_to_the_reference() -> None:
    if sanitize._native is None:
        pytest.skip("aggregator._native is not built (no C compiler at install)")
    marked = sanitize._native.marked_text
    assert marked("<p title=\"<div>\">a</p><BR/>b<td x='>'>c") == "\ue000a\ue000 b c"
    assert marked("<blockquote\u212a>x") is None  # (IGNORECASE reads it "blockquotek")
    assert marked("a<b") is None  # (a "<" of no tag stays text: the reference's)
    assert marked('<a title="x>y') is None
    assert marked("\ue000<p>x") is None


@requires_corpus
@requires_native
def test_the_c_walk_for_text_gives_the_reference_s_text_on_the_corpus() -> None:
    """Every body of the corpus as clean_html writes it is read in C (never left to the
    reference), to the reference's text; and every raw body, where the walk answers."""
    answered = 0
    for fragment in _corpus_fragments():
        cleaned = clean_html(fragment, BASE) if len(fragment) <= 100_000 else ""
        found = sanitize._native.marked_text(cleaned)
        assert found == sanitize._marked_text_python(cleaned)
        raw = sanitize._native.marked_text(fragment)
        if raw is not None:
            answered += 1
            assert raw == sanitize._marked_text_python(fragment)
    assert answered > 1_000


@pytest.mark.timeout(30)
@pytest.mark.parametrize(
    "hostile",
    [
        "<p>a" * 2_500_000,
        '<a title="' + "<p>" * 3_300_000,
        '<a title="' + "x" * 10_000_000,
        '<div "x"' * 1_250_000 + ">",
        "<blockquot" + "e" * 10_000_000 + ">",
        "<br>\u4e2d" * 2_000_000,
        "text " * 2_000_000,
        "<" * 10_000_000,
    ],
    ids=["tags", "quoted-tags", "endless-quote", "quotes", "endless-name", "wide", "text", "lt"],
)
@requires_native
def test_the_c_walk_for_text_is_linear(hostile: str) -> None:
    found = sanitize._native.marked_text(hostile)
    assert found is None or "<" not in found


def test_the_text_of_sanitized_html_is_the_same_without_the_c_module(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cleaned = clean_html(
        "<h2>Title</h2><p>One<br>two &amp; <b>three</b></p><ul><li>x</li></ul>", BASE
    )
    with_c = clean_text(cleaned)
    monkeypatch.setattr(sanitize, "_native", None)
    assert clean_text(cleaned) == with_c == "Title — One two & three — x"


_HOSTS = [
    *["a.example.com", "cdn.example", "A.Example.COM", "router", "a.local", "b.home.arpa"],
    *["x.localhost", "c.internal", "d.lan", "127.0.0.1", "0x7f.1", "10.1", "a.b.0x1", "a.123"],
    *["xn--p1ai.xn--p1ai", "a..com", ".a.com", "a.com.", "[::1]", "u@a.com", "a.com:80"],
    *["a%2ecom", "a.c&#111;m", "\u4e2d.com", "a.com\\b", "a-b.co", "a.b-c"],
]
_AFTER_HOSTS = ["/x.png", "", "?q=1", "#f", " ", "\t/", "/a b", ":8080/", "&amp;/"]


def _media_fragment(rng: random.Random) -> str:
    pieces = []
    for _ in range(rng.randrange(0, 5)):
        if rng.random() < 0.15:
            pieces.append(rng.choice(["x", "<", ">", '"', " src=", '="', " ", "中", "<p>"]))
            continue
        name = rng.choice(["img", "video", "audio", "source", "track", "a", "iframe"])
        attribute = rng.choice([" src=", " poster=", " href=", " data-src=", "  src=", " SRC="])
        scheme = rng.choice(["https://", "http://", "HTTPS://", "https:/", "//", "", "ftp://"])
        value = scheme + rng.choice(_HOSTS) + rng.choice(_AFTER_HOSTS)
        end = rng.choice(['"', '"', ""])
        pieces.append(f'<{name}{attribute}"{value}{end} alt="a">')
    return "".join(pieces)


def _media_sub(html_text: str) -> str:
    return sanitize._MEDIA_TAG.sub(lambda m: sanitize._loaded_from_afar(m, ""), html_text)


@requires_native
def test_the_c_look_for_addresses_on_a_reader_s_network_never_misses_one() -> None:
    """_native.loaded_nearby is False only where _MEDIA_TAG's substitution changes nothing: no
    src or poster a reader's network answers for (it saves the pattern's run, and a Python call
    per address, over most bodies)."""
    rng = random.Random(44)
    answers: Counter[tuple[bool, bool]] = Counter()
    for _ in range(30_000):
        fragment = _media_fragment(rng)
        changed = _media_sub(fragment) != fragment
        maybe = sanitize._native.loaded_nearby(fragment, sanitize._LOCAL_LABELS)
        assert maybe or not changed, fragment
        answers[changed, maybe] += 1
    assert answers[False, False] > 2_000, answers
    assert answers[True, True] > 2_000, answers


@requires_corpus
@requires_native
def test_the_c_look_for_addresses_on_a_reader_s_network_never_misses_one_on_the_corpus() -> None:
    """On every body of the corpus as nh3 writes it (the HTML the look is asked about), and
    each raw; most are answered in C."""
    cleaner = sanitize._cleaner(BASE)
    answered = 0
    for fragment in _corpus_fragments():
        written = [cleaner.clean(fragment)] if len(fragment) <= 100_000 else []
        for text in (fragment, *written):
            maybe = sanitize._native.loaded_nearby(text, sanitize._LOCAL_LABELS)
            assert maybe or _media_sub(text) == text
            answered += not maybe
    assert answered > 3_000


@pytest.mark.timeout(30)
@pytest.mark.parametrize(
    "hostile",
    [
        '<img src="https://a.example.com/x.png">' * 250_000,
        ' src="https://' + "a" * 10_000_000,
        ' src="https://a.' + "b" * 10_000_000 + '"',
        "=" * 10_000_000,
        ' src="' * 1_500_000,
        '<img src="https://\u4e2d.example/x">' * 300_000,
    ],
    ids=["pictures", "endless-host", "endless-label", "signs", "starts", "wide"],
)
@requires_native
def test_the_c_look_for_addresses_on_a_reader_s_network_is_linear(hostile: str) -> None:
    sanitize._native.loaded_nearby(hostile, sanitize._LOCAL_LABELS)


def test_pictures_on_a_reader_s_network_go_without_the_c_module(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    html_text = '<img src="http://192.168.1.1/reboot" alt="r"><img src="https://a.example/p.png">'
    with_c = clean_html(html_text, BASE)
    monkeypatch.setattr(sanitize, "_native", None)
    assert clean_html(html_text, BASE) == with_c
    assert "192.168" not in with_c
    assert "a.example/p.png" in with_c


_IMAGE_PIECES = ['<a href="', '<a href="x.jpg">', '<a href="a.png" rel="n">', '"', ">", "<", " ",
                 "\n", "\u3000", "<img", '<img src="p.png">', "<img>", "<imgx>", "<img_>",
                 "<img\xe9>", "<IMG>", '<A HREF="y">', "</a>", "x", "中", "\U0001f600", "<a",
                 'href="', "<img/>", '<img alt=">">']  # fmt: skip


def _image_fragment(rng: random.Random) -> str:
    return "".join(rng.choice(_IMAGE_PIECES) for _ in range(rng.randrange(0, 25)))


@requires_native
def test_the_c_walk_for_pictures_finds_what_the_pattern_finds() -> None:
    """_native.linked_images against images._linked_images_python (_LINKED_IMG) on random
    links, pictures, quotes, brackets and white space: the same pairs in the same order."""
    rng = random.Random(45)
    found = 0
    for _ in range(30_000):
        fragment = _image_fragment(rng)
        expected = images._linked_images_python(fragment)
        assert images._native.linked_images(fragment) == expected, fragment
        found += sum(1 for link, _ in expected if link)
    assert found > 5_000


@requires_corpus
@requires_native
def test_the_c_walk_for_pictures_finds_what_the_pattern_finds_on_the_corpus() -> None:
    """On every body of the corpus as clean_html writes it (what the lead picture is read
    from), and each raw."""
    pictures = 0
    for fragment in _corpus_fragments():
        cleaned = [clean_html(fragment, BASE)] if len(fragment) <= 100_000 else []
        for text in (fragment, *cleaned):
            expected = images._linked_images_python(text)
            assert images._native.linked_images(text) == expected
            pictures += len(expected)
    assert pictures > 3_000


@pytest.mark.timeout(30)
@pytest.mark.parametrize(
    "hostile",
    [
        '<a href="' * 1_100_000 + '"',
        '<a href="' * 1_100_000 + '">' + " " * 1_000_000,
        '<a href="x">' + " " * 10_000_000,
        '<a href="x">' * 800_000,
        '<a href="x"> ' * 700_000 + "<img",
        "<img" * 2_500_000,
        '<img src="p.png">' * 600_000,
        '<a href="x"><img src="p.png"></a>' * 300_000,
        '<a href="\u4e2d">' + "\u3000" * 5_000_000 + "<img>",
    ],
    ids=[
        "quotes",
        "quotes-spaces",
        "spaces",
        "links",
        "links-img",
        "imgs",
        "pictures",
        "linked",
        "wide",
    ],
)
@requires_native
def test_the_c_walk_for_pictures_is_linear(hostile: str) -> None:
    assert len(images._native.linked_images(hostile)) <= hostile.count("<img")


def test_the_lead_picture_is_the_same_without_the_c_module(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cleaned = clean_html(
        '<p>x<img src="https://a.example/icon.png" width="16" height="16"></p>'
        '<a href="https://a.example/full.jpg"><img src="https://a.example/p-thumb.jpg"></a>',
        BASE,
    )
    with_c = images.lead_image([], cleaned)
    assert images.shown_in("https://a.example/full.jpg", cleaned)
    monkeypatch.setattr(images, "_native", None)
    assert images.lead_image([], cleaned) == with_c == "https://a.example/full.jpg"
    assert images.shown_in("https://a.example/full.jpg", cleaned)


_TEXT_PIECES = ["\ue000", "\ue000", "word", " ", "  ", "\n", "\xa0", "\u3000", ".", "!", "?",
                "…", ":", ";", "。", "！", "？", "；", "：", '"', "'", "”", "’", "»", ")", "]",
                "）", "」", "』", "】", "&amp;", "&lt;", "&#x41;", "&nbsp;", "&bogus;", "&", "中文",
                "é", "\U0001f600", "&#8230;", "&raquo;"]  # fmt: skip


@requires_native
def test_the_c_join_of_paragraphs_gives_the_python_reference_s_text() -> None:
    """_native.joined_text against sanitize._joined_python on random paragraphs of words,
    white space, references, sentence ends (wide ones too) and closing quotes and brackets:
    the same text in the same width."""
    rng = random.Random(46)
    joined = 0
    for _ in range(30_000):
        text = "".join(rng.choice(_TEXT_PIECES) for _ in range(rng.randrange(0, 20)))
        expected = sanitize._joined_python(text)
        found = sanitize._native.joined_text(text)
        assert found == expected, text
        assert sys.getsizeof(found) == sys.getsizeof(expected), text
        joined += " \u2014 " in expected
    assert joined > 3_000


@requires_corpus
@requires_native
def test_the_c_join_of_paragraphs_gives_the_reference_s_text_on_the_corpus() -> None:
    """The text of every body of the corpus as clean_text reads it and as strip_tags does."""
    for fragment in _corpus_fragments():
        cleaned = clean_html(fragment, BASE) if len(fragment) <= 100_000 else ""
        marked = sanitize._marked_text_python(sanitize._without_embed_links(cleaned))
        assert sanitize._native.joined_text(marked) == sanitize._joined_python(marked)
        if not sanitize.unparsable(fragment):
            marked = sanitize._PARAGRAPH_TAG.sub("\ue000<", fragment.replace("\ue000", ""))
            text = sanitize._TEXT_CLEANER.clean(marked)
            assert sanitize._native.joined_text(text) == sanitize._joined_python(text)


@pytest.mark.timeout(30)
@pytest.mark.parametrize(
    "hostile",
    [
        "a\ue000" * 5_000_000,
        "\u3002" + "\xbb\ue000" * 3_000_000,
        "&amp;" * 2_000_000,
        "&amp;\ue000" * 1_500_000,
        " " * 10_000_000,
        "\ue000" * 10_000_000,
    ],
    ids=["paragraphs", "closers", "references", "referenced-paragraphs", "spaces", "marks"],
)
@requires_native
def test_the_c_join_of_paragraphs_is_linear(hostile: str) -> None:
    assert "\ue000" not in sanitize._native.joined_text(hostile)


def _joined_as_before(text: str) -> str:
    """sanitize._joined as it was (5454fa8): the text so far stripped at each paragraph."""
    joined = ""
    for piece in text.split("\ue000"):
        words = sanitize.collapsed(html.unescape(piece))
        if not words:
            continue
        if joined:
            end = joined.rstrip(sanitize._CLOSERS)
            if not end.endswith(sanitize._WIDE_SENTENCE_END):
                sentence = end.endswith(sanitize._SENTENCE_END)
                joined += " " if sentence else sanitize._PARAGRAPH_JOINER
        joined += words
    return joined


def test_the_python_join_of_paragraphs_gives_the_text_it_gave() -> None:
    """sanitize._joined_python, made linear, against the join it replaced, on random text."""
    rng = random.Random(47)
    for _ in range(30_000):
        text = "".join(rng.choice(_TEXT_PIECES) for _ in range(rng.randrange(0, 20)))
        assert sanitize._joined_python(text) == _joined_as_before(text), text


@pytest.mark.timeout(30)
def test_the_python_join_of_paragraphs_is_linear() -> None:
    """(The join it replaced took 11 s over 50,000 such paragraphs, 37 s over 100,000.)"""
    text = "word word\ue000" * 500_000
    assert sanitize._joined_python(text).count("\u2014") == 499_999
