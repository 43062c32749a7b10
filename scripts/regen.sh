#!/usr/bin/env bash
# Regenerate the low-level client and the event catalog from openapi/up42.yaml.
# Usage: scripts/regen.sh [OUTPUT_DIR [CATALOG]]   (defaults: generated/up42_api and up42/receiving/_catalog.py)
# The generator and ruff versions are pinned in pyproject.toml's dev extra; output is byte-for-byte reproducible.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BIN="${UP42_DEV_BIN:-$ROOT/.venv/bin}"
[ -x "$BIN/openapi-python-client" ] || BIN="$(dirname "$(command -v openapi-python-client)")"

# Every step (validation, generation, the event catalog) runs in one interpreter of the dev tools, scripts/regen.py.
exec "$BIN/python" "$ROOT/scripts/regen.py" --root "$ROOT" "$@"
