"""Which parser reads each corpus document, and why the fast path left the others to feedparser.

For every file of the development corpus (all folders, or the ones named), `parse()` is run as
the refresh runs it (`fetch.parser = "auto"`); documents the fast path took are also read by
feedparser and compared after normalizing (tests/support/differential.py), so a difference
shows here as it fails tests/test_parse_differential.py.

    .venv/bin/python bench/parse_paths.py [real encodings malformed edge ...]
"""

from __future__ import annotations

import sys
import warnings
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # for tests.support, when run as a script

from aggregator.parse import FAST_PARSER  # noqa: E402
from tests.support.corpus import CORPUS, PRESENT, SKIP_REASON, corpus_files  # noqa: E402
from tests.support.differential import compare, corpus_headers  # noqa: E402

warnings.filterwarnings("ignore", category=DeprecationWarning, module="feedparser")


def main(folders: list[str]) -> int:
    if not PRESENT:
        print(SKIP_REASON, file=sys.stderr)
        return 2
    paths: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    fallbacks: list[tuple[str, str]] = []
    different: list[tuple[str, tuple[str, ...]]] = []
    for file in corpus_files(*folders):
        body = file.read_bytes()
        verdict = compare(body, corpus_headers(file, body))
        name = str(file.relative_to(CORPUS))
        paths[verdict.path] += 1
        if verdict.path == "feedparser":
            fallbacks.append((name, verdict.reason))
            reasons[verdict.reason.split(" (")[0]] += 1
        if verdict.differences:
            different.append((name, verdict.differences))
    total = sum(paths.values())
    print(
        f"{total} documents: "
        + ", ".join(f"{p} {n} ({n / total:.0%})" for p, n in paths.most_common())
    )
    xml = paths[FAST_PARSER] + paths["feedparser"]
    if xml:
        fast = paths[FAST_PARSER]
        print(f"RSS/Atom read by {FAST_PARSER}: {fast} of {xml} ({fast / xml:.0%})")
    print("\nwhy documents fall back to feedparser:")
    for reason, count in reasons.most_common():
        print(f"  {count:4d}  {reason}")
    print("\ndocuments that fall back:")
    for name, reason in fallbacks:
        print(f"  {name}: {reason}")
    for name, lines in different:
        print(f"\nDIFFERENT {name} (the fast path must not take it):")
        print("\n".join(f"    {line}" for line in lines[:10]))
    return 1 if different else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
