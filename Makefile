# Duban (督办) — the two commands that matter: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PORT ?= 8000
export DUBAN_DATA ?= ./var

.PHONY: run test lint install clean bench migrate seed up-local down-local

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

## Install the test dependencies and run the whole suite
test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## ruff (lint + import order) and mypy over every package
lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy shared services gateway

## The distributed topology as local processes: gunicorn per part, event workers, sweeper,
## against the local RabbitMQ (AMQP_URL) and PostgreSQL (POSTGRES_URL); gateway on $(PORT)
up-local: install
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
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
