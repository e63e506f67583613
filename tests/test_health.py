"""/healthz and /readyz against the real server and real `aggregator worker` processes."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask

from aggregator import config as config_module
from aggregator import metrics
from aggregator.config import Config
from aggregator.redis_server import EmbeddedServer, connect
from aggregator.store import Store
from aggregator.web import admin, create_app, health
from tests.support.pipeline import start_worker, wait_for
from tests.support.web_server import HttpClient, http_client, redis_connections_held


def with_ops(app: Flask) -> Flask:
    """The app with the operator blueprints, whether or not the factory registers them yet."""
    if "health" not in app.blueprints:
        app.register_blueprint(health.bp)
    if "admin" not in app.blueprints:
        admin.init_app(app)
    return app


@pytest.fixture
def ops(app: Flask) -> HttpClient:
    return http_client(with_ops(app))


def test_healthz_answers_without_anything_else_running(ops: HttpClient) -> None:
    response = ops.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_names_every_missing_part(ops: HttpClient) -> None:
    response = ops.get("/readyz")
    assert response.status_code == 503
    assert response.json is not None
    assert response.json["missing"] == ["scheduler", "workers"]
    assert "aggregator worker" in response.json["problems"]["workers"]


def test_a_stale_scheduler_heartbeat_is_not_ready(
    ops: HttpClient, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("READY_HEARTBEAT_SECONDS", "30")
    store.heartbeat("scheduler", datetime.now(UTC) - timedelta(minutes=2))
    body = ops.get("/readyz").json
    assert body is not None
    assert "scheduler" in body["missing"]
    assert "ago" in body["problems"]["scheduler"]


def test_a_heartbeat_newer_than_the_probe_is_no_negative_age(ops: HttpClient, store: Store) -> None:
    """A beat written after the probe read the time, or by a host whose clock runs ahead, is 0
    seconds old, as /metrics says (readyz said -0.0, or -5.0)."""
    store.heartbeat("scheduler", datetime.now(UTC) + timedelta(seconds=5))
    response = ops.get("/readyz")
    assert response.json is not None
    assert response.json["scheduler_age_seconds"] == 0.0
    assert b'"scheduler_age_seconds":0.0' in response.data


def _stop(worker: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    if worker.poll() is None:
        os.killpg(worker.pid, sig)
    worker.wait(30)


def _newest_heartbeat(store: Store) -> datetime:
    from rq import Worker

    beats = [w.last_heartbeat for w in Worker.all(connection=store.redis) if w.last_heartbeat]
    return max(beats, default=datetime.min.replace(tzinfo=UTC))


@pytest.mark.timeout(120)
def test_readiness_follows_a_real_worker_dying_and_coming_back(
    ops: HttpClient, store: Store, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The worker heartbeats every second; readiness wants one within 4 s.
    monkeypatch.setenv("WORKER_HEARTBEAT_SECONDS", "1")
    monkeypatch.setenv("READY_HEARTBEAT_SECONDS", "4")

    def status() -> int:
        store.heartbeat("scheduler", datetime.now(UTC))  # a scheduler ticking meanwhile
        return ops.get("/readyz").status_code

    worker = start_worker(redis_url)
    try:
        wait_for(lambda: status() == 200, 30, "readiness with a running worker")
        body = ops.get("/readyz").json
        assert body is not None
        assert body["workers"] == 1

        # SIGKILL leaves its registration behind: only the heartbeat's age gives it away.
        _stop(worker, signal.SIGKILL)
        wait_for(lambda: status() == 503, 20, "503 after the worker was killed")
        body = ops.get("/readyz").json
        assert body is not None
        assert body["missing"] == ["workers"]

        worker = start_worker(redis_url)
        wait_for(lambda: status() == 200, 30, "readiness once a worker is back")

        # A clean stop removes the worker from RQ's registry at once. (Wait for a second
        # heartbeat first: before its loop runs, RQ has not installed its SIGTERM handler.)
        born = _newest_heartbeat(store)
        wait_for(lambda: _newest_heartbeat(store) > born, 20, "the worker's second heartbeat")
        _stop(worker, signal.SIGTERM)
        assert worker.returncode == 0
        assert status() == 503
    finally:
        _stop(worker, signal.SIGKILL)


def test_readyz_says_redis_is_down_at_once_not_after_the_clients_retries(
    tmp_path: Path, web_config: Config
) -> None:
    """The shared client retries for ~10 s; a probe must answer before the prober gives up."""
    with EmbeddedServer(tmp_path / "valkey") as server:
        url = server.start()
        Store(connect(url)).publish_config(config_module.dumps(web_config))
        client = http_client(create_app(web_config, url, recheck_interval=60))
        assert client.get("/readyz").status_code == 503  # no worker yet, but Redis answers
        server.stop()
        started = time.monotonic()
        down = client.get("/readyz")
        elapsed = time.monotonic() - started
    assert down.status_code == 503
    assert down.json is not None
    assert "redis" in down.json["missing"]
    assert elapsed < 5, f"readiness took {elapsed:.1f}s to notice Redis was down"


def test_readyz_says_the_process_is_busy_when_its_connections_to_redis_are_all_in_use(
    app: Flask, ops: HttpClient
) -> None:
    """Every one of the process's connections to Redis held past the pool's wait (PoolBusy):
    readiness said `missing: ["redis"]`, "Redis does not answer: … the process is busy", while
    its own probe had just had Redis's answer, and sent an operator to a server that was well
    (a review, session 40). It names the web process as what is missing."""
    with redis_connections_held(app):
        busy = ops.get("/readyz")
    assert busy.status_code == 503
    assert busy.json is not None
    assert busy.json["missing"] == ["web"], busy.json
    assert "connections to Redis stayed in use" in busy.json["problems"]["web"]
    assert "Redis does not answer" not in busy.json["problems"]["web"]


def test_metrics_say_the_process_is_busy_when_its_connections_to_redis_are_all_in_use(
    app: Flask, ops: HttpClient
) -> None:
    """Every one of the process's connections to Redis held past the pool's wait (PoolBusy):
    a scrape said `aggregator_redis_up 0` though the probe had just had Redis's answer, and an
    alert on it would send an operator to a server that was well (a review, session 40). The
    scrape fails as a page does then, 503 "it is busy": the web target is what is not well."""
    with redis_connections_held(app):
        busy = ops.get("/metrics")
    assert busy.status_code == 503
    assert busy.text == "The service is briefly unavailable (it is busy). Try again shortly.\n"
    assert re.search(r"^aggregator_redis_up 1\.0$", ops.get("/metrics").text, re.M)


def test_metrics_with_redis_down_still_answers_with_the_counters_at_once(
    tmp_path: Path, web_config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Redis away is `aggregator_redis_up 0` in a scrape that succeeds, not a target down: the
    counters up to the outage are still there to read, and the probe does not wait out the
    shared client's ~10 s of retries."""
    monkeypatch.delenv(metrics.MULTIPROC_ENV, raising=False)  # this process's own counters
    metrics.ENQUEUED.inc()
    with EmbeddedServer(tmp_path / "valkey") as server:
        url = server.start()
        Store(connect(url)).publish_config(config_module.dumps(web_config))
        client = http_client(with_ops(create_app(web_config, url, recheck_interval=60)))
        up = client.get("/metrics")
        server.stop()
        started = time.monotonic()
        down = client.get("/metrics")
        elapsed = time.monotonic() - started
    assert up.status_code == 200
    assert re.search(r"^aggregator_redis_up 1\.0$", up.text, re.M)
    assert re.search(r'^aggregator_sources\{state="healthy"\}', up.text, re.M)
    assert down.status_code == 200, down.text
    assert re.search(r"^aggregator_redis_up 0\.0$", down.text, re.M)
    assert "aggregator_sources{" not in down.text  # no gauge from a Redis that did not answer
    assert re.search(r"^aggregator_scheduler_enqueued_sources_total [1-9]", down.text, re.M)
    assert elapsed < 5, f"/metrics took {elapsed:.1f}s with Redis down"
