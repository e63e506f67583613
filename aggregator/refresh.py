"""One refresh of one source, top to bottom: load → fetch → parse → normalize → save → reschedule.

This is the only place that strings the pipeline stages together. Jobs (`workers.jobs`) and
`aggregator refresh --inline` both call `refresh_source`; neither adds steps of its own.
"""

from __future__ import annotations

import hashlib
import heapq
import logging
import math
import random
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Collection, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from functools import partial
from urllib.parse import urlsplit

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rq.timeouts import BaseTimeoutException

from aggregator import boilerplate, fulltext, junk, metrics, schedule, stories
from aggregator.config import Config, SourceConfig, article_settings
from aggregator.errors import ParseError, SourceError, bounded, join_warnings
from aggregator.fetch import Fetcher
from aggregator.language import written_in
from aggregator.models import Article, FetchResult, Observed, Outcome, RefreshResult, SourceState
from aggregator.normalize import (
    Report,
    as_configured,
    feed_site,
    held_ids,
    language_tag,
    newest,
    normalize,
    relearned,
    show_artwork,
)
from aggregator.parse import parse
from aggregator.redact import INTERNAL_ERROR, public_text, public_url
from aggregator.store import Counting, FetchRecord, LeaseLost, Store

log = logging.getLogger("aggregator.refresh")


