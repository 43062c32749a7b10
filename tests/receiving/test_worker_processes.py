"""`up42 worker` as a real process over a real SQLite file, redis-server or PostgreSQL, against handlers that
misbehave: one that ends its process, one that hangs in a thread, a coroutine that ignores cancellation, a coroutine
that blocks the event loop, an event nobody handles."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.deliveries import SECRET, message
from tests.support.postgres_server import PostgresServer
from tests.support.redis_server import RedisServer, connected
from tests.support.waiting import WAIT, eventually
from up42.receiving import InboxRecord, InboxStatus, open_inbox

STOP_SECONDS = 10
"""How soon a worker must exit after SIGTERM or SIGINT, whatever its handlers do."""

HOOKS = """
import asyncio, os, pathlib, time
from up42.receiving import Receiver

receiver = Receiver(os.environ["HOOK_SECRET"], inbox=os.environ["HOOK_INBOX"])
folder = pathlib.Path(os.environ["HOOK_DIR"])

def note(what, event):
    with open(folder / "runs.log", "a") as log:
        log.write(f"{os.getpid()} {what} {event.message_id}\\n")

@receiver.on("order.status")
def plain(event):
    note("start", event)
    if event.body.order_id == "exit":
        os._exit(3)
    if event.body.order_id == "hang":
        time.sleep(3600)
    note("done", event)

