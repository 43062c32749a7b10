"""A loopback HTTP/1.1 server that answers with bodies built once at start-up (rows 1-3, 8 and the RSS figure).

It is a bare `asyncio.Protocol`: it reads the request line and Content-Length, keeps the connection alive and
writes prepared bytes. No framework, no routing table, no JSON encoding per request, so nearly all the time a
client benchmark measures is spent in the client under test, and the server adds the same small cost to the
SDK's and the baseline's calls.

Run as ``python -m benchmarks._canned WEBHOOKS``: it prints its port, then serves until its standard input
closes (the parent exited) or ``LIFETIME`` seconds have passed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import sys
import threading
from typing import Any

WORKSPACE = "8f3e1c2a-5b4d-4e6f-9a1b-2c3d4e5f6a7b"
WEBHOOK_ID = "3fa85f64-5717-4562-b3fc-2c963f66afa6"
TOKEN = "bench-token"  # noqa: S105 - a placeholder the server hands out, not a credential
LIFETIME = 900.0


def webhook(index: int) -> dict[str, Any]:
    """One webhook as the API sends it."""
    return {
        "id": WEBHOOK_ID if index == 0 else f"3fa85f64-5717-4562-b3fc-{index:012d}",
        "url": f"https://example.com/hooks/{index}",
        "name": f"orders-{index}",
        "active": index % 2 == 0,
        "events": ["order.status", "job.status"],
        "secret": "",
        "createdAt": "2022-06-20T04:05:31.755744Z",
        "updatedAt": "2024-01-02T03:04:05.123456Z",
    }


def _answer(status: str, payload: Any) -> bytes:
    body = json.dumps(payload, separators=(",", ":")).encode()
    head = f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    return head.encode() + body


def answers(webhooks: int) -> dict[str, bytes]:
    """The prepared responses, by kind."""
    token = {"access_token": TOKEN, "expires_in": 3600, "token_type": "Bearer", "scope": "openid"}
    return {
        "token": _answer("200 OK", token),
        "userinfo": _answer("200 OK", {"sub": WORKSPACE, "email": "bench@example.com"}),
        "list": _answer("200 OK", {"data": [webhook(i) for i in range(webhooks)], "error": None}),
        "one": _answer("200 OK", {"data": webhook(0), "error": None}),
        "missing": _answer("404 Not Found", {"data": None, "error": {"code": "NOT_FOUND", "message": "no route"}}),
    }


def route(method: bytes, target: bytes) -> str:
    """Which prepared response a request gets."""
    path = target.split(b"?", 1)[0].rstrip(b"/")
    if method == b"POST" and path.endswith(b"/token"):
        return "token"
    if path.endswith(b"/userinfo"):
        return "userinfo"
    if method == b"GET" and path.endswith(b"/webhooks"):
        return "list"
    if method == b"GET" and b"/webhooks/" in path:
        return "one"
    return "missing"


class _Connection(asyncio.Protocol):
    def __init__(self, prepared: dict[str, bytes]) -> None:
        self._prepared = prepared
        self._buffer = b""
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        transport.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        while True:
            end = self._buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self._buffer[:end]
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            if len(self._buffer) < end + 4 + length:
                return
            self._buffer = self._buffer[end + 4 + length :]
            method, target, _ = head.split(b"\r\n", 1)[0].split(b" ", 2)
            assert self._transport is not None
            self._transport.write(self._prepared[route(method, target)])


async def _serve(webhooks: int) -> None:
    loop = asyncio.get_running_loop()
    prepared = answers(webhooks)
    server = await loop.create_server(lambda: _Connection(prepared), "127.0.0.1", 0, backlog=1024)
    print(server.sockets[0].getsockname()[1], flush=True)
    done = asyncio.Event()
    threading.Thread(target=lambda: (sys.stdin.read(), loop.call_soon_threadsafe(done.set)), daemon=True).start()
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(done.wait(), LIFETIME)
    server.close()


if __name__ == "__main__":
    asyncio.run(_serve(int(sys.argv[1])))
