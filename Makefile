# Two commands do all the set-up on a fresh machine:
#   make run    create .venv, install, open the app with the sample model and leads
#   make test   create .venv, install with test extras, run the tests
#   make fuzz   the property tests with random seeds and 20x the examples (see tests/fuzzing.py)
#   make hostile  the hostile-input corpus (tests/hostile/cases.py) through the command line, one line per case
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SPARK_STAMP := $(VENV)/.installed-spark

.PHONY: run test fuzz hostile test-spark bench bench-outofcore schema screenshot clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# PySpark (the optional 'spark' extra, ~300 MB) goes into the same venv, only for this target
$(SPARK_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,spark]'
	touch $(SPARK_STAMP)

run: $(STAMP)
	$(BIN)/leaddesigner

# two processes, each taking whole test files (module fixtures are built once; the order within a file is fixed)
test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q -n 2 --dist loadfile

# every property test (pytest -m hypothesis) with random seeds and 20x its examples; failures are kept
# in .hypothesis/fuzz (git-ignored) and replayed first next time. Turn each into an @example (the run
# prints how), so that `make test`, which always draws the same examples, keeps checking it.
fuzz: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q -n 2 -m hypothesis --hypothesis-profile fuzz -p no:cacheprovider $(FUZZ_ARGS)

# 120 hostile files (alias bombs, catastrophic regexes, NaN, broken encodings, killed saves ...) each run
# through the command line in a process of its own: no crash, no traceback, <10 s, <1 GB, inputs untouched
hostile: $(STAMP)
	$(BIN)/python tests/hostile/run_hostile.py $(HOSTILE_ARGS)

# the exported SQL (spark dialect) on Spark SQL in local mode equals the Python engine (needs Java 17+)
test-spark: $(SPARK_STAMP)
	@command -v java >/dev/null || { echo "test-spark needs Java 17+ (apt-get install openjdk-17-jre-headless)"; exit 1; }
	LEADDESIGNER_TEST_SPARK=1 QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q tests/core/test_spark.py

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_scoring.py --leads 100000
	$(BIN)/python benchmarks/bench_scoring.py --leads 1000000
	QT_QPA_PLATFORM=offscreen $(BIN)/python benchmarks/bench_plots.py
	QT_QPA_PLATFORM=offscreen $(BIN)/python benchmarks/bench_gui.py
	$(BIN)/python benchmarks/bench_score_cli.py --leads 1000000
	$(BIN)/python benchmarks/bench_replay.py
	$(BIN)/python benchmarks/bench_fit.py --no-fasterrisk
	test -f /tmp/leaddesigner-bench-1m/leads.csv || $(BIN)/leaddesigner generate --leads 1000000 --format csv -o /tmp/leaddesigner-bench-1m
	$(BIN)/python benchmarks/bench_horizon.py --folder /tmp/leaddesigner-bench-1m
	$(BIN)/python benchmarks/bench_accounts.py --folder /tmp/leaddesigner-bench-1m
	$(BIN)/python benchmarks/bench_sql_window.py --folder /tmp/leaddesigner-bench-1m --parquet
	$(BIN)/python benchmarks/bench_handwritten.py
	$(BIN)/python benchmarks/bench_handwritten.py --format csv
	QT_QPA_PLATFORM=offscreen $(BIN)/python benchmarks/bench_load.py --folder /tmp/leaddesigner-bench-1m

# 10 million generated leads scored out of core (DuckDB) against the pandas engine; writes under /tmp
bench-outofcore: $(STAMP)
	$(BIN)/python benchmarks/bench_outofcore.py

schema: $(STAMP)
	$(BIN)/python -m leaddesigner.core.model.schema > resources/model.schema.json

clean:
	rm -rf $(VENV) build dist .pytest_cache
