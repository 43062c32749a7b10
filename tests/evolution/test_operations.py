"""Operations, statuses, media types, parameters, request bodies, security and names: each rule, built and judged.

Each test edits the spec of a project copy, regenerates with scripts/regen.sh, commits, and reads the JSON report of
scripts/api-diff.sh against the commit before.
"""

from __future__ import annotations

from typing import Any

from tests.support.evolution import Project, found, rules

ITEM = "/workspaces/{workspaceId}/webhooks/{webhookId}"
TESTS = "/workspaces/{workspaceId}/webhooks/{webhookId}/tests"
LIST = "/workspaces/{workspaceId}/webhooks"
EVENTS = "/webhooks/events"


def pointer(path: str, *rest: str) -> str:
    tokens = [path, *rest]
    return "#/paths/" + "/".join(t.replace("~", "~0").replace("/", "~1") for t in tokens)


def test_an_unchanged_tree_has_no_change_and_needs_no_bump(project: Project) -> None:
    project.regen()
    project.commit()
    report = project.report()
    assert report["changes"] == []
    assert report["required_bump"] == "none"
    assert report["base"] == "base"
    assert report["version"] == {"base": "0.1.0", "head": "0.1.0"}


def test_a_removed_operation_breaks_and_names_its_generated_function(project: Project) -> None:
    report = project.changed(lambda spec: spec["paths"][TESTS].pop("post"))
    change = found(report, "operation-removed", pointer(TESTS, "post"))
    assert change["level"] == "breaking"
    assert "up42_api.api.webhooks.run_webhook_tests" in change["text"]
    removed = found(report, "python-name-removed", "up42_api.api.webhooks.run_webhook_tests")
    assert removed["level"] == "breaking"
    assert report["required_bump"] == "minor"


def test_an_added_operation_is_compatible(project: Project) -> None:
    def add(spec: dict[str, Any]) -> None:
        spec["paths"][ITEM]["patch"] = {
            "operationId": "patchWebhook",
            "tags": ["webhooks"],
            "summary": "Change some fields.",
            "responses": {"204": {"description": "Changed."}},
        }

    report = project.changed(add)
    assert found(report, "operation-added", pointer(ITEM, "patch"))["level"] == "compatible"
    assert found(report, "python-name-added", "up42_api.api.webhooks.patch_webhook")["level"] == "compatible"
    assert rules(report, "breaking") == set()
    assert report["required_bump"] == "patch"


def test_a_removed_status_breaks(project: Project) -> None:
    report = project.changed(lambda spec: spec["paths"][ITEM]["get"]["responses"].pop("404"))
    change = found(report, "response-status-removed", pointer(ITEM, "get", "responses", "404"))
    assert change["level"] == "breaking"
    assert report["required_bump"] == "minor"


def test_an_added_status_is_compatible(project: Project) -> None:
    def add(spec: dict[str, Any]) -> None:
        spec["paths"][ITEM]["get"]["responses"]["410"] = {"$ref": "#/components/responses/NotFound"}

    report = project.changed(add)
    assert found(report, "response-status-added", pointer(ITEM, "get", "responses", "410"))["level"] == "compatible"
    assert rules(report, "breaking") == set()


def test_a_removed_request_media_type_breaks_and_an_added_one_does_not(project: Project) -> None:
    def swap(spec: dict[str, Any]) -> None:
        content = spec["paths"][LIST]["post"]["requestBody"]["content"]
        content["application/merge-patch+json"] = content.pop("application/json")

    report = project.changed(swap)
    body = pointer(LIST, "post", "requestBody", "content")
    assert found(report, "request-media-type-removed", f"{body}/application~1json")["level"] == "breaking"
    assert found(report, "request-media-type-added", f"{body}/application~1merge-patch+json")["level"] == "compatible"


def test_a_renamed_operation_id_breaks_and_names_both_functions(project: Project) -> None:
    def rename(spec: dict[str, Any]) -> None:
        spec["paths"][ITEM]["get"]["operationId"] = "fetchWebhook"

    report = project.changed(rename)
    change = found(report, "operation-id-renamed", pointer(ITEM, "get"))
    assert change["level"] == "breaking"
    assert "up42_api.api.webhooks.get_webhook" in change["text"]
    assert "up42_api.api.webhooks.fetch_webhook" in change["text"]
    assert found(report, "python-name-removed", "up42_api.api.webhooks.get_webhook")["level"] == "breaking"
    assert found(report, "python-name-added", "up42_api.api.webhooks.fetch_webhook")["level"] == "compatible"


