# One command to run the app with demo data, one to run the tests. Both install what they need.
VENV := .venv
PY := $(VENV)/bin/python
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/interviewnode
TEST_REDIS_URL ?= redis://127.0.0.1:6379/0
APPS := accounts interviewnode interviews notifications progress questions reviews scheduling

.PHONY: setup run test lint serve-production fuzz

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e ".[dev]"
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

static/dist/.built: node_modules/.installed frontend/build.mjs $(wildcard frontend/src/*)
	npm run build --silent
	touch $@

setup: $(VENV)/.installed static/dist/.built

## make run: the app at http://127.0.0.1:8000 on SQLite with the demo bank and demo users
run: setup
	$(PY) manage.py migrate --no-input
	$(PY) manage.py seed_demo
	$(PY) manage.py runserver 127.0.0.1:8000

## make test: the whole suite on PostgreSQL and Redis, with Chromium for the browser tests
test: setup
	scripts/ensure-services
	scripts/ensure-chromium
	scripts/ensure-sandbox
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} \
		$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/pylint --score=n $(APPS)

## make fuzz: Schemathesis against a live server, as the demo candidate, coach and curator (about
## 2 minutes); it prints the figures per role, and the server log only when a check fails
fuzz: setup
	scripts/ensure-services
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} \
		$(VENV)/bin/pytest -p no:cacheprovider -m fuzz tests/interviewnode/test_schema_fuzz.py
