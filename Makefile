# The README's commands. Everything installs into .venv from the pinned requirements.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.kept-installed

.PHONY: install site test test-fast test-browser lint serve bench audit clean catalogs

install: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

site: install
	$(BIN)/kept build

# axe-core, for the accessibility checks of the browser tests; Lighthouse, for make audit.
node_modules/.package-lock.json: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund; \
	else echo "npm not found: the accessibility checks (axe-core) will be skipped"; fi

test: install node_modules/.package-lock.json
	$(BIN)/python -m pytest -q

test-browser: install node_modules/.package-lock.json
	$(BIN)/python -m pytest -q tests/browser

lint: install
	$(BIN)/ruff check generator tests benchmarks
	$(BIN)/mypy

test-fast: install
	$(BIN)/python -m pytest -q -m "not slow and not browser"

serve: install
	$(BIN)/kept serve

clean:
	rm -rf site .pytest_cache

# Kept is installed in editable mode, which compiles no bytecode (nor does Python when
# PYTHONDONTWRITEBYTECODE is set): compile it, as installing the package would, so that the
# benchmark does not time compiling Kept's source on every run.
bench: install
	$(BIN)/python -m compileall -q generator
	$(BIN)/python benchmarks/bench.py

# Lighthouse (package.json) on the example's home, a commitment page and the changelog, with
# Debian's Chromium: the four category scores of each, failing under 98.
audit: install node_modules/.package-lock.json
	$(BIN)/python benchmarks/audit.py --runs 3

# Kept's words in every language it ships (docs/languages.md): the messages found in the code
# and templates (kept.pot), each language's catalog brought up to date with them, then compiled
# (the .mo files ship in the package). Translate what `update` added before compiling.
LOCALES := generator/locales
LANGUAGES := cy de es fr nl
catalogs: install
	$(BIN)/pybabel -q extract -F babel.cfg -k tr -k ntr:1,2 -k N_ --add-location=file \
		--sort-by-file --width 100 --project Kept --copyright-holder "Kept's authors" \
		-o $(LOCALES)/kept.pot generator
	for lang in $(LANGUAGES); do \
		$(BIN)/pybabel -q update -i $(LOCALES)/kept.pot -d $(LOCALES) -D kept -l $$lang \
			--init-missing --ignore-obsolete --ignore-pot-creation-date --width 100; \
	done
	$(BIN)/pybabel compile --statistics -d $(LOCALES) -D kept
