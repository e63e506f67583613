"""Fetch a source over HTTP: one conditional GET, bounded in time, size and address space.

Every failure becomes a `FetchError` whose `outcome` says what kind it is:

    BLOCKED           a private address, a scheme other than http(s), a redirect loop, too many hops
    TIMEOUT           connect or read timeout, or the overall deadline (redirects and body included)
    TOO_LARGE         the decoded body would exceed `max_body_bytes`
    GONE              HTTP 410
    HTTP_ERROR        any other 4xx/5xx (with `retry_after` when the server sent Retry-After)
    CONNECTION_ERROR  DNS, connect, TLS and protocol failures

How the limits hold:
- Redirects are followed by hand, so every hop's URL is checked and the chain can be reported.
- The address policy lives in the network backend under httpx (`_GuardedBackend`): it resolves the
  host itself, refuses the connection if any resolved address is not public (unless the source's
  policy allows that private address or host), and connects to the vetted address. A backend
  belongs to one pool and one client, and the Fetcher keeps one client per policy: a pooled
  connection opened for a source allowed into a private network is never reused by another
  source, so a redirect from a source that is not allowed can never reach a private address.
  The check happens on the connection actually made, for every new connection of every hop, so
  DNS rebinding between a check and a connect cannot slip through. TLS still uses the
  URL's host name for SNI and certificate checks, and the Host header is untouched, because httpcore
  starts TLS on the stream we return with the origin's host name.
- The overall deadline is applied by the same backend's streams: every socket read, write and
  connect waits at most until the deadline of the fetch running on the current thread, and
  what they read before the body (heads, 1xx answers) is bounded (MAX_HEAD_BYTES).
- Bodies are decoded here, not by httpx, with decompressors told how much output they may produce
  (httpx's decoders call decompress() without a limit, so one 64 KiB chunk of a bomb can expand to
  hundreds of megabytes before any check runs).
"""

from __future__ import annotations

import contextlib
import functools
import http.cookiejar
import ipaddress
import re
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Protocol

import brotli
import httpcore
import httpx

from aggregator import gzip_member, schedule
from aggregator.addresses import address_problem
from aggregator.config import FetchConfig, format_duration
from aggregator.errors import FetchError
from aggregator.models import FetchResult, Outcome

USER_AGENT_PRODUCT = "aggregator/0.1"
ACCEPT = (
    "application/atom+xml, application/rss+xml, application/feed+json, "
    "application/xml;q=0.9, */*;q=0.8"
)
ACCEPT_ENCODING = "gzip, deflate, br"

# Response headers handed downstream (parse, scheduler, WebSub discovery); ETag and Last-Modified
# travel in their own fields.
KEPT_HEADERS = (
    "content-type",
    "content-location",
    "content-language",
    "cache-control",
    "expires",
    "retry-after",
    "age",
    "date",
    "link",
)

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_PERMANENT_REDIRECTS = frozenset({301, 308})


def default_user_agent(base_url: str) -> str:
    """The User-Agent naming this service and where to learn about it."""
    return f"{USER_AGENT_PRODUCT} (+{base_url})"


@dataclass(frozen=True)
class PrivateAccess:
    """Which non-public addresses a source may reach: any, or only these networks and hosts."""

    any: bool = False
    networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()
    hosts: frozenset[str] = frozenset()

    @classmethod
    def of(cls, allowed: Iterable[str], everywhere: bool = False) -> PrivateAccess:
        """From a source's `allow_private_networks` ("*" for any; else CIDRs, addresses, hosts)."""
        allowed = tuple(allowed)
        if everywhere or "*" in allowed:
            return cls(any=True)
        networks, hosts = [], set()
        for item in allowed:
            try:
                networks.append(ipaddress.ip_network(item, strict=False))
            except ValueError:
                hosts.add(item.lower().rstrip("."))
        return cls(networks=tuple(networks), hosts=frozenset(hosts))

    def covers(self, host: str) -> bool:
        """Whether a URL naming `host` (a name or an address literal) may be fetched at all."""
        try:
            return self.allows(host, host.strip("[]"))
        except ValueError:  # a name, not in self.hosts: allowed only where it resolves to
            return False

    def allows(self, host: str, address: str) -> bool:
        """Whether connecting to `address` (resolved from `host`) is allowed though not public."""
        if self.any or host.lower().rstrip(".") in self.hosts:
            return True
        ip = ipaddress.ip_address(address)
        return any(ip in network for network in self.networks)

    def advice(self) -> str:
        """How to allow an address this refused: the source's setting named as it stands."""
        if not self.networks and not self.hosts:
            return "set allow_private_networks on this source to allow it"
        allowed = ", ".join([*map(str, self.networks), *sorted(self.hosts)])
        return f"not in this source's allow_private_networks ({allowed}); add it there to allow it"


NO_PRIVATE_ACCESS = PrivateAccess()


@functools.cache
def tls_context() -> ssl.SSLContext:
    """The TLS settings of every client: certificates checked against certifi's CA bundle.

    One for the process (an SSLContext is safe to share between threads): loading the bundle
    costs ~60 ms of CPU, and httpx's transport would load it again for a context it never uses.
    """
    return httpx.create_ssl_context(trust_env=False)


def _transport(access: PrivateAccess) -> httpx.HTTPTransport:
    """httpx's transport with our network backend: `access`'s address policy, the deadline."""
    transport = httpx.HTTPTransport(verify=tls_context(), trust_env=False)
    # httpx 0.28 has no public parameter for httpcore's network backend, which is where the
    # address policy and the deadline must sit (see the module docstring), so the transport
    # gets a pool built like its own but with our backend. test_fetch's loopback tests fail
    # if this stops taking effect.
    transport._pool = _Pool(
        ssl_context=tls_context(),
        max_connections=100,
        max_keepalive_connections=20,
        keepalive_expiry=5.0,
        network_backend=_GuardedBackend(access),
    )
    return transport


