"""An article's language when neither the source, the entry nor the feed says: detected.

py3langid (langid.py's model, shipped inside the package: nothing is downloaded at run time)
reads languages from character n-grams. It is loaded once per process, on first use (1-4 s on
the 2-core machine), and reads a title plus summary in ~0.05 ms. A guess below
MIN_CONFIDENCE, or from fewer than MIN_LETTERS letters, is no answer: no tag is better than a
wrong one.
"""

from __future__ import annotations

import array
import contextlib
import mmap
import re
import threading
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

import numpy

from aggregator.text import collapsed

try:
    from aggregator import _native
except ImportError:  # not built (no C compiler at install): py3langid's own walk does it
    _native = None  # type: ignore[assignment]

MIN_CONFIDENCE = 0.5  # normalized probability of the best language
MIN_LETTERS = 8  # "OK" or "Apple" say nothing about a language
MIN_DISTINCT_LETTERS = 6  # nor does "word word word"
_TEXT_CHARS = 240  # the start of the text decides: the cost grows with the length
_lock = threading.Lock()


@lru_cache(maxsize=1)
def _identifier() -> Any:
    with _lock:
        from py3langid.langid import MODEL_FILE, LanguageIdentifier

        full = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        kind = _native_walk() if _native is not None else LanguageIdentifier
        # Only languages with an ISO 639-1 code: the model's regional varieties (wuu, yue next
        # to zh; pcm next to en) split short texts' votes and are not what feeds are written in.
        # What set_languages would keep, in a model of its own: the full one (27 MB) is freed,
        # and the kept columns are contiguous (each text gathers ~100 of their rows, a third
        # faster than from set_languages' strided copy; the same numbers).
        keep = [i for i, code in enumerate(full.nb_classes) if len(code) == 2]
        return kind(
            numpy.ascontiguousarray(full.nb_ptc[:, keep]),
            full.nb_pc[keep],
            [full.nb_classes[i] for i in keep],
            _on_huge_pages(full.tk_nextmove),
            full.tk_output,
            norm_probs=True,
            tk_row=full.tk_row,
        )


