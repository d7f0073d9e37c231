# The two commands: `make run` (start the assistant) and `make test` (run all tests).
# Both bootstrap a fresh machine: system packages, two venvs, Rasa model, database.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PY311 ?= python3
PY310 ?= $(shell PYENV_VERSION=3.10.13 pyenv which python 2>/dev/null)
VENV := .venv
RVENV := .venv-rasa
APP_REQS := $(wildcard requirements/app.txt requirements/gazetteer.txt requirements/tourism.txt requirements/voice.txt requirements/channels.txt requirements/lifecycle.txt)
RASA_REQS := requirements/rasa.lock.txt $(wildcard requirements/gazetteer.txt)
APT_LISTS := $(wildcard requirements/apt*.txt)
ENV := source scripts/env_defaults.sh &&
PIP_QUIET := --quiet --disable-pip-version-check

.PHONY: help bootstrap sysdeps venvs model db run run-cluster bench-load test test-fast test-faults bench-faults bench bench-dashboard nlu-eval qa-eval duplicates-eval lint clean

help:
	@echo "make run    - set up everything and start the assistant (web chat at http://127.0.0.1:8000/)"
	@echo "make test   - set up everything and run the whole test suite"
	@echo "make bench  - print performance numbers"
	@echo "make nlu-eval / qa-eval / lint"

sysdeps:
	@missing=""; for p in $$(cat $(APT_LISTS) /dev/null | sed 's/#.*//' | xargs); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "[sysdeps] installing:$$missing"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null) \
	  || { echo "[sysdeps] could not install:$$missing (run as root or install them)"; exit 1; }; fi

$(VENV)/.installed: $(APP_REQS)
	@test -x $(VENV)/bin/python || $(PY311) -m venv $(VENV)
	@echo "[venv] installing app dependencies into $(VENV)"
	@$(VENV)/bin/pip install $(PIP_QUIET) $(foreach r,$(APP_REQS),-r $(r)) 2> >(grep -v "^WARNING: Location" >&2)
	@touch $@

$(RVENV)/.installed: $(RASA_REQS)
	@test -n "$(PY310)" || { echo "Python 3.10.13 not found: PYENV_VERSION=3.10.13 pyenv which python"; exit 1; }
	@test -x $(RVENV)/bin/python || $(PY310) -m venv $(RVENV)
	@echo "[venv] installing Rasa 3.6 into $(RVENV) (first time: ~2 min)"
	@$(RVENV)/bin/pip install $(PIP_QUIET) $(foreach r,$(RASA_REQS),-r $(r)) 2> >(grep -v "^WARNING: Location" >&2)
	@touch $@

venvs: $(VENV)/.installed $(RVENV)/.installed

model: venvs
	@$(VENV)/bin/python -m scripts.train_model

db: venvs
	@$(ENV) $(VENV)/bin/python -m feedback_router.migrate

bootstrap: sysdeps venvs model db

run: bootstrap
	@$(ENV) export RASA_MODEL=$$($(VENV)/bin/python -m scripts.train_model --print-path) && \
	  exec $(VENV)/bin/honcho start -f Procfile

# The suite runs on PYTEST_WORKERS processes (pytest-xdist, one test file per worker at a time):
# most of a test's time is spent waiting on the real processes it drives, so 3 workers fit 2 cores.
PYTEST_WORKERS ?= 3

test: bootstrap
	@$(ENV) $(VENV)/bin/python -m pytest -q -p no:cacheprovider -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

lint: venvs
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/lint-imports
	@$(VENV)/bin/python -m scripts.rasa_data_validate  # strict: unused intents/responses, conflicts

test-faults: bootstrap  # the full fault plan: 200 conversations, every fault kind 5 times
	@$(ENV) FAULTS_CONVERSATIONS=200 FAULTS_PER_KIND=5 $(VENV)/bin/python -m pytest -q -s -p no:cacheprovider tests/faults

bench-faults: bootstrap  # the same, printing the figures without pytest
	@$(ENV) $(VENV)/bin/python -m tests.faults.run --conversations 200 --per-kind 5

bench: bootstrap
	@$(ENV) $(VENV)/bin/python -m bench.run_all

bench-load: bootstrap  # issue-15 load table: embedded, cluster N = 1, 2, 3, replica kill (≈15 min)
	@$(ENV) $(VENV)/bin/python -m bench.load

run-cluster: bootstrap  # production shape on one host (docs/deployment.md): SCALE=2, DATABASE_URL=postgresql://…
	@$(ENV) $(VENV)/bin/python -m scripts.cluster

nlu-eval: bootstrap
	@$(ENV) $(VENV)/bin/python -m bench.nlu_eval

qa-eval: venvs
	@$(VENV)/bin/python -m bench.qa_eval

duplicates-eval: venvs
	@$(ENV) PYTHONPATH=. $(VENV)/bin/python -m bench.duplicates_eval

bench-dashboard: venvs
	@$(ENV) $(VENV)/bin/python -m bench.dashboard_queue

clean:
	rm -rf var/*.db models/
