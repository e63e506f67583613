"""Operator pages under /admin/: every source's health, its fetch history, and actions on it.

Off unless ADMIN_TOKEN is set: without it every /admin URL is a 404, never an open door. With it,
a request needs `Authorization: Bearer <token>` or the session cookie the login form sets (signed
with a key derived from the token, so changing the token ends every session; HttpOnly,
SameSite=Strict) whose session also lives in Redis, so logging out ends it everywhere. A POST
authorized by the cookie also needs the form's CSRF token, which is tied to that session. The RQ
dashboard is mounted at /admin/rq behind the same check; HEAD counts as GET there as everywhere.

Guessing is throttled, never slept on (a sleeping request holds a worker): after
AUTH_FAILURES_ALLOWED wrong tokens (login form or bearer) from one client address within
AUTH_WINDOW seconds, that address gets 429 until the window ends. The count is in Redis, so every
web process on every machine shares it. A token shorter than MIN_TOKEN_LENGTH stops start-up,
and so does one obviously weak (token_weakness: a pattern repeated, a placeholder word).

`init_app(app)` registers all of it.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import json
import os
import re
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import pairwise
from typing import Any, cast

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.wrappers import Response as BaseResponse

from aggregator import actions, boilerplate
from aggregator.config import SourceConfig
from aggregator.errors import SettingError
from aggregator.http_server import client_key
from aggregator.models import SOURCE_STATES, SourceState, source_health
from aggregator.queues import QUEUE_NAME
from aggregator.store import Store
from aggregator.web import Page, get_config, get_store
from aggregator.web.health import Readiness, check_readiness, heartbeat_window

bp = Blueprint("admin", __name__, url_prefix="/admin")

TOKEN_ENV = "ADMIN_TOKEN"  # noqa: S105 - the variable's name, not a secret
COOKIE = "aggregator_admin"
SESSION_SECONDS = 12 * 3600
MIN_TOKEN_LENGTH = 24
AUTH_FAILURES_ALLOWED = 10  # wrong tokens per client address and window...
AUTH_WINDOW = 300  # ...of this many seconds, after which it gets 429 until the window ends
HISTORY_SHOWN = 50
ARTICLES_SHOWN = 15

# The RQ dashboard's pages carry inline script and style, and compile their templates with
# underscore's `_.template` (`new Function`, hence 'unsafe-eval'): without it they stay on
# "Loading...". Only there, and only for operators behind the token.
RQ_DASHBOARD_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; "
    "style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)

# --- authentication ---------------------------------------------------------------------------


def admin_token() -> str:
    """The configured token; "" means the admin pages are off."""
    return os.environ.get(TOKEN_ENV, "").strip()


def check_admin_token() -> None:
    """Refuse to start with a token short enough to guess, or obviously weak (token_weakness);
    SettingError says what to do."""
    token = admin_token()
    # (Not a ConfigError: "invalid configuration: 1 problem(s)" sent the operator to the
    # config file, where no token is, nor may be.)
    if token and len(token) < MIN_TOKEN_LENGTH:
        raise SettingError(
            f"{TOKEN_ENV} (an environment variable) is {len(token)} characters long: use at"
            f" least {MIN_TOKEN_LENGTH}, e.g. the output of: {_GOOD_TOKEN}"
        )
    if token and (weakness := token_weakness(token)):
        raise SettingError(
            f"{TOKEN_ENV} (an environment variable) {weakness}: anyone could guess it; use a"
            f" random one, e.g. the output of: {_GOOD_TOKEN}"
        )


_GOOD_TOKEN = "python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"  # noqa: S105
# Fewer different characters than this: a random token of the least accepted length has fewer
# once in ~300 million when hex (secrets.token_hex(12)), never in practice when token_urlsafe.
MIN_TOKEN_CHARACTERS = 6
# What a token is written with until a real one replaces it (examples, defaults, jokes): one
# made of them, a few characters aside, is what a guesser tries first.
PLACEHOLDER_WORDS = (
    "admin", "aggregator", "changeme", "change", "default", "dummy", "example", "fixme",
    "insecure", "letmein", "passw0rd", "password", "passwd", "placeholder", "qwerty", "replace",
    "sample", "secret", "test", "todo", "token", "hunter", "random", "string", "your", "here",
    "abc", "123", "foo", "bar", "baz", "xxx",
)  # fmt: skip
_PLACEHOLDERS = re.compile(
    "|".join(sorted(PLACEHOLDER_WORDS, key=len, reverse=True)), re.IGNORECASE
)
_NOT_WORD = re.compile(r"[\W_]+")
MIN_TOKEN_REST = 12  # characters a token has beside placeholder words and separators


def token_weakness(token: str) -> str:
    """How the token is obviously weak ("" when it is not): a short pattern repeated
    ("changemechangemechangeme"), or a run ("abcdef…"), few different characters, or made of
    placeholder words."""
    if (period := _shortest_period(token)) <= len(token) // 2:
        return f"is a pattern of {period} character{'s' if period > 1 else ''} repeated"
    steps = [ord(b) - ord(a) for a, b in pairwise(token)]
    if _shortest_period(steps) <= len(steps) // 2:
        return "is a run (as abcd… or 1357… are)"
    if (different := len(set(token))) < MIN_TOKEN_CHARACTERS:
        return f"has only {different} different characters"
    if len(_NOT_WORD.sub("", _PLACEHOLDERS.sub("", token))) < MIN_TOKEN_REST:
        words = sorted({word.lower() for word in _PLACEHOLDERS.findall(token)})
        return f"is made of the placeholder word(s) {', '.join(words)}"
    return ""


def _shortest_period(items: Sequence[object]) -> int:
    """The least p with items[i] == items[i - p] throughout (len(items) when none is shorter),
    by the Knuth-Morris-Pratt failure function: linear, however long the token."""
    failure = [0] * len(items)
    for i in range(1, len(items)):
        k = failure[i - 1]
        while k and items[i] != items[k]:
            k = failure[k - 1]
        failure[i] = k + (items[i] == items[k])
    return len(items) - failure[-1] if items else 0


def _key(token: str, purpose: bytes) -> bytes:
    return hmac.new(token.encode(), b"aggregator admin " + purpose, hashlib.sha256).digest()


def _serializer(token: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(_key(token, b"session"), salt="admin-session")


def csrf_for(token: str, nonce: str) -> str:
    """The CSRF token of a session."""
    return hmac.new(_key(token, b"csrf"), nonce.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Auth:
    """How the current request proved it is an operator."""

    bearer: bool
    nonce: str  # the session's nonce ("" for bearer requests)


def _same(given: str, expected: str) -> bool:
    """Constant-time comparison that also takes non-ASCII input (str compare_digest cannot)."""
    return hmac.compare_digest(given.encode(), expected.encode())


def authenticate(token: str) -> Auth | BaseResponse | None:
    """The request's credentials if they are right, a 429 if they are wrong and its address is
    throttled, or None. The right token always passes: failures from an address the operator
    shares (a NAT, a proxy) must not lock them out, and a token of MIN_TOKEN_LENGTH characters
    cannot be guessed in any number of tries; the throttle keeps wrong ones from flooding."""
    header = request.headers.get("Authorization", "")
    scheme, _, given = header.partition(" ")
    if scheme.lower() == "bearer" and given:
        if _same(given.strip(), token):
            return Auth(True, "")
        return _failed()
    cookie = request.cookies.get(COOKIE)
    if cookie:
        try:
            nonce = _serializer(token).loads(cookie, max_age=SESSION_SECONDS)
        except BadSignature:  # also a SignatureExpired
            return None
        if isinstance(nonce, str) and get_store().admin_session_exists(nonce):
            return Auth(False, nonce)
    return None


def _client() -> str:
    # The address the server sees (an IPv6 one's /64); behind reverse proxies, the client's when
    # WEB_TRUSTED_PROXIES says how many (aggregator/http_server.py).
    return client_key(request.remote_addr or "unknown")


def _failed() -> BaseResponse | None:
    """A wrong token: 429 while the client's address has used up its failed attempts, else
    None, the failure counted against it."""
    # Counted first, then judged, in one step: read-then-count let a burst of parallel guesses
    # all read a count under the limit (18 got through, not 10).
    count, ends_in = get_store().record_auth_failure(_client(), AUTH_WINDOW)
    if count > AUTH_FAILURES_ALLOWED:
        return _too_many(ends_in)
    if count == AUTH_FAILURES_ALLOWED:
        current_app.logger.warning(
            "admin authentication throttled",
            extra={"fields": {"client": _client(), "failures": count, "for_seconds": ends_in}},
        )
    return None


def _too_many(retry_after: int) -> BaseResponse:
    message = f"Too many wrong tokens from your address; try again in {retry_after} s."
    response = _login_page(429, message)
    response.headers["Retry-After"] = str(retry_after)
    return response


def guard() -> BaseResponse | None:
    """404 when the admin is off, 401 without the right credentials, CSRF check on POSTs."""
    token = admin_token()
    if not token:
        abort(404)
    if request.endpoint in ("admin.login", "admin.stylesheet"):
        return None
    auth = authenticate(token)
    if auth is None:
        return _login_page(401, "")
    if not isinstance(auth, Auth):
        return auth  # throttled
    # HEAD is GET without the body: Flask runs the GET view for it, so it must pass GET's checks.
    safe = request.method in ("GET", "HEAD")
    if not safe and request.blueprint == "rq_dashboard" and not auth.bearer:
        # rq-dashboard's own buttons post by XHR without a form token. A cross-site request can
        # neither set this header nor carry our SameSite=Strict cookie; the browser's own
        # Sec-Fetch-Site says the same where it is sent.
        xhr = request.headers.get("X-Requested-With") == "XMLHttpRequest"
        if not xhr or request.headers.get("Sec-Fetch-Site", "same-origin") != "same-origin":
            abort(400, "dashboard actions must come from the dashboard page itself")
    elif request.method == "POST" and not auth.bearer:
        given = request.form.get("csrf", "")
        if not _same(given, csrf_for(token, auth.nonce)):
            abort(400, "the form's CSRF token is missing or wrong: reload the page and try again")
    dashboard_get = request.blueprint == "rq_dashboard" and safe
    if dashboard_get and "/requeue" in request.path:
        abort(405, "requeue changes state: use the dashboard's button (POST)")
    request.environ["aggregator.admin"] = auth
    return None


def _login_page(status: int, message: str) -> BaseResponse:
    response = Response(render_template("admin/login.html", message=message), status=status)
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="aggregator admin"'
    response.headers["Cache-Control"] = "no-store"
    return response


bp.before_request(guard)


@bp.after_request
def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.context_processor
def _csrf() -> dict[str, Any]:
    auth: Auth | None = request.environ.get("aggregator.admin")
    token = admin_token()
    value = csrf_for(token, auth.nonce) if auth and token and not auth.bearer else ""
    return {"csrf_token": value, "states": SOURCE_STATES}


@bp.route("/login", methods=["GET", "POST"])
def login() -> BaseResponse:
    """A form that exchanges the token for a session cookie."""
    if request.method in ("GET", "HEAD"):  # a HEAD is no login attempt
        return _login_page(200, "")
    token = admin_token()
    given = request.form.get("token", "").strip()
    if not given or not _same(given, token):
        return _failed() or _login_page(401, "That is not the admin token.")
    nonce = secrets.token_urlsafe(16)
    get_store().start_admin_session(nonce, SESSION_SECONDS)
    response = redirect(url_for("admin.index"), code=303)
    response.set_cookie(
        COOKIE,
        _serializer(token).dumps(nonce),
        max_age=SESSION_SECONDS,
        path="/admin",
        # From the configured address, not the request: behind a TLS-terminating proxy the
        # request itself looks like plain HTTP.
        secure=request.is_secure or get_config().site.base_url.startswith("https://"),
        httponly=True,
        samesite="Strict",
    )
    return response


@bp.post("/logout")
def logout() -> BaseResponse:
    """End the session: in Redis, so its cookie stops working even if a copy of it is kept."""
    auth: Auth | None = request.environ.get("aggregator.admin")
    if auth is not None and not auth.bearer:
        get_store().end_admin_session(auth.nonce)
    response = redirect(url_for("admin.login"), code=303)
    response.delete_cookie(COOKIE, path="/admin")
    return response


# --- the pages --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceRow:
    """One line of the source table."""

    source: SourceConfig
    state: SourceState
    health: str
    due: datetime | None  # when the scheduler will next refresh it; None: not scheduled


def source_rows(sources: Sequence[SourceConfig], store: Store) -> list[SourceRow]:
    """These sources with their states, in the given order (one read of their states)."""
    states = store.get_states([s.id for s in sources])
    scheduled = store.due_times([s.id for s in sources])
    rows = []
    for source in sources:
        state = states[source.id]
        due = scheduled.get(source.id)
        rows.append(
            SourceRow(
                source=source,
                state=state,
                health=source_health(state),
                due=datetime.fromtimestamp(due, UTC) if due is not None else None,
            )
        )
    return rows


_EPOCH = datetime.fromtimestamp(0, UTC)
# Columns of a source's state: sorting by one reads every source's state (O(sources), asked
# for); the default order, name, state and the state filter read only the page's states.
SORT_KEYS: dict[str, Any] = {
    "last_fetch": lambda r: r.state.last_fetch or _EPOCH,
    "status": lambda r: r.state.http_status or 0,
    "errors": lambda r: r.state.consecutive_errors,
    "next_due": lambda r: r.due or datetime.max.replace(tzinfo=UTC),
    "articles": lambda r: r.state.article_count,
}
SORTS = ("name", "state", *SORT_KEYS)
PAGE_SIZE = 200


def sort_rows(rows: list[SourceRow], key: str, descending: bool) -> list[SourceRow]:
    """The rows ordered by one column of their state; unknown columns keep config order."""
    if key not in SORT_KEYS:
        return rows
    return sorted(rows, key=SORT_KEYS[key], reverse=descending)


@bp.get("/")
def index() -> str:
    """The source table, a page at a time, sortable by column and filterable by state."""
    config, store = get_config(), get_store()
    state = request.args.get("state", "")
    state = state if state in SOURCE_STATES else ""
    sort = request.args.get("sort", "")
    sort = sort if sort in SORTS else ""
    descending = request.args.get("order", "") == "desc"
    query = request.args.get("q", "").strip()[:200]
    sources = list(config.sources)
    if query:  # a substring of the name, id or URL, any case: finding one of 60,000
        folded = query.casefold()
        sources = [
            s
            for s in sources
            if folded in s.name.casefold()
            or folded in s.id.casefold()
            or folded in s.url.casefold()
        ]
    words = store.state_words([s.id for s in sources]) if state or sort == "state" else {}
    if state:
        sources = [s for s in sources if words[s.id] == state]
    if sort == "name":
        sources.sort(key=lambda s: s.name.casefold(), reverse=descending)
    elif sort == "state":
        sources.sort(key=lambda s: SOURCE_STATES.index(words[s.id]), reverse=descending)
    page = Page.requested(len(sources), PAGE_SIZE)
    if sort in SORT_KEYS:
        rows = sort_rows(source_rows(sources, store), sort, descending)[page.items]
    else:
        rows = source_rows(sources[page.items], store)
    counts = dict.fromkeys(SOURCE_STATES, 0) | store.state_counts()
    previous_url, next_url = page.links(
        "admin.index",
        q=query or None,
        state=state or None,
        sort=sort or None,
        order="desc" if descending else None,
    )

    return render_template(
        "admin/index.html",
        rows=rows,
        counts=counts,
        state=state,
        sort=sort,
        descending=descending,
        query=query,
        found=len(sources),
        page=page.number,
        pages=page.pages,
        previous_url=previous_url,
        next_url=next_url,
        now=datetime.now(UTC),
        ago=ago,
        config_problems=store.config_problems(),
        config_warnings=store.config_warnings(),
        service=service_health(store),
    )


@dataclass(frozen=True)
class ServiceHealth:
    """The service at a glance, for the top of the admin's source table: what /readyz and the
    gauges of /metrics say, for an operator who has no dashboard of them (a few small reads)."""

    readiness: Readiness
    lag: float  # seconds the most overdue source is late (0: none is)
    waiting: int  # jobs in the refresh queue
    failed: int  # jobs in its failed registry: bugs, each with its traceback on the RQ pages


def service_health(store: Store) -> ServiceHealth:
    from rq import Queue

    now = datetime.now(UTC)
    readiness = check_readiness(store, now, heartbeat_window())
    if "redis" in readiness.problems:
        return ServiceHealth(readiness, 0.0, 0, 0)
    queue = Queue(QUEUE_NAME, connection=store.redis)
    return ServiceHealth(
        readiness,
        lag=store.scheduler_lag(now.timestamp()),
        waiting=queue.count,
        failed=queue.failed_job_registry.get_job_count(cleanup=False),
    )


@bp.get("/sources/<source_id>")
def source(source_id: str) -> str:
    """One source: its state, recent fetch history, newest articles and the actions."""
    config = get_config()
    src = config.source(source_id) or abort(404)
    store = get_store()
    state = store.get_state(source_id)
    due = store.due_at(source_id)
    return render_template(
        "admin/source.html",
        source=src,
        state=state,
        health=source_health(state),
        due=datetime.fromtimestamp(due, UTC) if due is not None else None,
        history=store.fetch_history(source_id, HISTORY_SHOWN),
        articles=store.source_articles(source_id, ARTICLES_SHOWN),
        copies=store.copy_counts([source_id])[source_id],
        learned=len(store.boilerplate(source_id, boilerplate.CONTENT_MIN_ARTICLES)),
        now=datetime.now(UTC),
        ago=ago,
        message=_done_message(request.args.get("done", ""), state),
    )


DONE_MESSAGES = {
    "refresh": "Refresh requested: it is due now, and a worker will fetch it in a moment.",
    "pause": "Paused: it is not fetched until resumed.",
    "resume": "Resumed: it is due now.",
    "reset": "Errors forgotten: it is due now.",
}


def _done_message(action: str, state: SourceState) -> str:
    """What the button just pressed did, as the source's state now says."""
    if action == "reset" and state.paused:
        return "Errors forgotten; it is still paused: not fetched until resumed."
    if action == "refresh" and state.paused:
        return "Refresh requested: a worker will fetch it in a moment, once; it stays paused."
    return DONE_MESSAGES.get(action, "")


