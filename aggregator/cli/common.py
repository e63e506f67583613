"""What several commands share: the config they were given, and waiting for the published one."""

from __future__ import annotations

import argparse
import time

from aggregator.config import Config, load_config
from aggregator.store import Store


def load(args: argparse.Namespace) -> Config:
    """The config file named by --config (or $AGGREGATOR_CONFIG, or ./aggregator.toml)."""
    return load_config(args.config)


def wait_for_config(store: Store, timeout: float = 60.0) -> None:
    """Wait until a scheduler has published the config, or exit saying to start one."""
    deadline = time.monotonic() + timeout
    while store.published_config() is None:
        if time.monotonic() > deadline:
            raise SystemExit("no configuration in Redis: start `aggregator scheduler` first")
        time.sleep(0.5)
