# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
# DATABASE_URL switches from the embedded SQLite file to PostgreSQL.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test setup install messages redis fixtures editor clean

run: setup
	@echo ""
	@echo "  Two Sessions Tracker: http://$(HOST):$(PORT)/   admin: http://$(HOST):$(PORT)/admin/"
	@echo "  Make an editor account:  $(PY) manage.py create_editor NAME --email you@example.org"
	@echo ""
	$(PY) manage.py runserver $(HOST):$(PORT)

test: setup redis
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py build_fixtures --check
	$(VENV)/bin/pytest

setup: install .env messages
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_real_data

# The Chinese interface: .po files are in the repo, .mo files are compiled here (gettext's
# msgfmt, from Debian's packages, installed when missing).
messages: install
	@command -v msgfmt >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq gettext >/dev/null)
	$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules -v0

install: $(VENV)/.installed node_modules/.installed

# The deploy test serves the site with Redis as its cache, as production does.
redis:
	@redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 || redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

.env:
	cp .env.example .env

# Rebuild fixtures/real_data.json after correcting the CSV or fixtures/curation.toml.
fixtures: install .env
	$(PY) manage.py build_fixtures

editor: setup
	$(PY) manage.py create_editor $(NAME)

clean:
	rm -rf $(VENV) node_modules staticfiles db.sqlite3 test_db.sqlite3
