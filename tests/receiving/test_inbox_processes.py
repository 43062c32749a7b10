"""Durable receiving with every part a real process: two uvicorn receivers, two `up42 worker`s, a real SQLite
file, a real redis-server or a real PostgreSQL. Workers are killed with SIGKILL mid-handler, Redis and PostgreSQL
are stopped and started again."""

from __future__ import annotations

import collections
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.deliveries import SECRET, message
from tests.support.loopback import free_port
from tests.support.postgres_server import PostgresServer
from tests.support.redis_server import RedisServer
from tests.support.waiting import WAIT, eventually
from up42.receiving import InboxRecord, InboxStatus, open_inbox, sign

LEASE = "1"

# The user's module, as `up42 worker hooks:receiver` and `uvicorn hooks:app` import it. Every run of the
# handler leaves a line in the log; the order id says how to behave.
HOOKS = """
import os, pathlib, time
from up42.receiving import Receiver

receiver = Receiver(os.environ["HOOK_SECRET"], inbox=os.environ["HOOK_INBOX"])
app = receiver.asgi_app()
folder = pathlib.Path(os.environ["HOOK_DIR"])

def note(what, event):
    with open(folder / "runs.log", "a") as log:
        log.write(f"{os.getpid()} {what} {event.message_id}\\n")

@receiver.on("order.status")
def order_changed(event):
    note("start", event)
    order = event.body.order_id
    if order == "hang-once" and not (folder / "hung").exists():
        (folder / "hung").touch()
        time.sleep(120)
    if order == "fail" and not (folder / "fixed").exists():
        raise RuntimeError("the archive is not there yet")
    note("done", event)
"""


class System:
    """Two receivers and two workers over one inbox; the processes are stopped at the end."""

    def __init__(self, folder: Path, inbox: str) -> None:
        self.folder = folder
        self.inbox = inbox
        (folder / "hooks.py").write_text(HOOKS)
        self.env = {**os.environ, "HOOK_SECRET": SECRET, "HOOK_INBOX": inbox, "HOOK_DIR": str(folder)}
        self.receivers: list[str] = []
        self.processes: list[subprocess.Popen[bytes]] = []
        self.workers: list[subprocess.Popen[bytes]] = []

    def start(self) -> None:
        for _ in range(2):
            port = free_port()
            command = [sys.executable, "-m", "uvicorn", "hooks:app", "--app-dir", str(self.folder)]
            self._spawn([*command, "--port", str(port), "--log-level", "warning"])
            self.receivers.append(f"http://127.0.0.1:{port}")
            _wait_for_port(port)
        for _ in range(2):
            self.start_worker()

    def start_worker(self) -> None:
        command = [sys.executable, "-m", "up42", "worker", "hooks:receiver", "--app-dir", str(self.folder)]
        options = ["--lease", LEASE, "--concurrency", "2", "--backoff", "0.1", "--max-attempts", "2"]
        log = self.folder / f"process-{len(self.processes)}.log"
        self.workers.append(self._spawn([*command, *options]))
        # Up before anything may stop it: a SIGTERM that comes while it still imports ends it without its handlers.
        eventually(lambda: " started on " in log.read_text(), "the worker has started")

    def _spawn(self, command: list[str]) -> subprocess.Popen[bytes]:
        with (self.folder / f"process-{len(self.processes)}.log").open("wb") as log:
            process = subprocess.Popen(command, env=self.env, cwd=self.folder, stdout=log, stderr=subprocess.STDOUT)
        self.processes.append(process)
        return process

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(WAIT)
            except subprocess.TimeoutExpired:
                process.kill()

    def send(self, content: dict[str, Any], receiver: int = 0) -> httpx.Response:
        body = json.dumps(content).encode()
        return httpx.post(self.receivers[receiver], content=body, headers=sign(body, SECRET), timeout=WAIT)

    def worker_logs(self) -> list[str]:
        """What each worker process has logged so far."""
        paths = [self.folder / f"process-{self.processes.index(worker)}.log" for worker in self.workers]
        return [path.read_text() for path in paths]

    def runs(self) -> list[tuple[int, str, str]]:
        path = self.folder / "runs.log"
        lines = path.read_text().splitlines() if path.exists() else []
        return [(int(pid), what, message_id) for pid, what, message_id in (line.split() for line in lines)]

    def record(self, message_id: str) -> InboxRecord | None:
        inbox = open_inbox(self.inbox)
        try:
            return inbox.get(message_id)
        finally:
            inbox.close()

    def status(self, message_id: str) -> InboxStatus | None:
        record = self.record(message_id)
        return None if record is None else record.status

    def up42(self, *args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "up42", "inbox", *args, "--inbox", self.inbox]
        return subprocess.run(command, env=self.env, capture_output=True, text=True, timeout=WAIT, check=False)


def _wait_for_port(port: int) -> None:
    deadline = time.monotonic() + WAIT
    while True:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        assert time.monotonic() < deadline, f"nothing listens on port {port}"
        time.sleep(0.05)


