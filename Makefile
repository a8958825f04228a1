# The two commands a new user needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install run test lint typecheck unit clean bench

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

# Installs, migrates the embedded SQLite database ./warroom.db, loads the playbook, serves on :8080.
run: install
	$(BIN)/warroom db upgrade
	$(BIN)/warroom serve

lint: install
	$(BIN)/ruff check src tests bench

typecheck: install
	$(BIN)/mypy

unit: install
	$(BIN)/pytest -q

# The whole suite. With WARROOM_TEST_DATABASE_URL set (CI), it also runs on PostgreSQL.
test: lint typecheck unit

# Ingest figures (events/s, p50/p99 of /v2/enqueue vs a no-op ceiling, SQLite and PostgreSQL); installs wrk if missing.
bench: install
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python bench/ingest.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
