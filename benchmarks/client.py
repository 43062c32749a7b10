"""Rows 1-3 and the RSS of row 2: the SDK's clients against raw httpx, both talking to the canned server."""

from __future__ import annotations

import asyncio
import datetime
import json
import sys
from typing import Any

import httpx

import up42
from benchmarks._canned import TOKEN, WEBHOOK_ID, WORKSPACE
from benchmarks._harness import Row, Sizes, background, compare, micros, run_python

ONE = f"/workspaces/{WORKSPACE}/webhooks/{WEBHOOK_ID}"
LIST = f"/workspaces/{WORKSPACE}/webhooks"
USERNAME = "bench@example.com"
PASSWORD = "bench-password"  # noqa: S105 - the canned server accepts anything
# The SDK's default; httpx's own 5 s pool timeout is too short for 500 requests queued on 100 connections.
TIMEOUT = httpx.Timeout(30.0, connect=10.0)


def raw_client(url: str) -> httpx.Client:
    """What a user would write without the SDK: one keep-alive client with the token in its headers."""
    return httpx.Client(base_url=url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=TIMEOUT)


def sdk_client(url: str) -> up42.Client:
    """An authenticated SDK client (token and workspace fetched before timing starts)."""
    client = up42.Client(USERNAME, PASSWORD, base_url=url)
    client.authenticate()
    return client


def get_one(sizes: Sizes, url: str) -> Row:
    """Row 1: one webhook by id, ``sizes.calls`` times per round, sync, one keep-alive connection."""
    with sdk_client(url) as client, raw_client(url) as raw:

        def sdk() -> None:
            for _ in range(sizes.calls):
                client.initialize_webhook(WEBHOOK_ID)

        def baseline() -> None:
            for _ in range(sizes.calls):
                json.loads(raw.get(ONE).content)

        ours, theirs = compare(sdk, baseline, sizes.rounds)
    return Row(
        "1",
        f"initialize_webhook(id), sync, keep-alive, {sizes.calls:,} calls",
        micros(ours / sizes.calls) + "/call",
        micros(theirs / sizes.calls) + "/call",
        ours / theirs,
        1.25,
        note="baseline: httpx.Client.get + json.loads",
    )


def get_list(sizes: Sizes, url: str) -> Row:
    """Row 2: the list of ``sizes.webhooks`` webhooks into `Webhook` objects."""
    with sdk_client(url) as client, raw_client(url) as raw:

        def sdk() -> None:
            for _ in range(sizes.list_calls):
                client.get_webhooks()

        def baseline() -> None:
            for _ in range(sizes.list_calls):
                json.loads(raw.get(LIST).content)

        ours, theirs = compare(sdk, baseline, sizes.rounds)
    return Row(
        "2",
        f"get_webhooks() of {sizes.webhooks:,} webhooks into Webhook objects",
        micros(ours / sizes.list_calls) + "/call",
        micros(theirs / sizes.list_calls) + "/call",
        ours / theirs,
        2.0,
        note="baseline: httpx.Client.get + json.loads",
    )


def read_list(sizes: Sizes, url: str) -> Row:
    """Row 2b: row 2, then reading three fields of every webhook, so the models are built after all."""
    with sdk_client(url) as client, raw_client(url) as raw:

        def sdk() -> None:
            for _ in range(sizes.list_calls):
                [(hook.name, hook.events, hook.created_at) for hook in client.get_webhooks()]

        def baseline() -> None:
            for _ in range(sizes.list_calls):
                hooks = json.loads(raw.get(LIST).content)["data"]
                [(hook["name"], hook["events"], datetime.datetime.fromisoformat(hook["createdAt"])) for hook in hooks]

        ours, theirs = compare(sdk, baseline, sizes.rounds)
    return Row(
        "2b",
        f"row 2, then name, events and created_at of all {sizes.webhooks:,}",
        micros(ours / sizes.list_calls) + "/call",
        micros(theirs / sizes.list_calls) + "/call",
        ours / theirs,
        note="baseline: httpx.Client.get + json.loads, the three fields read from the dicts (the date parsed)",
    )


def get_concurrently(sizes: Sizes, url: str) -> Row:
    """Row 3: ``sizes.concurrent`` concurrent gets with `AsyncClient` against raw `httpx.AsyncClient`."""
    loop = asyncio.new_event_loop()

    async def setup() -> tuple[up42.AsyncClient, httpx.AsyncClient]:
        client = up42.AsyncClient(USERNAME, PASSWORD, base_url=url)
        await client.authenticate()
        raw = httpx.AsyncClient(base_url=url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=TIMEOUT)
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
        f"AsyncClient.initialize_webhook, {sizes.concurrent} concurrent",
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


def rows(sizes: Sizes) -> list[Row]:
    """Rows 1-3 (with 2b) and the RSS of row 2 against one canned server."""
    with background("benchmarks._canned", str(sizes.webhooks)) as server:
        url = server.url
        return [
            get_one(sizes, url),
            get_list(sizes, url),
            read_list(sizes, url),
            get_concurrently(sizes, url),
            list_rss(sizes, url),
        ]
