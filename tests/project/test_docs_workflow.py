"""The contract-testing guide's GitHub Actions workflow: its ``up42`` steps run as written, a sandbox standing in for
UP42 and for the repository's secrets, and the nightly job uploads what its check recorded."""

from __future__ import annotations

import re
import shlex
import subprocess
from pathlib import Path
from typing import Any

import yaml

import up42
from tests.support.cli import UP42, environment
from tests.support.docs import DOCS, blocks
from up42._contract._tour import ORDER
from up42.sandbox import Sandbox

GUIDE = DOCS / "guides" / "contract-testing.md"
SECRET = re.compile(r"\$\{\{\s*secrets\.(\w+)\s*\}\}")


def workflow() -> dict[Any, Any]:
    (block,) = [block for block in blocks(GUIDE) if block.title.startswith(".github/workflows/")]
    loaded: dict[Any, Any] = yaml.safe_load(block.code)
    return loaded


def _secret(value: str) -> str:
    named = SECRET.fullmatch(value)
    assert named, f"{value!r} is not a secret of the repository"
    return named[1]


def test_pull_requests_run_the_tests_and_the_nights_the_check() -> None:
    flow = workflow()
    # YAML 1.1 reads the key `on` as true.
    triggers = flow.get("on", flow.get(True))
    assert {"pull_request", "schedule"} <= set(triggers)
    jobs = flow["jobs"]
    assert jobs["tests"]["if"] == "github.event_name == 'pull_request'"
    assert any(step.get("run") == "pytest" for step in jobs["tests"]["steps"])
    assert jobs["conformance"]["if"] == "github.event_name != 'pull_request'"


def test_the_nightly_up42_steps_run_against_a_sandbox_and_upload_their_cassettes(tmp_path: Path) -> None:
    steps = workflow()["jobs"]["conformance"]["steps"]
    commands = [step for step in steps if step.get("run", "").startswith("up42 ")]
    assert commands, "the nightly job runs no up42 command"
    with Sandbox() as sandbox:
        secrets = {"UP42_USERNAME": sandbox.username, "UP42_PASSWORD": sandbox.password}
        for step in commands:
            # Each variable the step takes from the secrets gets the sandbox's account instead.
            env = {name: secrets[_secret(value)] for name, value in step.get("env", {}).items()}
            env["UP42_BASE_URL"] = sandbox.url  # the sandbox stands in for UP42
            done = subprocess.run(
                [UP42, *shlex.split(step["run"])[1:]],
                cwd=tmp_path,
                env=environment(None, env),
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
            assert done.returncode == 0, done.stdout + done.stderr
        with up42.Client(sandbox.username, sandbox.password, base_url=sandbox.url) as client:
            assert client.get_webhooks() == []  # the check deleted the webhook it made
    (upload,) = [step for step in steps if step.get("uses", "").startswith("actions/upload-artifact@")]
    assert upload["if"] == "always()"  # a failed night's answers are the ones most worth keeping
    recorded = sorted((tmp_path / upload["with"]["path"]).glob("*.json"))
    # One cassette per call of the tour, in its order.
    assert [path.stem.split("-", 1)[1] for path in recorded] == list(ORDER)
