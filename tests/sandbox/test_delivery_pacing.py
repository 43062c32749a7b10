"""How the sandbox paces deliveries, against real slow receivers on loopback: a deadline on each whole attempt, one
attempt of a message at a time (retries and resends included), and a bounded number of attempts in flight, the
rest waiting their turn instead of failing for want of a connection."""

from __future__ import annotations

import asyncio
import select
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

import up42
from tests.support.loopback import NOTHING_LISTENS, LoopbackServer, QuietHandler
from tests.support.waiting import wait_for
from up42._messages import sample_body
from up42.receiving import parse
from up42.sandbox import RetryPolicy, Sandbox
from up42.sandbox._delivery import PARALLEL_ATTEMPTS, Deliverer
from up42.sandbox._store import Store, WebhookFields

HEAD = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
# Between two bytes of a slow answer: well under any read timeout here, so only a deadline on the whole attempt
# ends it. HEAD then takes 9.5 s, longer than the lease of an attempt with a 1 s timeout (6 s).
PAUSE = 0.25


def _closed_by_peer(connection: socket.socket) -> bool:
    # The sandbox sends nothing after its request, so anything to read is its end of the connection.
    try:
        return bool(select.select([connection], [], [], 0)[0]) and connection.recv(1, socket.MSG_PEEK) == b""
    except OSError:
        return True


class Receivers(LoopbackServer):
    """Records each delivery as it arrives, any that arrived while another of the same message was in flight, and
    each one answered 2xx in full. The first ``slow`` requests are answered a byte each ``pause``, the rest at once."""

    request_queue_size = 4 * PARALLEL_ATTEMPTS  # every attempt in flight can be connecting at the same moment

    def __init__(self, slow: int, pause: float = PAUSE) -> None:
        self.slow = slow
        self.pause = pause
        self.lock = threading.Lock()
        self.arrived = 0
        self.overlaps = 0
        self.in_flight: dict[tuple[str, str], list[socket.socket]] = {}
        self.answered: list[tuple[str, str]] = []
        super().__init__(SlowHandler)


class SlowHandler(QuietHandler):
    server: Receivers

    def do_POST(self) -> None:
        self.close_connection = True
        body = self.rfile.read(int(self.headers["Content-Length"]))
        key = (self.path, parse(body).message_id)  # one delivery: a message to one webhook's URL
        with self.server.lock:
            self.server.arrived += 1
            slow = self.server.arrived <= self.server.slow
            earlier = self.server.in_flight.setdefault(key, [])
            # An earlier request the sandbox already gave up on is over, even if its thread has not noticed yet.
            if any(not _closed_by_peer(connection) for connection in earlier):
                self.server.overlaps += 1
            earlier.append(self.connection)
        try:
            if self._answer(slow):
                with self.server.lock:
                    self.server.answered.append(key)
        finally:
            with self.server.lock:
                self.server.in_flight[key].remove(self.connection)

    def _answer(self, slow: bool) -> bool:
        try:
            if not slow:
                self.wfile.write(HEAD)
                return True
            for byte in HEAD:
                if self.server.stopping.is_set() or select.select([self.connection], [], [], self.server.pause)[0]:
                    return False  # the sandbox gave up on this attempt
                self.wfile.write(bytes([byte]))
        except OSError:
            return False
        return True


def _client(sandbox: Sandbox) -> up42.Client:
    return up42.Client(sandbox.username, sandbox.password, base_url=sandbox.url)


def _deliveries(sandbox: Sandbox) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = httpx.get(f"{sandbox.url}/sandbox/deliveries").json()["data"]
    return found


def _delivery(sandbox: Sandbox, delivery_id: str) -> dict[str, Any]:
    found: dict[str, Any] = httpx.get(f"{sandbox.url}/sandbox/deliveries/{delivery_id}").json()["data"]
    return found


def test_a_slow_receiver_gets_one_attempt_at_a_time_each_ended_by_the_deadline() -> None:
    receiver = Receivers(slow=10**9)
    policy = RetryPolicy(attempts=3, first_delay=0.5, factor=1.0, timeout=1.0)
    try:
        with Sandbox(retry=policy) as sandbox, _client(sandbox) as client:
            hook = client.create_webhook("slow", f"{receiver.url}/hook", ["order.status"], active=True)
            # Its retries keep the scheduler busy while the slow attempt is in flight.
            client.create_webhook("nowhere", f"{NOTHING_LISTENS}/hook", ["order.status"], active=True)
            deliveries = sandbox.trigger("order.status")["deliveries"]
            (first,) = [delivery for delivery in deliveries if delivery["webhookId"] == hook.id]
            wait_for(lambda: receiver.overlaps or _delivery(sandbox, first["id"])["state"] != "pending", 60)
            delivery = _delivery(sandbox, first["id"])
    finally:
        receiver.stop()
    assert receiver.overlaps == 0
    assert receiver.arrived == 3
    assert (delivery["state"], delivery["attempt"]) == ("failed", 3)
    assert [attempt["error"] for attempt in delivery["attempts"]] == ["the receiver did not answer within 1 s"] * 3


