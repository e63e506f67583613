"""The commands an operator runs against a running service: check-config, sources, refresh, OPML."""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import shutil
import sys
import time
from collections.abc import Collection, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import redis

from aggregator import actions
from aggregator import config as config_module
from aggregator.cli import common, terminal
from aggregator.config import Config, SourceConfig, summary
from aggregator.config_warnings import located_warnings
from aggregator.errors import SettingExit
from aggregator.logs import escaped_controls
from aggregator.models import SOURCE_STATES, source_health
from aggregator.queues import QUEUE_NAME
from aggregator.redis_server import WEB, connect, data_dir, redis_url
from aggregator.store import Store


def cmd_check_config(args: argparse.Namespace) -> int:
    config = common.load(args)
    print(summary(config))
    warnings = located_warnings(config)
    if warnings:
        print(f"\n{len(warnings)} warning(s):")
        for warning in warnings:
            print(f"  - {warning}")
    print(f"\n{_checked_against_running(config)}")
    return 0


def _checked_against_running(config: Config) -> str:
    """What the running service's scheduler says of this file beside the config it runs on
    (config.check_losses: a file cut of its sources, a source renamed without its id): raises
    its ConfigError, or says what it compared. A file that checks fine alone may be one the
    service refuses; a check before deploying that passed it gave false confidence."""
    try:
        # Not patient: with no service running, the answer is "none", not 10 s of retries.
        published = Store(connect(redis_url(), WEB)).published_config()
    except (redis.ConnectionError, redis.TimeoutError):
        return (
            "No running service answered (REDIS_URL, or the embedded server in the data"
            " directory): not compared with the config it runs on, as its scheduler will."
        )
    if published is None:
        return "The running service has published no config yet: nothing to compare with."
    text = Path(config.path).read_text(encoding="utf-8", errors="replace") if config.path else ""
    running = config_module.loads(published[1])
    config_module.check_losses(running, config, text)
    said = (
        f"Compared with the config the running service runs on (version {published[0]}):"
        " its scheduler will take this file."
    )
    for dropped in config_module.dropped_former_slugs(running, config):
        said += f"\nwarning: {dropped}"
    if running.site.base_url != config.site.base_url:
        # As the scheduler warns once it applies it; a deleted or mistyped [site] did it.
        said += (
            f"\nwarning: site.base_url changes from {running.site.base_url} to"
            f" {config.site.base_url}: every feed's id and links change with it (feed readers"
            " see new feeds), which is right only when the site moves"
        )
    return said


def cmd_refresh(args: argparse.Namespace) -> int:
    if not args.sources and not args.all:
        common.usage_error("name one or more source ids, or pass --all")
    if args.inline:
        _counted_with_the_service()  # (before anything imports prometheus_client)
    store = common.command_store()
    # While the file is invalid, the config the service runs on (its sources are the ones to
    # refresh, and when an operator is troubleshooting).
    config = common.load_or_published(args, store)
    ids = [s.id for s in config.sources] if args.all else list(args.sources)
    _refuse_unknown(ids, config)
    # The running scheduler owns what is published; a local file (maybe stale, maybe another
    # machine's) only stands in when nothing has been published yet.
    published = store.published_config()
    # (Imported once the store answered: their second of imports came before "the service is
    # not running".)
    from workers import jobs, scheduler

    missing: list[str] = []
    if published is None:
        scheduler.publish(store, config)
    elif missing := _not_running(ids, published[1]):
        # The workers refresh what runs: a source only the file has would be skipped in
        # silence ("59 ok" of 103 asked for), as if it had been removed.
        print(
            f"aggregator: not in the running config yet, so not refreshed: {', '.join(missing)}\n"
            f"aggregator: {_who_publishes(store, config.path, published[1])}",
            file=sys.stderr,
            flush=True,
        )
        ids = [i for i in ids if i not in missing]
        if not ids:
            return 1
    if not args.inline:
        from rq import Queue

        now = time.time()
        for i in ids:  # claim them, so the scheduler does not enqueue them a second time
            store.schedule(i, now + config.fetch.lease)
        queue = Queue(QUEUE_NAME, connection=store.redis)
        job_ids = scheduler.enqueue(queue, config, ids)
        print(f"enqueued {len(ids)} source(s) in {len(job_ids)} job(s)")
        return 1 if missing else 0  # (as pause, resume and reset: not all done)

    jobs.warm_up(store.redis)  # as a worker does: the model loaded, the collector tuned
    progress = terminal.Progress(len(ids))
    try:
        results = jobs.run_batch(store, ids, on_result=progress.report)
    finally:
        from aggregator import metrics

        metrics.fold_process_files()  # its counts stay in the service's sums, its files go
    progress.done()
    failed = [r for r in results if r.outcome.is_error]
    print(f"{len(results) - len(failed)} ok, {len(failed)} failed")
    return 1 if failed or missing else 0