@receiver.on("job.status")
async def stubborn(event):
    note("start", event)
    if event.body.raw.get("jobId") == "block":
        time.sleep(3600)  # never awaits: the event loop runs nothing else, and cancelling it does nothing
    while True:
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            note("ignored-cancel", event)
"""


class Workers:
    """`up42 worker hooks:receiver` processes over one inbox, each logging to a file of its own; killed at the end."""

    def __init__(self, folder: Path, inbox: str) -> None:
        self.folder = folder
        self.inbox = inbox
        (folder / "hooks.py").write_text(HOOKS)
        self.env = {**os.environ, "HOOK_SECRET": SECRET, "HOOK_INBOX": inbox, "HOOK_DIR": str(folder)}
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self, *options: str) -> subprocess.Popen[bytes]:
        command = [sys.executable, "-m", "up42", "worker", "hooks:receiver", "--app-dir", str(self.folder), *options]
        with self.log_path(len(self.processes)).open("wb") as log:
            process = subprocess.Popen(command, env=self.env, cwd=self.folder, stdout=log, stderr=subprocess.STDOUT)
        self.processes.append(process)
        return process

    def log_path(self, number: int) -> Path:
        return self.folder / f"worker-{number}.log"

    def log(self, process: subprocess.Popen[bytes]) -> str:
        return self.log_path(self.processes.index(process)).read_text()

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.kill()
                process.wait(WAIT)

    def put(self, content: dict[str, Any]) -> str:
        inbox = open_inbox(self.inbox)
        try:
            assert inbox.put(content["messageId"], content["event"], json.dumps(content).encode())
        finally:
            inbox.close()
        return str(content["messageId"])

    def record(self, message_id: str) -> InboxRecord:
        inbox = open_inbox(self.inbox)
        try:
            record = inbox.get(message_id)
        finally:
            inbox.close()
        assert record is not None
        return record

    def runs(self, message_id: str, what: str = "start") -> list[int]:
        """The pids that logged `what` for the message, in order."""
        path = self.folder / "runs.log"
        lines = [line.split() for line in (path.read_text().splitlines() if path.exists() else [])]
        return [int(pid) for pid, done, found in lines if (done, found) == (what, message_id)]

    def up42(self, *args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "up42", *args]
        return subprocess.run(command, env=self.env, cwd=self.folder, capture_output=True, text=True, timeout=WAIT)


def order(order_id: str) -> dict[str, Any]:
    return message(body={**message()["body"], "orderId": order_id})


def job(job_id: str) -> dict[str, Any]:
    return message("job.status", body={"status": "RUNNING", "jobId": job_id})


@pytest.fixture(params=["sqlite", "redis", "postgres"])
def workers(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Workers]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path}/inbox.db"
    elif request.param == "postgres":
        postgres: PostgresServer = request.getfixturevalue("postgres_server")
        url = postgres.create_database()
    else:
        server: RedisServer = request.getfixturevalue("redis_server")
        with connected(server.url) as client:
            client.flushdb()
        url = server.url
    running = Workers(tmp_path, url)
    yield running
    running.stop()


def test_a_message_that_kills_its_worker_ends_failed_after_max_attempts(workers: Workers) -> None:
    message_id = workers.put(order("exit"))
    for _ in range(4):
        worker = workers.start("--max-attempts", "2", "--lease", "1")
        eventually(
            lambda worker=worker: worker.poll() is not None or workers.record(message_id).status is InboxStatus.FAILED,
            "the worker dies in the handler or fails the message",
        )
        if worker.poll() is None:
            break
        assert worker.returncode == 3, workers.log(worker)
    record = workers.record(message_id)
    assert (record.status, record.attempts) == (InboxStatus.FAILED, 2), workers.log(worker)
    assert record.error is not None
    assert "died while running this message (attempt 2 of 2)" in record.error
    assert len(workers.runs(message_id)) == 2
    eventually(lambda: f"message {message_id} failed after 2 attempt(s)" in workers.log(worker), "it is logged")
    worker.terminate()
    assert worker.wait(STOP_SECONDS) == 0


def test_a_hung_handler_fails_its_attempt_after_the_timeout(workers: Workers) -> None:
    hung = workers.put(order("hang"))
    stubborn = workers.put(message("job.status"))
    worker = workers.start("--timeout", "1", "--max-attempts", "2", "--backoff", "0.1", "--concurrency", "4")
    for message_id in (hung, stubborn):
        eventually(lambda m=message_id: workers.record(m).status is InboxStatus.FAILED, "the attempts time out")
        record = workers.record(message_id)
        assert record.attempts == 2
        assert record.error is not None
        assert "timed out after 1 s" in record.error
        # A thread may start late on a busy machine, and log its start after its attempt timed out.
        eventually(lambda m=message_id: len(workers.runs(m)) >= 2, "both attempts have started")
        assert len(workers.runs(message_id)) == 2
    assert len(workers.runs(stubborn, "ignored-cancel")) >= 1
    # Two threads still sleep and two coroutines still ignore their cancellation: the worker exits all the same.
    worker.terminate()
    assert worker.wait(STOP_SECONDS) == 0, workers.log(worker)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_puts_running_messages_back_and_ends_the_worker_whatever_its_handlers_do(
    workers: Workers, signum: signal.Signals
) -> None:
    hung = workers.put(order("hang"))
    stubborn = workers.put(message("job.status"))
    # Taken last, so it blocks the event loop once the other two have started.
    blocked = workers.put(job("block"))
    messages = (hung, stubborn, blocked)
    # A lease that outlasts the test: the messages are free again only if the worker releases them.
    worker = workers.start("--lease", "600", "--concurrency", "3")
    eventually(lambda: all(workers.runs(m) for m in messages), "the three handlers run")
    assert {workers.record(m).status for m in messages} == {InboxStatus.RUNNING}
    worker.send_signal(signum)
    assert worker.wait(STOP_SECONDS) == 0, workers.log(worker)
    for message_id in messages:
        record = workers.record(message_id)
        # The withdrawn attempt is not counted: the message did nothing wrong.
        assert (record.status, record.attempts) == (InboxStatus.PENDING, 0)
    inbox = open_inbox(workers.inbox)
    try:
        taken = inbox.take("next", 30, 5, 5)
    finally:
        inbox.close()
    assert sorted(t.message_id for t in taken) == sorted(messages)


def test_a_coroutine_blocking_the_event_loop_keeps_its_lease_and_a_signal_still_ends_the_worker(
    workers: Workers,
) -> None:
    blocked = workers.put(job("block"))
    lease = 5
    first = workers.start("--lease", str(lease))
    eventually(lambda: bool(workers.runs(blocked)), "the handler blocks the event loop")
    second = workers.start("--lease", str(lease))
    eventually(lambda: "started on" in workers.log(second), "the second worker looks for messages")
    # Three leases pass while the second worker polls: unrenewed, the lease would run out and it would take the
    # message and run it again. Renewed every third of a lease, it survives a renewal that comes late under load.
    time.sleep(3 * lease)
    assert second.poll() is None, workers.log(second)
    assert workers.runs(blocked) == [first.pid], workers.log(second)
    record = workers.record(blocked)
    assert (record.status, record.attempts) == (InboxStatus.RUNNING, 1)
    second.kill()
    second.wait(WAIT)
    first.terminate()
    assert first.wait(STOP_SECONDS) == 0, workers.log(first)
    record = workers.record(blocked)
    assert (record.status, record.attempts) == (InboxStatus.PENDING, 0), workers.log(first)
    assert "gives 1 running message(s) back to pending" in workers.log(first)


def test_a_coroutine_blocking_the_event_loop_past_the_timeout_fails_its_attempt_and_ends_the_worker(
    workers: Workers,
) -> None:
    blocked = workers.put(job("block"))
    options = ("--timeout", "1", "--max-attempts", "2", "--backoff", "0.1")
    for attempt, status in ((1, InboxStatus.PENDING), (2, InboxStatus.FAILED)):
        worker = workers.start(*options)
        eventually(lambda worker=worker: worker.poll() is not None, "the worker ends its process")
        assert worker.returncode == 1, workers.log(worker)
        record = workers.record(blocked)
        assert (record.status, record.attempts) == (status, attempt), workers.log(worker)
        assert record.error is not None
        assert "TimeoutError: handler stubborn timed out after 1 s" in record.error
        assert "blocked the event loop" in workers.log(worker)
    assert len(workers.runs(blocked)) == 2


def test_a_message_no_handler_listens_for_is_logged_and_shown(workers: Workers) -> None:
    message_id = workers.put(message("catalog.updated"))
    worker = workers.start()
    eventually(lambda: workers.record(message_id).status is InboxStatus.DONE, "the worker settles it")
    worker.terminate()
    assert worker.wait(STOP_SECONDS) == 0
    assert f"no handler for catalog.updated events, message {message_id}" in workers.log(worker)
    shown = workers.up42("inbox", "show", message_id, "--inbox", workers.inbox)
    assert shown.returncode == 0, shown.stderr
    assert "note        no handler for catalog.updated events: done without running anything" in shown.stdout
    as_json = json.loads(workers.up42("inbox", "show", message_id, "--json", "--inbox", workers.inbox).stdout)
    assert as_json["note"].startswith("no handler for catalog.updated events")


def test_a_retention_shorter_than_the_receivers_window_is_refused(workers: Workers) -> None:
    refused = workers.up42("worker", "hooks:receiver", "--retention", "3600")
    assert refused.returncode == 1
    assert refused.stdout == ""
    [line] = refused.stderr.splitlines()
    assert line.startswith("error: retention must be at least 86700 s")
