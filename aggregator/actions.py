"""What an operator does to one source, from the admin pages or the command line.

Each only moves the source's state or its due time in Redis: the scheduler hands a due source
to a worker within a tick. Neither the web nor the CLI enqueues a job for them.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Literal

from aggregator.store import Store

Action = Literal["refresh", "pause", "resume", "reset"]


def refresh_now(store: Store, source_id: str, now: datetime) -> None:
    """Make the source due now."""
    store.schedule(source_id, now.timestamp())


def set_paused(store: Store, source_id: str, paused: bool, now: datetime) -> None:
    """Pause (taken off the schedule) or resume (due now) a source."""
    read = store.get_state(source_id)
    state = replace(read, paused=paused)
    if not paused:
        state = replace(state, next_due=now)
    store.save_state(state, read_with=read.entry_marks)  # (a refresh may save meanwhile)


def reset_backoff(store: Store, source_id: str, now: datetime) -> None:
    """Forget the source's errors (and that it was gone) and any redirect it adopted (the
    configured URL is fetched again), and make it due now."""
    read = store.get_state(source_id)
    state = replace(
        read,
        consecutive_errors=0,
        gone=False,
        next_due=now,
        adopted_url=None,
        adopted_for=None,
        redirect_url=None,
        redirect_count=0,
    )
    store.save_state(state, read_with=read.entry_marks)


def act(store: Store, source_id: str, action: Action, now: datetime) -> None:
    """Do `action` to the source."""
    if action == "refresh":
        refresh_now(store, source_id, now)
    elif action in ("pause", "resume"):
        set_paused(store, source_id, action == "pause", now)
    else:
        reset_backoff(store, source_id, now)
