"""A raw ASGI application over a `Receiver`: mount it in Starlette or FastAPI, or serve it with uvicorn.

It reads the whole body (up to a limit), hands body and headers to `Receiver.handle_async`, and answers with the
outcome's status and a small JSON document. No web framework is needed.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import TYPE_CHECKING, Any

from ..errors import InvalidArgumentError

if TYPE_CHECKING:
    from ._receiver import Receiver

__all__ = ["ReceiverApp"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


class ReceiverApp:
    """The ASGI application `Receiver.asgi_app` returns.

    Answers: 200 for a handled, ignored or duplicate delivery; 401 when the signature fails; 400 for a malformed
    delivery; 500 when a handler fails, 503 when the de-duplication store does, and 503 with ``Retry-After`` when
    the message is still being handled by an earlier delivery (so the sender retries); 405 for a method other
    than POST; 413 for a body over `max_body_size` bytes. The JSON body is ``{"outcome": ..., "detail": ...}``; it
    never holds a handler's exception text. A server that cancels the application (its client went away) cancels
    the handlers too, and the receiver releases the message for the sender's retry.
    """

    def __init__(self, receiver: Receiver, *, max_body_size: int) -> None:
        if isinstance(max_body_size, bool) or not isinstance(max_body_size, int) or max_body_size < 1:
            raise InvalidArgumentError("max_body_size must be a positive whole number of bytes")
        self.receiver = receiver
        self.max_body_size = max_body_size

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one ASGI connection."""
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        if scope["method"] != "POST":
            await _respond(send, 405, "method_not_allowed", "deliveries are POSTed", [(b"allow", b"POST")])
            return
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return  # the sender gave up; there is nobody to answer
            body += message.get("body", b"")
            if len(body) > self.max_body_size:
                await _respond(send, 413, "too_large", f"the body exceeds {self.max_body_size} bytes")
                return
            if not message.get("more_body", False):
                break
        outcome = await self.receiver.handle_async(bytes(body), scope["headers"])
        headers = [(name.lower().encode("ascii"), value.encode("ascii")) for name, value in outcome.headers.items()]
        await _respond(send, outcome.status_code, outcome.kind.value, outcome.detail, headers)


async def _lifespan(receive: Receive, send: Send) -> None:
    # Nothing to start or stop; acknowledging lets servers such as uvicorn run without warnings.
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


async def _respond(
    send: Send, status: int, outcome: str, detail: str, extra: list[tuple[bytes, bytes]] | None = None
) -> None:
    payload = json.dumps({"outcome": outcome, "detail": detail}).encode("utf-8")
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode("ascii"))]
    await send({"type": "http.response.start", "status": status, "headers": headers + (extra or [])})
    await send({"type": "http.response.body", "body": payload})
