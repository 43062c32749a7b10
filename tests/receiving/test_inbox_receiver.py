"""Receiver(secret, inbox=URL): store, then acknowledge; no handler runs in the request; an unwritable inbox is 503."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx
import pytest

from tests.support.deliveries import SECRET, delivery, message
from up42.errors import InvalidArgumentError
from up42.receiving import (
    DEFAULT_RETENTION,
    InboxStatus,
    InMemoryDedupeStore,
    OutcomeKind,
    Receiver,
    WebhookEvent,
    open_inbox,
)


def test_a_delivery_is_stored_once_and_acknowledged_without_running_a_handler(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/inbox.db"
    receiver = Receiver(SECRET, inbox=url)
    ran: list[str] = []
    receiver.on("order.status")(lambda event: ran.append(event.message_id))
    content = message()
    first = receiver.handle(*delivery(content))
    assert (first.kind, first.status_code) == (OutcomeKind.QUEUED, 200)
    assert receiver.handle(*delivery(content)).kind is OutcomeKind.DUPLICATE
    assert ran == []
    record = open_inbox(url).get(content["messageId"])
    assert record is not None
    assert (record.status, record.event, json.loads(record.body)) == (InboxStatus.PENDING, "order.status", content)


def test_events_without_a_handler_here_are_stored_for_the_workers(tmp_path: Path) -> None:
    receiver = Receiver(SECRET, inbox=f"sqlite:///{tmp_path}/inbox.db")
    assert receiver.handle(*delivery(message("job.status"))).kind is OutcomeKind.QUEUED


def test_bad_signatures_are_refused_before_anything_is_stored(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/inbox.db"
    receiver = Receiver(SECRET, inbox=url)
    outcome = receiver.handle(*delivery(secret="another-secret"))
    assert outcome.status_code == 401
    assert open_inbox(url).records() == []


def test_an_unwritable_inbox_is_answered_503_and_nothing_is_acknowledged(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    receiver = Receiver(SECRET, inbox=f"sqlite:///{blocker}/inbox.db")
    outcome = receiver.handle(*delivery())
    assert (outcome.kind, outcome.status_code, outcome.ok) == (OutcomeKind.INBOX_FAILED, 503, False)
    assert outcome.detail == "the inbox is unavailable; retry later"


async def test_the_asgi_app_stores_and_its_lifespan_runs_workers(tmp_path: Path) -> None:
    receiver = Receiver(SECRET, inbox=f"sqlite:///{tmp_path}/inbox.db")
    handled = asyncio.Event()

    @receiver.on("order.status")
    async def order_changed(event: WebhookEvent) -> None:
        handled.set()

    app = receiver.asgi_app(workers=2)
    lifespan: asyncio.Queue[dict[str, str]] = asyncio.Queue()
    sent: list[dict[str, str]] = []

    async def send(message: dict[str, str]) -> None:
        sent.append(message)

    await lifespan.put({"type": "lifespan.startup"})
    running = asyncio.create_task(app({"type": "lifespan"}, lifespan.get, send))  # type: ignore[arg-type]
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://receiver") as client:
        body, headers = delivery()
        response = await client.post("/", content=body, headers=headers)
    assert (response.status_code, response.json()["outcome"]) == (200, "queued")
    await asyncio.wait_for(handled.wait(), 10)
    await lifespan.put({"type": "lifespan.shutdown"})
    await asyncio.wait_for(running, 10)
    assert [m["type"] for m in sent] == ["lifespan.startup.complete", "lifespan.shutdown.complete"]


def test_a_receiver_with_an_inbox_makes_no_dedupe_store_but_checks_one_it_is_given(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/inbox.db"
    # The inbox drops redeliveries: a store beside it would only hold memory.
    assert "dedupe=None" in repr(Receiver(SECRET, inbox=url))
    assert "dedupe=InMemoryDedupeStore" in repr(Receiver(SECRET))
    with pytest.raises(InvalidArgumentError, match="less than max_age \\+ tolerance"):
        Receiver(SECRET, inbox=url, dedupe=InMemoryDedupeStore(ttl=3600))


def test_a_receiver_without_an_inbox_has_no_worker_and_a_bad_url_is_named() -> None:
    with pytest.raises(InvalidArgumentError, match="no inbox"):
        Receiver(SECRET).worker()
    with pytest.raises(InvalidArgumentError, match="unsupported inbox URL"):
        Receiver(SECRET, inbox="ftp://example.com/inbox")


def test_workers_keep_done_messages_as_long_as_a_redelivery_is_accepted(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/inbox.db"
    receiver = Receiver(SECRET, inbox=url)
    # max_age (a day) + tolerance (300 s): a redelivery that late still verifies, and must meet its stored message.
    with pytest.raises(InvalidArgumentError, match=r"^retention must be at least 86700 s"):
        receiver.worker(retention=3600)
    assert receiver.worker(retention=86700).retention == 86700
    assert receiver.worker().retention == DEFAULT_RETENTION
    patient = Receiver(SECRET, inbox=url, max_age=30 * 86400)
    assert patient.worker().retention == 30 * 86400 + 300
