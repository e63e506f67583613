"""The baseline of bench/serve.py: a minimal Flask app that answers with canned bytes from memory.

bench/serve.py fetches each target from our app once, writes the responses (status, headers, body)
to a JSON file and names it in $BENCH_MINIMAL_DATA; gunicorn then runs `minimal_app:create_app()`
with the same settings as ours. Each target path gets one route that returns exactly our bytes and
headers, so the difference between the two servers is our app's work per request, nothing else.
A request whose If-None-Match equals the canned ETag gets the canned 304, as ours would.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask, Response, request

DATA_ENV = "BENCH_MINIMAL_DATA"


def create_app() -> Flask:
    """The app serving every route of the file $BENCH_MINIMAL_DATA names."""
    spec = json.loads(Path(os.environ[DATA_ENV]).read_text())
    app = Flask(__name__)
    for n, route in enumerate(spec["routes"]):
        app.add_url_rule(route["path"], f"route{n}", _view(route))
    return app


def _view(route: dict[str, Any]) -> Callable[[], Response]:
    body = base64.b64decode(route["body"])
    headers: dict[str, str] = route["headers"]
    etag: str = route.get("etag", "")
    not_modified_headers: dict[str, str] = route.get("not_modified_headers", {})

    def view() -> Response:
        if etag and request.headers.get("If-None-Match") == etag:
            return Response(status=304, headers=not_modified_headers)
        return Response(body, status=200, headers=headers)

    return view