def cmd_act(args: argparse.Namespace) -> int:
    """pause, resume or reset sources: the admin pages' buttons, for a terminal or a script."""
    if not args.sources and not getattr(args, "failing", False):
        also = ", or pass --failing" if args.action == "reset" else ""
        common.usage_error(f"name one or more source ids{also}")
    store = common.command_store()
    config = common.load_or_published(args, store)
    ids = list(dict.fromkeys(args.sources))
    if getattr(args, "failing", False):
        rows = _source_rows(store, config.sources, states=_FAILING)
        ids += [row["id"] for row in rows if row["id"] not in ids]
        if not ids:
            print("no failing or gone sources")
            return 0
    _refuse_unknown(ids, config)
    published = store.published_config()
    missing = _not_running(ids, published[1]) if published is not None else []
    if missing and published is not None:
        # Their state would wait for a config that has them; the running one does not yet. (And
        # who will publish it, as refresh says: the line alone left the operator guessing.)
        print(
            f"aggregator: not in the running config yet, so not {_PARTICIPLE[args.action]}:"
            f" {', '.join(missing)}\n"
            f"aggregator: {_who_publishes(store, config.path, published[1])}",
            file=sys.stderr,
            flush=True,
        )
    now = datetime.now(UTC)
    for source_id in ids:
        if source_id not in missing:
            print(f"{source_id}: {actions.act(store, source_id, args.action, now)}")
    return 1 if missing else 0


_PARTICIPLE = {"pause": "paused", "resume": "resumed", "reset": "reset"}


def _counted_with_the_service() -> None:
    """Count this process's refreshes in the running service's /metrics, as a worker's are:
    `aggregator run` has its processes write their counters to files in the data directory's
    metrics/, which /metrics sums; an inline refresh's fetches were missing from it. (Set before
    prometheus_client is imported: it reads the variable then.)"""
    directory = data_dir() / "metrics"
    if "PROMETHEUS_MULTIPROC_DIR" not in os.environ and directory.is_dir():
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(directory)


def _who_publishes(store: Store, path: str, published: str) -> str:
    """Whether a scheduler will publish the file at `path` (the running config's JSON is
    `published`): one runs on it, one runs on another file, or none runs. It said "start one"
    with a scheduler running, on another file (`--config other.toml refresh`), which starting
    another would not have changed."""
    from aggregator.metrics import heartbeat_window

    try:
        window = heartbeat_window()  # (as /readyz counts a scheduler alive)
    except ValueError as e:
        raise SettingExit(f"aggregator: {e}") from None
    running_on = config_module.loads(published).path
    beat = store.heartbeats().get("scheduler")
    alive = beat is not None and (datetime.now(UTC) - beat).total_seconds() <= window
    same = bool(path and running_on) and _same_file(path, running_on)
    if alive and same:
        return (
            "the running scheduler reads this file and publishes an edit once it has held still"
            " for a tick: run this again in a moment (`aggregator check-config` says why it"
            " would refuse one)"
        )
    if alive:
        return (
            f"the running scheduler runs on {running_on or 'another config'}, not {path}: add"
            f" them there, or restart the service with `aggregator --config {path} run`"
        )
    config_option = "" if same else f"--config {path} "
    return (
        "no scheduler is running to publish the file's edits: start one with"
        f" `aggregator {config_option}run` or `aggregator {config_option}scheduler`"
    )


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:  # (one is gone, or relative to another process's directory)
        return Path(a).resolve() == Path(b).resolve()


def _not_running(ids: Sequence[str], published: str) -> list[str]:
    """Those of `ids` the published config (its JSON) has no source for."""
    running = {s.id for s in config_module.loads(published).sources}
    return [i for i in ids if i not in running]


