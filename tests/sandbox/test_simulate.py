"""Simulated events: check_body agrees with the spec's delivery schemas, overrides are typed, errors name the field."""

from __future__ import annotations

import datetime
import subprocess
import sys
import uuid
from typing import Any

import jsonschema
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support.contract import SPEC_PATH
from up42 import _messages as simulate
from up42._messages import EventBodyError, apply_overrides, check_body, sample_body
from up42.receiving import _catalog as catalog

SCHEMAS = yaml.safe_load(SPEC_PATH.read_text())["components"]["schemas"]
BODY_SCHEMAS = {"order.status": "OrderStatusBody", "job.status": "JobStatusBody"}


def spec_accepts(event: str, body: Any) -> bool:
    """Whether the spec's schema for the event's body accepts ``body``."""
    schema = {"$ref": f"#/components/schemas/{BODY_SCHEMAS[event]}", "components": {"schemas": SCHEMAS}}
    return jsonschema.Draft202012Validator(schema).is_valid(body)


def sandbox_accepts(event: str, body: Any) -> bool:
    try:
        check_body(event, body)
    except EventBodyError:
        return False
    return True


def test_the_catalog_covers_the_spec_events() -> None:
    assert set(SCHEMAS["EventName"]["enum"]) == catalog.EVENT_NAMES == set(BODY_SCHEMAS)
    assert [entry["name"] for entry in catalog.EVENT_TYPES] == sorted(catalog.EVENT_NAMES)


def test_the_module_imports_without_the_sandbox_extra() -> None:
    code = "import sys, up42._messages; print(sorted(m for m in ('httpx', 'starlette', 'uvicorn') if m in sys.modules))"
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.strip() == "[]"


@pytest.mark.parametrize("event", sorted(BODY_SCHEMAS))
def test_test_and_sample_bodies_are_valid(event: str) -> None:
    for body in (simulate.test_body(event), sample_body(event)):
        assert spec_accepts(event, body)
        check_body(event, body)


def test_sample_bodies_are_realistic_and_fresh() -> None:
    first, second = sample_body("order.status"), sample_body("order.status")
    assert first["orderId"] != second["orderId"]
    uuid.UUID(first["orderId"])
    assert (first["orderType"], first["status"], first["statusIsFinal"]) == ("ARCHIVE", "FULFILLED", True)
    assert first["dataHostName"]
    job = sample_body("job.status")
    uuid.UUID(job["jobId"])
    assert job["status"] == "SUCCEEDED"
    assert simulate.test_body("order.status")["orderId"] == simulate.PLACEHOLDER_ID


ORDER = simulate.test_body("order.status")

GOOD_AND_BAD = [
    ("order.status", ORDER),
    ("order.status", {**ORDER, "extra": [1, 2]}),
    ("order.status", {**ORDER, "status": "FULFILED"}),
    ("order.status", {**ORDER, "status": None}),
    ("order.status", {**ORDER, "orderType": "STREAMING"}),
    ("order.status", {**ORDER, "statusIsFinal": "true"}),
    ("order.status", {**ORDER, "statusIsFinal": 1}),
    ("order.status", {**ORDER, "orderId": 7}),
    ("order.status", {key: value for key, value in ORDER.items() if key != "dataHostName"}),
    ("order.status", []),
    ("order.status", "FULFILLED"),
    ("job.status", {"status": "RUNNING"}),
    ("job.status", {"status": "running"}),
    ("job.status", {"jobId": "j", "status": "FAILED", "tasks": {}}),
    ("job.status", {}),
    ("job.status", {"status": True}),
]


@pytest.mark.parametrize(("event", "body"), GOOD_AND_BAD)
def test_check_body_agrees_with_the_spec(event: str, body: Any) -> None:
    assert sandbox_accepts(event, body) == spec_accepts(event, body)


JSON_VALUES = st.none() | st.booleans() | st.integers() | st.text(max_size=5) | st.lists(st.integers(), max_size=2)


