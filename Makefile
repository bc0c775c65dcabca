# Developer shortcuts. `make check` is the static half of what CI runs (./scripts/test runs it
# before the test suite). Tools come from the virtual environment: VENV=path to use another.
VENV ?= .venv
BIN := $(VENV)/bin
PYTHON_SOURCES := src tests bench

.PHONY: help demo test check lint types imports format bench messages

help:
	@echo "make demo      install into $(VENV) and run Octavo on a demo district (./scripts/demo)"
	@echo "make test      make check, then the suite on SQLite and on PostgreSQL (./scripts/test)"
	@echo "make check     lint + types + imports: what CI checks before the tests"
	@echo "make lint      ruff check and ruff format --check"
	@echo "make types     mypy (strict on rules, states, services and shared)"
	@echo "make imports   the import-linter contracts (lint-imports)"
	@echo "make format    ruff format and ruff check --fix"
	@echo "make bench     run bench/bench_*.py, update docs/benchmarks.md"
	@echo "make messages  compile the translation catalogs (.po -> .mo)"

demo:
	./scripts/demo

test:
	./scripts/test

check: lint types imports

lint:
	$(BIN)/ruff check $(PYTHON_SOURCES)
	$(BIN)/ruff format --check $(PYTHON_SOURCES)

types:
	$(BIN)/mypy

imports:
	$(BIN)/lint-imports

format:
	$(BIN)/ruff format $(PYTHON_SOURCES)
	$(BIN)/ruff check --fix $(PYTHON_SOURCES)

bench:
	$(BIN)/python -m bench.run

messages:
	$(BIN)/octavo messages compile
