# One task runner for working on oco-reconcile: `make install`, then `make lint types test`.
# Every target uses the virtual environment `install` creates (VENV=... to use another one).

VENV ?= .venv
PYTHON := $(VENV)/bin/python
CODE := src tests bench

.PHONY: install lint types test bench schemas record

install:  ## the virtual environment, the project editable, with its test extra
	python3 -m venv $(VENV)
	$(PYTHON) -m pip install -q --upgrade pip
	$(PYTHON) -m pip install -q -e ".[test]"

lint:  ## ruff: lint rules and formatting (nothing is rewritten)
	$(VENV)/bin/ruff check $(CODE)
	$(VENV)/bin/ruff format --check $(CODE)

types:  ## mypy strict over the files pyproject.toml lists
	$(VENV)/bin/mypy

test:  ## the whole suite: exactly the README's test command
	$(PYTHON) -m pytest

bench:  ## the benchmarks against the simulator (figures in docs/benchmarks.md)
	$(PYTHON) bench/run.py

schemas:  ## regenerate the JSON Schemas in schemas/ from the code
	$(PYTHON) -m oco_reconcile.inputs.schema --write-schemas schemas/

record:  ## re-record the contract cassettes on the real Spot testnet, then replay them
	$(PYTHON) -m pytest tests/unit/venues/spot -m testnet --record-testnet
	$(PYTHON) -m pytest tests/unit/venues/spot