def ago(when: datetime | None, now: datetime) -> str:
    """ "3m ago", "in 2h", "never"."""
    if when is None:
        return "never"
    seconds = (when - now).total_seconds()
    amount = abs(seconds)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if amount >= size:
            text = f"{int(amount // size)}{unit}"
            break
    else:
        text = f"{int(amount)}s"
    return f"in {text}" if seconds > 0 else f"{text} ago"


@bp.post("/sources/<source_id>/<any(refresh, pause, resume, reset):action>")
def act(source_id: str, action: str) -> BaseResponse:
    """Run one of the source's buttons, then show the source again."""
    config = get_config()
    if config.source(source_id) is None:
        abort(404)
    actions.act(get_store(), source_id, cast(actions.Action, action), datetime.now(UTC))
    current_app.logger.info(
        "admin action", extra={"fields": {"source": source_id, "action": action}}
    )
    return redirect(url_for("admin.source", source_id=source_id, done=action), code=303)


@bp.get("/admin.css")
def stylesheet() -> Response:
    """The admin pages' few styles (a file of our own: the CSP allows no inline style)."""
    response = Response(STYLESHEET, content_type="text/css; charset=utf-8")
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


STYLESHEET = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 0; color: #1d232b; background: #f6f7f9; }
header.admin { background: #1d232b; color: #fff; padding: .6rem 1rem; display: flex; gap: 1rem;
  align-items: center; }
