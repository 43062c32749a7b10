"""Raw HTTP to a sandbox, every answer held to the spec: a logged-in session, a webhook body, a secret."""

from __future__ import annotations

from typing import Any

import httpx

from tests.support.contract import assert_response_matches_spec
from up42.sandbox import Sandbox

SECRET = "whsec-never-shown"

TOKEN = "/realms/public/protocol/openid-connect/token"
USERINFO = "/realms/public/protocol/openid-connect/userinfo"


def _checked(response: httpx.Response) -> None:
    assert_response_matches_spec(response.request, response)


def http_client(url: str, token: str | None = None) -> httpx.Client:
    """Raw HTTP to the sandbox; every response is held to the spec."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.Client(base_url=url, headers=headers, timeout=30, event_hooks={"response": [_checked]})


def login(url: str, username: str, password: str) -> str:
    with http_client(url) as http:
        response = http.post(
            TOKEN, data={"grant_type": "password", "username": username, "password": password, "client_id": "up42-sdk"}
        )
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


class Session:
    """An authenticated raw HTTP session in the sandbox's default workspace."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.token = login(sandbox.url, sandbox.username, sandbox.password)
        self.http = http_client(sandbox.url, self.token)
        self.workspace = self.http.get(USERINFO).json()["sub"]
        self.hooks = f"/workspaces/{self.workspace}/webhooks"

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.http.close()


def valid_body(**fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "orders",
        "url": "https://example.com/hook",
        "events": ["order.status"],
        "active": False,
        "secret": "s3cret",
    }
    body.update(fields)
    return body
