"""UP42's API as the mocked tests see it: hosts, paths, credentials, bodies, and its token endpoints (`Auth`)."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import respx

from up42._client import _http

API = "https://api.up42.com"
AUTH = "https://auth.up42.com"
TOKEN_PATH = "/realms/public/protocol/openid-connect/token"
USERINFO_PATH = "/realms/public/protocol/openid-connect/userinfo"
WORKSPACE = "8f3e1c2a-5b4d-4e6f-9a1b-2c3d4e5f6a7b"
USERNAME = "me@example.com"
PASSWORD = "pa55-w0rd-never-shown"
SECRET = "s3cret-never-shown"
TOKENS = [f"token-{n}-never-shown" for n in range(10)]
WEBHOOKS = f"/workspaces/{WORKSPACE}/webhooks"
# AsyncClient's backends that are installed (aiohttp comes with an extra).
ASYNC_BACKENDS = [backend for backend in _http.BACKENDS if backend == "httpx" or _http.aiohttp_installed()]


def webhook_json(**fields: Any) -> dict[str, Any]:
    """A webhook as the API sends it."""
    body: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "url": "https://example.com/hook",
        "name": "orders",
        "active": False,
        "events": ["order.status"],
        "secret": SECRET,
        "createdAt": "2022-06-20T04:05:31.755744Z",
        "updatedAt": "2022-06-20T04:05:31.755744Z",
    }
    body.update(fields)
    return body


def envelope(data: Any) -> dict[str, Any]:
    """The success envelope."""
    return {"data": data, "error": None}


def error_envelope(code: str | int, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    """The error envelope."""
    return {"data": None, "error": {"code": code, "message": message, "details": details}}


class Auth:
    """The mocked token and userinfo endpoints, handing out TOKENS in order."""

    def __init__(self, router: respx.MockRouter, *, expires_in: int = 300) -> None:
        self.issued: list[str] = []
        self.expires_in = expires_in
        self.token = router.post(f"{AUTH}{TOKEN_PATH}").mock(side_effect=self._issue)
        self.userinfo = router.get(f"{AUTH}{USERINFO_PATH}").respond(
            200, json={"sub": WORKSPACE, "email": USERNAME, "email_verified": True}
        )

    def _issue(self, request: httpx.Request) -> httpx.Response:
        token = TOKENS[len(self.issued)]
        self.issued.append(token)
        body = {"access_token": token, "expires_in": self.expires_in, "token_type": "Bearer", "scope": "openid"}
        return httpx.Response(200, json=body)


HOOK = webhook_json(id="3fa85f64-5717-4562-b3fc-2c963f66afa6")
HOOK_PATH = f"{API}{WEBHOOKS}/{HOOK['id']}"

EVENTS = [
    {
        "name": "job.status",
        "title": "Job Status Updates",
        "category": "job",
        "description": "Sent when job/task status is updated",
        "documentation": "https://docs.up42.com/developers/",
    },
    {
        "name": "order.status",
        "title": "Order Status Updates",
        "category": "order",
        "description": "Sent when order status is updated",
        "documentation": "https://docs.up42.com/developers/",
    },
]

TEST_RUN = {
    "startedAt": "2023-01-09T03:34:52.123456Z",
    "testsRun": 1,
    "testsSucceeded": 1,
    "testsFailed": 0,
    "tests": [
        {
            "startedAt": "2023-01-09T03:34:52.200000Z",
            "eventName": "order.status",
            "success": True,
            "message": "Test request was successful!",
            "request": {
                "headers": {},
                "body": {
                    "event": "order.status",
                    "liveMode": False,
                    "messageId": "5b1e7c1e-2f4d-4a8b-9c6d-0e1f2a3b4c5d",
                    "timestamp": "2023-01-09T03:34:52.267042Z",
                    "body": {
                        "orderId": "00000000-0000-0000-0000-000000000001",
                        "orderType": "TASKING",
                        "dataHostName": "test-up42-host-name",
                        "status": "FULFILLED",
                        "statusIsFinal": True,
                    },
                },
            },
            "response": "HttpResponse[https://example.com/hook, 200 OK]",
        }
    ],
}
