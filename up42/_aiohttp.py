"""aiohttp's failures read as httpx's, so the retry policy and the error mapping treat both backends alike.

Imported only when an `AsyncClient` on the aiohttp backend fails (see `_http`).
"""

from __future__ import annotations

import aiohttp
import httpx

# Most specific first. What matters for the retry policy: a failure before the request left (connecting, waiting
# for a pooled connection) may be retried for any call; one after it left only for an idempotent call.
_CLASSES: tuple[tuple[type[BaseException], type[httpx.TransportError]], ...] = (
    (aiohttp.ConnectionTimeoutError, httpx.ConnectTimeout),  # connecting, or waiting for a pooled connection
    (aiohttp.ServerTimeoutError, httpx.ReadTimeout),
    (aiohttp.ClientProxyConnectionError, httpx.ProxyError),
    (aiohttp.ClientHttpProxyError, httpx.ProxyError),
    (aiohttp.ClientConnectorError, httpx.ConnectError),  # no connection was made: nothing was sent
    (aiohttp.ServerDisconnectedError, httpx.RemoteProtocolError),
    (aiohttp.ClientPayloadError, httpx.RemoteProtocolError),  # a body cut short or badly framed
    (aiohttp.ClientResponseError, httpx.RemoteProtocolError),  # an answer that is not HTTP
    (aiohttp.ClientOSError, httpx.ReadError),  # a connection reset while the request or the answer was under way
    (aiohttp.ClientError, httpx.TransportError),
)


def as_httpx(error: BaseException) -> httpx.TransportError | None:
    """The httpx error of the same kind as aiohttp's ``error``, with its message; None for anything else."""
    for aiohttp_class, httpx_class in _CLASSES:
        if isinstance(error, aiohttp_class):
            mapped = httpx_class(str(error) or type(error).__name__)
            mapped.__cause__ = error
            return mapped
    return None
