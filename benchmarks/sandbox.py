"""Rows 6 and 7 and the sandbox's memory: the local UP42 under load, each server in its own process.

Row 6 puts the sandbox's GET webhook next to a bare Starlette endpoint returning the very same JSON under the
same uvicorn settings; the load comes from `benchmarks._load` in a third process. Row 7 makes the sandbox
deliver live events to `up42.receiving.Receiver`, which verifies each one.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time
from typing import Any

import httpx

import up42
from benchmarks._harness import Child, Row, Sizes, background, micros, run_python
from up42.sandbox import DEFAULT_PASSWORD, DEFAULT_USERNAME

TOKEN_PATH = "/realms/public/protocol/openid-connect/token"  # noqa: S105 - a URL path
SECRET = "bench-receiver-secret"  # noqa: S105 - a throwaway secret shared with the local receiver
CONNECTIONS = 8
SENDERS = 8


def _client(sandbox: Child) -> up42.Client:
    return up42.Client(DEFAULT_USERNAME, DEFAULT_PASSWORD, base_url=sandbox.url)


def _token(sandbox: Child) -> str:
    form = {"grant_type": "password", "username": DEFAULT_USERNAME, "password": DEFAULT_PASSWORD}
    response = httpx.post(sandbox.url + TOKEN_PATH, data={**form, "client_id": "up42-sdk"}, trust_env=False)
    token: str = response.raise_for_status().json()["access_token"]
    return token


def _load(server: Child, path: str, token: str, sizes: Sizes) -> dict[str, float]:
    args = (str(server.port), path, token, str(sizes.load_requests), str(sizes.load_seconds), str(CONNECTIONS))
    figures: dict[str, float] = json.loads(run_python(sys.executable, "-m", "benchmarks._load", *args))
    if figures["failures"]:
        raise RuntimeError(f"{figures['failures']} of the load's requests failed on port {server.port}")
    return figures


def throughput(sandbox: Child, sizes: Sizes) -> Row:
    """Row 6: requests/s of GET webhook, the sandbox against a bare Starlette app, alternated round by round."""
    with _client(sandbox) as client:
        hook = client.create_webhook("bench", "https://example.com/hook", ["order.status"])
        path = f"/workspaces/{client.workspace_id}/webhooks/{hook.id}"
    token = _token(sandbox)
    payload = httpx.get(sandbox.url + path, headers={"Authorization": f"Bearer {token}"}, trust_env=False).json()
    ours: list[float] = []
    theirs: list[float] = []
    with background("benchmarks._servers", "bare", json.dumps(payload), path) as bare:
        _load(bare, path, token, sizes)
        _load(sandbox, path, token, sizes)
        for _ in range(max(1, sizes.rounds // 2)):
            theirs.append(_load(bare, path, token, sizes)["rps"])
            ours.append(_load(sandbox, path, token, sizes)["rps"])
    sdk, baseline = statistics.median(ours), statistics.median(theirs)
    return Row(
        "6",
        f"sandbox GET webhook, {CONNECTIONS} keep-alive connections",
        f"{sdk:,.0f} req/s",
        f"{baseline:,.0f} req/s",
        sdk / baseline,
        0.5,
        higher_is_better=True,
        note="baseline: bare Starlette endpoint returning the same JSON, same uvicorn settings; "
        f"load from a separate process, {sizes.load_requests:,} requests or {sizes.load_seconds:g} s per round",
    )


async def _deliver(sandbox: Child, count: int) -> tuple[float, list[float]]:
    latencies: list[float] = []
    budget = [count]

    async def sender(http: httpx.AsyncClient) -> None:
        while budget[0] > 0:
            budget[0] -= 1
            started = time.perf_counter()
            response = await http.post("/sandbox/events", json={"event": "order.status"})
            latencies.append(time.perf_counter() - started)
            for delivery in response.raise_for_status().json()["data"]["deliveries"]:
                if delivery["status"] != 200:
                    raise RuntimeError(f"a delivery failed: {delivery}")

    async with httpx.AsyncClient(base_url=sandbox.url, trust_env=False, timeout=60) as http:
        started = time.perf_counter()
        await asyncio.gather(*(sender(http) for _ in range(SENDERS)))
        return time.perf_counter() - started, latencies


def deliveries(sandbox: Child, sizes: Sizes) -> Row:
    """Row 7: live events, each delivered to a local receiver that verifies the signature."""
    with background("benchmarks._servers", "receiver", SECRET) as receiver, _client(sandbox) as client:
        hook = client.create_webhook("receiver", f"{receiver.url}/", ["order.status"], active=True, secret=SECRET)
        asyncio.run(_deliver(sandbox, max(1, sizes.deliveries // 10)))  # warm-up
        elapsed, latencies = asyncio.run(_deliver(sandbox, sizes.deliveries))
        hook.delete()
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return Row(
        "7",
        f"sandbox: {sizes.deliveries:,} live deliveries to a local verifying receiver",
        f"{sizes.deliveries / elapsed:,.0f} deliveries/s",
        "-",
        note=f"event posted to delivery acknowledged: p50 {micros(statistics.median(ordered))}, p99 {micros(p99)}; "
        f"{SENDERS} concurrent senders",
    )


async def _fill(sandbox: Child, count: int) -> None:
    async with up42.AsyncClient(DEFAULT_USERNAME, DEFAULT_PASSWORD, base_url=sandbox.url) as client:
        budget = [count]

        async def creator() -> None:
            while budget[0] > 0:
                budget[0] -= 1
                await client.create_webhook(f"hook-{budget[0]}", "https://example.com/hook", ["order.status"])

        await asyncio.gather(*(creator() for _ in range(SENDERS)))


def memory(sizes: Sizes) -> Row:
    """Peak RSS of a fresh sandbox process before and after it is given ``sizes.held_webhooks`` webhooks."""
    with background("benchmarks._servers", "sandbox") as sandbox:
        with _client(sandbox) as client:
            client.get_webhooks()
        empty = sandbox.peak_rss_kib()
        asyncio.run(_fill(sandbox, sizes.held_webhooks))
        with _client(sandbox) as client:
            held: list[Any] = client.get_webhooks()
        full = sandbox.peak_rss_kib()
    if len(held) != sizes.held_webhooks:
        raise RuntimeError(f"the sandbox holds {len(held)} webhooks, not {sizes.held_webhooks}")
    return Row(
        "RSS-S",
        f"peak RSS, sandbox holding {sizes.held_webhooks:,} webhooks (one list of all of them served)",
        f"{full / 1024:.1f} MiB",
        f"{empty / 1024:.1f} MiB",
        full / empty,
        note="baseline: the same sandbox process, empty, after one request",
    )


def rows(sizes: Sizes) -> list[Row]:
    """Rows 6 and 7 against one sandbox, then the memory figure against a fresh one."""
    with background("benchmarks._servers", "sandbox") as sandbox:
        measured = [throughput(sandbox, sizes), deliveries(sandbox, sizes)]
    return [*measured, memory(sizes)]
