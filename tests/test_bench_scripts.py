"""The benchmarks a clone runs by hand or with `make bench` (bench/README.md).

A clone with no corpus beside it (`../shared/corpus`, else `$AGGREGATOR_CORPUS`) gets one line
saying where the corpus was looked for and which variable names it, and exit status 2, as
`bench/parse_paths.py` says it: `bench/ingest.py` ended in a FileNotFoundError traceback and
`bench/stories.py` in a ZeroDivisionError after starting a server.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    "command",
    [["bench/ingest.py", "--quick"], ["bench/stories.py", "--rounds", "0", "--sizes"]],
    ids=["ingest", "stories"],
)
def test_a_bench_without_the_corpus_names_the_variable_in_one_line(
    command: list[str], tmp_path: Path
) -> None:
    env = {**os.environ, "AGGREGATOR_CORPUS": str(tmp_path / "no-corpus")}
    done = subprocess.run(
        [sys.executable, *command],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.count("\n") == 1
    assert "AGGREGATOR_CORPUS" in done.stderr
    assert str(tmp_path / "no-corpus") in done.stderr
    assert done.stdout == ""
