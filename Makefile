# The two commands a newcomer needs: `make demo` and `make test`. Both create .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench lint docs clean test-tools

$(STAMP): pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $@

demo: $(STAMP)
	$(BIN)/cursor-spend demo

# The tests also need Debian's chromium (the report opens in headless Chromium), docker-compose (checks
# docker-compose.yml without a Docker engine) and postgresql (the tests start a throwaway PostgreSQL cluster of their
# own): installed with apt-get when missing (as root, or with sudo).
test-tools:
	@missing=""; \
	for tool in chromium docker-compose; do command -v $$tool >/dev/null || missing="$$missing $$tool"; done; \
	command -v initdb >/dev/null || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	if [ -n "$$missing" ]; then \
		echo "Installing$$missing with apt-get"; \
		sudo=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq$$missing >/dev/null; \
	fi

test: $(STAMP) test-tools
	$(BIN)/python -m pytest -q -n 3 --dist loadfile

bench: $(STAMP)
	$(BIN)/python -m benchmarks

# docs/tables.md, the table reference, from the dbt project's YAML (a test fails while it is out of date)
docs: $(STAMP)
	$(BIN)/python -m docs.table_reference

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) demo warehouse dbt_project/target dbt_project/logs
