"""Simulated messages: realistic bodies, field overrides, the delivery schema check and the message as UP42 sends it.

Both the sandbox (``POST /sandbox/events``) and the command line (``up42 trigger``, which can also sign and send
a message straight to a receiver without any sandbox) build messages here, and read bodies with the same strict
JSON rules (`loads_json`, `unencodable`), so this module uses the standard library only: importing it needs none
of the sandbox extra.

The schema of each event's body is the event catalog's, generated from ``openapi/up42.yaml``. Unlike a receiver,
which must accept values UP42 adds later, the sandbox only sends values UP42 documents, so `check_body` refuses an
unknown enum value.
"""

from __future__ import annotations

import datetime
import json
import math
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from ._text import lone_surrogate
from .receiving._catalog import BODY_FIELDS, EVENT_NAMES, BodyField

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


# The order statuses after which nothing more happens to an order. UP42's samples treat FULFILLED and
# FAILED_PERMANENTLY as terminal; an order that was canceled or could not be placed does not change again either.
FINAL_ORDER_STATUSES = frozenset({"FULFILLED", "FAILED_PERMANENTLY", "CANCELED", "PLACEMENT_FAILED"})

# UP42 sends the job id, though the spec lists only the status; the sandbox holds it to a string.
_SCHEMAS: dict[str, tuple[BodyField, ...]] = BODY_FIELDS | {
    "job.status": (BodyField("jobId", str, required=False), *BODY_FIELDS["job.status"])
}


def _schema(event: str) -> tuple[BodyField, ...]:
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


def _convert(field: BodyField, text: str) -> str | bool:
    if field.kind is bool:
        if text.lower() not in ("true", "false"):
            raise EventBodyError(field.name, f"body.{field.name}: {text!r} is not a boolean; use true or false")
        return text.lower() == "true"
    return text


def apply_overrides(event: str, body: Mapping[str, Any], assignments: Sequence[str]) -> dict[str, Any]:
    """A copy of ``body`` with each ``FIELD=VALUE`` of ``assignments`` applied, the value typed by the schema.

    Booleans take ``true`` or ``false``; strings are taken as they are. Enum values are not checked here:
    `check_body` does that on the whole body. When an ``order.status`` assignment sets ``status`` but not
    ``statusIsFinal``, ``statusIsFinal`` follows the status (true for those in `FINAL_ORDER_STATUSES`), so the
    body stays consistent.

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
    return _with_final_flag(event, result, assigned={assignment.partition("=")[0] for assignment in assignments})


def _with_final_flag(event: str, body: dict[str, Any], assigned: set[str]) -> dict[str, Any]:
    # An order set to BEING_PLACED that still says statusIsFinal true would mislead the receiver under test.
    if event == "order.status" and "status" in assigned and "statusIsFinal" not in assigned:
        body["statusIsFinal"] = body["status"] in FINAL_ORDER_STATUSES
    return body


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


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"{text} is too large for a JSON number")
    return number


def loads_json(text: str | bytes) -> Any:
    """Parse JSON as RFC 8259 defines it, which Python's `json.loads` stretches.

    ``NaN``, ``Infinity`` and numbers beyond a double (``1e999``) are refused: no JSON encoder can write them
    back, so a body holding one could never be delivered.

    Raises:
        ValueError: The text is not JSON (`json.JSONDecodeError`), or holds such a number.
        RecursionError: The text nests too deeply.
    """
    return json.loads(text, parse_constant=_refuse_constant, parse_float=_finite)


def unencodable(value: Any, path: str = "") -> str | None:
    """The path (``body.status``, ``events[0]``) of the first string in a JSON value that UTF-8 cannot encode.

    JSON's ``\\ud800`` escapes can carry lone surrogates, and so can command-line arguments that are not valid
    UTF-8; such text can be neither stored nor sent. None when every key and string is encodable.
    """
    if isinstance(value, str):
        return None if lone_surrogate(value) is None else path or "value"
    if isinstance(value, dict):
        if any(lone_surrogate(str(key)) is not None for key in value):
            return path or "body"  # the key cannot name itself
        items = [(f"{path}.{key}" if path else str(key), item) for key, item in value.items()]
    elif isinstance(value, list):
        items = [(f"{path}[{index}]", item) for index, item in enumerate(value)]
    else:
        return None
    return next((found for name, item in items if (found := unencodable(item, name)) is not None), None)


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


def encode(payload: Mapping[str, Any]) -> bytes:
    """A message's JSON as UP42 sends it: compact, ASCII only. A signature covers these exact bytes."""
    return json.dumps(payload, separators=(",", ":")).encode()


def message(event: str, body: Mapping[str, Any], *, live: bool, message_id: str | None = None) -> dict[str, Any]:
    """The delivery as UP42 sends it: event, liveMode, messageId (a fresh UUID unless given), timestamp, body."""
    return {
        "event": event,
        "liveMode": live,
        "messageId": message_id or str(uuid.uuid4()),
        "timestamp": timestamp(),
        "body": dict(body),
    }
