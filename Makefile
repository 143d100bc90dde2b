# Two entry points for a new machine: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export PATH := $(abspath $(BIN)):$(PATH)

.PHONY: demo test lint typecheck docs bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.demo-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[dry-run,audit]'
	@touch $@

$(VENV)/.test-installed: pyproject.toml tests/pages/package-lock.json | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test]'
	@# GitHub's Markdown stylesheet for tests/pages, pinned by the lock's integrity hash
	@if command -v npm >/dev/null; then npm ci --prefix tests/pages --ignore-scripts --no-audit --no-fund --silent; \
	  else echo "npm not found: the page tests (tests/pages) will be skipped"; fi
	@touch $@ $(VENV)/.demo-installed

## demo: install into .venv, scan examples/membership-app, write reports to out/, then
## show its unsafe migration next to the fix, linted and (with PostgreSQL) dry-run, and
## its domain report against a local NSD and nginx (when installed), and its smoke
## test against a local copy of the app with a broken invite link, then the rollback
## that would follow (dry run); it ends with the example's launch-readiness audit and its
## HANDOVER.md
demo: $(VENV)/.demo-installed
	@mkdir -p out
	launchready run --root examples/membership-app --fail-on never \
	  --sarif out/launchready.sarif --json out/launchready.json --markdown out/summary.md
	@python scripts/demo-migrations.py examples/membership-app out
	@python -c 'import trustme' 2>/dev/null || $(BIN)/python -m pip install -q trustme
	@python scripts/demo-domain.py examples/membership-app out
	@python scripts/demo-smoke.py examples/membership-app out
	@python scripts/demo-audit.py examples/membership-app out
	@echo
	@echo "Reports: out/summary.md (job summary), out/launchready.sarif (code scanning), out/launchready.json,"
	@echo "         out/AUDIT.md (launch readiness), out/HANDOVER.md (the handover document)"

## test: install test tools into .venv, lint, type-check, check generated docs, run the tests
test: $(VENV)/.test-installed
	ruff format --check .
	ruff check .
	mypy
	python scripts/gen_docs.py --check
	bash scripts/lint-actions.sh
	pytest -n 2

docs: $(VENV)/.demo-installed
	python scripts/gen_docs.py

bench: $(VENV)/.test-installed
	python benchmarks/startup.py
	python benchmarks/install.py
	python benchmarks/env_scan.py
	python benchmarks/secrets_accuracy.py
	python benchmarks/secrets_speed.py
	$(BIN)/pip install -q squawk-cli==2.70.0
	python benchmarks/migrations_accuracy.py
	$(BIN)/pip install -q checkdmarc==6.0.4 trustme
	python benchmarks/domain_scale.py
	python benchmarks/smoke_latency.py
	python benchmarks/email_verdicts.py

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache
