"""Deliveries for the receiving tests: messages as UP42 sends them, signed with `sign`, and a recorded one."""

from __future__ import annotations

import datetime
import json
import uuid
from typing import Any

from up42.receiving import Receiver, WebhookEvent, sign

SECRET = "receiver-secret-never-shown"


def message(event: str = "order.status", *, message_id: str | None = None, **fields: Any) -> dict[str, Any]:
    """A webhook message created now; `fields` replace top-level fields."""
    body: dict[str, Any] = (
        {
            "orderId": "3c4e1e2a-8f0b-4c1d-9d7e-0a1b2c3d4e5f",
            "orderType": "ARCHIVE",
            "dataHostName": "oneatlas",
            "status": "FULFILLED",
            "statusIsFinal": True,
        }
        if event == "order.status"
        else {"status": "SUCCEEDED", "jobId": "j-1"}
    )
    result: dict[str, Any] = {
        "event": event,
        "liveMode": True,
        "messageId": message_id or str(uuid.uuid4()),
        "timestamp": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "body": body,
    }
    result.update(fields)
    return result


def delivery(content: dict[str, Any] | None = None, *, secret: str = SECRET) -> tuple[bytes, dict[str, str]]:
    """A signed delivery, created now: the body bytes and the headers."""
    body = json.dumps(content if content is not None else message()).encode()
    return body, sign(body, secret)


# The test delivery UP42 recorded (test events carry liveMode false and placeholder ids).
RECORDED = {
    "event": "order.status",
    "liveMode": False,
    "messageId": "5f8b8a36-2a4f-4f6e-9a5b-3b7f9f0f1a2c",
    "timestamp": "2023-01-09T03:34:52.267042Z",
    "body": {
        "orderId": "00000000-0000-0000-0000-000000000001",
        "orderType": "TASKING",
        "dataHostName": "test-up42-host-name",
        "status": "FULFILLED",
        "statusIsFinal": True,
    },
}


def recording_receiver(**options: Any) -> Receiver:
    """A receiver that records in ``seen`` the messages its handlers ran for: an async order handler that fails on
    a FAILED_PERMANENTLY order, and a plain job handler; `options` go to `Receiver`."""
    receiver = Receiver(SECRET, **options)
    receiver.seen = []  # type: ignore[attr-defined]

    @receiver.on("order.status")
    async def order_changed(event: WebhookEvent) -> None:
        if event.raw["body"]["status"] == "FAILED_PERMANENTLY":
            raise RuntimeError("cannot notify the customer: smtp password rejected")
        receiver.seen.append(event.message_id)  # type: ignore[attr-defined]

    @receiver.on("job.status")
    def job_changed(event: WebhookEvent) -> None:
        receiver.seen.append(event.message_id)  # type: ignore[attr-defined]

    return receiver
