"""Fixtures live in tests/support/, one plugin module per real thing they start."""

pytest_plugins = [
    "tests.support.redis_server",
    "tests.support.feed_server",
    "tests.support.web_server",
    "tests.support.browser",
    "tests.support.firefox",
    "tests.support.corpus",
]
