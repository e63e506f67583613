"""What the commands print on a terminal: the sources table, one source in full, progress lines."""

from __future__ import annotations

import sys
import threading
import unicodedata
from collections.abc import Iterable, Iterator
from datetime import datetime
from itertools import chain, islice
from typing import Any

from aggregator.logs import escaped_controls
from aggregator.models import RefreshResult


class Progress:
    """One line per source; a progress bar underneath when stdout is a terminal."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.count = 0
        self.tty = sys.stdout.isatty()
        self.lock = threading.Lock()

    def report(self, result: RefreshResult) -> None:
        with self.lock:
            self.count += 1
            status = result.http_status or "-"
            detail = result.error or f"+{result.added} new, {result.updated} updated" + (
                f", {result.trimmed} trimmed by retention" if result.trimmed else ""
            )
            if result.moved_to and not result.redirects_left:
                detail += (
                    f"; moved permanently to {result.moved_to}: adopted, fetched from there"
                    " from now on (put it in the config's url)"
                )
            elif result.moved_to:
                left = result.redirects_left
                detail += (
                    f"; redirected permanently to {result.moved_to}: adopted after {left}"
                    f" more time{'s' if left > 1 else ''} in a row"
                )
            line = (
                f"{result.outcome.value:<16} {result.source_id:<28} {status!s:<4} "
                f"{result.duration:6.2f}s  {escaped_controls(detail)}"
            )
            if self.tty:
                sys.stdout.write("\r\033[K")
            print(line)
            if self.tty:
                width = 30
                filled = width * self.count // self.total
                bar = "#" * filled + "-" * (width - filled)
                sys.stdout.write(f"[{bar}] {self.count}/{self.total}")
            sys.stdout.flush()

    def done(self) -> None:
        if self.tty:
            sys.stdout.write("\r\033[K")


_COLORS = {"healthy": "32", "failing": "31", "gone": "90", "paused": "33", "pending": "36"}


_HEADERS = ("ID", "STATE", "FETCHED", "HTTP", "ERR", "NEXT", "ARTICLES", "NAME / LAST ERROR")
_ID_CAP = 28  # on a terminal, long ids are cut rather than squeezing the error out
# Column widths that fit any cell but an id or a large number ("failing", "364d ago", "in 23h"):
# what a table longer than its first page is given, as its later rows are not read in advance.
_PAGED_WIDTHS = (_ID_CAP, 7, 8, 4, 3, 6, 8)


def format_sources(rows: list[dict[str, Any]], width: int, color: bool, now: float) -> str:
    """The source table as text that fits `width` columns; the last column gets what is left."""
    return "\n".join(source_table(rows, width, color, now))


def source_table(
    rows: Iterable[dict[str, Any]],
    width: int,
    color: bool,
    now: float,
    page: int = 500,
    empty: str = "no sources",
    cut: bool = True,
) -> Iterator[str]:
    """The source table's lines, each as soon as its row comes.

    Column widths come from the first `page` rows; when more follow, each column is also at least
    as wide as _PAGED_WIDTHS, so that later rows line up. With `cut` (a terminal), ids longer
    than _ID_CAP and the last column are cut to fit `width`; without it (a pipe, a file) nothing
    is: an id read from the table must be one `aggregator sources ID` takes.
    """
    it = iter(rows)
    head = [(_table_cells(row, now), row["state"]) for row in islice(it, page)]
    if not head:
        yield empty
        return
    following = next(it, None)
    fixed = [max(len(h), *(len(c[i]) for c, _ in head)) for i, h in enumerate(_HEADERS[:-1])]
    if cut:
        fixed[0] = min(fixed[0], max(_ID_CAP, width // 4))
    if following is not None:
        fixed = [max(w, least) for w, least in zip(fixed, _PAGED_WIDTHS, strict=True)]
    last = max(12, width - sum(fixed) - 2 * len(fixed) - 1) if cut else None

    def line(cells: tuple[str, ...], state: str | None) -> str:
        parts = [c.ljust(w) for c, w in zip(cells, fixed, strict=False)]
        if cut:
            parts[0] = _fit(cells[0], fixed[0]).ljust(fixed[0])
        if state and color:
            code = _COLORS.get(state, "0")
            parts[1] = f"\033[{code}m{parts[1]}\033[0m"
        for i in (3, 4, 6):  # numbers read best right-aligned
            parts[i] = parts[i].strip().rjust(fixed[i])
        return "  ".join([*parts, _fit(cells[-1], last)]).rstrip()

    yield line(_HEADERS, None)
    for cells, state in head:
        yield line(cells, state)
    if following is not None:
        for row in chain([following], it):
            yield line(_table_cells(row, now), row["state"])


def _table_cells(row: dict[str, Any], now: float) -> tuple[str, ...]:
    fetched = row["last_fetch"]
    fetched_ago = _ago(now - datetime.fromisoformat(fetched).timestamp()) if fetched else "never"
    due = row["next_due"]
    nxt = "-" if due is None else ("now" if due <= now else "in " + _span(due - now))
    # A failure, else what a refresh that worked was warned of (an ill-formed feed read
    # leniently, a feed with no items: shown only in `sources ID` before), else the name.
    if row["state"] in ("failing", "gone"):
        detail = row["last_error"]
    else:
        detail = f"warning: {row['warning']}" if row["warning"] else row["name"]
    if row["adopted_url"]:
        detail += f" (moved to {row['adopted_url']})"
    return (
        row["id"],
        row["state"],
        fetched_ago,
        str(row["http_status"] or "-"),
        str(row["consecutive_errors"]),
        nxt,
        str(row["articles"]),
        detail,
    )


def format_source(row: dict[str, Any], now: float) -> str:
    """One source of the table, every field on its own line and none of them cut."""
    fetched = row["last_fetch"]
    due = row["next_due"]
    facts = [
        ("id", row["id"]),
        ("name", row["name"]),
        ("url", row["url"]),
        ("moved to", row["adopted_url"] or ""),
        ("categories", ", ".join(row["categories"])),
        ("state", row["state"]),
        (
            "fetched",
            f"{fetched} ({_ago(now - datetime.fromisoformat(fetched).timestamp())})"
            if fetched
            else "never",
        ),
        ("outcome", row["outcome"] or "-"),
        ("http status", str(row["http_status"] or "-")),
        ("errors in a row", str(row["consecutive_errors"])),
        ("next", "-" if due is None else ("now" if due <= now else "in " + _span(due - now))),
        ("articles", str(row["articles"])),
        ("unreadable dates", str(row.get("unreadable_dates") or "")),
        (
            "dates ahead",
            f"{row['future_dates']} in the last feed, dated when first seen (a date without its"
            " zone read in the wrong one? set the source's timezone)"
            if row.get("future_dates")
            else "",
        ),
        ("full text failures", str(row.get("full_text_failures") or "")),
        ("last full text error", str(row.get("full_text_error") or "")),
        ("pages waiting", str(row.get("pages_pending") or "")),
        ("last error", row["last_error"] or ("" if row.get("warning") else "-")),
        # A source that reads fine may still have been warned of (a feed read leniently).
        ("warning", row.get("warning") or ""),
    ]
    width = max(len(label) for label, _ in facts)
    return "\n".join(
        f"{label + ':':<{width + 1}} {escaped_controls(value)}" for label, value in facts if value
    )


def _fit(text: str, width: int | None) -> str:
    """`text` on one line, cut to `width` terminal cells (CJK characters take two; None: uncut),
    its control characters written as escapes ("\\u001b"): an error quotes what a source sent
    (the feed links a page advertises), and a raw ESC in it recoloured or rewrote the operator's
    terminal, as the logs already prevent (logs.escaped_controls)."""
    text = escaped_controls(" ".join(text.split()))
    if width is None or _cells(text) <= width:
        return text
    out, used = [], 0
    for ch in text:
        if used + _cells(ch) > width - 1:
            break
        out.append(ch)
        used += _cells(ch)
    return "".join(out) + "…"


def _cells(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _span(seconds: float) -> str:
    seconds = abs(seconds)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{int(seconds // size)}{unit}"
    return f"{int(seconds)}s"


def _ago(seconds: float) -> str:
    return _span(seconds) + " ago"
