"""The public Python surface: names, parameters and attributes of `up42` and `up42_api`, each rule built and judged.

Each test edits the code of a project copy as text (or the spec, where the generated `up42_api` is the point),
commits, and reads the JSON report of scripts/api-diff.sh against the commit before. Only the code changes, so the
report lists exactly the Python changes, and each test compares the whole list.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.evolution import Project, found, rules

INIT = "up42/__init__.py"
DEFAULT = "up42/_client/_default.py"
WEBHOOKS = "up42/_client/_webhooks.py"
# The end of Webhook.update's signature (AsyncWebhook.update returns AsyncWebhook), and of up42.create_webhook's.
UPDATE_END = "        secret: str | None = None,\n    ) -> Webhook:"
CREATE_END = "    secret: str | None = None,\n) -> Webhook:"
UPDATED_AT = '''    @property
    @deprecations.reads(WebhookModel, "updated_at")
    def updated_at(self) -> datetime.datetime:
        """When the webhook was last changed (timezone-aware, UTC)."""
        return _aware(self._model.updated_at)

'''


def remove_a_parameter(project: Project) -> None:
    """Webhook.update no longer takes ``secret``: breaking."""
    project.replace(WEBHOOKS, UPDATE_END, "    ) -> Webhook:")


def add_an_optional_parameter(project: Project) -> None:
    """up42.create_webhook takes a new optional ``timeout``: compatible."""
    project.replace(DEFAULT, CREATE_END, CREATE_END.replace("\n)", "\n    timeout: float | None = None,\n)"))


def committed(project: Project, *edits: tuple[str, str, str]) -> dict[str, Any]:
    """Apply the text ``edits`` (file, old, new), commit, and the JSON report against ``base``."""
    for edit in edits:
        project.replace(*edit)
    project.commit()
    return project.report()


def listed(report: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(c["level"], c["rule"], c["where"]) for c in report["changes"]]


@pytest.mark.parametrize(
    "edits",
    [
        pytest.param([(INIT, '    "get_webhook_events",\n', "")], id="dropped-from-__all__"),
        pytest.param(
            [
                (INIT, '    "get_webhook_events",\n', ""),
                (INIT, "get_webhook_events, get_webhooks", "get_webhooks"),
                (INIT, '    "get_webhook_events": "_client._default",\n', ""),
            ],
            id="no-longer-imported",
        ),
    ],
)
def test_a_public_name_of_up42_dropped_from_its_exports_breaks(
    project: Project, edits: list[tuple[str, str, str]]
) -> None:
    # The function stays in its private module, where no user imports it from.
    report = committed(project, *edits)
    assert listed(report) == [("breaking", "python-name-removed", "up42.get_webhook_events")]
    assert "Stop using it" in found(report, "python-name-removed")["text"]
    assert report["required_bump"] == "minor"


def test_a_renamed_public_name_removes_the_old_name_and_adds_the_new(project: Project) -> None:
    report = committed(
        project,
        (DEFAULT, "def get_webhook_events(", "def list_webhook_events("),
        (INIT, "get_webhook_events, get_webhooks", "get_webhooks, list_webhook_events"),
        (INIT, '    "get_webhook_events": "_client._default",\n', '    "list_webhook_events": "_client._default",\n'),
        (INIT, '    "get_webhook_events",\n', '    "list_webhook_events",\n'),
    )
    assert listed(report) == [
        ("breaking", "python-name-removed", "up42.get_webhook_events"),
        ("compatible", "python-name-added", "up42.list_webhook_events"),
    ]
    assert report["required_bump"] == "minor"


def test_a_removed_public_parameter_breaks(project: Project) -> None:
    remove_a_parameter(project)
    project.commit()
    report = project.report()
    assert listed(report) == [("breaking", "python-parameter-removed", "up42.Webhook.update")]
    assert "secret" in found(report, "python-parameter-removed")["text"]
    assert report["required_bump"] == "minor"


def test_a_parameter_whose_default_is_removed_becomes_required_and_breaks(project: Project) -> None:
    first = "\n    def update(\n        self,\n        name: str | None"
    report = committed(project, (WEBHOOKS, f"{first} = None,", f"{first},"))
    assert listed(report) == [("breaking", "python-parameter-became-required", "up42.Webhook.update")]
    assert "name" in found(report, "python-parameter-became-required")["text"]
    assert report["required_bump"] == "minor"


def test_a_new_required_parameter_breaks(project: Project) -> None:
    report = committed(
        project, (WEBHOOKS, UPDATE_END, UPDATE_END.replace("\n    )", "\n        *,\n        reason: str,\n    )"))
    )
    assert listed(report) == [("breaking", "python-parameter-added-required", "up42.Webhook.update")]
    assert "reason" in found(report, "python-parameter-added-required")["text"]
    assert report["required_bump"] == "minor"


def test_a_new_optional_parameter_is_compatible(project: Project) -> None:
    add_an_optional_parameter(project)
    project.commit()
    report = project.report()
    assert listed(report) == [("compatible", "python-parameter-added", "up42.create_webhook")]
    assert "timeout" in found(report, "python-parameter-added")["text"]
    assert rules(report, "breaking") == set()
    assert report["required_bump"] == "patch"


def test_a_removed_property_breaks_each_public_class_that_had_it(project: Project) -> None:
    # The property is defined once, in the private base class that Webhook and AsyncWebhook share.
    report = committed(project, (WEBHOOKS, UPDATED_AT, ""))
    assert listed(report) == [
        ("breaking", "python-name-removed", "up42.AsyncWebhook.updated_at"),
        ("breaking", "python-name-removed", "up42.Webhook.updated_at"),
    ]
    assert report["required_bump"] == "minor"


def test_a_renamed_operation_id_removes_the_generated_function_of_up42_api(project: Project) -> None:
    def rename(spec: dict[str, Any]) -> None:
        spec["paths"]["/webhooks/events"]["get"]["operationId"] = "fetchWebhookEvents"

    report = project.changed(rename)
    removed = found(report, "python-name-removed", "up42_api.api.webhooks.list_webhook_events")
    assert removed["level"] == "breaking"
    added = found(report, "python-name-added", "up42_api.api.webhooks.fetch_webhook_events")
    assert added["level"] == "compatible"
    assert report["required_bump"] == "minor"


def test_a_change_inside_private_code_that_keeps_the_public_surface_reports_nothing(project: Project) -> None:
    report = committed(
        project,
        (WEBHOOKS, "def _aware(", "def _utc("),
        (WEBHOOKS, "return _aware(self._model.created_at)", "return _utc(self._model.created_at)"),
        (WEBHOOKS, "return _aware(self._model.updated_at)", "return _utc(self._model.updated_at)"),
        (
            WEBHOOKS,
            "    def delete(self) -> None:",
            "    def _deleted(self) -> bool:\n        return False\n\n    def delete(self) -> None:",
        ),
    )
    assert report["changes"] == []
    assert report["required_bump"] == "none"


def test_a_new_version_string_is_no_change(project: Project) -> None:
    project.set_version("0.1.1")
    project.commit()
    report = project.report()
    assert report["version"] == {"base": "0.1.0", "head": "0.1.1"}
    assert report["changes"] == []
    assert report["required_bump"] == "none"


DELIVERY = "up42/sandbox/_delivery.py"


def test_a_new_required_field_of_a_public_dataclass_breaks_and_an_optional_one_does_not(project: Project) -> None:
    report = committed(
        project,
        (DELIVERY, "    attempts: int = 5\n", "    attempts: int = 5\n    region: str\n    label: str = ''\n"),
    )
    change = found(report, "python-parameter-added-required", "up42.sandbox.RetryPolicy")
    assert change["level"] == "breaking"
    assert "region" in change["text"]
    assert found(report, "python-name-added", "up42.sandbox.RetryPolicy.label")["level"] == "compatible"
    assert "label" not in " ".join(c["text"] for c in report["changes"] if c["level"] == "breaking")


def test_a_parameter_type_may_widen_but_not_narrow(project: Project) -> None:
    report = committed(project, (WEBHOOKS, UPDATE_END, UPDATE_END.replace("str | None", "str | bytes | None")))
    change = found(report, "python-parameter-type-widened", "up42.Webhook.update")
    assert change["level"] == "compatible"
    assert rules(report, "breaking") == set()


def test_a_narrowed_parameter_type_breaks(project: Project) -> None:
    report = committed(project, (WEBHOOKS, UPDATE_END, UPDATE_END.replace("str | None = None", 'str = ""')))
    change = found(report, "python-parameter-type-changed", "up42.Webhook.update")
    assert change["level"] == "breaking"
    assert "secret" in change["text"]


def test_a_return_type_may_narrow_but_not_widen(project: Project) -> None:
    old = '    def trigger_test_events(self) -> dict[str, Any]:\n        """Ask UP42'
    report = committed(project, (WEBHOOKS, old, old.replace("dict[str, Any]", "dict[str, Any] | None")))
    change = found(report, "python-return-type-changed", "up42.Webhook.trigger_test_events")
    assert change["level"] == "breaking"
    assert "dict[str, Any] | None" in change["text"]
