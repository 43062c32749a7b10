"""Rows 1-3 (with 2a, 2b), the RSS of row 2 and the list's scaling: the SDK's clients against raw httpx, both
talking to the canned server."""

from __future__ import annotations

import asyncio
import datetime
import json
import sys
from collections.abc import Callable
from typing import Any

import aiohttp
import httpx

import up42
from benchmarks._canned import TOKEN, WEBHOOK_ID, WORKSPACE
from benchmarks._harness import Row, Scaling, Sizes, background, compare, micros, run_python
from up42._client._http import DEFAULT_MAX_CONNECTIONS

ONE = f"/workspaces/{WORKSPACE}/webhooks/{WEBHOOK_ID}"
LIST = f"/workspaces/{WORKSPACE}/webhooks"
USERNAME = "bench@example.com"
PASSWORD = "bench-password"  # noqa: S105 - the canned server accepts anything
# The SDK's default; httpx's own 5 s pool timeout is too short for 500 requests queued on 100 connections.
TIMEOUT = httpx.Timeout(30.0, connect=10.0)
# The SDK's pool: DEFAULT_MAX_CONNECTIONS connections, all kept alive.
LIMITS = httpx.Limits(max_connections=DEFAULT_MAX_CONNECTIONS, max_keepalive_connections=DEFAULT_MAX_CONNECTIONS)


def raw_client(url: str) -> httpx.Client:
    """What a user would write without the SDK: one keep-alive client with the token in its headers."""
    return httpx.Client(base_url=url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=TIMEOUT, limits=LIMITS)


def sdk_client(url: str) -> up42.Client:
    """An authenticated SDK client (token and workspace fetched before timing starts)."""
    client = up42.Client(USERNAME, PASSWORD, base_url=url)
    client.authenticate()
    return client


def per_call(
    url: str, calls: int, rounds: int, sdk: Callable[[up42.Client], object], baseline: Callable[[httpx.Client], object]
) -> tuple[float, float]:
    """Median seconds per call of ``sdk`` and ``baseline``, ``calls`` calls a round, one keep-alive client each."""
    with sdk_client(url) as client, raw_client(url) as raw:

        def ours() -> None:
            for _ in range(calls):
                sdk(client)

        def theirs() -> None:
            for _ in range(calls):
                baseline(raw)

        ours_median, theirs_median = compare(ours, theirs, rounds)
    return ours_median / calls, theirs_median / calls


def get_one(sizes: Sizes, url: str) -> Row:
    """Row 1: one webhook by id, ``sizes.calls`` times per round, sync, one keep-alive connection."""
    ours, theirs = per_call(
        url,
        sizes.calls,
        sizes.rounds,
        lambda client: client.initialize_webhook(WEBHOOK_ID),
        lambda raw: json.loads(raw.get(ONE).content),
    )
    return Row(
        "1",
        f"initialize_webhook(id), sync, keep-alive, {sizes.calls:,} calls",
        micros(ours) + "/call",
        micros(theirs) + "/call",
        ours / theirs,
        1.25,
        note="baseline: httpx.Client.get + json.loads",
    )


def get_list(sizes: Sizes, url: str) -> Row:
    """Row 2: the list of ``sizes.webhooks`` webhooks into `Webhook` objects."""
    ours, theirs = per_call(
        url,
        sizes.list_calls,
        sizes.rounds,
        lambda client: client.get_webhooks(),
        lambda raw: json.loads(raw.get(LIST).content),
    )
    return Row(
        "2",
        f"get_webhooks() of {sizes.webhooks:,} webhooks into Webhook objects",
        micros(ours) + "/call",
        micros(theirs) + "/call",
        ours / theirs,
        1.3,
        note="baseline: httpx.Client.get + json.loads",
    )


