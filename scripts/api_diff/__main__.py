"""``python -m api_diff [--json] [--check] BASE_REF``: see scripts/api-diff.sh."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from . import _python, _spec, _trees, _versions
from ._changes import Changes
from ._report import Result


def main(argv: list[str] | None = None) -> int:
    """Compare the working tree with BASE_REF; 1 when --check finds the version raised too little, 2 on bad input."""
    parser = argparse.ArgumentParser(
        prog="api-diff",
        description="What the changes since BASE_REF break for users of the SDK, and the version bump they need.",
    )
    parser.add_argument("base_ref", metavar="BASE_REF", help="the git ref to compare the working tree with")
    parser.add_argument("--json", action="store_true", help="print one JSON document instead of the report")
    parser.add_argument(
        "--check", action="store_true", help="fail when up42/_version.py was raised less than the changes require"
    )
    parser.add_argument("--root", type=Path, default=Path.cwd(), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        result = _compare(args.root.resolve(), args.base_ref)
        print(result.as_json() if args.json else result.as_text())
        if args.check and not result.raised_enough:
            bump = result.required_bump
            # With nothing to bump, only a version that went down fails.
            need = f"require a {bump} bump" if bump != "none" else "require no bump, and a version never goes down"
            print(
                f"api-diff: the changes since {args.base_ref} {need}, but "
                f"up42/_version.py went from {result.base_version} to {result.head_version}.",
                file=sys.stderr,
            )
            return 1
    except (_trees.TreeError, _versions.VersionError) as error:
        print(f"api-diff: {error}", file=sys.stderr)
        return 2
    return 0


def _compare(root: Path, ref: str) -> Result:
    head = _trees.read(root)
    _versions.parse(head.version)
    with tempfile.TemporaryDirectory(prefix="api-diff-") as folder:
        base = _trees.unpack(root, ref, Path(folder))
        _versions.parse(base.version)
        changes = Changes()
        _spec.compare(base.spec, head.spec, changes)
        _python.compare(base.root, head.root, changes)
    return Result(ref, base.version, head.version, changes.sorted())


if __name__ == "__main__":
    sys.exit(main())
