"""Property-based conformance: schemathesis sends spec-generated requests to a running sandbox.

No answer may be a server error, and every answer must match the spec's schema for its status. The run is kept
small (a few examples per operation) so it stays fast. Half the cases use the sandbox's own workspace id and an
existing webhook id, so generated requests reach the handlers rather than stopping at the workspace check.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator

import httpx
import hypothesis
import pytest
import schemathesis
from schemathesis.checks import not_a_server_error, response_schema_conformance

from tests.support.contract import SPEC_PATH
from up42.sandbox import Sandbox

schema = schemathesis.openapi.from_path(SPEC_PATH)

TOKEN = "/realms/public/protocol/openid-connect/token"


class Target:
    """A running sandbox with one webhook, and a token of its user."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.url = sandbox.url
        form = {"grant_type": "password", "username": sandbox.username, "password": sandbox.password}
        token = httpx.post(f"{sandbox.url}{TOKEN}", data={**form, "client_id": "up42-sdk"}).json()["access_token"]
        self.headers = {"Authorization": f"Bearer {token}"}
        userinfo = httpx.get(f"{sandbox.url}/realms/public/protocol/openid-connect/userinfo", headers=self.headers)
        self.workspace = userinfo.json()["sub"]
        self.webhook = self._create(sandbox.url, "https://example.com/hook")
        # Test runs deliver, so they get a webhook of their own that nothing else changes, aimed at a closed
        # loopback port: generated URLs (any HTTPS host) must never be contacted.
        self.tested = self._create(sandbox.url, "http://127.0.0.1:9/hook")

    def _create(self, url: str, hook_url: str) -> str:
        hook = {"name": "existing", "url": hook_url, "events": ["order.status", "job.status"]}
        created = httpx.post(f"{url}/workspaces/{self.workspace}/webhooks", json=hook, headers=self.headers)
        return str(created.json()["data"]["id"])


@pytest.fixture(scope="module")
def target() -> Iterator[Target]:
    with Sandbox() as sandbox:
        yield Target(sandbox)


@schema.parametrize()
# Every operation's test wraps this one function, so they would share one key in the example database: one
# operation's saved failure would be replayed into the others and into later runs. Derandomised and without a
# database, each run sends the same requests whatever ran before it.
@hypothesis.settings(
    max_examples=8,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(hypothesis.HealthCheck),
)
def test_generated_requests_never_get_a_server_error_or_an_off_spec_answer(
    case: schemathesis.Case, target: Target
) -> None:
    # Every other case aims at the real workspace and webhook; the rest keep whatever was generated.
    if case.path_parameters and zlib.crc32(repr(case.body).encode()) % 2 == 0:
        case.path_parameters["workspaceId"] = target.workspace
        if "webhookId" in case.path_parameters:
            tests = case.operation.path.endswith("/tests")
            case.path_parameters["webhookId"] = target.tested if tests else target.webhook
    response = case.call(base_url=target.url, headers=target.headers, timeout=30)
    case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])
