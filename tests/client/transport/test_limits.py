"""The deadline and the size cap, against a real server on loopback that trickles, stalls or floods.

No assertion here is about how long something took: each call must raise the right error, and a thread join
of a few seconds only keeps a regression from hanging the suite.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gzip
import importlib
import json
import os
import subprocess
import sys
import textwrap
import threading
import time
import tracemalloc
import types
import zlib
from collections.abc import Callable, Coroutine, Iterator
from typing import Any

import httpcore
import httpx
import pytest
import respx

import up42
from tests.support.loopback import LoopbackServer, QuietHandler
from tests.support.mock_api import (
    API,
    ASYNC_BACKENDS,
    PASSWORD,
    TOKEN_PATH,
    USERINFO_PATH,
    USERNAME,
    WEBHOOKS,
    WORKSPACE,
    Auth,
    envelope,
    error_envelope,
    webhook_json,
)
from up42._client import _encodings, _sockets
from up42._client._responses import Answer, CappedBody

LIST_PATH = f"/workspaces/{WORKSPACE}/webhooks"
GUARD = 20.0  # seconds; far beyond every deadline below, so only a call that never ends trips it
MiB = 1024 * 1024


class Hostile(LoopbackServer):
    """UP42's token and userinfo paths answered at once; the webhook list answered as ``behaviour`` says."""

    def __init__(self, behaviour: str, *, delay: float = 0.0, body: bytes = b"", coding: str | list[str] = "") -> None:
        self.behaviour = behaviour
        self.delay = delay  # before answering any request
        self.body = body  # what "encoded" sends, under the Content-Encoding `coding` (or these lines of it)
        self.coding = [coding] if isinstance(coding, str) else coding
        self.body_bytes_sent = 0
        self.accept_encoding: list[str | None] = []  # what each request for the list asked for
        super().__init__(_Handler)


class _Handler(QuietHandler):
    server: Hostile

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.do_GET()

    def do_GET(self) -> None:
        self.server.stopping.wait(self.server.delay)
        path = self.path.split("?")[0]
        if path == TOKEN_PATH:
            self._json({"access_token": "token", "expires_in": 300, "token_type": "Bearer"})
        elif path == USERINFO_PATH:
            self._json({"sub": WORKSPACE, "email": USERNAME})
        elif path == LIST_PATH:
            self.server.accept_encoding.append(self.headers.get("Accept-Encoding"))
            # A broken connection is the client giving up, as it should.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                getattr(self, f"_{self.server.behaviour}")()
        else:
            self.send_error(404)

    def _json(self, payload: Any, status: int = 200) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _ok(self) -> None:
        self._json(envelope([]))

    def _trickle(self) -> None:
        """Headers at once, then a body of blanks one byte at a time, for as long as the client listens."""
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(MiB))  # under the default cap; at this pace, for ever
        self.end_headers()
        while not self.server.stopping.wait(0.05):
            self.wfile.write(b" ")
            self.wfile.flush()

    def _trickle_headers(self) -> None:
        """A status line and headers one byte at a time: a minute of them, if the client waits that long."""
        head = b"HTTP/1.1 200 OK\r\n" + b"".join(b"X-Trickle-%02d: 1\r\n" % n for n in range(64))
        self.close_connection = True
        for byte in head[: int(60 / 0.05)]:
            if self.server.stopping.wait(0.05):
                return
            self.wfile.write(bytes([byte]))

    def _encoded(self) -> None:
        """The server's body as it is, under its Content-Encoding, in chunks: no length to refuse it by up front."""
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        for coding in self.server.coding:
            self.send_header("Content-Encoding", coding)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        body = memoryview(self.server.body)
        for start in range(0, len(body), 64 * 1024):
            chunk = body[start : start + 64 * 1024]
            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        self.wfile.write(b"0\r\n\r\n")

    def _stall(self) -> None:
        """Accept the request and never answer it."""
        self.server.stopping.wait()

    def _flood(self) -> None:
        """A chunked answer of 64 MiB, sent as fast as the client reads it."""
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        chunk = b" " * (64 * 1024)
        framed = b"%x\r\n%s\r\n" % (len(chunk), chunk)
        for _ in range(64 * MiB // len(chunk)):
            self.wfile.write(framed)
            self.server.body_bytes_sent += len(chunk)
        self.wfile.write(b"0\r\n\r\n")

    def _declared_huge(self) -> None:
        """A Content-Length far over the cap, and no body at all."""
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(10 * 1024 * MiB))
        self.end_headers()
        self.server.stopping.wait()


