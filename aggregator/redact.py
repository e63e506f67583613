"""What the public may see of a source: URLs without credentials, errors without internals.

A source URL can carry secrets (`https://user:pass@host/feed?api_key=…`). Every public output
(pages, /sources, OPML exports, RSS `<source url>`, JSON Feed `_source`, embeds, info logs) shows
a source URL only through `public_url`, and a source's last error only through `public_error`.
The admin pages show the real ones.

- user name and password are removed;
- the value of a query parameter (or of a path segment's, `/rss.xml;jsessionid=…`) whose name
  looks like a credential is replaced by `REDACTED`: the name, split into words (`api_key`,
  `apiKey`, `X-Auth-Token`), has a word that is or ends with one of `SECRET_PARAMETERS`
  (`serve.secret_parameters` in the config), so `key` also catches `apikey` and `token` catches
  `accesstoken`;
- so is a query value that holds, percent-encoded, a URL with such a parameter (a proxied feed's
  `?url=https%3A%2F%2F…%3Faccess_token%3D…`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import unquote_plus, urlsplit, urlunsplit

SECRET_PARAMETERS: tuple[str, ...] = (
    "key",
    "token",
    "secret",
    "password",
    "passwd",
    "pwd",
    "auth",
    "sig",
    "signature",
    "session",
    "sessionid",
    "sid",
    "credential",
    "credentials",
    # (Self-hosted scripts' ?user=…&pass=… and ?pw=…, a JSON Web Token, a bearer token.)
    "pass",
    "passphrase",
    "pw",
    "jwt",
    "bearer",
)
MASK = "REDACTED"
# What the public learns of a refused private address and of a host name that did not resolve:
# the same words, or a feed redirecting to http://guess.corp/ learned, one guess a poll, which
# internal names exist (they resolve to private addresses; a review).
UNREACHABLE_HOST_ERROR = "could not reach the host: no such host name, or a private address"
# How a bug's error begins (refresh._as_source_error): its detail (the exception's text, which may
# quote a feed's or our internals) is for the operator.
INTERNAL_ERROR = "An internal error stopped this refresh"
PUBLIC_INTERNAL_ERROR = f"{INTERNAL_ERROR}; the operator's log has the details."

_WORD = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")
UNPUBLISHED_URL = "(address not published)"  # a URL of a source whose URLs are not published
# A URL in a message runs to white space, "<", ">" or '"' (httpx writes those %-encoded), and to
# a "'" that ends it (before white space, a comma, a bracket or the end: "['https://a/','…']");
# another "'" is the URL's: a password or a query value may hold one.
_URL_IN_TEXT = re.compile(r"https?://(?:[^\s<>\"']|'(?![\s,;)\]}]|$))+", re.IGNORECASE)


# A query's parameters end at "&" or ";" (the W3C's old separator, which servers still split on).
_SEPARATOR = re.compile(r"([&;])")
# A parameter of a path segment, after its ";": where a Java site's URL rewriting puts the
# session ("/rss.xml;jsessionid=…").
_PATH_PARAMETER = re.compile(r";([^;/=]+)=([^;/]*)")
# A parameter anywhere in a text, after a "?", "&" or ";": what public_text masks when a URL
# around it was cut short ("http://h/f('a')?token=x" ends, to _URL_IN_TEXT, at "f('a").
_PARAMETER_IN_TEXT = re.compile(r"(?<=[?&;])([^=&;?#\s'\"<>]+)=([^&;#\s'\"<>]*)")


def is_secret_parameter(name: str, secret_words: Iterable[str] = SECRET_PARAMETERS) -> bool:
    """Whether a query parameter named `name` probably carries a credential (its name read as
    servers read it: "%74oken" is "token")."""
    words = [w.lower() for w in _WORD.findall(unquote_plus(name))]
    joined = "".join(words)  # "apiKey" -> "apikey"
    return any(
        word == secret or (word.endswith(secret) and word not in _ORDINARY_WORDS)
        for secret in (s.lower() for s in secret_words)
        for word in (*words, joined)
    )


# Words that end like a credential's name and are none: a cache-buster's "?bypass_cache=1" was
# published as "bypass_cache=REDACTED" (a subscriber's copy of the URL changed) once "pass" was
# one of SECRET_PARAMETERS (a review).
_ORDINARY_WORDS = frozenset(["bypass", "compass", "overpass", "underpass", "trespass", "encompass"])


def secrets_in_url(url: str, secret_words: Iterable[str] = SECRET_PARAMETERS) -> list[str]:
    """What in `url` would be redacted: "a user name and password", "query parameter api_key"."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return []
    found = []
    if parts.username or parts.password:
        found.append("a user name and password" if parts.password else "a user name")
    for name, _ in _PATH_PARAMETER.findall(parts.path):
        if is_secret_parameter(name, secret_words):
            found.append(f"path parameter {name}")
    for pair in _SEPARATOR.split(parts.query)[::2] if parts.query else ():
        name, _, value = pair.partition("=")
        if is_secret_parameter(name, secret_words):
            found.append(f"query parameter {name}")
        elif nested := _nested_secrets(value, secret_words):
            found.append(f"query parameter {name} (a URL with {', '.join(nested)})")
    return found


