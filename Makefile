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

LOCK := requirements.lock

.PHONY: help env lock browser-tools run batch validate test test-fast lab lint format benchmark benchmark-batch clean

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[1m%-14s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)
	@echo ""
	@echo "  Variables: COUNCIL=$(COUNCIL) PERIOD=$(PERIOD) SCENARIO=$(SCENARIO)"

$(STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes -r $(LOCK)
	$(PY) -m pip install --quiet --no-deps -e .
	$(PY) -m compileall -q src  # the library's bytecode, as pip writes it for every other package
	$(PY) -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python (council-finance)" >/dev/null
	@touch $(STAMP)

env: $(STAMP) ## Create the virtual environment (.venv) from requirements.lock and register the kernel

lock: ## Refresh requirements.lock (every dependency pinned, with hashes) from pyproject.toml
	@if ! $(PY) -m uv --version >/dev/null 2>&1; then $(PY) -m pip install --quiet uv; fi
	$(PY) -m uv pip compile pyproject.toml --extra dev --universal --python-version 3.11 \
	  --generate-hashes --no-header --quiet -o $(LOCK)
	@echo "requirements.lock refreshed: commit it; 'make env' reinstalls from it."

browser-tools: ## Headless Chromium (Debian package, when root) and axe-core (npm ci) for the browser tests
	@if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || command -v google-chrome >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "Installing Chromium for the browser tests (apt-get)..."; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else echo "No Chromium and no way to install it here: the browser tests will be skipped."; fi
	@if [ -f node_modules/axe-core/axe.min.js ]; then :; \
	elif command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --loglevel=error; \
	else echo "npm not found: install Node.js so 'npm ci' can fetch axe-core for the accessibility scan."; fi

run: env ## Build the quarterly pack (COUNCIL, PERIOD, SCENARIO) into outputs/
	$(PY) -m analysis run --council $(COUNCIL) --period $(PERIOD) --scenario $(SCENARIO)

batch: env ## Packs for every council of every class on the published data, and a national index
	$(PY) -m analysis batch

validate: env ## Check a council's input data without building anything
	$(PY) -m analysis validate --council $(COUNCIL) --period $(PERIOD)

test: env browser-tools ## Run the whole test suite (unit, back tests, notebooks, browser)
	$(PY) -m pytest

test-fast: env ## Run the unit tests only (no notebooks, packs, full public data or browser): < 60 s
	$(PY) -m pytest tests -m "not slow and not browser"

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

benchmark-batch: env ## Time the pack against papermill+nbconvert, and batches at 1 and 2 workers
	$(PY) benchmarks/benchmark_batch.py

clean: ## Remove generated outputs and caches (keeps .venv)
	rm -rf outputs/*/ data/processed/*/ .pytest_cache .ruff_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
