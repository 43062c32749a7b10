"""The event type catalog and the payloads of test deliveries, as UP42 publishes and sends them."""

from __future__ import annotations

from typing import Any

EVENT_TYPES: list[dict[str, str]] = [
    {
        "name": "job.status",
        "title": "Job Status Updates",
        "category": "job",
        "description": "Sent every time a job or a job task changes its status",
        "documentation": "https://docs.up42.com/developers/",
    },
    {
        "name": "order.status",
        "title": "Order Status Updates",
        "category": "order",
        "description": "Sent when order status is updated",
        "documentation": "https://docs.up42.com/developers/",
    },
]

EVENT_NAMES: frozenset[str] = frozenset(entry["name"] for entry in EVENT_TYPES)

# UP42's recorded test delivery uses these placeholders; no real order or job is involved.
PLACEHOLDER_ID = "00000000-0000-0000-0000-000000000001"

_TEST_BODIES: dict[str, dict[str, Any]] = {
    "order.status": {
        "orderId": PLACEHOLDER_ID,
        "orderType": "TASKING",
        "dataHostName": "test-up42-host-name",
        "status": "FULFILLED",
        "statusIsFinal": True,
    },
    "job.status": {"jobId": PLACEHOLDER_ID, "status": "SUCCEEDED"},
}


def test_body(event: str) -> dict[str, Any]:
    """The inner ``body`` of the test delivery for ``event``."""
    return dict(_TEST_BODIES[event])