def _nested_secrets(value: str, secret_words: Iterable[str]) -> list[str]:
    """What would be redacted in a URL a query value holds, percent-encoded (a proxied feed's
    `?url=https%3A…%3Faccess_token%3D…`, rss-bridge's), or []."""
    decoded = unquote_plus(value)
    if "://" not in decoded:
        return []
    start = decoded.find("http")
    return secrets_in_url(decoded[start:], secret_words) if start >= 0 else []


def public_url(url: str, secret_words: Iterable[str] = SECRET_PARAMETERS) -> str:
    """`url` without user name and password, with credential-like query values masked."""
    if not url:
        return url
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return ""  # not a URL anything can use; showing it could show its secrets
    netloc = parts.netloc
    if "@" in netloc:
        host = parts.hostname or ""
        host = f"[{host}]" if ":" in host else host
        netloc = f"{host}:{port}" if port is not None else host
    query = parts.query
    if query:
        pieces = _SEPARATOR.split(query)  # pairs, each followed by its separator
        for n in range(0, len(pieces), 2):
            name, sep, value = pieces[n].partition("=")
            secret = sep and (
                is_secret_parameter(name, secret_words)
                or bool(_nested_secrets(value, secret_words))
            )
            pieces[n] = f"{name}={MASK}" if secret else pieces[n]
        query = "".join(pieces)
    path = parts.path
    if ";" in path:
        path = _PATH_PARAMETER.sub(
            lambda m: f";{m[1]}={MASK}" if is_secret_parameter(m[1], secret_words) else m[0], path
        )
    return urlunsplit((parts.scheme, netloc, path, query, parts.fragment))


def public_text(text: str, secret_words: Iterable[str] = SECRET_PARAMETERS) -> str:
    """`text` (an error message, a log value) with every URL in it passed through `public_url`,
    and any credential-like parameter left (a URL cut short) masked too."""
    text = _URL_IN_TEXT.sub(lambda m: public_url(m.group(0), secret_words), text)
    return _PARAMETER_IN_TEXT.sub(
        lambda m: f"{m[1]}={MASK}" if is_secret_parameter(m[1], secret_words) else m[0], text
    )


def public_error(
    error: str, secret_words: Iterable[str] = SECRET_PARAMETERS, urls: bool = True
) -> str:
    """A source's last error as the public may read it; `urls` false: with no URL in it at all
    (a source whose URLs are not published, SourceConfig.url_published: "redirect loop: http://
    10.1.2.3/feed → …" named the intranet's addresses), nor a host (_HOST_NAMING_ERRORS).

    A refused private address says nothing of the host, and the same as a host name that did
    not resolve: the detail names internal hosts and the addresses internal DNS gave them
    (fetch.py's "refused to connect to intranet.corp at 10.1.2.3"); an internal error says
    nothing either; and a failed connection says only what failed (_CONNECTION_ERRORS).
    """
    if error.startswith("refused to connect to "):
        return UNREACHABLE_HOST_ERROR
    if error.startswith(INTERNAL_ERROR):
        return PUBLIC_INTERNAL_ERROR
    for detailed, public in _CONNECTION_ERRORS:
        if error.startswith(detailed):
            return public
    if not urls:
        for naming, kind in _HOST_NAMING_ERRORS:
            if naming.match(error):
                return kind
        error = _URL_IN_TEXT.sub(UNPUBLISHED_URL, error)
    return public_text(error, secret_words)


# fetch.py's errors that name a host outside a URL ("TLS handshake with intranet.corp failed",
# a Location that is no http(s) URL): for a source whose URLs are not published, the kind of
# failure only. Its URLs went, and these still named its host on /sources (h8's F4).
_HOST_NAMING_ERRORS = (
    (re.compile(r"TLS handshake with \S+ failed"), "the TLS handshake failed"),
    (re.compile(r"\S+ broke the HTTP protocol"), "the server broke the HTTP protocol"),
    (re.compile(r"timed out connecting to "), "timed out connecting"),
    (re.compile(r"[^\n]* redirects to an invalid URL"), "a redirect to an invalid URL"),
    (re.compile(r"HTTP \d+ from \S+ names \d+ different places"), "a redirect to several places"),
    (re.compile(r"request to \S+ failed"), "the request failed"),
)


# Which host a redirect named did not resolve, or which port of an allowed intranet host was
# closed: told to the public, an oracle of internal names and ports, one guess a poll (a feed
# redirecting to http://guess.corp/). The admin's pages keep the detail.
_CONNECTION_ERRORS = (
    ("could not resolve host ", UNREACHABLE_HOST_ERROR),
    ("could not connect to ", "could not connect"),
    ("the connection to ", "the connection failed"),
)
