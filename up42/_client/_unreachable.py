"""Why a request failed on its way, in words a person can act on: never an errno, an OpenSSL code or a C file name.

Every backend keeps the system's error somewhere behind the one it raises: httpx chains httpcore's error, which
chains the socket's or the TLS layer's; httpx's async transport groups one error per address it tried; aiohttp
keeps it as ``os_error`` (``certificate_error`` for a certificate), and the SDK chains aiohttp's error to the httpx
error it reads it as (see `_http.as_httpx_error`). The whole chain is searched, so every backend reads the same.
"""

from __future__ import annotations

import os
import socket
import ssl
from collections.abc import Iterator
from urllib.parse import urlsplit

# What OpenSSL reports when the other side answers the handshake with something that is not TLS, such as an HTTP
# server's plain-text "400 Bad Request".
_NOT_TLS = frozenset({"WRONG_VERSION_NUMBER", "RECORD_LAYER_FAILURE", "PACKET_LENGTH_TOO_LONG", "UNKNOWN_PROTOCOL"})


def origin(url: str) -> str:
    """The scheme, host and port of ``url``: the place a connection goes to."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _chain(error: BaseException) -> Iterator[BaseException]:
    """``error`` and every error behind it, nearest first."""
    seen: set[int] = set()
    pending = [error]
    while pending:
        current = pending.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        behind = [current.__cause__, current.__context__]
        behind += [getattr(current, "os_error", None), getattr(current, "certificate_error", None)]
        if isinstance(current, BaseExceptionGroup):
            behind += current.exceptions
        pending += [found for found in behind if isinstance(found, BaseException)]


def _tls_code(error: BaseException) -> str | None:
    """OpenSSL's reason for a failed handshake (None for an error raised by Python code, which carries none)."""
    code = getattr(error, "reason", None) if isinstance(error, ssl.SSLError) else None
    return code if isinstance(code, str) else None


def tls_failure(error: BaseException) -> bool:
    """Whether the TLS handshake failed for good: a certificate not trusted, a server that does not speak TLS.

    Neither heals by itself, so such a failure is not worth another attempt. A connection closed in the middle of
    the handshake may be a busy server's, and is not counted.
    """
    return any(
        isinstance(found, ssl.SSLCertVerificationError)
        or (_tls_code(found) is not None and not isinstance(found, ssl.SSLEOFError))
        for found in _chain(error)
    )


def reason(error: BaseException, url: str) -> str:
    """Why a request to ``url`` failed, in words, from the first cause the chain of ``error`` holds."""
    chain = list(_chain(error))
    for found in chain:
        message = getattr(found, "verify_message", None) if isinstance(found, ssl.SSLCertVerificationError) else None
        if message:
            return f"its TLS certificate is not trusted ({message})"
    for found in chain:
        code = _tls_code(found)
        if code in _NOT_TLS:
            plain = urlsplit(url)._replace(scheme="http", path="", query="", fragment="").geturl()
            return f"the server there does not speak TLS (https) on that port; for a local sandbox use {plain}"
        if isinstance(found, ssl.SSLEOFError):
            return "the server closed the connection during the TLS handshake"
        if code is not None:
            return f"the TLS handshake failed ({code})"
    for found in chain:
        if isinstance(found, socket.gaierror):
            return "its host name could not be resolved"
    for found in chain:
        if isinstance(found, OSError) and isinstance(found.errno, int) and found.errno > 0:
            return _sentence(os.strerror(found.errno))
    return _sentence(str(error)) or type(error).__name__


def unreachable(url: str, error: BaseException, place: str = "UP42") -> str:
    """One line saying that ``place`` at the origin of ``url`` could not be reached, and why."""
    return f"cannot reach {place} at {origin(url)}: {reason(error, url)}"


def _sentence(text: str) -> str:
    """``text`` to follow a colon: without an ``[Errno N]`` prefix, its first letter small unless it is an acronym."""
    if text.startswith("[Errno ") and "] " in text:
        text = text.partition("] ")[2]
    if text[:2].istitle():
        text = text[0].lower() + text[1:]
    return text
