# Digipunt: `make run` sets everything up and serves on http://127.0.0.1:8000; `make test` checks it all.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
# Development commands may run without a SECRET_KEY (settings refuse that anywhere else).
export DIGIPUNT_INSECURE_DEV_KEY ?= true
PORT ?= 8000

.PHONY: run test test-fast install lint lock format migrate data messages bench clean

# Every package pinned with its hashes: production.lock is what production installs,
# development.lock adds the dev extra (tests, linters). `make lock` regenerates both.
$(STAMP): requirements/production.lock requirements/development.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/development.lock
	touch $(STAMP)

install: $(STAMP)

# Resolves pyproject.toml's pins (transitive ones too) for CPython 3.11 on Linux x86_64, with the
# hashes of every file published for each version, using uv from a throwaway venv. Versions
# already in the lock files are kept; `make lock LOCK_ARGS="--upgrade-package NAME"` moves one.
UV_VERSION := 0.13.9
LOCK_FLAGS := --quiet --no-config --default-index https://pypi.org/simple --generate-hashes \
	--python-version 3.11 --python-platform x86_64-unknown-linux-gnu --custom-compile-command "make lock"
lock:
	tmp="$$(mktemp -d)" && trap 'rm -rf "$$tmp"' EXIT && \
	$(PYTHON) -m venv "$$tmp/venv" && \
	"$$tmp/venv/bin/python" -m pip install --quiet uv==$(UV_VERSION) && \
	export UV_CACHE_DIR="$$tmp/cache" && \
	"$$tmp/venv/bin/uv" pip compile $(LOCK_FLAGS) $(LOCK_ARGS) pyproject.toml \
		-o requirements/production.lock && \
	"$$tmp/venv/bin/uv" pip compile $(LOCK_FLAGS) $(LOCK_ARGS) --extra dev \
		-c requirements/production.lock pyproject.toml -o requirements/development.lock

migrate: install
	mkdir -p var
	$(BIN)/python manage.py migrate --noinput

data: migrate
	$(BIN)/python manage.py load_territory
	$(BIN)/python manage.py load_demo_network

# Catalogues: the compiled .mo files are committed, so `make run` needs no gettext tools.
messages: install
	$(BIN)/python manage.py makemessages -l nl -l fr -l en --ignore=.venv --ignore=var --ignore=tests --ignore=bench --no-obsolete
	$(BIN)/python manage.py compilemessages --ignore=.venv

run: data
	DEBUG=true $(BIN)/python manage.py runserver $(HOST):$(PORT)

# mypy checks the files listed in pyproject's [tool.mypy]; lint-imports the contracts in .importlinter.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python tools/check_locks.py
	$(BIN)/mypy
	$(BIN)/lint-imports --no-logo

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# On both cores (pytest-xdist): each worker has its own test database and, for the browser
# tests, its own server. `PYTEST_ARGS="-n 0"` runs in one process.
test: lint
	mkdir -p var
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest -n 2 $(PYTEST_ARGS)

# The same checks without the browser tests (no Chromium needed), on both cores: for the loop of
# editing. `make test` is what CI runs.
test-fast: lint
	mkdir -p var
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest -m "not browser" -n 2 $(PYTEST_ARGS)

bench: data
	$(BIN)/python bench/finder.py

# The public pages under gunicorn (one worker on core 0) and wrk (core 1), as a share of a bare
# Django view; builds its own database (bench/stack.py).
.PHONY: bench-http
bench-http: install
	$(BIN)/python bench/stack.py

# Lending: a checkout's server time and queries (bench/lending.py, a database of its own).
.PHONY: bench-lending
bench-lending: install
	$(BIN)/python bench/lending.py

# 200 locust users of mixed public traffic for 60 s, against one gunicorn and against two behind
# nginx, on PostgreSQL and Redis (bench/load.py; locust in a throwaway venv, never the lock).
.PHONY: bench-load
bench-load: install
	$(BIN)/python bench/load.py

.PHONY: bench-questions
bench-questions: data  # a million contacts in a database of its own (not var/digipunt.sqlite3)
	$(BIN)/python bench/questions.py

# The evidence dashboards at 1M and 10M contacts on SQLite and PostgreSQL (bench/evidence.py: each
# run builds its own database, var/bench/evidence-*.sqlite3 or bench_evidence_* on 127.0.0.1, and
# drops it afterwards); the four side by side in var/bench/evidence-<date>.txt.
.PHONY: bench-evidence
bench-evidence: install
	$(BIN)/python bench/evidence.py --contacts 1000000 --database sqlite --drop
	$(BIN)/python bench/evidence.py --contacts 1000000 --database postgres --drop
	$(BIN)/python bench/evidence.py --contacts 10000000 --database sqlite --drop
	$(BIN)/python bench/evidence.py --contacts 10000000 --database postgres --drop
	$(BIN)/python bench/evidence.py --summary

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
