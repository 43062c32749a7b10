"""post_delivery against a real receiver on loopback: what it sends, how much of the answer it reads, its failures."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from tests.support.loopback import NOTHING_LISTENS, LoopbackServer, QuietHandler
from up42._messages import encode, message, sample_body
from up42._posting import READ_LIMIT, DeliveryResult, delivery_headers, post_delivery
from up42.receiving import verify

SECRET = "posting-secret"
# Generous: only the deadline tests wait for a deadline, and they set their own.
DEADLINE = 30.0
# The most one network read brings beyond the limit (httpcore reads up to 64 KiB at a time).
ONE_READ = 64 * 1024


class Receiver(LoopbackServer):
    """Records each POST, and answers as ``behaviour`` says."""

    def __init__(self, behaviour: str = "json") -> None:
        self.behaviour = behaviour
        self.received: list[tuple[dict[str, str], bytes]] = []
        super().__init__(_ReceiverHandler)


class _ReceiverHandler(QuietHandler):
    server: Receiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.server.received.append((dict(self.headers.items()), body))
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the sender stopped reading, as it may
            getattr(self, f"_{self.server.behaviour}")()

    def _json(self) -> None:
        self.answer(200, {"received": True})

    def _refuse(self) -> None:
        self.answer(503, {"error": "try later"})

    def _huge(self) -> None:
        """A 64 MiB answer, sent as fast as it is read."""
        self.send_response(200)
        self.send_header("Content-Length", str(64 * 1024 * 1024))
        self.end_headers()
        for _ in range(64):
            self.wfile.write(b"x" * 1024 * 1024)

    def _trickle(self) -> None:
        self.trickle()


@pytest.fixture
def receiver(request: pytest.FixtureRequest) -> Iterator[Receiver]:
    server = Receiver(getattr(request, "param", "json"))
    yield server
    server.stop()


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(trust_env=False) as client:
        yield client


def _delivery() -> tuple[bytes, dict[str, str]]:
    body = encode(message("order.status", sample_body("order.status"), live=True))
    return body, delivery_headers(body, SECRET)


async def test_a_signed_delivery_arrives_verifiable_and_its_answer_is_read(
    receiver: Receiver, http: httpx.AsyncClient
) -> None:
    body, headers = _delivery()

    result = await post_delivery(http, receiver.url, body, headers, deadline=DEADLINE, read_limit=READ_LIMIT)

    (received_headers, received_body), *_ = receiver.received
    assert received_body == body
    assert verify(received_body, received_headers, SECRET).event == "order.status"
    assert (result.status, result.reason, result.ok, result.failure) == (200, "OK", True, None)
    assert result.answer == b'{"received": true}'
    assert result.sent["Signature"] == headers["Signature"]
    assert result.sent["Host"] == receiver.url.removeprefix("http://")  # as on the wire, not only those given


def test_the_encoding_is_compact_and_unsigned_headers_name_only_the_content_type() -> None:
    body = encode({"event": "job.status", "body": {"status": "é"}})
    assert body == b'{"event":"job.status","body":{"status":"\\u00e9"}}'
    assert delivery_headers(body, None) == delivery_headers(body, "") == {"Content-Type": "application/json"}
    assert set(delivery_headers(body, SECRET)) == {"Content-Type", "Content-Digest", "Signature-Input", "Signature"}


@pytest.mark.parametrize("receiver", ["refuse"], indirect=True)
async def test_an_answer_other_than_2xx_is_an_answer_not_a_failure(receiver: Receiver, http: httpx.AsyncClient) -> None:
    body, headers = _delivery()
    result = await post_delivery(http, receiver.url, body, headers, deadline=DEADLINE, read_limit=READ_LIMIT)
    assert (result.status, result.reason, result.ok, result.failure) == (503, "Service Unavailable", False, None)
    assert result.answer == b'{"error": "try later"}'


@pytest.mark.parametrize("receiver", ["huge"], indirect=True)
async def test_a_huge_answer_is_read_up_to_the_limit_only(receiver: Receiver, http: httpx.AsyncClient) -> None:
    body, headers = _delivery()
    result = await post_delivery(http, receiver.url, body, headers, deadline=DEADLINE, read_limit=READ_LIMIT)
    assert result.ok
    assert READ_LIMIT <= len(result.answer) <= READ_LIMIT + ONE_READ


async def test_with_no_read_limit_the_answer_is_not_read(receiver: Receiver, http: httpx.AsyncClient) -> None:
    body, headers = _delivery()
    result = await post_delivery(http, receiver.url, body, headers, deadline=DEADLINE, read_limit=0)
    assert (result.status, result.answer) == (200, b"")


async def test_a_receiver_that_is_not_there_is_a_connect_error(http: httpx.AsyncClient) -> None:
    body, headers = _delivery()
    result = await post_delivery(http, NOTHING_LISTENS, body, headers, deadline=DEADLINE, read_limit=READ_LIMIT)
    assert isinstance(result.failure, httpx.ConnectError)
    assert (result.status, result.reason, result.answer, result.ok) == (None, "", b"", False)
    assert result.sent["Content-Digest"] == headers["Content-Digest"]


@pytest.mark.parametrize("receiver", ["trickle"], indirect=True)
@pytest.mark.parametrize("read_limit", [0, READ_LIMIT])
async def test_a_receiver_that_trickles_its_answer_meets_the_deadline(
    receiver: Receiver, http: httpx.AsyncClient, read_limit: int
) -> None:
    body, headers = _delivery()
    # httpx's own timeout renews with every byte; only the deadline on the whole exchange ends this one.
    result = await post_delivery(http, receiver.url, body, headers, deadline=1.0, read_limit=read_limit)
    assert isinstance(result.failure, TimeoutError)
    assert result.status is None


async def test_a_url_that_cannot_be_sent_to_is_a_failure_with_the_headers_given(http: httpx.AsyncClient) -> None:
    body, headers = _delivery()
    result = await post_delivery(http, "http://[::1", body, headers, deadline=DEADLINE, read_limit=READ_LIMIT)
    assert isinstance(result.failure, httpx.InvalidURL)
    assert result == DeliveryResult(headers, failure=result.failure)
