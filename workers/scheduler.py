"""The scheduler: claims due sources from Redis and enqueues batches of them for the workers.

Safe to run twice: `Store.claim_due` is one Lua script, so two schedulers never claim the same
source for one due time. A claim is a lease: if the job carrying a source is lost with its worker,
the source is due again when the lease runs out (docs/architecture.md, "Scheduling and leases").
"""

from __future__ import annotations

import hashlib
import logging
import random
import re
import threading
import time
from collections.abc import Collection, Sequence
from datetime import UTC, datetime
from pathlib import Path

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rq import Queue, Retry, Worker

from aggregator import config as config_module
from aggregator import metrics, websub
from aggregator.config import Config, ConfigWatcher, article_settings
from aggregator.config_warnings import located_warnings
from aggregator.errors import ConfigError
from aggregator.queues import QUEUE_NAME
from aggregator.store import Store

log = logging.getLogger("aggregator.scheduler")


def publish(store: Store, config: Config, now: float | None = None) -> None:
    """Make `config` the one every worker and web process uses, and sync the schedule to it."""
    now = time.time() if now is None else now
    if dropped := store.drop_old_story_index():
        log.info("story index of the previous layout dropped", extra={"fields": {"keys": dropped}})
    if dropped := store.drop_old_paragraph_evidence():
        log.info(
            "paragraph evidence of a previous layout dropped", extra={"fields": {"keys": dropped}}
        )
    before = store.published_config()
    previous = config_module.loads(before[1]) if before else None
    if previous and previous.site.base_url != config.site.base_url:
        # Every feed's id and links are built on it: feed readers see new feeds. Deliberate
        # when the site moves; a deleted or mistyped [site] table did it without a word.
        log.warning(
            "site.base_url changed: every feed's id and links change with it",
            extra={"fields": {"was": previous.site.base_url, "now": config.site.base_url}},
        )
    for lost in config_module.dropped_former_slugs(previous, config) if previous else ():
        log.warning(
            "a renamed category's old address is dropped", extra={"fields": {"warning": lost}}
        )
    wanted = {s.id for s in config.sources}
    # A source taken out of the config (or renamed: a new id) leaves the feeds with its data
    # (noted before the new config is: a scheduler dying between the two still purges it).
    gone = {s.id for s in previous.sources} - wanted if previous else set()
    store.note_removed_sources(gone, wanted)
    version = store.publish_config(config_module.dumps(config))
    categories = previous.categories if previous else ()
    store.remember_categories((c.slug for c in config.categories), (c.slug for c in categories))
    states = store.get_states(sorted(wanted))
    store.set_sources(states)  # what /metrics counts by state from now on
    # New sources are due now; paused and gone ones stay off the schedule until an operator acts.
    due = {i: now for i, st in states.items() if not (st.paused or st.gone)}
    added = store.schedule_new(due)
    # An edited source (URL, filters, categories) takes effect now, not at the due time its old
    # settings gave it. A shortened interval alone brings the next check within the new one,
    # spread over it: a change of `[fetch] interval` had made every source due at once.
    changed = _changed_sources(previous, config) & set(due)
    # A failing source given the networks its error asked for ("set allow_private_networks on
    # this source") is checked now, with its validators: it waited out its backoff (an
    # operator's review: the edit was published with changed=0, the source failing 15 minutes on).
    retried = {
        i for i in _reach_changed(previous, config) & set(due) if states[i].consecutive_errors
    } - changed
    for source_id in sorted(changed | retried):
        store.schedule(source_id, now)
    shortened = _shortened(previous, config) & set(due) - changed
    store.schedule_earlier(
        {s.id: now + _spread.uniform(0, s.interval) for s in config.sources if s.id in shortened}
    )
    removed = [i for i in store.scheduled() if i not in wanted]
    store.unschedule(removed)
    # Purged now, the rest at the next ticks; and again later (age_out), should a refresh that
    # was under way then have saved after.
    purged = purge_removed(store, wanted, PURGE_SECONDS)
    log.info(
        # (Started on a file an edit broke, the one in force again: not "published", as if the
        # file had been.)
        "config published" if before is None or before[0] != version else "config in force",
        extra={
            "fields": {
                "version": version,
                "sources": len(wanted),
                "new": added,
                "changed": len(changed),
                "retried": len(retried),
                "removed": len(removed),
                "purged_articles": purged,
                "path": config.path,
            }
        },
    )


