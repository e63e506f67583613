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


def refresh_now(store: Store, source_id: str, now: datetime) -> str:
    """Make the source due now (a paused one too: fetched once, and still paused)."""
    store.schedule(source_id, now.timestamp())
    return "due now: a worker fetches it in a moment"


def set_paused(store: Store, source_id: str, paused: bool, now: datetime) -> str:
    """Pause (taken off the schedule) or resume (due now) a source. One already so is left as
    it is: resuming a source that runs must not fetch it behind the operator's back."""
    read = store.get_state(source_id)
    if read.paused == paused:
        return f"{'already' if paused else 'not'} paused; nothing changed"
    state = replace(read, paused=paused)
    if not paused:
        state = replace(state, next_due=now)
    store.save_state(state, read_with=read.entry_marks)  # (a refresh may save meanwhile)
    return "paused: off the schedule until resumed" if paused else "resumed: due now"


def reset_backoff(store: Store, source_id: str, now: datetime) -> str:
    """Forget the source's errors (and that it was gone) and any redirect it adopted (the
    configured URL is fetched again), and make it due now, unless it is paused."""
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
    forgotten = "errors, gone mark and adopted redirect forgotten"
    return (
        f"{forgotten}; still paused: not fetched until resumed"
        if read.paused
        else f"{forgotten}; due now"
    )


def act(store: Store, source_id: str, action: Action, now: datetime) -> str:
    """Do `action` to the source; say what came of it (after the source's id)."""
    if action == "refresh":
        return refresh_now(store, source_id, now)
    if action in ("pause", "resume"):
        return set_paused(store, source_id, action == "pause", now)
    return reset_backoff(store, source_id, now)