class Lane:
    """Turns at parsing and cleaning for the refreshes of one batch, which fetch concurrently.

    A process runs one thread of Python at a time. Refreshes parsing and cleaning side by side
    only take turns at that lock every few milliseconds, and cost more than one after the other
    (docs/benchmarks.md, "twelfth session"). So a refresh that got a changed feed holds the lane
    while it parses and cleans it: CPU work, most of a big feed's refresh. Its Redis calls (the
    save, the stories) and its full-text pages are outside, side by side with the others': with
    them inside, many small feeds' refreshes waited in turn for each other's round trips.

    A refresh that met Redis gone (`note`) stops the batch's others at once: at their turn, or
    before they begin (each would otherwise wait out the client's retries).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._redis_gone: RedisConnectionError | RedisTimeoutError | None = None

    def __enter__(self) -> None:
        self._lock.acquire()
        if self._redis_gone is not None:
            self._lock.release()
            self.check()

    def __exit__(self, *exc: object) -> None:
        self._lock.release()

    def note(self, error: Exception) -> None:
        """What a refresh of the batch stopped on: Redis gone stops the others (`check`)."""
        if isinstance(error, RedisConnectionError | RedisTimeoutError):
            self._redis_gone = error

    def check(self) -> None:
        """Raise at once when a refresh of this batch met Redis gone."""
        if self._redis_gone is not None:
            raise RedisConnectionError(f"Redis went away during this batch: {self._redis_gone}")


# Parts of a feed that change on every request without the content changing (docs/architecture.md,
# "Conditional GET"): the channel's build date, the feed-level <updated> before the first entry,
# and comments that carry generation times. Hashing the body without them lets an unchanged feed
# skip parsing.
_VOLATILE = re.compile(rb"<lastBuildDate>[^<]*</lastBuildDate>|<pubDate>[^<]*</pubDate>")
_FIRST_ENTRY = re.compile(rb"<entry[\s>]|<item[\s>]")
_FEED_UPDATED = re.compile(rb"<updated>[^<]*</updated>")


def body_fingerprint(body: bytes, salt: bytes = b"") -> str:
    """Hash of the body with volatile, content-free parts removed."""
    head_end = _FIRST_ENTRY.search(body)
    cut = head_end.start() if head_end else len(body)
    head = _FEED_UPDATED.sub(b"", _without_comments(body[:cut]))
    # Item pubDates are content: only the channel-level one (in the head) is volatile.
    head = _VOLATILE.sub(b"", head)
    return hashlib.sha256(salt + head + _without_comments(body[cut:])).hexdigest()


def _without_comments(data: bytes) -> bytes:
    """`data` without its <!-- comments -->; one left open stays, with what follows it.

    (What re.sub(rb"<!--.*?-->", b"", data) gives, in linear time: that pattern scans to the
    end from every "<!--" when none is closed, 49 s for a 160 KB body of them.)
    """
    parts = []
    position = 0
    while (start := data.find(b"<!--", position)) != -1:
        end = data.find(b"-->", start + 4)
        if end == -1:
            break
        parts.append(data[position:start])
        position = end + 3
    parts.append(data[position:])
    return b"".join(parts)


def refresh_source(
    source: SourceConfig,
    config: Config,
    store: Store,
    fetcher: Fetcher,
    *,
    now: datetime | None = None,
    rng: random.Random | None = None,
    state: SourceState | None = None,
    lane: Lane | None = None,
    learned: frozenset[str] | None = None,
    lease: str | None = None,
) -> RefreshResult:
    """Refresh one source and record its outcome. Source failures are recorded, never raised.

    `state`: the source's stored state when the caller already read it (a batch reads all of
    its sources' states in one round trip); `learned`: its learned junk, likewise (a batch
    reads its new sources', which parse whatever their feeds send, in one round trip). `lane`:
    the one the refreshes of a batch take turns in, when they run side by side; without one,
    nothing is waited for. `lease`: the token of the claim this refresh runs under
    (`Store.claim_due_leases`): when the source was claimed again since (this worker was stopped
    past its lease), its saves are dropped and LeaseLost is raised, never recorded as its error.
    """
    turn: AbstractContextManager[object] = lane if lane is not None else nullcontext()
    now = now or datetime.now(UTC)
    rng = rng or random.Random()  # noqa: S311 - jitter, not security
    started = time.monotonic()
    state = before = state if state is not None else store.get_state(source.id)
    if state.adopted_url and state.adopted_for not in (None, source.url):
        # The operator edited the URL since a redirect was adopted: theirs wins.
        state = replace(state, adopted_url=None, adopted_for=None, redirect_url=None)
    url = state.adopted_url or source.url
    shown_url = public_url(url, config.serve.secret_parameters)  # for the log line
    fetch_seconds: float | None = None
    fetch_started = time.monotonic()
    extra: dict[str, str] = {}  # which parser read the body, for the log line

    # The settings its articles are made with, for the state and the body's fingerprint.
    described = repr(article_settings(source)).encode()
    settings = hashlib.sha256(described).hexdigest()[:16]
    # A state saved before hashed every setting: the same settings still, if that hash is ours.
    everything = repr(source).encode()
    unedited = (None, settings, hashlib.sha256(everything).hexdigest()[:16])
    # Edited since its articles were made (a legacy state that never said counts as not), or
    # article pages still to fetch: the whole feed again, since a 304 would leave them as they are.
    conditional = state.settings in unedited and not state.pages_pending
    try:
        result = fetcher.fetch(
            url,
            etag=state.etag if conditional else None,
            last_modified=state.last_modified if conditional else None,
            allow_private=source.allow_private_networks,
        )
        fetch_seconds = time.monotonic() - fetch_started
        state = _after_fetch(state, result, config, source)
        # The source's settings are part of the fingerprint: an edited filter or category
        # must take effect on the next refresh even when the feed itself is unchanged. So is
        # what the fetch warned of (a gzip checksum), which is of this transfer, not of the
        # document: the same feed sent rightly since is read again, and loses the warning.
        body = result.body
        salt = described + (result.warning or "").encode()
        fingerprint = body_fingerprint(body, salt) if body is not None else None
        if (
            body is not None
            and state.settings == unedited[2]
            and state.body_hash == body_fingerprint(body, everything)
        ):
            # The body a state saved before read (salted with every setting): unchanged, and
            # now kept as this release salts it, so an upgrade reads no unchanged feed again.
            state = replace(state, settings=settings, body_hash=fingerprint)
        if body is None or (fingerprint == state.body_hash and not state.pages_pending):
            outcome = Outcome.UNCHANGED if body is not None else Outcome.NOT_MODIFIED
            state = _succeeded(state, outcome, result, config, source, now, rng, state.ttl)
            # Saving no articles still applies max age, so a quiet source ages out too.
            record = _history(source.id, now, outcome, result.status, "", started)
            saved = store.save_refresh(
                state, [], config.retention, now, record, read_with=before.entry_marks, lease=lease
            )
        else:
            # What the source repeats in its articles (counted as they are filed in stories).
            # Read before taking the lane: with Redis down, the batch's refreshes wait out its
            # retries side by side here, not one after another in the lane. (Not for a source
            # whose `learned_junk` is off; its evidence is still counted, for its stories.)
            if not source.learned_junk:
                learned = frozenset()
            elif learned is None:
                learned = store.boilerplate(source.id, boilerplate.CONTENT_MIN_ARTICLES)
            with turn:  # parsing and cleaning: one changed feed's at a time
                parsed = parse(
                    body,
                    url=result.url,
                    headers=result.headers,
                    parser=config.fetch.parser,
                    max_bytes=config.fetch.max_body_bytes,
                )
                listed = len(parsed.entries)
                parsed = newest(parsed, config.retention.max_per_source, now)
                if listed > len(parsed.entries):
                    log.info(
                        "read the newest %d of the feed's %d entries (retention.max_per_source)",
                        len(parsed.entries),
                        listed,
                        extra={"fields": {"source": source.id}},
                    )
                extra = {"parser": parsed.parser}
                report = Report()
                try:
                    # A feed that changed by one entry: the others are not cleaned again (with
                    # pages still to fetch, every article goes to full text again).
                    skip = frozenset(state.entry_marks) if conditional else frozenset()
                    # Entries sharing a guid keep the ids their articles are stored under: the
                    # store says which (one read, and only for a feed that has such entries).
                    shared = frozenset(state.shared_guids)
                    wanted = held_ids(parsed, source.id, shared)
                    held = {a.id: a for a in store.articles(wanted)} if wanted else {}
                    clean = partial(
                        normalize,
                        parsed,
                        source,
                        now=now,
                        learned_junk=learned,
                        shared=shared,
                        held=held,
                    )
                    articles = clean(report=report, skip=skip)
                    if report.skipped and store.missing(source.id, report.skipped, now):
                        # An article a mark stood for is gone (the source was purged meanwhile, or
                        # a refresh beside this one saved other marks): every entry is made again.
                        report = Report()
                        articles = clean(report=report)
                except (ValueError, OverflowError) as e:  # e.g. a lone surrogate nh3 cannot encode
                    raise ParseError(f"The feed's entries could not be cleaned ({e}).") from e
            pages = fulltext.Outcome()
            if source.full_text:
                ids = [a.id for a in articles]
                stored = {a.id: a for a in store.articles(ids)}
                articles, pages = fulltext.enrich(
                    articles,
                    source,
                    stored,
                    fetcher,
                    learned_junk=learned,
                    dropped=store.tombstoned(source.id, ids, now),
                    artwork=show_artwork(parsed),
                )
            outcome = Outcome.OK
            state = _succeeded(state, outcome, result, config, source, now, rng, parsed.ttl)
            state = replace(
                _reported(state, report),
                body_hash=fingerprint,
                ttl=parsed.ttl,
                site=feed_site(parsed),
                language=articles_language(articles, source.name) or state.language,
                settings=settings,
                # The fetch's warning (a gzip checksum read past) before the parser's.
                last_error=bounded(join_warnings(result.warning, parsed.warning) or ""),
                full_text_failures=state.full_text_failures + pages.failures,
                full_text_error=bounded(pages.last_error) or state.full_text_error,
                pages_pending=pages.pending,
            )
            record = _history(source.id, now, outcome, result.status, state.last_error, started)
            # With stories, the body's fingerprint is kept once its articles are filed: a
            # refresh cut short between the two (a killed worker, a Redis error) keeps the old
            # one, so the next poll reads this body again and files what was left.
            if before.settings not in unedited:
                # Edited: the articles the feed no longer lists take the new settings too
                # (first: a refresh cut short before the save does it again).
                store.restamp_source(
                    source.id,
                    as_configured(source),
                    config.retention,
                    now,
                    skip={a.id for a in articles},
                )
            filing = config.stories.enabled
            first = _until_filed(state, before) if filing else state
            bodies: dict[str, boilerplate.Body] = {}  # (read by the save's counting, if made)
            saved = store.save_refresh(
                first,
                articles,
                config.retention,
                now,
                record,
                unfiled=filing,
                read_with=before.entry_marks,
                lease=lease,
                # Never read whole: no article of its is stored, likely (the save checks).
                first=not before.entry_marks and before.body_hash is None,
                # The counting of their paragraphs, made by the save when they are all new (a
                # round trip less a new feed).
                counting=partial(_counted, articles, source.learned_junk, bodies)
                if filing
                else None,
            )
            taught = saved.observed.learned if saved.observed is not None else None
            # Whether what they taught would clean them otherwise, when asked (None: not asked).
            otherwise = None
            if (
                taught is not None
                and taught != learned
                and not saved.unclaimed
                and not source.full_text
            ):
                otherwise = _cleaned_otherwise(articles, taught, learned, bodies)
            if otherwise and taught is not None:
                # A new feed's articles taught their footer as the save counted them: cleaned
                # again now with what they taught, and saved over before they are filed (read
                # again a minute later, they were served with it meanwhile, and a feed reader
                # keeps an item as first seen). Not counted again: the count is made. A source
                # with full text waits for that read instead, or its pages were fetched twice.
                # Only the entries whose bodies it cleans otherwise are made again: the others'
                # articles stay as they are (their marks, salted with the junk, still change).
                reuse = relearned(report, learned, taught, _by_markup(articles, bodies))
                learned = taught
                added = {a.id: a.content_hash for a in articles if a.id in (saved.unfiled or ())}
                was = {a.id: _body_text(a) for a in articles}  # (of the last under an id)
                with turn:
                    report = Report()
                    articles = clean(report=report, learned_junk=learned, reuse=reuse)
                state = _reported(state, report)
                claimed, first = first.entry_marks, _until_filed(state, before)
                cleaned = store.save_refresh(
                    first,
                    articles,
                    config.retention,
                    now,
                    unfiled=True,
                    read_with=claimed,
                    stored=saved.kept,  # (what the first save stored: not read back)
                    lease=lease,
                )
                # The bodies of those the cleaning left as they were are read already.
                now_read = {a.id: _body_text(a) for a in articles}
                bodies = {i: b for i, b in bodies.items() if now_read.get(i, "") == was[i]}
                # What the second save edited beside the articles the first one added: the
                # feed's older articles, when a later one taught the footer they carry too.
                edited = cleaned.updated - sum(
                    1 for a in articles if added.get(a.id, a.content_hash) != a.content_hash
                )
                if edited > 0:
                    store.amend_record(source.id, now, updated=saved.updated + edited)
                saved = replace(
                    cleaned,
                    added=saved.added,
                    updated=saved.updated + max(0, edited),
                    trimmed=saved.trimmed + cleaned.trimmed,
                    observed=saved.observed,
                )
            if filing:
                # (A refresh beside this one saved its state meanwhile: the next poll reads
                # everything again, whatever this one files.)
                join_stories(
                    store,
                    articles,
                    config.stories.window_days,
                    now,
                    state=state.unclaimed() if saved.unclaimed else state,
                    unfiled=saved.unfiled,
                    read_with=None if saved.unclaimed else first.entry_marks,
                    listed_after=_listed_after(before, conditional),
                    cleaned_with=learned if source.learned_junk else None,
                    listed={a.id for a in articles}.union(report.skipped),
                    bodies=bodies or None,
                    observed=saved.observed,
                    # Asked already: the filing does not read them again for the same answer.
                    clean_under=taught if otherwise is False else None,
                    lease=lease,
                )
    except LeaseLost:
        raise  # (not this source's failure: a newer refresh's results stand, this one's go)
    except Exception as caught:  # (what each records: _as_source_error)
        if lane is not None:
            lane.note(caught)
        error = _as_source_error(caught, source.id)
        if fetch_seconds is None:  # the fetch itself failed
            fetch_seconds = time.monotonic() - fetch_started
        elif error.http_status is None:
            # The answer came (a 200 holding an HTML page, say) and what was in it failed: its
            # status is part of the story, not "no response".
            error.http_status = result.status
        # From the state before this fetch: validators of a body we could not ingest must not
        # be kept, or the next poll's 304 would hide that body until the feed changes.
        state = _failed(before, error, config, source, now, rng)
        record = _history(source.id, now, error.outcome, error.http_status, error.message, started)
        store.save_state(
            state, keep_paused=True, record=record, read_with=before.entry_marks, lease=lease
        )
        refreshed = RefreshResult(
            source_id=source.id,
            outcome=error.outcome,
            http_status=error.http_status,
            duration=time.monotonic() - started,
            error=error.message,
            next_due=state.next_due,
        )
        _report(source, shown_url, refreshed, fetch_seconds)
        if isinstance(caught, BaseTimeoutException):
            raise caught  # recorded: the job still ends as timed out
        return refreshed

    # `refresh --inline` said nothing of a permanent redirect, adopted or counted (a review):
    # only the log and `aggregator sources SOURCE` did.
    moved_to, redirects_left = "", 0
    if state.redirect_url and state.redirect_url != before.adopted_url:
        moved_to = public_url(state.redirect_url, config.serve.secret_parameters)
        if state.adopted_url != state.redirect_url:
            redirects_left = max(1, config.fetch.adopt_redirect_after - state.redirect_count)
    refreshed = RefreshResult(
        source_id=source.id,
        outcome=outcome,
        http_status=result.status,
        duration=time.monotonic() - started,
        added=saved.added,
        updated=saved.updated,
        trimmed=saved.trimmed,
        next_due=state.next_due,
        # A 304 or an unchanged body read nothing: the warning the state keeps is the last
        # read's, not news of this refresh (its log line and `refresh --inline` line said it again).
        error=state.last_error if outcome is Outcome.OK else "",
        extra=extra,
        moved_to=moved_to,
        redirects_left=redirects_left,
    )
    _report(source, shown_url, refreshed, fetch_seconds)
    return refreshed


def _reported(state: SourceState, report: Report) -> SourceState:
    """The state with what cleaning the feed's entries reported."""
    return replace(
        state,
        unreadable_dates=report.unreadable_dates,
        future_dates=report.future_dates,
        entry_marks=tuple(report.marks),
        shared_guids=tuple(report.shared),
    )


