"""Which side may import which: the web never imports the worker side or the CLI.

The web serves what the workers wrote; it changes what they do only through Redis (the due set,
the paused set). Shared names live under aggregator/ (aggregator.queues, aggregator.redis_server).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

WEB = Path(__file__).resolve().parents[1] / "aggregator" / "web"
FORBIDDEN = ("workers", "aggregator.cli")


def _forbidden(module: str) -> bool:
    return any(module == f or module.startswith(f + ".") for f in FORBIDDEN)


def imports_of(path: Path) -> list[str]:
    """Every module a file imports, at any depth (function-local imports included)."""
    names = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
            names += [f"{node.module}.{alias.name}" for alias in node.names]
    return names


def test_no_module_under_web_imports_workers_or_the_cli() -> None:
    files = sorted(WEB.rglob("*.py"))
    assert files
    found = [f"{p.name}: {m}" for p in files for m in imports_of(p) if _forbidden(m)]
    assert found == []


def test_the_scan_would_catch_one() -> None:
    tree = "import workers.jobs\nfrom aggregator import cli\ndef f():\n    from workers import x\n"
    path = WEB.parent.parent / "tests" / "_layering_probe.py"
    try:
        path.write_text(tree)
        assert [m for m in imports_of(path) if _forbidden(m)] == [
            "workers.jobs",
            "aggregator.cli",
            "workers",
            "workers.x",
        ]
    finally:
        path.unlink()


def test_importing_every_web_module_loads_neither() -> None:
    modules = [f"aggregator.web.{p.stem}" for p in sorted(WEB.glob("*.py")) if p.stem != "__init__"]
    script = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] == 'workers'"
        " or m == 'aggregator.cli' or m.startswith('aggregator.cli.')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "[]"
