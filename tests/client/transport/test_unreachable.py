"""A place that cannot be reached is named in words, the same for every backend: no errno, no OpenSSL code.

A refused connection is retried (the request never left); a failed TLS handshake is not, since it fails the same
way every time.
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

import up42
from tests.support.loopback import NOTHING_LISTENS, Answering
from tests.support.mock_api import ASYNC_BACKENDS, PASSWORD, USERNAME
from up42._client._unreachable import origin, reason, tls_failure, unreachable

URL = "https://api.example.com:8443/workspaces/w/webhooks?limit=1"


@pytest.fixture
def plain() -> Iterator[Answering]:
    server = Answering()
    yield server
    server.stop()


def behind(outer: BaseException, inner: BaseException) -> BaseException:
    outer.__cause__ = inner
    return outer


def failed_handshake(code: str, answer: bytes = b"HTTP/1.1 400 Bad Request\r\n\r\n") -> ssl.SSLError:
    """The ``ssl.SSLError`` of a handshake with a server that ``answer``s and hangs up, with OpenSSL's reason."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        probe.listen()
        with socket.create_connection(probe.getsockname()) as raw:
            accepted, _ = probe.accept()
            with accepted:
                accepted.sendall(answer)
                accepted.shutdown(socket.SHUT_WR)  # open still, so what the client sends is taken in, not reset
                with pytest.raises(ssl.SSLError) as caught:
                    ssl.create_default_context().wrap_socket(raw, server_hostname="localhost")
    assert caught.value.reason == code
    return caught.value


def test_the_origin_is_scheme_host_and_port() -> None:
    assert origin(URL) == "https://api.example.com:8443"
    assert origin("http://127.0.0.1:9/realms/x") == "http://127.0.0.1:9"


# httpx's async transport groups one error per address it tried, behind an error without an errno.
GROUPED = behind(OSError("All connection attempts failed"), ExceptionGroup("g", [ConnectionRefusedError(111, "x")]))


@pytest.mark.parametrize(
    ("error", "words"),
    [
        # httpx's sync transport: its error, behind it httpcore's, behind that the socket's.
        (
            behind(httpx.ConnectError("[Errno 111] Connection refused"), ConnectionRefusedError(111, "x")),
            "connection refused",
        ),
        (behind(httpx.ConnectError("All connection attempts failed"), GROUPED), "connection refused"),
        (behind(httpx.ConnectError("[Errno -2] x"), socket.gaierror(-2, "x")), "its host name could not be resolved"),
        (behind(httpx.ReadError("[Errno 104] x"), ConnectionResetError(104, "x")), "connection reset by peer"),
        # Nothing behind it (a mock, a user's transport): its text, without the errno.
        (httpx.ConnectError("[Errno 111] Connection refused"), "connection refused"),
        (httpx.RemoteProtocolError("Server disconnected"), "server disconnected"),
        (httpx.ConnectError(""), "ConnectError"),
    ],
)
def test_a_failure_reads_as_words(error: BaseException, words: str) -> None:
    assert reason(error, URL) == words
    assert not tls_failure(error)


def test_aiohttp_keeps_the_system_error_as_os_error() -> None:
    class ConnectorError(OSError):  # as aiohttp's: the errno copied, the system's error kept aside
        def __init__(self, os_error: OSError) -> None:
            super().__init__(os_error.errno, "Cannot connect to host")
            self.os_error = os_error

    dns = behind(httpx.ConnectError("x"), ConnectorError(socket.gaierror(-2, "Name or service not known")))
    assert reason(dns, URL) == "its host name could not be resolved"
    tls = behind(httpx.ConnectError("x"), ConnectorError(failed_handshake("WRONG_VERSION_NUMBER")))
    assert reason(tls, URL).startswith("the server there does not speak TLS")
    assert tls_failure(tls)


def test_tls_failures_read_as_words_and_are_final() -> None:
    not_tls = behind(
        httpx.ConnectError("[SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1006)"),
        failed_handshake("WRONG_VERSION_NUMBER"),
    )
    assert reason(not_tls, URL) == (
        "the server there does not speak TLS (https) on that port; for a local sandbox use http://api.example.com:8443"
    )
    untrusted = ssl.SSLCertVerificationError(1, "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed")
    untrusted.verify_message = "self-signed certificate"
    assert reason(behind(httpx.ConnectError("x"), untrusted), URL) == (
        "its TLS certificate is not trusted (self-signed certificate)"
    )
    for error in (not_tls, behind(httpx.ConnectError("x"), untrusted)):
        assert tls_failure(error)
    # A connection closed during the handshake may be a busy server's: worth another attempt.
    closed = behind(httpx.ConnectError("x"), failed_handshake("UNEXPECTED_EOF_WHILE_READING", b""))
    assert reason(closed, URL) == "the server closed the connection during the TLS handshake"
    assert not tls_failure(closed)
    # An SSLError made by Python code, as aiohttp makes its own, has no reason of OpenSSL's: it is not read as one.
    assert not tls_failure(behind(httpx.ConnectError("x"), ssl.SSLError(1, "made up")))
    assert unreachable(URL, not_tls, "the sandbox").startswith(
        "cannot reach the sandbox at https://api.example.com:8443: "
    )


def test_a_refused_connection_is_retried_then_named_without_an_errno(sleeps: list[float]) -> None:
    with (
        up42.Client(USERNAME, PASSWORD, base_url=NOTHING_LISTENS) as client,
        pytest.raises(up42.APIConnectionError) as caught,
    ):
        client.get_webhooks()

    assert str(caught.value) == f"cannot reach UP42 at {NOTHING_LISTENS}: connection refused (after 4 attempts)"
    assert (caught.value.attempts, len(sleeps)) == (4, 3)


def assert_no_tls_there(error: up42.APIConnectionError, server: Answering, sleeps: list[float]) -> None:
    assert str(error) == (
        f"cannot reach UP42 at {server.tls_url}: the server there does not speak TLS (https) on that port; "
        f"for a local sandbox use {server.url}"
    )
    assert (error.attempts, sleeps, server.connections) == (1, [], 1)


def test_https_to_a_plain_http_port_is_said_in_words_and_not_retried(plain: Answering, sleeps: list[float]) -> None:
    with (
        up42.Client(USERNAME, PASSWORD, base_url=plain.tls_url) as client,
        pytest.raises(up42.APIConnectionError) as caught,
    ):
        client.get_webhooks()

    assert_no_tls_there(caught.value, plain, sleeps)


@pytest.mark.parametrize("backend", ASYNC_BACKENDS)
async def test_every_async_backend_says_the_same(backend: Any, plain: Answering, sleeps: list[float]) -> None:
    async with up42.AsyncClient(USERNAME, PASSWORD, base_url=NOTHING_LISTENS, http_backend=backend) as client:
        with pytest.raises(up42.APIConnectionError) as refused:
            await client.get_webhooks()
    assert str(refused.value) == f"cannot reach UP42 at {NOTHING_LISTENS}: connection refused (after 4 attempts)"

    sleeps.clear()
    async with up42.AsyncClient(USERNAME, PASSWORD, base_url=plain.tls_url, http_backend=backend) as client:
        with pytest.raises(up42.APIConnectionError) as caught:
            await client.get_webhooks()
    assert_no_tls_there(caught.value, plain, sleeps)
