"""Print full-text extraction quality on the labelled pages of tests/fixtures/pages/dev.

.venv/bin/python bench/fulltext_eval.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.support, as a script

from tests.support import fulltext_eval


def main() -> None:
    print(fulltext_eval.table(fulltext_eval.evaluate()))


if __name__ == "__main__":
    main()
