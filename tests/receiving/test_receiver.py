"""The Receiver: dispatch, fallback, duplicates, handler failures, sync and async handlers, the in-memory store."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from typing import Any

import pytest

from tests.support.deliveries import SECRET, delivery, message
from up42.errors import InvalidArgumentError
from up42.receiving import (
    ClaimState,
    InMemoryDedupeStore,
    Outcome,
    OutcomeKind,
    Receiver,
    SignatureMismatchError,
    WebhookEvent,
    sign,
)


class Recorder:
    """Handlers that remember what they saw."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []

    def handler(self, name: str) -> Any:
        def record(event: WebhookEvent) -> None:
            self.seen.append((name, event.message_id))

        record.__qualname__ = name
        return record


def test_dispatch_runs_the_handlers_of_the_event_in_order() -> None:
    receiver, recorder = Receiver(SECRET), Recorder()
    receiver.on("order.status")(recorder.handler("first"))
    receiver.on("order.status")(recorder.handler("second"))
    receiver.on("job.status")(recorder.handler("jobs"))
    receiver.on_any(recorder.handler("fallback"))
    content = message()
    outcome = receiver.handle(*delivery(content))
    assert outcome.kind is OutcomeKind.HANDLED
    assert outcome.status_code == 200
    assert outcome.ok
    assert outcome.handlers == ("first", "second")
    assert recorder.seen == [("first", content["messageId"]), ("second", content["messageId"])]
    assert outcome.event is not None and outcome.event.message_id == content["messageId"]


def test_events_without_their_own_handler_go_to_the_fallback() -> None:
    receiver, recorder = Receiver(SECRET), Recorder()
    receiver.on("order.status")(recorder.handler("orders"))
    receiver.on_any(recorder.handler("fallback"))
    job, unknown = message("job.status"), message("archive.ready", body={"x": 1})
    assert receiver.handle(*delivery(job)).handlers == ("fallback",)
    assert receiver.handle(*delivery(unknown)).handlers == ("fallback",)
    assert recorder.seen == [("fallback", job["messageId"]), ("fallback", unknown["messageId"])]


def test_an_event_with_no_handler_at_all_is_acknowledged_as_ignored() -> None:
    receiver = Receiver(SECRET)
    outcome = receiver.handle(*delivery())
    assert outcome.kind is OutcomeKind.IGNORED
    assert outcome.status_code == 200


def test_a_redelivered_message_is_handled_once() -> None:
    receiver, recorder = Receiver(SECRET), Recorder()
    receiver.on("order.status")(recorder.handler("orders"))
    content = message()
    first, again = receiver.handle(*delivery(content)), receiver.handle(*delivery(content))
    assert (first.kind, again.kind) == (OutcomeKind.HANDLED, OutcomeKind.DUPLICATE)
    assert again.status_code == 200
    assert again.detail == "duplicate"
    assert recorder.seen == [("orders", content["messageId"])]


@pytest.mark.parametrize("dedupe", [False, None])
def test_without_dedupe_every_delivery_is_handled(dedupe: bool | None) -> None:
    receiver, recorder = Receiver(SECRET, dedupe=dedupe), Recorder()
    receiver.on("order.status")(recorder.handler("orders"))
    content = message()
    receiver.handle(*delivery(content))
    receiver.handle(*delivery(content))
    assert len(recorder.seen) == 2


def test_a_failing_handler_gives_500_stops_the_chain_and_lets_the_retry_run(caplog: pytest.LogCaptureFixture) -> None:
    receiver, recorder = Receiver(SECRET), Recorder()
    attempts: list[str] = []

    @receiver.on("order.status")
    def flaky(event: WebhookEvent) -> None:
        attempts.append(event.message_id)
        if len(attempts) == 1:
            raise ConnectionError(f"database down while storing with {SECRET[:3]}")

    receiver.on("order.status")(recorder.handler("after"))
    content = message()
    with caplog.at_level(logging.ERROR, logger="up42"):
        failed = receiver.handle(*delivery(content))
    assert failed.kind is OutcomeKind.HANDLER_FAILED
    assert failed.status_code == 500
    assert not failed.ok
    assert isinstance(failed.error, ConnectionError)
    assert "database down" not in failed.detail
    assert recorder.seen == []
    assert "flaky" in caplog.text and content["messageId"] in caplog.text
    retried = receiver.handle(*delivery(content))
    assert retried.kind is OutcomeKind.HANDLED
    assert recorder.seen == [("after", content["messageId"])]


@pytest.mark.parametrize(
    ("change", "kind", "status"),
    [
        ({"Signature": "up42-sig=AAAA"}, OutcomeKind.BAD_SIGNATURE, 401),
        ({"Signature-Input": "nonsense(("}, OutcomeKind.MALFORMED, 400),
    ],
)
def test_refused_deliveries_map_to_4xx_and_run_nothing(change: dict[str, str], kind: OutcomeKind, status: int) -> None:
    receiver, recorder = Receiver(SECRET), Recorder()
    receiver.on_any(recorder.handler("any"))
    body, headers = delivery()
    outcome = receiver.handle(body, headers | change)
    assert (outcome.kind, outcome.status_code, outcome.event) == (kind, status, None)
    assert outcome.detail == str(outcome.error)
    assert recorder.seen == []