def _on_huge_pages(table: array.array[int]) -> memoryview:
    """A copy of the automaton's moves (39 MB) in memory the kernel is asked to back with 2 MB
    pages: the walk reads one move a byte, at random, and on 4 KB pages nearly each read also
    missed the TLB and walked the page tables (in a cold round, ~100 µs a text in
    nb_probabilities, most of it the walk). The same numbers, read as the array was (ints, by
    index): py3langid's own walk reads it too."""
    size = max(len(table), 1) * 4  # (uint32s; an mmap is never empty)
    # (Private: an anonymous mmap is shared by default, and shared memory gets no 2 MB pages.)
    memory = mmap.mmap(-1, size, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
    with contextlib.suppress(AttributeError, OSError):  # (not Linux, or not allowed: 4 KB pages)
        memory.madvise(mmap.MADV_HUGEPAGE)  # before the copy touches a page
    moves = memoryview(memory).cast("I")  # (what the C reads: uint32, as the model's array)
    moves[: len(table)] = memoryview(table)  # (refused, were the model's of another type)
    return moves[: len(table)]


def _native_walk() -> type:
    from py3langid.langid import LanguageIdentifier

    class NativeWalk(LanguageIdentifier):  # type: ignore[misc]
        """py3langid's identifier, walking its byte automaton and scoring in C (`_native`).

        py3langid takes a Python loop step per byte of the text, then a dozen numpy calls on a
        few hundred numbers: ~110 µs for a title and summary of the corpus; the C does both in
        ~26 µs (bench/language.py). The same features are counted in the same order, and summed
        and normalized in float32 as numpy does, in another order: probabilities agree to ~1e-5,
        and the language with them (tests/test_language.py). Everything else is py3langid's.
        """

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._walk = (
                self.tk_nextmove,
                array.array("I", self._rowbase),
                array.array("i", self.tk_output),
            )
            self._keep_model()

        def _keep_model(self) -> None:
            """The model's columns as the C reads them (after set_languages too)."""
            self._model = (
                numpy.ascontiguousarray(self.nb_ptc, dtype=numpy.float16).data,
                numpy.ascontiguousarray(self.nb_pc, dtype=numpy.float32).data,
            )

        def _raw_score(self, text: bytes) -> Any:
            visits = _native.dfa_counts(*self._walk, text)
            if visits is None:  # no feature at all: py3langid's answer for that
                return super()._raw_score(text)
            return self._sparse_score(visits, self.nb_ptc)

        def set_languages(self, *args: Any, **kwargs: Any) -> None:
            super().set_languages(*args, **kwargs)
            self._keep_model()

        def classify(self, text: str) -> tuple[str, float]:
            if not self._norm_probs or self.min_confidence is not None:
                return super().classify(text)  # type: ignore[no-any-return]  # (not ours)
            data = self._encode(text)
            probabilities = _native.nb_probabilities(*self._walk, *self._model, data)
            if probabilities is None:  # no feature at all: py3langid's answer for that
                return super().classify(text)  # type: ignore[no-any-return]
            for i, j in self._alias_pairs:  # labels the model holds twice count as one
                probabilities[i] += probabilities[j]
                probabilities[j] = 0.0
            best = probabilities.index(max(probabilities))  # (the first best: one C call a text)
            return self.nb_classes[best], probabilities[best]

    return NativeWalk


def reference() -> Any:
    """py3langid's own identifier on the model we keep (Python walk, numpy scores): what the C
    is held to (tests/test_language.py) and measured against (bench/language.py)."""
    from py3langid.langid import LanguageIdentifier

    ours = _identifier()
    return LanguageIdentifier(
        ours.nb_ptc,
        ours.nb_pc,
        ours.nb_classes,
        ours.tk_nextmove,
        ours.tk_output,
        norm_probs=True,
        tk_row=ours.tk_row,
    )


def load() -> None:
    """Load the model now (a worker does it before its first job, which would otherwise wait)."""
    _identifier()


def detect(text: str) -> str:
    """The language of `text` as a BCP 47 primary tag ("en", "zh"), or "" when unsure."""
    sample = collapsed(text[:_TEXT_CHARS])
    letters = list(filter(str.isalpha, sample.lower()))  # (no loop step a character)
    if len(letters) < MIN_LETTERS or len(set(letters)) < MIN_DISTINCT_LETTERS:
        return _by_script(letters) or ("ja" if _japanese_kanji(letters) else "")
    language, confidence = _identifier().classify(sample)
    if language == "ja" and _chinese_naming_kana(sample):
        return "zh"
    if language == "zh" and _japanese_kanji(letters):
        return "ja"
    if language == "zh" and _korean_with_hanja(letters):
        return "ko"
    return str(language) if confidence >= MIN_CONFIDENCE else ""


def _chinese_naming_kana(text: str) -> bool:
    """Whether text the model calls Japanese is Chinese naming a Japanese work in its own
    kana ("动画《ワンピース》最新话预告公开", "《ドラえもん》新电影上映"): no kana outside the
    title marks 《》 (Japanese quotes in 「」『』), and a form only Simplified Chinese writes."""
    outside = _TITLE_MARKS.sub("", text)
    return not _KANA.search(outside) and any(ch in _SIMPLIFIED_ONLY for ch in outside)


_TITLE_MARKS = re.compile("《[^《》]*》")


def _korean_with_hanja(letters: list[str]) -> bool:
    """Whether Han letters beside Hangul are Korean written with Hanja ("韓國 經濟 危機 심화"):
    Hangul a third of the Han or more, and no form only Simplified Chinese writes (Korean's
    Hanja are traditional). Chinese news quotes Korean: a K-pop song's title ("新歌《뚜두뚜두》"),
    a word ("用韩语说“감사합니다”"), and was Korean to a rule of two Hangul syllables (a review)."""
    hangul = sum(1 for ch in letters if "\uac00" <= ch <= "\ud7a3")
    han = sum(1 for ch in letters if "\u4e00" <= ch <= "\u9fff")
    return hangul >= 2 and hangul * 3 >= han and not any(ch in _SIMPLIFIED_ONLY for ch in letters)


# Kanji in the forms Japanese simplified them to (shinjitai), which neither Chinese writes (発:
# 发 or 發; 経: 经 or 經), and the iteration mark 々. A Japanese headline in kanji alone
# ("東京都知事選挙結果発表") was Chinese to the model, and tagged zh-Hant; no Chinese text of
# the corpus or the development sets has one of them. (Not 浜: Chinese writes it, "沙家浜".)
_JAPANESE_KANJI = frozenset(
    "発経済挙変駅円図広売読実気楽県転営労働込辺帰総鉄薬桜対応単戦関価権観続黒悪険検験歳拡効"
    "剣覧穏隠遅恵従児仏々沢択訳駆脳悩縄乗捜蔵臓聴徴弾様揺渋焼鶏姫斎譲嬢醸壌剰浄錬鋭隣畳"
    "摂謡団徳黙満歩渉圧巻圏抜髪"
)


# Forms no Japanese text writes: Simplified Chinese's (those of the kanji above, and common
# others), and the traditional forms of the kanji above that Japanese names do not keep (澤,
# 邊, 齋, 濱, 廣 and 櫻 they do). One of them is Chinese quoting a Japanese name or word:
# "小沢一郎访华", "日経平均…投資者擔心經濟前景" were Japanese to the rule below (a review).
_SIMPLIFIED_ONLY = frozenset(
    "发经济举变驿圆图广卖读实气乐县转营劳边归总铁药对应单战关价权观续恶险检验岁扩剑览稳隐迟"
    "从译驱脑恼绳脏听弹样摇涩烧鸡让酿净炼锐邻叠摄谣团满压这们说时为东业车长门见书开进现问题"
    "过还华访话语认记设证网电产务师币亿龙鸟鱼马页韩动预终档"
)
_CHINESE_ONLY = _SIMPLIFIED_ONLY | frozenset(
    "發經濟舉變驛圓圖賣讀實氣樂縣轉營勞歸總鐵藥對應單戰關價權觀續惡險檢驗歲擴劍覽穩隱遲從譯"
    "驅腦惱繩臟聽彈樣搖澀燒雞讓釀淨鍊銳鄰疊攝謠團滿壓擔們"
)


def _japanese_kanji(letters: list[str]) -> bool:
    """Whether Han letters, without kana, hold Japanese's own kanji: at least one in 20 (one
    Japanese name quoted in a Chinese text is not enough), and no form only Chinese writes."""
    if any(ch in _CHINESE_ONLY for ch in letters):
        return False
    own = sum(1 for ch in letters if ch in _JAPANESE_KANJI)
    han = sum(1 for ch in letters if "\u4e00" <= ch <= "\u9fff" or ch == "々")
    return own > 0 and own * 20 >= han and han * 2 >= len(letters)


def japanese_feed(texts: Iterable[str], hosts: Iterable[str]) -> bool:
    """Whether a feed is Japanese by what its entries hold together: kana in a third or more
    of those in Han or kana (Chinese naming an anime in kana counts as Chinese by its own forms),
    and forms only Chinese writes in few (a fourth of the kana ones: a Japanese feed quoting a
    Chinese headline); or, when none holds such a form, its host under
    .jp (a feed of kanji-only titles: "大阪万博開幕", "首相官邸発表" hold no kanji only Japanese
    writes, and were Chinese). `texts`: each entry's title and the start of its text; `hosts`:
    the feed's and its site's."""
    samples = [text[:_TEXT_CHARS] for text in texts]
    if not _HAN_OR_KANA.search("".join(samples)):  # (most feeds: no entry to count, at C's speed)
        return any(host.rstrip(".").endswith(".jp") for host in hosts)
    kana = han = chinese = 0
    for sample in samples:
        if any(ch in _CHINESE_ONLY for ch in sample):  # (kana too: Chinese naming an anime)
            chinese += 1
        elif len(_KANA.findall(sample)) >= 2:  # (one の is Chinese's too: "我的の日常")
            kana += 1
        elif _HAN.search(sample):
            han += 1
    if kana and kana * 3 >= kana + han + chinese and chinese * 4 <= kana:
        return True
    return chinese == 0 and any(host.rstrip(".").endswith(".jp") for host in hosts)


def may_be_japanese(text: str) -> bool:
    """Whether `text`, told Chinese or nothing, may be Japanese in kanji alone: Han in half its
    letters or more, and no form only Chinese writes (a Japanese feed's "日本首相訪问北京" is
    Chinese quoted)."""
    letters = [ch for ch in text[:_TEXT_CHARS] if ch.isalpha()]
    han = sum(1 for ch in letters if "\u4e00" <= ch <= "\u9fff" or ch == "々")
    return han > 0 and han * 2 >= len(letters) and not any(ch in _CHINESE_ONLY for ch in letters)


_KANA = re.compile("[\u3041-\u3096\u30a1-\u30fa\u30fc]")  # (not the middle dot ・)
_HAN = re.compile("[\u4e00-\u9fff]")
_HAN_OR_KANA = re.compile("[\u3041-\u3096\u30a1-\u30fa\u30fc\u4e00-\u9fff]")


# Scripts that only one language (of those feeds use) writes: a title too short to classify
# ("서울 날씨 맑음", "ニュース速報") is still told by them. Han is not one (Chinese or Japanese).
_SCRIPTS = (
    ("ko", 0xAC00, 0xD7A3),  # Hangul syllables
    ("ko", 0x1100, 0x11FF),  # Hangul jamo
    ("ja", 0x3040, 0x30FF),  # hiragana and katakana
    ("he", 0x05D0, 0x05EA),  # the Hebrew letters
    ("el", 0x0391, 0x03C9),  # the Greek letters
    ("th", 0x0E01, 0x0E5B),  # Thai
    ("ka", 0x10D0, 0x10FA),  # Georgian
    ("hy", 0x0531, 0x0587),  # Armenian
)


def _by_script(letters: list[str]) -> str:
    """The language every letter's script says (at least half of them in it), else ""."""
    if not letters:
        return ""
    for language, low, high in _SCRIPTS:
        hits = sum(1 for ch in letters if low <= ord(ch) <= high)
        if hits * 2 >= len(letters):
            return language
    return ""


# The script each language is written in, for languages written in one (Serbian, Azerbaijani,
# Uzbek or Kurdish are written in two and are not here): a feed that declares one of these over
# text in another script declares its CMS's default (WordPress's "en-US" over a Chinese blog),
# not its language.
_WRITTEN_IN = {
    language: letters
    for letters, languages in (
        (
            "A-Za-z\u00c0-\u024f\u1e00-\u1eff",  # Latin
            "af br ca co cs cy da de en eo es et eu fi fo fr fy ga gd gl ha hr hu id ig is it la "
            "lb lt lv ms mt nb nl nn no oc pl pt ro sk sl so sq sv sw tl tr vi xh yo zu",
        ),
        ("\u0400-\u04ff", "ba be bg cv kk ky mk mn ru tg tt uk"),  # Cyrillic
        ("\u0600-\u06ff\u0750-\u077f\ufb50-\ufeff", "ar fa ps sd ug ur"),  # Arabic
        ("\u0590-\u05ff", "he yi"),
        ("\u0900-\u097f", "hi mr ne sa"),  # Devanagari
        ("\u0980-\u09ff", "as bn"),
        ("\u1200-\u137f", "am ti"),  # Ethiopic
        ("\u0370-\u03ff\u1f00-\u1fff", "el"),
        ("\u0a00-\u0a7f", "pa"),
        ("\u0a80-\u0aff", "gu"),
        ("\u0b00-\u0b7f", "or"),
        ("\u0b80-\u0bff", "ta"),
        ("\u0c00-\u0c7f", "te"),
        ("\u0c80-\u0cff", "kn"),
        ("\u0d00-\u0d7f", "ml"),
        ("\u0d80-\u0dff", "si"),
        ("\u0e00-\u0e7f", "th"),
        ("\u0e80-\u0eff", "lo"),
        ("\u0f00-\u0fff", "bo"),
        ("\u1000-\u109f", "my"),
        ("\u10a0-\u10ff", "ka"),
        ("\u0530-\u058f", "hy"),
        ("\u1780-\u17ff", "km"),
        ("\uac00-\ud7af\u1100-\u11ff\u3130-\u318f\u4e00-\u9fff", "ko"),  # Hangul, and Han
        ("\u4e00-\u9fff\u3400-\u4dbf\uf900-\ufaff", "zh"),  # Han
        ("\u3040-\u30ff\u4e00-\u9fff\u3400-\u4dbf", "ja"),  # kana and Han
    )
    for language in languages.split()
}
_LETTER = re.compile(r"[^\W\d_]+")
_LATIN = re.compile(f"[{_WRITTEN_IN['en']}]+")
_ADDRESS = re.compile(r"\w+://\S*|www\.\S*")  # a link's letters are no language's


@lru_cache(maxsize=64)
def _script_of(language: str) -> re.Pattern[str] | None:
    letters = _WRITTEN_IN.get(language)
    return re.compile(f"[{letters}]+") if letters else None  # runs: far fewer matches


def fits_script(tag: str, text: str) -> bool:
    """Whether `text` could be in the language `tag` declares, by its script: False when at
    least MIN_LETTERS of its letters are there and under a quarter of them are in the one
    script that language is written in ("kn" over English, "en-US" over Chinese), or when
    other scripts have more of them, Latin aside for a language not written in it ("en" over
    an Arabic headline naming an "iPhone 16 Pro"; brand names, links and code are Latin in
    every language's text, while an English title quoting "東京物語" stays English). True
    when the language is not one of those, or the text says too little."""
    language, *subtags = tag.split("-")
    named = [subtag.lower() for subtag in subtags if len(subtag) == 4 and subtag.isalpha()]
    if any(name not in ("hans", "hant") for name in named):  # (Chinese's two are both Han)
        return True  # a script of its own ("pa-Arab", "mn-Mong"): the feed knows what it wrote
    script = _script_of(language.lower())
    if script is None:
        return True
    sample = text[:_TEXT_CHARS]
    if "://" in sample or "www." in sample:
        sample = _ADDRESS.sub(" ", sample)
    own = sum(map(len, script.findall(sample)))
    if own * 2 >= len(sample):  # half of every character: most of the letters too (most texts)
        return True
    letters = sum(map(len, _LETTER.findall(sample)))
    if letters < MIN_LETTERS:
        return True
    others = letters - own
    if script.pattern != _LATIN.pattern:  # Latin aside: every language's text names brands in it
        others -= sum(map(len, _LATIN.findall(sample)))
    return own * 4 >= letters and own >= others


def written_in(tag: str, text: str) -> bool:
    """Whether `text`, a name, may be in the language `tag` declares: it has letters of that
    language's script and fits it (fits_script). A source's name "조선일보" is Korean, "Le Monde"
    may be French; "CNN" or "Al Jazeera" over an Arabic article are not Arabic. True for a
    language whose script is not known here, or named in the tag ("pa-Arab") as it fits."""
    language, *subtags = tag.split("-")
    script = _script_of(language.lower())
    named = any(len(s) == 4 and s.isalpha() and s.lower() not in ("hans", "hant") for s in subtags)
    if script is not None and not named and not script.search(text):
        return False
    return fits_script(tag, text)


def chinese_script(text: str) -> str:
    """The script of the Chinese `text`, "Hans" or "Hant": by its characters that only one of
    the two writes (国 or 國: OpenCC's, as stories folds them), whichever are more; "" when
    neither are. A bare "zh" is Simplified Chinese to Chrome, which picks its glyph shapes
    by it for Traditional text too, and names no script to readers' apps."""
    traditional, simplified = _han_forms()
    sample = text[:_TEXT_CHARS]
    hant, hans = len(traditional.findall(sample)), len(simplified.findall(sample))
    return "Hant" if hant > hans else "Hans" if hans > hant else ""


@lru_cache(maxsize=1)
def _han_forms() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Characters only Traditional Chinese writes, and those only Simplified does."""
    from aggregator.stories import simplified_table  # its OpenCC table, made once a process

    table, traditional = simplified_table()
    simple = {char for char in table.values() if ord(char) not in table}
    return traditional, re.compile("[" + "".join(sorted(simple)) + "]")
