# 莘情公开 kiosk: `make run` starts the kiosk on the demo county, `make test` runs the checks.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: setup bytecode run run-windowed demo test lint bench dist dist-next smoke bundle-list clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

# The kiosk's modules compiled ahead: where PYTHONDONTWRITEBYTECODE is set, every start
# would compile ~60 of them again (~60 ms before the first frame).
bytecode: setup
	$(BIN)/python -m compileall -q kiosk

# First start builds the demo county into the default database; later starts reuse it.
run: bytecode
	$(BIN)/kiosk demo --if-missing
	$(BIN)/kiosk run

run-windowed: bytecode
	$(BIN)/kiosk demo --if-missing
	$(BIN)/kiosk run --windowed

demo: setup
	$(BIN)/kiosk demo

lint: setup
	$(BIN)/ruff check .
	$(BIN)/lint-imports

test: lint
	QT_QPA_PLATFORM=offscreen $(BIN)/pytest --durations=25

# Speed figures at county scale; not part of `make test`.
# The county-scale database bench_store builds (in .bench/) also serves the print and UI
# benchmarks; bench_ui runs bench_start (cold start against a bare QMainWindow).
bench: bytecode
	QT_QPA_PLATFORM=offscreen $(BIN)/python tests/benchmarks/bench_store.py --work .bench
	QT_QPA_PLATFORM=offscreen $(BIN)/python tests/benchmarks/bench_sync.py --runs 3
	QT_QPA_PLATFORM=offscreen $(BIN)/python tests/benchmarks/bench_print.py --db .bench/kiosk.sqlite3
	QT_QPA_PLATFORM=offscreen $(BIN)/python tests/benchmarks/bench_ui.py --db .bench/kiosk.sqlite3
	QT_QPA_PLATFORM=offscreen $(BIN)/python tests/benchmarks/bench_soak.py --hours 24
	QT_QPA_PLATFORM=offscreen $(BIN)/python tests/benchmarks/bench_build.py
	$(BIN)/python tests/benchmarks/bench_feed_verify.py --repeat 1
	$(BIN)/python tests/benchmarks/bench_handwriting.py
	$(BIN)/python tests/benchmarks/bench_inbox.py --count 100000
	$(BIN)/python tests/benchmarks/bench_fleet.py
	$(MAKE) dist
	$(BIN)/python tests/benchmarks/bench_update.py --bundle dist/kiosk

# One-folder build for terminals without Python (dist/kiosk/kiosk), and its smoke test.
dist: setup
	$(BIN)/python -m pip install --quiet -c build_spec/constraints.txt -e '.[dist]'
	$(BIN)/pyinstaller --noconfirm --log-level WARN --distpath dist --workpath build build_spec/kiosk.spec

# The same source built again as the next patch version: the smoke test updates to it.
NEXT_VERSION = $(shell $(PYTHON) -c "import re; v = re.search(r'__version__ = \"(.+)\"', open('kiosk/__init__.py').read())[1].split('.'); print(f'{v[0]}.{v[1]}.{int(v[2]) + 1}')")
dist-next: dist
	KIOSK_VERSION=$(NEXT_VERSION) $(BIN)/pyinstaller --noconfirm --log-level WARN --distpath dist-next --workpath build-next build_spec/kiosk.spec

smoke: dist dist-next
	bash build_spec/smoke_test.sh dist/kiosk $(BIN)/kiosk dist-next/kiosk

# After a reviewed change of what the bundle holds: record its file list for the smoke test.
bundle-list: dist
	cd dist/kiosk && find . \( -type f -o -type l \) -printf '%P\n' | LC_ALL=C sort > ../../build_spec/bundle-files.txt

clean:
	rm -rf $(VENV) build build-next dist dist-next *.egg-info .pytest_cache .ruff_cache
