"""Scheduling arithmetic: intervals, cache hints, backoff, jitter; `now` is passed in."""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from aggregator.config import FetchConfig
from aggregator.schedule import backoff, cache_hints, next_due, next_interval, with_jitter

NOW = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)
MINUTE = 60.0
HOUR = 3600.0


def http_date(when: datetime) -> str:
    return format_datetime(when, usegmt=True)


def interval_of(**hints: float | None) -> float:
    values: dict[str, float | None] = {
        "ttl": None,
        "max_age": None,
        "expires_in": None,
        "retry_after": None,
    }
    values.update(hints)
    return next_interval(
        interval=15 * MINUTE, min_interval=5 * MINUTE, max_interval=24 * HOUR, **values
    )


# --- next_interval ----------------------------------------------------------------------------


def test_next_interval_takes_the_longest_wish_within_the_limits() -> None:
    assert interval_of() == 15 * MINUTE
    assert interval_of(ttl=HOUR) == HOUR
    assert interval_of(max_age=10.0) == 15 * MINUTE  # shorter wishes do not speed us up
    assert interval_of(ttl=HOUR, max_age=2 * HOUR, expires_in=30 * MINUTE) == 2 * HOUR
    assert interval_of(retry_after=3 * HOUR) == 3 * HOUR
    assert interval_of(ttl=7 * 24 * HOUR) == 24 * HOUR  # clamped to max
    assert interval_of(expires_in=math.nan, ttl=math.inf) == 15 * MINUTE  # nonsense is ignored
    low = next_interval(
        interval=MINUTE,
        ttl=None,
        max_age=None,
        expires_in=None,
        retry_after=None,
        min_interval=5 * MINUTE,
        max_interval=HOUR,
    )
    assert low == 5 * MINUTE  # clamped to min


def test_next_interval_property() -> None:
    rng = random.Random(1)
    for _ in range(2000):
        lo = rng.uniform(1, 1000)
        hi = lo + rng.uniform(0, 100_000)
        interval = rng.uniform(1, 200_000)
        hints = [rng.choice([None, rng.uniform(0, 500_000)]) for _ in range(4)]
        result = next_interval(
            interval=interval,
            ttl=hints[0],
            max_age=hints[1],
            expires_in=hints[2],
            retry_after=hints[3],
            min_interval=lo,
            max_interval=hi,
        )
        longest = max([interval, *(h for h in hints if h is not None)])
        assert lo <= result <= hi
        assert result == min(max(longest, lo), hi)


# --- cache_hints ------------------------------------------------------------------------------


def test_cache_control_max_age() -> None:
    assert cache_hints({"cache-control": "max-age=600"}, NOW) == (600.0, None, None)
    assert cache_hints({"Cache-Control": 'public, MAX-AGE="300"'}, NOW) == (300.0, None, None)
    assert cache_hints({"cache-control": "s-maxage=900"}, NOW) == (None, None, None)
    assert cache_hints({"cache-control": "max-age=ten"}, NOW) == (None, None, None)
    assert cache_hints({"cache-control": "max-age=-5"}, NOW) == (None, None, None)
    assert cache_hints({"cache-control": "max-age=" + "9" * 5000}, NOW) == (2.0**31, None, None)


@pytest.mark.parametrize("directive", ["no-cache", "no-store", "No-Store", 'no-cache="set-cookie"'])
def test_no_cache_and_no_store_cancel_max_age_and_expires(directive: str) -> None:
    headers = {
        "cache-control": f"max-age=600, {directive}",
        "expires": http_date(NOW + timedelta(hours=2)),
        "date": http_date(NOW),
    }
    assert cache_hints(headers, NOW) == (None, None, None)


def test_expires_is_measured_from_the_date_header() -> None:
    server_now = NOW - timedelta(minutes=7)  # a server whose clock is 7 minutes behind ours
    headers = {
        "date": http_date(server_now),
        "expires": http_date(server_now + timedelta(hours=1)),
    }
    assert cache_hints(headers, NOW) == (None, HOUR, None)


