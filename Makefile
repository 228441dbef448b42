# Digipunt: `make run` sets everything up and serves on http://127.0.0.1:8000; `make test` checks it all.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
# Development commands may run without a SECRET_KEY (settings refuse that anywhere else).
export DIGIPUNT_INSECURE_DEV_KEY ?= true
PORT ?= 8000

.PHONY: run test test-fast install lint format migrate data messages bench clean

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	touch $(STAMP)

install: $(STAMP)

migrate: install
	mkdir -p var
	$(BIN)/python manage.py migrate --noinput

data: migrate
	$(BIN)/python manage.py load_territory
	$(BIN)/python manage.py load_demo_network

# Catalogues: the compiled .mo files are committed, so `make run` needs no gettext tools.
messages: install
	$(BIN)/python manage.py makemessages -l nl -l fr -l en --ignore=.venv --ignore=tests --ignore=bench --no-obsolete
	$(BIN)/python manage.py compilemessages --ignore=.venv

run: data
	DEBUG=true $(BIN)/python manage.py runserver $(HOST):$(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

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

.PHONY: bench-questions
bench-questions: data  # a million contacts in a database of its own (not var/digipunt.sqlite3)
	$(BIN)/python bench/questions.py

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
