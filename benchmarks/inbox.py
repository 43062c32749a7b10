"""Rows 10 and 11: durable receiving on SQLite, Redis and PostgreSQL. Row 10: deliveries acknowledged per second by
one receiver process with each inbox, against the same receiver without one. Row 11 and the "inbox-drain" scaling:
a backlog of 100,000 messages drained by 1, 2 and 4 worker processes with a trivial handler, on each inbox. The
"inbox-backlog" scaling: what one message costs one worker in a backlog of 1,000 and of 100,000.

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
import psycopg
import redis

from benchmarks._harness import ROOT, Child, Row, Scaling, Sizes, background
from tests.support.postgres_server import find_bindir, running_server
from up42.receiving import Inbox, InboxStatus, Receiver, open_inbox, sign
from up42.receiving.durable.backends import _postgres_inbox
from up42.receiving.durable.backends._postgres_inbox import PostgresInbox
from up42.receiving.durable.backends._redis_inbox import RedisInbox
from up42.receiving.durable.backends._sqlite_inbox import SQLiteInbox

SECRET = "bench-inbox-secret"  # noqa: S105 - a throwaway secret for signing test deliveries
SENDERS = 8
WORKER_COUNTS = (1, 2, 4)
BACKLOGS = (1_000, 100_000)  # the drains run on the largest; one worker drains each for the per-message cost
QUICK_BACKLOGS = (10, 40)
SMALL_ROUNDS = 3  # drains of the smallest backlog, which take seconds, per backend; the median is kept
FILL_BATCH = 1_000


def _message(message_id: str | None = None) -> bytes:
    return json.dumps(
        {
            "event": "order.status",
            "liveMode": True,
            "messageId": message_id or str(uuid.uuid4()),
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


def _fill(url: str, count: int) -> str:
    """Put ``count`` messages with the inbox's own `put`, batched; return the id of the last one."""
    ids = [str(uuid.uuid4()) for _ in range(count)]
    if url.startswith("redis"):
        # A RedisInbox on a pipeline queues its puts; each execute sends a batch in one round trip.
        client = redis.Redis.from_url(url)
        pipeline = client.pipeline(transaction=False)
        batch = RedisInbox(pipeline)
        for start in range(0, count, FILL_BATCH):
            for message_id in ids[start : start + FILL_BATCH]:
                batch.put(message_id, "order.status", _message(message_id))
            if not all(pipeline.execute()):
                raise RuntimeError("the Redis inbox already held one of the new message ids")
        client.close()
    elif url.startswith("postgresql"):
        # The inbox's own INSERT, FILL_BATCH rows a transaction, sent in one pipeline.
        inbox = open_inbox(url)
        assert isinstance(inbox, PostgresInbox)
        inbox.records(limit=1)  # the table made
        insert = inbox._sql(_postgres_inbox._PUT)
        with psycopg.connect(url, autocommit=True) as connection:
            for start in range(0, count, FILL_BATCH):
                rows = [
                    {"id": message_id, "event": "order.status", "body": _message(message_id)}
                    for message_id in ids[start : start + FILL_BATCH]
                ]
                with connection.transaction(), connection.cursor() as cursor:
                    cursor.executemany(insert, rows)
        inbox.close()
    else:
        inbox = SQLiteInbox(url.removeprefix("sqlite:///"))
        # One transaction per batch: one sync of the file for FILL_BATCH puts, not one each.
        for start in range(0, count, FILL_BATCH):
            inbox._db().execute("BEGIN")
            if not all(
                inbox.put(message_id, "order.status", _message(message_id))
                for message_id in ids[start : start + FILL_BATCH]
            ):
                raise RuntimeError("the SQLite inbox already held one of the new message ids")
            inbox._db().execute("COMMIT")
        inbox.close()
    return ids[-1]


def drained(name: str, url: str, workers: int, count: int) -> tuple[float, float]:
    """Messages per second that ``workers`` worker processes settle from a backlog of ``count``, and the seconds
    from the first one settled to the last: the workers' start-up (imports) is not counted.
    """
    last = _fill(url, count)
    inbox = open_inbox(url)
    env = {**os.environ, "UP42_BENCH_SECRET": SECRET, "UP42_BENCH_INBOX": url}
    command = [sys.executable, "-m", "up42", "worker", "benchmarks._inbox_hooks:receiver", "--concurrency", "4"]
    processes = [
        subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.DEVNULL)  # noqa: S603 - our own command
        for _ in range(workers)
    ]
    try:
        allowed = 120 + count / 20
        deadline = time.monotonic() + allowed
        # The last message put is among the last taken. Until it is done, only it is read, so the reads do not
        # slow the drain; listing every message (all done by then but the last few) waits for it.
        while not _done(inbox, last) or len(done := inbox.records(InboxStatus.DONE)) < count:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{name}: the backlog of {count:,} messages was not done after {allowed:,.0f} s")
            if any(process.poll() is not None for process in processes):
                raise RuntimeError(f"{name}: a worker process exited while the backlog drained")
            time.sleep(0.2)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(30)
    settled = [record.updated_at for record in done]
    inbox.prune(0)
    inbox.close()
    seconds = max(settled) - min(settled)
    return (count - 1) / max(seconds, 1e-9), seconds


