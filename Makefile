# Council finance analysis: `make help` lists the targets.
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
KERNEL := council-finance

COUNCIL ?= dorset
PERIOD ?= latest
SCENARIO ?= base

.PHONY: help env run validate test test-fast lab lint format benchmark clean

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[1m%-12s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)
	@echo ""
	@echo "  Variables: COUNCIL=$(COUNCIL) PERIOD=$(PERIOD) SCENARIO=$(SCENARIO)"

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	$(PY) -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python (council-finance)" >/dev/null
	@touch $(STAMP)

env: $(STAMP) ## Create the virtual environment (.venv) and register the notebook kernel

run: env ## Build the quarterly pack (COUNCIL, PERIOD, SCENARIO) into outputs/
	$(PY) -m analysis run --council $(COUNCIL) --period $(PERIOD) --scenario $(SCENARIO)

validate: env ## Check a council's input data without building anything
	$(PY) -m analysis validate --council $(COUNCIL) --period $(PERIOD)

test: env ## Run the whole test suite (unit, back tests, notebooks, browser)
	$(PY) -m pytest

test-fast: env ## Run the unit tests only (no notebooks, no browser)
	$(PY) -m pytest -m "not slow and not browser"

lab: env ## Open JupyterLab with the project's kernel
	$(VENV)/bin/jupyter lab notebooks/

lint: env ## Lint and format-check the code and notebooks (ruff)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: env ## Format the code and notebooks (ruff)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

benchmark: env ## Time the default pack and the Monte Carlo (prints the figures)
	$(PY) benchmarks/run_benchmarks.py

clean: ## Remove generated outputs and caches (keeps .venv)
	rm -rf outputs/*/ data/processed/*/ .pytest_cache .ruff_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