def _until_filed(state: SourceState, before: SourceState) -> SourceState:
    """The state a refresh saves with its articles until they are filed in stories: with the
    body's fingerprint and validators read before (or the next poll's 304 would hide the body
    if the filing were cut short), and of the marks read before only those of the entries this
    read left out (marks of entries it changed must not stand for what it did not file)."""
    kept = set(state.entry_marks)
    return replace(
        state,
        body_hash=before.body_hash,
        etag=before.etag,
        last_modified=before.last_modified,
        entry_marks=tuple(m for m in before.entry_marks if m in kept),
    )


def _as_source_error(caught: Exception, source_id: str) -> SourceError:
    """What a refresh that raised `caught` records on its source. A SourceError as it is. Redis
    going away is raised again: the worker waits for it, and the source's lease brings it back.
    RQ's job timeout (an Exception RQ raises in the job's thread) is recorded as the source's
    timeout, so it shows and backs off, and then raised again by the caller: the job must end as
    timed out (unrecorded, a feed that always outlasted the job came back at each lease to every
    worker, and its source said nothing of it; a review). Anything else is a bug meeting this
    source's data: logged with its traceback and recorded as an internal error, so the source
    shows it and backs off, and its batch's other sources go on (raised, it failed the job, and
    the source came back each lease, failing, with no error)."""
    if isinstance(caught, SourceError):
        return caught
    if isinstance(caught, RedisError):
        raise caught
    if isinstance(caught, BaseTimeoutException):
        log.warning("refresh of source %s stopped by its job's timeout", source_id)
        return SourceError(
            "The refresh was stopped by its job's time limit (fetch.job_timeout) before it"
            " finished: the feed took too long to read or clean. It is tried again later, with"
            " a growing wait while this lasts.",
            outcome=Outcome.TIMEOUT,
        )
    log.exception("refresh of source %s stopped on an internal error", source_id)
    return SourceError(
        f"{INTERNAL_ERROR} ({type(caught).__name__}: {caught}): a bug in the aggregator, not"
        " the feed's fault; the worker's log has the details.",
        outcome=Outcome.INTERNAL_ERROR,
    )


