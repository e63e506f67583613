"""The tests of aggregator/_native.c against its Python references: skipped, with one line, where
the C module is not built (no C compiler at install: the references do its work)."""

from __future__ import annotations

import importlib.util

import pytest

BUILT = importlib.util.find_spec("aggregator._native") is not None
requires_native = pytest.mark.skipif(
    not BUILT, reason="aggregator._native is not built (no C compiler at install)"
)
