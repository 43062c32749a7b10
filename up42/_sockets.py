"""The connections of an ``httpx.Client`` the SDK makes, held to the deadline of the call that uses them.

A blocking read can't be interrupted, and httpx's timeouts bound each read alone: a server sending its headers a
byte at a time, each byte well within the read timeout, would hold a sync call for as long as it liked. So the
connections of `Client`'s own httpx client go through `DeadlineBackend`, whose every connect, read and write
waits no longer than the time left to the SDK call in progress in that thread, and fails at once when none is.
httpx reports such a failure as its own timeout, which the transport turns into the deadline's error.

Imported when a `Client` makes its httpx client, which loads httpcore anyway.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx

from ._deadline import current_deadline


def _within_deadline(timeout: float | None, timed_out: type[httpcore.TimeoutException]) -> float | None:
    """``timeout``, or the time left to the current call's deadline if that is shorter; raises when none is left."""
    deadline = current_deadline.get()
    if deadline is None:
        return timeout
    left = deadline.remaining()
    if left <= 0:
        raise timed_out("the call's deadline has passed")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    """A connection whose every read and write waits no longer than the current call's deadline allows."""

    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _within_deadline(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _within_deadline(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        timeout = _within_deadline(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._stream.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
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
        timeout = _within_deadline(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._backend.connect_tcp(host, port, timeout, local_address, socket_options))

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        timeout = _within_deadline(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._backend.connect_unix_socket(path, timeout, socket_options))

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


def keeping_deadlines(http: httpx.Client) -> httpx.Client:
    """``http``, with every connection pool it has (one per proxy from the environment, too) on `DeadlineBackend`.

    httpx has no argument for a network backend, so each pool's is replaced after the client is made.
    """
    for transport in (http._transport, *http._mounts.values()):
        if isinstance(transport, httpx.HTTPTransport):
            pool = transport._pool
            pool._network_backend = DeadlineBackend(pool._network_backend)
    return http
