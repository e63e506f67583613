"""The exception tree. Library errors are wrapped into these where they enter our code.

    AggregatorError
     ├── ConfigError          the operator's config file is wrong (lists every problem)
     ├── SettingError         an environment variable is wrong (ADMIN_TOKEN too short)
     └── SourceError          a source failed; recorded on the source, never crashes a job
          ├── FetchError      HTTP, network, size, time and address-policy failures
          └── ParseError      the body is not a feed we can read

A `SourceError` carries the `Outcome` it maps to and a message an operator can act on.
Anything else that escapes a refresh is a bug and propagates, so RQ keeps it in its failed registry.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence

from aggregator.models import Outcome


class AggregatorError(Exception):
    """Base of every error this package raises on purpose."""


class ConfigError(AggregatorError):
    """The configuration is invalid. `problems` holds one 'place: what is wrong' line each."""

    SHOWN = 30  # a renamed key in a 10,000-source file is 10,000 lines of the same mistake

    def __init__(
        self, problems: list[str], path: str = "", lines: Sequence[int | None] = ()
    ) -> None:
        self.problems = problems
        self.path = path
        # Each problem with the line of the file it is on, when known ("line 16: sources[1]…"):
        # what the operator reads (the message, the log, the admin page).
        self.located = [
            f"line {lines[i]}: {problem}" if i < len(lines) and lines[i] else problem
            for i, problem in enumerate(problems)
        ]
        where = f" in {path}" if path else ""
        lines_shown = [f"  - {p}" for p in self.located[: self.SHOWN]]
        if len(problems) > self.SHOWN:
            lines_shown.append(
                f"  … and {len(problems) - self.SHOWN} more (often the same mistake repeated:"
                " fix these and load again)"
            )
        super().__init__(f"{len(problems)} problem(s){where}:\n" + "\n".join(lines_shown))


class SettingError(AggregatorError):
    """An environment variable's value is wrong: its message names the variable (no file)."""


class SettingExit(SystemExit):
    """SettingError where a process stops before any caller could catch one (LOG_LEVEL,
    REDIS_URL, a heartbeat): its code is the message, and `aggregator` exits 2 with it, as for
    a wrong argument. It exited 1, what `sources --failing` answers when sources fail."""


def seconds_setting(name: str, default: float, low: float, high: float) -> float:
    """The environment variable `name` as seconds from `low` to `high`, `default` when it is
    unset; a ValueError naming it and the range when it is anything else."""
    raw = os.environ.get(name, "").strip() or f"{default:g}"
    try:
        seconds = float(raw)
    except ValueError:
        seconds = math.nan
    if not low <= seconds <= high:
        raise ValueError(f"{name}={raw!r} is not a number of seconds from {low:g} to {high:g}")
    return seconds


# A message about a source is at most this long: it quotes what the source sent (a redirect
# loop's every URL: 60 KB Location headers made a 180,000-character error, kept in 50 history
# records and printed whole on the public /sources page).
MAX_MESSAGE_CHARS = 1000


def join_warnings(*warnings: str | None) -> str | None:
    """Warnings as one text of sentences, each ending in a full stop (or its own "!", "?" or
    "…"), or None without any: what the fetch, the parser and the refresh each warned of."""
    present = [w if w.endswith((".", "!", "?", "…")) else f"{w}." for w in warnings if w]
    return " ".join(present) or None


def bounded(message: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    """`message`, or its start and its end when it is longer than `limit` (its end says most),
    cut between words: a URL cut in two loses the scheme that tells the public pages' redaction
    it is one, and its tail's credentials were shown (redact.public_error)."""
    if len(message) <= limit:
        return message
    half = (limit - 5) // 2
    head, tail = message[:half], message[-half:]
    if not message[half].isspace():
        head = head.rpartition(" ")[0]
    if not message[-half - 1].isspace():
        tail = tail.partition(" ")[2]
    return f"{head} […] {tail}".strip()


class SourceError(AggregatorError):
    """A source could not be refreshed. The message is shown to operators (bounded)."""

    outcome: Outcome = Outcome.CONNECTION_ERROR

    def __init__(
        self,
        message: str,
        *,
        outcome: Outcome | None = None,
        http_status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        message = bounded(message)
        super().__init__(message)
        self.message = message
        if outcome is not None:
            self.outcome = outcome
        self.http_status = http_status
        self.retry_after = retry_after  # seconds, from a Retry-After header


class FetchError(SourceError):
    """The fetch failed: network, timeout, size cap, HTTP error status, or address policy."""


class ParseError(SourceError):
    """The body is not a feed (or not one we can read)."""

    outcome = Outcome.PARSE_ERROR
