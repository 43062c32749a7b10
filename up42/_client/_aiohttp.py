"""The aiohttp backend of `AsyncClient`: one ``aiohttp.ClientSession`` used directly, and aiohttp's failures read as
httpx's, so the retry policy and the error mapping treat both backends alike.

Imported only when an `AsyncClient` on the aiohttp backend is made, or a user's client on httpx-aiohttp fails
(see `_http`).
"""

from __future__ import annotations

import asyncio
import contextlib

import aiohttp
import httpx
from aiohttp.helpers import get_env_proxy_for_url
from yarl import URL

from ._responses import Answer, CappedBody

# The proxy from the environment for one origin (HTTP_PROXY, HTTPS_PROXY, NO_PROXY), with its credentials.
Proxy = tuple[URL | None, aiohttp.BasicAuth | None]


class AiohttpSender:
    """An `AsyncSender` on one ``aiohttp.ClientSession``, made on first use (aiohttp needs the running loop).

    Its connector holds ``limits.max_connections`` connections at most, each kept alive as long as httpx would. It
    trusts the CAs httpx does and, like httpx, takes proxies from the environment: looked up once per origin, where
    aiohttp's ``trust_env`` would look them up (and ~/.netrc) in a thread on every request.
    """

    def __init__(self, limits: httpx.Limits) -> None:
        self._limits = limits
        self._session: aiohttp.ClientSession | None = None
        self._proxies: dict[URL, Proxy] = {}
        # aiohttp's form of the timeouts last sent: the same for every attempt that the deadline does not shorten.
        self._phases: tuple[httpx.Timeout, aiohttp.ClientTimeout] | None = None

    def _open(self) -> aiohttp.ClientSession:
        connector = aiohttp.TCPConnector(
            limit=self._limits.max_connections or 0,
            keepalive_timeout=self._limits.keepalive_expiry,
            ssl=httpx.create_ssl_context(),
        )
        # The API authenticates by bearer token: a cookie jar would only cost time on every request.
        self._session = aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.DummyCookieJar())
        return self._session

    async def _find_proxy(self, target: URL) -> Proxy:
        proxy: Proxy = (None, None)
        with contextlib.suppress(LookupError):  # no proxy for this origin
            # It reads the environment and a netrc file: off the event loop.
            proxy = await asyncio.to_thread(get_env_proxy_for_url, target)
        self._proxies[target.origin()] = proxy
        return proxy

    def _timeouts(self, timeout: httpx.Timeout) -> aiohttp.ClientTimeout:
        """httpx's phases as aiohttp names them; aiohttp's "connect" covers the wait for a pooled connection too."""
        if self._phases is None or self._phases[0] is not timeout:
            phases = aiohttp.ClientTimeout(sock_connect=timeout.connect, sock_read=timeout.read, connect=timeout.pool)
            self._phases = (timeout, phases)
        return self._phases[1]

    async def exchange(
        self, method: str, url: str, headers: dict[str, str], content: bytes | None, timeout: httpx.Timeout, limit: int
    ) -> Answer:
        """Send the request and read the body as it arrives, held to the size cap."""
        session = self._session or self._open()
        target = URL(url)
        # Looked up once per origin; only the first request to one awaits the lookup.
        proxy, proxy_auth = self._proxies.get(target.origin()) or await self._find_proxy(target)
        async with session.request(
            method,
            target,
            headers=headers,
            data=content,
            allow_redirects=False,
            # The body is decoded by `CappedBody`, which counts every layer against the cap.
            auto_decompress=False,
            timeout=self._timeouts(timeout),
            proxy=proxy,
            proxy_auth=proxy_auth,
        ) as response:
            answer = Answer(response.status, response.reason or "", response.raw_headers, method, url)
            received = response.headers
            coding = ", ".join(received.getall("Content-Encoding", ()))
            body = CappedBody(answer, limit, received.get("Content-Length"), coding)
            while chunk := await response.content.readany():
                body.add(chunk)
            return body.finish()

    async def aclose(self) -> None:
        """Close the session and its connections, if one was made."""
        if self._session is not None:
            await self._session.close()


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
