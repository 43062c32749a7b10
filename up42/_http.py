"""The httpx client a transport sends with: the user's own (``http_client=``), or one the SDK makes and owns.

`AsyncClient` can make its client on two backends:
- ``"aiohttp"``: httpx over aiohttp's connection pool (the ``aiohttp`` extra: aiohttp and httpx-aiohttp). Under
  many concurrent calls it is several times faster than httpx's own pool, whose bookkeeping grows with the
  number of requests waiting for a connection.
- ``"httpx"``: httpx's own transport, what `Client` always uses.

Without a choice (None), `AsyncClient` uses aiohttp when the extra is installed, unless httpx's own transport has
been replaced by a mocking library (respx, pytest-httpx): then httpx's, so the mock sees the SDK's requests.

aiohttp is imported only here, when an `AsyncClient` makes its client: ``import up42`` never loads it.
"""

from __future__ import annotations

import dataclasses
import importlib.util
from typing import Generic, Literal, TypeVar

import httpx

from .errors import InvalidArgumentError

Backend = Literal["aiohttp", "httpx"]
BACKENDS: tuple[Backend, ...] = ("aiohttp", "httpx")

# Fan-out with asyncio.gather or a thread pool: a hundred requests in flight at once, every connection kept alive
# between calls (httpx keeps only 20 by default, so a burst of 100 would reconnect 80 times).
DEFAULT_MAX_CONNECTIONS = 100

H = TypeVar("H", httpx.Client, httpx.AsyncClient)


def pool_limits(max_connections: object) -> httpx.Limits:
    """The pool of a client the SDK makes: ``max_connections`` at once, all of them kept alive."""
    if isinstance(max_connections, bool) or not isinstance(max_connections, int) or max_connections < 1:
        raise InvalidArgumentError(f"max_connections must be a positive integer, got {max_connections!r}")
    return httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections)


def aiohttp_installed() -> bool:
    """Whether the ``aiohttp`` extra is installed (found without importing it)."""
    return all(importlib.util.find_spec(name) is not None for name in ("aiohttp", "httpx_aiohttp"))


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
        raise InvalidArgumentError(
            "http_backend='aiohttp' needs the aiohttp extra: pip install 'up42-webhooks[aiohttp]'"
        )
    return "aiohttp" if choice == "aiohttp" else "httpx"


@dataclasses.dataclass(frozen=True)
class Wire(Generic[H]):
    """How a transport sends: the httpx client, whether the SDK made it (and so closes it), and the timeouts."""

    http: H
    owned: bool
    timeout: httpx.Timeout


def sync_wire(
    http_client: object, backend: object, max_connections: object, timeout: httpx.Timeout
) -> Wire[httpx.Client]:
    """`Client`'s wire: the user's ``httpx.Client``, or one of its own (httpx is its only backend)."""
    if http_client is not None:
        return _given(http_client, httpx.Client, backend, max_connections, timeout)
    if backend not in (None, "httpx"):
        raise InvalidArgumentError(
            f"Client sends with httpx only: http_backend must be 'httpx' or None, got {backend!r}"
        )
    return Wire(httpx.Client(limits=pool_limits(max_connections), follow_redirects=False), True, timeout)


def async_wire(
    http_client: object, backend: object, max_connections: object, timeout: httpx.Timeout
) -> Wire[httpx.AsyncClient]:
    """`AsyncClient`'s wire: the user's ``httpx.AsyncClient``, or one of its own on the chosen backend."""
    if http_client is not None:
        return _given(http_client, httpx.AsyncClient, backend, max_connections, timeout)
    limits = pool_limits(max_connections)
    if async_backend(backend) == "aiohttp":
        from httpx_aiohttp import HttpxAiohttpClient

        # Its own subclass of httpx.AsyncClient, so proxies from the environment get aiohttp transports too.
        return Wire(HttpxAiohttpClient(limits=limits, follow_redirects=False), True, timeout)
    return Wire(httpx.AsyncClient(limits=limits, follow_redirects=False), True, timeout)


def _given(
    http_client: object, kind: type[H], backend: object, max_connections: object, timeout: httpx.Timeout
) -> Wire[H]:
    """The user's client, refused by name when it is not a ``kind``; the SDK neither configures nor closes it."""
    if not isinstance(http_client, kind):
        raise InvalidArgumentError(f"http_client must be an httpx.{kind.__name__}, got {type(http_client).__name__}")
    if backend is not None or max_connections != DEFAULT_MAX_CONNECTIONS:
        raise InvalidArgumentError(
            "http_backend and max_connections shape a client the SDK makes; with http_client, configure that client"
        )
    return Wire(http_client, False, timeout)


def as_httpx_error(error: Exception) -> httpx.HTTPError | None:
    """``error`` as an httpx error the retry policy and error mapping understand; None when it is not one.

    httpx's own errors are kept. aiohttp's, raised bare or wrapped by httpx-aiohttp (which files them under
    classes by a rule of its own, a dropped connection as a connect timeout), are read afresh by what happened.
    """
    known = error if isinstance(error, httpx.HTTPError) else None
    cause = error.__cause__ if known is not None else error
    if cause is not None and type(cause).__module__.split(".")[0] == "aiohttp":
        from ._aiohttp import as_httpx

        return as_httpx(cause) or known
    return known
