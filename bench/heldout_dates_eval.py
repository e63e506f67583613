"""Print how the held-out dates of bench/heldout/dates.tsv are read: right, wrong, unreadable by
kind, and precision / recall. The set was written after the code, not tuned on: corpus strings
of every shape (and the ones read as nothing), news sites' formats in languages of 50M+
speakers, hard negatives (versions, weeks, times alone, relative times, other calendars).

.venv/bin/python bench/heldout_dates_eval.py            # the table
.venv/bin/python bench/heldout_dates_eval.py --misses   # and each string not read right
.venv/bin/python bench/heldout_dates_eval.py bench/heldout/dates3.tsv   # another batch (third: h10)
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for aggregator, as a script

from aggregator import dates
from aggregator.parse import _raw_date

SET = Path(__file__).resolve().parent / "heldout" / "dates.tsv"
_paths = [Path(a) for a in sys.argv[1:] if not a.startswith("-")]
if _paths:
    SET = _paths[0]


def cases() -> list[tuple[str, str, str, str | None]]:
    """(kind, string, zone, label or None) of each line."""
    found = []
    for line in SET.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            kind, raw, zone, label = line.split("\t")
            found.append((kind, raw, zone, None if label == "-" else label))
    return found


def reading(raw: str, zone: str) -> str | None:
    """The string as normalize reads it (feedparser's reading as the fallback)."""
    when, _ = dates.read(raw, _raw_date(raw), dates.zone(zone))
    return when.strftime("%Y-%m-%dT%H:%M") if when else None


def main() -> None:
    n: Counter[str] = Counter()
    dated: Counter[str] = Counter()
    read: Counter[str] = Counter()
    right_read: Counter[str] = Counter()
    right: Counter[str] = Counter()
    misses = []
    for kind, raw, zone, label in cases():
        got = reading(raw, zone)
        for k in (kind, "all"):
            n[k] += 1
            dated[k] += label is not None
            read[k] += got is not None
            right_read[k] += got is not None and got == label
            right[k] += got == label
        if got != label:
            misses.append(f"{kind:16} {zone:18} {raw!r}: {got} (label {label})")
    print("| kind | strings | dated | read | right | precision | recall |")
    print("|---|--:|--:|--:|--:|--:|--:|")
    for k in [*sorted(k for k in n if k != "all"), "all"]:
        precision = right_read[k] / read[k] if read[k] else 1.0
        recall = right_read[k] / dated[k] if dated[k] else 1.0
        counts = f"{n[k]} | {dated[k]} | {read[k]} | {right[k]}"
        print(f"| {k} | {counts} | {precision:.2f} | {recall:.2f} |")
    if "--misses" in sys.argv:
        print("\n".join(misses))


if __name__ == "__main__":
    main()
