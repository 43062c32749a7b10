"""Claims with leases: no message is lost when a run is cancelled, interrupted, overlapped or its holder dies."""

from __future__ import annotations

import asyncio
import datetime
import logging
import threading
import time
from collections.abc import MutableMapping
from typing import Any

import httpx
import pytest

from tests.support.deliveries import SECRET, delivery, message
from up42.errors import InvalidArgumentError
from up42.receiving import (
    DEFAULT_MAX_AGE,
    DEFAULT_TOLERANCE,
    DEFAULT_TTL,
    ClaimState,
    InMemoryDedupeStore,
    MessageTooOldError,
    OutcomeKind,
    Receiver,
    WebhookEvent,
)

LEASE = 0.3
"""Short, so that the tests that wait for a lease to run out stay fast."""


class Gate:
    """Lets a test hold a handler mid-run: `entered` is set once it runs, and it returns once `opened` is set."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.opened = threading.Event()

    def wait_inside(self) -> None:
        self.entered.set()
        assert self.opened.wait(10), "the test never opened the gate"


def _counting(receiver: Receiver) -> list[str]:
    runs: list[str] = []
    receiver.on_any(lambda event: runs.append(event.message_id))
    return runs


async def test_a_coroutine_handler_cancelled_mid_run_leaves_the_message_to_the_retry() -> None:
    receiver, runs, entered = Receiver(SECRET), [], asyncio.Event()

    @receiver.on("order.status")
    async def slow(event: WebhookEvent) -> None:
        runs.append(event.message_id)
        if len(runs) == 1:
            entered.set()
            await asyncio.sleep(10)

    content = message()
    # Cancelled once the handler runs, as a timeout (asyncio.wait_for's, a server's) cancels it: not after a fixed
    # time, which a busy machine may spend before the handler has even started.
    first = asyncio.ensure_future(receiver.handle_async(*delivery(content)))
    await asyncio.wait_for(entered.wait(), timeout=30)
    first.cancel()
    with pytest.raises(asyncio.CancelledError):
        await first
    retried = await receiver.handle_async(*delivery(content))
    assert retried.kind is OutcomeKind.HANDLED
    assert runs == [content["messageId"]] * 2


async def test_a_sync_handler_still_running_after_a_cancel_keeps_its_claim_until_it_returns() -> None:
    receiver, gate, runs = Receiver(SECRET), Gate(), []

    @receiver.on("order.status")
    def blocking(event: WebhookEvent) -> None:
        runs.append(event.message_id)
        if len(runs) == 1:
            gate.wait_inside()

    content = message()
    first = asyncio.ensure_future(receiver.handle_async(*delivery(content)))
    await asyncio.to_thread(gate.entered.wait, 10)
    first.cancel()
    with pytest.raises(asyncio.CancelledError):
        await first
    # The worker thread cannot be stopped: running the message beside it would run it twice at once.
    assert (await receiver.handle_async(*delivery(content))).kind is OutcomeKind.IN_PROGRESS
    gate.opened.set()
    retried = await _eventually(receiver, content, OutcomeKind.HANDLED)
    assert retried.kind is OutcomeKind.HANDLED
    assert runs == [content["messageId"]] * 2


async def _eventually(receiver: Receiver, content: dict[str, Any], kind: OutcomeKind) -> Any:
    # The cancelled run settles its claim from its worker thread, a moment after the handler returns.
    deadline = time.monotonic() + 5
    while (outcome := await receiver.handle_async(*delivery(content))).kind is not kind:
        assert time.monotonic() < deadline, f"still {outcome.kind} after 5 s"
        await asyncio.sleep(0.01)
    return outcome


class SlowStore(InMemoryDedupeStore):
    """A store whose first claim waits at a gate, like a network store answering slowly."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = Gate()

    def claim(self, message_id: str, owner: str, lease: float) -> ClaimState:
        if not self.gate.entered.is_set():
            self.gate.wait_inside()
        return super().claim(message_id, owner, lease)


async def test_a_run_cancelled_while_claiming_releases_the_claim_once_it_is_granted() -> None:
    store = SlowStore()
    # A lease far longer than the test may wait: only a release frees the message in time.
    receiver = Receiver(SECRET, dedupe=store, lease=600)
    runs = _counting(receiver)
    content = message()
    first = asyncio.ensure_future(receiver.handle_async(*delivery(content)))
    await asyncio.to_thread(store.gate.entered.wait, 10)
    first.cancel()
    with pytest.raises(asyncio.CancelledError):
        await first
    # The store grants the claim only now, to a run that is gone.
    store.gate.opened.set()
    assert (await _eventually(receiver, content, OutcomeKind.HANDLED)).kind is OutcomeKind.HANDLED
    assert runs == [content["messageId"]]


