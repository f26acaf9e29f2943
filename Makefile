# Two commands do everything on a fresh machine with Python 3.11:  make run   |   make test
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: run test venv migrate demo worker serve check-deploy bench clean messages

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

venv: $(STAMP)

migrate: venv
	@mkdir -p var
	$(PY) manage.py migrate --no-input -v 0

demo: migrate
	$(PY) manage.py seed_demo

# Serve the demo with a Celery worker and beat alongside (embedded broker: no Redis, no PostgreSQL).
run: demo
	$(PY) manage.py collectstatic --no-input -v 0
	@echo "Starting Celery worker + beat (logs: var/celery.log)"
	@$(VENV)/bin/celery -A config worker --beat --concurrency 2 --loglevel INFO \
		--schedule var/celerybeat-schedule > var/celery.log 2>&1 & echo $$! > var/celery.pid
	@trap 'kill `cat var/celery.pid` 2>/dev/null; rm -f var/celery.pid' EXIT INT TERM; \
		$(PY) manage.py runserver $(HOST):$(PORT)

test: venv
	$(PY) -m pytest $(PYTEST_ARGS)

# What CI runs after `make test`: the same suite on PostgreSQL + Redis with a real worker.
check-deploy: venv
	DOORSTEP_ENV=production SECRET_KEY=ci-$$(date +%s)-not-a-real-secret-key-but-long-enough-abcdefgh \
		ALLOWED_HOSTS=doorstep.example.com $(PY) manage.py check --deploy --fail-level WARNING

messages: venv
	$(PY) manage.py compilemessages -v 0

clean:
	rm -rf $(VENV) var staticfiles