def test_expires_without_date_is_measured_from_now() -> None:
    headers = {"Expires": http_date(NOW + timedelta(minutes=45))}
    assert cache_hints(headers, NOW) == (None, 45 * MINUTE, None)
    headers["Date"] = "not a date"
    assert cache_hints(headers, NOW) == (None, 45 * MINUTE, None)


def test_expired_or_invalid_expires_means_zero() -> None:
    assert cache_hints({"expires": http_date(NOW - timedelta(days=1))}, NOW) == (None, 0.0, None)
    assert cache_hints({"expires": "0"}, NOW) == (None, 0.0, None)
    assert cache_hints({"expires": "Thu, 99 Foo 2024"}, NOW) == (None, 0.0, None)


def test_max_age_wins_over_expires() -> None:
    headers = {
        "cache-control": "max-age=60",
        "expires": http_date(NOW + timedelta(hours=5)),
    }
    assert cache_hints(headers, NOW) == (60.0, None, None)


def test_retry_after_seconds_and_date() -> None:
    assert cache_hints({"retry-after": "120"}, NOW) == (None, None, 120.0)
    assert cache_hints({"Retry-After": " 3600 "}, NOW) == (None, None, HOUR)
    later = http_date(NOW + timedelta(minutes=30))
    assert cache_hints({"retry-after": later}, NOW) == (None, None, 30 * MINUTE)
    past = http_date(NOW - timedelta(minutes=30))
    assert cache_hints({"retry-after": past}, NOW) == (None, None, 0.0)
    assert cache_hints({"retry-after": "soon"}, NOW) == (None, None, None)
    assert cache_hints({"retry-after": "-10"}, NOW) == (None, None, None)
    # Still given with no-cache: it is about when to come back, not about caching.
    assert cache_hints({"retry-after": "99", "cache-control": "no-store"}, NOW) == (
        None,
        None,
        99.0,
    )


def test_retry_after_date_uses_the_date_header() -> None:
    server_now = NOW + timedelta(hours=3)  # skewed clock
    headers = {
        "date": http_date(server_now),
        "retry-after": http_date(server_now + timedelta(minutes=10)),
    }
    assert cache_hints(headers, NOW) == (None, None, 10 * MINUTE)


def test_naive_now_is_taken_as_utc() -> None:
    headers = {"expires": http_date(NOW + timedelta(minutes=5))}
    assert cache_hints(headers, NOW.replace(tzinfo=None)) == (None, 5 * MINUTE, None)


def test_cache_hints_never_raise_on_garbage() -> None:
    rng = random.Random(7)
    pieces = [
        "max-age",
        "=",
        ",",
        '"',
        "no-cache",
        " ",
        "9" * 30,
        "-",
        "Thu, 01 Jan 1970",
        "GMT",
        "+9999",
        "Feb 30",
        "\x00",
        "é",
        "٣",
        "99999 00:00:00",
        "inf",
        "nan",
        ";",
    ]
    for _ in range(3000):
        headers = {
            name: "".join(rng.choice(pieces) for _ in range(rng.randint(0, 8)))
            for name in ("cache-control", "expires", "retry-after", "date")
            if rng.random() < 0.8
        }
        hints = cache_hints(headers, NOW)
        for hint in hints:
            assert hint is None or (math.isfinite(hint) and hint >= 0), (headers, hints)


# --- backoff and jitter -----------------------------------------------------------------------


def test_backoff_doubles_up_to_the_cap() -> None:
    delays = [backoff(n, base=60.0, cap=3600.0) for n in range(1, 12)]
    assert delays[:6] == [60.0, 120.0, 240.0, 480.0, 960.0, 1920.0]
    assert delays[6:] == [3600.0] * 5


def test_backoff_never_gives_up_and_never_overflows() -> None:
    for errors in (100, 1025, 10**6, 10**12):
        assert backoff(errors, base=900.0, cap=6 * HOUR) == 6 * HOUR
    previous = 0.0
    for errors in range(1, 500):
        delay = backoff(errors, base=300.0, cap=6 * HOUR)
        assert previous <= delay <= 6 * HOUR
        assert delay > 0
        previous = delay


