"""One log format for every process: key=value lines by default, JSON with LOG_FORMAT=json.

Code logs a short event name as the message and its data as `extra={"fields": {...}}`, so a
refresh is one line with source id, URL, outcome, HTTP status, duration and counts. A field that
holds a list is a list in JSON; in key=value lines it is counted, and each item follows as a line
of its own, with the event's time, level, process, logger and event, and the item under the
field's singular (`problems` → `problem="…"`): readable on a terminal, and still one whole line per
record for a log shipper.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from datetime import UTC, datetime
from typing import Any

from aggregator.errors import SettingExit


class _Formatter(logging.Formatter):
    def __init__(self, as_json: bool, process_name: str) -> None:
        super().__init__()
        self.as_json = as_json
        self.process_name = process_name

    def format(self, record: logging.LogRecord) -> str:
        fields: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "process": self.process_name,
            "logger": record.name,
            "event": record.getMessage(),
        }
        fields.update(getattr(record, "fields", {}))
        if record.exc_info:
            fields["exception"] = self.formatException(record.exc_info)
        if self.as_json:
            return json.dumps(fields, ensure_ascii=False, default=str)  # lists stay lists
        # A list (such as a config's problems) is counted on the line, and each item follows it
        # as a line of its own, rather than one unreadable line of "\n" escapes. Each of those
        # is whole (time, level, process, event): a shipper reading a line as a record files an
        # indented continuation alone, without them (a review).
        head = " ".join(f"{key}={_kv(fields[key])}" for key in _HEAD)
        items = [
            f"{head} {key.removesuffix('s')}={_kv(' '.join(str(item).split()))}"
            for key, value in fields.items()
            if isinstance(value, list | tuple)
            for item in value
        ]
        line = " ".join(
            f"{key}={len(value) if isinstance(value, list | tuple) else _kv(value)}"
            for key, value in fields.items()
            if value != ""
        )
        return "\n".join([line, *items])


def stderr_handler(process_name: str) -> logging.Handler:
    """A handler writing our lines (key=value, or JSON with LOG_FORMAT=json) to stderr."""
    as_json = os.environ.get("LOG_FORMAT", "").lower() == "json"
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Formatter(as_json, process_name))
    return handler


def _kv(value: object) -> str:
    """A value as the text line writes it: quoted (JSON) when it holds a space, a quote, "=" or
    a control character. A request's path is anyone's: a raw ESC or CR in it recoloured or
    rewrote the operator's terminal as it showed the log (a review)."""
    text = "" if value is None else str(value)
    if not text or _QUOTED.search(text):
        return escaped_controls(json.dumps(text, ensure_ascii=False))
    return text


_HEAD = ("ts", "level", "process", "logger", "event")  # what each line of one event repeats
_QUOTED = re.compile(r'[ "=\x00-\x1f\x7f-\x9f]')
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def escaped_controls(text: str) -> str:
    """`text` with each control character written as a JSON escape (JSON itself leaves DEL
    and the C1 controls as they are, and a terminal takes 0x9b for ESC "[")."""
    return _CONTROL.sub(lambda m: f"\\u{ord(m[0]):04x}", text)


LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")  # (and the other names logging knows)
FORMATS = ("", "text", "json")


def configure(process_name: str, level: str | None = None) -> None:
    """Send this process's logs to stderr in the configured format; exit naming the variable
    when LOG_LEVEL or LOG_FORMAT says something else (a traceback from every command before)."""
    log_format = os.environ.get("LOG_FORMAT", "").lower()
    if log_format not in FORMATS:
        raise SettingExit(f"aggregator: LOG_FORMAT={log_format!r}: use json, or text (the default)")
    level = level or os.environ.get("LOG_LEVEL", "INFO").upper()
    if level not in logging.getLevelNamesMapping():  # WARN, FATAL and NOTSET too
        raise SettingExit(f"aggregator: LOG_LEVEL={level!r}: use {', '.join(LEVELS)}")
    root = logging.getLogger()
    root.handlers[:] = [stderr_handler(process_name)]
    root.setLevel(level)
    # Per-request lines from libraries drown the one line per refresh that matters.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
