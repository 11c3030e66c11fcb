# The two commands a newcomer needs: `make run` and `make test`. Everything else is optional.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install system-deps-run system-deps-test demo serve worker bench opensearch opensearch-stop keycloak topology lint snapshots clean

$(STAMP): requirements.txt
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is required"'
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	touch $(STAMP)

install: $(STAMP)

# System packages (a CJK font; for tests also Chromium, poppler, gettext) come from Debian, installed when missing.
system-deps-run:
	bash tools/system-deps.sh run

system-deps-test:
	bash tools/system-deps.sh test

# The demo import runs its follow-up tasks inline, so the worker of `make run` starts with an empty queue.
DEMO_ENV := GUIDE_TASKS_BACKEND=immediate
demo: install system-deps-run
	$(DEMO_ENV) $(PY) manage.py migrate --noinput
	$(DEMO_ENV) $(PY) manage.py import_catalogue
	$(DEMO_ENV) $(PY) manage.py setup_editorial
	$(DEMO_ENV) $(PY) manage.py import_translations demo/translations/en
	if command -v msgfmt >/dev/null; then $(PY) manage.py compilemessages -l en --ignore '.venv/*' -v 0; fi
	$(DEMO_ENV) $(PY) manage.py seed_workdays
	$(DEMO_ENV) $(PY) manage.py rebuild_search_index --no-progress
	$(PY) manage.py ensure_dev_admin
	$(PY) manage.py setup_window_demo

# Serves the city site on http://localhost:8000/ and each county on http://<code>.localhost:8000/,
# with the task worker beside it; Ctrl-C stops both.
run: demo
	@echo "市级站点: http://localhost:$(PORT)/   县级站点: http://hanbin.localhost:$(PORT)/ 等   管理后台: http://localhost:$(PORT)/admin/"
	@trap 'kill 0' INT TERM EXIT; \
	$(PY) manage.py db_worker --interval 1 & \
	$(PY) manage.py runserver $(HOST):$(PORT)

# Browser tests run in their own session: live_server flushes the database the other tests share.
# The non-browser run includes the production topology's tests (tests/deploy, marker topology).
NOT_BROWSER ?= not browser
test: install system-deps-test
	$(PY) -m pytest -n 2 --dist loadgroup -q -m "$(NOT_BROWSER)"
	$(PY) -m pytest -q -p no:xdist -m browser

lint: install
	$(VENV)/bin/ruff check .

bench: demo system-deps-test  # its browser section needs Chromium
	$(PY) -m bench

# The production topology on loopback (docs/deploy.md): nginx (TLS) → two gunicorn, db_worker, PostgreSQL, Redis,
# OpenSearch, with production settings and the demo catalogue; Ctrl-C stops everything.
topology: install system-deps-test
	$(PY) -m deploy.topology

opensearch:
	bash tools/opensearch/opensearch.sh start 9200

opensearch-stop:
	bash tools/opensearch/opensearch.sh stop

# A local OIDC provider (Keycloak, demo realm) to try 统一身份认证: prints the OIDC_* settings for `make run`.
keycloak: install
	$(PY) -m deploy.keycloak start 8180

clean:
	rm -rf $(VENV) db.sqlite3 media .cache/pytest
