"""Print the stories development set's pairwise precision and recall (Markdown).

.venv/bin/python bench/stories_eval.py            # fixtures + every corpus article
.venv/bin/python bench/stories_eval.py --limit 300
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.support, as a script

from tests.support import stories_eval as ev


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--limit", type=int, default=None, help="corpus originals to sample")
    args = parser.parse_args()
    started = time.monotonic()
    items = ev.with_copies(ev.fixture_items() + ev.corpus_items(limit=args.limit))
    report = ev.evaluate(items)
    originals = sum(1 for i in items if i.kind == "original")
    print(f"{len(items)} articles ({originals} originals), {time.monotonic() - started:.0f} s\n")
    print(report.table())
    print(
        f"\nrecall, full copies: {report.recall(ev.FULL_COPY_KINDS):.3f};"
        f" summary-only: {report.recall(ev.SUMMARY_KINDS):.3f};"
        f" summary-only under a new headline: {report.recall(ev.SUMMARY_RETITLED_KINDS):.3f};"
        f" (held out) under an unrelated headline: {report.recall(ev.NEWHEADLINE_KINDS):.3f};"
        f" (held out) after a template: {report.recall(ev.TEMPLATE_KINDS):.3f};"
        f" (held out) Chinese or Japanese, 60 to 120 characters:"
        f" {report.recall(ev.CJK_SHORT_KINDS):.3f};"
        f" an excerpt under a new headline: {report.recall(ev.EXCERPT_RETITLED_KINDS):.3f};"
        f" summary-only of a wire original, its dateline dropped:"
        f" {report.recall(ev.DATELINE_KINDS):.3f};"
        f" republished by portals: {report.recall(ev.REPUBLISHED_KINDS):.3f};"
        f" reposted (traditional, credited): {report.recall(ev.REPOSTED_KINDS):.3f};"
        f" a title-only item by another address: {report.recall(ev.LINK_KINDS):.3f}"
    )
    for kind, a, b in report.examples:
        print(f"false merge ({kind}): {a} ~ {b}")


if __name__ == "__main__":
    main()
