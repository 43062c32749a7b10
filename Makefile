# Every target sets up what it needs: `make test` and `make demo` work on a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check
# `make demo` installs only what it runs (the package and its sandbox extra); the other targets add the dev
# toolchain and the benchmarks' peer libraries on top, in the same venv, and mark the demo's part done too.
DEMO_STAMP := $(VENV)/.installed-demo
STAMP := $(VENV)/.installed

.PHONY: test test-lowest demo lint typecheck spec check-generated check-version api-diff regen pytest coverage docs bench bench-docs clean \
	cassettes

$(DEMO_STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet -e '.[sandbox]'
	@touch $(DEMO_STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet pip==26.3
	$(PIP) install --quiet -e '.[sandbox,dev]' --group bench
	@touch $(STAMP) $(DEMO_STAMP)

venv: $(STAMP)

## demo: start a local sandbox and receiver and walk through the webhooks flow (examples/quickstart.py)
demo: $(DEMO_STAMP)
	$(BIN)/python examples/demo.py

## test: validate the spec, check generated/, lint, type-check and run the test suite
test: $(STAMP) spec check-generated check-version lint typecheck docs pytest

spec: $(STAMP)
	$(BIN)/openapi-spec-validator openapi/up42.yaml openapi/sandbox.yaml

check-generated: $(STAMP)
	scripts/check-generated.sh

regen: $(STAMP)
	scripts/regen.sh

## check-version: fail when up42/_version.py was raised less than the changes since the previous release tag require
check-version: $(STAMP)
	scripts/check-version.sh

## api-diff: what the changes since BASE (a git ref) break, and the version bump they need; ARGS=--json for JSON
api-diff: $(STAMP)
	@test -n "$(BASE)" || { echo "usage: make api-diff BASE=<git ref> [ARGS=--json]" >&2; exit 2; }
	scripts/api-diff.sh $(ARGS) $(BASE)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

## docs: build the documentation site into site/; strict, so a broken reference, link or page fails
# (no --quiet: it hides the warnings that --strict counts, and the build passes)
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

# Four test processes, each taking whole files (a file's module fixtures, such as a sandbox, start once): more than
# the two cores, since most tests wait on real servers and processes rather than compute.
XDIST := -n 4 --dist loadfile

pytest: $(STAMP)
	$(BIN)/pytest $(XDIST) -q --durations=30

## coverage: the test suite with the lines and branches of up42/ it did not run (about a third slower than pytest)
coverage: $(STAMP)
	$(BIN)/pytest $(XDIST) --cov --cov-report=term-missing:skip-covered -q

## test-lowest: the SDK, receiving, sandbox and CLI tests on the oldest releases pyproject.toml allows (CI runs it)
# A fresh venv of its own, resolved by uv with --resolution lowest-direct: every runtime requirement and extra at
# its lower bound, the test tools at their dev pins. httpx-aiohttp, on which the transport tests make a user's own
# client, needs a newer httpx than the SDK's floor, so it is added afterwards for those tests alone.
UV := uv==0.13.9
LOWEST := $(VENV)/lowest
# (not pyyaml: a runtime requirement, tested at its floor like the others)
LOWEST_TOOLS := pytest pytest-asyncio pytest-xdist respx hypothesis openapi-core openapi-spec-validator jsonschema \
	rfc3339-validator
LOWEST_TESTS := $(filter-out %/test_resilience.py %/test_urls.py,$(wildcard tests/client/test_*.py)) \
	$(filter-out %/test_backends.py,$(wildcard tests/client/transport/test_*.py)) tests/receiving/test_asgi.py \
	tests/receiving/test_claims.py tests/receiving/test_events.py tests/receiving/test_handlers.py \
	tests/receiving/test_header_limits.py tests/receiving/test_imports.py tests/receiving/test_leases.py \
	tests/receiving/test_receiver.py tests/receiving/test_dedupe_redis.py tests/receiving/test_replay.py \
	tests/receiving/test_signature.py tests/receiving/test_unsigned_body.py tests/receiving/test_inbox.py \
	tests/receiving/test_inbox_receiver.py tests/receiving/test_worker.py tests/receiving/test_django.py \
	tests/receiving/test_inbox_postgres.py \
	tests/project/test_no_leaks.py \
	tests/project/test_demo.py tests/sandbox/test_end_to_end.py tests/sandbox/test_api.py \
	tests/sandbox/test_dashboard.py tests/sandbox/test_deliveries.py tests/sandbox/test_faults.py \
	tests/sandbox/test_hardening.py tests/sandbox/test_plugin.py tests/sandbox/test_simulate.py \
	tests/cli/test_commands.py tests/cli/test_help.py tests/contract/test_spec.py tests/contract/test_judge.py \
	tests/contract/test_errors.py tests/contract/test_cassettes.py
# (left out for time: the other command-line and process tests, about 100 s more; they passed on these floors too)
LOWEST_HTTPX_AIOHTTP_TESTS := tests/client/transport/test_backends.py
LOWEST_HTTPX_AIOHTTP_TOOLS := httpx-aiohttp
# the dev extra's pin of each tool named on the command line, one a line; a name without a pin is an error
define LOWEST_TOOLS_PINS
import sys, tomllib
dev = tomllib.load(open("pyproject.toml", "rb"))["project"]["optional-dependencies"]["dev"]
pins = {r.split("==")[0]: r for r in dev}
missing = [name for name in sys.argv[1:] if name not in pins]
sys.exit(f"not pinned in the dev extra: {missing}") if missing else print(*(pins[n] for n in sys.argv[1:]), sep="\n")
endef
export LOWEST_TOOLS_PINS
LOWEST_INSTALL = $(BIN)/uv pip install --quiet --compile-bytecode --python $(LOWEST)/bin/python \
	--resolution lowest-direct -r $(LOWEST)/tools.txt

test-lowest: $(STAMP)
	$(PIP) install --quiet '$(UV)'
	rm -rf $(LOWEST)
	$(BIN)/uv venv --quiet --python $(BIN)/python $(LOWEST)
	$(BIN)/python -c "$$LOWEST_TOOLS_PINS" $(LOWEST_TOOLS) > $(LOWEST)/tools.txt
	$(LOWEST_INSTALL) -e '.[sandbox,redis,aiohttp,django,postgres]'
	$(BIN)/uv pip list --python $(LOWEST)/bin/python
	$(LOWEST)/bin/pytest $(XDIST) -q -p no:cacheprovider $(LOWEST_TESTS)
	$(BIN)/python -c "$$LOWEST_TOOLS_PINS" $(LOWEST_HTTPX_AIOHTTP_TOOLS) > $(LOWEST)/httpx-aiohttp.txt
	$(LOWEST_INSTALL) -r $(LOWEST)/httpx-aiohttp.txt -e '.[sandbox,redis,aiohttp,django]'
	$(LOWEST)/bin/pytest $(XDIST) -q -p no:cacheprovider $(LOWEST_HTTPX_AIOHTTP_TESTS)

## cassettes: record tests/cassettes/sandbox/ afresh: `up42 conformance --strict --record` against a new sandbox
cassettes: $(STAMP)
	$(BIN)/python scripts/record_cassettes.py

## bench: ratio benchmarks of the SDK against raw httpx, hmac and a bare Starlette app (loopback only)
bench: $(STAMP)
	$(BIN)/python -m benchmarks

## bench-docs: every benchmark, then its tables and pictures written into docs/performance.md and docs/img/
bench-docs: $(STAMP)
	$(BIN)/python -m benchmarks --docs docs/performance.md

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .coverage build dist