def operator_client(user_agent: str, timeout: float) -> httpx.Client:
    """A client for a URL the operator configured, not a source's (the WebSub hub): any address
    (a hub may be on the intranet), every socket call ending at the `deadline` around it, no
    redirects, cookies or proxies from the environment."""
    return httpx.Client(
        transport=_transport(PrivateAccess(any=True)),
        trust_env=False,
        cookies=_NoCookies(),
        follow_redirects=False,
        timeout=timeout,
        headers={"User-Agent": user_agent},
    )


@contextlib.contextmanager
def deadline(until: float) -> Iterator[None]:
    """The block's connects, reads and writes (a Fetcher's, an operator_client's) end by `until`,
    a time.monotonic() value: httpx's timeouts are per read, which a byte at a time never
    reaches. What they read before a body is bounded too (MAX_HEAD_BYTES)."""
    token = _DEADLINE.set(until)
    head = _HEAD.set(_Head())
    try:
        yield
    finally:
        _HEAD.reset(head)
        _DEADLINE.reset(token)


class Fetcher:
    """Conditional GETs over pooled, thread-safe httpx clients. Use as a context manager.

    One client (and connection pool) per address policy, so no pooled connection carries one
    source's permission to reach a private network to another source.
    """

    def __init__(self, config: FetchConfig, user_agent: str) -> None:
        self._config = config
        self._user_agent = user_agent
        self._everywhere = config.allow_private_networks
        self._clients: dict[PrivateAccess, httpx.Client] = {}
        self._clients_lock = threading.Lock()

    @property
    def config(self) -> FetchConfig:
        """The fetch settings (its size cap and deadline bound full text's pages too)."""
        return self._config

    def _client_for(self, access: PrivateAccess) -> httpx.Client:
        with self._clients_lock:
            client = self._clients.get(access)
            if client is None:
                client = self._clients[access] = self._new_client(access)
            return client

    def _new_client(self, access: PrivateAccess) -> httpx.Client:
        return httpx.Client(
            transport=_transport(access),
            trust_env=False,
            cookies=_NoCookies(),  # (a fetch keeps its own: _fetch)
            follow_redirects=False,
            event_hooks={"response": [_location_as_browsers_read_it]},
            headers={
                "User-Agent": self._user_agent,
                "Accept": ACCEPT,
                "Accept-Encoding": ACCEPT_ENCODING,
            },
        )

    def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        allow_private: Iterable[str] = (),
        accept: str = ACCEPT,
        max_bytes: int | None = None,
        until: float | None = None,
    ) -> FetchResult:
        """GET `url`, conditionally when validators are given; raise FetchError on any failure.

        Validators are strings holding the raw header bytes decoded as latin-1 (what this method
        returns), so they go back to the server byte for byte. `allow_private` is the source's
        `allow_private_networks`: the non-public networks and hosts it may reach ("*": any).
        `accept`: the Accept header (a feed's by default; full text asks for a web page).
        `max_bytes` and `until` (a time.monotonic() value) only lower the configured size cap and
        deadline: the pages of one article share one page's (fulltext).
        """
        client = self._client_for(PrivateAccess.of(allow_private, self._everywhere))
        # (A stored validator we would not keep today is not sent: see _validator.)
        etag, last_modified = _validator(etag), _validator(last_modified)
        started = time.monotonic()
        end = started + self._config.deadline
        cap = self._config.max_body_bytes
        cap = cap if max_bytes is None else max(min(cap, max_bytes), 0)
        with deadline(end if until is None else min(end, until)):
            return self._fetch(client, url, etag, last_modified, started, accept, cap)

    def close(self) -> None:
        """Close pooled connections."""
        with self._clients_lock:
            for client in self._clients.values():
                client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # --- one fetch ---------------------------------------------------------------------------

    def _fetch(
        self,
        client: httpx.Client,
        url: str,
        etag: str | None,
        last_modified: str | None,
        started: float,
        accept: str,
        cap: int,
    ) -> FetchResult:
        config = self._config
        headers: dict[bytes, bytes] = {}
        if accept != ACCEPT:  # the client's default
            headers[b"Accept"] = accept.encode("ascii")
        if etag is not None:
            headers[b"If-None-Match"] = _to_wire(etag)
        if last_modified is not None:
            headers[b"If-Modified-Since"] = _to_wire(last_modified)

        current = _checked_url(url)
        chain = [str(current)]
        permanent = True
        # Cookies live for one fetch: a redirect that sets one (a consent wall) has it back on
        # the next hop. The client kept them for the worker's life, for every source of a host,
        # and without bound (a server's 30 new cookies a poll: 720 KB of Cookie by the eighth).
        cookies = httpx.Cookies()
        # A URL asked again with other cookies is no loop: the consent wall's redirect back to
        # the feed, with the cookie it set.
        asked: set[tuple[str, str]] = set()
        while True:
            try:
                request = client.build_request(
                    "GET", current, headers=headers, timeout=self._timeout()
                )
                cookies.set_cookie_header(request)
                if (str(current), request.headers.get("cookie", "")) in asked:
                    raise FetchError(f"redirect loop: {' → '.join(chain)}", outcome=Outcome.BLOCKED)
                asked.add((str(current), request.headers.get("cookie", "")))
                response = _sent(client, request)
                try:
                    status = response.status_code
                    # (An empty Location leads nowhere: an HTTP error, not a redirect loop.)
                    if status in _REDIRECTS and response.headers.get("location", "").strip():
                        cookies.extract_cookies(response)
                        current = _next_hop(current, response, chain, config.max_redirects)
                        chain.append(str(current))
                        permanent = permanent and status in _PERMANENT_REDIRECTS
                        continue
                    if status == 304 and etag is None and last_modified is None:
                        # Not modified since what? Taken as it came, the source stayed healthy
                        # with no article, poll after poll.
                        raise FetchError(
                            f"HTTP 304 Not Modified from {current}, though no copy was named"
                            " (no If-None-Match, no If-Modified-Since): it sent no feed",
                            outcome=Outcome.HTTP_ERROR,
                            http_status=status,
                        )
                    warning = None
                    if status == 304:
                        body = None
                        # Empty by definition; reading it hands the connection back to the
                        # pool, where closing an unread response drops it (the bench saw every
                        # 304 poll open a new connection).
                        response.read()
                    elif 200 <= status < 300 and status != 206:  # (206: a part; none asked)
                        body, warning = _read_body(response, str(current), cap)
                    else:
                        raise _status_error(response, str(current), config.max_backoff)
                finally:
                    response.close()
            except httpx.InvalidURL as e:
                # httpx prepares the next request of a redirect even when not following it,
                # and some Location values (javascript:…) fail there, before we see them.
                raise FetchError(
                    f"{current} redirects to an invalid URL ({e})", outcome=Outcome.BLOCKED
                ) from e
            except httpx.TimeoutException as e:
                raise FetchError(
                    _timeout_message(e, current, config), outcome=Outcome.TIMEOUT
                ) from e
            except httpx.TransportError as e:
                if isinstance(e, httpx.RemoteProtocolError) and str(e).startswith(
                    _INVALID_LOCATION
                ):
                    # (httpx raises a Location it cannot read, "http://0177.0.0.1/", so.)
                    raise FetchError(
                        f"{current} redirects to an invalid URL ({e})", outcome=Outcome.BLOCKED
                    ) from e
                raise FetchError(
                    _connection_message(e, current), outcome=Outcome.CONNECTION_ERROR
                ) from e

            new_etag = _validator(_raw_header(response, b"etag"))
            new_last_modified = _validator(_raw_header(response, b"last-modified"))
            if status == 304:  # a 304 may omit validators that are still valid (RFC 9110 §15.4.5)
                new_etag = etag if new_etag is None else new_etag
                new_last_modified = (
                    last_modified if new_last_modified is None else new_last_modified
                )
            return FetchResult(
                url=str(current),
                status=status,
                body=body,
                headers={k: response.headers[k] for k in KEPT_HEADERS if k in response.headers},
                etag=new_etag,
                last_modified=new_last_modified,
                permanent_redirect=str(current) if permanent and len(chain) > 1 else None,
                elapsed=time.monotonic() - started,
                warning=warning,
            )

    def _timeout(self) -> httpx.Timeout:
        # Waiting for a pooled connection is not socket I/O, so the deadline is applied here too.
        left = max(_DEADLINE.get() - time.monotonic(), 0.001)
        connect = min(self._config.connect_timeout, left)
        read = min(self._config.read_timeout, left)
        return httpx.Timeout(connect=connect, read=read, write=read, pool=connect)


