# The README's commands. Everything installs into .venv from the pinned requirements.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.kept-installed

.PHONY: install site test test-fast lint serve bench clean

install: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

site: install
	$(BIN)/kept build

test: install
	$(BIN)/python -m pytest -q

lint: install
	$(BIN)/ruff check generator tests benchmarks
	$(BIN)/mypy

test-fast: install
	$(BIN)/python -m pytest -q -m "not slow"

serve: install
	$(BIN)/kept serve

clean:
	rm -rf site .pytest_cache

bench: install
	$(BIN)/python benchmarks/bench.py
