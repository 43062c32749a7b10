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
