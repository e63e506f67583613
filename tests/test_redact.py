"""aggregator/redact.py: what the public may see of a source's URL and error."""

from __future__ import annotations

import pytest

from aggregator.errors import SourceError
from aggregator.redact import (
    UNREACHABLE_HOST_ERROR,
    is_secret_parameter,
    public_error,
    public_text,
    public_url,
    secrets_in_url,
)


@pytest.mark.parametrize(
    "name",
    ["key", "api_key", "apiKey", "APIKEY", "access_token", "accessToken", "X-Amz-Signature",
     "sig", "client_secret", "password", "auth", "oauth_token", "sessionid", "PHPSESSID",
     # Spelled short or named for what they hold (self-hosted scripts' ?user=…&pass=…, ?pw=…,
     # a JSON Web Token, a bearer token): published in full on /sources, OPML and the feeds.
     "pass", "user_pass", "pw", "jwt", "access_jwt", "bearer", "passphrase"],
)  # fmt: skip
def test_credential_like_parameter_names(name: str) -> None:
    assert is_secret_parameter(name)


@pytest.mark.parametrize(
    "name",
    ["page", "format", "keyword", "lang", "category", "id", "q",
     # (ending like "pass", a word of their own: a cache-buster's ?bypass_cache=1)
     "bypass_cache", "bypassCache", "bypass", "compass"],
)  # fmt: skip
def test_ordinary_parameter_names(name: str) -> None:
    assert not is_secret_parameter(name)


def test_the_words_are_configurable() -> None:
    assert is_secret_parameter("member", ["member"])
    assert not is_secret_parameter("api_key", ["member"])


@pytest.mark.parametrize(
    ("url", "public"),
    [
        ("https://u:p@host.example/f?api_key=s3&page=2", "https://host.example/f?api_key=REDACTED&page=2"),
        ("https://u@host.example:8443/f", "https://host.example:8443/f"),
        ("http://u:p@[2001:db8::1]:8080/f", "http://[2001:db8::1]:8080/f"),
        ("https://host.example/f?token=a&token=b&x", "https://host.example/f?token=REDACTED&token=REDACTED&x"),
        ("https://host.example/f?page=2#top", "https://host.example/f?page=2#top"),
        ("https://host.example:99999/f?key=a", ""),  # unusable; its secrets are not shown either
        ("", ""),
        # A proxied feed's URL in a query value, percent-encoded, with a credential of its own.
        ("https://p.example/r?to=https://a.example/f%3Faccess_token%3DX%26sig%3DY&n=1", "https://p.example/r?to=REDACTED&n=1"),
        ("https://p.example/?url=https%3A%2F%2Fa.example%2Ffeed&f=Atom", "https://p.example/?url=https%3A%2F%2Fa.example%2Ffeed&f=Atom"),
    ],
)  # fmt: skip
def test_public_url(url: str, public: str) -> None:
    assert public_url(url) == public


def test_secrets_in_url_names_each_one() -> None:
    found = secrets_in_url("https://u:p@h.example/f?apiKey=1&page=2&sig=3")
    assert found == ["a user name and password", "query parameter apiKey", "query parameter sig"]
    assert secrets_in_url("https://h.example/f?page=2") == []
    nested = "https://p.example/r?to=https%3A%2F%2Fa.example%2Ff%3Faccess_token%3DX"
    assert secrets_in_url(nested) == [
        "query parameter to (a URL with query parameter access_token)"
    ]


def test_errors_lose_internal_detail_and_credentials() -> None:
    refused = "refused to connect to intranet.corp at 10.1.2.3 (private address); set …"
    assert public_error(refused) == UNREACHABLE_HOST_ERROR
    text = "HTTP 404 Not Found from https://u:p@h.example/f?key=1 (after https://h.example/a)"
    assert public_text(text) == (
        "HTTP 404 Not Found from https://h.example/f?key=REDACTED (after https://h.example/a)"
    )
    assert public_error(text) == public_text(text)
    # Which internal name resolves (to a private address) and which intranet port is closed are
    # not the public's: a name that does not resolve reads as a refused one.
    unresolved = "could not resolve host guess.corp (Name or service not known)"
    assert public_error(unresolved) == public_error(refused) == UNREACHABLE_HOST_ERROR
    closed = "could not connect to localhost port 80: [Errno 111] Connection refused"
    assert public_error(closed) == "could not connect"


