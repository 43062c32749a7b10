"""Responses, schemas, words and deliveries: each rule, built and judged.

What a client reads may narrow but not widen: a field removed, made optional or nullable, or retyped breaks the code
that reads it; a field, a schema or an enum value added does not, because every enum of the SDK keeps a value it
does not list (the last tests prove that of the generated models). A delivery travels the other way, so its body is
judged as what a receiver reads. Each spec test edits the spec of a project copy, regenerates with
scripts/regen.sh, commits, and reads the JSON report of scripts/api-diff.sh against the commit before.
"""

from __future__ import annotations

import enum
import inspect
from typing import Any

import pytest
import up42_api.models
from up42_api.models import JobStatusBody, OrderStatusBody, WebhookMessage

from tests.support.deliveries import RECORDED
from tests.support.evolution import Project, found, rules
from tests.support.mock_api import TEST_RUN

SCHEMAS = "#/components/schemas"
ITEM = "#/paths/~1workspaces~1{workspaceId}~1webhooks~1{webhookId}/get"


def schema(name: str, *properties: str) -> str:
    """The pointer to a component schema, or to one of its properties."""
    return "/".join([SCHEMAS, name, *(f"properties/{p}" for p in properties)])


def props(spec: dict[str, Any], name: str) -> dict[str, Any]:
    """The properties of the component schema ``name``."""
    properties: dict[str, Any] = spec["components"]["schemas"][name]["properties"]
    return properties


def unrequire(spec: dict[str, Any], name: str, field: str) -> None:
    """Make ``field`` of the component schema ``name`` optional."""
    spec["components"]["schemas"][name]["required"].remove(field)


def no_request_rules(report: dict[str, Any]) -> bool:
    """Whether nothing was judged as something a client sends."""
    return not any(rule.startswith("request-") for rule in rules(report))


def test_a_removed_response_property_breaks_and_removes_its_model_attribute(project: Project) -> None:
    def remove(spec: dict[str, Any]) -> None:
        props(spec, "Webhook").pop("updatedAt")
        unrequire(spec, "Webhook", "updatedAt")

    report = project.changed(remove)
    change = found(report, "response-property-removed", schema("Webhook", "updatedAt"))
    assert change["level"] == "breaking"
    assert "updated_at" in change["text"]
    assert found(report, "python-name-removed", "up42_api.models.Webhook.updated_at")["level"] == "breaking"
    assert no_request_rules(report)
    assert report["required_bump"] == "minor"


def test_a_response_property_made_optional_breaks(project: Project) -> None:
    report = project.changed(lambda spec: unrequire(spec, "Webhook", "updatedAt"))
    change = found(report, "response-property-became-optional", schema("Webhook", "updatedAt"))
    assert change["level"] == "breaking"
    assert "updated_at" in change["text"]
    assert report["required_bump"] == "minor"


def test_a_response_property_made_nullable_breaks(project: Project) -> None:
    def nullable(spec: dict[str, Any]) -> None:
        props(spec, "Webhook")["updatedAt"]["type"] = ["string", "null"]

    report = project.changed(nullable)
    change = found(report, "response-property-became-nullable", schema("Webhook", "updatedAt"))
    assert change["level"] == "breaking"
    assert "None" in change["text"]
    assert report["required_bump"] == "minor"


def test_an_added_response_property_is_compatible(project: Project) -> None:
    def add(spec: dict[str, Any]) -> None:
        props(spec, "Webhook")["deliveryRegion"] = {"type": "string", "description": "Where deliveries start."}

    report = project.changed(add)
    assert found(report, "response-property-added", schema("Webhook", "deliveryRegion"))["level"] == "compatible"
    assert found(report, "python-name-added", "up42_api.models.Webhook.delivery_region")["level"] == "compatible"
    assert rules(report, "breaking") == set()
    assert report["required_bump"] == "patch"


def test_a_changed_response_type_breaks(project: Project) -> None:
    def retype(spec: dict[str, Any]) -> None:
        props(spec, "TestRun")["testsRun"]["type"] = "string"

    report = project.changed(retype)
    change = found(report, "response-type-changed", schema("TestRun", "testsRun"))
    assert change["level"] == "breaking"
    assert "string" in change["text"]
    assert "integer" in change["text"]
    assert report["required_bump"] == "minor"


def test_a_response_format_removed_breaks_the_readers_of_its_generated_type(project: Project) -> None:
    # A date-time is read as a datetime: without the format it is read as a str.
    report = project.changed(lambda spec: props(spec, "Webhook")["updatedAt"].pop("format"))
    change = found(report, "response-type-changed", schema("Webhook", "updatedAt"))
    assert change["level"] == "breaking"
    assert "date-time" in change["text"]
    assert report["required_bump"] == "minor"