@pytest.mark.parametrize("interrupt", [KeyboardInterrupt, SystemExit])
def test_an_interrupt_in_a_sync_handler_releases_the_message_and_propagates(interrupt: type[BaseException]) -> None:
    receiver, runs = Receiver(SECRET), []

    @receiver.on("order.status")
    def interrupted(event: WebhookEvent) -> None:
        runs.append(event.message_id)
        if len(runs) == 1:
            raise interrupt

    content = message()
    with pytest.raises(interrupt):
        receiver.handle(*delivery(content))
    assert receiver.handle(*delivery(content)).kind is OutcomeKind.HANDLED


def test_a_redelivery_during_the_first_run_is_asked_to_retry_and_handled_after_that_run_fails() -> None:
    receiver, gate, runs = Receiver(SECRET, lease=LEASE), Gate(), []

    @receiver.on("order.status")
    def fails_first(event: WebhookEvent) -> None:
        runs.append(event.message_id)
        if len(runs) == 1:
            gate.wait_inside()
            raise ConnectionError("database down")

    content = message()
    outcomes: list[Any] = []
    first = threading.Thread(target=lambda: outcomes.append(receiver.handle(*delivery(content))))
    first.start()
    assert gate.entered.wait(10)
    during = receiver.handle(*delivery(content))
    assert (during.kind, during.status_code, during.ok) == (OutcomeKind.IN_PROGRESS, 503, False)
    assert during.headers == {"Retry-After": "1"}
    assert during.detail == "this message is being handled; retry later"
    gate.opened.set()
    first.join(10)
    assert outcomes[0].kind is OutcomeKind.HANDLER_FAILED
    assert receiver.handle(*delivery(content)).kind is OutcomeKind.HANDLED
    assert receiver.handle(*delivery(content)).kind is OutcomeKind.DUPLICATE
    assert runs == [content["messageId"]] * 2


def test_a_long_handler_keeps_its_lease_alive() -> None:
    receiver, gate = Receiver(SECRET, lease=LEASE), Gate()
    runs = _counting(receiver)
    receiver.on_any(lambda event: gate.wait_inside())
    content = message()
    first = threading.Thread(target=receiver.handle, args=delivery(content))
    first.start()
    assert gate.entered.wait(10)
    time.sleep(LEASE * 3)  # three leases: the claim would have run out twice without renewal
    assert receiver.handle(*delivery(content)).kind is OutcomeKind.IN_PROGRESS
    gate.opened.set()
    first.join(10)
    assert receiver.handle(*delivery(content)).kind is OutcomeKind.DUPLICATE
    assert runs == [content["messageId"]]


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_claim_whose_holder_died_is_taken_again_after_its_lease() -> None:
    clock = Clock()
    store = InMemoryDedupeStore(clock=clock)
    receiver = Receiver(SECRET, dedupe=store, lease=LEASE)
    runs = _counting(receiver)
    content = message()
    # What a process killed mid-run leaves behind: a claim nobody renews or releases.
    assert store.claim(content["messageId"], "killed-process", 30) is ClaimState.CLAIMED
    clock.now += 29.9
    assert receiver.handle(*delivery(content)).kind is OutcomeKind.IN_PROGRESS
    clock.now += 0.1
    assert receiver.handle(*delivery(content)).kind is OutcomeKind.HANDLED
    assert store.renew(content["messageId"], "killed-process", 30) is False
    assert runs == [content["messageId"]]


def test_a_holder_that_lost_its_lease_says_so(caplog: pytest.LogCaptureFixture) -> None:
    clock = Clock()
    store = InMemoryDedupeStore(clock=clock)
    receiver, gate = Receiver(SECRET, dedupe=store, lease=LEASE), Gate()
    receiver.on_any(lambda event: gate.wait_inside())
    content = message()
    first = threading.Thread(target=receiver.handle, args=delivery(content))
    with caplog.at_level(logging.WARNING, logger="up42"):
        first.start()
        assert gate.entered.wait(10)
        clock.now += 60  # the process stalled past its lease, so the next renewal finds the claim gone
        deadline = time.monotonic() + 5
        while "ran out" not in caplog.text:
            assert time.monotonic() < deadline, "no warning about the lost claim"
            time.sleep(0.01)
        gate.opened.set()
        first.join(10)
    assert content["messageId"] in caplog.text


class ForgetfulStore(InMemoryDedupeStore):
    """A store that cannot mark a message done."""

    def complete(self, message_id: str) -> None:
        raise ConnectionError("redis went away")


def test_a_store_failing_to_complete_still_reports_the_handled_message(caplog: pytest.LogCaptureFixture) -> None:
    receiver = Receiver(SECRET, dedupe=ForgetfulStore())
    _counting(receiver)
    with caplog.at_level(logging.ERROR, logger="up42"):
        assert receiver.handle(*delivery()).kind is OutcomeKind.HANDLED
    assert "could not complete the claim" in caplog.text


class PartialStore:
    """A store with two of the four methods."""

    def claim(self, message_id: str) -> bool:
        return True

    def release(self, message_id: str) -> None:
        pass


