# One command each: install, run the sample, test, start the UI.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
JARS := .jars
STAMP := $(VENV)/.installed
export JAVA_HOME ?= $(shell dirname $$(dirname $$(readlink -f $$(command -v java))))

PEOPLE ?= 300
DAYS ?= 3
START ?= 2026-11-01

.PHONY: install run test dev lint clean

install: $(STAMP) $(JARS)/.copied

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

$(JARS)/.copied: jars/pom.xml
	mvn --quiet --batch-mode -f jars/pom.xml dependency:copy-dependencies \
		-DexcludeTransitive=true -DoutputDirectory=$(CURDIR)/$(JARS)
	touch $@

run: install
	rm -rf data/landing
	$(BIN)/cdp generate --people $(PEOPLE) --days $(DAYS) --start $(START) --out data/landing
	DAGSTER_HOME=$(CURDIR) $(BIN)/cdp run --start $(START) --days $(DAYS)

test: install
	$(BIN)/pytest

dev: install
	DAGSTER_HOME=$(CURDIR) $(BIN)/dagster dev -w workspace.yaml

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf data/landing data/lake data/dagster data/spark-tmp