def test_a_narrowed_response_type_is_compatible(project: Project) -> None:
    def narrow(spec: dict[str, Any]) -> None:
        props(spec, "TestResult")["response"]["type"] = "string"

    report = project.changed(narrow)
    assert found(report, "response-type-narrowed", schema("TestResult", "response"))["level"] == "compatible"
    assert rules(report, "breaking") == set()
    assert report["required_bump"] == "patch"


def test_an_added_response_enum_value_is_compatible_and_a_new_member_of_both_enums(project: Project) -> None:
    report = project.changed(lambda spec: spec["components"]["schemas"]["OrderStatus"]["enum"].append("REFUNDED"))
    change = found(report, "response-enum-value-added", schema("OrderStatus"))
    assert change["level"] == "compatible"
    assert "REFUNDED" in change["text"]
    assert found(report, "python-name-added", "up42_api.models.OrderStatus.REFUNDED")["level"] == "compatible"
    assert found(report, "python-name-added", "up42.receiving.OrderState.REFUNDED")["level"] == "compatible"
    assert rules(report, "breaking") == set()
    assert report["required_bump"] == "patch"


# Why an added response enum value is compatible: the generated enums are open. The spec's test above added a value
# and the repository's generated package (regenerated without it) must still read it. The same holds of an unknown
# event name in a Webhook: tests/client/test_generated_models.py::test_unknown_event_names_and_fields_still_parse.


def test_every_generated_enum_keeps_a_value_it_does_not_list() -> None:
    enums: list[Any] = [
        cls
        for _, cls in inspect.getmembers(up42_api.models, inspect.isclass)
        if issubclass(cls, enum.Enum) and cls is not enum.Enum
    ]
    assert {cls.__name__ for cls in enums} >= {"EventName", "JobStatus", "OrderStatus", "OrderType"}
    for cls in enums:
        member = cls("A_VALUE_FROM_A_NEWER_SERVER")
        assert member == "A_VALUE_FROM_A_NEWER_SERVER", cls
        assert not member.is_known, cls
        assert all(known.is_known for known in cls), cls


ORDER: dict[str, Any] = RECORDED


@pytest.mark.parametrize(
    ("document", "read", "unlisted"),
    [
        ({**ORDER, "body": {**ORDER["body"], "status": "REFUNDED"}}, lambda m: m.body.status, "REFUNDED"),
        ({**ORDER, "body": {**ORDER["body"], "orderType": "STREAMING"}}, lambda m: m.body.order_type, "STREAMING"),
        ({**ORDER, "event": "job.status", "body": {"status": "PAUSED"}}, lambda m: m.body.status, "PAUSED"),
        ({**ORDER, "event": "catalog.changed", "body": {"status": "PAUSED"}}, lambda m: m.event, "catalog.changed"),
    ],
    ids=["order-status", "order-type", "job-status", "event-name"],
)
def test_a_delivery_with_a_value_the_spec_does_not_list_keeps_it(
    document: dict[str, Any], read: Any, unlisted: str
) -> None:
    message = WebhookMessage.from_dict(document)
    value = read(message)
    assert isinstance(message.body, OrderStatusBody | JobStatusBody)
    assert value == unlisted
    assert not value.is_known
    assert message.to_dict()["body"] == document["body"]
    assert message.to_dict()["event"] == document["event"]


def test_a_test_result_with_an_event_name_the_spec_does_not_list_keeps_it() -> None:
    run: dict[str, Any] = TEST_RUN
    document = {**run["tests"][0], "eventName": "catalog.changed"}
    result = up42_api.models.TestResult.from_dict(document)  # imported by name, pytest would collect it
    assert result.event_name == "catalog.changed"
    assert not result.event_name.is_known
    assert result.to_dict()["eventName"] == "catalog.changed"


