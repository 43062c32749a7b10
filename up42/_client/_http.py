"""What a transport sends with: the user's own httpx client (``http_client=``), or one the SDK makes and owns.

`Client` sends each attempt through a `SyncHttpxSender` on an ``httpx.Client``. `AsyncClient` sends each attempt
through an `AsyncSender`, on one of two backends:
- ``"aiohttp"``: one ``aiohttp.ClientSession`` used directly (the ``aiohttp`` extra; see `_aiohttp`). Under many
  concurrent calls it is several times faster than httpx's own pool, whose bookkeeping grows with the number of
  requests waiting for a connection, and than httpx over aiohttp, whose client layer (request and response
  objects, the auth flow) costs more than aiohttp's whole exchange.
- ``"httpx"``: an ``httpx.AsyncClient`` on httpx's own transport; a user's ``http_client`` is sent with the same way.

Either way the sender only moves bytes: the transport adds auth, User-Agent, timeouts, retries and error mapping,
and the size cap is one `CappedBody` fed by both.

Without a choice (None), `AsyncClient` uses aiohttp when the extra is installed, unless httpx's own transport has
been replaced by a mocking library (respx, pytest-httpx): then httpx's, so the mock sees the SDK's requests.

aiohttp is imported only when an `AsyncClient` on its backend is made: ``import up42`` never loads it.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import ssl
from collections.abc import Iterator
from typing import Generic, Literal, Protocol, TypeVar

import httpx

from .._checks import is_whole
from .._extras import install_command
from ..errors import InvalidArgumentError
from ._deadline import Deadline, current_deadline
from ._responses import Answer, CappedBody

Backend = Literal["aiohttp", "httpx"]
BACKENDS: tuple[Backend, ...] = ("aiohttp", "httpx")

# Fan-out with asyncio.gather or a thread pool: a hundred requests in flight at once, every connection kept alive
# between calls (httpx keeps only 20 by default, so a burst of 100 would reconnect 80 times).
DEFAULT_MAX_CONNECTIONS = 100

H = TypeVar("H", httpx.Client, httpx.AsyncClient)
S = TypeVar("S")


def pool_limits(max_connections: object) -> httpx.Limits:
    """The pool of a client the SDK makes: ``max_connections`` at once, all of them kept alive."""
    if not is_whole(max_connections) or max_connections < 1:
        raise InvalidArgumentError(f"max_connections must be a positive integer, got {max_connections!r}")
    return httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections)


def aiohttp_installed() -> bool:
    """Whether aiohttp, all the ``aiohttp`` extra's backend needs, is installed (found without importing it)."""
    return importlib.util.find_spec("aiohttp") is not None


def _httpx_mocked() -> bool:
    # respx and pytest-httpx replace a method of httpx's (or httpcore's) async transport with one of their own.
    import httpcore

    methods = (httpx.AsyncHTTPTransport.handle_async_request, httpcore.AsyncConnectionPool.handle_async_request)
    return any(getattr(method, "__module__", "").split(".")[0] not in ("httpx", "httpcore") for method in methods)


def async_backend(choice: object) -> Backend:
    """The backend `AsyncClient` makes its client on: ``choice``, or the best one installed when None."""
    if choice is None:
        return "aiohttp" if aiohttp_installed() and not _httpx_mocked() else "httpx"
    if choice not in BACKENDS:
        raise InvalidArgumentError(
            f"http_backend must be one of {', '.join(map(repr, BACKENDS))} or None, got {choice!r}"
        )
    if choice == "aiohttp" and not aiohttp_installed():
        raise InvalidArgumentError(f"http_backend='aiohttp' needs the aiohttp extra: {install_command('aiohttp')}")
    return "aiohttp" if choice == "aiohttp" else "httpx"


class AsyncSender(Protocol):
    """How `AsyncTransport` sends one attempt: the request out, the whole answer in, held to the size cap."""

    async def exchange(
        self, method: str, url: str, headers: dict[str, str], content: bytes | None, timeout: httpx.Timeout, limit: int
    ) -> Answer:
        """Send the request and read the answer; a backend's failures propagate as it raises them."""
        ...

    async def aclose(self) -> None:
        """Close the connections."""
        ...


def _capped(response: httpx.Response, method: str, url: str, limit: int) -> tuple[CappedBody, bool]:
    """The capped body an httpx response's chunks go to, and whether they are to be read decoded already."""
    answer = Answer(response.status_code, response.reason_phrase, response.headers.raw, method, url)
    # An in-process transport (httpx.MockTransport) may hand over a body it has read, and decoded, already.
    decoded = response.is_stream_consumed
    received = response.headers
    coding = None if decoded else received.get("Content-Encoding")
    return CappedBody(answer, limit, received.get("Content-Length"), coding), decoded


class HttpxSender:
    """An `AsyncSender` over an ``httpx.AsyncClient``: the user's own, or one on httpx's transport."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def exchange(
        self, method: str, url: str, headers: dict[str, str], content: bytes | None, timeout: httpx.Timeout, limit: int
    ) -> Answer:
        """Send with the client's own settings for everything the SDK does not set itself."""
        request = self.http.build_request(method, url, headers=headers, content=content, timeout=timeout)
        # auth=None: the transport has set the SDK's own header; a user's client's auth never applies.
        response = await self.http.send(request, auth=None, follow_redirects=False, stream=True)
        try:
            body, decoded = _capped(response, method, url, limit)
            async for chunk in response.aiter_bytes() if decoded else response.aiter_raw():
                body.add(chunk)
            return body.finish()
        finally:
            await response.aclose()

    async def aclose(self) -> None:
        """Close the client."""
        await self.http.aclose()