def _sent(client: httpx.Client, request: httpx.Request) -> httpx.Response:
    """The response to `request`, asked once more when the server closed the connection without
    answering: a kept-alive one it closed as we reused it (Apache's and Node's idle timeout is
    5 s, as our pool's keepalive_expiry: the two ends race at that age), which is no failure of
    the source. A GET may be asked twice (RFC 9110 §9.2.2); browsers retry so too."""
    try:
        return client.send(request, stream=True)
    except httpx.RemoteProtocolError as e:
        if not str(e).startswith(_CLOSED_UNANSWERED):
            raise
    return client.send(request, stream=True)


# httpcore's words for a connection that ended before a byte of the response came.
_CLOSED_UNANSWERED = "Server disconnected without sending a response"


class _NoCookies(http.cookiejar.CookieJar):
    """The clients' cookie jar, which keeps none (httpx's clients keep every cookie set)."""

    def set_cookie(self, cookie: http.cookiejar.Cookie) -> None:
        pass

    def extract_cookies(self, response: Any, request: Any) -> None:
        pass


class _Pool(httpcore.ConnectionPool):
    """httpcore's connection pool without its race that closes a connection in use.

    encode/httpcore#1110 (httpcore 1.0.9, unfixed upstream as of this writing): under the pool's
    lock, a pass hands an idle connection to a waiting request, but the connection stays IDLE
    until the waiting thread gets to start its request on it. A pass run meanwhile by another
    thread may pick that connection as surplus keep-alive, expired, or the idle one to drop to make
    room, and closes it after releasing the lock. If the request started in between, its socket
    is closed under it: a local EBADF, or a read that hangs until the read timeout, though the
    server answered. Surplus is common: httpcore compares the number of *all* connections with
    max_keepalive_connections (encode/httpcore#1000), so with more hosts than that, every pass
    looks for idle connections to close.

    So a pass here never closes a connection a pending request holds; it stays in the pool for
    that request. (An expired one held that way is used once more; the server's own keep-alive
    timeout, not ours, decides whether that works, as for any reused connection.)
    """

    def _assign_requests_to_connections(self) -> list[httpcore.ConnectionInterface]:
        closing = super()._assign_requests_to_connections()
        held = {id(r.connection) for r in self._requests if r.connection is not None}
        if not any(id(c) in held for c in closing):
            return closing
        self._connections.extend(c for c in closing if id(c) in held)
        return [c for c in closing if id(c) not in held]

    def create_connection(self, origin: httpcore.Origin) -> httpcore.ConnectionInterface:
        return _Connection(
            origin=origin,
            ssl_context=self._ssl_context,
            keepalive_expiry=self._keepalive_expiry,
            http1=self._http1,
            http2=self._http2,
            retries=self._retries,
            local_address=self._local_address,
            uds=self._uds,
            network_backend=self._network_backend,
            socket_options=self._socket_options,
        )


class _Connection(httpcore.HTTPConnection):
    """A pooled connection that is not used again when its last response left bytes unread.

    A server whose response says less than it sends (a Content-Length counted in characters, not
    bytes; a body after a 204 or 304; a second response after the first) leaves the rest in the
    connection, and httpcore reads it as the answer to the next request on it: another source
    of the same host got "illegal status line" from the tail of this one's feed, or the feed
    this one's server wrote after its own (response smuggling). httpcore drops an idle
    connection whose socket has bytes waiting; these were read already, into h11's buffer.
    """

    def has_expired(self) -> bool:
        return super().has_expired() or _unread(self._connection)


def _unread(connection: httpcore.ConnectionInterface | None) -> bool:
    """Whether an idle HTTP/1.1 connection holds received bytes no response has claimed."""
    state = getattr(connection, "_h11_state", None)  # (httpcore's HTTP11Connection; <1.1)
    return (
        connection is not None
        and state is not None
        and connection.is_idle()
        and bool(state.trailing_data[0])
    )