@pytest.fixture
def hostile() -> Iterator[Callable[..., Hostile]]:
    servers: list[Hostile] = []

    def start(behaviour: str, **options: Any) -> Hostile:
        servers.append(Hostile(behaviour, **options))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


def outcome(work: Callable[[], object]) -> BaseException | None:
    """What ``work`` raised (None if it returned), run in a thread that must end within the guard."""
    caught: list[BaseException | None] = []

    def run() -> None:
        try:
            work()
            caught.append(None)
        except BaseException as error:
            caught.append(error)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(GUARD)
    assert not thread.is_alive(), "the call was still running: nothing bounded it"
    return caught[0]


def sync_list(url: str, **options: Any) -> Callable[[], object]:
    def work() -> object:
        with up42.Client(USERNAME, PASSWORD, base_url=url, **options) as client:
            return client.get_webhooks()

    return work


def async_list(url: str, backend: str, **options: Any) -> Callable[[], object]:
    async def listing() -> object:
        async with up42.AsyncClient(USERNAME, PASSWORD, base_url=url, http_backend=backend, **options) as client:  # type: ignore[arg-type]
            return await client.get_webhooks()

    def work() -> object:
        coroutine: Coroutine[Any, Any, object] = listing()
        return asyncio.run(coroutine)

    return work


CLIENTS = pytest.mark.parametrize(
    "listing",
    [sync_list, *(functools.partial(async_list, backend=backend) for backend in ASYNC_BACKENDS)],
    ids=["sync", *(f"async-{backend}" for backend in ASYNC_BACKENDS)],
)


@CLIENTS
def test_a_body_trickled_for_ever_ends_at_the_deadline(
    hostile: Callable[..., Hostile], listing: Callable[..., Callable[[], object]]
) -> None:
    # Every read gets a byte well within the read timeout, so only a deadline for the whole call can end it.
    server = hostile("trickle")

    error = outcome(listing(server.url, timeout=5, deadline=1))

    assert isinstance(error, up42.APITimeoutError), error
    assert f"GET {server.url}{LIST_PATH} did not complete within the call's deadline of 1 s" in str(error)


@CLIENTS
def test_headers_trickled_for_ever_end_at_the_deadline(
    hostile: Callable[..., Hostile], listing: Callable[..., Callable[[], object]]
) -> None:
    # Every byte of the headers comes well within the read timeout, and the trickle lasts far longer than the
    # guard: only a deadline that bounds the whole exchange, headers included, ends the call in time.
    server = hostile("trickle_headers")

    error = outcome(listing(server.url, timeout=5, deadline=1))

    assert isinstance(error, up42.APITimeoutError), error
    assert f"GET {server.url}{LIST_PATH} did not complete within the call's deadline of 1 s" in str(error)


