# Two commands do all the set-up on a fresh machine:
#   make run    create .venv, install, open the app with the sample model and leads
#   make test   create .venv, install with test extras, run the tests
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test bench schema screenshot clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/leaddesigner

test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_scoring.py --leads 100000
	$(BIN)/python benchmarks/bench_scoring.py --leads 1000000
	QT_QPA_PLATFORM=offscreen $(BIN)/python benchmarks/bench_plots.py
	QT_QPA_PLATFORM=offscreen $(BIN)/python benchmarks/bench_gui.py

schema: $(STAMP)
	$(BIN)/python -m leaddesigner.core.schema > resources/model.schema.json

clean:
	rm -rf $(VENV) build dist .pytest_cache