# --- URLs and redirects ------------------------------------------------------------------------


def _checked_url(url: str | httpx.URL) -> httpx.URL:
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as e:
        raise FetchError(f"invalid URL {url}: {e}", outcome=Outcome.BLOCKED) from e
    if parsed.scheme not in ("http", "https"):
        raise FetchError(
            f"refused to fetch {url}: only http and https URLs are allowed",
            outcome=Outcome.BLOCKED,
        )
    try:
        host = parsed.host
    except UnicodeError as e:  # (httpx decodes an "xn--" host, and lets idna's error out)
        raise FetchError(
            f"invalid URL {url}: its host is no internationalized name IDNA 2008 reads ({e})",
            outcome=Outcome.BLOCKED,
        ) from e
    if not host:
        raise FetchError(f"invalid URL {url}: it has no host", outcome=Outcome.BLOCKED)
    return parsed


def _location_as_browsers_read_it(response: httpx.Response) -> None:
    """A redirect's one Location made the absolute URL a browser would go to (`_locations`),
    before httpx reads it (a client's response hook): httpx builds the next request of a
    redirect even when not following it, and raised at `http:\\\\host\\feed`. A value it
    cannot make a URL of, or several different ones, stay as they came (_next_hop refuses them);
    one that urllib or idna raises at is httpx.InvalidURL (`_joined`)."""
    if response.status_code not in _REDIRECTS:
        return
    locations = set(_locations(response))
    if len(locations) > 1:  # (refused by _next_hop, after httpx reads them joined by ", ")
        _joined(response.request.url, response.headers["Location"])
        return
    if not locations or not (location := locations.pop()):
        return
    if (target := _joined(response.request.url, location)) is not None:
        response.headers["Location"] = str(target)


def _joined(url: httpx.URL, location: str) -> httpx.URL | None:
    """`url.join(location)`, or None where httpx finds no URL in it (httpx raises that itself,
    as an invalid URL). urllib's ValueError (":x://]": "Invalid IPv6 URL") and idna's error for
    an "xn--" host it cannot decode (which httpx's URL.host lets out: encode/httpx#3710) are
    httpx.InvalidURL: httpx let them out of the fetch when it built its next request, and the
    source was recorded as an internal error where its Location is at fault."""
    try:
        joined = url.join(location)
        joined.host  # noqa: B018 - (read as httpx will: idna's error is a UnicodeError)
    except httpx.InvalidURL:
        return None
    except ValueError as e:  # (UnicodeError too)
        raise httpx.InvalidURL(f"Invalid URL in location header: {e}") from e
    return joined


def _locations(response: httpx.Response) -> list[str]:
    """The response's Location values as browsers read them. Their bytes as UTF-8: httpx reads
    every header as Latin-1 when one is not UTF-8 (the Location "/café" was asked for as
    "/caf%C3%83%C2%A9"); bytes that are not UTF-8 percent-encoded as they are, as Chromium does
    (net/http/http_response_headers.cc, crbug.com/942073). And in an http(s) reference "\\" is
    "/" before its query (WHATWG URL: `\\\\host\\feed` is `//host/feed`, not a path here)."""
    values = []
    for name, raw in response.headers.raw:
        if name.lower() != b"location":
            continue
        try:
            value = raw.decode("utf-8").strip()
        except UnicodeDecodeError:
            value = _NON_ASCII.sub(lambda m: f"%{m[0][0]:02X}".encode(), raw).decode().strip()
        scheme = _SCHEME.match(value)
        if scheme is None or scheme[1].lower() in ("http", "https"):
            end = min((i for i in (value.find("?"), value.find("#")) if i >= 0), default=len(value))
            value = value[:end].replace("\\", "/") + value[end:]
        values.append(value)
    return values


_NON_ASCII = re.compile(rb"[\x80-\xff]")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")  # (RFC 3986 §3.1)


def _next_hop(
    current: httpx.URL, response: httpx.Response, chain: list[str], max_redirects: int
) -> httpx.URL:
    locations = list(dict.fromkeys(response.headers.get_list("location")))
    if len(locations) > 1:
        # httpx joins them, "/feed, http://169.254.169.254/", and that was followed, a URL no
        # one named; Chromium refuses such a response (ERR_RESPONSE_HEADERS_MULTIPLE_LOCATION).
        raise FetchError(
            f"HTTP {response.status_code} from {current} names {len(locations)} different"
            f" places to go (Location: {' | '.join(repr(x) for x in locations[:3])}); it must"
            " name one",
            outcome=Outcome.HTTP_ERROR,
            http_status=response.status_code,
        )
    location = locations[0]
    try:
        target = current.join(location).copy_with(fragment=None)
    except httpx.InvalidURL as e:
        raise FetchError(
            f"HTTP {response.status_code} from {current} redirects to an invalid URL {location!r}",
            outcome=Outcome.BLOCKED,
        ) from e
    target = _checked_url(target)
    hops = " → ".join([*chain, str(target)])
    # (A loop is seen when the target is asked: _fetch.)
    if len(chain) > max_redirects:
        raise FetchError(
            f"too many redirects (more than {max_redirects}): {hops}", outcome=Outcome.BLOCKED
        )
    return target


# --- statuses and errors -----------------------------------------------------------------------


def _status_error(response: httpx.Response, url: str, max_backoff: float) -> FetchError:
    status = response.status_code
    phrase = httpx.codes.get_reason_phrase(status)
    message = f"HTTP {status} {phrase} from {url}" if phrase else f"HTTP {status} from {url}"
    if wall := _bot_wall(response.headers):
        # A 403 alone reads as "the feed moved or is private": what turned us away is a filter
        # of automated clients, which only the site can open to feed readers.
        message += (
            f": {wall} turned us away, as it does programs; ask the site to let feed readers"
            " through, or for another address of the feed"
        )
    if status == 410:
        return FetchError(message, outcome=Outcome.GONE, http_status=status)
    # Delta-seconds or an HTTP-date (measured from the response's own Date), as for a success.
    retry_after = schedule.cache_hints(response.headers, datetime.now(UTC))[2]
    if retry_after is not None and retry_after <= max_backoff:
        message += f" (Retry-After: {retry_after:g} s)"
    elif retry_after is not None:
        # What the wait will be (schedule.next_due): "Retry-After: 2.51606e+11 s" read as a
        # source stopped for 8,000 years, and a year-9999 date as much.
        longest = format_duration(max_backoff)
        message += (
            f" (Retry-After: more than {longest}; we wait {longest} at most, or the source's"
            " interval when longer)"
        )
    return FetchError(
        message, outcome=Outcome.HTTP_ERROR, http_status=status, retry_after=retry_after
    )


