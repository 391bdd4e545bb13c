# AIMS. Two commands on a fresh machine:
#   make run    install into .venv from the lock file, migrate, load the demo organization, serve
#   make test   install the test dependencies and run the whole suite (SQLite, and PostgreSQL too
#               when AIMS_TEST_DATABASE_URL is set)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
PYTEST_WORKERS ?= 2

.PHONY: run install test test-install lint format migrations docs bench clean fuzz security sbom

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/python requirements/lock.txt pyproject.toml
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements/lock.txt
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

$(VENV)/.test-installed: $(VENV)/.installed requirements/test-lock.txt
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements/test-lock.txt
	touch $@

install: $(VENV)/.installed

run: install
	$(BIN)/aims migrate --noinput
	$(BIN)/aims demo --if-empty
	@echo ""
	@echo "AIMS is starting on http://$(HOST):$(PORT)/  (API docs: http://$(HOST):$(PORT)/api/v1/docs)"
	$(BIN)/aims serve --host $(HOST) --port $(PORT) --with-worker

test-install: $(VENV)/.test-installed

test: test-install
	AIMS_VAR_DIR=$(CURDIR)/var/test $(BIN)/python -m aims makemigrations --check --dry-run
	AIMS_VAR_DIR=$(CURDIR)/var/test $(BIN)/python -m pytest -n $(PYTEST_WORKERS)
	@if [ -n "$$AIMS_TEST_DATABASE_URL" ]; then \
	  echo "--- the same suite on PostgreSQL ($$AIMS_TEST_DATABASE_URL)"; \
	  AIMS_VAR_DIR=$(CURDIR)/var/test AIMS_DATABASE_URL="$$AIMS_TEST_DATABASE_URL" $(BIN)/python -m pytest -n $(PYTEST_WORKERS) -m "not browser" || exit 1; \
	fi

# The full API fuzzing run: every role, AIMS_FUZZ_EXAMPLES (default 25) generated requests per
# operation and mode (about 30 minutes at 25); the suite runs a bounded subset on every `make test`,
# and .ci/run runs this with 4.
fuzz: test-install
	AIMS_VAR_DIR=$(CURDIR)/var/test AIMS_FUZZ_FULL=1 $(BIN)/python -m pytest tests/security/test_api_fuzz.py -k full_fuzzing

# Static security analysis of the source (bandit) and the software bill of materials (CycloneDX).
security: test-install
	$(BIN)/bandit -q -ll -c pyproject.toml -r src

sbom: test-install
	mkdir -p var
	$(BIN)/cyclonedx-py environment $(VENV) -o var/sbom.cdx.json
	@echo "SBOM written to var/sbom.cdx.json"

lint: test-install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

format: test-install
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/ruff check --fix src tests benchmarks

migrations: install
	$(BIN)/aims makemigrations

docs: install
	$(BIN)/aims permissions --markdown > docs/permissions.md

bench: test-install
	$(BIN)/python benchmarks/inventory/bench_inventory.py

clean:
	rm -rf $(VENV) var/test