def _done(inbox: Inbox, message_id: str) -> bool:
    record = inbox.get(message_id)
    return record is not None and record.status is InboxStatus.DONE


def drains(name: str, url: str, sizes: Sizes) -> tuple[dict[int, tuple[float, float]], tuple[float, ...]]:
    """The largest backlog drained by each count of workers (messages/s, seconds), and the microseconds one
    message costs one worker in each backlog (the median of SMALL_ROUNDS drains for all but the largest).
    """
    backlogs = QUICK_BACKLOGS if sizes.quick else BACKLOGS
    rounds = 1 if sizes.quick else SMALL_ROUNDS
    costs = [
        1e6 / statistics.median(drained(name, url, 1, backlog)[0] for _ in range(rounds)) for backlog in backlogs[:-1]
    ]
    largest = {workers: drained(name, url, workers, backlogs[-1]) for workers in WORKER_COUNTS}
    return largest, (*costs, 1e6 / largest[1][0])


def scaling(name: str, rates: dict[int, float], backlog: int) -> list[Row]:
    """Row 11: 1, 2 and 4 workers on one inbox; each ratio is against one worker in the same run."""
    return [
        Row(
            f"11{name[0]}-{workers}",
            f"messages processed/s by {workers} worker process(es), {name} inbox, trivial handler",
            f"{rates[workers]:,.0f} /s",
            f"{rates[1]:,.0f} /s",
            rates[workers] / rates[1],
            note=f"baseline: one worker process on the same inbox; 4 handlers at once per worker; a backlog of "
            f"{backlog:,} messages put before the workers start"
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


@contextlib.contextmanager
def postgres_server() -> Iterator[str | None]:
    """A private PostgreSQL cluster with the server's usual durability: every commit on disk before it returns."""
    if find_bindir() is None:
        yield None
        return
    with running_server(settings=("max_connections=300",)) as server:
        yield server.url


def rows(sizes: Sizes) -> list[Row | Scaling]:
    """Rows 10s, 10r, 10p, 11s-N, 11r-N and 11p-N, and the scalings "inbox-drain" and "inbox-backlog"."""
    measured: list[Row | Scaling] = []
    drain: dict[str, dict[int, tuple[float, float]]] = {}
    costs: dict[str, tuple[float, ...]] = {}
    backlogs = QUICK_BACKLOGS if sizes.quick else BACKLOGS
    with tempfile.TemporaryDirectory() as folder:
        backends = {"sqlite": f"sqlite:///{folder}/inbox.db"}
        with redis_server(Path(folder)) as redis_url, postgres_server() as postgres_url:
            if redis_url is None:
                measured.append(Row("10r", "redis inbox", "not measured", "-", note="redis-server is not installed"))
            else:
                backends["redis"] = redis_url
            if postgres_url is None:
                measured.append(Row("10p", "postgres inbox", "not measured", "-", note="PostgreSQL is not installed"))
            else:
                backends["postgres"] = postgres_url
            for name, url in backends.items():
                measured.append(acknowledged(name, url, sizes))
                drain[name], costs[name] = drains(name, url, sizes)
                measured.extend(
                    scaling(name, {workers: rate for workers, (rate, _) in drain[name].items()}, backlogs[-1])
                )
    labels = {"sqlite": "SQLite", "redis": "Redis", "postgres": "PostgreSQL"}
    seconds = "; ".join(
        f"{labels[name]} " + ", ".join(f"{drain[name][workers][1]:,.1f} s" for workers in WORKER_COUNTS)
        for name in drain
    )
    measured.append(
        Scaling(
            "inbox-drain",
            f"Draining a backlog of {backlogs[-1]:,} messages by worker processes (4 handlers each, trivial handler)",
            "worker processes",
            WORKER_COUNTS,
            "messages/s",
            {labels[name]: tuple(drain[name][workers][0] for workers in WORKER_COUNTS) for name in drain},
            higher_is_better=True,
            note=f"Seconds from the first message settled to the last, by 1, 2 and 4 workers: {seconds}.",
        )
    )
    # The verdict judges the backend whose cost grew the most, so it holds for all.
    growth = {labels[name]: figures[-1] / min(figures) for name, figures in costs.items()}
    measured.append(
        Scaling(
            "inbox-backlog",
            "What one message costs one worker process, by the size of the backlog it drains",
            "messages in the backlog",
            backlogs,
            "us per message",
            {labels[name]: figures for name, figures in costs.items()},
            flat=max(growth, key=lambda label: growth[label]),
            note="The line judged is the backend whose cost grew the most; "
            + ", ".join(f"{label} {value:.2f}x" for label, value in growth.items())
            + ".",
        )
    )
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
