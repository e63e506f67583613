"""Print full-text extraction quality on the labelled pages of tests/fixtures/pages/dev, by page
and by kind of page (each served over HTTP on 127.0.0.1, see tests/support/fulltext_eval.py).

.venv/bin/python bench/fulltext_eval.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.support, as a script

from tests.support import fulltext_eval


def main() -> None:
    results = fulltext_eval.evaluate()
    print(fulltext_eval.table(results))
    print()
    print(fulltext_eval.by_kind(results))


if __name__ == "__main__":
    main()
