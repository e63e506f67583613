"""Language detection per text: py3langid's own walk and scores against ours (aggregator._native).

Every title and summary of the corpus's `real/` feeds, as normalize hands them to the detector
(the first 240 characters, whitespace collapsed), read by py3langid's LanguageIdentifier and by
language.py's identifier, best of 5 rounds each, side by side in one process; and how often the
two agree on the language (they should always) and by how much their probabilities differ.

    .venv/bin/python bench/language.py
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # for tests.support, when run as a script

from aggregator import language  # noqa: E402
from aggregator.errors import ParseError  # noqa: E402
from aggregator.normalize import _text  # noqa: E402
from aggregator.parse import parse  # noqa: E402
from tests.support.corpus import PRESENT, SKIP_REASON, corpus_files  # noqa: E402


def samples() -> list[str]:
    texts = []
    for path in corpus_files("real"):
        try:
            feed = parse(path.read_bytes(), url="https://example.com/feed", headers={})
        except ParseError:
            continue
        for entry in feed.entries:
            text = f"{_text(entry.title, entry.title_is_html)}\n{_text(entry.summary, True)}"
            texts.append(" ".join(text[: language._TEXT_CHARS].split()))
    return texts


def best(run: Callable[[], object], rounds: int = 5) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    if not PRESENT:
        raise SystemExit(SKIP_REASON)
    ours, reference = language._identifier(), language.reference()
    texts = samples()
    theirs = best(lambda: [reference.classify(t) for t in texts])
    mine = best(lambda: [ours.classify(t) for t in texts])
    pairs = [(ours.classify(t), reference.classify(t)) for t in texts]
    agree = sum(a[0] == b[0] for a, b in pairs)
    widest = max(abs(a[1] - b[1]) for a, b in pairs)
    per = 1e6 / len(texts)
    print(f"{len(texts)} texts of real/ (title and summary, {language._TEXT_CHARS} characters)")
    print(f"py3langid (Python walk, numpy scores): {theirs * per:.0f} µs a text")
    print(
        f"ours ({'C walk and scores' if language._native else 'not built: py3langid'}):"
        f" {mine * per:.0f} µs a text, {theirs / mine:.1f}x"
    )
    print(f"same language: {agree} of {len(texts)}; probabilities differ by at most {widest:.1e}")


if __name__ == "__main__":
    main()