JOIN_ATTEMPTS = 3  # decisions retried when other workers filed candidates meanwhile
BODY_CHARS = 12_000  # of an article's HTML read for its story: enough for stories.MAX_TOKENS
# Seconds until a feed whose articles taught its source new junk is read and cleaned again.
RECLEAN_AFTER = 60


def join_stories(
    store: Store,
    articles: Sequence[Article],
    window_days: float,
    now: datetime,
    *,
    state: SourceState | None = None,
    unfiled: Collection[str] | None = None,
    read_with: Sequence[str] | None = None,
    listed_after: float | None = None,
    cleaned_with: frozenset[str] | None = None,
    listed: Collection[str] | None = None,
    bodies: Mapping[str, boilerplate.Body] | None = None,
    observed: Observed | None = None,
    clean_under: frozenset[str] | None = None,
    lease: str | None = None,
) -> int:
    """File a refresh's new articles in their stories; return how many joined an existing one.

    Three round trips for the whole batch: which are stored and not filed yet (none when the
    save told: `unfiled`; the only one when none is), count their paragraphs (the source's
    boilerplate), file those no filed article resembles (most) and read the candidates of the
    others. Those are decided here and filed in a fourth, atomically: the filing refuses when
    another worker filed a candidate this decision did not see; the decision is then made again
    with it.

    `state`: the source's state, saved once its articles are filed (the refresh keeps its body's
    fingerprint only then), with the last filing when there is one; `read_with`: as in
    `Store.save_state`. `listed_after`: when the source's feed was last read without these
    articles (`_listed_after`): a story's original is its earliest published copy, and an
    article's date counts as no earlier than that. `cleaned_with`: the junk learned for the
    source that cleaned these articles; when counting their paragraphs changes it, the state is
    saved without the body's fingerprint and validators, so the next poll cleans the whole feed
    again with what they taught (a new source's first articles kept the footer learned from
    them, and so did every article of a feed that then stayed the same). `listed`: the ids of
    every article the read listed (`replaced_by`), when known. `bodies`: the articles' `_bodies`
    read already (some or all: the others are read here); `observed`: their paragraphs'
    counting, when the save made it (`_counting`: then none of them was filed, and it counted
    those left stored). `clean_under`: junk the
    caller found would clean these articles (or more of them, `bodies` the same) no otherwise
    than `cleaned_with` did (`_cleaned_otherwise`): not asked again when the counting taught it.
    `lease`: as in `refresh_source`, for the state saved here.
    """
    if unfiled is None:
        unfiled = store.unfiled([a.id for a in articles])  # usually few: a feed repeats itself
    articles = [a for a in articles if a.id in unfiled]
    joined, saved = _join_stories(
        store,
        articles,
        window_days,
        now,
        state,
        read_with,
        listed_after or 0.0,
        cleaned_with,
        listed,
        bodies,
        observed,
        clean_under,
        lease,
    )
    if state is not None and not saved:
        store.save_state(state, keep_paused=True, read_with=read_with, lease=lease)
    return joined