def bodies(event: str) -> st.SearchStrategy[dict[str, Any]]:
    """Bodies near the schema: each field absent, a documented value, or any JSON value; plus extra fields."""
    fields: dict[str, st.SearchStrategy[Any]] = {}
    for field in simulate._SCHEMAS[event]:
        documented = st.sampled_from(field.values) if field.values else st.from_type(field.kind)
        # jobId is not in the spec; the sandbox holds it to a string, so only strings are generated for it.
        fields[field.name] = documented if field.name == "jobId" else documented | JSON_VALUES
    extras = st.dictionaries(st.text(min_size=1, max_size=3).filter(lambda key: key not in fields), JSON_VALUES)
    return st.fixed_dictionaries({}, optional=fields).flatmap(lambda body: extras.map(lambda more: {**more, **body}))


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(BODY_SCHEMAS)).flatmap(lambda event: st.tuples(st.just(event), bodies(event))))
def test_generated_bodies_are_judged_as_the_spec_judges_them(case: tuple[str, dict[str, Any]]) -> None:
    event, body = case
    assert sandbox_accepts(event, body) == spec_accepts(event, body)


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        (
            {**ORDER, "status": "FULFILED"},
            "status",
            "body.status: 'FULFILED' is not a known order status; choose from CREATED, BEING_PLACED,",
        ),
        ({**ORDER, "orderType": "X"}, "orderType", "is not a known order type; choose from TASKING, ARCHIVE"),
        ({**ORDER, "statusIsFinal": "yes"}, "statusIsFinal", "body.statusIsFinal: must be true or false, not the"),
        ({**ORDER, "orderId": None}, "orderId", "body.orderId: must be a string, not null"),
        ({**ORDER, "orderId": 3}, "orderId", "not the number 3"),
        ({**ORDER, "orderId": [3]}, "orderId", "not an array"),
        ({**ORDER, "orderId": {}}, "orderId", "not an object"),
        ({**ORDER, "statusIsFinal": None}, "statusIsFinal", "not null"),
        ({"status": "FULFILLED"}, "orderId", "body.orderId: missing; order.status needs orderId, orderType,"),
        (["x"], "body", "body: must be a JSON object with the fields orderId, orderType"),
    ],
)
def test_check_body_names_the_field_and_what_is_allowed(body: Any, field: str, message: str) -> None:
    with pytest.raises(EventBodyError) as caught:
        check_body("order.status", body)
    assert caught.value.field == field
    assert message in str(caught.value)


def test_a_job_body_with_a_bad_status_lists_the_job_statuses() -> None:
    with pytest.raises(EventBodyError) as caught:
        check_body("job.status", {"status": "DONE"})
    assert "not a known job status; choose from NOT_STARTED, PENDING" in str(caught.value)
    assert sandbox_accepts("job.status", {"status": "DONE", "jobId": "j"}) is False


@pytest.mark.parametrize(
    "call",
    [
        lambda: check_body("order.created", {}),
        lambda: simulate.test_body("order.created"),
        lambda: sample_body("order.created"),
        lambda: apply_overrides("order.created", {}, []),
    ],
)
def test_an_unknown_event_is_refused_with_the_known_ones(call: Any) -> None:
    with pytest.raises(EventBodyError) as caught:
        call()
    assert caught.value.field == "event"
    assert str(caught.value) == "event: 'order.created' is not a known event; choose from job.status, order.status"
    assert isinstance(caught.value, ValueError)


def test_overrides_are_typed_by_the_schema() -> None:
    body = sample_body("order.status")
    changed = apply_overrides(
        "order.status", body, ["status=FAILED_PERMANENTLY", "statusIsFinal=False", "orderId=a=b", "dataHostName="]
    )
    assert changed == {
        **body,
        "status": "FAILED_PERMANENTLY",
        "statusIsFinal": False,
        "orderId": "a=b",
        "dataHostName": "",
    }
    assert body["status"] == "FULFILLED"  # the input is not changed
    assert apply_overrides("order.status", body, ["statusIsFinal=TRUE"])["statusIsFinal"] is True
    assert apply_overrides("job.status", {"status": "RUNNING"}, ["jobId=42"]) == {"status": "RUNNING", "jobId": "42"}


