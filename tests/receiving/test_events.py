"""Typed webhook events: the envelope, the known payloads, open enums, and `parse` for unsigned webhooks."""

from __future__ import annotations

import ast
import dataclasses
import datetime
import json
from enum import StrEnum
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from tests.support.deliveries import RECORDED, message
from up42 import receiving
from up42.receiving import (
    EventName,
    InvalidPayloadError,
    JobState,
    JobStatus,
    OrderState,
    OrderStatus,
    OrderType,
    RawBodyRequiredError,
    WebhookEvent,
    _events,
    parse,
)


def test_the_recorded_test_delivery_parses_into_typed_fields() -> None:
    event = parse(json.dumps(RECORDED).encode())
    assert event.event is EventName.ORDER_STATUS
    assert event.live_mode is False
    assert event.is_test is True
    assert event.message_id == "5f8b8a36-2a4f-4f6e-9a5b-3b7f9f0f1a2c"
    assert event.timestamp == datetime.datetime(2023, 1, 9, 3, 34, 52, 267042, tzinfo=datetime.UTC)
    assert event.body == OrderStatus(
        order_id="00000000-0000-0000-0000-000000000001",
        order_type=OrderType.TASKING,
        data_host_name="test-up42-host-name",
        status=OrderState.FULFILLED,
        status_is_final=True,
        raw=RECORDED["body"],
    )
    assert event.raw == RECORDED


def test_job_status_parses_into_job_status_and_keeps_unknown_fields() -> None:
    event = parse(json.dumps(message("job.status")))
    assert isinstance(event.body, JobStatus)
    assert event.body.status is JobState.SUCCEEDED
    assert event.body.raw["jobId"] == "j-1"
    assert event.is_test is False


def test_an_unknown_event_keeps_its_name_and_its_body_as_a_dict() -> None:
    content = message("catalog.updated", body={"collection": "pneo", "count": 3})
    event = parse(json.dumps(content))
    assert event.event == "catalog.updated"
    assert not event.event.is_known
    assert event.body == {"collection": "pneo", "count": 3}


def test_unknown_statuses_and_types_parse_and_equal_their_plain_string() -> None:
    content = message()
    content["body"].update(status="REFUNDED", orderType="STREAMING", newField=[1, 2])
    event = parse(json.dumps(content))
    assert isinstance(event.body, OrderStatus)
    assert event.body.status == "REFUNDED"
    assert event.body.order_type == "STREAMING"
    assert not event.body.status.is_known
    assert OrderState.FULFILLED.is_known
    assert {"REFUNDED": "seen"}[event.body.status] == "seen"
    assert event.body.raw["newField"] == [1, 2]


def test_extra_top_level_fields_are_kept_in_raw() -> None:
    event = parse(json.dumps(message(webhookId="w-1")))
    assert event.raw["webhookId"] == "w-1"


def test_known_values_are_the_enum_members() -> None:
    body = parse(json.dumps(message())).body
    assert isinstance(body, OrderStatus)
    assert body.status is OrderState.FULFILLED
    assert body.order_type is OrderType.ARCHIVE
    assert str(body.status) == "FULFILLED"


def test_a_timestamp_without_offset_is_read_as_utc() -> None:
    event = parse(json.dumps(message(timestamp="2024-05-01T10:00:00")))
    assert event.timestamp.tzinfo is datetime.UTC


def test_parse_accepts_an_already_decoded_mapping() -> None:
    assert parse(RECORDED).message_id == RECORDED["messageId"]


@pytest.mark.parametrize(
    ("content", "text"),
    [
        (message(event=7), "event must be a str, not int"),
        (message(liveMode="yes"), "liveMode must be a bool, not str"),
        (message(messageId=12), "messageId must be a str, not int"),
        (message(timestamp="yesterday"), "timestamp is not an ISO 8601 date-time"),
        (message(body=[]), "body must be a dict, not list"),
        ({k: v for k, v in message().items() if k != "messageId"}, "no messageId field"),
        (
            message(body={"orderId": "o", "orderType": "TASKING", "dataHostName": "h", "status": "PLACED"}),
            "no body.statusIsFinal",
        ),
        (message(body={"orderId": 1}), "body.orderId must be a str, not int"),
        (message("job.status", body={"status": None}), "body.status must be a str, not NoneType"),
        (message(body={**message()["body"], "statusIsFinal": 1}), "body.statusIsFinal must be a bool, not int"),
    ],
)
def test_a_message_that_breaks_the_contract_names_the_field(content: dict[str, Any], text: str) -> None:
    with pytest.raises(InvalidPayloadError) as caught:
        parse(json.dumps(content))
    assert text in str(caught.value)