def test_every_connection_of_the_sdks_own_sync_client_keeps_to_the_deadline(
    hostile: Callable[..., Hostile], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The client's own pool, and the pool of a proxy from the environment: each connects through the deadline's
    # backend, whose connections (httpcore names the one that carried an answer) bound every read and write.
    server = hostile("ok")
    monkeypatch.setenv("HTTP_PROXY", server.url)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")

    with up42.Client(USERNAME, PASSWORD, base_url=server.url) as client:
        http = client._transport._wire.sender
        direct = http.get(f"{server.url}{USERINFO_PATH}")
        proxied = http.get("http://proxied.invalid/")  # answered 404 by the same server, as the proxy

    assert (direct.status_code, proxied.status_code) == (200, 404)
    assert isinstance(direct.extensions["network_stream"], _sockets._DeadlineStream)
    assert isinstance(proxied.extensions["network_stream"], _sockets._DeadlineStream)


@pytest.mark.parametrize(
    ("owner", "attribute"),
    [
        (httpx.Client, "_transport"),
        (httpx.Client, "_mounts"),
        (httpx.HTTPTransport, "_pool"),
        (httpcore.ConnectionPool, "_network_backend"),
    ],
)
def test_a_sync_client_is_refused_when_httpx_keeps_its_connections_out_of_reach(
    monkeypatch: pytest.MonkeyPatch, owner: type, attribute: str
) -> None:
    # The deadline's backend is put in place through attributes that httpx and httpcore do not promise to keep: a
    # release that moves one must not give a Client whose connections ignore the deadline.
    made = owner.__init__

    def moved(self: Any, *args: Any, **kwargs: Any) -> None:
        made(self, *args, **kwargs)
        setattr(self, f"{attribute}_elsewhere", self.__dict__.pop(attribute))

    monkeypatch.setattr(owner, "__init__", moved)

    with pytest.raises(up42.UP42Error) as caught:
        up42.Client(USERNAME, PASSWORD)

    assert str(caught.value) == (
        f"httpx {httpx.__version__} keeps its connections where Client cannot hold them to the call's deadline: "
        "install a release of httpx that this SDK supports, or pass your own httpx.Client as http_client"
    )


def test_a_users_sync_client_ends_a_trickled_body_at_the_deadline(hostile: Callable[..., Hostile]) -> None:
    # The SDK can't reach the connections of a client it did not make: it checks the clock as the body arrives.
    server = hostile("trickle")

    def work() -> object:
        with (
            httpx.Client() as mine,
            up42.Client(USERNAME, PASSWORD, base_url=server.url, http_client=mine, timeout=5, deadline=1) as client,
        ):
            return client.get_webhooks()

    error = outcome(work)

    assert isinstance(error, up42.APITimeoutError), error
    assert f"GET {server.url}{LIST_PATH} did not complete within the call's deadline of 1 s" in str(error)


def test_a_body_an_in_process_transport_decoded_already_is_read_as_it_is() -> None:
    # httpx decodes the body of a response made with its content (as a mock transport makes them) at once.
    hooks = [webhook_json()]

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == TOKEN_PATH:
            return httpx.Response(200, json={"access_token": "t", "expires_in": 300})
        if request.url.path == USERINFO_PATH:
            return httpx.Response(200, json={"sub": WORKSPACE})
        body = gzip.compress(json.dumps(envelope(hooks)).encode())
        return httpx.Response(200, content=body, headers={"Content-Encoding": "gzip"})

    with (
        httpx.Client(transport=httpx.MockTransport(answer)) as mine,
        up42.Client(USERNAME, PASSWORD, http_client=mine) as client,
    ):
        assert client.get_webhooks(return_json=True) == hooks


@CLIENTS
def test_a_server_that_never_answers_ends_at_the_deadline_not_the_read_timeout(
    hostile: Callable[..., Hostile], listing: Callable[..., Callable[[], object]]
) -> None:
    server = hostile("stall")

    error = outcome(listing(server.url, timeout=600, deadline=1))

    assert isinstance(error, up42.APITimeoutError), error
    assert "deadline of 1 s" in str(error)


@CLIENTS
def test_the_deadline_bounds_the_whole_call_not_each_request(
    hostile: Callable[..., Hostile], listing: Callable[..., Callable[[], object]]
) -> None:
    # The first call makes three requests (token, workspace, list); each fits the deadline, all three do not.
    server = hostile("ok", delay=0.6)

    assert outcome(listing(server.url, deadline=30)) is None
    error = outcome(listing(server.url, timeout=5, deadline=1.5))

    assert isinstance(error, up42.APITimeoutError), error
    assert "deadline of 1.5 s" in str(error)


def test_no_deadline_means_none(hostile: Callable[..., Hostile]) -> None:
    server = hostile("ok", delay=0.2)

    assert outcome(sync_list(server.url, deadline=None)) is None


@CLIENTS
def test_a_flood_is_refused_at_the_size_cap_without_holding_it(
    hostile: Callable[..., Hostile], listing: Callable[..., Callable[[], object]]
) -> None:
    server = hostile("flood")
    tracemalloc.start()
    try:
        error = outcome(listing(server.url, max_response_size=MiB))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert isinstance(error, up42.ResponseParseError), error
    assert "larger than max_response_size (1048576 bytes)" in str(error)
    assert error.status == 200
    # The body was 64 MiB; the client stopped reading soon after the first one, and never held more.
    assert peak < 16 * MiB
    assert server.body_bytes_sent < 32 * MiB


@CLIENTS
def test_a_declared_length_over_the_cap_is_refused_before_reading(
    hostile: Callable[..., Hostile], listing: Callable[..., Callable[[], object]]
) -> None:
    server = hostile("declared_huge")

    error = outcome(listing(server.url, max_response_size=MiB, deadline=None, timeout=600))

    assert isinstance(error, up42.ResponseParseError), error
    assert "max_response_size" in str(error)


def _zeros(make: Callable[[], Any], flushed: Callable[[Any, bytes], bytes]) -> Callable[[int], bytes]:
    """How to encode ``size`` zero bytes (a whole number of MiB) with a compressor from ``make``: ``flushed``
    compresses a block with it and flushes what it holds.

    After a flush the compressor has nothing pending, so every further MiB of zeros compresses to the same bytes as
    the second: they are repeated rather than compressed. The stream's end is left off: a client that keeps to the
    cap stops long before it.
    """

    def zeros(size: int) -> bytes:
        compressor = make()
        first, then = flushed(compressor, bytes(MiB)), flushed(compressor, bytes(MiB))
        return first + then * (size // MiB - 1)

    return zeros


def _zlib_zeros(wbits: int) -> Callable[[int], bytes]:
    return _zeros(
        functools.partial(zlib.compressobj, 9, zlib.DEFLATED, wbits),
        lambda compressor, data: compressor.compress(data) + compressor.flush(zlib.Z_FULL_FLUSH),
    )


def _in_two_frames(compress: Callable[[bytes], bytes]) -> Callable[[bytes], bytes]:
    """zstd as a server streaming its answer may send it: several frames, one after the other."""

    def encode(body: bytes) -> bytes:
        return compress(body[: len(body) // 2]) + compress(body[len(body) // 2 :])

    return encode


def _codings() -> dict[str, tuple[Callable[[bytes], bytes], Callable[[int], bytes]]]:
    """Each content coding this environment can make: how to encode a body, and how to encode that many zeros."""
    found = {
        "gzip": (gzip.compress, _zlib_zeros(zlib.MAX_WBITS | 16)),
        "deflate": (zlib.compress, _zlib_zeros(zlib.MAX_WBITS)),
    }
    with contextlib.suppress(ImportError):
        brotli = importlib.import_module("brotli")
        br_zeros = _zeros(
            functools.partial(brotli.Compressor, quality=1),
            lambda compressor, data: compressor.process(data) + compressor.flush(),
        )
        found["br"] = (brotli.compress, br_zeros)
    for name in ("compression.zstd", "backports.zstd"):
        with contextlib.suppress(ImportError):
            zstd = importlib.import_module(name)
            zstd_zeros = _zeros(
                zstd.ZstdCompressor, lambda compressor, data: compressor.compress(data, compressor.FLUSH_BLOCK)
            )
            found["zstd"] = (_in_two_frames(zstd.compress), zstd_zeros)
            break
    return found


CODINGS = _codings()
# One layer of each coding, two layers of each, and all of them stacked.
STACKS = [(coding,) for coding in CODINGS] + [(coding, coding) for coding in CODINGS] + [tuple(CODINGS)]
# Far past the cap of 1 MiB, and past the few MiB a call may hold below: a client that decoded a bomb whole would
# hold it all, which the measurement shows. Small enough that doing so would not take the machine's memory.
BOMB_SIZE = 256 * MiB


def encoded(body: bytes, stack: tuple[str, ...]) -> bytes:
    for coding in stack:
        body = CODINGS[coding][0](body)
    return body


@functools.cache
def bomb(stack: tuple[str, ...]) -> bytes:
    """`BOMB_SIZE` zero bytes under the codings of ``stack``: a few hundred kilobytes at most, less when stacked."""
    if len(stack) > 1:
        return encoded(bomb(stack[:1]), stack[1:])
    return CODINGS[stack[0]][1](BOMB_SIZE)


# Runs in a process of its own. A first call to a plain answer loads what the client loads on first use; then, per
# bomb, it prints what the call raised and the peak of what it allocated meanwhile (as tracemalloc counts it: every
# Python object, decoded pieces and body included). Its address space is limited too, only as a guard against a
# client gone wrong: to 2 GiB, several times what one that decoded each bomb whole would take (that shows as a peak
# the test refuses), with glibc's malloc kept to two arenas, as each reserves 64 MiB of address space and a busy
# machine makes it open one per thread in contention.
MEASURE = textwrap.dedent(
    """
    import asyncio, gc, json, resource, sys, tracemalloc
    import up42

    client, cap, plain, bombs = sys.argv[1], int(sys.argv[2]), sys.argv[3], json.loads(sys.argv[4])
    resource.setrlimit(resource.RLIMIT_AS, (2 * 1024**3, 2 * 1024**3))

    async def listing(url):
        async with up42.AsyncClient("u", "p", base_url=url, http_backend=client, max_response_size=cap) as c:
            await c.get_webhooks()

    def run(url):
        try:
            if client == "sync":
                with up42.Client("u", "p", base_url=url, max_response_size=cap) as c:
                    c.get_webhooks()
            else:
                asyncio.run(listing(url))
        except Exception as error:
            return f"{type(error).__name__}: {error}"
        return "returned"

    assert run(plain) == "returned"
    tracemalloc.start()
    results = {}
    for name, url in bombs.items():
        gc.collect()
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        outcome = run(url)
        results[name] = [outcome, tracemalloc.get_traced_memory()[1] - before]
    print(json.dumps(results))
    """
)


@pytest.mark.parametrize("client", ["sync", *ASYNC_BACKENDS])
def test_compression_bombs_are_refused_at_the_cap_in_bounded_memory(
    hostile: Callable[..., Hostile], client: str
) -> None:
    # Each bomb decodes to 256 MiB; the cap is 1 MiB. Every layer is counted as it is decoded, so each call stops
    # soon after the cap and holds little more than it.
    plain = hostile("ok").url
    bombs = {", ".join(stack): hostile("encoded", body=bomb(stack), coding=", ".join(stack)).url for stack in STACKS}

    done = subprocess.run(
        [sys.executable, "-c", MEASURE, client, str(MiB), plain, json.dumps(bombs)],
        capture_output=True, text=True, timeout=300, check=False, env={**os.environ, "MALLOC_ARENA_MAX": "2"},
    )  # fmt: skip

    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)
    refused = (
        f"ResponseParseError: HTTP 200 from GET {LIST_PATH}: the response body is larger than max_response_size "
        f"(1048576 bytes) and was not read"
    )
    assert {stack: outcome for stack, (outcome, _) in results.items()} == dict.fromkeys(bombs, refused)
    assert {stack: peak for stack, (_, peak) in results.items() if peak > 8 * MiB} == {}


@CLIENTS
@pytest.mark.parametrize("stack", STACKS, ids=", ".join)
def test_a_compressed_answer_under_the_cap_is_read(
    hostile: Callable[..., Hostile], listing: Callable[..., Callable[[], Any]], stack: tuple[str, ...]
) -> None:
    hooks = [webhook_json() for _ in range(20)]
    plain = json.dumps(envelope(hooks)).encode()
    server = hostile("encoded", body=encoded(plain, stack), coding=", ".join(stack))

    # The cap holds the decoded body, and each layer on the way to it.
    received = listing(server.url, max_response_size=len(plain), deadline=GUARD)()

    assert [hook.id for hook in received] == [hook["id"] for hook in hooks]
    # Only the codings the SDK can decode are asked for.
    assert server.accept_encoding == [", ".join(CODINGS)]


@CLIENTS
def test_codings_named_on_several_header_lines_are_all_undone(
    hostile: Callable[..., Hostile], listing: Callable[..., Callable[[], Any]]
) -> None:
    server = hostile("encoded", body=encoded(json.dumps(envelope([])).encode(), ("gzip", "gzip")), coding=["gzip"] * 2)

    assert listing(server.url, deadline=GUARD)() == []


@CLIENTS
def test_deflate_without_its_zlib_wrapper_is_read_too(
    hostile: Callable[..., Hostile], listing: Callable[..., Callable[[], Any]]
) -> None:
    # Some servers send a bare deflate stream under "deflate"; httpx reads those, and so does the SDK.
    bare = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    server = hostile("encoded", body=bare.compress(json.dumps(envelope([])).encode()) + bare.flush(), coding="deflate")

    assert listing(server.url, deadline=GUARD)() == []


@CLIENTS
def test_an_answer_that_does_not_decode_is_a_parse_error(
    hostile: Callable[..., Hostile], listing: Callable[..., Callable[[], object]]
) -> None:
    server = hostile("encoded", body=b'{"data": []}', coding="gzip")

    error = outcome(listing(server.url))

    assert isinstance(error, up42.ResponseParseError), error
    assert f"HTTP 200 from GET {LIST_PATH}: the response breaks the API contract: " in str(error)
    assert "its body is not valid gzip" in str(error)


@pytest.mark.parametrize("coding", CODINGS)
def test_data_after_the_end_of_a_stream_is_taken_alike_in_the_same_piece_or_a_later_one(coding: str) -> None:
    # A body arrives in pieces cut wherever the network cut it. gzip and deflate ignore what follows their end, as
    # httpx does; br has no room for more, and zstd reads it as a next frame: each refuses it, wherever it comes.
    stream, junk = encoded(json.dumps(envelope([])).encode(), (coding,)), b"trailing bytes"

    def read(pieces: list[bytes]) -> str:
        body = CappedBody(Answer(200, "OK", [], "GET", f"{API}{WEBHOOKS}"), MiB, None, coding)
        try:
            for piece in pieces:
                body.add(piece)
        except up42.ResponseParseError as error:
            return str(error)
        return body.finish().content.decode()

    together, later = read([stream + junk]), read([stream, junk])

    assert together == later
    if coding in ("gzip", "deflate"):
        assert json.loads(later) == envelope([])
    else:
        assert later.startswith(
            f"HTTP 200 from GET {WEBHOOKS}: the response breaks the API contract: its body is not valid {coding}"
        )


def test_br_is_asked_for_only_with_the_brotli_package(monkeypatch: pytest.MonkeyPatch) -> None:
    # brotlicffi's decoder is another API, untested here: with it alone, a server is not offered br at all.
    class Decompressor:
        def can_accept_more_data(self) -> bool:
            return True

    brotlicffi = types.ModuleType("brotlicffi")
    brotlicffi.Decompressor = Decompressor  # type: ignore[attr-defined]
    brotlicffi.error = Exception  # type: ignore[attr-defined]
    with monkeypatch.context() as patched:
        patched.setitem(sys.modules, "brotli", None)  # not installed: importing it raises ImportError
        patched.setitem(sys.modules, "brotlicffi", brotlicffi)
        _encodings._decoders.cache_clear()
        _encodings.accept_encoding.cache_clear()
        offered = _encodings.accept_encoding()
    _encodings._decoders.cache_clear()
    _encodings.accept_encoding.cache_clear()

    assert "br" not in offered.split(", ")
    assert offered.startswith("gzip, deflate")


@CLIENTS
def test_more_codings_than_any_server_stacks_are_refused(
    hostile: Callable[..., Hostile], listing: Callable[..., Callable[[], object]]
) -> None:
    server = hostile(
        "encoded", body=encoded(json.dumps(envelope([])).encode(), ("gzip",) * 6), coding="gzip, " * 5 + "gzip"
    )

    error = outcome(listing(server.url))

    assert isinstance(error, up42.ResponseParseError), error
    assert "its body has 6 content codings, more than the 5 the SDK decodes" in str(error)


@CLIENTS
def test_a_coding_that_is_not_one_is_ignored(
    hostile: Callable[..., Hostile], listing: Callable[..., Callable[[], Any]]
) -> None:
    # Servers have been seen to name the charset there; httpx reads such a body as it is, and so does the SDK.
    server = hostile("encoded", body=json.dumps(envelope([])).encode(), coding="UTF-8")

    assert listing(server.url, deadline=GUARD)() == []


def test_a_body_at_the_cap_is_read(api: respx.MockRouter, auth: Auth) -> None:
    # Longer than the token and userinfo answers, which the cap applies to as well.
    hooks = [webhook_json() for _ in range(5)]
    body = json.dumps(envelope(hooks)).encode()
    api.get(f"{API}{WEBHOOKS}").respond(200, content=body, headers={"Content-Type": "application/json"})

    with up42.Client(USERNAME, PASSWORD, max_response_size=len(body)) as client:
        assert client.get_webhooks(return_json=True) == hooks
    with (
        up42.Client(USERNAME, PASSWORD, max_response_size=len(body) - 1) as client,
        pytest.raises(up42.ResponseParseError, match="max_response_size"),
    ):
        client.get_webhooks()


def test_a_retry_that_would_outlast_the_deadline_is_not_waited_for(
    api: respx.MockRouter, auth: Auth, sleeps: list[float]
) -> None:
    api.get(f"{API}{WEBHOOKS}").respond(503, json=error_envelope("UNAVAILABLE", "down"), headers={"Retry-After": "5"})

    with up42.Client(USERNAME, PASSWORD, deadline=3) as client, pytest.raises(up42.ServerError) as caught:
        client.get_webhooks()

    assert (caught.value.attempts, sleeps) == (1, [])
    with up42.Client(USERNAME, PASSWORD, deadline=30) as client, pytest.raises(up42.ServerError) as caught:
        client.get_webhooks()
    assert (caught.value.attempts, sleeps) == (4, [5.0, 5.0, 5.0])


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"deadline": 0}, "deadline must be a positive number of seconds or None"),
        ({"deadline": "60"}, "deadline must be"),
        ({"deadline": True}, "deadline must be"),
        ({"deadline": float("nan")}, "deadline must be a positive number of seconds or None, got nan"),
        ({"max_response_size": 0}, "max_response_size must be a positive number of bytes"),
        ({"max_response_size": 1.5}, "max_response_size must be"),
    ],
)
def test_limits_are_checked(options: dict[str, Any], message: str) -> None:
    for connect in (up42.Client, up42.AsyncClient, up42.authenticate):
        with pytest.raises(up42.InvalidArgumentError, match=message):
            connect(USERNAME, PASSWORD, **options)