def _bot_wall(headers: httpx.Headers) -> str | None:
    """The bot protection an error response says it comes from (by its own headers), or None."""
    if headers.get("cf-mitigated", "").lower() == "challenge":
        return "Cloudflare's bot check"
    if "x-sucuri-block" in headers:
        return "Sucuri's firewall"
    if "x-datadome" in headers or "x-dd-b" in headers:
        return "DataDome's bot protection"
    if headers.get("x-amzn-waf-action", "").lower() in ("challenge", "captcha", "block"):
        return "AWS WAF"
    return None


def _timeout_message(e: httpx.TimeoutException, url: httpx.URL, config: FetchConfig) -> str:
    if time.monotonic() >= _DEADLINE.get() - 0.01:
        return f"gave up on {url} at the {config.deadline:g} s deadline"
    if isinstance(e, httpx.ConnectTimeout | httpx.PoolTimeout):
        return f"timed out connecting to {url.host} after {config.connect_timeout:g} s"
    # (What happened first, then where: a table cut to its column keeps the what.)
    return f"read timeout: {url} sent nothing for {config.read_timeout:g} s"


_INVALID_LOCATION = "Invalid URL in location header"


def _connection_message(e: httpx.TransportError, url: httpx.URL) -> str:
    host = url.host
    tls = _ssl_error(e)
    if isinstance(tls, ssl.SSLCertVerificationError):
        return f"TLS handshake with {host} failed: {tls.verify_message}"
    if tls is not None:
        said = f"TLS handshake with {host} failed: {tls.reason or tls}"
        if tls.reason in ("WRONG_VERSION_NUMBER", "HTTP_REQUEST", "RECORD_LAYER_FAILURE"):
            # What an https:// URL to a plain-HTTP server gets (a test server, an intranet
            # box): the raw reason named no fix.
            # (The port it answered on, 443 when the URL names none: not http's 80.)
            plain = url.copy_with(scheme="http", port=url.port or _default_port(url))
            said += f"; the server answers plain HTTP there, not TLS: is it {plain}?"
        return said
    if isinstance(e, httpx.ConnectError):
        return f"could not connect to {host} port {url.port or _default_port(url)}: {e}"
    if isinstance(e, httpx.RemoteProtocolError):
        return f"{host} broke the HTTP protocol: {_protocol_problem(str(e), url)}"
    if isinstance(e, httpx.NetworkError):
        return f"the connection to {host} failed: {e}"
    return f"request to {url} failed: {e}"


def _protocol_problem(said: str, url: httpx.URL) -> str:
    """h11's words for what a server sent wrong, in an operator's."""
    if said == "Receive buffer too long":  # (in the headers, or in a chunk's size line)
        return (
            "its response headers, or a line of its chunked body, ran past 100 KB, the most we read"
        )
    if said.startswith("Received server _SWITCH_UPGRADE"):
        return "it switched to another protocol (101), though we asked for none"
    if said == "illegal request line":  # (h11's words for a response that starts with a byte
        # no status line does: a TLS record's 0x16, binary)
        said = "it answered with bytes that are no HTTP status line, binary"
        if url.scheme == "http":
            tls = url.copy_with(scheme="https", port=url.port or _default_port(url))
            said += f"; if it speaks TLS there, the URL is {tls}"
        return said
    # ("illegal status line: bytearray(b'HTTP/2 200')": the bytes, not the Python type.)
    return _BYTEARRAY.sub(r"\1", said)


_BYTEARRAY = re.compile(r"bytearray\((b(['\"]).*\2)\)", re.DOTALL)


def _ssl_error(e: BaseException) -> ssl.SSLError | None:
    """The ssl error behind a transport error, which httpx and httpcore each wrap once."""
    seen: BaseException | None = e
    while seen is not None:
        if isinstance(seen, ssl.SSLError):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def _default_port(url: httpx.URL) -> int:
    return 443 if url.scheme == "https" else 80


# --- headers -----------------------------------------------------------------------------------


def _raw_header(response: httpx.Response, name: bytes) -> str | None:
    """The first `name` header's raw bytes as latin-1 text, so it round-trips byte for byte."""
    for key, value in response.headers.raw:
        if key.lower() == name:
            return value.decode("latin-1")
    return None


# The longest ETag or Last-Modified kept and sent back. Real ones are a quoted hash (under 100
# characters) or an HTTP date (29). A server's 20 KB ETag, kept, went back as If-None-Match at
# every poll, and the nginx in front of it answered 400 to a header line over 8 KB: the source
# failed for good, its validators kept across errors (h11 lets 100 KB of headers in).
MAX_VALIDATOR_CHARS = 1024
# What h11 sends as a header value: no NUL, CR or LF, no space at either end. A stored validator
# that is not (written by hand, by an older version) failed every poll with "Illegal header
# value" before a byte was sent, and was kept, as validators are, across the error.
_SENDABLE = re.compile(rb"[^\x00\s]+(?:[ \t]+[^\x00\s]+)*")


def _validator(value: str | None) -> str | None:
    """`value` as a validator to keep and send back, or None when it is not fit to be one."""
    if value is None or len(value) > MAX_VALIDATOR_CHARS:
        return None
    return value if _SENDABLE.fullmatch(_to_wire(value)) else None


def _to_wire(value: str) -> bytes:
    try:
        return value.encode("latin-1")
    except UnicodeEncodeError:  # not one of ours: stored by hand or by an older version
        return value.encode("utf-8")


# --- bodies ------------------------------------------------------------------------------------


