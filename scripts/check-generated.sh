#!/usr/bin/env bash
# Fail when generated/up42_api is not exactly what scripts/regen.sh makes from the current spec.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

if ! "$ROOT/scripts/regen.sh" "$TMP/up42_api" >"$TMP/regen.log" 2>&1; then
  cat "$TMP/regen.log" >&2
  echo "check-generated: regeneration failed (an invalid spec, or a generator warning)" >&2
  exit 1
fi
if ! diff -ru --exclude=__pycache__ "$ROOT/generated/up42_api" "$TMP/up42_api"; then
  echo "check-generated: generated/up42_api differs from a fresh generation of openapi/up42.yaml." >&2
  echo "check-generated: it is stale or was edited by hand; run 'make regen' and commit the result." >&2
  exit 1
fi
echo "check-generated: generated/up42_api matches openapi/up42.yaml"
