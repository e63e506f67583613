"""The development corpus: one place that finds it, and one way for tests to skip without it
(or, under CI, to fail).

The corpus (381 real feed documents, several under the GPL) lives outside the repository, at
`../shared/corpus` beside a checkout or wherever `AGGREGATOR_CORPUS` points. A clone with nothing
beside it still runs every other test; what the corpus proves in a bare clone is covered by the
small fixtures this project wrote under `tests/fixtures/`.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CORPUS = Path(os.environ.get("AGGREGATOR_CORPUS") or ROOT.parent / "shared" / "corpus").resolve()
PRESENT = CORPUS.is_dir()
SKIP_REASON = f"needs the development corpus: not found at {CORPUS} (set AGGREGATOR_CORPUS)"


# Marks a test that reads the corpus; without it, the hook below skips the test.
requires_corpus = pytest.mark.corpus


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "corpus: reads the development corpus (AGGREGATOR_CORPUS)")


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Skip a `requires_corpus` test when the corpus is absent, before any fixture starts.

    Raised here, not by a skip mark or a fixture, so the skip's location is this line for every
    such test: `pytest -ra` folds them all into a single SKIPPED line naming AGGREGATOR_CORPUS.
    (It also comes before pytest's own skip of a parameter list that is empty without the corpus.)
    """
    if not PRESENT and item.get_closest_marker("corpus") is not None:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the corpus tests, but it {SKIP_REASON}")
        pytest.skip(SKIP_REASON)


def corpus_files(*folders: str) -> list[Path]:
    """Every file in the named corpus folders (all of them when none is named), sorted.

    Empty when the corpus is absent, so parametrizing over it never fails at collection. A corpus
    that is found but lacks a named folder (or holds no files in it) raises: a test that loops
    over the files would otherwise check nothing and pass.
    """
    if not PRESENT:
        return []
    roots = [CORPUS / f for f in folders] if folders else [CORPUS]
    files = []
    for root in roots:
        found = [p for p in root.rglob("*") if p.is_file() and p.name != "SOURCES.md"]
        if not found:
            raise FileNotFoundError(f"the corpus at {CORPUS} has no files in {root.name}/")
        files += found
    return sorted(files)


# A date element of RSS, Atom or Dublin Core, in any namespace and case, with its text.
_DATE_ELEMENT = re.compile(
    rb"<((?:\w+:)?(?:pubDate|published|updated|date|issued|modified|lastBuildDate))\b"
    rb"[^<>]*>([^<]{1,80})</",
    re.IGNORECASE,
)


def corpus_dates() -> set[str]:
    """The text of every date element in the corpus, white space collapsed (empty without it)."""
    return {
        " ".join(match.group(2).decode("utf-8", "replace").split())
        for path in corpus_files()
        for match in _DATE_ELEMENT.finditer(path.read_bytes())
    }
