"""Serving an ASGI app with uvicorn on a socket bound up front, in the foreground or in a background thread.

The socket is bound before uvicorn starts, so port 0 resolves to a real port that can be reported at once, and
with ``SO_REUSEADDR`` so a restarted server gets the same port back immediately.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time
from collections.abc import Iterator

import uvicorn
from starlette.types import ASGIApp

from ._signals import StopSignals

BACKLOG = 2048  # uvicorn's default


def bind(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``host``:``port`` (0 picks a free port) and listening, with address reuse."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted connections inherit this. uvicorn writes a response's head and body separately; with Nagle's
    # algorithm the body then waits for the client's delayed ACK, about 40 ms per response.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((host, port))
        # Listening at once: a client that connects between "listening on" and uvicorn's start waits in the
        # backlog instead of being refused. uvicorn listens on it again with the same backlog.
        sock.listen(BACKLOG)
    except OSError as error:
        sock.close()
        raise OSError(error.errno, f"cannot listen on {host} port {port}: {error.strerror}") from None
    return sock


def url_of(sock: socket.socket) -> str:
    """The http URL a bound socket serves."""
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if sock.family == socket.AF_INET6 else f"http://{host}:{port}"


class _QuietCancellation(logging.Filter):
    """Drops uvicorn's report of an app lifespan that was cancelled: that is a Ctrl+C, not a failure.

    A Ctrl+C in the moment the server is starting cancels the app's lifespan task; Starlette answers with a
    "shutdown failed" message holding the CancelledError's traceback, which uvicorn logs as an error. Any other
    lifespan error still shows.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """False for the cancelled-lifespan traceback only."""
        return not record.getMessage().rstrip().endswith("CancelledError")


def _quiet_cancellations() -> None:
    errors = logging.getLogger("uvicorn.error")
    if not any(isinstance(existing, _QuietCancellation) for existing in errors.filters):
        errors.addFilter(_QuietCancellation())


class _Uvicorn(uvicorn.Server):
    """uvicorn's server, told of SIGINT and SIGTERM by `Server.run` instead of catching them itself."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        """Leave the signals alone: `Server.run` holds them for the whole run, the loop's setting up included."""
        yield

    def request_stop(self, count: int) -> None:
        """Shut down gracefully at the first signal; stop waiting for connections and the app at the second."""
        self.should_exit = True
        if count > 1:
            self.force_exit = True


class Server:
    """One uvicorn server for ``app`` on ``sock``."""

    def __init__(self, app: ASGIApp, sock: socket.socket) -> None:
        _quiet_cancellations()
        self._sock = sock
        config = uvicorn.Config(
            app,
            log_config=None,
            access_log=False,
            lifespan="on",
            http="h11",
            ws="none",
            timeout_graceful_shutdown=5,
        )
        self._server = _Uvicorn(config)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """Where the server listens."""
        return url_of(self._sock)

    def run(self) -> None:
        """Serve until SIGINT or SIGTERM (in the main thread) or `stop`; a signal before serving starts ends it too.

        The signals are held from before the event loop exists until after it is gone: a Ctrl+C at any moment of
        the start is a request to stop that the server acts on once it can, never an exception in mid-start.
        """
        try:
            with StopSignals() as signals:
                signals.on_signal(self._server.request_stop)
                if not signals.requested:
                    self._server.run(sockets=[self._sock])
        finally:
            self._sock.close()

    def start(self, timeout: float = 10.0) -> None:
        """Serve in a background thread; return once requests are accepted."""
        self._thread = threading.Thread(target=self.run, name="up42-sandbox", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the server at {self.url} did not start within {timeout} s")
            time.sleep(0.01)

    def stop(self, timeout: float = 10.0) -> None:
        """Ask the server to finish and wait for its thread (at most ``timeout`` seconds)."""
        self._server.should_exit = True
        if self._thread is None:
            self._sock.close()  # never served: nothing else will release the port
            return
        self._thread.join(timeout)
        self._thread = None