def _bodies(articles: Sequence[Article]) -> dict[str, boilerplate.Body]:
    """Each article's `Body` as its story reads it (the first BODY_CHARS: the fingerprint reads
    only a body's start, stories.MAX_TOKENS); of the last article under an id."""
    return {a.id: boilerplate.Body.of(_body_text(a)) for a in articles}


def _body_text(article: Article) -> str:
    """What an article's `Body` is made of."""
    return (article.content or article.summary)[:BODY_CHARS]


def _by_markup(
    articles: Sequence[Article], bodies: Mapping[str, boilerplate.Body]
) -> dict[str, boilerplate.Body]:
    """Their `bodies` read whole (no longer than BODY_CHARS), by the markup each was made of:
    `relearned` takes such a body as it is: an article's content is most often its body as
    cleaned by rule, and a new feed's second cleaning read it into paragraphs again (half of
    `relearned`'s time, four bodies in five on the corpus)."""
    made = {a.id: a for a in articles}  # (the article each id's body was made of: the last)
    return {
        text: bodies[a.id]
        for a in made.values()
        if a.id in bodies and len(text := a.content or a.summary) <= BODY_CHARS
    }


def _counting(
    articles: Sequence[Article], bodies: Mapping[str, boilerplate.Body], learned_junk: bool
) -> Counting:
    """The counting of their paragraphs `_join_stories` makes when every one of these articles
    is stored and not filed (`Store.observe_paragraphs`), for the save to make it then."""
    return Counting(
        batch_evidence(articles, bodies),
        boilerplate.MAX_EVIDENCE,
        boilerplate.MIN_ARTICLES,
        boilerplate.HALF_LIFE,
        # What the counting taught, read by the same script (a round trip less a refresh).
        learned_at=boilerplate.CONTENT_MIN_ARTICLES if learned_junk else None,
    )


def _counted(
    articles: Sequence[Article], learned_junk: bool, bodies: dict[str, boilerplate.Body]
) -> Counting:
    """`_counting` of the articles, their `_bodies` read into `bodies` (their stories need them)."""
    bodies.update(_bodies(articles))
    return _counting(articles, bodies, learned_junk)


def paragraph_evidence(article: Article, body: boilerplate.Body) -> list[str]:
    """The paragraph hashes of an article counted as its source's evidence: its paragraphs at
    either end, of its first and its last BODY_CHARS (`body`: the first); a long article's
    footer was never counted."""
    text = article.content or article.summary
    if len(text) <= BODY_CHARS:
        return boilerplate.counted(body.hashes)
    # (The end's first paragraph is cut where the slice begins: not counted.)
    end = boilerplate.paragraph_hashes(boilerplate.paragraphs(text[-BODY_CHARS:]))[1:]
    return boilerplate.counted([*body.hashes, *end])


def batch_evidence(
    articles: Sequence[Article], bodies: Mapping[str, boilerplate.Body]
) -> dict[str, list[str]]:
    """Each article's `paragraph_evidence`, none for one that repeats an earlier article of the
    batch under the same title: word for word (a feed listing one article twice, at its link
    and its AMP link), or revised and saying so (a wire's story and its "CORRECTED-" or "UPDATE
    1-" repost first read together, `boilerplate.revises`). Counted twice, all the paragraphs
    they share were learned as the source's template, and both fingerprints kept only what
    differed, or nothing, so they showed as two cards (a review)."""
    out: dict[str, list[str]] = {}
    titled: dict[str, list[Article]] = {}  # title core -> the batch's articles under it, so far
    seen: set[tuple[str, tuple[str, ...]]] = set()  # (title core, paragraphs) read so far
    for a in articles:
        hashes = paragraph_evidence(a, bodies[a.id])
        body = bodies[a.id]
        core = stories.title_core(a.title)
        same = titled.setdefault(core, [])
        key = (core, tuple(body.hashes))
        # A revision is looked for among the last REVISION_PEERS under the title only: against
        # all of them, a feed of 200 items under one tagged title took 19 s (a review).
        repeat = key in seen or any(
            (stories.revision_tagged(a.title) or stories.revision_tagged(b.title))
            and (boilerplate.revises(bodies[b.id], body) or boilerplate.revises(body, bodies[b.id]))
            for b in same[-REVISION_PEERS:]
        )
        out[a.id] = [] if hashes and repeat else hashes
        same.append(a)
        seen.add(key)
    return out


# The articles of a batch under one title that a tagged one may revise: a wire lists a story and
# its correction or update or two; more under one title are a template's fills.
REVISION_PEERS = 4


def _cleaned_otherwise(
    articles: Sequence[Article],
    relearned: frozenset[str],
    cleaned_with: frozenset[str],
    bodies: Mapping[str, boilerplate.Body],
) -> bool:
    """Whether the junk learned now would clean the articles otherwise than `cleaned_with` did:
    a paragraph no longer learned would come back, or a newly learned one leaves one of these
    articles (a repeated heading is learned but stays: then the feed is not cleaned again for
    nothing, 7 of the 34 sources a cold round on the corpus would clean again). `bodies`: the
    articles' bodies as their stories read them (the first BODY_CHARS of each): an article's
    whole content when no longer, whose paragraphs are not read again."""
    if cleaned_with - relearned:
        return True
    read = {a.id: a for a in articles}  # (the article each id's body was made of: the last)
    # The shortest first: any one cleaned otherwise answers, and the cheapest to read are
    # asked before the long ones (a cold round of the corpus: a quarter less time here).
    for a in sorted(articles, key=lambda a: len(a.content)):
        whole = read[a.id] is a and len(a.content) <= BODY_CHARS
        if junk.strip_learned(a.content, relearned, bodies[a.id] if whole else None) != a.content:
            return True
    return False


