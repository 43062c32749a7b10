"""What a client sends: request bodies' schemas and parameters' schemas, each rule built and judged.

A request may widen (accept more) but not narrow. Each test edits the spec of a project copy, regenerates with
scripts/regen.sh, commits, and reads the JSON report of scripts/api-diff.sh against an earlier commit.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support.evolution import Project, found, rules

INPUT = "#/components/schemas/WebhookInput"
EVENT_NAME = "#/components/schemas/EventName"
CREATE = "#/paths/~1workspaces~1{workspaceId}~1webhooks/post"
UPDATE = "#/paths/~1workspaces~1{workspaceId}~1webhooks~1{webhookId}/put"


def webhook_input(spec: dict[str, Any]) -> dict[str, Any]:
    schema: dict[str, Any] = spec["components"]["schemas"]["WebhookInput"]
    return schema


def event_name(spec: dict[str, Any]) -> dict[str, Any]:
    schema: dict[str, Any] = spec["components"]["schemas"]["EventName"]
    return schema


def create_body(spec: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = spec["paths"]["/workspaces/{workspaceId}/webhooks"]["post"]["requestBody"]
    return body


def test_a_new_required_request_property_breaks(project: Project) -> None:
    def add(spec: dict[str, Any]) -> None:
        webhook_input(spec)["properties"]["description"] = {"type": "string"}
        webhook_input(spec)["required"].append("description")

    report = project.changed(add)
    change = found(report, "request-property-added-required", f"{INPUT}/properties/description")
    assert change["level"] == "breaking"
    assert "description" in change["text"]
    assert found(report, "python-name-added", "up42_api.models.WebhookInput.description")["level"] == "compatible"
    assert report["required_bump"] == "minor"


def test_a_new_optional_request_property_is_compatible(project: Project) -> None:
    report = project.changed(lambda spec: webhook_input(spec)["properties"].update(description={"type": "string"}))
    assert found(report, "request-property-added", f"{INPUT}/properties/description")["level"] == "compatible"
    assert found(report, "python-name-added", "up42_api.models.WebhookInput.description")["level"] == "compatible"
    assert rules(report, "breaking") == set()
    assert report["required_bump"] == "patch"


def test_an_optional_request_property_made_required_breaks(project: Project) -> None:
    report = project.changed(lambda spec: webhook_input(spec)["required"].append("active"))
    change = found(report, "request-property-became-required", f"{INPUT}/properties/active")
    assert change["level"] == "breaking"
    assert "active" in change["text"]
    assert report["required_bump"] == "minor"


def test_a_required_request_property_made_optional_is_compatible(project: Project) -> None:
    report = project.changed(lambda spec: webhook_input(spec)["required"].remove("url"))
    assert found(report, "request-property-became-optional", f"{INPUT}/properties/url")["level"] == "compatible"
    assert rules(report, "breaking") == set()
    assert report["required_bump"] == "patch"


def test_a_removed_request_property_breaks_and_its_model_attribute_is_gone(project: Project) -> None:
    report = project.changed(lambda spec: webhook_input(spec)["properties"].pop("active"))
    change = found(report, "request-property-removed", f"{INPUT}/properties/active")
    assert change["level"] == "breaking"
    assert "active" in change["text"]
    assert found(report, "python-name-removed", "up42_api.models.WebhookInput.active")["level"] == "breaking"
    assert report["required_bump"] == "minor"


def test_a_changed_request_type_breaks(project: Project) -> None:
    def retype(spec: dict[str, Any]) -> None:
        webhook_input(spec)["properties"]["name"]["type"] = "integer"

    report = project.changed(retype)
    change = found(report, "request-type-changed", f"{INPUT}/properties/name")
    assert change["level"] == "breaking"
    assert "integer" in change["text"]
    assert report["required_bump"] == "minor"


def test_a_widened_request_type_is_compatible(project: Project) -> None:
    def widen(spec: dict[str, Any]) -> None:
        webhook_input(spec)["properties"]["name"]["type"] = ["string", "null"]

    report = project.changed(widen)
    assert found(report, "request-type-widened", f"{INPUT}/properties/name")["level"] == "compatible"
    assert rules(report, "breaking") == set()
    assert report["required_bump"] == "patch"


def test_a_removed_enum_value_breaks_requests_and_not_responses(project: Project) -> None:
    # EventName is sent in WebhookInput.events and read in Webhook.events: judged in both directions.
    def remove(spec: dict[str, Any]) -> None:
        event_name(spec)["enum"].remove("job.status")
        event_name(spec)["x-event-types"].pop("job.status")

    report = project.changed(remove)
    sent = found(report, "request-enum-value-removed", EVENT_NAME)
    assert sent["level"] == "breaking"
    assert "job.status" in sent["text"]
    assert found(report, "response-enum-value-removed", EVENT_NAME)["level"] == "compatible"
    assert found(report, "python-name-removed", "up42_api.models.EventName.JOB_STATUS")["level"] == "breaking"
    assert report["required_bump"] == "minor"


def test_an_added_enum_value_is_compatible_in_both_directions(project: Project) -> None:
    def add(spec: dict[str, Any]) -> None:
        event_name(spec)["enum"].append("catalog.status")
        event_name(spec)["x-event-types"]["catalog.status"] = {
            "title": "Catalog Status Updates",
            "category": "catalog",
            "description": "Sent when a catalog changes its status",
            "documentation": "https://docs.up42.com/developers/",
        }
        # Every event names the schema of its body.
        spec["components"]["schemas"]["CatalogStatusBody"] = {
            "type": "object",
            "required": ["status"],
            "properties": {"status": {"type": "string"}},
        }

    report = project.changed(add)
    for rule in ("request-enum-value-added", "response-enum-value-added"):
        change = found(report, rule, EVENT_NAME)
        assert change["level"] == "compatible"
        assert "catalog.status" in change["text"]
    assert found(report, "python-name-added", "up42_api.models.EventName.CATALOG_STATUS")["level"] == "compatible"
    assert rules(report, "breaking") == set()
    assert report["required_bump"] == "patch"


# Each limit keyword: the type it limits, a loose value, and a tighter one.
LIMITS = {
    "maxLength": ("string", 2048, 1024),
    "minLength": ("string", 8, 12),
    "pattern": ("string", "^https://", "^https://[a-z0-9.-]+/"),
    "minimum": ("integer", 0, 1),
    "maximum": ("integer", 10, 5),
    "minItems": ("array", 1, 2),
    "maxItems": ("array", 10, 5),
}


def limitable(kind: str) -> dict[str, Any]:
    return {"type": kind, "items": {"type": "string"}} if kind == "array" else {"type": kind}


@pytest.fixture(scope="module")
def limits_report(project_template: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One change that adds each limit keyword to a field of WebhookInput that had none, and tightens it on another
    that had it loose, regenerated and judged against the commit with the loose limits (tagged ``loose``).

    The fields are new and optional in the base, so each keyword has a field of its own type on both sides.
    """
    project = Project.cloned(project_template, tmp_path_factory.mktemp("limits") / "project")

    def loose(spec: dict[str, Any]) -> None:
        for keyword, (kind, value, _) in LIMITS.items():
            webhook_input(spec)["properties"][f"added{keyword}"] = limitable(kind)
            webhook_input(spec)["properties"][f"tightened{keyword}"] = {**limitable(kind), keyword: value}

    def tighten(spec: dict[str, Any]) -> None:
        for keyword, (_, value, tighter) in LIMITS.items():
            webhook_input(spec)["properties"][f"added{keyword}"][keyword] = value
            webhook_input(spec)["properties"][f"tightened{keyword}"][keyword] = tighter

    project.edit_spec(loose)
    project.regen()
    project.commit("fields with loose limits, and fields without")
    project.tag("loose")
    project.edit_spec(tighten)
    project.regen()
    project.commit()
    return project.report("loose")


