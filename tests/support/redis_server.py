"""Fixtures for a real embedded Valkey server: one per test session, flushed before each test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis as redis_lib

from aggregator.redis_server import EmbeddedServer, connect
from aggregator.store import Store


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedServer]:
    """One embedded server for the whole session, in a temporary data dir."""
    with EmbeddedServer(tmp_path_factory.mktemp("valkey")) as server:
        yield server


@pytest.fixture(scope="session")
def redis_url(redis_server: EmbeddedServer) -> str:
    """The session server's `unix://` URL."""
    return redis_server.url


@pytest.fixture
def redis(redis_url: str) -> redis_lib.Redis:
    """A client of the session server, whose data is flushed before the test."""
    client = connect(redis_url)
    client.flushall()
    return client


@pytest.fixture
def store(redis: redis_lib.Redis) -> Store:
    """A Store on the flushed session server."""
    return Store(redis)