def _join_stories(
    store: Store,
    articles: Sequence[Article],
    window_days: float,
    now: datetime,
    state: SourceState | None,
    read_with: Sequence[str] | None,
    listed_after: float,
    cleaned_with: frozenset[str] | None = None,
    listed: Collection[str] | None = None,
    bodies: Mapping[str, boilerplate.Body] | None = None,
    observed: Observed | None = None,
    clean_under: frozenset[str] | None = None,
    lease: str | None = None,
) -> tuple[int, bool]:
    """`join_stories` of the unfiled articles, and whether the state was saved with the last
    filing."""
    if not articles:
        return 0, False
    published = {a.id: max(a.published.timestamp(), listed_after) for a in articles}
    if bodies is None or any(a.id not in bodies for a in articles):
        had = bodies or {}
        bodies = {**_bodies([a for a in articles if a.id not in had]), **had}
    if observed is None:
        counting = _counting(articles, bodies, cleaned_with is not None)
        observed = store.observe_paragraphs(articles[0].source_id, *counting)
    fresh_ids, known, relearned = observed
    fresh = [a for a in articles if a.id in fresh_ids]
    if not fresh:
        return 0, False
    if (
        state is not None
        and cleaned_with is not None
        and relearned is not None
        and relearned != cleaned_with
        and relearned != clean_under
        and _cleaned_otherwise(articles, relearned, cleaned_with, bodies)
    ):
        # Cleaned again soon, not at the next poll: feed readers that keep an item as they
        # first saw it kept a new source's first articles with the footer they taught (a
        # review: a podcast's Patreon plug as every episode's summary).
        soon = now + timedelta(seconds=RECLEAN_AFTER)
        due = min(state.next_due, soon) if state.next_due is not None else soon
        state = replace(state, body_hash=None, etag=None, last_modified=None, next_due=due)
        # The filing saves the state, not its schedule (the save did, with the source's own
        # interval): the scheduler, reading the due set, polled it again only then (a
        # walkthrough: every new source's footers for 15 minutes, its state saying 1).
        store.schedule_earlier({state.source_id: due.timestamp()})
    fresh.sort(key=lambda a: published[a.id])
    # What the read's articles repeat, a little changed from one to the next (their credits).
    repeated = boilerplate.near_repeats([bodies[a.id] for a in fresh], [a.title for a in fresh])
    prints = stories.fingerprints([print_inputs(a, bodies[a.id], known, repeated) for a in fresh])
    new = [(a.id, a.source_id, published[a.id], fp) for a, fp in zip(fresh, prints, strict=True)]
    candidates, read = store.file_stories(new, now, state, read_with, lease)
    new = [n for n in new if n[0] in candidates]  # the others started stories of their own
    if not new:
        return 0, True
    since = now.timestamp() - window_days * 86400
    raw = _raw_prints(new, candidates, bodies, {a.id: a.title for a in fresh})
    tagged = {a.id for a in fresh if a.id in raw and stories.revision_tagged(a.title)}
    replaced = _replaced(store, fresh, bodies, candidates, set(raw) - tagged, listed)
    late: set[str] = set()  # filed by other workers after `read`, learned from refusals
    for attempt in range(JOIN_ATTEMPTS):
        joins = stories.plan(new, candidates, since, now.timestamp(), raw, tagged, replaced)
        force = attempt == JOIN_ATTEMPTS - 1
        joined, missed = store.join_stories(
            joins,
            now,
            force=force,
            read=read,
            known=late,
            state=state,
            read_with=read_with,
            lease=lease,
        )
        if not missed:
            if not listed_after:
                _log_origins_taken(joins, candidates, now.timestamp())
            return joined, True
        late.update(m.article_id for m in missed)
        for article_id, *_ in new:
            candidates.setdefault(article_id, []).extend(missed)
    raise AssertionError("the last join is forced: it cannot miss")


def print_inputs(
    article: Article,
    body: boilerplate.Body,
    known: frozenset[str],
    repeated: frozenset[str] = frozenset(),
) -> tuple[str, list[bytes], list[bytes]]:
    """What an article's fingerprint is made of (`stories.fingerprints`): its title, its body's
    paragraphs that are not its source's boilerplate, and all of them. An item of a title only
    (a link blog's, a forum's list, a wire's headlines) has its link for a body
    (`stories.link_body`): it is one story with another source's item of the same title and
    link, word for word as a short post is, and with nothing else (it had no bucket at all).
    `repeated`: the read's `boilerplate.near_repeats`."""
    if not body.tokens and article.url:
        return article.title, [stories.link_body(article.url)], []
    return article.title, body.kept(known, repeated), body.tokens


def replaced_by(
    article: Article,
    body: boilerplate.Body,
    candidates: Sequence[stories.Stored],
    listed: Collection[str],
    times: Mapping[str, float],
    earlier: Mapping[str, Article],
    oldest: float | None = None,
) -> frozenset[str]:
    """The candidates of an article's own source whose place it took in the feed, as an edit of
    them: the same link (`earlier`: the candidates' articles, by id) and date (`times`:
    publication times as the feed wrote them, epoch seconds, of these and of the read's
    articles), or it is dated earlier; no longer listed by the read that listed it (`listed`:
    the ids of all it listed), while another article of the source published no later still
    is; and its text the other's with a paragraph added, dropped or edited
    (`boilerplate.revises`, `body`: its own). A page re-issued under a new guid, its date kept
    and its old item taken out, is the page edited, though its title does not say so. A
    template's next fill at one link (a "current prices" item) is dated anew; a live blog's
    earlier posts stay listed beside the next, and its next entry is new text; a feed's oldest
    items falling out of its window leave no older one. `oldest`: the earliest time of the
    others listed, when the caller has it (`_oldest_listed`).
    """
    written = article.published.timestamp()
    if oldest is None:
        oldest = _oldest_listed(listed, times)(article.id)
    out = set()
    for c in candidates:
        before = earlier.get(c.article_id)
        when = times.get(c.article_id, -math.inf)
        if (
            before is None
            or c.source_id != article.source_id
            or c.article_id in listed
            or before.url != article.url
            or not oldest <= when
            or not written <= when
        ):
            continue
        held = boilerplate.Body.of((before.content or before.summary)[:BODY_CHARS])
        if boilerplate.revises(held, body) or boilerplate.revises(body, held):
            out.add(c.article_id)
    return frozenset(out)


