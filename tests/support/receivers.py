"""Receivers for deliveries: an ASGI app that records them; apps on loopback, a sandbox's webhooks at them."""

from __future__ import annotations

import asyncio
import threading
from types import TracebackType
from typing import Any, Self

import up42
from up42._server import Server, bind
from up42.receiving import Receiver, WebhookEvent
from up42.sandbox import Sandbox

SECRET = "trigger-secret-never-shown"


class Apps:
    """Receiver apps served on free loopback ports, and webhooks of a sandbox pointing at them; stops them all."""

    def __init__(self, sandbox: Sandbox | None = None) -> None:
        self._sandbox = sandbox
        self._servers: list[Server] = []

    def serve(self, app: Any) -> str:
        """Serve ``app``; its URL."""
        server = Server(app, bind("127.0.0.1", 0))
        server.start()
        self._servers.append(server)
        return f"{server.url}/hook"

    def webhook(self, app: Any, events: list[str], *, active: bool = True) -> str:
        """An active webhook of the sandbox, signed with SECRET, delivering ``events`` to ``app``; its id."""
        assert self._sandbox is not None
        sandbox = self._sandbox
        with up42.Client(sandbox.username, sandbox.password, base_url=sandbox.url) as client:
            return client.create_webhook("app", self.serve(app), events, active=active, secret=SECRET).id

    def verifying(self) -> tuple[Any, list[WebhookEvent]]:
        """A receiver app that verifies with SECRET, and the events it accepted."""
        received: list[WebhookEvent] = []
        receiver = Receiver(SECRET)
        receiver.on_any(received.append)
        return receiver.asgi_app(), received

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        for server in self._servers:
            server.stop()


class Recorder:
    """An ASGI receiver that records each request and answers with the next status of a script.

    With ``answered``, only that many requests are answered at once: later ones wait for `release` to be set.
    Each answer's body is ``body``, with ``content_type`` when given.
    """

    def __init__(
        self,
        statuses: list[int] | None = None,
        *,
        answered: int | None = None,
        body: bytes = b"",
        content_type: str | None = None,
    ) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self._statuses = statuses or []
        self._answered = answered
        self._body = body
        self._headers = [] if content_type is None else [(b"content-type", content_type.encode())]
        self.release = threading.Event()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        self.requests.append(({k.decode(): v.decode() for k, v in scope["headers"]}, body))
        if self._answered is not None and len(self.requests) > self._answered:
            await asyncio.to_thread(self.release.wait, 60)
        status = self._statuses.pop(0) if self._statuses else 200
        await send({"type": "http.response.start", "status": status, "headers": self._headers})
        await send({"type": "http.response.body", "body": self._body})
