#!/usr/bin/env bash
# What the changes since a git ref break for users of the SDK, and the version bump they need.
# Usage: scripts/api-diff.sh [--json] [--check] BASE_REF
#   Compares the working tree with BASE_REF: the spec (openapi/up42.yaml, as data) and the public Python surface of
#   up42 and of the generated up42_api. --json prints one JSON document; --check exits 1 when up42/_version.py was
#   raised less than the changes require. Bad input (an unknown ref, say) exits 2.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BIN="${UP42_DEV_BIN:-$ROOT/.venv/bin}"
# The tools as scripts/regen.sh finds them: the comparison reads names the way the generator makes them.
[ -x "$BIN/openapi-python-client" ] || BIN="$(dirname "$(command -v openapi-python-client)")"
PYTHONPATH="$ROOT/scripts${PYTHONPATH:+:$PYTHONPATH}" exec "$BIN/python" -m api_diff --root "$ROOT" "$@"