def test_a_resend_waits_for_the_attempt_in_flight() -> None:
    receiver = Receivers(slow=10**9)
    try:
        with (
            Sandbox(retry=RetryPolicy(attempts=1, timeout=3.0)) as sandbox,
            _client(sandbox) as client,
            ThreadPoolExecutor(1) as background,
        ):
            client.create_webhook("slow", f"{receiver.url}/hook", ["order.status"], active=True)
            triggered = background.submit(sandbox.trigger, "order.status")
            wait_for(lambda: receiver.arrived == 1)
            (pending,) = _deliveries(sandbox)
            assert pending["state"] == "pending"  # its first attempt is in flight
            resent = httpx.post(f"{sandbox.url}/sandbox/deliveries/{pending['id']}/resend", timeout=60)
            triggered.result(timeout=60)
    finally:
        receiver.stop()
    assert receiver.overlaps == 0
    assert receiver.arrived == 2
    attempts = resent.json()["data"]["attempts"]
    assert [(attempt["attempt"], attempt["error"]) for attempt in attempts] == [
        (1, "the receiver did not answer within 3 s"),
        (2, "the receiver did not answer within 3 s"),
    ]


def test_a_burst_beyond_the_parallel_attempts_waits_its_turn_and_nothing_is_answered_twice() -> None:
    # The first attempts in flight meet a slow answer and hold every slot until their deadline; the rest queue.
    # The queued attempts go as a hundred others end at once, all in this process: under load their exchange took
    # seconds, so the deadline leaves it ample time. A byte a second keeps each slow answer well within the read
    # timeout and leaves the receivers' threads mostly asleep: trickling faster, they took that time too.
    receiver = Receivers(slow=PARALLEL_ATTEMPTS, pause=1.0)
    hooks = PARALLEL_ATTEMPTS + 50
    try:
        with Sandbox(retry=RetryPolicy(attempts=1, timeout=10.0)) as sandbox, _client(sandbox) as client:
            for number in range(hooks):
                client.create_webhook(f"hook {number}", f"{receiver.url}/{number}", ["order.status"], active=True)
            result = sandbox.trigger("order.status")
            deliveries = _deliveries(sandbox)
    finally:
        receiver.stop()
    errors = Counter(delivery["error"] for delivery in result["deliveries"])
    assert errors == {"the receiver did not answer within 10 s": PARALLEL_ATTEMPTS, None: 50}
    assert Counter(delivery["state"] for delivery in deliveries) == {"failed": PARALLEL_ATTEMPTS, "delivered": 50}
    assert receiver.overlaps == 0
    assert len(receiver.answered) == len(set(receiver.answered)) == 50
    assert receiver.arrived == hooks


async def _until(condition: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


@pytest.mark.parametrize("leaving", ["as its attempts start", "mid-attempt"])
async def test_a_trigger_whose_request_is_cancelled_leaves_its_delivery_retried_and_resendable(
    leaving: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Cancelled as when its client leaves: before the attempts it opened have started, or while the receiver still
    # holds the first one. Either way the delivery is free for the scheduler and for a resend.
    receiver = Receivers(slow=1 if leaving == "mid-attempt" else 0)
    store = Store()
    fields = WebhookFields("hook", f"{receiver.url}/hook", ["order.status"], active=True, secret=None)
    hook = store.create(store.workspace_of("me@example.com"), fields)
    deliverer = Deliverer(store, RetryPolicy(attempts=3, timeout=1.0), own_port=0)
    opening = deliverer._open

    async def open_then_leave(*args: Any) -> Any:
        opened = await opening(*args)
        task = asyncio.current_task()
        assert task is not None
        task.cancel()  # takes effect at the request's next await: its attempts are made but not yet started
        return opened

    if leaving == "as its attempts start":
        monkeypatch.setattr(deliverer, "_open", open_then_leave)
    deliverer.start()
    try:
        request = asyncio.create_task(deliverer.publish("order.status", sample_body("order.status"), [hook]))
        if leaving == "mid-attempt":
            await _until(lambda: receiver.arrived == 1, 60)
            request.cancel()
        with pytest.raises(asyncio.CancelledError):
            await request
        (delivery,) = store.deliveries()
        # Pending, and leased for the attempt that did not end: the scheduler retries it once the lease is over.
        await _until(lambda: store.deliveries()[0].state == "delivered", 60)
        resent = await asyncio.wait_for(deliverer.resend(delivery.id), 60)
    finally:
        await deliverer.aclose()
        store.close()
        receiver.stop()
    assert (resent.state, [attempt.status for attempt in resent.attempts]) == ("delivered", [200, 200])
    assert len(receiver.answered) == 2
    assert receiver.overlaps == 0
