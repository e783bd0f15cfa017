# salesops: the two commands are `make demo` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export DAGSTER_HOME ?= $(CURDIR)/.dagster_home
export SALESOPS_LANDING_DIR ?= data/landing
export SALESOPS_WAREHOUSE ?= data/warehouse.duckdb
export SALESOPS_PUBLISH_DIR ?= data/published
export GX_ANALYTICS_ENABLED := false
export DAGSTER_DISABLE_TELEMETRY := true
# tests/test_ui_browser.py drives Debian's chromium: Playwright must never fetch a browser
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1
CHROMIUM ?= /usr/bin/chromium
MANIFEST := dbt_project/target/manifest.json
DBT_SOURCES := $(shell find models dbt_project/macros seeds -type f 2>/dev/null) dbt_project/dbt_project.yml

.PHONY: setup browser demo run test ui lint docs clean help bench setup-spark java test-spark

help:
	@echo "make demo   set up, generate the sample data if missing, run the pipeline, publish"
	@echo "make test   set up and run the test suite"
	@echo "make run    run the pipeline on SALESOPS_LANDING_DIR (no generation)"
	@echo "make ui     dagster dev on http://127.0.0.1:3000"
	@echo "make setup  create .venv, install the pinned dependencies, parse the dbt project"
	@echo "make test-spark  set up Spark (the spark extra, Java) and check every mart against it"
	@echo "make bench  benchmark: pipeline vs the floor, increment, load time (PRESETS=\"medium large\")"

setup: $(STAMP) $(MANIFEST) $(DAGSTER_HOME)/dagster.yaml

# The set-up says what it does in one line each; pip's and dbt's own output go to a log file,
# shown (its end) only when a step fails.
INSTALL_LOG := $(VENV)/install.log
$(STAMP): requirements.lock requirements-dev.lock pyproject.toml
	@echo "set-up: $(VENV) with the pinned dependencies (log: $(INSTALL_LOG))"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@{ $(BIN)/python -m pip install --disable-pip-version-check -r requirements.lock -r requirements-dev.lock \
	   && $(BIN)/python -m pip install --disable-pip-version-check --no-deps -e . ; } > $(INSTALL_LOG) 2>&1 \
	 || { tail -n 40 $(INSTALL_LOG); echo "set-up failed: the whole log is $(INSTALL_LOG)"; exit 1; }
	@touch $(STAMP)

$(MANIFEST): $(STAMP) $(DBT_SOURCES)
	@echo "set-up: parsing the dbt project"
	@cd dbt_project && SALESOPS_WAREHOUSE=$(abspath $(SALESOPS_WAREHOUSE)) ../$(BIN)/dbt parse --quiet --project-dir . --profiles-dir .
	@touch $(MANIFEST)

$(DAGSTER_HOME)/dagster.yaml: config/dagster.yaml
	@mkdir -p $(DAGSTER_HOME)
	@cp config/dagster.yaml $(DAGSTER_HOME)/dagster.yaml

demo: setup
	@$(BIN)/salesops demo

run: setup
	@$(BIN)/salesops run

# Headless Chromium for tests/test_ui_browser.py, from Debian's packages when missing (as root).
# Never fails the set-up: without a browser that test is skipped, with the reason.
browser:
	@if [ -x "$(CHROMIUM)" ] || command -v chromium >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing Debian's chromium and chromium-driver (for tests/test_ui_browser.py)"; \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      --no-install-recommends chromium chromium-driver >/dev/null; } \
	    || echo "note: chromium could not be installed; tests/test_ui_browser.py will be skipped"; \
	else \
	  echo "note: no chromium (and no apt-get as root); tests/test_ui_browser.py will be skipped"; \
	fi

TEST_WORKERS ?= 2
test: setup browser
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadfile --durations=15

# Spark (issue 14, docs/spark.md): the spark extra pinned by requirements-spark.lock, on top of
# requirements.lock in the same .venv, and Java from Debian's packages when there is none.
SPARK_STAMP := $(VENV)/.installed-spark
setup-spark: setup java $(SPARK_STAMP)

$(SPARK_STAMP): $(STAMP) requirements-spark.lock
	@echo "set-up: the spark extra (dbt-spark, pyspark) into $(VENV) (log: $(INSTALL_LOG))"
	@$(BIN)/python -m pip install --disable-pip-version-check -r requirements.lock -r requirements-spark.lock \
	   >> $(INSTALL_LOG) 2>&1 \
	 || { tail -n 40 $(INSTALL_LOG); echo "set-up failed: the whole log is $(INSTALL_LOG)"; exit 1; }
	@touch $(SPARK_STAMP)

java:
	@if command -v java >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "set-up: Debian's openjdk-17-jre-headless (Spark needs Java)"; \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      --no-install-recommends openjdk-17-jre-headless >/dev/null; } \
	    || { echo "set-up failed: could not install openjdk-17-jre-headless"; exit 1; }; \
	else \
	  echo "set-up failed: Spark needs Java 17: install openjdk-17-jre-headless (as root)"; exit 1; \
	fi

# Every published mart built on a local Spark equals the DuckDB build (tests/test_spark_parity.py).
test-spark: setup-spark
	SALESOPS_TEST_SPARK=1 $(BIN)/python -m pytest -q -m spark tests/test_spark_parity.py --durations=5

lint: setup
	$(BIN)/ruff check salesops salesops_cli orchestration tests bench

ui: setup
	$(BIN)/dagster dev -w workspace.yaml -h 127.0.0.1 -p $${PORT:-3000}

docs: setup
	mkdir -p $(dir $(abspath $(SALESOPS_WAREHOUSE)))
	cd dbt_project && SALESOPS_WAREHOUSE=$(abspath $(SALESOPS_WAREHOUSE)) ../$(BIN)/dbt docs generate --project-dir . --profiles-dir .

# Benchmark of issue 6 (not part of `make test`): see bench/README.md. PRESETS="medium large" by
# default; the landing files are generated once into bench/cache/<preset>/.
PRESETS ?= medium large
bench: setup
	$(BIN)/python -m bench.run_bench --presets $(PRESETS)

clean:
	rm -rf data .dagster_home dbt_project/target dbt_project/logs