def test_the_defaults_are_documented_values() -> None:
    from up42._client._transport import CallLimits

    assert CallLimits() == CallLimits(deadline=120.0, max_response_size=32 * MiB)


async def test_an_async_deadline_does_not_outlive_its_call(api: respx.MockRouter, auth: Auth) -> None:
    # Two calls in a row: the second has a deadline of its own, not what the first one left.
    api.get(f"{API}{WEBHOOKS}").mock(side_effect=lambda request: httpx.Response(200, json=envelope([])))

    async with up42.AsyncClient(USERNAME, PASSWORD, deadline=0.5) as client:
        assert await client.get_webhooks() == []
        await asyncio.sleep(0.6)
        assert await client.get_webhooks() == []


@pytest.mark.parametrize("deadline", [float("inf"), 1e308])
async def test_an_async_deadline_too_far_off_to_matter_still_works(
    api: respx.MockRouter, auth: Auth, deadline: float
) -> None:
    api.get(f"{API}{WEBHOOKS}").respond(200, json=envelope([]))

    async with up42.AsyncClient(USERNAME, PASSWORD, deadline=deadline) as client:
        assert await client.get_webhooks() == []


def test_a_sync_deadline_does_not_outlive_its_call(api: respx.MockRouter, auth: Auth) -> None:
    api.get(f"{API}{WEBHOOKS}").respond(200, json=envelope([]))

    with up42.Client(USERNAME, PASSWORD, deadline=0.5) as client:
        assert client.get_webhooks() == []
        time.sleep(0.6)
        assert client.get_webhooks() == []