class _Decoder(Protocol):
    @property
    def finished(self) -> bool:
        """Whether the encoded stream has ended (nothing after it is part of the body)."""

    @property
    def warning(self) -> str | None:
        """What was wrong with a stream read all the same (a gzip trailer's wrong checksum)."""

    def decode(self, data: bytes, limit: int) -> bytes:
        """Decode the next chunk; produce at most about `limit` bytes (more means over the cap)."""


# The most codings one body may be labelled with, in layers ("gzip, br": gzip, then brotli over
# it; RFC 9110 §8.4). Servers stack two at most; each layer is a decoder and a bounded buffer.
MAX_CODINGS = 3


# The most pieces (chunks of a chunked body, reads of another) a body is read in, unless they
# average MIN_PIECE_BYTES or more. h11 reads each chunk as an event, ~10 µs of Python: a server
# sending 1-byte chunks without end kept a worker's core busy (and its other fetches waiting for
# the interpreter) until the deadline, 60 s, never near the size cap. A feed flushed an element
# at a time (PHP's implicit flush, a generator's yield per line) comes in pieces of 30 bytes or
# more, and is read to the cap: at most cap / MIN_PIECE_BYTES pieces, ~6 s of h11 at 10 MiB.
MAX_BODY_PIECES = 100_000
MIN_PIECE_BYTES = 16


def _read_body(response: httpx.Response, url: str, cap: int) -> tuple[bytes, str | None]:
    """The decoded body, and a warning of what was wrong with its coding that did not stop it."""
    # (Several Content-Encoding headers are one list, in order: httpx joins them with ", ".)
    coding = response.headers.get("content-encoding", "identity").strip().lower()
    # What arrives encoded is bounded too: a stream of empty deflate blocks decodes to nothing.
    # A layer under another arrives encoded in it, so each layer's output but the last is too.
    raw_cap = cap + cap // 8 + 65536
    decoder = _decoder(coding, raw_cap)
    if decoder is None:
        layers = len([c for c in coding.split(",") if c.strip() not in ("", "identity")])
        why = f" (more than {MAX_CODINGS} layers)" if layers > MAX_CODINGS else ""
        raise FetchError(
            f"unsupported Content-Encoding {coding!r}{why} from {url}",
            outcome=Outcome.HTTP_ERROR,
            http_status=response.status_code,
        )

    def too_large(what: str) -> FetchError:
        return FetchError(
            f"too large: {url} {what} (the fetch.max_body_bytes limit)",
            outcome=Outcome.TOO_LARGE,
            http_status=response.status_code,
        )

    _body_begins()
    declared = response.headers.get("content-length", "")
    if coding == "identity" and declared.isdigit() and int(declared) > cap:
        raise too_large(f"sent more than {cap:,} bytes")
    body = bytearray()
    raw = 0
    pieces = 0
    try:
        for chunk in response.iter_raw():
            # Asking for one byte more than the room left is how the cap is seen to be exceeded.
            body += decoder.decode(chunk, cap - len(body) + 1)
            raw += len(chunk)
            pieces += 1
            if pieces > MAX_BODY_PIECES and raw < pieces * MIN_PIECE_BYTES:
                raise FetchError(
                    f"{url} sent its body in more than {MAX_BODY_PIECES:,} pieces"
                    f" ({raw / pieces:.0f} bytes each on average), smaller than any feed is sent"
                    " in, and too many to be worth reading",
                    outcome=Outcome.TOO_LARGE,
                    http_status=response.status_code,
                )
            if len(body) > cap:
                # (A bomb sends little: what is over the cap is what it decodes to.)
                encoded = "" if coding == "identity" else f" a {coding} body that decodes to"
                raise too_large(f"sent{encoded} more than {cap:,} bytes")
            if raw > raw_cap:
                raise too_large(f"sent more than {raw_cap:,} bytes of {coding} body")
            if decoder.finished:
                break  # what follows a complete stream is no part of it (nor read)
    except _LayerTooLarge as e:
        raise too_large(
            f"sent a {coding} body whose {e} layer decodes to more than {raw_cap:,} bytes"
        ) from None
    except (zlib.error, brotli.error) as e:
        raise FetchError(
            f"not valid {coding}: {url} sent a body labelled Content-Encoding {coding!r} ({e})",
            outcome=Outcome.HTTP_ERROR,
            http_status=response.status_code,
        ) from e
    return bytes(body), decoder.warning


def _decoder(coding: str, layer_cap: int) -> _Decoder | None:
    """The decoder of a Content-Encoding value; None when one of its codings is unknown, or there
    are more than MAX_CODINGS of them. `layer_cap` bounds what each layer under another decodes
    to (the last layer's output, the body, is bounded by the caller)."""
    codings = [c.strip() for c in coding.split(",")]
    codings = [c for c in codings if c not in ("", "identity")]  # (identity changes nothing)
    if len(codings) <= 1:
        return _single(codings[0] if codings else "identity")
    if len(codings) > MAX_CODINGS:
        return None
    # Applied in the order listed, so decoded in the reverse one.
    layers: list[tuple[str, _Decoder]] = []
    for c in reversed(codings):
        decoder = _single(c)
        if decoder is None:
            return None
        layers.append((c, decoder))
    return _Layers(layers, layer_cap)


def _single(coding: str) -> _Decoder | None:
    if coding in ("identity", ""):
        return _Identity()
    if coding in ("gzip", "x-gzip"):
        return _Inflate("gzip")
    if coding == "deflate":
        return _Inflate("deflate")
    if coding == "br":
        return _Brotli()
    return None


class _LayerTooLarge(Exception):
    """A layer under another decoded to more than the layer cap (its coding is the message)."""