@pytest.mark.parametrize("keyword", list(LIMITS))
def test_a_request_limit_added_or_tightened_breaks(limits_report: dict[str, Any], keyword: str) -> None:
    _, _, tighter = LIMITS[keyword]
    added = found(limits_report, "request-limit-tightened", f"{INPUT}/properties/added{keyword}")
    assert added["level"] == "breaking"
    assert keyword in added["text"]
    tightened = found(limits_report, "request-limit-tightened", f"{INPUT}/properties/tightened{keyword}")
    assert tightened["level"] == "breaking"
    assert keyword in tightened["text"]
    assert str(tighter) in tightened["text"]


def test_limits_added_or_tightened_are_all_the_change_breaks(limits_report: dict[str, Any]) -> None:
    assert rules(limits_report) == {"request-limit-tightened"}
    assert len(limits_report["changes"]) == 2 * len(LIMITS)
    assert limits_report["required_bump"] == "minor"


def test_a_request_limit_relaxed_or_dropped_is_compatible(project: Project) -> None:
    def relax(spec: dict[str, Any]) -> None:
        webhook_input(spec)["properties"]["secret"]["maxLength"] = 1000
        del webhook_input(spec)["properties"]["name"]["minLength"]

    report = project.changed(relax)
    raised = found(report, "request-limit-relaxed", f"{INPUT}/properties/secret")
    assert raised["level"] == "compatible"
    assert "maxLength" in raised["text"]
    dropped = found(report, "request-limit-relaxed", f"{INPUT}/properties/name")
    assert dropped["level"] == "compatible"
    assert "minLength" in dropped["text"]
    assert rules(report, "breaking") == set()
    assert report["required_bump"] == "patch"


def test_a_parameter_limit_tightened_is_judged_as_a_request(project: Project) -> None:
    report = project.changed(lambda spec: spec["components"]["parameters"]["WebhookId"]["schema"].update(maxLength=36))
    change = found(report, "request-limit-tightened", "#/components/parameters/WebhookId/schema")
    assert change["level"] == "breaking"
    assert "webhookId" in change["text"]
    assert report["required_bump"] == "minor"
