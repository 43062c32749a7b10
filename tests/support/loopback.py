"""Real sockets on loopback: an HTTP server on a free port with a quiet handler base, a free port, a dead URL."""

from __future__ import annotations

import http.server
import itertools
import json
import socket
import socketserver
import threading
from typing import Any

NOTHING_LISTENS = "http://127.0.0.1:9"
"""A loopback URL that refuses connections: the discard port, which a test machine never serves. A port freed by
a test instead could be bound again meanwhile by a test running beside it."""


class LoopbackServer(http.server.ThreadingHTTPServer):
    """Serves from a daemon thread as soon as it is made, so a subclass sets up its own state before this `__init__`."""

    daemon_threads = True

    def __init__(self, handler: type[socketserver.BaseRequestHandler]) -> None:
        super().__init__(("127.0.0.1", 0), handler)
        self.stopping = threading.Event()  # handlers that stall wait on it, so that `stop` ends them
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def stop(self) -> None:
        self.stopping.set()
        self.shutdown()
        self.server_close()


class QuietHandler(http.server.BaseHTTPRequestHandler):
    """Keep-alive HTTP/1.1, and no access log: the tests read outcomes."""

    protocol_version = "HTTP/1.1"

    def handle_one_request(self) -> None:
        """One request; a client that resets the connection (as one does that stops reading an answer) ends it."""
        try:
            super().handle_one_request()
        except ConnectionResetError:
            self.close_connection = True

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""

    def trickle(self) -> None:
        """The status line and a header one byte at a time, each well within a per-read timeout, until `stop`."""
        for byte in itertools.chain(b"HTTP/1.1 200 OK\r\nX-Padding: ", itertools.repeat(ord("a"))):
            if self.server.stopping.wait(0.2):
                return
            self.wfile.write(bytes([byte]))
            self.wfile.flush()

    def answer(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        """A JSON answer (none for a 204), with ``headers`` besides."""
        body = json.dumps(payload).encode() if status != 204 else b""
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


class Answering(LoopbackServer):
    """Answers every request with one fixed status, content type and body, and counts the connections made to it:
    a web server that is not UP42, or a plain-HTTP port that a client speaks TLS to."""

    def __init__(self, status: int = 404, content_type: str = "text/html", body: bytes = b"<h1>Not Found</h1>") -> None:
        self.answer = (status, content_type, body)
        self.connections = 0
        self.lock = threading.Lock()
        super().__init__(_Fixed)

    @property
    def tls_url(self) -> str:
        """Its URL with https: a client that follows it speaks TLS to a plain-HTTP port."""
        return self.url.replace("http://", "https://", 1)


class _Fixed(QuietHandler):
    server: Answering

    def handle(self) -> None:
        with self.server.lock:
            self.server.connections += 1
        super().handle()

    def answer_fixed(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        status, content_type, body = self.server.answer
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = answer_fixed


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port
