# Pilier: `make run` serves the app with a demo office; `make test` runs the whole suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PORT ?= 8000

export PILIER_VAR_DIR ?= $(CURDIR)/var

.PHONY: run dev serve test test-pg lint typecheck format bench install browser pango pg-client messages check-deploy

$(STAMP): requirements.txt requirements-dev.txt
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed ($(PYTHON) not found)."; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

## pango: the text layout library WeasyPrint needs for PDFs (Debian's package, installed when missing)
pango:
	@if ! ldconfig -p 2>/dev/null | grep -q libpango-1.0; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian's pango for the PDF export…"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core >/dev/null) \
	      || { echo "ERROR: could not install pango (apt-get failed); PDF export needs libpango-1.0."; exit 1; }; \
	  else \
	    echo "ERROR: PDF export needs pango: run 'sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0' and try again."; exit 1; \
	  fi; \
	fi

## run: install, migrate the SQLite default, load the demo office once, then serve on 127.0.0.1:$(PORT) as in
## production (gunicorn and one background worker, DEBUG off, static files by WhiteNoise: pilier/serve.py); Ctrl-C stops both
run: $(STAMP) pango
	DEBUG=false $(PY) manage.py migrate --noinput
	DEBUG=false $(PY) manage.py load_demo
	DEBUG=false WEB_BIND=127.0.0.1:$(PORT) $(PY) -m pilier.serve

## dev: the same with Django's development server and DEBUG on (reloads on change, technical error pages)
dev: $(STAMP) pango
	DEBUG=true $(PY) manage.py migrate --noinput
	DEBUG=true $(PY) manage.py load_demo
	@trap 'kill 0' INT TERM EXIT; \
	  DEBUG=true $(PY) manage.py db_worker --no-reload & \
	  DEBUG=true $(PY) manage.py runserver 127.0.0.1:$(PORT)

## serve: Pilier as in production (pilier/serve.py, docs/deploy.md): collectstatic and migrate, then gunicorn
## on WEB_BIND (default 127.0.0.1:PORT) and TASK_WORKERS background workers (default 1), DEBUG off; Ctrl-C stops all
serve: $(STAMP) pango
	WEB_BIND=$${WEB_BIND:-127.0.0.1:$(PORT)} $(PY) -m pilier.serve

## browser: Debian's Chromium for the Playwright tests (installed when missing)
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian's chromium for the browser tests…"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null) \
	      || { echo "ERROR: could not install chromium (apt-get failed); the browser tests need /usr/bin/chromium."; exit 1; }; \
	  else \
	    echo "ERROR: the browser tests need Debian's chromium at /usr/bin/chromium: run 'sudo apt-get install chromium' and try again."; exit 1; \
	  fi; \
	fi

## test: lint and types, then the whole suite (unit, integration, browser) on SQLite
test: $(STAMP) browser pango
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(MAKE) --no-print-directory typecheck
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest -n 2 $(PYTEST_ARGS)

## pg-client: PostgreSQL's client tools (pg_dump, pg_restore) for manage.py backup / restore (Debian's package,
## installed when missing)
pg-client:
	@if ! command -v pg_dump >/dev/null || ! command -v pg_restore >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian's postgresql-client for backups…"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-client >/dev/null) \
	      || { echo "ERROR: could not install postgresql-client (apt-get failed); backups on PostgreSQL need pg_dump."; exit 1; }; \
	  else \
	    echo "ERROR: backups on PostgreSQL need pg_dump and pg_restore: run 'sudo apt-get install postgresql-client' and try again."; exit 1; \
	  fi; \
	fi

## test-pg: the suite on PostgreSQL (DATABASE_URL, default: local server, user postgres)
test-pg: $(STAMP) browser pango pg-client
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/pilier} $(VENV)/bin/pytest -n 2 $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

## typecheck: mypy with django-stubs over the package; strict on the engine, services, selectors, access
## and rules (the levels are in pyproject.toml); its cache (.mypy_cache) makes a second run take about a second
typecheck: $(STAMP)
	$(VENV)/bin/mypy pilier

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

## bench: 10,000 clients, median times of the main pages and the API; a 100,000-record import;
## the analysis of one file, its PDF, and the office view over 10,000 files; 50 brokers for 60 s against
## the production server during a 100,000-record import, on SQLite and on PostgreSQL (bench/load_bench.py);
## a MyPension PDF of 11 pages parsed (bench/mypension_bench.py)
bench: $(STAMP) pango
	$(PY) bench/run.py && $(PY) bench/import_bench.py && $(PY) bench/analysis_bench.py && $(PY) bench/mypension_bench.py && $(PY) bench/followup_bench.py && $(PY) bench/load_bench.py

## messages: refresh the translation catalogues (needs GNU gettext) and compile them
messages: $(STAMP)
	$(PY) manage.py makemessages -l fr -l nl -l en --no-obsolete -i ".venv/*" -i "var/*"
	$(PY) manage.py compilemessages -i ".venv"

check-deploy: $(STAMP)
	DEBUG=false SECRET_KEY=$$($(PY) -c 'import secrets;print(secrets.token_urlsafe(64))') ALLOWED_HOSTS=pilier.example.be \
	  $(PY) manage.py check --deploy --fail-level WARNING