@pytest.fixture(scope="module", params=["sqlite", "redis", "postgres"])
def system(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[System]:
    folder = tmp_path_factory.mktemp(f"durable-{request.param}")
    if request.param == "sqlite":
        url = f"sqlite:///{folder}/inbox.db"
    elif request.param == "redis":
        url = request.getfixturevalue("redis_server").url
    else:
        url = request.getfixturevalue("postgres_server").create_database()
    running = System(folder, url)
    running.start()
    yield running
    running.stop()
    for worker in running.workers:
        # SIGTERM let the surviving workers finish and exit cleanly; the killed one died by SIGKILL.
        assert worker.returncode in (0, -signal.SIGKILL), (running.folder / "process-2.log").read_text()


def test_the_same_message_sent_to_both_receivers_runs_once(system: System) -> None:
    contents = [message() for _ in range(20)]
    for n, content in enumerate(contents):
        answers = [system.send(content, n % 2).json()["outcome"], system.send(content, 1 - n % 2).json()["outcome"]]
        assert answers == ["queued", "duplicate"]
    ids = {content["messageId"] for content in contents}
    eventually(lambda: all(system.status(message_id) is InboxStatus.DONE for message_id in ids), "all are done")
    runs = system.runs()
    started = collections.Counter(message_id for _, what, message_id in runs if what == "start")
    done = collections.Counter(message_id for _, what, message_id in runs if what == "done")
    # Every run is a lease the inbox counted for its one stored copy: the second send added none. A handler runs
    # again only when its worker could not renew the lease in time (at least once; a starved worker on a loaded
    # machine), and then the inbox counted that attempt too.
    attempts = {message_id: record.attempts for message_id in ids if (record := system.record(message_id))}
    assert {message_id: started[message_id] for message_id in ids} == attempts
    assert all(done[message_id] >= 1 for message_id in ids)


def test_a_worker_killed_inside_a_handler_loses_nothing(system: System) -> None:
    content = message(body={**message()["body"], "orderId": "hang-once"})
    assert system.send(content).status_code == 200
    message_id = content["messageId"]
    eventually(lambda: any(m == message_id for _, _, m in system.runs()), "a worker runs the handler")
    [holder] = [pid for pid, what, m in system.runs() if m == message_id]
    os.kill(holder, signal.SIGKILL)
    eventually(lambda: system.status(message_id) is InboxStatus.DONE, "another worker takes it after the lease")
    runs = [(pid, what) for pid, what, m in system.runs() if m == message_id]
    assert runs[0] == (holder, "start")
    assert [what for pid, what in runs if pid != holder] == ["start", "done"]
    assert system.up42("show", message_id).stdout.splitlines()[3].split() == ["attempts", "2"]
    system.start_worker()  # back to two workers for the next test


def test_a_failing_handler_ends_failed_with_its_error_and_runs_again_after_replay(system: System) -> None:
    content = message(body={**message()["body"], "orderId": "fail"})
    message_id = content["messageId"]
    assert system.send(content, 1).status_code == 200
    eventually(lambda: system.status(message_id) is InboxStatus.FAILED, "it fails after two attempts")
    listed = json.loads(system.up42("list", "--status", "failed", "--json").stdout)
    assert [(row["messageId"], row["attempts"]) for row in listed] == [(message_id, 2)]
    assert listed[0]["error"] == "RuntimeError: the archive is not there yet"
    (system.folder / "fixed").touch()
    replayed = system.up42("replay", "--failed")
    assert (replayed.returncode, replayed.stdout) == (0, f"{message_id}: failed -> pending\n")
    eventually(lambda: system.status(message_id) is InboxStatus.DONE, "the replay runs")
    assert [what for _, what, m in system.runs() if m == message_id] == ["start", "start", "start", "done"]
    unknown = system.up42("replay", "no-such-message")
    assert (unknown.returncode, unknown.stderr) == (1, "error: no message no-such-message in the inbox\n")


def test_the_server_stopped_means_503_and_nothing_acknowledged_is_missing_after_it_returns(
    system: System, request: pytest.FixtureRequest
) -> None:
    if system.inbox.startswith("sqlite"):
        return  # an outage of a server: the SQLite inbox has none
    server: RedisServer | PostgresServer = request.getfixturevalue(
        "redis_server" if system.inbox.startswith("redis") else "postgres_server"
    )
    acknowledged: list[str] = []
    refused: list[int] = []

    def send_some(count: int) -> None:
        for n in range(count):
            content = message()
            response = system.send(content, n % 2)
            if response.status_code == 200:
                acknowledged.append(content["messageId"])
            else:
                refused.append(response.status_code)

    send_some(5)
    before = system.worker_logs()
    server.stop()
    send_some(4)
    assert refused == [503] * 4
    server.start()
    send_some(5)
    assert len(acknowledged) == 10
    eventually(lambda: all(system.status(m) is InboxStatus.DONE for m in acknowledged), "every 2xx is done")
    # The workers said it in a line each at most, without a traceback for each failed attempt.
    for old, new in zip(before, system.worker_logs(), strict=True):
        during = new[len(old) :]
        assert during.count("could not take messages") <= 1, during
        assert "Traceback" not in during, during
