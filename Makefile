# Two commands from a fresh clone: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run serve test lint typecheck messages worker e2e bench clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py publish_tree_heads --schedule
	$(PY) manage.py needs_check --schedule
	$(PY) manage.py matching_check --schedule
	$(PY) manage.py dashboard_refresh --schedule
	$(PY) manage.py collectstatic --noinput --verbosity 0
	@echo "Serving on http://$(HOST):$(PORT)/ as in production (DEBUG off; 'make serve' is the debug server), with a task worker for messages (Ctrl+C stops both)"
	@trap 'kill 0' INT TERM EXIT; \
	export DJANGO_DEBUG=$${DJANGO_DEBUG:-0}; \
	$(PY) manage.py db_worker --interval 1 --no-startup-delay & \
	$(VENV)/bin/granian --interface wsgi --host $(HOST) --port $(PORT) --workers 2 \
		--blocking-threads 4 --backpressure 32 config.wsgi:application

serve: install
	$(PY) manage.py runserver $(HOST):$(PORT)

worker: install
	$(PY) manage.py db_worker

test: install
	$(VENV)/bin/pytest

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: install
	$(VENV)/bin/mypy .

messages: install
	$(PY) manage.py makemessages --locale id --ignore ".venv/*" --ignore "staticfiles/*" --no-obsolete
	$(PY) manage.py compilemessages --ignore ".venv/*"

bench: install
	for f in bench/*.py; do $(PY) $$f || exit 1; done

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