def cmd_sources(args: argparse.Namespace) -> int:
    store = common.command_store()
    config = common.load_or_published(args, store)  # (as refresh: the running one, if invalid)
    sources = config.sources
    if args.source is not None:
        _refuse_unknown([args.source], config)
        sources = tuple(s for s in config.sources if s.id == args.source)
    # Rows are read a page at a time and printed as they come: the first line shows at once and
    # memory holds one page, however many sources there are.
    states = set(args.state or ()) | (_FAILING if args.failing else set())
    failing: list[str] = []  # the listed sources that fail: the exit status says if any did

    def noted(rows: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        for row in rows:
            if row["state"] in _FAILING:
                failing.append(row["id"])
            yield row

    rows = noted(_source_rows(store, sources, states=states))
    if args.json:
        _write_json_array(rows)
        return 1 if failing else 0
    if args.source is not None:  # one source: every field, nothing cut
        row = next(rows, None)
        print("no sources" if row is None else terminal.format_source(row, now=time.time()))
        return 1 if failing else 0
    tty = sys.stdout.isatty()
    color = tty and not os.environ.get("NO_COLOR")
    width = shutil.get_terminal_size((120, 24)).columns
    named = " or ".join(word for word in SOURCE_STATES if word in states)
    empty = f"no {named} sources" if named else "no sources"
    # Cut to the terminal's width on a terminal only: piped to grep or a file, every id whole.
    for line in terminal.source_table(rows, width, color, now=time.time(), empty=empty, cut=tty):
        print(line)
    return 1 if failing else 0


_LISTED = 20  # at most this many known ids are listed after an unknown one


def _refuse_unknown(ids: Sequence[str], config: Config) -> None:
    """Exit naming the ids the config has no source for, each with the ids it is likely a typo
    of, and the known ids when there are few (else where to find them)."""
    unknown = [i for i in ids if config.source(i) is None]
    if not unknown:
        return
    known = [s.id for s in config.sources]
    lines = []
    for source_id in unknown:
        close = difflib.get_close_matches(source_id, known, n=3, cutoff=0.6)
        hint = f" (did you mean {' or '.join(close)}?)" if close else ""
        lines.append(f"aggregator: unknown source: {source_id}{hint}")
    others = [i for i in ids if i not in unknown]
    if others:
        # (`pause nosuch alpha` left alpha as it was, and said nothing of it.)
        named = ", ".join(others) if len(others) <= 5 else f"the {len(others)} others"
        lines.append(f"aggregator: nothing done to {named} either; correct the id and run it again")
    if not known:
        lines.append("aggregator: the config has no sources")
    elif len(known) <= _LISTED:
        lines.append(f"aggregator: known: {', '.join(known)}")
    else:
        lines.append(f"aggregator: `aggregator sources` lists all {len(known)} source ids")
    raise SystemExit("\n".join(lines))


_FAILING = {"failing", "gone"}  # what --failing asks for


def _source_rows(
    store: Store, sources: Sequence[SourceConfig], *, states: Collection[str] = ()
) -> Iterator[dict[str, Any]]:
    """One row per source, in the config's order (only those in `states`, when given)."""
    for source, (state, due) in zip(
        sources, store.iter_states([s.id for s in sources]), strict=True
    ):
        health = source_health(state)
        if states and health not in states:
            continue
        yield {
            "id": source.id,
            "name": source.name,
            "url": source.url,
            "categories": list(source.categories),
            "state": health,
            "last_fetch": state.last_fetch.isoformat() if state.last_fetch else None,
            "outcome": state.outcome.value if state.outcome else None,
            "http_status": state.http_status,
            "consecutive_errors": state.consecutive_errors,
            # (A script alerting on last_error must not take a warning for a failure.)
            "last_error": state.error,
            "warning": state.warning,
            "next_due": due,
            "articles": state.article_count,
            "adopted_url": state.adopted_url,
            "unreadable_dates": state.unreadable_dates,
            "future_dates": state.future_dates,
            "full_text_failures": state.full_text_failures,
            "full_text_error": state.full_text_error,
            "pages_pending": state.pages_pending,
        }


def _write_json_array(rows: Iterable[dict[str, Any]]) -> None:
    """The rows as an indented JSON array, row by row: the bytes `json.dump(list(rows))` writes."""
    opening = "[\n"
    for row in rows:
        due = row["next_due"]
        row = {
            **row,
            "next_due": datetime.fromtimestamp(due, UTC).isoformat() if due is not None else None,
        }
        text = json.dumps(row, ensure_ascii=False, indent=2)
        # JSON text holds no raw newline in a string, so this indents every line of the row.
        sys.stdout.write(opening + "  " + text.replace("\n", "\n  "))
        opening = ",\n"
    sys.stdout.write("[]\n" if opening == "[\n" else "\n]\n")


def cmd_import_opml(args: argparse.Namespace) -> int:
    from aggregator.config import DEFAULT_PATH, ENV_VAR, private_access_problem, slug_problem
    from aggregator.opml import OpmlError, import_feeds, parse_opml

    path = args.config or os.environ.get(ENV_VAR) or DEFAULT_PATH
    if args.category is not None and (problem := slug_problem(args.category)):
        # (Checked first: as a config problem it came once per feed, at lines of a file that
        # was never written, or not at all when every feed was skipped.)
        print(f"aggregator: --category: {problem}", file=sys.stderr)
        return 2
    given = args.allow_private_networks
    if args.file is None and given is not None and Path(given).is_file():
        args.file, given = given, "true"  # ("--allow-private-networks feeds.opml": the flag)
    if args.file is None:
        print("aggregator: import-opml: the OPML file to import is missing", file=sys.stderr)
        return 2
    private: bool | list[str] = False
    if given is not None and given.strip().lower() not in ("false", "no"):
        given = given.strip()
        private = (
            True
            if given.lower() in ("true", "yes", "")
            else [n.strip() for n in given.split(",") if n.strip()]
        )
        if problem := private_access_problem(private):
            print(f"aggregator: --allow-private-networks: {problem}", file=sys.stderr)
            return 2
    try:
        raw = Path(args.file).read_bytes()
    except OSError as e:
        print(f"aggregator: cannot read {args.file}: {e.strerror}", file=sys.stderr)
        return 2
    try:
        parsed = parse_opml(raw)
    except OpmlError as e:
        print(f"aggregator: {args.file}: {e}", file=sys.stderr)
        return 2
    if parsed.warning:
        print(f"warning: {args.file}: {parsed.warning}", file=sys.stderr)
    report = import_feeds(
        path, parsed.feeds, args.category, write=not args.dry_run, private=private
    )
    if report.error:
        print(f"aggregator: {args.file}: {report.error}", file=sys.stderr)
        return 2
    verb = "would add" if args.dry_run else "added"
    for source_id, name, slug in report.added:
        print(f"{verb} {source_id} [{slug}]: {name}")
    for url, why in report.skipped:
        print(f"skipped {url}: {why}")
    for title in parsed.without_url:
        print(f'skipped "{title}": a feed outline without an xmlUrl')
    for warning in report.warnings:
        if not private and warning.endswith("unless the source sets allow_private_networks"):
            warning += " (import with --allow-private-networks [NETWORKS] to set it)"
        print(f"warning: {path}: {warning}", file=sys.stderr)
    created = f"; new categories: {', '.join(report.categories_created)}"
    skipped = len(report.skipped) + len(parsed.without_url)
    print(
        f"{verb} {len(report.added)} source(s) to {path}, skipped {skipped}"
        + (created if report.categories_created else "")
    )
    return 0


def cmd_export_opml(args: argparse.Namespace) -> int:
    from aggregator.opml import needing_sites, render_opml

    store = common.command_store()
    config = common.load_or_published(args, store)
    try:  # the sites read from the feeds, as the web's export gives them
        sites = store.sites(needing_sites(config))
    except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError):
        sites = {}  # the config file alone makes the rest of the export
        print(
            "aggregator: Redis is not reachable: htmlUrl only where the config gives a site_url",
            file=sys.stderr,
        )
    body = render_opml(config, sites=sites)
    if args.output and args.output != "-":
        try:
            Path(args.output).write_bytes(body)
        except OSError as e:
            raise SystemExit(f"aggregator: cannot write {args.output}: {e.strerror}") from e
    else:
        sys.stdout.buffer.write(body)
        sys.stdout.flush()
    return 0