def test_backoff_honours_a_longer_retry_after_within_the_cap() -> None:
    assert backoff(1, base=60.0, cap=HOUR, retry_after=600.0) == 600.0
    assert backoff(5, base=60.0, cap=HOUR, retry_after=10.0) == 960.0
    assert backoff(1, base=60.0, cap=HOUR, retry_after=10 * 365 * 24 * HOUR) == HOUR


def test_backoff_needs_an_error() -> None:
    with pytest.raises(ValueError, match="at least one error"):
        backoff(0, base=60.0, cap=HOUR)


def test_with_jitter_adds_up_to_the_fraction() -> None:
    rng = random.Random(3)
    delays = [with_jitter(1000.0, 0.1, rng) for _ in range(2000)]
    assert all(1000.0 <= d <= 1100.0 for d in delays)
    assert min(delays) < 1010.0
    assert max(delays) > 1090.0  # it really spreads
    assert len(set(delays)) > 1900
    assert with_jitter(1000.0, 0.0, rng) == 1000.0
    assert with_jitter(1000.0, 0.1, random.Random(5)) == with_jitter(1000.0, 0.1, random.Random(5))


# --- next_due ---------------------------------------------------------------------------------

FETCH = FetchConfig(
    interval=15 * MINUTE,
    min_interval=5 * MINUTE,
    max_interval=24 * HOUR,
    jitter=0.1,
    max_backoff=6 * HOUR,
)


def test_next_due_after_success() -> None:
    rng = random.Random(11)
    now = 1_700_000_000.0
    for _ in range(500):
        due = next_due(now, fetch=FETCH, interval=15 * MINUTE, rng=rng)
        assert now + 15 * MINUTE <= due <= now + 15 * MINUTE * 1.1
        due = next_due(now, fetch=FETCH, interval=15 * MINUTE, rng=rng, ttl=2 * HOUR)
        assert now + 2 * HOUR <= due <= now + 2 * HOUR * 1.1
        due = next_due(now, fetch=FETCH, interval=15 * MINUTE, rng=rng, max_age=30 * 24 * HOUR)
        assert now + 24 * HOUR <= due <= now + 24 * HOUR * 1.1


def test_next_due_after_errors_backs_off_but_never_stops() -> None:
    no_jitter = FetchConfig(jitter=0.0, max_backoff=6 * HOUR)
    rng = random.Random(0)
    now = 0.0
    delays = [
        next_due(now, fetch=no_jitter, interval=15 * MINUTE, rng=rng, errors=n) - now
        for n in range(1, 30)
    ]
    assert delays[:5] == [15 * MINUTE, 30 * MINUTE, HOUR, 2 * HOUR, 4 * HOUR]
    assert delays[5:] == [6 * HOUR] * 24
    # A failing source is never checked more often than a healthy one.
    slow = next_due(now, fetch=no_jitter, interval=12 * HOUR, rng=rng, errors=1)
    assert slow == 12 * HOUR
    # Retry-After is honoured on errors; cache hints from an error response are not.
    assert (
        next_due(now, fetch=no_jitter, interval=15 * MINUTE, rng=rng, errors=1, retry_after=HOUR)
        == HOUR
    )
    assert (
        next_due(now, fetch=no_jitter, interval=15 * MINUTE, rng=rng, errors=1, max_age=5 * HOUR)
        == 15 * MINUTE
    )


def test_next_due_with_cache_hints_end_to_end() -> None:
    headers = {
        "Date": http_date(NOW),
        "Cache-Control": "public, max-age=3600",
        "Retry-After": "30",
    }
    max_age, expires_in, retry_after = cache_hints(headers, NOW)
    no_jitter = FetchConfig(jitter=0.0)
    due = next_due(
        NOW.timestamp(),
        fetch=no_jitter,
        interval=15 * MINUTE,
        rng=random.Random(0),
        ttl=None,
        max_age=max_age,
        expires_in=expires_in,
        retry_after=retry_after,
    )
    assert due == NOW.timestamp() + HOUR
