"""Rows 9 and 9b: many concurrent `AsyncClient.initialize_webhook` calls against raw aiohttp, on the canned server.

Every side runs its batch on one event loop against the same canned server: the SDK on its default backend
(aiohttp, with the extra installed) and on httpx's own, raw aiohttp, raw httpx over aiohttp (httpx-aiohttp) and
raw ``httpx.AsyncClient``, each doing the same GET and ``json.loads``. All use pools of `DEFAULT_MAX_CONNECTIONS`
connections kept alive. httpx's own pool is so much slower under this load that its two sides are timed once per
row, after one warm-up batch, while the sides on aiohttp alternate round by round; every batch starts after a
full garbage collection. Row RSS-9b is the peak RSS of a fresh process running one batch.
"""

from __future__ import annotations

import asyncio
import gc
import json
import statistics
import sys
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import httpx
from httpx_aiohttp import HttpxAiohttpClient

import up42
from benchmarks._canned import TOKEN, WEBHOOK_ID
from benchmarks._harness import Row, Sizes, background, micros, run_python, timed
from benchmarks.client import LIMITS, ONE, PASSWORD, TIMEOUT, USERNAME
from up42._client._http import DEFAULT_MAX_CONNECTIONS

Batch = Callable[[int], Awaitable[object]]


async def sdk_side(url: str, backend: str) -> tuple[Batch, Callable[[], Awaitable[None]]]:
    """An authenticated `AsyncClient` on ``backend``: a batch function and its closer."""
    client = up42.AsyncClient(USERNAME, PASSWORD, base_url=url, http_backend=backend)  # type: ignore[arg-type]
    await client.authenticate()

    async def batch(count: int) -> object:
        return await asyncio.gather(*(client.initialize_webhook(WEBHOOK_ID) for _ in range(count)))

    return batch, client.aclose


async def aiohttp_side(url: str) -> tuple[Batch, Callable[[], Awaitable[None]]]:
    """What a user would write with aiohttp alone: one session, the token in its headers, the SDK's timeouts."""
    session = aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=DEFAULT_MAX_CONNECTIONS),
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=aiohttp.ClientTimeout(sock_connect=TIMEOUT.connect, sock_read=TIMEOUT.read, connect=TIMEOUT.pool),
    )

    async def one() -> Any:
        async with session.get(url + ONE) as response:
            return json.loads(await response.read())

    async def batch(count: int) -> object:
        return await asyncio.gather(*(one() for _ in range(count)))

    return batch, session.close


async def httpx_side(url: str, backend: str = "httpx") -> tuple[Batch, Callable[[], Awaitable[None]]]:
    """Raw ``httpx.AsyncClient`` (on aiohttp's pool: httpx-aiohttp's subclass) with the same pool and timeouts."""
    kind = HttpxAiohttpClient if backend == "aiohttp" else httpx.AsyncClient
    raw = kind(base_url=url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=TIMEOUT, limits=LIMITS)

    async def one() -> Any:
        return json.loads((await raw.get(ONE)).content)

    async def batch(count: int) -> object:
        return await asyncio.gather(*(one() for _ in range(count)))

    return batch, raw.aclose


