"""The ``up42`` command as a subprocess: its environment, a run that must succeed or fail in one line, login."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from up42.sandbox import Sandbox

UP42 = str(Path(sys.executable).with_name("up42"))
SECRET = "cli-secret-never-shown"


# Development mode, with an unclosed socket or file an error: a command that leaves one open prints
# "Exception ignored ... ResourceWarning" on stderr, which every test here requires to be empty or one line.
STRICT = {"PYTHONDEVMODE": "1", "PYTHONWARNINGS": "error::ResourceWarning"}


def environment(sandbox: Sandbox | None, env: dict[str, str] | None = None) -> dict[str, str]:
    """The environment a command runs in: no UP42 variables but the sandbox's and ``env``, and STRICT."""
    result = {k: v for k, v in os.environ.items() if not k.startswith("UP42_")}
    result.update(STRICT)
    result.update(sandbox.env if sandbox else {})
    result.update(env or {})
    return result


def run(
    sandbox: Sandbox | None, *args: str, env: dict[str, str] | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """The command run to its end; ``stdin``, when given, is what it reads on its standard input."""
    command = [UP42, *args]
    return subprocess.run(
        command, input=stdin, capture_output=True, text=True, env=environment(sandbox, env), timeout=60, check=False
    )


def ok(sandbox: Sandbox | None, *args: str) -> str:
    result = run(sandbox, *args)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return result.stdout


def fails(result: subprocess.CompletedProcess[str], code: int = 1) -> str:
    assert result.returncode == code
    assert result.stdout == ""
    assert result.stderr.startswith("error: ")
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr
    return result.stderr


def login(url: str | None, username: str, password: str) -> subprocess.CompletedProcess[str]:
    """``up42 login [--base-url URL] --username U --password-stdin``, no UP42_* variables, the password piped in."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("UP42_")}
    place = [] if url is None else ["--base-url", url]
    return subprocess.run(
        [UP42, "login", *place, "--username", username, "--password-stdin"],
        input=f"{password}\n",
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
        check=False,
    )


def trigger(sandbox: Sandbox, event: str) -> dict[str, Any]:
    """Simulate ``event`` with ``up42 trigger --json``; the sandbox's answer."""
    result: dict[str, Any] = json.loads(ok(sandbox, "trigger", event, "--json"))
    return result