header.admin a { color: #cfe3ff; }
header.admin form { margin-left: auto; }
main { padding: 1rem; }
table { border-collapse: collapse; width: 100%; background: #fff; }
/* On a phone a table scrolls in its own box, not the page; a long URL or error wraps. */
.wide { overflow-x: auto; }
td.error, td.warning { min-width: 16rem; overflow-wrap: anywhere; }
dl.facts dd { overflow-wrap: anywhere; }
th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid #e3e6ea;
  vertical-align: top; }
th a { color: inherit; }
td.num, th.num { text-align: right; }
.badge { display: inline-block; padding: 0 .45rem; border-radius: .6rem; font-size: 12px; }
.badge-healthy { background: #d9f2df; color: #17612b; }
.badge-failing { background: #fde2e1; color: #8a1c17; }
.badge-gone { background: #e4e4e4; color: #444; }
.badge-paused { background: #fff1c9; color: #6b5100; }
.badge-pending { background: #e1ecfb; color: #174a8a; }
.error { color: #8a1c17; }
.warning { color: #6b5100; }
.filters a { margin-right: .6rem; }
.filters a[aria-current] { font-weight: bold; }
.actions { display: flex; gap: .5rem; margin: 1rem 0; }
.notice { background: #e1ecfb; padding: .5rem .8rem; }
.warnings { background: #fff1c9; padding: .1rem .8rem; margin-bottom: .8rem; }
dl.service { display: flex; flex-wrap: wrap; gap: .2rem 1.4rem; background: #fff;
  padding: .5rem .8rem; margin: 0 0 .8rem; }
dl.service div { display: flex; gap: .4rem; }
dl.service dt { font-weight: bold; }
dl.service dd { margin: 0; }
dl.facts { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: .2rem 1rem; }
dl.facts dt { font-weight: bold; }
form.search { display: flex; gap: .5rem; align-items: center; margin: 0 0 .6rem; }
form.search input[type=search] { flex: 0 1 18rem; min-width: 8rem; }
nav.pagination { display: flex; gap: 1rem; margin: .8rem 0; }
"""


# --- registration -----------------------------------------------------------------------------


def init_app(app: Flask) -> None:
    """Register the admin pages and the RQ dashboard (at /admin/rq) behind the same guard."""
    check_admin_token()
    app.register_blueprint(bp)
    import rq_dashboard
    from rq_dashboard.web import setup_rq_connection

    # create_app sets REDIS_URL before it calls this: the dashboard connects by URL.
    app.config.setdefault("RQ_DASHBOARD_REDIS_URL", app.config["REDIS_URL"])
    setup_rq_connection(app)
    app.register_blueprint(rq_dashboard.blueprint, url_prefix="/admin/rq")

    # rq-dashboard answers 500, with a traceback in the log, for a job whose result expired
    # (kept 300 s: an operator's link to a finished job), an instance number past its list, or a
    # page size of 0: those are pages that do not exist.
    from rq.exceptions import NoSuchJobError

    def _no_such_page(error: Exception) -> BaseResponse:
        if request.blueprint != "rq_dashboard":
            raise error  # (not the dashboard's: as without this handler)
        return Response("No such page of the RQ dashboard.\n", 404, mimetype="text/plain")

    for missing in (NoSuchJobError, LookupError, ZeroDivisionError):
        app.register_error_handler(missing, _no_such_page)

    @app.before_request
    def _guard_dashboard() -> BaseResponse | None:
        if request.blueprint == "rq_dashboard":
            return guard()
        return None

    @app.after_request
    def _dashboard_csp(response: Response) -> Response:
        if request.blueprint == "rq_dashboard":
            response.headers["Content-Security-Policy"] = RQ_DASHBOARD_CSP
            response.headers["Cache-Control"] = "no-store"
            if response.is_json:  # every string of its data escaped, but what it escapes itself
                escape = _DASHBOARD_ESCAPES.get(request.endpoint or "", _escaped)
                response.set_data(json.dumps(escape(response.get_json())))
        return response


def _escaped_jobs(listing: Any) -> Any:
    """The jobs list's data with its strings escaped (it writes a queue's name and a job's id
    and dates unescaped), but a job's description and error, which that page escapes itself."""
    escaped = _escaped(listing)
    for raw, job in zip(listing.get("jobs", ()), escaped.get("jobs", ()), strict=True):
        for name in ("description", "exc_info"):
            if name in raw:
                job[name] = raw[name]
    return escaped


def _escaped_workers(listing: Any) -> Any:
    """The workers page's data with its strings escaped (it writes a busy worker's job call,
    its arguments in it, unescaped), but the job's description, which that page escapes itself."""
    escaped = _escaped(listing)
    for raw, worker in zip(listing.get("workers", ()), escaped.get("workers", ()), strict=True):
        job = raw.get("current_job")
        if isinstance(job, dict) and "description" in job:
            worker["current_job"]["description"] = job["description"]
    return escaped


# The dashboard's JSON, escaped before its pages write it into the page as HTML (underscore's
# `<%= %>`), under a policy that allows inline script: every endpoint's, deny by default (a review
# found the queues page writing a queue's name raw, where only two endpoints were escaped).
_DASHBOARD_ESCAPES: dict[str, Callable[[Any], Any]] = {
    "rq_dashboard.list_jobs": _escaped_jobs,
    "rq_dashboard.list_workers": _escaped_workers,
}


def _escaped(value: Any) -> Any:
    """Every string in `value` HTML-escaped. rq-dashboard's job page writes a job's description,
    error and result into the page unescaped (underscore's `<%= %>`), under a policy that allows
    inline script: an exception whose message carries a feed's text ran that text as script in
    the operator's session."""
    if isinstance(value, str):
        return html.escape(value)
    if isinstance(value, list):
        return [_escaped(v) for v in value]
    if isinstance(value, dict):
        return {k: _escaped(v) for k, v in value.items()}
    return value