class _Layers:
    """Stacked codings, decoded outermost first. Every layer but the last is bounded as the
    encoded body is (a gzip bomb inside brotli stops at the cap as a bare one does: the gzip
    layer's output is the body, bounded by the caller, and the brotli layer's is bounded here)."""

    def __init__(self, layers: list[tuple[str, _Decoder]], layer_cap: int) -> None:
        self._layers = layers
        self._cap = layer_cap
        self._made = [0] * len(layers)  # what each layer has decoded so far

    @property
    def finished(self) -> bool:
        # The outermost ended: every layer has all its input. An inner one ended: what follows
        # it is no part of the body, as for a single coding.
        return any(d.finished for _, d in self._layers)

    @property
    def warning(self) -> str | None:
        return next((d.warning for _, d in self._layers if d.warning), None)

    def decode(self, data: bytes, limit: int) -> bytes:
        last = len(self._layers) - 1
        for i, (coding, decoder) in enumerate(self._layers):
            if i == last:
                return decoder.decode(data, limit)
            # One byte more than the room left is how the cap is seen to be exceeded.
            data = decoder.decode(data, self._cap - self._made[i] + 1)
            self._made[i] += len(data)
            if self._made[i] > self._cap:
                raise _LayerTooLarge(coding)
        raise AssertionError("no layers")


class _Identity:
    finished = False  # the body ends where the response does
    warning = None

    def decode(self, data: bytes, limit: int) -> bytes:
        return data  # httpcore reads at most 64 KiB at a time


class _Zlib:
    warning = None  # (zlib checks a zlib stream's Adler-32 itself: a mismatch is an error)

    def __init__(self, wbits: int) -> None:
        self._d = zlib.decompressobj(wbits)

    @property
    def finished(self) -> bool:
        """The stream ended: what comes after (zeros, garbage, a second gzip member) is left."""
        return self._d.eof

    def decode(self, data: bytes, limit: int) -> bytes:
        # With max_length, input that would produce more is left in unconsumed_tail; we only
        # ever call again if the output stayed under the limit, i.e. all input was consumed.
        return self._d.decompress(data, limit)


class _Inflate:
    """HTTP's gzip or deflate, whichever the body turns out to be: "deflate" is zlib-wrapped
    (RFC 9110 §8.4.1.2) but some servers send bare deflate, and some label one coding with the
    other's name. A gzip header or a zlib one is told by its first two bytes (as Chromium's
    GzipSourceStream sniffs a zlib header under "deflate"); anything else under "gzip" is an
    error that says what the body starts with."""

    def __init__(self, label: str) -> None:
        self._label = label
        self._head = b""
        self._start = b""  # the body's first bytes, for an error
        self._inner: _Gzip | _Zlib | None = None

    @property
    def finished(self) -> bool:
        return self._inner is not None and self._inner.finished

    @property
    def warning(self) -> str | None:
        return self._inner.warning if self._inner is not None else None

    def decode(self, data: bytes, limit: int) -> bytes:
        if self._inner is None:
            self._head += data
            if len(self._head) < 2:
                return b""
            data, self._head = self._head, b""
            self._start = data[:16]
            self._inner = self._sniffed(data)
            try:
                return self._inner.decode(data, limit)
            except zlib.error as e:  # at its first bytes: zlib's "invalid block type" said little
                raise zlib.error(self._not_compressed() or str(e)) from None
        return self._inner.decode(data, limit)

    def _sniffed(self, data: bytes) -> _Gzip | _Zlib:
        if data[:2] == gzip_member.MAGIC:
            return _Gzip()
        cmf, flg = data[0], data[1]
        if cmf & 0x0F == 8 and cmf >> 4 <= 7 and (cmf << 8 | flg) % 31 == 0:  # RFC 1950 header
            return _Zlib(zlib.MAX_WBITS)
        if self._label == "deflate":  # (bare deflate may start with any byte, "<" too)
            return _Zlib(-zlib.MAX_WBITS)
        raise zlib.error(
            self._not_compressed()
            or f"it is neither gzip- nor zlib-compressed: it starts with {self._start!r}"
        )

    def _not_compressed(self) -> str | None:
        if self._start.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"<", b"{"):
            return f"it is not compressed at all: it starts with {self._start!r}"
        return None


class _Gzip:
    """One gzip member, its frame read here (gzip_member) and its deflate stream by zlib: a
    trailer whose checksum does not match what inflated is a warning, not a lost body; one the
    response ends before is none (browsers read neither)."""

    def __init__(self) -> None:
        self._head = b""
        self._d: Any = None  # the raw deflate stream's decompressor, once the header is read
        self._crc = 0
        self._size = 0
        self._trailer = b""
        self.warning: str | None = None

    @property
    def finished(self) -> bool:
        """The trailer is read: what comes after (a second member, zeros, garbage) is left."""
        return len(self._trailer) == gzip_member.TRAILER_BYTES

    def decode(self, data: bytes, limit: int) -> bytes:
        if self._d is None:
            self._head += data
            try:
                end = gzip_member.header_end(self._head)
            except ValueError as e:
                raise zlib.error(str(e)) from None
            if end is None:
                return b""
            data, self._head = self._head[end:], b""
            self._d = zlib.decompressobj(-zlib.MAX_WBITS)
        if self._d.eof:
            self._take_trailer(data)
            return b""
        # (As _Zlib: input that would produce more than `limit` waits in unconsumed_tail, and
        # the caller never calls again then.)
        out: bytes = self._d.decompress(data, limit)
        self._crc = zlib.crc32(out, self._crc)
        self._size += len(out)
        if self._d.eof:
            self._take_trailer(self._d.unused_data)
        return out

    def _take_trailer(self, data: bytes) -> None:
        missing = gzip_member.TRAILER_BYTES - len(self._trailer)
        self._trailer += data[:missing]
        if missing and len(data) >= missing:  # (just now complete)
            problem = gzip_member.trailer_problem(self._trailer, self._crc, self._size)
            if problem is not None:
                self.warning = gzip_member.checksum_warning(problem)


class _Brotli:
    # brotli's output_buffer_limit stops the buffer from *growing* once it reaches the limit, but
    # the buffer grows in blocks that get large (a 10 MiB limit yielded 16 MiB), so it is asked
    # for at most this much per call and drained in steps.
    _STEP = 256 * 1024
    warning = None

    def __init__(self) -> None:
        self._d = brotli.Decompressor()

    @property
    def finished(self) -> bool:
        return bool(self._d.is_finished())

    def decode(self, data: bytes, limit: int) -> bytes:
        out = bytearray()
        out += self._d.process(data, output_buffer_limit=min(limit, self._STEP))
        # Until the decompressor can accept more data it holds undecoded input: drain it.
        while len(out) < limit and not self._d.can_accept_more_data():
            piece: bytes = self._d.process(
                b"", output_buffer_limit=min(limit - len(out), self._STEP)
            )
            if not piece:
                break
            out += piece
        return bytes(out)


