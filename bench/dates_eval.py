"""Print how the labelled dates of tests/test_dates.py are read: right, wrong, unreadable by kind;
then how the corpus articles' dates of tests/support/dates_eval.py come out, by kind.

.venv/bin/python bench/dates_eval.py            # the tables
.venv/bin/python bench/dates_eval.py --misses   # and each string or article not read right
AGGREGATOR_CORPUS=../shared/corpus .venv/bin/python bench/dates_eval.py   # with the corpus's
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests, as a script

from tests.support import dates_eval
from tests.support.corpus import PRESENT, SKIP_REASON
from tests.test_dates import LABELLED, labelled_reading, labelled_scores


def main() -> None:
    scores = labelled_scores()
    print("| kind | right | wrong | unreadable |")
    print("|---|---|---|---|")
    total = {"right": 0, "wrong": 0, "unreadable": 0}
    for kind, counts in scores.items():
        print(f"| {kind} | {counts['right']} | {counts['wrong']} | {counts['unreadable']} |")
        for verdict, n in counts.items():
            total[verdict] += n
    print(
        f"| **all {len(LABELLED)}** | {total['right']} | {total['wrong']} | {total['unreadable']} |"
    )
    if "--misses" in sys.argv:
        for kind, raw, zone, label in LABELLED:
            got = labelled_reading(raw, zone)
            if got != label:
                print(f"{kind:15} {zone:18} {raw!r}: {got} (label {label})")
    print()
    if not PRESENT:
        print(f"articles: the written cases only: {SKIP_REASON}")
    report = dates_eval.evaluate()
    print(report.table())
    if "--misses" in sys.argv:
        for miss in report.misses:
            print(f"miss: {miss}")


if __name__ == "__main__":
    main()
