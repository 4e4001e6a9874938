# Two commands for a new user: `make run` and `make test` (see README.md).
PYTHON ?= python3
HOST ?= 127.0.0.1
PORT ?= 8000
UV_VERSION := 0.13.8

TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
export UV_PROJECT_ENVIRONMENT := $(VENV)
export UV_PYTHON_DOWNLOADS := never

.PHONY: run test install console lint fmt typecheck pytest schema clean deploy-check

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.installed: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --python $(PYTHON)
	touch $@

# The developer console's browser assets: pinned npm packages, verified, fetched once.
install: $(VENV)/.installed
	@$(BIN)/python -m services.gateway.console.fetch

console: install

run: install
	$(BIN)/alliance serve --migrate --demo --host $(HOST) --port $(PORT)

test: install lint typecheck pytest

# Extra pytest arguments, e.g. PYTEST_ARGS=--basetemp=/tmp/pt-mine when checkouts test at once.
PYTEST_ARGS ?=

pytest: install
	$(BIN)/pytest $(PYTEST_ARGS)

# Import contracts (layers, independent domains, no cycles): [tool.importlinter] in pyproject.toml.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

fmt: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

typecheck: install
	$(BIN)/mypy

# deploy/ checked offline (part of `make test` too): hadolint, the compose-spec schema,
# the Kubernetes manifests rendered and validated, settings in code = README = deploy.
deploy-check: install
	$(BIN)/pytest tests/deploy

schema: install
	$(BIN)/python -m schema.export

clean:
	rm -rf $(VENV) $(TOOLS) .mypy_cache .ruff_cache .pytest_cache

# The event backbone's benchmark: outbox + relay vs. producing straight to the broker.
.PHONY: bench-events
bench-events: install
	$(BIN)/python -m bench.events

# Webhooks: 10,000 events through outbox, broker, the webhooks consumer and the sender to a
# local receiver; throughput and delivery latency p50/p99.
bench-webhooks: install
	$(BIN)/python -m bench.webhooks

# The API benchmark: GraphQL read, deep read and write paths against a raw-SQL baseline
# (BENCH_SECONDS per run, default 10; data kept in .alliance-bench/).
.PHONY: bench
bench: install
	$(BIN)/python -m bench.api

# The ledger's Excel import: a 10,000-row workbook into a fresh embedded database (#12 asks
# for under 30 s).
.PHONY: bench-ledger
bench-ledger: install
	$(BIN)/python -m bench.ledger

# Partner limits (#16): one key bursting 1,000 requests over its limit, another key's latency
# alone and during the bursts (p50/p99; the target: no more than 20% worse).
.PHONY: bench-burst
bench-burst: install
	$(BIN)/python -m bench.burst
