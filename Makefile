# PHX Pay Online. `make run` serves the portal on SQLite with demo data; `make test` runs the suite on
# PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/phxpay).
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
MO := locale/es/LC_MESSAGES/django.mo
PO := locale/es/LC_MESSAGES/django.po

# Two test processes: most of the suite waits on PostgreSQL and Chromium, so two share 2 cores well.
TEST_PROCESSES ?= 2

.PHONY: setup run test lint format system-deps messages clean lock bench

setup: system-deps $(VENV)/.installed node_modules/.installed $(MO)

# Debian packages the project needs: gettext (translations), chromium (browser journeys), and
# Pango with a font for WeasyPrint (bill PDFs).
system-deps:
	@missing=""; \
	command -v msgfmt >/dev/null || missing="$$missing gettext"; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	ldconfig -p | grep -q libpangoft2-1.0.so.0 || missing="$$missing libpango-1.0-0 libpangoft2-1.0-0"; \
	[ -e /usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf ] || missing="$$missing fonts-liberation"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else \
	    echo "Please install these Debian packages first: sudo apt-get install -y$$missing"; exit 1; \
	  fi; \
	fi

$(VENV)/.installed: requirements-dev.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -r requirements-dev.lock
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The same msgfmt call Django's compilemessages makes; the .mo is committed and must stay current.
$(MO): $(PO)
	msgfmt --check-format -o $@ $<

run: setup
	DEBUG=true $(BIN)/python manage.py migrate --noinput
	DEBUG=true $(BIN)/python manage.py seed_demo
	DEBUG=true $(BIN)/python manage.py import_bills demo/cis_bills_demo.csv --lines demo/cis_bill_lines_demo.csv --no-notices
	DEBUG=true $(BIN)/python manage.py runserver 127.0.0.1:8000

test: setup
	DEBUG=false SECRET_KEY=collectstatic-only PIN_PEPPER=collectstatic-only-pepper $(BIN)/python manage.py collectstatic --noinput -v0
	$(BIN)/pytest -n $(TEST_PROCESSES) $(PYTEST_ARGS)

# Benchmarks (bench/README.md): what a user feels, each figure a ratio to a baseline of the same run,
# on PostgreSQL and Redis with the phxpay_bench_portal database; about 9 minutes. wrk loads the pages,
# psql is the import's baseline. BENCH_ARGS passes options, e.g. BENCH_ARGS="--rows 100000 --output r.md".
bench: setup
	@command -v wrk >/dev/null && command -v psql >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk postgresql-client; \
	  else echo "The benchmarks need: sudo apt-get install -y wrk postgresql-client"; exit 1; fi; }
	$(BIN)/python bench/run.py $(BENCH_ARGS)

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DEBUG=true DATABASE_URL=sqlite:///:memory: $(BIN)/python manage.py makemigrations --check --dry-run

format:
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Refresh the Spanish catalogue after changing any user-visible string, then fill every msgstr.
messages:
	DEBUG=true $(BIN)/python manage.py makemessages -l es --no-obsolete --no-location --ignore=.venv --ignore=node_modules --ignore=staticfiles
	msgfmt --check-format -o $(MO) $(PO)

clean:
	rm -rf $(VENV) node_modules staticfiles

# Re-pin after changing pyproject.toml: runtime lock for the image, dev lock (a superset) for make.
lock:
	$(BIN)/pip-compile -q --no-emit-index-url --no-emit-find-links --strip-extras -o requirements.lock pyproject.toml
	$(BIN)/pip-compile -q --no-emit-index-url --no-emit-find-links --strip-extras --extra dev -o requirements-dev.lock pyproject.toml
