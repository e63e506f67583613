"""Print how right the lead picture is on the held-out set of bench/heldout/images.tsv: 150
corpus entries past the development sets (not among each feed's first five, nor in
tests/support/images_eval.py), stratified by kind and by the non-pictures offered beside the
picture (avatars, small thumbnails, favicons, logos, share buttons, strips), labelled by eye.
Precision is right of those given a picture, recall right of those with one to give ("none"
in a label: no picture will do too).

Then the same for bench/heldout/images_feeds.txt: 121 feed items written for it (h7, session
49) in many languages, encodings and generators, by kind and by language: media sizes, image
enclosures, lazy and srcset pictures, tracking pixels, icons, emoji, share buttons and ads,
relative and odd-scheme addresses, WeChat, Weibo, YouTube. It needs no corpus.

AGGREGATOR_CORPUS=../shared/corpus .venv/bin/python bench/heldout_images_eval.py [--show]
"""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import replace
from pathlib import Path
from urllib.parse import unquote

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.support, as a script

from aggregator.config import SourceConfig
from aggregator.models import ParsedFeed
from aggregator.normalize import normalize
from aggregator.parse import parse
from tests.support.corpus import CORPUS, PRESENT, SKIP_REASON
from tests.support.images_eval import NOW, SOURCE

SET = Path(__file__).resolve().parent / "heldout" / "images.tsv"
FEEDS = Path(__file__).resolve().parent / "heldout" / "images_feeds.txt"
NAMESPACES = (
    'xmlns:media="http://search.yahoo.com/mrss/" xmlns:content="http://purl.org/rss/1.0/modules/'
    'content/" xmlns:yt="http://www.youtube.com/xml/schemas/2015"'
)
RSS = '<rss version="2.0" {ns}><channel><title>T</title><link>{site}</link>{item}</channel></rss>'
ATOM = '<feed xmlns="http://www.w3.org/2005/Atom" {ns}><title>T</title><id>urn:t</id>{item}</feed>'


class Tally:
    """Counts of entries, of those with a picture to give, chosen and right, by key."""

    def __init__(self) -> None:
        self.n: Counter[str] = Counter()
        self.has: Counter[str] = Counter()
        self.chosen: Counter[str] = Counter()
        self.right_chosen: Counter[str] = Counter()
        self.right: Counter[str] = Counter()
        self.given: Counter[str] = Counter()  # of those with a picture to give, given right
        self.misses: list[str] = []

    def add(self, keys: list[str], case: str, chosen: str | None, rights: str) -> None:
        """Count one entry under each of `keys` and "all"."""
        wanted = {unquote(r) for r in rights.split()} - {"-", "none"}
        none_will_do = rights == "-" or "none" in rights.split()
        ok = unquote(chosen) in wanted if chosen else none_will_do
        for k in [*keys, "all"]:
            self.n[k] += 1
            self.has[k] += bool(wanted) and not none_will_do
            self.chosen[k] += bool(chosen)
            self.right_chosen[k] += bool(chosen) and ok
            self.right[k] += ok
            self.given[k] += ok and bool(wanted) and not none_will_do
        if not ok:
            self.misses.append(f"{case}: chose {chosen!r}, want {rights}")

    def print(self) -> None:
        print("| case | entries | with a picture to give | chosen | right | precision | recall |")
        print("|---|--:|--:|--:|--:|--:|--:|")
        for k in [*sorted(k for k in self.n if k != "all"), "all"]:
            precision = self.right_chosen[k] / self.chosen[k] if self.chosen[k] else 1.0
            recall = self.given[k] / self.has[k] if self.has[k] else 1.0
            counts = f"{self.n[k]} | {self.has[k]} | {self.chosen[k]} | {self.right[k]}"
            print(f"| {k} | {counts} | {precision:.3f} | {recall:.3f} |")
        if "--show" in sys.argv:
            print("\n".join(f"miss: {m}" for m in self.misses))


def written_feeds() -> Tally:
    """The lead picture of each item of FEEDS, tallied by kind and by language."""
    tally = Tally()
    for block in FEEDS.read_text(encoding="utf-8").split("\n@@ ")[1:]:
        header, item = block.split("\n", 1)
        case, kind, language, wrapper, url, rights, _ = header.split("\t")
        form, _, encoding = wrapper.partition("/")
        if form != "doc":
            template = RSS if form == "rss" else ATOM
            declaration = f'<?xml version="1.0" encoding="{encoding or "utf-8"}"?>'
            item = declaration + template.format(ns=NAMESPACES, site=url, item=item)
        source = SourceConfig(id="s", name="S", url=url, categories=(), interval=900)
        feed = parse(item.encode(encoding or "utf-8"), url=url, headers={})
        articles = normalize(feed, source, now=NOW)
        chosen = articles[0].thumbnail if articles else None
        tally.add([f"kind: {kind}", f"language: {language}"], case, chosen, rights)
    return tally


def main() -> None:
    if not PRESENT:
        print(SKIP_REASON)
        written_feeds().print()
        sys.exit(2)
    corpus = Tally()
    documents: dict[str, ParsedFeed] = {}
    for line in SET.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            continue
        name, index, kind, negatives, rights, _ = line.split("\t")
        if name not in documents:
            documents[name] = parse((CORPUS / name).read_bytes(), url=SOURCE.url, headers={})
        feed = documents[name]
        entry = feed.entries[int(index)]
        chosen = normalize(replace(feed, entries=(entry,)), SOURCE, now=NOW)[0].thumbnail
        keys = [f"kind: {kind}", *(f"beside: {k}" for k in negatives.split(";") if k != "-")]
        corpus.add(keys, f"{name}[{index}]", chosen, rights)
    corpus.print()
    print("\nWritten feed items (bench/heldout/images_feeds.txt):\n")
    written_feeds().print()


if __name__ == "__main__":
    main()