def test_an_operation_under_another_tag_breaks_its_import(project: Project) -> None:
    def retag(spec: dict[str, Any]) -> None:
        spec["paths"][EVENTS]["get"]["tags"] = ["events"]

    report = project.changed(retag)
    change = found(report, "operation-tag-changed", pointer(EVENTS, "get"))
    assert change["level"] == "breaking"
    assert "up42_api.api.events.list_webhook_events" in change["text"]


def test_an_operation_moved_to_another_path_keeps_its_function(project: Project) -> None:
    def move(spec: dict[str, Any]) -> None:
        spec["paths"]["/webhooks/event-types"] = spec["paths"].pop(EVENTS)

    report = project.changed(move)
    assert found(report, "operation-path-changed", pointer(EVENTS, "get"))["level"] == "compatible"
    assert "operation-removed" not in rules(report)
    assert rules(report, "breaking") == set()


def test_a_renamed_parameter_breaks_the_keyword_argument(project: Project) -> None:
    def rename(spec: dict[str, Any]) -> None:
        spec["components"]["parameters"]["WebhookId"]["name"] = "hookId"
        for path in (ITEM, TESTS):
            spec["paths"][path.replace("{webhookId}", "{hookId}")] = spec["paths"].pop(path)

    report = project.changed(rename)
    change = found(report, "parameter-renamed", "#/components/parameters/WebhookId")
    assert change["level"] == "breaking"
    assert "webhook_id" in change["text"]
    assert "hook_id" in change["text"]


def query(name: str, required: bool) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": required, "schema": {"type": "integer"}}


def test_a_new_required_parameter_breaks(project: Project) -> None:
    report = project.changed(lambda spec: spec["paths"][LIST]["get"].update(parameters=[query("limit", True)]))
    change = found(report, "request-parameter-added-required", pointer(LIST, "get", "parameters", "0"))
    assert change["level"] == "breaking"
    assert "limit" in change["text"]


def test_a_new_optional_parameter_is_compatible(project: Project) -> None:
    report = project.changed(lambda spec: spec["paths"][LIST]["get"].update(parameters=[query("limit", False)]))
    assert found(report, "request-parameter-added", pointer(LIST, "get", "parameters", "0"))["level"] == "compatible"
    assert rules(report, "breaking") == set()


def test_an_optional_parameter_made_required_breaks(project: Project) -> None:
    project.edit_spec(lambda spec: spec["paths"][LIST]["get"].update(parameters=[query("limit", False)]))
    project.regen()
    project.commit("an optional limit")
    project.tag("optional-limit")
    project.edit_spec(lambda spec: spec["paths"][LIST]["get"].update(parameters=[query("limit", True)]))
    project.regen()
    project.commit()
    report = project.report("optional-limit")
    change = found(report, "request-parameter-became-required", pointer(LIST, "get", "parameters", "0"))
    assert change["level"] == "breaking"


def test_a_request_body_made_required_breaks(project: Project) -> None:
    project.edit_spec(lambda spec: spec["paths"][ITEM]["put"]["requestBody"].update(required=False))
    project.regen()
    project.commit("an optional body")
    project.tag("optional-body")
    project.edit_spec(lambda spec: spec["paths"][ITEM]["put"]["requestBody"].update(required=True))
    project.regen()
    project.commit()
    report = project.report("optional-body")
    assert found(report, "request-body-became-required", pointer(ITEM, "put", "requestBody"))["level"] == "breaking"


def test_an_added_security_requirement_breaks_and_a_dropped_one_does_not(project: Project) -> None:
    def secure(spec: dict[str, Any]) -> None:
        spec["paths"]["/realms/public/protocol/openid-connect/token"]["post"].pop("security")
        spec["paths"][EVENTS]["get"]["security"] = []

    report = project.changed(secure)
    token = pointer("/realms/public/protocol/openid-connect/token", "post", "security")
    assert found(report, "security-requirement-added", token)["level"] == "breaking"
    assert found(report, "security-requirement-removed", pointer(EVENTS, "get", "security"))["level"] == "compatible"


def test_a_deprecated_operation_is_compatible_and_says_what_to_use(project: Project) -> None:
    def deprecate(spec: dict[str, Any]) -> None:
        operation = spec["paths"][EVENTS]["get"]
        operation["deprecated"] = True
        operation["description"] = "Deprecated: use the event catalog of up42.receiving instead."

    report = project.changed(deprecate)
    change = found(report, "deprecated", pointer(EVENTS, "get"))
    assert change["level"] == "compatible"
    assert "up42.receiving" in change["text"]
    assert rules(report, "breaking") == set()