def test_a_wrong_secret_is_a_bad_signature_with_the_reason() -> None:
    outcome = Receiver("another-secret").handle(*delivery())
    assert isinstance(outcome.error, SignatureMismatchError)
    assert "does not match the secret" in outcome.detail


def test_an_authentic_body_that_is_not_a_message_is_malformed() -> None:
    body = b'{"event": "order.status"}'
    outcome = Receiver(SECRET).handle(body, sign(body, SECRET))
    assert outcome.kind is OutcomeKind.MALFORMED
    assert "liveMode" in outcome.detail


def test_rotation_through_the_receiver() -> None:
    receiver = Receiver(["new-secret", SECRET])
    assert receiver.handle(*delivery()).ok
    assert receiver.handle(*delivery(secret="new-secret")).ok
    assert not receiver.handle(*delivery(secret="retired")).ok


def test_an_async_handler_runs_from_the_sync_handle() -> None:
    receiver, seen = Receiver(SECRET), []

    @receiver.on("order.status")
    async def store(event: WebhookEvent) -> None:
        await asyncio.sleep(0)
        seen.append(event.message_id)

    content = message()
    assert receiver.handle(*delivery(content)).kind is OutcomeKind.HANDLED
    assert seen == [content["messageId"]]


async def test_handle_async_runs_sync_handlers_in_a_worker_thread_and_awaits_coroutines() -> None:
    receiver, threads = Receiver(SECRET), []

    @receiver.on("order.status")
    def blocking(event: WebhookEvent) -> None:
        threads.append(threading.current_thread())

    @receiver.on("order.status")
    async def awaiting(event: WebhookEvent) -> None:
        threads.append(threading.current_thread())

    outcome = await receiver.handle_async(*delivery())
    assert outcome.handlers == (
        "test_handle_async_runs_sync_handlers_in_a_worker_thread_and_awaits_coroutines.<locals>.blocking",
        "test_handle_async_runs_sync_handlers_in_a_worker_thread_and_awaits_coroutines.<locals>.awaiting",
    )
    assert threads[0] is not threading.main_thread()
    assert threads[1] is threading.main_thread()


async def test_handle_async_reports_a_failing_coroutine_and_releases_the_message() -> None:
    receiver = Receiver(SECRET)
    failures = iter([True, False])

    @receiver.on("order.status")
    async def sometimes(event: WebhookEvent) -> None:
        if next(failures):
            raise RuntimeError("boom")

    content = message()
    assert (await receiver.handle_async(*delivery(content))).kind is OutcomeKind.HANDLER_FAILED
    assert (await receiver.handle_async(*delivery(content))).kind is OutcomeKind.HANDLED
    assert (await receiver.handle_async(*delivery(content))).kind is OutcomeKind.DUPLICATE


async def test_sync_handle_inside_a_running_loop_refuses_an_async_handler_clearly() -> None:
    receiver = Receiver(SECRET)

    @receiver.on("order.status")
    async def store(event: WebhookEvent) -> None:
        pass

    outcome = receiver.handle(*delivery())
    assert outcome.kind is OutcomeKind.HANDLER_FAILED
    assert "use handle_async" in str(outcome.error)


class BrokenStore:
    """A store whose backend is down."""

    def claim(self, message_id: str, owner: str, lease: float) -> ClaimState:
        raise ConnectionError("redis unreachable")

    def renew(self, message_id: str, owner: str, lease: float) -> bool:
        raise ConnectionError("redis unreachable")

    def complete(self, message_id: str) -> None:
        raise ConnectionError("redis unreachable")

    def release(self, message_id: str, owner: str) -> None:
        raise ConnectionError("redis unreachable")


def test_a_failing_store_gives_503_and_runs_no_handler() -> None:
    receiver, recorder = Receiver(SECRET, dedupe=BrokenStore()), Recorder()
    receiver.on_any(recorder.handler("any"))
    outcome = receiver.handle(*delivery())
    assert (outcome.kind, outcome.status_code) == (OutcomeKind.STORE_FAILED, 503)
    assert recorder.seen == []


def test_the_receiver_repr_never_shows_the_secret() -> None:
    receiver = Receiver(SECRET)
    receiver.on("order.status")(Recorder().handler("x"))
    assert SECRET not in repr(receiver)
    assert "order.status" in repr(receiver)


@pytest.mark.parametrize("kwargs", [{"secret": ""}, {"secret": []}, {"secret": SECRET, "tolerance": -5}])
def test_unusable_configuration_is_refused_at_construction(kwargs: dict[str, Any]) -> None:
    with pytest.raises(InvalidArgumentError):
        Receiver(**kwargs)


def test_an_empty_secret_is_called_empty() -> None:
    with pytest.raises(InvalidArgumentError, match=r"^the secret is empty; .* up42\.receiving\.parse$"):
        Receiver("")
    with pytest.raises(InvalidArgumentError, match="^one of the secrets is empty$"):
        Receiver([SECRET, ""])