SHOWN_WARNINGS = 30  # in the log line; the admin page and check-config list more


def note_warnings(store: Store, config: Config, said: Collection[str] = ()) -> set[str]:
    """Record (for the admin pages) what in the config file in force is probably a mistake, and
    log those of it not in `said`: an operator who edits the file under a running service runs
    no check-config. Returns what is said now, for the next call: a warning is logged once, not
    again at every edit of the file (nor when a comment moves its line)."""
    warnings = located_warnings(config)
    store.set_config_warnings(config.path, warnings)
    new = [w for w in warnings if _unplaced(w) not in said]
    if new:
        log.warning(
            "config applied, with warnings",
            extra={
                "fields": {
                    "path": config.path,
                    "count": len(warnings),
                    "new": len(new),
                    "warnings": new[:SHOWN_WARNINGS],
                }
            },
        )
    return {_unplaced(w) for w in warnings}


def _unplaced(warning: str) -> str:
    """A located warning without its "line 12: " (a comment added above moves it)."""
    return re.sub(r"^line \d+: ", "", warning)


_EMPTIED = "the file holds no sources and no categories (to remove them all, stop the service)"
PURGE_SECONDS = 2.0  # of purging removed sources a publish does; the ticks do the rest
PURGE_SECONDS_PER_TICK = 0.5  # (~0.2 ms an article: 1,000 sources of 500 take ~100 s)


def purge_removed(store: Store, configured: set[str], budget: float) -> int:
    """Purge sources published configs removed (`Store.purge_source`): at least one, then
    until `budget` seconds have passed; what is left stays to do. Returns how many articles
    went."""
    deadline = time.monotonic() + budget
    purged = 0
    for source_id in sorted(store.sources_to_purge()):
        if source_id not in configured:
            purged += store.purge_source(source_id)
            log.info("removed source purged", extra={"fields": {"source": source_id}})
        store.purged(source_id)
        if time.monotonic() > deadline:
            break
    return purged


AGE_SWEEP_SECONDS = 3600.0  # how often max age is applied to the sources no refresh saves
# How long after its removal a source is looked at again by that sweep (a refresh under way
# when it was removed saves within its job's timeout, minutes).
REMOVED_RECHECK_SECONDS = 86400.0


def age_out(store: Store, config: Config, now: datetime | None = None) -> int:
    """Apply max age to the sources that are failing, paused or gone (their refreshes, if
    any, save nothing); return how many articles went."""
    words = store.state_words([s.id for s in config.sources])
    idle = [i for i, word in words.items() if word in ("failing", "paused", "gone")]
    removed = store.age_out(idle, config.retention, now or datetime.now(UTC))
    if removed:
        log.info("aged out", extra={"fields": {"sources": len(idle), "articles": removed}})
    # What a refresh under way when its source was removed saved after the purge.
    configured = {s.id for s in config.sources}
    since = time.time() - REMOVED_RECHECK_SECONDS
    for source_id in sorted(store.removed_sources(since) - configured):
        if late := store.purge_source(source_id):
            log.info("removed source purged again", extra={"fields": {"source": source_id}})
            removed += late
    return removed


def _published_sources(store: Store) -> bool:
    """Whether the config published now has sources."""
    published = store.published_config()
    return published is not None and bool(config_module.loads(published[1]).sources)


def _changed_sources(previous: Config | None, config: Config) -> set[str]:
    """Ids of sources whose articles' settings differ from the previously published config
    (config.article_settings: not the interval, the weight or the networks they may reach)."""
    if previous is None:
        return set()
    before = {s.id: article_settings(s) for s in previous.sources}
    return {s.id for s in config.sources if s.id in before and before[s.id] != article_settings(s)}


def _reach_changed(previous: Config | None, config: Config) -> set[str]:
    """Ids of sources that may reach other networks than in the previously published config
    (their own `allow_private_networks`, or `[fetch]`'s)."""
    if previous is None:
        return set()
    before = {
        s.id: (s.allow_private_networks, previous.fetch.allow_private_networks)
        for s in previous.sources
    }
    return {
        s.id
        for s in config.sources
        if s.id in before
        and before[s.id] != (s.allow_private_networks, config.fetch.allow_private_networks)
    }