def test_a_store_lacking_methods_is_refused_by_name() -> None:
    with pytest.raises(InvalidArgumentError, match="lacks renew, complete") as error:
        Receiver(SECRET, dedupe=PartialStore())  # type: ignore[arg-type]
    assert "claim(message_id, owner, lease)" in str(error.value)
    assert str(error.value).endswith("release(message_id, owner) (see up42.receiving.DedupeStore)")


def test_a_store_that_forgets_sooner_than_max_age_plus_tolerance_is_refused() -> None:
    with pytest.raises(InvalidArgumentError, match="less than max_age \\+ tolerance"):
        Receiver(SECRET, dedupe=InMemoryDedupeStore(ttl=3600))
    # A timestamp may lie `tolerance` ahead, so max_age alone is not enough memory.
    with pytest.raises(InvalidArgumentError, match="less than max_age \\+ tolerance"):
        Receiver(SECRET, dedupe=InMemoryDedupeStore(ttl=3600), max_age=3600)
    assert Receiver(SECRET, dedupe=InMemoryDedupeStore(ttl=3600), max_age=3300, tolerance=300)


def test_the_default_stores_remember_at_least_max_age_plus_tolerance() -> None:
    receiver = Receiver(SECRET, max_age=3 * 86400)
    assert receiver._renewer is not None
    assert receiver._renewer.store.ttl == 3 * 86400 + DEFAULT_TOLERANCE  # type: ignore[attr-defined]
    # The defaults fit together: a store made with its own default TTL is accepted by a default Receiver.
    assert DEFAULT_TTL >= DEFAULT_MAX_AGE + DEFAULT_TOLERANCE
    assert Receiver(SECRET, dedupe=InMemoryDedupeStore())


def _aged(hours: float) -> dict[str, Any]:
    sent = datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=hours)
    return message(timestamp=sent.strftime("%Y-%m-%dT%H:%M:%S.%fZ"))


def test_the_receiver_refuses_a_message_older_than_max_age_and_remembers_the_younger_ones() -> None:
    receiver = Receiver(SECRET, max_age=2 * 3600)
    runs = _counting(receiver)
    young = _aged(1.9)
    assert receiver.handle(*delivery(young)).kind is OutcomeKind.HANDLED
    # A replay with a fresh `created` inside the window is a duplicate; outside it, the signature check refuses it.
    assert receiver.handle(*delivery(young)).kind is OutcomeKind.DUPLICATE
    too_old = receiver.handle(*delivery(_aged(2.1)))
    assert too_old.kind is OutcomeKind.BAD_SIGNATURE
    assert isinstance(too_old.error, MessageTooOldError)
    assert runs == [young["messageId"]]


@pytest.mark.parametrize("kwargs", [{"lease": 0}, {"lease": -1}, {"lease": float("inf")}, {"max_age": -1}])
def test_unusable_leases_and_ages_are_refused(kwargs: dict[str, Any]) -> None:
    with pytest.raises(InvalidArgumentError):
        Receiver(SECRET, **kwargs)


# --- over HTTP --------------------------------------------------------------------------------------------------

URL = "http://receiver.test/webhooks/up42"


async def test_a_request_cancelled_by_the_server_leaves_the_message_to_the_retry() -> None:
    receiver, entered = Receiver(SECRET), asyncio.Event()

    @receiver.on("order.status")
    async def slow(event: WebhookEvent) -> None:
        if not entered.is_set():
            entered.set()
            await asyncio.sleep(10)

    app = receiver.asgi_app()
    content = message()
    body, headers = delivery(content)
    requests = iter([{"type": "http.request", "body": body}])

    async def receive() -> MutableMapping[str, Any]:
        return next(requests)

    async def send(event: MutableMapping[str, Any]) -> None:
        raise AssertionError("a cancelled request is not answered")

    scope = {"type": "http", "method": "POST", "headers": [(k.encode(), v.encode()) for k, v in headers.items()]}
    # What a server does when its client goes away mid-request: cancel the application's task.
    task = asyncio.ensure_future(app(scope, receive, send))
    await entered.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as http:
        retried = await http.post(URL, content=body, headers=headers)
    assert (retried.status_code, retried.json()["outcome"]) == (200, "handled")


async def test_a_message_in_progress_is_answered_503_with_retry_after() -> None:
    receiver, entered, release = Receiver(SECRET, lease=12.5), asyncio.Event(), asyncio.Event()

    @receiver.on("order.status")
    async def slow(event: WebhookEvent) -> None:
        entered.set()
        await release.wait()

    content = message()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=receiver.asgi_app())) as http:
        body, headers = delivery(content)
        first = asyncio.ensure_future(http.post(URL, content=body, headers=headers))
        await entered.wait()
        during = await http.post(URL, content=body, headers=headers)
        release.set()
        assert (await first).status_code == 200
    assert (during.status_code, during.headers["retry-after"], during.json()["outcome"]) == (503, "13", "in_progress")
