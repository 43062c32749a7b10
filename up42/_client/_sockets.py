"""The connections of an ``httpx.Client`` the SDK makes, held to the deadline of the call that uses them.

A blocking read can't be interrupted, and httpx's timeouts bound each read alone: a server sending its headers a
byte at a time, each byte well within the read timeout, would hold a sync call for as long as it liked. So the
connections of `Client`'s own httpx client go through `DeadlineBackend`, whose every connect, read and write
waits no longer than the time left to the SDK call in progress in that thread, and fails at once when none is.
httpx reports such a failure as its own timeout, which the transport turns into the deadline's error. The name
lookup before a connect is the system resolver's, bounded by its own timeouts, not by the deadline.

Imported when a `Client` makes its httpx client, which loads httpcore anyway.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx

from ..errors import UP42Error
from ._deadline import current_deadline


def _within_deadline(timeout: float | None, timed_out: type[httpcore.TimeoutException]) -> float | None:
    """``timeout``, or the time left to the current call's deadline if that is shorter; raises when none is left."""
    deadline = current_deadline.get()
    if deadline is None:
        return timeout
    return deadline.bounded(timeout, lambda: timed_out("the call's deadline has passed"))


class _DeadlineStream(httpcore.NetworkStream):
    """A connection whose every read and write waits no longer than the current call's deadline allows."""

    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        """Read at most ``max_bytes``, waiting ``timeout`` seconds at most and never past the deadline."""
        return self._stream.read(max_bytes, _within_deadline(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        """Write all of ``buffer``, waiting ``timeout`` seconds at most and never past the deadline."""
        self._stream.write(buffer, _within_deadline(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        """Close the connection."""
        self._stream.close()

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        """The connection upgraded to TLS (the handshake held to the deadline), its reads and writes still held."""
        timeout = _within_deadline(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._stream.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        """What the connection underneath tells of itself (its socket, addresses, TLS object)."""
        return self._stream.get_extra_info(info)


class DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's network backend for an ``httpx.Client`` the SDK makes: its connections keep to the deadline."""

    def __init__(self, backend: httpcore.NetworkBackend) -> None:
        self._backend = backend

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        """A TCP connection to ``host``, connected within ``timeout`` and the deadline (its name lookup aside)."""
        timeout = _within_deadline(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._backend.connect_tcp(host, port, timeout, local_address, socket_options))

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        """A connection to the Unix socket at ``path``, connected within ``timeout`` and the deadline."""
        timeout = _within_deadline(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._backend.connect_unix_socket(path, timeout, socket_options))

    def sleep(self, seconds: float) -> None:
        """Pause as the backend underneath does (httpcore's own pauses; an SDK call's waits are its own)."""
        self._backend.sleep(seconds)


def keeping_deadlines(http: httpx.Client) -> httpx.Client:
    """``http``, with every connection pool it has (one per proxy from the environment, too) on `DeadlineBackend`.

    httpx has no argument for a network backend, so each pool's is replaced after the client is made, through
    attributes of httpx and httpcore that are not theirs to promise. A release that keeps them elsewhere gets an
    `UP42Error` saying so, not a `Client` whose connections would ignore the deadline.
    """
    try:
        transports = [http._transport, *(mount for mount in http._mounts.values() if mount is not None)]
        pools = [transport._pool for transport in transports if isinstance(transport, httpx.HTTPTransport)]
        reachable = len(pools) == len(transports) and all(
            isinstance(pool._network_backend, httpcore.NetworkBackend) for pool in pools
        )
    except AttributeError:
        reachable = False
    if not reachable:
        raise UP42Error(
            f"httpx {httpx.__version__} keeps its connections where Client cannot hold them to the call's deadline: "
            "install a release of httpx that this SDK supports, or pass your own httpx.Client as http_client"
        )
    for pool in pools:
        pool._network_backend = DeadlineBackend(pool._network_backend)
    return http
