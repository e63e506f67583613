"""Measure every hostile source of tests/support/evil.py: outcome, wall time and peak RSS.

    .venv/bin/python -m bench.hostile_bounds [--slow] [--json FILE]

Each source is refreshed with refresh_source in one child process, one after the other, with the
child's peak RSS (VmHWM) reset before each (see tests/support/evil.py). Prints a Markdown table
for docs/reliability.md. The Valkey server is the embedded one, in a temporary directory.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import uuid
from dataclasses import asdict
from pathlib import Path

from aggregator.redis_server import EmbeddedServer
from tests.support import evil


def main() -> None:
    """Run the probes and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slow", action="store_true", help="also the slow cases (100k entries…)")
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    args = parser.parse_args()
    cases = [c for c in evil.CASES if args.slow or not c.slow]
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        server = EmbeddedServer(directory / "valkey", appendonly=False)
        server.start()
        env = evil.start_env(directory, f"SECRET-MARKER-{uuid.uuid4().hex}")
        try:
            urls = {c.id: c.install(env) for c in cases}
            config = evil.case_config(cases, urls)
            overrides = {c.id: c.fetch for c in cases if c.fetch}
            probes = evil.probe(server.url, config, overrides, needles=(env.marker, "\x00"))
        finally:
            evil.stop_env(env)
            server.stop()
    print("| case | group | what | outcome | peak RSS (MB) | time (s) | articles | error |")
    print("|---|---|---|---|---|---|---|---|")
    for case in cases:
        p = probes[case.id]
        outcome = p.outcome.value if p.outcome else f"**crash**: {p.crash}"
        error = p.error.replace("|", "\\|")
        if len(error) > 90:
            error = error[:90] + "…"
        print(
            f"| {case.id} | {case.group} | {case.what} | {outcome} | {p.peak_rss_mb:.0f} | "
            f"{p.seconds:.2f} | {p.articles} | {error} |"
        )
    if args.json:
        args.json.write_text(json.dumps({k: asdict(v) for k, v in probes.items()}, default=str))


if __name__ == "__main__":
    main()
