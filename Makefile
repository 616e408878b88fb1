# The README's two commands: `make run` and `make test`. Nothing else needs installing by hand.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The CPU build of torch that this machine keeps on disk; installed before the
# sentence-transformers extra so that pip never pulls a CUDA build.
TORCH := torch==2.13.0
FIND_LINKS := $(if $(wildcard /opt/wheels),--find-links /opt/wheels,)
PIP := $(BIN)/python -m pip install --disable-pip-version-check $(FIND_LINKS)
HOST ?= 127.0.0.1
PORT ?= 5000
PYTEST_ARGS ?=

.PHONY: run test test-fast install install-test install-browser bench lint clean i18n install-system-libs bandit audit

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(PIP) -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(PIP) -q $(TORCH)
	$(PIP) -q -e '.[test]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed install-system-libs
install-test: $(VENV)/.installed-test install-browser install-axe install-system-libs

# WeasyPrint (PDF exports) needs Pango, HarfBuzz and fonts from the system.
SYSTEM_LIBS := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core

## Install the system libraries of the PDF exports if missing (Debian/Ubuntu; idempotent)
install-system-libs:
	@command -v dpkg >/dev/null 2>&1 || exit 0; \
	dpkg -s $(SYSTEM_LIBS) >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq $(SYSTEM_LIBS); \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq $(SYSTEM_LIBS); fi; }

## Browser tests drive Debian's chromium (never a downloaded browser); install it if missing
install-browser:
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium; \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq chromium; fi; }

## Accessibility checks: axe-core from the npm registry (pinned in tests/e2e/package-lock.json),
## injected into pages by the browser tests; never loaded from a CDN
AXE := tests/e2e/node_modules/axe-core/axe.min.js
install-axe: $(AXE)
$(AXE): tests/e2e/package.json tests/e2e/package-lock.json
	@command -v npm >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq npm; \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq npm; fi; }
	cd tests/e2e && npm ci --no-audit --no-fund --silent
	touch $@

## Set up, initialise the SQLite database with the demo campaign, serve on http://127.0.0.1:5000
run: install
	MOTION_ENV=$${MOTION_ENV:-development} $(BIN)/motion init --demo
	MOTION_ENV=$${MOTION_ENV:-development} $(BIN)/motion serve --host $(HOST) --port $(PORT)

## Set up with the test extras and run the whole suite (PostgreSQL too when MOTION_TEST_DATABASE_URL is set)
test: install-test
	$(BIN)/python -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

## The fast part alone: no browser, no server start, no long test (PYTEST_ARGS still applies)
test-fast: install-test
	$(BIN)/python -m pytest -n 2 --dist loadgroup -m "not e2e and not slow" $(PYTEST_ARGS)

## Benchmarks: clustering vs BERTopic (rewrites its part of docs/benchmarks.md); live votes
## and exports print Markdown tables for their sections; scale (10k/30k/100k distinct texts
## through the queue) and load (3 servers, 2 workers, 1,000 phones) need PostgreSQL and Redis
bench: install-test
	$(PIP) -q -e '.[test,bench]'
	$(BIN)/python bench/bench_clustering.py
	$(BIN)/python bench/bench_votes.py --db both
	$(BIN)/python bench/bench_exports.py --markdown
	$(BIN)/python bench/bench_dossiers.py
	$(BIN)/python bench/bench_mapping.py
	$(BIN)/python bench/bench_scale.py
	$(BIN)/python bench/bench_load.py
	$(BIN)/python bench/bench_similar.py
	$(BIN)/python bench/bench_compression.py

lint: install-test
	$(BIN)/ruff check motion nlp tests bench
	$(BIN)/lint-imports

## Static security analysis: no medium or high bandit finding in motion/ and nlp/
bandit: install-test
	$(BIN)/bandit -q -r motion nlp --severity-level medium

## Known vulnerabilities of the installed packages (pip-audit, PyPI's advisory data): fails
## on a vulnerability, and when no package at all could be checked (PyPI's JSON API unreachable)
audit: install-test
	$(BIN)/pip-audit --skip-editable --progress-spinner off --desc on --format json \
	  --output $(VENV)/pip-audit.json || { cat $(VENV)/pip-audit.json; exit 1; }
	$(BIN)/python -c "import json, sys; deps = json.load(open('$(VENV)/pip-audit.json'))['dependencies']; \
	  done = [d for d in deps if 'skip_reason' not in d]; \
	  print(f'pip-audit: {len(done)} of {len(deps)} packages checked'); \
	  sys.exit(0 if done else 'pip-audit could not reach the advisory data: nothing was checked')"

clean:
	rm -rf $(VENV) .pytest_cache

## Refresh the translation catalogues after changing UI strings (then edit the .po and run again)
i18n: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k N_ -o motion/translations/messages.pot .
	$(BIN)/pybabel update -i motion/translations/messages.pot -d motion/translations --no-fuzzy-matching
	$(BIN)/pybabel compile -d motion/translations
