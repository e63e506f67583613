"""When to check a source next: pure arithmetic, values in and values out (docs/architecture.md).

After a success the delay is the longest of what we configured and what the source asked for
(`<ttl>`, Cache-Control max-age, Expires, Retry-After), clamped to [min_interval, max_interval].
After errors it grows exponentially from the source's interval up to a cap, and a source is
never given up: it is only checked less often (miniflux/v2#1893 is what "give up" costs).
Both get random jitter so sources configured together do not stay in lockstep.

    next_due(now, ...)          a Unix time, for the scheduler's sorted set
     ├── next_interval(...)     after a success
     ├── backoff(...)           after the n-th error in a row
     └── with_jitter(...)
    cache_hints(headers, now)   (max_age, expires_in, retry_after) from a response's headers
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from aggregator.config import FetchConfig

# RFC 9111 §1.2.2: a delta-seconds larger than this is treated as this.
_MAX_DELTA_SECONDS = 2**31
_DELTA_SECONDS = re.compile(r"[0-9]+")


def next_interval(
    *,
    interval: float,
    ttl: float | None,
    max_age: float | None,
    expires_in: float | None,
    retry_after: float | None,
    min_interval: float,
    max_interval: float,
) -> float:
    """Seconds until the next check after a success: the longest wish, within [min, max]."""
    wishes = [interval, *(v for v in (ttl, max_age, expires_in, retry_after) if v is not None)]
    longest = max((v for v in wishes if math.isfinite(v)), default=min_interval)
    return min(max(longest, min_interval), max_interval)


def cache_hints(
    headers: Mapping[str, str], now: datetime
) -> tuple[float | None, float | None, float | None]:
    """(max_age, expires_in, retry_after) in seconds from response headers; None where absent.

    Cache-Control no-store/no-cache cancel max-age and Expires; a valid max-age makes Expires
    ignored (RFC 9111 §5.3). Expires and an HTTP-date Retry-After are measured from the response's
    Date when it has a valid one (that cancels clock skew), else from `now`. An Expires that is
    not a valid date means "already expired" (RFC 9111 §5.3), i.e. 0. Garbage never raises.
    """
    lower = {name.lower(): value for name, value in headers.items()}
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    reference = _http_date(lower.get("date", "")) or now

    max_age: float | None = None
    no_cache = False
    for directive in lower.get("cache-control", "").split(","):
        name, _, value = directive.partition("=")
        name = name.strip().lower()
        if name in ("no-store", "no-cache"):
            no_cache = True
        elif name == "max-age" and max_age is None:
            max_age = _delta_seconds(value)

    expires_in: float | None = None
    if not no_cache and max_age is None and "expires" in lower:
        expires = _http_date(lower["expires"])
        expires_in = 0.0 if expires is None else max(0.0, (expires - reference).total_seconds())

    retry_after: float | None = None
    if "retry-after" in lower:
        value = lower["retry-after"]
        retry_after = _delta_seconds(value)
        if retry_after is None:
            when = _http_date(value)
            if when is not None:
                retry_after = max(0.0, (when - reference).total_seconds())

    return (None if no_cache else max_age), expires_in, retry_after


def backoff(errors: int, *, base: float, cap: float, retry_after: float | None = None) -> float:
    """Seconds to wait after `errors` (>= 1) failures in a row: base * 2**(errors-1), at most cap.

    A larger `retry_after` wins, still within `cap`: the cap is what keeps a source from being
    stopped by a server that asks us to come back in ten years.
    """
    if errors < 1:
        raise ValueError(f"backoff needs at least one error, got {errors}")
    # The exponent is bounded so a source failing for years does not overflow a float.
    delay = base * 2.0 ** min(errors - 1, 64)
    if retry_after is not None and math.isfinite(retry_after):
        delay = max(delay, retry_after)
    return min(delay, cap)


def with_jitter(delay: float, fraction: float, rng: random.Random) -> float:
    """`delay` plus a random share of up to `fraction` of it."""
    return delay + rng.random() * max(fraction, 0.0) * delay


def next_due(
    now: float,
    *,
    fetch: FetchConfig,
    interval: float,
    rng: random.Random,
    errors: int = 0,
    ttl: float | None = None,
    max_age: float | None = None,
    expires_in: float | None = None,
    retry_after: float | None = None,
) -> float:
    """Unix time of a source's next check, after a success (`errors` == 0) or its n-th error.

    `interval` is the source's own. After an error only `retry_after` counts among the hints,
    and the backoff starts at the interval and is capped at the larger of fetch.max_backoff and
    the interval, so a failing source is never checked more often than a healthy one.
    """
    if errors == 0:
        delay = next_interval(
            interval=interval,
            ttl=ttl,
            max_age=max_age,
            expires_in=expires_in,
            retry_after=retry_after,
            min_interval=fetch.min_interval,
            max_interval=fetch.max_interval,
        )
    else:
        cap = max(fetch.max_backoff, interval)
        delay = backoff(errors, base=interval, cap=cap, retry_after=retry_after)
    return now + with_jitter(delay, fetch.jitter, rng)


def _delta_seconds(value: str) -> float | None:
    """Whole seconds in `value` ("120", '"120"'), capped; None if it is not that."""
    text = value.strip().strip('"').strip()
    if not _DELTA_SECONDS.fullmatch(text):
        return None
    # Long digit strings would hit Python's int-parsing limit; they all mean "a very long time".
    if len(text) > 10:
        return float(_MAX_DELTA_SECONDS)
    return float(min(int(text), _MAX_DELTA_SECONDS))


def _http_date(value: str) -> datetime | None:
    """An HTTP date as an aware UTC datetime, or None when it is not one."""
    if not value or not value.strip():
        return None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when