def renamed(node: Any, old: str, new: str) -> Any:
    """``node`` with every reference to the schema ``old`` pointing at ``new``."""
    if isinstance(node, dict):
        return {
            key: (f"{SCHEMAS}/{new}" if key == "$ref" and value == f"{SCHEMAS}/{old}" else renamed(value, old, new))
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [renamed(item, old, new) for item in node]
    return node


def test_a_renamed_schema_breaks_and_names_both_models(project: Project) -> None:
    def rename(spec: dict[str, Any]) -> None:
        schemas = spec["components"]["schemas"]
        schemas["TestOutcome"] = schemas.pop("TestResult")
        spec.update(renamed(spec, "TestResult", "TestOutcome"))

    report = project.changed(rename)
    change = found(report, "schema-renamed", schema("TestResult"))
    assert change["level"] == "breaking"
    assert "up42_api.models.TestResult" in change["text"]
    assert "up42_api.models.TestOutcome" in change["text"]
    assert found(report, "python-name-removed", "up42_api.models.TestResult")["level"] == "breaking"
    assert report["required_bump"] == "minor"


def test_a_removed_schema_breaks_and_names_its_model(project: Project) -> None:
    def remove(spec: dict[str, Any]) -> None:
        spec["components"]["schemas"].pop("TestRequest")
        props(spec, "TestResult").pop("request")

    report = project.changed(remove)
    change = found(report, "schema-removed", schema("TestRequest"))
    assert change["level"] == "breaking"
    assert "up42_api.models.TestRequest" in change["text"]
    assert found(report, "python-name-removed", "up42_api.models.TestRequest")["level"] == "breaking"
    assert report["required_bump"] == "minor"


def test_an_added_schema_is_compatible(project: Project) -> None:
    def add(spec: dict[str, Any]) -> None:
        spec["components"]["schemas"]["DeliveryAttempt"] = {
            "type": "object",
            "description": "One attempt to deliver a message.",
            "required": ["messageId"],
            "properties": {"messageId": {"type": "string"}, "status": {"type": "integer"}},
        }

    report = project.changed(add)
    assert found(report, "schema-added", schema("DeliveryAttempt"))["level"] == "compatible"
    assert found(report, "python-name-added", "up42_api.models.DeliveryAttempt")["level"] == "compatible"
    assert rules(report, "breaking") == set()
    assert report["required_bump"] == "patch"


def test_changed_descriptions_and_examples_are_compatible_words_only(project: Project) -> None:
    # From 1.0 on, words alone ask for a patch and anything new a minor: a release at 1.0.0 tells them apart.
    project.set_version("1.0.0")
    project.commit("1.0.0")
    project.tag("v1")

    def reword(spec: dict[str, Any]) -> None:
        spec["components"]["schemas"]["Webhook"]["description"] = "A webhook of the workspace."
        props(spec, "Webhook")["name"]["examples"] = ["orders"]
        spec["paths"]["/workspaces/{workspaceId}/webhooks/{webhookId}"]["get"]["responses"]["200"]["description"] = (
            "The webhook, as stored."
        )

    project.edit_spec(reword)
    project.regen()
    project.commit()
    report = project.report("v1")
    for where in (schema("Webhook"), schema("Webhook", "name"), f"{ITEM}/responses/200"):
        assert found(report, "description-changed", where)["level"] == "compatible"
    assert rules(report) == {"description-changed"}
    assert report["required_bump"] == "patch"


def test_a_deprecated_response_property_is_compatible_and_names_what_to_use(project: Project) -> None:
    def deprecate(spec: dict[str, Any]) -> None:
        field = props(spec, "TestRun")["testsFailed"]
        field["deprecated"] = True
        field["description"] = "How many tests failed.\n\nDeprecated: use testsRun minus testsSucceeded instead."

    report = project.changed(deprecate)
    change = found(report, "deprecated", schema("TestRun", "testsFailed"))
    assert change["level"] == "compatible"
    assert "TestRun.testsFailed is deprecated" in change["text"]
    # The same words as the warning the SDK gives: the paragraph of the description that starts "Deprecated:".
    assert change["text"].endswith("is deprecated: use testsRun minus testsSucceeded instead.")
    assert rules(report, "breaking") == set()
    assert report["required_bump"] == "patch"


def test_a_delivery_property_removed_breaks_receivers(project: Project) -> None:
    def remove(spec: dict[str, Any]) -> None:
        props(spec, "OrderStatusBody").pop("dataHostName")
        unrequire(spec, "OrderStatusBody", "dataHostName")

    report = project.changed(remove)
    change = found(report, "response-property-removed", schema("OrderStatusBody", "dataHostName"))
    assert change["level"] == "breaking"
    assert "data_host_name" in change["text"]
    assert found(report, "python-name-removed", "up42_api.models.OrderStatusBody.data_host_name")
    # UP42 sends the delivery and the receiver reads it: nothing of it is judged as a request.
    assert no_request_rules(report)
    assert report["required_bump"] == "minor"


def test_a_delivery_property_added_is_compatible(project: Project) -> None:
    def add(spec: dict[str, Any]) -> None:
        props(spec, "WebhookMessage")["webhookId"] = {"type": "string", "description": "The webhook it was sent to."}

    report = project.changed(add)
    assert found(report, "response-property-added", schema("WebhookMessage", "webhookId"))["level"] == "compatible"
    assert no_request_rules(report)
    assert rules(report, "breaking") == set()
    assert report["required_bump"] == "patch"


def test_a_removed_response_media_type_breaks_once_where_the_response_is_defined(project: Project) -> None:
    report = project.changed(lambda spec: spec["components"]["responses"]["ServerError"]["content"].pop("text/html"))
    change = found(report, "response-media-type-removed", "#/components/responses/ServerError/content/text~1html")
    assert change["level"] == "breaking"
    assert "text/html" in change["text"]
    assert rules(report, "breaking") == {"response-media-type-removed"}
    assert len(report["changes"]) == 1
    assert report["required_bump"] == "minor"
