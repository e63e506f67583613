"""Print how right the lead picture is on the held-out set of bench/heldout/images.tsv: 150
corpus entries past the development sets (not among each feed's first five, nor in
tests/support/images_eval.py), stratified by kind and by the non-pictures offered beside the
picture (avatars, small thumbnails, favicons, logos, share buttons, strips), labelled by eye.
Precision is right of those given a picture, recall right of those with one to give ("none"
in a label: no picture will do too).

AGGREGATOR_CORPUS=../shared/corpus .venv/bin/python bench/heldout_images_eval.py [--show]
"""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.support, as a script

from aggregator.models import ParsedFeed
from aggregator.normalize import normalize
from aggregator.parse import parse
from tests.support.corpus import CORPUS, PRESENT, SKIP_REASON
from tests.support.images_eval import NOW, SOURCE

SET = Path(__file__).resolve().parent / "heldout" / "images.tsv"


def main() -> None:
    if not PRESENT:
        print(SKIP_REASON)
        sys.exit(2)
    n: Counter[str] = Counter()
    has: Counter[str] = Counter()
    chosen_n: Counter[str] = Counter()
    right_chosen: Counter[str] = Counter()
    right: Counter[str] = Counter()
    given: Counter[str] = Counter()  # of those with a picture to give, given right
    misses = []
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
        wanted = set(rights.split()) - {"-", "none"}
        none_will_do = rights == "-" or "none" in rights.split()
        ok = chosen in wanted if chosen else none_will_do
        keys = [f"kind: {kind}", *(f"beside: {k}" for k in negatives.split(";") if k != "-")]
        for k in [*keys, "all"]:
            n[k] += 1
            has[k] += bool(wanted) and not none_will_do
            chosen_n[k] += bool(chosen)
            right_chosen[k] += bool(chosen) and ok
            right[k] += ok
            given[k] += ok and bool(wanted) and not none_will_do
        if not ok:
            misses.append(f"{name}[{index}]: chose {chosen!r}, want {rights}")
    print("| case | entries | with a picture to give | chosen | right | precision | recall |")
    print("|---|--:|--:|--:|--:|--:|--:|")
    for k in [*sorted(k for k in n if k != "all"), "all"]:
        precision = right_chosen[k] / chosen_n[k] if chosen_n[k] else 1.0
        recall = given[k] / has[k] if has[k] else 1.0
        counts = f"{n[k]} | {has[k]} | {chosen_n[k]} | {right[k]}"
        print(f"| {k} | {counts} | {precision:.3f} | {recall:.3f} |")
    if "--show" in sys.argv:
        print("\n".join(f"miss: {m}" for m in misses))


if __name__ == "__main__":
    main()
