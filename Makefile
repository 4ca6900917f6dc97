# 莘情公开 kiosk: `make run` starts the kiosk on the demo county, `make test` runs the checks.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: setup run run-windowed demo test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

# First start builds the demo county into the default database; later starts reuse it.
run: setup
	$(BIN)/kiosk demo --if-missing
	$(BIN)/kiosk run

run-windowed: setup
	$(BIN)/kiosk demo --if-missing
	$(BIN)/kiosk run --windowed

demo: setup
	$(BIN)/kiosk demo

lint: setup
	$(BIN)/ruff check .
	$(BIN)/lint-imports

test: lint
	QT_QPA_PLATFORM=offscreen $(BIN)/pytest

# Speed figures at county scale; not part of `make test`.
bench: setup
	QT_QPA_PLATFORM=offscreen $(BIN)/python tests/benchmarks/bench_store.py
	QT_QPA_PLATFORM=offscreen $(BIN)/python tests/benchmarks/bench_sync.py
	QT_QPA_PLATFORM=offscreen $(BIN)/python tests/benchmarks/bench_print.py

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache
