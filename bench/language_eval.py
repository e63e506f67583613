"""Print how right the language each article is tagged with is, by kind of case.

AGGREGATOR_CORPUS=../shared/corpus .venv/bin/python bench/language_eval.py [--show]

Right means the language a reader expects (the primary subtag) and, for Chinese, its script
(Simplified or Traditional); precision is right of those given a tag, recall right of all.
`--show` lists the misses. The set is tests/support/language_eval.py.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.support, as a script

from tests.support import language_eval
from tests.support.corpus import PRESENT, SKIP_REASON


def main() -> None:
    if not PRESENT:
        print(f"the written cases only: {SKIP_REASON}")
    report = language_eval.evaluate()
    print(report.table())
    if "--show" in sys.argv:
        for miss in report.misses:
            print(f"miss: {miss}")


if __name__ == "__main__":
    main()