class SyncHttpxSender:
    """How `Transport` sends one attempt over an ``httpx.Client``: the sync twin of `HttpxSender`.

    An async call is cancelled at its deadline, which interrupts any read, and the connections of a client the SDK
    made keep to the deadline themselves (see `_sockets`). The reads of a user's client (``watched``) are not
    bounded that way: the clock is checked as each piece of the body arrives.
    """

    def __init__(self, http: httpx.Client, *, watched: bool) -> None:
        self.http = http
        self._watched = watched

    def exchange(
        self, method: str, url: str, headers: dict[str, str], content: bytes | None, timeout: httpx.Timeout, limit: int
    ) -> Answer:
        """Send with the client's own settings for everything the SDK does not set itself."""
        request = self.http.build_request(method, url, headers=headers, content=content, timeout=timeout)
        # auth=None: the transport has set the SDK's own header; a user's client's auth never applies.
        response = self.http.send(request, auth=None, follow_redirects=False, stream=True)
        try:
            deadline = current_deadline.get()
            if self._watched and deadline is not None and isinstance(response.stream, httpx.SyncByteStream):
                response.stream = _Watched(response.stream, deadline, request)
            body, decoded = _capped(response, method, url, limit)
            for chunk in response.iter_bytes() if decoded else response.iter_raw():
                body.add(chunk)
            return body.finish()
        finally:
            response.close()

    def close(self) -> None:
        """Close the client."""
        self.http.close()


class _Watched(httpx.SyncByteStream):
    """The raw stream of a response from a user's sync client, ending the read once the call's deadline passes.

    The transport reads the timeout as the deadline's, as it does when a phase's timeout shortened to the time
    left runs out.
    """

    def __init__(self, stream: httpx.SyncByteStream, deadline: Deadline, request: httpx.Request) -> None:
        self._stream = stream
        self._deadline = deadline
        self._request = request

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._stream:
            if self._deadline.remaining() <= 0:
                raise httpx.ReadTimeout("the call's deadline passed while the body arrived", request=self._request)
            yield chunk

    def close(self) -> None:
        self._stream.close()


@dataclasses.dataclass(frozen=True)
class Wire(Generic[S]):
    """How a transport sends: its sender, whether the SDK made it (and so closes it), and the timeouts."""

    sender: S
    owned: bool
    timeout: httpx.Timeout


def sync_wire(http_client: object, max_connections: object, timeout: httpx.Timeout) -> Wire[httpx.Client]:
    """`Client`'s wire: the user's ``httpx.Client``, or one of its own (httpx is its only backend)."""
    if http_client is not None:
        return Wire(_given(http_client, httpx.Client, None, max_connections), False, timeout)
    from ._sockets import keeping_deadlines

    http = httpx.Client(limits=pool_limits(max_connections), follow_redirects=False)
    return Wire(keeping_deadlines(http), True, timeout)


def async_wire(
    http_client: object, backend: object, max_connections: object, timeout: httpx.Timeout
) -> Wire[AsyncSender]:
    """`AsyncClient`'s wire: the user's ``httpx.AsyncClient``, or a sender of its own on the chosen backend."""
    if http_client is not None:
        return Wire(HttpxSender(_given(http_client, httpx.AsyncClient, backend, max_connections)), False, timeout)
    limits = pool_limits(max_connections)
    if async_backend(backend) == "aiohttp":
        from ._aiohttp import AiohttpSender

        return Wire(AiohttpSender(limits), True, timeout)
    return Wire(HttpxSender(httpx.AsyncClient(limits=limits, follow_redirects=False)), True, timeout)


def _given(http_client: object, kind: type[H], backend: object, max_connections: object) -> H:
    """The user's client, refused by name when it is not a ``kind``; the SDK neither configures nor closes it."""
    if not isinstance(http_client, kind):
        raise InvalidArgumentError(f"http_client must be an httpx.{kind.__name__}, got {type(http_client).__name__}")
    if backend is not None or max_connections != DEFAULT_MAX_CONNECTIONS:
        raise InvalidArgumentError(
            "http_backend and max_connections shape a client the SDK makes; with http_client, configure that client"
        )
    return http_client


def as_httpx_error(error: Exception) -> httpx.HTTPError | None:
    """``error`` as an httpx error the retry policy and error mapping understand; None when it is not one.

    httpx's own errors are kept. aiohttp's, raised bare by the aiohttp backend or wrapped by a user's client on
    httpx-aiohttp (which files them under classes by a rule of its own, a dropped connection as a connect
    timeout), are read afresh by what happened.
    """
    if isinstance(error, ssl.SSLError):
        # httpcore before 1.0 lets a failed TLS handshake out of its async backend bare; its sync one, and later
        # releases, raise it as the ConnectError it is.
        failed = httpx.ConnectError(str(error))
        failed.__cause__ = error
        return failed
    known = error if isinstance(error, httpx.HTTPError) else None
    cause = error.__cause__ if known is not None else error
    if cause is not None and type(cause).__module__.split(".")[0] == "aiohttp":
        from ._aiohttp import as_httpx

        return as_httpx(cause) or known
    return known
