# Every target sets up what it needs: `make test` and `make demo` work on a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: test demo lint typecheck spec check-generated regen pytest docs bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP)

## demo: start a local sandbox and receiver and walk through the webhooks flow (examples/quickstart.py)
demo: $(STAMP)
	$(BIN)/python examples/demo.py

## test: validate the spec, check generated/, lint, type-check and run the test suite
test: $(STAMP) spec check-generated lint typecheck docs pytest

spec: $(STAMP)
	$(BIN)/openapi-spec-validator openapi/up42.yaml openapi/sandbox.yaml

check-generated: $(STAMP)
	scripts/check-generated.sh

regen: $(STAMP)
	scripts/regen.sh

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

## docs: build the documentation site into site/; strict, so a broken reference, link or page fails
# (no --quiet: it hides the warnings that --strict counts, and the build passes)
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

pytest: $(STAMP)
	$(BIN)/pytest --cov --cov-report=term-missing:skip-covered -q

## bench: ratio benchmarks of the SDK against raw httpx, hmac and a bare Starlette app (loopback only)
bench: $(STAMP)
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .coverage build dist
