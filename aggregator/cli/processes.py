"""The service's single processes, as the Procfile runs them: worker, scheduler, web, redis."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from pathlib import Path

from aggregator import config as config_module
from aggregator.cli import common
from aggregator.http_server import gunicorn_command
from aggregator.queues import QUEUE_NAME
from aggregator.redis_server import EmbeddedServer, connect, data_dir, redis_url, watch_silence
from aggregator.store import Store


def cmd_worker(args: argparse.Namespace) -> int:
    from rq import Queue

    from aggregator.metrics import check_heartbeats, worker_heartbeat
    from workers import jobs

    check_heartbeats()

    jobs.limit_malloc_arenas()  # before any fetch thread allocates
    connection = connect(redis_url())
    watch_silence(redis_url())  # a hung server is said in the log, not waited on in silence
    store = Store(connection)
    common.wait_for_config(store)
    jobs.warm_up(connection)
    queue = Queue(QUEUE_NAME, connection=connection)
    # A short maintenance interval: a job whose worker died is cleaned up within a minute, not
    # RQ's default ten. Sources come back sooner still, by their lease (docs/architecture.md,
    # "Scheduling and leases").
    # An idle RQ worker heartbeats once per dequeue timeout (worker_ttl - 15 s): a short TTL
    # keeps its heartbeat fresh enough for /readyz (READY_HEARTBEAT_SECONDS, default 60).
    heartbeat = worker_heartbeat()
    # SimpleWorker runs jobs in this process instead of forking a work horse per job. RQ's fork
    # cost more than a batch of 304 polls (bench/ingest.py: 95–195 ms against ~45 ms per batch
    # of 20), and a fresh horse loses the HTTP connection pool and leaves one metrics file per
    # job. Jobs are bounded (size caps, deadlines, job timeout), and the worker exits after
    # --max-jobs to bound whatever a long life accumulates; `run` restarts it, and a crash
    # mid-job loses nothing: the sources' leases run out and they are claimed again.
    # RefreshWorker is a SimpleWorker that waits out a Redis outage in the middle of a job.
    worker = jobs.RefreshWorker(
        [queue],
        connection=connection,
        maintenance_interval=30,
        worker_ttl=int(max(1.0, heartbeat)) + 15,
    )
    # logs.configure gave the root logger our handler, so RQ adds none of its own and its
    # lines come out in our format too; with_scheduler is off because ours schedules.
    worker.work(
        burst=args.burst,
        max_jobs=args.max_jobs or None,
        logging_level=os.environ.get("LOG_LEVEL", "INFO").upper(),
        with_scheduler=False,
    )
    from aggregator import metrics

    metrics.fold_process_files()  # retiring: its counts stay, its files go
    return 0


def cmd_scheduler(args: argparse.Namespace) -> int:
    from workers import scheduler

    store = Store(connect(redis_url()))
    watch_silence(redis_url())  # a hung server is said in the log, not waited on in silence
    config = common.load_or_published(args, store)  # or fail fast with the file's problems
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda signum, frame: stop.set())
    try:
        scheduler.run(store, config.path, interval=args.interval, stop=stop)
    except KeyboardInterrupt:
        stop.set()
    return 0


def cmd_web(args: argparse.Namespace) -> int:
    # Fail fast with the config's problems, not a gunicorn traceback; unless a scheduler has
    # published a good one, which is what the web serves.
    config = common.load_or_published(args, Store(connect(redis_url())))
    if config.path:
        # The file the workers read until a scheduler publishes one: this one, not
        # ./aggregator.toml (`--config prod.toml web` served the example's site and links).
        os.environ[config_module.ENV_VAR] = str(Path(config.path).resolve())
    command = gunicorn_command(args.host, args.port, args.workers)  # every server setting
    os.execv(sys.executable, command)  # noqa: S606 - replace ourselves with gunicorn


def cmd_redis(args: argparse.Namespace) -> int:
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda signum, frame: stop.set())
    # Ctrl-C too, set here: a command started in the background of a script inherits SIGINT
    # ignored, and Python then raises no KeyboardInterrupt (a test's server outlived it). Set
    # before the server starts: one that came while it did stops it once it has.
    signal.signal(signal.SIGINT, lambda signum, frame: stop.set())
    server = EmbeddedServer(data_dir())
    print(f"aggregator: Redis-compatible server at {server.start()}; Ctrl-C stops it", flush=True)
    try:
        while not stop.wait(1.0):
            if not server.running:
                return 1
    finally:
        server.stop()
    return 0