def test_a_bounded_error_never_keeps_half_a_url_for_redaction_to_miss() -> None:
    # Cut at 1,000 characters mid-URL, the tail "…&api_key=SECRET123" had no scheme, so no
    # redaction saw a URL, and the key showed on the public /sources page.
    url = "https://feeds.example.com/f?" + "&".join(f"p{i}=v{i}" for i in range(150))
    for secret_url in (url + "&api_key=SECRET123", "https://u:SECRET123@h.example/" + "a" * 2000):
        error = SourceError(f"HTTP 500 Internal Server Error from {secret_url} (after 2 hops)")
        assert len(error.message) <= 1000
        assert "SECRET" not in public_error(error.message)


def test_a_quote_in_a_password_or_a_secret_value_does_not_end_the_url() -> None:
    """httpx writes "'" as it is in a URL's user info and query: the URL of an error message
    runs past it (it stopped there, and the rest, secrets and all, was published as text)."""
    error = "https://bob:pa'ss@feeds.example/f?api_key=s3cr'et sent nothing for 20 s"
    assert public_error(error) == "https://feeds.example/f?api_key=REDACTED sent nothing for 20 s"
    # Quotes around a URL are the message's: they stay, outside it.
    quoted = "redirected to 'https://a.example/b?token=x' then failed"
    assert public_error(quoted) == "redirected to 'https://a.example/b?token=REDACTED' then failed"
    # Two quoted in a row are two URLs, each redacted.
    listed = "tried ['https://a.example/','https://u:pw@b.example/?key=1'] in turn"
    assert public_error(listed) == (
        "tried ['https://a.example/','https://b.example/?key=REDACTED'] in turn"
    )


@pytest.mark.parametrize(
    ("error", "public"),
    [
        # A URL cut short by a "')" in its path: its query is still masked (a redirect loop
        # published "?password=hunter2" on /sources).
        ("HTTP 404 from http://h.example/f('a')?token=abc", "HTTP 404 from http://h.example/f('a')?token=REDACTED"),
        ("→ http://h/('l')?password=hunter2&x=1 →", "→ http://h/('l')?password=REDACTED&x=1 →"),
        # A name written percent-encoded is the name servers read; ";" separates as "&" does.
        ("from http://h.example/?%74oken=abc&a=1", "from http://h.example/?%74oken=REDACTED&a=1"),
        ("from http://h.example/?a=1;token=abc;b=2", "from http://h.example/?a=1;token=REDACTED;b=2"),
        ("no URL here: a=b?c=d", "no URL here: a=b?c=d"),
    ],
)  # fmt: skip
def test_a_credential_is_masked_however_its_url_is_written(error: str, public: str) -> None:
    assert public_error(error) == public


def test_public_url_reads_semicolons_and_encoded_names() -> None:
    assert public_url("https://u:p@h.example/f?a=1;api_key=2&b=3") == (
        "https://h.example/f?a=1;api_key=REDACTED&b=3"
    )
    assert secrets_in_url("https://h.example/f?a=1;%74oken=2") == ["query parameter %74oken"]


def test_a_session_in_the_path_is_masked_as_in_the_query() -> None:
    """A Java site's feed URL carries its session in the path (URL rewriting: ";jsessionid=…"
    after a segment); pages, OPML and the feeds published it whole, and check-config said
    nothing, though public_error masked it in an error's text."""
    url = "https://u:p@h.example/news/rss.xml;jsessionid=0A1B2C?page=2"
    assert public_url(url) == "https://h.example/news/rss.xml;jsessionid=REDACTED?page=2"
    assert public_url("https://h.example/a;key=1/b;v=2;sid=3") == (
        "https://h.example/a;key=REDACTED/b;v=2;sid=REDACTED"
    )
    assert public_url("https://h.example/a;b/c;=d") == "https://h.example/a;b/c;=d"
    assert secrets_in_url(url) == ["a user name and password", "path parameter jsessionid"]