def _replaced(
    store: Store,
    fresh: Sequence[Article],
    bodies: Mapping[str, boilerplate.Body],
    candidates: dict[str, list[stories.Stored]],
    untagged: Collection[str],
    listed: Collection[str] | None,
) -> dict[str, frozenset[str]]:
    """`replaced_by` of each new article that may repeat an earlier one of its source without
    saying so (`untagged`: those with raw fingerprints and no revision tag): its unlisted
    candidates' articles and the dates of these and of the read's articles are read (two round
    trips, for these few)."""
    if listed is None:
        return {}
    gone = {
        a.id: [
            c
            for c in candidates.get(a.id, ())
            if c.source_id == a.source_id and c.article_id not in listed
        ]
        for a in fresh
        if a.id in untagged
    }
    ids = list(dict.fromkeys(c.article_id for found in gone.values() for c in found))
    if not ids:
        return {}
    earlier = {a.id: a for a in store.articles(ids)}
    times = store.published_times(fresh[0].source_id, [*ids, *listed])
    oldest = _oldest_listed(listed, times)  # (once, not once an article: listed is the feed)
    out = {}
    for a in fresh:
        found = gone.get(a.id)
        if found and (
            took := replaced_by(a, bodies[a.id], found, listed, times, earlier, oldest(a.id))
        ):
            out[a.id] = took
    return out


def _oldest_listed(listed: Collection[str], times: Mapping[str, float]) -> Callable[[str], float]:
    """The earliest time (`times`) of the articles `listed` but a given one (inf: none)."""
    firsts = heapq.nsmallest(2, ((times[i], i) for i in listed if i in times))
    return lambda article_id: next((t for t, i in firsts if i != article_id), math.inf)


def _log_origins_taken(
    joins: Sequence[stories.Join], candidates: dict[str, list[stories.Stored]], now: float
) -> None:
    """Log the articles of a read whose dates are taken as written (a source's first read, its
    back catalogue) that join a story filed before this round dated before the article they
    matched: most likely each takes the story's original. An honest new source's old articles
    do this; so does a copier dating its copies back on its first read (nothing its feed says
    tells them apart), and then the stories' cards link to it: the operator is told."""
    earlier = []  # seconds each is dated before the article it matched
    for j in joins:
        for c in candidates.get(j.article_id, ()):
            seen_before = c.seen < now - stories.JOINED_LATER
            if c.article_id == j.via and seen_before and j.published < c.published:
                earlier.append(c.published - j.published)
    if earlier:
        log.warning(
            "articles dated before the stories they joined, taken as written (a first read)",
            extra={
                "fields": {
                    "source": joins[0].source_id,
                    "articles": len(earlier),
                    "hours_before": round(max(earlier) / 3600, 1),
                }
            },
        )


def _raw_prints(
    new: Sequence[stories.New],
    candidates: dict[str, list[stories.Stored]],
    bodies: Mapping[str, boilerplate.Body],
    titles: dict[str, str],
) -> dict[str, stories.Fingerprint]:
    """The fingerprints before learned boilerplate removal (pattern footers still out) of the
    new articles that have a candidate of their own source under their title: they may repeat
    it (`stories.repeats`). Few articles have one."""
    wanted = [
        article_id
        for article_id, source_id, _, fp in new
        if fp.title
        and any(
            c.source_id == source_id and c.fingerprint.title == fp.title
            for c in candidates[article_id]
        )
    ]
    kept = {i: bodies[i].kept(frozenset()) for i in wanted}
    wanted = [i for i in wanted if len(kept[i]) > 0]
    prints = stories.fingerprints([(titles[i], kept[i], bodies[i].tokens) for i in wanted])
    return dict(zip(wanted, prints, strict=True))


def _after_fetch(
    state: SourceState, result: FetchResult, config: Config, source: SourceConfig
) -> SourceState:
    """Keep the validators and track a permanent redirect until it has repeated enough to adopt
    (instead of the source's URL in the config)."""
    state = replace(
        state,
        # Validators are stored even on 304 and on unchanged bodies (feedbin#726).
        etag=result.etag,
        last_modified=result.last_modified,
        http_status=result.status,
    )
    target = result.permanent_redirect
    if not target or not _adoptable(state.adopted_url or source.url, target):
        return replace(state, redirect_url=None, redirect_count=0)
    count = state.redirect_count + 1 if target == state.redirect_url else 1
    adopted, adopted_for = state.adopted_url, state.adopted_for
    if count >= config.fetch.adopt_redirect_after and target != adopted:
        shown = public_url(target, config.serve.secret_parameters)
        log.warning(
            "source moved permanently; adopting its new address",
            extra={"fields": {"source": source.id, "adopted": shown, "redirects": count}},
        )
        adopted, adopted_for = target, source.url
    return replace(
        state,
        redirect_url=target,
        redirect_count=count,
        adopted_url=adopted,
        adopted_for=adopted_for,
    )


