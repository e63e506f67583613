"""Print how right the lead picture each article gets is, by kind of case.

AGGREGATOR_CORPUS=../shared/corpus .venv/bin/python bench/images_eval.py [--show]

Right means the picture a reader should see atop the article, labelled by eye (or none when the
entry offers only non-pictures); precision is right of those given a picture, recall right of
those with one to give. Below, the non-pictures offered beside the pictures, by kind, and how
often one was chosen. `--show` lists the misses. The set is tests/support/images_eval.py.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.support, as a script

from tests.support import images_eval
from tests.support.corpus import PRESENT, SKIP_REASON


def main() -> None:
    if not PRESENT:
        print(f"the written cases only: {SKIP_REASON}")
    report = images_eval.evaluate()
    print(report.table())
    if "--show" in sys.argv:
        for miss in report.misses:
            print(f"miss: {miss}")


if __name__ == "__main__":
    main()
