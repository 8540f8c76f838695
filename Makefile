# Himaya: `make run` sets everything up and serves the demo; `make test` runs lint, types and the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HIMAYA := $(BIN)/himaya
PORT := $(or $(HIMAYA_PORT),8000)
PO_FILES := $(wildcard src/himaya/locale/*/LC_MESSAGES/django.po)
MO_FILES := $(PO_FILES:.po=.mo)
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run install assets messages db demo test lint typecheck pytest test-postgres chromium makemessages lock bench clean

run: install assets messages db ## set up (once) and serve the demo on http://127.0.0.1:$(PORT)
	@$(HIMAYA) demo --accounts
	@$(HIMAYA) daily -v 0
	@echo "Himaya serves on http://127.0.0.1:$(PORT)/  (Ctrl+C to stop; background tasks log to var/worker.log)"
	@$(HIMAYA) db_worker --no-reload -v 0 >var/worker.log 2>&1 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	$(HIMAYA) runserver 127.0.0.1:$(PORT) --skip-checks

install: $(VENV)/.installed

$(VENV)/.installed: requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/pip install -q --require-hashes -r requirements.lock 2>&1 | grep -v "is ignored" || true
	@$(BIN)/pip show -q hatchling >/dev/null
	@$(BIN)/pip install -q --no-deps --no-build-isolation -e . 2>&1 | grep -v "is ignored" || true
	@$(BIN)/python -c "import himaya, django, allauth" 
	@touch $@

assets: src/himaya/static/vendor/.stamp

src/himaya/static/vendor/.stamp: package-lock.json scripts/vendor-assets.sh
	@scripts/vendor-assets.sh
	@touch $@

messages: install $(MO_FILES)

%.mo: %.po
	@scripts/ensure-gettext.sh
	@cd src/himaya && ../../$(HIMAYA) compilemessages -v 0 --ignore=.venv

makemessages: install ## refresh the .po catalogues from the code and templates
	@cd src/himaya && ../../$(HIMAYA) makemessages -v 0 -l fr -l ar -l en --no-obsolete --ignore=static

db: install
	@$(HIMAYA) migrate -v 0
	@$(HIMAYA) demo --load-if-empty

test: install assets messages lint typecheck chromium pytest ## lint, type check and the whole suite

lint: install
	@$(BIN)/ruff check src tests bench
	@$(BIN)/ruff format --check -q src tests bench

typecheck: install
	@$(BIN)/mypy --no-error-summary src/himaya && echo "mypy: clean"

chromium:
	@scripts/ensure-chromium.sh

pytest: install assets messages
	@$(BIN)/pytest -q -n 2 --dist loadgroup

test-postgres: install assets messages chromium ## the suite on PostgreSQL (HIMAYA_DATABASE_URL)
	@$(BIN)/pytest -q -n 2 --dist loadgroup

lock: ## re-pin every dependency with hashes (needs uv: pip install uv)
	uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 -q -o requirements.lock

bench: install assets messages
	@$(BIN)/python bench/run.py
	@BENCH_DATABASE_URL=$${BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/himaya_bench} $(BIN)/python bench/directory.py
	@BENCH_CASES_SURVIVORS=$${BENCH_CASES_SURVIVORS:-100000} $(BIN)/python bench/cases.py
	@BENCH_CASES_SURVIVORS=$${BENCH_CASES_SURVIVORS:-100000} BENCH_DATABASE_URL=$${BENCH_CASES_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/himaya_bench_cases} $(BIN)/python bench/cases.py

clean:
	rm -rf $(VENV) node_modules src/himaya/static/vendor $(MO_FILES)