def test_an_empty_event_name_is_refused() -> None:
    with pytest.raises(InvalidArgumentError):
        Receiver(SECRET).on("")


def test_an_event_name_the_sdk_does_not_know_is_registered_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    receiver, recorder = Receiver(SECRET), Recorder()
    with caplog.at_level(logging.WARNING, logger="up42"):
        receiver.on("order.typo")(recorder.handler("typo"))
    (record,) = caplog.records
    assert record.levelno == logging.WARNING
    assert "'order.typo'" in record.getMessage()
    assert "order.status" in record.getMessage()  # what the SDK knows, to spot the misspelling
    # An event newer than the SDK is still handled: the warning only points at a likely typo.
    content = message("order.typo", body={"x": 1})
    assert receiver.handle(*delivery(content)).handlers == ("typo",)


def test_known_event_names_register_quietly(caplog: pytest.LogCaptureFixture) -> None:
    receiver, recorder = Receiver(SECRET), Recorder()
    with caplog.at_level(logging.DEBUG, logger="up42"):
        receiver.on("order.status")(recorder.handler("orders"))
        receiver.on("job.status")(recorder.handler("jobs"))
    assert caplog.records == []


def test_the_outcome_detail_and_status_of_each_kind() -> None:
    expected = {
        OutcomeKind.HANDLED: (200, "handled"),
        OutcomeKind.IGNORED: (200, "ignored"),
        OutcomeKind.DUPLICATE: (200, "duplicate"),
        OutcomeKind.HANDLER_FAILED: (500, "a handler failed; retry later"),
        OutcomeKind.STORE_FAILED: (503, "the de-duplication store is unavailable; retry later"),
    }
    for kind, (status, detail) in expected.items():
        outcome = Outcome(kind, error=RuntimeError("internal detail"))
        assert (outcome.status_code, outcome.detail) == (status, detail)


# --- the in-memory store ---------------------------------------------------------------------------------------


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_in_memory_store_forgets_a_done_message_after_the_ttl() -> None:
    clock = Clock()
    store = InMemoryDedupeStore(ttl=60, clock=clock)
    assert store.claim("m-1", "a", 5) is ClaimState.CLAIMED
    store.complete("m-1")
    clock.now += 59.9
    assert store.claim("m-1", "b", 5) is ClaimState.DONE
    clock.now += 0.1
    assert store.claim("m-1", "b", 5) is ClaimState.CLAIMED


def test_in_memory_store_drops_the_oldest_beyond_max_entries() -> None:
    store = InMemoryDedupeStore(max_entries=2)
    for message_id in ("a", "b", "c"):
        assert store.claim(message_id, "x", 5) is ClaimState.CLAIMED
    assert len(store) == 2
    assert store.claim("a", "y", 5) is ClaimState.CLAIMED
    assert store.claim("c", "y", 5) is ClaimState.IN_PROGRESS


def test_in_memory_store_release_by_the_owner_allows_a_new_claim() -> None:
    store = InMemoryDedupeStore()
    store.claim("a", "owner", 5)
    store.release("a", "someone-else")
    assert store.claim("a", "owner-2", 5) is ClaimState.IN_PROGRESS
    store.release("a", "owner")
    store.release("never-claimed", "owner")
    assert store.claim("a", "owner-2", 5) is ClaimState.CLAIMED


def test_in_memory_store_grants_a_contended_claim_once() -> None:
    store, results = InMemoryDedupeStore(), []
    barrier = threading.Barrier(8)

    def claim(owner: str) -> None:
        barrier.wait()
        results.append(store.claim("same", owner, 5))

    threads = [threading.Thread(target=claim, args=(str(number),)) for number in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [ClaimState.CLAIMED] + [ClaimState.IN_PROGRESS] * 7


@pytest.mark.parametrize("kwargs", [{"ttl": 0}, {"ttl": -1}, {"max_entries": 0}, {"ttl": True}])
def test_in_memory_store_refuses_unusable_limits(kwargs: dict[str, Any]) -> None:
    with pytest.raises(InvalidArgumentError):
        InMemoryDedupeStore(**kwargs)


def test_logs_never_hold_the_secret(caplog: pytest.LogCaptureFixture) -> None:
    receiver = Receiver(SECRET)
    receiver.on_any(lambda event: None)
    body, headers = delivery()
    with caplog.at_level(logging.DEBUG, logger="up42"):
        receiver.handle(body, headers)
        receiver.handle(body, headers | {"Signature": "up42-sig=AAAA"})
        receiver.handle(json.dumps(message()).encode(), headers)
    assert caplog.records
    assert SECRET not in caplog.text


def test_refusals_are_logged_below_warning(caplog: pytest.LogCaptureFixture) -> None:
    # Python prints WARNING records of an unconfigured logger to stderr; probes of a public URL must not.
    body, headers = delivery()
    with caplog.at_level(logging.DEBUG, logger="up42"):
        Receiver(SECRET).handle(body, headers | {"Signature": "up42-sig=AAAA"})
        Receiver(SECRET).handle(b"[]", sign(b"[]", SECRET))
    assert [record.levelno for record in caplog.records] == [logging.INFO, logging.INFO]
