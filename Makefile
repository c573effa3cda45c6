# NET Advisor: `make run` sets everything up and serves the app; `make test` runs the suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install install-dev install-load migrate run serve test lint mutants check-deploy bench bench-check bench-engine bench-impact bench-sensitivity load clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(INSTALLED): requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

install: $(INSTALLED)

# The tests' and the linter's tools, beside the app's own requirements.
DEV_INSTALLED := $(VENV)/.installed-dev
$(DEV_INSTALLED): requirements-dev.txt requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install-dev: $(DEV_INSTALLED)

LOAD_INSTALLED := $(VENV)/.installed-load
$(LOAD_INSTALLED): requirements-load.txt requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-load.txt
	touch $@

install-load: $(LOAD_INSTALLED)

migrate: install
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py migrate --no-input

run: migrate
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py runserver $(HOST):$(PORT)

# As in production: gunicorn, DEBUG off, static files collected and served by WhiteNoise.
# Plain HTTP on 127.0.0.1 (HTTPS=false); behind a TLS proxy leave HTTPS at its default.
serve: migrate
	DEBUG=false HTTPS=$${HTTPS:-false} SECRET_KEY=$${SECRET_KEY:-$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')} \
	  STATICFILES_BACKEND=whitenoise.storage.CompressedManifestStaticFilesStorage \
	  sh -c '$(BIN)/python manage.py collectstatic --no-input -v0 && \
	  exec $(BIN)/gunicorn netadvisor.wsgi --bind $(HOST):$(PORT) --workers $${WORKERS:-3}'

# Benchmarks and load tests are too noisy for CI: run them by hand.
bench: install
	$(BIN)/python bench/bench.py $(BENCH_ARGS)

# The exhaustive check of version 1's logic, timed in one process (no server, no database).
bench-check: install
	$(BIN)/python bench/check.py

# The engine's cost per case, version 1 as content against the engine written in Python.
bench-engine: install
	$(BIN)/python bench/engine.py

# What would change the advice: its cost per case over the example and reference cases.
bench-sensitivity: install
	$(BIN)/python bench/sensitivity.py

# The impact report over 10,000 / 100,000 / 1,000,000 synthetic cases, SQLite then PostgreSQL
# (PG_URL: a database on the server to connect to; a database bench_impact is made there).
bench-impact: install
	$(BIN)/python bench/impact.py

load: install-load
	$(BIN)/python bench/load.py
	DATABASE_URL=$${PG_URL:-postgres://postgres@127.0.0.1:5432/test} $(BIN)/python bench/load.py

lint: install-dev
	$(BIN)/ruff check .
	DJANGO_SETTINGS_MODULE=netadvisor.test_settings $(BIN)/python manage.py makemigrations --check --dry-run

test: lint
	$(BIN)/pytest

# Mutation testing of the guidance/engine/ package and guidance/forms.py with their fast tests
# ([tool.mutmut] in pyproject.toml); not part of `make test`. Starts afresh each time.
# One worker: mutmut forks its workers from one process, so they would share that process's
# SQLite test database file and destroy it under one another, counting mutants as killed
# that no test caught.
mutants: install-dev
	rm -rf mutants
	$(BIN)/mutmut run --max-children 1
	$(BIN)/mutmut results

# Production settings pass Django's deployment checklist (DEBUG off, HTTPS on).
check-deploy: install
	DEBUG=false HTTPS=true ALLOWED_HOSTS=netadvisor.example.org \
	  SECRET_KEY=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))') \
	  $(BIN)/python manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache .hypothesis mutants