@pytest.mark.parametrize("status", sorted(state.value for state in catalog.OrderState))
def test_setting_a_status_sets_status_is_final_to_match_unless_it_is_set_too(status: str) -> None:
    final = status in {"FULFILLED", "FAILED_PERMANENTLY", "CANCELED", "PLACEMENT_FAILED"}
    body = sample_body("order.status")
    assert apply_overrides("order.status", body, [f"status={status}"])["statusIsFinal"] is final
    kept = apply_overrides("order.status", body, [f"status={status}", f"statusIsFinal={str(not final).lower()}"])
    assert kept["statusIsFinal"] is not final
    assert apply_overrides("order.status", body, ["orderType=TASKING"])["statusIsFinal"] is True
    assert "statusIsFinal" not in apply_overrides("job.status", {"status": "RUNNING"}, [f"status={status}"])


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("NaN", "NaN is not a JSON number"),
        ('{"a": [Infinity]}', "Infinity is not a JSON number"),
        ('{"a": -Infinity}', "-Infinity is not a JSON number"),
        ("1e999", "1e999 is too large for a JSON number"),
    ],
)
def test_loads_json_refuses_numbers_json_does_not_have(text: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        simulate.loads_json(text)
    assert simulate.loads_json('{"a": [1.5e300, -2]}') == {"a": [1.5e300, -2]}


def test_unencodable_names_the_first_string_that_utf8_cannot_encode() -> None:
    assert simulate.unencodable({"name": "é", "events": ["order.status"], "n": 1}) is None
    assert simulate.unencodable({"name": "\ud800"}) == "name"
    assert simulate.unencodable({"body": {"tags": ["ok", "\udcff"]}}) == "body.tags[1]"
    assert simulate.unencodable({"body": {"\ud800": 1}}) == "body"
    assert simulate.unencodable({"orderId": "\ud800"}, "body") == "body.orderId"
    assert simulate.unencodable("\ud800") == "value"


@pytest.mark.parametrize(
    ("assignment", "field", "message"),
    [
        (
            "colour=red",
            "colour",
            "body.colour: order.status has no such field; its fields are orderId, orderType, dataHostName, "
            "status, statusIsFinal",
        ),
        ("status", "status", "'status' is not FIELD=VALUE; the fields of order.status are orderId,"),
        ("statusIsFinal=yes", "statusIsFinal", "body.statusIsFinal: 'yes' is not a boolean; use true or false"),
    ],
)
def test_bad_overrides_name_the_field(assignment: str, field: str, message: str) -> None:
    with pytest.raises(EventBodyError) as caught:
        apply_overrides("order.status", sample_body("order.status"), [assignment])
    assert caught.value.field == field
    assert message in str(caught.value)


def test_an_override_to_an_unknown_value_is_caught_by_the_check() -> None:
    body = apply_overrides("order.status", sample_body("order.status"), ["status=FULFILED"])
    with pytest.raises(EventBodyError, match="body.status: 'FULFILED' is not a known order status"):
        check_body("order.status", body)


def test_a_message_is_a_valid_delivery_with_a_fresh_or_given_id() -> None:
    body = sample_body("job.status")
    first, second = simulate.message("job.status", body, live=True), simulate.message("job.status", body, live=False)
    schema = {"$ref": "#/components/schemas/WebhookMessage", "components": {"schemas": SCHEMAS}}
    jsonschema.Draft202012Validator(schema).validate(first)
    assert first["messageId"] != second["messageId"]
    assert (first["liveMode"], second["liveMode"]) == (True, False)
    assert first["body"] == body and first["body"] is not body
    assert simulate.message("job.status", body, live=True, message_id="m-1")["messageId"] == "m-1"


def test_timestamps_are_utc_with_microseconds_and_z() -> None:
    moment = datetime.datetime(2024, 5, 1, 12, 0, 0, 5, tzinfo=datetime.timezone(datetime.timedelta(hours=2)))
    assert simulate.timestamp(moment) == "2024-05-01T10:00:00.000005Z"
    parsed = datetime.datetime.fromisoformat(simulate.timestamp())
    assert parsed.tzinfo == datetime.UTC
