"""Print how right decode()'s guess is for short undeclared feeds, by encoding.

.venv/bin/python bench/encoding_eval.py [--show]

Four sets (tests/support/encoding_eval.py): `heldout`, written before reading the guessing
code, `old`, the earlier sessions' cases, `fresh`, written after the change and measured once,
and Latin hard negatives. Recall is right of those written in an encoding, precision right of
those guessed as it. `--show` lists the misses.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.support, as a script

from tests.support import encoding_eval


def main() -> None:
    for name, groups in (
        ("heldout", encoding_eval.HELDOUT),
        ("old", encoding_eval.OLD),
        ("fresh", encoding_eval.FRESH),
        ("latin negatives", encoding_eval.LATIN_NEGATIVES),
    ):
        report = encoding_eval.evaluate(groups)
        print(f"## {name}\n{report.table()}")
        if "--show" in sys.argv:
            for case, family, text in report.misses:
                print(f"miss: {case.codec} {case.text!r} shape {case.shape} -> {family} {text!r}")


if __name__ == "__main__":
    main()
