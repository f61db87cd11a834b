# The two commands a fresh machine needs (see README):
#   make serve   - set up a virtualenv and start the service on built-in defaults
#   make test    - set up a virtualenv and run the whole test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: serve test lint setup system-deps bench screenshots

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

setup: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m pip install --quiet --no-deps -e examples/telnorm-plugin-example

serve: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	$(BIN)/telnorm serve

system-deps:
	scripts/system-deps

test: setup system-deps
	$(BIN)/python -m pytest -n 2 -q

lint: setup
	scripts/lint

bench: setup
	$(BIN)/python benchmarks/run.py

# Refresh the web page screenshots in docs/img (the browser tests take them; see docs/web.md).
screenshots: setup system-deps
	TELNORM_SCREENSHOTS=docs/img $(BIN)/python -m pytest -q -p no:xdist tests/web/test_browser.py
