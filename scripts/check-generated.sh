#!/usr/bin/env bash
# Fail when generated/up42_api or up42/receiving/_catalog.py is not exactly what scripts/regen.sh makes from the
# current spec.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

if ! "$ROOT/scripts/regen.sh" "$TMP/up42_api" "$TMP/_catalog.py" >"$TMP/regen.log" 2>&1; then
  cat "$TMP/regen.log" >&2
  echo "check-generated: regeneration failed (an invalid spec, or a generator warning)" >&2
  exit 1
fi
# Both are compared before failing, so that one run names everything to regenerate.
STALE=0
if diff -ru --exclude=__pycache__ "$ROOT/generated/up42_api" "$TMP/up42_api"; then
  echo "check-generated: generated/up42_api matches openapi/up42.yaml"
else
  echo "check-generated: generated/up42_api differs from a fresh generation of openapi/up42.yaml." >&2
  STALE=1
fi
if diff -u "$ROOT/up42/receiving/_catalog.py" "$TMP/_catalog.py"; then
  echo "check-generated: up42/receiving/_catalog.py matches openapi/up42.yaml"
else
  echo "check-generated: up42/receiving/_catalog.py differs from a fresh generation of openapi/up42.yaml." >&2
  STALE=1
fi
if [ "$STALE" = 1 ]; then
  echo "check-generated: it is stale or was edited by hand; run 'make regen' and commit the result." >&2
  exit 1
fi
