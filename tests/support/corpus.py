"""The development corpus: one place that finds it, and one way for tests to skip without it.

The corpus (381 real feed documents, several under the GPL) lives outside the repository, at
`../shared/corpus` beside a checkout or wherever `AGGREGATOR_CORPUS` points. A clone with nothing
beside it still runs every other test; what the corpus proves in a bare clone is covered by the
small fixtures this project wrote under `tests/fixtures/`.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CORPUS = Path(os.environ.get("AGGREGATOR_CORPUS") or ROOT.parent / "shared" / "corpus").resolve()
PRESENT = CORPUS.is_dir()
SKIP_REASON = f"needs the development corpus: not found at {CORPUS} (set AGGREGATOR_CORPUS)"

# Marks a test (or, as `pytestmark`, a module) that reads the corpus.
requires_corpus = pytest.mark.skipif(not PRESENT, reason=SKIP_REASON)


def corpus_files(*folders: str) -> list[Path]:
    """Every file in the named corpus folders (all of them when none is named), sorted.

    Empty when the corpus is absent, so parametrizing over it never fails at collection.
    """
    if not PRESENT:
        return []
    roots = [CORPUS / f for f in folders] if folders else [CORPUS]
    return sorted(p for r in roots for p in r.rglob("*") if p.is_file() and p.name != "SOURCES.md")
