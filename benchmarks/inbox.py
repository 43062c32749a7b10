"""Rows 10 and 11: durable receiving. Row 10: deliveries acknowledged per second by one receiver process with each
inbox, against the same receiver without one. Row 11: messages processed per second by 1, 2 and 4 worker
processes with a trivial handler, on each inbox.

``python -m benchmarks.inbox SECRET [INBOX_URL]`` serves the receiver of row 10 in its own process (it prints its
port and stops when its standard input closes).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx

from benchmarks._harness import ROOT, Child, Row, Sizes, background
from up42.receiving import InboxStatus, Receiver, open_inbox, sign

SECRET = "bench-inbox-secret"  # noqa: S105 - a throwaway secret for signing test deliveries
SENDERS = 8
WORKER_COUNTS = (1, 2, 4)


def _message() -> bytes:
    return json.dumps(
        {
            "event": "order.status",
            "liveMode": True,
            "messageId": str(uuid.uuid4()),
            "timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "body": {
                "orderId": "o-1",
                "orderType": "ARCHIVE",
                "dataHostName": "x",
                "status": "FULFILLED",
                "statusIsFinal": True,
            },
        }
    ).encode()


async def _acknowledge(receiver: Child, count: int) -> float:
    """Deliveries per second answered 2xx, from SENDERS concurrent senders."""
    deliveries = [(body, sign(body, SECRET)) for body in (_message() for _ in range(count))]

    async def sender(http: httpx.AsyncClient) -> None:
        while deliveries:
            body, headers = deliveries.pop()
            response = await http.post("/", content=body, headers=headers)
            if response.status_code != 200:
                raise RuntimeError(f"the receiver answered {response.status_code}: {response.text}")

    async with httpx.AsyncClient(base_url=receiver.url, trust_env=False, timeout=60) as http:
        started = time.perf_counter()
        await asyncio.gather(*(sender(http) for _ in range(SENDERS)))
        return count / (time.perf_counter() - started)


def acknowledged(name: str, url: str, sizes: Sizes) -> Row:
    """Row 10: the receiver with the inbox at ``url`` against the same receiver without an inbox."""
    count = sizes.deliveries
    ours: list[float] = []
    theirs: list[float] = []
    with background("benchmarks.inbox", SECRET) as plain, background("benchmarks.inbox", SECRET, url) as stored:
        asyncio.run(_acknowledge(plain, max(1, count // 10)))
        asyncio.run(_acknowledge(stored, max(1, count // 10)))
        for _ in range(max(1, sizes.rounds // 2)):
            theirs.append(asyncio.run(_acknowledge(plain, count)))
            ours.append(asyncio.run(_acknowledge(stored, count)))
    sdk, baseline = statistics.median(ours), statistics.median(theirs)
    return Row(
        f"10{name[0]}",
        f"deliveries acknowledged/s, one receiver process, {name} inbox",
        f"{sdk:,.0f} /s",
        f"{baseline:,.0f} /s",
        sdk / baseline,
        0.5,
        higher_is_better=True,
        note=f"baseline: the same Receiver without an inbox (its handler runs in the request); {SENDERS} senders, "
        f"{count:,} deliveries per round",
    )


def processed(name: str, url: str, workers: int, count: int) -> float:
    """Messages per second that ``workers`` worker processes settle, from the first to the last one done."""
    inbox = open_inbox(url)
    for _ in range(count):
        body = _message()
        inbox.put(json.loads(body)["messageId"], "order.status", body)
    env = {**os.environ, "UP42_BENCH_SECRET": SECRET, "UP42_BENCH_INBOX": url}
    command = [sys.executable, "-m", "up42", "worker", "benchmarks._inbox_hooks:receiver", "--concurrency", "4"]
    processes = [
        subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.DEVNULL)  # noqa: S603 - our own command
        for _ in range(workers)
    ]
    try:
        deadline = time.monotonic() + 300
        while len(done := inbox.records(InboxStatus.DONE)) < count:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{name}: {len(done)} of {count} messages done after 300 s")
            time.sleep(0.1)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(30)
    settled = [record.updated_at for record in done]
    inbox.prune(0)
    inbox.close()
    # From the first message settled, so the workers' start-up (imports) is not counted.
    return (count - 1) / max(max(settled) - min(settled), 1e-9)


def scaling(name: str, url: str, sizes: Sizes) -> list[Row]:
    """Row 11: 1, 2 and 4 workers on one inbox; each ratio is against one worker in the same run."""
    count = max(20, sizes.deliveries * 2)
    rates = {workers: processed(name, url, workers, count) for workers in WORKER_COUNTS}
    return [
        Row(
            f"11{name[0]}-{workers}",
            f"messages processed/s by {workers} worker process(es), {name} inbox, trivial handler",
            f"{rates[workers]:,.0f} /s",
            f"{rates[1]:,.0f} /s",
            rates[workers] / rates[1],
            note="baseline: one worker process on the same inbox; 4 handlers at once per worker"
            if workers == 1
            else "",
        )
        for workers in WORKER_COUNTS
    ]


@contextlib.contextmanager
def redis_server(folder: Path) -> Iterator[str | None]:
    """A private redis-server with an append-only file synced every second (Redis's usual setting)."""
    executable = shutil.which("redis-server")
    if executable is None:
        yield None
        return
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [executable, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(folder)]
    server = subprocess.Popen(  # noqa: S603 - the redis-server found on PATH
        [*command, "--appendonly", "yes", "--appendfsync", "everysec"], stdout=subprocess.DEVNULL
    )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                open_inbox(url).records(limit=1)
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield url
    finally:
        server.terminate()
        server.wait(10)


def rows(sizes: Sizes) -> list[Row]:
    """Rows 10s, 10r, 11s-N and 11r-N."""
    measured: list[Row] = []
    with tempfile.TemporaryDirectory() as folder:
        backends = {"sqlite": f"sqlite:///{folder}/inbox.db"}
        with redis_server(Path(folder)) as redis_url:
            if redis_url is None:
                measured.append(Row("10r", "redis inbox", "not measured", "-", note="redis-server is not installed"))
            else:
                backends["redis"] = redis_url
            for name, url in backends.items():
                measured.append(acknowledged(name, url, sizes))
                measured.extend(scaling(name, url, sizes))
    return measured


def serve(secret: str, url: str | None) -> None:
    """Serve a Receiver with one trivial handler, with the inbox at ``url`` or none."""
    from up42._server import Server, bind

    receiver = Receiver(secret, inbox=url)
    receiver.on("order.status")(lambda event: None)
    server = Server(receiver.asgi_app(), bind("127.0.0.1", 0))
    server.start()
    print(server.url.rsplit(":", 1)[1], flush=True)
    sys.stdin.read()
    server.stop()


if __name__ == "__main__":
    serve(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None)
