"""Print what learned junk strips of the corpus's repeated paragraphs, by label and kind.

AGGREGATOR_CORPUS=../shared/corpus .venv/bin/python bench/junk_eval.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.support, as a script

from tests.support import junk_eval


def main() -> None:
    report = junk_eval.evaluate()
    print(report.table())
    for line in report.stripped_content:
        print(f"content stripped: {line}")


if __name__ == "__main__":
    main()
