"""Rows 6 and 7, the sandbox's memory and its delivery log: the local UP42 under load, each server in its own process.

Row 6 puts the sandbox's GET webhook next to a bare Starlette endpoint returning the very same JSON under the
same uvicorn settings; the load comes from `benchmarks._load` in a third process. Row 7 makes the sandbox
deliver live events to `up42.receiving.Receiver`, which verifies each one. The log's scaling reads a page of
the delivery log, over the API and on the dashboard, as the log grows to 100,000 deliveries.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

import up42
from benchmarks._harness import Child, Row, Scaling, Sizes, background, micros, run_python, timed
from up42._messages import message, sample_body
from up42.receiving import sign
from up42.sandbox import DEFAULT_PASSWORD, DEFAULT_USERNAME
from up42.sandbox._store import Store, WebhookFields

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


LOG_SIZES = (100, 10_000, 100_000)
QUICK_LOG_SIZES = (20, 40, 100)
LOG_WEBHOOKS = 10
# A page as the dashboard shows it, as large as the smallest log.
PAGE = 100
# The deliveries of the one webhook whose page is read: the oldest of the log, so only an index finds them fast.
ONE_WEBHOOK = 10
# Far ahead: while the log is being written, the sandbox's scheduler leaves its deliveries alone.
LEASED = "2999-01-01T00:00:00.000000Z"
# One attempt of each new delivery, answered 200, with the headers a signed delivery carries.
_ATTEMPT_EACH = (
    "INSERT INTO attempts (delivery_id, attempt, url, headers, sent_at, status, error, duration_ms)"
    " SELECT id, 1, 'https://example.com/hook', ?, created_at, 200, NULL, 12 FROM deliveries WHERE state = 'pending'"
)
_DELIVERED = "UPDATE deliveries SET state = 'delivered', next_attempt_at = NULL WHERE state = 'pending'"


def _log(path: Path, size: int) -> str:
    """Write a sandbox database of ``size`` delivered deliveries, each with one attempt; the webhook to read.

    That webhook's `ONE_WEBHOOK` deliveries are the oldest of the log; the others go to the other webhooks in turn.
    The deliveries are written by the store's own insert, all in one transaction; their attempts and final state
    by two statements in a second one, instead of one transaction per attempt.
    """
    payload = message("order.status", sample_body("order.status"), live=True)
    body = json.dumps(payload)
    store = Store(path)
    try:
        workspace_id = store.workspace_of(DEFAULT_USERNAME)
        fields = WebhookFields("log", "https://example.com/hook", ["order.status"], active=True, secret=SECRET)
        first, *others = [store.create(workspace_id, fields) for _ in range(LOG_WEBHOOKS)]
        targets = [first] * ONE_WEBHOOK + [others[n % len(others)] for n in range(size - ONE_WEBHOOK)]
        store.open_deliveries(targets, payload, body, LEASED)
    finally:
        store.close()
    with sqlite3.connect(path) as db:
        db.execute(_ATTEMPT_EACH, (json.dumps(sign(body, SECRET)),))
        db.execute(_DELIVERED)
    db.close()
    return first.id


def _medians(reads: dict[Any, Callable[[], object]], rounds: int) -> dict[Any, float]:
    """Median milliseconds of each read, the reads alternated round by round after one warm-up of each."""
    times: dict[Any, list[float]] = {name: [] for name in reads}
    for read in reads.values():
        read()
    for _ in range(rounds):
        for name, read in reads.items():
            times[name].append(timed(read) * 1e3)
    return {name: statistics.median(figures) for name, figures in times.items()}


def _page(http: httpx.Client, path: str, rows: int | None = None, **params: str) -> Callable[[], object]:
    """A read of ``path`` that must answer 200 (with ``rows`` deliveries, for the API)."""

    def read() -> object:
        response = http.get(path, params=params)
        if response.status_code != 200:
            raise RuntimeError(f"GET {path} answered {response.status_code}: {response.text[:200]}")
        if rows is not None and len(response.json()["data"]) != rows:
            raise RuntimeError(f"GET {path} listed {len(response.json()['data'])} deliveries, not {rows}")
        return response

    return read


FIRST_PAGE = "API, first page"
ONE_WEBHOOKS_PAGE = "API, one webhook's page"
DASHBOARD = "dashboard"


def log_scaling(sizes: Sizes) -> list[Scaling]:
    """The cost of a page of the delivery log as the log grows, over the API and on the dashboard.

    Each size has its own database and sandbox process, all running at once, and the reads go to each in turn
    round by round, so that drift of the machine spreads evenly over the sizes.
    """
    log_sizes = QUICK_LOG_SIZES if sizes.quick else LOG_SIZES
    rounds = 3 * sizes.rounds
    with tempfile.TemporaryDirectory() as folder, contextlib.ExitStack() as running:
        reads: dict[tuple[str, int], Callable[[], object]] = {}
        for size in log_sizes:
            path = Path(folder) / f"log-{size}.sqlite"
            hook = _log(path, size)
            sandbox = running.enter_context(background("benchmarks._servers", "sandbox", str(path)))
            http = running.enter_context(httpx.Client(base_url=sandbox.url, trust_env=False, timeout=60))
            reads[FIRST_PAGE, size] = _page(http, "/sandbox/deliveries", min(size, PAGE), limit=str(PAGE))
            reads[ONE_WEBHOOKS_PAGE, size] = _page(http, "/sandbox/deliveries", ONE_WEBHOOK, webhookId=hook)
            reads[DASHBOARD, size] = _page(http, "/dashboard")
        medians = _medians(reads, rounds)
    figures = {name: tuple(medians[name, size] for size in log_sizes) for name in (FIRST_PAGE, ONE_WEBHOOKS_PAGE)}
    note = (
        f"median of {rounds} requests each, the sizes alternated; a first page holds {PAGE} deliveries, the "
        f"webhook's page its {ONE_WEBHOOK}, the oldest of the log; {LOG_WEBHOOKS} webhooks, one attempt each delivery"
    )
    return [
        Scaling(
            "sandbox-log",
            "Sandbox delivery log: one page over the API",
            "deliveries in the log",
            log_sizes,
            "ms",
            figures,
            flat=FIRST_PAGE,
            note=note,
        ),
        Scaling(
            "sandbox-dashboard",
            "Sandbox dashboard: the webhooks and the newest deliveries",
            "deliveries in the log",
            log_sizes,
            "ms",
            {DASHBOARD: tuple(medians[DASHBOARD, size] for size in log_sizes)},
            flat=DASHBOARD,
            note=note,
        ),
    ]


def rows(sizes: Sizes) -> list[Row | Scaling]:
    """Rows 6 and 7 against one sandbox, the memory figure against a fresh one, then the delivery log's scaling."""
    with background("benchmarks._servers", "sandbox") as sandbox:
        measured = [throughput(sandbox, sizes), deliveries(sandbox, sizes)]
    return [*measured, memory(sizes), *log_scaling(sizes)]
