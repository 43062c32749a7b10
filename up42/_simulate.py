"""Simulated platform events: the event catalog, realistic bodies, field overrides and the delivery schema check.

Both the sandbox (``POST /sandbox/events``) and the command line (``up42 trigger``, which can also sign and send
a message straight to a receiver without any sandbox) build messages here, so this module uses the standard
library only: importing it needs none of the sandbox extra.

The schema of each event's body mirrors ``OrderStatusBody`` and ``JobStatusBody`` of ``openapi/up42.yaml``
(the tests hold the two together). Unlike a receiver, which must accept values UP42 adds later, the sandbox
only sends values UP42 documents, so `check_body` refuses an unknown enum value.
"""

from __future__ import annotations

import dataclasses
import datetime
import uuid
from collections.abc import Mapping, Sequence
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


class EventBodyError(ValueError):
    """A simulated event or its body breaks the delivery schema; `field` names what to fix."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclasses.dataclass(frozen=True)
class _Field:
    """One field of an event body: its JSON type, its documented values (an enum) and whether it is required."""

    name: str
    kind: type[str] | type[bool]
    values: tuple[str, ...] = ()
    label: str = ""  # what the values are, for messages: "order status"
    required: bool = True


_ORDER_STATUSES = (
    "CREATED",
    "BEING_PLACED",
    "PLACED",
    "PLACEMENT_FAILED",
    "BEING_FULFILLED",
    "FULFILLED",
    "FAILED_PERMANENTLY",
    "CANCELED",
)
_JOB_STATUSES = ("NOT_STARTED", "PENDING", "RUNNING", "CANCELLING", "CANCELLED", "FAILED", "ERROR", "SUCCEEDED")

_SCHEMAS: dict[str, tuple[_Field, ...]] = {
    "order.status": (
        _Field("orderId", str),
        _Field("orderType", str, ("TASKING", "ARCHIVE"), "order type"),
        _Field("dataHostName", str),
        _Field("status", str, _ORDER_STATUSES, "order status"),
        _Field("statusIsFinal", bool),
    ),
    "job.status": (
        # UP42 sends the job id, though the spec lists only the status; the sandbox holds it to a string.
        _Field("jobId", str, required=False),
        _Field("status", str, _JOB_STATUSES, "job status"),
    ),
}


def _schema(event: str) -> tuple[_Field, ...]:
    if event not in _SCHEMAS:
        known = ", ".join(sorted(EVENT_NAMES))
        raise EventBodyError("event", f"event: {event!r} is not a known event; choose from {known}")
    return _SCHEMAS[event]


def _field_names(event: str) -> str:
    return ", ".join(field.name for field in _schema(event))


def test_body(event: str) -> dict[str, Any]:
    """The body of UP42's test delivery for ``event``: placeholders, no real order or job.

    Raises:
        EventBodyError: The event is not in the catalog.
    """
    _schema(event)
    return dict(_TEST_BODIES[event])


def sample_body(event: str) -> dict[str, Any]:
    """A realistic live body for ``event``, with a fresh id: a fulfilled archive order, or a succeeded job.

    Raises:
        EventBodyError: The event is not in the catalog.
    """
    _schema(event)
    if event == "order.status":
        return {
            "orderId": str(uuid.uuid4()),
            "orderType": "ARCHIVE",
            "dataHostName": "oneatlas",
            "status": "FULFILLED",
            "statusIsFinal": True,
        }
    return {"jobId": str(uuid.uuid4()), "status": "SUCCEEDED"}


def _convert(field: _Field, text: str) -> str | bool:
    if field.kind is bool:
        if text.lower() not in ("true", "false"):
            raise EventBodyError(field.name, f"body.{field.name}: {text!r} is not a boolean; use true or false")
        return text.lower() == "true"
    return text


def apply_overrides(event: str, body: Mapping[str, Any], assignments: Sequence[str]) -> dict[str, Any]:
    """A copy of ``body`` with each ``FIELD=VALUE`` of ``assignments`` applied, the value typed by the schema.

    Booleans take ``true`` or ``false``; strings are taken as they are. Enum values are not checked here:
    `check_body` does that on the whole body.

    Raises:
        EventBodyError: An assignment has no ``=``, names a field the event does not have, or its value does not
            fit the field's type.
    """
    fields = {field.name: field for field in _schema(event)}
    result = dict(body)
    for assignment in assignments:
        name, equals, text = assignment.partition("=")
        if not equals:
            raise EventBodyError(
                name, f"{assignment!r} is not FIELD=VALUE; the fields of {event} are {_field_names(event)}"
            )
        if name not in fields:
            raise EventBodyError(name, f"body.{name}: {event} has no such field; its fields are {_field_names(event)}")
        result[name] = _convert(fields[name], text)
    return result


def _type_name(kind: type) -> str:
    return "true or false" if kind is bool else "a string"


def check_body(event: str, body: Any) -> None:
    """Check ``body`` against the delivery schema of ``event``; extra fields are allowed, as in the spec.

    Raises:
        EventBodyError: The event is unknown, the body is not an object, a required field is missing, a field
            has the wrong type, or an enum field has a value UP42 does not document.
    """
    schema = _schema(event)
    if not isinstance(body, dict):
        raise EventBodyError("body", f"body: must be a JSON object with the fields {_field_names(event)}")
    for field in schema:
        if field.name not in body:
            if field.required:
                raise EventBodyError(field.name, f"body.{field.name}: missing; {event} needs {_field_names(event)}")
            continue
        value = body[field.name]
        # bool is not an int here and an int is not a bool: JSON keeps the two apart.
        if type(value) is not field.kind:
            raise EventBodyError(field.name, f"body.{field.name}: must be {_type_name(field.kind)}, not {_json(value)}")
        if field.values and value not in field.values:
            raise EventBodyError(
                field.name,
                f"body.{field.name}: {value!r} is not a known {field.label}; choose from {', '.join(field.values)}",
            )


def _json(value: Any) -> str:
    # Names the JSON type, so a message speaks of what was sent rather than of Python classes.
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the string {value!r}"
    return "an array" if isinstance(value, list) else "an object"


def timestamp(moment: datetime.datetime | None = None) -> str:
    """RFC 3339 UTC with microseconds and a ``Z``, as UP42 writes its timestamps (now by default)."""
    moment = moment or datetime.datetime.now(datetime.UTC)
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def message(event: str, body: Mapping[str, Any], *, live: bool, message_id: str | None = None) -> dict[str, Any]:
    """The delivery as UP42 sends it: event, liveMode, messageId (a fresh UUID unless given), timestamp, body."""
    return {
        "event": event,
        "liveMode": live,
        "messageId": message_id or str(uuid.uuid4()),
        "timestamp": timestamp(),
        "body": dict(body),
    }
