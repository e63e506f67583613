# The two commands of the README: `make run` and `make test`. Everything else is a helper of those.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck pytest bench bench-tools soak browser readers clean

$(STAMP): pyproject.toml setup.py aggregator/_native.c
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	touch $(STAMP)

# Debian's Chromium and Firefox ESR for the browser tests (Playwright's own download cannot work
# here). Installed when we are root and one is missing; otherwise the browser tests say what to
# install.
browser:
	@if { ! command -v chromium || ! command -v firefox-esr; } >/dev/null 2>&1 && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing Debian's chromium and firefox-esr for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk firefox-esr >/dev/null; \
	fi

# Feed readers of other people's making for tests/test_feed_readers.py: sfeed (its own C
# parser) and newsboat, installed like chromium, and four JavaScript feed libraries, installed
# by npm at the versions tests/readers/package-lock.json names (again when it changes). Without
# them those tests say what to install.
readers:
	@if { ! command -v sfeed || ! command -v newsboat || ! command -v npm; } >/dev/null 2>&1 && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing Debian's sfeed, newsboat and npm for the feed reader tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq sfeed newsboat $$(command -v npm >/dev/null || echo npm) >/dev/null; \
	fi
	@if command -v npm >/dev/null 2>&1 && ! cmp -s tests/readers/package-lock.json tests/readers/node_modules/.lock; then \
		echo "installing the JavaScript feed libraries for the feed reader tests"; \
		{ npm ci --prefix tests/readers --no-audit --no-fund --silent && cp tests/readers/package-lock.json tests/readers/node_modules/.lock; } \
			|| echo "npm ci failed: the JavaScript feed reader tests will skip (and fail under CI)"; \
	fi

aggregator.toml:
	cp aggregator.example.toml aggregator.toml

run: $(STAMP) aggregator.toml
	$(BIN)/aggregator run

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP) browser readers
	$(BIN)/pytest

test: lint typecheck pytest

# Debian's wrk for bench/serve.py (it falls back to a slower Python load generator without it).
bench-tools:
	@if ! command -v wrk >/dev/null 2>&1 && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing Debian's wrk for the serving benchmark"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
	fi

bench: $(STAMP) bench-tools
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/serve.py

soak: $(STAMP) browser readers
	$(BIN)/pytest -m slow

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