# --- the address policy ------------------------------------------------------------------------


# --- the network backend: address policy and deadline ------------------------------------------

# The monotonic time by which the fetch running in this thread must end. Connections are pooled
# and shared by fetches, so the deadline cannot live on a stream; a context variable follows the
# fetch (httpx's sync client does its I/O in the calling thread).
_DEADLINE: ContextVar[float] = ContextVar("aggregator_fetch_deadline", default=float("inf"))


# The most a fetch reads before a body: the status lines and headers of its hops and of their
# 1xx answers. h11 bounds one head's size (100 KB), not how many 1xx heads come before the
# final answer: a server sending "100 Continue" without end kept a core busy in h11 (~8 µs a
# head) until the deadline (6.4 s of CPU in a 10 s one). A real chain reads a few KB a hop.
MAX_HEAD_BYTES = 2 * 1024 * 1024


class _Head:
    """What the fetch running in this thread may still read before its body."""

    left: float = MAX_HEAD_BYTES


_HEAD: ContextVar[_Head | None] = ContextVar("aggregator_fetch_head", default=None)


def _counted_as_head(data: bytes) -> bytes:
    """`data`, read from the network, counted against the current fetch's MAX_HEAD_BYTES."""
    head = _HEAD.get()
    if head is not None:
        head.left -= len(data)
        if head.left < 0:
            raise httpcore.RemoteProtocolError(
                f"it sent more than {MAX_HEAD_BYTES // 1024**2} MiB of status lines and headers"
                " (1xx answers without end?) before the body"
            )
    return data


def _body_begins() -> None:
    """The current fetch reads its body now, bounded by its own checks (_read_body)."""
    head = _HEAD.get()
    if head is not None:
        head.left = float("inf")


def _until_deadline(timeout: float | None, error: type[Exception]) -> float | None:
    """`timeout` shortened to what is left before the deadline; raise `error` if none is left."""
    left = _DEADLINE.get() - time.monotonic()
    if left <= 0:
        raise error("the fetch deadline has passed")
    return left if timeout is None else min(timeout, left)


class _GuardedBackend(httpcore.NetworkBackend):
    """httpcore's sync backend, resolving and vetting addresses itself, honouring the deadline."""

    def __init__(self, access: PrivateAccess) -> None:
        self._access = access
        self._tcp = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        addresses = _resolve(host, port, _until_deadline(timeout, httpcore.ConnectTimeout))
        for address in addresses:
            problem = address_problem(address)
            if problem is not None and not self._access.allows(host, address):
                where = address if address == host else f"{host} at {address}"
                # redact.public_error shows the public only that it could not reach the host.
                raise FetchError(
                    f"refused to connect to {where} ({problem}); {self._access.advice()}",
                    outcome=Outcome.BLOCKED,
                )
        # Connect to the vetted literal address (no second lookup), trying each in turn.
        refused: httpcore.ConnectError | None = None
        for address in addresses:
            try:
                stream = self._tcp.connect_tcp(
                    address,
                    port,
                    timeout=_until_deadline(timeout, httpcore.ConnectTimeout),
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except httpcore.ConnectError as e:
                refused = e
                continue
            return _DeadlineStream(stream)
        assert refused is not None  # _resolve never returns an empty list
        raise refused


def _resolve(host: str, port: int, timeout: float | None = None) -> list[str]:
    """Every address `host` resolves to, in resolver order, without duplicates, within
    `timeout` seconds (the connect timeout, cut to the fetch's deadline)."""
    try:
        infos = _getaddrinfo(host, port, timeout)
    except TimeoutError as e:
        raise FetchError(
            f"could not resolve host {host} (no answer from DNS"
            + (f" within {timeout:g} s)" if timeout is not None else ")"),
            outcome=Outcome.TIMEOUT,
        ) from e
    except socket.gaierror as e:
        raise FetchError(
            f"could not resolve host {host} ({e.strerror})", outcome=Outcome.CONNECTION_ERROR
        ) from e
    except UnicodeError as e:  # an empty or over-long label: "a..b.example"
        raise FetchError(
            f"could not resolve host {host} (not a valid host name: {e})",
            outcome=Outcome.CONNECTION_ERROR,
        ) from e
    addresses = [str(info[4][0]) for info in infos]
    if not addresses:
        raise FetchError(
            f"could not resolve host {host} (no addresses)", outcome=Outcome.CONNECTION_ERROR
        )
    return list(dict.fromkeys(addresses))


def _getaddrinfo(host: str, port: int, timeout: float | None) -> list[Any]:
    """socket.getaddrinfo, given up on after `timeout` seconds (TimeoutError).

    The lookup itself cannot be stopped, and a resolver that never answers held a fetch with a
    3 s deadline for 20 s (the resolver's own retries): it runs in a thread of its own, left to
    end by itself. An address literal needs no lookup and no thread.
    """
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass  # a name: looked up below
    else:
        return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    answer: list[Any] = []
    done = threading.Event()

    def lookup() -> None:
        try:
            answer.append(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
        except Exception as e:  # noqa: BLE001 - raised again in the fetch's thread, below
            answer.append(e)
        finally:
            done.set()

    threading.Thread(target=lookup, name="resolve", daemon=True).start()
    if not done.wait(timeout):
        raise TimeoutError(host)
    if isinstance(answer[0], BaseException):
        raise answer[0]
    result: list[Any] = answer[0]
    return result


class _DeadlineStream(httpcore.NetworkStream):
    """A stream whose every blocking call ends at the current fetch's deadline."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        data = self._inner.read(max_bytes, _until_deadline(timeout, httpcore.ReadTimeout))
        return _counted_as_head(data)

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _until_deadline(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        inner = self._inner.start_tls(
            ssl_context, server_hostname, _until_deadline(timeout, httpcore.ConnectTimeout)
        )
        return _DeadlineStream(inner)

    def get_extra_info(self, info: str) -> object:
        return self._inner.get_extra_info(info)
