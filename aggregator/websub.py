"""WebSub publishing: the hub our feeds advertise (`site.hub`) is told which of them changed.

A feed that names a hub tells its subscribers (Inoreader, Feedly, NewsBlur…) that the hub pushes
its updates, and many of them then poll it rarely or never. The publisher must ping the hub when
a feed changes (W3C WebSub, section 6): a POST of `hub.mode=publish` and `hub.url=<the feed's
self URL>`, the form every hub accepts (PubSubHubbub 0.4); the hub then fetches the feed and
pushes it. The scheduler notices changed categories (`due`); a worker sends the pings
(workers.jobs.notify_hub), so a slow hub never holds up the scheduling.
"""

from __future__ import annotations

import logging
import time

import httpx

from aggregator import fetch
from aggregator.config import Config
from aggregator.errors import FetchError
from aggregator.store import Store
from aggregator.syndication import feed_path

log = logging.getLogger("aggregator.websub")

FORMATS = ("atom", "rss", "json")
# A feed is announced at most this often: a poll round saves a category's articles source by
# source, and each save is a new version. Its subscribers hear of the burst once, soon after.
MIN_SECONDS = 30.0
TIMEOUT_SECONDS = 10.0


def topics(config: Config, slug: str | None) -> list[str]:
    """The self URLs of a category's (None: everything's) feeds, as the feeds write them: what
    subscribers subscribed to. (A `?limit=` variant is a topic of its own, and not announced.)"""
    base = config.site.base_url.rstrip("/")
    return [base + feed_path(slug, fmt) for fmt in FORMATS]


def due(store: Store, config: Config, now: float | None = None) -> list[str]:
    """The topics to announce now: the feeds whose content changed since they were last
    announced, at most every MIN_SECONDS each. They are noted as announced. A feed seen for the
    first time is noted, not announced (its hub has no subscriber to it yet)."""
    if not config.site.hub:
        return []
    now = time.time() if now is None else now
    slugs: list[str | None] = [None, *(c.slug for c in config.categories)]
    versions = store.category_versions(slugs)
    announced = store.announced_versions()
    found: list[str] = []
    noted: dict[str | None, tuple[int, float]] = {}
    for slug in slugs:
        version = versions[slug]
        last = announced.get(slug)
        if last is None:
            noted[slug] = (version, 0.0)
        elif version != last[0] and now - last[1] >= MIN_SECONDS:
            noted[slug] = (version, now)
            found += topics(config, slug)
    if noted:
        store.note_announced(noted)
    return found


def publish(
    hub: str, urls: list[str], user_agent: str, timeout: float = TIMEOUT_SECONDS
) -> dict[str, str]:
    """Ping `hub` for each of `urls`, one request each (not every hub reads several `hub.url` in
    one), each within `timeout` seconds; returns {url: "ok" or why not}. Failures are logged,
    not raised: the next change of the feed pings again, and its subscribers' own polls still
    find it. Only the status is read: the hub's body, never needed, could be endless (or a gzip
    bomb, which httpx would inflate without bound), and a hub dripping its answer is left at
    the deadline (an http:// hub's answer is anyone's on the way)."""
    outcomes: dict[str, str] = {}
    with fetch.operator_client(user_agent, timeout) as client:
        for url in urls:
            data = {"hub.mode": "publish", "hub.url": url}
            try:
                with (
                    fetch.deadline(time.monotonic() + timeout),
                    client.stream("POST", hub, data=data) as response,
                ):
                    status = response.status_code
                outcomes[url] = "ok" if 200 <= status < 300 else f"the hub answered HTTP {status}"
            except httpx.HTTPError as e:
                outcomes[url] = f"the hub could not be reached ({type(e).__name__})"
            except FetchError as e:  # (its name did not resolve: fetch._resolve)
                outcomes[url] = f"the hub could not be reached: {e.message}"
            if outcomes[url] != "ok":
                log.warning(
                    "WebSub hub not notified",
                    extra={"fields": {"hub": hub, "topic": url, "error": outcomes[url]}},
                )
    return outcomes
