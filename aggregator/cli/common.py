"""What several commands share: the config they were given, and waiting for the published one."""

from __future__ import annotations

import argparse
import dataclasses
import logging
import os
import socket
import sys
import time
from typing import NoReturn
from urllib.parse import urlsplit

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from aggregator import config as config_module
from aggregator.config import Config, load_config
from aggregator.errors import ConfigError
from aggregator.redis_server import COMMAND, LOCK_FILE, connect, data_dir, redis_url
from aggregator.store import Store

log = logging.getLogger("aggregator.cli")


def usage_error(message: str) -> NoReturn:
    """A command given wrong arguments: its message, and exit status 2 as argparse's own (1 is
    a command's own failure, which a script tells from a mistake in its call)."""
    print(f"aggregator: {message}", file=sys.stderr)
    raise SystemExit(2)


# A command's client when no server is there: its first call fails at once (no retries).
_NOBODY = dataclasses.replace(COMMAND, connect_timeout=1, retries=0)


def command_store() -> Store:
    """The store for an operator's command. Its client rides out a restart of the server, but
    when none listens and no `aggregator run` holds the embedded server's data directory, the
    service is down and no retry brings it back: the command said so after ~15 s of them."""
    url = redis_url()
    down = not _listening(url) and (bool(os.environ.get("REDIS_URL")) or not _data_dir_held())
    return Store(connect(url, _NOBODY if down else COMMAND))


def _listening(url: str) -> bool:
    """Whether something accepts a connection at `url` (or may: an error other than a refusal
    or a missing socket leaves the answer to the client)."""
    where = urlsplit(url)
    try:
        if where.scheme == "unix":
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
                probe.settimeout(1)
                probe.connect(where.path)
        else:
            address = (where.hostname or "localhost", where.port or 6379)
            socket.create_connection(address, timeout=1).close()
    except (ConnectionRefusedError, FileNotFoundError):
        return False
    except (OSError, ValueError):  # (ValueError: a port out of range, for the client to say)
        return True
    return True


def _data_dir_held() -> bool:
    """Whether a process holds the embedded server's data directory lock (`run`, `redis`, or a
    server they started), as /proc/locks lists it: a lock taken to test it would make a `run`
    starting at that moment fail. Unknown (no /proc/locks): held, the patient answer."""
    try:
        lock = os.stat(data_dir() / LOCK_FILE)
    except FileNotFoundError:
        return False
    try:
        with open("/proc/locks", encoding="ascii") as locks:
            held = locks.read()
    except OSError:
        return True
    # Lines like "1: FLOCK  ADVISORY  WRITE 9700 fe:00:2192067 0 EOF": device and inode.
    inode = f" {os.major(lock.st_dev):02x}:{os.minor(lock.st_dev):02x}:{lock.st_ino} "
    return inode in held


def load(args: argparse.Namespace) -> Config:
    """The config file named by --config (or $AGGREGATOR_CONFIG, or ./aggregator.toml)."""
    return load_config(args.config)


def load_or_published(args: argparse.Namespace, store: Store) -> Config:
    """The config file, or, when it is invalid, the config a scheduler last published (with the
    file's problems on stderr): an edit gone wrong must not keep a restarted process down while
    the rest of the service runs on the last good config. Without a published one, the error."""
    try:
        return load(args)
    except ConfigError as error:
        try:
            published = store.published_config()
        except (RedisConnectionError, RedisTimeoutError):
            published = None  # (the file's problems are the error to show)
        if published is None:
            raise
        if os.environ.get(PROBLEMS_SHOWN):  # `run` said so already, for all its processes
            return _published(published[1], error)
        running_on = config_module.loads(published[1]).path
        if running_on and error.path and not _same_file(error.path, running_on):
            # Fixing this file changes nothing of what the service runs on: it runs on another.
            instead = f"using the config the service runs on, from {running_on}"
        else:
            instead = "running on the last published config until it is fixed"
        print(
            f"aggregator: {error}\naggregator: the config file is invalid (above); {instead}",
            file=sys.stderr,
            flush=True,
        )
        return _published(published[1], error)


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:  # (one is gone, or relative to another process's directory)
        return os.path.abspath(a) == os.path.abspath(b)


# Set by `run` for its processes once it has shown the file's problems: three copies of them
# (its own, the scheduler's, the web's) opened every start on a broken file.
PROBLEMS_SHOWN = "AGGREGATOR_CONFIG_PROBLEMS_SHOWN"


def _published(raw: str, error: ConfigError) -> Config:
    # (With the file's path: the one the scheduler then watches for the fix.)
    config = config_module.loads(raw)
    return dataclasses.replace(config, path=error.path or config.path)


def wait_for_config(store: Store, timeout: float = 60.0) -> None:
    """Wait until a scheduler has published the config, or exit saying to start one.

    While Redis does not answer, it waits for Redis (saying so once), not counting that time:
    a worker started during an outage exited with status 3 after its client's retries, over
    and over, until `run` gave up on it.
    """
    deadline = time.monotonic() + timeout
    said = False
    while True:
        try:
            if store.published_config() is not None:
                return
        except (RedisConnectionError, RedisTimeoutError) as e:
            if not said:
                log.error("Redis does not answer; waiting for it before starting: %s", e)
                said = True
            deadline = time.monotonic() + timeout
            time.sleep(1.0)
            continue
        if time.monotonic() > deadline:
            raise SystemExit("no configuration in Redis: start `aggregator scheduler` first")
        time.sleep(0.5)
