"""POSTing one delivery to a receiver: the headers that sign it, the bounded exchange, and how it went.

The sandbox's deliveries, ``up42 trigger --to`` and ``up42 listen --forward-to`` all send through `post_delivery`,
so a receiver meets the same request from each, and each reads the same record of the answer. Receiving never
imports this module: it needs httpx, which a receiver does not.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Mapping, Sequence

import httpx

from .receiving import sign

# An answer is read until this much of it has come (so that a small one leaves the connection reusable), and the
# rest is never read: a huge answer costs the sender no memory. The network hands an answer over in reads of up to
# 64 KiB (httpcore's), so the read that crosses this limit may bring that much.
READ_LIMIT = 8 * 1024

Headers = Mapping[str, str] | Sequence[tuple[str, str]]


@dataclasses.dataclass(frozen=True)
class DeliveryResult:
    """How POSTing one delivery went: the headers sent, and the receiver's answer or why there was none.

    Attributes:
        sent: The request's headers as they went out (those given, when the request could not be built).
        status: The answer's status; None when there was no answer.
        reason: The answer's reason phrase; "" without an answer.
        answer: The first bytes of the answer's body, as they came (a compressed answer is never inflated).
        content_type: The answer's Content-Type; None without one.
        failure: Why there was no answer: `TimeoutError` when the deadline passed, or the `httpx.HTTPError`
            (or `httpx.InvalidURL`) that ended the exchange.
    """

    sent: dict[str, str]
    status: int | None = None
    reason: str = ""
    answer: bytes = b""
    failure: Exception | None = None
    content_type: str | None = None

    @property
    def ok(self) -> bool:
        """Whether the receiver acknowledged the delivery (any 2xx)."""
        return self.status is not None and 200 <= self.status < 300


def delivery_headers(body: bytes, secret: str | None) -> dict[str, str]:
    """The headers of a delivery of ``body``: signed with ``secret`` as UP42 signs, or only the content type."""
    return dict(sign(body, secret)) if secret else {"Content-Type": "application/json"}


async def post_delivery(
    http: httpx.AsyncClient, url: str, body: bytes | str, headers: Headers, *, deadline: float, read_limit: int
) -> DeliveryResult:
    """POST ``body`` with ``headers`` to ``url``, and read at most about ``read_limit`` bytes of the answer.

    ``deadline`` bounds the whole exchange in seconds, from connecting to the last byte read: httpx's timeouts
    bound each read, which a receiver that trickles its answer renews. With ``read_limit`` 0 the answer's body is
    never read, and the deadline ends with its status and headers. Never raises for a failed exchange: the result
    holds the failure.
    """
    sent = dict(headers)
    try:
        async with asyncio.timeout(deadline):
            request = http.build_request("POST", url, content=body, headers=headers)
            sent = {name.decode("latin-1"): value.decode("latin-1") for name, value in request.headers.raw}
            response = await http.send(request, stream=True)
            try:
                answer = await _read(response, read_limit)
            finally:
                await response.aclose()  # an answer left unread closes its connection
    except (TimeoutError, httpx.HTTPError, httpx.InvalidURL) as failure:
        return DeliveryResult(sent, failure=failure)
    content_type = response.headers.get("Content-Type")
    return DeliveryResult(sent, response.status_code, response.reason_phrase, answer, content_type=content_type)


async def _read(response: httpx.Response, limit: int) -> bytes:
    answer = bytearray()
    if limit > 0:
        # Raw: a compressed answer is never inflated.
        async for chunk in response.aiter_raw():
            answer += chunk
            if len(answer) >= limit:
                break
    return bytes(answer)
