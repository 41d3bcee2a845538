# Duban (督办) — the two commands that matter: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PORT ?= 8000
export DUBAN_DATA ?= ./var

.PHONY: run test lint install clean bench migrate seed up-local down-local nginx open311-clients browser

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

## Start the embedded suite (all services in one process) with demo data on http://127.0.0.1:$(PORT)/
run: install
	$(BIN)/duban run --port $(PORT)

## nginx, the edge of the distributed topology (Debian's package; `duban local up` and its tests run it)
nginx:
	@command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || { \
		if [ "$$(id -u)" = 0 ]; then \
			echo "installing nginx (Debian package)"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx >/dev/null; \
		else \
			echo "nginx is missing: sudo apt-get install nginx" >&2; exit 1; \
		fi; }

## GeoReport v2 client libraries from PyPI in a venv of their own (the Open311 tests run them)
CLIENTS := .venv-open311-clients
CLIENTS_STAMP := $(CLIENTS)/.installed
$(CLIENTS_STAMP): tests/hotline/open311_clients.txt
	$(PYTHON) -m venv $(CLIENTS)
	$(CLIENTS)/bin/python -m pip install --quiet -r tests/hotline/open311_clients.txt
	touch $(CLIENTS_STAMP)

open311-clients: $(CLIENTS_STAMP)

## Debian's Chromium and a CJK font for the browser tests (Playwright drives /usr/bin/chromium; it never
## downloads a browser of its own, and without the font every Chinese character renders as a box)
browser:
	@{ [ -x /usr/bin/chromium ] && fc-list 2>/dev/null | grep -qi "wenquanyi zen hei"; } || { \
		if [ "$$(id -u)" = 0 ]; then \
			echo "installing chromium and fonts-wqy-zenhei (Debian packages)"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
				chromium fonts-wqy-zenhei >/dev/null; \
		else \
			echo "the browser tests need: sudo apt-get install chromium fonts-wqy-zenhei" >&2; exit 1; \
		fi; }

## Install the test dependencies and run the whole suite
test: install nginx open311-clients browser
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## ruff (lint + import order) and mypy over every package
lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy shared services gateway

## The distributed topology as local processes: gunicorn per part, event workers, sweeper,
## against the local RabbitMQ (AMQP_URL) and PostgreSQL (POSTGRES_URL); gateway on $(PORT)
up-local: install nginx
	$(BIN)/duban local up

down-local:
	$(BIN)/duban local down

migrate: install
	$(BIN)/duban migrate

seed: install
	$(BIN)/duban seed-demo

bench: install
	$(BIN)/python bench/intake.py

clean:
	rm -rf $(VENV) $(CLIENTS) var .pytest_cache .mypy_cache .ruff_cache
