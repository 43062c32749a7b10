#!/usr/bin/env bash
# Fail when up42/_version.py was raised less than the changes since the previous release require
# (scripts/api-diff.sh --check). The previous release is the newest tag vX.Y.Z before the current commit, so that
# on a release commit, tagged itself, the check still compares with the release before it. Without a release tag
# there is nothing to compare with, and the check passes.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
if ! PREVIOUS="$(git describe --tags --abbrev=0 --match 'v[0-9]*' HEAD^ 2>/dev/null)"; then
  echo "check-version: no release tag before this commit; nothing to compare with"
  exit 0
fi
echo "check-version: comparing with the previous release, $PREVIOUS"
exec "$ROOT/scripts/api-diff.sh" --check "$PREVIOUS"
