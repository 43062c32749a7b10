"""Record the contract tests' cassettes afresh: ``up42 conformance --strict --record`` against a new sandbox.

Usage: python scripts/record_cassettes.py [DIR]   (``make cassettes``; DIR defaults to tests/cassettes/sandbox)

The folder's old cassettes are removed first, so that it holds exactly one tour. Exits as the command does.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from up42.sandbox import Sandbox

DEFAULT = Path(__file__).resolve().parents[1] / "tests" / "cassettes" / "sandbox"


def main() -> int:
    """Record into the folder named on the command line (or the default); the command's exit status."""
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    for old in target.glob("*.json"):
        old.unlink()
    with Sandbox() as sandbox:
        # The sandbox's account only: no UP42 variable or stored login of the machine takes part.
        env = {name: value for name, value in os.environ.items() if not name.startswith("UP42_")}
        command = [sys.executable, "-m", "up42", "conformance", "--strict", "--record", str(target)]
        return subprocess.run(command, env={**env, **sandbox.env}, check=False).returncode  # noqa: S603 - this interpreter, fixed arguments


if __name__ == "__main__":
    sys.exit(main())