def measure(url: str, count: int, rounds: int) -> dict[str, float | None]:
    """Median seconds of one batch of ``count`` calls, per side; None for a side on httpx's own pool whose batch
    outlasted its pool timeout (on a busy machine, with a thousand calls)."""
    loop = asyncio.new_event_loop()
    sides = {
        "sdk": loop.run_until_complete(sdk_side(url, "aiohttp")),
        "aiohttp": loop.run_until_complete(aiohttp_side(url)),
        "sdk-httpx": loop.run_until_complete(sdk_side(url, "httpx")),
        "httpx": loop.run_until_complete(httpx_side(url)),
        "httpx-aiohttp": loop.run_until_complete(httpx_side(url, "aiohttp")),
    }

    def run(name: str) -> float:
        # Each batch starts from a collected heap, so the garbage one side leaves is not collected on the next
        # side's time; what a batch allocates itself is still collected within it.
        gc.collect()
        return timed(lambda: loop.run_until_complete(sides[name][0](count)))

    def run_slow(name: str) -> float | None:
        try:
            return run(name)
        except (httpx.TimeoutException, up42.APITimeoutError):
            # The batch's other calls are still under way: end them, so they cost the next batches nothing.
            pending = asyncio.all_tasks(loop)
            for task in pending:
                task.cancel()

            async def ended() -> None:
                await asyncio.gather(*pending, return_exceptions=True)

            loop.run_until_complete(ended())
            return None

    try:
        fast: dict[str, list[float]] = {"sdk": [], "aiohttp": [], "httpx-aiohttp": []}
        for name in fast:
            run(name)  # warm-up: connections opened, code paths hot
        slow = ("sdk-httpx", "httpx")
        warm = {name: run_slow(name) is not None for name in slow}
        for _ in range(rounds):
            for name, times in fast.items():
                times.append(run(name))
        medians: dict[str, float | None] = {name: statistics.median(times) for name, times in fast.items()}
        medians.update({name: run_slow(name) if warm[name] else None for name in slow})
    finally:
        for _, close in sides.values():
            loop.run_until_complete(close())
        loop.close()
    return medians


def batch_row(number: str, url: str, count: int, rounds: int, target: float) -> Row:
    """One row: the SDK on its default backend against raw aiohttp, with the httpx figures in its note."""
    medians = measure(url, count, rounds)

    def ratio(side: str, against: str) -> str:
        ours, theirs = medians[side], medians[against]
        if ours is None or theirs is None:
            return "not measured (a batch outlasted httpx's pool timeout)"
        return f"{micros(ours)} ({ours / theirs:.2f}x {against})"

    sdk, aiohttp_batch = medians["sdk"], medians["aiohttp"]
    # The sides on aiohttp are always measured.
    assert sdk is not None
    assert aiohttp_batch is not None
    return Row(
        number,
        f"AsyncClient.initialize_webhook, {count:,} concurrent (aiohttp backend)",
        micros(sdk) + "/batch",
        micros(aiohttp_batch) + "/batch",
        sdk / aiohttp_batch,
        target,
        note="baseline: aiohttp.ClientSession.get + json.loads, same pool and timeouts; in the same run raw httpx "
        f"over aiohttp (httpx-aiohttp) {ratio('httpx-aiohttp', 'aiohttp')}, raw httpx.AsyncClient "
        f"{ratio('httpx', 'aiohttp')}, the SDK on httpx's backend {ratio('sdk-httpx', 'httpx')}",
    )


def peak_rss(url: str, count: int) -> Row:
    """Peak RSS of a fresh process running one batch, through the SDK and through raw aiohttp."""
    figures = {
        side: int(run_python(sys.executable, "-m", "benchmarks._fanout_rss", side, url, str(count)))
        for side in ("sdk", "aiohttp")
    }
    return Row(
        "RSS-9b",
        f"peak RSS, {count:,} concurrent initialize_webhook in a fresh process",
        f"{figures['sdk'] / 1024:.1f} MiB",
        f"{figures['aiohttp'] / 1024:.1f} MiB",
        figures["sdk"] / figures["aiohttp"],
        1.3,
        note="baseline: import aiohttp, one batch of session.get + json.loads",
    )


def rows(sizes: Sizes) -> list[Row]:
    """Rows 9 and 9b and the RSS of 9b against one canned server."""
    small, large = sizes.fanout
    with background("benchmarks._canned", "1") as server:
        return [
            batch_row("9", server.url, small, sizes.rounds, 1.2),
            batch_row("9b", server.url, large, sizes.rounds, 1.5),
            peak_rss(server.url, large),
        ]