_FEED_ID = "urn:aggregator:article:"  # (syndication.entry_id)


def _article_id(given: str) -> str:
    """The article id in what an operator copied: the id, its page's address
    (`http://…/a/ID`, `/a/ID/`) or its id in our feeds (`urn:aggregator:article:ID`); both
    were "no article"."""
    given = given.strip()
    if given.startswith(_FEED_ID):
        return unquote(given.removeprefix(_FEED_ID))
    path = urlsplit(given).path if "://" in given else given
    page = re.fullmatch(r"(?:.*/)?a/([^/]+)/?", path)
    return unquote(page[1]) if page and "/" in path else given


def cmd_story(args: argparse.Namespace) -> int:
    """Print the story an article belongs to: its articles, the original first."""
    store = common.command_store()
    article_id = _article_id(args.article_id)
    story = store.stories_of([article_id])[article_id]
    articles = {a.id: a for a in store.articles([m.article_id for m in story.members])}
    if article_id not in articles:
        print(
            f"aggregator: no article {args.article_id!r}; give the id its page's address ends"
            " with (/a/ID), the address, or its id in our feeds (urn:aggregator:article:ID)",
            file=sys.stderr,
        )
        return 1
    print(f"story {story.id}: {story.size} article(s) from {len(story.sources)} source(s)")
    for n, member in enumerate(story.members):
        a = articles.get(member.article_id)
        if a is not None:
            role = "original" if n == 0 else "copy"
            # (Escaped as the other commands' output is: a title is a source's text.)
            title = escaped_controls(a.title)
            print(f"  {role:8} {a.published:%Y-%m-%d %H:%M} {a.source_id}  {a.id}  {title}")
    return 0
