# Two commands do everything on a fresh machine with Python 3.11:  make run   |   make test
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# Links printed by the demo and sent in its emails point at the server `make run` starts.
export DOORSTEP_BASE_URL ?= http://$(HOST):$(PORT)
PYTEST_ARGS ?= -n 2

.PHONY: run test venv migrate demo check-deploy clean messages

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
	$(PY) manage.py devstack $(HOST):$(PORT)

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
