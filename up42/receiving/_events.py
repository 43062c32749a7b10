"""Typed webhook messages: the envelope UP42 POSTs and the payloads of the events it is known to send.

Everything here is forward compatible: an event name, status or order type newer than this SDK becomes a member
named ``UNKNOWN`` that keeps its value, and fields UP42 adds later stay available in ``raw``. The enums are the
event catalog's, generated from the spec with the standard library only, so that a receiver never loads httpx.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from json.scanner import make_scanner
from typing import Any, TypeVar

from ._catalog import EventName, JobState, OpenEnum, OrderState, OrderType
from ._errors import InvalidPayloadError, RawBodyRequiredError

__all__ = ["EventName", "JobState", "JobStatus", "OrderState", "OrderStatus", "OrderType", "WebhookEvent", "parse"]

T = TypeVar("T")
E = TypeVar("E", bound=OpenEnum)
# A tuple made once: a union written in the call would be built again on every call, and every verify makes one.
_BYTES_LIKE = (bytes, bytearray, memoryview)
_DECODER = json.JSONDecoder()


@dataclass(frozen=True)
class OrderStatus:
    """The payload of `order.status`: an order changed status.

    Attributes:
        order_id: The order's id.
        order_type: `OrderType.TASKING` or `OrderType.ARCHIVE` (or a newer type).
        data_host_name: The data host or provider handling the order.
        status: The new status.
        status_is_final: True when the order will not change status again.
        raw: The payload as received, including fields this SDK does not know.
    """

    order_id: str
    order_type: OrderType
    data_host_name: str
    status: OrderState
    status_is_final: bool
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True)
class JobStatus:
    """The payload of `job.status`: a processing job changed status.

    Only `status` is documented; the rest of the payload is in `raw`.
    """

    status: JobState
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True)
class WebhookEvent:
    """One webhook message, parsed.

    Attributes:
        event: The event name; compares equal to the plain string, e.g. ``event.event == "order.status"``.
        live_mode: False for the test deliveries UP42 sends on request.
        message_id: Unique per message; a redelivery of the same message carries the same id.
        timestamp: When UP42 created the message (timezone-aware).
        body: An `OrderStatus` for `order.status`, a `JobStatus` for `job.status`, the payload dict otherwise.
        raw: The whole message as received.
    """

    event: EventName
    live_mode: bool
    message_id: str
    timestamp: datetime.datetime
    body: OrderStatus | JobStatus | dict[str, Any]
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def is_test(self) -> bool:
        """True for a test delivery (``liveMode`` false)."""
        return not self.live_mode


def _get(message: Mapping[str, Any], key: str, kind: type[T], where: str) -> T:
    value = message.get(key)
    if type(value) is kind:  # what JSON decodes to: the common case, answered with one lookup and one comparison
        return value
    if key not in message:
        raise InvalidPayloadError(f"the message has no {where}{key} field")
    value = message[key]
    # bool is an int subclass; an explicit check keeps `true` from passing as a number and vice versa.
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        raise InvalidPayloadError(f"{where}{key} must be a {kind.__name__}, not {type(value).__name__}")
    return value


def _timestamp(text: str) -> datetime.datetime:
    try:
        value = datetime.datetime.fromisoformat(text)
    except ValueError as error:
        raise InvalidPayloadError("timestamp is not an ISO 8601 date-time") from error
    # UP42 sends UTC with a Z; a value without an offset is read as UTC rather than as local time.
    return value if value.tzinfo is not None else value.replace(tzinfo=datetime.UTC)


def _made(cls: type[T], fields: dict[str, Any]) -> T:
    # A frozen dataclass's __init__ sets its fields one object.__setattr__ call at a time; the classes built on
    # every verify get theirs in one assignment of the instance's dict. Tests hold the keys to the dataclass fields.
    instance = _new(cls)
    _set(instance, "__dict__", fields)
    return instance


_new = object.__new__
_set = object.__setattr__


def _member(enum: type[E], value: str) -> E:
    # The enum's own table first: calling the class takes several Python-level steps even for a listed value.
    member = _TABLES[enum].get(value)
    return member if isinstance(member, enum) else enum(value)


# Each enum's value table, found once: reading an attribute of an enum class goes through its metaclass, which
# costs more than the lookup in the table.
_TABLES: dict[type[OpenEnum], Mapping[Any, Any]] = {
    enum: enum._value2member_map_ for enum in (EventName, JobState, OrderState, OrderType)
}


def _payload(event: EventName, body: dict[str, Any]) -> OrderStatus | JobStatus | dict[str, Any]:
    # Positional arguments, in field order: the event is built on every verify. Each field is read with a plain
    # type test first, what JSON decodes to; `_get` names a field that is missing or of another type.
    if event is EventName.ORDER_STATUS:
        if type(order_id := body.get("orderId")) is not str:
            order_id = _get(body, "orderId", str, "body.")
        if type(order_type := body.get("orderType")) is not str:
            order_type = _get(body, "orderType", str, "body.")
        if type(data_host_name := body.get("dataHostName")) is not str:
            data_host_name = _get(body, "dataHostName", str, "body.")
        if type(status := body.get("status")) is not str:
            status = _get(body, "status", str, "body.")
        if type(status_is_final := body.get("statusIsFinal")) is not bool:
            status_is_final = _get(body, "statusIsFinal", bool, "body.")
        return _made(
            OrderStatus,
            {
                "order_id": order_id,
                "order_type": _member(OrderType, order_type),
                "data_host_name": data_host_name,
                "status": _member(OrderState, status),
                "status_is_final": status_is_final,
                "raw": body,
            },
        )
    if event is EventName.JOB_STATUS:
        return JobStatus(_member(JobState, _get(body, "status", str, "body.")), body)
    return body


def event_from_mapping(message: Mapping[str, Any]) -> WebhookEvent:
    """Build a `WebhookEvent` from a decoded message, or raise `InvalidPayloadError` naming the bad field."""
    if type(name := message.get("event")) is not str:
        name = _get(message, "event", str, "")
    if type(live_mode := message.get("liveMode")) is not bool:
        live_mode = _get(message, "liveMode", bool, "")
    if type(message_id := message.get("messageId")) is not str:
        message_id = _get(message, "messageId", str, "")
    if type(timestamp := message.get("timestamp")) is not str:
        timestamp = _get(message, "timestamp", str, "")
    if type(body := message.get("body")) is not dict:
        body = _get(message, "body", dict, "")
    event = _member(EventName, name)
    return _made(
        WebhookEvent,
        {
            "event": event,
            "live_mode": live_mode,
            "message_id": message_id,
            "timestamp": _timestamp(timestamp),
            "body": _payload(event, body),
            "raw": message,
        },
    )


def _decoded(raw: bytes) -> Any:
    # json.loads(raw) in fewer steps for the usual body, a UTF-8 object (UTF-16 and UTF-32 put a zero byte first or
    # second, a BOM is no "{"): the same scanner, the same errors. Anything else goes to json.loads itself.
    if raw[:1] == b"{" and raw[1:2] != b"\0":
        text = raw.decode("utf-8", "surrogatepass")
        message, end = _SCAN(text, 0)
        if end != len(text) and text[end:].lstrip(_JSON_WHITESPACE):
            raise json.JSONDecodeError("Extra data", text, end)
        return message
    return json.loads(raw)


# The scanner json.loads uses; typeshed types its argument as the C scanner's own context type.
_SCAN: Callable[[str, int], tuple[Any, int]] = make_scanner(_DECODER)  # type: ignore[arg-type]
_JSON_WHITESPACE = " \t\n\r"


def event_from_json(raw: bytes) -> WebhookEvent:
    """Decode a message body and build its `WebhookEvent`; every failure is an `InvalidPayloadError`."""
    try:
        message = _decoded(raw)
    # RecursionError: deeply nested arrays exhaust the decoder's stack. StopIteration is how the scanner says that
    # no value starts where it was asked to read one.
    except (ValueError, RecursionError, StopIteration) as error:
        raise InvalidPayloadError("the body is not UTF-8 JSON") from error
    if not isinstance(message, dict):
        raise InvalidPayloadError(f"the body is a JSON {type(message).__name__}, not an object")
    return event_from_mapping(message)


def parse(body: bytes | bytearray | memoryview | str | Mapping[str, Any]) -> WebhookEvent:
    """Parse a delivery WITHOUT checking who sent it: only for webhooks created without a secret.

    UP42 signs nothing when a webhook has no secret, so anyone who learns the URL can post a message that
    parses here. Prefer giving the webhook a secret and calling `verify`; if you cannot, treat the event as a hint
    and confirm it through the API before acting on it.

    Args:
        body: The raw body, or the already-decoded JSON object (there is no signature to preserve).

    Raises:
        InvalidPayloadError: The body is not a webhook message.
        RawBodyRequiredError: The body is of another type.
    """
    if isinstance(body, Mapping):
        return event_from_mapping(body)
    return event_from_json(raw_body(body))


def raw_body(body: object) -> bytes:
    """The body as bytes: bytes-like values as they are, text as UTF-8; anything else is refused."""
    if isinstance(body, _BYTES_LIKE):
        return bytes(body)
    if isinstance(body, str):
        try:
            return body.encode("utf-8")
        except UnicodeEncodeError as error:
            raise InvalidPayloadError("the body text cannot be encoded as UTF-8") from error
    hint = " (a parsed JSON object)" if isinstance(body, Mapping | list) else ""
    raise RawBodyRequiredError(
        f"the body must be the raw bytes (or text) of the request, not {type(body).__name__}{hint}: the signature "
        "covers the exact bytes sent, and JSON serialised again differs in spacing, key order or escapes"
    )