def get_list_async(sizes: Sizes, url: str) -> Row:
    """Row 2a: row 2 through `AsyncClient` on httpx's backend against raw `httpx.AsyncClient`, with the default
    backend (aiohttp) against raw aiohttp in the same run for the note."""
    loop = asyncio.new_event_loop()

    async def setup() -> tuple[up42.AsyncClient, up42.AsyncClient, httpx.AsyncClient, aiohttp.ClientSession]:
        clients = []
        for backend in ("httpx", "aiohttp"):
            client = up42.AsyncClient(USERNAME, PASSWORD, base_url=url, http_backend=backend)
            await client.authenticate()
            clients.append(client)
        raw = httpx.AsyncClient(
            base_url=url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=TIMEOUT, limits=LIMITS
        )
        session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=DEFAULT_MAX_CONNECTIONS),
            headers={"Authorization": f"Bearer {TOKEN}"},
            timeout=aiohttp.ClientTimeout(sock_connect=TIMEOUT.connect, sock_read=TIMEOUT.read, connect=TIMEOUT.pool),
        )
        return clients[0], clients[1], raw, session

    on_httpx, on_aiohttp, raw, session = loop.run_until_complete(setup())

    async def raw_aiohttp() -> Any:
        async with session.get(url + LIST) as response:
            return json.loads(await response.read())

    def rounds(work: Callable[[], Any]) -> Callable[[], None]:
        async def calls() -> None:
            for _ in range(sizes.list_calls):
                await work()

        return lambda: loop.run_until_complete(calls())

    async def raw_httpx() -> Any:
        return json.loads((await raw.get(LIST)).content)

    try:
        ours, theirs = compare(rounds(on_httpx.get_webhooks), rounds(raw_httpx), sizes.rounds)
        default, bare = compare(rounds(on_aiohttp.get_webhooks), rounds(raw_aiohttp), sizes.rounds)
    finally:
        for close in (on_httpx.aclose, on_aiohttp.aclose, raw.aclose, session.close):
            loop.run_until_complete(close())
        loop.close()
    calls = sizes.list_calls
    return Row(
        "2a",
        f"AsyncClient.get_webhooks() of {sizes.webhooks:,} webhooks (httpx backend)",
        micros(ours / calls) + "/call",
        micros(theirs / calls) + "/call",
        ours / theirs,
        1.3,
        note="baseline: httpx.AsyncClient.get + json.loads, same pool limits and timeouts; in the same run the SDK "
        f"on its default backend (aiohttp) {micros(default / calls)} against raw aiohttp.ClientSession.get + "
        f"json.loads {micros(bare / calls)} ({default / bare:.2f}x)",
    )


def read_list(sizes: Sizes, url: str) -> Row:
    """Row 2b: row 2, then reading three fields of every webhook, so the models are built after all."""

    def sdk(client: up42.Client) -> object:
        return [(hook.name, hook.events, hook.created_at) for hook in client.get_webhooks()]

    def baseline(raw: httpx.Client) -> object:
        hooks = json.loads(raw.get(LIST).content)["data"]
        return [(hook["name"], hook["events"], datetime.datetime.fromisoformat(hook["createdAt"])) for hook in hooks]

    ours, theirs = per_call(url, sizes.list_calls, sizes.rounds, sdk, baseline)
    return Row(
        "2b",
        f"row 2, then name, events and created_at of all {sizes.webhooks:,}",
        micros(ours) + "/call",
        micros(theirs) + "/call",
        ours / theirs,
        note="baseline: httpx.Client.get + json.loads, the three fields read from the dicts (the date parsed)",
    )


