"""AsyncClient on both backends (httpx's own transport, aiohttp's), over real sockets to a scripted loopback server.

respx patches httpx's own transport, so it cannot see aiohttp's traffic: here a real server answers each path
from a script (answers, stalls, dropped connections), and every test runs once per backend.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import respx

import up42
from tests.support.loopback import LoopbackServer, QuietHandler
from tests.support.mock_api import (
    HOOK,
    PASSWORD,
    TOKEN_PATH,
    USERINFO_PATH,
    USERNAME,
    WORKSPACE,
    envelope,
    error_envelope,
)
from up42._client import _http

LIST = f"/workspaces/{WORKSPACE}/webhooks"
ONE = f"{LIST}/{HOOK['id']}"
BUSY = error_envelope("SERVICE_UNAVAILABLE", "try again")
MiB = 1024 * 1024

# What the server does for one request: ("json", status, payload[, headers]), ("stall",), ("drop",)
Action = tuple[Any, ...]


class Scripted(LoopbackServer):
    """Answers each path from its script, in order (the last answer repeats); records what arrived."""

    request_queue_size = 256  # a hundred tasks connect at once

    def __init__(self) -> None:
        self.scripts: dict[tuple[str, str], list[Action]] = {}
        self.received: list[tuple[str, str, Any]] = []
        self.tokens: list[str] = []
        self.token_lifetimes = [300]
        self.lock = threading.Lock()
        super().__init__(_Handler)

    def script(self, method: str, path: str, *actions: Action) -> None:
        self.scripts[(method, path)] = list(actions)

    def count(self, method: str, path: str) -> int:
        return sum(1 for m, p, _ in self.received if (m, p) == (method, path))

    def next_action(self, method: str, path: str) -> Action:
        with self.lock:
            actions = self.scripts.get((method, path), [("json", 404, error_envelope("NOT_FOUND", "no route"))])
            return actions.pop(0) if len(actions) > 1 else actions[0]


class _Handler(QuietHandler):
    server: Scripted

    def handle_one(self, method: str) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        path = self.path.split("?")[0]
        with self.server.lock:
            self.server.received.append((method, path, self.headers))
        if path == TOKEN_PATH:
            self.server.stopping.wait(0.05)  # a slow identity provider widens the window in which callers pile up
            with self.server.lock:
                lifetimes = self.server.token_lifetimes
                lifetime = lifetimes.pop(0) if len(lifetimes) > 1 else lifetimes[0]
                self.server.tokens.append(f"tok-{len(self.server.tokens) + 1}")
                token = self.server.tokens[-1]
            self.answer(200, {"access_token": token, "expires_in": lifetime, "token_type": "Bearer"})
        elif path == USERINFO_PATH:
            self.answer(200, {"sub": WORKSPACE, "email": USERNAME})
        else:
            kind, *rest = self.server.next_action(method, path)
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                getattr(self, kind)(*rest)

    def do_GET(self) -> None:
        self.handle_one("GET")

    def do_POST(self) -> None:
        self.handle_one("POST")

    def do_PUT(self) -> None:
        self.handle_one("PUT")

    def do_DELETE(self) -> None:
        self.handle_one("DELETE")

    def json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        self.answer(status, payload, headers)

    def stall(self) -> None:
        self.server.stopping.wait()

    def drop(self) -> None:
        """Read the request, then close the connection without a word: did it arrive? The client cannot know."""
        self.close_connection = True
        self.connection.shutdown(socket.SHUT_RDWR)


@pytest.fixture
def server() -> Iterator[Scripted]:
    scripted = Scripted()
    yield scripted
    scripted.stop()


BACKENDS = pytest.mark.parametrize("backend", list(_http.BACKENDS))


def connect(server: Scripted, backend: str, **options: Any) -> up42.AsyncClient:
    return up42.AsyncClient(USERNAME, PASSWORD, base_url=server.url, http_backend=backend, **options)  # type: ignore[arg-type]


@BACKENDS
async def test_calls_carry_the_sdks_headers(server: Scripted, backend: str) -> None:
    server.script("GET", LIST, ("json", 200, envelope([HOOK])))
    server.script("GET", ONE, ("json", 200, envelope(HOOK)))
    server.script("PUT", ONE, ("json", 200, envelope({**HOOK, "active": True})))
    server.script("DELETE", ONE, ("json", 204, None))

    async with connect(server, backend) as client:
        (listed,) = await client.get_webhooks()
        hook = await client.initialize_webhook(HOOK["id"])
        await hook.update(active=True)
        await hook.delete()

    assert (listed.id, hook.active) == (HOOK["id"], True)
    api = [headers for _, path, headers in server.received if path.startswith("/workspaces/")]
    assert [m for m, _, _ in server.received][-2:] == ["PUT", "DELETE"]
    assert {h["Authorization"] for h in api} == {"Bearer tok-1"}
    assert {h["User-Agent"] for h in api} == {up42._client._config.USER_AGENT}


@BACKENDS
async def test_busy_answers_are_retried(server: Scripted, backend: str, sleeps: list[float]) -> None:
    server.script(
        "GET", LIST, ("json", 503, BUSY), ("json", 429, BUSY, {"Retry-After": "1"}), ("json", 200, envelope([]))
    )
    server.script("POST", LIST, ("json", 429, BUSY, {"Retry-After": "2"}), ("json", 200, envelope(HOOK)))

    async with connect(server, backend) as client:
        assert await client.get_webhooks() == []
        assert (await client.create_webhook("n", "https://e.example/h", ["order.status"])).id == HOOK["id"]

    assert (server.count("GET", LIST), server.count("POST", LIST)) == (3, 2)
    assert sleeps[1:] == [1.0, 2.0]


@BACKENDS
async def test_a_dropped_connection_repeats_a_get_but_not_a_post(server: Scripted, backend: str) -> None:
    server.script("GET", LIST, ("drop",), ("json", 200, envelope([])))
    server.script("POST", LIST, ("drop",), ("json", 200, envelope(HOOK)))

    async with connect(server, backend) as client:
        assert await client.get_webhooks() == []
        with pytest.raises(up42.APIConnectionError) as caught:
            await client.create_webhook("n", "https://e.example/h", ["order.status"])

    # A POST that reached the server may have created the webhook: it is not sent twice.
    assert (server.count("GET", LIST), server.count("POST", LIST)) == (2, 1)
    assert not isinstance(caught.value, up42.APITimeoutError)
    assert f"POST {server.url}{LIST} failed" in str(caught.value)


@BACKENDS
async def test_a_refused_connection_is_retried_then_named(backend: str, sleeps: list[float]) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again: nothing listens there
    client = up42.AsyncClient(USERNAME, PASSWORD, base_url=f"http://127.0.0.1:{port}", http_backend=backend)  # type: ignore[arg-type]

    async with client:
        with pytest.raises(up42.APIConnectionError) as caught:
            await client.get_webhooks()

    assert str(caught.value) == f"cannot reach UP42 at http://127.0.0.1:{port}: connection refused (after 4 attempts)"
    assert caught.value.attempts == 4
    assert len(sleeps) == 3


@BACKENDS
async def test_a_read_timeout_is_an_api_timeout_error(server: Scripted, backend: str) -> None:
    server.script("GET", LIST, ("stall",))

    async with connect(server, backend, timeout=0.3, deadline=None, max_retries=1) as client:
        with pytest.raises(up42.APITimeoutError, match=r"timed out \(ReadTimeout\) after 2 attempts"):
            await client.get_webhooks()

    assert server.count("GET", LIST) == 2


@BACKENDS
async def test_the_deadline_ends_a_stalled_call(server: Scripted, backend: str) -> None:
    server.script("GET", LIST, ("stall",))

    async with connect(server, backend, timeout=30, deadline=0.5) as client:
        with pytest.raises(up42.APITimeoutError, match="within the call's deadline of 0.5 s"):
            await client.get_webhooks()


@BACKENDS
async def test_the_size_cap_holds(server: Scripted, backend: str) -> None:
    server.script("GET", LIST, ("json", 200, envelope(["x" * MiB])))

    async with connect(server, backend, max_response_size=MiB) as client:
        with pytest.raises(up42.ResponseParseError, match="larger than max_response_size"):
            await client.get_webhooks()
        # The connection that carried the refused body is not reused half-read.
        server.script("GET", LIST, ("json", 200, envelope([])))
        assert await client.get_webhooks() == []


@BACKENDS
async def test_a_hundred_tasks_share_one_token_refresh(server: Scripted, backend: str) -> None:
    server.token_lifetimes = [0, 300]  # the first token is stale at once
    server.script("GET", LIST, ("json", 200, envelope([])))

    async with connect(server, backend) as client:
        await client.authenticate()
        results = await asyncio.gather(*(client.get_webhooks() for _ in range(100)))

    assert results == [[]] * 100
    assert server.tokens == ["tok-1", "tok-2"]


@BACKENDS
async def test_a_401_fetches_a_new_token_once(server: Scripted, backend: str) -> None:
    server.script("GET", LIST, ("json", 401, error_envelope("UNAUTHORIZED", "expired")), ("json", 200, envelope([])))

    async with connect(server, backend) as client:
        assert await client.get_webhooks() == []

    sent = [headers["Authorization"] for _, path, headers in server.received if path == LIST]
    assert sent == ["Bearer tok-1", "Bearer tok-2"]


@BACKENDS
async def test_errors_map_to_the_same_classes(server: Scripted, backend: str) -> None:
    server.script("GET", ONE, ("json", 404, error_envelope("RESOURCE_NOT_FOUND", "Webhook not found")))
    server.script("POST", LIST, ("json", 422, error_envelope("VALIDATION", "url must be https")))

    async with connect(server, backend) as client:
        with pytest.raises(up42.NotFoundError, match="Webhook not found"):
            await client.initialize_webhook(HOOK["id"])
        with pytest.raises(up42.ValidationError, match="url must be https"):
            await client.create_webhook("n", "http://e.example/h", ["order.status"])


def _users_client(backend: str, hook: Any) -> httpx.AsyncClient:
    hooks = {"request": [hook]}
    if backend == "aiohttp":
        from httpx_aiohttp import HttpxAiohttpClient

        client: httpx.AsyncClient = HttpxAiohttpClient(event_hooks=hooks)
        return client
    return httpx.AsyncClient(event_hooks=hooks)


@BACKENDS
async def test_a_users_client_is_used_and_left_open(server: Scripted, backend: str) -> None:
    seen: list[str] = []

    async def hook(request: httpx.Request) -> None:
        seen.append(request.url.path)

    server.script("GET", LIST, ("json", 200, envelope([])))
    async with _users_client(backend, hook) as mine:
        async with up42.AsyncClient(USERNAME, PASSWORD, base_url=server.url, http_client=mine) as client:
            assert await client.get_webhooks() == []
        assert not mine.is_closed
        assert (await mine.get(f"{server.url}{USERINFO_PATH}")).status_code == 200

    assert seen[:3] == [TOKEN_PATH, USERINFO_PATH, LIST]
    (sent,) = [headers for _, path, headers in server.received if path == LIST]
    assert (sent["Authorization"], sent["User-Agent"]) == ("Bearer tok-1", up42._client._config.USER_AGENT)


def test_a_users_sync_client_with_a_mock_transport() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == TOKEN_PATH:
            return httpx.Response(200, json={"access_token": "t", "expires_in": 300})
        if request.url.path == USERINFO_PATH:
            return httpx.Response(200, json={"sub": WORKSPACE})
        assert request.headers["Authorization"] == "Bearer t"
        return httpx.Response(200, json=envelope([HOOK]))

    mine = httpx.Client(transport=httpx.MockTransport(answer), headers={"X-Mine": "1"}, timeout=1)
    with up42.Client(USERNAME, PASSWORD, http_client=mine) as client:
        (hook,) = client.get_webhooks()

    assert hook.id == HOOK["id"]
    assert not mine.is_closed
    mine.close()


async def test_without_a_choice_aiohttp_is_used_unless_httpx_is_mocked() -> None:
    from up42._client._aiohttp import AiohttpSender

    def sender(client: up42.AsyncClient) -> object:
        return client._transport._wire.sender

    async with up42.AsyncClient(USERNAME, PASSWORD) as client:
        assert isinstance(sender(client), AiohttpSender)
    with respx.mock:
        async with up42.AsyncClient(USERNAME, PASSWORD) as client:
            mocked = sender(client)
            assert isinstance(mocked, _http.HttpxSender) and type(mocked.http) is httpx.AsyncClient
    async with up42.AsyncClient(USERNAME, PASSWORD, http_backend="httpx") as client:
        chosen = sender(client)
        assert isinstance(chosen, _http.HttpxSender) and type(chosen.http) is httpx.AsyncClient


def test_aiohttp_is_loaded_only_when_an_async_client_is_made() -> None:
    code = (
        "import sys, up42; up42.Client; up42.AsyncClient; up42.Client('u', 'p').close(); "
        "print('aiohttp' in sys.modules, end=' '); up42.AsyncClient('u', 'p'); print('aiohttp' in sys.modules)"
    )
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert shown == "False True\n"


@pytest.mark.parametrize(
    ("connect_to", "options", "message"),
    [
        (up42.AsyncClient, {"http_backend": "curl"}, "http_backend must be one of 'aiohttp', 'httpx' or None"),
        (up42.Client, {"http_backend": "httpx"}, "unexpected keyword argument 'http_backend'"),
        (up42.Client, {"http_client": httpx.AsyncClient()}, "http_client must be an httpx.Client, got AsyncClient"),
        (up42.AsyncClient, {"http_client": httpx.Client()}, "must be an httpx.AsyncClient, got Client"),
        (up42.AsyncClient, {"max_connections": 0}, "max_connections must be a positive integer"),
        (up42.Client, {"max_connections": True}, "max_connections must be a positive integer"),
        (up42.AsyncClient, {"http_client": httpx.AsyncClient(), "max_connections": 5}, "configure that client"),
        (up42.AsyncClient, {"http_client": httpx.AsyncClient(), "http_backend": "httpx"}, "configure that client"),
    ],
)
def test_bad_transport_options_are_refused(connect_to: Any, options: dict[str, Any], message: str) -> None:
    with pytest.raises(up42.InvalidArgumentError, match=message):
        connect_to(USERNAME, PASSWORD, **options)


def test_the_aiohttp_backend_refused_without_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_http, "aiohttp_installed", lambda: False)

    with pytest.raises(up42.InvalidArgumentError, match=r"pip install 'up42-webhooks\[aiohttp\]'"):
        up42.AsyncClient(USERNAME, PASSWORD, http_backend="aiohttp")
    assert _http.async_backend(None) == "httpx"


def test_the_pool_default_suits_fan_out() -> None:
    limits = _http.pool_limits(_http.DEFAULT_MAX_CONNECTIONS)
    assert (limits.max_connections, limits.max_keepalive_connections) == (100, 100)