@pytest.mark.parametrize("body", [42, None, 1.5])
def test_parse_refuses_other_types(body: Any) -> None:
    with pytest.raises(RawBodyRequiredError):
        parse(body)


def test_event_objects_compare_by_value_and_repr_without_raw() -> None:
    first, second = parse(RECORDED), parse(json.dumps(RECORDED))
    assert first == second
    assert isinstance(first, WebhookEvent)
    assert "raw" not in repr(first)


def test_events_built_on_the_quick_path_are_the_dataclasses_as_their_constructors_make_them() -> None:
    event = parse(json.dumps(RECORDED))
    assert isinstance(event.body, OrderStatus)
    for instance in (event, event.body):
        # Every field, no other attribute, and still frozen.
        assert set(vars(instance)) == {field.name for field in dataclasses.fields(instance)}
        with pytest.raises(dataclasses.FrozenInstanceError):
            instance.raw = {}  # type: ignore[misc]
    body = event.body
    assert body == OrderStatus(
        body.order_id, body.order_type, body.data_host_name, body.status, body.status_is_final, body.raw
    )
    assert event == WebhookEvent(event.event, event.live_mode, event.message_id, event.timestamp, body, event.raw)


def _json_or_error(decode: Any, raw: bytes) -> tuple[str, Any]:
    try:
        return "value", decode(raw)
    except (ValueError, RecursionError, StopIteration) as error:  # what the receiver turns into InvalidPayloadError
        return "error", type(error).__name__ if not isinstance(error, ValueError) else "ValueError"


@given(
    st.one_of(
        st.binary(max_size=40).map(lambda tail: b"{" + tail),
        st.recursive(
            st.none() | st.booleans() | st.floats(allow_nan=False) | st.text(max_size=5),
            lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
            max_leaves=8,
        ).map(lambda value: json.dumps({"v": value}).encode()),
        st.sampled_from(
            [b"{}", b"{} ", b"{}\n\t\r ", b"{} x", b"{}{}", b"{", b'{"a": 1}\x00', b"{\x00", '{"a": "\u00e9"}'.encode()]
        ),
        st.sampled_from(["utf-16", "utf-16-le", "utf-32", "utf-8-sig"]).map(lambda codec: '{"a": 1}'.encode(codec)),
    )
)
def test_the_quick_json_decoding_is_json_loads(raw: bytes) -> None:
    assert _json_or_error(_events._decoded, raw) == _json_or_error(json.loads, raw)


# The modules outside the package that receiving shares with the rest of the SDK: the standard library only.
SHARED = ("up42.errors", "up42._checks", "up42._backoff", "up42._urls", "up42._text", "up42._extras")


def test_the_receiving_package_imports_nothing_from_the_client_side() -> None:
    root = Path(__file__).parent.parent.parent / "up42"
    forbidden = {
        "httpx",
        "attrs",
        "up42_api",
        "up42._client",
        "redis",
    }
    shared = [root / f"{name.removeprefix('up42.')}.py" for name in SHARED]
    for module in [*(root / "receiving").glob("*.py"), *shared]:
        tree = ast.parse(module.read_text())
        for node in tree.body:  # module level only: redis is imported lazily inside a function
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = "" if not node.level else "up42." if node.level == 2 or module in shared else "up42.receiving."
                names = [base + (node.module or "")]
            else:
                continue
            for name in names:
                assert name.split(".")[0] not in forbidden, (module.name, name)
                assert not any(name.startswith(bad) for bad in forbidden), (module.name, name)
                assert not name.startswith("up42.") or name.startswith(("up42.receiving.", *SHARED)), (
                    module.name,
                    name,
                )


@pytest.mark.parametrize(
    ("enum", "schema"),
    [
        (receiving.EventName, "EventName"),
        (receiving.OrderState, "OrderStatus"),
        (receiving.OrderType, "OrderType"),
        (receiving.JobState, "JobStatus"),
    ],
)
def test_the_receiving_enums_list_what_the_spec_lists(enum: type[StrEnum], schema: str) -> None:
    spec = yaml.safe_load((Path(__file__).resolve().parents[2] / "openapi" / "up42.yaml").read_text())
    assert sorted(member.value for member in enum) == sorted(spec["components"]["schemas"][schema]["enum"])
