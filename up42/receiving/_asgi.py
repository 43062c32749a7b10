"""A raw ASGI application over a `Receiver`: mount it in Starlette or FastAPI, or serve it with uvicorn.

It reads the whole body (up to a limit), hands body and headers to the receiver's ``handle_async``, and answers
with the outcome's status and a small JSON document. No web framework is needed.

This module knows the receiver only by the protocols below, so it never imports `Receiver`: the receiver builds
the application (`Receiver.asgi_app`), never the other way round. What it answers is shared with the other entry
points (`_answers`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any, Protocol

from ._answers import CONTENT_TYPE, NOT_POST, Answer, Answerable, answer, check_max_body_size, too_large

__all__ = ["ReceiverApp"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


class DeliveryHandler(Protocol):
    """What the application serves: what turns a delivery into an `Answerable` outcome; a `Receiver` is one."""

    async def handle_async(self, body: bytes, headers: Iterable[tuple[bytes, bytes]]) -> Answerable:
        """Handle one delivery: its raw body and its headers as ASGI name/value pairs."""


class Background(Protocol):
    """Work the application runs beside the requests during its lifespan; a `Worker` is one."""

    async def run(self) -> None:
        """Run until `stop`."""

    def stop(self) -> None:
        """Ask `run` to finish."""


class ReceiverApp:
    """The ASGI application `Receiver.asgi_app` returns.

    Answers: 200 for a handled, ignored or duplicate delivery; 401 when the signature fails; 400 for a malformed
    delivery; 500 when a handler fails, 503 when the de-duplication store does, and 503 with ``Retry-After`` when
    the message is still being handled by an earlier delivery (so the sender retries); 405 for a method other
    than POST; 413 for a body over `max_body_size` bytes. The JSON body is ``{"outcome": ..., "detail": ...}``; it
    never holds a handler's exception text. A server that cancels the application (its client went away) cancels
    the handlers too, and the receiver releases the message for the sender's retry.

    With a `background` worker, the server's lifespan starts it and, at shutdown, stops it: the messages whose
    handlers still run go back to pending for the next worker.
    """

    def __init__(self, receiver: DeliveryHandler, *, max_body_size: int, background: Background | None = None) -> None:
        self.receiver = receiver
        self.max_body_size = check_max_body_size(max_body_size)
        self.background = background

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one ASGI connection."""
        if scope["type"] == "lifespan":
            await _lifespan(receive, send, self.background)
            return
        if scope["type"] != "http":
            return
        if scope["method"] != "POST":
            await _respond(send, NOT_POST)
            return
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return  # the sender gave up; there is nobody to answer
            body += message.get("body", b"")
            if len(body) > self.max_body_size:
                await _respond(send, too_large(self.max_body_size))
                return
            if not message.get("more_body", False):
                break
        await _respond(send, answer(await self.receiver.handle_async(bytes(body), scope["headers"])))


async def _lifespan(receive: Receive, send: Send, background: Background | None) -> None:
    # Acknowledging even with nothing to start lets servers such as uvicorn run without warnings.
    running = None
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            if background is not None:
                running = asyncio.create_task(background.run())
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            if background is not None and running is not None:
                background.stop()
                await running
            await send({"type": "lifespan.shutdown.complete"})
            return


async def _respond(send: Send, reply: Answer) -> None:
    payload = reply.body
    headers = [(b"content-type", CONTENT_TYPE.encode("ascii")), (b"content-length", str(len(payload)).encode("ascii"))]
    headers += [(name.lower().encode("ascii"), value.encode("ascii")) for name, value in reply.headers.items()]
    await send({"type": "http.response.start", "status": reply.status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})
