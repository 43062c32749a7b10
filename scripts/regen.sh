#!/usr/bin/env bash
# Regenerate the low-level client and the event catalog from openapi/up42.yaml.
# Usage: scripts/regen.sh [OUTPUT_DIR [CATALOG]]   (defaults: generated/up42_api and up42/receiving/_catalog.py)
# The generator and ruff versions are pinned in pyproject.toml's dev extra; output is byte-for-byte reproducible.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT="${1:-$ROOT/generated/up42_api}"
CATALOG="${2:-$ROOT/up42/receiving/_catalog.py}"
BIN="${UP42_DEV_BIN:-$ROOT/.venv/bin}"
[ -x "$BIN/openapi-python-client" ] || BIN="$(dirname "$(command -v openapi-python-client)")"

# The generator does not validate its input, so an invalid spec must stop us first.
"$BIN/openapi-spec-validator" "$ROOT/openapi/up42.yaml" >/dev/null

# The generator keeps no `deprecated` flag, so the templates read what the spec deprecates from deprecations.jinja,
# generated into a copy of them.
TEMPLATES="$(mktemp -d)"
trap 'rm -rf "$TEMPLATES"' EXIT
cp -R "$ROOT/openapi/templates/." "$TEMPLATES/"
"$BIN/python" "$ROOT/scripts/gen_deprecations.py" "$ROOT/openapi/up42.yaml" "$ROOT/openapi/config.yaml" \
  >"$TEMPLATES/deprecations.jinja"

# The ruff post-hooks are looked up on PATH; put the pinned one first.
PATH="$BIN:$PATH" "$BIN/openapi-python-client" generate \
  --path "$ROOT/openapi/up42.yaml" \
  --config "$ROOT/openapi/config.yaml" \
  --custom-template-path "$TEMPLATES" \
  --meta none \
  --output-path "$OUT" \
  --overwrite \
  --fail-on-warning

# --meta none writes no py.typed marker; the package is typed, so ship one.
touch "$OUT/py.typed"

# The event catalog is a module of up42.receiving rather than of the client, whose package imports httpx: a
# receiver must not need httpx. Formatted from the repository root, so that ruff reads the project's settings.
CATALOG_SOURCE="$("$BIN/python" "$ROOT/scripts/gen_catalog.py" "$ROOT/openapi/up42.yaml" \
  | (cd "$ROOT" && "$BIN/ruff" format --quiet --stdin-filename up42/receiving/_catalog.py -))"
printf '%s\n' "$CATALOG_SOURCE" >"$CATALOG"
