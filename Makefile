# Tawrid — `make demo` runs the demo, `make test` runs lint, type checks and the whole test suite.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# The first Python >= 3.12 found: on PATH, then pyenv's versions, then the usual system places.
PYTHON ?= $(shell for c in python3.13 python3.12 python3 $$HOME/.pyenv/versions/3.13*/bin/python3 $$HOME/.pyenv/versions/3.12*/bin/python3 /usr/local/bin/python3.1[2-9] /usr/bin/python3.1[2-9]; do \
	command -v $$c >/dev/null 2>&1 && $$c -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { echo $$c; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
CHROMIUM ?= /usr/bin/chromium
PYTEST_ARGS ?=
# Test processes (pytest-xdist): two use both cores of a small machine; each has its own test database.
PYTEST_WORKERS ?= 2

.PHONY: help demo serve test lint typecheck pytest test-pg bench messages chromium report-libs clean openapi

help:
	@echo "make demo   — install, load reference and demo data, serve on http://$(HOST):$(PORT) with a task worker"
	@echo "make test   — lint, type checks and the whole test suite (browser tests included)"
	@echo "make bench  — benchmarks, printed and written to docs/benchmarks.md"

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "Python 3.12 or newer is needed (none found)."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $@ $(VENV)/.installed

# The demo's .env the first time (DEBUG off so that no page shows Django's debug screens, plain http on this
# machine, random keys: scripts/demo_env.py); an existing .env is never overwritten.
.env: | $(BIN)/python
	@$(BIN)/python scripts/demo_env.py .env

var:
	@mkdir -p var

demo: $(VENV)/.installed .env report-libs | var
	$(BIN)/tawrid migrate --no-input
	$(BIN)/tawrid load_reference
	$(BIN)/tawrid seed_demo
	$(BIN)/tawrid match_run --published
	$(BIN)/tawrid insights_refresh --queue
	@$(BIN)/tawrid seed_demo --logins
	@echo "Tawrid is starting on http://$(HOST):$(PORT)/ with a task worker (Ctrl-C stops both)."
	@trap 'kill 0' EXIT INT TERM; \
		$(BIN)/tawrid worker & \
		$(BIN)/tawrid serve --host $(HOST) --port $(PORT)

# WeasyPrint (the PDF reports) draws text with Pango and needs a font with Arabic glyphs (docs/insights.md).
report-libs:
	@{ ldconfig -p | grep -q 'libpango-1.0.so' && ldconfig -p | grep -q 'libpangoft2-1.0.so' \
		&& ldconfig -p | grep -q 'libharfbuzz-subset.so' && test -n "$$(fc-list :lang=ar 2>/dev/null)"; } || { \
		echo "installing Pango, HarfBuzz and the DejaVu fonts for the PDF reports"; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 \
			libharfbuzz-subset0 fonts-dejavu-core fontconfig) >/dev/null \
		|| { echo "could not install Pango and fonts: PDF reports need them"; exit 1; }; }

chromium:
	@test -x $(CHROMIUM) || { echo "installing Debian's chromium for the browser tests"; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null \
		|| { echo "could not install chromium: browser tests need $(CHROMIUM)"; exit 1; }; }

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/python scripts/check_translations.py

typecheck: $(VENV)/.installed-test
	SECRET_KEY=type-checking-only TAWRID_SEALING_KEYS=type-checking-only-sealing-key-not-for-production $(BIN)/mypy tawrid config

pytest: $(VENV)/.installed-test chromium report-libs | var
	$(BIN)/python -m pytest -q -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

test: lint typecheck pytest

# The suite against PostgreSQL: DATABASE_URL must name a PostgreSQL database (its test_ twin is created).
test-pg: $(VENV)/.installed-test chromium report-libs | var
	@case "$$DATABASE_URL" in postgres*) ;; *) echo "DATABASE_URL must point at PostgreSQL"; exit 2;; esac
	$(BIN)/python -m pytest -q -n $(PYTEST_WORKERS) --create-db $(PYTEST_ARGS)

bench: $(VENV)/.installed .env | var
	$(BIN)/tawrid bench

# Catalogues: the project's (locale/: templates/, config/) and one per app (tawrid/<app>/locale/).
messages: $(VENV)/.installed-test
	$(BIN)/tawrid makemessages --no-obsolete -l fr -l ar --ignore=.venv --ignore=var --ignore=tawrid --ignore=tests
	@for app in tawrid/*/; do test -d $$app/locale && (cd $$app && DJANGO_SETTINGS_MODULE=config.settings \
		SECRET_KEY=messages-only TAWRID_SEALING_KEYS=messages-only-sealing-key-not-for-production ../../$(BIN)/django-admin makemessages --no-obsolete -l fr -l ar); done; true
	$(BIN)/tawrid compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) var/test*.sqlite3

# Update the committed OpenAPI snapshot after a deliberate API change (tests compare against it).
openapi: $(VENV)/.installed
	SECRET_KEY=openapi-only TAWRID_SEALING_KEYS=openapi-only-sealing-key-not-for-production $(BIN)/python -c "import django, json, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings'); django.setup(); from config.api import api; print(json.dumps(api.get_openapi_schema(path_prefix='/api/v1/'), indent=2, ensure_ascii=False, sort_keys=True))" > docs/openapi.json
