"""A real HTTP proxy on loopback in front of a sandbox: it forwards every request, and can edit or hold an answer."""

from __future__ import annotations

import dataclasses
import json
import threading
from collections.abc import Callable
from typing import Any

import httpx

from tests.support.loopback import LoopbackServer, QuietHandler

# Headers the proxy's own connections set: never forwarded either way.
HOP_BY_HOP = {"host", "connection", "content-length", "transfer-encoding", "accept-encoding", "content-encoding"}


@dataclasses.dataclass
class Answer:
    """The sandbox's answer to one request, which an edit may change before the proxy sends it on."""

    method: str
    path: str
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    @json.setter
    def json(self, value: Any) -> None:
        self.body = json.dumps(value).encode()


@dataclasses.dataclass(frozen=True)
class Passed:
    """One request and answer as they passed through, unedited."""

    request_headers: dict[str, str]
    request_body: bytes
    response_headers: dict[str, str]
    response_body: bytes


class Proxy(LoopbackServer):
    """Forwards to ``target``; ``edit`` may change each answer; a request ``hold`` matches is never answered.

    ``held`` is set once such a request has come (its answer waits until `stop`); a request ``drop`` matches has
    its connection closed without an answer, and is not forwarded; ``passed`` keeps the traffic.
    """

    def __init__(
        self,
        target: str,
        edit: Callable[[Answer], None] | None = None,
        hold: Callable[[str, str], bool] | None = None,
        drop: Callable[[str, str], bool] | None = None,
    ) -> None:
        self.edit = edit
        self.hold = hold
        self.drop = drop
        self.held = threading.Event()
        self.passed: list[Passed] = []
        self.http = httpx.Client(base_url=target, timeout=60)
        super().__init__(ProxyHandler)

    def stop(self) -> None:
        super().stop()
        self.http.close()

    def __enter__(self) -> Proxy:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


class ProxyHandler(QuietHandler):
    server: Proxy

    def _forward(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        sent = {name: value for name, value in self.headers.items() if name.lower() not in HOP_BY_HOP}
        if self.server.hold is not None and self.server.hold(self.command, self.path):
            self.server.held.set()
            self.server.stopping.wait()
            self.close_connection = True
            return
        if self.server.drop is not None and self.server.drop(self.command, self.path):
            self.close_connection = True
            return
        response = self.server.http.request(self.command, self.path, headers=sent, content=body)
        kept = {name: value for name, value in response.headers.items() if name.lower() not in HOP_BY_HOP}
        self.server.passed.append(Passed(sent, body, dict(response.headers), response.content))
        answer = Answer(self.command, self.path, response.status_code, kept, response.content)
        if self.server.edit is not None:
            self.server.edit(answer)
        self.send_response(answer.status)
        for name, value in answer.headers.items():
            if name.lower() not in ("date", "server"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer.body)))
        self.end_headers()
        self.wfile.write(answer.body)

    do_GET = do_POST = do_PUT = do_DELETE = _forward
