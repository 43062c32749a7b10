"""Property-based conformance: ``schemathesis run --checks all`` against a running sandbox, for both specs.

The command line is run as it would be by hand, so every check applies with the phase it needs: the coverage phase
for `unsupported_method` and `missing_required_header`, negative cases for `negative_data_rejection`, stateful
sequences for `use_after_free` and `ensure_resource_availability`, besides the answers' statuses, content types,
headers and schemas. (With the pytest integration, each phase needs configuring and the stateful checks a state
machine test of their own; the command line is what a user runs, with all of it.) Nothing it finds is accepted:
the run must end without a failure. Its requests carry the sandbox user's token and workspace id, so they reach
the handlers rather than stopping at the workspace check, and any webhook URL they send is pointed at a closed
loopback port (tests/support/schemathesis_hooks.py).

The run is deterministic (no randomness, no example database, no cache shared between runs, one worker), so the
same requests go out whatever ran before, and small: a few examples per operation. ``all`` includes
`max_response_time`, a limit on each answer's time; it is set as long as the request timeout, so it fails only a
request that hangs, never a slow one on a busy machine.

By hand, against ``up42 sandbox``: a schemathesis.toml with ``hooks = "tests/support/schemathesis_hooks.py"``
and, under ``[parameters]``, ``workspaceId = "<the sub of the userinfo>"``, then ``schemathesis run
openapi/up42.yaml --url http://127.0.0.1:8042 --checks all -H 'Authorization: Bearer <token>'``, and the same for
openapi/sandbox.yaml.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import cast

import httpx
import pytest
import schemathesis

from tests.support import schemathesis_hooks
from tests.support.contract import SANDBOX_SPEC_PATH, SPEC_PATH
from tests.support.sandbox import Session
from up42.sandbox import RetryPolicy, Sandbox

SCHEMATHESIS = str(Path(sys.executable).with_name("schemathesis"))
EXAMPLES = 5
# Each request's timeout, and the longest answer `max_response_time` lets pass: only a hang reaches it.
TIMEOUT = 60
# Warnings that say the run could not test what it meant to: its token or base URL did not work, an operation
# the spec declares answered 405, or the spec's references did not resolve.
FAIL_ON = ["missing_auth", "base_url_mismatch", "method_not_allowed", "unresolvable_reference"]


class Target:
    """A running sandbox whose log holds a failed delivery, and its user's token and workspace id."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.url = sandbox.url
        with Session(sandbox) as session:
            self.token = session.token
            self.workspace = session.workspace
            hook = {"name": "nowhere", "url": schemathesis_hooks.NOWHERE, "events": ["order.status"], "active": True}
            assert session.http.post(session.hooks, json=hook).status_code == 200
        # The sandbox's own paths list, read and resend deliveries: give them one.
        sandbox.trigger("order.status")

    def config(self, directory: Path) -> Path:
        """A schemathesis.toml in ``directory``: the token and workspace id, the hooks, no cache, the warnings."""
        path = directory / "schemathesis.toml"
        # TOML reads JSON's strings and arrays as its own.
        path.write_text(
            f"headers = {{ Authorization = {json.dumps(f'Bearer {self.token}')} }}\n"
            f"hooks = {json.dumps(schemathesis_hooks.__file__)}\n"
            "cache = { enabled = false }\n"
            f"warnings = {{ fail-on = {json.dumps(FAIL_ON)} }}\n"
            f"[parameters]\nworkspaceId = {json.dumps(self.workspace)}\n"
            # A script's status and body are held to up42.yaml for the operation it names, with that spec's open
            # enums: rules of another document, which addScript's schema cannot state. A schema-valid script
            # the rules refuse is answered 422, as the sandbox spec says; every other check applies to it.
            "[[operations]]\n"
            'include-operation-id = "addScript"\n'
            'checks = { positive_data_acceptance = { expected-statuses = ["200", "422"] } }\n'
        )
        return path

    def delivery_urls(self) -> set[str]:
        """Every URL the sandbox has sent a delivery to."""
        with httpx.Client(base_url=self.url, timeout=30, trust_env=False) as http:
            deliveries = http.get("/sandbox/deliveries").json()["data"]
            details = [http.get(f"/sandbox/deliveries/{delivery['id']}").json()["data"] for delivery in deliveries]
        return {attempt["url"] for detail in details for attempt in detail["attempts"]}


@pytest.fixture
def target() -> Iterator[Target]:
    # A sandbox per run, so that what one run leaves behind cannot change the answers of the other.
    # One attempt per delivery: a failed one is failed at once, and no retries keep the sandbox busy meanwhile.
    with Sandbox(retry=RetryPolicy(attempts=1)) as sandbox:
        yield Target(sandbox)


@pytest.mark.parametrize("spec", [SPEC_PATH, SANDBOX_SPEC_PATH], ids=lambda path: path.name)
def test_schemathesis_with_all_its_checks_finds_nothing(target: Target, spec: Path, tmp_path: Path) -> None:
    command = [
        SCHEMATHESIS,
        "--config-file",
        str(target.config(tmp_path)),
        "run",
        str(spec),
        "--url",
        target.url,
        "--checks",
        "all",
        "--max-examples",
        str(EXAMPLES),
        "--generation-deterministic",  # no randomness, and so no example database
        "--workers",
        "1",
        "--request-timeout",
        str(TIMEOUT),
        "--max-response-time",
        str(TIMEOUT),
        "--no-color",
    ]
    # In a directory of its own, where nothing of the checkout can be read or written by it.
    done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=600, check=False)
    # A failure, an error, or a warning of FAIL_ON exits 1.
    assert done.returncode == 0, done.stdout + done.stderr
    assert target.delivery_urls() == {schemathesis_hooks.NOWHERE}


@pytest.mark.parametrize(
    ("url", "sent"),
    [
        ("https://0.com", schemathesis_hooks.NOWHERE),
        ("HTTP://localhost:8080/hook", schemathesis_hooks.NOWHERE),
        ("not a URL", "not a URL"),
        ("", ""),
        (None, None),
    ],
)
def test_the_hooks_point_a_webhook_url_at_a_closed_loopback_port(url: str | None, sent: str | None) -> None:
    case = cast(schemathesis.Case, SimpleNamespace(body={"name": "n", "url": url}))
    schemathesis_hooks.before_call(cast(schemathesis.HookContext, None), case, {})
    assert case.body == {"name": "n", "url": sent}