def _adoptable(url: str, target: str) -> bool:
    """Whether a permanent redirect from `url` to `target` may take the source's address: not
    one from https to plain http (anyone on the way could send that, and the source would stay
    unencrypted for good), nor one to an address with credentials the server chose. Such a
    redirect is followed at each poll, as a temporary one is, and never kept."""
    before, after = urlsplit(url), urlsplit(target)
    # (A relative Location keeps the source's own user and password: those are the operator's.)
    chosen = "@" in after.netloc and after.netloc != before.netloc
    return not (before.scheme == "https" and after.scheme == "http") and not chosen


LISTING_SLACK = 30 * 60  # seconds a feed's copy may lag behind it (caches in front of feeds)


def _listed_after(before: SourceState, conditional: bool) -> float | None:
    """When the source's feed was last read whole, as this refresh reads it (less
    LISTING_SLACK): an entry first seen now was not listed then, so it was not published
    before then, whatever its date says. Polls that failed since do not change that: a source
    that answered one poll with an error, or with a page that is no feed, listed a back-dated
    copy at the next and took its story (a review). None when unknown: a source's first read
    brings its back catalogue; after a settings edit (`conditional` false), entries a filter
    left out come in, and pages still to fetch make articles of entries listed before."""
    last = before.last_read
    if last is None and before.outcome in _READ:
        last = before.last_fetch  # (a state saved before last_read was)
    if not conditional or last is None:
        return None
    # Less a margin: what a read gets may be a cache's copy some minutes old (a CDN, a page
    # cache), and an original first listed there must keep its date against a copy of it.
    return last.timestamp() - LISTING_SLACK


def _succeeded(
    state: SourceState,
    outcome: Outcome,
    result: FetchResult,
    config: Config,
    source: SourceConfig,
    now: datetime,
    rng: random.Random,
    ttl: int | None,
) -> SourceState:
    max_age, expires_in, retry_after = schedule.cache_hints(result.headers, now)
    due = schedule.next_due(
        now.timestamp(),
        fetch=config.fetch,
        interval=source.interval,
        rng=rng,
        ttl=float(ttl) if ttl else None,
        max_age=max_age,
        expires_in=expires_in,
        retry_after=retry_after,
    )
    # The same document as at the last success still holds what its reading warned of (an
    # ill-formed feed read leniently, an undeclared encoding): the warning went at the next 304.
    same = outcome in (Outcome.UNCHANGED, Outcome.NOT_MODIFIED) and state.outcome in _READ
    return replace(
        state,
        last_fetch=now,
        last_read=now if outcome in _READ else state.last_read,
        outcome=outcome,
        consecutive_errors=0,
        last_error=state.last_error if same else "",
        next_due=datetime.fromtimestamp(due, UTC),
        gone=False,
    )


_READ = frozenset({Outcome.OK, Outcome.UNCHANGED, Outcome.NOT_MODIFIED})


def _failed(
    state: SourceState,
    error: SourceError,
    config: Config,
    source: SourceConfig,
    now: datetime,
    rng: random.Random,
) -> SourceState:
    errors = state.consecutive_errors + 1
    due = schedule.next_due(
        now.timestamp(),
        fetch=config.fetch,
        interval=source.interval,
        rng=rng,
        errors=errors,
        retry_after=error.retry_after,
    )
    return replace(
        state,
        last_fetch=now,
        outcome=error.outcome,
        http_status=error.http_status,
        consecutive_errors=errors,
        last_error=error.message,
        next_due=datetime.fromtimestamp(due, UTC),
        gone=error.outcome is Outcome.GONE,
    )


def articles_language(articles: Sequence[Article], name: str = "") -> str:
    """The language most of `articles` are in (their Article.language) of those the source's
    `name` may be written in (language.written_in), "" when none says one: what a refresh
    records for the name (SourceState.language). Of a tie, the newest article's.

    A read makes only the entries that are new or changed: a read of one English post of
    "中央通訊社" recorded "en", which its name is not written in, and the name lost its
    Traditional Chinese (a survey); a language it cannot be written in now leaves the recorded
    one as it is."""
    newest_first = sorted(articles, key=lambda a: a.published, reverse=True)
    counts = Counter(a.language for a in newest_first if a.language)
    for language in list(counts):
        tag = language_tag(language)
        if name and not (tag and written_in(tag, name)):
            del counts[language]
    return counts.most_common(1)[0][0] if counts else ""


def _history(
    source_id: str,
    now: datetime,
    outcome: Outcome,
    http_status: int | None,
    error: str,
    started: float,
) -> FetchRecord:
    """The refresh's line in the fetch history, saved in the same script as its state.

    Its added/updated counts are filled in by the save that does the adding and updating.
    """
    return FetchRecord(
        source_id=source_id,
        at=now,
        outcome=outcome,
        http_status=http_status,
        duration=time.monotonic() - started,
        error=error,
    )


def _report(
    source: SourceConfig, url: str, result: RefreshResult, fetch_seconds: float | None
) -> None:
    """Make one refresh visible: its log line and its metrics.

    `url` is already the public one (aggregator/redact.py): log lines travel further than the admin.
    """
    _log(source, url, result)
    metrics.observe_refresh(result, fetch_seconds)


def _log(source: SourceConfig, url: str, result: RefreshResult) -> None:
    level = logging.WARNING if result.outcome.is_error else logging.INFO
    log.log(
        level,
        "refresh",
        extra={
            "fields": {
                "source": source.id,
                "url": url,
                "outcome": result.outcome.value,
                "status": result.http_status,
                "duration_ms": round(result.duration * 1000, 1),
                "added": result.added,
                "updated": result.updated,
                # (Retention's: "added=54" of an archive's feed left 20, and nothing said why.)
                "trimmed": result.trimmed,
                # Errors quote the URL they failed on. A refresh that succeeded may have been
                # warned of (a feed read leniently): a warning, not an error to an alert.
                "error" if result.outcome.is_error else "warning": public_text(result.error),
                **result.extra,
            }
        },
    )