def get_concurrently(sizes: Sizes, url: str) -> Row:
    """Row 3: ``sizes.concurrent`` concurrent gets with `AsyncClient` against raw `httpx.AsyncClient`."""
    loop = asyncio.new_event_loop()

    async def setup() -> tuple[up42.AsyncClient, httpx.AsyncClient]:
        # httpx's own backend on both sides: this row is about the SDK's cost over httpx (rows 9 and 9b: aiohttp's).
        client = up42.AsyncClient(USERNAME, PASSWORD, base_url=url, http_backend="httpx")
        await client.authenticate()
        raw = httpx.AsyncClient(
            base_url=url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=TIMEOUT, limits=LIMITS
        )
        return client, raw

    client, raw = loop.run_until_complete(setup())

    async def one_raw() -> Any:
        return json.loads((await raw.get(ONE)).content)

    async def sdk_batch() -> None:
        await asyncio.gather(*(client.initialize_webhook(WEBHOOK_ID) for _ in range(sizes.concurrent)))

    async def raw_batch() -> None:
        await asyncio.gather(*(one_raw() for _ in range(sizes.concurrent)))

    def sdk() -> None:
        loop.run_until_complete(sdk_batch())

    def baseline() -> None:
        loop.run_until_complete(raw_batch())

    try:
        # A batch takes seconds (httpcore's pool scans its whole queue whenever a connection frees up), so fewer rounds.
        ours, theirs = compare(sdk, baseline, max(1, sizes.rounds // 2))
    finally:
        loop.run_until_complete(client.aclose())
        loop.run_until_complete(raw.aclose())
        loop.close()
    return Row(
        "3",
        f"AsyncClient.initialize_webhook, {sizes.concurrent} concurrent (httpx backend)",
        micros(ours) + "/batch",
        micros(theirs) + "/batch",
        ours / theirs,
        1.3,
        note="baseline: httpx.AsyncClient.get + json.loads, same pool limits and timeouts",
    )


def list_rss(sizes: Sizes, url: str) -> Row:
    """Peak RSS of a fresh process that loads the list once, through the SDK and through raw httpx."""
    ours = int(run_python(sys.executable, "-m", "benchmarks._rss", "sdk", url, LIST, TOKEN))
    theirs = int(run_python(sys.executable, "-m", "benchmarks._rss", "baseline", url, LIST, TOKEN))
    return Row(
        "RSS-2",
        f"peak RSS, one get_webhooks() of {sizes.webhooks:,} in a fresh process",
        f"{ours / 1024:.1f} MiB",
        f"{theirs / 1024:.1f} MiB",
        ours / theirs,
        note="baseline: import httpx, one get + json.loads",
    )


def list_scaling(sizes: Sizes) -> Scaling:
    """How the cost of `get_webhooks()` grows with the number of webhooks, per webhook, sync, against raw httpx.

    One canned server per size; the calls per round shrink as the list grows, so each size takes about as long.
    """
    counts = (2, 5) if sizes.quick else (10, 100, 1000, 10000)
    budget = 10 if sizes.quick else 10_000  # webhooks per round and side
    ours: list[float] = []
    theirs: list[float] = []
    for count in counts:
        calls = max(2, budget // count)
        with background("benchmarks._canned", str(count)) as server:
            sdk, baseline = per_call(
                server.url,
                calls,
                sizes.rounds,
                lambda client: client.get_webhooks(),
                lambda raw: json.loads(raw.get(LIST).content),
            )
        ours.append(sdk / count * 1e6)
        theirs.append(baseline / count * 1e6)
    return Scaling(
        key="list",
        title="get_webhooks() of N webhooks, sync: cost per webhook",
        size_name="webhooks",
        sizes=counts,
        unit="us per webhook",
        lines={"SDK": tuple(ours), "raw httpx + json.loads": tuple(theirs)},
        flat="SDK",
        note="Each size is served by its own canned server; both sides alternate round by round. At the smallest "
        "size the cost of the request itself is shared by few webhooks.",
    )


def rows(sizes: Sizes) -> list[Row | Scaling]:
    """Rows 1-3 (with 2a and 2b) and the RSS of row 2 against one canned server, and the list's scaling."""
    with background("benchmarks._canned", str(sizes.webhooks)) as server:
        url = server.url
        results: list[Row | Scaling] = [
            get_one(sizes, url),
            get_list(sizes, url),
            get_list_async(sizes, url),
            read_list(sizes, url),
            get_concurrently(sizes, url),
            list_rss(sizes, url),
        ]
    return [*results, list_scaling(sizes)]