def _shortened(previous: Config | None, config: Config) -> set[str]:
    """Ids of sources polled more often than in the previously published config."""
    if previous is None:
        return set()
    before = {s.id: s.interval for s in previous.sources}
    return {s.id for s in config.sources if s.interval < before.get(s.id, s.interval)}


_spread = random.Random()  # noqa: S311 - jitter, not security


def _job_timeout(config: Config, batch: int) -> int:
    """Long enough for a batch whose sources all sit on one host, each taking the deadline."""
    fetch = config.fetch
    rounds = -(-batch // max(1, min(fetch.per_host, fetch.concurrency)))
    return int(max(fetch.job_timeout, rounds * fetch.deadline + 30))


def enqueue(queue: Queue, config: Config, source_ids: Sequence[str]) -> list[str]:
    """Enqueue the claimed ids in batches; returns the job ids."""
    size = max(1, config.fetch.batch_size)
    job_ids = []
    for start in range(0, len(source_ids), size):
        batch = list(source_ids[start : start + size])
        # Stable for this claim: the same batch claimed at the same moment gets the same id.
        digest = hashlib.sha1("\0".join(batch).encode(), usedforsecurity=False).hexdigest()[:12]
        job = queue.enqueue(
            "workers.jobs.refresh_batch",
            batch,
            job_id=f"refresh-{int(time.time())}-{digest}",
            job_timeout=_job_timeout(config, len(batch)),
            retry=Retry(max=2),
            result_ttl=300,
            failure_ttl=7 * 24 * 3600,
            description=f"refresh {len(batch)} source(s): {', '.join(batch[:3])}"
            + ("…" if len(batch) > 3 else ""),
        )
        job_ids.append(job.id)
    return job_ids


ANNOUNCE_SECONDS = 5.0  # how often the scheduler looks for changed feeds to announce


def announce(store: Store, queue: Queue, config: Config, now: float | None = None) -> str | None:
    """Enqueue a WebSub ping of the feeds that changed (aggregator.websub); the job's id, or
    None when none did (or no hub is configured)."""
    topics = websub.due(store, config, now)
    if not topics:
        return None
    job = queue.enqueue(
        "workers.jobs.notify_hub",
        config.site.hub,
        topics,
        job_timeout=int(websub.TIMEOUT_SECONDS * len(topics) + 30),
        result_ttl=3600,
        failure_ttl=7 * 24 * 3600,
        description=f"tell the WebSub hub that {len(topics)} feed(s) changed",
    )
    return job.id


def tick(store: Store, queue: Queue, config: Config, now: float | None = None) -> list[str]:
    """Claim what is due and enqueue it, unless the queue is already backed up."""
    now = time.time() if now is None else now
    # Backpressure: with the workers behind, claiming more would only queue duplicate work
    # whose leases run out before it starts. Due sources wait in the schedule instead.
    target_jobs = max(4, 2 * Worker.count(connection=store.redis))
    room = config.fetch.batch_size * max(0, target_jobs - queue.count)
    if room == 0:
        return []
    ids = store.claim_due(now, config.fetch.lease, room)
    if not ids:
        return []
    metrics.ENQUEUED.inc(len(ids))
    return enqueue(queue, config, ids)


def run(
    store: Store,
    config_path: str | Path,
    *,
    interval: float = 1.0,
    stop: threading.Event | None = None,
) -> None:
    """The scheduler loop: watch the config, claim due sources, enqueue, until `stop` is set."""
    stop = stop or threading.Event()
    waiting_since: float | None = None  # when start-up met Redis away, while it is
    while True:
        try:
            config, problems, said = _start(store, config_path)
            break
        except (RedisConnectionError, RedisTimeoutError) as e:
            # Started while Redis is down or refuses writes (MISCONF: a full disk): an outage
            # to wait out as one that comes later is; exiting (status 3) over and over made
            # `run` give up on the scheduler.
            if waiting_since is None:
                waiting_since = time.monotonic()
                log.error(
                    "Redis does not answer or refuses writes; the scheduler starts once it"
                    " does, trying again every %gs: %s",
                    max(interval, 1.0),
                    e,
                )
        if stop.wait(max(interval, 1.0)):
            return
    if waiting_since is not None:
        log.warning(
            "Redis answers again; the scheduler starts",
            extra={"fields": {"down_seconds": round(time.monotonic() - waiting_since, 1)}},
        )
    watcher = ConfigWatcher(config_path, config)
    if problems:
        watcher.started_invalid(problems)
    edits = watcher.edits
    queue = Queue(QUEUE_NAME, connection=store.redis)
    log.info("scheduler started", extra={"fields": {"sources": len(config.sources)}})
    down_since: float | None = None  # when Redis stopped answering, while it does not
    next_sweep = time.monotonic() + 60.0  # the first max-age sweep, once things have started
    next_announce = time.monotonic()  # when to look for feeds to announce to the WebSub hub
    while not stop.is_set():
        try:
            if down_since is not None:
                # Publish again: a server that came back without its data (no AOF) has lost
                # the config and the schedule. Both writes are idempotent otherwise.
                publish(store, config)
                if not watcher.problems:
                    said = note_warnings(store, config, said)
                log.warning(
                    "Redis answers again; scheduling resumes",
                    extra={"fields": {"down_seconds": round(time.monotonic() - down_since, 1)}},
                )
                down_since = None
            changed = watcher.poll()
            if changed is not None:
                config = changed
                publish(store, config)
            if changed is not None or watcher.edits != edits:  # (a comment moves their lines)
                edits = watcher.edits
                said = note_warnings(store, config, said)
            if watcher.problems != problems:  # shown in the admin pages and /metrics
                problems = watcher.problems
                store.set_config_problems(str(config_path), problems)
            purge_removed(store, {s.id for s in config.sources}, PURGE_SECONDS_PER_TICK)
            if time.monotonic() >= next_sweep:
                next_sweep = time.monotonic() + AGE_SWEEP_SECONDS
                age_out(store, config)
            jobs = tick(store, queue, config)
            if config.site.hub and time.monotonic() >= next_announce:
                next_announce = time.monotonic() + ANNOUNCE_SECONDS
                announce(store, queue, config)
            store.heartbeat("scheduler", datetime.now(UTC))
            # While sources are due, come back soon rather than in a full interval: also when
            # the queue was full (backpressure), or the workers drain it and then wait for the
            # next tick. At 10,000 sources a minute the queue (two jobs per worker) lasts well
            # under a second, so a 1 s wait left them idle (docs/benchmarks.md, "Scale").
            busy = bool(jobs) or store.scheduler_lag(time.time()) > 0
        except (RedisConnectionError, RedisTimeoutError) as e:
            # The client has already retried for several seconds. Redis being down is an outage
            # to wait out, not a reason to exit: a scheduler that exits stops all polling until
            # something restarts it, and under a plain Procfile runner nothing does.
            if down_since is None:
                down_since = time.monotonic()
                log.error("Redis does not answer; retrying every %gs: %s", interval, e)
            busy = False
        stop.wait(0.1 if busy else interval)
    log.info("scheduler stopped")


def _start(store: Store, config_path: str | Path) -> tuple[Config, list[str], set[str]]:
    """Load the config (or, with the file broken, the last published one) and publish it;
    returns it, the file's problems and the warnings logged (note_warnings)."""
    problems: list[str] = []
    try:
        config = config_module.load_config(config_path)
        if not config.sources and not config.categories and _published_sources(store):
            # As the watcher reads an emptied file while running (a failed write, not a wish
            # to remove every source and all they stored).
            raise ConfigError([_EMPTIED])
        if (published_now := store.published_config()) is not None:
            # An edit made while the service was stopped: as the watcher checks a running one.
            text = Path(config.path).read_text(encoding="utf-8", errors="replace")
            config_module.check_losses(config_module.loads(published_now[1]), config, text)
    except ConfigError as error:
        published = store.published_config()
        if published is None:
            raise
        # Restarted on a file an edit broke: the last good config goes on, as it did before.
        config = config_module.loads(published[1])
        problems = error.located
        log.error(
            "config file is invalid; running on the last published config",
            extra={"fields": {"path": str(config_path), "problems": error.located}},
        )
    publish(store, config)
    store.set_config_problems(str(config_path), problems)
    said: set[str] = set()  # the warnings logged (note_warnings)
    if not problems:  # else the file is not the config in force: its lines are not this one's
        said = note_warnings(store, config)
    return config, problems, said
