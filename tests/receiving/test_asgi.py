"""The receiver's ASGI app, exercised over HTTP through httpx's ASGI transport."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import AsyncIterator, Iterable
from typing import Any

import httpx
import pytest

from tests.support.deliveries import SECRET, delivery, message, recording_receiver
from up42.errors import InvalidArgumentError
from up42.receiving import Receiver, ReceiverApp, sign

URL = "http://receiver.test/webhooks/up42"


@pytest.fixture
def receiver() -> Receiver:
    """A receiver whose order handler records events and fails on a FAILED_PERMANENTLY order."""
    return recording_receiver()


@pytest.fixture
async def http(receiver: Receiver) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client wired to the receiver's ASGI app."""
    transport = httpx.ASGITransport(app=receiver.asgi_app(max_body_size=4096))
    async with httpx.AsyncClient(transport=transport) as client:
        yield client


async def _post(http: httpx.AsyncClient, content: dict[str, Any] | None = None, **changes: str) -> httpx.Response:
    body, headers = delivery(content)
    return await http.post(URL, content=body, headers=headers | changes)


async def test_a_signed_delivery_is_handled_and_its_duplicate_acknowledged(
    http: httpx.AsyncClient, receiver: Receiver
) -> None:
    content = message()
    first = await _post(http, content)
    assert (first.status_code, first.json()) == (200, {"outcome": "handled", "detail": "handled"})
    again = await _post(http, content)
    assert (again.status_code, again.json()["outcome"]) == (200, "duplicate")
    assert receiver.seen == [content["messageId"]]  # type: ignore[attr-defined]


async def test_a_sync_handler_is_served_too(http: httpx.AsyncClient, receiver: Receiver) -> None:
    content = message("job.status")
    assert (await _post(http, content)).status_code == 200
    assert receiver.seen == [content["messageId"]]  # type: ignore[attr-defined]


async def test_a_bad_signature_is_401_with_the_reason(http: httpx.AsyncClient) -> None:
    response = await _post(http, Signature="up42-sig=AAAA")
    assert response.status_code == 401
    assert response.json()["outcome"] == "bad_signature"
    assert "does not match the secret" in response.json()["detail"]


async def test_an_unsigned_delivery_is_401(http: httpx.AsyncClient) -> None:
    response = await http.post(URL, content=json.dumps(message()))
    assert response.status_code == 401
    assert "signature-input header is missing" in response.json()["detail"]


async def test_a_malformed_signature_input_is_400(http: httpx.AsyncClient) -> None:
    response = await _post(http, **{"Signature-Input": "up42-sig=(unclosed"})
    assert (response.status_code, response.json()["outcome"]) == (400, "malformed")


async def test_an_authentic_non_message_is_400(http: httpx.AsyncClient) -> None:
    body = b"[]"
    response = await http.post(URL, content=body, headers=sign(body, SECRET))
    assert response.status_code == 400
    assert "not an object" in response.json()["detail"]


async def test_a_failing_handler_is_500_without_its_exception_text(http: httpx.AsyncClient) -> None:
    content = message()
    content["body"]["status"] = "FAILED_PERMANENTLY"
    response = await _post(http, content)
    assert (response.status_code, response.json()["outcome"]) == (500, "handler_failed")
    assert "smtp" not in response.text


async def test_other_methods_are_405(http: httpx.AsyncClient) -> None:
    response = await http.get(URL)
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"


async def test_a_body_over_the_limit_is_413(http: httpx.AsyncClient) -> None:
    response = await _post(http, message(padding="x" * 5000))
    assert response.status_code == 413


async def test_the_lifespan_protocol_is_acknowledged(receiver: Receiver) -> None:
    incoming = iter([{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}])
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return next(incoming)

    async def send(event: dict[str, Any]) -> None:
        sent.append(event)

    await receiver.asgi_app()({"type": "lifespan"}, receive, send)
    assert sent == [{"type": "lifespan.startup.complete"}, {"type": "lifespan.shutdown.complete"}]


async def test_a_sender_that_disconnects_gets_no_answer(receiver: Receiver) -> None:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.disconnect"}

    async def send(event: dict[str, Any]) -> None:
        sent.append(event)

    await receiver.asgi_app()({"type": "http", "method": "POST", "headers": []}, receive, send)
    assert sent == []


@pytest.mark.parametrize("size", [0, -1, 1.5, True])
def test_an_unusable_body_limit_is_refused(receiver: Receiver, size: Any) -> None:
    with pytest.raises(InvalidArgumentError):
        receiver.asgi_app(max_body_size=size)


@dataclasses.dataclass
class Queued:
    """An answer of a handler that only queues deliveries."""

    kind: str = "queued"
    status_code: int = 202
    detail: str = "queued for later"
    headers: dict[str, str] = dataclasses.field(default_factory=lambda: {"X-Queue-Depth": "1"})


class Queue:
    """Not a Receiver: anything with ``handle_async`` returning such an answer can be served."""

    def __init__(self) -> None:
        self.received: list[tuple[bytes, dict[bytes, bytes]]] = []

    async def handle_async(self, body: bytes, headers: Iterable[tuple[bytes, bytes]]) -> Queued:
        self.received.append((body, dict(headers)))
        return Queued()


async def test_the_app_serves_any_delivery_handler_not_only_a_receiver() -> None:
    queue = Queue()
    transport = httpx.ASGITransport(app=ReceiverApp(queue, max_body_size=4096))
    async with httpx.AsyncClient(transport=transport) as http:
        response = await http.post(URL, content=b"{}", headers={"X-Test": "yes"})
    assert (response.status_code, response.json()) == (202, {"outcome": "queued", "detail": "queued for later"})
    assert response.headers["x-queue-depth"] == "1"
    assert queue.received[0][0] == b"{}"
    assert queue.received[0][1][b"x-test"] == b"yes"
