"""The operator's configuration: one TOML file, read once, checked entirely, frozen.

Nothing reads configuration at import time. `load_config()` reports every problem at once, each
with its place (`sources[3].url: not an http(s) URL`).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class SiteConfig:
    title: str = "Aggregator"
    base_url: str = "http://localhost:8000"
    language: str = "en"
    description: str = ""
    icon: str = ""  # URL of a small square icon, optional
    logo: str = ""  # URL of a wide logo, optional
    hub: str = ""  # WebSub hub URL advertised in our feeds, optional


@dataclass(frozen=True)
class FetchConfig:
    allow_private_networks: bool = False
    interval: float = 15 * 60  # seconds; a source's default poll interval
    min_interval: float = 5 * 60
    max_interval: float = 24 * 3600
    jitter: float = 0.1  # fraction of the interval added at random, spreads load
    max_backoff: float = 6 * 3600  # cap of the exponential error backoff
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    deadline: float = 60.0  # the whole fetch, redirects and body included
    max_body_bytes: int = 10 * 1024 * 1024  # of the decoded body
    max_redirects: int = 5
    adopt_redirect_after: int = 3  # consecutive identical 301/308s before the new URL is adopted
    user_agent: str = ""  # default: "aggregator/<version> (+<site.base_url>)"
    batch_size: int = 20  # sources per RQ job
    concurrency: int = 8  # concurrent fetches inside one job
    per_host: int = 2  # concurrent fetches to one host inside one job
    lease: float = 90.0  # a claimed source is due again after this long if its job was lost
    job_timeout: float = 300.0


@dataclass(frozen=True)
class RetentionConfig:
    max_per_source: int = 500
    max_per_category: int = 2000
    max_age_days: float = 30.0
    keep_newest: int = 20  # max age never trims a source below this many articles
    tombstone_days: float = 365.0


@dataclass(frozen=True)
class ServeConfig:
    cache_max_age: int = 300  # Cache-Control max-age of our feeds, seconds
    stale_while_revalidate: int = 600
    frame_ancestors: tuple[str, ...] = ("*",)  # who may embed /embed/<slug> in an iframe


@dataclass(frozen=True)
class Category:
    slug: str
    title: str
    description: str = ""


@dataclass(frozen=True)
class SourceConfig:
    id: str  # stable; from the config's `id`, else derived from the name or URL
    name: str
    url: str
    categories: tuple[str, ...]
    interval: float  # seconds
    include: tuple[str, ...] = ()  # regular expressions, case-insensitive, on title + summary
    exclude: tuple[str, ...] = ()
    site_url: str = ""  # optional: the site's home page, for attribution when the feed omits it
    language: str = ""  # optional: overrides the feed's language


@dataclass(frozen=True)
class Config:
    site: SiteConfig = field(default_factory=SiteConfig)
    fetch: FetchConfig = field(default_factory=FetchConfig)
    retention: RetentionConfig = field(default_factory=RetentionConfig)
    serve: ServeConfig = field(default_factory=ServeConfig)
    categories: tuple[Category, ...] = ()
    sources: tuple[SourceConfig, ...] = ()
    path: str = ""  # where it was read from

    def source(self, source_id: str) -> SourceConfig | None:
        return next((s for s in self.sources if s.id == source_id), None)

    def category(self, slug: str) -> Category | None:
        return next((c for c in self.categories if c.slug == slug), None)
